//! The client side of the socket.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{SinkExt, StreamExt};
use tokio::net::UnixStream;
use tokio::sync::{Mutex, watch};
use tokio_util::codec::{Framed, LinesCodec};

use super::protocol::{ClientMessage, Hello, MAX_LINE, PROTOCOL_VERSION, ServerMessage, Welcome};
use crate::engine::EngineStatus;
use crate::service::{Request, Response, ServiceError};

/// A connection to the process that owns the store.
pub struct RpcClient {
    conn: Mutex<Framed<UnixStream, LinesCodec>>,
    next_id: AtomicU64,
    server_pid: u32,
}

async fn handshake(path: &Path) -> io::Result<Option<(Framed<UnixStream, LinesCodec>, u32)>> {
    let stream = match UnixStream::connect(path).await {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut framed = Framed::new(stream, LinesCodec::new_with_max_length(MAX_LINE));
    let hello = Hello { protocol: PROTOCOL_VERSION, client: format!("campdesk {}", env!("CARGO_PKG_VERSION")) };
    framed.send(serde_json::to_string(&hello).map_err(io::Error::other)?).await.map_err(io::Error::other)?;
    let Some(line) = framed.next().await else {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the daemon closed the socket during the handshake"));
    };
    match serde_json::from_str::<Welcome>(&line.map_err(io::Error::other)?).map_err(io::Error::other)? {
        Welcome::Welcome { pid, .. } => Ok(Some((framed, pid))),
        Welcome::Refused { message } => Err(io::Error::other(message)),
    }
}

impl RpcClient {
    /// Connects to the socket at `path`; `None` when nobody serves it.
    pub async fn connect(path: &Path) -> io::Result<Option<RpcClient>> {
        Ok(handshake(path).await?.map(|(framed, server_pid)| RpcClient {
            conn: Mutex::new(framed),
            next_id: AtomicU64::new(1),
            server_pid,
        }))
    }

    /// The serving process's pid.
    pub fn server_pid(&self) -> u32 {
        self.server_pid
    }

    /// Sends one request and waits for its reply.
    pub async fn call(&self, request: Request) -> Result<Response, ServiceError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.conn.lock().await;
        let line = serde_json::to_string(&ClientMessage::Call { id, request })
            .map_err(|e| ServiceError::internal(e.to_string()))?;
        conn.send(line).await.map_err(|e| ServiceError::internal(format!("socket: {e}")))?;
        loop {
            let Some(reply) = conn.next().await else {
                return Err(ServiceError::internal("the daemon closed the connection (did it stop?)"));
            };
            let reply = reply.map_err(|e| ServiceError::internal(format!("socket: {e}")))?;
            match serde_json::from_str::<ServerMessage>(&reply) {
                Ok(ServerMessage::Reply { id: rid, result }) if rid == id || rid == 0 => return *result,
                Ok(_) => continue,
                Err(e) => return Err(ServiceError::internal(format!("unreadable reply from the daemon: {e}"))),
            }
        }
    }

    /// Opens a second connection that streams status updates into a watch channel.
    pub async fn subscribe(path: &Path) -> io::Result<watch::Receiver<EngineStatus>> {
        let Some((mut framed, _)) = handshake(path).await? else {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no daemon socket"));
        };
        framed
            .send(serde_json::to_string(&ClientMessage::Subscribe).map_err(io::Error::other)?)
            .await
            .map_err(io::Error::other)?;
        let (tx, rx) = watch::channel(EngineStatus::default());
        tokio::spawn(async move {
            while let Some(Ok(line)) = framed.next().await {
                if let Ok(ServerMessage::Status(s)) = serde_json::from_str::<ServerMessage>(&line)
                    && tx.send(*s).is_err()
                {
                    break;
                }
            }
        });
        Ok(rx)
    }
}
