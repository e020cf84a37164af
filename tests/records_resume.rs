//! A paged sync that dies half-way (its transaction never commits) resumes from
//! its cursor: no page is lost and no row is doubled. Uses only the public
//! records API, the way the sync engine does: archive, parse, upsert + cursor in
//! one transaction.

use campdesk::domain::CheckinId;
use campdesk::domain::time::{format_zsxq_time, parse_zsxq_time};
use campdesk::records::cursors::{self, CursorKey, TopicsCursor};
use campdesk::records::parse::zsxq::{end_time_before, parse_topics};
use campdesk::records::raw::{self, NewRaw, RawRequest};
use campdesk::records::{Source, checkins, planet_users};
use campdesk::store::{OpenedBy, Store};
use jiff::{SignedDuration, Timestamp};

const CID: &str = "2424424541";
const PER_PAGE: usize = 20;

/// `n` topics, newest first, 7 minutes apart, by 13 different users.
fn all_topics(n: usize) -> Vec<(String, String, String)> {
    let newest: Timestamp = "2025-11-03T14:00:00.250Z".parse().unwrap();
    (0..n)
        .map(|i| {
            let at = newest.checked_sub(SignedDuration::from_mins(7 * i as i64)).unwrap();
            (format!("8281142812885{:04}", n - i), format!("40000000{:04}", i % 13), format_zsxq_time(at))
        })
        .collect()
}

/// The E14 page the server returns for `end_time` (inclusive), newest first.
fn serve(topics: &[(String, String, String)], end_time: Option<&str>) -> String {
    let end = end_time.map(|e| parse_zsxq_time(e).unwrap());
    let items: Vec<String> = topics
        .iter()
        .filter(|(_, _, at)| end.is_none_or(|e| parse_zsxq_time(at).unwrap() <= e))
        .take(PER_PAGE)
        .map(|(id, user, at)| {
            format!(
                r#"{{"topic_id":{id},"type":"talk","talk":{{"owner":{{"user_id":{user},"name":"user {user}"}},"text":"打卡"}},"create_time":"{at}","checkin":{{"checkin_id":{CID}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"succeeded":true,"resp_data":{{"topics":[{}]}}}}"#, items.join(","))
}

/// Runs the topics sync until done, or until the transaction of page `crash_on`
/// (0-based, counted over the whole history) is dropped without commit.
fn sync(store: &Store, topics: &[(String, String, String)], crash_on: Option<u32>) -> bool {
    let key = CursorKey::new(Source::Zsxq, CID, "checkin_topics");
    let cid = CheckinId::new(CID);
    loop {
        let cursor: TopicsCursor =
            cursors::get(&store.read().unwrap(), &key).unwrap().map(|(c, _)| c).unwrap_or_default();
        let body = serve(topics, cursor.end_time.as_deref());
        let url = format!(
            "https://api.zsxq.com/v2/groups/1/checkins/{CID}/topics?count=20&access_token=SECRET{}",
            cursor.end_time.as_deref().map(|e| format!("&end_time={e}")).unwrap_or_default()
        );
        let entry = raw::archive_now(
            store,
            NewRaw {
                source: Source::Zsxq,
                request: RawRequest::get(url),
                status: Some(200),
                fetched_at: Timestamp::now(),
                content_type: Some("application/json".into()),
                body: body.as_bytes(),
            },
        )
        .unwrap();
        let page = parse_topics(body.as_bytes(), &cid, &entry).unwrap();
        let mut tx = store.write().unwrap();
        checkins::upsert_topics(&mut tx, &page.topics).unwrap();
        planet_users::record_sightings(&mut tx, &page.users).unwrap();
        let done = page.topics.len() < PER_PAGE;
        if done {
            cursors::clear(&mut tx, &key).unwrap();
        } else {
            let next = TopicsCursor {
                end_time: Some(end_time_before(page.oldest_create_time.as_deref().unwrap()).unwrap()),
                newest_at_start: cursor.newest_at_start.clone().or(page.newest_create_time.clone()),
                pages: cursor.pages + 1,
            };
            cursors::put(&mut tx, &key, &next, entry.fetched_at).unwrap();
        }
        if crash_on == Some(cursor.pages) {
            drop(tx); // the process dies before commit
            return false;
        }
        tx.commit().unwrap();
        if done {
            return true;
        }
    }
}

#[test]
fn a_sync_that_dies_half_way_resumes_without_losing_or_doubling() {
    let dir = tempfile::tempdir().unwrap();
    let topics = all_topics(7 * PER_PAGE + 9);
    {
        let store = Store::open(dir.path(), OpenedBy::Test).unwrap();
        assert!(!sync(&store, &topics, Some(3)), "crashes on the 4th page");
        let r = store.read().unwrap();
        assert_eq!(checkins::topics(&r, CID).unwrap().len(), 3 * PER_PAGE, "three committed pages, nothing of the 4th");
        let (cursor, _): (TopicsCursor, _) =
            cursors::get(&r, &CursorKey::new(Source::Zsxq, CID, "checkin_topics")).unwrap().unwrap();
        assert_eq!(cursor.pages, 3);
        // The store is closed here as if the process had died.
    }
    let store = Store::open(dir.path(), OpenedBy::Test).unwrap();
    assert!(sync(&store, &topics, None));
    let r = store.read().unwrap();
    let stored = checkins::topics(&r, CID).unwrap();
    assert_eq!(stored.len(), topics.len(), "every topic, once");
    let mut ids: Vec<&str> = stored.iter().map(|t| t.topic_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), topics.len());
    assert!(cursors::list(&r, Some(Source::Zsxq)).unwrap().is_empty(), "a finished pass clears its cursor");
    // The page fetched before the crash stays archived as evidence: 8 pages + the repeated 4th.
    assert_eq!(raw::count(&r).unwrap(), 9);
    let first = raw::entry(&r, "raw-000000000001").unwrap().unwrap();
    assert!(!first.url.contains("SECRET"), "{}", first.url);
    // Each topic points to the page that holds it.
    let t = &stored[0];
    let (entry, body) = raw::read(&r, &t.source.raw_id).unwrap().unwrap();
    assert!(String::from_utf8(body).unwrap().contains(t.topic_id.as_str()));
    assert_eq!(entry.source, Source::Zsxq);
    assert_eq!(planet_users::planet_user(&r, "400000000005").unwrap().unwrap().name, "user 400000000005");
}
