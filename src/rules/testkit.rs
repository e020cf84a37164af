//! Builders for the rules' tests: a camp from camps.toml text and records with
//! only the fields a test cares about.

use std::path::Path;

use jiff::Timestamp;

use super::input::{AcceptedLink, LeaveRecord, OverrideDecision, VerdictOverride};
use crate::config::{Camp, Config};
use crate::domain::time::parse_zsxq_time;
use crate::domain::{
    Attribution, CampId, ChatId, CheckinId, CheckinProject, CheckinTopic, Day, DayRule, ExternalUserId, GroupMember,
    MemberKind, MembershipEvent, MembershipEventKind, Money, Payment, PlanetUser, PlanetUserId, RankingEntry,
    SourceRef, TopicId, TransactionId,
};

pub const CAMP: &str = "2510-xhs";
pub const CHECKIN: &str = "2424424541";
pub const CHAT: &str = "wrChatA";

/// A config with one camp 2025-10-25..=2025-11-03 (10 days), 7 required, 39.00;
/// `extra` lines are added to the camp table.
pub fn config(extra: &str) -> Config {
    let text = format!(
        r#"
[[camps]]
id = "{CAMP}"
name = "2510 AI小绿书爆文"
start = "2025-10-25"
end = "2025-11-03"
required = 7
deposit = "39.00"
checkin_id = "{CHECKIN}"
group_chats = ["{CHAT}"]
{extra}
"#
    );
    match crate::config::parse_str(&text, Path::new("camps.toml")) {
        Ok(c) => c,
        Err(e) => panic!("test config does not load: {e}"),
    }
}

/// The camp of [`config`] and the global day rule.
pub fn camp(extra: &str) -> (Camp, DayRule) {
    let c = config(extra);
    (c.camps[0].clone(), c.day_rule)
}

/// An instant from zsxq's format (`2025-10-25T21:00:00.000+0800`) or RFC 3339.
pub fn ts(text: &str) -> Timestamp {
    parse_zsxq_time(text).or_else(|_| text.parse()).unwrap_or_else(|_| panic!("bad test time {text}"))
}

/// A day from `YYYY-MM-DD`.
pub fn day(text: &str) -> Day {
    text.parse().unwrap_or_else(|_| panic!("bad test day {text}"))
}

/// Local Shanghai time `MM-DD HH:MM` in 2025 as zsxq writes it.
pub fn at(md_hm: &str) -> String {
    let (md, hm) = md_hm.split_once(' ').unwrap_or((md_hm, "20:00"));
    format!("2025-{md}T{hm}:00.000+0800")
}

fn source(raw: &str) -> SourceRef {
    SourceRef { raw_id: raw.to_string(), position: None }
}

/// A post of `user` in the camp's project at `when` (zsxq format).
pub fn topic(id: &str, user: &str, when: &str, text: &str) -> CheckinTopic {
    topic_in(CHECKIN, id, user, when, text)
}

/// A post in project `checkin`.
pub fn topic_in(checkin: &str, id: &str, user: &str, when: &str, text: &str) -> CheckinTopic {
    CheckinTopic {
        topic_id: TopicId::new(id),
        checkin_id: CheckinId::new(checkin),
        user_id: PlanetUserId::new(user),
        created_at: ts(when),
        created_at_raw: when.to_string(),
        text: text.to_string(),
        text_chars: u32::try_from(text.chars().count()).unwrap_or(0),
        images: 0,
        comments: Vec::new(),
        source: source(&format!("raw-topics-{id}")),
    }
}

/// A ranking row of `user` with `days`.
pub fn ranking(user: &str, rank: u32, days: u32) -> RankingEntry {
    RankingEntry {
        checkin_id: CheckinId::new(CHECKIN),
        user_id: PlanetUserId::new(user),
        rank,
        checkined_days: days,
        fetched_at: ts("2025-11-04T01:00:00.000+0800"),
        source: source("raw-ranking-0"),
    }
}

