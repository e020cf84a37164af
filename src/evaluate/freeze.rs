//! Freezing a finished camp: the check-in inputs its verdicts rest on (posts
//! and ranking rows, with the hashes of the raw pages they came from) are
//! stored as they are, so later edits on the platform cannot change a frozen
//! verdict. Normally automatic after the camp's final sync; re-opening is an
//! audited decision (`verdicts::reopen`).

use jiff::Timestamp;

use crate::config::{Camp, Config};
use crate::records;
use crate::rules::FrozenInputs;
use crate::store::Store;
use crate::verdicts;

/// Why a camp could not be frozen.
#[derive(Debug, thiserror::Error)]
pub enum FreezeCampError {
    /// Too early, already frozen, or an archive page is missing.
    #[error("camp {camp}: {message}")]
    Refused {
        /// The camp.
        camp: String,
        /// Why.
        message: String,
    },
}

/// Freezes `camp`'s check-in inputs as they are in the store now; returns a
/// one-line summary (posts, ranking rows, digest).
pub fn freeze_camp(
    store: &Store,
    config: &Config,
    camp: &Camp,
    by: &str,
    now: Timestamp,
) -> Result<String, FreezeCampError> {
    let refused = |message: String| FreezeCampError::Refused { camp: camp.id.to_string(), message };
    let read = store.read().map_err(|e| refused(e.to_string()))?;
    if verdicts::frozen(&read, &camp.id).map_err(|e| refused(e.to_string()))?.is_some() {
        return Err(refused("already frozen; re-open it first to take a new snapshot".into()));
    }
    let recs = records::camp_records(&read, config, camp).map_err(|e| refused(e.to_string()))?;
    let hash_of = |raw_id: &str| records::raw::entry(&read, raw_id).ok().flatten().map(|e| e.sha256);
    let inputs =
        FrozenInputs::capture(camp, &config.day_rule, recs.project.as_ref(), &recs.topics, &recs.ranking, now, hash_of)
            .map_err(|e| refused(e.to_string()))?;
    drop(read);
    let stamp = inputs.stamp();
    store.write_with(|tx| verdicts::freeze(tx, &camp.id, &inputs, by)).map_err(|e| refused(e.to_string()))?;
    Ok(format!(
        "camp {} frozen: {} posts, {} ranking rows, digest {}",
        camp.id,
        stamp.topics,
        stamp.ranking_rows,
        stamp.digest.get(..16).unwrap_or(&stamp.digest)
    ))
}
