//! Removing secrets from a request before it is archived: query parameters such
//! as `access_token`, `corpsecret` or a robot `key`, user:password in URLs,
//! `Authorization`/`Cookie` headers, and secret-looking keys in JSON bodies.
//! Pure functions; what was removed is named (never its value).

use reqwest::Url;

/// Query parameter and JSON key names whose values are secrets (compared
/// case-insensitively, `-` and `_` alike).
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "accesstoken",
    "corpsecret",
    "secret",
    "key",
    "token",
    "zsxq_access_token",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "api_v3_key",
    "private_key",
    "sign",
    "signature",
    "suite_access_token",
    "provider_access_token",
    "refresh_token",
];

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] =
    &["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "x-token"];

fn normalised(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// Whether a query parameter or JSON key of this name holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let n = normalised(name);
    SECRET_NAMES.contains(&n.as_str()) || n.ends_with("_token") || n.ends_with("_secret") || n.ends_with("secret")
}

/// Whether a header of this name holds a secret.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str())
}

/// A URL with its secret parameters and credentials removed, and the names of
/// what was removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedactedUrl {
    /// The URL as it may be stored.
    pub url: String,
    /// Names of removed parts (`access_token`, `userinfo`, …).
    pub removed: Vec<String>,
}

/// Removes secret query parameters, the fragment and any `user:password@`.
///
/// A string that does not parse as a URL keeps only what precedes `?`/`#`
/// (and loses any userinfo), so nothing unparsed can leak.
pub fn redact_url(raw: &str) -> RedactedUrl {
    let mut removed = Vec::new();
    let Ok(mut url) = Url::parse(raw) else {
        let cut = raw.find(['?', '#']).unwrap_or(raw.len());
        let mut base = raw[..cut].to_string();
        if cut < raw.len() {
            removed.push("query".to_string());
        }
        if let Some(at) = base.find('@') {
            let scheme_end = base.find("://").map_or(0, |i| i + 3);
            if at > scheme_end {
                base.replace_range(scheme_end..=at, "");
                removed.push("userinfo".to_string());
            }
        }
        return RedactedUrl { url: base, removed };
    };
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        removed.push("userinfo".to_string());
    }
    if url.fragment().is_some() {
        url.set_fragment(None);
        removed.push("fragment".to_string());
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let kept: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(k, _)| {
                let secret = is_secret_name(k);
                if secret && !removed.contains(k) {
                    removed.push(k.clone());
                }
                !secret
            })
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else if kept.len() != pairs.len() {
            let mut ser = url.query_pairs_mut();
            ser.clear();
            for (k, v) in kept {
                ser.append_pair(k, v);
            }
        }
    }
    RedactedUrl { url: url.to_string(), removed }
}

/// Headers without the secret ones; returns the kept headers and the removed names.
pub fn redact_headers(headers: &[(String, String)]) -> (Vec<(String, String)>, Vec<String>) {
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for (name, value) in headers {
        if is_secret_header(name) {
            removed.push(name.to_ascii_lowercase());
        } else {
            kept.push((name.clone(), value.clone()));
        }
    }
    (kept, removed)
}

/// A request body with secret JSON keys replaced by `"[removed]"`; a body that is
/// not JSON is kept only when it contains no `name=` pair with a secret name.
pub fn redact_body(body: &str) -> (Option<String>, Vec<String>) {
    let mut removed = Vec::new();
    if let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) {
        scrub(&mut value, &mut removed);
        return (Some(value.to_string()), removed);
    }
    // Form-encoded or other text: drop it entirely if any secret-named pair is present.
    let has_secret =
        body.split(['&', '\n', ';']).any(|pair| pair.split_once('=').is_some_and(|(k, _)| is_secret_name(k)));
    if has_secret {
        removed.push("body".to_string());
        (None, removed)
    } else {
        (Some(body.to_string()), removed)
    }
}

