//! `campdesk bench ingest`: generates platform pages in the wire formats (zsxq
//! check-in topics, WeCom bill lists, WeCom group member lists) and pushes them
//! through the same path a sync takes: archive the body, parse it, upsert the
//! records with the page's cursor, commit. File-backed store in a temp dir.
//! Prints records/s and where the time went. Generating the pages is not timed.

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{CommandError, Exit, print_json};
use crate::cli::BenchIngestArgs;
use crate::config::{Config, parse_str};
use crate::domain::CheckinId;
use crate::domain::time::format_zsxq_time;
use crate::records::cursors::{self, BillCursor, CursorKey, TopicsCursor};
use crate::records::parse::{PageError, wecom, zsxq};
use crate::records::raw::{self, NewRaw, RawEntry, RawRequest};
use crate::records::{self, Source, checkins, groups, ingest, payments, planet_users};
use crate::store::{OpenedBy, Store, WriteTx};

const CAMPS: usize = 10;
const TOPICS_PER_PAGE: usize = 20;
const BILLS_PER_PAGE: usize = 1000;
const MEMBERS_PER_GROUP: usize = 500;

/// One phase's figures.
#[derive(Debug, Default, Serialize)]
struct Phase {
    name: &'static str,
    records: usize,
    pages: usize,
    bytes: usize,
    /// Archiving the bodies and committing.
    archive_commit_s: f64,
    parse_s: f64,
    store_s: f64,
    total_s: f64,
    records_per_s: f64,
}

impl Phase {
    fn finish(&mut self, t: &Timers) {
        self.total_s = t.total.as_secs_f64();
        self.parse_s = t.parse.as_secs_f64();
        self.store_s = t.store.as_secs_f64();
        self.archive_commit_s = (self.total_s - self.parse_s - self.store_s).max(0.0);
        self.records_per_s = if self.total_s > 0.0 { self.records as f64 / self.total_s } else { 0.0 };
    }
}

#[derive(Debug, Serialize)]
struct Report {
    release_build: bool,
    pages_per_transaction: usize,
    phases: Vec<Phase>,
    camp_records_s: f64,
    camp_records: CampFigures,
    store_bytes: u64,
}

#[derive(Debug, Default, Serialize)]
struct CampFigures {
    payments: usize,
    members: usize,
    topics: usize,
    planet_users: usize,
}

fn bench_config() -> Config {
    let mut text = String::from("[templates.t]\ndays = 10\nrequired = 7\ndeposit = \"39.00\"\n");
    for c in 0..CAMPS {
        let chats: Vec<String> = (0..groups_per_camp()).map(|g| format!("\"wrBench{c:02}g{g:03}\"")).collect();
        text.push_str(&format!(
            "\n[[camps]]\nid = \"bench-{c:02}\"\nname = \"bench {c}\"\ntemplate = \"t\"\nstart = \"2025-10-25\"\n\
             checkin_id = \"{}\"\ngroup_chats = [{}]\npayee = \"payee{c:02}\"\n",
            checkin_id(c),
            chats.join(", ")
        ));
    }
    parse_str(&text, std::path::Path::new("bench-camps.toml")).expect("the bench config is valid")
}

fn groups_per_camp() -> usize {
    20
}

fn checkin_id(c: usize) -> String {
    format!("{}", 2_424_424_000u64 + c as u64)
}

fn camp_start() -> Timestamp {
    "2025-10-24T16:00:00Z".parse().expect("valid instant")
}

fn internal(e: impl std::fmt::Display) -> CommandError {
    CommandError::internal(format!("bench: {e}"))
}

/// Time spent per part.
#[derive(Default)]
struct Timers {
    total: Duration,
    parse: Duration,
    store: Duration,
}

fn new_raw<'a>(source: Source, url: &str, body: &'a str) -> NewRaw<'a> {
    NewRaw {
        source,
        request: RawRequest::get(url),
        status: Some(200),
        fetched_at: Timestamp::now(),
        content_type: Some("application/json".into()),
        body: body.as_bytes(),
    }
}

