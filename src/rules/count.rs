//! Counting check-in days: which camp days a member's posts cover.
//!
//! - A post belongs to the camp day `DayRule::day_of` gives (the camp's zone and
//!   cutoff); a day counts once however many posts it has.
//! - Only days inside the camp window (`start..=end`) count.
//! - Make-up (`makeup_days = N`, off when 0): a post that is not already the
//!   day's own post (a second post that day, or a post up to N days after the
//!   window) can stand in for one missed day at most N days earlier. One post
//!   never counts twice; the assignment is the largest possible.
//! - Leave (a reviewer's [`LeaveRecord`]): an excused day counts as completed.
//! - `min_words`: a day whose posts are all shorter is still counted but marked
//!   `short` (possibly 水卡), for a human to judge.
//! - For the cross-check against zsxq's ranking, the member's posts in the
//!   project are also counted as zsxq does: distinct calendar days in +0800,
//!   midnight cutoff, whole project, no make-up or leave.

use std::collections::HashMap;

use serde::Serialize;

use super::day_clock::DayClock;
use super::input::LeaveRecord;
use super::post_text::{excerpt, written_chars_capped};
use crate::domain::time::shanghai;
use crate::domain::{CheckinId, CheckinTopic, Day, DayCutoff, DayRule, PlanetUserId, RankingEntry, TopicId};

/// How long an evidence excerpt may be, in characters.
pub const EXCERPT_CHARS: usize = 24;

/// The counting rule of one camp.
#[derive(Clone, Debug, PartialEq)]
pub struct CountRule {
    /// First camp day.
    pub start: Day,
    /// Last camp day.
    pub end: Day,
    /// Make-up window in days (0: no make-up).
    pub makeup_days: u32,
    /// Minimum post length; `None` or 0: no minimum.
    pub min_words: Option<u32>,
}

impl CountRule {
    /// The minimum post length, when one applies.
    pub fn active_min_words(&self) -> Option<u32> {
        self.min_words.filter(|m| *m > 0)
    }

    /// The camp days, first to last.
    pub fn window(&self) -> impl Iterator<Item = Day> {
        self.start.through(self.end)
    }

    /// The last day a make-up post may be written.
    pub fn last_makeup_day(&self) -> Day {
        self.end.plus_days(i32::try_from(self.makeup_days).unwrap_or(0))
    }
}

/// How a counted day was earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "mark", rename_all = "snake_case")]
pub enum DayMark {
    /// Posted on the day itself.
    Posted,
    /// Made up by a later post.
    Makeup {
        /// The day the make-up post was written.
        posted_on: Day,
    },
    /// Excused by a reviewer (请假).
    Excused {
        /// Why.
        reason: String,
        /// Who.
        by: String,
    },
}

/// One counted day, with the post that earned it: the evidence a reviewer sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountedDay {
    /// The camp day.
    pub day: Day,
    /// Posted, make-up or excused.
    #[serde(flatten)]
    pub mark: DayMark,
    /// The post (none for an excused day).
    pub topic_id: Option<TopicId>,
    /// The post's time exactly as zsxq sent it.
    pub posted_at: Option<String>,
    /// The first words of the post.
    pub excerpt: Option<String>,
    /// The post's length in characters, when a minimum applies.
    pub chars: Option<u32>,
    /// Shorter than the minimum: possibly 水卡, for review.
    pub short: bool,
}

/// Why a member's post did not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoredWhy {
    /// Posted before the camp's first day.
    BeforeStart,
    /// Posted after the camp's last day (and after any make-up window).
    AfterEnd,
    /// Another post already counted for that day.
    SameDay,
}

impl IgnoredWhy {
    /// A short Chinese explanation.
    pub fn text(self) -> &'static str {
        match self {
            IgnoredWhy::BeforeStart => "开营前的打卡",
            IgnoredWhy::AfterEnd => "营期结束后的打卡",
            IgnoredWhy::SameDay => "同一天的重复打卡",
        }
    }
}

/// A post that did not count, kept so a dispute can see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IgnoredPost {
    /// The post.
    pub topic_id: TopicId,
    /// Its time as zsxq sent it.
    pub posted_at: String,
    /// The camp day it fell on.
    pub day: Day,
    /// Why it did not count.
    pub why: IgnoredWhy,
}

/// A leave record that changed nothing, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnusedLeave {
    /// The excused day.
    pub day: Day,
    /// Posted that day anyway (`true`), or the day is outside the camp (`false`).
    pub posted_anyway: bool,
}

