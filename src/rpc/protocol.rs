//! The socket protocol: newline-delimited JSON, a version handshake, then
//! requests with ids (or one status subscription per connection).

use serde::{Deserialize, Serialize};

use crate::engine::EngineStatus;
use crate::service::{Request, Response, ServiceError};

/// The protocol version; both ends must agree.
pub const PROTOCOL_VERSION: u32 = 1;

/// The socket's file name inside the data dir.
pub const SOCKET_FILE: &str = "campdesk.sock";

/// Longest line either side accepts (imports carry whole files).
pub const MAX_LINE: usize = 64 << 20;

/// The client's first line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// Client protocol version.
    pub protocol: u32,
    /// Client name and version, for logs.
    pub client: String,
}

/// The server's answer to [`Hello`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Welcome {
    /// Accepted.
    Welcome {
        /// Server protocol version.
        protocol: u32,
        /// Server process id.
        pid: u32,
        /// Server name and version.
        server: String,
    },
    /// Refused, with the reason.
    Refused {
        /// Why.
        message: String,
    },
}

/// A client line after the handshake.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientMessage {
    /// A request expecting one reply with the same id.
    Call {
        /// Chosen by the client.
        id: u64,
        /// The request.
        request: Request,
    },
    /// From now on, this connection receives status updates only.
    Subscribe,
}

/// A server line after the handshake.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerMessage {
    /// The reply to a call.
    Reply {
        /// The call's id.
        id: u64,
        /// The outcome.
        result: Box<Result<Response, ServiceError>>,
    },
    /// A status update (subscriptions).
    Status(Box<EngineStatus>),
}