/// Ingests a batch of pages the way a sync does: one page → [`ingest::page`]
/// (archive, parse, store, one commit); several pages → the same steps for all of
/// them in one transaction. Returns the records stored.
fn ingest_batch<P>(
    store: &Store,
    source: Source,
    batch: &[(String, String)],
    timers: &mut Timers,
    parse: impl Fn(&[u8], &RawEntry) -> Result<P, PageError>,
    mut apply: impl FnMut(&mut WriteTx, P, &RawEntry) -> Result<usize, records::RecordsError>,
) -> Result<usize, CommandError> {
    let start = Instant::now();
    let mut parse_t = Duration::ZERO;
    let mut store_t = Duration::ZERO;
    let mut stored = 0;
    if let [(url, body)] = batch {
        let (_, n) = ingest::page(
            store,
            new_raw(source, url, body),
            |b, e| {
                let t = Instant::now();
                let p = parse(b, e);
                parse_t += t.elapsed();
                p
            },
            |tx, p, e| {
                let t = Instant::now();
                let n = apply(tx, p, e);
                store_t += t.elapsed();
                n
            },
        )
        .map_err(internal)?;
        stored += n;
    } else {
        let mut tx = store.write().map_err(internal)?;
        let mut entries = Vec::with_capacity(batch.len());
        for (url, body) in batch {
            entries.push(raw::archive(&mut tx, new_raw(source, url, body)).map_err(internal)?);
        }
        for ((_, body), e) in batch.iter().zip(&entries) {
            let t = Instant::now();
            let p = parse(body.as_bytes(), e).map_err(internal)?;
            parse_t += t.elapsed();
            let t = Instant::now();
            stored += apply(&mut tx, p, e).map_err(internal)?;
            store_t += t.elapsed();
        }
        tx.commit().map_err(internal)?;
    }
    timers.total += start.elapsed();
    timers.parse += parse_t;
    timers.store += store_t;
    Ok(stored)
}

const NAMES: &[&str] =
    &["小明", "小红", "Ming", "  ", "🌟星星", "阿强", "Lily", "张伟", "王芳", "李娜", "赵磊", "陈静"];
const TEXTS: &[&str] = &[
    "今天完成了小绿书爆文拆解，写了三篇标题练习，收获很多。",
    "Day 3：按照老师的方法改了封面文案 <e type=\"hashtag\" hid=\"51122\" title=\"%23AI%E5%B0%8F%E7%BB%BF%E4%B9%A6%23\" /> 继续加油",
    "打卡！今天学习了选题方法，整理了十个选题，明天开始写。",
    "完成作业，附图三张。",
];

