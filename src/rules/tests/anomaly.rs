//! Every anomaly kind, its proposal, its stable id and its effect on verdicts.

use crate::domain::{Money, TransactionId};
use crate::rules::anomaly::{Anomaly, AnomalyKind, Proposal, anomaly_id};
use crate::rules::testkit::*;
use crate::rules::verdict::VerdictKind;

fn of_kind(w: &World, kind: AnomalyKind) -> Vec<Anomaly> {
    w.eval().anomalies.into_iter().filter(|a| a.kind == kind).collect()
}

#[test]
fn a_clean_camp_has_no_anomalies() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(8)).member("tx2", "u2", &first_days(3));
    assert_eq!(w.eval().anomalies, vec![]);
}

#[test]
fn a_second_payment_by_the_same_person_is_a_duplicate_and_the_later_is_proposed_for_refund() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.payments.push(payment("tx1b", "39.00", "2025-10-21T08:00:00.000+0800", Some("ext-u1")));
    let dups = of_kind(&w, AnomalyKind::DuplicatePayment);
    assert_eq!(dups.len(), 1);
    let d = &dups[0];
    assert_eq!(d.id, format!("duplicate_payment:{CAMP}:tx1b"));
    assert_eq!(d.transaction_id.as_ref().map(|t| t.as_str()), Some("tx1b"));
    assert_eq!(d.related_transaction_id.as_ref().map(|t| t.as_str()), Some("tx1"));
    assert_eq!(
        d.proposal,
        Proposal::Refund { transaction_id: TransactionId::new("tx1b"), amount: Money::from_fen(3900) }
    );
    let v = w.verdict("tx1b");
    assert!(v.needs_review);
    assert_eq!(v.duplicate_of.as_ref().map(|t| t.as_str()), Some("tx1"));
    assert!(!w.verdict("tx1").needs_review, "the first payment is unaffected");
    // The same planet account through two different WeCom payers is a duplicate too.
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.payments.push(payment("tx0", "39.00", "2025-10-19T08:00:00.000+0800", Some("ext-other")));
    w.links.push(link("tx0", "u1"));
    w.members.push(member("ext-other", "小号", "2025-10-19T09:00:00.000+0800", None));
    let dups = of_kind(&w, AnomalyKind::DuplicatePayment);
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].transaction_id.as_ref().map(|t| t.as_str()), Some("tx1"), "tx0 was first");
    // An extra payment already refunded on the bill is settled: no anomaly.
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    let mut extra = payment("tx1b", "39.00", "2025-10-21T08:00:00.000+0800", Some("ext-u1"));
    extra.refunded_total = extra.amount;
    w.payments.push(extra);
    assert!(of_kind(&w, AnomalyKind::DuplicatePayment).is_empty());
}

#[test]
fn a_wrong_amount_holds_the_verdict() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.payments[0].amount = Money::from_fen(4900);
    let a = of_kind(&w, AnomalyKind::WrongAmount);
    assert_eq!(a.len(), 1);
    assert!(a[0].message.contains("49.00") && a[0].message.contains("39.00"), "{}", a[0].message);
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert!(v.needs_review);
    assert_eq!(v.anomalies[0].id, anomaly_id(AnomalyKind::WrongAmount, &CAMP.into(), "tx1"));
}

#[test]
fn payments_outside_the_window_are_flagged() {
    let mut w = World::new("enroll_start = \"2025-10-15\"");
    w.member("early", "u1", &[]).member("ok", "u2", &[]).member("late", "u3", &[]);
    w.payments[0].paid_at = ts("2025-10-14T23:00:00.000+0800");
    w.payments[1].paid_at = ts("2025-10-15T00:10:00.000+0800");
    w.payments[2].paid_at = ts("2025-11-04T00:10:00.000+0800");
    let a = of_kind(&w, AnomalyKind::PaidOutsideWindow);
    let ids: Vec<_> = a.iter().filter_map(|a| a.transaction_id.as_ref().map(|t| t.to_string())).collect();
    assert_eq!(ids, ["early", "late"]);
    assert!(a[0].message.contains("2025-10-14") && a[0].message.contains("2025-10-15"));
    // The default enrolment start is 30 days before the camp.
    let mut w = World::new("");
    w.member("tx1", "u1", &[]);
    w.payments[0].paid_at = ts("2025-09-24T12:00:00.000+0800");
    assert_eq!(of_kind(&w, AnomalyKind::PaidOutsideWindow).len(), 1);
    w.payments[0].paid_at = ts("2025-09-25T12:00:00.000+0800");
    assert!(of_kind(&w, AnomalyKind::PaidOutsideWindow).is_empty());
}

#[test]
fn not_joined_reminds_after_the_grace_and_proposes_a_refund_after_the_limit() {
    let mut w = World::new("");
    w.member("in", "u1", &[]);
    w.payments.push(payment("tx2", "39.00", "2025-10-20T12:00:00.000+0800", Some("ext-never")));
    w.now = ts("2025-10-21T11:00:00.000+0800");
    assert!(of_kind(&w, AnomalyKind::NotJoined).is_empty(), "23 h: still within the 24 h grace");
    w.now = ts("2025-10-21T13:00:00.000+0800");
    let a = of_kind(&w, AnomalyKind::NotJoined);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].proposal, Proposal::Remind);
    assert!(a[0].message.contains("1 天 1 小时"), "{}", a[0].message);
    w.now = ts("2025-10-23T13:00:00.000+0800");
    assert!(of_kind(&w, AnomalyKind::NotJoined).is_empty());
    let a = of_kind(&w, AnomalyKind::NotJoinedRefund);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].id, format!("not_joined_refund:{CAMP}:tx2"));
    assert!(matches!(a[0].proposal, Proposal::Refund { .. }));
    // Joining any of the camp's groups clears it; another group does not.
    w.camp.group_chats.push("wrChatB".into());
    w.members.push(member_in("wrOther", "ext-never", "x", "2025-10-21T09:00:00.000+0800", None));
    assert_eq!(of_kind(&w, AnomalyKind::NotJoinedRefund).len(), 1);
    w.members.push(member_in("wrChatB", "ext-never", "x", "2025-10-21T09:00:00.000+0800", None));
    assert!(of_kind(&w, AnomalyKind::NotJoinedRefund).is_empty());
}

