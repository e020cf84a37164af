//! A list table that draws only its visible rows (100 000 rows cost the same
//! as 40), fits its columns to the width by dropping the least important ones,
//! and marks the cursor row with `>` plus REVERSED, selected rows with `+` plus
//! BOLD, so selection shows without colour.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::text::{display_width, fit_to_width, pad_left_to_width};
use crate::tui::theme::{Role, Theme};

/// One column.
#[derive(Clone, Debug)]
pub struct Col {
    /// Header text.
    pub title: String,
    /// Width in cells (at least the title's).
    pub width: u16,
    /// Right-aligned (numbers, money).
    pub right: bool,
    /// Takes the width left over (one column should).
    pub flex: bool,
    /// 0 = always shown; higher numbers are dropped first when narrow.
    pub priority: u8,
}

impl Col {
    /// A left-aligned column of at least `width` cells.
    pub fn new(title: &str, width: u16, priority: u8) -> Col {
        let w = width.max(u16::try_from(display_width(title)).unwrap_or(u16::MAX));
        Col { title: title.to_string(), width: w, right: false, flex: false, priority }
    }

    /// Right-aligned.
    pub fn right(mut self) -> Col {
        self.right = true;
        self
    }

    /// Takes the left-over width.
    pub fn flex(mut self) -> Col {
        self.flex = true;
        self
    }
}

/// One row: cell texts with optional styles, and how the row is marked.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// Cells, one per column (same order as the columns).
    pub cells: Vec<(String, Option<Style>)>,
    /// Under the cursor.
    pub cursor: bool,
    /// In the multi-selection.
    pub selected: bool,
    /// Greyed out (decided, rejected).
    pub dim: bool,
}

/// Width of the marker column (`>+`).
pub const MARKER: u16 = 2;

/// Which columns fit in `width`, and how wide each gets.
pub fn fit(cols: &[Col], width: u16) -> Vec<(usize, u16)> {
    let mut shown: Vec<usize> = (0..cols.len()).collect();
    let total = |shown: &[usize]| -> u32 {
        u32::from(MARKER) + shown.iter().map(|&i| u32::from(cols[i].width) + 1).sum::<u32>()
    };
    while total(&shown) > u32::from(width) {
        let drop = shown
            .iter()
            .enumerate()
            .filter(|(_, i)| cols[**i].priority > 0)
            .max_by_key(|(pos, i)| (cols[**i].priority, *pos))
            .map(|(pos, _)| pos);
        match drop {
            Some(pos) => {
                shown.remove(pos);
            }
            None => break,
        }
    }
    let used = total(&shown);
    let spare = u32::from(width).saturating_sub(used);
    let mut over = used.saturating_sub(u32::from(width));
    // Spare width is shared by the flex columns (the first takes the remainder);
    // a shortfall is taken from them in order, down to 4 cells each.
    let flex_count = shown.iter().filter(|&&i| cols[i].flex).count() as u32;
    let share = spare.checked_div(flex_count).unwrap_or(0);
    let mut remainder = spare - share * flex_count;
    shown
        .iter()
        .map(|&i| {
            let c = &cols[i];
            let w = if c.flex {
                let grown = u32::from(c.width) + share + std::mem::take(&mut remainder);
                let taken = over.min(grown.saturating_sub(4));
                over -= taken;
                u16::try_from(grown - taken).unwrap_or(u16::MAX)
            } else {
                c.width
            };
            (i, w)
        })
        .collect()
}

/// Draws the header at `area.y` and `rows` below it.
pub fn draw(buf: &mut Buffer, area: Rect, theme: &Theme, cols: &[Col], rows: &[Row]) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let layout = fit(cols, area.width);
    let ell = theme.ellipsis();
    let mut header = String::from("  ");
    for &(i, w) in &layout {
        let c = &cols[i];
        let cell = if c.right {
            pad_left_to_width(&c.title, usize::from(w), ell)
        } else {
            fit_to_width(&c.title, usize::from(w), ell)
        };
        header.push_str(&cell);
        header.push(' ');
    }
    buf.set_stringn(area.x, area.y, &header, usize::from(area.width), theme.style(Role::Header));
    for (n, row) in rows.iter().enumerate() {
        let y = area.y + 1 + u16::try_from(n).unwrap_or(u16::MAX);
        if y >= area.y + area.height {
            break;
        }
        let line = row_line(row, &layout, cols, theme, area.width);
        buf.set_line(area.x, y, &line, area.width);
    }
}

