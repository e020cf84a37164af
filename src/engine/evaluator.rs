//! The evaluator task: whenever platform records change, re-evaluate every
//! camp (matching, verdicts, refund proposals), then tell the views to reload.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::EngineHandle;
use super::status::{Alert, Severity};
use crate::config::Config;
use crate::store::Store;

/// How long to wait for a burst of record changes to settle before evaluating.
const SETTLE: Duration = Duration::from_millis(300);

/// Starts the evaluator on the engine's runtime; it ends when the engine shuts down.
pub fn start(engine: &EngineHandle, store: Arc<Store>, config: Arc<Config>) {
    let engine = engine.clone();
    let mut rx = engine.subscribe();
    let cancel = engine.cancel_token();
    let tracker = engine.tracker().clone();
    tracker.spawn(async move {
        let mut seen = rx.borrow_and_update().records_version;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                changed = rx.changed() => if changed.is_err() { return },
            }
            if rx.borrow_and_update().records_version == seen {
                continue;
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(SETTLE) => {}
            }
            seen = rx.borrow_and_update().records_version;
            let (store, config) = (store.clone(), config.clone());
            let sender = engine.status_sender();
            let status = sender.clone();
            let results = tokio::task::spawn_blocking(move || {
                // Refunds done in the WeCom client show on the bills: settle them
                // (and flag the wrong ones) before judging again.
                if let Err(e) = crate::refund::reconcile::reconcile(&store, &config, Some(&status), Timestamp::now()) {
                    tracing::error!("reconciliation failed: {e}");
                }
                crate::evaluate::evaluate_all(&store, &config, Timestamp::now())
            })
            .await;
            match results {
                Ok(results) => {
                    for (camp, r) in results {
                        if let Err(e) = r {
                            tracing::error!(camp = %camp, "evaluation failed: {e}");
                            engine.alert(Alert {
                                at: Timestamp::now(),
                                severity: Severity::Error,
                                source: format!("evaluate:{camp}"),
                                message: format!("evaluation failed: {e}"),
                            });
                        }
                    }
                }
                Err(e) => tracing::error!("evaluation task panicked: {e}"),
            }
            sender.send_modify(|s| s.data_version += 1);
        }
    });
}
