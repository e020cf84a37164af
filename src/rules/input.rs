//! What the rules need to judge one camp: the camp, its records, the accepted
//! links and the reviewers' decisions. Plain slices of domain records, so the
//! engine can fill it straight from the store and tests can build it by hand.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::freeze::FrozenInputs;
use crate::config::Camp;
use crate::domain::{
    CampId, CheckinProject, CheckinTopic, Day, DayRule, ExternalUserId, GroupMember, MembershipEvent, Payment,
    PlanetUser, PlanetUserId, RankingEntry, TransactionId,
};

/// An accepted identity link for one payment (the matcher's `auto` or
/// `confirmed` links; review and unmatched links are not passed in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedLink {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The planet account that paid; `None` leaves the payment `unlinked`.
    pub planet_user_id: Option<PlanetUserId>,
    /// The group member that paid, when the matcher tied one (the bill's own
    /// `payer_external_userid` is used as well).
    pub external_userid: Option<ExternalUserId>,
}

/// A reviewer's decision on one payment's verdict. It wins over the computation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictOverride {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The verdict the reviewer set.
    pub decision: OverrideDecision,
    /// Why (shown in the verdict's reasons).
    pub reason: String,
    /// Who decided.
    pub by: String,
    /// When; the latest override of a payment wins.
    pub at: Timestamp,
}

/// What a reviewer may set a verdict to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideDecision {
    /// Deposit earned back.
    Pass,
    /// Deposit forfeited.
    Fail,
}

/// A day a reviewer excused for a member (请假): it counts as a completed day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRecord {
    /// The member.
    pub planet_user_id: PlanetUserId,
    /// The camp day excused.
    pub day: Day,
    /// Why.
    pub reason: String,
    /// Who recorded it.
    pub by: String,
    /// When it was recorded.
    pub at: Timestamp,
}

/// Everything `evaluate_camp` reads. Slices may hold records of other camps or
/// projects where noted; those are skipped.
#[derive(Clone, Copy, Debug)]
pub struct CampInput<'a> {
    /// The camp (rule, window, deposit, policies).
    pub camp: &'a Camp,
    /// The global day rule (`Config::day_rule`); the camp's cutoff is applied on top.
    pub day_rule: &'a DayRule,
    /// The camp's zsxq check-in project, when synced.
    pub project: Option<&'a CheckinProject>,
    /// The payments attributed to this camp (a payment of another camp is an error).
    pub payments: &'a [Payment],
    /// Accepted links; links of payments not in `payments` are skipped.
    pub links: &'a [AcceptedLink],
    /// Check-in posts; posts of another project are not counted.
    pub topics: &'a [CheckinTopic],
    /// Accumulated ranking rows; rows of another project are skipped.
    pub ranking: &'a [RankingEntry],
    /// Members of the camp's groups; members of other groups are skipped.
    pub group_members: &'a [GroupMember],
    /// Joins and leaves in the camp's groups; other groups' events are skipped.
    pub membership_events: &'a [MembershipEvent],
    /// Planet users (names for texts, left-the-planet status).
    pub planet_users: &'a [PlanetUser],
    /// Reviewers' verdict overrides.
    pub overrides: &'a [VerdictOverride],
    /// Reviewers' leave records.
    pub leaves: &'a [LeaveRecord],
    /// The instant of evaluation (progress, grace periods, provisional verdicts).
    pub now: Timestamp,
    /// The frozen check-in inputs, once the camp was frozen: project, topics and
    /// ranking then come from here and the slices above are ignored for them.
    pub frozen: Option<&'a FrozenInputs>,
}

impl<'a> CampInput<'a> {
    /// An input with no records at all; fill the fields you have.
    pub fn new(camp: &'a Camp, day_rule: &'a DayRule, now: Timestamp) -> CampInput<'a> {
        CampInput {
            camp,
            day_rule,
            project: None,
            payments: &[],
            links: &[],
            topics: &[],
            ranking: &[],
            group_members: &[],
            membership_events: &[],
            planet_users: &[],
            overrides: &[],
            leaves: &[],
            now,
            frozen: None,
        }
    }
}

/// Inputs that cannot be judged as given (a caller's mistake, never the data's).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// A payment handed in for a camp it is not attributed to.
    #[error("payment {transaction_id}: camp: attributed to {found}, not to camp {camp}")]
    PaymentOfAnotherCamp {
        /// The payment.
        transaction_id: TransactionId,
        /// The camp being evaluated.
        camp: CampId,
        /// What the payment says (`none` when unattributed).
        found: String,
    },
    /// The same payment twice in the input.
    #[error("payment {transaction_id}: transaction_id: listed twice")]
    DuplicatePaymentRecord {
        /// The payment.
        transaction_id: TransactionId,
    },
    /// A frozen snapshot of another camp.
    #[error("frozen snapshot: camp: taken for camp {snapshot}, not for camp {camp}")]
    FrozenForAnotherCamp {
        /// The snapshot's camp.
        snapshot: CampId,
        /// The camp being evaluated.
        camp: CampId,
    },
}
