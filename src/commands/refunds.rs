//! `campdesk refunds list|approve|reject|undo|settle-offline`

use super::{CommandError, Exit, actor, print_json, with_backend};
use crate::cli::{GlobalArgs, RefundsCommand};
use crate::domain::RefundState;
use crate::refund::Refund;
use crate::service::{Request, Response};
use crate::store::OpenedBy;
use crate::text::pad_to_width;

fn parse_state(s: &str) -> Result<RefundState, CommandError> {
    RefundState::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
        let names: Vec<&str> = RefundState::ALL.iter().map(|s| s.as_str()).collect();
        CommandError::user(format!("unknown state `{s}`; use one of {}", names.join(", ")))
    })
}

fn print_table(refunds: &[Refund]) {
    let mut total = crate::domain::Money::ZERO;
    for r in refunds {
        total = total.checked_add(r.amount()).unwrap_or(total);
        let name = r.proposal.payer_name.as_deref().unwrap_or("-");
        println!(
            "{}  {}  {}  {:>8}  {}  {}",
            pad_to_width(r.id.as_str(), 44),
            pad_to_width(r.state.as_str(), 15),
            pad_to_width(name, 14),
            r.amount().to_string(),
            r.proposal.basis,
            r.stale.as_deref().map(|s| format!("[stale: {s}]")).unwrap_or_default()
        );
    }
    println!("{} refund(s), total ¥{total}", refunds.len());
}

pub(super) fn run(global: &GlobalArgs, action: &RefundsCommand) -> Result<Exit, CommandError> {
    let (request, json) = match action {
        RefundsCommand::List { camp, state, json } => {
            let state = state.as_deref().map(parse_state).transpose()?;
            (Request::RefundsList { camp: camp.clone(), state }, *json)
        }
        RefundsCommand::Approve { ids, camp, all_passed, by, note, yes, json } => {
            if !*all_passed && camp.is_some() {
                return Err(CommandError::user(
                    "--camp goes with --all-passed; to approve single refunds give their ids",
                ));
            }
            let all_passed_of = if *all_passed { camp.clone() } else { None };
            let request = Request::RefundsApprove {
                ids: ids.clone(),
                all_passed_of,
                by: actor(by.as_deref()),
                note: note.clone(),
                confirm: *yes,
            };
            (request, *json)
        }
        RefundsCommand::Reject { ids, reason, by } => {
            (Request::RefundsReject { ids: ids.clone(), reason: reason.clone(), by: actor(by.as_deref()) }, false)
        }
        RefundsCommand::Undo { id, by } => (Request::RefundsUndo { id: id.clone(), by: actor(by.as_deref()) }, false),
        RefundsCommand::SettleOffline { id, evidence, by } => (
            Request::RefundsSettleOffline { id: id.clone(), evidence: evidence.clone(), by: actor(by.as_deref()) },
            false,
        ),
        other => return super::refunds_run::run(global, other),
    };
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Refunds { refunds } = backend.call(request).await? else {
            return Err(CommandError::internal("unexpected reply to a refunds request"));
        };
        if json {
            print_json(&refunds)?;
        } else {
            print_table(&refunds);
        }
        Ok(Exit::Ok)
    })
}
