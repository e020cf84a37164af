//! Live progress while a camp runs: per member days so far, days left, whether
//! passing is still possible, who has not checked in today, and a status text
//! the operator can send. Nobody is told to hurry when they can no longer pass.

use serde::{Deserialize, Serialize};

use super::count::{CountRule, MemberCount};
use super::fast_map::FastSet;
use super::payer::Payer;
use crate::config::Camp;
use crate::domain::{Day, PlanetUserId, TransactionId};

/// Where the camp is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Before the first day.
    NotStarted,
    /// Between the first and the last day.
    Running,
    /// After the last day, make-up posts still possible.
    MakeupWindow,
    /// Over.
    Ended,
}

/// A member's standing against the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Must check in on every remaining day to pass.
    MustNotMiss,
    /// Can still pass with days to spare.
    OnTrack,
    /// Already has the required days.
    Passed,
    /// Cannot reach the required days any more.
    CannotPass,
    /// No planet account linked: nothing to count.
    Unlinked,
}

/// How far a member can still get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feasibility {
    /// Days counted so far (posted, made up, excused).
    pub days_so_far: u32,
    /// Today is already counted.
    pub done_today: bool,
    /// Camp days still to be earned: uncounted days from today on, plus missed
    /// days a make-up post could still cover.
    pub days_left: u32,
    /// Days still needed to reach the rule.
    pub still_needed: u32,
    /// `days_so_far + days_left >= required`.
    pub possible: bool,
}

/// What a member can still reach on `today`.
pub fn feasibility(count: &MemberCount, rule: &CountRule, required: u32, today: Day) -> Feasibility {
    let n = i32::try_from(rule.makeup_days).unwrap_or(i32::MAX);
    let days_left =
        count.uncounted.iter().filter(|d| **d >= today || (rule.makeup_days > 0 && d.plus_days(n) >= today)).count();
    let days_left = u32::try_from(days_left).unwrap_or(u32::MAX);
    let days_so_far = count.counted();
    Feasibility {
        days_so_far,
        done_today: count.has_day(today),
        days_left,
        still_needed: required.saturating_sub(days_so_far),
        possible: days_so_far.saturating_add(days_left) >= required,
    }
}

/// The status for a feasibility.
pub fn status_of(f: &Feasibility) -> MemberStatus {
    if f.still_needed == 0 {
        MemberStatus::Passed
    } else if !f.possible {
        MemberStatus::CannotPass
    } else if f.days_left == f.still_needed {
        MemberStatus::MustNotMiss
    } else {
        MemberStatus::OnTrack
    }
}

/// One member's progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberProgress {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The linked planet account.
    pub planet_user_id: Option<PlanetUserId>,
    /// The name to address them by.
    pub name: String,
    /// Where they stand (absent when unlinked).
    #[serde(flatten)]
    pub feasibility: Option<Feasibility>,
    /// Their status.
    pub status: MemberStatus,
    /// A message the operator can send them (Chinese).
    pub text: String,
}

/// Someone who has not checked in today, for coaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCheckedIn {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The planet account.
    pub planet_user_id: PlanetUserId,
    /// Their name.
    pub name: String,
    /// Their status (those who must not miss a day come first).
    pub status: MemberStatus,
    /// Days still needed.
    pub still_needed: u32,
    /// Days still available.
    pub days_left: u32,
}

/// A camp's progress on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampProgress {
    /// Today's camp day.
    pub today: Day,
    /// Where the camp is.
    pub phase: Phase,
    /// Today is day `n` of the camp (while it runs).
    pub day_number: Option<u32>,
    /// The camp's length.
    pub days_total: u32,
    /// One entry per payment, in payment order.
    pub members: Vec<MemberProgress>,
    /// Linked members who have not checked in today (while the camp runs),
    /// those at risk first.
    pub not_checked_in_today: Vec<NotCheckedIn>,
}

/// The phase of a camp on `today`.
pub fn phase_of(rule: &CountRule, today: Day) -> Phase {
    if today < rule.start {
        Phase::NotStarted
    } else if today <= rule.end {
        Phase::Running
    } else if today <= rule.last_makeup_day() {
        Phase::MakeupWindow
    } else {
        Phase::Ended
    }
}

fn md(d: Day) -> String {
    format!("{}月{}日", d.date().month(), d.date().day())
}

