//! `campdesk bench tui`: frame render time with a large refund queue, and
//! key-to-screen latency (route + update + render after a key), on the UI
//! fixture with synthetic refund rows. Rendering goes to ratatui's TestBackend,
//! so terminal I/O is not part of the figures.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{CommandError, Exit};
use crate::config::Lang;
use crate::tui::app::{App, EngineLabel, Pane};
use crate::tui::fixture::{FixtureSource, FixtureSpec, fixed_now, synthetic_refunds};
use crate::tui::keymap::Keymap;
use crate::tui::source::{View, ViewQuery};
use crate::tui::theme::Theme;
use crate::tui::update::{Command, Inbound, receive, start, update};
use crate::tui::{router, view};

/// The frame budget the brief sets.
const TARGET: Duration = Duration::from_millis(5);

pub(super) fn run(rows: usize, frames: usize) -> Result<Exit, CommandError> {
    let frames = frames.max(1);
    let now = fixed_now();
    println!("campdesk bench tui: {rows} refund rows, {frames} frames per size");
    if cfg!(debug_assertions) {
        println!("(debug build: figures are pessimistic; use `cargo run --release -- bench tui`)");
    }
    let fixture = FixtureSource::new(now, FixtureSpec::default());
    let mut app = App::new(
        Lang::Zh,
        crate::domain::time::shanghai(),
        Keymap::default(),
        Theme::default(),
        EngineLabel::Fixture,
        now,
    );
    app.size = (160, 48);
    let refunds = synthetic_refunds(rows, now);
    let mut cmds = receive(&mut app, Inbound::Status(fixture.status()));
    cmds.extend(start(&mut app));
    let mut load_time = Duration::ZERO;
    for cmd in cmds {
        if let Command::Load { query, generation } = cmd {
            let result = match &query {
                ViewQuery::Refunds(_) => Ok(View::Refunds(refunds.clone())),
                q => fixture.view(q),
            };
            let t = Instant::now();
            receive(&mut app, Inbound::Loaded { query, generation, result });
            load_time += t.elapsed();
        }
    }
    println!("load into the app (search keys, pinyin, index, totals): {}", ms(load_time));
    app.pane = Pane::Refunds;

    for (w, h) in [(160u16, 48u16), (80, 24)] {
        receive(&mut app, Inbound::Resize(w, h));
        let mut term = Terminal::new(TestBackend::new(w, h)).map_err(|e| CommandError::internal(e.to_string()))?;
        let mut times = Vec::with_capacity(frames);
        for i in 0..frames + 10 {
            // Move the cursor so every frame has something to draw.
            update(&mut app, crate::tui::action::Action::Do(crate::tui::action::ActionId::Down));
            let t = Instant::now();
            term.draw(|f| view::render(f, &app)).map_err(|e| CommandError::internal(e.to_string()))?;
            if i >= 10 {
                times.push(t.elapsed());
            }
        }
        let s = Stats::of(&mut times);
        let verdict = if s.p99 < TARGET { "within" } else { "OVER" };
        println!(
            "frame {w}x{h}, refund queue: mean {}  p50 {}  p99 {}  max {}  ({verdict} the {} target)",
            ms(s.mean),
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            ms(TARGET)
        );
    }

    receive(&mut app, Inbound::Resize(160, 48));
    let mut term = Terminal::new(TestBackend::new(160, 48)).map_err(|e| CommandError::internal(e.to_string()))?;
    let key = |code: KeyCode, m: KeyModifiers| Event::Key(KeyEvent::new(code, m));
    let none = KeyModifiers::NONE;
    let script: Vec<(&str, Event)> = vec![
        ("j", key(KeyCode::Char('j'), none)),
        ("k", key(KeyCode::Char('k'), none)),
        ("G", key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        ("g", key(KeyCode::Char('g'), none)),
        ("Ctrl-d", key(KeyCode::Char('d'), KeyModifiers::CONTROL)),
        ("Space", key(KeyCode::Char(' '), none)),
        ("* (select all)", key(KeyCode::Char('*'), none)),
        ("* (select none)", key(KeyCode::Char('*'), none)),
        ("v (state filter)", key(KeyCode::Char('v'), none)),
        ("V (all states)", key(KeyCode::Char('V'), KeyModifiers::SHIFT)),
        ("/", key(KeyCode::Char('/'), none)),
        ("z (filter)", key(KeyCode::Char('z'), none)),
        ("s (filter)", key(KeyCode::Char('s'), none)),
        ("Enter", key(KeyCode::Enter, none)),
        ("Esc (clear filter)", key(KeyCode::Esc, none)),
        ("? (help)", key(KeyCode::Char('?'), none)),
        ("Esc", key(KeyCode::Esc, none)),
        (": (palette)", key(KeyCode::Char(':'), none)),
        ("a (palette)", key(KeyCode::Char('a'), none)),
        ("Esc", key(KeyCode::Esc, none)),
        ("2 (pane)", key(KeyCode::Char('2'), none)),
        ("4 (pane)", key(KeyCode::Char('4'), none)),
    ];
    println!("key to screen at 160x48 (route + update + render), {rows} rows:");
    let mut all = Vec::new();
    for (label, ev) in &script {
        let t = Instant::now();
        if let Some(action) = router::route(&app, ev) {
            update(&mut app, action);
        }
        term.draw(|f| view::render(f, &app)).map_err(|e| CommandError::internal(e.to_string()))?;
        let d = t.elapsed();
        all.push(d);
        println!("  {label:<20} {}", ms(d));
    }
    let s = Stats::of(&mut all);
    println!("key to screen: mean {}  p50 {}  max {}", ms(s.mean), ms(s.p50), ms(s.max));
    Ok(Exit::Ok)
}

struct Stats {
    mean: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(times: &mut [Duration]) -> Stats {
        times.sort_unstable();
        let n = times.len().max(1);
        let at = |q: usize| times.get((times.len().saturating_sub(1)) * q / 100).copied().unwrap_or_default();
        Stats {
            mean: times.iter().sum::<Duration>() / u32::try_from(n).unwrap_or(1),
            p50: at(50),
            p99: at(99),
            max: times.last().copied().unwrap_or_default(),
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}
