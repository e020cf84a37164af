//! WeChat Pay v3 over HTTP: signed requests and answers, idempotent refunds, the refund rules,
//! status progress on the sim clock, the WeCom bill view, and encrypted notifications.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use campdesk::crypto::{aes_256_gcm_decrypt, wxpay_response_message};
use campdesk::sim::truth::{CampPhase, PaymentTruth};
use campdesk::sim::world::merchant::RefundOutcome;
use campdesk::sim::{Action, SimHandle};
use jiff::SignedDuration;
use serde_json::{Value, json};

use super::support::{Wecom, Wxpay, start};

fn deposit_payment(sim: &SimHandle, n: usize) -> PaymentTruth {
    let truth = sim.truth();
    let ended = truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap();
    truth
        .payments
        .iter()
        .filter(|p| p.camp_id.as_deref() == Some(ended.camp_id.as_str()) && p.amount_fen == ended.deposit_fen)
        .filter(|p| p.paid_at <= sim.now())
        .nth(n)
        .unwrap()
        .clone()
}

fn refund_body(p: &PaymentTruth, no: &str, refund: i64) -> Value {
    json!({
        "transaction_id": p.transaction_id,
        "out_refund_no": no,
        "reason": "押金退还",
        "amount": {"refund": refund, "total": p.amount_fen, "currency": "CNY"},
    })
}

#[tokio::test]
async fn signed_refund_is_idempotent_and_progresses_to_success() {
    let sim = start(41, 80).await;
    let x = Wxpay::new(&sim);
    let p = deposit_payment(&sim, 0);
    let first = x.refund(&refund_body(&p, "DEP-0001", p.amount_fen)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(first.signature_ok, "a 2xx answer is signed with the platform key");
    assert!(first.headers.get("request-id").is_some());
    let r = &first.body;
    for k in [
        "refund_id",
        "out_refund_no",
        "transaction_id",
        "out_trade_no",
        "channel",
        "user_received_account",
        "create_time",
        "status",
        "funds_account",
    ] {
        assert!(r[k].is_string(), "{k}: {r}");
    }
    assert_eq!(r["status"], "PROCESSING");
    assert!(r.get("success_time").is_none());
    assert!(
        regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
            .unwrap()
            .is_match(r["create_time"].as_str().unwrap())
    );
    let amount = &r["amount"];
    assert_eq!(
        (amount["total"].as_i64(), amount["refund"].as_i64(), amount["currency"].as_str()),
        (Some(p.amount_fen), Some(p.amount_fen), Some("CNY"))
    );
    for k in ["payer_total", "payer_refund", "settlement_refund", "settlement_total", "discount_refund"] {
        assert!(amount[k].is_i64(), "amount.{k}");
    }
    // Same number, same parameters: the same refund back.
    let again = x.refund(&refund_body(&p, "DEP-0001", p.amount_fen)).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["refund_id"], r["refund_id"]);
    // Same number, different amount: refused.
    let changed = x.refund(&refund_body(&p, "DEP-0001", p.amount_fen - 1)).await;
    assert_eq!((changed.status, changed.body["code"].as_str()), (400, Some("INVALID_REQUEST")));
    assert!(!changed.signature_ok && changed.headers.get("wechatpay-signature").is_none(), "4xx answers are unsigned");
    assert_eq!(sim.with_world(|w| w.merchant.refund_count()), 1);

    let q = x.query("DEP-0001").await;
    assert_eq!((q.status, q.body["status"].as_str()), (200, Some("PROCESSING")));
    assert!(q.signature_ok);
    sim.advance(SignedDuration::from_secs(61)).unwrap();
    let q = x.query("DEP-0001").await;
    assert_eq!(q.body["status"], "SUCCESS");
    assert!(q.body["success_time"].is_string());
    let missing = x.query("DEP-NOPE").await;
    assert_eq!((missing.status, missing.body["code"].as_str()), (404, Some("RESOURCE_NOT_EXISTS")));

    // The refund shows on the WeCom bill.
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let t = p.paid_at.as_second();
    let (rows, _) = w.all_bills(&token, t - 1, t + 1, 100).await;
    let bill = rows.iter().find(|b| b["transaction_id"] == p.transaction_id.as_str() && b["bill_type"] == 0).unwrap();
    assert_eq!(bill["trade_state"], 3);
    assert_eq!(bill["total_refund_fee"], p.amount_fen);
    assert_eq!(bill["refund_list"][0]["out_refund_no"], "DEP-0001");
    assert_eq!(bill["refund_list"][0]["refund_status"], 2);
    let now = sim.now().as_second();
    let (rows, _) = w.all_bills(&token, now - 3600, now, 100).await;
    assert!(rows.iter().any(|b| b["bill_type"] == 1 && b["out_refund_no"] == "DEP-0001"));
    sim.shutdown().await;
}

