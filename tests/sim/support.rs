//! Helpers shared by the simulator tests: starting a sim, and small raw HTTP clients that speak
//! each platform's wire format the way a real client would.

use std::sync::{Arc, OnceLock};

use campdesk::crypto::{WxpayAuthorization, nonce_str, zsxq_signature};
use campdesk::domain::Day;
use campdesk::sim::http::percent_encode;
use campdesk::sim::{ClockMode, Sim, SimHandle, SimKeys, SimOptions};
use rand::SeedableRng;
use regex::Regex;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// One set of test keys for the whole test binary (RSA generation is the slow part of a start).
pub fn keys() -> Arc<SimKeys> {
    static KEYS: OnceLock<Arc<SimKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SimKeys::generate().unwrap())).clone()
}

/// The fixed anchor day of test communities.
pub fn anchor() -> Day {
    Day::new(2025, 11, 20).unwrap()
}

/// Options for a manual-clock sim with a fixed anchor.
pub fn options(seed: u64, members: usize) -> SimOptions {
    SimOptions {
        seed,
        members,
        anchor: Some(anchor()),
        clock: ClockMode::Manual,
        keys: Some(keys()),
        tick: std::time::Duration::from_millis(20),
        ..SimOptions::default()
    }
}

/// Starts a manual-clock sim with a fixed anchor.
pub async fn start(seed: u64, members: usize) -> SimHandle {
    Sim::start(options(seed, members)).await.unwrap()
}

/// An HTTP client that never uses a proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Asserts the zsxq time shape `YYYY-MM-DDTHH:MM:SS.mmm+0800`.
pub fn assert_zsxq_time(v: &Value) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0800$").unwrap());
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(re.is_match(s), "not a zsxq time: {s}");
}

/// A zsxq answer.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

/// A zsxq client with the cookie token.
pub struct Zsxq {
    pub client: reqwest::Client,
    pub base: String,
    pub group_id: u64,
    pub token: String,
}

impl Zsxq {
    pub fn new(sim: &SimHandle) -> Zsxq {
        Zsxq {
            client: client(),
            base: sim.urls().zsxq.clone(),
            group_id: sim.setup().group_id,
            token: sim.secrets().zsxq_token.clone(),
        }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}/v2/groups/{}{}", self.base, self.group_id, path_and_query)
    }

    /// GET with the cookie.
    pub async fn get(&self, path_and_query: &str) -> Answer {
        let req =
            self.client.get(self.url(path_and_query)).header("cookie", format!("zsxq_access_token={}", self.token));
        answer(req).await
    }

    /// GET with the `authorization` header and a correct (or wrong) signature.
    pub async fn get_signed(&self, path_and_query: &str, corrupt: bool) -> Answer {
        let url = self.url(path_and_query);
        let ts = "1765355219";
        let id = "5b0c7e52-8a8a-4d7b-9a47-0b8f4a9c1d2e";
        let mut sig = zsxq_signature(&url, ts, id);
        if corrupt {
            sig = zsxq_signature(&format!("{url}&x=1"), ts, id);
        }
        let req = self
            .client
            .get(&url)
            .header("authorization", &self.token)
            .header("x-timestamp", ts)
            .header("x-request-id", id)
            .header("x-signature", sig)
            .header("x-version", "2.83.0");
        answer(req).await
    }

    /// Every topic of a project, walking the inclusive `end_time` cursor and deduplicating.
    pub async fn all_topics(&self, checkin_id: &str) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut end: Option<String> = None;
        loop {
            let q = match &end {
                Some(t) => format!("/checkins/{checkin_id}/topics?count=20&end_time={}", percent_encode(t)),
                None => format!("/checkins/{checkin_id}/topics?count=20"),
            };
            let a = self.get(&q).await;
            assert_eq!(a.body["succeeded"], true, "{}", a.text);
            let page = a.body["resp_data"]["topics"].as_array().unwrap().clone();
            let fresh: Vec<Value> =
                page.iter().filter(|t| seen.insert(t["topic_id"].as_u64().unwrap())).cloned().collect();
            if page.len() < 20 || fresh.is_empty() {
                out.extend(fresh);
                return out;
            }
            end = page.last().map(|t| t["create_time"].as_str().unwrap().to_string());
            out.extend(fresh);
        }
    }

    /// Every ranking row (type accumulated), page by page.
    pub async fn all_ranking(&self, checkin_id: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut index = 0;
        loop {
            let a = self.get(&format!("/checkins/{checkin_id}/ranking_list?type=accumulated&index={index}")).await;
            assert_eq!(a.body["succeeded"], true, "{}", a.text);
            let page = a.body["resp_data"]["ranking_list"].as_array().unwrap().clone();
            let n = page.len();
            if let Some(last) = page.last() {
                index = last["rankings"].as_u64().unwrap();
            }
            out.extend(page);
            if n < 21 {
                return out;
            }
        }
    }
}

