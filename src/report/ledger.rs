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
//! The buckets are computed by the payout ledger (`refund::ledger`, with its
//! bill matches and reconciliation findings); this module is the report's view
//! of it (serialised field names in fen, what each payment got back).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{Money, RefundId, RefundState, TransactionId};
use crate::refund::Refund;
use crate::refund::ledger as payout;

/// The four buckets (the payout ledger's).
pub use crate::refund::ledger::Bucket;

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

/// The report's view of a camp's ledger, from the payout ledger
/// ([`refund::ledger`](crate::refund::ledger): the one `campdesk refunds ledger`
/// shows), so the reports and the payout side can never disagree. Adds what
/// each payment's deciding refund paid back (for the member sheets) and the
/// camp-wide difference.
pub fn from_payout(l: &payout::CampLedger, refunds: &[Refund]) -> CampLedger {
    let by_id: BTreeMap<&RefundId, &Refund> = refunds.iter().map(|r| (&r.id, r)).collect();
    let lines: Vec<LedgerLine> = l
        .lines
        .iter()
        .map(|x| {
            let paid_back = x
                .refund_id
                .as_ref()
                .and_then(|id| by_id.get(id))
                .filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline))
                .map_or(Money::ZERO, |r| r.amount());
            LedgerLine {
                transaction_id: x.transaction_id.clone(),
                amount: x.amount,
                bucket: x.bucket,
                reason: x.reason.clone(),
                refund_id: x.refund_id.clone(),
                refund_state: x.refund_state,
                refunded: paid_back,
            }
        })
        .collect();
    let parts = [l.refunded, l.forfeited, l.pending, l.anomalies].into_iter().fold(Money::ZERO, add);
    let difference = Money::from_fen(l.collected.fen().saturating_sub(parts.fen()));
    let mut errors: Vec<LedgerError> = l
        .errors
        .iter()
        .map(|e| LedgerError {
            transaction_id: e.transaction_id.to_string(),
            kind: e.kind.clone(),
            difference: e.difference,
            message: e.message.clone(),
        })
        .collect();
    if difference != Money::ZERO {
        errors.push(LedgerError {
            transaction_id: String::new(),
            kind: "unbalanced".into(),
            difference,
            message: format!(
                "collected {} ≠ refunded {} + forfeited {} + pending {} + anomalies {}",
                l.collected, l.refunded, l.forfeited, l.pending, l.anomalies
            ),
        });
    }
    CampLedger {
        collected: l.collected,
        refunded: l.refunded,
        forfeited: l.forfeited,
        pending: l.pending,
        anomalies: l.anomalies,
        difference,
        lines,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(txn: &str, bucket: payout::Bucket, fen: i64) -> payout::LedgerLine {
        payout::LedgerLine {
            transaction_id: TransactionId::new(txn),
            payer_name: None,
            amount: Money::from_fen(fen),
            bucket,
            reason: "r".into(),
            bill_refunded: Money::ZERO,
            refund_id: None,
            refund_state: None,
        }
    }

    fn ledger(collected: i64, buckets: [i64; 4]) -> payout::CampLedger {
        payout::CampLedger {
            camp: crate::domain::CampId::new("c"),
            payments: 2,
            collected: Money::from_fen(collected),
            refunded: Money::from_fen(buckets[0]),
            forfeited: Money::from_fen(buckets[1]),
            pending: Money::from_fen(buckets[2]),
            anomalies: Money::from_fen(buckets[3]),
            balanced: buckets.iter().sum::<i64>() == collected,
            lines: vec![line("t1", payout::Bucket::Forfeited, 3900), line("t2", payout::Bucket::Pending, 3900)],
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn the_report_keeps_the_payout_ledgers_buckets_and_reports_any_difference_to_the_fen() {
        let ok = from_payout(&ledger(7800, [0, 3900, 3900, 0]), &[]);
        assert!(ok.balanced());
        assert_eq!(ok.difference, Money::ZERO);
        assert_eq!(ok.lines.iter().map(|l| l.bucket).collect::<Vec<_>>(), vec![Bucket::Forfeited, Bucket::Pending]);
        let off = from_payout(&ledger(7800, [0, 3900, 3899, 0]), &[]);
        assert!(!off.balanced());
        assert_eq!(off.difference, Money::from_fen(1), "one fen is one fen");
        assert_eq!(off.errors[0].kind, "unbalanced");
    }
}
