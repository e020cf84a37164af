//! Drawing: a pure function of the [`App`] (which holds the latest engine
//! status). Only visible rows are turned into text.

mod camps;
pub mod fmt;
mod items;
mod overlays;
pub mod person;
mod refunds;
mod reports;
mod review;
pub mod table;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use super::action::{ActionId, Context};
use super::app::{App, EngineLabel, ListState, Pane};
use super::i18n::{Msg, action_short, tr, trf};
use super::input::TextInput;
use super::layout;
use super::model::Scope;
use super::theme::Role;
use crate::text::{display_width, truncate_with};

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let s = layout::screen(area.width, area.height);
    let mut cursor: Option<Position> = None;
    {
        let buf = frame.buffer_mut();
        title(buf, s.title, app);
        tabs(buf, s.tabs, app);
        if let Some(page) = &app.person {
            person::draw(buf, s.body, app, page);
        } else {
            cursor = match app.pane {
                Pane::Camps => camps::draw(buf, s.body, app),
                Pane::Review => review::draw(buf, s.body, app),
                Pane::Items => items::draw(buf, s.body, app),
                Pane::Refunds => refunds::draw(buf, s.body, app),
                Pane::Reports => reports::draw(buf, s.body, app),
            };
        }
        status_bar(buf, s.status, app);
        hints(buf, s.hints, app);
        if let Some(overlay) = &app.overlay {
            cursor = overlays::draw(buf, area, app, overlay);
        }
    }
    if let Some(p) = cursor {
        frame.set_cursor_position(p);
    }
}

fn title(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let lang = app.lang;
    let sep = app.theme.sep();
    let scope = match &app.scope {
        Scope::All => tr(lang, Msg::AllCamps).to_string(),
        Scope::Camp(c) => match app.camp(c) {
            Some(row) => format!("{c} {}", row.name),
            None => c.to_string(),
        },
    };
    let engine = match app.engine {
        EngineLabel::InProcess => Msg::EngineInProcess,
        EngineLabel::Attached => Msg::EngineAttached,
        EngineLabel::Fixture => Msg::EngineFixture,
    };
    let mut spans = vec![
        Span::styled(format!(" {}", tr(lang, Msg::AppTitle)), app.theme.style(Role::Title)),
        Span::raw(sep),
        Span::raw(format!("{}: {scope}", tr(lang, Msg::Scope))),
        Span::raw(sep),
        Span::styled(
            tr(lang, engine),
            app.theme.style(if app.engine == EngineLabel::Fixture { Role::Warn } else { Role::Dim }),
        ),
    ];
    let busy = !app.in_flight.is_empty()
        || app.camps.rows.loading
        || app.review.rows.loading
        || app.items.rows.loading
        || app.refunds.rows.loading
        || app.reports.rows.loading;
    if busy {
        spans.push(Span::raw(sep));
        spans.push(Span::styled(tr(lang, Msg::Loading), app.theme.style(Role::Warn)));
    }
    let line = clip_line(Line::from(spans), usize::from(area.width), app.theme.ellipsis());
    buf.set_line(area.x, area.y, &line, area.width);
}

/// The tab labels, in order; without their counts when the labels with
/// counts would not fit the terminal's width.
fn tab_labels(app: &App) -> Vec<String> {
    let full = tab_labels_with(app, true);
    let width: usize = full.iter().map(|l| display_width(l) + 1).sum();
    if width.saturating_sub(1) > usize::from(app.size.0) { tab_labels_with(app, false) } else { full }
}

