use std::collections::BTreeMap;
use std::path::Path;

use hearth_core::{
    ClientFact, Consent, Contact, HouseholdData, HouseholdStatus, Meeting, Member, Note,
    NoteCategory, Role, TranscriptSegment,
};
use hearth_search::{Error, Index, Kind, Query, SearchKey};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_700_000_000_000;

fn key() -> SearchKey {
    SearchKey::from_bytes([42u8; 32])
}

fn note(text: &str, author: &str, at: i64) -> Note {
    Note {
        category: NoteCategory::Discussion,
        body: autosurgeon::Text::with_value(text),
        author: author.to_string(),
        created_at: at,
        source_meeting: None,
    }
}

fn household(
    id: &str,
    name: &str,
    member: &str,
    notes: &[(&str, &str, &str, i64)],
) -> HouseholdData {
    let mut members = BTreeMap::new();
    members.insert(
        format!("{id}-m1"),
        Member {
            name: member.to_string(),
            role: Role::Head,
            birth_year: Some(1961),
            birth_date: None,
            contact: Contact::default(),
        },
    );
    HouseholdData {
        schema: 1,
        id: id.to_string(),
        name: name.to_string(),
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
        notes: notes
            .iter()
            .map(|(nid, text, author, at)| (nid.to_string(), note(text, author, *at)))
            .collect(),
        tasks: BTreeMap::new(),
        documents: BTreeMap::new(),
        meetings: BTreeMap::new(),
        facts: BTreeMap::new(),
        template: None,
        custom: BTreeMap::new(),
        actors: BTreeMap::new(),
    }
}

fn johnson() -> HouseholdData {
    let mut h = household(
        "hh-johnson",
        "The Johnson Family",
        "Robert Johnson",
        &[
            (
                "n1",
                "Discussed the 401(k) rollover into a traditional IRA. Robert wants to delay Social Security until 70.",
                "Alice Advisor",
                T0 + DAY,
            ),
            (
                "n2",
                "Required minimum distribution planning for next year; qualified charitable distribution from the IRA.",
                "Bob Planner",
                T0 + 10 * DAY,
            ),
        ],
    );
    h.facts.insert(
        "f1".into(),
        ClientFact {
            key: "risk_tolerance".into(),
            value: "moderate".into(),
            source: "advisor".into(),
            confidence: 1.0,
            accepted: true,
            recorded_at: None,
            retired_at: None,
        },
    );
    h
}

fn smith() -> HouseholdData {
    household(
        "hh-smith",
        "The Smith Household",
        "Jane Smith",
        &[(
            "n1",
            "Jane asked about the rollover of her pension and the college savings 529 plan.",
            "Alice Advisor",
            T0 + 20 * DAY,
        )],
    )
}

fn open(dir: &Path) -> Index {
    Index::open(dir, &key()).expect("open index")
}

fn ids(hits: &[hearth_search::Hit]) -> Vec<(String, String)> {
    hits.iter()
        .map(|h| (h.household_id.clone(), h.item_id.clone()))
        .collect()
}

fn has(hits: &[hearth_search::Hit], household: &str, item: &str) -> bool {
    hits.iter()
        .any(|h| h.household_id == household && h.item_id == item)
}

