//! The last successful run of every sync task, kept in the store (table `sync_runs`,
//! key = the task id as shown, e.g. `zsxq:2510-xhs`), so `campdesk status` shows it from
//! any process and a restarted daemon counts its schedules from there instead of
//! syncing everything again at once.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::engine::{JobError, RunContext, RunCounts, SyncJob, TaskId};
use crate::records::{Reads, RecordsError};
use crate::store::{Store, TableDef, WriteTx};

/// task id → its last successful run.
pub const SYNC_RUNS: TableDef<TaskRun> = TableDef::new("sync_runs");

/// A task's last successful run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRun {
    /// The task.
    pub task: TaskId,
    /// When it ended.
    pub completed_at: Timestamp,
    /// What it brought in.
    pub counts: RunCounts,
}

/// Records a successful run.
pub fn record(tx: &mut WriteTx, run: &TaskRun) -> Result<(), RecordsError> {
    tx.put(&SYNC_RUNS, &run.task.to_string(), run)?;
    Ok(())
}

/// Every task's last successful run.
pub fn all(r: &impl Reads) -> Result<Vec<TaskRun>, RecordsError> {
    Ok(r.prefix_records(&SYNC_RUNS, "")?.into_iter().map(|(_, run)| run).collect())
}

/// A job whose successful runs are recorded.
pub(crate) struct Recorded {
    inner: Arc<dyn SyncJob>,
    store: Arc<Store>,
}

impl Recorded {
    pub fn wrap(inner: Arc<dyn SyncJob>, store: Arc<Store>) -> Arc<dyn SyncJob> {
        Arc::new(Recorded { inner, store })
    }
}

impl SyncJob for Recorded {
    fn id(&self) -> TaskId {
        self.inner.id()
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(async move {
            let counts = self.inner.run(ctx).await?;
            let run = TaskRun { task: self.id(), completed_at: Timestamp::now(), counts: counts.clone() };
            let store = self.store.clone();
            let written = tokio::task::spawn_blocking(move || store.write_with(|tx| record(tx, &run))).await;
            if let Err(e) = written.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
                tracing::warn!(task = %ctx.task(), error = %e, "could not record the successful run");
            }
            Ok(counts)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_round_trip() {
        let store = Store::in_memory().unwrap();
        let run = TaskRun {
            task: TaskId::new("zsxq", Some("2510-xhs")),
            completed_at: "2025-11-04T01:00:00Z".parse().unwrap(),
            counts: RunCounts { pages: 3, records: 50, changed: 2 },
        };
        store.write_with(|tx| record(tx, &run)).unwrap();
        let later = TaskRun { completed_at: "2025-11-05T01:00:00Z".parse().unwrap(), ..run.clone() };
        store.write_with(|tx| record(tx, &later)).unwrap();
        assert_eq!(all(&store.read().unwrap()).unwrap(), vec![later]);
    }
}