/// One member's count in one camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberCount {
    /// The member.
    pub planet_user_id: PlanetUserId,
    /// Counted days, in day order.
    pub days: Vec<CountedDay>,
    /// Camp days not counted (past and future), in order.
    pub uncounted: Vec<Day>,
    /// Posts that did not count.
    pub ignored: Vec<IgnoredPost>,
    /// Leave records that changed nothing.
    pub unused_leaves: Vec<UnusedLeave>,
    /// Days with a post in the whole project, counted as zsxq counts them.
    pub platform_days: u32,
    /// `checkined_days` on the ranking list, when the member has a row.
    pub ranking_days: Option<u32>,
    /// The ranking and the posts disagree (see [`count_member`]).
    pub ranking_mismatch: bool,
}

impl MemberCount {
    /// Counted days (posted + make-up + excused).
    pub fn counted(&self) -> u32 {
        u32::try_from(self.days.len()).unwrap_or(u32::MAX)
    }

    /// Days counted through a make-up post.
    pub fn makeups(&self) -> impl Iterator<Item = &CountedDay> {
        self.days.iter().filter(|d| matches!(d.mark, DayMark::Makeup { .. }))
    }

    /// Days excused by a reviewer.
    pub fn excused(&self) -> impl Iterator<Item = &CountedDay> {
        self.days.iter().filter(|d| matches!(d.mark, DayMark::Excused { .. }))
    }

    /// Counted days whose post is shorter than the minimum.
    pub fn short_days(&self) -> impl Iterator<Item = &CountedDay> {
        self.days.iter().filter(|d| d.short)
    }

    /// Whether `day` is counted.
    pub fn has_day(&self, day: Day) -> bool {
        self.days.binary_search_by(|d| d.day.cmp(&day)).is_ok()
    }
}

/// The day clocks and rule a camp's counts share.
#[derive(Clone, Debug)]
pub struct Counter {
    rule: CountRule,
    camp_clock: DayClock,
    platform_clock: DayClock,
}

impl Counter {
    /// A counter for `rule`, with days computed by `camp_day_rule` (the camp's
    /// zone and cutoff).
    pub fn new(rule: CountRule, camp_day_rule: &DayRule) -> Counter {
        let first = rule.start.plus_days(-2);
        let last = rule.last_makeup_day().plus_days(2);
        let camp_clock = DayClock::new(camp_day_rule.clone(), first, last);
        let platform_clock = DayClock::new(DayRule::new(shanghai(), DayCutoff::MIDNIGHT), first, last);
        Counter { rule, camp_clock, platform_clock }
    }

    /// The rule.
    pub fn rule(&self) -> &CountRule {
        &self.rule
    }

    /// The camp day of an instant.
    pub fn day_of(&self, at: jiff::Timestamp) -> Day {
        self.camp_clock.day_of(at)
    }
}

/// A post waiting to be placed, with its camp day and length verdict.
struct Placed<'t> {
    topic: &'t CheckinTopic,
    day: Day,
    short: bool,
    chars: Option<u32>,
}

/// The post's length, capped at `min` (enough to decide), when a minimum applies.
fn post_chars(topic: &CheckinTopic, min: Option<u32>) -> Option<u32> {
    let min = min?;
    Some(if topic.text.is_empty() { topic.text_chars.min(min) } else { written_chars_capped(&topic.text, min) })
}

fn counted_from_post(p: &Placed<'_>, day: Day, mark: DayMark) -> CountedDay {
    let text = if p.topic.text.is_empty() && p.topic.images > 0 {
        format!("[图片×{}]", p.topic.images)
    } else {
        excerpt(&p.topic.text, EXCERPT_CHARS)
    };
    CountedDay {
        day,
        mark,
        topic_id: Some(p.topic.topic_id.clone()),
        posted_at: Some(p.topic.created_at_raw.clone()),
        excerpt: Some(text),
        chars: p.chars,
        short: p.short,
    }
}

fn ignored(p: &Placed<'_>, why: IgnoredWhy) -> IgnoredPost {
    IgnoredPost { topic_id: p.topic.topic_id.clone(), posted_at: p.topic.created_at_raw.clone(), day: p.day, why }
}

fn day_index(start: Day, day: Day) -> usize {
    usize::try_from(start.days_until(day)).unwrap_or(0)
}

