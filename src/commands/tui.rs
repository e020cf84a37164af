//! `campdesk` with no subcommand: the full-screen workstation.

use std::io::IsTerminal;
use std::sync::Arc;

use super::{CommandError, Exit, load_config, runtime};
use crate::cli::{GlobalArgs, TuiArgs};
use crate::config::Lang;
use crate::service::{Backend, EngineMode, attach_or_start};
use crate::store::OpenedBy;
use crate::tui::fixture::{FixtureSource, FixtureSpec};
use crate::tui::{self, EngineLabel, TuiOptions, TuiSource};

/// How the TUI reads its views and performs its actions through the service.
/// `None` until the service answers the TUI's data requests; the integrator
/// wires it in this one line: `Some(|backend| Arc::new(BackendSource::new(backend)))`.
const BACKEND_SOURCE: Option<MakeSource> = Some(|backend| Arc::new(crate::tui::backend::BackendSource::new(backend)));

/// Builds the TUI's source over the service backend.
type MakeSource = fn(Arc<Backend>) -> Arc<dyn TuiSource>;

/// Env var (fixture entry only): panic this many milliseconds after start, to
/// test that the terminal is restored.
const FIXTURE_PANIC_ENV: &str = "CAMPDESK_TUI_FIXTURE_PANIC_MS";

pub(super) fn run(global: &GlobalArgs, args: &TuiArgs) -> Result<Exit, CommandError> {
    if let Some(lang) = &args.tui_fixture {
        return run_fixture(global, args, lang);
    }
    let config = load_config(global)?;
    let settings = tui::settings::load(args.keys.as_deref(), &global.config).map_err(CommandError::user)?;
    require_terminal()?;
    let _log = crate::logging::init(&global.data, false);
    runtime()?.block_on(async {
        let backend = Arc::new(attach_or_start(global, OpenedBy::Tui, true).await?);
        let result = run_on(backend.clone(), &global.data, &config, settings, args.mouse).await;
        backend.shutdown().await;
        result
    })
}

/// Runs the workstation on `backend` until the user quits. An in-process
/// engine also serves the data dir's socket meanwhile, so CLI commands and a
/// second terminal can attach to it.
pub(super) async fn run_on(
    backend: Arc<Backend>,
    data_dir: &std::path::Path,
    config: &crate::config::Config,
    settings: tui::settings::TuiSettings,
    mouse: bool,
) -> Result<Exit, CommandError> {
    let Some(make_source) = BACKEND_SOURCE else {
        return Err(CommandError::user("the workstation has no data source in this build"));
    };
    let status = backend
        .status_updates()
        .await
        .map_err(|e| CommandError::internal(format!("cannot follow the engine status: {e}")))?;
    let engine = match backend.mode() {
        EngineMode::InProcess => EngineLabel::InProcess,
        EngineMode::Attached => EngineLabel::Attached,
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let server = match &*backend {
        Backend::Local(service) => {
            // Pay approved refunds and send admin messages while the workstation runs.
            crate::service::start_payout(service, cancel.clone());
            let socket = data_dir.join(crate::rpc::SOCKET_FILE);
            match crate::rpc::serve(service.clone(), &socket, cancel.clone()).await {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!("not serving {}: {e}", socket.display());
                    None
                }
            }
        }
        Backend::Remote { .. } => None,
    };
    let options = TuiOptions { lang: config.lang, tz: config.day_rule.tz.clone(), settings, mouse, engine };
    let result = tui::run(make_source(backend.clone()), status, options).await;
    cancel.cancel();
    if let Some(h) = server {
        let _ = h.await;
    }
    result.map_err(|e| CommandError::internal(format!("terminal: {e}")))?;
    Ok(Exit::Ok)
}

/// The hidden test entry: the TUI on invented data, no config or store.
fn run_fixture(global: &GlobalArgs, args: &TuiArgs, lang: &str) -> Result<Exit, CommandError> {
    let lang = match lang {
        "zh" => Lang::Zh,
        "en" => Lang::En,
        other => return Err(CommandError::user(format!("--tui-fixture: `{other}` is not \"zh\" or \"en\""))),
    };
    let settings = tui::settings::load(args.keys.as_deref(), &global.config).map_err(CommandError::user)?;
    require_terminal()?;
    let panic_after = std::env::var(FIXTURE_PANIC_ENV).ok().and_then(|v| v.parse::<u64>().ok());
    runtime()?.block_on(async {
        let fixture = FixtureSource::new(jiff::Timestamp::now(), FixtureSpec::default());
        let status = fixture.status_updates();
        let options = TuiOptions {
            lang,
            tz: crate::domain::time::shanghai(),
            settings,
            mouse: args.mouse,
            engine: EngineLabel::Fixture,
        };
        let ui = tui::run(Arc::new(fixture), status, options);
        let result = match panic_after {
            Some(ms) => tokio::select! {
                r = ui => r,
                () = tokio::time::sleep(std::time::Duration::from_millis(ms)) => {
                    panic!("deliberate panic ({FIXTURE_PANIC_ENV}) to test terminal restore")
                }
            },
            None => ui.await,
        };
        result.map_err(|e| CommandError::internal(format!("terminal: {e}")))?;
        Ok(Exit::Ok)
    })
}

pub(super) fn require_terminal() -> Result<(), CommandError> {
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(CommandError::user(
            "the workstation needs a terminal (stdin and stdout); for scripts use a subcommand, see `campdesk --help`",
        ))
    }
}
