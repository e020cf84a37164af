//! Verdicts: one per payment, `pass`, `borderline`, `fail` or `unlinked`, with
//! the counted days as evidence, the missing days, readable reasons (Chinese)
//! and the anomalies that touch it. A reviewer's override wins and says so.
//!
//! Serialises to the element shape of `campdesk eligibility --camp ID --json`
//! (DESIGN.md): `transaction_id`, `planet_user_id`, `checkin_days`,
//! `required_days`, `verdict`, `reasons`, `anomalies`, `frozen`, plus evidence.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::anomaly::{Anomaly, AnomalyKind, Proposal};
use super::count::{CountedDay, DayMark, IgnoredPost, IgnoredWhy, MemberCount};
use super::input::{OverrideDecision, VerdictOverride};
use super::payer::Payer;
use crate::config::Camp;
use crate::domain::{CampId, Day, Money, PlanetUserId, TransactionId};

/// The decision on one payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// Met the rule: the deposit comes back.
    Pass,
    /// Below the rule by at most the camp's margin: a human decides.
    Borderline,
    /// Below the rule.
    Fail,
    /// No planet account linked yet: nothing can be counted.
    Unlinked,
}

impl VerdictKind {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Pass => "pass",
            VerdictKind::Borderline => "borderline",
            VerdictKind::Fail => "fail",
            VerdictKind::Unlinked => "unlinked",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            VerdictKind::Pass => "通过",
            VerdictKind::Borderline => "边缘",
            VerdictKind::Fail => "未通过",
            VerdictKind::Unlinked => "未关联",
        }
    }
}

/// `counted` days against the rule: pass at `required`, borderline within
/// `margin` below it, fail further below.
pub fn classify(counted: u32, required: u32, margin: u32) -> VerdictKind {
    if counted >= required {
        VerdictKind::Pass
    } else if required - counted <= margin {
        VerdictKind::Borderline
    } else {
        VerdictKind::Fail
    }
}

/// An anomaly as a verdict lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyRef {
    /// The anomaly's stable id.
    pub id: String,
    /// Its kind.
    pub kind: AnomalyKind,
    /// Its message.
    pub message: String,
}

/// The reviewer's override a verdict carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedOverride {
    /// What was set.
    pub decision: OverrideDecision,
    /// Why.
    pub reason: String,
    /// Who.
    pub by: String,
    /// When.
    pub at: Timestamp,
}

/// The verdict on one payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The linked planet account, `null` when unlinked.
    pub planet_user_id: Option<PlanetUserId>,
    /// Counted days (posted + make-up + excused).
    pub checkin_days: u32,
    /// Days the rule requires.
    pub required_days: u32,
    /// The verdict in force (a reviewer's override, else the computed one).
    pub verdict: VerdictKind,
    /// Why, in Chinese, most important first.
    pub reasons: Vec<String>,
    /// Anomalies that touch this payment.
    pub anomalies: Vec<AnomalyRef>,
    /// Computed from frozen inputs: later platform edits cannot change it.
    pub frozen: bool,
    /// The camp.
    pub camp: CampId,
    /// What the rules computed, before any override.
    pub computed: VerdictKind,
    /// A human must look before any money moves (borderline, held, unlinked, mismatched counts).
    pub needs_review: bool,
    /// The camp (or its make-up window) is still running: the verdict can still change.
    pub provisional: bool,
    /// The reviewer's override, when one applies.
    #[serde(rename = "override")]
    pub applied_override: Option<AppliedOverride>,
    /// For a duplicate payment: the person's first payment for the camp.
    pub duplicate_of: Option<TransactionId>,
    /// Amount paid.
    pub amount: Money,
    /// Days with posts in the whole project, counted as zsxq counts them.
    pub topic_days: u32,
    /// `checkined_days` on zsxq's ranking list, when the member has a row.
    pub ranking_days: Option<u32>,
    /// The counted days with their posts: the evidence.
    pub days: Vec<CountedDay>,
    /// Camp days that passed without a counted day.
    pub missing_days: Vec<Day>,
    /// The member's posts that did not count, and why.
    pub ignored_posts: Vec<IgnoredPost>,
}

