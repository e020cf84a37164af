//! The typed records the sources produce and the matcher, the rules and the
//! reports consume. Every field the platforms may omit is optional here too.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ids::{CampId, ChatId, CheckinId, ExternalUserId, PlanetUserId, StaffUserId, TopicId, TransactionId};
use super::money::Money;

/// Where a record was read from: the raw archive entry that holds the page or file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    /// Key of the raw archive entry (see `store::raw`).
    pub raw_id: String,
    /// Position inside that page or file (row number for files, index for pages).
    pub position: Option<u32>,
}

/// How a payment was tied to a camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attribution {
    /// Matched a camp's payee, amount, description and time window; `notes` says which held.
    Rules { notes: Vec<String> },
    /// Imported from a file with `--camp`.
    Import,
    /// A person chose the camp.
    Manual { by: String },
    /// No camp fits; kept and flagged for review.
    Unattributed { reason: String },
}

/// A deposit payment from the WeCom bill list (对外收款) or an import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// WeChat Pay transaction id (交易单号); the payment's stable key.
    pub transaction_id: TransactionId,
    /// Merchant order number, when the bill has one.
    pub out_trade_no: Option<String>,
    /// The camp the payment belongs to, if attribution found one.
    pub camp: Option<CampId>,
    /// Why `camp` is what it is.
    pub attribution: Attribution,
    /// The payer's `external_userid` in this corp, when the bill carries it.
    pub payer_external_userid: Option<ExternalUserId>,
    /// The payer's name from `contact_info`/`payer_info` (usually the WeChat name).
    pub payer_name: Option<String>,
    /// The payer's free-text remark (may hold the planet nickname, or nothing).
    pub remark: String,
    /// The first commodity description, if any.
    pub description: Option<String>,
    /// Amount paid.
    pub amount: Money,
    /// When it was paid.
    pub paid_at: Timestamp,
    /// The collecting member's userid.
    pub payee_userid: Option<StaffUserId>,
    /// Merchant number that received the money.
    pub mch_id: Option<String>,
    /// `payment_type` as WeCom sends it (0 chat, 1 QR, …), unknown values kept.
    pub payment_type: Option<i64>,
    /// Total refunded so far according to the bill (`total_refund_fee`).
    pub refunded_total: Money,
    /// Refunds listed on the bill (`refund_list`, or refund rows with bill_type 1).
    pub bill_refunds: Vec<BillRefund>,
    /// The page or file it came from.
    pub source: SourceRef,
}

/// A refund as the WeCom bill shows it (done in the client, or through any other path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRefund {
    /// The refund's out_refund_no.
    pub out_refund_no: String,
    /// Member who started it.
    pub refund_userid: Option<StaffUserId>,
    /// Refund comment.
    pub comment: Option<String>,
    /// When it was requested.
    pub requested_at: Option<Timestamp>,
    /// Amount refunded.
    pub amount: Money,
    /// WeCom `refund_status`: 0 requested, 1 processing, 2 succeeded, 3 closed,
    /// 4 abnormal, 5 awaiting approval, 6 approval failed, 7 approval cancelled.
    pub status: i64,
}

impl BillRefund {
    /// Whether WeCom reports the money as returned.
    pub fn succeeded(&self) -> bool {
        self.status == 2
    }
}

/// The kind of a group member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// A member of the corp (type 1): staff, coaches, the owner.
    Staff,
    /// An external contact (type 2): a customer, identified by `external_userid`.
    External,
}

/// One person in one WeCom customer group, as successive snapshots saw them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The group.
    pub chat_id: ChatId,
    /// `userid` for staff, `external_userid` for external contacts.
    pub member_id: String,
    /// Staff or external.
    pub kind: MemberKind,
    /// WeChat name (only with `need_name=1`).
    pub name: Option<String>,
    /// The nickname set inside this group.
    pub group_nickname: Option<String>,
    /// unionid, when the corp has an open-platform binding.
    pub unionid: Option<String>,
    /// When they joined, as WeCom reports it.
    pub join_time: Option<Timestamp>,
    /// 1 invited, 2 invite link, 3 QR code; others kept.
    pub join_scene: Option<i64>,
    /// First snapshot that listed them.
    pub first_seen: Timestamp,
    /// Latest snapshot that listed them.
    pub last_seen: Timestamp,
    /// Set when a later snapshot no longer lists them (cleared if they come back).
    pub left_at: Option<Timestamp>,
}

impl GroupMember {
    /// The external_userid, for external members.
    pub fn external_userid(&self) -> Option<ExternalUserId> {
        (self.kind == MemberKind::External).then(|| ExternalUserId::new(self.member_id.clone()))
    }
}

