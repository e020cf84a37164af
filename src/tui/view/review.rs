//! The Unmatched people pane: review cards on the left; the selected card's
//! payment and every candidate with the reasons behind its score on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::table::{self, Col, Row};
use super::{block, clip_line, draw_lines, filter_cursor, fmt, list_title, placeholder, wrapped};
use crate::tui::app::{App, ReviewFocus};
use crate::tui::i18n::{Msg, tr};
use crate::tui::layout;
use crate::tui::model::{Candidate, CandidateRef, ReviewCard};
use crate::tui::theme::Role;

pub(super) fn draw(buf: &mut Buffer, body: Rect, app: &App) -> Option<Position> {
    let lang = app.lang;
    let (left, right) = layout::split(body);
    let list = &app.review.list;
    let base = tr(lang, Msg::PaneReview);
    let total = app.review.rows.items.len();
    let focus_cards = app.review.focus == ReviewFocus::Cards;
    block(app, list_title(app, base, list.visible.len(), total, list), focus_cards).render(left, buf);
    let inner = layout::inner_rows(left);
    let cols = vec![
        Col::new(tr(lang, Msg::ColPayer), 8, 0).flex(),
        Col::new(tr(lang, Msg::ColAmount), 7, 0).right(),
        Col::new(tr(lang, Msg::ColPaidAt), 11, 2),
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
            let c = &app.review.rows.items[i];
            let pending = app.is_pending(&c.id);
            let name = c.payment.payer_name.clone().unwrap_or_else(|| c.payment.transaction_id.to_string());
            let name = if pending { format!("{name} ({})", tr(lang, Msg::Pending)) } else { name };
            Row {
                cells: vec![
                    (name, None),
                    (c.payment.amount.to_string(), None),
                    (fmt::time(app, c.payment.paid_at), None),
                ],
                cursor: pos == list.cursor,
                dim: pending,
                ..Row::default()
            }
        })
        .collect();
    table::draw(buf, Rect { y: inner.y - 1, height: inner.height + 1, ..inner }, &app.theme, &cols, &rows);
    if list.visible.is_empty() && inner.height > 0 {
        let ph = placeholder(app, app.review.rows.loading, app.review.rows.error.as_deref(), list.filter.text());
        buf.set_line(inner.x + 2, inner.y, &ph, inner.width.saturating_sub(2));
    }
    let card = list.current().and_then(|i| app.review.rows.items.get(i));
    let title = Line::from(Span::styled(format!(" {} ", tr(lang, Msg::ReviewDetail)), app.theme.style(Role::Header)));
    let b = block(app, title, !focus_cards);
    let detail = b.inner(right);
    b.render(right, buf);
    if let Some(card) = card {
        let (lines, focus_line) = card_lines(app, card, usize::from(detail.width));
        let lines: Vec<Line> =
            lines.into_iter().map(|l| clip_line(l, usize::from(detail.width), app.theme.ellipsis())).collect();
        // Keep the candidate under the cursor on screen.
        let h = usize::from(detail.height);
        let scroll = focus_line.map_or(0, |f| (f + 3).saturating_sub(h));
        draw_lines(buf, detail, &lines, scroll);
    }
    filter_cursor(app, left, base, list.visible.len(), total, list)
}

