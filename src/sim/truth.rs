//! The ground truth of a generated community: who each person really is on every platform,
//! what they paid for which camp, which days they really checked in, what verdict a correct
//! system reaches, and which anomalies were injected. Tests score campdesk against it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::people::Noise;
use crate::domain::Day;

/// A correct verdict for one payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedVerdict {
    /// Enough days.
    Pass,
    /// Below `required` by at most the camp's `borderline_margin`.
    Borderline,
    /// Fewer days.
    Fail,
    /// The payer has no planet account, so no link can exist.
    Unlinked,
}

/// Something out of the ordinary that the generator put in on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anomaly {
    /// A second payment for the same camp by the same person (the later one is the duplicate).
    DuplicatePayment,
    /// The amount differs from the camp's deposit.
    WrongAmount,
    /// Paid before the camp's enrolment window or after its end.
    OutsideWindow,
    /// Paid, never joined any of the camp's groups.
    NeverJoinedGroup,
    /// Left the camp's group during the camp.
    LeftGroup,
    /// In the camp's group without having paid.
    UnpaidGroupMember,
    /// Checked in on the camp's project without having paid.
    UnpaidParticipant,
    /// Left the planet (posts stay).
    LeftPlanet,
    /// Paid, never checked in.
    ZeroCheckins,
    /// Some posts are shorter than the camp's `min_words`.
    ShortPosts,
    /// Posts at 23:59:59 or 00:00:01 local time.
    MidnightPosts,
    /// Several posts on one day.
    SeveralPostsOneDay,
    /// A post on the project's creation day, before the camp's first day (zsxq counts it, the camp does not).
    PostBeforeStart,
    /// Paid, but has no planet account.
    NoPlanetAccount,
    /// Changed their WeChat name after paying.
    RenamedWechat,
    /// A payment to a camp's payee that belongs to no camp (other income).
    OtherIncome,
    /// A post sharing its millisecond with another post of the project.
    SameMillisecondPost,
}

/// The whole truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// The generator seed.
    pub seed: u64,
    /// The anchor day ("today" of the community).
    pub anchor: Day,
    /// The camps.
    pub camps: Vec<CampTruth>,
    /// Every person, by person id.
    pub persons: Vec<PersonTruth>,
    /// Every bill the corp will hold, in generation order.
    pub payments: Vec<PaymentTruth>,
}

/// Where a camp stands at the anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampPhase {
    /// Ended before the anchor.
    Ended,
    /// Running at the anchor.
    Running,
    /// Starts after the anchor (enrolment open).
    Starting,
}

/// A camp as generated (what camps.toml says, plus the project's own numbers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampTruth {
    /// camps.toml id.
    pub camp_id: String,
    /// Display name (also the project title).
    pub name: String,
    /// Phase at the anchor.
    pub phase: CampPhase,
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// Days.
    pub days: u32,
    /// Required days.
    pub required: u32,
    /// Borderline margin.
    pub borderline_margin: u32,
    /// Deposit in fen.
    pub deposit_fen: i64,
    /// The zsxq project.
    pub checkin_id: String,
    /// The project's `checkin_days` (sometimes days − 1).
    pub project_checkin_days: u32,
    /// The project's `min_words_count`.
    pub project_min_words: u32,
    /// camps.toml `min_words` (short posts go to review).
    pub min_words: u32,
    /// The camp's customer groups.
    pub chat_ids: Vec<String>,
    /// The collecting staff member.
    pub payee: String,
    /// The word in the deposit's commodity description.
    pub keyword: String,
    /// `wxpay` or `wecom-client`.
    pub refund_via: String,
    /// Whether the project is closed by the owner after the camp.
    pub project_closed: bool,
}

/// One person: every identity and what happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTruth {
    /// Ground-truth id (from the people generator).
    pub person_id: u64,
    /// Real name.
    pub real_name: String,
    /// Planet user id, when the person has a planet account.
    pub planet_user_id: Option<String>,
    /// WeCom external_userid.
    pub external_userid: String,
    /// Whether bills carry the external_userid.
    pub external_userid_on_bill: bool,
    /// WeChat name at payment time.
    pub wechat_name: String,
    /// WeChat name after a rename.
    pub wechat_name_later: Option<String>,
    /// Planet nickname at payment time.
    pub planet_name: String,
    /// Planet nickname after a rename.
    pub planet_name_later: Option<String>,
    /// 星球名片.
    pub planet_alias: Option<String>,
    /// Member number.
    pub member_number: Option<u32>,
    /// Group nickname.
    pub group_nickname: Option<String>,
    /// Payment remark.
    pub remark: String,
    /// Name noise applied (from the people generator).
    pub noise: Vec<Noise>,
    /// When they left the planet.
    pub left_planet_at: Option<Timestamp>,
    /// Their part in each camp.
    pub camps: Vec<PersonCamp>,
}

/// How a person takes part in a camp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Paid the deposit.
    Payer,
    /// In the group, never paid.
    UnpaidMember,
    /// Checked in, never paid.
    UnpaidParticipant,
}

/// A person's part in one camp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonCamp {
    /// camps.toml id.
    pub camp_id: String,
    /// Role.
    pub role: Role,
    /// Their payments (transaction ids), first the real one.
    pub payments: Vec<String>,
    /// The group they joined.
    pub chat_id: Option<String>,
    /// When they joined it.
    pub joined_group_at: Option<Timestamp>,
    /// When they left it.
    pub left_group_at: Option<Timestamp>,
    /// Calendar days (Asia/Shanghai) inside the camp window with a post.
    pub checkin_days: Vec<Day>,
    /// Days zsxq's ranking counts (every day with a post in the project).
    pub ranking_days: u32,
    /// Days whose only posts are shorter than the camp's `min_words`.
    pub short_post_days: Vec<Day>,
    /// Their posts' topic ids.
    pub topic_ids: Vec<String>,
    /// The verdict a correct system reaches for their payment (payers).
    pub expected_verdict: Option<ExpectedVerdict>,
    /// Anomalies injected for them in this camp.
    pub anomalies: Vec<Anomaly>,
}

/// One bill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentTruth {
    /// transaction_id.
    pub transaction_id: String,
    /// Who paid.
    pub person_id: u64,
    /// The camp it is for (`None`: other income).
    pub camp_id: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// When.
    pub paid_at: Timestamp,
    /// The earlier payment it duplicates.
    pub duplicate_of: Option<String>,
    /// The true planet account (the link a correct matcher makes).
    pub planet_user_id: Option<String>,
    /// The payer's external_userid.
    pub external_userid: String,
    /// The verdict a correct system reaches (None for other income).
    pub expected_verdict: Option<ExpectedVerdict>,
    /// Anomalies of this payment.
    pub anomalies: Vec<Anomaly>,
}

impl GroundTruth {
    /// The person with `person_id`.
    pub fn person(&self, person_id: u64) -> Option<&PersonTruth> {
        self.persons.binary_search_by_key(&person_id, |p| p.person_id).ok().map(|i| &self.persons[i])
    }

    /// The payment with this transaction id.
    pub fn payment(&self, transaction_id: &str) -> Option<&PaymentTruth> {
        self.payments.iter().find(|p| p.transaction_id == transaction_id)
    }

    /// The camp with this id.
    pub fn camp(&self, camp_id: &str) -> Option<&CampTruth> {
        self.camps.iter().find(|c| c.camp_id == camp_id)
    }
}
