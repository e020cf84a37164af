//! The refund life cycle shared by the queue, the executors and the reports.

use serde::{Deserialize, Serialize};

/// Where a refund stands.
///
/// `proposed → approved | rejected → submitted → succeeded | failed`,
/// `failed → submitted` (retry), `failed → settled_offline` (done by hand, with evidence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Built from a verdict or an anomaly; waits for review.
    Proposed,
    /// A reviewer approved it (or the camp's automation did); waits for execution.
    Approved,
    /// A reviewer rejected it, with a reason. Final.
    Rejected,
    /// Handed to the executor (request sent or worklist issued); outcome pending.
    Submitted,
    /// The money is back with the payer. Final.
    Succeeded,
    /// The executor reported a failure; may be retried or settled offline.
    Failed,
    /// Settled outside campdesk, with evidence text. Final.
    SettledOffline,
}

impl RefundState {
    /// Every state, in life-cycle order.
    pub const ALL: [RefundState; 7] = [
        RefundState::Proposed,
        RefundState::Approved,
        RefundState::Rejected,
        RefundState::Submitted,
        RefundState::Succeeded,
        RefundState::Failed,
        RefundState::SettledOffline,
    ];

    /// Whether `self → next` is an allowed transition.
    pub fn can_move_to(self, next: RefundState) -> bool {
        use RefundState::*;
        matches!(
            (self, next),
            (Proposed, Approved)
                | (Proposed, Rejected)
                | (Approved, Submitted)
                | (Submitted, Succeeded)
                | (Submitted, Failed)
                | (Failed, Submitted)
                | (Failed, SettledOffline)
                // a `manual` camp's approved refund, paid by hand
                | (Approved, SettledOffline)
                // undo of a review decision while nothing has been paid
                | (Approved, Proposed)
                | (Rejected, Proposed)
        )
    }

    /// Whether no further transition can happen.
    pub fn is_final(self) -> bool {
        matches!(self, RefundState::Rejected | RefundState::Succeeded | RefundState::SettledOffline)
    }

    /// The snake_case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Proposed => "proposed",
            RefundState::Approved => "approved",
            RefundState::Rejected => "rejected",
            RefundState::Submitted => "submitted",
            RefundState::Succeeded => "succeeded",
            RefundState::Failed => "failed",
            RefundState::SettledOffline => "settled_offline",
        }
    }
}

impl std::fmt::Display for RefundState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How a camp's refunds reach the payer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefundVia {
    /// WeChat Pay v3 refund API with the merchant's own keys.
    #[serde(rename = "wxpay")]
    Wxpay,
    /// The operator refunds in the WeCom client; the next bill sync reconciles.
    #[serde(rename = "wecom-client")]
    WecomClient,
}

impl RefundVia {
    /// The name used in camps.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundVia::Wxpay => "wxpay",
            RefundVia::WecomClient => "wecom-client",
        }
    }
}

impl std::fmt::Display for RefundVia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::RefundState::*;
    use super::*;

    #[test]
    fn money_moves_only_forward_after_approval() {
        assert!(Proposed.can_move_to(Approved));
        assert!(Approved.can_move_to(Submitted));
        assert!(Failed.can_move_to(Submitted));
        assert!(Failed.can_move_to(SettledOffline));
        // Nothing leaves a paid or settled refund, and nothing is paid unapproved.
        for s in RefundState::ALL {
            assert!(!Succeeded.can_move_to(s));
            assert!(!SettledOffline.can_move_to(s));
            assert!(!s.can_move_to(Succeeded) || s == Submitted);
        }
        assert!(!Proposed.can_move_to(Submitted));
        assert!(!Submitted.can_move_to(Proposed));
    }
}
