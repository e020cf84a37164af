//! Replacing personal strings (pure): stable pseudonyms, and a scrubber that
//! rewrites text and JSON so that no purged name, remark or post text is left.
//!
//! Two rules:
//! - **exact**: a whole value equal to a purged string becomes its replacement
//!   (a name its pseudonym, a remark or post text the erasure marker);
//! - **inside text**: purged strings of two characters or more are replaced
//!   where they occur inside longer text (reasons, notes, messages). Strings of
//!   people who are *not* purged are matched too, and kept as they are, so a
//!   kept person's name that contains a purged one is never cut up; a value that
//!   *is* a kept person's string is left alone entirely. A purged string that
//!   is also an ordinary word of campdesk's or the camp's own texts (a nickname
//!   like 打卡) is only replaced where it stands as a whole value.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What an erased remark or post text becomes inside other text.
pub const ERASED: &str = "〔已删除〕";

/// The stable pseudonym of a person, from their most stable id (planet user id,
/// else external_userid, else transaction id): `成员-7F3A2C`.
pub fn pseudonym(root_id: &str) -> String {
    let digest = Sha256::digest(format!("campdesk-pseudonym\u{1f}{root_id}").as_bytes());
    format!("成员-{}", hex::encode_upper(&digest[..3]))
}

/// Whether a string can be looked for inside text without hitting everything:
/// two CJK characters (or other non-ASCII ones) or four ASCII ones, blanks not
/// counted (`ok`, `Tom` or `A` would be found in every page).
pub fn searchable(s: &str) -> bool {
    let weight: usize = s.chars().filter(|c| !c.is_whitespace()).map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    weight >= 4
}

/// Builds a [`Scrubber`].
#[derive(Debug, Default)]
pub struct ScrubberBuilder {
    replace: HashMap<String, String>,
    keep: Vec<String>,
    vocabulary: Vec<String>,
}

impl ScrubberBuilder {
    /// A purged string and what replaces it (the first replacement given wins).
    pub fn replace(&mut self, from: &str, to: &str) {
        if from.trim().is_empty() {
            return;
        }
        self.replace.entry(from.to_string()).or_insert_with(|| to.to_string());
    }

    /// A string of someone who is not purged (or text that is not personal): never changed.
    pub fn keep(&mut self, s: &str) {
        if !s.trim().is_empty() {
            self.keep.push(s.to_string());
        }
    }

    /// Text that is not personal (camp names, rule texts, campdesk's own
    /// wording): never changed, and purged strings found inside it are only
    /// replaced as whole values.
    pub fn vocabulary(&mut self, s: &str) {
        if !s.trim().is_empty() {
            self.vocabulary.push(s.to_string());
        }
    }

    /// The scrubber. A string both purged and kept is kept.
    pub fn build(mut self) -> Scrubber {
        let mut keep: std::collections::HashSet<String> = self.keep.into_iter().collect();
        self.replace.retain(|k, _| !keep.contains(k));
        let mut froms: Vec<(&String, &String)> = self.replace.iter().filter(|(f, _)| searchable(f)).collect();
        froms.sort();
        // Drop purged strings that are ordinary words of the vocabulary.
        let ordinary: std::collections::HashSet<usize> =
            match automaton(froms.iter().map(|(f, _)| f.as_str()), MatchKind::Standard) {
                Some(ac) => self
                    .vocabulary
                    .iter()
                    .flat_map(|w| {
                        ac.find_overlapping_iter(w.as_str()).map(|m| m.pattern().as_usize()).collect::<Vec<_>>()
                    })
                    .collect(),
                None => Default::default(),
            };
        let mut patterns: Vec<String> = Vec::new();
        let mut targets: Vec<Option<String>> = Vec::new();
        for (i, (from, to)) in froms.into_iter().enumerate() {
            if !ordinary.contains(&i) {
                patterns.push(from.clone());
                targets.push(Some(to.clone()));
            }
        }
        let purged_patterns = patterns.len();
        // Kept strings that contain a purged one are matched too, and left as they are.
        if let Some(ac) = automaton(patterns.iter().map(String::as_str), MatchKind::LeftmostLongest) {
            let mut identity: Vec<&String> = keep.iter().filter(|k| ac.is_match(k.as_str())).collect();
            identity.sort();
            for k in identity {
                patterns.push(k.clone());
                targets.push(None);
            }
        }
        let automaton = automaton(patterns.iter().map(String::as_str), MatchKind::LeftmostLongest);
        keep.extend(self.vocabulary);
        Scrubber { exact: self.replace, keep, automaton, targets, purged_patterns }
    }
}

fn automaton<'a>(patterns: impl Iterator<Item = &'a str>, kind: MatchKind) -> Option<AhoCorasick> {
    let patterns: Vec<&str> = patterns.collect();
    if patterns.is_empty() {
        return None;
    }
    AhoCorasick::builder().match_kind(kind).build(&patterns).ok()
}

/// Replaces purged strings in text and JSON (see the module docs).
#[derive(Debug)]
pub struct Scrubber {
    exact: HashMap<String, String>,
    keep: std::collections::HashSet<String>,
    automaton: Option<AhoCorasick>,
    targets: Vec<Option<String>>,
    purged_patterns: usize,
}

