//! The WeChat Pay v3 simulator: `POST /v3/refund/domestic/refunds` and
//! `GET /v3/refund/domestic/refunds/{out_refund_no}`, with request-signature verification,
//! signed 2xx answers, idempotency on `out_refund_no`, and refund-result notifications
//! (`reference/wecom-wxpay-api.md` §5).
//!
//! Signature timestamps (the request's and the `Wechatpay-Timestamp` of answers) are checked
//! and written in wall-clock time, as a client signs with its own clock; business times
//! (`create_time`, `success_time`, settlement) follow the sim clock.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::endpoint::Endpoint;
use super::http::{SimRequest, SimResponse};
use super::world::merchant::{ApiRefund, Notification, RefundOutcome, wxpay_status};
use super::world::{World, rfc3339};
use crate::crypto::{RsaPrivateKey, RsaPublicKey, WxpayAuthorization, aes_256_gcm_encrypt, wxpay_response_message};

/// Largest clock skew a request signature may have.
pub const MAX_SKEW_SECS: i64 = 300;
/// Refunds per order.
pub const MAX_REFUNDS_PER_ORDER: usize = 50;

/// The keys a WeChat Pay simulator works with.
pub struct WxpayKeys<'a> {
    /// Verifies requests (the merchant's API key).
    pub merchant_public: &'a RsaPublicKey,
    /// Signs answers and notifications (the platform key).
    pub platform_private: &'a RsaPrivateKey,
    /// Decrypts nothing here: encrypts notification resources.
    pub api_v3_key: &'a [u8],
}

/// A 4xx/5xx answer `{code, message}` (unsigned).
pub fn error(status: u16, code: &str, message: &str) -> SimResponse {
    SimResponse::json(status, &json!({"code": code, "message": message}))
}

fn param_error(field: &str, issue: &str) -> SimResponse {
    SimResponse::json(
        400,
        &json!({"code": "PARAM_ERROR", "message": format!("{field}: {issue}"), "detail": {"field": field, "location": "body", "issue": issue}}),
    )
}

