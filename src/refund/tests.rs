//! Queue behaviour: transitions, the two-person rule, batch caps, stale
//! proposals, all-or-nothing batches, and an audit entry for every change.

use jiff::Timestamp;
use proptest::prelude::*;

use super::queue::{self, CampPolicy, Outcome, QueueError};
use super::*;
use crate::config::Automation;
use crate::domain::{CampId, Money, RefundId, RefundState, RefundVia, TransactionId};
use crate::store::Store;

fn now() -> Timestamp {
    "2025-11-05T02:00:00Z".parse().unwrap()
}

fn proposal(txn: &str, kind: RefundKind, explicit_only: bool) -> Proposal {
    Proposal {
        camp: CampId::new("c1"),
        transaction_id: TransactionId::new(txn),
        kind,
        amount: Money::from_fen(3900),
        paid_total: Money::from_fen(3900),
        executor: RefundVia::Wxpay,
        planet_user_id: None,
        payer_external_userid: None,
        payer_name: Some("张三".into()),
        paid_at: now(),
        basis: "打卡 8/10 天".into(),
        explicit_only,
    }
}

fn policy(approvals: u8, cap: Option<i64>, automation: Automation) -> impl Fn(&CampId) -> Option<CampPolicy> {
    move |c: &CampId| {
        (c.as_str() == "c1").then_some(CampPolicy { approvals, automation, batch_cap: cap.map(Money::from_fen) })
    }
}

fn seeded(store: &Store, proposals: &[Proposal]) -> Vec<RefundId> {
    let mut tx = store.write().unwrap();
    queue::sync_proposals(&mut tx, &CampId::new("c1"), proposals, now()).unwrap();
    tx.commit().unwrap();
    proposals.iter().map(|p| refund_id(&p.camp, &p.transaction_id, p.kind)).collect()
}

fn state(store: &Store, id: &RefundId) -> RefundState {
    store.read().unwrap().get(&REFUNDS, id.as_str()).unwrap().unwrap().state
}

#[test]
fn a_refund_goes_from_proposal_to_success_with_an_audit_trail() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let p = policy(1, None, Automation::Semi);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap();
    queue::mark_submitted(&mut tx, &ids[0], "campdesk", now()).unwrap();
    let r = queue::record_outcome(
        &mut tx,
        &ids[0],
        Outcome::Succeeded { platform_refund_id: Some("503".into()), note: "SUCCESS".into() },
        "campdesk",
        now(),
    )
    .unwrap();
    tx.commit().unwrap();
    assert_eq!(r.state, RefundState::Succeeded);
    assert_eq!(r.attempts.len(), 1);
    let read = store.read().unwrap();
    let actions: Vec<String> = read.audit_entries(1, None).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["refund.propose", "refund.approve", "refund.submit", "refund.succeed"]);
    assert!(store.verify_audit().unwrap().broken.is_none());
}

#[test]
fn the_two_person_rule_needs_two_different_people() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let p = policy(2, None, Automation::Semi);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "alice", None, &p, false, now()).unwrap();
    tx.commit().unwrap();
    assert_eq!(state(&store, &ids[0]), RefundState::Proposed);
    let mut tx = store.write().unwrap();
    let err = queue::approve(&mut tx, &ids, "alice", None, &p, false, now()).unwrap_err();
    assert!(matches!(err, QueueError::SameApprover { .. }), "{err}");
    drop(tx);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "bob", None, &p, false, now()).unwrap();
    tx.commit().unwrap();
    assert_eq!(state(&store, &ids[0]), RefundState::Approved);
}

#[test]
fn approve_all_passed_skips_items_that_need_an_explicit_decision() {
    let store = Store::in_memory().unwrap();
    seeded(
        &store,
        &[
            proposal("t1", RefundKind::Deposit, false),
            proposal("t2", RefundKind::Deposit, true),
            proposal("t3", RefundKind::Duplicate, false),
        ],
    );
    let picked = queue::all_passed(&store.read().unwrap(), &CampId::new("c1")).unwrap();
    assert_eq!(picked, vec![RefundId::new("c1:t1:deposit")]);
}

