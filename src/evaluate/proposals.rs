//! From a camp's evaluation to its refund proposals (pure).
//!
//! One live refund per payment at most: a passing payment gets the full
//! deposit back; a duplicate payment gets a `duplicate` refund and never a
//! deposit one; a payer who never joined gets a `not_joined` refund only when
//! they did not pass. Provisional verdicts (camp still running) propose nothing.

use std::collections::BTreeMap;

use crate::config::Camp;
use crate::domain::{Money, Payment, TransactionId};
use crate::refund::{Proposal, RefundKind};
use crate::rules::{AnomalyKind, CampEvaluation, Proposal as RuleProposal, VerdictKind};

/// The refund proposals a camp's evaluation implies.
pub fn proposals(camp: &Camp, evaluation: &CampEvaluation, payments: &[Payment]) -> Vec<Proposal> {
    let by_txn: BTreeMap<&TransactionId, &Payment> = payments.iter().map(|p| (&p.transaction_id, p)).collect();
    let mut out: BTreeMap<TransactionId, Proposal> = BTreeMap::new();
    let refundable = |p: &Payment| p.amount.checked_sub(p.refunded_total).filter(|m| m.is_positive());

    for v in &evaluation.verdicts {
        if v.provisional || v.verdict != VerdictKind::Pass || v.duplicate_of.is_some() {
            continue;
        }
        let Some(p) = by_txn.get(&v.transaction_id) else { continue };
        let Some(amount) = refundable(p) else { continue };
        let wrong_amount = p.amount != camp.deposit;
        let mut basis = format!("打卡 {} 天（需 {} 天），达标", v.checkin_days, v.required_days);
        if let Some(o) = &v.applied_override {
            basis = format!("复核改判通过（{}：{}）", o.by, o.reason);
        }
        if wrong_amount {
            basis.push_str(&format!("；付款 {} 元与押金 {} 元不符", p.amount, camp.deposit));
        }
        let explicit_only =
            v.needs_review || !v.anomalies.is_empty() || wrong_amount || p.refunded_total != Money::ZERO;
        out.insert(
            v.transaction_id.clone(),
            proposal(camp, p, RefundKind::Deposit, amount, basis, explicit_only, v.planet_user_id.clone()),
        );
    }

    for a in &evaluation.anomalies {
        let RuleProposal::Refund { transaction_id, .. } = &a.proposal else { continue };
        let kind = match a.kind {
            AnomalyKind::DuplicatePayment => RefundKind::Duplicate,
            AnomalyKind::NotJoinedRefund => RefundKind::NotJoined,
            _ => continue,
        };
        let Some(p) = by_txn.get(transaction_id) else { continue };
        let Some(amount) = refundable(p) else { continue };
        match out.get(transaction_id) {
            // A passing payment keeps its deposit refund; the anomaly is in its basis already.
            Some(existing) if existing.kind == RefundKind::Deposit && kind == RefundKind::NotJoined => continue,
            _ => {}
        }
        let user = evaluation
            .verdicts
            .iter()
            .find(|v| &v.transaction_id == transaction_id)
            .and_then(|v| v.planet_user_id.clone());
        out.insert(transaction_id.clone(), proposal(camp, p, kind, amount, a.message.clone(), true, user));
    }
    out.into_values().collect()
}

fn proposal(
    camp: &Camp,
    p: &Payment,
    kind: RefundKind,
    amount: Money,
    basis: String,
    explicit_only: bool,
    planet_user_id: Option<crate::domain::PlanetUserId>,
) -> Proposal {
    Proposal {
        camp: camp.id.clone(),
        transaction_id: p.transaction_id.clone(),
        kind,
        amount,
        paid_total: p.amount,
        executor: camp.refund_via,
        planet_user_id,
        payer_external_userid: p.payer_external_userid.clone(),
        payer_name: p.payer_name.clone(),
        paid_at: p.paid_at,
        basis,
        explicit_only,
    }
}
