//! The planet's member list (E4, `zsxq/members` task): every member's number (成员编号),
//! name, 星球名片, join time and whether they left, recorded as planet-user sightings.
//! The member export the owner imports is keyed by that number, so its rows (and their
//! 微信昵称) join planet users only once this walk has run.
//!
//! The walk goes newest first (`sort=join_time`, `order=desc`, 200 per page) with an
//! `end_time` cursor. zsxq's `end_time` is inclusive and several members can share one
//! millisecond, so the cursor is the oldest `join_time` of the page *itself*: the members
//! at that instant come back at the top of the next page and are dropped by `user_id`,
//! and no one who shares the boundary millisecond but did not fit on the page is skipped
//! (the usual "minus 1 ms" would skip them). The overlap also proves the next page
//! continues this one. When a whole page shares one millisecond (the cursor cannot move),
//! the same instant is read from the other end (`order=asc`, `begin_time = end_time =`
//! that instant); if the two ends overlap, everyone of that millisecond was seen,
//! otherwise the run says how many may be missing. Then the cursor steps 1 ms below.
//! The walk stops on a short or empty page. Every page is archived, parsed and committed
//! with its cursor, so a killed walk resumes.
//!
//! Afterwards, check-in participants of running camps still without a number are looked
//! up one by one with the member summary (E6), at most [`SUMMARY_CAP`] per run.
//!
//! Only the owner and admins may list members: another account's token gets a clear
//! configuration error for this task alone; the rest of the sync goes on.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::commit::{self, Apply, Batcher, CursorOp, Pending};
use super::{JobEnv, Tally, internal, zsxq_page};
use crate::domain::time::{format_zsxq_time, parse_zsxq_time};
use crate::engine::{ErrorClass, JobError, RunContext, RunCounts, Severity, SyncJob, TaskId};
use crate::records::cursors::{self, CursorKey};
use crate::records::parse::PageError;
use crate::records::parse::zsxq::{MembersPage, parse_member_summary, parse_members};
use crate::records::planet_users;
use crate::records::{Source, checkins, ranking};
use crate::sources::retry::{Failure, Judgement, fetch_until_accepted, with_retries};
use crate::sources::zsxq::{MEMBERS_PER_PAGE, MemberOrder, ZsxqClient, classify_page_error};

/// Cursor endpoint of a walk in progress (scope: the planet's group id).
pub const ENDPOINT: &str = "members";
/// The task's part name (`zsxq/members`).
pub const PART: &str = "members";
/// A walk interrupted longer ago than this starts again from the newest member.
pub const RESUME_WITHIN: SignedDuration = SignedDuration::from_hours(6);
/// Member summaries (E6) asked for per run, for participants still without a number.
pub const SUMMARY_CAP: usize = 30;

/// A member walk in progress, committed with every page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberWalk {
    /// `end_time` of the next request (inclusive; None: the newest page).
    pub end_time: Option<String>,
    /// Members at `end_time` already seen: the next page must repeat one of them.
    pub boundary: Vec<String>,
    /// Pages committed.
    pub pages: u32,
    /// Members recorded.
    pub members: u64,
    /// When the walk began.
    pub started_at: Timestamp,
}

impl MemberWalk {
    /// A walk from the newest member.
    pub fn new(started_at: Timestamp) -> MemberWalk {
        MemberWalk { end_time: None, boundary: Vec::new(), pages: 0, members: 0, started_at }
    }
}

/// What to do after an accepted page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MembersStep {
    /// The list is complete.
    Done,
    /// Fetch the page at `end_time` (inclusive) next.
    Next {
        /// The next `end_time`.
        end_time: String,
        /// Member ids at `end_time` on this page.
        boundary: Vec<String>,
    },
    /// The whole (full) page joined at one instant: read that instant from the other end.
    Tie {
        /// The shared `join_time`.
        at: Timestamp,
    },
    /// A full page without any `join_time`: the cursor cannot move.
    Stuck,
}

fn time(raw: &str) -> Option<Timestamp> {
    parse_zsxq_time(raw).ok()
}

