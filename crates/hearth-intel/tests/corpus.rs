//! Scores the local engine on the labelled corpus in `tests/fixtures/meetings/` and fails
//! below the bars stated in the crate docs. Prints a per-kind table (run with
//! `--nocapture`); set `INTEL_CORPUS_VERBOSE=1` to list every miss and false alarm.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use hearth_intel::{
    Analysis, Engine, LocalEngine, MeetingContext, Owner, Segment, Span, Tone, Transcript,
    content_words,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Fixture {
    id: String,
    split: String,
    meeting_date: NaiveDate,
    household_name: String,
    advisor_name: String,
    client_names: Vec<String>,
    #[serde(default)]
    household_members: Vec<FixtureMember>,
    #[serde(default)]
    participants: Vec<String>,
    segments: Vec<Segment>,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
struct FixtureMember {
    name: String,
    birth_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Expected {
    action_items: Vec<ExpAction>,
    facts: Vec<ExpLabel>,
    flags: Vec<ExpLabel>,
    /// First names the follow-up greets (newer fixtures).
    greeting: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct ExpAction {
    what: String,
    owner: Owner,
    due: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct ExpLabel {
    kind: String,
    segment: usize,
    quote: String,
}

impl ExpLabel {
    fn span(&self, t: &Transcript) -> Span {
        let text = &t.segments[self.segment].text;
        let start = text.find(&self.quote).unwrap_or_else(|| {
            panic!(
                "label quote {:?} not in segment {}",
                self.quote, self.segment
            )
        });
        Span {
            segment: self.segment,
            start,
            end: start + self.quote.len(),
        }
    }
}

/// The written transcripts, then the recognised-speech split (`asr/`: the same meetings
/// spoken by espeak-ng and transcribed by whisper, no speaker labels).
fn load() -> Vec<Fixture> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/meetings");
    let mut paths: Vec<PathBuf> = Vec::new();
    for d in [dir.clone(), dir.join("asr")] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut here: Vec<PathBuf> = entries
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        here.sort();
        paths.extend(here);
    }
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read fixture");
            let mut f: Fixture =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            if f.split == "asr" {
                // Recognised speech does not keep the labels' words verbatim: a fact or flag
                // is matched anywhere in its segment.
                for label in f.expected.facts.iter_mut().chain(&mut f.expected.flags) {
                    let text = &f.segments[label.segment].text;
                    if !text.contains(&label.quote) {
                        label.quote = text.clone();
                    }
                }
            }
            f
        })
        .collect()
}

fn context(f: &Fixture) -> (Transcript, MeetingContext) {
    (
        Transcript {
            segments: f.segments.clone(),
        },
        MeetingContext {
            meeting_date: f.meeting_date,
            household_name: f.household_name.clone(),
            advisor_name: f.advisor_name.clone(),
            client_names: f.client_names.clone(),
            // As the desk does: the adult household members who took part.
            greeted: (!f.household_members.is_empty()).then(|| {
                let members: Vec<hearth_intel::Member> = f
                    .household_members
                    .iter()
                    .map(|m| hearth_intel::Member {
                        name: m.name.clone(),
                        birth_date: m.birth_date,
                        birth_year: None,
                    })
                    .collect();
                hearth_intel::greeting_names(&members, &f.participants, f.meeting_date)
            }),
            tone: Tone::ProfessionalWarm,
        },
    )
}

