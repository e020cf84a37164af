//! WeCom pages: `externalpay/get_bill_list` (payments and refund rows),
//! `externalcontact/groupchat/list` and `externalcontact/groupchat/get`.
//! Envelope: `errcode` (0 = ok) and `errmsg`; HTTP 200 even on errors.

use jiff::Timestamp;
use serde::Deserialize;

use super::{IdText, PageError};
use crate::domain::{BillRefund, ChatId, ExternalUserId, MemberKind, Money, SourceRef, StaffUserId, TransactionId};
use crate::records::payments::{Bill, PaymentBill, REFUND_STATUS_UNKNOWN, RefundBill};
use crate::records::raw::RawEntry;
use crate::records::snapshot::{GroupSnapshot, SnapshotMember};

fn check(errcode: Option<i64>, errmsg: Option<String>) -> Result<(), PageError> {
    match errcode.unwrap_or(0) {
        0 => Ok(()),
        code => Err(PageError::Api { platform: "wecom", code, message: errmsg.unwrap_or_default() }),
    }
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn unix(secs: i64, record: &str, field: &str) -> Result<Timestamp, PageError> {
    Timestamp::from_second(secs).map_err(|_| PageError::record(record, field, format!("{secs} is not a Unix time")))
}

fn fen(v: i64, record: &str, field: &str) -> Result<Money, PageError> {
    if v < 0 {
        return Err(PageError::record(record, field, format!("{v} fen is negative")));
    }
    Ok(Money::from_fen(v))
}

// ---- bills ----

#[derive(Deserialize)]
struct BillPageDto {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default)]
    bill_list: Vec<BillDto>,
}

#[derive(Deserialize)]
struct BillDto {
    #[serde(default)]
    transaction_id: Option<IdText>,
    #[serde(default)]
    bill_type: Option<i64>,
    #[serde(default)]
    pay_time: Option<i64>,
    #[serde(default)]
    out_trade_no: Option<String>,
    #[serde(default)]
    out_refund_no: Option<String>,
    #[serde(default)]
    external_userid: Option<String>,
    #[serde(default)]
    total_fee: Option<i64>,
    #[serde(default)]
    payee_userid: Option<String>,
    #[serde(default)]
    payment_type: Option<i64>,
    #[serde(default)]
    mch_id: Option<IdText>,
    #[serde(default)]
    remark: Option<String>,
    #[serde(default)]
    commodity_list: Vec<CommodityDto>,
    #[serde(default)]
    total_refund_fee: Option<i64>,
    #[serde(default)]
    refund_list: Option<Vec<RefundDto>>,
    #[serde(default)]
    contact_info: Option<ContactDto>,
    #[serde(default)]
    payer_info: Option<ContactDto>,
}

