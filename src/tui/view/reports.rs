//! The Reports pane: one row per camp (plus the totals line) with members,
//! rates (numerator/denominator and percent) and the ledger's four buckets;
//! under it completion by camp as bars, and for the line under the cursor its
//! check-ins per camp day as a bar chart, its money as a stacked bar and its
//! refunds by executor and state.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::table::{self, Col, Row};
use super::{block, clip_line, filter_cursor, list_title, placeholder};
use crate::domain::Money;
use crate::report::figures::Rate;
use crate::text::fit_to_width;
use crate::tui::app::App;
use crate::tui::i18n::{Msg, state_name, tr, trf};
use crate::tui::layout;
use crate::tui::model::{CurvePoint, ReportCamp, ReportFigures};
use crate::tui::theme::{Borders, Role};

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App) -> Option<Position> {
    let lang = app.lang;
    let r = &app.reports;
    let (table_area, left, right) = layout::reports(body, r.rows.items.len());
    let list = &r.list;
    let base = tr(lang, Msg::PaneReports);
    let total = r.rows.items.len();
    let shown = list.visible.len().saturating_sub(1);
    block(app, list_title(app, base, shown, total, list), true).render(table_area, buf);
    let inner = layout::inner_rows(table_area);
    // Rates and amounts are as wide as their widest value: numbers are never cut.
    let figures: Vec<&ReportFigures> =
        std::iter::once(&r.total).chain(r.rows.items.iter().map(|c| &c.figures)).collect();
    let widest = |f: &dyn Fn(&ReportFigures) -> String| -> u16 {
        figures.iter().map(|x| super::width_u16(&f(x))).max().unwrap_or(1)
    };
    let money = |f: fn(&ReportFigures) -> Money| widest(&|x| f(x).to_string());
    let cols = vec![
        Col::new(tr(lang, Msg::ColId), 10, 3),
        Col::new(tr(lang, Msg::ColName), 12, 0).flex(),
        Col::new(tr(lang, Msg::ColPaid), 4, 0).right(),
        Col::new(tr(lang, Msg::RptJoined), 4, 5).right(),
        Col::new(tr(lang, Msg::RptCheckedIn), 4, 3).right(),
        Col::new(tr(lang, Msg::ColPassing), 4, 1).right(),
        Col::new(tr(lang, Msg::ColBorderline), 4, 4).right(),
        Col::new(tr(lang, Msg::RptFailed), 4, 4).right(),
        Col::new(tr(lang, Msg::RptUnlinked), 4, 5).right(),
        Col::new(tr(lang, Msg::RptParticipation), widest(&|x| rate(x.participation())), 1).right(),
        Col::new(tr(lang, Msg::RptCompletion), widest(&|x| rate(x.completion())), 0).right(),
        Col::new(tr(lang, Msg::ColDeposits), money(|x| x.collected), 2).right(),
        Col::new(tr(lang, Msg::ColRefunded), money(|x| x.refunded), 6).right(),
        Col::new(tr(lang, Msg::RptForfeited), money(|x| x.forfeited), 6).right(),
        Col::new(tr(lang, Msg::RptPending), money(|x| x.pending), 6).right(),
        Col::new(tr(lang, Msg::ColAnomalies), money(|x| x.anomalies), 3).right(),
        Col::new(tr(lang, Msg::RptLedger), widest(&|x| ledger_text(app, x)), 1),
    ];
    let header_area = Rect { y: inner.y.saturating_sub(1), height: inner.height + 1, ..inner };
    let height = usize::from(inner.height);
    let offset = crate::tui::app::scroll_offset(list.offset, list.cursor, height, list.visible.len());
    let bold = Some(app.theme.style(Role::Header));
    let rows: Vec<Row> = list
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let cells = match i.checked_sub(1).and_then(|i| r.rows.items.get(i)) {
                Some(c) => cells(app, c.id.as_str(), &c.name, &c.figures, None),
                None => {
                    let name = trf(lang, Msg::RptTotals, &[("n", &total.to_string())]);
                    cells(app, "*", &name, &r.total, bold)
                }
            };
            Row { cells, cursor: pos == list.cursor, ..Row::default() }
        })
        .collect();
    table::draw(buf, header_area, &app.theme, &cols, &rows);
    if total == 0 && inner.height > 1 {
        let ph = placeholder(app, r.rows.loading, r.rows.error.as_deref(), list.filter.text());
        buf.set_line(inner.x + 2, inner.y + 1, &ph, inner.width.saturating_sub(2));
    }
    if left.height > 2 {
        completion_block(buf, left, app);
    }
    if right.height > 2 {
        detail_block(buf, right, app);
    }
    filter_cursor(app, table_area, base, shown, total, list)
}

