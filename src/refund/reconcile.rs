//! Reconciliation of the refund queue with the refunds WeCom bills show.
//!
//! Called after every bills sync ([`reconcile`]). Each refund on a bill
//! (`Payment::bill_refunds`) is matched to one refund of the queue, once and
//! for good:
//! 1. by number (refunds campdesk sent through WeChat Pay carry its `out_refund_no`);
//! 2. otherwise, for camps paid by hand (`wecom-client` or `manual`), to the
//!    payment's issued (submitted) or approved refund not matched yet.
//!
//! A matched refund of the right amount settles the queue item: status 2 →
//! succeeded; 3 closed, 4 abnormal, 6/7 approval failed/cancelled → failed;
//! 0, 1, 5 → still pending. Anything else is **flagged loudly**: a stored
//! [`Finding`] (listed by `campdesk refunds findings`), an audit entry, an
//! engine alert and an admin message — a refund of another amount, a refund
//! nobody approved (or on another bill than the one approved), and a payment
//! refunded beyond what was paid. Nothing is silently accepted.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::executor::state;
use super::executor::worklist::paid_by_hand;
use super::model::{Decision, Refund};
use super::notify;
use super::queue::{self, Outcome, QueueError, REFUNDS};
use crate::config::Config;
use crate::domain::{BillRefund, CampId, Money, Payment, RefundId, RefundState, TransactionId};
use crate::records::payments::PAYMENTS;
use crate::store::{NewAuditEntry, ReadTx, TableDef, WriteTx, key, key_prefix};

/// Findings by id (`kind:transaction:out_refund_no`).
pub const FINDINGS: TableDef<Finding> = TableDef::new("refund_findings");
/// key(transaction_id, bill out_refund_no) → the queue refund it settles.
pub const BILL_MATCHES: TableDef<RefundId> = TableDef::new("refund_bill_matches");
/// The actor reconciliation writes into the audit log.
pub const ACTOR: &str = "campdesk-reconcile";

/// What is wrong with a refund seen on a bill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Matched to an approved refund, but for another amount.
    WrongAmount,
    /// No approved refund for this payment: nobody approved it.
    Unapproved,
    /// No approved refund for this payment, while one of the same amount waits on
    /// another bill of the camp: most likely the wrong bill was refunded.
    WrongBill,
    /// The payment's refunds add up to more than was paid.
    OverRefund,
}

impl FindingKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::WrongAmount => "wrong_amount",
            FindingKind::Unapproved => "unapproved",
            FindingKind::WrongBill => "wrong_bill",
            FindingKind::OverRefund => "over_refund",
        }
    }
}

/// A discrepancy between the bills and the queue, kept until a human resolves it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id.
    pub id: String,
    /// What kind.
    pub kind: FindingKind,
    /// The payment's camp, if attributed.
    pub camp: Option<CampId>,
    /// The payment.
    pub transaction_id: TransactionId,
    /// The refund's number on the bill.
    pub bill_out_refund_no: String,
    /// The amount on the bill.
    pub amount: Money,
    /// The amount campdesk expected, when there is one.
    pub expected: Option<Money>,
    /// The queue refund concerned (matched, or the one it was probably meant for).
    pub refund_id: Option<RefundId>,
    /// WeCom `refund_status` when last seen.
    pub bill_status: i64,
    /// Who pressed 退款, when the bill says.
    pub refund_userid: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// When first seen.
    pub first_seen: Timestamp,
    /// A human's resolution, once given.
    pub resolved: Option<Decision>,
}

/// What a reconciliation did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReconcileReport {
    /// Bill refunds looked at.
    pub bill_refunds: usize,
    /// Queue refunds settled as succeeded.
    pub succeeded: Vec<RefundId>,
    /// Queue refunds settled as failed.
    pub failed: Vec<RefundId>,
    /// Findings raised by this run (new ones only).
    pub new_findings: Vec<Finding>,
}

/// Whether a WeCom `refund_status` means money moved or may still move (0, 1, 2, 5, or unknown).
pub fn holds_money(status: i64) -> bool {
    !matches!(status, 3 | 4 | 6 | 7)
}

fn failure_class(status: i64) -> &'static str {
    match status {
        3 => "CLOSED",
        4 => "ABNORMAL",
        6 => "APPROVAL_FAILED",
        7 => "APPROVAL_CANCELLED",
        _ => "FAILED",
    }
}

