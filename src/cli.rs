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
    /// Link a payment to a planet user: a human must-link, never overwritten by a re-run.
    Link(LinkArgs),
    /// Record that a payment is not a planet user: a human cannot-link (undoes a link).
    Unlink(LinkArgs),
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

/// `campdesk link|unlink TRANSACTION_ID PLANET_USER_ID`
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The payment's transaction id (交易单号).
    pub transaction_id: String,
    /// The planet user's user_id.
    pub planet_user_id: String,
    /// Why; kept with the decision and in the audit log.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Who decides (default: $CAMPDESK_USER, else $USER).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// The payer's external_userid, if you know it (lets the decision follow the payer to later camps).
    #[arg(long, value_name = "ID")]
    pub external_userid: Option<String>,
    /// Apply to every payment of this payer, not just this one (needs the payer's external_userid).
    #[arg(long)]
    pub person: bool,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `campdesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Identity matching on generated communities: precision, recall, review share, time and
    /// peak memory, then the naive all-pairs baseline.
    Match(BenchMatchArgs),
}

/// `campdesk bench match`
#[derive(Debug, Args)]
pub struct BenchMatchArgs {
    /// Persons in the large community (each a payer or a planet-only member).
    #[arg(long, default_value_t = 100_000)]
    pub persons: usize,
    /// Payers per camp.
    #[arg(long, default_value_t = 1000)]
    pub camp_size: usize,
    /// Persons in the all-pairs baseline (one camp; 0 skips it).
    #[arg(long, default_value_t = 5000)]
    pub baseline_persons: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads matching camps in parallel.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Also measure the large community with the lenient uniqueness gate
    /// (participant-weighted; more auto links, less safe).
    #[arg(long)]
    pub lenient: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
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
