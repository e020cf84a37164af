//! The service: the engine, the store and the config behind one request
//! handler. Front ends reach it through a [`Backend`]: in-process when no
//! daemon runs, over the Unix socket when one does.

mod actions;
pub mod api;
mod backend;
mod payout;
mod refunds;
mod review;
mod views;

use std::sync::Arc;

pub use api::{EngineMode, MemberText, Request, Response, ServiceError, StatusReport};
pub use backend::{Backend, attach_or_start};
pub use payout::start_payout;

use crate::config::Config;
use crate::engine::EngineHandle;
use crate::store::Store;
use api::{CampFacts, ConfigFacts, StoreFacts, TaskOutcome};

/// The engine, store and config of the process that owns the store.
pub struct Service {
    /// The running engine.
    pub engine: EngineHandle,
    /// The store.
    pub store: Arc<Store>,
    /// The config.
    pub config: Arc<Config>,
    /// The refund executor, made on first use.
    payout: std::sync::OnceLock<Arc<crate::refund::executor::Executor>>,
}

impl Service {
    /// A service over a started engine.
    pub fn new(engine: EngineHandle, store: Arc<Store>, config: Arc<Config>) -> Service {
        Service { engine, store, config, payout: std::sync::OnceLock::new() }
    }

    /// Handles one request.
    pub async fn handle(&self, request: Request) -> Result<Response, ServiceError> {
        match request {
            Request::Status => self.status().map(Response::Status),
            Request::SyncNow { filter } => Ok(Response::Queued { tasks: self.engine.sync_now(&filter) }),
            Request::SyncOnce { filter } => {
                let outcomes = self
                    .engine
                    .sync_once(&filter)
                    .await
                    .into_iter()
                    .map(|o| TaskOutcome {
                        task: o.id,
                        counts: o.result.as_ref().ok().cloned(),
                        error: o.result.err().map(|e| (e.class, e.message)),
                    })
                    .collect();
                Ok(Response::Synced { outcomes })
            }
            Request::Import { kind, camp, file_name, content_base64, by, dry_run } => {
                use base64::Engine as _;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content_base64.as_bytes())
                    .map_err(|e| ServiceError::user(format!("{file_name}: the file did not arrive intact: {e}")))?;
                let opts = crate::sources::files::ImportOptions {
                    kind,
                    path: std::path::Path::new(&file_name),
                    camp: &camp,
                    actor: &by,
                    dry_run,
                    now: jiff::Timestamp::now(),
                };
                let report = crate::sources::files::import_bytes(&self.store, &self.config, &file_name, &bytes, &opts)
                    .map_err(import_error)?;
                if report.written {
                    self.records_changed();
                }
                Ok(Response::Imported(report))
            }
            Request::Evaluate { camp } => self.evaluate_request(camp.as_deref()),
            Request::Links { camp } => self.links_request(camp.as_deref()),
            Request::ReviewCards { camp } => self.cards_request(camp.as_deref()),
            Request::Eligibility { camp } => self.eligibility_request(&camp),
            Request::Evaluation { camp } => self.evaluation_request(&camp),
            Request::LinkDecision { transaction_id, planet_user_id, external_userid, person, cannot, by, note } => self
                .link_decision(
                    &transaction_id,
                    &planet_user_id,
                    external_userid.as_deref(),
                    person,
                    cannot,
                    &by,
                    note.as_deref(),
                ),
            Request::SetVerdict { transaction_id, decision, reason, by } => {
                self.set_verdict(&transaction_id, decision, &reason, &by)
            }
            Request::Leave { camp, planet_user_id, day, reason, by, remove } => {
                self.leave_request(&camp, &planet_user_id, &day, &reason, &by, remove)
            }
            Request::Freeze { camp, by } => self.freeze_request(&camp, &by),
            Request::Reopen { camp, reason, by } => self.reopen_request(&camp, &reason, &by),
            Request::View { query } => self.view(query).map(|v| Response::View(Box::new(v))),
            Request::Act { action, by } => self.act(action, &by).await.map(Response::Acted),
            Request::RefundsList { camp, state } => self.refunds_list(camp.as_deref(), state),
            Request::RefundsApprove { ids, all_passed_of, by, note, confirm } => {
                self.refunds_approve(&ids, all_passed_of.as_deref(), &by, note.as_deref(), confirm)
            }
            Request::RefundsReject { ids, reason, by } => self.refunds_reject(&ids, &reason, &by),
            Request::RefundsUndo { id, by } => self.refunds_undo(&id, &by),
            Request::RefundsSettleOffline { id, evidence, by } => self.refunds_settle_offline(&id, &evidence, &by),
            other => self.handle_payout(other).await,
        }
    }

    /// Tells the evaluator that platform records changed (it re-evaluates, then views reload).
    pub fn records_changed(&self) {
        self.engine.status_sender().send_modify(|s| s.records_version += 1);
    }

    /// Tells front ends that stored data changed (they reload their views).
    pub fn data_changed(&self) {
        self.engine.status_sender().send_modify(|s| s.data_version += 1);
    }

    fn status(&self) -> Result<StatusReport, ServiceError> {
        let audit = self.store.verify_audit()?;
        Ok(StatusReport {
            served_by_pid: std::process::id(),
            config: ConfigFacts {
                path: self.config.path.display().to_string(),
                camps: self
                    .config
                    .camps
                    .iter()
                    .map(|c| CampFacts {
                        id: c.id.to_string(),
                        name: c.name.clone(),
                        start: c.start.to_string(),
                        end: c.end.to_string(),
                        rule: c.rule(),
                    })
                    .collect(),
            },
            store: StoreFacts {
                data_dir: self.store.dir().map(|d| d.display().to_string()).unwrap_or_default(),
                schema_version: self.store.schema_version()?,
                audit_entries: audit.entries,
                audit_ok: audit.broken.is_none(),
            },
            engine: self.engine.status(),
        })
    }
}

fn import_error(e: crate::sources::files::ImportError) -> ServiceError {
    use crate::records::RecordsError;
    use crate::sources::files::ImportError;
    match e {
        ImportError::Records(RecordsError::Store(s)) => ServiceError::from(s),
        other => ServiceError::user(other.to_string()),
    }
}
