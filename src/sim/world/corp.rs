//! The simulated WeCom corp: staff, external contacts, 对外收款 bills with their refunds,
//! customer groups and their members, group robots and app messages.
//!
//! Bill rows (payments at `pay_time`, refunds at `refund_reqtime`) are indexed by time so
//! `get_bill_list` answers a window with a range query, whatever the number of bills.

use std::collections::{BTreeMap, HashMap, VecDeque};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A corp member (员工).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// userid.
    pub userid: String,
    /// Display name.
    pub name: String,
    /// Whether the app's visible range includes them (bills they collect are listed only then).
    pub visible: bool,
}

/// Whether an external contact is a WeChat or a WeCom user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A WeChat user (`wm…`).
    Wechat,
    /// A WeCom user of another corp (`wo…`).
    Wecom,
}

/// An external contact (a customer), known by `external_userid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// external_userid.
    pub external_userid: String,
    /// WeChat name.
    pub name: String,
    /// unionid, when the corp has an open-platform binding.
    pub unionid: Option<String>,
    /// WeChat or WeCom user.
    pub kind: ContactKind,
    /// Staff who have them as a customer (empty: nobody's friend, `externalcontact/get` → 84061).
    pub followers: Vec<String>,
}

/// Which key the bill's payer object is sent under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayerInfoKey {
    /// `payer_info` (the official JSON example).
    PayerInfo,
    /// `contact_info` (newer parameter tables).
    ContactInfo,
}

impl PayerInfoKey {
    /// The JSON key.
    pub fn as_str(self) -> &'static str {
        match self {
            PayerInfoKey::PayerInfo => "payer_info",
            PayerInfoKey::ContactInfo => "contact_info",
        }
    }
}

/// The payer object of a bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerInfo {
    /// Sent as `payer_info` or `contact_info`.
    pub key: PayerInfoKey,
    /// Name (usually the WeChat name).
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Address.
    pub address: String,
}

/// A refund recorded on a bill (from the WeCom client or from WeChat Pay).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRefund {
    /// out_refund_no.
    pub out_refund_no: String,
    /// Member who refunded (empty for refunds made through the WeChat Pay API).
    pub refund_userid: String,
    /// Comment.
    pub refund_comment: String,
    /// Requested at.
    pub refund_reqtime: Timestamp,
    /// Amount in fen.
    pub refund_fee: i64,
    /// 0 requested, 1 processing, 2 succeeded, 3 closed, 4 abnormal, 5–7 approval states.
    pub refund_status: i64,
    /// The status it will settle to (2, 3 or 4).
    pub outcome: i64,
    /// When it settles.
    pub settles_at: Timestamp,
    /// When it succeeded.
    pub success_time: Option<Timestamp>,
    /// Whether it came through the WeChat Pay API.
    pub via_api: bool,
}

impl BillRefund {
    /// Whether the refund holds or has moved money (requested, processing or succeeded).
    pub fn counts(&self) -> bool {
        matches!(self.refund_status, 0..=2)
    }
}

/// A 对外收款 payment record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// WeChat Pay transaction id (28 digits).
    pub transaction_id: String,
    /// Merchant order number.
    pub out_trade_no: String,
    /// Paid at.
    pub pay_time: Timestamp,
    /// The payer's external_userid, when WeCom knows it.
    pub external_userid: Option<String>,
    /// Collecting member.
    pub payee_userid: String,
    /// 0 chat, 1 QR code, …
    pub payment_type: i64,
    /// Merchant number.
    pub mch_id: String,
    /// Payer's remark.
    pub remark: String,
    /// Commodity description.
    pub description: String,
    /// Amount in fen.
    pub total_fee: i64,
    /// Payer object, when present.
    pub payer: Option<PayerInfo>,
    /// Refunds, oldest first.
    pub refunds: Vec<BillRefund>,
}

impl Bill {
    /// Sum of refunds that hold or moved money.
    pub fn refunded(&self) -> i64 {
        self.refunds.iter().filter(|r| r.counts()).map(|r| r.refund_fee).sum()
    }

    /// What can still be refunded.
    pub fn refundable(&self) -> i64 {
        self.total_fee - self.refunded()
    }
}

/// One row of the bill list: a payment, or a refund of a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillRow {
    /// Payment row (bill_type 0): index into the bills.
    Payment(usize),
    /// Refund row (bill_type 1): bill index, refund index.
    Refund(usize, usize),
}

/// A member of a customer group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// userid (type 1) or external_userid (type 2).
    pub userid: String,
    /// 1 corp member, 2 external contact.
    pub member_type: i64,
    /// When they joined.
    pub join_time: Timestamp,
    /// 1 invited, 2 invite link, 3 QR code.
    pub join_scene: i64,
    /// Inviting staff member, when one did.
    pub invitor: Option<String>,
    /// Nickname inside the group.
    pub group_nickname: String,
    /// `state` of the join way, when set.
    pub state: Option<String>,
}

