//! Evidence bundles for disputes ("I did check in, your system says I
//! didn't"): one folder a non-technical person can read.
//!
//! - `summary.md` (Chinese): who, which camp, the payment, the links and why,
//!   every camp day with the post's first words or 未打卡, the verdict and its
//!   reasons, the refund history, the audit entries, and the list of archived
//!   platform pages with their original SHA-256 and fetch times;
//! - `pages/…`: those pages, byte for byte as the platforms sent them;
//! - `MANIFEST.sha256`: `sha256sum` lines over every other file, so
//!   `sha256sum -c MANIFEST.sha256` proves nothing was changed.
//!
//! [`gather`] reads the store, [`bundle`] is pure, [`write`] puts the files down.

mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::config::{Camp, Config};
use crate::domain::{GroupMember, MembershipEvent, Payment, PlanetUser, TransactionId};
use crate::links;
use crate::matching::Link;
use crate::matching::decisions::Decision;
use crate::records::mentions::MentionKind;
use crate::records::raw::{self, RawEntry};
use crate::records::{self, checkins, groups};
use crate::refund::{Refund, queue};
use crate::rules::{CampEvaluation, Verdict};
use crate::store::{AuditEntry, ReadTx};
use crate::verdicts;

/// The manifest's file name.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The summary's file name.
pub const SUMMARY: &str = "summary.md";

/// Why a bundle could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// No such payment in the store.
    #[error("payment {0} is not in the store (sync or import it first)")]
    UnknownPayment(String),
    /// The output folder is not usable.
    #[error("{path}: {reason}")]
    Output {
        /// The folder.
        path: String,
        /// Why.
        reason: String,
    },
    /// Reading the store failed.
    #[error("{0}")]
    Store(String),
}

impl From<crate::store::StoreError> for EvidenceError {
    fn from(e: crate::store::StoreError) -> Self {
        EvidenceError::Store(e.to_string())
    }
}

impl From<records::RecordsError> for EvidenceError {
    fn from(e: records::RecordsError) -> Self {
        EvidenceError::Store(e.to_string())
    }
}

impl From<queue::QueueError> for EvidenceError {
    fn from(e: queue::QueueError) -> Self {
        EvidenceError::Store(e.to_string())
    }
}

/// One archived fetch that mentions the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    /// The archive entry (request, fetch time, original SHA-256).
    pub entry: RawEntry,
    /// What it mentions of the person (`付款`, `星球用户` …).
    pub about: BTreeSet<&'static str>,
}

/// A distinct page body and the fetches that returned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The body, verbatim (or, after a retention purge, with pseudonyms); why not when it is gone.
    pub body: Result<Vec<u8>, String>,
    /// Set when a retention purge rewrote the body: what was done.
    pub rewritten: Option<String>,
    /// Every fetch that returned this body, oldest first.
    pub fetches: Vec<Fetch>,
}

/// Everything the store knows about one payment and its payer.
#[derive(Clone, Debug)]
pub struct EvidenceData {
    /// The payment.
    pub payment: Payment,
    /// Its camp, when attributed to a configured camp.
    pub camp: Option<Camp>,
    /// The camp's evaluation (verdict days, today).
    pub evaluation: Option<CampEvaluation>,
    /// The payment's verdict.
    pub verdict: Option<Verdict>,
    /// The payment's stored link.
    pub link: Option<Link>,
    /// Human link decisions about the payment or the payer.
    pub decisions: Vec<Decision>,
    /// The linked planet user.
    pub planet_user: Option<PlanetUser>,
    /// The payer's group memberships (the camp's groups first).
    pub memberships: Vec<GroupMember>,
    /// Their join and leave events in those groups.
    pub events: Vec<MembershipEvent>,
    /// Names of the groups, by chat id.
    pub group_names: BTreeMap<String, String>,
    /// Refunds of the payment.
    pub refunds: Vec<Refund>,
    /// Audit entries about the payment, its refunds and its planet user.
    pub audit: Vec<AuditEntry>,
    /// Archived pages mentioning the payment or the person, in archive order.
    pub pages: Vec<Page>,
}

