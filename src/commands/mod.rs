//! Subcommand implementations. Each returns an [`Exit`] or a [`CommandError`];
//! `run` prints errors once, on stderr, and maps them to exit codes.

mod audit;
mod bench_ingest;
mod bench_match;
mod bench_payout;
mod bench_rules;
mod bench_sim;
mod bench_sync;
mod bench_tui;
mod config_check;
mod demo;
mod import;
mod link;
mod refunds;
mod refunds_run;
mod review;
mod review_xlsx;
mod serve;
mod sim;
mod status;
mod sync;
mod tui;

use crate::cli::{AuditCommand, BenchCommand, Cli, Command, ConfigCommand};
use crate::config::{Config, LoadError};
use crate::store::{OpenedBy, Store, StoreError};

/// Exit codes (DESIGN.md): 0 ok, 1 user error, 2 partial failure, 3 internal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// Bad config or bad input.
    User = 1,
    /// Some source failed.
    Partial = 2,
    /// A bug or an environment failure.
    Internal = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct CommandError {
    /// Exit code.
    pub exit: Exit,
    /// Message for stderr.
    pub message: String,
}

impl CommandError {
    /// A user error (exit 1).
    pub fn user(message: impl Into<String>) -> Self {
        CommandError { exit: Exit::User, message: message.into() }
    }

    /// An internal error (exit 3).
    pub fn internal(message: impl Into<String>) -> Self {
        CommandError { exit: Exit::Internal, message: message.into() }
    }
}

impl From<LoadError> for CommandError {
    fn from(e: LoadError) -> Self {
        CommandError::user(e.to_string())
    }
}

impl From<crate::service::ServiceError> for CommandError {
    fn from(e: crate::service::ServiceError) -> Self {
        let exit = match e.exit {
            1 => Exit::User,
            2 => Exit::Partial,
            _ => Exit::Internal,
        };
        CommandError { exit, message: e.message }
    }
}

impl From<crate::refund::QueueError> for CommandError {
    fn from(e: crate::refund::QueueError) -> Self {
        crate::service::ServiceError::from(e).into()
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InUse(_) | StoreError::NewerSchema { .. } | StoreError::DataDir { .. } => {
                CommandError::user(e.to_string())
            }
            other => CommandError::internal(other.to_string()),
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Exit {
    let result = match &cli.command {
        Some(Command::Config { action: ConfigCommand::Check { json } }) => config_check::run(&cli.global, *json),
        Some(Command::Status { json }) => status::run(&cli.global, *json),
        Some(Command::Audit { action: AuditCommand::Verify { json } }) => audit::verify(&cli.global, *json),
        Some(Command::Serve) => serve::run(&cli.global),
        Some(Command::Sync(args)) => sync::run(&cli.global, args),
        Some(Command::Bench { which: BenchCommand::Sync(args) }) => bench_sync::run(args),
        Some(Command::Refunds { action }) => refunds::run(&cli.global, action),
        Some(Command::Review { action }) => review_xlsx::run(&cli.global, action),
        Some(Command::Bench { which: BenchCommand::Payout(args) }) => bench_payout::run(args),
        Some(Command::Import { what }) => import::run(&cli.global, what),
        Some(Command::Bench { which: BenchCommand::Ingest(args) }) => bench_ingest::run(args),
        Some(Command::Bench { which: BenchCommand::Rules { camps, members, days, runs, seed, json } }) => {
            let settings =
                bench_rules::RulesBench { camps: *camps, members: *members, days: *days, runs: *runs, seed: *seed };
            bench_rules::run(settings, *json)
        }
        Some(Command::Bench { which: BenchCommand::Tui(args) }) => bench_tui::run(args.rows, args.frames),
        Some(Command::Demo(args)) => demo::run(args),
        Some(Command::Sim(args)) => sim::run(args),
        Some(Command::Bench { which: BenchCommand::Sim(args) }) => bench_sim::run(args),
        Some(Command::Bench { which: BenchCommand::Match(args) }) => bench_match::run(args),
        Some(Command::Links { camp, json }) => review::links(&cli.global, camp.clone(), *json),
        Some(Command::Eligibility { camp, json }) => review::eligibility(&cli.global, camp.clone(), *json),
        Some(Command::Evaluate { camp, json }) => review::evaluate(&cli.global, camp.clone(), *json),
        Some(Command::Verdict { action }) => review::verdict(&cli.global, action),
        Some(Command::Leave { action }) => review::leave(&cli.global, action),
        Some(Command::Camp { action }) => review::camp(&cli.global, action),
        Some(Command::Link(args)) => link::run(&cli.global, args, link::Kind::Must),
        Some(Command::Unlink(args)) => link::run(&cli.global, args, link::Kind::Cannot),
        None => tui::run(&cli.global, &cli.tui),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("campdesk: {}", e.message);
            e.exit
        }
    }
}

/// Loads the config named by the global flags.
pub(crate) fn load_config(global: &crate::cli::GlobalArgs) -> Result<Config, CommandError> {
    Ok(crate::config::load_file(&global.config)?)
}

/// Opens the store in the data dir for a one-shot command.
pub(crate) fn open_store(global: &crate::cli::GlobalArgs) -> Result<Store, CommandError> {
    Ok(Store::open(&global.data, OpenedBy::Cli)?)
}

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<(), CommandError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CommandError::internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// A tokio runtime for commands that talk to the engine or the network.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))
}

/// Runs `f` with a backend: the daemon's socket when one runs, otherwise an
/// in-process engine (tasks run only on demand), shut down afterwards.
pub(crate) fn with_backend<F, Fut>(
    global: &crate::cli::GlobalArgs,
    opened_by: OpenedBy,
    f: F,
) -> Result<Exit, CommandError>
where
    F: FnOnce(std::sync::Arc<crate::service::Backend>) -> Fut,
    Fut: std::future::Future<Output = Result<Exit, CommandError>>,
{
    runtime()?.block_on(async {
        let backend = std::sync::Arc::new(crate::service::attach_or_start(global, opened_by, false).await?);
        let result = f(backend.clone()).await;
        backend.shutdown().await;
        result
    })
}

/// Who is acting: `--by`, else `$CAMPDESK_USER`, `$USER`/`$LOGNAME`, else "operator".
pub(crate) fn actor(by: Option<&str>) -> String {
    by.map(str::to_string)
        .or_else(|| std::env::var("CAMPDESK_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "operator".to_string())
}
