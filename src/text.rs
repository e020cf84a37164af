//! Display-width helpers for Chinese, emoji and mixed text: measure in terminal
//! cells, cut at grapheme boundaries, never split a character.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Terminal cells `s` occupies (CJK counts 2, ambiguous characters 1).
pub fn display_width(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

fn grapheme_width(g: &str) -> usize {
    // A grapheme is drawn in one slot: its width is its widest code point, so
    // emoji sequences (ZWJ, VS16) do not count several times.
    g.chars().map(|c| UnicodeWidthStr::width(c.encode_utf8(&mut [0; 4]) as &str)).max().unwrap_or(0).min(2)
}

/// `s` cut to at most `width` cells, ending in `…` when something was cut.
pub fn truncate_to_width(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > width - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

/// `s` truncated to `width` cells and padded with spaces to exactly `width`.
pub fn pad_to_width(s: &str, width: usize) -> String {
    let mut out = truncate_to_width(s, width);
    let w = display_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
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
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(truncate_to_width("欧阳娜娜", 5), "欧阳…");
        assert_eq!(truncate_to_width("欧阳娜娜", 8), "欧阳娜娜");
        assert_eq!(pad_to_width("张三", 6), "张三  ");
        assert_eq!(pad_to_width("欧阳娜娜abc", 6), "欧阳… ");
    }

    proptest! {
        #[test]
        fn padded_text_is_exactly_the_width(s in "\\PC{0,20}", w in 0usize..30) {
            let p = pad_to_width(&s, w);
            prop_assert!(display_width(&p) <= w);
            prop_assert!(display_width(&p) + 1 >= w);
        }
    }
}
