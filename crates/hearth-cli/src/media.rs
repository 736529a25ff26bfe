//! `hearth transcribe`, `hearth audio ...`, `hearth consent ...`, and the audio half of
//! `hearth meeting import` / `hearth meeting record`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use hearth_profile::{ConsentMode, Profile, RetentionPolicy};
use hearth_recording::{LiveEvent, SourceKind};
use hearth_transcribe::{Segment, TranscribeOptions, Transcriber};
use serde_json::json;

use crate::{JsonFlag, print_json};

#[derive(Args)]
pub struct TranscribeArgs {
    /// Audio file: WAV, MP3, M4A/AAC, FLAC or OGG/Vorbis.
    file: PathBuf,
    /// Model name (`hearth models list`) or path to a ggml file (default: tiny.en).
    #[arg(long)]
    model: Option<String>,
    /// Also write the transcript as WebVTT here.
    #[arg(long)]
    vtt: Option<PathBuf>,
    /// CPU threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Subcommand)]
pub enum AudioCmd {
    /// List audio input devices (ids for `--device`).
    Devices(JsonFlag),
    /// What happens to recordings after transcription.
    #[command(subcommand)]
    Retention(RetentionCmd),
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Show the policy.
    Show(JsonFlag),
    /// Delete audio after transcription (default), or keep it N days.
    Set {
        #[arg(value_enum)]
        policy: PolicyChoice,
        /// Days to keep (with keep-days).
        #[arg(long)]
        days: Option<u32>,
    },
    /// Delete kept recordings whose time is up (as of now, or as of --as-of YYYY-MM-DD).
    Apply {
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PolicyChoice {
    DeleteAfterTranscription,
    KeepDays,
}

#[derive(Subcommand)]
pub enum ConsentCmd {
    /// The disclosure read to clients before recording (versioned).
    #[command(subcommand)]
    Disclosure(DisclosureCmd),
    /// Whose consent a recording needs: one-party (default) or all-party.
    #[command(subcommand)]
    Mode(ModeCmd),
}

#[derive(Subcommand)]
pub enum DisclosureCmd {
    /// Show the current version and text.
    Show(JsonFlag),
    /// Replace it (a new text needs a new version).
    Set {
        #[arg(long)]
        version: String,
        #[arg(long)]
        text: String,
    },
}

#[derive(Subcommand)]
pub enum ModeCmd {
    Show,
    Set {
        #[arg(value_enum)]
        mode: ModeChoice,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ModeChoice {
    /// One named participant's consent is enough.
    OneParty,
    /// Every participant (`--participants`) must consent.
    AllParty,
}

fn options(threads: usize) -> TranscribeOptions {
    TranscribeOptions {
        n_threads: threads,
        ..TranscribeOptions::default()
    }
}

fn segments_json(segments: &[Segment]) -> serde_json::Value {
    json!(
        segments
            .iter()
            .map(|s| json!({ "start_ms": s.start_ms, "end_ms": s.end_ms, "text": s.text }))
            .collect::<Vec<_>>()
    )
}

pub fn transcribe(args: TranscribeArgs) -> Result<()> {
    let audio = hearth_audio::decode_file(&args.file)?;
    let model_path = hearth_models::resolve::resolve(args.model.as_deref())?;
    let model = Transcriber::load(&model_path)?;
    let started = std::time::Instant::now();
    let segments = model.transcribe(&audio.samples, &options(args.threads))?;
    let wall = started.elapsed().as_secs_f64();
    if let Some(out) = &args.vtt {
        std::fs::write(out, hearth_transcribe::to_vtt(&segments))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    if args.json.json {
        print_json(&json!({
            "file": args.file,
            "model": model_path,
            "codec": audio.codec,
            "source_rate": audio.source_rate,
            "source_channels": audio.source_channels,
            "duration_secs": audio.duration_secs(),
            "transcribe_secs": wall,
            "segments": segments_json(&segments),
        }))?;
    } else {
        for s in &segments {
            println!(
                "[{:>7.2} → {:>7.2}] {}",
                s.start_ms as f64 / 1000.0,
                s.end_ms as f64 / 1000.0,
                s.text
            );
        }
    }
    Ok(())
}

pub fn devices(json: JsonFlag) -> Result<()> {
    let list = hearth_audio::capture::input_devices()?;
    if json.json {
        let rows: Vec<_> = list
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "name": d.name,
                    "kind": d.kind.as_str(),
                    "default": d.is_default,
                    "native_format": d.native_format,
                })
            })
            .collect();
        return print_json(&rows);
    }
    if list.is_empty() {
        println!("no audio input devices");
    }
    let list_has_system = list
        .iter()
        .any(|d| d.kind == hearth_audio::SourceKind::SystemAudio);
    for d in list {
        println!(
            "{} {:<10} {:<28} {}  ({})",
            if d.is_default { "*" } else { " " },
            d.kind.as_str(),
            d.id,
            d.name,
            d.native_format.as_deref().unwrap_or("format unknown")
        );
    }
    if !list_has_system {
        println!(
            "  (no system-audio source: the other side of a call cannot be recorded here; \
             on Linux it needs PulseAudio or PipeWire)"
        );
    }
    Ok(())
}

pub fn audio(profile: &mut Profile, cmd: AudioCmd) -> Result<()> {
    match cmd {
        AudioCmd::Devices(json) => devices(json),
        AudioCmd::Retention(RetentionCmd::Show(json)) => {
            let p = profile.retention_policy()?;
            if json.json {
                print_json(&p)
            } else {
                println!("{p}");
                Ok(())
            }
        }
        AudioCmd::Retention(RetentionCmd::Set { policy, days }) => {
            let policy = match (policy, days) {
                (PolicyChoice::DeleteAfterTranscription, _) => {
                    RetentionPolicy::DeleteAfterTranscription
                }
                (PolicyChoice::KeepDays, Some(days)) => RetentionPolicy::KeepDays { days },
                (PolicyChoice::KeepDays, None) => bail!("keep-days needs --days N"),
            };
            profile.set_retention_policy(policy)?;
            println!("Retention: {policy}.");
            Ok(())
        }
        AudioCmd::Retention(RetentionCmd::Apply { as_of }) => {
            let now = match as_of {
                Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .with_context(|| format!("--as-of {d}: expected YYYY-MM-DD"))?
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis())
                    .unwrap_or_default(),
                None => chrono::Utc::now().timestamp_millis(),
            };
            let deleted = profile.apply_audio_retention(now)?;
            println!("Deleted audio of {} meeting(s).", deleted.len());
            for id in deleted {
                println!("  {id}");
            }
            Ok(())
        }
    }
}

pub fn consent(profile: &mut Profile, cmd: ConsentCmd) -> Result<()> {
    match cmd {
        ConsentCmd::Disclosure(DisclosureCmd::Show(json)) => {
            let (version, text) = profile.disclosure()?;
            if json.json {
                print_json(&json!({ "version": version, "text": text }))?;
            } else {
                println!("version {version}\n{text}");
            }
        }
        ConsentCmd::Disclosure(DisclosureCmd::Set { version, text }) => {
            profile.set_disclosure(&version, &text)?;
            println!("Disclosure version {} saved.", version.trim());
        }
        ConsentCmd::Mode(ModeCmd::Show) => println!("{}", profile.consent_mode()?),
        ConsentCmd::Mode(ModeCmd::Set { mode }) => {
            let mode = match mode {
                ModeChoice::OneParty => ConsentMode::OneParty,
                ModeChoice::AllParty => ConsentMode::AllParty,
            };
            profile.set_consent_mode(mode)?;
            println!("Consent mode: {mode}.");
        }
    }
    Ok(())
}

/// Everything `meeting import` and `meeting record` share.
pub use hearth_recording::MeetingAudio;

/// Prints what a finished import or recording produced (the meeting id on stdout).
fn print_finished(finished: &hearth_recording::Finished) {
    eprintln!(
        "{} segment(s), {} s of audio; audio {}",
        finished.segments, finished.audio_secs, finished.audio_state
    );
    println!("{}", finished.meeting_id);
}

/// `hearth meeting import HOUSEHOLD AUDIO --consent-by ...`: consent checked, the file
/// decoded (bad input stops here, nothing written), consent recorded as the meeting,
/// the audio sealed into the profile, transcribed, retention applied.
pub fn import(profile: &mut Profile, m: MeetingAudio, file: PathBuf) -> Result<()> {
    let finished =
        hearth_recording::import_file(profile, &m, &file, &hearth_recording::Control::default())?;
    print_finished(&finished);
    Ok(())
}

/// `hearth meeting record HOUSEHOLD --consent-by ...`: consent recorded first, then the
/// device is captured into the sealed file with a level meter and live transcript.
pub fn record(
    profile: &mut Profile,
    m: MeetingAudio,
    options: hearth_recording::RecordOptions,
) -> Result<()> {
    let seconds = options.max_secs;
    // One meter line for both streams: the microphone (you) and the other side.
    let mut last_meter = std::time::Instant::now();
    let mut levels = [f32::NEG_INFINITY; 2];
    let on_level = move |kind: SourceKind, level: hearth_recording::Level| {
        levels[usize::from(kind == SourceKind::SystemAudio)] = level.rms_dbfs();
        if last_meter.elapsed().as_millis() >= 250 {
            last_meter = std::time::Instant::now();
            let bars = |dbfs: f32| "|".repeat((((dbfs + 60.0).max(0.0) / 3.0) as usize).min(20));
            let mut err = std::io::stderr();
            let _ = write!(
                err,
                "\rmic {:<20} {:>6.1} dBFS  other side {:<20} ",
                bars(levels[0]),
                levels[0].max(-120.0),
                bars(levels[1]),
            );
            let _ = err.flush();
        }
    };
    let recording = hearth_recording::Recording::start(profile, &m, options, on_level, show_live)?;
    eprintln!(
        "consent recorded in meeting {}; recording {}...",
        recording.meeting_id(),
        if recording.records_other_side() {
            "the microphone and the other side of the call"
        } else {
            "the microphone only"
        }
    );
    if seconds.is_none() {
        eprintln!("press Enter to stop");
        let stop = recording.stop_flag();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            stop.store(true, Ordering::SeqCst);
        });
    }
    let captured = recording.wait();
    for (side, report) in [
        ("microphone", Some(&captured.capture)),
        ("other side", captured.system.as_ref()),
    ] {
        if let Some(Ok(report)) = report {
            eprintln!(
                "\n{side}: recorded {:.1} s ({:?}{})",
                report.recording.secs(),
                report.stop,
                if report.reopened > 0 {
                    format!(", device reopened {} time(s)", report.reopened)
                } else {
                    String::new()
                }
            );
        }
    }
    let finished = captured.finish(profile, &hearth_recording::Control::default())?;
    if let Some(notice) = &finished.audio_notice {
        eprintln!("note: {notice}");
    }
    print_finished(&finished);
    Ok(())
}

