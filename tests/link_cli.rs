//! `campdesk link` / `unlink` through the real binary: decisions are stored with
//! their audit entries, conflicting or malformed requests exit 1 and change nothing.

use std::path::Path;
use std::process::{Command, Output};

use campdesk::links;
use campdesk::matching::decisions::DecisionKind;
use campdesk::store::{OpenedBy, Store};

fn campdesk(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("camps.toml"))
        .env_remove("CAMPDESK_USER")
        .output()
        .expect("run campdesk")
}

/// A payment of camp 2510-xhs and two planet users who checked in, imported
/// through the real CLI.
fn seed(data: &Path) {
    let dir = data.join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let payments = dir.join("bills.csv");
    std::fs::write(
        &payments,
        "交易单号,付款人,备注,金额,支付时间,收款人\n4200000001202510100000000001,小鱼,星球昵称：小鱼,39.00,2025-10-20 12:00:00,zhangsan\n",
    )
    .unwrap();
    let checkins = dir.join("checkins.csv");
    std::fs::write(
        &checkins,
        "user_id,name,topic_id,create_time,text\n15555411412112,小鱼,900001,2025-10-25 20:00:00,第一天\n99999999,阿花,900002,2025-10-25 21:00:00,第一天\n",
    )
    .unwrap();
    for (kind, file) in [("payments", &payments), ("checkins", &checkins)] {
        let o = campdesk(data, &["import", kind, file.to_str().unwrap(), "--camp", "2510-xhs", "--by", "owner"]);
        assert_eq!(o.status.code(), Some(0), "import {kind}: {}", text(&o));
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn link_then_unlink_records_audited_decisions() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let txn = "4200000001202510100000000001";
    let ok = campdesk(dir.path(), &["link", txn, "15555411412112", "--note", "核对过付款截图", "--by", "owner"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("decision d000001"), "{}", text(&ok));

    let again = campdesk(dir.path(), &["link", txn, "15555411412112", "--by", "owner"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again).contains("nothing changed"), "{}", text(&again));

    let clash = campdesk(dir.path(), &["link", txn, "99999999", "--by", "coach"]);
    assert_eq!(clash.status.code(), Some(1), "{}", text(&clash));
    assert!(text(&clash).contains("already linked to planet user 15555411412112"), "{}", text(&clash));

    let un = campdesk(dir.path(), &["unlink", txn, "15555411412112", "--by", "owner", "--json"]);
    assert_eq!(un.status.code(), Some(0), "{}", text(&un));
    let v: serde_json::Value = serde_json::from_slice(&un.stdout).unwrap();
    assert_eq!(v["status"], "recorded");
    assert_eq!(v["superseded"][0], "d000001");

    let store = Store::open(dir.path(), OpenedBy::Test).unwrap();
    let read = store.read().unwrap();
    let all = links::decisions(&read).unwrap();
    assert_eq!(all.len(), 2);
    let active = links::active_decisions(&read).unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].kind, DecisionKind::Cannot);
    let audit = read.audit_entries(1, None).unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).filter(|a| a.starts_with("link.")).collect();
    // Each decision changes a money-relevant link, and the re-run records that change.
    assert_eq!(actions, vec!["link.must", "link.match", "link.cannot", "link.match"]);
    assert!(store.verify_audit().unwrap().broken.is_none());
}

#[test]
fn malformed_ids_and_missing_deciders_exit_1_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    for args in [
        vec!["link", "42 00", "15555411412112", "--by", "owner"],
        vec!["link", "4200000001202510100000000001", "abc", "--by", "owner"],
        vec!["unlink", "4200000001202510100000000001", "15555411412112", "--by", "owner", "--person"],
        vec!["link", "4200000009999999999999999999", "15555411412112", "--by", "owner"],
        vec!["link", "4200000001202510100000000001", "12345678", "--by", "owner"],
    ] {
        let o = campdesk(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        let t = text(&o);
        assert!(t.contains("not valid") || t.contains("external_userid") || t.contains("is not in the store"), "{t}");
    }
    let store = Store::open(dir.path(), OpenedBy::Test).unwrap();
    assert!(links::decisions(&store.read().unwrap()).unwrap().is_empty());
}

/// Bind by code end to end: an unlinked payment shows its code, the payer quotes it in
/// a check-in, and the next evaluation links the payment to the poster with the code
/// as its reason.
#[test]
fn a_bind_code_quoted_in_a_check_in_links_the_payment_to_its_poster() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let inbox = data.join("in");
    std::fs::create_dir_all(&inbox).unwrap();
    let txn = "4200000001202510100000000007";
    let code = campdesk::matching::bind::bind_code(&campdesk::domain::TransactionId::new(txn));
    let payments = inbox.join("bills.csv");
    std::fs::write(
        &payments,
        format!("交易单号,付款人,备注,金额,支付时间,收款人\n{txn},路人甲,,39.00,2025-10-20 12:00:00,zhangsan\n"),
    )
    .unwrap();
    let import = |kind: &str, file: &Path| {
        let o = campdesk(data, &["import", kind, file.to_str().unwrap(), "--camp", "2510-xhs", "--by", "owner"]);
        assert_eq!(o.status.code(), Some(0), "import {kind}: {}", text(&o));
    };
    import("payments", &payments);
    let day_one = inbox.join("day1.csv");
    std::fs::write(
        &day_one,
        "user_id,name,topic_id,create_time,text\n77777777,晨读的猫,900101,2025-10-25 20:00:00,第一天\n88888888,阿花,900102,2025-10-25 21:00:00,第一天\n",
    )
    .unwrap();
    import("checkins", &day_one);
    let link_of = || -> serde_json::Value {
        let o = campdesk(data, &["links", "--camp", "2510-xhs", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let all: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
        all.into_iter().find(|l| l["transaction_id"] == txn).expect("the payment is listed")
    };
    let before = link_of();
    assert!(before["planet_user_id"].is_null(), "{before:#}");
    assert_eq!(before["bind_code"], code.as_str(), "{before:#}");

    let day_two = inbox.join("day2.csv");
    std::fs::write(
        &day_two,
        format!(
            "user_id,name,topic_id,create_time,text\n77777777,晨读的猫,900103,2025-10-26 20:05:00,第二天 绑定 {code}\n"
        ),
    )
    .unwrap();
    import("checkins", &day_two);
    let after = link_of();
    assert_eq!(after["state"], "auto", "{after:#}");
    assert_eq!(after["planet_user_id"], "77777777", "{after:#}");
    let reasons = after["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r.as_str().is_some_and(|r| r.contains(&format!("绑定码 {code}")))), "{after:#}");
}
