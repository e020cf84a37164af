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
    #[command(flatten)]
    pub tui: TuiArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags of the full-screen workstation (`campdesk` with no subcommand).
#[derive(Clone, Debug, Default, Args)]
pub struct TuiArgs {
    /// Capture the mouse: wheel scrolls, click picks (Shift-drag still selects text).
    #[arg(long)]
    pub mouse: bool,
    /// Key bindings and display options (default: keys.toml next to camps.toml).
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
    /// Test entry: run the TUI on built-in UI fixture data ("zh" or "en"); no config, no store.
    #[arg(long, hide = true, value_name = "LANG", num_args = 0..=1, default_missing_value = "zh")]
    pub tui_fixture: Option<String>,
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
    /// Engine, config and store facts: every sync task's state, alerts, schema version.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run headless: sync on schedule, serve the socket (systemd Type=notify).
    Serve,
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
}

/// `campdesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// TUI frame render time with a large refund queue, and key-to-screen latency.
    Tui(BenchTuiArgs),
}

/// `campdesk bench tui` options.
#[derive(Clone, Debug, Args)]
pub struct BenchTuiArgs {
    /// Rows in the refund queue.
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// Frames to render per measurement.
    #[arg(long, default_value_t = 200)]
    pub frames: usize,
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
