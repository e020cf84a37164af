//! Group snapshot diffing: from the members stored for a group and a new
//! snapshot of it, the updated members, the join/leave events and the name
//! changes. Pure.
//!
//! - someone listed for the first time: a new member, `Joined` at WeCom's
//!   `join_time` (or the snapshot time when WeCom gives none);
//! - someone listed again after a leave: `left_at` cleared, `Joined` again at the
//!   new `join_time` (when it is after the leave) or the snapshot time;
//! - someone stored as present but not listed: `left_at` = snapshot time, `Left`;
//! - a name or group nickname that differs from the stored one: the old one is
//!   kept as a [`MemberNameChange`].
//!
//! Diffing the same snapshot twice changes nothing the second time.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Change, RecordsError};
use crate::domain::{ChatId, GroupMember, MemberKind, MembershipEvent, MembershipEventKind, SourceRef, StaffUserId};

/// One member as a snapshot lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotMember {
    /// `userid` (staff) or `external_userid` (external).
    pub member_id: String,
    /// Staff or external.
    pub kind: MemberKind,
    /// WeChat name (`need_name = 1`).
    pub name: Option<String>,
    /// Nickname inside the group.
    pub group_nickname: Option<String>,
    /// unionid.
    pub unionid: Option<String>,
    /// `join_time`.
    pub join_time: Option<Timestamp>,
    /// `join_scene`.
    pub join_scene: Option<i64>,
    /// Index in the page's member list.
    pub position: Option<u32>,
}

/// A full member list of one group at one instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSnapshot {
    /// The group.
    pub chat_id: ChatId,
    /// Group name.
    pub name: Option<String>,
    /// Owner's userid.
    pub owner: Option<StaffUserId>,
    /// `member_version`, when WeCom sends it.
    pub member_version: Option<String>,
    /// When the list was fetched.
    pub taken_at: Timestamp,
    /// Every member listed.
    pub members: Vec<SnapshotMember>,
    /// The raw page (position unset).
    pub source: SourceRef,
}

/// A name or group nickname a member used before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberNameChange {
    /// The group.
    pub chat_id: ChatId,
    /// The member.
    pub member_id: String,
    /// The WeChat name then.
    pub name: Option<String>,
    /// The group nickname then.
    pub group_nickname: Option<String>,
    /// The last snapshot that showed it.
    pub until: Timestamp,
}

/// What a snapshot changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapshotDiff {
    /// Members to store, with what happened to each.
    pub members: Vec<(GroupMember, Change)>,
    /// Joins and leaves.
    pub events: Vec<MembershipEvent>,
    /// Earlier names.
    pub name_changes: Vec<MemberNameChange>,
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_ref().filter(|v| !v.is_empty()).cloned()
}

