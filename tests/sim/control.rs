//! The `/_sim/…` control endpoint, and that every listener binds 127.0.0.1 only.

use campdesk::sim::Platform;
use serde_json::{Value, json};

use super::support::{Wecom, client, start};

#[tokio::test]
async fn control_endpoint_scripts_a_camp_day() {
    let sim = start(61, 80).await;
    let c = client();
    // Every listener serves the control endpoint.
    for p in Platform::ALL {
        let s: Value = c.get(format!("{}/_sim/state", sim.urls().of(p))).send().await.unwrap().json().await.unwrap();
        assert!(s["counts"]["bills"].as_u64().unwrap() > 0);
        assert_eq!(s["schedule_errors"], json!([]));
    }
    let base = sim.urls().wecom.clone();
    let before = sim.now();
    let r: Value = c
        .post(format!("{base}/_sim/clock"))
        .json(&json!({"advance": "2h"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["now"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(),
        before.checked_add(jiff::SignedDuration::from_hours(2)).unwrap()
    );
    let back = c.post(format!("{base}/_sim/clock")).json(&json!({"set": "2020-01-01T00:00:00Z"})).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 400);

    // A payment, a join, a rename, in one batch.
    let payee = sim.truth().camps[1].payee.clone();
    let chat = sim.truth().camps[1].chat_ids[0].clone();
    let batch = json!([
        {"action": "pay", "payee_userid": payee, "amount_fen": 3900, "remark": "星球昵称：阿花", "external_userid": "wmCONTROL0000000000000000000000", "payer_name": "阿花🌸", "payer_info_key": "contact_info"},
        {"action": "join_group", "chat_id": chat, "userid": "wmCONTROL0000000000000000000000", "name": "阿花🌸", "group_nickname": "阿花-运营"},
        {"action": "rename_wechat", "external_userid": "wmCONTROL0000000000000000000000", "name": "阿花"},
    ]);
    let resp = c.post(format!("{base}/_sim/actions")).json(&batch).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let out: Value = resp.json().await.unwrap();
    let tx = out["results"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(out["results"][0]["result"], "done");
    assert_eq!(tx.len(), 28);
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let now = sim.now().as_second();
    let (rows, _) = w.all_bills(&token, now - 60, now, 100).await;
    let bill = rows.iter().find(|b| b["transaction_id"] == tx.as_str()).unwrap();
    assert_eq!(bill["contact_info"]["name"], "阿花🌸");
    assert_eq!(bill["remark"], "星球昵称：阿花");

    // A bad batch stops at the first refusal and names the field.
    let bad = json!([
        {"action": "leave_group", "chat_id": chat, "userid": "wmCONTROL0000000000000000000000"},
        {"action": "leave_group", "chat_id": chat, "userid": "wmCONTROL0000000000000000000000"},
        {"action": "rename_wechat", "external_userid": "wmCONTROL0000000000000000000000", "name": "不会执行"},
    ]);
    let resp = c.post(format!("{base}/_sim/actions")).json(&bad).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let out: Value = resp.json().await.unwrap();
    assert_eq!(out["results"][0]["result"], "done");
    assert!(out["results"][1]["error"].as_str().unwrap().contains("not in"));
    assert_eq!(out["results"][2]["result"], "skipped");
    assert_eq!(sim.with_world(|w| w.corp.contact("wmCONTROL0000000000000000000000").unwrap().name.clone()), "阿花");
    let unknown: Value = c
        .post(format!("{base}/_sim/actions"))
        .json(&json!({"action": "fly"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(unknown["error"].as_str().unwrap().contains("fly"));

    // A future action is scheduled and happens when the clock gets there.
    let later = sim.now().checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    let sched: Value = c
        .post(format!("{base}/_sim/actions"))
        .json(&json!({"action": "leave_group", "chat_id": chat, "userid": "zhouyang", "at": later}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sched["results"][0]["result"], "scheduled");
    let in_group =
        |sim: &campdesk::sim::SimHandle| sim.with_world(|w| w.corp.group(&chat).unwrap().member("zhouyang").is_some());
    assert!(in_group(&sim), "not yet");
    c.post(format!("{base}/_sim/clock")).json(&json!({"advance": "61m"})).send().await.unwrap();
    assert!(!in_group(&sim));

    // Faults through the endpoint.
    let added: Value = c
        .post(format!("{base}/_sim/faults"))
        .json(&json!({"spec": "wecom/groups:-1@1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(added["added"].as_array().unwrap().len(), 1);
    let bad_spec = c.post(format!("{base}/_sim/faults")).json(&json!({"spec": "wecom/nope:-1"})).send().await.unwrap();
    assert_eq!(bad_spec.status().as_u16(), 400);
    let g =
        w.post(&format!("/cgi-bin/externalcontact/groupchat/list?access_token={token}"), &json!({"limit": 5})).await;
    assert_eq!(g.body["errcode"], -1);
    let faults: Value = c.get(format!("{base}/_sim/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(faults["log"].as_array().unwrap().len(), 1);
    c.delete(format!("{base}/_sim/faults")).send().await.unwrap();
    let faults: Value = c.get(format!("{base}/_sim/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(faults["rules"], json!([]));

    let truth: Value = c.get(format!("{base}/_sim/truth")).send().await.unwrap().json().await.unwrap();
    assert_eq!(truth["persons"].as_array().unwrap().len(), 80);
    let requests: Value = c.get(format!("{base}/_sim/requests")).send().await.unwrap().json().await.unwrap();
    assert!(
        requests["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["target"].as_str().unwrap().starts_with("/cgi-bin/gettoken"))
    );
    let messages: Value = c.get(format!("{base}/_sim/messages")).send().await.unwrap().json().await.unwrap();
    assert!(messages["robots"].is_array() && messages["app_messages"].is_array());
    sim.shutdown().await;
}

/// Reads the listening sockets from /proc/net/tcp{,6} and checks ours listen on 127.0.0.1 only.
#[tokio::test]
async fn listeners_bind_loopback_only() {
    let sim = start(62, 50).await;
    for p in Platform::ALL {
        let url = sim.urls().of(p);
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
        if let Ok(tcp) = std::fs::read_to_string("/proc/net/tcp") {
            let listening: Vec<String> = tcp
                .lines()
                .skip(1)
                .filter_map(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    let (addr, port_hex) = cols.get(1)?.split_once(':')?;
                    (u16::from_str_radix(port_hex, 16).ok()? == port && cols.get(3)? == &"0A").then(|| addr.to_string())
                })
                .collect();
            assert_eq!(listening, ["0100007F"], "port {port} listens on 127.0.0.1 only");
        }
        if let Ok(tcp6) = std::fs::read_to_string("/proc/net/tcp6") {
            let port_hex = format!(":{port:04X}");
            assert!(
                !tcp6.lines().skip(1).any(|l| l.split_whitespace().nth(1).is_some_and(|a| a.ends_with(&port_hex))
                    && l.split_whitespace().nth(3) == Some("0A")),
                "no IPv6 listener on {port}"
            );
        }
    }
    sim.shutdown().await;
}
