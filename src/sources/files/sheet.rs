//! Reading a csv or spreadsheet file into rows of cells, with the spreadsheet's
//! own row numbers (1-based, as the owner sees them in Excel or WPS).
//!
//! csv: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 (sniffed:
//! what is not valid UTF-8 is decoded as GB18030, and refused if that fails too);
//! comma, tab or semicolon separated. Spreadsheets: xlsx, xlsm, xls, xlsb, ods
//! (calamine); the first sheet that has the expected header.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

/// One cell, typed as far as the file says.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text (everything in a csv).
    Text(String),
    /// An integer.
    Int(i64),
    /// A floating-point number (spreadsheets store amounts and ids so).
    Float(f64),
    /// true/false.
    Bool(bool),
    /// A cell error such as `#N/A`.
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing (or only spaces).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as the owner would read it, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A row with its number in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    /// 1-based row number as a spreadsheet shows it.
    pub number: u32,
    /// Its cells, left to right.
    pub cells: Vec<Cell>,
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct FileError {
    /// The file name.
    pub file: String,
    /// What is wrong.
    pub reason: String,
}

/// The file formats campdesk reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma/tab/semicolon separated text.
    Csv,
    /// A spreadsheet calamine reads (xlsx, xlsm, xls, xlsb, ods).
    Workbook,
}

/// The format from the name, else from the first bytes.
pub fn detect_format(name: &str, bytes: &[u8]) -> FileFormat {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => FileFormat::Workbook,
        "csv" | "tsv" | "txt" => FileFormat::Csv,
        _ if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => FileFormat::Workbook,
        _ => FileFormat::Csv,
    }
}

/// Decodes csv bytes to text: BOM first, then UTF-8, then GB18030 (a superset of GBK).
pub fn decode_text(name: &str, bytes: &[u8]) -> Result<String, FileError> {
    let err = |reason: String| FileError { file: name.to_string(), reason };
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(err(format!(
                "starts with a {} byte-order mark but is not valid {} text",
                encoding.name(),
                encoding.name()
            )));
        }
        return Ok(text.into_owned());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => Err(err("is neither UTF-8 nor GBK/GB18030 text; save it as CSV UTF-8 and import it again".to_string())),
    }
}

fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b',', 0usize), (b'\t', 0), (b';', 0)];
    let mut quoted = false;
    for c in first.chars() {
        if c == '"' {
            quoted = !quoted;
        }
        if !quoted {
            for (d, n) in counts.iter_mut() {
                if c as u32 == u32::from(*d) {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(b',', |(d, _)| *d)
}

/// Reads csv text into rows of text cells (row numbers count records, as a
/// spreadsheet that opens the file shows them).
pub fn read_csv(name: &str, text: &str) -> Result<Vec<SheetRow>, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| FileError { file: name.to_string(), reason: format!("row {}: {e}", i + 1) })?;
        let cells = record.iter().map(|v| if v.is_empty() { Cell::Empty } else { Cell::Text(v.to_string()) }).collect();
        rows.push(SheetRow { number: i as u32 + 1, cells });
    }
    Ok(rows)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            // A date-formatted cell: calamine applies the workbook's epoch (1900 or 1904,
            // with Excel's 1900 leap-year quirk); keep the wall-clock reading as text.
            let (y, m, day, h, min, s, ms) = dt.to_ymd_hms_milli();
            Cell::Text(format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}.{ms:03}"))
        }
        Data::DateTime(dt) => Cell::Float(dt.as_f64()),
        Data::DateTimeIso(s) => Cell::Text(s.clone()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e:?}")),
    }
}

/// Reads every worksheet of a workbook: (sheet name, rows).
pub fn read_workbook(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<SheetRow>)>, FileError> {
    let err = |reason: String| FileError { file: name.to_string(), reason };
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| err(format!("is not a spreadsheet campdesk can read (xlsx, xls, ods): {e}")))?;
    let mut sheets = Vec::new();
    for sheet in book.sheet_names() {
        let range = book.worksheet_range(&sheet).map_err(|e| err(format!("sheet {sheet}: {e}")))?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, r) in range.rows().enumerate() {
            let mut cells = vec![Cell::Empty; left as usize];
            cells.extend(r.iter().map(cell_of));
            rows.push(SheetRow { number: top + i as u32 + 1, cells });
        }
        sheets.push((sheet, rows));
    }
    Ok(sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_sniffed() {
        let text = "交易单号,金额\nT1,39.00\n";
        assert_eq!(decode_text("a.csv", text.as_bytes()).unwrap(), text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode_text("a.csv", &bom).unwrap(), text);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode_text("a.csv", &gbk).unwrap(), text);
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text("a.csv", &utf16).unwrap(), text);
        let err = decode_text("a.csv", &[0x81, 0x20, 0xFF]).unwrap_err().to_string();
        assert!(err.starts_with("a.csv: is neither UTF-8 nor GBK/GB18030"), "{err}");
    }

    #[test]
    fn delimiters_and_quoted_fields() {
        let rows = read_csv("a.tsv", "a\tb\n\"x,1\"\t2\n").unwrap();
        assert_eq!(rows[1].cells, vec![Cell::Text("x,1".into()), Cell::Text("2".into())]);
        let rows = read_csv("a.csv", "a,b\n\"line\nbreak\",2\n,\n").unwrap();
        assert_eq!(rows[1].number, 2);
        assert_eq!(rows[1].cells[0], Cell::Text("line\nbreak".into()));
        assert!(rows[2].cells.iter().all(Cell::is_blank));
    }

    #[test]
    fn formats_by_name_and_magic() {
        assert_eq!(detect_format("x.XLSX", b""), FileFormat::Workbook);
        assert_eq!(detect_format("x", b"PK\x03\x04rest"), FileFormat::Workbook);
        assert_eq!(detect_format("x.csv", b"PK\x03\x04"), FileFormat::Csv);
        assert_eq!(detect_format("export", b"a,b"), FileFormat::Csv);
    }
}
