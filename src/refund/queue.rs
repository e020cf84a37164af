//! The refund queue over the store. Every transition is one transaction with
//! its audit entry (who, when, why, amounts); batches are all-or-nothing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::json;

use super::model::{Approval, Attempt, Decision, Proposal, Refund, RefundKind, refund_id};
use crate::config::Automation;
use crate::domain::{CampId, Money, RefundId, RefundState};
use crate::store::{NewAuditEntry, ReadTx, StoreError, TableDef, WriteTx};

/// Refunds by id (`camp:transaction:kind`, so a camp's refunds share a prefix).
pub const REFUNDS: TableDef<Refund> = TableDef::new("refunds");

/// What a camp's configuration says about approving and paying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CampPolicy {
    /// Approvals needed (1, or 2 for the two-person rule).
    pub approvals: u8,
    /// semi / auto / manual.
    pub automation: Automation,
    /// A batch above this total needs explicit confirmation.
    pub batch_cap: Option<Money>,
}

impl CampPolicy {
    /// The policy of a configured camp.
    pub fn of(camp: &crate::config::Camp) -> CampPolicy {
        CampPolicy { approvals: camp.approvals, automation: camp.automation, batch_cap: camp.batch_cap }
    }
}

/// Why a queue operation was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("refund {0} does not exist")]
    Unknown(RefundId),
    #[error("refund {id} is {state}; it cannot be {action}")]
    WrongState { id: RefundId, state: RefundState, action: &'static str },
    #[error("refund {id}: {by} already approved it; the two-person rule needs someone else")]
    SameApprover { id: RefundId, by: String },
    #[error("refund {id}: its basis no longer holds ({why}); review it again before approving")]
    Stale { id: RefundId, why: String },
    #[error(
        "approving {count} refund(s) of camp {camp} totalling ¥{total} exceeds the batch cap of ¥{cap}; confirm to go ahead"
    )]
    NeedsConfirmation { camp: CampId, count: usize, total: Money, cap: Money },
    #[error("refund {0}: a reason is required")]
    ReasonRequired(RefundId),
    #[error("refund {0} has already been handed to the executor; it can no longer be undone")]
    AlreadySubmitted(RefundId),
    #[error("camp {0} is not in camps.toml")]
    UnknownCamp(CampId),
    #[error("amounts overflow")]
    Overflow,
    #[error(transparent)]
    Store(#[from] StoreErrorText),
}

/// A store failure carried inside [`QueueError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreErrorText(pub String);

impl From<StoreError> for QueueError {
    fn from(e: StoreError) -> Self {
        QueueError::Store(StoreErrorText(e.to_string()))
    }
}

impl From<QueueError> for StoreError {
    fn from(e: QueueError) -> Self {
        StoreError::Rejected(e.to_string())
    }
}

/// What [`sync_proposals`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// New proposals.
    pub proposed: usize,
    /// Proposals whose details changed.
    pub updated: usize,
    /// Refunds marked stale because their basis disappeared.
    pub staled: usize,
    /// Stale refunds whose basis holds again.
    pub revived: usize,
    /// Proposals not created because the payment already has a live refund of
    /// another kind (one live refund per payment, never two).
    pub held_back: usize,
}

/// Whether a refund still counts against its payment (could still pay, or paid).
fn is_live(r: &Refund) -> bool {
    match r.state {
        RefundState::Rejected => false,
        RefundState::Proposed => r.stale.is_none(),
        _ => true,
    }
}

fn get(tx: &WriteTx, id: &RefundId) -> Result<Refund, QueueError> {
    tx.get(&REFUNDS, id.as_str())?.ok_or_else(|| QueueError::Unknown(id.clone()))
}

fn put(tx: &mut WriteTx, r: &Refund) -> Result<(), QueueError> {
    Ok(tx.put(&REFUNDS, r.id.as_str(), r)?)
}

fn audit(tx: &mut WriteTx, by: &str, action: &str, r: &Refund, extra: serde_json::Value) -> Result<(), QueueError> {
    let mut details = json!({
        "camp": r.proposal.camp,
        "transaction_id": r.proposal.transaction_id,
        "kind": r.proposal.kind.as_str(),
        "amount_fen": r.amount().fen(),
        "state": r.state.as_str(),
        "out_refund_no": r.out_refund_no,
    });
    if let (Some(d), serde_json::Value::Object(extra)) = (details.as_object_mut(), extra) {
        d.extend(extra);
    }
    tx.audit(NewAuditEntry::new(by, action, r.id.as_str(), details))?;
    Ok(())
}

