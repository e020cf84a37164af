//! Failures of one platform call, classified, and the retry loop every sync page goes
//! through: transient failures back off (reported through `ctx.backing_off`) and try
//! again; an answer that does not fit the request (a repeated or stale page) is
//! refused and fetched again; an answer that cannot be checked on its own (an empty
//! last page, the first page of a walk) is accepted only when a second fetch agrees.

use std::future::Future;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::engine::{Backoff, ErrorClass, JobError, RunContext};

/// Why one call failed, and how to handle it.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Retry, stop the source, or fail the run.
    pub class: ErrorClass,
    /// What happened and, for configuration problems, what the owner must do. Never a secret.
    pub message: String,
    /// A rate limit that lasts at least this long (WeCom 45009 blocks for a minute).
    pub wait_at_least: Option<Duration>,
    /// The platform's error code, when it sent one (`code` / `errcode`).
    pub code: Option<i64>,
}

impl Failure {
    /// A failure of `class`.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Failure {
        Failure { class, message: message.into(), wait_at_least: None, code: None }
    }

    /// Transient: back off and retry.
    pub fn retryable(message: impl Into<String>) -> Failure {
        Failure::new(ErrorClass::Retryable, message)
    }

    /// The login/token is not valid: stop this source.
    pub fn token(message: impl Into<String>) -> Failure {
        Failure::new(ErrorClass::Token, message)
    }

    /// Configuration the owner must fix.
    pub fn config(message: impl Into<String>) -> Failure {
        Failure::new(ErrorClass::Config, message)
    }

    /// The platform answered something campdesk cannot accept.
    pub fn data(message: impl Into<String>) -> Failure {
        Failure::new(ErrorClass::Data, message)
    }

    /// A local failure (store, disk) or a bug.
    pub fn internal(message: impl Into<String>) -> Failure {
        Failure::new(ErrorClass::Internal, message)
    }

    /// Sets the shortest wait before a retry.
    pub fn wait_at_least(mut self, d: Duration) -> Failure {
        self.wait_at_least = Some(d);
        self
    }

    /// Notes the platform's error code.
    pub fn with_code(mut self, code: i64) -> Failure {
        self.code = Some(code);
        self
    }

    /// Prefixes the message with what was being fetched.
    pub fn context(mut self, what: &str) -> Failure {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Failure> for JobError {
    fn from(f: Failure) -> JobError {
        JobError::new(f.class, f.message)
    }
}

/// What a fetched page is worth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// It fits the request: use it.
    Accept,
    /// It may be right but cannot be checked on its own: use it once a second fetch
    /// gives the same answer.
    Confirm,
    /// It does not fit the request (a repeated or stale page): fetch again after a backoff.
    Reject(String),
}

/// Answers to the same request that may disagree before one is confirmed.
const MAX_CONFIRMATIONS: u32 = 6;

/// Fetches with `fetch` until `judge` accepts the answer (or, for answers it wants
/// confirmed, until two consecutive answers are the `same`). Transient failures and
/// rejected answers back off per `policy`; other failures end the loop at once.
pub async fn fetch_until_accepted<P, F, Fut>(
    ctx: &RunContext,
    policy: &Backoff,
    what: &str,
    mut fetch: F,
    mut judge: impl FnMut(&P) -> Judgement,
    same: impl Fn(&P, &P) -> bool,
) -> Result<P, JobError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<P, Failure>>,
{
    let mut attempt: u32 = 1;
    let mut candidate: Option<P> = None;
    let mut confirmations = 0;
    loop {
        let failure = match fetch().await {
            Ok(page) => match judge(&page) {
                Judgement::Accept => return Ok(page),
                Judgement::Confirm => {
                    if candidate.as_ref().is_some_and(|c| same(c, &page)) {
                        return Ok(page);
                    }
                    confirmations += 1;
                    if confirmations > MAX_CONFIRMATIONS {
                        Failure::retryable("the answers kept changing between fetches")
                    } else {
                        tracing::debug!(task = %ctx.task(), what, "confirming the answer with a second fetch");
                        candidate = Some(page);
                        continue;
                    }
                }
                Judgement::Reject(reason) => {
                    candidate = None;
                    Failure::retryable(reason)
                }
            },
            Err(f) => f,
        };
        if failure.class != ErrorClass::Retryable {
            tracing::warn!(task = %ctx.task(), what, class = failure.class.label(), error = %failure.message, "sync failed");
            return Err(failure.context(what).into());
        }
        if attempt >= policy.max_attempts {
            tracing::warn!(task = %ctx.task(), what, attempts = attempt, error = %failure.message, "giving up for this run");
            return Err(JobError::retryable(format!("{what}: {} (after {attempt} attempts)", failure.message)));
        }
        let delay = policy.delay(attempt, rand::random::<f64>()).max(failure.wait_at_least.unwrap_or_default());
        let until = Timestamp::now()
            .checked_add(SignedDuration::try_from(delay).unwrap_or_default())
            .unwrap_or_else(|_| Timestamp::now());
        tracing::warn!(
            task = %ctx.task(), what, attempt, wait_ms = delay.as_millis() as u64, error = %failure.message, "retrying"
        );
        ctx.backing_off(until, attempt, &format!("{what}: {}", failure.message));
        ctx.sleep(delay).await?;
        attempt += 1;
    }
}

