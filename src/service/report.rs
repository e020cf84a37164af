//! Report requests: figures per camp and period (from stored evaluations; a
//! camp never evaluated is evaluated first).

use super::{Response, Service, ServiceError};
use crate::report::gather::{self, ReportError};
use crate::report::{PeriodQuery, Report};
use crate::verdicts;

impl From<ReportError> for ServiceError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::UnknownCamp { .. } => ServiceError::user(e.to_string()),
            other => ServiceError::internal(other.to_string()),
        }
    }
}

impl Service {
    /// The report over one camp or the camps of a period (all camps without either).
    pub(super) fn report(&self, camp: Option<&str>, period: Option<&PeriodQuery>) -> Result<Report, ServiceError> {
        let now = jiff::Timestamp::now();
        let today = self.config.day_rule.today(now);
        let period = match period {
            Some(q) => Some(q.resolve(today).map_err(|e| ServiceError::user(e.to_string()))?),
            None => None,
        };
        let camps = gather::select_camps(&self.config, camp, period.as_ref())?;
        for c in &camps {
            let stored = verdicts::evaluation(&self.store.read()?, &c.id)?;
            if stored.is_none() {
                self.evaluate_now(c)?;
            }
        }
        let read = self.store.read()?;
        Ok(gather::build(&read, &self.config, &camps, period, now)?)
    }

    pub(super) fn report_request(
        &self,
        camp: Option<&str>,
        period: Option<&PeriodQuery>,
    ) -> Result<Response, ServiceError> {
        Ok(Response::Report(Box::new(self.report(camp, period)?)))
    }
}
