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
    parse_cpu_ns: AtomicU64,
    store_ns: AtomicU64,
    store_cpu_ns: AtomicU64,
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
    /// CPU seconds of that (unaffected by other processes on the machine).
    pub parse_cpu_s: f64,
    /// Seconds spent archiving and storing (transactions and commits).
    pub store_s: f64,
    /// CPU seconds of that.
    pub store_cpu_s: f64,
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

    /// Adds parsing time (wall and CPU).
    pub fn add_parse(&self, d: Duration, cpu: Duration) {
        self.parse_ns.fetch_add(nanos(d), Ordering::Relaxed);
        self.parse_cpu_ns.fetch_add(nanos(cpu), Ordering::Relaxed);
    }

    /// Adds one commit, its time (wall and CPU) and the records it held.
    pub fn add_commit(&self, d: Duration, cpu: Duration, records: u64) {
        self.store_ns.fetch_add(nanos(d), Ordering::Relaxed);
        self.store_cpu_ns.fetch_add(nanos(cpu), Ordering::Relaxed);
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
            parse_cpu_s: s(&self.parse_cpu_ns),
            store_s: s(&self.store_ns),
            store_cpu_s: s(&self.store_cpu_ns),
            records: self.records.load(Ordering::Relaxed),
            commits: self.commits.load(Ordering::Relaxed),
        }
    }
}

/// CPU time used so far by the calling thread (Linux `CLOCK_THREAD_CPUTIME_ID`; zero
/// where unavailable): figures that wall time on a busy machine would distort.
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec it is given, which lives on this stack.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 || ts.tv_sec < 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up() {
        let m = SyncMeter::default();
        m.add_network(Duration::from_millis(1500));
        m.add_network(Duration::from_millis(500));
        m.add_parse(Duration::from_millis(250), Duration::from_millis(200));
        m.add_commit(Duration::from_millis(100), Duration::from_millis(80), 20);
        m.add_commit(Duration::from_millis(100), Duration::from_millis(80), 5);
        let r = m.reading();
        assert_eq!((r.requests, r.records, r.commits), (2, 25, 2));
        assert!((r.network_s - 2.0).abs() < 1e-9);
        assert!((r.parse_s - 0.25).abs() < 1e-9);
        assert!((r.store_s - 0.2).abs() < 1e-9);
        assert!((r.store_cpu_s - 0.16).abs() < 1e-9);
    }

    #[test]
    fn thread_cpu_time_grows_with_work() {
        let before = thread_cpu();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(thread_cpu() > before);
    }
}
