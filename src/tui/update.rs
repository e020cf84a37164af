//! The pure heart of the TUI: [`update`] applies a user [`Action`],
//! [`receive`] applies what came back from the source, the engine or the
//! terminal. Both change the [`App`] and return [`Command`]s for the loop to
//! run; neither does I/O or awaits, so every behaviour is testable without a
//! terminal.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::action::{Action, ActionId};
use super::app::{
    App, Confirm, InFlight, Level, LogEntry, Overlay, Pane, PersonPage, Picker, Prompt, PromptNext, ReviewFocus,
    TOAST_SECONDS, UndoEntry, scroll_offset,
};
use super::i18n::{Msg, action_desc, context_name, decision_name, state_name, tr, trf};
use super::input::TextInput;
use super::layout;
use super::model::{CandidateRef, DayMark, ItemDecision, RefundRow, Scope};
use super::palette;
use super::search::{self, SearchKey};
use super::source::{ActionOutcome, SourceAction, SourceError, View, ViewQuery};
use crate::domain::{CampId, Money, RefundId, RefundState};
use crate::engine::EngineStatus;

/// Work for the event loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Load a view; the reply carries `generation` back.
    Load {
        /// What.
        query: ViewQuery,
        /// Tag to drop stale replies.
        generation: u64,
    },
    /// Perform an action; the reply carries `ticket` back.
    Perform {
        /// Tag of the in-flight entry.
        ticket: u64,
        /// What.
        action: SourceAction,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Clear the terminal and draw everything again.
    Redraw,
    /// Stop the process until the shell resumes it (job control).
    Suspend,
    /// Leave.
    Quit,
}

/// What reaches the app besides key presses.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    /// A load finished.
    Loaded {
        /// What was asked.
        query: ViewQuery,
        /// Its tag.
        generation: u64,
        /// The view or why not.
        result: Result<View, SourceError>,
    },
    /// An action finished.
    Performed {
        /// Its tag.
        ticket: u64,
        /// The outcome or why not.
        result: Result<ActionOutcome, SourceError>,
    },
    /// The engine's status changed.
    Status(EngineStatus),
    /// The clipboard write went out (or failed).
    Copied(Result<(), String>),
    /// The terminal changed size.
    Resize(u16, u16),
    /// The clock moved (ages, toasts).
    Tick(Timestamp),
}

/// The commands that fill every pane at start.
pub fn start(app: &mut App) -> Vec<Command> {
    let mut cmds = Vec::new();
    if !app.keymap.warnings.is_empty() {
        for w in app.keymap.warnings.clone() {
            log(app, Level::Warn, w, false);
        }
        let n = app.keymap.warnings.len().to_string();
        let key = super::view::key_of(app, ActionId::Messages);
        let text = trf(app.lang, Msg::Keyfile, &[("n", &n), ("key", &key)]);
        log(app, Level::Warn, text, true);
    }
    reload_all(app, &mut cmds);
    cmds
}

/// Applies a user action.
pub fn update(app: &mut App, action: Action) -> Vec<Command> {
    let mut cmds = Vec::new();
    if action == Action::Interrupt {
        app.quit = true;
        cmds.push(Command::Quit);
    } else if action == Action::Suspend {
        cmds.push(Command::Suspend);
    } else if app.overlay.is_some() {
        overlay_update(app, action, &mut cmds);
    } else if app.person.is_none() && app.list().filtering {
        filter_update(app, action);
    } else {
        main_update(app, action, &mut cmds);
    }
    cmds
}

/// Applies something that came back from the source, the engine or the terminal.
pub fn receive(app: &mut App, inbound: Inbound) -> Vec<Command> {
    let mut cmds = Vec::new();
    match inbound {
        Inbound::Loaded { query, generation, result } => loaded(app, query, generation, result, &mut cmds),
        Inbound::Performed { ticket, result } => performed(app, ticket, result, &mut cmds),
        Inbound::Status(status) => {
            let changed = app.data_version.is_some_and(|v| v != status.data_version);
            app.data_version = Some(status.data_version);
            app.status = status;
            if changed {
                reload_all(app, &mut cmds);
            }
        }
        Inbound::Copied(Ok(())) => {
            let text = tr(app.lang, Msg::Copied).to_string();
            log(app, Level::Info, text, true);
        }
        Inbound::Copied(Err(e)) => {
            let text = trf(app.lang, Msg::CopyFailed, &[("err", &e)]);
            log(app, Level::Error, text, true);
        }
        Inbound::Resize(w, h) => {
            app.size = (w, h);
            for pane in Pane::ALL {
                let height = layout::list_height(app, pane);
                list_of(app, pane).ensure_visible(height);
            }
        }
        Inbound::Tick(now) => app.now = now,
    }
    cmds
}

// ---------------------------------------------------------------- main keys

fn main_update(app: &mut App, action: Action, cmds: &mut Vec<Command>) {
    match action {
        Action::Do(id) => do_action(app, id, cmds),
        Action::SetScope(scope) => set_scope(app, scope, cmds),
        Action::SetStateFilter(state) => {
            app.refunds.state = state;
            recompute_refunds(app);
        }
        Action::Scroll(n) => move_cursor(app, isize::from(n)),
        Action::Click { x, y } => click(app, x, y, cmds),
        _ => {}
    }
}

