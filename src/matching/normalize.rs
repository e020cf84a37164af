//! Name normalisation (matching.md §2.1): NFKC and case folding, emoji and
//! invisible characters out, bracketed and tag/role decorations out, spaced Han
//! joined, traditional → simplified, then a core name, aliases from the name's
//! parts, and for each of them pinyin (all surname readings), initials and a
//! fuzzy-pinyin key.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::fxhash::{FxMap, FxSet};
use super::phonetic::{self, is_han};

/// One comparable form of a name: the core or an alias.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameForm {
    /// Normalised text: lowercase, simplified, no decorations (e.g. `张三`, `lily`, `zhangsan`).
    pub text: String,
    /// Number of Han characters in `text`.
    pub han: usize,
    /// Number of characters in `text`.
    pub chars: usize,
    /// Pinyin readings of `text` (for Latin text: the text itself), most likely first.
    pub pinyin: Vec<String>,
    /// Initials per reading (Latin: first letter of each original word).
    pub initials: Vec<String>,
    /// Fuzzy-pinyin keys per reading.
    pub fuzzy: Vec<String>,
    /// Bit masks of the readings, fuzzy keys and characters, for quick rejections.
    masks: FormMasks,
}

/// Hashed bit masks of a name form: comparisons skip what the masks rule out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormMasks {
    /// One bit per reading of 4+ letters (hashed): two forms share such a reading only
    /// if their masks meet, so comparisons skip the readings of most pairs.
    pub pinyin: u64,
    /// The same for fuzzy keys of 4+ letters.
    pub fuzzy: u64,
    /// One bit per character of the text (hashed): a text contains another only if
    /// this mask covers the other's.
    pub chars: u64,
}

impl FormMasks {
    /// Whether the forms may share a pinyin reading of 4+ letters (false: they do not).
    pub fn may_share_pinyin(self, other: FormMasks) -> bool {
        self.pinyin & other.pinyin != 0
    }

    /// Whether the forms may share a fuzzy key of 4+ letters (false: they do not).
    pub fn may_share_fuzzy(self, other: FormMasks) -> bool {
        self.fuzzy & other.fuzzy != 0
    }

    /// Whether every character of this form may occur in `other` (false: `other`'s
    /// text cannot contain or equal this one's).
    pub fn chars_may_occur_in(self, other: FormMasks) -> bool {
        self.chars & !other.chars == 0
    }
}

impl NameForm {
    /// Whether the form is Latin letters/digits only.
    pub fn is_latin(&self) -> bool {
        self.han == 0
    }

    /// Whether the form is long enough to count as name evidence on its own.
    pub fn is_distinctive(&self) -> bool {
        is_distinctive(&self.text, self.han)
    }

    fn new(text: String, latin_words: Option<&[&str]>) -> NameForm {
        let han = text.chars().filter(|c| is_han(*c)).count();
        let chars = text.chars().count();
        let (pinyin, initials) = match phonetic::readings(&text) {
            Some(r) => (r.full, r.initials),
            None => {
                let initials = match latin_words {
                    Some(words) => words.iter().filter_map(|w| w.chars().next()).collect(),
                    None => text.chars().next().map(String::from).unwrap_or_default(),
                };
                (vec![text.clone()], vec![initials])
            }
        };
        let fuzzy: Vec<String> = pinyin.iter().map(|p| phonetic::fuzzy_key(p)).collect();
        let masks = FormMasks {
            pinyin: key_mask(&pinyin),
            fuzzy: key_mask(&fuzzy),
            chars: text.chars().fold(0, |m, c| m | char_bit(c)),
        };
        NameForm { text, han, chars, pinyin, initials, fuzzy, masks }
    }

    /// The form's bit masks.
    pub fn masks(&self) -> FormMasks {
        self.masks
    }

    /// Whether the forms may share a pinyin reading of 4+ letters (false: they do not).
    pub fn may_share_pinyin(&self, other: &NameForm) -> bool {
        self.masks.may_share_pinyin(other.masks)
    }

    /// Whether the forms may share a fuzzy key of 4+ letters (false: they do not).
    pub fn may_share_fuzzy(&self, other: &NameForm) -> bool {
        self.masks.may_share_fuzzy(other.masks)
    }

    /// Whether every character of `self` may occur in `other` (false: `other`'s text
    /// cannot contain or equal `self`'s).
    pub fn chars_may_occur_in(&self, other: &NameForm) -> bool {
        self.masks.chars_may_occur_in(other.masks)
    }
}

