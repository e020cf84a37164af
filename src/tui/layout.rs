//! Where things go on the screen, as pure functions of the terminal size.
//! `update` uses them for paging and mouse clicks; `view` draws into them.

use ratatui::layout::Rect;

use super::app::{App, Pane};

/// The fixed frame of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Screen {
    /// Title bar (engine, scope).
    pub title: Rect,
    /// Pane tabs.
    pub tabs: Rect,
    /// The pane or person page.
    pub body: Rect,
    /// Sync status bar.
    pub status: Rect,
    /// Key hints or the latest message.
    pub hints: Rect,
}

/// The frame for a `width` × `height` terminal.
pub fn screen(width: u16, height: u16) -> Screen {
    let row = |y: u16| Rect::new(0, y.min(height.saturating_sub(1)), width, u16::from(height > y));
    let body_h = height.saturating_sub(4);
    Screen {
        title: row(0),
        tabs: row(1),
        body: Rect::new(0, 2.min(height), width, body_h),
        status: Rect::new(0, height.saturating_sub(2), width, u16::from(height >= 4)),
        hints: Rect::new(0, height.saturating_sub(1), width, u16::from(height >= 3)),
    }
}

/// Camps pane: the table block and, when there is room, the detail block.
pub fn camps(body: Rect) -> (Rect, Option<Rect>) {
    if body.height >= 16 {
        let detail_h = 8;
        let table = Rect { height: body.height - detail_h, ..body };
        let detail = Rect { y: body.y + table.height, height: detail_h, ..body };
        (table, Some(detail))
    } else {
        (body, None)
    }
}

/// Review and items panes: the list block on the left, the detail on the right.
pub fn split(body: Rect) -> (Rect, Rect) {
    let left_w = (body.width * 2 / 5).clamp(24.min(body.width), 64.min(body.width));
    let left = Rect { width: left_w, ..body };
    let right = Rect { x: body.x + left_w, width: body.width - left_w, ..body };
    (left, right)
}

/// Refund pane: state bar, table block, totals line.
pub fn refunds(body: Rect) -> (Rect, Rect, Rect) {
    let bar = Rect { height: body.height.min(1), ..body };
    let totals_h = u16::from(body.height >= 3);
    let table = Rect { y: body.y + bar.height, height: body.height - bar.height - totals_h, ..body };
    let totals = Rect { y: table.y + table.height, height: totals_h, ..body };
    (bar, table, totals)
}

/// Reports pane for `camps` camps: the table block on top (the totals line and
/// as many camps as fit in about a third of the body, at least 3 rows), the
/// charts below (left: completion by camp; right: the selected line's
/// check-ins per day and money).
pub fn reports(body: Rect, camps: usize) -> (Rect, Rect, Rect) {
    let want = u16::try_from(camps + 1).unwrap_or(u16::MAX).saturating_add(3);
    let table_h = want.min((body.height / 3).max(6)).min(body.height);
    let table = Rect { height: table_h, ..body };
    let rest = Rect { y: body.y + table_h, height: body.height - table_h, ..body };
    let left_w = (rest.width * 2 / 5).clamp(30.min(rest.width), 64.min(rest.width));
    let left = Rect { width: left_w, ..rest };
    let right = Rect { x: rest.x + left_w, width: rest.width - left_w, ..rest };
    (table, left, right)
}

/// The rows (screen area) a pane's list occupies: inside the block, under the header.
pub fn list_rows(app: &App, pane: Pane) -> Rect {
    let s = screen(app.size.0, app.size.1);
    let block = match pane {
        Pane::Camps => camps(s.body).0,
        Pane::Review | Pane::Items => split(s.body).0,
        Pane::Refunds => refunds(s.body).1,
        Pane::Reports => reports(s.body, app.reports.rows.items.len()).0,
    };
    inner_rows(block)
}

/// A bordered block's rows below its header line.
pub fn inner_rows(block: Rect) -> Rect {
    Rect {
        x: block.x + 1.min(block.width),
        y: block.y + 2.min(block.height),
        width: block.width.saturating_sub(2),
        height: block.height.saturating_sub(3),
    }
}

/// How many rows of a pane's list fit.
pub fn list_height(app: &App, pane: Pane) -> usize {
    usize::from(list_rows(app, pane).height).max(1)
}

/// The person page's text lines that fit.
pub fn person_height(app: &App) -> usize {
    usize::from(screen(app.size.0, app.size.1).body.height.saturating_sub(2)).max(1)
}

/// A centred rectangle of at most `w` × `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// The large overlay window (help, palette, picker, status, messages).
pub fn overlay(area: Rect) -> Rect {
    let w = (area.width.saturating_mul(4) / 5).max(60.min(area.width));
    let h = (area.height.saturating_mul(4) / 5).max(16.min(area.height));
    centered(area, w, h)
}

/// Rows a large overlay's list gets (below a title/input line and inside borders).
pub fn overlay_list_height(app: &App) -> usize {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    usize::from(overlay(area).height.saturating_sub(4)).max(1)
}
