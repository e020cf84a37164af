//! One call per fetched page, one commit: archive the body, parse it, store the
//! records (and the cursor) — the path every sync page takes.
//!
//! The body is archived whatever happens next: when parsing fails the archive
//! entry alone is committed (the malformed page is evidence); when storing fails
//! the records are rolled back and the body is archived on its own. Either way
//! the error carries the `raw_id`.

use super::RecordsError;
use super::parse::PageError;
use super::raw::{self, NewRaw, RawEntry};
use crate::store::{Store, WriteTx};

/// Why a page was not stored. Its body is archived as `raw_id`.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The body is not a usable page (or carries a platform error).
    #[error("page {raw_id}: {error}")]
    Parse {
        /// The archived body.
        raw_id: String,
        /// Why.
        error: PageError,
    },
    /// The records were refused; nothing of them was written.
    #[error("page {raw_id}: {error}")]
    Records {
        /// The archived body.
        raw_id: String,
        /// Why.
        error: RecordsError,
    },
    /// The archive itself could not be written.
    #[error(transparent)]
    Archive(#[from] RecordsError),
}

/// Archives `new`, parses it with `parse` and stores the result with `apply`, in
/// one transaction (see the module docs for failures).
pub fn page<P, T>(
    store: &Store,
    new: NewRaw<'_>,
    parse: impl FnOnce(&[u8], &RawEntry) -> Result<P, PageError>,
    apply: impl FnOnce(&mut WriteTx, P, &RawEntry) -> Result<T, RecordsError>,
) -> Result<(RawEntry, T), IngestError> {
    let mut tx = store.write().map_err(RecordsError::from)?;
    let entry = raw::archive(&mut tx, new.clone())?;
    let parsed = match parse(new.body, &entry) {
        Ok(p) => p,
        Err(error) => {
            tx.commit().map_err(RecordsError::from)?;
            return Err(IngestError::Parse { raw_id: entry.raw_id, error });
        }
    };
    match apply(&mut tx, parsed, &entry) {
        Ok(out) => {
            tx.commit().map_err(RecordsError::from)?;
            Ok((entry, out))
        }
        Err(error) => {
            drop(tx);
            let kept = raw::archive_now(store, new)?;
            Err(IngestError::Records { raw_id: kept.raw_id, error })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CheckinId;
    use crate::records::parse::zsxq::parse_topics;
    use crate::records::raw::RawRequest;
    use crate::records::{Source, checkins};

    fn new(body: &[u8]) -> NewRaw<'_> {
        NewRaw {
            source: Source::Zsxq,
            request: RawRequest::get("https://api.zsxq.com/v2/groups/1/checkins/5/topics?count=20"),
            status: Some(200),
            fetched_at: "2025-11-04T01:00:00Z".parse().unwrap(),
            content_type: None,
            body,
        }
    }

    const PAGE: &str = r#"{"succeeded":true,"resp_data":{"topics":[{"topic_id":1,"talk":{"owner":{"user_id":9,"name":"a"}},"create_time":"2025-11-03T21:00:00.000+0800"}]}}"#;

    #[test]
    fn a_good_page_is_archived_and_stored_in_one_commit() {
        let store = Store::in_memory().unwrap();
        let cid = CheckinId::new("5");
        let (entry, stats) = page(
            &store,
            new(PAGE.as_bytes()),
            |b, e| parse_topics(b, &cid, e),
            |tx, p, _| checkins::upsert_topics(tx, &p.topics),
        )
        .unwrap();
        assert_eq!(stats.inserted, 1);
        let r = store.read().unwrap();
        assert_eq!(checkins::topics(&r, "5").unwrap()[0].source.raw_id, entry.raw_id);
    }

    #[test]
    fn failures_keep_the_body_and_nothing_else() {
        let store = Store::in_memory().unwrap();
        let cid = CheckinId::new("5");
        let err = page(
            &store,
            new(b"<html>502</html>"),
            |b, e| parse_topics(b, &cid, e),
            |tx, p, _| checkins::upsert_topics(tx, &p.topics),
        )
        .unwrap_err();
        let IngestError::Parse { raw_id, .. } = &err else { panic!("{err}") };
        let (_, body) = raw::read(&store.read().unwrap(), raw_id).unwrap().unwrap();
        assert_eq!(body, b"<html>502</html>");

        let err = page(
            &store,
            new(PAGE.as_bytes()),
            |b, e| parse_topics(b, &cid, e),
            |tx, p, _| {
                checkins::upsert_topics(tx, &p.topics)?;
                Err::<(), _>(RecordsError::Conflict("refused".into()))
            },
        )
        .unwrap_err();
        let IngestError::Records { raw_id, .. } = &err else { panic!("{err}") };
        let r = store.read().unwrap();
        assert!(raw::read(&r, raw_id).unwrap().is_some());
        assert!(checkins::topics(&r, "5").unwrap().is_empty(), "the records were rolled back");
        assert_eq!(raw::count(&r).unwrap(), 2);
    }
}
