//! The wecom-client path: approved refunds become the operator's worklist
//! (newest payment first), the operator refunds in the WeCom client (the
//! simulator's "refund in client" action), the next bill sync brings the refunds
//! in and reconciliation settles the queue — and flags a wrong amount, a wrong
//! bill and an unapproved refund loudly. Then the ledger adds up.

mod payout_support;

use campdesk::domain::{Money, RefundState, RefundVia};
use campdesk::engine::Severity;
use campdesk::refund::executor::worklist;
use campdesk::refund::ledger::{Bucket, LedgerInput, camp_ledger};
use campdesk::refund::reconcile::{self, FindingKind};
use campdesk::refund::{notify, queue};
use campdesk::sim::Action;
use campdesk::sim::world::merchant::RefundOutcome;
use jiff::{SignedDuration, Timestamp};
use payout_support::*;

fn refund_in_client(txn: &campdesk::domain::TransactionId, fen: i64, outcome: Option<RefundOutcome>) -> Action {
    match Action::refund_in_client(txn.as_str(), fen) {
        Action::RefundInClient { transaction_id, amount_fen, refund_userid, comment, out_refund_no, at, .. } => {
            Action::RefundInClient { transaction_id, amount_fen, refund_userid, comment, out_refund_no, outcome, at }
        }
        other => other,
    }
}

