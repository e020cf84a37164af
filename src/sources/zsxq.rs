//! The Knowledge Planet (知识星球, zsxq) adapter: the check-in project lists (E9), one
//! project (E10), the accumulated ranking list (E13) and the check-in topics (E14) of
//! `reference/zsxq-api.md`, over HTTPS with the web cookie `zsxq_access_token`.
//!
//! Every request is paced (one shared [`Pacer`]), optionally signed (a fresh
//! `x-timestamp` and `x-request-id` per request and an `x-signature` over the exact URL
//! sent: a correct signature or none, never a stale one), and checked for the token's
//! remaining life (`x-expire-in`). Answers come back raw, with the URL sent; the sync
//! jobs archive, parse and store them. [`classify_code`] and [`classify_page_error`] turn
//! zsxq's errors into [`Failure`]s: 1059/429/5xx back off, 401/14210 stop the source,
//! anything else fails the run with its code and message.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use super::http::{self, HttpResponse, HttpSettings, percent_encode};
use super::meter::SyncMeter;
use super::pace::Pacer;
use super::retry::Failure;
use crate::config::{SecretRef, ZsxqSettings};
use crate::domain::time::shanghai;
use crate::engine::{RunContext, Severity};
use crate::records::parse::PageError;

/// Check-in topics per page (zsxq caps `count` at 20 for topics).
pub const TOPICS_PER_PAGE: usize = 20;
/// Projects asked for per scope (there is no paging; a full answer may be truncated).
pub const PROJECTS_PER_SCOPE: usize = 100;
/// Warn when the token has fewer days than this left.
pub const EXPIRY_WARNING_DAYS: i64 = 7;

const USER_AGENT: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const X_VERSION: &str = "2.90.0";

/// The three project scopes of E9 (`all` is not a scope zsxq answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectScope {
    /// Running.
    Ongoing,
    /// Closed by the owner.
    Closed,
    /// Past its deadline.
    Over,
}

impl ProjectScope {
    /// Every scope, in the order they are listed.
    pub const ALL: [ProjectScope; 3] = [ProjectScope::Ongoing, ProjectScope::Closed, ProjectScope::Over];

    /// The `scope` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectScope::Ongoing => "ongoing",
            ProjectScope::Closed => "closed",
            ProjectScope::Over => "over",
        }
    }
}

/// An answer with the exact URL that was sent.
#[derive(Clone, Debug)]
pub struct ZsxqAnswer {
    /// The URL as sent (no secrets: the token travels in a cookie).
    pub url: String,
    /// The response.
    pub response: HttpResponse,
}

/// The zsxq client of one planet. Shared by every zsxq task (one pacer for all).
pub struct ZsxqClient {
    http: reqwest::Client,
    base: String,
    group_id: String,
    token_ref: SecretRef,
    token: Mutex<Option<SecretString>>,
    sign: bool,
    pacer: Pacer,
    meter: Arc<SyncMeter>,
    warned_days: Mutex<Option<i64>>,
    /// SHA-256 of a token zsxq refused: requests with it stop here until the owner
    /// replaces it (the source stops instead of hammering zsxq with a dead token).
    refused: Mutex<Option<(String, String)>>,
}

impl std::fmt::Debug for ZsxqClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZsxqClient").field("base", &self.base).field("group_id", &self.group_id).finish_non_exhaustive()
    }
}

impl ZsxqClient {
    /// A client for the planet of `settings`, pacing requests `pace` apart (plus up to
    /// 50 % jitter). The token is read when the first request needs it.
    pub fn new(
        settings: &ZsxqSettings,
        http_settings: &HttpSettings,
        pace: Duration,
        meter: Arc<SyncMeter>,
    ) -> Result<ZsxqClient, Failure> {
        Ok(ZsxqClient {
            http: http::client(&settings.base_url, http_settings)?,
            base: http::trim_base(&settings.base_url),
            group_id: settings.group_id.clone(),
            token_ref: settings.token.clone(),
            token: Mutex::new(None),
            sign: settings.sign_requests,
            pacer: Pacer::new(pace, 0.5),
            meter,
            warned_days: Mutex::new(None),
            refused: Mutex::new(None),
        })
    }

