//! Who a purge is about: the people of the camps being purged who take part in
//! no other camp (a person still in a kept camp keeps their name), their ids on
//! every platform, and the personal strings to replace, with the strings of
//! everyone kept (never replaced).

use std::collections::{BTreeMap, BTreeSet};

use super::scrub::{ERASED, Scrubber, ScrubberBuilder, pseudonym};
use crate::config::{Camp, Config};
use crate::links;
use crate::records::{self, checkins, groups, members, payments, planet_users, ranking};
use crate::store::{StoreError, WriteTx};
use crate::verdicts;

/// The ids one camp touches.
#[derive(Clone, Debug, Default)]
pub struct People {
    /// Its payments.
    pub txns: BTreeSet<String>,
    /// Planet users: linked payers, authors of its posts, its ranking, members imported for it.
    pub users: BTreeSet<String>,
    /// WeCom external_userids: payers and members of its groups.
    pub exts: BTreeSet<String>,
    /// Member numbers of its planet users and imported rows.
    pub numbers: BTreeSet<String>,
    /// Its project's posts.
    pub topics: BTreeSet<String>,
    /// Its groups.
    pub chats: BTreeSet<String>,
    /// Its project.
    pub checkins: BTreeSet<String>,
    /// external_userid → planet user, from its links.
    pub user_of_ext: BTreeMap<String, String>,
    /// transaction id → planet user, from its links and verdicts.
    pub user_of_txn: BTreeMap<String, String>,
}

impl People {
    fn extend(&mut self, o: People) {
        self.txns.extend(o.txns);
        self.users.extend(o.users);
        self.exts.extend(o.exts);
        self.numbers.extend(o.numbers);
        self.topics.extend(o.topics);
        self.chats.extend(o.chats);
        self.checkins.extend(o.checkins);
        self.user_of_ext.extend(o.user_of_ext);
        self.user_of_txn.extend(o.user_of_txn);
    }
}

fn rec(e: records::RecordsError) -> StoreError {
    StoreError::Rejected(e.to_string())
}

/// The ids camp `camp` touches.
pub fn people_of(tx: &WriteTx, camp: &Camp) -> Result<People, StoreError> {
    let mut p = People::default();
    for pay in payments::payments_of_camp(tx, camp.id.as_str()).map_err(rec)? {
        p.txns.insert(pay.transaction_id.to_string());
        p.exts.extend(pay.payer_external_userid.map(|e| e.to_string()));
    }
    for (_, l) in tx.prefix(&links::LINKS, &crate::store::key_prefix(&[camp.id.as_str()]))? {
        if let Some(u) = &l.planet_user_id {
            p.users.insert(u.to_string());
            p.user_of_txn.insert(l.transaction_id.to_string(), u.to_string());
            if let Some(e) = &l.external_userid {
                p.user_of_ext.insert(e.to_string(), u.to_string());
            }
        }
        p.exts.extend(l.external_userid.map(|e| e.to_string()));
    }
    if let Some(e) = tx.get(&verdicts::EVALUATIONS, camp.id.as_str())? {
        for v in e.verdicts {
            if let Some(u) = v.planet_user_id {
                p.user_of_txn.insert(v.transaction_id.to_string(), u.to_string());
                p.users.insert(u.to_string());
            }
        }
    }
    for chat in &camp.group_chats {
        p.chats.insert(chat.to_string());
        for m in groups::members(tx, chat.as_str()).map_err(rec)? {
            if m.kind == crate::domain::MemberKind::External {
                p.exts.insert(m.member_id);
            }
        }
    }
    if let Some(cid) = &camp.checkin_id {
        p.checkins.insert(cid.to_string());
        for t in checkins::topics(tx, cid.as_str()).map_err(rec)? {
            p.topics.insert(t.topic_id.to_string());
            p.users.insert(t.user_id.to_string());
        }
        for r in ranking::ranking(tx, cid.as_str()).map_err(rec)? {
            p.users.insert(r.user_id.to_string());
        }
    }
    for row in members::camp_export_rows(tx, camp.id.as_str()).map_err(rec)? {
        p.numbers.extend(row.number.clone());
        p.users.extend(row.user_id.map(|u| u.to_string()));
    }
    for u in p.users.clone() {
        if let Some(n) = planet_users::planet_user(tx, &u).map_err(rec)?.and_then(|u| u.number) {
            p.numbers.insert(n);
        }
    }
    Ok(p)
}