fn do_action(app: &mut App, id: ActionId, cmds: &mut Vec<Command>) {
    let here = app.context();
    if !palette::available(id, here) {
        let text = trf(
            app.lang,
            Msg::NotHere,
            &[("action", action_desc(app.lang, id)), ("ctx", context_name(app.lang, id.context()))],
        );
        log(app, Level::Warn, text, true);
        return;
    }
    use ActionId::*;
    match id {
        Quit => {
            app.quit = true;
            cmds.push(Command::Quit);
        }
        Help => app.overlay = Some(Overlay::Help { input: TextInput::default(), scroll: 0 }),
        Palette => app.overlay = Some(Overlay::Palette { input: TextInput::default(), cursor: 0 }),
        Filter => {
            if app.person.is_none() {
                app.list_mut().filtering = true;
            }
        }
        NextPane | PrevPane | PaneCamps | PaneReview | PaneItems | PaneRefunds | PaneReports => {
            let target = match id {
                NextPane => Pane::ALL[(app.pane.index() + 1) % Pane::ALL.len()],
                PrevPane => Pane::ALL[(app.pane.index() + Pane::ALL.len() - 1) % Pane::ALL.len()],
                PaneCamps => Pane::Camps,
                PaneReview => Pane::Review,
                PaneItems => Pane::Items,
                PaneReports => Pane::Reports,
                _ => Pane::Refunds,
            };
            app.person = None;
            app.pane = target;
        }
        Up => move_cursor(app, -1),
        Down => move_cursor(app, 1),
        Top => move_cursor(app, isize::MIN / 2),
        Bottom => move_cursor(app, isize::MAX / 2),
        HalfPageDown => move_cursor(app, page(app) / 2),
        HalfPageUp => move_cursor(app, -(page(app) / 2)),
        PageDown => move_cursor(app, page(app)),
        PageUp => move_cursor(app, -page(app)),
        Left => sideways(app, -1),
        Right => sideways(app, 1),
        Open => open(app, cmds),
        Back => back(app),
        ToggleSelect => toggle_select(app),
        SelectAll => select_all(app),
        SyncNow => {
            let label = tr(app.lang, Msg::SyncQueued).to_string();
            perform(app, SourceAction::SyncNow(app.scope.camp().cloned()), label, Vec::new(), cmds);
        }
        SyncStatus => app.overlay = Some(Overlay::SyncStatus { scroll: 0 }),
        Messages => app.overlay = Some(Overlay::Messages { scroll: app.log.len().saturating_sub(1) }),
        Undo => undo(app, cmds),
        Copy => copy(app, cmds),
        ScopeAll => set_scope(app, Scope::All, cmds),
        Refresh => {
            cmds.push(Command::Redraw);
            reload_all(app, cmds);
        }
        Link | RejectCandidate => review_decide(app, id, cmds),
        SearchPlanet => search_planet(app, cmds),
        Pass | Fail | Excuse => item_prompt(app, id),
        Approve | Reject | Run | Retry | SettleOffline => refund_action(app, id),
        StateNext | StatePrev => {
            let order: Vec<Option<RefundState>> = std::iter::once(None).chain(STATE_ORDER.map(Some)).collect();
            let at = order.iter().position(|s| *s == app.refunds.state).unwrap_or(0);
            let next = if id == StateNext { (at + 1) % order.len() } else { (at + order.len() - 1) % order.len() };
            app.refunds.state = order[next];
            recompute_refunds(app);
        }
        Unlink => unlink(app, cmds),
        Evidence => evidence(app, cmds),
    }
}

/// The state filter cycle after "all".
const STATE_ORDER: [RefundState; 7] = [
    RefundState::Proposed,
    RefundState::Approved,
    RefundState::Submitted,
    RefundState::Failed,
    RefundState::Succeeded,
    RefundState::Rejected,
    RefundState::SettledOffline,
];

fn page(app: &App) -> isize {
    let rows = if app.person.is_some() { layout::person_height(app) } else { layout::list_height(app, app.pane) };
    isize::try_from(rows).unwrap_or(1).max(2)
}

fn move_cursor(app: &mut App, delta: isize) {
    if let Some(p) = &app.person {
        let max = super::view::person::line_count(app, p).saturating_sub(layout::person_height(app));
        if let Some(p) = &mut app.person {
            p.scroll = p.scroll.saturating_add_signed(delta).min(max);
        }
        return;
    }
    if app.pane == Pane::Review && app.review.focus == ReviewFocus::Candidates {
        let n = current_card(app).map_or(0, |c| c.candidate_count());
        app.review.candidate = app.review.candidate.saturating_add_signed(delta).min(n.saturating_sub(1));
        return;
    }
    let height = layout::list_height(app, app.pane);
    let list = app.list_mut();
    list.move_by(delta);
    list.ensure_visible(height);
    after_cursor_move(app);
}

/// Resets per-row sub-cursors when the row changes.
fn after_cursor_move(app: &mut App) {
    match app.pane {
        Pane::Review => app.review.candidate = 0,
        Pane::Items => app.items.day = default_day(app),
        _ => {}
    }
}

/// The first missed day of the current item (the usual one to excuse), else day 0.
fn default_day(app: &App) -> usize {
    current_item(app).and_then(|it| it.days.iter().position(|d| d.mark == DayMark::Missed)).unwrap_or(0)
}

fn sideways(app: &mut App, dir: isize) {
    if let Some(p) = &mut app.person {
        let n = p.detail.as_ref().map_or(0, |d| d.links.len());
        p.link = p.link.saturating_add_signed(dir).min(n.saturating_sub(1));
        return;
    }
    match app.pane {
        Pane::Review => {
            app.review.focus = if dir < 0 { ReviewFocus::Cards } else { ReviewFocus::Candidates };
        }
        Pane::Items => {
            let n = current_item(app).map_or(0, |i| i.days.len());
            app.items.day = app.items.day.saturating_add_signed(dir).min(n.saturating_sub(1));
        }
        _ => {}
    }
}

fn open(app: &mut App, cmds: &mut Vec<Command>) {
    match app.pane {
        Pane::Reports => {
            let Some(pos) = app.reports.list.current() else { return };
            let scope = match pos.checked_sub(1).and_then(|i| app.reports.rows.items.get(i)) {
                Some(c) => Scope::Camp(c.id.clone()),
                None => Scope::All,
            };
            set_scope(app, scope, cmds);
        }
        Pane::Camps => {
            let Some(pos) = app.camps.list.current() else { return };
            let scope = if pos == 0 {
                Scope::All
            } else {
                match app.camps.rows.items.get(pos - 1) {
                    Some(c) => Scope::Camp(c.id.clone()),
                    None => return,
                }
            };
            set_scope(app, scope, cmds);
        }
        _ => {
            let target = match app.pane {
                Pane::Review => current_card(app).map(|c| {
                    let person = super::model::PersonRef {
                        camp: c.payment.camp.clone(),
                        transaction_id: Some(c.payment.transaction_id.clone()),
                        planet_user_id: None,
                        external_userid: c.payment.external_userid.clone(),
                    };
                    (person, c.payment.payer_name.clone().unwrap_or_else(|| c.payment.transaction_id.to_string()))
                }),
                Pane::Items => current_item(app).map(|i| (i.person.clone(), i.name.clone())),
                Pane::Refunds => current_refund(app).map(|r| (r.person.clone(), r.name.clone())),
                Pane::Camps | Pane::Reports => None,
            };
            let Some((person, title)) = target else {
                let text = tr(app.lang, Msg::NoRow).to_string();
                log(app, Level::Info, text, true);
                return;
            };
            let generation = app.next_id();
            app.person = Some(PersonPage {
                person: person.clone(),
                title,
                detail: None,
                loading: true,
                error: None,
                scroll: 0,
                link: 0,
                generation,
            });
            cmds.push(Command::Load { query: ViewQuery::Person(person), generation });
        }
    }
}

fn back(app: &mut App) {
    if app.current_toast().is_some_and(|t| t.level == Level::Error) {
        app.toast = None;
        return;
    }
    if app.person.is_some() {
        app.person = None;
        return;
    }
    if app.pane == Pane::Review && app.review.focus == ReviewFocus::Candidates {
        app.review.focus = ReviewFocus::Cards;
        return;
    }
    if !app.list().filter.is_empty() {
        app.list_mut().filter.clear();
        recompute(app, app.pane);
        return;
    }
    if app.pane == Pane::Refunds && !app.refunds.selected.is_empty() {
        app.refunds.selected.clear();
        return;
    }
    app.toast = None;
}

