//! `campdesk import payments|members|checkins FILE --camp ID`

use base64::Engine as _;

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::{GlobalArgs, ImportArgs, ImportCommand};
use crate::service::{Request, Response};
use crate::sources::files::{ImportKind, ImportReport};
use crate::store::OpenedBy;

fn actor(args: &ImportArgs) -> String {
    super::actor(args.by.as_deref())
}

fn describe(r: &ImportReport) -> String {
    let sha = r.sha256.get(..12).unwrap_or(&r.sha256);
    let users = if r.users.total() > 0 { format!("; planet users: {}", r.users) } else { String::new() };
    if r.dry_run {
        return format!(
            "dry run: {} as {} for camp {}: {} rows would give {}{users}; nothing was written",
            r.file,
            r.kind.as_str(),
            r.camp,
            r.rows,
            r.stats
        );
    }
    match (&r.raw_id, &r.previously_imported) {
        (Some(raw), _) => format!(
            "imported {} as {} for camp {}: {} rows, {}{users} (archived as {raw}, sha256 {sha}…)",
            r.file,
            r.kind.as_str(),
            r.camp,
            r.rows,
            r.stats
        ),
        (None, Some(earlier)) => format!(
            "{} was already imported as {} for camp {} ({earlier}); nothing changed ({} rows unchanged)",
            r.file,
            r.kind.as_str(),
            r.camp,
            r.rows
        ),
        (None, None) => format!("{}: nothing was written", r.file),
    }
}

pub(super) fn run(global: &GlobalArgs, what: &ImportCommand) -> Result<Exit, CommandError> {
    let (kind, args) = match what {
        ImportCommand::Payments(args) => (ImportKind::Payments, args),
        ImportCommand::Members(args) => (ImportKind::Members, args),
        ImportCommand::Checkins(args) => (ImportKind::Checkins, args),
    };
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CommandError::user(format!("cannot read {}: {e}", args.file.display())))?;
    let file_name =
        args.file.file_name().map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let request = Request::Import {
        kind,
        camp: args.camp.clone(),
        file_name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        by: actor(args),
        dry_run: args.dry_run,
    };
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Imported(report) = backend.call(request).await? else {
            return Err(CommandError::internal("unexpected reply to import"));
        };
        if args.json {
            print_json(&report)?;
        } else {
            println!("{}", describe(&report));
        }
        Ok(Exit::Ok)
    })
}
