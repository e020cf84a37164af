//! Live progress: feasibility, the "not checked in today" list and the texts.

use proptest::prelude::*;

use crate::domain::{CheckinTopic, PlanetUserId};
use crate::rules::count::{CountRule, Counter, count_member};
use crate::rules::progress::{MemberStatus, Phase, feasibility, status_of};
use crate::rules::testkit::*;

#[test]
fn progress_while_the_camp_runs() {
    let mut w = World::new("");
    // Day 6 of 10 (10-30), evening.
    w.now = ts("2025-10-30T21:00:00.000+0800");
    w.member("ahead", "u1", &first_days(6));
    w.member("tight", "u2", &["10-25", "10-26"]);
    w.member("lost", "u3", &["10-25"]);
    w.member("done", "u4", &[]);
    w.topics.extend(daily_posts("u4", &["10-25", "10-26", "10-27", "10-28", "10-29"]));
    w.leaves.push(leave("u4", "2025-10-30", "出差"));
    w.leaves.push(leave("u4", "2025-10-31", "出差"));
    let e = w.eval();
    let p = &e.progress;
    assert_eq!(p.phase, Phase::Running);
    assert_eq!(p.day_number, Some(6));
    let by = |tx: &str| {
        p.members.iter().find(|m| m.transaction_id.as_str() == tx).cloned().unwrap_or_else(|| panic!("{tx}"))
    };

    let ahead = by("ahead");
    let f = ahead.feasibility.unwrap_or_else(|| panic!("linked"));
    assert_eq!((f.days_so_far, f.days_left, f.still_needed, f.done_today), (6, 4, 1, true));
    assert_eq!(ahead.status, MemberStatus::OnTrack);

    // 2 so far, today open + 4 more days = 5 left, needs 5: must not miss a day.
    let tight = by("tight");
    let f = tight.feasibility.unwrap_or_else(|| panic!("linked"));
    assert_eq!((f.days_so_far, f.days_left, f.still_needed), (2, 5, 5));
    assert_eq!(tight.status, MemberStatus::MustNotMiss);
    assert!(tight.text.contains("每天都要打卡") && tight.text.contains("今天还没有打卡"), "{}", tight.text);

    let lost = by("lost");
    assert_eq!(lost.status, MemberStatus::CannotPass);
    assert!(!lost.feasibility.is_some_and(|f| f.possible));
    assert!(lost.text.contains("已无法达到"), "{}", lost.text);
    for urge in ["抓紧", "还需", "记得", "每天都要"] {
        assert!(!lost.text.contains(urge), "never urge someone who cannot pass: {}", lost.text);
    }

    // 5 posts + 2 excused days (one in the future) = 7: passed.
    let done = by("done");
    assert_eq!(done.status, MemberStatus::Passed);
    assert!(done.text.contains("已达到退押金要求"), "{}", done.text);

    // Not checked in today: u2 (must not miss) before u3 (cannot pass); u1 posted, u4 is excused today.
    let today: Vec<_> = p.not_checked_in_today.iter().map(|n| n.transaction_id.to_string()).collect();
    assert_eq!(today, ["tight", "lost"]);
}

#[test]
fn texts_before_the_start_after_the_end_and_for_unlinked_payments() {
    let mut w = World::new("");
    w.member("tx1", "u1", &[]);
    w.payments.push(payment("tx2", "39.00", "2025-10-20T12:00:00.000+0800", None));
    w.now = ts("2025-10-22T10:00:00.000+0800");
    let e = w.eval();
    assert_eq!(e.progress.phase, Phase::NotStarted);
    assert!(e.progress.not_checked_in_today.is_empty());
    let m = &e.progress.members[0];
    assert!(m.text.contains("10月25日 开营") && m.text.contains("39.00"), "{}", m.text);
    assert_eq!(m.feasibility.map(|f| f.days_left), Some(10));
    let u = &e.progress.members[1];
    assert_eq!(u.status, MemberStatus::Unlinked);
    assert!(u.text.contains("星球昵称"), "{}", u.text);
    // The text carries the payment's own bind code, in a form the matcher reads back
    // from a check-in that quotes it.
    let code = crate::matching::bind::bind_code(&crate::domain::TransactionId::new("tx2"));
    assert!(u.text.contains(&format!("绑定 {code}")), "{}", u.text);
    assert_eq!(crate::matching::bind::extract_bind_codes(&u.text), vec![code]);

    w.now = ts("2025-11-10T10:00:00.000+0800");
    let e = w.eval();
    assert_eq!(e.progress.phase, Phase::Ended);
    assert!(e.progress.members[0].text.contains("未达到"), "{}", e.progress.members[0].text);
}

