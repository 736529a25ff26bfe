//! Scores the local engine on the labelled corpus in `tests/fixtures/meetings/` and fails
//! below the bars stated in the crate docs. Prints a per-split table (run with
//! `--nocapture`); set `INTEL_CORPUS_VERBOSE=1` to list every miss and false alarm. The
//! scoring is `hearth_intel::eval`, shared with the per-engine report.

use std::path::PathBuf;

use hearth_intel::eval::{LabelledMeeting, Report, load_corpus};
use hearth_intel::{Engine, LocalEngine};

fn load() -> Vec<LabelledMeeting> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/meetings");
    load_corpus(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn local_engine_meets_the_bars() {
    let fixtures = load();
    let engine = LocalEngine::new();
    let verbose = std::env::var_os("INTEL_CORPUS_VERBOSE").is_some();
    let mut report = Report::default();
    for f in &fixtures {
        let (t, ctx) = f.input();
        let a = engine.analyze(&t, &ctx).expect("local engine never fails");
        let score = f.score(&a);
        if verbose {
            for line in &score.misses {
                println!("  {line}");
            }
        }
        report.add(f, &score);
    }
    println!("\n{report}");
    assert!(
        fixtures.len() >= 25,
        "corpus has {} transcripts",
        fixtures.len()
    );
    let all_flags = report.split("all").flags;
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
    let all_actions = report.split("all").actions;
    assert!(
        all_actions.f1() >= 0.70,
        "action-item F1 {:.2} < 0.70",
        all_actions.f1()
    );
    let all_facts = report.split("all").facts;
    assert!(
        all_facts.f1() >= 0.60,
        "fact F1 {:.2} < 0.60",
        all_facts.f1()
    );
    let hold_flags = report.split("holdout").flags;
    assert!(
        hold_flags.recall() >= 0.70,
        "holdout flag recall {:.2} < 0.70",
        hold_flags.recall()
    );
    let hold_actions = report.split("holdout").actions;
    assert!(
        hold_actions.f1() >= 0.60,
        "holdout action-item F1 {:.2} < 0.60",
        hold_actions.f1()
    );
    // Issue 15's goals for meetings the rules were not written against: action F1 >= 0.85,
    // owner accuracy >= 0.9, due-date accuracy >= 0.85, flag recall >= 0.9, no false
    // guarantee or performance flag. h27-h41 (holdout2), h61-h75 (holdout3), h76-h90
    // (holdout4) and h91-h105 (holdout5) were each written blind and measured once before
    // the rules saw them (the crate docs keep those first numbers); the rules were then
    // improved on them, so here they guard against regressions at the goals.
    for split in ["holdout2", "holdout3", "holdout4", "holdout5"] {
        let totals = report.split(split);
        assert!(
            totals.actions.f1() >= 0.85,
            "{split}: action F1 {:.2} < 0.85",
            totals.actions.f1()
        );
        assert!(
            totals.attribution.owner() >= 0.9,
            "{split}: owner accuracy {:.2} < 0.9",
            totals.attribution.owner()
        );
        assert!(
            totals.attribution.due() >= 0.85,
            "{split}: due-date accuracy {:.2} < 0.85",
            totals.attribution.due()
        );
        assert!(
            totals.flags.recall() >= 0.9,
            "{split}: flag recall {:.2} < 0.9",
            totals.flags.recall()
        );
    }
    // h76-h90 (holdout4) and h91-h105 (holdout5) were each written blind after a round and
    // measured once (action F1 0.69 and 0.67; crate docs); the next round was done on them,
    // so they join the guards above. h106-h120 (holdout6), blind after the fifth round (first
    // run 0.58), had the sixth round done on it (0.70); h121-h135 (holdout7), blind after the
    // sixth, is the estimate for unseen meetings (first run 0.69, owner 0.91, due 0.90; crate
    // docs). Both guard at those runs; the flag bars hold since the fixes that followed them.
    for (split, f1, owner, due) in [("holdout6", 0.68, 0.9, 0.9), ("holdout7", 0.67, 0.9, 0.88)] {
        let totals = report.split(split);
        assert!(
            totals.actions.f1() >= f1,
            "{split}: action F1 {:.2} < {f1}",
            totals.actions.f1()
        );
        assert!(
            totals.attribution.owner() >= owner && totals.attribution.due() >= due,
            "{split}: owner {:.2}, due {:.2}",
            totals.attribution.owner(),
            totals.attribution.due()
        );
        assert!(
            totals.flags.recall() >= 0.9,
            "{split}: flag recall {:.2} < 0.9",
            totals.flags.recall()
        );
    }
    let facts2 = report.split("holdout2").facts;
    assert!(
        facts2.f1() >= 0.75,
        "holdout2 fact F1 {:.2} < 0.75",
        facts2.f1()
    );
    // Recognised speech without speaker labels (20 meetings through espeak-ng + whisper):
    // guards at what was measured (action F1 0.51, flag recall 0.70, owner 0.83, due 0.74).
    let asr = fixtures.iter().filter(|f| f.split == "asr").count();
    assert!(asr >= 20, "only {asr} recognised-speech meetings");
    let asr_actions = report.split("asr").actions;
    assert!(
        asr_actions.f1() >= 0.45,
        "recognised speech: action F1 {:.2}",
        asr_actions.f1()
    );
    let asr_flags = report.split("asr").flags;
    assert!(
        asr_flags.recall() >= 0.65,
        "recognised speech: flag recall {:.2}",
        asr_flags.recall()
    );
    let asr_totals = report.split("asr");
    let asr_attr = asr_totals.attribution;
    assert!(asr_attr.owner() >= 0.75 && asr_attr.due() >= 0.65);
    let asr_false = asr_totals.false_conduct_flags;
    assert!(
        asr_false <= 1,
        "recognised speech: {asr_false} false conduct flags"
    );
    assert_eq!(
        asr_totals.greetings_right, asr_totals.greetings_checked,
        "recognised speech: greetings"
    );
    for split in [
        "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7",
    ] {
        let totals = report.split(split);
        assert_eq!(
            totals.false_conduct_flags, 0,
            "false guarantee or performance flags on {split}"
        );
        assert_eq!(
            totals.greetings_right, totals.greetings_checked,
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
        let (t, ctx) = f.input();
        let a = engine.analyze(&t, &ctx).expect("analysis");
        let json = serde_json::to_string(&a).expect("serialize");
        for label in f
            .flag_labels()
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
                .find(|fl| fl.kind.as_str() == label.kind && fl.span.overlaps(&label.span))
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
        let (t, ctx) = f.input();
        let a = serde_json::to_string(&engine.analyze(&t, &ctx).expect("a")).expect("json");
        let b = serde_json::to_string(&engine.analyze(&t, &ctx).expect("b")).expect("json");
        assert_eq!(a, b);
    }
}
