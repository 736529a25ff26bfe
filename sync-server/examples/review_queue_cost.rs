//! What the review queue costs per household: the relay rebuilds the queue from the households
//! it holds on every request (open the sealed bytes, load the Automerge document, hydrate it,
//! collect flags and compliance notes). This measures everything after the store read for a
//! realistic household: a year of notes, four analysed meetings with 120-segment transcripts.
//!
//! ```sh
//! cargo run --release -p hearth-relay --example review_queue_cost -- [HOUSEHOLDS]
//! ```
//! Prints the per-household time and the projection for the firm size given (default 1,000).

use std::time::Instant;

use hearth_core::automerge::{ActorId, AutoCommit};
use hearth_core::{
    Consent, DocumentId, EditContext, Household, HouseholdStatus, Meeting, NoteCategory,
    TranscriptSegment,
};
use hearth_intel::{Engine, LocalEngine, MeetingContext, Segment, Tone, Transcript};

const LINES: &[(&str, &str)] = &[
    (
        "Paul",
        "Thanks for coming in. Let's look at the portfolio and the income plan.",
    ),
    (
        "Grace",
        "We want to make sure the bond ladder covers the next five years.",
    ),
    ("Paul", "I'll send you the rollover paperwork by Friday."),
    (
        "Grace",
        "I'm upset that the fee was charged twice this quarter.",
    ),
    (
        "Paul",
        "I guarantee you will not lose money in the new fund.",
    ),
    (
        "Grace",
        "Our risk tolerance is moderate; we retire in 2029.",
    ),
];

fn ctx(now_ms: i64) -> EditContext {
    EditContext {
        advisor: "Paul".into(),
        device: "bench".into(),
        now_ms,
        utc_offset_secs: 0,
    }
}

/// One household as the relay would hold it: its saved bytes.
fn household() -> Vec<u8> {
    let t0 = 1_780_000_000_000;
    let actor = ActorId::random();
    let mut h = Household::create(
        DocumentId::random(),
        "The Okafors",
        HouseholdStatus::Client,
        actor,
        &ctx(t0),
    )
    .expect("household")
    .value;
    for n in 0..40 {
        let category = if n % 10 == 0 {
            NoteCategory::Compliance
        } else {
            NoteCategory::Planning
        };
        h.add_note(
            category,
            &format!("Note {n}: {}", LINES[n % LINES.len()].1),
            None,
            &ctx(t0 + n as i64),
        )
        .expect("note");
    }
    for m in 0..4 {
        let segments: Vec<Segment> = (0..120)
            .map(|i| {
                let (speaker, text) = LINES[i % LINES.len()];
                Segment {
                    start_ms: i as u64 * 5000,
                    end_ms: i as u64 * 5000 + 4500,
                    speaker: Some(speaker.into()),
                    text: text.into(),
                }
            })
            .collect();
        let transcript = Transcript { segments };
        let analysis = LocalEngine::new()
            .analyze(
                &transcript,
                &MeetingContext {
                    meeting_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
                    household_name: "The Okafors".into(),
                    advisor_name: "Paul".into(),
                    client_names: vec!["Grace Okafor".into()],
                    greeted: None,
                    tone: Tone::default(),
                },
            )
            .expect("analysis");
        let meeting = Meeting {
            title: format!("Review {m}"),
            started_at: t0 + m,
            duration_secs: Some(600),
            participants: vec!["Grace Okafor".into()],
            consent: Some(Consent {
                consented_by: vec!["Grace Okafor".into()],
                recorded_at: t0,
                recorded_by: "Paul".into(),
                disclosure_version: "2026-1".into(),
                disclosure_text: "We record.".into(),
                method: "in_app".into(),
            }),
            transcript: transcript
                .segments
                .iter()
                .map(|s| TranscriptSegment {
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    speaker: s.speaker.clone(),
                    text: s.text.clone(),
                })
                .collect(),
            audio: Some("deleted".into()),
            analysis: Some(serde_json::to_string(&analysis).expect("json")),
            redactions: None,
            accepted: Vec::new(),
            scheduled: false,
            recovered: false,
            audio_notice: None,
        };
        h.add_meeting(&meeting, &ctx(t0 + 100 + m))
            .expect("meeting");
    }
    h.save()
}

fn main() {
    let firm: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let bytes = household();
    let advisors = hearth_relay::supervision::Advisors::default();
    let rounds = 200;
    let mut items = 0;
    let started = Instant::now();
    for _ in 0..rounds {
        let doc = AutoCommit::load(&bytes).expect("load");
        let data = Household::from_doc(doc)
            .and_then(|h| h.data())
            .expect("household data");
        items = hearth_relay::supervision::household_items("doc", "owner", &advisors, &data).len();
    }
    let per = started.elapsed() / rounds;
    println!(
        "household: {} KiB saved, {items} review items; per household {:.2} ms; a firm of {firm} households: {:.2} s per queue view",
        bytes.len() / 1024,
        per.as_secs_f64() * 1e3,
        per.as_secs_f64() * firm as f64
    );
}