#[test]
fn a_batch_over_the_cap_asks_for_confirmation_and_changes_nothing() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false), proposal("t2", RefundKind::Deposit, false)]);
    let p = policy(1, Some(5000), Automation::Semi);
    let mut tx = store.write().unwrap();
    let err = queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "approving 2 refund(s) of camp c1 totalling ¥78.00 exceeds the batch cap of ¥50.00; confirm to go ahead"
    );
    drop(tx);
    assert_eq!(state(&store, &ids[0]), RefundState::Proposed);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "owner", None, &p, true, now()).unwrap();
    tx.commit().unwrap();
    assert_eq!(state(&store, &ids[1]), RefundState::Approved);
}

#[test]
fn one_refused_refund_refuses_the_whole_batch() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false), proposal("t2", RefundKind::Deposit, false)]);
    let p = policy(1, None, Automation::Semi);
    let mut tx = store.write().unwrap();
    queue::reject(&mut tx, &ids[1..], "owner", "只打卡 2 天", now()).unwrap();
    tx.commit().unwrap();
    let mut tx = store.write().unwrap();
    let err = queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap_err();
    assert!(matches!(err, QueueError::WrongState { state: RefundState::Rejected, .. }), "{err}");
    drop(tx);
    assert_eq!(state(&store, &ids[0]), RefundState::Proposed);
}

#[test]
fn reject_needs_a_reason_and_undo_stops_at_submission() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let p = policy(1, None, Automation::Semi);
    let mut tx = store.write().unwrap();
    assert!(matches!(queue::reject(&mut tx, &ids, "owner", "  ", now()), Err(QueueError::ReasonRequired(_))));
    queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap();
    let undone = queue::undo(&mut tx, &ids[0], "owner", now()).unwrap();
    assert_eq!(undone.state, RefundState::Proposed);
    assert!(undone.approvals.is_empty());
    queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap();
    queue::mark_submitted(&mut tx, &ids[0], "campdesk", now()).unwrap();
    assert!(matches!(queue::undo(&mut tx, &ids[0], "owner", now()), Err(QueueError::AlreadySubmitted(_))));
    tx.commit().unwrap();
}

#[test]
fn a_vanished_basis_makes_a_refund_stale_until_it_returns() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let p = policy(1, None, Automation::Semi);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "owner", None, &p, false, now()).unwrap();
    let stats = queue::sync_proposals(&mut tx, &CampId::new("c1"), &[], now()).unwrap();
    assert_eq!(stats.staled, 1);
    let err = queue::mark_submitted(&mut tx, &ids[0], "campdesk", now()).unwrap_err();
    assert!(matches!(err, QueueError::Stale { .. }), "{err}");
    let stats =
        queue::sync_proposals(&mut tx, &CampId::new("c1"), &[proposal("t1", RefundKind::Deposit, false)], now())
            .unwrap();
    assert_eq!(stats.revived, 1);
    queue::mark_submitted(&mut tx, &ids[0], "campdesk", now()).unwrap();
    tx.commit().unwrap();
}

#[test]
fn settling_offline_needs_a_failure_or_a_manual_camp() {
    let store = Store::in_memory().unwrap();
    let ids = seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let semi = policy(1, None, Automation::Semi);
    let manual = policy(1, None, Automation::Manual);
    let mut tx = store.write().unwrap();
    queue::approve(&mut tx, &ids, "owner", None, &semi, false, now()).unwrap();
    let err = queue::settle_offline(&mut tx, &ids[0], "owner", "转账截图 2025-11-05", &semi, now()).unwrap_err();
    assert!(matches!(err, QueueError::WrongState { .. }));
    let r = queue::settle_offline(&mut tx, &ids[0], "owner", "转账截图 2025-11-05", &manual, now()).unwrap();
    assert_eq!(r.state, RefundState::SettledOffline);
    tx.commit().unwrap();
}