/// [`fetch_until_accepted`] for answers that need no checking.
pub async fn with_retries<P, F, Fut>(ctx: &RunContext, policy: &Backoff, what: &str, fetch: F) -> Result<P, JobError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<P, Failure>>,
{
    fetch_until_accepted(ctx, policy, what, fetch, |_| Judgement::Accept, |_, _| false).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EngineStatus, TaskId};
    use std::cell::RefCell;
    use std::sync::Arc;
    use tokio::sync::watch;
    use tokio_util::sync::CancellationToken;

    fn ctx() -> RunContext {
        RunContext::detached(
            TaskId::new("zsxq", Some("c1")),
            Arc::new(watch::Sender::new(EngineStatus::default())),
            CancellationToken::new(),
        )
    }

    fn fast() -> Backoff {
        Backoff { base: Duration::from_millis(1), cap: Duration::from_millis(2), max_attempts: 4, jitter: 0.0 }
    }

    /// Serves the scripted answers in order.
    fn script(answers: Vec<Result<u32, Failure>>) -> RefCell<std::vec::IntoIter<Result<u32, Failure>>> {
        RefCell::new(answers.into_iter())
    }

    #[tokio::test]
    async fn transient_failures_retry_and_others_stop_at_once() {
        let s = script(vec![Err(Failure::retryable("1059")), Err(Failure::retryable("500")), Ok(7)]);
        let got = with_retries(&ctx(), &fast(), "page", || async { s.borrow_mut().next().unwrap() }).await;
        assert_eq!(got, Ok(7));

        let s = script(vec![Err(Failure::retryable("1059")), Err(Failure::token("401")), Ok(7)]);
        let err = with_retries(&ctx(), &fast(), "page", || async { s.borrow_mut().next().unwrap() }).await.unwrap_err();
        assert_eq!((err.class, err.message.as_str()), (ErrorClass::Token, "page: 401"));

        let s = script((0..10).map(|_| Err(Failure::retryable("busy"))).collect());
        let err = with_retries(&ctx(), &fast(), "page", || async { s.borrow_mut().next().unwrap() }).await.unwrap_err();
        assert_eq!(err.class, ErrorClass::Retryable);
        assert!(err.message.contains("after 4 attempts"), "{}", err.message);
    }

    #[tokio::test]
    async fn rejected_answers_are_fetched_again_and_confirmations_need_two_equal_answers() {
        // 1 is rejected (stale), 2 and 3 disagree, 3 and 3 agree.
        let s = script(vec![Ok(1), Ok(2), Ok(3), Ok(3), Ok(4)]);
        let judge = |p: &u32| if *p == 1 { Judgement::Reject("stale".into()) } else { Judgement::Confirm };
        let got = fetch_until_accepted(
            &ctx(),
            &fast(),
            "page",
            || async { s.borrow_mut().next().unwrap() },
            judge,
            |a, b| a == b,
        )
        .await;
        assert_eq!(got, Ok(3));
        assert_eq!(s.borrow_mut().next().unwrap(), Ok(4), "nothing more was fetched");
    }

    #[tokio::test]
    async fn a_cancelled_backoff_ends_the_run() {
        let c = ctx();
        c.cancel_token().cancel();
        let slow =
            Backoff { base: Duration::from_secs(60), cap: Duration::from_secs(60), max_attempts: 3, jitter: 0.0 };
        let err = with_retries(&c, &slow, "page", || async { Err::<u32, _>(Failure::retryable("busy")) }).await;
        assert_eq!(err, Err(JobError::cancelled()));
    }
}
