//! What the matcher produces: one [`Link`] per payment and the [`ReviewCard`]s.
//! Both serialise to the JSON that `campdesk links --json` and the TUI show.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::{CampId, ExternalUserId, Money, PlanetUserId, TransactionId};

/// How a payment's link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// The matcher linked it on its own (clear best on both sides by a wide margin).
    Auto,
    /// A person linked it (must-link).
    Confirmed,
    /// Candidates exist; a person must choose (see the review card).
    Review,
    /// No candidate at all.
    Unmatched,
}

/// The link of one payment (DESIGN.md `links --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The payment.
    pub transaction_id: TransactionId,
    /// Its camp.
    pub camp: Option<CampId>,
    /// The linked planet user (auto or confirmed only).
    pub planet_user_id: Option<PlanetUserId>,
    /// The payer's external_userid: from the bill, else from a group member matched by name.
    pub external_userid: Option<ExternalUserId>,
    /// auto, confirmed, review or unmatched.
    pub state: LinkState,
    /// Log2 odds of the link (or of the best candidate), in bits.
    pub score: f64,
    /// Why, in words a reviewer reads.
    pub reasons: Vec<String>,
    /// For review: the candidate the best one-to-one assignment would pick.
    pub suggested_planet_user_id: Option<PlanetUserId>,
    /// The review card this payment appears on, if any.
    pub review_card: Option<String>,
    /// The payment's bind code (shown for payments not yet linked).
    pub bind_code: Option<String>,
    /// For confirmed links: the decision behind it.
    pub decision: Option<String>,
    /// For automatic links that need another camp's automatic link of the same payer
    /// (the bill's `external_userid`) to hold: that camp's payment. Such a link is never
    /// leaned on in turn, so no pair of camps keeps a link alive on each other alone; a
    /// link that holds on its own evidence is not marked, whatever else agrees with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earlier_link: Option<TransactionId>,
}

/// Why a card needs a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReasonCode {
    /// The deciding name is shared by several planet users or several payers.
    SameName,
    /// The deciding name is carried by one user in scope and one payer, but so common
    /// (王毅, Winnie) that the payer may be someone else who carries it too.
    CommonName,
    /// The best assignment is not ahead of the alternatives by the margin.
    LowMargin,
    /// The amount is a multiple of the deposit: one payer for several seats.
    MultiSeat,
    /// The amount is neither the deposit nor a multiple of it.
    AmountOdd,
    /// Stable ids disagree: a user bound to two payers, a bind code claimed twice, a
    /// planet user already confirmed for another payment of this camp.
    IdConflict,
    /// Nothing in the store resembles the payer.
    NoCandidate,
    /// A confirmed link's planet user or payer changed name since the decision.
    NameChangedSinceDecision,
    /// The remark names a different planet user than the other evidence.
    RemarkNamesOther,
    /// New hard evidence points away from a confirmed link; the link stands until a person acts.
    ContradictsDecision,
    /// The best candidate is alone but its evidence is too weak to link unattended.
    WeakEvidence,
    /// The camp has check-ins but the best candidate takes no part; names alone do not link it.
    NotParticipating,
    /// Another camp linked the same payer automatically, but this camp's own evidence
    /// rates another candidate at least as high.
    ContradictsEarlierLink,
}

impl ReasonCode {
    /// A short Chinese label for the reviewer.
    pub fn label(self) -> &'static str {
        match self {
            ReasonCode::SameName => "同名冲突",
            ReasonCode::CommonName => "常见姓名",
            ReasonCode::LowMargin => "差距不足",
            ReasonCode::MultiSeat => "一笔多人",
            ReasonCode::AmountOdd => "金额异常",
            ReasonCode::IdConflict => "ID 冲突",
            ReasonCode::NoCandidate => "无候选",
            ReasonCode::NameChangedSinceDecision => "决定后改名",
            ReasonCode::RemarkNamesOther => "备注指向他人",
            ReasonCode::ContradictsDecision => "新证据与人工决定不符",
            ReasonCode::WeakEvidence => "证据不足",
            ReasonCode::NotParticipating => "候选未参加本营打卡",
            ReasonCode::ContradictsEarlierLink => "本营证据与他营自动关联不符",
        }
    }
}

