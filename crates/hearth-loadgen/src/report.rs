//! The numbers a run produces, and the comparison table of several runs.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use crate::track::Tracker;

/// Latency percentiles in milliseconds (nearest rank).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Latency {
    /// Samples.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest sample.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Latency {
    /// Percentiles of `samples` (nanoseconds).
    pub fn of(mut samples: Vec<u64>) -> Self {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let ms = |ns: u64| ns as f64 / 1e6;
        let rank = |p: f64| {
            let i = ((p / 100.0) * samples.len() as f64).ceil() as usize;
            ms(samples[i.clamp(1, samples.len()) - 1])
        };
        Latency {
            count: samples.len(),
            p50: rank(50.0),
            p90: rank(90.0),
            p99: rank(99.0),
            max: ms(*samples.last().unwrap_or(&0)),
            mean: ms(samples.iter().sum::<u64>() / samples.len() as u64),
        }
    }
}

/// Everything one run measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Report {
    /// Which server (a label, e.g. `hearth-relay`).
    pub server: String,
    /// Which scenario (a label, e.g. `200-clients`).
    pub scenario: String,
    /// Simulated clients.
    pub clients: usize,
    /// Documents.
    pub docs: usize,
    /// Clients that write.
    pub writers: usize,
    /// Changes per second per writer; 0 = saturation.
    pub rate_per_writer: f64,
    /// Unacknowledged changes a writer may have.
    pub window: usize,
    /// Seconds before the measured window.
    pub warmup_secs: f64,
    /// Length of the measured window, seconds.
    pub duration_secs: f64,
    /// Seconds spent pre-building changes.
    pub plan_secs: f64,
    /// Seconds until every client had joined and caught up.
    pub setup_secs: f64,
    /// Changes pre-built.
    pub changes_prebuilt: usize,
    /// Changes sent in the window.
    pub sent: u64,
    /// Changes the server acknowledged in the window.
    pub acked: u64,
    /// `acked` per second.
    pub acked_per_sec: f64,
    /// Changes that reached their last receiver in the window.
    pub delivered: u64,
    /// `delivered` per second.
    pub delivered_per_sec: f64,
    /// Changes sent in the window that never reached all receivers (by the end of the drain).
    pub undelivered: u64,
    /// Changes sent in the window the server never acknowledged.
    pub unacked: u64,
    /// Writer → every receiver of the document, for changes sent in the window.
    pub delivery_ms: Latency,
    /// Writer → the server's acknowledgement, for changes sent in the window.
    pub ack_ms: Latency,
    /// Writers that ran out of pre-built changes before the window ended.
    pub exhausted_writers: usize,
    /// CPU used by the server process over the window, % of one core (Linux only).
    pub server_cpu_pct: Option<f64>,
    /// CPU used by this generator over the window, % of one core (Linux only).
    pub loadgen_cpu_pct: Option<f64>,
    /// Client failures.
    pub errors: Vec<String>,
}

/// What the tracker holds for the window `[from, to)` (tracker clock).
pub struct Window {
    /// Start, tracker clock.
    pub from: u64,
    /// End, tracker clock.
    pub to: u64,
}

impl Report {
    /// Fills the counters and latencies from the tracker.
    pub fn measure(&mut self, tracker: &Tracker, window: &Window) {
        let inside = |t: u64| t != 0 && t >= window.from && t < window.to;
        let secs = (window.to - window.from) as f64 / 1e9;
        let mut delivery = Vec::new();
        let mut ack = Vec::new();
        for slot in tracker.slots() {
            let sent = slot.sent.load(Ordering::Acquire);
            let acked = slot.acked.load(Ordering::Acquire);
            let delivered = slot.delivered.load(Ordering::Acquire);
            if inside(acked) {
                self.acked += 1;
            }
            if inside(delivered) {
                self.delivered += 1;
            }
            if inside(sent) {
                self.sent += 1;
                if delivered == 0 {
                    self.undelivered += 1;
                } else {
                    delivery.push(delivered.saturating_sub(sent));
                }
                if acked == 0 {
                    self.unacked += 1;
                } else {
                    ack.push(acked.saturating_sub(sent));
                }
            }
        }
        self.acked_per_sec = self.acked as f64 / secs;
        self.delivered_per_sec = self.delivered as f64 / secs;
        self.delivery_ms = Latency::of(delivery);
        self.ack_ms = Latency::of(ack);
    }

