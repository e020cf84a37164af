//! The store through the real binary: audit verification catches tampering done
//! behind the API, and a second process gets a plain "in use" message.

use std::path::Path;
use std::process::Command;

use campdesk::store::{NewAuditEntry, OpenedBy, Store};
use redb::{ReadableDatabase, TableDefinition};

fn campdesk(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("camps.toml"))
        .output()
        .expect("run campdesk")
}

fn write_entries(dir: &Path, n: usize) {
    let store = Store::open(dir, OpenedBy::Test).unwrap();
    for i in 0..n {
        store
            .audit(NewAuditEntry::new(
                "owner",
                "refund.approve",
                format!("refund-{i}"),
                serde_json::json!({ "amount_fen": 3900, "reason": "passed 8/10" }),
            ))
            .unwrap();
    }
}

#[test]
fn audit_verify_passes_then_catches_a_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    write_entries(dir.path(), 4);

    let ok = campdesk(dir.path(), &["audit", "verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("4 entries, chain intact"));

    // Edit entry #2 behind the API: change the amount in its stored JSON.
    {
        let db = redb::Database::create(dir.path().join("campdesk.redb")).unwrap();
        let audit: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
        let original: Vec<u8> = {
            let r = db.begin_read().unwrap();
            let t = r.open_table(audit).unwrap();
            t.get(2).unwrap().unwrap().value().to_vec()
        };
        let tampered = String::from_utf8(original).unwrap().replace("3900", "390000");
        let w = db.begin_write().unwrap();
        {
            let mut t = w.open_table(audit).unwrap();
            t.insert(2, tampered.as_bytes()).unwrap();
        }
        w.commit().unwrap();
    }

    let bad = campdesk(dir.path(), &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("BROKEN at entry #2"), "{out}");
    assert!(out.contains("details were changed"), "{out}");

    let json = campdesk(dir.path(), &["audit", "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["broken"]["seq"], 2);
}

#[test]
fn a_second_process_is_told_who_holds_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Store::open(dir.path(), OpenedBy::Serve).unwrap();
    let out = campdesk(dir.path(), &["status", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("in use by a running `campdesk serve` (pid {})", std::process::id())), "{err}");
    assert!(!err.contains("Cannot acquire lock"), "redb's own wording leaked: {err}");
}

#[test]
fn status_json_reports_config_and_store_facts() {
    let dir = tempfile::tempdir().unwrap();
    write_entries(dir.path(), 2);
    let out = campdesk(dir.path(), &["status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["store"]["schema_version"], campdesk::store::SCHEMA_VERSION);
    assert_eq!(v["store"]["audit_entries"], 2);
    assert_eq!(v["config"]["camps"][0]["id"], "2510-xhs");
    assert_eq!(v["config"]["camps"][0]["rule"], "7/10");
}

#[test]
fn config_check_exits_1_with_positions_on_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("camps.toml");
    std::fs::write(
        &path,
        "[[camps]]\nid = \"a\"\nname = \"A\"\nstart = \"2025-10-25\"\ndays = 10\nrequired = 7\ndeposit = \"39.001\"\n",
    )
    .unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_campdesk")).args(["config", "check", "--config"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("camps.toml:7:11: camps[0] (a).deposit: `39.001` has more than 2 decimals"), "{err}");
}
