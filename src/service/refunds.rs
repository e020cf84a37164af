//! Refund review requests: list, approve, reject, undo, settle offline.

use super::{Response, Service, ServiceError};
use crate::domain::{CampId, RefundId, RefundState};
use crate::refund::queue::{self, CampPolicy, QueueError};

impl From<QueueError> for ServiceError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Store(s) => ServiceError::internal(s.to_string()),
            other => ServiceError::user(other.to_string()),
        }
    }
}

impl Service {
    fn policy(&self) -> impl Fn(&CampId) -> Option<CampPolicy> + '_ {
        |camp: &CampId| self.config.camp(camp.as_str()).map(CampPolicy::of)
    }

    fn check_camp(&self, camp: &str) -> Result<(), ServiceError> {
        if self.config.camp(camp).is_none() {
            let known: Vec<&str> = self.config.camps.iter().map(|c| c.id.as_str()).collect();
            return Err(ServiceError::user(format!("unknown camp `{camp}`; the camps are: {}", known.join(", "))));
        }
        Ok(())
    }

    pub(super) fn refunds_list(
        &self,
        camp: Option<&str>,
        state: Option<RefundState>,
    ) -> Result<Response, ServiceError> {
        let read = self.store.read()?;
        let mut refunds = match camp {
            Some(c) => {
                self.check_camp(c)?;
                queue::list_camp(&read, &CampId::new(c))?
            }
            None => queue::list_all(&read)?,
        };
        refunds.retain(|r| state.is_none_or(|s| r.state == s));
        Ok(Response::Refunds { refunds })
    }

    pub(super) fn refunds_approve(
        &self,
        ids: &[String],
        all_passed_of: Option<&str>,
        by: &str,
        note: Option<&str>,
        confirm: bool,
    ) -> Result<Response, ServiceError> {
        let mut ids: Vec<RefundId> = ids.iter().map(RefundId::new).collect();
        if let Some(camp) = all_passed_of {
            self.check_camp(camp)?;
            ids.extend(queue::all_passed(&self.store.read()?, &CampId::new(camp))?);
        }
        if ids.is_empty() {
            return Err(ServiceError::user("nothing to approve: give refund ids, or --camp ID --all-passed"));
        }
        let policy = self.policy();
        let now = jiff::Timestamp::now();
        let refunds = self.store.write_with(|tx| queue::approve(tx, &ids, by, note, &policy, confirm, now))?;
        self.data_changed();
        Ok(Response::Refunds { refunds })
    }

    pub(super) fn refunds_reject(&self, ids: &[String], reason: &str, by: &str) -> Result<Response, ServiceError> {
        let ids: Vec<RefundId> = ids.iter().map(RefundId::new).collect();
        let now = jiff::Timestamp::now();
        let refunds = self.store.write_with(|tx| queue::reject(tx, &ids, by, reason, now))?;
        self.data_changed();
        Ok(Response::Refunds { refunds })
    }

    pub(super) fn refunds_undo(&self, id: &str, by: &str) -> Result<Response, ServiceError> {
        let now = jiff::Timestamp::now();
        let r = self.store.write_with(|tx| queue::undo(tx, &RefundId::new(id), by, now))?;
        self.data_changed();
        Ok(Response::Refunds { refunds: vec![r] })
    }

    pub(super) fn refunds_settle_offline(&self, id: &str, evidence: &str, by: &str) -> Result<Response, ServiceError> {
        let policy = self.policy();
        let now = jiff::Timestamp::now();
        let r =
            self.store.write_with(|tx| queue::settle_offline(tx, &RefundId::new(id), by, evidence, &policy, now))?;
        self.data_changed();
        Ok(Response::Refunds { refunds: vec![r] })
    }
}
