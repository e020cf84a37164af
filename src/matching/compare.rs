//! How similar two normalised names are, as a discrete level (matching.md §2.2,
//! §4.2 N1–N6). Han characters are compared exactly, by containment and by
//! Levenshtein; Jaro-Winkler only ever runs on pinyin or Latin text, never on
//! 2–3 Han characters (its match window is 0 there).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::normalize::{FormMasks, NameForm, NormalizedName};

/// Comparison levels, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameLevel {
    /// Same normalised text, both distinctive (≥ 2 Han or ≥ 3 Latin letters).
    Exact,
    /// Same pinyin, different characters (张三/张珊 homophones, 张三/zhangsan).
    PinyinEqual,
    /// One contains the other (李小明 ⊃ 小明), shorter side ≥ 2 Han or ≥ 4 Latin.
    Contains,
    /// Han texts of 4+ characters with normalised Levenshtein ≥ 0.75.
    HanSimilar,
    /// Fuzzy-pinyin keys equal, or (one side Latin) Jaro-Winkler on pinyin/Latin ≥ 0.93.
    PinyinClose,
    /// The Latin side is the other's initials or a subsequence of its pinyin (zs → 张三).
    Subsequence,
    /// Same text but too short to tell people apart (one Han character, two letters).
    ShortExact,
    /// Nothing in common.
    Different,
}

/// What a comparison reads of a name form: a payer's [`NameForm`], or a planet user's
/// form in the index's packed layout ([`super::packed::PackedForm`]). One comparison
/// code serves both.
pub trait FormView<'a>: Copy {
    /// The keys of one kind (readings, initials, fuzzy keys), in order.
    type Keys: Iterator<Item = &'a str> + Clone;
    /// The normalised text.
    fn text(self) -> &'a str;
    /// Han characters in the text.
    fn han(self) -> usize;
    /// Characters in the text.
    fn chars(self) -> usize;
    /// Pinyin readings (Latin: the text itself), most likely first.
    fn pinyin(self) -> Self::Keys;
    /// Initials per reading.
    fn initials(self) -> Self::Keys;
    /// Fuzzy-pinyin keys per reading.
    fn fuzzy(self) -> Self::Keys;
    /// The hashed bit masks.
    fn masks(self) -> FormMasks;

    /// Whether the form is Latin letters/digits only.
    fn is_latin(self) -> bool {
        self.han() == 0
    }

    /// Whether the form counts as name evidence on its own ([`NameForm::is_distinctive`]).
    fn is_distinctive(self) -> bool {
        super::normalize::is_distinctive(self.text(), self.han())
    }
}

impl<'a> FormView<'a> for &'a NameForm {
    type Keys = std::iter::Map<std::slice::Iter<'a, String>, fn(&'a String) -> &'a str>;

    fn text(self) -> &'a str {
        &self.text
    }

    fn han(self) -> usize {
        self.han
    }

    fn chars(self) -> usize {
        self.chars
    }

    fn pinyin(self) -> Self::Keys {
        self.pinyin.iter().map(String::as_str)
    }

    fn initials(self) -> Self::Keys {
        self.initials.iter().map(String::as_str)
    }

    fn fuzzy(self) -> Self::Keys {
        self.fuzzy.iter().map(String::as_str)
    }

    fn masks(self) -> FormMasks {
        NameForm::masks(self)
    }
}

/// The best level between two names and the forms that reached it.
#[derive(Clone, Debug, PartialEq)]
pub struct NameMatch<L, R> {
    /// The level.
    pub level: NameLevel,
    /// The form on the left (payer) side.
    pub left: L,
    /// The form on the right (planet) side.
    pub right: R,
    /// Similarity for the graded levels (Levenshtein or Jaro-Winkler), 0.0 for
    /// `Different`, else 1.0.
    pub similarity: f64,
}

/// Compares names; `None` when either holds no name evidence.
pub fn compare<'a>(
    left: &'a NormalizedName,
    right: &'a NormalizedName,
    matcher: &SkimMatcherV2,
) -> Option<NameMatch<&'a NameForm, &'a NameForm>> {
    compare_views(left.forms.iter(), right.forms.iter(), matcher)
}