/// The step after an accepted `page` of `count` requested rows.
pub fn next_step(page: &MembersPage, count: usize) -> MembersStep {
    if page.members.len() < count {
        return MembersStep::Done;
    }
    let times = page.members.iter().filter_map(|m| m.joined_planet_at);
    let (Some(oldest), Some(newest)) = (times.clone().min(), times.max()) else { return MembersStep::Stuck };
    if oldest == newest {
        return MembersStep::Tie { at: oldest };
    }
    let boundary =
        page.members.iter().filter(|m| m.joined_planet_at == Some(oldest)).map(|m| m.user_id.to_string()).collect();
    MembersStep::Next { end_time: format_zsxq_time(oldest), boundary }
}

/// Whether `page` answers the request of `walk`.
pub fn judge(walk: &MemberWalk, page: &MembersPage) -> Judgement {
    let Some(end) = walk.end_time.as_deref() else {
        // The newest page cannot be checked against anything: confirm it.
        return Judgement::Confirm;
    };
    if let Some(end_at) = time(end)
        && let Some(m) = page.members.iter().find(|m| m.joined_planet_at.is_some_and(|t| t > end_at))
    {
        return Judgement::Reject(format!(
            "member {} joined after end_time {end} (a repeated or stale page)",
            m.user_id
        ));
    }
    if !walk.boundary.is_empty() && !page.members.iter().any(|m| walk.boundary.iter().any(|b| b == m.user_id.as_str()))
    {
        // A stale page that skipped ahead, or the boundary members are gone: accept only
        // an answer that comes back the same twice.
        return Judgement::Confirm;
    }
    Judgement::Accept
}

/// Whether a second answer confirms the first (`earlier`): for the newest page, the
/// later answer still holds the earlier one's newest member (someone may have joined
/// meanwhile); otherwise both list the same members.
pub fn confirms(walk: &MemberWalk, earlier: &MembersPage, later: &MembersPage) -> bool {
    if walk.end_time.is_none() {
        let newest = earlier.members.iter().max_by_key(|m| m.joined_planet_at);
        return match newest {
            None => later.members.is_empty(),
            Some(n) => later.members.iter().any(|m| m.user_id == n.user_id),
        };
    }
    same_members(earlier, later)
}

fn same_members(a: &MembersPage, b: &MembersPage) -> bool {
    a.members.iter().map(|m| &m.user_id).eq(b.members.iter().map(|m| &m.user_id))
}

/// Whether the members of one instant read from both ends (`desc` and `asc`, each at most
/// `count`) cover everyone of that instant: either end came back short, or they overlap.
pub fn tie_complete(desc: &MembersPage, asc: &MembersPage, count: usize) -> bool {
    if desc.members.len() < count || asc.members.len() < count {
        return true;
    }
    let seen: HashSet<&str> = desc.members.iter().map(|m| m.user_id.as_str()).collect();
    asc.members.iter().any(|m| seen.contains(m.user_id.as_str()))
}

/// Drops members already recorded by this walk.
fn keep_fresh(page: &mut MembersPage, seen: &mut HashSet<String>) {
    page.members.retain(|m| seen.insert(m.user_id.to_string()));
}

/// What a member page changes that matters to readers (the number, names, the planet
/// exit); `last_seen` alone does not count.
fn apply() -> Apply<MembersPage> {
    Arc::new(|tx, page: &MembersPage, _| {
        let mut before = Vec::with_capacity(page.members.len());
        for m in &page.members {
            before.push(planet_users::planet_user(tx, m.user_id.as_str())?);
        }
        planet_users::record_sightings(tx, &page.members)?;
        let mut changed = 0;
        for (m, old) in page.members.iter().zip(before) {
            let new = planet_users::planet_user(tx, m.user_id.as_str())?;
            let key = |u: &Option<crate::domain::PlanetUser>| {
                u.as_ref().map(|u| (u.number.clone(), u.name.clone(), u.alias.clone(), u.left_planet_at.is_some()))
            };
            if key(&old) != key(&new) {
                changed += 1;
            }
        }
        Ok(changed)
    })
}

/// The planet's member list (`zsxq/members` task).
pub struct PlanetMembersJob {
    env: Arc<JobEnv>,
    client: Arc<ZsxqClient>,
}

impl PlanetMembersJob {
    /// The task over `client`.
    pub(crate) fn new(env: Arc<JobEnv>, client: Arc<ZsxqClient>) -> PlanetMembersJob {
        PlanetMembersJob { env, client }
    }