/// Check-in topic pages of project `c`, newest first, in the E14 wire format.
fn topic_pages(c: usize, count: usize, first_id: u64, rng: &mut ChaCha8Rng) -> Vec<(String, String)> {
    let cid = checkin_id(c);
    let users = count.div_ceil(10).max(1);
    let mut topics: Vec<(u64, u64, Timestamp)> = (0..count)
        .map(|i| {
            let user = 400_000_000_000 + (c * 100_000 + i % users) as u64;
            let day = (i / users) as i64;
            let minute = rng.random_range(6 * 60..24 * 60) as i64;
            let at = camp_start()
                + SignedDuration::from_hours(24 * day)
                + SignedDuration::from_mins(minute)
                + SignedDuration::from_millis(rng.random_range(0..1000) as i64);
            (first_id + i as u64, user, at)
        })
        .collect();
    topics.sort_by_key(|t| std::cmp::Reverse(t.2));
    topics
        .chunks(TOPICS_PER_PAGE)
        .map(|chunk| {
            let items: Vec<String> = chunk
                .iter()
                .map(|(id, user, at)| {
                    let name = NAMES[(*user % NAMES.len() as u64) as usize];
                    let text = TEXTS[(*id % TEXTS.len() as u64) as usize];
                    let images: Vec<String> = (0..(*id % 3))
                        .map(|k| format!(r#"{{"image_id":{},"type":"jpg","thumbnail":{{"url":"https://images.zsxq.com/t{id}{k}?e=1&token=x","width":380,"height":500}},"large":{{"url":"https://images.zsxq.com/l{id}{k}","width":800,"height":1053}},"original":{{"url":"https://images.zsxq.com/o{id}{k}","width":1080,"height":1421,"size":120000}}}}"#, id * 10 + k))
                        .collect();
                    format!(
                        r#"{{"topic_id":{id},"topic_uid":"{id}","group":{{"group_id":88880000000001,"name":"Bench Planet","type":"pay"}},"type":"talk","talk":{{"owner":{{"user_id":{user},"name":"{name}","avatar_url":"https://images.zsxq.com/a{user}?e=1&token=t","location":"广东"}},"text":"{}","images":[{}]}},"likes_count":1,"tourist_likes_count":0,"rewards_count":0,"comments_count":0,"reading_count":12,"readers_count":9,"digested":false,"sticky":false,"create_time":"{}","user_specific":{{"liked":false,"liked_emojis":[],"subscribed":false}},"checkin":{{"title":"bench {c}","checkin_id":{cid},"min_words_count":0}},"title":"打卡..."}}"#,
                        text.replace('"', "\\\""),
                        images.join(","),
                        format_zsxq_time(*at)
                    )
                })
                .collect();
            let url = format!("https://api.zsxq.com/v2/groups/88880000000001/checkins/{cid}/topics?count=20");
            (url, format!(r#"{{"succeeded":true,"resp_data":{{"topics":[{}]}}}}"#, items.join(",")))
        })
        .collect()
}

/// Bill list pages in the get_bill_list wire format.
fn bill_pages(count: usize, rng: &mut ChaCha8Rng) -> Vec<(String, String)> {
    let start = camp_start().as_second() - 20 * 86_400;
    (0..count)
        .collect::<Vec<_>>()
        .chunks(BILLS_PER_PAGE)
        .enumerate()
        .map(|(p, chunk)| {
            let items: Vec<String> = chunk
                .iter()
                .map(|i| {
                    let camp = i % CAMPS;
                    let fee = if i % 97 == 0 { 3800 } else { 3900 };
                    let refunded = i % 20 == 0;
                    let refunds = if refunded {
                        format!(r#","total_refund_fee":{fee},"refund_list":[{{"out_refund_no":"RF{i:010}","refund_userid":"payee{camp:02}","refund_comment":"退押金","refund_reqtime":{},"refund_status":2,"refund_fee":{fee}}}]"#, start + 40 * 86_400)
                    } else {
                        r#","total_refund_fee":0"#.to_string()
                    };
                    format!(
                        r#"{{"transaction_id":"42000{i:023}","bill_type":0,"trade_state":{},"pay_time":{},"out_trade_no":"WX{i:012}","external_userid":"wmBench{i:08}","total_fee":{fee},"payee_userid":"payee{camp:02}","payment_type":1,"mch_id":"1900000001","remark":"{} 星球{}","commodity_list":[{{"description":"押金","amount":1}}]{refunds},"contact_info":{{"name":"{}","phone":"","address":""}}}}"#,
                        if refunded { 3 } else { 1 },
                        start + rng.random_range(0..30 * 86_400) as i64,
                        NAMES[i % NAMES.len()],
                        i,
                        NAMES[(i / 7) % NAMES.len()]
                    )
                })
                .collect();
            let url = format!("https://qyapi.weixin.qq.com/cgi-bin/externalpay/get_bill_list?access_token=BENCHTOKEN&page={p}");
            (url, format!(r#"{{"errcode":0,"errmsg":"ok","next_cursor":"C{p}","bill_list":[{}]}}"#, items.join(",")))
        })
        .collect()
}

/// groupchat/get pages: 500 members per group (the owner and externals).
fn group_pages(count: usize) -> Vec<(String, String)> {
    let groups = count.div_ceil(MEMBERS_PER_GROUP);
    let start = camp_start().as_second();
    (0..groups)
        .map(|g| {
            let camp = g % CAMPS;
            let chat = format!("wrBench{camp:02}g{:03}", g / CAMPS);
            let n = MEMBERS_PER_GROUP.min(count - g * MEMBERS_PER_GROUP);
            let members: Vec<String> = (0..n)
                .map(|k| {
                    if k == 0 {
                        format!(r#"{{"userid":"payee{camp:02}","type":1,"join_time":{start},"join_scene":1,"group_nickname":"","name":"营主"}}"#)
                    } else {
                        let id = g * MEMBERS_PER_GROUP + k;
                        format!(
                            r#"{{"userid":"wmBench{id:08}","type":2,"unionid":"oBench{id}","join_time":{},"join_scene":3,"group_nickname":"{}","name":"{}"}}"#,
                            start + k as i64 * 60,
                            NAMES[k % NAMES.len()],
                            NAMES[(k / 3) % NAMES.len()]
                        )
                    }
                })
                .collect();
            let url = "https://qyapi.weixin.qq.com/cgi-bin/externalcontact/groupchat/get?access_token=BENCHTOKEN".to_string();
            let body = format!(
                r#"{{"errcode":0,"errmsg":"ok","group_chat":{{"chat_id":"{chat}","name":"bench {chat}","owner":"payee{camp:02}","create_time":{start},"notice":"","member_version":"v1","member_list":[{}],"admin_list":[]}}}}"#,
                members.join(",")
            );
            (url, body)
        })
        .collect()
}

fn bench_topics(store: &Store, n: usize, per_tx: usize, rng: &mut ChaCha8Rng) -> Result<Phase, CommandError> {
    let mut phase = Phase { name: "check-in topics", ..Default::default() };
    let mut timers = Timers::default();
    let per_camp = n / CAMPS;
    for c in 0..CAMPS {
        let count = if c == CAMPS - 1 { n - per_camp * (CAMPS - 1) } else { per_camp };
        let pages = topic_pages(c, count, 8_281_142_812_885_000 + (c * 1_000_000) as u64, rng);
        let cid = CheckinId::new(checkin_id(c));
        let key = CursorKey::new(Source::Zsxq, cid.as_str(), "checkin_topics");
        let mut page_no = 0u32;
        for batch in pages.chunks(per_tx) {
            phase.pages += batch.len();
            phase.bytes += batch.iter().map(|(_, b)| b.len()).sum::<usize>();
            phase.records += ingest_batch(
                store,
                Source::Zsxq,
                batch,
                &mut timers,
                |b, e| zsxq::parse_topics(b, &cid, e),
                |tx, page, entry| {
                    let n = checkins::upsert_topics(tx, &page.topics)?.total() as usize;
                    planet_users::record_sightings(tx, &page.users)?;
                    let end_time = page
                        .oldest_create_time
                        .as_deref()
                        .map(zsxq::end_time_before)
                        .transpose()
                        .map_err(|e| records::RecordsError::invalid("bench", "cursor", e.to_string()))?;
                    page_no += 1;
                    let cursor = TopicsCursor { end_time, newest_at_start: None, pages: page_no };
                    cursors::put(tx, &key, &cursor, entry.fetched_at)?;
                    Ok(n)
                },
            )?;
        }
    }
    phase.finish(&timers);
    Ok(phase)
}

fn bench_payments(
    store: &Store,
    config: &Config,
    n: usize,
    per_tx: usize,
    rng: &mut ChaCha8Rng,
) -> Result<Phase, CommandError> {
    let mut phase = Phase { name: "payments", ..Default::default() };
    let mut timers = Timers::default();
    let pages = bill_pages(n, rng);
    let key = CursorKey::new(Source::Wecom, "", "get_bill_list");
    for batch in pages.chunks(per_tx) {
        phase.pages += batch.len();
        phase.bytes += batch.iter().map(|(_, b)| b.len()).sum::<usize>();
        phase.records +=
            ingest_batch(store, Source::Wecom, batch, &mut timers, wecom::parse_bills, |tx, page, entry| {
                let n = payments::upsert_bills(tx, config, &page.bills)?.total() as usize;
                let cursor = BillCursor { begin_time: 0, end_time: 0, cursor: page.next_cursor.clone() };
                cursors::put(tx, &key, &cursor, entry.fetched_at)?;
                Ok(n)
            })?;
    }
    phase.finish(&timers);
    Ok(phase)
}

fn bench_members(store: &Store, n: usize, per_tx: usize) -> Result<Phase, CommandError> {
    let mut phase = Phase { name: "group members", ..Default::default() };
    let mut timers = Timers::default();
    let pages = group_pages(n);
    for batch in pages.chunks(per_tx) {
        phase.pages += batch.len();
        phase.bytes += batch.iter().map(|(_, b)| b.len()).sum::<usize>();
        phase.records +=
            ingest_batch(store, Source::Wecom, batch, &mut timers, wecom::parse_group_chat, |tx, snap, _| {
                Ok(groups::apply_snapshot(tx, &snap)?.members.total() as usize)
            })?;
    }
    phase.finish(&timers);
    Ok(phase)
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

pub(super) fn run(args: &BenchIngestArgs) -> Result<Exit, CommandError> {
    let per_tx = args.pages_per_tx.max(1);
    let dir = tempfile_dir()?;
    let store = Store::open(dir.path(), OpenedBy::Test).map_err(internal)?;
    let config = bench_config();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    if !args.json {
        println!(
            "campdesk bench ingest: {} check-in topics, {} payments, {} group members; {} page(s) per transaction; store in {}{}",
            args.topics,
            args.payments,
            args.members,
            per_tx,
            dir.path().display(),
            if cfg!(debug_assertions) { " (DEBUG BUILD: figures are not representative; use --release)" } else { "" }
        );
    }
    let mut phases = Vec::new();
    if args.topics > 0 {
        phases.push(bench_topics(&store, args.topics, per_tx, &mut rng)?);
    }
    if args.payments > 0 {
        phases.push(bench_payments(&store, &config, args.payments, per_tx, &mut rng)?);
    }
    if args.members > 0 {
        phases.push(bench_members(&store, args.members, per_tx)?);
    }
    let t = Instant::now();
    let camp = &config.camps[0];
    let read = store.read().map_err(internal)?;
    let cr = records::camp_records(&read, &config, camp).map_err(internal)?;
    let camp_records_s = t.elapsed().as_secs_f64();
    let figures = CampFigures {
        payments: cr.payments.len(),
        members: cr.members.len(),
        topics: cr.topics.len(),
        planet_users: cr.planet_users.len(),
    };
    drop(read);
    drop(store);
    let report = Report {
        release_build: !cfg!(debug_assertions),
        pages_per_transaction: per_tx,
        phases,
        camp_records_s,
        camp_records: figures,
        store_bytes: dir_size(dir.path()),
    };
    if args.json {
        print_json(&report)?;
        return Ok(Exit::Ok);
    }
    for p in &report.phases {
        println!(
            "  {:<16} {:>7} records {:>5} pages {:>7.1} MB  total {:>6.2} s  {:>9.0} records/s  (parse {:.2} s, store {:.2} s, archive+commit {:.2} s)",
            p.name,
            p.records,
            p.pages,
            p.bytes as f64 / 1e6,
            p.total_s,
            p.records_per_s,
            p.parse_s,
            p.store_s,
            p.archive_commit_s
        );
    }
    println!(
        "  camp_records     {} payments, {} members, {} topics, {} planet users of one camp read in {:.3} s",
        report.camp_records.payments,
        report.camp_records.members,
        report.camp_records.topics,
        report.camp_records.planet_users,
        report.camp_records_s
    );
    println!("  store file       {:.1} MB", report.store_bytes as f64 / 1e6);
    Ok(Exit::Ok)
}

fn tempfile_dir() -> Result<TempDir, CommandError> {
    let base = std::env::temp_dir().join(format!(
        "campdesk-bench-{}-{}",
        std::process::id(),
        Timestamp::now().as_millisecond()
    ));
    std::fs::create_dir_all(&base).map_err(internal)?;
    Ok(TempDir(base))
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
