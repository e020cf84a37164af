//! The refund-notification listener: WeChat Pay POSTs refund results to
//! `wxpay.notify_url`; the owner's reverse proxy forwards them here (default
//! 127.0.0.1, never a public address by default). Each notification is verified
//! (signature, serial, timestamp) and decrypted before it changes anything; a
//! refused one gets a 4xx/5xx so WeChat Pay redelivers, and polling remains the
//! fallback either way.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::Executor;
use crate::engine::Severity;

/// Where the listener binds unless told otherwise.
pub const DEFAULT_NOTIFY_BIND: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8931));

/// Starts the listener on `bind`; answers every POST path (the proxy decides the
/// public path). Returns the bound address; stops on `cancel`.
pub async fn serve_notifications(
    executor: Arc<Executor>,
    bind: SocketAddr,
    cancel: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let app = Router::new().fallback(handle).with_state(executor);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).with_graceful_shutdown(async move { cancel.cancelled().await }).await;
    });
    Ok(addr)
}

fn fail(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({"code": "FAIL", "message": message}))).into_response()
}

async fn handle(
    State(executor): State<Arc<Executor>>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != axum::http::Method::POST {
        return fail(StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let client = match executor.client() {
        Ok(c) => c,
        Err(e) => return fail(StatusCode::SERVICE_UNAVAILABLE, &e),
    };
    let now = jiff::Timestamp::now().as_second();
    let notice = match client.read_notification(&headers, &body, now) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "refused a WeChat Pay notification");
            return fail(StatusCode::UNAUTHORIZED, &e.to_string());
        }
    };
    let store_result = {
        let ex = executor.clone();
        let info = notice.refund.clone();
        tokio::task::spawn_blocking(move || ex.apply_notice(info)).await
    };
    match store_result {
        Ok(Ok(Some(line))) => {
            tracing::info!(refund = %line.refund_id, event = %notice.event_type, "refund notification applied");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(Ok(None)) => {
            let msg = format!(
                "WeChat Pay notified {} for refund number {}, which is not in campdesk's queue",
                notice.event_type, notice.refund.out_refund_no
            );
            executor.alert(Severity::Warning, msg);
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(Err(e)) => fail(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => fail(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
