//! The whole evaluation: determinism, order independence, serialisation, summary.

use crate::domain::Money;
use crate::rules::testkit::*;
use crate::rules::verdict::VerdictKind;

fn mixed_camp() -> World {
    let mut w = World::new("");
    w.project = Some(project("完成7天打卡，押金39全退", 9, "2025-10-25", "2025-11-03", 0));
    w.member("tx-pass", "u1", &first_days(9))
        .member("tx-edge", "u2", &first_days(6))
        .member("tx-fail", "u3", &first_days(2))
        .member("tx-wrong", "u4", &first_days(7));
    w.payments[3].amount = Money::from_fen(3800);
    w.payments.push(payment("tx-nolink", "39.00", "2025-10-22T12:00:00.000+0800", Some("ext-stranger")));
    w.members.push(member("ext-stranger", "陌生人", "2025-10-22T13:00:00.000+0800", None));
    w.ranking = vec![ranking("u1", 1, 9), ranking("u4", 2, 7), ranking("u2", 3, 6), ranking("u3", 4, 2)];
    w
}

#[test]
fn the_same_input_gives_the_same_evaluation_in_any_order() {
    let mut w = mixed_camp();
    let a = w.eval();
    assert_eq!(a, w.eval());
    w.payments.reverse();
    w.links.reverse();
    w.topics.reverse();
    w.ranking.reverse();
    w.members.reverse();
    w.users.reverse();
    let b = w.eval();
    assert_eq!(a.verdicts, b.verdicts);
    assert_eq!(a.anomalies, b.anomalies);
    assert_eq!(a.progress, b.progress);
}

#[test]
fn the_summary_counts_what_the_verdicts_say() {
    let e = mixed_camp().eval();
    let kinds: Vec<(String, VerdictKind)> =
        e.verdicts.iter().map(|v| (v.transaction_id.to_string(), v.verdict)).collect();
    assert_eq!(
        kinds,
        // Payment order: time paid, then transaction id.
        [
            ("tx-edge".to_string(), VerdictKind::Borderline),
            ("tx-fail".to_string(), VerdictKind::Fail),
            ("tx-pass".to_string(), VerdictKind::Pass),
            ("tx-wrong".to_string(), VerdictKind::Pass),
            ("tx-nolink".to_string(), VerdictKind::Unlinked),
        ]
    );
    let s = e.summary;
    assert_eq!((s.payments, s.pass, s.borderline, s.fail, s.unlinked), (5, 2, 1, 1, 1));
    // Borderline, wrong amount and unlinked need a human; the clean pass and fail do not.
    assert_eq!(s.needs_review, 3);
    assert_eq!(s.anomalies, 1);
}

#[test]
fn the_whole_evaluation_serialises() {
    let mut w = mixed_camp();
    w.now = ts("2025-10-30T21:00:00.000+0800");
    let e = w.eval();
    let json = serde_json::to_value(&e).unwrap_or_else(|err| panic!("{err}"));
    for key in ["camp", "today", "rule", "rule_warnings", "verdicts", "anomalies", "progress", "summary"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["today"], "2025-10-30");
    assert_eq!(json["rule"]["required_days"], 7);
    assert_eq!(json["progress"]["phase"], "running");
    let first = &json["progress"]["members"][0];
    assert_eq!(first["transaction_id"], "tx-edge");
    assert_eq!(first["status"], "on_track");
    assert_eq!(first["days_so_far"], 6);
    assert!(first["days_so_far"].is_u64() && first["days_left"].is_u64() && first["possible"].is_boolean());
    assert!(json["progress"]["not_checked_in_today"].is_array());
    assert_eq!(json["anomalies"][0]["proposal"]["action"], "hold_verdict");
}
