//! The WeCom simulator: `gettoken`, `externalpay/get_bill_list`, `externalcontact/groupchat/list`
//! and `groupchat/get`, `externalcontact/get`, the group-robot `webhook/send` and the app
//! `message/send`, in the wire format of `reference/wecom-wxpay-api.md` §0–4.
//!
//! Always HTTP 200 with `{errcode, errmsg}`; errmsg has the real shape
//! `"<text>, hint: [<id>], from ip: <ip>, more info at https://open.work.weixin.qq.com/devtool/query?e=<code>"`.

use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sha1::Digest as _;

use super::endpoint::Endpoint;
use super::http::SimRequest;
use super::http::SimResponse;
use super::world::World;
use super::world::corp::{AppMessage, Bill, BillRow, RobotMessage};

/// Largest page for bills and group lists.
pub const MAX_LIMIT: i64 = 1000;
/// Longest bill window (31 days).
pub const MAX_WINDOW_SECS: i64 = 31 * 86_400;

/// The English errmsg text for an errcode.
pub fn error_text(code: i64) -> &'static str {
    match code {
        -1 => "system busy",
        40001 => "invalid credential",
        40008 => "invalid message type",
        40013 => "invalid corpid",
        40014 => "invalid access_token",
        40050 => "chatid not found",
        40056 => "invalid agentid",
        40058 => "invalid Parameter",
        40096 => "invalid external userid",
        41001 => "access_token missing",
        41002 => "corpid missing",
        41004 => "corpsecret missing",
        42001 => "access_token expired",
        43002 => "require POST method",
        45009 => "api freq out of limit",
        45033 => "api concurrent out of limit",
        48002 => "api forbidden",
        60011 => "no privilege to access/modify contact/party/agent",
        60020 => "not allow to access from your ip",
        81013 => "user & party & tag all invalid",
        84061 => "not external contact",
        93000 => "invalid webhook url",
        _ => "unknown error",
    }
}

/// An error answer (HTTP 200).
pub fn error(world: &mut World, code: i64, peer: &str, detail: Option<&str>) -> SimResponse {
    let text = match detail {
        Some(d) => format!("{}: {d}", error_text(code)),
        None => error_text(code).to_string(),
    };
    let hint = world.mint_hint();
    let errmsg = format!(
        "{text}, hint: [{hint}], from ip: {peer}, more info at https://open.work.weixin.qq.com/devtool/query?e={code}"
    );
    SimResponse::json(200, &json!({"errcode": code, "errmsg": errmsg}))
}

fn ok(mut fields: Map<String, Value>) -> SimResponse {
    let mut v = Map::new();
    v.insert("errcode".into(), json!(0));
    v.insert("errmsg".into(), json!("ok"));
    v.append(&mut fields);
    SimResponse::json(200, &Value::Object(v))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Serves one WeCom request (`data` carries the body to answer; see [`super::zsxq::handle`]).
pub fn handle(
    world: &mut World,
    now: Timestamp,
    endpoint: Endpoint,
    req: &SimRequest,
    data: &SimRequest,
) -> SimResponse {
    let peer = req.peer.to_string();
    if req.method != endpoint.method() {
        return if endpoint.method() == axum::http::Method::POST {
            error(world, 43002, &peer, None)
        } else {
            SimResponse::empty(405)
        };
    }
    match endpoint {
        Endpoint::WecomGettoken => return gettoken(world, now, req, &peer),
        Endpoint::WecomWebhook => return webhook(world, now, req, &peer),
        _ => {}
    }
    if let Err(code) = check_token(world, now, req) {
        return error(world, code, &peer, None);
    }
    let body: Value = match data.body.is_empty() {
        true => json!({}),
        // Like WeCom, a body that is not JSON is read as an empty request.
        false => serde_json::from_slice(&data.body).unwrap_or_else(|_| json!({})),
    };
    match endpoint {
        Endpoint::WecomBills => bills(world, &body, &peer),
        Endpoint::WecomGroupList => group_list(world, &body, &peer),
        Endpoint::WecomGroupGet => group_get(world, &body, &peer),
        Endpoint::WecomContact => contact(world, req, &peer),
        Endpoint::WecomMessage => message(world, now, &body, &peer),
        _ => SimResponse::empty(404),
    }
}

fn check_token(world: &World, now: Timestamp, req: &SimRequest) -> Result<(), i64> {
    let Some(token) = req.query_param("access_token").filter(|t| !t.is_empty()) else { return Err(41001) };
    match world.corp.token(&token) {
        None => Err(40014),
        Some(t) if t.expires_at <= now => Err(42001),
        Some(_) => Ok(()),
    }
}

fn gettoken(world: &mut World, now: Timestamp, req: &SimRequest, peer: &str) -> SimResponse {
    let corpid = req.query_param("corpid").unwrap_or_default();
    let secret = req.query_param("corpsecret").unwrap_or_default();
    if corpid.is_empty() {
        return error(world, 41002, peer, None);
    }
    if corpid != world.corp.corp_id {
        return error(world, 40013, peer, None);
    }
    if secret.is_empty() {
        return error(world, 41004, peer, None);
    }
    if secret != world.corp.secret {
        return error(world, 40001, peer, None);
    }
    let ttl = world.settings.wecom_token_ttl;
    let fresh = world.mint_wecom_token();
    let (token, expires_in) = world.corp.token_for(now, ttl, || fresh);
    ok(obj(json!({"access_token": token, "expires_in": expires_in})))
}

// ---- get_bill_list ----------------------------------------------------------------------------

fn int_field(body: &Value, key: &str) -> Result<Option<i64>, ()> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(()),
        Some(_) => Err(()),
    }
}

