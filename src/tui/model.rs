//! The view models the panes render: plain data, built by a [`TuiSource`]
//! (crate::tui::TuiSource) from the store's records, links, verdicts and the
//! refund queue. Nothing here knows about the terminal, and nothing here is
//! read back into the store: actions travel as [`SourceAction`]s.
//!
//! [`SourceAction`]: crate::tui::source::SourceAction

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::{
    CampId, Day, ExternalUserId, Money, PlanetUserId, RefundId, RefundState, RefundVia, TransactionId,
};

/// Which camps the panes show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// Every camp.
    #[default]
    All,
    /// One camp.
    Camp(CampId),
}

impl Scope {
    /// The camp, when scoped to one.
    pub fn camp(&self) -> Option<&CampId> {
        match self {
            Scope::All => None,
            Scope::Camp(c) => Some(c),
        }
    }
}

/// Where a camp is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampPhase {
    /// Starts in `in_days` days.
    Upcoming {
        /// Days until the first day.
        in_days: u32,
    },
    /// Day `day` of `days` (1-based).
    Running {
        /// Today's camp day.
        day: u32,
        /// The camp's length.
        days: u32,
    },
    /// Ended `days_ago` days ago.
    Ended {
        /// Days since the last day.
        days_ago: u32,
    },
}

/// Money in and out of one camp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Deposits received (attributed payments).
    pub deposits: Money,
    /// Refunded and confirmed (succeeded or settled offline).
    pub refunded: Money,
    /// Approved or submitted, not yet confirmed.
    pub in_flight: Money,
    /// Kept: failed the rule, decided as forfeited.
    pub forfeited: Money,
}

/// One row of the Camps pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampRow {
    /// Camp id from camps.toml.
    pub id: CampId,
    /// Display name.
    pub name: String,
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// Days needed for the deposit back.
    pub required: u32,
    /// Camp days.
    pub days: u32,
    /// The deposit.
    pub deposit: Money,
    /// How refunds are paid.
    pub refund_via: RefundVia,
    /// Where the camp is today.
    pub phase: CampPhase,
    /// Deposit payments attributed to the camp.
    pub paid: u32,
    /// Members in the camp's groups.
    pub members: u32,
    /// Paying members on track to pass (or who passed).
    pub passing: u32,
    /// Borderline verdicts waiting for review.
    pub borderline: u32,
    /// Open anomalies.
    pub anomalies: u32,
    /// Payments with no accepted link.
    pub unmatched: u32,
    /// Money in and out.
    pub ledger: Ledger,
    /// A batch above this total asks for typed confirmation (camps.toml `batch_cap`).
    pub batch_cap: Option<Money>,
}

/// A payment as the review panes show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentView {
    /// WeChat Pay transaction id.
    pub transaction_id: TransactionId,
    /// The camp it was attributed to.
    pub camp: Option<CampId>,
    /// The payer's WeChat name from the bill.
    pub payer_name: Option<String>,
    /// The payer's free-text remark.
    pub remark: String,
    /// Amount paid.
    pub amount: Money,
    /// When.
    pub paid_at: Timestamp,
    /// The payer's external_userid, when the bill has it.
    pub external_userid: Option<ExternalUserId>,
}

/// One signal behind a candidate's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Human-readable evidence, e.g. "备注含星球昵称「小鱼」".
    pub text: String,
    /// Its contribution in log2 odds (negative counts against).
    pub weight: f64,
}

/// Which side of a link a candidate is on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CandidateRef {
    /// A Knowledge Planet user.
    Planet(PlanetUserId),
    /// A WeCom group member (external contact).
    Member(ExternalUserId),
}

/// A possible identity for a payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Who.
    pub target: CandidateRef,
    /// Name as that platform shows it.
    pub name: String,
    /// More to tell them apart: alias, member number, group nickname.
    pub detail: Option<String>,
    /// Total score in log2 odds.
    pub score: f64,
    /// The signals behind the score.
    pub reasons: Vec<Reason>,
    /// A reviewer already ruled this candidate out.
    pub rejected: bool,
}

