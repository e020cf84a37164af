//! Synthetic communities for the match benchmark and the acceptance tests:
//! persons from [`crate::sim::people`] wrapped into payments, group members,
//! planet users and check-in participants, with the true link of every payment,
//! and the metrics of matching.md §5.2 computed against that truth.
//!
//! This is deliberately small: it models only what the matcher reads. The full
//! community generator with servers and check-ins lives in `sim`.

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::camp::CampInput;
use super::earlier::EarlierLinks;
use super::elsewhere::PaymentNames;
use super::outcome::{LinkState, MatchOutcome};
use crate::domain::{
    Attribution, CampId, ChatId, ExternalUserId, GroupMember, MemberKind, Money, NameChange, Payment, PlanetUser,
    PlanetUserId, SourceRef, StaffUserId, TransactionId,
};
use crate::sim::export::{ExportRow, MemberExport};
use crate::sim::people::{Noise, PeopleGenerator, PeopleOptions, Person};

/// How a synthetic community is built. Shares follow matching.md §5.1.
#[derive(Clone, Debug)]
pub struct WorldOptions {
    /// Seed for persons and for everything around them.
    pub seed: u64,
    /// Number of persons.
    pub persons: usize,
    /// Payers per camp.
    pub camp_size: usize,
    /// The deposit.
    pub deposit: Money,
    /// Person noise.
    pub people: PeopleOptions,
    /// Persons who are planet users but pay in no camp.
    pub planet_only: f64,
    /// Payers without a planet account.
    pub payer_without_account: f64,
    /// Payers who never check in.
    pub never_checked_in: f64,
    /// Planet-only persons who check in on some camp anyway (as a share of a camp's payers).
    pub unpaid_participants: f64,
    /// Planet-only persons who join the planet while the camps sell (during the sale of
    /// the first camp they check in on, if any), not long before: namesakes of payers
    /// who join right around someone else's payment.
    pub planet_only_joining: f64,
    /// Payers who were planet members long before paying.
    pub existing_members: f64,
    /// Payments in each camp after the first by payers of earlier camps who pay again
    /// (as a share of the camp's new payers): the same WeChat account, the same planet
    /// account, the same habits.
    pub returning_payers: f64,
    /// Renamed users whose earlier nickname the store had seen.
    pub rename_seen: f64,
    /// Payments of two deposits (one payer, two seats).
    pub multi_seat: f64,
    /// Payments of another amount.
    pub odd_amount: f64,
    /// Staff members per group.
    pub staff_per_group: usize,
    /// Whether the owner imported the planet's member export (its 微信昵称 fills
    /// `PlanetUser::wechat_name` for the users whose member number is known).
    pub member_export: bool,
    /// Planet-only members who had left the planet when the export was taken.
    pub exited_members: f64,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            seed: 1,
            persons: 1000,
            camp_size: 1000,
            deposit: Money::from_fen(3900),
            people: PeopleOptions::default(),
            planet_only: 0.10,
            payer_without_account: 0.05,
            never_checked_in: 0.08,
            unpaid_participants: 0.05,
            planet_only_joining: 0.2,
            existing_members: 0.5,
            returning_payers: 0.08,
            rename_seen: 0.7,
            multi_seat: 0.015,
            odd_amount: 0.02,
            staff_per_group: 3,
            member_export: true,
            exited_members: 0.02,
        }
    }
}

/// One camp of a synthetic community.
#[derive(Clone, Debug)]
pub struct WorldCamp {
    /// Its id.
    pub id: CampId,
    /// The deposit.
    pub deposit: Money,
    /// Payments.
    pub payments: Vec<Payment>,
    /// Group members (payers who joined, staff, a few others).
    pub group_members: Vec<GroupMember>,
    /// Users who checked in on the camp's project.
    pub participants: Vec<PlanetUserId>,
}

