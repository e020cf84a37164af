//! The simulators' clock. Business time (payments, posts, token expiry, refund progress)
//! follows this clock, not the host's: tests move it by hand, the demo lets it follow real time.
//! Instants are kept to the millisecond, like zsxq timestamps.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

/// How the clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// Stands still until advanced (tests).
    Manual,
    /// Follows real time from where it was set (the demo); advancing jumps ahead.
    RealTime,
}

#[derive(Debug)]
struct ClockState {
    mode: ClockMode,
    base_sim: Timestamp,
    base_real: Instant,
}

impl ClockState {
    fn now(&self) -> Timestamp {
        let t = match self.mode {
            ClockMode::Manual => self.base_sim,
            ClockMode::RealTime => {
                let elapsed = SignedDuration::try_from(self.base_real.elapsed()).unwrap_or(SignedDuration::MAX);
                self.base_sim.checked_add(elapsed).unwrap_or(self.base_sim)
            }
        };
        truncate_to_ms(t)
    }

    fn rebase(&mut self, at: Timestamp) {
        self.base_sim = truncate_to_ms(at);
        self.base_real = Instant::now();
    }
}

/// Asia/Shanghai calendar days with a midnight cutoff (how zsxq counts days), looked up once.
pub fn shanghai_days() -> &'static crate::domain::DayRule {
    static RULE: std::sync::LazyLock<crate::domain::DayRule> =
        std::sync::LazyLock::new(crate::domain::DayRule::shanghai);
    &RULE
}

/// The Asia/Shanghai calendar day of `at`, remembering the last day's bounds per thread
/// (posts arrive in time order, so most lookups hit the same day).
pub fn shanghai_day(at: Timestamp) -> crate::domain::Day {
    use std::cell::Cell;
    thread_local! {
        static LAST: Cell<Option<(Timestamp, Timestamp, crate::domain::Day)>> = const { Cell::new(None) };
    }
    if let Some((from, to, day)) = LAST.get()
        && from <= at
        && at < to
    {
        return day;
    }
    let rule = shanghai_days();
    let day = rule.day_of(at);
    let from = day.start_in(&rule.tz, rule.cutoff);
    let to = day.plus_days(1).start_in(&rule.tz, rule.cutoff);
    LAST.set(Some((from, to, day)));
    day
}

/// Drops sub-millisecond precision.
pub fn truncate_to_ms(t: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t)
}

/// A shared, cloneable simulation clock.
#[derive(Clone, Debug)]
pub struct SimClock {
    state: Arc<Mutex<ClockState>>,
}

/// Why the clock refused a change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Time never runs backwards in the simulation.
    #[error("the sim clock cannot go back from {now} to {requested}")]
    Backwards {
        /// The current sim time.
        now: Timestamp,
        /// The requested time.
        requested: Timestamp,
    },
}

impl SimClock {
    /// A clock showing `start`, moving as `mode` says.
    pub fn new(start: Timestamp, mode: ClockMode) -> SimClock {
        SimClock {
            state: Arc::new(Mutex::new(ClockState {
                mode,
                base_sim: truncate_to_ms(start),
                base_real: Instant::now(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current sim time (millisecond precision).
    pub fn now(&self) -> Timestamp {
        self.lock().now()
    }

    /// How the clock moves.
    pub fn mode(&self) -> ClockMode {
        self.lock().mode
    }

    /// Switches between manual and real-time, keeping the current reading.
    pub fn set_mode(&self, mode: ClockMode) {
        let mut s = self.lock();
        let now = s.now();
        s.mode = mode;
        s.rebase(now);
    }

    /// Moves the clock forward by `by` (a negative duration is refused).
    pub fn advance(&self, by: SignedDuration) -> Result<Timestamp, ClockError> {
        let mut s = self.lock();
        let now = s.now();
        let target = now.checked_add(by).unwrap_or(now);
        if target < now {
            return Err(ClockError::Backwards { now, requested: target });
        }
        s.rebase(target);
        Ok(s.now())
    }

    /// Sets the clock to `at`, which must not be before the current time.
    pub fn set(&self, at: Timestamp) -> Result<Timestamp, ClockError> {
        let mut s = self.lock();
        let now = s.now();
        if truncate_to_ms(at) < now {
            return Err(ClockError::Backwards { now, requested: at });
        }
        s.rebase(at);
        Ok(s.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_stands_still_and_advances() {
        let start: Timestamp = "2025-10-25T04:00:00.123456Z".parse().unwrap();
        let c = SimClock::new(start, ClockMode::Manual);
        assert_eq!(c.now(), "2025-10-25T04:00:00.123Z".parse::<Timestamp>().unwrap());
        assert_eq!(c.now(), c.now());
        let later = c.advance(SignedDuration::from_hours(2)).unwrap();
        assert_eq!(later, "2025-10-25T06:00:00.123Z".parse::<Timestamp>().unwrap());
        assert!(matches!(c.advance(SignedDuration::from_secs(-1)), Err(ClockError::Backwards { .. })));
        assert!(c.set(start).is_err());
        let t: Timestamp = "2025-11-01T00:00:00Z".parse().unwrap();
        assert_eq!(c.set(t).unwrap(), t);
    }

    #[test]
    fn cached_shanghai_day_agrees_with_the_day_rule() {
        let rule = shanghai_days();
        let base: Timestamp = "2025-11-03T15:59:59.999Z".parse().unwrap();
        for ms in [0i64, 1, 1000, 3_600_000, 86_400_000, -86_400_000, 7, 86_399_999, -1] {
            let t = base.checked_add(SignedDuration::from_millis(ms)).unwrap();
            assert_eq!(shanghai_day(t), rule.day_of(t), "{t}");
        }
    }

    #[test]
    fn real_time_clock_moves_forward() {
        let start: Timestamp = "2025-10-25T04:00:00Z".parse().unwrap();
        let c = SimClock::new(start, ClockMode::RealTime);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(c.now() > start);
        c.set_mode(ClockMode::Manual);
        let frozen = c.now();
        std::thread::sleep(std::time::Duration::from_millis(3));
        assert_eq!(c.now(), frozen);
    }
}
