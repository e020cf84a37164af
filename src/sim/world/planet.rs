//! The simulated Knowledge Planet: users, check-in projects, their posts and rankings.
//! Posts of a project are kept sorted by time, so every page is a binary search away.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::Day;

/// A planet user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanetUser {
    /// Stable id (12–15 digits).
    pub user_id: u64,
    /// Nickname (may be all spaces or emoji).
    pub name: String,
    /// Planet card name (星球名片); empty when unset.
    pub alias: String,
    /// Member number (成员编号).
    pub number: u32,
    /// When they joined the planet.
    pub join_time: Timestamp,
    /// When they left the planet, if they did.
    pub exited_at: Option<Timestamp>,
    /// IP region shown on posts.
    pub location: Option<String>,
    /// Bio.
    pub description: Option<String>,
    /// Membership expiry; `None` for never (owner and partners).
    pub expired_time: Option<Timestamp>,
}

/// How a project counts days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// Total days with a post (the kind camps use).
    Accumulated,
    /// Current streak.
    Continuous,
}

impl ProjectKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Accumulated => "accumulated",
            ProjectKind::Continuous => "continuous",
        }
    }
}

/// A project's status at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectStatus {
    /// Open for posts.
    Ongoing,
    /// Deadline passed.
    Over,
    /// Closed by the owner.
    Closed,
}

impl ProjectStatus {
    /// The wire spelling (and the `scope` value that lists it).
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Ongoing => "ongoing",
            ProjectStatus::Over => "over",
            ProjectStatus::Closed => "closed",
        }
    }
}

/// One check-in post.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Topic id (beyond 2^53).
    pub topic_id: u64,
    /// Author.
    pub user_id: u64,
    /// Post text (may contain zsxq `<e …/>` markup).
    pub text: String,
    /// Number of images.
    pub images: u8,
    /// When it was posted (millisecond precision).
    pub create_time: Timestamp,
    /// Likes.
    pub likes: u32,
    /// Comments, in posting order.
    pub comments: Vec<Comment>,
    /// Readers.
    pub readers: u32,
}

/// A comment on a check-in post.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Comment id.
    pub comment_id: u64,
    /// Author.
    pub user_id: u64,
    /// Text.
    pub text: String,
    /// When it was posted.
    pub create_time: Timestamp,
}

/// The static description of a project, as created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectSpec {
    /// Project id (about 10 digits).
    pub checkin_id: u64,
    /// Creator.
    pub owner_user_id: u64,
    /// Title, e.g. "2510 AI小绿书爆文".
    pub title: String,
    /// Rule text.
    pub text: String,
    /// The project's day count.
    pub checkin_days: u32,
    /// Deadline (`None` = long period).
    pub expiration: Option<Timestamp>,
    /// Whether posts also show on the timeline.
    pub show_topics_on_timeline: bool,
    /// Creation time.
    pub create_time: Timestamp,
    /// Minimum post length in characters (0 = none).
    pub min_words_count: u32,
    /// Counting rule.
    pub kind: ProjectKind,
}

/// One row of a ranking list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankRow {
    /// 1-based, unique, consecutive.
    pub rank: u32,
    /// The user.
    pub user_id: u64,
    /// Days (accumulated) or streak (continuous).
    pub days: u32,
}

/// A check-in project with its posts.
#[derive(Clone, Debug)]
pub struct Project {
    /// As created.
    pub spec: ProjectSpec,
    /// Set when the owner closed it.
    pub closed_at: Option<Timestamp>,
    topics: Vec<Topic>,
    topic_index: HashMap<u64, usize>,
    joined: BTreeSet<u64>,
    days: HashMap<u64, BTreeSet<Day>>,
    first_post: HashMap<u64, Timestamp>,
    ranking: Option<(ProjectKind, Day, Vec<RankRow>)>,
}