#[tokio::test]
async fn refund_rules_and_request_checks() {
    let sim = start(42, 80).await;
    let x = Wxpay::new(&sim);
    let p = deposit_payment(&sim, 1);
    // Unknown order.
    let mut unknown = refund_body(&p, "R-1", 100);
    unknown["transaction_id"] = json!("4200000000000000000000000000");
    let a = x.refund(&unknown).await;
    assert_eq!((a.status, a.body["code"].as_str()), (404, Some("RESOURCE_NOT_EXISTS")));
    // Total must be the order's.
    let mut wrong_total = refund_body(&p, "R-2", 100);
    wrong_total["amount"]["total"] = json!(p.amount_fen + 1);
    assert_eq!(x.refund(&wrong_total).await.body["code"], "INVALID_REQUEST");
    // Undocumented fields.
    let mut extra = refund_body(&p, "R-3", 100);
    extra["appid"] = json!("wx1");
    let a = x.refund(&extra).await;
    assert_eq!((a.status, a.body["code"].as_str()), (400, Some("PARAM_ERROR")));
    assert_eq!(a.body["detail"]["field"], "appid");
    let bad_no = x.refund(&refund_body(&p, "R 4", 100)).await;
    assert_eq!(bad_no.body["code"], "PARAM_ERROR");
    // Partial refunds: a second one within a minute is rate limited; above what is left is refused.
    assert_eq!(x.refund(&refund_body(&p, "R-5", 1000)).await.status, 200);
    let soon = x.refund(&refund_body(&p, "R-6", 1000)).await;
    assert_eq!((soon.status, soon.body["code"].as_str()), (429, Some("FREQUENCY_LIMITED")));
    sim.advance(SignedDuration::from_secs(61)).unwrap();
    let over = x.refund(&refund_body(&p, "R-7", p.amount_fen - 999)).await;
    assert_eq!((over.status, over.body["code"].as_str()), (400, Some("INVALID_REQUEST")));
    assert_eq!(x.refund(&refund_body(&p, "R-8", p.amount_fen - 1000)).await.status, 200, "exactly what is left");
    // A WeCom-client refund of another bill counts against that bill too.
    let q = deposit_payment(&sim, 2);
    sim.act(Action::RefundInClient {
        transaction_id: q.transaction_id.clone(),
        amount_fen: q.amount_fen,
        refund_userid: None,
        comment: String::new(),
        out_refund_no: None,
        outcome: None,
        at: None,
    })
    .unwrap();
    assert_eq!(x.refund(&refund_body(&q, "R-9", 1)).await.body["code"], "INVALID_REQUEST");
    // By out_trade_no instead of transaction_id.
    let r = deposit_payment(&sim, 3);
    let trade =
        sim.with_world(|w| w.corp.bill(w.corp.bill_by_transaction(&r.transaction_id).unwrap()).out_trade_no.clone());
    let by_trade = x.refund(&json!({"out_trade_no": trade, "out_refund_no": "R-10", "amount": {"refund": 100, "total": r.amount_fen, "currency": "CNY"}})).await;
    assert_eq!(by_trade.status, 200, "{}", by_trade.text);
    assert_eq!(by_trade.body["transaction_id"], r.transaction_id.as_str());
    sim.shutdown().await;
}

