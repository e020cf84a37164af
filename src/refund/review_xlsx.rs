//! The Excel review round trip: `campdesk review export --camp ID FILE.xlsx`
//! writes a camp's queue for people (Chinese headers, widths, frozen header,
//! yuan format, evidence columns, the refund id in a locked column, a drop-down
//! decision column); `campdesk review import FILE.xlsx` applies the decisions.
//!
//! Protection: the sheet is protected (only 决定 and 理由/备注 are editable) and
//! every row carries a hidden checksum of its protected cells and of the
//! refund's version at export. Import refuses the whole file when a protected
//! cell was edited, a row was added, a refund changed since the export, a
//! decision is unreadable or a rejection has no reason; otherwise it applies
//! every decision through the queue in one transaction, audited
//! (`review.import` with the file's SHA-256).

use std::collections::BTreeMap;

use jiff::Timestamp;
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, XlsxError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::model::{Refund, RefundKind};
use super::queue::{self, CampPolicy, QueueError, REFUNDS};
use crate::config::Config;
use crate::domain::{CampId, RefundId, RefundState};
use crate::rules::CampEvaluation;
use crate::sources::files::sheet::{Cell, SheetRow, read_workbook};
use crate::store::{NewAuditEntry, Store};

/// The review sheet's name.
pub const SHEET: &str = "退款审核";
/// The hidden sheet with the export's identity.
pub const META_SHEET: &str = "campdesk";
/// File format version.
pub const FORMAT: &str = "campdesk-review-1";

/// Column headers, in order. The last two are hidden.
pub const HEADERS: [&str; 14] = [
    "退款编号",
    "付款人",
    "交易单号",
    "金额(元)",
    "类型",
    "判定",
    "打卡天数",
    "依据",
    "状态",
    "需单独决定",
    "决定",
    "理由/备注",
    "校验",
    "版本",
];
const COL_DECISION: usize = 10;
const COL_REASON: usize = 11;
const COL_CHECK: usize = 12;
const COL_VERSION: usize = 13;
const WIDTHS: [f64; 14] = [36.0, 14.0, 32.0, 11.0, 9.0, 9.0, 10.0, 40.0, 12.0, 11.0, 10.0, 30.0, 18.0, 28.0];

/// Why a review file could not be written or read. Nothing was applied.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Writing the workbook failed.
    #[error("cannot write the review file: {0}")]
    Write(String),
    /// The file is not a review file campdesk wrote, or was damaged.
    #[error("{file}: {reason}")]
    File {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// Rows that cannot be applied (every problem, so all can be fixed at once).
    #[error("{file}: nothing was applied:\n{}", .problems.join("\n"))]
    Rows {
        /// The file.
        file: String,
        /// One line per problem, naming the row and the column.
        problems: Vec<String>,
    },
    /// The queue refused the decisions (batch cap, two-person rule …).
    #[error("{file}: nothing was applied: {error}")]
    Queue {
        /// The file.
        file: String,
        /// The queue's reason.
        error: QueueError,
    },
}

impl From<XlsxError> for ReviewError {
    fn from(e: XlsxError) -> Self {
        ReviewError::Write(e.to_string())
    }
}

fn kind_label(k: RefundKind) -> &'static str {
    match k {
        RefundKind::Deposit => "押金",
        RefundKind::Duplicate => "重复支付",
        RefundKind::NotJoined => "未入群",
    }
}

fn state_label(s: RefundState) -> &'static str {
    match s {
        RefundState::Proposed => "待审核",
        RefundState::Approved => "已批准",
        RefundState::Rejected => "已拒绝",
        RefundState::Submitted => "处理中",
        RefundState::Succeeded => "已退款",
        RefundState::Failed => "失败",
        RefundState::SettledOffline => "线下已退",
    }
}