/// One scored contribution to a link's odds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Short code (`R1`, `N1`, `T1`, `P+` … see `signals`).
    pub code: String,
    /// Contribution in bits (log2 Bayes factor).
    pub bits: f64,
    /// The reason in the reviewer's words.
    pub reason: String,
}

/// The group member tied to a payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardGroupMember {
    /// Its `external_userid`.
    pub member_id: String,
    /// WeChat name.
    pub name: Option<String>,
    /// Group nickname.
    pub group_nickname: Option<String>,
    /// When it joined.
    pub join_time: Option<Timestamp>,
    /// `external_userid` (exact) or `name` (bill without id; unique WeChat-name match).
    pub matched_by: String,
}

/// A payment on a card, with its raw strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardPayment {
    /// The payment.
    pub transaction_id: TransactionId,
    /// Payer name as the bill shows it.
    pub payer_name: Option<String>,
    /// Remark as written.
    pub remark: String,
    /// Amount.
    pub amount: Money,
    /// When paid.
    pub paid_at: Timestamp,
    /// The payer's external_userid.
    pub external_userid: Option<ExternalUserId>,
    /// The group member tied to the payment.
    pub group_member: Option<CardGroupMember>,
    /// The payment's bind code.
    pub bind_code: String,
    /// Set when a person already linked this payment.
    pub confirmed_to: Option<PlanetUserId>,
}

/// A planet user on a card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardCandidate {
    /// Stable id.
    pub planet_user_id: PlanetUserId,
    /// Current nickname.
    pub name: String,
    /// 星球名片, if set.
    pub alias: Option<String>,
    /// Member number, if known.
    pub number: Option<String>,
    /// Earlier nicknames, oldest first.
    pub former_names: Vec<String>,
    /// When the user joined the planet.
    pub joined_planet_at: Option<Timestamp>,
    /// Whether the user checks in on this camp's project.
    pub participant: bool,
}

/// A scored payment–user pair on a card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardEdge {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The planet user.
    pub planet_user_id: PlanetUserId,
    /// Total in bits (prior included).
    pub score: f64,
    /// The contributions, prior first (the waterfall).
    pub signals: Vec<Signal>,
}

/// A pair the best one-to-one assignment picks (a suggestion, never a decision).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedPair {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The planet user.
    pub planet_user_id: PlanetUserId,
}

/// One group of competing payments and planet users for a person to settle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewCard {
    /// Stable id derived from the card's payments and kind.
    pub id: String,
    /// The camp.
    pub camp: Option<CampId>,
    /// Why it needs a person (sorted).
    pub codes: Vec<ReasonCode>,
    /// The payments, by transaction id.
    pub payments: Vec<CardPayment>,
    /// The planet users, by id.
    pub candidates: Vec<CardCandidate>,
    /// Every scored pair, best first per payment.
    pub edges: Vec<CardEdge>,
    /// The best one-to-one assignment (a suggestion).
    pub suggestion: Vec<SuggestedPair>,
    /// Extra facts: renames, same-name counts, conflicting decisions.
    pub notes: Vec<String>,
}

/// Everything the matcher decided for one camp.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MatchOutcome {
    /// One link per payment, by transaction id.
    pub links: Vec<Link>,
    /// Review cards, by id.
    pub cards: Vec<ReviewCard>,
    /// Participants of the camp's project that no payment is linked to (by id).
    pub participants_without_payment: Vec<PlanetUserId>,
    /// How much work the match took.
    pub stats: MatchStats,
}

/// Work counters of one camp's match (for benchmarks and the status pane).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchStats {
    /// Payer–user pairs scored from blocking candidates, all rounds.
    pub scored_pairs: u64,
    /// Pairs scored by the residue pass.
    pub residue_pairs: u64,
    /// Decision rounds run.
    pub rounds: u32,
}
