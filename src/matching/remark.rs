//! Reading a payment remark: the normalised text nicknames are searched in, the
//! name it states ("星球昵称：X", "昵称X", "X的押金" …), digit runs that may be a
//! planet `user_id`, and member numbers ("编号1027", "No.1027", "1027号").

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::normalize::{NormalizedName, Normalizer};

/// What a remark says, as far as matching cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemarkFacts {
    /// The remark normalised for searching ([`Normalizer::text`]); empty for no remark.
    pub text: String,
    /// The name the remark states once keywords and filler words are removed.
    pub stated: NormalizedName,
    /// Runs of 6+ digits (candidate planet `user_id`s).
    pub digit_runs: Vec<String>,
    /// Member numbers given with a keyword (编号, No., 号).
    pub member_numbers: Vec<String>,
    /// The remark says the payment is made for someone else ("帮X付", "替X报名",
    /// "给X交", "代X", "朋友X"): the name it states is not the payer's own.
    pub on_behalf: bool,
}

impl RemarkFacts {
    /// Whether the remark has any text at all.
    pub fn is_present(&self) -> bool {
        !self.text.trim().is_empty()
    }

    /// Whether the remark seems to name someone (a stated name or an id), as
    /// opposed to empty or filler such as "学费" or a phone number.
    pub fn names_someone(&self) -> bool {
        !self.stated.is_empty() || !self.digit_runs.is_empty() || !self.member_numbers.is_empty()
    }
}

/// Keywords and filler removed before the rest of a remark is read as a name.
/// Longest first, so 星球昵称 goes before 星球 and 昵称. Single characters that
/// occur in names (付, 的) are handled by [`PHRASES`] instead.
const FILLER: &[&str] = &[
    "星球用户id",
    "星球昵称",
    "星球名片",
    "成员编号",
    "星球编号",
    "训练营押金",
    "打卡押金",
    "星球id",
    "星球名",
    "星球",
    "昵称",
    "名字",
    "用户名",
    "押金",
    "学费",
    "报名费",
    "报名",
    "训练营",
    "打卡营",
    "打卡",
    "已付",
    "付款",
    "转账",
    "红包",
    "谢谢老师",
    "谢谢",
    "加油",
    "编号",
    "朋友",
];

/// Phrases around a name: "X的押金", "帮X付", "替X报名", a bare "id".
static PHRASES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (Regex::new(r"的(?:押金|学费|报名费|钱)").expect("valid regex"), " "),
        (Regex::new(r"(?:^|\s)(?:帮|替|给)\s*(\S+?)\s*(?:付|交|报名)?(?:\s|$)").expect("valid regex"), " $1 "),
        (Regex::new(r"\bid\b").expect("valid regex"), " "),
    ]
});

/// "帮X付", "替X报名", "给X交", "代X报名", "朋友X": a payment for someone else.
static ON_BEHALF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)(?:帮|替|给|代)\s*\S|朋友").expect("valid regex"));

static DIGITS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{6,}").expect("valid regex"));
static MEMBER_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:成员编号|星球编号|编号|no\.?|#)\s*:?\s*(\d{1,7})\b|(?:^|[^\d])(\d{1,7})\s*号").expect("valid regex")
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^1[3-9]\d{9}$").expect("valid regex"));
static WECHAT_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"wxid_[0-9a-z]+").expect("valid regex"));

/// Reads a remark.
pub fn parse(normalizer: &Normalizer, raw: &str) -> RemarkFacts {
    let text = normalizer.text(raw);
    if text.trim().is_empty() {
        return RemarkFacts::default();
    }
    let digit_runs: Vec<String> =
        DIGITS.find_iter(&text).map(|m| m.as_str().to_string()).filter(|d| !PHONE.is_match(d)).collect();
    let member_numbers: Vec<String> = MEMBER_NUMBER
        .captures_iter(&text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().trim_start_matches('0').to_string())
        .filter(|n| !n.is_empty())
        .collect();
    // The stated name: drop ids, numbers and filler words, read the rest as a name.
    // (Each step copies the text only when it changes something: this runs for every
    // payment of every camp evaluated.)
    let mut rest = text.clone();
    replace_in(&mut rest, &WECHAT_ID, " ");
    replace_in(&mut rest, &MEMBER_NUMBER, " ");
    replace_in(&mut rest, &DIGITS, " ");
    for (re, with) in PHRASES.iter().take(1) {
        replace_in(&mut rest, re, with);
    }
    for f in FILLER {
        if rest.contains(f) {
            rest = rest.replace(f, " ");
        }
    }
    for (re, with) in PHRASES.iter().skip(1) {
        replace_in(&mut rest, re, with);
    }
    let stated = normalizer.name(&rest);
    let on_behalf = ON_BEHALF.is_match(&text);
    RemarkFacts { text, stated, digit_runs, member_numbers, on_behalf }
}

/// Replaces every match of `re` in `text`, copying the text only when one is found.
fn replace_in(text: &mut String, re: &Regex, with: &str) {
    if let Cow::Owned(changed) = re.replace_all(text, with) {
        *text = changed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::default_normalizer;

    fn facts(raw: &str) -> RemarkFacts {
        parse(default_normalizer(), raw)
    }

    fn stated(raw: &str) -> Option<String> {
        facts(raw).stated.core().map(|f| f.text.clone())
    }

    #[test]
    fn stated_names_come_out_of_common_phrasings() {
        for (raw, want) in [
            ("星球昵称：小鱼", "小鱼"),
            ("星球昵称:小鱼", "小鱼"),
            ("昵称小鱼", "小鱼"),
            ("小鱼 押金", "小鱼"),
            ("押金-小鱼", "小鱼"),
            ("小鱼的押金", "小鱼"),
            ("小鱼报名", "小鱼"),
            ("星球：張三", "张三"),
            ("帮小鱼付", "小鱼"),
            ("训练营 Lily", "lily"),
        ] {
            assert_eq!(stated(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn filler_phones_and_wechat_ids_state_no_name() {
        for raw in ["", "学费", "押金", "训练营押金", "13812345678", "wxid_abcdef123", "谢谢老师"] {
            let f = facts(raw);
            assert!(f.stated.is_empty(), "{raw}: {:?}", f.stated);
            assert!(f.digit_runs.is_empty(), "{raw}: {:?}", f.digit_runs);
        }
    }

    #[test]
    fn ids_and_member_numbers_are_read() {
        let f = facts("星球ID:4851542145851");
        assert_eq!(f.digit_runs, vec!["4851542145851"]);
        assert!(f.stated.is_empty());
        for (raw, want) in [("编号1027", "1027"), ("No.1027", "1027"), ("1027号", "1027"), ("成员编号：01027", "1027")]
        {
            assert_eq!(facts(raw).member_numbers, vec![want.to_string()], "{raw}");
        }
        assert!(facts("星球昵称 小鱼").member_numbers.is_empty());
    }

    #[test]
    fn payments_for_someone_else_are_told_apart() {
        for raw in ["帮小鱼付", "替小鱼报名", "给 小鱼 交", "代小鱼报名", "朋友小鱼"] {
            assert!(facts(raw).on_behalf, "{raw}");
        }
        for raw in ["小鱼", "星球昵称：小鱼", "小鱼的押金", "小鱼报名", ""] {
            assert!(!facts(raw).on_behalf, "{raw}");
        }
    }
}