fn str_field<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ()> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(()),
    }
}

const CURSOR_SALT: &[u8] = b"campdesk-sim-cursor";

/// An opaque cursor for position `(t, seq)`.
fn encode_cursor(kind: &str, a: i64, b: u64) -> String {
    let mut raw = Vec::with_capacity(20);
    raw.extend_from_slice(&a.to_be_bytes());
    raw.extend_from_slice(&b.to_be_bytes());
    let mut h = sha1::Sha1::new();
    h.update(CURSOR_SALT);
    h.update(kind.as_bytes());
    h.update(&raw);
    raw.extend_from_slice(&h.finalize()[..4]);
    hex::encode_upper(raw)
}

fn decode_cursor(kind: &str, cursor: &str) -> Option<(i64, u64)> {
    let raw = hex::decode(cursor).ok()?;
    if raw.len() != 20 {
        return None;
    }
    let a = i64::from_be_bytes(raw[0..8].try_into().ok()?);
    let b = u64::from_be_bytes(raw[8..16].try_into().ok()?);
    (encode_cursor(kind, a, b) == cursor.to_ascii_uppercase()).then_some((a, b))
}

fn bills(world: &mut World, body: &Value, peer: &str) -> SimResponse {
    let parsed = (|| {
        let begin = int_field(body, "begin_time")?.ok_or(())?;
        let end = int_field(body, "end_time")?.ok_or(())?;
        let limit = int_field(body, "limit")?.unwrap_or(0);
        let cursor = str_field(body, "cursor")?.filter(|c| !c.is_empty()).map(str::to_string);
        let payee = str_field(body, "payee_userid")?.filter(|p| !p.is_empty()).map(str::to_string);
        Ok::<_, ()>((begin, end, limit, cursor, payee))
    })();
    let Ok((begin, end, limit, cursor, payee)) = parsed else {
        return error(world, 40058, peer, Some("begin_time and end_time are required integers"));
    };
    if end < begin || end - begin > MAX_WINDOW_SECS {
        return error(world, 40058, peer, Some("the time range must not exceed one month"));
    }
    if !(0..=MAX_LIMIT).contains(&limit) {
        return error(world, 40058, peer, Some("limit exceeds 1000"));
    }
    let limit = if limit == 0 { MAX_LIMIT } else { limit } as usize;
    let after = match &cursor {
        Some(c) => match decode_cursor("bills", c) {
            Some((t, s)) => Some((t, s)),
            None => return error(world, 40058, peer, Some("invalid cursor")),
        },
        None => None,
    };
    let corp = &world.corp;
    let row_payee = |row: BillRow| match row {
        BillRow::Payment(i) => corp.bill(i).payee_userid.as_str(),
        BillRow::Refund(i, r) => {
            let refund = &corp.bill(i).refunds[r];
            if refund.refund_userid.is_empty() {
                corp.bill(i).payee_userid.as_str()
            } else {
                refund.refund_userid.as_str()
            }
        }
    };
    let mut rows =
        corp.rows_in(begin, end, after).filter(|(_, row)| payee.as_deref().is_none_or(|p| row_payee(*row) == p));
    let page: Vec<((i64, u64), BillRow)> = rows.by_ref().take(limit).collect();
    let more = rows.next().is_some();
    let list: Vec<Value> = page
        .iter()
        .filter(|(_, row)| {
            let bill_payee = match row {
                BillRow::Payment(i) | BillRow::Refund(i, _) => corp.bill(*i).payee_userid.as_str(),
            };
            corp.staff().get(bill_payee).is_some_and(|s| s.visible)
        })
        .map(|(_, row)| {
            render_row(
                corp.bill(match row {
                    BillRow::Payment(i) | BillRow::Refund(i, _) => *i,
                }),
                *row,
            )
        })
        .collect();
    let mut fields = obj(json!({"bill_list": list}));
    if more {
        let last = page.last().map(|(k, _)| *k).unwrap_or((begin, 0));
        fields.insert("next_cursor".into(), json!(encode_cursor("bills", last.0, last.1)));
    } else if cursor.is_some() {
        fields.insert("next_cursor".into(), json!(""));
    }
    ok(fields)
}

