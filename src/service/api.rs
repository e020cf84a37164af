//! The operations front ends can ask of campdesk: one request type, one
//! response type, served in-process or over the socket alike.

use serde::{Deserialize, Serialize};

use crate::engine::{EngineStatus, RunCounts, TaskFilter, TaskId};

/// Something a front end asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Engine, store and config facts.
    Status,
    /// Queue a sync of the selected tasks now.
    SyncNow {
        /// Which tasks.
        filter: TaskFilter,
    },
    /// Run the selected tasks once and wait for them.
    SyncOnce {
        /// Which tasks.
        filter: TaskFilter,
    },
    /// Import a file's contents (it travels over the socket as base64).
    Import {
        /// Payments, members or check-ins.
        kind: crate::sources::files::ImportKind,
        /// The camp.
        camp: String,
        /// The file's name (for messages and the archive).
        file_name: String,
        /// The file, base64.
        content_base64: String,
        /// Who imports it.
        by: String,
        /// Check and count only.
        dry_run: bool,
    },
    /// The refund queue, optionally of one camp and one state.
    RefundsList {
        /// Only this camp.
        camp: Option<String>,
        /// Only this state.
        state: Option<crate::domain::RefundState>,
    },
    /// Approve refunds (given ids, or every clear pass of a camp).
    RefundsApprove {
        /// The refunds.
        ids: Vec<String>,
        /// Approve every proposed full-deposit refund of this camp that needs no explicit decision.
        all_passed_of: Option<String>,
        /// Who approves.
        by: String,
        /// Optional note.
        note: Option<String>,
        /// Go ahead even above the camp's batch cap.
        confirm: bool,
    },
    /// Reject refunds with a reason.
    RefundsReject {
        /// The refunds.
        ids: Vec<String>,
        /// Why.
        reason: String,
        /// Who rejects.
        by: String,
    },
    /// Take back an approval or rejection while nothing has been paid.
    RefundsUndo {
        /// The refund.
        id: String,
        /// Who.
        by: String,
    },
    /// Re-run matching and the rules for one camp (or all), storing the result.
    Evaluate {
        /// The camp, or every camp.
        camp: Option<String>,
    },
    /// One link per payment (evaluated fresh).
    Links {
        /// The camp, or every camp.
        camp: Option<String>,
    },
    /// The matcher's review cards (evaluated fresh).
    ReviewCards {
        /// The camp, or every camp.
        camp: Option<String>,
    },
    /// One verdict per payment of a camp (evaluated fresh).
    Eligibility {
        /// The camp.
        camp: String,
    },
    /// A camp's whole evaluation: verdicts, anomalies, progress, warnings (evaluated fresh).
    Evaluation {
        /// The camp.
        camp: String,
    },
    /// A human link decision: must-link (`cannot = false`) or cannot-link.
    LinkDecision {
        /// The payment.
        transaction_id: String,
        /// The planet user.
        planet_user_id: String,
        /// The payer's external_userid, when the caller knows it.
        external_userid: Option<String>,
        /// Every payment of the payer, not just this one.
        person: bool,
        /// Cannot-link instead of must-link.
        cannot: bool,
        /// Who decides.
        by: String,
        /// Why.
        note: Option<String>,
    },
    /// A reviewer's pass/fail on a payment's verdict, or `decision = None` to clear it.
    SetVerdict {
        /// The payment.
        transaction_id: String,
        /// Pass, fail, or clear the override.
        decision: Option<crate::rules::OverrideDecision>,
        /// Why (required to set).
        reason: String,
        /// Who.
        by: String,
    },
    /// Excuse a camp day for a member (请假), or take the excuse back.
    Leave {
        /// The camp.
        camp: String,
        /// The member.
        planet_user_id: String,
        /// The camp day, YYYY-MM-DD.
        day: String,
        /// Why (required to add).
        reason: String,
        /// Who.
        by: String,
        /// Remove instead of add.
        remove: bool,
    },
    /// Freeze a finished camp's check-in inputs now (normally automatic after the final sync).
    Freeze {
        /// The camp.
        camp: String,
        /// Who.
        by: String,
    },
    /// Re-open a frozen camp: verdicts follow the live records again (audited, needs a reason).
    Reopen {
        /// The camp.
        camp: String,
        /// Why.
        reason: String,
        /// Who.
        by: String,
    },
    /// A view the workstation renders.
    View {
        /// Which.
        query: crate::tui::source::ViewQuery,
    },
    /// An action the workstation performs.
    Act {
        /// What.
        action: crate::tui::source::SourceAction,
        /// Who.
        by: String,
    },
    /// Record that a failed refund (or an approved one of a manual camp) was paid by hand.
    RefundsSettleOffline {
        /// The refund.
        id: String,
        /// The evidence (transfer reference, screenshot name).
        evidence: String,
        /// Who.
        by: String,
    },
    /// Execute approved refunds now (wxpay camps) and wait for the outcomes.
    RefundsRun {
        /// Only this camp.
        camp: Option<String>,
    },
    /// Send a failed refund again (same number; a new one after CLOSED).
    RefundsRetry {
        /// The refund.
        id: String,
        /// Who decides.
        by: String,
    },
    /// The operator's worklist of hand-paid camps; `issue` marks approved items submitted.
    Worklist {
        /// Only this camp.
        camp: Option<String>,
        /// Who takes the list.
        by: String,
        /// Issue (mark submitted) or only look.
        issue: bool,
    },
    /// Reconcile the queue with the refunds the stored bills show.
    Reconcile,
    /// Reconciliation findings.
    Findings {
        /// Only this camp.
        camp: Option<String>,
        /// Resolved ones too.
        all: bool,
    },
    /// Resolve a finding with a note.
    FindingResolve {
        /// The finding.
        id: String,
        /// What was done.
        note: String,
        /// Who.
        by: String,
    },
    /// Per-camp ledgers (all camps when none is given).
    Ledger {
        /// Only this camp.
        camp: Option<String>,
    },
    /// Texts for members whose refund succeeded, and the camp summary.
    MemberTexts {
        /// The camp.
        camp: String,
    },
    /// The admin-message outbox.
    Outbox,
    /// The camp's review workbook.
    ReviewExport {
        /// The camp.
        camp: String,
    },
    /// Apply a review workbook's decisions.
    ReviewImport {
        /// The file's name.
        file_name: String,
        /// The file, base64.
        content_base64: String,
        /// Who decides.
        by: String,
        /// Go ahead above the batch cap.
        confirm: bool,
    },
}