impl Project {
    /// A new project without posts.
    pub fn new(spec: ProjectSpec) -> Project {
        Project {
            spec,
            closed_at: None,
            topics: Vec::new(),
            topic_index: HashMap::new(),
            joined: BTreeSet::new(),
            days: HashMap::new(),
            first_post: HashMap::new(),
            ranking: None,
        }
    }

    /// Whether the project exists at `now` (it was created by then).
    pub fn exists_at(&self, now: Timestamp) -> bool {
        self.spec.create_time <= now
    }

    /// Status at `now`.
    pub fn status(&self, now: Timestamp) -> ProjectStatus {
        if self.closed_at.is_some_and(|c| c <= now) {
            ProjectStatus::Closed
        } else if self.spec.expiration.is_some_and(|e| e < now) {
            ProjectStatus::Over
        } else {
            ProjectStatus::Ongoing
        }
    }

    /// Posts, oldest first.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// Participants (joined the project, with or without posts).
    pub fn joined(&self) -> &BTreeSet<u64> {
        &self.joined
    }

    /// Days with a post, per user.
    pub fn days_of(&self, user_id: u64) -> Option<&BTreeSet<Day>> {
        self.days.get(&user_id)
    }

    /// Adds a participant.
    pub fn join(&mut self, user_id: u64) {
        self.joined.insert(user_id);
    }

    /// Adds a post (kept in time order) and counts its day.
    pub fn add_topic(&mut self, topic: Topic) {
        let day = crate::sim::clock::shanghai_day(topic.create_time);
        self.joined.insert(topic.user_id);
        self.days.entry(topic.user_id).or_default().insert(day);
        let first = self.first_post.entry(topic.user_id).or_insert(topic.create_time);
        if topic.create_time < *first {
            *first = topic.create_time;
        }
        let key = (topic.create_time, topic.topic_id);
        let pos = self.topics.partition_point(|t| (t.create_time, t.topic_id) < key);
        if pos == self.topics.len() {
            self.topic_index.insert(topic.topic_id, pos);
            self.topics.push(topic);
        } else {
            self.topics.insert(pos, topic);
            for (i, t) in self.topics.iter().enumerate().skip(pos) {
                self.topic_index.insert(t.topic_id, i);
            }
        }
        self.ranking = None;
    }

    /// Adds a comment to post `topic_id`; false when there is no such post.
    pub fn add_comment(&mut self, topic_id: u64, comment: Comment) -> bool {
        match self.topic_index.get(&topic_id) {
            Some(&i) => {
                self.topics[i].comments.push(comment);
                true
            }
            None => false,
        }
    }

    /// Whether a post with this id exists.
    pub fn has_topic(&self, topic_id: u64) -> bool {
        self.topic_index.contains_key(&topic_id)
    }

    /// Up to `count` posts created at or before `end` (all posts when `None`), newest first.
    pub fn page_before(&self, end: Option<Timestamp>, count: usize) -> Vec<&Topic> {
        let upto = match end {
            Some(end) => self.topics.partition_point(|t| t.create_time <= end),
            None => self.topics.len(),
        };
        self.topics[..upto].iter().rev().take(count).collect()
    }

    /// Distinct users with a post on `day`.
    pub fn checkined_on(&self, day: Day) -> usize {
        let rule = crate::sim::clock::shanghai_days();
        let start = day.start_in(&rule.tz, rule.cutoff);
        let end = day.plus_days(1).start_in(&rule.tz, rule.cutoff);
        let from = self.topics.partition_point(|t| t.create_time < start);
        let to = self.topics.partition_point(|t| t.create_time < end);
        self.topics[from..to].iter().map(|t| t.user_id).collect::<BTreeSet<_>>().len()
    }

    /// Users whose day count reached `checkin_days`.
    pub fn completed_count(&self) -> usize {
        self.days.values().filter(|d| d.len() >= self.spec.checkin_days as usize).count()
    }

