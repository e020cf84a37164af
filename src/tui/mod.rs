//! The full-screen workstation (ratatui + crossterm), built the way the good
//! terminal tools are (docs/architecture.md, `tui`):
//!
//! keys → [`router`] / [`keymap`] → [`action::Action`] → pure
//! [`update::update`] (and [`update::receive`] for replies) → [`update::Command`]s
//! run by the [`event_loop`] against a [`TuiSource`] → [`view::render`] of the
//! [`App`]. The TUI never touches redb or HTTP: the integrator implements
//! [`TuiSource`] over the service `Backend`; the engine status comes live from
//! `Backend::status_updates()`.

pub mod action;
pub mod app;
pub mod backend;
pub mod clipboard;
pub mod event_loop;
pub mod fixture;
pub mod i18n;
pub mod input;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod palette;
pub mod router;
pub mod search;
pub mod settings;
pub mod source;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tokio::sync::watch;

pub use app::{App, EngineLabel};
pub use settings::TuiSettings;
pub use source::{ActionOutcome, SourceAction, SourceError, TuiSource, UndoToken, View, ViewQuery};

use crate::config::Lang;
use crate::engine::EngineStatus;

/// How to start the TUI.
#[derive(Clone, Debug)]
pub struct TuiOptions {
    /// UI language (camps.toml `lang`).
    pub lang: Lang,
    /// Zone for showing times (camps.toml `timezone`).
    pub tz: TimeZone,
    /// keys.toml: bindings, borders, colours.
    pub settings: TuiSettings,
    /// Capture the mouse (`--mouse`).
    pub mouse: bool,
    /// Where the engine runs, for the title.
    pub engine: EngineLabel,
}

impl TuiOptions {
    /// The app these options describe, before anything is loaded.
    pub fn app(&self, now: Timestamp) -> App {
        let theme = theme::Theme::from_env(self.settings.borders, self.settings.colors);
        App::new(self.lang, self.tz.clone(), self.settings.keymap.clone(), theme, self.engine, now)
    }
}

/// Runs the TUI on `source` with live `status` until the user quits.
pub async fn run(
    source: Arc<dyn TuiSource>,
    status: watch::Receiver<EngineStatus>,
    options: TuiOptions,
) -> std::io::Result<()> {
    let app = options.app(Timestamp::now());
    event_loop::run(app, source, status, options.mouse).await
}
