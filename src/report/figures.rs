//! The figures of a report, computed from stored evaluations, refunds and
//! records (pure: no store, no clock; the caller gathers the inputs).
//!
//! Members are counted per person, not per payment: a duplicate payment
//! (`duplicate_of` set) adds money to the ledger but no member. Every rate keeps
//! its numerator and denominator.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ledger::{self, Bucket, CampLedger, LedgerError, add};
use super::period::Period;
use crate::config::Camp;
use crate::domain::{
    CampId, Day, GroupMember, MemberKind, Money, Payment, PlanetUserId, RefundState, RefundVia, TransactionId,
};
use crate::matching::Link;
use crate::refund::Refund;
use crate::rules::{CampEvaluation, Verdict, VerdictKind};

/// A share with its numerator and denominator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// What is counted.
    pub numerator: u32,
    /// Out of how many.
    pub denominator: u32,
    /// `numerator / denominator` in percent, to one decimal (half up); `null` when the denominator is 0.
    pub percent: Option<f64>,
}

impl Rate {
    /// `numerator` out of `denominator`.
    pub fn new(numerator: u32, denominator: u32) -> Rate {
        Rate { numerator, denominator, percent: Rate::permille(numerator, denominator).map(|p| f64::from(p) / 10.0) }
    }

    /// The share in tenths of a percent, rounded half up (integer arithmetic).
    pub fn permille(numerator: u32, denominator: u32) -> Option<u32> {
        (denominator > 0).then(|| {
            let n = u64::from(numerator) * 2000 + u64::from(denominator);
            u32::try_from(n / (2 * u64::from(denominator))).unwrap_or(u32::MAX)
        })
    }
}

impl std::fmt::Display for Rate {
    /// `61.5% (123/200)`, or `— (0/0)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match Rate::permille(self.numerator, self.denominator) {
            Some(p) => write!(f, "{}.{}% ({}/{})", p / 10, p % 10, self.numerator, self.denominator),
            None => write!(f, "— ({}/{})", self.numerator, self.denominator),
        }
    }
}

/// Where a camp is on the report's day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampStage {
    /// Before its first day.
    Upcoming,
    /// Between its first and last day.
    Running,
    /// After its last day.
    Ended,
}

impl CampStage {
    /// The stage of `camp` on `today`.
    pub fn of(camp: &Camp, today: Day) -> CampStage {
        if today < camp.start {
            CampStage::Upcoming
        } else if today <= camp.end {
            CampStage::Running
        } else {
            CampStage::Ended
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            CampStage::Upcoming => "未开营",
            CampStage::Running => "进行中",
            CampStage::Ended => "已结营",
        }
    }
}

/// Who took part and how it went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberFigures {
    /// Members who paid (one per person: duplicate payments are not members).
    pub paid: u32,
    /// Of them, in one of the camp's groups at some point.
    pub joined_group: u32,
    /// Of them, checked in at least once inside the camp window.
    pub checked_in: u32,
    /// Verdict pass.
    pub passed: u32,
    /// Verdict borderline.
    pub borderline: u32,
    /// Verdict fail, final (the camp and its make-up window are over).
    pub failed: u32,
    /// Verdict fail while the camp (or its make-up window) still runs: not final yet.
    #[serde(default)]
    pub open: u32,
    /// Verdict unlinked (no planet account linked yet).
    pub unlinked: u32,
    /// Paid but not evaluated yet.
    pub not_evaluated: u32,
    /// Extra payments by a member who had paid already.
    pub duplicate_payments: u32,
    /// Checked in at least once / paid.
    pub participation: Rate,
    /// Passed / paid.
    pub completion: Rate,
}

impl MemberFigures {
    fn add(&mut self, o: &MemberFigures) {
        self.paid += o.paid;
        self.joined_group += o.joined_group;
        self.checked_in += o.checked_in;
        self.passed += o.passed;
        self.borderline += o.borderline;
        self.failed += o.failed;
        self.open += o.open;
        self.unlinked += o.unlinked;
        self.not_evaluated += o.not_evaluated;
        self.duplicate_payments += o.duplicate_payments;
        self.rates();
    }

