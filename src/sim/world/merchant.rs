//! The simulated WeChat Pay merchant: refunds made through the v3 API (keyed by
//! `out_refund_no`), scripted outcomes, and the refund-notification outbox.
//! Orders are the WeCom bills; a refund's money state lives on the bill's refund entry.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A refund's final outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundOutcome {
    /// Money returned.
    Success,
    /// Closed (e.g. merchant balance insufficient for 7 days).
    Closed,
    /// Abnormal (the user's card is frozen or cancelled).
    Abnormal,
}

impl RefundOutcome {
    /// The WeCom `refund_status` code it settles to.
    pub fn wecom_status(self) -> i64 {
        match self {
            RefundOutcome::Success => 2,
            RefundOutcome::Closed => 3,
            RefundOutcome::Abnormal => 4,
        }
    }
}

/// The v3 `status` for a WeCom `refund_status` code.
pub fn wxpay_status(refund_status: i64) -> &'static str {
    match refund_status {
        2 => "SUCCESS",
        3 => "CLOSED",
        4 => "ABNORMAL",
        _ => "PROCESSING",
    }
}

/// A refund accepted through `POST /v3/refund/domestic/refunds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRefund {
    /// WeChat refund id.
    pub refund_id: String,
    /// out_refund_no.
    pub out_refund_no: String,
    /// The order's transaction id.
    pub transaction_id: String,
    /// The order's out_trade_no.
    pub out_trade_no: String,
    /// Index of the bill.
    pub bill: usize,
    /// Index of the refund on the bill.
    pub refund: usize,
    /// Requested amount.
    pub amount_refund: i64,
    /// The order total the request named.
    pub amount_total: i64,
    /// Reason shown to the user.
    pub reason: Option<String>,
    /// Where to notify.
    pub notify_url: Option<String>,
    /// `funds_account` as requested.
    pub funds_account: Option<String>,
    /// Accepted at (sim time).
    pub create_time: Timestamp,
}

/// A refund-result notification waiting for (re)delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// `EV-…` id.
    pub id: String,
    /// The refund.
    pub out_refund_no: String,
    /// `REFUND.SUCCESS`, `REFUND.CLOSED` or `REFUND.ABNORMAL`.
    pub event_type: String,
    /// Target.
    pub url: String,
    /// Decrypted resource (the plaintext JSON).
    pub plaintext: serde_json::Value,
    /// Created at (sim time).
    pub created: Timestamp,
    /// Attempts so far.
    pub attempts: u32,
    /// Next attempt at (sim time).
    pub next_at: Timestamp,
    /// Answered 200/204.
    pub delivered: bool,
    /// Retries exhausted.
    pub abandoned: bool,
    /// What each attempt got (status code or error text).
    pub log: Vec<String>,
}

/// Redelivery delays after each failed attempt (≈ 24 h in all, "up to 15 re-sends").
pub const REDELIVERY: [i64; 15] =
    [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

/// The merchant.
#[derive(Clone, Debug)]
pub struct Merchant {
    /// Merchant number.
    pub mch_id: String,
    /// The merchant API certificate serial (the Authorization `serial_no`).
    pub merchant_serial_no: String,
    /// The WeChat Pay public-key id (`Wechatpay-Serial`).
    pub platform_public_key_id: String,
    refunds: HashMap<String, ApiRefund>,
    scripted: HashMap<String, RefundOutcome>,
    last_refund_at: HashMap<usize, Timestamp>,
    notifications: BTreeMap<String, Notification>,
}

impl Merchant {
    /// A merchant without refunds.
    pub fn new(mch_id: impl Into<String>, serial: impl Into<String>, pub_key_id: impl Into<String>) -> Merchant {
        Merchant {
            mch_id: mch_id.into(),
            merchant_serial_no: serial.into(),
            platform_public_key_id: pub_key_id.into(),
            refunds: HashMap::new(),
            scripted: HashMap::new(),
            last_refund_at: HashMap::new(),
            notifications: BTreeMap::new(),
        }
    }

    /// A refund by out_refund_no.
    pub fn refund(&self, out_refund_no: &str) -> Option<&ApiRefund> {
        self.refunds.get(out_refund_no)
    }

    /// Records an accepted refund.
    pub fn put_refund(&mut self, r: ApiRefund) {
        self.last_refund_at.insert(r.bill, r.create_time);
        self.refunds.insert(r.out_refund_no.clone(), r);
    }

    /// Number of API refunds.
    pub fn refund_count(&self) -> usize {
        self.refunds.len()
    }

    /// Whether an API refund for bill `bill` was accepted less than `gap` before `now`.
    pub fn too_soon(&self, bill: usize, now: Timestamp, gap: SignedDuration) -> bool {
        self.last_refund_at.get(&bill).is_some_and(|t| now.duration_since(*t) < gap)
    }

    /// Scripts how a refund will end (before or after it is requested).
    pub fn script(&mut self, out_refund_no: impl Into<String>, outcome: RefundOutcome) {
        self.scripted.insert(out_refund_no.into(), outcome);
    }

    /// The scripted outcome for a refund, if any.
    pub fn scripted(&self, out_refund_no: &str) -> Option<RefundOutcome> {
        self.scripted.get(out_refund_no).copied()
    }

    /// Queues a notification.
    pub fn push_notification(&mut self, n: Notification) {
        self.notifications.insert(n.id.clone(), n);
    }

    /// Notifications by id.
    pub fn notifications(&self) -> &BTreeMap<String, Notification> {
        &self.notifications
    }

    /// Notifications due at `now`.
    pub fn due_notifications(&self, now: Timestamp) -> Vec<Notification> {
        self.notifications.values().filter(|n| !n.delivered && !n.abandoned && n.next_at <= now).cloned().collect()
    }

    /// Gives up on a notification without retrying (e.g. a URL the simulator will not call).
    pub fn abandon(&mut self, id: &str, note: String) {
        if let Some(n) = self.notifications.get_mut(id) {
            n.abandoned = true;
            n.log.push(note);
        }
    }

    /// Records the result of one delivery attempt at `now`.
    pub fn record_attempt(&mut self, id: &str, now: Timestamp, ok: bool, note: String) {
        let Some(n) = self.notifications.get_mut(id) else { return };
        n.attempts += 1;
        n.log.push(note);
        if ok {
            n.delivered = true;
        } else if let Some(delay) = REDELIVERY.get(n.attempts as usize - 1) {
            n.next_at = now.checked_add(SignedDuration::from_secs(*delay)).unwrap_or(now);
        } else {
            n.abandoned = true;
        }
    }
}
