//! Running the simulators: one listener per platform on 127.0.0.1, the shared world behind a
//! lock, fault injection around every call, a background task that moves the world along the
//! sim clock and delivers WeChat Pay notifications, and the [`SimHandle`] tests drive.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::actions::{Action, ActionError, ActionOutcome};
use super::clock::{ClockError, ClockMode, SimClock};
use super::endpoint::{Endpoint, Platform, route};
use super::faults::{FaultBook, FaultEvent, FaultKind, FaultRule, FaultSpecError, parse_spec};
use super::generate::{Community, GenerateOptions, PlatformSetup, generate};
use super::http::{SimRequest, SimResponse};
use super::setup::{SimKeys, SimSecrets, camps_toml, write_config};
use super::truth::GroundTruth;
use super::world::merchant::Notification;
use super::world::{World, WorldSettings};
use super::{control, wecom, wxpay, zsxq};
use crate::domain::Day;

/// Base URLs of the three simulators (`http://127.0.0.1:PORT`, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimUrls {
    /// Knowledge Planet.
    pub zsxq: String,
    /// WeCom.
    pub wecom: String,
    /// WeChat Pay.
    pub wxpay: String,
}

impl SimUrls {
    /// The URL of `platform`.
    pub fn of(&self, platform: Platform) -> &str {
        match platform {
            Platform::Zsxq => &self.zsxq,
            Platform::Wecom => &self.wecom,
            Platform::Wxpay => &self.wxpay,
        }
    }
}

/// Ports to listen on (0: any free port).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimPorts {
    /// zsxq.
    pub zsxq: u16,
    /// WeCom.
    pub wecom: u16,
    /// WeChat Pay.
    pub wxpay: u16,
}

impl SimPorts {
    /// Three consecutive ports from `first` (`0` stays random).
    pub fn from_first(first: u16) -> SimPorts {
        if first == 0 {
            SimPorts::default()
        } else {
            SimPorts { zsxq: first, wecom: first.saturating_add(1), wxpay: first.saturating_add(2) }
        }
    }
}

/// How to start the simulators.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Seed of the community, ids and faults.
    pub seed: u64,
    /// Persons in the community.
    pub members: usize,
    /// The community's "today" (default: today in Asia/Shanghai).
    pub anchor: Option<Day>,
    /// Full generator options; when set, `seed`, `members` and `anchor` are taken from it.
    pub generate: Option<GenerateOptions>,
    /// Sim time at start (default: the anchor day at 12:00 local; real now when the anchor is today).
    pub start: Option<Timestamp>,
    /// Manual (tests) or real-time (the demo) clock.
    pub clock: ClockMode,
    /// Ports.
    pub ports: SimPorts,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Key pairs to use (default: fresh ones; tests share one set to save time).
    pub keys: Option<Arc<SimKeys>>,
    /// Platform behaviour knobs.
    pub settings: WorldSettings,
    /// Where to write `camps.toml` and `secrets/` (default: a private temp dir removed at shutdown).
    pub config_dir: Option<PathBuf>,
    /// Real time between background passes (world advance, notification delivery).
    pub tick: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            seed: 1,
            members: 200,
            anchor: None,
            generate: None,
            start: None,
            clock: ClockMode::Manual,
            ports: SimPorts::default(),
            faults: Vec::new(),
            keys: None,
            settings: WorldSettings::default(),
            config_dir: None,
            tick: Duration::from_millis(100),
        }
    }
}