impl WorldCamp {
    /// The camp as the matcher takes it (no human decisions, no bind claims), beside
    /// the bill names of the world's payments ([`World::payments`]) and the other camps'
    /// automatic links.
    pub fn input<'a>(&'a self, payment_names: &'a PaymentNames, earlier_links: &'a EarlierLinks) -> CampInput<'a> {
        CampInput {
            camp: Some(&self.id),
            deposit: Some(self.deposit),
            payments: &self.payments,
            group_members: &self.group_members,
            participants: &self.participants,
            decisions: &[],
            bind_claims: &[],
            payment_names: Some(payment_names),
            earlier_links,
        }
    }
}

/// A synthetic community with ground truth.
#[derive(Clone, Debug)]
pub struct World {
    /// Every planet user.
    pub planet_users: Vec<PlanetUser>,
    /// The camps.
    pub camps: Vec<WorldCamp>,
    /// The true planet user of each payment (`None`: the payer has no account).
    pub truth: HashMap<TransactionId, Option<PlanetUserId>>,
    /// The person behind each payment.
    pub payer_of: HashMap<TransactionId, Person>,
    /// The person behind each planet user (payers and planet-only members).
    pub person_of_user: HashMap<PlanetUserId, Person>,
    /// The planet's member export: payers' rows as each camp's export at the camp's
    /// start showed them (members who joined the planet later are missing), and the
    /// rows of the planet-only members who had joined when the last one was taken.
    /// Empty without [`WorldOptions::member_export`].
    pub member_export: MemberExport,
}

impl World {
    /// Every camp's payments.
    pub fn payments(&self) -> impl Iterator<Item = &Payment> {
        self.camps.iter().flat_map(|c| &c.payments)
    }
}

/// The automatic links of a first pass over every camp that the second pass leans on
/// (as the engine's next evaluation reads the other camps' stored links).
pub fn earlier_links(world: &World, outcomes: &[MatchOutcome]) -> EarlierLinks {
    EarlierLinks::from_links(outcomes.iter().flat_map(|o| &o.links), world.payments())
}