/// A join or leave seen by comparing group snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembershipEvent {
    /// The group.
    pub chat_id: ChatId,
    /// The member (`userid` or `external_userid`).
    pub member_id: String,
    /// Joined or left.
    pub kind: MembershipEventKind,
    /// When it happened: `join_time` for joins, the first snapshot without them for leaves.
    pub at: Timestamp,
}

/// What happened to a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipEventKind {
    /// Appeared in a snapshot.
    Joined,
    /// Disappeared from a snapshot.
    Left,
}

/// A Knowledge Planet user, keyed by the stable `user_id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanetUser {
    /// Stable id.
    pub user_id: PlanetUserId,
    /// Current nickname (may be all spaces or emoji).
    pub name: String,
    /// Planet-specific display name (星球名片), when set.
    pub alias: Option<String>,
    /// Member number (成员编号) inside the planet, when known.
    pub number: Option<String>,
    /// WeChat nickname from the member export (微信昵称), when known.
    pub wechat_name: Option<String>,
    /// Earlier names, oldest first.
    pub name_history: Vec<NameChange>,
    /// When the user joined the planet, when known.
    pub joined_planet_at: Option<Timestamp>,
    /// Set when the planet reports the user as exited.
    pub left_planet_at: Option<Timestamp>,
    /// First time campdesk saw the user.
    pub first_seen: Timestamp,
    /// Latest time campdesk saw the user.
    pub last_seen: Timestamp,
}

impl PlanetUser {
    /// The name to show: the alias when set, else the nickname.
    pub fn display_name(&self) -> &str {
        match &self.alias {
            Some(a) if !a.trim().is_empty() => a,
            _ => &self.name,
        }
    }
}

/// A name a planet user used before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameChange {
    /// The nickname then.
    pub name: String,
    /// The alias then.
    pub alias: Option<String>,
    /// Until when it was seen.
    pub until: Timestamp,
}

/// A zsxq check-in project (打卡项目).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinProject {
    /// Project id.
    pub checkin_id: CheckinId,
    /// Title, e.g. "2510 AI小绿书爆文".
    pub title: String,
    /// Rule text ("完成7天打卡，押金39全退" …).
    pub text: Option<String>,
    /// The project's own day count (`checkin_days`).
    pub checkin_days: Option<u32>,
    /// `ongoing`, `over` or `closed` (other values kept).
    pub status: String,
    /// Creation time (the project's de facto start).
    pub created_at: Option<Timestamp>,
    /// Deadline, absent for long-period projects.
    pub expires_at: Option<Timestamp>,
    /// Minimum post length (0 or absent: none).
    pub min_words_count: Option<u32>,
    /// Participants according to zsxq.
    pub joined_count: Option<u32>,
    /// Participants who completed according to zsxq.
    pub completed_count: Option<u32>,
    /// The page it came from.
    pub source: SourceRef,
}

/// One check-in post (a `talk` topic of a check-in project).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinTopic {
    /// Topic id (beyond 2^53, kept as text).
    pub topic_id: TopicId,
    /// The project it belongs to.
    pub checkin_id: CheckinId,
    /// The author.
    pub user_id: PlanetUserId,
    /// When it was posted.
    pub created_at: Timestamp,
    /// The timestamp exactly as zsxq sent it (keeps the offset for evidence).
    pub created_at_raw: String,
    /// The post text (markup stripped); erased by retention purges.
    pub text: String,
    /// Length of the text in characters (kept after a purge).
    pub text_chars: u32,
    /// Number of images attached.
    pub images: u32,
    /// The comments the topic page showed (zsxq embeds the first few in
    /// `show_comments`); read for bind codes, not counted as check-ins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<TopicComment>,
    /// The page it came from.
    pub source: SourceRef,
}

/// A comment on a check-in topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicComment {
    /// Comment id (kept as text).
    pub comment_id: String,
    /// The commenter.
    pub user_id: PlanetUserId,
    /// When it was posted.
    pub created_at: Timestamp,
    /// The comment text (markup stripped); erased by retention purges.
    pub text: String,
}

/// One row of a project's accumulated ranking list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankingEntry {
    /// The project.
    pub checkin_id: CheckinId,
    /// The user.
    pub user_id: PlanetUserId,
    /// 1-based rank (unique, consecutive).
    pub rank: u32,
    /// Accumulated check-in days according to zsxq.
    pub checkined_days: u32,
    /// When the page was fetched.
    pub fetched_at: Timestamp,
    /// The page it came from.
    pub source: SourceRef,
}