/// Compares names given as their forms (core first); `None` when either has none.
pub fn compare_views<'a, L: FormView<'a>, R: FormView<'a>>(
    left: impl IntoIterator<Item = L>,
    right: impl IntoIterator<Item = R, IntoIter: Clone>,
    matcher: &SkimMatcherV2,
) -> Option<NameMatch<L, R>> {
    let right = right.into_iter();
    let mut best: Option<NameMatch<L, R>> = None;
    for l in left {
        for r in right.clone() {
            let m = compare_forms(l, r, matcher);
            let better = match &best {
                None => true,
                Some(b) => m.level < b.level || (m.level == b.level && m.similarity > b.similarity),
            };
            if better {
                let exact = m.level == NameLevel::Exact;
                best = Some(m);
                if exact {
                    return best;
                }
            }
        }
    }
    best
}

/// Compares two single forms.
pub fn compare_forms<'a, L: FormView<'a>, R: FormView<'a>>(l: L, r: R, matcher: &SkimMatcherV2) -> NameMatch<L, R> {
    let at = |level, similarity| NameMatch { level, left: l, right: r, similarity };
    let (lm, rm) = (l.masks(), r.masks());
    if l.text().len() == r.text().len() && lm.chars_may_occur_in(rm) && l.text() == r.text() {
        return if l.is_distinctive() { at(NameLevel::Exact, 1.0) } else { at(NameLevel::ShortExact, 1.0) };
    }
    let pinyin_equal = lm.may_share_pinyin(rm) && l.pinyin().any(|a| a.len() >= 4 && r.pinyin().any(|b| a == b));
    if pinyin_equal {
        return at(NameLevel::PinyinEqual, 1.0);
    }
    let contained = if l.chars() <= r.chars() { containment(l, r) } else { containment(r, l) };
    if let Some(sim) = contained {
        return at(NameLevel::Contains, sim);
    }
    if l.han() >= 4 && r.han() >= 4 && l.han() == l.chars() && r.han() == r.chars() {
        let sim = strsim::normalized_levenshtein(l.text(), r.text());
        if sim >= 0.75 {
            return at(NameLevel::HanSimilar, sim);
        }
    }
    let fuzzy_equal = lm.may_share_fuzzy(rm) && l.fuzzy().any(|a| a.len() >= 4 && r.fuzzy().any(|b| a == b));
    if fuzzy_equal {
        return at(NameLevel::PinyinClose, 1.0);
    }
    // Jaro-Winkler only where one side was typed in Latin letters: between two Han
    // names it would merely reward a shared surname syllable (张三丰/张三丽).
    // Pairs that cannot reach the threshold are not computed: below it, the value is not used.
    let mut best_jw: f64 = 0.0;
    if l.is_latin() || r.is_latin() {
        for a in l.pinyin() {
            for b in r.pinyin() {
                if a.len() >= 5
                    && b.len() >= 5
                    && a.len().abs_diff(b.len()) <= 2
                    && jaro_winkler_may_reach(a, b, JW_CLOSE)
                {
                    best_jw = best_jw.max(strsim::jaro_winkler(a, b));
                }
            }
        }
    }
    if best_jw >= JW_CLOSE {
        return at(NameLevel::PinyinClose, best_jw);
    }
    if subsequence(l, r, matcher) || subsequence(r, l, matcher) {
        return at(NameLevel::Subsequence, 1.0);
    }
    at(NameLevel::Different, 0.0)
}

/// Jaro-Winkler on pinyin/Latin from which two spellings count as close.
const JW_CLOSE: f64 = 0.93;