/// What a request returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    /// For [`Request::Status`].
    Status(StatusReport),
    /// For [`Request::SyncNow`]: the tasks queued.
    Queued {
        /// Task ids.
        tasks: Vec<TaskId>,
    },
    /// For [`Request::SyncOnce`]: each task's outcome.
    Synced {
        /// Outcomes, in task order.
        outcomes: Vec<TaskOutcome>,
    },
    /// For [`Request::Import`].
    Imported(crate::sources::files::ImportReport),
    /// Per camp: what an evaluation found (or why it failed).
    Evaluated {
        /// (camp, summary or error).
        camps: Vec<(String, Result<crate::rules::EvaluationSummary, String>)>,
    },
    /// Links.
    Links {
        /// One per payment.
        links: Vec<crate::matching::Link>,
    },
    /// Review cards.
    ReviewCards {
        /// The cards.
        cards: Vec<crate::matching::ReviewCard>,
    },
    /// Verdicts.
    Eligibility {
        /// One per payment.
        verdicts: Vec<crate::rules::Verdict>,
    },
    /// A camp's evaluation.
    Evaluation(Box<crate::rules::CampEvaluation>),
    /// A link decision was recorded (or was already in force).
    LinkRecorded {
        /// `recorded` or `unchanged`.
        status: String,
        /// The decision in force.
        decision: crate::matching::decisions::Decision,
        /// Decisions it replaced.
        superseded: Vec<String>,
    },
    /// A reviewer decision was stored; the camp re-evaluated.
    Decided {
        /// What happened, in words.
        message: String,
    },
    /// For [`Request::View`].
    View(Box<crate::tui::source::View>),
    /// For [`Request::Act`].
    Acted(crate::tui::source::ActionOutcome),
    /// Refunds (listed, or as they are after the requested change).
    Refunds {
        /// The refunds.
        refunds: Vec<crate::refund::Refund>,
    },
    /// For [`Request::RefundsRun`] and [`Request::RefundsRetry`].
    RefundRun(crate::refund::executor::PassReport),
    /// For [`Request::Worklist`].
    Worklist(crate::refund::executor::worklist::Worklist),
    /// For [`Request::Reconcile`].
    Reconciled(crate::refund::reconcile::ReconcileReport),
    /// For [`Request::Findings`] and [`Request::FindingResolve`].
    Findings {
        /// The findings.
        findings: Vec<crate::refund::reconcile::Finding>,
    },
    /// For [`Request::Ledger`].
    Ledger {
        /// One per camp.
        ledgers: Vec<crate::refund::ledger::CampLedger>,
    },
    /// For [`Request::MemberTexts`].
    Texts {
        /// The camp summary for the group.
        summary: String,
        /// One per succeeded refund.
        members: Vec<MemberText>,
    },
    /// For [`Request::Outbox`].
    Outbox {
        /// Oldest first.
        messages: Vec<crate::refund::notify::OutboxMessage>,
    },
    /// For [`Request::ReviewExport`].
    ReviewFile {
        /// Suggested file name.
        file_name: String,
        /// The workbook, base64.
        content_base64: String,
        /// Refund rows in it.
        rows: usize,
    },
    /// For [`Request::ReviewImport`].
    ReviewImported(crate::refund::review_xlsx::ReviewImport),
}

