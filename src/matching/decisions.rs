//! Human link decisions (matching.md §4.6): must-link and cannot-link, keyed on
//! stable ids only. The matcher reads them; it never writes or changes them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::{ExternalUserId, PlanetUserId, TransactionId};

/// Must-link or cannot-link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// This payment (and, for person scope, this payer) is this planet user.
    Must,
    /// This payment (or, for person scope, this payer) is not this planet user.
    Cannot,
}

/// How far a decision reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionScope {
    /// Only the named payment.
    Payment,
    /// Every payment of the same payer (`external_userid`): "these are different people"
    /// for cannot-links, a person binding for must-links.
    Person,
}

/// Names and score at the time of the decision, kept for audit and to notice renames.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DecisionSnapshot {
    /// The planet user's nickname then.
    pub planet_name: Option<String>,
    /// The payer's name on the bill then.
    pub payer_name: Option<String>,
    /// The remark then.
    pub remark: Option<String>,
    /// The matcher's score for the pair then, in bits.
    pub score: Option<f64>,
}

/// One human decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Stable id (assigned by the store layer).
    pub id: String,
    /// Must or cannot.
    pub kind: DecisionKind,
    /// Payment or person.
    pub scope: DecisionScope,
    /// The payment the reviewer looked at.
    pub transaction_id: TransactionId,
    /// The payer's external_userid, when known (needed to reach other payments of the payer).
    pub external_userid: Option<ExternalUserId>,
    /// The planet user.
    pub planet_user_id: PlanetUserId,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: Timestamp,
    /// Why, in the reviewer's words.
    pub note: Option<String>,
    /// What the reviewer saw.
    pub snapshot: Option<DecisionSnapshot>,
    /// The decision this one replaced, if any.
    pub supersedes: Option<String>,
    /// The decision that replaced this one; set means inactive.
    pub superseded_by: Option<String>,
}

impl Decision {
    /// Whether the decision is in force.
    pub fn is_active(&self) -> bool {
        self.superseded_by.is_none()
    }
}