/// Builds a community.
pub fn build(o: &WorldOptions) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(o.seed ^ 0x5eed_c0de);
    let persons = PeopleGenerator::new(o.seed, o.people.clone()).generate(o.persons);
    let anchor: Timestamp = "2025-10-01T04:00:00Z".parse().expect("valid timestamp");
    let day = SignedDuration::from_hours(24);

    let mut planet_users: Vec<PlanetUser> = Vec::new();
    let mut camps: Vec<WorldCamp> = Vec::new();
    let mut truth = HashMap::new();
    let mut payer_of = HashMap::new();
    let mut planet_only: Vec<&Person> = Vec::new();
    let mut payers: Vec<&Person> = Vec::new();
    for p in &persons {
        if rng.random_bool(o.planet_only) {
            planet_only.push(p);
        } else {
            payers.push(p);
        }
    }
    let camp_count = payers.len().div_ceil(o.camp_size.max(1)).max(1);
    let mut txn_seq: u64 = 0;
    let mut unpaid_cursor = 0usize;
    // planet_only index → the sale start of the first camp it checks in on.
    let mut first_sale_of: HashMap<usize, Timestamp> = HashMap::new();
    let mut export = MemberExport::default();
    // Its own stream, so the export leaves the rest of a seed's world unchanged.
    let mut export_rng = ChaCha8Rng::seed_from_u64(o.seed ^ 0x6578_706f_7274);
    // Its own stream, so returning payers leave the rest of a seed's world unchanged.
    let mut return_rng = ChaCha8Rng::seed_from_u64(o.seed ^ 0x7265_7475_726e);
    // person id → (planet user, remark, group nickname) of the person's first payment.
    let mut first_payment: HashMap<u64, (Option<PlanetUserId>, String, Option<String>)> = HashMap::new();
    for c in 0..camp_count {
        let id = CampId::new(format!("camp-{:03}", c + 1));
        let chat = ChatId::new(format!("wrCamp{:05}", c + 1));
        let sale_start = anchor + (c as i32 * 3) * day;
        let chunk = &payers[(c * o.camp_size).min(payers.len())..((c + 1) * o.camp_size).min(payers.len())];
        let mut camp = WorldCamp {
            id: id.clone(),
            deposit: o.deposit,
            payments: Vec::new(),
            group_members: Vec::new(),
            participants: Vec::new(),
        };
        for p in chunk {
            txn_seq += 1;
            let txn = TransactionId::new(format!("42000{:09}{:014}", c + 1, txn_seq));
            let paid_at = sale_start + SignedDuration::from_secs(rng.random_range(0..14 * 86_400));
            let roll: f64 = rng.random();
            let amount = if roll < o.multi_seat {
                Money::from_fen(o.deposit.fen() * 2)
            } else if roll < o.multi_seat + o.odd_amount {
                Money::from_fen(o.deposit.fen() - 100 * rng.random_range(1..10))
            } else {
                o.deposit
            };
            let has_account = !rng.random_bool(o.payer_without_account);
            // Someone without a planet account cannot quote a planet nickname, number or id,
            // nor set the group nickname to one: those strings fall back to the WeChat side.
            let remark = if has_account
                || !(p.has(Noise::RemarkNickname)
                    || p.has(Noise::RemarkMemberNumber)
                    || p.has(Noise::RemarkUserId)
                    || p.has(Noise::RemarkMisspelt))
            {
                p.remark.clone()
            } else {
                String::new()
            };
            let group_nickname = if has_account {
                p.group_nickname.clone()
            } else {
                p.group_nickname.as_ref().map(|_| p.handle.clone())
            };
            camp.payments.push(payment(&txn, &id, p, remark.clone(), amount, paid_at));
            // The group: most payers join within hours.
            if rng.random_bool(0.93) {
                let join = paid_at + lognormal_hours(&mut rng, 2.0, 2.48);
                camp.group_members.push(group_member(&chat, p, group_nickname.clone(), join));
            }
            if has_account {
                let joined = if rng.random_bool(o.existing_members) {
                    paid_at - SignedDuration::from_hours(rng.random_range(24 * 30..24 * 700))
                } else if rng.random_bool(0.05) {
                    paid_at - SignedDuration::from_mins(rng.random_range(1..24 * 60))
                } else {
                    paid_at + lognormal_hours(&mut rng, 2.0, 2.48)
                };
                let mut user = planet_user(p, joined);
                let mut renamed_at = None;
                if let Some(later) = &p.planet_name_later {
                    user.name = later.clone();
                    if rng.random_bool(o.rename_seen) {
                        let until = paid_at + SignedDuration::from_hours(rng.random_range(1..240));
                        user.name_history.push(NameChange { name: p.planet_name.clone(), alias: None, until });
                        renamed_at = Some(until);
                    } else {
                        renamed_at = Some(paid_at + SignedDuration::from_hours(120));
                    }
                }
                // The owner exports the members when the camp starts (end of the 14-day sale).
                let export_at = sale_start + 14 * day;
                if joined <= export_at {
                    let name = match (&p.planet_name_later, renamed_at) {
                        (Some(later), Some(at)) if at <= export_at => later.clone(),
                        _ => p.planet_name.clone(),
                    };
                    export.rows.push(export_row(p, name, joined, false));
                    export.taken_at = export.taken_at.max(export_at);
                }
                if !rng.random_bool(o.never_checked_in) {
                    camp.participants.push(user.user_id.clone());
                }
                truth.insert(txn.clone(), Some(user.user_id.clone()));
                first_payment.insert(p.person_id, (Some(user.user_id.clone()), remark, group_nickname));
                planet_users.push(user);
            } else {
                truth.insert(txn.clone(), None);
                first_payment.insert(p.person_id, (None, remark, group_nickname));
            }
            payer_of.insert(txn, (*p).clone());
        }
        // Payers of earlier camps who pay for this one too.
        let earlier = &payers[..(c * o.camp_size).min(payers.len())];
        let returning = ((chunk.len() as f64 * o.returning_payers).round() as usize).min(earlier.len());
        let mut again: Vec<usize> = rand::seq::index::sample(&mut return_rng, earlier.len(), returning).into_vec();
        again.sort_unstable();
        for i in again {
            let p = earlier[i];
            let Some((user, remark, group_nickname)) = first_payment.get(&p.person_id).cloned() else { continue };
            txn_seq += 1;
            let txn = TransactionId::new(format!("42000{:09}{:014}", c + 1, txn_seq));
            let paid_at = sale_start + SignedDuration::from_secs(return_rng.random_range(0..14 * 86_400));
            camp.payments.push(payment(&txn, &id, p, remark, o.deposit, paid_at));
            if return_rng.random_bool(0.93) {
                let join = paid_at + lognormal_hours(&mut return_rng, 2.0, 2.48);
                camp.group_members.push(group_member(&chat, p, group_nickname, join));
            }
            if let Some(u) = &user
                && !return_rng.random_bool(o.never_checked_in)
            {
                camp.participants.push(u.clone());
            }
            truth.insert(txn.clone(), user);
            payer_of.insert(txn, p.clone());
        }
        // Staff in the group.
        for s in 0..o.staff_per_group {
            camp.group_members.push(GroupMember {
                chat_id: chat.clone(),
                member_id: format!("staff{s}"),
                kind: MemberKind::Staff,
                name: Some(["班班", "助教小李", "运营老师"][s % 3].to_string()),
                group_nickname: None,
                unionid: None,
                join_time: Some(sale_start),
                join_scene: Some(1),
                first_seen: sale_start,
                last_seen: sale_start,
                left_at: None,
            });
        }
        // A few planet members check in without paying.
        let unpaid = (chunk.len() as f64 * o.unpaid_participants).round() as usize;
        for _ in 0..unpaid {
            let at = unpaid_cursor % planet_only.len().max(1);
            if let Some(p) = planet_only.get(at) {
                camp.participants.push(PlanetUserId::new(p.planet_user_id.clone()));
                first_sale_of.entry(at).or_insert(sale_start);
            }
            unpaid_cursor += 1;
        }
        camp.participants.sort();
        camp.participants.dedup();
        camps.push(camp);
    }
    // Its own stream too, so the rest of a seed's world stays as it was before this option.
    let mut join_rng = ChaCha8Rng::seed_from_u64(o.seed ^ 0x6a6f_696e);
    let last_sale_end = anchor + (camp_count as i32 * 3 + 14) * day;
    for (i, p) in planet_only.iter().enumerate() {
        let mut joined = anchor - SignedDuration::from_hours(rng.random_range(24..24 * 700));
        if join_rng.random_bool(o.planet_only_joining) {
            let (from, span) = match first_sale_of.get(&i) {
                Some(&sale) => (sale, 14 * 86_400),
                None => (anchor, last_sale_end.duration_since(anchor).as_secs()),
            };
            joined = from + SignedDuration::from_secs(join_rng.random_range(0..span.max(1)));
        }
        let exited = export_rng.random_bool(o.exited_members);
        if joined <= export.taken_at {
            export.rows.push(export_row(p, p.planet_name.clone(), joined, exited));
        }
        planet_users.push(planet_user(p, joined));
    }
    planet_users.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    export.sort();
    if o.member_export {
        apply_export(&mut planet_users, &export);
    } else {
        export = MemberExport::default();
    }
    let person_of_user = persons
        .iter()
        .filter(|p| planet_users.binary_search_by(|u| u.user_id.as_str().cmp(p.planet_user_id.as_str())).is_ok())
        .map(|p| (PlanetUserId::new(p.planet_user_id.clone()), p.clone()))
        .collect();
    World { planet_users, camps, truth, payer_of, person_of_user, member_export: export }
}