/// Reconciles every payment that shows refunds, in one transaction, then raises
/// alerts for new findings on `status` (when given). The integrator calls this
/// after each WeCom bills sync.
pub fn reconcile(
    store: &crate::store::Store,
    config: &Config,
    status: Option<&tokio::sync::watch::Sender<crate::engine::EngineStatus>>,
    now: Timestamp,
) -> Result<ReconcileReport, QueueError> {
    let report = store.write_with(|tx| reconcile_tx(tx, config, now))?;
    if let Some(s) = status {
        for f in &report.new_findings {
            let alert = crate::engine::Alert {
                at: now,
                severity: crate::engine::Severity::Error,
                source: "reconcile".into(),
                message: f.message.clone(),
            };
            s.send_modify(|st| st.push_alert(alert));
        }
        if !report.succeeded.is_empty() || !report.failed.is_empty() || !report.new_findings.is_empty() {
            s.send_modify(|st| st.data_version += 1);
        }
    }
    Ok(report)
}

/// The same inside a caller's transaction.
pub fn reconcile_tx(tx: &mut WriteTx, config: &Config, now: Timestamp) -> Result<ReconcileReport, QueueError> {
    let mut report = ReconcileReport::default();
    let payments: Vec<Payment> =
        tx.all(&PAYMENTS)?.into_iter().map(|(_, p)| p).filter(|p| !p.bill_refunds.is_empty()).collect();
    // First every bill refund that belongs to an approved refund settles it …
    let mut unmatched: Vec<(&Payment, &BillRefund)> = Vec::new();
    for p in &payments {
        reconcile_payment(tx, config, p, now, &mut report, &mut unmatched)?;
    }
    // … then what is left is flagged, with a hint when an issued refund of the same
    // amount still waits on another bill of the camp (the wrong bill was refunded).
    let matched_ids: BTreeSet<RefundId> = tx.all(&BILL_MATCHES)?.into_iter().map(|(_, id)| id).collect();
    let mut waiting: BTreeMap<CampId, Vec<Refund>> = BTreeMap::new();
    for (_, r) in tx.all(&REFUNDS)? {
        if r.state == RefundState::Submitted && paid_by_hand(config, &r.proposal.camp) && !matched_ids.contains(&r.id) {
            waiting.entry(r.proposal.camp.clone()).or_default().push(r);
        }
    }
    for (p, br) in unmatched {
        flag_unmatched(tx, p, br, &waiting, now, &mut report)?;
    }
    Ok(report)
}

fn flag_unmatched(
    tx: &mut WriteTx,
    p: &Payment,
    br: &BillRefund,
    waiting: &BTreeMap<CampId, Vec<Refund>>,
    now: Timestamp,
    report: &mut ReconcileReport,
) -> Result<(), QueueError> {
    let txn = p.transaction_id.as_str();
    let candidates: Vec<&Refund> = p
        .camp
        .as_ref()
        .and_then(|c| waiting.get(c))
        .map(|rs| {
            rs.iter().filter(|r| r.amount() == br.amount && r.proposal.transaction_id != p.transaction_id).collect()
        })
        .unwrap_or_default();
    let (kind, refund_id, message) = match candidates.as_slice() {
        [] => (
            FindingKind::Unapproved,
            None,
            format!(
                "payment {txn}: a refund of ¥{} ({}, status {}) was made that nobody approved in campdesk",
                br.amount, br.out_refund_no, br.status
            ),
        ),
        [r, rest @ ..] => {
            let others = if rest.is_empty() {
                String::new()
            } else {
                format!(" (or one of {} more waiting refunds of that amount)", rest.len())
            };
            (
                FindingKind::WrongBill,
                Some(r.id.clone()),
                format!(
                    "payment {txn}: a refund of ¥{} ({}) was made that nobody approved for this payment; refund {} of the same amount on payment {} is still waiting{others}, so the wrong bill was probably refunded",
                    br.amount, br.out_refund_no, r.id, r.proposal.transaction_id
                ),
            )
        }
    };
    raise(tx, p, br, kind, None, refund_id, message, now, report)
}

fn refunds_of_payment(tx: &WriteTx, p: &Payment) -> Result<Vec<Refund>, QueueError> {
    let Some(camp) = &p.camp else { return Ok(Vec::new()) };
    Ok(tx
        .prefix(&REFUNDS, &format!("{camp}:{}:", p.transaction_id))?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.proposal.transaction_id == p.transaction_id)
        .collect())
}