/// Camp-wide facts every verdict of the camp shares.
#[derive(Clone, Debug)]
pub struct JudgeContext<'a> {
    /// The camp.
    pub camp: &'a Camp,
    /// Today's camp day.
    pub today: Day,
    /// Evaluated from frozen inputs.
    pub frozen: bool,
    /// The camp or its make-up window still runs.
    pub provisional: bool,
    /// The active minimum post length.
    pub min_words: Option<u32>,
    /// The camp has a check-in project to count from.
    pub has_project: bool,
}

fn day_list(days: impl IntoIterator<Item = Day>) -> String {
    days.into_iter().map(|d| format!("{:02}-{:02}", d.date().month(), d.date().day())).collect::<Vec<_>>().join("、")
}

fn md(d: Day) -> String {
    format!("{:02}-{:02}", d.date().month(), d.date().day())
}

/// Judges one payment. `count` is the linked member's count (ignored when
/// unlinked; it becomes the verdict's evidence), `anomalies` those naming this
/// payment, `overrides` this payment's overrides (the latest wins).
pub fn judge(
    ctx: &JudgeContext<'_>,
    payer: &Payer<'_>,
    count: Option<MemberCount>,
    anomalies: &[&Anomaly],
    overrides: &[&VerdictOverride],
) -> Verdict {
    let camp = ctx.camp;
    let mut reasons = Vec::new();
    let mut hold = false;
    let count = count.filter(|_| payer.planet_user_id.is_some());
    let linked = count.as_ref();

    let mut computed = match linked {
        None => {
            let who = payer.payment.payer_name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            let remark = payer.payment.remark.trim();
            let mut r = "付款尚未关联星球账号：无法统计打卡，请先在“未匹配”中关联".to_string();
            match (who, remark.is_empty()) {
                (Some(w), false) => r.push_str(&format!("（付款人 {w}，备注「{remark}」）")),
                (Some(w), true) => r.push_str(&format!("（付款人 {w}，无备注）")),
                (None, false) => r.push_str(&format!("（备注「{remark}」）")),
                (None, true) => {}
            }
            reasons.push(r);
            hold = true;
            VerdictKind::Unlinked
        }
        Some(c) => {
            let n = c.counted();
            let kind = classify(n, camp.required, camp.borderline_margin);
            let rule = format!("要求 {} 天（共 {} 天）", camp.required, camp.days);
            reasons.push(match kind {
                VerdictKind::Pass => format!("打卡 {n} 天，达到要求：{rule}"),
                VerdictKind::Borderline => {
                    hold = true;
                    format!(
                        "打卡 {n} 天，差 {} 天，在 {} 天的容差内：{rule}，边缘情况需人工复核",
                        camp.required - n,
                        camp.borderline_margin
                    )
                }
                _ => format!("打卡 {n} 天，差 {} 天：{rule}", camp.required - n),
            });
            count_details(ctx, c, &mut reasons, &mut hold);
            kind
        }
    };

    if !ctx.has_project && linked.is_some() {
        hold = true;
        reasons.push("本营没有可统计的打卡项目（checkin_id 未设置或项目未同步）：判定需人工复核".to_string());
    }

    let mut duplicate_of = None;
    for a in anomalies {
        match &a.proposal {
            Proposal::Forfeit if computed != VerdictKind::Unlinked => {
                computed = VerdictKind::Fail;
                reasons.push(a.message.clone());
            }
            p if p.holds_verdict() => {
                hold = true;
                reasons.push(a.message.clone());
            }
            _ => reasons.push(a.message.clone()),
        }
        if a.kind == AnomalyKind::DuplicatePayment {
            duplicate_of.clone_from(&a.related_transaction_id);
        }
    }
    if ctx.provisional {
        reasons.push(format!("营期尚未结束（最后一天 {}{}）：结果是暂定的", camp.end, makeup_note(camp)));
    }

    let latest = overrides
        .iter()
        .filter(|o| o.transaction_id == *payer.transaction_id())
        .max_by(|a, b| a.at.cmp(&b.at).then_with(|| a.reason.cmp(&b.reason)));
    let (verdict, applied_override) = match latest {
        Some(o) => {
            let decided = match o.decision {
                OverrideDecision::Pass => VerdictKind::Pass,
                OverrideDecision::Fail => VerdictKind::Fail,
            };
            reasons.insert(
                0,
                format!(
                    "复核人 {} 于 {} 改判为“{}”（计算结果：“{}”）：{}",
                    o.by,
                    crate::domain::time::format_zsxq_time(o.at),
                    decided.label(),
                    computed.label(),
                    o.reason
                ),
            );
            hold = false;
            let applied =
                AppliedOverride { decision: o.decision, reason: o.reason.clone(), by: o.by.clone(), at: o.at };
            (decided, Some(applied))
        }
        None => (computed, None),
    };

    let checkin_days = count.as_ref().map_or(0, MemberCount::counted);
    let (days, missing_days, ignored_posts, topic_days, ranking_days) = match count {
        Some(c) => (
            c.days,
            {
                let mut missing = c.uncounted;
                missing.retain(|d| ctx.frozen || *d < ctx.today);
                missing
            },
            c.ignored,
            c.platform_days,
            c.ranking_days,
        ),
        None => (Vec::new(), Vec::new(), Vec::new(), 0, None),
    };

    Verdict {
        transaction_id: payer.transaction_id().clone(),
        planet_user_id: payer.planet_user_id.cloned(),
        checkin_days,
        required_days: camp.required,
        verdict,
        reasons,
        anomalies: anomalies
            .iter()
            .map(|a| AnomalyRef { id: a.id.clone(), kind: a.kind, message: a.message.clone() })
            .collect(),
        frozen: ctx.frozen,
        camp: camp.id.clone(),
        computed,
        needs_review: hold,
        provisional: ctx.provisional,
        applied_override,
        duplicate_of,
        amount: payer.payment.amount,
        topic_days,
        ranking_days,
        days,
        missing_days,
        ignored_posts,
    }
}