/// A customer group (客户群).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// chat_id.
    pub chat_id: String,
    /// Group name.
    pub name: String,
    /// Owner's userid.
    pub owner: String,
    /// Created at.
    pub create_time: Timestamp,
    /// Notice.
    pub notice: String,
    /// Admins' userids.
    pub admins: Vec<String>,
    /// 0 normal, 1 owner resigned, 2 transfer in progress, 3 transfer done.
    pub status: i64,
    /// Members in join order.
    pub members: Vec<GroupMember>,
    /// Bumped on every membership change.
    pub version: u64,
}

impl Group {
    /// The member with `userid`.
    pub fn member(&self, userid: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.userid == userid)
    }

    /// The member with `userid`, mutable.
    pub fn member_mut(&mut self, userid: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.userid == userid)
    }
}

/// A message a group robot received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobotMessage {
    /// Sim time of receipt.
    pub at: Timestamp,
    /// `text`, `markdown`, …
    pub msgtype: String,
    /// The content.
    pub content: String,
    /// `mentioned_list` (text messages).
    pub mentioned_list: Vec<String>,
    /// The request body as received.
    pub body: serde_json::Value,
}

/// A group robot (webhook key) and what it received.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Robot {
    /// Messages, oldest first.
    pub messages: Vec<RobotMessage>,
    /// Recent send times for the 20-per-minute limit.
    #[serde(skip)]
    pub recent: VecDeque<Timestamp>,
}

/// An app message as delivered to one member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppMessage {
    /// Sim time.
    pub at: Timestamp,
    /// msgid returned to the sender.
    pub msgid: String,
    /// Recipient userid.
    pub touser: String,
    /// `text`, `markdown`, …
    pub msgtype: String,
    /// The content.
    pub content: String,
}

/// A WeCom access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WecomToken {
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// The corp.
#[derive(Clone, Debug)]
pub struct Corp {
    /// Corp id (`ww…`).
    pub corp_id: String,
    /// The self-built app's secret.
    pub secret: String,
    /// The app's agent id.
    pub agent_id: i64,
    staff: BTreeMap<String, Staff>,
    contacts: HashMap<String, Contact>,
    tokens: HashMap<String, WecomToken>,
    current_token: Option<String>,
    bills: Vec<Bill>,
    by_transaction: HashMap<String, usize>,
    by_out_trade_no: HashMap<String, usize>,
    rows: BTreeMap<(i64, u64), BillRow>,
    row_seq: u64,
    groups: Vec<Group>,
    group_index: HashMap<String, usize>,
    robots: BTreeMap<String, Robot>,
    app_messages: Vec<AppMessage>,
}

impl Corp {
    /// An empty corp.
    pub fn new(corp_id: impl Into<String>, secret: impl Into<String>, agent_id: i64) -> Corp {
        Corp {
            corp_id: corp_id.into(),
            secret: secret.into(),
            agent_id,
            staff: BTreeMap::new(),
            contacts: HashMap::new(),
            tokens: HashMap::new(),
            current_token: None,
            bills: Vec::new(),
            by_transaction: HashMap::new(),
            by_out_trade_no: HashMap::new(),
            rows: BTreeMap::new(),
            row_seq: 0,
            groups: Vec::new(),
            group_index: HashMap::new(),
            robots: BTreeMap::new(),
            app_messages: Vec::new(),
        }
    }

    // ---- staff and contacts ---------------------------------------------------------------

    /// Adds or replaces a staff member.
    pub fn put_staff(&mut self, s: Staff) {
        self.staff.insert(s.userid.clone(), s);
    }

    /// Staff by userid.
    pub fn staff(&self) -> &BTreeMap<String, Staff> {
        &self.staff
    }

    /// Adds or replaces a contact.
    pub fn put_contact(&mut self, c: Contact) {
        self.contacts.insert(c.external_userid.clone(), c);
    }

    /// One contact.
    pub fn contact(&self, external_userid: &str) -> Option<&Contact> {
        self.contacts.get(external_userid)
    }

    /// One contact, mutable.
    pub fn contact_mut(&mut self, external_userid: &str) -> Option<&mut Contact> {
        self.contacts.get_mut(external_userid)
    }

    /// Number of contacts.
    pub fn contact_count(&self) -> usize {
        self.contacts.len()
    }

    // ---- tokens --------------------------------------------------------------------------

    /// The current token, or a new one made by `mint`, valid for `ttl` from `now`.
    /// Within its validity the same token is returned, with its remaining life.
    pub fn token_for(&mut self, now: Timestamp, ttl: SignedDuration, mint: impl FnOnce() -> String) -> (String, i64) {
        if let Some(tok) = &self.current_token
            && let Some(t) = self.tokens.get(tok)
            && t.expires_at > now
        {
            return (tok.clone(), (t.expires_at.as_second() - now.as_second()).max(1));
        }
        let tok = mint();
        let expires_at = now.checked_add(ttl).unwrap_or(now);
        self.tokens.insert(tok.clone(), WecomToken { expires_at });
        self.current_token = Some(tok.clone());
        (tok, ttl.as_secs())
    }

