//! From a fetched page to committed records.
//!
//! A page is parsed as soon as it arrives (the walk needs its cursor), against a
//! provisional archive entry; when it is committed, its body is archived and the
//! records are relabelled with the real `raw_id`. A page that does not parse has its
//! body archived on its own (the evidence) before the failure is returned.
//!
//! Commits: one [`records::ingest::page`] per page (archive + records + cursor in one
//! transaction), or, in bulk mode, several pages per transaction ([`Batcher`]). The
//! cursor operations of a page are written in the same transaction as its records, so a
//! run that dies between two commits resumes after the last one: nothing lost, nothing
//! doubled. No transaction is ever held open across a network wait.

use std::sync::Arc;
use std::time::Instant;

use jiff::Timestamp;
use serde_json::Value;

use super::JobEnv;
use crate::domain::CheckinProject;
use crate::records::cursors::{self, CursorKey};
use crate::records::ingest::{self, IngestError};
use crate::records::parse::PageError;
use crate::records::parse::wecom::BillPage;
use crate::records::parse::zsxq::{ParsedRanking, TopicsPage};
use crate::records::raw::{self, NewRaw, RawEntry, RawRequest};
use crate::records::snapshot::GroupSnapshot;
use crate::records::{RecordsError, Source};
use crate::sources::meter::thread_cpu;
use crate::sources::retry::Failure;
use crate::sources::wecom::WecomAnswer;
use crate::sources::zsxq::ZsxqAnswer;
use crate::store::{Store, WriteTx};

/// The raw id records carry until their page is archived.
pub(crate) const PROVISIONAL_RAW_ID: &str = "raw-provisional";

/// A response body and the request that produced it.
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub source: Source,
    pub request: RawRequest,
    pub status: u16,
    pub fetched_at: Timestamp,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Fetched {
    pub fn zsxq(answer: ZsxqAnswer) -> Fetched {
        let r = answer.response;
        Fetched {
            source: Source::Zsxq,
            request: RawRequest::get(answer.url),
            status: r.status,
            fetched_at: r.fetched_at,
            content_type: r.content_type,
            body: r.body,
        }
    }

    pub fn wecom(answer: WecomAnswer) -> Fetched {
        let r = answer.response;
        Fetched {
            source: Source::Wecom,
            request: answer.request,
            status: r.status,
            fetched_at: r.fetched_at,
            content_type: r.content_type,
            body: r.body,
        }
    }

    fn new_raw(&self) -> NewRaw<'_> {
        NewRaw {
            source: self.source,
            request: self.request.clone(),
            status: Some(self.status),
            fetched_at: self.fetched_at,
            content_type: self.content_type.clone(),
            body: &self.body,
        }
    }

    fn provisional_entry(&self) -> RawEntry {
        RawEntry {
            raw_id: PROVISIONAL_RAW_ID.to_string(),
            source: self.source,
            method: self.request.method.clone(),
            url: String::new(),
            request_body: None,
            headers: Vec::new(),
            redacted: Vec::new(),
            status: Some(self.status),
            fetched_at: self.fetched_at,
            content_type: self.content_type.clone(),
            sha256: String::new(),
            len: self.body.len() as u64,
        }
    }
}

/// Records that point at their raw page.
pub(crate) trait Relabel {
    /// Points every record at `raw_id`.
    fn relabel(&mut self, raw_id: &str);
}

impl Relabel for TopicsPage {
    fn relabel(&mut self, raw_id: &str) {
        for t in &mut self.topics {
            t.source.raw_id = raw_id.to_string();
        }
        for u in &mut self.users {
            u.source.raw_id = raw_id.to_string();
        }
    }
}

impl Relabel for ParsedRanking {
    fn relabel(&mut self, raw_id: &str) {
        for r in &mut self.rows {
            r.source.raw_id = raw_id.to_string();
        }
        for u in &mut self.users {
            u.source.raw_id = raw_id.to_string();
        }
    }
}

impl Relabel for BillPage {
    fn relabel(&mut self, raw_id: &str) {
        for b in &mut self.bills {
            match b {
                crate::records::payments::Bill::Payment(p) => p.source.raw_id = raw_id.to_string(),
                crate::records::payments::Bill::Refund(r) => r.source.raw_id = raw_id.to_string(),
            }
        }
    }
}

impl Relabel for GroupSnapshot {
    fn relabel(&mut self, raw_id: &str) {
        self.source.raw_id = raw_id.to_string();
    }
}

impl Relabel for Vec<CheckinProject> {
    fn relabel(&mut self, raw_id: &str) {
        for p in self {
            p.source.raw_id = raw_id.to_string();
        }
    }
}

/// A cursor change committed with a page.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CursorOp {
    /// Write this value.
    Put(CursorKey, Value),
    /// Remove the cursor.
    Clear(CursorKey),
}

