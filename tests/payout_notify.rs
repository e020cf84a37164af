//! Admin notifications through the WeCom simulator: the outbox, the robot's rate
//! limit (45009 waits and resends, nothing is lost), batching of several waiting
//! alerts into one message, app messages to the admins, forwarding of engine
//! alerts, and the member texts.

mod payout_support;

use std::sync::Arc;
use std::time::Duration;

use campdesk::domain::RefundVia;
use campdesk::engine::{Alert, Severity};
use campdesk::refund::notify::{self, Delivery, Notifier, WecomChannel};
use jiff::{SignedDuration, Timestamp};
use payout_support::*;
use tokio_util::sync::CancellationToken;

fn robot_texts(sim: &campdesk::sim::SimHandle) -> Vec<String> {
    sim.with_world(|w| w.corp.robots().values().flat_map(|r| r.messages.iter().map(|m| m.content.clone())).collect())
}

fn enqueue(store: &campdesk::store::Store, texts: &[String]) {
    store
        .write_with(|tx| {
            for t in texts {
                notify::enqueue_admins(tx, "alert", t, Timestamp::now())?;
            }
            Ok::<_, campdesk::store::StoreError>(())
        })
        .unwrap();
}

#[tokio::test]
async fn the_robot_limit_delays_messages_but_never_loses_them() {
    let sim = start_sim_with(51, |o| o.settings.robot_per_minute = 2).await;
    let cfg = config(&sim);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let status = status();
    let notifier = Notifier::new(store.clone(), Arc::new(WecomChannel::new(cfg.wecom.clone().unwrap())))
        .with_status(status.clone())
        .with_limits(20, SignedDuration::ZERO);
    // Five long alerts: each needs its own message.
    let texts: Vec<String> = (0..5).map(|i| format!("告警 {i}: {}", "退款失败".repeat(120))).collect();
    enqueue(&store, &texts);
    let first = notifier.deliver_due().await.unwrap();
    assert_eq!(first.robot_sends, 2, "{first:?}");
    assert_eq!(first.waiting, 3);
    assert!(first.errors.iter().any(|e| e.contains("45009")), "{first:?}");
    assert_eq!(first.app_sends, 5, "app messages go to the admins too");
    sim.advance(SignedDuration::from_secs(61)).unwrap();
    notifier.deliver_due().await.unwrap();
    sim.advance(SignedDuration::from_secs(61)).unwrap();
    let last = notifier.deliver_due().await.unwrap();
    assert_eq!(last.waiting, 0, "{last:?}");
    let got = robot_texts(&sim);
    assert_eq!(got.len(), 5);
    for (i, t) in texts.iter().enumerate() {
        assert_eq!(&got[i], t, "delivered in order, each intact");
    }
    let outbox = notify::outbox(&store.read().unwrap()).unwrap();
    assert!(outbox.iter().all(|m| matches!(m.robot, Delivery::Sent { .. }) && matches!(m.app, Delivery::Sent { .. })));
    let admins = &cfg.wecom.as_ref().unwrap().admins;
    let app = sim.with_world(|w| w.corp.app_messages().to_vec());
    assert_eq!(app.len(), 5 * admins.len());
    sim.shutdown().await;
}

#[tokio::test]
async fn several_waiting_alerts_go_out_as_one_message_within_our_own_rate() {
    let sim = start_sim(52).await;
    let cfg = config(&sim);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let notifier = Notifier::new(store.clone(), Arc::new(WecomChannel::new(cfg.wecom.clone().unwrap())))
        .with_limits(3, SignedDuration::ZERO);
    let short: Vec<String> = (0..10).map(|i| format!("同步失败 {i}")).collect();
    enqueue(&store, &short);
    let r = notifier.deliver_due().await.unwrap();
    assert_eq!((r.robot_sends, r.robot_texts), (1, 10));
    let got = robot_texts(&sim);
    assert_eq!(got.len(), 1);
    assert!(short.iter().all(|t| got[0].contains(t.as_str())));
    // Our own limit (3 a minute here) holds the rest back without an error.
    let long: Vec<String> = (0..5).map(|i| format!("{i}{}", "长".repeat(600))).collect();
    enqueue(&store, &long);
    let r = notifier.deliver_due().await.unwrap();
    assert_eq!(r.robot_sends, 2, "{r:?}");
    assert_eq!(r.waiting, 3);
    assert!(r.errors.is_empty(), "{r:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn engine_alerts_are_forwarded_and_an_unconfigured_channel_keeps_the_message() {
    let sim = start_sim(53).await;
    let cfg = config(&sim);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let status = status();
    let notifier = Arc::new(
        Notifier::new(store.clone(), Arc::new(WecomChannel::new(cfg.wecom.clone().unwrap())))
            .with_status(status.clone()),
    );
    let cancel = CancellationToken::new();
    notify::start_notifier(notifier, status.clone(), Duration::from_millis(20), cancel.clone());
    status.send_modify(|s| {
        s.push_alert(Alert {
            at: Timestamp::now(),
            severity: Severity::Error,
            source: "wecom".into(),
            message: "bills: 60020 not allow to access from your ip".into(),
        })
    });
    eventually(|| robot_texts(&sim).iter().any(|t| t.contains("同步失败") && t.contains("60020"))).await;
    cancel.cancel();

    // No robot key and no agent: the message stays, marked, and an alert says why.
    let mut wecom = cfg.wecom.clone().unwrap();
    wecom.robot_key = None;
    wecom.agent_id = None;
    let dir2 = tempfile::tempdir().unwrap();
    let store2 = store_at(dir2.path());
    let status2 = payout_support::status();
    let bare = Notifier::new(store2.clone(), Arc::new(WecomChannel::new(wecom))).with_status(status2.clone());
    enqueue(&store2, &["退款失败".to_string()]);
    bare.deliver_due().await.unwrap();
    let kept = notify::outbox(&store2.read().unwrap()).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((&kept[0].robot, &kept[0].app), (&Delivery::NotConfigured, &Delivery::NotConfigured));
    assert!(status2.borrow().alerts.iter().any(|a| a.message.contains("robot_key")));
    sim.shutdown().await;
}

fn store_at(dir: &std::path::Path) -> Arc<campdesk::store::Store> {
    payout_support::store(dir)
}

#[tokio::test]
async fn member_texts_and_the_camp_summary_name_the_amount_and_the_camp() {
    let sim = start_sim(54).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let bills = pay(&sim, &store, &cfg, &camp, 2, camp.deposit);
    let ids = approve(&store, &cfg, &camp, &bills);
    let status = status();
    let ex = executor(&sim, &store, &cfg, &status);
    ex.run_pass(None).await;
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    ex.run_pass(None).await;
    let r = refund(&store, &ids[0]);
    let text = notify::member_text(&camp, &r);
    assert!(text.starts_with("测试0你好，你的押金"), "{text}");
    assert!(text.contains(&format!("你的押金{}元已退回", camp.deposit)), "{text}");
    assert!(text.contains(&camp.name));
    let refunds = campdesk::refund::queue::list_camp(&store.read().unwrap(), &camp.id).unwrap();
    let summary = notify::camp_summary(&camp, &refunds);
    let total = campdesk::domain::Money::from_fen(camp.deposit.fen() * 2);
    assert!(summary.contains(&format!("已退回 2 笔，共 {total} 元")), "{summary}");
    sim.shutdown().await;
}
