//! The WeCom notification API (robot webhook and app messages) against the simulator over
//! real loopback HTTP, with everything it logs captured. Its own test binary: tracing's
//! call-site registry is process-wide, and another test thread registering call sites
//! while the capture starts could hide lines from it.

#[path = "sync_support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use campdesk::engine::ErrorClass;
use campdesk::sources::meter::SyncMeter;
use campdesk::sources::wecom::{AppMessage, RobotMessage, WecomClient};
use support::*;
use tracing::instrument::WithSubscriber;

/// A log sink for one test.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robot_and_app_messages_are_delivered_and_their_errors_classified() {
    let sim = start_sim(17, 100, Some(1)).await;
    let config = load(&fast_config(&sim));
    let wecom = config.wecom.as_ref().unwrap();
    let client = WecomClient::new(
        wecom,
        &fast_options().sources.http,
        fast_options().sources.retry,
        Duration::from_millis(2),
        Arc::new(SyncMeter::default()),
    )
    .unwrap();
    // Warm up every log site first (tracing registers a call site on first use; one being
    // registered by another test thread just as the capture starts could miss it).
    let warm = WecomClient::new(
        wecom,
        &fast_options().sources.http,
        fast_options().sources.retry,
        Duration::from_millis(2),
        Arc::new(SyncMeter::default()),
    )
    .unwrap();
    warm.send_robot(&RobotMessage::text("warm-up")).await.unwrap();
    sim.add_fault_spec("wecom/webhook:45009@1").unwrap();
    warm.send_robot(&RobotMessage::text("warm-up after a rate limit")).await.unwrap();
    sim.add_fault_spec("wecom/webhook:45009@2").unwrap();
    // Everything the sends log, at debug level, is captured: no key, secret or token in it.
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    async {
        client
            .send_robot(&RobotMessage::text("【campdesk】2510 训练营同步失败").mentioning(["zhouyang"]))
            .await
            .unwrap();
        client.send_robot(&RobotMessage::markdown("**退款** 3 笔待审批")).await.unwrap();
        client
            .send_app_message(&AppMessage::text(vec![campdesk::domain::StaffUserId::new("zhouyang")], "同步恢复"))
            .await
            .unwrap();
    }
    .with_subscriber(subscriber)
    .await;
    let logged = captured.text();
    assert!(logged.contains("webhook/send") && logged.contains("gettoken") && logged.contains("retrying"), "{logged}");
    for secret in [&sim.secrets().robot_key, &sim.secrets().wecom_secret] {
        assert!(!logged.contains(secret.as_str()), "a secret is in the log:\n{logged}");
    }
    assert!(!logged.contains("access_token="), "{logged}");
    let robot = sim.with_world(|w| w.corp.robots().get(&sim.secrets().robot_key).unwrap().messages.clone());
    assert_eq!(robot.len(), 4, "the rate-limited messages were sent again");
    assert_eq!(robot[2].content, "【campdesk】2510 训练营同步失败");
    assert_eq!(robot[2].mentioned_list, vec!["zhouyang"]);
    assert_eq!(robot[3].msgtype, "markdown");
    assert!(client.send_robot(&RobotMessage::text("x".repeat(3000))).await.is_err(), "too long");

    let receipt = client
        .send_app_message(&AppMessage::text(
            vec![campdesk::domain::StaffUserId::new("zhouyang"), campdesk::domain::StaffUserId::new("nobody")],
            "退款 WXRF1 成功",
        ))
        .await
        .unwrap();
    assert_eq!(receipt.invalid_users, vec!["nobody"]);
    assert!(receipt.msgid.is_some());
    let delivered = sim.with_world(|w| w.corp.app_messages().to_vec());
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[1].touser, "zhouyang");
    assert_eq!(delivered[1].content, "退款 WXRF1 成功");
    let e = client
        .send_app_message(&AppMessage::text(vec![campdesk::domain::StaffUserId::new("nobody")], "x"))
        .await
        .unwrap_err();
    assert!(e.message.contains("81013"), "{}", e.message);

    // A wrong robot key is a configuration error that does not echo the key.
    let mut bad = wecom.clone();
    let key_file = sim.config_path().with_file_name("secrets").join("bad_robot_key");
    std::fs::write(&key_file, "00000000-0000-0000-0000-000000000000").unwrap();
    bad.robot_key = Some(campdesk::config::SecretRef {
        field: "wecom.robot_key".into(),
        source: campdesk::config::SecretSource::File(key_file),
    });
    let client = WecomClient::new(
        &bad,
        &fast_options().sources.http,
        fast_options().sources.retry,
        Duration::from_millis(2),
        Arc::new(SyncMeter::default()),
    )
    .unwrap();
    let e = client.send_robot(&RobotMessage::text("hello")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Config);
    assert!(e.message.contains("93000") && !e.message.contains("00000000-0000"), "{}", e.message);
    sim.shutdown().await;
}
