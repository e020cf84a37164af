//! When a sync task runs next (pure): daily at a local time, optionally every
//! interval, and once after each camp ends (the final, freezing sync).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::domain::DayCutoff;

/// A task's schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Local time of the daily run.
    pub daily_at: DayCutoff,
    /// Extra runs this often after the last success.
    pub interval: Option<SignedDuration>,
    /// One-off runs (e.g. after a camp's last day ends).
    pub once_at: Vec<Timestamp>,
}

/// The next run after `last_success` (or now, if a run is due or never happened).
pub fn next_run(schedule: &Schedule, tz: &TimeZone, now: Timestamp, last_success: Option<Timestamp>) -> Timestamp {
    let Some(last) = last_success else {
        return now;
    };
    let mut candidates = vec![next_daily(schedule.daily_at, tz, last)];
    if let Some(every) = schedule.interval
        && let Ok(t) = last.checked_add(every)
    {
        candidates.push(t);
    }
    candidates.extend(schedule.once_at.iter().copied().filter(|t| *t > last));
    candidates.into_iter().min().map_or(now, |t| t.max(now))
}

/// The first instant after `after` at which the local clock shows `at`.
pub fn next_daily(at: DayCutoff, tz: &TimeZone, after: Timestamp) -> Timestamp {
    let local = after.to_zoned_datetime(tz.clone());
    let mut day = local.date();
    for _ in 0..3 {
        let candidate = tz.to_ambiguous_timestamp(day.to_datetime(at.time())).compatible();
        if let Ok(t) = candidate
            && t > after
        {
            return t;
        }
        day = day.tomorrow().unwrap_or(day);
    }
    after.checked_add(SignedDuration::from_hours(24)).unwrap_or(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::shanghai;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn daily(h: i8, m: i8) -> Schedule {
        Schedule { daily_at: DayCutoff::new(h, m).unwrap(), interval: None, once_at: vec![] }
    }

    #[test]
    fn first_run_is_immediate() {
        let now = ts("2025-11-01T05:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, None), now);
    }

    #[test]
    fn daily_run_is_after_0100_local() {
        // Last success 2025-11-01 10:00 Shanghai → next 2025-11-02 01:00 Shanghai = 2025-11-01T17:00Z.
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-01T03:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, Some(last)), ts("2025-11-01T17:00:00Z"));
    }

    #[test]
    fn a_missed_daily_run_happens_now() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-03T02:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, Some(last)), now);
    }

    #[test]
    fn interval_and_final_runs_come_first_when_earlier() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-01T02:30:00Z");
        let mut s = daily(1, 0);
        s.interval = Some(SignedDuration::from_hours(6));
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), ts("2025-11-01T08:00:00Z"));
        s.once_at = vec![ts("2025-11-01T04:30:00Z"), ts("2025-10-01T00:00:00Z")];
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), ts("2025-11-01T04:30:00Z"));
    }

    #[test]
    fn a_final_run_missed_while_down_happens_now() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-05T02:00:00Z");
        let mut s = daily(1, 0);
        s.once_at = vec![ts("2025-11-04T16:30:00Z")];
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), now);
    }
}
