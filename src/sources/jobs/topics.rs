//! Walking a project's check-in topics (E14): newest first, page after page, with the
//! `end_time` cursor.
//!
//! The cursor of the next page is the oldest `create_time` of the page just read,
//! **inclusive**: the posts at that instant come back at the top of the next page and
//! are dropped by `topic_id`. zsxq's `end_time` is inclusive and several posts can share
//! one millisecond; the usual "minus 1 ms" cursor would skip the siblings of a boundary
//! post that did not fit on the page. The overlap also proves the next page continues
//! this one: a page without any of the boundary posts (or with posts newer than the
//! cursor) is a repeated or stale answer and is fetched again. Only when a whole page
//! shares one millisecond does the cursor step back 1 ms (the `.000` borrowing from the
//! seconds), with a warning.
//!
//! A walk is incremental (it stops at the newest post of the last completed walk) or
//! full (down to the oldest post; the final sync of a camp is always full). Its state is
//! committed with every page, so a killed walk resumes where it stopped.

use std::collections::HashSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::commit::{Apply, Batcher, CursorOp, Pending};
use super::{Project, SeenUsers, Tally, zsxq_page};
use crate::domain::time::parse_zsxq_time;
use crate::engine::{JobError, Severity};
use crate::records::cursors::{self, CursorKey};
use crate::records::parse::zsxq::{TopicsPage, end_time_before, parse_topics};
use crate::records::{Source, checkins, planet_users};
use crate::sources::retry::{Judgement, fetch_until_accepted};
use crate::sources::zsxq::{TOPICS_PER_PAGE, classify_page_error};

/// Cursor endpoint of a walk in progress.
pub const WALK_ENDPOINT: &str = "checkin_topics";
/// Cursor endpoint of the last completed walk.
pub const SYNCED_ENDPOINT: &str = "checkin_topics_synced";

/// A walk in progress, committed with every page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicWalk {
    /// `end_time` of the next request, as zsxq wrote it (None: the newest page).
    pub end_time: Option<String>,
    /// Topic ids at `end_time` already seen: the next page must repeat one of them.
    pub boundary: Vec<String>,
    /// Stop at or below this `create_time` (the newest post of the last completed walk);
    /// None walks down to the oldest post.
    pub stop_at: Option<String>,
    /// The newest `create_time` seen by this walk.
    pub newest: Option<String>,
    /// Pages committed.
    pub pages: u32,
    /// Whether the walk goes down to the oldest post.
    pub full: bool,
    /// When the walk began.
    pub started_at: Timestamp,
}

impl TopicWalk {
    /// A walk from the newest post down to `stop_at` (None: the oldest).
    pub fn new(stop_at: Option<String>, started_at: Timestamp) -> TopicWalk {
        TopicWalk {
            end_time: None,
            boundary: Vec::new(),
            full: stop_at.is_none(),
            stop_at,
            newest: None,
            pages: 0,
            started_at,
        }
    }
}

/// The last completed walk of a project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicsSynced {
    /// The newest `create_time` seen (the stop line of the next incremental walk).
    pub newest: Option<String>,
    /// Whether it went down to the oldest post.
    pub full: bool,
    /// When it began.
    pub started_at: Timestamp,
    /// When its last page arrived.
    pub completed_at: Timestamp,
}

/// What to do after an accepted page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopicsStep {
    /// The walk is complete.
    Done,
    /// Fetch the page at `end_time` next.
    Next {
        /// The next `end_time`.
        end_time: String,
        /// Topic ids at `end_time` on this page.
        boundary: Vec<String>,
        /// The whole page shared one millisecond: the cursor stepped back 1 ms and
        /// posts of that millisecond beyond the page may be missed.
        forced_gap: bool,
    },
}

fn time(raw: &str) -> Option<Timestamp> {
    parse_zsxq_time(raw).ok()
}

