//! The sync jobs in-process against the simulators over real loopback HTTP: faults,
//! resumption, incremental walks, final syncs, token and configuration problems.

#[path = "sync_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use campdesk::config::Config;
use campdesk::engine::setup::{EngineOptions, start_engine_with};
use campdesk::engine::{EngineStatus, ErrorClass, RunOutcome, TaskFilter, TaskId, TaskState};
use campdesk::records::cursors::{self, CursorKey};
use campdesk::records::{Source, checkins, payments};
use campdesk::sim::SimOptions;
use campdesk::sources::jobs::finals::{self, FinalPart};
use campdesk::sources::jobs::topics::TopicWalk;
use campdesk::sources::meter::SyncMeter;
use campdesk::sources::wecom::WecomClient;
use campdesk::store::Store;
use serde_json::Value;
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

fn all() -> TaskFilter {
    TaskFilter::default()
}

fn only(source: &str, camp: Option<&str>) -> TaskFilter {
    TaskFilter { source: Some(source.into()), camp: camp.map(str::to_string) }
}

fn assert_all_ok(out: &[RunOutcome]) {
    for o in out {
        assert!(o.result.is_ok(), "{} failed: {:?}", o.id, o.result);
    }
}

/// Records as JSON without what legitimately differs between two syncs (archive ids,
/// fetch times).
fn content(value: &impl serde::Serialize) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["source", "raw_id", "fetched_at", "seen_at", "first_seen", "last_seen"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(value).unwrap();
    strip(&mut v);
    v
}

fn deep(store: &Store, config: &Config) -> Value {
    let r = store.read().unwrap();
    let mut topics = Vec::new();
    for camp in &config.camps {
        if let Some(cid) = &camp.checkin_id {
            topics.push(content(&checkins::topics(&r, cid.as_str()).unwrap()));
        }
    }
    serde_json::json!({
        "payments": content(&r.all(&payments::PAYMENTS).unwrap()),
        "topics": topics,
    })
}

