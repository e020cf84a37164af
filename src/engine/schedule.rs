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
    /// Extra runs this often after the last run.
    pub interval: Option<SignedDuration>,
    /// When interval runs happen (e.g. while a camp runs); empty: any time.
    pub interval_windows: Vec<(Timestamp, Timestamp)>,
    /// One-off runs (e.g. after a camp's last day ends).
    pub once_at: Vec<Timestamp>,
    /// No daily or interval runs after this instant (one-off runs still happen); None: never stops.
    pub until: Option<Timestamp>,
}

impl Schedule {
    /// Daily at `at`, nothing else.
    pub fn daily(at: DayCutoff) -> Schedule {
        Schedule { daily_at: at, interval: None, interval_windows: Vec::new(), once_at: Vec::new(), until: None }
    }
}

/// The next run after the last run `last` (now when a run is due or none happened yet);
/// None when the schedule has ended.
pub fn next_run(schedule: &Schedule, tz: &TimeZone, now: Timestamp, last: Option<Timestamp>) -> Option<Timestamp> {
    let Some(last) = last else {
        return Some(now);
    };
    let within = |t: Timestamp| schedule.until.is_none_or(|u| t <= u);
    let mut candidates = Vec::new();
    let daily = next_daily(schedule.daily_at, tz, last);
    if within(daily) {
        candidates.push(daily);
    }
    if let Some(every) = schedule.interval
        && let Ok(t) = last.checked_add(every)
    {
        let t = if schedule.interval_windows.is_empty() {
            Some(t)
        } else {
            schedule.interval_windows.iter().filter(|(_, end)| *end >= t).map(|(start, _)| t.max(*start)).min()
        };
        if let Some(t) = t.filter(|t| within(*t)) {
            candidates.push(t);
        }
    }
    candidates.extend(schedule.once_at.iter().copied().filter(|t| *t > last));
    candidates.into_iter().min().map(|t| t.max(now))
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
        Schedule::daily(DayCutoff::new(h, m).unwrap())
    }

    #[test]
    fn first_run_is_immediate() {
        let now = ts("2025-11-01T05:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, None), Some(now));
    }

    #[test]
    fn daily_run_is_after_0100_local() {
        // Last success 2025-11-01 10:00 Shanghai → next 2025-11-02 01:00 Shanghai = 2025-11-01T17:00Z.
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-01T03:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, Some(last)), Some(ts("2025-11-01T17:00:00Z")));
    }

    #[test]
    fn a_missed_daily_run_happens_now() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-03T02:00:00Z");
        assert_eq!(next_run(&daily(1, 0), &shanghai(), now, Some(last)), Some(now));
    }

    #[test]
    fn interval_and_final_runs_come_first_when_earlier() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-01T02:30:00Z");
        let mut s = daily(1, 0);
        s.interval = Some(SignedDuration::from_hours(6));
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), Some(ts("2025-11-01T08:00:00Z")));
        s.once_at = vec![ts("2025-11-01T04:30:00Z"), ts("2025-10-01T00:00:00Z")];
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), Some(ts("2025-11-01T04:30:00Z")));
    }

    #[test]
    fn a_final_run_missed_while_down_happens_now() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-05T02:00:00Z");
        let mut s = daily(1, 0);
        s.once_at = vec![ts("2025-11-04T16:30:00Z")];
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), Some(now));
    }

    #[test]
    fn interval_runs_only_inside_their_windows() {
        let last = ts("2025-11-01T02:00:00Z");
        let now = ts("2025-11-01T02:30:00Z");
        let mut s = daily(1, 0);
        s.interval = Some(SignedDuration::from_hours(2));
        // The camp runs from 06:00Z: the first interval run waits for it.
        s.interval_windows = vec![(ts("2025-11-01T06:00:00Z"), ts("2025-11-03T00:00:00Z"))];
        assert_eq!(next_run(&s, &shanghai(), now, Some(last)), Some(ts("2025-11-01T06:00:00Z")));
        // Inside the window: every 2 h.
        let last = ts("2025-11-01T07:00:00Z");
        assert_eq!(next_run(&s, &shanghai(), last, Some(last)), Some(ts("2025-11-01T09:00:00Z")));
        // After the window only the daily run is left.
        let last = ts("2025-11-03T01:00:00Z");
        assert_eq!(next_run(&s, &shanghai(), last, Some(last)), Some(ts("2025-11-03T17:00:00Z")));
    }

    #[test]
    fn an_ended_schedule_keeps_only_its_one_off_runs() {
        let mut s = daily(1, 0);
        s.until = Some(ts("2025-11-02T00:00:00Z"));
        s.once_at = vec![ts("2025-11-05T00:00:00Z")];
        let last = ts("2025-11-02T03:00:00Z");
        assert_eq!(next_run(&s, &shanghai(), last, Some(last)), Some(ts("2025-11-05T00:00:00Z")));
        let last = ts("2025-11-05T01:00:00Z");
        assert_eq!(next_run(&s, &shanghai(), last, Some(last)), None);
        assert_eq!(next_run(&s, &shanghai(), last, None), Some(last), "a task that never ran runs once");
    }
}
