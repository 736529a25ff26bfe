//! Indexing throughput and query latency of the encrypted tantivy index, next to SQLite FTS5
//! (in the bundled, encrypted SQLCipher) on the same corpus and queries.
//!
//! Run with `cargo bench -p hearth-search --bench query`. Without `--bench` (e.g. under
//! `cargo test --all-targets`) it does nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hearth_core::{Contact, HouseholdData, HouseholdStatus, Member, Note, NoteCategory, Role};
use hearth_search::{Index, Kind, Query, SearchKey, household_items};

const NOTES: usize = 100_000;
const NOTES_PER_HOUSEHOLD: usize = 50;
const ROUNDS: usize = 5;
const T0: i64 = 1_640_995_200_000; // 2022-01-01
const DAY: i64 = 86_400_000;

/// xorshift64* — deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const FIRST: &[&str] = &[
    "Robert",
    "Mary",
    "James",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Emily",
    "Andrew",
    "Donna",
    "Kenneth",
    "Michelle",
];
const LAST: &[&str] = &[
    "Johnson",
    "Smith",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Johnston",
    "Johns",
    "Jonas",
];
const ADVISORS: &[&str] = &[
    "Alice Morgan",
    "Ben Okafor",
    "Carla Reyes",
    "Dev Patel",
    "Erin Walsh",
];
const TOPICS: &[&str] = &[
    "the 401(k) rollover",
    "a Roth conversion",
    "required minimum distributions",
    "the required minimum distribution for this year",
    "Social Security claiming strategy",
    "long-term care insurance",
    "the college savings 529 plan",
    "estate planning and the revocable trust",
    "beneficiary designations",
    "tax-loss harvesting",
    "the annuity surrender schedule",
    "rebalancing the portfolio",
    "the emergency fund",
    "mortgage refinancing",
    "a qualified charitable distribution",
    "the donor-advised fund",
    "municipal bonds",
    "the pension lump sum offer",
    "health savings account contributions",
    "capital gains exposure",
    "life insurance coverage",
    "the small business sale",
    "stock option exercise timing",
    "inheritance from a parent",
    "the divorce settlement",
    "downsizing the house",
];
const OPENERS: &[&str] = &[
    "Met with {p} to discuss {t}.",
    "Phone call with {p} about {t}.",
    "{p} emailed with questions on {t}.",
    "Quarterly review with {p}; main topic was {t}.",
    "Follow-up with {p} regarding {t}.",
];
const MIDDLES: &[&str] = &[
    "{f} is worried about market volatility and wants a more conservative allocation.",
    "We reviewed the current asset allocation and expected retirement income.",
    "{f} plans to retire in {n} years and wants to travel.",
    "Agreed to revisit {t} at the next meeting.",
    "Risk tolerance remains moderate; time horizon is about {n} years.",
    "{f} mentioned a grandchild starting college soon.",
    "Discussed fees and the advisory agreement; no concerns raised.",
    "Need to coordinate with the CPA before year end on {t}.",
    "The spouse asked how {t} affects the tax bracket.",
    "Reviewed the cash flow plan and monthly budget.",
    "Compliance: client acknowledged the updated disclosure documents.",
];
const CLOSERS: &[&str] = &[
    "Action: send the paperwork by Friday.",
    "Action: schedule a follow-up in {n} weeks.",
    "Next step is to run the projections again.",
    "Client will gather statements and send them over.",
    "No action needed for now.",
];

fn fill(template: &str, rng: &mut Rng, person: &str, first: &str) -> String {
    let mut s = template.replace("{p}", person).replace("{f}", first);
    while s.contains("{t}") {
        let t = rng.pick(TOPICS);
        s = s.replacen("{t}", t, 1);
    }
    s.replace("{n}", &(2 + rng.below(15)).to_string())
}

