//! The one loop: a biased `select!` over shutdown signals, replies from the
//! source, terminal input, engine status and a clock tick. It feeds the pure
//! `update`/`receive`, runs the commands they return (loads and actions on
//! spawned tasks, so the screen never waits for the source), and draws only
//! when something changed, at most once per frame interval, inside
//! synchronized-output markers.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use futures_util::StreamExt;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, watch};

use super::app::{App, Level};
use super::i18n::{Msg, trf};
use super::source::TuiSource;
use super::update::{Command, Inbound, log, receive, start, update};
use super::{clipboard, router, terminal, view};
use crate::engine::{EngineStatus, TaskState};

/// The shortest time between two frames (about 10 per second: kind to slow SSH links).
pub const FRAME: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits, the terminal closes or a signal arrives.
/// `app` comes prepared (language, keymap, theme, engine label); the terminal
/// is restored on every way out.
pub async fn run(
    mut app: App,
    source: Arc<dyn TuiSource>,
    mut status: watch::Receiver<EngineStatus>,
    mouse: bool,
) -> io::Result<()> {
    let guard = terminal::enter(mouse)?;
    let mut term = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let size = term.size()?;
    app.size = (size.width, size.height);
    app.now = Timestamp::now();
    let initial = status.borrow_and_update().clone();
    let (tx, mut rx) = mpsc::channel::<Inbound>(256);
    let mut pending = receive(&mut app, Inbound::Status(initial));
    pending.extend(start(&mut app));

    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut status_alive = true;
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut minute = app.now.as_second() / 60;

    let result: io::Result<()> = loop {
        if run_commands(&mut app, std::mem::take(&mut pending), &source, &tx, &mut term, &mut dirty, mouse)? {
            break Ok(());
        }
        if app.quit {
            break Ok(());
        }
        let due = last_draw.map_or(Instant::now(), |t| t + FRAME);
        if dirty && Instant::now() >= due {
            draw(&mut term, &app)?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        tokio::select! {
            biased;
            _ = sigterm.recv() => break Ok(()),
            _ = sighup.recv() => break Ok(()),
            _ = sigint.recv() => break Ok(()),
            Some(msg) = rx.recv() => {
                pending = receive(&mut app, msg);
                dirty = true;
            }
            event = input.next() => match event {
                Some(Ok(Event::Resize(w, h))) => {
                    pending = receive(&mut app, Inbound::Resize(w, h));
                    dirty = true;
                }
                Some(Ok(ev)) => {
                    app.now = Timestamp::now();
                    if let Some(action) = router::route(&app, &ev) {
                        pending = update(&mut app, action);
                        dirty = true;
                    }
                }
                Some(Err(e)) => break Err(e),
                None => break Ok(()),
            },
            changed = status.changed(), if status_alive => match changed {
                Ok(()) => {
                    let s = status.borrow_and_update().clone();
                    pending = receive(&mut app, Inbound::Status(s));
                    dirty = true;
                }
                Err(_) => status_alive = false,
            },
            _ = tick.tick() => {
                let now = Timestamp::now();
                let had_toast = app.current_toast().is_some();
                pending = receive(&mut app, Inbound::Tick(now));
                let toast_gone = had_toast && app.current_toast().is_none();
                let busy = app.status.tasks.iter().any(|t| matches!(t.state, TaskState::Running { .. } | TaskState::BackingOff { .. }));
                let new_minute = now.as_second() / 60 != minute;
                minute = now.as_second() / 60;
                dirty |= toast_gone || busy || new_minute;
            }
            _ = tokio::time::sleep_until(due.into()), if dirty => {}
        }
    };
    drop(term);
    drop(guard);
    result
}

/// Runs commands; true when one of them is Quit.
fn run_commands(
    app: &mut App,
    cmds: Vec<Command>,
    source: &Arc<dyn TuiSource>,
    tx: &mpsc::Sender<Inbound>,
    term: &mut Terminal<CrosstermBackend<io::Stdout>>,
    dirty: &mut bool,
    mouse: bool,
) -> io::Result<bool> {
    let mut queue = cmds;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for cmd in queue {
            match cmd {
                Command::Load { query, generation } => {
                    let (src, tx) = (source.clone(), tx.clone());
                    tokio::spawn(async move {
                        let result = src.load(query.clone()).await;
                        let _ = tx.send(Inbound::Loaded { query, generation, result }).await;
                    });
                }
                Command::Perform { ticket, action } => {
                    let (src, tx) = (source.clone(), tx.clone());
                    tokio::spawn(async move {
                        let result = src.perform(action).await;
                        let _ = tx.send(Inbound::Performed { ticket, result }).await;
                    });
                }
                Command::Copy(text) => {
                    let seq = clipboard::osc52(&text, clipboard::in_tmux());
                    let out = term.backend_mut();
                    let result = out.write_all(seq.as_bytes()).and_then(|()| out.flush()).map_err(|e| e.to_string());
                    next.extend(receive(app, Inbound::Copied(result)));
                    *dirty = true;
                }
                Command::Redraw => {
                    term.clear()?;
                    *dirty = true;
                }
                Command::Suspend => {
                    let suspended = terminal::suspend(mouse);
                    term.clear()?;
                    *dirty = true;
                    if let Err(e) = suspended {
                        let text = trf(app.lang, Msg::SuspendFailed, &[("err", &e.to_string())]);
                        log(app, Level::Error, text, true);
                    }
                }
                Command::Quit => return Ok(true),
            }
        }
        queue = next;
    }
    Ok(false)
}

/// One frame inside synchronized-output markers.
fn draw(term: &mut Terminal<CrosstermBackend<io::Stdout>>, app: &App) -> io::Result<()> {
    queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|frame| view::render(frame, app))?;
    execute!(term.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
