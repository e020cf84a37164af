//! Retention on a synced generated community: the camp that ended is frozen,
//! settled and then, once `retention_months` have passed, purged. Afterwards no
//! name, remark or post text of its members (who are in no other camp) is left
//! anywhere in the bytes of the redb file, the money and the verdicts are what
//! they were, the audit chain verifies, and the other camps are untouched.

mod report_support;

use std::collections::BTreeSet;

use campdesk::domain::{DayCutoff, RefundState};
use campdesk::refund::queue::{self, CampPolicy, Outcome};
use campdesk::report::{evidence, gather};
use campdesk::retention::{self, Standing, plan};
use campdesk::rules::VerdictKind;
use campdesk::sim::truth::{CampPhase, GroundTruth, PersonTruth};
use report_support::{Filled, evaluate_all, fail_open_verdicts, filled};

/// Every name and remark of a person, as the platforms showed them.
fn strings_of(p: &PersonTruth) -> Vec<String> {
    let mut out = vec![p.wechat_name.clone(), p.planet_name.clone(), p.remark.clone()];
    out.extend(p.wechat_name_later.clone());
    out.extend(p.planet_name_later.clone());
    out.extend(p.planet_alias.clone());
    out.extend(p.group_nickname.clone());
    out
}

/// The camps a person has shown up in by `now` (paid, joined a group or
/// posted): what the store can know of them. A returning member whose next
/// camp has not started for them yet is, as far as the store knows, only in
/// the camp that ended.
fn observed_camps(truth: &GroundTruth, p: &PersonTruth, now: jiff::Timestamp) -> BTreeSet<String> {
    let today = campdesk::domain::DayRule::shanghai().today(now);
    p.camps
        .iter()
        .filter(|pc| {
            pc.payments.iter().filter_map(|t| truth.payment(t)).any(|t| t.paid_at <= now)
                || pc.joined_group_at.is_some_and(|j| j <= now)
                || pc.checkin_days.iter().any(|d| *d < today)
        })
        .map(|pc| pc.camp_id.clone())
        .collect()
}

/// Strings worth looking for (two CJK or four ASCII characters; `ok` or `A`
/// would be found in every page whoever they belong to).
fn searchable(s: &str) -> bool {
    retention::scrub::searchable(s)
}

/// The purged camp's personal strings (names, remarks, post texts of its
/// members who are in no other camp), leaving out strings that also occur in a
/// kept person's data or a kept camp's posts (those are someone else's too).
fn purged_strings(f: &Filled, truth: &GroundTruth, camp: &str) -> Vec<String> {
    let only_here = |p: &&PersonTruth| {
        let seen = observed_camps(truth, p, f.now);
        seen.contains(camp) && seen.len() == 1
    };
    let kept_people = |p: &&PersonTruth| {
        let seen = observed_camps(truth, p, f.now);
        seen.is_empty() || seen.iter().any(|c| c != camp)
    };
    let checkin = &truth.camp(camp).unwrap().checkin_id;
    let mut kept_blob = String::new();
    for p in truth.persons.iter().filter(kept_people) {
        for s in strings_of(p) {
            kept_blob.push_str(&s);
            kept_blob.push('\u{1}');
        }
    }
    for (_, _, text) in f.topic_texts.iter().filter(|(id, _, _)| !topic_of(f, id, checkin)) {
        kept_blob.push_str(text);
        kept_blob.push('\u{1}');
    }
    for c in &truth.camps {
        kept_blob.push_str(&c.name);
        kept_blob.push('\u{1}');
    }
    let mut out: BTreeSet<String> = BTreeSet::new();
    for p in truth.persons.iter().filter(only_here) {
        out.extend(strings_of(p).into_iter().flat_map(|s| fragments(&s)));
    }
    let user_ids: BTreeSet<String> =
        truth.persons.iter().filter(only_here).filter_map(|p| p.planet_user_id.clone()).collect();
    for (id, user, text) in &f.topic_texts {
        if topic_of(f, id, checkin) && user_ids.contains(user) {
            out.extend(fragments(text));
        }
    }
    out.into_iter().filter(|s| searchable(s) && !kept_blob.contains(s.as_str())).collect()
}

/// The pieces of `s` between characters the store escapes (quotes, backslashes,
/// line breaks), so a string is found however many times it was JSON-encoded.
/// Pieces without a letter are left out: a remark like `51009` cannot be told
/// apart from the same digits inside an id, an amount or a fetch time in
/// milliseconds, which stay.
fn fragments(s: &str) -> Vec<String> {
    s.split(|c: char| c == '"' || c == '\\' || c.is_control())
        .map(str::trim)
        .filter(|f| searchable(f) && f.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

fn topic_of(f: &Filled, topic_id: &str, checkin: &str) -> bool {
    let read = f.store.read().unwrap();
    campdesk::records::checkins::topic(&read, topic_id).unwrap().is_some_and(|t| t.checkin_id.as_str() == checkin)
}

/// Which of `needles` occur in `bytes` (one pass).
fn found<'a>(bytes: &[u8], needles: &'a [String]) -> Vec<&'a String> {
    let ac = aho_corasick::AhoCorasick::new(needles).unwrap();
    let hits: BTreeSet<usize> = ac.find_overlapping_iter(bytes).map(|m| m.pattern().as_usize()).collect();
    hits.into_iter().map(|i| &needles[i]).collect()
}