fn corpus() -> Vec<HouseholdData> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let households = NOTES / NOTES_PER_HOUSEHOLD;
    let mut out = Vec::with_capacity(households);
    for h in 0..households {
        let last = rng.pick(LAST);
        let first = rng.pick(FIRST);
        let spouse = rng.pick(FIRST);
        let id = format!("hh{h:05}");
        let mut members = BTreeMap::new();
        for (i, (name, role)) in [(first, Role::Head), (spouse, Role::Spouse)]
            .iter()
            .enumerate()
        {
            members.insert(
                format!("{id}-m{i}"),
                Member {
                    name: format!("{name} {last}"),
                    role: *role,
                    birth_year: Some(1940 + rng.below(50) as i64),
                    birth_date: None,
                    contact: Contact::default(),
                },
            );
        }
        let mut notes = BTreeMap::new();
        for n in 0..NOTES_PER_HOUSEHOLD {
            let who = if rng.below(3) == 0 { spouse } else { first };
            let person = format!("{who} {last}");
            let mut text = fill(rng.pick(OPENERS), &mut rng, &person, who);
            for _ in 0..(1 + rng.below(3)) {
                text.push(' ');
                text.push_str(&fill(rng.pick(MIDDLES), &mut rng, &person, who));
            }
            text.push(' ');
            text.push_str(&fill(rng.pick(CLOSERS), &mut rng, &person, who));
            notes.insert(
                format!("n{n:03}"),
                Note {
                    category: NoteCategory::ALL[rng.below(NoteCategory::ALL.len())],
                    body: autosurgeon::Text::with_value(text),
                    author: rng.pick(ADVISORS).to_string(),
                    created_at: T0 + (rng.below(3 * 365) as i64) * DAY,
                    source_meeting: None,
                },
            );
        }
        out.push(HouseholdData {
            schema: 1,
            id,
            name: format!("The {last} Family"),
            status: HouseholdStatus::Client,
            segment: None,
            client_ref: None,
            archived_at: None,
            tags: vec![],
            address: None,
            created_at: T0,
            members,
            accounts: BTreeMap::new(),
            goals: BTreeMap::new(),
            notes,
            tasks: BTreeMap::new(),
            documents: BTreeMap::new(),
            meetings: BTreeMap::new(),
            facts: BTreeMap::new(),
            template: None,
            custom: BTreeMap::new(),
            actors: BTreeMap::new(),
        });
    }
    out
}

/// One benchmark query, as typed into Hearth and as written for FTS5.
struct Case {
    category: &'static str,
    hearth: Query,
    fts: &'static str,
    /// FTS5 extra filter: (household, from, to).
    fts_filter: Option<(String, i64, i64)>,
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut add = |category, text: &str, fts| {
        v.push(Case {
            category,
            hearth: Query::text(text),
            fts,
            fts_filter: None,
        })
    };
    // Trailing space: a finished word (no prefix expansion), as when the advisor hits enter.
    for (t, f) in [
        ("rollover ", "rollover"),
        ("annuity ", "annuity"),
        ("Martinez ", "Martinez"),
        ("volatility ", "volatility"),
        ("inheritance ", "inheritance"),
    ] {
        add("single word", t, f);
    }
    for (t, f) in [
        ("roth conversion ", "roth conversion"),
        ("college savings ", "college savings"),
        ("Johnson pension ", "Johnson pension"),
        ("charitable distribution ", "charitable distribution"),
        ("mortgage refinancing ", "mortgage refinancing"),
    ] {
        add("two words", t, f);
    }
    for (t, f) in [
        ("joh", "joh*"),
        ("rebal", "rebal*"),
        ("annu", "annu*"),
        ("beneficiary desig", "beneficiary desig*"),
        ("mart", "mart*"),
    ] {
        add("prefix", t, f);
    }
    // FTS5 has no typo tolerance: it gets the correctly spelled word (an easier query).
    for (t, f) in [
        ("rolover ", "rollover"),
        ("anuity ", "annuity"),
        ("benificiary ", "beneficiary"),
        ("Jonson ", "Johnson"),
        ("morgage ", "mortgage"),
    ] {
        add("fuzzy", t, f);
    }
    for (t, f) in [
        (
            "\"required minimum distribution\"",
            "\"required minimum distribution\"",
        ),
        (
            "\"long-term care insurance\"",
            "\"long term care insurance\"",
        ),
        ("\"pension lump sum\"", "\"pension lump sum\""),
        ("\"market volatility\"", "\"market volatility\""),
        ("\"stock option exercise\"", "\"stock option exercise\""),
    ] {
        add("phrase", t, f);
    }
    for (i, (t, f)) in [
        ("rollover ", "rollover"),
        ("annuity ", "annuity"),
        ("conversion ", "conversion"),
        ("insurance ", "insurance"),
        ("college ", "college"),
    ]
    .into_iter()
    .enumerate()
    {
        let household = format!("hh{:05}", i * 37);
        let (from, to) = (T0 + 100 * DAY, T0 + 800 * DAY);
        v.push(Case {
            category: "filtered",
            hearth: Query {
                household: Some(household.clone()),
                kind: Some(Kind::Note),
                from: Some(from),
                to: Some(to),
                ..Query::text(t)
            },
            fts: f,
            fts_filter: Some((household, from, to)),
        });
    }
    v
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

type Stats = BTreeMap<&'static str, Vec<Duration>>;

fn report(engine: &str, stats: &Stats, order: &[&'static str]) {
    let mut all = Vec::new();
    for cat in order {
        let mut v = stats.get(cat).cloned().unwrap_or_default();
        v.sort();
        all.extend(v.iter().copied());
        println!(
            "| {engine:<16} | {cat:<12} | {:>8.3} | {:>8.3} | {:>8.3} |",
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.99)),
            ms(v.iter().sum::<Duration>() / v.len().max(1) as u32),
        );
    }
    all.sort();
    println!(
        "| {engine:<16} | {:<12} | {:>8.3} | {:>8.3} | {:>8.3} |",
        "ALL",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(all.iter().sum::<Duration>() / all.len().max(1) as u32),
    );
}

