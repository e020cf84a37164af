//! Review requests: evaluation, links, verdicts, human decisions.

use super::{Response, Service, ServiceError};
use crate::config::Camp;
use crate::domain::{CampId, Day, ExternalUserId, PlanetUserId, TransactionId};
use crate::evaluate::{self, CampOutcome};
use crate::links::{self, DecisionRequest, LinksError, Recorded};
use crate::matching::decisions::{DecisionScope, DecisionSnapshot};
use crate::records;
use crate::rules::{LeaveRecord, OverrideDecision, VerdictOverride};
use crate::verdicts;

impl From<LinksError> for ServiceError {
    fn from(e: LinksError) -> Self {
        match e {
            LinksError::Store(s) => s.into(),
            other => ServiceError::user(other.to_string()),
        }
    }
}

impl From<evaluate::EvalError> for ServiceError {
    fn from(e: evaluate::EvalError) -> Self {
        ServiceError::internal(e.to_string())
    }
}

fn records_err(e: records::RecordsError) -> ServiceError {
    ServiceError::internal(e.to_string())
}

impl Service {
    fn camp(&self, id: &str) -> Result<&Camp, ServiceError> {
        self.config.camp(id).ok_or_else(|| {
            let known: Vec<&str> = self.config.camps.iter().map(|c| c.id.as_str()).collect();
            ServiceError::user(format!("unknown camp `{id}`; the camps are: {}", known.join(", ")))
        })
    }

    fn camps(&self, id: Option<&str>) -> Result<Vec<&Camp>, ServiceError> {
        match id {
            Some(id) => Ok(vec![self.camp(id)?]),
            None => Ok(self.config.camps.iter().collect()),
        }
    }

    /// Evaluates one camp now (blocking the caller's thread briefly).
    pub(super) fn evaluate_now(&self, camp: &Camp) -> Result<CampOutcome, ServiceError> {
        Ok(evaluate::evaluate_camp(&self.store, &self.config, camp, jiff::Timestamp::now())?)
    }

    /// The camp a payment is attributed to.
    fn camp_of_payment(&self, txn: &str) -> Result<(&Camp, crate::domain::Payment), ServiceError> {
        let read = self.store.read()?;
        let payment = records::payments::payment(&read, txn).map_err(records_err)?.ok_or_else(|| {
            ServiceError::user(format!("payment {txn} is not in the store (sync or import it first)"))
        })?;
        let camp_id = payment
            .camp
            .clone()
            .ok_or_else(|| ServiceError::user(format!("payment {txn} is not attributed to a camp")))?;
        Ok((self.camp(camp_id.as_str())?, payment))
    }

    pub(super) fn evaluate_request(&self, camp: Option<&str>) -> Result<Response, ServiceError> {
        let evaluated = evaluate::evaluate_camps(&self.store, &self.config, self.camps(camp)?, jiff::Timestamp::now());
        let out: Vec<_> = evaluated
            .into_iter()
            .map(|(id, r)| (id, r.map(|o| o.evaluation.summary).map_err(|e| e.to_string())))
            .collect();
        self.data_changed();
        Ok(Response::Evaluated { camps: out })
    }

    pub(super) fn links_request(&self, camp: Option<&str>) -> Result<Response, ServiceError> {
        let mut links = Vec::new();
        for (_, outcome) in
            evaluate::evaluate_camps(&self.store, &self.config, self.camps(camp)?, jiff::Timestamp::now())
        {
            links.extend(outcome?.matching.links);
        }
        Ok(Response::Links { links })
    }

    pub(super) fn cards_request(&self, camp: Option<&str>) -> Result<Response, ServiceError> {
        let mut cards = Vec::new();
        for (_, outcome) in
            evaluate::evaluate_camps(&self.store, &self.config, self.camps(camp)?, jiff::Timestamp::now())
        {
            cards.extend(outcome?.matching.cards);
        }
        Ok(Response::ReviewCards { cards })
    }

    pub(super) fn eligibility_request(&self, camp: &str) -> Result<Response, ServiceError> {
        let camp = self.camp(camp)?;
        Ok(Response::Eligibility { verdicts: self.evaluate_now(camp)?.evaluation.verdicts })
    }

