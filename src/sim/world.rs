//! The simulated platforms' data: the zsxq planet, the WeCom corp and the WeChat Pay merchant,
//! plus the timeline of scheduled actions and refund settlements that the sim clock drives.
//!
//! The servers share one `World` behind a lock. Every request first calls
//! [`World::advance`] with the sim time, which applies whatever the timeline holds up to then,
//! so the world a request sees is always the world at the sim clock's reading.

pub mod corp;
pub mod merchant;
pub mod planet;

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::corp::{BillRefund, Contact, ContactKind, Corp, GroupMember, PayerInfo};
use self::merchant::{Merchant, Notification, RefundOutcome};
use self::planet::{Planet, PlanetUser, Topic, ZsxqToken};
use super::actions::{Action, ActionError, ActionOutcome};
use crate::domain::time::format_zsxq_time;

/// Knobs of the simulated platforms' behaviour.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldSettings {
    /// How long a refund stays PROCESSING before it settles.
    pub refund_settle_after: SignedDuration,
    /// WeCom token lifetime (7200 s).
    pub wecom_token_ttl: SignedDuration,
    /// zsxq token lifetime (≈ 30 days); `x-expire-in` counts it down.
    pub zsxq_token_ttl: SignedDuration,
    /// Robot messages per key per minute (20).
    pub robot_per_minute: usize,
    /// Minimum gap between two API refunds of one order (1 minute).
    pub refund_gap: SignedDuration,
    /// Members per customer group (500).
    pub group_capacity: usize,
}

impl Default for WorldSettings {
    fn default() -> Self {
        WorldSettings {
            refund_settle_after: SignedDuration::from_mins(1),
            wecom_token_ttl: SignedDuration::from_secs(7200),
            zsxq_token_ttl: SignedDuration::from_secs(2_592_000),
            robot_per_minute: 20,
            refund_gap: SignedDuration::from_mins(1),
            group_capacity: 500,
        }
    }
}

/// Everything the three simulators serve.
#[derive(Clone, Debug)]
pub struct World {
    /// zsxq.
    pub planet: Planet,
    /// WeCom.
    pub corp: Corp,
    /// WeChat Pay.
    pub merchant: Merchant,
    /// Behaviour knobs.
    pub settings: WorldSettings,
    scheduled: BTreeMap<(Timestamp, u64), Action>,
    settlements: BTreeMap<(Timestamp, u64), (usize, usize)>,
    seq: u64,
    schedule_errors: Vec<String>,
    rng: ChaCha8Rng,
    now: Timestamp,
}