#[derive(Debug, Default, Clone, Copy)]
struct Score {
    tp_pred: usize,
    pred: usize,
    tp_exp: usize,
    exp: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.pred == 0 {
            1.0
        } else {
            self.tp_pred as f64 / self.pred as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.exp == 0 {
            1.0
        } else {
            self.tp_exp as f64 / self.exp as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, o: Score) {
        self.tp_pred += o.tp_pred;
        self.pred += o.pred;
        self.tp_exp += o.tp_exp;
        self.exp += o.exp;
    }
}

fn text_match(a: &str, b: &str) -> bool {
    let wa = content_words(a);
    let wb = content_words(b);
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    let smaller = wa.len().min(wb.len()).max(1);
    shared >= 1 && shared * 10 >= smaller * 3
}

fn verbose() -> bool {
    std::env::var_os("INTEL_CORPUS_VERBOSE").is_some()
}

/// Of the expected action items some prediction matches by wording: how many it also gives
/// the right owner, and the right due date.
#[derive(Debug, Default, Clone, Copy)]
struct Attribution {
    matched: usize,
    owner_ok: usize,
    due_ok: usize,
}

impl Attribution {
    fn add(&mut self, o: Attribution) {
        self.matched += o.matched;
        self.owner_ok += o.owner_ok;
        self.due_ok += o.due_ok;
    }
    fn owner(&self) -> f64 {
        self.owner_ok as f64 / self.matched.max(1) as f64
    }
    fn due(&self) -> f64 {
        self.due_ok as f64 / self.matched.max(1) as f64
    }
}

fn attribution(f: &Fixture, a: &Analysis) -> Attribution {
    let mut used = vec![false; a.action_items.len()];
    let mut out = Attribution::default();
    for e in &f.expected.action_items {
        // Prefer a prediction that also has the right owner and date, then any by wording.
        let pick = |strict: bool| {
            a.action_items.iter().enumerate().position(|(i, p)| {
                !used[i]
                    && text_match(&p.what, &e.what)
                    && (!strict || (p.owner == e.owner && p.due == e.due))
            })
        };
        if let Some(i) = pick(true).or_else(|| pick(false)) {
            used[i] = true;
            out.matched += 1;
            out.owner_ok += usize::from(a.action_items[i].owner == e.owner);
            out.due_ok += usize::from(a.action_items[i].due == e.due);
        }
    }
    out
}

/// Guarantee and performance-claim flags with no such label: the false alarms an examiner
/// would hold against the firm.
fn false_conduct_flags(f: &Fixture, t: &Transcript, a: &Analysis) -> usize {
    a.flags
        .iter()
        .filter(|x| matches!(x.kind.as_str(), "guarantee" | "performance_claim"))
        .filter(|x| {
            let hit = f
                .expected
                .flags
                .iter()
                .any(|e| e.kind == x.kind.as_str() && e.span(t).overlaps(&x.span));
            if !hit && verbose() {
                println!(
                    "  [{}] FALSE  flag {}: {:?}",
                    f.id,
                    x.kind.as_str(),
                    x.excerpt
                );
            }
            !hit
        })
        .count()
}

/// Whether the follow-up greets exactly the expected first names (or nobody by name).
fn greeting_ok(f: &Fixture, a: &Analysis) -> Option<bool> {
    let expected = f.expected.greeting.as_ref()?;
    let line = a.email.body.lines().next().unwrap_or_default();
    let words: Vec<String> = line
        .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let everyone: Vec<String> = f
        .household_members
        .iter()
        .map(|m| m.name.clone())
        .chain(f.participants.iter().cloned())
        .filter_map(|n| n.split_whitespace().next().map(str::to_string))
        .collect();
    let greeted: Vec<&String> = everyone.iter().filter(|n| words.contains(n)).collect();
    let ok =
        expected.iter().all(|n| words.contains(n)) && greeted.iter().all(|n| expected.contains(n));
    if !ok && verbose() {
        println!("  [{}] GREETING {line:?}, expected {expected:?}", f.id);
    }
    Some(ok)
}

fn score_actions(f: &Fixture, a: &Analysis) -> Score {
    let mut used = vec![false; a.action_items.len()];
    let mut tp = 0;
    for e in &f.expected.action_items {
        let hit = a.action_items.iter().enumerate().find(|(i, p)| {
            !used[*i] && p.owner == e.owner && p.due == e.due && text_match(&p.what, &e.what)
        });
        match hit {
            Some((i, _)) => {
                used[i] = true;
                tp += 1;
            }
            None if verbose() => println!(
                "  [{}] MISSED action {:?} {:?} {:?}",
                f.id, e.owner, e.due, e.what
            ),
            None => {}
        }
    }
    if verbose() {
        for (i, p) in a.action_items.iter().enumerate() {
            if !used[i] {
                println!(
                    "  [{}] EXTRA  action {:?} {:?} {:?}",
                    f.id, p.owner, p.due, p.what
                );
            }
        }
    }
    Score {
        tp_pred: tp,
        pred: a.action_items.len(),
        tp_exp: tp,
        exp: f.expected.action_items.len(),
    }
}

/// Lenient span scoring: a prediction is correct if it overlaps a label of the same kind; a
/// label is found if some prediction of its kind overlaps it.
fn score_spans(
    id: &str,
    what: &str,
    t: &Transcript,
    exp: &[ExpLabel],
    pred: &[(String, Span, String)],
) -> Score {
    let exp_spans: Vec<(String, Span)> = exp.iter().map(|e| (e.kind.clone(), e.span(t))).collect();
    let tp_pred = pred
        .iter()
        .filter(|(k, s, text)| {
            let ok = exp_spans.iter().any(|(ek, es)| ek == k && es.overlaps(s));
            if !ok && verbose() {
                println!("  [{id}] EXTRA  {what} {k}: {text:?}");
            }
            ok
        })
        .count();
    let tp_exp = exp
        .iter()
        .zip(&exp_spans)
        .filter(|(e, (ek, es))| {
            let ok = pred.iter().any(|(k, s, _)| k == ek && es.overlaps(s));
            if !ok && verbose() {
                println!("  [{id}] MISSED {what} {}: {:?}", e.kind, e.quote);
            }
            ok
        })
        .count();
    Score {
        tp_pred,
        pred: pred.len(),
        tp_exp,
        exp: exp.len(),
    }
}

#[test]
fn local_engine_meets_the_bars() {
    let fixtures = load();
    let engine = LocalEngine::new();
    // split -> kind -> score
    let mut table: BTreeMap<(&str, &str), Score> = BTreeMap::new();
    // split -> (attribution, false conduct flags, greetings right, greetings checked)
    let mut extra: BTreeMap<&str, (Attribution, usize, usize, usize)> = BTreeMap::new();
    for f in &fixtures {
        let (t, ctx) = context(f);
        let a = engine.analyze(&t, &ctx).expect("local engine never fails");
        let actions = score_actions(f, &a);
        let facts: Vec<(String, Span, String)> = a
            .facts
            .iter()
            .map(|x| (x.kind.as_str().to_string(), x.span, x.value.clone()))
            .collect();
        let flags: Vec<(String, Span, String)> = a
            .flags
            .iter()
            .map(|x| (x.kind.as_str().to_string(), x.span, x.excerpt.clone()))
            .collect();
        let facts = score_spans(&f.id, "fact", &t, &f.expected.facts, &facts);
        let flags = score_spans(&f.id, "flag", &t, &f.expected.flags, &flags);
        let split: &str = match f.split.as_str() {
            "holdout" => "holdout",
            "holdout2" => "holdout2",
            "asr" => "asr",
            _ => "dev",
        };
        let attributed = attribution(f, &a);
        let false_flags = false_conduct_flags(f, &t, &a);
        let greeting = greeting_ok(f, &a);
        // The recognised-speech split repeats meetings of the others: not in "all".
        let splits: &[&str] = if split == "asr" {
            &["asr"]
        } else {
            &[split, "all"]
        };
        for &s in splits {
            table.entry((s, "action_items")).or_default().add(actions);
            table.entry((s, "facts")).or_default().add(facts);
            table.entry((s, "flags")).or_default().add(flags);
            let e = extra.entry(s).or_default();
            e.0.add(attributed);
            e.1 += false_flags;
            e.2 += usize::from(greeting == Some(true));
            e.3 += usize::from(greeting.is_some());
        }
    }
    println!("\nsplit    kind          labels  predicted  precision  recall  F1");
    for ((split, kind), s) in &table {
        println!(
            "{split:<8} {kind:<13} {:>6}  {:>9}  {:>9.2}  {:>6.2}  {:.2}",
            s.exp,
            s.pred,
            s.precision(),
            s.recall(),
            s.f1()
        );
    }
    println!("\nsplit    owner acc  due acc  false guarantee/performance flags  greetings right");
    for (split, (attr, false_flags, greet_ok, greet_n)) in &extra {
        println!(
            "{split:<8} {:>9.2}  {:>7.2}  {false_flags:>33}  {greet_ok}/{greet_n}",
            attr.owner(),
            attr.due()
        );
    }
    assert!(
        fixtures.len() >= 25,
        "corpus has {} transcripts",
        fixtures.len()
    );
    let get = |split, kind| table.get(&(split, kind)).copied().unwrap_or_default();
    let all_flags = get("all", "flags");
    assert!(
        all_flags.recall() >= 0.80,
        "flag recall {:.2} < 0.80",
        all_flags.recall()
    );
    assert!(
        all_flags.precision() >= 0.70,
        "flag precision {:.2} < 0.70",
        all_flags.precision()
    );
    let all_actions = get("all", "action_items");
    assert!(
        all_actions.f1() >= 0.70,
        "action-item F1 {:.2} < 0.70",
        all_actions.f1()
    );
    let all_facts = get("all", "facts");
    assert!(
        all_facts.f1() >= 0.60,
        "fact F1 {:.2} < 0.60",
        all_facts.f1()
    );
    let hold_flags = get("holdout", "flags");
    assert!(
        hold_flags.recall() >= 0.70,
        "holdout flag recall {:.2} < 0.70",
        hold_flags.recall()
    );
    let hold_actions = get("holdout", "action_items");
    assert!(
        hold_actions.f1() >= 0.60,
        "holdout action-item F1 {:.2} < 0.60",
        hold_actions.f1()
    );
    // The blind holdout of issue 15 (h27-h41). Its goals: action F1 >= 0.85, owner accuracy
    // >= 0.9, due-date accuracy >= 0.85, flag recall >= 0.9, no false guarantee or
    // performance flag. The bars below are what the rules reach now (see the crate docs):
    // the flag, owner, false-flag and greeting goals are met; actions and dates are not yet.
    let blind = get("holdout2", "action_items");
    assert!(
        blind.f1() >= 0.72,
        "blind holdout action F1 {:.2} < 0.72",
        blind.f1()
    );
    let blind_facts = get("holdout2", "facts");
    assert!(
        blind_facts.f1() >= 0.75,
        "blind holdout fact F1 {:.2} < 0.75",
        blind_facts.f1()
    );
    let blind_flags = get("holdout2", "flags");
    assert!(
        blind_flags.recall() >= 0.9,
        "blind holdout flag recall {:.2} < 0.9",
        blind_flags.recall()
    );
    let (attr, _, _, _) = extra.get("holdout2").copied().unwrap_or_default();
    assert!(
        attr.owner() >= 0.9,
        "blind holdout owner accuracy {:.2} < 0.9",
        attr.owner()
    );
    assert!(
        attr.due() >= 0.8,
        "blind holdout due-date accuracy {:.2} < 0.8",
        attr.due()
    );
    // Recognised speech without speaker labels (20 meetings through espeak-ng + whisper):
    // guards at what was measured (action F1 0.51, flag recall 0.70, owner 0.83, due 0.74).
    let asr = fixtures.iter().filter(|f| f.split == "asr").count();
    assert!(asr >= 20, "only {asr} recognised-speech meetings");
    let asr_actions = get("asr", "action_items");
    assert!(
        asr_actions.f1() >= 0.45,
        "recognised speech: action F1 {:.2}",
        asr_actions.f1()
    );
    let asr_flags = get("asr", "flags");
    assert!(
        asr_flags.recall() >= 0.65,
        "recognised speech: flag recall {:.2}",
        asr_flags.recall()
    );
    let (asr_attr, asr_false, asr_greet_ok, asr_greet_n) =
        extra.get("asr").copied().unwrap_or_default();
    assert!(asr_attr.owner() >= 0.75 && asr_attr.due() >= 0.65);
    assert!(
        asr_false <= 1,
        "recognised speech: {asr_false} false conduct flags"
    );
    assert_eq!(asr_greet_ok, asr_greet_n, "recognised speech: greetings");
    for split in ["holdout", "holdout2"] {
        let (_, false_flags, greet_ok, greet_n) = extra.get(split).copied().unwrap_or_default();
        assert_eq!(
            false_flags, 0,
            "false guarantee or performance flags on {split}"
        );
        assert_eq!(
            greet_ok, greet_n,
            "follow-ups greeting the wrong people on {split}"
        );
    }
}

#[test]
fn raw_sensitive_numbers_never_reach_the_analysis() {
    let engine = LocalEngine::new();
    let mut checked = 0;
    // Recognised speech garbles the very digits these labels hold; the written split checks
    // them, and the recogniser's own output is redacted like any transcript.
    for f in load().into_iter().filter(|f| f.split != "asr") {
        let (t, ctx) = context(&f);
        let a = engine.analyze(&t, &ctx).expect("analysis");
        let json = serde_json::to_string(&a).expect("serialize");
        for label in f
            .expected
            .flags
            .iter()
            .filter(|l| l.kind.starts_with("pii_"))
        {
            let digits: String = label.quote.chars().filter(char::is_ascii_digit).collect();
            if digits.len() <= 4 {
                continue; // "card ending in 1004": only the last four were spoken
            }
            let hidden = &digits[..digits.len() - 4];
            let json_digits: String = json
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == ' ')
                .collect();
            assert!(
                !json.contains(&digits),
                "{}: raw {} in analysis",
                f.id,
                label.kind
            );
            assert!(
                !json.contains(label.quote.as_str()),
                "{}: raw quote in analysis",
                f.id
            );
            assert!(
                !json_digits.contains(hidden) || hidden.len() < 5,
                "{}: hidden digits leaked",
                f.id
            );
            let flag = a
                .flags
                .iter()
                .find(|fl| fl.kind.as_str() == label.kind && fl.span.overlaps(&label.span(&t)))
                .unwrap_or_else(|| panic!("{}: no {} flag", f.id, label.kind));
            assert!(flag.redacted, "{}: flag should record the redaction", f.id);
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} PII labels checked");
}

#[test]
fn local_engine_is_deterministic() {
    let engine = LocalEngine::new();
    for f in load().iter().take(5) {
        let (t, ctx) = context(f);
        let a = serde_json::to_string(&engine.analyze(&t, &ctx).expect("a")).expect("json");
        let b = serde_json::to_string(&engine.analyze(&t, &ctx).expect("b")).expect("json");
        assert_eq!(a, b);
    }
}
