//! Scoring an [`Engine`](crate::Engine)'s [`Analysis`] against the labelled meeting corpus
//! (`tests/fixtures/meetings/`): one set of matching rules for every engine, so the rules,
//! the on-device model and an LLM server are compared on the same terms.
//!
//! Matching (see the crate docs): a predicted flag or fact is correct if it overlaps a label
//! of the same kind, and a label is found if some prediction of its kind overlaps it; action
//! items match one-to-one on owner + identical due date (or both undated) + word overlap (at
//! least one shared content word and at least 30 % of the smaller item's content words).
//! Owner and due-date accuracy are measured over the expected items some prediction matches
//! by wording alone.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::email::{Member, greeting_names};
use crate::local::content_words;
use crate::model::{Analysis, MeetingContext, Owner, Segment, Span, Tone, Transcript};

/// Why the corpus could not be read. Each names the file, so the fixture can be mended.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A directory or file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// What was being read.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A fixture is not valid JSON of the fixture shape.
    #[error("{path} is not a labelled meeting: {source}")]
    Parse {
        /// The fixture.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A label cites a segment that does not exist or words that are not in it.
    #[error("{path}: label {kind:?} cites {quote:?}, which is not in segment {segment}")]
    BadLabel {
        /// The fixture.
        path: PathBuf,
        /// The label's kind.
        kind: String,
        /// The segment it cites.
        segment: usize,
        /// The words it cites.
        quote: String,
    },
}

/// One labelled meeting of the corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledMeeting {
    /// File stem, e.g. `h27`.
    pub id: String,
    /// `dev`, `holdout`, `holdout2` … `holdout5` (each written blind, after the one before
    /// it had been used to improve the rules) or `asr` (recognised speech).
    pub split: String,
    meeting_date: NaiveDate,
    household_name: String,
    advisor_name: String,
    client_names: Vec<String>,
    #[serde(default)]
    household_members: Vec<LabelledMember>,
    #[serde(default)]
    participants: Vec<String>,
    segments: Vec<Segment>,
    expected: Expected,
}

#[derive(Debug, Clone, Deserialize)]
struct LabelledMember {
    name: String,
    birth_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize)]
struct Expected {
    action_items: Vec<ExpectedAction>,
    facts: Vec<Label>,
    flags: Vec<Label>,
    /// First names the follow-up greets (newer fixtures).
    greeting: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
struct ExpectedAction {
    what: String,
    owner: Owner,
    due: Option<NaiveDate>,
}

/// A labelled fact or compliance flag: its kind and the words it cites.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// The fact or flag kind (`FactKind::as_str`, `FlagKind::as_str`).
    pub kind: String,
    /// The segment it cites.
    pub segment: usize,
    /// The words it cites (a recognised-speech label: its whole segment).
    pub quote: String,
    /// Where `quote` is, found when the fixture is loaded.
    #[serde(skip, default = "no_span")]
    pub span: Span,
}

fn no_span() -> Span {
    Span {
        segment: 0,
        start: 0,
        end: 0,
    }
}

/// Reads every `*.json` in `dir`, then in `dir/asr` (the same meetings spoken by espeak-ng
/// and transcribed by whisper, no speaker labels), each directory in name order.
pub fn load_corpus(dir: &Path) -> Result<Vec<LabelledMeeting>, EvalError> {
    let mut paths = Vec::new();
    for d in [dir.to_path_buf(), dir.join("asr")] {
        let entries = match std::fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && d != dir => continue,
            Err(source) => return Err(EvalError::Read { path: d, source }),
        };
        let mut here = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| EvalError::Read {
                    path: d.clone(),
                    source,
                })?
                .path();
            if path.extension().is_some_and(|e| e == "json") {
                here.push(path);
            }
        }
        here.sort();
        paths.extend(here);
    }
    paths.iter().map(|p| load_meeting(p)).collect()
}