#[test]
fn typo_prefix_phrase_and_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path());
    index.rebuild([&johnson(), &smith()]).unwrap();

    // Typo: "Jonson" finds Johnson (household, member).
    let hits = index.search(&Query::text("Jonson ")).unwrap();
    assert!(has(&hits, "hh-johnson", "hh-johnson"), "{:?}", ids(&hits));
    assert!(has(&hits, "hh-johnson", "hh-johnson-m1"));
    assert!(!hits.iter().any(|h| h.household_id == "hh-smith"));

    // Prefix: "joh" finds Johnson.
    let hits = index.search(&Query::text("joh")).unwrap();
    assert!(
        has(&hits, "hh-johnson", "hh-johnson-m1"),
        "{:?}",
        ids(&hits)
    );
    assert!(hits[0].title_highlights.len() == 1, "{:?}", hits[0]);

    // Phrase: only the note with the words in that order.
    let hits = index
        .search(&Query::text("\"required minimum distribution\""))
        .unwrap();
    assert_eq!(ids(&hits), vec![("hh-johnson".into(), "n2".into())]);
    let hits = index
        .search(&Query::text("\"distribution minimum required\""))
        .unwrap();
    assert!(hits.is_empty());

    // Exact matches rank above fuzzy ones: "rollover" exact in two notes; "rolover" typo
    // finds both as well.
    let hits = index.search(&Query::text("rollover ")).unwrap();
    assert_eq!(hits.len(), 2);
    let hits = index.search(&Query::text("rolover ")).unwrap();
    assert_eq!(hits.len(), 2);

    // Exact above fuzzy: "jones" (distance 1 from "jonas", 2 from johnson → no match as 5 chars).
    let mut h = smith();
    h.members.get_mut("hh-smith-m1").unwrap().name = "Jane Jonas".into();
    let mut j = johnson();
    j.members.get_mut("hh-johnson-m1").unwrap().name = "Robert Jones".into();
    index.index_households([&h, &j]).unwrap();
    let hits = index
        .search(&Query {
            kind: Some(Kind::Member),
            ..Query::text("jones ")
        })
        .unwrap();
    assert_eq!(hits.len(), 2, "{:?}", ids(&hits));
    assert_eq!(hits[0].title, "Robert Jones");
    assert!(hits[0].score > hits[1].score);
}

#[test]
fn snippets_are_highlighted_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path());
    let h = household(
        "hh-x",
        "X",
        "X",
        &[(
            "n1",
            "Client <script> asked about Roth conversion & tax brackets for 2025.",
            "A",
            T0,
        )],
    );
    index.index_household(&h).unwrap();
    let hits = index.search(&Query::text("conversoin")).unwrap();
    assert_eq!(hits.len(), 1);
    let hit = &hits[0];
    assert_eq!(hit.highlights.len(), 1);
    assert_eq!(&hit.snippet[hit.highlights[0].clone()], "conversion");
    assert!(
        hit.snippet_html.contains("<b>conversion</b>"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.snippet_html.contains("&lt;script&gt;"),
        "{}",
        hit.snippet_html
    );
    assert!(hit.snippet_html.contains("&amp;"));
}

