//! The project's rule, window and settings against camps.toml.

use crate::rules::rule_text::{RuleWarning, Severity, check_rule};
use crate::rules::testkit::*;

fn codes(extra: &str, p: Option<crate::domain::CheckinProject>) -> Vec<RuleWarning> {
    let (camp, rule) = camp(extra);
    check_rule(&camp, p.as_ref(), &rule).1
}

fn has(ws: &[RuleWarning], code: &str, severity: Severity) -> bool {
    ws.iter().any(|w| w.code == code && w.severity == severity)
}

const RULE: &str = "2、退押金规则：\n完成7天打卡，押金39全退，未完成7天打卡的押金不退。";

#[test]
fn a_matching_project_only_explains() {
    let ws = codes("", Some(project(RULE, 9, "2025-10-25", "2025-11-03", 0)));
    assert!(ws.iter().all(|w| w.severity == Severity::Info), "{ws:?}");
    let plus_one = ws.iter().find(|w| w.code == "window_plus_one").map(|w| w.message.clone()).unwrap_or_default();
    assert!(plus_one.contains("checkin_days = 9") && plus_one.contains("10 个自然日"), "{plus_one}");
    assert!(has(&ws, "completion_differs", Severity::Info));
}

#[test]
fn mismatched_days_or_deposit_are_warnings() {
    let p = |text: &str| Some(project(text, 9, "2025-10-25", "2025-11-03", 0));
    let ws = codes("", p("完成8天打卡，押金39全退"));
    let m = ws.iter().find(|w| w.code == "required_mismatch").map(|w| w.message.clone()).unwrap_or_default();
    assert!(m.contains('8') && m.contains("required = 7"), "{m}");
    assert!(has(&codes("", p("完成7天打卡，押金49全退")), "deposit_mismatch", Severity::Warning));
    assert!(has(&codes("", p("本营14天10打，押金39")), "days_mismatch", Severity::Warning));
    assert!(has(&codes("", p("完成7天打卡，押金39全退；打卡满10天再送一本书")), "rule_ambiguous", Severity::Warning));
    assert!(has(&codes("", p("每天分享心得")), "rule_unparsed", Severity::Warning));
    assert!(has(&codes("", p("   ")), "rule_text_missing", Severity::Warning));
    assert!(has(&codes("", p("完成7天打卡全退")), "deposit_unstated", Severity::Info));
}

#[test]
fn a_project_window_unlike_the_camp_is_a_warning() {
    let ws = codes("", Some(project(RULE, 9, "2025-10-24", "2025-11-03", 0)));
    let m = ws.iter().find(|w| w.code == "window_mismatch").map(|w| w.message.clone()).unwrap_or_default();
    assert!(m.contains("2025-10-24") && m.contains("营期外的打卡不计入"), "{m}");
    let ws = codes("", Some(project(RULE, 9, "2025-10-26", "2025-11-03", 0)));
    assert!(ws.iter().any(|w| w.code == "window_mismatch" && w.message.contains("无法打卡")));
    let mut open = project(RULE, 9, "2025-10-25", "2025-11-03", 0);
    open.expires_at = None;
    assert!(has(&codes("", Some(open)), "project_open_ended", Severity::Info));
}

#[test]
fn minimum_length_and_project_identity() {
    let ws = codes("", Some(project(RULE, 9, "2025-10-25", "2025-11-03", 30)));
    assert!(ws.iter().any(|w| w.code == "min_words_from_project" && w.message.contains("30")));
    let ws = codes("min_words = 20", Some(project(RULE, 9, "2025-10-25", "2025-11-03", 30)));
    assert!(has(&ws, "min_words_differs", Severity::Info));
    let mut other = project(RULE, 9, "2025-10-25", "2025-11-03", 0);
    other.checkin_id = "555".into();
    assert!(has(&codes("", Some(other)), "project_mismatch", Severity::Warning));
    assert!(has(&codes("", None), "project_not_synced", Severity::Warning));
}

#[test]
fn the_evaluation_carries_the_parsed_rule_and_sync_warnings() {
    let mut w = World::new("");
    w.project = Some(project(RULE, 9, "2025-10-25", "2025-11-03", 0));
    w.member("tx1", "u1", &[]);
    let e = w.eval();
    assert_eq!(e.rule.as_ref().and_then(|r| r.required_days), Some(7));
    assert!(e.rule_warnings.iter().any(|r| r.code == "checkins_missing"));
    w.ranking.push(ranking("u1", 1, 3));
    let e = w.eval();
    assert!(e.rule_warnings.iter().any(|r| r.code == "topics_missing"));
    assert!(e.verdicts[0].needs_review, "a ranking row without posts is a mismatch");
}