#[derive(Deserialize)]
struct CommodityDto {
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ContactDto {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RefundDto {
    #[serde(default)]
    out_refund_no: Option<String>,
    #[serde(default)]
    refund_userid: Option<String>,
    #[serde(default)]
    refund_comment: Option<String>,
    #[serde(default)]
    refund_reqtime: Option<i64>,
    #[serde(default)]
    refund_fee: Option<i64>,
    #[serde(default)]
    refund_status: Option<i64>,
}

/// A page of the bill list.
#[derive(Clone, Debug, PartialEq)]
pub struct BillPage {
    /// Payments and refund rows, in page order.
    pub bills: Vec<Bill>,
    /// `next_cursor`; None (absent or empty) at the end of the window.
    pub next_cursor: Option<String>,
}

fn bill(b: BillDto, i: usize, raw: &RawEntry) -> Result<Bill, PageError> {
    let txn = b
        .transaction_id
        .as_ref()
        .and_then(IdText::nonempty)
        .map(str::to_string)
        .ok_or_else(|| PageError::record(format!("bill_list[{i}]"), "transaction_id", "is missing"))?;
    let source = SourceRef { raw_id: raw.raw_id.clone(), position: Some(i as u32) };
    let bill_type = b.bill_type.unwrap_or(0);
    match bill_type {
        0 => {
            let record = format!("payment {txn}");
            let amount = fen(
                b.total_fee.ok_or_else(|| PageError::record(&record, "total_fee", "is missing"))?,
                &record,
                "total_fee",
            )?;
            let paid_at = unix(
                b.pay_time.ok_or_else(|| PageError::record(&record, "pay_time", "is missing"))?,
                &record,
                "pay_time",
            )?;
            let refunds = match b.refund_list {
                None => None,
                Some(list) => Some(
                    list.into_iter()
                        .enumerate()
                        .map(|(j, r)| {
                            let rec = format!("{record} refund_list[{j}]");
                            Ok(BillRefund {
                                out_refund_no: nonempty(r.out_refund_no)
                                    .ok_or_else(|| PageError::record(&rec, "out_refund_no", "is missing"))?,
                                refund_userid: nonempty(r.refund_userid).map(StaffUserId::new),
                                comment: nonempty(r.refund_comment),
                                requested_at: r.refund_reqtime.map(|t| unix(t, &rec, "refund_reqtime")).transpose()?,
                                amount: fen(
                                    r.refund_fee.ok_or_else(|| PageError::record(&rec, "refund_fee", "is missing"))?,
                                    &rec,
                                    "refund_fee",
                                )?,
                                status: r.refund_status.unwrap_or(REFUND_STATUS_UNKNOWN),
                            })
                        })
                        .collect::<Result<Vec<_>, PageError>>()?,
                ),
            };
            let contact = b.contact_info.or(b.payer_info);
            Ok(Bill::Payment(PaymentBill {
                transaction_id: TransactionId::new(txn),
                out_trade_no: nonempty(b.out_trade_no),
                payer_external_userid: nonempty(b.external_userid).map(ExternalUserId::new),
                payer_name: contact.and_then(|c| nonempty(c.name)),
                remark: Some(b.remark.unwrap_or_default()),
                description: b.commodity_list.into_iter().find_map(|c| nonempty(c.description)),
                amount,
                paid_at,
                payee_userid: nonempty(b.payee_userid).map(StaffUserId::new),
                mch_id: b.mch_id.as_ref().and_then(IdText::nonempty).map(str::to_string),
                payment_type: b.payment_type,
                refunded_total: b.total_refund_fee.map(|f| fen(f, &record, "total_refund_fee")).transpose()?,
                refunds,
                source,
            }))
        }
        1 => {
            let record = format!("refund row {i} of payment {txn}");
            let out_refund_no =
                nonempty(b.out_refund_no).ok_or_else(|| PageError::record(&record, "out_refund_no", "is missing"))?;
            let amount = fen(
                b.total_fee.ok_or_else(|| PageError::record(&record, "total_fee", "is missing"))?,
                &record,
                "total_fee",
            )?;
            Ok(Bill::Refund(RefundBill {
                transaction_id: TransactionId::new(txn),
                out_trade_no: nonempty(b.out_trade_no),
                out_refund_no,
                refund_userid: nonempty(b.payee_userid).map(StaffUserId::new),
                comment: nonempty(b.remark),
                refunded_at: b.pay_time.map(|t| unix(t, &record, "pay_time")).transpose()?,
                amount,
                source,
            }))
        }
        other => Err(PageError::record(
            format!("bill {txn}"),
            "bill_type",
            format!("{other} is neither 0 (payment) nor 1 (refund)"),
        )),
    }
}

/// Parses a page of `POST /cgi-bin/externalpay/get_bill_list`.
pub fn parse_bills(body: &[u8], raw: &RawEntry) -> Result<BillPage, PageError> {
    let page: BillPageDto = serde_json::from_slice(body)
        .map_err(|e| PageError::Malformed { endpoint: "get_bill_list", reason: e.to_string() })?;
    check(page.errcode, page.errmsg)?;
    let bills = page.bill_list.into_iter().enumerate().map(|(i, b)| bill(b, i, raw)).collect::<Result<Vec<_>, _>>()?;
    Ok(BillPage { bills, next_cursor: nonempty(page.next_cursor) })
}

// ---- group chats ----

#[derive(Deserialize)]
struct GroupListDto {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default)]
    group_chat_list: Vec<GroupListItem>,
}

#[derive(Deserialize)]
struct GroupListItem {
    #[serde(default)]
    chat_id: Option<String>,
    #[serde(default)]
    status: Option<i64>,
}

/// A page of `groupchat/list`: (chat_id, status) pairs and the next cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupListPage {
    /// Groups and their status (0 normal, 1–3 owner resigned / transfer).
    pub groups: Vec<(ChatId, i64)>,
    /// `next_cursor`; None at the end.
    pub next_cursor: Option<String>,
}

/// Parses a page of `POST /cgi-bin/externalcontact/groupchat/list`.
pub fn parse_group_list(body: &[u8]) -> Result<GroupListPage, PageError> {
    let page: GroupListDto = serde_json::from_slice(body)
        .map_err(|e| PageError::Malformed { endpoint: "groupchat/list", reason: e.to_string() })?;
    check(page.errcode, page.errmsg)?;
    let groups = page
        .group_chat_list
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let id = nonempty(g.chat_id)
                .ok_or_else(|| PageError::record(format!("group_chat_list[{i}]"), "chat_id", "is missing"))?;
            Ok((ChatId::new(id), g.status.unwrap_or(0)))
        })
        .collect::<Result<Vec<_>, PageError>>()?;
    Ok(GroupListPage { groups, next_cursor: nonempty(page.next_cursor) })
}

