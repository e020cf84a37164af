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

use super::fast_map::FastMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::day_clock::DayClock;
use super::input::LeaveRecord;
use super::post_text::{excerpt, written_chars_capped};
use crate::domain::time::shanghai;
use crate::domain::{CheckinId, CheckinTopic, Day, DayCutoff, DayRule, PlanetUserId, RankingEntry, TopicId};

/// Times in evidence are written the way zsxq writes them: `2025-12-03T21:15:02.481+0800`.
mod zsxq_time {
    use jiff::Timestamp;
    use serde::Serializer;

    use crate::domain::time::format_zsxq_time;

    pub fn required<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_zsxq_time(*t))
    }

    pub fn optional<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => required(t, s),
            None => s.serialize_none(),
        }
    }
}

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

    /// The last day a make-up post may be written.
    pub fn last_makeup_day(&self) -> Day {
        self.end.plus_days(i32::try_from(self.makeup_days).unwrap_or(0))
    }
}

/// How a counted day was earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountedDay {
    /// The camp day.
    pub day: Day,
    /// Posted, make-up or excused.
    #[serde(flatten)]
    pub mark: DayMark,
    /// The post (none for an excused day).
    pub topic_id: Option<TopicId>,
    /// When the post was written (serialised as zsxq writes times, in +0800).
    #[serde(serialize_with = "zsxq_time::optional")]
    pub posted_at: Option<Timestamp>,
    /// The first words of the post.
    pub excerpt: Option<String>,
    /// The post's length in characters, when a minimum applies.
    pub chars: Option<u32>,
    /// Shorter than the minimum: possibly 水卡, for review.
    pub short: bool,
}

/// Why a member's post did not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredPost {
    /// The post.
    pub topic_id: TopicId,
    /// When it was written (serialised as zsxq writes times, in +0800).
    #[serde(serialize_with = "zsxq_time::required")]
    pub posted_at: Timestamp,
    /// The camp day it fell on.
    pub day: Day,
    /// Why it did not count.
    pub why: IgnoredWhy,
}

/// A leave record that changed nothing, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedLeave {
    /// The excused day.
    pub day: Day,
    /// Posted that day anyway (`true`), or the day is outside the camp (`false`).
    pub posted_anyway: bool,
}

/// One member's count in one camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Positions in `camp_clock` of the first day, the last day and the last make-up day.
    start_at: usize,
    end_at: usize,
    makeup_until: usize,
}

/// Days of margin the clocks cover before the start and after the make-up window.
const CLOCK_MARGIN: i32 = 2;

impl Counter {
    /// A counter for `rule`, with days computed by `camp_day_rule` (the camp's
    /// zone and cutoff).
    pub fn new(rule: CountRule, camp_day_rule: &DayRule) -> Counter {
        let first = rule.start.plus_days(-CLOCK_MARGIN);
        let last = rule.last_makeup_day().plus_days(CLOCK_MARGIN);
        let camp_clock = DayClock::new(camp_day_rule.clone(), first, last);
        let platform_clock = DayClock::new(DayRule::new(shanghai(), DayCutoff::MIDNIGHT), first, last);
        let start_at = usize::try_from(CLOCK_MARGIN).unwrap_or(0);
        let end_at = start_at + day_index(rule.start, rule.end);
        let makeup_until = end_at + usize::try_from(rule.makeup_days).unwrap_or(0);
        Counter { rule, camp_clock, platform_clock, start_at, end_at, makeup_until }
    }

    /// The camp days, first to last.
    pub fn window_days(&self) -> &[Day] {
        &self.camp_clock.days()[self.start_at..=self.end_at]
    }
}

/// A post waiting to be placed, with its camp day and length verdict.
struct Placed<'t> {
    topic: &'t CheckinTopic,
    day: Day,
    /// Position of `day` in the counter's camp clock.
    at: usize,
    short: bool,
    chars: Option<u32>,
}

