//! The per-camp ledger (pure): every payment of the camp lands in exactly one
//! bucket, with its reason, so that
//! `collected = refunded + forfeited + pending + anomalies`, in fen.
//!
//! - **refunded**: the queue's refund succeeded (or was settled offline) for the
//!   whole payment, and the bill agrees (or has not shown it yet: a warning);
//! - **forfeited**: the verdict is a final fail, or the refund was rejected;
//! - **pending**: still being decided or paid (a proposed/approved/submitted/failed
//!   refund, a pass without a refund yet, a verdict still open);
//! - **anomalies**: anything that does not add up — refunds on the bill the queue
//!   does not hold, partial refunds, refunds beyond the payment, open
//!   reconciliation findings. Each is listed as an error with its difference in
//!   fen; nothing is rounded away.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::Refund;
use super::reconcile::{Finding, holds_money};
use crate::domain::{CampId, Money, Payment, RefundId, RefundState, TransactionId};
use crate::rules::{CampEvaluation, VerdictKind};

/// The four buckets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Money back with the payer.
    Refunded,
    /// Kept by the camp.
    Forfeited,
    /// Not settled yet.
    Pending,
    /// Does not add up: see the errors.
    Anomaly,
}

/// What the ledger reads for one camp.
#[derive(Clone, Copy, Debug)]
pub struct LedgerInput<'a> {
    /// The camp.
    pub camp: &'a CampId,
    /// The camp's payments (with the refunds their bills show).
    pub payments: &'a [Payment],
    /// The camp's refund queue.
    pub refunds: &'a [Refund],
    /// The camp's latest evaluation, when there is one.
    pub evaluation: Option<&'a CampEvaluation>,
    /// Reconciliation matches: (transaction, bill out_refund_no) → queue refund.
    pub matches: &'a BTreeMap<(TransactionId, String), RefundId>,
    /// Reconciliation findings of the camp.
    pub findings: &'a [Finding],
}

/// One payment in the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerLine {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The payer's name.
    pub payer_name: Option<String>,
    /// Amount paid.
    pub amount: Money,
    /// Where it lands.
    pub bucket: Bucket,
    /// Why, in words.
    pub reason: String,
    /// Refunds the bill shows as succeeded, in total.
    pub bill_refunded: Money,
    /// The queue refund that decides it, if any.
    pub refund_id: Option<RefundId>,
    /// Its state.
    pub refund_state: Option<RefundState>,
}

/// A difference that does not add up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerError {
    /// The payment.
    pub transaction_id: TransactionId,
    /// `refund_not_in_queue`, `partial_refund`, `over_refund`, `finding`, `queue_bill_mismatch`.
    pub kind: String,
    /// The difference in fen (signed: positive = more left the camp than the queue says).
    pub difference: Money,
    /// What is wrong.
    pub message: String,
}

/// A camp's ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampLedger {
    /// The camp.
    pub camp: CampId,
    /// Payments.
    pub payments: usize,
    /// Sum of the payments.
    pub collected: Money,
    /// Refunded bucket.
    pub refunded: Money,
    /// Forfeited bucket.
    pub forfeited: Money,
    /// Pending bucket.
    pub pending: Money,
    /// Anomalies bucket.
    pub anomalies: Money,
    /// Whether the buckets add up to what was collected.
    pub balanced: bool,
    /// One line per payment, in payment order.
    pub lines: Vec<LedgerLine>,
    /// Differences, shown as errors.
    pub errors: Vec<LedgerError>,
    /// Things to watch that are not errors (a bill that has not shown a refund yet).
    pub warnings: Vec<String>,
}

fn sum(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_add(b.fen()))
}

