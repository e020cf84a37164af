//! Fetching a project's complete accumulated ranking list (E13): pages of 21 from
//! `index = 0`, the next `index` being the last row's `rankings`, until a short or
//! empty page. Every page must start at rank `index + 1` (anything else is a repeated
//! or stale page and is fetched again), so no row is skipped or doubled; an empty page
//! is accepted only when a second fetch agrees. The records layer stages the pages and
//! swaps in the whole list when the last one arrives; when the list moves while it is
//! fetched (people check in meanwhile), the fetch starts again from `index = 0`. Pages
//! are committed one by one, or several per transaction in bulk mode.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::commit::{Apply, Batcher, CommitError, CursorOp, Pending, Relabel};
use super::{Project, SeenUsers, Tally, zsxq_page};
use crate::domain::CheckinId;
use crate::engine::{ErrorClass, JobError};
use crate::records::cursors::{self, CursorKey, RankingCursor};
use crate::records::parse::zsxq::{ParsedRanking, RANKING_PAGE_SIZE, parse_ranking};
use crate::records::ranking::{self, RankingProgress};
use crate::records::{RecordsError, Source, planet_users};
use crate::sources::retry::{Judgement, fetch_until_accepted};
use crate::sources::zsxq::classify_page_error;

/// Cursor endpoint of a ranking fetch in progress.
pub const ENDPOINT: &str = "ranking_list";
/// A fetch interrupted longer ago than this starts again (the list moves daily).
pub const RESUME_WITHIN: SignedDuration = SignedDuration::from_hours(1);
/// Fresh starts allowed when the list moves while it is fetched.
const MAX_RESTARTS: u32 = 3;

/// Whether `page`, fetched at `index`, continues the list.
pub fn judge(index: u32, page: &ParsedRanking) -> Judgement {
    if page.rows.is_empty() {
        return Judgement::Confirm;
    }
    for (i, row) in page.rows.iter().enumerate() {
        let expected = index + i as u32 + 1;
        if row.rank != expected {
            return Judgement::Reject(format!(
                "the page at index {index} holds rank {} where rank {expected} belongs (a repeated or stale page)",
                row.rank
            ));
        }
    }
    Judgement::Accept
}

/// A ranking page with the index it was fetched at.
#[derive(Debug)]
struct RankingPageAt {
    index: u32,
    parsed: ParsedRanking,
}

impl Relabel for RankingPageAt {
    fn relabel(&mut self, raw_id: &str) {
        self.parsed.relabel(raw_id);
    }
}

fn apply(checkin_id: CheckinId) -> Apply<RankingPageAt> {
    Arc::new(move |tx, p: &RankingPageAt, entry| {
        let page = p.parsed.clone().into_page(&checkin_id, p.index, entry.fetched_at);
        let progress = ranking::ingest_page(tx, &page)?;
        let users = planet_users::record_sightings(tx, &p.parsed.users)?;
        let rows = match progress {
            RankingProgress::Staged { .. } => 0,
            RankingProgress::Replaced { stats, removed, .. } => stats.inserted + stats.updated + removed,
        };
        Ok(rows + users.inserted)
    })
}

/// How the fetch ended.
#[derive(Clone, Debug, PartialEq)]
pub struct RankingOutcome {
    /// Rows in the list.
    pub rows: u32,
    /// When its first page was fetched.
    pub started_at: Timestamp,
}