    fn cursor_key(&self) -> CursorKey {
        CursorKey::new(Source::Zsxq, self.client.group_id(), ENDPOINT)
    }

    async fn run_inner(&self, ctx: &RunContext) -> Result<RunCounts, JobError> {
        let mut tally = Tally::default();
        self.walk(ctx, &mut tally).await?;
        self.summaries(ctx, &mut tally).await?;
        Ok(tally.counts())
    }

    /// Fetches one page of the walk (desc from `walk.end_time`), checked against the walk.
    async fn page(&self, ctx: &RunContext, walk: &MemberWalk) -> Result<(commit::Fetched, MembersPage), JobError> {
        let env = &*self.env;
        let what = match &walk.end_time {
            Some(t) => format!("planet members who joined up to {t}"),
            None => "newest planet members".to_string(),
        };
        fetch_until_accepted(
            ctx,
            &env.retry,
            &what,
            || async {
                let answer = self
                    .client
                    .members_page(ctx, MEMBERS_PER_PAGE, MemberOrder::Desc, None, walk.end_time.as_deref())
                    .await?;
                zsxq_page(env, &self.client, answer, parse_members, classify_members_error).await
            },
            |(_, p)| judge(walk, p),
            |(_, a), (_, b)| confirms(walk, a, b),
        )
        .await
    }

    /// The members who joined at `at`, read oldest first (the other end of a tie).
    async fn tie_page(&self, ctx: &RunContext, at: Timestamp) -> Result<(commit::Fetched, MembersPage), JobError> {
        let env = &*self.env;
        let raw = format_zsxq_time(at);
        let what = format!("planet members who joined at {raw}");
        fetch_until_accepted(
            ctx,
            &env.retry,
            &what,
            || async {
                let answer =
                    self.client.members_page(ctx, MEMBERS_PER_PAGE, MemberOrder::Asc, Some(&raw), Some(&raw)).await?;
                zsxq_page(env, &self.client, answer, parse_members, classify_members_error).await
            },
            |(_, p)| match p.members.iter().find(|m| m.joined_planet_at != Some(at)) {
                Some(m) => {
                    Judgement::Reject(format!("member {} did not join at {raw} (a repeated or stale page)", m.user_id))
                }
                // A page of one instant cannot be told from a repeated one: confirm it.
                None => Judgement::Confirm,
            },
            |(_, a), (_, b)| same_members(a, b),
        )
        .await
    }

