//! Payout requests: run and retry refunds, the worklist, reconciliation and its
//! findings, ledgers, member texts, the outbox, and the review workbook.

use std::sync::Arc;

use base64::Engine as _;
use jiff::Timestamp;

use super::api::MemberText;
use super::{Request, Response, Service, ServiceError};
use crate::domain::{CampId, RefundId, RefundState};
use crate::refund::executor::{self, Executor, ExecutorSettings, PassReport, worklist};
use crate::refund::ledger::{self, CampLedger, LedgerInput};
use crate::refund::{notify, queue, reconcile, review_xlsx};

impl Service {
    /// The refund executor of this service (one per store, made on first use).
    pub fn executor(&self) -> Arc<Executor> {
        self.payout
            .get_or_init(|| {
                Arc::new(Executor::new(
                    self.store.clone(),
                    self.config.clone(),
                    self.engine.status_sender(),
                    ExecutorSettings::for_config(&self.config),
                ))
            })
            .clone()
    }

    /// Uses `executor` (tests with their own settings); ignored once one exists.
    pub fn set_executor(&self, executor: Arc<Executor>) {
        let _ = self.payout.set(executor);
    }

    fn camp_arg(&self, camp: Option<&str>) -> Result<Option<CampId>, ServiceError> {
        match camp {
            None => Ok(None),
            Some(c) => {
                if self.config.camp(c).is_none() {
                    let known: Vec<&str> = self.config.camps.iter().map(|c| c.id.as_str()).collect();
                    return Err(ServiceError::user(format!("unknown camp `{c}`; the camps are: {}", known.join(", "))));
                }
                Ok(Some(CampId::new(c)))
            }
        }
    }