    /// The ranking for `kind` on `today` (cached until the next post).
    ///
    /// Accumulated: days with a post, most first. Continuous: the streak ending today or
    /// yesterday. Ties go to whoever posted first, then the lower user id. Users with zero
    /// days are absent.
    pub fn ranking(&mut self, kind: ProjectKind, today: Day) -> &[RankRow] {
        let fresh =
            matches!(&self.ranking, Some((k, d, _)) if *k == kind && (*d == today || kind == ProjectKind::Accumulated));
        if !fresh {
            let mut rows: Vec<(u32, Timestamp, u64)> = self
                .days
                .iter()
                .map(|(user, days)| {
                    let n = match kind {
                        ProjectKind::Accumulated => days.len() as u32,
                        ProjectKind::Continuous => streak(days, today),
                    };
                    (n, self.first_post.get(user).copied().unwrap_or(Timestamp::MAX), *user)
                })
                .filter(|(n, _, _)| *n > 0)
                .collect();
            rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let ranked = rows.into_iter().enumerate().map(|(i, (days, _, user_id))| RankRow {
                rank: i as u32 + 1,
                user_id,
                days,
            });
            self.ranking = Some((kind, today, ranked.collect()));
        }
        match &self.ranking {
            Some((_, _, rows)) => rows,
            None => &[],
        }
    }
}

/// Consecutive days ending today or yesterday.
fn streak(days: &BTreeSet<Day>, today: Day) -> u32 {
    let mut cursor = if days.contains(&today) {
        today
    } else if days.contains(&today.plus_days(-1)) {
        today.plus_days(-1)
    } else {
        return 0;
    };
    let mut n = 0;
    while days.contains(&cursor) {
        n += 1;
        cursor = cursor.plus_days(-1);
    }
    n
}

/// `scope` of the member list (E4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberScope {
    /// Everyone.
    All,
    /// The owner and admins (partners).
    Privileged,
    /// The same (the sim has no volunteers).
    PrivilegedAndVolunteer,
    /// Members whose membership ran out.
    Expired,
    /// Trial members (the sim has none).
    Trial,
    /// Paying members whose membership runs.
    Regular,
}

/// `sort` of the member list (E4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberSort {
    /// `join_time` (the default).
    JoinTime,
    /// `expired_time` (only with the regular or expired scopes).
    ExpiredTime,
    /// `update_time`.
    UpdateTime,
    /// `number` (only with the expired scope; pages by `page_tag`).
    Number,
}

/// One E4 request, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct MembersQuery {
    /// Rows wanted (1–200).
    pub count: usize,
    /// Which members.
    pub scope: MemberScope,
    /// Sort field.
    pub sort: MemberSort,
    /// Newest/highest first (the default).
    pub descending: bool,
    /// Inclusive lower bound of the (time) sort field.
    pub begin: Option<Timestamp>,
    /// Inclusive upper bound of the (time) sort field.
    pub end: Option<Timestamp>,
    /// The last `number` seen (sort = number).
    pub page_tag: Option<u32>,
    /// List members still in the planet.
    pub joined: bool,
    /// List members who left.
    pub exited: bool,
}

/// When a member's record last changed: their exit, else their joining (the sim keeps no
/// other history per member).
pub fn member_update_time(u: &PlanetUser, now: Timestamp) -> Timestamp {
    u.exited_at.filter(|e| *e <= now).unwrap_or(u.join_time)
}

/// A zsxq access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZsxqToken {
    /// The user it logs in as.
    pub user_id: u64,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// The planet.
#[derive(Clone, Debug)]
pub struct Planet {
    /// group_id (14 digits).
    pub group_id: u64,
    /// Planet name.
    pub name: String,
    /// The owner's user id.
    pub owner_user_id: u64,
    users: BTreeMap<u64, PlanetUser>,
    projects: BTreeMap<u64, Project>,
    tokens: BTreeMap<String, ZsxqToken>,
    topic_counts: HashMap<u64, u32>,
    admins: BTreeSet<u64>,
}