fn tab_labels_with(app: &App, counts: bool) -> Vec<String> {
    Pane::ALL
        .iter()
        .map(|p| {
            let (action, msg, n) = match p {
                Pane::Camps => (ActionId::PaneCamps, Msg::PaneCamps, app.camps.rows.items.len()),
                Pane::Review => (ActionId::PaneReview, Msg::PaneReview, app.review.rows.items.len()),
                Pane::Items => (ActionId::PaneItems, Msg::PaneItems, app.items.rows.items.len()),
                Pane::Refunds => (ActionId::PaneRefunds, Msg::PaneRefunds, app.refunds.rows.items.len()),
                Pane::Reports => (ActionId::PaneReports, Msg::PaneReports, app.reports.rows.items.len()),
            };
            let key = app.keymap.first_key(action).map(|k| format!("{k} ")).unwrap_or_default();
            if counts { format!(" {key}{} ({n}) ", tr(app.lang, msg)) } else { format!(" {key}{} ", tr(app.lang, msg)) }
        })
        .collect()
}

/// The pane whose tab is at column `x`.
pub fn tab_at(app: &App, x: u16) -> Option<usize> {
    let mut start = 0usize;
    for (i, label) in tab_labels(app).iter().enumerate() {
        let w = display_width(label);
        if usize::from(x) >= start && usize::from(x) < start + w {
            return Some(i);
        }
        start += w + 1;
    }
    None
}

fn tabs(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let mut spans = Vec::new();
    for (i, label) in tab_labels(app).into_iter().enumerate() {
        let active = app.person.is_none() && Pane::ALL[i] == app.pane;
        let style = if active { app.theme.style(Role::TabActive) } else { app.theme.style(Role::Normal) };
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(label, style));
    }
    if let Some(p) = &app.person {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {}: {} ", tr(app.lang, Msg::PanePerson), p.title),
            app.theme.style(Role::TabActive),
        ));
    }
    let line = clip_line(Line::from(spans), usize::from(area.width), app.theme.ellipsis());
    buf.set_line(area.x, area.y, &line, area.width);
}

fn status_bar(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let lang = app.lang;
    let sep = app.theme.sep();
    let mut spans: Vec<Span> = Vec::new();
    let alerts = &app.status.alerts;
    if !alerts.is_empty() {
        let worst = alerts.iter().map(|a| a.severity).max().unwrap_or(crate::engine::Severity::Info);
        spans.push(Span::styled(
            trf(lang, Msg::AlertsCount, &[("n", &alerts.len().to_string())]),
            app.theme.style(fmt::severity_role(worst)),
        ));
        spans.push(Span::raw(sep));
    }
    let mut tasks: Vec<&crate::engine::TaskStatus> = app.status.tasks.iter().collect();
    tasks.sort_by_key(|t| fmt::task_urgency(t));
    if tasks.is_empty() {
        spans.push(Span::styled(tr(lang, Msg::NoTasks), app.theme.style(Role::Dim)));
    }
    for (i, t) in tasks.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(sep));
        }
        let (text, role) = fmt::task_state(app, t);
        spans.push(Span::styled(format!("{} ", t.id), app.theme.style(Role::Header)));
        spans.push(Span::styled(crate::text::single_line(&text).into_owned(), app.theme.style(role)));
    }
    // The latest alert in words, when there is room after every task.
    if let Some(last) = alerts.last() {
        spans.push(Span::raw(sep));
        spans.push(Span::styled(
            format!("{}: {}", last.source, crate::text::single_line(&last.message)),
            app.theme.style(fmt::severity_role(last.severity)),
        ));
    }
    let line = clip_line(Line::from(spans), usize::from(area.width), app.theme.ellipsis());
    buf.set_line(area.x, area.y, &line, area.width);
}

/// The actions shown in the hint line for a context.
fn hint_actions(ctx: Context) -> &'static [ActionId] {
    use ActionId::*;
    match ctx {
        Context::Camps => &[Open, Filter, SyncNow, SyncStatus, NextPane, Palette, Help, Quit],
        Context::Review => &[Right, Link, RejectCandidate, SearchPlanet, Open, Filter, Undo, Help],
        Context::Items => &[Pass, Fail, Excuse, Right, Open, Filter, Undo, Help],
        Context::Refunds => &[ToggleSelect, Approve, Reject, Run, Retry, SettleOffline, StateNext, Undo, Filter, Help],
        Context::Reports => &[Open, Filter, ScopeAll, NextPane, Palette, Help, Quit],
        Context::Person => &[Copy, Evidence, Unlink, Back, Help],
        Context::Global => &[Help, Quit],
    }
}

