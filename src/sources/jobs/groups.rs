//! The WeCom customer-groups task of one camp: `externalcontact/groupchat/get` (with
//! member names) for each of the camp's `group_chats`, each answer applied as a
//! snapshot, so joins, leaves, returns and renames are derived by the records layer. A
//! snapshot older than the one stored (another camp sharing the group got there first)
//! is skipped. A group WeCom does not know is a configuration error that lists the
//! customer groups the app does see.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use jiff::Timestamp;

use super::commit::{self, Apply, Fetched, Pending};
use super::finals::{self, FinalPart};
use super::{JobEnv, Tally, internal};
use crate::domain::CampId;
use crate::engine::{ErrorClass, JobError, RunContext, RunCounts, SyncJob, TaskId};
use crate::records::groups;
use crate::records::parse::wecom::{parse_group_chat, parse_group_list};
use crate::records::snapshot::GroupSnapshot;
use crate::sources::retry::{Failure, Judgement, fetch_until_accepted};
use crate::sources::wecom::{WecomClient, classify_page_error};

/// Pages of `groupchat/list` read to name the groups the app sees.
const LIST_PAGES: usize = 10;

fn apply() -> Apply<GroupSnapshot> {
    Arc::new(|tx, snap: &GroupSnapshot, _| {
        if let Some(info) = groups::group(tx, snap.chat_id.as_str())?
            && info.last_snapshot_at > snap.taken_at
        {
            return Ok(0);
        }
        let s = groups::apply_snapshot(tx, snap)?;
        // Every snapshot moves members' last_seen: count what happened (joins, leaves, renames).
        Ok(s.joined + s.left + s.renamed)
    })
}

/// The customer-groups task of one camp.
pub struct CampGroupsJob {
    env: Arc<JobEnv>,
    client: Arc<WecomClient>,
    camp: CampId,
}

impl CampGroupsJob {
    /// The task of `camp` over `client`.
    pub(crate) fn new(env: Arc<JobEnv>, client: Arc<WecomClient>, camp: CampId) -> CampGroupsJob {
        CampGroupsJob { env, client, camp }
    }

    /// Chat ids of the customer groups the app sees (best effort, for messages).
    async fn visible_groups(&self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..LIST_PAGES {
            let answer = self.client.group_list_page(cursor.as_deref()).await.ok()?;
            let page = parse_group_list(&answer.response.body).ok()?;
            out.extend(page.groups.into_iter().map(|(id, _)| id.to_string()));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Some(out),
            }
        }
        Some(out)
    }

    async fn unknown_group(&self, chat: &str, f: Failure) -> Failure {
        let seen = match self.visible_groups().await {
            Some(ids) if ids.is_empty() => "; the app sees no customer groups at all".to_string(),
            Some(ids) => {
                let shown: Vec<&str> = ids.iter().take(8).map(String::as_str).collect();
                let more = if ids.len() > shown.len() {
                    format!(" and {} more", ids.len() - shown.len())
                } else {
                    String::new()
                };
                format!("; the app sees these customer groups: {}{more}", shown.join(", "))
            }
            None => String::new(),
        };
        Failure::config(format!(
            "camp {}: group chat {chat} in group_chats is unknown to WeCom ({}){seen}",
            self.camp, f.message
        ))
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
            finals::get(&r, camp.id.as_str(), FinalPart::WecomGroups).map_err(|e| internal(e.to_string()))?.is_none()
        };
        let mut tally = Tally::default();
        let n = camp.group_chats.len();
        for (i, chat) in camp.group_chats.iter().enumerate() {
            tally.report(ctx, &format!("{}: group {} of {n}", camp.id, i + 1));
            let chat = chat.as_str();
            let what = format!("{}: group {chat}", camp.id);
            let (fetched, snap) = fetch_until_accepted(
                ctx,
                &env.retry,
                &what,
                || async {
                    let answer = match self.client.group_chat(chat).await {
                        Ok(a) => a,
                        Err(f) if matches!(f.code, Some(40050 | 86003)) => {
                            return Err(self.unknown_group(chat, f).await);
                        }
                        Err(f) => return Err(f),
                    };
                    commit::parse(env, Fetched::wecom(answer), parse_group_chat, |e| {
                        classify_page_error(e, "externalcontact/groupchat/get", self.client.corp_id())
                    })
                    .await
                },
                |(_, s)| {
                    if s.chat_id.as_str() == chat {
                        Judgement::Accept
                    } else {
                        Judgement::Reject(format!("the answer is about group {}, not {chat}", s.chat_id))
                    }
                },
                |_, _| false,
            )
            .await?;
            let records = snap.members.len() as u64;
            let pending = Pending { fetched, page: snap, records, cursor: Vec::new() };
            tally.add(
                commit::commit(env, vec![pending], apply()).await.map_err(|e| JobError::from(e.into_failure(&what)))?,
            );
        }
        if final_pending {
            env.store
                .write_with(|tx| finals::record_completed(tx, &camp.id, FinalPart::WecomGroups, due, started))
                .map_err(|e| internal(format!("recording the final group sync: {e}")))?;
            tracing::info!(camp = %camp.id, "final group sync recorded");
        }
        Ok(tally.counts())
    }
}

impl SyncJob for CampGroupsJob {
    fn id(&self) -> TaskId {
        TaskId::new("wecom", Some(self.camp.as_str()))
    }

    fn run<'a>(&'a self, ctx: &'a RunContext) -> BoxFuture<'a, Result<RunCounts, JobError>> {
        Box::pin(self.run_inner(ctx))
    }
}
