//! Shared by the payout tests: a manual-clock simulation, its camps.toml, a store
//! with payments the simulator knows, approved refunds, an executor with fast
//! settings, the sim merchant's view of refunds, and a bills sync over HTTP.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use campdesk::config::{Camp, Config};
use campdesk::crypto::{RsaPrivateKey, RsaPublicKey};
use campdesk::domain::{CampId, Day, Money, RefundId, RefundVia, SourceRef, StaffUserId, TransactionId};
use campdesk::engine::EngineStatus;
use campdesk::records::payments::{CampAssignment, PaymentBill, upsert_bills, upsert_payments};
use campdesk::refund::executor::{Executor, ExecutorSettings};
use campdesk::refund::{Proposal, RefundKind, queue};
use campdesk::sim::{Action, ClockMode, Sim, SimHandle, SimKeys, SimOptions};
use campdesk::sources::wxpay::{WxpayClient, WxpayParts};
use campdesk::store::{OpenedBy, Store};
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::watch;

/// One set of keys per test binary (RSA generation is the slow part of a start).
pub fn keys() -> Arc<SimKeys> {
    static KEYS: OnceLock<Arc<SimKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SimKeys::generate().unwrap())).clone()
}

/// A manual-clock sim with a fixed anchor and a small community.
pub async fn start_sim(seed: u64) -> SimHandle {
    start_sim_with(seed, |_| {}).await
}

/// The same, with options changed by `f`.
pub async fn start_sim_with(seed: u64, f: impl FnOnce(&mut SimOptions)) -> SimHandle {
    let mut options = SimOptions {
        seed,
        members: 60,
        anchor: Some(Day::new(2025, 11, 20).unwrap()),
        clock: ClockMode::Manual,
        keys: Some(keys()),
        tick: Duration::from_millis(20),
        ..SimOptions::default()
    };
    f(&mut options);
    Sim::start(options).await.unwrap()
}

/// The sim's camps.toml, loaded.
pub fn config(sim: &SimHandle) -> Arc<Config> {
    Arc::new(campdesk::config::load_file(sim.config_path()).unwrap())
}

/// The first camp paid back through `via`.
pub fn camp(config: &Config, via: RefundVia) -> Camp {
    config.camps.iter().find(|c| c.refund_via == via).cloned().unwrap()
}

/// A file-backed store in a temp dir.
pub fn store(dir: &std::path::Path) -> Arc<Store> {
    Arc::new(Store::open(dir, OpenedBy::Test).unwrap())
}

/// A fresh engine status to collect alerts.
pub fn status() -> Arc<watch::Sender<EngineStatus>> {
    Arc::new(watch::Sender::new(EngineStatus::default()))
}

/// Executor settings without waits (tests drive time).
pub fn fast() -> ExecutorSettings {
    ExecutorSettings {
        pace: Duration::ZERO,
        poll_interval: SignedDuration::ZERO,
        unknown_retry: SignedDuration::ZERO,
        funds_wait: SignedDuration::ZERO,
        rate_limit_pause: Duration::from_millis(5),
        tick: Duration::from_millis(50),
        ..ExecutorSettings::default()
    }
}

/// A WeChat Pay client for the sim with a short timeout and an optional notify URL.
pub fn client(sim: &SimHandle, timeout: Duration, notify_url: Option<String>) -> Arc<WxpayClient> {
    let s = sim.setup();
    let secrets = sim.secrets();
    Arc::new(
        WxpayClient::new(WxpayParts {
            base_url: sim.urls().wxpay.clone(),
            mch_id: s.mch_id.clone(),
            serial_no: s.merchant_serial_no.clone(),
            key: RsaPrivateKey::from_pem(&secrets.merchant_private_key_pem).unwrap(),
            platform_key: RsaPublicKey::from_pem(&secrets.platform_public_key_pem).unwrap(),
            platform_key_id: s.platform_public_key_id.clone(),
            api_v3_key: SecretString::from(secrets.api_v3_key.clone()),
            notify_url,
            timeout,
        })
        .unwrap(),
    )
}

