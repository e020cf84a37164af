//! How a front end reaches the service: attach to the running daemon's socket
//! if there is one, otherwise run the engine in this process.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::watch;

use super::{EngineMode, Request, Response, Service, ServiceError};
use crate::cli::GlobalArgs;
use crate::engine::EngineStatus;
use crate::rpc::{RpcClient, SOCKET_FILE};
use crate::store::{OpenedBy, Store};

/// The service as a front end sees it.
pub enum Backend {
    /// The engine runs in this process.
    Local(Arc<Service>),
    /// Another process owns the store; requests travel over its socket.
    Remote {
        /// The connection.
        client: Box<RpcClient>,
        /// The socket path (for status subscriptions).
        socket: PathBuf,
    },
}

impl Backend {
    /// Where the engine runs.
    pub fn mode(&self) -> EngineMode {
        match self {
            Backend::Local(_) => EngineMode::InProcess,
            Backend::Remote { .. } => EngineMode::Attached,
        }
    }

    /// Sends one request.
    pub async fn call(&self, request: Request) -> Result<Response, ServiceError> {
        match self {
            Backend::Local(service) => service.handle(request).await,
            Backend::Remote { client, .. } => client.call(request).await,
        }
    }

    /// A live view of the engine status.
    pub async fn status_updates(&self) -> io::Result<watch::Receiver<EngineStatus>> {
        match self {
            Backend::Local(service) => Ok(service.engine.subscribe()),
            Backend::Remote { socket, .. } => RpcClient::subscribe(socket).await,
        }
    }

    /// Stops an in-process engine (no-op when attached).
    pub async fn shutdown(&self) {
        if let Backend::Local(service) = self {
            service.engine.shutdown(std::time::Duration::from_secs(10)).await;
        }
    }
}

/// Attaches to the daemon serving `data/campdesk.sock`, or loads the config,
/// opens the store and starts the engine here (scheduled or on demand only).
pub async fn attach_or_start(
    global: &GlobalArgs,
    opened_by: OpenedBy,
    scheduled: bool,
) -> Result<Backend, ServiceError> {
    let socket = global.data.join(SOCKET_FILE);
    match RpcClient::connect(&socket).await {
        Ok(Some(client)) => return Ok(Backend::Remote { client: Box::new(client), socket }),
        Ok(None) => {}
        Err(e) => return Err(ServiceError::user(format!("cannot talk to the daemon at {}: {e}", socket.display()))),
    }
    let config = crate::config::load_file(&global.config).map_err(|e| ServiceError::user(e.to_string()))?;
    let store = Store::open(&global.data, opened_by).map_err(|e| match e {
        crate::store::StoreError::InUse(m) => ServiceError::user(m),
        other => ServiceError::user(other.to_string()),
    })?;
    let config = Arc::new(config);
    let store = Arc::new(store);
    let engine = crate::engine::setup::start_engine(&config, &store, scheduled);
    Ok(Backend::Local(Arc::new(Service::new(engine, store, config))))
}
