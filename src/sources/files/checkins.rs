//! Check-in files in campdesk's canonical columns (zsxq has no check-in export):
//! checkin_id, user_id, name, alias, topic_id, create_time, text, images,
//! text_chars — with Chinese equivalents.

use std::collections::HashMap;

use jiff::tz::TimeZone;

use super::cells::{self, DateOnly};
use super::columns::{ColumnMap, FieldSpec};
use super::row::{Row, RowError};
use super::sheet::SheetRow;
use crate::domain::{CheckinId, CheckinTopic, PlanetUserId, SourceRef, TopicId};
use crate::records::planet_users::PlanetUserSighting;
use crate::records::raw::sha256_hex;

const CHECKIN: usize = 0;
const USER_ID: usize = 1;
const NAME: usize = 2;
const ALIAS: usize = 3;
const TOPIC: usize = 4;
const CREATED: usize = 5;
const TEXT: usize = 6;
const IMAGES: usize = 7;
const CHARS: usize = 8;

/// The columns of a check-ins file.
pub const SPECS: &[FieldSpec] = &[
    FieldSpec { canonical: "checkin_id", names: &["checkin_id", "打卡项目ID", "项目ID"], required: false },
    FieldSpec { canonical: "user_id", names: &["user_id", "用户ID", "星球用户ID", "uid"], required: true },
    FieldSpec { canonical: "name", names: &["name", "用户昵称", "昵称"], required: false },
    FieldSpec { canonical: "alias", names: &["alias", "星球名片昵称", "星球名片"], required: false },
    FieldSpec { canonical: "topic_id", names: &["topic_id", "主题ID", "帖子ID", "打卡ID"], required: false },
    FieldSpec {
        canonical: "create_time",
        names: &["create_time", "created_at", "打卡时间", "发布时间", "时间"],
        required: true,
    },
    FieldSpec { canonical: "text", names: &["text", "内容", "打卡内容", "正文"], required: false },
    FieldSpec { canonical: "images", names: &["images", "图片数", "图片数量"], required: false },
    FieldSpec { canonical: "text_chars", names: &["text_chars", "字数"], required: false },
];

/// A topic id for a row without one: `file-` and 16 hex digits of a hash of the
/// project, user, time and text, so the same row always gets the same id.
pub fn synthetic_topic_id(checkin: &str, user: &str, created_ms: i64, text: &str) -> String {
    let h = sha256_hex(format!("{checkin}\u{1f}{user}\u{1f}{created_ms}\u{1f}{text}").as_bytes());
    format!("file-{}", &h[..16])
}

/// Reads every data row below the header into topics for project `checkin_id`,
/// and the users they name.
pub fn read(
    file: &str,
    map: &ColumnMap,
    rows: &[SheetRow],
    tz: &TimeZone,
    checkin_id: &CheckinId,
) -> Result<(Vec<CheckinTopic>, Vec<PlanetUserSighting>), Vec<RowError>> {
    let mut errors = Vec::new();
    let mut topics = Vec::new();
    let mut users = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for sheet_row in rows.iter().filter(|r| r.number > map.header_row && !r.cells.iter().all(|c| c.is_blank())) {
        let mut row = Row { file, row: sheet_row, map, specs: SPECS, errors: &mut errors };
        let before = row.errors.len();
        if let Some(c) = row.get(CHECKIN, cells::id)
            && c != checkin_id.as_str()
        {
            row.error(CHECKIN, format!("\"{c}\" is not the camp's check-in project {checkin_id}"));
        }
        let user = row.required(USER_ID, cells::id);
        let created_at = row.required(CREATED, |c| cells::instant(c, tz, DateOnly::Noon));
        let raw_time = row.shown(CREATED);
        let name = row.get(NAME, cells::text);
        let alias = row.text_if_column(ALIAS);
        let topic_id = row.get(TOPIC, cells::id);
        let text = row.get(TEXT, cells::text).unwrap_or_default();
        let images = row.get(IMAGES, cells::count).unwrap_or(0);
        let chars = row.get(CHARS, cells::count);
        if row.errors.len() != before {
            continue;
        }
        let (Some(user), Some(created_at)) = (user, created_at) else { continue };
        let id = topic_id
            .unwrap_or_else(|| synthetic_topic_id(checkin_id.as_str(), &user, created_at.as_millisecond(), &text));
        if let Some(first) = seen.insert(id.clone(), sheet_row.number) {
            row.error(TOPIC, format!("topic {id} is also on row {first}"));
            continue;
        }
        let source = SourceRef { raw_id: String::new(), position: Some(sheet_row.number) };
        if let Some(n) = name {
            users.push(PlanetUserSighting {
                user_id: PlanetUserId::new(user.clone()),
                name: Some(n),
                alias,
                number: None,
                wechat_name: None,
                joined_planet_at: None,
                exited: None,
                // The name as of the post at the latest; never newer than what a sync saw.
                seen_at: created_at,
                source: source.clone(),
            });
        }
        topics.push(CheckinTopic {
            topic_id: TopicId::new(id),
            checkin_id: checkin_id.clone(),
            user_id: PlanetUserId::new(user),
            created_at,
            created_at_raw: raw_time,
            text_chars: chars.unwrap_or(text.chars().count() as u32),
            text,
            images,
            comments: Vec::new(),
            source,
        });
    }
    if errors.is_empty() { Ok((topics, users)) } else { Err(errors) }
}
