//! Check-in post text: strip zsxq's inline `<e …/>` markup, measure a post's
//! length the way a person counts 字数, and cut a short excerpt for evidence.
//!
//! zsxq embeds hashtags, mentions, links and bold runs as self-closing tags
//! with percent-encoded attributes:
//! `<e type="hashtag" hid="123" title="%23打卡%23" />`. Shown text replaces
//! each tag by its decoded title; the length counts only what the member wrote
//! (bold runs count, hashtags, mentions and links do not).

use std::borrow::Cow;

/// One piece of a post: plain text, or an inline element.
enum Piece<'a> {
    Text(&'a str),
    Element { kind: String, title: String },
}

/// Splits `text` into plain runs and `<e …/>` elements. Anything that looks
/// like a tag but does not close is kept as text.
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find("<e ") {
            Some(0) => match rest.find("/>") {
                Some(close) => {
                    let tag = &rest[3..close];
                    rest = &rest[close + 2..];
                    Some(Piece::Element {
                        kind: attribute(tag, "type").map(percent_decode).unwrap_or_default(),
                        title: attribute(tag, "title").map(percent_decode).unwrap_or_default(),
                    })
                }
                None => {
                    let all = rest;
                    rest = "";
                    Some(Piece::Text(all))
                }
            },
            Some(at) => {
                let (head, tail) = rest.split_at(at);
                rest = tail;
                Some(Piece::Text(head))
            }
            None => {
                let all = rest;
                rest = "";
                Some(Piece::Text(all))
            }
        }
    })
}

/// The raw value of `name="…"` inside a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut search = tag;
    loop {
        let at = search.find(name)?;
        let before_ok = at == 0 || search.as_bytes()[at - 1].is_ascii_whitespace();
        let after = &search[at + name.len()..];
        if before_ok && let Some(value) = after.strip_prefix("=\"") {
            return value.find('"').map(|end| &value[..end]);
        }
        search = after;
    }
}

/// Decodes `%XX` escapes (UTF-8); malformed escapes are kept as they are.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_value(bytes[i + 1]), hex_value(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether `text` holds any `<e …` element.
fn has_markup(text: &str) -> bool {
    let mut rest = text;
    // `find(char)` searches with memchr.
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with("<e ") {
            return true;
        }
        rest = &rest[1..];
    }
    false
}

/// The post as a reader sees it: every `<e …/>` replaced by its decoded title.
pub fn display_text(text: &str) -> Cow<'_, str> {
    if !has_markup(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Element { title, .. } => out.push_str(&title),
        }
    }
    Cow::Owned(out)
}

/// Whether a character is part of what a person counts as a written character:
/// not whitespace, and not an invisible joiner, variation selector or skin-tone
/// modifier (so an emoji sequence counts about once).
fn counts(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}')
        || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c))
}

/// What [`count_plain`] met.
#[derive(PartialEq, Eq)]
enum Scan {
    /// Counted to the end or to the cap.
    Done,
    /// Found an `<e …` element at this byte (nothing counted past it).
    Tag(usize),
}

/// Counts written characters of plain text, up to `cap`, on bytes: ASCII and
/// the lead bytes that can never start an uncounted character are decided
/// without decoding. With `stop_at_tags`, stops at the first `<e ` element.
fn count_plain(text: &str, cap: u32, n: &mut u32, stop_at_tags: bool) -> Scan {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && *n < cap {
        let b = bytes[i];
        if b < 0x80 {
            if b == b'<' && stop_at_tags && bytes[i..].starts_with(b"<e ") {
                return Scan::Tag(i);
            }
            *n += u32::from(!b.is_ascii_whitespace() && b != 0x0B);
            i += 1;
            continue;
        }
        let len = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1, // a continuation byte cannot start a char in valid UTF-8
        };
        // Whitespace and invisible characters all start with one of these bytes.
        if matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF | 0xF0) {
            if let Some(c) = text.get(i..i + len).and_then(|s| s.chars().next()) {
                *n += u32::from(counts(c));
            }
        } else {
            *n += 1;
        }
        i += len;
    }
    Scan::Done
}