/// Freezes and settles the ended camp: every verdict decided, every refund paid or rejected.
fn settle(f: &Filled, camp: &str) {
    let cfg = &f.config;
    let c = cfg.camp(camp).unwrap();
    campdesk::evaluate::freeze::freeze_camp(&f.store, cfg, c, "owner", f.now).unwrap();
    evaluate_all(&f.store, cfg, f.now);
    let e = campdesk::verdicts::evaluation(&f.store.read().unwrap(), &c.id).unwrap().unwrap();
    assert!(e.frozen.is_some());
    fail_open_verdicts(f, &c.id);
    let refunds = queue::list_camp(&f.store.read().unwrap(), &c.id).unwrap();
    let live: Vec<_> = refunds
        .iter()
        .filter(|r| r.state == RefundState::Proposed && r.stale.is_none())
        .map(|r| r.id.clone())
        .collect();
    let policy = |id: &campdesk::domain::CampId| cfg.camp(id.as_str()).map(CampPolicy::of);
    f.store
        .write_with(|tx| {
            queue::reject(tx, &live[..1], "owner", "学员自愿放弃退款", f.now)?;
            queue::approve(tx, &live[1..], "owner", Some("已核对"), &policy, true, f.now)?;
            for id in &live[1..] {
                queue::mark_submitted(tx, id, "campdesk", f.now)?;
                let ok = Outcome::Succeeded { platform_refund_id: None, note: "SUCCESS".into() };
                queue::record_outcome(tx, id, ok, "campdesk", f.now)?;
            }
            Ok::<_, queue::QueueError>(())
        })
        .unwrap();
    let open = queue::list_camp(&f.store.read().unwrap(), &c.id).unwrap().into_iter().filter(plan::is_open).count();
    assert_eq!(open, 0);
}

