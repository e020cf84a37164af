//! `campdesk bench rules` through the real binary: a small run prints its
//! figures as JSON, and bad sizes are a user error. (Timing targets are read
//! from a release run of the benchmark, never asserted in tests.)

use std::process::Command;

fn campdesk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_campdesk")).args(args).output().expect("run campdesk")
}

#[test]
fn a_small_run_reports_inputs_verdicts_and_times() {
    let out = campdesk(&["bench", "rules", "--camps", "2", "--members", "40", "--days", "10", "--runs", "1", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(v["bench"], "rules");
    assert_eq!(v["camps"], 2);
    assert!(v["inputs"]["payments"].as_u64().is_some_and(|n| n >= 80));
    assert!(v["inputs"]["posts"].as_u64().is_some_and(|n| n > 0));
    for phase in ["mid_camp", "after_end"] {
        let s = &v[phase]["summary"];
        let judged = ["pass", "borderline", "fail", "unlinked"].iter().filter_map(|k| s[k].as_u64()).sum::<u64>();
        assert_eq!(Some(judged), s["payments"].as_u64(), "{phase}: every payment has one verdict");
        assert!(v[phase]["wall"]["median_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    }
    // Mid-camp nobody can have passed a 10-day rule requiring 8 days on day 6.
    assert_eq!(v["mid_camp"]["summary"]["pass"], 0);
    assert!(v["after_end"]["summary"]["pass"].as_u64().is_some_and(|n| n > 0));
}

#[test]
fn zero_sizes_are_refused() {
    let out = campdesk(&["bench", "rules", "--members", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--members"));
}
