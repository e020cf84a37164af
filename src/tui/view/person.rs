//! The person page: payments, links and why, group joins and leaves, a
//! check-in calendar, the verdict, refund history, audit entries and the
//! member message ready to copy.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{block, clip_line, draw_lines, fmt, placeholder, wrapped};
use crate::tui::app::{App, PersonPage};
use crate::tui::i18n::{Msg, day_mark_name, link_state_name, state_name, tr, trf, verdict_name, weekday_name};
use crate::tui::model::{CandidateRef, DayMark, PersonDetail, VerdictKind};
use crate::tui::theme::Role;

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App, page: &PersonPage) {
    let mut title = format!(" {}: {} ", tr(app.lang, Msg::PanePerson), page.title);
    if let Some(c) = page.detail.as_ref().and_then(|d| d.camp_name.as_ref()) {
        title = format!("{title}{}{c} ", app.theme.sep().trim_start());
    }
    let b = block(app, Line::from(Span::styled(title, app.theme.style(Role::Header))), true);
    let inner = b.inner(body);
    b.render(body, buf);
    let lines: Vec<Line> = match &page.detail {
        Some(d) => detail_lines(app, d, page.link, usize::from(inner.width)),
        None => vec![placeholder(app, page.loading, page.error.as_deref(), "")],
    };
    let lines: Vec<Line> =
        lines.into_iter().map(|l| clip_line(l, usize::from(inner.width), app.theme.ellipsis())).collect();
    draw_lines(buf, inner, &lines, page.scroll);
}

/// How many lines the page has at the current width (for clamping the scroll).
pub fn line_count(app: &App, page: &PersonPage) -> usize {
    let s = crate::tui::layout::screen(app.size.0, app.size.1);
    let width = usize::from(s.body.width.saturating_sub(2));
    page.detail.as_ref().map_or(1, |d| detail_lines(app, d, page.link, width).len())
}

fn section<'a>(app: &App, lines: &mut Vec<Line<'a>>, msg: Msg) {
    if !lines.is_empty() {
        lines.push(Line::from(""));
    }
    let key = super::key_of(app, crate::tui::action::ActionId::Copy);
    lines.push(Line::from(Span::styled(trf(app.lang, msg, &[("key", &key)]), app.theme.style(Role::Header))));
}

fn none<'a>(app: &App) -> Line<'a> {
    Line::from(Span::styled(format!("  {}", tr(app.lang, Msg::Empty)), app.theme.style(Role::Dim)))
}