fn load_meeting(path: &Path) -> Result<LabelledMeeting, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut m: LabelledMeeting =
        serde_json::from_str(&text).map_err(|source| EvalError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
    let recognised = m.split == "asr";
    for label in m.expected.facts.iter_mut().chain(&mut m.expected.flags) {
        let bad = || EvalError::BadLabel {
            path: path.to_path_buf(),
            kind: label.kind.clone(),
            segment: label.segment,
            quote: label.quote.clone(),
        };
        let text = &m.segments.get(label.segment).ok_or_else(bad)?.text;
        let start = match text.find(&label.quote) {
            Some(start) => start,
            // Recognised speech does not keep the labels' words verbatim: a fact or flag is
            // matched anywhere in its segment.
            None if recognised => {
                label.quote = text.clone();
                0
            }
            None => return Err(bad()),
        };
        label.span = Span {
            segment: label.segment,
            start,
            end: start + label.quote.len(),
        };
    }
    Ok(m)
}

impl LabelledMeeting {
    /// The transcript and meeting context an engine is given, as the desk builds them (the
    /// greeting from the adult household members who took part).
    pub fn input(&self) -> (Transcript, MeetingContext) {
        let greeted = (!self.household_members.is_empty()).then(|| {
            let members: Vec<Member> = self
                .household_members
                .iter()
                .map(|m| Member {
                    name: m.name.clone(),
                    birth_date: m.birth_date,
                    birth_year: None,
                })
                .collect();
            greeting_names(&members, &self.participants, self.meeting_date)
        });
        (
            Transcript {
                segments: self.segments.clone(),
            },
            MeetingContext {
                meeting_date: self.meeting_date,
                household_name: self.household_name.clone(),
                advisor_name: self.advisor_name.clone(),
                client_names: self.client_names.clone(),
                greeted,
                tone: Tone::ProfessionalWarm,
            },
        )
    }

    /// The labelled compliance flags.
    pub fn flag_labels(&self) -> &[Label] {
        &self.expected.flags
    }

    /// Scores `analysis` (of this meeting) against the labels.
    pub fn score(&self, analysis: &Analysis) -> MeetingScore {
        let mut misses = Vec::new();
        let actions = self.score_actions(analysis, &mut misses);
        let facts: Vec<(&str, Span, &str)> = analysis
            .facts
            .iter()
            .map(|x| (x.kind.as_str(), x.span, x.value.as_str()))
            .collect();
        let flags: Vec<(&str, Span, &str)> = analysis
            .flags
            .iter()
            .map(|x| (x.kind.as_str(), x.span, x.excerpt.as_str()))
            .collect();
        let facts = score_spans(&self.id, "fact", &self.expected.facts, &facts, &mut misses);
        let flags = score_spans(&self.id, "flag", &self.expected.flags, &flags, &mut misses);
        MeetingScore {
            actions,
            facts,
            flags,
            attribution: self.attribution(analysis),
            false_conduct_flags: self.false_conduct_flags(analysis, &mut misses),
            greeting: self.greeting_ok(analysis, &mut misses),
            misses,
        }
    }

    fn score_actions(&self, a: &Analysis, misses: &mut Vec<String>) -> Score {
        let mut used = vec![false; a.action_items.len()];
        let mut tp = 0;
        for e in &self.expected.action_items {
            let hit = a.action_items.iter().enumerate().position(|(i, p)| {
                !used[i] && p.owner == e.owner && p.due == e.due && text_match(&p.what, &e.what)
            });
            match hit {
                Some(i) => {
                    used[i] = true;
                    tp += 1;
                }
                None => misses.push(format!(
                    "[{}] MISSED action {:?} {:?} {:?}",
                    self.id, e.owner, e.due, e.what
                )),
            }
        }
        for (i, p) in a.action_items.iter().enumerate() {
            if !used[i] {
                misses.push(format!(
                    "[{}] EXTRA  action {:?} {:?} {:?}",
                    self.id, p.owner, p.due, p.what
                ));
            }
        }
        Score {
            tp_pred: tp,
            pred: a.action_items.len(),
            tp_exp: tp,
            exp: self.expected.action_items.len(),
        }
    }

