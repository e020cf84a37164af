//! The Camps pane: one row per camp (plus "all camps"), and the selected
//! camp's rule, counts, ledger and sync sources.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::table::{self, Col, Row};
use super::{block, filter_cursor, fmt, list_title, placeholder};
use crate::domain::Money;
use crate::tui::app::App;
use crate::tui::i18n::{Msg, tr, trf};
use crate::tui::layout;
use crate::tui::model::{CampPhase, CampRow, Ledger};
use crate::tui::theme::Role;

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App) -> Option<Position> {
    let lang = app.lang;
    let (table_area, detail_area) = layout::camps(body);
    let list = &app.camps.list;
    let base = tr(lang, Msg::PaneCamps);
    let total = app.camps.rows.items.len();
    let shown = list.visible.len().saturating_sub(1);
    block(app, list_title(app, base, shown, total, list), true).render(table_area, buf);
    let inner = layout::inner_rows(table_area);
    let cols = vec![
        Col::new(tr(lang, Msg::ColId), 10, 1),
        Col::new(tr(lang, Msg::ColName), 12, 0).flex(),
        Col::new(tr(lang, Msg::ColDates), 11, 4),
        Col::new(tr(lang, Msg::ColRule), 5, 3),
        Col::new(tr(lang, Msg::ColDay), 12, 0),
        Col::new(tr(lang, Msg::ColPaid), 4, 2).right(),
        Col::new(tr(lang, Msg::ColMembers), 4, 5).right(),
        Col::new(tr(lang, Msg::ColPassing), 4, 0).right(),
        Col::new(tr(lang, Msg::ColBorderline), 4, 0).right(),
        Col::new(tr(lang, Msg::ColAnomalies), 4, 1).right(),
        Col::new(tr(lang, Msg::ColUnmatched), 4, 1).right(),
        Col::new(tr(lang, Msg::ColDeposits), 10, 6).right(),
        Col::new(tr(lang, Msg::ColRefunded), 10, 6).right(),
        Col::new(tr(lang, Msg::ColInFlight), 10, 7).right(),
    ];
    let header_area = Rect { y: inner.y - 1, height: inner.height + 1, ..inner };
    let height = usize::from(inner.height);
    let offset = crate::tui::app::scroll_offset(list.offset, list.cursor, height, list.visible.len());
    let rows: Vec<Row> = list
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let cells = if i == 0 { all_row(app) } else { camp_cells(app, &app.camps.rows.items[i - 1]) };
            Row { cells, cursor: pos == list.cursor, ..Row::default() }
        })
        .collect();
    table::draw(buf, header_area, &app.theme, &cols, &rows);
    if total == 0 && inner.height > 1 {
        let ph = placeholder(app, app.camps.rows.loading, app.camps.rows.error.as_deref(), list.filter.text());
        buf.set_line(inner.x + 2, inner.y + 1, &ph, inner.width.saturating_sub(2));
    }
    if let Some(area) = detail_area {
        detail(buf, area, app);
    }
    filter_cursor(app, table_area, base, shown, total, list)
}

fn phase_text(app: &App, phase: CampPhase) -> String {
    match phase {
        CampPhase::Upcoming { in_days } => trf(app.lang, Msg::PhaseUpcoming, &[("n", &in_days.to_string())]),
        CampPhase::Running { day, days } => {
            trf(app.lang, Msg::PhaseRunning, &[("day", &day.to_string()), ("days", &days.to_string())])
        }
        CampPhase::Ended { days_ago } => trf(app.lang, Msg::PhaseEnded, &[("n", &days_ago.to_string())]),
    }
}

fn camp_cells(app: &App, c: &CampRow) -> Vec<(String, Option<ratatui::style::Style>)> {
    let warn = |n: u32| (n > 0).then(|| app.theme.style(Role::Warn));
    vec![
        (c.id.to_string(), None),
        (c.name.clone(), None),
        (format!("{}~{}", short_day(c.start), short_day(c.end)), None),
        (format!("{}/{}", c.required, c.days), None),
        (phase_text(app, c.phase), None),
        (c.paid.to_string(), None),
        (c.members.to_string(), None),
        (c.passing.to_string(), Some(app.theme.style(Role::Ok))),
        (c.borderline.to_string(), warn(c.borderline)),
        (c.anomalies.to_string(), warn(c.anomalies)),
        (c.unmatched.to_string(), warn(c.unmatched)),
        (c.ledger.deposits.to_string(), None),
        (c.ledger.refunded.to_string(), None),
        (c.ledger.in_flight.to_string(), None),
    ]
}

fn short_day(d: crate::domain::Day) -> String {
    d.date().strftime("%m-%d").to_string()
}

fn sum(rows: &[CampRow], f: impl Fn(&CampRow) -> u32) -> u32 {
    rows.iter().map(f).sum()
}

