use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::domain::RefundState;
use crate::refund::{Proposal, RefundKind};
use crate::rules::testkit::{self, World, first_days, payment};

fn refund(camp: &Camp, p: &Payment, state: RefundState) -> Refund {
    let mut r = Refund::proposed(
        Proposal {
            camp: camp.id.clone(),
            transaction_id: p.transaction_id.clone(),
            kind: RefundKind::Deposit,
            amount: p.amount,
            paid_total: p.amount,
            executor: camp.refund_via,
            planet_user_id: None,
            payer_external_userid: None,
            payer_name: p.payer_name.clone(),
            paid_at: p.paid_at,
            basis: "达标".into(),
            explicit_only: false,
        },
        p.paid_at,
    );
    r.state = state;
    r
}

/// Five paying members (pass 8, borderline 6, fail 2, none, pass 7), one
/// unlinked payment and one duplicate payment of the first member.
fn world() -> World {
    let mut w = World::new("coaches = [\"lisi\"]\nvolunteers = [\"小王\"]");
    w.member("t1", "u1", &first_days(8));
    w.member("t2", "u2", &first_days(6));
    w.member("t3", "u3", &first_days(2));
    w.member("t4", "u4", &[]);
    w.member("t5", "u5", &first_days(7));
    w.payments.push(payment("t6", "39.00", "2025-10-20T13:00:00.000+0800", Some("ext-stranger")));
    w.payments.push(payment("t7", "39.00", "2025-10-21T13:00:00.000+0800", Some("ext-u1")));
    w
}

/// The world's camp with its evaluation, `refunds` and nothing reconciled yet.
fn data<'a>(
    w: &'a World,
    e: &'a crate::rules::CampEvaluation,
    names: &'a HashMap<String, String>,
    refunds: &'a [Refund],
) -> CampData<'a> {
    static NO_MATCHES: BTreeMap<(TransactionId, String), crate::domain::RefundId> = BTreeMap::new();
    CampData {
        camp: &w.camp,
        payments: &w.payments,
        evaluation: Some(e),
        refunds,
        links: &[],
        group_members: &w.members,
        planet_names: names,
        matches: &NO_MATCHES,
        findings: &[],
    }
}

fn names() -> HashMap<String, String> {
    (1..=5).map(|i| (format!("u{i}"), format!("星球u{i}"))).collect()
}

#[test]
fn members_are_counted_once_with_their_rates() {
    let w = world();
    let e = w.eval();
    let names = names();
    let refunds = vec![refund(&w.camp, &w.payments[0], RefundState::Succeeded)];
    let d = data(&w, &e, &names, &refunds);
    let c = camp_report(&d, testkit::day("2025-11-05"));
    let m = c.members;
    assert_eq!((m.paid, m.duplicate_payments), (6, 1), "t7 is t1's second payment");
    assert_eq!((m.passed, m.borderline, m.failed, m.unlinked), (2, 1, 2, 1));
    assert_eq!(m.joined_group, 5, "the unlinked payer never joined");
    assert_eq!(m.checked_in, 4, "u4 never posted");
    assert_eq!(m.participation.to_string(), "66.7% (4/6)");
    assert_eq!(m.completion.to_string(), "33.3% (2/6)");
    assert_eq!(c.stage, CampStage::Ended);

    // Day 1: u1, u2, u3, u5 posted; day 8: only u1; days 9–10: nobody.
    let curve: Vec<u32> = c.day_curve.iter().map(|p| p.checked_in).collect();
    assert_eq!(curve, vec![4, 4, 3, 3, 3, 3, 2, 1, 0, 0]);
    assert!(c.day_curve.iter().all(|p| p.members == 5 && !p.future));

    // Money: 7 × 39.00 collected; t1 refunded; t3 and t4 failed for good; the rest pending.
    assert_eq!(c.money.collected, Money::from_fen(7 * 3900));
    assert_eq!(c.money.refunded, Money::from_fen(3900));
    assert_eq!(c.money.forfeited, Money::from_fen(2 * 3900));
    assert_eq!(c.money.pending, Money::from_fen(4 * 3900));
    assert!(c.money.balanced);
    let row = c.rows.iter().find(|r| r.transaction_id.as_str() == "t1").unwrap();
    assert_eq!((row.name.as_str(), row.refunded), ("星球u1", Money::from_fen(3900)));
    let dup = c.rows.iter().find(|r| r.transaction_id.as_str() == "t7").unwrap();
    assert_eq!(dup.duplicate_of.as_ref().map(|t| t.as_str()), Some("t1"));
    assert_eq!(c.refunds.len(), 1);
    assert_eq!((c.refunds[0].state, c.refunds[0].count), (RefundState::Succeeded, 1));
}

