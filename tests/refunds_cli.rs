//! `campdesk refunds …` through the real binary: list, approve all passed,
//! batch cap confirmation, reject with a reason, undo, and the audit trail.

use std::path::Path;
use std::process::Command;

use campdesk::domain::{CampId, Money, RefundVia, TransactionId};
use campdesk::refund::{Proposal, RefundKind, queue};
use campdesk::store::{OpenedBy, Store};

const CONFIG: &str = r#"
[[camps]]
id = "c1"
name = "测试营"
start = "2025-10-25"
end = "2025-11-03"
required = 7
deposit = "39.00"
batch_cap = "50.00"
"#;

fn proposal(txn: &str, explicit_only: bool) -> Proposal {
    Proposal {
        camp: CampId::new("c1"),
        transaction_id: TransactionId::new(txn),
        kind: RefundKind::Deposit,
        amount: Money::from_fen(3900),
        paid_total: Money::from_fen(3900),
        executor: RefundVia::WecomClient,
        planet_user_id: None,
        payer_external_userid: None,
        payer_name: Some(format!("会员{txn}")),
        paid_at: "2025-10-20T02:00:00Z".parse().unwrap(),
        basis: "打卡 8/10 天".into(),
        explicit_only,
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(args)
        .arg("--data")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(dir.join("camps.toml"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn review_a_camp_queue_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("camps.toml"), CONFIG).unwrap();
    {
        let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
        let mut tx = store.write().unwrap();
        let proposals = [proposal("t1", false), proposal("t2", false), proposal("t3", true)];
        queue::sync_proposals(&mut tx, &CampId::new("c1"), &proposals, jiff::Timestamp::now()).unwrap();
        tx.commit().unwrap();
    }

    let (code, out, _) = run(dir.path(), &["refunds", "list", "--camp", "c1", "--json"]);
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);

    // Two clear passes total ¥78 > cap ¥50: refused without --yes, nothing changes.
    let (code, _, err) = run(dir.path(), &["refunds", "approve", "--camp", "c1", "--all-passed", "--by", "owner"]);
    assert_eq!(code, 1);
    assert!(err.contains("exceeds the batch cap of ¥50.00"), "{err}");
    let (_, out, _) = run(dir.path(), &["refunds", "list", "--state", "approved", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out).unwrap().as_array().unwrap().len(), 0);

    let (code, out, err) =
        run(dir.path(), &["refunds", "approve", "--camp", "c1", "--all-passed", "--by", "owner", "--yes", "--json"]);
    assert_eq!(code, 0, "{err}");
    let approved: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = approved.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["c1:t1:deposit", "c1:t2:deposit"], "the explicit-only refund never rides along");

    let (code, _, err) = run(dir.path(), &["refunds", "reject", "c1:t3:deposit", "--reason", " "]);
    assert_eq!(code, 1);
    assert!(err.contains("a reason is required"), "{err}");
    let (code, out, _) =
        run(dir.path(), &["refunds", "reject", "c1:t3:deposit", "--reason", "只打卡 5 天", "--by", "owner"]);
    assert_eq!(code, 0);
    assert!(out.contains("rejected"));

    let (code, _, _) = run(dir.path(), &["refunds", "undo", "c1:t2:deposit", "--by", "owner"]);
    assert_eq!(code, 0);
    let (_, out, _) = run(dir.path(), &["refunds", "list", "--state", "proposed", "--json"]);
    let proposed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(proposed[0]["id"], "c1:t2:deposit");

    let (code, _, err) = run(dir.path(), &["refunds", "list", "--state", "paid"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown state `paid`"), "{err}");

    let (code, out, _) = run(dir.path(), &["audit", "verify"]);
    assert_eq!(code, 0);
    assert!(out.contains("chain intact"));
    let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
    let actions: Vec<String> =
        store.read().unwrap().audit_entries(1, None).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions.iter().filter(|a| *a == "refund.approve").count(), 2);
    assert!(actions.contains(&"refund.reject".to_string()) && actions.contains(&"refund.undo".to_string()));
}