/// An executor over the sim with fast settings and a 2 s client timeout.
pub fn executor(
    sim: &SimHandle,
    store: &Arc<Store>,
    config: &Arc<Config>,
    status: &Arc<watch::Sender<EngineStatus>>,
) -> Executor {
    Executor::new(store.clone(), config.clone(), status.clone(), fast()).with_client(client(
        sim,
        Duration::from_secs(2),
        None,
    ))
}

/// `n` payments of `amount` to the camp's payee in the sim, stored for the camp.
pub fn pay(sim: &SimHandle, store: &Store, config: &Config, camp: &Camp, n: usize, amount: Money) -> Vec<PaymentBill> {
    let payee = camp.payee.clone().unwrap();
    let mut bills = Vec::new();
    for i in 0..n {
        let action = match Action::pay(payee.to_string(), amount.fen()) {
            Action::Pay { payee_userid, amount_fen, .. } => Action::Pay {
                transaction_id: None,
                out_trade_no: None,
                external_userid: None,
                payer_name: Some(format!("测试{i}")),
                payer_phone: None,
                payer_info_key: Some(campdesk::sim::world::corp::PayerInfoKey::ContactInfo),
                payee_userid,
                amount_fen,
                remark: String::new(),
                description: camp.payment_keyword.clone().unwrap_or_default(),
                payment_type: None,
                at: None,
            },
            other => other,
        };
        let txn = sim.act(action).unwrap().id().unwrap().to_string();
        bills.push(PaymentBill {
            transaction_id: TransactionId::new(txn),
            out_trade_no: None,
            payer_external_userid: None,
            payer_name: Some(format!("测试{i}")),
            remark: Some(String::new()),
            description: None,
            amount,
            paid_at: sim.now(),
            payee_userid: Some(StaffUserId::new(payee.as_str())),
            mch_id: None,
            payment_type: Some(1),
            refunded_total: None,
            refunds: None,
            source: SourceRef { raw_id: "test".into(), position: Some(i as u32) },
        });
        // Distinct payment times, newest last.
        sim.advance(SignedDuration::from_secs(1)).unwrap();
    }
    store.write_with(|tx| upsert_payments(tx, config, &bills, &CampAssignment::Import(camp.id.clone()))).unwrap();
    bills
}

/// A full-deposit proposal for a stored payment.
pub fn proposal(camp: &Camp, b: &PaymentBill, amount: Money) -> Proposal {
    Proposal {
        camp: camp.id.clone(),
        transaction_id: b.transaction_id.clone(),
        kind: RefundKind::Deposit,
        amount,
        paid_total: b.amount,
        executor: camp.refund_via,
        planet_user_id: None,
        payer_external_userid: None,
        payer_name: b.payer_name.clone(),
        paid_at: b.paid_at,
        basis: "打卡 8/10 天，达标".into(),
        explicit_only: false,
    }
}

/// Proposes (adding to the camp's existing proposals) and approves refunds of these payments.
pub fn approve(store: &Store, config: &Config, camp: &Camp, bills: &[PaymentBill]) -> Vec<RefundId> {
    let ids = propose(store, camp, bills);
    let policy = |c: &CampId| config.camp(c.as_str()).map(queue::CampPolicy::of);
    store.write_with(|tx| queue::approve(tx, &ids, "owner", None, &policy, true, Timestamp::now())).unwrap();
    ids
}

