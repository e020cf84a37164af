//! Operator actions: what happens in the real world outside the APIs (someone pays, joins a
//! group, renames, posts a check-in, refunds in the WeCom client, a project closes …).
//! Tests call them through [`SimHandle::act`](super::SimHandle::act), scripts through
//! `POST /_sim/actions`, and the generator schedules them along a community's timeline.
//! An action with `at` in the future is scheduled and applied when the sim clock gets there.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::world::corp::{ContactKind, PayerInfoKey};
use super::world::merchant::RefundOutcome;

/// Serde helpers for zsxq ids: read from a JSON string or number, written as a string.
pub(crate) mod id_u64 {
    use serde::{Deserialize, Deserializer, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        N(u64),
        S(String),
    }

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match Either::deserialize(d)? {
            Either::N(n) => Ok(n),
            Either::S(s) => {
                s.trim().parse().map_err(|_| serde::de::Error::custom(format!("`{s}` is not a numeric id")))
            }
        }
    }

    /// The same for `Option<u64>`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(n) => s.serialize_str(&n.to_string()),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] u64);
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }
    }
}

/// Something that happens in the simulated world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// A payer pays a member's collection QR (a new 对外收款 bill).
    Pay {
        /// Transaction id; minted when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transaction_id: Option<String>,
        /// Merchant order number; minted when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_trade_no: Option<String>,
        /// The payer's external_userid, when WeCom knows it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_userid: Option<String>,
        /// Payer name for `payer_info`/`contact_info`; the contact's WeChat name when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payer_name: Option<String>,
        /// Payer phone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payer_phone: Option<String>,
        /// Which key carries the payer object; none at all when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payer_info_key: Option<PayerInfoKey>,
        /// Collecting member.
        payee_userid: String,
        /// Amount in fen.
        amount_fen: i64,
        /// Payer's remark.
        #[serde(default)]
        remark: String,
        /// Commodity description.
        #[serde(default)]
        description: String,
        /// 0 chat, 1 QR code (default), …
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payment_type: Option<i64>,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A member presses 退款 on a bill in the WeCom client (any amount up to what is left).
    RefundInClient {
        /// The bill.
        transaction_id: String,
        /// Amount in fen.
        amount_fen: i64,
        /// Who refunds (default: the bill's payee).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refund_userid: Option<String>,
        /// Refund comment.
        #[serde(default)]
        comment: String,
        /// out_refund_no; minted when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        out_refund_no: Option<String>,
        /// How it ends (default: success).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<RefundOutcome>,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A new external contact (a WeChat user the corp can see).
    AddContact {
        /// external_userid.
        external_userid: String,
        /// WeChat name.
        name: String,
        /// unionid.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unionid: Option<String>,
        /// WeChat (default) or WeCom user.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<ContactKind>,
        /// Staff who have them as a customer.
        #[serde(default)]
        followers: Vec<String>,
    },
    /// Someone joins a customer group.
    JoinGroup {
        /// The group.
        chat_id: String,
        /// external_userid (type 2) or staff userid (type 1).
        userid: String,
        /// 1 staff, 2 external (default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member_type: Option<i64>,
        /// WeChat name; creates the contact when it is not known yet.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// unionid for a new contact.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unionid: Option<String>,
        /// Nickname inside the group.
        #[serde(default)]
        group_nickname: String,
        /// 1 invited, 2 link, 3 QR code (default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        join_scene: Option<i64>,
        /// Inviting staff member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invitor: Option<String>,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// Someone leaves (or is removed from) a customer group.
    LeaveGroup {
        /// The group.
        chat_id: String,
        /// The member.
        userid: String,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A WeChat user changes their WeChat name.
    RenameWechat {
        /// The contact.
        external_userid: String,
        /// New name.
        name: String,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A member sets their nickname inside one group.
    SetGroupNickname {
        /// The group.
        chat_id: String,
        /// The member.
        userid: String,
        /// New nickname.
        group_nickname: String,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// Someone joins the planet.
    JoinPlanet {
        /// user_id; minted when absent.
        #[serde(default, with = "id_u64::option", skip_serializing_if = "Option::is_none")]
        user_id: Option<u64>,
        /// Nickname.
        name: String,
        /// Planet card name.
        #[serde(default)]
        alias: String,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A planet user changes nickname and/or card name.
    RenamePlanet {
        /// The user.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// New nickname.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// New card name ("" clears it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alias: Option<String>,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A user leaves the planet (their posts stay).
    LeavePlanet {
        /// The user.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A user joins a check-in project without posting.
    JoinProject {
        /// The project.
        #[serde(with = "id_u64")]
        checkin_id: u64,
        /// The user.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A user posts a check-in.
    PostCheckin {
        /// The project.
        #[serde(with = "id_u64")]
        checkin_id: u64,
        /// The author.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// Post text.
        text: String,
        /// Number of images.
        #[serde(default)]
        images: u8,
        /// topic_id; minted when absent.
        #[serde(default, with = "id_u64::option", skip_serializing_if = "Option::is_none")]
        topic_id: Option<u64>,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// A user comments on a check-in post.
    PostComment {
        /// The post.
        #[serde(with = "id_u64")]
        topic_id: u64,
        /// The commenter.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// Comment text.
        text: String,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// The owner closes a project.
    CloseProject {
        /// The project.
        #[serde(with = "id_u64")]
        checkin_id: u64,
        /// When (default: now).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
    },
    /// Decides how a WeChat Pay refund will end (before or after it is requested).
    ScriptRefund {
        /// The refund.
        out_refund_no: String,
        /// Its end.
        outcome: RefundOutcome,
    },
    /// A planet user logs in: `token` works for their account from now on (a member's own
    /// token sees no owner/admin views such as the member list).
    IssueZsxqToken {
        /// The account.
        #[serde(with = "id_u64")]
        user_id: u64,
        /// The token value.
        token: String,
    },
    /// Tokens stop working now (WeCom may drop tokens early; a zsxq login can lapse).
    ExpireTokens {
        /// `zsxq`, `wecom`, or absent for both.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        platform: Option<String>,
    },
}

impl Action {
    /// A payment of `amount_fen` to `payee_userid`'s QR code, now, with no payer details
    /// (set them on the returned value, e.g. with struct update syntax on a `match`).
    pub fn pay(payee_userid: impl Into<String>, amount_fen: i64) -> Action {
        Action::Pay {
            transaction_id: None,
            out_trade_no: None,
            external_userid: None,
            payer_name: None,
            payer_phone: None,
            payer_info_key: None,
            payee_userid: payee_userid.into(),
            amount_fen,
            remark: String::new(),
            description: String::new(),
            payment_type: None,
            at: None,
        }
    }

    /// A payment by a known payer: their external_userid on the bill, their name in `contact_info`.
    pub fn pay_by(
        payee_userid: impl Into<String>,
        amount_fen: i64,
        external_userid: impl Into<String>,
        remark: impl Into<String>,
        description: impl Into<String>,
    ) -> Action {
        Action::Pay {
            transaction_id: None,
            out_trade_no: None,
            external_userid: Some(external_userid.into()),
            payer_name: None,
            payer_phone: None,
            payer_info_key: Some(PayerInfoKey::ContactInfo),
            payee_userid: payee_userid.into(),
            amount_fen,
            remark: remark.into(),
            description: description.into(),
            payment_type: None,
            at: None,
        }
    }

    /// A refund of `amount_fen` pressed in the WeCom client by the bill's payee.
    pub fn refund_in_client(transaction_id: impl Into<String>, amount_fen: i64) -> Action {
        Action::RefundInClient {
            transaction_id: transaction_id.into(),
            amount_fen,
            refund_userid: None,
            comment: String::new(),
            out_refund_no: None,
            outcome: None,
            at: None,
        }
    }

    /// A known external contact joins a group by QR code, without a group nickname.
    pub fn join_group(chat_id: impl Into<String>, external_userid: impl Into<String>) -> Action {
        Action::JoinGroup {
            chat_id: chat_id.into(),
            userid: external_userid.into(),
            member_type: None,
            name: None,
            unionid: None,
            group_nickname: String::new(),
            join_scene: None,
            invitor: None,
            at: None,
        }
    }

    /// Someone leaves a group.
    pub fn leave_group(chat_id: impl Into<String>, userid: impl Into<String>) -> Action {
        Action::LeaveGroup { chat_id: chat_id.into(), userid: userid.into(), at: None }
    }

    /// A check-in post.
    pub fn post_checkin(checkin_id: u64, user_id: u64, text: impl Into<String>) -> Action {
        Action::PostCheckin { checkin_id, user_id, text: text.into(), images: 0, topic_id: None, at: None }
    }

    /// A comment on a check-in post, now.
    pub fn post_comment(topic_id: u64, user_id: u64, text: impl Into<String>) -> Action {
        Action::PostComment { topic_id, user_id, text: text.into(), at: None }
    }

    /// A planet nickname change.
    pub fn rename_planet(user_id: u64, name: impl Into<String>) -> Action {
        Action::RenamePlanet { user_id, name: Some(name.into()), alias: None, at: None }
    }

    /// A WeChat name change.
    pub fn rename_wechat(external_userid: impl Into<String>, name: impl Into<String>) -> Action {
        Action::RenameWechat { external_userid: external_userid.into(), name: name.into(), at: None }
    }

    /// The owner closes a project.
    pub fn close_project(checkin_id: u64) -> Action {
        Action::CloseProject { checkin_id, at: None }
    }

    /// The same action at `when` (scheduled if that is later than the sim clock). Actions
    /// without a time (contacts, scripts, token expiry) are returned unchanged.
    pub fn at(mut self, when: Timestamp) -> Action {
        match &mut self {
            Action::Pay { at, .. }
            | Action::RefundInClient { at, .. }
            | Action::JoinGroup { at, .. }
            | Action::LeaveGroup { at, .. }
            | Action::RenameWechat { at, .. }
            | Action::SetGroupNickname { at, .. }
            | Action::JoinPlanet { at, .. }
            | Action::RenamePlanet { at, .. }
            | Action::LeavePlanet { at, .. }
            | Action::JoinProject { at, .. }
            | Action::PostCheckin { at, .. }
            | Action::PostComment { at, .. }
            | Action::CloseProject { at, .. } => *at = Some(when),
            Action::AddContact { .. }
            | Action::ScriptRefund { .. }
            | Action::IssueZsxqToken { .. }
            | Action::ExpireTokens { .. } => {}
        }
        self
    }

    /// When the action takes effect, if it says.
    pub fn when(&self) -> Option<Timestamp> {
        match self {
            Action::Pay { at, .. }
            | Action::RefundInClient { at, .. }
            | Action::JoinGroup { at, .. }
            | Action::LeaveGroup { at, .. }
            | Action::RenameWechat { at, .. }
            | Action::SetGroupNickname { at, .. }
            | Action::JoinPlanet { at, .. }
            | Action::RenamePlanet { at, .. }
            | Action::LeavePlanet { at, .. }
            | Action::JoinProject { at, .. }
            | Action::PostCheckin { at, .. }
            | Action::PostComment { at, .. }
            | Action::CloseProject { at, .. } => *at,
            Action::AddContact { .. }
            | Action::ScriptRefund { .. }
            | Action::IssueZsxqToken { .. }
            | Action::ExpireTokens { .. } => None,
        }
    }

    /// The action's name as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Pay { .. } => "pay",
            Action::RefundInClient { .. } => "refund_in_client",
            Action::AddContact { .. } => "add_contact",
            Action::JoinGroup { .. } => "join_group",
            Action::LeaveGroup { .. } => "leave_group",
            Action::RenameWechat { .. } => "rename_wechat",
            Action::SetGroupNickname { .. } => "set_group_nickname",
            Action::JoinPlanet { .. } => "join_planet",
            Action::RenamePlanet { .. } => "rename_planet",
            Action::LeavePlanet { .. } => "leave_planet",
            Action::JoinProject { .. } => "join_project",
            Action::PostCheckin { .. } => "post_checkin",
            Action::PostComment { .. } => "post_comment",
            Action::CloseProject { .. } => "close_project",
            Action::ScriptRefund { .. } => "script_refund",
            Action::IssueZsxqToken { .. } => "issue_zsxq_token",
            Action::ExpireTokens { .. } => "expire_tokens",
        }
    }
}

/// What an action did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ActionOutcome {
    /// Applied now; `id` names what was created (transaction_id, out_refund_no, topic_id, user_id).
    Done {
        /// The created record's id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// Scheduled for a later sim time.
    Scheduled {
        /// When it will apply.
        at: Timestamp,
    },
}

impl ActionOutcome {
    /// The created record's id, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            ActionOutcome::Done { id } => id.as_deref(),
            ActionOutcome::Scheduled { .. } => None,
        }
    }
}

/// Why an action was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{action}: {message}")]
pub struct ActionError {
    /// The action's name.
    pub action: &'static str,
    /// What is wrong, naming the record and the field.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_ids_as_strings_or_numbers() {
        let a: Action = serde_json::from_str(
            r#"{"action":"post_checkin","checkin_id":"2424424541","user_id":412345678901234,"text":"day 1"}"#,
        )
        .unwrap();
        assert_eq!(
            a,
            Action::PostCheckin {
                checkin_id: 2424424541,
                user_id: 412345678901234,
                text: "day 1".into(),
                images: 0,
                topic_id: None,
                at: None
            }
        );
        let back = serde_json::to_value(&a).unwrap();
        assert_eq!(back["user_id"], "412345678901234");
        let err = serde_json::from_str::<Action>(r#"{"action":"pay","payee_userid":"z","amount_fen":1,"oops":1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("oops"), "{err}");
        let bad_id = serde_json::from_str::<Action>(r#"{"action":"leave_planet","user_id":"abc"}"#).unwrap_err();
        assert!(bad_id.to_string().contains("abc"));
    }

    #[test]
    fn builders_fill_defaults_and_times() {
        let t: Timestamp = "2025-11-20T04:00:00Z".parse().unwrap();
        let a = Action::leave_group("wrX", "wmY").at(t);
        assert_eq!(a, Action::LeaveGroup { chat_id: "wrX".into(), userid: "wmY".into(), at: Some(t) });
        assert_eq!(a.when(), Some(t));
        assert_eq!(Action::pay("zhouyang", 3900).when(), None);
        let script = Action::ScriptRefund { out_refund_no: "R".into(), outcome: RefundOutcome::Closed };
        assert_eq!(script.clone().at(t), script, "timeless actions stay as they are");
        match Action::pay_by("zhouyang", 3900, "wmA", "星球昵称：A", "押金") {
            Action::Pay { external_userid, payer_info_key, remark, .. } => {
                assert_eq!(external_userid.as_deref(), Some("wmA"));
                assert_eq!(payer_info_key, Some(PayerInfoKey::ContactInfo));
                assert_eq!(remark, "星球昵称：A");
            }
            other => panic!("{other:?}"),
        }
    }
}
