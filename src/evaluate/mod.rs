//! The evaluator: for each camp, read its records, match payments to people,
//! judge the check-ins, and store the links, the evaluation and the refund
//! proposals — in one write transaction per camp, so views never see a camp
//! half re-evaluated. Human decisions are inputs; nothing here overwrites them.
//!
//! Runs after every sync that changed records and after every human decision.
//! One evaluation at a time (a process-wide lock): two evaluations racing
//! could each write what the other did not see. A camp purged by retention is
//! not evaluated again: its stored outcome is returned as it is.

pub mod freeze;
pub mod proposals;

use std::collections::BTreeSet;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::config::{Camp, Config};
use crate::domain::{CampId, Payment, PlanetUserId};
use crate::links;
use crate::matching::elsewhere::PaymentNames;
use crate::matching::normalize::default_normalizer;
use crate::matching::{self, LinkState, MatchOutcome};
use crate::records::{self, RecordsError};
use crate::refund::queue;
use crate::rules::{self, AcceptedLink, CampEvaluation};
use crate::store::{ReadTx, Store, StoreError};
use crate::verdicts;

/// Why a camp could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// Reading or writing the store failed.
    #[error("camp {camp}: {source}")]
    Store {
        /// The camp.
        camp: String,
        /// What failed.
        #[source]
        source: StoreError,
    },
    /// Reading the camp's records failed.
    #[error("camp {camp}: {message}")]
    Records {
        /// The camp.
        camp: String,
        /// What failed.
        message: String,
    },
    /// The rules refused the input (a bug: the records layer hands over wrong data).
    #[error("camp {camp}: {message}")]
    Rules {
        /// The camp.
        camp: String,
        /// What the rules said.
        message: String,
    },
}

/// What one camp's evaluation produced.
#[derive(Clone, Debug)]
pub struct CampOutcome {
    /// The evaluation (verdicts, anomalies, progress).
    pub evaluation: CampEvaluation,
    /// The match result (links and review cards).
    pub matching: MatchOutcome,
    /// What happened to the refund queue.
    pub queue: queue::SyncStats,
}

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Evaluates every configured camp; returns each camp's outcome or error.
pub fn evaluate_all(store: &Store, config: &Config, now: Timestamp) -> Vec<(String, Result<CampOutcome, EvalError>)> {
    evaluate_camps(store, config, &config.camps, now)
}

/// Evaluates these camps one after another, reading the bill names of the planet's
/// payments (which the matcher weighs) once for all of them.
pub fn evaluate_camps<'c>(
    store: &Store,
    config: &Config,
    camps: impl IntoIterator<Item = &'c Camp>,
    now: Timestamp,
) -> Vec<(String, Result<CampOutcome, EvalError>)> {
    let names = payment_names(store);
    camps
        .into_iter()
        .map(|c| {
            let outcome = match &names {
                Ok(names) => evaluate_with(store, config, c, now, names),
                Err(message) => Err(EvalError::Records { camp: c.id.to_string(), message: message.clone() }),
            };
            (c.id.to_string(), outcome)
        })
        .collect()
}

/// Evaluates one camp and stores the result.
pub fn evaluate_camp(store: &Store, config: &Config, camp: &Camp, now: Timestamp) -> Result<CampOutcome, EvalError> {
    let names = payment_names(store).map_err(|message| EvalError::Records { camp: camp.id.to_string(), message })?;
    evaluate_with(store, config, camp, now, &names)
}

/// The bill names of every stored payment.
fn payment_names(store: &Store) -> Result<PaymentNames, String> {
    let read = store.read().map_err(|e| e.to_string())?;
    let payments = records::payments::all_payments(&read).map_err(|e| e.to_string())?;
    Ok(PaymentNames::build(&payments, default_normalizer()))
}

