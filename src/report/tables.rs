//! A report as tables for people: Chinese headers, amounts in yuan, one table
//! per sheet (xlsx) or per file (csv). Pure: [`xlsx`](super::xlsx) and
//! [`csv`](super::csv) only write what this builds.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::figures::{CampReport, MemberFigures, MoneyFigures, Report};
use crate::domain::{Money, RefundState};

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// An amount, shown in yuan with two decimals.
    Yuan(Money),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as text (csv; width estimates): yuan as `39.00`.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Yuan(m) => m.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn int(n: impl Into<i64>) -> Cell {
    Cell::Int(n.into())
}

/// A table: its sheet (and file) name, headers and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Sheet name (≤ 31 characters, no `[]:*?/\`).
    pub sheet: String,
    /// File name without `.csv` (ASCII).
    pub file: String,
    /// Column headers.
    pub headers: Vec<&'static str>,
    /// Rows, each as long as `headers`.
    pub rows: Vec<Vec<Cell>>,
    /// Rows drawn bold (totals).
    pub bold_rows: Vec<usize>,
}

/// Every table of a report, summary first, then one member table per camp.
pub fn tables(report: &Report, tz: &TimeZone) -> Vec<Table> {
    let mut out = vec![summary(report), refunds(report), staff(report), day_curve(report), errors(report)];
    out.extend(report.camps.iter().map(|c| members(c, tz)));
    out.push(about(report, tz));
    unique_names(&mut out);
    out
}

/// Makes sheet and file names unique (a camp id could clash after cleaning).
fn unique_names(tables: &mut [Table]) {
    let mut sheets = std::collections::BTreeSet::new();
    let mut files = std::collections::BTreeSet::new();
    for t in tables.iter_mut() {
        let (base_sheet, base_file) = (t.sheet.clone(), t.file.clone());
        let mut n = 1;
        while !sheets.insert(t.sheet.to_lowercase()) {
            n += 1;
            let suffix = format!("~{n}");
            let keep = 31 - suffix.chars().count();
            t.sheet = format!("{}{suffix}", base_sheet.chars().take(keep).collect::<String>());
        }
        let mut n = 1;
        while !files.insert(t.file.to_lowercase()) {
            n += 1;
            t.file = format!("{base_file}-{n}");
        }
    }
}

/// The headers of the summary table; the figures tests read numbers back by them.
pub const SUMMARY_HEADERS: [&str; 23] = [
    "营期",
    "名称",
    "开始",
    "结束",
    "规则",
    "状态",
    "付款人数",
    "入群",
    "打卡≥1次",
    "通过",
    "边缘",
    "未通过",
    "未定（营期未结束）",
    "未关联",
    "参与率（打卡≥1次/付款）",
    "完成率（通过/付款）",
    "押金收取（元）",
    "已退（元）",
    "没收（元）",
    "待定（元）",
    "异常（元）",
    "差额（元）",
    "对账",
];

fn figure_cells(m: &MemberFigures, money: &MoneyFigures) -> Vec<Cell> {
    vec![
        int(m.paid),
        int(m.joined_group),
        int(m.checked_in),
        int(m.passed),
        int(m.borderline),
        int(m.failed),
        int(m.open),
        int(m.unlinked),
        text(m.participation.to_string()),
        text(m.completion.to_string()),
        Cell::Yuan(money.collected),
        Cell::Yuan(money.refunded),
        Cell::Yuan(money.forfeited),
        Cell::Yuan(money.pending),
        Cell::Yuan(money.anomalies),
        Cell::Yuan(money.difference),
        text(if money.balanced {
            "平".to_string()
        } else {
            format!("不平（{} 处差异）", money.errors.len().max(1))
        }),
    ]
}

fn summary(r: &Report) -> Table {
    let mut rows: Vec<Vec<Cell>> = r
        .camps
        .iter()
        .map(|c| {
            let mut row = vec![
                text(c.camp.as_str()),
                text(&c.name),
                text(c.start.to_string()),
                text(c.end.to_string()),
                text(format!("{}/{}", c.required, c.days)),
                text(c.stage.label()),
            ];
            row.extend(figure_cells(&c.members, &c.money));
            row
        })
        .collect();
    let mut total = vec![
        text("合计"),
        text(format!("{} 个营期", r.totals.camps)),
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
        Cell::Empty,
    ];
    total.extend(figure_cells(&r.totals.members, &r.totals.money));
    rows.push(total);
    Table {
        sheet: "汇总".into(),
        file: "summary".into(),
        headers: SUMMARY_HEADERS.to_vec(),
        bold_rows: vec![rows.len() - 1],
        rows,
    }
}

/// The Chinese name of a refund state.
pub fn state_label(s: RefundState) -> &'static str {
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

fn refunds(r: &Report) -> Table {
    let mut rows = Vec::new();
    for c in &r.camps {
        for b in &c.refunds {
            rows.push(vec![
                text(c.camp.as_str()),
                text(b.executor.as_str()),
                text(state_label(b.state)),
                text(if b.stale { "是" } else { "" }),
                int(b.count),
                Cell::Yuan(b.amount),
            ]);
        }
    }
    for b in &r.totals.refunds {
        rows.push(vec![
            text("合计"),
            text(b.executor.as_str()),
            text(state_label(b.state)),
            text(if b.stale { "是" } else { "" }),
            int(b.count),
            Cell::Yuan(b.amount),
        ]);
    }
    let first_total = rows.len() - r.totals.refunds.len();
    Table {
        sheet: "退款".into(),
        file: "refunds".into(),
        headers: vec!["营期", "退款方式", "状态", "已失效", "笔数", "金额（元）"],
        bold_rows: (first_total..rows.len()).collect(),
        rows,
    }
}

