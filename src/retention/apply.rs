//! The writes of a purge, all inside the caller's transaction.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::scope::Scope;
use super::scrub::pseudonym;
use super::{PURGED_PAGES, PURGES, PagePurge, PurgeCounts, PurgeRecord, REWRITTEN_BODIES};
use crate::domain::MemberKind;
use crate::links;
use crate::records::mentions::MENTIONS;
use crate::records::raw::{self, RawEntry};
use crate::records::{checkins, groups, members, payments, planet_users};
use crate::refund::queue::REFUNDS;
use crate::store::{KEY_SEP, NewAuditEntry, StoreError, WriteTx, key_prefix};
use crate::verdicts;

/// Tables the sweep leaves to the steps that know them (hashes and digests).
const NOT_SWEPT: [&str; 7] = [
    "raw_bodies",
    "raw_hashes",
    "raw_by_hash",
    "frozen_inputs",
    "retention_pages",
    "retention_bodies",
    "retention_purges",
];

/// What the steps did, plus the frozen digests before and after, by camp.
pub(super) struct Applied {
    pub counts: PurgeCounts,
    pub leftovers: Vec<String>,
    pub digests: BTreeMap<String, (String, String)>,
}

fn rec(e: crate::records::RecordsError) -> StoreError {
    StoreError::Rejected(e.to_string())
}

/// Runs every step of the purge of `s`.
pub(super) fn apply(tx: &mut WriteTx, s: &Scope, now: Timestamp) -> Result<Applied, StoreError> {
    let mut c = PurgeCounts::default();
    records(tx, s, &mut c)?;
    let digests = derived(tx, s, &mut c)?;
    for table in tx.table_names()? {
        if !NOT_SWEPT.contains(&table.as_str()) {
            c.other_records += tx.rewrite_values(&table, |_, v| s.scrubber.value(v))? as u64;
        }
    }
    pages(tx, s, now, &mut c)?;
    c.audit_redacted = audit(tx, s)?;
    let leftovers = leftovers(tx, s)?;
    Ok(Applied { counts: c, leftovers, digests })
}

/// Platform records: payments, planet users, member-export rows, group members, posts.
fn records(tx: &mut WriteTx, s: &Scope, c: &mut PurgeCounts) -> Result<(), StoreError> {
    for txn in &s.purged.txns {
        let Some(mut p) = tx.get(&payments::PAYMENTS, txn)? else { continue };
        let name = s.root_of_txn(txn, p.payer_external_userid.as_ref().map(|e| e.as_str()));
        p.payer_name = p.payer_name.map(|_| name);
        p.remark.clear();
        for r in &mut p.bill_refunds {
            r.comment = None;
        }
        tx.put(&payments::PAYMENTS, txn, &p)?;
        c.payments += 1;
    }
    for u in &s.purged.users {
        let Some(mut user) = tx.get(&planet_users::PLANET_USERS, u)? else { continue };
        user.name = pseudonym(u);
        user.alias = None;
        user.wechat_name = None;
        user.name_history.clear();
        tx.put(&planet_users::PLANET_USERS, u, &user)?;
        c.planet_users += 1;
    }
    for (k, mut row) in tx.all(&members::MEMBER_EXPORTS)? {
        let user = row.user_id.as_ref().map(|u| u.to_string());
        let purged = user.as_ref().is_some_and(|u| s.purged.users.contains(u))
            || row.number.as_ref().is_some_and(|n| s.purged.numbers.contains(n));
        if purged {
            let root = pseudonym(user.as_deref().or(row.number.as_deref()).unwrap_or(&k));
            row.name = Some(root);
            (row.wechat_name, row.alias, row.remark_name, row.knowledge_id) = (None, None, None, None);
            tx.put(&members::MEMBER_EXPORTS, &k, &row)?;
            c.member_exports += 1;
        }
    }
    for chat in &s.own_chats {
        let prefix = key_prefix(&[chat]);
        for (k, mut m) in tx.prefix(&groups::GROUP_MEMBERS, &prefix)? {
            if m.kind == MemberKind::External && s.purged.exts.contains(&m.member_id) {
                m.name = m.name.map(|_| s.root_of_ext(&m.member_id));
                m.group_nickname = None;
                m.unionid = None;
                tx.put(&groups::GROUP_MEMBERS, &k, &m)?;
                c.group_members += 1;
            }
        }
        for (k, n) in tx.prefix(&groups::MEMBER_NAME_CHANGES, &prefix)? {
            if s.purged.exts.contains(&n.member_id) {
                tx.remove(&groups::MEMBER_NAME_CHANGES, &k)?;
                c.name_changes += 1;
            }
        }
    }
    for cid in &s.own_checkins {
        for (k, mut t) in tx.prefix(&checkins::CHECKIN_TOPICS, &key_prefix(&[cid]))? {
            let has_text = !t.text.is_empty() || t.comments.iter().any(|c| !c.text.is_empty());
            if s.purged.topics.contains(t.topic_id.as_str()) && has_text {
                erase_topic_texts(&mut t);
                tx.put(&checkins::CHECKIN_TOPICS, &k, &t)?;
                c.topics += 1;
            }
        }
    }
    Ok(())
}

