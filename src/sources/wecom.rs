//! The WeCom (企业微信) adapter, `reference/wecom-wxpay-api.md` §0–4: the access token
//! (cached, refreshed about 5 minutes before it expires under one lock so concurrent
//! callers share one `gettoken`), 对外收款 bills (`externalpay/get_bill_list`), customer
//! groups (`externalcontact/groupchat/list` and `/get`), the group-robot webhook and app
//! messages to staff.
//!
//! A call whose token WeCom calls invalid or expired (40014/42001) refetches the token and
//! is retried once. Errors are classified by `errcode` alone ([`classify_errcode`]): -1,
//! 45009 and 45033 back off; 40001, 40013, 48002, 60011, 60020 … are configuration the
//! owner must fix and say what to do. The secret, the token and the robot key never
//! appear in a log line or a message.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::http::{self, HttpResponse, HttpSettings, percent_encode};
use super::meter::SyncMeter;
use super::retry::Failure;
use crate::config::{SecretRef, WecomSettings};
use crate::domain::StaffUserId;
use crate::engine::{Backoff, ErrorClass};
use crate::records::parse::PageError;
use crate::records::raw::RawRequest;
use secrecy::{ExposeSecret, SecretString};

/// Bills per page (the maximum WeCom allows).
pub const BILLS_PER_PAGE: u32 = 1000;
/// Groups per `groupchat/list` page.
pub const GROUPS_PER_PAGE: u32 = 1000;
/// The token is refreshed this long before WeCom says it expires.
pub const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// Longest robot text message, in UTF-8 bytes.
pub const ROBOT_TEXT_MAX_BYTES: usize = 2048;
/// Longest robot markdown message, in UTF-8 bytes.
pub const ROBOT_MARKDOWN_MAX_BYTES: usize = 4096;
/// Longest app message content, in UTF-8 bytes.
pub const APP_MESSAGE_MAX_BYTES: usize = 2048;

/// An answer with the request that produced it (for the raw archive; the archive
/// removes the token from the URL).
#[derive(Clone, Debug)]
pub struct WecomAnswer {
    /// The request as sent.
    pub request: RawRequest,
    /// The response.
    pub response: HttpResponse,
}

#[derive(Clone)]
struct CachedToken {
    value: SecretString,
    refresh_after: Instant,
}

/// The WeCom client of one corp and self-built app. Shared by every WeCom task.
pub struct WecomClient {
    http: reqwest::Client,
    base: String,
    corp_id: String,
    secret: SecretRef,
    robot_key: Option<SecretRef>,
    agent_id: Option<i64>,
    token: Mutex<Option<CachedToken>>,
    robot_turn: Mutex<()>,
    retry: Backoff,
    rate_limit_wait: Duration,
    meter: Arc<SyncMeter>,
}

impl std::fmt::Debug for WecomClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WecomClient").field("base", &self.base).field("corp_id", &self.corp_id).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

impl WecomClient {
    /// A client for the corp of `settings`. `retry` paces the retries of notifications
    /// (sync calls are retried by the jobs); `rate_limit_wait` is the shortest wait after
    /// 45009 (WeCom blocks for a minute).
    pub fn new(
        settings: &WecomSettings,
        http_settings: &HttpSettings,
        retry: Backoff,
        rate_limit_wait: Duration,
        meter: Arc<SyncMeter>,
    ) -> Result<WecomClient, Failure> {
        Ok(WecomClient {
            http: http::client(&settings.base_url, http_settings)?,
            base: http::trim_base(&settings.base_url),
            corp_id: settings.corp_id.clone(),
            secret: settings.secret.clone(),
            robot_key: settings.robot_key.clone(),
            agent_id: settings.agent_id,
            token: Mutex::new(None),
            robot_turn: Mutex::new(()),
            retry,
            rate_limit_wait,
            meter,
        })
    }

    /// The corp id.
    pub fn corp_id(&self) -> &str {
        &self.corp_id
    }