/// Whether this bill leaves `external_userid` out entirely (rather than sending "") when unknown.
fn omits_missing_payer(bill: &Bill) -> bool {
    bill.transaction_id.bytes().last().is_some_and(|b| b % 2 == 0)
}

fn render_row(bill: &Bill, row: BillRow) -> Value {
    let mut v = Map::new();
    v.insert("transaction_id".into(), json!(bill.transaction_id));
    match row {
        BillRow::Payment(_) => {
            v.insert("bill_type".into(), json!(0));
            let refunded = bill.refunded();
            v.insert("trade_state".into(), json!(if refunded > 0 { 3 } else { 1 }));
            v.insert("pay_time".into(), json!(bill.pay_time.as_second()));
            v.insert("out_trade_no".into(), json!(bill.out_trade_no));
            insert_payer_id(&mut v, bill);
            v.insert("total_fee".into(), json!(bill.total_fee));
            v.insert("payee_userid".into(), json!(bill.payee_userid));
            v.insert("payment_type".into(), json!(bill.payment_type));
            v.insert("mch_id".into(), json!(bill.mch_id));
            v.insert("remark".into(), json!(bill.remark));
            v.insert("commodity_list".into(), json!([{"description": bill.description, "amount": 1}]));
            v.insert("total_refund_fee".into(), json!(refunded));
            let refunds: Vec<Value> = bill
                .refunds
                .iter()
                .map(|r| {
                    json!({
                        "out_refund_no": r.out_refund_no,
                        "refund_userid": r.refund_userid,
                        "refund_comment": r.refund_comment,
                        "refund_reqtime": r.refund_reqtime.as_second(),
                        "refund_status": r.refund_status,
                        "refund_fee": r.refund_fee,
                    })
                })
                .collect();
            v.insert("refund_list".into(), Value::Array(refunds));
            if let Some(p) = &bill.payer {
                v.insert(p.key.as_str().into(), json!({"name": p.name, "phone": p.phone, "address": p.address}));
            }
        }
        BillRow::Refund(_, r) => {
            let refund = &bill.refunds[r];
            v.insert("bill_type".into(), json!(1));
            v.insert("pay_time".into(), json!(refund.refund_reqtime.as_second()));
            v.insert("out_trade_no".into(), json!(bill.out_trade_no));
            v.insert("out_refund_no".into(), json!(refund.out_refund_no));
            insert_payer_id(&mut v, bill);
            v.insert("total_fee".into(), json!(refund.refund_fee));
            v.insert("payee_userid".into(), json!(refund.refund_userid));
            v.insert("payment_type".into(), json!(bill.payment_type));
            v.insert("mch_id".into(), json!(bill.mch_id));
            v.insert("remark".into(), json!(refund.refund_comment));
        }
    }
    Value::Object(v)
}

fn insert_payer_id(v: &mut Map<String, Value>, bill: &Bill) {
    match &bill.external_userid {
        Some(id) => {
            v.insert("external_userid".into(), json!(id));
        }
        None if !omits_missing_payer(bill) => {
            v.insert("external_userid".into(), json!(""));
        }
        None => {}
    }
}

// ---- customer groups -----------------------------------------------------------------------------

