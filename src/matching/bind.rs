//! Bind by code: each unlinked payment gets a short code derived from its
//! transaction id; a planet user who posts "绑定 CODE" in a check-in topic or in a
//! comment on one proves the account belongs to the payer.

use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::domain::{CheckinTopic, PlanetUserId, TransactionId};

/// Code characters: digits and capitals without the look-alikes 0/O, 1/I/L.
pub const BIND_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Code length: 31⁶ ≈ 8.9 × 10⁸ codes.
pub const BIND_CODE_LEN: usize = 6;

/// The bind code of a payment: stable, derived from the transaction id only.
pub fn bind_code(transaction_id: &TransactionId) -> String {
    let digest = Sha256::digest(format!("campdesk-bind-v1:{}", transaction_id.as_str()).as_bytes());
    let mut n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    let base = BIND_ALPHABET.len() as u64;
    (0..BIND_CODE_LEN)
        .map(|_| {
            let c = BIND_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect()
}

/// A planet user's claim of a payment, read from a post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindClaim {
    /// Who posted it.
    pub planet_user_id: PlanetUserId,
    /// The code, upper case.
    pub code: String,
    /// Where, in the reviewer's words: "打卡 T" or "评论 C（打卡 T）".
    pub source: String,
    /// When it was posted.
    pub at: Timestamp,
}

static BIND_PHRASE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"绑定(?:码)?\s*[:：]?\s*([0-9a-z]{6})(?:[^0-9a-z]|$)").expect("valid regex"));

/// Every well-formed code after "绑定" in a text ("绑定 7KQ2MX", "绑定7kq2mx",
/// full-width "绑定　７ＫＱ２ＭＸ"), upper case, in order, without duplicates.
/// Strings with look-alike characters (0, O, 1, I, L) are not codes.
pub fn extract_bind_codes(text: &str) -> Vec<String> {
    let folded: String = text.nfkc().collect::<String>().to_lowercase();
    let mut out: Vec<String> = Vec::new();
    for c in BIND_PHRASE.captures_iter(&folded) {
        let code = c[1].to_uppercase();
        if code.bytes().all(|b| BIND_ALPHABET.contains(&b)) && !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// The bind claims in check-in topics and in the comments on them (a comment's
/// claim is its commenter's).
pub fn claims_from_topics(topics: &[CheckinTopic]) -> Vec<BindClaim> {
    let mut out = Vec::new();
    for t in topics {
        for code in extract_bind_codes(&t.text) {
            out.push(BindClaim {
                planet_user_id: t.user_id.clone(),
                code,
                source: format!("打卡 {}", t.topic_id),
                at: t.created_at,
            });
        }
        for c in &t.comments {
            for code in extract_bind_codes(&c.text) {
                out.push(BindClaim {
                    planet_user_id: c.user_id.clone(),
                    code,
                    source: format!("评论 {}（打卡 {}）", c.comment_id, t.topic_id),
                    at: c.created_at,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_stable_and_unambiguous() {
        let t = TransactionId::new("4200000001202501010000000001");
        let code = bind_code(&t);
        assert_eq!(code, bind_code(&t));
        assert_eq!(code.len(), BIND_CODE_LEN);
        assert_ne!(code, bind_code(&TransactionId::new("4200000001202501010000000002")));
    }

    #[test]
    fn codes_are_found_in_the_ways_people_type_them() {
        let code = bind_code(&TransactionId::new("42000001"));
        let full_width: String = code.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).expect("full-width")).collect();
        for text in [
            format!("第3天打卡 绑定 {code}"),
            format!("绑定{code}"),
            format!("绑定{}", code.to_lowercase()),
            format!("绑定：{code}，今天学了很多"),
            format!("绑定　{full_width}"),
            format!("绑定码 {code}"),
        ] {
            assert_eq!(extract_bind_codes(&text), vec![code.clone()], "{text}");
        }
    }

    #[test]
    fn near_misses_are_not_codes() {
        for text in ["绑定 ABC12", "绑定 ABCDEFG", "绑定 OOOOOO", "绑定 ABCDE1", "绑定", "今天打卡", "绑 ABCDEF"]
        {
            assert!(extract_bind_codes(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_code_in_a_comment_is_the_commenters_claim() {
        use crate::domain::{CheckinId, SourceRef, TopicComment, TopicId};
        let at: jiff::Timestamp = "2025-10-26T12:00:00Z".parse().unwrap();
        let topic = CheckinTopic {
            topic_id: TopicId::new("900001"),
            checkin_id: CheckinId::new("5550001111"),
            user_id: PlanetUserId::new("111"),
            created_at: at,
            created_at_raw: "2025-10-26T20:00:00.000+0800".to_string(),
            text: "第二天".to_string(),
            text_chars: 3,
            images: 0,
            comments: vec![
                TopicComment {
                    comment_id: "501".to_string(),
                    user_id: PlanetUserId::new("222"),
                    created_at: at,
                    text: "加油！绑定 K7M2QX".to_string(),
                },
                TopicComment {
                    comment_id: "502".to_string(),
                    user_id: PlanetUserId::new("333"),
                    created_at: at,
                    text: "同去同去".to_string(),
                },
            ],
            source: SourceRef { raw_id: "raw-1".to_string(), position: Some(0) },
        };
        let claims = claims_from_topics(&[topic]);
        assert_eq!(claims.len(), 1, "{claims:?}");
        assert_eq!(claims[0].planet_user_id.as_str(), "222", "the commenter claims, not the topic's author");
        assert_eq!(claims[0].code, "K7M2QX");
        assert_eq!(claims[0].source, "评论 501（打卡 900001）");
    }

    proptest! {
        #[test]
        fn every_code_round_trips_through_a_post(id in "[0-9]{10,32}") {
            let code = bind_code(&TransactionId::new(id));
            prop_assert!(code.bytes().all(|b| BIND_ALPHABET.contains(&b)));
            prop_assert_eq!(extract_bind_codes(&format!("打卡第一天！绑定 {code} 加油")), vec![code]);
        }
    }
}
