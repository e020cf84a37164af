//! `campdesk link` / `campdesk unlink`: human must-link and cannot-link
//! decisions, through the service (the daemon when one runs). The payment and
//! the planet user must be in the store; the camp is re-evaluated at once.

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::{GlobalArgs, LinkArgs};
use crate::matching::decisions::DecisionScope;
use crate::service::{Request, Response};
use crate::store::OpenedBy;

/// Which decision the command records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `link`
    Must,
    /// `unlink`
    Cannot,
}

/// Who is deciding: `--by`, else `$CAMPDESK_USER`, else `$USER`.
fn decider(by: &Option<String>) -> Result<String, CommandError> {
    let name = by
        .clone()
        .or_else(|| std::env::var("CAMPDESK_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    name.ok_or_else(|| CommandError::user("say who decides with --by NAME (or set CAMPDESK_USER)"))
}

pub(super) fn run(global: &GlobalArgs, args: &LinkArgs, kind: Kind) -> Result<Exit, CommandError> {
    let external_userid = match args.external_userid.as_deref().map(str::trim) {
        Some(e) if e.is_empty() || e.contains(char::is_whitespace) => {
            return Err(CommandError::user(format!("external_userid `{e}` is not valid")));
        }
        other => other.map(str::to_string),
    };
    let request = Request::LinkDecision {
        transaction_id: args.transaction_id.clone(),
        planet_user_id: args.planet_user_id.clone(),
        external_userid,
        person: args.person,
        cannot: kind == Kind::Cannot,
        by: decider(&args.by)?,
        note: args.note.clone(),
    };
    let json = args.json;
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::LinkRecorded { status, decision, superseded } = backend.call(request).await? else {
            return Err(CommandError::internal("unexpected reply to a link decision"));
        };
        if json {
            print_json(&serde_json::json!({ "status": status, "decision": decision, "superseded": superseded }))?;
            return Ok(Exit::Ok);
        }
        if status == "unchanged" {
            println!("already recorded as decision {} by {}; nothing changed", decision.id, decision.decided_by);
            return Ok(Exit::Ok);
        }
        let what = if kind == Kind::Must { "linked" } else { "unlinked" };
        let reach = if decision.scope == DecisionScope::Person { "every payment of this payer" } else { "payment" };
        println!(
            "{what} {reach} {} {} planet user {} (decision {}, by {})",
            decision.transaction_id,
            if kind == Kind::Must { "to" } else { "from" },
            decision.planet_user_id,
            decision.id,
            decision.decided_by
        );
        if !superseded.is_empty() {
            println!("replaces earlier decision {}", superseded.join(", "));
        }
        Ok(Exit::Ok)
    })
}