    /// A few human-readable lines.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} / {}: {} clients, {} docs, {} writers, {}, window {}",
            self.server,
            self.scenario,
            self.clients,
            self.docs,
            self.writers,
            if self.rate_per_writer > 0.0 {
                format!("{} change/s per writer", self.rate_per_writer)
            } else {
                "saturation".to_string()
            },
            self.window
        );
        let _ = writeln!(
            s,
            "  acknowledged {:.1} changes/s, delivered to all receivers {:.1} changes/s ({} sent in {:.0} s; {} undelivered, {} unacknowledged)",
            self.acked_per_sec,
            self.delivered_per_sec,
            self.sent,
            self.duration_secs,
            self.undelivered,
            self.unacked
        );
        let l = &self.delivery_ms;
        let _ = writeln!(
            s,
            "  writer→all readers ms: p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}  (n={})",
            l.p50, l.p90, l.p99, l.max, l.count
        );
        let l = &self.ack_ms;
        let _ = writeln!(
            s,
            "  writer→server ack ms:  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}",
            l.p50, l.p90, l.p99, l.max
        );
        let cpu = |c: Option<f64>| c.map_or("n/a".to_string(), |c| format!("{c:.0}%"));
        let _ = writeln!(
            s,
            "  CPU over the window: server {}, loadgen {} (of one core); setup {:.1} s, pre-build {:.1} s",
            cpu(self.server_cpu_pct),
            cpu(self.loadgen_cpu_pct),
            self.setup_secs,
            self.plan_secs
        );
        if self.exhausted_writers > 0 {
            let _ = writeln!(
                s,
                "  WARNING: {} writers ran out of pre-built changes (raise --changes-per-writer)",
                self.exhausted_writers
            );
        }
        for e in &self.errors {
            let _ = writeln!(s, "  ERROR: {e}");
        }
        s
    }
}

