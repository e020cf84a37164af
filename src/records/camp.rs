//! The per-camp read model: everything the matcher and the rules need about one
//! camp, read in one consistent transaction, with indexes for fast lookups; and
//! the cross-camp queries the engine and the TUI use.

use std::collections::{BTreeSet, HashMap};

use super::members::{self, MemberExportRow};
use super::ranking::{self, RankingMeta};
use super::snapshot::MemberNameChange;
use super::{Reads, RecordsError, checkins, groups, payments, planet_users};
use crate::config::{Camp, Config};
use crate::domain::{
    CampId, CheckinProject, CheckinTopic, GroupMember, MembershipEvent, Payment, PlanetUser, RankingEntry,
};

pub use super::groups::{GroupInfo, memberships_of};
pub use super::payments::{payment, payments_by_payer, payments_of_camp, unattributed_payments};
pub use super::planet_users::{planet_user, planet_user_by_number};

/// Everything about one camp.
#[derive(Clone, Debug)]
pub struct CampRecords {
    /// The camp.
    pub camp: CampId,
    /// Payments attributed to it, oldest first.
    pub payments: Vec<Payment>,
    /// Its groups as last seen (only groups with a snapshot).
    pub groups: Vec<GroupInfo>,
    /// Every member its groups ever had (present and left), by group then member.
    pub members: Vec<GroupMember>,
    /// Join and leave events of its groups, per member in time order.
    pub membership_events: Vec<MembershipEvent>,
    /// Earlier names of its group members.
    pub member_name_changes: Vec<MemberNameChange>,
    /// Planet users in scope: authors of its topics, its ranking rows, and members
    /// imported for it; by user id.
    pub planet_users: Vec<PlanetUser>,
    /// Member-export rows imported for the camp or belonging to users in scope.
    pub member_exports: Vec<MemberExportRow>,
    /// Its check-in project, when synced.
    pub project: Option<CheckinProject>,
    /// Its project's topics, oldest first.
    pub topics: Vec<CheckinTopic>,
    /// Its project's latest complete ranking list, by rank.
    pub ranking: Vec<RankingEntry>,
    /// When that list was fetched.
    pub ranking_meta: Option<RankingMeta>,
    index: CampIndex,
}

#[derive(Clone, Debug, Default)]
struct CampIndex {
    payment: HashMap<String, usize>,
    payments_by_payer: HashMap<String, Vec<usize>>,
    memberships: HashMap<String, Vec<usize>>,
    events: HashMap<String, Vec<usize>>,
    planet_user: HashMap<String, usize>,
    topics_by_user: HashMap<String, Vec<usize>>,
    ranking_by_user: HashMap<String, usize>,
    export_by_user: HashMap<String, usize>,
}

impl CampRecords {
    fn build_index(&mut self) {
        let mut ix = CampIndex::default();
        for (i, p) in self.payments.iter().enumerate() {
            ix.payment.insert(p.transaction_id.as_str().to_string(), i);
            if let Some(ext) = &p.payer_external_userid {
                ix.payments_by_payer.entry(ext.as_str().to_string()).or_default().push(i);
            }
        }
        for (i, m) in self.members.iter().enumerate() {
            ix.memberships.entry(m.member_id.clone()).or_default().push(i);
        }
        for (i, e) in self.membership_events.iter().enumerate() {
            ix.events.entry(e.member_id.clone()).or_default().push(i);
        }
        for (i, u) in self.planet_users.iter().enumerate() {
            ix.planet_user.insert(u.user_id.as_str().to_string(), i);
        }
        for (i, t) in self.topics.iter().enumerate() {
            ix.topics_by_user.entry(t.user_id.as_str().to_string()).or_default().push(i);
        }
        for (i, r) in self.ranking.iter().enumerate() {
            ix.ranking_by_user.insert(r.user_id.as_str().to_string(), i);
        }
        let number_to_user: HashMap<&str, &str> =
            self.planet_users.iter().filter_map(|u| u.number.as_deref().map(|n| (n, u.user_id.as_str()))).collect();
        for (i, row) in self.member_exports.iter().enumerate() {
            let user = row
                .user_id
                .as_ref()
                .map(|u| u.as_str())
                .or_else(|| row.number.as_deref().and_then(|n| number_to_user.get(n).copied()));
            if let Some(u) = user {
                ix.export_by_user.insert(u.to_string(), i);
            }
        }
        self.index = ix;
    }