fn group_list(world: &mut World, body: &Value, peer: &str) -> SimResponse {
    let limit = match int_field(body, "limit") {
        Ok(Some(l)) if (1..=MAX_LIMIT).contains(&l) => l as usize,
        _ => return error(world, 40058, peer, Some("limit must be 1-1000")),
    };
    let status_filter = match int_field(body, "status_filter") {
        Ok(s) => s.unwrap_or(0),
        Err(()) => return error(world, 40058, peer, Some("status_filter")),
    };
    let owners: Option<Vec<String>> = body
        .get("owner_filter")
        .and_then(|o| o.get("userid_list"))
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|u| u.as_str().map(str::to_string)).collect());
    if owners.as_ref().is_some_and(|o| o.len() > 100) {
        return error(world, 40058, peer, Some("owner_filter.userid_list exceeds 100"));
    }
    let start = match str_field(body, "cursor") {
        Ok(Some(c)) if !c.is_empty() => match decode_cursor("groups", c) {
            Some((pos, _)) => pos as usize,
            None => return error(world, 40058, peer, Some("invalid cursor")),
        },
        Ok(_) => 0,
        Err(()) => return error(world, 40058, peer, Some("cursor")),
    };
    let groups = world.corp.groups();
    let matching: Vec<(usize, &super::world::corp::Group)> = groups
        .iter()
        .enumerate()
        .skip(start)
        .filter(|(_, g)| status_filter == 0 || g.status == status_filter)
        .filter(|(_, g)| owners.as_ref().is_none_or(|o| o.contains(&g.owner)))
        .take(limit + 1)
        .collect();
    let page: Vec<Value> =
        matching.iter().take(limit).map(|(_, g)| json!({"chat_id": g.chat_id, "status": g.status})).collect();
    let mut fields = obj(json!({"group_chat_list": page}));
    if matching.len() > limit {
        let next = matching[limit].0;
        fields.insert("next_cursor".into(), json!(encode_cursor("groups", next as i64, 0)));
    } else {
        fields.insert("next_cursor".into(), json!(""));
    }
    ok(fields)
}

fn group_get(world: &mut World, body: &Value, peer: &str) -> SimResponse {
    let Ok(Some(chat_id)) = str_field(body, "chat_id") else {
        return error(world, 40058, peer, Some("chat_id is required"));
    };
    let need_name = matches!(int_field(body, "need_name"), Ok(Some(1)));
    let Some(g) = world.corp.group(chat_id) else {
        return error(world, 40050, peer, None);
    };
    let corp = &world.corp;
    let members: Vec<Value> = g
        .members
        .iter()
        .map(|m| {
            let mut v = json!({
                "userid": m.userid,
                "type": m.member_type,
                "join_time": m.join_time.as_second(),
                "join_scene": m.join_scene,
                "group_nickname": m.group_nickname,
            });
            if let Some(inv) = &m.invitor {
                v["invitor"] = json!({"userid": inv});
            }
            if let Some(s) = &m.state {
                v["state"] = json!(s);
            }
            if m.member_type == 2
                && let Some(u) = corp.contact(&m.userid).and_then(|c| c.unionid.clone())
            {
                v["unionid"] = json!(u);
            }
            if need_name {
                let name = if m.member_type == 1 {
                    corp.staff().get(&m.userid).map(|s| s.name.clone())
                } else {
                    corp.contact(&m.userid).map(|c| c.name.clone())
                };
                v["name"] = json!(name.unwrap_or_default());
            }
            v
        })
        .collect();
    let mut h = sha1::Sha1::new();
    h.update(g.chat_id.as_bytes());
    h.update(g.version.to_be_bytes());
    let version = hex::encode(&h.finalize()[..16]);
    let admins: Vec<Value> = g.admins.iter().map(|a| json!({"userid": a})).collect();
    let chat = json!({
        "chat_id": g.chat_id,
        "name": g.name,
        "owner": g.owner,
        "create_time": g.create_time.as_second(),
        "notice": g.notice,
        "member_list": members,
        "admin_list": admins,
        "member_version": version,
    });
    ok(obj(json!({"group_chat": chat})))
}

fn contact(world: &mut World, req: &SimRequest, peer: &str) -> SimResponse {
    let id = req.query_param("external_userid").unwrap_or_default();
    if !(id.starts_with("wm") || id.starts_with("wo")) {
        return error(world, 40096, peer, None);
    }
    let Some(c) = world.corp.contact(&id).filter(|c| !c.followers.is_empty()).cloned() else {
        return error(world, 84061, peer, None);
    };
    let mut contact = json!({
        "external_userid": c.external_userid,
        "name": c.name,
        "avatar": format!("https://wework.qpic.cn/wwhead/{}/0", &hex::encode(c.external_userid.as_bytes())[..16.min(2 * c.external_userid.len())]),
        "type": if c.kind == super::world::corp::ContactKind::Wechat { 1 } else { 2 },
        "gender": 0,
    });
    if let Some(u) = &c.unionid {
        contact["unionid"] = json!(u);
    }
    let follow: Vec<Value> = c
        .followers
        .iter()
        .map(|f| json!({"userid": f, "remark": "", "description": "", "createtime": 0, "tags": [], "remark_mobiles": [], "add_way": 1, "oper_userid": f}))
        .collect();
    ok(obj(json!({"external_contact": contact, "follow_user": follow})))
}

// ---- notifications ---------------------------------------------------------------------------------