    fn rates(&mut self) {
        self.participation = Rate::new(self.checked_in, self.paid);
        self.completion = Rate::new(self.passed, self.paid);
    }
}

/// Money of a camp (or of all camps), reconciled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyFigures {
    /// Deposits collected (every payment attributed to the camp).
    #[serde(rename = "collected_fen")]
    pub collected: Money,
    /// Refunded.
    #[serde(rename = "refunded_fen")]
    pub refunded: Money,
    /// Forfeited (kept).
    #[serde(rename = "forfeited_fen")]
    pub forfeited: Money,
    /// Still pending.
    #[serde(rename = "pending_fen")]
    pub pending: Money,
    /// In anomaly (see `errors`).
    #[serde(rename = "anomalies_fen")]
    pub anomalies: Money,
    /// `collected − (refunded + forfeited + pending + anomalies)`.
    #[serde(rename = "difference_fen")]
    pub difference: Money,
    /// Whether it reconciles to the fen with nothing in doubt.
    pub balanced: bool,
    /// What does not add up.
    pub errors: Vec<LedgerError>,
}

impl MoneyFigures {
    fn of(l: &CampLedger) -> MoneyFigures {
        MoneyFigures {
            collected: l.collected,
            refunded: l.refunded,
            forfeited: l.forfeited,
            pending: l.pending,
            anomalies: l.anomalies,
            difference: l.difference,
            balanced: l.balanced(),
            errors: l.errors.clone(),
        }
    }

    fn add(&mut self, o: &MoneyFigures) {
        self.collected = add(self.collected, o.collected);
        self.refunded = add(self.refunded, o.refunded);
        self.forfeited = add(self.forfeited, o.forfeited);
        self.pending = add(self.pending, o.pending);
        self.anomalies = add(self.anomalies, o.anomalies);
        self.difference = add(self.difference, o.difference);
        self.errors.extend(o.errors.iter().cloned());
        self.balanced = self.difference == Money::ZERO && self.errors.is_empty();
    }
}

/// Refunds of one executor in one state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundBucket {
    /// How they are paid.
    pub executor: RefundVia,
    /// Where they stand.
    pub state: RefundState,
    /// Their basis no longer holds (never paid while so).
    pub stale: bool,
    /// How many.
    pub count: u32,
    /// Their total.
    #[serde(rename = "amount_fen")]
    pub amount: Money,
}

/// Check-ins on one camp day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayPoint {
    /// 1-based day of the camp.
    pub day_number: u32,
    /// The calendar day (absent on a total over camps of different dates).
    pub day: Option<Day>,
    /// Members with a counted check-in that day.
    pub checked_in: u32,
    /// Linked paying members who could check in (the denominator).
    pub members: u32,
    /// The day has not come yet on the report's day.
    pub future: bool,
}

/// One payment of a camp, for the member sheets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The name to show: planet name when linked, else the payer's name.
    pub name: String,
    /// The payer's name on the bill.
    pub payer_name: Option<String>,
    /// The linked planet user.
    pub planet_user_id: Option<PlanetUserId>,
    /// When paid.
    pub paid_at: Timestamp,
    /// Amount paid.
    #[serde(rename = "amount_fen")]
    pub amount: Money,
    /// Counted days (none before evaluation).
    pub checkin_days: Option<u32>,
    /// Days required.
    pub required_days: u32,
    /// The verdict in force.
    pub verdict: Option<VerdictKind>,
    /// A duplicate of this earlier payment.
    pub duplicate_of: Option<TransactionId>,
    /// In a camp group at some point.
    pub joined_group: bool,
    /// The refund that decides the payment's money.
    pub refund_state: Option<RefundState>,
    /// Refunded so far.
    #[serde(rename = "refunded_fen")]
    pub refunded: Money,
    /// Ledger bucket.
    pub bucket: Bucket,
    /// Why that bucket.
    pub bucket_reason: String,
}