type Cell = (String, Option<Style>);

fn cells(app: &App, id: &str, name: &str, f: &ReportFigures, style: Option<Style>) -> Vec<Cell> {
    let warn = |n: u32| (n > 0).then(|| app.theme.style(Role::Warn));
    let role = if balanced(f) { Role::Ok } else { Role::Error };
    let ledger = (ledger_text(app, f), Some(app.theme.style(role)));
    vec![
        (id.to_string(), style),
        (name.to_string(), style),
        (f.paid.to_string(), None),
        (f.joined.to_string(), None),
        (f.checked_in.to_string(), None),
        (f.passed.to_string(), Some(app.theme.style(Role::Ok))),
        (f.borderline.to_string(), warn(f.borderline)),
        (f.failed.to_string(), None),
        (f.unlinked.to_string(), warn(f.unlinked)),
        (rate(f.participation()), None),
        (rate(f.completion()), style),
        (f.collected.to_string(), None),
        (f.refunded.to_string(), None),
        (f.forfeited.to_string(), None),
        (f.pending.to_string(), None),
        (f.anomalies.to_string(), (f.anomalies != Money::ZERO).then(|| app.theme.style(Role::Error))),
        ledger,
    ]
}

fn balanced(f: &ReportFigures) -> bool {
    f.difference == Money::ZERO && f.ledger_errors == 0
}

/// `平`, or `差12.00` when the ledger does not add up (or has errors).
fn ledger_text(app: &App, f: &ReportFigures) -> String {
    if balanced(f) {
        tr(app.lang, Msg::RptBalanced).to_string()
    } else {
        trf(app.lang, Msg::RptDifference, &[("diff", &f.difference.to_string())])
    }
}

/// `12/30 40.0%`, or `0/0 —`: the numerator and denominator always show.
pub fn rate((n, d): (u32, u32)) -> String {
    match Rate::permille(n, d) {
        Some(p) => format!("{n}/{d} {}.{}%", p / 10, p % 10),
        None => format!("{n}/{d} —"),
    }
}