/// A review card: one payment (or a group of competing payments' shared
/// candidates) the matcher could not settle alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewCard {
    /// Stable card id.
    pub id: String,
    /// The payment to identify.
    pub payment: PaymentView,
    /// Why it needs a human ("两人得分接近", "没有候选").
    pub why: String,
    /// Candidate planet users, best first.
    pub planet_candidates: Vec<Candidate>,
    /// Candidate group members, best first.
    pub member_candidates: Vec<Candidate>,
}

impl ReviewCard {
    /// Every candidate, planet users first, in display order.
    pub fn candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.planet_candidates.iter().chain(self.member_candidates.iter())
    }

    /// The number of candidates.
    pub fn candidate_count(&self) -> usize {
        self.planet_candidates.len() + self.member_candidates.len()
    }
}

/// A planet user, for the "search all planet users" picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanetUserView {
    /// Stable id.
    pub user_id: PlanetUserId,
    /// Nickname.
    pub name: String,
    /// Planet display name, when set.
    pub alias: Option<String>,
    /// Member number.
    pub number: Option<String>,
    /// Whether they posted in the camp's check-in project.
    pub checked_in: bool,
}

/// What kind of item the Borderline & anomalies pane holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    /// Within the camp's margin of the threshold.
    Borderline,
    /// The same person paid twice for one camp.
    DuplicatePayment,
    /// The amount differs from the deposit.
    WrongAmount,
    /// Paid before enrolment opened or after the camp ended.
    OutsideWindow,
    /// Paid but never joined a camp group.
    NotJoined,
    /// Left the camp's group during the camp.
    LeftGroup,
    /// In the group or checking in, but never paid.
    NeverPaid,
    /// Left the planet.
    LeftPlanet,
    /// zsxq's `checkined_days` disagrees with the counted posts.
    CountMismatch,
    /// Posts shorter than the camp's minimum.
    ShortPosts,
    /// Anything else the rules raise, with its own label.
    Other(String),
}

impl ItemKind {
    /// Whether this is a borderline verdict rather than an anomaly.
    pub fn is_borderline(&self) -> bool {
        matches!(self, ItemKind::Borderline)
    }
}

/// How one camp day went for one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayMark {
    /// Checked in.
    Done,
    /// No post.
    Missed,
    /// Excused (leave) by a reviewer.
    Excused,
    /// Counted through a make-up post.
    MadeUp,
    /// A post shorter than the minimum, waiting for review.
    Short,
    /// The day has not come yet.
    Future,
}

/// One camp day in a member's calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceDay {
    /// The camp day.
    pub day: Day,
    /// How it went.
    pub mark: DayMark,
    /// When the (first) post was made.
    pub posted_at: Option<Timestamp>,
    /// The post's first words.
    pub first_words: Option<String>,
    /// Posts that day.
    pub posts: u32,
}

/// A reviewer's decision on an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemDecision {
    /// Counts as passed: the deposit goes back.
    Pass,
    /// Counts as failed: the deposit is kept.
    Fail,
    /// One day excused as leave.
    Excuse {
        /// The excused day.
        day: Day,
    },
}

/// Who an item, card or refund is about; enough for the source to build the
/// person detail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonRef {
    /// The camp.
    pub camp: Option<CampId>,
    /// The payment, when there is one.
    pub transaction_id: Option<TransactionId>,
    /// The planet user, when known.
    pub planet_user_id: Option<PlanetUserId>,
    /// The group member, when known.
    pub external_userid: Option<ExternalUserId>,
}