/// Everything about one camp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampReport {
    /// Id.
    pub camp: CampId,
    /// Name.
    pub name: String,
    /// First day.
    pub start: Day,
    /// Last day.
    pub end: Day,
    /// Camp days.
    pub days: u32,
    /// Days needed.
    pub required: u32,
    /// The deposit.
    #[serde(rename = "deposit_fen")]
    pub deposit: Money,
    /// How refunds are paid.
    pub refund_via: RefundVia,
    /// Coaches.
    pub coaches: Vec<String>,
    /// Volunteers.
    pub volunteers: Vec<String>,
    /// Where the camp is.
    pub stage: CampStage,
    /// When its stored evaluation was made (None: never evaluated).
    pub evaluated_at: Option<Timestamp>,
    /// Members.
    pub members: MemberFigures,
    /// Money.
    pub money: MoneyFigures,
    /// Refunds by executor and state.
    pub refunds: Vec<RefundBucket>,
    /// Check-ins per camp day.
    pub day_curve: Vec<DayPoint>,
    /// One row per payment, in payment order.
    pub rows: Vec<MemberRow>,
}

/// A coach's or volunteer's camps and how they went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffFigures {
    /// Name or WeCom userid as camps.toml has it.
    pub name: String,
    /// `coach` or `volunteer`.
    pub role: StaffRole,
    /// Their camps.
    pub camps: Vec<CampId>,
    /// Members of those camps, added up.
    pub members: MemberFigures,
}

/// The part someone plays in a camp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// 教练.
    Coach,
    /// 志愿者.
    Volunteer,
}

impl StaffRole {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Coach => "教练",
            StaffRole::Volunteer => "志愿者",
        }
    }
}

/// All camps together.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Camps in the report.
    pub camps: u32,
    /// Members, added up (rates recomputed from the sums).
    pub members: MemberFigures,
    /// Money, added up.
    pub money: MoneyFigures,
    /// Refunds by executor and state.
    pub refunds: Vec<RefundBucket>,
}

/// A report over some camps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// When it was made.
    pub generated_at: Timestamp,
    /// The day it was made (camp stages refer to it).
    pub today: Day,
    /// The period asked for (None: every camp).
    pub period: Option<Period>,
    /// The camps, in camps.toml order.
    pub camps: Vec<CampReport>,
    /// All camps together.
    pub totals: Totals,
    /// Per coach and volunteer.
    pub staff: Vec<StaffFigures>,
    /// Check-ins per camp day number, over every camp.
    pub day_curve: Vec<DayPoint>,
}

impl Report {
    /// Whether every camp's money reconciles to the fen.
    pub fn balanced(&self) -> bool {
        self.totals.money.balanced
    }
}

/// What one camp's figures are computed from.
#[derive(Clone, Copy, Debug)]
pub struct CampData<'a> {
    /// The camp.
    pub camp: &'a Camp,
    /// Payments attributed to it.
    pub payments: &'a [Payment],
    /// Its stored evaluation.
    pub evaluation: Option<&'a CampEvaluation>,
    /// Its refunds.
    pub refunds: &'a [Refund],
    /// Its stored links (for payers' external_userid found through a group member).
    pub links: &'a [Link],
    /// Everyone its groups ever listed.
    pub group_members: &'a [GroupMember],
    /// Planet user id → the name to show.
    pub planet_names: &'a HashMap<String, String>,
    /// Reconciliation's bill matches: (transaction, bill out_refund_no) → queue refund.
    pub matches: &'a BTreeMap<(TransactionId, String), crate::domain::RefundId>,
    /// Reconciliation findings of the camp (open ones are anomalies).
    pub findings: &'a [crate::refund::reconcile::Finding],
}

