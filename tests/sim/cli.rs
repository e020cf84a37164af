//! `campdesk sim` as a process: prints its URLs and config, the config passes
//! `campdesk config check`, the control endpoint answers, SIGTERM stops it cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

#[tokio::test]
async fn campdesk_sim_runs_until_stopped_with_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_campdesk");
    let mut child = Command::new(exe)
        .args(["sim", "--json", "--seed", "3", "--members", "60", "--anchor", "2025-11-20", "--manual-clock", "--out"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let config = info["config"].as_str().unwrap().to_string();
    assert_eq!(config, dir.path().join("camps.toml").display().to_string());
    assert_eq!(info["camps"].as_array().unwrap().len(), 3);
    for p in ["zsxq", "wecom", "wxpay"] {
        assert!(info["urls"][p].as_str().unwrap().starts_with("http://127.0.0.1:"));
    }
    let check = Command::new(exe).args(["--config", &config, "config", "check"]).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    assert!(String::from_utf8_lossy(&check.stdout).contains("3 camp(s)"));
    let state: Value = super::support::client()
        .get(format!("{}/_sim/state", info["urls"]["zsxq"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(state["counts"]["topics"].as_u64().unwrap() > 0);

    let stopped = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn campdesk_sim_rejects_a_bad_fault_spec() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_campdesk")).args(["sim", "--faults", "zsxq/rank:1059"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--faults: fault rule 1"), "{err}");
}
