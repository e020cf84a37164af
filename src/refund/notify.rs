//! Notifications.
//!
//! - **Admins**: every message goes into the outbox table first ([`enqueue_admins`],
//!   usually in the same transaction as the change it reports), then the notifier
//!   task ([`start_notifier`]) delivers it through the WeCom group robot
//!   (`wecom.robot_key`) and, when `wecom.agent_id` is set, as an app message to
//!   `wecom.admins`. The robot takes at most [`ROBOT_PER_MINUTE`] messages a
//!   minute; when several are waiting they go out together in one message;
//!   45009 waits and resends; nothing is deleted until it was delivered (a
//!   message that can never go out stays in the outbox, marked, and raises an alert).
//!   Engine alerts of severity `error` (sync failures) are forwarded the same way.
//! - **Members**: WeCom cannot push to external payers, so campdesk writes the
//!   text for the operator to copy ([`member_text`]) and a summary for the camp
//!   group ([`camp_summary`]).
//!
//! The two WeCom sends (webhook/send, message/send with gettoken) live here behind
//! [`AdminChannel`]; the integrator may fold them into `sources::wecom`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config::{Camp, Config, WecomSettings};
use crate::domain::{Money, RefundState};
use crate::engine::{Alert, EngineStatus, Severity};
use crate::refund::model::{Refund, RefundKind};
use crate::store::{StoreError, TableDef, WriteTx};

/// Messages waiting for (or done with) delivery, in creation order.
pub const OUTBOX: TableDef<OutboxMessage> = TableDef::new("notify_outbox");
/// The robot's limit (messages per minute per key).
pub const ROBOT_PER_MINUTE: usize = 20;
/// Largest text message (bytes of UTF-8) the robot and app messages take.
pub const MAX_TEXT_BYTES: usize = 2048;
/// Delivered messages are kept this long, then removed.
pub const KEEP_DELIVERED: SignedDuration = SignedDuration::from_hours(24 * 30);

/// Where a message stands on one channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Waiting.
    Pending,
    /// Delivered.
    Sent {
        /// When.
        at: Timestamp,
    },
    /// This channel is not configured.
    NotConfigured,
    /// Refused for good (bad key, no valid recipient); kept for the record.
    Refused {
        /// What the platform said.
        error: String,
    },
}

/// One admin message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Key (creation order).
    pub id: String,
    /// `refund_failed`, `batch`, `finding`, `alert` …
    pub kind: String,
    /// The text.
    pub text: String,
    /// When it was queued.
    pub created_at: Timestamp,
    /// Robot delivery.
    pub robot: Delivery,
    /// App-message delivery.
    pub app: Delivery,
    /// Failed delivery attempts.
    pub attempts: u32,
    /// Not before this.
    pub next_at: Timestamp,
    /// The last delivery error.
    pub last_error: Option<String>,
}

impl OutboxMessage {
    fn waiting(&self) -> bool {
        self.robot == Delivery::Pending || self.app == Delivery::Pending
    }
}

/// Queues a message for the admins (robot and app) in `tx`.
pub fn enqueue_admins(tx: &mut WriteTx, kind: &str, text: &str, now: Timestamp) -> Result<(), StoreError> {
    // Creation order, also within one millisecond and across restarts of the process.
    static SEQ: std::sync::OnceLock<std::sync::atomic::AtomicU64> = std::sync::OnceLock::new();
    let seq = SEQ
        .get_or_init(|| std::sync::atomic::AtomicU64::new(Timestamp::now().as_nanosecond().max(0) as u64))
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let id = format!("{}-{seq:020}", crate::records::time_key(now));
    let msg = OutboxMessage {
        id: id.clone(),
        kind: kind.to_string(),
        text: text.to_string(),
        created_at: now,
        robot: Delivery::Pending,
        app: Delivery::Pending,
        attempts: 0,
        next_at: now,
        last_error: None,
    };
    tx.put(&OUTBOX, &id, &msg)
}