/// Characters the member wrote, the way 字数 is counted: one per Chinese
/// character, letter, digit or punctuation mark, whitespace excluded. Bold
/// runs count; hashtags, mentions and links do not. Counting stops at `cap`.
pub fn written_chars_capped(text: &str, cap: u32) -> u32 {
    let mut n: u32 = 0;
    let Scan::Tag(at) = count_plain(text, cap, &mut n, true) else {
        return n;
    };
    // Everything before `at` is counted; the rest has markup.
    for piece in pieces(&text[at..]) {
        match piece {
            Piece::Text(t) => {
                count_plain(t, cap, &mut n, false);
            }
            Piece::Element { kind, title } if kind == "text_bold" => {
                count_plain(&title, cap, &mut n, false);
            }
            Piece::Element { .. } => {}
        }
    }
    n
}

/// Characters the member wrote (see [`written_chars_capped`]), uncapped.
pub fn written_chars(text: &str) -> u32 {
    written_chars_capped(text, u32::MAX)
}

/// The first `max_chars` characters of the shown text, whitespace runs folded
/// into one space, ending in `…` when something was cut.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let text = text.trim_start();
    match plain_prefix(text, max_chars) {
        Some(end) => {
            let mut out = String::with_capacity(end + 3);
            out.push_str(&text[..end]);
            if end < text.len() {
                out.push('…');
            }
            out
        }
        None => folded_excerpt(&display_text(text), max_chars),
    }
}

/// The byte length of the first `max_chars` characters when neither
/// whitespace nor markup occurs in them (and, if more follows, the next
/// character is visible); `None` otherwise. Decodes only the lead bytes that
/// can start whitespace.
fn plain_prefix(text: &str, max_chars: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut i, mut taken) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let len = match b {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let visible = match b {
            b'<' => false,
            0x00..=0x7F => !b.is_ascii_whitespace() && b != 0x0B,
            0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                text.get(i..i + len).and_then(|s| s.chars().next()).is_some_and(|c| !c.is_whitespace())
            }
            _ => true,
        };
        if !visible {
            return None;
        }
        if taken == max_chars {
            return Some(i);
        }
        taken += 1;
        i += len;
    }
    Some(bytes.len())
}

