//! The views the TUI renders, built from the store: stored evaluations
//! (kept fresh by the evaluator), links and review cards, the refund queue,
//! the records and the audit log.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use super::{Service, ServiceError};
use crate::config::Camp;
use crate::domain::{CampId, Money, Payment, RefundState, TransactionId};
use crate::links;
use crate::matching::{self, LinkState};
use crate::records;
use crate::refund::{Refund, queue};
use crate::rules::{self, AnomalyKind, CampEvaluation, Verdict, VerdictKind};
use crate::tui::model::{
    self as m, CampPhase, CampRow, Candidate, CandidateRef, EvidenceDay, ItemDecision, ItemKind, Ledger, PaymentView,
    PersonDetail, PersonRef, PlanetUserView, Reason, RefundEvent, RefundRow, ReviewItem, Scope,
};
use crate::tui::source::{View, ViewQuery};
use crate::verdicts;

fn internal(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::internal(e.to_string())
}

/// The item id of a payment's verdict (borderline and review items).
pub(super) fn verdict_item_id(camp: &CampId, txn: &TransactionId) -> String {
    format!("verdict:{camp}:{txn}")
}

impl Service {
    pub(super) fn view(&self, query: ViewQuery) -> Result<View, ServiceError> {
        Ok(match query {
            ViewQuery::Camps => View::Camps(self.camp_rows()?),
            ViewQuery::Review(scope) => View::Review(self.review_cards(&scope)?),
            ViewQuery::Items(scope) => View::Items(self.review_items(&scope)?),
            ViewQuery::Refunds(scope) => View::Refunds(self.refund_rows(&scope)?),
            ViewQuery::Person(person) => View::Person(Box::new(self.person(&person)?)),
            ViewQuery::PlanetUsers(camp) => View::PlanetUsers(self.planet_users(&camp)?),
            ViewQuery::Report(scope) => View::Report(Box::new(self.report_view(&scope)?)),
        })
    }

    fn scoped(&self, scope: &Scope) -> Vec<&Camp> {
        match scope.camp() {
            Some(id) => self.config.camps.iter().filter(|c| &c.id == id).collect(),
            None => self.config.camps.iter().collect(),
        }
    }

    /// A camp's stored evaluation, evaluating it now if none is stored yet.
    pub(super) fn stored_evaluation(&self, camp: &Camp) -> Result<CampEvaluation, ServiceError> {
        let stored = verdicts::evaluation(&self.store.read()?, &camp.id)?;
        match stored {
            Some(e) => Ok(e),
            None => Ok(self.evaluate_now(camp)?.evaluation),
        }
    }

    fn camp_rows(&self) -> Result<Vec<CampRow>, ServiceError> {
        let today = self.config.day_rule.today(Timestamp::now());
        let mut rows = Vec::new();
        for camp in &self.config.camps {
            let evaluation = self.stored_evaluation(camp)?;
            let read = self.store.read()?;
            let payments = records::payments::payments_of_camp(&read, camp.id.as_str()).map_err(internal)?;
            let refunds = queue::list_camp(&read, &camp.id)?;
            let links = links::links(&read, Some(&camp.id))?;
            let mut members = BTreeSet::new();
            for chat in &camp.group_chats {
                for member in records::groups::members(&read, chat.as_str()).map_err(internal)? {
                    if member.left_at.is_none() && member.kind == crate::domain::MemberKind::External {
                        members.insert(member.member_id);
                    }
                }
            }
            let phase = if today < camp.start {
                CampPhase::Upcoming { in_days: u32::try_from(today.days_until(camp.start)).unwrap_or(0) }
            } else if today <= camp.end {
                CampPhase::Running {
                    day: u32::try_from(camp.start.days_until(today) + 1).unwrap_or(1),
                    days: camp.days,
                }
            } else {
                CampPhase::Ended { days_ago: u32::try_from(camp.end.days_until(today)).unwrap_or(0) }
            };
            let passing = if matches!(phase, CampPhase::Running { .. }) {
                evaluation
                    .progress
                    .members
                    .iter()
                    .filter(|m| m.feasibility.as_ref().is_some_and(|f| f.possible))
                    .count()
            } else {
                evaluation.summary.pass
            };
            rows.push(CampRow {
                id: camp.id.clone(),
                name: camp.name.clone(),
                start: camp.start,
                end: camp.end,
                required: camp.required,
                days: camp.days,
                deposit: camp.deposit,
                refund_via: camp.refund_via,
                phase,
                paid: count(payments.len()),
                members: count(members.len()),
                passing: count(passing),
                borderline: count(evaluation.summary.borderline),
                anomalies: count(evaluation.anomalies.len()),
                unmatched: count(
                    links.iter().filter(|l| matches!(l.state, LinkState::Review | LinkState::Unmatched)).count(),
                ),
                ledger: ledger(&payments, &refunds, &evaluation),
                batch_cap: camp.batch_cap,
            });
        }
        Ok(rows)
    }