    pub(super) async fn handle_payout(&self, request: Request) -> Result<Response, ServiceError> {
        match request {
            Request::RefundsRun { camp } => {
                let camp = self.camp_arg(camp.as_deref())?;
                let report = self.executor().run_pass(camp.as_ref()).await;
                Ok(Response::RefundRun(report))
            }
            Request::RefundsRetry { id, by } => {
                let line = self.executor().retry(&RefundId::new(id), &by).await?;
                Ok(Response::RefundRun(PassReport {
                    started_at: Some(Timestamp::now()),
                    finished_at: Some(Timestamp::now()),
                    lines: vec![line],
                    ..PassReport::default()
                }))
            }
            Request::Worklist { camp, by, issue } => {
                let camp = self.camp_arg(camp.as_deref())?;
                let list = if issue {
                    let list =
                        worklist::worklist(&self.store, &self.config, camp.as_ref(), &by, true, Timestamp::now())?;
                    if list.items.iter().any(|i| i.newly_issued) {
                        self.data_changed();
                    }
                    list
                } else {
                    worklist::peek(&self.store.read()?, &self.config, camp.as_ref())?
                };
                Ok(Response::Worklist(list))
            }
            Request::Reconcile => {
                let status = self.engine.status_sender();
                let report = reconcile::reconcile(&self.store, &self.config, Some(&status), Timestamp::now())?;
                Ok(Response::Reconciled(report))
            }
            Request::Findings { camp, all } => {
                let camp = self.camp_arg(camp.as_deref())?;
                let findings = reconcile::findings(&self.store.read()?, camp.as_ref(), !all)?;
                Ok(Response::Findings { findings })
            }
            Request::FindingResolve { id, note, by } => {
                let f = self.store.write_with(|tx| reconcile::resolve(tx, &id, &by, &note, Timestamp::now()))?;
                self.data_changed();
                Ok(Response::Findings { findings: vec![f] })
            }
            Request::Ledger { camp } => {
                let camp = self.camp_arg(camp.as_deref())?;
                let camps: Vec<CampId> = match camp {
                    Some(c) => vec![c],
                    None => self.config.camps.iter().map(|c| c.id.clone()).collect(),
                };
                let ledgers = camps.iter().map(|c| self.ledger_of(c)).collect::<Result<Vec<_>, _>>()?;
                Ok(Response::Ledger { ledgers })
            }
            Request::MemberTexts { camp } => {
                let id = self.camp_arg(Some(&camp))?.unwrap_or_else(|| CampId::new(camp.clone()));
                let c = self.config.camp(id.as_str()).ok_or_else(|| ServiceError::user("unknown camp"))?;
                let refunds = queue::list_camp(&self.store.read()?, &id)?;
                let members = refunds
                    .iter()
                    .filter(|r| r.state == RefundState::Succeeded || r.state == RefundState::SettledOffline)
                    .map(|r| MemberText {
                        refund_id: r.id.to_string(),
                        payer_name: r.proposal.payer_name.clone(),
                        transaction_id: r.proposal.transaction_id.to_string(),
                        text: notify::member_text(c, r),
                    })
                    .collect();
                Ok(Response::Texts { summary: notify::camp_summary(c, &refunds), members })
            }
            Request::Outbox => Ok(Response::Outbox { messages: notify::outbox(&self.store.read()?)? }),
            Request::ReviewExport { camp } => {
                let id = self.camp_arg(Some(&camp))?.unwrap_or_else(|| CampId::new(camp.clone()));
                let c = self.config.camp(id.as_str()).ok_or_else(|| ServiceError::user("unknown camp"))?;
                let read = self.store.read()?;
                let refunds = queue::list_camp(&read, &id)?;
                let evaluation = crate::verdicts::evaluation(&read, &id)?;
                let bytes = review_xlsx::export(c, &refunds, evaluation.as_ref(), Timestamp::now())
                    .map_err(|e| ServiceError::internal(e.to_string()))?;
                Ok(Response::ReviewFile {
                    file_name: format!("review-{id}.xlsx"),
                    content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                    rows: refunds.len(),
                })
            }
            Request::ReviewImport { file_name, content_base64, by, confirm } => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content_base64.as_bytes())
                    .map_err(|e| ServiceError::user(format!("{file_name}: the file did not arrive intact: {e}")))?;
                let report =
                    review_xlsx::import(&self.store, &self.config, &file_name, &bytes, &by, confirm, Timestamp::now())
                        .map_err(|e| match e {
                            review_xlsx::ReviewError::Queue { error: queue::QueueError::Store(s), .. } => {
                                ServiceError::internal(s.to_string())
                            }
                            other => ServiceError::user(other.to_string()),
                        })?;
                self.data_changed();
                Ok(Response::ReviewImported(report))
            }
            other => Err(ServiceError::internal(format!("request {other:?} is not a payout request"))),
        }
    }

    fn ledger_of(&self, camp: &CampId) -> Result<CampLedger, ServiceError> {
        let read = self.store.read()?;
        let payments = crate::records::payments::payments_of_camp(&read, camp.as_str())
            .map_err(|e| ServiceError::internal(e.to_string()))?;
        let refunds = queue::list_camp(&read, camp)?;
        let evaluation = crate::verdicts::evaluation(&read, camp)?;
        let findings = reconcile::findings(&read, Some(camp), true)?;
        let matches = read
            .all(&reconcile::BILL_MATCHES)?
            .into_iter()
            .filter_map(|(k, id)| {
                let (txn, no) = k.split_once(crate::store::KEY_SEP)?;
                Some(((crate::domain::TransactionId::new(txn), no.to_string()), id))
            })
            .collect();
        Ok(ledger::camp_ledger(&LedgerInput {
            camp,
            payments: &payments,
            refunds: &refunds,
            evaluation: evaluation.as_ref(),
            matches: &matches,
            findings: &findings,
        }))
    }
}

/// Starts the executor and the notifier of a service in the background (the
/// daemon, and the TUI when it runs the engine itself); they stop on `cancel`.
pub fn start_payout(service: &Service, cancel: tokio_util::sync::CancellationToken) {
    let status = service.engine.status_sender();
    executor::start_executor(service.executor(), cancel.clone());
    if let Some(n) = notify::notifier_for(&service.config, service.store.clone()) {
        let n = Arc::new(n.with_status(status.clone()));
        notify::start_notifier(n, status, std::time::Duration::from_secs(10), cancel);
    }
}