fn webhook(world: &mut World, now: Timestamp, req: &SimRequest, peer: &str) -> SimResponse {
    let key = req.query_param("key").unwrap_or_default();
    if world.corp.robots().get(&key).is_none() {
        return error(world, 93000, peer, None);
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or_else(|_| json!({}));
    let msgtype = body.get("msgtype").and_then(Value::as_str).unwrap_or("").to_string();
    let (content, cap) = match msgtype.as_str() {
        "text" => (body.pointer("/text/content").and_then(Value::as_str).unwrap_or(""), 2048),
        "markdown" => (body.pointer("/markdown/content").and_then(Value::as_str).unwrap_or(""), 4096),
        "markdown_v2" => (body.pointer("/markdown_v2/content").and_then(Value::as_str).unwrap_or(""), 4096),
        "image" | "news" | "file" | "voice" | "template_card" => ("", usize::MAX),
        _ => return error(world, 40008, peer, None),
    };
    if content.len() > cap {
        return error(world, 40058, peer, Some("content exceed max length"));
    }
    if matches!(msgtype.as_str(), "text" | "markdown" | "markdown_v2") && content.is_empty() {
        return error(world, 40058, peer, Some("content is empty"));
    }
    let per_minute = world.settings.robot_per_minute;
    let content = content.to_string();
    let mentioned: Vec<String> = body
        .pointer("/text/mentioned_list")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let Some(robot) = world.corp.robot_mut(&key) else { return SimResponse::empty(500) };
    while robot.recent.front().is_some_and(|t| now.duration_since(*t).as_secs() >= 60) {
        robot.recent.pop_front();
    }
    if robot.recent.len() >= per_minute {
        return error(world, 45009, peer, None);
    }
    robot.recent.push_back(now);
    robot.messages.push(RobotMessage { at: now, msgtype, content, mentioned_list: mentioned, body });
    ok(Map::new())
}

fn message(world: &mut World, now: Timestamp, body: &Value, peer: &str) -> SimResponse {
    match int_field(body, "agentid") {
        Ok(Some(a)) if a == world.corp.agent_id => {}
        _ => return error(world, 40056, peer, None),
    }
    let msgtype = body.get("msgtype").and_then(Value::as_str).unwrap_or("").to_string();
    let content = match msgtype.as_str() {
        "text" | "markdown" => body.pointer(&format!("/{msgtype}/content")).and_then(Value::as_str).unwrap_or(""),
        "textcard" => body.pointer("/textcard/description").and_then(Value::as_str).unwrap_or(""),
        "news" | "image" | "file" | "template_card" => "",
        _ => return error(world, 40008, peer, None),
    };
    if content.len() > 2048 {
        return error(world, 40058, peer, Some("content exceed max length"));
    }
    let content = content.to_string();
    let split = |k: &str| -> Vec<String> {
        body.get(k)
            .and_then(Value::as_str)
            .map(|s| s.split('|').filter(|x| !x.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (users, parties, tags) = (split("touser"), split("toparty"), split("totag"));
    let staff = world.corp.staff();
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for u in &users {
        if u == "@all" {
            valid.extend(staff.values().filter(|s| s.visible).map(|s| s.userid.clone()));
        } else if staff.get(u).is_some_and(|s| s.visible) {
            valid.push(u.clone());
        } else {
            invalid.push(u.to_lowercase());
        }
    }
    valid.dedup();
    if valid.is_empty() {
        return error(world, 81013, peer, None);
    }
    let msgid = world.mint_alnum(40);
    for to in &valid {
        world.corp.push_app_message(AppMessage {
            at: now,
            msgid: msgid.clone(),
            touser: to.clone(),
            msgtype: msgtype.clone(),
            content: content.clone(),
        });
    }
    let mut fields = obj(json!({"invaliduser": invalid.join("|"), "msgid": msgid}));
    if !parties.is_empty() {
        fields.insert("invalidparty".into(), json!(parties.join("|")));
    }
    if !tags.is_empty() {
        fields.insert("invalidtag".into(), json!(tags.join("|")));
    }
    ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_opaque_and_checked() {
        let c = encode_cursor("bills", 1_735_689_600, 42);
        assert_eq!(decode_cursor("bills", &c), Some((1_735_689_600, 42)));
        assert_eq!(decode_cursor("groups", &c), None, "a cursor only works where it came from");
        assert_eq!(decode_cursor("bills", "abc"), None);
        let mut tampered = c.clone().into_bytes();
        tampered[3] = if tampered[3] == b'0' { b'1' } else { b'0' };
        assert_eq!(decode_cursor("bills", std::str::from_utf8(&tampered).unwrap()), None);
    }
}