/// The card's lines, and the line of the candidate under the cursor.
fn card_lines<'a>(app: &App, card: &ReviewCard, width: usize) -> (Vec<Line<'a>>, Option<usize>) {
    let lang = app.lang;
    let theme = &app.theme;
    let p = &card.payment;
    let mut lines = vec![Line::from(vec![
        Span::styled(p.payer_name.clone().unwrap_or_default(), theme.style(Role::Header)),
        Span::raw(format!("  ¥{}  ", p.amount)),
        Span::styled(fmt::time(app, p.paid_at), theme.style(Role::Dim)),
        Span::raw(format!("  {}", p.camp.as_ref().map(ToString::to_string).unwrap_or_default())),
    ])];
    lines.push(Line::from(vec![
        Span::styled(format!("{}: ", tr(lang, Msg::TxId)), theme.style(Role::Dim)),
        Span::raw(p.transaction_id.to_string()),
        Span::raw(p.external_userid.as_ref().map(|e| format!("  external_userid: {e}")).unwrap_or_default()),
    ]));
    let remark_label = format!("{}: ", tr(lang, Msg::ColRemark));
    let mut remark = wrapped(&format!("{remark_label}{}", p.remark), width, "  ", Style::default());
    lines.append(&mut remark);
    lines.extend(wrapped(&format!("{}: {}", tr(lang, Msg::Why), card.why), width, "  ", theme.style(Role::Warn)));
    let focus = app.review.focus == ReviewFocus::Candidates;
    let mut focus_line = None;
    let mut index = 0;
    for (title, cands) in [
        (tr(lang, Msg::PlanetCandidates), &card.planet_candidates),
        (tr(lang, Msg::MemberCandidates), &card.member_candidates),
    ] {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(title.to_string(), theme.style(Role::Header))));
        if cands.is_empty() {
            lines.push(Line::from(Span::styled(format!("  {}", tr(lang, Msg::NoCandidates)), theme.style(Role::Dim))));
        }
        for cand in cands {
            let here = focus && index == app.review.candidate;
            if here {
                focus_line = Some(lines.len());
            }
            candidate_lines(app, cand, here, width, &mut lines);
            index += 1;
        }
    }
    lines.push(Line::from(""));
    use crate::tui::action::ActionId::{Link, RejectCandidate, Right, SearchPlanet};
    lines.push(Line::from(Span::styled(
        super::key_hints(app, &[Right, Link, RejectCandidate, SearchPlanet]),
        theme.style(Role::Dim),
    )));
    (lines, focus_line)
}

fn candidate_lines<'a>(app: &App, c: &Candidate, here: bool, width: usize, out: &mut Vec<Line<'a>>) {
    let theme = &app.theme;
    let mut style = if c.rejected { theme.style(Role::Dim) } else { Style::default() };
    if here {
        style = style.patch(theme.style(Role::Cursor));
    }
    let marker = if here { "> " } else { "  " };
    let mut head = format!("{marker}{}", c.name);
    if let Some(d) = &c.detail {
        head.push_str(&format!(" ({d})"));
    }
    if c.rejected {
        head.push_str(&format!(" [{}]", tr(app.lang, Msg::RuledOut)));
    }
    // A group member found by the payer's own external_userid (or unique name) is a fact,
    // not a scored alternative: no score, no weights.
    if matches!(c.target, CandidateRef::Member(_)) && c.score == 0.0 && c.reasons.iter().all(|r| r.weight == 0.0) {
        let pad = width.saturating_sub(crate::text::display_width(&head));
        out.push(Line::from(vec![Span::styled(head, style), Span::styled(" ".repeat(pad), style)]));
        for r in &c.reasons {
            out.extend(wrapped(&format!("     · {}", r.text), width, "       ", theme.style(Role::Normal)));
        }
        return;
    }
    let score = format!("{} {:+.1}", tr(app.lang, Msg::Score), c.score);
    let pad = width.saturating_sub(crate::text::display_width(&head) + crate::text::display_width(&score) + 1);
    out.push(Line::from(vec![
        Span::styled(head, style),
        Span::styled(" ".repeat(pad + 1), style),
        Span::styled(score, style.patch(theme.style(if c.score >= 0.0 { Role::Ok } else { Role::Error }))),
    ]));
    for r in &c.reasons {
        let role = if r.weight >= 0.0 { Role::Normal } else { Role::Warn };
        out.extend(wrapped(&format!("     {:+.1} {}", r.weight, r.text), width, "          ", theme.style(role)));
    }
}