/// Diffs `snapshot` against `known`, the members stored for the same group.
pub fn diff(known: &[GroupMember], snapshot: &GroupSnapshot) -> Result<SnapshotDiff, RecordsError> {
    let chat = snapshot.chat_id.as_str();
    let mut seen = HashSet::new();
    for m in &snapshot.members {
        if m.member_id.trim().is_empty() {
            return Err(RecordsError::invalid(
                format!("group {chat} member #{}", m.position.unwrap_or_default()),
                "userid",
                "is empty",
            ));
        }
        if !seen.insert(m.member_id.as_str()) {
            return Err(RecordsError::invalid(
                format!("group {chat} member {}", m.member_id),
                "userid",
                "is listed twice in one snapshot",
            ));
        }
    }
    let active = known.iter().filter(|m| m.left_at.is_none()).count();
    if snapshot.members.is_empty() && active > 0 {
        return Err(RecordsError::Conflict(format!(
            "group {chat}: the snapshot lists no members, but {active} are present; a group always has its owner, \
             so the snapshot is not trusted"
        )));
    }
    let stored: HashMap<&str, &GroupMember> = known.iter().map(|m| (m.member_id.as_str(), m)).collect();
    let at = snapshot.taken_at;
    let mut out = SnapshotDiff::default();

    for m in &snapshot.members {
        let name = nonempty(&m.name);
        let nickname = nonempty(&m.group_nickname);
        match stored.get(m.member_id.as_str()) {
            None => {
                let member = GroupMember {
                    chat_id: snapshot.chat_id.clone(),
                    member_id: m.member_id.clone(),
                    kind: m.kind,
                    name,
                    group_nickname: nickname,
                    unionid: m.unionid.clone(),
                    join_time: m.join_time,
                    join_scene: m.join_scene,
                    first_seen: at,
                    last_seen: at,
                    left_at: None,
                };
                out.events.push(MembershipEvent {
                    chat_id: snapshot.chat_id.clone(),
                    member_id: m.member_id.clone(),
                    kind: MembershipEventKind::Joined,
                    at: m.join_time.unwrap_or(at),
                });
                out.members.push((member, Change::Inserted));
            }
            Some(old) => {
                let mut member = (*old).clone();
                if let Some(left) = old.left_at {
                    member.left_at = None;
                    let rejoined = m.join_time.filter(|j| *j > left).unwrap_or(at);
                    out.events.push(MembershipEvent {
                        chat_id: snapshot.chat_id.clone(),
                        member_id: m.member_id.clone(),
                        kind: MembershipEventKind::Joined,
                        at: rejoined,
                    });
                }
                let renamed = name.is_some() && name != old.name;
                let renicked = nickname != old.group_nickname && (nickname.is_some() || old.group_nickname.is_some());
                if renamed || renicked {
                    out.name_changes.push(MemberNameChange {
                        chat_id: snapshot.chat_id.clone(),
                        member_id: m.member_id.clone(),
                        name: old.name.clone(),
                        group_nickname: old.group_nickname.clone(),
                        until: old.last_seen,
                    });
                }
                if name.is_some() {
                    member.name = name;
                }
                member.group_nickname = nickname;
                member.kind = m.kind;
                member.unionid = m.unionid.clone().or(member.unionid);
                member.join_time = m.join_time.or(member.join_time);
                member.join_scene = m.join_scene.or(member.join_scene);
                member.last_seen = member.last_seen.max(at);
                let change = if &member == *old { Change::Unchanged } else { Change::Updated };
                out.members.push((member, change));
            }
        }
    }
    for old in known {
        if old.left_at.is_none() && !seen.contains(old.member_id.as_str()) && old.last_seen < at {
            let mut member = old.clone();
            member.left_at = Some(at);
            out.events.push(MembershipEvent {
                chat_id: snapshot.chat_id.clone(),
                member_id: old.member_id.clone(),
                kind: MembershipEventKind::Left,
                at,
            });
            out.members.push((member, Change::Updated));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    fn member(id: &str, name: &str, nick: &str, join: i64) -> SnapshotMember {
        SnapshotMember {
            member_id: id.to_string(),
            kind: if id.starts_with("wm") { MemberKind::External } else { MemberKind::Staff },
            name: Some(name.to_string()),
            group_nickname: Some(nick.to_string()),
            unionid: None,
            join_time: Some(ts(join)),
            join_scene: Some(3),
            position: None,
        }
    }

    fn snap(at: i64, members: Vec<SnapshotMember>) -> GroupSnapshot {
        GroupSnapshot {
            chat_id: ChatId::new("wrG1"),
            name: Some("营".into()),
            owner: None,
            member_version: None,
            taken_at: ts(at),
            members,
            source: SourceRef { raw_id: format!("raw-{at}"), position: None },
        }
    }

    /// Applies a diff to the stored list, as the store does.
    fn apply(known: &mut Vec<GroupMember>, d: &SnapshotDiff) {
        for (m, _) in &d.members {
            match known.iter_mut().find(|k| k.member_id == m.member_id) {
                Some(k) => *k = m.clone(),
                None => known.push(m.clone()),
            }
        }
    }

    /// Diffs and applies in one step.
    fn step(known: &mut Vec<GroupMember>, s: &GroupSnapshot) -> SnapshotDiff {
        let d = diff(known, s).unwrap();
        apply(known, &d);
        d
    }

    fn kinds(d: &SnapshotDiff) -> Vec<(String, MembershipEventKind, i64)> {
        d.events.iter().map(|e| (e.member_id.clone(), e.kind, e.at.as_second())).collect()
    }

    #[test]
    fn join_leave_and_return() {
        let mut known = Vec::new();
        let d1 =
            diff(&known, &snap(1000, vec![member("owner", "群主", "", 10), member("wmA", "小明", "", 900)])).unwrap();
        assert_eq!(
            kinds(&d1),
            vec![("owner".into(), MembershipEventKind::Joined, 10), ("wmA".into(), MembershipEventKind::Joined, 900)]
        );
        apply(&mut known, &d1);

        // wmA is gone at 2000: a leave at the first snapshot without them.
        let d2 = diff(&known, &snap(2000, vec![member("owner", "群主", "", 10)])).unwrap();
        assert_eq!(kinds(&d2), vec![("wmA".into(), MembershipEventKind::Left, 2000)]);
        apply(&mut known, &d2);
        let a = known.iter().find(|m| m.member_id == "wmA").unwrap();
        assert_eq!(a.left_at, Some(ts(2000)));
        assert_eq!(a.last_seen, ts(1000));

        // Still gone at 2500: nothing new.
        let d3 = diff(&known, &snap(2500, vec![member("owner", "群主", "", 10)])).unwrap();
        assert!(d3.events.is_empty());
        apply(&mut known, &d3);

        // Back at 3000 with a new join_time of 2800.
        let d4 =
            diff(&known, &snap(3000, vec![member("owner", "群主", "", 10), member("wmA", "小明", "", 2800)])).unwrap();
        assert_eq!(kinds(&d4), vec![("wmA".into(), MembershipEventKind::Joined, 2800)]);
        apply(&mut known, &d4);
        let a = known.iter().find(|m| m.member_id == "wmA").unwrap();
        assert_eq!(a.left_at, None);
        assert_eq!(a.first_seen, ts(1000));
        assert_eq!(a.last_seen, ts(3000));
    }

    #[test]
    fn a_return_with_a_stale_join_time_is_dated_by_the_snapshot() {
        let mut known = Vec::new();
        step(&mut known, &snap(1000, vec![member("o", "o", "", 1), member("wmA", "a", "", 900)]));
        step(&mut known, &snap(2000, vec![member("o", "o", "", 1)]));
        let d = diff(&known, &snap(3000, vec![member("o", "o", "", 1), member("wmA", "a", "", 900)])).unwrap();
        assert_eq!(kinds(&d), vec![("wmA".into(), MembershipEventKind::Joined, 3000)]);
    }

    #[test]
    fn renames_keep_the_old_names() {
        let mut known = Vec::new();
        step(&mut known, &snap(1000, vec![member("o", "o", "", 1), member("wmA", "小明", "明明", 900)]));
        let d = diff(&known, &snap(2000, vec![member("o", "o", "", 1), member("wmA", "Ming", "明明", 900)])).unwrap();
        assert_eq!(
            d.name_changes,
            vec![MemberNameChange {
                chat_id: ChatId::new("wrG1"),
                member_id: "wmA".into(),
                name: Some("小明".into()),
                group_nickname: Some("明明".into()),
                until: ts(1000),
            }]
        );
        let (m, change) = d.members.iter().find(|(m, _)| m.member_id == "wmA").unwrap();
        assert_eq!(*change, Change::Updated);
        assert_eq!(m.name.as_deref(), Some("Ming"));
        apply(&mut known, &d);
        // A group nickname change alone is kept too; a missing name (need_name=0) is no rename.
        let mut no_name = member("wmA", "", "新昵称", 900);
        no_name.name = None;
        let d = diff(&known, &snap(3000, vec![member("o", "o", "", 1), no_name])).unwrap();
        assert_eq!(d.name_changes.len(), 1);
        assert_eq!(d.name_changes[0].group_nickname.as_deref(), Some("明明"));
        let (m, _) = d.members.iter().find(|(m, _)| m.member_id == "wmA").unwrap();
        assert_eq!(m.name.as_deref(), Some("Ming"), "the name is kept when WeCom omits it");
    }

    #[test]
    fn bad_snapshots_are_refused() {
        let mut known = Vec::new();
        step(&mut known, &snap(1000, vec![member("o", "o", "", 1)]));
        let err = diff(&known, &snap(2000, vec![])).unwrap_err().to_string();
        assert!(err.contains("lists no members, but 1 are present"), "{err}");
        let err = diff(&known, &snap(2000, vec![member("wmA", "a", "", 1), member("wmA", "a", "", 1)]))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "group wrG1 member wmA: userid: is listed twice in one snapshot");
    }

    proptest! {
        /// Replaying any sequence of snapshots: applying a snapshot twice changes
        /// nothing, events alternate join/leave per member starting with a join,
        /// and the members present equal the last snapshot's list.
        #[test]
        fn snapshots_replay_consistently(lists in proptest::collection::vec(proptest::collection::btree_set(0u8..6, 1..6), 1..8)) {
            let mut known: Vec<GroupMember> = Vec::new();
            let mut events: Vec<MembershipEvent> = Vec::new();
            for (i, ids) in lists.iter().enumerate() {
                let at = 1000 * (i as i64 + 1);
                let s = snap(at, ids.iter().map(|n| member(&format!("wm{n}"), "x", "", 1)).collect());
                let d = diff(&known, &s).unwrap();
                events.extend(d.events.clone());
                apply(&mut known, &d);
                let again = diff(&known, &s).unwrap();
                prop_assert!(again.events.is_empty());
                prop_assert!(again.members.iter().all(|(_, c)| *c == Change::Unchanged));
                let present: std::collections::BTreeSet<String> =
                    known.iter().filter(|m| m.left_at.is_none()).map(|m| m.member_id.clone()).collect();
                let listed: std::collections::BTreeSet<String> = ids.iter().map(|n| format!("wm{n}")).collect();
                prop_assert_eq!(present, listed);
            }
            for n in 0u8..6 {
                let id = format!("wm{n}");
                let mine: Vec<MembershipEventKind> = events.iter().filter(|e| e.member_id == id).map(|e| e.kind).collect();
                for (i, k) in mine.iter().enumerate() {
                    let expected = if i % 2 == 0 { MembershipEventKind::Joined } else { MembershipEventKind::Left };
                    prop_assert_eq!(*k, expected);
                }
            }
        }
    }
}
