//! `campdesk sync --once` and `campdesk serve` as processes against the simulators:
//! a 1000-member camp comes in whole and matches the ground truth, exit codes, no secret
//! in any log line, and a daemon killed with SIGKILL mid-sync resumes from its cursors.

#[path = "sync_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use campdesk::records::cursors;
use campdesk::records::{Source, payments};
use campdesk::sim::truth::{Anomaly, Role};
use campdesk::store::{OpenedBy, Store};
use serde_json::Value;
use support::*;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_campdesk")
}

async fn campdesk(args: Vec<String>, envs: Vec<(&'static str, String)>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut c = Command::new(bin());
        c.args(&args).env_remove("CAMPDESK_LOG").env_remove("RUST_LOG");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(config: &Path, data: &Path, rest: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
    v.extend(["--config".into(), config.display().to_string(), "--data".into(), data.display().to_string()]);
    v
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Every log file under `data/logs`, concatenated.
fn logs(data: &Path) -> String {
    let mut all = String::new();
    if let Ok(dir) = std::fs::read_dir(data.join("logs")) {
        for f in dir.flatten() {
            all.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_once_brings_in_a_1000_member_camp_as_the_ground_truth_has_it() {
    let sim = start_sim(23, 1000, Some(1)).await;
    let config_path = fast_config(&sim);
    let config = load(&config_path);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    let out =
        campdesk(args(&config_path, &data, &["sync", "--once", "--json"]), vec![("CAMPDESK_LOG", "debug".into())])
            .await;
    assert_eq!(out.status.code(), Some(0), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tasks = report["tasks"].as_array().unwrap();
    let names: BTreeSet<&str> = tasks.iter().map(|t| t["task"].as_str().unwrap()).collect();
    let camp = config.camps[0].id.to_string();
    let want_names: BTreeSet<String> =
        ["zsxq".to_string(), format!("zsxq:{camp}"), "wecom".into(), format!("wecom:{camp}")].into();
    assert_eq!(names, want_names.iter().map(String::as_str).collect());
    assert!(tasks.iter().all(|t| t["status"] == "ok"), "{tasks:?}");

    // Compare the store with the platforms and the generator's truth.
    let store = Store::open(&data, OpenedBy::Test).unwrap();
    let want = expected(&sim, &config).await;
    let got = stored(&store, &config);
    let cid = config.camps[0].checkin_id.as_ref().unwrap().to_string();
    assert!(want.topics[&cid].len() > 5000, "a real camp: {} check-ins", want.topics[&cid].len());
    assert!(want.ranking[&cid].len() > 42, "several ranking pages");
    assert_same(&got, &want, "sync --once");
    let truth = sim.truth();
    let tc = &truth.camps[0];
    let payers: Vec<_> = truth
        .persons
        .iter()
        .filter_map(|p| p.camps.iter().find(|c| c.camp_id == tc.camp_id && c.role == Role::Payer).map(|c| (p, c)))
        .collect();
    assert!(payers.len() >= 900, "{} payers", payers.len());
    // Every check-in post of the camp, as the generator made it.
    let truth_topics: BTreeSet<String> = truth
        .persons
        .iter()
        .flat_map(|p| p.camps.iter().filter(|c| c.camp_id == tc.camp_id).flat_map(|c| c.topic_ids.iter().cloned()))
        .collect();
    assert_eq!(got.topics[&cid], truth_topics);
    // Ranks 21 and 22 sit on two pages; both are stored as zsxq lists them.
    let ranking = &got.ranking[&cid];
    assert_eq!(ranking[20], want.ranking[&cid][20]);
    assert_eq!(ranking[21], want.ranking[&cid][21]);
    assert_eq!((ranking[20].0, ranking[21].0), (21, 22));
    // Payers who never checked in are absent from the ranking, present everywhere else.
    let ranked: BTreeSet<&str> = ranking.iter().map(|r| r.1.as_str()).collect();
    let zero: Vec<_> = payers.iter().filter(|(_, c)| c.anomalies.contains(&Anomaly::ZeroCheckins)).collect();
    assert!(!zero.is_empty(), "the community has payers without check-ins");
    let r = store.read().unwrap();
    let present: BTreeSet<String> = got.members.values().flatten().cloned().collect();
    for (p, c) in &zero {
        if let Some(uid) = &p.planet_user_id {
            assert!(!ranked.contains(uid.as_str()), "{uid} has no check-in yet is ranked");
        }
        for txn in &c.payments {
            assert!(payments::payment(&r, txn).unwrap().is_some(), "payment {txn} of a member without check-ins");
        }
        if c.chat_id.is_some() && c.left_group_at.is_none() {
            assert!(present.contains(&p.external_userid), "{} is in the group", p.external_userid);
        }
    }
    assert!(cursors::list(&r, Some(Source::Zsxq)).unwrap().iter().all(|c| c.key.endpoint.ends_with("_synced")));
    assert!(cursors::list(&r, Some(Source::Wecom)).unwrap().is_empty(), "finished walks leave no cursor");
    drop(r);
    drop(store);

    // No secret in the logs (written at debug level, every request) or on the terminal.
    let logged = logs(&data);
    assert!(logged.contains("request") && logged.contains("get_bill_list"), "debug logging ran");
    let s = sim.secrets();
    for (name, secret) in
        [("zsxq token", &s.zsxq_token), ("WeCom secret", &s.wecom_secret), ("robot key", &s.robot_key)]
    {
        for (place, content) in [("logs", &logged), ("stdout", &text(&out.stdout)), ("stderr", &text(&out.stderr))] {
            assert!(!content.contains(secret.as_str()), "the {name} appears in {place}");
        }
    }
    assert!(!logged.contains("access_token="), "WeCom tokens are redacted from logged URLs");

    // A failing source: exit 2, and which one and why on stderr.
    sim.add_fault_spec("zsxq:401@1-").unwrap();
    let out = campdesk(args(&config_path, &data, &["sync", "--once", "--source", "zsxq"]), vec![]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("sync of zsxq:{camp} failed (token)")), "{err}");
    assert!(text(&out.stdout).contains("FAILED (token)"), "{}", text(&out.stdout));
    sim.clear_faults();
    // One source, one camp: only its tasks run.
    let out = campdesk(
        args(&config_path, &data, &["sync", "--once", "--json", "--source", "wecom", "--camp", &camp]),
        vec![],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = report["tasks"].as_array().unwrap().iter().map(|t| t["task"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["wecom".to_string(), format!("wecom:{camp}")]);
    // An unknown camp is a user error.
    let out = campdesk(args(&config_path, &data, &["sync", "--once", "--camp", "nope"]), vec![]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("there is no camp nope"), "{}", text(&out.stderr));
    sim.shutdown().await;
}

fn status_json(config: &Path, data: &Path) -> Option<Value> {
    let out = Command::new(bin()).args(args(config, data, &["status", "--json"])).output().ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

async fn wait_for<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_mid_sync_resumes_and_loses_nothing() {
    let sim = start_sim(29, 500, Some(1)).await;
    let config_path = sim.config_path().with_file_name("camps-paced.toml");
    std::fs::write(&config_path, sim.config_text().replace("pace = \"50ms\"", "pace = \"20ms\"")).unwrap();
    let config = load(&config_path);
    let camp = config.camps[0].id.to_string();
    let cid = config.camps[0].checkin_id.as_ref().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let serve = |log: &str| {
        Command::new(bin())
            .args(args(&config_path, &data, &["serve"]))
            .env_remove("NOTIFY_SOCKET")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join(log)).unwrap())
            .spawn()
            .unwrap()
    };

    let socket = data.join("campdesk.sock");
    let mut daemon = serve("serve1.log");
    // Only once the daemon serves its socket does `status` attach to it (before, it would
    // open the store itself).
    wait_for("the daemon's socket", Duration::from_secs(60), || socket.exists().then_some(())).await;
    // Wait until the camp's check-in walk is well under way, as `campdesk status` shows it.
    let (cd, dd) = (config_path.clone(), data.clone());
    wait_for("the check-in walk to reach page 15", Duration::from_secs(60), || {
        let v = status_json(&cd, &dd)?;
        assert_eq!(v["engine_mode"], "attached");
        let t = v["engine"]["tasks"]
            .as_array()?
            .iter()
            .find(|t| t["id"]["camp"] == camp.as_str() && t["id"]["source"] == "zsxq")?
            .clone();
        let state = &t["state"];
        // The step names the check-in page: "<camp>: check-ins, page N".
        let page = state["step"].as_str()?.split("check-ins, page ").nth(1)?.parse::<u32>().ok()?;
        (state["state"] == "running" && state["page"].as_u64().is_some_and(|p| p > u64::from(page)) && page >= 15)
            .then_some(())
    })
    .await;
    daemon.kill().unwrap(); // SIGKILL
    daemon.wait().unwrap();

    // What survived: committed pages and the walk's cursor.
    let (partial, walk) = {
        let store = Store::open(&data, OpenedBy::Test).unwrap();
        let r = store.read().unwrap();
        let partial = campdesk::records::checkins::topics(&r, &cid).unwrap().len();
        let key = cursors::CursorKey::new(Source::Zsxq, cid.as_str(), "checkin_topics");
        let walk: campdesk::sources::jobs::topics::TopicWalk =
            cursors::get(&r, &key).unwrap().expect("the walk's cursor was committed").0;
        (partial, walk)
    };
    let want = expected(&sim, &config).await;
    assert!(
        partial > 0 && partial < want.topics[&cid].len(),
        "{partial} of {} topics before the kill",
        want.topics[&cid].len()
    );
    assert!(walk.pages >= 10, "{walk:?}");

    let before = sim.requests().len();
    std::fs::remove_file(&socket).unwrap(); // left behind by the killed daemon
    let mut daemon = serve("serve2.log");
    wait_for("the daemon's socket", Duration::from_secs(60), || socket.exists().then_some(())).await;
    wait_for("every task to finish", Duration::from_secs(300), || {
        let v = status_json(&config_path, &data)?;
        let tasks = v["engine"]["tasks"].as_array()?.clone();
        let done = tasks.iter().all(|t| t["state"]["state"] == "idle" && !t["last_success"].is_null());
        if let Some(failed) = tasks.iter().find(|t| t["state"]["state"] == "failed") {
            panic!("a task failed after the restart: {failed}");
        }
        done.then_some(())
    })
    .await;
    // `campdesk sync` without --once asks the daemon to sync soon.
    let out = campdesk(args(&config_path, &data, &["sync"]), vec![]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("queued on the running daemon"), "{}", text(&out.stdout));
    Command::new("kill").arg("-TERM").arg(daemon.id().to_string()).status().unwrap();
    assert_eq!(daemon.wait().unwrap().code(), Some(0));

    // It resumed at the cursor rather than starting over…
    let first_topics = sim.requests()[before..].iter().find(|r| r.target.contains("/topics?")).unwrap().target.clone();
    let resumed_at = campdesk::sources::http::percent_encode(walk.end_time.as_deref().unwrap());
    assert!(first_topics.contains(&format!("end_time={resumed_at}")), "{first_topics}");
    // …and nothing is lost or doubled.
    let store = Store::open(&data, OpenedBy::Test).unwrap();
    assert_same(&stored(&store, &config), &want, "after SIGKILL and restart");
    sim.shutdown().await;
}

#[test]
fn bench_sync_prints_its_figures() {
    let out = Command::new(bin())
        .args(["bench", "sync", "--members", "100", "--pages-per-commit", "5", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["checkins_stored"].as_u64().unwrap() > 100, "{v}");
    for phase in ["zsxq", "wecom"] {
        let p = &v[phase];
        assert!(p["records"].as_u64().unwrap() > 0 && p["requests"].as_u64().unwrap() > 0, "{p}");
        let share = p["outside_network_share"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&share), "{p}");
    }
    assert!(v["parse_store_cpu_s_per_100k_checkins"].as_f64().unwrap() > 0.0);
    assert_eq!(v["pages_per_commit"], 5);
}