impl CursorOp {
    pub fn put<T: serde::Serialize>(key: &CursorKey, value: &T) -> CursorOp {
        CursorOp::Put(key.clone(), serde_json::to_value(value).unwrap_or(Value::Null))
    }

    fn write(&self, tx: &mut WriteTx, at: Timestamp) -> Result<(), RecordsError> {
        match self {
            CursorOp::Put(k, v) => cursors::put(tx, k, v, at),
            CursorOp::Clear(k) => cursors::clear(tx, k).map(|_| ()),
        }
    }
}

/// A parsed page waiting to be committed.
#[derive(Debug)]
pub(crate) struct Pending<P> {
    pub fetched: Fetched,
    pub page: P,
    /// Records on the page (for counts and the meter).
    pub records: u64,
    /// Cursor changes that go with it.
    pub cursor: Vec<CursorOp>,
}

/// Parses `fetched` against a provisional entry. A body that does not parse is
/// archived (committed on its own) and the failure comes back classified.
pub(crate) async fn parse<P>(
    env: &JobEnv,
    fetched: Fetched,
    parse: impl FnOnce(&[u8], &RawEntry) -> Result<P, PageError>,
    classify: impl FnOnce(&PageError) -> Failure,
) -> Result<(Fetched, P), Failure> {
    let (started, cpu) = (Instant::now(), thread_cpu());
    let parsed = parse(&fetched.body, &fetched.provisional_entry());
    env.meter.add_parse(started.elapsed(), thread_cpu().saturating_sub(cpu));
    match parsed {
        Ok(p) => Ok((fetched, p)),
        Err(e) => {
            let failure = classify(&e);
            let kept = archive_alone(env.store.clone(), fetched).await;
            let note = match kept {
                Ok(id) => format!(" (the answer is kept as {id})"),
                Err(a) => format!(" (and the answer could not be archived: {a})"),
            };
            tracing::warn!(class = failure.class.label(), error = %failure.message, "a page did not parse{note}");
            Err(Failure { message: format!("{}{note}", failure.message), ..failure })
        }
    }
}

async fn archive_alone(store: Arc<Store>, fetched: Fetched) -> Result<String, String> {
    tokio::task::spawn_blocking(move || raw::archive_now(&store, fetched.new_raw()).map(|e| e.raw_id))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Stores a page's records (given the archived entry); returns what changed.
pub(crate) type Apply<P> = Arc<dyn Fn(&mut WriteTx, &P, &RawEntry) -> Result<u64, RecordsError> + Send + Sync>;

/// Why a commit failed.
#[derive(Debug)]
pub(crate) enum CommitError {
    /// The records were refused (the body is archived as `raw_id`).
    Records { raw_id: String, error: RecordsError },
    /// The store failed.
    Store(String),
}

impl CommitError {
    pub fn into_failure(self, what: &str) -> Failure {
        match self {
            CommitError::Records { raw_id, error: RecordsError::Store(e) } => {
                Failure::internal(format!("{what}: the store failed ({e}); the answer is kept as {raw_id}"))
            }
            CommitError::Records { raw_id, error } => {
                Failure::data(format!("{what}: {error} (the answer is kept as {raw_id})"))
            }
            CommitError::Store(e) => Failure::internal(format!("{what}: the store failed: {e}")),
        }
    }
}

/// What a commit did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Committed {
    /// Pages committed.
    pub pages: u64,
    /// Records on them.
    pub records: u64,
    /// Records new or changed.
    pub changed: u64,
}

impl Committed {
    pub fn add(&mut self, other: Committed) {
        self.pages += other.pages;
        self.records += other.records;
        self.changed += other.changed;
    }
}

fn apply_all<P: Relabel>(
    tx: &mut WriteTx,
    page: &mut P,
    cursor: &[CursorOp],
    entry: &RawEntry,
    apply: &Apply<P>,
) -> Result<u64, RecordsError> {
    page.relabel(&entry.raw_id);
    let changed = apply(tx, page, entry)?;
    for op in cursor {
        op.write(tx, entry.fetched_at)?;
    }
    Ok(changed)
}

/// Commits one page through [`ingest::page`].
fn commit_one_now<P: Relabel>(store: &Store, pending: Pending<P>, apply: &Apply<P>) -> Result<u64, CommitError> {
    let Pending { fetched, mut page, cursor, .. } = pending;
    let result = ingest::page(
        store,
        fetched.new_raw(),
        |_, _| Ok(()),
        |tx, (), entry| apply_all(tx, &mut page, &cursor, entry, apply),
    );
    match result {
        Ok((_, changed)) => Ok(changed),
        Err(IngestError::Records { raw_id, error }) => Err(CommitError::Records { raw_id, error }),
        Err(IngestError::Parse { raw_id, error }) => {
            Err(CommitError::Records { raw_id, error: RecordsError::Conflict(error.to_string()) })
        }
        Err(IngestError::Archive(e)) => Err(CommitError::Store(e.to_string())),
    }
}

