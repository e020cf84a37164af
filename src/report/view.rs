//! The Reports pane's view model (`tui::model::ReportView`) from a [`Report`]:
//! the figures without the member rows, camp phases on the report's day.

use super::Report;
use super::figures::{CampReport, DayPoint, MemberFigures, MoneyFigures, RefundBucket, StaffRole};
use crate::tui::model::{CampPhase, CurvePoint, RefundTally, ReportCamp, ReportFigures, ReportView, StaffLine};

/// The TUI's view of a report (no member rows: the pane shows figures).
pub fn report_view(r: &Report) -> ReportView {
    ReportView {
        today: r.today,
        camps: r.camps.iter().map(|c| report_camp(c, r.today)).collect(),
        total: figures(&r.totals.members, &r.totals.money, &r.totals.refunds, &r.day_curve),
        staff: r
            .staff
            .iter()
            .map(|s| StaffLine {
                name: s.name.clone(),
                coach: s.role == StaffRole::Coach,
                camps: s.camps.clone(),
                paid: s.members.paid,
                passed: s.members.passed,
            })
            .collect(),
    }
}

fn report_camp(c: &CampReport, today: crate::domain::Day) -> ReportCamp {
    let phase = if today < c.start {
        CampPhase::Upcoming { in_days: u32::try_from(today.days_until(c.start)).unwrap_or(0) }
    } else if today <= c.end {
        CampPhase::Running { day: u32::try_from(c.start.days_until(today) + 1).unwrap_or(1), days: c.days }
    } else {
        CampPhase::Ended { days_ago: u32::try_from(c.end.days_until(today)).unwrap_or(0) }
    };
    ReportCamp {
        id: c.camp.clone(),
        name: c.name.clone(),
        start: c.start,
        end: c.end,
        required: c.required,
        days: c.days,
        phase,
        coaches: c.coaches.clone(),
        volunteers: c.volunteers.clone(),
        figures: figures(&c.members, &c.money, &c.refunds, &c.day_curve),
    }
}

fn figures(m: &MemberFigures, money: &MoneyFigures, refunds: &[RefundBucket], curve: &[DayPoint]) -> ReportFigures {
    ReportFigures {
        paid: m.paid,
        joined: m.joined_group,
        checked_in: m.checked_in,
        passed: m.passed,
        borderline: m.borderline,
        failed: m.failed,
        unlinked: m.unlinked,
        collected: money.collected,
        refunded: money.refunded,
        forfeited: money.forfeited,
        pending: money.pending,
        anomalies: money.anomalies,
        difference: money.difference,
        ledger_errors: u32::try_from(money.errors.len()).unwrap_or(u32::MAX),
        refunds: refunds
            .iter()
            .map(|b| RefundTally {
                executor: b.executor,
                state: b.state,
                stale: b.stale,
                count: b.count,
                amount: b.amount,
            })
            .collect(),
        curve: curve
            .iter()
            .map(|p| CurvePoint {
                day_number: p.day_number,
                checked_in: p.checked_in,
                members: p.members,
                future: p.future,
            })
            .collect(),
    }
}
