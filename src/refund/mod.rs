//! The refund queue: review, approve, execute exactly once, reconcile.
//!
//! States follow `domain::RefundState`; every transition is one store
//! transaction with its audit entry. Each refund keeps one `out_refund_no`
//! for its whole life, derived from its id, so a retry can never pay twice.
//!
//! - [`queue`]: the transitions; [`executor`]: paying approved refunds (WeChat Pay,
//!   or the operator's worklist); [`reconcile`]: bills against the queue;
//!   [`ledger`]: where every payment's money is; [`notify`]: admin messages and
//!   member texts; [`review_xlsx`]: the Excel review round trip.

pub mod executor;
pub mod ledger;
pub mod model;
pub mod notify;
pub mod queue;
pub mod reconcile;
pub mod review_xlsx;

pub use model::{Approval, Attempt, Decision, Proposal, Refund, RefundKind, out_refund_no, refund_id};
pub use queue::{CampPolicy, Outcome, QueueError, REFUNDS, SyncStats};

#[cfg(test)]
mod tests;
