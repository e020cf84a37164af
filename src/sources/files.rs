//! File import: `campdesk import payments|members|checkins FILE --camp ID`, the
//! fallback when a platform API is down (or the owner has an export at hand).
//!
//! csv (UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030) and
//! spreadsheets (xlsx, xls, ods). The platforms' own column names and our
//! canonical English ones are both accepted (see each kind's `SPECS`).
//!
//! All-or-nothing: every row is checked first; one bad row rejects the file with
//! the row number, the column and the reason, and nothing is written. A good file
//! is archived verbatim (raw archive, source `import`) and applied in the same
//! transaction as its audit entry. Importing the same file again for the same
//! camp changes nothing.

pub mod cells;
pub mod checkins;
pub mod columns;
pub mod members;
pub mod payments;
mod row;
pub mod sheet;

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::CampId;
use crate::records::payments::{Bill, CampAssignment};
use crate::records::raw::{self, NewRaw, RawRequest, sha256_hex};
use crate::records::{
    RecordsError, Source, UpsertStats, checkins as topic_store, members as member_store, planet_users,
};
use crate::store::{NewAuditEntry, Store, StoreError, TableDef, WriteTx, key, key_prefix};
use columns::{ColumnMap, FieldSpec, find_header};
pub use row::RowError;
use sheet::{FileError, FileFormat, SheetRow};

/// key(kind, camp, sha256, raw_id) → what an import did.
const FILE_IMPORTS: TableDef<ImportLog> = TableDef::new("file_imports");

/// Errors shown per file before "(and N more)".
const MAX_ROW_ERRORS: usize = 50;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// Payments (and refund rows).
    Payments,
    /// Planet members (the member export).
    Members,
    /// Check-ins.
    Checkins,
}

impl ImportKind {
    /// The name used on the command line and in audit actions.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Payments => "payments",
            ImportKind::Members => "members",
            ImportKind::Checkins => "checkins",
        }
    }

    /// The columns this kind reads.
    pub fn specs(self) -> &'static [FieldSpec] {
        match self {
            ImportKind::Payments => payments::SPECS,
            ImportKind::Members => members::SPECS,
            ImportKind::Checkins => checkins::SPECS,
        }
    }
}

/// What to import.
#[derive(Clone, Debug)]
pub struct ImportOptions<'a> {
    /// The kind of file.
    pub kind: ImportKind,
    /// The file.
    pub path: &'a Path,
    /// The camp it belongs to.
    pub camp: &'a str,
    /// Who imports it (for the audit log).
    pub actor: &'a str,
    /// Check and count, but write nothing.
    pub dry_run: bool,
    /// The import time.
    pub now: Timestamp,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file name.
    pub file: String,
    /// The kind.
    pub kind: ImportKind,
    /// The camp.
    pub camp: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Data rows read.
    pub rows: u64,
    /// Records inserted / updated / unchanged.
    pub stats: UpsertStats,
    /// Planet users the file named (check-ins and members), inserted / updated / unchanged.
    pub users: UpsertStats,
    /// The raw archive entry of this import (None when nothing was written).
    pub raw_id: Option<String>,
    /// The raw entry of an earlier import of the same file for the same camp.
    pub previously_imported: Option<String>,
    /// Whether anything was written.
    pub written: bool,
    /// Whether this was a dry run.
    pub dry_run: bool,
}

/// A past import, as logged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportLog {
    /// The kind.
    pub kind: ImportKind,
    /// The camp.
    pub camp: CampId,
    /// The file name.
    pub file: String,
    /// SHA-256.
    pub sha256: String,
    /// Its raw entry.
    pub raw_id: String,
    /// Rows.
    pub rows: u64,
    /// What it did.
    pub stats: UpsertStats,
    /// Who.
    pub actor: String,
    /// When.
    pub at: Timestamp,
}