impl Planet {
    /// An empty planet owned by `owner`.
    pub fn new(group_id: u64, name: impl Into<String>, owner: PlanetUser) -> Planet {
        let owner_user_id = owner.user_id;
        let mut users = BTreeMap::new();
        users.insert(owner.user_id, owner);
        Planet {
            group_id,
            name: name.into(),
            owner_user_id,
            users,
            projects: BTreeMap::new(),
            tokens: BTreeMap::new(),
            topic_counts: HashMap::new(),
            admins: BTreeSet::new(),
        }
    }

    /// Whether `user_id` sees the owner/admin views (the owner and the admins).
    pub fn is_admin(&self, user_id: u64) -> bool {
        user_id == self.owner_user_id || self.admins.contains(&user_id)
    }

    /// Makes `user_id` an admin (partner) or takes the role away.
    pub fn set_admin(&mut self, user_id: u64, admin: bool) {
        if admin {
            self.admins.insert(user_id);
        } else {
            self.admins.remove(&user_id);
        }
    }

    /// The member list of E4 for `query` at `now`: members who had joined by then, in
    /// the query's order (ties in the sort field by user id, reversed with `desc`), at
    /// most `count`.
    pub fn members_page(&self, query: &MembersQuery, now: Timestamp) -> Vec<&PlanetUser> {
        let privileged = |u: &PlanetUser| self.is_admin(u.user_id);
        let expired = |u: &PlanetUser| u.expired_time.is_some_and(|t| t < now);
        let mut rows: Vec<(i128, &PlanetUser)> = self
            .users
            .values()
            .filter(|u| u.join_time <= now)
            .filter(|u| {
                let exited = u.exited_at.is_some_and(|e| e <= now);
                if exited { query.exited } else { query.joined }
            })
            .filter(|u| match query.scope {
                MemberScope::All => true,
                MemberScope::Privileged | MemberScope::PrivilegedAndVolunteer => privileged(u),
                MemberScope::Expired => !privileged(u) && expired(u),
                MemberScope::Trial => false,
                MemberScope::Regular => !privileged(u) && !expired(u),
            })
            .filter_map(|u| {
                let key = match query.sort {
                    MemberSort::JoinTime => u.join_time.as_millisecond().into(),
                    MemberSort::UpdateTime => member_update_time(u, now).as_millisecond().into(),
                    MemberSort::ExpiredTime => u.expired_time?.as_millisecond().into(),
                    MemberSort::Number => i128::from(u.number),
                };
                Some((key, u))
            })
            .filter(|(key, _)| match query.sort {
                MemberSort::Number => match query.page_tag {
                    Some(tag) if query.descending => *key < i128::from(tag),
                    Some(tag) => *key > i128::from(tag),
                    None => true,
                },
                _ => {
                    query.begin.is_none_or(|b| *key >= i128::from(b.as_millisecond()))
                        && query.end.is_none_or(|e| *key <= i128::from(e.as_millisecond()))
                }
            })
            .collect();
        rows.sort_by_key(|(key, u)| (*key, u.user_id));
        if query.descending {
            rows.reverse();
        }
        rows.into_iter().take(query.count).map(|(_, u)| u).collect()
    }

    /// All users by id.
    pub fn users(&self) -> &BTreeMap<u64, PlanetUser> {
        &self.users
    }

    /// One user.
    pub fn user(&self, user_id: u64) -> Option<&PlanetUser> {
        self.users.get(&user_id)
    }

    /// One user, mutable.
    pub fn user_mut(&mut self, user_id: u64) -> Option<&mut PlanetUser> {
        self.users.get_mut(&user_id)
    }

    /// Adds or replaces a user.
    pub fn put_user(&mut self, user: PlanetUser) {
        self.users.insert(user.user_id, user);
    }

    /// Projects by id.
    pub fn projects(&self) -> &BTreeMap<u64, Project> {
        &self.projects
    }

    /// One project.
    pub fn project(&self, checkin_id: u64) -> Option<&Project> {
        self.projects.get(&checkin_id)
    }

    /// One project, mutable.
    pub fn project_mut(&mut self, checkin_id: u64) -> Option<&mut Project> {
        self.projects.get_mut(&checkin_id)
    }

