//! Counting: day boundaries, cutoff, offsets, window, duplicates, make-up,
//! leave, minimum length and the ranking cross-check.

use proptest::prelude::*;

use crate::domain::{CheckinId, CheckinTopic, Day, PlanetUserId, RankingEntry};
use crate::rules::count::{CountRule, Counter, DayMark, IgnoredWhy, MemberCount, count_camp, count_member};
use crate::rules::input::LeaveRecord;
use crate::rules::testkit::*;

const U: &str = "400000000001";

fn counter(extra: &str, min_words: Option<u32>) -> Counter {
    let (camp, rule) = camp(extra);
    let count_rule = CountRule {
        start: camp.start,
        end: camp.end,
        makeup_days: camp.makeup_days,
        min_words: camp.min_words.or(min_words),
    };
    Counter::new(count_rule, &camp.day_rule(&rule))
}

fn count_with(
    c: &Counter,
    posts: &[CheckinTopic],
    leaves: &[LeaveRecord],
    row: Option<RankingEntry>,
    listed: bool,
) -> MemberCount {
    let posts: Vec<&CheckinTopic> = posts.iter().collect();
    let leaves: Vec<&LeaveRecord> = leaves.iter().collect();
    count_member(c, &PlanetUserId::new(U), &posts, &leaves, row.as_ref(), listed)
}

fn count(extra: &str, posts: &[CheckinTopic]) -> MemberCount {
    count_with(&counter(extra, None), posts, &[], None, false)
}

fn days_of(c: &MemberCount) -> Vec<String> {
    c.days.iter().map(|d| d.day.to_string()).collect()
}

#[test]
fn one_second_before_and_after_midnight_are_different_days() {
    let c = count(
        "",
        &[
            topic("1", U, "2025-10-25T23:59:59.000+0800", "第一天"),
            topic("2", U, "2025-10-26T00:00:01.000+0800", "第二天"),
        ],
    );
    assert_eq!(days_of(&c), ["2025-10-25", "2025-10-26"]);
    assert_eq!(c.counted(), 2);
}

#[test]
fn the_cutoff_moves_early_posts_to_the_day_before() {
    let posts = [
        topic("1", U, "2025-10-26T01:30:00.000+0800", "深夜补上昨天的"),
        topic("2", U, "2025-10-26T04:00:00.000+0800", "今天的"),
    ];
    let c = count("day_cutoff = \"04:00\"", &posts);
    assert_eq!(days_of(&c), ["2025-10-25", "2025-10-26"]);
    // Without a cutoff both posts fall on the 26th: one day.
    let c = count("", &posts);
    assert_eq!(days_of(&c), ["2025-10-26"]);
}

#[test]
fn posts_stamped_in_another_offset_land_on_the_shanghai_day() {
    // 17:30 UTC on the 25th is 01:30 on the 26th in Shanghai.
    let c = count("", &[topic("1", U, "2025-10-25T17:30:00.000+0000", "时区不同")]);
    assert_eq!(days_of(&c), ["2025-10-26"]);
    // 15:59 UTC is still the 25th.
    let c = count("", &[topic("1", U, "2025-10-25T15:59:00.000+0000", "时区不同")]);
    assert_eq!(days_of(&c), ["2025-10-25"]);
    // The evidence keeps the instant; it is shown in +0800 like every zsxq time.
    assert_eq!(c.days[0].posted_at, Some(ts("2025-10-25T23:59:00.000+0800")));
    let json = serde_json::to_value(&c.days[0]).unwrap_or_default();
    assert_eq!(json["posted_at"], "2025-10-25T23:59:00.000+0800");
}

#[test]
fn only_days_inside_the_window_count() {
    let c = count(
        "",
        &[
            topic("0", U, &at("10-24 20:00"), "开营前一天"),
            topic("1", U, &at("10-25 00:00"), "第一天零点"),
            topic("2", U, &at("11-03 23:59"), "最后一天"),
            topic("3", U, &at("11-04 00:00"), "结束后"),
        ],
    );
    assert_eq!(days_of(&c), ["2025-10-25", "2025-11-03"]);
    let why: Vec<IgnoredWhy> = c.ignored.iter().map(|i| i.why).collect();
    assert_eq!(why, [IgnoredWhy::BeforeStart, IgnoredWhy::AfterEnd]);
    assert_eq!(c.uncounted.len(), 8);
}

