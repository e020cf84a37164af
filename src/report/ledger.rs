//! The per-camp ledger the reports reconcile against (pure): every payment of
//! the camp lands in exactly one bucket, with its reason, so that
//! `collected = refunded + forfeited + pending + anomalies`, to the fen.
//!
//! - **refunded**: the refund that decides the payment succeeded (or was settled
//!   offline) for the whole amount;
//! - **forfeited**: the verdict is a final fail, or the refund was rejected;
//! - **pending**: still being decided or paid (proposed, approved, submitted or
//!   failed refunds, a pass without a refund yet, a verdict still open);
//! - **anomalies**: anything that does not add up: refunds on the bill the queue
//!   does not hold, partial refunds, refunds beyond the payment, a bill that
//!   disagrees with the queue. Each is listed as an error with its difference in
//!   fen; nothing is rounded away.
//!
//! The payout branch keeps the same buckets in `refund::ledger` (with its
//! reconciliation findings); until that is on main the reports compute them here.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::{Money, Payment, RefundId, RefundState, TransactionId};
use crate::refund::Refund;
use crate::rules::{Verdict, VerdictKind};

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

/// One payment in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    /// The payment.
    pub transaction_id: TransactionId,
    /// Amount paid.
    #[serde(rename = "amount_fen")]
    pub amount: Money,
    /// Where it lands.
    pub bucket: Bucket,
    /// Why, in words.
    pub reason: String,
    /// The refund that decides it, if any.
    pub refund_id: Option<RefundId>,
    /// Its state.
    pub refund_state: Option<RefundState>,
    /// What the decisive refund paid back (succeeded or settled offline).
    #[serde(rename = "refunded_fen")]
    pub refunded: Money,
}

/// A difference that does not add up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerError {
    /// The payment (empty for camp-wide differences).
    pub transaction_id: String,
    /// `refund_not_in_queue`, `partial_refund`, `over_refund`, `queue_bill_mismatch` or `unbalanced`.
    pub kind: String,
    /// The difference in fen (positive: more left the camp than the queue says).
    #[serde(rename = "difference_fen")]
    pub difference: Money,
    /// What is wrong.
    pub message: String,
}

/// A camp's money.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampLedger {
    /// Sum of the camp's payments.
    #[serde(rename = "collected_fen")]
    pub collected: Money,
    /// Refunded bucket.
    #[serde(rename = "refunded_fen")]
    pub refunded: Money,
    /// Forfeited bucket.
    #[serde(rename = "forfeited_fen")]
    pub forfeited: Money,
    /// Pending bucket.
    #[serde(rename = "pending_fen")]
    pub pending: Money,
    /// Anomalies bucket.
    #[serde(rename = "anomalies_fen")]
    pub anomalies: Money,
    /// `collected − (refunded + forfeited + pending + anomalies)`: zero when it reconciles.
    #[serde(rename = "difference_fen")]
    pub difference: Money,
    /// One line per payment, in payment order.
    pub lines: Vec<LedgerLine>,
    /// Differences, shown as errors.
    pub errors: Vec<LedgerError>,
}

impl CampLedger {
    /// Whether the buckets add up to what was collected and nothing is in doubt.
    pub fn balanced(&self) -> bool {
        self.difference == Money::ZERO && self.errors.is_empty()
    }

    /// The bucket amounts added to another ledger's (for totals).
    pub fn add_totals(&mut self, other: &CampLedger) {
        self.collected = add(self.collected, other.collected);
        self.refunded = add(self.refunded, other.refunded);
        self.forfeited = add(self.forfeited, other.forfeited);
        self.pending = add(self.pending, other.pending);
        self.anomalies = add(self.anomalies, other.anomalies);
        self.difference = add(self.difference, other.difference);
        self.errors.extend(other.errors.iter().cloned());
    }
}

/// Saturating addition: the totals of a report never wrap (an absurd sum shows as
/// the largest amount, and the difference check then reports it).
pub(crate) fn add(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_add(b.fen()))
}

