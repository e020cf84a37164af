//! Pinyin for names: every reading of the surname, first readings elsewhere,
//! initials and fuzzy-pinyin keys (zh/z, ch/c, sh/s, -ng/-n).
//!
//! The pinyin crate's first reading is wrong for common polyphonic surnames
//! (曾 → ceng, 单 → dan, 解 → jie …; matching.md §0), so the first character of
//! a name also gets the name reading from [`SURNAME_READINGS`] and its other
//! heteronyms.

use pinyin::{ToPinyin, ToPinyinMulti};

/// Surnames whose reading in a name differs from the crate's first reading, and
/// compound surnames, with the name reading.
pub const SURNAME_READINGS: &[(&str, &str)] = &[
    ("曾", "zeng"),
    ("单", "shan"),
    ("解", "xie"),
    ("仇", "qiu"),
    ("区", "ou"),
    ("查", "zha"),
    ("朴", "piao"),
    ("覃", "qin"),
    ("缪", "miao"),
    ("盖", "ge"),
    ("种", "chong"),
    ("繁", "po"),
    ("长孙", "zhangsun"),
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("诸葛", "zhuge"),
    ("上官", "shangguan"),
    ("东方", "dongfang"),
    ("慕容", "murong"),
    ("司徒", "situ"),
    ("皇甫", "huangfu"),
    ("令狐", "linghu"),
    ("夏侯", "xiahou"),
    ("尉迟", "yuchi"),
];

/// Common single-character surnames (the ~150 most frequent), used to tell a
/// personal name (张三, 欧阳娜娜) from a nickname word (天空, 追光的茉莉).
pub const COMMON_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝朴";

/// Whether a normalised text looks like a personal name: 2–4 Han characters
/// led by a compound or common surname.
pub fn is_personal_name(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    if !(2..=4).contains(&chars.len()) || !chars.iter().all(|c| is_han(*c)) {
        return false;
    }
    let compound = SURNAME_READINGS.iter().any(|(s, _)| s.chars().count() == 2 && text.starts_with(s));
    if compound {
        return chars.len() >= 3;
    }
    chars.len() <= 3 && COMMON_SURNAMES.contains(chars[0])
}

/// Most readings kept for the first character (heteronyms beyond this are rare).
const MAX_FIRST_READINGS: usize = 4;

/// Whether `c` is a Han ideograph (CJK unified, extensions, compatibility).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// The pinyin of a normalised name form: one string per reading (toneless, no
/// separators), the most likely first; and the matching initials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Readings {
    /// Full readings, e.g. `["zengfan", "cengfan"]` for 曾凡.
    pub full: Vec<String>,
    /// Initials per reading, e.g. `["zf", "cf"]`.
    pub initials: Vec<String>,
}

/// Readings of `text` (already normalised: lowercase, simplified). Han characters
/// become pinyin; ASCII letters and digits pass through; anything else is skipped.
/// `None` when the text has no Han character (Latin text is compared as is).
pub fn readings(text: &str) -> Option<Readings> {
    if !text.chars().any(is_han) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let (skip, first): (usize, Vec<&'static str>) = match SURNAME_READINGS.iter().find(|(s, _)| text.starts_with(s)) {
        Some((surname, reading)) => {
            let n = surname.chars().count();
            let mut options = vec![*reading];
            if n == 1 {
                // Keep the crate's readings too, for nicknames that merely start with the character.
                for r in heteronyms(chars[0]) {
                    if !options.contains(&r) {
                        options.push(r);
                    }
                }
            }
            (n, options)
        }
        None if is_han(chars[0]) => (1, heteronyms(chars[0])),
        None => (0, vec![""]),
    };
    let mut rest = String::new();
    let mut rest_initials = String::new();
    for &c in &chars[skip..] {
        if is_han(c) {
            if let Some(p) = c.to_pinyin() {
                rest.push_str(p.plain());
                rest_initials.push_str(&p.plain()[..1]);
            }
        } else if c.is_ascii_alphanumeric() {
            rest.push(c);
            rest_initials.push(c);
        }
    }
    let mut out = Readings::default();
    for f in first.iter().take(MAX_FIRST_READINGS) {
        let full = format!("{f}{rest}");
        let initial = if skip > 1 {
            // Compound surname: one initial per syllable of the reading is unknown; use the characters'.
            let mut s: String = chars[..skip].iter().filter_map(|c| c.to_pinyin()).map(|p| &p.plain()[..1]).collect();
            s.push_str(&rest_initials);
            s
        } else {
            format!("{}{rest_initials}", f.get(..1).unwrap_or(""))
        };
        if !out.full.contains(&full) {
            out.full.push(full);
            out.initials.push(initial);
        }
    }
    Some(out)
}

