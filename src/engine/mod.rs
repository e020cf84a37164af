//! The engine: one tokio task per sync source (and camp) with its own schedule,
//! backoff and rate limit, bounded concurrency across tasks, one run at a time
//! per task (a second "sync now" while one runs is queued, not doubled),
//! cancellation on shutdown, and a live status every front end renders.

pub mod backoff;
pub mod evaluator;
pub mod job;
mod runner;
pub mod schedule;
pub mod setup;
pub mod status;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use backoff::Backoff;
pub use job::{JobError, RunContext, SyncJob};
pub use runner::RunOutcome;
pub use schedule::Schedule;
pub use status::{Alert, EngineStatus, ErrorClass, RunCounts, Severity, TaskId, TaskState, TaskStatus};

use runner::{Runner, TaskCommand};

/// Which tasks a command addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskFilter {
    /// Only this source (`zsxq`, `wecom`), or all.
    pub source: Option<String>,
    /// Only tasks of this camp (tasks for all camps are included), or all.
    pub camp: Option<String>,
}

impl TaskFilter {
    /// Whether `id` is selected.
    pub fn matches(&self, id: &TaskId) -> bool {
        let source_ok = self.source.as_deref().is_none_or(|s| s == "all" || s == id.source);
        let camp_ok = match (&self.camp, &id.camp) {
            (None, _) | (Some(_), None) => true,
            (Some(want), Some(have)) => want == have,
        };
        source_ok && camp_ok
    }
}

/// Builds an engine from jobs.
pub struct EngineBuilder {
    jobs: Vec<(Arc<dyn SyncJob>, Option<Schedule>)>,
    disabled: Vec<(TaskId, String)>,
    history: BTreeMap<TaskId, (jiff::Timestamp, RunCounts)>,
    tz: TimeZone,
    backoff: Backoff,
    concurrency: usize,
}

impl EngineBuilder {
    /// An engine whose schedules use `tz`.
    pub fn new(tz: TimeZone) -> EngineBuilder {
        EngineBuilder {
            jobs: Vec::new(),
            disabled: Vec::new(),
            history: BTreeMap::new(),
            tz,
            backoff: Backoff::default(),
            concurrency: 2,
        }
    }

    /// Adds a job; `schedule = None` runs it only on demand.
    pub fn job(mut self, job: Arc<dyn SyncJob>, schedule: Option<Schedule>) -> EngineBuilder {
        self.jobs.push((job, schedule));
        self
    }

    /// Shows a task that cannot run (not configured), with the reason.
    pub fn disabled(mut self, id: TaskId, reason: impl Into<String>) -> EngineBuilder {
        self.disabled.push((id, reason.into()));
        self
    }

    /// Starts a task with its last success known from an earlier process (its schedule
    /// counts from there, and status shows it).
    pub fn last_success(mut self, id: TaskId, at: jiff::Timestamp, counts: RunCounts) -> EngineBuilder {
        self.history.insert(id, (at, counts));
        self
    }

    /// Sets the retry policy for transient failures.
    pub fn backoff(mut self, backoff: Backoff) -> EngineBuilder {
        self.backoff = backoff;
        self
    }

    /// At most `n` tasks run at once.
    pub fn concurrency(mut self, n: usize) -> EngineBuilder {
        self.concurrency = n.max(1);
        self
    }