/// Whether `strsim::jaro_winkler(a, b)` may reach `threshold` (false: it stays below).
///
/// Jaro is (m/|a| + m/|b| + (m − t)/m) / 3 with m matched characters and t
/// transpositions; m is at most the characters the two strings have in common
/// (counted with multiplicity) and (m − t)/m at most 1. Winkler adds
/// 0.1·ℓ·(1 − jaro) for a common prefix of ℓ ≤ 4 characters when jaro > 0.7, which
/// grows with jaro, so the bound on jaro bounds the result. ASCII only; other text
/// always may.
fn jaro_winkler_may_reach(a: &str, b: &str, threshold: f64) -> bool {
    if !a.is_ascii() || !b.is_ascii() || a.is_empty() || b.is_empty() {
        return true;
    }
    let mut counts = [0i16; 128];
    for &c in a.as_bytes() {
        counts[c as usize] += 1;
    }
    let mut common = 0usize;
    for &c in b.as_bytes() {
        let n = &mut counts[c as usize];
        if *n > 0 {
            *n -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return threshold <= 0.0;
    }
    let m = common as f64;
    let jaro_max = ((m / a.len() as f64) + (m / b.len() as f64) + 1.0) / 3.0;
    let prefix = a.bytes().zip(b.bytes()).take(4).take_while(|(x, y)| x == y).count() as f64;
    let jw_max = if jaro_max > 0.7 { jaro_max + 0.1 * prefix * (1.0 - jaro_max) } else { jaro_max };
    // A hair of slack against rounding: deciding "may" wrongly only costs the exact computation.
    jw_max + 1e-9 >= threshold
}

/// Containment on characters: the shorter text (`short`, not longer in characters than
/// `long`) inside the longer one.
fn containment<'a>(short: impl FormView<'a>, long: impl FormView<'a>) -> Option<f64> {
    let enough = if short.han() > 0 { short.han() >= 2 } else { short.chars() >= 4 };
    if !enough || !short.masks().chars_may_occur_in(long.masks()) || !long.text().contains(short.text()) {
        return None;
    }
    Some(short.chars() as f64 / long.chars() as f64)
}

/// A Latin form (3+ letters) that equals the other's initials or is a subsequence
/// of its pinyin covering most of it.
fn subsequence<'a>(latin: impl FormView<'a>, other: impl FormView<'a>, matcher: &SkimMatcherV2) -> bool {
    if !latin.is_latin() || other.is_latin() {
        return false;
    }
    let text = latin.text();
    let n = text.len();
    if n < 2 {
        return false;
    }
    if n >= 2 && other.initials().any(|i| i == text) && other.han() >= 2 {
        return true;
    }
    // The same first letter and a plain subsequence are necessary for the fuzzy match
    // (which is a subsequence test followed by scoring), and far cheaper.
    n >= 3
        && other.pinyin().any(|p| {
            n * 10 >= p.len() * 6
                && p.as_bytes().first() == text.as_bytes().first()
                && is_subsequence(p, text)
                && matcher.fuzzy_match(p, text).is_some()
        })
}

