//! What every engine task is doing, published live to the front ends.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A sync task: one source for one camp (or for all camps, `camp = None`), optionally one
/// named part of a source (`zsxq/members`: planet-wide, beside the `zsxq` project lists).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskId {
    /// `zsxq`, `wecom`, …
    pub source: String,
    /// The camp, when the task is per camp.
    pub camp: Option<String>,
    /// A named part of the source (`members`), when a source has more than one task per scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
}

impl TaskId {
    /// A task of `source` for `camp`.
    pub fn new(source: impl Into<String>, camp: Option<&str>) -> TaskId {
        TaskId { source: source.into(), camp: camp.map(str::to_string), part: None }
    }

    /// The source-wide task `part` of `source` (shown as `source/part`).
    pub fn part(source: impl Into<String>, part: impl Into<String>) -> TaskId {
        TaskId { source: source.into(), camp: None, part: Some(part.into()) }
    }
}

impl std::fmt::Display for TaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)?;
        if let Some(p) = &self.part {
            write!(f, "/{p}")?;
        }
        if let Some(c) = &self.camp {
            write!(f, ":{c}")?;
        }
        Ok(())
    }
}

/// How an error should be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient (rate limit, 5xx, timeout, 1059, -1, 45009): back off and retry.
    Retryable,
    /// The token or login is invalid or expired: stop this source and alert.
    Token,
    /// Configuration the owner must fix (IP allow-list, app not authorised, wrong id).
    Config,
    /// The platform sent something campdesk cannot accept (bad record, unknown code).
    Data,
    /// A bug or local failure (store, disk).
    Internal,
}

impl ErrorClass {
    /// A short Chinese/English label for status lines.
    pub fn label(self) -> &'static str {
        match self {
            ErrorClass::Retryable => "transient",
            ErrorClass::Token => "token",
            ErrorClass::Config => "config",
            ErrorClass::Data => "data",
            ErrorClass::Internal => "internal",
        }
    }
}

/// Counts of what a run brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCounts {
    /// Pages (requests) fetched.
    pub pages: u64,
    /// Records seen.
    pub records: u64,
    /// Records new or changed.
    pub changed: u64,
}

/// The life cycle of one task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskState {
    /// Waiting for its next run.
    Idle,
    /// Running now.
    Running {
        /// Since when.
        since: Timestamp,
        /// Current page (1-based).
        page: u64,
        /// Total pages, when known.
        pages_total: Option<u64>,
        /// Records so far.
        records: u64,
        /// What it is fetching, e.g. "topics of 2510-xhs".
        step: String,
    },
    /// Waiting before a retry.
    BackingOff {
        /// Until when.
        until: Timestamp,
        /// Attempt that failed (1-based).
        attempt: u32,
        /// Why.
        reason: String,
    },
    /// Gave up until the next schedule or a manual "sync now".
    Failed {
        /// The error class.
        class: ErrorClass,
        /// What happened.
        message: String,
        /// When.
        at: Timestamp,
    },
    /// Not configured (e.g. no `[zsxq]` section), with the reason.
    Disabled {
        /// Why.
        reason: String,
    },
}

/// One task's status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus {
    /// Which task.
    pub id: TaskId,
    /// What it is doing.
    pub state: TaskState,
    /// When it last finished without error.
    pub last_success: Option<Timestamp>,
    /// What that run brought in.
    pub last_counts: RunCounts,
    /// When it runs next.
    pub next_run: Option<Timestamp>,
    /// Whether a manual run is queued behind the current one.
    pub queued: bool,
}

impl TaskStatus {
    /// A fresh, idle status.
    pub fn new(id: TaskId) -> TaskStatus {
        TaskStatus {
            id,
            state: TaskState::Idle,
            last_success: None,
            last_counts: RunCounts::default(),
            next_run: None,
            queued: false,
        }
    }
}

/// How bad an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Needs attention soon (token expiring, retries).
    Warning,
    /// Needs attention now (sync failed, refund failed).
    Error,
}

/// Something an admin should know; also sent through the WeCom robot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// When.
    pub at: Timestamp,
    /// How bad.
    pub severity: Severity,
    /// Which task or area (`zsxq:2510-xhs`, `refunds`).
    pub source: String,
    /// What happened and what to do.
    pub message: String,
}

/// Everything the front ends render about the engine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EngineStatus {
    /// Every task, sorted by id.
    pub tasks: Vec<TaskStatus>,
    /// Recent alerts, newest last (bounded).
    pub alerts: Vec<Alert>,
    /// Bumped whenever what the views show changed (evaluations, decisions,
    /// refund states), so front ends know to reload.
    pub data_version: u64,
    /// Bumped whenever platform records changed (sync, import), so the
    /// evaluator knows to re-evaluate.
    #[serde(default)]
    pub records_version: u64,
}

/// How many alerts the status keeps.
pub const MAX_ALERTS: usize = 50;

impl EngineStatus {
    /// The task with `id`, if any.
    pub fn task(&self, id: &TaskId) -> Option<&TaskStatus> {
        self.tasks.iter().find(|t| &t.id == id)
    }

    /// Records an alert, dropping the oldest beyond [`MAX_ALERTS`].
    pub fn push_alert(&mut self, alert: Alert) {
        self.alerts.push(alert);
        if self.alerts.len() > MAX_ALERTS {
            let extra = self.alerts.len() - MAX_ALERTS;
            self.alerts.drain(..extra);
        }
    }
}