/// Builds a camp's ledger.
pub fn camp_ledger(input: &LedgerInput<'_>) -> CampLedger {
    let verdicts: BTreeMap<&TransactionId, _> =
        input.evaluation.map(|e| e.verdicts.iter().map(|v| (&v.transaction_id, v)).collect()).unwrap_or_default();
    let mut by_payment: BTreeMap<&TransactionId, Vec<&Refund>> = BTreeMap::new();
    for r in input.refunds {
        by_payment.entry(&r.proposal.transaction_id).or_default().push(r);
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for p in input.payments {
        let txn = &p.transaction_id;
        let queue: &[&Refund] = by_payment.get(txn).map_or(&[], |v| v.as_slice());
        let numbers: BTreeSet<&str> = queue.iter().map(|r| r.out_refund_no.as_str()).collect();
        let bill_ok: i64 = p.bill_refunds.iter().filter(|b| b.status == 2).map(|b| b.amount.fen()).sum();
        let bill_moving: i64 = p.bill_refunds.iter().filter(|b| holds_money(b.status)).map(|b| b.amount.fen()).sum();
        let mut line_errors: Vec<LedgerError> = Vec::new();
        let err = |errs: &mut Vec<LedgerError>, kind: &str, difference: i64, message: String| {
            errs.push(LedgerError {
                transaction_id: txn.clone(),
                kind: kind.to_string(),
                difference: Money::from_fen(difference),
                message,
            });
        };
        for b in p.bill_refunds.iter().filter(|b| holds_money(b.status)) {
            let known = numbers.contains(b.out_refund_no.as_str())
                || input.matches.contains_key(&(txn.clone(), b.out_refund_no.clone()));
            if !known {
                err(
                    &mut line_errors,
                    "refund_not_in_queue",
                    b.amount.fen(),
                    format!("the bill shows refund {} of ¥{} that the queue does not hold", b.out_refund_no, b.amount),
                );
            }
        }
        if bill_moving > p.amount.fen() {
            err(
                &mut line_errors,
                "over_refund",
                bill_moving - p.amount.fen(),
                format!("refunds of ¥{} exceed the ¥{} paid", Money::from_fen(bill_moving), p.amount),
            );
        }
        for f in input.findings.iter().filter(|f| &f.transaction_id == txn && f.resolved.is_none()) {
            err(&mut line_errors, "finding", f.amount.fen() - f.expected.map_or(0, Money::fen), f.message.clone());
        }
        // The refund that decides the payment: a live one before a rejected one.
        let decisive = queue
            .iter()
            .find(|r| r.state != RefundState::Rejected && r.stale.is_none())
            .or_else(|| queue.iter().find(|r| r.state != RefundState::Rejected))
            .or_else(|| queue.first())
            .copied();
        let paid_back = decisive.filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline));
        if let Some(r) = paid_back {
            if r.amount() != p.amount {
                err(
                    &mut line_errors,
                    "partial_refund",
                    p.amount.fen() - r.amount().fen(),
                    format!(
                        "refunded ¥{} of ¥{}; ¥{} is neither refunded nor forfeited",
                        r.amount(),
                        p.amount,
                        Money::from_fen(p.amount.fen() - r.amount().fen())
                    ),
                );
            }
            if r.state == RefundState::Succeeded && bill_ok == 0 {
                warnings.push(format!("payment {txn}: refund {} succeeded; the WeCom bill does not show it yet", r.id));
            } else if r.state == RefundState::Succeeded && bill_ok != r.amount().fen() && bill_ok != 0 {
                err(
                    &mut line_errors,
                    "queue_bill_mismatch",
                    bill_ok - r.amount().fen(),
                    format!("the queue paid ¥{}, the bill shows ¥{} refunded", r.amount(), Money::from_fen(bill_ok)),
                );
            }
        } else if bill_ok > 0 && bill_ok < p.amount.fen() && line_errors.is_empty() {
            err(
                &mut line_errors,
                "partial_refund",
                p.amount.fen() - bill_ok,
                format!("the bill shows ¥{} refunded of ¥{}", Money::from_fen(bill_ok), p.amount),
            );
        }
        let (bucket, reason) = if !line_errors.is_empty() {
            (Bucket::Anomaly, line_errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
        } else if let Some(r) = paid_back {
            let how = if r.state == RefundState::SettledOffline { "已线下退款" } else { "已退款" };
            (Bucket::Refunded, format!("{how}（{}）", r.id))
        } else if let Some(r) = decisive {
            match r.state {
                RefundState::Rejected => {
                    (Bucket::Forfeited, format!("拒绝退款：{}", r.rejection.as_ref().map_or("", |d| d.text.as_str())))
                }
                RefundState::Proposed => (Bucket::Pending, format!("待审核：{}", r.proposal.basis)),
                RefundState::Approved => (Bucket::Pending, "已批准，待执行".to_string()),
                RefundState::Submitted => (Bucket::Pending, "退款处理中".to_string()),
                RefundState::Failed => (
                    Bucket::Pending,
                    format!("退款失败，待处理：{}", r.failure.as_ref().map_or(String::new(), |(c, _)| c.clone())),
                ),
                RefundState::Succeeded | RefundState::SettledOffline => (Bucket::Refunded, "已退款".to_string()),
            }
        } else {
            match verdicts.get(txn) {
                None => (Bucket::Pending, "暂无判定".to_string()),
                Some(v) if v.provisional => (Bucket::Pending, "营期未结束，判定未定".to_string()),
                Some(v) => match v.verdict {
                    VerdictKind::Fail if !v.needs_review => {
                        (Bucket::Forfeited, format!("未达标：打卡 {}/{} 天", v.checkin_days, v.required_days))
                    }
                    VerdictKind::Pass => (Bucket::Pending, "达标，退款尚未生成".to_string()),
                    other => (Bucket::Pending, format!("待审核（{}）", other.label())),
                },
            }
        };
        errors.extend(line_errors);
        lines.push(LedgerLine {
            transaction_id: txn.clone(),
            payer_name: p.payer_name.clone(),
            amount: p.amount,
            bucket,
            reason,
            bill_refunded: Money::from_fen(bill_ok),
            refund_id: decisive.map(|r| r.id.clone()),
            refund_state: decisive.map(|r| r.state),
        });
    }
    let total = |b: Bucket| lines.iter().filter(|l| l.bucket == b).fold(Money::ZERO, |t, l| sum(t, l.amount));
    let collected = lines.iter().fold(Money::ZERO, |t, l| sum(t, l.amount));
    let (refunded, forfeited, pending, anomalies) =
        (total(Bucket::Refunded), total(Bucket::Forfeited), total(Bucket::Pending), total(Bucket::Anomaly));
    let balanced = sum(sum(refunded, forfeited), sum(pending, anomalies)) == collected;
    CampLedger {
        camp: input.camp.clone(),
        payments: lines.len(),
        collected,
        refunded,
        forfeited,
        pending,
        anomalies,
        balanced,
        lines,
        errors,
        warnings,
    }
}
