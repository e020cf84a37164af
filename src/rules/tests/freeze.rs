//! Freezing: a snapshot keeps verdicts stable against later platform edits.

use std::collections::HashMap;

use crate::rules::freeze::{FreezeError, FrozenInputs};
use crate::rules::input::RulesError;
use crate::rules::testkit::*;
use crate::rules::verdict::VerdictKind;

fn hashes(w: &World) -> HashMap<String, String> {
    let mut h: HashMap<String, String> = HashMap::new();
    for t in &w.topics {
        h.insert(t.source.raw_id.clone(), format!("sha-{}", t.source.raw_id));
    }
    for r in &w.ranking {
        h.insert(r.source.raw_id.clone(), format!("sha-{}", r.source.raw_id));
    }
    if let Some(p) = &w.project {
        h.insert(p.source.raw_id.clone(), "sha-project".into());
    }
    h
}

fn freeze(w: &World) -> Result<FrozenInputs, FreezeError> {
    let h = hashes(w);
    FrozenInputs::capture(&w.camp, &w.rule, w.project.as_ref(), &w.topics, &w.ranking, w.now, |id| h.get(id).cloned())
}

fn world() -> World {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7)).member("tx2", "u2", &first_days(5));
    w.ranking = vec![ranking("u1", 1, 7), ranking("u2", 2, 5)];
    w.project = Some(project("完成7天打卡，押金39全退", 9, "2025-10-25", "2025-11-03", 0));
    w.topics.push(topic_in("999", "other", "u1", &at("10-26 21:00"), "另一个项目"));
    w
}

#[test]
fn later_platform_edits_do_not_change_a_frozen_verdict() {
    let mut w = world();
    let snapshot = freeze(&w).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(snapshot.topics.len(), 12, "only the project's posts are kept");
    assert_eq!(snapshot.sources.len(), 14);
    w.frozen = Some(snapshot.clone());
    let before = w.eval();
    assert!(before.verdicts.iter().all(|v| v.frozen));
    assert_eq!(before.frozen.as_ref().map(|f| f.digest.clone()), Some(snapshot.digest.clone()));

    // After the freeze a post of u1 is deleted and u2 back-dates two posts.
    w.topics.retain(|t| t.topic_id.as_str() != "u1-10-25");
    w.topics.extend(daily_posts("u2", &["10-30", "10-31"]));
    w.ranking[1].checkined_days = 7;
    let after = w.eval();
    assert_eq!(before.verdicts, after.verdicts);
    assert_eq!(after.verdicts[1].verdict, VerdictKind::Fail);

    // Unfrozen, the same edits do change the outcome.
    w.frozen = None;
    let live = w.eval();
    assert_eq!(live.verdicts[0].verdict, VerdictKind::Borderline);
    assert_eq!(live.verdicts[1].verdict, VerdictKind::Pass);
    assert!(live.verdicts.iter().all(|v| !v.frozen));
}

#[test]
fn overrides_still_apply_to_frozen_verdicts() {
    let mut w = world();
    w.frozen = Some(freeze(&w).unwrap_or_else(|e| panic!("{e}")));
    w.overrides.push(override_to(
        "tx2",
        crate::rules::OverrideDecision::Pass,
        "zhangsan",
        "2025-11-06T10:00:00.000+0800",
        "申诉成立",
    ));
    let v = w.verdict("tx2");
    assert!(v.frozen);
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert_eq!(v.computed, VerdictKind::Fail);
}

#[test]
fn freezing_before_the_camp_is_over_is_refused() {
    let mut w = world();
    w.now = ts("2025-11-03T23:00:00.000+0800");
    assert!(matches!(freeze(&w), Err(FreezeError::TooEarly { .. })));
    w.now = ts("2025-11-04T00:00:00.000+0800");
    assert!(freeze(&w).is_ok());
    // With make-up days the window stays open longer.
    w.camp.makeup_days = 2;
    assert!(matches!(freeze(&w), Err(FreezeError::TooEarly { .. })));
}

#[test]
fn every_record_needs_its_archive_hash() {
    let w = world();
    let err = FrozenInputs::capture(&w.camp, &w.rule, w.project.as_ref(), &w.topics, &w.ranking, w.now, |id| {
        (id != "raw-topics-u2-10-27").then(|| format!("sha-{id}"))
    });
    let message = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("topic u2-10-27") && message.contains("raw-topics-u2-10-27"), "{message}");
}

#[test]
fn the_digest_is_stable_and_the_archive_can_be_checked() {
    let w = world();
    let a = freeze(&w).unwrap_or_else(|e| panic!("{e}"));
    let mut shuffled = world();
    shuffled.topics.reverse();
    shuffled.ranking.reverse();
    let b = freeze(&shuffled).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.digest, b.digest);
    assert_eq!(a.digest.len(), 64);
    assert!(a.verify_digest());
    // Round trip through JSON (how the engine stores it) keeps the digest valid.
    let json = serde_json::to_string(&a).unwrap_or_default();
    let mut back: FrozenInputs = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert!(back.verify_digest());
    // An edited snapshot no longer verifies.
    back.ranking[0].checkined_days += 1;
    assert!(!back.verify_digest());

    let mut h = hashes(&w);
    assert!(a.check_archive(|id| h.get(id).cloned()).is_empty());
    h.insert("raw-ranking-0".into(), "tampered".into());
    h.remove("raw-project");
    let bad = a.check_archive(|id| h.get(id).cloned());
    let ids: Vec<_> = bad.iter().map(|m| (m.raw_id.as_str(), m.now.is_some())).collect();
    assert_eq!(ids, [("raw-project", false), ("raw-ranking-0", true)]);
}

#[test]
fn a_snapshot_of_another_camp_is_refused() {
    let mut w = world();
    let mut s = freeze(&w).unwrap_or_else(|e| panic!("{e}"));
    s.camp = "other".into();
    w.frozen = Some(s);
    assert!(matches!(crate::rules::evaluate_camp(&w.input()), Err(RulesError::FrozenForAnotherCamp { .. })));
}
