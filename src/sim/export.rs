//! The planet's member export as the zsxq admin console gives it to the owner: one row
//! per member with 成员编号, 用户昵称, 微信昵称, 星球名片昵称, 星球内备注昵称, 知识号,
//! 身份, 首次加入时间, 到期时间, 是否退出星球 (peer-notes §1), written as xlsx.
//!
//! An export is a snapshot taken at one moment ([`MemberExport::taken_at`]): members
//! who joined later are not in it, nicknames are those of that moment, and the
//! 微信昵称 column is what zsxq captured when the member authorised WeChat, which
//! can be empty or older than the name the member shows on WeChat now. The
//! community generators decide who is in it and with which names; this module
//! holds the rows and renders the file `campdesk import members FILE --camp ID` reads.

use jiff::Timestamp;
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::{Deserialize, Serialize};

/// The export's columns, in the admin console's order.
pub const COLUMNS: [&str; 10] = [
    "成员编号",
    "用户昵称",
    "微信昵称",
    "星球名片昵称",
    "星球内备注昵称",
    "知识号",
    "身份",
    "首次加入时间",
    "到期时间",
    "是否退出星球",
];

/// One member row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRow {
    /// 成员编号.
    pub number: u64,
    /// 用户昵称 (the planet nickname when the export was taken).
    pub name: String,
    /// 微信昵称 (`None`: the cell is empty).
    pub wechat_name: Option<String>,
    /// 星球名片昵称 (empty when not set).
    pub alias: String,
    /// 星球内备注昵称: the owner's own note (mostly empty).
    pub remark_name: String,
    /// 知识号 (empty when the member has none).
    pub knowledge_id: String,
    /// 身份: 星主, 合伙人 or 成员.
    pub role: String,
    /// 首次加入时间.
    pub joined_at: Timestamp,
    /// 到期时间 (`None`: 永久).
    pub expires_at: Option<Timestamp>,
    /// 是否退出星球.
    pub exited: bool,
}

/// A member export taken at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberExport {
    /// When the owner exported it.
    pub taken_at: Timestamp,
    /// The rows, by member number.
    pub rows: Vec<ExportRow>,
}

impl MemberExport {
    /// The row with this member number.
    pub fn row(&self, number: u64) -> Option<&ExportRow> {
        self.rows.binary_search_by_key(&number, |r| r.number).ok().map(|i| &self.rows[i])
    }

    /// Sorts the rows by member number (the console's order).
    pub fn sort(&mut self) {
        self.rows.sort_by_key(|r| r.number);
    }

    /// The export as an xlsx workbook: one sheet 成员列表, a header row, one row per
    /// member; times as local "YYYY-MM-DD HH:MM:SS" text (Asia/Shanghai), 是/否 for exits.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let tz = crate::sim::clock::shanghai_days().tz.clone();
        let local = |t: Timestamp| t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string();
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("成员列表")?;
        for (c, title) in COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *title)?;
        }
        for (i, r) in self.rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, r.number.to_string())?;
            let cells = [
                r.name.clone(),
                r.wechat_name.clone().unwrap_or_default(),
                r.alias.clone(),
                r.remark_name.clone(),
                r.knowledge_id.clone(),
                r.role.clone(),
                local(r.joined_at),
                r.expires_at.map(local).unwrap_or_else(|| "永久".to_string()),
                if r.exited { "是" } else { "否" }.to_string(),
            ];
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string(row, c as u16 + 1, v)?;
                }
            }
        }
        book.save_to_buffer()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: u64, wechat: Option<&str>) -> ExportRow {
        ExportRow {
            number,
            name: format!("昵称{number}"),
            wechat_name: wechat.map(str::to_string),
            alias: String::new(),
            remark_name: String::new(),
            knowledge_id: String::new(),
            role: "成员".into(),
            joined_at: "2025-10-01T04:00:00Z".parse().unwrap(),
            expires_at: None,
            exited: number.is_multiple_of(2),
        }
    }

    #[test]
    fn the_workbook_has_the_console_header_and_one_row_per_member() {
        let mut e = MemberExport {
            taken_at: "2025-11-01T01:00:00Z".parse().unwrap(),
            rows: vec![row(1002, None), row(1001, Some("🌸小鱼"))],
        };
        e.sort();
        assert_eq!(e.row(1001).unwrap().wechat_name.as_deref(), Some("🌸小鱼"));
        let bytes = e.to_xlsx().unwrap();
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("成员列表").unwrap();
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows[0], COLUMNS.map(str::to_string).to_vec());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1][0], "1001");
        assert_eq!(rows[1][2], "🌸小鱼");
        assert_eq!(rows[1][7], "2025-10-01 12:00:00");
        assert_eq!(rows[1][8], "永久");
        assert_eq!(rows[2][2], "", "an empty 微信昵称 cell");
        assert_eq!(rows[2][9], "是");
    }
}