    fn attribution(&self, a: &Analysis) -> Attribution {
        let mut used = vec![false; a.action_items.len()];
        let mut out = Attribution::default();
        for e in &self.expected.action_items {
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

    /// Guarantee and performance-claim flags with no such label: the false alarms an
    /// examiner would hold against the firm.
    fn false_conduct_flags(&self, a: &Analysis, misses: &mut Vec<String>) -> usize {
        a.flags
            .iter()
            .filter(|x| matches!(x.kind.as_str(), "guarantee" | "performance_claim"))
            .filter(|x| {
                let hit = self
                    .expected
                    .flags
                    .iter()
                    .any(|e| e.kind == x.kind.as_str() && e.span.overlaps(&x.span));
                if !hit {
                    misses.push(format!(
                        "[{}] FALSE  flag {}: {:?}",
                        self.id,
                        x.kind.as_str(),
                        x.excerpt
                    ));
                }
                !hit
            })
            .count()
    }

    /// Whether the follow-up greets exactly the expected first names (or nobody by name).
    fn greeting_ok(&self, a: &Analysis, misses: &mut Vec<String>) -> Option<bool> {
        let expected = self.expected.greeting.as_ref()?;
        let line = a.email.body.lines().next().unwrap_or_default();
        let words: Vec<&str> = line
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
            .filter(|w| !w.is_empty())
            .collect();
        let everyone: Vec<&str> = self
            .household_members
            .iter()
            .map(|m| m.name.as_str())
            .chain(self.participants.iter().map(String::as_str))
            .filter_map(|n| n.split_whitespace().next())
            .collect();
        let ok = expected.iter().all(|n| words.contains(&n.as_str()))
            && everyone
                .iter()
                .filter(|n| words.contains(n))
                .all(|n| expected.iter().any(|e| e == n));
        if !ok {
            misses.push(format!(
                "[{}] GREETING {line:?}, expected {expected:?}",
                self.id
            ));
        }
        Some(ok)
    }
}

fn text_match(a: &str, b: &str) -> bool {
    let wa = content_words(a);
    let wb = content_words(b);
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    let smaller = wa.len().min(wb.len()).max(1);
    shared >= 1 && shared * 10 >= smaller * 3
}

/// Lenient span scoring: a prediction is correct if it overlaps a label of the same kind; a
/// label is found if some prediction of its kind overlaps it.
fn score_spans(
    id: &str,
    what: &str,
    labels: &[Label],
    predicted: &[(&str, Span, &str)],
    misses: &mut Vec<String>,
) -> Score {
    let tp_pred = predicted
        .iter()
        .filter(|(kind, span, text)| {
            let ok = labels
                .iter()
                .any(|l| l.kind == *kind && l.span.overlaps(span));
            if !ok {
                misses.push(format!("[{id}] EXTRA  {what} {kind}: {text:?}"));
            }
            ok
        })
        .count();
    let tp_exp = labels
        .iter()
        .filter(|l| {
            let ok = predicted
                .iter()
                .any(|(kind, span, _)| l.kind == *kind && l.span.overlaps(span));
            if !ok {
                misses.push(format!("[{id}] MISSED {what} {}: {:?}", l.kind, l.quote));
            }
            ok
        })
        .count();
    Score {
        tp_pred,
        pred: predicted.len(),
        tp_exp,
        exp: labels.len(),
    }
}

/// Counts behind precision and recall.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    /// Predictions that match a label.
    pub tp_pred: usize,
    /// Predictions.
    pub pred: usize,
    /// Labels some prediction matches.
    pub tp_exp: usize,
    /// Labels.
    pub exp: usize,
}

impl Score {
    /// Correct predictions over predictions (1 with none).
    pub fn precision(&self) -> f64 {
        if self.pred == 0 {
            1.0
        } else {
            self.tp_pred as f64 / self.pred as f64
        }
    }

    /// Labels found over labels (1 with none).
    pub fn recall(&self) -> f64 {
        if self.exp == 0 {
            1.0
        } else {
            self.tp_exp as f64 / self.exp as f64
        }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
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

/// Of the expected action items some prediction matches by wording: how many it also gives
/// the right owner, and the right due date.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    /// Expected items matched by wording.
    pub matched: usize,
    /// Of those, with the right owner.
    pub owner_ok: usize,
    /// Of those, with the right due date (or both undated).
    pub due_ok: usize,
}

impl Attribution {
    fn add(&mut self, o: Attribution) {
        self.matched += o.matched;
        self.owner_ok += o.owner_ok;
        self.due_ok += o.due_ok;
    }

