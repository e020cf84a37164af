//! The Unix-socket protocol between the process that owns the store (the
//! daemon, or a TUI running the engine in-process) and the other front ends.

mod client;
pub mod protocol;
mod server;

pub use client::RpcClient;
pub use protocol::{PROTOCOL_VERSION, SOCKET_FILE};
pub use server::serve;