#[test]
fn filters() {
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path());
    index.rebuild([&johnson(), &smith()]).unwrap();

    let q = |f: &dyn Fn(&mut Query)| {
        let mut q = Query::text("rollover");
        f(&mut q);
        index.search(&q).unwrap()
    };
    assert_eq!(q(&|_| {}).len(), 2);
    // household
    let hits = q(&|q| q.household = Some("hh-smith".into()));
    assert_eq!(ids(&hits), vec![("hh-smith".into(), "n1".into())]);
    // kind
    assert_eq!(q(&|q| q.kind = Some(Kind::Note)).len(), 2);
    assert!(q(&|q| q.kind = Some(Kind::Member)).is_empty());
    // date range (inclusive)
    let hits = q(&|q| {
        q.from = Some(T0);
        q.to = Some(T0 + DAY);
    });
    assert_eq!(ids(&hits), vec![("hh-johnson".into(), "n1".into())]);
    let hits = q(&|q| q.from = Some(T0 + 2 * DAY));
    assert_eq!(ids(&hits), vec![("hh-smith".into(), "n1".into())]);
    // inverted range and odd limits: empty, no panic
    assert!(
        q(&|q| {
            q.from = Some(T0 + 5 * DAY);
            q.to = Some(T0);
        })
        .is_empty()
    );
    assert_eq!(q(&|q| q.limit = 1).len(), 1);
    assert_eq!(q(&|q| q.limit = usize::MAX).len(), 2);
    // advisor (case-insensitive)
    let hits = index
        .search(&Query {
            advisor: Some("bob planner".into()),
            ..Query::text("ira")
        })
        .unwrap();
    assert_eq!(ids(&hits), vec![("hh-johnson".into(), "n2".into())]);
    // empty text lists by date, newest first
    let hits = index
        .search(&Query {
            kind: Some(Kind::Note),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(hits.len(), 3);
    assert!(hits[0].date >= hits[1].date && hits[1].date >= hits[2].date);
    // facts are indexed
    let hits = index
        .search(&Query::text("risk tolerance moderate"))
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, Kind::Fact);
    // odd syntax never fails
    for text in [
        "\"",
        "(((",
        "AND OR",
        "-",
        "*",
        "\"unbalanced rollover",
        "title:x",
    ] {
        index.search(&Query::text(text)).unwrap();
    }
    assert_eq!(
        index
            .search(&Query::text("\"unbalanced rollover"))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(Kind::Note, "NOTE".parse().unwrap());
    assert!(matches!(
        "bogus".parse::<Kind>(),
        Err(Error::InvalidKind(_))
    ));
}

#[test]
fn incremental_update_remove_and_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path());
    index.index_household(&johnson()).unwrap();
    index.index_household(&smith()).unwrap();
    assert_eq!(index.search(&Query::text("rollover")).unwrap().len(), 2);

    // Edit the Johnson note: old words no longer match, new ones do; no duplicates.
    let mut j = johnson();
    j.notes.get_mut("n1").unwrap().body =
        autosurgeon::Text::with_value("Talked about long-term care insurance premiums.");
    index.index_household(&j).unwrap();
    let hits = index.search(&Query::text("rollover")).unwrap();
    assert_eq!(ids(&hits), vec![("hh-smith".into(), "n1".into())]);
    assert_eq!(index.search(&Query::text("premiums")).unwrap().len(), 1);
    let before = index.num_items();
    index.index_household(&j).unwrap();
    assert_eq!(index.num_items(), before);

    // Remove.
    index.remove_household("hh-johnson").unwrap();
    assert!(index.search(&Query::text("premiums")).unwrap().is_empty());
    assert!(
        index
            .search(&Query {
                household: Some("hh-johnson".into()),
                ..Query::default()
            })
            .unwrap()
            .is_empty()
    );

    // Rebuild replaces everything.
    index.rebuild([&johnson()]).unwrap();
    assert!(
        index
            .search(&Query {
                household: Some("hh-smith".into()),
                ..Query::default()
            })
            .unwrap()
            .is_empty()
    );
    assert_eq!(index.search(&Query::text("rollover")).unwrap().len(), 1);

    // Survives reopening.
    drop(index);
    let index = open(dir.path());
    assert_eq!(index.search(&Query::text("rollover")).unwrap().len(), 1);
    index.verify().unwrap();
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect()
}

fn assert_not_on_disk(dir: &Path, needles: &[&str]) {
    let files = files(dir);
    assert!(files.len() > 3, "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let lower = bytes.to_ascii_lowercase();
        for needle in needles {
            for n in [
                needle.as_bytes().to_vec(),
                needle.to_ascii_lowercase().into_bytes(),
            ] {
                assert!(
                    !lower.windows(n.len()).any(|w| w == n.to_ascii_lowercase()),
                    "{needle:?} found in {f:?}"
                );
            }
        }
    }
}

