//! Verdicts: thresholds, borderline, unlinked, evidence, overrides, holds, and
//! the JSON shape `eligibility --json` relies on.

use crate::domain::Money;
use crate::rules::count::DayMark;
use crate::rules::input::OverrideDecision;
use crate::rules::testkit::*;
use crate::rules::verdict::{VerdictKind, classify};

#[test]
fn exactly_at_the_threshold_passes() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert_eq!((v.checkin_days, v.required_days), (7, 7));
    assert!(!v.needs_review);
    assert_eq!(v.missing_days.len(), 3);
    assert!(v.reasons[0].contains("打卡 7 天，达到要求"), "{:?}", v.reasons);
}

#[test]
fn one_below_is_borderline_and_goes_to_review() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(6));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Borderline);
    assert!(v.needs_review);
    assert!(v.reasons[0].contains("差 1 天"), "{:?}", v.reasons);
}

#[test]
fn below_the_margin_fails_and_a_zero_margin_has_no_borderline() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(5));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Fail);
    assert!(!v.needs_review);
    let mut w = World::new("borderline_margin = 0");
    w.member("tx1", "u1", &first_days(6));
    assert_eq!(w.verdict("tx1").verdict, VerdictKind::Fail);
    let mut w = World::new("borderline_margin = 2");
    w.member("tx1", "u1", &first_days(5));
    assert_eq!(w.verdict("tx1").verdict, VerdictKind::Borderline);
}

#[test]
fn classify_matches_its_definition() {
    for required in 1..12u32 {
        for margin in 0..4u32 {
            for counted in 0..14u32 {
                let expected = if counted >= required {
                    VerdictKind::Pass
                } else if counted + margin >= required {
                    VerdictKind::Borderline
                } else {
                    VerdictKind::Fail
                };
                assert_eq!(classify(counted, required, margin), expected, "{counted}/{required} ±{margin}");
            }
        }
    }
}

#[test]
fn a_payment_without_a_planet_account_is_unlinked() {
    let mut w = World::new("");
    let mut p = payment("tx9", "39.00", "2025-10-20T12:00:00.000+0800", None);
    p.remark = "星球昵称 小鱼".into();
    w.payments.push(p);
    let v = w.verdict("tx9");
    assert_eq!(v.verdict, VerdictKind::Unlinked);
    assert_eq!(v.planet_user_id, None);
    assert_eq!(v.checkin_days, 0);
    assert!(v.needs_review);
    assert!(v.reasons[0].contains("小鱼"), "{:?}", v.reasons);
}

#[test]
fn the_days_are_the_evidence() {
    let mut w = World::new("makeup_days = 1");
    w.member("tx1", "u1", &["10-25", "10-27"]);
    w.topics.push(topic("late", "u1", &at("10-27 22:00"), "补昨天的：读完第二章"));
    w.leaves.push(leave("u1", "2025-10-28", "家里有事"));
    let v = w.verdict("tx1");
    assert_eq!(v.checkin_days, 4);
    let first = &v.days[0];
    assert_eq!(first.day, day("2025-10-25"));
    assert_eq!(first.topic_id.as_ref().map(|t| t.as_str()), Some("u1-10-25"));
    assert_eq!(first.posted_at, Some(ts("2025-10-25T20:00:00.000+0800")));
    assert!(first.excerpt.as_deref().is_some_and(|e| e.starts_with("今天完成了第一章")));
    assert_eq!(v.days[1].mark, DayMark::Makeup { posted_on: day("2025-10-27") });
    assert!(matches!(v.days[3].mark, DayMark::Excused { .. }));
    assert!(v.reasons.iter().any(|r| r.contains("补卡") && r.contains("10-27 补 10-26")), "{:?}", v.reasons);
    assert!(v.reasons.iter().any(|r| r.contains("请假") && r.contains("家里有事")), "{:?}", v.reasons);
    assert_eq!(v.missing_days.first(), Some(&day("2025-10-29")));
}

#[test]
fn ranking_disagreement_goes_to_review_with_both_numbers() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.ranking.push(ranking("u1", 1, 8));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert!(v.needs_review);
    assert_eq!((v.topic_days, v.ranking_days), (7, Some(8)));
    assert!(v.reasons.iter().any(|r| r.contains("排行榜累计 8 天") && r.contains("7 天")), "{:?}", v.reasons);
    // Agreement: no review.
    w.ranking[0].checkined_days = 7;
    assert!(!w.verdict("tx1").needs_review);
}

#[test]
fn short_posts_hold_the_verdict_with_the_project_minimum_as_default() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.topics[0].text = "打卡".into();
    w.project = Some(project("完成7天打卡，押金39全退", 9, "2025-10-25", "2025-11-03", 10));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert!(v.needs_review);
    assert!(v.days[0].short);
    assert!(v.reasons.iter().any(|r| r.contains("不足 10 字") && r.contains("水卡")), "{:?}", v.reasons);
    // The camp's own setting wins over the project's.
    let mut w2 = World::new("min_words = 0");
    w2.member("tx1", "u1", &first_days(7));
    w2.topics[0].text = "打卡".into();
    w2.project = w.project.clone();
    assert!(!w2.verdict("tx1").needs_review);
}