    pub(super) fn evaluation_request(&self, camp: &str) -> Result<Response, ServiceError> {
        let camp = self.camp(camp)?;
        Ok(Response::Evaluation(Box::new(self.evaluate_now(camp)?.evaluation)))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn link_decision(
        &self,
        txn: &str,
        user: &str,
        external_userid: Option<&str>,
        person: bool,
        cannot: bool,
        by: &str,
        note: Option<&str>,
    ) -> Result<Response, ServiceError> {
        let transaction_id = links::check_transaction_id(txn.trim())?;
        let planet_user_id = links::check_planet_user_id(user.trim())?;
        let (camp, payment) = self.camp_of_payment(transaction_id.as_str())?;
        let read = self.store.read()?;
        let planet = records::planet_users::planet_user(&read, planet_user_id.as_str())
            .map_err(records_err)?
            .ok_or_else(|| ServiceError::user(format!("planet user {planet_user_id} is not in the store")))?;
        let previous = links::links(&read, Some(&camp.id))?.into_iter().find(|l| l.transaction_id == transaction_id);
        drop(read);
        let external_userid =
            external_userid.map(ExternalUserId::new).or_else(|| payment.payer_external_userid.clone());
        let req = DecisionRequest {
            transaction_id,
            planet_user_id,
            external_userid,
            scope: if person { DecisionScope::Person } else { DecisionScope::Payment },
            by: by.to_string(),
            note: note.map(str::to_string).filter(|n| !n.trim().is_empty()),
            snapshot: Some(DecisionSnapshot {
                planet_name: Some(planet.display_name().to_string()),
                payer_name: payment.payer_name.clone(),
                remark: Some(payment.remark.clone()),
                score: previous.map(|l| l.score),
            }),
        };
        let now = jiff::Timestamp::now();
        let recorded = self.store.write_with(|tx| {
            if cannot { links::record_cannot_link(tx, req, now) } else { links::record_must_link(tx, req, now) }
        })?;
        self.evaluate_now(camp)?;
        self.data_changed();
        Ok(match recorded {
            Recorded::New { decision, superseded } => {
                Response::LinkRecorded { status: "recorded".into(), decision, superseded }
            }
            Recorded::Unchanged { decision } => {
                Response::LinkRecorded { status: "unchanged".into(), decision, superseded: Vec::new() }
            }
        })
    }

    pub(super) fn set_verdict(
        &self,
        txn: &str,
        decision: Option<OverrideDecision>,
        reason: &str,
        by: &str,
    ) -> Result<Response, ServiceError> {
        let (camp, payment) = self.camp_of_payment(txn)?;
        let now = jiff::Timestamp::now();
        let message = match decision {
            Some(d) => {
                let ov = VerdictOverride {
                    transaction_id: payment.transaction_id.clone(),
                    decision: d,
                    reason: reason.to_string(),
                    by: by.to_string(),
                    at: now,
                };
                self.store.write_with(|tx| verdicts::set_override(tx, &camp.id, &ov))?;
                format!("payment {txn}: verdict set to {}", if d == OverrideDecision::Pass { "pass" } else { "fail" })
            }
            None => {
                let removed =
                    self.store.write_with(|tx| verdicts::clear_override(tx, &camp.id, &TransactionId::new(txn), by))?;
                if !removed {
                    return Err(ServiceError::user(format!("payment {txn} has no reviewer verdict to clear")));
                }
                format!("payment {txn}: reviewer verdict cleared")
            }
        };
        self.evaluate_now(camp)?;
        self.data_changed();
        Ok(Response::Decided { message })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn leave_request(
        &self,
        camp: &str,
        user: &str,
        day: &str,
        reason: &str,
        by: &str,
        remove: bool,
    ) -> Result<Response, ServiceError> {
        let camp = self.camp(camp)?;
        let day: Day = day.parse().map_err(|e: crate::domain::time::DayError| ServiceError::user(e.to_string()))?;
        if day < camp.start || day > camp.end {
            return Err(ServiceError::user(format!(
                "{day} is not a day of camp {} ({} to {})",
                camp.id, camp.start, camp.end
            )));
        }
        let user = PlanetUserId::new(user.trim());
        let message = if remove {
            let removed = self.store.write_with(|tx| verdicts::remove_leave(tx, &camp.id, &user, day, by))?;
            if !removed {
                return Err(ServiceError::user(format!("{user} has no leave on {day} in camp {}", camp.id)));
            }
            format!("leave of {user} on {day} removed")
        } else {
            let rec = LeaveRecord {
                planet_user_id: user.clone(),
                day,
                reason: reason.to_string(),
                by: by.to_string(),
                at: jiff::Timestamp::now(),
            };
            self.store.write_with(|tx| verdicts::add_leave(tx, &camp.id, &rec))?;
            format!("{user} excused on {day}")
        };
        self.evaluate_now(camp)?;
        self.data_changed();
        Ok(Response::Decided { message })
    }

    pub(super) fn freeze_request(&self, camp: &str, by: &str) -> Result<Response, ServiceError> {
        let camp = self.camp(camp)?;
        let message = crate::evaluate::freeze::freeze_camp(&self.store, &self.config, camp, by, jiff::Timestamp::now())
            .map_err(|e| ServiceError::user(e.to_string()))?;
        self.evaluate_now(camp)?;
        self.data_changed();
        Ok(Response::Decided { message })
    }

    pub(super) fn reopen_request(&self, camp: &str, reason: &str, by: &str) -> Result<Response, ServiceError> {
        let camp = self.camp(camp)?;
        let id = CampId::new(camp.id.as_str());
        self.store.write_with(|tx| verdicts::reopen(tx, &id, by, reason, jiff::Timestamp::now()))?;
        self.evaluate_now(camp)?;
        self.data_changed();
        Ok(Response::Decided { message: format!("camp {id} re-opened: verdicts follow the live records again") })
    }
}
