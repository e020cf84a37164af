//! Running approved refunds, exactly once.
//!
//! Two executors, chosen per camp by `refund_via`:
//! - `wxpay` ([`wxpay`]): WeChat Pay v3 refunds. [`queue::mark_submitted`] is
//!   committed *before* the request leaves; one `out_refund_no` per refund for
//!   life; an unknown outcome (timeout, 5xx, 429, unverified answer) is resolved
//!   by querying that number first and resending the same number and amount only
//!   when WeChat Pay confirms nothing exists under it. Every pass looks at the
//!   submitted refunds (query) before it sends anything new, so after a crash or
//!   restart nothing is sent twice: **recovery at start** is simply the first pass.
//! - `wecom-client` ([`worklist`]): no server refund API; approved refunds become
//!   the operator's worklist and the bill sync reconciles them
//!   (`refund::reconcile`).
//!
//! Policy (the owner's "retry once, then tell an admin"): a failure WeChat Pay
//! confirms moved no money is resent automatically [`DEFAULT_AUTO_RETRIES`]
//! time(s), then the refund fails and an admin is told; `campdesk refunds retry ID`
//! sends it again with the same number. `NOT_ENOUGH` alerts and is retried by
//! itself every [`ExecutorSettings::funds_wait`]; `ABNORMAL`,
//! `USER_ACCOUNT_ABNORMAL` and other refusals go to a human; a `CLOSED` refund
//! needs a human retry, which gives it a new number.
//!
//! `automation = "auto"`: at the start of every pass the camp's clear passes
//! ([`queue::all_passed`]) approve themselves with the actor `campdesk` (still
//! subject to the two-person rule and the batch cap, which then wait for a human).

mod listener;
pub mod state;
pub mod worklist;
mod wxpay;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use listener::{DEFAULT_NOTIFY_BIND, serve_notifications};

use crate::config::{Automation, Config};
use crate::domain::{CampId, Money, RefundId, RefundState, RefundVia, TransactionId};
use crate::engine::{Alert, EngineStatus, RunCounts, Severity, TaskId, TaskState, TaskStatus};
use crate::refund::model::Refund;
use crate::refund::notify;
use crate::refund::queue::{self, CampPolicy, QueueError, REFUNDS};
use crate::sources::wxpay::WxpayClient;
use crate::store::Store;

/// Automatic resends after a failure that moved no money (the owner: "retry once").
pub const DEFAULT_AUTO_RETRIES: u32 = crate::config::DEFAULT_AUTO_RETRIES;
/// The actor the executor writes into the audit log.
pub const ACTOR: &str = "campdesk";
/// The engine task id under which the executor shows its status.
pub const TASK_SOURCE: &str = "refunds";

/// How the executor paces and retries.
#[derive(Clone, Debug)]
pub struct ExecutorSettings {
    /// Automatic resends after a confirmed no-money failure before an admin is told.
    pub auto_retries: u32,
    /// How often a PROCESSING refund is queried (five times, then five times slower).
    pub poll_interval: SignedDuration,
    /// How long an unknown outcome waits before the next query.
    pub unknown_retry: SignedDuration,
    /// How long a `NOT_ENOUGH` refund waits before it is sent again.
    pub funds_wait: SignedDuration,
    /// Pause after `FREQUENCY_LIMITED` before the query and the resend.
    pub rate_limit_pause: Duration,
    /// Pause between two requests to WeChat Pay.
    pub pace: Duration,
    /// Time between background passes.
    pub tick: Duration,
    /// Where the refund-notification listener binds (when `wxpay.notify_url` is set).
    pub notify_bind: std::net::SocketAddr,
}

impl ExecutorSettings {
    /// The defaults with camps.toml's `wxpay.auto_retries`.
    pub fn for_config(config: &Config) -> ExecutorSettings {
        let auto_retries = config.wxpay.as_ref().map_or(DEFAULT_AUTO_RETRIES, |w| w.auto_retries);
        ExecutorSettings { auto_retries, ..ExecutorSettings::default() }
    }
}