fn sub(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_sub(b.fen()))
}

/// WeCom refund statuses that move (or moved) money: everything but closed (3),
/// abnormal (4), approval failed (6) and approval cancelled (7).
pub fn bill_refund_holds_money(status: i64) -> bool {
    !matches!(status, 3 | 4 | 6 | 7)
}

/// Builds a camp's ledger from its payments, its refund queue and its verdicts.
pub fn camp_ledger(payments: &[Payment], refunds: &[Refund], verdicts: &[Verdict]) -> CampLedger {
    let verdict_of: BTreeMap<&TransactionId, &Verdict> = verdicts.iter().map(|v| (&v.transaction_id, v)).collect();
    let mut by_payment: BTreeMap<&TransactionId, Vec<&Refund>> = BTreeMap::new();
    for r in refunds {
        by_payment.entry(&r.proposal.transaction_id).or_default().push(r);
    }
    let mut out = CampLedger::default();
    for p in payments {
        let queue: &[&Refund] = by_payment.get(&p.transaction_id).map_or(&[], Vec::as_slice);
        let (line, errors) = ledger_line(p, queue, verdict_of.get(&p.transaction_id).copied());
        out.collected = add(out.collected, p.amount);
        match line.bucket {
            Bucket::Refunded => out.refunded = add(out.refunded, line.amount),
            Bucket::Forfeited => out.forfeited = add(out.forfeited, line.amount),
            Bucket::Pending => out.pending = add(out.pending, line.amount),
            Bucket::Anomaly => out.anomalies = add(out.anomalies, line.amount),
        }
        out.errors.extend(errors);
        out.lines.push(line);
    }
    let buckets = add(add(out.refunded, out.forfeited), add(out.pending, out.anomalies));
    out.difference = sub(out.collected, buckets);
    if out.difference != Money::ZERO {
        out.errors.push(LedgerError {
            transaction_id: String::new(),
            kind: "unbalanced".into(),
            difference: out.difference,
            message: format!(
                "collected ¥{} but refunded + forfeited + pending + anomalies = ¥{}: ¥{} unaccounted for",
                out.collected, buckets, out.difference
            ),
        });
    }
    out
}

