//! The rules' side of the store: reviewers' verdict overrides and leave
//! records (each with its audit entry), the latest evaluation of every camp,
//! and the frozen check-in inputs of finished camps (freeze and re-open are
//! audited).

use jiff::Timestamp;
use serde_json::json;

use crate::domain::{CampId, Day, PlanetUserId, TransactionId};
use crate::rules::{CampEvaluation, FrozenInputs, LeaveRecord, OverrideDecision, VerdictOverride};
use crate::store::{NewAuditEntry, ReadTx, StoreError, TableDef, WriteTx, key, key_prefix};

/// Reviewers' verdict overrides, keyed by (camp, transaction id); the latest wins.
pub const OVERRIDES: TableDef<VerdictOverride> = TableDef::new("verdict_overrides");
/// Leave records (请假), keyed by (camp, planet user, day).
pub const LEAVES: TableDef<LeaveRecord> = TableDef::new("leave_records");
/// The latest evaluation of each camp, keyed by camp.
pub const EVALUATIONS: TableDef<CampEvaluation> = TableDef::new("evaluations");
/// Frozen check-in inputs of finished camps, keyed by camp.
pub const FROZEN: TableDef<FrozenInputs> = TableDef::new("frozen_inputs");

/// Records a reviewer's pass/fail on a payment's verdict (replacing an earlier one).
pub fn set_override(tx: &mut WriteTx, camp: &CampId, ov: &VerdictOverride) -> Result<(), StoreError> {
    if ov.reason.trim().is_empty() {
        return Err(StoreError::Rejected(format!("payment {}: a reason is required", ov.transaction_id)));
    }
    let k = key(&[camp.as_str(), ov.transaction_id.as_str()]);
    let previous = tx.get(&OVERRIDES, &k)?;
    tx.put(&OVERRIDES, &k, ov)?;
    let decision = match ov.decision {
        OverrideDecision::Pass => "pass",
        OverrideDecision::Fail => "fail",
    };
    tx.audit(NewAuditEntry::new(
        &ov.by,
        "verdict.override",
        format!("{camp}:{}", ov.transaction_id),
        json!({ "decision": decision, "reason": ov.reason, "replaces": previous.map(|p| p.reason) }),
    ))?;
    Ok(())
}

/// Removes a payment's override (undo); returns whether there was one.
pub fn clear_override(tx: &mut WriteTx, camp: &CampId, txn: &TransactionId, by: &str) -> Result<bool, StoreError> {
    let removed = tx.remove(&OVERRIDES, &key(&[camp.as_str(), txn.as_str()]))?;
    if removed {
        tx.audit(NewAuditEntry::new(by, "verdict.override_clear", format!("{camp}:{txn}"), json!({})))?;
    }
    Ok(removed)
}

/// Records an excused day (请假) for a member of a camp.
pub fn add_leave(tx: &mut WriteTx, camp: &CampId, leave: &LeaveRecord) -> Result<(), StoreError> {
    if leave.reason.trim().is_empty() {
        return Err(StoreError::Rejected(format!(
            "leave of {} on {}: a reason is required",
            leave.planet_user_id, leave.day
        )));
    }
    let k = key(&[camp.as_str(), leave.planet_user_id.as_str(), &leave.day.to_string()]);
    tx.put(&LEAVES, &k, leave)?;
    tx.audit(NewAuditEntry::new(
        &leave.by,
        "verdict.leave",
        format!("{camp}:{}", leave.planet_user_id),
        json!({ "day": leave.day.to_string(), "reason": leave.reason }),
    ))?;
    Ok(())
}

/// Removes an excused day (undo); returns whether there was one.
pub fn remove_leave(
    tx: &mut WriteTx,
    camp: &CampId,
    user: &PlanetUserId,
    day: Day,
    by: &str,
) -> Result<bool, StoreError> {
    let removed = tx.remove(&LEAVES, &key(&[camp.as_str(), user.as_str(), &day.to_string()]))?;
    if removed {
        tx.audit(NewAuditEntry::new(
            by,
            "verdict.leave_remove",
            format!("{camp}:{user}"),
            json!({ "day": day.to_string() }),
        ))?;
    }
    Ok(removed)
}

/// The overrides of a camp.
pub fn overrides(read: &ReadTx, camp: &CampId) -> Result<Vec<VerdictOverride>, StoreError> {
    Ok(read.prefix(&OVERRIDES, &key_prefix(&[camp.as_str()]))?.into_iter().map(|(_, v)| v).collect())
}

/// The leave records of a camp.
pub fn leaves(read: &ReadTx, camp: &CampId) -> Result<Vec<LeaveRecord>, StoreError> {
    Ok(read.prefix(&LEAVES, &key_prefix(&[camp.as_str()]))?.into_iter().map(|(_, v)| v).collect())
}

