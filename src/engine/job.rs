//! The contract between the engine and a sync source: a job runs one full
//! pass, reports progress through its context, and classifies its errors.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::status::{Alert, EngineStatus, ErrorClass, RunCounts, Severity, TaskId, TaskState};

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct JobError {
    /// How to handle it.
    pub class: ErrorClass,
    /// What happened (never containing secrets).
    pub message: String,
}

impl JobError {
    /// An error of `class`.
    pub fn new(class: ErrorClass, message: impl Into<String>) -> JobError {
        JobError { class, message: message.into() }
    }

    /// A transient error worth retrying.
    pub fn retryable(message: impl Into<String>) -> JobError {
        JobError::new(ErrorClass::Retryable, message)
    }

    /// The run was cancelled (shutdown).
    pub fn cancelled() -> JobError {
        JobError::new(ErrorClass::Internal, "cancelled by shutdown")
    }
}

/// One sync source's full pass. Implementations commit what they fetched page
/// by page together with their resumable cursor, so a failed or killed run
/// keeps its progress and the next run resumes.
pub trait SyncJob: Send + Sync + 'static {
    /// The task this job is.
    fn id(&self) -> TaskId;

    /// Runs one pass.
    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>>;
}

/// What a running job can see and tell.
#[derive(Clone)]
pub struct RunContext {
    pub(crate) id: TaskId,
    pub(crate) status: Arc<watch::Sender<EngineStatus>>,
    pub(crate) cancel: CancellationToken,
    pub(crate) since: Timestamp,
}

impl RunContext {
    /// A context outside a running engine (tests, one-shot tools): progress goes to `status`.
    pub fn detached(id: TaskId, status: Arc<watch::Sender<EngineStatus>>, cancel: CancellationToken) -> RunContext {
        RunContext { id, status, cancel, since: Timestamp::now() }
    }

    /// The task's id.
    pub fn task(&self) -> &TaskId {
        &self.id
    }

    /// The shutdown signal; long waits should select on it.
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Whether the engine is shutting down.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Reports progress: on page `page` (of `pages_total` if known), `records` so far, doing `step`.
    pub fn progress(&self, page: u64, pages_total: Option<u64>, records: u64, step: &str) {
        let since = self.since;
        self.update(|state| {
            *state = TaskState::Running { since, page, pages_total, records, step: step.to_string() };
        });
    }

    /// Reports a wait inside the run (a rate limit) until `until`, because of `reason`.
    pub fn backing_off(&self, until: Timestamp, attempt: u32, reason: &str) {
        self.update(|state| {
            *state = TaskState::BackingOff { until, attempt, reason: reason.to_string() };
        });
    }

    /// Raises an alert for admins.
    pub fn alert(&self, severity: Severity, message: impl Into<String>) {
        let alert = Alert { at: Timestamp::now(), severity, source: self.id.to_string(), message: message.into() };
        self.status.send_modify(|s| s.push_alert(alert));
    }

    /// Tells the evaluator that records changed (it re-evaluates, then views reload).
    pub fn data_changed(&self) {
        self.status.send_modify(|s| s.records_version += 1);
    }

    /// Sleeps for `d` unless the engine shuts down first (then returns `Err`).
    pub async fn sleep(&self, d: std::time::Duration) -> Result<(), JobError> {
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = self.cancel.cancelled() => Err(JobError::cancelled()),
        }
    }

    fn update(&self, f: impl FnOnce(&mut TaskState)) {
        let id = &self.id;
        self.status.send_modify(|s| {
            if let Some(t) = s.tasks.iter_mut().find(|t| &t.id == id) {
                f(&mut t.state);
            }
        });
    }
}
