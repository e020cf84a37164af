//! Which camps are due for a purge (pure): a camp is due once it has been closed
//! for `retention_months` (the day after its last day plus that many months), and
//! is held back while any of its refunds is still open.

use serde::{Deserialize, Serialize};

use crate::config::Camp;
use crate::domain::{Day, RefundState};
use crate::refund::Refund;

/// The first day a camp's personal data may be purged: its last day plus
/// `months` calendar months, plus one day.
pub fn due_day(camp: &Camp, months: u32) -> Day {
    let months = i64::from(months);
    let date = camp.end.date();
    let later = date.checked_add(jiff::Span::new().months(months)).unwrap_or(date);
    Day::from_date(later).plus_days(1)
}

/// Whether a refund still needs someone: not final, and not a stale proposal
/// (which can never be paid).
pub fn is_open(r: &Refund) -> bool {
    let stale_proposal = r.state == RefundState::Proposed && r.stale.is_some();
    !(r.state.is_final() || stale_proposal)
}

/// Where a camp stands for retention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Standing {
    /// Due: its personal data goes.
    Due,
    /// Not closed long enough yet.
    NotDue,
    /// Due, but held back.
    Blocked {
        /// Why, in words.
        reasons: Vec<String>,
    },
    /// Purged already.
    Purged {
        /// When.
        at: jiff::Timestamp,
        /// By whom.
        by: String,
    },
}

/// The standing of `camp` on `today` with its refunds.
pub fn standing(camp: &Camp, months: u32, today: Day, refunds: &[Refund]) -> Standing {
    if today < due_day(camp, months) {
        return Standing::NotDue;
    }
    let open: Vec<&Refund> = refunds.iter().filter(|r| is_open(r)).collect();
    if open.is_empty() {
        return Standing::Due;
    }
    let mut by_state: std::collections::BTreeMap<RefundState, usize> = Default::default();
    for r in &open {
        *by_state.entry(r.state).or_default() += 1;
    }
    let states: Vec<String> = by_state.iter().map(|(s, n)| format!("{n} {s}")).collect();
    Standing::Blocked {
        reasons: vec![format!(
            "{} open refund(s) ({}), e.g. {}: a refund still being decided or paid needs the payer's details; \
             settle or reject them first",
            open.len(),
            states.join(", "),
            open[0].id
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit;

    #[test]
    fn a_camp_is_due_the_day_after_its_end_plus_the_months() {
        let (camp, _) = testkit::camp("");
        assert_eq!(camp.end, testkit::day("2025-11-03"));
        assert_eq!(due_day(&camp, 3), testkit::day("2026-02-04"));
        assert_eq!(standing(&camp, 3, testkit::day("2026-02-03"), &[]), Standing::NotDue);
        assert_eq!(standing(&camp, 3, testkit::day("2026-02-04"), &[]), Standing::Due);
        let mut c = camp.clone();
        c.end = testkit::day("2025-11-30");
        assert_eq!(due_day(&c, 3), testkit::day("2026-03-01"), "Feb has no 30th: the month's last day, then one more");
    }

    #[test]
    fn an_open_refund_holds_a_due_camp_back_and_says_why() {
        use crate::refund::{Proposal, RefundKind};
        let (camp, _) = testkit::camp("");
        let p = testkit::payment("t1", "39.00", "2025-10-20T12:00:00.000+0800", None);
        let refund = |state: RefundState, stale: bool| {
            let mut r = Refund::proposed(
                Proposal {
                    camp: camp.id.clone(),
                    transaction_id: p.transaction_id.clone(),
                    kind: RefundKind::Deposit,
                    amount: p.amount,
                    paid_total: p.amount,
                    executor: camp.refund_via,
                    planet_user_id: None,
                    payer_external_userid: None,
                    payer_name: None,
                    paid_at: p.paid_at,
                    basis: "达标".into(),
                    explicit_only: false,
                },
                p.paid_at,
            );
            r.state = state;
            r.stale = stale.then(|| "verdict changed".to_string());
            r
        };
        let day = testkit::day("2026-03-01");
        for (state, stale, open) in [
            (RefundState::Succeeded, false, false),
            (RefundState::Rejected, false, false),
            (RefundState::SettledOffline, false, false),
            (RefundState::Proposed, true, false),
            (RefundState::Proposed, false, true),
            (RefundState::Approved, false, true),
            (RefundState::Submitted, false, true),
            (RefundState::Failed, false, true),
        ] {
            let s = standing(&camp, 3, day, &[refund(state, stale)]);
            match s {
                Standing::Blocked { reasons } => {
                    assert!(open, "{state} stale={stale}");
                    assert!(reasons[0].contains(&format!("1 {state}")), "{reasons:?}");
                    assert!(reasons[0].contains("settle or reject them first"));
                }
                Standing::Due => assert!(!open, "{state} stale={stale}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
