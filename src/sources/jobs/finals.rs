//! The final (freezing) sync of each camp: when it is due, and the record that it
//! completed, which the evaluator reads before it freezes a camp's verdict inputs.
//!
//! A camp's final sync is due once its last day, and its make-up window, have ended:
//! the start of day `end + 1 + makeup_days` at the camp's cutoff, plus `sync.after_end`.
//! Each part of the sync that feeds the camp records its own final run in the table
//! `sync_finals` (key `camp_id ␟ part`), with an audit entry `sync.final`:
//!
//! - `zsxq_checkins`: the project, a complete ranking list and a complete walk of
//!   every check-in topic, all fetched after the due time;
//! - `wecom_groups`: a snapshot of every group of the camp taken after the due time;
//! - `wecom_bills`: every bill window walked from the start, after the due time.
//!
//! [`camp_final`] says when all parts the configuration calls for have completed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::{Camp, Config};
use crate::domain::CampId;
use crate::records::{Reads, RecordsError};
use crate::store::{NewAuditEntry, TableDef, WriteTx, key, key_prefix};

/// key(camp_id, part) → the part's final run.
pub const SYNC_FINALS: TableDef<FinalSync> = TableDef::new("sync_finals");

/// One part of a camp's sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalPart {
    /// The zsxq project, ranking list and check-in topics.
    ZsxqCheckins,
    /// The camp's WeCom customer groups.
    WecomGroups,
    /// WeCom bills (payments and refunds).
    WecomBills,
}

impl FinalPart {
    /// The stable name (`zsxq_checkins`, `wecom_groups`, `wecom_bills`).
    pub fn as_str(self) -> &'static str {
        match self {
            FinalPart::ZsxqCheckins => "zsxq_checkins",
            FinalPart::WecomGroups => "wecom_groups",
            FinalPart::WecomBills => "wecom_bills",
        }
    }
}

/// A completed final run of one part for one camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalSync {
    /// The camp.
    pub camp: CampId,
    /// Which part.
    pub part: FinalPart,
    /// When the final sync was due.
    pub due_at: Timestamp,
    /// When the run that completed it started (at or after `due_at`).
    pub started_at: Timestamp,
    /// When it completed.
    pub completed_at: Timestamp,
}

/// All parts of a camp's final sync, complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampFinal {
    /// The camp.
    pub camp: CampId,
    /// When it was due.
    pub due_at: Timestamp,
    /// When the last part completed: the camp's inputs are final from here on.
    pub completed_at: Timestamp,
    /// Each part.
    pub parts: Vec<FinalSync>,
}

/// When `camp`'s final sync is due.
pub fn final_due(config: &Config, camp: &Camp) -> Timestamp {
    let day = camp.end.plus_days(1 + camp.makeup_days as i32);
    let start = day.start_in(&config.day_rule.tz, camp.day_cutoff);
    start.checked_add(config.sync.after_end).unwrap_or(start)
}

/// The parts the configuration syncs for `camp`.
pub fn expected_parts(config: &Config, camp: &Camp) -> Vec<FinalPart> {
    let mut parts = Vec::new();
    if config.zsxq.is_some() && camp.checkin_id.is_some() {
        parts.push(FinalPart::ZsxqCheckins);
    }
    if config.wecom.is_some() && !camp.group_chats.is_empty() {
        parts.push(FinalPart::WecomGroups);
    }
    if config.wecom.is_some() {
        parts.push(FinalPart::WecomBills);
    }
    parts
}

/// The final run of `part` for `camp`, if it completed.
pub fn get(r: &impl Reads, camp: &str, part: FinalPart) -> Result<Option<FinalSync>, RecordsError> {
    Ok(r.get_record(&SYNC_FINALS, &key(&[camp, part.as_str()]))?)
}

/// Every completed part of `camp`.
pub fn of_camp(r: &impl Reads, camp: &str) -> Result<Vec<FinalSync>, RecordsError> {
    Ok(r.prefix_records(&SYNC_FINALS, &key_prefix(&[camp]))?.into_iter().map(|(_, f)| f).collect())
}

