//! Windows over the panes: help (generated from the effective keymap), the
//! command palette, money confirmations, reason prompts, the planet-user
//! picker, sync status and the message log.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use super::{block, clip_line, draw_lines, fmt, text_field, wrapped};
use crate::text::{display_width, fit_to_width};
use crate::tui::action::{ActionId, Context};
use crate::tui::app::{App, Confirm, Level, Overlay, Picker, Prompt};
use crate::tui::i18n::{Msg, action_desc, context_name, tr, trf};
use crate::tui::input::TextInput;
use crate::tui::layout;
use crate::tui::palette;
use crate::tui::search::{self, SearchKey};
use crate::tui::theme::Role;

/// Draws `overlay`; returns where the text cursor goes, if it shows.
pub(super) fn draw(buf: &mut Buffer, area: Rect, app: &App, overlay: &Overlay) -> Option<Position> {
    match overlay {
        Overlay::Help { input, scroll } => help(buf, area, app, input, *scroll),
        Overlay::Palette { input, cursor } => palette_window(buf, area, app, input, *cursor),
        Overlay::Confirm(c) => confirm(buf, area, app, c),
        Overlay::Prompt(p) => prompt(buf, area, app, p),
        Overlay::Picker(p) => picker(buf, area, app, p),
        Overlay::SyncStatus { scroll } => {
            sync_status(buf, area, app, *scroll);
            None
        }
        Overlay::Messages { scroll } => {
            messages(buf, area, app, *scroll);
            None
        }
    }
}

/// Clears `rect` and draws a focused block titled `title`; returns its inside.
fn window(buf: &mut Buffer, rect: Rect, app: &App, title: &str) -> Rect {
    Clear.render(rect, buf);
    let b = block(app, Line::from(Span::styled(format!(" {title} "), app.theme.style(Role::Title))), true);
    let inner = b.inner(rect);
    b.render(rect, buf);
    inner
}

/// Help lines: every action of every context, the current context first.
pub fn help_lines<'a>(app: &App, typed: &str) -> Vec<Line<'a>> {
    let here = app.context();
    let mut order: Vec<Context> = vec![here];
    order.extend(Context::ALL.iter().copied().filter(|c| *c != here));
    let by_key = typed.strip_prefix('@').map(str::trim);
    let mut lines = Vec::new();
    for ctx in order {
        let actions: Vec<ActionId> = ActionId::ALL.iter().copied().filter(|a| a.context() == ctx).collect();
        let keys: Vec<SearchKey> = actions
            .iter()
            .map(|a| SearchKey::new(&[&app.keymap.keys_label(*a), a.name(), action_desc(app.lang, *a)], &[]))
            .collect();
        let shown: Vec<usize> = match by_key {
            Some(k) if !k.is_empty() => {
                (0..actions.len()).filter(|&i| app.keymap.keys(actions[i]).iter().any(|s| s.to_string() == k)).collect()
            }
            Some(_) => (0..actions.len()).collect(),
            None => search::filter(&keys, typed),
        };
        if shown.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(context_name(app.lang, ctx).to_string(), app.theme.style(Role::Header))));
        for i in shown {
            let a = actions[i];
            let keys = app.keymap.keys_label(a);
            let key_cell = if keys.is_empty() { tr(app.lang, Msg::HelpNoKey).to_string() } else { keys };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {}", fit_to_width(&key_cell, 16, app.theme.ellipsis())),
                    app.theme.style(Role::Key),
                ),
                Span::raw(format!(" {}", action_desc(app.lang, a))),
                Span::styled(format!("  :{}", a.name()), app.theme.style(Role::Dim)),
            ]));
        }
    }
    if typed.is_empty() {
        lines.push(Line::from(Span::styled(tr(app.lang, Msg::FixedKeys).to_string(), app.theme.style(Role::Header))));
        for m in [Msg::FixedCtrlC, Msg::FixedCtrlZ, Msg::FixedTextKeys] {
            lines.push(Line::from(Span::styled(format!("  {}", tr(app.lang, m)), app.theme.style(Role::Dim))));
        }
    }
    if lines.is_empty() {
        lines
            .push(Line::from(Span::styled(trf(app.lang, Msg::NoMatches, &[("q", typed)]), app.theme.style(Role::Dim))));
    }
    lines
}

fn help(buf: &mut Buffer, area: Rect, app: &App, input: &TextInput, scroll: usize) -> Option<Position> {
    let rect = layout::overlay(area);
    let inner = window(buf, rect, app, tr(app.lang, Msg::HelpTitle));
    if inner.height < 2 {
        return None;
    }
    buf.set_string(inner.x, inner.y, "/", app.theme.style(Role::Key));
    let cursor = text_field(buf, inner.x + 1, inner.y, inner.width.saturating_sub(1), input, Style::default());
    let list = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let lines: Vec<Line> = help_lines(app, input.text())
        .into_iter()
        .map(|l| clip_line(l, usize::from(list.width), app.theme.ellipsis()))
        .collect();
    draw_lines(buf, list, &lines, scroll);
    Some(cursor)
}