/// Whether `page` answers the request of `walk`.
pub fn judge(walk: &TopicWalk, page: &TopicsPage) -> Judgement {
    let Some(end) = walk.end_time.as_deref() else {
        // The newest page cannot be checked against anything: confirm it.
        return Judgement::Confirm;
    };
    if let Some(end_at) = time(end)
        && let Some(t) = page.topics.iter().find(|t| t.created_at > end_at)
    {
        return Judgement::Reject(format!(
            "topic {} of {} is newer than end_time {end} (a repeated or stale page)",
            t.topic_id, t.created_at_raw
        ));
    }
    if !walk.boundary.is_empty() && !page.topics.iter().any(|t| walk.boundary.iter().any(|b| b == t.topic_id.as_str()))
    {
        // Either a stale page that skipped ahead, or the boundary posts were deleted:
        // accept only an answer that comes back the same twice.
        return Judgement::Confirm;
    }
    Judgement::Accept
}

/// Whether a second answer confirms the first (`earlier`): for the newest page, the
/// later answer still holds the earlier one's newest post (new posts may have arrived);
/// otherwise both list the same topics.
pub fn confirms(walk: &TopicWalk, earlier: &TopicsPage, later: &TopicsPage) -> bool {
    if walk.end_time.is_none() {
        let newest = earlier.topics.iter().max_by_key(|t| t.created_at);
        return match newest {
            None => later.topics.is_empty(),
            Some(n) => later.topics.iter().any(|t| t.topic_id == n.topic_id),
        };
    }
    earlier.topics.iter().map(|t| &t.topic_id).eq(later.topics.iter().map(|t| &t.topic_id))
}

/// The step after an accepted `page` of `walk`.
pub fn next_step(walk: &TopicWalk, page: &TopicsPage) -> TopicsStep {
    if page.topics.len() < TOPICS_PER_PAGE {
        return TopicsStep::Done;
    }
    if let Some(stop) = walk.stop_at.as_deref().and_then(time)
        && page.topics.iter().any(|t| t.created_at <= stop)
    {
        return TopicsStep::Done;
    }
    let Some(oldest) = page.topics.iter().min_by_key(|t| t.created_at) else { return TopicsStep::Done };
    let at = oldest.created_at;
    if walk.end_time.as_deref().and_then(time) == Some(at) {
        let end_time = end_time_before(&oldest.created_at_raw).unwrap_or_else(|_| oldest.created_at_raw.clone());
        return TopicsStep::Next { end_time, boundary: Vec::new(), forced_gap: true };
    }
    let boundary = page.topics.iter().filter(|t| t.created_at == at).map(|t| t.topic_id.to_string()).collect();
    TopicsStep::Next { end_time: oldest.created_at_raw.clone(), boundary, forced_gap: false }
}

/// The newer of two zsxq times.
fn newer(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if time(&y) > time(&x) { y } else { x }),
        (x, y) => x.or(y),
    }
}

/// Drops topics already seen in this walk (and their authors' sightings, which run
/// parallel to the topics).
fn keep_fresh(page: &mut TopicsPage, seen: &mut HashSet<String>) {
    let fresh: Vec<bool> = page.topics.iter().map(|t| seen.insert(t.topic_id.to_string())).collect();
    let mut i = 0;
    page.topics.retain(|_| {
        i += 1;
        fresh[i - 1]
    });
    if page.users.len() == fresh.len() {
        let mut j = 0;
        page.users.retain(|_| {
            j += 1;
            fresh[j - 1]
        });
    }
}

fn apply() -> Apply<TopicsPage> {
    std::sync::Arc::new(|tx, page: &TopicsPage, _| {
        let t = checkins::upsert_topics(tx, &page.topics)?;
        let u = planet_users::record_sightings(tx, &page.users)?;
        // A sighting always moves a user's last_seen: only new users count as changes.
        Ok(t.inserted + t.updated + u.inserted)
    })
}

/// How a walk ended.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkOutcome {
    /// The completed walk.
    pub synced: TopicsSynced,
    /// Topics new to this walk.
    pub topics: u64,
}