#[tokio::test]
async fn signatures_timestamps_and_headers_are_checked() {
    let sim = start(43, 60).await;
    let x = Wxpay::new(&sim);
    let p = deposit_payment(&sim, 0);
    let body = refund_body(&p, "S-1", 100);
    let path = "/v3/refund/domestic/refunds";
    // A tampered signature.
    let forged = x
        .send("POST", path, Some(&body), Wxpay::now_secs(), |h| {
            let at = h.find("signature=\"").unwrap() + 11;
            let mut b = h.into_bytes();
            b[at] = if b[at] == b'A' { b'B' } else { b'A' };
            String::from_utf8(b).unwrap()
        })
        .await;
    assert_eq!((forged.status, forged.body["code"].as_str()), (401, Some("SIGN_ERROR")));
    // A signature over another body.
    let other = x.send("POST", path, Some(&refund_body(&p, "S-2", 100)), Wxpay::now_secs(), |h| h).await;
    assert_eq!(other.status, 200);
    // Timestamp skew beyond 5 minutes.
    let stale = x.send("POST", path, Some(&body), Wxpay::now_secs() - 301, |h| h).await;
    assert_eq!((stale.status, stale.body["code"].as_str()), (401, Some("SIGN_ERROR")));
    // Wrong merchant serial, wrong mchid, no header at all.
    let serial = x
        .send("POST", path, Some(&body), Wxpay::now_secs(), |h| h.replace(&sim.setup().merchant_serial_no, "0000"))
        .await;
    assert_eq!(serial.status, 401);
    let mch =
        x.send("POST", path, Some(&body), Wxpay::now_secs(), |h| h.replace(&sim.setup().mch_id, "1900000000")).await;
    assert_eq!((mch.status, mch.body["code"].as_str()), (404, Some("MCH_NOT_EXISTS")));
    let bare = x
        .finish(
            x.client
                .post(format!("{}{path}", x.base))
                .header("accept", "application/json")
                .header("user-agent", "t")
                .json(&body),
        )
        .await;
    assert_eq!(bare.status, 401);
    // User-Agent is required.
    let no_ua = x
        .finish(x.client.get(format!("{}/v3/refund/domestic/refunds/S-2", x.base)).header("accept", "application/json"))
        .await;
    assert_eq!(no_ua.status, 400);
    // The query path (with its out_refund_no) is what the signature covers.
    let q = x.send("GET", "/v3/refund/domestic/refunds/S-2", None, Wxpay::now_secs(), |h| h).await;
    assert_eq!(q.status, 200);
    assert!(q.signature_ok);
    assert_eq!(sim.with_world(|w| w.merchant.refund_count()), 1, "no refused request created anything");
    sim.shutdown().await;
}

