//! Entering and leaving the full-screen terminal. One teardown path,
//! [`restore`], serves the Drop guard, the panic hook and signal exits, so the
//! shell never stays in raw mode or the alternate screen.

use std::io::{self, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute, terminal};

/// Whether the terminal is in the TUI's mode now.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();

/// Leaves the TUI mode when dropped.
#[derive(Debug)]
pub struct TerminalGuard(());

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Raw mode, alternate screen, bracketed paste, and mouse capture when asked.
/// Installs the panic hook (once) that restores the terminal before the panic
/// message prints.
pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
    enable(mouse)?;
    Ok(TerminalGuard(()))
}

fn enable(mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    let entered = execute!(out, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)
        .and_then(|()| if mouse { execute!(out, EnableMouseCapture) } else { Ok(()) });
    if let Err(e) = entered {
        restore();
        return Err(e);
    }
    Ok(())
}

/// Ctrl-Z: restores the terminal, stops the process (SIGTSTP, as the shell
/// expects), and takes the terminal again when `fg` continues it. The caller
/// redraws everything afterwards.
pub fn suspend(mouse: bool) -> io::Result<()> {
    restore();
    // SAFETY: raise() only sends a signal to the calling thread; it has no
    // memory-safety preconditions. The default action of SIGTSTP stops the
    // process; execution continues here on SIGCONT.
    let rc = unsafe { libc::raise(libc::SIGTSTP) };
    let stopped = if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) };
    enable(mouse)?;
    stopped
}

/// Puts the terminal back: ends any synchronized update, turns mouse capture
/// and bracketed paste off, leaves the alternate screen, shows the cursor and
/// leaves raw mode. Safe to call any number of times, from any thread.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = out.flush();
}
