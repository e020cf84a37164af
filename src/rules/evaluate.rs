//! The entry point: one camp's inputs in, its verdicts, anomalies, rule
//! warnings and live progress out.

use super::fast_map::{FastMap, FastSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::anomaly::{Anomaly, AnomalyInput, detect_anomalies};
use super::count::{CountRule, Counter, count_camp};
use super::day_clock::DayClock;
use super::freeze::FreezeStamp;
use super::group_view::GroupView;
use super::input::{CampInput, RulesError, VerdictOverride};
use super::payer::{Payer, resolve_payers};
use super::progress::{CampProgress, ProgressBuilder};
use super::rule_text::{ParsedRule, RuleWarning, check_rule};
use super::verdict::{JudgeContext, Verdict, VerdictKind, judge};
use crate::domain::{CampId, Day, PlanetUser, PlanetUserId, TransactionId};

/// Counts of a camp's verdicts and review items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationSummary {
    /// Payments judged.
    pub payments: usize,
    /// Verdicts `pass`.
    pub pass: usize,
    /// Verdicts `borderline`.
    pub borderline: usize,
    /// Verdicts `fail`.
    pub fail: usize,
    /// Verdicts `unlinked`.
    pub unlinked: usize,
    /// Verdicts a human must look at.
    pub needs_review: usize,
    /// Anomalies.
    pub anomalies: usize,
}

/// Everything the rules say about one camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampEvaluation {
    /// The camp.
    pub camp: CampId,
    /// When it was evaluated.
    pub evaluated_at: Timestamp,
    /// Today's camp day at `evaluated_at`.
    pub today: Day,
    /// The snapshot the verdicts came from, when frozen.
    pub frozen: Option<FreezeStamp>,
    /// What the project's rule text says, when there is one.
    pub rule: Option<ParsedRule>,
    /// Notes and warnings on the camp (rule text, window, sync state).
    pub rule_warnings: Vec<RuleWarning>,
    /// One verdict per payment, in payment order (time paid, then id).
    pub verdicts: Vec<Verdict>,
    /// Anomalies, by kind then subject.
    pub anomalies: Vec<Anomaly>,
    /// Live progress.
    pub progress: CampProgress,
    /// Totals.
    pub summary: EvaluationSummary,
}

fn check_payments(input: &CampInput<'_>) -> Result<(), RulesError> {
    let camp = &input.camp.id;
    let mut seen = FastSet::with_capacity_and_hasher(input.payments.len(), Default::default());
    for p in input.payments {
        if p.camp.as_ref() != Some(camp) {
            return Err(RulesError::PaymentOfAnotherCamp {
                transaction_id: p.transaction_id.clone(),
                camp: camp.clone(),
                found: p.camp.as_ref().map_or_else(|| "none".to_string(), ToString::to_string),
            });
        }
        if !seen.insert(&p.transaction_id) {
            return Err(RulesError::DuplicatePaymentRecord { transaction_id: p.transaction_id.clone() });
        }
    }
    Ok(())
}