/// What a purge covers.
#[derive(Debug)]
pub struct Scope {
    /// The camps purged.
    pub camps: Vec<crate::domain::CampId>,
    /// Ids of the purged camps' people who are in no kept camp (payments: all of theirs).
    pub purged: People,
    /// Everything of the kept camps and of payments without a camp.
    pub kept: People,
    /// Chats and projects of purged camps only.
    pub own_chats: BTreeSet<String>,
    /// Projects of purged camps only.
    pub own_checkins: BTreeSet<String>,
    /// The replacements.
    pub scrubber: Scrubber,
    /// Excerpts and post texts erased (for the leftover check).
    pub texts: usize,
}

impl Scope {
    /// The pseudonym of the person behind a planet user, external_userid or payment.
    pub fn root_of_ext(&self, ext: &str) -> String {
        pseudonym(self.purged.user_of_ext.get(ext).map_or(ext, String::as_str))
    }

    /// The pseudonym of a payment's payer.
    pub fn root_of_txn(&self, txn: &str, ext: Option<&str>) -> String {
        match (self.purged.user_of_txn.get(txn), ext) {
            (Some(u), _) => pseudonym(u),
            (None, Some(e)) => self.root_of_ext(e),
            (None, None) => pseudonym(txn),
        }
    }
}

/// campdesk's own wording and other common words: a nickname that is one of
/// them is only replaced as a whole value, never inside text.
const VOCABULARY: &str = "打卡 已打卡 未打卡 补卡 请假 达到要求 要求 天 共 差 付款人 备注 押金 退款 退还 全退 达标 边缘 \
未通过 通过 未关联 关联 星球 昵称 星球名片 微信名 微信 群成员 群 同名 金额 一致 水卡 人工复核 复核 训练营 营期 第 加油 学习 \
今天 明天 完成 笔记 阅读 写作 成员 用户 小组 教练 助教 志愿者 管理员 星主";

/// Builds the scope of purging `purge` while keeping `keep`.
pub fn build(tx: &WriteTx, config: &Config, purge: &[&Camp], keep: &[&Camp]) -> Result<Scope, StoreError> {
    let mut p = People::default();
    for c in purge {
        p.extend(people_of(tx, c)?);
    }
    let mut k = People::default();
    for c in keep {
        k.extend(people_of(tx, c)?);
    }
    for pay in payments::unattributed_payments(tx).map_err(rec)? {
        k.txns.insert(pay.transaction_id.to_string());
        k.exts.extend(pay.payer_external_userid.map(|e| e.to_string()));
    }
    for l in tx.prefix(&links::LINKS, &crate::store::key_prefix(&[links::NO_CAMP]))? {
        k.users.extend(l.1.planet_user_id.map(|u| u.to_string()));
        k.exts.extend(l.1.external_userid.map(|e| e.to_string()));
    }
    let own_chats: BTreeSet<String> = p.chats.difference(&k.chats).cloned().collect();
    let own_checkins: BTreeSet<String> = p.checkins.difference(&k.checkins).cloned().collect();
    let purged = People {
        txns: p.txns.clone(),
        users: p.users.difference(&k.users).cloned().collect(),
        exts: p.exts.difference(&k.exts).cloned().collect(),
        numbers: p.numbers.difference(&k.numbers).cloned().collect(),
        topics: p.topics.difference(&k.topics).cloned().collect(),
        chats: own_chats.clone(),
        checkins: own_checkins.clone(),
        user_of_ext: p.user_of_ext.clone(),
        user_of_txn: p.user_of_txn.clone(),
    };
    let mut scope = Scope {
        camps: purge.iter().map(|c| c.id.clone()).collect(),
        purged,
        kept: k,
        own_chats,
        own_checkins,
        scrubber: ScrubberBuilder::default().build(),
        texts: 0,
    };
    let (scrubber, texts) = strings(tx, config, &scope)?;
    scope.scrubber = scrubber;
    scope.texts = texts;
    Ok(scope)
}