/// A person's export row. Every member has a 成员编号 in the export, even when the
/// sync never learned it (`Person::member_number` is `None`); those rows cannot be
/// tied to a planet user.
fn export_row(p: &Person, name: String, joined: Timestamp, exited: bool) -> ExportRow {
    ExportRow {
        number: p.member_number.map_or(900_000 + p.person_id, u64::from),
        name,
        wechat_name: p.export_wechat_name.clone(),
        alias: p.planet_alias.clone().unwrap_or_default(),
        remark_name: String::new(),
        knowledge_id: String::new(),
        role: "成员".to_string(),
        joined_at: joined,
        expires_at: None,
        exited,
    }
}

/// What importing the export does to the planet users (as `records::members` does):
/// a row whose member number a user carries fills the user's WeChat name and marks
/// an exit; rows whose number no user carries change nothing.
pub fn apply_export(users: &mut [PlanetUser], export: &MemberExport) {
    for u in users {
        let Some(row) = u.number.as_deref().and_then(|n| n.parse::<u64>().ok()).and_then(|n| export.row(n)) else {
            continue;
        };
        if u.wechat_name.is_none() {
            u.wechat_name = row.wechat_name.clone();
        }
        if row.exited && u.left_planet_at.is_none() {
            u.left_planet_at = Some(export.taken_at);
        }
    }
}

