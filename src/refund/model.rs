//! A refund in the queue, from proposal to its final state.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::{CampId, ExternalUserId, Money, PlanetUserId, RefundId, RefundState, RefundVia, TransactionId};

/// Why a refund exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// The member passed: the full deposit back.
    Deposit,
    /// A second payment for the same camp by the same person.
    Duplicate,
    /// Paid but never joined a group within the limit.
    NotJoined,
}

impl RefundKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundKind::Deposit => "deposit",
            RefundKind::Duplicate => "duplicate",
            RefundKind::NotJoined => "not_joined",
        }
    }
}

/// What the queue is asked to hold: built from a verdict or an anomaly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// The camp.
    pub camp: CampId,
    /// The payment to refund.
    pub transaction_id: TransactionId,
    /// Why.
    pub kind: RefundKind,
    /// How much to refund.
    pub amount: Money,
    /// The payment's total (WeChat Pay's `amount.total`).
    pub paid_total: Money,
    /// How the money goes back.
    pub executor: RefundVia,
    /// The linked planet user, if any.
    pub planet_user_id: Option<PlanetUserId>,
    /// The payer's external_userid, if any.
    pub payer_external_userid: Option<ExternalUserId>,
    /// The payer's name as the bill shows it (for the operator's worklist).
    pub payer_name: Option<String>,
    /// When the payment was made (orders the wecom-client worklist).
    pub paid_at: Timestamp,
    /// The evidence in one line, e.g. "打卡 8/10 天，达标".
    pub basis: String,
    /// Must be decided on its own (borderline, anomaly): never part of "approve all".
    pub explicit_only: bool,
}

/// One reviewer's approval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// Who.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Optional note.
    pub note: Option<String>,
}

/// A human decision with its reason (reject, settle offline).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Who.
    pub by: String,
    /// When.
    pub at: Timestamp,
    /// Why, or the evidence.
    pub text: String,
}

/// One hand-over to the executor and what came back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// When it was submitted.
    pub at: Timestamp,
    /// Who or what submitted it.
    pub by: String,
    /// What came back (status, error code and message), when known.
    pub outcome: Option<String>,
}

/// A refund in the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    /// Stable id: `camp:transaction:kind`.
    pub id: RefundId,
    /// The merchant refund number for the refund's whole life (derived from `id`).
    pub out_refund_no: String,
    /// The proposal it came from (kept current while still proposed).
    pub proposal: Proposal,
    /// Where it stands.
    pub state: RefundState,
    /// Approvals so far (the two-person rule needs two different people).
    pub approvals: Vec<Approval>,
    /// The rejection, if rejected.
    pub rejection: Option<Decision>,
    /// Executor hand-overs.
    pub attempts: Vec<Attempt>,
    /// The last failure: class (e.g. `NOT_ENOUGH`, `timeout`) and message.
    pub failure: Option<(String, String)>,
    /// Manual settlement evidence.
    pub settlement: Option<Decision>,
    /// When the money was confirmed back.
    pub succeeded_at: Option<Timestamp>,
    /// The platform's refund id, when known.
    pub platform_refund_id: Option<String>,
    /// Set when the basis no longer holds (verdict changed); such a refund is not executed.
    pub stale: Option<String>,
    /// When it was proposed.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Refund {
    /// A new proposed refund.
    pub fn proposed(proposal: Proposal, at: Timestamp) -> Refund {
        let id = refund_id(&proposal.camp, &proposal.transaction_id, proposal.kind);
        Refund {
            out_refund_no: out_refund_no(&id),
            id,
            proposal,
            state: RefundState::Proposed,
            approvals: Vec::new(),
            rejection: None,
            attempts: Vec::new(),
            failure: None,
            settlement: None,
            succeeded_at: None,
            platform_refund_id: None,
            stale: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// The amount to refund.
    pub fn amount(&self) -> Money {
        self.proposal.amount
    }
}

/// The refund id for a payment and reason.
pub fn refund_id(camp: &CampId, txn: &TransactionId, kind: RefundKind) -> RefundId {
    RefundId::new(format!("{camp}:{txn}:{}", kind.as_str()))
}

/// The merchant refund number derived from a refund id: `CD` + 30 hex digits
/// of its SHA-256 — deterministic, unique in practice, within WeChat Pay's
/// 64-character `[0-9A-Za-z_-|*@]` rule.
pub fn out_refund_no(id: &RefundId) -> String {
    let digest = Sha256::digest(id.as_str().as_bytes());
    format!("CD{}", &hex::encode(digest)[..30])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_refund_no_is_stable_and_valid() {
        let id = refund_id(&CampId::new("2510-xhs"), &TransactionId::new("4200000001"), RefundKind::Deposit);
        assert_eq!(id.as_str(), "2510-xhs:4200000001:deposit");
        let a = out_refund_no(&id);
        assert_eq!(a, out_refund_no(&id));
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        let other = refund_id(&CampId::new("2510-xhs"), &TransactionId::new("4200000001"), RefundKind::Duplicate);
        assert_ne!(a, out_refund_no(&other));
    }
}