    async fn walk(&self, ctx: &RunContext, tally: &mut Tally) -> Result<(), JobError> {
        let env = &*self.env;
        let key = self.cursor_key();
        let now = Timestamp::now();
        let stored: Option<(MemberWalk, Timestamp)> = {
            let r = env.store.read().map_err(|e| internal(e.to_string()))?;
            cursors::get(&r, &key).ok().flatten()
        };
        let mut walk = match stored {
            Some((w, at)) if now.duration_since(at) < RESUME_WITHIN => {
                tracing::info!(task = %ctx.task(), pages = w.pages, end_time = ?w.end_time, "resuming the member list");
                w
            }
            _ => MemberWalk::new(now),
        };
        let mut seen: HashSet<String> = walk.boundary.iter().cloned().collect();
        let mut batch = Batcher::new(apply(), env.pages_per_commit);
        loop {
            tally.report(ctx, &format!("planet members, page {}", walk.pages + 1));
            let (fetched, mut page) = self.page(ctx, &walk).await?;
            let step = next_step(&page, MEMBERS_PER_PAGE);
            let mut extra = None;
            let next = match step {
                MembersStep::Done => None,
                MembersStep::Next { end_time, boundary } => Some((end_time, boundary)),
                MembersStep::Stuck => {
                    return Err(JobError::new(
                        ErrorClass::Data,
                        format!(
                            "planet members: a full page of {MEMBERS_PER_PAGE} members without any join_time; the \
                             list cannot be paged"
                        ),
                    ));
                }
                MembersStep::Tie { at } => {
                    let (tie_fetched, tie) = self.tie_page(ctx, at).await?;
                    if !tie_complete(&page, &tie, MEMBERS_PER_PAGE) {
                        let msg = format!(
                            "{} or more planet members joined at the same instant {}; zsxq's member list cannot \
                             page through them, so some of their member numbers may be missing (check-in \
                             participants of running camps among them are looked up one by one)",
                            2 * MEMBERS_PER_PAGE,
                            format_zsxq_time(at)
                        );
                        tracing::warn!(task = %ctx.task(), "{msg}");
                        ctx.alert(Severity::Warning, msg);
                    }
                    extra = Some((tie_fetched, tie));
                    let below = at.checked_sub(SignedDuration::from_millis(1)).map_err(|e| internal(e.to_string()))?;
                    Some((format_zsxq_time(below), Vec::new()))
                }
            };
            keep_fresh(&mut page, &mut seen);
            walk.pages += 1;
            walk.members += page.members.len() as u64;
            let mut pages = vec![(fetched, page)];
            if let Some((f, mut tie)) = extra {
                keep_fresh(&mut tie, &mut seen);
                walk.members += tie.members.len() as u64;
                pages.push((f, tie));
            }
            let done = next.is_none();
            let last = pages.len() - 1;
            for (i, (fetched, page)) in pages.into_iter().enumerate() {
                let mut ops = Vec::new();
                if i == last {
                    match &next {
                        None => ops.push(CursorOp::Clear(key.clone())),
                        Some((end_time, boundary)) => {
                            walk.end_time = Some(end_time.clone());
                            walk.boundary = boundary.clone();
                            ops.push(CursorOp::put(&key, &walk));
                        }
                    }
                }
                let records = page.members.len() as u64;
                let what = format!("planet members, page {}", walk.pages);
                let pending = Pending { fetched, page, records, cursor: ops };
                tally.add(batch.push(env, pending).await.map_err(|e| JobError::from(e.into_failure(&what)))?);
            }
            if done {
                tally.add(batch.flush(env).await.map_err(|e| JobError::from(e.into_failure("planet members")))?);
                tracing::info!(task = %ctx.task(), pages = walk.pages, members = walk.members, "member list synced");
                return Ok(());
            }
        }
    }

    /// Check-in participants of running camps without a member number, at most [`SUMMARY_CAP`].
    fn numberless_participants(&self) -> Result<Vec<String>, JobError> {
        let env = &*self.env;
        let today = env.config.day_rule.day_of(Timestamp::now());
        let r = env.store.read().map_err(|e| internal(e.to_string()))?;
        let mut wanted = BTreeSet::new();
        for camp in &env.config.camps {
            let Some(cid) = &camp.checkin_id else { continue };
            if today < camp.start || today > camp.end.plus_days(i32::try_from(camp.makeup_days).unwrap_or(i32::MAX)) {
                continue;
            }
            let topics = checkins::topics(&r, cid.as_str()).map_err(|e| internal(e.to_string()))?;
            let rows = ranking::ranking(&r, cid.as_str()).map_err(|e| internal(e.to_string()))?;
            let ids = topics.iter().map(|t| t.user_id.as_str()).chain(rows.iter().map(|e| e.user_id.as_str()));
            for id in ids {
                if wanted.contains(id) {
                    continue;
                }
                let user = planet_users::planet_user(&r, id).map_err(|e| internal(e.to_string()))?;
                if user.is_none_or(|u| u.number.is_none()) {
                    wanted.insert(id.to_string());
                }
            }
        }
        Ok(wanted.into_iter().take(SUMMARY_CAP).collect())
    }

    /// Looks participants without a number up one by one (E6).
    async fn summaries(&self, ctx: &RunContext, tally: &mut Tally) -> Result<(), JobError> {
        let env = &*self.env;
        let ids = self.numberless_participants()?;
        for (i, id) in ids.iter().enumerate() {
            tally.report(ctx, &format!("member summaries, {} of {}", i + 1, ids.len()));
            let what = format!("planet member {id}: summary");
            let got = with_retries(ctx, &env.retry, &what, || async {
                let answer = self.client.member_summary(ctx, id).await?;
                let parsed = zsxq_page(env, &self.client, answer, parse_member_summary, classify_page_error).await;
                match parsed {
                    // Not (or no longer) a member zsxq can show.
                    Err(f) if f.code == Some(1007) => Ok(None),
                    other => other.map(Some),
                }
            })
            .await?;
            let Some((fetched, sighting)) = got else {
                tracing::info!(task = %ctx.task(), user_id = %id, "zsxq has no member summary for this participant");
                continue;
            };
            if sighting.user_id.as_str() != id {
                return Err(JobError::new(
                    ErrorClass::Data,
                    format!("{what}: zsxq answered with member {}", sighting.user_id),
                ));
            }
            let page = MembersPage { members: vec![sighting] };
            let pending = Pending { fetched, page, records: 1, cursor: Vec::new() };
            tally.add(
                commit::commit(env, vec![pending], apply()).await.map_err(|e| JobError::from(e.into_failure(&what)))?,
            );
        }
        Ok(())
    }
}

