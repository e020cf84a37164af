//! The `/` filter: fuzzy matching over a row's text, plus pinyin for names,
//! so `zs`, `zhangs` and `zhangsan` all find 张三. Every reading of a
//! heteronym counts (单 is dan, shan and chan), since names are where pinyin
//! libraries guess wrong most.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use pinyin::ToPinyinMulti;
use unicode_normalization::UnicodeNormalization;

/// What one row can be found by; built once when the rows load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchKey {
    /// Every text field, NFC-normalised and lower-cased, separated by spaces.
    text: String,
    /// Per name: per character, its possible romanisations.
    names: Vec<Vec<Vec<&'static str>>>,
    /// The first letters of every romanisation, as bits (a = 1), for a quick "cannot match".
    initials: u32,
}

impl SearchKey {
    /// A key over `fields` (ids, remarks, reasons…) and `names` (also searchable by pinyin).
    pub fn new(fields: &[&str], names: &[&str]) -> SearchKey {
        let mut text = String::new();
        for f in names.iter().chain(fields.iter()) {
            if f.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.extend(f.nfc().flat_map(char::to_lowercase));
        }
        let names: Vec<Vec<Vec<&'static str>>> = names.iter().filter(|n| !n.is_empty()).map(|n| readings(n)).collect();
        let initials =
            names.iter().flatten().flatten().filter_map(|r| r.bytes().next()).fold(0, |acc, b| acc | letter_bit(b));
        SearchKey { text, names, initials }
    }

    /// The match score of `query` (higher is better), or `None` when it does not match.
    pub fn score(&self, query: &Query, matcher: &SkimMatcherV2) -> Option<i64> {
        if query.text.is_empty() {
            return Some(0);
        }
        let fuzzy = matcher.fuzzy_match(&self.text, &query.text);
        let first = query.text.bytes().next().map_or(0, letter_bit);
        let pinyin = if query.romanised && self.initials & first != 0 {
            self.names.iter().filter_map(|n| pinyin_score(n, query.text.as_bytes())).max()
        } else {
            None
        };
        fuzzy.max(pinyin)
    }
}

/// A prepared query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    text: String,
    romanised: bool,
}

impl Query {
    /// Prepares what the user typed.
    pub fn new(typed: &str) -> Query {
        let text: String = typed.trim().nfc().flat_map(char::to_lowercase).collect();
        let romanised = !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphabetic() || b == b' ');
        let text = if romanised { text.replace(' ', "") } else { text };
        Query { text, romanised }
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// A fuzzy matcher configured for filtering (case-insensitive).
pub fn matcher() -> SkimMatcherV2 {
    SkimMatcherV2::default().ignore_case()
}

/// A prepared filter: the query and a matcher, reusable over many keys.
pub struct Filter {
    query: Query,
    skim: SkimMatcherV2,
}

impl Filter {
    /// A filter for what the user typed.
    pub fn new(typed: &str) -> Filter {
        Filter { query: Query::new(typed), skim: matcher() }
    }

    /// Whether it lets everything through.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }

    /// Whether `key` matches.
    pub fn matches(&self, key: &SearchKey) -> bool {
        self.query.is_empty() || key.score(&self.query, &self.skim).is_some()
    }
}

/// Indices of the keys that match `typed`, in their original order.
pub fn filter(keys: &[SearchKey], typed: &str) -> Vec<usize> {
    let f = Filter::new(typed);
    if f.is_empty() {
        return (0..keys.len()).collect();
    }
    keys.iter().enumerate().filter(|(_, k)| f.matches(k)).map(|(i, _)| i).collect()
}

/// Whether typing went from `old` to `new` only by adding characters at the
/// end, so every row `new` matches is among the rows `old` matched (for both
/// fuzzy and pinyin matching) and filtering can narrow the previous result.
pub fn narrows(old: &str, new: &str) -> bool {
    let (a, b) = (Query::new(old), Query::new(new));
    !a.is_empty() && b.text.starts_with(&a.text) && (a.romanised || !b.romanised)
}

/// Indices of the keys that match `typed`, best match first (ties keep their order).
pub fn rank(keys: &[SearchKey], typed: &str) -> Vec<usize> {
    let query = Query::new(typed);
    if query.is_empty() {
        return (0..keys.len()).collect();
    }
    let m = matcher();
    let mut scored: Vec<(i64, usize)> =
        keys.iter().enumerate().filter_map(|(i, k)| k.score(&query, &m).map(|s| (s, i))).collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// Per character of `name`: every romanisation (Han characters: each
/// heteronym reading, with `ü` also as `v` and `u`; others: the character itself).
fn readings(name: &str) -> Vec<Vec<&'static str>> {
    name.nfc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c.to_pinyin_multi() {
            Some(multi) => {
                let mut out: Vec<&'static str> = Vec::new();
                for p in multi {
                    let plain = p.plain();
                    if plain.contains('ü') {
                        out.extend(u_umlaut_spellings(plain));
                    } else if !out.contains(&plain) {
                        out.push(plain);
                    }
                }
                out
            }
            None => vec![ascii_of(c)],
        })
        .collect()
}