    fn review_cards(&self, scope: &Scope) -> Result<Vec<m::ReviewCard>, ServiceError> {
        let read = self.store.read()?;
        let mut out = Vec::new();
        for camp in self.scoped(scope) {
            let decisions = links::active_decisions(&read)?;
            for card in links::cards(&read, Some(&camp.id))? {
                out.extend(tui_cards(camp, &card, &decisions));
            }
        }
        Ok(out)
    }

    fn review_items(&self, scope: &Scope) -> Result<Vec<ReviewItem>, ServiceError> {
        let mut out = Vec::new();
        for camp in self.scoped(scope) {
            let evaluation = self.stored_evaluation(camp)?;
            let read = self.store.read()?;
            let ranking: BTreeMap<String, u32> = match &camp.checkin_id {
                Some(cid) => records::ranking::ranking(&read, cid.as_str())
                    .map_err(internal)?
                    .into_iter()
                    .map(|r| (r.user_id.to_string(), r.rank))
                    .collect(),
                None => BTreeMap::new(),
            };
            let names = self.names_of(&read, &evaluation)?;
            for v in &evaluation.verdicts {
                let kind = if v.computed == VerdictKind::Borderline {
                    Some(ItemKind::Borderline)
                } else if v.needs_review && v.ranking_days.is_some_and(|r| r != v.topic_days) {
                    Some(ItemKind::CountMismatch)
                } else if v.needs_review && v.days.iter().any(|d| d.short) {
                    Some(ItemKind::ShortPosts)
                } else {
                    None
                };
                let Some(kind) = kind else { continue };
                out.push(ReviewItem {
                    id: verdict_item_id(&camp.id, &v.transaction_id),
                    camp: camp.id.clone(),
                    kind,
                    person: person_of_verdict(camp, v),
                    name: names.get(v.transaction_id.as_str()).cloned().unwrap_or_default(),
                    summary: v.reasons.first().cloned().unwrap_or_default(),
                    counted_days: v.checkin_days,
                    required_days: v.required_days,
                    rank: v.planet_user_id.as_ref().and_then(|u| ranking.get(u.as_str()).copied()),
                    ranking_days: v.ranking_days,
                    days: calendar(camp, v, evaluation.today),
                    amount: Some(v.amount),
                    decided: v.applied_override.as_ref().map(|o| match o.decision {
                        rules::OverrideDecision::Pass => ItemDecision::Pass,
                        rules::OverrideDecision::Fail => ItemDecision::Fail,
                    }),
                });
            }
            for a in &evaluation.anomalies {
                let verdict =
                    a.transaction_id.as_ref().and_then(|t| evaluation.verdicts.iter().find(|v| &v.transaction_id == t));
                let name = a
                    .transaction_id
                    .as_ref()
                    .and_then(|t| names.get(t.as_str()).cloned())
                    .or_else(|| a.planet_user_id.as_ref().and_then(|u| self.planet_name(&read, u.as_str())))
                    .or_else(|| a.member_id.as_deref().and_then(|m| member_name(&read, m)))
                    .or_else(|| a.member_id.clone())
                    .unwrap_or_default();
                out.push(ReviewItem {
                    id: a.id.clone(),
                    camp: camp.id.clone(),
                    kind: item_kind(a.kind),
                    person: PersonRef {
                        camp: Some(camp.id.clone()),
                        transaction_id: a.transaction_id.clone(),
                        planet_user_id: a.planet_user_id.clone(),
                        external_userid: a.member_id.clone().map(crate::domain::ExternalUserId::new),
                    },
                    name,
                    summary: a.message.clone(),
                    counted_days: verdict.map_or(0, |v| v.checkin_days),
                    required_days: camp.required,
                    rank: a.planet_user_id.as_ref().and_then(|u| ranking.get(u.as_str()).copied()),
                    ranking_days: verdict.and_then(|v| v.ranking_days),
                    days: verdict.map(|v| calendar(camp, v, evaluation.today)).unwrap_or_default(),
                    amount: match &a.proposal {
                        rules::Proposal::Refund { amount, .. } => Some(*amount),
                        _ => verdict.map(|v| v.amount),
                    },
                    decided: verdict.and_then(|v| v.applied_override.as_ref()).map(|o| match o.decision {
                        rules::OverrideDecision::Pass => ItemDecision::Pass,
                        rules::OverrideDecision::Fail => ItemDecision::Fail,
                    }),
                });
            }
        }
        Ok(out)
    }

