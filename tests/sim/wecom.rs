//! WeCom over HTTP: gettoken and expiry, get_bill_list (window, cursor, limit, refunds,
//! payer_info/contact_info), groupchat list/get, externalcontact/get, webhook, message/send.

use std::collections::BTreeSet;

use campdesk::sim::truth::{Anomaly, CampPhase};
use campdesk::sim::{Action, Sim};
use jiff::SignedDuration;
use regex::Regex;
use serde_json::{Value, json};

use super::support::{Wecom, options, start};

fn assert_errmsg(v: &Value, code: i64) {
    assert_eq!(v["errcode"], code, "{v}");
    let re = Regex::new(&format!(
        r"^[^,]+(: [^,]+)?, hint: \[\d+_\d+_[0-9a-f]{{32}}\], from ip: 127\.0\.0\.1, more info at https://open\.work\.weixin\.qq\.com/devtool/query\?e={code}$"
    ))
    .unwrap();
    assert!(re.is_match(v["errmsg"].as_str().unwrap()), "{}", v["errmsg"]);
}

#[tokio::test]
async fn gettoken_errors_reuse_and_expiry() {
    let sim = start(31, 60).await;
    let w = Wecom::new(&sim);
    let a = w.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret=wrong", w.corp_id)).await;
    assert_eq!(a.status, 200);
    assert_errmsg(&a.body, 40001);
    assert_errmsg(&w.get("/cgi-bin/gettoken?corpid=wwnope&corpsecret=x").await.body, 40013);
    assert_errmsg(&w.get("/cgi-bin/gettoken").await.body, 41002);
    let ok = w.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret={}", w.corp_id, w.secret)).await;
    assert_eq!(
        (ok.body["errcode"].clone(), ok.body["errmsg"].clone(), ok.body["expires_in"].clone()),
        (0.into(), "ok".into(), 7200.into())
    );
    let token = ok.body["access_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty() && token.len() <= 512);
    sim.advance(SignedDuration::from_secs(1000)).unwrap();
    let again = w.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret={}", w.corp_id, w.secret)).await;
    assert_eq!(again.body["access_token"], token.as_str(), "the same token within its validity");
    assert_eq!(again.body["expires_in"], 6200);

    let list = |t: String| {
        let w = &w;
        async move {
            w.post(&format!("/cgi-bin/externalcontact/groupchat/list?access_token={t}"), &json!({"limit": 10})).await
        }
    };
    assert_eq!(list(token.clone()).await.body["errcode"], 0);
    assert_errmsg(&list("bogus".into()).await.body, 40014);
    assert_errmsg(&w.post("/cgi-bin/externalcontact/groupchat/list", &json!({"limit": 10})).await.body, 41001);
    sim.advance(SignedDuration::from_secs(6200)).unwrap();
    assert_errmsg(&list(token.clone()).await.body, 42001);
    let fresh = w.token().await;
    assert_ne!(fresh, token);
    assert_eq!(list(fresh).await.body["errcode"], 0);
    // A GET on a POST endpoint.
    assert_errmsg(&w.get("/cgi-bin/externalpay/get_bill_list?access_token=x").await.body, 43002);
    sim.shutdown().await;
}

#[tokio::test]
async fn bill_list_windows_cursors_payer_objects_and_visibility() {
    let sim = start(32, 400).await;
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let truth = sim.truth().clone();
    let bills = format!("/cgi-bin/externalpay/get_bill_list?access_token={token}");
    let now = sim.now().as_second();
    assert_errmsg(&w.post(&bills, &json!({"begin_time": now - 32 * 86_400, "end_time": now})).await.body, 40058);
    assert_errmsg(
        &w.post(&bills, &json!({"begin_time": now - 86_400, "end_time": now, "limit": 1001})).await.body,
        40058,
    );
    assert_errmsg(&w.post(&bills, &json!({"end_time": now})).await.body, 40058);
    assert_errmsg(
        &w.post(&bills, &json!({"begin_time": now - 86_400, "end_time": now, "cursor": "zz"})).await.body,
        40058,
    );

    // Walk 31-day windows over everything paid so far, with small pages.
    let first = truth.payments.iter().map(|p| p.paid_at.as_second()).min().unwrap();
    let mut rows = Vec::new();
    let mut pages = 0;
    let mut begin = first;
    while begin <= now {
        let end = begin + 31 * 86_400 - 1;
        let (r, p) = w.all_bills(&token, begin, end, 37).await;
        rows.extend(r);
        pages += p;
        begin = end + 1;
    }
    assert!(pages > 5);
    let payments: Vec<&Value> = rows.iter().filter(|r| r["bill_type"] == 0).collect();
    let served: Vec<String> = payments.iter().map(|r| r["transaction_id"].as_str().unwrap().to_string()).collect();
    let unique: BTreeSet<&String> = served.iter().collect();
    assert_eq!(unique.len(), served.len(), "no bill served twice");
    let expected: BTreeSet<String> = truth
        .payments
        .iter()
        .filter(|p| p.paid_at <= sim.now())
        .filter(|p| {
            sim.with_world(|w| {
                w.corp.bills().iter().any(|b| b.transaction_id == p.transaction_id && b.payee_userid != "caiwu")
            })
        })
        .map(|p| p.transaction_id.clone())
        .collect();
    assert_eq!(unique.into_iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(truth.payments.iter().any(|p| p.anomalies.contains(&Anomaly::OtherIncome)));

    for r in &payments {
        assert!(r["transaction_id"].is_string() && r["out_trade_no"].is_string());
        assert!(r["pay_time"].is_i64() && r["total_fee"].is_i64() && r["payment_type"].is_i64());
        assert!(r["payee_userid"].is_string() && r["mch_id"].is_string() && r["remark"].is_string());
        assert_eq!(r["trade_state"], 1);
        assert_eq!(r["total_refund_fee"], 0);
        assert_eq!(r["refund_list"], json!([]));
        assert!(r["commodity_list"][0]["description"].is_string() && r["commodity_list"][0]["amount"] == 1);
        assert!(r.get("payer_info").is_none() || r.get("contact_info").is_none());
    }
    let has = |k: &str| payments.iter().filter(|r| r.get(k).is_some()).count();
    assert!(has("payer_info") > 0 && has("contact_info") > 0, "both names of the payer object appear");
    let name = payments.iter().find_map(|r| r.get("payer_info").or(r.get("contact_info"))).unwrap();
    assert!(name["name"].is_string() && name["phone"].is_string() && name["address"].is_string());
    assert!(payments.iter().any(|r| r.get("external_userid").is_none()), "some bills omit external_userid");
    assert!(payments.iter().any(|r| r["external_userid"] == ""), "some send it empty");

    // A one-page answer has no next_cursor; a multi-page walk ends with an empty one.
    let day = w.post(&bills, &json!({"begin_time": now - 3600, "end_time": now, "limit": 1000})).await;
    assert!(day.body.get("next_cursor").is_none(), "{}", day.text);
    sim.shutdown().await;
}

#[tokio::test]
async fn client_refunds_show_as_refund_rows_and_on_the_payment() {
    let sim = start(33, 80).await;
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let truth = sim.truth().clone();
    let ended = truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap();
    let pay = truth
        .payments
        .iter()
        .find(|p| {
            p.camp_id.as_deref() == Some(ended.camp_id.as_str())
                && p.amount_fen == ended.deposit_fen
                && p.paid_at <= sim.now()
        })
        .unwrap();
    // A wrong amount on purpose: 20 yuan of 39.
    let out = sim
        .act(Action::RefundInClient {
            transaction_id: pay.transaction_id.clone(),
            amount_fen: 2000,
            refund_userid: None,
            comment: "退押金".into(),
            out_refund_no: None,
            outcome: None,
            at: None,
        })
        .unwrap();
    let no = out.id().unwrap().to_string();
    let too_much = sim.act(Action::RefundInClient {
        transaction_id: pay.transaction_id.clone(),
        amount_fen: ended.deposit_fen,
        refund_userid: None,
        comment: String::new(),
        out_refund_no: None,
        outcome: None,
        at: None,
    });
    assert!(too_much.unwrap_err().message.contains("amount_fen"));
    let now = sim.now().as_second();
    let find = |rows: &[Value], kind: i64| {
        rows.iter().find(|r| r["transaction_id"] == pay.transaction_id.as_str() && r["bill_type"] == kind).cloned()
    };
    let (rows, _) = w.all_bills(&token, now - 86_400, now, 1000).await;
    let refund_row = find(&rows, 1).expect("a refund row at the refund's time");
    assert_eq!(refund_row["out_refund_no"], no.as_str());
    assert_eq!(refund_row["total_fee"], 2000);
    assert_eq!(refund_row["remark"], "退押金");
    assert!(refund_row.get("trade_state").is_none() && refund_row.get("refund_list").is_none());
    let paid_at = pay.paid_at.as_second();
    let (rows, _) = w.all_bills(&token, paid_at - 60, paid_at + 60, 1000).await;
    let payment = find(&rows, 0).unwrap();
    assert_eq!(payment["trade_state"], 3);
    assert_eq!(payment["total_refund_fee"], 2000);
    let r = &payment["refund_list"][0];
    assert_eq!(
        (r["out_refund_no"].as_str().unwrap(), r["refund_fee"].as_i64().unwrap(), r["refund_status"].as_i64().unwrap()),
        (no.as_str(), 2000, 1)
    );
    assert!(r["refund_userid"].is_string() && r["refund_comment"].is_string() && r["refund_reqtime"].is_i64());
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    let (rows, _) = w.all_bills(&token, paid_at - 60, paid_at + 60, 1000).await;
    assert_eq!(find(&rows, 0).unwrap()["refund_list"][0]["refund_status"], 2, "succeeded after the settle delay");
    sim.shutdown().await;
}

#[tokio::test]
async fn group_lists_details_names_and_membership_changes() {
    let sim = start(34, 1500).await;
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let list = format!("/cgi-bin/externalcontact/groupchat/list?access_token={token}");
    assert_errmsg(&w.post(&list, &json!({"limit": 0})).await.body, 40058);
    assert_errmsg(&w.post(&list, &json!({})).await.body, 40058);
    let mut chats = Vec::new();
    let mut cursor = String::new();
    let last_cursor;
    loop {
        let a = w.post(&list, &json!({"limit": 2, "cursor": cursor})).await;
        for g in a.body["group_chat_list"].as_array().unwrap() {
            assert!(g["status"].is_i64());
            chats.push(g["chat_id"].as_str().unwrap().to_string());
        }
        match a.body["next_cursor"].as_str() {
            Some(c) if !c.is_empty() => cursor = c.to_string(),
            other => {
                last_cursor = other.map(str::to_string);
                break;
            }
        }
    }
    assert_eq!(last_cursor.as_deref(), Some(""));
    let expected: Vec<String> = sim.truth().camps.iter().flat_map(|c| c.chat_ids.clone()).collect();
    assert_eq!(chats.iter().collect::<BTreeSet<_>>(), expected.iter().collect::<BTreeSet<_>>());
    assert!(chats.len() >= 4, "big camps have several groups");

    let running = sim.truth().camps.iter().find(|c| c.phase == CampPhase::Running).unwrap().clone();
    let get = format!("/cgi-bin/externalcontact/groupchat/get?access_token={token}");
    let chat = &running.chat_ids[0];
    let named = w.post(&get, &json!({"chat_id": chat, "need_name": 1})).await;
    let g = &named.body["group_chat"];
    assert_eq!(g["chat_id"], chat.as_str());
    assert!(g["name"].is_string() && g["owner"].is_string() && g["create_time"].is_i64() && g["notice"].is_string());
    assert!(g["admin_list"][0]["userid"].is_string() && g["member_version"].is_string());
    let members = g["member_list"].as_array().unwrap();
    assert!(members.iter().any(|m| m["type"] == 1) && members.iter().any(|m| m["type"] == 2));
    for m in members {
        assert!(m["userid"].is_string() && m["join_time"].is_i64() && m["join_scene"].is_i64());
        assert!(m["group_nickname"].is_string() && m["name"].is_string());
    }
    let external: Vec<&Value> = members.iter().filter(|m| m["type"] == 2).collect();
    assert!(external.iter().all(|m| m["userid"].as_str().unwrap().starts_with("wm")));
    assert!(external.iter().any(|m| m.get("unionid").is_some()) && external.iter().any(|m| m.get("unionid").is_none()));
    let unnamed = w.post(&get, &json!({"chat_id": chat})).await;
    assert!(unnamed.body["group_chat"]["member_list"].as_array().unwrap().iter().all(|m| m.get("name").is_none()));
    assert_errmsg(&w.post(&get, &json!({"chat_id": "wrNOPE"})).await.body, 40050);

    // Joining and leaving change the member list and its version.
    let version = g["member_version"].clone();
    sim.act(Action::JoinGroup {
        chat_id: chat.clone(),
        userid: "wmNEWCOMER000000000000000000000".into(),
        member_type: None,
        name: Some("新同学".into()),
        unionid: None,
        group_nickname: "【B组】新同学".into(),
        join_scene: Some(2),
        invitor: None,
        at: None,
    })
    .unwrap();
    let after = w.post(&get, &json!({"chat_id": chat, "need_name": 1})).await;
    assert_ne!(after.body["group_chat"]["member_version"], version);
    let newcomer = after.body["group_chat"]["member_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "新同学")
        .cloned()
        .unwrap();
    assert_eq!(newcomer["group_nickname"], "【B组】新同学");
    assert_eq!(newcomer["join_time"].as_i64().unwrap(), sim.now().as_second());
    sim.act(Action::LeaveGroup { chat_id: chat.clone(), userid: "wmNEWCOMER000000000000000000000".into(), at: None })
        .unwrap();
    let gone = w.post(&get, &json!({"chat_id": chat})).await;
    assert!(!gone.text.contains("wmNEWCOMER"));
    sim.shutdown().await;
}

#[tokio::test]
async fn external_contact_webhook_and_app_messages() {
    let mut opts = options(35, 60);
    opts.members = 60;
    let sim = Sim::start(opts).await.unwrap();
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let truth = sim.truth().clone();
    let friend = truth.persons.iter().find(|p| p.person_id % 5 != 0).unwrap();
    let stranger = truth.persons.iter().find(|p| p.person_id % 5 == 0).unwrap();
    let c = w
        .get(&format!("/cgi-bin/externalcontact/get?access_token={token}&external_userid={}", friend.external_userid))
        .await;
    assert_eq!(c.body["errcode"], 0, "{}", c.text);
    assert_eq!(c.body["external_contact"]["external_userid"], friend.external_userid.as_str());
    assert_eq!(c.body["external_contact"]["type"], 1);
    assert!(c.body["follow_user"][0]["userid"].is_string());
    let s = w
        .get(&format!("/cgi-bin/externalcontact/get?access_token={token}&external_userid={}", stranger.external_userid))
        .await;
    assert_errmsg(&s.body, 84061);

    // Robot: 20 a minute, then 45009 until the minute has passed; unknown keys 93000.
    let key = sim.secrets().robot_key.clone();
    let hook = format!("/cgi-bin/webhook/send?key={key}");
    for i in 0..20 {
        let a = w
            .post(
                &hook,
                &json!({"msgtype": "text", "text": {"content": format!("提醒 {i}"), "mentioned_list": ["zhouyang"]}}),
            )
            .await;
        assert_eq!(a.body, json!({"errcode": 0, "errmsg": "ok"}));
    }
    let over = w.post(&hook, &json!({"msgtype": "markdown", "markdown": {"content": "**too many**"}})).await;
    assert_errmsg(&over.body, 45009);
    sim.advance(SignedDuration::from_secs(61)).unwrap();
    assert_eq!(
        w.post(&hook, &json!({"msgtype": "markdown", "markdown": {"content": "**ok**"}})).await.body["errcode"],
        0
    );
    assert_errmsg(
        &w.post("/cgi-bin/webhook/send?key=nope", &json!({"msgtype": "text", "text": {"content": "x"}})).await.body,
        93000,
    );
    let long = "字".repeat(700);
    assert_errmsg(&w.post(&hook, &json!({"msgtype": "text", "text": {"content": long}})).await.body, 40058);
    let received = sim.with_world(|w| w.corp.robots().values().next().unwrap().messages.clone());
    assert_eq!(received.len(), 21);
    assert_eq!(received[0].mentioned_list, ["zhouyang"]);
    assert_eq!(received[20].msgtype, "markdown");

    // App messages: some recipients invalid, all invalid, wrong agent.
    let send = format!("/cgi-bin/message/send?access_token={token}");
    let agent = sim.setup().agent_id;
    let a = w.post(&send, &json!({"touser": "zhouyang|NoBody|ajie", "msgtype": "text", "agentid": agent, "text": {"content": "退款失败 1 笔"}})).await;
    assert_eq!(a.body["errcode"], 0);
    assert_eq!(a.body["invaliduser"], "nobody");
    assert!(a.body["msgid"].is_string());
    assert_errmsg(
        &w.post(&send, &json!({"touser": "ghost", "msgtype": "text", "agentid": agent, "text": {"content": "x"}}))
            .await
            .body,
        81013,
    );
    assert_errmsg(
        &w.post(&send, &json!({"touser": "zhouyang", "msgtype": "text", "agentid": 1, "text": {"content": "x"}}))
            .await
            .body,
        40056,
    );
    let delivered = sim.with_world(|w| w.corp.app_messages().to_vec());
    assert_eq!(delivered.iter().map(|m| m.touser.as_str()).collect::<Vec<_>>(), ["zhouyang", "ajie"]);
    sim.shutdown().await;
}