fn scrub(value: &mut serde_json::Value, removed: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_name(k) && !v.is_null() {
                    if !removed.contains(k) {
                        removed.push(k.clone());
                    }
                    *v = serde_json::Value::String("[removed]".to_string());
                } else {
                    scrub(v, removed);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, removed)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wecom_token_and_secret_leave_the_url() {
        let r = redact_url(
            "https://qyapi.weixin.qq.com/cgi-bin/externalpay/get_bill_list?access_token=TOKEN_FAKE_01&debug=1",
        );
        assert_eq!(r.url, "https://qyapi.weixin.qq.com/cgi-bin/externalpay/get_bill_list?debug=1");
        assert_eq!(r.removed, vec!["access_token"]);

        let r = redact_url("https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww01&corpsecret=S3CR3T");
        assert_eq!(r.url, "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww01");
        assert!(!r.url.contains("S3CR3T"));

        let r = redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOTKEY");
        assert_eq!(r.url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
        assert_eq!(r.removed, vec!["key"]);
    }

    #[test]
    fn zsxq_query_keeps_its_cursor_encoding() {
        let r = redact_url(
            "https://api.zsxq.com/v2/groups/1/checkins/2/topics?count=20&end_time=2025-12-09T22%3A54%3A37.399%2B0800",
        );
        assert!(r.removed.is_empty());
        assert!(r.url.ends_with("end_time=2025-12-09T22%3A54%3A37.399%2B0800"), "{}", r.url);
    }

    #[test]
    fn userinfo_fragments_and_unparsable_urls() {
        let r = redact_url("https://user:pw@example.com/a?x=1#frag");
        assert_eq!(r.url, "https://example.com/a?x=1");
        assert_eq!(r.removed, vec!["userinfo", "fragment"]);
        let r = redact_url("not a url?access_token=abc");
        assert_eq!(r.url, "not a url");
        assert!(!r.url.contains("abc"));
    }

    #[test]
    fn secret_headers_and_body_keys() {
        let (kept, removed) = redact_headers(&[
            ("Authorization".into(), "ABCD-TOKEN".into()),
            ("Cookie".into(), "zsxq_access_token=ABCD".into()),
            ("x-request-id".into(), "uuid".into()),
        ]);
        assert_eq!(kept, vec![("x-request-id".to_string(), "uuid".to_string())]);
        assert_eq!(removed, vec!["authorization", "cookie"]);

        let (body, removed) = redact_body(r#"{"begin_time":1,"nested":{"corpsecret":"S"},"limit":1000}"#);
        let body = body.unwrap();
        assert!(!body.contains("\"S\""), "{body}");
        assert!(body.contains("\"limit\":1000"));
        assert_eq!(removed, vec!["corpsecret"]);

        let (body, removed) = redact_body("grant=1&client_secret=xyz");
        assert_eq!(body, None);
        assert_eq!(removed, vec!["body"]);
    }

    proptest::proptest! {
        /// Whatever the secret value and wherever the parameter sits, it never survives.
        #[test]
        fn secret_values_never_survive(
            value in "[A-Za-z0-9_%+=-]{6,40}",
            name in proptest::sample::select(vec!["access_token", "corpsecret", "key", "token", "ACCESS_TOKEN", "client_secret"]),
            before in proptest::option::of("[a-z]{1,5}=[0-9]{1,4}"),
            after in proptest::option::of("[a-z]{1,5}=[0-9]{1,4}"),
        ) {
            let mut parts: Vec<String> = Vec::new();
            parts.extend(before);
            parts.push(format!("{name}={value}"));
            parts.extend(after);
            let url = format!("https://qyapi.weixin.qq.com/cgi-bin/x?{}", parts.join("&"));
            let r = redact_url(&url);
            proptest::prop_assert!(!r.url.contains(&value), "{} kept {}", r.url, value);
            let param = format!("{}=", name.to_ascii_lowercase());
            proptest::prop_assert!(!r.url.to_ascii_lowercase().contains(&param), "{} kept the parameter", r.url);
            proptest::prop_assert_eq!(r.removed, vec![name.to_string()]);
        }
    }
}