/// Commits several pages in one transaction. If one is refused, the pages before it
/// are committed on their own, its body is archived, and the refusal is returned.
fn commit_many_now<P: Relabel>(
    store: &Store,
    pages: &mut [Pending<P>],
    apply: &Apply<P>,
    durable: bool,
) -> Result<u64, CommitError> {
    let mut tx = store.write().map_err(|e| CommitError::Store(e.to_string()))?;
    if !durable {
        tx.defer_flush().map_err(|e| CommitError::Store(e.to_string()))?;
    }
    let mut changed = 0;
    for i in 0..pages.len() {
        let entry = raw::archive(&mut tx, pages[i].fetched.new_raw()).map_err(|e| CommitError::Store(e.to_string()))?;
        let p = &mut pages[i];
        match apply_all(&mut tx, &mut p.page, &p.cursor, &entry, apply) {
            Ok(c) => changed += c,
            Err(error) => {
                drop(tx);
                if i > 0 {
                    commit_many_now(store, &mut pages[..i], apply, true)?;
                }
                let kept = raw::archive_now(store, pages[i].fetched.new_raw())
                    .map_err(|e| CommitError::Store(e.to_string()))?;
                return Err(CommitError::Records { raw_id: kept.raw_id, error });
            }
        }
    }
    tx.commit().map_err(|e| CommitError::Store(e.to_string()))?;
    Ok(changed)
}

/// Commits `pages` (one [`ingest::page`] for a single page, one transaction for several).
pub(crate) async fn commit<P: Relabel + Send + 'static>(
    env: &JobEnv,
    pages: Vec<Pending<P>>,
    apply: Apply<P>,
) -> Result<Committed, CommitError> {
    commit_with(env, pages, apply, true).await
}

/// [`commit`]; several pages with `durable = false` skip the flush to disk (see
/// [`WriteTx::defer_flush`]).
async fn commit_with<P: Relabel + Send + 'static>(
    env: &JobEnv,
    mut pages: Vec<Pending<P>>,
    apply: Apply<P>,
    durable: bool,
) -> Result<Committed, CommitError> {
    if pages.is_empty() {
        return Ok(Committed::default());
    }
    let store = env.store.clone();
    let records: u64 = pages.iter().map(|p| p.records).sum();
    let n = pages.len() as u64;
    let started = Instant::now();
    let (changed, cpu) = tokio::task::spawn_blocking(move || {
        let cpu = thread_cpu();
        let changed = if pages.len() == 1 {
            let page = pages.pop().expect("one page");
            commit_one_now(&store, page, &apply)
        } else {
            commit_many_now(&store, &mut pages, &apply, durable)
        };
        (changed, thread_cpu().saturating_sub(cpu))
    })
    .await
    .map_err(|e| CommitError::Store(format!("the commit task failed: {e}")))?;
    let changed = changed?;
    env.meter.add_commit(started.elapsed(), cpu, records);
    Ok(Committed { pages: n, records, changed })
}

/// In bulk mode, a commit is flushed to disk at least this often (and at the end of
/// every walk); the ones in between skip the flush.
pub(crate) const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Collects the pages of one walk and commits them `size` at a time (1: every page
/// on its own, as a paced sync does). In bulk mode only every [`FLUSH_EVERY`] and the
/// last commit of a walk wait for the disk: a crash loses at most the unflushed batches,
/// and the cursor committed with them rolls back with them, so the next run fetches them
/// again.
pub(crate) struct Batcher<P> {
    apply: Apply<P>,
    size: usize,
    pending: Vec<Pending<P>>,
    flushed: Instant,
}

impl<P: Relabel + Send + 'static> Batcher<P> {
    pub fn new(apply: Apply<P>, size: usize) -> Batcher<P> {
        Batcher { apply, size: size.max(1), pending: Vec::new(), flushed: Instant::now() }
    }

    /// Adds a page; commits when `size` pages are waiting.
    pub async fn push(&mut self, env: &JobEnv, page: Pending<P>) -> Result<Committed, CommitError> {
        self.pending.push(page);
        if self.pending.len() < self.size {
            return Ok(Committed::default());
        }
        let durable = self.flushed.elapsed() >= FLUSH_EVERY;
        self.commit(env, durable).await
    }

    /// Commits whatever is waiting, to disk.
    pub async fn flush(&mut self, env: &JobEnv) -> Result<Committed, CommitError> {
        self.commit(env, true).await
    }

    async fn commit(&mut self, env: &JobEnv, durable: bool) -> Result<Committed, CommitError> {
        let pages = std::mem::take(&mut self.pending);
        let done = commit_with(env, pages, self.apply.clone(), durable).await?;
        if durable {
            self.flushed = Instant::now();
        }
        Ok(done)
    }
}
