//! The zsxq tasks: the planet's check-in project lists (one task), and per camp its
//! project, its complete ranking list and its check-in topics. Planet users are
//! recorded from ranking rows and topic authors.

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::Timestamp;

use super::commit::{self, Apply, Pending};
use super::finals::{self, FinalPart};
use super::{JobEnv, Project, SeenUsers, Tally, internal, ranking, topics, zsxq_page};
use crate::config::Camp;
use crate::domain::{CampId, CheckinId, CheckinProject};
use crate::engine::{ErrorClass, JobError, RunContext, RunCounts, Severity, SyncJob, TaskId};
use crate::records::checkins as stored_checkins;
use crate::records::parse::PageError;
use crate::records::parse::zsxq::{parse_project_detail, parse_projects};
use crate::sources::retry::{Failure, with_retries};
use crate::sources::zsxq::{PROJECTS_PER_SCOPE, ProjectScope, ZsxqClient, classify_page_error};

fn apply_projects() -> Apply<Vec<CheckinProject>> {
    Arc::new(|tx, projects: &Vec<CheckinProject>, _| {
        let s = stored_checkins::upsert_projects(tx, projects)?;
        Ok(s.inserted + s.updated)
    })
}

/// The planet's check-in projects in all three scopes (`zsxq` task).
pub struct ProjectsJob {
    env: Arc<JobEnv>,
    client: Arc<ZsxqClient>,
}

impl ProjectsJob {
    /// The task over `client`.
    pub(crate) fn new(env: Arc<JobEnv>, client: Arc<ZsxqClient>) -> ProjectsJob {
        ProjectsJob { env, client }
    }

    async fn run_inner(&self, ctx: &RunContext) -> Result<RunCounts, JobError> {
        let env = &*self.env;
        let mut tally = Tally::default();
        let mut listed: HashSet<String> = HashSet::new();
        let mut truncated = Vec::new();
        for scope in ProjectScope::ALL {
            tally.report(ctx, &format!("check-in projects ({})", scope.as_str()));
            let what = format!("check-in projects ({})", scope.as_str());
            let (fetched, projects) = with_retries(ctx, &env.retry, &what, || async {
                let answer = self.client.projects(ctx, scope).await?;
                zsxq_page(env, &self.client, answer, parse_projects, classify_page_error).await
            })
            .await?;
            if projects.len() >= PROJECTS_PER_SCOPE {
                truncated.push(scope.as_str());
                ctx.alert(
                    Severity::Warning,
                    format!(
                        "zsxq lists {} {} check-in projects, as many as one request returns: older ones may be \
                         missing from the list (zsxq offers no paging here)",
                        projects.len(),
                        scope.as_str()
                    ),
                );
            }
            listed.extend(projects.iter().map(|p| p.checkin_id.to_string()));
            let records = projects.len() as u64;
            let pending = Pending { fetched, page: projects, records, cursor: Vec::new() };
            tally.add(
                commit::commit(env, vec![pending], apply_projects())
                    .await
                    .map_err(|e| JobError::from(e.into_failure(&what)))?,
            );
        }
        let today = env.config.day_rule.day_of(Timestamp::now());
        for camp in &env.config.camps {
            let Some(cid) = &camp.checkin_id else { continue };
            // Projects are created shortly before the first day: only a started camp must have one.
            if !listed.contains(cid.as_str()) && camp.start <= today {
                let note = if truncated.is_empty() {
                    String::new()
                } else {
                    format!(" (the {} list was cut at {PROJECTS_PER_SCOPE})", truncated.join(" and "))
                };
                ctx.alert(
                    Severity::Warning,
                    format!(
                        "camp {}: check-in project {cid} is not among the planet's projects (ongoing, closed, over){note}; \
                         check checkin_id in camps.toml",
                        camp.id
                    ),
                );
            }
        }
        Ok(tally.counts())
    }
}

impl SyncJob for ProjectsJob {
    fn id(&self) -> TaskId {
        TaskId::new("zsxq", None)
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(self.run_inner(ctx))
    }
}

/// One camp's project, ranking list and check-in topics (`zsxq:<camp>` task).
pub struct CampCheckinsJob {
    env: Arc<JobEnv>,
    client: Arc<ZsxqClient>,
    camp: CampId,
    checkin_id: CheckinId,
}