impl Default for ExecutorSettings {
    fn default() -> Self {
        ExecutorSettings {
            auto_retries: DEFAULT_AUTO_RETRIES,
            poll_interval: SignedDuration::from_mins(1),
            unknown_retry: SignedDuration::from_mins(1),
            funds_wait: SignedDuration::from_mins(30),
            rate_limit_pause: Duration::from_secs(2),
            pace: Duration::from_millis(100),
            tick: Duration::from_secs(30),
            notify_bind: DEFAULT_NOTIFY_BIND,
        }
    }
}

/// One refund the pass touched, and where it stands after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecLine {
    /// The refund.
    pub refund_id: RefundId,
    /// Its camp.
    pub camp: CampId,
    /// The payment.
    pub transaction_id: TransactionId,
    /// The payer's name on the bill.
    pub payer_name: Option<String>,
    /// The amount.
    pub amount: Money,
    /// The merchant refund number.
    pub out_refund_no: String,
    /// State after the pass.
    pub state: RefundState,
    /// What happened, in one line.
    pub note: String,
}

/// What one pass (or one retry) did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PassReport {
    /// When it started.
    pub started_at: Option<Timestamp>,
    /// When it ended.
    pub finished_at: Option<Timestamp>,
    /// Refunds that approved themselves (`automation = "auto"`).
    pub auto_approved: usize,
    /// Every refund touched, in the order handled.
    pub lines: Vec<ExecLine>,
    /// Problems that stopped part of the pass (missing `[wxpay]`, a bad key …).
    pub problems: Vec<String>,
}

impl PassReport {
    /// Count and total of lines in `state`.
    pub fn total(&self, state: RefundState) -> (usize, Money) {
        self.lines
            .iter()
            .filter(|l| l.state == state)
            .fold((0, Money::ZERO), |(n, m), l| (n + 1, m.checked_add(l.amount).unwrap_or(m)))
    }
}

/// A hidden test hook: `CAMPDESK_CRASH_AT=POINT:N` kills the process (SIGKILL) the
/// N-th time the executor reaches POINT (`submitted`, `answered`, `stored`).
#[derive(Clone, Debug, Default)]
pub struct CrashHook {
    target: Option<(String, u32)>,
    seen: Arc<AtomicU32>,
}

impl CrashHook {
    /// The hook named by `CAMPDESK_CRASH_AT`, if set.
    pub fn from_env() -> CrashHook {
        let target = std::env::var("CAMPDESK_CRASH_AT").ok().and_then(|v| {
            let (p, n) = v.split_once(':')?;
            Some((p.to_string(), n.parse().ok()?))
        });
        CrashHook { target, seen: Arc::new(AtomicU32::new(0)) }
    }

    fn at(&self, point: &str) {
        if let Some((p, n)) = &self.target
            && p == point
            && self.seen.fetch_add(1, Ordering::SeqCst) + 1 == *n
        {
            // SAFETY: kill(2) on our own pid with a valid signal number has no memory effects.
            unsafe {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
        }
    }
}

/// The refund executor of one store. Passes are serialised; share it behind an `Arc`.
pub struct Executor {
    store: Arc<Store>,
    config: Arc<Config>,
    status: Arc<watch::Sender<EngineStatus>>,
    settings: ExecutorSettings,
    client: OnceLock<Arc<WxpayClient>>,
    pass_lock: tokio::sync::Mutex<()>,
    hook: CrashHook,
    recovered: AtomicBool,
}

impl Executor {
    /// An executor over `store` and `config`, publishing alerts to `status`.
    pub fn new(
        store: Arc<Store>,
        config: Arc<Config>,
        status: Arc<watch::Sender<EngineStatus>>,
        settings: ExecutorSettings,
    ) -> Executor {
        Executor {
            store,
            config,
            status,
            settings,
            client: OnceLock::new(),
            pass_lock: tokio::sync::Mutex::new(()),
            hook: CrashHook::from_env(),
            recovered: AtomicBool::new(false),
        }
    }

    /// Uses this WeChat Pay client instead of one built from `[wxpay]`.
    pub fn with_client(self, client: Arc<WxpayClient>) -> Executor {
        let _ = self.client.set(client);
        self
    }

    /// The settings.
    pub fn settings(&self) -> &ExecutorSettings {
        &self.settings
    }

