//! `campdesk links|eligibility|evaluate|verdict|leave|camp`

use super::{CommandError, Exit, actor, print_json, with_backend};
use crate::cli::{CampCommand, GlobalArgs, LeaveCommand, VerdictCommand};
use crate::rules::OverrideDecision;
use crate::service::{Request, Response};
use crate::store::OpenedBy;
use crate::text::pad_to_width;

async fn call(backend: &crate::service::Backend, request: Request) -> Result<Response, CommandError> {
    Ok(backend.call(request).await?)
}

pub(super) fn links(global: &GlobalArgs, camp: Option<String>, json: bool) -> Result<Exit, CommandError> {
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Links { links } = call(&backend, Request::Links { camp }).await? else {
            return Err(CommandError::internal("unexpected reply to links"));
        };
        if json {
            print_json(&links)?;
        } else {
            for l in &links {
                println!(
                    "{}  {}  {:<9}  {:>6.1}  {}",
                    pad_to_width(l.transaction_id.as_str(), 30),
                    pad_to_width(l.planet_user_id.as_ref().map_or("-", |u| u.as_str()), 16),
                    format!("{:?}", l.state).to_lowercase(),
                    l.score,
                    l.reasons.first().map_or("", String::as_str)
                );
            }
            println!("{} payment(s)", links.len());
        }
        Ok(Exit::Ok)
    })
}

pub(super) fn eligibility(global: &GlobalArgs, camp: String, json: bool) -> Result<Exit, CommandError> {
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Eligibility { verdicts } = call(&backend, Request::Eligibility { camp }).await? else {
            return Err(CommandError::internal("unexpected reply to eligibility"));
        };
        if json {
            print_json(&verdicts)?;
        } else {
            for v in &verdicts {
                println!(
                    "{}  {}  {:>2}/{:<2}  {:<10}  {}",
                    pad_to_width(v.transaction_id.as_str(), 30),
                    pad_to_width(v.planet_user_id.as_ref().map_or("-", |u| u.as_str()), 16),
                    v.checkin_days,
                    v.required_days,
                    v.verdict.as_str(),
                    v.reasons.first().map_or("", String::as_str)
                );
            }
            println!("{} payment(s)", verdicts.len());
        }
        Ok(Exit::Ok)
    })
}

pub(super) fn evaluate(global: &GlobalArgs, camp: Option<String>, json: bool) -> Result<Exit, CommandError> {
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Evaluated { camps } = call(&backend, Request::Evaluate { camp }).await? else {
            return Err(CommandError::internal("unexpected reply to evaluate"));
        };
        if json {
            print_json(&camps)?;
        }
        let mut failed = false;
        for (camp, r) in &camps {
            match r {
                Ok(s) if !json => println!("{camp}: {}", serde_json::to_string(s).unwrap_or_default()),
                Ok(_) => {}
                Err(e) => {
                    failed = true;
                    eprintln!("campdesk: {e}");
                }
            }
        }
        Ok(if failed { Exit::Partial } else { Exit::Ok })
    })
}

fn decided(backend_reply: Response) -> Result<Exit, CommandError> {
    match backend_reply {
        Response::Decided { message } => {
            println!("{message}");
            Ok(Exit::Ok)
        }
        _ => Err(CommandError::internal("unexpected reply")),
    }
}

pub(super) fn verdict(global: &GlobalArgs, action: &VerdictCommand) -> Result<Exit, CommandError> {
    let request = match action {
        VerdictCommand::Pass(a) | VerdictCommand::Fail(a) => Request::SetVerdict {
            transaction_id: a.transaction_id.clone(),
            decision: Some(if matches!(action, VerdictCommand::Pass(_)) {
                OverrideDecision::Pass
            } else {
                OverrideDecision::Fail
            }),
            reason: a.reason.clone(),
            by: actor(a.by.as_deref()),
        },
        VerdictCommand::Clear { transaction_id, by } => Request::SetVerdict {
            transaction_id: transaction_id.clone(),
            decision: None,
            reason: String::new(),
            by: actor(by.as_deref()),
        },
    };
    with_backend(global, OpenedBy::Cli, |backend| async move { decided(call(&backend, request).await?) })
}

pub(super) fn leave(global: &GlobalArgs, action: &LeaveCommand) -> Result<Exit, CommandError> {
    let request = match action {
        LeaveCommand::Add { planet_user_id, day, camp, reason, by } => Request::Leave {
            camp: camp.clone(),
            planet_user_id: planet_user_id.clone(),
            day: day.clone(),
            reason: reason.clone(),
            by: actor(by.as_deref()),
            remove: false,
        },
        LeaveCommand::Remove { planet_user_id, day, camp, by } => Request::Leave {
            camp: camp.clone(),
            planet_user_id: planet_user_id.clone(),
            day: day.clone(),
            reason: String::new(),
            by: actor(by.as_deref()),
            remove: true,
        },
    };
    with_backend(global, OpenedBy::Cli, |backend| async move { decided(call(&backend, request).await?) })
}

pub(super) fn camp(global: &GlobalArgs, action: &CampCommand) -> Result<Exit, CommandError> {
    let request = match action {
        CampCommand::Freeze { id, by } => Request::Freeze { camp: id.clone(), by: actor(by.as_deref()) },
        CampCommand::Reopen { id, reason, by } => {
            Request::Reopen { camp: id.clone(), reason: reason.clone(), by: actor(by.as_deref()) }
        }
    };
    with_backend(global, OpenedBy::Cli, |backend| async move { decided(call(&backend, request).await?) })
}