impl Scrubber {
    /// Whether there is nothing to replace.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// How many purged strings it knows.
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// The text with purged strings replaced, or None when nothing changes.
    pub fn text(&self, s: &str) -> Option<String> {
        if self.keep.contains(s) {
            return None;
        }
        if let Some(to) = self.exact.get(s) {
            return Some(to.clone());
        }
        let ac = self.automaton.as_ref()?;
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        let mut changed = false;
        for m in ac.find_iter(s) {
            if let Some(to) = &self.targets[m.pattern().as_usize()] {
                out.push_str(&s[last..m.start()]);
                out.push_str(to);
                last = m.end();
                changed = true;
            }
        }
        if !changed {
            return None;
        }
        out.push_str(&s[last..]);
        Some(out)
    }

    /// Whether `s` holds a purged string (as a whole, or inside it).
    pub fn contains(&self, s: &str) -> bool {
        if self.keep.contains(s) {
            return false;
        }
        self.exact.contains_key(s)
            || self
                .automaton
                .as_ref()
                .is_some_and(|ac| ac.find_iter(s).any(|m| m.pattern().as_usize() < self.purged_patterns))
    }

    /// Replaces purged strings in every string of `v` (object keys are left as
    /// they are); returns whether anything changed.
    pub fn value(&self, v: &mut Value) -> bool {
        match v {
            Value::String(s) => match self.text(s) {
                Some(t) => {
                    *s = t;
                    true
                }
                None => false,
            },
            Value::Array(items) => items.iter_mut().fold(false, |acc, x| self.value(x) | acc),
            Value::Object(map) => map.values_mut().fold(false, |acc, x| self.value(x) | acc),
            _ => false,
        }
    }

    /// Whether any string of `v` holds a purged string.
    pub fn value_contains(&self, v: &Value) -> bool {
        match v {
            Value::String(s) => self.contains(s),
            Value::Array(items) => items.iter().any(|x| self.value_contains(x)),
            Value::Object(map) => map.values().any(|x| self.value_contains(x)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scrubber() -> Scrubber {
        let mut b = ScrubberBuilder::default();
        b.replace("小明", &pseudonym("u1"));
        b.replace("帮朋友付的押金", ERASED);
        b.replace("A", &pseudonym("u2"));
        b.replace("打卡", &pseudonym("u3"));
        b.keep("小明同学");
        b.vocabulary("2510 AI小绿书爆文");
        b.vocabulary("完成7天打卡，押金全退");
        b.build()
    }

    #[test]
    fn pseudonyms_are_stable_and_short() {
        assert_eq!(pseudonym("u1"), pseudonym("u1"));
        assert_ne!(pseudonym("u1"), pseudonym("u2"));
        assert!(pseudonym("u1").starts_with("成员-") && pseudonym("u1").chars().count() == 9);
    }

    #[test]
    fn whole_values_and_text_inside_are_replaced_but_kept_strings_are_not() {
        let s = scrubber();
        let p = pseudonym("u1");
        assert_eq!(s.text("小明"), Some(p.clone()));
        assert_eq!(s.text("付款人 小明，备注「帮朋友付的押金」"), Some(format!("付款人 {p}，备注「{ERASED}」")));
        assert_eq!(s.text("小明同学"), None, "a kept person's name is theirs");
        assert_eq!(s.text("小明同学与小明同名"), Some(format!("小明同学与{p}同名")));
        assert_eq!(s.text("A"), Some(pseudonym("u2")), "one-character names are replaced as whole values");
        assert_eq!(s.text("AI 打卡"), None, "…but never inside text, nor ordinary words");
        assert!(!searchable("ok") && !searchable("Tom") && searchable("Lily") && searchable("小明"));
        assert_eq!(s.text("打卡"), Some(pseudonym("u3")), "a nickname that is an ordinary word, as a whole value");
        assert_eq!(s.text("2510 AI小绿书爆文"), None);
        assert!(s.contains("昵称小明"));
        assert!(!s.contains("小明同学"));
    }

    #[test]
    fn json_is_walked_values_only() {
        let s = scrubber();
        let mut v = serde_json::json!({"name": "小明", "reasons": ["与小明同名", "金额一致"], "小明": 1, "n": 3});
        assert!(s.value(&mut v));
        assert_eq!(v["name"], pseudonym("u1"));
        assert_eq!(v["reasons"][1], "金额一致");
        assert!(!s.value_contains(&v));
        assert!(!s.value(&mut v), "a second pass changes nothing");
    }

    proptest! {
        #[test]
        fn nothing_purged_is_left_after_scrubbing(
            prefix in "[a-z 打卡天]{0,6}", suffix in "[a-z 打卡天]{0,6}", n in 0usize..3
        ) {
            let s = scrubber();
            let text = format!("{prefix}{}{suffix}", "小明".repeat(n + 1));
            let out = s.text(&text).unwrap_or(text);
            prop_assert!(!s.contains(&out), "{out}");
        }
    }
}