#[derive(Deserialize)]
struct GroupGetDto {
    #[serde(default)]
    errcode: Option<i64>,
    #[serde(default)]
    errmsg: Option<String>,
    #[serde(default)]
    group_chat: Option<GroupChatDto>,
}

#[derive(Deserialize)]
struct GroupChatDto {
    #[serde(default)]
    chat_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    member_version: Option<String>,
    #[serde(default)]
    member_list: Vec<MemberDto>,
}

#[derive(Deserialize)]
struct MemberDto {
    #[serde(default)]
    userid: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<i64>,
    #[serde(default)]
    unionid: Option<String>,
    #[serde(default)]
    join_time: Option<i64>,
    #[serde(default)]
    join_scene: Option<i64>,
    #[serde(default)]
    group_nickname: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Parses `POST /cgi-bin/externalcontact/groupchat/get` into a snapshot taken at
/// the page's fetch time.
pub fn parse_group_chat(body: &[u8], raw: &RawEntry) -> Result<GroupSnapshot, PageError> {
    let page: GroupGetDto = serde_json::from_slice(body)
        .map_err(|e| PageError::Malformed { endpoint: "groupchat/get", reason: e.to_string() })?;
    check(page.errcode, page.errmsg)?;
    let g = page
        .group_chat
        .ok_or_else(|| PageError::Malformed { endpoint: "groupchat/get", reason: "group_chat is missing".into() })?;
    let chat = nonempty(g.chat_id).ok_or_else(|| PageError::record("group_chat", "chat_id", "is missing"))?;
    let mut members = Vec::with_capacity(g.member_list.len());
    for (i, m) in g.member_list.into_iter().enumerate() {
        let record = format!("group {chat} member_list[{i}]");
        let id = nonempty(m.userid).ok_or_else(|| PageError::record(&record, "userid", "is missing"))?;
        let record = format!("group {chat} member {id}");
        let kind = match m.kind {
            Some(1) => MemberKind::Staff,
            Some(2) => MemberKind::External,
            Some(other) => {
                return Err(PageError::record(
                    &record,
                    "type",
                    format!("{other} is neither 1 (staff) nor 2 (external)"),
                ));
            }
            None => return Err(PageError::record(&record, "type", "is missing")),
        };
        members.push(SnapshotMember {
            member_id: id,
            kind,
            name: nonempty(m.name),
            group_nickname: nonempty(m.group_nickname),
            unionid: nonempty(m.unionid),
            join_time: m.join_time.map(|t| unix(t, &record, "join_time")).transpose()?,
            join_scene: m.join_scene,
            position: Some(i as u32),
        });
    }
    Ok(GroupSnapshot {
        chat_id: ChatId::new(chat),
        name: nonempty(g.name),
        owner: nonempty(g.owner).map(StaffUserId::new),
        member_version: nonempty(g.member_version),
        taken_at: raw.fetched_at,
        members,
        source: SourceRef { raw_id: raw.raw_id.clone(), position: None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Source;

    fn raw() -> RawEntry {
        RawEntry {
            raw_id: "raw-000000000009".into(),
            source: Source::Wecom,
            method: "POST".into(),
            url: "https://qyapi.weixin.qq.com/cgi-bin/externalpay/get_bill_list".into(),
            request_body: None,
            headers: vec![],
            redacted: vec![],
            status: Some(200),
            fetched_at: "2025-10-26T17:15:00Z".parse().unwrap(),
            content_type: None,
            sha256: String::new(),
            len: 0,
        }
    }

    #[test]
    fn bills_with_refund_list_contact_info_and_refund_rows() {
        let body = r#"{"errcode":0,"errmsg":"ok","next_cursor":"",
 "bill_list":[{"transaction_id":"4200000001202501010000000001","bill_type":0,"trade_state":3,
  "pay_time":1735689600,"out_trade_no":"WXOUT202501010001","external_userid":"wmFAKE_payer_1",
  "total_fee":50000,"payee_userid":"zhangsan","payment_type":1,"mch_id":"1900000001",
  "remark":"押金","commodity_list":[{"description":"押金","amount":1}],"total_refund_fee":50000,
  "refund_list":[{"out_refund_no":"WXRF202501150001","refund_userid":"zhangsan",
   "refund_comment":"退押金","refund_reqtime":1736899200,"refund_status":2,"refund_fee":50000}],
  "contact_info":{"name":"王五","phone":"13800000000","address":""}},
  {"transaction_id":"4200000002","pay_time":1735689700,"total_fee":3900,"payer_info":{"name":"赵六"}},
  {"transaction_id":"4200000001202501010000000001","bill_type":1,"out_trade_no":"WXOUT202501010001",
   "out_refund_no":"WXRF202501150001","pay_time":1736899300,"total_fee":50000,"payee_userid":"zhangsan","remark":"退押金"}]}"#;
        let page = parse_bills(body.as_bytes(), &raw()).unwrap();
        assert_eq!(page.next_cursor, None);
        let Bill::Payment(p) = &page.bills[0] else { panic!() };
        assert_eq!(p.amount, Money::from_fen(50000));
        assert_eq!(p.paid_at, Timestamp::from_second(1735689600).unwrap());
        assert_eq!(p.payer_name.as_deref(), Some("王五"));
        assert_eq!(p.description.as_deref(), Some("押金"));
        assert_eq!(p.refunded_total, Some(Money::from_fen(50000)));
        let refunds = p.refunds.as_ref().unwrap();
        assert!(refunds[0].succeeded());
        let Bill::Payment(q) = &page.bills[1] else { panic!() };
        assert_eq!(q.payer_name.as_deref(), Some("赵六"), "payer_info is read too");
        assert_eq!(q.payer_external_userid, None);
        let Bill::Refund(r) = &page.bills[2] else { panic!() };
        assert_eq!(r.out_refund_no, "WXRF202501150001");
        assert_eq!(r.amount, Money::from_fen(50000));
    }

    #[test]
    fn bill_errors_name_the_bill() {
        let body = br#"{"errcode":0,"bill_list":[{"transaction_id":"42","pay_time":1,"total_fee":-5}]}"#;
        assert_eq!(parse_bills(body, &raw()).unwrap_err().to_string(), "payment 42: total_fee: -5 fen is negative");
        let body = br#"{"errcode":0,"bill_list":[{"pay_time":1,"total_fee":5}]}"#;
        assert_eq!(parse_bills(body, &raw()).unwrap_err().to_string(), "bill_list[0]: transaction_id: is missing");
        let body = br#"{"errcode":60020,"errmsg":"not allow to access from your ip, hint: [x]"}"#;
        assert!(matches!(parse_bills(body, &raw()).unwrap_err(), PageError::Api { code: 60020, .. }));
        let page =
            parse_bills(br#"{"errcode":0,"errmsg":"ok","next_cursor":"CURSOR2","bill_list":[]}"#, &raw()).unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some("CURSOR2"));
    }

    #[test]
    fn group_chat_becomes_a_snapshot() {
        let body = r#"{"errcode":0,"errmsg":"ok","group_chat":{"chat_id":"wrFAKEgroup01","name":"周末羽毛球","owner":"zhangsan",
 "create_time":1735000000,"notice":"","member_version":"9f1c0e",
 "member_list":[{"userid":"zhangsan","type":1,"join_time":1735000000,"join_scene":1,"group_nickname":"","name":"张三"},
  {"userid":"wmFAKE_payer_1","type":2,"unionid":"oFAKEunion1","join_time":1735000100,"join_scene":3,
   "invitor":{"userid":"zhangsan"},"group_nickname":"老王","name":"王五"}],
 "admin_list":[{"userid":"lisi"}]}}"#;
        let s = parse_group_chat(body.as_bytes(), &raw()).unwrap();
        assert_eq!(s.chat_id.as_str(), "wrFAKEgroup01");
        assert_eq!(s.taken_at, raw().fetched_at);
        assert_eq!(s.members[0].kind, MemberKind::Staff);
        assert_eq!(s.members[0].group_nickname, None);
        assert_eq!(s.members[1].kind, MemberKind::External);
        assert_eq!(s.members[1].group_nickname.as_deref(), Some("老王"));
        let bad = br#"{"errcode":0,"group_chat":{"chat_id":"g","member_list":[{"userid":"x","type":7}]}}"#;
        assert_eq!(
            parse_group_chat(bad, &raw()).unwrap_err().to_string(),
            "group g member x: type: 7 is neither 1 (staff) nor 2 (external)"
        );
        let list =
            parse_group_list(br#"{"errcode":0,"group_chat_list":[{"chat_id":"wrA","status":0}],"next_cursor":"c2"}"#)
                .unwrap();
        assert_eq!(list.groups, vec![(ChatId::new("wrA"), 0)]);
        assert_eq!(list.next_cursor.as_deref(), Some("c2"));
    }
}