    /// Owner accuracy.
    pub fn owner(&self) -> f64 {
        self.owner_ok as f64 / self.matched.max(1) as f64
    }

    /// Due-date accuracy.
    pub fn due(&self) -> f64 {
        self.due_ok as f64 / self.matched.max(1) as f64
    }
}

/// How one analysis of one meeting scored.
#[derive(Debug, Clone, Default)]
pub struct MeetingScore {
    /// Action items (owner, date and wording must match).
    pub actions: Score,
    /// Client facts.
    pub facts: Score,
    /// Compliance flags.
    pub flags: Score,
    /// Owner and due-date accuracy.
    pub attribution: Attribution,
    /// Guarantee or performance-claim flags nobody labelled.
    pub false_conduct_flags: usize,
    /// Whether the follow-up greets the right people (`None`: not labelled).
    pub greeting: Option<bool>,
    /// Every miss and false alarm, one line each, for reading.
    pub misses: Vec<String>,
}

/// Scores summed over meetings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    /// Meetings.
    pub meetings: usize,
    /// Action items.
    pub actions: Score,
    /// Client facts.
    pub facts: Score,
    /// Compliance flags.
    pub flags: Score,
    /// Owner and due-date accuracy.
    pub attribution: Attribution,
    /// False guarantee or performance-claim flags.
    pub false_conduct_flags: usize,
    /// Follow-ups greeting the right people.
    pub greetings_right: usize,
    /// Follow-ups whose greeting is labelled.
    pub greetings_checked: usize,
}

impl Totals {
    /// Adds one meeting's score.
    pub fn add(&mut self, s: &MeetingScore) {
        self.meetings += 1;
        self.actions.add(s.actions);
        self.facts.add(s.facts);
        self.flags.add(s.flags);
        self.attribution.add(s.attribution);
        self.false_conduct_flags += s.false_conduct_flags;
        self.greetings_right += usize::from(s.greeting == Some(true));
        self.greetings_checked += usize::from(s.greeting.is_some());
    }
}

/// Totals per split (and `all`: every split but `asr`, whose meetings repeat the others').
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Split name → totals.
    pub splits: BTreeMap<String, Totals>,
}

impl Report {
    /// Adds a meeting's score under its split (and `all`).
    pub fn add(&mut self, meeting: &LabelledMeeting, score: &MeetingScore) {
        let split = match meeting.split.as_str() {
            s if s.starts_with("holdout") || s == "asr" => s,
            _ => "dev",
        };
        self.splits.entry(split.to_string()).or_default().add(score);
        if split != "asr" {
            self.splits.entry("all".to_string()).or_default().add(score);
        }
    }

    /// The totals of `split` (empty if no meeting of it was scored).
    pub fn split(&self, split: &str) -> Totals {
        self.splits.get(split).copied().unwrap_or_default()
    }
}

impl fmt::Display for Report {
    /// One row per split: action P / R / F1, owner and due accuracy, facts F1, flags P / R,
    /// false conduct flags, greetings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "split     n   actions P / R / F1   owner  due   facts F1  flags P / R  false  greetings"
        )?;
        for (name, t) in &self.splits {
            writeln!(
                f,
                "{name:<8} {:>2}   {:.2} / {:.2} / {:.2}   {:.2}   {:.2}  {:.2}      {:.2} / {:.2}  {:>5}  {}/{}",
                t.meetings,
                t.actions.precision(),
                t.actions.recall(),
                t.actions.f1(),
                t.attribution.owner(),
                t.attribution.due(),
                t.facts.f1(),
                t.flags.precision(),
                t.flags.recall(),
                t.false_conduct_flags,
                t.greetings_right,
                t.greetings_checked,
            )?;
        }
        Ok(())
    }
}
