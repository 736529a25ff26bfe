//! `hearth-loadgen`: a light load generator for automerge-repo v1 relays.
//!
//! It speaks the raw protocol (`hearth_wire`'s codec over tokio-tungstenite) and sends changes
//! that were all made before the timed run, so that on a small machine the generator costs
//! far less than the server it measures. The same scenarios run against `hearth-relay` (with a
//! bearer token) and the reference `@automerge/automerge-repo-sync-server` (no auth); see
//! `bench/relay/run.sh` and `docs/benchmarks-relay.md`.
//!
//! Model: N clients, D documents, client `i` opens document `i % D`. Every client joins (peer
//! handshake), loads its document's base and announces it with `sync`, then answers every sync
//! message as automerge-repo does. Writers (the first W clients) push pre-built changes at a
//! given rate, or as fast as a window of unacknowledged changes allows (saturation). Measured
//! over a window after a warm-up: changes/s acknowledged by the server (its heads include the
//! change), changes/s that reached every other client of the document, and the writer→all
//! readers and writer→server latencies. The run stops by itself: writers stop at the end of
//! the window, the drain waits (bounded) for what is in flight, then everyone leaves.
//!
//! Only loopback servers are accepted.

#![forbid(unsafe_code)]

mod client;
mod plan;
mod report;
mod track;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use clap::{Args, Parser, Subcommand};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::client::{Phase, Shared};
use crate::plan::{Plan, Shape};
use crate::report::{Report, Window};
use crate::track::Tracker;

/// A light load generator for automerge-repo v1 relays (raw protocol, pre-built changes).
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario against one server and report.
    Run(RunArgs),
    /// Print a Markdown comparison table of the JSON reports written by `run --out`.
    Table {
        /// Report files.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Goal: the first server's changes/s at the saturation scenario over the second's.
        #[arg(long, default_value_t = 5.0)]
        goal_ratio: f64,
        /// Goal: the first server's writer→all readers p99 (ms) at the scale scenario.
        #[arg(long, default_value_t = 50.0)]
        goal_p99_ms: f64,
        /// The saturation scenario's label.
        #[arg(long, default_value = "saturation")]
        saturation: String,
        /// The scale scenario's label.
        #[arg(long, default_value = "200-clients")]
        at_scale: String,
    },
}

#[derive(Args, Clone)]
struct RunArgs {
    /// The server's WebSocket URL, e.g. ws://127.0.0.1:8787/sync (loopback only). Repeat it
    /// for several relay nodes: client i connects to the (i mod n)-th.
    #[arg(long, required = true)]
    url: Vec<String>,
    /// Bearer token for the WebSocket upgrade (hearth-relay); none for the reference server.
    #[arg(long, env = "HEARTH_LOADGEN_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Simulated clients (one WebSocket each).
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Documents; client i opens document i % docs.
    #[arg(long, default_value_t = 10)]
    docs: usize,
    /// Clients that write (the first ones; default: all).
    #[arg(long)]
    writers: Option<usize>,
    /// Changes per second per writer; 0 = saturation (as fast as --window allows).
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    /// Unacknowledged changes a writer may have at once.
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// Seconds of load before the measured window.
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// Seconds measured.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// At most this many seconds after the window for changes in flight to arrive.
    #[arg(long, default_value_t = 5.0)]
    drain: f64,
    /// At most this many seconds for all clients to connect and catch up.
    #[arg(long, default_value_t = 60.0)]
    setup_timeout: f64,
    /// Changes pre-built per writer (default: enough for the rate over warm-up + window; 4000
    /// at saturation).
    #[arg(long)]
    changes_per_writer: Option<usize>,
    /// Bytes of text in each change.
    #[arg(long, default_value_t = 32)]
    payload_bytes: usize,
    /// Label of the server in the report.
    #[arg(long, default_value = "server")]
    server_label: String,
    /// Label of the scenario in the report.
    #[arg(long, default_value = "scenario")]
    scenario: String,
    /// The server's process id, to report its CPU use over the window (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also write the report as JSON to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let report = runtime.block_on(run(args.clone()))?;
            print!("{}", report.summary());
            if let Some(out) = &args.out {
                std::fs::write(out, serde_json::to_vec_pretty(&report)?)
                    .with_context(|| format!("writing {}", out.display()))?;
            }
            ensure!(
                report.errors.is_empty(),
                "{} client(s) failed",
                report.errors.len()
            );
            Ok(())
        }
        Command::Table {
            reports,
            goal_ratio,
            goal_p99_ms,
            saturation,
            at_scale,
        } => {
            let reports = reports
                .iter()
                .map(|p| read_report(p))
                .collect::<Result<Vec<_>>>()?;
            print!("{}", report::table(&reports));
            let goals = report::goals(&reports, goal_ratio, goal_p99_ms, &saturation, &at_scale);
            if !goals.is_empty() {
                print!("\nGoals:\n{goals}");
            }
            Ok(())
        }
    }
}