    /// Starts every task on the current tokio runtime.
    pub fn start(self) -> EngineHandle {
        let mut tasks_status: Vec<TaskStatus> = self
            .jobs
            .iter()
            .map(|(j, _)| {
                let mut t = TaskStatus::new(j.id());
                if let Some((at, counts)) = self.history.get(&t.id) {
                    t.last_success = Some(*at);
                    t.last_counts = counts.clone();
                }
                t
            })
            .collect();
        for (id, reason) in &self.disabled {
            let mut t = TaskStatus::new(id.clone());
            t.state = TaskState::Disabled { reason: reason.clone() };
            tasks_status.push(t);
        }
        tasks_status.sort_by(|a, b| a.id.cmp(&b.id));
        let status = Arc::new(watch::Sender::new(EngineStatus { tasks: tasks_status, ..EngineStatus::default() }));
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let alive = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut senders = BTreeMap::new();
        for (job, schedule) in self.jobs {
            let (tx, rx) = mpsc::unbounded_channel();
            senders.insert(job.id(), tx);
            let seed = jiff::Timestamp::now().as_nanosecond() as u64 ^ senders.len() as u64;
            let runner = Runner {
                job,
                schedule,
                tz: self.tz.clone(),
                backoff: self.backoff.clone(),
                status: status.clone(),
                permits: permits.clone(),
                cancel: cancel.clone(),
                commands: rx,
                rng: <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed),
            };
            let alive = alive.clone();
            alive.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tracker.spawn(async move {
                // Decrements even if the runner panics, so health checks see it.
                struct Alive(Arc<std::sync::atomic::AtomicUsize>);
                impl Drop for Alive {
                    fn drop(&mut self) {
                        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                let _alive = Alive(alive);
                runner.run().await;
            });
        }
        tracker.close();
        let expected = senders.len();
        EngineHandle { inner: Arc::new(Inner { status, senders, cancel, tracker, alive, expected }) }
    }
}

struct Inner {
    status: Arc<watch::Sender<EngineStatus>>,
    senders: BTreeMap<TaskId, mpsc::UnboundedSender<TaskCommand>>,
    cancel: CancellationToken,
    tracker: TaskTracker,
    alive: Arc<std::sync::atomic::AtomicUsize>,
    expected: usize,
}

/// A cheap-to-clone handle on a running engine.
#[derive(Clone)]
pub struct EngineHandle {
    inner: Arc<Inner>,
}

impl EngineHandle {
    /// The current status.
    pub fn status(&self) -> EngineStatus {
        self.inner.status.borrow().clone()
    }

    /// A receiver that sees every status change.
    pub fn subscribe(&self) -> watch::Receiver<EngineStatus> {
        self.inner.status.subscribe()
    }

    /// The status sender, for parts of the engine outside the sync tasks
    /// (refund executor, notifier) that publish alerts and data changes.
    pub fn status_sender(&self) -> Arc<watch::Sender<EngineStatus>> {
        self.inner.status.clone()
    }

    /// The ids of every runnable task.
    pub fn task_ids(&self) -> Vec<TaskId> {
        self.inner.senders.keys().cloned().collect()
    }

    /// Queues a run of every selected task (coalesced with a run already queued);
    /// returns the tasks addressed.
    pub fn sync_now(&self, filter: &TaskFilter) -> Vec<TaskId> {
        let mut out = Vec::new();
        for (id, tx) in &self.inner.senders {
            if filter.matches(id) && tx.send(TaskCommand::RunNow(None)).is_ok() {
                self.mark_queued(id);
                out.push(id.clone());
            }
        }
        out
    }

    /// Runs every selected task once and waits for all of them to finish.
    pub async fn sync_once(&self, filter: &TaskFilter) -> Vec<RunOutcome> {
        let mut waits = Vec::new();
        for (id, tx) in &self.inner.senders {
            if filter.matches(id) {
                let (w, r) = oneshot::channel();
                if tx.send(TaskCommand::RunNow(Some(w))).is_ok() {
                    self.mark_queued(id);
                    waits.push((id.clone(), r));
                }
            }
        }
        let mut out = Vec::new();
        for (id, r) in waits {
            let outcome = r.await.unwrap_or(RunOutcome { id, result: Err(JobError::cancelled()) });
            out.push(outcome);
        }
        out
    }

    fn mark_queued(&self, id: &TaskId) {
        self.inner.status.send_modify(|s| {
            if let Some(t) = s.tasks.iter_mut().find(|t| &t.id == id)
                && matches!(t.state, TaskState::Running { .. } | TaskState::BackingOff { .. })
            {
                t.queued = true;
            }
        });
    }

    /// Raises an alert.
    pub fn alert(&self, alert: Alert) {
        self.inner.status.send_modify(|s| s.push_alert(alert));
    }

