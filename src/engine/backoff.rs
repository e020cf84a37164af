//! Exponential backoff with jitter (pure).

use std::time::Duration;

/// How a task retries transient failures.
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    /// First delay.
    pub base: Duration,
    /// Longest delay.
    pub cap: Duration,
    /// Attempts before giving up (including the first).
    pub max_attempts: u32,
    /// Relative jitter, e.g. 0.2 for ±20 %.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(300), max_attempts: 5, jitter: 0.2 }
    }
}

impl Backoff {
    /// The delay after failed attempt `attempt` (1-based); `unit` in [0, 1) picks the jitter.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let exp = self.base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1).min(20)));
        let capped = exp.min(self.cap);
        let factor = 1.0 + self.jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        capped.mul_f64(factor.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_then_caps() {
        let b = Backoff { jitter: 0.0, ..Backoff::default() };
        assert_eq!(b.delay(1, 0.5), Duration::from_secs(5));
        assert_eq!(b.delay(2, 0.5), Duration::from_secs(10));
        assert_eq!(b.delay(4, 0.5), Duration::from_secs(40));
        assert_eq!(b.delay(30, 0.5), Duration::from_secs(300));
    }

    proptest! {
        #[test]
        fn jitter_stays_within_bounds(attempt in 1u32..40, unit in 0.0f64..1.0) {
            let b = Backoff::default();
            let d = b.delay(attempt, unit).as_secs_f64();
            let nominal = (5.0 * 2f64.powi(attempt as i32 - 1)).min(300.0);
            prop_assert!(d >= nominal * 0.8 - 1e-9 && d <= nominal * 1.2 + 1e-9);
        }
    }
}
