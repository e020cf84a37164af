//! WeChat Pay APIv3 refunds (`reference/wecom-wxpay-api.md` §5): create
//! (`POST /v3/refund/domestic/refunds`) and query
//! (`GET /v3/refund/domestic/refunds/{out_refund_no}`), every request signed with
//! the merchant key, every 2xx answer verified against the WeChat Pay public key,
//! and refund-result notifications verified and decrypted.
//!
//! An answer that is not provably from WeChat Pay (unsigned, mis-signed, wrong
//! `Wechatpay-Serial`, stale timestamp, unreadable) is never taken as a result:
//! it is [`WxpayError::Unverified`], an unknown outcome the caller resolves by
//! querying later. Errors are classified by [`WxpayError::disposition`] as §5.4 says.

use std::time::Duration;

use jiff::Timestamp;
use rand::SeedableRng;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::config::WxpaySettings;
use crate::crypto::{RsaPrivateKey, RsaPublicKey, WxpayAuthorization, aes_256_gcm_decrypt, wxpay_response_message};
use crate::domain::Money;

/// The refund endpoint's path.
pub const REFUNDS_PATH: &str = "/v3/refund/domestic/refunds";
/// Largest difference between a signature's timestamp and our clock.
pub const MAX_SKEW_SECS: i64 = 300;
/// How long one request may take before its outcome counts as unknown.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// The User-Agent every request carries (refund endpoints answer 400 without one).
pub const USER_AGENT: &str = concat!("campdesk/", env!("CARGO_PKG_VERSION"), " (WechatPay-APIv3)");

/// A refund to create. `out_refund_no`, `refund` and `total` never change for one refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// The WeChat Pay transaction id of the payment.
    pub transaction_id: String,
    /// Our refund number, the idempotency key.
    pub out_refund_no: String,
    /// Shown to the payer (at most 80 characters; longer text is cut).
    pub reason: Option<String>,
    /// Amount to refund.
    pub refund: Money,
    /// The payment's total.
    pub total: Money,
    /// Where WeChat Pay sends the result, when configured.
    pub notify_url: Option<String>,
}

impl RefundRequest {
    /// The exact JSON body sent (and signed).
    pub fn body(&self) -> String {
        let mut v = json!({
            "transaction_id": self.transaction_id,
            "out_refund_no": self.out_refund_no,
            "amount": {"refund": self.refund.fen(), "total": self.total.fen(), "currency": "CNY"},
        });
        if let Some(r) = self.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            v["reason"] = json!(r.chars().take(80).collect::<String>());
        }
        if let Some(u) = &self.notify_url {
            v["notify_url"] = json!(u);
        }
        v.to_string()
    }
}

/// A refund's status as WeChat Pay reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundStatus {
    /// The money is back.
    Success,
    /// Closed without paying (a new attempt needs a new number).
    Closed,
    /// Accepted, still in progress: poll.
    Processing,
    /// The payer's account is abnormal; the money is parked: a human must act.
    Abnormal,
    /// A value this client does not know (kept, treated as still in progress).
    #[serde(untagged)]
    Other(String),
}

impl RefundStatus {
    fn parse(s: &str) -> RefundStatus {
        match s {
            "SUCCESS" => RefundStatus::Success,
            "CLOSED" | "CLOSE" => RefundStatus::Closed,
            "PROCESSING" => RefundStatus::Processing,
            "ABNORMAL" => RefundStatus::Abnormal,
            other => RefundStatus::Other(other.to_string()),
        }
    }

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            RefundStatus::Success => "SUCCESS",
            RefundStatus::Closed => "CLOSED",
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Abnormal => "ABNORMAL",
            RefundStatus::Other(s) => s,
        }
    }
}

/// The Refund object of a verified create or query answer (or a notification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundInfo {
    /// WeChat's refund id.
    pub refund_id: Option<String>,
    /// Our number, echoed.
    pub out_refund_no: String,
    /// The payment.
    pub transaction_id: Option<String>,
    /// Where it stands.
    pub status: RefundStatus,
    /// When it succeeded (RFC 3339 as sent).
    pub success_time: Option<String>,
    /// Where the money went ("支付用户零钱" …).
    pub user_received_account: Option<String>,
    /// `amount.refund`.
    pub refund: Option<Money>,
    /// `amount.total`.
    pub total: Option<Money>,
}