const FAULTS: &str = "zsxq:1059@5%; zsxq:500@3%; zsxq:timeout=900ms@1%; zsxq:malformed@3%; zsxq:truncated@2%; \
                      zsxq/topics:repeat@4%; zsxq/ranking:repeat@4%; \
                      wecom:-1@5%; wecom:45009@4%; wecom:45033@1%; wecom:500@2%; wecom:timeout=900ms@1%; \
                      wecom:malformed@3%; wecom/bills:repeat@5%";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_at_20_percent_faults_ends_with_the_same_data_as_a_clean_one() {
    let clean_sim = start_sim(41, 1000, Some(1)).await;
    let faulty_sim = start_sim(41, 1000, Some(1)).await;
    faulty_sim.add_fault_spec(FAULTS).unwrap();
    let mut options = fast_options();
    options.sources.http.timeout = Duration::from_millis(400);
    // The clean run commits in bulk (25 pages per transaction), the faulty one page by page,
    // as a paced sync does: both must hold the same data.
    let mut bulk = options.clone();
    bulk.sources.pages_per_commit = 25;

    let clean_config = load(&fast_config(&clean_sim));
    let tmp = tempfile::tempdir().unwrap();
    let clean = Arc::new(Store::open(&tmp.path().join("clean"), campdesk::store::OpenedBy::Test).unwrap());
    let (out, _) = sync(&clean_config, &clean, all(), &bulk).await;
    assert_all_ok(&out);
    let expected = expected(&clean_sim, &clean_config).await;
    let got = stored(&clean, &clean_config);
    assert_eq!(sizes(&got), sizes(&expected));
    assert_same(&got, &expected, "a clean sync brings in everything the platforms hold");

    let faulty_config = load(&fast_config(&faulty_sim));
    let faulty = Arc::new(Store::open(&tmp.path().join("faulty"), campdesk::store::OpenedBy::Test).unwrap());
    let (out, status) = sync(&faulty_config, &faulty, all(), &options).await;
    assert_all_ok(&out);
    let faults = faulty_sim.fault_log();
    let requests = faulty_sim.requests().len();
    assert!(faults.len() * 100 >= requests * 12, "{} faults in {requests} requests", faults.len());
    let kinds: BTreeSet<String> = faults.iter().map(|f| f.kind.describe()).collect();
    for k in ["code 1059", "code -1", "code 45009", "HTTP 500", "malformed", "repeat"] {
        assert!(kinds.contains(k), "no {k} fault was injected: {kinds:?}");
    }
    assert!(faults.iter().any(|f| f.kind.describe().starts_with("timeout")), "{kinds:?}");
    let got_faulty = stored(&faulty, &faulty_config);
    assert_eq!(sizes(&got_faulty), sizes(&got));
    assert_same(&got_faulty, &got, "no row lost, none doubled");
    assert_eq!(deep(&faulty, &faulty_config), deep(&clean, &clean_config), "the records themselves are the same");
    assert!(status.tasks.iter().all(|t| !matches!(t.state, TaskState::Failed { .. })), "{:?}", status.tasks);
    clean_sim.shutdown().await;
    faulty_sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_run_resumes_from_its_cursor_and_later_runs_are_incremental() {
    // Two camps; at the anchor the second one runs and takes posts.
    let sim = start_sim_at_anchor(7, 400, Some(2)).await;
    let config = load(&fast_config(&sim));
    let camp = config.camps[1].clone();
    let cid = camp.checkin_id.clone().unwrap();
    let store = Arc::new(Store::in_memory().unwrap());
    let options = fast_options();
    // The 6th check-in page answers an error that is not transient: the run fails half-way.
    sim.add_fault_spec("zsxq/topics:1030@6").unwrap();
    let (out, status) = sync(&config, &store, only("zsxq", Some(camp.id.as_str())), &options).await;
    let failed = out.iter().find(|o| o.id == TaskId::new("zsxq", Some(camp.id.as_str()))).unwrap();
    let err = failed.result.as_ref().unwrap_err();
    assert_eq!(err.class, ErrorClass::Data);
    assert!(err.message.contains("1030"), "{}", err.message);
    let task = status.task(&failed.id).unwrap();
    assert!(matches!(&task.state, TaskState::Failed { class: ErrorClass::Data, .. }), "{:?}", task.state);
    let (walk, _): (TopicWalk, _) =
        cursors::get(&store.read().unwrap(), &CursorKey::new(Source::Zsxq, cid.as_str(), "checkin_topics"))
            .unwrap()
            .expect("the walk in progress is committed");
    assert!(walk.pages >= 4 && walk.end_time.is_some(), "{walk:?}");
    let kept = checkins::topics(&store.read().unwrap(), cid.as_str()).unwrap().len();
    assert!(kept >= 4 * 19, "the committed pages stay: {kept}");

    // The next run starts where the first stopped.
    sim.clear_faults();
    let before = sim.requests().len();
    let (out, _) = sync(&config, &store, only("zsxq", Some(camp.id.as_str())), &options).await;
    assert_all_ok(&out);
    let topic_requests: Vec<String> =
        sim.requests()[before..].iter().filter(|r| r.target.contains("/topics?")).map(|r| r.target.clone()).collect();
    let resumed_at = campdesk::sources::http::percent_encode(walk.end_time.as_deref().unwrap());
    assert!(topic_requests[0].contains(&format!("end_time={resumed_at}")), "{}", topic_requests[0]);
    let want = expected(&sim, &config).await;
    let got = stored(&store, &config);
    assert!(got.topics[cid.as_str()] == want.topics[cid.as_str()], "every topic after the resumed walk");
    assert_eq!(got.ranking[cid.as_str()], want.ranking[cid.as_str()]);

    // New posts: the next run walks only the new ones (the newest page, confirmed twice).
    let user: u64 = want.ranking[cid.as_str()][0].1.parse().unwrap();
    for i in 0..3 {
        sim.act(campdesk::sim::Action::post_checkin(
            cid.as_str().parse().unwrap(),
            user,
            format!("补一篇打卡 第{i}篇，今天继续"),
        ))
        .unwrap();
    }
    let before = sim.requests().len();
    let (out, _) = sync(&config, &store, only("zsxq", Some(camp.id.as_str())), &options).await;
    assert_all_ok(&out);
    let topic_requests = sim.requests()[before..].iter().filter(|r| r.target.contains("/topics?")).count();
    assert!(topic_requests <= 2, "an incremental walk reads only the newest page ({topic_requests} requests)");
    let want = expected(&sim, &config).await;
    assert!(stored(&store, &config).topics[cid.as_str()] == want.topics[cid.as_str()], "the new posts are in");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_final_sync_of_an_ended_camp_is_recorded() {
    let sim = start_sim(11, 200, Some(1)).await;
    let config = load(&fast_config(&sim));
    let camp = config.camps[0].clone();
    let store = Arc::new(Store::in_memory().unwrap());
    let (out, _) = sync(&config, &store, all(), &fast_options()).await;
    assert_all_ok(&out);
    let r = store.read().unwrap();
    let f = finals::camp_final(&r, &config, &camp).unwrap().expect("the camp ended long ago: the first sync is final");
    assert_eq!(f.parts.len(), 3);
    assert!(f.parts.iter().all(|p| p.started_at >= finals::final_due(&config, &camp)));
    let synced: campdesk::sources::jobs::topics::TopicsSynced = cursors::get(
        &r,
        &CursorKey::new(Source::Zsxq, camp.checkin_id.as_ref().unwrap().as_str(), "checkin_topics_synced"),
    )
    .unwrap()
    .unwrap()
    .0;
    assert!(synced.full, "the final walk goes down to the oldest post");
    let audit = r.audit_entries(1, None).unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "sync.final").count(), 3);
    drop(r);
    // Another process sees when each task last succeeded.
    let started = start_engine_with(&config, &store, &fast_options());
    let status = started.engine.status();
    started.engine.shutdown(Duration::from_secs(1)).await;
    assert!(status.tasks.iter().all(|t| t.last_success.is_some()), "{:?}", status.tasks);
    // A second sync records nothing new.
    let (out, _) = sync(&config, &store, all(), &fast_options()).await;
    assert_all_ok(&out);
    assert_eq!(finals::of_camp(&store.read().unwrap(), camp.id.as_str()).unwrap().len(), 3);
    assert_eq!(
        finals::get(&store.read().unwrap(), camp.id.as_str(), FinalPart::ZsxqCheckins).unwrap().unwrap().camp,
        camp.id
    );
    sim.shutdown().await;
}