/// The bit of a key in a form's key mask.
fn key_bit(key: &str) -> u64 {
    use std::hash::BuildHasher;
    let h = std::hash::BuildHasherDefault::<super::fxhash::FxHasher>::default().hash_one(key);
    1 << (h >> 58)
}

/// The mask of the keys of 4+ bytes (the only ones comparisons look up).
fn key_mask(keys: &[String]) -> u64 {
    keys.iter().filter(|k| k.len() >= 4).fold(0, |m, k| m | key_bit(k))
}

/// The bit of a character in a form's character mask.
fn char_bit(c: char) -> u64 {
    1 << ((c as u32).wrapping_mul(0x9E37_79B1) >> 26)
}

/// A normalised name: the core form first, then the aliases, without duplicates.
/// Empty when the raw name holds no name evidence (only emoji, spaces, roles …).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NormalizedName {
    /// Core first, then aliases.
    pub forms: Vec<NameForm>,
}

impl NormalizedName {
    /// The core form (`张三` for `【A组】张三-产品经理`), if any.
    pub fn core(&self) -> Option<&NameForm> {
        self.forms.first()
    }

    /// Whether the name holds no evidence at all.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The texts of all forms.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.forms.iter().map(|f| f.text.as_str())
    }
}

/// Words that decorate names rather than name anyone: roles, jobs, cities, group words.
/// Compared after traditional → simplified, so 運營 is caught as 运营.
pub const DEFAULT_NOISE_WORDS: &[&str] = &[
    "产品经理",
    "产品",
    "运营",
    "助教",
    "老师",
    "宝妈",
    "宝爸",
    "设计师",
    "程序员",
    "财务",
    "hr",
    "销售",
    "学生",
    "自由职业",
    "律师",
    "医生",
    "新媒体",
    "会计",
    "班长",
    "组长",
    "队长",
    "学员",
    "教练",
    "群主",
    "管理员",
    "副班长",
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "西安",
    "长沙",
    "重庆",
    "苏州",
    "天津",
    "厦门",
    "青岛",
    "郑州",
    "合肥",
    "福州",
    "昆明",
    "济南",
    "大连",
    "宁波",
    "东莞",
    "佛山",
    "无锡",
    "沈阳",
    "哈尔滨",
];

/// What names and remarks lose before anything else: emoji and their modifiers, invisible
/// and private-use characters, symbols, and letters of scripts that Chinese WeChat names
/// use only as ornaments (ღ Georgian, ʚɞ IPA extensions, ꦿ Javanese).
static STRIP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u{FE0E}\u{FE0F}\u{200D}\u{20E3}\p{Default_Ignorable_Code_Point}\u{2800}\u{1160}\u{3164}\p{So}\p{Sk}\p{Co}\p{Cc}\p{Cf}\p{Georgian}\p{Javanese}\u{0250}-\u{02AF}]",
    )
    .expect("valid regex")
});
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"【[^】]*】|\[[^\]]*\]|\([^)]*\)|〔[^〕]*〕|「[^」]*」|『[^』]*』|《[^》]*》|<[^>]*>|\{[^}]*\}|〖[^〗]*〗",
    )
    .expect("valid regex")
});
static BRACKET_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[【】\[\]()〔〕「」『』《》<>{}〖〗]").expect("valid regex"));
static SEPARATORS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\s\-_|/·•~、,，.。:：;；+@丨｜・'’‘“”\x22!！?？*#&=%^$]+").expect("valid regex"));
static NUMBERING_OR_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:no|第)?\d+(?:号|期|班|组|队|群|营)?(?:学员|成员)?|第?[0-9a-z一二三四五六七八九十]{1,3}(?:组|期|班|队|群|营))")
        .expect("valid regex")
});
static NUMBER_SIGN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bno\.\s*(\d)").expect("valid regex"));

/// The normaliser. [`Normalizer::default`] uses [`DEFAULT_NOISE_WORDS`]; camps
/// with other decorations can add theirs.
#[derive(Clone, Debug)]
pub struct Normalizer {
    noise_words: FxSet<String>,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer::with_noise_words(DEFAULT_NOISE_WORDS.iter().copied())
    }
}

impl Normalizer {
    /// A normaliser that drops these words (simplified, lowercase) as decorations.
    pub fn with_noise_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Self {
        Normalizer { noise_words: words.into_iter().map(|w| w.to_lowercase()).collect() }
    }

