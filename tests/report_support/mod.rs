//! A generated community in a file-backed store, the way campdesk's sync would
//! have filled it: the simulators run from before the first enrolment to the
//! anchor day on a manual clock; every day the camps' groups are snapshotted
//! (`groupchat/get`), and at the anchor the bill list, the check-in projects,
//! their topics and their ranking lists are fetched. Every page goes through
//! `records::ingest::page` (archived verbatim, parsed, upserted), so the raw
//! archive holds real platform pages for evidence and retention tests.
//!
//! The sync engine is not on main yet, so this small fetcher stands in for it;
//! the records layer, matcher, rules and evaluator are the real ones.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use campdesk::config::Config;
use campdesk::domain::{CheckinId, Day, PlanetUserId, TransactionId};
use campdesk::links::{self, DecisionRequest};
use campdesk::matching::LinkState;
use campdesk::matching::decisions::DecisionScope;
use campdesk::records::parse::{PageError, wecom, zsxq};
use campdesk::records::raw::{NewRaw, RawRequest};
use campdesk::records::{Source, checkins, groups, ingest, payments, planet_users, ranking};
use campdesk::sim::generate::{GenerateOptions, generate};
use campdesk::sim::truth::GroundTruth;
use campdesk::sim::world::WorldSettings;
use campdesk::sim::{ClockMode, Sim, SimHandle, SimKeys, SimOptions};
use campdesk::store::{OpenedBy, Store};

/// The anchor ("today") of the generated community.
pub fn anchor() -> Day {
    Day::new(2025, 11, 20).unwrap()
}

fn keys() -> Arc<SimKeys> {
    static KEYS: OnceLock<Arc<SimKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SimKeys::generate().unwrap())).clone()
}

/// A filled store and what generated it.
pub struct Filled {
    /// camps.toml, secrets/ and data/ live here.
    pub dir: tempfile::TempDir,
    /// The generated camps.toml.
    pub config: Config,
    /// What really happened.
    pub truth: GroundTruth,
    /// Sim time when the last page was fetched.
    pub now: Timestamp,
    /// The store (file-backed, in `data_dir()`).
    pub store: Store,
    /// Every post text the planet served, by topic id (for retention scans).
    pub topic_texts: Vec<(String, String, String)>,
}

impl Filled {
    /// The data dir.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The camps.toml path.
    pub fn config_path(&self) -> PathBuf {
        self.config.path.clone()
    }
}

/// Generates a community of `members` persons, syncs it into a fresh store,
/// evaluates every camp, settles review cards the way a reviewer who knows the
/// truth would (must-links), and evaluates again.
pub fn filled(seed: u64, members: usize) -> Filled {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(fill(seed, members))
}

async fn fill(seed: u64, members: usize) -> Filled {
    let dir = tempfile::tempdir().unwrap();
    let options = GenerateOptions::new(seed, members, anchor());
    let community = tokio::task::spawn_blocking(move || generate(&options)).await.unwrap();
    let first = community.truth.camps.iter().map(|c| c.start).min().unwrap();
    let tz = campdesk::domain::time::shanghai();
    let start = first.plus_days(-45).start_in(&tz, campdesk::domain::DayCutoff::MIDNIGHT);
    let end = community.start_time;
    let truth = community.truth.clone();
    let settings = WorldSettings { zsxq_token_ttl: SignedDuration::from_hours(24 * 400), ..WorldSettings::default() };
    let sim = Sim::start_with(
        community,
        keys(),
        start,
        SimOptions {
            clock: ClockMode::Manual,
            keys: Some(keys()),
            settings,
            config_dir: Some(dir.path().to_path_buf()),
            ..SimOptions::default()
        },
    )
    .await
    .unwrap();
    let config = campdesk::config::load_file(sim.config_path()).unwrap();
    let store = Store::open(&dir.path().join("data"), OpenedBy::Test).unwrap();
    let f = Fetcher::new(&sim, &config);

    // Daily group snapshots at 01:30, as the daily sync takes them.
    let mut day = first.plus_days(-44);
    while day.start_in(&tz, campdesk::domain::DayCutoff::MIDNIGHT) + SignedDuration::from_mins(90) < end {
        sim.set_now(day.start_in(&tz, campdesk::domain::DayCutoff::MIDNIGHT) + SignedDuration::from_mins(90)).unwrap();
        f.groups(&store).await;
        day = day.plus_days(1);
    }
    sim.set_now(end).unwrap();
    f.groups(&store).await;
    f.bills(&store, start, end).await;
    let mut topic_texts = Vec::new();
    for camp in &config.camps {
        let cid = camp.checkin_id.clone().unwrap();
        if !f.project(&store, &cid).await {
            continue; // created on zsxq after the anchor
        }
        topic_texts.extend(f.topics(&store, &cid).await);
        f.ranking(&store, &cid).await;
    }
    sim.shutdown().await;

    attribute_by_hand(&store, &config, &truth);
    evaluate_all(&store, &config, end);
    settle_reviews(&store, &config, &truth);
    evaluate_all(&store, &config, end);
    Filled { dir, config, truth, now: end, store, topic_texts }
}