#[test]
fn groups_not_synced_or_not_configured_skip_the_membership_checks() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.members.clear();
    let e = w.eval();
    assert!(e.anomalies.is_empty());
    assert!(e.rule_warnings.iter().any(|r| r.code == "groups_not_synced"));
    w.camp.group_chats.clear();
    assert!(w.eval().rule_warnings.iter().any(|r| r.code == "no_group_chats"));
}

#[test]
fn leaving_the_group_during_the_camp_follows_the_policy() {
    let setup = |policy: &str| {
        let mut w = World::new(&format!("left_group = \"{policy}\""));
        w.member("tx1", "u1", &first_days(8));
        w.members[0].left_at = Some(ts("2025-10-30T10:00:00.000+0800"));
        w
    };
    let w = setup("review");
    let a = of_kind(&w, AnomalyKind::LeftGroup);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].proposal, Proposal::HoldVerdict);
    assert!(a[0].message.contains("2025-10-30"));
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert!(v.needs_review);

    let w = setup("forfeit");
    assert_eq!(of_kind(&w, AnomalyKind::LeftGroup)[0].proposal, Proposal::Forfeit);
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Fail);
    assert!(v.reasons.iter().any(|r| r.contains("forfeit")));

    let w = setup("ignore");
    assert!(of_kind(&w, AnomalyKind::LeftGroup).is_empty());
    let v = w.verdict("tx1");
    assert_eq!(v.verdict, VerdictKind::Pass);
    assert!(!v.needs_review);

    // Leaving after the last day is not leaving during the camp.
    let mut w = setup("forfeit");
    w.members[0].left_at = Some(ts("2025-11-04T10:00:00.000+0800"));
    assert!(of_kind(&w, AnomalyKind::LeftGroup).is_empty());
    // Still in another of the camp's groups: not left.
    let mut w = setup("review");
    w.camp.group_chats.push("wrChatB".into());
    w.members.push(member_in("wrChatB", "ext-u1", "x", "2025-10-20T12:00:00.000+0800", None));
    assert!(of_kind(&w, AnomalyKind::LeftGroup).is_empty());
}

#[test]
fn leaving_and_coming_back_is_noted_not_held() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(8));
    w.events.push(left_event("ext-u1", "2025-10-28T10:00:00.000+0800"));
    let v = w.verdict("tx1");
    assert!(!v.needs_review);
    assert!(v.reasons.iter().any(|r| r.contains("2025-10-28") && r.contains("回到了群里")), "{:?}", v.reasons);
}

#[test]
fn group_members_and_participants_who_never_paid_are_reported() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.members.push(member("ext-free", "蹭课的", "2025-10-22T12:00:00.000+0800", None));
    let mut staff = member("coach", "助教", "2025-10-22T12:00:00.000+0800", None);
    staff.kind = crate::domain::MemberKind::Staff;
    w.members.push(staff);
    w.topics.extend(daily_posts("u-free", &["10-25", "10-26"]));
    w.users.push(planet_user("u-free", "白嫖侠"));
    let g = of_kind(&w, AnomalyKind::UnpaidGroupMember);
    assert_eq!(g.len(), 1, "staff are not customers");
    assert_eq!(g[0].id, format!("unpaid_group_member:{CAMP}:ext-free"));
    assert_eq!(g[0].proposal, Proposal::Inform);
    assert!(g[0].message.contains("蹭课的"));
    let p = of_kind(&w, AnomalyKind::UnpaidParticipant);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].id, format!("unpaid_participant:{CAMP}:u-free"));
    assert!(p[0].message.contains("白嫖侠") && p[0].message.contains("2 天"), "{}", p[0].message);
    // A ranking row alone is enough to be a participant.
    w.topics.retain(|t| t.user_id.as_str() != "u-free");
    w.ranking.push(ranking("u-free", 3, 4));
    assert!(of_kind(&w, AnomalyKind::UnpaidParticipant)[0].message.contains("4 天"));
}

#[test]
fn a_planet_user_who_left_the_planet_is_held() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7));
    w.users[0].left_planet_at = Some(ts("2025-11-01T10:00:00.000+0800"));
    let a = of_kind(&w, AnomalyKind::LeftPlanet);
    assert_eq!(a.len(), 1);
    assert!(a[0].message.contains("星球u1") && a[0].message.contains("2025-11-01"));
    assert!(w.verdict("tx1").needs_review);
}

#[test]
fn anomaly_ids_are_stable_across_runs_and_inputs_order() {
    let mut w = World::new("");
    w.member("tx1", "u1", &first_days(7)).member("tx2", "u2", &[]);
    w.payments[0].amount = Money::from_fen(100);
    w.members.push(member("ext-free", "x", "2025-10-22T12:00:00.000+0800", None));
    let a: Vec<String> = w.eval().anomalies.into_iter().map(|a| a.id).collect();
    w.payments.reverse();
    w.members.reverse();
    w.topics.reverse();
    let b: Vec<String> = w.eval().anomalies.into_iter().map(|a| a.id).collect();
    assert_eq!(a, b);
    assert_eq!(a, [format!("wrong_amount:{CAMP}:tx1"), format!("unpaid_group_member:{CAMP}:ext-free")]);
}
