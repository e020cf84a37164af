//! README's first command, without a terminal: `campdesk demo --headless` syncs a generated
//! community from the simulators, imports the member export, matches, judges, approves the
//! clear passes of the ended camp, pays them through the simulated WeChat Pay, and prints
//! ledgers that balance.

use std::process::Command;

#[test]
fn the_headless_demo_pays_the_clear_passes_and_every_ledger_balances() {
    let out = Command::new(env!("CARGO_BIN_EXE_campdesk"))
        .args(["demo", "--headless", "--members", "150", "--seed", "5"])
        .env_remove("CAMPDESK_CONFIG")
        .env_remove("CAMPDESK_DATA")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stderr.contains("imported the planet's member export"), "{stderr}");
    assert!(!stdout.contains("FAILED"), "{stdout}");

    let approved: u32 =
        stdout.lines().filter_map(|l| l.split("approved ").nth(1)?.split(' ').next()?.parse::<u32>().ok()).sum();
    let sent: u32 =
        stdout.lines().find_map(|l| l.trim().strip_prefix("sent ")?.split(' ').next()?.parse().ok()).unwrap();
    let confirmed: u32 =
        stdout.lines().find_map(|l| l.trim().strip_suffix(" confirmed SUCCESS by polling")?.parse().ok()).unwrap();
    assert!(approved > 0, "the ended camp has clear passes to approve:\n{stdout}");
    assert_eq!((sent, confirmed), (approved, approved), "every approved refund is paid exactly once:\n{stdout}");

    let ledgers: Vec<&str> = stdout.lines().filter(|l| l.contains(" = ¥")).collect();
    assert_eq!(ledgers.len(), 3, "one ledger per camp:\n{stdout}");
    assert!(ledgers.iter().all(|l| l.ends_with("balanced") && !l.contains("NOT")), "{stdout}");
}