/// Evaluates every camp; panics on an error.
pub fn evaluate_all(store: &Store, config: &Config, now: Timestamp) {
    for (camp, r) in campdesk::evaluate::evaluate_all(store, config, now) {
        if let Err(e) = r {
            panic!("camp {camp}: {e}");
        }
    }
}

/// The reviewer decides the ended camp's open verdicts: borderline, unlinked and
/// held failing verdicts (not duplicates) fail with a reason; then evaluates again.
pub fn fail_open_verdicts(f: &Filled, camp: &campdesk::domain::CampId) {
    use campdesk::rules::{OverrideDecision, VerdictKind, VerdictOverride};
    let evaluation = campdesk::verdicts::evaluation(&f.store.read().unwrap(), camp).unwrap().unwrap();
    f.store
        .write_with(|tx| {
            for v in &evaluation.verdicts {
                let open = matches!(v.verdict, VerdictKind::Borderline | VerdictKind::Unlinked)
                    || (v.verdict == VerdictKind::Fail && v.needs_review);
                if open && v.duplicate_of.is_none() {
                    let ov = VerdictOverride {
                        transaction_id: v.transaction_id.clone(),
                        decision: OverrideDecision::Fail,
                        reason: "复核：未达到要求".into(),
                        by: "owner".into(),
                        at: f.now,
                    };
                    campdesk::verdicts::set_override(tx, camp, &ov)?;
                }
            }
            Ok::<_, campdesk::store::StoreError>(())
        })
        .unwrap();
    evaluate_all(&f.store, &f.config, f.now);
}

/// Puts every payment the attribution rules left without a camp (or in another
/// camp) into its true camp, as the owner does in review.
pub fn attribute_by_hand(store: &Store, config: &Config, truth: &GroundTruth) {
    store
        .write_with(|tx| {
            for t in &truth.payments {
                let Some(camp) = &t.camp_id else { continue };
                let Some(p) = payments::payment(tx, &t.transaction_id)? else { continue };
                if p.camp.as_ref().map(|c| c.as_str()) != Some(camp.as_str()) {
                    payments::assign_camp(tx, config, &t.transaction_id, Some(&camp.as_str().into()), "owner")?;
                }
            }
            Ok::<_, campdesk::records::RecordsError>(())
        })
        .unwrap();
}