/// Bar glyphs: Unicode blocks, or ASCII for terminals that draw ambiguous-width characters double.
struct Glyphs {
    full: &'static str,
    /// Partial cells in eighths (index 1..=7); ASCII has none.
    eighths: [&'static str; 8],
    empty: &'static str,
    /// Money segments: refunded, forfeited, pending, anomalies.
    money: [&'static str; 4],
    future: &'static str,
}

fn glyphs(app: &App) -> Glyphs {
    match app.theme.borders {
        Borders::Unicode => Glyphs {
            full: "█",
            eighths: [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"],
            empty: "·",
            money: ["█", "▓", "▒", "░"],
            future: "·",
        },
        Borders::Ascii => Glyphs {
            full: "#",
            eighths: [" ", " ", " ", " ", " ", " ", " ", " "],
            empty: ".",
            money: ["#", "=", "+", "!"],
            future: ".",
        },
    }
}

/// A horizontal bar of `width` cells filled `n / d` of the way, in eighths of
/// a cell where the glyphs allow. Always exactly `width` cells.
fn hbar(n: u32, d: u32, width: usize, g: &Glyphs) -> (String, String) {
    if width == 0 {
        return (String::new(), String::new());
    }
    let eighths = if d == 0 { 0 } else { (u64::from(n.min(d)) * width as u64 * 8 / u64::from(d)) as usize };
    let full = eighths / 8;
    let part = eighths % 8;
    let mut filled = g.full.repeat(full);
    let mut used = full;
    if part > 0 && used < width && g.eighths[part] != " " {
        filled.push_str(g.eighths[part]);
        used += 1;
    }
    (filled, g.empty.repeat(width - used))
}

fn completion_block(buf: &mut Buffer, area: Rect, app: &App) {
    let title =
        Line::from(Span::styled(format!(" {} ", tr(app.lang, Msg::RptCompletionChart)), app.theme.style(Role::Header)));
    let b = block(app, title, false);
    let inner = b.inner(area);
    b.render(area, buf);
    let width = usize::from(inner.width);
    let g = glyphs(app);
    let r = &app.reports;
    let current = r.current().map(|c| c.id.clone());
    let mut lines: Vec<Line> = Vec::new();
    let name_w = (width / 3).clamp(4, 16);
    let rate_w = 14usize;
    let bar_w = width.saturating_sub(name_w + rate_w + 2);
    let row = |name: &str, f: &ReportFigures, here: bool, lines: &mut Vec<Line>| {
        let (n, d) = f.completion();
        let (filled, empty) = hbar(n, d, bar_w, &g);
        let name_style = if here { app.theme.style(Role::Cursor) } else { app.theme.style(Role::Normal) };
        lines.push(Line::from(vec![
            Span::styled(fit_to_width(name, name_w, app.theme.ellipsis()), name_style),
            Span::raw(" "),
            Span::styled(filled, app.theme.style(Role::Ok)),
            Span::styled(empty, app.theme.style(Role::Dim)),
            Span::raw(" "),
            Span::raw(crate::text::pad_left_to_width(&rate((n, d)), rate_w, app.theme.ellipsis())),
        ]));
    };
    for &i in r.list.visible.iter().filter(|&&i| i > 0) {
        if let Some(c) = r.rows.items.get(i - 1) {
            row(&c.name, &c.figures, current.as_ref() == Some(&c.id), &mut lines);
        }
    }
    if r.rows.items.len() > 1 {
        let name = trf(app.lang, Msg::RptTotals, &[("n", &r.rows.items.len().to_string())]);
        row(&name, &r.total, current.is_none(), &mut lines);
    }
    // Coaches and volunteers under the bars, as room allows.
    if !r.staff.is_empty() && lines.len() + 2 < usize::from(inner.height) {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(tr(app.lang, Msg::RptStaff), app.theme.style(Role::Header))));
        for s in &r.staff {
            let role = tr(app.lang, if s.coach { Msg::RptCoach } else { Msg::RptVolunteer });
            lines.push(Line::from(trf(
                app.lang,
                Msg::RptStaffLine,
                &[
                    ("role", role),
                    ("name", &s.name),
                    ("camps", &s.camps.len().to_string()),
                    ("rate", &rate((s.passed, s.paid))),
                ],
            )));
        }
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| clip_line(l, width, app.theme.ellipsis())).collect();
    super::draw_lines(buf, inner, &lines, 0);
}

fn detail_block(buf: &mut Buffer, area: Rect, app: &App) {
    let r = &app.reports;
    let current: Option<&ReportCamp> = r.current();
    let (name, f) = match current {
        Some(c) => (format!("{} {}", c.id, c.name), &c.figures),
        None => (trf(app.lang, Msg::RptTotals, &[("n", &r.rows.items.len().to_string())]), &r.total),
    };
    let title = trf(app.lang, Msg::RptCurveTitle, &[("name", &name)]);
    let b = block(app, Line::from(Span::styled(format!(" {title} "), app.theme.style(Role::Header))), false);
    let inner = b.inner(area);
    b.render(area, buf);
    let width = usize::from(inner.width);
    let g = glyphs(app);
    let mut lines: Vec<Line> = Vec::new();
    // Money and refunds take what they need (up to 4 + refund lines); the chart gets the rest.
    let money_lines = 5usize;
    let refund_lines = f.refunds.len().clamp(1, 6) + 1;
    let room = usize::from(inner.height);
    let chart_h = room.saturating_sub(money_lines + refund_lines + 1).max(room * 2 / 5).clamp(3.min(room), 14);
    lines.extend(curve_lines(app, &f.curve, width, chart_h.saturating_sub(1), &g));
    lines.push(Line::from(""));
    lines.extend(money_lines_of(app, f, width, &g));
    lines.push(Line::from(Span::styled(tr(app.lang, Msg::RptRefunds), app.theme.style(Role::Header))));
    if f.refunds.is_empty() {
        lines.push(Line::from(Span::styled(tr(app.lang, Msg::RptNoRefunds), app.theme.style(Role::Dim))));
    }
    for t in &f.refunds {
        let stale = if t.stale { tr(app.lang, Msg::RptStale) } else { "" };
        lines.push(Line::from(Span::styled(
            trf(
                app.lang,
                Msg::RptRefundLine,
                &[
                    ("via", t.executor.as_str()),
                    ("state", state_name(app.lang, t.state)),
                    ("stale", stale),
                    ("n", &t.count.to_string()),
                    ("amount", &t.amount.to_string()),
                ],
            ),
            app.theme.state_style(t.state),
        )));
    }
    let lines: Vec<Line> = lines.into_iter().map(|l| clip_line(l, width, app.theme.ellipsis())).collect();
    super::draw_lines(buf, inner, &lines, 0);
}

/// The check-ins per camp day as vertical bars `height` rows tall, with day
/// numbers under them (as many as fit) and the maximum on the first row.
fn curve_lines<'a>(app: &App, curve: &[CurvePoint], width: usize, height: usize, g: &Glyphs) -> Vec<Line<'a>> {
    let max = curve.iter().filter(|p| !p.future).map(|p| p.checked_in).max().unwrap_or(0);
    if curve.is_empty() || max == 0 || height == 0 {
        return vec![Line::from(Span::styled(tr(app.lang, Msg::RptCurveEmpty), app.theme.style(Role::Dim)))];
    }
    let axis = format!("{max}").len().max(2);
    let avail = width.saturating_sub(axis + 1);
    let n = curve.len();
    // Bar width and gap: as wide as fits, at most 3 cells, with a 1-cell gap when there is room.
    let (bar_w, gap) = match (1..=3).rev().find(|w| (w + 1) * n <= avail + 1) {
        Some(w) => (w, 1),
        None => (1, 0),
    };
    let shown = if gap == 0 { avail.min(n) } else { n };
    let points = &curve[n - shown..];
    let rows = height.saturating_sub(1).max(1);
    let mut out: Vec<Line> = Vec::new();
    for row in (0..rows).rev() {
        let label = if row + 1 == rows { format!("{max:>axis$}") } else { " ".repeat(axis) };
        let mut s = label;
        s.push(' ');
        for (i, p) in points.iter().enumerate() {
            if i > 0 && gap > 0 {
                s.push(' ');
            }
            let eighths = (u64::from(p.checked_in) * rows as u64 * 8 / u64::from(max)) as usize;
            let level = eighths.saturating_sub(row * 8).min(8);
            let cell = if p.future {
                if row == 0 { g.future } else { " " }
            } else if level >= 8 {
                g.full
            } else if level > 0 {
                vertical(level, g)
            } else {
                " "
            };
            s.push_str(&cell.repeat(bar_w));
        }
        out.push(Line::from(Span::styled(s, app.theme.style(Role::Ok))));
    }
    // Day numbers: every k-th day so that labels do not run into each other.
    let step = bar_w + gap;
    let mut labels = " ".repeat(axis + 1);
    let mut col = 0usize;
    for (i, p) in points.iter().enumerate() {
        let at = i * step;
        let text = p.day_number.to_string();
        if at >= col && at + text.len() <= avail {
            labels.push_str(&" ".repeat(at - col));
            labels.push_str(&text);
            col = at + text.len() + 1;
            if col <= avail {
                labels.push(' ');
            }
        }
    }
    out.push(Line::from(Span::styled(labels, app.theme.style(Role::Dim))));
    out
}

fn vertical(eighths: usize, g: &Glyphs) -> &'static str {
    if g.eighths[1] == " " {
        return if eighths >= 4 { g.full } else { " " };
    }
    ["▁", "▂", "▃", "▄", "▅", "▆", "▇"][eighths.clamp(1, 7) - 1]
}