/// Every message in the outbox, oldest first.
pub fn outbox(read: &crate::store::ReadTx) -> Result<Vec<OutboxMessage>, StoreError> {
    Ok(read.all(&OUTBOX)?.into_iter().map(|(_, m)| m).collect())
}

/// Why a send failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 45009 / 45033: wait and resend.
    #[error("rate limited: {0}")]
    RateLimited(String),
    /// Bad key, no valid recipient, not authorised: resending will not help.
    #[error("refused: {0}")]
    Refused(String),
    /// Network or a transient platform error.
    #[error("{0}")]
    Transient(String),
}

/// The admin channels.
pub trait AdminChannel: Send + Sync {
    /// Whether a robot key is configured.
    fn has_robot(&self) -> bool;
    /// Whether app messages are configured (`agent_id` and `admins`).
    fn has_app(&self) -> bool;
    /// Sends a text through the group robot.
    fn send_robot<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<(), SendError>>;
    /// Sends a text as an app message to the admins.
    fn send_app<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<(), SendError>>;
}

/// WeCom's robot webhook and `message/send`.
pub struct WecomChannel {
    http: reqwest::Client,
    settings: WecomSettings,
    token: tokio::sync::Mutex<Option<(String, Timestamp)>>,
}

impl WecomChannel {
    /// A channel for `[wecom]`.
    pub fn new(settings: WecomSettings) -> WecomChannel {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(15)).build().unwrap_or_default();
        WecomChannel { http, settings, token: tokio::sync::Mutex::new(None) }
    }

    fn base(&self) -> &str {
        self.settings.base_url.trim_end_matches('/')
    }

    async fn post(&self, url: &str, body: &Value) -> Result<Value, SendError> {
        let resp = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(SendError::Transient(format!("HTTP {status}")));
        }
        serde_json::from_str(&text).map_err(|_| SendError::Transient("the answer is not JSON".into()))
    }

    fn check(v: &Value) -> Result<(), SendError> {
        let code = v.get("errcode").and_then(Value::as_i64).unwrap_or(0);
        let msg =
            v.get("errmsg").and_then(Value::as_str).unwrap_or("").split(", hint").next().unwrap_or("").to_string();
        match code {
            0 => Ok(()),
            45009 | 45033 => Err(SendError::RateLimited(format!("{code} {msg}"))),
            -1 => Err(SendError::Transient(format!("{code} {msg}"))),
            _ => Err(SendError::Refused(format!("{code} {msg}"))),
        }
    }

    async fn access_token(&self, refresh: bool) -> Result<String, SendError> {
        let mut cached = self.token.lock().await;
        let now = Timestamp::now();
        if !refresh && let Some((t, until)) = cached.as_ref().filter(|(_, until)| *until > now) {
            let _ = until;
            return Ok(t.clone());
        }
        let secret = self.settings.secret.resolve().map_err(|e| SendError::Refused(e.to_string()))?;
        let url = format!("{}/cgi-bin/gettoken", self.base());
        let resp = self
            .http
            .get(&url)
            .query(&[("corpid", self.settings.corp_id.as_str()), ("corpsecret", secret.expose_secret())])
            .send()
            .await
            .map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        let v: Value = resp.json().await.map_err(|e| SendError::Transient(e.without_url().to_string()))?;
        Self::check(&v)?;
        let token = v.get("access_token").and_then(Value::as_str).unwrap_or("").to_string();
        let ttl = v.get("expires_in").and_then(Value::as_i64).unwrap_or(7200);
        let until = now.checked_add(SignedDuration::from_secs((ttl - 300).max(60))).unwrap_or(now);
        *cached = Some((token.clone(), until));
        Ok(token)
    }
}

impl AdminChannel for WecomChannel {
    fn has_robot(&self) -> bool {
        self.settings.robot_key.is_some()
    }

    fn has_app(&self) -> bool {
        self.settings.agent_id.is_some() && !self.settings.admins.is_empty()
    }