/// Links every payment the matcher left for review to its true planet user, and
/// attributes payments the rules left without a camp to their true camp, as a
/// reviewer who checked would.
pub fn settle_reviews(store: &Store, config: &Config, truth: &GroundTruth) {
    let now = Timestamp::now();
    let read = store.read().unwrap();
    let mut decisions = Vec::new();
    for camp in &config.camps {
        for l in links::links(&read, Some(&camp.id)).unwrap() {
            if matches!(l.state, LinkState::Auto | LinkState::Confirmed) {
                continue;
            }
            let Some(t) = truth.payment(l.transaction_id.as_str()) else { continue };
            let Some(user) = &t.planet_user_id else { continue };
            decisions.push(DecisionRequest {
                transaction_id: l.transaction_id.clone(),
                planet_user_id: PlanetUserId::new(user.clone()),
                external_userid: None,
                scope: DecisionScope::Payment,
                by: "reviewer".into(),
                note: Some("checked by hand".into()),
                snapshot: None,
            });
        }
    }
    drop(read);
    store
        .write_with(|tx| {
            for d in decisions {
                links::record_must_link(tx, d, now)
                    .map_err(|e| campdesk::store::StoreError::Rejected(e.to_string()))?;
            }
            Ok::<_, campdesk::store::StoreError>(())
        })
        .unwrap();
}

/// The truth's payments that a reviewer attributes to `camp` (what the report counts).
pub fn true_payments<'a>(truth: &'a GroundTruth, camp: &str) -> Vec<&'a campdesk::sim::truth::PaymentTruth> {
    truth.payments.iter().filter(|p| p.camp_id.as_deref() == Some(camp)).collect()
}

/// Transaction ids as the store has them for a camp.
pub fn stored_payments(store: &Store, camp: &str) -> Vec<TransactionId> {
    let read = store.read().unwrap();
    payments::payments_of_camp(&read, camp).unwrap().into_iter().map(|p| p.transaction_id).collect()
}

/// A path to the campdesk binary built for the integration tests.
pub fn campdesk_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_campdesk"))
}

/// Small clients that speak the platforms' wire formats and store every page.
struct Fetcher<'a> {
    sim: &'a SimHandle,
    config: &'a Config,
    client: reqwest::Client,
}