/// Why the simulators could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port} for {platform}: {source}")]
    Bind {
        /// The platform.
        platform: Platform,
        /// The port asked for.
        port: u16,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Key generation failed.
    #[error("cannot make test keys: {0}")]
    Keys(#[from] crate::crypto::CryptoError),
    /// A background task failed (a bug).
    #[error("simulator start failed: {0}")]
    Internal(String),
    /// The config folder could not be written.
    #[error("cannot write the simulation config into {path}: {source}")]
    Config {
        /// The folder.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The member export's file name beside the generated `camps.toml`.
pub const MEMBER_EXPORT_FILE: &str = "member_export.xlsx";

/// One request the simulators answered (for tests and `/_sim/requests`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// Sequence number.
    pub n: u64,
    /// Platform.
    pub platform: Platform,
    /// Method.
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Status answered.
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<String>,
}

const REQUEST_LOG_CAP: usize = 10_000;

pub(crate) struct Shared {
    pub(crate) world: Mutex<World>,
    pub(crate) clock: SimClock,
    pub(crate) faults: Mutex<FaultBook>,
    keys: Arc<SimKeys>,
    api_v3_key: Vec<u8>,
    last: Mutex<HashMap<Endpoint, (String, Bytes)>>,
    requests: AtomicU64,
    nonces: Mutex<ChaCha8Rng>,
    pub(crate) log: Mutex<VecDeque<RequestRecord>>,
    pub(crate) truth: Arc<GroundTruth>,
    /// The member export as xlsx (`GET /_sim/member_export.xlsx`).
    pub(crate) member_export: Arc<Vec<u8>>,
    cancel: CancellationToken,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        let mut w = lock(&self.world);
        w.advance(self.clock.now());
        w
    }

    fn nonce(&self) -> String {
        crate::crypto::nonce_str(&mut *lock(&self.nonces), 32)
    }

    fn keys(&self) -> wxpay::WxpayKeys<'_> {
        wxpay::WxpayKeys {
            merchant_public: &self.keys.merchant_public,
            platform_private: &self.keys.platform,
            api_v3_key: &self.api_v3_key,
        }
    }

    async fn sleep(&self, d: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(d) => true,
            _ = self.cancel.cancelled() => false,
        }
    }

    async fn handle(self: &Arc<Self>, platform: Platform, req: SimRequest) -> SimResponse {
        if req.path == "/_sim" || req.path.starts_with("/_sim/") {
            return control::handle(self, &req);
        }
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let Some((endpoint, params)) = route(platform, &req.segments()) else {
            let r = not_found(platform);
            self.record(n, platform, &req, &r, None);
            return r;
        };
        let mut fault = lock(&self.faults).decide(endpoint);
        if let Some(FaultKind::Delay(d)) = fault {
            self.sleep(d).await;
            fault = None;
        }
        if let Some(FaultKind::Timeout(d)) = fault {
            self.sleep(d).await;
            let r = SimResponse::empty(504);
            self.record(n, platform, &req, &r, fault);
            return r;
        }
        let r = self.answer(platform, endpoint, &params, &req, fault, n);
        self.record(n, platform, &req, &r, fault);
        r
    }

    fn answer(
        &self,
        platform: Platform,
        endpoint: Endpoint,
        params: &[String],
        req: &SimRequest,
        fault: Option<FaultKind>,
        n: u64,
    ) -> SimResponse {
        let now = self.clock.now();
        let wall = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let mut world = lock(&self.world);
        world.advance(now);
        let peer = req.peer.to_string();
        match fault {
            Some(FaultKind::Code(code)) => {
                return match platform {
                    Platform::Zsxq => {
                        let r = zsxq::business_error(code, zsxq::error_text(code));
                        match zsxq::authenticate(&world, now, req) {
                            Ok(c) => r.with_header("x-expire-in", c.expire_in.to_string()),
                            Err(_) => r,
                        }
                    }
                    _ => wecom::error(&mut world, code, &peer, None),
                };
            }
            Some(FaultKind::Http(status)) => {
                return match (platform, status) {
                    (Platform::Zsxq, 401) => zsxq::unauthorized(),
                    (Platform::Wxpay, s) => self.request_id(wxpay::http_fault(s), &mut world),
                    (_, s) => gateway_page(s),
                };
            }
            Some(FaultKind::Malformed) => {
                return SimResponse::text(
                    200,
                    "application/json; charset=utf-8",
                    "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
                );
            }
            Some(FaultKind::Truncated) if endpoint.is_write() => {
                let body = match platform {
                    Platform::Wxpay => r#"{"refund_id":"50300000012025"#,
                    _ => r#"{"errcode":0,"errm"#,
                };
                return SimResponse::text(200, "application/json; charset=utf-8", body);
            }
            _ => {}
        }
        let data = match fault {
            Some(FaultKind::Repeat) => match lock(&self.last).get(&endpoint) {
                Some((query, body)) => SimRequest { query: query.clone(), body: body.clone(), ..req.clone() },
                None => req.clone(),
            },
            _ => req.clone(),
        };
        let mut r = match platform {
            Platform::Zsxq => zsxq::handle(&mut world, now, endpoint, params, req, &data, n),
            Platform::Wecom => wecom::handle(&mut world, now, endpoint, req, &data),
            Platform::Wxpay => {
                let keys = self.keys();
                let r = wxpay::handle(&mut world, now, wall, endpoint, params, req, &keys);
                let r = if (200..300).contains(&r.status) {
                    let serial = world.merchant.platform_public_key_id.clone();
                    wxpay::sign_response(r, &keys, &serial, wall, &self.nonce())
                } else {
                    r
                };
                self.request_id(r, &mut world)
            }
        };
        drop(world);
        match fault {
            Some(FaultKind::Lost) => {
                return wxpay::http_fault(500)
                    .with_header("Request-ID", r.header("Request-ID").unwrap_or_default().to_string());
            }
            Some(FaultKind::Missigned) if r.header("Wechatpay-Signature").is_some() => {
                let wrong = self.keys.platform.sign_sha256_base64(b"not this body").unwrap_or_default();
                r.set_header("Wechatpay-Signature", wrong);
            }
            Some(FaultKind::Truncated) => {
                r.body.truncate(r.body.len() / 2);
            }
            None if endpoint.is_paged() && r.status == 200 => {
                lock(&self.last).insert(endpoint, (req.query.clone(), req.body.clone()));
            }
            _ => {}
        }
        r
    }

    fn request_id(&self, r: SimResponse, world: &mut World) -> SimResponse {
        let id = hex::encode_upper(world.mint_alnum(20));
        r.with_header("Request-ID", id)
    }

    fn record(&self, n: u64, platform: Platform, req: &SimRequest, r: &SimResponse, fault: Option<FaultKind>) {
        let mut log = lock(&self.log);
        if log.len() >= REQUEST_LOG_CAP {
            log.pop_front();
        }
        log.push_back(RequestRecord {
            n,
            platform,
            method: req.method.to_string(),
            target: req.path_and_query(),
            status: r.status,
            fault: fault.map(FaultKind::describe),
        });
    }
}

