//! A long-running fuzzer for the relay's blob endpoints over real HTTP (see
//! `tests/support/blob_fuzz.rs` for the target and what is checked).
//!
//! ```sh
//! cargo run --release -p hearth-relay --example fuzz_blobs -- --minutes 10 --seed 1 --save
//! ```
//!
//! Requests are planned (method, caller, household, hash, body, how its length is declared),
//! and three in ten are then mutated as raw bytes (bit flips, truncation, insertion, splices
//! from earlier requests). Planned requests are checked against the model; mutated ones must
//! get an answer that is not a `500`, or a closed connection, and never hang. A panic anywhere
//! in the relay, or a finding, writes the request to `fuzz/crashes/` and exits non-zero.
//! With `--save`, requests that drew an answer not seen before (method × status) are written
//! to the committed corpus (`fuzz/corpus/blobs/`, tokens and ids replaced by placeholders),
//! which `cargo test` replays.
#![forbid(unsafe_code)]

#[path = "../tests/support/blob_fuzz.rs"]
mod blob_fuzz;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use blob_fuzz::mutate::Rng;
use blob_fuzz::{Finding, Model, Planned, Target, mutated, send};

struct Args {
    minutes: f64,
    seed: u64,
    save: bool,
    keep: usize,
}

fn args() -> Args {
    let mut args = Args {
        minutes: 1.0,
        seed: 1,
        save: false,
        keep: 64,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match flag.as_str() {
            "--minutes" => args.minutes = value().parse().unwrap_or(1.0),
            "--seed" => args.seed = value().parse().unwrap_or(1),
            "--save" => args.save = true,
            "--keep" => args.keep = value().parse().unwrap_or(64),
            other => {
                eprintln!("unknown argument {other}; see the example's docs");
                std::process::exit(2);
            }
        }
    }
    args
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn save(dir: &Path, name: &str, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(name);
    if let Err(e) = std::fs::write(&path, bytes) {
        eprintln!("could not write {}: {e}", path.display());
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    // Any panic, in a handler task as much as here, is a finding.
    let panics = Arc::new(AtomicU64::new(0));
    let seen = panics.clone();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let target = Target::start().await;
    let mut rng = Rng(args.seed.max(1));
    let mut model = Model::new();
    let corpus_dir = fuzz_dir().join("corpus").join("blobs");
    let mut pool: Vec<Vec<u8>> = std::fs::read_dir(&corpus_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .map(|t| target.instantiate(&t))
        .collect();
    let mut stored_bodies: Vec<Vec<u8>> = Vec::new();
    let mut signatures: HashSet<(String, Option<u16>)> = HashSet::new();
    let mut kept = 0usize;
    let deadline = Instant::now() + Duration::from_secs_f64(args.minutes * 60.0);
    let started = Instant::now();
    let (mut sent, mut planned_checked, mut closed_without_answer) = (0u64, 0u64, 0u64);
    let mut statuses: std::collections::BTreeMap<u16, u64> = Default::default();
    while Instant::now() < deadline {
        let plan = Planned::random(&mut rng, &stored_bodies);
        let planned_bytes = plan.encode(&target);
        let is_mutant = rng.below(10) < 3 && !pool.is_empty();
        let request = if is_mutant {
            let base = if rng.below(2) == 0 {
                planned_bytes.clone()
            } else {
                pool[rng.below(pool.len())].clone()
            };
            mutated(&mut rng, &base, &pool)
        } else {
            planned_bytes
        };
        sent += 1;
        // What the plan's firm has stored before it (for the quota).
        let used = match plan.doc {
            0 | 1 => target
                .relay
                .store
                .firm_blob_bytes(&target.firms[plan.doc])
                .await
                .unwrap_or(0),
            _ => 0,
        };
        // Mutants may promise more than they send: they always half-close.
        let half_close = is_mutant || plan.incomplete();
        let finding = match send(target.addr, &request, half_close).await {
            Err(finding) => Some(finding),
            Ok(None) => {
                closed_without_answer += 1;
                (!is_mutant && plan.must_answer())
                    .then(|| Finding::Wrong("a planned request got no answer".into()))
            }
            Ok(Some(answer)) => {
                *statuses.entry(answer.status).or_default() += 1;
                let method = String::from_utf8_lossy(
                    request.split(|b| *b == b' ').next().unwrap_or_default(),
                )
                .chars()
                .take(8)
                .collect::<String>();
                if signatures.insert((method, Some(answer.status))) && args.save && kept < args.keep
                {
                    save(
                        &corpus_dir,
                        &format!("{:03}.http", kept),
                        &target.templatize(&request),
                    );
                    kept += 1;
                }
                if answer.status == 500 {
                    Some(Finding::ServerError(answer))
                } else if is_mutant || !plan.must_answer() {
                    // An early answer to a body the relay did not read is checked only for
                    // not being a 500 (above); a mutant may have stored a blob.
                    if answer.status == 204 {
                        model.sync_from(&target).await;
                    }
                    None
                } else {
                    planned_checked += 1;
                    let verdict = model.check(&plan, &answer, used);
                    if verdict.is_ok()
                        && answer.status == 204
                        && !stored_bodies.contains(&plan.body)
                    {
                        stored_bodies.push(plan.body.clone());
                    }
                    verdict.err().map(Finding::Wrong)
                }
            }
        };
        if pool.len() < 4096 && rng.below(8) == 0 {
            pool.push(request.clone());
        }
        let panicked = panics.load(Ordering::SeqCst) > 0;
        if finding.is_some() || panicked {
            let name = format!("blobs-{}-{sent}.http", args.seed);
            save(&fuzz_dir().join("crashes"), &name, &request);
            eprintln!(
                "FINDING after {sent} requests (panics: {}): {finding:?}; request saved as fuzz/crashes/{name}",
                panics.load(Ordering::SeqCst)
            );
            std::process::exit(1);
        }
    }
    // The relay still answers, and still holds exactly what the model says.
    let health = send(
        target.addr,
        b"GET /healthz HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n",
        false,
    )
    .await;
    let healthy = matches!(health, Ok(Some(ref a)) if a.status == 200);
    let mut stored_here = 0;
    for (i, doc) in target.docs.iter().enumerate() {
        let key = hearth_relay::scope::store_key(&target.firms[i], doc);
        let listed = target
            .relay
            .store
            .list_blobs(&key)
            .await
            .unwrap_or_default();
        let expected = model.stored.keys().filter(|(d, _)| *d == i).count();
        if listed.len() != expected {
            eprintln!(
                "FINDING: household {i} holds {} blobs, the model {expected}",
                listed.len()
            );
            std::process::exit(1);
        }
        stored_here += listed.len();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "blobs: {sent} requests in {secs:.0} s ({:.0}/s), {planned_checked} checked against the model, \
         {closed_without_answer} mutants closed without an answer, {stored_here} blobs stored, \
         statuses {statuses:?}, healthy after: {healthy}, panics: {}, corpus written: {kept}",
        sent as f64 / secs,
        panics.load(Ordering::SeqCst)
    );
    if !healthy {
        std::process::exit(1);
    }
}
