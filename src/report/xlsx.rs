//! The report as an xlsx workbook for people: a summary sheet, refunds, coaches
//! and volunteers, check-ins per day, ledger differences, one sheet per camp with
//! its member rows, and a sheet that says what the numbers mean. Chinese
//! headers, frozen header row, column widths from the content, amounts as
//! numbers in yuan with the `0.00` format.

use std::path::Path;

use jiff::tz::TimeZone;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use super::figures::Report;
use super::tables::{self, Cell, Table};
use crate::text::display_width;

/// Writes `report` to `path` (replacing it).
pub fn write(report: &Report, tz: &TimeZone, path: &Path) -> Result<(), String> {
    let bytes = to_bytes(report, tz).map_err(|e| format!("{}: cannot build the workbook: {e}", path.display()))?;
    std::fs::write(path, bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// The workbook's bytes.
pub fn to_bytes(report: &Report, tz: &TimeZone) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    for table in tables::tables(report, tz) {
        sheet(&mut wb, &table)?;
    }
    wb.save_to_buffer()
}

fn sheet(wb: &mut Workbook, t: &Table) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    let yuan = Format::new().set_num_format("0.00");
    let yuan_bold = Format::new().set_num_format("0.00").set_bold();
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let ws = wb.add_worksheet();
    ws.set_name(&t.sheet)?;
    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h).min(16)).collect();
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *h, &header)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let y = u32::try_from(r + 1).unwrap_or(u32::MAX);
        let strong = t.bold_rows.contains(&r);
        for (c, cell) in row.iter().enumerate() {
            let x = col(c);
            match cell {
                Cell::Text(s) => {
                    ws.write_string_with_format(y, x, s, if strong { &bold } else { &plain })?;
                }
                Cell::Int(n) => {
                    // Counts stay far below 2^53, so they are exact as spreadsheet numbers.
                    ws.write_number_with_format(y, x, *n as f64, if strong { &bold } else { &plain })?;
                }
                Cell::Yuan(m) => {
                    ws.write_number_with_format(y, x, fen_to_yuan(m.fen()), if strong { &yuan_bold } else { &yuan })?;
                }
                Cell::Empty => {}
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(&cell.text()));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c), (*w as f64 + 2.0).min(60.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Fen as yuan for a spreadsheet cell. Amounts up to 2^53 fen are exact in an
/// f64 and the division by 100 rounds to the nearest representable value, which
/// the `0.00` format (and any reader rounding to fen) shows exactly.
pub fn fen_to_yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn yuan_cells_read_back_to_the_same_fen(fen in -10_000_000_000i64..10_000_000_000) {
            let back = (fen_to_yuan(fen) * 100.0).round() as i64;
            prop_assert_eq!(back, fen);
        }
    }
}