    /// Stops every task (a running job is cancelled at its next await point;
    /// jobs commit page by page, so nothing committed is lost) and waits up to
    /// `grace` for them to end.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.cancel.cancel();
        let _ = tokio::time::timeout(grace, self.inner.tracker.wait()).await;
    }

    /// Whether every task loop is alive (none panicked); used to pet the
    /// systemd watchdog only while the engine works.
    pub fn healthy(&self) -> bool {
        self.inner.alive.load(std::sync::atomic::Ordering::SeqCst) == self.inner.expected
    }

    /// The engine's shutdown signal (for components started beside the tasks).
    pub fn cancel_token(&self) -> CancellationToken {
        self.inner.cancel.clone()
    }

    /// The tracker components spawn on, so shutdown waits for them.
    pub fn tracker(&self) -> &TaskTracker {
        &self.inner.tracker
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.cancel.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::future::BoxFuture;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A job that fails transiently `fail_first` times, then succeeds; it can be held open.
    struct FakeJob {
        id: TaskId,
        calls: AtomicU32,
        fail_first: u32,
        class: ErrorClass,
        gate: Mutex<Option<Arc<tokio::sync::Notify>>>,
    }

    impl FakeJob {
        fn new(source: &str, fail_first: u32, class: ErrorClass) -> Arc<FakeJob> {
            Arc::new(FakeJob {
                id: TaskId::new(source, None),
                calls: AtomicU32::new(0),
                fail_first,
                class,
                gate: Mutex::new(None),
            })
        }
    }

    impl SyncJob for FakeJob {
        fn id(&self) -> TaskId {
            self.id.clone()
        }
        fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                ctx.progress(1, Some(2), 10, "page");
                let gate = self.gate.lock().unwrap().clone();
                if let Some(g) = gate {
                    g.notified().await;
                }
                if n <= self.fail_first {
                    return Err(JobError::new(self.class, format!("failure {n}")));
                }
                Ok(RunCounts { pages: 2, records: 20, changed: 3 })
            })
        }
    }

    fn fast_backoff() -> Backoff {
        Backoff { base: Duration::from_millis(1), cap: Duration::from_millis(2), max_attempts: 3, jitter: 0.0 }
    }

    #[tokio::test]
    async fn transient_failures_are_retried_then_succeed() {
        let job = FakeJob::new("zsxq", 2, ErrorClass::Retryable);
        let engine = EngineBuilder::new(TimeZone::UTC).backoff(fast_backoff()).job(job.clone(), None).start();
        let out = engine.sync_once(&TaskFilter::default()).await;
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].result, Ok(RunCounts { pages: 2, records: 20, changed: 3 }));
        assert_eq!(job.calls.load(Ordering::SeqCst), 3);
        let status = engine.status();
        assert_eq!(status.tasks[0].state, TaskState::Idle);
        assert!(status.tasks[0].last_success.is_some());
        assert_eq!(status.records_version, 1);
        engine.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn a_token_error_fails_at_once_and_alerts() {
        let job = FakeJob::new("zsxq", 5, ErrorClass::Token);
        let engine = EngineBuilder::new(TimeZone::UTC).backoff(fast_backoff()).job(job.clone(), None).start();
        let out = engine.sync_once(&TaskFilter::default()).await;
        assert_eq!(out[0].result.as_ref().unwrap_err().class, ErrorClass::Token);
        assert_eq!(job.calls.load(Ordering::SeqCst), 1);
        let status = engine.status();
        assert!(matches!(status.tasks[0].state, TaskState::Failed { class: ErrorClass::Token, .. }));
        assert_eq!(status.alerts.len(), 1);
        assert!(status.alerts[0].message.contains("failure 1"));
        engine.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn retries_give_up_after_the_limit() {
        let job = FakeJob::new("wecom", 10, ErrorClass::Retryable);
        let engine = EngineBuilder::new(TimeZone::UTC).backoff(fast_backoff()).job(job.clone(), None).start();
        let out = engine.sync_once(&TaskFilter::default()).await;
        assert!(out[0].result.is_err());
        assert_eq!(job.calls.load(Ordering::SeqCst), 3);
        engine.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn sync_now_while_running_is_queued_once_not_doubled() {
        let job = FakeJob::new("zsxq", 0, ErrorClass::Retryable);
        let gate = Arc::new(tokio::sync::Notify::new());
        *job.gate.lock().unwrap() = Some(gate.clone());
        let engine = EngineBuilder::new(TimeZone::UTC).job(job.clone(), None).start();
        let first = {
            let e = engine.clone();
            tokio::spawn(async move { e.sync_once(&TaskFilter::default()).await })
        };
        // Wait until the first run is inside the job.
        let mut rx = engine.subscribe();
        rx.wait_for(|s| matches!(s.tasks[0].state, TaskState::Running { page: 1, .. })).await.unwrap();
        // Three more requests while it runs.
        for _ in 0..3 {
            engine.sync_now(&TaskFilter::default());
        }
        assert!(engine.status().tasks[0].queued);
        gate.notify_one();
        first.await.unwrap();
        // Exactly one more run serves all three requests.
        rx.wait_for(|s| matches!(s.tasks[0].state, TaskState::Running { page: 1, .. })).await.unwrap();
        gate.notify_one();
        rx.wait_for(|s| s.tasks[0].state == TaskState::Idle && !s.tasks[0].queued).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(job.calls.load(Ordering::SeqCst), 2);
        engine.shutdown(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn shutdown_cancels_a_stuck_run() {
        let job = FakeJob::new("zsxq", 0, ErrorClass::Retryable);
        *job.gate.lock().unwrap() = Some(Arc::new(tokio::sync::Notify::new()));
        let engine = EngineBuilder::new(TimeZone::UTC).job(job, None).start();
        let waiting = {
            let e = engine.clone();
            tokio::spawn(async move { e.sync_once(&TaskFilter::default()).await })
        };
        let mut rx = engine.subscribe();
        rx.wait_for(|s| matches!(s.tasks[0].state, TaskState::Running { .. })).await.unwrap();
        engine.shutdown(Duration::from_secs(5)).await;
        let out = waiting.await.unwrap();
        assert!(out[0].result.is_err());
    }

    #[tokio::test]
    async fn a_known_last_success_delays_the_first_scheduled_run() {
        let job = FakeJob::new("zsxq", 0, ErrorClass::Retryable);
        let fresh = FakeJob::new("wecom", 0, ErrorClass::Retryable);
        let daily = Schedule::daily(crate::domain::DayCutoff::new(1, 0).unwrap());
        let engine = EngineBuilder::new(TimeZone::UTC)
            .job(job.clone(), Some(daily.clone()))
            .job(fresh.clone(), Some(daily))
            .last_success(job.id(), jiff::Timestamp::now(), RunCounts { pages: 1, records: 5, changed: 0 })
            .start();
        let mut rx = engine.subscribe();
        rx.wait_for(|s| s.task(&fresh.id).is_some_and(|t| t.last_success.is_some())).await.unwrap();
        let status = engine.status();
        let t = status.task(&job.id).unwrap();
        assert_eq!(job.calls.load(Ordering::SeqCst), 0, "it ran recently: it waits for 01:00");
        assert!(t.next_run.is_some_and(|n| n > jiff::Timestamp::now()));
        assert_eq!(t.last_counts.records, 5);
        assert_eq!(fresh.calls.load(Ordering::SeqCst), 1, "a task with no history runs at once");
        engine.shutdown(Duration::from_secs(1)).await;
    }

    #[test]
    fn filters_select_by_source_and_camp() {
        let f = TaskFilter { source: Some("zsxq".into()), camp: Some("c1".into()) };
        assert!(f.matches(&TaskId::new("zsxq", Some("c1"))));
        assert!(f.matches(&TaskId::new("zsxq", None)));
        assert!(!f.matches(&TaskId::new("zsxq", Some("c2"))));
        assert!(!f.matches(&TaskId::new("wecom", Some("c1"))));
        assert!(TaskFilter { source: Some("all".into()), camp: None }.matches(&TaskId::new("wecom", None)));
    }
}
