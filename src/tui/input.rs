//! A one-line text field that knows Chinese: the cursor moves by grapheme and
//! is placed by display width, so it never lands inside 张.

use unicode_segmentation::UnicodeSegmentation;

use crate::text::display_width;

/// Text plus a cursor (a byte offset on a grapheme boundary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

impl TextInput {
    /// A field holding `text`, cursor at the end.
    pub fn with_text(text: &str) -> TextInput {
        TextInput { text: text.to_string(), cursor: text.len() }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text, cursor at the end.
    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.len();
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Inserts a character at the cursor (control characters are ignored).
    pub fn insert(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Inserts pasted text as one line.
    pub fn insert_str(&mut self, s: &str) {
        let line = crate::text::single_line(s);
        let line = line.trim_end_matches(' ');
        self.text.insert_str(self.cursor, line);
        self.cursor += line.len();
    }

    /// Deletes the grapheme before the cursor.
    pub fn backspace(&mut self) {
        if let Some(prev) = self.prev_boundary() {
            self.text.replace_range(prev..self.cursor, "");
            self.cursor = prev;
        }
    }

    /// Deletes the grapheme under the cursor.
    pub fn delete(&mut self) {
        if let Some(next) = self.next_boundary() {
            self.text.replace_range(self.cursor..next, "");
        }
    }

    /// Deletes the word before the cursor (and the spaces after it).
    pub fn delete_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(' ');
        let start = trimmed.rfind(' ').map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Moves the cursor one grapheme left.
    pub fn left(&mut self) {
        if let Some(p) = self.prev_boundary() {
            self.cursor = p;
        }
    }

    /// Moves the cursor one grapheme right.
    pub fn right(&mut self) {
        if let Some(n) = self.next_boundary() {
            self.cursor = n;
        }
    }

    /// Cursor to the start.
    pub fn home(&mut self) {
        self.cursor = 0;
    }

    /// Cursor to the end.
    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Terminal cells before the cursor (where to draw it).
    pub fn cursor_width(&self) -> usize {
        display_width(&self.text[..self.cursor])
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor].grapheme_indices(true).next_back().map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..].graphemes(true).next().map(|g| self.cursor + g.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_moves_by_grapheme_and_measures_cells() {
        let mut t = TextInput::default();
        for c in "张三abc".chars() {
            t.insert(c);
        }
        assert_eq!(t.cursor_width(), 7);
        t.left();
        t.left();
        t.left();
        assert_eq!(t.cursor_width(), 4);
        t.left();
        assert_eq!(t.cursor_width(), 2);
        t.insert('小');
        assert_eq!(t.text(), "张小三abc");
        assert_eq!(t.cursor_width(), 4);
        t.backspace();
        t.backspace();
        assert_eq!(t.text(), "三abc");
        t.end();
        t.delete();
        assert_eq!(t.text(), "三abc");
        t.home();
        t.delete();
        assert_eq!(t.text(), "abc");
    }

    #[test]
    fn emoji_sequences_are_one_step() {
        let mut t = TextInput::with_text("a👨‍👩‍👧b");
        t.left();
        t.left();
        assert_eq!(t.cursor_width(), 1);
        t.right();
        t.backspace();
        assert_eq!(t.text(), "ab");
    }

    #[test]
    fn paste_is_one_line_and_words_delete() {
        let mut t = TextInput::default();
        t.insert_str("请假\n一天 \n");
        assert_eq!(t.text(), "请假 一天");
        t.delete_word();
        assert_eq!(t.text(), "请假 ");
        t.delete_word();
        assert_eq!(t.text(), "");
    }
}