fn ledger_total(rows: &[CampRow]) -> Ledger {
    let add = |a: Money, b: Money| a.checked_add(b).unwrap_or(Money::from_fen(i64::MAX));
    rows.iter().fold(Ledger::default(), |acc, r| Ledger {
        deposits: add(acc.deposits, r.ledger.deposits),
        refunded: add(acc.refunded, r.ledger.refunded),
        in_flight: add(acc.in_flight, r.ledger.in_flight),
        forfeited: add(acc.forfeited, r.ledger.forfeited),
    })
}

fn all_row(app: &App) -> Vec<(String, Option<ratatui::style::Style>)> {
    let rows = &app.camps.rows.items;
    let l = ledger_total(rows);
    let bold = Some(app.theme.style(Role::Header));
    vec![
        ("*".to_string(), bold),
        (tr(app.lang, Msg::AllCamps).to_string(), bold),
        (String::new(), None),
        (String::new(), None),
        (String::new(), None),
        (sum(rows, |r| r.paid).to_string(), None),
        (sum(rows, |r| r.members).to_string(), None),
        (sum(rows, |r| r.passing).to_string(), None),
        (sum(rows, |r| r.borderline).to_string(), None),
        (sum(rows, |r| r.anomalies).to_string(), None),
        (sum(rows, |r| r.unmatched).to_string(), None),
        (l.deposits.to_string(), None),
        (l.refunded.to_string(), None),
        (l.in_flight.to_string(), None),
    ]
}

fn detail(buf: &mut Buffer, area: Rect, app: &App) {
    let lang = app.lang;
    let current = app.camps.list.current().and_then(|i| i.checked_sub(1)).and_then(|i| app.camps.rows.items.get(i));
    let title = match current {
        Some(c) => format!(" {} {} ", c.id, c.name),
        None => format!(" {} ", tr(lang, Msg::AllCamps)),
    };
    let b = block(app, Line::from(Span::styled(title, app.theme.style(Role::Header))), false);
    let inner = b.inner(area);
    b.render(area, buf);
    let mut lines: Vec<Line> = Vec::new();
    let (counts, ledger) = match current {
        Some(c) => {
            lines.push(Line::from(format!(
                "{} {} {}{}{}",
                c.start,
                app.theme.arrow(),
                c.end,
                app.theme.sep(),
                phase_text(app, c.phase)
            )));
            lines.push(Line::from(trf(
                lang,
                Msg::CampRuleLine,
                &[
                    ("req", &c.required.to_string()),
                    ("days", &c.days.to_string()),
                    ("deposit", &c.deposit.to_string()),
                    ("via", c.refund_via.as_str()),
                ],
            )));
            ([c.paid, c.members, c.passing, c.borderline, c.anomalies, c.unmatched], c.ledger)
        }
        None => {
            let rows = &app.camps.rows.items;
            let key = super::key_of(app, crate::tui::action::ActionId::Open);
            lines.push(Line::from(Span::styled(
                trf(lang, Msg::AllCampsHint, &[("key", &key)]),
                app.theme.style(Role::Dim),
            )));
            (
                [
                    sum(rows, |r| r.paid),
                    sum(rows, |r| r.members),
                    sum(rows, |r| r.passing),
                    sum(rows, |r| r.borderline),
                    sum(rows, |r| r.anomalies),
                    sum(rows, |r| r.unmatched),
                ],
                ledger_total(rows),
            )
        }
    };
    let names = ["paid", "members", "passing", "borderline", "anomalies", "unmatched"];
    let values: Vec<String> = counts.iter().map(ToString::to_string).collect();
    let args: Vec<(&str, &str)> = names.iter().copied().zip(values.iter().map(String::as_str)).collect();
    lines.push(Line::from(trf(lang, Msg::CampCountsLine, &args)));
    lines.push(Line::from(trf(
        lang,
        Msg::LedgerLine,
        &[
            ("deposits", &ledger.deposits.to_string()),
            ("refunded", &ledger.refunded.to_string()),
            ("in_flight", &ledger.in_flight.to_string()),
            ("forfeited", &ledger.forfeited.to_string()),
        ],
    )));
    // Source health from the live engine status.
    let camp_id = current.map(|c| c.id.as_str());
    let mut spans = vec![Span::styled(format!("{}: ", tr(lang, Msg::SourcesLabel)), app.theme.style(Role::Header))];
    let tasks: Vec<_> = app
        .status
        .tasks
        .iter()
        .filter(|t| camp_id.is_none() || t.id.camp.is_none() || t.id.camp.as_deref() == camp_id)
        .collect();
    if tasks.is_empty() {
        spans.push(Span::styled(tr(lang, Msg::NoSourceTasks), app.theme.style(Role::Dim)));
    }
    for (i, t) in tasks.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(app.theme.sep()));
        }
        let (text, role) = fmt::task_state(app, t);
        spans.push(Span::raw(format!("{} ", t.id)));
        spans.push(Span::styled(crate::text::single_line(&text).into_owned(), app.theme.style(role)));
    }
    lines.push(Line::from(spans));
    let lines: Vec<Line> =
        lines.into_iter().map(|l| super::clip_line(l, usize::from(inner.width), app.theme.ellipsis())).collect();
    super::draw_lines(buf, inner, &lines, 0);
}
