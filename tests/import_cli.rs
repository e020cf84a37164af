//! `campdesk import` through the real binary: exit codes, messages, JSON, and a
//! second import of the same file that changes nothing.

use std::path::Path;
use std::process::{Command, Output};

fn campdesk(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(args)
        .arg("--data")
        .arg(data)
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("camps.toml"))
        .env("USER", "tester")
        .output()
        .expect("run campdesk")
}

const ORDERS: &str = "交易单号,付款人,备注,金额,支付时间,收款人\n\
    4200000001202510200000000001,王五,小明,39.00,2025-10-20 12:00:00,zhangsan\n\
    4200000001202510210000000002,赵六,小红,39.00,2025-10-21 08:30:00,zhangsan\n";

#[test]
fn import_payments_then_again_then_status() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, ORDERS).unwrap();
    let data = dir.path().join("data");
    let f = file.to_str().unwrap();

    let dry = campdesk(&data, &["import", "payments", f, "--camp", "2510-xhs", "--dry-run"]);
    assert_eq!(dry.status.code(), Some(0), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(
        String::from_utf8_lossy(&dry.stdout)
            .contains("dry run: orders.csv as payments for camp 2510-xhs: 2 rows would give 2 inserted")
    );

    let first = campdesk(&data, &["import", "payments", f, "--camp", "2510-xhs", "--json"]);
    assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["kind"], "payments");
    assert_eq!(v["camp"], "2510-xhs");
    assert_eq!(v["rows"], 2);
    assert_eq!(v["stats"]["inserted"], 2);
    assert_eq!(v["written"], true);
    let raw_id = v["raw_id"].as_str().unwrap().to_string();

    let second = campdesk(&data, &["import", "payments", f, "--camp", "2510-xhs"]);
    assert_eq!(second.status.code(), Some(0));
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        out.contains(&format!(
            "orders.csv was already imported as payments for camp 2510-xhs ({raw_id}); nothing changed"
        )),
        "{out}"
    );

    let audit = campdesk(&data, &["audit", "verify", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(v["entries"], 1, "one import, one audit entry");
}

#[test]
fn unknown_camp_and_bad_rows_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, ORDERS.replace("小红,39.00", "小红,39.001")).unwrap();
    let f = file.to_str().unwrap();

    let out = campdesk(&data, &["import", "payments", f, "--camp", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown camp `nope`"), "{err}");
    assert!(err.contains("2510-xhs, 2511-write"), "{err}");

    let out = campdesk(&data, &["import", "payments", f, "--camp", "2510-xhs"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("orders.csv row 3, column 金额: \"39.001\" has more than 2 decimals"), "{err}");

    let out = campdesk(
        &data,
        &["import", "members", dir.path().join("missing.xlsx").to_str().unwrap(), "--camp", "2510-xhs"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
