//! `campdesk bench ingest` runs end to end on a small size and reports every
//! record it was asked to ingest (the figures themselves are not asserted).

use std::process::Command;

#[test]
fn bench_ingest_stores_every_generated_record() {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args([
            "bench",
            "ingest",
            "--topics",
            "230",
            "--payments",
            "1100",
            "--members",
            "520",
            "--pages-per-tx",
            "3",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let phases = v["phases"].as_array().unwrap();
    let records: Vec<(String, u64, u64)> = phases
        .iter()
        .map(|p| {
            (p["name"].as_str().unwrap().to_string(), p["records"].as_u64().unwrap(), p["pages"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        records,
        vec![("check-in topics".into(), 230, 20), ("payments".into(), 1100, 2), ("group members".into(), 520, 2)]
    );
    // Camp 0: 23 topics, a tenth of the payments, and its share of the groups.
    assert_eq!(v["camp_records"]["topics"], 23);
    assert_eq!(v["camp_records"]["payments"], 110);
    assert_eq!(v["camp_records"]["members"], 500);
}
