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

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn link_then_unlink_records_audited_decisions() {
    let dir = tempfile::tempdir().unwrap();
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
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["link.must", "link.cannot"]);
    assert!(store.verify_audit().unwrap().broken.is_none());
}

#[test]
fn malformed_ids_and_missing_deciders_exit_1_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["link", "42 00", "15555411412112", "--by", "owner"],
        vec!["link", "4200000001202510100000000001", "abc", "--by", "owner"],
        vec!["unlink", "4200000001202510100000000001", "15555411412112", "--by", "owner", "--person"],
    ] {
        let o = campdesk(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("not valid") || text(&o).contains("external_userid"), "{}", text(&o));
    }
    let store = Store::open(dir.path(), OpenedBy::Test).unwrap();
    assert!(links::decisions(&store.read().unwrap()).unwrap().is_empty());
}