    /// Adds a project.
    pub fn put_project(&mut self, project: Project) {
        self.projects.insert(project.spec.checkin_id, project);
    }

    /// Registers a token.
    pub fn put_token(&mut self, token: impl Into<String>, t: ZsxqToken) {
        self.tokens.insert(token.into(), t);
    }

    /// Looks a token up.
    pub fn token(&self, token: &str) -> Option<&ZsxqToken> {
        self.tokens.get(token)
    }

    /// Makes every token expire at `at`.
    pub fn expire_tokens(&mut self, at: Timestamp) {
        for t in self.tokens.values_mut() {
            t.expires_at = t.expires_at.min(at);
        }
    }

    /// Gives every token `ttl` more life from `now`.
    pub fn renew_tokens(&mut self, now: Timestamp, ttl: SignedDuration) {
        for t in self.tokens.values_mut() {
            t.expires_at = now.checked_add(ttl).unwrap_or(now);
        }
    }

    /// Counts a post for the member summary.
    pub fn count_topic(&mut self, user_id: u64) {
        *self.topic_counts.entry(user_id).or_default() += 1;
    }

    /// Posts by a user across projects.
    pub fn topics_count(&self, user_id: u64) -> u32 {
        self.topic_counts.get(&user_id).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn spec() -> ProjectSpec {
        ProjectSpec {
            checkin_id: 1,
            owner_user_id: 9,
            title: "t".into(),
            text: String::new(),
            checkin_days: 2,
            expiration: Some(ts("2025-11-03T15:59:59.999Z")),
            show_topics_on_timeline: false,
            create_time: ts("2025-10-24T02:00:00Z"),
            min_words_count: 0,
            kind: ProjectKind::Accumulated,
        }
    }

    fn topic(id: u64, user: u64, at: &str) -> Topic {
        Topic {
            topic_id: id,
            user_id: user,
            text: "x".into(),
            images: 0,
            create_time: ts(at),
            likes: 0,
            comments: Vec::new(),
            readers: 0,
        }
    }

    #[test]
    fn topics_stay_sorted_and_page_inclusively() {
        let mut p = Project::new(spec());
        p.add_topic(topic(3, 1, "2025-10-26T01:00:00Z"));
        p.add_topic(topic(1, 2, "2025-10-25T01:00:00Z"));
        p.add_topic(topic(2, 1, "2025-10-25T01:00:00Z"));
        let ids: Vec<u64> = p.topics().iter().map(|t| t.topic_id).collect();
        assert_eq!(ids, [1, 2, 3]);
        let page: Vec<u64> = p.page_before(Some(ts("2025-10-25T01:00:00Z")), 20).iter().map(|t| t.topic_id).collect();
        assert_eq!(page, [2, 1], "end_time is inclusive, newest first");
        assert_eq!(p.page_before(None, 1)[0].topic_id, 3);
        assert!(p.has_topic(2) && !p.has_topic(4));
    }

    #[test]
    fn ranking_counts_days_once_and_breaks_ties_by_first_post() {
        let mut p = Project::new(spec());
        // User 1: two posts on one Shanghai day (23:59:59 and 00:00:01 are different days).
        p.add_topic(topic(1, 1, "2025-10-25T15:59:59Z"));
        p.add_topic(topic(2, 1, "2025-10-25T16:00:01Z"));
        p.add_topic(topic(3, 1, "2025-10-25T17:00:00Z"));
        // User 2: one day, but earlier than user 3.
        p.add_topic(topic(4, 2, "2025-10-25T01:00:00Z"));
        p.add_topic(topic(5, 3, "2025-10-25T02:00:00Z"));
        p.join(4);
        let today = Day::new(2025, 10, 26).unwrap();
        let rows = p.ranking(ProjectKind::Accumulated, today).to_vec();
        assert_eq!(
            rows,
            vec![
                RankRow { rank: 1, user_id: 1, days: 2 },
                RankRow { rank: 2, user_id: 2, days: 1 },
                RankRow { rank: 3, user_id: 3, days: 1 }
            ]
        );
        assert_eq!(p.joined().len(), 4, "a participant without posts is joined but unranked");
        assert_eq!(p.completed_count(), 1);
        assert_eq!(p.checkined_on(Day::new(2025, 10, 26).unwrap()), 1);
        let streaks = p.ranking(ProjectKind::Continuous, today).to_vec();
        assert_eq!(streaks[0], RankRow { rank: 1, user_id: 1, days: 2 });
        assert_eq!(streaks.len(), 3, "yesterday's posters keep a streak of 1");
    }

    fn user(id: u64, number: u32, joined: &str) -> PlanetUser {
        PlanetUser {
            user_id: id,
            name: format!("u{id}"),
            alias: String::new(),
            number,
            join_time: ts(joined),
            exited_at: None,
            location: None,
            description: None,
            expired_time: Some(ts("2026-10-01T00:00:00Z")),
        }
    }

    fn query(count: usize) -> MembersQuery {
        MembersQuery {
            count,
            scope: MemberScope::All,
            sort: MemberSort::JoinTime,
            descending: true,
            begin: None,
            end: None,
            page_tag: None,
            joined: true,
            exited: true,
        }
    }

    #[test]
    fn member_pages_sort_bound_inclusively_and_filter() {
        let mut owner = user(1, 1, "2025-01-01T00:00:00Z");
        owner.expired_time = None;
        let mut p = Planet::new(9, "p", owner);
        p.put_user(user(10, 2, "2025-10-01T00:00:00Z"));
        p.put_user(user(11, 3, "2025-10-01T00:00:00Z"));
        p.put_user(user(12, 4, "2025-10-02T00:00:00Z"));
        let mut gone = user(13, 5, "2025-09-01T00:00:00Z");
        gone.exited_at = Some(ts("2025-10-05T00:00:00Z"));
        p.put_user(gone);
        p.put_user(user(14, 6, "2025-12-01T00:00:00Z"));
        let now = ts("2025-11-01T00:00:00Z");
        let ids_of =
            |p: &Planet, q: &MembersQuery| p.members_page(q, now).iter().map(|u| u.user_id).collect::<Vec<_>>();
        let ids = |q: &MembersQuery| ids_of(&p, q);
        assert_eq!(ids(&query(10)), [12, 11, 10, 13, 1], "newest first, ties by id reversed, not yet joined absent");
        assert_eq!(ids(&query(2)), [12, 11]);
        let q = MembersQuery { end: Some(ts("2025-10-01T00:00:00Z")), ..query(10) };
        assert_eq!(ids(&q), [11, 10, 13, 1], "end_time is inclusive");
        let q = MembersQuery { descending: false, begin: Some(ts("2025-10-01T00:00:00Z")), ..q };
        assert_eq!(ids(&q), [10, 11], "both bounds inclusive, oldest first");
        let q = MembersQuery { joined: false, ..query(10) };
        assert_eq!(ids(&q), [13], "filter=exited");
        let q = MembersQuery { scope: MemberScope::Privileged, ..query(10) };
        assert_eq!(ids(&q), [1]);
        p.set_admin(12, true);
        assert!(p.is_admin(12) && p.is_admin(1) && !p.is_admin(10));
        let q = MembersQuery { scope: MemberScope::Regular, ..query(10) };
        assert_eq!(ids_of(&p, &q), [11, 10, 13]);
    }

    #[test]
    fn status_follows_deadline_and_closing() {
        let mut p = Project::new(spec());
        assert_eq!(p.status(ts("2025-11-03T15:59:59.999Z")), ProjectStatus::Ongoing);
        assert_eq!(p.status(ts("2025-11-03T16:00:00Z")), ProjectStatus::Over);
        p.closed_at = Some(ts("2025-10-30T00:00:00Z"));
        assert_eq!(p.status(ts("2025-10-30T00:00:00Z")), ProjectStatus::Closed);
        assert_eq!(p.status(ts("2025-10-29T00:00:00Z")), ProjectStatus::Ongoing);
    }
}
