//! Journeys through the real binary in tmux, on the UI fixture (the hidden
//! `--tui-fixture` entry): what an owner does, start to finish, over a real
//! terminal. Skipped when tmux is not on PATH.

mod tui_harness;

use tui_harness::{Tui, assert_restored, tmux_available};

macro_rules! require_tmux {
    () => {
        if !tmux_available() {
            eprintln!("skipping: tmux is not on PATH");
            return;
        }
    };
}

#[test]
fn find_a_member_by_pinyin_open_them_copy_their_message_and_quit() {
    require_tmux!();
    let t = Tui::campdesk(&["--tui-fixture"], &[], 120, 40);
    t.wait_for("训练营工作台");
    t.wait_for("界面样例数据 (非真实)");
    t.keys(&["4"]);
    t.wait_for("已选 0 笔");
    t.keys(&["/"]);
    t.wait_for("Enter 保留");
    t.type_text("oynn");
    let s = t.wait_until("the filter to apply", |s| s.contains("/oynn") && s.contains("(1/22)"));
    assert!(s.contains("欧阳娜娜") && !s.contains("李明"), "the filter keeps only 欧阳娜娜:\n{s}");
    t.keys(&["Enter"]);
    t.wait_gone("Enter 保留");
    t.keys(&["Enter"]);
    t.wait_for("成员详情: 欧阳娜娜");
    t.keys(&["G"]);
    t.wait_for("给成员的消息");
    t.keys(&["y"]);
    t.wait_for("已复制 (OSC 52)");
    t.keys(&["Escape"]);
    t.wait_gone("成员详情: 欧阳娜娜");
    t.keys(&["q"]);
    assert_restored(&t.wait_exit(), 0);
}

#[test]
fn approve_with_confirmation_undo_it_then_run_and_watch_it_settle() {
    require_tmux!();
    let t = Tui::campdesk(&["--tui-fixture"], &[], 140, 40);
    t.wait_for("训练营工作台");
    t.keys(&["4"]);
    t.wait_for("已选 0 笔");
    // Only proposed refunds, pick one.
    t.keys(&["v"]);
    t.wait_until("the proposed filter", |s| s.contains("退款队列 (") && s.contains("/22)"));
    t.keys(&["Space"]);
    t.wait_for("已选 1 笔");
    // The confirmation starts on Cancel: Enter cancels.
    t.keys(&["a"]);
    t.wait_for("批准退款");
    t.wait_for(">[ 取消 ]");
    t.keys(&["Enter"]);
    let s = t.wait_gone("批准退款");
    assert!(s.contains("已选 1 笔") && !s.contains("完成"), "nothing was approved:\n{s}");
    // Now on purpose.
    t.keys(&["a"]);
    t.wait_for(">[ 取消 ]");
    t.keys(&["Tab"]);
    t.wait_for(">[ 确认 ]");
    t.keys(&["Enter"]);
    t.wait_for("批准 1 笔, 合计 ¥39.00: 完成");
    // Undo the approval.
    t.keys(&["u"]);
    t.wait_for("撤销: 批准 1 笔, 合计 ¥39.00: 完成");
    // Approved refunds: run one and watch it settle live.
    t.keys(&["v"]);
    t.wait_until("the approved filter", |s| {
        let states = row_states(s);
        !states.is_empty() && states.iter().all(|st| *st == "已批准")
    });
    let before = t.screen();
    let settled_before = count_after(&before, "已成功") + count_after(&before, "失败");
    t.keys(&["X"]);
    t.wait_for("执行退款 (付款)");
    t.keys(&["Tab"]);
    t.wait_for(">[ 确认 ]");
    t.keys(&["Enter"]);
    t.wait_for("执行 1 笔, 合计 ¥39.00: 完成");
    t.wait_until("the refund to settle", |s| count_after(s, "已成功") + count_after(s, "失败") == settled_before + 1);
    // A run cannot be undone, and the UI says so.
    t.keys(&["u"]);
    t.wait_for("不可撤销");
    t.keys(&["C-c"]);
    assert_restored(&t.wait_exit(), 0);
}

/// The state column of every refund row on screen.
fn row_states(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|l| l.starts_with("│> ") || l.starts_with("│  ") || l.starts_with("│ +") || l.starts_with("│>+"))
        .filter(|l| l.contains("2510-") || l.contains("2509-") || l.contains("2511-"))
        .filter_map(|l| l.get(3..).and_then(|rest| rest.trim_start_matches(['>', '+', ' ']).split_whitespace().next()))
        .collect()
}

/// The number after `label` in the state bar (`已成功 3`), 0 when absent.
fn count_after(screen: &str, label: &str) -> u32 {
    let bar = screen.lines().find(|l| l.contains("全部状态")).unwrap_or("");
    bar.split(label).nth(1).and_then(|rest| rest.split_whitespace().next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[test]
fn resize_then_sigterm_restores_the_terminal() {
    require_tmux!();
    let t = Tui::campdesk(&["--tui-fixture"], &[], 160, 48);
    t.wait_for("训练营工作台");
    t.keys(&["4"]);
    t.wait_for("执行备注");
    t.resize(60, 20);
    // The narrow layout drops the executor column.
    t.wait_until("the narrow layout", |s| s.contains("退款队列") && !s.contains("执行备注"));
    t.resize(120, 30);
    t.wait_for("执行备注");
    let pid = t.program_pid();
    let ok = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(ok.success());
    assert_restored(&t.wait_exit(), 0);
}

#[test]
fn a_panic_restores_the_terminal_and_shows_the_message() {
    require_tmux!();
    let t = Tui::campdesk(
        &["--tui-fixture"],
        &[("CAMPDESK_TUI_FIXTURE_PANIC_MS", "1500"), ("RUST_BACKTRACE", "0")],
        100,
        30,
    );
    let s = t.wait_exit();
    assert!(s.contains("deliberate panic"), "the panic message shows on the normal screen:\n{s}");
    assert!(!s.contains("exit=0"), "a panic is not a clean exit:\n{s}");
    let words: Vec<&str> = s.split_whitespace().collect();
    for mode in ["icanon", "echo"] {
        assert!(words.contains(&mode), "{mode} restored:\n{s}");
    }
}

#[test]
fn keys_file_and_english_and_ascii_borders() {
    require_tmux!();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.toml");
    std::fs::write(&keys, "[ui]\nborders = \"ascii\"\n\n[keys]\nquit = [\"Q\"]\nlaunch = \"z\"\n").unwrap();
    let keys = keys.display().to_string();
    let t = Tui::campdesk(&["--tui-fixture", "en", "--keys", &keys], &[], 120, 30);
    let s = t.wait_for("campdesk camp desk");
    assert!(s.contains("+-") && !s.contains('┌'), "ASCII borders:\n{s}");
    t.wait_for("the keys file has 1 warning(s)");
    // q no longer quits; help shows Q for quit.
    t.keys(&["q"]);
    t.keys(&["?"]);
    t.wait_for("Help: keys");
    t.type_text("quit");
    t.wait_until("quit bound to Q", |s| s.lines().any(|l| l.contains(" Q ") && l.contains("quit")));
    t.keys(&["Escape"]);
    t.wait_gone("Help: keys");
    t.keys(&["Q"]);
    assert_restored(&t.wait_exit(), 0);
}