fn reconcile_payment<'p>(
    tx: &mut WriteTx,
    config: &Config,
    p: &'p Payment,
    now: Timestamp,
    report: &mut ReconcileReport,
    unmatched: &mut Vec<(&'p Payment, &'p BillRefund)>,
) -> Result<(), QueueError> {
    let txn = p.transaction_id.as_str();
    let queue_refunds = refunds_of_payment(tx, p)?;
    let mut matches: BTreeMap<String, RefundId> = tx
        .prefix(&BILL_MATCHES, &key_prefix(&[txn]))?
        .into_iter()
        .map(|(k, v)| (k[txn.len() + 1..].to_string(), v))
        .collect();
    let mut bill_refunds: Vec<&BillRefund> = p.bill_refunds.iter().collect();
    bill_refunds
        .sort_by(|a, b| a.requested_at.cmp(&b.requested_at).then_with(|| a.out_refund_no.cmp(&b.out_refund_no)));
    for br in bill_refunds {
        report.bill_refunds += 1;
        let matched = match matches.get(&br.out_refund_no) {
            Some(id) => queue_refunds.iter().find(|r| &r.id == id).cloned(),
            None => {
                let found = match_refund(tx, config, p, &queue_refunds, &matches, br)?;
                if let Some(r) = &found {
                    tx.put(&BILL_MATCHES, &key(&[txn, &br.out_refund_no]), &r.id)?;
                    matches.insert(br.out_refund_no.clone(), r.id.clone());
                }
                found
            }
        };
        match matched {
            Some(r) => settle(tx, p, br, r, now, report)?,
            None => unmatched.push((p, br)),
        }
    }
    let moved: i64 = p.bill_refunds.iter().filter(|b| holds_money(b.status)).map(|b| b.amount.fen()).sum();
    if moved > p.amount.fen() {
        let total = Money::from_fen(moved);
        let last = p.bill_refunds.iter().rfind(|b| holds_money(b.status));
        if let Some(br) = last {
            let message = format!(
                "payment {txn}: refunds add up to ¥{total}, more than the ¥{} paid (¥{} too much)",
                p.amount,
                Money::from_fen(moved - p.amount.fen())
            );
            raise(tx, p, br, FindingKind::OverRefund, Some(p.amount), None, message, now, report)?;
        }
    }
    Ok(())
}

/// Finds the queue refund a bill refund settles (see the module docs).
fn match_refund(
    tx: &WriteTx,
    config: &Config,
    p: &Payment,
    queue_refunds: &[Refund],
    matches: &BTreeMap<String, RefundId>,
    br: &BillRefund,
) -> Result<Option<Refund>, QueueError> {
    for r in queue_refunds {
        if r.out_refund_no == br.out_refund_no {
            return Ok(Some(r.clone()));
        }
        let st = tx.get(&state::EXEC_STATE, r.id.as_str())?.unwrap_or_default();
        if st.previous_numbers.contains(&br.out_refund_no) {
            return Ok(Some(r.clone()));
        }
    }
    // A refund pressed in the client: the payment's approved, issued or failed
    // refund of a hand-paid camp that no other money-holding bill refund settles.
    let used_up = |r: &Refund| {
        matches.iter().any(|(no, id)| {
            id == &r.id
                && no != &br.out_refund_no
                && p.bill_refunds.iter().find(|b| &b.out_refund_no == no).is_none_or(|b| holds_money(b.status))
        })
    };
    let candidate = queue_refunds.iter().find(|r| {
        paid_by_hand(config, &r.proposal.camp)
            && matches!(r.state, RefundState::Submitted | RefundState::Approved | RefundState::Failed)
            && r.stale.is_none()
            && !used_up(r)
    });
    Ok(candidate.cloned())
}