fn planet_user(p: &Person, joined: Timestamp) -> PlanetUser {
    PlanetUser {
        user_id: PlanetUserId::new(p.planet_user_id.clone()),
        name: p.planet_name.clone(),
        alias: p.planet_alias.clone(),
        number: p.member_number.map(|n| n.to_string()),
        wechat_name: None,
        name_history: Vec::new(),
        joined_planet_at: Some(joined),
        left_planet_at: None,
        first_seen: joined,
        last_seen: joined,
    }
}

/// A person's payment on a camp's bill.
fn payment(
    txn: &TransactionId,
    camp: &CampId,
    p: &Person,
    remark: String,
    amount: Money,
    paid_at: Timestamp,
) -> Payment {
    Payment {
        transaction_id: txn.clone(),
        out_trade_no: None,
        camp: Some(camp.clone()),
        attribution: Attribution::Import,
        payer_external_userid: p.external_userid_on_bill.then(|| ExternalUserId::new(p.external_userid.clone())),
        payer_name: Some(p.wechat_name.clone()),
        remark,
        description: Some("押金".to_string()),
        amount,
        paid_at,
        payee_userid: Some(StaffUserId::new("owner")),
        mch_id: None,
        payment_type: Some(1),
        refunded_total: Money::ZERO,
        bill_refunds: Vec::new(),
        source: SourceRef { raw_id: "synthetic".to_string(), position: None },
    }
}

/// A payer in a camp's WeCom group.
fn group_member(chat: &ChatId, p: &Person, group_nickname: Option<String>, join: Timestamp) -> GroupMember {
    GroupMember {
        chat_id: chat.clone(),
        member_id: p.external_userid.clone(),
        kind: MemberKind::External,
        name: Some(p.wechat_name.clone()),
        group_nickname,
        unionid: None,
        join_time: Some(join),
        join_scene: Some(3),
        first_seen: join,
        last_seen: join,
        left_at: None,
    }
}

/// A lognormal delay with the given median (hours) and σ.
fn lognormal_hours(rng: &mut ChaCha8Rng, median_hours: f64, sigma: f64) -> SignedDuration {
    // Box–Muller.
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    let hours = (median_hours.ln() + sigma * z).exp().min(24.0 * 60.0);
    SignedDuration::from_secs((hours * 3600.0) as i64)
}

