//! The operator's worklist for camps campdesk cannot pay by API
//! (`refund_via = "wecom-client"`, or `automation = "manual"`): who, which bill,
//! how much, newest payment first as the WeCom client lists them. Issuing the
//! list marks its approved refunds submitted (the operator now holds them); the
//! next bill sync reconciles them (`refund::reconcile`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::{Automation, Config};
use crate::domain::{CampId, Money, RefundId, RefundState, RefundVia, TransactionId};
use crate::refund::model::Refund;
use crate::refund::queue::{self, QueueError, REFUNDS};
use crate::store::{ReadTx, Store};

/// One refund to do by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorklistItem {
    /// The refund.
    pub refund_id: RefundId,
    /// The camp.
    pub camp: CampId,
    /// The payer's name as the bill shows it.
    pub payer_name: Option<String>,
    /// The bill's transaction id (交易单号).
    pub transaction_id: TransactionId,
    /// How much to refund.
    pub amount: Money,
    /// The payment's total.
    pub paid_total: Money,
    /// When the payment was made.
    pub paid_at: Timestamp,
    /// The same, local time (Asia/Shanghai), as the client shows it.
    pub paid_at_local: String,
    /// `submitted` once issued.
    pub state: RefundState,
    /// Issued now by this call (as opposed to still waiting from an earlier list).
    pub newly_issued: bool,
    /// Why the refund is due.
    pub basis: String,
}

/// The worklist and its totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Worklist {
    /// Newest payment first.
    pub items: Vec<WorklistItem>,
    /// Sum of the amounts.
    pub total: Money,
}

/// Whether the operator pays this camp's refunds by hand.
pub fn paid_by_hand(config: &Config, camp: &CampId) -> bool {
    config
        .camp(camp.as_str())
        .is_some_and(|c| c.refund_via == RefundVia::WecomClient || c.automation == Automation::Manual)
}

fn eligible(config: &Config, only: Option<&CampId>, r: &Refund) -> bool {
    only.is_none_or(|c| *c == r.proposal.camp)
        && paid_by_hand(config, &r.proposal.camp)
        && r.stale.is_none()
        && matches!(r.state, RefundState::Approved | RefundState::Submitted)
}

/// Builds the worklist; with `issue`, approved refunds are marked submitted by `by`
/// (audited), all in one transaction.
pub fn worklist(
    store: &Store,
    config: &Config,
    only: Option<&CampId>,
    by: &str,
    issue: bool,
    now: Timestamp,
) -> Result<Worklist, QueueError> {
    let tz = config.day_rule.tz.clone();
    let mut items = store.write_with(|tx| {
        let refunds: Vec<Refund> =
            tx.all(&REFUNDS)?.into_iter().map(|(_, r)| r).filter(|r| eligible(config, only, r)).collect();
        let mut items = Vec::new();
        for r in refunds {
            let (r, newly) = if issue && r.state == RefundState::Approved {
                (queue::mark_submitted(tx, &r.id, by, now)?, true)
            } else {
                (r, false)
            };
            items.push(item(&r, newly, &tz));
        }
        Ok::<_, QueueError>(items)
    })?;
    sort(&mut items);
    let total = items.iter().fold(Money::ZERO, |t, i| t.checked_add(i.amount).unwrap_or(t));
    Ok(Worklist { items, total })
}

/// The worklist without issuing anything (a read).
pub fn peek(read: &ReadTx, config: &Config, only: Option<&CampId>) -> Result<Worklist, QueueError> {
    let tz = config.day_rule.tz.clone();
    let mut items: Vec<WorklistItem> = read
        .all(&REFUNDS)?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| eligible(config, only, r))
        .map(|r| item(&r, false, &tz))
        .collect();
    sort(&mut items);
    let total = items.iter().fold(Money::ZERO, |t, i| t.checked_add(i.amount).unwrap_or(t));
    Ok(Worklist { items, total })
}

fn item(r: &Refund, newly_issued: bool, tz: &jiff::tz::TimeZone) -> WorklistItem {
    WorklistItem {
        refund_id: r.id.clone(),
        camp: r.proposal.camp.clone(),
        payer_name: r.proposal.payer_name.clone(),
        transaction_id: r.proposal.transaction_id.clone(),
        amount: r.amount(),
        paid_total: r.proposal.paid_total,
        paid_at: r.proposal.paid_at,
        paid_at_local: r.proposal.paid_at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        state: r.state,
        newly_issued,
        basis: r.proposal.basis.clone(),
    }
}

/// Newest payment first (the WeCom client's order), ties by transaction id.
fn sort(items: &mut [WorklistItem]) {
    items.sort_by(|a, b| b.paid_at.cmp(&a.paid_at).then_with(|| a.transaction_id.cmp(&b.transaction_id)));
}