fn settle(
    tx: &mut WriteTx,
    p: &Payment,
    br: &BillRefund,
    r: Refund,
    now: Timestamp,
    report: &mut ReconcileReport,
) -> Result<(), QueueError> {
    let current: Refund = tx.get(&REFUNDS, r.id.as_str())?.unwrap_or(r);
    if br.amount != current.amount() {
        let message = format!(
            "payment {}: refund {} on the bill is ¥{}, but campdesk approved ¥{} ({}); settle the difference and record it with `campdesk refunds settle-offline {}`",
            p.transaction_id,
            br.out_refund_no,
            br.amount,
            current.amount(),
            current.id,
            current.id
        );
        raise(
            tx,
            p,
            br,
            FindingKind::WrongAmount,
            Some(current.amount()),
            Some(current.id.clone()),
            message.clone(),
            now,
            report,
        )?;
        if holds_money(br.status) && br.status == 2 && current.state == RefundState::Submitted {
            queue::record_outcome(
                tx,
                &current.id,
                Outcome::Failed { class: "WRONG_AMOUNT".into(), message },
                ACTOR,
                now,
            )?;
            report.failed.push(current.id.clone());
        }
        return Ok(());
    }
    let seen = format!("seen on the WeCom bill: refund {} of ¥{}, status {}", br.out_refund_no, br.amount, br.status);
    match br.status {
        2 => {
            let mut current = current;
            if matches!(current.state, RefundState::Approved | RefundState::Failed) && current.stale.is_none() {
                // Refunded in the client before the worklist issued it, or redone after a
                // failed attempt: approved, so accepted.
                current = queue::mark_submitted(tx, &current.id, ACTOR, now)?;
            }
            if current.state == RefundState::Submitted {
                queue::record_outcome(
                    tx,
                    &current.id,
                    Outcome::Succeeded { platform_refund_id: Some(br.out_refund_no.clone()), note: seen },
                    ACTOR,
                    now,
                )?;
                report.succeeded.push(current.id.clone());
            }
        }
        3 | 4 | 6 | 7 if current.state == RefundState::Submitted && current.out_refund_no != br.out_refund_no => {
            // A client refund that did not go through; the item stays the operator's to redo.
            let class = failure_class(br.status);
            let msg = format!("{seen}: the refund in the WeCom client did not go through ({class}); refund it again");
            queue::record_outcome(
                tx,
                &current.id,
                Outcome::Failed { class: class.into(), message: msg.clone() },
                ACTOR,
                now,
            )?;
            notify::enqueue_admins(tx, "refund_failed", &format!("【campdesk 退款失败】{}\n{msg}", current.id), now)?;
            report.failed.push(current.id.clone());
        }
        _ => {}
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn raise(
    tx: &mut WriteTx,
    p: &Payment,
    br: &BillRefund,
    kind: FindingKind,
    expected: Option<Money>,
    refund_id: Option<RefundId>,
    message: String,
    now: Timestamp,
    report: &mut ReconcileReport,
) -> Result<(), QueueError> {
    let id = format!("{}:{}:{}", kind.as_str(), p.transaction_id, br.out_refund_no);
    if let Some(mut existing) = tx.get(&FINDINGS, &id)? {
        if existing.bill_status != br.status {
            existing.bill_status = br.status;
            tx.put(&FINDINGS, &id, &existing)?;
        }
        return Ok(());
    }
    let f = Finding {
        id: id.clone(),
        kind,
        camp: p.camp.clone(),
        transaction_id: p.transaction_id.clone(),
        bill_out_refund_no: br.out_refund_no.clone(),
        amount: br.amount,
        expected,
        refund_id,
        bill_status: br.status,
        refund_userid: br.refund_userid.as_ref().map(|u| u.to_string()),
        message: message.clone(),
        first_seen: now,
        resolved: None,
    };
    tx.put(&FINDINGS, &id, &f)?;
    tx.audit(NewAuditEntry::new(
        ACTOR,
        "refund.finding",
        p.transaction_id.as_str(),
        json!({ "finding": id, "kind": kind.as_str(), "bill_out_refund_no": br.out_refund_no, "amount_fen": br.amount.fen(), "expected_fen": expected.map(Money::fen), "refund": f.refund_id }),
    ))?;
    notify::enqueue_admins(tx, "finding", &format!("【campdesk 对账异常】{message}"), now)?;
    report.new_findings.push(f);
    Ok(())
}

/// Findings, optionally of one camp and only unresolved ones.
pub fn findings(read: &ReadTx, camp: Option<&CampId>, open_only: bool) -> Result<Vec<Finding>, QueueError> {
    Ok(read
        .all(&FINDINGS)?
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| camp.is_none_or(|c| f.camp.as_ref() == Some(c)))
        .filter(|f| !open_only || f.resolved.is_none())
        .collect())
}

/// A human resolves a finding, with a note (audited). The bill and the queue are not changed.
pub fn resolve(tx: &mut WriteTx, id: &str, by: &str, note: &str, now: Timestamp) -> Result<Finding, QueueError> {
    if note.trim().is_empty() {
        return Err(QueueError::ReasonRequired(RefundId::new(id)));
    }
    let mut f: Finding = tx.get(&FINDINGS, id)?.ok_or_else(|| QueueError::Unknown(RefundId::new(id)))?;
    f.resolved = Some(Decision { by: by.to_string(), at: now, text: note.to_string() });
    tx.put(&FINDINGS, id, &f)?;
    tx.audit(NewAuditEntry::new(
        by,
        "refund.finding_resolve",
        f.transaction_id.as_str(),
        json!({ "finding": id, "note": note }),
    ))?;
    Ok(f)
}
