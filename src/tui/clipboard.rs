//! Copy through the terminal (OSC 52): works over SSH, where no X11 or
//! Wayland clipboard exists. Inside tmux the sequence is wrapped in a DCS
//! passthrough so it reaches the outer terminal.

use crossterm::Command;
use crossterm::clipboard::CopyToClipboard;

/// The bytes that put `text` on the clipboard; `tmux` wraps them for tmux.
pub fn osc52(text: &str, tmux: bool) -> String {
    let mut seq = String::new();
    // Writing into a String cannot fail.
    let _ = CopyToClipboard::to_clipboard_from(text.as_bytes()).write_ansi(&mut seq);
    if tmux { wrap_for_tmux(&seq) } else { seq }
}

/// `seq` inside a tmux DCS passthrough (every ESC doubled).
pub fn wrap_for_tmux(seq: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

/// Whether we run inside tmux.
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn encodes_utf8_text_as_base64() {
        let seq = osc52("你好 ¥39.00", false);
        let b64 = base64::engine::general_purpose::STANDARD.encode("你好 ¥39.00");
        assert!(seq.starts_with("\x1b]52;c;"), "{seq:?}");
        assert!(seq.contains(&b64));
    }

    #[test]
    fn tmux_wrapping_doubles_escapes() {
        let seq = osc52("x", true);
        assert!(seq.starts_with("\x1bPtmux;\x1b\x1b]52;"), "{seq:?}");
        assert!(seq.ends_with("\x1b\\"));
        let inner = &seq["\x1bPtmux;".len()..seq.len() - 2];
        assert!(!inner.replace("\x1b\x1b", "").contains('\x1b'), "{inner:?}");
    }
}
