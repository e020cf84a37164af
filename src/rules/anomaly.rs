//! Anomalies: what is wrong around a camp's payments and members, each a
//! review item with a clear reason, a proposal, and a stable id (kind, camp and
//! subject id) so that decisions about it can be stored and found again.

use super::fast_map::{FastMap, FastSet};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::count::CampCounts;
use super::day_clock::DayClock;
use super::group_view::{GroupView, Standing};
use super::payer::Payer;
use crate::config::{Camp, LeftGroupPolicy};
use crate::domain::{CampId, Money, PlanetUser, PlanetUserId, TransactionId};

/// The kinds of anomaly, in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// A second payment for the camp by the same person.
    DuplicatePayment,
    /// Amount differs from the camp's deposit.
    WrongAmount,
    /// Paid before enrolment opened or after the camp ended.
    PaidOutsideWindow,
    /// Paid, not in any of the camp's groups after `not_joined_limit`.
    NotJoinedRefund,
    /// Paid, not in any of the camp's groups after `not_joined_grace`.
    NotJoined,
    /// Left all of the camp's groups before the camp ended.
    LeftGroup,
    /// The linked planet user left the planet.
    LeftPlanet,
    /// In a camp group with no payment for the camp.
    UnpaidGroupMember,
    /// Checked in to the camp's project with no payment linked.
    UnpaidParticipant,
}

impl AnomalyKind {
    /// The snake_case name (also the first part of the id).
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::DuplicatePayment => "duplicate_payment",
            AnomalyKind::WrongAmount => "wrong_amount",
            AnomalyKind::PaidOutsideWindow => "paid_outside_window",
            AnomalyKind::NotJoinedRefund => "not_joined_refund",
            AnomalyKind::NotJoined => "not_joined",
            AnomalyKind::LeftGroup => "left_group",
            AnomalyKind::LeftPlanet => "left_planet",
            AnomalyKind::UnpaidGroupMember => "unpaid_group_member",
            AnomalyKind::UnpaidParticipant => "unpaid_participant",
        }
    }
}

/// What campdesk proposes to do about an anomaly. Nothing happens without a human.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Proposal {
    /// Information for the owner.
    Inform,
    /// Remind the member (e.g. to join the group).
    Remind,
    /// Hold the payment's verdict until a reviewer decides.
    HoldVerdict,
    /// Refund this payment, after review.
    Refund {
        /// The payment to refund.
        transaction_id: TransactionId,
        /// How much (the whole payment).
        amount: Money,
    },
    /// The camp's policy forfeits the deposit.
    Forfeit,
}

impl Proposal {
    /// Whether the payment's verdict must wait for a reviewer.
    pub fn holds_verdict(&self) -> bool {
        matches!(self, Proposal::HoldVerdict | Proposal::Refund { .. })
    }
}

/// One anomaly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Stable id: `kind:camp:subject` (subject = transaction id, member id or planet user id).
    pub id: String,
    /// What kind.
    pub kind: AnomalyKind,
    /// The camp.
    pub camp: CampId,
    /// The payment concerned, if any.
    pub transaction_id: Option<TransactionId>,
    /// The other payment involved (the first payment, for a duplicate).
    pub related_transaction_id: Option<TransactionId>,
    /// The planet user concerned, if known.
    pub planet_user_id: Option<PlanetUserId>,
    /// The WeCom group member concerned (`external_userid`), if known.
    pub member_id: Option<String>,
    /// When the thing happened (payment, leave), if it has a time.
    pub at: Option<Timestamp>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// What campdesk proposes.
    pub proposal: Proposal,
}

/// The stable id of an anomaly.
pub fn anomaly_id(kind: AnomalyKind, camp: &CampId, subject: &str) -> String {
    format!("{}:{}:{}", kind.as_str(), camp, subject)
}