fn not_found(platform: Platform) -> SimResponse {
    match platform {
        Platform::Wxpay => SimResponse::empty(404),
        _ => SimResponse::text(404, "text/html", "<html><body><h1>404 Not Found</h1></body></html>\n"),
    }
}

fn gateway_page(status: u16) -> SimResponse {
    let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    SimResponse::text(
        status,
        "text/html",
        format!(
            "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>\n"
        ),
    )
}

async fn serve(
    State((shared, platform)): State<(Arc<Shared>, Platform)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 4 << 20).await else {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, Vec::new(), Vec::new());
    };
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let sreq = SimRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers,
        body,
        host,
        peer: peer.ip(),
    };
    let r = shared.handle(platform, sreq).await;
    plain(StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), r.headers, r.body)
}

fn plain(status: StatusCode, headers: Vec<(String, String)>, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            resp.headers_mut().append(k, v);
        }
    }
    resp
}

/// Entry point: [`Sim::start`].
pub struct Sim;

impl Sim {
    /// Generates the community, binds the three listeners on 127.0.0.1 and starts serving.
    pub async fn start(options: SimOptions) -> Result<SimHandle, SimError> {
        let rule = crate::sim::clock::shanghai_days();
        let real_now = crate::sim::clock::truncate_to_ms(Timestamp::now());
        let today = rule.day_of(real_now);
        let gen_opts = options
            .generate
            .clone()
            .unwrap_or_else(|| GenerateOptions::new(options.seed, options.members, options.anchor.unwrap_or(today)));
        let community = tokio::task::spawn_blocking(move || generate(&gen_opts))
            .await
            .map_err(|e| SimError::Internal(e.to_string()))?;
        let start =
            options.start.unwrap_or(if community.truth.anchor == today { real_now } else { community.start_time });
        let keys = match &options.keys {
            Some(k) => k.clone(),
            None => Arc::new(
                tokio::task::spawn_blocking(SimKeys::generate)
                    .await
                    .map_err(|e| SimError::Internal(e.to_string()))??,
            ),
        };
        Sim::start_with(community, keys, start, options).await
    }