/// Classifies a member-list page that did not parse: a refusal for want of rights is a
/// configuration problem the owner fixes with an owner/admin token; the rest as usual.
pub fn classify_members_error(e: &PageError) -> Failure {
    match e {
        PageError::Api { code, message, .. } if *code == 1030 || message.contains("权限") => Failure::config(format!(
            "the member list needs an owner/admin token (zsxq answered {code} {message}): put the planet owner's or \
             an admin's token in zsxq.token; until then member numbers (成员编号) are not learned and member-export \
             rows do not join planet users (check-ins still sync)"
        ))
        .with_code(*code),
        other => classify_page_error(other),
    }
}

impl SyncJob for PlanetMembersJob {
    fn id(&self) -> TaskId {
        TaskId::part("zsxq", PART)
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(self.run_inner(ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PlanetUserId, SourceRef};
    use crate::records::planet_users::PlanetUserSighting;
    use proptest::prelude::*;

    fn member(id: u64, at: Timestamp) -> PlanetUserSighting {
        PlanetUserSighting {
            user_id: PlanetUserId::new(id.to_string()),
            name: Some(format!("m{id}")),
            alias: None,
            number: Some(id.to_string()),
            wechat_name: None,
            joined_planet_at: Some(at),
            exited: Some(false),
            seen_at: Timestamp::UNIX_EPOCH,
            source: SourceRef { raw_id: "r".into(), position: None },
        }
    }

    /// A server over `all` with zsxq's inclusive bounds; ties ordered by id (reversed for desc).
    fn serve(
        all: &[PlanetUserSighting],
        count: usize,
        desc: bool,
        begin: Option<&str>,
        end: Option<&str>,
    ) -> MembersPage {
        let (begin, end) = (begin.and_then(time), end.and_then(time));
        let mut rows: Vec<PlanetUserSighting> = all
            .iter()
            .filter(|m| {
                let t = m.joined_planet_at.unwrap();
                begin.is_none_or(|b| t >= b) && end.is_none_or(|e| t <= e)
            })
            .cloned()
            .collect();
        rows.sort_by_key(|m| (m.joined_planet_at, m.user_id.as_str().parse::<u64>().unwrap()));
        if desc {
            rows.reverse();
        }
        rows.truncate(count);
        MembersPage { members: rows }
    }

    /// Walks `all` to completion with the real judge/next_step/tie logic; returns the ids
    /// seen and whether a tie was reported incomplete.
    fn run(all: &[PlanetUserSighting], count: usize) -> (BTreeSet<String>, bool) {
        let mut walk = MemberWalk::new(Timestamp::UNIX_EPOCH);
        let mut seen = HashSet::new();
        let mut gap = false;
        for _ in 0..10_000 {
            let mut p = serve(all, count, true, None, walk.end_time.as_deref());
            if let Judgement::Reject(r) = judge(&walk, &p) {
                panic!("a correct page was rejected: {r}");
            }
            let step = next_step(&p, count);
            keep_fresh(&mut p, &mut seen);
            match step {
                MembersStep::Done => return (seen.into_iter().collect(), gap),
                MembersStep::Stuck => panic!("every member has a join_time"),
                MembersStep::Next { end_time, boundary } => {
                    walk.end_time = Some(end_time);
                    walk.boundary = boundary;
                }
                MembersStep::Tie { at } => {
                    let raw = format_zsxq_time(at);
                    let desc = serve(all, count, true, None, Some(&raw));
                    let mut asc = serve(all, count, false, Some(&raw), Some(&raw));
                    gap |= !tie_complete(&desc, &asc, count);
                    keep_fresh(&mut asc, &mut seen);
                    walk.end_time = Some(format_zsxq_time(at.checked_sub(SignedDuration::from_millis(1)).unwrap()));
                    walk.boundary = Vec::new();
                }
            }
        }
        panic!("the walk did not end");
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(1_760_000_000_000 + ms).unwrap()
    }

    #[test]
    fn members_sharing_the_boundary_millisecond_are_not_skipped() {
        // 5 members at t=10 straddle the first page boundary (page of 4).
        let mut all: Vec<_> = (0..3).map(|i| member(100 + i, at(20 + i as i64))).collect();
        all.extend((0..5).map(|i| member(200 + i, at(10))));
        all.extend((0..3).map(|i| member(300 + i, at(i as i64))));
        let (ids, gap) = run(&all, 4);
        assert_eq!(ids.len(), all.len());
        assert!(!gap);
    }

    #[test]
    fn a_tie_larger_than_a_page_is_read_from_both_ends() {
        let mut all: Vec<_> = (0..7).map(|i| member(500 + i, at(50))).collect();
        all.push(member(1, at(1)));
        let (ids, gap) = run(&all, 4);
        assert_eq!(ids.len(), 8, "7 in one millisecond with pages of 4: both ends overlap");
        assert!(!gap);
        let many: Vec<_> = (0..9).map(|i| member(500 + i, at(50))).collect();
        let (ids, gap) = run(&many, 4);
        assert_eq!(ids.len(), 8, "9 in one millisecond: only 2 × 4 can be read");
        assert!(gap, "and the gap is reported");
    }

    #[test]
    fn stale_pages_are_refused_and_unchecked_ones_confirmed() {
        let walk = MemberWalk {
            end_time: Some(format_zsxq_time(at(10))),
            boundary: vec!["7".into()],
            ..MemberWalk::new(Timestamp::UNIX_EPOCH)
        };
        let newer = MembersPage { members: vec![member(7, at(10)), member(8, at(11))] };
        assert!(matches!(judge(&walk, &newer), Judgement::Reject(_)));
        let continues = MembersPage { members: vec![member(7, at(10)), member(6, at(9))] };
        assert_eq!(judge(&walk, &continues), Judgement::Accept);
        let skipped = MembersPage { members: vec![member(6, at(9))] };
        assert_eq!(judge(&walk, &skipped), Judgement::Confirm);
        assert_eq!(judge(&MemberWalk::new(Timestamp::UNIX_EPOCH), &continues), Judgement::Confirm);
        let no_times = MembersPage { members: vec![PlanetUserSighting { joined_planet_at: None, ..member(1, at(0)) }] };
        assert_eq!(next_step(&no_times, 1), MembersStep::Stuck);
        assert_eq!(next_step(&no_times, 2), MembersStep::Done, "a short page ends the walk");
    }

    #[test]
    fn a_refusal_for_want_of_rights_is_a_configuration_problem() {
        let e = PageError::Api { platform: "zsxq", code: 1030, message: "没有权限".into() };
        let f = classify_members_error(&e);
        assert_eq!(f.class, ErrorClass::Config);
        assert!(f.message.contains("owner/admin token") && f.message.contains("1030"), "{}", f.message);
        let busy = PageError::Api { platform: "zsxq", code: 1059, message: "内部错误".into() };
        assert_eq!(classify_members_error(&busy).class, ErrorClass::Retryable);
    }

    proptest! {
        #[test]
        fn walks_see_every_member_when_no_instant_holds_more_than_two_pages(
            (count, sizes) in (2usize..9).prop_flat_map(|count| (Just(count), prop::collection::vec(1..=2 * count, 1..40))),
        ) {
            let mut all = Vec::new();
            for (instant, size) in sizes.iter().enumerate() {
                for _ in 0..*size {
                    all.push(member(1000 + all.len() as u64, at(instant as i64)));
                }
            }
            let (ids, gap) = run(&all, count);
            prop_assert_eq!(ids.len(), all.len());
            // Exactly two pages in one instant cannot be told from more: warned, though complete.
            prop_assert_eq!(gap, sizes.contains(&(2 * count)));
        }
    }
}