/// Fetches the whole list. With `fresh` the fetch starts at `index = 0` even when an
/// interrupted one could be resumed (the final sync wants a list fetched after its due time).
pub(crate) async fn fetch(
    project: &Project<'_>,
    fresh: bool,
    tally: &mut Tally,
    users: &mut SeenUsers,
) -> Result<RankingOutcome, JobError> {
    let Project { ctx, env, client, checkin_id, label } = *project;
    let cid = checkin_id.as_str();
    let key = CursorKey::new(Source::Zsxq, cid, ENDPOINT);
    let internal = |e: String| JobError::new(ErrorClass::Internal, e);
    let mut index = {
        let r = env.store.read().map_err(|e| internal(e.to_string()))?;
        match cursors::get::<RankingCursor>(&r, &key).ok().flatten() {
            Some((c, at)) if !fresh && c.index > 0 && Timestamp::now().duration_since(at) < RESUME_WITHIN => {
                tracing::info!(task = %ctx.task(), index = c.index, "resuming the ranking list");
                c.index
            }
            _ => 0,
        }
    };
    let apply = apply(checkin_id.clone());
    let mut batch = Batcher::new(apply.clone(), env.pages_per_commit);
    let mut restarts = 0;
    loop {
        tally.report(ctx, &format!("{label}: ranking from rank {}", index + 1));
        let what = format!("{label}: ranking list at index {index}");
        let at = index;
        let (fetched, parsed) = fetch_until_accepted(
            ctx,
            &env.retry,
            &what,
            || async {
                let answer = client.ranking_page(ctx, cid, at).await?;
                zsxq_page(env, client, answer, |b, e| parse_ranking(b, checkin_id, e), classify_page_error).await
            },
            |(_, p)| judge(at, p),
            |(_, a), (_, b)| a.rows.is_empty() && b.rows.is_empty(),
        )
        .await?;
        let mut parsed = parsed;
        users.keep_new(&mut parsed.users);
        let last = parsed.rows.len() < RANKING_PAGE_SIZE;
        let next = index + parsed.rows.len() as u32;
        let op = if last { CursorOp::Clear(key.clone()) } else { CursorOp::put(&key, &RankingCursor { index: next }) };
        let records = parsed.rows.len() as u64;
        let pending = Pending { fetched, page: RankingPageAt { index, parsed }, records, cursor: vec![op] };
        let committed = match batch.push(env, pending).await {
            Ok(c) if last => batch.flush(env).await.map(|more| {
                let mut all = c;
                all.add(more);
                all
            }),
            other => other,
        };
        match committed {
            Ok(c) => tally.add(c),
            Err(CommitError::Records { error: RecordsError::Conflict(reason), .. }) if restarts < MAX_RESTARTS => {
                restarts += 1;
                batch = Batcher::new(apply.clone(), env.pages_per_commit);
                tracing::info!(task = %ctx.task(), %reason, "the ranking list moved while it was fetched; starting again");
                index = 0;
                continue;
            }
            Err(CommitError::Records { error: RecordsError::Conflict(reason), .. }) => {
                return Err(JobError::retryable(format!(
                    "{label}: the ranking list kept changing while it was fetched ({reason})"
                )));
            }
            Err(e) => return Err(e.into_failure(&what).into()),
        }
        if last {
            let meta = {
                let r = env.store.read().map_err(|e| internal(e.to_string()))?;
                ranking::ranking_meta(&r, cid).map_err(|e| internal(e.to_string()))?
            };
            return match meta {
                Some(m) => Ok(RankingOutcome { rows: m.rows, started_at: m.started_at }),
                None => Err(internal(format!("{label}: the ranking list was stored but cannot be read back"))),
            };
        }
        index = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PlanetUserId, RankingEntry, SourceRef};

    fn page(ranks: std::ops::Range<u32>) -> ParsedRanking {
        ParsedRanking {
            rows: ranks
                .map(|r| RankingEntry {
                    checkin_id: CheckinId::new("1"),
                    user_id: PlanetUserId::new(format!("u{r}")),
                    rank: r,
                    checkined_days: 3,
                    fetched_at: Timestamp::UNIX_EPOCH,
                    source: SourceRef { raw_id: "r".into(), position: None },
                })
                .collect(),
            users: Vec::new(),
        }
    }

    #[test]
    fn pages_must_continue_the_list() {
        assert_eq!(judge(0, &page(1..22)), Judgement::Accept);
        assert_eq!(judge(21, &page(22..30)), Judgement::Accept, "a short last page");
        assert!(matches!(judge(21, &page(1..22)), Judgement::Reject(_)), "the first page served again");
        assert!(matches!(judge(0, &page(43..64)), Judgement::Reject(_)), "someone else's index");
        assert!(matches!(judge(21, &page(23..44)), Judgement::Reject(_)), "rank 22 skipped");
        assert_eq!(judge(42, &page(0..0)), Judgement::Confirm, "an empty end is confirmed");
    }
}