    /// A payment of this camp by transaction id.
    pub fn payment(&self, transaction_id: &str) -> Option<&Payment> {
        self.index.payment.get(transaction_id).map(|&i| &self.payments[i])
    }

    /// This camp's payments by one payer.
    pub fn payments_by_payer(&self, external_userid: &str) -> impl Iterator<Item = &Payment> {
        self.index.payments_by_payer.get(external_userid).into_iter().flatten().map(|&i| &self.payments[i])
    }

    /// The memberships of one person in this camp's groups.
    pub fn memberships(&self, member_id: &str) -> impl Iterator<Item = &GroupMember> {
        self.index.memberships.get(member_id).into_iter().flatten().map(|&i| &self.members[i])
    }

    /// The join/leave events of one person in this camp's groups.
    pub fn events_of(&self, member_id: &str) -> impl Iterator<Item = &MembershipEvent> {
        self.index.events.get(member_id).into_iter().flatten().map(|&i| &self.membership_events[i])
    }

    /// A planet user in scope.
    pub fn planet_user(&self, user_id: &str) -> Option<&PlanetUser> {
        self.index.planet_user.get(user_id).map(|&i| &self.planet_users[i])
    }

    /// One user's topics in this camp's project, oldest first.
    pub fn topics_of(&self, user_id: &str) -> impl Iterator<Item = &CheckinTopic> {
        self.index.topics_by_user.get(user_id).into_iter().flatten().map(|&i| &self.topics[i])
    }

    /// One user's row in the latest ranking list.
    pub fn ranking_of(&self, user_id: &str) -> Option<&RankingEntry> {
        self.index.ranking_by_user.get(user_id).map(|&i| &self.ranking[i])
    }

    /// The member-export row of a user in scope.
    pub fn member_export_of(&self, user_id: &str) -> Option<&MemberExportRow> {
        self.index.export_by_user.get(user_id).map(|&i| &self.member_exports[i])
    }

    /// Members currently in one of the camp's groups.
    pub fn present_members(&self) -> impl Iterator<Item = &GroupMember> {
        self.members.iter().filter(|m| m.left_at.is_none())
    }
}

