//! `campdesk sync [--once] [--source zsxq|wecom|all] [--camp ID] [--json]`: run the sync
//! tasks now, through the daemon when one runs, otherwise in this process. With `--once`
//! (always, without a daemon) it waits and reports every task: pages, records and
//! changes, or the error class and message. Exit 2 when a task failed.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::{GlobalArgs, SyncArgs};
use crate::engine::{Alert, TaskFilter, TaskState};
use crate::service::{EngineMode, Request, Response, StatusReport, api::TaskOutcome};
use crate::store::OpenedBy;

pub(super) fn run(global: &GlobalArgs, args: &SyncArgs) -> Result<Exit, CommandError> {
    let _log = crate::logging::init(&global.data, false);
    let args = args.clone();
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let before = status(&backend).await?;
        if let Some(camp) = &args.camp
            && !before.config.camps.iter().any(|c| &c.id == camp)
        {
            let known: Vec<&str> = before.config.camps.iter().map(|c| c.id.as_str()).collect();
            return Err(CommandError::user(format!(
                "there is no camp {camp} in {} (camps: {})",
                before.config.path,
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        }
        let filter = TaskFilter { source: Some(args.source.as_str().to_string()), camp: args.camp.clone() };
        let disabled: Vec<(String, String)> = before
            .engine
            .tasks
            .iter()
            .filter(|t| filter.matches(&t.id))
            .filter_map(|t| match &t.state {
                TaskState::Disabled { reason } => Some((t.id.to_string(), reason.clone())),
                _ => None,
            })
            .collect();
        if !args.once && backend.mode() == EngineMode::Attached {
            let Response::Queued { tasks } = backend.call(Request::SyncNow { filter }).await? else {
                return Err(CommandError::internal("unexpected reply to sync"));
            };
            if args.json {
                let tasks: Vec<String> = tasks.iter().map(ToString::to_string).collect();
                print_json(&json!({"queued": tasks}))?;
            } else if tasks.is_empty() {
                println!("nothing to sync");
            } else {
                let names: Vec<String> = tasks.iter().map(ToString::to_string).collect();
                println!("queued on the running daemon: {} (see `campdesk status`)", names.join(", "));
            }
            return Ok(Exit::Ok);
        }
        let started = Timestamp::now();
        let Response::Synced { outcomes } = backend.call(Request::SyncOnce { filter }).await? else {
            return Err(CommandError::internal("unexpected reply to sync"));
        };
        let after = status(&backend).await?;
        let alerts: Vec<&Alert> = after.engine.alerts.iter().filter(|a| a.at >= started).collect();
        let failed: Vec<&TaskOutcome> = outcomes.iter().filter(|o| o.error.is_some()).collect();
        if args.json {
            print_json(&report_json(&outcomes, &disabled, &alerts))?;
        } else {
            print_text(&outcomes, &disabled, &alerts);
        }
        for o in &failed {
            if let Some((class, message)) = &o.error {
                eprintln!("campdesk: sync of {} failed ({}): {message}", o.task, class.label());
            }
        }
        if outcomes.is_empty() {
            let why = if disabled.is_empty() {
                "no sync task matches".to_string()
            } else {
                disabled.iter().map(|(t, r)| format!("{t}: {r}")).collect::<Vec<_>>().join("; ")
            };
            return Err(CommandError::user(format!("nothing to sync: {why}")));
        }
        Ok(if failed.is_empty() { Exit::Ok } else { Exit::Partial })
    })
}

async fn status(backend: &crate::service::Backend) -> Result<StatusReport, CommandError> {
    match backend.call(Request::Status).await? {
        Response::Status(s) => Ok(s),
        _ => Err(CommandError::internal("unexpected reply to status")),
    }
}

fn report_json(outcomes: &[TaskOutcome], disabled: &[(String, String)], alerts: &[&Alert]) -> Value {
    let mut tasks: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let mut v = json!({"task": o.task.to_string(), "source": o.task.source, "camp": o.task.camp});
            match (&o.counts, &o.error) {
                (_, Some((class, message))) => {
                    v["status"] = json!("failed");
                    v["class"] = json!(class);
                    v["message"] = json!(message);
                }
                (Some(c), None) => {
                    v["status"] = json!("ok");
                    v["pages"] = json!(c.pages);
                    v["records"] = json!(c.records);
                    v["changed"] = json!(c.changed);
                }
                (None, None) => v["status"] = json!("ok"),
            }
            v
        })
        .collect();
    tasks.extend(disabled.iter().map(|(t, r)| json!({"task": t, "status": "disabled", "reason": r})));
    json!({"tasks": tasks, "alerts": alerts})
}

fn print_text(outcomes: &[TaskOutcome], disabled: &[(String, String)], alerts: &[&Alert]) {
    let width = outcomes.iter().map(|o| o.task.to_string().len()).chain(disabled.iter().map(|d| d.0.len())).max();
    let width = width.unwrap_or(0).max(8);
    for o in outcomes {
        let task = o.task.to_string();
        match (&o.counts, &o.error) {
            (_, Some((class, message))) => println!("{task:<width$}  FAILED ({}): {message}", class.label()),
            (Some(c), None) => {
                println!("{task:<width$}  ok: {} pages, {} records, {} new or changed", c.pages, c.records, c.changed)
            }
            (None, None) => println!("{task:<width$}  ok"),
        }
    }
    for (task, reason) in disabled {
        println!("{task:<width$}  disabled: {reason}");
    }
    for a in alerts {
        println!("alert [{:?}] {}: {}", a.severity, a.source, a.message);
    }
}
