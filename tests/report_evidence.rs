//! Evidence bundles from a synced generated community: the manifest verifies
//! (computed here, and with `sha256sum -c` when the host has it), the archived
//! pages are byte for byte what the platforms served, and the summary lists
//! every counted and every missing camp day.

mod report_support;

use std::collections::BTreeMap;
use std::path::Path;

use campdesk::records::raw;
use campdesk::report::evidence::{self, MANIFEST, SUMMARY};
use campdesk::rules::{Verdict, VerdictKind};
use campdesk::sim::truth::CampPhase;
use report_support::{Filled, filled};

fn manifest_of(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .unwrap()
        .lines()
        .map(|l| {
            let (hash, path) = l.split_once("  ").unwrap();
            (path.to_string(), hash.to_string())
        })
        .collect()
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn check_manifest(dir: &Path) {
    let listed = manifest_of(dir);
    let mut on_disk = files_under(dir);
    on_disk.retain(|f| f != MANIFEST);
    assert_eq!(listed.keys().cloned().collect::<Vec<_>>(), on_disk, "the manifest covers every file");
    for (path, hash) in &listed {
        assert_eq!(&raw::sha256_hex(&std::fs::read(dir.join(path)).unwrap()), hash, "{path}");
    }
    if let Ok(out) = std::process::Command::new("sha256sum").arg("-c").arg(MANIFEST).current_dir(dir).output() {
        assert!(out.status.success(), "sha256sum -c: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// A payment of the ended camp with counted and missing days, linked, in a group.
fn pick(f: &Filled) -> Verdict {
    let camp = f.truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap();
    let cid = f.config.camp(&camp.camp_id).unwrap().id.clone();
    let e = campdesk::verdicts::evaluation(&f.store.read().unwrap(), &cid).unwrap().unwrap();
    e.verdicts
        .into_iter()
        .filter(|v| v.planet_user_id.is_some() && v.duplicate_of.is_none() && v.verdict != VerdictKind::Unlinked)
        .filter(|v| !v.days.is_empty() && !v.missing_days.is_empty() && v.days.iter().all(|d| d.excerpt.is_some()))
        .max_by_key(|v| v.missing_days.len().min(3) * 100 + v.days.len())
        .expect("a member with counted and missing days")
}

#[test]
fn an_evidence_bundle_verifies_and_lists_every_day() {
    let f = filled(77, 240);
    let v = pick(&f);
    let txn = v.transaction_id.to_string();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("bundle");
    let data = evidence::gather(&f.store.read().unwrap(), &f.config, &txn).unwrap();
    let tz = campdesk::domain::time::shanghai();
    let written = evidence::write(&dir, &evidence::bundle(&data, &tz, f.now)).unwrap();
    assert_eq!(written.counted_days, v.days.len());
    assert_eq!(written.missing_days, v.missing_days.len());
    check_manifest(&dir);

    // Every counted day with its first words, every missing day as 未打卡.
    let summary = std::fs::read_to_string(dir.join(SUMMARY)).unwrap();
    for d in &v.days {
        let row = summary.lines().find(|l| l.starts_with(&format!("| {} |", d.day))).unwrap();
        assert!(row.contains("已打卡"), "{row}");
        assert!(row.contains(d.excerpt.as_deref().unwrap().trim()), "{row}");
    }
    for d in &v.missing_days {
        let row = summary.lines().find(|l| l.starts_with(&format!("| {d} |"))).unwrap();
        assert!(row.contains("| 未打卡 |"), "{row}");
    }
    assert_eq!(summary.matches("| 未打卡 |").count(), v.missing_days.len());
    assert!(summary.contains(&format!("打卡 {}/{} 天", v.checkin_days, v.required_days)));
    assert!(summary.contains(v.verdict.label()));

    // The pages are the archived bodies, verbatim, with their original hashes in the summary.
    assert!(!data.pages.is_empty());
    let about: Vec<&str> =
        data.pages.iter().flat_map(|p| p.fetches.iter().flat_map(|f| f.about.iter().copied())).collect();
    for label in ["付款", "群成员/付款人", "星球用户", "打卡帖子"] {
        assert!(about.contains(&label), "pages about {label}: {about:?}");
    }
    let pages = files_under(&dir.join("pages"));
    assert_eq!(pages.len(), data.pages.len());
    for page in &data.pages {
        for fetch in &page.fetches {
            let (_, body) = raw::read(&f.store.read().unwrap(), &fetch.entry.raw_id).unwrap().unwrap();
            assert_eq!(raw::sha256_hex(&body), fetch.entry.sha256);
            assert!(summary.contains(&fetch.entry.sha256), "the summary lists {}", fetch.entry.raw_id);
        }
        let first = &page.fetches[0].entry;
        let file = pages.iter().find(|p| p.contains(&first.raw_id)).unwrap();
        assert_eq!(raw::sha256_hex(&std::fs::read(dir.join("pages").join(file)).unwrap()), first.sha256);
    }
    let bill_page = data.pages.iter().find(|p| p.fetches.iter().any(|f| f.about.contains("付款"))).unwrap();
    let bill_text = String::from_utf8(bill_page.body.clone().unwrap()).unwrap();
    assert!(bill_text.contains(&txn), "the bill page shows the transaction");

    // A bundle never lands on top of other files.
    let again = evidence::write(&dir, &evidence::bundle(&data, &tz, f.now)).unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");

    // The command line writes the same bundle (the store is closed so it can open it).
    let (config_path, data_dir) = (f.config_path(), f.data_dir());
    let Filled { store, dir: keep, .. } = f;
    drop(store);
    let cli_dir = out.path().join("cli");
    let run = |txn: &str, dir: &Path| {
        std::process::Command::new(report_support::campdesk_bin())
            .args(["evidence", txn, "--out"])
            .arg(dir)
            .arg("--config")
            .arg(&config_path)
            .arg("--data")
            .arg(&data_dir)
            .output()
            .unwrap()
    };
    let ok = run(&txn, &cli_dir);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("sha256sum -c"));
    check_manifest(&cli_dir);
    let cli_pages = files_under(&cli_dir.join("pages"));
    assert_eq!(cli_pages, pages, "the same pages");
    let unknown = run("4200000000000000000000000000", &out.path().join("none"));
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("is not in the store"));
    drop(keep);
}
