//! The WeCom bills task (all camps): `externalpay/get_bill_list` over windows of at
//! most 28 days (WeCom allows one month) from a month before the earliest enrolment of
//! any configured camp up to now, each window paged by cursor (1000 bills a page) until
//! `next_cursor` is missing or empty. Every run walks every window again: refunds change
//! old payments (`refund_list`, `total_refund_fee`). The position (window and cursor) is
//! committed with every page, so a killed run resumes inside the window it was in (a page
//! cursor older than an hour is not trusted: its window is read again from the start).
//!
//! A page must fit its request: every bill inside the window, and never the cursor it
//! was asked with as its `next_cursor` (that is the previous page served again). An
//! empty first page that ends its window is accepted only when a second fetch agrees.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::Timestamp;

use super::commit::{self, Apply, Batcher, CursorOp, Fetched, Pending};
use super::finals::{self, FinalPart};
use super::{JobEnv, Tally, internal};
use crate::domain::DayCutoff;
use crate::engine::{JobError, RunContext, RunCounts, SyncJob, TaskId};
use crate::records::cursors::{self, BillCursor, CursorKey};
use crate::records::parse::wecom::{BillPage, parse_bills};
use crate::records::payments::{self, Bill};
use crate::records::{Source, UpsertStats};
use crate::sources::retry::{Judgement, fetch_until_accepted};
use crate::sources::wecom::{WecomClient, classify_page_error};

/// Longest window, in seconds (28 days: within one month whatever the month).
pub const WINDOW_SECS: i64 = 28 * 86_400;
/// Bills are read from this many days before the earliest enrolment day, so early
/// payments are seen (and flagged) rather than missed.
pub const LOOKBACK_DAYS: i32 = 30;
/// Cursor endpoint.
pub const ENDPOINT: &str = "get_bill_list";
/// A page cursor older than this is not reused; its window is read again from the start.
pub const CURSOR_FRESH: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// Windows `[begin, end]` covering `from..=to`, each at most `max_len` seconds, each
/// starting where the previous ends (a bill at the shared second is read twice and
/// stored once). Empty when `to < from`.
pub fn windows(from: i64, to: i64, max_len: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    if to < from || max_len <= 0 {
        return out;
    }
    let mut begin = from;
    loop {
        let end = begin.saturating_add(max_len).min(to);
        out.push((begin, end));
        if end >= to {
            return out;
        }
        begin = end;
    }
}

/// Whether `page`, asked for `[begin, end]` with `cursor`, fits the request.
pub fn judge(begin: i64, end: i64, cursor: Option<&str>, page: &BillPage) -> Judgement {
    for b in &page.bills {
        let (id, at) = match b {
            Bill::Payment(p) => (p.transaction_id.as_str(), Some(p.paid_at)),
            Bill::Refund(r) => (r.transaction_id.as_str(), r.refunded_at),
        };
        if let Some(t) = at
            && (t.as_second() < begin || t.as_second() > end)
        {
            return Judgement::Reject(format!(
                "bill {id} of {t} lies outside the window {begin}..={end} it was asked for (a repeated or stale page)"
            ));
        }
    }
    if cursor.is_some() && page.next_cursor.as_deref() == cursor {
        return Judgement::Reject("the page came back with the cursor it was asked for (a repeated page)".into());
    }
    if cursor.is_none() && page.bills.is_empty() && page.next_cursor.is_none() {
        return Judgement::Confirm;
    }
    Judgement::Accept
}

fn apply(config: Arc<crate::config::Config>) -> Apply<BillPage> {
    Arc::new(move |tx, page: &BillPage, _| {
        let s: UpsertStats = payments::upsert_bills(tx, &config, &page.bills)?;
        Ok(s.inserted + s.updated)
    })
}

/// The first instant bills are read from (None without camps).
pub fn start_of_bills(config: &crate::config::Config) -> Option<Timestamp> {
    let earliest = config.camps.iter().map(|c| c.enroll_from()).min()?;
    Some(earliest.plus_days(-LOOKBACK_DAYS).start_in(&config.day_rule.tz, DayCutoff::MIDNIGHT))
}

/// The WeCom bills task.
pub struct BillsJob {
    env: Arc<JobEnv>,
    client: Arc<WecomClient>,
}