/// Matching quality against the truth (matching.md §5.2).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Payments matched.
    pub payments: usize,
    /// Payments whose payer has a planet account.
    pub true_links: usize,
    /// Auto links.
    pub auto: usize,
    /// Auto links to the true user.
    pub auto_correct: usize,
    /// Auto links to anyone else (the number that must be zero).
    pub auto_wrong: usize,
    /// Payments left for review (state review).
    pub review: usize,
    /// Payments without candidates (state unmatched).
    pub unmatched: usize,
    /// Review cards.
    pub cards: usize,
    /// Review payments whose card lists the true user.
    pub review_with_truth: usize,
    /// Review payments whose suggestion is the true user.
    pub review_suggestion_right: usize,
    /// True links in neither an auto link nor on a card.
    pub lost: usize,
    /// Auto recall per noise kind: (kind, true links with it, auto-correct among them).
    pub by_noise: Vec<(String, usize, usize)>,
    /// Payments left to a person (review or unmatched) per reason code of their card
    /// (a card may carry several codes).
    pub review_by_code: Vec<(String, usize)>,
    /// Payments left to a person per cause in the data: the payer has no planet
    /// account, never checked in, paid an odd amount or several seats, or else
    /// (true account, ordinary payment) the evidence the data offered: which of the
    /// export, the remark, the group nickname and the names pointed at the account.
    pub review_by_cause: Vec<(String, usize)>,
}

impl Metrics {
    /// Correct auto links / auto links.
    pub fn precision(&self) -> f64 {
        if self.auto == 0 { 1.0 } else { self.auto_correct as f64 / self.auto as f64 }
    }

    /// Wilson 95 % lower bound of the precision.
    pub fn precision_lower_bound(&self) -> f64 {
        wilson_lower(self.auto_correct, self.auto)
    }

    /// Correct auto links / payments with a true link.
    pub fn recall(&self) -> f64 {
        if self.true_links == 0 { 1.0 } else { self.auto_correct as f64 / self.true_links as f64 }
    }

    /// Review cards / payments.
    pub fn card_share(&self) -> f64 {
        if self.payments == 0 { 0.0 } else { self.cards as f64 / self.payments as f64 }
    }

    /// Adds another camp's metrics.
    pub fn merge(&mut self, o: &Metrics) {
        self.payments += o.payments;
        self.true_links += o.true_links;
        self.auto += o.auto;
        self.auto_correct += o.auto_correct;
        self.auto_wrong += o.auto_wrong;
        self.review += o.review;
        self.unmatched += o.unmatched;
        self.cards += o.cards;
        self.review_with_truth += o.review_with_truth;
        self.review_suggestion_right += o.review_suggestion_right;
        self.lost += o.lost;
        let mut by: BTreeMap<String, (usize, usize)> =
            self.by_noise.iter().map(|(k, a, b)| (k.clone(), (*a, *b))).collect();
        for (k, a, b) in &o.by_noise {
            let e = by.entry(k.clone()).or_default();
            e.0 += a;
            e.1 += b;
        }
        self.by_noise = by.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
        self.review_by_code = add_counts(&self.review_by_code, &o.review_by_code);
        self.review_by_cause = add_counts(&self.review_by_cause, &o.review_by_cause);
    }
}

fn add_counts(a: &[(String, usize)], b: &[(String, usize)]) -> Vec<(String, usize)> {
    let mut by: BTreeMap<String, usize> = a.iter().cloned().collect();
    for (k, n) in b {
        *by.entry(k.clone()).or_default() += n;
    }
    by.into_iter().collect()
}

/// Wilson score interval lower bound at 95 %.
pub fn wilson_lower(successes: usize, n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let z = 1.959_963_984_540_054_f64;
    let n = n as f64;
    let p = successes as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    (centre - spread) / denom
}

