//! The engine's evaluation hands the matcher what it needs beyond the camp itself:
//! here, the bill names of the planet's other camps, which decide whether a planet
//! join right after a payment may link a member who has not checked in yet.

use std::path::Path;

use campdesk::config::{Config, parse_str};
use campdesk::domain::{PlanetUserId, SourceRef};
use campdesk::evaluate::{evaluate_all, evaluate_camp};
use campdesk::matching::LinkState;
use campdesk::records::planet_users::{PlanetUserSighting, record_sightings};
use campdesk::sim::export::{ExportRow, MemberExport};
use campdesk::sources::files::{ImportKind, ImportOptions, import_bytes};
use campdesk::store::Store;
use jiff::Timestamp;

const TXN: &str = "4200000001202510200000000001";

fn config() -> Config {
    let toml = r#"
[templates.t]
days = 10
required = 7
deposit = "39.00"

[[camps]]
id = "c1"
name = "c1"
template = "t"
start = "2025-10-25"
checkin_id = "2424424541"
payee = "owner"

[[camps]]
id = "c2"
name = "c2"
template = "t"
start = "2025-10-25"
checkin_id = "2424424542"
payee = "owner"
"#;
    parse_str(toml, Path::new("camps.toml")).expect("camps.toml parses")
}

fn import(store: &Store, config: &Config, kind: ImportKind, camp: &str, csv: &str) {
    let now: Timestamp = "2025-10-26T00:00:00Z".parse().unwrap();
    let options = ImportOptions { kind, path: Path::new("in.csv"), camp, actor: "owner", dry_run: false, now };
    import_bytes(store, config, "in.csv", csv.as_bytes(), &options).expect("import");
}

/// Camp c1: one payment by 林间小路, check-ins by others. The planet's member export,
/// imported for c1: 奔跑的蜗牛 under the WeChat name 林间小路, who joined an hour after
/// the payment and has not checked in yet, and twenty members with other names.
fn seeded() -> (Store, Config) {
    let store = Store::in_memory().unwrap();
    let config = config();
    let bills = format!("交易单号,付款人,备注,金额,支付时间,收款人\n{TXN},林间小路,,39.00,2025-10-20 12:00:00,owner\n");
    import(&store, &config, ImportKind::Payments, "c1", &bills);
    let mut checkins = String::from("user_id,name,topic_id,create_time,text\n");
    for i in 0..5 {
        checkins.push_str(&format!("80{i},打卡人{i},90000{i},2025-10-25 20:00:00,第一天\n"));
    }
    import(&store, &config, ImportKind::Checkins, "c1", &checkins);
    let source = SourceRef { raw_id: "sync".into(), position: None };
    let seen: Timestamp = "2025-10-25T00:00:00Z".parse().unwrap();
    let joined: Timestamp = "2025-10-20T05:00:00Z".parse().unwrap();
    let mut sightings = Vec::new();
    let mut rows = Vec::new();
    for i in 0..21u64 {
        let (id, name, wechat) = match i {
            0 => ("261".to_string(), "奔跑的蜗牛".to_string(), "林间小路".to_string()),
            _ => (format!("70{i}"), format!("成员{i}号"), format!("微信{i}号")),
        };
        let mut s = PlanetUserSighting::named(PlanetUserId::new(id), name.clone(), None, seen, source.clone());
        s.number = Some((i + 1).to_string());
        s.joined_planet_at = Some(joined);
        sightings.push(s);
        rows.push(ExportRow {
            number: i + 1,
            name,
            wechat_name: Some(wechat),
            alias: String::new(),
            remark_name: String::new(),
            knowledge_id: String::new(),
            role: "成员".into(),
            joined_at: joined,
            expires_at: None,
            exited: false,
        });
    }
    store.write_with(|tx| record_sightings(tx, &sightings)).unwrap();
    // The owner imports the planet's member export for the camp, as `campdesk import members` does.
    let xlsx = MemberExport { taken_at: seen, rows }.to_xlsx().unwrap();
    let options = ImportOptions {
        kind: ImportKind::Members,
        path: Path::new("export.xlsx"),
        camp: "c1",
        actor: "owner",
        dry_run: false,
        now: seen,
    };
    import_bytes(&store, &config, "export.xlsx", &xlsx, &options).expect("the export imports");
    (store, config)
}