impl<'a> Fetcher<'a> {
    fn new(sim: &'a SimHandle, config: &'a Config) -> Fetcher<'a> {
        Fetcher { sim, config, client: reqwest::Client::builder().no_proxy().build().unwrap() }
    }

    async fn post(&self, url: &str, body: &Value) -> Vec<u8> {
        let r = self.client.post(url).json(body).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        r.bytes().await.unwrap().to_vec()
    }

    async fn zsxq(&self, path_and_query: &str) -> (String, Vec<u8>) {
        let url = format!("{}/v2/groups/{}{path_and_query}", self.sim.urls().zsxq, self.sim.setup().group_id);
        let token = &self.sim.secrets().zsxq_token;
        let r = self.client.get(&url).header("cookie", format!("zsxq_access_token={token}")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{url}");
        (url, r.bytes().await.unwrap().to_vec())
    }

    async fn token(&self) -> String {
        let url = format!(
            "{}/cgi-bin/gettoken?corpid={}&corpsecret={}",
            self.sim.urls().wecom,
            self.sim.setup().corp_id,
            self.sim.secrets().wecom_secret
        );
        let v: Value = self.client.get(url).send().await.unwrap().json().await.unwrap();
        v["access_token"].as_str().unwrap().to_string()
    }

    fn raw<'b>(&self, source: Source, request: RawRequest, body: &'b [u8]) -> NewRaw<'b> {
        NewRaw {
            source,
            request,
            status: Some(200),
            fetched_at: self.sim.now(),
            content_type: Some("application/json".into()),
            body,
        }
    }

    async fn groups(&self, store: &Store) {
        let token = self.token().await;
        let url = format!("{}/cgi-bin/externalcontact/groupchat/get?access_token={token}", self.sim.urls().wecom);
        for camp in &self.config.camps {
            for chat in &camp.group_chats {
                let req = json!({"chat_id": chat.as_str(), "need_name": 1});
                let body = self.post(&url, &req).await;
                ingest::page(
                    store,
                    self.raw(Source::Wecom, RawRequest::post(&url, req.to_string()), &body),
                    wecom::parse_group_chat,
                    |tx, snap, _| groups::apply_snapshot(tx, &snap),
                )
                .unwrap();
            }
        }
    }

    async fn bills(&self, store: &Store, from: Timestamp, to: Timestamp) {
        let token = self.token().await;
        let url = format!("{}/cgi-bin/externalpay/get_bill_list?access_token={token}", self.sim.urls().wecom);
        let mut begin = from;
        while begin < to {
            let end = (begin + SignedDuration::from_hours(24 * 30)).min(to);
            let mut cursor: Option<String> = None;
            loop {
                let mut req = json!({"begin_time": begin.as_second(), "end_time": end.as_second(), "limit": 200});
                if let Some(c) = &cursor {
                    req["cursor"] = json!(c);
                }
                let body = self.post(&url, &req).await;
                let (_, page) = ingest::page(
                    store,
                    self.raw(Source::Wecom, RawRequest::post(&url, req.to_string()), &body),
                    wecom::parse_bills,
                    |tx, page, _| {
                        payments::upsert_bills(tx, self.config, &page.bills)?;
                        Ok(page.next_cursor)
                    },
                )
                .unwrap();
                match page {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            begin = end;
        }
    }

    /// The project's detail; false when zsxq does not have it (yet).
    async fn project(&self, store: &Store, cid: &CheckinId) -> bool {
        let (url, body) = self.zsxq(&format!("/checkins/{cid}")).await;
        let r = ingest::page(
            store,
            self.raw(Source::Zsxq, RawRequest::get(&url), &body),
            zsxq::parse_project_detail,
            |tx, p, _| checkins::upsert_projects(tx, &[p]),
        );
        match r {
            Ok(_) => true,
            Err(ingest::IngestError::Parse { error: PageError::Api { code: 1007, .. }, .. }) => false,
            Err(e) => panic!("project {cid}: {e}"),
        }
    }

    /// Every topic of a project; returns (topic id, user id, text as sent).
    async fn topics(&self, store: &Store, cid: &CheckinId) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let mut end_time: Option<String> = None;
        loop {
            let q = match &end_time {
                Some(t) => {
                    format!("/checkins/{cid}/topics?count=20&end_time={}", campdesk::sim::http::percent_encode(t))
                }
                None => format!("/checkins/{cid}/topics?count=20"),
            };
            let (url, body) = self.zsxq(&q).await;
            let v: Value = serde_json::from_slice(&body).unwrap();
            for t in v["resp_data"]["topics"].as_array().unwrap() {
                let text = t["talk"]["text"].as_str().unwrap_or_default().to_string();
                out.push((t["topic_id"].to_string(), t["talk"]["owner"]["user_id"].to_string(), text));
            }
            let cid2 = cid.clone();
            let (_, (n, oldest)) = ingest::page(
                store,
                self.raw(Source::Zsxq, RawRequest::get(&url), &body),
                move |b, raw| zsxq::parse_topics(b, &cid2, raw),
                |tx, page, _| {
                    checkins::upsert_topics(tx, &page.topics)?;
                    planet_users::record_sightings(tx, &page.users)?;
                    Ok((page.topics.len(), page.oldest_create_time))
                },
            )
            .unwrap();
            match oldest {
                Some(o) if n >= 20 => end_time = Some(zsxq::end_time_before(&o).unwrap()),
                _ => return out,
            }
        }
    }

    async fn ranking(&self, store: &Store, cid: &CheckinId) {
        let mut index = 0u32;
        loop {
            let (url, body) = self.zsxq(&format!("/checkins/{cid}/ranking_list?type=accumulated&index={index}")).await;
            let cid2 = cid.clone();
            let at = self.sim.now();
            let (_, progress) = ingest::page(
                store,
                self.raw(Source::Zsxq, RawRequest::get(&url), &body),
                move |b, raw| zsxq::parse_ranking(b, &cid2, raw),
                |tx, parsed, _| {
                    planet_users::record_sightings(tx, &parsed.users)?;
                    ranking::ingest_page(tx, &parsed.into_page(cid, index, at))
                },
            )
            .unwrap();
            match progress {
                ranking::RankingProgress::Staged { next_index, .. } => index = next_index,
                ranking::RankingProgress::Replaced { .. } => return,
            }
        }
    }
}
