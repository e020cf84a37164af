//! The raw archive: every response body and imported file, verbatim, with its
//! SHA-256, source, request (secrets removed) and fetch time, stored *before* it
//! is parsed. Records point to it through [`SourceRef`](crate::domain::SourceRef).
//!
//! Identical bodies share one stored copy (keyed by hash), but every fetch keeps
//! its own entry: the time a page was seen is evidence.

use base64::Engine as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::mentions::{self, Mention, MentionKind};
use super::redact::{redact_body, redact_headers, redact_url};
use super::{Reads, RecordsError, Source};
use crate::store::{Store, TableDef, WriteTx, key, key_prefix};

/// raw_id → entry.
pub const RAW_ENTRIES: TableDef<RawEntry> = TableDef::new("raw_entries");
/// sha256 → body (stored once per distinct body).
const RAW_BODIES: TableDef<StoredBody> = TableDef::new("raw_bodies");
/// sha256 → length (cheap existence check).
const RAW_HASHES: TableDef<u64> = TableDef::new("raw_hashes");
/// key(sha256, raw_id) → nothing: the entries that hold a body.
const RAW_BY_HASH: TableDef<()> = TableDef::new("raw_by_hash");
/// The next raw sequence number.
const RAW_SEQ: TableDef<u64> = TableDef::new("raw_seq");
const SEQ_KEY: &str = "next";

/// The request that produced a body, as the caller describes it. Secrets are
/// removed by [`archive`] before anything is stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRequest {
    /// `GET`, `POST`, … or `IMPORT` for files.
    pub method: String,
    /// The full URL as sent (or the file name for imports).
    pub url: String,
    /// The request body, if any (JSON bodies keep their non-secret keys).
    pub body: Option<String>,
    /// Request headers worth keeping (secret ones are dropped).
    pub headers: Vec<(String, String)>,
}

impl RawRequest {
    /// A GET of `url`.
    pub fn get(url: impl Into<String>) -> Self {
        RawRequest { method: "GET".into(), url: url.into(), ..Default::default() }
    }

    /// A POST of `body` to `url`.
    pub fn post(url: impl Into<String>, body: impl Into<String>) -> Self {
        RawRequest { method: "POST".into(), url: url.into(), body: Some(body.into()), ..Default::default() }
    }

    /// An imported file, named without its directories.
    pub fn file(name: impl Into<String>) -> Self {
        RawRequest { method: "IMPORT".into(), url: name.into(), ..Default::default() }
    }
}

/// A body to archive.
#[derive(Clone, Debug)]
pub struct NewRaw<'a> {
    /// Where it came from.
    pub source: Source,
    /// The request (secrets are removed before storing).
    pub request: RawRequest,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// When it was received.
    pub fetched_at: Timestamp,
    /// Content type, when known (`application/json`, `text/csv` …).
    pub content_type: Option<String>,
    /// The body, byte for byte.
    pub body: &'a [u8],
}

/// An archived fetch or file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawEntry {
    /// The id records point to (`raw-000000000001`, in archive order).
    pub raw_id: String,
    /// Where it came from.
    pub source: Source,
    /// Request method (`IMPORT` for files).
    pub method: String,
    /// The URL with secrets removed (the file name for imports).
    pub url: String,
    /// The request body with secret keys removed.
    #[serde(default)]
    pub request_body: Option<String>,
    /// Request headers kept (secret ones dropped).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Names of what was removed from the request (never values).
    #[serde(default)]
    pub redacted: Vec<String>,
    /// HTTP status.
    pub status: Option<u16>,
    /// When it was received.
    pub fetched_at: Timestamp,
    /// Content type.
    pub content_type: Option<String>,
    /// SHA-256 of the body, lowercase hex.
    pub sha256: String,
    /// Body length in bytes.
    pub len: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "encoding", content = "data", rename_all = "snake_case")]