fn row_line<'a>(row: &Row, layout: &[(usize, u16)], cols: &[Col], theme: &Theme, width: u16) -> Line<'a> {
    let ell = theme.ellipsis();
    let mut row_style = Style::default();
    if row.selected {
        row_style = row_style.patch(theme.style(Role::Selected));
    }
    if row.dim {
        row_style = row_style.patch(theme.style(Role::Dim));
    }
    if row.cursor {
        row_style = row_style.patch(theme.style(Role::Cursor));
    }
    let marker = format!("{}{}", if row.cursor { '>' } else { ' ' }, if row.selected { '+' } else { ' ' });
    let mut spans = vec![Span::styled(marker, row_style)];
    let mut used = usize::from(MARKER);
    for &(i, w) in layout {
        let (text, style) = row.cells.get(i).cloned().unwrap_or_default();
        let text = crate::text::display_safe(&text).into_owned();
        let cell = if cols[i].right {
            pad_left_to_width(&text, usize::from(w), ell)
        } else {
            fit_to_width(&text, usize::from(w), ell)
        };
        let style = match style {
            Some(s) => row_style.patch(s).patch(if row.cursor { theme.style(Role::Cursor) } else { Style::default() }),
            None => row_style,
        };
        spans.push(Span::styled(cell, style));
        spans.push(Span::styled(" ", row_style));
        used += usize::from(w) + 1;
    }
    let rest = usize::from(width).saturating_sub(used);
    if rest > 0 {
        spans.push(Span::styled(" ".repeat(rest), row_style));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_widths_drop_low_priority_columns_and_grow_the_flex_one() {
        let cols = vec![
            Col::new("id", 6, 0),
            Col::new("name", 8, 0).flex(),
            Col::new("dates", 11, 3),
            Col::new("amount", 8, 1).right(),
        ];
        let wide = fit(&cols, 60);
        assert_eq!(wide.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 1, 2, 3]);
        let total: u16 = MARKER + wide.iter().map(|c| c.1 + 1).sum::<u16>();
        assert_eq!(total, 60);
        let narrow = fit(&cols, 30);
        assert_eq!(narrow.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 1, 3]);
        let tiny = fit(&cols, 12);
        assert_eq!(tiny.iter().map(|c| c.0).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn several_flex_columns_share_the_spare_width_and_the_shortfall() {
        let cols = vec![Col::new("name", 10, 0).flex(), Col::new("amount", 9, 0), Col::new("reason", 14, 0).flex()];
        let width = |w: u16| fit(&cols, w).iter().map(|c| c.1).collect::<Vec<_>>();
        // 2 + 11 + 10 + 15 = 38 needed; 13 spare: 7 and 6.
        assert_eq!(width(51), vec![17, 9, 20]);
        assert_eq!(width(38), vec![10, 9, 14]);
        // 8 short: the first flex column gives what it can above 4 cells, then the next.
        assert_eq!(width(30), vec![4, 9, 12]);
        for w in 20..80 {
            let total: u16 = MARKER + fit(&cols, w).iter().map(|c| c.1 + 1).sum::<u16>();
            assert!(total == w || w < 2 + 5 + 10 + 5, "width {w}: {total}");
        }
    }

    #[test]
    fn rows_draw_markers_without_colour() {
        let theme = Theme { color: false, ..Theme::default() };
        let cols = vec![Col::new("名称", 8, 0).flex(), Col::new("金额", 6, 0).right()];
        let rows = vec![
            Row { cells: vec![("张三".into(), None), ("39.00".into(), None)], cursor: true, ..Row::default() },
            Row {
                cells: vec![("欧阳娜娜超长的名字".into(), None), ("39.00".into(), None)],
                selected: true,
                ..Row::default()
            },
        ];
        let mut buf = Buffer::empty(Rect::new(0, 0, 20, 3));
        let area = buf.area;
        draw(&mut buf, area, &theme, &cols, &rows);
        let line = |y: u16| (0..20).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>();
        assert!(line(1).starts_with("> 张"), "{:?}", line(1));
        assert!(line(2).starts_with(" +欧"), "{:?}", line(2));
        assert!(line(2).contains('…'));
        assert!(buf[(0, 1)].modifier.contains(ratatui::style::Modifier::REVERSED));
        assert!(buf[(1, 2)].modifier.contains(ratatui::style::Modifier::BOLD));
    }
}
