//! `campdesk purge [--dry-run] [--by NAME] [--json]`

use super::{CommandError, Exit, actor, load_config, print_json, with_backend};
use crate::cli::GlobalArgs;
use crate::retention::{self, PurgeReport, Standing};
use crate::service::{Request, Response};
use crate::store::{OpenedBy, Store, StoreError};

pub(super) fn run(global: &GlobalArgs, dry_run: bool, by: Option<&str>, json: bool) -> Result<Exit, CommandError> {
    let by = actor(by);
    if dry_run {
        return with_backend(global, OpenedBy::Cli, |backend| async move {
            match backend.call(Request::PurgePreview { by }).await? {
                Response::Purge(r) => {
                    show(&r, json)?;
                    Ok(exit_of(&r))
                }
                _ => Err(CommandError::internal("unexpected reply to purge")),
            }
        });
    }
    let report = {
        let config = load_config(global)?;
        let mut store = Store::open(&global.data, OpenedBy::Cli).map_err(|e| match e {
            StoreError::InUse(m) => CommandError::user(format!(
                "{m}. A purge rewrites the store file so that erased text does not linger in freed pages, \
                 which needs the store to itself: stop it, run `campdesk purge`, start it again \
                 (`campdesk purge --dry-run` works while it runs)"
            )),
            other => CommandError::from(other),
        })?;
        let mut report = retention::run(&store, &config, jiff::Timestamp::now(), &by, false)
            .map_err(|e| CommandError::internal(e.to_string()))?;
        if !report.purged.is_empty() {
            report.file_bytes = Some(store.rewrite_file()?);
        }
        report
    };
    show(&report, json)?;
    Ok(exit_of(&report))
}

fn exit_of(r: &PurgeReport) -> Exit {
    if r.leftovers.is_empty() { Exit::Ok } else { Exit::Partial }
}

fn show(r: &PurgeReport, json: bool) -> Result<(), CommandError> {
    if json {
        return print_json(r);
    }
    let verb = if r.dry_run { "would purge" } else { "purged" };
    println!("retention: {} months after a camp's last day (today {})", r.retention_months, r.today);
    for c in &r.camps {
        let what = match &c.standing {
            Standing::Purged { at, by } => format!("purged {} by {by}", at.strftime("%Y-%m-%d")),
            Standing::Due if r.dry_run => "due: would be purged now".to_string(),
            Standing::Due => "due".to_string(),
            Standing::NotDue => format!("kept until {}", c.due),
            Standing::Blocked { reasons } => format!("due but held back: {}", reasons.join("; ")),
        };
        println!("  {:<14} ended {}  {what}", c.camp.as_str(), c.end);
    }
    if r.purged.is_empty() {
        println!("nothing to purge");
        return Ok(());
    }
    let k = &r.counts;
    let camps: Vec<&str> = r.purged.iter().map(|c| c.as_str()).collect();
    println!(
        "{verb} {}: {} payments, {} planet users, {} member-export rows, {} group members ({} earlier names), \
         {} posts, {} frozen snapshots, {} evaluations, {} review cards, {} decisions, {} refunds, \
         {} other records; raw pages: {} erased, {} rewritten; audit entries redacted: {}",
        camps.join(", "),
        k.payments,
        k.planet_users,
        k.member_exports,
        k.group_members,
        k.name_changes,
        k.topics,
        k.frozen,
        k.evaluations,
        k.cards,
        k.decisions,
        k.refunds,
        k.other_records,
        k.pages_erased,
        k.pages_rewritten,
        k.audit_redacted
    );
    println!("kept: amounts, transaction ids, refund records, verdicts, link decisions and the audit chain");
    if let Some((before, after)) = r.file_bytes {
        println!("store file rewritten so no erased text lingers in old pages: {before} → {after} bytes");
    }
    if !r.leftovers.is_empty() {
        eprintln!("campdesk: {} record(s) still hold a purged string:", r.leftovers.len());
        for l in r.leftovers.iter().take(20) {
            eprintln!("  {l}");
        }
    }
    Ok(())
}