/// Widths of the segments of a stacked bar of `width` cells for `parts`
/// (largest remainder, so they add up to `width` when any part is positive;
/// a positive part gets at least one cell when there is room).
pub fn stacked(parts: &[i64], width: usize) -> Vec<usize> {
    let total: i128 = parts.iter().map(|&p| i128::from(p.max(0))).sum();
    if total == 0 || width == 0 {
        return vec![0; parts.len()];
    }
    let exact: Vec<i128> = parts.iter().map(|&p| i128::from(p.max(0)) * width as i128).collect();
    let mut widths: Vec<usize> = exact.iter().map(|e| usize::try_from(e / total).unwrap_or(0)).collect();
    let mut left = width - widths.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((exact[i] % total, parts[i])));
    for &i in &order {
        if left == 0 {
            break;
        }
        if parts[i] > 0 {
            widths[i] += 1;
            left -= 1;
        }
    }
    // Every positive part visible: take a cell from the widest.
    for i in 0..parts.len() {
        if parts[i] > 0 && widths[i] == 0 {
            let (w, _) = widths.iter().enumerate().max_by_key(|(_, w)| **w).unwrap_or((0, &0));
            if widths[w] > 1 {
                widths[w] -= 1;
                widths[i] = 1;
            }
        }
    }
    widths
}

