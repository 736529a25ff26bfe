//! `hearth meeting ...` and `hearth llm ...`: the meeting workflow from the command line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use hearth_intel::llm::LlmSettings;
use hearth_intel::{ApiKey, FallbackEngine, Tone};
use hearth_profile::Profile;
use serde_json::json;

use crate::{JsonFlag, print_json};

#[derive(Subcommand)]
pub enum MeetingCmd {
    /// Put a meeting on a household's calendar (Today lists it; `hearth brief` prepares it).
    Schedule {
        /// Household id.
        household: String,
        #[arg(long, default_value = "Review meeting")]
        title: String,
        /// When, local time: "YYYY-MM-DD HH:MM" (or YYYY-MM-DDTHH:MM).
        #[arg(long)]
        at: String,
    },
    /// Add a meeting from a transcript made elsewhere (JSON segments or "Speaker: words" lines);
    /// you attest who consented to the recording.
    ImportTranscript {
        /// Household id.
        household: String,
        /// Transcript file.
        file: PathBuf,
        /// Everyone who consented, comma-separated.
        #[arg(long, value_delimiter = ',')]
        consent_by: Vec<String>,
        #[arg(long, default_value = "Meeting")]
        title: String,
        /// Meeting date, YYYY-MM-DD (default: today); relative due dates resolve from it.
        #[arg(long)]
        date: Option<String>,
    },
    /// Import a recording made elsewhere (WAV, MP3, M4A/AAC, FLAC, OGG): you attest who
    /// consented; the audio is kept encrypted in the profile per the retention policy and
    /// transcribed on this computer.
    Import {
        /// Household id.
        household: String,
        /// The recording.
        audio: PathBuf,
        /// Everyone who consented, comma-separated.
        #[arg(long, value_delimiter = ',')]
        consent_by: Vec<String>,
        /// Everyone who took part (all-party consent checks them), comma-separated.
        #[arg(long, value_delimiter = ',')]
        participants: Vec<String>,
        #[arg(long, default_value = "Meeting")]
        title: String,
        /// Meeting date, YYYY-MM-DD (default: today).
        #[arg(long)]
        date: Option<String>,
        /// Model name or ggml path (default: tiny.en).
        #[arg(long)]
        model: Option<String>,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Record a meeting from an input device, with a level meter and live transcript.
    /// Consent is recorded in the household before capture starts.
    Record {
        /// Household id.
        household: String,
        /// Everyone who consented, comma-separated.
        #[arg(long, value_delimiter = ',')]
        consent_by: Vec<String>,
        /// Everyone taking part (all-party consent checks them), comma-separated.
        #[arg(long, value_delimiter = ',')]
        participants: Vec<String>,
        /// Microphone id or name (`hearth audio devices`; default: the system default).
        #[arg(long, alias = "device")]
        mic: Option<String>,
        /// System-audio source for the other side of a call (`hearth audio devices`;
        /// default: the default output's, where this computer can record it).
        #[arg(long, conflicts_with = "no_system")]
        system: Option<String>,
        /// Record the microphone only (a meeting in the room).
        #[arg(long)]
        no_system: bool,
        /// Stop after this many seconds of audio (default: when Enter is pressed).
        #[arg(long)]
        seconds: Option<f64>,
        /// Seconds the other side's live text may fall behind before it is left for after
        /// the meeting (default 30; the meeting then says so).
        #[arg(long, value_name = "SECS")]
        live_lag_limit: Option<u64>,
        #[arg(long, default_value = "Meeting")]
        title: String,
        /// Model name or ggml path (default: tiny.en).
        #[arg(long)]
        model: Option<String>,
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// Transcribe recordings interrupted by a crash, a kill or a dead battery: what was
    /// sealed up to the last whole second, keeping the consent record; the meeting is marked
    /// recovered and the retention policy applied. Recordings still going on are left alone.
    Recover {
        /// Only this meeting (default: every interrupted recording).
        meeting: Option<String>,
        /// Model name or ggml path (default: tiny.en).
        #[arg(long)]
        model: Option<String>,
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Correct who spoke: every segment labelled OLD (`?` for unlabelled ones), optionally
    /// only in --segments A-B, becomes NEW; an analysed meeting is analysed again with the
    /// new labels (owners of action items follow the speakers).
    Relabel {
        meeting: String,
        /// OLD=NEW, e.g. `?=Ada Okafor` or `Client=Ben Okafor`.
        #[arg(long, value_parser = parse_relabel)]
        speaker: (String, String),
        /// Only these segments (0-based, inclusive), e.g. `12-30`.
        #[arg(long, value_parser = parse_segments)]
        segments: Option<std::ops::RangeInclusive<usize>>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// List a household's meetings.
    List {
        household: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Show a meeting: consent, transcript, review state.
    Show {
        meeting: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Suggest notes, action items, facts, compliance flags and a follow-up draft.
    Analyze {
        meeting: String,
        #[arg(long, value_enum, default_value_t = EngineChoice::Auto)]
        engine: EngineChoice,
        #[arg(long, value_enum, default_value_t = ToneChoice::ProfessionalWarm)]
        tone: ToneChoice,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Change a suggestion before filing it: action:N (--text, --owner, --due), note:N or
    /// fact:N (--text), email (--subject, --text). The change is kept with the meeting.
    Revise {
        meeting: String,
        /// action:N, note:N, fact:N or email.
        item: String,
        /// New wording (action item), text (note, e-mail body) or value (fact).
        #[arg(long)]
        text: Option<String>,
        /// advisor or client.
        #[arg(long)]
        owner: Option<String>,
        /// YYYY-MM-DD, or none.
        #[arg(long)]
        due: Option<String>,
        /// The e-mail's subject.
        #[arg(long)]
        subject: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// File suggestions: action:N, fact:N, note:N (certifies that note), notes (every note)
    /// or all.
    Accept {
        meeting: String,
        #[arg(required = true)]
        items: Vec<String>,
    },
    /// Write the transcript as WebVTT.
    ExportVtt { meeting: String, out: PathBuf },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EngineChoice {
    /// The language model on this computer when one is installed (and the firm allows it),
    /// else the offline rules.
    Auto,
    /// The language model on this computer (`hearth models fetch smollm2-135m`); the rules
    /// if it fails, with the reason.
    OnDevice,
    /// Offline rules (always available).
    Local,
    /// The configured LLM (`hearth llm set`), falling back to local.
    Llm,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ToneChoice {
    ProfessionalWarm,
    Formal,
    Conversational,
}

#[derive(Subcommand)]
pub enum LlmCmd {
    /// Configure the optional LLM engine for this firm's profile (off until --enable).
    Set {
        #[arg(long, value_enum)]
        provider: ProviderChoice,
        /// Base URL, e.g. http://127.0.0.1:11434 (Ollama) or https://api.anthropic.com
        #[arg(long)]
        base_url: String,
        #[arg(long)]
        model: String,
        /// Allow sending redacted transcripts to it.
        #[arg(long)]
        enable: bool,
    },
    /// Turn the LLM engine off.
    Disable,
    /// Store the API key in the OS keyring (read from HEARTH_LLM_API_KEY or a prompt).
    Key,
    /// Show the configuration (never the key).
    Show(JsonFlag),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ProviderChoice {
    Openai,
    Anthropic,
}

fn llm_key_account(profile: &Profile) -> String {
    hearth_intel::llm::key_account(profile.profile_id())
}

fn parse_relabel(s: &str) -> Result<(String, String), String> {
    let (old, new) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}' is not OLD=NEW (e.g. ?=Ada Okafor)"))?;
    Ok((old.trim().to_string(), new.trim().to_string()))
}

fn parse_segments(s: &str) -> Result<std::ops::RangeInclusive<usize>, String> {
    let bad = || format!("'{s}' is not a segment range like 12-30 (or 7)");
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (usize, usize) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if a > b {
        return Err(bad());
    }
    Ok(a..=b)
}

/// The on-device engine, when a language model is installed and the firm allows it.
fn on_device(profile: &Profile, required: bool) -> Result<Option<hearth_intel::OnDeviceEngine>> {
    if !profile.on_device_model_allowed()? {
        if required {
            bail!("the firm's policy allows the offline rules only (hearth relay policy)");
        }
        return Ok(None);
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get().min(4) as u32)
        .unwrap_or(2);
    match hearth_llm::installed_engine(threads) {
        Ok(Some(engine)) => Ok(Some(engine)),
        Ok(None) if required => {
            bail!("no language model is installed; run `hearth models fetch smollm2-135m`")
        }
        Ok(None) => Ok(None),
        Err(e) if required => Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "the on-device model cannot be used; using the rules");
            Ok(None)
        }
    }
}

fn engine(profile: &Profile, choice: EngineChoice) -> Result<FallbackEngine> {
    match choice {
        EngineChoice::Local => return Ok(FallbackEngine::local_only()),
        EngineChoice::Auto | EngineChoice::OnDevice => {
            let on_device = on_device(profile, matches!(choice, EngineChoice::OnDevice))?;
            let engine = FallbackEngine::local_only();
            return Ok(match on_device {
                Some(d) => engine.with_on_device(d),
                None => engine,
            });
        }
        EngineChoice::Llm => {}
    }
    let settings = profile.llm_settings()?;
    if settings.base_url.is_empty() {
        bail!(
            "no LLM is configured; run `hearth llm set --provider ... --base-url ... --model ... --enable`"
        );
    }
    profile.check_llm_provider(&settings.provider)?;
    let key = match std::env::var("HEARTH_LLM_API_KEY") {
        Ok(k) => Some(ApiKey::new(k)),
        Err(_) => hearth_secrets::keyring_load(&llm_key_account(profile))
            .ok()
            .and_then(|k| String::from_utf8(k.to_vec()).ok())
            .map(ApiKey::new),
    };
    Ok(FallbackEngine::from_config(settings.config(), key))
}

pub fn llm(profile: &mut Profile, cmd: LlmCmd) -> Result<()> {
    match cmd {
        LlmCmd::Set {
            provider,
            base_url,
            model,
            enable,
        } => {
            let provider = match provider {
                ProviderChoice::Openai => "openai",
                ProviderChoice::Anthropic => "anthropic",
            };
            let settings = LlmSettings {
                enabled: enable,
                provider: provider.to_string(),
                base_url,
                model: model.clone(),
            };
            profile.set_llm_settings(&settings)?;
            println!(
                "LLM engine {} ({provider}, {model}).",
                if enable {
                    "enabled"
                } else {
                    "configured but off"
                }
            );
        }
        LlmCmd::Disable => {
            let settings = LlmSettings {
                enabled: false,
                ..profile.llm_settings()?
            };
            profile.set_llm_settings(&settings)?;
            println!("LLM engine off: nothing leaves this laptop.");
        }
        LlmCmd::Key => {
            let key = match std::env::var("HEARTH_LLM_API_KEY") {
                Ok(k) => k,
                Err(_) => rpassword::prompt_password("LLM API key: ").context("reading the key")?,
            };
            hearth_secrets::keyring_store(&llm_key_account(profile), key.trim().as_bytes())?;
            println!("Stored the API key in the OS keyring.");
        }
        LlmCmd::Show(json) => {
            let settings = profile.llm_settings()?;
            if json.json {
                print_json(&settings)?;
            } else {
                println!("{}", serde_json::to_string(&settings)?);
            }
        }
    }
    Ok(())
}

pub fn meeting(profile: &mut Profile, cmd: MeetingCmd) -> Result<()> {
    match cmd {
        MeetingCmd::ImportTranscript {
            household,
            file,
            consent_by,
            title,
            date,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let transcript = hearth_profile::parse_transcript(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let started_at = match date {
                Some(d) => {
                    hearth_core::check_date(&d)?;
                    chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")?
                        .and_hms_opt(9, 0, 0)
                        .map(|t| t.and_utc().timestamp_millis())
                        .unwrap_or_default()
                }
                None => chrono::Utc::now().timestamp_millis(),
            };
            let id = profile.import_transcript(
                &household,
                &title,
                started_at,
                &transcript,
                &consent_by,
            )?;
            println!("{id}");
        }
        MeetingCmd::Import {
            household,
            audio,
            consent_by,
            participants,
            title,
            date,
            model,
            threads,
        } => {
            let started_at_ms = match date {
                Some(d) => meeting_date(&d)?,
                None => chrono::Utc::now().timestamp_millis(),
            };
            crate::media::import(
                profile,
                crate::media::MeetingAudio {
                    household,
                    title,
                    started_at_ms,
                    consent_by,
                    participants,
                    model,
                    threads,
                },
                audio,
            )?;
        }
        MeetingCmd::Record {
            household,
            consent_by,
            participants,
            mic,
            system,
            no_system,
            seconds,
            live_lag_limit,
            title,
            model,
            threads,
        } => {
            let system = match (system, no_system) {
                (_, true) => hearth_recording::SystemAudio::Off,
                (Some(device), false) => hearth_recording::SystemAudio::Device(device),
                (None, false) => hearth_recording::SystemAudio::Auto,
            };
            crate::media::record(
                profile,
                crate::media::MeetingAudio {
                    household,
                    title,
                    started_at_ms: chrono::Utc::now().timestamp_millis(),
                    consent_by,
                    participants,
                    model,
                    threads,
                },
                hearth_recording::RecordOptions {
                    device: mic,
                    system,
                    max_secs: seconds,
                    live_lag_limit: live_lag_limit.map(std::time::Duration::from_secs),
                },
            )?;
        }
        MeetingCmd::Recover {
            meeting,
            model,
            threads,
            json,
        } => crate::media::recover(profile, meeting, model, threads, json.json)?,
        MeetingCmd::Relabel {
            meeting,
            speaker: (old, new),
            segments,
            json,
        } => {
            let changed = profile.relabel_speakers(&meeting, &old, &new, segments)?;
            let analysed =
                changed > 0 && profile.find_meeting(&meeting)?.meeting.analysis.is_some();
            let outcome = if analysed {
                let engine = engine(profile, EngineChoice::Auto)?;
                Some(profile.analyze_meeting(&meeting, &engine, Tone::ProfessionalWarm)?)
            } else {
                None
            };
            if json.json {
                print_json(&json!({
                    "relabelled": changed,
                    "reanalysed": outcome.is_some(),
                    "analysis": outcome.as_ref().map(|o| &o.analysis),
                }))?;
            } else if changed == 0 {
                println!("No segment labelled '{old}' there; nothing changed.");
            } else {
                println!("Relabelled {changed} segments '{old}' → '{new}'.");
                if let Some(outcome) = &outcome {
                    render_analysis(outcome);
                }
            }
        }
        MeetingCmd::Schedule {
            household,
            title,
            at,
        } => {
            let when = chrono::NaiveDateTime::parse_from_str(&at.replace('T', " "), "%Y-%m-%d %H:%M")
                .ok()
                .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
                .with_context(|| {
                    format!("--at '{at}' is not a time; give it as \"YYYY-MM-DD HH:MM\", e.g. \"2026-12-08 10:00\"")
                })?;
            let id = profile.schedule_meeting(&household, &title, when.timestamp_millis())?;
            println!("{id}");
        }
        MeetingCmd::List { household, json } => {
            let meetings = profile.meetings(&household)?;
            if json.json {
                let list: Vec<_> = meetings
                    .iter()
                    .map(|(id, m)| json!({ "id": id, "meeting": m }))
                    .collect();
                print_json(&list)?;
            } else {
                for (id, m) in meetings {
                    let when = chrono::DateTime::from_timestamp_millis(m.started_at)
                        .map(|t| t.format("%Y-%m-%d").to_string())
                        .unwrap_or_default();
                    println!(
                        "{id}  {when}  {}  ({} segments)",
                        m.title,
                        m.transcript.len()
                    );
                }
            }
        }
        MeetingCmd::Show { meeting, json } => {
            let found = profile.find_meeting(&meeting)?;
            if json.json {
                print_json(&found)?;
            } else {
                let m = &found.meeting;
                println!("{}  (household {})", m.title, found.household_id);
                if let Some(c) = &m.consent {
                    let when = chrono::DateTime::from_timestamp_millis(c.recorded_at)
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_default();
                    println!(
                        "consent: {} ({}, recorded {when} by {}, disclosure v{})",
                        c.consented_by.join(", "),
                        c.method,
                        c.recorded_by,
                        c.disclosure_version
                    );
                }
                println!("audio: {}", m.audio.as_deref().unwrap_or("none"));
                if !found.required_notes_missing.is_empty() {
                    let missing: Vec<&str> = found
                        .required_notes_missing
                        .iter()
                        .map(|c| c.as_str())
                        .collect();
                    println!(
                        "firm policy: notes still needed under {} (hearth note add {} --category C --meeting {} --text ...)",
                        missing.join(", "),
                        found.household_id,
                        found.meeting_id
                    );
                }
                for s in &m.transcript {
                    println!(
                        "[{:>6.1}s] {}: {}",
                        s.start_ms as f64 / 1000.0,
                        s.speaker.as_deref().unwrap_or("?"),
                        s.text
                    );
                }
                if !m.accepted.is_empty() {
                    println!("accepted: {}", m.accepted.join(", "));
                }
            }
        }
        MeetingCmd::Analyze {
            meeting,
            engine: choice,
            tone,
            json,
        } => {
            let engine = engine(profile, choice)?;
            let tone = match tone {
                ToneChoice::ProfessionalWarm => Tone::ProfessionalWarm,
                ToneChoice::Formal => Tone::Formal,
                ToneChoice::Conversational => Tone::Conversational,
            };
            let outcome = profile.analyze_meeting(&meeting, &engine, tone)?;
            if json.json {
                print_json(&json!({
                    "engine": outcome.engine,
                    "fallback_reason": outcome.fallback_reason,
                    "analysis": outcome.analysis,
                }))?;
            } else {
                render_analysis(&outcome);
            }
        }
        MeetingCmd::Revise {
            meeting,
            item,
            text,
            owner,
            due,
            subject,
            json,
        } => {
            let analysis = profile.revise_item(
                &meeting,
                &item,
                hearth_profile::SuggestionEdit {
                    text,
                    owner,
                    due,
                    subject,
                },
            )?;
            if json.json {
                print_json(&serde_json::json!({ "analysis": analysis }))?;
            } else {
                println!("Revised {item}; file it with `hearth meeting accept {meeting} {item}`.");
            }
        }
        MeetingCmd::Accept { meeting, items } => {
            let filed = profile.accept_meeting_items(&meeting, &items)?;
            if filed.accepted.is_empty() {
                println!("Nothing new to file (already accepted).");
            } else {
                println!(
                    "Filed {} ({} items created).",
                    filed.accepted.join(", "),
                    filed.created.len()
                );
            }
        }
        MeetingCmd::ExportVtt { meeting, out } => {
            let found = profile.find_meeting(&meeting)?;
            std::fs::write(&out, hearth_profile::meeting_vtt(&found.meeting))
                .with_context(|| format!("writing {}", out.display()))?;
            println!("Wrote {}", out.display());
        }
    }
    Ok(())
}

fn meeting_date(d: &str) -> Result<i64> {
    hearth_core::check_date(d)?;
    Ok(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")?
        .and_hms_opt(9, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default())
}

fn render_analysis(outcome: &hearth_intel::Outcome) {
    let a = &outcome.analysis;
    if let Some(why) = &outcome.fallback_reason {
        println!("(local engine: {why})");
    }
    println!("Notes (accept one with note:N, all with notes; change one with `meeting revise`)");
    for (i, n) in a.notes.iter().enumerate() {
        println!("  note:{i} [{}] {}", n.category, n.text);
    }
    println!("Action items");
    for (i, item) in a.action_items.iter().enumerate() {
        let due = item
            .due
            .map(|d| d.to_string())
            .unwrap_or_else(|| "no date".into());
        println!("  action:{i}  {:?}: {} (due {due})", item.owner, item.what);
    }
    println!("Client facts");
    for (i, f) in a.facts.iter().enumerate() {
        println!(
            "  fact:{i}  {} = {} ({:.0}%)",
            f.key,
            f.value,
            f.confidence * 100.0
        );
    }
    println!("Compliance flags");
    for f in &a.flags {
        println!(
            "  {} [{}] {}{}",
            f.kind.as_str(),
            f.rule_id,
            f.excerpt,
            if f.redacted { " (redacted)" } else { "" }
        );
    }
    println!(
        "\nFollow-up draft (not sent: copy it into your mail client)\nSubject: {}\n\n{}",
        a.email.subject, a.email.body
    );
}
