//! The command line (clap derive). Global `--config` and `--data` work before or
//! after the subcommand.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// campdesk: deposit-backed check-in camps, from payment to reconciled refund.
#[derive(Debug, Parser)]
#[command(
    name = "campdesk",
    version,
    about,
    long_about = None,
    after_help = "Without a subcommand, campdesk opens the workstation (attached to a running `campdesk serve`, \
                  or with its own engine). New here? Run `campdesk demo`."
)]
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
    /// The whole product on the built-in simulators: a generated community, a temporary data dir, the workstation.
    Demo(DemoArgs),
    /// Validate camps.toml.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
    /// Sync zsxq check-ins and WeCom bills and groups now: `--once` runs one full pass and waits.
    Sync(SyncArgs),
    /// Engine, config and store facts: every sync task's state, alerts, schema version.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run headless: sync on schedule, serve the socket (systemd Type=notify).
    Serve,
    /// Import a csv or xlsx file (all-or-nothing): payments, members or check-ins.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// One object per payment: who it is linked to, how sure, and why.
    Links {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Print JSON (DESIGN.md contract).
        #[arg(long)]
        json: bool,
    },
    /// Link a payment to a planet user: a human must-link, never overwritten by a re-run.
    Link(LinkArgs),
    /// Record that a payment is not a planet user: a human cannot-link (undoes a link).
    Unlink(LinkArgs),
    /// Re-run matching and the rules now (normally automatic after every sync).
    Evaluate {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One verdict per payment of a camp: pass, borderline, fail or unlinked, with the days.
    Eligibility {
        /// The camp.
        #[arg(long, value_name = "ID")]
        camp: String,
        /// Print JSON (DESIGN.md contract).
        #[arg(long)]
        json: bool,
    },
    /// A reviewer's verdict on a payment: pass or fail (with a reason), or clear it.
    Verdict {
        #[command(subcommand)]
        action: VerdictCommand,
    },
    /// Excuse a camp day for a member (请假), or take it back.
    Leave {
        #[command(subcommand)]
        action: LeaveCommand,
    },
    /// Freeze or re-open a finished camp's check-in inputs.
    Camp {
        #[command(subcommand)]
        action: CampCommand,
    },
    /// The refund queue: list, approve, reject, undo, settle offline, run, retry, worklist, ledger.
    Refunds {
        #[command(subcommand)]
        action: RefundsCommand,
    },
    /// The Excel review round trip: export a camp's queue, import the decisions.
    Review {
        #[command(subcommand)]
        action: ReviewCommand,
    },
    /// Figures per camp and period: members, participation and completion, deposits
    /// reconciled to the fen, refunds, coaches and volunteers, check-ins per day.
    Report(ReportArgs),
    /// Write a payment's evidence bundle for a dispute: summary.md (Chinese), the archived
    /// platform pages byte for byte, and MANIFEST.sha256 (`sha256sum -c` verifies it).
    Evidence {
        /// The payment's transaction id (交易单号).
        transaction_id: String,
        /// The folder to create (must be new or empty).
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
        /// Print what was written as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Retention: erase or pseudonymise the personal data of camps closed longer than
    /// retention_months (money, decisions and the audit chain stay), then compact the store.
    Purge {
        /// Show what would go, write nothing (works while `campdesk serve` runs).
        #[arg(long)]
        dry_run: bool,
        /// Who runs it, for the audit log (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
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

impl Command {
    /// Whether the command is a one-shot that prints to stdout (not the daemon).
    pub fn prints_to_stdout(&self) -> bool {
        !matches!(self, Command::Serve)
    }
}

/// `campdesk sync` options.
#[derive(Clone, Debug, Args)]
pub struct SyncArgs {
    /// Run one full pass of the selected tasks, wait for it and report each task (without
    /// it, a running daemon is only asked to sync soon).
    #[arg(long)]
    pub once: bool,
    /// Only this platform's tasks.
    #[arg(long, value_enum, default_value_t = SyncSource::All)]
    pub source: SyncSource,
    /// Only this camp's tasks (tasks for all camps, like the bill list, run too).
    #[arg(long, value_name = "ID")]
    pub camp: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which platform `campdesk sync` syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncSource {
    /// Knowledge Planet: check-in projects, ranking lists, check-ins.
    Zsxq,
    /// WeCom: bills and customer groups.
    Wecom,
    /// Both.
    All,
}

impl SyncSource {
    /// The source name tasks use.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncSource::Zsxq => "zsxq",
            SyncSource::Wecom => "wecom",
            SyncSource::All => "all",
        }
    }
}

/// `campdesk bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// TUI frame render time with a large refund queue, and key-to-screen latency.
    Tui(BenchTuiArgs),
    /// Identity matching on generated communities: precision, recall, review share, time and
    /// peak memory, then the naive all-pairs baseline.
    Match(BenchMatchArgs),
    /// Simulators: community generation, world build, and paging every endpoint over loopback HTTP.
    Sim(BenchSimArgs),
    /// Archive, parse and store generated zsxq/WeCom pages into a file-backed store in a temp dir.
    Ingest(BenchIngestArgs),
    /// Refund execution against the WeChat Pay simulator: refunds per second, queries, the ledger.
    Payout(BenchPayoutArgs),
    /// Sync a generated community from the simulators into a file-backed store: records/s and time outside the network.
    Sync(BenchSyncArgs),
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

/// `campdesk bench ingest` options.
#[derive(Clone, Debug, Args)]
pub struct BenchIngestArgs {
    /// Check-in topics to ingest (zsxq pages of 20).
    #[arg(long, default_value_t = 100_000)]
    pub topics: usize,
    /// Payments to ingest (WeCom bill pages of 1000).
    #[arg(long, default_value_t = 100_000)]
    pub payments: usize,
    /// Group members to ingest (WeCom groups of 500).
    #[arg(long, default_value_t = 100_000)]
    pub members: usize,
    /// Pages per write transaction (about 1000 topics at the default; 1 = one commit
    /// per page, as a paced sync run does).
    #[arg(long, default_value_t = 50)]
    pub pages_per_tx: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `campdesk report` options.
#[derive(Clone, Debug, Default, Args)]
pub struct ReportArgs {
    /// Only this camp.
    #[arg(long, value_name = "ID")]
    pub camp: Option<String>,
    /// Camps whose first day is on or after this day (YYYY-MM-DD); needs --to.
    #[arg(long, value_name = "DAY", requires = "to", conflicts_with_all = ["this_month", "last_month"])]
    pub from: Option<String>,
    /// Camps whose first day is on or before this day (YYYY-MM-DD); needs --from.
    #[arg(long, value_name = "DAY", requires = "from")]
    pub to: Option<String>,
    /// Camps starting this calendar month (Asia/Shanghai).
    #[arg(long, conflicts_with = "last_month")]
    pub this_month: bool,
    /// Camps that started last calendar month.
    #[arg(long)]
    pub last_month: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Write an xlsx workbook (summary sheet, one sheet per camp with its members).
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// Write one csv file per table into this directory (UTF-8 with BOM).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
}

/// `campdesk bench sync` options.
#[derive(Clone, Debug, Args)]
pub struct BenchSyncArgs {
    /// Persons in the generated community (about one camp per 1000).
    #[arg(long, default_value_t = 100_000)]
    pub members: usize,
    /// Pages committed per write transaction (1 = every page its own commit, as a paced daily sync does).
    #[arg(long, default_value_t = 50)]
    pub pages_per_commit: usize,
    /// Seed of the community.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `campdesk import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// WeCom 对外收款 export (交易单号, 付款人, 备注, 金额, 支付时间 …) or canonical columns.
    Payments(ImportArgs),
    /// zsxq member export (成员编号, 用户昵称, 微信昵称, 星球名片昵称 …) or canonical columns.
    Members(ImportArgs),
    /// Check-ins in canonical columns (user_id, create_time, topic_id, text …).
    Checkins(ImportArgs),
}

/// Arguments of every `campdesk import` kind.
#[derive(Clone, Debug, Args)]
pub struct ImportArgs {
    /// The csv or spreadsheet file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The camp the file belongs to.
    #[arg(long, value_name = "ID")]
    pub camp: String,
    /// Who imports it, for the audit log (default: $CAMPDESK_USER, else $USER).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Check the file and count what would change, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
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

/// `campdesk refunds …`
#[derive(Debug, Subcommand)]
pub enum RefundsCommand {
    /// List the queue.
    List {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Only this state (proposed, approved, rejected, submitted, succeeded, failed, settled_offline).
        #[arg(long)]
        state: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve refunds by id, or every clear pass of a camp.
    Approve {
        /// Refund ids.
        ids: Vec<String>,
        /// With --all-passed: the camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Every proposed full-deposit refund of --camp that needs no explicit decision.
        #[arg(long, requires = "camp")]
        all_passed: bool,
        /// Who approves (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// A note kept with the approval.
        #[arg(long)]
        note: Option<String>,
        /// Go ahead even when the batch exceeds the camp's batch_cap.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reject refunds, with a reason.
    Reject {
        /// Refund ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Why (required).
        #[arg(long)]
        reason: String,
        /// Who rejects (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Take back an approval or rejection while nothing has been paid.
    Undo {
        /// Refund id.
        id: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Record that a failed refund was paid by hand, with evidence.
    SettleOffline {
        /// Refund id.
        id: String,
        /// The evidence: transfer reference, screenshot name, who paid.
        #[arg(long)]
        evidence: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Execute approved refunds now (wxpay camps; submitted ones are queried first) and print the outcomes.
    Run {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send a failed refund again with the same out_refund_no (a new one after CLOSED).
    Retry {
        /// Refund id.
        id: String,
        /// Who decides (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The worklist of refunds to do by hand in the WeCom client, newest payment first (issues them).
    Worklist {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Only look: do not mark approved refunds as issued.
        #[arg(long)]
        peek: bool,
        /// Who takes the list (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Per-camp ledger: collected = refunded + forfeited + pending + anomalies.
    Ledger {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Match the refunds on stored WeCom bills to the queue now.
    Reconcile {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Reconciliation findings (wrong amount, unapproved, wrong bill, over-refund).
    Findings {
        /// Only this camp.
        #[arg(long, value_name = "ID")]
        camp: Option<String>,
        /// Include resolved findings.
        #[arg(long)]
        all: bool,
        /// Resolve this finding (with --note).
        #[arg(long, value_name = "FINDING")]
        resolve: Option<String>,
        /// What was done about it.
        #[arg(long)]
        note: Option<String>,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Texts to send members whose deposit came back, and the camp summary.
    Texts {
        /// The camp.
        #[arg(long, value_name = "ID")]
        camp: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Admin messages waiting for (or done with) delivery.
    Outbox {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `campdesk review …`
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Write a camp's refund queue as an xlsx workbook with an empty decision column.
    Export {
        /// The camp.
        #[arg(long, value_name = "ID")]
        camp: String,
        /// The file to write.
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
    },
    /// Apply the decisions (同意 / 拒绝 + 理由) of an exported workbook, all or nothing.
    Import {
        /// The filled-in workbook.
        #[arg(value_name = "FILE.xlsx")]
        file: PathBuf,
        /// Who decides (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// Go ahead even when the approvals exceed the camp's batch_cap.
        #[arg(long)]
        yes: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `campdesk bench payout` options.
#[derive(Clone, Debug, Args)]
pub struct BenchPayoutArgs {
    /// Approved refunds to execute.
    #[arg(long, default_value_t = 1000)]
    pub refunds: usize,
    /// Seed of the generated data.
    #[arg(long, default_value_t = 5)]
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
    /// Extra seeds measured on smaller communities (seed+1 … seed+N), to show the
    /// figures are not one lucky seed (0 skips them).
    #[arg(long, default_value_t = 5)]
    pub seeds: u64,
    /// Persons in each extra-seed community.
    #[arg(long, default_value_t = 1000)]
    pub seed_persons: usize,
    /// Payers per camp in the extra-seed communities.
    #[arg(long, default_value_t = 250)]
    pub seed_camp_size: usize,
    /// Skip the runs without the member export.
    #[arg(long)]
    pub export_only: bool,
    /// Share of payers who were planet members long before paying (overrides the
    /// generator's default, to measure how much the planet join time carries).
    #[arg(long, value_name = "SHARE")]
    pub existing_members: Option<f64>,
    /// Match every camp without the other camps' automatic links (as the first
    /// evaluation of a planet does), instead of leaning on those of a first pass.
    #[arg(long)]
    pub no_earlier_links: bool,
    /// Also print, per run, the payments of one kind with everything behind them
    /// (payer, linked and true user, the person's noise, every signal).
    #[arg(long, value_enum)]
    pub dump: Option<MatchDump>,
    /// Also print a SHA-256 over every camp's links, cards and reasons (to check that a
    /// change to the matcher's speed left its results exactly as they were).
    #[arg(long)]
    pub digest: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which payments `bench match --dump` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchDump {
    /// Automatic links to the wrong planet user.
    Wrong,
    /// Payments whose payer has a planet account and checks in, left to a person.
    Review,
    /// Payments whose payer has a planet account but never checks in, left to a person.
    Absent,
}

/// `campdesk verdict …`
#[derive(Debug, Subcommand)]
pub enum VerdictCommand {
    /// Pass a payment (the deposit comes back).
    Pass(VerdictArgs),
    /// Fail a payment (the deposit is forfeited).
    Fail(VerdictArgs),
    /// Remove the reviewer's verdict; the computed one applies again.
    Clear {
        /// The payment.
        transaction_id: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

/// `campdesk verdict pass|fail TRANSACTION_ID --reason TEXT`
#[derive(Debug, Args)]
pub struct VerdictArgs {
    /// The payment.
    pub transaction_id: String,
    /// Why (required).
    #[arg(long)]
    pub reason: String,
    /// Who decides (default: $CAMPDESK_USER, else $USER).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// `campdesk leave …`
#[derive(Debug, Subcommand)]
pub enum LeaveCommand {
    /// Excuse a day: it counts as checked in.
    Add {
        /// The member's planet user_id.
        planet_user_id: String,
        /// The camp day, YYYY-MM-DD.
        day: String,
        /// The camp.
        #[arg(long, value_name = "ID")]
        camp: String,
        /// Why (required).
        #[arg(long)]
        reason: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Take an excuse back.
    Remove {
        /// The member's planet user_id.
        planet_user_id: String,
        /// The camp day, YYYY-MM-DD.
        day: String,
        /// The camp.
        #[arg(long, value_name = "ID")]
        camp: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

/// `campdesk camp …`
#[derive(Debug, Subcommand)]
pub enum CampCommand {
    /// Freeze a finished camp's check-in inputs now.
    Freeze {
        /// The camp.
        id: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Re-open a frozen camp (audited; needs a reason).
    Reopen {
        /// The camp.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Who (default: $CAMPDESK_USER, else $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
}

/// `campdesk demo` options.
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generated community (same seed, same data).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Persons in the community.
    #[arg(long, default_value_t = 300)]
    pub members: usize,
    /// No terminal: sync, match, judge, approve and pay, then print a summary.
    #[arg(long)]
    pub headless: bool,
    /// Keep the demo's files here instead of a temporary dir: camps.toml, secrets/, member_export.xlsx
    /// and data/ (afterwards e.g. `campdesk --config DIR/camps.toml --data DIR/data report`).
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Capture the mouse in the workstation.
    #[arg(long)]
    pub mouse: bool,
    /// Key bindings file for the workstation.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
}