#[test]
fn no_plaintext_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let index = open(dir.path());
    let mut h = johnson();
    h.notes.get_mut("n1").unwrap().body = autosurgeon::Text::with_value(
        "Zanzibarian quokkafund strategy discussed; see quokkafund memo.",
    );
    h.meetings.insert(
        "m1".into(),
        Meeting {
            title: "Annual review".into(),
            started_at: T0 + 3 * DAY,
            duration_secs: Some(3600),
            participants: vec!["Robert Johnson".into()],
            consent: Some(Consent {
                consented_by: vec!["Robert Johnson".into()],
                recorded_at: T0,
                recorded_by: "Alice Advisor".into(),
                disclosure_version: "1".into(),
                disclosure_text: "ok".into(),
                method: "in_app".into(),
            }),
            transcript: vec![TranscriptSegment {
                start_ms: 0,
                end_ms: 1000,
                speaker: Some("Robert".into()),
                text: "My xylophonic marmalade trust needs rebalancing.".into(),
            }],
            audio: None,
            analysis: None,
            redactions: None,
            accepted: vec![],
            scheduled: false,
            recovered: false,
            audio_notice: None,
        },
    );
    index.index_household(&h).unwrap();
    let needles = [
        "Zanzibarian quokkafund",
        "quokkafund",
        "xylophonic marmalade",
        "xylophonic",
        "Johnson",
        "hh-johnson",
    ];
    assert_not_on_disk(dir.path(), &needles);

    let hits = index.search(&Query::text("xylophonic marmalade")).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, Kind::Transcript);
    assert_eq!(hits[0].advisor, "Alice Advisor");

    drop(index);
    let index = open(dir.path());
    assert_eq!(index.search(&Query::text("quokkafund")).unwrap().len(), 1);
    index.index_household(&smith()).unwrap();
    drop(index);
    assert_not_on_disk(dir.path(), &needles);
}

#[test]
fn wrong_key_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path()).index_household(&johnson()).unwrap();
    let err = Index::open(dir.path(), &SearchKey::from_bytes([1u8; 32])).unwrap_err();
    assert!(matches!(err, Error::WrongKey(_)), "{err:?}");
    assert!(err.to_string().contains("different key"));
    // The right key still works.
    assert_eq!(
        open(dir.path())
            .search(&Query::text("rollover"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn second_writer_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let _index = open(dir.path());
    let err = Index::open(dir.path(), &key()).unwrap_err();
    assert!(matches!(err, Error::Locked), "{err:?}");
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn flipped_byte_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path()).rebuild([&johnson(), &smith()]).unwrap();

    // In every file: verify() reports it, and nothing panics.
    let targets: Vec<_> = files(dir.path())
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        .collect();
    for target in targets {
        let original = std::fs::read(&target).unwrap();
        flip_byte(&target, original.len() / 2 + 30);
        match Index::open(dir.path(), &key()) {
            Ok(index) => {
                let err = index.verify().unwrap_err();
                assert!(matches!(err, Error::Corrupt(_)), "{target:?}: {err:?}");
                // Searching may or may not touch the bad chunk, but must not panic.
                let _ = index.search(&Query::text("rollover"));
            }
            Err(err) => assert!(matches!(err, Error::Corrupt(_)), "{target:?}: {err:?}"),
        }
        std::fs::write(&target, &original).unwrap();
    }

    // meta.json corrupt: opening fails clearly.
    let meta = dir.path().join("meta.json");
    flip_byte(&meta, 40);
    let err = Index::open(dir.path(), &key()).unwrap_err();
    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("meta.json"), "{err}");
}

#[test]
fn truncated_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    open(dir.path()).rebuild([&johnson()]).unwrap();
    let meta = dir.path().join("meta.json");
    let bytes = std::fs::read(&meta).unwrap();
    std::fs::write(&meta, &bytes[..bytes.len() - 5]).unwrap();
    let err = Index::open(dir.path(), &key()).unwrap_err();
    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
    std::fs::write(&meta, &bytes[..10]).unwrap();
    let err = Index::open(dir.path(), &key()).unwrap_err();
    assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
}

/// Control for `no_plaintext_on_disk`: the same scan does find the words in an unencrypted
/// tantivy index, so the scan is meaningful.
#[test]
fn control_plain_index_leaks() {
    use tantivy::schema::{STORED, Schema, TEXT};
    let dir = tempfile::tempdir().unwrap();
    let mut b = Schema::builder();
    let body = b.add_text_field("body", TEXT | STORED);
    let index = tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer
        .add_document(tantivy::doc!(body => "Zanzibarian quokkafund strategy discussed"))
        .unwrap();
    writer.commit().unwrap();
    let found = files(dir.path()).iter().any(|f| {
        let bytes = std::fs::read(f).unwrap();
        bytes.windows(10).any(|w| w == b"quokkafund")
    });
    assert!(found, "a plain index should contain the term");
}
