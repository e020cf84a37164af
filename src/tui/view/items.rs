//! The Borderline & anomalies pane: items on the left; the selected item's
//! evidence (counted days, ranking, every camp day with its first words) on
//! the right, with a day cursor for excusing a day.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::table::{self, Col, Row};
use super::{block, clip_line, draw_lines, filter_cursor, fmt, list_title, placeholder, wrapped};
use crate::tui::action::ActionId;
use crate::tui::app::App;
use crate::tui::i18n::{Msg, day_mark_name, decision_name, kind_name, tr, trf, weekday_name};
use crate::tui::layout;
use crate::tui::model::{DayMark, ReviewItem};
use crate::tui::theme::Role;

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App) -> Option<Position> {
    let lang = app.lang;
    let (left, right) = layout::split(body);
    let list = &app.items.list;
    let base = tr(lang, Msg::PaneItems);
    let total = app.items.rows.items.len();
    block(app, list_title(app, base, list.visible.len(), total, list), true).render(left, buf);
    let inner = layout::inner_rows(left);
    let cols = vec![
        Col::new(tr(lang, Msg::ColKind), kind_width(app), 0),
        Col::new(tr(lang, Msg::ColPerson), 8, 0).flex(),
        Col::new(tr(lang, Msg::ColDays), 5, 1).right(),
        Col::new(tr(lang, Msg::ColCamp), 9, 3),
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
            let it = &app.items.rows.items[i];
            let pending = app.is_pending(&it.id);
            let kind_style =
                if it.kind.is_borderline() { app.theme.style(Role::Warn) } else { app.theme.style(Role::Error) };
            let name = match (&it.decided, pending) {
                (_, true) => format!("{} ({})", it.name, tr(lang, Msg::Pending)),
                (Some(d), _) => format!("{} [{}]", it.name, decision_name(lang, d)),
                (None, _) => it.name.clone(),
            };
            Row {
                cells: vec![
                    (kind_name(lang, &it.kind), Some(kind_style)),
                    (name, None),
                    (format!("{}/{}", it.counted_days, it.required_days), None),
                    (it.camp.to_string(), None),
                ],
                cursor: pos == list.cursor,
                dim: pending || it.decided.is_some(),
                ..Row::default()
            }
        })
        .collect();
    table::draw(buf, Rect { y: inner.y - 1, height: inner.height + 1, ..inner }, &app.theme, &cols, &rows);
    if list.visible.is_empty() && inner.height > 0 {
        let ph = placeholder(app, app.items.rows.loading, app.items.rows.error.as_deref(), list.filter.text());
        buf.set_line(inner.x + 2, inner.y, &ph, inner.width.saturating_sub(2));
    }
    let item = list.current().and_then(|i| app.items.rows.items.get(i));
    let title = item.map_or_else(String::new, |it| format!(" {} {} ", kind_name(lang, &it.kind), it.name));
    let b = block(app, Line::from(Span::styled(title, app.theme.style(Role::Header))), false);
    let detail = b.inner(right);
    b.render(right, buf);
    if let Some(item) = item {
        let (lines, day_line) = item_lines(app, item, usize::from(detail.width));
        let lines: Vec<Line> =
            lines.into_iter().map(|l| clip_line(l, usize::from(detail.width), app.theme.ellipsis())).collect();
        let h = usize::from(detail.height);
        let scroll = day_line.map_or(0, |d| (d + 2).saturating_sub(h));
        draw_lines(buf, detail, &lines, scroll);
    }
    filter_cursor(app, left, base, list.visible.len(), total, list)
}

/// The widest kind label among the items loaded (at most 14 cells).
fn kind_width(app: &App) -> u16 {
    let w = app
        .items
        .rows
        .items
        .iter()
        .map(|i| crate::text::display_width(&kind_name(app.lang, &i.kind)))
        .max()
        .unwrap_or(4);
    u16::try_from(w.min(14)).unwrap_or(14)
}