/// What anomaly detection reads.
#[derive(Clone, Copy, Debug)]
pub struct AnomalyInput<'a, 'p> {
    /// The camp.
    pub camp: &'a Camp,
    /// The camp's days (zone and cutoff), fast over the enrolment and camp window.
    pub days: &'p DayClock,
    /// The payments with their payers.
    pub payers: &'p [Payer<'a>],
    /// The camp's groups.
    pub groups: &'p GroupView<'a>,
    /// Planet users by id.
    pub planet_users: &'p FastMap<&'a PlanetUserId, &'a PlanetUser>,
    /// The check-in counts.
    pub counts: &'p CampCounts,
    /// Now.
    pub now: Timestamp,
}

/// A payment fully refunded on the bill no longer holds a deposit.
fn fully_refunded(payer: &Payer<'_>) -> bool {
    let p = payer.payment;
    p.amount.is_positive() && p.refunded_total >= p.amount
}

fn name_of(users: &FastMap<&PlanetUserId, &PlanetUser>, id: &PlanetUserId) -> String {
    users
        .get(id)
        .map(|u| u.display_name().trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string())
}

/// "3 天 4 小时", "5 小时", "40 分钟".
pub fn duration_text(d: SignedDuration) -> String {
    let minutes = d.as_mins().max(0);
    let (days, hours) = (minutes / (24 * 60), (minutes / 60) % 24);
    match (days, hours) {
        (0, 0) => format!("{minutes} 分钟"),
        (0, h) => format!("{h} 小时"),
        (d, 0) => format!("{d} 天"),
        (d, h) => format!("{d} 天 {h} 小时"),
    }
}

/// Every anomaly of the camp, in kind order, then by subject.
pub fn detect_anomalies(input: &AnomalyInput<'_, '_>) -> Vec<Anomaly> {
    let mut out = Vec::new();
    duplicates(input, &mut out);
    for payer in input.payers {
        amount_and_window(input, payer, &mut out);
        group_membership(input, payer, &mut out);
        left_planet(input, payer, &mut out);
    }
    unpaid_group_members(input, &mut out);
    unpaid_participants(input, &mut out);
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.id.cmp(&b.id)));
    out
}

fn base(
    input: &AnomalyInput<'_, '_>,
    kind: AnomalyKind,
    subject: &str,
    message: String,
    proposal: Proposal,
) -> Anomaly {
    Anomaly {
        id: anomaly_id(kind, &input.camp.id, subject),
        kind,
        camp: input.camp.id.clone(),
        transaction_id: None,
        related_transaction_id: None,
        planet_user_id: None,
        member_id: None,
        at: None,
        message,
        proposal,
    }
}

fn for_payment(
    input: &AnomalyInput<'_, '_>,
    payer: &Payer<'_>,
    kind: AnomalyKind,
    message: String,
    proposal: Proposal,
) -> Anomaly {
    let mut a = base(input, kind, payer.transaction_id().as_str(), message, proposal);
    a.transaction_id = Some(payer.transaction_id().clone());
    a.planet_user_id = payer.planet_user_id.cloned();
    a.member_id = payer.external_ids().next().map(|e| e.to_string());
    a.at = Some(payer.payment.paid_at);
    a
}

