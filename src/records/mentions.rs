//! The index from platform ids to the raw archive entries that mention them,
//! for evidence bundles ("every page that ever showed this payment / user").
//!
//! Upserts fill it from each incoming record's [`SourceRef`]: a record that was
//! already stored unchanged still gets the new page listed, since the fetch time
//! is evidence too.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Reads, RecordsError};
use crate::domain::SourceRef;
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// `key(kind, id, raw_id, position)` → nothing.
pub(crate) const MENTIONS: TableDef<()> = TableDef::new("raw_mentions");

/// The kind of id a raw entry mentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionKind {
    /// A WeChat Pay transaction id (payment or refund on a bill).
    Transaction,
    /// A WeCom external_userid (payer or group member).
    ExternalUser,
    /// A WeCom member userid (staff in a group, payee).
    StaffUser,
    /// A WeCom customer group.
    Chat,
    /// A Knowledge Planet user_id.
    PlanetUser,
    /// A planet member number (成员编号) from a member export.
    MemberNumber,
    /// A zsxq check-in project.
    Checkin,
    /// A zsxq topic.
    Topic,
}

impl MentionKind {
    /// The stable name used in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            MentionKind::Transaction => "transaction",
            MentionKind::ExternalUser => "external_user",
            MentionKind::StaffUser => "staff_user",
            MentionKind::Chat => "chat",
            MentionKind::PlanetUser => "planet_user",
            MentionKind::MemberNumber => "member_number",
            MentionKind::Checkin => "checkin",
            MentionKind::Topic => "topic",
        }
    }
}

/// One raw entry that mentions an id, with the positions inside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// The raw archive entry.
    pub raw_id: String,
    /// Positions (page index or file row) where the id appears; empty when the
    /// whole page is about it.
    pub positions: Vec<u32>,
}

/// Collects mentions during an upsert and writes them in one go.
#[derive(Debug, Default)]
pub(crate) struct MentionBatch {
    keys: BTreeSet<String>,
}

impl MentionBatch {
    pub(crate) fn new() -> Self {
        MentionBatch::default()
    }

    /// Notes that `source` mentions `id` of `kind`.
    pub(crate) fn add(&mut self, kind: MentionKind, id: &str, source: &SourceRef) {
        if id.is_empty() || source.raw_id.is_empty() {
            return;
        }
        let position = source.position.map(|p| format!("{p:010}")).unwrap_or_default();
        self.keys.insert(key(&[kind.as_str(), id, &source.raw_id, &position]));
    }

    /// Notes a mention of the whole page (no position).
    pub(crate) fn add_page(&mut self, kind: MentionKind, id: &str, raw_id: &str) {
        if id.is_empty() || raw_id.is_empty() {
            return;
        }
        self.keys.insert(key(&[kind.as_str(), id, raw_id, ""]));
    }

    pub(crate) fn write(self, tx: &mut WriteTx) -> Result<(), RecordsError> {
        if self.keys.is_empty() {
            return Ok(());
        }
        tx.put_many(&MENTIONS, self.keys.iter().map(|k| (k.as_str(), &())))?;
        Ok(())
    }
}

/// The raw entries that mention `id`, oldest archive entry first.
pub fn mentioning(r: &impl Reads, kind: MentionKind, id: &str) -> Result<Vec<Mention>, RecordsError> {
    let prefix = key_prefix(&[kind.as_str(), id]);
    let mut out: Vec<Mention> = Vec::new();
    for (k, ()) in r.prefix_records(&MENTIONS, &prefix)? {
        let rest = &k[prefix.len()..];
        let (raw_id, position) = rest.split_once(crate::store::KEY_SEP).unwrap_or((rest, ""));
        if out.last().is_none_or(|m| m.raw_id != raw_id) {
            out.push(Mention { raw_id: raw_id.to_string(), positions: Vec::new() });
        }
        if let (Some(last), Ok(p)) = (out.last_mut(), position.parse::<u32>()) {
            last.positions.push(p);
        }
    }
    Ok(out)
}
