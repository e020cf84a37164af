//! The camp's WeCom groups seen per person: who was ever in them, who is in
//! them now, and when someone last left.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::domain::{ChatId, GroupMember, MemberKind, MembershipEvent, MembershipEventKind};

/// Membership in the camp's groups, by `member_id` (`external_userid` for customers).
#[derive(Debug, Default)]
pub struct GroupView<'a> {
    by_member: HashMap<&'a str, Vec<&'a GroupMember>>,
    leaves: HashMap<&'a str, Vec<Timestamp>>,
    /// Whether any member of the camp's groups was synced at all.
    pub synced: bool,
    /// Whether the camp names any group.
    pub configured: bool,
}

/// Where a person stands with the camp's groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Never seen in any of the camp's groups.
    NeverJoined,
    /// In at least one of the camp's groups now.
    Present,
    /// Was in the groups, left all of them; the latest leave.
    Left(Timestamp),
}

impl<'a> GroupView<'a> {
    /// The members and leave events of `chats`; other groups are skipped.
    pub fn new(chats: &[ChatId], members: &'a [GroupMember], events: &'a [MembershipEvent]) -> GroupView<'a> {
        let mut by_member: HashMap<&str, Vec<&GroupMember>> = HashMap::new();
        for m in members.iter().filter(|m| chats.contains(&m.chat_id)) {
            by_member.entry(m.member_id.as_str()).or_default().push(m);
        }
        let mut leaves: HashMap<&str, Vec<Timestamp>> = HashMap::new();
        for e in events.iter().filter(|e| e.kind == MembershipEventKind::Left && chats.contains(&e.chat_id)) {
            leaves.entry(e.member_id.as_str()).or_default().push(e.at);
        }
        GroupView { synced: !by_member.is_empty(), configured: !chats.is_empty(), by_member, leaves }
    }

    /// The earliest recorded leave of any of `ids` within `from..until`, whatever
    /// happened after it (used to note a leave-and-return during the camp).
    pub fn left_between<'i>(
        &self,
        ids: impl IntoIterator<Item = &'i str>,
        from: Timestamp,
        until: Timestamp,
    ) -> Option<Timestamp> {
        ids.into_iter()
            .flat_map(|id| self.leaves.get(id).into_iter().flatten())
            .copied()
            .filter(|t| *t >= from && *t < until)
            .min()
    }

    /// Where the person with any of `ids` stands.
    pub fn standing<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> Standing {
        let mut seen = false;
        let mut last_left: Option<Timestamp> = None;
        for id in ids {
            for m in self.by_member.get(id).into_iter().flatten() {
                seen = true;
                match m.left_at {
                    None => return Standing::Present,
                    Some(t) => last_left = Some(last_left.map_or(t, |l| l.max(t))),
                }
            }
        }
        match (seen, last_left) {
            (true, Some(t)) => Standing::Left(t),
            _ => Standing::NeverJoined,
        }
    }

    /// External (customer) members, each once, in `member_id` order, with their records.
    pub fn external_members(&self) -> Vec<(&'a str, &[&'a GroupMember])> {
        let mut out: Vec<(&str, &[&GroupMember])> = self
            .by_member
            .iter()
            .filter(|(_, ms)| ms.iter().any(|m| m.kind == MemberKind::External))
            .map(|(id, ms)| (*id, ms.as_slice()))
            .collect();
        out.sort_unstable_by_key(|(id, _)| *id);
        out
    }
}