#[test]
fn a_payment_of_another_camp_under_the_same_wechat_name_holds_a_link_to_a_member_who_has_not_checked_in() {
    let (store, config) = seeded();
    let now: Timestamp = "2025-10-26T00:00:00Z".parse().unwrap();
    let c1 = &config.camps[0];
    let outcome = evaluate_camp(&store, &config, c1, now).expect("evaluates");
    let link = outcome.matching.links.iter().find(|l| l.transaction_id.as_str() == TXN).expect("the payment's link");
    assert_eq!(link.state, LinkState::Auto, "{:#?}", link.reasons);
    assert_eq!(link.planet_user_id.as_ref().map(|u| u.as_str()), Some("261"));

    // Camp c2 gets a payment under the same WeChat name: the member may be that payer.
    let bills = "交易单号,付款人,备注,金额,支付时间,收款人\n4200000001202510210000000002,林间小路,,39.00,2025-10-21 09:00:00,owner\n";
    import(&store, &config, ImportKind::Payments, "c2", bills);
    let outcome = evaluate_camp(&store, &config, c1, now).expect("evaluates");
    let link = outcome.matching.links.iter().find(|l| l.transaction_id.as_str() == TXN).expect("the payment's link");
    assert_eq!(link.state, LinkState::Review, "{:#?}", link.reasons);
    assert_eq!(link.suggested_planet_user_id.as_ref().map(|u| u.as_str()), Some("261"));

    // Evaluating every camp reads the payments once for all of them, to the same effect.
    let all = evaluate_all(&store, &config, now);
    let (id, outcome) = &all[0];
    assert_eq!(id, "c1");
    let outcome = outcome.as_ref().expect("evaluates");
    let link = outcome.matching.links.iter().find(|l| l.transaction_id.as_str() == TXN).expect("the payment's link");
    assert_eq!(link.state, LinkState::Review, "{:#?}", link.reasons);
}

/// A payer c1 linked automatically pays for c2 from the same WeChat account (the bill's
/// external_userid), under a WeChat name changed since and without a remark: c2's evaluation reads c1's
/// stored link and links the payment to the same member; c1's own link stays its own.
#[test]
fn a_payer_who_pays_for_another_camp_is_known_by_the_account_an_earlier_link_stored() {
    let store = Store::in_memory().unwrap();
    let config = config();
    let c1_txn = "4200000001202510200000000011";
    let c2_txn = "4200000001202510210000000012";
    let bills = format!(
        "交易单号,付款人,付款人ID,备注,金额,支付时间,收款人\n{c1_txn},奔跑的蜗牛,wmPayerA,星球昵称：奔跑的蜗牛,39.00,2025-10-20 12:00:00,owner\n"
    );
    import(&store, &config, ImportKind::Payments, "c1", &bills);
    let bills = format!(
        "交易单号,付款人,付款人ID,备注,金额,支付时间,收款人\n{c2_txn},小林,wmPayerA,,39.00,2025-10-21 09:00:00,owner\n"
    );
    import(&store, &config, ImportKind::Payments, "c2", &bills);
    for camp in ["c1", "c2"] {
        let mut checkins = String::from("user_id,name,topic_id,create_time,text\n");
        checkins.push_str(&format!("261,奔跑的蜗牛,9{camp}0,2025-10-25 20:00:00,第一天\n"));
        for i in 0..5 {
            checkins.push_str(&format!("80{i},打卡人{i},9{camp}{i}1,2025-10-25 20:00:00,第一天\n"));
        }
        import(&store, &config, ImportKind::Checkins, camp, &checkins);
    }
    let now: Timestamp = "2025-10-26T00:00:00Z".parse().unwrap();
    let (c1, c2) = (&config.camps[0], &config.camps[1]);
    let linked = |outcome: &campdesk::evaluate::CampOutcome, txn: &str| {
        outcome.matching.links.iter().find(|l| l.transaction_id.as_str() == txn).expect("the payment's link").clone()
    };

    // Alone, c2 has nothing that names the member.
    let l = linked(&evaluate_camp(&store, &config, c2, now).expect("evaluates"), c2_txn);
    assert_ne!(l.state, LinkState::Auto, "{:#?}", l.reasons);

    let l = linked(&evaluate_camp(&store, &config, c1, now).expect("evaluates"), c1_txn);
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("261"));
    assert_eq!(l.earlier_link, None);

    let l = linked(&evaluate_camp(&store, &config, c2, now).expect("evaluates"), c2_txn);
    assert_eq!(l.state, LinkState::Auto, "{:#?}", l.reasons);
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str()), Some("261"));
    assert_eq!(l.earlier_link.as_ref().map(|t| t.as_str()), Some(c1_txn));

    // Every camp again: c1 does not lean on c2's link (which leans on c1's), and both hold.
    for (id, outcome) in evaluate_all(&store, &config, now) {
        let outcome = outcome.expect("evaluates");
        let txn = if id == "c1" { c1_txn } else { c2_txn };
        let l = linked(&outcome, txn);
        assert_eq!(l.state, LinkState::Auto, "{id}: {:#?}", l.reasons);
        assert_eq!(l.earlier_link.is_some(), id == "c2", "{id}");
    }
}
