//! Reads what a report needs from the store (stored evaluations, the refund
//! queue, links, payments, group members, planet names) and hands it to the
//! pure [`figures`](super::figures).

use std::collections::HashMap;

use jiff::Timestamp;

use super::figures::{self, CampData, Report};
use super::period::Period;
use crate::config::{Camp, Config};
use crate::records::{self, Reads};
use crate::refund::queue;
use crate::store::{ReadTx, StoreError};
use crate::{links, verdicts};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// `--camp` names no camp of camps.toml.
    #[error("unknown camp `{camp}`; the camps are: {known}")]
    UnknownCamp {
        /// What was asked for.
        camp: String,
        /// The configured camp ids.
        known: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A record could not be read.
    #[error("{0}")]
    Records(String),
}

impl From<records::RecordsError> for ReportError {
    fn from(e: records::RecordsError) -> Self {
        ReportError::Records(e.to_string())
    }
}

impl From<queue::QueueError> for ReportError {
    fn from(e: queue::QueueError) -> Self {
        ReportError::Records(e.to_string())
    }
}

/// The camps a report covers: one camp, or every camp of the period (all camps
/// without a period), in camps.toml order.
pub fn select_camps<'a>(
    config: &'a Config,
    camp: Option<&str>,
    period: Option<&Period>,
) -> Result<Vec<&'a Camp>, ReportError> {
    if let Some(id) = camp {
        let c = config.camp(id).ok_or_else(|| ReportError::UnknownCamp {
            camp: id.to_string(),
            known: config.camps.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        return Ok(if period.is_none_or(|p| p.includes(c)) { vec![c] } else { Vec::new() });
    }
    Ok(config.camps.iter().filter(|c| period.is_none_or(|p| p.includes(c))).collect())
}

/// The report over `camps` as the store holds them now.
pub fn build(
    read: &ReadTx,
    config: &Config,
    camps: &[&Camp],
    period: Option<Period>,
    now: Timestamp,
) -> Result<Report, ReportError> {
    let today = config.day_rule.today(now);
    let mut out = Vec::with_capacity(camps.len());
    for camp in camps {
        out.push(camp_report(read, camp, today)?);
    }
    Ok(figures::report(out, period, now, today))
}

fn camp_report(read: &ReadTx, camp: &Camp, today: crate::domain::Day) -> Result<figures::CampReport, ReportError> {
    let payments = records::payments::payments_of_camp(read, camp.id.as_str())?;
    let evaluation = verdicts::evaluation(read, &camp.id)?;
    let refunds = queue::list_camp(read, &camp.id)?;
    let links = links::links(read, Some(&camp.id))?;
    let mut group_members = Vec::new();
    for chat in &camp.group_chats {
        group_members.extend(records::groups::members(read, chat.as_str())?);
    }
    let mut users: Vec<&str> = Vec::new();
    if let Some(e) = &evaluation {
        users.extend(e.verdicts.iter().filter_map(|v| v.planet_user_id.as_ref().map(|u| u.as_str())));
    }
    users.extend(links.iter().filter_map(|l| l.planet_user_id.as_ref().map(|u| u.as_str())));
    let planet_names = planet_names(read, users)?;
    let findings = crate::refund::reconcile::findings(read, Some(&camp.id), true)?;
    let mut matches = std::collections::BTreeMap::new();
    for p in &payments {
        let prefix = crate::store::key_prefix(&[p.transaction_id.as_str()]);
        for (k, id) in read.prefix(&crate::refund::reconcile::BILL_MATCHES, &prefix)? {
            if let Some((_, no)) = k.split_once(crate::store::KEY_SEP) {
                matches.insert((p.transaction_id.clone(), no.to_string()), id);
            }
        }
    }
    let data = CampData {
        camp,
        payments: &payments,
        evaluation: evaluation.as_ref(),
        refunds: &refunds,
        links: &links,
        group_members: &group_members,
        planet_names: &planet_names,
        matches: &matches,
        findings: &findings,
    };
    Ok(figures::camp_report(&data, today))
}

/// Display names of planet users (alias when set, else nickname).
pub fn planet_names<'a>(
    read: &impl Reads,
    users: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, String>, ReportError> {
    let mut out = HashMap::new();
    for u in users {
        if out.contains_key(u) {
            continue;
        }
        if let Some(user) = records::planet_users::planet_user(read, u)? {
            out.insert(u.to_string(), user.display_name().to_string());
        }
    }
    Ok(out)
}
