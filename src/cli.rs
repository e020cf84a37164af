//! The command line (clap derive). Global `--config` and `--data` work before or
//! after the subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// campdesk: deposit-backed check-in camps, from payment to reconciled refund.
#[derive(Debug, Parser)]
#[command(name = "campdesk", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every subcommand accepts.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// The camps file.
    #[arg(long, global = true, env = "CAMPDESK_CONFIG", default_value = "camps.toml", value_name = "FILE")]
    pub config: PathBuf,
    /// The data dir (store, socket, logs).
    #[arg(long, global = true, env = "CAMPDESK_DATA", default_value = "data", value_name = "DIR")]
    pub data: PathBuf,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate camps.toml.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
    /// Config and store facts (camps, schema version, record counts).
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Benchmarks that print their figures (build with --release).
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

/// `campdesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time the check-in rules on generated camps (verdicts, anomalies, progress).
    Rules {
        /// Camps evaluated together.
        #[arg(long, default_value_t = 10)]
        camps: usize,
        /// Paying members per camp.
        #[arg(long, default_value_t = 1000)]
        members: usize,
        /// Days per camp.
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// Timed repetitions (after one warm-up).
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Seed of the generated community.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `campdesk config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check camps.toml and list its camps; exit 1 with line:col errors.
    Check {
        /// Print the camps as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `campdesk audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first broken link.
    Verify {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}
