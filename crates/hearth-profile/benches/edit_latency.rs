//! Latency of one acknowledged edit (Automerge change + durable SQLCipher commit) on a
//! profile of 5,000 households, the same on an unencrypted build of the same store, and the
//! time to open such a profile and list its households.
//!
//! `cargo bench -p hearth-profile --bench edit_latency` (set HEARTH_BENCH_HOUSEHOLDS and
//! HEARTH_BENCH_EDITS to change the sizes). Prints a table; docs/benchmarks.md records it.

use std::time::{Duration, Instant};

use hearth_core::{HouseholdStatus, NoteCategory};
use hearth_profile::{InitOptions, KeyStorage, Profile};
use rand::Rng;
use zeroize::Zeroizing;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Figures {
    p50: Duration,
    p99: Duration,
    mean: Duration,
    open: Duration,
    open_and_list: Duration,
    listed: usize,
}

fn run(encrypted: bool, households: usize, edits: usize) -> Figures {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("profile");
    let mut pass = || Ok(Zeroizing::new("benchmark passphrase".to_string()));
    let options = InitOptions {
        advisor: "Bench Advisor".into(),
        device: "bench".into(),
        key_storage: KeyStorage::Passphrase,
        passphrase: &mut pass,
    };
    let mut profile = if encrypted {
        Profile::init(&path, options).expect("init")
    } else {
        Profile::init_unencrypted_for_benchmark(&path, options).expect("init")
    };
    let names = [
        "Johnson",
        "Nakamura",
        "Okafor",
        "Garcia",
        "Lindqvist",
        "Patel",
        "Moreau",
        "Kim",
    ];
    let mut ids = Vec::with_capacity(households);
    for n in 0..households {
        let name = format!("The {} Family {n}", names[n % names.len()]);
        let id = profile
            .create_household(&name, HouseholdStatus::Client)
            .expect("create");
        ids.push(id.to_string());
    }
    // A little history in every household so loads are realistic.
    for id in &ids {
        profile
            .edit(id, |h, ctx| {
                h.add_note(
                    NoteCategory::Discussion,
                    "Annual review: rebalanced, discussed RMDs.",
                    None,
                    ctx,
                )
            })
            .expect("seed note");
    }

    let mut rng = rand::rng();
    let mut samples = Vec::with_capacity(edits);
    for n in 0..edits {
        let id = &ids[rng.random_range(0..ids.len())];
        let text = format!("Client called about the 529 plan, follow-up #{n}.");
        let start = Instant::now();
        profile
            .edit(id, |h, ctx| {
                h.add_note(NoteCategory::ClientUpdates, &text, None, ctx)
            })
            .expect("edit");
        samples.push(start.elapsed());
    }
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    drop(profile);

    // Open (key derivation included for the encrypted profile) and list.
    let (open, open_and_list, listed) = if encrypted {
        let start = Instant::now();
        let profile = Profile::open(&path, &mut pass).expect("open");
        let open = start.elapsed();
        let listed = profile.list_households().expect("list").len();
        (open, start.elapsed(), listed)
    } else {
        (Duration::ZERO, Duration::ZERO, 0)
    };
    Figures {
        p50: percentile(&samples, 0.50),
        p99: percentile(&samples, 0.99),
        mean,
        open,
        open_and_list,
        listed,
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test` runs benches in test mode with no --bench.
    if !std::env::args().any(|a| a == "--bench") {
        println!("edit_latency: skipped outside `cargo bench`");
        return;
    }
    let households = env_usize("HEARTH_BENCH_HOUSEHOLDS", 5_000);
    let edits = env_usize("HEARTH_BENCH_EDITS", 2_000);
    println!("edit_latency: {households} households, {edits} acknowledged edits each run");
    let cipher = run(true, households, edits);
    let plain = run(false, households, edits);
    println!("| store | p50 ms | p99 ms | mean ms |");
    println!("|---|---|---|---|");
    for (name, f) in [("SQLCipher", &cipher), ("plain SQLite", &plain)] {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} |",
            ms(f.p50),
            ms(f.p99),
            ms(f.mean)
        );
    }
    println!(
        "SQLCipher overhead: p50 {:.1}%, mean {:.1}%",
        (ms(cipher.p50) / ms(plain.p50) - 1.0) * 100.0,
        (ms(cipher.mean) / ms(plain.mean) - 1.0) * 100.0
    );
    println!(
        "open {} households (Argon2id included): {:.1} ms; open + list: {:.1} ms ({} listed)",
        households,
        ms(cipher.open),
        ms(cipher.open_and_list),
        cipher.listed
    );
}
