//! Measures the real-time factor: `cargo run -p hearth-transcribe --example rtf -- MODEL WAV [THREADS]`.
//! whisper.cpp is compiled optimised even in the dev profile, so this is representative
//! without `--release`.

use std::path::PathBuf;
use std::time::Instant;

use hearth_transcribe::{TranscribeOptions, Transcriber, read_wav_16k_mono};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = PathBuf::from(args.next().ok_or("usage: rtf MODEL WAV [THREADS]")?);
    let wav = PathBuf::from(args.next().ok_or("usage: rtf MODEL WAV [THREADS]")?);
    let n_threads = args.next().map(|t| t.parse()).transpose()?.unwrap_or(2);
    let samples = read_wav_16k_mono(&wav)?;
    let secs = samples.len() as f64 / 16_000.0;
    let t0 = Instant::now();
    let t = Transcriber::load(&model)?;
    let load = t0.elapsed().as_secs_f64();
    let opts = TranscribeOptions {
        n_threads,
        ..TranscribeOptions::default()
    };
    let t1 = Instant::now();
    let segs = t.transcribe(&samples, &opts)?;
    let wall = t1.elapsed().as_secs_f64();
    for s in &segs {
        println!("[{} - {}] {}", s.start_ms, s.end_ms, s.text);
    }
    println!(
        "audio {secs:.1}s, load {load:.2}s, transcribe {wall:.2}s, RTF {:.3} ({n_threads} threads)",
        wall / secs
    );
    Ok(())
}
