//! `campdesk bench sim`: how fast the simulators generate a community, build their world and
//! answer paged requests over loopback HTTP at a given size. Figures only; no thresholds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{CommandError, Exit, print_json};
use crate::cli::BenchSimArgs;
use crate::domain::Day;
use crate::sim::generate::{GenerateOptions, generate};
use crate::sim::http::percent_encode;
use crate::sim::{Sim, SimKeys, SimOptions};

struct Series {
    name: &'static str,
    requests: usize,
    items: usize,
    total: Duration,
    latencies: Vec<Duration>,
}

impl Series {
    fn new(name: &'static str) -> Series {
        Series { name, requests: 0, items: 0, total: Duration::ZERO, latencies: Vec::new() }
    }

    fn add(&mut self, took: Duration, items: usize) {
        self.requests += 1;
        self.items += items;
        self.total += took;
        self.latencies.push(took);
    }

    fn json(&mut self) -> Value {
        self.latencies.sort_unstable();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        json!({
            "requests": self.requests,
            "items": self.items,
            "total_ms": self.total.as_secs_f64() * 1000.0,
            "mean_ms": if self.requests == 0 { 0.0 } else { self.total.as_secs_f64() * 1000.0 / self.requests as f64 },
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
            "max_ms": pct(1.0),
        })
    }
}

/// CPU time of this process so far (all threads), from `/proc/self/task/*/schedstat`; `None`
/// where that is not available. Wall time on a shared machine hides how much work a phase is.
fn cpu_ms() -> Option<f64> {
    let mut total_ns: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total_ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total_ns as f64 / 1e6)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub(super) fn run(args: &BenchSimArgs) -> Result<Exit, CommandError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(bench(args)).map_err(CommandError::internal)?;
    if args.json {
        print_json(&report)?;
    } else {
        println!("campdesk bench sim: {} persons, seed {}", args.members, args.seed);
        for key in [
            "generate_ms",
            "generate_cpu_ms",
            "world_build_ms",
            "world_build_cpu_ms",
            "timeline_actions",
            "topics",
            "bills",
        ] {
            println!("  {key:<18} {}", report[key]);
        }
        for s in ["zsxq_topics", "zsxq_ranking", "wecom_bills", "wecom_groupchat_get"] {
            let r = &report[s];
            println!(
                "  {s:<20} {:>6} requests {:>8} items  mean {:>7.2} ms  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
                r["requests"],
                r["items"],
                r["mean_ms"].as_f64().unwrap_or(0.0),
                r["p50_ms"].as_f64().unwrap_or(0.0),
                r["p99_ms"].as_f64().unwrap_or(0.0),
                r["max_ms"].as_f64().unwrap_or(0.0)
            );
        }
    }
    Ok(Exit::Ok)
}

