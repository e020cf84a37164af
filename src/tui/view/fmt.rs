//! Text for times, ages, amounts and task states.

use jiff::Timestamp;

use crate::engine::{Severity, TaskState, TaskStatus};
use crate::tui::app::App;
use crate::tui::i18n::{Msg, tr, trf};
use crate::tui::theme::Role;

/// `10-25 21:15` in the app's zone.
pub fn time(app: &App, at: Timestamp) -> String {
    at.to_zoned_datetime(app.tz.clone()).strftime("%m-%d %H:%M").to_string()
}

/// `21:15:03` in the app's zone.
pub fn clock(app: &App, at: Timestamp) -> String {
    at.to_zoned_datetime(app.tz.clone()).strftime("%H:%M:%S").to_string()
}

/// `21:15` in the app's zone.
pub fn hm(app: &App, at: Timestamp) -> String {
    at.to_zoned_datetime(app.tz.clone()).strftime("%H:%M").to_string()
}

/// A short age: `40秒`, `3分钟`, `5小时`, `2天` (never negative).
pub fn age(app: &App, since: Timestamp) -> String {
    let secs = app.now.as_second().saturating_sub(since.as_second()).max(0);
    let (msg, n) = if secs < 60 {
        (Msg::AgeSeconds, secs)
    } else if secs < 3600 {
        (Msg::AgeMinutes, secs / 60)
    } else if secs < 86_400 {
        (Msg::AgeHours, secs / 3600)
    } else {
        (Msg::AgeDays, secs / 86_400)
    };
    trf(app.lang, msg, &[("n", &n.to_string())])
}

/// What a task is doing, and how loud to show it.
pub fn task_state(app: &App, t: &TaskStatus) -> (String, Role) {
    let lang = app.lang;
    let mut out = match &t.state {
        TaskState::Idle => {
            let last = match t.last_success {
                Some(at) => trf(lang, Msg::LastOk, &[("age", &age(app, at))]),
                None => tr(lang, Msg::NeverOk).to_string(),
            };
            (last, if t.last_success.is_some() { Role::Ok } else { Role::Dim })
        }
        TaskState::Running { page, pages_total, records, .. } => {
            let total = pages_total.map(|n| format!("/{n}")).unwrap_or_default();
            (
                trf(
                    lang,
                    Msg::TaskRunning,
                    &[("page", &page.to_string()), ("total", &total), ("records", &records.to_string())],
                ),
                Role::Key,
            )
        }
        TaskState::BackingOff { until, attempt, reason } => (
            trf(
                lang,
                Msg::TaskBackingOff,
                &[("until", &clock(app, *until)), ("attempt", &attempt.to_string()), ("reason", reason)],
            ),
            Role::Warn,
        ),
        TaskState::Failed { message, class, .. } => {
            (trf(lang, Msg::TaskFailed, &[("msg", &format!("[{}] {message}", class.label()))]), Role::Error)
        }
        TaskState::Disabled { reason } => (trf(lang, Msg::TaskDisabled, &[("reason", reason)]), Role::Dim),
    };
    if t.queued {
        out.0.push_str(&format!(" ({})", tr(lang, Msg::TaskQueued)));
    }
    out
}

/// How urgent a task's state is (failed first, idle last), for ordering the status bar.
pub fn task_urgency(t: &TaskStatus) -> u8 {
    match t.state {
        TaskState::Failed { .. } => 0,
        TaskState::BackingOff { .. } => 1,
        TaskState::Running { .. } => 2,
        TaskState::Idle => 3,
        TaskState::Disabled { .. } => 4,
    }
}

/// An alert's severity in words.
pub fn severity(app: &App, s: Severity) -> &'static str {
    tr(
        app.lang,
        match s {
            Severity::Info => Msg::SevInfo,
            Severity::Warning => Msg::SevWarning,
            Severity::Error => Msg::SevError,
        },
    )
}

/// The style of an alert.
pub fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Info => Role::Dim,
        Severity::Warning => Role::Warn,
        Severity::Error => Role::Error,
    }
}