/// A payment of `yuan` for the camp at `when`, by `ext` when given.
pub fn payment(tx: &str, yuan: &str, when: &str, ext: Option<&str>) -> Payment {
    Payment {
        transaction_id: TransactionId::new(tx),
        out_trade_no: None,
        camp: Some(CampId::new(CAMP)),
        attribution: Attribution::Rules { notes: Vec::new() },
        payer_external_userid: ext.map(ExternalUserId::new),
        payer_name: Some(format!("付款人{tx}")),
        remark: String::new(),
        description: None,
        amount: Money::parse_yuan(yuan).unwrap_or_default(),
        paid_at: ts(when),
        payee_userid: None,
        mch_id: None,
        payment_type: Some(1),
        refunded_total: Money::ZERO,
        bill_refunds: Vec::new(),
        source: source(&format!("raw-bill-{tx}")),
    }
}

/// An accepted link of `tx` to planet user `user`.
pub fn link(tx: &str, user: &str) -> AcceptedLink {
    AcceptedLink {
        transaction_id: TransactionId::new(tx),
        planet_user_id: Some(PlanetUserId::new(user)),
        external_userid: None,
    }
}

/// An external member of the camp's group, joined at `joined`, left at `left`.
pub fn member(ext: &str, name: &str, joined: &str, left: Option<&str>) -> GroupMember {
    member_in(CHAT, ext, name, joined, left)
}

/// An external member of group `chat`.
pub fn member_in(chat: &str, ext: &str, name: &str, joined: &str, left: Option<&str>) -> GroupMember {
    GroupMember {
        chat_id: ChatId::new(chat),
        member_id: ext.to_string(),
        kind: MemberKind::External,
        name: Some(name.to_string()),
        group_nickname: None,
        unionid: None,
        join_time: Some(ts(joined)),
        join_scene: Some(3),
        first_seen: ts(joined),
        last_seen: left.map_or_else(|| ts(joined), ts),
        left_at: left.map(ts),
    }
}

/// A leave event of `ext` from the camp's group.
pub fn left_event(ext: &str, when: &str) -> MembershipEvent {
    MembershipEvent {
        chat_id: ChatId::new(CHAT),
        member_id: ext.to_string(),
        kind: MembershipEventKind::Left,
        at: ts(when),
    }
}

/// A planet user named `name`.
pub fn planet_user(id: &str, name: &str) -> PlanetUser {
    PlanetUser {
        user_id: PlanetUserId::new(id),
        name: name.to_string(),
        alias: None,
        number: None,
        wechat_name: None,
        name_history: Vec::new(),
        joined_planet_at: None,
        left_planet_at: None,
        first_seen: ts("2025-10-01T00:00:00.000+0800"),
        last_seen: ts("2025-10-01T00:00:00.000+0800"),
    }
}

/// The camp's project with `text`, `checkin_days`, created and expiring on the
/// given local days, and `min_words`.
pub fn project(text: &str, checkin_days: u32, created: &str, expires: &str, min_words: u32) -> CheckinProject {
    CheckinProject {
        checkin_id: CheckinId::new(CHECKIN),
        title: "2510 AI小绿书爆文".to_string(),
        text: Some(text.to_string()),
        checkin_days: Some(checkin_days),
        status: "ongoing".to_string(),
        created_at: Some(ts(&format!("{created}T09:00:00.000+0800"))),
        expires_at: Some(ts(&format!("{expires}T23:59:59.999+0800"))),
        min_words_count: Some(min_words),
        joined_count: None,
        completed_count: None,
        source: source("raw-project"),
    }
}

/// A leave record for `user` on `day`.
pub fn leave(user: &str, on: &str, reason: &str) -> LeaveRecord {
    LeaveRecord {
        planet_user_id: PlanetUserId::new(user),
        day: day(on),
        reason: reason.to_string(),
        by: "lisi".to_string(),
        at: ts("2025-10-28T10:00:00.000+0800"),
    }
}

/// A reviewer's override.
pub fn override_to(tx: &str, decision: OverrideDecision, by: &str, when: &str, reason: &str) -> VerdictOverride {
    VerdictOverride {
        transaction_id: TransactionId::new(tx),
        decision,
        reason: reason.to_string(),
        by: by.to_string(),
        at: ts(when),
    }
}