fn palette_window(buf: &mut Buffer, area: Rect, app: &App, input: &TextInput, cursor: usize) -> Option<Position> {
    let rect = layout::overlay(area);
    let inner = window(buf, rect, app, tr(app.lang, Msg::PaletteTitle));
    if inner.height < 2 {
        return None;
    }
    buf.set_string(inner.x, inner.y, ":", app.theme.style(Role::Key));
    let pos = text_field(buf, inner.x + 1, inner.y, inner.width.saturating_sub(1), input, Style::default());
    let list = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    let entries = palette::entries(app, input.text());
    let cursor = cursor.min(entries.len().saturating_sub(1));
    let h = usize::from(list.height);
    let offset = cursor.saturating_sub(h.saturating_sub(1));
    let cmd_w = entries.iter().map(|e| display_width(&e.command)).max().unwrap_or(8).clamp(8, 28);
    for (n, (i, e)) in entries.iter().enumerate().skip(offset).take(h).enumerate() {
        let here = i == cursor;
        let mut style = if e.available { Style::default() } else { app.theme.style(Role::Dim) };
        if here {
            style = style.patch(app.theme.style(Role::Cursor));
        }
        let keys_w = display_width(&e.keys);
        let left =
            format!("{}{} ", if here { ">" } else { " " }, fit_to_width(&e.command, cmd_w, app.theme.ellipsis()));
        let desc_w = usize::from(list.width).saturating_sub(display_width(&left) + keys_w + 2);
        let line = Line::from(vec![
            Span::styled(left, style),
            Span::styled(fit_to_width(&e.description, desc_w, app.theme.ellipsis()), style),
            Span::styled(format!(" {} ", e.keys), style.patch(app.theme.style(Role::Key))),
        ]);
        let y = list.y + u16::try_from(n).unwrap_or(0);
        buf.set_line(list.x, y, &clip_line(line, usize::from(list.width), app.theme.ellipsis()), list.width);
    }
    Some(pos)
}

fn confirm(buf: &mut Buffer, area: Rect, app: &App, c: &Confirm) -> Option<Position> {
    let width = 64.min(area.width);
    let body_w = usize::from(width.saturating_sub(4));
    let mut lines: Vec<Line> = Vec::new();
    for l in &c.lines {
        let role = if l == tr(app.lang, Msg::Irreversible) { Role::Error } else { Role::Normal };
        lines.extend(wrapped(l, body_w, "  ", app.theme.style(role)));
    }
    let extra = if c.typed_required.is_some() { 2 } else { 0 };
    let height = (u16::try_from(lines.len()).unwrap_or(20) + 4 + extra).min(area.height);
    let rect = layout::centered(area, width, height);
    let inner = window(buf, rect, app, &c.title);
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    draw_lines(buf, Rect { height: inner.height.saturating_sub(2 + extra), ..inner }, &lines, 0);
    let mut cursor = None;
    if let Some(want) = &c.typed_required {
        let y = inner.y + inner.height.saturating_sub(3);
        let label = trf(app.lang, Msg::TypeToConfirm, &[("n", want)]);
        buf.set_stringn(inner.x, y, &label, usize::from(inner.width), app.theme.style(Role::Warn));
        let x = inner.x + super::width_u16(&label);
        let field_w = inner.width.saturating_sub(super::width_u16(&label));
        cursor = Some(text_field(buf, x, y, field_w, &c.typed, app.theme.style(Role::Key)));
    }
    let y = inner.y + inner.height.saturating_sub(1);
    let button = |label: &str, on: bool| {
        let text = format!("{}[ {label} ]", if on { ">" } else { " " });
        Span::styled(text, if on { app.theme.style(Role::Focus) } else { app.theme.style(Role::Normal) })
    };
    let line = Line::from(vec![
        button(tr(app.lang, Msg::Cancel), !c.on_confirm),
        Span::raw("   "),
        button(tr(app.lang, Msg::ConfirmButton), c.on_confirm),
    ]);
    buf.set_line(inner.x, y, &line, inner.width);
    cursor
}

fn prompt(buf: &mut Buffer, area: Rect, app: &App, p: &Prompt) -> Option<Position> {
    let width = 64.min(area.width);
    let rect = layout::centered(area, width, 6.min(area.height));
    let inner = window(buf, rect, app, &p.title);
    if inner.height == 0 {
        return None;
    }
    let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    buf.set_string(inner.x, inner.y, "> ", app.theme.style(Role::Key));
    let pos = text_field(buf, inner.x + 2, inner.y, inner.width.saturating_sub(2), &p.input, Style::default());
    if inner.height > 2 {
        let (text, role) =
            if p.empty_error { (tr(app.lang, Msg::ReasonRequired), Role::Error) } else { (p.hint.as_str(), Role::Dim) };
        buf.set_stringn(inner.x, inner.y + 2, text, usize::from(inner.width), app.theme.style(role));
    }
    Some(pos)
}