    fn names_of(
        &self,
        read: &crate::store::ReadTx,
        evaluation: &CampEvaluation,
    ) -> Result<BTreeMap<String, String>, ServiceError> {
        let mut out = BTreeMap::new();
        for v in &evaluation.verdicts {
            let planet = v.planet_user_id.as_ref().and_then(|u| self.planet_name(read, u.as_str()));
            let name = match planet {
                Some(n) => n,
                None => records::payments::payment(read, v.transaction_id.as_str())
                    .map_err(internal)?
                    .and_then(|p| p.payer_name)
                    .unwrap_or_else(|| v.transaction_id.to_string()),
            };
            out.insert(v.transaction_id.to_string(), name);
        }
        Ok(out)
    }

    fn planet_name(&self, read: &crate::store::ReadTx, user: &str) -> Option<String> {
        records::planet_users::planet_user(read, user).ok().flatten().map(|u| u.display_name().to_string())
    }

    fn refund_rows(&self, scope: &Scope) -> Result<Vec<RefundRow>, ServiceError> {
        let read = self.store.read()?;
        let mut out = Vec::new();
        for camp in self.scoped(scope) {
            for r in queue::list_camp(&read, &camp.id)? {
                let name = r
                    .proposal
                    .planet_user_id
                    .as_ref()
                    .and_then(|u| self.planet_name(&read, u.as_str()))
                    .or_else(|| r.proposal.payer_name.clone())
                    .unwrap_or_else(|| r.proposal.transaction_id.to_string());
                out.push(refund_row(camp, &r, name));
            }
        }
        Ok(out)
    }

    fn planet_users(&self, camp: &CampId) -> Result<Vec<PlanetUserView>, ServiceError> {
        let camp = self.config.camp(camp.as_str()).ok_or_else(|| ServiceError::user(format!("unknown camp {camp}")))?;
        let read = self.store.read()?;
        let recs = records::camp_records(&read, &self.config, camp).map_err(internal)?;
        let posted: BTreeSet<&str> = recs.topics.iter().map(|t| t.user_id.as_str()).collect();
        Ok(recs
            .planet_users
            .iter()
            .map(|u| PlanetUserView {
                user_id: u.user_id.clone(),
                name: u.name.clone(),
                alias: u.alias.clone(),
                number: u.number.clone(),
                checked_in: posted.contains(u.user_id.as_str()),
            })
            .collect())
    }

