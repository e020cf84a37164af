//! The camp's WeCom groups seen per person: who was ever in them, who is in
//! them now, and when someone last left.

use super::fast_map::FastMap;

use jiff::Timestamp;

use crate::domain::{ChatId, GroupMember, MemberKind, MembershipEvent, MembershipEventKind};

/// The end of a member's chain of records.
const NONE: u32 = u32::MAX;

/// Membership in the camp's groups, by `member_id` (`external_userid` for customers).
#[derive(Debug, Default)]
pub struct GroupView<'a> {
    /// Each member's latest record, as an index into `records`.
    by_member: FastMap<&'a str, u32>,
    /// Records, each with the index of the same member's previous record (or `NONE`).
    records: Vec<(&'a GroupMember, u32)>,
    leaves: FastMap<&'a str, Vec<Timestamp>>,
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
        let mut by_member: FastMap<&str, u32> = FastMap::default();
        let mut records = Vec::new();
        for m in members.iter().filter(|m| chats.contains(&m.chat_id)) {
            let Ok(at) = u32::try_from(records.len()) else { break };
            let previous = by_member.insert(m.member_id.as_str(), at).unwrap_or(NONE);
            records.push((m, previous));
        }
        let mut leaves: FastMap<&str, Vec<Timestamp>> = FastMap::default();
        for e in events.iter().filter(|e| e.kind == MembershipEventKind::Left && chats.contains(&e.chat_id)) {
            leaves.entry(e.member_id.as_str()).or_default().push(e.at);
        }
        GroupView { synced: !by_member.is_empty(), configured: !chats.is_empty(), by_member, records, leaves }
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
            for m in self.records_of(id) {
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

    /// Every record of one member in the camp's groups.
    pub fn records_of(&self, member_id: &str) -> impl Iterator<Item = &'a GroupMember> + '_ {
        let mut next = self.by_member.get(member_id).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            let (m, previous) = *self.records.get(usize::try_from(next).ok()?)?;
            next = previous;
            Some(m)
        })
    }

    /// External (customer) members, each once, in no particular order.
    pub fn external_members(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.by_member.keys().copied().filter(|id| self.records_of(id).any(|m| m.kind == MemberKind::External))
    }
}