/// The standard error for an injected HTTP status.
pub fn http_fault(status: u16) -> SimResponse {
    match status {
        401 => error(401, "SIGN_ERROR", "签名错误"),
        403 => error(403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起"),
        404 => error(404, "RESOURCE_NOT_EXISTS", "退款单不存在"),
        429 => error(429, "FREQUENCY_LIMITED", "频率限制"),
        500 => error(500, "SYSTEM_ERROR", "系统超时"),
        502..=504 => SimResponse::empty(status),
        s => error(s, "SYSTEM_ERROR", "系统错误"),
    }
}

/// Signs a 2xx answer: `Wechatpay-Timestamp/Nonce/Signature/Serial`.
pub fn sign_response(
    mut r: SimResponse,
    keys: &WxpayKeys<'_>,
    serial: &str,
    wall_secs: i64,
    nonce: &str,
) -> SimResponse {
    let body = String::from_utf8_lossy(&r.body).into_owned();
    let ts = wall_secs.to_string();
    let message = wxpay_response_message(&ts, nonce, &body);
    let sig = keys.platform_private.sign_sha256_base64(message.as_bytes()).unwrap_or_default();
    r.set_header("Wechatpay-Timestamp", ts);
    r.set_header("Wechatpay-Nonce", nonce);
    r.set_header("Wechatpay-Signature", sig);
    r.set_header("Wechatpay-Serial", serial);
    r
}

/// Checks the Authorization header and the client headers; `Err` is the refusal.
fn verify(world: &World, req: &SimRequest, keys: &WxpayKeys<'_>, wall_secs: i64) -> Result<(), SimResponse> {
    if req.header("user-agent").is_none_or(|ua| ua.trim().is_empty()) {
        return Err(error(400, "PARAM_ERROR", "HTTP头缺少User-Agent"));
    }
    match req.header("accept") {
        None => return Err(error(400, "PARAM_ERROR", "HTTP头缺少Accept")),
        Some(a) if !(a.contains("application/json") || a.contains("*/*")) => {
            return Err(error(406, "PARAM_ERROR", "Accept只支持application/json"));
        }
        Some(_) => {}
    }
    let Some(header) = req.header("authorization") else {
        return Err(error(401, "SIGN_ERROR", "缺少Authorization"));
    };
    let auth = WxpayAuthorization::parse(header)
        .map_err(|e| error(401, "SIGN_ERROR", &format!("Authorization不合法: {e}")))?;
    if auth.mchid != world.merchant.mch_id {
        return Err(error(404, "MCH_NOT_EXISTS", "商户号不存在"));
    }
    if auth.serial_no != world.merchant.merchant_serial_no {
        return Err(error(401, "SIGN_ERROR", "商户证书序列号有误"));
    }
    let ts: i64 = auth.timestamp.parse().map_err(|_| error(401, "SIGN_ERROR", "时间戳格式错误"))?;
    if (wall_secs - ts).abs() > MAX_SKEW_SECS {
        return Err(error(401, "SIGN_ERROR", "请求时间戳与服务器时间相差超过5分钟"));
    }
    let Ok(body) = std::str::from_utf8(&req.body) else {
        return Err(error(400, "PARAM_ERROR", "请求体不是UTF-8"));
    };
    if !auth.verify(keys.merchant_public, req.method.as_str(), &req.path_and_query(), body) {
        return Err(error(401, "SIGN_ERROR", "签名错误"));
    }
    Ok(())
}

/// Serves one WeChat Pay request; 2xx answers come back unsigned (the caller signs them).
pub fn handle(
    world: &mut World,
    now: Timestamp,
    wall_secs: i64,
    endpoint: Endpoint,
    params: &[String],
    req: &SimRequest,
    keys: &WxpayKeys<'_>,
) -> SimResponse {
    if req.method != endpoint.method() {
        return SimResponse::empty(405);
    }
    if let Err(refusal) = verify(world, req, keys, wall_secs) {
        return refusal;
    }
    match endpoint {
        Endpoint::WxpayRefund => create(world, now, req),
        Endpoint::WxpayQuery => match world.merchant.refund(&params[0]) {
            Some(r) => SimResponse::json(200, &refund_json(world, &r.clone())),
            None => error(404, "RESOURCE_NOT_EXISTS", "退款单不存在"),
        },
        _ => SimResponse::empty(404),
    }
}

/// The Refund object.
pub fn refund_json(world: &World, r: &ApiRefund) -> Value {
    let bill = world.corp.bill(r.bill);
    let br = &bill.refunds[r.refund];
    let mut v = json!({
        "refund_id": r.refund_id,
        "out_refund_no": r.out_refund_no,
        "transaction_id": r.transaction_id,
        "out_trade_no": r.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": rfc3339(r.create_time),
        "status": wxpay_status(br.refund_status),
        "funds_account": r.funds_account.clone().unwrap_or_else(|| "AVAILABLE".to_string()),
        "amount": {
            "total": bill.total_fee,
            "refund": r.amount_refund,
            "from": [],
            "payer_total": bill.total_fee,
            "payer_refund": r.amount_refund,
            "settlement_refund": r.amount_refund,
            "settlement_total": bill.total_fee,
            "discount_refund": 0,
            "currency": "CNY",
        },
        "promotion_detail": [],
    });
    if let Some(t) = br.success_time {
        v["success_time"] = json!(rfc3339(t));
    }
    v
}

const BODY_FIELDS: &[&str] = &[
    "transaction_id",
    "out_trade_no",
    "out_refund_no",
    "reason",
    "notify_url",
    "funds_account",
    "amount",
    "goods_detail",
];
const AMOUNT_FIELDS: &[&str] = &["refund", "total", "currency", "from"];

struct RefundRequest {
    transaction_id: Option<String>,
    out_trade_no: Option<String>,
    out_refund_no: String,
    reason: Option<String>,
    notify_url: Option<String>,
    funds_account: Option<String>,
    refund: i64,
    total: i64,
}

fn parse_request(body: &[u8]) -> Result<RefundRequest, SimResponse> {
    let v: Value = serde_json::from_slice(body).map_err(|_| error(400, "PARAM_ERROR", "请求体不是合法的JSON"))?;
    let Value::Object(m) = &v else { return Err(error(400, "PARAM_ERROR", "请求体不是JSON对象")) };
    if let Some(k) = m.keys().find(|k| !BODY_FIELDS.contains(&k.as_str())) {
        return Err(param_error(k, "请求中含有未在API文档中定义的参数"));
    }
    let opt_str = |m: &Map<String, Value>, k: &str| -> Result<Option<String>, SimResponse> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(param_error(k, "应为字符串")),
        }
    };
    let transaction_id = opt_str(m, "transaction_id")?;
    let out_trade_no = opt_str(m, "out_trade_no")?;
    if transaction_id.is_none() && out_trade_no.is_none() {
        return Err(param_error("transaction_id", "transaction_id和out_trade_no必须填一个"));
    }
    if transaction_id.as_ref().is_some_and(|t| t.is_empty() || t.len() > 32) {
        return Err(param_error("transaction_id", "长度应为1-32"));
    }
    if out_trade_no.as_ref().is_some_and(|t| t.len() < 6 || t.len() > 32) {
        return Err(param_error("out_trade_no", "长度应为6-32"));
    }
    let out_refund_no = opt_str(m, "out_refund_no")?.ok_or_else(|| param_error("out_refund_no", "缺少参数"))?;
    if out_refund_no.is_empty()
        || out_refund_no.len() > 64
        || !out_refund_no.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b))
    {
        return Err(param_error("out_refund_no", "应为1-64位数字、大小写字母或_-|*@"));
    }
    let reason = opt_str(m, "reason")?;
    if reason.as_ref().is_some_and(|r| r.chars().count() > 80) {
        return Err(param_error("reason", "长度超过80"));
    }
    let notify_url = opt_str(m, "notify_url")?;
    if let Some(u) = &notify_url
        && (u.len() < 8 || u.len() > 256 || !(u.starts_with("https://") || u.starts_with("http://")) || u.contains('?'))
    {
        return Err(param_error("notify_url", "应为不带参数的http(s)地址，长度8-256"));
    }
    let funds_account = opt_str(m, "funds_account")?;
    if funds_account.as_ref().is_some_and(|f| f != "AVAILABLE" && f != "UNSETTLED") {
        return Err(param_error("funds_account", "应为AVAILABLE或UNSETTLED"));
    }
    let Some(Value::Object(amount)) = m.get("amount") else { return Err(param_error("amount", "缺少参数")) };
    if let Some(k) = amount.keys().find(|k| !AMOUNT_FIELDS.contains(&k.as_str())) {
        return Err(param_error(&format!("amount.{k}"), "请求中含有未在API文档中定义的参数"));
    }
    let int = |k: &str| {
        amount.get(k).and_then(Value::as_i64).ok_or_else(|| param_error(&format!("amount.{k}"), "应为正整数"))
    };
    let refund = int("refund")?;
    let total = int("total")?;
    if refund <= 0 || total <= 0 {
        return Err(param_error("amount", "金额应为正整数"));
    }
    if refund > total {
        return Err(param_error("amount.refund", "退款金额不能大于订单金额"));
    }
    if amount.get("currency").and_then(Value::as_str) != Some("CNY") {
        return Err(param_error("amount.currency", "应为CNY"));
    }
    Ok(RefundRequest { transaction_id, out_trade_no, out_refund_no, reason, notify_url, funds_account, refund, total })
}