impl RefundInfo {
    fn from_json(v: &Value, fallback_no: &str) -> RefundInfo {
        let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let status = v
            .get("status")
            .or_else(|| v.get("refund_status"))
            .and_then(Value::as_str)
            .map_or(RefundStatus::Other(String::new()), RefundStatus::parse);
        let fen = |k: &str| v.pointer(&format!("/amount/{k}")).and_then(Value::as_i64).map(Money::from_fen);
        RefundInfo {
            refund_id: s("refund_id"),
            out_refund_no: s("out_refund_no").unwrap_or_else(|| fallback_no.to_string()),
            transaction_id: s("transaction_id"),
            status,
            success_time: s("success_time"),
            user_received_account: s("user_received_account"),
            refund: fen("refund"),
            total: fen("total"),
        }
    }

    /// One line for the audit log and the operator.
    pub fn summary(&self) -> String {
        let mut out = self.status.as_str().to_string();
        if let Some(id) = &self.refund_id {
            out.push_str(&format!(" refund_id={id}"));
        }
        if let Some(r) = self.refund {
            out.push_str(&format!(" amount={r}"));
        }
        if let Some(a) = &self.user_received_account {
            out.push_str(&format!(" to {a}"));
        }
        out
    }
}

/// How the caller should treat a failure (§5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// The outcome is unknown (timeout, 5xx, 429, unverified answer): query by
    /// `out_refund_no` first, then retry with the same number and parameters.
    Unknown,
    /// The merchant balance is short (`NOT_ENOUGH`): alert, wait, retry later with the same number.
    Funds,
    /// Not found (`RESOURCE_NOT_EXISTS`): on a query, no refund exists under the number.
    NotFound,
    /// Refused for good (`USER_ACCOUNT_ABNORMAL`, `NO_AUTH`, `INVALID_REQUEST`,
    /// `PARAM_ERROR` …): not retryable, a human decides.
    Refused,
    /// Our side is misconfigured (`SIGN_ERROR`, `MCH_NOT_EXISTS`, a bad key): stop and fix.
    Config,
}

/// Why a call did not produce a verified answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WxpayError {
    /// No answer (timeout, connection refused, reset) or a gateway page.
    #[error("no answer from WeChat Pay: {0}")]
    Transport(String),
    /// A 2xx answer that could not be verified as WeChat Pay's.
    #[error("WeChat Pay answer {status} not accepted: {reason}")]
    Unverified {
        /// HTTP status.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
    /// An error answer `{code, message}`.
    #[error("WeChat Pay {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Error code (`NOT_ENOUGH`, `SYSTEM_ERROR` …; `HTTP_<status>` when the body had none).
        code: String,
        /// The message.
        message: String,
    },
    /// Local configuration (keys, secrets).
    #[error("wxpay: {0}")]
    Config(String),
}

impl WxpayError {
    /// How to treat it.
    pub fn disposition(&self) -> Disposition {
        match self {
            WxpayError::Transport(_) | WxpayError::Unverified { .. } => Disposition::Unknown,
            WxpayError::Config(_) => Disposition::Config,
            WxpayError::Api { status, code, .. } => match (code.as_str(), *status) {
                ("NOT_ENOUGH", _) => Disposition::Funds,
                ("RESOURCE_NOT_EXISTS", _) => Disposition::NotFound,
                ("SIGN_ERROR", _) | ("MCH_NOT_EXISTS", _) => Disposition::Config,
                ("FREQUENCY_LIMITED", _) | ("SYSTEM_ERROR", _) => Disposition::Unknown,
                (_, s) if s == 429 || s >= 500 => Disposition::Unknown,
                (_, 401) => Disposition::Config,
                _ => Disposition::Refused,
            },
        }
    }

    /// The error class recorded on a failed refund (`NOT_ENOUGH`, `timeout`, `unverified` …).
    pub fn class(&self) -> String {
        match self {
            WxpayError::Transport(m) if m.contains("timed out") => "timeout".to_string(),
            WxpayError::Transport(_) => "network".to_string(),
            WxpayError::Unverified { .. } => "unverified".to_string(),
            WxpayError::Config(_) => "config".to_string(),
            WxpayError::Api { code, .. } => code.clone(),
        }
    }