/// Why an import was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// `--camp` names no camp.
    #[error("unknown camp `{camp}`; the camps in camps.toml are: {}", known.join(", "))]
    UnknownCamp {
        /// The id given.
        camp: String,
        /// The ids configured.
        known: Vec<String>,
    },
    /// The camp has no check-in project to import check-ins into.
    #[error("camp {0} has no checkin_id in camps.toml; set it before importing check-ins")]
    NoProject(String),
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not a csv or spreadsheet campdesk reads, or lacks the header.
    #[error(transparent)]
    File(#[from] FileError),
    /// Some rows are bad.
    #[error("{}", rows_message(errors, *total))]
    Rows {
        /// The first errors.
        errors: Vec<RowError>,
        /// How many errors in all.
        total: usize,
    },
    /// The records layer refused the data (e.g. it contradicts a person's decision).
    #[error(transparent)]
    Records(#[from] RecordsError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Records(RecordsError::Store(e))
    }
}

fn rows_message(errors: &[RowError], total: usize) -> String {
    let mut lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    if total > errors.len() {
        lines.push(format!("(and {} more)", total - errors.len()));
    }
    lines.push("nothing was imported; fix the file and import it again".to_string());
    lines.join("\n")
}

fn rows_error(mut errors: Vec<RowError>) -> ImportError {
    let total = errors.len();
    errors.truncate(MAX_ROW_ERRORS);
    ImportError::Rows { errors, total }
}

/// The rows of a file and where its header is: csv as is; a workbook's first
/// sheet that has the header.
fn load_rows(file: &str, bytes: &[u8], specs: &[FieldSpec]) -> Result<(ColumnMap, Vec<SheetRow>), FileError> {
    let err = |reason: String| FileError { file: file.to_string(), reason };
    match sheet::detect_format(file, bytes) {
        FileFormat::Csv => {
            let text = sheet::decode_text(file, bytes)?;
            let rows = sheet::read_csv(file, &text)?;
            let map = find_header(&rows, specs).map_err(err)?;
            Ok((map, rows))
        }
        FileFormat::Workbook => {
            let sheets = sheet::read_workbook(file, bytes)?;
            let mut first_error = None;
            for (name, rows) in sheets {
                match find_header(&rows, specs) {
                    Ok(map) => return Ok((map, rows)),
                    Err(e) => {
                        first_error.get_or_insert(format!("sheet {name}: {e}"));
                    }
                }
            }
            Err(err(first_error.unwrap_or_else(|| "has no sheets".to_string())))
        }
    }
}

enum Parsed {
    Payments(Vec<Bill>),
    Members(Vec<member_store::MemberExportRow>),
    Checkins(Vec<crate::domain::CheckinTopic>, Vec<planet_users::PlanetUserSighting>),
}

impl Parsed {
    fn rows(&self) -> u64 {
        match self {
            Parsed::Payments(b) => b.len() as u64,
            Parsed::Members(m) => m.len() as u64,
            Parsed::Checkins(t, _) => t.len() as u64,
        }
    }

    fn set_raw_id(&mut self, raw_id: &str) {
        match self {
            Parsed::Payments(bills) => {
                for b in bills {
                    match b {
                        Bill::Payment(p) => p.source.raw_id = raw_id.to_string(),
                        Bill::Refund(r) => r.source.raw_id = raw_id.to_string(),
                    }
                }
            }
            Parsed::Members(rows) => rows.iter_mut().for_each(|r| r.source.raw_id = raw_id.to_string()),
            Parsed::Checkins(topics, users) => {
                topics.iter_mut().for_each(|t| t.source.raw_id = raw_id.to_string());
                users.iter_mut().for_each(|u| u.source.raw_id = raw_id.to_string());
            }
        }
    }

