//! `campdesk link` / `campdesk unlink`: human must-link and cannot-link decisions.
//!
//! Until the records layer is in the store, only the shapes of the ids are
//! checked; that the payment and the planet user exist is not.

use super::{CommandError, Exit, open_store, print_json};
use crate::cli::{GlobalArgs, LinkArgs};
use crate::domain::ExternalUserId;
use crate::links::{self, DecisionRequest, LinksError, Recorded};
use crate::matching::decisions::DecisionScope;

/// Which decision the command records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// `link`
    Must,
    /// `unlink`
    Cannot,
}

impl From<LinksError> for CommandError {
    fn from(e: LinksError) -> Self {
        match e {
            LinksError::Store(s) => s.into(),
            other => CommandError::user(other.to_string()),
        }
    }
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
    let transaction_id = links::check_transaction_id(args.transaction_id.trim())?;
    let planet_user_id = links::check_planet_user_id(args.planet_user_id.trim())?;
    let by = decider(&args.by)?;
    let external_userid = match args.external_userid.as_deref().map(str::trim) {
        Some(e) if e.is_empty() || e.contains(char::is_whitespace) => {
            return Err(CommandError::user(format!("external_userid `{e}` is not valid")));
        }
        Some(e) => Some(ExternalUserId::new(e)),
        None => None,
    };
    let req = DecisionRequest {
        transaction_id,
        planet_user_id,
        external_userid,
        scope: if args.person { DecisionScope::Person } else { DecisionScope::Payment },
        by,
        note: args.note.clone().filter(|n| !n.trim().is_empty()),
        snapshot: None,
    };
    let store = open_store(global)?;
    let now = jiff::Timestamp::now();
    let recorded = store.write_with(|tx| match kind {
        Kind::Must => links::record_must_link(tx, req, now),
        Kind::Cannot => links::record_cannot_link(tx, req, now),
    })?;
    if args.json {
        let value = match &recorded {
            Recorded::New { decision, superseded } => {
                serde_json::json!({ "status": "recorded", "decision": decision, "superseded": superseded })
            }
            Recorded::Unchanged { decision } => serde_json::json!({ "status": "unchanged", "decision": decision }),
        };
        print_json(&value)?;
        return Ok(Exit::Ok);
    }
    match recorded {
        Recorded::New { decision, superseded } => {
            let what = match kind {
                Kind::Must => "linked",
                Kind::Cannot => "unlinked",
            };
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
        }
        Recorded::Unchanged { decision } => {
            println!("already recorded as decision {} by {}; nothing changed", decision.id, decision.decided_by);
        }
    }
    Ok(Exit::Ok)
}