    /// Starts serving an already generated community.
    pub async fn start_with(
        mut community: Community,
        keys: Arc<SimKeys>,
        start: Timestamp,
        options: SimOptions,
    ) -> Result<SimHandle, SimError> {
        // Bind first: nothing runs and nothing is written unless all three ports are ours.
        let mut listeners = Vec::new();
        for (platform, port) in [
            (Platform::Zsxq, options.ports.zsxq),
            (Platform::Wecom, options.ports.wecom),
            (Platform::Wxpay, options.ports.wxpay),
        ] {
            let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
                .await
                .map_err(|source| SimError::Bind { platform, port, source })?;
            let addr = listener.local_addr().map_err(|source| SimError::Bind { platform, port, source })?;
            listeners.push((platform, listener, addr));
        }
        let urls = SimUrls {
            zsxq: format!("http://{}", listeners[0].2),
            wecom: format!("http://{}", listeners[1].2),
            wxpay: format!("http://{}", listeners[2].2),
        };
        let setup = community.setup.clone();
        let secrets = SimSecrets::new(&setup, &keys)?;
        let config_text = camps_toml(&community, &urls);
        let (dir, temp) = match &options.config_dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("campdesk-sim-")
                    .tempdir()
                    .map_err(|source| SimError::Config { path: std::env::temp_dir().display().to_string(), source })?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let config_path = write_config(&dir, &config_text, &secrets)
            .map_err(|source| SimError::Config { path: dir.display().to_string(), source })?;
        let member_export = community.member_export.to_xlsx().map_err(|e| SimError::Internal(e.to_string()))?;
        let export_path = dir.join(MEMBER_EXPORT_FILE);
        std::fs::write(&export_path, &member_export)
            .map_err(|source| SimError::Config { path: export_path.display().to_string(), source })?;

        let seed = community.truth.seed;
        let settings = options.settings.clone();
        let (world, community) = tokio::task::spawn_blocking(move || {
            let world = community.take_world(settings, seed, start);
            (world, community)
        })
        .await
        .map_err(|e| SimError::Internal(e.to_string()))?;
        let clock = SimClock::new(start, options.clock);
        let mut faults = FaultBook::new(seed);
        faults.add(options.faults.clone());
        let cancel = CancellationToken::new();
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            clock,
            faults: Mutex::new(faults),
            api_v3_key: setup.api_v3_key.as_bytes().to_vec(),
            keys,
            last: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            nonces: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x6e6f_6e63_6573)),
            log: Mutex::new(VecDeque::new()),
            truth: Arc::new(community.truth),
            member_export: Arc::new(member_export),
            cancel: cancel.clone(),
        });
        let mut tasks = Vec::new();
        for (platform, listener, _) in listeners {
            let app = Router::new().fallback(serve).with_state((shared.clone(), platform));
            let token = cancel.clone();
            tasks.push(tokio::spawn(async move {
                let service = app.into_make_service_with_connect_info::<SocketAddr>();
                let _ =
                    axum::serve(listener, service).with_graceful_shutdown(async move { token.cancelled().await }).await;
            }));
        }
        tasks.push(tokio::spawn(background(shared.clone(), options.tick)));
        Ok(SimHandle { shared, urls, config_path, config_text, secrets, setup, cancel, tasks, _temp: temp })
    }
}

/// Moves the world along the clock and delivers due notifications, until cancelled.
async fn background(shared: Arc<Shared>, tick: Duration) {
    let client = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(5)).build().ok();
    loop {
        if !shared.sleep(tick).await {
            return;
        }
        let now = shared.clock.now();
        let due: Vec<Notification> = {
            let mut w = lock(&shared.world);
            w.advance(now);
            w.merchant.due_notifications(now)
        };
        for n in due {
            // Redelivery counts from when the attempt was made (the clock may move meanwhile).
            let now = shared.clock.now();
            let outcome = deliver(&shared, client.as_ref(), &n).await;
            let mut w = lock(&shared.world);
            match outcome {
                Delivery::Answered(status) => {
                    w.merchant.record_attempt(&n.id, now, status == 200 || status == 204, format!("HTTP {status}"))
                }
                Delivery::Failed(e) => w.merchant.record_attempt(&n.id, now, false, e),
                Delivery::Refused(e) => w.merchant.abandon(&n.id, e),
            }
        }
    }
}