    /// The planet's group id.
    pub fn group_id(&self) -> &str {
        &self.group_id
    }

    /// E9: the projects of one scope (`count=100`).
    pub async fn projects(&self, ctx: &RunContext, scope: ProjectScope) -> Result<ZsxqAnswer, Failure> {
        self.get(ctx, &format!("/checkins?scope={}&count={PROJECTS_PER_SCOPE}", scope.as_str())).await
    }

    /// E10: one project.
    pub async fn project(&self, ctx: &RunContext, checkin_id: &str) -> Result<ZsxqAnswer, Failure> {
        self.get(ctx, &format!("/checkins/{}", percent_encode(checkin_id))).await
    }

    /// E13: the accumulated ranking list from rank `index + 1` (21 rows).
    pub async fn ranking_page(&self, ctx: &RunContext, checkin_id: &str, index: u32) -> Result<ZsxqAnswer, Failure> {
        self.get(ctx, &format!("/checkins/{}/ranking_list?type=accumulated&index={index}", percent_encode(checkin_id)))
            .await
    }

    /// E14: check-in topics created at or before `end_time` (the newest without it), newest first.
    pub async fn topics_page(
        &self,
        ctx: &RunContext,
        checkin_id: &str,
        end_time: Option<&str>,
    ) -> Result<ZsxqAnswer, Failure> {
        let mut q = format!("/checkins/{}/topics?count={TOPICS_PER_PAGE}", percent_encode(checkin_id));
        if let Some(t) = end_time {
            q.push_str("&end_time=");
            q.push_str(&percent_encode(t));
        }
        self.get(ctx, &q).await
    }

    fn token(&self) -> Result<SecretString, Failure> {
        let mut cached = self.token.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let t = self.token_ref.resolve().map_err(|e| Failure::config(e.to_string()))?;
        *cached = Some(t.clone());
        Ok(t)
    }