/// A purged topic keeps its counts and ids; its text and its comments' texts go.
fn erase_topic_texts(t: &mut crate::domain::CheckinTopic) {
    t.text.clear();
    for c in &mut t.comments {
        c.text.clear();
    }
}

/// Derived records of the purged camps: frozen snapshots (new digest),
/// evaluations (excerpts), review cards (removed), decisions and refunds (names).
fn derived(tx: &mut WriteTx, s: &Scope, c: &mut PurgeCounts) -> Result<BTreeMap<String, (String, String)>, StoreError> {
    let mut digests = BTreeMap::new();
    for camp in &s.camps {
        if let Some(mut f) = tx.get(&verdicts::FROZEN, camp.as_str())? {
            let before = f.digest.clone();
            for t in &mut f.topics {
                if s.purged.topics.contains(t.topic_id.as_str()) {
                    erase_topic_texts(t);
                }
            }
            let mut v = serde_json::to_value(&f).map_err(|e| StoreError::Encode(e.to_string()))?;
            s.scrubber.value(&mut v);
            let mut f: crate::rules::FrozenInputs =
                serde_json::from_value(v).map_err(|e| StoreError::Encode(e.to_string()))?;
            f.digest = f.compute_digest();
            digests.insert(camp.to_string(), (before, f.digest.clone()));
            tx.put(&verdicts::FROZEN, camp.as_str(), &f)?;
            c.frozen += 1;
        }
        if let Some(mut e) = tx.get(&verdicts::EVALUATIONS, camp.as_str())? {
            for v in &mut e.verdicts {
                for d in &mut v.days {
                    d.excerpt = None;
                }
            }
            for m in &mut e.progress.members {
                m.name = s.root_of_txn(m.transaction_id.as_str(), None);
            }
            for m in &mut e.progress.not_checked_in_today {
                m.name = s.root_of_txn(m.transaction_id.as_str(), None);
            }
            tx.put(&verdicts::EVALUATIONS, camp.as_str(), &e)?;
            c.evaluations += 1;
        }
        c.cards += tx.remove_prefix(&links::REVIEW_CARDS, &key_prefix(&[camp.as_str()]))? as u64;
        for (k, mut r) in tx.prefix(&REFUNDS, &format!("{camp}:"))? {
            if &r.proposal.camp != camp {
                continue;
            }
            let txn = r.proposal.transaction_id.to_string();
            let ext = r.proposal.payer_external_userid.as_ref().map(|e| e.to_string());
            r.proposal.payer_name = r.proposal.payer_name.map(|_| s.root_of_txn(&txn, ext.as_deref()));
            tx.put(&REFUNDS, &k, &r)?;
            c.refunds += 1;
        }
    }
    for (k, mut d) in tx.all(&links::DECISIONS)? {
        let ext = d.external_userid.as_ref().map(|e| e.to_string());
        let ours = s.purged.txns.contains(d.transaction_id.as_str())
            || ext.as_ref().is_some_and(|e| s.purged.exts.contains(e));
        if !ours {
            continue;
        }
        if let Some(snap) = &mut d.snapshot {
            snap.planet_name = snap.planet_name.as_ref().map(|_| pseudonym(d.planet_user_id.as_str()));
            snap.payer_name =
                snap.payer_name.as_ref().map(|_| s.root_of_txn(d.transaction_id.as_str(), ext.as_deref()));
            snap.remark = None;
        }
        tx.put(&links::DECISIONS, &k, &d)?;
        c.decisions += 1;
    }
    Ok(digests)
}

