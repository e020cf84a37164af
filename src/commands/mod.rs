//! Subcommand implementations. Each returns an [`Exit`] or a [`CommandError`];
//! `run` prints errors once, on stderr, and maps them to exit codes.

mod audit;
mod bench;
mod bench_match;
mod config_check;
mod link;
mod status;

use crate::cli::{AuditCommand, Cli, Command, ConfigCommand};
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
        Some(Command::Link(args)) => link::run(&cli.global, args, link::Kind::Must),
        Some(Command::Unlink(args)) => link::run(&cli.global, args, link::Kind::Cannot),
        Some(Command::Bench { which }) => bench::run(which),
        None => Err(CommandError::user(
            "no command given; run `campdesk --help` for the list (the full-screen workstation is not part of this build yet)",
        )),
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