/// The personal strings of the purged people (with their replacements) and the
/// strings of everyone kept.
fn strings(tx: &WriteTx, config: &Config, s: &Scope) -> Result<(Scrubber, usize), StoreError> {
    let mut b = ScrubberBuilder::default();
    let mut texts = 0;
    for w in VOCABULARY.split_whitespace() {
        b.vocabulary(w);
    }
    for c in &config.camps {
        b.vocabulary(&c.name);
        for n in c.coaches.iter().chain(&c.volunteers) {
            b.vocabulary(n);
        }
    }
    for (_, p) in tx.all(&checkins::CHECKIN_PROJECTS)? {
        b.vocabulary(&p.title);
        if let Some(t) = &p.text {
            b.vocabulary(t);
        }
    }
    for (_, g) in tx.all(&groups::GROUPS)? {
        if let Some(n) = &g.name {
            b.vocabulary(n);
        }
    }

    for (_, p) in tx.all(&payments::PAYMENTS)? {
        let txn = p.transaction_id.as_str();
        if s.purged.txns.contains(txn) {
            let name = s.root_of_txn(txn, p.payer_external_userid.as_ref().map(|e| e.as_str()));
            if let Some(n) = &p.payer_name {
                b.replace(n, &name);
            }
            b.replace(&p.remark, ERASED);
            for r in &p.bill_refunds {
                if let Some(c) = &r.comment {
                    b.replace(c, ERASED);
                }
            }
        } else {
            b.keep(p.payer_name.as_deref().unwrap_or(""));
            b.keep(&p.remark);
        }
    }
    for (_, u) in tx.all(&planet_users::PLANET_USERS)? {
        let id = u.user_id.as_str();
        let names = std::iter::once(u.name.as_str())
            .chain(u.alias.as_deref())
            .chain(u.wechat_name.as_deref())
            .chain(u.name_history.iter().flat_map(|h| std::iter::once(h.name.as_str()).chain(h.alias.as_deref())));
        for n in names {
            if s.purged.users.contains(id) { b.replace(n, &pseudonym(id)) } else { b.keep(n) }
        }
    }
    for (_, row) in tx.all(&members::MEMBER_EXPORTS)? {
        let user = row.user_id.as_ref().map(|u| u.to_string());
        let purged = user.as_ref().is_some_and(|u| s.purged.users.contains(u))
            || row.number.as_ref().is_some_and(|n| s.purged.numbers.contains(n));
        let root = pseudonym(user.as_deref().or(row.number.as_deref()).unwrap_or(""));
        for n in [&row.name, &row.wechat_name, &row.alias, &row.remark_name, &row.knowledge_id].into_iter().flatten() {
            if purged { b.replace(n, &root) } else { b.keep(n) }
        }
    }
    for (_, m) in tx.all(&groups::GROUP_MEMBERS)? {
        let purged = s.own_chats.contains(m.chat_id.as_str()) && s.purged.exts.contains(&m.member_id);
        for n in [&m.name, &m.group_nickname].into_iter().flatten() {
            if purged { b.replace(n, &s.root_of_ext(&m.member_id)) } else { b.keep(n) }
        }
    }
    for (_, n) in tx.all(&groups::MEMBER_NAME_CHANGES)? {
        let purged = s.own_chats.contains(n.chat_id.as_str()) && s.purged.exts.contains(&n.member_id);
        for name in [&n.name, &n.group_nickname].into_iter().flatten() {
            if purged { b.replace(name, &s.root_of_ext(&n.member_id)) } else { b.keep(name) }
        }
    }
    for (_, t) in tx.all(&checkins::CHECKIN_TOPICS)? {
        if s.purged.topics.contains(t.topic_id.as_str()) && s.own_checkins.contains(t.checkin_id.as_str()) {
            b.replace(&t.text, ERASED);
            texts += 1;
        } else {
            b.keep(&t.text);
        }
    }
    for camp in &s.camps {
        if let Some(e) = tx.get(&verdicts::EVALUATIONS, camp.as_str())? {
            for v in &e.verdicts {
                for d in &v.days {
                    if let Some(x) = &d.excerpt {
                        b.replace(x, ERASED);
                        texts += 1;
                    }
                }
            }
        }
    }
    Ok((b.build(), texts))
}