fn hints(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let line = if let Some(toast) = app.current_toast() {
        let role = match toast.level {
            super::app::Level::Info => Role::Ok,
            super::app::Level::Warn => Role::Warn,
            super::app::Level::Error => Role::Error,
        };
        let mut text = format!(" {}", crate::text::single_line(&toast.text));
        if toast.level == super::app::Level::Error {
            text.push(' ');
            text.push_str(tr(app.lang, Msg::ErrorDismiss));
        }
        Line::from(Span::styled(text, app.theme.style(role)))
    } else {
        let mut spans = vec![Span::raw(" ")];
        for &a in hint_actions(app.context()) {
            let Some(key) = app.keymap.first_key(a) else { continue };
            spans.push(Span::styled(key.to_string(), app.theme.style(Role::Key)));
            spans.push(Span::raw(format!(" {}  ", action_short(app.lang, a))));
        }
        Line::from(spans)
    };
    let line = clip_line(line, usize::from(area.width), app.theme.ellipsis());
    buf.set_line(area.x, area.y, &line, area.width);
}

/// `line` cut to `width` cells, ending in the ellipsis when cut.
pub fn clip_line<'a>(line: Line<'a>, width: usize, ellipsis: &str) -> Line<'a> {
    let style = line.style;
    let spans: Vec<Span<'a>> = line
        .spans
        .into_iter()
        .map(|s| match crate::text::display_safe(&s.content) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(o) => Span::styled(o, s.style),
        })
        .collect();
    let line = Line::from(spans).style(style);
    let total: usize = line.spans.iter().map(|s| display_width(&s.content)).sum();
    if total <= width {
        return line;
    }
    let budget = width.saturating_sub(display_width(ellipsis));
    let mut used = 0;
    let mut out = Vec::new();
    for span in line.spans {
        let w = display_width(&span.content);
        if used + w <= budget {
            used += w;
            out.push(span);
        } else {
            let cut = truncate_with(&span.content, budget - used + display_width(ellipsis), ellipsis);
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    Line::from(out).style(line.style)
}

/// The first key of `action`, or `:name` when it has none (palette).
pub fn key_of(app: &App, action: ActionId) -> String {
    app.keymap.first_key(action).map_or_else(|| format!(":{}", action.name()), |k| k.to_string())
}

/// "key label  key label" for `actions`, from the effective keymap.
pub fn key_hints(app: &App, actions: &[ActionId]) -> String {
    actions.iter().map(|&a| format!("{} {}", key_of(app, a), action_short(app.lang, a))).collect::<Vec<_>>().join("  ")
}

/// The help overlay's text for a filter, as plain lines (for tests and scripts).
pub fn help_text(app: &App, typed: &str) -> String {
    overlays::help_lines(app, typed)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A bordered block with the theme's border set and a title.
pub fn block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let style = if focused { app.theme.style(Role::Header) } else { app.theme.style(Role::Dim) };
    Block::default().borders(Borders::ALL).border_set(app.theme.border_set()).border_style(style).title(title)
}

/// A list title with its count and filter: ` 退款队列 (340) /zs `. Returns
/// where the filter cursor goes when the filter is being typed.
pub fn list_title<'a>(app: &App, base: &str, shown: usize, total: usize, list: &ListState) -> Line<'a> {
    let count = if shown == total { format!("({total})") } else { format!("({shown}/{total})") };
    let mut spans = vec![Span::styled(format!(" {base} {count} "), app.theme.style(Role::Header))];
    if list.filtering || !list.filter.is_empty() {
        let label = if list.filtering { tr(app.lang, Msg::FilterEditing) } else { tr(app.lang, Msg::FilterLabel) };
        spans.push(Span::styled(format!("{label}: /{} ", list.filter.text()), app.theme.style(Role::Warn)));
    }
    Line::from(spans)
}

/// Where the terminal cursor goes for a filter being typed in a list title.
pub fn filter_cursor(
    app: &App,
    block_area: Rect,
    base: &str,
    shown: usize,
    total: usize,
    list: &ListState,
) -> Option<Position> {
    if !list.filtering {
        return None;
    }
    let count = if shown == total { format!("({total})") } else { format!("({shown}/{total})") };
    let head = format!(" {base} {count} ");
    let label = format!("{}: /", tr(app.lang, Msg::FilterEditing));
    let x = block_area.x
        + 1
        + width_u16(&head)
        + width_u16(&label)
        + u16::try_from(list.filter.cursor_width()).unwrap_or(0);
    (x < block_area.x + block_area.width).then_some(Position::new(x, block_area.y))
}

/// Display width as u16.
pub fn width_u16(s: &str) -> u16 {
    u16::try_from(display_width(s)).unwrap_or(u16::MAX)
}

/// Draws a text field at (x, y) with at most `width` cells, scrolled so the
/// cursor shows; returns the cursor position.
pub fn text_field(buf: &mut Buffer, x: u16, y: u16, width: u16, input: &TextInput, style: Style) -> Position {
    let text = input.text();
    let cursor_w = input.cursor_width();
    let w = usize::from(width.max(1));
    // Scroll left part out when the cursor would pass the right edge.
    let skip = cursor_w.saturating_sub(w.saturating_sub(1));
    let mut shown = String::new();
    let mut acc = 0;
    for g in unicode_segmentation::UnicodeSegmentation::graphemes(text, true) {
        let gw = crate::text::grapheme_width(g);
        if acc >= skip {
            shown.push_str(g);
        }
        acc += gw;
    }
    let skipped_w = acc.saturating_sub(display_width(&shown));
    buf.set_stringn(x, y, &shown, w, style);
    let cx = x + u16::try_from(cursor_w.saturating_sub(skipped_w)).unwrap_or(0).min(width.saturating_sub(1));
    Position::new(cx, y)
}

/// Lines drawn from `scroll` into `area`; returns the scroll actually used
/// (clamped so the last page is full).
pub fn draw_lines(buf: &mut Buffer, area: Rect, lines: &[Line], scroll: usize) -> usize {
    let h = usize::from(area.height);
    let scroll = scroll.min(lines.len().saturating_sub(h));
    for (i, line) in lines.iter().skip(scroll).take(h).enumerate() {
        let y = area.y + u16::try_from(i).unwrap_or(0);
        buf.set_line(area.x, y, line, area.width);
    }
    scroll
}

/// A message line for an empty, loading or failed list.
pub fn placeholder<'a>(app: &App, loading: bool, error: Option<&str>, filter: &str) -> Line<'a> {
    if let Some(e) = error {
        return Line::from(Span::styled(trf(app.lang, Msg::LoadFailed, &[("err", e)]), app.theme.style(Role::Error)));
    }
    if loading {
        return Line::from(Span::styled(tr(app.lang, Msg::Loading), app.theme.style(Role::Dim)));
    }
    if !filter.is_empty() {
        return Line::from(Span::styled(trf(app.lang, Msg::NoMatches, &[("q", filter)]), app.theme.style(Role::Dim)));
    }
    Line::from(Span::styled(tr(app.lang, Msg::Empty), app.theme.style(Role::Dim)))
}

/// Wraps `text` into lines of at most `width` cells, each styled `style`, with `indent` before continuation lines.
pub fn wrapped<'a>(text: &str, width: usize, indent: &str, style: Style) -> Vec<Line<'a>> {
    crate::text::wrap_to_width(&crate::text::single_line(text), width.max(1), display_width(indent))
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let prefix = if i == 0 { String::new() } else { indent.to_string() };
            Line::from(Span::styled(format!("{prefix}{l}"), style))
        })
        .collect()
}
