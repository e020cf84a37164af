//! The `:` command palette: every bindable action (with its hotkey), plus
//! `scope CAMP|all` and `state NAME|all`, fuzzy-completed as you type.

use super::action::{Action, ActionId, Context};
use super::app::App;
use super::i18n::{Msg, action_desc, context_name, state_name, tr, trf};
use super::model::Scope;
use super::search::{self, SearchKey};
use crate::domain::{CampId, RefundState};

/// One line of the palette.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The command as typed (`approve`, `scope 2510-xhs`).
    pub command: String,
    /// What it does.
    pub description: String,
    /// Its keys (`a`), empty when unbound or not an action.
    pub keys: String,
    /// What Enter runs.
    pub run: Action,
    /// Whether it applies where the user is.
    pub available: bool,
}

/// The entries matching what was typed, best first. `scope ` and `state `
/// complete their argument.
pub fn entries(app: &App, typed: &str) -> Vec<Entry> {
    let typed_trim = typed.trim_start();
    if let Some(arg) = typed_trim.strip_prefix("scope ") {
        return ranked(scope_entries(app), arg);
    }
    if let Some(arg) = typed_trim.strip_prefix("state ") {
        return ranked(state_entries(app), arg);
    }
    let here = app.context();
    let mut all: Vec<Entry> = ActionId::ALL
        .iter()
        .map(|&a| Entry {
            command: a.name().to_string(),
            description: {
                let d = action_desc(app.lang, a);
                if available(a, here) {
                    d.to_string()
                } else {
                    format!(
                        "{d} {}",
                        trf(app.lang, Msg::PaletteNotHere, &[("ctx", context_name(app.lang, a.context()))])
                    )
                }
            },
            keys: app.keymap.keys_label(a),
            run: Action::Do(a),
            available: available(a, here),
        })
        .collect();
    // Actions that work here come first.
    all.sort_by_key(|e| !e.available);
    all.push(Entry {
        command: "scope ".to_string(),
        description: tr(app.lang, Msg::PaletteScopeAll).to_string(),
        keys: String::new(),
        run: Action::SetScope(Scope::All),
        available: true,
    });
    all.push(Entry {
        command: "state ".to_string(),
        description: tr(app.lang, Msg::PaletteStateAll).to_string(),
        keys: String::new(),
        run: Action::SetStateFilter(None),
        available: true,
    });
    ranked(all, typed_trim)
}

/// Whether action `a` can run in `here`.
pub fn available(a: ActionId, here: Context) -> bool {
    let ctx = a.context();
    ctx == Context::Global || ctx == here
}

fn scope_entries(app: &App) -> Vec<Entry> {
    let mut out = vec![Entry {
        command: "scope all".to_string(),
        description: tr(app.lang, Msg::PaletteScopeAll).to_string(),
        keys: app.keymap.keys_label(ActionId::ScopeAll),
        run: Action::SetScope(Scope::All),
        available: true,
    }];
    out.extend(app.camps.rows.items.iter().map(|c| Entry {
        command: format!("scope {}", c.id),
        description: trf(app.lang, Msg::PaletteScope, &[("camp", &c.name)]),
        keys: String::new(),
        run: Action::SetScope(Scope::Camp(c.id.clone())),
        available: true,
    }));
    out
}

fn state_entries(app: &App) -> Vec<Entry> {
    let mut out = vec![Entry {
        command: "state all".to_string(),
        description: tr(app.lang, Msg::PaletteStateAll).to_string(),
        keys: String::new(),
        run: Action::SetStateFilter(None),
        available: true,
    }];
    out.extend(RefundState::ALL.iter().map(|s| Entry {
        command: format!("state {}", s.as_str()),
        description: trf(app.lang, Msg::PaletteState, &[("state", state_name(app.lang, *s))]),
        keys: String::new(),
        run: Action::SetStateFilter(Some(*s)),
        available: true,
    }));
    out
}

fn ranked(entries: Vec<Entry>, typed: &str) -> Vec<Entry> {
    let keys: Vec<SearchKey> = entries.iter().map(|e| SearchKey::new(&[&e.command, &e.description], &[])).collect();
    let order = search::rank(&keys, typed.trim());
    let mut slots: Vec<Option<Entry>> = entries.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// A typed command that names no entry exactly but parses: `scope ID`, `state NAME`.
pub fn parse_exact(app: &App, typed: &str) -> Option<Result<Action, String>> {
    let t = typed.trim();
    if let Some(camp) = t.strip_prefix("scope ").map(str::trim) {
        if camp == "all" {
            return Some(Ok(Action::SetScope(Scope::All)));
        }
        let id = CampId::new(camp);
        return Some(match app.camp(&id) {
            Some(_) => Ok(Action::SetScope(Scope::Camp(id))),
            None => Err(trf(app.lang, Msg::UnknownCamp, &[("camp", camp)])),
        });
    }
    if let Some(state) = t.strip_prefix("state ").map(str::trim) {
        if state == "all" {
            return Some(Ok(Action::SetStateFilter(None)));
        }
        return Some(match RefundState::ALL.iter().find(|s| s.as_str() == state) {
            Some(s) => Ok(Action::SetStateFilter(Some(*s))),
            None => Err(trf(app.lang, Msg::UnknownState, &[("state", state)])),
        });
    }
    ActionId::from_name(t).map(|a| Ok(Action::Do(a)))
}