    /// A valid access token: the cached one, or a fresh one from `gettoken` (one caller
    /// fetches, concurrent callers wait for it).
    pub async fn access_token(&self) -> Result<SecretString, Failure> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.refresh_after
        {
            return Ok(t.value.clone());
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Drops the cached token if it is still `token` (WeCom called it invalid).
    async fn drop_token(&self, token: &SecretString) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value.expose_secret() == token.expose_secret()) {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, Failure> {
        let secret = self.secret.resolve().map_err(|e| Failure::config(e.to_string()))?;
        let url = format!(
            "{}/cgi-bin/gettoken?corpid={}&corpsecret={}",
            self.base,
            percent_encode(&self.corp_id),
            percent_encode(secret.expose_secret())
        );
        let response = http::send("wecom", &url, self.http.get(&url), &self.meter).await?;
        gateway_status(&response)?;
        let answer: TokenAnswer = serde_json::from_slice(&response.body)
            .map_err(|_| Failure::retryable(format!("gettoken: the answer is not JSON: {}", response.snippet(80))))?;
        let code = answer.errcode.unwrap_or(0);
        if code != 0 {
            let f = self.classify(code, answer.errmsg.as_deref().unwrap_or_default(), "gettoken");
            tracing::warn!(errcode = code, class = f.class.label(), "WeCom gettoken failed");
            return Err(f);
        }
        let value = answer
            .access_token
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Failure::retryable("gettoken: the answer has no access_token"))?;
        let ttl = Duration::from_secs(answer.expires_in.unwrap_or(7200).max(0) as u64);
        tracing::debug!(expires_in_s = ttl.as_secs(), "WeCom access token refreshed");
        Ok(CachedToken {
            value: SecretString::from(value),
            refresh_after: Instant::now() + ttl.saturating_sub(TOKEN_REFRESH_MARGIN),
        })
    }

