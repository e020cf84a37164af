//! The report as csv files, one per table, UTF-8 with a byte-order mark so
//! Excel opens the Chinese right. Amounts are yuan with two decimals (`39.00`).

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;

use super::figures::Report;
use super::tables::{self, Table};

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes every table of `report` into `dir` (created if needed); returns the files written.
pub fn write(report: &Report, tz: &TimeZone, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create the directory: {e}", dir.display()))?;
    let mut out = Vec::new();
    for table in tables::tables(report, tz) {
        let path = dir.join(format!("{}.csv", table.file));
        let bytes = to_bytes(&table).map_err(|e| format!("{}: {e}", path.display()))?;
        std::fs::write(&path, bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}

/// One table as csv bytes (with the BOM).
pub fn to_bytes(table: &Table) -> Result<Vec<u8>, String> {
    let mut w = ::csv::WriterBuilder::new().from_writer(BOM.to_vec());
    w.write_record(&table.headers).map_err(|e| e.to_string())?;
    for row in &table.rows {
        w.write_record(row.iter().map(tables::Cell::text)).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