/// [`excerpt`] of shown text with whitespace to fold.
fn folded_excerpt(shown: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(shown.len().min(max_chars * 4 + 4));
    let mut taken = 0;
    let mut pending_space = false;
    for c in shown.chars() {
        if c.is_whitespace() {
            pending_space = taken > 0;
            continue;
        }
        if taken == max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        taken += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TAGGED: &str = "Day 3: wrote 500 words <e type=\"hashtag\" hid=\"123\" title=\"%23writing%23\" />";

    #[test]
    fn markup_is_replaced_by_decoded_titles() {
        assert_eq!(display_text(TAGGED), "Day 3: wrote 500 words #writing#");
        let bold = "今天<e type=\"text_bold\" title=\"%E9%87%8D%E7%82%B9\" />完成";
        assert_eq!(display_text(bold), "今天重点完成");
        // A tag that never closes stays as text.
        assert_eq!(display_text("a <e type=\"x\" b"), "a <e type=\"x\" b");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(written_chars("今天读完第三章"), 7);
        assert_eq!("今天读完第三章".len(), 21);
        assert_eq!(written_chars("ab c\n\r\t d"), 4);
        assert_eq!(written_chars("打卡，完成！"), 6);
        // Emoji sequences count about once, not per code point.
        assert_eq!(written_chars("👍🏻"), 1);
        assert_eq!(written_chars("❤️"), 1);
    }

    #[test]
    fn length_skips_hashtags_mentions_links_but_not_bold() {
        assert_eq!(written_chars(TAGGED), "Day3:wrote500words".chars().count() as u32);
        let mention = "<e type=\"mention\" uid=\"1\" title=\"%40%E5%B0%8F%E9%B1%BC\" />收到";
        assert_eq!(written_chars(mention), 2);
        let link = "看<e type=\"web\" href=\"https%3A%2F%2Fa.b\" title=\"%E9%93%BE%E6%8E%A5\" />";
        assert_eq!(written_chars(link), 1);
        let bold = "<e type=\"text_bold\" title=\"%E9%87%8D%E7%82%B9\" />";
        assert_eq!(written_chars(bold), 2);
    }

    #[test]
    fn capped_count_stops_early() {
        assert_eq!(written_chars_capped("一二三四五六", 4), 4);
        assert_eq!(written_chars_capped("一二", 4), 2);
    }

    #[test]
    fn excerpts_fold_whitespace_and_mark_cuts() {
        assert_eq!(excerpt("  今天\n\n读完  第三章 ", 20), "今天 读完 第三章");
        assert_eq!(excerpt("一二三四五六七八", 5), "一二三四五…");
        assert_eq!(excerpt("一二三四五", 5), "一二三四五");
        assert_eq!(excerpt("", 5), "");
        // Cut exactly before a tag that shows nothing: nothing visible was cut.
        assert_eq!(excerpt("一二三四五<e type=\"hashtag\" title=\"\" />", 5), "一二三四五");
        assert_eq!(excerpt("一二三四五<e type=\"hashtag\" title=\"%23a\" />", 5), "一二三四五…");
        assert_eq!(excerpt("一二三四五   ", 5), "一二三四五");
        // Spaces are not counted against the budget.
        assert_eq!(excerpt(TAGGED, 8), "Day 3: wro…");
    }

    #[test]
    fn percent_decoding_tolerates_junk() {
        assert_eq!(percent_decode("%23tag%23"), "#tag#");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    proptest! {
        #[test]
        fn plain_text_length_is_non_whitespace_chars(s in "[a-z 一-龥\\n]{0,40}") {
            let expected = s.chars().filter(|c| !c.is_whitespace()).count() as u32;
            prop_assert_eq!(written_chars(&s), expected);
        }

        #[test]
        fn byte_count_equals_the_char_rule(s in "\\PC{0,60}", cap in 0u32..80) {
            let expected = (s.chars().filter(|c| counts(*c)).count() as u32).min(cap);
            let mut n = 0;
            count_plain(&s, cap, &mut n, false);
            prop_assert_eq!(n, expected);
        }

        #[test]
        fn byte_count_handles_every_uncounted_character(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', ' ', '\n', '\u{0B}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2003}', '\u{200B}', '\u{200D}',
                '\u{2028}', '\u{202F}', '\u{2060}', '\u{3000}', '\u{FE0F}', '\u{FEFF}', '\u{1F3FB}', '👍', '中', 'é',
                '\u{E000}', '\u{1F600}', '，',
            ]), 0..40),
        ) {
            let s: String = chars.iter().collect();
            let expected = s.chars().filter(|c| counts(*c)).count() as u32;
            prop_assert_eq!(written_chars(&s), expected);
        }

        #[test]
        fn counts_agree_with_and_without_the_fast_path(
            before in "[a-z 中文，]{0,12}",
            title in "[a-z中]{0,6}",
            kind in proptest::sample::select(vec!["hashtag", "text_bold", "mention"]),
            after in "[a-z 中<]{0,12}",
            cap in 1u32..40,
        ) {
            let encoded: String = title.bytes().map(|b| format!("%{b:02X}")).collect();
            let text = format!("{before}<e type=\"{kind}\" title=\"{encoded}\" />{after}");
            let plain = |s: &str| s.chars().filter(|c| counts(*c)).count() as u32;
            let bold = if kind == "text_bold" { plain(&title) } else { 0 };
            let expected = (plain(&before) + bold + plain(&after)).min(cap);
            prop_assert_eq!(written_chars_capped(&text, cap), expected);
            // The excerpt of marked-up text is the excerpt of the shown text.
            prop_assert_eq!(excerpt(&text, 10), folded_excerpt(&display_text(&text), 10));
        }

        #[test]
        fn excerpt_never_exceeds_its_budget(s in "\\PC{0,60}", n in 1usize..30) {
            let e = excerpt(&s, n);
            let visible = e.chars().filter(|c| *c != ' ' && *c != '…').count();
            prop_assert!(visible <= n);
        }

        #[test]
        fn the_fast_excerpt_equals_the_folded_one(
            chars in proptest::collection::vec(proptest::sample::select(vec![
                'a', ' ', '\n', '\u{85}', '\u{A0}', '\u{1680}', '\u{2003}', '\u{3000}', '\u{200B}', '中', '，',
                '👍', '<', 'é',
            ]), 0..40),
            n in 1usize..20,
        ) {
            let s: String = chars.iter().collect();
            prop_assert_eq!(excerpt(&s, n), folded_excerpt(&display_text(&s), n));
        }
    }
}