    /// Forgets the token so the next request reads it again (after the owner replaced it).
    fn forget_token(&self) {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Remembers that zsxq refused `token` (`why`): every task of this source stops at
    /// once until the token is replaced.
    fn refuse(&self, token: &SecretString, why: &str) {
        let fingerprint = crate::records::raw::sha256_hex(token.expose_secret().as_bytes());
        *self.refused.lock().unwrap_or_else(PoisonError::into_inner) = Some((fingerprint, why.to_string()));
        self.forget_token();
    }

    /// Notes a token failure found in a page's body (code 401 or 14210), so this
    /// source stops for the other tasks too.
    pub fn note_token_failure(&self, failure: &Failure) {
        if failure.class != crate::engine::ErrorClass::Token {
            return;
        }
        let Ok(token) = self.token() else { return };
        let why = failure.code.map_or_else(|| "refused".to_string(), |c| format!("code {c}"));
        self.refuse(&token, &why);
    }

    /// GET `/v2/groups/{group_id}{path_and_query}`: paced, signed when configured,
    /// classified by HTTP status. A 200 answer is returned whatever its body.
    pub async fn get(&self, ctx: &RunContext, path_and_query: &str) -> Result<ZsxqAnswer, Failure> {
        let token = self.token()?;
        let fingerprint = crate::records::raw::sha256_hex(token.expose_secret().as_bytes());
        if let Some((refused, why)) = self.refused.lock().unwrap_or_else(PoisonError::into_inner).as_ref()
            && *refused == fingerprint
        {
            self.forget_token();
            return Err(token_failure(&self.token_ref, &format!("{why}, earlier in this session")));
        }
        let waited = self.pacer.wait(ctx).await.map_err(|e| Failure::internal(e.message))?;
        self.meter.add_pacing(waited);
        let raw = format!("{}/v2/groups/{}{path_and_query}", self.base, percent_encode(&self.group_id));
        let url =
            reqwest::Url::parse(&raw).map_err(|e| Failure::config(format!("zsxq.base_url gives a bad URL: {e}")))?;
        let sent = url.to_string();
        let mut headers = base_headers(&token)?;
        if self.sign {
            let ts = Timestamp::now().as_second().to_string();
            let id = uuid::Uuid::new_v4().to_string();
            for (name, value) in signature_headers(&sent, &ts, &id) {
                headers.insert(name, HeaderValue::from_str(&value).map_err(|e| Failure::internal(e.to_string()))?);
            }
        }
        let response = http::send("zsxq", &sent, self.http.get(url).headers(headers), &self.meter).await?;
        self.check_expiry(ctx, &response);
        match response.status {
            200 => Ok(ZsxqAnswer { url: sent, response }),
            401 => {
                self.refuse(&token, "HTTP 401");
                Err(token_failure(&self.token_ref, "HTTP 401"))
            }
            429 => Err(Failure::retryable("zsxq rate limit (HTTP 429)")),
            s if s >= 500 => Err(Failure::retryable(format!("zsxq server error (HTTP {s})"))),
            s => Err(Failure::data(format!("zsxq answered HTTP {s}: {}", response.snippet(120)))),
        }
    }

    /// Warns (once per remaining-days value) when `x-expire-in` says the token ends soon.
    fn check_expiry(&self, ctx: &RunContext, response: &HttpResponse) {
        let Some(secs) = response.header("x-expire-in").and_then(|v| v.trim().parse::<i64>().ok()) else { return };
        let Some(days) = expiry_warning_days(secs) else { return };
        {
            let mut warned = self.warned_days.lock().unwrap_or_else(PoisonError::into_inner);
            if *warned == Some(days) {
                return;
            }
            *warned = Some(days);
        }
        let when = response
            .fetched_at
            .checked_add(SignedDuration::from_secs(secs.max(0)))
            .map(|t| t.to_zoned_datetime(shanghai()).strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let message = format!(
            "the zsxq token expires in {} (around {when} Asia/Shanghai): log in at wx.zsxq.com again and update \
             zsxq.token ({}) before then",
            plural_days(days),
            self.token_ref.describe()
        );
        tracing::warn!(days, "zsxq token expires soon");
        ctx.alert(Severity::Warning, message);
    }
}

fn plural_days(days: i64) -> String {
    if days == 1 { "1 day".to_string() } else { format!("{days} days") }
}

/// Whole days left when `x-expire-in` (seconds) is under the warning threshold.
pub fn expiry_warning_days(expire_in_secs: i64) -> Option<i64> {
    (expire_in_secs < EXPIRY_WARNING_DAYS * 86_400).then(|| expire_in_secs.max(0) / 86_400)
}

fn base_headers(token: &SecretString) -> Result<HeaderMap, Failure> {
    let mut h = HeaderMap::new();
    let mut cookie = HeaderValue::from_str(&format!("zsxq_access_token={}", token.expose_secret()))
        .map_err(|_| Failure::config("zsxq.token contains characters a cookie cannot carry"))?;
    cookie.set_sensitive(true);
    h.insert(reqwest::header::COOKIE, cookie);
    h.insert(reqwest::header::USER_AGENT, HeaderValue::from_static(USER_AGENT));
    h.insert(reqwest::header::ACCEPT, HeaderValue::from_static("application/json, text/plain, */*"));
    h.insert(reqwest::header::ORIGIN, HeaderValue::from_static("https://wx.zsxq.com"));
    h.insert(reqwest::header::REFERER, HeaderValue::from_static("https://wx.zsxq.com/"));
    h.insert(HeaderName::from_static("x-version"), HeaderValue::from_static(X_VERSION));
    Ok(h)
}

/// The three signature headers for `url` as sent, `timestamp` (Unix seconds) and `request_id`.
pub fn signature_headers(url: &str, timestamp: &str, request_id: &str) -> [(HeaderName, String); 3] {
    [
        (HeaderName::from_static("x-timestamp"), timestamp.to_string()),
        (HeaderName::from_static("x-request-id"), request_id.to_string()),
        (HeaderName::from_static("x-signature"), crate::crypto::zsxq_signature(url, timestamp, request_id)),
    ]
}

fn token_failure(token: &SecretRef, what: &str) -> Failure {
    Failure::token(format!(
        "zsxq refused the token ({what}): log in at wx.zsxq.com again and update zsxq.token ({}); zsxq sync stops \
         until then",
        token.describe()
    ))
}

/// Classifies a zsxq business error (`succeeded: false`).
pub fn classify_code(code: i64, message: &str) -> Failure {
    classify_code_inner(code, message).with_code(code)
}

fn classify_code_inner(code: i64, message: &str) -> Failure {
    match code {
        1059 => Failure::retryable(format!("zsxq answered 1059 ({message}): rate limited or flagged as a crawler")),
        401 => Failure::token(format!(
            "zsxq refused the token (code 401 {message}): log in at wx.zsxq.com again and update zsxq.token"
        )),
        14210 => Failure::token(format!(
            "zsxq says the membership of the token's account expired (14210 {message}): renew it or use another \
             account's token in zsxq.token"
        )),
        1004 | 14001 => Failure::internal(format!("zsxq refused campdesk's request ({code} {message})")),
        _ => Failure::data(format!("zsxq error {code}: {message}")),
    }
}

/// Classifies a page that did not parse: business errors by code, bodies that are not
/// the expected JSON (gateway pages, truncated answers) as transient, bad records as data.
pub fn classify_page_error(e: &PageError) -> Failure {
    match e {
        PageError::Api { code, message, .. } => classify_code(*code, message),
        PageError::Malformed { .. } => Failure::retryable(e.to_string()),
        PageError::Record { .. } => Failure::data(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_the_exact_url_with_fresh_values() {
        let url =
            "http://127.0.0.1:1/v2/groups/1/checkins/2/topics?count=20&end_time=2025-12-09T22%3A54%3A37.399%2B0800";
        let h = signature_headers(url, "1765355219", "5b0c7e52-8a8a-4d7b-9a47-0b8f4a9c1d2e");
        assert_eq!(h[0].1, "1765355219");
        assert_eq!(h[2].1, crate::crypto::zsxq_signature(url, "1765355219", "5b0c7e52-8a8a-4d7b-9a47-0b8f4a9c1d2e"));
        assert_ne!(h[2].1, signature_headers(url, "1765355220", "5b0c7e52-8a8a-4d7b-9a47-0b8f4a9c1d2e")[2].1);
    }

    #[test]
    fn codes_are_classified() {
        use crate::engine::ErrorClass::*;
        assert_eq!(classify_code(1059, "内部错误").class, Retryable);
        assert_eq!(classify_code(401, "").class, Token);
        assert_eq!(classify_code(14210, "会员已过期").class, Token);
        assert_eq!(classify_code(1030, "没有权限").class, Data);
        assert!(classify_code(1030, "没有权限").message.contains("1030"));
        let malformed = PageError::Malformed { endpoint: "checkin topics", reason: "EOF".into() };
        assert_eq!(classify_page_error(&malformed).class, Retryable);
        let record = PageError::Record { record: "topic 1".into(), field: "create_time".into(), reason: "bad".into() };
        assert_eq!(classify_page_error(&record).class, Data);
    }

    #[test]
    fn expiry_warnings_start_seven_days_before() {
        assert_eq!(expiry_warning_days(2_591_800), None);
        assert_eq!(expiry_warning_days(7 * 86_400), None);
        assert_eq!(expiry_warning_days(7 * 86_400 - 1), Some(6));
        assert_eq!(expiry_warning_days(3_600), Some(0));
        assert_eq!(expiry_warning_days(-5), Some(0));
    }
}
