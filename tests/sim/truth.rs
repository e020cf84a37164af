//! The generator's ground truth against what the simulators serve over HTTP, once every camp
//! is over; and the generated camps.toml against campdesk's own config loader.

use std::collections::{BTreeMap, BTreeSet};

use campdesk::domain::time::parse_zsxq_time;
use campdesk::domain::{Day, DayRule, Money};
use campdesk::sim::truth::{ExpectedVerdict, Role};
use campdesk::sim::{Sim, SimOptions};
use secrecy::ExposeSecret;
use serde_json::Value;

use super::support::{Wecom, Zsxq, anchor, keys, options};

#[tokio::test]
async fn served_check_ins_group_members_and_bills_match_the_truth() {
    let mut opts: SimOptions = options(71, 300);
    // Start after the last camp so the whole timeline has happened.
    let last_end = Day::new(2025, 12, 10).unwrap();
    let rule = DayRule::shanghai();
    opts.start = Some(last_end.start_in(&rule.tz, rule.cutoff));
    let sim = Sim::start(opts).await.unwrap();
    let truth = sim.truth().clone();
    assert!(truth.camps.iter().all(|c| c.end < last_end));
    assert_eq!(sim.with_world(|w| w.pending()), 0);

    // Check-in days per user per camp, counted from served topics.
    let z = Zsxq::new(&sim);
    let mut served_days: BTreeMap<(String, u64), BTreeSet<Day>> = BTreeMap::new();
    let mut served_topics: BTreeSet<u64> = BTreeSet::new();
    for camp in &truth.camps {
        for t in z.all_topics(&camp.checkin_id).await {
            let at = parse_zsxq_time(t["create_time"].as_str().unwrap()).unwrap();
            let day = rule.day_of(at);
            served_topics.insert(t["topic_id"].as_u64().unwrap());
            if day >= camp.start && day <= camp.end {
                served_days
                    .entry((camp.camp_id.clone(), t["talk"]["owner"]["user_id"].as_u64().unwrap()))
                    .or_default()
                    .insert(day);
            }
        }
    }
    let mut truth_days: BTreeMap<(String, u64), BTreeSet<Day>> = BTreeMap::new();
    let mut truth_topics: BTreeSet<u64> = BTreeSet::new();
    for p in &truth.persons {
        for pc in &p.camps {
            truth_topics.extend(pc.topic_ids.iter().map(|t| t.parse::<u64>().unwrap()));
            if !pc.checkin_days.is_empty() {
                let uid = p.planet_user_id.as_ref().unwrap().parse().unwrap();
                truth_days.insert((pc.camp_id.clone(), uid), pc.checkin_days.iter().copied().collect());
            }
        }
    }
    assert_eq!(served_days, truth_days);
    assert_eq!(served_topics, truth_topics, "every post served once");

    // Every payment served once, with its amount, payer and camp keyword.
    let w = Wecom::new(&sim);
    let token = w.token().await;
    let first = truth.payments.iter().map(|p| p.paid_at.as_second()).min().unwrap();
    let now = sim.now().as_second();
    let mut rows = Vec::new();
    let mut begin = first;
    while begin <= now {
        let end = begin + 31 * 86_400 - 1;
        rows.extend(w.all_bills(&token, begin, end, 1000).await.0);
        begin = end + 1;
    }
    let mut served: BTreeMap<String, Value> = BTreeMap::new();
    for r in rows.into_iter().filter(|r| r["bill_type"] == 0) {
        let tx = r["transaction_id"].as_str().unwrap().to_string();
        assert!(served.insert(tx.clone(), r).is_none(), "{tx} served twice");
    }
    let mut hidden = 0;
    for p in &truth.payments {
        let Some(row) = served.get(&p.transaction_id) else {
            hidden += 1;
            assert!(p.camp_id.is_none(), "only other income to an invisible payee is hidden");
            continue;
        };
        assert_eq!(row["total_fee"].as_i64().unwrap(), p.amount_fen);
        assert_eq!(row["pay_time"].as_i64().unwrap(), p.paid_at.as_second());
        let person = truth.person(p.person_id).unwrap();
        let expected_id = person.external_userid_on_bill.then(|| person.external_userid.clone());
        let got = row.get("external_userid").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        assert_eq!(got, expected_id);
        if let Some(camp) = p.camp_id.as_ref().and_then(|c| truth.camp(c)) {
            assert!(row["commodity_list"][0]["description"].as_str().unwrap().contains(&camp.keyword));
            assert_eq!(row["remark"].as_str().unwrap(), person.remark);
        }
    }
    assert_eq!(served.len() + hidden, truth.payments.len());
    assert!(hidden > 0);

    // Group members: payers who joined and did not leave are in their group; who left is not.
    let get = format!("/cgi-bin/externalcontact/groupchat/get?access_token={token}");
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for camp in &truth.camps {
        for chat in &camp.chat_ids {
            let a = w.post(&get, &serde_json::json!({"chat_id": chat})).await;
            let ids = a.body["group_chat"]["member_list"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["userid"].as_str().unwrap().to_string())
                .collect();
            members.insert(chat.clone(), ids);
        }
    }
    let mut checked = 0;
    for p in &truth.persons {
        for pc in &p.camps {
            if let Some(chat) = &pc.chat_id {
                assert_eq!(
                    members[chat].contains(&p.external_userid),
                    pc.left_group_at.is_none(),
                    "person {} in {chat}",
                    p.person_id
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 250);

    // Verdicts follow the counted days and each camp's rule.
    for p in &truth.payments {
        let (Some(camp), Some(v)) = (p.camp_id.as_ref().and_then(|c| truth.camp(c)), p.expected_verdict) else {
            continue;
        };
        let person = truth.person(p.person_id).unwrap();
        let pc = person.camps.iter().find(|c| c.camp_id == camp.camp_id && c.role == Role::Payer).unwrap();
        let n = pc.checkin_days.len() as u32;
        let expected = if p.planet_user_id.is_none() {
            ExpectedVerdict::Unlinked
        } else if n >= camp.required {
            ExpectedVerdict::Pass
        } else if n + camp.borderline_margin >= camp.required {
            ExpectedVerdict::Borderline
        } else {
            ExpectedVerdict::Fail
        };
        assert_eq!(v, expected);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn generated_camps_toml_passes_config_validation() {
    let sim = Sim::start(SimOptions {
        seed: 72,
        members: 90,
        anchor: Some(anchor()),
        keys: Some(keys()),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let config =
        campdesk::config::load_file(sim.config_path()).unwrap_or_else(|e| panic!("{e}\n{}", sim.config_text()));
    let truth = sim.truth();
    assert_eq!(config.camps.len(), truth.camps.len());
    for (c, t) in config.camps.iter().zip(&truth.camps) {
        assert_eq!(c.id.as_str(), t.camp_id);
        assert_eq!((c.start, c.end, c.days, c.required), (t.start, t.end, t.days, t.required));
        assert_eq!(c.deposit, Money::from_fen(t.deposit_fen));
        assert_eq!(c.checkin_id.as_ref().unwrap().as_str(), t.checkin_id);
        assert_eq!(c.group_chats.iter().map(|g| g.as_str().to_string()).collect::<Vec<_>>(), t.chat_ids);
        assert_eq!(c.refund_via.as_str(), t.refund_via);
    }
    let zsxq = config.zsxq.as_ref().unwrap();
    assert_eq!(zsxq.base_url, sim.urls().zsxq);
    assert_eq!(zsxq.group_id, sim.setup().group_id.to_string());
    assert_eq!(zsxq.token.resolve().unwrap().expose_secret(), sim.secrets().zsxq_token);
    let wecom = config.wecom.as_ref().unwrap();
    assert_eq!(wecom.secret.resolve().unwrap().expose_secret(), sim.secrets().wecom_secret);
    assert_eq!(wecom.robot_key.as_ref().unwrap().resolve().unwrap().expose_secret(), sim.secrets().robot_key);
    let wxpay = config.wxpay.as_ref().unwrap();
    assert_eq!(wxpay.base_url, sim.urls().wxpay);
    let key = campdesk::crypto::RsaPrivateKey::from_pem(wxpay.private_key.resolve().unwrap().expose_secret()).unwrap();
    assert_eq!(key.public_key().unwrap(), sim.keys().merchant_public);
    let platform =
        campdesk::crypto::RsaPublicKey::from_pem(wxpay.platform_public_key.resolve().unwrap().expose_secret()).unwrap();
    assert_eq!(platform, sim.keys().platform_public);
    assert_eq!(wxpay.api_v3_key.resolve().unwrap().expose_secret().len(), 32);
    // No secret is written in camps.toml itself.
    for secret in
        [&sim.secrets().zsxq_token, &sim.secrets().wecom_secret, &sim.secrets().api_v3_key, &sim.secrets().robot_key]
    {
        assert!(!sim.config_text().contains(secret.as_str()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = sim.config_path().parent().unwrap().join("secrets");
        for f in std::fs::read_dir(&dir).unwrap() {
            let mode = f.unwrap().metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
    let dir = sim.config_path().parent().unwrap().to_path_buf();
    sim.shutdown().await;
    assert!(!dir.exists(), "the temporary config dir is removed at shutdown");
}