enum StoredBody {
    /// UTF-8 text, stored as is.
    Utf8(String),
    /// Anything else (xlsx …), base64.
    Base64(String),
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Formats a raw id from its sequence number.
fn raw_id(seq: u64) -> String {
    format!("raw-{seq:012}")
}

/// Archives `new` inside `tx` and returns its entry. The body is stored once per
/// distinct hash; the entry is new on every call.
pub fn archive(tx: &mut WriteTx, new: NewRaw<'_>) -> Result<RawEntry, RecordsError> {
    let sha256 = sha256_hex(new.body);
    let seq = tx.get(&RAW_SEQ, SEQ_KEY)?.unwrap_or(1);
    tx.put(&RAW_SEQ, SEQ_KEY, &(seq + 1))?;
    let url = redact_url(&new.request.url);
    let mut redacted = url.removed;
    let (headers, removed_headers) = redact_headers(&new.request.headers);
    redacted.extend(removed_headers);
    let request_body = match &new.request.body {
        Some(b) => {
            let (kept, removed) = redact_body(b);
            redacted.extend(removed);
            kept
        }
        None => None,
    };
    let entry = RawEntry {
        raw_id: raw_id(seq),
        source: new.source,
        method: new.request.method.to_ascii_uppercase(),
        url: url.url,
        request_body,
        headers,
        redacted,
        status: new.status,
        fetched_at: new.fetched_at,
        content_type: new.content_type,
        sha256: sha256.clone(),
        len: new.body.len() as u64,
    };
    if tx.get(&RAW_HASHES, &sha256)?.is_none() {
        let stored = match std::str::from_utf8(new.body) {
            Ok(text) => StoredBody::Utf8(text.to_string()),
            Err(_) => StoredBody::Base64(base64::engine::general_purpose::STANDARD.encode(new.body)),
        };
        tx.put(&RAW_BODIES, &sha256, &stored)?;
        tx.put(&RAW_HASHES, &sha256, &entry.len)?;
    }
    tx.put(&RAW_ENTRIES, &entry.raw_id, &entry)?;
    tx.put(&RAW_BY_HASH, &key(&[&sha256, &entry.raw_id]), &())?;
    Ok(entry)
}

/// Archives `new` in its own transaction and commits it, so the body is kept even
/// if parsing it fails afterwards.
pub fn archive_now(store: &Store, new: NewRaw<'_>) -> Result<RawEntry, RecordsError> {
    store.write_with(|tx| archive(tx, new))
}

/// The entry with this id.
pub fn entry(r: &impl Reads, raw_id: &str) -> Result<Option<RawEntry>, RecordsError> {
    Ok(r.get_record(&RAW_ENTRIES, raw_id)?)
}

/// The body of an entry, checked against its hash.
pub fn body(r: &impl Reads, entry: &RawEntry) -> Result<Vec<u8>, RecordsError> {
    let stored = r.get_record(&RAW_BODIES, &entry.sha256)?.ok_or_else(|| {
        RecordsError::Conflict(format!(
            "raw entry {}: its body {} is missing from the archive",
            entry.raw_id, entry.sha256
        ))
    })?;
    let bytes = match stored {
        StoredBody::Utf8(text) => text.into_bytes(),
        StoredBody::Base64(b) => base64::engine::general_purpose::STANDARD.decode(b).map_err(|e| {
            RecordsError::Conflict(format!("raw entry {}: stored body does not decode: {e}", entry.raw_id))
        })?,
    };
    if sha256_hex(&bytes) != entry.sha256 {
        return Err(RecordsError::Conflict(format!(
            "raw entry {}: the stored body no longer matches its SHA-256 {}",
            entry.raw_id, entry.sha256
        )));
    }
    Ok(bytes)
}

/// The entry and its body.
pub fn read(r: &impl Reads, raw_id: &str) -> Result<Option<(RawEntry, Vec<u8>)>, RecordsError> {
    match entry(r, raw_id)? {
        Some(e) => {
            let b = body(r, &e)?;
            Ok(Some((e, b)))
        }
        None => Ok(None),
    }
}

/// Every entry whose body has this SHA-256, oldest first.
pub fn entries_with_hash(r: &impl Reads, sha256: &str) -> Result<Vec<RawEntry>, RecordsError> {
    let prefix = key_prefix(&[sha256]);
    let mut out = Vec::new();
    for (k, ()) in r.prefix_records(&RAW_BY_HASH, &prefix)? {
        if let Some(e) = entry(r, &k[prefix.len()..])? {
            out.push(e);
        }
    }
    Ok(out)
}

/// The entries that mention `id`, with the positions inside each, oldest first.
pub fn mentioning(r: &impl Reads, kind: MentionKind, id: &str) -> Result<Vec<(RawEntry, Vec<u32>)>, RecordsError> {
    let mut out = Vec::new();
    for Mention { raw_id, positions } in mentions::mentioning(r, kind, id)? {
        if let Some(e) = entry(r, &raw_id)? {
            out.push((e, positions));
        }
    }
    Ok(out)
}

/// Every entry, in archive order.
pub fn entries(r: &impl Reads) -> Result<Vec<RawEntry>, RecordsError> {
    Ok(r.prefix_records(&RAW_ENTRIES, "")?.into_iter().map(|(_, e)| e).collect())
}

/// Removes a body from the archive (retention purges). The entries that held it
/// stay with their original SHA-256, fetch time and request, so the archive
/// still says what was fetched when; reading the body then fails. Returns
/// whether there was a body to remove.
pub fn erase_body(tx: &mut WriteTx, sha256: &str) -> Result<bool, RecordsError> {
    let had = tx.remove(&RAW_BODIES, sha256)?;
    tx.remove(&RAW_HASHES, sha256)?;
    Ok(had)
}

/// Number of archived entries.
pub fn count(r: &impl Reads) -> Result<u64, RecordsError> {
    Ok(r.count_records(&RAW_ENTRIES)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceRef;
    use crate::records::mentions::MentionBatch;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_body_round_trips_with_its_hash_and_each_fetch_keeps_its_entry() {
        let store = Store::in_memory().unwrap();
        let body = br#"{"errcode":0,"errmsg":"ok","bill_list":[]}"#;
        let first = archive_now(
            &store,
            NewRaw {
                source: Source::Wecom,
                request: RawRequest::post(
                    "https://qyapi.weixin.qq.com/cgi-bin/externalpay/get_bill_list?access_token=SECRET_TOKEN_1",
                    r#"{"begin_time":1,"end_time":2}"#,
                ),
                status: Some(200),
                fetched_at: at("2025-10-26T01:15:00Z"),
                content_type: Some("application/json".into()),
                body,
            },
        )
        .unwrap();
        let second = archive_now(
            &store,
            NewRaw {
                source: Source::Wecom,
                request: RawRequest::get("https://qyapi.weixin.qq.com/x?access_token=SECRET_TOKEN_2"),
                status: Some(200),
                fetched_at: at("2025-10-27T01:15:00Z"),
                content_type: None,
                body,
            },
        )
        .unwrap();
        assert_ne!(first.raw_id, second.raw_id);
        assert!(first.raw_id < second.raw_id, "ids sort in archive order");
        assert_eq!(first.sha256, sha256_hex(body));
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let r = store.read().unwrap();
        let (e, b) = read(&r, &first.raw_id).unwrap().unwrap();
        assert_eq!(b, body);
        assert_eq!(e.fetched_at, at("2025-10-26T01:15:00Z"));
        assert_eq!(e.request_body.as_deref(), Some(r#"{"begin_time":1,"end_time":2}"#));
        let same = entries_with_hash(&r, &first.sha256).unwrap();
        assert_eq!(same.iter().map(|e| e.raw_id.as_str()).collect::<Vec<_>>(), vec![&first.raw_id, &second.raw_id]);
        assert_eq!(r.count(&RAW_BODIES).unwrap(), 1, "identical bodies share storage");
        assert_eq!(count(&r).unwrap(), 2);
    }

    #[test]
    fn secrets_never_reach_the_store() {
        let store = Store::in_memory().unwrap();
        let mut request =
            RawRequest::get("https://api.zsxq.com/v2/groups/1/checkins/2/topics?count=20&access_token=TOKENVALUE123");
        request.headers = vec![
            ("authorization".into(), "AUTHVALUE456".into()),
            ("Cookie".into(), "zsxq_access_token=COOKIEVALUE789".into()),
            ("x-request-id".into(), "b7c1".into()),
        ];
        let e = archive_now(
            &store,
            NewRaw {
                source: Source::Zsxq,
                request,
                status: Some(200),
                fetched_at: at("2025-10-26T01:15:00Z"),
                content_type: None,
                body: b"{}",
            },
        )
        .unwrap();
        let stored = serde_json::to_string(&entry(&store.read().unwrap(), &e.raw_id).unwrap().unwrap()).unwrap();
        for secret in ["TOKENVALUE123", "AUTHVALUE456", "COOKIEVALUE789", "access_token="] {
            assert!(!stored.contains(secret), "{secret} leaked into {stored}");
        }
        assert!(stored.contains("x-request-id"));
        assert_eq!(e.redacted, vec!["access_token", "authorization", "cookie"]);
    }

    #[test]
    fn binary_bodies_are_kept_byte_for_byte() {
        let store = Store::in_memory().unwrap();
        let body: Vec<u8> = (0..=255u8).chain([0xff, 0xfe, 0x00]).collect();
        let e = archive_now(
            &store,
            NewRaw {
                source: Source::Import,
                request: RawRequest::file("orders.xlsx"),
                status: None,
                fetched_at: at("2025-10-26T01:15:00Z"),
                content_type: None,
                body: &body,
            },
        )
        .unwrap();
        let (_, back) = read(&store.read().unwrap(), &e.raw_id).unwrap().unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn mentions_list_entries_by_id() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.write().unwrap();
        let mut ids = Vec::new();
        for day in ["2025-10-26T01:00:00Z", "2025-10-27T01:00:00Z"] {
            let e = archive(
                &mut tx,
                NewRaw {
                    source: Source::Zsxq,
                    request: RawRequest::get("https://api.zsxq.com/x"),
                    status: Some(200),
                    fetched_at: at(day),
                    content_type: None,
                    body: day.as_bytes(),
                },
            )
            .unwrap();
            let mut batch = MentionBatch::new();
            batch.add(MentionKind::PlanetUser, "4001", &SourceRef { raw_id: e.raw_id.clone(), position: Some(3) });
            batch.add(MentionKind::PlanetUser, "4001", &SourceRef { raw_id: e.raw_id.clone(), position: Some(7) });
            batch.add(MentionKind::PlanetUser, "4002", &SourceRef { raw_id: e.raw_id.clone(), position: Some(1) });
            batch.write(&mut tx).unwrap();
            ids.push(e.raw_id);
        }
        tx.commit().unwrap();
        let r = store.read().unwrap();
        let found = mentioning(&r, MentionKind::PlanetUser, "4001").unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0.raw_id, ids[0]);
        assert_eq!(found[0].1, vec![3, 7]);
        assert!(mentioning(&r, MentionKind::PlanetUser, "400").unwrap().is_empty(), "no prefix bleed");
        assert!(mentioning(&r, MentionKind::Topic, "4001").unwrap().is_empty());
    }
}