/// The camp's final sync when every expected part has completed (None otherwise).
pub fn camp_final(r: &impl Reads, config: &Config, camp: &Camp) -> Result<Option<CampFinal>, RecordsError> {
    let done = of_camp(r, camp.id.as_str())?;
    let mut parts = Vec::new();
    for part in expected_parts(config, camp) {
        match done.iter().find(|f| f.part == part) {
            Some(f) => parts.push(f.clone()),
            None => return Ok(None),
        }
    }
    let Some(completed_at) = parts.iter().map(|f| f.completed_at).max() else { return Ok(None) };
    Ok(Some(CampFinal { camp: camp.id.clone(), due_at: final_due(config, camp), completed_at, parts }))
}

/// Records that `part` of `camp`'s final sync completed now, in a run started at
/// `started_at` (after `due_at`).
pub fn record_completed(
    tx: &mut WriteTx,
    camp: &CampId,
    part: FinalPart,
    due_at: Timestamp,
    started_at: Timestamp,
) -> Result<(), RecordsError> {
    record(tx, &FinalSync { camp: camp.clone(), part, due_at, started_at, completed_at: Timestamp::now() })
}

/// Records a part's final run, with its audit entry, inside `tx`.
pub fn record(tx: &mut WriteTx, f: &FinalSync) -> Result<(), RecordsError> {
    tx.put(&SYNC_FINALS, &key(&[f.camp.as_str(), f.part.as_str()]), f)?;
    tx.audit(NewAuditEntry::new(
        "sync",
        "sync.final",
        f.camp.as_str(),
        serde_json::json!({
            "part": f.part.as_str(),
            "due_at": f.due_at,
            "started_at": f.started_at,
            "completed_at": f.completed_at,
        }),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use crate::store::Store;

    const TOML: &str = r#"
[sync]
after_end = "30m"

[zsxq]
group_id = "1"
token = { env = "CAMPDESK_TEST_UNUSED" }

[wecom]
corp_id = "ww1"
secret = { env = "CAMPDESK_TEST_UNUSED" }

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
group_chats = ["wrA"]

[[camps]]
id = "b"
name = "B"
template = "t"
start = "2025-10-25"
day_cutoff = "04:00"
makeup_days = 2
"#;

    fn config() -> Config {
        parse_str(TOML, std::path::Path::new("camps.toml")).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn due_after_the_last_day_cutoff_and_makeup_window() {
        let c = config();
        // a ends 2025-11-03: due 2025-11-04 00:30 Shanghai.
        assert_eq!(final_due(&c, c.camp("a").unwrap()), ts("2025-11-03T16:30:00Z"));
        // b: two make-up days, cutoff 04:00: due 2025-11-06 04:30 Shanghai.
        assert_eq!(final_due(&c, c.camp("b").unwrap()), ts("2025-11-05T20:30:00Z"));
        assert_eq!(
            expected_parts(&c, c.camp("a").unwrap()),
            vec![FinalPart::ZsxqCheckins, FinalPart::WecomGroups, FinalPart::WecomBills]
        );
        assert_eq!(expected_parts(&c, c.camp("b").unwrap()), vec![FinalPart::WecomBills]);
    }

    #[test]
    fn a_camp_is_final_when_every_expected_part_is() {
        let c = config();
        let store = Store::in_memory().unwrap();
        let a = c.camp("a").unwrap();
        let due = final_due(&c, a);
        let part = |part, done: &str| FinalSync {
            camp: a.id.clone(),
            part,
            due_at: due,
            started_at: ts("2025-11-04T01:00:00Z"),
            completed_at: ts(done),
        };
        for (p, done) in
            [(FinalPart::ZsxqCheckins, "2025-11-04T01:05:00Z"), (FinalPart::WecomBills, "2025-11-04T01:02:00Z")]
        {
            store.write_with(|tx| record(tx, &part(p, done))).unwrap();
        }
        assert_eq!(camp_final(&store.read().unwrap(), &c, a).unwrap(), None, "groups are missing");
        store.write_with(|tx| record(tx, &part(FinalPart::WecomGroups, "2025-11-04T01:01:00Z"))).unwrap();
        let f = camp_final(&store.read().unwrap(), &c, a).unwrap().unwrap();
        assert_eq!(f.completed_at, ts("2025-11-04T01:05:00Z"));
        assert_eq!(f.parts.len(), 3);
        assert_eq!(
            get(&store.read().unwrap(), "a", FinalPart::WecomGroups).unwrap().unwrap().part,
            FinalPart::WecomGroups
        );
        let audit = store.read().unwrap().audit_entries(1, None).unwrap();
        assert_eq!(audit.len(), 3);
        assert!(audit.iter().all(|e| e.action == "sync.final" && e.subject == "a"));
    }
}
