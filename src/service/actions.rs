//! The TUI's actions, performed over the same functions the CLI uses, each
//! with an undo token when it can be taken back while nothing has been paid.

use super::{Response, Service, ServiceError};
use crate::domain::{CampId, Day, PlanetUserId, RefundId, TransactionId};
use crate::refund::queue::{self, CampPolicy};
use crate::rules::OverrideDecision;
use crate::tui::model::{CandidateRef, ItemDecision};
use crate::tui::source::{ActionOutcome, SourceAction, UndoToken};

/// Undo tokens: what to take back.
enum Undo {
    /// A link decision: retract it.
    Decision(String),
    /// Refund approvals or rejections: put them back to proposed.
    Refunds(Vec<RefundId>),
    /// A reviewer verdict: clear it.
    Verdict(TransactionId),
    /// An excused day: remove it.
    Leave(CampId, PlanetUserId, Day),
}

impl Undo {
    fn token(&self) -> UndoToken {
        UndoToken(match self {
            Undo::Decision(d) => format!("decision\u{1f}{d}"),
            Undo::Refunds(ids) => {
                let ids: Vec<&str> = ids.iter().map(RefundId::as_str).collect();
                format!("refunds\u{1f}{}", ids.join("\u{1e}"))
            }
            Undo::Verdict(t) => format!("verdict\u{1f}{t}"),
            Undo::Leave(c, u, d) => format!("leave\u{1f}{c}\u{1e}{u}\u{1e}{d}"),
        })
    }

    fn parse(token: &UndoToken) -> Result<Undo, ServiceError> {
        let bad = || ServiceError::user("this action cannot be undone (unknown undo token)");
        let (kind, rest) = token.0.split_once('\u{1f}').ok_or_else(bad)?;
        let parts: Vec<&str> = rest.split('\u{1e}').collect();
        Ok(match (kind, parts.as_slice()) {
            ("decision", [d]) => Undo::Decision((*d).to_string()),
            ("refunds", ids) => Undo::Refunds(ids.iter().map(|i| RefundId::new(*i)).collect()),
            ("verdict", [t]) => Undo::Verdict(TransactionId::new(*t)),
            ("leave", [c, u, d]) => Undo::Leave(CampId::new(*c), PlanetUserId::new(*u), d.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        })
    }
}

fn done(message: impl Into<String>, undo: Option<Undo>) -> ActionOutcome {
    ActionOutcome { message: message.into(), undo: undo.map(|u| u.token()), refused: Vec::new() }
}

impl Service {
    pub(super) async fn act(&self, action: SourceAction, by: &str) -> Result<ActionOutcome, ServiceError> {
        match action {
            SourceAction::Link { transaction_id, planet_user_id, external_userid, .. } => {
                let Some(user) = planet_user_id else {
                    return Err(ServiceError::user(
                        "a group member is tied to a payment by its external_userid; choose a planet user to link",
                    ));
                };
                let ext = external_userid.map(|e| e.to_string());
                self.decision(transaction_id.as_str(), user.as_str(), ext.as_deref(), false, by)
            }
            SourceAction::RejectCandidate { transaction_id, candidate, .. }
            | SourceAction::Unlink { transaction_id, target: candidate } => match candidate {
                CandidateRef::Planet(user) => self.decision(transaction_id.as_str(), user.as_str(), None, true, by),
                CandidateRef::Member(_) => Err(ServiceError::user(
                    "a group member's tie to a payment comes from the bill's external_userid and cannot be ruled out",
                )),
            },
            SourceAction::Decide { item, decision, reason } => self.decide_item(&item, decision, &reason, by),
            SourceAction::Approve(ids) => {
                let policy = |c: &CampId| self.config.camp(c.as_str()).map(CampPolicy::of);
                let now = jiff::Timestamp::now();
                // The TUI already asked for typed confirmation above the batch cap.
                let done_ids = self.store.write_with(|tx| queue::approve(tx, &ids, by, None, &policy, true, now))?;
                self.data_changed();
                let n = done_ids.len();
                Ok(done(self.say(format!("已批准 {n} 笔"), format!("approved {n}")), Some(Undo::Refunds(ids))))
            }
            SourceAction::Reject { ids, reason } => {
                let now = jiff::Timestamp::now();
                self.store.write_with(|tx| queue::reject(tx, &ids, by, &reason, now))?;
                self.data_changed();
                Ok(done(
                    self.say(format!("已拒绝 {} 笔", ids.len()), format!("rejected {}", ids.len())),
                    Some(Undo::Refunds(ids)),
                ))
            }
            SourceAction::SettleOffline { ids, evidence } => {
                let policy = |c: &CampId| self.config.camp(c.as_str()).map(CampPolicy::of);
                let now = jiff::Timestamp::now();
                self.store.write_with(|tx| {
                    for id in &ids {
                        queue::settle_offline(tx, id, by, &evidence, &policy, now)?;
                    }
                    Ok::<_, queue::QueueError>(())
                })?;
                self.data_changed();
                Ok(done(
                    self.say(format!("已记为线下结清 {} 笔", ids.len()), format!("settled offline {}", ids.len())),
                    None,
                ))
            }
            SourceAction::Run(ids) => {
                // A pass per camp of the chosen refunds: approved ones are sent,
                // submitted ones queried; nothing is ever sent twice.
                let camps: std::collections::BTreeSet<CampId> =
                    ids.iter().filter_map(|id| self.camp_of_refund(id)).collect();
                let executor = self.executor();
                let mut lines = Vec::new();
                let mut problems = Vec::new();
                for camp in &camps {
                    let report = executor.run_pass(Some(camp)).await;
                    lines.extend(report.lines.into_iter().filter(|l| ids.contains(&l.refund_id)));
                    problems.extend(report.problems);
                }
                self.data_changed();
                let mut outcome = done(self.run_message(&lines), None);
                outcome.refused = problems.into_iter().map(|p| (String::new(), p)).collect();
                Ok(outcome)
            }
            SourceAction::Retry(ids) => {
                let executor = self.executor();
                let mut lines = Vec::new();
                let mut refused = Vec::new();
                for id in &ids {
                    match executor.retry(id, by).await {
                        Ok(line) => lines.push(line),
                        Err(e) => refused.push((id.to_string(), e.to_string())),
                    }
                }
                self.data_changed();
                let mut outcome = done(self.run_message(&lines), None);
                outcome.refused = refused;
                Ok(outcome)
            }
            SourceAction::Undo(token) => self.undo(&token, by),
            SourceAction::SyncNow(camp) => {
                let filter = crate::engine::TaskFilter { source: None, camp: camp.map(|c| c.to_string()) };
                let tasks = self.engine.sync_now(&filter);
                if tasks.is_empty() {
                    return Err(ServiceError::user("no sync task is configured for this scope"));
                }
                Ok(done(
                    self.say(
                        format!("已排队同步 {} 个任务", tasks.len()),
                        format!("sync queued for {} task(s)", tasks.len()),
                    ),
                    None,
                ))
            }
        }
    }

