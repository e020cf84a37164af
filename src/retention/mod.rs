//! Retention: personal data of a camp goes `retention_months` (camps.toml,
//! default 3) after the camp closed; money, decisions and the audit chain stay.
//!
//! A purge, in one write transaction with one audit entry per camp:
//! - names (payers, planet users and their name history, group members and
//!   their name changes, member-export rows, decision snapshots, refund payer
//!   names, progress texts) become stable pseudonyms (`成员-7F3A2C`), keyed on the
//!   person's planet user id (else external_userid, else transaction id);
//! - remarks, post texts and post excerpts are erased (post lengths stay);
//! - the raw platform pages about those people are erased, or, when a page also
//!   shows people who are kept, rewritten with the pseudonyms (the original
//!   SHA-256 and fetch time stay on the archive entry);
//! - every other table is swept for the same strings (reasons, notes, messages,
//!   tables added later);
//! - audit entries whose details hold such strings are redacted
//!   ([`WriteTx::redact_audit`](crate::store::WriteTx::redact_audit)); the chain
//!   still verifies;
//! - frozen check-in snapshots lose their post texts and get a new digest (the
//!   old and new digests are in the purge's audit entry).
//!
//! Amounts, transaction ids, refund records, verdicts and link decisions stay
//! (campdesk never deletes them). People who also take part in a camp that is
//! kept keep their names. A camp with an open refund is held back. Afterwards
//! the store file is rewritten into a fresh one ([`Store::rewrite_file`]):
//! redb's compaction alone leaves erased text behind in free and reused pages
//! (measured on a generated community: 96 of 571 purged strings were still in
//! the file after `compact`). A purged camp is never evaluated again (its
//! stored verdicts are final).

mod apply;
pub mod plan;
pub mod scope;
pub mod scrub;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::{CampId, Day};
use crate::records::Reads;
use crate::refund::queue;
use crate::store::{Store, StoreError, TableDef};
pub use plan::Standing;

/// Purged camps, keyed by camp id.
pub const PURGES: TableDef<PurgeRecord> = TableDef::new("retention_purges");
/// Raw archive entries whose body a purge erased or rewrote, keyed by raw id.
pub const PURGED_PAGES: TableDef<PagePurge> = TableDef::new("retention_pages");
/// Rewritten page bodies (pseudonyms in place of names), keyed by their SHA-256.
pub const REWRITTEN_BODIES: TableDef<String> = TableDef::new("retention_bodies");

/// What a purge did, in counts (no personal data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeCounts {
    /// Payments whose payer name and remark went.
    pub payments: u64,
    /// Planet users renamed to pseudonyms.
    pub planet_users: u64,
    /// Member-export rows renamed.
    pub member_exports: u64,
    /// Group memberships renamed.
    pub group_members: u64,
    /// Earlier group names removed.
    pub name_changes: u64,
    /// Posts whose text went.
    pub topics: u64,
    /// Frozen snapshots rewritten (new digest).
    pub frozen: u64,
    /// Evaluations rewritten.
    pub evaluations: u64,
    /// Review cards removed.
    pub cards: u64,
    /// Link decisions rewritten.
    pub decisions: u64,
    /// Refunds rewritten.
    pub refunds: u64,
    /// Other records rewritten by the sweep.
    pub other_records: u64,
    /// Raw page bodies erased.
    pub pages_erased: u64,
    /// Raw page bodies rewritten with pseudonyms.
    pub pages_rewritten: u64,
    /// Audit entries redacted.
    pub audit_redacted: u64,
}

/// A purged camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeRecord {
    /// The camp.
    pub camp: CampId,
    /// When.
    pub at: Timestamp,
    /// Who ran it.
    pub by: String,
    /// The day it became due.
    pub due: Day,
    /// What the run did (for every camp purged in the same run together).
    pub counts: PurgeCounts,
}

/// What a purge did to one raw archive entry's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePurge {
    /// The entry.
    pub raw_id: String,
    /// When.
    pub at: Timestamp,
    /// The camps whose purge it was.
    pub camps: Vec<CampId>,
    /// The rewritten body's SHA-256 and length; None when the body was erased.
    pub rewritten: Option<(String, u64)>,
}

/// The purge record of `camp`, if it was purged.
pub fn purged(r: &impl Reads, camp: &CampId) -> Result<Option<PurgeRecord>, StoreError> {
    r.get_record(&PURGES, camp.as_str())
}

/// A raw entry a purge touched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurgedPage {
    /// What the purge did.
    pub purge: PagePurge,
    /// The rewritten body (pseudonyms in place of names); None when erased.
    pub body: Option<Vec<u8>>,
}