/// The protected cells of one row, as text, in column order (0..=9).
fn protected(r: &Refund, evaluation: Option<&CampEvaluation>) -> [String; 10] {
    let v = evaluation.and_then(|e| e.verdicts.iter().find(|v| v.transaction_id == r.proposal.transaction_id));
    [
        r.id.to_string(),
        r.proposal.payer_name.clone().unwrap_or_default(),
        r.proposal.transaction_id.to_string(),
        r.amount().to_string(),
        kind_label(r.proposal.kind).to_string(),
        v.map_or("-".to_string(), |v| v.verdict.label().to_string()),
        v.map_or("-".to_string(), |v| format!("{}/{}", v.checkin_days, v.required_days)),
        r.proposal.basis.clone(),
        state_label(r.state).to_string(),
        if r.proposal.explicit_only { "是" } else { "否" }.to_string(),
    ]
}

fn checksum(camp: &str, cells: &[String], version: &str) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update([0u8]);
    h.update(camp.as_bytes());
    for c in cells {
        h.update([0u8]);
        h.update(c.as_bytes());
    }
    h.update([0u8]);
    h.update(version.as_bytes());
    hex::encode(&h.finalize()[..12])
}

fn version(r: &Refund) -> String {
    r.updated_at.to_string()
}

/// Writes the review workbook of a camp's queue; returns the file's bytes.
pub fn export(
    camp: &crate::config::Camp,
    refunds: &[Refund],
    evaluation: Option<&CampEvaluation>,
    now: Timestamp,
) -> Result<Vec<u8>, ReviewError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let text = Format::new();
    let wrap = Format::new().set_text_wrap();
    let yuan = Format::new().set_num_format("¥#,##0.00");
    let editable = Format::new().set_unlocked().set_background_color("#FFF2CC");
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    for (i, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *h, &header)?;
        ws.set_column_width(i as u16, WIDTHS[i])?;
    }
    let mut rows: Vec<&Refund> = refunds.iter().filter(|r| r.proposal.camp == camp.id).collect();
    rows.sort_by(|a, b| {
        (a.state != RefundState::Proposed, a.proposal.paid_at, &a.id).cmp(&(
            b.state != RefundState::Proposed,
            b.proposal.paid_at,
            &b.id,
        ))
    });
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let cells = protected(r, evaluation);
        for (c, value) in cells.iter().enumerate() {
            if c == 3 {
                // Display only: the amount is checked as text against the stored fen.
                let fen = r.amount().fen();
                ws.write_number_with_format(row, 3, fen as f64 / 100.0, &yuan)?;
            } else if c == 7 {
                ws.write_string_with_format(row, c as u16, value, &wrap)?;
            } else {
                ws.write_string_with_format(row, c as u16, value, &text)?;
            }
        }
        ws.write_string_with_format(row, COL_DECISION as u16, "", &editable)?;
        ws.write_string_with_format(row, COL_REASON as u16, "", &editable)?;
        let v = version(r);
        ws.write_string(row, COL_CHECK as u16, checksum(camp.id.as_str(), &cells, &v))?;
        ws.write_string(row, COL_VERSION as u16, v)?;
    }
    if !rows.is_empty() {
        let dv = DataValidation::new().allow_list_strings(&["同意", "拒绝"])?;
        ws.add_data_validation(1, COL_DECISION as u16, rows.len() as u32, COL_DECISION as u16, &dv)?;
    }
    ws.set_column_hidden(COL_CHECK as u16)?;
    ws.set_column_hidden(COL_VERSION as u16)?;
    ws.set_freeze_panes(1, 1)?;
    let opts = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        sort: false,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&opts);
    ws.autofilter(0, 0, rows.len() as u32, (HEADERS.len() - 3) as u16)?;

    let meta = wb.add_worksheet();
    meta.set_name(META_SHEET)?;
    for (i, (k, v)) in [
        ("format", FORMAT.to_string()),
        ("camp", camp.id.to_string()),
        ("camp_name", camp.name.clone()),
        ("exported_at", now.to_string()),
        ("rows", rows.len().to_string()),
    ]
    .iter()
    .enumerate()
    {
        meta.write_string(i as u32, 0, *k)?;
        meta.write_string(i as u32, 1, v)?;
    }
    meta.protect();
    meta.set_very_hidden(true);
    Ok(wb.save_to_buffer()?)
}