enum Delivery {
    Answered(u16),
    Failed(String),
    Refused(String),
}

async fn deliver(shared: &Shared, client: Option<&reqwest::Client>, n: &Notification) -> Delivery {
    let Some(client) = client else { return Delivery::Failed("no HTTP client".into()) };
    let host = n.url.split("://").nth(1).and_then(|r| r.split(['/', '?']).next()).unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        return Delivery::Refused(format!("{host} is not a loopback address; the simulator only notifies 127.0.0.1"));
    }
    let wall = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let serial = lock(&shared.world).merchant.platform_public_key_id.clone();
    let nonce_header = shared.nonce();
    let nonce_gcm: String = shared.nonce().chars().take(12).collect();
    let (body, headers) = wxpay::notification_request(n, &shared.keys(), &serial, wall, &nonce_header, &nonce_gcm);
    let mut req = client.post(&n.url).body(body);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(resp) => Delivery::Answered(resp.status().as_u16()),
        Err(e) => Delivery::Failed(format!("{e}")),
    }
}

/// A running simulation. Dropping it stops the servers (prefer [`shutdown`](Self::shutdown)).
pub struct SimHandle {
    shared: Arc<Shared>,
    urls: SimUrls,
    config_path: PathBuf,
    config_text: String,
    secrets: SimSecrets,
    setup: PlatformSetup,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    _temp: Option<tempfile::TempDir>,
}

impl SimHandle {
    /// Base URLs.
    pub fn urls(&self) -> &SimUrls {
        &self.urls
    }

    /// Path of the generated `camps.toml` (secrets under `secrets/` beside it).
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// The generated `camps.toml` text.
    pub fn config_text(&self) -> &str {
        &self.config_text
    }

    /// The secret values.
    pub fn secrets(&self) -> &SimSecrets {
        &self.secrets
    }

    /// Ids of the simulated platforms (group id, corp id, mch id, staff …).
    pub fn setup(&self) -> &PlatformSetup {
        &self.setup
    }

    /// The key pairs (tests sign requests and verify answers with them).
    pub fn keys(&self) -> &SimKeys {
        &self.shared.keys
    }

    /// The ground truth.
    pub fn truth(&self) -> &GroundTruth {
        &self.shared.truth
    }

    /// Current sim time.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    /// Moves the sim clock forward and applies whatever falls due.
    pub fn advance(&self, by: SignedDuration) -> Result<Timestamp, ClockError> {
        let t = self.shared.clock.advance(by)?;
        drop(self.shared.world());
        Ok(t)
    }

    /// Sets the sim clock (never backwards) and applies whatever falls due.
    pub fn set_now(&self, at: Timestamp) -> Result<Timestamp, ClockError> {
        let t = self.shared.clock.set(at)?;
        drop(self.shared.world());
        Ok(t)
    }

    /// Performs an operator action (or schedules it when its `at` is later).
    pub fn act(&self, action: Action) -> Result<ActionOutcome, ActionError> {
        self.shared.world().act(action)
    }

    /// Reads the world at the current sim time.
    pub fn with_world<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.shared.world())
    }

    /// Adds fault rules.
    pub fn add_faults(&self, rules: impl IntoIterator<Item = FaultRule>) {
        lock(&self.shared.faults).add(rules);
    }

    /// Adds the rules of a fault spec.
    pub fn add_fault_spec(&self, spec: &str) -> Result<(), FaultSpecError> {
        let rules = parse_spec(spec)?;
        self.add_faults(rules);
        Ok(())
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Faults injected so far.
    pub fn fault_log(&self) -> Vec<FaultEvent> {
        lock(&self.shared.faults).log().to_vec()
    }

    /// The latest requests answered (up to 10 000), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).iter().cloned().collect()
    }

    /// Stops the servers and the background task, and removes a temporary config dir.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Switches the clock mode of a running simulation.
pub(crate) fn set_clock_mode(shared: &Shared, mode: ClockMode) {
    shared.clock.set_mode(mode);
}