/// What a purge did to raw entry `raw_id`, if anything.
pub fn page(r: &impl Reads, raw_id: &str) -> Result<Option<PurgedPage>, StoreError> {
    let Some(purge) = r.get_record(&PURGED_PAGES, raw_id)? else { return Ok(None) };
    let body = match &purge.rewritten {
        Some((sha, _)) => r.get_record(&REWRITTEN_BODIES, sha)?.map(String::into_bytes),
        None => None,
    };
    Ok(Some(PurgedPage { purge, body }))
}

/// One camp in a purge report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampRetention {
    /// The camp.
    pub camp: CampId,
    /// Its name.
    pub name: String,
    /// Its last day.
    pub end: Day,
    /// The first day it may be purged.
    pub due: Day,
    /// Where it stands (after this run).
    #[serde(flatten)]
    pub standing: Standing,
}

/// What `campdesk purge` found and did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeReport {
    /// The day it ran on.
    pub today: Day,
    /// The retention period.
    pub retention_months: u32,
    /// Nothing was written.
    pub dry_run: bool,
    /// Every camp of camps.toml.
    pub camps: Vec<CampRetention>,
    /// The camps purged by this run (or that would be).
    pub purged: Vec<CampId>,
    /// What the run did (or would do).
    pub counts: PurgeCounts,
    /// Records where a purged string was still found afterwards (table and key,
    /// never the text); empty when the purge is complete.
    pub leftovers: Vec<String>,
    /// The store file's size before and after it was rewritten (None: not rewritten).
    pub file_bytes: Option<(u64, u64)>,
}

/// Why a purge could not run.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    /// The store failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<queue::QueueError> for RetentionError {
    fn from(e: queue::QueueError) -> Self {
        RetentionError::Store(StoreError::Rejected(e.to_string()))
    }
}

/// Every camp's standing on `today`.
pub fn standings(store: &Store, config: &Config, today: Day) -> Result<Vec<CampRetention>, RetentionError> {
    let read = store.read()?;
    let mut out = Vec::new();
    for camp in &config.camps {
        let due = plan::due_day(camp, config.retention_months);
        let standing = match purged(&read, &camp.id)? {
            Some(p) => Standing::Purged { at: p.at, by: p.by },
            None => plan::standing(camp, config.retention_months, today, &queue::list_camp(&read, &camp.id)?),
        };
        out.push(CampRetention { camp: camp.id.clone(), name: camp.name.clone(), end: camp.end, due, standing });
    }
    Ok(out)
}

/// Purges every due camp (or, with `dry_run`, does all of it in a transaction
/// that is then thrown away, so the counts are exact). Rewriting the file
/// ([`Store::rewrite_file`]) is the caller's: it needs the store to itself.
pub fn run(
    store: &Store,
    config: &Config,
    now: Timestamp,
    by: &str,
    dry_run: bool,
) -> Result<PurgeReport, RetentionError> {
    let today = config.day_rule.today(now);
    let mut camps = standings(store, config, today)?;
    let due: Vec<&crate::config::Camp> =
        config.camps.iter().filter(|c| camps.iter().any(|r| r.camp == c.id && r.standing == Standing::Due)).collect();
    let mut report = PurgeReport {
        today,
        retention_months: config.retention_months,
        dry_run,
        camps: Vec::new(),
        purged: due.iter().map(|c| c.id.clone()).collect(),
        counts: PurgeCounts::default(),
        leftovers: Vec::new(),
        file_bytes: None,
    };
    if !due.is_empty() {
        let keep: Vec<&crate::config::Camp> =
            config.camps.iter().filter(|c| !due.iter().any(|d| d.id == c.id)).collect();
        let mut tx = store.write()?;
        let scope = scope::build(&tx, config, &due, &keep)?;
        let applied = apply::apply(&mut tx, &scope, now)?;
        let counts = applied.counts;
        for c in &due {
            let record = PurgeRecord {
                camp: c.id.clone(),
                at: now,
                by: by.to_string(),
                due: plan::due_day(c, config.retention_months),
                counts: counts.clone(),
            };
            apply::record(&mut tx, &record, &applied.digests)?;
            if let Some(r) = camps.iter_mut().find(|r| r.camp == c.id)
                && !dry_run
            {
                r.standing = Standing::Purged { at: now, by: by.to_string() };
            }
        }
        if dry_run {
            drop(tx);
        } else {
            tx.commit()?;
        }
        report.counts = counts;
        report.leftovers = applied.leftovers;
    }
    report.camps = camps;
    Ok(report)
}
