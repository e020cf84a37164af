//! The append-only, hash-chained audit log.
//!
//! Each entry's hash covers its sequence number, time, actor, action, subject,
//! the hash of its details, and the previous entry's hash. Details are hashed
//! separately so a retention purge can erase personal details (marking the entry
//! redacted) while the chain still verifies; any other edit breaks it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Meta key holding the newest entry's sequence number and hash.
pub(crate) const HEAD_KEY: &str = "audit_head";

/// The hash every chain starts from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry as the caller describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it: a person's name, or `campdesk` for automatic steps.
    pub actor: String,
    /// What was done, e.g. `refund.approve`, `link.confirm`, `config.reload`.
    pub action: String,
    /// What it was done to: ids only (refund id, transaction id), never names.
    pub subject: String,
    /// Anything else worth keeping: amounts, reasons, before/after states.
    pub details: serde_json::Value,
}

impl NewAuditEntry {
    /// An entry with the given parts.
    pub fn new(
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        details: serde_json::Value,
    ) -> Self {
        NewAuditEntry { actor: actor.into(), action: action.into(), subject: subject.into(), details }
    }
}

/// A stored audit entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1-based, contiguous.
    pub seq: u64,
    /// When it was written.
    pub at: Timestamp,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// Details (Null once redacted).
    pub details: serde_json::Value,
    /// SHA-256 of the details as first written.
    pub details_hash: String,
    /// Whether a retention purge erased the details.
    #[serde(default)]
    pub redacted: bool,
    /// The previous entry's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The newest entry: where the next one chains from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    /// Its sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hash of a details value (canonical JSON: object keys are sorted).
pub fn details_hash(details: &serde_json::Value) -> String {
    sha256_hex(serde_json::to_string(details).unwrap_or_default().as_bytes())
}

/// The hash of an entry's fields.
pub fn entry_hash(e: &AuditEntry) -> String {
    let canonical =
        serde_json::json!([e.seq, e.at.to_string(), e.actor, e.action, e.subject, e.details_hash, e.prev_hash]);
    sha256_hex(canonical.to_string().as_bytes())
}

/// Builds the next entry of the chain after `head`.
pub(crate) fn chain(head: Option<&AuditHead>, new: NewAuditEntry, at: Timestamp) -> AuditEntry {
    let (seq, prev_hash) = match head {
        Some(h) => (h.seq + 1, h.hash.clone()),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut e = AuditEntry {
        seq,
        at,
        actor: new.actor,
        action: new.action,
        subject: new.subject,
        details_hash: details_hash(&new.details),
        details: new.details,
        redacted: false,
        prev_hash,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    e
}

/// The outcome of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: u64,
    /// Entries whose details were redacted by a purge.
    pub redacted: u64,
    /// The first broken link, if any.
    pub broken: Option<BrokenLink>,
}

/// Where and how the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    /// The entry's sequence number (or the expected one, for a gap).
    pub seq: u64,
    /// What is wrong.
    pub reason: String,
}

/// Walks `entries` (in sequence order) and reports the first broken link.
pub fn verify(entries: &[AuditEntry], head: Option<&AuditHead>) -> AuditReport {
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut redacted = 0;
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as u64 + 1;
        let total = entries.len() as u64;
        let seq = e.seq;
        let broken = |reason: String, redacted: u64| AuditReport {
            entries: total,
            redacted,
            broken: Some(BrokenLink { seq, reason }),
        };
        if e.seq != expected_seq {
            return AuditReport {
                entries: entries.len() as u64,
                redacted,
                broken: Some(BrokenLink {
                    seq: expected_seq,
                    reason: format!("entry #{expected_seq} is missing (found #{} in its place)", e.seq),
                }),
            };
        }
        if e.prev_hash != prev_hash {
            return broken(
                format!("entry #{} does not follow entry #{}: its previous-hash does not match", e.seq, e.seq - 1),
                redacted,
            );
        }
        if e.redacted {
            redacted += 1;
        } else if details_hash(&e.details) != e.details_hash {
            return broken(format!("entry #{}: its details were changed after it was written", e.seq), redacted);
        }
        let computed = entry_hash(e);
        if computed != e.hash {
            return broken(
                format!(
                    "entry #{}: recorded hash {} but its fields hash to {}; the entry was changed after it was written",
                    e.seq,
                    short(&e.hash),
                    short(&computed)
                ),
                redacted,
            );
        }
        prev_hash = e.hash.clone();
    }
    let last = entries.last();
    let head_ok = match (head, last) {
        (None, None) => true,
        (Some(h), Some(l)) => h.seq == l.seq && h.hash == l.hash,
        _ => false,
    };
    if !head_ok {
        let seq = head.map_or(0, |h| h.seq);
        return AuditReport {
            entries: entries.len() as u64,
            redacted,
            broken: Some(BrokenLink {
                seq,
                reason: format!(
                    "the log ends at entry #{} but the store's head says #{seq}: entries were removed",
                    last.map_or(0, |l| l.seq)
                ),
            }),
        };
    }
    AuditReport { entries: entries.len() as u64, redacted, broken: None }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(n: usize) -> (Vec<AuditEntry>, Option<AuditHead>) {
        let mut entries: Vec<AuditEntry> = Vec::new();
        let mut head: Option<AuditHead> = None;
        for i in 0..n {
            let e = chain(
                head.as_ref(),
                NewAuditEntry::new("owner", "refund.approve", format!("r{i}"), serde_json::json!({"amount": 3900})),
                Timestamp::from_second(1_700_000_000 + i as i64).unwrap(),
            );
            head = Some(AuditHead { seq: e.seq, hash: e.hash.clone() });
            entries.push(e);
        }
        (entries, head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (entries, head) = build(5);
        assert_eq!(verify(&entries, head.as_ref()).broken, None);
        assert_eq!(verify(&[], None).broken, None);
    }

    #[test]
    fn edits_gaps_and_truncation_are_caught() {
        let (mut entries, head) = build(5);
        entries[2].details = serde_json::json!({"amount": 1});
        assert_eq!(verify(&entries, head.as_ref()).broken.unwrap().seq, 3);

        let (mut entries, head) = build(5);
        entries[1].actor = "mallory".into();
        assert_eq!(verify(&entries, head.as_ref()).broken.unwrap().seq, 2);

        let (mut entries, head) = build(5);
        entries.remove(3);
        assert_eq!(verify(&entries, head.as_ref()).broken.unwrap().seq, 4);

        let (mut entries, head) = build(5);
        entries.pop();
        assert!(verify(&entries, head.as_ref()).broken.unwrap().reason.contains("removed"));
    }

    #[test]
    fn redaction_keeps_the_chain_valid() {
        let (mut entries, head) = build(3);
        entries[1].details = serde_json::Value::Null;
        entries[1].redacted = true;
        let report = verify(&entries, head.as_ref());
        assert_eq!(report.broken, None);
        assert_eq!(report.redacted, 1);
    }
}
