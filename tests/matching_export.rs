//! The simulator's member export: served at `GET /_sim/member_export.xlsx`, written as
//! `member_export.xlsx` beside the generated camps.toml, and importable the way
//! `campdesk import members FILE --camp ID` imports it.

use std::sync::Arc;

use campdesk::config::load_file;
use campdesk::domain::Day;
use campdesk::records::members::MEMBER_EXPORTS;
use campdesk::sim::server::MEMBER_EXPORT_FILE;
use campdesk::sim::{ClockMode, GenerateOptions, Sim, SimKeys, SimOptions, generate::generate};
use campdesk::sources::files::{ImportKind, ImportOptions, import_file};
use campdesk::store::Store;

fn anchor() -> Day {
    Day::new(2025, 11, 20).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_serves_the_member_export_and_it_imports() {
    let sim = Sim::start(SimOptions {
        seed: 31,
        members: 150,
        anchor: Some(anchor()),
        clock: ClockMode::Manual,
        keys: Some(Arc::new(SimKeys::generate().unwrap())),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let url = format!("{}/_sim/member_export.xlsx", sim.urls().zsxq);
    let resp = reqwest::Client::builder().no_proxy().build().unwrap().get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let served = resp.bytes().await.unwrap().to_vec();
    let file = sim.config_path().parent().unwrap().join(MEMBER_EXPORT_FILE);
    assert_eq!(std::fs::read(&file).unwrap(), served, "the file beside camps.toml is the served one");

    let config = load_file(sim.config_path()).unwrap();
    let camp = config.camps[0].id.to_string();
    let store = Store::in_memory().unwrap();
    let report = import_file(
        &store,
        &config,
        &ImportOptions {
            kind: ImportKind::Members,
            path: &file,
            camp: &camp,
            actor: "owner",
            dry_run: false,
            now: "2025-11-20T04:00:00Z".parse().unwrap(),
        },
    )
    .unwrap();
    let community = generate(&GenerateOptions::new(31, 150, anchor()));
    assert_eq!(report.rows as usize, community.member_export.rows.len());
    let stored = store.read().unwrap().all(&MEMBER_EXPORTS).unwrap();
    assert_eq!(stored.len(), community.member_export.rows.len());
    for (_, row) in &stored {
        let number: u64 = row.number.as_deref().unwrap().parse().unwrap();
        let want = community.member_export.row(number).unwrap();
        assert_eq!(row.wechat_name, want.wechat_name, "member {number}");
        assert_eq!(row.exited, Some(want.exited));
        // The console writes times to the second.
        assert_eq!(row.joined_at.map(|t| t.as_second()), Some(want.joined_at.as_second()));
    }
    sim.shutdown().await;
}

#[test]
fn the_export_is_a_snapshot_with_the_noise_an_owner_sees() {
    let c = generate(&GenerateOptions::new(5, 1500, anchor()));
    let e = &c.member_export;
    assert_eq!(e.rows.iter().filter(|r| r.role == "星主").count(), 1, "the owner's row");
    let members: Vec<_> = e.rows.iter().filter(|r| r.role == "成员").collect();
    for r in &members {
        assert!(r.joined_at <= e.taken_at, "member {} joined after the export", r.number);
    }
    let persons: std::collections::HashMap<u64, _> =
        c.truth.persons.iter().filter_map(|p| p.member_number.map(|n| (u64::from(n), p))).collect();
    let mut missing = 0;
    let mut differs = 0;
    for r in &members {
        let Some(p) = persons.get(&r.number) else { continue };
        match &r.wechat_name {
            None => missing += 1,
            Some(w) if w != &p.wechat_name && Some(w) != p.wechat_name_later.as_ref() => differs += 1,
            Some(_) => {}
        }
    }
    let n = members.len() as f64;
    assert!(members.len() > 1000, "{}", members.len());
    assert!((0.02..0.09).contains(&(missing as f64 / n)), "empty 微信昵称: {missing} of {n}");
    assert!((0.02..0.09).contains(&(differs as f64 / n)), "an earlier WeChat name: {differs} of {n}");
    // Planet users without a row: they joined after the export was taken.
    let numbers: std::collections::HashSet<u64> = e.rows.iter().map(|r| r.number).collect();
    let absent = c.planet_users.iter().filter(|u| !numbers.contains(&u64::from(u.number))).collect::<Vec<_>>();
    assert!(absent.iter().all(|u| u.join_time > e.taken_at));
}
