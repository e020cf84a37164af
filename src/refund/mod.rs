//! The refund queue: review, approve, execute exactly once, reconcile.
//!
//! States follow `domain::RefundState`; every transition is one store
//! transaction with its audit entry. Each refund keeps one `out_refund_no`
//! for its whole life, derived from its id, so a retry can never pay twice.

pub mod model;
pub mod queue;

pub use model::{Approval, Attempt, Decision, Proposal, Refund, RefundKind, out_refund_no, refund_id};
pub use queue::{CampPolicy, Outcome, QueueError, REFUNDS, SyncStats};

#[cfg(test)]
mod tests;