impl World {
    /// A world at `now` holding these platforms; `seed` drives ids minted later.
    pub fn new(
        planet: Planet,
        corp: Corp,
        merchant: Merchant,
        settings: WorldSettings,
        seed: u64,
        now: Timestamp,
    ) -> World {
        World {
            planet,
            corp,
            merchant,
            settings,
            scheduled: BTreeMap::new(),
            settlements: BTreeMap::new(),
            seq: 0,
            schedule_errors: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5157_f09e_fdc0_96de),
            now,
        }
    }

    /// The time the world was last advanced to.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Queues `action` to apply at `at` (when the world reaches that time).
    pub fn schedule(&mut self, at: Timestamp, action: Action) {
        let seq = self.next_seq();
        self.scheduled.insert((at, seq), action);
    }

    /// Actions still waiting for their time.
    pub fn pending(&self) -> usize {
        self.scheduled.len()
    }

    /// Scheduled actions that failed when their time came (a generator bug if not empty).
    pub fn schedule_errors(&self) -> &[String] {
        &self.schedule_errors
    }

    /// Applies every scheduled action and refund settlement due at or before `now`, in time order.
    pub fn advance(&mut self, now: Timestamp) {
        loop {
            let next_action = self.scheduled.keys().next().copied().filter(|(t, _)| *t <= now);
            let next_settle = self.settlements.keys().next().copied().filter(|(t, _)| *t <= now);
            match (next_action, next_settle) {
                (Some(a), Some(s)) if s < a => self.settle(s),
                (Some(a), _) => {
                    if let Some(action) = self.scheduled.remove(&a) {
                        self.now = self.now.max(a.0);
                        if let Err(e) = self.apply(action, a.0) {
                            self.schedule_errors.push(format!("{}: {e}", a.0));
                        }
                    }
                }
                (None, Some(s)) => self.settle(s),
                (None, None) => break,
            }
        }
        self.now = self.now.max(now);
    }

    /// Applies an action that fell due at `at` (replaying a timeline in time order, without
    /// queueing it first); a refusal is recorded in [`schedule_errors`](Self::schedule_errors).
    pub fn apply_due(&mut self, at: Timestamp, action: Action) {
        self.advance(at);
        if let Err(e) = self.apply(action, at) {
            self.schedule_errors.push(format!("{at}: {e}"));
        }
    }

    /// Applies an operator action now, or schedules it when it names a later time.
    pub fn act(&mut self, action: Action) -> Result<ActionOutcome, ActionError> {
        let now = self.now;
        match action.when() {
            Some(at) if at > now => {
                self.validate_future(&action)?;
                self.schedule(at, action);
                Ok(ActionOutcome::Scheduled { at })
            }
            at => self.apply(action, at.unwrap_or(now)),
        }
    }

    fn validate_future(&self, action: &Action) -> Result<(), ActionError> {
        let err = |m: String| ActionError { action: action.name(), message: m };
        match action {
            Action::PostCheckin { checkin_id, .. } | Action::CloseProject { checkin_id, .. }
                if self.planet.project(*checkin_id).is_none() =>
            {
                Err(err(format!("checkin_id {checkin_id}: no such project")))
            }
            Action::JoinGroup { chat_id, .. } | Action::LeaveGroup { chat_id, .. }
                if self.corp.group(chat_id).is_none() =>
            {
                Err(err(format!("chat_id {chat_id}: no such group")))
            }
            _ => Ok(()),
        }
    }

    // ---- id minting ------------------------------------------------------------------------

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.rng.random_range(0..10u8))).collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        crate::crypto::nonce_str(&mut self.rng, n)
    }

    /// A fresh transaction id (28 digits, `4200…yyyymmdd…`).
    pub fn mint_transaction_id(&mut self, at: Timestamp) -> String {
        loop {
            let date =
                at.to_zoned_datetime(crate::sim::clock::shanghai_days().tz.clone()).strftime("%Y%m%d").to_string();
            let id = format!("42000{}{}{}", self.digits(5), date, self.digits(10));
            if self.corp.bill_by_transaction(&id).is_none() {
                return id;
            }
        }
    }

    /// A fresh WeCom access token (64 characters).
    pub fn mint_wecom_token(&mut self) -> String {
        self.alnum(64)
    }

    /// A fresh request hint for errmsg texts.
    pub fn mint_hint(&mut self) -> String {
        format!(
            "{}_{}_{}",
            self.now.as_second(),
            self.rng.random_range(10..99u32),
            hex::encode(self.rng.random::<[u8; 16]>())
        )
    }

    /// A fresh id of `n` random alphanumerics (msgids, nonces, request ids).
    pub fn mint_alnum(&mut self, n: usize) -> String {
        self.alnum(n)
    }

    /// A fresh numeric string of `n` digits.
    pub fn mint_digits(&mut self, n: usize) -> String {
        self.digits(n)
    }

    /// A random u64 (avatar URL tokens and the like).
    pub fn mint_u64(&mut self) -> u64 {
        self.rng.random()
    }

    // ---- applying actions -------------------------------------------------------------------

    /// Applies `action` as of `at` (the action's own `at` is ignored).
    pub fn apply(&mut self, action: Action, at: Timestamp) -> Result<ActionOutcome, ActionError> {
        let name = action.name();
        let err = |m: String| ActionError { action: name, message: m };
        let done = |id: Option<String>| Ok(ActionOutcome::Done { id });
        match action {
            Action::Pay {
                transaction_id,
                out_trade_no,
                external_userid,
                payer_name,
                payer_phone,
                payer_info_key,
                payee_userid,
                amount_fen,
                remark,
                description,
                payment_type,
                ..
            } => {
                if amount_fen <= 0 {
                    return Err(err(format!("amount_fen: {amount_fen} must be positive")));
                }
                if !self.corp.staff().contains_key(&payee_userid) {
                    return Err(err(format!("payee_userid {payee_userid}: no such staff member")));
                }
                if let Some(tx) = &transaction_id
                    && self.corp.bill_by_transaction(tx).is_some()
                {
                    return Err(err(format!("transaction_id {tx}: exists")));
                }
                let tx = match transaction_id {
                    Some(t) => t,
                    None => self.mint_transaction_id(at),
                };
                let out_trade_no = match out_trade_no {
                    Some(o) => o,
                    None => format!("WX{}", self.digits(30)),
                };
                let payer = payer_info_key.map(|key| {
                    let name = payer_name
                        .clone()
                        .or_else(|| {
                            external_userid.as_deref().and_then(|e| self.corp.contact(e)).map(|c| c.name.clone())
                        })
                        .unwrap_or_default();
                    PayerInfo { key, name, phone: payer_phone.clone().unwrap_or_default(), address: String::new() }
                });
                let bill = corp::Bill {
                    transaction_id: tx.clone(),
                    out_trade_no,
                    pay_time: at,
                    external_userid,
                    payee_userid,
                    payment_type: payment_type.unwrap_or(1),
                    mch_id: self.merchant.mch_id.clone(),
                    remark,
                    description,
                    total_fee: amount_fen,
                    payer,
                    refunds: Vec::new(),
                };
                self.corp.add_bill(bill).map_err(err)?;
                done(Some(tx))
            }
            Action::RefundInClient {
                transaction_id,
                amount_fen,
                refund_userid,
                comment,
                out_refund_no,
                outcome,
                ..
            } => {
                let idx = self
                    .corp
                    .bill_by_transaction(&transaction_id)
                    .ok_or_else(|| err(format!("transaction_id {transaction_id}: no such bill")))?;
                let bill = self.corp.bill(idx);
                if amount_fen <= 0 || amount_fen > bill.refundable() {
                    return Err(err(format!(
                        "amount_fen: {amount_fen} is not within 1..={} (what is left to refund on {transaction_id})",
                        bill.refundable()
                    )));
                }
                let refund_userid = refund_userid.unwrap_or_else(|| bill.payee_userid.clone());
                if !self.corp.staff().contains_key(&refund_userid) {
                    return Err(err(format!("refund_userid {refund_userid}: no such staff member")));
                }
                let no = match out_refund_no {
                    Some(n) => n,
                    None => format!("{}{}", at.as_second(), self.digits(12)),
                };
                let outcome = outcome.unwrap_or(RefundOutcome::Success);
                self.record_refund(idx, no.clone(), refund_userid, comment, amount_fen, at, outcome, false);
                done(Some(no))
            }
            Action::AddContact { external_userid, name, unionid, kind, followers } => {
                if self.corp.contact(&external_userid).is_some() {
                    return Err(err(format!("external_userid {external_userid}: exists")));
                }
                self.corp.put_contact(Contact {
                    external_userid: external_userid.clone(),
                    name,
                    unionid,
                    kind: kind.unwrap_or(ContactKind::Wechat),
                    followers,
                });
                done(Some(external_userid))
            }
            Action::JoinGroup {
                chat_id,
                userid,
                member_type,
                name,
                unionid,
                group_nickname,
                join_scene,
                invitor,
                ..
            } => {
                let member_type = member_type.unwrap_or(2);
                match member_type {
                    1 if !self.corp.staff().contains_key(&userid) => {
                        return Err(err(format!("userid {userid}: no such staff member")));
                    }
                    1 => {}
                    2 => {
                        if self.corp.contact(&userid).is_none() {
                            let Some(name) = name else {
                                return Err(err(format!("userid {userid}: unknown contact; give `name` to create it")));
                            };
                            let kind = if userid.starts_with("wo") { ContactKind::Wecom } else { ContactKind::Wechat };
                            self.corp.put_contact(Contact {
                                external_userid: userid.clone(),
                                name,
                                unionid,
                                kind,
                                followers: Vec::new(),
                            });
                        }
                    }
                    other => return Err(err(format!("member_type: {other} is not 1 or 2"))),
                }
                let capacity = self.settings.group_capacity;
                let g =
                    self.corp.group_mut(&chat_id).ok_or_else(|| err(format!("chat_id {chat_id}: no such group")))?;
                if g.member(&userid).is_some() {
                    return Err(err(format!("userid {userid}: already in {chat_id}")));
                }
                if g.members.len() >= capacity {
                    return Err(err(format!("chat_id {chat_id}: the group is full ({capacity} members)")));
                }
                g.members.push(GroupMember {
                    userid: userid.clone(),
                    member_type,
                    join_time: at,
                    join_scene: join_scene.unwrap_or(3),
                    invitor,
                    group_nickname,
                    state: None,
                });
                g.version += 1;
                done(Some(userid))
            }
            Action::LeaveGroup { chat_id, userid, .. } => {
                let g =
                    self.corp.group_mut(&chat_id).ok_or_else(|| err(format!("chat_id {chat_id}: no such group")))?;
                let before = g.members.len();
                g.members.retain(|m| m.userid != userid);
                if g.members.len() == before {
                    return Err(err(format!("userid {userid}: not in {chat_id}")));
                }
                g.version += 1;
                done(None)
            }
            Action::RenameWechat { external_userid, name, .. } => {
                let c = self
                    .corp
                    .contact_mut(&external_userid)
                    .ok_or_else(|| err(format!("external_userid {external_userid}: no such contact")))?;
                c.name = name;
                done(None)
            }
            Action::SetGroupNickname { chat_id, userid, group_nickname, .. } => {
                let g =
                    self.corp.group_mut(&chat_id).ok_or_else(|| err(format!("chat_id {chat_id}: no such group")))?;
                let m = g.member_mut(&userid).ok_or_else(|| err(format!("userid {userid}: not in {chat_id}")))?;
                m.group_nickname = group_nickname;
                g.version += 1;
                done(None)
            }
            Action::JoinPlanet { user_id, name, alias, .. } => {
                let user_id = match user_id {
                    Some(u) if self.planet.user(u).is_some() => return Err(err(format!("user_id {u}: exists"))),
                    Some(u) => u,
                    None => loop {
                        let u = self.rng.random_range(100_000_000_000_000..999_999_999_999_999u64);
                        if self.planet.user(u).is_none() {
                            break u;
                        }
                    },
                };
                let number = self.planet.users().values().map(|u| u.number).max().unwrap_or(0) + 1;
                self.planet.put_user(PlanetUser {
                    user_id,
                    name,
                    alias,
                    number,
                    join_time: at,
                    exited_at: None,
                    location: None,
                    description: None,
                    expired_time: at.checked_add(SignedDuration::from_hours(24 * 365)).ok(),
                });
                done(Some(user_id.to_string()))
            }
            Action::RenamePlanet { user_id, name, alias, .. } => {
                let u = self.planet.user_mut(user_id).ok_or_else(|| err(format!("user_id {user_id}: no such user")))?;
                if let Some(n) = name {
                    u.name = n;
                }
                if let Some(a) = alias {
                    u.alias = a;
                }
                done(None)
            }
            Action::LeavePlanet { user_id, .. } => {
                let u = self.planet.user_mut(user_id).ok_or_else(|| err(format!("user_id {user_id}: no such user")))?;
                if u.exited_at.is_some() {
                    return Err(err(format!("user_id {user_id}: already left")));
                }
                u.exited_at = Some(at);
                done(None)
            }
            Action::JoinProject { checkin_id, user_id, .. } => {
                self.check_member(user_id, at).map_err(err)?;
                let p = self
                    .planet
                    .project_mut(checkin_id)
                    .ok_or_else(|| err(format!("checkin_id {checkin_id}: no such project")))?;
                p.join(user_id);
                done(None)
            }
            Action::PostCheckin { checkin_id, user_id, text, images, topic_id, .. } => {
                self.check_member(user_id, at).map_err(err)?;
                let p = self
                    .planet
                    .project(checkin_id)
                    .ok_or_else(|| err(format!("checkin_id {checkin_id}: no such project")))?;
                if at < p.spec.create_time {
                    return Err(err(format!(
                        "at: {} is before project {checkin_id} was created",
                        format_zsxq_time(at)
                    )));
                }
                let status = p.status(at);
                if status != planet::ProjectStatus::Ongoing {
                    return Err(err(format!(
                        "checkin_id {checkin_id}: the project is {} at {}",
                        status.as_str(),
                        format_zsxq_time(at)
                    )));
                }
                let chars = crate::sim::zsxq::visible_chars(&text);
                if chars < p.spec.min_words_count as usize {
                    return Err(err(format!(
                        "text: {chars} characters, the project requires at least {}",
                        p.spec.min_words_count
                    )));
                }
                let topic_id = match topic_id {
                    Some(t) if p.has_topic(t) => return Err(err(format!("topic_id {t}: exists"))),
                    Some(t) => t,
                    None => loop {
                        let t = self.rng.random_range(88_000_000_000_000_000..89_000_000_000_000_000u64);
                        if !p.has_topic(t) {
                            break t;
                        }
                    },
                };
                let readers = self.rng.random_range(1..40);
                let likes = self.rng.random_range(0..4);
                let p =
                    self.planet.project_mut(checkin_id).ok_or_else(|| err(format!("checkin_id {checkin_id}: gone")))?;
                p.add_topic(Topic {
                    topic_id,
                    user_id,
                    text,
                    images,
                    create_time: at,
                    likes,
                    comments: Vec::new(),
                    readers,
                });
                self.planet.count_topic(user_id);
                done(Some(topic_id.to_string()))
            }
            Action::PostComment { topic_id, user_id, text, .. } => {
                self.check_member(user_id, at).map_err(err)?;
                let comment_id = self.rng.random_range(400_000_000_000_000..500_000_000_000_000u64);
                let comment = planet::Comment { comment_id, user_id, text, create_time: at };
                let project = self.planet.projects().iter().find(|(_, p)| p.has_topic(topic_id)).map(|(id, _)| *id);
                let added = project
                    .and_then(|id| self.planet.project_mut(id))
                    .is_some_and(|p| p.add_comment(topic_id, comment));
                if !added {
                    return Err(err(format!("topic_id {topic_id}: no such post")));
                }
                done(Some(comment_id.to_string()))
            }
            Action::CloseProject { checkin_id, .. } => {
                let p = self
                    .planet
                    .project_mut(checkin_id)
                    .ok_or_else(|| err(format!("checkin_id {checkin_id}: no such project")))?;
                if p.closed_at.is_some() {
                    return Err(err(format!("checkin_id {checkin_id}: already closed")));
                }
                p.closed_at = Some(at);
                done(None)
            }
            Action::ScriptRefund { out_refund_no, outcome } => {
                if let Some(r) = self.merchant.refund(&out_refund_no).cloned() {
                    let bill_refund = &mut self.corp.bill_mut(r.bill).refunds[r.refund];
                    if bill_refund.refund_status != 1 {
                        return Err(err(format!("out_refund_no {out_refund_no}: already settled")));
                    }
                    bill_refund.outcome = outcome.wecom_status();
                }
                self.merchant.script(out_refund_no, outcome);
                done(None)
            }
            Action::IssueZsxqToken { user_id, token } => {
                if self.planet.user(user_id).is_none() {
                    return Err(err(format!("user_id {user_id}: no such user")));
                }
                if token.trim().is_empty() {
                    return Err(err("token: is empty".to_string()));
                }
                let expires_at = at.checked_add(self.settings.zsxq_token_ttl).unwrap_or(at);
                self.planet.put_token(token, ZsxqToken { user_id, expires_at });
                done(None)
            }
            Action::ExpireTokens { platform } => {
                let now = at.checked_sub(SignedDuration::from_millis(1)).unwrap_or(at);
                match platform.as_deref() {
                    Some("zsxq") => self.planet.expire_tokens(now),
                    Some("wecom") => self.corp.expire_tokens(now),
                    None => {
                        self.planet.expire_tokens(now);
                        self.corp.expire_tokens(now);
                    }
                    Some(other) => return Err(err(format!("platform: `{other}` is not zsxq or wecom"))),
                }
                done(None)
            }
        }
    }

    fn check_member(&self, user_id: u64, at: Timestamp) -> Result<(), String> {
        let u = self.planet.user(user_id).ok_or_else(|| format!("user_id {user_id}: no such planet user"))?;
        if u.exited_at.is_some_and(|e| e <= at) {
            return Err(format!("user_id {user_id}: left the planet"));
        }
        Ok(())
    }

    /// Records a refund on bill `idx` and queues its settlement. Returns the refund's index.
    #[allow(clippy::too_many_arguments)]
    pub fn record_refund(
        &mut self,
        idx: usize,
        out_refund_no: String,
        refund_userid: String,
        comment: String,
        fee: i64,
        at: Timestamp,
        outcome: RefundOutcome,
        via_api: bool,
    ) -> usize {
        let settles_at = at.checked_add(self.settings.refund_settle_after).unwrap_or(at);
        let r = self.corp.add_refund(
            idx,
            BillRefund {
                out_refund_no,
                refund_userid,
                refund_comment: comment,
                refund_reqtime: at,
                refund_fee: fee,
                refund_status: 1,
                outcome: outcome.wecom_status(),
                settles_at,
                success_time: None,
                via_api,
            },
        );
        let seq = self.next_seq();
        self.settlements.insert((settles_at, seq), (idx, r));
        r
    }

    fn settle(&mut self, key: (Timestamp, u64)) {
        let Some((bill, r)) = self.settlements.remove(&key) else { return };
        let at = key.0;
        self.now = self.now.max(at);
        let refund = &mut self.corp.bill_mut(bill).refunds[r];
        if refund.refund_status != 1 {
            return;
        }
        refund.refund_status = refund.outcome;
        if refund.outcome == 2 {
            refund.success_time = Some(at);
        }
        let no = refund.out_refund_no.clone();
        let Some(api) = self.merchant.refund(&no).cloned() else { return };
        let Some(url) = api.notify_url.clone() else { return };
        let b = self.corp.bill(bill);
        let refund = &b.refunds[r];
        let status = merchant::wxpay_status(refund.refund_status);
        let mut plaintext = serde_json::json!({
            "mchid": self.merchant.mch_id,
            "transaction_id": b.transaction_id,
            "out_trade_no": b.out_trade_no,
            "refund_id": api.refund_id,
            "out_refund_no": no,
            "refund_status": status,
            "user_received_account": "支付用户零钱",
            "amount": {"total": b.total_fee, "refund": refund.refund_fee, "payer_total": b.total_fee, "payer_refund": refund.refund_fee},
        });
        if let Some(t) = refund.success_time {
            plaintext["success_time"] = serde_json::Value::String(rfc3339(t));
        }
        let stamp =
            at.to_zoned_datetime(crate::sim::clock::shanghai_days().tz.clone()).strftime("%Y%m%d%H%M%S").to_string();
        let id = format!("EV-{stamp}{}", self.digits(8));
        self.merchant.push_notification(Notification {
            id,
            out_refund_no: no,
            event_type: format!("REFUND.{status}"),
            url,
            plaintext,
            created: at,
            attempts: 0,
            next_at: at,
            delivered: false,
            abandoned: false,
            log: Vec::new(),
        });
    }
}

/// RFC 3339 in +08:00, as WeChat Pay writes times: `2025-01-15T10:00:00+08:00`.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_zoned_datetime(crate::sim::clock::shanghai_days().tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}