/// Reads everything about payment `transaction_id`.
pub fn gather(read: &ReadTx, config: &Config, transaction_id: &str) -> Result<EvidenceData, EvidenceError> {
    let txn = transaction_id.trim();
    let payment = records::payments::payment(read, txn)?
        .ok_or_else(|| EvidenceError::UnknownPayment(transaction_id.to_string()))?;
    let camp = payment.camp.as_ref().and_then(|c| config.camp(c.as_str())).cloned();
    let evaluation = match &camp {
        Some(c) => verdicts::evaluation(read, &c.id)?,
        None => None,
    };
    let verdict =
        evaluation.as_ref().and_then(|e| e.verdicts.iter().find(|v| v.transaction_id.as_str() == txn)).cloned();
    let link = match &camp {
        Some(c) => links::links(read, Some(&c.id))?.into_iter().find(|l| l.transaction_id.as_str() == txn),
        None => None,
    };
    let external =
        payment.payer_external_userid.clone().or_else(|| link.as_ref().and_then(|l| l.external_userid.clone()));
    let decisions: Vec<Decision> = links::decisions(read)?
        .into_iter()
        .filter(|d| d.transaction_id.as_str() == txn || (external.is_some() && d.external_userid == external))
        .collect();
    let user_id = verdict
        .as_ref()
        .and_then(|v| v.planet_user_id.clone())
        .or_else(|| link.as_ref().and_then(|l| l.planet_user_id.clone()));
    let planet_user = match &user_id {
        Some(u) => records::planet_users::planet_user(read, u.as_str())?,
        None => None,
    };
    let mut memberships = Vec::new();
    let mut events = Vec::new();
    let mut group_names = BTreeMap::new();
    if let Some(ext) = &external {
        memberships = groups::memberships_of(read, ext.as_str())?;
        let in_camp = |m: &GroupMember| camp.as_ref().is_some_and(|c| c.group_chats.contains(&m.chat_id));
        memberships.sort_by_key(|m| (!in_camp(m), m.chat_id.clone()));
        for m in &memberships {
            let chat = m.chat_id.as_str();
            events.extend(groups::events(read, chat)?.into_iter().filter(|e| e.member_id == ext.as_str()));
            if let Some(g) = groups::group(read, chat)? {
                group_names.insert(chat.to_string(), g.name.unwrap_or_else(|| chat.to_string()));
            }
        }
        events.sort_by_key(|e| e.at);
    }
    let refunds: Vec<Refund> = match &camp {
        Some(c) => {
            queue::list_camp(read, &c.id)?.into_iter().filter(|r| r.proposal.transaction_id.as_str() == txn).collect()
        }
        None => Vec::new(),
    };
    let mut subjects: BTreeSet<String> = BTreeSet::new();
    subjects.insert(txn.to_string());
    subjects.extend(refunds.iter().map(|r| r.id.to_string()));
    subjects.extend(decisions.iter().map(|d| d.id.clone()));
    if let Some(u) = &user_id {
        subjects.insert(u.to_string());
    }
    let audit = read.audit_entries(1, None)?.into_iter().filter(|e| about(&e.subject, &subjects)).collect();

    // Pages: the payment's bill pages, and every page about the payer or the planet user.
    let mut wanted: Vec<(MentionKind, String, &'static str)> =
        vec![(MentionKind::Transaction, txn.to_string(), "付款")];
    if let Some(ext) = &external {
        wanted.push((MentionKind::ExternalUser, ext.to_string(), "群成员/付款人"));
    }
    if let Some(u) = &user_id {
        wanted.push((MentionKind::PlanetUser, u.to_string(), "星球用户"));
        if let Some(n) = planet_user.as_ref().and_then(|p| p.number.clone()) {
            wanted.push((MentionKind::MemberNumber, n, "成员编号"));
        }
        if let Some(cid) = camp.as_ref().and_then(|c| c.checkin_id.as_ref()) {
            for t in checkins::topics(read, cid.as_str())?.into_iter().filter(|t| &t.user_id == u) {
                wanted.push((MentionKind::Topic, t.topic_id.to_string(), "打卡帖子"));
            }
        }
    }
    let mut fetches: BTreeMap<String, Fetch> = BTreeMap::new();
    for (kind, id, label) in wanted {
        for (entry, _) in raw::mentioning(read, kind, &id)? {
            fetches
                .entry(entry.raw_id.clone())
                .or_insert_with(|| Fetch { entry, about: BTreeSet::new() })
                .about
                .insert(label);
        }
    }
    let mut by_hash: BTreeMap<String, Page> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (_, f) in fetches {
        let hash = f.entry.sha256.clone();
        match by_hash.get_mut(&hash) {
            Some(p) => p.fetches.push(f),
            None => {
                let (body, rewritten) = match crate::retention::page(read, &f.entry.raw_id)? {
                    Some(p) => {
                        let day = p.purge.at.to_zoned_datetime(config.day_rule.tz.clone()).date();
                        match p.body {
                            Some(b) => {
                                let note =
                                    format!("{day} 按保留期限将个人信息替换为化名，现 SHA-256 {}", raw::sha256_hex(&b));
                                (Ok(b), Some(note))
                            }
                            None => (Err(format!("{day} 按保留期限删除")), None),
                        }
                    }
                    None => (raw::body(read, &f.entry).map_err(|e| e.to_string()), None),
                };
                order.push(hash.clone());
                by_hash.insert(hash, Page { body, rewritten, fetches: vec![f] });
            }
        }
    }
    let pages = order.into_iter().filter_map(|h| by_hash.remove(&h)).collect();
    Ok(EvidenceData {
        payment,
        camp,
        evaluation,
        verdict,
        link,
        decisions,
        planet_user,
        memberships,
        events,
        group_names,
        refunds,
        audit,
        pages,
    })
}

/// Whether an audit subject (`id`, `camp:txn`, `camp:txn:kind` …) names one of `ids`.
fn about(subject: &str, ids: &BTreeSet<String>) -> bool {
    ids.contains(subject) || subject.split(':').any(|part| ids.contains(part))
}

/// One file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFile {
    /// Path inside the bundle folder, with `/`.
    pub path: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A bundle's files, summary first (the manifest is added when written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The files.
    pub files: Vec<BundleFile>,
    /// Camp days counted for the verdict.
    pub counted_days: usize,
    /// Camp days that passed without a counted check-in.
    pub missing_days: usize,
}