    /// POSTs `body` to `/cgi-bin/{api}` with the access token. An invalid or expired
    /// token (40014/42001) is refetched and the call retried once. A 200 answer whose
    /// `errcode` is 0, or that is not JSON at all, comes back for the caller to parse
    /// (and archive); business errors come back classified.
    pub async fn post(&self, api: &str, body: &Value) -> Result<WecomAnswer, Failure> {
        let body_text = body.to_string();
        let mut refetched = false;
        loop {
            let token = self.access_token().await?;
            let url = format!("{}/cgi-bin/{api}?access_token={}", self.base, percent_encode(token.expose_secret()));
            let request = self
                .http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body_text.clone());
            let response = http::send("wecom", &url, request, &self.meter).await?;
            gateway_status(&response)?;
            let Ok(envelope) = serde_json::from_slice::<Envelope>(&response.body) else {
                // Not JSON: the caller archives it and retries.
                return Ok(WecomAnswer { request: RawRequest::post(url, body_text), response });
            };
            let code = envelope.errcode.unwrap_or(0);
            match code {
                0 => return Ok(WecomAnswer { request: RawRequest::post(url, body_text), response }),
                40014 | 42001 if !refetched => {
                    tracing::info!(errcode = code, api, "WeCom token rejected; fetching a new one and retrying once");
                    self.drop_token(&token).await;
                    refetched = true;
                }
                _ => {
                    let f = self.classify(code, envelope.errmsg.as_deref().unwrap_or_default(), api);
                    tracing::warn!(errcode = code, api, class = f.class.label(), "WeCom call failed");
                    return Err(f);
                }
            }
        }
    }

    /// One page of `externalpay/get_bill_list` for `[begin, end]` (Unix seconds).
    pub async fn bills_page(&self, begin: i64, end: i64, cursor: Option<&str>) -> Result<WecomAnswer, Failure> {
        let mut body = json!({"begin_time": begin, "end_time": end, "limit": BILLS_PER_PAGE});
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        self.post("externalpay/get_bill_list", &body).await
    }

    /// `externalcontact/groupchat/get` with member names (`need_name = 1`).
    pub async fn group_chat(&self, chat_id: &str) -> Result<WecomAnswer, Failure> {
        self.post("externalcontact/groupchat/get", &json!({"chat_id": chat_id, "need_name": 1})).await
    }

    /// One page of `externalcontact/groupchat/list` (every status).
    pub async fn group_list_page(&self, cursor: Option<&str>) -> Result<WecomAnswer, Failure> {
        let mut body = json!({"status_filter": 0, "limit": GROUPS_PER_PAGE});
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        self.post("externalcontact/groupchat/list", &body).await
    }

    /// Sends a message through the group robot (`wecom.robot_key`). Sends are serial
    /// (WeCom answers 45033 to parallel ones); transient failures are retried with
    /// backoff, 45009 (20 messages a minute) after at least the rate-limit wait.
    pub async fn send_robot(&self, message: &RobotMessage) -> Result<(), Failure> {
        message.check()?;
        let key_ref =
            self.robot_key.as_ref().ok_or_else(|| Failure::config("no wecom.robot_key is configured for alerts"))?;
        let key = key_ref.resolve().map_err(|e| Failure::config(e.to_string()))?;
        let _turn = self.robot_turn.lock().await;
        let url = format!("{}/cgi-bin/webhook/send?key={}", self.base, percent_encode(key.expose_secret()));
        let body = message.body().to_string();
        self.with_notify_retries("webhook/send", || async {
            let request = self
                .http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
                .body(body.clone());
            let response = http::send("wecom", &url, request, &self.meter).await?;
            gateway_status(&response)?;
            let envelope: Envelope = serde_json::from_slice(&response.body).map_err(|_| {
                Failure::retryable(format!("webhook: the answer is not JSON: {}", response.snippet(80)))
            })?;
            match envelope.errcode.unwrap_or(0) {
                0 => Ok(()),
                code => Err(self.classify(code, envelope.errmsg.as_deref().unwrap_or_default(), "webhook/send")),
            }
        })
        .await
    }

    /// Sends an app message to staff (`message/send` with `wecom.agent_id`). Recipients
    /// WeCom does not know come back in the receipt; if none is valid it fails (81013).
    pub async fn send_app_message(&self, message: &AppMessage) -> Result<AppReceipt, Failure> {
        message.check()?;
        let agent_id = self
            .agent_id
            .ok_or_else(|| Failure::config("wecom.agent_id is not set: app messages need the app's AgentId"))?;
        let body = message.body(agent_id);
        self.with_notify_retries("message/send", || async {
            let answer = self.post("message/send", &body).await?;
            let receipt: ReceiptDto = serde_json::from_slice(&answer.response.body).map_err(|_| {
                Failure::retryable(format!("message/send: the answer is not JSON: {}", answer.response.snippet(80)))
            })?;
            let split = |s: Option<String>| -> Vec<String> {
                s.unwrap_or_default().split('|').filter(|x| !x.is_empty()).map(str::to_string).collect()
            };
            Ok(AppReceipt {
                msgid: receipt.msgid.filter(|m| !m.is_empty()),
                invalid_users: split(receipt.invaliduser),
                unlicensed_users: split(receipt.unlicenseduser),
            })
        })
        .await
    }

    async fn with_notify_retries<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T, Failure>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(f) if f.class == ErrorClass::Retryable && attempt < self.retry.max_attempts => {
                    let wait =
                        self.retry.delay(attempt, rand::random::<f64>()).max(f.wait_at_least.unwrap_or_default());
                    tracing::warn!(what, attempt, wait_ms = wait.as_millis() as u64, error = %f.message, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(f) => return Err(f.context(what)),
            }
        }
    }

    /// Classifies an `errcode` of a call to `api`, saying what the owner must do when
    /// it is configuration.
    pub fn classify(&self, code: i64, errmsg: &str, api: &str) -> Failure {
        let f = classify_errcode(code, errmsg, api, &self.corp_id);
        if code == 45009 { f.wait_at_least(self.rate_limit_wait) } else { f }
    }
}

#[derive(Deserialize)]
struct ReceiptDto {
    #[serde(default)]
    msgid: Option<String>,
    #[serde(default)]
    invaliduser: Option<String>,
    #[serde(default)]
    unlicenseduser: Option<String>,
}

/// A gateway answer (non-200) classified: 5xx and 429 back off, others are data errors.
fn gateway_status(response: &HttpResponse) -> Result<(), Failure> {
    match response.status {
        200 => Ok(()),
        429 => Err(Failure::retryable("WeCom rate limit (HTTP 429)")),
        s if s >= 500 => Err(Failure::retryable(format!("WeCom server error (HTTP {s})"))),
        s => Err(Failure::data(format!("WeCom answered HTTP {s}: {}", response.snippet(120)))),
    }
}

/// The readable part of an `errmsg` (before `, hint: [...]`).
pub fn short_errmsg(errmsg: &str) -> &str {
    errmsg.split(", hint:").next().unwrap_or(errmsg).trim()
}

