//! The TUI's own settings file, `keys.toml` next to camps.toml (or `--keys
//! FILE`): display options and key bindings.
//!
//! ```toml
//! [ui]
//! borders = "ascii"   # "unicode" (default) or "ascii"
//! colors = "none"     # "auto" (default: colours unless NO_COLOR) or "none"
//!
//! [keys]              # action = key or [keys]; see `?` in the TUI for the names
//! approve = ["a", "A"]
//! run = "ctrl-r"
//! quit = []           # unbound (still in the : palette)
//! ```
//!
//! Unknown actions, unknown options, bad keys and conflicts are warnings (the
//! TUI lists them at start); a file that is not valid TOML is an error.

use std::path::{Path, PathBuf};

use super::keymap::Keymap;
use super::theme::Borders;

/// The file's name next to camps.toml.
pub const KEYS_FILE: &str = "keys.toml";

/// What the settings file says.
#[derive(Clone, Debug)]
pub struct TuiSettings {
    /// Effective key bindings (with warnings).
    pub keymap: Keymap,
    /// Border and glyph set.
    pub borders: Borders,
    /// Whether colours may be used (NO_COLOR still wins).
    pub colors: bool,
    /// The file read, if any.
    pub path: Option<PathBuf>,
}

impl Default for TuiSettings {
    fn default() -> Self {
        TuiSettings { keymap: Keymap::default(), borders: Borders::Unicode, colors: true, path: None }
    }
}

/// Reads `explicit` (which must exist) or `keys.toml` next to `config_path`
/// (optional), or returns the defaults.
pub fn load(explicit: Option<&Path>, config_path: &Path) -> Result<TuiSettings, String> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (config_path.parent().unwrap_or(Path::new(".")).join(KEYS_FILE), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let mut s = parse(&text, &path.display().to_string())?;
            s.path = Some(path);
            Ok(s)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(TuiSettings::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Parses a settings file's text; `origin` names it in messages.
pub fn parse(text: &str, origin: &str) -> Result<TuiSettings, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let at = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        format!("{origin}{at}: {}", e.message())
    })?;
    let mut warnings = Vec::new();
    let mut borders = Borders::Unicode;
    let mut colors = true;
    let mut overrides: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("ui", toml::Value::Table(ui)) => {
                for (k, v) in ui {
                    match (k.as_str(), v.as_str()) {
                        ("borders", Some("ascii")) => borders = Borders::Ascii,
                        ("borders", Some("unicode")) => borders = Borders::Unicode,
                        ("colors", Some("none")) => colors = false,
                        ("colors", Some("auto")) => colors = true,
                        ("borders", _) => {
                            warnings.push(format!("{origin}: ui.borders: expected \"unicode\" or \"ascii\""))
                        }
                        ("colors", _) => warnings.push(format!("{origin}: ui.colors: expected \"auto\" or \"none\"")),
                        (other, _) => warnings.push(format!("{origin}: ui.{other}: unknown option (ignored)")),
                    }
                }
            }
            ("keys", toml::Value::Table(keys)) => {
                for (action, v) in keys {
                    let list = match v {
                        toml::Value::String(s) => vec![s.clone()],
                        toml::Value::Array(items) => {
                            let strings: Vec<String> =
                                items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
                            if strings.len() != items.len() {
                                warnings.push(format!("{origin}: keys.{action}: every key must be a string"));
                            }
                            strings
                        }
                        _ => {
                            warnings.push(format!("{origin}: keys.{action}: expected a key or a list of keys"));
                            continue;
                        }
                    };
                    overrides.push((action.clone(), list));
                }
            }
            (other, _) => warnings.push(format!("{origin}: `{other}`: unknown section (expected [ui] and [keys])")),
        }
    }
    let mut keymap = Keymap::with_overrides(&overrides, origin);
    warnings.append(&mut keymap.warnings);
    keymap.warnings = warnings;
    Ok(TuiSettings { keymap, borders, colors, path: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::{ActionId, Context};
    use crate::tui::keymap::KeySpec;

    #[test]
    fn reads_ui_options_and_bindings() {
        let s = parse(
            "[ui]\nborders = \"ascii\"\ncolors = \"none\"\n[keys]\napprove = [\"A\"]\nrun = \"ctrl-r\"\nquit = []\n",
            "keys.toml",
        )
        .unwrap();
        assert_eq!(s.borders, Borders::Ascii);
        assert!(!s.colors);
        assert_eq!(s.keymap.resolve(Context::Refunds, KeySpec::char('A')), Some(ActionId::Approve));
        assert_eq!(s.keymap.resolve(Context::Refunds, KeySpec::ctrl('r')), Some(ActionId::Run));
        assert!(s.keymap.keys(ActionId::Quit).is_empty());
        assert!(s.keymap.warnings.is_empty(), "{:?}", s.keymap.warnings);
    }

    #[test]
    fn warns_about_what_it_does_not_know() {
        let s =
            parse("[ui]\nborders = \"round\"\nfont = 3\n[keys]\nfly = \"f\"\nhelp = 3\n[theme]\n", "k.toml").unwrap();
        let w = s.keymap.warnings.join("\n");
        for needle in ["ui.borders", "ui.font", "unknown action `fly`", "keys.help", "`theme`"] {
            assert!(w.contains(needle), "{needle} missing in {w}");
        }
    }

    #[test]
    fn a_syntax_error_names_the_file_and_position() {
        let e = parse("[keys]\napprove = [\"a\"\n", "keys.toml").unwrap_err();
        assert!(e.starts_with("keys.toml:"), "{e}");
    }

    #[test]
    fn missing_default_file_is_fine_missing_explicit_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("camps.toml");
        assert!(load(None, &config).unwrap().path.is_none());
        assert!(load(Some(&dir.path().join("nope.toml")), &config).is_err());
        std::fs::write(dir.path().join(KEYS_FILE), "[keys]\nquit = \"Q\"\n").unwrap();
        let s = load(None, &config).unwrap();
        assert_eq!(s.keymap.resolve(Context::Global, KeySpec::char('Q')), Some(ActionId::Quit));
    }
}