fn money_lines_of<'a>(app: &App, f: &ReportFigures, width: usize, g: &Glyphs) -> Vec<Line<'a>> {
    let lang = app.lang;
    let parts = [f.refunded, f.forfeited, f.pending, f.anomalies];
    let roles = [Role::Ok, Role::Dim, Role::Warn, Role::Error];
    let names = [Msg::ColRefunded, Msg::RptForfeited, Msg::RptPending, Msg::ColAnomalies];
    let widths = stacked(&parts.map(Money::fen), width);
    let mut bar: Vec<Span> = Vec::new();
    for i in 0..4 {
        bar.push(Span::styled(g.money[i].repeat(widths[i]), app.theme.style(roles[i])));
    }
    let used: usize = widths.iter().sum();
    if used < width {
        bar.push(Span::styled(g.empty.repeat(width - used), app.theme.style(Role::Dim)));
    }
    // The legend on one line, or two when one is too narrow.
    let items: Vec<[Span; 2]> = (0..4)
        .map(|i| {
            [
                Span::styled(format!("{} ", g.money[i]), app.theme.style(roles[i])),
                Span::raw(format!("{} {}  ", tr(lang, names[i]), parts[i])),
            ]
        })
        .collect();
    let legend_w: usize = items.iter().flatten().map(|s| crate::text::display_width(&s.content)).sum();
    let legend: Vec<Line> = if legend_w <= width + 2 {
        vec![Line::from(items.into_iter().flatten().collect::<Vec<_>>())]
    } else {
        items.chunks(2).map(|c| Line::from(c.iter().flatten().cloned().collect::<Vec<_>>())).collect()
    };
    let balance = if f.difference == Money::ZERO && f.ledger_errors == 0 {
        Span::styled(tr(lang, Msg::RptMoneyOk), app.theme.style(Role::Ok))
    } else {
        Span::styled(
            trf(lang, Msg::RptMoneyOff, &[("diff", &f.difference.to_string()), ("n", &f.ledger_errors.to_string())]),
            app.theme.style(Role::Error),
        )
    };
    let head = trf(lang, Msg::RptMoney, &[("collected", &f.collected.to_string())]);
    let mut out = vec![Line::from(vec![Span::styled(head, app.theme.style(Role::Header))]), Line::from(bar)];
    out.extend(legend);
    out.push(Line::from(balance));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::display_width;
    use proptest::prelude::*;

    fn unicode() -> Glyphs {
        Glyphs {
            full: "█",
            eighths: [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"],
            empty: "·",
            money: ["█", "▓", "▒", "░"],
            future: "·",
        }
    }

    fn widest(lines: &[Line]) -> usize {
        lines.iter().map(|l| l.spans.iter().map(|s| display_width(&s.content)).sum::<usize>()).max().unwrap_or(0)
    }

    #[test]
    fn rates_show_numerator_denominator_and_percent() {
        assert_eq!(rate((12, 30)), "12/30 40.0%");
        assert_eq!(rate((2, 3)), "2/3 66.7%");
        assert_eq!(rate((0, 0)), "0/0 —");
    }

    #[test]
    fn bars_fill_in_eighths() {
        let g = unicode();
        assert_eq!(hbar(1, 2, 8, &g), ("████".to_string(), "····".to_string()));
        assert_eq!(hbar(1, 16, 1, &g).0, "", "less than an eighth shows nothing");
        assert_eq!(hbar(3, 16, 2, &g).0, "▍", "3/8 of a cell");
        assert_eq!(hbar(5, 5, 3, &g), ("███".to_string(), String::new()));
        assert_eq!(hbar(0, 0, 3, &g), (String::new(), "···".to_string()));
    }

    #[test]
    fn a_stacked_bar_fills_its_width_and_shows_every_part() {
        assert_eq!(stacked(&[50, 50, 0, 0], 10), vec![5, 5, 0, 0]);
        assert_eq!(stacked(&[1000, 1, 0, 0], 10), vec![9, 1, 0, 0], "a small part still shows");
        assert_eq!(stacked(&[0, 0, 0, 0], 10), vec![0, 0, 0, 0]);
    }

    proptest! {
        #[test]
        fn stacked_widths_add_up(parts in proptest::collection::vec(0i64..1_000_000, 4), width in 0usize..200) {
            let w = stacked(&parts, width);
            let sum: usize = w.iter().sum();
            if parts.iter().any(|&p| p > 0) {
                prop_assert_eq!(sum, width);
            } else {
                prop_assert_eq!(sum, 0);
            }
            for (p, x) in parts.iter().zip(&w) {
                prop_assert!(*p > 0 || *x == 0);
            }
        }

        #[test]
        fn bars_are_exactly_as_wide_as_asked(n in 0u32..500, d in 0u32..500, width in 0usize..120) {
            let (a, b) = hbar(n, d, width, &unicode());
            prop_assert_eq!(display_width(&a) + display_width(&b), width);
        }
    }

    #[test]
    fn the_curve_fits_its_width() {
        let app = crate::tui::app::App::new(
            crate::config::Lang::Zh,
            crate::domain::time::shanghai(),
            crate::tui::keymap::Keymap::default(),
            crate::tui::theme::Theme::default(),
            crate::tui::app::EngineLabel::Fixture,
            jiff::Timestamp::UNIX_EPOCH,
        );
        let curve: Vec<CurvePoint> = (1..=21)
            .map(|d| CurvePoint { day_number: d, checked_in: d * 3 % 17, members: 20, future: d > 15 })
            .collect();
        for width in [10usize, 30, 45, 78, 120] {
            let lines = curve_lines(&app, &curve, width, 6, &unicode());
            assert!(widest(&lines) <= width, "width {width}: {}", widest(&lines));
            assert_eq!(lines.len(), 6);
        }
    }
}
