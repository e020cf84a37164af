//! Display-width helpers for Chinese, emoji and mixed text: measure in terminal
//! cells, cut at grapheme boundaries, never split a character.
//!
//! Widths follow ratatui's buffer exactly (a grapheme is as wide as
//! `unicode-width` says for the whole cluster; control characters take no
//! cell), so text padded here lines up with what the TUI draws.

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Terminal cells `s` occupies (CJK counts 2, ambiguous characters 1).
pub fn display_width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// Cells one grapheme cluster occupies, as ratatui's buffer counts it.
pub fn grapheme_width(g: &str) -> usize {
    if g.contains(char::is_control) {
        // ratatui drops control characters instead of drawing them.
        return 0;
    }
    if g.len() == 1 {
        return 1;
    }
    // Halfwidth (han)dakuten are Grapheme_Extend but drawn as a cell of their own.
    let marks = g.chars().filter(|c| matches!(c, '\u{FF9E}' | '\u{FF9F}')).count();
    UnicodeWidthStr::width(g) + marks
}

/// `s` cut to at most `width` cells, ending in `…` when something was cut.
pub fn truncate_to_width(s: &str, width: usize) -> String {
    truncate_with(s, width, "…")
}

/// `s` cut to at most `width` cells, ending in `ellipsis` when something was
/// cut (use an ASCII ellipsis such as `~` for terminals that draw ambiguous
/// characters double).
pub fn truncate_with(s: &str, width: usize, ellipsis: &str) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let ellipsis_w = display_width(ellipsis);
    if width < ellipsis_w || width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > width - ellipsis_w {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push_str(ellipsis);
    out
}

/// `s` truncated to `width` cells and padded with spaces to exactly `width`.
pub fn pad_to_width(s: &str, width: usize) -> String {
    fit_to_width(s, width, "…")
}

/// `s` truncated (ending in `ellipsis`) and padded with spaces to exactly `width` cells.
pub fn fit_to_width(s: &str, width: usize, ellipsis: &str) -> String {
    let mut out = truncate_with(s, width, ellipsis);
    let w = display_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// `s` right-aligned in exactly `width` cells (truncated when longer).
pub fn pad_left_to_width(s: &str, width: usize, ellipsis: &str) -> String {
    let cut = truncate_with(s, width, ellipsis);
    let w = display_width(&cut);
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(w)).collect();
    out.push_str(&cut);
    out
}

/// `s` on one line: line breaks, tabs and other control characters become
/// single spaces (remarks and posts often hold several lines).
pub fn single_line(s: &str) -> Cow<'_, str> {
    if !s.contains(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        if c.is_control() || c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    Cow::Owned(out)
}

/// `s` as safe to draw in a cell grid: one line, no emoji presentation
/// selector (VS16 makes `❤️` two cells in some terminals and one in others),
/// and emoji ZWJ sequences cut to their first emoji (terminals disagree on
/// their width too). Names from WeCom and zsxq carry all of these.
pub fn display_safe(s: &str) -> Cow<'_, str> {
    let risky = |c: char| c.is_control() || c == '\u{FE0F}' || c == '\u{200D}';
    let composed = unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes;
    if composed && !s.contains(risky) {
        return Cow::Borrowed(s);
    }
    // Decomposed text (NFD, as some exports carry) is drawn composed.
    let nfc: String =
        if composed { s.to_string() } else { unicode_normalization::UnicodeNormalization::nfc(s).collect() };
    let line = single_line(&nfc);
    let mut out = String::with_capacity(line.len());
    for g in line.graphemes(true) {
        let head = g.split('\u{200D}').next().unwrap_or(g);
        out.extend(head.chars().filter(|c| *c != '\u{FE0F}'));
    }
    Cow::Owned(out)
}

