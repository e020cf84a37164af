//! The refund queue: a state bar with counts, the table (only visible rows
//! are drawn), and the totals of the selection and the list, always shown.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::table::{self, Col, Row};
use super::{block, clip_line, filter_cursor, fmt, list_title, placeholder};
use crate::domain::RefundState;
use crate::tui::app::App;
use crate::tui::i18n::{Msg, state_name, tr, trf};
use crate::tui::layout;
use crate::tui::theme::Role;

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App) -> Option<Position> {
    let lang = app.lang;
    let r = &app.refunds;
    let (bar, table_area, totals) = layout::refunds(body);
    state_bar(buf, bar, app);
    let base = tr(lang, Msg::PaneRefunds);
    let total = r.rows.items.len();
    let list = &r.list;
    block(app, list_title(app, base, list.visible.len(), total, list), true).render(table_area, buf);
    let inner = layout::inner_rows(table_area);
    let cols = vec![
        Col::new(tr(lang, Msg::ColState), 8, 0),
        Col::new(tr(lang, Msg::ColCamp), 10, 3),
        Col::new(tr(lang, Msg::ColPerson), 10, 0).flex(),
        Col::new(tr(lang, Msg::ColAmount), 9, 0).right(),
        Col::new(tr(lang, Msg::ColReason), 14, 2).flex(),
        Col::new(tr(lang, Msg::ColNote), 16, 4),
        Col::new(tr(lang, Msg::ColVia), 12, 6),
        Col::new(tr(lang, Msg::ColUpdated), 11, 5),
    ];
    let height = usize::from(inner.height);
    let offset = crate::tui::app::scroll_offset(list.offset, list.cursor, height, list.visible.len());
    let rows: Vec<Row> = list
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let row = &r.rows.items[i];
            let pending = app.is_pending(row.id.as_str());
            let (state_text, state_style) = if pending {
                (tr(lang, Msg::Pending).to_string(), app.theme.style(Role::Warn))
            } else {
                (state_name(lang, row.state).to_string(), app.theme.state_style(row.state))
            };
            let mut note = row.executor_note.clone().unwrap_or_default();
            if row.approvals_needed > 1 && row.state == RefundState::Proposed {
                let a = trf(
                    lang,
                    Msg::Approvals,
                    &[("got", &row.approved_by.len().to_string()), ("need", &row.approvals_needed.to_string())],
                );
                note = if note.is_empty() { a } else { format!("{a}; {note}") };
            }
            Row {
                cells: vec![
                    (state_text, Some(state_style)),
                    (row.camp.to_string(), None),
                    (row.name.clone(), None),
                    (row.amount.to_string(), None),
                    (row.reason.clone(), None),
                    (note, None),
                    (row.via.as_str().to_string(), None),
                    (fmt::time(app, row.updated_at), None),
                ],
                cursor: pos == list.cursor,
                selected: r.selected.contains(i),
                dim: matches!(row.state, RefundState::Rejected),
            }
        })
        .collect();
    table::draw(buf, Rect { y: inner.y - 1, height: inner.height + 1, ..inner }, &app.theme, &cols, &rows);
    if list.visible.is_empty() && inner.height > 0 {
        let ph = placeholder(app, r.rows.loading, r.rows.error.as_deref(), list.filter.text());
        buf.set_line(inner.x + 2, inner.y, &ph, inner.width.saturating_sub(2));
    }
    if totals.height > 0 {
        let sel = trf(
            lang,
            Msg::SelectedTotal,
            &[("n", &r.selected.len().to_string()), ("total", &r.selected.total().to_string())],
        );
        let listed = trf(
            lang,
            Msg::ListedTotal,
            &[("n", &list.visible.len().to_string()), ("total", &r.visible_total.to_string())],
        );
        let line = Line::from(vec![
            Span::styled(
                format!(" {sel}"),
                app.theme.style(if r.selected.is_empty() { Role::Dim } else { Role::Selected }),
            ),
            Span::raw(app.theme.sep()),
            Span::raw(listed),
        ]);
        buf.set_line(
            totals.x,
            totals.y,
            &clip_line(line, usize::from(totals.width), app.theme.ellipsis()),
            totals.width,
        );
    }
    filter_cursor(app, table_area, base, list.visible.len(), total, list)
}

fn state_bar(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let lang = app.lang;
    let r = &app.refunds;
    let mut spans =
        vec![Span::styled(format!(" {}: ", tr(lang, Msg::StateFilterLabel)), app.theme.style(Role::Header))];
    let all = format!("{} {}", tr(lang, Msg::StateAll), r.rows.items.len());
    let active = |on: bool| if on { app.theme.style(Role::Focus) } else { app.theme.style(Role::Normal) };
    spans.push(Span::styled(format!(" {all} "), active(r.state.is_none())));
    for s in RefundState::ALL {
        let n = r.per_state.get(&s).copied().unwrap_or(0);
        if n == 0 && r.state != Some(s) {
            continue;
        }
        spans.push(Span::raw(" "));
        let style = if r.state == Some(s) { active(true) } else { app.theme.state_style(s) };
        spans.push(Span::styled(format!(" {} {n} ", state_name(lang, s)), style));
    }
    let line = clip_line(Line::from(spans), usize::from(area.width), app.theme.ellipsis());
    buf.set_line(area.x, area.y, &line, area.width);
}