fn state_of(status: &EngineStatus, source: &str, camp: Option<&str>) -> TaskState {
    status.task(&TaskId::new(source, camp)).unwrap().state.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_problems_stop_the_source_until_the_token_is_replaced() {
    for (spec, what) in [("zsxq:401@1-", "HTTP 401"), ("zsxq:14210@1-", "14210")] {
        let sim = start_sim(3, 100, Some(1)).await;
        sim.add_fault_spec(spec).unwrap();
        let config = load(&fast_config(&sim));
        let camp = config.camps[0].id.to_string();
        let store = Arc::new(Store::in_memory().unwrap());
        let started = start_engine_with(&config, &store, &fast_options());
        let out = started.engine.sync_once(&only("zsxq", Some(&camp))).await;
        assert_eq!(out.len(), 3, "zsxq, zsxq/members and zsxq:{camp}");
        for o in &out {
            let e = o.result.as_ref().unwrap_err();
            assert_eq!(e.class, ErrorClass::Token, "{spec}: {}", e.message);
            assert!(e.message.contains(what) && e.message.contains("zsxq.token"), "{}", e.message);
            assert!(!e.message.contains(&sim.secrets().zsxq_token));
        }
        let status = started.engine.status();
        assert!(matches!(state_of(&status, "zsxq", Some(&camp)), TaskState::Failed { class: ErrorClass::Token, .. }));
        assert!(status.alerts.iter().any(|a| a.message.contains("token")), "{:?}", status.alerts);
        let sent = sim.requests().len();
        assert!((1..=3).contains(&sent), "no retries: {sent} requests");
        // The source stays stopped: no request goes out with the refused token…
        let out = started.engine.sync_once(&only("zsxq", Some(&camp))).await;
        assert!(out.iter().all(|o| o.result.as_ref().is_err_and(|e| e.class == ErrorClass::Token)));
        assert_eq!(sim.requests().len(), sent);
        // …until the owner puts another token in place.
        let token_file = sim.config_path().with_file_name("secrets").join("zsxq_token");
        std::fs::write(&token_file, "11111111-2222-3333-4444-555555555555_0123456789abcdef\n").unwrap();
        started.engine.sync_once(&only("zsxq", Some(&camp))).await;
        assert!(sim.requests().len() > sent, "a new token is tried");
        started.engine.shutdown(Duration::from_secs(1)).await;
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_zsxq_errors_fail_the_run_with_code_and_message_and_expiry_is_warned() {
    let settings = campdesk::sim::world::WorldSettings {
        zsxq_token_ttl: jiff::SignedDuration::from_hours(24 * 3),
        ..Default::default()
    };
    let sim = start_sim_with(5, 100, Some(1), SimOptions { settings, ..SimOptions::default() }).await;
    let config = load(&fast_config(&sim));
    let camp = config.camps[0].id.to_string();
    let store = Arc::new(Store::in_memory().unwrap());
    // The token ends three days after the sim clock's start: every answer's x-expire-in says so.
    sim.add_fault_spec("zsxq/ranking:1030@1").unwrap();
    let (out, status) = sync(&config, &store, only("zsxq", Some(&camp)), &fast_options()).await;
    let e = out.iter().find(|o| o.id.camp.is_some()).unwrap().result.as_ref().unwrap_err().clone();
    assert_eq!(e.class, ErrorClass::Data);
    assert!(e.message.contains("zsxq error 1030") && e.message.contains("没有权限"), "{}", e.message);
    let expiry: Vec<_> = status.alerts.iter().filter(|a| a.message.contains("zsxq token expires in")).collect();
    assert_eq!(expiry.len(), 1, "one warning, not one per request: {:?}", status.alerts);
    assert!(expiry[0].message.contains("expires in 3 days"), "{}", expiry[0].message);
    assert!(expiry[0].message.contains("update zsxq.token (file"), "{}", expiry[0].message);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wecom_configuration_errors_say_what_to_do() {
    let sim = start_sim(9, 100, Some(1)).await;
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    for (spec, needle) in [("wecom/bills:60020@1-", "企业可信IP"), ("wecom/bills:48002@1-", "对外收款")] {
        sim.clear_faults();
        sim.add_fault_spec(spec).unwrap();
        let (out, _) = sync(&config, &store, only("wecom", None), &fast_options()).await;
        let bills = out.iter().find(|o| o.id == TaskId::new("wecom", None)).unwrap();
        let e = bills.result.as_ref().unwrap_err();
        assert_eq!(e.class, ErrorClass::Config, "{spec}");
        assert!(e.message.contains(needle), "{spec}: {}", e.message);
        assert!(!e.message.contains("hint:"), "{}", e.message);
    }
    sim.clear_faults();
    // A wrong secret.
    let wrong = sim.config_path().with_file_name("camps-wrong.toml");
    let secret = sim.config_path().with_file_name("secrets").join("wrong_secret");
    std::fs::write(&secret, "not-the-secret\n").unwrap();
    std::fs::write(
        &wrong,
        std::fs::read_to_string(fast_config(&sim)).unwrap().replace("secrets/wecom_secret", "secrets/wrong_secret"),
    )
    .unwrap();
    let wrong_config = load(&wrong);
    let (out, _) = sync(&wrong_config, &store, only("wecom", None), &fast_options()).await;
    let e = out[0].result.as_ref().unwrap_err();
    assert_eq!(e.class, ErrorClass::Config);
    assert!(e.message.contains("wecom.secret") && !e.message.contains("not-the-secret"), "{}", e.message);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_token_is_refetched_once_and_concurrent_callers_share_one_gettoken() {
    let sim = start_sim(13, 100, Some(1)).await;
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    sim.add_fault_spec("wecom/bills:40014@1").unwrap();
    let (out, _) = sync(&config, &store, only("wecom", None), &fast_options()).await;
    assert_all_ok(&out);
    let gettoken = sim.requests().iter().filter(|r| r.target.starts_with("/cgi-bin/gettoken")).count();
    assert_eq!(gettoken, 2, "the first token, then one fresh one after 40014");

    let before = sim.requests().len();
    let client = Arc::new(
        WecomClient::new(
            config.wecom.as_ref().unwrap(),
            &fast_options().sources.http,
            fast_options().sources.retry,
            Duration::from_millis(2),
            Arc::new(SyncMeter::default()),
        )
        .unwrap(),
    );
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.access_token().await.map(|_| ()) })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    let fetched = sim.requests()[before..].iter().filter(|r| r.target.starts_with("/cgi-bin/gettoken")).count();
    assert_eq!(fetched, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_requests_work_and_missing_sections_or_secrets_are_explained() {
    let sim = start_sim(19, 100, Some(1)).await;
    let text = std::fs::read_to_string(fast_config(&sim)).unwrap();
    // Without signatures.
    let unsigned = sim.config_path().with_file_name("camps-unsigned.toml");
    std::fs::write(&unsigned, text.replace("pace = \"0ms\"", "pace = \"0ms\"\nsign_requests = false")).unwrap();
    let config = load(&unsigned);
    assert!(!config.zsxq.as_ref().unwrap().sign_requests);
    let store = Arc::new(Store::in_memory().unwrap());
    let (out, _) = sync(&config, &store, only("zsxq", None), &fast_options()).await;
    assert_all_ok(&out);
    assert!(sim.fault_log().is_empty());

    // No [wecom]: its tasks are disabled, with the reason.
    let start = text.find("[wecom]").unwrap();
    let end = text.find("[wxpay]").unwrap();
    let no_wecom = sim.config_path().with_file_name("camps-no-wecom.toml");
    std::fs::write(&no_wecom, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let config = load(&no_wecom);
    let started = start_engine_with(&config, &store, &fast_options());
    let status = started.engine.status();
    started.engine.shutdown(Duration::from_secs(1)).await;
    let camp = config.camps[0].id.to_string();
    for id in [TaskId::new("wecom", None), TaskId::new("wecom", Some(&camp))] {
        match &status.task(&id).unwrap().state {
            TaskState::Disabled { reason } => assert!(reason.contains("[wecom]"), "{reason}"),
            other => panic!("{id}: {other:?}"),
        }
    }

    // A token from an unset environment variable: the field and the variable are named.
    let env_token = sim.config_path().with_file_name("camps-env.toml");
    std::fs::write(
        &env_token,
        text.replace(
            "token = { file = \"secrets/zsxq_token\" }",
            "token = { env = \"CAMPDESK_TEST_SYNC_UNSET_TOKEN\" }",
        ),
    )
    .unwrap();
    let config = load(&env_token);
    let (out, status) = sync(&config, &store, only("zsxq", None), &fast_options()).await;
    let e = out[0].result.as_ref().unwrap_err();
    assert_eq!(e.class, ErrorClass::Config);
    assert!(e.message.contains("zsxq.token") && e.message.contains("CAMPDESK_TEST_SYNC_UNSET_TOKEN"), "{}", e.message);
    assert!(status.alerts.iter().any(|a| a.message.contains("zsxq.token")));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camp_before_its_project_exists_syncs_nothing_and_raises_nothing() {
    // Anchored today: the third camp starts in a few days and its project is created the
    // evening before.
    let sim = campdesk::sim::Sim::start(SimOptions {
        seed: 31,
        members: 150,
        keys: Some(keys()),
        tick: Duration::from_millis(20),
        ..SimOptions::default()
    })
    .await
    .unwrap();
    let config = load(&fast_config(&sim));
    let starting = config.camps[2].clone();
    assert!(config.day_rule.day_of(jiff::Timestamp::now()) < starting.start);
    let store = Arc::new(Store::in_memory().unwrap());
    let (out, status) = sync(&config, &store, only("zsxq", Some(starting.id.as_str())), &fast_options()).await;
    assert_all_ok(&out);
    let camp_task = out.iter().find(|o| o.id.camp.is_some()).unwrap();
    assert_eq!(camp_task.result.as_ref().unwrap().records, 0);
    assert!(status.alerts.is_empty(), "{:?}", status.alerts);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_or_refused_bill_cursor_restarts_its_window() {
    let sim = start_sim(37, 150, Some(1)).await;
    let config = load(&fast_config(&sim));
    let store = Arc::new(Store::in_memory().unwrap());
    let key = CursorKey::new(Source::Wecom, "", "get_bill_list");
    let from = campdesk::sources::jobs::start_of_bills(&config).unwrap().as_second();
    let window = campdesk::records::cursors::BillCursor {
        begin_time: from,
        end_time: from + campdesk::sources::jobs::WINDOW_SECS,
        cursor: Some("STALE-CURSOR".into()),
    };
    // Written a day ago: not trusted, the window is read from its start.
    let yesterday = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24)).unwrap();
    store.write_with(|tx| cursors::put(tx, &key, &window, yesterday)).unwrap();
    let (out, _) = sync(&config, &store, only("wecom", None), &fast_options()).await;
    assert_all_ok(&out);
    assert!(sim.requests().iter().all(|r| r.status == 200), "the stale cursor was not sent");
    assert_eq!(stored(&store, &config).payments, expected(&sim, &config).await.payments);
    assert!(cursors::get::<campdesk::records::cursors::BillCursor>(&store.read().unwrap(), &key).unwrap().is_none());
    // A fresh one is sent as it is; WeCom refuses it here (it never issued it), so the
    // window is read again from its start.
    store.write_with(|tx| cursors::put(tx, &key, &window, jiff::Timestamp::now())).unwrap();
    let before = sim.requests().len();
    let (out, _) = sync(&config, &store, only("wecom", None), &fast_options()).await;
    assert_all_ok(&out);
    assert!(sim.requests()[before..].iter().filter(|r| r.target.contains("get_bill_list")).count() > 1);
    assert_eq!(stored(&store, &config).payments, expected(&sim, &config).await.payments);
    sim.shutdown().await;
}

/// The member message the workstation shows for an unlinked payment, asked of the
/// service the way the Unmatched pane asks for the card's person (`y` copies it).
async fn unlinked_member_message(
    config: &Arc<Config>,
    store: &Arc<Store>,
    options: &EngineOptions,
    camp: &campdesk::domain::CampId,
    link: &campdesk::matching::Link,
) -> String {
    use campdesk::service::{Request, Response, Service};
    use campdesk::tui::model::PersonRef;
    use campdesk::tui::source::{View, ViewQuery};
    let started = start_engine_with(config, store, options);
    let service = Service::new(started.engine.clone(), store.clone(), config.clone());
    let person = PersonRef {
        camp: Some(camp.clone()),
        transaction_id: Some(link.transaction_id.clone()),
        planet_user_id: None,
        external_userid: link.external_userid.clone(),
    };
    let reply = service.handle(Request::View { query: ViewQuery::Person(person) }).await;
    started.engine.shutdown(Duration::from_secs(2)).await;
    match reply {
        Ok(Response::View(view)) => match *view {
            View::Person(detail) => detail.member_message.expect("a member message for the unlinked payment"),
            other => panic!("not a person view: {other:?}"),
        },
        other => panic!("unexpected reply: {other:?}"),
    }
}

/// Bind by code over the wire: a member comments "绑定 CODE" under a check-in; the
/// next incremental sync reads the comment embedded in the topic list, and the
/// payment links to the commenter on that claim. The code the member quotes is the one
/// in the message the workstation gives the operator for the unlinked payment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_code_in_a_comment_links_the_payment_to_the_commenter() {
    let sim = start_sim_at_anchor(7, 400, Some(2)).await;
    let config = load(&fast_config(&sim));
    let camp = config.camps[1].clone();
    let cid: u64 = camp.checkin_id.clone().unwrap().as_str().parse().unwrap();
    let store = Arc::new(Store::in_memory().unwrap());
    let options = fast_options();
    let (out, _) = sync(&config, &store, all(), &options).await;
    assert_all_ok(&out);
    let now = sim.with_world(|w| w.now());
    campdesk::evaluate::evaluate_camp(&store, &config, &camp, now).unwrap();
    let links = campdesk::links::links(&store.read().unwrap(), Some(&camp.id)).unwrap();
    // A payment nobody's names point at (a payment whose names point at another member
    // is not taken from them by a stranger's code: that goes to review).
    let unlinked = links
        .iter()
        .find(|l| l.state == campdesk::matching::LinkState::Unmatched)
        .expect("a payment without candidates")
        .clone();
    let taken: BTreeSet<String> =
        links.iter().filter_map(|l| l.planet_user_id.as_ref().map(|u| u.as_str().to_string())).collect();
    let (commenter, topic) = sim.with_world(|w| {
        let user = w
            .planet
            .users()
            .values()
            .find(|u| {
                u.exited_at.is_none()
                    && u.join_time < w.now()
                    && !w.planet.is_admin(u.user_id)
                    && !taken.contains(&u.user_id.to_string())
            })
            .map(|u| u.user_id)
            .expect("a member no payment is linked to");
        let topic = w.planet.project(cid).unwrap().topics().last().expect("posts").topic_id;
        (user, topic)
    });
    // The message the operator copies with `y` on the payment's Unmatched card carries
    // the payment's own code; the payer quotes that line in a comment.
    let message = unlinked_member_message(&config, &store, &options, &camp.id, &unlinked).await;
    let code = campdesk::matching::bind::bind_code(&unlinked.transaction_id);
    let quoted = message
        .split('「')
        .find_map(|part| part.split_once('」').map(|(q, _)| q.to_string()).filter(|q| q.starts_with("绑定")));
    assert_eq!(quoted, Some(format!("绑定 {code}")), "{message}");
    sim.act(campdesk::sim::Action::post_comment(topic, commenter, format!("收到，{}", quoted.unwrap()))).unwrap();

    let (out, _) = sync(&config, &store, only("zsxq", Some(camp.id.as_str())), &options).await;
    assert_all_ok(&out);
    let stored = checkins::topics(&store.read().unwrap(), &cid.to_string()).unwrap();
    let t = stored.iter().find(|t| t.topic_id.as_str() == topic.to_string()).expect("the post is stored");
    assert_eq!(t.comments.len(), 1, "the comment came with the incremental walk");
    campdesk::evaluate::evaluate_camp(&store, &config, &camp, now).unwrap();
    let links = campdesk::links::links(&store.read().unwrap(), Some(&camp.id)).unwrap();
    let l = links.iter().find(|l| l.transaction_id == unlinked.transaction_id).unwrap();
    assert_eq!(l.state, campdesk::matching::LinkState::Auto, "{l:#?}");
    assert_eq!(l.planet_user_id.as_ref().map(|u| u.as_str().to_string()), Some(commenter.to_string()));
    assert!(
        l.reasons.iter().any(|r| r.contains("在评论") && r.contains(&format!("绑定码 {code}"))),
        "{:#?}",
        l.reasons
    );
    sim.shutdown().await;
}