fn ledger_line(p: &Payment, queue: &[&Refund], verdict: Option<&Verdict>) -> (LedgerLine, Vec<LedgerError>) {
    let txn = &p.transaction_id;
    let mut errors: Vec<LedgerError> = Vec::new();
    let err = |errors: &mut Vec<LedgerError>, kind: &str, difference: i64, message: String| {
        errors.push(LedgerError {
            transaction_id: txn.to_string(),
            kind: kind.to_string(),
            difference: Money::from_fen(difference),
            message,
        });
    };
    let numbers: BTreeSet<&str> = queue.iter().map(|r| r.out_refund_no.as_str()).collect();
    for b in p.bill_refunds.iter().filter(|b| bill_refund_holds_money(b.status)) {
        if !numbers.contains(b.out_refund_no.as_str()) {
            err(
                &mut errors,
                "refund_not_in_queue",
                b.amount.fen(),
                format!(
                    "payment {txn}: the bill shows refund {} of ¥{} that the queue does not hold",
                    b.out_refund_no, b.amount
                ),
            );
        }
    }
    let bill_moving: i64 =
        p.bill_refunds.iter().filter(|b| bill_refund_holds_money(b.status)).map(|b| b.amount.fen()).sum();
    let bill_ok: i64 = p.bill_refunds.iter().filter(|b| b.succeeded()).map(|b| b.amount.fen()).sum();
    let queue_paid: i64 = queue
        .iter()
        .filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline))
        .map(|r| r.amount().fen())
        .sum();
    let out_total = bill_moving.max(queue_paid);
    if out_total > p.amount.fen() {
        err(
            &mut errors,
            "over_refund",
            out_total - p.amount.fen(),
            format!("payment {txn}: refunds of ¥{} exceed the ¥{} paid", Money::from_fen(out_total), p.amount),
        );
    }
    // The refund that decides the payment: a live one before a stale one before a rejected one.
    let decisive = queue
        .iter()
        .find(|r| r.state != RefundState::Rejected && r.stale.is_none())
        .or_else(|| queue.iter().find(|r| r.state != RefundState::Rejected))
        .or_else(|| queue.first())
        .copied();
    let paid_back = decisive.filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline));
    if let Some(r) = paid_back {
        if r.amount() != p.amount {
            let missing = p.amount.fen() - r.amount().fen();
            err(
                &mut errors,
                "partial_refund",
                missing,
                format!(
                    "payment {txn}: refunded ¥{} of ¥{}; ¥{} is neither refunded nor forfeited",
                    r.amount(),
                    p.amount,
                    Money::from_fen(missing)
                ),
            );
        }
        if r.state == RefundState::Succeeded && bill_ok != 0 && bill_ok != r.amount().fen() {
            err(
                &mut errors,
                "queue_bill_mismatch",
                bill_ok - r.amount().fen(),
                format!(
                    "payment {txn}: the queue paid ¥{}, the bill shows ¥{} refunded",
                    r.amount(),
                    Money::from_fen(bill_ok)
                ),
            );
        }
    } else if bill_ok > 0 && bill_ok < p.amount.fen() && errors.is_empty() {
        err(
            &mut errors,
            "partial_refund",
            p.amount.fen() - bill_ok,
            format!("payment {txn}: the bill shows ¥{} refunded of ¥{}", Money::from_fen(bill_ok), p.amount),
        );
    }
    let refunded = paid_back.map_or(Money::ZERO, Refund::amount);
    let (bucket, reason) = if !errors.is_empty() {
        (Bucket::Anomaly, errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
    } else if let Some(r) = paid_back {
        let how = if r.state == RefundState::SettledOffline { "已线下退款" } else { "已退款" };
        (Bucket::Refunded, format!("{how}（{}）", r.id))
    } else if let Some(r) = decisive {
        match r.state {
            RefundState::Rejected => {
                (Bucket::Forfeited, format!("退款被拒：{}", r.rejection.as_ref().map_or("", |d| d.text.as_str())))
            }
            RefundState::Proposed if r.stale.is_some() => (Bucket::Pending, "退款依据已变，待重新审核".to_string()),
            RefundState::Proposed => (Bucket::Pending, format!("待审核：{}", r.proposal.basis)),
            RefundState::Approved => (Bucket::Pending, "已批准，待执行".to_string()),
            RefundState::Submitted => (Bucket::Pending, "退款处理中".to_string()),
            RefundState::Failed => {
                (Bucket::Pending, format!("退款失败，待处理：{}", r.failure.as_ref().map_or("", |(c, _)| c.as_str())))
            }
            RefundState::Succeeded | RefundState::SettledOffline => (Bucket::Refunded, "已退款".to_string()),
        }
    } else {
        match verdict {
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
    let line = LedgerLine {
        transaction_id: txn.clone(),
        amount: p.amount,
        bucket,
        reason,
        refund_id: decisive.map(|r| r.id.clone()),
        refund_state: decisive.map(|r| r.state),
        refunded,
    };
    (line, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Attribution, BillRefund, CampId, RefundVia, SourceRef};
    use crate::refund::{Decision, Proposal, RefundKind};
    use jiff::Timestamp;
    use proptest::prelude::*;

    fn at() -> Timestamp {
        "2025-11-05T02:00:00Z".parse().unwrap()
    }

    pub(crate) fn payment(txn: &str, fen: i64) -> Payment {
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
            bill_refunds: Vec::new(),
            source: SourceRef { raw_id: "r".into(), position: None },
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
        if state == RefundState::Rejected {
            r.rejection = Some(Decision { by: "owner".into(), at: at(), text: "未达标".into() });
        }
        r
    }

    fn bill(no: &str, fen: i64, status: i64) -> BillRefund {
        BillRefund {
            out_refund_no: no.into(),
            refund_userid: None,
            comment: None,
            requested_at: None,
            amount: Money::from_fen(fen),
            status,
        }
    }

    #[test]
    fn each_payment_lands_in_one_bucket() {
        let payments = vec![payment("t1", 3900), payment("t2", 3900), payment("t3", 3900), payment("t4", 3900)];
        let refunds = vec![
            refund("t1", 3900, RefundState::Succeeded),
            refund("t2", 3900, RefundState::Rejected),
            refund("t3", 3900, RefundState::Approved),
        ];
        let l = camp_ledger(&payments, &refunds, &[]);
        assert_eq!(l.collected, Money::from_fen(15_600));
        assert_eq!(l.refunded, Money::from_fen(3900));
        assert_eq!(l.forfeited, Money::from_fen(3900));
        assert_eq!(l.pending, Money::from_fen(7800), "approved and not yet judged");
        assert_eq!(l.anomalies, Money::ZERO);
        assert!(l.balanced(), "{:?}", l.errors);
        assert_eq!(l.lines[1].reason, "退款被拒：未达标");
    }

    #[test]
    fn refunds_the_queue_does_not_know_are_anomalies_with_their_difference() {
        let mut p = payment("t1", 3900);
        p.bill_refunds.push(bill("MANUAL1", 3900, 2));
        let mut partial = payment("t2", 3900);
        let r2 = refund("t2", 2000, RefundState::Succeeded);
        partial.bill_refunds.push(bill(&r2.out_refund_no, 2000, 2));
        let l = camp_ledger(&[p, partial], &[r2], &[]);
        assert_eq!(l.anomalies, Money::from_fen(7800));
        let kinds: Vec<(&str, i64)> = l.errors.iter().map(|e| (e.kind.as_str(), e.difference.fen())).collect();
        assert_eq!(kinds, vec![("refund_not_in_queue", 3900), ("partial_refund", 1900)]);
        assert!(!l.balanced());
        assert_eq!(l.difference, Money::ZERO, "the buckets still add up; the errors say what is wrong");
    }

    #[test]
    fn a_closed_bill_refund_moves_no_money() {
        let mut p = payment("t1", 3900);
        p.bill_refunds.push(bill("X", 3900, 3));
        let l = camp_ledger(&[p], &[], &[]);
        assert!(l.errors.is_empty());
        assert_eq!(l.pending, Money::from_fen(3900));
    }

    proptest! {
        #[test]
        fn the_buckets_always_add_up_to_what_was_collected(
            specs in proptest::collection::vec((1i64..100_000, 0usize..8, 0i64..3, 0i64..8), 0..40)
        ) {
            let states = [None, Some(RefundState::Proposed), Some(RefundState::Approved), Some(RefundState::Rejected),
                Some(RefundState::Submitted), Some(RefundState::Succeeded), Some(RefundState::Failed),
                Some(RefundState::SettledOffline)];
            let mut payments = Vec::new();
            let mut refunds = Vec::new();
            for (i, (fen, state, bills, status)) in specs.into_iter().enumerate() {
                let txn = format!("t{i}");
                let mut p = payment(&txn, fen);
                if let Some(s) = states[state] {
                    let r = refund(&txn, fen, s);
                    for b in 0..bills {
                        let no = if b == 0 { r.out_refund_no.clone() } else { format!("other{b}") };
                        p.bill_refunds.push(bill(&no, fen, status));
                    }
                    refunds.push(r);
                }
                payments.push(p);
            }
            let l = camp_ledger(&payments, &refunds, &[]);
            let sum = l.refunded.fen() + l.forfeited.fen() + l.pending.fen() + l.anomalies.fen();
            prop_assert_eq!(sum, l.collected.fen());
            prop_assert_eq!(l.difference, Money::ZERO);
            prop_assert_eq!(l.lines.len(), payments.len());
            let anomalous = l.lines.iter().filter(|x| x.bucket == Bucket::Anomaly).count();
            prop_assert_eq!(anomalous > 0, !l.errors.is_empty());
        }
    }
}
