//! Keys → actions. Defaults live in code; a TOML file (`keys.toml` next to
//! camps.toml, or `--keys FILE`) overrides them per action. Help, the palette
//! and the hint line are generated from the effective map, so they always show
//! the keys that work.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{ActionId, Context};

/// One key with its modifiers, normalised so that `A` and `shift-a` are the
/// same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeySpec {
    /// The key.
    pub code: Key,
    /// Ctrl held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

/// The keys campdesk can bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// A character (case-sensitive).
    Char(char),
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// A function key.
    F(u8),
}

impl KeySpec {
    /// A plain key.
    pub const fn plain(code: Key) -> KeySpec {
        KeySpec { code, ctrl: false, alt: false }
    }

    /// A character key.
    pub const fn char(c: char) -> KeySpec {
        KeySpec::plain(Key::Char(c))
    }

    /// Ctrl + a character.
    pub const fn ctrl(c: char) -> KeySpec {
        KeySpec { code: Key::Char(c), ctrl: true, alt: false }
    }

    /// The key of a terminal key event, if campdesk can bind it.
    pub fn from_event(ev: &KeyEvent) -> Option<KeySpec> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) if ctrl => Key::Char(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => Key::BackTab,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Delete => Key::Delete,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::F(n) => Key::F(n),
            _ => return None,
        };
        Some(KeySpec { code, ctrl, alt })
    }

    /// Parses `a`, `G`, `?`, `ctrl-d`, `alt-x`, `enter`, `esc`, `space`, `tab`,
    /// `shift-tab`, `backspace`, `delete`, `up`, `down`, `left`, `right`,
    /// `home`, `end`, `pgup`, `pgdn`, `f1`…`f12`.
    pub fn parse(text: &str) -> Result<KeySpec, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty key".to_string());
        }
        let mut ctrl = false;
        let mut alt = false;
        let mut shift = false;
        let mut rest = t;
        loop {
            let lower = rest.to_ascii_lowercase();
            let cut = ["ctrl-", "c-", "alt-", "a-", "m-", "shift-", "s-"]
                .iter()
                .find(|p| lower.starts_with(**p) && rest.len() > p.len());
            match cut {
                Some(p) => {
                    match *p {
                        "ctrl-" | "c-" => ctrl = true,
                        "alt-" | "a-" | "m-" => alt = true,
                        _ => shift = true,
                    }
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if ctrl {
                    Key::Char(c.to_ascii_lowercase())
                } else if shift {
                    Key::Char(c.to_ascii_uppercase())
                } else {
                    Key::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => Key::Enter,
                "esc" | "escape" => Key::Esc,
                "space" | "spc" => Key::Char(' '),
                "tab" if shift => Key::BackTab,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "backspace" | "bs" => Key::Backspace,
                "delete" | "del" => Key::Delete,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "home" => Key::Home,
                "end" => Key::End,
                "pgup" | "pageup" => Key::PageUp,
                "pgdn" | "pgdown" | "pagedown" => Key::PageDown,
                "minus" => Key::Char('-'),
                "plus" => Key::Char('+'),
                other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n @ 1..=12) => Key::F(n),
                    _ => return Err(format!("`{t}` is not a key (examples: a, G, ctrl-d, enter, pgdn, f1)")),
                },
            },
        };
        Ok(KeySpec { code, ctrl, alt })
    }
}

impl fmt::Display for KeySpec {
    /// `a`, `G`, `Ctrl-d`, `Enter`, `S-Tab`, `PgDn`, `Space`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.code {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::Tab => f.write_str("Tab"),
            Key::BackTab => f.write_str("S-Tab"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Delete => f.write_str("Del"),
            Key::Up => f.write_str("Up"),
            Key::Down => f.write_str("Down"),
            Key::Left => f.write_str("Left"),
            Key::Right => f.write_str("Right"),
            Key::Home => f.write_str("Home"),
            Key::End => f.write_str("End"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
            Key::F(n) => write!(f, "F{n}"),
        }
    }
}

