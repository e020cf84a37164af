//! `campdesk status`

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::GlobalArgs;
use crate::engine::TaskState;
use crate::service::{Request, Response};
use crate::store::OpenedBy;

pub(super) fn run(global: &GlobalArgs, as_json: bool) -> Result<Exit, CommandError> {
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Status(report) = backend.call(Request::Status).await? else {
            return Err(CommandError::internal("unexpected reply to status"));
        };
        if as_json {
            let mut value = serde_json::to_value(&report).map_err(|e| CommandError::internal(e.to_string()))?;
            value["engine_mode"] = serde_json::to_value(backend.mode()).unwrap_or_default();
            print_json(&value)?;
            return Ok(Exit::Ok);
        }
        println!(
            "engine: {} (pid {})",
            match backend.mode() {
                crate::service::EngineMode::Attached => "attached to the running daemon",
                crate::service::EngineMode::InProcess => "in this process (no daemon running)",
            },
            report.served_by_pid
        );
        println!("config {} ({} camps)", report.config.path, report.config.camps.len());
        println!(
            "store {} (schema v{}), audit {} entries, {}",
            report.store.data_dir,
            report.store.schema_version,
            report.store.audit_entries,
            if report.store.audit_ok { "chain intact" } else { "CHAIN BROKEN: run `campdesk audit verify`" }
        );
        for t in &report.engine.tasks {
            let state = match &t.state {
                TaskState::Idle => "idle".to_string(),
                TaskState::Running { page, records, step, .. } => {
                    format!("running page {page} ({records} records) {step}")
                }
                TaskState::BackingOff { until, attempt, reason } => {
                    format!("backing off until {until} after attempt {attempt}: {reason}")
                }
                TaskState::Failed { class, message, .. } => format!("FAILED ({}): {message}", class.label()),
                TaskState::Disabled { reason } => format!("disabled: {reason}"),
            };
            let now = jiff::Timestamp::now();
            let last = t.last_success.map_or("never".to_string(), |at| format!("{at} ({})", ago(now, at)));
            println!("  {:<24} {state}; last success {last}", t.id.to_string());
        }
        for a in &report.engine.alerts {
            println!("  alert [{:?}] {} {}: {}", a.severity, a.at, a.source, a.message);
        }
        Ok(Exit::Ok)
    })
}

/// How long ago `at` was, roughly: "42 s ago", "5 min ago", "3 h ago", "2 d ago".
fn ago(now: jiff::Timestamp, at: jiff::Timestamp) -> String {
    let secs = now.duration_since(at).as_secs().max(0);
    match secs {
        0..60 => format!("{secs} s ago"),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_naturally() {
        let now: jiff::Timestamp = "2025-11-04T12:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(super::ago(now, at("2025-11-04T11:59:18Z")), "42 s ago");
        assert_eq!(super::ago(now, at("2025-11-04T09:00:00Z")), "3 h ago");
        assert_eq!(super::ago(now, at("2025-11-01T12:00:00Z")), "3 d ago");
    }
}