    /// The store.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The config.
    pub fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// The WeChat Pay client, built from `[wxpay]` on first use (a failure is not
    /// kept: a fixed key file is picked up by the next pass).
    fn client(&self) -> Result<Arc<WxpayClient>, String> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let built = match &self.config.wxpay {
            None => Err("camps pay through wxpay but camps.toml has no [wxpay] section".to_string()),
            Some(s) => WxpayClient::from_settings(s).map(Arc::new).map_err(|e| e.to_string()),
        }?;
        Ok(self.client.get_or_init(|| built).clone())
    }

    fn policy(&self) -> impl Fn(&CampId) -> Option<CampPolicy> + '_ {
        |camp: &CampId| self.config.camp(camp.as_str()).map(CampPolicy::of)
    }

    /// Whether campdesk pays this refund through the WeChat Pay API.
    pub fn pays_by_api(&self, r: &Refund) -> bool {
        self.config
            .camp(r.proposal.camp.as_str())
            .is_some_and(|c| c.refund_via == RefundVia::Wxpay && c.automation != Automation::Manual)
    }

    /// Raises an alert, unless the same one was raised within the last hour (a
    /// problem that persists across background passes is reported once an hour).
    fn alert(&self, severity: Severity, message: String) {
        let now = Timestamp::now();
        let hour_ago = now.checked_sub(SignedDuration::from_hours(1)).unwrap_or(now);
        let repeat = self
            .status
            .borrow()
            .alerts
            .iter()
            .any(|a| a.source == TASK_SOURCE && a.message == message && a.severity == severity && a.at > hour_ago);
        if !repeat {
            let alert = Alert { at: now, severity, source: TASK_SOURCE.to_string(), message };
            self.status.send_modify(|s| s.push_alert(alert));
        }
    }

    fn data_changed(&self) {
        self.status.send_modify(|s| s.data_version += 1);
    }

    fn set_task(&self, f: impl FnOnce(&mut TaskStatus)) {
        let id = TaskId::new(TASK_SOURCE, None);
        self.status.send_modify(|s| {
            if !s.tasks.iter().any(|t| t.id == id) {
                s.tasks.push(TaskStatus::new(id.clone()));
                s.tasks.sort_by(|a, b| a.id.cmp(&b.id));
            }
            if let Some(t) = s.tasks.iter_mut().find(|t| t.id == id) {
                f(t);
            }
        });
    }

    /// Approves the clear passes of `automation = "auto"` camps as `campdesk`.
    fn auto_approve(&self, report: &mut PassReport) {
        let now = Timestamp::now();
        for camp in self.config.camps.iter().filter(|c| c.automation == Automation::Auto) {
            let ids = match self.store.read().map_err(QueueError::from).and_then(|r| queue::all_passed(&r, &camp.id)) {
                Ok(ids) if !ids.is_empty() => ids,
                Ok(_) => continue,
                Err(e) => {
                    report.problems.push(format!("camp {}: {e}", camp.id));
                    continue;
                }
            };
            let policy = self.policy();
            match self
                .store
                .write_with(|tx| queue::approve(tx, &ids, ACTOR, Some("automation = auto"), &policy, false, now))
            {
                Ok(done) => report.auto_approved += done.len(),
                Err(e) => {
                    let msg = format!("camp {}: automatic approval stopped: {e}", camp.id);
                    self.alert(Severity::Warning, msg.clone());
                    report.problems.push(msg);
                }
            }
        }
    }

    /// One pass: auto-approvals, then every due submitted refund is queried
    /// (resolved, or resent under its own number), then `NOT_ENOUGH` refunds whose
    /// wait is over, then approved refunds are sent. `only` limits it to one camp.
    pub async fn run_pass(&self, only: Option<&CampId>) -> PassReport {
        let _guard = self.pass_lock.lock().await;
        let mut report = PassReport { started_at: Some(Timestamp::now()), ..PassReport::default() };
        self.auto_approve(&mut report);
        let force = !self.recovered.load(Ordering::SeqCst);
        let work = match self.select_work(only, force) {
            Ok(w) => w,
            Err(e) => {
                report.problems.push(e.to_string());
                report.finished_at = Some(Timestamp::now());
                return report;
            }
        };
        let total = work.len() as u64;
        if total > 0 {
            match self.client() {
                Ok(client) => {
                    let since = Timestamp::now();
                    for (i, (step, r)) in work.into_iter().enumerate() {
                        self.set_task(|t| {
                            t.state = TaskState::Running {
                                since,
                                page: i as u64 + 1,
                                pages_total: Some(total),
                                records: i as u64,
                                step: format!("refund {}", r.id),
                            }
                        });
                        let line = match step {
                            Step::Check => self.check_submitted(&client, r).await,
                            Step::Resend => self.resend_after_wait(&client, r).await,
                            Step::Send => self.submit_new(&client, r).await,
                        };
                        match line {
                            Ok(line) => report.lines.push(line),
                            Err(Stop(msg)) => {
                                self.alert(Severity::Error, msg.clone());
                                report.problems.push(msg);
                                break;
                            }
                        }
                        tokio::time::sleep(self.settings.pace).await;
                    }
                }
                Err(msg) => {
                    self.alert(Severity::Error, format!("refunds cannot be paid: {msg}"));
                    report.problems.push(msg);
                }
            }
        }
        self.recovered.store(true, Ordering::SeqCst);
        report.finished_at = Some(Timestamp::now());
        self.finish_pass(&report);
        report
    }

    fn select_work(&self, only: Option<&CampId>, force: bool) -> Result<Vec<(Step, Refund)>, QueueError> {
        let now = Timestamp::now();
        let read = self.store.read()?;
        let mut checks = Vec::new();
        let mut resends = Vec::new();
        let mut sends = Vec::new();
        for (_, r) in read.all(&REFUNDS)? {
            if only.is_some_and(|c| *c != r.proposal.camp) || !self.pays_by_api(&r) {
                continue;
            }
            let st = state::read(&read, &r.id)?;
            match r.state {
                RefundState::Submitted if force || st.due(now) => checks.push((Step::Check, r)),
                RefundState::Failed
                    if r.failure.as_ref().is_some_and(|(c, _)| c == "NOT_ENOUGH")
                        && r.stale.is_none()
                        && st.due(now) =>
                {
                    resends.push((Step::Resend, r))
                }
                RefundState::Approved if r.stale.is_none() => sends.push((Step::Send, r)),
                _ => {}
            }
        }
        // Oldest payments first, so a batch pays in a stable order.
        sends.sort_by(|a, b| a.1.proposal.paid_at.cmp(&b.1.proposal.paid_at).then_with(|| a.1.id.cmp(&b.1.id)));
        checks.extend(resends);
        checks.extend(sends);
        Ok(checks)
    }

    fn finish_pass(&self, report: &PassReport) {
        let (ok, ok_sum) = report.total(RefundState::Succeeded);
        let (failed, failed_sum) = report.total(RefundState::Failed);
        let (pending, pending_sum) = report.total(RefundState::Submitted);
        let records = report.lines.len() as u64;
        self.set_task(|t| {
            t.state = TaskState::Idle;
            t.last_success = report.finished_at;
            t.last_counts = RunCounts { pages: records, records, changed: (ok + failed) as u64 };
        });
        if report.lines.is_empty() {
            return;
        }
        self.data_changed();
        if ok + failed == 0 {
            return;
        }
        let mut text = format!(
            "【campdesk 退款批次】成功 {ok} 笔 ¥{ok_sum}；处理中 {pending} 笔 ¥{pending_sum}；失败 {failed} 笔 ¥{failed_sum}"
        );
        let by_camp = report.lines.iter().fold(BTreeMap::<&CampId, (usize, Money)>::new(), |mut m, l| {
            if l.state == RefundState::Succeeded {
                let e = m.entry(&l.camp).or_insert((0, Money::ZERO));
                e.0 += 1;
                e.1 = e.1.checked_add(l.amount).unwrap_or(e.1);
            }
            m
        });
        for (camp, (n, sum)) in by_camp {
            let name = self.config.camp(camp.as_str()).map_or(camp.as_str(), |c| c.name.as_str());
            text.push_str(&format!("\n· {name}：退回 {n} 笔 ¥{sum}"));
        }
        if failed > 0 {
            text.push_str("\n失败的退款需要处理：campdesk refunds list --state failed");
        }
        let now = Timestamp::now();
        if let Err(e) = self.store.write_with(|tx| notify::enqueue_admins(tx, "batch", &text, now)) {
            self.alert(Severity::Error, format!("the batch summary could not be queued for admins: {e}"));
        }
    }

    /// Sends a failed refund again (a human's decision): the same number, or a
    /// new one when WeChat Pay closed the old one. For `wecom-client` camps the
    /// refund goes back on the worklist.
    pub async fn retry(&self, id: &RefundId, by: &str) -> Result<ExecLine, QueueError> {
        let _guard = self.pass_lock.lock().await;
        let now = Timestamp::now();
        let r = self.store.write_with(|tx| {
            let r: Refund = tx.get(&REFUNDS, id.as_str())?.ok_or_else(|| QueueError::Unknown(id.clone()))?;
            if r.state != RefundState::Failed {
                return Err(QueueError::WrongState { id: id.clone(), state: r.state, action: "retried" });
            }
            if r.failure.as_ref().is_some_and(|(c, _)| c == "CLOSED") {
                state::renumber_closed(tx, id, by, now)?;
            }
            let mut st = state::load(tx, id)?;
            st.resends = 0;
            st.polls = 0;
            st.next_check_at = None;
            state::save(tx, id, &st)?;
            queue::mark_submitted(tx, id, by, now)
        })?;
        self.data_changed();
        if !self.pays_by_api(&r) {
            return Ok(line(&r, "back on the operator's worklist (refund it in the WeCom client)".to_string()));
        }
        let client = self.client().map_err(|e| QueueError::Store(crate::refund::queue::StoreErrorText(e)))?;
        let out = match self.send_and_settle(&client, r).await {
            Ok(l) => l,
            Err(Stop(msg)) => {
                self.alert(Severity::Error, msg.clone());
                let r = self.load(id)?;
                line(&r, msg)
            }
        };
        self.data_changed();
        Ok(out)
    }

    fn load(&self, id: &RefundId) -> Result<Refund, QueueError> {
        self.store.read()?.get(&REFUNDS, id.as_str())?.ok_or_else(|| QueueError::Unknown(id.clone()))
    }
}