impl BillsJob {
    /// The task over `client`.
    pub(crate) fn new(env: Arc<JobEnv>, client: Arc<WecomClient>) -> BillsJob {
        BillsJob { env, client }
    }

    async fn run_inner(&self, ctx: &RunContext) -> Result<RunCounts, JobError> {
        let env = &*self.env;
        let started = Timestamp::now();
        let mut tally = Tally::default();
        let Some(from) = start_of_bills(&env.config) else {
            tracing::info!("no camps are configured: no bills to read");
            return Ok(tally.counts());
        };
        let now = started.as_second();
        let key = CursorKey::new(Source::Wecom, "", ENDPOINT);
        let stored: Option<BillCursor> = {
            let r = env.store.read().map_err(|e| internal(e.to_string()))?;
            cursors::get(&r, &key).ok().flatten().map(|(mut c, written): (BillCursor, Timestamp)| {
                // WeCom's page cursors are not meant to last: an old one restarts its window.
                if started.duration_since(written) > CURSOR_FRESH {
                    c.cursor = None;
                }
                c
            })
        };
        let from = from.as_second();
        let resumed = stored.as_ref().is_some_and(|c| c.begin_time >= from && c.begin_time <= now);
        let mut plan: Vec<(i64, i64, Option<String>)> = Vec::new();
        match stored.filter(|c| c.begin_time >= from && c.begin_time <= now) {
            Some(BillCursor { begin_time: begin, end_time: end, cursor: Some(c) }) => {
                tracing::info!(begin, end, "resuming the bill list inside a window");
                plan.push((begin, end, Some(c)));
                plan.extend(windows(end, now, WINDOW_SECS).into_iter().map(|(b, e)| (b, e, None)));
            }
            Some(BillCursor { begin_time: begin, .. }) => {
                tracing::info!(begin, "resuming the bill list at a window");
                plan.extend(windows(begin, now, WINDOW_SECS).into_iter().map(|(b, e)| (b, e, None)));
            }
            None => plan.extend(windows(from, now, WINDOW_SECS).into_iter().map(|(b, e)| (b, e, None))),
        }
        let mut batch = Batcher::new(apply(env.config.clone()), env.pages_per_commit);
        let windows_total = plan.len();
        for (w, (begin, end, first_cursor)) in plan.into_iter().enumerate() {
            let last_window = w + 1 == windows_total;
            let mut cursor = first_cursor;
            let mut restarted = false;
            loop {
                tally.report(ctx, &format!("bills: window {} of {windows_total}", w + 1));
                let what = format!("bills {}..{}", day(begin, env), day(end, env));
                let sent = cursor.clone();
                let refused_cursor = std::sync::atomic::AtomicBool::new(false);
                let fetched = fetch_until_accepted(
                    ctx,
                    &env.retry,
                    &what,
                    || async {
                        let answer = match self.client.bills_page(begin, end, sent.as_deref()).await {
                            Err(f) if f.code == Some(40058) && sent.is_some() => {
                                refused_cursor.store(true, std::sync::atomic::Ordering::Relaxed);
                                return Err(f);
                            }
                            other => other?,
                        };
                        commit::parse(env, Fetched::wecom(answer), parse_bills, |e| {
                            classify_page_error(e, "externalpay/get_bill_list", self.client.corp_id())
                        })
                        .await
                    },
                    |(_, p)| judge(begin, end, sent.as_deref(), p),
                    |(_, a), (_, b)| a.bills.is_empty() && b.bills.is_empty() && a.next_cursor == b.next_cursor,
                )
                .await;
                let (fetched, page) = match fetched {
                    Err(_) if refused_cursor.load(std::sync::atomic::Ordering::Relaxed) && !restarted => {
                        // WeCom no longer takes the cursor (expired): read the window again.
                        tracing::info!(begin, end, "WeCom refused the page cursor; reading the window from its start");
                        restarted = true;
                        cursor = None;
                        continue;
                    }
                    other => other?,
                };
                let next = page.next_cursor.clone();
                let op = match &next {
                    Some(c) => {
                        CursorOp::put(&key, &BillCursor { begin_time: begin, end_time: end, cursor: Some(c.clone()) })
                    }
                    None if last_window => CursorOp::Clear(key.clone()),
                    None => CursorOp::put(&key, &BillCursor { begin_time: end, end_time: end, cursor: None }),
                };
                let records = page.bills.len() as u64;
                let pending = Pending { fetched, page, records, cursor: vec![op] };
                tally.add(batch.push(env, pending).await.map_err(|e| JobError::from(e.into_failure(&what)))?);
                match next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        tally.add(batch.flush(env).await.map_err(|e| JobError::from(e.into_failure("bills")))?);
        if resumed {
            tracing::info!("a resumed bill run does not count as a camp's final sync");
        } else {
            self.record_finals(started)?;
        }
        Ok(tally.counts())
    }

    fn record_finals(&self, started: Timestamp) -> Result<(), JobError> {
        let env = &*self.env;
        env.store
            .write_with(|tx| {
                for camp in &env.config.camps {
                    let due = finals::final_due(&env.config, camp);
                    if started >= due && finals::get(tx, camp.id.as_str(), FinalPart::WecomBills)?.is_none() {
                        finals::record_completed(tx, &camp.id, FinalPart::WecomBills, due, started)?;
                        tracing::info!(camp = %camp.id, "final bill sync recorded");
                    }
                }
                Ok::<_, crate::records::RecordsError>(())
            })
            .map_err(|e| internal(format!("recording the final bill sync: {e}")))
    }
}

fn day(secs: i64, env: &JobEnv) -> String {
    Timestamp::from_second(secs)
        .map(|t| t.to_zoned_datetime(env.config.day_rule.tz.clone()).strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| secs.to_string())
}

impl SyncJob for BillsJob {
    fn id(&self) -> TaskId {
        TaskId::new("wecom", None)
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(self.run_inner(ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Money, SourceRef, TransactionId};
    use crate::records::payments::PaymentBill;
    use proptest::prelude::*;

    #[test]
    fn windows_cover_the_range() {
        assert_eq!(windows(0, 10, 4), vec![(0, 4), (4, 8), (8, 10)]);
        assert_eq!(windows(5, 5, 4), vec![(5, 5)]);
        assert!(windows(6, 5, 4).is_empty());
    }

    fn bill(at: i64) -> Bill {
        Bill::Payment(PaymentBill {
            transaction_id: TransactionId::new(format!("42{at}")),
            out_trade_no: None,
            payer_external_userid: None,
            payer_name: None,
            remark: None,
            description: None,
            amount: Money::from_fen(3900),
            paid_at: Timestamp::from_second(at).unwrap(),
            payee_userid: None,
            mch_id: None,
            payment_type: None,
            refunded_total: None,
            refunds: None,
            source: SourceRef { raw_id: "r".into(), position: None },
        })
    }

    #[test]
    fn pages_must_fit_their_request() {
        let page = |bills: Vec<Bill>, next: Option<&str>| BillPage { bills, next_cursor: next.map(str::to_string) };
        assert_eq!(judge(100, 200, None, &page(vec![bill(150)], None)), Judgement::Accept);
        assert!(matches!(judge(100, 200, None, &page(vec![bill(250)], None)), Judgement::Reject(_)));
        assert!(matches!(judge(100, 200, Some("C1"), &page(vec![bill(150)], Some("C1"))), Judgement::Reject(_)));
        assert_eq!(judge(100, 200, Some("C1"), &page(vec![bill(150)], Some("C2"))), Judgement::Accept);
        assert_eq!(judge(100, 200, None, &page(vec![], None)), Judgement::Confirm);
        assert_eq!(judge(100, 200, Some("C1"), &page(vec![], None)), Judgement::Accept);
    }

    proptest! {
        #[test]
        fn windows_are_contiguous_bounded_and_complete(from in -1_000_000i64..1_000_000, len in 0i64..10_000_000, max in 1i64..3_000_000) {
            let to = from + len;
            let w = windows(from, to, max);
            prop_assert!(!w.is_empty());
            prop_assert_eq!(w[0].0, from);
            prop_assert_eq!(w[w.len() - 1].1, to);
            for (b, e) in &w {
                prop_assert!(e - b <= max && e >= b);
            }
            for pair in w.windows(2) {
                prop_assert_eq!(pair[0].1, pair[1].0);
                prop_assert!(pair[1].1 > pair[1].0 || pair[1].1 == to);
            }
        }
    }
}