impl CampCheckinsJob {
    /// The task of `camp` (project `checkin_id`) over `client`.
    pub(crate) fn new(env: Arc<JobEnv>, client: Arc<ZsxqClient>, camp: CampId, checkin_id: CheckinId) -> Self {
        CampCheckinsJob { env, client, camp, checkin_id }
    }

    /// Stores the project; `Ok(false)` when it does not exist yet and the camp has not
    /// started (owners create the project shortly before the first day).
    async fn project(&self, ctx: &RunContext, camp: &Camp, tally: &mut Tally) -> Result<bool, JobError> {
        let env = &*self.env;
        let cid = self.checkin_id.as_str();
        let what = format!("{}: check-in project {cid}", self.camp);
        tally.report(ctx, &format!("{}: project", self.camp));
        let not_started = env.config.day_rule.day_of(Timestamp::now()) < camp.start;
        let fetched = with_retries(ctx, &env.retry, &what, || async {
            let answer = self.client.project(ctx, cid).await?;
            let parsed = zsxq_page(env, &self.client, answer, parse_project_detail, |e| match e {
                PageError::Api { code: 1007, message, .. } => Failure::config(format!(
                    "it does not exist on the planet (1007 {message}); check checkin_id in camps.toml"
                ))
                .with_code(1007),
                other => classify_page_error(other),
            })
            .await;
            match parsed {
                Err(f) if f.code == Some(1007) && not_started => Ok(None),
                other => other.map(Some),
            }
        })
        .await?;
        let Some((fetched, project)) = fetched else {
            tracing::info!(camp = %self.camp, checkin_id = cid, "the check-in project does not exist yet; the camp has not started");
            return Ok(false);
        };
        if project.checkin_id != self.checkin_id {
            return Err(JobError::new(
                ErrorClass::Data,
                format!("{what}: zsxq answered with project {}", project.checkin_id),
            ));
        }
        let pending = Pending { fetched, page: vec![project], records: 1, cursor: Vec::new() };
        tally.add(
            commit::commit(env, vec![pending], apply_projects())
                .await
                .map_err(|e| JobError::from(e.into_failure(&what)))?,
        );
        Ok(true)
    }

    async fn run_inner(&self, ctx: &RunContext) -> Result<RunCounts, JobError> {
        let env = &*self.env;
        let camp = env.config.camp(self.camp.as_str()).ok_or_else(|| {
            JobError::new(ErrorClass::Config, format!("camp {} is no longer in camps.toml", self.camp))
        })?;
        let started = Timestamp::now();
        let due = finals::final_due(&env.config, camp);
        let final_pending = started >= due && {
            let r = env.store.read().map_err(|e| internal(e.to_string()))?;
            finals::get(&r, camp.id.as_str(), FinalPart::ZsxqCheckins).map_err(|e| internal(e.to_string()))?.is_none()
        };
        if final_pending {
            tracing::info!(camp = %camp.id, "final sync of the camp's check-ins: full walk");
        }
        let mut tally = Tally::default();
        let label = camp.id.to_string();
        if !self.project(ctx, camp, &mut tally).await? {
            return Ok(tally.counts());
        }
        let mut users = SeenUsers::default();
        let project = Project { ctx, env, client: &self.client, checkin_id: &self.checkin_id, label: &label };
        let ranking = ranking::fetch(&project, final_pending, &mut tally, &mut users).await?;
        let walk = topics::walk(&project, final_pending.then_some(due), &mut tally, &mut users).await?;
        tracing::info!(
            camp = %camp.id, ranking_rows = ranking.rows, new_topics = walk.topics, full = walk.synced.full,
            "check-ins synced"
        );
        if final_pending && walk.synced.full && walk.synced.started_at >= due && ranking.started_at >= due {
            env.store
                .write_with(|tx| finals::record_completed(tx, &camp.id, FinalPart::ZsxqCheckins, due, started))
                .map_err(|e| internal(format!("recording the final check-in sync: {e}")))?;
            tracing::info!(camp = %camp.id, "final check-in sync recorded");
        }
        Ok(tally.counts())
    }
}

impl SyncJob for CampCheckinsJob {
    fn id(&self) -> TaskId {
        TaskId::new("zsxq", Some(self.camp.as_str()))
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(self.run_inner(ctx))
    }
}