    fn person(&self, who: &PersonRef) -> Result<PersonDetail, ServiceError> {
        let camp = match &who.camp {
            Some(id) => self.config.camp(id.as_str()),
            None => None,
        };
        let evaluation = match camp {
            Some(c) => Some(self.stored_evaluation(c)?),
            None => None,
        };
        let read = self.store.read()?;
        let verdict = evaluation.as_ref().and_then(|e| {
            e.verdicts.iter().find(|v| {
                who.transaction_id.as_ref().is_some_and(|t| &v.transaction_id == t)
                    || (who.transaction_id.is_none()
                        && who.planet_user_id.is_some()
                        && v.planet_user_id == who.planet_user_id)
            })
        });
        let planet_user_id = who.planet_user_id.clone().or_else(|| verdict.and_then(|v| v.planet_user_id.clone()));
        let planet = match &planet_user_id {
            Some(u) => records::planet_users::planet_user(&read, u.as_str()).map_err(internal)?,
            None => None,
        };
        let mut payments: Vec<Payment> = Vec::new();
        let txn = who.transaction_id.clone().or_else(|| verdict.map(|v| v.transaction_id.clone()));
        if let Some(t) = &txn
            && let Some(p) = records::payments::payment(&read, t.as_str()).map_err(internal)?
        {
            payments.push(p);
        }
        let external =
            who.external_userid.clone().or_else(|| payments.first().and_then(|p| p.payer_external_userid.clone()));
        if let Some(ext) = &external {
            for p in records::payments::payments_by_payer(&read, ext.as_str()).map_err(internal)? {
                if !payments.iter().any(|q| q.transaction_id == p.transaction_id)
                    && (camp.is_none() || p.camp == who.camp)
                {
                    payments.push(p);
                }
            }
        }
        let stored_links = match camp {
            Some(c) => links::links(&read, Some(&c.id))?,
            None => Vec::new(),
        };
        let link_views: Vec<m::LinkView> = stored_links
            .iter()
            .filter(|l| payments.iter().any(|p| p.transaction_id == l.transaction_id))
            .filter_map(|l| {
                let user = l.planet_user_id.clone().or_else(|| l.suggested_planet_user_id.clone())?;
                Some(m::LinkView {
                    transaction_id: l.transaction_id.clone(),
                    name: self.planet_name(&read, user.as_str()).unwrap_or_else(|| user.to_string()),
                    target: CandidateRef::Planet(user),
                    state: match l.state {
                        LinkState::Auto => m::LinkState::Auto,
                        LinkState::Confirmed => m::LinkState::Confirmed,
                        LinkState::Review => m::LinkState::Review,
                        LinkState::Unmatched => m::LinkState::Unmatched,
                    },
                    score: l.score,
                    reasons: l.reasons.iter().map(|r| Reason { text: r.clone(), weight: 0.0 }).collect(),
                })
            })
            .collect();
        let mut group_events = Vec::new();
        if let Some(ext) = &external {
            for membership in records::groups::memberships_of(&read, ext.as_str()).map_err(internal)? {
                let group = records::groups::group(&read, membership.chat_id.as_str())
                    .map_err(internal)?
                    .and_then(|g| g.name)
                    .unwrap_or_else(|| membership.chat_id.to_string());
                if let Some(at) = membership.join_time.or(Some(membership.first_seen)) {
                    group_events.push(m::GroupEventView { group: group.clone(), joined: true, at });
                }
                if let Some(at) = membership.left_at {
                    group_events.push(m::GroupEventView { group, joined: false, at });
                }
            }
        }
        group_events.sort_by_key(|e| e.at);
        let refunds: Vec<Refund> = match camp {
            Some(c) => queue::list_camp(&read, &c.id)?
                .into_iter()
                .filter(|r| payments.iter().any(|p| p.transaction_id == r.proposal.transaction_id))
                .collect(),
            None => Vec::new(),
        };
        let mut subjects: Vec<String> = payments.iter().map(|p| p.transaction_id.to_string()).collect();
        subjects.extend(refunds.iter().map(|r| r.id.to_string()));
        if let Some(u) = &planet_user_id {
            subjects.push(format!("planet_user:{u}"));
        }
        let audit = read
            .audit_entries(1, None)?
            .into_iter()
            .filter(|e| subjects.iter().any(|s| e.subject.contains(s.as_str())))
            .map(|e| m::AuditView {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                details: if e.redacted { "（已按保留期限删除）".into() } else { e.details.to_string() },
            })
            .collect();
        let name = planet
            .as_ref()
            .map(|u| u.display_name().to_string())
            .or_else(|| payments.first().and_then(|p| p.payer_name.clone()))
            .unwrap_or_default();
        let member_message = member_message(camp, verdict, &refunds, evaluation.as_ref(), &name);
        Ok(PersonDetail {
            person: PersonRef {
                planet_user_id: planet_user_id.clone(),
                transaction_id: txn,
                external_userid: external,
                ..who.clone()
            },
            name,
            camp_name: camp.map(|c| c.name.clone()),
            planet_user: planet.as_ref().map(|u| PlanetUserView {
                user_id: u.user_id.clone(),
                name: u.name.clone(),
                alias: u.alias.clone(),
                number: u.number.clone(),
                checked_in: verdict.is_some_and(|v| v.topic_days > 0),
            }),
            payments: payments.iter().map(payment_view).collect(),
            links: link_views,
            group_events,
            calendar: match (camp, verdict, &evaluation) {
                (Some(c), Some(v), Some(e)) => calendar(c, v, e.today),
                _ => Vec::new(),
            },
            verdict: verdict.map(|v| m::VerdictView {
                kind: match v.verdict {
                    VerdictKind::Pass => m::VerdictKind::Pass,
                    VerdictKind::Borderline => m::VerdictKind::Borderline,
                    VerdictKind::Fail => m::VerdictKind::Fail,
                    VerdictKind::Unlinked => m::VerdictKind::Unlinked,
                },
                counted_days: v.checkin_days,
                required_days: v.required_days,
                reasons: v.reasons.clone(),
                frozen: v.frozen,
            }),
            refunds: refunds.iter().flat_map(refund_events).collect(),
            audit,
            member_message,
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn payment_view(p: &Payment) -> PaymentView {
    PaymentView {
        transaction_id: p.transaction_id.clone(),
        camp: p.camp.clone(),
        payer_name: p.payer_name.clone(),
        remark: p.remark.clone(),
        amount: p.amount,
        paid_at: p.paid_at,
        external_userid: p.payer_external_userid.clone(),
    }
}

fn person_of_verdict(camp: &Camp, v: &Verdict) -> PersonRef {
    PersonRef {
        camp: Some(camp.id.clone()),
        transaction_id: Some(v.transaction_id.clone()),
        planet_user_id: v.planet_user_id.clone(),
        external_userid: None,
    }
}

fn item_kind(kind: AnomalyKind) -> ItemKind {
    match kind {
        AnomalyKind::DuplicatePayment => ItemKind::DuplicatePayment,
        AnomalyKind::WrongAmount => ItemKind::WrongAmount,
        AnomalyKind::PaidOutsideWindow => ItemKind::OutsideWindow,
        AnomalyKind::NotJoined | AnomalyKind::NotJoinedRefund => ItemKind::NotJoined,
        AnomalyKind::LeftGroup => ItemKind::LeftGroup,
        AnomalyKind::LeftPlanet => ItemKind::LeftPlanet,
        AnomalyKind::UnpaidGroupMember | AnomalyKind::UnpaidParticipant => ItemKind::NeverPaid,
    }
}

/// The day-by-day calendar of a verdict: counted, excused, made-up, short,
/// missed and future days.
fn calendar(camp: &Camp, v: &Verdict, today: crate::domain::Day) -> Vec<EvidenceDay> {
    let mut posts: BTreeMap<crate::domain::Day, u32> = BTreeMap::new();
    for d in &v.days {
        if d.topic_id.is_some() {
            *posts.entry(d.day).or_default() += 1;
        }
    }
    for p in &v.ignored_posts {
        *posts.entry(p.day).or_default() += 1;
    }
    camp.start
        .through(camp.end)
        .map(|day| {
            let counted = v.days.iter().find(|d| d.day == day);
            let mark = match counted {
                Some(d) if d.short => m::DayMark::Short,
                Some(d) => match &d.mark {
                    rules::DayMark::Posted => m::DayMark::Done,
                    rules::DayMark::Makeup { .. } => m::DayMark::MadeUp,
                    rules::DayMark::Excused { .. } => m::DayMark::Excused,
                },
                None if day > today => m::DayMark::Future,
                None => m::DayMark::Missed,
            };
            EvidenceDay {
                day,
                mark,
                posted_at: counted.and_then(|d| d.posted_at),
                first_words: counted.and_then(|d| d.excerpt.clone()),
                posts: posts.get(&day).copied().unwrap_or(0),
            }
        })
        .collect()
}

fn tui_cards(
    camp: &Camp,
    card: &matching::ReviewCard,
    decisions: &[matching::decisions::Decision],
) -> Vec<m::ReviewCard> {
    let why = {
        let mut parts: Vec<&str> = card.codes.iter().map(|c| c.label()).collect();
        parts.dedup();
        let mut text = parts.join("、");
        if let Some(note) = card.notes.first() {
            text.push('：');
            text.push_str(note);
        }
        text
    };
    card.payments
        .iter()
        .filter(|p| p.confirmed_to.is_none())
        .map(|p| {
            let mut planet_candidates: Vec<Candidate> = card
                .edges
                .iter()
                .filter(|e| e.transaction_id == p.transaction_id)
                .filter_map(|e| {
                    let c = card.candidates.iter().find(|c| c.planet_user_id == e.planet_user_id)?;
                    let mut detail = Vec::new();
                    if let Some(a) = c.alias.as_deref().filter(|a| !a.trim().is_empty()) {
                        detail.push(format!("名片 {a}"));
                    }
                    if let Some(n) = &c.number {
                        detail.push(format!("编号 {n}"));
                    }
                    if !c.former_names.is_empty() {
                        detail.push(format!("曾用名 {}", c.former_names.join("、")));
                    }
                    detail.push(if c.participant {
                        "参加本营打卡".to_string()
                    } else {
                        "未参加本营打卡".to_string()
                    });
                    let rejected = decisions.iter().any(|d| {
                        d.kind == matching::decisions::DecisionKind::Cannot
                            && d.transaction_id == p.transaction_id
                            && d.planet_user_id == c.planet_user_id
                    });
                    Some(Candidate {
                        target: CandidateRef::Planet(c.planet_user_id.clone()),
                        name: c.name.clone(),
                        detail: Some(detail.join(" · ")),
                        score: e.score,
                        reasons: e.signals.iter().map(|s| Reason { text: s.reason.clone(), weight: s.bits }).collect(),
                        rejected,
                    })
                })
                .collect();
            planet_candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
            let member_candidates = p
                .group_member
                .iter()
                .map(|g| Candidate {
                    target: CandidateRef::Member(crate::domain::ExternalUserId::new(g.member_id.clone())),
                    name: g.name.clone().unwrap_or_else(|| g.member_id.clone()),
                    detail: g.group_nickname.clone().map(|n| format!("群昵称 {n}")),
                    score: 0.0,
                    reasons: vec![Reason {
                        text: if g.matched_by == "external_userid" {
                            "付款人就在本营群里：账单与群成员的 external_userid 相同".to_string()
                        } else {
                            "付款人可能在本营群里：群里唯一与付款人同名的成员".to_string()
                        },
                        weight: 0.0,
                    }],
                    rejected: false,
                })
                .collect();
            m::ReviewCard {
                id: format!("{}#{}", card.id, p.transaction_id),
                payment: PaymentView {
                    transaction_id: p.transaction_id.clone(),
                    camp: Some(camp.id.clone()),
                    payer_name: p.payer_name.clone(),
                    remark: p.remark.clone(),
                    amount: p.amount,
                    paid_at: p.paid_at,
                    external_userid: p.external_userid.clone(),
                },
                why: format!("{why}（绑定码 {}）", p.bind_code),
                planet_candidates,
                member_candidates,
            }
        })
        .collect()
}

fn refund_row(camp: &Camp, r: &Refund, name: String) -> RefundRow {
    let executor_note = r
        .stale
        .as_ref()
        .map(|s| format!("已失效：{s}"))
        .or_else(|| r.failure.as_ref().map(|(c, m)| format!("{c}: {m}")))
        .or_else(|| r.attempts.last().and_then(|a| a.outcome.clone()));
    RefundRow {
        id: r.id.clone(),
        camp: camp.id.clone(),
        person: PersonRef {
            camp: Some(camp.id.clone()),
            transaction_id: Some(r.proposal.transaction_id.clone()),
            planet_user_id: r.proposal.planet_user_id.clone(),
            external_userid: r.proposal.payer_external_userid.clone(),
        },
        name,
        amount: r.amount(),
        state: r.state,
        via: r.proposal.executor,
        reason: r.proposal.basis.clone(),
        executor_note,
        approved_by: r.approvals.iter().map(|a| a.by.clone()).collect(),
        approvals_needed: camp.approvals,
        attempts: count(r.attempts.len()),
        updated_at: r.updated_at,
    }
}

fn refund_events(r: &Refund) -> Vec<RefundEvent> {
    let mut out = vec![RefundEvent {
        refund: r.id.clone(),
        at: r.created_at,
        state: RefundState::Proposed,
        by: "campdesk".into(),
        note: Some(r.proposal.basis.clone()),
    }];
    for a in &r.approvals {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at: a.at,
            state: RefundState::Approved,
            by: a.by.clone(),
            note: a.note.clone(),
        });
    }
    if let Some(d) = &r.rejection {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at: d.at,
            state: RefundState::Rejected,
            by: d.by.clone(),
            note: Some(d.text.clone()),
        });
    }
    for a in &r.attempts {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at: a.at,
            state: RefundState::Submitted,
            by: a.by.clone(),
            note: a.outcome.clone(),
        });
    }
    if let Some(at) = r.succeeded_at {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at,
            state: RefundState::Succeeded,
            by: "campdesk".into(),
            note: None,
        });
    }
    if r.state == RefundState::Failed
        && let Some((class, message)) = &r.failure
    {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at: r.updated_at,
            state: RefundState::Failed,
            by: "campdesk".into(),
            note: Some(format!("{class}: {message}")),
        });
    }
    if let Some(d) = &r.settlement {
        out.push(RefundEvent {
            refund: r.id.clone(),
            at: d.at,
            state: RefundState::SettledOffline,
            by: d.by.clone(),
            note: Some(d.text.clone()),
        });
    }
    out.sort_by_key(|e| e.at);
    out
}

