//! `campdesk import payments|members|checkins FILE --camp ID`

use super::{CommandError, Exit, load_config, open_store, print_json};
use crate::cli::{GlobalArgs, ImportArgs, ImportCommand};
use crate::records::RecordsError;
use crate::sources::files::{ImportError, ImportKind, ImportOptions, ImportReport, import_file};

fn actor(args: &ImportArgs) -> String {
    args.by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "operator".to_string())
}

fn to_command_error(e: ImportError) -> CommandError {
    match e {
        ImportError::Records(RecordsError::Store(s)) => CommandError::from(s),
        other => CommandError::user(other.to_string()),
    }
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
    let config = load_config(global)?;
    if config.camp(&args.camp).is_none() {
        let known: Vec<&str> = config.camps.iter().map(|c| c.id.as_str()).collect();
        return Err(CommandError::user(format!(
            "unknown camp `{}`; the camps in {} are: {}",
            args.camp,
            config.path.display(),
            known.join(", ")
        )));
    }
    let store = open_store(global)?;
    let actor = actor(args);
    let report = import_file(
        &store,
        &config,
        &ImportOptions {
            kind,
            path: &args.file,
            camp: &args.camp,
            actor: &actor,
            dry_run: args.dry_run,
            now: jiff::Timestamp::now(),
        },
    )
    .map_err(to_command_error)?;
    if args.json {
        print_json(&report)?;
    } else {
        println!("{}", describe(&report));
    }
    Ok(Exit::Ok)
}
