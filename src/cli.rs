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
    /// Run the simulators of zsxq, WeCom and WeChat Pay on 127.0.0.1 (until Ctrl-C).
    Sim(SimArgs),
    /// Benchmarks that print their figures (build with --release).
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

/// `campdesk sim` options.
#[derive(Clone, Debug, Args)]
pub struct SimArgs {
    /// Port of the zsxq simulator; WeCom and WeChat Pay take the next two. 0: random free ports.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed of the generated community (same seed, same data).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Persons in the community (50 to 100 000).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub members: u32,
    /// Fault rules, e.g. "zsxq/ranking:1059@2; wecom:-1@10%; wxpay/refund:lost@1".
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// The community's "today" (camps ended, running and starting around it). Default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub anchor: Option<String>,
    /// Write camps.toml and secrets/ here (default: a private temp dir, removed on exit).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Keep the sim clock still (move it with POST /_sim/clock); default: it follows real time.
    #[arg(long)]
    pub manual_clock: bool,
    /// Print one JSON object (urls, config path, camps) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `campdesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Simulators: community generation, world build, and paging every endpoint over loopback HTTP.
    Sim(BenchSimArgs),
}

/// `campdesk bench sim` options.
#[derive(Clone, Debug, Args)]
pub struct BenchSimArgs {
    /// Persons in the community.
    #[arg(long, default_value_t = 100_000)]
    pub members: usize,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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
