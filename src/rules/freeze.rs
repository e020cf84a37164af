//! Freezing: after a camp (and its make-up window) ends, the engine takes a
//! final sync and keeps the check-in inputs the verdicts used (project, posts,
//! ranking rows) together with the hashes of the raw archive pages they came
//! from. Verdicts evaluated from a snapshot carry `frozen: true`, and later
//! edits on the platform cannot change them. Re-opening is the engine's audited
//! action; this module only builds, fingerprints and checks snapshots.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Camp;
use crate::domain::{CampId, CheckinId, CheckinProject, CheckinTopic, DayRule, RankingEntry, SourceRef};

/// The frozen check-in inputs of one camp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenInputs {
    /// The camp.
    pub camp: CampId,
    /// The project the posts and rows belong to.
    pub checkin_id: Option<CheckinId>,
    /// When the snapshot was taken.
    pub taken_at: Timestamp,
    /// The project as last synced.
    pub project: Option<CheckinProject>,
    /// The project's posts, by topic id.
    pub topics: Vec<CheckinTopic>,
    /// The project's ranking rows, by rank.
    pub ranking: Vec<RankingEntry>,
    /// SHA-256 (hex) of every raw archive entry the records came from, by raw id.
    pub sources: BTreeMap<String, String>,
    /// SHA-256 (hex) of everything above, set when the snapshot is taken
    /// ([`FrozenInputs::compute_digest`]); [`FrozenInputs::verify_digest`] checks it.
    pub digest: String,
}

/// Why a snapshot could not be taken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FreezeError {
    /// The camp (or its make-up window) has not ended at `taken_at`.
    #[error("camp {camp}: cannot freeze at {taken_at}: posts still count until {open_until}")]
    TooEarly {
        /// The camp.
        camp: CampId,
        /// The requested time.
        taken_at: Timestamp,
        /// When the last countable day ends.
        open_until: Timestamp,
    },
    /// A record's raw archive entry has no known hash.
    #[error("{record}: source: raw archive entry `{raw_id}` has no hash")]
    MissingHash {
        /// The record, e.g. `topic 9000…01`.
        record: String,
        /// The raw archive entry.
        raw_id: String,
    },
}

/// A raw archive entry whose hash no longer matches the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveMismatch {
    /// The raw archive entry.
    pub raw_id: String,
    /// The hash in the snapshot.
    pub frozen: String,
    /// The hash the archive reports now (`None`: the entry is gone).
    pub now: Option<String>,
}

/// Summary of the snapshot an evaluation used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeStamp {
    /// When the snapshot was taken.
    pub taken_at: Timestamp,
    /// Its fingerprint ([`FrozenInputs::digest`]).
    pub digest: String,
    /// Posts in it.
    pub topics: usize,
    /// Ranking rows in it.
    pub ranking_rows: usize,
}

impl FrozenInputs {
    /// Takes the snapshot of `camp`'s check-in inputs at `taken_at`. Only
    /// records of the camp's project are kept. `hash_of` gives the SHA-256 of
    /// a raw archive entry; every record's source must have one.
    pub fn capture(
        camp: &Camp,
        day_rule: &DayRule,
        project: Option<&CheckinProject>,
        topics: &[CheckinTopic],
        ranking: &[RankingEntry],
        taken_at: Timestamp,
        hash_of: impl Fn(&str) -> Option<String>,
    ) -> Result<FrozenInputs, FreezeError> {
        let rule = camp.day_rule(day_rule);
        let last_day = camp.end.plus_days(i32::try_from(camp.makeup_days).unwrap_or(0));
        let open_until = last_day.plus_days(1).start_in(&rule.tz, rule.cutoff);
        if taken_at < open_until {
            return Err(FreezeError::TooEarly { camp: camp.id.clone(), taken_at, open_until });
        }
        let checkin_id = camp.checkin_id.clone().or_else(|| project.map(|p| p.checkin_id.clone()));
        let ours = |id: &CheckinId| checkin_id.as_ref() == Some(id);
        let project = project.filter(|p| ours(&p.checkin_id)).cloned();
        let mut topics: Vec<CheckinTopic> = topics.iter().filter(|t| ours(&t.checkin_id)).cloned().collect();
        topics.sort_by(|a, b| a.topic_id.cmp(&b.topic_id));
        topics.dedup_by(|a, b| a.topic_id == b.topic_id);
        let mut ranking: Vec<RankingEntry> = ranking.iter().filter(|r| ours(&r.checkin_id)).cloned().collect();
        ranking.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.user_id.cmp(&b.user_id)));

        let mut sources = BTreeMap::new();
        let mut add = |record: String, source: &SourceRef| -> Result<(), FreezeError> {
            if sources.contains_key(&source.raw_id) {
                return Ok(());
            }
            let hash = hash_of(&source.raw_id)
                .ok_or_else(|| FreezeError::MissingHash { record, raw_id: source.raw_id.clone() })?;
            sources.insert(source.raw_id.clone(), hash);
            Ok(())
        };
        if let Some(p) = &project {
            add(format!("project {}", p.checkin_id), &p.source)?;
        }
        for t in &topics {
            add(format!("topic {}", t.topic_id), &t.source)?;
        }
        for r in &ranking {
            add(format!("ranking row of user {}", r.user_id), &r.source)?;
        }
        let mut frozen = FrozenInputs {
            camp: camp.id.clone(),
            checkin_id,
            taken_at,
            project,
            topics,
            ranking,
            sources,
            digest: String::new(),
        };
        frozen.digest = frozen.compute_digest();
        Ok(frozen)
    }

    /// SHA-256 (hex) of the snapshot's JSON without its `digest` field: equal
    /// snapshots give equal digests.
    pub fn compute_digest(&self) -> String {
        let content = serde_json::json!({
            "camp": self.camp,
            "checkin_id": self.checkin_id,
            "taken_at": self.taken_at,
            "project": self.project,
            "topics": self.topics,
            "ranking": self.ranking,
            "sources": self.sources,
        });
        hex::encode(Sha256::digest(content.to_string().as_bytes()))
    }

    /// Whether the stored digest still matches the content (a snapshot read
    /// back from the store was not altered).
    pub fn verify_digest(&self) -> bool {
        self.digest == self.compute_digest()
    }

    /// The raw archive entries whose hash differs from the snapshot's (or are gone).
    pub fn check_archive(&self, hash_of: impl Fn(&str) -> Option<String>) -> Vec<ArchiveMismatch> {
        self.sources
            .iter()
            .filter_map(|(raw_id, frozen)| {
                let now = hash_of(raw_id);
                (now.as_ref() != Some(frozen)).then(|| ArchiveMismatch {
                    raw_id: raw_id.clone(),
                    frozen: frozen.clone(),
                    now,
                })
            })
            .collect()
    }

    /// The stamp an evaluation carries.
    pub fn stamp(&self) -> FreezeStamp {
        FreezeStamp {
            taken_at: self.taken_at,
            digest: self.digest.clone(),
            topics: self.topics.len(),
            ranking_rows: self.ranking.len(),
        }
    }
}