fn makeup_note(camp: &Camp) -> String {
    if camp.makeup_days > 0 { format!("，可补卡 {} 天", camp.makeup_days) } else { String::new() }
}

/// Reasons from the count itself: make-ups, leave, short posts, the ranking cross-check.
fn count_details(ctx: &JudgeContext<'_>, c: &MemberCount, reasons: &mut Vec<String>, hold: &mut bool) {
    let makeups: Vec<String> = c
        .makeups()
        .filter_map(|d| match d.mark {
            DayMark::Makeup { posted_on } => Some(format!("{} 补 {}", md(posted_on), md(d.day))),
            _ => None,
        })
        .collect();
    if !makeups.is_empty() {
        reasons.push(format!("其中 {} 天是补卡：{}", makeups.len(), makeups.join("、")));
    }
    let excused: Vec<String> = c
        .excused()
        .filter_map(|d| match &d.mark {
            DayMark::Excused { reason, by } => Some(format!("{}（{by}：{reason}）", md(d.day))),
            _ => None,
        })
        .collect();
    if !excused.is_empty() {
        reasons.push(format!("其中 {} 天是请假：{}", excused.len(), excused.join("、")));
    }
    for u in &c.unused_leaves {
        reasons.push(if u.posted_anyway {
            format!("{} 的请假未使用：当天已打卡", md(u.day))
        } else {
            format!("{} 的请假不在营期内，未计入", u.day)
        });
    }
    let short: Vec<Day> = c.short_days().map(|d| d.day).collect();
    if let (false, Some(min)) = (short.is_empty(), ctx.min_words) {
        *hold = true;
        reasons.push(format!(
            "有 {} 天的打卡不足 {min} 字（{}），可能是水卡：已照常计数，需人工复核",
            short.len(),
            day_list(short)
        ));
    }
    if c.ranking_mismatch {
        *hold = true;
        reasons.push(match c.ranking_days {
            Some(r) => format!(
                "zsxq 排行榜累计 {r} 天，按打卡帖统计 {} 天，两者不一致：需人工核对（可能有帖子被删除或未同步）",
                c.platform_days
            ),
            None => format!("按打卡帖统计 {} 天，但排行榜上没有这位成员：需人工核对", c.platform_days),
        });
    }
    let mut not_counted = Vec::new();
    for why in [IgnoredWhy::BeforeStart, IgnoredWhy::AfterEnd, IgnoredWhy::SameDay] {
        let n = c.ignored.iter().filter(|p| p.why == why).count();
        if n > 0 {
            not_counted.push(format!("{n} 条{}", why.text()));
        }
    }
    if !not_counted.is_empty() {
        reasons.push(format!("未计入：{}", not_counted.join("、")));
    }
}
