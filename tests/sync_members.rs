//! The planet member list (`zsxq/members`) against the simulators over real loopback
//! HTTP: numbers (成员编号) learned for everyone, a member export joining planet users by
//! them, members sharing one join millisecond, faults and tokens without admin rights,
//! and the member-summary fallback for check-in participants.

#[path = "sync_support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use campdesk::config::Config;
use campdesk::engine::setup::{EngineOptions, start_engine_with};
use campdesk::engine::{EngineStatus, ErrorClass, RunOutcome, TaskFilter, TaskId};
use campdesk::records::{camp_records, planet_users};
use campdesk::sim::{Action, SimHandle};
use campdesk::sources::files::{ImportKind, ImportOptions, import_file};
use campdesk::store::Store;
use jiff::{SignedDuration, Timestamp};
use support::*;

async fn sync(
    config: &Arc<Config>,
    store: &Arc<Store>,
    filter: TaskFilter,
    options: &EngineOptions,
) -> (Vec<RunOutcome>, EngineStatus) {
    let started = start_engine_with(config, store, options);
    let out = started.engine.sync_once(&filter).await;
    let status = started.engine.status();
    started.engine.shutdown(Duration::from_secs(2)).await;
    (out, status)
}

fn members_task() -> TaskId {
    TaskId::part("zsxq", "members")
}

/// Runs the planet-wide zsxq tasks (the project lists and the member list), no camp's.
async fn sync_members(config: &Arc<Config>, store: &Arc<Store>) -> (RunOutcome, EngineStatus) {
    let planet_wide = TaskFilter { source: Some("zsxq".into()), camp: Some("no such camp".into()) };
    let (out, status) = sync(config, store, planet_wide, &fast_options()).await;
    assert!(out.iter().all(|o| o.id.camp.is_none()), "{out:?}");
    (out.into_iter().find(|o| o.id == members_task()).expect("the members task ran"), status)
}

/// user_id → (number, exited) of every member the simulated planet holds now.
fn planet_numbers(sim: &SimHandle) -> BTreeMap<String, (String, bool)> {
    sim.with_world(|w| {
        let now = w.now();
        w.planet
            .users()
            .values()
            .filter(|u| u.join_time <= now)
            .map(|u| (u.user_id.to_string(), (u.number.to_string(), u.exited_at.is_some_and(|e| e <= now))))
            .collect()
    })
}

/// user_id → (number, left) as the store holds them.
fn stored_numbers(store: &Store, ids: impl Iterator<Item = String>) -> BTreeMap<String, (Option<String>, bool)> {
    let r = store.read().unwrap();
    ids.map(|id| {
        let u = planet_users::planet_user(&r, &id).unwrap();
        let v = u.map_or((None, false), |u| (u.number, u.left_planet_at.is_some()));
        (id, v)
    })
    .collect()
}

fn assert_numbers_match(sim: &SimHandle, store: &Store) {
    let want = planet_numbers(sim);
    let got = stored_numbers(store, want.keys().cloned());
    let wrong: Vec<_> = want
        .iter()
        .filter(|(id, (n, exited))| got.get(*id) != Some(&(Some(n.clone()), *exited)))
        .map(|(id, w)| (id.clone(), w.clone(), got.get(id).cloned()))
        .take(5)
        .collect();
    assert!(wrong.is_empty(), "{} members, first differences (id, want, got): {wrong:?}", want.len());
}