/// One camp's figures on `today`.
pub fn camp_report(d: &CampData<'_>, today: Day) -> CampReport {
    let camp = d.camp;
    let verdicts: &[Verdict] = d.evaluation.map_or(&[], |e| e.verdicts.as_slice());
    let verdict_of: BTreeMap<&TransactionId, &Verdict> = verdicts.iter().map(|v| (&v.transaction_id, v)).collect();
    let link_of: BTreeMap<&TransactionId, &Link> = d.links.iter().map(|l| (&l.transaction_id, l)).collect();
    let in_groups: BTreeSet<&str> = d
        .group_members
        .iter()
        .filter(|m| m.kind == MemberKind::External && camp.group_chats.contains(&m.chat_id))
        .map(|m| m.member_id.as_str())
        .collect();
    let payout = crate::refund::ledger::camp_ledger(&crate::refund::ledger::LedgerInput {
        camp: &camp.id,
        payments: d.payments,
        refunds: d.refunds,
        evaluation: d.evaluation,
        matches: d.matches,
        findings: d.findings,
    });
    let ledger = ledger::from_payout(&payout, d.refunds);
    let line_of: BTreeMap<&TransactionId, &ledger::LedgerLine> =
        ledger.lines.iter().map(|l| (&l.transaction_id, l)).collect();

    let mut members = MemberFigures::default();
    let mut rows = Vec::with_capacity(d.payments.len());
    let mut counted_days: Vec<&Verdict> = Vec::new();
    for p in d.payments {
        let v = verdict_of.get(&p.transaction_id).copied();
        let link = link_of.get(&p.transaction_id).copied();
        let external = p
            .payer_external_userid
            .as_ref()
            .or_else(|| link.and_then(|l| l.external_userid.as_ref()))
            .map(|e| e.as_str());
        let joined = external.is_some_and(|e| in_groups.contains(e));
        let duplicate_of = v.and_then(|v| v.duplicate_of.clone());
        if duplicate_of.is_some() {
            members.duplicate_payments += 1;
        } else {
            members.paid += 1;
            members.joined_group += u32::from(joined);
            match v {
                None => members.not_evaluated += 1,
                Some(v) => {
                    members.checked_in += u32::from(v.days.iter().any(|day| day.topic_id.is_some()));
                    match v.verdict {
                        VerdictKind::Pass => members.passed += 1,
                        VerdictKind::Borderline => members.borderline += 1,
                        VerdictKind::Fail if v.provisional => members.open += 1,
                        VerdictKind::Fail => members.failed += 1,
                        VerdictKind::Unlinked => members.unlinked += 1,
                    }
                    if v.planet_user_id.is_some() {
                        counted_days.push(v);
                    }
                }
            }
        }
        let planet = v.and_then(|v| v.planet_user_id.clone()).or_else(|| link.and_then(|l| l.planet_user_id.clone()));
        let name = planet
            .as_ref()
            .and_then(|u| d.planet_names.get(u.as_str()).cloned())
            .or_else(|| p.payer_name.clone())
            .unwrap_or_default();
        let line = line_of.get(&p.transaction_id);
        rows.push(MemberRow {
            transaction_id: p.transaction_id.clone(),
            name,
            payer_name: p.payer_name.clone(),
            planet_user_id: planet,
            paid_at: p.paid_at,
            amount: p.amount,
            checkin_days: v.map(|v| v.checkin_days),
            required_days: camp.required,
            verdict: v.map(|v| v.verdict),
            duplicate_of,
            joined_group: joined,
            refund_state: line.and_then(|l| l.refund_state),
            refunded: line.map_or(Money::ZERO, |l| l.refunded),
            bucket: line.map_or(Bucket::Pending, |l| l.bucket),
            bucket_reason: line.map(|l| l.reason.clone()).unwrap_or_default(),
        });
    }
    members.rates();

    let mut per_day: BTreeMap<Day, u32> = BTreeMap::new();
    for v in &counted_days {
        let days: BTreeSet<Day> = v.days.iter().map(|c| c.day).collect();
        for day in days {
            *per_day.entry(day).or_default() += 1;
        }
    }
    let denominator = u32::try_from(counted_days.len()).unwrap_or(u32::MAX);
    let day_curve = camp
        .start
        .through(camp.end)
        .enumerate()
        .map(|(i, day)| DayPoint {
            day_number: u32::try_from(i + 1).unwrap_or(u32::MAX),
            day: Some(day),
            checked_in: per_day.get(&day).copied().unwrap_or(0),
            members: denominator,
            future: day > today,
        })
        .collect();

    CampReport {
        camp: camp.id.clone(),
        name: camp.name.clone(),
        start: camp.start,
        end: camp.end,
        days: camp.days,
        required: camp.required,
        deposit: camp.deposit,
        refund_via: camp.refund_via,
        coaches: camp.coaches.clone(),
        volunteers: camp.volunteers.clone(),
        stage: CampStage::of(camp, today),
        evaluated_at: d.evaluation.map(|e| e.evaluated_at),
        members,
        money: MoneyFigures::of(&ledger),
        refunds: refund_buckets(d.refunds.iter()),
        day_curve,
        rows,
    }
}