fn picker(buf: &mut Buffer, area: Rect, app: &App, p: &Picker) -> Option<Position> {
    let rect = layout::overlay(area);
    let title = trf(app.lang, Msg::PickerTitle, &[("camp", p.camp.as_str())]);
    let inner = window(buf, rect, app, &title);
    if inner.height < 2 {
        return None;
    }
    buf.set_string(inner.x, inner.y, "/", app.theme.style(Role::Key));
    let pos = text_field(buf, inner.x + 1, inner.y, inner.width.saturating_sub(1), &p.input, Style::default());
    let list = Rect { y: inner.y + 1, height: inner.height - 1, ..inner };
    if p.loading || p.error.is_some() || p.visible.is_empty() {
        let ph = super::placeholder(app, p.loading, p.error.as_deref(), p.input.text());
        buf.set_line(list.x + 1, list.y, &ph, list.width.saturating_sub(1));
        return Some(pos);
    }
    let h = usize::from(list.height);
    let offset = p.cursor.saturating_sub(h.saturating_sub(1));
    for (n, (pos_i, &i)) in p.visible.iter().enumerate().skip(offset).take(h).enumerate() {
        let u = &p.users[i];
        let here = pos_i == p.cursor;
        let style = if here { app.theme.style(Role::Cursor) } else { Style::default() };
        let mut name = u.name.clone();
        if let Some(a) = &u.alias {
            name.push_str(&format!(" ({a})"));
        }
        if let Some(num) = &u.number {
            name.push_str(&format!(" #{num}"));
        }
        let checked = if u.checked_in { tr(app.lang, Msg::CheckedIn) } else { "" };
        let line = Line::from(vec![
            Span::styled(
                format!("{}{} ", if here { ">" } else { " " }, fit_to_width(&name, 32, app.theme.ellipsis())),
                style,
            ),
            Span::styled(format!("{} ", u.user_id), style.patch(app.theme.style(Role::Dim))),
            Span::styled(checked.to_string(), style.patch(app.theme.style(Role::Ok))),
        ]);
        let y = list.y + u16::try_from(n).unwrap_or(0);
        buf.set_line(list.x, y, &clip_line(line, usize::from(list.width), app.theme.ellipsis()), list.width);
    }
    Some(pos)
}

fn sync_status(buf: &mut Buffer, area: Rect, app: &App, scroll: usize) {
    let rect = layout::overlay(area);
    let inner = window(buf, rect, app, tr(app.lang, Msg::SyncStatusTitle));
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    if app.status.tasks.is_empty() {
        lines.push(Line::from(Span::styled(tr(app.lang, Msg::NoTasks), app.theme.style(Role::Dim))));
    }
    for t in &app.status.tasks {
        let (text, role) = fmt::task_state(app, t);
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", t.id), app.theme.style(Role::Header)),
            Span::styled(crate::text::single_line(&text).into_owned(), app.theme.style(role)),
        ]));
        let mut facts = Vec::new();
        facts.push(match t.last_success {
            Some(at) => {
                format!("{} ({})", trf(app.lang, Msg::LastOk, &[("age", &fmt::age(app, at))]), fmt::time(app, at))
            }
            None => tr(app.lang, Msg::NeverOk).to_string(),
        });
        if let Some(next) = t.next_run {
            facts.push(trf(app.lang, Msg::NextRun, &[("at", &fmt::time(app, next))]));
        }
        let c = &t.last_counts;
        facts.push(trf(
            app.lang,
            Msg::LastCounts,
            &[
                ("pages", &c.pages.to_string()),
                ("records", &c.records.to_string()),
                ("changed", &c.changed.to_string()),
            ],
        ));
        lines.extend(wrapped(
            &format!("    {}", facts.join(app.theme.sep())),
            width,
            "    ",
            app.theme.style(Role::Dim),
        ));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(tr(app.lang, Msg::Alerts), app.theme.style(Role::Header))));
    if app.status.alerts.is_empty() {
        lines.push(Line::from(Span::styled(format!("  {}", tr(app.lang, Msg::NoAlerts)), app.theme.style(Role::Dim))));
    }
    for a in app.status.alerts.iter().rev() {
        let text =
            format!("  {} [{}] {}: {}", fmt::time(app, a.at), fmt::severity(app, a.severity), a.source, a.message);
        lines.extend(wrapped(&text, width, "      ", app.theme.style(fmt::severity_role(a.severity))));
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| clip_line(l, width, app.theme.ellipsis())).collect();
    draw_lines(buf, inner, &lines, scroll);
}

fn messages(buf: &mut Buffer, area: Rect, app: &App, scroll: usize) {
    let rect = layout::overlay(area);
    let inner = window(buf, rect, app, tr(app.lang, Msg::MessagesTitle));
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    if app.log.is_empty() {
        lines.push(Line::from(Span::styled(tr(app.lang, Msg::NoMessages), app.theme.style(Role::Dim))));
    }
    for e in &app.log {
        let role = match e.level {
            Level::Info => Role::Normal,
            Level::Warn => Role::Warn,
            Level::Error => Role::Error,
        };
        let text = format!("{} {}", fmt::clock(app, e.at), crate::text::single_line(&e.text));
        lines.extend(wrapped(&text, width, "         ", app.theme.style(role)));
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| clip_line(l, width, app.theme.ellipsis())).collect();
    draw_lines(buf, inner, &lines, scroll);
}