    fn decision(
        &self,
        txn: &str,
        user: &str,
        external: Option<&str>,
        cannot: bool,
        by: &str,
    ) -> Result<ActionOutcome, ServiceError> {
        match self.link_decision(txn, user, external, false, cannot, by, None)? {
            Response::LinkRecorded { status, decision, .. } => {
                let undo = (status == "recorded").then(|| Undo::Decision(decision.id.clone()));
                let what = if cannot { "ruled out" } else { "linked" };
                Ok(done(
                    self.say(
                        format!("{}：付款 {txn} / 星球用户 {user}", if cannot { "已排除" } else { "已关联" }),
                        format!("{what}: payment {txn} / planet user {user}"),
                    ),
                    undo,
                ))
            }
            _ => Err(ServiceError::internal("unexpected reply to a link decision")),
        }
    }

    fn decide_item(
        &self,
        item: &str,
        decision: ItemDecision,
        reason: &str,
        by: &str,
    ) -> Result<ActionOutcome, ServiceError> {
        if reason.trim().is_empty() {
            return Err(ServiceError::user("a reason is required"));
        }
        let (camp, txn, user) = self.item_subject(item)?;
        match decision {
            ItemDecision::Pass | ItemDecision::Fail => {
                let txn = txn.ok_or_else(|| {
                    ServiceError::user(format!("item {item} has no payment to pass or fail (information only)"))
                })?;
                let d = if decision == ItemDecision::Pass { OverrideDecision::Pass } else { OverrideDecision::Fail };
                self.set_verdict(txn.as_str(), Some(d), reason, by)?;
                Ok(done(
                    self.say(format!("已改判付款 {txn}"), format!("verdict set for payment {txn}")),
                    Some(Undo::Verdict(txn)),
                ))
            }
            ItemDecision::Excuse { day } => {
                let user =
                    user.ok_or_else(|| ServiceError::user(format!("item {item} has no planet user to excuse")))?;
                self.leave_request(camp.as_str(), user.as_str(), &day.to_string(), reason, by, false)?;
                Ok(done(
                    self.say(format!("{user} 于 {day} 请假已记录"), format!("{user} excused on {day}")),
                    Some(Undo::Leave(camp, user, day)),
                ))
            }
        }
    }