    fn send_robot<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let key_ref = self.settings.robot_key.as_ref().ok_or_else(|| SendError::Refused("no robot key".into()))?;
            let key = key_ref.resolve().map_err(|e| SendError::Refused(e.to_string()))?;
            let url = format!(
                "{}/cgi-bin/webhook/send?key={}",
                self.base(),
                crate::sim::http::percent_encode(key.expose_secret())
            );
            let v = self.post(&url, &json!({"msgtype": "text", "text": {"content": text}})).await?;
            Self::check(&v)
        })
    }

    fn send_app<'a>(&'a self, text: &'a str) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let agent = self.settings.agent_id.ok_or_else(|| SendError::Refused("no agent_id".into()))?;
            let to: Vec<&str> = self.settings.admins.iter().map(|a| a.as_str()).collect();
            let body = json!({"touser": to.join("|"), "msgtype": "text", "agentid": agent, "text": {"content": text}});
            let mut refreshed = false;
            loop {
                let token = self.access_token(refreshed).await?;
                let url = format!("{}/cgi-bin/message/send?access_token={}", self.base(), token);
                let v = self.post(&url, &body).await?;
                let code = v.get("errcode").and_then(Value::as_i64).unwrap_or(0);
                if matches!(code, 40014 | 42001) && !refreshed {
                    refreshed = true;
                    continue;
                }
                return Self::check(&v);
            }
        })
    }
}

/// Cuts `text` to at most `max` bytes on a character boundary, marking the cut.
pub fn fit(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub("…".len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Groups waiting texts into as few messages as fit `max` bytes each, in order.
/// A single waiting text goes alone; a text too long on its own is cut.
pub fn batch(texts: &[&str], max: usize) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for t in texts {
        let t = fit(t, max);
        match out.last_mut() {
            Some((acc, n)) if acc.len() + 2 + t.len() <= max => {
                acc.push_str("\n\n");
                acc.push_str(&t);
                *n += 1;
            }
            _ => out.push((t, 1)),
        }
    }
    out
}

/// A rolling one-minute window of sends (wall clock).
#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<Instant>,
}

impl Window {
    fn allows(&mut self, per_minute: usize) -> bool {
        let now = Instant::now();
        while self.sent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
            self.sent.pop_front();
        }
        self.sent.len() < per_minute
    }

    fn record(&mut self) {
        self.sent.push_back(Instant::now());
    }
}

/// What one delivery pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// Robot messages sent (each may carry several texts).
    pub robot_sends: usize,
    /// Texts delivered through the robot.
    pub robot_texts: usize,
    /// App messages sent.
    pub app_sends: usize,
    /// Texts still waiting.
    pub waiting: usize,
    /// Errors met.
    pub errors: Vec<String>,
}

/// Delivers the outbox through a channel, within the robot's rate.
pub struct Notifier {
    store: Arc<crate::store::Store>,
    channel: Arc<dyn AdminChannel>,
    status: Option<Arc<watch::Sender<EngineStatus>>>,
    robot_window: tokio::sync::Mutex<Window>,
    per_minute: usize,
    rate_wait: SignedDuration,
}

impl Notifier {
    /// A notifier over `store` sending through `channel`.
    pub fn new(store: Arc<crate::store::Store>, channel: Arc<dyn AdminChannel>) -> Notifier {
        Notifier {
            store,
            channel,
            status: None,
            robot_window: tokio::sync::Mutex::new(Window::default()),
            per_minute: ROBOT_PER_MINUTE,
            rate_wait: SignedDuration::from_secs(60),
        }
    }

    /// Sends at most `per_minute` robot messages a minute and waits `rate_wait`
    /// after a 45009 (defaults: 20 and 60 s, the robot's own rule).
    pub fn with_limits(mut self, per_minute: usize, rate_wait: SignedDuration) -> Notifier {
        self.per_minute = per_minute.max(1);
        self.rate_wait = rate_wait;
        self
    }

    /// Publishes delivery problems as engine alerts.
    pub fn with_status(mut self, status: Arc<watch::Sender<EngineStatus>>) -> Notifier {
        self.status = Some(status);
        self
    }