/// Walks the topics of `checkin_id`: incrementally, or fully when `full_after` is set
/// (a walk in progress is resumed only if it is full and began at or after that time).
pub(crate) async fn walk(
    project: &Project<'_>,
    full_after: Option<Timestamp>,
    tally: &mut Tally,
    users: &mut SeenUsers,
) -> Result<WalkOutcome, JobError> {
    let Project { ctx, env, client, checkin_id, label } = *project;
    let cid = checkin_id.as_str();
    let walk_key = CursorKey::new(Source::Zsxq, cid, WALK_ENDPOINT);
    let synced_key = CursorKey::new(Source::Zsxq, cid, SYNCED_ENDPOINT);
    let (stored, synced) = {
        let r = env.store.read().map_err(|e| JobError::new(crate::engine::ErrorClass::Internal, e.to_string()))?;
        let stored: Option<TopicWalk> = cursors::get(&r, &walk_key).ok().flatten().map(|(w, _)| w);
        let synced: Option<TopicsSynced> = cursors::get(&r, &synced_key).ok().flatten().map(|(s, _)| s);
        (stored, synced)
    };
    let now = Timestamp::now();
    let mut walk = match (stored, full_after) {
        (Some(w), None) => w,
        (Some(w), Some(after)) if w.full && w.started_at >= after => w,
        (_, Some(_)) => TopicWalk::new(None, now),
        (None, None) => TopicWalk::new(synced.as_ref().and_then(|s| s.newest.clone()), now),
    };
    if walk.pages > 0 {
        tracing::info!(task = %ctx.task(), pages = walk.pages, end_time = ?walk.end_time, "resuming the topic walk");
    }
    let previous_newest = synced.and_then(|s| s.newest);
    let mut seen: HashSet<String> = HashSet::new();
    let mut batch = Batcher::new(apply(), env.pages_per_commit);
    let mut fresh_total = 0;
    loop {
        let step_label = format!("{label}: check-ins, page {}", walk.pages + 1);
        tally.report(ctx, &step_label);
        let what = match &walk.end_time {
            Some(t) => format!("{label}: check-in topics up to {t}"),
            None => format!("{label}: newest check-in topics"),
        };
        let current = walk.clone();
        let (fetched, mut page) = fetch_until_accepted(
            ctx,
            &env.retry,
            &what,
            || async {
                let answer = client.topics_page(ctx, cid, current.end_time.as_deref()).await?;
                zsxq_page(env, client, answer, |b, e| parse_topics(b, checkin_id, e), classify_page_error).await
            },
            |(_, p)| judge(&current, p),
            |(_, a), (_, b)| confirms(&current, a, b),
        )
        .await?;
        if !walk.boundary.is_empty()
            && !page.topics.iter().any(|t| walk.boundary.iter().any(|b| b == t.topic_id.as_str()))
        {
            tracing::warn!(task = %ctx.task(), boundary = ?walk.boundary, "the posts at the page boundary are gone (deleted?)");
        }
        let step = next_step(&walk, &page);
        keep_fresh(&mut page, &mut seen);
        users.keep_new(&mut page.users);
        walk.newest = newer(walk.newest.take(), page.newest_create_time.clone());
        walk.pages += 1;
        let records = page.topics.len() as u64;
        fresh_total += records;
        let mut ops = Vec::new();
        let done = match step {
            TopicsStep::Done => {
                let synced = TopicsSynced {
                    newest: newer(previous_newest.clone(), walk.newest.clone()),
                    full: walk.full,
                    started_at: walk.started_at,
                    completed_at: fetched.fetched_at,
                };
                ops.push(CursorOp::Clear(walk_key.clone()));
                ops.push(CursorOp::put(&synced_key, &synced));
                Some(synced)
            }
            TopicsStep::Next { end_time, boundary, forced_gap } => {
                if forced_gap {
                    let msg = format!(
                        "{label}: more than {TOPICS_PER_PAGE} check-ins of project {cid} share the instant {}; zsxq's \
                         cursor cannot page through them, so some posts of that millisecond may be missing",
                        walk.end_time.as_deref().unwrap_or_default()
                    );
                    tracing::warn!(task = %ctx.task(), "{msg}");
                    ctx.alert(Severity::Warning, msg);
                }
                walk.end_time = Some(end_time);
                walk.boundary = boundary;
                ops.push(CursorOp::put(&walk_key, &walk));
                None
            }
        };
        let pending = Pending { fetched, page, records, cursor: ops };
        let c = batch.push(env, pending).await.map_err(|e| JobError::from(e.into_failure(&what)))?;
        tally.add(c);
        if let Some(synced) = done {
            let c = batch.flush(env).await.map_err(|e| JobError::from(e.into_failure(&what)))?;
            tally.add(c);
            return Ok(WalkOutcome { synced, topics: fresh_total });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::format_zsxq_time;
    use crate::domain::{CheckinId, CheckinTopic, PlanetUserId, SourceRef, TopicId};
    use jiff::SignedDuration;
    use proptest::prelude::*;

    fn topic(id: u64, at: Timestamp) -> CheckinTopic {
        CheckinTopic {
            topic_id: TopicId::new(id.to_string()),
            checkin_id: CheckinId::new("1"),
            user_id: PlanetUserId::new("9"),
            created_at: at,
            created_at_raw: format_zsxq_time(at),
            text: String::new(),
            text_chars: 0,
            images: 0,
            comments: Vec::new(),
            source: SourceRef { raw_id: "r".into(), position: None },
        }
    }

    fn page(topics: Vec<CheckinTopic>) -> TopicsPage {
        let oldest = topics.iter().min_by_key(|t| t.created_at).map(|t| t.created_at_raw.clone());
        let newest = topics.iter().max_by_key(|t| t.created_at).map(|t| t.created_at_raw.clone());
        TopicsPage { topics, users: Vec::new(), oldest_create_time: oldest, newest_create_time: newest }
    }

    /// A server over `all` (sorted newest first) with zsxq's inclusive end_time.
    fn serve(all: &[CheckinTopic], end: Option<&str>) -> TopicsPage {
        let end = end.and_then(time);
        page(all.iter().filter(|t| end.is_none_or(|e| t.created_at <= e)).take(TOPICS_PER_PAGE).cloned().collect())
    }

    /// Walks `all` to completion with the real judge/next_step; returns the ids seen.
    fn run(all: &[CheckinTopic], stop_at: Option<String>) -> Vec<String> {
        let mut walk = TopicWalk::new(stop_at, Timestamp::UNIX_EPOCH);
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for _ in 0..10_000 {
            let mut p = serve(all, walk.end_time.as_deref());
            if let Judgement::Reject(r) = judge(&walk, &p) {
                panic!("a correct page was rejected: {r}");
            }
            let step = next_step(&walk, &p);
            keep_fresh(&mut p, &mut seen);
            out.extend(p.topics.iter().map(|t| t.topic_id.to_string()));
            match step {
                TopicsStep::Done => return out,
                TopicsStep::Next { end_time, boundary, .. } => {
                    walk.end_time = Some(end_time);
                    walk.boundary = boundary;
                }
            }
        }
        panic!("the walk did not end");
    }

    fn at(ms: i64) -> Timestamp {
        "2025-11-01T00:00:00Z".parse::<Timestamp>().unwrap().checked_add(SignedDuration::from_millis(ms)).unwrap()
    }

    #[test]
    fn siblings_of_a_boundary_millisecond_are_not_skipped() {
        // 25 posts; posts 19, 20 and 21 (0-based, newest first) share one millisecond,
        // so the first page ends in the middle of them.
        let mut all: Vec<CheckinTopic> = (0..25).map(|i| topic(1000 - i, at(100_000 - i as i64 * 1000))).collect();
        for (i, t) in all.iter_mut().enumerate().take(22).skip(19) {
            *t = topic(1000 - i as u64, at(80_000));
        }
        let ids = run(&all, None);
        assert_eq!(ids.len(), 25, "{ids:?}");
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 25);
    }

    #[test]
    fn a_whole_page_in_one_millisecond_steps_back_with_a_gap() {
        let mut all: Vec<CheckinTopic> = (0..30).map(|i| topic(500 + i, at(50_000))).collect();
        all.push(topic(1, at(10_000)));
        let mut walk = TopicWalk::new(None, Timestamp::UNIX_EPOCH);
        let first = serve(&all, None);
        let TopicsStep::Next { end_time, .. } = next_step(&walk, &first) else { panic!() };
        walk.end_time = Some(end_time);
        let second = serve(&all, walk.end_time.as_deref());
        match next_step(&walk, &second) {
            TopicsStep::Next { end_time, forced_gap: true, boundary } => {
                assert_eq!(end_time, format_zsxq_time(at(49_999)));
                assert!(boundary.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn incremental_walks_stop_at_the_last_newest_post() {
        let all: Vec<CheckinTopic> = (0..100).map(|i| topic(10_000 - i, at(1_000_000 - i as i64 * 997))).collect();
        let stop = all[45].created_at_raw.clone();
        let ids = run(&all, Some(stop));
        assert!(ids.len() >= 46 && ids.len() < 100, "{}", ids.len());
        assert!(ids.contains(&all[45].topic_id.to_string()));
    }

    #[test]
    fn stale_and_skipping_pages_are_caught() {
        let all: Vec<CheckinTopic> = (0..60).map(|i| topic(900 - i, at(500_000 - i as i64 * 1000))).collect();
        let mut walk = TopicWalk::new(None, Timestamp::UNIX_EPOCH);
        let first = serve(&all, None);
        assert_eq!(judge(&walk, &first), Judgement::Confirm, "the newest page is confirmed by a second fetch");
        let TopicsStep::Next { end_time, boundary, .. } = next_step(&walk, &first) else { panic!() };
        walk.end_time = Some(end_time.clone());
        walk.boundary = boundary;
        // The previous page served again: posts newer than end_time.
        assert!(matches!(judge(&walk, &first), Judgement::Reject(_)));
        // A page further down (someone else's cursor): no overlap with the boundary.
        let skipped = serve(&all, Some(&all[45].created_at_raw));
        assert_eq!(judge(&walk, &skipped), Judgement::Confirm);
        assert!(!confirms(&walk, &skipped, &serve(&all, Some(&end_time))));
        assert_eq!(judge(&walk, &serve(&all, Some(&end_time))), Judgement::Accept);
        // The newest page fetched twice while a post arrived in between still confirms.
        let mut later = all.clone();
        later.insert(0, topic(5000, at(600_000)));
        let fresh = TopicWalk::new(None, Timestamp::UNIX_EPOCH);
        assert!(confirms(&fresh, &first, &serve(&later, None)));
        assert!(!confirms(&fresh, &serve(&all, Some(&all[30].created_at_raw)), &first));
    }

    proptest! {
        #[test]
        fn every_post_is_walked_once(gaps in proptest::collection::vec(0i64..3, 1..200)) {
            // Posts newest first; a gap of 0 puts a post in the previous one's millisecond.
            let mut t = 10_000_000i64;
            let mut all = Vec::new();
            for (i, g) in gaps.iter().enumerate() {
                t -= g;
                all.push(topic(1_000_000 - i as u64, at(t)));
            }
            // No more than a page in one millisecond (zsxq cannot page through that).
            let mut same = 1;
            for w in all.windows(2) {
                same = if w[0].created_at == w[1].created_at { same + 1 } else { 1 };
                prop_assume!(same < TOPICS_PER_PAGE);
            }
            let ids = run(&all, None);
            prop_assert_eq!(ids.len(), all.len());
            prop_assert_eq!(ids.iter().collect::<HashSet<_>>().len(), all.len());
        }
    }
}