fn read_report(path: &Path) -> Result<Report> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// Refuses anything but a ws:// URL on a loopback address.
fn check_loopback(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("ws://")
        .context("the URL must start with ws:// (loopback servers only)")?;
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    ensure!(
        loopback,
        "{host} is not a loopback address: this generator only targets servers on this machine"
    );
    Ok(())
}

async fn run(args: RunArgs) -> Result<Report> {
    for url in &args.url {
        check_loopback(url)?;
    }
    ensure!(
        args.rate >= 0.0 && args.rate.is_finite(),
        "--rate must be ≥ 0"
    );
    ensure!(args.window >= 1, "--window must be ≥ 1");
    ensure!(
        args.duration > 0.0 && args.warmup >= 0.0 && args.drain >= 0.0,
        "durations must be positive"
    );
    ensure!(
        args.duration + args.warmup <= 600.0,
        "a run is limited to 10 minutes"
    );
    let writers = args.writers.unwrap_or(args.clients);
    let changes_per_writer = args.changes_per_writer.unwrap_or_else(|| {
        if args.rate > 0.0 {
            (args.rate * (args.warmup + args.duration)).ceil() as usize + 2
        } else {
            4000
        }
    });

    let started = std::time::Instant::now();
    let plan = Plan::build(Shape {
        clients: args.clients,
        docs: args.docs,
        writers,
        changes_per_writer,
        payload_bytes: args.payload_bytes,
    })?;
    let plan_secs = started.elapsed().as_secs_f64();
    let changes_prebuilt = plan.total_changes();
    let tracker = Tracker::new(&plan);
    let (phase_tx, phase_rx) = watch::channel(Phase::Setup);
    let shared = Arc::new(Shared {
        plan,
        tracker,
        urls: args.url.clone(),
        token: args.token.clone(),
        rate: args.rate,
        window: args.window,
        phase: phase_rx,
        ready: AtomicUsize::new(0),
        ready_changed: Notify::new(),
    });

    let mut report = Report {
        server: args.server_label.clone(),
        scenario: args.scenario.clone(),
        clients: args.clients,
        docs: args.docs,
        writers,
        rate_per_writer: args.rate,
        window: args.window,
        warmup_secs: args.warmup,
        duration_secs: args.duration,
        plan_secs,
        changes_prebuilt,
        ..Report::default()
    };

    let setup_started = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..args.clients {
        tasks.spawn(client::run(shared.clone(), i));
    }
    let setup_deadline = setup_started + Duration::from_secs_f64(args.setup_timeout);
    while shared.ready.load(Ordering::Acquire) < args.clients {
        tokio::select! {
            _ = shared.ready_changed.notified() => {}
            Some(done) = tasks.join_next() => {
                let _ = phase_tx.send(Phase::Shutdown);
                match done {
                    Ok(Err(e)) => return Err(e.context("a client failed during setup")),
                    Ok(Ok(())) => bail!("a client stopped during setup"),
                    Err(e) => bail!("a client panicked during setup: {e}"),
                }
            }
            _ = tokio::time::sleep_until(setup_deadline) => {
                let _ = phase_tx.send(Phase::Shutdown);
                bail!(
                    "only {} of {} clients were ready after {} s",
                    shared.ready.load(Ordering::Acquire),
                    args.clients,
                    args.setup_timeout
                );
            }
        }
    }
    report.setup_secs = setup_started.elapsed().as_secs_f64();

    let t0 = Instant::now();
    phase_tx.send(Phase::Run { t0 })?;
    let window_start = t0 + Duration::from_secs_f64(args.warmup);
    let window_end = window_start + Duration::from_secs_f64(args.duration);
    let mut errors = Vec::new();
    wait_until(window_start, &mut tasks, &mut errors).await;
    let cpu_start = cpu_sample(args.server_pid);
    wait_until(window_end, &mut tasks, &mut errors).await;
    let cpu_end = cpu_sample(args.server_pid);
    phase_tx.send(Phase::Drain)?;

    let tracker = &shared.tracker;
    let drain_deadline = Instant::now() + Duration::from_secs_f64(args.drain);
    while Instant::now() < drain_deadline {
        let sent = tracker.sent_total.load(Ordering::Acquire);
        if tracker.acked_total.load(Ordering::Acquire) >= sent
            && tracker.delivered_total.load(Ordering::Acquire) >= sent
        {
            break;
        }
        wait_until(
            Instant::now() + Duration::from_millis(20),
            &mut tasks,
            &mut errors,
        )
        .await;
    }
    let _ = phase_tx.send(Phase::Shutdown);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(done) = tasks.join_next().await {
            record(done, &mut errors);
        }
    })
    .await;
    tasks.abort_all();

    let window = Window {
        from: tracker.at(window_start.into_std()),
        to: tracker.at(window_end.into_std()),
    };
    report.measure(tracker, &window);
    report.exhausted_writers = (0..shared.plan.writers.len())
        .filter(|&w| tracker_sent_last(tracker, &shared.plan, w) < window.to)
        .count();
    if let (Some((s0, l0, at0)), Some((s1, l1, at1))) = (cpu_start, cpu_end) {
        let wall = at1.duration_since(at0).as_secs_f64();
        report.server_cpu_pct = s0.zip(s1).map(|(a, b)| (b - a) / wall * 100.0);
        report.loadgen_cpu_pct = Some((l1 - l0) / wall * 100.0);
    }
    report.errors = errors;
    Ok(report)
}