/// Payments by the same person (same planet account or same payer
/// `external_userid`): every payment after the first is a duplicate.
fn duplicates(input: &AnomalyInput<'_, '_>, out: &mut Vec<Anomaly>) {
    let live: Vec<&Payer<'_>> = input.payers.iter().filter(|p| !fully_refunded(p)).collect();
    let mut parent: Vec<usize> = (0..live.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with: FastMap<(u8, &str), usize> = FastMap::default();
    for (i, p) in live.iter().enumerate() {
        let keys =
            p.planet_user_id.map(|u| (0u8, u.as_str())).into_iter().chain(p.external_ids().map(|e| (1u8, e.as_str())));
        for key in keys {
            match first_with.get(&key) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    first_with.insert(key, i);
                }
            }
        }
    }
    // Only people with more than one payment form a group.
    let roots: Vec<usize> = (0..live.len()).map(|i| root(&mut parent, i)).collect();
    let mut size = vec![0u32; live.len()];
    for r in &roots {
        size[*r] += 1;
    }
    let mut shared: Vec<(usize, &Payer<'_>)> =
        roots.iter().zip(&live).filter(|(r, _)| size[**r] > 1).map(|(r, p)| (*r, *p)).collect();
    shared.sort_by_key(|(r, _)| *r);
    for group in shared.chunk_by(|a, b| a.0 == b.0) {
        let mut group: Vec<&Payer<'_>> = group.iter().map(|(_, p)| *p).collect();
        group.sort_by(|a, b| {
            a.payment.paid_at.cmp(&b.payment.paid_at).then_with(|| a.transaction_id().cmp(b.transaction_id()))
        });
        let first = group[0];
        for later in &group[1..] {
            let how = match (first.planet_user_id, later.planet_user_id) {
                (Some(a), Some(b)) if a == b => format!("同一星球账号「{}」", name_of(input.planet_users, a)),
                _ => "同一付款人（external_userid 相同）".to_string(),
            };
            let message = format!(
                "重复付款：{how}已于 {} 付过本营押金（{}），这一笔 {} 元是第二笔，建议退还这一笔",
                crate::domain::time::format_zsxq_time(first.payment.paid_at),
                first.transaction_id(),
                later.payment.amount
            );
            let proposal =
                Proposal::Refund { transaction_id: later.transaction_id().clone(), amount: later.payment.amount };
            let mut a = for_payment(input, later, AnomalyKind::DuplicatePayment, message, proposal);
            a.related_transaction_id = Some(first.transaction_id().clone());
            out.push(a);
        }
    }
}

fn amount_and_window(input: &AnomalyInput<'_, '_>, payer: &Payer<'_>, out: &mut Vec<Anomaly>) {
    let camp = input.camp;
    let p = payer.payment;
    if p.amount != camp.deposit {
        let message = format!("付款金额 {} 元与本营押金 {} 元不符：退多少需人工确认", p.amount, camp.deposit);
        out.push(for_payment(input, payer, AnomalyKind::WrongAmount, message, Proposal::HoldVerdict));
    }
    let day = input.days.day_of(p.paid_at);
    let from = camp.enroll_from();
    let message = if day < from {
        Some(format!("付款日期 {day} 早于本营报名开始日 {from}：可能是别的营的付款"))
    } else if day > camp.end {
        Some(format!("付款日期 {day} 晚于营期结束日 {}：可能是下一期的付款", camp.end))
    } else {
        None
    };
    if let Some(message) = message {
        out.push(for_payment(input, payer, AnomalyKind::PaidOutsideWindow, message, Proposal::HoldVerdict));
    }
}

fn group_membership(input: &AnomalyInput<'_, '_>, payer: &Payer<'_>, out: &mut Vec<Anomaly>) {
    let camp = input.camp;
    if !input.groups.configured || !input.groups.synced || !payer.has_external_id() || fully_refunded(payer) {
        return;
    }
    match input.groups.standing(payer.external_ids().map(|e| e.as_str())) {
        Standing::Present => {}
        Standing::NeverJoined => {
            let waited = input.now.duration_since(payer.payment.paid_at);
            let checked = payer
                .planet_user_id
                .and_then(|u| input.counts.members.get(u))
                .map(|c| c.counted())
                .filter(|n| *n > 0)
                .map(|n| format!("（但已打卡 {n} 天）"))
                .unwrap_or_default();
            if waited >= camp.not_joined_limit {
                let message = format!(
                    "付款 {} 后仍未加入本营任何一个群{checked}，已超过 {}：建议退款，需复核",
                    duration_text(waited),
                    duration_text(camp.not_joined_limit)
                );
                let proposal =
                    Proposal::Refund { transaction_id: payer.transaction_id().clone(), amount: payer.payment.amount };
                out.push(for_payment(input, payer, AnomalyKind::NotJoinedRefund, message, proposal));
            } else if waited >= camp.not_joined_grace {
                let message = format!(
                    "付款 {} 后仍未加入本营的群{checked}（宽限 {}）：请提醒入群",
                    duration_text(waited),
                    duration_text(camp.not_joined_grace)
                );
                out.push(for_payment(input, payer, AnomalyKind::NotJoined, message, Proposal::Remind));
            }
        }
        Standing::Left(at) => {
            let day = input.days.day_of(at);
            if day > camp.end || camp.left_group == LeftGroupPolicy::Ignore {
                return;
            }
            let when = if day < camp.start { format!("开营前（{day}）") } else { format!("营期中（{day}）") };
            let (policy, proposal) = match camp.left_group {
                LeftGroupPolicy::Forfeit => ("按本营 left_group = forfeit，押金不退", Proposal::Forfeit),
                _ => ("按本营 left_group = review，判定暂缓，需人工复核", Proposal::HoldVerdict),
            };
            let message = format!("{when}退出了本营所有的群：{policy}");
            let mut a = for_payment(input, payer, AnomalyKind::LeftGroup, message, proposal);
            a.at = Some(at);
            out.push(a);
        }
    }
}

