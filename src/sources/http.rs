//! HTTP plumbing shared by the platform adapters: one reqwest client per platform
//! (rustls, a timeout on every call), responses captured with their timing,
//! transport failures classified, and one log line per request whose URL has its
//! secrets removed. Secrets never reach a log line or an error message: URLs are
//! redacted with [`redact_url`] and reqwest errors lose their URL.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use reqwest::header::HeaderMap;

use super::meter::SyncMeter;
use super::retry::Failure;
use crate::records::redact::redact_url;

/// Timeouts of every platform call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// Longest a whole call (connect, send, read the body) may take.
    pub timeout: Duration,
    /// Longest the connection may take to open.
    pub connect_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings { timeout: Duration::from_secs(30), connect_timeout: Duration::from_secs(10) }
    }
}

/// Builds the client for a platform at `base_url` (rustls; no proxy for loopback addresses).
pub fn client(base_url: &str, settings: &HttpSettings) -> Result<reqwest::Client, Failure> {
    let mut builder = reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .pool_max_idle_per_host(2);
    if is_loopback(base_url) {
        builder = builder.no_proxy();
    }
    builder.build().map_err(|e| Failure::internal(format!("cannot build the HTTP client: {}", e.without_url())))
}

fn is_loopback(base_url: &str) -> bool {
    reqwest::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_string)).is_some_and(|h| {
        h == "localhost" || h == "[::1]" || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    })
}

/// A response, read to the end.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Content type, when sent.
    pub content_type: Option<String>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// When the answer arrived.
    pub fetched_at: Timestamp,
    /// How long the call took.
    pub elapsed: Duration,
}

impl HttpResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first `n` characters of the body as text (for error messages about gateway pages).
    pub fn snippet(&self, n: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        one_line.chars().take(n).collect()
    }
}

/// Sends `request` and reads the whole body. `platform` and `url` (redacted here) are
/// for the log line; the time spent waiting is added to `meter`.
pub async fn send(
    platform: &'static str,
    url: &str,
    request: reqwest::RequestBuilder,
    meter: &SyncMeter,
) -> Result<HttpResponse, Failure> {
    let shown = redact_url(url).url;
    let started = Instant::now();
    let result = async {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, headers, body))
    }
    .await;
    let elapsed = started.elapsed();
    meter.add_network(elapsed);
    match result {
        Ok((status, headers, body)) => {
            tracing::debug!(platform, url = %shown, status, bytes = body.len(), ms = elapsed.as_millis() as u64, "request");
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
            Ok(HttpResponse {
                status,
                headers,
                content_type,
                body: body.to_vec(),
                fetched_at: Timestamp::now(),
                elapsed,
            })
        }
        Err(e) => {
            let reason = transport_reason(&e);
            tracing::warn!(platform, url = %shown, ms = elapsed.as_millis() as u64, reason = %reason, "request failed");
            Err(Failure::retryable(format!("{platform}: {reason}")))
        }
    }
}

/// A transport error in words, without the URL (it may carry a token).
pub fn transport_reason(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    };
    let mut detail = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !detail.contains(&text) {
            detail.push(text);
        }
        source = s.source();
    }
    // The chain of a reqwest error names hyper/io causes, never the URL; still keep it short.
    let detail = detail.join(": ");
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({})", detail.chars().take(160).collect::<String>())
    }
}

/// Percent-encodes a query value: everything but `A–Z a–z 0–9 - _ . ~` (so `:` → `%3A`
/// and `+` → `%2B`, as zsxq times need).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A base URL without its trailing slashes.
pub fn trim_base(base_url: &str) -> String {
    base_url.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zsxq_times_are_encoded_as_the_app_does() {
        assert_eq!(percent_encode("2025-12-09T22:54:37.399+0800"), "2025-12-09T22%3A54%3A37.399%2B0800");
        assert_eq!(percent_encode("a b/ü"), "a%20b%2F%C3%BC");
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:4000"));
        assert!(is_loopback("http://localhost:1/x"));
        assert!(!is_loopback("https://api.zsxq.com"));
        assert!(!is_loopback("not a url"));
    }

    proptest! {
        #[test]
        fn encoding_round_trips_through_url_decoding(s in "\\PC{0,40}") {
            let encoded = percent_encode(&s);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
            let url = reqwest::Url::parse(&format!("http://h/p?v={encoded}")).unwrap();
            let decoded: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            prop_assert_eq!(decoded, vec![("v".to_string(), s)]);
        }
    }
}