/// Reads everything about `camp` in one consistent view.
pub fn camp_records(r: &impl Reads, _config: &Config, camp: &Camp) -> Result<CampRecords, RecordsError> {
    let mut out = CampRecords {
        camp: camp.id.clone(),
        payments: Vec::new(),
        groups: Vec::new(),
        members: Vec::new(),
        membership_events: Vec::new(),
        member_name_changes: Vec::new(),
        planet_users: Vec::new(),
        member_exports: Vec::new(),
        project: None,
        topics: Vec::new(),
        ranking: Vec::new(),
        ranking_meta: None,
        index: CampIndex::default(),
    };
    out.payments = payments::payments_of_camp(r, camp.id.as_str())?;
    for chat in &camp.group_chats {
        let chat = chat.as_str();
        if let Some(info) = groups::group(r, chat)? {
            out.groups.push(info);
        }
        out.members.extend(groups::members(r, chat)?);
        out.membership_events.extend(groups::events(r, chat)?);
        out.member_name_changes.extend(groups::name_changes(r, chat)?);
    }
    let mut in_scope: BTreeSet<String> = BTreeSet::new();
    if let Some(cid) = &camp.checkin_id {
        let cid = cid.as_str();
        out.project = checkins::project(r, cid)?;
        out.topics = checkins::topics(r, cid)?;
        out.ranking = ranking::ranking(r, cid)?;
        out.ranking_meta = ranking::ranking_meta(r, cid)?;
        in_scope.extend(out.topics.iter().map(|t| t.user_id.as_str().to_string()));
        // A commenter who posted a bind code claims a payment of this camp.
        in_scope.extend(
            out.topics
                .iter()
                .flat_map(|t| &t.comments)
                .filter(|c| !crate::matching::bind::extract_bind_codes(&c.text).is_empty())
                .map(|c| c.user_id.as_str().to_string()),
        );
        in_scope.extend(out.ranking.iter().map(|e| e.user_id.as_str().to_string()));
    }
    let imported = members::camp_export_rows(r, camp.id.as_str())?;
    for row in &imported {
        let user = match (&row.user_id, &row.number) {
            (Some(u), _) => Some(u.as_str().to_string()),
            (None, Some(n)) => planet_users::planet_user_by_number(r, n)?.map(|u| u.user_id.as_str().to_string()),
            _ => None,
        };
        in_scope.extend(user);
    }
    let mut exports: HashMap<String, MemberExportRow> = HashMap::new();
    for row in imported {
        if let Some(k) = row.export_key() {
            exports.insert(k, row);
        }
    }
    for id in &in_scope {
        if let Some(u) = planet_users::planet_user(r, id)? {
            if let Some(row) = members::export_row_for(r, id, u.number.as_deref())?
                && let Some(k) = row.export_key()
            {
                exports.entry(k).or_insert(row);
            }
            out.planet_users.push(u);
        }
    }
    let mut exports: Vec<MemberExportRow> = exports.into_values().collect();
    exports.sort_by(|a, b| a.number.cmp(&b.number).then_with(|| a.user_id.cmp(&b.user_id)));
    out.member_exports = exports;
    out.build_index();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChatId, MemberKind, MembershipEventKind, PlanetUserId, SourceRef};
    use crate::records::members::{MemberExportRow, import_member_rows};
    use crate::records::payments::{Bill, upsert_bills};
    use crate::records::planet_users::{PlanetUserSighting, record_sightings};
    use crate::records::ranking::{RankingPage, ingest_page};
    use crate::records::snapshot::{GroupSnapshot, SnapshotMember};
    use crate::records::testing::{bill, config, rank, src, topic, ts};
    use crate::records::{checkins::upsert_topics, groups::apply_snapshot};
    use crate::store::Store;

    fn snapshot(chat: &str, at: &str, ids: &[&str]) -> GroupSnapshot {
        GroupSnapshot {
            chat_id: ChatId::new(chat),
            name: None,
            owner: None,
            member_version: None,
            taken_at: ts(at),
            members: ids
                .iter()
                .map(|id| SnapshotMember {
                    member_id: id.to_string(),
                    kind: if id.starts_with("wm") { MemberKind::External } else { MemberKind::Staff },
                    name: Some(format!("name of {id}")),
                    group_nickname: None,
                    unionid: None,
                    join_time: None,
                    join_scene: None,
                    position: None,
                })
                .collect(),
            source: SourceRef { raw_id: format!("raw-{chat}-{at}"), position: None },
        }
    }

    fn seen(id: &str, name: &str) -> PlanetUserSighting {
        PlanetUserSighting::named(PlanetUserId::new(id), name.into(), None, ts("2025-11-04T01:00:00Z"), src("raw-u", 0))
    }

    fn fill(store: &Store) {
        let cfg = config();
        store
            .write_with(|tx| {
                upsert_bills(
                    tx,
                    &cfg,
                    &[
                        Bill::Payment(bill("T1", "2025-10-20T04:00:00Z", "小明")),
                        Bill::Payment(bill("T2", "2025-10-21T04:00:00Z", "小红")),
                        Bill::Payment(bill("T3", "2025-11-12T04:00:00Z", "写作营")),
                    ],
                )?;
                apply_snapshot(tx, &snapshot("wrG1", "2025-10-26T01:00:00Z", &["zhangsan", "wmT1", "wmT2"]))?;
                apply_snapshot(tx, &snapshot("wrG1", "2025-10-28T01:00:00Z", &["zhangsan", "wmT1"]))?;
                apply_snapshot(tx, &snapshot("wrG2", "2025-10-28T01:00:00Z", &["zhangsan", "wmT2"]))?;
                apply_snapshot(tx, &snapshot("wrG3", "2025-11-12T01:00:00Z", &["zhangsan", "wmT3"]))?;
                upsert_topics(
                    tx,
                    &[
                        topic("9001", "2424424541", "u1", "2025-10-25T02:00:00Z", "raw-t"),
                        topic("9002", "2424424541", "u1", "2025-10-26T02:00:00Z", "raw-t"),
                        topic("9003", "2424424541", "u2", "2025-10-26T03:00:00Z", "raw-t"),
                        topic("9100", "2424424542", "u9", "2025-11-11T03:00:00Z", "raw-t"),
                    ],
                )?;
                record_sightings(
                    tx,
                    &[seen("u1", "小明"), seen("u2", "小红"), seen("u3", "小刚"), seen("u9", "写手")],
                )?;
                ingest_page(
                    tx,
                    &RankingPage {
                        checkin_id: "2424424541".into(),
                        index: 0,
                        rows: vec![
                            rank("2424424541", "u1", 1, 2, "2025-11-04T01:00:00Z"),
                            rank("2424424541", "u2", 2, 1, "2025-11-04T01:00:00Z"),
                        ],
                        last: true,
                        fetched_at: ts("2025-11-04T01:00:00Z"),
                    },
                )?;
                let member = |number: &str, user: Option<&str>, wechat: &str| MemberExportRow {
                    number: Some(number.into()),
                    user_id: user.map(PlanetUserId::new),
                    name: None,
                    wechat_name: Some(wechat.into()),
                    alias: None,
                    remark_name: Some(format!("备注 {number}")),
                    knowledge_id: None,
                    role: Some("成员".into()),
                    joined_at: None,
                    expires_at: None,
                    exited: Some(false),
                    imported_at: ts("2025-11-04T02:00:00Z"),
                    source: src("raw-m", 1),
                };
                import_member_rows(tx, &"xhs".into(), &[member("101", Some("u3"), "刚子"), member("102", None, "未知")])
            })
            .unwrap();
    }

    #[test]
    fn camp_records_gathers_one_camp_and_indexes_it() {
        let store = Store::in_memory().unwrap();
        fill(&store);
        let cfg = config();
        let r = store.read().unwrap();
        let xhs = camp_records(&r, &cfg, cfg.camp("xhs").unwrap()).unwrap();

        assert_eq!(xhs.payments.iter().map(|p| p.transaction_id.as_str()).collect::<Vec<_>>(), vec!["T1", "T2"]);
        assert_eq!(xhs.payment("T2").unwrap().remark, "小红");
        assert!(xhs.payment("T3").is_none(), "another camp's payment");
        assert_eq!(xhs.payments_by_payer("wmT1").count(), 1);

        assert_eq!(xhs.groups.len(), 2);
        // wmT2 left wrG1 and is in wrG2.
        let t2: Vec<_> = xhs.memberships("wmT2").map(|m| (m.chat_id.as_str(), m.left_at.is_some())).collect();
        assert_eq!(t2, vec![("wrG1", true), ("wrG2", false)]);
        let kinds: Vec<_> = xhs.events_of("wmT2").map(|e| e.kind).collect();
        assert_eq!(kinds, vec![MembershipEventKind::Joined, MembershipEventKind::Left, MembershipEventKind::Joined]);
        assert!(xhs.memberships("wmT3").next().is_none(), "wrG3 belongs to the other camp");
        assert_eq!(xhs.present_members().count(), 4);

        assert_eq!(xhs.topics.len(), 3);
        assert_eq!(xhs.topics_of("u1").count(), 2);
        assert_eq!(xhs.ranking_of("u2").unwrap().rank, 2);
        assert_eq!(xhs.ranking_meta.as_ref().unwrap().rows, 2);

        let users: Vec<&str> = xhs.planet_users.iter().map(|u| u.user_id.as_str()).collect();
        assert_eq!(users, vec!["u1", "u2", "u3"], "topic authors, ranking rows and imported members; not u9");
        assert_eq!(xhs.planet_user("u3").unwrap().wechat_name.as_deref(), Some("刚子"));
        assert_eq!(xhs.member_export_of("u3").unwrap().remark_name.as_deref(), Some("备注 101"));
        assert_eq!(xhs.member_exports.len(), 2, "the unresolved row 102 is kept too");

        let write = camp_records(&r, &cfg, cfg.camp("write").unwrap()).unwrap();
        assert_eq!(write.payments.len(), 1);
        assert_eq!(write.planet_users.iter().map(|u| u.user_id.as_str()).collect::<Vec<_>>(), vec!["u9"]);
        assert!(write.ranking.is_empty());
    }

    #[test]
    fn a_member_number_learned_later_joins_the_export_row() {
        let store = Store::in_memory().unwrap();
        fill(&store);
        let mut s = seen("u7", "新人");
        s.number = Some("102".into());
        s.seen_at = ts("2025-11-05T01:00:00Z");
        store.write_with(|tx| record_sightings(tx, &[s])).unwrap();
        let cfg = config();
        let r = store.read().unwrap();
        let u = planet_user(&r, "u7").unwrap().unwrap();
        assert_eq!(u.wechat_name.as_deref(), Some("未知"), "filled from the export row with number 102");
        let xhs = camp_records(&r, &cfg, cfg.camp("xhs").unwrap()).unwrap();
        assert!(xhs.planet_user("u7").is_some(), "imported for the camp, now resolvable");
        assert_eq!(xhs.member_export_of("u7").unwrap().number.as_deref(), Some("102"));
    }
}
