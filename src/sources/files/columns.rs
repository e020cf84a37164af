//! Column names: each field accepts our canonical English name and the names the
//! platforms' own exports use. Header cells are compared after NFKC, lowercase,
//! without spaces, `*` marks and a trailing unit such as `(元)`.

use unicode_normalization::UnicodeNormalization;

use super::sheet::SheetRow;

/// One field a file kind reads.
#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    /// Canonical name (the first accepted name).
    pub canonical: &'static str,
    /// Every accepted header (canonical first).
    pub names: &'static [&'static str],
    /// Whether a file without this column is refused.
    pub required: bool,
}

/// Normalises a header cell for comparison.
pub fn normalise_header(h: &str) -> String {
    let mut s: String = h.nfkc().flat_map(char::to_lowercase).filter(|c| !c.is_whitespace() && *c != '*').collect();
    for unit in ["(元)", "(人民币)", "(rmb)", "(分)"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.to_string();
        }
    }
    s.trim_start_matches('\u{feff}').to_string()
}

/// Where each field is found in a file.
#[derive(Clone, Debug)]
pub struct ColumnMap {
    /// The header row's number.
    pub header_row: u32,
    /// Per field (same order as the specs): column index and the header as written.
    pub columns: Vec<Option<(usize, String)>>,
}

impl ColumnMap {
    /// Column index and header text of field `i`.
    pub fn get(&self, i: usize) -> Option<&(usize, String)> {
        self.columns.get(i).and_then(Option::as_ref)
    }
}

fn match_row(row: &SheetRow, specs: &[FieldSpec]) -> (Vec<Option<(usize, String)>>, usize) {
    let mut columns: Vec<Option<(usize, String)>> = vec![None; specs.len()];
    let mut hits = 0;
    for (col, cell) in row.cells.iter().enumerate() {
        let super::sheet::Cell::Text(text) = cell else { continue };
        let norm = normalise_header(text);
        if norm.is_empty() {
            continue;
        }
        for (i, spec) in specs.iter().enumerate() {
            if columns[i].is_none() && spec.names.iter().any(|n| normalise_header(n) == norm) {
                columns[i] = Some((col, text.trim().to_string()));
                hits += 1;
                break;
            }
        }
    }
    (columns, hits)
}

/// Finds the header row among the first 20 rows (exports often put a title and
/// notes above it): the first row that names every required field.
pub fn find_header(rows: &[SheetRow], specs: &[FieldSpec]) -> Result<ColumnMap, String> {
    let mut best: Option<(usize, &SheetRow)> = None;
    for row in rows.iter().take(20) {
        let (columns, hits) = match_row(row, specs);
        let complete = specs.iter().zip(&columns).all(|(s, c)| !s.required || c.is_some());
        if complete && hits > 0 {
            return Ok(ColumnMap { header_row: row.number, columns });
        }
        if best.is_none_or(|(h, _)| hits > h) {
            best = Some((hits, row));
        }
    }
    let names = |s: &FieldSpec| match s.names.iter().find(|n| !n.is_ascii()) {
        Some(local) => format!("{local} ({})", s.canonical),
        None => s.canonical.to_string(),
    };
    match best {
        Some((hits, row)) if hits > 0 => {
            let (columns, _) = match_row(row, specs);
            let missing: Vec<String> =
                specs.iter().zip(&columns).filter(|(s, c)| s.required && c.is_none()).map(|(s, _)| names(s)).collect();
            Err(format!("row {} looks like the header but has no column for {}", row.number, missing.join(", ")))
        }
        _ => {
            let required: Vec<String> = specs.iter().filter(|s| s.required).map(names).collect();
            Err(format!("no header row found in the first 20 rows; the file needs columns for {}", required.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::files::sheet::Cell;

    const SPECS: &[FieldSpec] = &[
        FieldSpec { canonical: "transaction_id", names: &["transaction_id", "交易单号"], required: true },
        FieldSpec { canonical: "amount", names: &["amount", "金额"], required: true },
        FieldSpec { canonical: "remark", names: &["remark", "备注"], required: false },
    ];

    fn row(n: u32, cells: &[&str]) -> SheetRow {
        SheetRow { number: n, cells: cells.iter().map(|c| Cell::Text(c.to_string())).collect() }
    }

    #[test]
    fn header_below_a_title_with_units_and_width_variants() {
        let rows = vec![
            row(1, &["对外收款记录"]),
            row(2, &["导出时间 2025-11-04"]),
            row(3, &[" 交易单号 ", "金额（元）", "备注"]),
        ];
        let map = find_header(&rows, SPECS).unwrap();
        assert_eq!(map.header_row, 3);
        assert_eq!(map.get(1).unwrap(), &(1, "金额（元）".to_string()));
        assert_eq!(map.get(2).unwrap().0, 2);
        let rows = vec![row(1, &["Transaction_ID", "AMOUNT"])];
        assert!(find_header(&rows, SPECS).unwrap().get(2).is_none());
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let rows = vec![row(1, &["交易单号", "备注"])];
        assert_eq!(
            find_header(&rows, SPECS).unwrap_err(),
            "row 1 looks like the header but has no column for 金额 (amount)"
        );
        let rows = vec![row(1, &["a", "b"])];
        assert!(find_header(&rows, SPECS).unwrap_err().starts_with("no header row found"));
    }
}