async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

/// A WeCom client.
pub struct Wecom {
    pub client: reqwest::Client,
    pub base: String,
    pub corp_id: String,
    pub secret: String,
}

impl Wecom {
    pub fn new(sim: &SimHandle) -> Wecom {
        Wecom {
            client: client(),
            base: sim.urls().wecom.clone(),
            corp_id: sim.setup().corp_id.clone(),
            secret: sim.secrets().wecom_secret.clone(),
        }
    }

    pub async fn get(&self, path_and_query: &str) -> Answer {
        answer(self.client.get(format!("{}{path_and_query}", self.base))).await
    }

    pub async fn post(&self, path_and_query: &str, body: &Value) -> Answer {
        answer(self.client.post(format!("{}{path_and_query}", self.base)).json(body)).await
    }

    pub async fn token(&self) -> String {
        let a = self.get(&format!("/cgi-bin/gettoken?corpid={}&corpsecret={}", self.corp_id, self.secret)).await;
        assert_eq!(a.body["errcode"], 0, "{}", a.text);
        a.body["access_token"].as_str().unwrap().to_string()
    }

    /// Every bill row in `[begin, end]`, following cursors with page size `limit`.
    pub async fn all_bills(&self, token: &str, begin: i64, end: i64, limit: i64) -> (Vec<Value>, usize) {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut body = serde_json::json!({"begin_time": begin, "end_time": end, "limit": limit});
            if let Some(c) = &cursor {
                body["cursor"] = Value::String(c.clone());
            }
            let a = self.post(&format!("/cgi-bin/externalpay/get_bill_list?access_token={token}"), &body).await;
            assert_eq!(a.body["errcode"], 0, "{}", a.text);
            pages += 1;
            rows.extend(a.body["bill_list"].as_array().unwrap().iter().cloned());
            match a.body.get("next_cursor").and_then(Value::as_str) {
                Some(c) if !c.is_empty() => cursor = Some(c.to_string()),
                _ => return (rows, pages),
            }
        }
    }
}

/// A WeChat Pay client signing with the merchant key.
pub struct Wxpay<'a> {
    pub client: reqwest::Client,
    pub base: String,
    pub sim: &'a SimHandle,
}

/// A wxpay answer with its signature checked.
pub struct WxAnswer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// Whether the Wechatpay-* headers are present and the signature verifies.
    pub signature_ok: bool,
}

impl<'a> Wxpay<'a> {
    pub fn new(sim: &'a SimHandle) -> Wxpay<'a> {
        Wxpay { client: client(), base: sim.urls().wxpay.clone(), sim }
    }

    pub fn now_secs() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
    }

    /// Sends a signed request; `tweak` may change the header before it is sent.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        timestamp: i64,
        tweak: impl FnOnce(String) -> String,
    ) -> WxAnswer {
        let body_text = body.map(|b| b.to_string()).unwrap_or_default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(timestamp as u64);
        let nonce = nonce_str(&mut rng, 32);
        let setup = self.sim.setup();
        let auth = WxpayAuthorization::sign(
            &self.sim.keys().merchant,
            &setup.mch_id,
            &setup.merchant_serial_no,
            method,
            path,
            timestamp,
            &nonce,
            &body_text,
        )
        .unwrap();
        let url = format!("{}{path}", self.base);
        let req = match method {
            "POST" => self.client.post(url).header("content-type", "application/json").body(body_text),
            _ => self.client.get(url),
        };
        let req = req
            .header("authorization", tweak(auth.to_header()))
            .header("accept", "application/json")
            .header("user-agent", "campdesk-test/0.1");
        self.finish(req).await
    }

    pub async fn refund(&self, body: &Value) -> WxAnswer {
        self.send("POST", "/v3/refund/domestic/refunds", Some(body), Self::now_secs(), |h| h).await
    }

    pub async fn query(&self, out_refund_no: &str) -> WxAnswer {
        self.send("GET", &format!("/v3/refund/domestic/refunds/{out_refund_no}"), None, Self::now_secs(), |h| h).await
    }

    pub async fn finish(&self, req: reqwest::RequestBuilder) -> WxAnswer {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
        let signature_ok =
            match (h("wechatpay-timestamp"), h("wechatpay-nonce"), h("wechatpay-signature"), h("wechatpay-serial")) {
                (Some(ts), Some(nonce), Some(sig), Some(serial)) => {
                    let msg = campdesk::crypto::wxpay_response_message(&ts, &nonce, &text);
                    serial == self.sim.setup().platform_public_key_id
                        && self.sim.keys().platform_public.verify_sha256_base64(msg.as_bytes(), &sig)
                }
                _ => false,
            };
        WxAnswer { status, headers, body, text, signature_ok }
    }
}
