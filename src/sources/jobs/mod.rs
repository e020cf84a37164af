//! The sync jobs the engine runs (one [`SyncJob`] per task):
//!
//! | task | job | what |
//! |---|---|---|
//! | `zsxq` | [`ProjectsJob`] | the planet's check-in projects, all three scopes |
//! | `zsxq:<camp>` | [`CampCheckinsJob`] | the camp's project, ranking list and check-in topics |
//! | `wecom` | [`BillsJob`] | 对外收款 bills of every camp |
//! | `wecom:<camp>` | [`CampGroupsJob`] | the camp's customer groups, as snapshots |
//!
//! Every page is fetched with retries and checks ([`crate::sources::retry`]), parsed,
//! and committed together with its cursor ([`commit`]); a killed run resumes from the
//! last commit. Each camp's final sync is recorded in [`finals`]. [`plan`] builds the
//! jobs (and the tasks that cannot run, with the reason) for a configuration.

mod bills;
mod checkins;
pub(crate) mod commit;
pub mod finals;
mod groups;
pub mod ranking;
pub mod runs;
pub mod topics;

use std::sync::Arc;
use std::time::Duration;

pub use bills::{BillsJob, LOOKBACK_DAYS, WINDOW_SECS, start_of_bills, windows as bill_windows};
pub use checkins::{CampCheckinsJob, ProjectsJob};
pub use groups::CampGroupsJob;

use super::http::HttpSettings;
use super::meter::SyncMeter;
use super::wecom::WecomClient;
use super::zsxq::ZsxqClient;
use crate::config::Config;
use crate::domain::CampId;
use crate::engine::{Backoff, ErrorClass, JobError, RunContext, RunCounts, SyncJob, TaskId};
use crate::store::Store;
use commit::Committed;

/// How the sync jobs talk to the platforms and commit.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceOptions {
    /// Timeouts of every call.
    pub http: HttpSettings,
    /// Retries of one page within a run (transient failures, stale pages).
    pub retry: Backoff,
    /// Shortest wait after WeCom's 45009 (it blocks for a minute).
    pub rate_limit_wait: Duration,
    /// Overrides `zsxq.pace` (tests and benchmarks use zero).
    pub zsxq_pace: Option<Duration>,
    /// Pages committed per transaction: 1 for paced syncs (every page its own commit);
    /// more for bulk loads, where a commit per page would dominate.
    pub pages_per_commit: usize,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            http: HttpSettings::default(),
            retry: Backoff {
                base: Duration::from_secs(5),
                cap: Duration::from_secs(120),
                max_attempts: 5,
                jitter: 0.2,
            },
            rate_limit_wait: Duration::from_secs(60),
            zsxq_pace: None,
            pages_per_commit: 1,
        }
    }
}

/// What every job of an engine shares.
pub(crate) struct JobEnv {
    pub store: Arc<Store>,
    pub config: Arc<Config>,
    pub retry: Backoff,
    pub pages_per_commit: usize,
    pub meter: Arc<SyncMeter>,
}

/// Parses a zsxq answer (see [`commit::parse`]); a token refused in the body (code 401
/// or 14210) stops the source for every task sharing `client`.
pub(crate) async fn zsxq_page<P>(
    env: &JobEnv,
    client: &ZsxqClient,
    answer: super::zsxq::ZsxqAnswer,
    parse: impl FnOnce(&[u8], &crate::records::raw::RawEntry) -> Result<P, crate::records::parse::PageError>,
    classify: impl FnOnce(&crate::records::parse::PageError) -> super::retry::Failure,
) -> Result<(commit::Fetched, P), super::retry::Failure> {
    commit::parse(env, commit::Fetched::zsxq(answer), parse, classify)
        .await
        .inspect_err(|f| client.note_token_failure(f))
}

pub(crate) fn internal(message: impl Into<String>) -> JobError {
    JobError::new(ErrorClass::Internal, message)
}

/// Counts of a run, reported as progress.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tally {
    done: Committed,
}

impl Tally {
    pub fn add(&mut self, c: Committed) {
        self.done.add(c);
    }

    /// Reports the page being fetched next.
    pub fn report(&self, ctx: &RunContext, step: &str) {
        ctx.progress(self.done.pages + 1, None, self.done.records, step);
    }

    pub fn counts(&self) -> RunCounts {
        RunCounts { pages: self.done.pages, records: self.done.records, changed: self.done.changed }
    }
}

/// One camp's project as the zsxq walks see it.
pub(crate) struct Project<'a> {
    pub ctx: &'a RunContext,
    pub env: &'a JobEnv,
    pub client: &'a ZsxqClient,
    pub checkin_id: &'a crate::domain::CheckinId,
    /// The camp id, for messages.
    pub label: &'a str,
}

/// The planet users one run has already recorded, by (id, name, alias): a later sighting
/// of the same user with the same names adds nothing (the ranking list and the topics
/// name the same people over and over).
#[derive(Debug, Default)]
pub(crate) struct SeenUsers(std::collections::HashSet<(String, Option<String>, Option<String>)>);

impl SeenUsers {
    /// Keeps only sightings not yet recorded in this run.
    pub fn keep_new(&mut self, users: &mut Vec<crate::records::planet_users::PlanetUserSighting>) {
        users.retain(|u| self.0.insert((u.user_id.to_string(), u.name.clone(), u.alias.clone())));
    }
}

