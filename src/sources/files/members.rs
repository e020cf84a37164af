//! Member files: the zsxq admin member export (成员编号, 用户昵称, 微信昵称,
//! 星球名片昵称, 星球内备注昵称, 知识号, 身份, 首次加入时间, 到期时间, 是否退出星球 …)
//! and our canonical columns.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::cells::{self, DateOnly};
use super::columns::{ColumnMap, FieldSpec};
use super::row::{Row, RowError};
use super::sheet::SheetRow;
use crate::domain::{PlanetUserId, SourceRef};
use crate::records::members::MemberExportRow;

const NUMBER: usize = 0;
const USER_ID: usize = 1;
const NAME: usize = 2;
const WECHAT: usize = 3;
const ALIAS: usize = 4;
const REMARK: usize = 5;
const KNOWLEDGE: usize = 6;
const ROLE: usize = 7;
const JOINED: usize = 8;
const EXPIRES: usize = 9;
const EXITED: usize = 10;

/// The columns of a members file. Either 成员编号 or a user id column is needed.
pub const SPECS: &[FieldSpec] = &[
    FieldSpec {
        canonical: "number", names: &["number", "成员编号", "member_number", "星球编号"], required: false
    },
    FieldSpec { canonical: "user_id", names: &["user_id", "用户ID", "星球用户ID", "uid"], required: false },
    FieldSpec { canonical: "name", names: &["name", "用户昵称", "昵称", "星球昵称"], required: false },
    FieldSpec { canonical: "wechat_name", names: &["wechat_name", "微信昵称"], required: false },
    FieldSpec { canonical: "alias", names: &["alias", "星球名片昵称", "星球名片"], required: false },
    FieldSpec {
        canonical: "remark_name", names: &["remark_name", "星球内备注昵称", "备注昵称"], required: false
    },
    FieldSpec { canonical: "knowledge_id", names: &["knowledge_id", "知识号"], required: false },
    FieldSpec { canonical: "role", names: &["role", "身份"], required: false },
    FieldSpec { canonical: "joined_at", names: &["joined_at", "首次加入时间", "加入时间"], required: false },
    FieldSpec { canonical: "expires_at", names: &["expires_at", "到期时间"], required: false },
    FieldSpec { canonical: "exited", names: &["exited", "是否退出星球", "是否退出"], required: false },
];

/// `到期时间` values that mean "never expires".
fn expiry(cell: &super::sheet::Cell, tz: &TimeZone) -> Result<Option<Timestamp>, String> {
    if let Ok(Some(t)) = cells::text(cell)
        && matches!(t.as_str(), "永久" | "永久有效" | "无" | "-" | "never")
    {
        return Ok(None);
    }
    let at = cells::instant(cell, tz, DateOnly::Midnight)?;
    // zsxq's sentinel for "never" is 2286-11-21 (Unix 9999999999).
    Ok(at.filter(|t| t.as_second() < 9_999_000_000))
}

/// Reads every data row below the header.
pub fn read(
    file: &str,
    map: &ColumnMap,
    rows: &[SheetRow],
    tz: &TimeZone,
    imported_at: Timestamp,
) -> Result<Vec<MemberExportRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    if map.get(NUMBER).is_none() && map.get(USER_ID).is_none() {
        errors.push(RowError {
            file: file.to_string(),
            row: map.header_row,
            column: "成员编号".to_string(),
            reason: "the file needs a 成员编号 (number) or a user_id column".to_string(),
        });
        return Err(errors);
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for sheet_row in rows.iter().filter(|r| r.number > map.header_row && !r.cells.iter().all(|c| c.is_blank())) {
        let mut row = Row { file, row: sheet_row, map, specs: SPECS, errors: &mut errors };
        let before = row.errors.len();
        let number = row.get(NUMBER, cells::id);
        let user_id = row.get(USER_ID, cells::id);
        if number.is_none() && user_id.is_none() && row.errors.len() == before {
            let f = if row.has(NUMBER) { NUMBER } else { USER_ID };
            row.error(f, "is empty: a member needs a 成员编号 or a user id");
        }
        let name = row.text_if_column(NAME);
        let wechat_name = row.get(WECHAT, cells::text);
        let alias = row.text_if_column(ALIAS);
        let remark_name = row.get(REMARK, cells::text);
        let knowledge_id = row.get(KNOWLEDGE, cells::text);
        let role = row.get(ROLE, cells::text);
        let joined_at = row.get(JOINED, |c| cells::instant(c, tz, DateOnly::Midnight));
        let expires_at = row.get(EXPIRES, |c| expiry(c, tz));
        let exited = row.get(EXITED, cells::yes_no);
        if row.errors.len() != before {
            continue;
        }
        let key = number
            .clone()
            .map_or_else(|| format!("user {}", user_id.clone().unwrap_or_default()), |n| format!("member {n}"));
        if let Some(first) = seen.insert(key.clone(), sheet_row.number) {
            let f = if number.is_some() { NUMBER } else { USER_ID };
            row.error(f, format!("{key} is also on row {first}"));
            continue;
        }
        out.push(MemberExportRow {
            number,
            user_id: user_id.map(PlanetUserId::new),
            name,
            wechat_name,
            alias,
            remark_name,
            knowledge_id,
            role,
            joined_at,
            expires_at,
            exited,
            imported_at,
            source: SourceRef { raw_id: String::new(), position: Some(sheet_row.number) },
        });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