/// Stores a camp's latest evaluation.
pub fn store_evaluation(tx: &mut WriteTx, evaluation: &CampEvaluation) -> Result<(), StoreError> {
    tx.put(&EVALUATIONS, evaluation.camp.as_str(), evaluation)
}

/// A camp's latest evaluation.
pub fn evaluation(read: &ReadTx, camp: &CampId) -> Result<Option<CampEvaluation>, StoreError> {
    read.get(&EVALUATIONS, camp.as_str())
}

/// Freezes a camp's check-in inputs (after its final sync); audited with the digest.
pub fn freeze(tx: &mut WriteTx, camp: &CampId, inputs: &FrozenInputs, by: &str) -> Result<(), StoreError> {
    if tx.get(&FROZEN, camp.as_str())?.is_some() {
        return Err(StoreError::Rejected(format!("camp {camp} is already frozen; re-open it first")));
    }
    tx.put(&FROZEN, camp.as_str(), inputs)?;
    let stamp = inputs.stamp();
    tx.audit(NewAuditEntry::new(
        by,
        "camp.freeze",
        camp.as_str(),
        json!({ "digest": stamp.digest, "topics": stamp.topics, "ranking_rows": stamp.ranking_rows, "taken_at": stamp.taken_at.to_string() }),
    ))?;
    Ok(())
}

/// Re-opens a frozen camp (verdicts follow the live records again); audited with the reason.
pub fn reopen(tx: &mut WriteTx, camp: &CampId, by: &str, reason: &str, now: Timestamp) -> Result<(), StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::Rejected(format!("re-opening camp {camp} needs a reason")));
    }
    let Some(frozen) = tx.get(&FROZEN, camp.as_str())? else {
        return Err(StoreError::Rejected(format!("camp {camp} is not frozen")));
    };
    tx.remove(&FROZEN, camp.as_str())?;
    tx.audit(NewAuditEntry::new(
        by,
        "camp.reopen",
        camp.as_str(),
        json!({ "reason": reason, "digest": frozen.stamp().digest, "at": now.to_string() }),
    ))?;
    Ok(())
}

/// A camp's frozen inputs, if frozen.
pub fn frozen(read: &ReadTx, camp: &CampId) -> Result<Option<FrozenInputs>, StoreError> {
    read.get(&FROZEN, camp.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit;
    use crate::store::Store;

    #[test]
    fn overrides_and_leaves_are_audited_and_undoable() {
        let store = Store::in_memory().unwrap();
        let camp = CampId::new(testkit::CAMP);
        let ov = testkit::override_to("t1", OverrideDecision::Pass, "owner", "2025-11-04T10:00:00Z", "请假两天已补交");
        let lv = testkit::leave("u1", "2025-10-27", "住院");
        store
            .write_with(|tx| {
                set_override(tx, &camp, &ov)?;
                add_leave(tx, &camp, &lv)
            })
            .unwrap();
        let read = store.read().unwrap();
        assert_eq!(overrides(&read, &camp).unwrap(), vec![ov.clone()]);
        assert_eq!(leaves(&read, &camp).unwrap(), vec![lv.clone()]);
        drop(read);
        store
            .write_with(|tx| {
                assert!(clear_override(tx, &camp, &ov.transaction_id, "owner")?);
                assert!(remove_leave(tx, &camp, &lv.planet_user_id, lv.day, "owner")?);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let read = store.read().unwrap();
        assert!(overrides(&read, &camp).unwrap().is_empty());
        let actions: Vec<String> = read.audit_entries(1, None).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["verdict.override", "verdict.leave", "verdict.override_clear", "verdict.leave_remove"]);
    }

    #[test]
    fn a_decision_without_a_reason_is_refused() {
        let store = Store::in_memory().unwrap();
        let camp = CampId::new(testkit::CAMP);
        let ov = testkit::override_to("t1", OverrideDecision::Fail, "owner", "2025-11-04T10:00:00Z", " ");
        let err = store.write_with(|tx| set_override(tx, &camp, &ov)).unwrap_err();
        assert!(err.to_string().contains("a reason is required"));
    }

    #[test]
    fn evaluations_round_trip_through_the_store() {
        let mut world = testkit::World::new("");
        world.ranking.push(testkit::ranking("u1", 1, 7));
        world.member("t1", "u1", &["10-25", "10-26", "10-27", "10-28", "10-29", "10-30", "10-31"]);
        world.member("t2", "u2", &["10-25", "10-26"]);
        let evaluation = world.eval();
        assert_eq!(evaluation.verdicts.len(), 2);
        let store = Store::in_memory().unwrap();
        store.write_with(|tx| store_evaluation(tx, &evaluation)).unwrap();
        let back = super::evaluation(&store.read().unwrap(), &evaluation.camp).unwrap().unwrap();
        assert_eq!(back, evaluation);
    }
}