/// Judges one camp. Pure: the same input gives the same output.
///
/// With `input.frozen` set, the project, posts and ranking come from the
/// snapshot and every verdict is `frozen`.
pub fn evaluate_camp(input: &CampInput<'_>) -> Result<CampEvaluation, RulesError> {
    check_payments(input)?;
    let camp = input.camp;
    if let Some(f) = input.frozen
        && f.camp != camp.id
    {
        return Err(RulesError::FrozenForAnotherCamp { snapshot: f.camp.clone(), camp: camp.id.clone() });
    }
    let (project, topics, ranking) = match input.frozen {
        Some(f) => (f.project.as_ref(), f.topics.as_slice(), f.ranking.as_slice()),
        None => (input.project, input.topics, input.ranking),
    };
    let day_rule = camp.day_rule(input.day_rule);
    let today = day_rule.day_of(input.now);
    let rule = CountRule {
        start: camp.start,
        end: camp.end,
        makeup_days: camp.makeup_days,
        min_words: camp.min_words.or(project.and_then(|p| p.min_words_count)),
    };
    let counter = Counter::new(rule.clone(), &day_rule);
    let checkin_id = camp.checkin_id.as_ref().or(project.map(|p| &p.checkin_id));

    let mut payers = resolve_payers(input.payments, input.links);
    payers.sort_by(|a, b| {
        a.payment.paid_at.cmp(&b.payment.paid_at).then_with(|| a.transaction_id().cmp(b.transaction_id()))
    });
    let counts =
        count_camp(&counter, checkin_id, topics, ranking, input.leaves, payers.iter().filter_map(|p| p.planet_user_id));

    let (parsed, mut warnings) = check_rule(camp, project, input.day_rule);
    let groups = GroupView::new(&camp.group_chats, input.group_members, input.membership_events);
    sync_warnings(input, &counts, &groups, checkin_id.is_some(), today, &mut warnings);

    let planet_users: FastMap<&PlanetUserId, &PlanetUser> =
        input.planet_users.iter().map(|u| (&u.user_id, u)).collect();
    let payment_days = DayClock::new(day_rule.clone(), camp.enroll_from().plus_days(-1), camp.end.plus_days(1));
    let anomalies = detect_anomalies(&AnomalyInput {
        camp,
        days: &payment_days,
        payers: &payers,
        groups: &groups,
        planet_users: &planet_users,
        counts: &counts,
        now: input.now,
    });

    let frozen = input.frozen.is_some();
    let ctx = JudgeContext {
        camp,
        today,
        frozen,
        provisional: !frozen && today <= rule.last_makeup_day(),
        min_words: rule.active_min_words(),
        has_project: checkin_id.is_some(),
    };
    let mut by_payment: FastMap<&TransactionId, Vec<&Anomaly>> = FastMap::default();
    for a in &anomalies {
        if let Some(tx) = &a.transaction_id {
            by_payment.entry(tx).or_default().push(a);
        }
    }
    let overrides: FastMap<&TransactionId, Vec<&VerdictOverride>> =
        input.overrides.iter().fold(FastMap::default(), |mut m, o| {
            m.entry(&o.transaction_id).or_default().push(o);
            m
        });
    // One pass per payment while its member's count is at hand: progress
    // first (it reads the count), then the verdict (it takes the count as
    // evidence: moved, cloned only for a member with several payments).
    let mut progress = ProgressBuilder::new(camp, &rule, today, payers.len());
    let mut members = counts.members;
    let mut payments_of: FastMap<&PlanetUserId, usize> = FastMap::default();
    for u in payers.iter().filter_map(|p| p.planet_user_id) {
        *payments_of.entry(u).or_default() += 1;
    }
    let camp_start = camp.start.start_in(&day_rule.tz, day_rule.cutoff);
    let camp_end = camp.end.plus_days(1).start_in(&day_rule.tz, day_rule.cutoff);
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(payers.len());
    for payer in &payers {
        let name = payer.planet_user_id.and_then(|u| planet_users.get(u)).map(|p| p.display_name());
        progress.add(payer, payer.planet_user_id.and_then(|u| members.get(u)), name);
        let count = payer.planet_user_id.and_then(|u| {
            let left = payments_of.get_mut(u)?;
            *left -= 1;
            if *left == 0 { members.remove(u) } else { members.get(u).cloned() }
        });
        let tx = payer.transaction_id();
        let mut v = judge(
            &ctx,
            payer,
            count,
            by_payment.get(tx).map_or(&[][..], Vec::as_slice),
            overrides.get(tx).map_or(&[][..], Vec::as_slice),
        );
        note_return_to_group(payer, &groups, camp_start, camp_end, &day_rule, &mut v);
        verdicts.push(v);
    }
    let progress = progress.finish();
    let summary = summarise(&verdicts, anomalies.len());
    Ok(CampEvaluation {
        camp: camp.id.clone(),
        evaluated_at: input.now,
        today,
        frozen: input.frozen.map(|f| f.stamp()),
        rule: parsed,
        rule_warnings: warnings,
        verdicts,
        anomalies,
        progress,
        summary,
    })
}

/// A member who left the groups during the camp and came back: a note, not a hold.
fn note_return_to_group(
    payer: &Payer<'_>,
    groups: &GroupView<'_>,
    from: Timestamp,
    until: Timestamp,
    day_rule: &crate::domain::DayRule,
    verdict: &mut Verdict,
) {
    if !payer.has_external_id() || !groups.synced {
        return;
    }
    let ids = || payer.external_ids().map(|e| e.as_str());
    if groups.standing(ids()) != super::group_view::Standing::Present {
        return;
    }
    if let Some(at) = groups.left_between(ids(), from, until) {
        verdict.reasons.push(format!("营期中曾于 {} 退群，之后又回到了群里", day_rule.day_of(at)));
    }
}

fn sync_warnings(
    input: &CampInput<'_>,
    counts: &super::count::CampCounts,
    groups: &GroupView<'_>,
    has_project: bool,
    today: Day,
    out: &mut Vec<RuleWarning>,
) {
    let camp = input.camp;
    if has_project && today > camp.start {
        match (counts.topics_listed, counts.ranking_listed) {
            (true, false) => {
                out.push(RuleWarning::info("ranking_missing", "还没有 zsxq 排行榜数据：无法与排行榜的累计天数交叉核对"))
            }
            (false, true) => out.push(RuleWarning::warning(
                "topics_missing",
                "还没有同步到打卡帖，只有排行榜天数：无法逐日核对，排行榜上有天数的成员都会送人工复核",
            )),
            (false, false) if !input.payments.is_empty() => out.push(RuleWarning::warning(
                "checkins_missing",
                "营期已开始，但既没有打卡帖也没有排行榜数据：请先同步打卡数据，再看判定",
            )),
            _ => {}
        }
    }
    if counts.other_project_posts > 0 {
        out.push(RuleWarning::info(
            "other_project_posts",
            format!("{} 条其他打卡项目的帖子不计入本营", counts.other_project_posts),
        ));
    }
    if !groups.configured {
        out.push(RuleWarning::info("no_group_chats", "camps.toml 没有配置本营的群：不检查入群和退群"));
    } else if !groups.synced && !input.payments.is_empty() {
        out.push(RuleWarning::warning("groups_not_synced", "还没有同步到本营群的成员：暂不检查入群和退群"));
    }
}

fn summarise(verdicts: &[Verdict], anomalies: usize) -> EvaluationSummary {
    let mut s = EvaluationSummary { payments: verdicts.len(), anomalies, ..EvaluationSummary::default() };
    for v in verdicts {
        match v.verdict {
            VerdictKind::Pass => s.pass += 1,
            VerdictKind::Borderline => s.borderline += 1,
            VerdictKind::Fail => s.fail += 1,
            VerdictKind::Unlinked => s.unlinked += 1,
        }
        s.needs_review += usize::from(v.needs_review);
    }
    s
}