fn detail_lines<'a>(app: &App, d: &PersonDetail, link_cursor: usize, width: usize) -> Vec<Line<'a>> {
    let lang = app.lang;
    let theme = &app.theme;
    let sep = theme.sep();
    let mut lines: Vec<Line> = Vec::new();
    let mut head = vec![Span::styled(d.name.clone(), theme.style(Role::Title))];
    if let Some(u) = &d.planet_user {
        head.push(Span::raw(format!("{sep}{} {} ({})", tr(lang, Msg::PlanetUser), u.name, u.user_id)));
        if let Some(a) = &u.alias {
            head.push(Span::raw(format!(" {a}")));
        }
        if let Some(n) = &u.number {
            head.push(Span::raw(format!(" #{n}")));
        }
    }
    lines.push(Line::from(head));

    section(app, &mut lines, Msg::SecPayments);
    if d.payments.is_empty() {
        lines.push(none(app));
    }
    for p in &d.payments {
        lines.push(Line::from(vec![
            Span::styled(format!("  ¥{}", p.amount), theme.style(Role::Header)),
            Span::raw(format!("  {}  {}", fmt::time(app, p.paid_at), p.transaction_id)),
            Span::raw(p.payer_name.as_ref().map(|n| format!("  {}: {n}", tr(lang, Msg::ColPayer))).unwrap_or_default()),
        ]));
        if !p.remark.is_empty() {
            lines.extend(wrapped(
                &format!("    {}: {}", tr(lang, Msg::ColRemark), p.remark),
                width,
                "      ",
                Style::default(),
            ));
        }
    }

    section(app, &mut lines, Msg::SecLinks);
    if d.links.is_empty() {
        lines.push(Line::from(Span::styled(format!("  {}", tr(lang, Msg::NoLinks)), theme.style(Role::Dim))));
    }
    for (i, l) in d.links.iter().enumerate() {
        let here = i == link_cursor;
        let style = if here { theme.style(Role::Cursor) } else { Style::default() };
        let kind = match &l.target {
            CandidateRef::Planet(id) => format!("{} {} ({id})", tr(lang, Msg::PlanetUser), l.name),
            CandidateRef::Member(id) => format!("{} {} ({id})", tr(lang, Msg::GroupMember), l.name),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{}{kind}", if here { "> " } else { "  " }), style),
            Span::styled(format!("  [{}]", link_state_name(lang, l.state)), theme.style(Role::Key)),
            Span::styled(format!("  {} {:+.1}", tr(lang, Msg::Score), l.score), theme.style(Role::Dim)),
        ]));
        for r in &l.reasons {
            let role = if r.weight >= 0.0 { Role::Normal } else { Role::Warn };
            // A link's stored reasons carry their bits in the text; only scored signals show a weight.
            let text = if r.weight == 0.0 {
                format!("      {}", r.text)
            } else {
                format!("      {:+.1} {}", r.weight, r.text)
            };
            lines.extend(wrapped(&text, width, "           ", theme.style(role)));
        }
    }

    section(app, &mut lines, Msg::SecGroup);
    if d.group_events.is_empty() {
        lines.push(none(app));
    }
    for e in &d.group_events {
        let (msg, role) = if e.joined { (Msg::Joined, Role::Ok) } else { (Msg::Left, Role::Warn) };
        lines.push(Line::from(vec![
            Span::raw(format!("  {}  ", fmt::time(app, e.at))),
            Span::styled(tr(lang, msg), theme.style(role)),
            Span::raw(format!("  {}", e.group)),
        ]));
    }

    section(app, &mut lines, Msg::SecCalendar);
    if d.calendar.is_empty() {
        lines.push(none(app));
    } else {
        calendar_grid(app, d, &mut lines);
        for day in &d.calendar {
            let role = match day.mark {
                DayMark::Done | DayMark::MadeUp => Role::Ok,
                DayMark::Missed => Role::Error,
                DayMark::Excused | DayMark::Short => Role::Warn,
                DayMark::Future => Role::Dim,
            };
            let posted = day.posted_at.map(|t| fmt::hm(app, t)).unwrap_or_default();
            let words = day.first_words.as_deref().map(crate::text::single_line).unwrap_or_default().into_owned();
            lines.push(Line::from(vec![
                Span::raw(format!(
                    "  {} {} ",
                    day.day.date().strftime("%m-%d"),
                    weekday_name(lang, day.day.date().weekday().to_monday_zero_offset())
                )),
                Span::styled(
                    crate::text::fit_to_width(day_mark_name(lang, day.mark), 8, theme.ellipsis()),
                    theme.style(role),
                ),
                Span::raw(format!(" {posted:<5} ")),
                Span::styled(words, theme.style(Role::Dim)),
            ]));
        }
    }

    section(app, &mut lines, Msg::SecVerdict);
    match &d.verdict {
        Some(v) => {
            let role = match v.kind {
                VerdictKind::Pass => Role::Ok,
                VerdictKind::Borderline => Role::Warn,
                VerdictKind::Fail | VerdictKind::Unlinked => Role::Error,
            };
            let mut spans = vec![
                Span::styled(format!("  {}", verdict_name(lang, v.kind)), theme.style(role)),
                Span::raw(format!("  {}/{}", v.counted_days, v.required_days)),
            ];
            if v.frozen {
                spans.push(Span::styled(format!("  [{}]", tr(lang, Msg::Frozen)), theme.style(Role::Dim)));
            }
            lines.push(Line::from(spans));
            for r in &v.reasons {
                lines.extend(wrapped(&format!("    {r}"), width, "      ", Style::default()));
            }
        }
        None => lines.push(none(app)),
    }

    section(app, &mut lines, Msg::SecRefunds);
    if d.refunds.is_empty() {
        lines.push(none(app));
    }
    for e in &d.refunds {
        let mut text = format!("  {}  {}  {}  {}", fmt::time(app, e.at), e.refund, state_name(lang, e.state), e.by);
        if let Some(n) = &e.note {
            text.push_str(&format!(": {n}"));
        }
        lines.extend(wrapped(&text, width, "      ", theme.state_style(e.state)));
    }

    section(app, &mut lines, Msg::SecAudit);
    if d.audit.is_empty() {
        lines.push(none(app));
    }
    for a in &d.audit {
        let text = format!("  #{} {}  {}  {}  {}", a.seq, fmt::time(app, a.at), a.actor, a.action, a.details);
        lines.extend(wrapped(&text, width, "      ", Style::default()));
    }

    section(app, &mut lines, Msg::SecMessage);
    match &d.member_message {
        Some(m) if !m.trim().is_empty() => {
            for para in m.lines() {
                lines.extend(wrapped(&format!("  {para}"), width, "  ", theme.style(Role::Key)));
            }
        }
        _ => lines.push(none(app)),
    }
    lines
}

/// Weeks as rows, Monday first: `25o` is the 25th, checked in.
fn calendar_grid<'a>(app: &App, d: &PersonDetail, lines: &mut Vec<Line<'a>>) {
    let theme = &app.theme;
    let mut header = vec![Span::raw("  ")];
    for i in 0..7 {
        header.push(Span::styled(
            crate::text::fit_to_width(weekday_name(app.lang, i), 5, theme.ellipsis()),
            theme.style(Role::Dim),
        ));
    }
    lines.push(Line::from(header));
    let Some(first) = d.calendar.first() else { return };
    let lead = usize::try_from(first.day.date().weekday().to_monday_zero_offset()).unwrap_or(0);
    let mut row: Vec<Span> = vec![Span::raw("  "), Span::raw(" ".repeat(5 * lead))];
    let mut col = lead;
    for day in &d.calendar {
        let glyph = match day.mark {
            DayMark::Done => "o",
            DayMark::MadeUp => "m",
            DayMark::Missed => "x",
            DayMark::Excused => "e",
            DayMark::Short => "s",
            DayMark::Future => ".",
        };
        let role = match day.mark {
            DayMark::Done | DayMark::MadeUp => Role::Ok,
            DayMark::Missed => Role::Error,
            DayMark::Excused | DayMark::Short => Role::Warn,
            DayMark::Future => Role::Dim,
        };
        row.push(Span::styled(format!("{:>2}{glyph}  ", day.day.date().day()), theme.style(role)));
        col += 1;
        if col == 7 {
            lines.push(Line::from(std::mem::take(&mut row)));
            row.push(Span::raw("  "));
            col = 0;
        }
    }
    if col > 0 {
        lines.push(Line::from(row));
    }
}