impl<'t> Placed<'t> {
    /// A placed post; its length is measured only when a minimum applies.
    fn new(topic: &'t CheckinTopic, day: Day, at: usize, min: Option<u32>) -> Placed<'t> {
        let chars = post_chars(topic, min);
        let short = matches!((chars, min), (Some(c), Some(m)) if c < m);
        Placed { topic, day, at, short, chars }
    }

    /// A post set aside unmeasured (it can only matter for make-up).
    fn unmeasured(topic: &'t CheckinTopic, day: Day, at: usize) -> Placed<'t> {
        Placed { topic, day, at, short: false, chars: None }
    }
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
        posted_at: Some(p.topic.created_at),
        excerpt: Some(text),
        chars: p.chars,
        short: p.short,
    }
}

fn ignored(topic: &CheckinTopic, day: Day, why: IgnoredWhy) -> IgnoredPost {
    IgnoredPost { topic_id: topic.topic_id.clone(), posted_at: topic.created_at, day, why }
}

fn day_index(start: Day, day: Day) -> usize {
    usize::try_from(start.days_until(day)).unwrap_or(0)
}

/// Buffers one camp's counts reuse from member to member.
struct Scratch<'t, 'l> {
    regular: Vec<Option<Placed<'t>>>,
    spares: Vec<Placed<'t>>,
    excused: Vec<Option<&'l LeaveRecord>>,
    makeup_for: Vec<Option<usize>>,
    used: Vec<bool>,
}

impl Scratch<'_, '_> {
    fn new() -> Self {
        Scratch {
            regular: Vec::new(),
            spares: Vec::new(),
            excused: Vec::new(),
            makeup_for: Vec::new(),
            used: Vec::new(),
        }
    }
}

/// Puts posts in time order with repeated topic ids moved past the end;
/// returns how many distinct posts lead the slice.
fn sort_posts(posts: &mut [&CheckinTopic]) -> usize {
    posts.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.topic_id.cmp(&b.topic_id)));
    let mut kept = 0;
    for i in 0..posts.len() {
        // Copies of one topic share its time, so only equal times need the id compared.
        let repeat = kept > 0 && {
            let (a, b) = (posts[kept - 1], posts[i]);
            a.created_at == b.created_at && a.topic_id == b.topic_id
        };
        if !repeat {
            posts.swap(kept, i);
            kept += 1;
        }
    }
    kept
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
    let mut posts = posts.to_vec();
    let kept = sort_posts(&mut posts);
    count_sorted(counter, &mut Scratch::new(), planet_user_id, &posts[..kept], leaves, ranking, ranking_listed)
}