/// The caller's IP as WeCom saw it (`from ip: …` in `errmsg`).
pub fn caller_ip(errmsg: &str) -> Option<&str> {
    let rest = errmsg.split("from ip: ").nth(1)?;
    let ip = rest.split([',', ' ']).next()?.trim();
    (!ip.is_empty()).then_some(ip)
}

/// Classifies a WeCom `errcode` of a call to `api` of corp `corp_id`.
pub fn classify_errcode(code: i64, errmsg: &str, api: &str, corp_id: &str) -> Failure {
    classify_errcode_inner(code, errmsg, api, corp_id).with_code(code)
}

fn classify_errcode_inner(code: i64, errmsg: &str, api: &str, corp_id: &str) -> Failure {
    let text = short_errmsg(errmsg);
    match code {
        -1 => Failure::retryable(format!("WeCom is busy (-1 {text})")),
        45009 => Failure::retryable(format!("WeCom rate limit (45009 {text})")),
        45033 => Failure::retryable(format!("WeCom concurrent-call limit (45033 {text})")),
        40014 | 42001 => Failure::retryable(format!("WeCom rejected a fresh access token ({code} {text})")),
        40001 => Failure::config(format!(
            "WeCom rejected wecom.secret (40001 {text}): it must be the Secret of the self-built app (应用管理 → \
             the app → Secret) of corp {corp_id}"
        )),
        40013 => Failure::config(format!(
            "WeCom does not know wecom.corp_id {corp_id} (40013 {text}): copy the 企业ID from 我的企业 → 企业信息"
        )),
        60020 => Failure::config(format!(
            "WeCom refuses calls from this server's IP{} (60020 {text}): add it to the self-built app's 企业可信IP \
             (应用管理 → the app → 企业可信IP)",
            caller_ip(errmsg).map(|ip| format!(" {ip}")).unwrap_or_default()
        )),
        48002 => Failure::config(format!(
            "the self-built app may not call {api} (48002 {text}): {}",
            match api {
                a if a.starts_with("externalpay") => "add it under 对外收款 → 可调用接口的应用",
                a if a.starts_with("externalcontact") => "add it under 客户联系 → 可调用应用",
                _ => "grant it access to this API in the admin console",
            }
        )),
        60011 => Failure::config(format!(
            "the app may not see this member, group owner or payee (60011 {text}): widen the app's visible range \
             (应用管理 → the app → 可见范围)"
        )),
        81017 => Failure::config(format!(
            "the app's visible range has more than 1000 people (81017 {text}): groupchat/list needs an owner filter"
        )),
        40050 | 86003 => Failure::config(format!(
            "WeCom does not know this group chat ({code} {text}): check group_chats in camps.toml"
        )),
        93000 => Failure::config(format!(
            "WeCom says wecom.robot_key is not a valid robot webhook key (93000 {text}): copy the key= part of the \
             robot's webhook URL again"
        )),
        81013 => Failure::data(format!("no recipient of the app message is valid (81013 {text})")),
        41001 | 40058 => Failure::internal(format!("WeCom refused campdesk's {api} request ({code} {text})")),
        _ => Failure::data(format!("WeCom error {code} on {api}: {text}")),
    }
}

/// Classifies a WeCom page that did not parse.
pub fn classify_page_error(e: &PageError, api: &str, corp_id: &str) -> Failure {
    match e {
        PageError::Api { code, message, .. } => classify_errcode(*code, message, api, corp_id),
        PageError::Malformed { .. } => Failure::retryable(e.to_string()),
        PageError::Record { .. } => Failure::data(e.to_string()),
    }
}

// ---- notifications -------------------------------------------------------------------------

/// A group-robot message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "msgtype", rename_all = "snake_case")]
pub enum RobotMessage {
    /// Plain text (≤ 2048 bytes), optionally mentioning userids or mobiles (`@all` for everyone).
    Text {
        /// The text.
        content: String,
        /// Userids to mention.
        mentioned_list: Vec<String>,
        /// Mobiles to mention.
        mentioned_mobile_list: Vec<String>,
    },
    /// Markdown (≤ 4096 bytes); mention with `<@userid>` in the content.
    Markdown {
        /// The markdown.
        content: String,
    },
}

