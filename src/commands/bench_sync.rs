//! `campdesk bench sync`: a generated community served by the simulators on 127.0.0.1,
//! synced by the real sync jobs (pacing 0, tasks one at a time) into a file-backed
//! store in a temp dir: the zsxq tasks first (project lists, rankings, check-ins), then
//! the WeCom tasks (bills, groups). Prints records/s and how the wall time splits
//! between waiting for the simulators and everything else (parsing, archiving,
//! storing). Generating the community is not timed. Figures only; no thresholds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{CommandError, Exit, print_json};
use crate::cli::BenchSyncArgs;
use crate::domain::Day;
use crate::engine::setup::{EngineOptions, start_engine_with};
use crate::engine::{Backoff, TaskFilter};
use crate::records::{camp_records, checkins};
use crate::sim::generate::{GenerateOptions, generate};
use crate::sim::{Sim, SimKeys, SimOptions};
use crate::sources::jobs::SourceOptions;
use crate::sources::meter::MeterReading;
use crate::store::{OpenedBy, Store};

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub(super) fn run(args: &BenchSyncArgs) -> Result<Exit, CommandError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(bench(args)).map_err(CommandError::internal)?;
    if args.json {
        print_json(&report)?;
        return Ok(Exit::Ok);
    }
    println!(
        "campdesk bench sync: {} persons, seed {}, {} pages per commit ({} build)",
        args.members,
        args.seed,
        args.pages_per_commit,
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    println!(
        "  community: {} camps, generated in {:.1} s (not timed below)",
        report["camps"],
        num(&report["generate_s"])
    );
    for phase in ["zsxq", "wecom"] {
        let p = &report[phase];
        println!(
            "  {phase:<6} {:>8} records in {:>7.2} s = {:>9.0} records/s; {:>6} requests; waiting on the simulators \
             {:>6.2} s, outside {:>5.1} % of the wall time (parse {:.2} s, archive+store {:.2} s, {:.2} s of CPU)",
            p["records"],
            num(&p["wall_s"]),
            num(&p["records_per_s"]),
            p["requests"],
            num(&p["network_s"]),
            num(&p["outside_network_share"]) * 100.0,
            num(&p["parse_s"]),
            num(&p["store_s"]),
            num(&p["parse_cpu_s"]) + num(&p["store_cpu_s"]),
        );
    }
    println!(
        "  check-ins: {} stored; parsing and storing took {:.2} s ({:.2} s of CPU): {:.2} s per 100 000 check-ins \
         ({:.2} s of CPU)",
        report["checkins_stored"],
        num(&report["zsxq"]["parse_s"]) + num(&report["zsxq"]["store_s"]),
        num(&report["zsxq"]["parse_cpu_s"]) + num(&report["zsxq"]["store_cpu_s"]),
        num(&report["parse_store_s_per_100k_checkins"]),
        num(&report["parse_store_cpu_s_per_100k_checkins"])
    );
    println!("  store: {:.1} MB", num(&report["store_mb"]));
    Ok(Exit::Ok)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn phase_json(before: MeterReading, after: MeterReading, wall: Duration) -> Value {
    let network = after.network_s - before.network_s;
    let records = after.records - before.records;
    let wall_s = wall.as_secs_f64();
    json!({
        "wall_s": round3(wall_s),
        "records": records,
        "records_per_s": if wall_s > 0.0 { (records as f64 / wall_s).round() } else { 0.0 },
        "requests": after.requests - before.requests,
        "network_s": round3(network),
        "outside_network_share": if wall_s > 0.0 { round3((1.0 - network / wall_s).max(0.0)) } else { 0.0 },
        "parse_s": round3(after.parse_s - before.parse_s),
        "parse_cpu_s": round3(after.parse_cpu_s - before.parse_cpu_s),
        "store_s": round3(after.store_s - before.store_s),
        "store_cpu_s": round3(after.store_cpu_s - before.store_cpu_s),
        "commits": after.commits - before.commits,
    })
}

async fn bench(args: &BenchSyncArgs) -> Result<Value, String> {
    let anchor = Day::new(2025, 11, 20).ok_or("anchor")?;
    let opts = GenerateOptions::new(args.seed, args.members, anchor);
    let t = Instant::now();
    let community = tokio::task::spawn_blocking(move || generate(&opts)).await.map_err(|e| e.to_string())?;
    let generate_s = t.elapsed().as_secs_f64();
    let camps = community.truth.camps.len();
    // Every camp over: the whole timeline has happened.
    let end = community.truth.camps.iter().map(|c| c.end).max().unwrap_or(anchor).plus_days(3);
    let rule = crate::domain::DayRule::shanghai();
    let start = end.start_in(&rule.tz, rule.cutoff);
    let keys = Arc::new(
        tokio::task::spawn_blocking(SimKeys::generate).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?,
    );
    let sim = Sim::start_with(community, keys, start, SimOptions::default()).await.map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = Arc::new(crate::config::load_file(sim.config_path()).map_err(|e| e.to_string())?);
    let store = Arc::new(Store::open(dir.path(), OpenedBy::Test).map_err(|e| e.to_string())?);
    let options = EngineOptions {
        scheduled: false,
        sources: SourceOptions {
            zsxq_pace: Some(Duration::ZERO),
            pages_per_commit: args.pages_per_commit.max(1),
            retry: Backoff {
                base: Duration::from_millis(50),
                cap: Duration::from_secs(1),
                max_attempts: 5,
                jitter: 0.2,
            },
            ..SourceOptions::default()
        },
        backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_attempts: 2,
            jitter: 0.2,
        },
        concurrency: 1,
        evaluate: false,
    };
    let started = start_engine_with(&config, &store, &options);
    let mut phases = serde_json::Map::new();
    for source in ["zsxq", "wecom"] {
        let before = started.meter.reading();
        let t = Instant::now();
        let outcomes = started.engine.sync_once(&TaskFilter { source: Some(source.to_string()), camp: None }).await;
        let wall = t.elapsed();
        if let Some(failed) = outcomes.iter().find(|o| o.result.is_err()) {
            let e = failed.result.as_ref().err().map(|e| e.message.clone()).unwrap_or_default();
            return Err(format!("task {} failed: {e}", failed.id));
        }
        phases.insert(source.to_string(), phase_json(before, started.meter.reading(), wall));
    }
    started.engine.shutdown(Duration::from_secs(5)).await;
    let checkins_stored: usize = {
        let r = store.read().map_err(|e| e.to_string())?;
        let mut n = 0;
        for camp in &config.camps {
            if let Some(cid) = &camp.checkin_id {
                n += checkins::topics(&r, cid.as_str()).map_err(|e| e.to_string())?.len();
            }
        }
        // Reading one camp back, as the evaluator will.
        if let Some(camp) = config.camps.first() {
            camp_records(&r, &config, camp).map_err(|e| e.to_string())?;
        }
        n
    };
    sim.shutdown().await;
    let store_mb =
        std::fs::metadata(dir.path().join(crate::store::DB_FILE)).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
    let zsxq = &phases["zsxq"];
    let per_100k = |secs: f64| if checkins_stored > 0 { secs * 100_000.0 / checkins_stored as f64 } else { 0.0 };
    let wall = per_100k(num(&zsxq["parse_s"]) + num(&zsxq["store_s"]));
    let cpu = per_100k(num(&zsxq["parse_cpu_s"]) + num(&zsxq["store_cpu_s"]));
    Ok(json!({
        "release_build": !cfg!(debug_assertions),
        "members": args.members,
        "camps": camps,
        "pages_per_commit": args.pages_per_commit,
        "generate_s": round3(generate_s),
        "zsxq": phases["zsxq"],
        "wecom": phases["wecom"],
        "checkins_stored": checkins_stored,
        "parse_store_s_per_100k_checkins": round3(wall),
        "parse_store_cpu_s_per_100k_checkins": round3(cpu),
        "store_mb": round3(store_mb),
    }))
}