fn show_live(kind: SourceKind, event: &LiveEvent) {
    let who = match kind {
        SourceKind::Microphone => "you",
        SourceKind::SystemAudio => "them",
    };
    match event {
        LiveEvent::Partial { text, .. } => {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r… {who}: {text}");
            let _ = err.flush();
        }
        LiveEvent::Final { segments, .. } => {
            for s in segments {
                eprintln!("\r[{:>7.2}] {who}: {}", s.start_ms as f64 / 1000.0, s.text);
            }
        }
        LiveEvent::Progress { .. } => {}
    }
}

/// `hearth meeting recover`: transcribes every interrupted recording (or `only` one).
pub fn recover(
    profile: &mut Profile,
    only: Option<String>,
    model: Option<String>,
    threads: usize,
    json: bool,
) -> Result<()> {
    let interrupted = hearth_recording::interrupted(profile)?;
    let mut todo: Vec<_> = interrupted
        .into_iter()
        .filter(|r| only.as_ref().is_none_or(|m| *m == r.meeting_id))
        .collect();
    if let Some(m) = &only
        && todo.is_empty()
    {
        // Say why: still recording, not interrupted, or unknown.
        let found = profile.find_meeting(m)?;
        let path = profile.audio_path(m);
        if found.meeting.audio.as_deref() == Some("recording") && path.exists() {
            return Err(hearth_recording::RecordingError::StillRecording(m.clone()).into());
        }
        return Err(hearth_recording::RecordingError::NotInterrupted(m.clone()).into());
    }
    if todo.is_empty() {
        if json {
            print_json(&serde_json::json!([]))?;
        } else {
            println!("no interrupted recordings");
        }
        return Ok(());
    }
    let transcriber = hearth_recording::load_model(model.as_deref())?;
    let mut done = Vec::new();
    for r in todo.drain(..) {
        eprintln!(
            "recovering \"{}\" ({}, meeting {})",
            r.title, r.household_name, r.meeting_id
        );
        let recovered = hearth_recording::recover(
            profile,
            &r.meeting_id,
            &transcriber,
            threads,
            &hearth_recording::Control::default(),
        )?;
        if !json {
            println!(
                "{}: recovered {} s ({} segments), audio {}{}",
                r.meeting_id,
                recovered.finished.audio_secs,
                recovered.finished.segments,
                recovered.finished.audio_state,
                recovered
                    .damaged_tail
                    .as_deref()
                    .map(|why| format!(" (the file's damaged end was left out: {why})"))
                    .unwrap_or_default()
            );
        }
        done.push(serde_json::json!({
            "meeting_id": r.meeting_id,
            "household_id": r.household_id,
            "title": r.title,
            "audio_secs": recovered.finished.audio_secs,
            "segments": recovered.finished.segments,
            "audio": recovered.finished.audio_state,
            "chunks": recovered.chunks,
            "damaged_tail": recovered.damaged_tail,
        }));
    }
    if json {
        print_json(&done)?;
    }
    Ok(())
}