/// Refunds counted and summed by executor, state and staleness.
pub fn refund_buckets<'a>(refunds: impl Iterator<Item = &'a Refund>) -> Vec<RefundBucket> {
    let mut by: BTreeMap<(&'static str, RefundState, bool), RefundBucket> = BTreeMap::new();
    for r in refunds {
        let stale = r.stale.is_some();
        let b = by.entry((r.proposal.executor.as_str(), r.state, stale)).or_insert(RefundBucket {
            executor: r.proposal.executor,
            state: r.state,
            stale,
            count: 0,
            amount: Money::ZERO,
        });
        b.count += 1;
        b.amount = add(b.amount, r.amount());
    }
    by.into_values().collect()
}

fn merge_buckets(all: &mut Vec<RefundBucket>, more: &[RefundBucket]) {
    for b in more {
        match all.iter_mut().find(|x| x.executor == b.executor && x.state == b.state && x.stale == b.stale) {
            Some(x) => {
                x.count += b.count;
                x.amount = add(x.amount, b.amount);
            }
            None => all.push(b.clone()),
        }
    }
    all.sort_by(|a, b| (a.executor.as_str(), a.state, a.stale).cmp(&(b.executor.as_str(), b.state, b.stale)));
}

/// The report over `camps` (already computed per camp): totals, staff and the
/// curve over camp day numbers.
pub fn report(camps: Vec<CampReport>, period: Option<Period>, generated_at: Timestamp, today: Day) -> Report {
    let mut totals = Totals { camps: u32::try_from(camps.len()).unwrap_or(u32::MAX), ..Totals::default() };
    totals.money.balanced = true;
    let mut staff: BTreeMap<(String, StaffRole), StaffFigures> = BTreeMap::new();
    let mut curve: BTreeMap<u32, DayPoint> = BTreeMap::new();
    for c in &camps {
        totals.members.add(&c.members);
        totals.money.add(&c.money);
        merge_buckets(&mut totals.refunds, &c.refunds);
        let roles = c
            .coaches
            .iter()
            .map(|n| (n, StaffRole::Coach))
            .chain(c.volunteers.iter().map(|n| (n, StaffRole::Volunteer)));
        for (name, role) in roles {
            let s = staff.entry((name.clone(), role)).or_insert_with(|| StaffFigures {
                name: name.clone(),
                role,
                camps: Vec::new(),
                members: MemberFigures::default(),
            });
            if !s.camps.contains(&c.camp) {
                s.camps.push(c.camp.clone());
                s.members.add(&c.members);
            }
        }
        for p in &c.day_curve {
            let e = curve.entry(p.day_number).or_insert(DayPoint {
                day_number: p.day_number,
                day: None,
                checked_in: 0,
                members: 0,
                future: true,
            });
            e.checked_in += p.checked_in;
            if !p.future {
                e.members += p.members;
                e.future = false;
            }
        }
    }
    let mut staff: Vec<StaffFigures> = staff.into_values().collect();
    staff.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));
    Report { generated_at, today, period, camps, totals, staff, day_curve: curve.into_values().collect() }
}

#[cfg(test)]
mod tests;