/// Posts of `user` at 20:00 local on each of `days` (`MM-DD`), ids `user-MM-DD`.
pub fn daily_posts(user: &str, days: &[&str]) -> Vec<CheckinTopic> {
    days.iter()
        .map(|md| {
            topic(
                &format!("{user}-{md}"),
                user,
                &at(&format!("{md} 20:00")),
                "今天完成了第一章的阅读和笔记整理，收获很多",
            )
        })
        .collect()
}

/// Owned inputs for one camp; [`World::eval`] borrows them into a `CampInput`.
pub struct World {
    pub camp: Camp,
    pub rule: DayRule,
    pub project: Option<CheckinProject>,
    pub payments: Vec<Payment>,
    pub links: Vec<AcceptedLink>,
    pub topics: Vec<CheckinTopic>,
    pub ranking: Vec<RankingEntry>,
    pub members: Vec<GroupMember>,
    pub events: Vec<MembershipEvent>,
    pub users: Vec<PlanetUser>,
    pub overrides: Vec<VerdictOverride>,
    pub leaves: Vec<LeaveRecord>,
    pub now: Timestamp,
    pub frozen: Option<super::freeze::FrozenInputs>,
}

impl World {
    /// The camp of [`config`] with `extra`, evaluated on 2025-11-05 (after the end).
    pub fn new(extra: &str) -> World {
        let (camp, rule) = camp(extra);
        World {
            camp,
            rule,
            project: None,
            payments: Vec::new(),
            links: Vec::new(),
            topics: Vec::new(),
            ranking: Vec::new(),
            members: Vec::new(),
            events: Vec::new(),
            users: Vec::new(),
            overrides: Vec::new(),
            leaves: Vec::new(),
            now: ts("2025-11-05T10:00:00.000+0800"),
            frozen: None,
        }
    }

    /// A paying, linked member in the group who posted on `days` (`MM-DD`):
    /// payment `tx`, planet user `user`, external id `ext-<user>`.
    pub fn member(&mut self, tx: &str, user: &str, days: &[&str]) -> &mut World {
        let ext = format!("ext-{user}");
        self.payments.push(payment(tx, "39.00", "2025-10-20T12:00:00.000+0800", Some(&ext)));
        self.links.push(link(tx, user));
        self.topics.extend(daily_posts(user, days));
        self.members.push(member(&ext, &format!("微信{user}"), "2025-10-20T12:30:00.000+0800", None));
        self.users.push(planet_user(user, &format!("星球{user}")));
        self
    }

    /// The input.
    pub fn input(&self) -> super::input::CampInput<'_> {
        super::input::CampInput {
            project: self.project.as_ref(),
            payments: &self.payments,
            links: &self.links,
            topics: &self.topics,
            ranking: &self.ranking,
            group_members: &self.members,
            membership_events: &self.events,
            planet_users: &self.users,
            overrides: &self.overrides,
            leaves: &self.leaves,
            frozen: self.frozen.as_ref(),
            ..super::input::CampInput::new(&self.camp, &self.rule, self.now)
        }
    }

    /// Evaluates the camp (panics on a caller error).
    pub fn eval(&self) -> super::evaluate::CampEvaluation {
        match super::evaluate::evaluate_camp(&self.input()) {
            Ok(e) => e,
            Err(e) => panic!("evaluation failed: {e}"),
        }
    }

    /// The verdict of payment `tx`.
    pub fn verdict(&self, tx: &str) -> super::verdict::Verdict {
        let e = self.eval();
        match e.verdicts.into_iter().find(|v| v.transaction_id.as_str() == tx) {
            Some(v) => v,
            None => panic!("no verdict for {tx}"),
        }
    }
}

/// `n` consecutive camp days from 10-25, as `MM-DD`.
pub fn first_days(n: usize) -> Vec<&'static str> {
    ["10-25", "10-26", "10-27", "10-28", "10-29", "10-30", "10-31", "11-01", "11-02", "11-03"][..n].to_vec()
}