/// What a pass does with a refund.
enum Step {
    /// Submitted: query first.
    Check,
    /// Failed with `NOT_ENOUGH` and its wait is over: send again, same number.
    Resend,
    /// Approved: mark submitted, then send.
    Send,
}

/// A failure that stops the pass (every further request would fail the same way).
struct Stop(String);

fn line(r: &Refund, note: String) -> ExecLine {
    ExecLine {
        refund_id: r.id.clone(),
        camp: r.proposal.camp.clone(),
        transaction_id: r.proposal.transaction_id.clone(),
        payer_name: r.proposal.payer_name.clone(),
        amount: r.amount(),
        out_refund_no: r.out_refund_no.clone(),
        state: r.state,
        note,
    }
}

/// Runs the executor in the background until `cancel`: a first pass at once
/// (recovery: every submitted refund is queried before anything is sent), then
/// one every `tick`, and the refund-notification listener when
/// `wxpay.notify_url` is configured. The integrator calls this next to
/// `engine::setup::start_engine` (the daemon and the TUI).
pub fn start_executor(executor: Arc<Executor>, cancel: CancellationToken) -> tokio::task::JoinHandle<()> {
    executor.set_task(|t| t.state = TaskState::Idle);
    tokio::spawn(async move {
        if executor.config.wxpay.as_ref().is_some_and(|w| w.notify_url.is_some()) {
            match serve_notifications(executor.clone(), executor.settings.notify_bind, cancel.clone()).await {
                Ok(addr) => tracing::info!(%addr, "listening for WeChat Pay refund notifications"),
                Err(e) => executor.alert(
                    Severity::Error,
                    format!("cannot listen for WeChat Pay notifications on {}: {e}", executor.settings.notify_bind),
                ),
            }
        }
        loop {
            tokio::select! {
                _ = executor.run_pass(None) => {}
                _ = cancel.cancelled() => return,
            }
            tokio::select! {
                _ = tokio::time::sleep(executor.settings.tick) => {}
                _ = cancel.cancelled() => return,
            }
        }
    })
}