/// Which task a planned job is (for its schedule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// `zsxq`: the planet's project lists.
    Projects,
    /// `zsxq:<camp>`.
    CampCheckins(CampId),
    /// `wecom`: bills of every camp.
    Bills,
    /// `wecom:<camp>`.
    CampGroups(CampId),
}

/// The jobs for a configuration.
pub struct SyncPlan {
    /// Runnable jobs, with their kind.
    pub jobs: Vec<(Arc<dyn SyncJob>, TaskKind)>,
    /// Tasks that cannot run, and why.
    pub disabled: Vec<(TaskId, String)>,
    /// Where the jobs' time goes.
    pub meter: Arc<SyncMeter>,
    /// The WeCom client (for notifications), when `[wecom]` is configured.
    pub wecom: Option<Arc<WecomClient>>,
    /// The zsxq client, when `[zsxq]` is configured.
    pub zsxq: Option<Arc<ZsxqClient>>,
}

/// Builds the sync jobs for `config` on `store`. Secrets are read when a job first needs them.
pub fn plan(config: &Arc<Config>, store: &Arc<Store>, options: &SourceOptions) -> SyncPlan {
    let meter = Arc::new(SyncMeter::default());
    let env = Arc::new(JobEnv {
        store: store.clone(),
        config: config.clone(),
        retry: options.retry.clone(),
        pages_per_commit: options.pages_per_commit.max(1),
        meter: meter.clone(),
    });
    let mut p = SyncPlan { jobs: Vec::new(), disabled: Vec::new(), meter: meter.clone(), wecom: None, zsxq: None };

    // zsxq
    let zsxq = match &config.zsxq {
        None => Err("no [zsxq] section in camps.toml".to_string()),
        Some(z) => {
            let pace = options.zsxq_pace.unwrap_or_else(|| z.pace.unsigned_abs());
            ZsxqClient::new(z, &options.http, pace, meter.clone()).map(Arc::new).map_err(|f| f.message)
        }
    };
    match &zsxq {
        Ok(client) => {
            p.zsxq = Some(client.clone());
            p.jobs.push((Arc::new(ProjectsJob::new(env.clone(), client.clone())), TaskKind::Projects));
        }
        Err(reason) => p.disabled.push((TaskId::new("zsxq", None), reason.clone())),
    }
    for camp in &config.camps {
        let id = TaskId::new("zsxq", Some(camp.id.as_str()));
        match (&camp.checkin_id, &zsxq) {
            (None, _) => p.disabled.push((id, format!("camp {} has no checkin_id", camp.id))),
            (Some(_), Err(reason)) => p.disabled.push((id, reason.clone())),
            (Some(cid), Ok(client)) => p.jobs.push((
                Arc::new(CampCheckinsJob::new(env.clone(), client.clone(), camp.id.clone(), cid.clone())),
                TaskKind::CampCheckins(camp.id.clone()),
            )),
        }
    }

    // WeCom
    let wecom = match &config.wecom {
        None => Err("no [wecom] section in camps.toml".to_string()),
        Some(w) => WecomClient::new(w, &options.http, options.retry.clone(), options.rate_limit_wait, meter.clone())
            .map(Arc::new)
            .map_err(|f| f.message),
    };
    match &wecom {
        Ok(client) => {
            p.wecom = Some(client.clone());
            p.jobs.push((Arc::new(BillsJob::new(env.clone(), client.clone())), TaskKind::Bills));
        }
        Err(reason) => p.disabled.push((TaskId::new("wecom", None), reason.clone())),
    }
    for camp in &config.camps {
        let id = TaskId::new("wecom", Some(camp.id.as_str()));
        match (camp.group_chats.is_empty(), &wecom) {
            (true, _) => p.disabled.push((id, format!("camp {} has no group_chats", camp.id))),
            (false, Err(reason)) => p.disabled.push((id, reason.clone())),
            (false, Ok(client)) => p.jobs.push((
                Arc::new(CampGroupsJob::new(env.clone(), client.clone(), camp.id.clone())),
                TaskKind::CampGroups(camp.id.clone()),
            )),
        }
    }
    let store = store.clone();
    p.jobs = p.jobs.into_iter().map(|(job, kind)| (runs::Recorded::wrap(job, store.clone()), kind)).collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PlanetUserId, SourceRef};
    use crate::records::planet_users::PlanetUserSighting;

    fn sighting(id: &str, name: &str) -> PlanetUserSighting {
        PlanetUserSighting::named(
            PlanetUserId::new(id),
            name.to_string(),
            None,
            "2025-11-04T01:00:00Z".parse().unwrap(),
            SourceRef { raw_id: "r".into(), position: None },
        )
    }

    #[test]
    fn a_user_is_recorded_once_per_name_in_a_run() {
        let mut seen = SeenUsers::default();
        let mut first = vec![sighting("1", "阿明"), sighting("2", "小红"), sighting("1", "阿明")];
        seen.keep_new(&mut first);
        assert_eq!(first.len(), 2);
        let mut later = vec![sighting("1", "阿明"), sighting("2", "小红🌱")];
        seen.keep_new(&mut later);
        assert_eq!(later.len(), 1, "a rename is kept");
        assert_eq!(later[0].name.as_deref(), Some("小红🌱"));
    }
}
