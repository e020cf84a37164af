//! `campdesk refunds run|retry|worklist|ledger|reconcile|findings|texts|outbox`

use super::{CommandError, Exit, actor, print_json, with_backend};
use crate::cli::{GlobalArgs, RefundsCommand};
use crate::domain::RefundState;
use crate::refund::executor::PassReport;
use crate::refund::executor::worklist::Worklist;
use crate::refund::ledger::CampLedger;
use crate::refund::notify::{Delivery, OutboxMessage};
use crate::refund::reconcile::{Finding, ReconcileReport};
use crate::service::{Request, Response};
use crate::store::OpenedBy;
use crate::text::pad_to_width;

pub(super) fn run(global: &GlobalArgs, action: &RefundsCommand) -> Result<Exit, CommandError> {
    let (request, json) = match action {
        RefundsCommand::Run { camp, json } => (Request::RefundsRun { camp: camp.clone() }, *json),
        RefundsCommand::Retry { id, by, json } => {
            (Request::RefundsRetry { id: id.clone(), by: actor(by.as_deref()) }, *json)
        }
        RefundsCommand::Worklist { camp, peek, by, json } => {
            (Request::Worklist { camp: camp.clone(), by: actor(by.as_deref()), issue: !*peek }, *json)
        }
        RefundsCommand::Ledger { camp, json } => (Request::Ledger { camp: camp.clone() }, *json),
        RefundsCommand::Reconcile { json } => (Request::Reconcile, *json),
        RefundsCommand::Findings { camp, all, resolve, note, by, json } => match resolve {
            Some(id) => {
                let note = note.clone().ok_or_else(|| CommandError::user("--resolve needs --note: what was done"))?;
                (Request::FindingResolve { id: id.clone(), note, by: actor(by.as_deref()) }, *json)
            }
            None => (Request::Findings { camp: camp.clone(), all: *all }, *json),
        },
        RefundsCommand::Texts { camp, json } => (Request::MemberTexts { camp: camp.clone() }, *json),
        RefundsCommand::Outbox { json } => (Request::Outbox, *json),
        _ => return Err(CommandError::internal("not a payout command")),
    };
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let response = backend.call(request).await?;
        if json {
            match &response {
                Response::RefundRun(r) => print_json(r)?,
                Response::Worklist(w) => print_json(w)?,
                Response::Ledger { ledgers } => print_json(ledgers)?,
                Response::Reconciled(r) => print_json(r)?,
                Response::Findings { findings } => print_json(findings)?,
                Response::Texts { summary, members } => {
                    print_json(&serde_json::json!({"summary": summary, "members": members}))?
                }
                Response::Outbox { messages } => print_json(messages)?,
                other => print_json(other)?,
            }
            return Ok(exit_of(&response));
        }
        match &response {
            Response::RefundRun(r) => print_run(r),
            Response::Worklist(w) => print_worklist(w),
            Response::Ledger { ledgers } => ledgers.iter().for_each(print_ledger),
            Response::Reconciled(r) => print_reconcile(r),
            Response::Findings { findings } => print_findings(findings),
            Response::Texts { summary, members } => {
                println!("群公告：\n{summary}\n");
                for m in members {
                    println!("{} {}\n{}\n", m.payer_name.as_deref().unwrap_or("-"), m.transaction_id, m.text);
                }
                println!("{} member text(s)", members.len());
            }
            Response::Outbox { messages } => print_outbox(messages),
            _ => return Err(CommandError::internal("unexpected reply to a refunds request")),
        }
        Ok(exit_of(&response))
    })
}

/// Exit 2 (partial failure) when a run left failed refunds or stopped on a problem.
fn exit_of(response: &Response) -> Exit {
    match response {
        Response::RefundRun(r) if !r.problems.is_empty() || r.lines.iter().any(|l| l.state == RefundState::Failed) => {
            Exit::Partial
        }
        _ => Exit::Ok,
    }
}

fn print_run(r: &PassReport) {
    for l in &r.lines {
        println!(
            "{}  {}  {}  {:>8}  {}",
            pad_to_width(l.refund_id.as_str(), 44),
            pad_to_width(l.state.as_str(), 10),
            pad_to_width(l.payer_name.as_deref().unwrap_or("-"), 12),
            l.amount.to_string(),
            l.note
        );
    }
    if r.auto_approved > 0 {
        println!("{} refund(s) approved themselves (automation = auto)", r.auto_approved);
    }
    for p in &r.problems {
        println!("problem: {p}");
    }
    let (ok, ok_sum) = r.total(RefundState::Succeeded);
    let (pending, pending_sum) = r.total(RefundState::Submitted);
    let (failed, failed_sum) = r.total(RefundState::Failed);
    println!(
        "succeeded {ok} (¥{ok_sum}), in progress {pending} (¥{pending_sum}), failed {failed} (¥{failed_sum}); {} handled",
        r.lines.len()
    );
}

fn print_worklist(w: &Worklist) {
    println!("付款时间             付款人          交易单号                          退款金额  退款编号");
    for i in &w.items {
        println!(
            "{}  {}  {}  {:>8}  {}{}",
            i.paid_at_local,
            pad_to_width(i.payer_name.as_deref().unwrap_or("-"), 14),
            pad_to_width(i.transaction_id.as_str(), 32),
            i.amount.to_string(),
            i.refund_id,
            if i.newly_issued { "  (new)" } else { "" }
        );
    }
    println!("{} refund(s) to do in the WeCom client, total ¥{}", w.items.len(), w.total);
}

fn print_ledger(l: &CampLedger) {
    println!("camp {}: {} payment(s)", l.camp, l.payments);
    println!("  collected  ¥{}", l.collected);
    println!("  refunded   ¥{}", l.refunded);
    println!("  forfeited  ¥{}", l.forfeited);
    println!("  pending    ¥{}", l.pending);
    println!("  anomalies  ¥{}", l.anomalies);
    println!("  {}", if l.balanced { "balanced" } else { "NOT BALANCED" });
    for e in &l.errors {
        println!("  error: payment {}: {} (difference ¥{})", e.transaction_id, e.message, e.difference);
    }
    for w in &l.warnings {
        println!("  warning: {w}");
    }
}

fn print_reconcile(r: &ReconcileReport) {
    println!(
        "{} bill refund(s) looked at; {} succeeded, {} failed, {} new finding(s)",
        r.bill_refunds,
        r.succeeded.len(),
        r.failed.len(),
        r.new_findings.len()
    );
    print_findings(&r.new_findings);
}

fn print_findings(findings: &[Finding]) {
    for f in findings {
        let state = if f.resolved.is_some() { "resolved" } else { "OPEN" };
        println!("{state}  {}  {}", f.id, f.message);
    }
    if findings.is_empty() {
        println!("no findings");
    }
}

fn print_outbox(messages: &[OutboxMessage]) {
    let shown = |d: &Delivery| match d {
        Delivery::Pending => "pending".to_string(),
        Delivery::Sent { at } => format!("sent {at}"),
        Delivery::NotConfigured => "not configured".to_string(),
        Delivery::Refused { error } => format!("refused: {error}"),
    };
    for m in messages {
        let first = m.text.lines().next().unwrap_or("");
        println!("{}  robot: {}  app: {}  {}", m.created_at, shown(&m.robot), shown(&m.app), first);
    }
    let waiting = messages.iter().filter(|m| m.robot == Delivery::Pending || m.app == Delivery::Pending).count();
    println!("{} message(s), {} waiting", messages.len(), waiting);
}