/// The message for a linked member.
pub fn status_text(camp: &Camp, rule: &CountRule, name: &str, today: Day, f: &Feasibility) -> String {
    let status = status_of(f);
    let hello = format!("{name}你好：");
    let rule_text = format!("{}/{} 天", camp.required, camp.days);
    match phase_of(rule, today) {
        Phase::NotStarted => format!(
            "{hello}「{}」将于 {} 开营，共 {} 天，打卡满 {} 天即可全额退还押金 {} 元。",
            camp.name,
            md(camp.start),
            camp.days,
            camp.required,
            camp.deposit
        ),
        Phase::Ended => match status {
            MemberStatus::Passed => {
                format!("{hello}训练营已结束，你共打卡 {} 天，达到了退押金要求（{rule_text}）。", f.days_so_far)
            }
            _ => format!(
                "{hello}训练营已结束，你共打卡 {} 天，未达到退押金要求（{rule_text}）。如有疑问请联系助教。",
                f.days_so_far
            ),
        },
        phase => {
            let so_far = format!("截至{}你已打卡 {} 天", md(today), f.days_so_far);
            let makeup = if phase == Phase::MakeupWindow {
                format!("（营期已结束，{}前还可补卡）", md(rule.last_makeup_day()))
            } else {
                String::new()
            };
            let today_note = if phase == Phase::Running && !f.done_today { "，今天还没有打卡" } else { "" };
            match status {
                MemberStatus::Passed => {
                    format!("{hello}{so_far}，已达到退押金要求（{rule_text}），继续保持！")
                }
                MemberStatus::CannotPass => format!(
                    "{hello}{so_far}，剩余可打卡 {} 天{makeup}，已无法达到退押金要求（{rule_text}）。欢迎继续打卡学习。",
                    f.days_left
                ),
                MemberStatus::MustNotMiss => format!(
                    "{hello}{so_far}，还需 {} 天，剩余可打卡正好 {} 天{makeup}{today_note}：接下来每天都要打卡才能退押金（{rule_text}）。",
                    f.still_needed, f.days_left
                ),
                _ => format!(
                    "{hello}{so_far}，还需 {} 天即可退押金（{rule_text}），剩余可打卡 {} 天{makeup}{today_note}。",
                    f.still_needed, f.days_left
                ),
            }
        }
    }
}

/// The message for a payment with no planet account linked: it carries the
/// payment's bind code, which the payer posts in a check-in to link their account
/// themselves (the code is the payer's alone: it goes out one to one, never to the group).
pub fn unlinked_text(camp: &Camp, payer_name: &str, transaction_id: &TransactionId) -> String {
    format!(
        "{payer_name}你好：我们收到了你「{}」的押金 {} 元，但还没能对应到你的星球账号。请在本营打卡时附上一句「绑定 {}」，系统会自动关联你的账号（这个码只属于你这笔付款，请勿转给他人）；也可以直接回复你的星球昵称。",
        camp.name,
        camp.deposit,
        crate::matching::bind::bind_code(transaction_id)
    )
}

/// Builds a camp's progress one payment at a time (so the engine can do it
/// while each member's count is at hand).
#[derive(Debug)]
pub struct ProgressBuilder<'c, 'p> {
    camp: &'c Camp,
    rule: &'c CountRule,
    today: Day,
    phase: Phase,
    members: Vec<MemberProgress>,
    not_checked_in_today: Vec<NotCheckedIn>,
    listed: FastSet<&'p PlanetUserId>,
}

impl<'c, 'p> ProgressBuilder<'c, 'p> {
    /// An empty progress for `camp` on `today`, with room for `payments` entries.
    pub fn new(camp: &'c Camp, rule: &'c CountRule, today: Day, payments: usize) -> Self {
        ProgressBuilder {
            camp,
            rule,
            today,
            phase: phase_of(rule, today),
            members: Vec::with_capacity(payments),
            not_checked_in_today: Vec::new(),
            listed: FastSet::default(),
        }
    }

    /// Adds one payment: `count` is its linked member's count, `name` their display name.
    pub fn add(&mut self, payer: &Payer<'p>, count: Option<&MemberCount>, name: Option<&str>) {
        let (camp, rule, today) = (self.camp, self.rule, self.today);
        let linked = payer.planet_user_id.zip(count);
        let Some((uid, count)) = linked else {
            let name = payer.payment.payer_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("同学");
            self.members.push(MemberProgress {
                transaction_id: payer.transaction_id().clone(),
                planet_user_id: None,
                name: name.to_string(),
                feasibility: None,
                status: MemberStatus::Unlinked,
                text: unlinked_text(camp, name, payer.transaction_id()),
            });
            return;
        };
        let name = name.map(str::trim).filter(|n| !n.is_empty()).unwrap_or("同学").to_string();
        let f = feasibility(count, rule, camp.required, today);
        let status = status_of(&f);
        if self.phase == Phase::Running && !f.done_today && self.listed.insert(uid) {
            self.not_checked_in_today.push(NotCheckedIn {
                transaction_id: payer.transaction_id().clone(),
                planet_user_id: uid.clone(),
                name: name.clone(),
                status,
                still_needed: f.still_needed,
                days_left: f.days_left,
            });
        }
        self.members.push(MemberProgress {
            transaction_id: payer.transaction_id().clone(),
            planet_user_id: Some(uid.clone()),
            text: status_text(camp, rule, &name, today, &f),
            name,
            feasibility: Some(f),
            status,
        });
    }

    /// The progress, with the "not checked in today" list ordered by urgency.
    pub fn finish(mut self) -> CampProgress {
        self.not_checked_in_today.sort_by(|a, b| {
            a.status
                .cmp(&b.status)
                .then(b.still_needed.cmp(&a.still_needed))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.transaction_id.cmp(&b.transaction_id))
        });
        let running = self.phase == Phase::Running;
        let day_number = running.then(|| u32::try_from(self.rule.start.days_until(self.today) + 1).unwrap_or(0));
        CampProgress {
            today: self.today,
            phase: self.phase,
            day_number,
            days_total: self.camp.days,
            members: self.members,
            not_checked_in_today: self.not_checked_in_today,
        }
    }
}
