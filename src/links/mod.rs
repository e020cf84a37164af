//! Link decisions and match results in the store.
//!
//! Human decisions (must-link, cannot-link) are kept by stable ids, append-only:
//! a new decision about the same pair supersedes the old one (both stay, with
//! `supersedes`/`superseded_by`), and every decision is written in the same
//! transaction as its audit entry. Match results (one [`Link`] per payment, the
//! review cards) are replaced per camp on every run; a run never touches a
//! decision except to fill in the payer's `external_userid` once it is known.

use jiff::Timestamp;
use serde_json::json;

use crate::domain::{CampId, ExternalUserId, PlanetUserId, TransactionId};
use crate::matching::decisions::{Decision, DecisionKind, DecisionScope, DecisionSnapshot};
use crate::matching::{Link, LinkState, MatchOutcome, ReviewCard};
use crate::store::{NewAuditEntry, ReadTx, StoreError, TableDef, WriteTx, key, key_prefix};

/// Human link decisions, keyed by decision id (`d000001` …).
pub const DECISIONS: TableDef<Decision> = TableDef::new("link_decisions");
/// The latest match result per payment, keyed by (camp, transaction id).
pub const LINKS: TableDef<Link> = TableDef::new("links");
/// The latest review cards, keyed by (camp, card id).
pub const REVIEW_CARDS: TableDef<ReviewCard> = TableDef::new("review_cards");

/// Key part for payments without a camp.
pub const NO_CAMP: &str = "-";

/// Why a link operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum LinksError {
    /// An id does not have the shape the platform gives it.
    #[error("{what} `{id}` is not valid: {reason}")]
    InvalidId { what: &'static str, id: String, reason: &'static str },
    /// The payment is already linked (by a person) to another planet user.
    #[error(
        "payment {transaction_id} is already linked to planet user {planet_user_id} by {by} at {at} \
         (decision {decision}); run `campdesk unlink {transaction_id} {planet_user_id}` first"
    )]
    AlreadyLinked { transaction_id: String, planet_user_id: String, by: String, at: String, decision: String },
    /// A person-scope decision needs the payer's external_userid.
    #[error(
        "a person-wide decision needs the payer's external_userid, which is not known for payment \
         {transaction_id} yet; decide for this payment only (drop --person), or sync the payments first"
    )]
    PersonUnknown { transaction_id: String },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A request to record a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionRequest {
    /// The payment.
    pub transaction_id: TransactionId,
    /// The planet user.
    pub planet_user_id: PlanetUserId,
    /// The payer's external_userid, when the caller knows it.
    pub external_userid: Option<ExternalUserId>,
    /// Payment only, or every payment of the payer.
    pub scope: DecisionScope,
    /// Who decides.
    pub by: String,
    /// Why.
    pub note: Option<String>,
    /// What the reviewer saw.
    pub snapshot: Option<DecisionSnapshot>,
}

/// What recording a decision did.
#[derive(Clone, Debug, PartialEq)]
pub enum Recorded {
    /// A new decision (and the ids of active decisions it superseded).
    New { decision: Decision, superseded: Vec<String> },
    /// The same decision is already in force; nothing was written.
    Unchanged { decision: Decision },
}

/// Checks the shape of a transaction id: 6–64 ASCII letters, digits, `-` or `_`.
/// (Whether the payment exists is the records layer's question.)
pub fn check_transaction_id(id: &str) -> Result<TransactionId, LinksError> {
    let ok_chars = id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !(6..=64).contains(&id.len()) || !ok_chars {
        return Err(LinksError::InvalidId {
            what: "transaction id",
            id: id.to_string(),
            reason: "expected 6–64 letters, digits, '-' or '_' (a WeChat Pay 交易单号 is 28 digits)",
        });
    }
    Ok(TransactionId::new(id))
}

/// Checks the shape of a planet user_id: 4–20 digits, no leading zero.
pub fn check_planet_user_id(id: &str) -> Result<PlanetUserId, LinksError> {
    if !(4..=20).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_digit()) || id.starts_with('0') {
        return Err(LinksError::InvalidId {
            what: "planet user_id",
            id: id.to_string(),
            reason: "expected the numeric zsxq user_id (4–20 digits, no leading zero)",
        });
    }
    Ok(PlanetUserId::new(id))
}