/// The file name a page gets: `pages/NNN-source-raw_id.ext`.
fn page_path(n: usize, f: &Fetch) -> String {
    let ext = match f.entry.content_type.as_deref() {
        Some(t) if t.contains("json") => "json",
        Some(t) if t.contains("csv") => "csv",
        Some(t) if t.contains("sheet") || t.contains("excel") => "xlsx",
        _ if f.entry.url.ends_with(".xlsx") => "xlsx",
        _ if f.entry.url.ends_with(".csv") => "csv",
        _ => "txt",
    };
    format!("pages/{:03}-{}-{}.{ext}", n + 1, f.entry.source.as_str(), f.entry.raw_id)
}

/// The bundle's files (pure).
pub fn bundle(data: &EvidenceData, tz: &TimeZone, generated_at: Timestamp) -> Bundle {
    let mut files = Vec::new();
    let mut page_files = Vec::new();
    for (n, page) in data.pages.iter().enumerate() {
        let path = match (&page.body, page.fetches.first()) {
            (Ok(bytes), Some(first)) => {
                let path = page_path(n, first);
                files.push(BundleFile { path: path.clone(), bytes: bytes.clone() });
                Some(path)
            }
            _ => None,
        };
        page_files.push(path);
    }
    let text = summary::render(data, &page_files, tz, generated_at);
    files.insert(0, BundleFile { path: SUMMARY.to_string(), bytes: text.into_bytes() });
    Bundle {
        files,
        counted_days: data.verdict.as_ref().map_or(0, |v| v.days.len()),
        missing_days: data.verdict.as_ref().map_or(0, |v| v.missing_days.len()),
    }
}