/// Scores one camp's outcome against the truth.
pub fn evaluate(world: &World, outcome: &MatchOutcome) -> Metrics {
    let mut m = Metrics { payments: outcome.links.len(), cards: outcome.cards.len(), ..Metrics::default() };
    let cards: HashMap<&str, &super::outcome::ReviewCard> = outcome.cards.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    let participants: std::collections::HashSet<&PlanetUserId> =
        world.camps.iter().filter(|c| Some(&c.id) == camp_of(outcome)).flat_map(|c| &c.participants).collect();
    for link in &outcome.links {
        let truth = world.truth.get(&link.transaction_id).cloned().flatten();
        if truth.is_some() {
            m.true_links += 1;
        }
        let correct_auto = link.state == LinkState::Auto && link.planet_user_id == truth && truth.is_some();
        match link.state {
            LinkState::Auto | LinkState::Confirmed => {
                m.auto += usize::from(link.state == LinkState::Auto);
                if correct_auto {
                    m.auto_correct += 1;
                } else if link.state == LinkState::Auto {
                    m.auto_wrong += 1;
                }
            }
            LinkState::Review | LinkState::Unmatched => {
                let card = link.review_card.as_deref().and_then(|id| cards.get(id));
                for code in card.map(|c| c.codes.as_slice()).unwrap_or_default() {
                    *codes.entry(format!("{code:?}")).or_default() += 1;
                }
                *causes.entry(review_cause(world, link, truth.as_ref(), &participants)).or_default() += 1;
                if link.state == LinkState::Review {
                    m.review += 1;
                } else {
                    m.unmatched += 1;
                }
                let on_card = link
                    .review_card
                    .as_deref()
                    .and_then(|id| cards.get(id))
                    .is_some_and(|c| c.candidates.iter().any(|x| Some(&x.planet_user_id) == truth.as_ref()));
                if truth.is_some() {
                    if on_card {
                        m.review_with_truth += 1;
                    } else {
                        m.lost += 1;
                    }
                    if link.suggested_planet_user_id == truth {
                        m.review_suggestion_right += 1;
                    }
                }
            }
        }
        if truth.is_some()
            && let Some(p) = world.payer_of.get(&link.transaction_id)
        {
            for n in &p.noise {
                let e = by.entry(noise_name(*n)).or_default();
                e.0 += 1;
                e.1 += usize::from(correct_auto);
            }
        }
    }
    m.by_noise = by.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
    m.review_by_code = codes.into_iter().collect();
    m.review_by_cause = causes.into_iter().collect();
    m
}

fn camp_of(outcome: &MatchOutcome) -> Option<&CampId> {
    outcome.links.first().and_then(|l| l.camp.as_ref())
}

/// Why a payment went to a person, from the data's side (see [`Metrics::review_by_cause`]).
pub fn review_cause(
    world: &World,
    link: &super::outcome::Link,
    truth: Option<&PlanetUserId>,
    participants: &std::collections::HashSet<&PlanetUserId>,
) -> String {
    let Some(user_id) = truth else { return "no planet account".to_string() };
    let Some(p) = world.payer_of.get(&link.transaction_id) else { return "unknown payer".to_string() };
    if !participants.contains(user_id) {
        return "never checked in".to_string();
    }
    let user = world.planet_users.binary_search_by(|u| u.user_id.cmp(user_id)).ok().map(|i| &world.planet_users[i]);
    let export_equal = user.and_then(|u| u.wechat_name.as_deref()).is_some_and(|w| {
        crate::matching::normalize::default_normalizer().name(w).core().map(|f| f.text.clone())
            == crate::matching::normalize::default_normalizer().name(&p.wechat_name).core().map(|f| f.text.clone())
    });
    let mut evidence: Vec<&str> = Vec::new();
    if export_equal {
        evidence.push("export");
    } else if user.is_some_and(|u| u.wechat_name.is_none()) {
        evidence.push("no export name");
    } else {
        evidence.push("export differs");
    }
    if p.has(Noise::RemarkNickname) || p.has(Noise::RemarkMemberNumber) || p.has(Noise::RemarkUserId) {
        evidence.push("remark");
    }
    if p.has(Noise::SameNamePair) || p.has(Noise::CrowdedName) {
        evidence.push("same-name pair");
    }
    if p.has(Noise::UnrelatedNicknames) {
        evidence.push("unrelated nicknames");
    }
    if p.has(Noise::NoExternalUseridOnBill) {
        evidence.push("no external_userid");
    }
    evidence.join(" + ")
}

fn noise_name(n: Noise) -> String {
    serde_json::to_value(n).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}
