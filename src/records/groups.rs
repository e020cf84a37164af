//! Group memberships in the store: snapshots applied through [`snapshot::diff`],
//! members, join/leave events and earlier names per group.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::mentions::{MentionBatch, MentionKind};
use super::snapshot::{self, GroupSnapshot, MemberNameChange};
use super::{Change, Reads, RecordsError, UpsertStats, time_key};
use crate::domain::{ChatId, GroupMember, MemberKind, MembershipEvent, MembershipEventKind, StaffUserId};
use crate::store::{TableDef, WriteTx, key, key_prefix};

/// chat_id → what the latest snapshot said about the group.
pub const GROUPS: TableDef<GroupInfo> = TableDef::new("groups");
/// key(chat_id, member_id) → member.
pub const GROUP_MEMBERS: TableDef<GroupMember> = TableDef::new("group_members");
/// key(member_id, chat_id) → nothing: the groups a person is or was in.
const MEMBER_GROUPS: TableDef<()> = TableDef::new("member_groups");
/// key(chat_id, member_id, time, kind) → event.
pub const MEMBERSHIP_EVENTS: TableDef<MembershipEvent> = TableDef::new("membership_events");
/// key(chat_id, member_id, until) → earlier name.
pub const MEMBER_NAME_CHANGES: TableDef<MemberNameChange> = TableDef::new("member_name_changes");

/// A group as its latest snapshot described it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// The group.
    pub chat_id: ChatId,
    /// Its name.
    pub name: Option<String>,
    /// Owner's userid.
    pub owner: Option<StaffUserId>,
    /// `member_version` of the latest snapshot.
    pub member_version: Option<String>,
    /// When the latest snapshot was taken.
    pub last_snapshot_at: Timestamp,
    /// Its raw archive entry.
    pub last_raw_id: String,
    /// Members it listed.
    pub members: u32,
}

/// What applying a snapshot did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SnapshotStats {
    /// Member rows inserted / updated / unchanged.
    pub members: UpsertStats,
    /// `Joined` events recorded.
    pub joined: u64,
    /// `Left` events recorded.
    pub left: u64,
    /// Earlier names recorded.
    pub renamed: u64,
}

fn event_kind(kind: MembershipEventKind) -> &'static str {
    match kind {
        MembershipEventKind::Joined => "joined",
        MembershipEventKind::Left => "left",
    }
}

/// Applies a full member list of one group. A snapshot older than the latest one
/// stored is refused (it would invent leaves and joins); the same snapshot twice
/// changes nothing.
pub fn apply_snapshot(tx: &mut WriteTx, snap: &GroupSnapshot) -> Result<SnapshotStats, RecordsError> {
    let chat = snap.chat_id.as_str();
    if chat.trim().is_empty() {
        return Err(RecordsError::invalid("group", "chat_id", "is empty"));
    }
    let info = tx.get(&GROUPS, chat)?;
    if let Some(info) = &info
        && info.last_snapshot_at > snap.taken_at
    {
        return Err(RecordsError::Conflict(format!(
            "group {chat}: snapshot taken at {} is older than the stored one ({}); refusing to rewind memberships",
            snap.taken_at, info.last_snapshot_at
        )));
    }
    let known: Vec<GroupMember> =
        tx.prefix(&GROUP_MEMBERS, &key_prefix(&[chat]))?.into_iter().map(|(_, m)| m).collect();
    let d = snapshot::diff(&known, snap)?;

    let mut stats = SnapshotStats::default();
    let mut mentions = MentionBatch::new();
    mentions.add_page(MentionKind::Chat, chat, &snap.source.raw_id);
    for m in &snap.members {
        let kind = match m.kind {
            MemberKind::External => MentionKind::ExternalUser,
            MemberKind::Staff => MentionKind::StaffUser,
        };
        let src = crate::domain::SourceRef { raw_id: snap.source.raw_id.clone(), position: m.position };
        mentions.add(kind, &m.member_id, &src);
    }
    for (member, change) in &d.members {
        stats.members.count(*change);
        if *change != Change::Unchanged {
            tx.put(&GROUP_MEMBERS, &key(&[chat, &member.member_id]), member)?;
        }
        if *change == Change::Inserted {
            tx.put(&MEMBER_GROUPS, &key(&[&member.member_id, chat]), &())?;
        }
    }
    for e in &d.events {
        match e.kind {
            MembershipEventKind::Joined => stats.joined += 1,
            MembershipEventKind::Left => stats.left += 1,
        }
        tx.put(&MEMBERSHIP_EVENTS, &key(&[chat, &e.member_id, &time_key(e.at), event_kind(e.kind)]), e)?;
    }
    for n in &d.name_changes {
        stats.renamed += 1;
        tx.put(&MEMBER_NAME_CHANGES, &key(&[chat, &n.member_id, &time_key(n.until)]), n)?;
    }
    let new_info = GroupInfo {
        chat_id: snap.chat_id.clone(),
        name: snap.name.clone().or_else(|| info.as_ref().and_then(|i| i.name.clone())),
        owner: snap.owner.clone().or_else(|| info.as_ref().and_then(|i| i.owner.clone())),
        member_version: snap.member_version.clone(),
        last_snapshot_at: snap.taken_at,
        last_raw_id: snap.source.raw_id.clone(),
        members: snap.members.len() as u32,
    };
    tx.put(&GROUPS, chat, &new_info)?;
    mentions.write(tx)?;
    Ok(stats)
}

/// The group as last seen.
pub fn group(r: &impl Reads, chat_id: &str) -> Result<Option<GroupInfo>, RecordsError> {
    Ok(r.get_record(&GROUPS, chat_id)?)
}

