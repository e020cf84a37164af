//! Shared by the sync tests: simulators whose whole timeline has happened, configs with
//! pacing 0, fast retry options, and the expected data read straight from the
//! simulated platforms (independently of campdesk's adapters) next to what the store holds.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use campdesk::config::Config;
use campdesk::domain::Day;
use campdesk::engine::Backoff;
use campdesk::engine::setup::EngineOptions;
use campdesk::records::{checkins, groups, payments, ranking};
use campdesk::sim::generate::{GenerateOptions, generate};
use campdesk::sim::{Sim, SimHandle, SimKeys, SimOptions};
use campdesk::sources::http::HttpSettings;
use campdesk::sources::jobs::{SourceOptions, start_of_bills};
use campdesk::store::Store;
use serde_json::Value;

/// One set of RSA keys for the whole test binary.
pub fn keys() -> Arc<SimKeys> {
    static KEYS: OnceLock<Arc<SimKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SimKeys::generate().unwrap())).clone()
}

/// The fixed anchor day of test communities.
pub fn anchor() -> Day {
    Day::new(2025, 11, 20).unwrap()
}

/// A community of `members` persons in `camps` camps, served with the sim clock
/// three days after the last camp ended (every payment, join and post has happened).
pub async fn start_sim(seed: u64, members: usize, camps: Option<usize>) -> SimHandle {
    start_sim_with(seed, members, camps, SimOptions::default()).await
}

/// [`start_sim`] with extra options (faults, settings).
pub async fn start_sim_with(seed: u64, members: usize, camps: Option<usize>, options: SimOptions) -> SimHandle {
    let mut opts = GenerateOptions::new(seed, members, anchor());
    opts.camps = camps;
    let community = tokio::task::spawn_blocking(move || generate(&opts)).await.unwrap();
    let end = community.truth.camps.iter().map(|c| c.end).max().unwrap().plus_days(3);
    let rule = campdesk::domain::DayRule::shanghai();
    let start = end.start_in(&rule.tz, rule.cutoff);
    let options = SimOptions { keys: Some(keys()), tick: Duration::from_millis(20), ..options };
    Sim::start_with(community, keys(), start, options).await.unwrap()
}

/// A community of `members` persons in `camps` camps, served with the sim clock at the
/// anchor day's noon (the second camp is running and takes posts).
pub async fn start_sim_at_anchor(seed: u64, members: usize, camps: Option<usize>) -> SimHandle {
    let mut opts = GenerateOptions::new(seed, members, anchor());
    opts.camps = camps;
    let options = SimOptions {
        keys: Some(keys()),
        tick: Duration::from_millis(20),
        generate: Some(opts),
        ..SimOptions::default()
    };
    Sim::start(options).await.unwrap()
}

