//! Drives a TUI binary inside a private tmux server: send keys, poll the
//! screen until it shows what a step expects (never a fixed sleep as the
//! assertion), dump the screen when it does not.
//!
//! The program runs under `sh -c '<cmd>; echo "exit=$?"; stty -a; echo end-of-stty; sleep 600'`,
//! so after it ends the pane shows its exit code and the terminal modes it
//! left behind (a restored terminal has `icanon` and `echo` on).
//!
//! Any binary works: `Tui::campdesk(&["--tui-fixture"])` runs the built
//! `campdesk`; `CAMPDESK_TUI_JOURNEY_CMD` replaces the program and its
//! arguments (e.g. `"target/debug/campdesk demo"`) for journeys written
//! against another data set.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long one wait may take before the step fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Whether tmux is on PATH (the journeys are skipped without it).
pub fn tmux_available() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success())
}

/// A program running in its own tmux server.
pub struct Tui {
    socket: String,
    session: String,
    dir: tempfile::TempDir,
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Tui {
    /// The built `campdesk` with `args` (or `CAMPDESK_TUI_JOURNEY_CMD`), at `width` × `height`.
    pub fn campdesk(args: &[&str], env: &[(&str, &str)], width: u16, height: u16) -> Tui {
        let program: Vec<String> = match std::env::var("CAMPDESK_TUI_JOURNEY_CMD") {
            Ok(cmd) if !cmd.trim().is_empty() => cmd.split_whitespace().map(str::to_string).collect(),
            _ => std::iter::once(env!("CARGO_BIN_EXE_campdesk").to_string())
                .chain(args.iter().map(|a| a.to_string()))
                .collect(),
        };
        Tui::start(&program, env, width, height)
    }

    /// Starts `argv` with `env` in a new tmux server and session.
    pub fn start(argv: &[String], env: &[(&str, &str)], width: u16, height: u16) -> Tui {
        let n = SERIAL.fetch_add(1, Ordering::SeqCst);
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = format!("campdesk-tui-{}-{n}", std::process::id());
        let session = format!("j{n}");
        let mut vars = vec![
            ("LANG", "C.UTF-8".to_string()),
            ("LC_ALL", "C.UTF-8".to_string()),
            ("HOME", dir.path().display().to_string()),
            ("XDG_RUNTIME_DIR", dir.path().display().to_string()),
        ];
        vars.extend(env.iter().map(|(k, v)| (*k, v.to_string())));
        let env_part: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect();
        let cmd: Vec<String> = argv.iter().map(|a| quote(a)).collect();
        let script = format!(
            "cd {dir} && env {env} {cmd}; echo \"exit=$?\"; stty -a; echo end-of-stty; sleep 600",
            dir = quote(&dir.path().display().to_string()),
            env = env_part.join(" "),
            cmd = cmd.join(" ")
        );
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-s", &session])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .arg(format!("sh -c {}", quote(&script)))
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        let tui = Tui { socket, session, dir };
        tui.tmux(&["set", "-g", "escape-time", "0"]);
        tui
    }

    /// The temporary folder the program runs in (its HOME).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the temporary folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`Enter`, `Escape`, `Tab`, `C-c`, `j`, `Space`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.session];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types `text` literally (Chinese included).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.session])
    }

    /// Polls until `pred` holds for the screen; panics with the screen after [`TIMEOUT`].
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            // A capture can land in the middle of a frame being written; only
            // a screen that satisfies the predicate and has settled counts.
            if pred(&screen) {
                std::thread::sleep(Duration::from_millis(30));
                let again = self.screen();
                if again == screen {
                    return screen;
                }
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until the screen shows `needle`.
    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |s| s.contains(needle))
    }

    /// Polls until the screen no longer shows `needle`.
    pub fn wait_gone(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?} to disappear"), |s| !s.contains(needle))
    }

    /// Resizes the window.
    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&["resize-window", "-t", &self.session, "-x", &width.to_string(), "-y", &height.to_string()]);
    }

    /// The pid of the program (the shell's child).
    pub fn program_pid(&self) -> u32 {
        let start = Instant::now();
        loop {
            let shell = self.tmux(&["display-message", "-p", "-t", &self.session, "#{pane_pid}"]);
            let shell = shell.trim().to_string();
            if !shell.is_empty() {
                let out = Command::new("pgrep").args(["-P", &shell]).output().expect("pgrep runs");
                let text = String::from_utf8_lossy(&out.stdout);
                if let Some(pid) = text.split_whitespace().next().and_then(|p| p.parse().ok()) {
                    return pid;
                }
            }
            assert!(start.elapsed() < TIMEOUT, "no child of the pane's shell ({shell:?}):\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the program to end; returns the screen with its exit code and terminal modes.
    pub fn wait_exit(&self) -> String {
        self.wait_until("the program to exit", |s| s.contains("exit=") && s.contains("end-of-stty"))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

/// Asserts the program exited with `code` and left the terminal in cooked mode with echo.
pub fn assert_restored(screen: &str, code: i32) {
    assert!(screen.contains(&format!("exit={code}")), "exit code {code} expected:\n{screen}");
    let words: Vec<&str> = screen.split_whitespace().collect();
    for mode in ["icanon", "echo", "isig"] {
        assert!(words.contains(&mode), "terminal mode {mode} not restored:\n{screen}");
    }
}