/// `s` broken into lines of at most `width` cells (later lines at most
/// `width - indent` cells, for a hanging indent). Breaks after spaces when a
/// word fits, anywhere between graphemes otherwise (Chinese has no spaces).
pub fn wrap_to_width(s: &str, width: usize, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let limit = |n: usize| if n == 0 { width.max(1) } else { width.saturating_sub(indent).max(1) };
    for word in s.split_word_bounds() {
        let w = display_width(word);
        if used + w <= limit(lines.len()) {
            line.push_str(word);
            used += w;
            continue;
        }
        if word.trim().is_empty() {
            // A space at the end of a line: break here and drop it.
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        if w <= limit(lines.len() + 1) && !line.is_empty() && w > 1 && word.is_ascii() {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
            used = w;
            continue;
        }
        for g in word.graphemes(true) {
            let gw = grapheme_width(g);
            if used + gw > limit(lines.len()) && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push_str(g);
            used += gw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn widths_of_mixed_text() {
        assert_eq!(display_width("张三"), 4);
        assert_eq!(display_width("张三abc"), 7);
        assert_eq!(display_width("🌸小美"), 6);
        assert_eq!(display_width("👨‍👩‍👧"), 2);
        assert_eq!(display_width("（）"), 4);
        assert_eq!(display_width("a\nb"), 2);
    }

    #[test]
    fn widths_agree_with_ratatui() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        for s in ["❤️ 小美", "👨‍👩‍👧abc", "①※■", "ｶﾞ", "e\u{301}", "🇨🇳 中国", "张三abc", "（李四）"]
        {
            let mut buf = Buffer::empty(Rect::new(0, 0, 40, 1));
            let (x, _) = buf.set_stringn(0, 0, s, 40, ratatui::style::Style::default());
            assert_eq!(usize::from(x), display_width(s), "{s}");
        }
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate_to_width("欧阳娜娜", 5), "欧阳…");
        assert_eq!(truncate_to_width("欧阳娜娜", 8), "欧阳娜娜");
        assert_eq!(pad_to_width("张三", 6), "张三  ");
        assert_eq!(pad_to_width("欧阳娜娜abc", 6), "欧阳… ");
        assert_eq!(truncate_with("欧阳娜娜", 5, "~"), "欧阳~");
        assert_eq!(pad_left_to_width("39.00", 8, "~"), "   39.00");
    }

    #[test]
    fn display_safe_drops_presentation_selectors_and_zwj_tails() {
        assert_eq!(display_safe("❤️ 晴天"), "❤ 晴天");
        assert_eq!(display_safe("👨‍👩‍👧三口之家"), "👨三口之家");
        assert_eq!(display_safe("第一行\n第二行"), "第一行 第二行");
        assert!(matches!(display_safe("张三abc"), Cow::Borrowed(_)));
        assert_eq!(display_width(&display_safe("❤️")), 1);
        assert_eq!(display_safe("e\u{301}milie"), "\u{e9}milie");
    }

    #[test]
    fn single_line_joins_lines() {
        assert_eq!(single_line("第一行\n第二行\t\t好"), "第一行 第二行 好");
        assert!(matches!(single_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn wrapping_respects_words_and_wide_characters() {
        assert_eq!(wrap_to_width("hello world again", 11, 0), vec!["hello world", "again"]);
        assert_eq!(wrap_to_width("今天学习了很多东西", 8, 0), vec!["今天学习", "了很多东", "西"]);
        assert_eq!(wrap_to_width("今天学习了很多东西", 8, 2), vec!["今天学习", "了很多", "东西"]);
        assert_eq!(wrap_to_width("", 8, 0), vec![""]);
    }

    proptest! {
        #[test]
        fn wrapped_lines_fit(s in "\\PC{0,60}", w in 2usize..30, indent in 0usize..2) {
            for (i, line) in wrap_to_width(&s, w, indent).iter().enumerate() {
                let limit = if i == 0 { w } else { w - indent };
                // A single grapheme wider than the limit is the only overflow allowed.
                let one_grapheme = line.graphemes(true).count() == 1;
                prop_assert!(display_width(line) <= limit || one_grapheme, "{line:?} > {limit}");
            }
        }

        #[test]
        fn padded_text_is_exactly_the_width(s in "\\PC{0,20}", w in 0usize..30) {
            let p = pad_to_width(&s, w);
            prop_assert!(display_width(&p) <= w);
            prop_assert!(display_width(&p) + 1 >= w);
        }

        #[test]
        fn fitted_text_is_exactly_the_width_with_ascii_ellipsis(s in "\\PC{0,20}", w in 0usize..30) {
            let p = fit_to_width(&s, w, "~");
            prop_assert!(display_width(&p) <= w);
            prop_assert!(display_width(&p) + 1 >= w);
        }
    }
}