/// Every member a group ever had (present and left), by member id.
pub fn members(r: &impl Reads, chat_id: &str) -> Result<Vec<GroupMember>, RecordsError> {
    Ok(r.prefix_records(&GROUP_MEMBERS, &key_prefix(&[chat_id]))?.into_iter().map(|(_, m)| m).collect())
}

/// A group's join and leave events, per member in time order.
pub fn events(r: &impl Reads, chat_id: &str) -> Result<Vec<MembershipEvent>, RecordsError> {
    Ok(r.prefix_records(&MEMBERSHIP_EVENTS, &key_prefix(&[chat_id]))?.into_iter().map(|(_, e)| e).collect())
}

/// A group's earlier member names, per member in time order.
pub fn name_changes(r: &impl Reads, chat_id: &str) -> Result<Vec<MemberNameChange>, RecordsError> {
    Ok(r.prefix_records(&MEMBER_NAME_CHANGES, &key_prefix(&[chat_id]))?.into_iter().map(|(_, n)| n).collect())
}

/// Every group membership of one person (`external_userid` or `userid`), across groups.
pub fn memberships_of(r: &impl Reads, member_id: &str) -> Result<Vec<GroupMember>, RecordsError> {
    let prefix = key_prefix(&[member_id]);
    let mut out = Vec::new();
    for (k, ()) in r.prefix_records(&MEMBER_GROUPS, &prefix)? {
        let chat = &k[prefix.len()..];
        if let Some(m) = r.get_record(&GROUP_MEMBERS, &key(&[chat, member_id]))? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Whether a stored member is present (not left) — a convenience for readers.
pub fn is_present(m: &GroupMember) -> bool {
    m.left_at.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SourceRef;
    use crate::records::snapshot::SnapshotMember;
    use crate::store::Store;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    fn snap(at: i64, ids: &[(&str, &str)]) -> GroupSnapshot {
        GroupSnapshot {
            chat_id: ChatId::new("wrG1"),
            name: Some("2510 营 1 群".into()),
            owner: Some(StaffUserId::new("zhangsan")),
            member_version: Some(format!("v{at}")),
            taken_at: ts(at),
            members: ids
                .iter()
                .enumerate()
                .map(|(i, (id, name))| SnapshotMember {
                    member_id: id.to_string(),
                    kind: if id.starts_with("wm") { MemberKind::External } else { MemberKind::Staff },
                    name: Some(name.to_string()),
                    group_nickname: None,
                    unionid: None,
                    join_time: Some(ts(at - 10)),
                    join_scene: Some(3),
                    position: Some(i as u32),
                })
                .collect(),
            source: SourceRef { raw_id: format!("raw-{at}"), position: None },
        }
    }

    #[test]
    fn snapshots_build_history_in_the_store() {
        let store = Store::in_memory().unwrap();
        let s1 = snap(1000, &[("zhangsan", "张三"), ("wmA", "小明"), ("wmB", "小红")]);
        let st = store.write_with(|tx| apply_snapshot(tx, &s1)).unwrap();
        assert_eq!(st.members.inserted, 3);
        assert_eq!(st.joined, 3);
        // The same snapshot again: nothing.
        let again = store.write_with(|tx| apply_snapshot(tx, &s1)).unwrap();
        assert_eq!(again.members, UpsertStats { inserted: 0, updated: 0, unchanged: 3 });
        assert_eq!((again.joined, again.left, again.renamed), (0, 0, 0));

        let s2 = snap(2000, &[("zhangsan", "张三"), ("wmA", "Ming")]);
        let st = store.write_with(|tx| apply_snapshot(tx, &s2)).unwrap();
        assert_eq!((st.joined, st.left, st.renamed), (0, 1, 1));

        let s3 = snap(3000, &[("zhangsan", "张三"), ("wmA", "Ming"), ("wmB", "小红")]);
        let st = store.write_with(|tx| apply_snapshot(tx, &s3)).unwrap();
        assert_eq!((st.joined, st.left), (1, 0));

        let r = store.read().unwrap();
        let b_events: Vec<_> =
            events(&r, "wrG1").unwrap().into_iter().filter(|e| e.member_id == "wmB").map(|e| (e.kind, e.at)).collect();
        assert_eq!(
            b_events,
            vec![
                (MembershipEventKind::Joined, ts(990)),
                (MembershipEventKind::Left, ts(2000)),
                (MembershipEventKind::Joined, ts(2990)),
            ]
        );
        let names = name_changes(&r, "wrG1").unwrap();
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].name.as_deref(), Some("小明"));
        assert_eq!(memberships_of(&r, "wmA").unwrap()[0].name.as_deref(), Some("Ming"));
        let info = group(&r, "wrG1").unwrap().unwrap();
        assert_eq!((info.members, info.last_raw_id.as_str()), (3, "raw-3000"));
        // The page mentions each member at its position.
        let found = crate::records::mentions::mentioning(&r, MentionKind::ExternalUser, "wmB").unwrap();
        assert_eq!(found.iter().map(|m| m.raw_id.as_str()).collect::<Vec<_>>(), vec!["raw-1000", "raw-3000"]);
    }

    #[test]
    fn an_older_snapshot_is_refused_and_changes_nothing() {
        let store = Store::in_memory().unwrap();
        store.write_with(|tx| apply_snapshot(tx, &snap(2000, &[("zhangsan", "张三"), ("wmA", "a")]))).unwrap();
        let mut tx = store.write().unwrap();
        let err = apply_snapshot(&mut tx, &snap(1000, &[("zhangsan", "张三")])).unwrap_err().to_string();
        assert!(err.contains("older than the stored one"), "{err}");
        drop(tx);
        let r = store.read().unwrap();
        assert!(members(&r, "wrG1").unwrap().iter().all(is_present));
    }
}