    /// The camp, payment and planet user an item is about.
    fn item_subject(&self, item: &str) -> Result<(CampId, Option<TransactionId>, Option<PlanetUserId>), ServiceError> {
        for camp in &self.config.camps {
            let evaluation = self.stored_evaluation(camp)?;
            if let Some(v) =
                evaluation.verdicts.iter().find(|v| super::views::verdict_item_id(&camp.id, &v.transaction_id) == item)
            {
                return Ok((camp.id.clone(), Some(v.transaction_id.clone()), v.planet_user_id.clone()));
            }
            if let Some(a) = evaluation.anomalies.iter().find(|a| a.id == item) {
                let user = a.planet_user_id.clone().or_else(|| {
                    a.transaction_id
                        .as_ref()
                        .and_then(|t| evaluation.verdicts.iter().find(|v| &v.transaction_id == t))
                        .and_then(|v| v.planet_user_id.clone())
                });
                return Ok((camp.id.clone(), a.transaction_id.clone(), user));
            }
        }
        Err(ServiceError::user(format!("item {item} is no longer open (the records changed); reload")))
    }

    fn undo(&self, token: &UndoToken, by: &str) -> Result<ActionOutcome, ServiceError> {
        let now = jiff::Timestamp::now();
        let message = match Undo::parse(token)? {
            Undo::Decision(id) => {
                let d = self.store.write_with(|tx| crate::links::retract(tx, &id, by, now))?;
                if let Some(camp) = self.camp_of_txn(&d.transaction_id) {
                    self.evaluate_now(camp)?;
                }
                self.say(format!("已撤销决定 {id}"), format!("decision {id} taken back"))
            }
            Undo::Refunds(ids) => {
                self.store.write_with(|tx| {
                    for id in &ids {
                        queue::undo(tx, id, by, now)?;
                    }
                    Ok::<_, queue::QueueError>(())
                })?;
                self.say(
                    format!("已撤销 {} 笔退款的审核", ids.len()),
                    format!("{} refund decision(s) taken back", ids.len()),
                )
            }
            Undo::Verdict(txn) => {
                self.set_verdict(txn.as_str(), None, "", by)?;
                self.say(format!("已撤销付款 {txn} 的改判"), format!("reviewer verdict of payment {txn} cleared"))
            }
            Undo::Leave(camp, user, day) => {
                self.leave_request(camp.as_str(), user.as_str(), &day.to_string(), "", by, true)?;
                self.say(format!("已撤销 {user} 于 {day} 的请假"), format!("leave of {user} on {day} removed"))
            }
        };
        self.data_changed();
        Ok(done(message, None))
    }

    fn camp_of_refund(&self, id: &RefundId) -> Option<CampId> {
        let read = self.store.read().ok()?;
        let r = read.get(&queue::REFUNDS, id.as_str()).ok()??;
        Some(r.proposal.camp)
    }

    fn camp_of_txn(&self, txn: &TransactionId) -> Option<&crate::config::Camp> {
        let read = self.store.read().ok()?;
        let payment = crate::records::payments::payment(&read, txn.as_str()).ok()??;
        self.config.camp(payment.camp?.as_str())
    }
}

impl Service {
    /// A message in the configured UI language.
    fn say(&self, zh: String, en: String) -> String {
        match self.config.lang {
            crate::config::Lang::Zh => zh,
            crate::config::Lang::En => en,
        }
    }

    fn run_message(&self, lines: &[crate::refund::executor::ExecLine]) -> String {
        use crate::domain::RefundState;
        let count = |s: RefundState| lines.iter().filter(|l| l.state == s).count();
        let (ok, wait, bad) =
            (count(RefundState::Succeeded), count(RefundState::Submitted), count(RefundState::Failed));
        self.say(
            format!("{} 笔退款：成功 {ok}，处理中 {wait}，失败 {bad}", lines.len()),
            format!("{} refund(s): {ok} succeeded, {wait} in progress, {bad} failed", lines.len()),
        )
    }
}