    /// Looks a token up.
    pub fn token(&self, token: &str) -> Option<&WecomToken> {
        self.tokens.get(token)
    }

    /// Makes every token expire at `at` (WeCom may invalidate tokens early).
    pub fn expire_tokens(&mut self, at: Timestamp) {
        for t in self.tokens.values_mut() {
            t.expires_at = t.expires_at.min(at);
        }
    }

    // ---- bills ---------------------------------------------------------------------------

    /// Adds a bill; fails if its transaction id or out_trade_no is taken.
    pub fn add_bill(&mut self, bill: Bill) -> Result<usize, String> {
        if self.by_transaction.contains_key(&bill.transaction_id) {
            return Err(format!("transaction_id {} exists", bill.transaction_id));
        }
        if self.by_out_trade_no.contains_key(&bill.out_trade_no) {
            return Err(format!("out_trade_no {} exists", bill.out_trade_no));
        }
        let idx = self.bills.len();
        self.by_transaction.insert(bill.transaction_id.clone(), idx);
        self.by_out_trade_no.insert(bill.out_trade_no.clone(), idx);
        let key = (bill.pay_time.as_second(), self.next_row_seq());
        self.rows.insert(key, BillRow::Payment(idx));
        self.bills.push(bill);
        Ok(idx)
    }

    fn next_row_seq(&mut self) -> u64 {
        self.row_seq += 1;
        self.row_seq
    }

    /// Adds a refund to bill `idx` and its refund row; returns the refund's index.
    pub fn add_refund(&mut self, idx: usize, refund: BillRefund) -> usize {
        let key = (refund.refund_reqtime.as_second(), self.next_row_seq());
        let bill = &mut self.bills[idx];
        bill.refunds.push(refund);
        let r = bill.refunds.len() - 1;
        self.rows.insert(key, BillRow::Refund(idx, r));
        r
    }

    /// All bills, in insertion order.
    pub fn bills(&self) -> &[Bill] {
        &self.bills
    }

    /// Bill by index.
    pub fn bill(&self, idx: usize) -> &Bill {
        &self.bills[idx]
    }

    /// Bill by index, mutable.
    pub fn bill_mut(&mut self, idx: usize) -> &mut Bill {
        &mut self.bills[idx]
    }

    /// Index of the bill with this transaction id.
    pub fn bill_by_transaction(&self, transaction_id: &str) -> Option<usize> {
        self.by_transaction.get(transaction_id).copied()
    }

    /// Index of the bill with this out_trade_no.
    pub fn bill_by_out_trade_no(&self, out_trade_no: &str) -> Option<usize> {
        self.by_out_trade_no.get(out_trade_no).copied()
    }

    /// Rows with time in `[begin, end]` (seconds) after `after` (exclusive), in time order.
    pub fn rows_in(
        &self,
        begin: i64,
        end: i64,
        after: Option<(i64, u64)>,
    ) -> impl Iterator<Item = ((i64, u64), BillRow)> {
        let lower = match after {
            Some(k) => std::ops::Bound::Excluded(k),
            None => std::ops::Bound::Included((begin, 0)),
        };
        self.rows
            .range((lower, std::ops::Bound::Included((end, u64::MAX))))
            .filter(move |((t, _), _)| *t >= begin)
            .map(|(k, v)| (*k, *v))
    }

    // ---- groups --------------------------------------------------------------------------

    /// Adds a group; fails if the chat id is taken.
    pub fn add_group(&mut self, g: Group) -> Result<(), String> {
        if self.group_index.contains_key(&g.chat_id) {
            return Err(format!("chat_id {} exists", g.chat_id));
        }
        self.group_index.insert(g.chat_id.clone(), self.groups.len());
        self.groups.push(g);
        Ok(())
    }

    /// Groups in creation order.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// One group.
    pub fn group(&self, chat_id: &str) -> Option<&Group> {
        self.group_index.get(chat_id).map(|i| &self.groups[*i])
    }

    /// One group, mutable.
    pub fn group_mut(&mut self, chat_id: &str) -> Option<&mut Group> {
        self.group_index.get(chat_id).map(|i| &mut self.groups[*i])
    }

    // ---- robots and app messages ---------------------------------------------------------

    /// Registers a robot key.
    pub fn add_robot(&mut self, key: impl Into<String>) {
        self.robots.entry(key.into()).or_default();
    }

    /// Robots by key.
    pub fn robots(&self) -> &BTreeMap<String, Robot> {
        &self.robots
    }

    /// One robot, mutable.
    pub fn robot_mut(&mut self, key: &str) -> Option<&mut Robot> {
        self.robots.get_mut(key)
    }

    /// Records a delivered app message.
    pub fn push_app_message(&mut self, m: AppMessage) {
        self.app_messages.push(m);
    }

    /// App messages, oldest first.
    pub fn app_messages(&self) -> &[AppMessage] {
        &self.app_messages
    }
}
