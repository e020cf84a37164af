//! Reading fields of one row, collecting errors that name the file, the row and
//! the column as the owner sees them.

use super::cells;
use super::columns::{ColumnMap, FieldSpec};
use super::sheet::{Cell, SheetRow};

/// One bad cell: `orders.xlsx row 17, column 金额: "39.001" has more than 2 decimals`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file} row {row}, column {column}: {reason}")]
pub struct RowError {
    /// The file name.
    pub file: String,
    /// 1-based row number.
    pub row: u32,
    /// The column header as written in the file (the canonical name if the column is absent).
    pub column: String,
    /// What is wrong.
    pub reason: String,
}

/// A row being read.
pub(crate) struct Row<'a> {
    pub(crate) file: &'a str,
    pub(crate) row: &'a SheetRow,
    pub(crate) map: &'a ColumnMap,
    pub(crate) specs: &'a [FieldSpec],
    pub(crate) errors: &'a mut Vec<RowError>,
}

static EMPTY: Cell = Cell::Empty;

impl Row<'_> {
    /// Whether the file has a column for field `f`.
    pub(crate) fn has(&self, f: usize) -> bool {
        self.map.get(f).is_some()
    }

    /// An amount field, in yuan, or in fen when its header says `(分)`.
    pub(crate) fn money(&mut self, f: usize, required: bool) -> Option<crate::domain::Money> {
        let in_fen = self.map.get(f).is_some_and(|(_, h)| cells::header_in_fen(h));
        let conv = if in_fen { cells::fen } else { cells::money };
        if required { self.required(f, conv) } else { self.get(f, conv) }
    }

    fn cell(&self, f: usize) -> &Cell {
        match self.map.get(f) {
            Some((col, _)) => self.row.cells.get(*col).unwrap_or(&EMPTY),
            None => &EMPTY,
        }
    }

    fn column(&self, f: usize) -> String {
        self.map.get(f).map_or_else(|| self.specs[f].canonical.to_string(), |(_, h)| h.clone())
    }

    /// Records an error against field `f` of this row.
    pub(crate) fn error(&mut self, f: usize, reason: impl Into<String>) {
        let column = self.column(f);
        self.errors.push(RowError { file: self.file.to_string(), row: self.row.number, column, reason: reason.into() });
    }

    /// Field `f` converted by `conv`; None when blank or absent (errors recorded).
    pub(crate) fn get<T>(&mut self, f: usize, conv: impl Fn(&Cell) -> Result<Option<T>, String>) -> Option<T> {
        match conv(self.cell(f)) {
            Ok(v) => v,
            Err(reason) => {
                self.error(f, reason);
                None
            }
        }
    }

    /// Field `f`, which must not be blank.
    pub(crate) fn required<T>(&mut self, f: usize, conv: impl Fn(&Cell) -> Result<Option<T>, String>) -> Option<T> {
        match conv(self.cell(f)) {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.error(f, "is empty");
                None
            }
            Err(reason) => {
                self.error(f, reason);
                None
            }
        }
    }

    /// Text of field `f`: None when the column is absent, `Some("")` when blank.
    pub(crate) fn text_if_column(&mut self, f: usize) -> Option<String> {
        if !self.has(f) {
            return None;
        }
        Some(self.get(f, cells::text).unwrap_or_default())
    }

    /// The cell as written, for evidence.
    pub(crate) fn shown(&self, f: usize) -> String {
        match self.cell(f) {
            Cell::Text(t) => cells::clean_text(t),
            other => other.shown(),
        }
    }
}