/// One item of the Borderline & anomalies pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// Stable item id (derived from its kind and subject ids).
    pub id: String,
    /// The camp.
    pub camp: CampId,
    /// What kind.
    pub kind: ItemKind,
    /// Who.
    pub person: PersonRef,
    /// The name to show.
    pub name: String,
    /// What the rules found, in a sentence.
    pub summary: String,
    /// Days counted.
    pub counted_days: u32,
    /// Days required.
    pub required_days: u32,
    /// zsxq ranking position, when listed.
    pub rank: Option<u32>,
    /// zsxq's own day count from the ranking list.
    pub ranking_days: Option<u32>,
    /// Day-by-day evidence.
    pub days: Vec<EvidenceDay>,
    /// The amount at stake.
    pub amount: Option<Money>,
    /// A decision already taken (shown until the item leaves the list).
    pub decided: Option<ItemDecision>,
}

/// One refund in the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundRow {
    /// Refund id.
    pub id: RefundId,
    /// The camp.
    pub camp: CampId,
    /// Who (for the person detail).
    pub person: PersonRef,
    /// Display name of the payer.
    pub name: String,
    /// Amount to refund.
    pub amount: Money,
    /// Where it stands.
    pub state: RefundState,
    /// Which executor pays it.
    pub via: RefundVia,
    /// Why it was proposed ("通过 8/10", "重复付款").
    pub reason: String,
    /// The executor's latest word ("PROCESSING", "NOT_ENOUGH: 余额不足").
    pub executor_note: Option<String>,
    /// Approvals so far (who).
    pub approved_by: Vec<String>,
    /// Approvals the camp needs.
    pub approvals_needed: u8,
    /// Execution attempts.
    pub attempts: u32,
    /// Last change.
    pub updated_at: Timestamp,
}

/// Link states as `campdesk links` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    /// Accepted by the matcher.
    Auto,
    /// Confirmed by a person.
    Confirmed,
    /// Waiting for review.
    Review,
    /// No identity.
    Unmatched,
}

/// A link of a payment to an identity, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkView {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The identity.
    pub target: CandidateRef,
    /// The identity's name.
    pub name: String,
    /// State.
    pub state: LinkState,
    /// Score in log2 odds.
    pub score: f64,
    /// The signals.
    pub reasons: Vec<Reason>,
}

/// Joined or left a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupEventView {
    /// The group's name (or chat id).
    pub group: String,
    /// Joined (true) or left (false).
    pub joined: bool,
    /// When.
    pub at: Timestamp,
}

/// Verdicts as `campdesk eligibility` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerdictKind {
    /// Met the rule.
    Pass,
    /// Within the margin: a human decides.
    Borderline,
    /// Did not meet the rule.
    Fail,
    /// No planet user linked: cannot be counted.
    Unlinked,
}

/// A member's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerdictView {
    /// The verdict.
    pub kind: VerdictKind,
    /// Days counted.
    pub counted_days: u32,
    /// Days required.
    pub required_days: u32,
    /// Why.
    pub reasons: Vec<String>,
    /// Frozen by the camp's final sync.
    pub frozen: bool,
}

/// One transition in a refund's life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundEvent {
    /// The refund.
    pub refund: RefundId,
    /// When.
    pub at: Timestamp,
    /// The new state.
    pub state: RefundState,
    /// Who (a person or `campdesk`).
    pub by: String,
    /// Reason, evidence or executor message.
    pub note: Option<String>,
}

/// One audit entry about the person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    /// Sequence number in the chain.
    pub seq: u64,
    /// When.
    pub at: Timestamp,
    /// Who.
    pub actor: String,
    /// What (`link.confirm`, `refund.approve` …).
    pub action: String,
    /// Details.
    pub details: String,
}