/// The built-in bindings. None uses Ctrl-a, Ctrl-b, Ctrl-s or Ctrl-q (tmux
/// prefixes and terminal flow control).
pub fn default_bindings() -> Vec<(ActionId, Vec<KeySpec>)> {
    use ActionId::*;
    use Key as K;
    let c = KeySpec::char;
    let p = KeySpec::plain;
    vec![
        (Quit, vec![c('q')]),
        (Help, vec![c('?'), p(K::F(1))]),
        (Palette, vec![c(':')]),
        (Filter, vec![c('/')]),
        (NextPane, vec![p(K::Tab)]),
        (PrevPane, vec![p(K::BackTab)]),
        (PaneCamps, vec![c('1')]),
        (PaneReview, vec![c('2')]),
        (PaneItems, vec![c('3')]),
        (PaneRefunds, vec![c('4')]),
        (PaneReports, vec![c('5')]),
        (Up, vec![c('k'), p(K::Up)]),
        (Down, vec![c('j'), p(K::Down)]),
        (Top, vec![c('g'), p(K::Home)]),
        (Bottom, vec![c('G'), p(K::End)]),
        (HalfPageDown, vec![KeySpec::ctrl('d')]),
        (HalfPageUp, vec![KeySpec::ctrl('u')]),
        (PageDown, vec![p(K::PageDown)]),
        (PageUp, vec![p(K::PageUp)]),
        (Left, vec![c('h'), p(K::Left)]),
        (Right, vec![c('l'), p(K::Right)]),
        (Open, vec![p(K::Enter)]),
        (Back, vec![p(K::Esc)]),
        (ToggleSelect, vec![c(' ')]),
        (SyncNow, vec![c('s')]),
        (SyncStatus, vec![c('S')]),
        (Undo, vec![c('u')]),
        (Copy, vec![c('y')]),
        (Messages, vec![c('L')]),
        (ScopeAll, vec![c('0')]),
        (Refresh, vec![KeySpec::ctrl('l')]),
        (Link, vec![c('m')]),
        (RejectCandidate, vec![c('x')]),
        (SearchPlanet, vec![c('f')]),
        (Pass, vec![c('p')]),
        (Fail, vec![c('f')]),
        (Excuse, vec![c('e')]),
        (SelectAll, vec![c('*')]),
        (Approve, vec![c('a')]),
        (Reject, vec![c('r')]),
        (Run, vec![c('X')]),
        (Retry, vec![c('t')]),
        (SettleOffline, vec![c('o')]),
        (StateNext, vec![c('v')]),
        (StatePrev, vec![c('V')]),
        (Unlink, vec![c('U')]),
        (Evidence, vec![c('E')]),
    ]
}

/// Whether actions of contexts `a` and `b` can both see one key press.
fn overlapping(a: Context, b: Context) -> bool {
    a == b || a == Context::Global || b == Context::Global
}

/// The effective bindings, plus what loading the file had to say.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: BTreeMap<ActionId, Vec<KeySpec>>,
    /// Problems found in the keys file (unknown actions, bad keys, conflicts).
    pub warnings: Vec<String>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap { bindings: default_bindings().into_iter().collect(), warnings: Vec::new() }
    }
}