/// [`count_member`] over posts already in time order without repeats.
fn count_sorted<'t, 'l>(
    counter: &Counter,
    scratch: &mut Scratch<'t, 'l>,
    planet_user_id: &PlanetUserId,
    posts: &[&'t CheckinTopic],
    leaves: &[&'l LeaveRecord],
    ranking: Option<&RankingEntry>,
    ranking_listed: bool,
) -> MemberCount {
    let rule = &counter.rule;
    let min = rule.active_min_words();
    let with_makeup = rule.makeup_days > 0;

    // zsxq's own count: distinct +0800 calendar days. Posts are in time order,
    // so equal days are adjacent.
    let mut platform_days = 0u32;
    let mut last_platform_day: Option<Day> = None;
    for t in posts {
        let d = counter.platform_clock.day_of(t.created_at);
        if last_platform_day != Some(d) {
            platform_days += 1;
            last_platform_day = Some(d);
        }
    }

    let window = counter.window_days();
    let (start_at, end_at) = (counter.start_at, counter.end_at);
    let Scratch { regular, spares, excused, makeup_for, used } = scratch;
    regular.clear();
    regular.resize_with(window.len(), || None);
    spares.clear();
    let mut ignored_posts = Vec::new();
    for &t in posts {
        let Some(at) = counter.camp_clock.index_of(t.created_at) else {
            let day = counter.camp_clock.day_of(t.created_at);
            let why = if day < rule.start { IgnoredWhy::BeforeStart } else { IgnoredWhy::AfterEnd };
            ignored_posts.push(ignored(t, day, why));
            continue;
        };
        let day = counter.camp_clock.days()[at];
        if at < start_at {
            ignored_posts.push(ignored(t, day, IgnoredWhy::BeforeStart));
        } else if at > counter.makeup_until {
            ignored_posts.push(ignored(t, day, IgnoredWhy::AfterEnd));
        } else if at > end_at {
            spares.push(Placed::new(t, day, at, min)); // only reachable with make-up days
        } else {
            let slot = &mut regular[at - start_at];
            match slot {
                None => *slot = Some(Placed::new(t, day, at, min)),
                // A long post replaces an earlier short one as the day's own post.
                Some(current) if current.short => {
                    let p = Placed::new(t, day, at, min);
                    if p.short { spares.push(p) } else { spares.push(std::mem::replace(current, p)) }
                }
                Some(_) if with_makeup => spares.push(Placed::new(t, day, at, min)),
                Some(_) => spares.push(Placed::unmeasured(t, day, at)),
            }
        }
    }

    excused.clear();
    excused.resize(window.len(), None);
    let mut unused_leaves = Vec::new();
    for &leave in leaves {
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
    makeup_for.clear();
    makeup_for.resize(window.len(), None);
    used.clear();
    used.resize(spares.len(), false);
    if with_makeup && !spares.is_empty() {
        spares.sort_by(|a, b| {
            a.at.cmp(&b.at).then(a.short.cmp(&b.short)).then_with(|| a.topic.created_at.cmp(&b.topic.created_at))
        });
        let n = usize::try_from(rule.makeup_days).unwrap_or(usize::MAX);
        let mut lo = 0;
        for (i, slot) in makeup_for.iter_mut().enumerate() {
            if regular[i].is_some() || excused[i].is_some() {
                continue;
            }
            let missed_at = start_at + i;
            while lo < spares.len() && spares[lo].at <= missed_at {
                lo += 1;
            }
            if lo < spares.len() && spares[lo].at <= missed_at.saturating_add(n) {
                *slot = Some(lo);
                used[lo] = true;
                lo += 1;
            }
        }
    }

    let mut days: Vec<CountedDay> = Vec::with_capacity(window.len());
    let mut uncounted = Vec::new();
    for (i, &day) in window.iter().enumerate() {
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
    for (p, used) in spares.iter().zip(used.iter()) {
        if !used {
            let why = if p.at > end_at { IgnoredWhy::AfterEnd } else { IgnoredWhy::SameDay };
            ignored_posts.push(ignored(p.topic, p.day, why));
        }
    }
    // Stable: posts of one day stay in the order they were met.
    ignored_posts.sort_by_key(|p| p.day);

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
    pub members: FastMap<PlanetUserId, MemberCount>,
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
    // Group the posts by member in one flat list: number the members, count
    // their posts, then place each post at its member's next slot.
    let mut member_no: FastMap<&PlanetUserId, u32> = FastMap::default();
    let mut authors: Vec<&PlanetUserId> = Vec::new();
    let mut post_member: Vec<u32> = Vec::with_capacity(topics.len());
    let mut per_member: Vec<u32> = Vec::new();
    let mut other_project_posts = 0u32;
    for t in topics {
        if !ours(&t.checkin_id) {
            other_project_posts += 1;
            post_member.push(u32::MAX);
            continue;
        }
        let next = u32::try_from(authors.len()).unwrap_or(u32::MAX);
        let no = *member_no.entry(&t.user_id).or_insert(next);
        if no == next {
            authors.push(&t.user_id);
            per_member.push(0);
        }
        per_member[no as usize] += 1;
        post_member.push(no);
    }
    let mut starts: Vec<usize> = Vec::with_capacity(per_member.len() + 1);
    let mut total = 0usize;
    for n in &per_member {
        starts.push(total);
        total += *n as usize;
    }
    starts.push(total);
    let mut flat: Vec<&CheckinTopic> = Vec::new();
    if let Some(first) = topics.iter().find(|t| ours(&t.checkin_id)) {
        flat = vec![first; total];
        let mut fill = starts.clone();
        for (t, no) in topics.iter().zip(&post_member) {
            if let Some(slot) = fill.get_mut(*no as usize) {
                flat[*slot] = t;
                *slot += 1;
            }
        }
    }
    // The latest fetch wins when a member has several rows.
    let mut rows: FastMap<&PlanetUserId, &RankingEntry> = FastMap::default();
    for r in ranking.iter().filter(|r| ours(&r.checkin_id)) {
        let slot = rows.entry(&r.user_id).or_insert(r);
        if r.fetched_at > slot.fetched_at {
            *slot = r;
        }
    }
    let mut leave_map: FastMap<&PlanetUserId, Vec<&LeaveRecord>> = FastMap::default();
    for l in leaves {
        leave_map.entry(&l.planet_user_id).or_default().push(l);
    }
    let ranking_listed = !rows.is_empty();
    let topics_listed = !authors.is_empty();

    let mut members: FastMap<PlanetUserId, MemberCount> =
        FastMap::with_capacity_and_hasher(authors.len() + rows.len(), Default::default());
    let mut scratch = Scratch::new();
    for (no, id) in authors.iter().enumerate() {
        let list = &mut flat[starts[no]..starts[no + 1]];
        let kept = sort_posts(list);
        let count = count_sorted(
            counter,
            &mut scratch,
            id,
            &list[..kept],
            leave_map.get(id).map_or(&[][..], Vec::as_slice),
            rows.get(id).copied(),
            ranking_listed,
        );
        members.insert((*id).clone(), count);
    }
    let others = rows.keys().chain(leave_map.keys()).copied().chain(also);
    for id in others {
        if members.contains_key(id) {
            continue;
        }
        let leaves = leave_map.get(id).map_or(&[][..], Vec::as_slice);
        let count = count_sorted(counter, &mut scratch, id, &[], leaves, rows.get(id).copied(), ranking_listed);
        members.insert(id.clone(), count);
    }
    CampCounts { members, other_project_posts, ranking_listed, topics_listed }
}