#[tokio::test]
async fn client_refunds_reconcile_and_wrong_ones_are_flagged() {
    let sim = start_sim(41).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::WecomClient);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let status = status();
    let deposit = camp.deposit.fen();
    let b = pay(&sim, &store, &cfg, &camp, 5, camp.deposit);
    let odd = pay(&sim, &store, &cfg, &camp, 1, Money::from_fen(deposit + 1100));
    let ids = approve(&store, &cfg, &camp, &b[..4]);
    let proposed_only = propose(&store, &camp, &b[4..5]);

    // The worklist: newest payment first, issuing marks the items submitted.
    let list = worklist::worklist(&store, &cfg, Some(&camp.id), "operator", true, Timestamp::now()).unwrap();
    let order: Vec<_> = list.items.iter().map(|i| i.transaction_id.clone()).collect();
    let expected: Vec<_> = b[..4].iter().rev().map(|x| x.transaction_id.clone()).collect();
    assert_eq!(order, expected, "the WeCom client lists the newest payment first");
    assert!(list.items.iter().all(|i| i.newly_issued && i.state == RefundState::Submitted));
    assert_eq!(list.total, Money::from_fen(deposit * 4));
    assert_eq!(list.items[0].payer_name.as_deref(), Some("测试3"));
    let again = worklist::peek(&store.read().unwrap(), &cfg, Some(&camp.id)).unwrap();
    assert_eq!(again.items.len(), 4);
    assert!(again.items.iter().all(|i| !i.newly_issued));
    assert_eq!(refund(&store, &proposed_only[0]).state, RefundState::Proposed, "unapproved refunds are not listed");

    // The operator at work in the WeCom client.
    sim.act(refund_in_client(&b[0].transaction_id, deposit, None)).unwrap(); // right
    sim.act(refund_in_client(&b[1].transaction_id, deposit - 1000, None)).unwrap(); // wrong amount
    sim.act(refund_in_client(&b[2].transaction_id, deposit, Some(RefundOutcome::Closed))).unwrap(); // did not go through
    sim.act(refund_in_client(&b[4].transaction_id, deposit, None)).unwrap(); // wrong bill (b[3] was meant)
    sim.act(refund_in_client(&odd[0].transaction_id, deposit + 1100, None)).unwrap(); // nobody approved
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    sync_bills(&sim, &store, &cfg).await;
    let report = reconcile::reconcile(&store, &cfg, Some(&status), Timestamp::now()).unwrap();

    assert_eq!(refund(&store, &ids[0]).state, RefundState::Succeeded);
    let wrong = refund(&store, &ids[1]);
    assert_eq!((wrong.state, wrong.failure.as_ref().unwrap().0.as_str()), (RefundState::Failed, "WRONG_AMOUNT"));
    let closed = refund(&store, &ids[2]);
    assert_eq!((closed.state, closed.failure.as_ref().unwrap().0.as_str()), (RefundState::Failed, "CLOSED"));
    assert_eq!(refund(&store, &ids[3]).state, RefundState::Submitted, "not refunded yet: still on the worklist");
    assert_eq!(refund(&store, &proposed_only[0]).state, RefundState::Proposed, "never accepted silently");

    let kinds = |txn: &campdesk::domain::TransactionId| -> Vec<FindingKind> {
        report.new_findings.iter().filter(|f| &f.transaction_id == txn).map(|f| f.kind).collect()
    };
    assert_eq!(kinds(&b[1].transaction_id), [FindingKind::WrongAmount]);
    assert_eq!(kinds(&b[4].transaction_id), [FindingKind::WrongBill]);
    let wrong_bill = report.new_findings.iter().find(|f| f.kind == FindingKind::WrongBill).unwrap();
    assert_eq!(wrong_bill.refund_id.as_ref(), Some(&ids[3]), "names the refund it was probably meant for");
    assert_eq!(kinds(&odd[0].transaction_id), [FindingKind::Unapproved]);
    assert!(kinds(&b[0].transaction_id).is_empty() && kinds(&b[2].transaction_id).is_empty());
    // Loud: an alert per finding, an admin message, an audit entry; listed.
    let alerts = status.borrow().alerts.clone();
    assert_eq!(alerts.iter().filter(|a| a.severity == Severity::Error && a.source == "reconcile").count(), 3);
    let outbox = notify::outbox(&store.read().unwrap()).unwrap();
    assert_eq!(outbox.iter().filter(|m| m.kind == "finding").count(), 3);
    let listed = reconcile::findings(&store.read().unwrap(), Some(&camp.id), true).unwrap();
    assert_eq!(listed.len(), 3);

    // Reconciling again changes nothing and raises nothing new.
    let twice = reconcile::reconcile(&store, &cfg, Some(&status), Timestamp::now()).unwrap();
    assert!(twice.new_findings.is_empty() && twice.succeeded.is_empty() && twice.failed.is_empty(), "{twice:?}");

    // The operator redoes the closed one; the next sync settles it.
    sim.act(refund_in_client(&b[2].transaction_id, deposit, None)).unwrap();
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    sync_bills(&sim, &store, &cfg).await;
    let redo = reconcile::reconcile(&store, &cfg, Some(&status), Timestamp::now()).unwrap();
    assert_eq!(redo.succeeded, vec![ids[2].clone()]);
    assert!(redo.new_findings.is_empty());

    // The ledger: every payment in one bucket; the differences are errors.
    let ledger = |store: &campdesk::store::Store| {
        let read = store.read().unwrap();
        let payments = campdesk::records::payments::payments_of_camp(&read, camp.id.as_str()).unwrap();
        let refunds = queue::list_camp(&read, &camp.id).unwrap();
        let findings = reconcile::findings(&read, Some(&camp.id), true).unwrap();
        let matches = read
            .all(&reconcile::BILL_MATCHES)
            .unwrap()
            .into_iter()
            .map(|(k, id)| {
                let (t, n) = k.split_once(campdesk::store::KEY_SEP).unwrap();
                ((campdesk::domain::TransactionId::new(t), n.to_string()), id)
            })
            .collect();
        camp_ledger(&LedgerInput {
            camp: &camp.id,
            payments: &payments,
            refunds: &refunds,
            evaluation: None,
            matches: &matches,
            findings: &findings,
        })
    };
    let l = ledger(&store);
    let line = |txn: &campdesk::domain::TransactionId| l.lines.iter().find(|x| &x.transaction_id == txn).unwrap();
    assert_eq!(line(&b[0].transaction_id).bucket, Bucket::Refunded);
    assert_eq!(line(&b[1].transaction_id).bucket, Bucket::Anomaly);
    assert_eq!(line(&b[2].transaction_id).bucket, Bucket::Refunded);
    assert_eq!(line(&b[3].transaction_id).bucket, Bucket::Pending);
    assert_eq!(line(&b[4].transaction_id).bucket, Bucket::Anomaly);
    assert_eq!(line(&odd[0].transaction_id).bucket, Bucket::Anomaly);
    assert!(l.balanced);
    let total = l.refunded.fen() + l.forfeited.fen() + l.pending.fen() + l.anomalies.fen();
    assert_eq!(total, l.collected.fen());
    let wrong_amount = l.errors.iter().find(|e| e.transaction_id == b[1].transaction_id).unwrap();
    assert_eq!(wrong_amount.difference, Money::from_fen(-1000), "the ¥10.00 short is shown, not rounded away");
    assert!(l.errors.iter().any(|e| e.transaction_id == b[4].transaction_id && e.kind == "refund_not_in_queue"));

    // A human resolves the wrong amount: pays the rest by hand and records it.
    let finding = listed.iter().find(|f| f.kind == FindingKind::WrongAmount).unwrap().id.clone();
    store.write_with(|tx| reconcile::resolve(tx, &finding, "owner", "差额 10 元已微信转账", Timestamp::now())).unwrap();
    let policy = |c: &campdesk::domain::CampId| cfg.camp(c.as_str()).map(queue::CampPolicy::of);
    store
        .write_with(|tx| queue::settle_offline(tx, &ids[1], "owner", "差额 10 元已微信转账", &policy, Timestamp::now()))
        .unwrap();
    let l = ledger(&store);
    assert_eq!(l.lines.iter().find(|x| x.transaction_id == b[1].transaction_id).unwrap().bucket, Bucket::Refunded);
    assert!(store.verify_audit().unwrap().broken.is_none());
    sim.shutdown().await;
}
