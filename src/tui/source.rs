//! The TUI's only door to data: load the view models for a scope, perform an
//! action, get a result. The integrator implements [`TuiSource`] over the
//! service `Backend` (in-process or attached to `campdesk serve`); tests and the
//! hidden fixture entry use [`FixtureSource`](super::fixture::FixtureSource).

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use super::model::{
    CampRow, CandidateRef, ItemDecision, PersonDetail, PersonRef, PlanetUserView, RefundRow, ReportView, ReviewCard,
    ReviewItem, Scope,
};
use crate::domain::{CampId, ExternalUserId, PlanetUserId, RefundId, TransactionId};

/// What to load.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ViewQuery {
    /// Every camp's row (never scoped).
    Camps,
    /// Review cards of the scope.
    Review(Scope),
    /// Borderline verdicts and anomalies of the scope.
    Items(Scope),
    /// The refund queue of the scope, every state (the TUI filters by state).
    Refunds(Scope),
    /// One person's detail.
    Person(PersonRef),
    /// Every planet user in a camp's scope (for linking by hand).
    PlanetUsers(CampId),
    /// Report figures of the scope (the Reports pane).
    Report(Scope),
}

/// What a load returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum View {
    /// For [`ViewQuery::Camps`].
    Camps(Vec<CampRow>),
    /// For [`ViewQuery::Review`].
    Review(Vec<ReviewCard>),
    /// For [`ViewQuery::Items`].
    Items(Vec<ReviewItem>),
    /// For [`ViewQuery::Refunds`].
    Refunds(Vec<RefundRow>),
    /// For [`ViewQuery::Person`].
    Person(Box<PersonDetail>),
    /// For [`ViewQuery::PlanetUsers`].
    PlanetUsers(Vec<PlanetUserView>),
    /// For [`ViewQuery::Report`].
    Report(Box<ReportView>),
}

/// Something the reviewer does. Every action that changes a decision or money
/// is one audited write on the source's side, attributed to the TUI's user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SourceAction {
    /// Link a payment to a planet user and/or group member (a must-link decision).
    Link {
        /// The card it settles, when it came from one.
        card: Option<String>,
        /// The payment.
        transaction_id: TransactionId,
        /// The planet user.
        planet_user_id: Option<PlanetUserId>,
        /// The group member.
        external_userid: Option<ExternalUserId>,
    },
    /// Rule a candidate out for a payment (a cannot-link decision).
    RejectCandidate {
        /// The card.
        card: String,
        /// The payment.
        transaction_id: TransactionId,
        /// The candidate.
        candidate: CandidateRef,
    },
    /// Remove a payment's link to an identity.
    Unlink {
        /// The payment.
        transaction_id: TransactionId,
        /// Which identity.
        target: CandidateRef,
    },
    /// Decide a borderline or anomaly item.
    Decide {
        /// The item.
        item: String,
        /// Pass, fail or excuse a day.
        decision: ItemDecision,
        /// Why (required).
        reason: String,
    },
    /// Approve refunds.
    Approve(Vec<RefundId>),
    /// Reject refunds, with a reason.
    Reject {
        /// Which.
        ids: Vec<RefundId>,
        /// Why.
        reason: String,
    },
    /// Execute approved refunds now.
    Run(Vec<RefundId>),
    /// Execute failed refunds again (same out_refund_no).
    Retry(Vec<RefundId>),
    /// Mark failed refunds as settled by hand, with evidence.
    SettleOffline {
        /// Which.
        ids: Vec<RefundId>,
        /// What was done (e.g. "已在企业微信客户端退款 10-28").
        evidence: String,
    },
    /// Take back an earlier reversible action.
    Undo(UndoToken),
    /// Queue a sync of the camp's sources (or all) now.
    SyncNow(Option<CampId>),
    /// Write the evidence bundle of a payment (summary, archived pages,
    /// manifest); the outcome's message names the folder.
    Evidence {
        /// The payment.
        transaction_id: TransactionId,
        /// The folder to create; None: `evidence/<txn>-<time>` in the data dir.
        dir: Option<String>,
    },
}

impl SourceAction {
    /// Whether the action moves money or decides who gets money (it needs a
    /// confirmation that shows the count and total).
    pub fn moves_money(&self) -> bool {
        matches!(
            self,
            SourceAction::Approve(_)
                | SourceAction::Run(_)
                | SourceAction::Retry(_)
                | SourceAction::SettleOffline { .. }
        )
    }
}

/// A handle the source gives back for a reversible action; sending it in
/// [`SourceAction::Undo`] reverts that action if nothing has been paid since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoToken(pub String);

/// The result of an action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// What happened, in the UI's language ("已批准 12 笔").
    pub message: String,
    /// Present when the action can be undone.
    pub undo: Option<UndoToken>,
    /// Ids the action could not apply to, each with why (the rest were applied).
    pub refused: Vec<(String, String)>,
}

/// A failed load or action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    /// What went wrong, naming the record.
    pub message: String,
}

impl SourceError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> SourceError {
        SourceError { message: message.into() }
    }
}

impl From<crate::service::ServiceError> for SourceError {
    fn from(e: crate::service::ServiceError) -> Self {
        SourceError::new(e.message)
    }
}

/// Where the TUI gets its views and sends its actions. Implementations must be
/// cheap to call concurrently: the TUI issues loads for several panes at once
/// and never blocks its event loop on them.
pub trait TuiSource: Send + Sync + 'static {
    /// Loads one view.
    fn load(&self, query: ViewQuery) -> BoxFuture<'_, Result<View, SourceError>>;

    /// Performs one action.
    fn perform(&self, action: SourceAction) -> BoxFuture<'_, Result<ActionOutcome, SourceError>>;
}
