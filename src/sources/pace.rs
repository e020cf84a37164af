//! Request pacing: at least `pace` (plus up to `jitter` × `pace` at random) between
//! two requests to one platform, across every task that shares the pacer. zsxq has no
//! published quota; the tools that last pace about one request every 2–3 s.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::engine::{JobError, RunContext};

/// Spaces requests out; shared by every task of a platform.
#[derive(Debug)]
pub struct Pacer {
    pace: Duration,
    jitter: f64,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    /// Requests at least `pace` apart, plus a random extra of up to `jitter` × `pace`.
    pub fn new(pace: Duration, jitter: f64) -> Pacer {
        Pacer { pace, jitter: jitter.clamp(0.0, 10.0), next_free: Mutex::new(None) }
    }

    /// No pacing (tests, benchmarks).
    pub fn none() -> Pacer {
        Pacer::new(Duration::ZERO, 0.0)
    }

    /// The configured pause.
    pub fn pace(&self) -> Duration {
        self.pace
    }

    /// The gap to keep after a request, given a draw `unit` in [0, 1).
    pub fn gap(&self, unit: f64) -> Duration {
        self.pace.mul_f64(1.0 + self.jitter * unit.clamp(0.0, 1.0))
    }

    /// Waits for this request's turn; returns how long it waited. Ends early (with
    /// `Err`) when the engine shuts down.
    pub async fn wait(&self, ctx: &RunContext) -> Result<Duration, JobError> {
        if self.pace.is_zero() {
            return Ok(Duration::ZERO);
        }
        // Holding the lock while sleeping queues the callers: one request per turn.
        let mut next = self.next_free.lock().await;
        let now = Instant::now();
        let waited = match *next {
            Some(t) if t > now => {
                let d = t - now;
                ctx.sleep(d).await?;
                d
            }
            _ => Duration::ZERO,
        };
        *next = Some(Instant::now() + self.gap(rand::random::<f64>()));
        Ok(waited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EngineStatus, TaskId};
    use std::sync::Arc;
    use tokio::sync::watch;
    use tokio_util::sync::CancellationToken;

    fn ctx() -> RunContext {
        RunContext::detached(
            TaskId::new("zsxq", None),
            Arc::new(watch::Sender::new(EngineStatus::default())),
            CancellationToken::new(),
        )
    }

    #[test]
    fn the_gap_is_the_pace_plus_bounded_jitter() {
        let p = Pacer::new(Duration::from_secs(2), 0.5);
        assert_eq!(p.gap(0.0), Duration::from_secs(2));
        assert_eq!(p.gap(1.0), Duration::from_secs(3));
        assert!(p.gap(0.5) > Duration::from_secs(2) && p.gap(0.5) < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn requests_are_spaced_and_the_first_goes_at_once() {
        let p = Pacer::new(Duration::from_millis(40), 0.0);
        let c = ctx();
        let start = Instant::now();
        assert_eq!(p.wait(&c).await.unwrap(), Duration::ZERO);
        p.wait(&c).await.unwrap();
        p.wait(&c).await.unwrap();
        assert!(Instant::now() - start >= Duration::from_millis(80));
        assert_eq!(Pacer::none().wait(&c).await.unwrap(), Duration::ZERO);
        c.cancel_token().cancel();
        assert!(p.wait(&c).await.is_err(), "a wait ends on shutdown");
    }
}
