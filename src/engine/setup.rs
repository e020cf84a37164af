//! Builds the engine for a config: one sync job per configured source (and camp),
//! each with its schedule.
//!
//! | task | schedule |
//! |---|---|
//! | `zsxq` (project lists) | daily at `sync.daily_at` |
//! | `zsxq:<camp>` | daily; every `sync.interval` from the day before the camp starts until its final sync; once at the final sync; daily runs stop 14 days after it |
//! | `wecom` (bills) | daily; every `sync.interval` while any camp enrols or runs; once at each camp's final sync |
//! | `wecom:<camp>` (groups) | daily; every `sync.interval` from enrolment until the final sync; once at the final sync; daily runs stop 14 days after it |
//!
//! A camp's final sync is due at the start of the day after its last day (and its
//! make-up days), at the camp's cutoff, plus `sync.after_end` ([`finals::final_due`]).

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::{Backoff, EngineBuilder, EngineHandle, Schedule};
use crate::config::{Camp, Config};
use crate::domain::DayCutoff;
use crate::sources::jobs::{self, SourceOptions, TaskKind, finals};
use crate::sources::meter::SyncMeter;
use crate::sources::wecom::WecomClient;
use crate::store::Store;

/// Per-camp tasks keep their daily runs this long after the camp's final sync.
pub const DAILY_AFTER_FINAL: SignedDuration = SignedDuration::from_hours(14 * 24);

/// How to build the engine.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineOptions {
    /// Run tasks on their schedules (the daemon, the TUI); otherwise only on demand.
    pub scheduled: bool,
    /// How the sync jobs talk to the platforms.
    pub sources: SourceOptions,
    /// Retries of a whole failed run.
    pub backoff: Backoff,
    /// Tasks running at once.
    pub concurrency: usize,
    /// Run the evaluator beside the tasks (re-evaluates camps when records change);
    /// benchmarks and sync-only tests turn it off.
    pub evaluate: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            scheduled: false,
            sources: SourceOptions::default(),
            backoff: Backoff::default(),
            concurrency: 2,
            evaluate: true,
        }
    }
}

/// A started engine and what its jobs share.
pub struct StartedEngine {
    /// The engine.
    pub engine: EngineHandle,
    /// Where sync time goes.
    pub meter: Arc<SyncMeter>,
    /// The WeCom client (robot and app messages), when `[wecom]` is configured.
    pub wecom: Option<Arc<WecomClient>>,
}

/// Starts the engine for `config` on `store`. With `scheduled = false` tasks run
/// only on demand (one-shot CLI commands); the daemon and the TUI schedule them.
pub fn start_engine(config: &Arc<Config>, store: &Arc<Store>, scheduled: bool) -> EngineHandle {
    start_engine_with(config, store, &EngineOptions { scheduled, ..EngineOptions::default() }).engine
}