/// The member export of `camp` as the zsxq admin page writes it, built from the ground
/// truth (numbers from the simulated planet): 成员编号, 用户昵称, 微信昵称, 星球名片昵称, 是否退出星球.
fn export_csv(sim: &SimHandle, camp: &str) -> (String, Vec<(String, String, String)>) {
    let numbers = planet_numbers(sim);
    let mut csv = String::from("成员编号,用户昵称,微信昵称,星球名片昵称,是否退出星球\n");
    let mut rows = Vec::new();
    for p in &sim.truth().persons {
        let Some(uid) = &p.planet_user_id else { continue };
        if !p.camps.iter().any(|c| c.camp_id == camp) {
            continue;
        }
        let Some((number, exited)) = numbers.get(uid) else { continue };
        if let Some(n) = p.member_number {
            assert_eq!(n.to_string(), *number, "the truth and the planet agree on {uid}'s number");
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "{number},{},{},{},{}\n",
            quote(&p.planet_name),
            quote(&p.wechat_name),
            quote(p.planet_alias.as_deref().unwrap_or("")),
            if *exited { "是" } else { "否" }
        ));
        rows.push((uid.clone(), number.clone(), p.wechat_name.clone()));
    }
    (csv, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_are_learned_and_the_member_export_joins_planet_users() {
    let sim = start_sim(17, 300, Some(1)).await;
    let config = load(&fast_config(&sim));
    let camp = config.camps[0].clone();
    let store = Arc::new(Store::in_memory().unwrap());

    // The owner imports the export first: its rows carry no user_id, and nothing joins yet.
    let (csv, rows) = export_csv(&sim, camp.id.as_str());
    assert!(rows.len() > 50, "{} export rows", rows.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.csv");
    std::fs::write(&path, csv).unwrap();
    let opts = ImportOptions {
        kind: ImportKind::Members,
        path: &path,
        camp: camp.id.as_str(),
        actor: "test",
        dry_run: false,
        now: Timestamp::now(),
    };
    import_file(&store, &config, &opts).unwrap();
    let joined = |store: &Store| {
        let r = store.read().unwrap();
        let records = camp_records(&r, &config, &camp).unwrap();
        rows.iter()
            .filter(|(uid, number, wechat)| {
                records.member_export_of(uid).is_some_and(|row| {
                    row.number.as_deref() == Some(number.as_str()) && row.wechat_name.as_deref() == Some(wechat)
                })
            })
            .count()
    };

    let (out, _) = sync(&config, &store, TaskFilter::default(), &fast_options()).await;
    for o in &out {
        assert!(o.result.is_ok(), "{} failed: {:?}", o.id, o.result);
    }
    assert!(out.iter().any(|o| o.id == members_task()));
    assert_numbers_match(&sim, &store);
    let exited = planet_numbers(&sim).values().filter(|(_, e)| *e).count();
    assert!(exited > 0, "the community has members who left the planet");
    assert_eq!(joined(&store), rows.len(), "every export row resolves to its planet user");
    // The export's WeChat name reached the planet user too.
    let r = store.read().unwrap();
    let (uid, _, wechat) = &rows[0];
    assert_eq!(planet_users::planet_user(&r, uid).unwrap().unwrap().wechat_name.as_deref(), Some(wechat.as_str()));
    drop(r);

    // A second walk changes nothing that matters and learns a newcomer's number.
    let newcomer =
        sim.act(Action::JoinPlanet { user_id: None, name: "新来的".into(), alias: String::new(), at: None });
    let newcomer = match newcomer.unwrap() {
        campdesk::sim::ActionOutcome::Done { id } => id.unwrap(),
        other => panic!("{other:?}"),
    };
    let (o, _) = sync_members(&config, &store).await;
    let counts = o.result.unwrap();
    assert_eq!(counts.changed, 1, "only the newcomer is news: {counts:?}");
    assert_numbers_match(&sim, &store);
    assert!(stored_numbers(&store, std::iter::once(newcomer)).values().all(|(n, _)| n.is_some()));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_sharing_a_join_millisecond_are_all_found_despite_faults() {
    let sim = start_sim(23, 40, Some(1)).await;
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    // Three bulk joins (a migration): 350 members in one millisecond (more than a page of
    // 200, fewer than two), 150 in the next, and 199 a minute earlier.
    let t = sim.now().checked_sub(SignedDuration::from_hours(2)).unwrap();
    let groups = [
        (t, 350),
        (t.checked_add(SignedDuration::from_millis(1)).unwrap(), 150),
        (t.checked_sub(SignedDuration::from_mins(1)).unwrap(), 199),
    ];
    for (at, n) in groups {
        for i in 0..n {
            let name = format!("批量{i}");
            sim.act(Action::JoinPlanet { user_id: None, name, alias: String::new(), at: Some(at) }).unwrap();
        }
    }
    sim.add_fault_spec("zsxq/members:repeat@15%; zsxq/members:1059@10%; zsxq/members:truncated@5%").unwrap();
    let (o, status) = sync_members(&config, &store).await;
    assert!(o.result.is_ok(), "{:?}", o.result);
    assert_numbers_match(&sim, &store);
    assert!(planet_numbers(&sim).len() > 700);
    assert!(!sim.fault_log().is_empty(), "faults were injected");
    assert!(
        !status.alerts.iter().any(|a| a.message.contains("same instant")),
        "two ends cover 350 in one millisecond: {:?}",
        status.alerts
    );
    // The asc request at the shared instant went out.
    assert!(sim.requests().iter().any(|r| r.target.contains("/members?") && r.target.contains("order=asc")));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_on_the_member_list_fails_only_that_task() {
    let sim = start_sim(29, 120, Some(1)).await;
    sim.add_fault_spec("zsxq/members:http=500@1-").unwrap();
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    let (out, status) = sync(&config, &store, TaskFilter::default(), &fast_options()).await;
    for o in &out {
        if o.id == members_task() {
            let e = o.result.as_ref().unwrap_err();
            assert_eq!(e.class, ErrorClass::Retryable, "{}", e.message);
        } else {
            assert!(o.result.is_ok(), "{} failed: {:?}", o.id, o.result);
        }
    }
    let expected = expected(&sim, &config).await;
    assert_same(&stored(&store, &config), &expected, "every other task brought its data in");
    assert!(status.alerts.iter().any(|a| a.source == "zsxq/members"), "{:?}", status.alerts);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_admin_rights_gets_a_clear_message_and_the_rest_syncs() {
    let sim = start_sim(31, 80, Some(1)).await;
    let member = sim.with_world(|w| {
        let owner = w.planet.owner_user_id;
        *w.planet.users().keys().find(|u| **u != owner && !w.planet.is_admin(**u)).unwrap()
    });
    let token = "ABCDEF01-2345-6789-ABCD-EF0123456789_0123456789abcdef";
    sim.act(Action::IssueZsxqToken { user_id: member, token: token.into() }).unwrap();
    let path = fast_config(&sim);
    std::fs::write(path.with_file_name("secrets").join("member_token"), token).unwrap();
    let text = std::fs::read_to_string(&path).unwrap().replace("secrets/zsxq_token", "secrets/member_token");
    std::fs::write(&path, text).unwrap();
    let config = load(&path);
    let store = Arc::new(Store::in_memory().unwrap());
    let (out, status) = sync(&config, &store, TaskFilter::default(), &fast_options()).await;
    let o = out.iter().find(|o| o.id == members_task()).unwrap();
    let e = o.result.as_ref().unwrap_err();
    assert_eq!(e.class, ErrorClass::Config);
    assert!(e.message.contains("member list needs an owner/admin token"), "{}", e.message);
    assert!(!e.message.contains(token));
    for o in out.iter().filter(|o| o.id != members_task()) {
        assert!(o.result.is_ok(), "{} failed: {:?}", o.id, o.result);
    }
    assert!(status.alerts.iter().any(|a| a.message.contains("owner/admin token")), "{:?}", status.alerts);
    let members_requests = sim.requests().iter().filter(|r| r.target.contains("/members?")).count();
    assert_eq!(members_requests, 1, "a refusal is not retried");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_the_list_cannot_reach_are_looked_up_one_by_one() {
    // A community whose second camp runs today by the wall clock (campdesk's "today").
    let today = campdesk::domain::DayRule::shanghai().day_of(Timestamp::now());
    let mut generate = campdesk::sim::GenerateOptions::new(37, 60, today);
    generate.camps = Some(2);
    let options = campdesk::sim::SimOptions {
        keys: Some(keys()),
        tick: Duration::from_millis(20),
        generate: Some(generate),
        ..campdesk::sim::SimOptions::default()
    };
    let sim = campdesk::sim::Sim::start(options).await.unwrap();
    let config = load(&fast_config(&sim));
    let running =
        sim.truth().camps.iter().find(|c| c.phase == campdesk::sim::truth::CampPhase::Running).unwrap().clone();
    let checkin_id: u64 = running.checkin_id.parse().unwrap();
    // 450 members joined in one millisecond: pages of 200 from both ends miss the middle 50.
    let t = sim.now().checked_sub(SignedDuration::from_hours(30)).unwrap();
    let base = 700_000_000_000_000u64;
    for i in 0..450 {
        let action =
            Action::JoinPlanet {
                user_id: Some(base + i), name: format!("同刻{i}"), alias: String::new(), at: Some(t)
            };
        sim.act(action).unwrap();
    }
    // Ten of the middle ones check in on the running camp.
    let middle: Vec<u64> = (0..10).map(|i| base + 205 + i * 3).collect();
    for u in &middle {
        sim.act(Action::PostCheckin {
            checkin_id,
            user_id: *u,
            text: "今天完成了练习，记录一下心得体会，继续加油".into(),
            images: 0,
            topic_id: None,
            at: None,
        })
        .unwrap();
    }
    let store = Arc::new(Store::in_memory().unwrap());
    let camp = TaskFilter { source: Some("zsxq".into()), camp: Some(running.camp_id.clone()) };
    // Check-ins first (the participants become planet users without numbers), then the list.
    let (out, _) = sync(&config, &store, camp.clone(), &fast_options()).await;
    let cid_task = out.iter().find(|o| o.id.camp.is_some()).unwrap();
    assert!(cid_task.result.is_ok(), "{:?}", cid_task.result);
    let (o, status) = sync_members(&config, &store).await;
    assert!(o.result.is_ok(), "{:?}", o.result);
    assert!(
        status.alerts.iter().any(|a| a.message.contains("same instant")),
        "the gap is reported: {:?}",
        status.alerts
    );
    let got = stored_numbers(&store, middle.iter().map(u64::to_string));
    let want = planet_numbers(&sim);
    for (id, (n, _)) in &got {
        assert_eq!(n.as_deref(), Some(want[id].0.as_str()), "participant {id} got its number from the summary");
    }
    let summaries = sim.requests().iter().filter(|r| r.target.contains("/summary")).count();
    assert_eq!(summaries, middle.len(), "one summary per participant without a number");
    // The middle members who did not check in stay without a number (no one is looked up blindly).
    let missed: Vec<String> = (200..250).map(|i| (base + i).to_string()).filter(|id| !got.contains_key(id)).collect();
    let still = stored_numbers(&store, missed.into_iter());
    assert!(still.values().all(|(n, _)| n.is_none()));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_walk_resumes_from_its_cursor() {
    let sim = start_sim(41, 30, Some(1)).await;
    let t = sim.now().checked_sub(SignedDuration::from_hours(5)).unwrap();
    for i in 0..600 {
        let at = t.checked_sub(SignedDuration::from_secs(i)).unwrap();
        sim.act(Action::JoinPlanet { user_id: None, name: format!("新人{i}"), alias: String::new(), at: Some(at) })
            .unwrap();
    }
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    // The newest page is read twice (confirmed), then every request fails.
    sim.add_fault_spec("zsxq/members:http=500@3-").unwrap();
    let (o, _) = sync_members(&config, &store).await;
    assert_eq!(o.result.unwrap_err().class, ErrorClass::Retryable);
    let learned =
        stored_numbers(&store, planet_numbers(&sim).into_keys()).values().filter(|(n, _)| n.is_some()).count();
    assert_eq!(learned, 200, "the first page is kept");
    sim.clear_faults();
    let before = sim.requests().len();
    let (o, _) = sync_members(&config, &store).await;
    assert!(o.result.is_ok(), "{:?}", o.result);
    let first = sim.requests()[before..].iter().find(|r| r.target.contains("/members?")).unwrap().target.clone();
    assert!(first.contains("end_time="), "the walk resumes below the first page: {first}");
    assert_numbers_match(&sim, &store);
    sim.shutdown().await;
}
