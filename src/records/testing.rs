//! Test helpers shared by the records tests: a small camps.toml and record builders.

use jiff::Timestamp;

use crate::config::{Config, parse_str};
use crate::domain::{CheckinId, CheckinTopic, Money, PlanetUserId, RankingEntry, SourceRef, TopicId, TransactionId};
use crate::records::payments::PaymentBill;

/// Two camps sharing payee zhangsan (told apart by keyword), one of payee lisi.
pub const CAMPS: &str = r#"
[templates.t]
days = 10
required = 7
deposit = "39.00"

[[camps]]
id = "xhs"
name = "2510 小绿书"
template = "t"
start = "2025-10-25"
checkin_id = "2424424541"
group_chats = ["wrG1", "wrG2"]
payee = "zhangsan"

[[camps]]
id = "write"
name = "2511 写作营"
template = "t"
start = "2025-11-10"
checkin_id = "2424424542"
group_chats = ["wrG3"]
payee = "zhangsan"
payment_keyword = "写作营"

[[camps]]
id = "solo"
name = "solo"
template = "t"
start = "2025-10-25"
payee = "lisi"
"#;

pub fn config() -> Config {
    parse_str(CAMPS, std::path::Path::new("camps.toml")).unwrap()
}

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn src(raw: &str, position: u32) -> SourceRef {
    SourceRef { raw_id: raw.to_string(), position: Some(position) }
}

/// A 39.00 payment to zhangsan at `paid` (RFC 3339).
pub fn bill(txn: &str, paid: &str, remark: &str) -> PaymentBill {
    PaymentBill {
        transaction_id: TransactionId::new(txn),
        out_trade_no: Some(format!("OUT{txn}")),
        payer_external_userid: Some(format!("wm{txn}").into()),
        payer_name: Some("王五".into()),
        remark: Some(remark.to_string()),
        description: None,
        amount: Money::from_fen(3900),
        paid_at: ts(paid),
        payee_userid: Some("zhangsan".into()),
        mch_id: Some("1900000001".into()),
        payment_type: Some(1),
        refunded_total: Some(Money::ZERO),
        refunds: Some(Vec::new()),
        source: src("raw-1", 0),
    }
}

pub fn topic(id: &str, checkin: &str, user: &str, at: &str, raw: &str) -> CheckinTopic {
    CheckinTopic {
        topic_id: TopicId::new(id),
        checkin_id: CheckinId::new(checkin),
        user_id: PlanetUserId::new(user),
        created_at: ts(at),
        created_at_raw: at.to_string(),
        text: format!("day post {id}"),
        text_chars: 10,
        images: 0,
        comments: Vec::new(),
        source: src(raw, 0),
    }
}

pub fn rank(checkin: &str, user: &str, rank: u32, days: u32, at: &str) -> RankingEntry {
    RankingEntry {
        checkin_id: CheckinId::new(checkin),
        user_id: PlanetUserId::new(user),
        rank,
        checkined_days: days,
        fetched_at: ts(at),
        source: src("raw-r", rank - 1),
    }
}