#[test]
fn the_makeup_window_keeps_missed_days_reachable() {
    let mut w = World::new("makeup_days = 2");
    w.member("tx1", "u1", &first_days(6));
    w.now = ts("2025-11-04T10:00:00.000+0800");
    let e = w.eval();
    assert_eq!(e.progress.phase, Phase::MakeupWindow);
    let f = e.progress.members[0].feasibility.unwrap_or_else(|| panic!("linked"));
    // 11-02 and 11-03 can still be made up on 11-04; 10-31 and 11-01 cannot.
    assert_eq!((f.days_so_far, f.days_left, f.possible), (6, 2, true));
    assert!(e.progress.members[0].text.contains("补卡"), "{}", e.progress.members[0].text);
}

const U: &str = "u1";

proptest! {
    /// `possible` is exactly `days so far + days left >= required`, and it is
    /// honest: posting on every remaining opportunity reaches exactly that many days.
    #[test]
    fn possible_iff_reachable(
        posted in proptest::collection::btree_set(0i32..10, 0..10),
        today_offset in -2i32..14,
        required in 1u32..11,
        makeup in 0u32..3,
        leave_day in proptest::option::of(0i32..10),
    ) {
        let (camp, rule) = camp(&format!("makeup_days = {makeup}"));
        let count_rule = CountRule { start: camp.start, end: camp.end, makeup_days: makeup, min_words: None };
        let counter = Counter::new(count_rule.clone(), &camp.day_rule(&rule));
        let today = camp.start.plus_days(today_offset);
        // Posts only on days before today (the past), 12:00 local.
        let mut topics: Vec<CheckinTopic> = posted
            .iter()
            .filter(|d| camp.start.plus_days(**d) < today)
            .map(|d| {
                let md = camp.start.plus_days(*d).to_string();
                topic(&format!("p{d}"), U, &format!("{md}T12:00:00.000+0800"), "打卡")
            })
            .collect();
        let leaves: Vec<_> = leave_day.iter().map(|d| leave(U, &camp.start.plus_days(*d).to_string(), "事假")).collect();
        let uid = PlanetUserId::new(U);
        let refs: Vec<&CheckinTopic> = topics.iter().collect();
        let lrefs: Vec<_> = leaves.iter().collect();
        let now_count = count_member(&counter, &uid, &refs, &lrefs, None, false);
        let f = feasibility(&now_count, &count_rule, required, today);
        prop_assert_eq!(f.possible, f.days_so_far + f.days_left >= required);
        prop_assert_eq!(f.still_needed, required.saturating_sub(f.days_so_far));
        prop_assert_eq!(status_of(&f) == MemberStatus::CannotPass, !f.possible && f.still_needed > 0);

        // Post on every remaining day (once on each day from today to the end)
        // and, on the first remaining day, once more per missed day in reach.
        let last = count_rule.last_makeup_day();
        let first_open = if today < camp.start { camp.start } else { today };
        let mut i = 0;
        let mut d = first_open;
        while d <= last {
            let extra = if d == first_open { 1 + f.days_left as usize } else { 1 };
            for _ in 0..extra {
                topics.push(topic(&format!("f{i}"), U, &format!("{d}T13:00:00.000+0800"), "打卡"));
                i += 1;
            }
            d = d.plus_days(1);
        }
        let refs: Vec<&CheckinTopic> = topics.iter().collect();
        let best = count_member(&counter, &uid, &refs, &lrefs, None, false);
        prop_assert_eq!(best.counted(), f.days_so_far + f.days_left);
    }
}