    /// NFKC, lowercase, emoji/invisible characters removed, traditional → simplified.
    /// Keeps spacing and punctuation: this is the form remarks are searched in.
    pub fn text(&self, raw: &str) -> String {
        let s: String = raw.nfkc().collect::<String>().to_lowercase();
        let s = STRIP.replace_all(&s, "");
        simplify(&s)
    }

    /// Normalises a display name into its core and aliases.
    pub fn name(&self, raw: &str) -> NormalizedName {
        let cleaned = self.text(raw);
        // Bracketed decorations; unwrap the brackets when nothing else is left.
        let without = BRACKETED.replace_all(&cleaned, " ");
        let body = if has_name_chars(&without) {
            without.into_owned()
        } else {
            BRACKET_CHARS.replace_all(&cleaned, " ").into_owned()
        };
        // Join spaced single Han characters: 陈 晓 东 → 陈晓东, but keep 苏州 王五 apart.
        let body = join_spaced_han(&body);
        let body = NUMBER_SIGN.replace_all(&body, "no$1");

        let mut tokens: Vec<String> = Vec::new();
        for token in SEPARATORS.split(&body) {
            if let Some(t) = self.clean_token(token) {
                tokens.push(t);
            }
        }
        self.forms_from_tokens(&tokens)
    }

    /// Strips numbering, group tags and role/city words from one token.
    fn clean_token(&self, token: &str) -> Option<String> {
        let mut t = token.trim().to_string();
        if t.is_empty() {
            return None;
        }
        if self.noise_words.contains(&t) {
            return None;
        }
        // Numbering and group tags at the start (3号学员, no12, a组, 第3期), possibly two of them.
        for _ in 0..2 {
            match NUMBERING_OR_TAG.find(&t) {
                Some(m) if m.end() > 0 => t = t[m.end()..].to_string(),
                _ => break,
            }
        }
        if t.is_empty() {
            return None;
        }
        if t.chars().all(|c| c.is_ascii_digit()) || self.noise_words.contains(&t) {
            return None;
        }
        let t: String = t.chars().filter(|c| is_han(*c) || c.is_alphanumeric()).collect();
        (!t.is_empty() && has_name_chars(&t)).then_some(t)
    }

    fn forms_from_tokens(&self, tokens: &[String]) -> NormalizedName {
        let mut out = NormalizedName::default();
        let mut seen: FxSet<String> = FxSet::default();
        let mut push = |out: &mut NormalizedName, text: String, words: Option<&[&str]>| {
            if text.is_empty() || !seen.insert(text.clone()) {
                return;
            }
            let form = NameForm::new(text, words);
            if form.han > 0 || form.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                out.forms.push(form);
            }
        };
        let runs: Vec<Vec<String>> = tokens.iter().map(|t| script_runs(t)).collect();
        let latin_tokens: Vec<&str> = tokens.iter().filter(|t| !t.chars().any(is_han)).map(String::as_str).collect();
        // Core: the first Han run; else the Latin words joined (zhang san → zhangsan).
        let first_han = runs.iter().flatten().find(|r| r.chars().any(is_han)).cloned();
        match first_han {
            Some(core) => push(&mut out, core, None),
            None if !latin_tokens.is_empty() => push(&mut out, latin_tokens.concat(), Some(&latin_tokens)),
            None => {}
        }
        // A Latin name beside a lone Han character (Tony·刘, David·赵·程序员) is one name:
        // its core is a bare surname and its Latin word is shared by every other Tony, so
        // the tokens joined (tony刘, as Tony刘 reads) are what singles the person out.
        let han_chars = tokens.iter().flat_map(|t| t.chars()).filter(|c| is_han(*c)).count();
        if han_chars == 1 && tokens.len() >= 2 && !latin_tokens.is_empty() {
            push(&mut out, tokens.concat(), None);
        }
        // Latin names in two words also in the other order (San Zhang → zhangsan).
        if latin_tokens.len() == 2 {
            let swapped = [latin_tokens[1], latin_tokens[0]];
            push(&mut out, swapped.concat(), Some(&swapped));
            if first_han_is_some(&runs) {
                push(&mut out, latin_tokens.concat(), Some(&latin_tokens));
            }
        }
        // Aliases: each token and, for mixed tokens, each script run. Single words of
        // a Latin name in several words are not aliases: "zhou" of "Yuki Zhou" would
        // match every other Zhou.
        let latin_words = latin_tokens.len();
        for (token, token_runs) in tokens.iter().zip(&runs) {
            if latin_words >= 2 && !token.chars().any(is_han) {
                continue;
            }
            push(&mut out, token.clone(), None);
            if token_runs.len() > 1 {
                for r in token_runs {
                    push(&mut out, r.clone(), None);
                }
            }
        }
        out
    }
}

