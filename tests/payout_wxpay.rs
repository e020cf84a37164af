//! The wxpay executor against the WeChat Pay simulator over loopback HTTP:
//! exactly the approved payments are paid, exactly once, with exactly the
//! deposit; each fault leads to its state; notifications settle refunds.

mod payout_support;

use std::time::Duration;

use campdesk::domain::{Money, RefundState, RefundVia};
use campdesk::engine::Severity;
use campdesk::refund::executor::{Executor, serve_notifications};
use campdesk::refund::notify;
use campdesk::sim::Action;
use campdesk::sim::world::merchant::RefundOutcome;
use jiff::SignedDuration;
use payout_support::*;

#[tokio::test]
async fn approving_and_running_pays_exactly_the_approved_payments_once() {
    let sim = start_sim(11).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let bills = pay(&sim, &store, &cfg, &camp, 6, camp.deposit);
    // Four are approved; one stays proposed; one is rejected.
    let approved = approve(&store, &cfg, &camp, &bills[..4]);
    let others = propose(&store, &camp, &bills[4..]);
    store
        .write_with(|tx| {
            campdesk::refund::queue::reject(tx, &others[1..], "owner", "只打卡 3 天", jiff::Timestamp::now())
        })
        .unwrap();
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);

    let first = ex.run_pass(None).await;
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    assert_eq!(first.lines.len(), 4);
    assert!(first.lines.iter().all(|l| l.state == RefundState::Submitted), "{:?}", first.lines);
    for id in &approved {
        assert_eq!(refund(&store, id).state, RefundState::Submitted, "PROCESSING stays submitted");
    }
    // Running again before WeChat Pay settles sends nothing new.
    let again = ex.run_pass(None).await;
    assert!(again.lines.iter().all(|l| l.state == RefundState::Submitted));
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    let done = ex.run_pass(None).await;
    assert_eq!(done.total(RefundState::Succeeded), (4, Money::from_fen(camp.deposit.fen() * 4)));

    // The simulator's ledger: each approved payment refunded once, the full deposit; the others untouched.
    for (i, b) in bills.iter().enumerate() {
        let refunds = sim_refunds(&sim, &b.transaction_id);
        if i < 4 {
            assert_eq!(refunds.len(), 1, "{refunds:?}");
            assert_eq!(refunds[0].1, camp.deposit.fen());
            assert_eq!(refunds[0].2, 2);
            let r = refund(&store, &approved[i]);
            assert_eq!(refunds[0].0, r.out_refund_no, "the refund carries campdesk's number");
            assert_eq!(r.state, RefundState::Succeeded);
            assert!(r.platform_refund_id.as_deref().is_some_and(|id| id.starts_with("503")));
        } else {
            assert!(refunds.is_empty(), "payment {i} was not approved");
        }
    }
    assert_eq!(sim.with_world(|w| w.merchant.refund_count()), 4);
    // Batch summary queued for the admins.
    let outbox = notify::outbox(&store.read().unwrap()).unwrap();
    assert!(outbox.iter().any(|m| m.kind == "batch" && m.text.contains("成功 4 笔")), "{outbox:?}");
    // Every change is in the audit chain.
    assert!(store.verify_audit().unwrap().broken.is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_generated_camp_pays_exactly_its_passes_once_with_the_deposit() {
    use campdesk::sim::truth::{CampPhase, ExpectedVerdict};
    let sim = start_sim_with(12, |o| o.members = 150).await;
    let cfg = config(&sim);
    let truth = sim.truth().clone();
    let ended = truth.camps.iter().find(|c| c.phase == CampPhase::Ended && c.refund_via == "wxpay").unwrap();
    let camp = cfg.camp(&ended.camp_id).unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    // The bills come in the way the WeCom sync brings them (attribution by payee, amount, window).
    let since = truth.payments.iter().map(|p| p.paid_at).min().unwrap();
    sync_bills_since(&sim, &store, &cfg, since.checked_sub(SignedDuration::from_secs(1)).unwrap()).await;
    let stored = campdesk::records::payments::payments_of_camp(&store.read().unwrap(), camp.id.as_str()).unwrap();
    let of_camp: Vec<_> =
        truth.payments.iter().filter(|p| p.camp_id.as_deref() == Some(ended.camp_id.as_str())).collect();
    assert!(of_camp.len() >= 10, "{} payments", of_camp.len());
    let passes: Vec<_> = of_camp
        .iter()
        .filter(|p| {
            p.expected_verdict == Some(ExpectedVerdict::Pass)
                && p.duplicate_of.is_none()
                && p.amount_fen == ended.deposit_fen
        })
        .collect();
    assert!(!passes.is_empty());
    // The passes (per the ground truth, standing in for the evaluator) are proposed and approved.
    let bills: Vec<_> = passes
        .iter()
        .map(|t| {
            let p =
                stored.iter().find(|s| s.transaction_id.as_str() == t.transaction_id).expect("synced and attributed");
            campdesk::records::payments::PaymentBill {
                transaction_id: p.transaction_id.clone(),
                out_trade_no: p.out_trade_no.clone(),
                payer_external_userid: p.payer_external_userid.clone(),
                payer_name: p.payer_name.clone(),
                remark: Some(p.remark.clone()),
                description: p.description.clone(),
                amount: p.amount,
                paid_at: p.paid_at,
                payee_userid: p.payee_userid.clone(),
                mch_id: p.mch_id.clone(),
                payment_type: p.payment_type,
                refunded_total: None,
                refunds: None,
                source: p.source.clone(),
            }
        })
        .collect();
    approve(&store, &cfg, &camp, &bills);
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);
    ex.run_pass(None).await;
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    let done = ex.run_pass(None).await;
    assert_eq!(done.total(RefundState::Succeeded).0, passes.len());
    for t in &of_camp {
        let txn = campdesk::domain::TransactionId::new(t.transaction_id.clone());
        let refunds = sim_refunds(&sim, &txn);
        if passes.iter().any(|p| p.transaction_id == t.transaction_id) {
            assert_eq!(refunds.len(), 1, "{}: {refunds:?}", t.transaction_id);
            assert_eq!((refunds[0].1, refunds[0].2), (ended.deposit_fen, 2));
        } else {
            assert!(refunds.is_empty(), "{} was not a pass", t.transaction_id);
        }
    }
    // The next bills sync shows the refunds; reconciliation agrees and finds nothing wrong.
    sync_bills(&sim, &store, &cfg).await;
    sync_bills_since(&sim, &store, &cfg, since.checked_sub(SignedDuration::from_secs(1)).unwrap()).await;
    let rec = campdesk::refund::reconcile::reconcile(&store, &cfg, None, jiff::Timestamp::now()).unwrap();
    assert!(rec.new_findings.is_empty(), "{:?}", rec.new_findings);
    sim.shutdown().await;
}

