//! Colours, borders and glyphs. Colours are the 16 named ANSI colours (they
//! follow the terminal's palette, over ssh and tmux alike); with `NO_COLOR` or
//! `colors = "none"` there are none, and selection still shows through
//! REVERSED/BOLD and a `>` marker. `borders = "ascii"` swaps box drawing and
//! every other ambiguous-width glyph for ASCII.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

use crate::domain::RefundState;

/// Border and glyph set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Borders {
    /// Box drawing characters.
    #[default]
    Unicode,
    /// `+-|` and ASCII glyphs, for terminals that draw ambiguous-width characters double.
    Ascii,
}

/// What the screen may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Border and glyph set.
    pub borders: Borders,
    /// Whether colours are used.
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { borders: Borders::Unicode, color: true }
    }
}

/// What a piece of text is, for styling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Plain.
    Normal,
    /// The title bar.
    Title,
    /// The active tab.
    TabActive,
    /// Column headers and section headings.
    Header,
    /// The row under the cursor.
    Cursor,
    /// A row in the multi-selection.
    Selected,
    /// Secondary text.
    Dim,
    /// Something failed.
    Error,
    /// Needs attention.
    Warn,
    /// Fine.
    Ok,
    /// Keys in hints and help.
    Key,
    /// The focused button or field.
    Focus,
}

/// The ASCII border set.
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Theme {
    /// The theme for this environment: colours unless `NO_COLOR` is set (to
    /// anything non-empty) or `colors` is false.
    pub fn from_env(borders: Borders, colors: bool) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { borders, color: colors && !no_color }
    }

    /// Box border characters.
    pub fn border_set(&self) -> border::Set<'static> {
        match self.borders {
            Borders::Unicode => border::PLAIN,
            Borders::Ascii => ASCII_BORDER,
        }
    }

    /// Marks cut text.
    pub fn ellipsis(&self) -> &'static str {
        match self.borders {
            Borders::Unicode => "…",
            Borders::Ascii => "~",
        }
    }

    /// Separates facts in one line.
    pub fn sep(&self) -> &'static str {
        match self.borders {
            Borders::Unicode => " · ",
            Borders::Ascii => " | ",
        }
    }

    /// From → to.
    pub fn arrow(&self) -> &'static str {
        match self.borders {
            Borders::Unicode => "→",
            Borders::Ascii => "->",
        }
    }

    /// The style for `role`.
    pub fn style(&self, role: Role) -> Style {
        let base = Style::default();
        let color = |s: Style, c: Color| if self.color { s.fg(c) } else { s };
        match role {
            Role::Normal => base,
            Role::Title => color(base.add_modifier(Modifier::BOLD), Color::Cyan),
            Role::TabActive => base.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            Role::Header => color(base.add_modifier(Modifier::BOLD), Color::Blue),
            Role::Cursor => base.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            Role::Selected => color(base.add_modifier(Modifier::BOLD), Color::Yellow),
            Role::Dim => {
                if self.color {
                    base.fg(Color::DarkGray)
                } else {
                    base.add_modifier(Modifier::DIM)
                }
            }
            Role::Error => color(base.add_modifier(Modifier::BOLD), Color::Red),
            Role::Warn => color(base, Color::Yellow),
            Role::Ok => color(base, Color::Green),
            Role::Key => color(base.add_modifier(Modifier::BOLD), Color::Cyan),
            Role::Focus => base.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        }
    }

    /// The style of a refund state.
    pub fn state_style(&self, state: RefundState) -> Style {
        match state {
            RefundState::Proposed => self.style(Role::Normal),
            RefundState::Approved => self.style(Role::Key),
            RefundState::Submitted => self.style(Role::Warn),
            RefundState::Succeeded | RefundState::SettledOffline => self.style(Role::Ok),
            RefundState::Failed => self.style(Role::Error),
            RefundState::Rejected => self.style(Role::Dim),
        }
    }
}