fn evaluate_with(
    store: &Store,
    config: &Config,
    camp: &Camp,
    now: Timestamp,
    payment_names: &PaymentNames,
) -> Result<CampOutcome, EvalError> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let cid = camp.id.to_string();
    let store_err = |source: StoreError| EvalError::Store { camp: cid.clone(), source };

    let read = store.read().map_err(store_err)?;
    if crate::retention::purged(&read, &camp.id).map_err(store_err)?.is_some() {
        // Its personal data is gone: the stored verdicts and links are final.
        return stored_outcome(&read, camp).map_err(store_err);
    }
    let recs = records::camp_records(&read, config, camp)
        .map_err(|e| EvalError::Records { camp: cid.clone(), message: e.to_string() })?;
    let decisions = links::active_decisions(&read).map_err(store_err)?;
    let earlier = earlier_links(&read, &camp.id, &recs.payments)
        .map_err(|e| EvalError::Records { camp: cid.clone(), message: e.to_string() })?;
    let overrides = verdicts::overrides(&read, &camp.id).map_err(store_err)?;
    let leaves = verdicts::leaves(&read, &camp.id).map_err(store_err)?;
    let frozen = verdicts::frozen(&read, &camp.id).map_err(store_err)?;
    drop(read);

    // Who paid is who checked in.
    let mut participants: Vec<PlanetUserId> = recs.topics.iter().map(|t| t.user_id.clone()).collect();
    participants.extend(recs.ranking.iter().map(|r| r.user_id.clone()));
    participants.sort();
    participants.dedup();
    let bind_claims = matching::bind::claims_from_topics(&recs.topics);
    let matching = matching::match_camp(&matching::MatchInput {
        planet_users: &recs.planet_users,
        camp: matching::CampInput {
            camp: Some(&camp.id),
            deposit: Some(camp.deposit),
            payments: &recs.payments,
            group_members: &recs.members,
            participants: &participants,
            decisions: &decisions,
            bind_claims: &bind_claims,
            payment_names: Some(payment_names),
            earlier_links: &earlier,
        },
    });

    // Who earned the deposit back.
    let accepted: Vec<AcceptedLink> = matching
        .links
        .iter()
        .map(|l| AcceptedLink {
            transaction_id: l.transaction_id.clone(),
            planet_user_id: matches!(l.state, LinkState::Auto | LinkState::Confirmed)
                .then(|| l.planet_user_id.clone())
                .flatten(),
            external_userid: l.external_userid.clone(),
        })
        .collect();
    let input = rules::CampInput {
        project: recs.project.as_ref(),
        payments: &recs.payments,
        links: &accepted,
        topics: &recs.topics,
        ranking: &recs.ranking,
        group_members: &recs.members,
        membership_events: &recs.membership_events,
        planet_users: &recs.planet_users,
        overrides: &overrides,
        leaves: &leaves,
        frozen: frozen.as_ref(),
        ..rules::CampInput::new(camp, &config.day_rule, now)
    };
    let evaluation =
        rules::evaluate_camp(&input).map_err(|e| EvalError::Rules { camp: cid.clone(), message: e.to_string() })?;
    let wanted = proposals::proposals(camp, &evaluation, &recs.payments);

    let mut tx = store.write().map_err(store_err)?;
    links::save_outcome(&mut tx, Some(&camp.id), &matching, "campdesk").map_err(store_err)?;
    verdicts::store_evaluation(&mut tx, &evaluation).map_err(store_err)?;
    let queue = queue::sync_proposals(&mut tx, &camp.id, &wanted, now).map_err(|e| store_err(e.into()))?;
    tx.commit().map_err(store_err)?;
    Ok(CampOutcome { evaluation, matching, queue })
}

/// The other camps' stored links of this camp's payers (by the external_userid on their
/// bills): a payer who pays again is known. Reads only those payers' other payments.
fn earlier_links(read: &ReadTx, camp: &CampId, payments: &[Payment]) -> Result<matching::EarlierLinks, RecordsError> {
    let payers: BTreeSet<&str> =
        payments.iter().filter_map(|p| p.payer_external_userid.as_ref()).map(|e| e.as_str()).collect();
    let (mut others, mut bills) = (Vec::new(), Vec::new());
    for payer in payers {
        for p in records::payments::payments_by_payer(read, payer)? {
            let Some(other) = p.camp.as_ref().filter(|c| *c != camp) else { continue };
            if let Some(l) = links::link(read, other, &p.transaction_id)? {
                others.push(l);
                bills.push(p);
            }
        }
    }
    Ok(matching::EarlierLinks::from_links(&others, &bills))
}

/// A purged camp's outcome as stored (it is never evaluated again).
fn stored_outcome(read: &crate::store::ReadTx, camp: &Camp) -> Result<CampOutcome, StoreError> {
    let evaluation = verdicts::evaluation(read, &camp.id)?.ok_or_else(|| {
        StoreError::Rejected(format!("camp {}: purged by retention but no evaluation is stored", camp.id))
    })?;
    let matching = MatchOutcome {
        links: links::links(read, Some(&camp.id))?,
        cards: links::cards(read, Some(&camp.id))?,
        ..MatchOutcome::default()
    };
    Ok(CampOutcome { evaluation, matching, queue: queue::SyncStats::default() })
}