/// One decision read from a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDecision {
    /// The refund.
    pub refund_id: RefundId,
    /// Approve (true) or reject (false).
    pub approve: bool,
    /// The reason or note.
    pub note: Option<String>,
    /// Row number in the sheet.
    pub row: u32,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewImport {
    /// The file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The camp.
    pub camp: CampId,
    /// Refunds approved (or given one more approval under the two-person rule).
    pub approved: Vec<RefundId>,
    /// Refunds rejected.
    pub rejected: Vec<RefundId>,
    /// Rows without a decision.
    pub undecided: usize,
}

fn cell_text(c: Option<&Cell>) -> String {
    match c {
        None => String::new(),
        Some(Cell::Float(f)) => format!("{f:.2}"),
        Some(c) => c.shown().trim().to_string(),
    }
}

fn parse_decision(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "同意" | "批准" | "通过" | "退" | "approve" | "approved" | "yes" | "y" | "ok" => Some(true),
        "拒绝" | "驳回" | "不退" | "reject" | "rejected" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Reads and checks a review file against the store; returns the camp and the decisions.
pub fn read_decisions(
    store: &Store,
    config: &Config,
    file: &str,
    bytes: &[u8],
) -> Result<(CampId, Vec<FileDecision>, usize), ReviewError> {
    let bad = |reason: String| ReviewError::File { file: file.to_string(), reason };
    let sheets = read_workbook(file, bytes).map_err(|e| bad(e.to_string()))?;
    let meta: BTreeMap<String, String> = sheets
        .iter()
        .find(|(n, _)| n == META_SHEET)
        .map(|(_, rows)| rows.iter().map(|r| (cell_text(r.cells.first()), cell_text(r.cells.get(1)))).collect())
        .ok_or_else(|| bad("is not a review file campdesk exported (its hidden sheet is missing)".into()))?;
    if meta.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(bad(format!("was written by another campdesk version (format {:?})", meta.get("format"))));
    }
    let camp_id = meta.get("camp").cloned().unwrap_or_default();
    let camp =
        config.camp(&camp_id).ok_or_else(|| bad(format!("is for camp `{camp_id}`, which is not in camps.toml")))?;
    let rows: &Vec<SheetRow> =
        &sheets.iter().find(|(n, _)| n == SHEET).ok_or_else(|| bad(format!("has no sheet named {SHEET}")))?.1;
    let header: Vec<String> =
        rows.first().map(|r| r.cells.iter().map(|c| cell_text(Some(c))).collect()).unwrap_or_default();
    if header.iter().take(HEADERS.len()).map(String::as_str).ne(HEADERS.iter().copied()) {
        return Err(bad(format!("the header row of {SHEET} was changed; export the file again")));
    }
    let expected_rows: usize = meta.get("rows").and_then(|r| r.parse().ok()).unwrap_or(0);
    let evaluation = crate::verdicts::evaluation(&store.read().map_err(|e| bad(e.to_string()))?, &camp.id)
        .map_err(|e| bad(e.to_string()))?;
    let read = store.read().map_err(|e| bad(e.to_string()))?;
    let mut problems = Vec::new();
    let mut decisions = Vec::new();
    let mut undecided = 0;
    let mut seen = 0;
    for row in rows.iter().skip(1) {
        if row.cells.iter().all(Cell::is_blank) {
            continue;
        }
        seen += 1;
        let n = row.number;
        let cells: Vec<String> = (0..10).map(|c| cell_text(row.cells.get(c))).collect();
        let check = cell_text(row.cells.get(COL_CHECK));
        let version_text = cell_text(row.cells.get(COL_VERSION));
        if check.is_empty() || checksum(camp.id.as_str(), &cells, &version_text) != check {
            problems.push(format!(
                "row {n}: a protected column (退款编号 … 需单独决定) was edited or the row was added; only 决定 and 理由/备注 may change"
            ));
            continue;
        }
        let id = RefundId::new(cells[0].clone());
        let current: Option<Refund> = read.get(&REFUNDS, id.as_str()).map_err(|e| bad(e.to_string()))?;
        let Some(current) = current else {
            problems.push(format!("row {n}: refund {id} is no longer in the queue"));
            continue;
        };
        let decision_text = cell_text(row.cells.get(COL_DECISION));
        let note = Some(cell_text(row.cells.get(COL_REASON))).filter(|s| !s.is_empty());
        if decision_text.is_empty() {
            undecided += 1;
            continue;
        }
        if version(&current) != version_text || protected(&current, evaluation.as_ref()) != *cells.as_slice() {
            problems.push(format!(
                "row {n}: refund {id} changed since the export (now {}); export the file again",
                state_label(current.state)
            ));
            continue;
        }
        let Some(approve) = parse_decision(&decision_text) else {
            problems.push(format!("row {n}, column 决定: `{decision_text}` is neither 同意 nor 拒绝"));
            continue;
        };
        if !approve && note.is_none() {
            problems.push(format!("row {n}, column 理由/备注: a rejection needs a reason"));
            continue;
        }
        decisions.push(FileDecision { refund_id: id, approve, note, row: n });
    }
    if seen != expected_rows && problems.is_empty() {
        problems
            .push(format!("the sheet has {seen} rows but {expected_rows} were exported; rows were added or removed"));
    }
    if !problems.is_empty() {
        return Err(ReviewError::Rows { file: file.to_string(), problems });
    }
    Ok((camp.id.clone(), decisions, undecided))
}