/// Every decision ever recorded, oldest first.
pub fn decisions(tx: &ReadTx) -> Result<Vec<Decision>, StoreError> {
    Ok(tx.all(&DECISIONS)?.into_iter().map(|(_, d)| d).collect())
}

/// Decisions in force, oldest first.
pub fn active_decisions(tx: &ReadTx) -> Result<Vec<Decision>, StoreError> {
    Ok(decisions(tx)?.into_iter().filter(Decision::is_active).collect())
}

/// Records a must-link: this payment (or, with person scope, this payer) is this
/// planet user. Supersedes an active cannot-link of the same pair; refuses when
/// the payment is already must-linked to someone else.
pub fn record_must_link(tx: &mut WriteTx, req: DecisionRequest, now: Timestamp) -> Result<Recorded, LinksError> {
    record(tx, DecisionKind::Must, req, now)
}

/// Records a cannot-link: this payment (or payer) is not this planet user.
/// Supersedes an active must-link of the same pair (that is what unlinking is).
pub fn record_cannot_link(tx: &mut WriteTx, req: DecisionRequest, now: Timestamp) -> Result<Recorded, LinksError> {
    record(tx, DecisionKind::Cannot, req, now)
}

fn same_pair(d: &Decision, req: &DecisionRequest) -> bool {
    d.planet_user_id == req.planet_user_id
        && (d.transaction_id == req.transaction_id
            || (d.scope == DecisionScope::Person
                && d.external_userid.is_some()
                && d.external_userid == req.external_userid))
}

fn record(tx: &mut WriteTx, kind: DecisionKind, req: DecisionRequest, now: Timestamp) -> Result<Recorded, LinksError> {
    if req.scope == DecisionScope::Person && req.external_userid.is_none() {
        return Err(LinksError::PersonUnknown { transaction_id: req.transaction_id.to_string() });
    }
    let all: Vec<(String, Decision)> = tx.all(&DECISIONS)?;
    let active: Vec<&Decision> = all.iter().map(|(_, d)| d).filter(|d| d.is_active()).collect();
    if let Some(same) = active.iter().find(|d| d.kind == kind && d.scope == req.scope && same_pair(d, &req)) {
        return Ok(Recorded::Unchanged { decision: (*same).clone() });
    }
    if kind == DecisionKind::Must
        && let Some(other) = active.iter().find(|d| {
            d.kind == DecisionKind::Must
                && d.transaction_id == req.transaction_id
                && d.planet_user_id != req.planet_user_id
        })
    {
        return Err(LinksError::AlreadyLinked {
            transaction_id: req.transaction_id.to_string(),
            planet_user_id: other.planet_user_id.to_string(),
            by: other.decided_by.clone(),
            at: other.decided_at.to_string(),
            decision: other.id.clone(),
        });
    }
    let id = format!("d{:06}", all.len() + 1);
    let opposite = match kind {
        DecisionKind::Must => DecisionKind::Cannot,
        DecisionKind::Cannot => DecisionKind::Must,
    };
    let superseded: Vec<Decision> =
        active.iter().filter(|d| d.kind == opposite && same_pair(d, &req)).map(|d| (*d).clone()).collect();
    let decision = Decision {
        id: id.clone(),
        kind,
        scope: req.scope,
        transaction_id: req.transaction_id.clone(),
        external_userid: req.external_userid.clone(),
        planet_user_id: req.planet_user_id.clone(),
        decided_by: req.by.clone(),
        decided_at: now,
        note: req.note.clone(),
        snapshot: req.snapshot.clone(),
        supersedes: superseded.first().map(|d| d.id.clone()),
        superseded_by: None,
    };
    for mut old in superseded.iter().cloned() {
        old.superseded_by = Some(id.clone());
        tx.put(&DECISIONS, &old.id, &old)?;
    }
    tx.put(&DECISIONS, &id, &decision)?;
    let action = match kind {
        DecisionKind::Must => "link.must",
        DecisionKind::Cannot => "link.cannot",
    };
    tx.audit(NewAuditEntry::new(
        req.by,
        action,
        format!("decision:{id} payment:{} planet_user:{}", req.transaction_id, req.planet_user_id),
        json!({
            "scope": decision.scope,
            "external_userid": decision.external_userid,
            "note": decision.note,
            "snapshot": decision.snapshot,
            "supersedes": superseded.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        }),
    ))?;
    Ok(Recorded::New { decision, superseded: superseded.into_iter().map(|d| d.id).collect() })
}

