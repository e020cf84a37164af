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

impl Bucket {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Bucket::Refunded => "已退",
            Bucket::Forfeited => "没收",
            Bucket::Pending => "待定",
            Bucket::Anomaly => "异常",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Attribution, BillRefund, RefundVia};
    use crate::refund::model::{Proposal, RefundKind};
    use jiff::Timestamp;
    use proptest::prelude::*;

    fn at() -> Timestamp {
        "2025-11-05T02:00:00Z".parse().unwrap()
    }

    fn payment(txn: &str, fen: i64, bill: Vec<(i64, i64, &str)>) -> Payment {
        Payment {
            transaction_id: TransactionId::new(txn),
            out_trade_no: None,
            camp: Some(CampId::new("c1")),
            attribution: Attribution::Import,
            payer_external_userid: None,
            payer_name: Some("张三".into()),
            remark: String::new(),
            description: None,
            amount: Money::from_fen(fen),
            paid_at: at(),
            payee_userid: None,
            mch_id: None,
            payment_type: None,
            refunded_total: Money::ZERO,
            bill_refunds: bill
                .into_iter()
                .map(|(amount, status, no)| BillRefund {
                    out_refund_no: no.to_string(),
                    refund_userid: None,
                    comment: None,
                    requested_at: Some(at()),
                    amount: Money::from_fen(amount),
                    status,
                })
                .collect(),
            source: crate::domain::SourceRef { raw_id: "r".into(), position: None },
        }
    }

    fn refund(txn: &str, fen: i64, state: RefundState) -> Refund {
        let mut r = Refund::proposed(
            Proposal {
                camp: CampId::new("c1"),
                transaction_id: TransactionId::new(txn),
                kind: RefundKind::Deposit,
                amount: Money::from_fen(fen),
                paid_total: Money::from_fen(fen),
                executor: RefundVia::Wxpay,
                planet_user_id: None,
                payer_external_userid: None,
                payer_name: None,
                paid_at: at(),
                basis: "达标".into(),
                explicit_only: false,
            },
            at(),
        );
        r.state = state;
        r
    }

    fn ledger(payments: &[Payment], refunds: &[Refund]) -> CampLedger {
        let camp = CampId::new("c1");
        let matches = BTreeMap::new();
        camp_ledger(&LedgerInput { camp: &camp, payments, refunds, evaluation: None, matches: &matches, findings: &[] })
    }

    #[test]
    fn refunds_the_queue_does_not_hold_and_partial_refunds_are_errors_with_their_difference() {
        let paid = refund("t1", 3900, RefundState::Succeeded);
        let payments = vec![
            payment("t1", 3900, vec![(3900, 2, paid.out_refund_no.as_str())]),
            payment("t2", 3900, vec![(3900, 2, "CLIENT-1")]),
            payment("t3", 3900, vec![(1000, 2, "CLIENT-2")]),
            payment("t4", 3900, vec![]),
        ];
        let refunds = vec![paid, refund("t4", 3900, RefundState::Rejected)];
        let l = ledger(&payments, &refunds);
        let bucket = |t: &str| l.lines.iter().find(|x| x.transaction_id.as_str() == t).unwrap().bucket;
        assert_eq!(bucket("t1"), Bucket::Refunded);
        assert_eq!(bucket("t2"), Bucket::Anomaly);
        assert_eq!(bucket("t3"), Bucket::Anomaly);
        assert_eq!(bucket("t4"), Bucket::Forfeited);
        assert_eq!(
            (l.collected.fen(), l.refunded.fen(), l.anomalies.fen(), l.forfeited.fen()),
            (15600, 3900, 7800, 3900)
        );
        let t3: Vec<&LedgerError> = l.errors.iter().filter(|e| e.transaction_id.as_str() == "t3").collect();
        assert_eq!(t3[0].kind, "refund_not_in_queue");
        assert_eq!(t3[0].difference, Money::from_fen(1000));
        assert!(l.balanced);
    }

    #[test]
    fn an_over_refund_shows_the_excess() {
        let r = refund("t1", 3900, RefundState::Succeeded);
        let payments = vec![payment("t1", 3900, vec![(3900, 2, r.out_refund_no.as_str()), (100, 2, "X")])];
        let l = ledger(&payments, &[r]);
        let over = l.errors.iter().find(|e| e.kind == "over_refund").unwrap();
        assert_eq!(over.difference, Money::from_fen(100));
        assert_eq!(l.lines[0].bucket, Bucket::Anomaly);
    }

    fn state() -> impl Strategy<Value = Option<RefundState>> {
        prop_oneof![Just(None), proptest::sample::select(RefundState::ALL.to_vec()).prop_map(Some)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// Every payment lands in exactly one bucket and the buckets add up to what was collected.
        #[test]
        fn every_payment_lands_in_exactly_one_bucket(
            rows in proptest::collection::vec((1i64..100_000, state(), proptest::collection::vec((1i64..100_000, 0i64..8, any::<bool>()), 0..3)), 0..12)
        ) {
            let mut payments = Vec::new();
            let mut refunds = Vec::new();
            for (i, (fen, st, bill)) in rows.iter().enumerate() {
                let txn = format!("t{i}");
                let r = st.map(|s| refund(&txn, *fen, s));
                let bill: Vec<(i64, i64, String)> = bill
                    .iter()
                    .enumerate()
                    .map(|(j, (amount, status, ours))| {
                        let no = match (&r, ours) { (Some(r), true) => r.out_refund_no.clone(), _ => format!("C{i}-{j}") };
                        (*amount, *status, no)
                    })
                    .collect();
                payments.push(payment(&txn, *fen, bill.iter().map(|(a, s, n)| (*a, *s, n.as_str())).collect()));
                refunds.extend(r);
            }
            let l = ledger(&payments, &refunds);
            prop_assert_eq!(l.lines.len(), payments.len());
            prop_assert!(l.balanced);
            let sum: i64 = payments.iter().map(|p| p.amount.fen()).sum();
            prop_assert_eq!(l.collected.fen(), sum);
            prop_assert_eq!(l.refunded.fen() + l.forfeited.fen() + l.pending.fen() + l.anomalies.fen(), sum);
            for line in &l.lines {
                let has_error = l.errors.iter().any(|e| e.transaction_id == line.transaction_id);
                prop_assert_eq!(has_error, line.bucket == Bucket::Anomaly, "{:?}", line);
            }
        }
    }
}