/// The bit of an ASCII letter (0 for anything else).
fn letter_bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() { 1 << (b - b'a') } else { 0 }
}

/// `lü` → `lv`, `lu`, and the other syllables with ü.
fn u_umlaut_spellings(plain: &str) -> Vec<&'static str> {
    match plain {
        "lü" => vec!["lv", "lu"],
        "lüe" => vec!["lve", "lue"],
        "nü" => vec!["nv", "nu"],
        "nüe" => vec!["nve", "nue"],
        _ => vec![],
    }
}

/// A lower-case ASCII letter or digit as a static one-letter string; other
/// characters match nothing romanised.
fn ascii_of(c: char) -> &'static str {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    let lower = c.to_ascii_lowercase();
    match LETTERS.find(lower) {
        Some(i) if lower.is_ascii_alphanumeric() => &LETTERS[i..i + 1],
        _ => "",
    }
}

/// Whether `query` (lower-case ASCII letters) spells a run of consecutive
/// characters of the name, each piece a non-empty prefix of one of that
/// character's readings ("zs", "zhangs", "zhangsan", "zsan"); scored higher for
/// a match at the start and for whole syllables.
fn pinyin_score(name: &[Vec<&'static str>], query: &[u8]) -> Option<i64> {
    let mut best: Option<i64> = None;
    // What `consume` finds at (character, query position) does not depend on where the run started.
    let mut memo = vec![None; (name.len() + 1) * (query.len() + 1)];
    for start in 0..name.len() {
        if let Some(whole) = consume(name, start, query, 0, &mut memo) {
            let score = 60 + 20 * i64::from(start == 0) + 8 * whole - 2 * start as i64 + query.len() as i64;
            best = best.max(Some(score));
        }
    }
    best
}

/// The most whole syllables with which `query[qi..]` can be spelled from
/// character `ci` on, or `None` when it cannot.
fn consume(
    name: &[Vec<&'static str>],
    ci: usize,
    query: &[u8],
    qi: usize,
    memo: &mut [Option<Option<i64>>],
) -> Option<i64> {
    if qi == query.len() {
        return Some(0);
    }
    if ci == name.len() {
        return None;
    }
    let slot = ci * (query.len() + 1) + qi;
    if let Some(known) = memo[slot] {
        return known;
    }
    let rest = &query[qi..];
    let mut best: Option<i64> = None;
    for reading in &name[ci] {
        let r = reading.as_bytes();
        let max = r.len().min(rest.len());
        for len in (1..=max).rev() {
            if r[..len] == rest[..len]
                && let Some(tail) = consume(name, ci + 1, query, qi + len, memo)
            {
                best = best.max(Some(tail + i64::from(len == r.len())));
            }
        }
    }
    memo[slot] = Some(best);
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(list: &[&str]) -> Vec<SearchKey> {
        list.iter().map(|n| SearchKey::new(&[], &[n])).collect()
    }

    #[test]
    fn initials_and_full_pinyin_find_chinese_names() {
        let keys = names(&["李四", "张三", "王五", "欧阳娜娜", "张三丰"]);
        assert_eq!(filter(&keys, "zs"), vec![1, 4]);
        assert_eq!(filter(&keys, "zhangsan"), vec![1, 4]);
        assert_eq!(filter(&keys, "zhangs"), vec![1, 4]);
        assert_eq!(filter(&keys, "zsf"), vec![4]);
        assert_eq!(filter(&keys, "oyn"), vec![3]);
        assert_eq!(filter(&keys, "ouyang"), vec![3]);
        assert_eq!(filter(&keys, "张"), vec![1, 4]);
        assert_eq!(filter(&keys, ""), vec![0, 1, 2, 3, 4]);
        assert_eq!(filter(&keys, "xyz"), Vec::<usize>::new());
    }

    #[test]
    fn every_heteronym_reading_counts() {
        // 单 reads dan, shan and chan; as a surname it is shan.
        let keys = names(&["单田芳", "曾小贤"]);
        assert_eq!(filter(&keys, "stf"), vec![0]);
        assert_eq!(filter(&keys, "dtf"), vec![0]);
        assert_eq!(filter(&keys, "zengxiaoxian"), vec![1]);
        assert_eq!(filter(&keys, "cxx"), vec![1]);
    }

    #[test]
    fn u_umlaut_is_typed_as_v_or_u() {
        let keys = names(&["吕布", "女娲"]);
        assert_eq!(filter(&keys, "lvbu"), vec![0]);
        assert_eq!(filter(&keys, "lubu"), vec![0]);
        assert_eq!(filter(&keys, "nvwa"), vec![1]);
    }

    #[test]
    fn mixed_and_emoji_names_and_other_fields() {
        let keys = vec![
            SearchKey::new(&["4200001234", "备注：星球昵称小鱼"], &["🌸小美"]),
            SearchKey::new(&["refund-7"], &["张三abc"]),
        ];
        assert_eq!(filter(&keys, "xm"), vec![0]);
        assert_eq!(filter(&keys, "小鱼"), vec![0]);
        assert_eq!(filter(&keys, "4200"), vec![0]);
        assert_eq!(filter(&keys, "zsabc"), vec![1]);
        assert_eq!(filter(&keys, "REFUND"), vec![1]);
    }

    #[test]
    fn ranking_puts_the_closest_first() {
        let keys = names(&["张小三", "周深", "张三", "张三丰"]);
        let ranked = rank(&keys, "zhangsan");
        assert_eq!(ranked.first(), Some(&2), "{ranked:?}");
        assert_eq!(ranked.len(), 2, "{ranked:?}");
        let ranked = rank(&keys, "zs");
        assert!(ranked.contains(&1) && ranked.contains(&2) && !ranked.contains(&0), "{ranked:?}");
    }

    #[test]
    fn narrowing_is_detected_only_for_extensions() {
        assert!(narrows("z", "zs"));
        assert!(narrows("zh", "zh s"));
        assert!(narrows("张", "张三"));
        assert!(!narrows("", "z"));
        assert!(!narrows("zs", "z"));
        assert!(!narrows("e", "e\u{301}"), "NFC turns e + accent into another letter");
    }

    proptest! {
        #[test]
        fn a_longer_query_matches_a_subset(names in proptest::collection::vec("[a-z张三李四欧阳娜单田芳曾]{0,6}", 0..20), q in "[a-z]{1,3}", extra in "[a-z]{1,2}") {
            let keys: Vec<SearchKey> = names.iter().map(|n| SearchKey::new(&[n], &[n])).collect();
            let longer = format!("{q}{extra}");
            let wider = filter(&keys, &q);
            let narrower = filter(&keys, &longer);
            prop_assert!(narrows(&q, &longer));
            prop_assert!(narrower.iter().all(|i| wider.contains(i)), "{narrower:?} not within {wider:?}");
        }

        #[test]
        fn filter_returns_ordered_in_range_indices(list in proptest::collection::vec("\\PC{0,8}", 0..20), q in "\\PC{0,4}") {
            let keys: Vec<SearchKey> = list.iter().map(|n| SearchKey::new(&[n], &[n])).collect();
            let hits = filter(&keys, &q);
            prop_assert!(hits.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(hits.iter().all(|&i| i < keys.len()));
        }
    }
}