/// Brings a camp's queue in line with its current proposals: new ones are
/// proposed, still-proposed ones follow their proposal, and refunds whose basis
/// disappeared are marked stale (never deleted, never paid while stale).
pub fn sync_proposals(
    tx: &mut WriteTx,
    camp: &CampId,
    proposals: &[Proposal],
    now: Timestamp,
) -> Result<SyncStats, QueueError> {
    let mut stats = SyncStats::default();
    let mut existing: BTreeMap<String, Refund> = tx.prefix(&REFUNDS, &key_prefix_for(camp))?.into_iter().collect();
    let wanted: BTreeSet<String> =
        proposals.iter().map(|p| refund_id(&p.camp, &p.transaction_id, p.kind).as_str().to_string()).collect();
    // First retire what no longer holds, so a payment's new kind of refund can take its place.
    for (id, r) in existing.iter_mut() {
        let open = matches!(r.state, RefundState::Proposed | RefundState::Approved);
        if !wanted.contains(id) && open && r.stale.is_none() {
            r.stale = Some("the verdict or anomaly behind it changed".to_string());
            r.updated_at = now;
            put(tx, r)?;
            audit(tx, "campdesk", "refund.stale", r, json!({ "why": r.stale }))?;
            stats.staled += 1;
        }
    }
    for p in proposals {
        let id = refund_id(&p.camp, &p.transaction_id, p.kind);
        match existing.get(id.as_str()) {
            None => {
                let other_live = existing
                    .values()
                    .any(|r| r.proposal.transaction_id == p.transaction_id && r.id != id && is_live(r));
                if other_live {
                    stats.held_back += 1;
                    continue;
                }
                let r = Refund::proposed(p.clone(), now);
                put(tx, &r)?;
                audit(
                    tx,
                    "campdesk",
                    "refund.propose",
                    &r,
                    json!({ "basis": p.basis, "explicit_only": p.explicit_only }),
                )?;
                existing.insert(id.as_str().to_string(), r);
                stats.proposed += 1;
            }
            Some(r) => {
                let mut r = r.clone();
                let mut changed = false;
                if r.stale.is_some() {
                    r.stale = None;
                    stats.revived += 1;
                    changed = true;
                }
                if r.state == RefundState::Proposed && r.proposal != *p {
                    let before = r.amount();
                    r.proposal = p.clone();
                    stats.updated += 1;
                    changed = true;
                    if before != p.amount {
                        r.approvals.clear();
                    }
                }
                if changed {
                    r.updated_at = now;
                    put(tx, &r)?;
                    audit(tx, "campdesk", "refund.update", &r, json!({ "basis": r.proposal.basis }))?;
                }
            }
        }
    }
    Ok(stats)
}

fn key_prefix_for(camp: &CampId) -> String {
    // Refund ids are `camp:txn:kind`; camp ids cannot contain ':' (config validation).
    format!("{camp}:")
}

/// Approves refunds as `by`. With the two-person rule a refund needs approvals
/// from two different people. All-or-nothing: one refused refund refuses the batch.
pub fn approve(
    tx: &mut WriteTx,
    ids: &[RefundId],
    by: &str,
    note: Option<&str>,
    policy: &dyn Fn(&CampId) -> Option<CampPolicy>,
    confirmed: bool,
    now: Timestamp,
) -> Result<Vec<Refund>, QueueError> {
    let mut refunds = Vec::new();
    for id in unique(ids) {
        let r = get(tx, &id)?;
        if r.state != RefundState::Proposed {
            return Err(QueueError::WrongState { id, state: r.state, action: "approved" });
        }
        if let Some(why) = &r.stale {
            return Err(QueueError::Stale { id, why: why.clone() });
        }
        if r.approvals.iter().any(|a| a.by == by) {
            return Err(QueueError::SameApprover { id, by: by.to_string() });
        }
        refunds.push(r);
    }
    check_caps(&refunds, policy, confirmed)?;
    let mut out = Vec::new();
    for mut r in refunds {
        let p = policy(&r.proposal.camp).ok_or_else(|| QueueError::UnknownCamp(r.proposal.camp.clone()))?;
        r.approvals.push(Approval { by: by.to_string(), at: now, note: note.map(str::to_string) });
        let needed = usize::from(p.approvals.max(1));
        if r.approvals.len() >= needed {
            r.state = RefundState::Approved;
        }
        r.updated_at = now;
        put(tx, &r)?;
        audit(tx, by, "refund.approve", &r, json!({ "approvals": r.approvals.len(), "needed": needed, "note": note }))?;
        out.push(r);
    }
    Ok(out)
}