    fn apply(
        &self,
        tx: &mut WriteTx,
        config: &Config,
        camp: &CampId,
    ) -> Result<(UpsertStats, UpsertStats), RecordsError> {
        match self {
            Parsed::Payments(bills) => {
                let payments: Vec<_> = bills
                    .iter()
                    .filter_map(|b| if let Bill::Payment(p) = b { Some(p.clone()) } else { None })
                    .collect();
                let refunds: Vec<_> =
                    bills.iter().filter_map(|b| if let Bill::Refund(r) = b { Some(r.clone()) } else { None }).collect();
                let mut stats = crate::records::payments::upsert_payments(
                    tx,
                    config,
                    &payments,
                    &CampAssignment::Import(camp.clone()),
                )?;
                stats.add(crate::records::payments::record_refund_rows(tx, &refunds)?);
                Ok((stats, UpsertStats::default()))
            }
            Parsed::Members(rows) => Ok((member_store::import_member_rows(tx, camp, rows)?, UpsertStats::default())),
            Parsed::Checkins(topics, users) => {
                let stats = topic_store::upsert_topics(tx, topics)?;
                let users = planet_users::record_sightings(tx, users)?;
                Ok((stats, users))
            }
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Earlier imports of a file (by hash) for a camp and kind, oldest first.
pub fn previous_imports(
    r: &impl crate::records::Reads,
    kind: ImportKind,
    camp: &str,
    sha256: &str,
) -> Result<Vec<ImportLog>, RecordsError> {
    Ok(r.prefix_records(&FILE_IMPORTS, &key_prefix(&[kind.as_str(), camp, sha256]))?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

/// Imports a file. See the module docs for the rules.
pub fn import_file(store: &Store, config: &Config, opts: &ImportOptions<'_>) -> Result<ImportReport, ImportError> {
    let bytes = std::fs::read(opts.path)
        .map_err(|e| ImportError::Io { path: opts.path.display().to_string(), reason: e.to_string() })?;
    import_bytes(store, config, &file_name(opts.path), &bytes, opts)
}

/// Imports a file's contents (`file` is its name, for messages and the archive);
/// `opts.path` is not read. Used when the file travelled over the socket.
pub fn import_bytes(
    store: &Store,
    config: &Config,
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions<'_>,
) -> Result<ImportReport, ImportError> {
    let camp = config.camp(opts.camp).ok_or_else(|| ImportError::UnknownCamp {
        camp: opts.camp.to_string(),
        known: config.camps.iter().map(|c| c.id.as_str().to_string()).collect(),
    })?;
    let file = file.to_string();
    let sha256 = sha256_hex(bytes);
    let tz = &config.day_rule.tz;
    let (map, rows) = load_rows(&file, bytes, opts.kind.specs())?;
    let mut parsed = match opts.kind {
        ImportKind::Payments => Parsed::Payments(payments::read(&file, &map, &rows, tz, camp).map_err(rows_error)?),
        ImportKind::Members => Parsed::Members(members::read(&file, &map, &rows, tz, opts.now).map_err(rows_error)?),
        ImportKind::Checkins => {
            let project = camp.checkin_id.as_ref().ok_or_else(|| ImportError::NoProject(camp.id.to_string()))?;
            let (topics, users) = checkins::read(&file, &map, &rows, tz, project).map_err(rows_error)?;
            Parsed::Checkins(topics, users)
        }
    };

    let mut tx = store.write()?;
    let previous = previous_imports(&tx, opts.kind, camp.id.as_str(), &sha256)?;
    let entry = raw::archive(
        &mut tx,
        NewRaw {
            source: Source::Import,
            request: RawRequest::file(file.clone()),
            status: None,
            fetched_at: opts.now,
            content_type: Some(
                match sheet::detect_format(&file, bytes) {
                    FileFormat::Csv => "text/csv",
                    FileFormat::Workbook => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                }
                .to_string(),
            ),
            body: bytes,
        },
    )?;
    parsed.set_raw_id(&entry.raw_id);
    let (stats, users) = parsed.apply(&mut tx, config, &camp.id)?;
    let mut report = ImportReport {
        file: file.clone(),
        kind: opts.kind,
        camp: camp.id.to_string(),
        sha256: sha256.clone(),
        rows: parsed.rows(),
        stats,
        users,
        raw_id: None,
        previously_imported: previous.first().map(|p| p.raw_id.clone()),
        written: false,
        dry_run: opts.dry_run,
    };
    let nothing_new = !stats.changed() && !users.changed() && !previous.is_empty();
    if opts.dry_run || nothing_new {
        drop(tx);
        return Ok(report);
    }
    let log = ImportLog {
        kind: opts.kind,
        camp: camp.id.clone(),
        file: file.clone(),
        sha256: sha256.clone(),
        raw_id: entry.raw_id.clone(),
        rows: report.rows,
        stats,
        actor: opts.actor.to_string(),
        at: opts.now,
    };
    tx.put(&FILE_IMPORTS, &key(&[opts.kind.as_str(), camp.id.as_str(), &sha256, &entry.raw_id]), &log)?;
    tx.audit(NewAuditEntry::new(
        opts.actor,
        format!("import.{}", opts.kind.as_str()),
        camp.id.as_str(),
        serde_json::json!({
            "file": file,
            "sha256": sha256,
            "raw_id": entry.raw_id,
            "rows": report.rows,
            "inserted": stats.inserted,
            "updated": stats.updated,
            "unchanged": stats.unchanged,
            "users": users,
        }),
    ))?;
    tx.commit()?;
    report.raw_id = Some(entry.raw_id);
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use crate::domain::{Attribution, Money};
    use crate::records::payments::{payment, payments_of_camp};
    use crate::records::{camp_records, checkins as topics, planet_users::planet_user};
    use rust_xlsxwriter::{Format, Workbook};

    const CAMPS: &str = r#"
[templates.t]
days = 10
required = 7
deposit = "39.00"

[[camps]]
id = "2510-xhs"
name = "2510 小绿书"
template = "t"
start = "2025-10-25"
checkin_id = "2424424541"
payee = "zhangsan"

[[camps]]
id = "2511-write"
name = "2511 写作营"
template = "t"
start = "2025-11-10"
payee = "zhangsan"
"#;

    fn config() -> Config {
        parse_str(CAMPS, Path::new("camps.toml")).unwrap()
    }

    fn now() -> Timestamp {
        "2025-11-04T03:00:00Z".parse().unwrap()
    }

    enum X<'a> {
        S(&'a str),
        N(f64),
        /// A number with a date format (what Excel stores for a typed date).
        D(f64),
    }

    fn xlsx(rows: &[Vec<X<'_>>]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    X::S(s) => ws.write_string(r, c, *s).map(|_| ()),
                    X::N(n) => ws.write_number(r, c, *n).map(|_| ()),
                    X::D(n) => ws.write_number_with_format(r, c, *n, &date).map(|_| ()),
                }
                .unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    struct Env {
        dir: tempfile::TempDir,
        store: Store,
        config: Config,
    }

    impl Env {
        fn new() -> Env {
            Env { dir: tempfile::tempdir().unwrap(), store: Store::in_memory().unwrap(), config: config() }
        }

        fn file(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
            let p = self.dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        }

        fn import(&self, kind: ImportKind, path: &Path, camp: &str) -> Result<ImportReport, ImportError> {
            let opts = ImportOptions { kind, path, camp, actor: "owner", dry_run: false, now: now() };
            import_file(&self.store, &self.config, &opts)
        }

        fn audit_count(&self) -> usize {
            self.store.read().unwrap().audit_entries(1, None).unwrap().len()
        }
    }

    const WECOM_CSV: &str = "对外收款记录\n导出时间：2025-11-04 09:00\n交易单号,付款人,备注,金额（元）,支付时间,收款人,商户单号\n\
        '4200000001202510200000000001,王五,小明 星球ID 1024,39.00,2025-10-20 12:00:00,zhangsan,WX001\n\
        4200000001202510210000000002,赵六,,￥39,2025/10/21 08:30,zhangsan,WX002\n";

    #[test]
    fn gbk_csv_in_wecom_export_style() {
        let env = Env::new();
        let (gbk, _, _) = encoding_rs::GBK.encode(WECOM_CSV);
        let path = env.file("对外收款.csv", &gbk);
        let report = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        assert_eq!((report.rows, report.stats.inserted, report.written), (2, 2, true));
        let r = env.store.read().unwrap();
        let p = payment(&r, "4200000001202510200000000001").unwrap().unwrap();
        assert_eq!(p.amount, Money::from_fen(3900));
        assert_eq!(p.paid_at, "2025-10-20T04:00:00Z".parse().unwrap(), "wall clock read in Asia/Shanghai");
        assert_eq!(p.payer_name.as_deref(), Some("王五"));
        assert_eq!(p.remark, "小明 星球ID 1024");
        assert_eq!(p.attribution, Attribution::Import);
        assert_eq!(p.source.position, Some(4), "row numbers count the title rows");
        assert_eq!(p.source.raw_id, report.raw_id.clone().unwrap());
        let q = payment(&r, "4200000001202510210000000002").unwrap().unwrap();
        assert_eq!(q.remark, "");
        assert_eq!(q.paid_at, "2025-10-21T00:30:00Z".parse().unwrap());
        assert_eq!(payments_of_camp(&r, "2510-xhs").unwrap().len(), 2);
        // The raw file is archived byte for byte and the import is audited.
        let (entry, body) = raw::read(&r, report.raw_id.as_deref().unwrap()).unwrap().unwrap();
        assert_eq!(body, gbk.to_vec());
        assert_eq!(
            (entry.source, entry.method.as_str(), entry.url.as_str()),
            (Source::Import, "IMPORT", "对外收款.csv")
        );
        let audit = r.audit_entries(1, None).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(
            (audit[0].action.as_str(), audit[0].subject.as_str(), audit[0].actor.as_str()),
            ("import.payments", "2510-xhs", "owner")
        );
        assert_eq!(audit[0].details["sha256"], report.sha256);
        assert_eq!(audit[0].details["inserted"], 2);
    }

    #[test]
    fn a_column_headed_in_fen_is_read_as_fen() {
        let env = Env::new();
        let csv = "交易单号,金额（分）,支付时间,已退款金额(分)\n4200000009,3900,2025-10-20 12:00:00,0\n";
        let path = env.file("fen.csv", csv.as_bytes());
        env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        let p = payment(&env.store.read().unwrap(), "4200000009").unwrap().unwrap();
        assert_eq!(p.amount, Money::from_fen(3900), "3900 分 is 39.00, not 3900 yuan");
        let bad =
            env.file("fen-bad.csv", "交易单号,金额(分),支付时间\n4200000010,39.5,2025-10-20 12:00:00\n".as_bytes());
        let e = env.import(ImportKind::Payments, &bad, "2510-xhs").unwrap_err().to_string();
        assert!(e.contains("row 2, column 金额(分): \"39.5\" is not a whole number of fen"), "{e}");
    }

    #[test]
    fn importing_the_same_file_twice_changes_nothing() {
        let env = Env::new();
        let path = env.file("orders.csv", WECOM_CSV.as_bytes());
        let first = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        let raws = raw::count(&env.store.read().unwrap()).unwrap();
        let second = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        assert!(!second.written);
        assert_eq!(second.stats, UpsertStats { inserted: 0, updated: 0, unchanged: 2 });
        assert_eq!(second.previously_imported, first.raw_id);
        assert_eq!(raw::count(&env.store.read().unwrap()).unwrap(), raws, "no second raw entry");
        assert_eq!(env.audit_count(), 1, "no second audit entry");
    }

    #[test]
    fn xlsx_with_serial_dates_float_amounts_and_a_utf8_bom_header() {
        let env = Env::new();
        let bytes = xlsx(&[
            vec![
                X::S("\u{feff}transaction_id"),
                X::S("amount"),
                X::S("paid_at"),
                X::S("remark"),
                X::S("external_userid"),
            ],
            // 45950.5 = 2025-10-20 12:00 (date-formatted cell)
            vec![X::S("4200000003"), X::N(39.0), X::D(45950.5), X::S("小红"), X::S("wmABC")],
            // a plain number in the date column is a serial too; 38.999999999 is float noise for 39.00
            vec![X::S("4200000004"), X::N(38.999_999_999), X::N(45951.25), X::S(""), X::S("")],
            // a small numeric id is exact
            vec![X::N(4200000005.0), X::S("39.00"), X::S("2025-10-22 12:00:00"), X::S(""), X::S("")],
        ]);
        let path = env.file("orders.xlsx", &bytes);
        let report = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        assert_eq!(report.stats.inserted, 3);
        let r = env.store.read().unwrap();
        let a = payment(&r, "4200000003").unwrap().unwrap();
        assert_eq!(a.paid_at, "2025-10-20T04:00:00Z".parse().unwrap());
        assert_eq!(a.payer_external_userid.as_ref().map(|e| e.as_str()), Some("wmABC"));
        let b = payment(&r, "4200000004").unwrap().unwrap();
        assert_eq!(b.amount, Money::from_fen(3900));
        assert_eq!(b.paid_at, "2025-10-20T22:00:00Z".parse().unwrap(), "45951.25 = 2025-10-21 06:00 Shanghai");
        assert!(payment(&r, "4200000005").unwrap().is_some());
    }

    #[test]
    fn one_bad_row_rejects_the_file_naming_row_and_column() {
        let env = Env::new();
        let mut rows = vec![vec![X::S("交易单号"), X::S("金额"), X::S("支付时间")]];
        for i in 2..=20u32 {
            let amount = if i == 17 { X::S("39.001") } else { X::N(39.0) };
            rows.push(vec![X::S(Box::leak(format!("T{i}").into_boxed_str())), amount, X::S("2025-10-20 12:00:00")]);
        }
        let path = env.file("orders.xlsx", &xlsx(&rows));
        let err = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("orders.xlsx row 17, column 金额: \"39.001\" has more than 2 decimals"), "{text}");
        assert!(text.ends_with("nothing was imported; fix the file and import it again"), "{text}");
        let r = env.store.read().unwrap();
        assert_eq!(raw::count(&r).unwrap(), 0);
        assert!(payment(&r, "T2").unwrap().is_none(), "the good rows were not applied either");
        assert_eq!(env.audit_count(), 0);
    }

    #[test]
    fn every_bad_cell_is_listed() {
        let env = Env::new();
        let csv = "transaction_id,amount,paid_at\nT1,abc,2025-10-20 12:00\nT2,39,someday\n,39,2025-10-20 12:00\nT1,39,2025-10-20 12:00\nT5,39,2025-10-20 12:00\nT5,39,2025-10-20 13:00\n";
        let path = env.file("p.csv", csv.as_bytes());
        let ImportError::Rows { errors, total } = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap_err()
        else {
            panic!()
        };
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(total, 4, "{lines:#?}");
        assert_eq!(
            lines[0],
            "p.csv row 2, column amount: \"abc\" is not an amount in yuan (expected e.g. 39 or 39.00)"
        );
        assert!(lines[1].starts_with("p.csv row 3, column paid_at: \"someday\" is not a date and time"));
        assert_eq!(lines[2], "p.csv row 4, column transaction_id: is empty");
        assert_eq!(lines[3], "p.csv row 7, column transaction_id: transaction T5 is also on row 6");
    }

    #[test]
    fn refund_rows_in_a_payments_file_merge_into_their_payment() {
        let env = Env::new();
        let csv = "交易单号,类型,退款单号,金额,支付时间,商户单号\nT1,收款,,39.00,2025-10-20 12:00,WX1\nT1,退款,RF1,39.00,2025-11-05 10:00,WX1\n";
        let path = env.file("bills.csv", csv.as_bytes());
        let report = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        assert_eq!(report.rows, 2);
        let p = payment(&env.store.read().unwrap(), "T1").unwrap().unwrap();
        assert_eq!(p.bill_refunds.len(), 1);
        assert_eq!(p.bill_refunds[0].out_refund_no, "RF1");
    }

    #[test]
    fn payments_that_are_not_the_camps_are_refused() {
        let env = Env::new();
        let csv = "交易单号,金额,支付时间,收款人\nT1,39,2025-10-20 12:00,zhangsan\nT2,39,2025-12-20 12:00,zhangsan\nT3,39,2025-10-20 12:00,lisi\nT4,38,2025-10-20 12:00,\n";
        let path = env.file("all.csv", csv.as_bytes());
        let ImportError::Rows { errors, .. } = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap_err() else {
            panic!()
        };
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            vec![
                "all.csv row 3, column 支付时间: paid 2025-12-20, outside camp 2510-xhs's enrolment window 2025-09-25..=2025-11-03; this payment is not the camp's",
                "all.csv row 4, column 收款人: payee lisi does not collect for camp 2510-xhs (its payee is zhangsan)",
            ],
            "a wrong amount (T4) and a missing payee are accepted"
        );
    }

    #[test]
    fn unknown_camp_names_the_known_ones() {
        let env = Env::new();
        let path = env.file("p.csv", WECOM_CSV.as_bytes());
        let err = env.import(ImportKind::Payments, &path, "nope").unwrap_err().to_string();
        assert_eq!(err, "unknown camp `nope`; the camps in camps.toml are: 2510-xhs, 2511-write");
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused() {
        let env = Env::new();
        let path = env.file("p.csv", "交易单号,备注\nT1,x\n".as_bytes());
        let err = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap_err().to_string();
        assert!(err.contains("p.csv: row 1 looks like the header but has no column for"), "{err}");
        assert!(err.contains("金额 (amount)") && err.contains("支付时间 (paid_at)"), "{err}");
    }

    #[test]
    fn zsxq_member_export() {
        let env = Env::new();
        // A user the sync already knows, by member number.
        env.store
            .write_with(|tx| {
                let mut s = planet_users::PlanetUserSighting::named(
                    "400000000002".into(),
                    "小明".into(),
                    None,
                    "2025-11-01T00:00:00Z".parse().unwrap(),
                    crate::domain::SourceRef { raw_id: "raw-x".into(), position: None },
                );
                s.number = Some("1024".into());
                planet_users::record_sightings(tx, &[s])
            })
            .unwrap();
        let bytes = xlsx(&[
            vec![
                X::S("成员编号"),
                X::S("用户昵称"),
                X::S("微信昵称"),
                X::S("星球名片昵称"),
                X::S("星球内备注昵称"),
                X::S("知识号"),
                X::S("身份"),
                X::S("首次加入时间"),
                X::S("到期时间"),
                X::S("是否退出星球"),
            ],
            vec![
                X::N(1024.0),
                X::S("小明"),
                X::S("明明wx"),
                X::S(""),
                X::S("学员A"),
                X::S("k1"),
                X::S("成员"),
                X::D(45900.0),
                X::S("2026-10-01"),
                X::S("否"),
            ],
            vec![
                X::N(2048.0),
                X::S("小红"),
                X::S("红wx"),
                X::S("红红"),
                X::S(""),
                X::S(""),
                X::S("成员"),
                X::D(45901.0),
                X::S("永久"),
                X::S("是"),
            ],
        ]);
        let path = env.file("星球成员.xlsx", &bytes);
        let report = env.import(ImportKind::Members, &path, "2510-xhs").unwrap();
        assert_eq!(report.stats.inserted, 2);
        let r = env.store.read().unwrap();
        let u = planet_user(&r, "400000000002").unwrap().unwrap();
        assert_eq!(u.wechat_name.as_deref(), Some("明明wx"));
        assert_eq!(u.joined_planet_at, Some("2025-08-30T16:00:00Z".parse().unwrap()), "45900 = 2025-08-31");
        let cfg = config();
        let camp = camp_records(&r, &cfg, cfg.camp("2510-xhs").unwrap()).unwrap();
        assert_eq!(camp.member_export_of("400000000002").unwrap().remark_name.as_deref(), Some("学员A"));
        let unresolved = camp.member_exports.iter().find(|m| m.number.as_deref() == Some("2048")).unwrap();
        assert_eq!((unresolved.exited, unresolved.expires_at), (Some(true), None));
        drop(r);
        let again = env.import(ImportKind::Members, &path, "2510-xhs").unwrap();
        assert!(!again.written);
    }

    #[test]
    fn checkins_in_canonical_columns_with_and_without_topic_ids() {
        let env = Env::new();
        let csv = "user_id,name,create_time,text,topic_id,images\n\
            400000000002,小明,2025-10-25T21:15:02.481+0800,第一天打卡,90001,2\n\
            400000000002,小明,2025-10-26 23:59:59,第二天,,\n\
            400000000003,小红,2025/10/26,补录,,\n";
        let path = env.file("checkins.csv", csv.as_bytes());
        let report = env.import(ImportKind::Checkins, &path, "2510-xhs").unwrap();
        assert_eq!((report.stats.inserted, report.users.inserted), (3, 2));
        let r = env.store.read().unwrap();
        let all = topics::topics(&r, "2424424541").unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].topic_id.as_str(), "90001");
        assert_eq!(all[0].created_at_raw, "2025-10-25T21:15:02.481+0800");
        assert_eq!((all[0].images, all[0].text_chars), (2, 5));
        assert!(all[1].topic_id.as_str().starts_with("file-"));
        let late = all.iter().find(|t| t.user_id.as_str() == "400000000003").unwrap();
        assert_eq!(late.created_at, "2025-10-26T04:00:00Z".parse().unwrap(), "a date alone counts as noon");
        drop(r);
        let again = env.import(ImportKind::Checkins, &path, "2510-xhs").unwrap();
        assert!(!again.written, "synthetic ids are stable");

        let bad = env.file("bad.csv", "checkin_id,user_id,create_time\n999,4,2025-10-25 12:00\n".as_bytes());
        let err = env.import(ImportKind::Checkins, &bad, "2510-xhs").unwrap_err().to_string();
        assert!(
            err.starts_with("bad.csv row 2, column checkin_id: \"999\" is not the camp's check-in project 2424424541"),
            "{err}"
        );
        let err = env.import(ImportKind::Checkins, &path, "2511-write").unwrap_err().to_string();
        assert_eq!(err, "camp 2511-write has no checkin_id in camps.toml; set it before importing check-ins");
    }

    #[test]
    fn dry_run_counts_but_writes_nothing() {
        let env = Env::new();
        let path = env.file("orders.csv", WECOM_CSV.as_bytes());
        let opts = ImportOptions {
            kind: ImportKind::Payments,
            path: &path,
            camp: "2510-xhs",
            actor: "owner",
            dry_run: true,
            now: now(),
        };
        let report = import_file(&env.store, &env.config, &opts).unwrap();
        assert_eq!((report.stats.inserted, report.written), (2, false));
        assert_eq!(raw::count(&env.store.read().unwrap()).unwrap(), 0);
    }

    #[test]
    fn an_import_conflicting_with_a_persons_choice_is_refused_whole() {
        let env = Env::new();
        let path = env.file("orders.csv", WECOM_CSV.as_bytes());
        env.import(ImportKind::Payments, &path, "2510-xhs").unwrap();
        env.store
            .write_with(|tx| {
                crate::records::payments::assign_camp(
                    tx,
                    &env.config,
                    "4200000001202510200000000001",
                    Some(&CampId::new("2511-write")),
                    "owner",
                )
            })
            .unwrap();
        let err = env.import(ImportKind::Payments, &path, "2510-xhs").unwrap_err().to_string();
        assert!(err.contains("owner assigned it to camp 2511-write"), "{err}");
    }
}