fn staff(r: &Report) -> Table {
    let rows = r
        .staff
        .iter()
        .map(|s| {
            vec![
                text(&s.name),
                text(s.role.label()),
                text(s.camps.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("、")),
                int(s.members.paid),
                int(s.members.checked_in),
                int(s.members.passed),
                text(s.members.participation.to_string()),
                text(s.members.completion.to_string()),
            ]
        })
        .collect();
    Table {
        sheet: "教练与志愿者".into(),
        file: "staff".into(),
        headers: vec!["姓名", "角色", "营期", "付款人数", "打卡≥1次", "通过", "参与率", "完成率"],
        bold_rows: Vec::new(),
        rows,
    }
}

fn day_curve(r: &Report) -> Table {
    let mut rows = Vec::new();
    for c in &r.camps {
        for p in &c.day_curve {
            rows.push(vec![
                text(c.camp.as_str()),
                int(p.day_number),
                text(p.day.map(|d| d.to_string()).unwrap_or_default()),
                if p.future { Cell::Empty } else { int(p.checked_in) },
                int(p.members),
            ]);
        }
    }
    Table {
        sheet: "每日打卡".into(),
        file: "day_curve".into(),
        headers: vec!["营期", "第几天", "日期", "打卡人数", "已关联付款人数"],
        bold_rows: Vec::new(),
        rows,
    }
}

fn errors(r: &Report) -> Table {
    let mut rows = Vec::new();
    for c in &r.camps {
        for e in &c.money.errors {
            rows.push(vec![
                text(c.camp.as_str()),
                text(&e.transaction_id),
                text(&e.kind),
                Cell::Yuan(e.difference),
                text(&e.message),
            ]);
        }
    }
    Table {
        sheet: "对账差异".into(),
        file: "ledger_errors".into(),
        headers: vec!["营期", "交易单号", "类型", "差额（元）", "说明"],
        bold_rows: Vec::new(),
        rows,
    }
}

/// The member table's headers.
pub const MEMBER_HEADERS: [&str; 13] = [
    "姓名",
    "付款人",
    "交易单号",
    "付款时间",
    "金额（元）",
    "打卡天数",
    "要求天数",
    "判定",
    "入群",
    "退款状态",
    "已退（元）",
    "账目",
    "说明",
];

fn members(c: &CampReport, tz: &TimeZone) -> Table {
    let rows = c
        .rows
        .iter()
        .map(|m| {
            let verdict = match (&m.duplicate_of, m.verdict) {
                (Some(first), _) => format!("重复付款（首笔 {first}）"),
                (None, Some(v)) => v.label().to_string(),
                (None, None) => "未判定".to_string(),
            };
            vec![
                text(&m.name),
                text(m.payer_name.clone().unwrap_or_default()),
                text(m.transaction_id.as_str()),
                text(local_time(m.paid_at, tz)),
                Cell::Yuan(m.amount),
                m.checkin_days.map_or(Cell::Empty, int),
                int(m.required_days),
                text(verdict),
                text(if m.joined_group { "是" } else { "否" }),
                text(m.refund_state.map(state_label).unwrap_or("")),
                Cell::Yuan(m.refunded),
                text(m.bucket.label()),
                text(&m.bucket_reason),
            ]
        })
        .collect();
    Table {
        sheet: sheet_name(c.camp.as_str()),
        file: format!("members-{}", file_safe(c.camp.as_str())),
        headers: MEMBER_HEADERS.to_vec(),
        bold_rows: Vec::new(),
        rows,
    }
}

fn about(r: &Report, tz: &TimeZone) -> Table {
    let period = r.period.as_ref().map_or_else(|| "全部营期".to_string(), ToString::to_string);
    let balanced = if r.balanced() {
        "平：押金收取 = 已退 + 没收 + 待定 + 异常"
    } else {
        "不平：见“对账差异”"
    };
    let rows = vec![
        vec![text("生成时间"), text(local_time(r.generated_at, tz))],
        vec![text("统计日"), text(r.today.to_string())],
        vec![text("统计期间（按开营日归属）"), text(period)],
        vec![text("营期数"), int(r.totals.camps)],
        vec![text("对账"), text(balanced)],
        vec![text("说明"), text("人数按人计（重复付款不重复计人，金额计入账目）；比率均注明分子/分母")],
    ];
    Table {
        sheet: "说明".into(), file: "about".into(), headers: vec!["项目", "内容"], bold_rows: Vec::new(), rows
    }
}

/// `2025-10-20 12:00` in `tz`.
pub fn local_time(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A sheet name from a camp id: no `[]:*?/\`, at most 31 characters.
pub fn sheet_name(id: &str) -> String {
    let cleaned: String = id.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).take(31).collect();
    if cleaned.trim().is_empty() { "营期".to_string() } else { cleaned }
}

/// A file name part: ASCII letters, digits, `-` and `_`; anything else becomes `_`.
pub fn file_safe(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_for_sheets_and_files() {
        assert_eq!(sheet_name("2510/xhs:[a]"), "2510_xhs__a_");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
        assert_eq!(file_safe("2510-xhs 小绿书"), "2510-xhs____");
    }
}