/// Takes back a decision (undo): it stops being in force, and the decisions it
/// had replaced are in force again. Audited. Refused for a decision that a
/// later one already replaced (undo the later one first).
pub fn retract(tx: &mut WriteTx, decision_id: &str, by: &str, now: Timestamp) -> Result<Decision, LinksError> {
    let mut d: Decision = tx
        .get(&DECISIONS, decision_id)?
        .ok_or_else(|| StoreError::Rejected(format!("decision {decision_id} does not exist")))?;
    if !d.is_active() {
        return Err(StoreError::Rejected(format!(
            "decision {decision_id} is no longer in force (replaced by {}); undo that one first",
            d.superseded_by.as_deref().unwrap_or("?")
        ))
        .into());
    }
    d.superseded_by = Some(format!("retracted by {by} at {now}"));
    tx.put(&DECISIONS, decision_id, &d)?;
    let mut restored = Vec::new();
    for (_, mut old) in tx.all(&DECISIONS)? {
        if old.superseded_by.as_deref() == Some(decision_id) {
            old.superseded_by = None;
            restored.push(old.id.clone());
            tx.put(&DECISIONS, &old.id.clone(), &old)?;
        }
    }
    tx.audit(NewAuditEntry::new(
        by,
        "link.retract",
        format!("decision:{decision_id} payment:{} planet_user:{}", d.transaction_id, d.planet_user_id),
        json!({ "restored": restored }),
    ))?;
    Ok(d)
}

/// What saving a match result changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaveSummary {
    /// Links written.
    pub links: usize,
    /// Cards written.
    pub cards: usize,
    /// Decisions whose payer external_userid was filled in.
    pub decisions_completed: usize,
}

/// Replaces a camp's stored links and cards with a new match outcome, in one
/// transaction with a summary audit entry. Decisions are not changed, except that
/// a decision made before the payer's external_userid was known gets it now (so it
/// reaches the payer's payments in later camps), with its own audit entry.
pub fn save_outcome(
    tx: &mut WriteTx,
    camp: Option<&CampId>,
    outcome: &MatchOutcome,
    actor: &str,
) -> Result<SaveSummary, StoreError> {
    let camp_key = camp.map(CampId::as_str).unwrap_or(NO_CAMP);
    let before: std::collections::BTreeMap<TransactionId, (LinkState, Option<PlanetUserId>)> = tx
        .prefix(&LINKS, &key_prefix(&[camp_key]))?
        .into_iter()
        .map(|(_, l)| (l.transaction_id, (l.state, l.planet_user_id)))
        .collect();
    tx.remove_prefix(&LINKS, &key_prefix(&[camp_key]))?;
    tx.remove_prefix(&REVIEW_CARDS, &key_prefix(&[camp_key]))?;
    let link_keys: Vec<String> = outcome.links.iter().map(|l| key(&[camp_key, l.transaction_id.as_str()])).collect();
    tx.put_many(&LINKS, link_keys.iter().map(String::as_str).zip(outcome.links.iter()))?;
    let card_keys: Vec<String> = outcome.cards.iter().map(|c| key(&[camp_key, c.id.as_str()])).collect();
    tx.put_many(&REVIEW_CARDS, card_keys.iter().map(String::as_str).zip(outcome.cards.iter()))?;
    // Links that decide money changed: which payments gained, changed or lost an
    // automatic or confirmed link (ids only).
    let accepted = |s: LinkState| matches!(s, LinkState::Auto | LinkState::Confirmed);
    let mut changes = Vec::new();
    for l in &outcome.links {
        let now = (l.state, l.planet_user_id.clone());
        let was = before.get(&l.transaction_id);
        let money_relevant = accepted(l.state) || was.is_some_and(|(s, _)| accepted(*s));
        if money_relevant && was != Some(&now) {
            changes.push(json!({
                "transaction_id": l.transaction_id,
                "planet_user_id": l.planet_user_id,
                "state": l.state,
                "was": was.map(|(s, u)| json!({ "state": s, "planet_user_id": u })),
            }));
        }
    }

    let mut completed = 0;
    for (_, mut d) in tx.all(&DECISIONS)? {
        if d.external_userid.is_some() {
            continue;
        }
        let Some(ext) =
            outcome.links.iter().find(|l| l.transaction_id == d.transaction_id).and_then(|l| l.external_userid.clone())
        else {
            continue;
        };
        d.external_userid = Some(ext.clone());
        tx.put(&DECISIONS, &d.id.clone(), &d)?;
        tx.audit(NewAuditEntry::new(
            actor,
            "link.decision.complete",
            format!("decision:{} payment:{}", d.id, d.transaction_id),
            json!({ "external_userid": ext }),
        ))?;
        completed += 1;
    }
    if !changes.is_empty() {
        let count = |s| outcome.links.iter().filter(|l| l.state == s).count();
        tx.audit(NewAuditEntry::new(
            actor,
            "link.match",
            format!("camp:{camp_key}"),
            json!({
                "links": outcome.links.len(),
                "auto": count(LinkState::Auto),
                "confirmed": count(LinkState::Confirmed),
                "review": count(LinkState::Review),
                "unmatched": count(LinkState::Unmatched),
                "cards": outcome.cards.len(),
                "changed": changes,
            }),
        ))?;
    }
    Ok(SaveSummary { links: outcome.links.len(), cards: outcome.cards.len(), decisions_completed: completed })
}