/// Writes the sim's camps.toml with pacing 0 next to the original (secrets resolve the same).
pub fn fast_config(sim: &SimHandle) -> PathBuf {
    let text = sim.config_text().replace("pace = \"50ms\"", "pace = \"0ms\"");
    assert!(text.contains("pace = \"0ms\""), "the sim config sets a pace");
    let path = sim.config_path().with_file_name("camps-fast.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The config the sync runs with.
pub fn load(path: &std::path::Path) -> Arc<Config> {
    Arc::new(campdesk::config::load_file(path).unwrap())
}

/// Engine options for tests: no pacing, retries after a millisecond or two.
pub fn fast_options() -> EngineOptions {
    EngineOptions {
        scheduled: false,
        sources: SourceOptions {
            http: HttpSettings { timeout: Duration::from_millis(1500), connect_timeout: Duration::from_secs(2) },
            retry: Backoff {
                base: Duration::from_millis(1),
                cap: Duration::from_millis(5),
                max_attempts: 12,
                jitter: 0.2,
            },
            rate_limit_wait: Duration::from_millis(2),
            zsxq_pace: Some(Duration::ZERO),
            pages_per_commit: 1,
        },
        backoff: Backoff {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(5),
            max_attempts: 4,
            jitter: 0.2,
        },
        concurrency: 2,
        evaluate: false,
    }
}

/// What a store (or the platforms) hold, in comparable form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// transaction_ids of payments.
    pub payments: BTreeSet<String>,
    /// chat_id → present member ids.
    pub members: BTreeMap<String, BTreeSet<String>>,
    /// checkin_id → topic ids.
    pub topics: BTreeMap<String, BTreeSet<String>>,
    /// checkin_id → (rank, user_id, days).
    pub ranking: BTreeMap<String, Vec<(u32, String, u32)>>,
}

/// What the simulated platforms hold now, for the camps of `config`.
pub async fn expected(sim: &SimHandle, config: &Config) -> Snapshot {
    let from = start_of_bills(config).unwrap();
    let mut s = sim.with_world(|w| {
        let mut s = Snapshot::default();
        let visible = |payee: &str| w.corp.staff().get(payee).is_some_and(|st| st.visible);
        s.payments = w
            .corp
            .bills()
            .iter()
            .filter(|b| b.pay_time <= w.now() && b.pay_time >= from && visible(&b.payee_userid))
            .map(|b| b.transaction_id.clone())
            .collect();
        for camp in &config.camps {
            for chat in &camp.group_chats {
                let g = w.corp.group(chat.as_str()).unwrap();
                s.members.insert(chat.to_string(), g.members.iter().map(|m| m.userid.clone()).collect());
            }
            if let Some(cid) = &camp.checkin_id {
                let p = w.planet.project(cid.as_str().parse().unwrap()).unwrap();
                s.topics.insert(cid.to_string(), p.topics().iter().map(|t| t.topic_id.to_string()).collect());
            }
        }
        s
    });
    for camp in &config.camps {
        if let Some(cid) = &camp.checkin_id {
            s.ranking.insert(cid.to_string(), ranking_over_http(sim, cid.as_str()).await);
        }
    }
    s
}

/// The whole accumulated ranking of a project, read with a plain client.
pub async fn ranking_over_http(sim: &SimHandle, checkin_id: &str) -> Vec<(u32, String, u32)> {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut out = Vec::new();
    let mut index = 0;
    loop {
        let url = format!(
            "{}/v2/groups/{}/checkins/{checkin_id}/ranking_list?type=accumulated&index={index}",
            sim.urls().zsxq,
            sim.setup().group_id
        );
        let body: Value = client
            .get(url)
            .header("cookie", format!("zsxq_access_token={}", sim.secrets().zsxq_token))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let rows = body["resp_data"]["ranking_list"].as_array().unwrap().clone();
        for r in &rows {
            out.push((
                r["rankings"].as_u64().unwrap() as u32,
                r["user"]["user_id"].as_u64().unwrap().to_string(),
                r["checkined_days"].as_u64().unwrap() as u32,
            ));
        }
        if rows.len() < 21 {
            return out;
        }
        index = out.last().unwrap().0;
    }
}

/// What the store holds for the camps of `config`.
pub fn stored(store: &Store, config: &Config) -> Snapshot {
    let r = store.read().unwrap();
    let mut s = Snapshot {
        payments: r.all(&payments::PAYMENTS).unwrap().into_iter().map(|(k, _)| k).collect(),
        ..Snapshot::default()
    };
    for camp in &config.camps {
        for chat in &camp.group_chats {
            let present = groups::members(&r, chat.as_str())
                .unwrap()
                .into_iter()
                .filter(groups::is_present)
                .map(|m| m.member_id)
                .collect();
            s.members.insert(chat.to_string(), present);
        }
        if let Some(cid) = &camp.checkin_id {
            let topics = checkins::topics(&r, cid.as_str()).unwrap();
            s.topics.insert(cid.to_string(), topics.into_iter().map(|t| t.topic_id.to_string()).collect());
            let rows = ranking::ranking(&r, cid.as_str()).unwrap();
            s.ranking.insert(
                cid.to_string(),
                rows.into_iter().map(|e| (e.rank, e.user_id.to_string(), e.checkined_days)).collect(),
            );
        }
    }
    s
}

/// Total rows of a snapshot, for messages.
pub fn sizes(s: &Snapshot) -> (usize, usize, usize, usize) {
    (
        s.payments.len(),
        s.members.values().map(BTreeSet::len).sum(),
        s.topics.values().map(BTreeSet::len).sum(),
        s.ranking.values().map(Vec::len).sum(),
    )
}

/// Asserts two snapshots are equal; on a difference names the first few items that differ.
pub fn assert_same(got: &Snapshot, want: &Snapshot, what: &str) {
    fn report<T: Ord + std::fmt::Debug + Clone>(name: &str, a: &BTreeSet<T>, b: &BTreeSet<T>, out: &mut Vec<String>) {
        let missing: Vec<&T> = b.difference(a).take(5).collect();
        let extra: Vec<&T> = a.difference(b).take(5).collect();
        if !missing.is_empty() || !extra.is_empty() {
            out.push(format!(
                "{name}: {} stored vs {} expected; missing {missing:?}; unexpected {extra:?}",
                a.len(),
                b.len()
            ));
        }
    }
    let mut out = Vec::new();
    report("payments", &got.payments, &want.payments, &mut out);
    let keys = |m: &BTreeMap<String, BTreeSet<String>>| m.keys().cloned().collect::<BTreeSet<_>>();
    for k in keys(&got.members).union(&keys(&want.members)) {
        report(
            &format!("members of {k}"),
            &got.members.get(k).cloned().unwrap_or_default(),
            &want.members.get(k).cloned().unwrap_or_default(),
            &mut out,
        );
    }
    for k in keys(&got.topics).union(&keys(&want.topics)) {
        report(
            &format!("topics of {k}"),
            &got.topics.get(k).cloned().unwrap_or_default(),
            &want.topics.get(k).cloned().unwrap_or_default(),
            &mut out,
        );
    }
    for (k, rows) in &want.ranking {
        let a: BTreeSet<_> = got.ranking.get(k).cloned().unwrap_or_default().into_iter().collect();
        let b: BTreeSet<_> = rows.iter().cloned().collect();
        report(&format!("ranking of {k}"), &a, &b, &mut out);
    }
    assert!(out.is_empty() && got == want, "{what}:\n{}", out.join("\n"));
}