#[test]
fn several_posts_on_one_day_count_once() {
    let mut posts = daily_posts(U, &["10-25", "10-26"]);
    posts.push(topic("extra", U, &at("10-25 22:00"), "又发了一条"));
    posts.push(posts[0].clone()); // the same topic listed twice
    let c = count("", &posts);
    assert_eq!(c.counted(), 2);
    assert_eq!(c.ignored.len(), 1);
    assert_eq!(c.ignored[0].why, IgnoredWhy::SameDay);
    // The day's own post is the first one.
    assert_eq!(c.days[0].topic_id.as_ref().map(|t| t.as_str()), Some(format!("{U}-10-25").as_str()));
}

#[test]
fn makeup_off_by_default_late_posts_do_not_fill_missed_days() {
    let posts = [
        topic("a", U, &at("10-25 20:00"), "第一天"),
        topic("b", U, &at("10-27 20:00"), "第三天"),
        topic("c", U, &at("10-27 21:00"), "补第二天"),
    ];
    let c = count("", &posts);
    assert_eq!(days_of(&c), ["2025-10-25", "2025-10-27"]);
    assert!(c.makeups().next().is_none());
}

#[test]
fn makeup_on_a_second_post_fills_one_missed_day() {
    let posts = [
        topic("a", U, &at("10-25 20:00"), "第一天"),
        topic("b", U, &at("10-27 20:00"), "第三天"),
        topic("c", U, &at("10-27 21:00"), "补第二天"),
    ];
    let c = count("makeup_days = 2", &posts);
    assert_eq!(days_of(&c), ["2025-10-25", "2025-10-26", "2025-10-27"]);
    let made_up: Vec<_> = c.makeups().collect();
    assert_eq!(made_up.len(), 1);
    assert_eq!(made_up[0].day, day("2025-10-26"));
    assert_eq!(made_up[0].mark, DayMark::Makeup { posted_on: day("2025-10-27") });
    assert_eq!(made_up[0].topic_id.as_ref().map(|t| t.as_str()), Some("c"));
}

#[test]
fn makeup_never_counts_one_post_twice() {
    // A single post on the 27th is that day's own post: it cannot also fill the 26th.
    let c =
        count("makeup_days = 2", &[topic("a", U, &at("10-25 20:00"), "一"), topic("b", U, &at("10-27 20:00"), "三")]);
    assert_eq!(c.counted(), 2);
    assert!(c.makeups().next().is_none());
    // Three extra posts on one day fill at most the missed days within reach.
    let posts: Vec<_> = (0..4).map(|i| topic(&format!("p{i}"), U, &at(&format!("10-28 2{i}:00")), "补")).collect();
    let c = count("makeup_days = 2", &posts);
    // 10-28 own post + make-ups for 10-26 and 10-27 (10-25 is 3 days back: out of reach).
    assert_eq!(days_of(&c), ["2025-10-26", "2025-10-27", "2025-10-28"]);
    let used: std::collections::HashSet<_> = c.days.iter().filter_map(|d| d.topic_id.clone()).collect();
    assert_eq!(used.len(), 3);
    assert_eq!(c.ignored.len(), 1);
}

#[test]
fn makeup_after_the_last_day_within_the_window() {
    let mut posts = daily_posts(U, &["10-25", "10-26", "10-27", "10-28", "10-29", "10-30", "10-31", "11-01", "11-02"]);
    posts.push(topic("late", U, &at("11-04 09:00"), "补最后一天"));
    let c = count("makeup_days = 1", &posts);
    assert_eq!(c.counted(), 10);
    assert_eq!(c.days[9].mark, DayMark::Makeup { posted_on: day("2025-11-04") });
    // Two days late is too late with makeup_days = 1.
    posts.pop();
    posts.push(topic("late", U, &at("11-05 09:00"), "太晚了"));
    let c = count("makeup_days = 1", &posts);
    assert_eq!(c.counted(), 9);
    assert_eq!(c.ignored[0].why, IgnoredWhy::AfterEnd);
}

