//! String identifiers. Every platform id is a string here: zsxq ids exceed 2^53
//! and WeCom ids are opaque text.

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A camp's id from camps.toml, e.g. `2510-xhs`.
    CampId
);
string_id!(
    /// A WeChat Pay transaction id (交易单号) of a WeCom bill.
    TransactionId
);
string_id!(
    /// A Knowledge Planet `user_id` (stable; nicknames change).
    PlanetUserId
);
string_id!(
    /// A WeCom `external_userid` (`wm…` / `wo…`), valid inside one corp's namespace.
    ExternalUserId
);
string_id!(
    /// A WeCom customer group `chat_id`.
    ChatId
);
string_id!(
    /// A zsxq check-in project id (`checkin_id`).
    CheckinId
);
string_id!(
    /// A zsxq topic id (`topic_id`).
    TopicId
);
string_id!(
    /// A refund in campdesk's queue; `out_refund_no` is derived from it.
    RefundId
);
string_id!(
    /// A WeCom member `userid` inside the corp (payees, coaches, admins).
    StaffUserId
);