impl RobotMessage {
    /// A text message without mentions.
    pub fn text(content: impl Into<String>) -> RobotMessage {
        RobotMessage::Text { content: content.into(), mentioned_list: Vec::new(), mentioned_mobile_list: Vec::new() }
    }

    /// A markdown message.
    pub fn markdown(content: impl Into<String>) -> RobotMessage {
        RobotMessage::Markdown { content: content.into() }
    }

    /// Adds userids to mention (text messages only).
    pub fn mentioning(mut self, userids: impl IntoIterator<Item = impl Into<String>>) -> RobotMessage {
        if let RobotMessage::Text { mentioned_list, .. } = &mut self {
            mentioned_list.extend(userids.into_iter().map(Into::into));
        }
        self
    }

    /// The content, shortened (with "…") to what the message type allows.
    pub fn fitted(self) -> RobotMessage {
        match self {
            RobotMessage::Text { content, mentioned_list, mentioned_mobile_list } => RobotMessage::Text {
                content: fit_bytes(&content, ROBOT_TEXT_MAX_BYTES),
                mentioned_list,
                mentioned_mobile_list,
            },
            RobotMessage::Markdown { content } => {
                RobotMessage::Markdown { content: fit_bytes(&content, ROBOT_MARKDOWN_MAX_BYTES) }
            }
        }
    }

    fn check(&self) -> Result<(), Failure> {
        let (content, max, kind) = match self {
            RobotMessage::Text { content, .. } => (content, ROBOT_TEXT_MAX_BYTES, "text"),
            RobotMessage::Markdown { content } => (content, ROBOT_MARKDOWN_MAX_BYTES, "markdown"),
        };
        check_content(content, max, kind)
    }

    /// The webhook body.
    pub fn body(&self) -> Value {
        match self {
            RobotMessage::Text { content, mentioned_list, mentioned_mobile_list } => {
                let mut text = json!({"content": content});
                if !mentioned_list.is_empty() {
                    text["mentioned_list"] = json!(mentioned_list);
                }
                if !mentioned_mobile_list.is_empty() {
                    text["mentioned_mobile_list"] = json!(mentioned_mobile_list);
                }
                json!({"msgtype": "text", "text": text})
            }
            RobotMessage::Markdown { content } => json!({"msgtype": "markdown", "markdown": {"content": content}}),
        }
    }
}

fn check_content(content: &str, max: usize, kind: &str) -> Result<(), Failure> {
    if content.trim().is_empty() {
        return Err(Failure::internal(format!("a {kind} message needs content")));
    }
    if content.len() > max {
        return Err(Failure::internal(format!(
            "a {kind} message may hold {max} bytes of UTF-8, this one has {} (shorten it or use fitted())",
            content.len()
        )));
    }
    Ok(())
}

/// `text` cut at a character boundary so that it, with a trailing "…", fits in `max` bytes.
pub fn fit_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    const ELLIPSIS: &str = "…";
    let budget = max.saturating_sub(ELLIPSIS.len());
    let mut end = budget.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ELLIPSIS}", &text[..end])
}

/// What kind of app message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppMessageKind {
    /// Plain text.
    Text,
    /// Markdown (shows only in the WeCom client).
    Markdown,
}

/// An app message to staff (`message/send`); it cannot reach external customers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppMessage {
    /// Recipients (at most 1000).
    pub to_users: Vec<StaffUserId>,
    /// Text or markdown.
    pub kind: AppMessageKind,
    /// The content (≤ 2048 bytes).
    pub content: String,
    /// Confidential, with a watermark.
    pub safe: bool,
    /// Suppress an identical message sent within this many seconds (WeCom's duplicate check).
    pub duplicate_check_secs: Option<u32>,
}

impl AppMessage {
    /// A text message to `to_users`.
    pub fn text(to_users: Vec<StaffUserId>, content: impl Into<String>) -> AppMessage {
        AppMessage {
            to_users,
            kind: AppMessageKind::Text,
            content: content.into(),
            safe: false,
            duplicate_check_secs: None,
        }
    }

    fn check(&self) -> Result<(), Failure> {
        if self.to_users.is_empty() {
            return Err(Failure::config("an app message needs recipients (wecom.admins is empty)"));
        }
        if self.to_users.len() > 1000 {
            return Err(Failure::internal("an app message may go to at most 1000 userids"));
        }
        check_content(&self.content, APP_MESSAGE_MAX_BYTES, "app")
    }