fn set_scope(app: &mut App, scope: Scope, cmds: &mut Vec<Command>) {
    if scope != app.scope {
        app.scope = scope;
        app.refunds.selected.clear();
        for pane in [Pane::Review, Pane::Items, Pane::Refunds, Pane::Reports] {
            load_pane(app, pane, cmds);
        }
    }
    let name = match &app.scope {
        Scope::All => tr(app.lang, Msg::AllCamps).to_string(),
        Scope::Camp(c) => c.to_string(),
    };
    let text = trf(app.lang, Msg::ScopeSet, &[("scope", &name)]);
    log(app, Level::Info, text, true);
}

fn toggle_select(app: &mut App) {
    if app.person.is_some() || app.pane != Pane::Refunds {
        return;
    }
    let Some(i) = app.refunds.list.current() else { return };
    let amount = app.refunds.rows.items[i].amount;
    let on = !app.refunds.selected.contains(i);
    app.refunds.selected.set(i, on, amount);
    move_cursor(app, 1);
}

fn select_all(app: &mut App) {
    let r = &mut app.refunds;
    let all_selected = !r.list.visible.is_empty() && r.list.visible.iter().all(|&i| r.selected.contains(i));
    for &i in &r.list.visible {
        r.selected.set(i, !all_selected, r.rows.items[i].amount);
    }
}

fn add(a: Money, b: Money) -> Money {
    a.checked_add(b).unwrap_or(Money::from_fen(i64::MAX))
}