/// Traditional → simplified, one character at a time: a character that is
/// already simplified stays (character_converter would turn 宁 into 㝉), and no
/// neighbouring text changes the result. Cached per thread.
pub fn simplify(s: &str) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<FxMap<char, char>> = std::cell::RefCell::new(FxMap::default());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        s.chars()
            .map(|c| {
                if !is_han(c) {
                    return c;
                }
                *cache.entry(c).or_insert_with(|| {
                    let one = c.to_string();
                    if character_converter::is_simplified(&one) {
                        return c;
                    }
                    let converted = character_converter::traditional_to_simplified(&one);
                    let mut chars = converted.chars();
                    match (chars.next(), chars.next()) {
                        (Some(x), None) => x,
                        _ => c,
                    }
                })
            })
            .collect()
    })
}

/// Joins runs of whitespace-separated single Han characters (陈 晓 东).
fn join_spaced_han(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_single = false;
    for (i, word) in s.split_whitespace().enumerate() {
        let single = word.chars().count() == 1 && word.chars().all(is_han);
        if i > 0 && !(single && pending_single) {
            out.push(' ');
        }
        out.push_str(word);
        pending_single = single;
    }
    out
}

/// Whether a form of `text` (with `han` Han characters) counts as name evidence on its
/// own: at least 2 Han characters, or at least 3 Latin letters (tony刘 too, which names
/// one Tony as 刘 alone does not).
pub(crate) fn is_distinctive(text: &str, han: usize) -> bool {
    han >= 2 || text.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3
}

fn first_han_is_some(runs: &[Vec<String>]) -> bool {
    runs.iter().flatten().any(|r| r.chars().any(is_han))
}

fn has_name_chars(s: &str) -> bool {
    s.chars().any(|c| is_han(c) || c.is_alphabetic())
}

/// Splits a token where the script changes between Han and Latin (lily王丽 → lily, 王丽).
fn script_runs(token: &str) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_han: Option<bool> = None;
    for c in token.chars() {
        let han = is_han(c);
        if current_han.is_some_and(|h| h != han) && !(c.is_ascii_digit() && current_han == Some(false)) {
            runs.push(std::mem::take(&mut current));
        }
        current_han = Some(han);
        current.push(c);
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs.retain(|r| has_name_chars(r));
    runs
}