impl Keymap {
    /// The defaults overridden by `overrides` (action name → keys, in file
    /// order). `origin` names the file in warnings. A key the file gives to one
    /// action is taken away from any default action that could see it too.
    pub fn with_overrides(overrides: &[(String, Vec<String>)], origin: &str) -> Keymap {
        let mut map = Keymap::default();
        let mut from_file: Vec<ActionId> = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = ActionId::from_name(name) else {
                map.warnings.push(format!("{origin}: unknown action `{name}` (ignored)"));
                continue;
            };
            let mut parsed = Vec::new();
            for k in keys {
                match KeySpec::parse(k) {
                    Ok(spec) if !parsed.contains(&spec) => parsed.push(spec),
                    Ok(_) => {}
                    Err(e) => map.warnings.push(format!("{origin}: {name}: {e}")),
                }
            }
            map.bindings.insert(action, parsed);
            if !from_file.contains(&action) {
                from_file.push(action);
            }
        }
        // File bindings win over defaults; between two file bindings, the first wins.
        for (i, &action) in from_file.iter().enumerate() {
            let keys = map.bindings.get(&action).cloned().unwrap_or_default();
            for key in keys {
                let holders: Vec<ActionId> = map
                    .bindings
                    .iter()
                    .filter(|(other, ks)| {
                        **other != action && overlapping(action.context(), other.context()) && ks.contains(&key)
                    })
                    .map(|(other, _)| *other)
                    .collect();
                for other in holders {
                    let other_from_file = from_file.iter().position(|a| *a == other);
                    let (loser, winner) = match other_from_file {
                        Some(j) if j < i => (action, other),
                        _ => (other, action),
                    };
                    if let Some(ks) = map.bindings.get_mut(&loser) {
                        ks.retain(|k| *k != key);
                    }
                    map.warnings.push(format!(
                        "{origin}: key {key} is bound to both `{}` and `{}`; `{}` keeps it",
                        winner.name(),
                        loser.name(),
                        winner.name()
                    ));
                }
            }
        }
        map
    }

    /// The keys of `action` (empty when unbound).
    pub fn keys(&self, action: ActionId) -> &[KeySpec] {
        self.bindings.get(&action).map_or(&[], Vec::as_slice)
    }

    /// The keys of `action` for display: `j/Down`, or empty.
    pub fn keys_label(&self, action: ActionId) -> String {
        self.keys(action).iter().map(ToString::to_string).collect::<Vec<_>>().join("/")
    }

    /// The first key of `action` for hints.
    pub fn first_key(&self, action: ActionId) -> Option<KeySpec> {
        self.keys(action).first().copied()
    }

    /// The action `key` triggers in `context` (pane bindings before global ones).
    pub fn resolve(&self, context: Context, key: KeySpec) -> Option<ActionId> {
        let find = |ctx: Context| {
            self.bindings.iter().find(|(a, ks)| a.context() == ctx && ks.contains(&key)).map(|(a, _)| *a)
        };
        if context != Context::Global
            && let Some(a) = find(context)
        {
            return Some(a);
        }
        find(Context::Global)
    }

    /// Pairs of actions that share a key where both can see it (empty for a
    /// consistent map).
    pub fn conflicts(&self) -> Vec<(KeySpec, ActionId, ActionId)> {
        let mut out = Vec::new();
        let all: Vec<(&ActionId, &Vec<KeySpec>)> = self.bindings.iter().collect();
        for (i, (a, ka)) in all.iter().enumerate() {
            for (b, kb) in &all[i + 1..] {
                if !overlapping(a.context(), b.context()) {
                    continue;
                }
                for k in ka.iter() {
                    if kb.contains(k) {
                        out.push((*k, **a, **b));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn parses_and_prints_keys() {
        for (text, shown) in [
            ("a", "a"),
            ("G", "G"),
            ("shift-g", "G"),
            ("ctrl-d", "Ctrl-d"),
            ("C-D", "Ctrl-d"),
            ("alt-x", "Alt-x"),
            ("enter", "Enter"),
            ("space", "Space"),
            ("shift-tab", "S-Tab"),
            ("pgdn", "PgDn"),
            ("f1", "F1"),
            ("?", "?"),
            ("-", "-"),
        ] {
            assert_eq!(KeySpec::parse(text).map(|k| k.to_string()), Ok(shown.to_string()), "{text}");
        }
        assert_eq!(KeySpec::parse("ctrl-minus"), Ok(KeySpec::ctrl('-')));
        assert!(KeySpec::parse("ctrl-").is_err());
        assert!(KeySpec::parse("hyper-x").is_err());
        assert!(KeySpec::parse("f13").is_err());
        assert!(KeySpec::parse("").is_err());
    }

    #[test]
    fn events_normalise_shift_and_ctrl() {
        assert_eq!(KeySpec::from_event(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(KeySpec::char('G')));
        assert_eq!(KeySpec::from_event(&ev(KeyCode::Char('D'), KeyModifiers::CONTROL)), Some(KeySpec::ctrl('d')));
        assert_eq!(KeySpec::from_event(&ev(KeyCode::Tab, KeyModifiers::SHIFT)), Some(KeySpec::plain(Key::BackTab)));
    }

    #[test]
    fn defaults_have_no_conflicts_and_spare_terminal_prefixes() {
        let map = Keymap::default();
        assert_eq!(map.conflicts(), vec![]);
        for c in ['a', 'b', 's', 'q'] {
            for (action, keys) in default_bindings() {
                assert!(!keys.contains(&KeySpec::ctrl(c)), "{} is bound to Ctrl-{c}", action.name());
            }
        }
        for &action in ActionId::ALL {
            assert!(!map.keys(action).is_empty(), "{} has no default key", action.name());
        }
    }

    #[test]
    fn pane_bindings_shadow_nothing_global_and_resolve_by_context() {
        let map = Keymap::default();
        assert_eq!(map.resolve(Context::Refunds, KeySpec::char('a')), Some(ActionId::Approve));
        assert_eq!(map.resolve(Context::Camps, KeySpec::char('a')), None);
        assert_eq!(map.resolve(Context::Items, KeySpec::char('f')), Some(ActionId::Fail));
        assert_eq!(map.resolve(Context::Review, KeySpec::char('f')), Some(ActionId::SearchPlanet));
        assert_eq!(map.resolve(Context::Refunds, KeySpec::char('j')), Some(ActionId::Down));
    }

    #[test]
    fn file_overrides_replace_defaults_and_warn_about_conflicts_and_unknowns() {
        let overrides = vec![
            ("approve".to_string(), vec!["A".to_string(), "enter".to_string()]),
            ("launch_rockets".to_string(), vec!["z".to_string()]),
            ("quit".to_string(), vec!["Q".to_string(), "hyper-q".to_string()]),
        ];
        let map = Keymap::with_overrides(&overrides, "keys.toml");
        assert_eq!(map.resolve(Context::Refunds, KeySpec::char('A')), Some(ActionId::Approve));
        assert_eq!(map.resolve(Context::Refunds, KeySpec::char('a')), None, "the default key is replaced");
        // Enter now approves in the refund queue, and `open` lost Enter there…
        assert_eq!(map.resolve(Context::Refunds, KeySpec::plain(Key::Enter)), Some(ActionId::Approve));
        assert!(!map.keys(ActionId::Open).contains(&KeySpec::plain(Key::Enter)));
        assert_eq!(map.resolve(Context::Global, KeySpec::char('Q')), Some(ActionId::Quit));
        assert_eq!(map.resolve(Context::Global, KeySpec::char('q')), None);
        assert!(map.warnings.iter().any(|w| w.contains("unknown action `launch_rockets`")), "{:?}", map.warnings);
        assert!(map.warnings.iter().any(|w| w.contains("hyper-q")), "{:?}", map.warnings);
        assert!(
            map.warnings.iter().any(|w| w.contains("Enter") && w.contains("`approve`") && w.contains("`open`")),
            "{:?}",
            map.warnings
        );
        assert_eq!(map.conflicts(), vec![]);
    }

    #[test]
    fn between_two_file_bindings_the_first_wins() {
        let overrides = vec![("pass".to_string(), vec!["z".to_string()]), ("fail".to_string(), vec!["z".to_string()])];
        let map = Keymap::with_overrides(&overrides, "k.toml");
        assert_eq!(map.resolve(Context::Items, KeySpec::char('z')), Some(ActionId::Pass));
        assert!(map.keys(ActionId::Fail).is_empty());
        assert_eq!(map.warnings.len(), 1, "{:?}", map.warnings);
    }
}