fn create(world: &mut World, now: Timestamp, req: &SimRequest) -> SimResponse {
    let r = match parse_request(&req.body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let by_tx = r.transaction_id.as_deref().and_then(|t| world.corp.bill_by_transaction(t));
    let by_trade = r.out_trade_no.as_deref().and_then(|t| world.corp.bill_by_out_trade_no(t));
    let idx = match (r.transaction_id.is_some(), by_tx, r.out_trade_no.is_some(), by_trade) {
        (true, Some(a), true, Some(b)) if a != b => {
            return error(400, "INVALID_REQUEST", "transaction_id与out_trade_no不是同一笔订单");
        }
        (true, Some(a), _, _) => a,
        (false, _, true, Some(b)) => b,
        _ => return error(404, "RESOURCE_NOT_EXISTS", "订单不存在"),
    };
    if let Some(existing) = world.merchant.refund(&r.out_refund_no).cloned() {
        if existing.bill != idx {
            return error(400, "INVALID_REQUEST", "退款单号已用于其他订单");
        }
        if existing.amount_refund != r.refund || existing.amount_total != r.total {
            return error(400, "INVALID_REQUEST", "订单金额或退款金额与之前请求不一致，请核实后再试");
        }
        return SimResponse::json(200, &refund_json(world, &existing));
    }
    let bill = world.corp.bill(idx);
    if bill.refunds.iter().any(|x| x.out_refund_no == r.out_refund_no) {
        return error(400, "INVALID_REQUEST", "退款单号已被使用");
    }
    if r.total != bill.total_fee {
        return error(400, "INVALID_REQUEST", "订单金额与原订单金额不一致");
    }
    if now.duration_since(bill.pay_time) > SignedDuration::from_hours(24 * 365) {
        return error(400, "INVALID_REQUEST", "订单已超过退款期限");
    }
    if bill.refunds.len() >= MAX_REFUNDS_PER_ORDER {
        return error(400, "INVALID_REQUEST", "订单退款次数已达上限");
    }
    if r.refund > bill.refundable() {
        return error(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额");
    }
    if world.merchant.too_soon(idx, now, world.settings.refund_gap) {
        return error(429, "FREQUENCY_LIMITED", "同一笔订单1分钟内只能发起一次退款，请稍后再试");
    }
    let (transaction_id, out_trade_no) = (bill.transaction_id.clone(), bill.out_trade_no.clone());
    let outcome = world.merchant.scripted(&r.out_refund_no).unwrap_or(RefundOutcome::Success);
    let refund_idx = world.record_refund(
        idx,
        r.out_refund_no.clone(),
        String::new(),
        r.reason.clone().unwrap_or_default(),
        r.refund,
        now,
        outcome,
        true,
    );
    let refund_id = format!("503{}", world.mint_digits(26));
    let api = ApiRefund {
        refund_id,
        out_refund_no: r.out_refund_no,
        transaction_id,
        out_trade_no,
        bill: idx,
        refund: refund_idx,
        amount_refund: r.refund,
        amount_total: r.total,
        reason: r.reason,
        notify_url: r.notify_url,
        funds_account: r.funds_account,
        create_time: now,
    };
    world.merchant.put_refund(api.clone());
    SimResponse::json(200, &refund_json(world, &api))
}

/// The body and headers of one notification delivery, signed and encrypted.
pub fn notification_request(
    n: &Notification,
    keys: &WxpayKeys<'_>,
    serial: &str,
    wall_secs: i64,
    nonce_header: &str,
    nonce_gcm: &str,
) -> (String, Vec<(String, String)>) {
    let plaintext = serde_json::to_string(&n.plaintext).unwrap_or_default();
    let ciphertext =
        aes_256_gcm_encrypt(keys.api_v3_key, nonce_gcm.as_bytes(), b"refund", plaintext.as_bytes()).unwrap_or_default();
    let summary = match n.event_type.as_str() {
        "REFUND.SUCCESS" => "退款成功",
        "REFUND.CLOSED" => "退款关闭",
        _ => "退款异常",
    };
    let body = json!({
        "id": n.id,
        "create_time": rfc3339(n.created),
        "resource_type": "encrypt-resource",
        "event_type": n.event_type,
        "summary": summary,
        "resource": {
            "original_type": "refund",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "associated_data": "refund",
            "nonce": nonce_gcm,
        },
    })
    .to_string();
    let ts = wall_secs.to_string();
    let sig = keys
        .platform_private
        .sign_sha256_base64(wxpay_response_message(&ts, nonce_header, &body).as_bytes())
        .unwrap_or_default();
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("Wechatpay-Timestamp".to_string(), ts),
        ("Wechatpay-Nonce".to_string(), nonce_header.to_string()),
        ("Wechatpay-Signature".to_string(), sig),
        ("Wechatpay-Serial".to_string(), serial.to_string()),
    ];
    (body, headers)
}