/// Applies a review file's decisions as `by`, all or nothing, audited.
pub fn import(
    store: &Store,
    config: &Config,
    file: &str,
    bytes: &[u8],
    by: &str,
    confirmed: bool,
    now: Timestamp,
) -> Result<ReviewImport, ReviewError> {
    let (camp, decisions, undecided) = read_decisions(store, config, file, bytes)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let approve: Vec<RefundId> = decisions.iter().filter(|d| d.approve).map(|d| d.refund_id.clone()).collect();
    let rejects: Vec<&FileDecision> = decisions.iter().filter(|d| !d.approve).collect();
    let policy = |c: &CampId| config.camp(c.as_str()).map(CampPolicy::of);
    let note = format!("review file {file}");
    let (approved, rejected) = store
        .write_with(|tx| {
            let approved = if approve.is_empty() {
                Vec::new()
            } else {
                queue::approve(tx, &approve, by, Some(&note), &policy, confirmed, now)?
            };
            let mut rejected = Vec::new();
            for d in &rejects {
                let reason = d.note.as_deref().unwrap_or_default();
                rejected.extend(queue::reject(tx, std::slice::from_ref(&d.refund_id), by, reason, now)?);
            }
            tx.audit(NewAuditEntry::new(
                by,
                "review.import",
                camp.as_str(),
                json!({
                    "file": file,
                    "sha256": sha256,
                    "decisions": decisions.iter().map(|d| json!({"refund": d.refund_id, "row": d.row, "approve": d.approve, "note": d.note})).collect::<Vec<_>>(),
                }),
            ))?;
            Ok::<_, QueueError>((approved, rejected))
        })
        .map_err(|error| ReviewError::Queue { file: file.to_string(), error })?;
    Ok(ReviewImport {
        file: file.to_string(),
        sha256,
        camp,
        approved: approved.into_iter().map(|r| r.id).collect(),
        rejected: rejected.into_iter().map(|r| r.id).collect(),
        undecided,
    })
}