#[test]
fn a_purge_leaves_no_personal_string_of_the_camp_and_keeps_money_and_the_chain() {
    let f = filled(4242, 300);
    let truth = f.truth.clone();
    let camp = truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap().camp_id.clone();
    let cfg = f.config.clone();
    let c = cfg.camp(&camp).unwrap().clone();
    let tz = campdesk::domain::time::shanghai();
    let due = plan::due_day(&c, cfg.retention_months);
    let noon = |d: campdesk::domain::Day| d.start_in(&tz, DayCutoff::MIDNIGHT) + jiff::SignedDuration::from_hours(12);

    // While refunds are still proposed, a due camp is held back, with the reason.
    let held = retention::run(&f.store, &cfg, noon(due), "owner", false).unwrap();
    assert!(held.purged.is_empty(), "{:?}", held.purged);
    let standing = &held.camps.iter().find(|r| r.camp.as_str() == camp).unwrap().standing;
    match standing {
        Standing::Blocked { reasons } => {
            assert!(reasons[0].contains("open refund(s)") && reasons[0].contains("proposed"), "{reasons:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(retention::purged(&f.store.read().unwrap(), &c.id).unwrap().is_none());

    settle(&f, &camp);
    let purged = purged_strings(&f, &truth, &camp);
    assert!(purged.len() > 50, "{} strings", purged.len());
    let db = f.data_dir().join(campdesk::store::DB_FILE);

    // Before: the strings are in the file (the scan can see them).
    let before = std::fs::read(&db).unwrap();
    // The names on the bills of people who paid for a kept camp: the store surely has them.
    let kept: Vec<String> = truth
        .payments
        .iter()
        .filter(|t| t.camp_id.as_deref().is_some_and(|c| c != camp) && t.paid_at <= f.now)
        .filter_map(|t| truth.person(t.person_id))
        .map(|p| p.wechat_name.clone())
        .filter(|s| searchable(s))
        .collect();
    let seen: BTreeSet<&String> = found(&before, &purged).into_iter().collect();
    let seen_before = seen.len();
    assert!(seen_before * 10 >= purged.len() * 9, "{seen_before} of {} found before the purge", purged.len());
    let txns = report_support::stored_payments(&f.store, &camp);
    let report_before = {
        let read = f.store.read().unwrap();
        gather::build(&read, &cfg, &[&c], None, f.now).unwrap()
    };
    let verdicts_before: Vec<(String, VerdictKind)> = campdesk::verdicts::evaluation(&f.store.read().unwrap(), &c.id)
        .unwrap()
        .unwrap()
        .verdicts
        .into_iter()
        .map(|v| (v.transaction_id.to_string(), v.verdict))
        .collect();

    // Not due yet the day before; due on its day; the camps still running are kept.
    let early = retention::run(&f.store, &cfg, noon(due.plus_days(-1)), "owner", true).unwrap();
    assert!(early.purged.is_empty(), "{early:?}");
    let dry = retention::run(&f.store, &cfg, noon(due), "owner", true).unwrap();
    assert_eq!(dry.purged.iter().map(|c| c.as_str()).collect::<Vec<_>>(), vec![camp.as_str()]);
    assert!(dry.counts.payments > 0 && dry.counts.pages_erased > 0, "{:?}", dry.counts);
    assert!(retention::purged(&f.store.read().unwrap(), &c.id).unwrap().is_none(), "a dry run writes nothing");

    // The purge, then compaction.
    let Filled { store, dir, config, .. } = f;
    let mut store = store;
    let report = retention::run(&store, &config, noon(due), "owner", false).unwrap();
    assert_eq!(report.purged.len(), 1);
    assert!(report.leftovers.is_empty(), "left over: {:?}", report.leftovers);
    assert_eq!(report.counts, dry.counts, "the dry run said exactly what the purge did");
    for r in &report.camps {
        match r.camp.as_str() == camp {
            true => assert!(matches!(r.standing, Standing::Purged { .. })),
            false => assert_eq!(r.standing, Standing::NotDue),
        }
    }
    store.rewrite_file().unwrap();

    // Money, verdicts and decisions stay; the camp is never evaluated again.
    let read = store.read().unwrap();
    let report_after = gather::build(&read, &config, &[&c], None, noon(due)).unwrap();
    assert_eq!(report_after.camps[0].money, report_before.camps[0].money);
    assert_eq!(report_after.camps[0].members, report_before.camps[0].members);
    assert_eq!(report_support::stored_payments(&store, &camp), txns);
    drop(read);
    let outcome = campdesk::evaluate::evaluate_camp(&store, &config, &c, noon(due)).unwrap();
    let after: Vec<(String, VerdictKind)> =
        outcome.evaluation.verdicts.iter().map(|v| (v.transaction_id.to_string(), v.verdict)).collect();
    assert_eq!(after, verdicts_before);
    let frozen = campdesk::verdicts::frozen(&store.read().unwrap(), &c.id).unwrap().unwrap();
    assert!(frozen.verify_digest(), "the frozen snapshot has its new digest");
    assert!(frozen.topics.iter().all(|t| t.text.is_empty()));
    assert_eq!(store.verify_audit().unwrap().broken, None);

    // An evidence bundle of a purged payment still verifies and shows pseudonyms.
    let out = tempfile::tempdir().unwrap();
    let data = evidence::gather(&store.read().unwrap(), &config, txns[0].as_str()).unwrap();
    let written = evidence::write(&out.path().join("b"), &evidence::bundle(&data, &tz, noon(due))).unwrap();
    let summary = std::fs::read_to_string(out.path().join("b/summary.md")).unwrap();
    assert!(summary.contains("成员-"), "pseudonyms in the summary");
    for s in &purged {
        assert!(!summary.contains(s.as_str()), "the bundle shows {s:?}");
    }
    assert!(written.files.iter().any(|f| f.path == evidence::MANIFEST));

    // After: not one of the strings in the file, while the kept camps' people are still there.
    drop(store);
    let after = std::fs::read(&db).unwrap();
    let left = found(&after, &purged);
    assert!(
        left.is_empty(),
        "{} of {} strings still in the file: {:?}",
        left.len(),
        purged.len(),
        &left[..left.len().min(10)]
    );
    let kept_before: BTreeSet<&String> = found(&before, &kept).into_iter().collect();
    let kept_after: BTreeSet<&String> = found(&after, &kept).into_iter().collect();
    let lost: Vec<&&String> = kept_before.difference(&kept_after).collect();
    assert!(lost.is_empty(), "names of people in kept camps went: {lost:?}");

    // The chain verifies from the command line.
    let verify = std::process::Command::new(report_support::campdesk_bin())
        .args(["audit", "verify", "--config"])
        .arg(&config.path)
        .arg("--data")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("redacted by retention"));
    let dry_cli = std::process::Command::new(report_support::campdesk_bin())
        .args(["purge", "--dry-run", "--json", "--config"])
        .arg(&config.path)
        .arg("--data")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(dry_cli.status.success(), "{}", String::from_utf8_lossy(&dry_cli.stderr));
    let r: retention::PurgeReport = serde_json::from_slice(&dry_cli.stdout).unwrap();
    assert!(r.dry_run);
    assert!(r.camps.iter().any(|x| x.camp.as_str() == camp && matches!(x.standing, Standing::Purged { .. })));
    let still = std::fs::read(&db).unwrap();
    let kept_still: BTreeSet<&String> = found(&still, &kept).into_iter().collect();
    assert!(kept_after.is_subset(&kept_still), "a dry run from the command line purges nothing");
}
