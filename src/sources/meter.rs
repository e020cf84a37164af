//! Where sync time goes: waiting for the network, parsing, storing. Shared by every
//! adapter and job of an engine (atomics, no locks); `campdesk bench sync` prints it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Running totals of a sync engine.
#[derive(Debug, Default)]
pub struct SyncMeter {
    requests: AtomicU64,
    network_ns: AtomicU64,
    pacing_ns: AtomicU64,
    parse_ns: AtomicU64,
    store_ns: AtomicU64,
    records: AtomicU64,
    commits: AtomicU64,
}

/// A copy of the totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MeterReading {
    /// HTTP requests answered or failed.
    pub requests: u64,
    /// Seconds spent waiting for answers (summed over concurrent tasks).
    pub network_s: f64,
    /// Seconds spent pacing between requests.
    pub pacing_s: f64,
    /// Seconds spent parsing bodies.
    pub parse_s: f64,
    /// Seconds spent archiving and storing (transactions and commits).
    pub store_s: f64,
    /// Records parsed from pages that were committed.
    pub records: u64,
    /// Write transactions committed.
    pub commits: u64,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl SyncMeter {
    /// Adds one request and its wait.
    pub fn add_network(&self, d: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.network_ns.fetch_add(nanos(d), Ordering::Relaxed);
    }

    /// Adds time spent pacing.
    pub fn add_pacing(&self, d: Duration) {
        self.pacing_ns.fetch_add(nanos(d), Ordering::Relaxed);
    }

    /// Adds parsing time.
    pub fn add_parse(&self, d: Duration) {
        self.parse_ns.fetch_add(nanos(d), Ordering::Relaxed);
    }

    /// Adds one commit, its time and the records it held.
    pub fn add_commit(&self, d: Duration, records: u64) {
        self.store_ns.fetch_add(nanos(d), Ordering::Relaxed);
        self.records.fetch_add(records, Ordering::Relaxed);
        self.commits.fetch_add(1, Ordering::Relaxed);
    }

    /// The totals so far.
    pub fn reading(&self) -> MeterReading {
        let s = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e9;
        MeterReading {
            requests: self.requests.load(Ordering::Relaxed),
            network_s: s(&self.network_ns),
            pacing_s: s(&self.pacing_ns),
            parse_s: s(&self.parse_ns),
            store_s: s(&self.store_ns),
            records: self.records.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up() {
        let m = SyncMeter::default();
        m.add_network(Duration::from_millis(1500));
        m.add_network(Duration::from_millis(500));
        m.add_parse(Duration::from_millis(250));
        m.add_commit(Duration::from_millis(100), 20);
        m.add_commit(Duration::from_millis(100), 5);
        let r = m.reading();
        assert_eq!((r.requests, r.records, r.commits), (2, 25, 2));
        assert!((r.network_s - 2.0).abs() < 1e-9);
        assert!((r.parse_s - 0.25).abs() < 1e-9);
        assert!((r.store_s - 0.2).abs() < 1e-9);
    }
}