/// Counts one member's days.
///
/// `posts` are the member's posts in this camp's project, in any order
/// (duplicates by topic id are dropped). `ranking` is the member's ranking row,
/// `ranking_listed` whether the camp's ranking was fetched at all: a member
/// with posts but no row, or a row whose `checkined_days` differs from the
/// posts' own day count, is a mismatch.
pub fn count_member(
    counter: &Counter,
    planet_user_id: &PlanetUserId,
    posts: &[&CheckinTopic],
    leaves: &[&LeaveRecord],
    ranking: Option<&RankingEntry>,
    ranking_listed: bool,
) -> MemberCount {
    let rule = &counter.rule;
    let min = rule.active_min_words();
    let mut posts: Vec<&CheckinTopic> = posts.to_vec();
    posts.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.topic_id.cmp(&b.topic_id)));
    posts.dedup_by(|a, b| a.topic_id == b.topic_id);

    // zsxq's own count: distinct +0800 calendar days. Posts are in time order,
    // so equal days are adjacent.
    let mut platform_days = 0u32;
    let mut last_platform_day: Option<Day> = None;
    for t in &posts {
        let d = counter.platform_clock.day_of(t.created_at);
        if last_platform_day != Some(d) {
            platform_days += 1;
            last_platform_day = Some(d);
        }
    }

    let window_len = day_index(rule.start, rule.end) + 1;
    let mut regular: Vec<Option<Placed<'_>>> = (0..window_len).map(|_| None).collect();
    let mut spares: Vec<Placed<'_>> = Vec::new();
    let mut ignored_posts = Vec::new();
    let last_makeup = rule.last_makeup_day();
    for t in posts {
        let day = counter.camp_clock.day_of(t.created_at);
        let chars = post_chars(t, min);
        let short = matches!((chars, min), (Some(c), Some(m)) if c < m);
        let p = Placed { topic: t, day, short, chars };
        if day < rule.start {
            ignored_posts.push(ignored(&p, IgnoredWhy::BeforeStart));
        } else if day <= rule.end {
            let slot = &mut regular[day_index(rule.start, day)];
            match slot {
                None => *slot = Some(p),
                // A long post replaces an earlier short one as the day's own post.
                Some(current) if current.short && !p.short => spares.push(std::mem::replace(current, p)),
                Some(_) => spares.push(p),
            }
        } else if rule.makeup_days > 0 && day <= last_makeup {
            spares.push(p);
        } else {
            ignored_posts.push(ignored(&p, IgnoredWhy::AfterEnd));
        }
    }

    let mut days: Vec<CountedDay> = Vec::with_capacity(window_len);
    let mut excused: Vec<Option<&LeaveRecord>> = vec![None; window_len];
    let mut unused_leaves = Vec::new();
    for leave in leaves {
        if leave.day < rule.start || leave.day > rule.end {
            unused_leaves.push(UnusedLeave { day: leave.day, posted_anyway: false });
            continue;
        }
        let i = day_index(rule.start, leave.day);
        if regular[i].is_some() {
            unused_leaves.push(UnusedLeave { day: leave.day, posted_anyway: true });
        } else if excused[i].is_none_or(|e| e.at < leave.at) {
            excused[i] = Some(leave);
        }
    }
    unused_leaves.sort_by_key(|u| u.day);
    unused_leaves.dedup();

    // Make-up: missed days in order, each takes the earliest unused spare post
    // written 1..=N days later. With windows of equal length this greedy
    // assignment is a largest one.
    let mut makeup_for: Vec<Option<usize>> = vec![None; window_len];
    let mut used = vec![false; spares.len()];
    if rule.makeup_days > 0 && !spares.is_empty() {
        spares.sort_by(|a, b| {
            a.day.cmp(&b.day).then(a.short.cmp(&b.short)).then_with(|| a.topic.created_at.cmp(&b.topic.created_at))
        });
        let n = i32::try_from(rule.makeup_days).unwrap_or(i32::MAX);
        let mut lo = 0;
        for (i, day) in rule.window().enumerate() {
            if regular[i].is_some() || excused[i].is_some() {
                continue;
            }
            while lo < spares.len() && spares[lo].day <= day {
                lo += 1;
            }
            if lo < spares.len() && spares[lo].day <= day.plus_days(n) {
                makeup_for[i] = Some(lo);
                used[lo] = true;
                lo += 1;
            }
        }
    }

    let mut uncounted = Vec::new();
    for (i, day) in rule.window().enumerate() {
        if let Some(p) = &regular[i] {
            days.push(counted_from_post(p, day, DayMark::Posted));
        } else if let Some(leave) = excused[i] {
            days.push(CountedDay {
                day,
                mark: DayMark::Excused { reason: leave.reason.clone(), by: leave.by.clone() },
                topic_id: None,
                posted_at: None,
                excerpt: None,
                chars: None,
                short: false,
            });
        } else if let Some(s) = makeup_for[i] {
            let p = &spares[s];
            days.push(counted_from_post(p, day, DayMark::Makeup { posted_on: p.day }));
        } else {
            uncounted.push(day);
        }
    }
    for (p, used) in spares.iter().zip(used) {
        if !used {
            let why = if p.day > rule.end { IgnoredWhy::AfterEnd } else { IgnoredWhy::SameDay };
            ignored_posts.push(ignored(p, why));
        }
    }
    ignored_posts.sort_by(|a, b| a.posted_at.cmp(&b.posted_at).then_with(|| a.topic_id.cmp(&b.topic_id)));

    let ranking_days = ranking.map(|r| r.checkined_days);
    let ranking_mismatch = match ranking_days {
        Some(r) => r != platform_days,
        None => ranking_listed && platform_days > 0,
    };
    MemberCount {
        planet_user_id: planet_user_id.clone(),
        days,
        uncounted,
        ignored: ignored_posts,
        unused_leaves,
        platform_days,
        ranking_days,
        ranking_mismatch,
    }
}

