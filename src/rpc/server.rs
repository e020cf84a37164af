//! Serves the service on a Unix socket (mode 0600, same-user peers only).

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;
use tokio_util::codec::{Framed, LinesCodec};
use tokio_util::sync::CancellationToken;

use super::protocol::{ClientMessage, Hello, MAX_LINE, PROTOCOL_VERSION, ServerMessage, Welcome};
use crate::service::Service;

/// Binds `path` and serves `service` until `cancel` fires; the socket file is
/// removed when serving stops. Fails if another live server holds the path.
pub async fn serve(service: Arc<Service>, path: &Path, cancel: CancellationToken) -> io::Result<JoinHandle<()>> {
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("{} is served by another running campdesk", path.display()),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    let path: PathBuf = path.to_path_buf();
    let own_uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let peer_ok = match (stream.peer_cred(), own_uid) {
                        (Ok(cred), Some(uid)) => cred.uid() == uid || cred.uid() == 0,
                        _ => false,
                    };
                    if !peer_ok {
                        tracing::warn!("refused a socket connection from another user");
                        continue;
                    }
                    let service = service.clone();
                    let cancel = cancel.clone();
                    tokio::spawn(async move {
                        if let Err(e) = handle_connection(stream, service, cancel).await {
                            tracing::debug!("socket connection ended: {e}");
                        }
                    });
                }
            }
        }
        let _ = std::fs::remove_file(&path);
    }))
}

async fn send(framed: &mut Framed<UnixStream, LinesCodec>, value: &impl serde::Serialize) -> io::Result<()> {
    let line = serde_json::to_string(value).map_err(io::Error::other)?;
    framed.send(line).await.map_err(io::Error::other)
}

async fn handle_connection(stream: UnixStream, service: Arc<Service>, cancel: CancellationToken) -> io::Result<()> {
    let mut framed = Framed::new(stream, LinesCodec::new_with_max_length(MAX_LINE));
    let Some(first) = framed.next().await else { return Ok(()) };
    let first = first.map_err(io::Error::other)?;
    match serde_json::from_str::<Hello>(&first) {
        Ok(h) if h.protocol == PROTOCOL_VERSION => {
            let welcome = Welcome::Welcome {
                protocol: PROTOCOL_VERSION,
                pid: std::process::id(),
                server: format!("campdesk {}", env!("CARGO_PKG_VERSION")),
            };
            send(&mut framed, &welcome).await?;
        }
        Ok(h) => {
            let message = format!(
                "protocol mismatch: this campdesk speaks version {PROTOCOL_VERSION}, the client {}; run the same campdesk build",
                h.protocol
            );
            return send(&mut framed, &Welcome::Refused { message }).await;
        }
        Err(e) => {
            return send(&mut framed, &Welcome::Refused { message: format!("bad hello: {e}") }).await;
        }
    }
    loop {
        let line = tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            line = framed.next() => match line {
                Some(l) => l.map_err(io::Error::other)?,
                None => return Ok(()),
            },
        };
        match serde_json::from_str::<ClientMessage>(&line) {
            Ok(ClientMessage::Call { id, request }) => {
                let result = service.handle(request).await;
                send(&mut framed, &ServerMessage::Reply { id, result: Box::new(result) }).await?;
            }
            Ok(ClientMessage::Subscribe) => return stream_status(framed, service, cancel).await,
            Err(e) => {
                let result = Err(crate::service::ServiceError::user(format!("malformed request: {e}")));
                send(&mut framed, &ServerMessage::Reply { id: 0, result: Box::new(result) }).await?;
            }
        }
    }
}

async fn stream_status(
    mut framed: Framed<UnixStream, LinesCodec>,
    service: Arc<Service>,
    cancel: CancellationToken,
) -> io::Result<()> {
    let mut rx = service.engine.subscribe();
    loop {
        let status = rx.borrow_and_update().clone();
        send(&mut framed, &ServerMessage::Status(Box::new(status))).await?;
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            changed = rx.changed() => if changed.is_err() { return Ok(()) },
            // A closed client ends the subscription.
            next = framed.next() => if next.is_none() { return Ok(()) },
        }
    }
}