/// `sha256sum` lines (`<hex>  <path>`) over `files`.
pub fn manifest(files: &[BundleFile]) -> String {
    files.iter().map(|f| format!("{}  {}\n", raw::sha256_hex(&f.bytes), f.path)).collect()
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// The folder.
    pub dir: String,
    /// Every file with its SHA-256 and size, manifest last.
    pub files: Vec<WrittenFile>,
    /// Archived pages included.
    pub pages: usize,
    /// Camp days counted.
    pub counted_days: usize,
    /// Camp days missed.
    pub missing_days: usize,
}

/// One written file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenFile {
    /// Path inside the folder.
    pub path: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Writes `bundle` into `dir` (created; it must be empty or absent) with its manifest.
pub fn write(dir: &Path, bundle: &Bundle) -> Result<Written, EvidenceError> {
    let out = |reason: String| EvidenceError::Output { path: dir.display().to_string(), reason };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| out(format!("cannot read the folder: {e}")))?;
        if entries.next().is_some() {
            return Err(out("the folder is not empty; give a new or empty folder".into()));
        }
    }
    std::fs::create_dir_all(dir.join("pages")).map_err(|e| out(format!("cannot create the folder: {e}")))?;
    let mut written = Vec::new();
    for f in &bundle.files {
        let path: PathBuf = dir.join(&f.path);
        std::fs::write(&path, &f.bytes).map_err(|e| out(format!("cannot write {}: {e}", f.path)))?;
        written.push(WrittenFile {
            path: f.path.clone(),
            sha256: raw::sha256_hex(&f.bytes),
            bytes: f.bytes.len() as u64,
        });
    }
    let manifest = manifest(&bundle.files);
    std::fs::write(dir.join(MANIFEST), manifest.as_bytes())
        .map_err(|e| out(format!("cannot write {MANIFEST}: {e}")))?;
    written.push(WrittenFile {
        path: MANIFEST.to_string(),
        sha256: raw::sha256_hex(manifest.as_bytes()),
        bytes: manifest.len() as u64,
    });
    Ok(Written {
        dir: dir.display().to_string(),
        pages: bundle.files.iter().filter(|f| f.path.starts_with("pages/")).count(),
        files: written,
        counted_days: bundle.counted_days,
        missing_days: bundle.missing_days,
    })
}

/// The folder name for a bundle written into the data dir: `evidence/<txn>-<time>`.
pub fn default_dir(data_dir: &Path, transaction_id: &TransactionId, at: Timestamp, tz: &TimeZone) -> PathBuf {
    let stamp = at.to_zoned_datetime(tz.clone()).strftime("%Y%m%d-%H%M%S").to_string();
    let safe: String =
        transaction_id.as_str().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    data_dir.join("evidence").join(format!("{safe}-{stamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_subjects_match_whole_ids_only() {
        let ids: BTreeSet<String> = ["4200001".to_string(), "c1:4200001:deposit".to_string()].into();
        assert!(about("4200001", &ids));
        assert!(about("c1:4200001", &ids));
        assert!(about("c1:4200001:deposit", &ids));
        assert!(!about("c1:42000012", &ids));
        assert!(!about("420000", &ids));
    }

    #[test]
    fn the_manifest_is_sha256sum_format() {
        let files = vec![BundleFile { path: "a/b.json".into(), bytes: b"abc".to_vec() }];
        assert_eq!(manifest(&files), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a/b.json\n");
    }
}