#[test]
fn leave_days_are_excused_and_count() {
    let posts = daily_posts(U, &["10-25", "10-27"]);
    let leaves = [leave(U, "2025-10-26", "发烧住院"), leave(U, "2025-10-27", "出差"), leave(U, "2025-11-09", "营期外")];
    let c = count_with(&counter("", None), &posts, &leaves, None, false);
    assert_eq!(days_of(&c), ["2025-10-25", "2025-10-26", "2025-10-27"]);
    assert_eq!(c.excused().count(), 1);
    assert_eq!(c.days[1].mark, DayMark::Excused { reason: "发烧住院".into(), by: "lisi".into() });
    assert_eq!(c.unused_leaves.len(), 2);
    assert!(c.unused_leaves[0].posted_anyway);
    assert!(!c.unused_leaves[1].posted_anyway);
    // Without leave records the same posts give two days.
    assert_eq!(count_with(&counter("", None), &posts, &[], None, false).counted(), 2);
}

#[test]
fn short_posts_still_count_but_are_marked() {
    let posts = [
        topic("a", U, &at("10-25 20:00"), "打卡"),
        topic("b", U, &at("10-26 08:00"), "打卡"),
        topic("c", U, &at("10-26 21:00"), "今天认真读完了第二章，整理了三条笔记，明天继续"),
    ];
    let c = count_with(&counter("", Some(10)), &posts, &[], None, false);
    assert_eq!(c.counted(), 2);
    let short: Vec<_> = c.short_days().map(|d| d.day.to_string()).collect();
    assert_eq!(short, ["2025-10-25"]);
    // On the 26th the long post is the day's post, the short one is set aside.
    assert_eq!(c.days[1].topic_id.as_ref().map(|t| t.as_str()), Some("c"));
    assert_eq!(c.days[0].chars, Some(2));
    // No minimum: nothing is short and no length is computed.
    let c = count_with(&counter("", None), &posts, &[], None, false);
    assert_eq!(c.short_days().count(), 0);
    assert_eq!(c.days[0].chars, None);
    // A camp's explicit 0 switches the project's minimum off.
    let c = count_with(&counter("min_words = 0", Some(10)), &posts, &[], None, false);
    assert_eq!(c.short_days().count(), 0);
}

#[test]
fn ranking_disagreement_is_flagged_with_both_numbers() {
    let posts = daily_posts(U, &["10-25", "10-26"]);
    let c = counter("", None);
    let agree = count_with(&c, &posts, &[], Some(ranking(U, 1, 2)), true);
    assert!(!agree.ranking_mismatch);
    let more = count_with(&c, &posts, &[], Some(ranking(U, 1, 3)), true);
    assert!(more.ranking_mismatch);
    assert_eq!((more.ranking_days, more.platform_days), (Some(3), 2));
    let absent = count_with(&c, &posts, &[], None, true);
    assert!(absent.ranking_mismatch);
    let not_fetched = count_with(&c, &posts, &[], None, false);
    assert!(!not_fetched.ranking_mismatch);
}

#[test]
fn the_cross_check_counts_days_as_zsxq_does() {
    // With a 04:00 cutoff, 01:00 and 20:00 on the 26th are two camp days but one zsxq day.
    let posts = [topic("a", U, &at("10-26 01:00"), "凌晨"), topic("b", U, &at("10-26 20:00"), "晚上")];
    let c = count_with(&counter("day_cutoff = \"04:00\"", None), &posts, &[], Some(ranking(U, 1, 1)), true);
    assert_eq!(c.counted(), 2);
    assert_eq!(c.platform_days, 1);
    assert!(!c.ranking_mismatch);
}

#[test]
fn posts_of_another_project_do_not_count() {
    let c = counter("", None);
    let mut topics = daily_posts(U, &["10-25"]);
    topics.push(topic_in("999", "x", U, &at("10-26 20:00"), "别的项目"));
    let counts = count_camp(&c, Some(&CheckinId::new(CHECKIN)), &topics, &[], &[], []);
    assert_eq!(counts.members[&PlanetUserId::new(U)].counted(), 1);
    assert_eq!(counts.other_project_posts, 1);
    // With no project id nothing counts.
    let counts = count_camp(&c, None, &topics, &[], &[], []);
    assert!(counts.members.is_empty());
}