/// A text for one member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberText {
    /// The refund.
    pub refund_id: String,
    /// The payer's name.
    pub payer_name: Option<String>,
    /// The payment.
    pub transaction_id: String,
    /// The text to copy.
    pub text: String,
}

/// A task's outcome in a form that crosses the socket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskOutcome {
    /// Which task.
    pub task: TaskId,
    /// Counts, when it succeeded.
    pub counts: Option<RunCounts>,
    /// The error class and message, when it failed.
    pub error: Option<(crate::engine::ErrorClass, String)>,
}

/// Where the engine runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineMode {
    /// In this process (no daemon was running).
    InProcess,
    /// In a `campdesk serve` (or another campdesk) reached through the socket.
    Attached,
}

/// Everything `campdesk status` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// Which process serves it (pid) and how it was reached.
    pub served_by_pid: u32,
    /// The config file and its camps.
    pub config: ConfigFacts,
    /// Store facts.
    pub store: StoreFacts,
    /// Every sync task and recent alerts.
    pub engine: EngineStatus,
}

/// Config facts for status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigFacts {
    /// The file.
    pub path: String,
    /// Its camps.
    pub camps: Vec<CampFacts>,
}

/// One camp in status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampFacts {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First day.
    pub start: String,
    /// Last day.
    pub end: String,
    /// "7/10".
    pub rule: String,
}

/// Store facts for status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreFacts {
    /// The data dir.
    pub data_dir: String,
    /// Schema version in the file.
    pub schema_version: u32,
    /// Audit entries.
    pub audit_entries: u64,
    /// Whether the audit chain verifies.
    pub audit_ok: bool,
}

/// A failed request: the exit code a CLI should use and the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    /// 1 user error, 2 partial failure, 3 internal.
    pub exit: u8,
    /// What went wrong.
    pub message: String,
}

impl ServiceError {
    /// A user error (bad input, unknown id).
    pub fn user(message: impl Into<String>) -> ServiceError {
        ServiceError { exit: 1, message: message.into() }
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> ServiceError {
        ServiceError { exit: 3, message: message.into() }
    }
}

impl From<crate::store::StoreError> for ServiceError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Rejected(m) => ServiceError::user(m),
            other => ServiceError::internal(other.to_string()),
        }
    }
}
