//! Report requests: figures per camp and period (from stored evaluations; a
//! camp never evaluated is evaluated first) and evidence bundles.

use super::{Response, Service, ServiceError};
use crate::report::evidence::{self, EvidenceError, Written};
use crate::report::gather::{self, ReportError};
use crate::report::{PeriodQuery, Report};
use crate::tui::model::{ReportView, Scope};
use crate::verdicts;

impl From<ReportError> for ServiceError {
    fn from(e: ReportError) -> Self {
        match e {
            ReportError::UnknownCamp { .. } => ServiceError::user(e.to_string()),
            other => ServiceError::internal(other.to_string()),
        }
    }
}

impl From<EvidenceError> for ServiceError {
    fn from(e: EvidenceError) -> Self {
        match e {
            EvidenceError::Store(m) => ServiceError::internal(m),
            other => ServiceError::user(other.to_string()),
        }
    }
}

impl Service {
    /// Writes the evidence bundle of payment `txn` into `out` (absolute), or into
    /// `evidence/<txn>-<time>` in the data dir.
    pub(super) fn evidence(&self, txn: &str, out: Option<&str>) -> Result<Written, ServiceError> {
        let now = jiff::Timestamp::now();
        let tz = self.config.day_rule.tz.clone();
        let camp = {
            let read = self.store.read()?;
            let payment = crate::records::payments::payment(&read, txn.trim())
                .map_err(|e| ServiceError::internal(e.to_string()))?
                .ok_or_else(|| EvidenceError::UnknownPayment(txn.to_string()))?;
            payment.camp.and_then(|c| self.config.camp(c.as_str()))
        };
        if let Some(c) = camp
            && verdicts::evaluation(&self.store.read()?, &c.id)?.is_none()
        {
            self.evaluate_now(c)?;
        }
        let dir = match out {
            Some(d) => std::path::PathBuf::from(d),
            None => {
                let data = self.store.dir().ok_or_else(|| {
                    ServiceError::user("the store has no data dir; give the folder to write the evidence into")
                })?;
                evidence::default_dir(data, &crate::domain::TransactionId::new(txn.trim()), now, &tz)
            }
        };
        let data = evidence::gather(&self.store.read()?, &self.config, txn)?;
        let bundle = evidence::bundle(&data, &tz, now);
        Ok(evidence::write(&dir, &bundle)?)
    }

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

    /// The Reports pane's view of the scope.
    pub(super) fn report_view(&self, scope: &Scope) -> Result<ReportView, ServiceError> {
        let report = self.report(scope.camp().map(|c| c.as_str()), None)?;
        Ok(crate::report::view::report_view(&report))
    }

    pub(super) fn report_request(
        &self,
        camp: Option<&str>,
        period: Option<&PeriodQuery>,
    ) -> Result<Response, ServiceError> {
        Ok(Response::Report(Box::new(self.report(camp, period)?)))
    }
}