/// Everything about one member of one camp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonDetail {
    /// Who this is.
    pub person: PersonRef,
    /// The name to show.
    pub name: String,
    /// The camp's name.
    pub camp_name: Option<String>,
    /// Planet user, when linked.
    pub planet_user: Option<PlanetUserView>,
    /// Their payments for the camp.
    pub payments: Vec<PaymentView>,
    /// Links and why.
    pub links: Vec<LinkView>,
    /// Group joins and leaves.
    pub group_events: Vec<GroupEventView>,
    /// Day-by-day check-ins.
    pub calendar: Vec<EvidenceDay>,
    /// The verdict, when one exists.
    pub verdict: Option<VerdictView>,
    /// Refund history.
    pub refunds: Vec<RefundEvent>,
    /// Audit entries about them, oldest first.
    pub audit: Vec<AuditView>,
    /// The text for the operator to send the member.
    pub member_message: Option<String>,
}

/// Figures of one camp, or of every camp of the Reports pane added up.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportFigures {
    /// Payments (members who paid; duplicate payments not counted).
    pub paid: u32,
    /// Payers seen in a camp group.
    pub joined: u32,
    /// Payers who checked in at least once.
    pub checked_in: u32,
    /// Passed.
    pub passed: u32,
    /// Borderline (waiting for a person).
    pub borderline: u32,
    /// Failed.
    pub failed: u32,
    /// Not linked to a planet user.
    pub unlinked: u32,
    /// Deposits collected.
    pub collected: Money,
    /// Back with the payers.
    pub refunded: Money,
    /// Kept.
    pub forfeited: Money,
    /// Still being decided or paid.
    pub pending: Money,
    /// Does not add up (see `ledger_errors`).
    pub anomalies: Money,
    /// `collected − (refunded + forfeited + pending + anomalies)`; zero when the ledger balances.
    pub difference: Money,
    /// Payments the ledger reports an error for.
    pub ledger_errors: u32,
    /// Refunds by executor and state.
    pub refunds: Vec<RefundTally>,
    /// Check-ins per camp day (day 1 first).
    pub curve: Vec<CurvePoint>,
}

impl ReportFigures {
    /// Checked in at least once, out of paid.
    pub fn participation(&self) -> (u32, u32) {
        (self.checked_in, self.paid)
    }

    /// Passed, out of paid.
    pub fn completion(&self) -> (u32, u32) {
        (self.passed, self.paid)
    }
}

/// Refunds of one executor in one state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundTally {
    /// Who pays them.
    pub executor: RefundVia,
    /// Their state.
    pub state: RefundState,
    /// Superseded proposals (a verdict changed).
    pub stale: bool,
    /// How many.
    pub count: u32,
    /// Their total.
    pub amount: Money,
}

/// Check-ins on one camp day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Camp day, 1-based.
    pub day_number: u32,
    /// Members with a counted check-in that day.
    pub checked_in: u32,
    /// Members judged that day.
    pub members: u32,
    /// The day has not come yet.
    pub future: bool,
}

/// One camp in the Reports pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportCamp {
    /// Camp id.
    pub id: CampId,
    /// Display name.
    pub name: String,
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// Days needed.
    pub required: u32,
    /// Days of the camp.
    pub days: u32,
    /// Where it is in its life.
    pub phase: CampPhase,
    /// Coaches from camps.toml.
    pub coaches: Vec<String>,
    /// Volunteers from camps.toml.
    pub volunteers: Vec<String>,
    /// Its figures.
    pub figures: ReportFigures,
}

/// A coach or volunteer with their camps' figures added up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffLine {
    /// Name as camps.toml has it.
    pub name: String,
    /// A coach (else a volunteer).
    pub coach: bool,
    /// Their camps.
    pub camps: Vec<CampId>,
    /// Members who paid, in those camps.
    pub paid: u32,
    /// Of them, passed.
    pub passed: u32,
}

/// The Reports pane: every camp in scope and the totals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    /// The day the figures are for.
    pub today: Day,
    /// The camps.
    pub camps: Vec<ReportCamp>,
    /// Every camp added up (the curve adds camp day n of every camp).
    pub total: ReportFigures,
    /// Coaches and volunteers.
    pub staff: Vec<StaffLine>,
}