/// Proposes refunds of these payments (keeping the camp's other proposals).
pub fn propose(store: &Store, camp: &Camp, bills: &[PaymentBill]) -> Vec<RefundId> {
    let mut all: Vec<Proposal> =
        queue::list_camp(&store.read().unwrap(), &camp.id).unwrap().into_iter().map(|r| r.proposal).collect();
    let new: Vec<Proposal> = bills.iter().map(|b| proposal(camp, b, camp.deposit)).collect();
    let ids = new.iter().map(|p| campdesk::refund::refund_id(&p.camp, &p.transaction_id, p.kind)).collect();
    all.extend(new);
    store.write_with(|tx| queue::sync_proposals(tx, &camp.id, &all, Timestamp::now())).unwrap();
    ids
}

/// A refund as stored.
pub fn refund(store: &Store, id: &RefundId) -> campdesk::refund::Refund {
    store.read().unwrap().get(&campdesk::refund::REFUNDS, id.as_str()).unwrap().unwrap()
}

/// The refunds the sim's bill for `txn` carries: (out_refund_no, fen, WeCom status, via API).
pub fn sim_refunds(sim: &SimHandle, txn: &TransactionId) -> Vec<(String, i64, i64, bool)> {
    sim.with_world(|w| {
        let idx = w.corp.bill_by_transaction(txn.as_str()).unwrap();
        w.corp
            .bill(idx)
            .refunds
            .iter()
            .map(|r| (r.out_refund_no.clone(), r.refund_fee, r.refund_status, r.via_api))
            .collect()
    })
}

/// Fen the sim's bill for `txn` has refunded successfully (status 2).
pub fn sim_refunded(sim: &SimHandle, txn: &TransactionId) -> i64 {
    sim_refunds(sim, txn).iter().filter(|r| r.2 == 2).map(|r| r.1).sum()
}

/// Fetches every bill of the last day from the sim over HTTP and stores it the
/// way the WeCom sync does (archive, parse, upsert).
pub async fn sync_bills(sim: &SimHandle, store: &Store, config: &Config) {
    let since = sim.now().checked_sub(SignedDuration::from_hours(24)).unwrap();
    sync_bills_since(sim, store, config, since).await
}

/// The same from `since` on, in windows of at most 30 days (the API's limit).
pub async fn sync_bills_since(sim: &SimHandle, store: &Store, config: &Config, since: Timestamp) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = &sim.urls().wecom;
    let s = sim.setup();
    let token: Value = http
        .get(format!("{base}/cgi-bin/gettoken?corpid={}&corpsecret={}", s.corp_id, sim.secrets().wecom_secret))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let last = sim.now().as_second() + 1;
    let mut begin = since.as_second();
    while begin < last {
        let end = (begin + 30 * 86_400).min(last);
        sync_window(&http, base, &token, store, config, begin, end).await;
        begin = end;
    }
}

async fn sync_window(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    store: &Store,
    config: &Config,
    begin: i64,
    end: i64,
) {
    let mut cursor: Option<String> = None;
    loop {
        let mut body = serde_json::json!({"begin_time": begin, "end_time": end, "limit": 1000});
        if let Some(c) = &cursor {
            body["cursor"] = Value::String(c.clone());
        }
        let url = format!("{base}/cgi-bin/externalpay/get_bill_list?access_token={token}");
        let text = http.post(&url).json(&body).send().await.unwrap().bytes().await.unwrap();
        let new = campdesk::records::raw::NewRaw {
            source: campdesk::records::Source::Wecom,
            request: campdesk::records::raw::RawRequest::post(url.clone(), body.to_string()),
            status: Some(200),
            fetched_at: Timestamp::now(),
            content_type: Some("application/json".into()),
            body: &text,
        };
        let (_, next) =
            campdesk::records::ingest::page(store, new, campdesk::records::parse::wecom::parse_bills, |tx, page, _| {
                upsert_bills(tx, config, &page.bills)?;
                Ok(page.next_cursor)
            })
            .unwrap();
        match next {
            Some(c) => cursor = Some(c),
            None => return,
        }
    }
}

/// Waits (up to 10 s) until `f` holds.
pub async fn eventually(mut f: impl FnMut() -> bool) {
    for _ in 0..500 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not reached within 10 s");
}