async fn one_refund(seed: u64) -> (campdesk::sim::SimHandle, tempfile::TempDir, Setup) {
    let sim = start_sim(seed).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let bills = pay(&sim, &store, &cfg, &camp, 1, camp.deposit);
    let ids = approve(&store, &cfg, &camp, &bills);
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);
    (
        sim,
        dir,
        Setup { store, ex, id: ids[0].clone(), txn: bills[0].transaction_id.clone(), status, deposit: camp.deposit },
    )
}

struct Setup {
    store: std::sync::Arc<campdesk::store::Store>,
    ex: Executor,
    id: campdesk::domain::RefundId,
    txn: campdesk::domain::TransactionId,
    status: std::sync::Arc<tokio::sync::watch::Sender<campdesk::engine::EngineStatus>>,
    deposit: Money,
}

fn refund_posts(sim: &campdesk::sim::SimHandle) -> usize {
    sim.requests().iter().filter(|r| r.method == "POST" && r.target == "/v3/refund/domestic/refunds").count()
}

#[tokio::test]
async fn a_lost_answer_is_found_by_query_and_never_sent_twice() {
    let (sim, _dir, s) = one_refund(21).await;
    sim.add_fault_spec("wxpay/refund:lost@1").unwrap();
    let r = s.ex.run_pass(None).await;
    assert_eq!(r.lines[0].state, RefundState::Submitted, "{:?}", r.lines);
    assert!(r.lines[0].note.contains("PROCESSING"), "{}", r.lines[0].note);
    assert_eq!(refund_posts(&sim), 1, "the lost refund was adopted, not resent");
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    assert_eq!(refund(&s.store, &s.id).state, RefundState::Succeeded);
    assert_eq!(sim_refunded(&sim, &s.txn), s.deposit.fen());
    assert_eq!(sim_refunds(&sim, &s.txn).len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_500_or_a_timeout_is_queried_then_resent_once_with_the_same_number() {
    for spec in ["wxpay/refund:500@1", "wxpay/refund:timeout=3s@1", "wxpay/refund:429@1"] {
        let (sim, _dir, s) = one_refund(22).await;
        sim.add_fault_spec(spec).unwrap();
        let r = s.ex.run_pass(None).await;
        assert_eq!(r.lines[0].state, RefundState::Submitted, "{spec}: {:?}", r.lines);
        assert_eq!(sim.fault_log().len(), 1, "{spec}: the first request failed");
        // A timed-out request is logged by the sim only once its hold ends (if at all).
        let resent = sim.requests().iter().filter(|q| q.method == "POST" && q.fault.is_none()).count();
        assert_eq!(resent, 1, "{spec}: one resend after the failure");
        let queries = sim.requests().iter().filter(|q| q.method == "GET").count();
        assert!(queries >= 1, "{spec}: queried before resending");
        sim.advance(SignedDuration::from_mins(2)).unwrap();
        s.ex.run_pass(None).await;
        let done = refund(&s.store, &s.id);
        assert_eq!(done.state, RefundState::Succeeded, "{spec}");
        let on_bill = sim_refunds(&sim, &s.txn);
        assert_eq!(on_bill.len(), 1, "{spec}: {on_bill:?}");
        assert_eq!(on_bill[0].0, done.out_refund_no, "{spec}: same number");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn two_failures_in_a_row_fail_the_refund_tell_an_admin_and_a_retry_pays_it() {
    let (sim, _dir, s) = one_refund(23).await;
    sim.add_fault_spec("wxpay/refund:500@1-2").unwrap();
    let r = s.ex.run_pass(None).await;
    assert_eq!(r.lines[0].state, RefundState::Failed, "{:?}", r.lines);
    let failed = refund(&s.store, &s.id);
    assert_eq!(failed.failure.as_ref().unwrap().0, "SYSTEM_ERROR");
    assert!(failed.failure.as_ref().unwrap().1.contains("nothing was refunded"), "{:?}", failed.failure);
    assert!(sim_refunds(&sim, &s.txn).is_empty());
    assert!(
        s.status.borrow().alerts.iter().any(|a| a.severity == Severity::Error && a.message.contains("SYSTEM_ERROR")),
        "an admin is told"
    );
    let outbox = notify::outbox(&s.store.read().unwrap()).unwrap();
    assert!(outbox.iter().any(|m| m.kind == "refund_failed"), "the admin message is queued");
    // A failed refund is not picked up again by itself.
    let idle = s.ex.run_pass(None).await;
    assert!(idle.lines.is_empty());
    // A human retries: same number.
    let line = s.ex.retry(&s.id, "owner").await.unwrap();
    assert_eq!(line.state, RefundState::Submitted);
    assert_eq!(line.out_refund_no, failed.out_refund_no);
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    assert_eq!(refund(&s.store, &s.id).state, RefundState::Succeeded);
    assert_eq!(sim_refunded(&sim, &s.txn), s.deposit.fen());
    sim.shutdown().await;
}

#[tokio::test]
async fn not_enough_alerts_waits_and_resends_the_same_number() {
    let (sim, _dir, s) = one_refund(24).await;
    sim.add_fault_spec("wxpay/refund:403@1").unwrap();
    let r = s.ex.run_pass(None).await;
    assert_eq!(r.lines[0].state, RefundState::Failed);
    assert_eq!(refund(&s.store, &s.id).failure.unwrap().0, "NOT_ENOUGH");
    assert!(s.status.borrow().alerts.iter().any(|a| a.message.contains("top up")));
    // The wait (0 in tests) is over: the next pass resends it by itself.
    let again = s.ex.run_pass(None).await;
    assert_eq!(again.lines[0].state, RefundState::Submitted, "{:?}", again.lines);
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    let done = refund(&s.store, &s.id);
    assert_eq!(done.state, RefundState::Succeeded);
    assert_eq!(done.attempts.len(), 2);
    assert_eq!(sim_refunds(&sim, &s.txn).len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_missigned_answer_is_never_taken_as_success() {
    let (sim, _dir, s) = one_refund(25).await;
    // Both the refund answer and the query answer are mis-signed: the outcome stays unknown.
    sim.add_fault_spec("wxpay:missigned@1-2").unwrap();
    let r = s.ex.run_pass(None).await;
    assert_eq!(r.lines[0].state, RefundState::Submitted);
    assert!(r.lines[0].note.contains("unknown"), "{}", r.lines[0].note);
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    // Signed answers again: the query finds the one refund, already settled.
    let next = s.ex.run_pass(None).await;
    assert_eq!(next.lines[0].state, RefundState::Succeeded, "{:?}", next.lines);
    assert_eq!(refund_posts(&sim), 1);
    assert_eq!(sim_refunds(&sim, &s.txn).len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn abnormal_goes_to_a_human_and_closed_needs_a_retry_under_a_new_number() {
    let (sim, _dir, s) = one_refund(26).await;
    let no = refund(&s.store, &s.id).out_refund_no;
    sim.act(Action::ScriptRefund { out_refund_no: no.clone(), outcome: RefundOutcome::Abnormal }).unwrap();
    s.ex.run_pass(None).await;
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    let r = refund(&s.store, &s.id);
    assert_eq!((r.state, r.failure.as_ref().unwrap().0.as_str()), (RefundState::Failed, "ABNORMAL"));
    assert!(r.failure.unwrap().1.contains("settle-offline"));
    sim.shutdown().await;

    let (sim, _dir, s) = one_refund(27).await;
    let no = refund(&s.store, &s.id).out_refund_no;
    sim.act(Action::ScriptRefund { out_refund_no: no.clone(), outcome: RefundOutcome::Closed }).unwrap();
    s.ex.run_pass(None).await;
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    let r = refund(&s.store, &s.id);
    assert_eq!(r.failure.as_ref().unwrap().0, "CLOSED");
    assert!(s.ex.run_pass(None).await.lines.is_empty(), "a closed refund waits for a human");
    let line = s.ex.retry(&s.id, "owner").await.unwrap();
    assert_ne!(line.out_refund_no, no, "a closed number is never reused");
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    s.ex.run_pass(None).await;
    assert_eq!(refund(&s.store, &s.id).state, RefundState::Succeeded);
    let on_bill = sim_refunds(&sim, &s.txn);
    assert_eq!(on_bill.iter().filter(|r| r.2 == 2).count(), 1, "{on_bill:?}");
    assert_eq!(sim_refunded(&sim, &s.txn), s.deposit.fen());
    let actions: Vec<String> =
        s.store.read().unwrap().audit_entries(1, None).unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"refund.renumber".to_string()));
    sim.shutdown().await;
}

#[tokio::test]
async fn stale_manual_and_other_executor_refunds_are_never_sent() {
    let sim = start_sim(28).await;
    let cfg = config(&sim);
    let wx = camp(&cfg, RefundVia::Wxpay);
    let client_camp = camp(&cfg, RefundVia::WecomClient);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let a = pay(&sim, &store, &cfg, &wx, 2, wx.deposit);
    let b = pay(&sim, &store, &cfg, &client_camp, 1, client_camp.deposit);
    let ids = approve(&store, &cfg, &wx, &a);
    approve(&store, &cfg, &client_camp, &b);
    // The first refund's basis vanishes: it turns stale.
    let keep = vec![proposal(&wx, &a[1], wx.deposit)];
    store.write_with(|tx| campdesk::refund::queue::sync_proposals(tx, &wx.id, &keep, jiff::Timestamp::now())).unwrap();
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);
    let r = ex.run_pass(None).await;
    assert_eq!(r.lines.len(), 1, "{:?}", r.lines);
    assert_eq!(r.lines[0].refund_id, ids[1]);
    assert!(sim_refunds(&sim, &a[0].transaction_id).is_empty(), "stale: not paid");
    assert!(sim_refunds(&sim, &b[0].transaction_id).is_empty(), "wecom-client camps are paid by the operator");
    sim.shutdown().await;
}

#[tokio::test]
async fn refund_notifications_settle_refunds_and_forged_ones_are_refused() {
    let sim = start_sim(29).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let bills = pay(&sim, &store, &cfg, &camp, 2, camp.deposit);
    let ids = approve(&store, &cfg, &camp, &bills);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/wxpay/refund-notify");
    let status = status();
    // Polling only after a long interval, so the notification is what settles them.
    let settings =
        campdesk::refund::executor::ExecutorSettings { poll_interval: SignedDuration::from_hours(1), ..fast() };
    let ex =
        std::sync::Arc::new(Executor::new(store.clone(), cfg.clone(), status.clone(), settings).with_client(client(
            &sim,
            Duration::from_secs(2),
            Some(url.clone()),
        )));
    let cancel = tokio_util::sync::CancellationToken::new();
    let addr =
        serve_notifications(ex.clone(), format!("127.0.0.1:{port}").parse().unwrap(), cancel.clone()).await.unwrap();
    assert_eq!(addr.port(), port);
    ex.run_pass(None).await;
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    eventually(|| ids.iter().all(|id| refund(&store, id).state == RefundState::Succeeded)).await;
    // The sim marks a delivery once our answer reached it, a moment after we stored the outcome.
    let delivered = || sim.with_world(|w| w.merchant.notifications().values().filter(|n| n.delivered).count());
    eventually(|| delivered() == 2).await;

    // A notification signed with another key is refused (401) and changes nothing.
    let other = campdesk::crypto::RsaPrivateKey::generate().unwrap();
    let body = r#"{"id":"EV-1","event_type":"REFUND.SUCCESS","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"","nonce":"","associated_data":""}}"#;
    let ts = jiff::Timestamp::now().as_second().to_string();
    let sig = other.sign_sha256_base64(campdesk::crypto::wxpay_response_message(&ts, "n", body).as_bytes()).unwrap();
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(&url)
        .header("Wechatpay-Timestamp", ts)
        .header("Wechatpay-Nonce", "n")
        .header("Wechatpay-Signature", sig)
        .header("Wechatpay-Serial", sim.setup().platform_public_key_id.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    cancel.cancel();
    sim.shutdown().await;
}

#[tokio::test]
async fn automation_auto_approves_clear_passes_as_campdesk_and_pays_them() {
    let sim = start_sim(13).await;
    let mut cfg = (*config(&sim)).clone();
    let i = cfg.camps.iter().position(|c| c.refund_via == RefundVia::Wxpay).unwrap();
    cfg.camps[i].automation = campdesk::config::Automation::Auto;
    let cfg = std::sync::Arc::new(cfg);
    let camp = cfg.camps[i].clone();
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let bills = pay(&sim, &store, &cfg, &camp, 3, camp.deposit);
    // Two clear passes and one that needs its own decision (borderline).
    let mut proposals: Vec<_> = bills.iter().map(|b| proposal(&camp, b, camp.deposit)).collect();
    proposals[2].explicit_only = true;
    store
        .write_with(|tx| campdesk::refund::queue::sync_proposals(tx, &camp.id, &proposals, jiff::Timestamp::now()))
        .unwrap();
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);
    let r = ex.run_pass(None).await;
    assert_eq!(r.auto_approved, 2);
    assert_eq!(r.lines.len(), 2);
    let ids: Vec<_> =
        proposals.iter().map(|p| campdesk::refund::refund_id(&p.camp, &p.transaction_id, p.kind)).collect();
    assert_eq!(refund(&store, &ids[2]).state, RefundState::Proposed, "a borderline item waits for a human");
    let approvals: Vec<String> = store
        .read()
        .unwrap()
        .audit_entries(1, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "refund.approve")
        .map(|e| e.actor)
        .collect();
    assert_eq!(approvals, ["campdesk", "campdesk"]);
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    ex.run_pass(None).await;
    assert_eq!(sim_refunded(&sim, &bills[0].transaction_id), camp.deposit.fen());
    assert!(sim_refunds(&sim, &bills[2].transaction_id).is_empty());
    sim.shutdown().await;
}