/// The shared default normaliser.
pub fn default_normalizer() -> &'static Normalizer {
    static DEFAULT: LazyLock<Normalizer> = LazyLock::new(Normalizer::default);
    &DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> NormalizedName {
        default_normalizer().name(raw)
    }

    /// The prototype rows of matching.md §2.1: raw → core, aliases, pinyin, initials.
    #[test]
    fn prototype_rows() {
        let rows: &[(&str, &str, &[&str], &str, &str)] = &[
            ("【A组】张三-产品经理", "张三", &["张三"], "zhangsan", "zs"),
            ("張三🌸", "张三", &["张三"], "zhangsan", "zs"),
            ("Ｚｈａｎｇ　Ｓａｎ", "zhangsan", &["zhangsan", "sanzhang"], "zhangsan", "zs"),
            ("👍Yuki Zhou", "yukizhou", &["yukizhou", "zhouyuki"], "yukizhou", "yz"),
            ("奔跑的程序员", "奔跑的程序员", &["奔跑的程序员"], "benpaodechengxuyuan", "bpdcxy"),
            ("🌈小明✨", "小明", &["小明"], "xiaoming", "xm"),
            ("小明(宝妈)", "小明", &["小明"], "xiaoming", "xm"),
            ("[3期] Lily 王丽", "王丽", &["王丽", "lily"], "wangli", "wl"),
            ("陈 晓 东", "陈晓东", &["陈晓东"], "chenxiaodong", "cxd"),
            ("苏州 向前企鹅", "向前企鹅", &["向前企鹅"], "xiangqianqie", "xqqe"),
            ("鄭秀文|運營", "郑秀文", &["郑秀文"], "zhengxiuwen", "zxw"),
            ("3号学员-李四", "李四", &["李四"], "lisi", "ls"),
            ("a组 · 欧阳娜娜 ·产品", "欧阳娜娜", &["欧阳娜娜"], "ouyangnana", "oynn"),
            ("①号王五", "王五", &["王五"], "wangwu", "ww"),
            ("Tony·刘", "刘", &["刘", "tony刘", "tony"], "liu", "l"),
            ("北京-王五", "王五", &["王五"], "wangwu", "ww"),
            ("王五_运营", "王五", &["王五"], "wangwu", "ww"),
            ("(小明)", "小明", &["小明"], "xiaoming", "xm"),
            ("𝓛𝓲𝓵𝔂", "lily", &["lily"], "lily", "l"),
            ("emma86", "emma86", &["emma86"], "emma86", "e"),
            ("Lily王丽", "王丽", &["王丽", "lily王丽", "lily"], "wangli", "wl"),
            ("曾凡", "曾凡", &["曾凡"], "zengfan", "zf"),
            // Letters of other scripts that serve as ornaments (ღ Georgian, ʚɞ IPA, ꦿ Javanese).
            ("ღEmmaღ", "emma", &["emma"], "emma", "e"),
            ("ʚ王丽ɞ", "王丽", &["王丽"], "wangli", "wl"),
            ("ღJack·冯ღ", "冯", &["冯", "jack冯", "jack"], "feng", "f"),
            ("David·赵·程序员", "赵", &["赵", "david赵", "david"], "zhao", "z"),
            ("林ꦿ夕", "林夕", &["林夕"], "linxi", "lx"),
        ];
        for (raw, core, aliases, pinyin, initials) in rows {
            let n = norm(raw);
            let c = n.core().unwrap_or_else(|| panic!("{raw}: no core"));
            assert_eq!(c.text, *core, "{raw}: core");
            let texts: Vec<&str> = n.texts().collect();
            let mut want: Vec<&str> = aliases.to_vec();
            want.sort();
            let mut got = texts.clone();
            got.sort();
            assert_eq!(got, want, "{raw}: aliases");
            assert_eq!(c.pinyin[0], *pinyin, "{raw}: pinyin");
            assert_eq!(c.initials[0], *initials, "{raw}: initials");
        }
    }

    #[test]
    fn names_without_evidence_are_empty() {
        for raw in ["✌️", "   ", "\u{3164}", "\u{2800}\u{2800}", "🌸🌸", ".", "\u{3000}", "【A组】", "产品经理", "123"]
        {
            assert!(norm(raw).is_empty(), "{raw:?}: {:?}", norm(raw));
        }
    }

    #[test]
    fn invisible_and_decorative_characters_vanish() {
        assert_eq!(norm("小\u{200B}明").core().unwrap().text, "小明");
        assert_eq!(norm("❀小明❀").core().unwrap().text, "小明");
        assert_eq!(norm("★小鱼☆").core().unwrap().text, "小鱼");
        assert_eq!(norm("♡Jack Wang♡").core().unwrap().text, "jackwang");
        assert_eq!(norm("王五-产品经理").forms.len(), 1, "a separated role is not an alias");
        assert_eq!(norm("👨🏻\u{200d}🏫金玲莉").core().unwrap().text, "金玲莉");
    }

    #[test]
    fn emoji_digits_survive_because_emoji_property_is_not_used() {
        // \p{Emoji} contains 0-9, # and *: a digit in a name must stay.
        assert_eq!(norm("lily2020").core().unwrap().text, "lily2020");
    }

    #[test]
    fn fuzzy_keys_join_ime_confusions() {
        let a = norm("zhangsan");
        let b = norm("张三");
        assert_eq!(a.core().unwrap().fuzzy[0], b.core().unwrap().fuzzy[0]);
        let c = norm("张珊");
        assert_eq!(c.core().unwrap().fuzzy[0], b.core().unwrap().fuzzy[0]);
    }

    #[test]
    fn remark_text_keeps_spacing_but_folds_width_case_and_script() {
        let n = default_normalizer();
        assert_eq!(n.text("星球昵称：張三🌸 ＡＢ"), "星球昵称:张三 ab");
    }

    #[test]
    fn traditional_to_simplified_is_per_character_and_leaves_simplified_alone() {
        assert_eq!(simplify("張三鄭秀文運營"), "张三郑秀文运营");
        assert_eq!(simplify("阿宁浣熊"), "阿宁浣熊");
        assert_eq!(simplify("乾"), "乾", "kept, as the research prefers for names");
    }

    #[test]
    fn extra_noise_words_are_configurable() {
        let n = Normalizer::with_noise_words(["瑜伽"]);
        assert_eq!(n.name("小鱼-瑜伽").core().unwrap().text, "小鱼");
        assert_eq!(default_normalizer().name("小鱼-瑜伽").forms.len(), 2);
    }
}