    fn alert(&self, severity: Severity, message: String) {
        if let Some(s) = &self.status {
            let alert = Alert { at: Timestamp::now(), severity, source: "notify".into(), message };
            s.send_modify(|st| st.push_alert(alert));
        }
    }

    /// One pass: sends what is due, as the rate allows; returns what happened.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let now = Timestamp::now();
        let mut report = DeliveryReport::default();
        let mut waiting: Vec<OutboxMessage> = {
            let read = self.store.read()?;
            outbox(&read)?.into_iter().filter(|m| m.waiting()).collect()
        };
        // Channels that are not configured are marked so (kept, never silently dropped).
        for m in &mut waiting {
            let mut changed = false;
            if m.robot == Delivery::Pending && !self.channel.has_robot() {
                m.robot = Delivery::NotConfigured;
                changed = true;
            }
            if m.app == Delivery::Pending && !self.channel.has_app() {
                m.app = Delivery::NotConfigured;
                changed = true;
            }
            if changed {
                self.store.write_with(|tx| tx.put(&OUTBOX, &m.id, m))?;
                if m.robot == Delivery::NotConfigured && m.app == Delivery::NotConfigured {
                    self.alert(
                        Severity::Warning,
                        "an admin message cannot be delivered: set wecom.robot_key or wecom.agent_id + admins"
                            .to_string(),
                    );
                }
            }
        }
        let due: Vec<OutboxMessage> = waiting.into_iter().filter(|m| m.next_at <= now).collect();
        self.deliver_robot(&due, &mut report).await?;
        self.deliver_app(&due, &mut report).await?;
        let read = self.store.read()?;
        report.waiting = outbox(&read)?.iter().filter(|m| m.waiting()).count();
        drop(read);
        self.prune(now)?;
        Ok(report)
    }

    async fn deliver_robot(&self, due: &[OutboxMessage], report: &mut DeliveryReport) -> Result<(), StoreError> {
        let pending: Vec<&OutboxMessage> = due.iter().filter(|m| m.robot == Delivery::Pending).collect();
        let texts: Vec<&str> = pending.iter().map(|m| m.text.as_str()).collect();
        let mut offset = 0;
        for (text, n) in batch(&texts, MAX_TEXT_BYTES) {
            let group = &pending[offset..offset + n];
            offset += n;
            if !self.robot_window.lock().await.allows(self.per_minute) {
                break;
            }
            self.robot_window.lock().await.record();
            let result = self.channel.send_robot(&text).await;
            let now = Timestamp::now();
            match result {
                Ok(()) => {
                    report.robot_sends += 1;
                    report.robot_texts += n;
                    self.update(group, |m| m.robot = Delivery::Sent { at: now })?;
                }
                Err(SendError::RateLimited(e)) => {
                    report.errors.push(format!("robot: {e}"));
                    let later = now.checked_add(self.rate_wait).unwrap_or(now);
                    self.update(&pending[offset - n..], |m| {
                        m.next_at = later;
                        m.last_error = Some(e.clone());
                    })?;
                    break;
                }
                Err(SendError::Refused(e)) => {
                    report.errors.push(format!("robot: {e}"));
                    self.alert(Severity::Error, format!("the WeCom robot refused admin messages: {e}"));
                    self.update(group, |m| m.robot = Delivery::Refused { error: e.clone() })?;
                }
                Err(SendError::Transient(e)) => {
                    report.errors.push(format!("robot: {e}"));
                    self.update(group, |m| retry_later(m, now, &e))?;
                }
            }
        }
        Ok(())
    }

    async fn deliver_app(&self, due: &[OutboxMessage], report: &mut DeliveryReport) -> Result<(), StoreError> {
        let pending: Vec<&OutboxMessage> = due.iter().filter(|m| m.app == Delivery::Pending).collect();
        let texts: Vec<&str> = pending.iter().map(|m| m.text.as_str()).collect();
        let mut offset = 0;
        for (text, n) in batch(&texts, MAX_TEXT_BYTES) {
            let group = &pending[offset..offset + n];
            offset += n;
            let result = self.channel.send_app(&text).await;
            let now = Timestamp::now();
            match result {
                Ok(()) => {
                    report.app_sends += 1;
                    self.update(group, |m| m.app = Delivery::Sent { at: now })?;
                }
                Err(SendError::Refused(e)) => {
                    report.errors.push(format!("app: {e}"));
                    self.alert(Severity::Error, format!("WeCom refused the admins' app message: {e}"));
                    self.update(group, |m| m.app = Delivery::Refused { error: e.clone() })?;
                }
                Err(SendError::RateLimited(e)) | Err(SendError::Transient(e)) => {
                    report.errors.push(format!("app: {e}"));
                    self.update(group, |m| retry_later(m, now, &e))?;
                    break;
                }
            }
        }
        Ok(())
    }

    fn update(&self, msgs: &[&OutboxMessage], f: impl Fn(&mut OutboxMessage)) -> Result<(), StoreError> {
        self.store.write_with(|tx| {
            for m in msgs {
                // Re-read: the robot and app passes update different fields of one message.
                let mut cur = tx.get(&OUTBOX, &m.id)?.unwrap_or_else(|| (*m).clone());
                f(&mut cur);
                tx.put(&OUTBOX, &cur.id, &cur)?;
            }
            Ok::<_, StoreError>(())
        })
    }

    fn prune(&self, now: Timestamp) -> Result<(), StoreError> {
        let cutoff = now.checked_sub(KEEP_DELIVERED).unwrap_or(now);
        let read = self.store.read()?;
        let old: Vec<String> = outbox(&read)?
            .into_iter()
            .filter(|m| !m.waiting() && m.created_at < cutoff && delivered_somewhere(m))
            .map(|m| m.id)
            .collect();
        drop(read);
        if !old.is_empty() {
            self.store.write_with(|tx| {
                for id in &old {
                    tx.remove(&OUTBOX, id)?;
                }
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(())
    }
}

fn delivered_somewhere(m: &OutboxMessage) -> bool {
    matches!(m.robot, Delivery::Sent { .. }) || matches!(m.app, Delivery::Sent { .. })
}

fn retry_later(m: &mut OutboxMessage, now: Timestamp, error: &str) {
    m.attempts += 1;
    let secs = 15i64.saturating_mul(1 << m.attempts.min(8));
    m.next_at = now.checked_add(SignedDuration::from_secs(secs.min(3600))).unwrap_or(now);
    m.last_error = Some(error.to_string());
}

/// Runs the notifier until `cancel`: delivers the outbox every `tick` and
/// forwards new engine alerts of severity `error` (sync failures) to the admins.
pub fn start_notifier(
    notifier: Arc<Notifier>,
    status: Arc<watch::Sender<EngineStatus>>,
    tick: Duration,
    cancel: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut rx = status.subscribe();
        // Alerts raised before the notifier started are forwarded too.
        let mut forwarded: Option<Alert> = None;
        loop {
            let new: Vec<Alert> = {
                let s = rx.borrow_and_update();
                let start = forwarded.as_ref().and_then(|f| s.alerts.iter().rposition(|a| a == f)).map_or(0, |i| i + 1);
                let fresh: Vec<Alert> = s.alerts[start.min(s.alerts.len())..].to_vec();
                if let Some(last) = s.alerts.last() {
                    forwarded = Some(last.clone());
                }
                fresh
            };
            let to_send: Vec<&Alert> = new
                .iter()
                .filter(|a| {
                    a.severity == Severity::Error && !matches!(a.source.as_str(), "refunds" | "notify" | "reconcile")
                })
                .collect();
            if !to_send.is_empty() {
                let now = Timestamp::now();
                let _ = notifier.store.write_with(|tx| {
                    for a in &to_send {
                        enqueue_admins(tx, "alert", &format!("【campdesk 同步失败】{}\n{}", a.source, a.message), now)?;
                    }
                    Ok::<_, StoreError>(())
                });
            }
            if let Err(e) = notifier.deliver_due().await {
                tracing::warn!(error = %e, "notifier pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = rx.changed() => {}
                _ = cancel.cancelled() => return,
            }
        }
    })
}

/// The notifier for a config: WeCom robot/app channels (none configured: messages
/// stay in the outbox, marked).
pub fn notifier_for(config: &Config, store: Arc<crate::store::Store>) -> Option<Notifier> {
    config.wecom.clone().map(|w| Notifier::new(store, Arc::new(WecomChannel::new(w))))
}

// ---- texts for members and camp groups ------------------------------------------------------

/// The text the operator sends a member whose refund succeeded, e.g.
/// "王五你好，你的押金39.00元已退回（2510 AI小绿书爆文）…".
pub fn member_text(camp: &Camp, r: &Refund) -> String {
    let name = r.proposal.payer_name.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or("同学");
    let what = match r.proposal.kind {
        RefundKind::Deposit => format!("你的押金{}元已退回", r.amount()),
        RefundKind::Duplicate => format!("你重复支付的{}元已退回", r.amount()),
        RefundKind::NotJoined => format!("你支付的押金{}元已退回", r.amount()),
    };
    let tail = match r.proposal.kind {
        RefundKind::Deposit => "感谢你坚持打卡，期待下次再见！",
        RefundKind::Duplicate => "给你添麻烦了，感谢理解！",
        RefundKind::NotJoined => "如需参加下一期，欢迎再来报名！",
    };
    format!("{name}你好，{what}（{}），原路退回到付款的微信账户，请注意查收。{tail}", camp.name)
}

/// A summary for the camp group once refunds are done.
pub fn camp_summary(camp: &Camp, refunds: &[Refund]) -> String {
    let deposit: Vec<&Refund> = refunds.iter().filter(|r| r.proposal.kind == RefundKind::Deposit).collect();
    let sum = |rs: &[&&Refund]| rs.iter().fold(Money::ZERO, |t, r| t.checked_add(r.amount()).unwrap_or(t));
    let done: Vec<&&Refund> =
        deposit.iter().filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline)).collect();
    let open: Vec<&&Refund> = deposit
        .iter()
        .filter(|r| matches!(r.state, RefundState::Approved | RefundState::Submitted | RefundState::Failed))
        .collect();
    let mut text = format!(
        "【{}】押金退还进展：{} 位同学完成 {}/{} 天打卡，已退回 {} 笔，共 {} 元。",
        camp.name,
        done.len() + open.len(),
        camp.required,
        camp.days,
        done.len(),
        sum(&done)
    );
    if !open.is_empty() {
        text.push_str(&format!("还有 {} 笔（{} 元）正在处理，到账后会再通知。", open.len(), sum(&open)));
    }
    text.push_str("没有收到退款的同学请私信群主核对。感谢大家的坚持！");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_fill_messages_in_order_and_cut_what_is_too_long() {
        let a = "a".repeat(1000);
        let b = "b".repeat(1000);
        let c = "c".repeat(100);
        let out = batch(&[&a, &b, &c], 2048);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].1, 2);
        assert!(out[0].0.starts_with('a') && out[0].0.ends_with('b'));
        assert_eq!(out[1], (c.clone(), 1));
        let long = "退".repeat(1000); // 3000 bytes
        let cut = fit(&long, 2048);
        assert!(cut.len() <= 2048 && cut.ends_with('…'));
        assert_eq!(batch(&["one"], 2048), vec![("one".to_string(), 1)]);
    }

    #[test]
    fn wecom_codes_classify() {
        assert!(matches!(WecomChannel::check(&json!({"errcode": 45009})), Err(SendError::RateLimited(_))));
        assert!(matches!(WecomChannel::check(&json!({"errcode": 93000})), Err(SendError::Refused(_))));
        assert!(matches!(WecomChannel::check(&json!({"errcode": -1})), Err(SendError::Transient(_))));
        assert!(WecomChannel::check(&json!({"errcode": 0})).is_ok());
    }
}
