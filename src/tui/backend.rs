//! The workstation's source over the service: views and actions travel as
//! requests, so the TUI works the same in-process and attached to the daemon.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::source::{ActionOutcome, SourceAction, SourceError, TuiSource, View, ViewQuery};
use crate::service::{Backend, Request, Response};

/// A [`TuiSource`] over a [`Backend`].
pub struct BackendSource {
    backend: Arc<Backend>,
    by: String,
}

impl BackendSource {
    /// A source acting as `$CAMPDESK_USER`, else `$USER`.
    pub fn new(backend: Arc<Backend>) -> BackendSource {
        let by = std::env::var("CAMPDESK_USER")
            .or_else(|_| std::env::var("USER"))
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "operator".to_string());
        BackendSource { backend, by }
    }
}

impl TuiSource for BackendSource {
    fn load(&self, query: ViewQuery) -> BoxFuture<'_, Result<View, SourceError>> {
        Box::pin(async move {
            match self.backend.call(Request::View { query }).await? {
                Response::View(v) => Ok(*v),
                _ => Err(SourceError::new("unexpected reply to a view request")),
            }
        })
    }

    fn perform(&self, action: SourceAction) -> BoxFuture<'_, Result<ActionOutcome, SourceError>> {
        Box::pin(async move {
            match self.backend.call(Request::Act { action, by: self.by.clone() }).await? {
                Response::Acted(o) => Ok(o),
                _ => Err(SourceError::new("unexpected reply to an action")),
            }
        })
    }
}