/// Starts the engine with explicit options (tests and benchmarks tune retries and pacing).
pub fn start_engine_with(config: &Arc<Config>, store: &Arc<Store>, options: &EngineOptions) -> StartedEngine {
    let plan = jobs::plan(config, store, &options.sources);
    let mut builder = EngineBuilder::new(config.day_rule.tz.clone())
        .backoff(options.backoff.clone())
        .concurrency(options.concurrency);
    for (job, kind) in plan.jobs {
        let schedule = options.scheduled.then(|| schedule_for(config, &kind));
        builder = builder.job(job, schedule);
    }
    for (id, reason) in plan.disabled {
        builder = builder.disabled(id, reason);
    }
    match store.read().map_err(|e| e.to_string()).and_then(|r| jobs::runs::all(&r).map_err(|e| e.to_string())) {
        Ok(runs) => {
            for run in runs {
                builder = builder.last_success(run.task, run.completed_at, run.counts);
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot read the sync history; every task runs as if new"),
    }
    let engine = builder.start();
    if options.evaluate {
        super::evaluator::start(&engine, store.clone(), config.clone());
    }
    StartedEngine { engine, meter: plan.meter, wecom: plan.wecom }
}

fn start_of(config: &Config, day: crate::domain::Day) -> Timestamp {
    day.start_in(&config.day_rule.tz, DayCutoff::MIDNIGHT)
}

/// When interval runs happen for a camp's check-ins: from the day before it starts
/// (projects open the evening before) until its final sync.
fn checkin_window(config: &Config, camp: &Camp) -> (Timestamp, Timestamp) {
    (start_of(config, camp.start.plus_days(-1)), finals::final_due(config, camp))
}

/// When payments and group joins happen for a camp: from enrolment until its final sync.
fn enrolment_window(config: &Config, camp: &Camp) -> (Timestamp, Timestamp) {
    (start_of(config, camp.enroll_from()), finals::final_due(config, camp))
}

/// The schedule of a task.
pub fn schedule_for(config: &Config, kind: &TaskKind) -> Schedule {
    let mut s = Schedule::daily(config.sync.daily_at);
    let camp_of = |id: &crate::domain::CampId| config.camp(id.as_str());
    match kind {
        TaskKind::Projects => {}
        TaskKind::Bills => {
            s.interval = config.sync.interval;
            s.interval_windows = config.camps.iter().map(|c| enrolment_window(config, c)).collect();
            s.once_at = config.camps.iter().map(|c| finals::final_due(config, c)).collect();
        }
        TaskKind::CampCheckins(id) | TaskKind::CampGroups(id) => {
            if let Some(camp) = camp_of(id) {
                let due = finals::final_due(config, camp);
                s.interval = config.sync.interval;
                s.interval_windows = vec![match kind {
                    TaskKind::CampCheckins(_) => checkin_window(config, camp),
                    _ => enrolment_window(config, camp),
                }];
                s.once_at = vec![due];
                s.until = due.checked_add(DAILY_AFTER_FINAL).ok();
            }
        }
    }
    s.once_at.sort();
    s.once_at.dedup();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use crate::domain::CampId;

    fn config() -> Config {
        parse_str(
            r#"
[sync]
daily_at = "01:30"
interval = "6h"
after_end = "30m"

[templates.t]
days = 10
required = 7
deposit = "39.00"

[[camps]]
id = "a"
name = "A"
template = "t"
start = "2025-10-25"
checkin_id = "11"

[[camps]]
id = "b"
name = "B"
template = "t"
start = "2025-11-10"
"#,
            std::path::Path::new("camps.toml"),
        )
        .unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn camp_tasks_run_daily_often_while_the_camp_runs_and_once_at_its_end() {
        let c = config();
        let s = schedule_for(&c, &TaskKind::CampCheckins(CampId::new("a")));
        assert_eq!(s.daily_at, DayCutoff::new(1, 30).unwrap());
        assert_eq!(s.interval, Some(SignedDuration::from_hours(6)));
        // From 2025-10-24 00:00 to 2025-11-04 00:30 Shanghai.
        assert_eq!(s.interval_windows, vec![(ts("2025-10-23T16:00:00Z"), ts("2025-11-03T16:30:00Z"))]);
        assert_eq!(s.once_at, vec![ts("2025-11-03T16:30:00Z")]);
        assert_eq!(s.until, Some(ts("2025-11-17T16:30:00Z")));
        // Groups open with enrolment (30 days before the start by default).
        let g = schedule_for(&c, &TaskKind::CampGroups(CampId::new("a")));
        assert_eq!(g.interval_windows[0].0, ts("2025-09-24T16:00:00Z"));
    }

    #[test]
    fn bills_serve_every_camp_and_projects_are_daily() {
        let c = config();
        let s = schedule_for(&c, &TaskKind::Bills);
        assert_eq!(s.once_at, vec![ts("2025-11-03T16:30:00Z"), ts("2025-11-19T16:30:00Z")]);
        assert_eq!(s.interval_windows.len(), 2);
        assert_eq!(s.until, None);
        assert_eq!(schedule_for(&c, &TaskKind::Projects), Schedule::daily(DayCutoff::new(1, 30).unwrap()));
    }
}
