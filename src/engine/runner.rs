//! One task's loop: wait for its schedule or a "sync now", run the job with
//! bounded concurrency, back off and retry transient failures, publish status.

use std::sync::Arc;

use jiff::{Timestamp, tz::TimeZone};
use rand::RngExt;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::job::{JobError, RunContext, SyncJob};
use super::schedule::{Schedule, next_run};
use super::status::{Alert, EngineStatus, ErrorClass, RunCounts, Severity, TaskId, TaskState};

/// The result of one run (after its retries).
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    /// Which task.
    pub id: TaskId,
    /// What it brought in, or why it failed.
    pub result: Result<RunCounts, JobError>,
}

/// A request to a task.
pub(crate) enum TaskCommand {
    /// Run as soon as possible; report the outcome to the sender if any.
    RunNow(Option<oneshot::Sender<RunOutcome>>),
}

pub(crate) struct Runner {
    pub job: Arc<dyn SyncJob>,
    pub schedule: Option<Schedule>,
    pub tz: TimeZone,
    pub backoff: Backoff,
    pub status: Arc<watch::Sender<EngineStatus>>,
    pub permits: Arc<Semaphore>,
    pub cancel: CancellationToken,
    pub commands: mpsc::UnboundedReceiver<TaskCommand>,
    pub rng: rand_chacha::ChaCha8Rng,
}

impl Runner {
    fn id(&self) -> TaskId {
        self.job.id()
    }

    fn set<F: FnOnce(&mut super::status::TaskStatus)>(&self, f: F) {
        let id = self.id();
        self.status.send_modify(|s| {
            if let Some(t) = s.tasks.iter_mut().find(|t| t.id == id) {
                f(t);
            }
        });
    }

    fn last_success(&self) -> Option<Timestamp> {
        self.status.borrow().task(&self.id()).and_then(|t| t.last_success)
    }

    pub(crate) async fn run(mut self) {
        // Schedules count from the last run, failed or not, so a failing task waits
        // for its next slot instead of running again at once.
        let mut last_run: Option<Timestamp> = None;
        loop {
            let last = last_run.or_else(|| self.last_success());
            let next = self.schedule.as_ref().and_then(|s| next_run(s, &self.tz, Timestamp::now(), last));
            self.set(|t| t.next_run = next);
            let mut waiters = Vec::new();
            let sleep = async {
                match next {
                    Some(at) => {
                        let wait = Timestamp::now().duration_until(at).unsigned_abs();
                        let wait = if at <= Timestamp::now() { std::time::Duration::ZERO } else { wait };
                        tokio::time::sleep(wait).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return,
                cmd = self.commands.recv() => match cmd {
                    Some(TaskCommand::RunNow(w)) => waiters.extend(w),
                    None => return,
                },
                _ = sleep => {}
            }
            // Coalesce: every request queued so far is served by this one run.
            while let Ok(TaskCommand::RunNow(w)) = self.commands.try_recv() {
                waiters.extend(w);
            }
            self.set(|t| t.queued = false);
            let result = self.run_with_retries().await;
            last_run = Some(Timestamp::now());
            let outcome = RunOutcome { id: self.id(), result };
            for w in waiters {
                let _ = w.send(outcome.clone());
            }
            if self.cancel.is_cancelled() {
                return;
            }
        }
    }

    async fn run_with_retries(&mut self) -> Result<RunCounts, JobError> {
        let mut attempt = 1;
        loop {
            let permit = tokio::select! {
                p = self.permits.clone().acquire_owned() => p.map_err(|_| JobError::cancelled())?,
                _ = self.cancel.cancelled() => return Err(JobError::cancelled()),
            };
            let since = Timestamp::now();
            self.set(|t| {
                t.state = TaskState::Running { since, page: 0, pages_total: None, records: 0, step: String::new() };
            });
            let ctx = RunContext { id: self.id(), status: self.status.clone(), cancel: self.cancel.clone(), since };
            let result = tokio::select! {
                r = self.job.run(&ctx) => r,
                _ = self.cancel.cancelled() => Err(JobError::cancelled()),
            };
            drop(permit);
            match result {
                Ok(counts) => {
                    let at = Timestamp::now();
                    let c = counts.clone();
                    self.set(move |t| {
                        t.state = TaskState::Idle;
                        t.last_success = Some(at);
                        t.last_counts = c;
                    });
                    if counts.changed > 0 {
                        self.status.send_modify(|s| s.records_version += 1);
                    }
                    return Ok(counts);
                }
                Err(e) if self.cancel.is_cancelled() => {
                    self.set(|t| t.state = TaskState::Idle);
                    return Err(e);
                }
                Err(e) if e.class == ErrorClass::Retryable && attempt < self.backoff.max_attempts => {
                    let delay = self.backoff.delay(attempt, self.rng.random::<f64>());
                    let until = Timestamp::now()
                        .checked_add(jiff::SignedDuration::try_from(delay).unwrap_or_default())
                        .unwrap_or_else(|_| Timestamp::now());
                    let reason = e.message.clone();
                    self.set(move |t| t.state = TaskState::BackingOff { until, attempt, reason });
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.cancel.cancelled() => return Err(JobError::cancelled()),
                    }
                    attempt += 1;
                }
                Err(e) => {
                    let at = Timestamp::now();
                    let (class, message) = (e.class, e.message.clone());
                    self.set(move |t| t.state = TaskState::Failed { class, message, at });
                    let alert = Alert {
                        at,
                        severity: Severity::Error,
                        source: self.id().to_string(),
                        message: format!("sync failed ({}): {}", e.class.label(), e.message),
                    };
                    self.status.send_modify(|s| s.push_alert(alert));
                    return Err(e);
                }
            }
        }
    }
}