fn check_caps(
    refunds: &[Refund],
    policy: &dyn Fn(&CampId) -> Option<CampPolicy>,
    confirmed: bool,
) -> Result<(), QueueError> {
    if confirmed {
        return Ok(());
    }
    let mut per_camp: BTreeMap<&CampId, (usize, Money)> = BTreeMap::new();
    for r in refunds {
        let e = per_camp.entry(&r.proposal.camp).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 = e.1.checked_add(r.amount()).ok_or(QueueError::Overflow)?;
    }
    for (camp, (count, total)) in per_camp {
        let p = policy(camp).ok_or_else(|| QueueError::UnknownCamp(camp.clone()))?;
        if let Some(cap) = p.batch_cap
            && total > cap
        {
            return Err(QueueError::NeedsConfirmation { camp: camp.clone(), count, total, cap });
        }
    }
    Ok(())
}

/// The refunds "approve all passed" selects for a camp: proposed full-deposit
/// refunds that need no explicit decision and whose basis still holds.
pub fn all_passed(read: &ReadTx, camp: &CampId) -> Result<Vec<RefundId>, QueueError> {
    Ok(list_camp(read, camp)?
        .into_iter()
        .filter(|r| {
            r.state == RefundState::Proposed
                && r.proposal.kind == RefundKind::Deposit
                && !r.proposal.explicit_only
                && r.stale.is_none()
        })
        .map(|r| r.id)
        .collect())
}

/// Rejects refunds with a reason. All-or-nothing.
pub fn reject(
    tx: &mut WriteTx,
    ids: &[RefundId],
    by: &str,
    reason: &str,
    now: Timestamp,
) -> Result<Vec<Refund>, QueueError> {
    let mut refunds = Vec::new();
    for id in unique(ids) {
        if reason.trim().is_empty() {
            return Err(QueueError::ReasonRequired(id));
        }
        let r = get(tx, &id)?;
        if r.state != RefundState::Proposed {
            return Err(QueueError::WrongState { id, state: r.state, action: "rejected" });
        }
        refunds.push(r);
    }
    let mut out = Vec::new();
    for mut r in refunds {
        r.state = RefundState::Rejected;
        r.rejection = Some(Decision { by: by.to_string(), at: now, text: reason.to_string() });
        r.updated_at = now;
        put(tx, &r)?;
        audit(tx, by, "refund.reject", &r, json!({ "reason": reason }))?;
        out.push(r);
    }
    Ok(out)
}

/// Takes back an approval or a rejection while nothing has been paid.
pub fn undo(tx: &mut WriteTx, id: &RefundId, by: &str, now: Timestamp) -> Result<Refund, QueueError> {
    let mut r = get(tx, id)?;
    if !r.attempts.is_empty() {
        return Err(QueueError::AlreadySubmitted(id.clone()));
    }
    let was = r.state;
    let undoable = matches!(was, RefundState::Approved | RefundState::Rejected)
        || (was == RefundState::Proposed && !r.approvals.is_empty());
    if !undoable {
        return Err(QueueError::WrongState { id: id.clone(), state: was, action: "undone" });
    }
    r.state = RefundState::Proposed;
    r.approvals.clear();
    r.rejection = None;
    r.updated_at = now;
    put(tx, &r)?;
    audit(tx, by, "refund.undo", &r, json!({ "from": was.as_str() }))?;
    Ok(r)
}

/// Hands an approved (or failed, for a retry) refund to the executor. Called
/// *before* the request leaves, so a crash afterwards is resolved by querying.
pub fn mark_submitted(tx: &mut WriteTx, id: &RefundId, by: &str, now: Timestamp) -> Result<Refund, QueueError> {
    let mut r = get(tx, id)?;
    if !matches!(r.state, RefundState::Approved | RefundState::Failed) {
        return Err(QueueError::WrongState { id: id.clone(), state: r.state, action: "submitted" });
    }
    if let Some(why) = &r.stale {
        return Err(QueueError::Stale { id: id.clone(), why: why.clone() });
    }
    let action = if r.state == RefundState::Failed { "refund.retry" } else { "refund.submit" };
    r.state = RefundState::Submitted;
    r.attempts.push(Attempt { at: now, by: by.to_string(), outcome: None });
    r.updated_at = now;
    put(tx, &r)?;
    audit(tx, by, action, &r, json!({ "attempt": r.attempts.len() }))?;
    Ok(r)
}

