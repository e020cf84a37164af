//! The control endpoint `/_sim/…`, served on every simulator listener (JSON in, JSON out), so
//! scripts and the demo can move the clock, act in the world, inject faults and read what the
//! simulators received. It is for loopback testing only and asks for no credentials.
//!
//! | Method and path | Body | Answer |
//! |---|---|---|
//! | `GET /_sim/state` | | sim time, clock mode, counts, pending actions |
//! | `POST /_sim/clock` | `{"advance":"2h"}`, `{"set":"2025-11-20T04:00:00Z"}` or `{"mode":"manual"\|"real_time"}` | `{"now"}` |
//! | `POST /_sim/actions` | one action or a list (see [`Action`]) | one outcome per action |
//! | `GET /_sim/faults` | | active rules and the log of injected faults |
//! | `POST /_sim/faults` | `{"spec":"zsxq/ranking:1059@2"}` | the rules added |
//! | `DELETE /_sim/faults` | | rules removed |
//! | `GET /_sim/messages` | | robot messages and app messages received |
//! | `GET /_sim/notifications` | | WeChat Pay notifications and their delivery attempts |
//! | `GET /_sim/requests` | | the latest requests answered |
//! | `GET /_sim/truth` | | the ground truth |
//! | `GET /_sim/member_export.xlsx` | | the planet's member export (xlsx, as the zsxq admin console gives it) |

use axum::http::Method;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::actions::Action;
use super::clock::ClockMode;
use super::faults::parse_spec;
use super::http::{SimRequest, SimResponse};
use super::server::{Shared, set_clock_mode};

fn bad(message: impl Into<String>) -> SimResponse {
    SimResponse::json(400, &json!({"error": message.into()}))
}

fn ok(v: Value) -> SimResponse {
    SimResponse::json(200, &v)
}

/// Serves one `/_sim/…` request.
pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    let path = req.path.trim_end_matches('/');
    match (req.method.clone(), path) {
        (Method::GET, "/_sim/state") => state(shared),
        (Method::POST, "/_sim/clock") => clock(shared, req),
        (Method::POST, "/_sim/actions") => actions(shared, req),
        (Method::GET, "/_sim/faults") => {
            let book = shared.faults.lock().unwrap_or_else(|e| e.into_inner());
            let rules: Vec<Value> = book.rules().into_iter().map(|(i, r)| json!({"index": i, "rule": r})).collect();
            ok(json!({"rules": rules, "log": book.log()}))
        }
        (Method::POST, "/_sim/faults") => {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let Some(spec) = body.get("spec").and_then(Value::as_str) else {
                return bad("expected {\"spec\": \"zsxq/ranking:1059@2; …\"}");
            };
            match parse_spec(spec) {
                Ok(rules) => {
                    let ids = shared.faults.lock().unwrap_or_else(|e| e.into_inner()).add(rules.clone());
                    ok(
                        json!({"added": ids.into_iter().zip(rules).map(|(i, r)| json!({"index": i, "rule": r})).collect::<Vec<_>>()}),
                    )
                }
                Err(e) => bad(e.to_string()),
            }
        }
        (Method::DELETE, "/_sim/faults") => {
            shared.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
            ok(json!({"cleared": true}))
        }
        (Method::GET, "/_sim/messages") => {
            let w = shared.world();
            let robots: Vec<Value> = w
                .corp
                .robots()
                .values()
                .enumerate()
                .map(|(i, r)| json!({"robot": i, "messages": r.messages}))
                .collect();
            ok(json!({"robots": robots, "app_messages": w.corp.app_messages()}))
        }
        (Method::GET, "/_sim/notifications") => {
            let w = shared.world();
            ok(json!({"notifications": w.merchant.notifications().values().collect::<Vec<_>>()}))
        }
        (Method::GET, "/_sim/requests") => {
            let log = shared.log.lock().unwrap_or_else(|e| e.into_inner());
            ok(json!({"requests": log.iter().collect::<Vec<_>>()}))
        }
        (Method::GET, "/_sim/truth") => ok(serde_json::to_value(&*shared.truth).unwrap_or(Value::Null)),
        (Method::GET, "/_sim/member_export.xlsx") => SimResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into()),
                ("content-disposition".into(), "attachment; filename=\"member_export.xlsx\"".into()),
            ],
            body: shared.member_export.as_ref().clone(),
        },
        _ => SimResponse::json(
            404,
            &json!({"error": "unknown control endpoint; see /_sim/state, /_sim/clock, /_sim/actions, /_sim/faults, /_sim/messages, /_sim/notifications, /_sim/requests, /_sim/truth, /_sim/member_export.xlsx"}),
        ),
    }
}

fn state(shared: &Shared) -> SimResponse {
    let mode = shared.clock.mode();
    let w = shared.world();
    let topics: usize = w.planet.projects().values().map(|p| p.topics().len()).sum();
    ok(json!({
        "now": w.now(),
        "clock": mode,
        "pending_actions": w.pending(),
        "schedule_errors": w.schedule_errors(),
        "counts": {
            "planet_users": w.planet.users().len(),
            "projects": w.planet.projects().len(),
            "topics": topics,
            "bills": w.corp.bills().len(),
            "groups": w.corp.groups().len(),
            "contacts": w.corp.contact_count(),
            "api_refunds": w.merchant.refund_count(),
        },
    }))
}

fn clock(shared: &Shared, req: &SimRequest) -> SimResponse {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return bad(format!("body: {e}")),
    };
    if let Some(mode) = body.get("mode") {
        match serde_json::from_value::<ClockMode>(mode.clone()) {
            Ok(m) => set_clock_mode(shared, m),
            Err(_) => return bad("mode: expected \"manual\" or \"real_time\""),
        }
    }
    if let Some(by) = body.get("advance") {
        let text = by.as_str().map(str::to_string).or_else(|| by.as_i64().map(|s| format!("{s}s"))).unwrap_or_default();
        let Some(d) = crate::config::parse_duration(&text) else {
            return bad(format!("advance: `{text}` is not a duration like \"90s\", \"2h\" or \"3d\""));
        };
        if let Err(e) = shared.clock.advance(d) {
            return bad(e.to_string());
        }
    }
    if let Some(at) = body.get("set") {
        let Some(t) = at.as_str().and_then(|s| s.parse::<Timestamp>().ok()) else {
            return bad("set: expected an RFC 3339 instant like \"2025-11-20T04:00:00Z\"");
        };
        if let Err(e) = shared.clock.set(t) {
            return bad(e.to_string());
        }
    }
    let w = shared.world();
    ok(json!({"now": w.now(), "clock": shared.clock.mode()}))
}

fn actions(shared: &Shared, req: &SimRequest) -> SimResponse {
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => return bad(format!("body: {e}")),
    };
    let list = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut parsed = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        match serde_json::from_value::<Action>(item) {
            Ok(a) => parsed.push(a),
            Err(e) => return bad(format!("action {i}: {e}")),
        }
    }
    // Actions apply in order; the first refusal stops the batch (each action is atomic).
    let mut w = shared.world();
    let mut results = Vec::with_capacity(parsed.len());
    let mut failed = false;
    for a in parsed {
        if failed {
            results.push(json!({"result": "skipped"}));
            continue;
        }
        match w.act(a) {
            Ok(o) => results.push(serde_json::to_value(o).unwrap_or(Value::Null)),
            Err(e) => {
                failed = true;
                results.push(json!({"result": "error", "error": e.to_string()}));
            }
        }
    }
    SimResponse::json(if failed { 422 } else { 200 }, &json!({"results": results}))
}