/// When writer `w` sent its last pre-built change (tracker clock), or `u64::MAX` if it never
/// got that far.
fn tracker_sent_last(tracker: &Tracker, plan: &Plan, w: usize) -> u64 {
    let last = plan.writers[w].changes.len() - 1;
    match tracker.sent_at(w, last) {
        0 => u64::MAX,
        t => t,
    }
}

/// Sleeps until `deadline`, collecting client failures meanwhile.
async fn wait_until(deadline: Instant, tasks: &mut JoinSet<Result<()>>, errors: &mut Vec<String>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => return,
            Some(done) = tasks.join_next() => record(done, errors),
        }
    }
}

fn record(done: Result<Result<()>, tokio::task::JoinError>, errors: &mut Vec<String>) {
    match done {
        Ok(Ok(())) => {}
        Ok(Err(e)) => errors.push(format!("{e:#}")),
        Err(e) => errors.push(format!("client task: {e}")),
    }
}

/// (server CPU seconds if known, own CPU seconds, when), from /proc.
fn cpu_sample(server_pid: Option<u32>) -> Option<(Option<f64>, f64, std::time::Instant)> {
    let own = proc_cpu_secs("self")?;
    let server = server_pid.and_then(|pid| proc_cpu_secs(&pid.to_string()));
    Some((server, own, std::time::Instant::now()))
}

/// utime + stime of a process, in seconds (Linux `/proc/PID/stat`, 100 ticks per second).
fn proc_cpu_secs(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_urls() {
        assert!(check_loopback("ws://127.0.0.1:8787/sync").is_ok());
        assert!(check_loopback("ws://localhost:3030").is_ok());
        assert!(check_loopback("ws://[::1]:3030/").is_ok());
        assert!(check_loopback("ws://127.0.0.2:1?x=1").is_ok());
        assert!(check_loopback("ws://10.0.0.1:8787/sync").is_err());
        assert!(check_loopback("ws://example.invalid/sync").is_err());
        assert!(check_loopback("wss://127.0.0.1/sync").is_err());
    }

    #[test]
    fn reads_own_cpu_time() {
        if cfg!(target_os = "linux") {
            assert!(proc_cpu_secs("self").is_some());
        }
    }
}