/// Random operation sequences never break the state machine, never submit an
/// unapproved refund, and always leave a verifiable audit chain.
#[derive(Clone, Debug)]
enum Op {
    Approve(usize, u8),
    Reject(usize),
    Undo(usize),
    Submit(usize),
    Succeed(usize),
    Fail(usize),
    Settle(usize),
    Resync(Vec<bool>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 0u8..3).prop_map(|(i, who)| Op::Approve(i, who)),
        (0usize..3).prop_map(Op::Reject),
        (0usize..3).prop_map(Op::Undo),
        (0usize..3).prop_map(Op::Submit),
        (0usize..3).prop_map(Op::Succeed),
        (0usize..3).prop_map(Op::Fail),
        (0usize..3).prop_map(Op::Settle),
        proptest::collection::vec(any::<bool>(), 3).prop_map(Op::Resync),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_operations_respect_the_state_machine(ops in proptest::collection::vec(op(), 1..30)) {
        let store = Store::in_memory().unwrap();
        let all = [
            proposal("t1", RefundKind::Deposit, false),
            proposal("t2", RefundKind::Deposit, true),
            proposal("t3", RefundKind::Duplicate, false),
        ];
        let ids = seeded(&store, &all);
        let p = policy(2, None, Automation::Semi);
        let people = ["alice", "bob", "carol"];
        for op in ops {
            let before: Vec<RefundState> = ids.iter().map(|id| state(&store, id)).collect();
            let mut tx = store.write().unwrap();
            let result = match &op {
                Op::Approve(i, who) => queue::approve(&mut tx, &ids[*i..=*i], people[*who as usize], None, &p, false, now()).map(|_| ()),
                Op::Reject(i) => queue::reject(&mut tx, &ids[*i..=*i], "owner", "no", now()).map(|_| ()),
                Op::Undo(i) => queue::undo(&mut tx, &ids[*i], "owner", now()).map(|_| ()),
                Op::Submit(i) => queue::mark_submitted(&mut tx, &ids[*i], "campdesk", now()).map(|_| ()),
                Op::Succeed(i) => queue::record_outcome(&mut tx, &ids[*i], Outcome::Succeeded { platform_refund_id: None, note: "ok".into() }, "campdesk", now()).map(|_| ()),
                Op::Fail(i) => queue::record_outcome(&mut tx, &ids[*i], Outcome::Failed { class: "SYSTEM_ERROR".into(), message: "x".into() }, "campdesk", now()).map(|_| ()),
                Op::Settle(i) => queue::settle_offline(&mut tx, &ids[*i], "owner", "evidence", &p, now()).map(|_| ()),
                Op::Resync(keep) => {
                    let kept: Vec<Proposal> = all.iter().zip(keep).filter(|(_, k)| **k).map(|(p, _)| p.clone()).collect();
                    queue::sync_proposals(&mut tx, &CampId::new("c1"), &kept, now()).map(|_| ())
                }
            };
            if result.is_ok() { tx.commit().unwrap(); } else { drop(tx); }
            for (i, id) in ids.iter().enumerate() {
                let r = store.read().unwrap().get(&REFUNDS, id.as_str()).unwrap().unwrap();
                let after = r.state;
                prop_assert!(after == before[i] || before[i].can_move_to(after), "{:?} → {:?} by {:?}", before[i], after, op);
                if after == RefundState::Submitted {
                    let approvers: std::collections::BTreeSet<&str> = r.approvals.iter().map(|a| a.by.as_str()).collect();
                    prop_assert!(approvers.len() >= 2, "submitted with approvals {:?}", r.approvals);
                }
                if result.is_err() { prop_assert_eq!(after, before[i]); }
            }
        }
        prop_assert!(store.verify_audit().unwrap().broken.is_none());
    }
}

#[test]
fn a_payment_never_gets_two_live_refunds() {
    let store = Store::in_memory().unwrap();
    seeded(&store, &[proposal("t1", RefundKind::Deposit, false)]);
    let mut tx = store.write().unwrap();
    // The same payment now looks like a duplicate: the deposit refund retires
    // (stale) and the duplicate refund takes its place, in one pass.
    let stats =
        queue::sync_proposals(&mut tx, &CampId::new("c1"), &[proposal("t1", RefundKind::Duplicate, true)], now())
            .unwrap();
    assert_eq!((stats.held_back, stats.staled, stats.proposed), (0, 1, 1));
    // Both kinds at once: only one of them becomes live.
    let both = [
        proposal("t1", RefundKind::Duplicate, true),
        proposal("t2", RefundKind::Deposit, false),
        proposal("t2", RefundKind::NotJoined, true),
    ];
    let stats = queue::sync_proposals(&mut tx, &CampId::new("c1"), &both, now()).unwrap();
    assert_eq!((stats.proposed, stats.held_back), (1, 1));
    tx.commit().unwrap();
    let live: Vec<_> = queue::list_camp(&store.read().unwrap(), &CampId::new("c1"))
        .unwrap()
        .into_iter()
        .filter(|r| r.stale.is_none() && r.state != RefundState::Rejected)
        .map(|r| (r.proposal.transaction_id.to_string(), r.proposal.kind))
        .collect();
    assert_eq!(live, vec![("t1".to_string(), RefundKind::Duplicate), ("t2".to_string(), RefundKind::Deposit)]);
}