#[test]
fn a_reviewer_override_wins_and_says_so() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(6));
    w.overrides.push(override_to(
        "tx1",
        OverrideDecision::Fail,
        "wangwu",
        "2025-11-04T10:00:00.000+0800",
        "先判不通过",
    ));
    w.overrides.push(override_to(
        "tx1",
        OverrideDecision::Pass,
        "zhangsan",
        "2025-11-05T09:00:00.000+0800",
        "住院证明已核实",
    ));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert_eq!(v.computed, VerdictKind::Borderline);
    assert!(!v.needs_review);
    assert_eq!(v.applied_override.as_ref().map(|o| o.by.as_str()), Some("zhangsan"));
    assert!(v.reasons[0].contains("zhangsan") && v.reasons[0].contains("住院证明已核实"), "{:?}", v.reasons);
    assert!(v.reasons[0].contains("边缘"), "{:?}", v.reasons);
}

#[test]
fn a_running_camp_gives_provisional_verdicts() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(3));
    w.now = ts("2025-10-27T21:00:00.000+0800");
    let v = w.verdict("tx1");
    assert!(v.provisional);
    assert_eq!(v.verdict, VerdictKind::Fail);
    // Missing days are only those already past.
    assert!(v.missing_days.is_empty());
    assert!(v.reasons.iter().any(|r| r.contains("暂定")));
    let mut w = World::new("makeup_days = 2");
    w.member("tx1", "u1", &first_days(7));
    w.now = ts("2025-11-05T10:00:00.000+0800");
    assert!(w.verdict("tx1").provisional, "the make-up window is still open");
}

#[test]
fn serialises_to_the_eligibility_contract() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.payments.push(payment("tx2", "39.00", "2025-10-21T12:00:00.000+0800", None));
    let e = w.eval();
    let json = serde_json::to_value(&e.verdicts).unwrap_or_default();
    let arr = json.as_array().cloned().unwrap_or_default();
    assert_eq!(arr.len(), 2);
    for el in &arr {
        for key in [
            "transaction_id",
            "planet_user_id",
            "checkin_days",
            "required_days",
            "verdict",
            "reasons",
            "anomalies",
            "frozen",
        ] {
            assert!(el.get(key).is_some(), "missing {key} in {el}");
        }
        assert!(el["transaction_id"].is_string());
        assert!(el["checkin_days"].is_u64());
        assert!(el["required_days"].is_u64());
        assert!(el["reasons"].is_array());
        assert!(el["anomalies"].is_array());
        assert!(el["frozen"].is_boolean());
    }
    assert_eq!(arr[0]["verdict"], "pass");
    assert_eq!(arr[0]["planet_user_id"], "u1");
    assert_eq!(arr[0]["checkin_days"], 7);
    assert_eq!(arr[0]["days"][0]["mark"], "posted");
    assert_eq!(arr[0]["days"][0]["day"], "2025-10-25");
    assert_eq!(arr[0]["days"][0]["posted_at"], "2025-10-25T20:00:00.000+0800");
    assert_eq!(arr[1]["verdict"], "unlinked");
    assert!(arr[1]["planet_user_id"].is_null());
    assert_eq!(arr[1]["amount"], Money::from_fen(3900).fen());
}

#[test]
fn a_payment_of_another_camp_is_refused_by_name() {
    let mut w = World::new("");
    let mut p = payment("tx1", "39.00", "2025-10-20T12:00:00.000+0800", None);
    p.camp = Some("other".into());
    w.payments.push(p);
    let err = crate::rules::evaluate_camp(&w.input()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("payment tx1") && err.contains("other"), "{err}");
    w.payments[0].camp = Some(CAMP.into());
    w.payments.push(w.payments[0].clone());
    let err = crate::rules::evaluate_camp(&w.input()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("listed twice"), "{err}");
}

#[test]
fn no_checkin_project_holds_every_linked_verdict() {
    let mut w = World::new("");
    w.camp.checkin_id = None;
    w.member("tx1", "u1", &first_days(7));
    let e = w.eval();
    assert_eq!(e.verdicts[0].checkin_days, 0);
    assert!(e.verdicts[0].needs_review);
    assert!(e.rule_warnings.iter().any(|r| r.code == "no_checkin_project"));
}

#[test]
fn posts_that_did_not_count_are_listed_with_why() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.topics.push(topic("early", "u1", &at("10-24 20:00"), "预热"));
    w.topics.push(topic("again", "u1", &at("10-25 22:00"), "同一天第二条"));
    let v = w.verdict("tx1");
    assert_eq!(v.checkin_days, 7);
    assert!(v.reasons.iter().any(|r| r == "未计入：1 条开营前的打卡、1 条同一天的重复打卡"), "{:?}", v.reasons);
    let ids: Vec<_> = v.ignored_posts.iter().map(|p| p.topic_id.to_string()).collect();
    assert_eq!(ids, ["early", "again"]);
}
