//! Terminal events → [`Action`]s. Overlays and text fields have fixed editing
//! keys (so typing `j` into a filter types `j`); everything else goes through
//! the configurable keymap for the current context. Ctrl-C always quits.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

use super::action::{Action, ActionId};
use super::app::{App, Overlay};
use super::keymap::KeySpec;

/// The action a terminal event means now, if any.
pub fn route(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) => route_key(app, key),
        Event::Paste(text) => app.typing().then(|| Action::Paste(text.clone())),
        Event::Mouse(m) => route_mouse(m),
        _ => None,
    }
}

/// The action a key press means now.
pub fn route_key(app: &App, key: &KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        match key.code {
            KeyCode::Char('c') => return Some(Action::Interrupt),
            KeyCode::Char('z') => return Some(Action::Suspend),
            _ => {}
        }
    }
    match &app.overlay {
        Some(Overlay::Help { .. } | Overlay::Palette { .. } | Overlay::Prompt(_) | Overlay::Picker(_)) => {
            return text_key(key);
        }
        Some(Overlay::Confirm(c)) => {
            return match key.code {
                KeyCode::Enter => Some(Action::Submit),
                KeyCode::Esc => Some(Action::Cancel),
                KeyCode::Tab | KeyCode::BackTab | KeyCode::Left | KeyCode::Right => Some(Action::Complete),
                KeyCode::Char('h' | 'l') if c.typed_required.is_none() => Some(Action::Complete),
                KeyCode::Char('q') if c.typed_required.is_none() => Some(Action::Cancel),
                KeyCode::Char(ch) if c.typed_required.is_some() && !has_ctrl_alt(key) => Some(Action::Input(ch)),
                KeyCode::Backspace => Some(Action::Backspace),
                _ => None,
            };
        }
        Some(Overlay::SyncStatus { .. } | Overlay::Messages { .. }) => {
            let spec = KeySpec::from_event(key)?;
            return match app.keymap.resolve(app.context(), spec) {
                Some(ActionId::Down) => Some(Action::OverlayDown),
                Some(ActionId::Up) => Some(Action::OverlayUp),
                Some(a) => Some(Action::Do(a)),
                None => None,
            };
        }
        None => {}
    }
    if app.typing() {
        return text_key(key);
    }
    let spec = KeySpec::from_event(key)?;
    app.keymap.resolve(app.context(), spec).map(Action::Do)
}

fn has_ctrl_alt(key: &KeyEvent) -> bool {
    key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// Keys inside a text field with a list under it.
fn text_key(key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Enter => Action::Submit,
        KeyCode::Esc => Action::Cancel,
        KeyCode::Tab => Action::Complete,
        KeyCode::Up => Action::OverlayUp,
        KeyCode::Down => Action::OverlayDown,
        KeyCode::Char('p') if ctrl => Action::OverlayUp,
        KeyCode::Char('n') if ctrl => Action::OverlayDown,
        KeyCode::Char('w') if ctrl => Action::DeleteWord,
        KeyCode::Char('e') if ctrl => Action::CursorEnd,
        KeyCode::Left => Action::CursorLeft,
        KeyCode::Right => Action::CursorRight,
        KeyCode::Home => Action::CursorHome,
        KeyCode::End => Action::CursorEnd,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Delete => Action::DeleteForward,
        KeyCode::Char(c) if !has_ctrl_alt(key) => Action::Input(c),
        _ => return None,
    })
}

/// Mouse: the wheel scrolls, a left click picks a row or tab (clicking the
/// picked row again opens it).
pub fn route_mouse(m: &MouseEvent) -> Option<Action> {
    match m.kind {
        MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
        MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => Some(Action::Click { x: m.column, y: m.row }),
        _ => None,
    }
}