/// The largest number of missed days make-up posts can cover (augmenting paths).
fn best_makeup(missed: &[Day], spares: &[Day], n: i32) -> usize {
    fn augment(
        m: usize,
        missed: &[Day],
        spares: &[Day],
        n: i32,
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for (s, d) in spares.iter().enumerate() {
            if !seen[s] && *d > missed[m] && *d <= missed[m].plus_days(n) {
                seen[s] = true;
                if owner[s].is_none_or(|o| augment(o, missed, spares, n, seen, owner)) {
                    owner[s] = Some(m);
                    return true;
                }
            }
        }
        false
    }
    let mut owner = vec![None; spares.len()];
    (0..missed.len()).filter(|&m| augment(m, missed, spares, n, &mut vec![false; spares.len()], &mut owner)).count()
}

proptest! {
    #[test]
    fn counted_days_are_distinct_window_days_each_earned_once(
        posts in proptest::collection::vec((0i64..16, 0i64..86_400), 0..40),
        makeup in 0u32..4,
        leave_days in proptest::collection::vec(0i32..12, 0..3),
    ) {
        let extra = format!("makeup_days = {makeup}");
        let c = counter(&extra, None);
        let base = ts("2025-10-24T00:00:00.000+0800").as_second();
        let topics: Vec<CheckinTopic> = posts
            .iter()
            .enumerate()
            .map(|(i, (d, s))| {
                let when = crate::domain::time::format_zsxq_time(jiff::Timestamp::from_second(base + d * 86_400 + s).unwrap());
                topic(&format!("t{i}"), U, &when, "打卡内容")
            })
            .collect();
        let leaves: Vec<LeaveRecord> =
            leave_days.iter().map(|d| leave(U, &day("2025-10-24").plus_days(*d).to_string(), "事假")).collect();
        let got = count_with(&c, &topics, &leaves, None, false);
        let start = day("2025-10-25");
        let end = day("2025-11-03");
        // Distinct, in order, inside the window; counted + uncounted = the window.
        prop_assert!(got.days.windows(2).all(|w| w[0].day < w[1].day));
        prop_assert!(got.days.iter().all(|d| d.day >= start && d.day <= end));
        prop_assert_eq!(got.days.len() + got.uncounted.len(), 10);
        // No post earns two days.
        let used: Vec<_> = got.days.iter().filter_map(|d| d.topic_id.clone()).collect();
        let distinct: std::collections::HashSet<_> = used.iter().collect();
        prop_assert_eq!(used.len(), distinct.len());
        // Every post is either counted or set aside with a reason.
        prop_assert_eq!(used.len() + got.ignored.len(), topics.len());
        // Posted days are exactly the window days with a post.
        let rule = crate::domain::DayRule::shanghai();
        let mut with_post: Vec<Day> =
            topics.iter().map(|t| rule.day_of(t.created_at)).filter(|d| *d >= start && *d <= end).collect();
        with_post.sort();
        with_post.dedup();
        let posted: Vec<Day> = got.days.iter().filter(|d| d.mark == DayMark::Posted).map(|d| d.day).collect();
        prop_assert_eq!(&posted, &with_post);
        // Make-ups are written 1..=N days after the day they fill.
        for d in got.makeups() {
            if let DayMark::Makeup { posted_on } = d.mark {
                prop_assert!(posted_on > d.day && posted_on <= d.day.plus_days(makeup as i32));
            }
        }
        // And as many missed days are made up as is possible at all.
        let excused: Vec<Day> = got.excused().map(|d| d.day).collect();
        let missed: Vec<Day> = start.through(end).filter(|d| !with_post.contains(d) && !excused.contains(d)).collect();
        let mut spares: Vec<Day> = Vec::new();
        let mut per_day: std::collections::BTreeMap<Day, usize> = Default::default();
        for t in &topics {
            *per_day.entry(rule.day_of(t.created_at)).or_default() += 1;
        }
        for (d, k) in per_day {
            let own = usize::from(d >= start && d <= end);
            if d >= start && d <= end.plus_days(makeup as i32) {
                spares.extend(std::iter::repeat_n(d, k - own));
            }
        }
        let best = if makeup == 0 { 0 } else { best_makeup(&missed, &spares, makeup as i32) };
        prop_assert_eq!(got.makeups().count(), best);
    }
}