/// One FTS5 configuration's figures.
struct Fts5Run {
    index_time: Duration,
    stats: Stats,
    hits: usize,
    size: u64,
}

/// Loads the corpus into SQLite FTS5 inside SQLCipher and runs the cases. `tuned`: a prefix
/// index for 2- and 3-letter prefixes, and `optimize` (merging the b-trees) after the bulk
/// load, as FTS5's documentation advises for a prefix-heavy, load-once index.
fn fts5(
    households: &[HouseholdData],
    cases: &[Case],
    tuned: bool,
) -> Result<Fts5Run, Box<dyn std::error::Error>> {
    let ftmp = tempfile::tempdir()?;
    let db = rusqlite::Connection::open(ftmp.path().join("fts.db"))?;
    let prefix = if tuned { ", prefix = '2 3'" } else { "" };
    db.execute_batch(&format!(
        "PRAGMA key = \"x'0707070707070707070707070707070707070707070707070707070707070707'\";
         PRAGMA journal_mode = WAL;
         CREATE VIRTUAL TABLE items USING fts5(
             kind UNINDEXED, household_id UNINDEXED, item_id UNINDEXED, title, body,
             advisor UNINDEXED, date UNINDEXED, tokenize = 'unicode61 remove_diacritics 2'{prefix});"
    ))?;
    let t = Instant::now();
    {
        let tx = db.unchecked_transaction()?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO items (kind, household_id, item_id, title, body, advisor, date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for h in households {
                for it in household_items(h) {
                    ins.execute(rusqlite::params![
                        it.kind.as_str(),
                        it.household_id,
                        it.item_id,
                        it.title,
                        it.body,
                        it.advisor,
                        it.date
                    ])?;
                }
            }
        }
        tx.commit()?;
    }
    if tuned {
        db.execute_batch("INSERT INTO items(items) VALUES('optimize');")?;
    }
    let index_time = t.elapsed();
    let mut plain = db.prepare(
        "SELECT kind, household_id, item_id, title,
                snippet(items, 4, '<b>', '</b>', '…', 24), bm25(items, 2.0, 1.0)
         FROM items WHERE items MATCH ?1 ORDER BY bm25(items, 2.0, 1.0) LIMIT 20",
    )?;
    let mut filtered = db.prepare(
        "SELECT kind, household_id, item_id, title,
                snippet(items, 4, '<b>', '</b>', '…', 24), bm25(items, 2.0, 1.0)
         FROM items WHERE items MATCH ?1 AND household_id = ?2 AND kind = 'note'
              AND date BETWEEN ?3 AND ?4
         ORDER BY bm25(items, 2.0, 1.0) LIMIT 20",
    )?;
    let mut fts_stats = Stats::new();
    let mut fts_hits = 0usize;
    let row = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(String, String)> {
        Ok((r.get::<_, String>(2)?, r.get::<_, String>(4)?))
    };
    for round in 0..=ROUNDS {
        for c in cases {
            let t = Instant::now();
            let n = match &c.fts_filter {
                None => plain.query_map([c.fts], row)?.count(),
                Some((h, from, to)) => filtered
                    .query_map(rusqlite::params![c.fts, h, from, to], row)?
                    .count(),
            };
            let el = t.elapsed();
            fts_hits += n;
            if round > 0 {
                fts_stats.entry(c.category).or_default().push(el);
            }
        }
    }
    drop(plain);
    drop(filtered);
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(Fts5Run {
        index_time,
        stats: fts_stats,
        hits: fts_hits,
        size: dir_size(ftmp.path()),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    let t = Instant::now();
    let households = corpus();
    let items: usize = households.iter().map(|h| household_items(h).len()).sum();
    println!(
        "corpus: {} households, {NOTES} notes, {items} items ({:.1}s to generate)",
        households.len(),
        t.elapsed().as_secs_f64()
    );
    let cases = cases();
    let order: Vec<&'static str> = {
        let mut o: Vec<&'static str> = Vec::new();
        for c in &cases {
            if !o.contains(&c.category) {
                o.push(c.category);
            }
        }
        o
    };

    // ---- tantivy, encrypted directory ----
    let tmp = tempfile::tempdir()?;
    let key = SearchKey::from_bytes([7u8; 32]);
    let index = Index::open(tmp.path(), &key)?;
    let t = Instant::now();
    index.rebuild(&households)?;
    let tantivy_index_time = t.elapsed();
    drop(index);
    let t = Instant::now();
    let index = Index::open(tmp.path(), &key)?;
    let reopen = t.elapsed();
    let t = Instant::now();
    let first = index.search(&cases[0].hearth)?;
    let cold_query = t.elapsed();
    assert!(!first.is_empty());
    let mut tantivy_stats = Stats::new();
    let mut hits_total = 0usize;
    for round in 0..=ROUNDS {
        for c in &cases {
            let t = Instant::now();
            let hits = index.search(&c.hearth)?;
            let el = t.elapsed();
            hits_total += hits.len();
            if round > 0 {
                tantivy_stats.entry(c.category).or_default().push(el);
            }
        }
    }
    let tantivy_size = dir_size(tmp.path());

    // ---- SQLite FTS5 in SQLCipher: as a first try would set it up, and tuned as its users
    // would (a prefix index for the prefix queries, `optimize` after the bulk load) ----
    let plain_fts = fts5(&households, &cases, false)?;
    let tuned_fts = fts5(&households, &cases, true)?;

    println!();
    println!("| engine           | indexing         | docs/s   | on disk   |");
    println!("|------------------|------------------|----------|-----------|");
    println!(
        "| tantivy (AES-GCM)| {:>14.2}s | {:>8.0} | {:>6.1} MB |",
        tantivy_index_time.as_secs_f64(),
        items as f64 / tantivy_index_time.as_secs_f64(),
        tantivy_size as f64 / 1e6
    );
    for (name, f) in [
        ("FTS5 (SQLCipher) ", &plain_fts),
        ("FTS5 tuned       ", &tuned_fts),
    ] {
        println!(
            "| {name}| {:>14.2}s | {:>8.0} | {:>6.1} MB |",
            f.index_time.as_secs_f64(),
            items as f64 / f.index_time.as_secs_f64(),
            f.size as f64 / 1e6
        );
    }
    println!(
        "\ntantivy reopen: {:.1} ms; first (cold) query: {:.1} ms",
        ms(reopen),
        ms(cold_query)
    );
    println!(
        "\nquery latency, top 20 with snippets, {ROUNDS} rounds x {} queries (ms)",
        cases.len()
    );
    println!("| engine           | category     | p50      | p99      | mean     |");
    println!("|------------------|--------------|----------|----------|----------|");
    report("tantivy (hearth)", &tantivy_stats, &order);
    report("FTS5", &plain_fts.stats, &order);
    report("FTS5 tuned", &tuned_fts.stats, &order);
    println!(
        "\n(hits returned: tantivy {hits_total}, FTS5 {}, FTS5 tuned {}; FTS5 'fuzzy' rows use the correctly spelled word; \
         tuned = prefix = '2 3' and 'optimize' after loading, its time included in indexing)",
        plain_fts.hits, tuned_fts.hits
    );
    Ok(())
}
