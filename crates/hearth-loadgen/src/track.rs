//! Shared, lock-free bookkeeping of every pre-built change: when it was sent, when the server
//! acknowledged it, and when the last of its receivers got it.
//!
//! Times are nanoseconds since the tracker's origin, plus one (zero means "not yet").

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use crate::plan::Plan;

/// One change's timeline.
pub struct Slot {
    /// When the writer handed it to its socket.
    pub sent: AtomicU64,
    /// When the writer saw the server's heads include it.
    pub acked: AtomicU64,
    /// When the last receiver's heads included it.
    pub delivered: AtomicU64,
    /// Receivers that still lack it.
    remaining: AtomicU32,
}

/// Every change's timeline, and running totals for the drain.
pub struct Tracker {
    origin: Instant,
    /// Slot of writer `w`'s change `k` is `slots[offsets[w] + k]`.
    offsets: Vec<usize>,
    slots: Vec<Slot>,
    /// Changes sent so far.
    pub sent_total: AtomicU64,
    /// Changes acknowledged so far.
    pub acked_total: AtomicU64,
    /// Changes received by all their receivers so far.
    pub delivered_total: AtomicU64,
}

impl Tracker {
    /// Slots for every change of the plan.
    pub fn new(plan: &Plan) -> Self {
        let mut offsets = Vec::with_capacity(plan.writers.len());
        let mut slots = Vec::with_capacity(plan.total_changes());
        for w in &plan.writers {
            offsets.push(slots.len());
            let receivers = u32::try_from(w.receivers).unwrap_or(u32::MAX);
            slots.extend(w.changes.iter().map(|_| Slot {
                sent: AtomicU64::new(0),
                acked: AtomicU64::new(0),
                delivered: AtomicU64::new(0),
                remaining: AtomicU32::new(receivers),
            }));
        }
        Tracker {
            origin: Instant::now(),
            offsets,
            slots,
            sent_total: AtomicU64::new(0),
            acked_total: AtomicU64::new(0),
            delivered_total: AtomicU64::new(0),
        }
    }

    /// The clock the slots use: nanoseconds since the origin, plus one.
    pub fn now(&self) -> u64 {
        self.at(Instant::now())
    }

    /// `instant` on the slots' clock.
    pub fn at(&self, instant: Instant) -> u64 {
        u64::try_from(instant.saturating_duration_since(self.origin).as_nanos())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    fn slot(&self, writer: usize, k: usize) -> &Slot {
        &self.slots[self.offsets[writer] + k]
    }

    /// Writer `writer` is sending its change `k` now.
    pub fn sent(&self, writer: usize, k: usize) {
        self.slot(writer, k)
            .sent
            .store(self.now(), Ordering::Release);
        self.sent_total.fetch_add(1, Ordering::AcqRel);
    }

    /// The server has writer `writer`'s change `k` (seen at `now`).
    pub fn acked(&self, writer: usize, k: usize, now: u64) {
        self.slot(writer, k).acked.store(now, Ordering::Release);
        self.acked_total.fetch_add(1, Ordering::AcqRel);
    }

    /// One receiver has writer `writer`'s change `k` (seen at `now`).
    pub fn arrived(&self, writer: usize, k: usize, now: u64) {
        let slot = self.slot(writer, k);
        if slot.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            slot.delivered.store(now, Ordering::Release);
            self.delivered_total.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// When writer `writer` sent its change `k` (0 if not yet).
    pub fn sent_at(&self, writer: usize, k: usize) -> u64 {
        self.slot(writer, k).sent.load(Ordering::Acquire)
    }

    /// Every slot, in no particular order.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }
}