#[derive(Clone, Default)]
struct Inbox {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: String) -> StatusCode {
    inbox.received.lock().unwrap().push((headers, body));
    let mut left = inbox.fail_first.lock().unwrap();
    if *left > 0 {
        *left -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

async fn wait_for(inbox: &Inbox, n: usize) {
    for _ in 0..200 {
        if inbox.received.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("expected {n} notifications, got {}", inbox.received.lock().unwrap().len());
}

#[tokio::test]
async fn notifications_are_signed_encrypted_and_redelivered_until_answered() {
    let sim = start(44, 60).await;
    let inbox = Inbox { fail_first: Arc::new(Mutex::new(1)), ..Inbox::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/wxpay/notify", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/wxpay/notify", axum::routing::post(receive)).with_state(inbox.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let x = Wxpay::new(&sim);
    let p = deposit_payment(&sim, 0);
    let mut body = refund_body(&p, "N-1", p.amount_fen);
    body["notify_url"] = json!(url);
    assert_eq!(x.refund(&body).await.status, 200);
    // A refund scripted to close.
    let q = deposit_payment(&sim, 1);
    sim.act(Action::ScriptRefund { out_refund_no: "N-2".into(), outcome: RefundOutcome::Closed }).unwrap();
    let mut body2 = refund_body(&q, "N-2", q.amount_fen);
    body2["notify_url"] = json!(url);
    assert_eq!(x.refund(&body2).await.status, 200);

    sim.advance(SignedDuration::from_secs(61)).unwrap();
    wait_for(&inbox, 2).await;
    // The first delivery was answered 500: it comes again 15 s (sim time) later.
    sim.advance(SignedDuration::from_secs(16)).unwrap();
    wait_for(&inbox, 3).await;
    let received = inbox.received.lock().unwrap().clone();
    let key = sim.secrets().api_v3_key.as_bytes().to_vec();
    let mut events = Vec::new();
    for (headers, text) in &received {
        let h = |k: &str| headers.get(k).unwrap().to_str().unwrap().to_string();
        let msg = wxpay_response_message(&h("wechatpay-timestamp"), &h("wechatpay-nonce"), text);
        assert!(sim.keys().platform_public.verify_sha256_base64(msg.as_bytes(), &h("wechatpay-signature")));
        assert_eq!(h("wechatpay-serial"), sim.setup().platform_public_key_id);
        let v: Value = serde_json::from_str(text).unwrap();
        assert!(v["id"].as_str().unwrap().starts_with("EV-"));
        assert_eq!(v["resource_type"], "encrypt-resource");
        let res = &v["resource"];
        assert_eq!(
            (res["algorithm"].as_str(), res["original_type"].as_str()),
            (Some("AEAD_AES_256_GCM"), Some("refund"))
        );
        let plain = aes_256_gcm_decrypt(
            &key,
            res["nonce"].as_str().unwrap().as_bytes(),
            res["associated_data"].as_str().unwrap().as_bytes(),
            res["ciphertext"].as_str().unwrap(),
        )
        .unwrap();
        let plain: Value = serde_json::from_slice(&plain).unwrap();
        assert_eq!(plain["mchid"], sim.setup().mch_id.as_str());
        events.push((
            v["event_type"].as_str().unwrap().to_string(),
            plain["out_refund_no"].as_str().unwrap().to_string(),
            plain["refund_status"].as_str().unwrap().to_string(),
            plain.get("success_time").is_some(),
        ));
    }
    // Whichever notification was delivered first got the 500 and came again.
    let first = events[0].1.clone();
    let success = ("REFUND.SUCCESS".to_string(), "N-1".to_string(), "SUCCESS".to_string(), true);
    let closed = ("REFUND.CLOSED".to_string(), "N-2".to_string(), "CLOSED".to_string(), false);
    let mut expected = vec![success.clone(), closed.clone(), if first == "N-1" { success } else { closed }];
    expected.sort();
    events.sort();
    assert_eq!(events, expected);
    // The sim records a delivery once the receiver's answer is back, which can
    // be a moment after the receiver saw the request: wait for it.
    let second = if first == "N-1" { "N-2" } else { "N-1" };
    let want = [(first.clone(), true, 2), (second.to_string(), true, 1)];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let states = loop {
        let states = sim.with_world(|w| {
            w.merchant
                .notifications()
                .values()
                .map(|n| (n.out_refund_no.clone(), n.delivered, n.attempts))
                .collect::<Vec<_>>()
        });
        if want.iter().all(|w| states.contains(w)) || std::time::Instant::now() > deadline {
            break states;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(states.contains(&want[0]), "{states:?}");
    assert!(states.contains(&want[1]), "{states:?}");
    assert_eq!(x.query("N-2").await.body["status"], "CLOSED");
    server.abort();
    sim.shutdown().await;
}