    /// Whether this is a rate limit (`429 FREQUENCY_LIMITED`): back off before the next call.
    pub fn is_rate_limit(&self) -> bool {
        matches!(self, WxpayError::Api { status: 429, .. })
            || matches!(self, WxpayError::Api { code, .. } if code == "FREQUENCY_LIMITED")
    }
}

/// Why a notification was refused (answer 4xx/5xx so WeChat Pay redelivers or gives up).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// Signature headers missing, wrong serial, stale, or the signature does not verify.
    #[error("notification signature: {0}")]
    Signature(String),
    /// The envelope or resource is not what §5.5 describes.
    #[error("notification body: {0}")]
    Body(String),
    /// Decryption failed (wrong APIv3 key, tampered resource).
    #[error("notification resource: {0}")]
    Decrypt(String),
}

/// A verified, decrypted refund-result notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundNotice {
    /// `id` of the event.
    pub event_id: String,
    /// `REFUND.SUCCESS`, `REFUND.CLOSED`, `REFUND.ABNORMAL`.
    pub event_type: String,
    /// The refund as the resource describes it.
    pub refund: RefundInfo,
}

/// A WeChat Pay v3 client for one merchant.
pub struct WxpayClient {
    http: reqwest::Client,
    base_url: String,
    mch_id: String,
    serial_no: String,
    key: RsaPrivateKey,
    platform_key: RsaPublicKey,
    platform_key_id: String,
    api_v3_key: SecretString,
    notify_url: Option<String>,
    nonces: std::sync::Mutex<rand_chacha::ChaCha20Rng>,
}

impl std::fmt::Debug for WxpayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxpayClient").field("base_url", &self.base_url).field("mch_id", &self.mch_id).finish()
    }
}

/// The parts of a client, resolved (tests build one from sim keys).
pub struct WxpayParts {
    /// API base URL.
    pub base_url: String,
    /// Merchant number.
    pub mch_id: String,
    /// Merchant certificate serial.
    pub serial_no: String,
    /// Merchant private key.
    pub key: RsaPrivateKey,
    /// WeChat Pay public key.
    pub platform_key: RsaPublicKey,
    /// Its id, matched against `Wechatpay-Serial`.
    pub platform_key_id: String,
    /// APIv3 key (32 bytes) for notifications.
    pub api_v3_key: SecretString,
    /// Notification URL, if any.
    pub notify_url: Option<String>,
    /// Request timeout.
    pub timeout: Duration,
}