fn left_planet(input: &AnomalyInput<'_, '_>, payer: &Payer<'_>, out: &mut Vec<Anomaly>) {
    let Some(uid) = payer.planet_user_id else { return };
    let Some(left) = input.planet_users.get(uid).and_then(|u| u.left_planet_at) else { return };
    let message = format!(
        "星球用户「{}」已于 {} 退出星球：判定暂缓，需人工复核",
        name_of(input.planet_users, uid),
        input.days.day_of(left)
    );
    let mut a = for_payment(input, payer, AnomalyKind::LeftPlanet, message, Proposal::HoldVerdict);
    a.at = Some(left);
    out.push(a);
}

fn unpaid_group_members(input: &AnomalyInput<'_, '_>, out: &mut Vec<Anomaly>) {
    let paid: FastSet<&str> = input.payers.iter().flat_map(|p| p.external_ids().map(|e| e.as_str())).collect();
    for member_id in input.groups.external_members() {
        if paid.contains(member_id) {
            continue;
        }
        let name = input
            .groups
            .records_of(member_id)
            .find_map(|m| m.group_nickname.as_deref().or(m.name.as_deref()))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(member_id);
        let message =
            format!("群成员「{name}」在本营的群里，但没有找到其本营付款（未付款，或付款还没关联到这位群成员）");
        let mut a = base(input, AnomalyKind::UnpaidGroupMember, member_id, message, Proposal::Inform);
        a.member_id = Some(member_id.to_string());
        a.at = input.groups.records_of(member_id).filter_map(|m| m.join_time.or(Some(m.first_seen))).min();
        out.push(a);
    }
}

fn unpaid_participants(input: &AnomalyInput<'_, '_>, out: &mut Vec<Anomaly>) {
    let linked: FastSet<&PlanetUserId> = input.payers.iter().filter_map(|p| p.planet_user_id).collect();
    let unlinked_payments = input.payers.iter().filter(|p| p.planet_user_id.is_none()).count();
    let hint = if unlinked_payments > 0 {
        format!("；本营还有 {unlinked_payments} 笔付款未关联星球账号，可能其中有一笔是 ta 的")
    } else {
        String::new()
    };
    for (uid, count) in &input.counts.members {
        let days = count.platform_days.max(count.ranking_days.unwrap_or(0));
        if days == 0 || linked.contains(uid) {
            continue;
        }
        let message = format!(
            "星球用户「{}」参加了本营打卡（{days} 天），但没有关联到本营的付款{hint}",
            name_of(input.planet_users, uid)
        );
        let mut a = base(input, AnomalyKind::UnpaidParticipant, uid.as_str(), message, Proposal::Inform);
        a.planet_user_id = Some(uid.clone());
        out.push(a);
    }
}