/// Whether `pattern` is a subsequence of `choice`, with the fuzzy matcher's notion of
/// equal characters (ASCII case ignored unless the pattern holds an ASCII capital).
fn is_subsequence(choice: &str, pattern: &str) -> bool {
    let case_sensitive = pattern.bytes().any(|b| b.is_ascii_uppercase());
    let mut wanted = pattern.chars().peekable();
    for c in choice.chars() {
        match wanted.peek() {
            Some(&p) if if case_sensitive { c == p } else { c.eq_ignore_ascii_case(&p) } => {
                wanted.next();
            }
            Some(_) => {}
            None => break,
        }
    }
    wanted.peek().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::default_normalizer;

    fn level(a: &str, b: &str) -> NameLevel {
        let m = SkimMatcherV2::default();
        let (x, y) = (default_normalizer().name(a), default_normalizer().name(b));
        compare(&x, &y, &m).map(|m| m.level).unwrap_or(NameLevel::Different)
    }

    #[test]
    fn levels_follow_the_research_table() {
        assert_eq!(level("🌈小明✨", "小明"), NameLevel::Exact);
        assert_eq!(level("張三", "张三"), NameLevel::Exact);
        assert_eq!(level("张三", "张珊"), NameLevel::PinyinClose, "zhangsan/zhangshan: fuzzy key");
        assert_eq!(level("王丽", "王莉"), NameLevel::PinyinEqual);
        assert_eq!(level("Zhang San", "张三"), NameLevel::PinyinEqual);
        assert_eq!(level("San Zhang", "张三"), NameLevel::PinyinEqual);
        assert_eq!(level("李小明", "小明"), NameLevel::Contains);
        assert_eq!(level("欧阳娜娜丽", "欧阳娜娜莉"), NameLevel::PinyinEqual);
        assert_eq!(level("欧阳娜娜丽", "欧阳娜娜香"), NameLevel::HanSimilar);
        assert_eq!(level("lily", "lili"), NameLevel::Different, "JW 0.883 < 0.93");
        assert_eq!(level("zs", "张三"), NameLevel::Subsequence);
        assert_eq!(level("刘", "刘"), NameLevel::ShortExact);
        assert_eq!(level("向日葵", "李四"), NameLevel::Different);
    }

    #[test]
    fn polyphonic_surnames_in_pinyin_match_their_han_names() {
        for (latin, han) in [
            ("zeng fan", "曾凡"),
            ("Shan Xiong", "单雄"),
            ("xiebao", "解宝"),
            ("Qiu Ying", "仇英"),
            ("ou jian", "区建"),
            ("Zha Li", "查理"),
            ("Piao Can", "朴灿"),
            ("qinbin", "覃斌"),
            ("Miao Si", "缪斯"),
        ] {
            assert_eq!(level(latin, han), NameLevel::PinyinEqual, "{latin} / {han}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_jaro_winkler_bound_never_skips_a_close_pair(a in "[a-z0-9]{0,14}", b in "[a-z0-9]{0,14}") {
            let jw = strsim::jaro_winkler(&a, &b);
            for threshold in [0.5, 0.8, 0.9, JW_CLOSE, 0.97] {
                if !jaro_winkler_may_reach(&a, &b, threshold) {
                    proptest::prop_assert!(jw < threshold, "{a} / {b}: {jw} >= {threshold}");
                }
            }
        }

        #[test]
        fn the_jaro_winkler_bound_holds_for_near_spellings(a in "[a-z]{5,12}", edits in proptest::collection::vec((0usize..12, "[a-z]"), 0..3)) {
            // Mostly close pairs, where the bound is tight.
            let mut b: Vec<char> = a.chars().collect();
            for (i, c) in edits {
                let i = i % b.len();
                b[i] = c.chars().next().unwrap();
            }
            let b: String = b.into_iter().collect();
            let jw = strsim::jaro_winkler(&a, &b);
            if !jaro_winkler_may_reach(&a, &b, JW_CLOSE) {
                proptest::prop_assert!(jw < JW_CLOSE, "{a} / {b}: {jw}");
            }
        }

        #[test]
        fn subsequence_agrees_with_the_fuzzy_matcher(choice in "[a-zA-Z张é]{0,10}", pattern in "[a-zA-Z张é]{0,5}") {
            let m = SkimMatcherV2::default();
            proptest::prop_assert_eq!(is_subsequence(&choice, &pattern), m.fuzzy_match(&choice, &pattern).is_some());
        }
    }

    #[test]
    fn close_latin_spellings_are_still_found_and_far_ones_skipped() {
        assert!(jaro_winkler_may_reach("zhangwei", "zhangwie", JW_CLOSE));
        assert!(strsim::jaro_winkler("zhangwei", "zhangwie") >= JW_CLOSE);
        assert!(!jaro_winkler_may_reach("lilywang", "wangxiaoli", JW_CLOSE));
        assert_eq!(level("zhangwie", "张伟"), NameLevel::PinyinClose);
    }

    #[test]
    fn jaro_winkler_never_decides_between_short_han_names() {
        // JW(李小明, 小明) = 0 in strsim; containment must catch it instead.
        assert_eq!(strsim::jaro_winkler("李小明", "小明"), 0.0);
        assert_eq!(level("李小明", "小明"), NameLevel::Contains);
        // Two different 3-character names sharing two characters are not "close".
        assert_eq!(level("张三丰", "张三丽"), NameLevel::Different);
    }
}
