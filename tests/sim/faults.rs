//! Fault injection over HTTP: each kind answers like the real platform fails, nothing in the
//! world changes (except WeChat Pay's deliberate "accepted, response lost"), and rate-based
//! faults repeat exactly under the same seed.

use std::time::Duration;

use campdesk::sim::truth::CampPhase;
use campdesk::sim::{Endpoint, FaultKind, FaultRule, Platform, Sim};
use serde_json::json;

use super::support::{Wecom, Wxpay, Zsxq, options, start};

#[tokio::test]
async fn zsxq_faults_by_request_number() {
    let sim = start(51, 150).await;
    let z = Zsxq::new(&sim);
    let cid = sim.truth().camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap().checkin_id.clone();
    sim.add_fault_spec(
        "zsxq/ranking:1059@2; zsxq/ranking:401@3; zsxq/ranking:14210@4; zsxq/ranking:http=429@5; zsxq/ranking:500@6",
    )
    .unwrap();
    let url = format!("/checkins/{cid}/ranking_list?type=accumulated");
    let a1 = z.get(&url).await;
    assert_eq!(a1.body["succeeded"], true);
    let a2 = z.get(&url).await;
    assert_eq!((a2.status, a2.body["code"].clone(), a2.body["error"].clone()), (200, 1059.into(), "内部错误".into()));
    assert!(a2.headers.get("x-expire-in").is_some());
    let a3 = z.get(&url).await;
    assert_eq!((a3.status, a3.body["code"].clone()), (401, 401.into()));
    assert_eq!(z.get(&url).await.body["code"], 14210);
    let a5 = z.get(&url).await;
    assert_eq!(a5.status, 429);
    assert!(a5.body.is_null(), "a gateway page, not JSON");
    assert_eq!(z.get(&url).await.status, 500);
    assert_eq!(z.get(&url).await.body["succeeded"], true, "back to normal");
    let log = sim.fault_log();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0].endpoint, Endpoint::ZsxqRanking);
    assert_eq!(log[0].request, 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_truncated_and_repeated_pages() {
    let sim = start(52, 150).await;
    let z = Zsxq::new(&sim);
    let cid = sim.truth().camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap().checkin_id.clone();
    let first = z.get(&format!("/checkins/{cid}/topics?count=20")).await;
    sim.add_faults([
        FaultRule::on(Endpoint::ZsxqTopics, FaultKind::Malformed).nth(1),
        FaultRule::on(Endpoint::ZsxqTopics, FaultKind::Truncated).nth(2),
        FaultRule::on(Endpoint::ZsxqTopics, FaultKind::Repeat).nth(3),
    ]);
    let malformed = z.get(&format!("/checkins/{cid}/topics?count=20")).await;
    assert_eq!(malformed.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.text).is_err());
    let truncated = z.get(&format!("/checkins/{cid}/topics?count=20")).await;
    assert!(serde_json::from_str::<serde_json::Value>(&truncated.text).is_err());
    assert!(truncated.text.starts_with(r#"{"resp_data":{"topics":[{"#), "the real body, cut short: {}", truncated.text);
    assert!(truncated.text.len() * 2 <= first.text.len() + 64);
    // The next page is asked for; the first page comes back again.
    let last = first.body["resp_data"]["topics"][19]["create_time"].as_str().unwrap().to_string();
    let next = format!("/checkins/{cid}/topics?count=20&end_time={}", campdesk::sim::http::percent_encode(&last));
    let ids = |a: &super::support::Answer| {
        a.body["resp_data"]["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["topic_id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let repeated = z.get(&next).await;
    assert_eq!(ids(&repeated), ids(&first), "the same page served for the next cursor");
    let real_next = z.get(&next).await;
    assert_ne!(ids(&real_next), ids(&first));
    assert_eq!(ids(&real_next)[0], ids(&first)[19], "inclusive end_time: the boundary post again");
    sim.shutdown().await;
}

#[tokio::test]
async fn wecom_faults_change_nothing() {
    let sim = start(53, 60).await;
    let w = Wecom::new(&sim);
    let token = w.token().await;
    sim.add_fault_spec("wecom/webhook:-1@1; wecom/webhook:45009@2; wecom/bills:42001@1; wecom/groups:http=500@1; wecom/webhook:timeout=50ms@3").unwrap();
    let hook = format!("/cgi-bin/webhook/send?key={}", sim.secrets().robot_key);
    let msg = json!({"msgtype": "text", "text": {"content": "告警"}});
    assert_eq!(w.post(&hook, &msg).await.body["errcode"], -1);
    assert_eq!(w.post(&hook, &msg).await.body["errcode"], 45009);
    assert_eq!(w.post(&hook, &msg).await.status, 504);
    assert_eq!(
        sim.with_world(|w| w.corp.robots().values().next().unwrap().messages.len()),
        0,
        "faulted sends record nothing"
    );
    assert_eq!(w.post(&hook, &msg).await.body["errcode"], 0);
    assert_eq!(sim.with_world(|w| w.corp.robots().values().next().unwrap().messages.len()), 1);
    let now = sim.now().as_second();
    let bills = w
        .post(
            &format!("/cgi-bin/externalpay/get_bill_list?access_token={token}"),
            &json!({"begin_time": now - 86_400, "end_time": now}),
        )
        .await;
    assert_eq!(bills.body["errcode"], 42001, "an injected expiry");
    let groups =
        w.post(&format!("/cgi-bin/externalcontact/groupchat/list?access_token={token}"), &json!({"limit": 10})).await;
    assert_eq!(groups.status, 500);
    let again =
        w.post(&format!("/cgi-bin/externalcontact/groupchat/list?access_token={token}"), &json!({"limit": 10})).await;
    assert_eq!(again.body["errcode"], 0, "the token still works: the fault changed nothing");
    sim.shutdown().await;
}

#[tokio::test]
async fn wxpay_faults_lost_missigned_and_refusals() {
    let sim = start(54, 80).await;
    let x = Wxpay::new(&sim);
    let truth = sim.truth().clone();
    let ended = truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap();
    let pays: Vec<_> = truth
        .payments
        .iter()
        .filter(|p| {
            p.camp_id.as_deref() == Some(ended.camp_id.as_str())
                && p.amount_fen == ended.deposit_fen
                && p.paid_at <= sim.now()
        })
        .take(4)
        .cloned()
        .collect();
    let body = |i: usize, no: &str| json!({"transaction_id": pays[i].transaction_id, "out_refund_no": no, "amount": {"refund": pays[i].amount_fen, "total": pays[i].amount_fen, "currency": "CNY"}});
    sim.add_fault_spec(
        "wxpay/refund:lost@1; wxpay/refund:403@2; wxpay/refund:429@3; wxpay/refund:500@4; wxpay/query:missigned@1",
    )
    .unwrap();
    // Accepted, answer lost: 500, but the refund exists.
    let lost = x.refund(&body(0, "F-1")).await;
    assert_eq!((lost.status, lost.body["code"].as_str()), (500, Some("SYSTEM_ERROR")));
    let q = x.query("F-1").await;
    assert_eq!(q.status, 200);
    assert!(!q.signature_ok, "the query answer was mis-signed");
    assert_eq!(q.body["status"], "PROCESSING");
    assert!(x.query("F-1").await.signature_ok);
    // NOT_ENOUGH, FREQUENCY_LIMITED and SYSTEM_ERROR create nothing.
    let poor = x.refund(&body(1, "F-2")).await;
    assert_eq!((poor.status, poor.body["code"].as_str()), (403, Some("NOT_ENOUGH")));
    let limited = x.refund(&body(1, "F-2")).await;
    assert_eq!((limited.status, limited.body["code"].as_str()), (429, Some("FREQUENCY_LIMITED")));
    let broken = x.refund(&body(1, "F-2")).await;
    assert_eq!(broken.status, 500);
    assert_eq!(x.query("F-2").await.status, 404, "nothing was created");
    // Retrying the lost one with the same number adopts it; retrying F-2 creates it.
    let retry = x.refund(&body(0, "F-1")).await;
    assert_eq!((retry.status, retry.body["out_refund_no"].as_str()), (200, Some("F-1")));
    assert_eq!(x.refund(&body(1, "F-2")).await.status, 200);
    assert_eq!(sim.with_world(|w| w.merchant.refund_count()), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_faults_repeat_under_the_same_seed() {
    async fn run(seed: u64) -> Vec<u16> {
        let mut opts = options(seed, 50);
        opts.faults = vec![FaultRule::new(Platform::Zsxq, FaultKind::Http(503)).rate(0.3)];
        let sim = Sim::start(opts).await.unwrap();
        let z = Zsxq::new(&sim);
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(z.get("/checkins?scope=ongoing").await.status);
        }
        sim.shutdown().await;
        statuses
    }
    let a = run(55).await;
    assert_eq!(a, run(55).await);
    assert_ne!(a, run(56).await);
    assert!(a.contains(&503) && a.contains(&200));
}

#[tokio::test]
async fn delays_answer_normally() {
    let sim = start(57, 50).await;
    sim.add_faults([FaultRule::new(Platform::Zsxq, FaultKind::Delay(Duration::from_millis(30)))]);
    let a = Zsxq::new(&sim).get("/checkins?scope=ongoing").await;
    assert_eq!(a.body["succeeded"], true);
    assert_eq!(sim.fault_log()[0].kind, FaultKind::Delay(Duration::from_millis(30)));
    sim.shutdown().await;
}