#[test]
fn a_running_camp_marks_future_days() {
    let mut w = world();
    w.now = testkit::ts("2025-10-28T10:00:00.000+0800");
    let e = w.eval();
    let names = names();
    let d = data(&w, &e, &names, &[]);
    let c = camp_report(&d, testkit::day("2025-10-28"));
    assert_eq!(c.stage, CampStage::Running);
    let future: Vec<bool> = c.day_curve.iter().map(|p| p.future).collect();
    assert_eq!(future, [false, false, false, false, true, true, true, true, true, true]);
    assert_eq!(c.money.pending, c.money.collected, "nothing is decided while the camp runs");
    // Everyone short of the rule is failing so far; nobody has failed.
    let m = c.members;
    assert_eq!(m.failed, 0, "no final fail while the camp runs");
    assert!(m.open > 0, "{m:?}");
    assert_eq!(m.passed + m.borderline + m.failed + m.open + m.unlinked + m.not_evaluated, m.paid);
}

#[test]
fn totals_staff_and_the_curve_add_up_over_camps() {
    let w = world();
    let e = w.eval();
    let names = names();
    let mut other = w.camp.clone();
    other.id = CampId::new("2511-xhs");
    other.volunteers = vec!["小李".into()];
    let d1 = data(&w, &e, &names, &[]);
    let c1 = camp_report(&d1, testkit::day("2025-11-05"));
    let empty = CampData { camp: &other, payments: &[], evaluation: None, ..d1 };
    let c2 = camp_report(&empty, testkit::day("2025-11-05"));
    let r = report(vec![c1.clone(), c2], None, testkit::ts("2025-11-05T10:00:00.000+0800"), testkit::day("2025-11-05"));
    assert_eq!(r.totals.camps, 2);
    assert_eq!(r.totals.members.paid, 6);
    assert_eq!(r.totals.members.completion.to_string(), "33.3% (2/6)");
    assert_eq!(r.totals.money.collected, Money::from_fen(7 * 3900));
    assert!(r.balanced());
    let who: Vec<(&str, StaffRole, usize)> = r.staff.iter().map(|s| (s.name.as_str(), s.role, s.camps.len())).collect();
    assert_eq!(
        who,
        vec![("lisi", StaffRole::Coach, 2), ("小李", StaffRole::Volunteer, 1), ("小王", StaffRole::Volunteer, 1)]
    );
    assert_eq!(r.staff[0].members.paid, 6);
    assert_eq!(r.day_curve.len(), 10);
    assert_eq!(r.day_curve[0].checked_in, c1.day_curve[0].checked_in);
}

proptest! {
    #[test]
    fn rates_round_half_up_to_one_decimal(n in 0u32..100_000, d in 1u32..100_000) {
        let n = n.min(d);
        let exact = f64::from(n) * 100.0 / f64::from(d);
        let r = Rate::new(n, d);
        let shown = r.percent.unwrap();
        prop_assert!((shown - exact).abs() <= 0.05 + 1e-9, "{shown} vs {exact}");
        let tail = format!("({n}/{d})");
        prop_assert!(r.to_string().ends_with(&tail));
    }
}

#[test]
fn an_empty_denominator_has_no_percent() {
    let r = Rate::new(0, 0);
    assert_eq!(r.percent, None);
    assert_eq!(r.to_string(), "— (0/0)");
}