fn undo(app: &mut App, cmds: &mut Vec<Command>) {
    let Some(entry) = app.undo.pop() else {
        let text = tr(app.lang, Msg::NothingToUndo).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    match entry.token {
        Some(token) => {
            let label = trf(app.lang, Msg::UndoLabel, &[("label", &entry.label)]);
            let ticket = app.next_id();
            app.in_flight.insert(ticket, InFlight { label, pending: Vec::new(), is_undo: true, irreversible: false });
            cmds.push(Command::Perform { ticket, action: SourceAction::Undo(token) });
        }
        None => {
            let key = super::view::key_of(app, ActionId::Undo);
            let text = trf(app.lang, Msg::CannotUndo, &[("label", &entry.label), ("key", &key)]);
            log(app, Level::Warn, text, true);
        }
    }
}

fn copy(app: &mut App, cmds: &mut Vec<Command>) {
    if let Some(p) = &app.person {
        match p.detail.as_ref().and_then(|d| d.member_message.clone()) {
            Some(text) if !text.trim().is_empty() => cmds.push(Command::Copy(text)),
            _ if p.detail.is_none() => app.copy_pending = Some((p.person.clone(), p.generation)),
            _ => {
                let text = tr(app.lang, Msg::NothingToCopy).to_string();
                log(app, Level::Info, text, true);
            }
        }
        return;
    }
    let person = match app.pane {
        Pane::Review => current_card(app).map(|c| super::model::PersonRef {
            camp: c.payment.camp.clone(),
            transaction_id: Some(c.payment.transaction_id.clone()),
            planet_user_id: None,
            external_userid: c.payment.external_userid.clone(),
        }),
        Pane::Items => current_item(app).map(|i| i.person.clone()),
        Pane::Refunds => current_refund(app).map(|r| r.person.clone()),
        Pane::Camps | Pane::Reports => None,
    };
    match person {
        Some(person) => {
            let generation = app.next_id();
            app.copy_pending = Some((person.clone(), generation));
            cmds.push(Command::Load { query: ViewQuery::Person(person), generation });
        }
        None => {
            let text = tr(app.lang, Msg::NothingToCopy).to_string();
            log(app, Level::Info, text, true);
        }
    }
}

// ---------------------------------------------------------------- pane actions

fn current_card(app: &App) -> Option<&super::model::ReviewCard> {
    app.review.list.current().and_then(|i| app.review.rows.items.get(i))
}

fn current_item(app: &App) -> Option<&super::model::ReviewItem> {
    app.items.list.current().and_then(|i| app.items.rows.items.get(i))
}

fn current_refund(app: &App) -> Option<&RefundRow> {
    app.refunds.list.current().and_then(|i| app.refunds.rows.items.get(i))
}

fn review_decide(app: &mut App, id: ActionId, cmds: &mut Vec<Command>) {
    let chosen = if app.review.focus == ReviewFocus::Candidates {
        current_card(app)
            .and_then(|card| card.candidates().nth(app.review.candidate).map(|c| (card.clone(), c.clone())))
    } else {
        None
    };
    let Some((card, cand)) = chosen else {
        let text = tr(app.lang, Msg::ChooseCandidate).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    if app.is_pending(&card.id) {
        return;
    }
    let txid = card.payment.transaction_id.clone();
    let (action, label) = if id == ActionId::Link {
        let (planet_user_id, external_userid) = match &cand.target {
            CandidateRef::Planet(p) => (Some(p.clone()), None),
            CandidateRef::Member(m) => (None, Some(m.clone())),
        };
        (
            SourceAction::Link { card: Some(card.id.clone()), transaction_id: txid, planet_user_id, external_userid },
            trf(app.lang, Msg::LinkLabel, &[("name", &cand.name)]),
        )
    } else {
        (
            SourceAction::RejectCandidate {
                card: card.id.clone(),
                transaction_id: txid,
                candidate: cand.target.clone(),
            },
            trf(app.lang, Msg::RejectCandidateLabel, &[("name", &cand.name)]),
        )
    };
    perform(app, action, label, vec![card.id.clone()], cmds);
}

fn search_planet(app: &mut App, cmds: &mut Vec<Command>) {
    let Some(card) = current_card(app) else {
        let text = tr(app.lang, Msg::NoRow).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    let Some(camp) = card.payment.camp.clone() else {
        let text = tr(app.lang, Msg::NoCamp).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    let (card_id, txid) = (card.id.clone(), card.payment.transaction_id.clone());
    let generation = app.next_id();
    app.overlay = Some(Overlay::Picker(Box::new(Picker {
        camp: camp.clone(),
        card: card_id,
        transaction_id: txid,
        users: Vec::new(),
        keys: Vec::new(),
        loading: true,
        error: None,
        input: TextInput::default(),
        visible: Vec::new(),
        cursor: 0,
        generation,
    })));
    cmds.push(Command::Load { query: ViewQuery::PlanetUsers(camp), generation });
}

fn item_prompt(app: &mut App, id: ActionId) {
    let Some(item) = current_item(app) else {
        let text = tr(app.lang, Msg::NoRow).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    if app.is_pending(&item.id) {
        return;
    }
    let (decision, title) = match id {
        ActionId::Pass => (ItemDecision::Pass, trf(app.lang, Msg::PromptPassTitle, &[("name", &item.name)])),
        ActionId::Fail => (ItemDecision::Fail, trf(app.lang, Msg::PromptFailTitle, &[("name", &item.name)])),
        _ => match item.days.get(app.items.day) {
            Some(d) if matches!(d.mark, DayMark::Missed | DayMark::Short) => (
                ItemDecision::Excuse { day: d.day },
                trf(app.lang, Msg::PromptExcuseTitle, &[("name", &item.name), ("day", &d.day.to_string())]),
            ),
            _ => {
                let text = tr(app.lang, Msg::OnlyMissedDays).to_string();
                log(app, Level::Info, text, true);
                return;
            }
        },
    };
    let label = format!("{} {}", decision_name(app.lang, &decision), item.name);
    let next = PromptNext::Decide { item: item.id.clone(), decision, label };
    app.overlay = Some(Overlay::Prompt(Box::new(Prompt {
        title,
        hint: tr(app.lang, Msg::PromptHint).to_string(),
        input: TextInput::default(),
        next,
        empty_error: false,
    })));
}

/// The refunds an action applies to: the selection, or the row under the cursor.
fn refund_targets(app: &App) -> Vec<usize> {
    let r = &app.refunds;
    if r.selected.is_empty() {
        return r.list.current().into_iter().collect();
    }
    r.selected.rows().collect()
}

fn refund_action(app: &mut App, id: ActionId) {
    let Some((from, _)) = id.refund_transition() else { return };
    let targets = refund_targets(app);
    if targets.is_empty() {
        let text = tr(app.lang, Msg::NoRow).to_string();
        log(app, Level::Info, text, true);
        return;
    }
    let (eligible, skipped): (Vec<usize>, Vec<usize>) = targets.iter().partition(|&&i| {
        let row = &app.refunds.rows.items[i];
        row.state == from && !app.is_pending(row.id.as_str())
    });
    if eligible.is_empty() {
        let verb = verb(app, id);
        let n = targets.len().to_string();
        let text =
            trf(app.lang, Msg::NothingEligible, &[("verb", verb), ("n", &n), ("state", state_name(app.lang, from))]);
        log(app, Level::Warn, text, true);
        return;
    }
    let ids: Vec<RefundId> = eligible.iter().map(|&i| app.refunds.rows.items[i].id.clone()).collect();
    let n = ids.len().to_string();
    match id {
        ActionId::Reject => {
            app.overlay = Some(Overlay::Prompt(Box::new(Prompt {
                title: trf(app.lang, Msg::PromptRejectTitle, &[("n", &n)]),
                hint: tr(app.lang, Msg::PromptHint).to_string(),
                input: TextInput::default(),
                next: PromptNext::RejectRefunds(ids),
                empty_error: false,
            })));
        }
        ActionId::SettleOffline => {
            app.overlay = Some(Overlay::Prompt(Box::new(Prompt {
                title: trf(app.lang, Msg::PromptSettleTitle, &[("n", &n)]),
                hint: tr(app.lang, Msg::PromptHint).to_string(),
                input: TextInput::default(),
                next: PromptNext::SettleOffline(ids),
                empty_error: false,
            })));
        }
        _ => {
            let confirm = build_confirm(app, id, &eligible, skipped.len(), None);
            app.overlay = Some(Overlay::Confirm(Box::new(confirm)));
        }
    }
}

fn verb(app: &App, id: ActionId) -> &'static str {
    let msg = match id {
        ActionId::Approve => Msg::VerbApprove,
        ActionId::Reject => Msg::VerbReject,
        ActionId::Run => Msg::VerbRun,
        ActionId::Retry => Msg::VerbRetry,
        _ => Msg::VerbSettle,
    };
    tr(app.lang, msg)
}

/// The confirmation for a money action over rows `rows` (indices).
fn build_confirm(app: &App, id: ActionId, rows: &[usize], skipped: usize, evidence: Option<String>) -> Confirm {
    let lang = app.lang;
    let items: Vec<&RefundRow> = rows.iter().map(|&i| &app.refunds.rows.items[i]).collect();
    let total = items.iter().map(|r| r.amount).fold(Money::ZERO, add);
    let ids: Vec<RefundId> = items.iter().map(|r| r.id.clone()).collect();
    let mut per_camp: BTreeMap<&CampId, (usize, Money)> = BTreeMap::new();
    for r in &items {
        let e = per_camp.entry(&r.camp).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 = add(e.1, r.amount);
    }
    let n = ids.len().to_string();
    let total_s = total.to_string();
    let label = format!("{} {}", verb(app, id), trf(lang, Msg::CountTotal, &[("n", &n), ("total", &total_s)]));
    let mut lines = vec![trf(lang, Msg::CountTotal, &[("n", &n), ("total", &total_s)])];
    let camps: Vec<String> = per_camp.iter().map(|(c, (k, m))| format!("{c} {k} (¥{m})")).collect();
    lines.push(trf(lang, Msg::CampsBreakdown, &[("list", &camps.join(", "))]));
    if let Some((from, _)) = id.refund_transition()
        && skipped > 0
    {
        let k = skipped.to_string();
        lines.push(trf(lang, Msg::SkippedRows, &[("n", &k), ("state", state_name(lang, from))]));
    }
    let hidden = rows.iter().filter(|i| !app.refunds.list.visible.contains(i)).count();
    if hidden > 0 && !app.refunds.selected.is_empty() {
        let k = hidden.to_string();
        lines.push(trf(lang, Msg::HiddenSelected, &[("n", &k)]));
    }
    let mut over_cap = false;
    for (camp, (_, sum)) in &per_camp {
        if let Some(cap) = app.camp(camp).and_then(|c| c.batch_cap)
            && *sum > cap
        {
            over_cap = true;
            let cap_s = cap.to_string();
            lines.push(format!("{camp}: {}", trf(lang, Msg::OverCap, &[("cap", &cap_s)])));
        }
    }
    if let Some(e) = &evidence {
        lines.push(trf(lang, Msg::EvidenceLine, &[("text", e)]));
    }
    let reversible = id.reversible();
    lines.push(tr(lang, if reversible { Msg::UndoAvailable } else { Msg::Irreversible }).to_string());
    let typed_required = ((!reversible && ids.len() > 1) || over_cap).then(|| n.clone());
    let (title, action) = match id {
        ActionId::Approve => (Msg::ConfirmApprove, SourceAction::Approve(ids.clone())),
        ActionId::Run => (Msg::ConfirmRun, SourceAction::Run(ids.clone())),
        ActionId::Retry => (Msg::ConfirmRetry, SourceAction::Retry(ids.clone())),
        _ => (
            Msg::ConfirmSettle,
            SourceAction::SettleOffline { ids: ids.clone(), evidence: evidence.unwrap_or_default() },
        ),
    };
    Confirm {
        title: tr(lang, title).to_string(),
        lines,
        action,
        label,
        pending: ids.iter().map(|i| i.to_string()).collect(),
        on_confirm: false,
        typed_required,
        typed: TextInput::default(),
        reversible,
    }
}

/// Writes the evidence bundle of the open person's payment into the data dir;
/// the outcome names the folder.
fn evidence(app: &mut App, cmds: &mut Vec<Command>) {
    let Some(p) = &app.person else { return };
    let txn = p
        .person
        .transaction_id
        .clone()
        .or_else(|| p.detail.as_ref().and_then(|d| d.payments.first().map(|x| x.transaction_id.clone())));
    let Some(transaction_id) = txn else {
        let text = tr(app.lang, Msg::NoPaymentForEvidence).to_string();
        log(app, Level::Warn, text, true);
        return;
    };
    let label = trf(app.lang, Msg::EvidenceLabel, &[("txn", transaction_id.as_str())]);
    perform(app, SourceAction::Evidence { transaction_id, dir: None }, label, Vec::new(), cmds);
}

fn unlink(app: &mut App, cmds: &mut Vec<Command>) {
    let Some(link) = app.person.as_ref().and_then(|p| p.detail.as_ref().and_then(|d| d.links.get(p.link)).cloned())
    else {
        let text = tr(app.lang, Msg::NoLinks).to_string();
        log(app, Level::Info, text, true);
        return;
    };
    let label = trf(app.lang, Msg::UnlinkLabel, &[("name", &link.name)]);
    perform(
        app,
        SourceAction::Unlink { transaction_id: link.transaction_id, target: link.target },
        label,
        Vec::new(),
        cmds,
    );
}

fn perform(app: &mut App, action: SourceAction, label: String, pending: Vec<String>, cmds: &mut Vec<Command>) {
    let ticket = app.next_id();
    app.in_flight.insert(ticket, InFlight { label, pending, is_undo: false, irreversible: false });
    cmds.push(Command::Perform { ticket, action });
}

// ---------------------------------------------------------------- overlays

fn overlay_update(app: &mut App, action: Action, cmds: &mut Vec<Command>) {
    let Some(overlay) = app.overlay.take() else { return };
    let keep = match overlay {
        Overlay::Help { mut input, mut scroll } => match action {
            Action::Cancel | Action::Submit | Action::Do(ActionId::Quit) => None,
            Action::OverlayDown => Some(Overlay::Help { input, scroll: scroll + 1 }),
            Action::OverlayUp => Some(Overlay::Help { input, scroll: scroll.saturating_sub(1) }),
            other => {
                if edit_text(&mut input, &other) {
                    scroll = 0;
                }
                Some(Overlay::Help { input, scroll })
            }
        },
        Overlay::Palette { mut input, mut cursor } => match action {
            Action::Cancel => None,
            Action::OverlayDown => Some(Overlay::Palette { input, cursor: cursor + 1 }),
            Action::OverlayUp => Some(Overlay::Palette { input, cursor: cursor.saturating_sub(1) }),
            Action::Complete => {
                let entries = palette::entries(app, input.text());
                if let Some(e) = entries.get(cursor.min(entries.len().saturating_sub(1))) {
                    input.set(&e.command);
                }
                Some(Overlay::Palette { input, cursor: 0 })
            }
            Action::Submit => {
                let entries = palette::entries(app, input.text());
                let exact = palette::parse_exact(app, input.text());
                let had_exact = exact.is_some();
                let chosen = match exact {
                    Some(Ok(a)) => Some(a),
                    Some(Err(msg)) => {
                        log(app, Level::Warn, msg, true);
                        None
                    }
                    None => entries.get(cursor.min(entries.len().saturating_sub(1))).map(|e| e.run.clone()),
                };
                match chosen {
                    Some(a) => cmds.extend(update(app, a)),
                    None if !had_exact && !input.is_empty() => {
                        let text = trf(app.lang, Msg::UnknownCommand, &[("cmd", input.text())]);
                        log(app, Level::Warn, text, true);
                    }
                    None => {}
                }
                // `update` may have opened another overlay (a confirmation); keep it.
                return;
            }
            other => {
                if edit_text(&mut input, &other) {
                    cursor = 0;
                }
                Some(Overlay::Palette { input, cursor })
            }
        },
        Overlay::Confirm(mut c) => match action {
            Action::Cancel | Action::Do(ActionId::Quit) => None,
            Action::Complete
            | Action::OverlayUp
            | Action::OverlayDown
            | Action::CursorLeft
            | Action::CursorRight
            | Action::Do(ActionId::Left | ActionId::Right) => {
                c.on_confirm = !c.on_confirm;
                Some(Overlay::Confirm(c))
            }
            Action::Submit => {
                let typed_ok = c.typed_required.as_deref().is_none_or(|want| c.typed.text().trim() == want);
                if !c.on_confirm {
                    None
                } else if !typed_ok {
                    Some(Overlay::Confirm(c))
                } else {
                    let ticket = app.next_id();
                    app.in_flight.insert(
                        ticket,
                        InFlight {
                            label: c.label.clone(),
                            pending: c.pending.clone(),
                            is_undo: false,
                            irreversible: !c.reversible,
                        },
                    );
                    cmds.push(Command::Perform { ticket, action: c.action.clone() });
                    None
                }
            }
            other => {
                if c.typed_required.is_some() {
                    edit_text(&mut c.typed, &other);
                }
                Some(Overlay::Confirm(c))
            }
        },
        Overlay::Prompt(mut p) => match action {
            Action::Cancel => None,
            Action::Submit => {
                let text = p.input.text().trim().to_string();
                if text.is_empty() {
                    p.empty_error = true;
                    Some(Overlay::Prompt(p))
                } else {
                    return prompt_done(app, p.next, text, cmds);
                }
            }
            other => {
                if edit_text(&mut p.input, &other) {
                    p.empty_error = false;
                }
                Some(Overlay::Prompt(p))
            }
        },
        Overlay::Picker(mut pk) => match action {
            Action::Cancel => None,
            Action::OverlayDown => {
                pk.cursor = (pk.cursor + 1).min(pk.visible.len().saturating_sub(1));
                Some(Overlay::Picker(pk))
            }
            Action::OverlayUp => {
                pk.cursor = pk.cursor.saturating_sub(1);
                Some(Overlay::Picker(pk))
            }
            Action::Submit => match pk.visible.get(pk.cursor).and_then(|&i| pk.users.get(i)) {
                Some(user) => {
                    let label = trf(app.lang, Msg::LinkLabel, &[("name", &user.name)]);
                    let action = SourceAction::Link {
                        card: Some(pk.card.clone()),
                        transaction_id: pk.transaction_id.clone(),
                        planet_user_id: Some(user.user_id.clone()),
                        external_userid: None,
                    };
                    perform(app, action, label, vec![pk.card.clone()], cmds);
                    None
                }
                None => Some(Overlay::Picker(pk)),
            },
            other => {
                if edit_text(&mut pk.input, &other) {
                    pk.visible = search::rank(&pk.keys, pk.input.text());
                    pk.cursor = 0;
                }
                Some(Overlay::Picker(pk))
            }
        },
        Overlay::SyncStatus { scroll } => match action {
            Action::OverlayDown => Some(Overlay::SyncStatus { scroll: scroll + 1 }),
            Action::OverlayUp => Some(Overlay::SyncStatus { scroll: scroll.saturating_sub(1) }),
            Action::Do(ActionId::SyncNow) => {
                app.overlay = Some(Overlay::SyncStatus { scroll });
                let label = tr(app.lang, Msg::SyncQueued).to_string();
                perform(app, SourceAction::SyncNow(app.scope.camp().cloned()), label, Vec::new(), cmds);
                return;
            }
            Action::Cancel | Action::Submit | Action::Do(_) => None,
            _ => Some(Overlay::SyncStatus { scroll }),
        },
        Overlay::Messages { scroll } => match action {
            Action::OverlayDown => Some(Overlay::Messages { scroll: scroll + 1 }),
            Action::OverlayUp => Some(Overlay::Messages { scroll: scroll.saturating_sub(1) }),
            Action::Cancel | Action::Submit | Action::Do(_) => None,
            _ => Some(Overlay::Messages { scroll }),
        },
    };
    if app.overlay.is_none() {
        app.overlay = keep;
    }
}

fn prompt_done(app: &mut App, next: PromptNext, text: String, cmds: &mut Vec<Command>) {
    match next {
        PromptNext::RejectRefunds(ids) => {
            let n = ids.len().to_string();
            let label = format!("{} {}", verb(app, ActionId::Reject), trf(app.lang, Msg::CountOnly, &[("n", &n)]));
            let pending = ids.iter().map(|i| i.to_string()).collect();
            perform(app, SourceAction::Reject { ids, reason: text }, label, pending, cmds);
        }
        PromptNext::Decide { item, decision, label } => {
            perform(app, SourceAction::Decide { item: item.clone(), decision, reason: text }, label, vec![item], cmds);
        }
        PromptNext::SettleOffline(ids) => {
            let rows: Vec<usize> = ids.iter().filter_map(|id| app.refunds.index.get(id).copied()).collect();
            let confirm = build_confirm(app, ActionId::SettleOffline, &rows, 0, Some(text));
            app.overlay = Some(Overlay::Confirm(Box::new(confirm)));
        }
    }
}

/// Applies a text-editing action to `input`; true when the text changed.
fn edit_text(input: &mut TextInput, action: &Action) -> bool {
    match action {
        Action::Input(c) => input.insert(*c),
        Action::Paste(s) => input.insert_str(s),
        Action::Backspace => input.backspace(),
        Action::DeleteForward => input.delete(),
        Action::DeleteWord => input.delete_word(),
        Action::CursorLeft => {
            input.left();
            return false;
        }
        Action::CursorRight => {
            input.right();
            return false;
        }
        Action::CursorHome => {
            input.home();
            return false;
        }
        Action::CursorEnd => {
            input.end();
            return false;
        }
        _ => return false,
    }
    true
}

fn filter_update(app: &mut App, action: Action) {
    match action {
        Action::Submit => app.list_mut().filtering = false,
        Action::Cancel => {
            let list = app.list_mut();
            list.filtering = false;
            list.filter.clear();
            recompute(app, app.pane);
        }
        Action::OverlayDown => move_cursor(app, 1),
        Action::OverlayUp => move_cursor(app, -1),
        Action::Do(ActionId::Quit) => app.list_mut().filtering = false,
        other => {
            let list = app.list_mut();
            let old = list.filter.text().to_string();
            if edit_text(&mut list.filter, &other) {
                if search::narrows(&old, app.list().filter.text()) {
                    narrow(app, app.pane);
                } else {
                    recompute(app, app.pane);
                }
            }
        }
    }
}

/// Filters the visible rows of `pane` again after the filter text grew: only
/// rows that matched before can match now.
fn narrow(app: &mut App, pane: Pane) {
    let f = search::Filter::new(app.list().filter.text());
    let keep = app.list().current();
    match pane {
        Pane::Camps => {
            let keys = &app.camps.rows.keys;
            app.camps.list.visible.retain(|&i| i == 0 || keys.get(i - 1).is_some_and(|k| f.matches(k)));
        }
        Pane::Reports => {
            let keys = &app.reports.rows.keys;
            app.reports.list.visible.retain(|&i| i == 0 || keys.get(i - 1).is_some_and(|k| f.matches(k)));
        }
        Pane::Review => {
            let keys = &app.review.rows.keys;
            app.review.list.visible.retain(|&i| f.matches(&keys[i]));
        }
        Pane::Items => {
            let keys = &app.items.rows.keys;
            app.items.list.visible.retain(|&i| f.matches(&keys[i]));
        }
        Pane::Refunds => {
            let r = &mut app.refunds;
            let keys = &r.rows.keys;
            r.list.visible.retain(|&i| f.matches(&keys[i]));
            r.visible_total = r.list.visible.iter().map(|&i| r.rows.items[i].amount).fold(Money::ZERO, add);
        }
    }
    let height = layout::list_height(app, pane);
    let list = app.list_mut();
    match keep.and_then(|k| list.visible.iter().position(|v| *v == k)) {
        Some(pos) => list.cursor = pos,
        None => list.cursor = 0,
    }
    list.ensure_visible(height);
    after_cursor_move(app);
}

// ---------------------------------------------------------------- replies

fn loaded(
    app: &mut App,
    query: ViewQuery,
    generation: u64,
    result: Result<View, SourceError>,
    cmds: &mut Vec<Command>,
) {
    match (query, result) {
        (ViewQuery::Person(person), result) => {
            if let Some((want, g)) = &app.copy_pending
                && *g == generation
                && *want == person
            {
                app.copy_pending = None;
                match &result {
                    Ok(View::Person(d)) if d.member_message.as_deref().is_some_and(|m| !m.trim().is_empty()) => {
                        cmds.push(Command::Copy(d.member_message.clone().unwrap_or_default()));
                    }
                    Ok(_) => {
                        let text = tr(app.lang, Msg::NothingToCopy).to_string();
                        log(app, Level::Info, text, true);
                    }
                    Err(e) => {
                        let text = trf(app.lang, Msg::CopyFailed, &[("err", &e.message)]);
                        log(app, Level::Error, text, true);
                    }
                }
            }
            let Some(page) = &mut app.person else { return };
            if page.generation != generation {
                return;
            }
            page.loading = false;
            match result {
                Ok(View::Person(d)) => {
                    page.error = None;
                    page.link = page.link.min(d.links.len().saturating_sub(1));
                    page.detail = Some(d);
                    if let Some((want, g)) = &app.copy_pending
                        && *g == generation
                        && *want == page.person
                    {
                        app.copy_pending = None;
                        let msg = page.detail.as_ref().and_then(|d| d.member_message.clone());
                        match msg {
                            Some(m) if !m.trim().is_empty() => cmds.push(Command::Copy(m)),
                            _ => {
                                let text = tr(app.lang, Msg::NothingToCopy).to_string();
                                log(app, Level::Info, text, true);
                            }
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => page.error = Some(e.message),
            }
        }
        (ViewQuery::PlanetUsers(_), result) => {
            let Some(Overlay::Picker(pk)) = &mut app.overlay else { return };
            if pk.generation != generation {
                return;
            }
            pk.loading = false;
            match result {
                Ok(View::PlanetUsers(users)) => {
                    pk.keys = users
                        .iter()
                        .map(|u| {
                            SearchKey::new(
                                &[u.user_id.as_str(), u.number.as_deref().unwrap_or("")],
                                &[&u.name, u.alias.as_deref().unwrap_or("")],
                            )
                        })
                        .collect();
                    pk.users = users;
                    pk.visible = search::rank(&pk.keys, pk.input.text());
                    pk.cursor = 0;
                }
                Ok(_) => {}
                Err(e) => pk.error = Some(e.message),
            }
        }
        (query, result) => {
            let pane = match query {
                ViewQuery::Camps => Pane::Camps,
                ViewQuery::Review(_) => Pane::Review,
                ViewQuery::Items(_) => Pane::Items,
                ViewQuery::Report(_) => Pane::Reports,
                _ => Pane::Refunds,
            };
            if pane_generation(app, pane) != generation {
                return;
            }
            let lang = app.lang;
            match result {
                Ok(View::Camps(rows)) => {
                    let keep = app
                        .camps
                        .list
                        .current()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| app.camps.rows.items.get(i))
                        .map(|c| c.id.clone());
                    app.camps.rows.keys = rows.iter().map(|c| SearchKey::new(&[c.id.as_str()], &[&c.name])).collect();
                    app.camps.rows.items = rows;
                    finish_load(app, Pane::Camps);
                    let row = keep.and_then(|id| app.camps.rows.items.iter().position(|c| c.id == id)).map(|i| i + 1);
                    app.camps.list.select_row(row);
                }
                Ok(View::Review(rows)) => {
                    let keep = current_card(app).map(|c| c.id.clone());
                    app.review.rows.keys = rows
                        .iter()
                        .map(|c| {
                            let mut names: Vec<&str> = vec![c.payment.payer_name.as_deref().unwrap_or("")];
                            names.extend(c.candidates().map(|x| x.name.as_str()));
                            SearchKey::new(&[c.payment.transaction_id.as_str(), &c.payment.remark, &c.why], &names)
                        })
                        .collect();
                    app.review.rows.items = rows;
                    finish_load(app, Pane::Review);
                    let row = keep.and_then(|id| app.review.rows.items.iter().position(|c| c.id == id));
                    app.review.list.select_row(row);
                    let n = current_card(app).map_or(0, |c| c.candidate_count());
                    app.review.candidate = app.review.candidate.min(n.saturating_sub(1));
                }
                Ok(View::Items(rows)) => {
                    let keep = current_item(app).map(|c| c.id.clone());
                    app.items.rows.keys = rows
                        .iter()
                        .map(|i| {
                            let kind = super::i18n::kind_name(lang, &i.kind);
                            SearchKey::new(&[&i.id, i.camp.as_str(), &i.summary, &kind], &[&i.name])
                        })
                        .collect();
                    app.items.rows.items = rows;
                    finish_load(app, Pane::Items);
                    let row = keep.and_then(|id| app.items.rows.items.iter().position(|c| c.id == id));
                    let same = row.is_some();
                    app.items.list.select_row(row);
                    if !same {
                        app.items.day = default_day(app);
                    }
                    let n = current_item(app).map_or(0, |i| i.days.len());
                    app.items.day = app.items.day.min(n.saturating_sub(1));
                }
                Ok(View::Refunds(rows)) => {
                    let keep = current_refund(app).map(|c| c.id.clone());
                    let chosen: Vec<RefundId> =
                        app.refunds.selected.rows().map(|i| app.refunds.rows.items[i].id.clone()).collect();
                    app.refunds.rows.keys = rows
                        .iter()
                        .map(|r| {
                            SearchKey::new(
                                &[
                                    r.id.as_str(),
                                    r.camp.as_str(),
                                    &r.reason,
                                    r.state.as_str(),
                                    state_name(lang, r.state),
                                    r.person.transaction_id.as_ref().map_or("", |t| t.as_str()),
                                ],
                                &[&r.name],
                            )
                        })
                        .collect();
                    app.refunds.index = rows.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
                    app.refunds.rows.items = rows;
                    finish_load(app, Pane::Refunds);
                    let r = &mut app.refunds;
                    r.selected.clear();
                    for id in chosen {
                        if let Some(&i) = r.index.get(&id) {
                            r.selected.set(i, true, r.rows.items[i].amount);
                        }
                    }
                    let row = keep.and_then(|id| app.refunds.index.get(&id).copied());
                    app.refunds.list.select_row(row);
                }
                Ok(View::Report(report)) => {
                    let keep = app.reports.current().map(|c| c.id.clone());
                    let report = *report;
                    app.reports.rows.keys =
                        report.camps.iter().map(|c| SearchKey::new(&[c.id.as_str()], &[&c.name])).collect();
                    app.reports.rows.items = report.camps;
                    app.reports.total = report.total;
                    app.reports.staff = report.staff;
                    app.reports.today = Some(report.today);
                    finish_load(app, Pane::Reports);
                    let row = keep.and_then(|id| app.reports.rows.items.iter().position(|c| c.id == id)).map(|i| i + 1);
                    app.reports.list.select_row(row);
                }
                Ok(_) => {}
                Err(e) => {
                    let rows_error = Some(e.message);
                    match pane {
                        Pane::Camps => (app.camps.rows.error, app.camps.rows.loading) = (rows_error, false),
                        Pane::Review => (app.review.rows.error, app.review.rows.loading) = (rows_error, false),
                        Pane::Items => (app.items.rows.error, app.items.rows.loading) = (rows_error, false),
                        Pane::Refunds => (app.refunds.rows.error, app.refunds.rows.loading) = (rows_error, false),
                        Pane::Reports => (app.reports.rows.error, app.reports.rows.loading) = (rows_error, false),
                    }
                }
            }
            let height = layout::list_height(app, pane);
            list_of(app, pane).ensure_visible(height);
            if *app.load_state(pane).2 {
                load_pane(app, pane, cmds);
            }
        }
    }
}

fn finish_load(app: &mut App, pane: Pane) {
    match pane {
        Pane::Camps => (app.camps.rows.loading, app.camps.rows.loaded, app.camps.rows.error) = (false, true, None),
        Pane::Review => (app.review.rows.loading, app.review.rows.loaded, app.review.rows.error) = (false, true, None),
        Pane::Items => (app.items.rows.loading, app.items.rows.loaded, app.items.rows.error) = (false, true, None),
        Pane::Refunds => {
            (app.refunds.rows.loading, app.refunds.rows.loaded, app.refunds.rows.error) = (false, true, None)
        }
        Pane::Reports => {
            (app.reports.rows.loading, app.reports.rows.loaded, app.reports.rows.error) = (false, true, None)
        }
    }
    recompute(app, pane);
}

fn performed(app: &mut App, ticket: u64, result: Result<ActionOutcome, SourceError>, cmds: &mut Vec<Command>) {
    let Some(flight) = app.in_flight.remove(&ticket) else { return };
    match result {
        Ok(outcome) => {
            let text = if outcome.message.trim().is_empty() {
                trf(app.lang, Msg::Done, &[("label", &flight.label)])
            } else {
                outcome.message.clone()
            };
            log(app, Level::Info, text, true);
            if !outcome.refused.is_empty() {
                let n = outcome.refused.len().to_string();
                let why: Vec<String> = outcome.refused.iter().take(3).map(|(id, why)| format!("{id}: {why}")).collect();
                let text =
                    trf(app.lang, Msg::Refused, &[("label", &flight.label), ("n", &n), ("why", &why.join("; "))]);
                log(app, Level::Warn, text, true);
            }
            if !flight.is_undo {
                match outcome.undo {
                    Some(token) => app.undo.push(UndoEntry { label: flight.label.clone(), token: Some(token) }),
                    None if flight.irreversible => {
                        app.undo.push(UndoEntry { label: flight.label.clone(), token: None });
                    }
                    None => {}
                }
            }
            // Rows that were acted on leave the selection.
            let r = &mut app.refunds;
            for id in &flight.pending {
                if let Some(&i) = r.index.get(&RefundId::new(id.as_str())) {
                    r.selected.set(i, false, r.rows.items[i].amount);
                }
            }
            reload_all(app, cmds);
        }
        Err(e) => {
            let text = trf(app.lang, Msg::Failed, &[("label", &flight.label), ("err", &e.message)]);
            log(app, Level::Error, text, true);
        }
    }
}

fn pane_generation(app: &App, pane: Pane) -> u64 {
    match pane {
        Pane::Camps => app.camps.rows.generation,
        Pane::Review => app.review.rows.generation,
        Pane::Items => app.items.rows.generation,
        Pane::Refunds => app.refunds.rows.generation,
        Pane::Reports => app.reports.rows.generation,
    }
}

/// Loads `pane` for the current scope; a newer load makes older replies stale.
fn load_pane(app: &mut App, pane: Pane, cmds: &mut Vec<Command>) {
    let generation = app.next_id();
    let (g, loading, again) = app.load_state(pane);
    (*g, *loading, *again) = (generation, true, false);
    cmds.push(Command::Load { query: app.query_for(pane), generation });
}

/// Reloads `pane` after a data change: at once when idle, otherwise once
/// more when the load on its way arrives.
fn refresh_pane(app: &mut App, pane: Pane, cmds: &mut Vec<Command>) {
    let (_, loading, again) = app.load_state(pane);
    if *loading {
        *again = true;
    } else {
        load_pane(app, pane, cmds);
    }
}

fn reload_all(app: &mut App, cmds: &mut Vec<Command>) {
    for pane in Pane::ALL {
        refresh_pane(app, pane, cmds);
    }
    if let Some(p) = &app.person {
        let person = p.person.clone();
        let generation = app.next_id();
        if let Some(p) = &mut app.person {
            p.generation = generation;
            p.loading = true;
        }
        cmds.push(Command::Load { query: ViewQuery::Person(person), generation });
    }
}

// ---------------------------------------------------------------- filters

fn list_of(app: &mut App, pane: Pane) -> &mut super::app::ListState {
    match pane {
        Pane::Camps => &mut app.camps.list,
        Pane::Review => &mut app.review.list,
        Pane::Items => &mut app.items.list,
        Pane::Refunds => &mut app.refunds.list,
        Pane::Reports => &mut app.reports.list,
    }
}

/// Recomputes the visible rows of `pane` from its filters, keeping the cursor
/// on the same row when it is still visible.
pub fn recompute(app: &mut App, pane: Pane) {
    match pane {
        Pane::Camps => {
            let keep = app.camps.list.current();
            let hits = search::filter(&app.camps.rows.keys, app.camps.list.filter.text());
            // Row 0 is "all camps"; camp i is row i + 1.
            let mut visible = vec![0];
            visible.extend(hits.into_iter().map(|i| i + 1));
            app.camps.list.visible = visible;
            app.camps.list.select_row(keep);
        }
        Pane::Review => {
            let keep = app.review.list.current();
            app.review.list.visible = search::filter(&app.review.rows.keys, app.review.list.filter.text());
            app.review.list.select_row(keep);
        }
        Pane::Items => {
            let keep = app.items.list.current();
            app.items.list.visible = search::filter(&app.items.rows.keys, app.items.list.filter.text());
            app.items.list.select_row(keep);
        }
        Pane::Refunds => recompute_refunds(app),
        Pane::Reports => {
            let keep = app.reports.list.current();
            let hits = search::filter(&app.reports.rows.keys, app.reports.list.filter.text());
            // Row 0 is the totals line; camp i is row i + 1.
            let mut visible = vec![0];
            visible.extend(hits.into_iter().map(|i| i + 1));
            app.reports.list.visible = visible;
            app.reports.list.select_row(keep);
        }
    }
    let height = layout::list_height(app, pane);
    list_of(app, pane).ensure_visible(height);
}

fn recompute_refunds(app: &mut App) {
    let r = &mut app.refunds;
    let keep = r.list.current();
    let text_hits = search::filter(&r.rows.keys, r.list.filter.text());
    r.list.visible = text_hits.into_iter().filter(|&i| r.state.is_none_or(|s| r.rows.items[i].state == s)).collect();
    r.visible_total = r.list.visible.iter().map(|&i| r.rows.items[i].amount).fold(Money::ZERO, add);
    r.per_state = BTreeMap::new();
    for row in &r.rows.items {
        *r.per_state.entry(row.state).or_insert(0) += 1;
    }
    r.list.select_row(keep);
    let height = layout::list_height(app, Pane::Refunds);
    app.refunds.list.offset =
        scroll_offset(app.refunds.list.offset, app.refunds.list.cursor, height, app.refunds.list.visible.len());
}

// ---------------------------------------------------------------- mouse

fn click(app: &mut App, x: u16, y: u16, cmds: &mut Vec<Command>) {
    let s = layout::screen(app.size.0, app.size.1);
    if y == s.tabs.y {
        let idx = super::view::tab_at(app, x);
        if let Some(pane) = idx.and_then(|i| Pane::ALL.get(i)) {
            app.person = None;
            app.pane = *pane;
        }
        return;
    }
    if app.person.is_some() {
        return;
    }
    let rows = layout::list_rows(app, app.pane);
    if x >= rows.x && x < rows.x + rows.width && y >= rows.y && y < rows.y + rows.height {
        let list = app.list_mut();
        let target = list.offset + usize::from(y - rows.y);
        if target < list.visible.len() {
            let again = target == list.cursor;
            list.cursor = target;
            after_cursor_move(app);
            if again {
                open(app, cmds);
            }
        }
    }
}

// ---------------------------------------------------------------- messages

/// Adds a message to the log; `show` puts it in the hint line (errors stay
/// until dismissed, the rest for [`TOAST_SECONDS`]).
pub fn log(app: &mut App, level: Level, text: String, show: bool) {
    app.log.push(LogEntry { at: app.now, level, text });
    if app.log.len() > 500 {
        app.log.drain(..100);
        app.toast = None;
    }
    if show {
        let until = (level != Level::Error).then(|| app.now + jiff::SignedDuration::from_secs(TOAST_SECONDS));
        app.toast = Some((app.log.len() - 1, until));
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