/// What the executor learned about a submitted refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The money is back.
    Succeeded {
        /// The platform's refund id.
        platform_refund_id: Option<String>,
        /// What the platform said.
        note: String,
    },
    /// Still in progress (accepted, PROCESSING); stays submitted.
    Pending {
        /// The platform's refund id, if assigned.
        platform_refund_id: Option<String>,
        /// What the platform said.
        note: String,
    },
    /// It failed: class (error code) and message.
    Failed {
        /// e.g. `NOT_ENOUGH`, `ABNORMAL`, `timeout`.
        class: String,
        /// What happened.
        message: String,
    },
}

/// Records an executor outcome for a submitted refund.
pub fn record_outcome(
    tx: &mut WriteTx,
    id: &RefundId,
    outcome: Outcome,
    by: &str,
    now: Timestamp,
) -> Result<Refund, QueueError> {
    let mut r = get(tx, id)?;
    if r.state != RefundState::Submitted {
        return Err(QueueError::WrongState { id: id.clone(), state: r.state, action: "given an executor outcome" });
    }
    let (action, note) = match &outcome {
        Outcome::Succeeded { platform_refund_id, note } => {
            r.state = RefundState::Succeeded;
            r.succeeded_at = Some(now);
            r.failure = None;
            if platform_refund_id.is_some() {
                r.platform_refund_id.clone_from(platform_refund_id);
            }
            ("refund.succeed", note.clone())
        }
        Outcome::Pending { platform_refund_id, note } => {
            if platform_refund_id.is_some() {
                r.platform_refund_id.clone_from(platform_refund_id);
            }
            ("refund.pending", note.clone())
        }
        Outcome::Failed { class, message } => {
            r.state = RefundState::Failed;
            r.failure = Some((class.clone(), message.clone()));
            ("refund.fail", format!("{class}: {message}"))
        }
    };
    if let Some(last) = r.attempts.last_mut() {
        last.outcome = Some(note.clone());
    }
    r.updated_at = now;
    put(tx, &r)?;
    audit(tx, by, action, &r, json!({ "outcome": note }))?;
    Ok(r)
}

/// Records that a failed refund (or an approved one of a `manual` camp) was
/// settled outside campdesk, with evidence text.
pub fn settle_offline(
    tx: &mut WriteTx,
    id: &RefundId,
    by: &str,
    evidence: &str,
    policy: &dyn Fn(&CampId) -> Option<CampPolicy>,
    now: Timestamp,
) -> Result<Refund, QueueError> {
    let mut r = get(tx, id)?;
    if evidence.trim().is_empty() {
        return Err(QueueError::ReasonRequired(id.clone()));
    }
    let manual = policy(&r.proposal.camp).is_some_and(|p| p.automation == Automation::Manual);
    let allowed = r.state == RefundState::Failed || (manual && r.state == RefundState::Approved);
    if !allowed {
        return Err(QueueError::WrongState { id: id.clone(), state: r.state, action: "settled offline" });
    }
    r.state = RefundState::SettledOffline;
    r.settlement = Some(Decision { by: by.to_string(), at: now, text: evidence.to_string() });
    r.updated_at = now;
    put(tx, &r)?;
    audit(tx, by, "refund.settle_offline", &r, json!({ "evidence": evidence }))?;
    Ok(r)
}

/// Every refund of a camp, in id order.
pub fn list_camp(read: &ReadTx, camp: &CampId) -> Result<Vec<Refund>, QueueError> {
    Ok(read
        .prefix(&REFUNDS, &key_prefix_for(camp))?
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| &r.proposal.camp == camp)
        .collect())
}

/// Every refund.
pub fn list_all(read: &ReadTx) -> Result<Vec<Refund>, QueueError> {
    Ok(read.all(&REFUNDS)?.into_iter().map(|(_, r)| r).collect())
}

fn unique(ids: &[RefundId]) -> Vec<RefundId> {
    let mut seen = BTreeSet::new();
    ids.iter().filter(|id| seen.insert((*id).clone())).cloned().collect()
}