impl WxpayClient {
    /// A client from `[wxpay]`: reads the keys and the APIv3 key now (errors name the field).
    pub fn from_settings(s: &WxpaySettings) -> Result<WxpayClient, WxpayError> {
        let secret = |r: &crate::config::SecretRef| r.resolve().map_err(|e| WxpayError::Config(e.to_string()));
        let key = RsaPrivateKey::from_pem(secret(&s.private_key)?.expose_secret())
            .map_err(|e| WxpayError::Config(format!("{}: {e}", s.private_key.field)))?;
        let platform_key = RsaPublicKey::from_pem(secret(&s.platform_public_key)?.expose_secret())
            .map_err(|e| WxpayError::Config(format!("{}: {e}", s.platform_public_key.field)))?;
        let api_v3_key = secret(&s.api_v3_key)?;
        if api_v3_key.expose_secret().len() != 32 {
            return Err(WxpayError::Config(format!(
                "{}: the APIv3 key must be 32 characters, found {}",
                s.api_v3_key.field,
                api_v3_key.expose_secret().len()
            )));
        }
        WxpayClient::new(WxpayParts {
            base_url: s.base_url.clone(),
            mch_id: s.mch_id.clone(),
            serial_no: s.serial_no.clone(),
            key,
            platform_key,
            platform_key_id: s.platform_public_key_id.clone(),
            api_v3_key,
            notify_url: s.notify_url.clone(),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// A client from resolved parts.
    pub fn new(p: WxpayParts) -> Result<WxpayClient, WxpayError> {
        let http = reqwest::Client::builder()
            .timeout(p.timeout)
            .connect_timeout(p.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| WxpayError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(WxpayClient {
            http,
            base_url: p.base_url.trim_end_matches('/').to_string(),
            mch_id: p.mch_id,
            serial_no: p.serial_no,
            key: p.key,
            platform_key: p.platform_key,
            platform_key_id: p.platform_key_id,
            api_v3_key: p.api_v3_key,
            notify_url: p.notify_url,
            nonces: std::sync::Mutex::new(rand_chacha::ChaCha20Rng::from_rng(&mut rand::rng())),
        })
    }

    /// The configured notification URL.
    pub fn notify_url(&self) -> Option<&str> {
        self.notify_url.as_deref()
    }

    fn nonce(&self) -> String {
        let mut rng = self.nonces.lock().unwrap_or_else(|e| e.into_inner());
        crate::crypto::nonce_str(&mut *rng, 32)
    }

    /// Asks for a refund. `Ok` only with a verified answer.
    pub async fn create_refund(&self, req: &RefundRequest) -> Result<RefundInfo, WxpayError> {
        let body = req.body();
        let v = self.call("POST", REFUNDS_PATH, body).await?;
        Ok(RefundInfo::from_json(&v, &req.out_refund_no))
    }

    /// Looks a refund up by our number. A missing refund is
    /// `Err(Api { code: "RESOURCE_NOT_EXISTS", .. })` ([`Disposition::NotFound`]).
    pub async fn query_refund(&self, out_refund_no: &str) -> Result<RefundInfo, WxpayError> {
        let path = format!("{REFUNDS_PATH}/{}", crate::sim::http::percent_encode(out_refund_no));
        let v = self.call("GET", &path, String::new()).await?;
        Ok(RefundInfo::from_json(&v, out_refund_no))
    }

    async fn call(&self, method: &str, path: &str, body: String) -> Result<Value, WxpayError> {
        let ts = Timestamp::now().as_second();
        let nonce = self.nonce();
        let auth = WxpayAuthorization::sign(&self.key, &self.mch_id, &self.serial_no, method, path, ts, &nonce, &body)
            .map_err(|e| WxpayError::Config(format!("signing failed: {e}")))?;
        let url = format!("{}{path}", self.base_url);
        let builder = match method {
            "POST" => self.http.post(&url).header("Content-Type", "application/json").body(body),
            _ => self.http.get(&url),
        };
        let resp = builder
            .header("Authorization", auth.to_header())
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT)
            .send()
            .await
            .map_err(|e| WxpayError::Transport(describe_transport(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(|e| WxpayError::Transport(describe_transport(&e)))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            self.verify_answer(&headers, &text, Timestamp::now().as_second())
                .map_err(|reason| WxpayError::Unverified { status, reason })?;
            return serde_json::from_str(&text)
                .map_err(|e| WxpayError::Unverified { status, reason: format!("signed body is not JSON: {e}") });
        }
        let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = err.get("code").and_then(Value::as_str).filter(|c| !c.is_empty());
        match code {
            Some(code) => Err(WxpayError::Api {
                status,
                code: code.to_string(),
                message: err.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
            }),
            None if status >= 500 || status == 429 => {
                Err(WxpayError::Transport(format!("HTTP {status} without a WeChat Pay error body")))
            }
            None => Err(WxpayError::Api { status, code: format!("HTTP_{status}"), message: truncate(&text, 200) }),
        }
    }

    /// Checks `Wechatpay-*` headers over `body` at wall-clock second `now`.
    pub fn verify_answer(&self, headers: &HeaderMap, body: &str, now: i64) -> Result<(), String> {
        let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let (Some(ts), Some(nonce), Some(sig), Some(serial)) =
            (h("Wechatpay-Timestamp"), h("Wechatpay-Nonce"), h("Wechatpay-Signature"), h("Wechatpay-Serial"))
        else {
            return Err("the answer carries no Wechatpay signature headers".to_string());
        };
        if serial != self.platform_key_id {
            return Err(format!("Wechatpay-Serial {serial} is not the configured platform_public_key_id"));
        }
        let t: i64 = ts.parse().map_err(|_| format!("Wechatpay-Timestamp `{ts}` is not a number"))?;
        if (now - t).abs() > MAX_SKEW_SECS {
            return Err(format!("Wechatpay-Timestamp is {}s away from our clock (limit {MAX_SKEW_SECS}s)", now - t));
        }
        let message = wxpay_response_message(ts, nonce, body);
        if sig.starts_with("WECHATPAY/SIGNTEST/") || !self.platform_key.verify_sha256_base64(message.as_bytes(), sig) {
            return Err("Wechatpay-Signature does not verify against the WeChat Pay public key".to_string());
        }
        Ok(())
    }

    /// Verifies and decrypts a refund-result notification (headers and the raw body).
    pub fn read_notification(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<RefundNotice, NotifyError> {
        let text = std::str::from_utf8(body).map_err(|_| NotifyError::Body("not UTF-8".into()))?;
        self.verify_answer(headers, text, now).map_err(NotifyError::Signature)?;
        let v: Value = serde_json::from_str(text).map_err(|e| NotifyError::Body(format!("not JSON: {e}")))?;
        let field = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
        let algorithm = field("/resource/algorithm");
        if algorithm != "AEAD_AES_256_GCM" {
            return Err(NotifyError::Body(format!("resource.algorithm `{algorithm}` is not AEAD_AES_256_GCM")));
        }
        let nonce = field("/resource/nonce");
        let plain = aes_256_gcm_decrypt(
            self.api_v3_key.expose_secret().as_bytes(),
            nonce.as_bytes(),
            field("/resource/associated_data").as_bytes(),
            &field("/resource/ciphertext"),
        )
        .map_err(|e| NotifyError::Decrypt(e.to_string()))?;
        let resource: Value =
            serde_json::from_slice(&plain).map_err(|e| NotifyError::Body(format!("resource is not JSON: {e}")))?;
        if let Some(m) = resource.get("mchid").and_then(Value::as_str)
            && m != self.mch_id
        {
            return Err(NotifyError::Body(format!("resource.mchid {m} is not this merchant")));
        }
        let refund = RefundInfo::from_json(&resource, "");
        if refund.out_refund_no.is_empty() {
            return Err(NotifyError::Body("resource.out_refund_no is missing".into()));
        }
        Ok(RefundNotice { event_id: field("/id"), event_type: field("/event_type"), refund })
    }
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        // reqwest errors carry the URL; ours has no secret in it, but keep it short.
        truncate(&e.to_string(), 200)
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_has_only_documented_fields() {
        let r = RefundRequest {
            transaction_id: "4200".into(),
            out_refund_no: "CD1".into(),
            reason: Some("押金退还".repeat(30)),
            refund: Money::from_fen(3900),
            total: Money::from_fen(3900),
            notify_url: None,
        };
        let v: Value = serde_json::from_str(&r.body()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["amount", "out_refund_no", "reason", "transaction_id"]);
        assert_eq!(v["reason"].as_str().unwrap().chars().count(), 80);
        assert_eq!(v["amount"], json!({"refund": 3900, "total": 3900, "currency": "CNY"}));
    }

    #[test]
    fn errors_map_as_the_reference_table_says() {
        let api = |status: u16, code: &str| WxpayError::Api { status, code: code.into(), message: String::new() };
        assert_eq!(api(403, "NOT_ENOUGH").disposition(), Disposition::Funds);
        assert_eq!(api(403, "USER_ACCOUNT_ABNORMAL").disposition(), Disposition::Refused);
        assert_eq!(api(403, "NO_AUTH").disposition(), Disposition::Refused);
        assert_eq!(api(400, "INVALID_REQUEST").disposition(), Disposition::Refused);
        assert_eq!(api(400, "PARAM_ERROR").disposition(), Disposition::Refused);
        assert_eq!(api(401, "SIGN_ERROR").disposition(), Disposition::Config);
        assert_eq!(api(404, "MCH_NOT_EXISTS").disposition(), Disposition::Config);
        assert_eq!(api(404, "RESOURCE_NOT_EXISTS").disposition(), Disposition::NotFound);
        assert_eq!(api(429, "FREQUENCY_LIMITED").disposition(), Disposition::Unknown);
        assert_eq!(api(500, "SYSTEM_ERROR").disposition(), Disposition::Unknown);
        assert_eq!(api(503, "HTTP_503").disposition(), Disposition::Unknown);
        assert!(api(429, "FREQUENCY_LIMITED").is_rate_limit());
        assert_eq!(WxpayError::Transport("the request timed out".into()).class(), "timeout");
        assert_eq!(WxpayError::Unverified { status: 200, reason: "x".into() }.disposition(), Disposition::Unknown);
    }

    #[test]
    fn statuses_parse_with_the_closed_variant_spelling() {
        assert_eq!(RefundStatus::parse("CLOSE"), RefundStatus::Closed);
        assert_eq!(RefundStatus::parse("SUCCESS"), RefundStatus::Success);
        assert_eq!(RefundStatus::parse("NEW").as_str(), "NEW");
    }
}