/// Kinds of mentions that are about a person.
const PERSON_KINDS: [&str; 5] = ["transaction", "external_user", "planet_user", "member_number", "topic"];

fn purged_person(s: &Scope, kind: &str, id: &str) -> bool {
    match kind {
        "transaction" => s.purged.txns.contains(id),
        "external_user" => s.purged.exts.contains(id),
        "planet_user" => s.purged.users.contains(id),
        "member_number" => s.purged.numbers.contains(id),
        "topic" => s.purged.topics.contains(id),
        _ => false,
    }
}

enum PageAction {
    Erase,
    Rewrite,
}

/// Raw pages: erased when they are about the purged camps or show only purged
/// people; rewritten with pseudonyms when they also show people who are kept.
fn pages(tx: &mut WriteTx, s: &Scope, now: Timestamp, c: &mut PurgeCounts) -> Result<(), StoreError> {
    let mut mentions: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (k, ()) in tx.all(&MENTIONS)? {
        let parts: Vec<&str> = k.split(KEY_SEP).collect();
        if let [kind, id, raw_id, ..] = parts.as_slice() {
            mentions.entry((*raw_id).to_string()).or_default().insert(((*kind).to_string(), (*id).to_string()));
        }
    }
    let mut by_hash: BTreeMap<String, Vec<RawEntry>> = BTreeMap::new();
    for e in raw::entries(tx).map_err(rec)? {
        by_hash.entry(e.sha256.clone()).or_default().push(e);
    }
    for (sha, entries) in by_hash {
        let earlier: Option<PagePurge> = tx.get(&PURGED_PAGES, &entries[0].raw_id)?;
        let body: Option<Vec<u8>> = match &earlier {
            Some(PagePurge { rewritten: Some((h, _)), .. }) => tx.get(&REWRITTEN_BODIES, h)?.map(String::into_bytes),
            Some(PagePurge { rewritten: None, .. }) => None,
            None => raw::body(tx, &entries[0]).ok(),
        };
        let Some(body) = body else { continue };
        let ms: BTreeSet<&(String, String)> =
            entries.iter().filter_map(|e| mentions.get(&e.raw_id)).flatten().collect();
        let has_person = ms.iter().any(|(k, _)| PERSON_KINDS.contains(&k.as_str()));
        let owned = ms.iter().any(|(k, id)| match k.as_str() {
            "chat" => s.own_chats.contains(id),
            "topic" => s.purged.topics.contains(id),
            "checkin" => has_person && s.own_checkins.contains(id),
            _ => false,
        });
        let purged = ms.iter().any(|(k, id)| purged_person(s, k, id));
        let kept = ms.iter().any(|(k, id)| PERSON_KINDS.contains(&k.as_str()) && !purged_person(s, k, id));
        let text = std::str::from_utf8(&body).ok();
        let action = if owned || (purged && !kept) {
            Some(PageAction::Erase)
        } else if purged || (!has_person && text.is_some_and(|t| s.scrubber.contains(t))) {
            // Mixed pages, and pages no upsert indexed (token answers, failed parses) that show a purged string.
            Some(PageAction::Rewrite)
        } else {
            None
        };
        let rewritten = match (action, text) {
            (None, _) => continue,
            (Some(PageAction::Rewrite), Some(t)) => rewrite(s, t),
            (Some(_), _) => None,
        };
        let rewritten = match rewritten {
            Some(new) => {
                let h = raw::sha256_hex(new.as_bytes());
                let len = new.len() as u64;
                tx.put(&REWRITTEN_BODIES, &h, &new)?;
                c.pages_rewritten += 1;
                Some((h, len))
            }
            None => {
                c.pages_erased += 1;
                None
            }
        };
        if let Some(PagePurge { rewritten: Some((old, _)), .. }) = &earlier {
            tx.remove(&REWRITTEN_BODIES, old)?;
        }
        raw::erase_body(tx, &sha).map_err(rec)?;
        let mut camps = earlier.map(|e| e.camps).unwrap_or_default();
        camps.extend(s.camps.iter().cloned());
        for e in &entries {
            let p = PagePurge { raw_id: e.raw_id.clone(), at: now, camps: camps.clone(), rewritten: rewritten.clone() };
            tx.put(&PURGED_PAGES, &e.raw_id, &p)?;
        }
    }
    Ok(())
}

