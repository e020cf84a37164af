//! What the executor remembers about each refund between passes and across
//! restarts: automatic resends used, when to look again, the last note, and
//! the numbers a refund used before (after a CLOSED refund was renumbered).
//! Not money and not a decision: the queue and its audit log hold those.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::{RefundId, RefundState};
use crate::refund::model::{Refund, out_refund_no};
use crate::refund::queue::{QueueError, REFUNDS};
use crate::store::{NewAuditEntry, ReadTx, TableDef, WriteTx};

/// Executor bookkeeping by refund id.
pub const EXEC_STATE: TableDef<ExecState> = TableDef::new("refund_exec");

/// The executor's notes on one refund.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecState {
    /// Automatic resends after a failure the platform confirmed moved no money
    /// (reset by a human retry).
    pub resends: u32,
    /// Queries made while the refund was in progress.
    pub polls: u32,
    /// Do not query or resend before this.
    pub next_check_at: Option<Timestamp>,
    /// The last note recorded on the queue (so repeated polls do not repeat it).
    pub last_note: Option<String>,
    /// Numbers the refund used before (CLOSED refunds renumbered by a human retry).
    pub previous_numbers: Vec<String>,
}

impl ExecState {
    /// Whether the refund is due for a look at `now`.
    pub fn due(&self, now: Timestamp) -> bool {
        self.next_check_at.is_none_or(|t| t <= now)
    }

    /// The next poll time after one more PROCESSING answer: every `interval` for
    /// the first five polls, then five times as far apart (WeChat Pay's advice).
    pub fn schedule_poll(&mut self, now: Timestamp, interval: SignedDuration) {
        self.polls += 1;
        let gap = if self.polls <= 5 { interval } else { interval * 5 };
        self.next_check_at = Some(now.checked_add(gap).unwrap_or(now));
    }
}

/// The state of `id` (default when none is stored).
pub fn load(tx: &WriteTx, id: &RefundId) -> Result<ExecState, QueueError> {
    Ok(tx.get(&EXEC_STATE, id.as_str())?.unwrap_or_default())
}

/// The state of `id` in a read.
pub fn read(read: &ReadTx, id: &RefundId) -> Result<ExecState, QueueError> {
    Ok(read.get(&EXEC_STATE, id.as_str())?.unwrap_or_default())
}

/// Stores the state of `id`.
pub fn save(tx: &mut WriteTx, id: &RefundId, st: &ExecState) -> Result<(), QueueError> {
    Ok(tx.put(&EXEC_STATE, id.as_str(), st)?)
}

/// Gives a refund WeChat Pay closed a fresh number, so a human retry can pay it.
/// A CLOSED refund moved no money and its number can never be used again
/// (`reference/wecom-wxpay-api.md` §5.2). Audited with both numbers.
pub fn renumber_closed(tx: &mut WriteTx, id: &RefundId, by: &str, now: Timestamp) -> Result<Refund, QueueError> {
    let mut r: Refund = tx.get(&REFUNDS, id.as_str())?.ok_or_else(|| QueueError::Unknown(id.clone()))?;
    let closed = r.failure.as_ref().is_some_and(|(class, _)| class == "CLOSED");
    if r.state != RefundState::Failed || !closed {
        return Err(QueueError::WrongState { id: id.clone(), state: r.state, action: "renumbered" });
    }
    let mut st = load(tx, id)?;
    let generation = st.previous_numbers.len() + 2;
    let new_no = out_refund_no(&RefundId::new(format!("{id}#{generation}")));
    let old_no = std::mem::replace(&mut r.out_refund_no, new_no.clone());
    st.previous_numbers.push(old_no.clone());
    r.updated_at = now;
    tx.put(&REFUNDS, id.as_str(), &r)?;
    save(tx, id, &st)?;
    tx.audit(NewAuditEntry::new(
        by,
        "refund.renumber",
        id.as_str(),
        json!({ "from": old_no, "to": new_no, "why": "WeChat Pay closed the refund; nothing was paid under the old number" }),
    ))?;
    Ok(r)
}