/// Every toneless reading of one character, the crate's first reading first.
fn heteronyms(c: char) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if let Some(p) = c.to_pinyin() {
        out.push(p.plain());
    }
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let r = p.plain();
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// The fuzzy-pinyin key of a toneless pinyin or Latin string: folds the IME and
/// dialect confusions zh/z, ch/c, sh/s, ang/an, eng/en, ing/in.
pub fn fuzzy_key(pinyin: &str) -> String {
    // The folds in this order, each as `str::replace` does it (leftmost, non-overlapping):
    // every fold drops the last byte of its pattern, so each pass compacts one buffer.
    let mut key = pinyin.as_bytes().to_vec();
    for pattern in [&b"zh"[..], b"ch", b"sh", b"ang", b"eng", b"ing"] {
        drop_last_byte_of_each(&mut key, pattern);
    }
    String::from_utf8(key).expect("removing an ASCII byte after an ASCII prefix keeps UTF-8")
}

/// Removes the last byte of every leftmost non-overlapping occurrence of `pattern` (ASCII).
fn drop_last_byte_of_each(buf: &mut Vec<u8>, pattern: &[u8]) {
    let (mut read, mut write) = (0, 0);
    while read < buf.len() {
        if buf[read..].starts_with(pattern) {
            buf.copy_within(read..read + pattern.len() - 1, write);
            write += pattern.len() - 1;
            read += pattern.len();
        } else {
            buf[write] = buf[read];
            write += 1;
            read += 1;
        }
    }
    buf.truncate(write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyphonic_surnames_read_as_names_first() {
        let cases = [
            ("曾凡", "zengfan"),
            ("单雄", "shanxiong"),
            ("解宝", "xiebao"),
            ("仇英", "qiuying"),
            ("区建", "oujian"),
            ("查理", "zhali"),
            ("朴灿", "piaocan"),
            ("覃斌", "qinbin"),
            ("缪斯", "miaosi"),
        ];
        for (name, want) in cases {
            let r = readings(name).unwrap();
            assert_eq!(r.full[0], want, "{name}: {:?}", r.full);
        }
        // The crate's own first reading is kept too (曾 → ceng), so a nickname like 曾经 still matches.
        assert!(readings("曾凡").unwrap().full.contains(&"cengfan".to_string()));
    }

    #[test]
    fn compound_surnames_and_initials() {
        let r = readings("欧阳娜娜").unwrap();
        assert_eq!(r.full[0], "ouyangnana");
        assert_eq!(r.initials[0], "oynn");
        let r = readings("张三").unwrap();
        assert_eq!(r.full, vec!["zhangsan"]);
        assert_eq!(r.initials, vec!["zs"]);
    }

    #[test]
    fn first_character_heteronyms_are_expanded() {
        let r = readings("乐乐").unwrap();
        assert!(r.full.iter().any(|f| f.starts_with("yue")) && r.full.iter().any(|f| f.starts_with("le")), "{r:?}");
    }

    #[test]
    fn latin_text_has_no_readings_and_mixed_text_keeps_letters() {
        assert_eq!(readings("lily"), None);
        assert_eq!(readings("lily王丽").unwrap().full[0], "lilywangli");
    }

    #[test]
    fn personal_names_are_told_from_nickname_words() {
        for n in ["张三", "李小明", "欧阳娜娜", "曾凡"] {
            assert!(is_personal_name(n), "{n}");
        }
        for n in ["天空", "追光的茉莉", "小明", "阿军狮子", "欧阳", "lily"] {
            assert!(!is_personal_name(n), "{n}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fuzzy_keys_fold_as_chained_replacements_do(text in "[zchsangeiu张é]{0,16}") {
            let chained = text
                .replace("zh", "z")
                .replace("ch", "c")
                .replace("sh", "s")
                .replace("ang", "an")
                .replace("eng", "en")
                .replace("ing", "in");
            proptest::prop_assert_eq!(fuzzy_key(&text), chained);
        }
    }

    #[test]
    fn fuzzy_keys_fold_common_confusions() {
        assert_eq!(fuzzy_key("zhangsan"), fuzzy_key("zangshan"));
        assert_eq!(fuzzy_key("chenxiaodong"), fuzzy_key("cenxiaodong"));
        assert_eq!(fuzzy_key("wangjing"), fuzzy_key("wangjin"));
        assert_ne!(fuzzy_key("zhangsan"), fuzzy_key("lisi"));
    }
}