fn mark_role(mark: DayMark) -> Role {
    match mark {
        DayMark::Done | DayMark::MadeUp => Role::Ok,
        DayMark::Missed => Role::Error,
        DayMark::Excused | DayMark::Short => Role::Warn,
        DayMark::Future => Role::Dim,
    }
}

/// The item's lines and the line of the day under the day cursor.
fn item_lines<'a>(app: &App, it: &ReviewItem, width: usize) -> (Vec<Line<'a>>, Option<usize>) {
    let lang = app.lang;
    let theme = &app.theme;
    let mut lines = wrapped(&it.summary, width, "", Style::default());
    let mut facts = vec![Span::styled(
        trf(lang, Msg::CountedDays, &[("c", &it.counted_days.to_string()), ("r", &it.required_days.to_string())]),
        theme.style(if it.counted_days >= it.required_days { Role::Ok } else { Role::Warn }),
    )];
    facts.push(Span::raw(theme.sep()));
    facts.push(Span::raw(match (it.rank, it.ranking_days) {
        (Some(rank), Some(days)) => {
            trf(lang, Msg::Ranking, &[("rank", &rank.to_string()), ("days", &days.to_string())])
        }
        _ => tr(lang, Msg::NotRanked).to_string(),
    }));
    if let Some(a) = it.amount {
        facts.push(Span::raw(theme.sep()));
        facts.push(Span::raw(trf(lang, Msg::AtStake, &[("amount", &a.to_string())])));
    }
    lines.push(Line::from(facts));
    if let Some(d) = &it.decided {
        lines.push(Line::from(Span::styled(
            trf(lang, Msg::Decided, &[("d", &decision_name(lang, d))]),
            theme.style(Role::Key),
        )));
    }
    // A compact strip: one cell per day.
    let strip: Vec<Span> = it
        .days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let glyph = match d.mark {
                DayMark::Done => "o",
                DayMark::MadeUp => "m",
                DayMark::Missed => "x",
                DayMark::Excused => "e",
                DayMark::Short => "s",
                DayMark::Future => ".",
            };
            let mut style = theme.style(mark_role(d.mark));
            if i == app.items.day {
                style = style.patch(theme.style(Role::Cursor));
            }
            Span::styled(glyph, style)
        })
        .collect();
    lines.push(Line::from(strip));
    lines.push(Line::from(Span::styled(tr(lang, Msg::DayLegend), theme.style(Role::Dim))));
    lines.push(Line::from(""));
    let (l, r) = (super::key_of(app, ActionId::Left), super::key_of(app, ActionId::Right));
    lines.push(Line::from(Span::styled(
        trf(lang, Msg::EvidenceTitle, &[("left", &l), ("right", &r)]),
        theme.style(Role::Header),
    )));
    let mut day_line = None;
    for (i, d) in it.days.iter().enumerate() {
        let here = i == app.items.day;
        if here {
            day_line = Some(lines.len());
        }
        let weekday = weekday_name(lang, d.day.date().weekday().to_monday_zero_offset());
        let mut style = theme.style(mark_role(d.mark));
        let mut base = Style::default();
        if here {
            style = style.patch(theme.style(Role::Cursor));
            base = base.patch(theme.style(Role::Cursor));
        }
        let posted = d.posted_at.map(|t| fmt::hm(app, t)).unwrap_or_default();
        let posts = if d.posts > 1 { format!(" x{}", d.posts) } else { String::new() };
        let words = d.first_words.as_deref().map(crate::text::single_line).unwrap_or_default().into_owned();
        lines.push(Line::from(vec![
            Span::styled(
                format!("{}{} {weekday} ", if here { ">" } else { " " }, d.day.date().strftime("%m-%d")),
                base,
            ),
            Span::styled(crate::text::fit_to_width(day_mark_name(lang, d.mark), 8, theme.ellipsis()), style),
            Span::styled(format!(" {posted:<5}{posts} "), base),
            Span::styled(words, base.patch(theme.style(Role::Dim))),
        ]));
    }
    (lines, day_line)
}
