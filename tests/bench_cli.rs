//! `campdesk bench match` runs end to end on a small community and reports the
//! figures it promises (no timing is asserted).

use std::process::Command;

#[test]
fn bench_match_prints_quality_time_and_memory_as_json() {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args([
            "bench",
            "match",
            "--persons",
            "400",
            "--camp-size",
            "200",
            "--baseline-persons",
            "150",
            "--seeds",
            "1",
            "--seed-persons",
            "200",
            "--seed-camp-size",
            "100",
            "--json",
        ])
        .output()
        .expect("run campdesk");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = out["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4, "baseline, blocked on the same community, large community with and without the export");
    assert_eq!(runs[0]["exhaustive"], true);
    assert_eq!(runs[2]["member_export"], true);
    assert_eq!(runs[3]["member_export"], false);
    let seeds = out["seeds"].as_array().unwrap();
    assert_eq!(seeds.len(), 2, "one extra seed, with and without the export");
    for r in runs.iter().chain(seeds) {
        for field in ["precision", "precision_lower_bound", "recall", "review_share", "match_secs", "wall_secs"] {
            assert!(r[field].is_number(), "{field} in {r}");
        }
        assert_eq!(r["metrics"]["auto_wrong"], 0, "{r}");
    }
    // The baseline scores every pair; blocking scores far fewer.
    assert!(runs[0]["scored_pairs"].as_u64().unwrap() > 5 * runs[1]["scored_pairs"].as_u64().unwrap());
}

#[test]
fn bench_match_takes_the_share_of_long_standing_members_and_refuses_one_outside_0_to_1() {
    let bench = |share: &str| {
        Command::new(env!("CARGO_BIN_EXE_campdesk"))
            .args(["bench", "match", "--persons", "200", "--camp-size", "100", "--baseline-persons", "0"])
            .args(["--seeds", "0", "--export-only", "--existing-members", share, "--json"])
            .output()
            .expect("run campdesk")
    };
    let out = bench("0.05");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out["runs"][0]["existing_members"], 0.05);

    let out = bench("1.5");
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--existing-members"), "{out:?}");
}

#[test]
fn bench_match_dumps_each_review_payment_with_its_true_user_and_namesakes() {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(["bench", "match", "--persons", "600", "--camp-size", "300", "--baseline-persons", "0"])
        .args(["--seeds", "0", "--export-only", "--dump", "review"])
        .output()
        .expect("run campdesk");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let entries: Vec<&str> = text.split("\n---- ").skip(1).collect();
    assert!(entries.len() > 10, "review payments dumped: {}", entries.len());
    for e in &entries {
        // Review dumps show payments whose payer's account checks in on the camp.
        assert!(e.contains("\n  true ") && e.contains("participant true"), "{e}");
        assert_eq!(e.matches("\n  namesakes of ").count(), 1, "{e}");
    }
    // Generated same-name pairs reach the review queue with their namesake listed.
    assert!(entries.iter().any(|e| e.contains(": users [\"")), "no entry lists a namesake user");
}