/// Every member's count in a camp, with what was set aside.
#[derive(Clone, Debug, Default)]
pub struct CampCounts {
    /// Counts by member (everyone with a post, a ranking row, a leave record, or in `also`).
    pub members: HashMap<PlanetUserId, MemberCount>,
    /// Posts of other projects that were handed in and not counted.
    pub other_project_posts: u32,
    /// Whether a ranking list was available for the cross-check.
    pub ranking_listed: bool,
    /// Whether any post of the project was available.
    pub topics_listed: bool,
}

/// Counts every member of a camp. Posts and ranking rows of projects other than
/// `checkin_id` are set aside (when `checkin_id` is `None`, nothing counts);
/// `also` names members to count even without posts (the linked payers).
pub fn count_camp<'a>(
    counter: &Counter,
    checkin_id: Option<&CheckinId>,
    topics: &'a [CheckinTopic],
    ranking: &'a [RankingEntry],
    leaves: &'a [LeaveRecord],
    also: impl IntoIterator<Item = &'a PlanetUserId>,
) -> CampCounts {
    let ours = |id: &CheckinId| checkin_id == Some(id);
    let mut posts: HashMap<&PlanetUserId, Vec<&CheckinTopic>> = HashMap::new();
    let mut other_project_posts = 0u32;
    for t in topics {
        if ours(&t.checkin_id) {
            posts.entry(&t.user_id).or_default().push(t);
        } else {
            other_project_posts += 1;
        }
    }
    // The latest fetch wins when a member has several rows.
    let mut rows: HashMap<&PlanetUserId, &RankingEntry> = HashMap::new();
    for r in ranking.iter().filter(|r| ours(&r.checkin_id)) {
        let slot = rows.entry(&r.user_id).or_insert(r);
        if r.fetched_at > slot.fetched_at {
            *slot = r;
        }
    }
    let mut leave_map: HashMap<&PlanetUserId, Vec<&LeaveRecord>> = HashMap::new();
    for l in leaves {
        leave_map.entry(&l.planet_user_id).or_default().push(l);
    }
    let ranking_listed = !rows.is_empty();
    let topics_listed = !posts.is_empty();

    let mut members: HashMap<PlanetUserId, MemberCount> = HashMap::with_capacity(posts.len() + rows.len());
    let ids = posts.keys().chain(rows.keys()).chain(leave_map.keys()).copied().chain(also);
    for id in ids {
        if members.contains_key(id) {
            continue;
        }
        let count = count_member(
            counter,
            id,
            posts.get(id).map_or(&[][..], Vec::as_slice),
            leave_map.get(id).map_or(&[][..], Vec::as_slice),
            rows.get(id).copied(),
            ranking_listed,
        );
        members.insert(id.clone(), count);
    }
    CampCounts { members, other_project_posts, ranking_listed, topics_listed }
}
