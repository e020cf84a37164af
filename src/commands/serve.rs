//! `campdesk serve`: the headless daemon (systemd `Type=notify`).

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

use super::{CommandError, Exit, load_config, runtime};
use crate::cli::GlobalArgs;
use crate::rpc::SOCKET_FILE;
use crate::service::Service;
use crate::store::{OpenedBy, Store};

pub(super) fn run(global: &GlobalArgs) -> Result<Exit, CommandError> {
    let config = Arc::new(load_config(global)?);
    let store = Arc::new(Store::open(&global.data, OpenedBy::Serve)?);
    let _log = crate::logging::init(&global.data, true);
    runtime()?.block_on(async move {
        let engine = crate::engine::setup::start_engine(&config, &store, true);
        let service = Arc::new(Service::new(engine.clone(), store.clone(), config.clone()));
        let cancel = CancellationToken::new();
        crate::service::start_payout(&service, cancel.clone());
        let socket = global.data.join(SOCKET_FILE);
        let server = crate::rpc::serve(service, &socket, cancel.clone())
            .await
            .map_err(|e| CommandError::user(format!("cannot serve {}: {e}", socket.display())))?;
        let mut term = signal(SignalKind::terminate()).map_err(|e| CommandError::internal(e.to_string()))?;
        let mut int = signal(SignalKind::interrupt()).map_err(|e| CommandError::internal(e.to_string()))?;
        tracing::info!(socket = %socket.display(), camps = config.camps.len(), "campdesk serve ready");
        let _ = sd_notify::notify(&[
            NotifyState::Ready,
            NotifyState::Status(&format!("serving {} camps on {}", config.camps.len(), socket.display())),
        ]);
        let watchdog = sd_notify::watchdog_enabled();
        let mut pet = tokio::time::interval(watchdog.map_or(Duration::from_secs(3600), |d| d / 2));
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = int.recv() => break,
                _ = pet.tick() => {
                    // Pet only while the engine's task loops are alive and the store answers.
                    if watchdog.is_some() && engine.healthy() && store.read().is_ok() {
                        let _ = sd_notify::notify(&[NotifyState::Watchdog]);
                    }
                }
            }
        }
        tracing::info!("stopping: finishing in-flight work");
        let _ = sd_notify::notify(&[NotifyState::Stopping]);
        cancel.cancel();
        engine.shutdown(Duration::from_secs(20)).await;
        let _ = server.await;
        tracing::info!("stopped");
        Ok(Exit::Ok)
    })
}
