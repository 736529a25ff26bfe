//! Prometheus metrics (`GET /metrics`): connections, frames, accepted changes, denials by
//! reason, and latency histograms for storing changes and handling frames.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Why something was denied.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DenialLabels {
    /// `other_firm`, `not_shared`, `unauthorized`, `rate_limited`, `frame_too_large`,
    /// `message_rate`, `firm_connections`, `document_too_large`.
    pub reason: String,
}

/// Direction of a frame.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DirectionLabels {
    /// `in` or `out`.
    pub direction: String,
}

/// Every metric the relay exports.
pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections.
    pub connections: Gauge,
    /// Protocol frames by direction.
    pub frames: Family<DirectionLabels, Counter>,
    /// Automerge changes accepted and stored.
    pub changes: Counter,
    /// Denials by reason.
    pub denials: Family<DenialLabels, Counter>,
    /// Seconds to seal and store a batch of accepted changes.
    pub persist_seconds: Histogram,
    /// Seconds a firm's hub spends on one event (frame, load, tick) including storage.
    pub event_seconds: Histogram,
    /// Estimated memory of the documents the firms' hubs hold.
    pub resident_document_bytes: Gauge,
    /// Documents dropped from memory while clients still had them open (idle, or over a
    /// firm's memory budget).
    pub evicted_documents: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("hearth_relay");
        let connections = Gauge::default();
        let frames = Family::<DirectionLabels, Counter>::default();
        let changes = Counter::default();
        let denials = Family::<DenialLabels, Counter>::default();
        let persist_seconds = Histogram::new(exponential_buckets(0.0001, 2.0, 18));
        let event_seconds = Histogram::new(exponential_buckets(0.00005, 2.0, 20));
        registry.register(
            "connections",
            "Open WebSocket connections",
            connections.clone(),
        );
        registry.register("frames", "Protocol frames by direction", frames.clone());
        registry.register(
            "changes",
            "Automerge changes accepted and stored",
            changes.clone(),
        );
        registry.register("denials", "Requests denied, by reason", denials.clone());
        registry.register(
            "persist_seconds",
            "Time to seal and store accepted changes",
            persist_seconds.clone(),
        );
        registry.register(
            "event_seconds",
            "Time a firm hub spends on one event",
            event_seconds.clone(),
        );
        let resident_document_bytes = Gauge::default();
        registry.register(
            "resident_document_bytes",
            "Estimated memory of the documents held by the firms' hubs",
            resident_document_bytes.clone(),
        );
        let evicted_documents = Counter::default();
        registry.register(
            "evicted_documents",
            "Documents dropped from memory while clients had them open",
            evicted_documents.clone(),
        );
        Self {
            registry,
            connections,
            resident_document_bytes,
            evicted_documents,
            frames,
            changes,
            denials,
            persist_seconds,
            event_seconds,
        }
    }
}

impl Metrics {
    /// Counts a denial.
    pub fn deny(&self, reason: &str) {
        self.denials
            .get_or_create(&DenialLabels {
                reason: reason.to_string(),
            })
            .inc();
    }

    /// Counts a frame.
    pub fn frame(&self, direction: &'static str) {
        self.frames
            .get_or_create(&DirectionLabels {
                direction: direction.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "could not encode metrics");
        }
        out
    }
}