/// Money in and out of one camp, for the Camps pane.
fn ledger(payments: &[Payment], refunds: &[Refund], evaluation: &CampEvaluation) -> Ledger {
    let sum = |it: &mut dyn Iterator<Item = Money>| Money::checked_sum(it).unwrap_or(Money::ZERO);
    let refunded = sum(&mut refunds
        .iter()
        .filter(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline))
        .map(Refund::amount));
    let in_flight = sum(&mut refunds
        .iter()
        .filter(|r| matches!(r.state, RefundState::Approved | RefundState::Submitted | RefundState::Failed))
        .map(Refund::amount));
    let forfeited = sum(&mut evaluation
        .verdicts
        .iter()
        .filter(|v| !v.provisional && v.verdict == VerdictKind::Fail)
        .filter(|v| {
            !refunds.iter().any(|r| r.proposal.transaction_id == v.transaction_id && r.state != RefundState::Rejected)
        })
        .map(|v| v.amount));
    Ledger { deposits: sum(&mut payments.iter().map(|p| p.amount)), refunded, in_flight, forfeited }
}

/// The text the operator sends the member: the refund news once paid,
/// otherwise the live progress text.
fn member_message(
    camp: Option<&Camp>,
    verdict: Option<&Verdict>,
    refunds: &[Refund],
    evaluation: Option<&CampEvaluation>,
    name: &str,
) -> Option<String> {
    let camp = camp?;
    if let Some(r) = refunds.iter().find(|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline)) {
        return Some(format!(
            "{name}，你好！「{}」的押金 {} 元已退回，请留意微信零钱或原支付账户。感谢坚持打卡！",
            camp.name,
            r.amount()
        ));
    }
    let v = verdict?;
    evaluation?.progress.members.iter().find(|m| m.transaction_id == v.transaction_id).map(|m| m.text.clone())
}

/// A group member's name as the groups show it (group nickname, else WeChat name).
fn member_name(read: &crate::store::ReadTx, member_id: &str) -> Option<String> {
    let memberships = records::groups::memberships_of(read, member_id).ok()?;
    memberships.iter().find_map(|m| {
        m.group_nickname
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| m.name.clone().filter(|n| !n.trim().is_empty()))
    })
}