    /// The `message/send` body for app `agent_id`.
    pub fn body(&self, agent_id: i64) -> Value {
        let kind = match self.kind {
            AppMessageKind::Text => "text",
            AppMessageKind::Markdown => "markdown",
        };
        let users: Vec<&str> = self.to_users.iter().map(StaffUserId::as_str).collect();
        let mut body = json!({
            "touser": users.join("|"),
            "msgtype": kind,
            "agentid": agent_id,
            "safe": i32::from(self.safe),
        });
        body[kind] = json!({"content": self.content});
        if let Some(secs) = self.duplicate_check_secs {
            body["enable_duplicate_check"] = json!(1);
            body["duplicate_check_interval"] = json!(secs.min(4 * 3600));
        }
        body
    }
}

/// What WeCom said about an app message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppReceipt {
    /// The message id (for recall).
    pub msgid: Option<String>,
    /// Recipients WeCom did not accept (lower-cased by WeCom).
    pub invalid_users: Vec<String>,
    /// Recipients without a licence.
    pub unlicensed_users: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn errcodes_are_classified_and_configuration_says_what_to_do() {
        let msg = "not allow to access from your ip, hint: [1700000000_1_abc], from ip: 203.0.113.7, more info at \
                   https://open.work.weixin.qq.com/devtool/query?e=60020";
        let f = classify_errcode(60020, msg, "externalpay/get_bill_list", "ww1");
        assert_eq!(f.class, ErrorClass::Config);
        assert!(f.message.contains("203.0.113.7") && f.message.contains("企业可信IP"), "{}", f.message);
        assert!(!f.message.contains("hint"), "{}", f.message);
        let f = classify_errcode(48002, "api forbidden", "externalpay/get_bill_list", "ww1");
        assert!(f.message.contains("对外收款"), "{}", f.message);
        let f = classify_errcode(48002, "api forbidden", "externalcontact/groupchat/get", "ww1");
        assert!(f.message.contains("客户联系"), "{}", f.message);
        assert_eq!(classify_errcode(40001, "invalid credential", "gettoken", "ww1").class, ErrorClass::Config);
        assert_eq!(classify_errcode(40013, "invalid corpid", "gettoken", "ww1").class, ErrorClass::Config);
        for code in [-1, 45009, 45033] {
            assert_eq!(classify_errcode(code, "x", "a", "ww1").class, ErrorClass::Retryable, "{code}");
        }
        assert_eq!(classify_errcode(12345, "odd", "a", "ww1").class, ErrorClass::Data);
        assert!(classify_errcode(12345, "odd", "a", "ww1").message.contains("12345"));
    }

    #[test]
    fn robot_bodies_and_limits() {
        let m = RobotMessage::text("退款 WXRF1 成功").mentioning(["zhangsan"]);
        assert_eq!(
            m.body(),
            json!({"msgtype": "text", "text": {"content": "退款 WXRF1 成功", "mentioned_list": ["zhangsan"]}})
        );
        assert_eq!(
            RobotMessage::markdown("**x**").body(),
            json!({"msgtype": "markdown", "markdown": {"content": "**x**"}})
        );
        let long = "押".repeat(1000); // 3000 bytes
        assert!(RobotMessage::text(long.clone()).check().is_err());
        let fitted = RobotMessage::text(long).fitted();
        assert!(fitted.check().is_ok());
        assert!(RobotMessage::text("  ").check().is_err());
    }

    #[test]
    fn app_message_body() {
        let m = AppMessage::text(vec![StaffUserId::new("zhangsan"), StaffUserId::new("lisi")], "同步失败");
        let b = m.body(1000002);
        assert_eq!(b["touser"], "zhangsan|lisi");
        assert_eq!(b["agentid"], 1000002);
        assert_eq!(b["text"]["content"], "同步失败");
        assert!(AppMessage::text(vec![], "x").check().is_err());
    }

    proptest! {
        #[test]
        fn fitted_text_fits_and_keeps_a_prefix(s in "\\PC{0,800}", max in 4usize..600) {
            let f = fit_bytes(&s, max);
            if s.len() <= max {
                prop_assert_eq!(&f, &s);
            } else {
                prop_assert!(f.len() <= max);
                prop_assert!(s.starts_with(f.trim_end_matches('…')));
            }
        }
    }
}