/// Stored links of one camp (or all camps), by camp then transaction id.
pub fn links(tx: &ReadTx, camp: Option<&CampId>) -> Result<Vec<Link>, StoreError> {
    let prefix = camp.map(|c| key_prefix(&[c.as_str()])).unwrap_or_default();
    Ok(tx.prefix(&LINKS, &prefix)?.into_iter().map(|(_, l)| l).collect())
}

/// The stored link of one payment, as its camp's evaluation saved it.
pub fn link(tx: &ReadTx, camp: &CampId, transaction_id: &TransactionId) -> Result<Option<Link>, StoreError> {
    tx.get(&LINKS, &key(&[camp.as_str(), transaction_id.as_str()]))
}

/// Stored review cards of one camp (or all camps).
pub fn cards(tx: &ReadTx, camp: Option<&CampId>) -> Result<Vec<ReviewCard>, StoreError> {
    let prefix = camp.map(|c| key_prefix(&[c.as_str()])).unwrap_or_default();
    Ok(tx.prefix(&REVIEW_CARDS, &prefix)?.into_iter().map(|(_, c)| c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn req(txn: &str, user: &str) -> DecisionRequest {
        DecisionRequest {
            transaction_id: TransactionId::new(txn),
            planet_user_id: PlanetUserId::new(user),
            external_userid: None,
            scope: DecisionScope::Payment,
            by: "owner".into(),
            note: Some("核对过截图".into()),
            snapshot: Some(DecisionSnapshot { planet_name: Some("小鱼".into()), ..Default::default() }),
        }
    }

    #[test]
    fn a_must_link_is_stored_with_its_audit_entry_in_one_transaction() {
        let store = Store::in_memory().unwrap();
        let r = store.write_with(|tx| record_must_link(tx, req("420000001", "12345678"), t("2025-10-02T00:00:00Z")));
        let Ok(Recorded::New { decision, superseded }) = r else { panic!("{r:?}") };
        assert_eq!(decision.id, "d000001");
        assert!(superseded.is_empty());
        let read = store.read().unwrap();
        assert_eq!(active_decisions(&read).unwrap(), vec![decision]);
        let audit = read.audit_entries(1, None).unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "link.must");
        assert!(audit[0].subject.contains("payment:420000001") && !audit[0].subject.contains("小鱼"));
        assert!(store.verify_audit().unwrap().broken.is_none());
    }

    #[test]
    fn repeating_a_decision_changes_nothing_and_a_conflicting_link_is_refused() {
        let store = Store::in_memory().unwrap();
        let now = t("2025-10-02T00:00:00Z");
        store.write_with(|tx| record_must_link(tx, req("420000001", "12345678"), now)).unwrap();
        let again = store.write_with(|tx| record_must_link(tx, req("420000001", "12345678"), now)).unwrap();
        assert!(matches!(again, Recorded::Unchanged { .. }));
        let other = store.write_with(|tx| record_must_link(tx, req("420000001", "99999999"), now));
        let err = other.unwrap_err().to_string();
        assert!(err.contains("already linked to planet user 12345678") && err.contains("unlink"), "{err}");
        let read = store.read().unwrap();
        assert_eq!(decisions(&read).unwrap().len(), 1);
        assert_eq!(read.audit_entries(1, None).unwrap().len(), 1);
    }

    #[test]
    fn unlink_supersedes_the_link_and_relinking_supersedes_the_unlink() {
        let store = Store::in_memory().unwrap();
        let now = t("2025-10-02T00:00:00Z");
        store.write_with(|tx| record_must_link(tx, req("420000001", "12345678"), now)).unwrap();
        let un = store.write_with(|tx| record_cannot_link(tx, req("420000001", "12345678"), now)).unwrap();
        let Recorded::New { superseded, .. } = un else { panic!() };
        assert_eq!(superseded, vec!["d000001"]);
        let read = store.read().unwrap();
        let active = active_decisions(&read).unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].kind, DecisionKind::Cannot);
        drop(read);
        // Now another user may be linked, and the old pair again.
        store.write_with(|tx| record_must_link(tx, req("420000001", "99999999"), now)).unwrap();
        let read = store.read().unwrap();
        let all = decisions(&read).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].superseded_by.as_deref(), Some("d000002"));
        assert_eq!(active_decisions(&read).unwrap().len(), 2);
    }

    #[test]
    fn person_scope_needs_the_external_userid() {
        let store = Store::in_memory().unwrap();
        let mut r = req("420000001", "12345678");
        r.scope = DecisionScope::Person;
        let err = store.write_with(|tx| record_cannot_link(tx, r, t("2025-10-02T00:00:00Z"))).unwrap_err();
        assert!(err.to_string().contains("external_userid"), "{err}");
    }

    #[test]
    fn ids_are_checked_for_shape() {
        assert!(check_transaction_id("4200000001202501010000000001").is_ok());
        assert!(check_transaction_id("42 00").is_err());
        assert!(check_transaction_id("").is_err());
        assert!(check_planet_user_id("15555411412112").is_ok());
        assert!(check_planet_user_id("0123").is_err());
        assert!(check_planet_user_id("abc").is_err());
    }

    #[test]
    fn saving_an_outcome_replaces_the_camp_and_completes_decisions() {
        let store = Store::in_memory().unwrap();
        let now = t("2025-10-02T00:00:00Z");
        store.write_with(|tx| record_must_link(tx, req("420000001", "12345678"), now)).unwrap();
        let camp = CampId::new("c1");
        let link = |txn: &str, ext: Option<&str>| Link {
            transaction_id: TransactionId::new(txn),
            camp: Some(camp.clone()),
            planet_user_id: None,
            external_userid: ext.map(ExternalUserId::new),
            state: crate::matching::LinkState::Unmatched,
            score: 0.0,
            reasons: vec![],
            suggested_planet_user_id: None,
            review_card: None,
            bind_code: None,
            decision: None,
            earlier_link: None,
        };
        let first = MatchOutcome {
            links: vec![link("420000001", Some("wmAAA")), link("420000002", None)],
            ..Default::default()
        };
        let s = store.write_with(|tx| save_outcome(tx, Some(&camp), &first, "campdesk")).unwrap();
        assert_eq!(s, SaveSummary { links: 2, cards: 0, decisions_completed: 1 });
        let second = MatchOutcome { links: vec![link("420000003", None)], ..Default::default() };
        store.write_with(|tx| save_outcome(tx, Some(&camp), &second, "campdesk")).unwrap();
        let read = store.read().unwrap();
        let stored = links(&read, Some(&camp)).unwrap();
        assert_eq!(stored.len(), 1, "a re-run replaces the camp's links");
        let d = &active_decisions(&read).unwrap()[0];
        assert_eq!(d.external_userid.as_ref().map(|e| e.as_str()), Some("wmAAA"));
        assert_eq!(d.kind, DecisionKind::Must, "the decision itself is untouched");
        assert!(store.verify_audit().unwrap().broken.is_none());
    }
}