/// The page with pseudonyms, or None when it cannot be made clean (then it is erased).
fn rewrite(s: &Scope, text: &str) -> Option<String> {
    let new = match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            s.scrubber.value(&mut v);
            serde_json::to_string(&v).ok()?
        }
        Err(_) => s.scrubber.text(text).unwrap_or_else(|| text.to_string()),
    };
    (!s.scrubber.contains(&new)).then_some(new)
}

/// Audit entries: details that hold a purged string, or free text about a
/// purged person, are redacted (the chain still verifies).
fn audit(tx: &mut WriteTx, s: &Scope) -> Result<u64, StoreError> {
    const FREE_TEXT: [&str; 7] = ["note", "reason", "basis", "evidence", "snapshot", "replaces", "why"];
    let mut n = 0;
    for e in tx.audit_entries(1, None)? {
        if e.redacted || e.details.is_null() {
            continue;
        }
        let about = e
            .subject
            .split([':', ' '])
            .any(|part| s.purged.txns.contains(part) || s.purged.users.contains(part) || s.purged.exts.contains(part));
        let free_text =
            e.details.as_object().is_some_and(|o| FREE_TEXT.iter().any(|k| o.get(*k).is_some_and(|v| !v.is_null())));
        if s.scrubber.value_contains(&e.details) || (about && free_text) {
            n += u64::from(tx.redact_audit(e.seq)?);
        }
    }
    Ok(n)
}

/// Records where a purged string is still found (table and key only).
fn leftovers(tx: &mut WriteTx, s: &Scope) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for table in tx.table_names()? {
        if ["raw_bodies", "raw_hashes", "raw_by_hash"].contains(&table.as_str()) {
            continue;
        }
        tx.rewrite_values(&table, |k, v| {
            if s.scrubber.value_contains(v) {
                out.push(format!("{table}/{}", k.replace(KEY_SEP, "/")));
            }
            false
        })?;
    }
    let mut seen = BTreeSet::new();
    for e in raw::entries(tx).map_err(rec)? {
        if !seen.insert(e.sha256.clone()) || tx.get(&PURGED_PAGES, &e.raw_id)?.is_some() {
            continue;
        }
        if let Ok(body) = raw::body(tx, &e)
            && std::str::from_utf8(&body).is_ok_and(|t| s.scrubber.contains(t))
        {
            out.push(format!("raw/{}", e.raw_id));
        }
    }
    for e in tx.audit_entries(1, None)? {
        if !e.redacted && s.scrubber.value_contains(&e.details) {
            out.push(format!("audit/{}", e.seq));
        }
    }
    Ok(out)
}

/// Stores the purge record of one camp with its audit entry.
pub(super) fn record(
    tx: &mut WriteTx,
    r: &PurgeRecord,
    digests: &BTreeMap<String, (String, String)>,
) -> Result<(), StoreError> {
    tx.put(&PURGES, r.camp.as_str(), r)?;
    let frozen = digests.get(r.camp.as_str()).map(|(before, after)| json!({ "before": before, "after": after }));
    tx.audit(NewAuditEntry::new(
        &r.by,
        "retention.purge",
        r.camp.as_str(),
        json!({ "due": r.due.to_string(), "counts": r.counts, "frozen_digest": frozen }),
    ))?;
    Ok(())
}