/// A Markdown table comparing the servers of `reports` scenario by scenario; with exactly two
/// servers the last column is first / second.
pub fn table(reports: &[Report]) -> String {
    let mut servers: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for r in reports {
        if !servers.contains(&r.server.as_str()) {
            servers.push(&r.server);
        }
        if !scenarios.contains(&r.scenario.as_str()) {
            scenarios.push(&r.scenario);
        }
    }
    let find = |server: &str, scenario: &str| {
        reports
            .iter()
            .find(|r| r.server == server && r.scenario == scenario)
    };
    let ratio = servers.len() == 2;
    let mut out = String::new();
    let _ = write!(out, "| scenario | metric |");
    for s in &servers {
        let _ = write!(out, " {s} |");
    }
    if ratio {
        let _ = write!(out, " {} / {} |", servers[0], servers[1]);
    }
    out.push('\n');
    let _ = write!(out, "|---|---|");
    for _ in &servers {
        out.push_str("---:|");
    }
    if ratio {
        out.push_str("---:|");
    }
    out.push('\n');
    type Metric = (&'static str, fn(&Report) -> Option<f64>, usize);
    let metrics: [Metric; 8] = [
        ("changes/s acknowledged", |r| Some(r.acked_per_sec), 0),
        (
            "changes/s delivered to all readers",
            |r| Some(r.delivered_per_sec),
            0,
        ),
        ("writer→all readers p50 ms", |r| Some(r.delivery_ms.p50), 1),
        ("writer→all readers p99 ms", |r| Some(r.delivery_ms.p99), 1),
        ("writer→all readers max ms", |r| Some(r.delivery_ms.max), 1),
        ("writer→server ack p99 ms", |r| Some(r.ack_ms.p99), 1),
        (
            "undelivered / sent",
            |r| Some(r.undelivered as f64 / r.sent.max(1) as f64 * 100.0),
            2,
        ),
        ("server CPU, % of one core", |r| r.server_cpu_pct, 0),
    ];
    for scenario in &scenarios {
        let Some(any) = reports.iter().find(|r| r.scenario == *scenario) else {
            continue;
        };
        let label = format!(
            "{scenario} ({} clients, {} docs, {})",
            any.clients,
            any.docs,
            if any.rate_per_writer > 0.0 {
                format!("{} ch/s each", any.rate_per_writer)
            } else {
                format!("saturation, window {}", any.window)
            }
        );
        for (i, (name, get, digits)) in metrics.iter().enumerate() {
            let _ = write!(
                out,
                "| {} | {name} |",
                if i == 0 { label.as_str() } else { "" }
            );
            let values: Vec<Option<f64>> = servers
                .iter()
                .map(|s| find(s, scenario).and_then(get))
                .collect();
            for v in &values {
                match v {
                    Some(v) if *digits == 2 => {
                        let _ = write!(out, " {v:.2}% |");
                    }
                    Some(v) => {
                        let _ = write!(out, " {v:.prec$} |", prec = *digits);
                    }
                    None => out.push_str(" n/a |"),
                }
            }
            if ratio {
                match (values[0], values[1]) {
                    (Some(a), Some(b)) if b > 0.0 && *digits != 2 => {
                        let _ = write!(out, " {:.2}× |", a / b);
                    }
                    _ => out.push_str(" |"),
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The goals, checked for the first server against the second: at least `ratio` times
/// the changes/s at `saturation`, and a writer→all readers p99 of at most `p99_ms` at `at_scale`.
pub fn goals(
    reports: &[Report],
    ratio: f64,
    p99_ms: f64,
    saturation: &str,
    at_scale: &str,
) -> String {
    let mut servers: Vec<&str> = Vec::new();
    for r in reports {
        if !servers.contains(&r.server.as_str()) {
            servers.push(&r.server);
        }
    }
    let mut out = String::new();
    let find = |server: &str, scenario: &str| {
        reports
            .iter()
            .find(|r| r.server == server && r.scenario == scenario)
    };
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    if let [a, b] = servers[..]
        && let (Some(ra), Some(rb)) = (find(a, saturation), find(b, saturation))
        && rb.acked_per_sec > 0.0
    {
        let x = ra.acked_per_sec / rb.acked_per_sec;
        let _ = writeln!(
            out,
            "- {a} changes/s at {saturation} ≥ {ratio}× {b}: {:.0} vs {:.0} = {x:.2}× — {}",
            ra.acked_per_sec,
            rb.acked_per_sec,
            verdict(x >= ratio)
        );
    }
    if let Some(first) = servers.first()
        && let Some(r) = find(first, at_scale)
    {
        let p99 = r.delivery_ms.p99;
        let _ = writeln!(
            out,
            "- {first} writer→all readers p99 at {at_scale} ≤ {p99_ms} ms: {p99:.1} ms — {}",
            verdict(p99 <= p99_ms && r.undelivered == 0)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let l = Latency::of((1..=100).map(|ms| ms * 1_000_000).collect());
        assert_eq!(l.count, 100);
        assert_eq!(l.p50, 50.0);
        assert_eq!(l.p99, 99.0);
        assert_eq!(l.max, 100.0);
        assert_eq!(Latency::of(vec![]).count, 0);
        assert_eq!(Latency::of(vec![3_000_000]).p99, 3.0);
    }

    #[test]
    fn table_has_a_ratio_column_for_two_servers() {
        let r = |server: &str, acked: f64| Report {
            server: server.into(),
            scenario: "saturation".into(),
            acked_per_sec: acked,
            ..Report::default()
        };
        let t = table(&[r("a", 1000.0), r("b", 200.0)]);
        assert!(t.contains("| a / b |"), "{t}");
        assert!(t.contains("| 1000 | 200 | 5.00× |"), "{t}");
    }
}