async fn bench(args: &BenchSimArgs) -> Result<Value, String> {
    let anchor = Day::new(2025, 11, 20).ok_or("anchor")?;
    let opts = GenerateOptions::new(args.seed, args.members, anchor);
    let (t, cpu) = (Instant::now(), cpu_ms());
    let community = tokio::task::spawn_blocking(move || generate(&opts)).await.map_err(|e| e.to_string())?;
    let generate_ms = t.elapsed().as_secs_f64() * 1000.0;
    let generate_cpu_ms = cpu.zip(cpu_ms()).map(|(a, b)| round1(b - a));
    let actions = community.timeline.len();
    let keys = Arc::new(SimKeys::generate().map_err(|e| e.to_string())?);
    let end = community.truth.camps.iter().map(|c| c.end).max().unwrap_or(anchor).plus_days(3);
    let rule = crate::domain::DayRule::shanghai();
    let start = end.start_in(&rule.tz, rule.cutoff);
    let (t, cpu) = (Instant::now(), cpu_ms());
    let sim = Sim::start_with(community, keys, start, SimOptions::default()).await.map_err(|e| e.to_string())?;
    let world_build_ms = t.elapsed().as_secs_f64() * 1000.0;
    let world_build_cpu_ms = cpu.zip(cpu_ms()).map(|(a, b)| round1(b - a));
    let (topics, bills) = sim
        .with_world(|w| (w.planet.projects().values().map(|p| p.topics().len()).sum::<usize>(), w.corp.bills().len()));

    let client = reqwest::Client::builder().no_proxy().build().map_err(|e| e.to_string())?;
    let setup = sim.setup().clone();
    let cookie = format!("zsxq_access_token={}", sim.secrets().zsxq_token);
    let truth = sim.truth().clone();
    let biggest = truth
        .camps
        .iter()
        .max_by_key(|c| {
            sim.with_world(|w| w.planet.project(c.checkin_id.parse().unwrap_or(0)).map_or(0, |p| p.topics().len()))
        })
        .ok_or("no camps")?;
    let base = format!("{}/v2/groups/{}/checkins/{}", sim.urls().zsxq, setup.group_id, biggest.checkin_id);

    // zsxq topics: every page of the biggest project, inclusive end_time cursor, deduplicated.
    let mut s_topics = Series::new("zsxq_topics");
    let mut end_time: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    loop {
        let url = match &end_time {
            Some(t) => format!("{base}/topics?count=20&end_time={}", percent_encode(t)),
            None => format!("{base}/topics?count=20"),
        };
        let t = Instant::now();
        let v: Value = client
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let list = v["resp_data"]["topics"].as_array().cloned().unwrap_or_default();
        s_topics.add(t.elapsed(), list.len());
        let fresh = list.iter().filter(|x| seen.insert(x["topic_id"].as_u64().unwrap_or(0))).count();
        if list.len() < 20 || fresh == 0 {
            break;
        }
        end_time = list.last().and_then(|x| x["create_time"].as_str()).map(str::to_string);
    }

    // zsxq ranking: every page.
    let mut s_rank = Series::new("zsxq_ranking");
    let mut index = 0u64;
    loop {
        let t = Instant::now();
        let v: Value = client
            .get(format!("{base}/ranking_list?type=accumulated&index={index}"))
            .header("cookie", &cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let list = v["resp_data"]["ranking_list"].as_array().cloned().unwrap_or_default();
        s_rank.add(t.elapsed(), list.len());
        match list.last() {
            Some(last) if list.len() == 21 => index = last["rankings"].as_u64().unwrap_or(0),
            _ => break,
        }
    }

    // WeCom bills: every 31-day window over the whole timeline, limit 1000.
    let token: Value = client
        .get(format!(
            "{}/cgi-bin/gettoken?corpid={}&corpsecret={}",
            sim.urls().wecom,
            setup.corp_id,
            sim.secrets().wecom_secret
        ))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = token["access_token"].as_str().unwrap_or_default().to_string();
    let mut s_bills = Series::new("wecom_bills");
    let first = truth.payments.iter().map(|p| p.paid_at.as_second()).min().unwrap_or(0);
    let last = truth.payments.iter().map(|p| p.paid_at.as_second()).max().unwrap_or(0) + 86_400;
    let mut begin = first;
    while begin <= last {
        let end = begin + 31 * 86_400 - 1;
        let mut cursor = String::new();
        loop {
            let body = json!({"begin_time": begin, "end_time": end, "cursor": cursor, "limit": 1000});
            let t = Instant::now();
            let v: Value = client
                .post(format!("{}/cgi-bin/externalpay/get_bill_list?access_token={token}", sim.urls().wecom))
                .json(&body)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            s_bills.add(t.elapsed(), v["bill_list"].as_array().map_or(0, Vec::len));
            match v["next_cursor"].as_str() {
                Some(c) if !c.is_empty() => cursor = c.to_string(),
                _ => break,
            }
        }
        begin = end + 1;
    }

    // WeCom group details of the biggest camp.
    let mut s_groups = Series::new("wecom_groupchat_get");
    for chat in &biggest.chat_ids {
        let t = Instant::now();
        let v: Value = client
            .post(format!("{}/cgi-bin/externalcontact/groupchat/get?access_token={token}", sim.urls().wecom))
            .json(&json!({"chat_id": chat, "need_name": 1}))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        s_groups.add(t.elapsed(), v["group_chat"]["member_list"].as_array().map_or(0, Vec::len));
    }
    sim.shutdown().await;
    Ok(json!({
        "members": args.members,
        "seed": args.seed,
        "generate_ms": round1(generate_ms),
        "generate_cpu_ms": generate_cpu_ms,
        "world_build_ms": round1(world_build_ms),
        "world_build_cpu_ms": world_build_cpu_ms,
        "timeline_actions": actions,
        "topics": topics,
        "bills": bills,
        "biggest_camp": biggest.camp_id,
        s_topics.name: s_topics.json(),
        s_rank.name: s_rank.json(),
        s_bills.name: s_bills.json(),
        s_groups.name: s_groups.json(),
    }))
}
