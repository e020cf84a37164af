//! The whole UI state as plain data. [`update`](super::update) changes it;
//! [`view`](super::view) draws it. Nothing here does I/O.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::action::Context;
use super::input::TextInput;
use super::keymap::Keymap;
use super::model::{
    CampRow, PersonDetail, PersonRef, PlanetUserView, RefundRow, ReportCamp, ReportFigures, ReviewCard, ReviewItem,
    Scope, StaffLine,
};
use super::search::SearchKey;
use super::source::{SourceAction, UndoToken, ViewQuery};
use super::theme::Theme;
use crate::config::Lang;
use crate::domain::{CampId, Money, RefundId, RefundState, TransactionId};
use crate::engine::EngineStatus;

/// The panes, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pane {
    /// Camps.
    Camps,
    /// Unmatched people (review cards).
    Review,
    /// Borderline & anomalies.
    Items,
    /// Refund queue.
    Refunds,
    /// Reports: figures and charts.
    Reports,
}

impl Pane {
    /// Tab order.
    pub const ALL: [Pane; 5] = [Pane::Camps, Pane::Review, Pane::Items, Pane::Refunds, Pane::Reports];

    /// The keymap context of the pane.
    pub fn context(self) -> Context {
        match self {
            Pane::Camps => Context::Camps,
            Pane::Review => Context::Review,
            Pane::Items => Context::Items,
            Pane::Refunds => Context::Refunds,
            Pane::Reports => Context::Reports,
        }
    }

    /// Position in the tab bar.
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

/// Where the engine runs, as the title shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineLabel {
    /// In this process.
    InProcess,
    /// Attached to `campdesk serve` over its socket.
    Attached,
    /// No engine: the built-in UI fixture (tests and the hidden fixture entry).
    Fixture,
}

/// Rows of one pane, with what the filter needs.
#[derive(Clone, Debug)]
pub struct Rows<T> {
    /// The rows as loaded.
    pub items: Vec<T>,
    /// One search key per row.
    pub keys: Vec<SearchKey>,
    /// A load is on its way.
    pub loading: bool,
    /// The last load failed.
    pub error: Option<String>,
    /// Loaded at least once.
    pub loaded: bool,
    /// Generation of the newest load asked for (older replies are dropped).
    pub generation: u64,
    /// The data changed again while a load was on its way: load once more
    /// when it arrives (bursts of changes cost one extra load, not one each).
    pub again: bool,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            items: Vec::new(),
            keys: Vec::new(),
            loading: false,
            error: None,
            loaded: false,
            generation: 0,
            again: false,
        }
    }
}

impl<T> Rows<T> {
    /// The load bookkeeping: generation, loading, again.
    pub fn load_state(&mut self) -> (&mut u64, &mut bool, &mut bool) {
        (&mut self.generation, &mut self.loading, &mut self.again)
    }
}

/// Cursor, scroll and filter of one list.
#[derive(Clone, Debug, Default)]
pub struct ListState {
    /// Position in `visible`.
    pub cursor: usize,
    /// First visible row (in `visible`).
    pub offset: usize,
    /// The `/` filter text.
    pub filter: TextInput,
    /// The filter is being typed.
    pub filtering: bool,
    /// Indices of the rows that pass the filters, in order.
    pub visible: Vec<usize>,
}

impl ListState {
    /// The row index under the cursor.
    pub fn current(&self) -> Option<usize> {
        self.visible.get(self.cursor).copied()
    }

    /// Moves the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            self.cursor = 0;
            return;
        }
        let max = self.visible.len() - 1;
        self.cursor = self.cursor.saturating_add_signed(delta).min(max);
    }

    /// Puts the cursor on row `row` if visible, else keeps it in range.
    pub fn select_row(&mut self, row: Option<usize>) {
        if let Some(pos) = row.and_then(|r| self.visible.iter().position(|v| *v == r)) {
            self.cursor = pos;
        }
        self.clamp();
    }

    /// Keeps the cursor inside the visible rows.
    pub fn clamp(&mut self) {
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
    }

    /// Scrolls so the cursor is among `height` rows.
    pub fn ensure_visible(&mut self, height: usize) {
        self.offset = scroll_offset(self.offset, self.cursor, height, self.visible.len());
    }
}

/// The first row to show so that `cursor` is among `height` rows, moving the
/// view as little as possible from `offset`.
pub fn scroll_offset(offset: usize, cursor: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return cursor;
    }
    let mut off = offset.min(len.saturating_sub(height));
    if cursor < off {
        off = cursor;
    } else if cursor >= off + height {
        off = cursor + 1 - height;
    }
    off
}

/// Which column of the review pane has the cursor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewFocus {
    /// The card list.
    #[default]
    Cards,
    /// The selected card's candidates.
    Candidates,
}

/// The Unmatched people pane.
#[derive(Clone, Debug, Default)]
pub struct ReviewPane {
    /// Cards.
    pub rows: Rows<ReviewCard>,
    /// Card list.
    pub list: ListState,
    /// Which column has the cursor.
    pub focus: ReviewFocus,
    /// Candidate under the cursor (planet candidates first).
    pub candidate: usize,
}

/// The Borderline & anomalies pane.
#[derive(Clone, Debug, Default)]
pub struct ItemsPane {
    /// Items.
    pub rows: Rows<ReviewItem>,
    /// Item list.
    pub list: ListState,
    /// Day under the day cursor in the evidence.
    pub day: usize,
}

/// The refund queue.
#[derive(Clone, Debug, Default)]
pub struct RefundsPane {
    /// Refunds.
    pub rows: Rows<RefundRow>,
    /// List.
    pub list: ListState,
    /// Only this state, or all.
    pub state: Option<RefundState>,
    /// Multi-selection (kept across filters, and across reloads by id).
    pub selected: Selection,
    /// Total of the visible rows.
    pub visible_total: Money,
    /// Rows per state in the scope (for the state bar).
    pub per_state: BTreeMap<RefundState, usize>,
    /// Row index by refund id.
    pub index: HashMap<RefundId, usize>,
}

/// A multi-selection over rows: a bitmap (selecting 100 000 rows is one
/// pass), with its count and money total kept up to date.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    marks: Vec<bool>,
    count: usize,
    total: Money,
}

impl Selection {
    /// How many rows are selected.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The sum of the selected amounts.
    pub fn total(&self) -> Money {
        self.total
    }

    /// Whether row `i` is selected.
    pub fn contains(&self, i: usize) -> bool {
        self.marks.get(i).copied().unwrap_or(false)
    }

    /// Selects or unselects row `i` worth `amount`.
    pub fn set(&mut self, i: usize, on: bool, amount: Money) {
        if i >= self.marks.len() {
            self.marks.resize(i + 1, false);
        }
        if self.marks[i] == on {
            return;
        }
        self.marks[i] = on;
        if on {
            self.count += 1;
            self.total = self.total.checked_add(amount).unwrap_or(Money::from_fen(i64::MAX));
        } else {
            self.count -= 1;
            self.total = self.total.checked_sub(amount).unwrap_or(Money::ZERO);
        }
    }

    /// Unselects everything.
    pub fn clear(&mut self) {
        self.marks.clear();
        self.count = 0;
        self.total = Money::ZERO;
    }

    /// The selected rows, in order.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.marks.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| i)
    }
}

/// The Camps pane.
#[derive(Clone, Debug, Default)]
pub struct CampsPane {
    /// Camps (the "all camps" line is drawn before them).
    pub rows: Rows<CampRow>,
    /// List; row 0 of `visible` is the "all camps" line.
    pub list: ListState,
}

/// The Reports pane.
#[derive(Clone, Debug, Default)]
pub struct ReportsPane {
    /// Camps in scope (the totals line is drawn before them).
    pub rows: Rows<ReportCamp>,
    /// List; row 0 of `visible` is the totals line.
    pub list: ListState,
    /// Every camp added up.
    pub total: ReportFigures,
    /// Coaches and volunteers.
    pub staff: Vec<StaffLine>,
    /// The day the figures are for.
    pub today: Option<crate::domain::Day>,
}

impl ReportsPane {
    /// The camp under the cursor (None on the totals line).
    pub fn current(&self) -> Option<&ReportCamp> {
        self.list.current().and_then(|i| i.checked_sub(1)).and_then(|i| self.rows.items.get(i))
    }
}

/// The person detail page.
#[derive(Clone, Debug)]
pub struct PersonPage {
    /// Who.
    pub person: PersonRef,
    /// Name known before the detail arrives.
    pub title: String,
    /// The detail, once loaded.
    pub detail: Option<Box<PersonDetail>>,
    /// A load is on its way.
    pub loading: bool,
    /// The last load failed.
    pub error: Option<String>,
    /// First line shown.
    pub scroll: usize,
    /// Link under the link cursor (for unlink).
    pub link: usize,
    /// Generation of the newest load.
    pub generation: u64,
}

/// A dialog that asks before an action that moves or decides money.
#[derive(Clone, Debug)]
pub struct Confirm {
    /// What is asked ("批准退款").
    pub title: String,
    /// Facts: count, total, camps, skipped rows, irreversibility.
    pub lines: Vec<String>,
    /// What runs on confirmation.
    pub action: SourceAction,
    /// The action's label for messages and undo.
    pub label: String,
    /// Ids shown as pending while it runs.
    pub pending: Vec<String>,
    /// Whether the Confirm button has focus (the default is Cancel).
    pub on_confirm: bool,
    /// Text the user must type before Confirm works (the count, for big or
    /// irreversible batches).
    pub typed_required: Option<String>,
    /// What was typed.
    pub typed: TextInput,
    /// Whether the action can be undone.
    pub reversible: bool,
}

/// What a text prompt leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum PromptNext {
    /// Reject refunds with the text as the reason.
    RejectRefunds(Vec<RefundId>),
    /// Decide an item with the text as the reason.
    Decide {
        /// Item id.
        item: String,
        /// The decision.
        decision: super::model::ItemDecision,
        /// Label for messages.
        label: String,
    },
    /// Settle refunds offline with the text as evidence (a confirmation follows).
    SettleOffline(Vec<RefundId>),
}

/// A one-line text prompt (reasons, evidence).
#[derive(Clone, Debug)]
pub struct Prompt {
    /// Title.
    pub title: String,
    /// One line of help under it.
    pub hint: String,
    /// The text.
    pub input: TextInput,
    /// What Enter does.
    pub next: PromptNext,
    /// Shown when Enter is pressed on empty text.
    pub empty_error: bool,
}

/// The picker over every planet user of a camp.
#[derive(Clone, Debug)]
pub struct Picker {
    /// The camp.
    pub camp: CampId,
    /// The card being settled.
    pub card: String,
    /// The payment.
    pub transaction_id: TransactionId,
    /// Users.
    pub users: Vec<PlanetUserView>,
    /// Their search keys.
    pub keys: Vec<SearchKey>,
    /// Still loading.
    pub loading: bool,
    /// Load error.
    pub error: Option<String>,
    /// Filter text.
    pub input: TextInput,
    /// Matching users, best first.
    pub visible: Vec<usize>,
    /// Cursor in `visible`.
    pub cursor: usize,
    /// Generation of the load.
    pub generation: u64,
}

/// Windows drawn over the panes; they take the keys while open.
#[derive(Clone, Debug)]
pub enum Overlay {
    /// `?`: every binding, filterable.
    Help {
        /// Filter.
        input: TextInput,
        /// First line shown.
        scroll: usize,
    },
    /// `:`: every action and command, with completion.
    Palette {
        /// What was typed.
        input: TextInput,
        /// Entry under the cursor.
        cursor: usize,
    },
    /// A money confirmation.
    Confirm(Box<Confirm>),
    /// A reason or evidence prompt.
    Prompt(Box<Prompt>),
    /// Search all planet users of a camp.
    Picker(Box<Picker>),
    /// Every sync task and alert in full.
    SyncStatus {
        /// First line shown.
        scroll: usize,
    },
    /// The message log.
    Messages {
        /// First line shown.
        scroll: usize,
    },
}

/// How loud a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Done, copied, queued.
    Info,
    /// Worth a look (keys file warnings, skipped rows).
    Warn,
    /// Failed: stays on screen until dismissed.
    Error,
}

/// One message in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// When.
    pub at: Timestamp,
    /// How loud.
    pub level: Level,
    /// What.
    pub text: String,
}

/// One step `u` can take back.
#[derive(Clone, Debug, PartialEq)]
pub struct UndoEntry {
    /// What was done.
    pub label: String,
    /// The source's undo handle; `None` for irreversible actions.
    pub token: Option<UndoToken>,
}

/// An action on its way to the source.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    /// Label for messages.
    pub label: String,
    /// Row ids marked pending.
    pub pending: Vec<String>,
    /// Whether this is an undo (its result is not itself undoable).
    pub is_undo: bool,
    /// Whether it moves money for good (run, retry, settle offline): `u` then
    /// says it cannot be undone.
    pub irreversible: bool,
}

/// How long an info message stays in the hint line, in seconds.
pub const TOAST_SECONDS: i64 = 5;

/// Everything the TUI shows and remembers.
#[derive(Clone, Debug)]
pub struct App {
    /// UI language.
    pub lang: Lang,
    /// Zone for showing times.
    pub tz: TimeZone,
    /// The clock, set by the loop (fixed in tests).
    pub now: Timestamp,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Effective key bindings.
    pub keymap: Keymap,
    /// Colours, borders and glyphs.
    pub theme: Theme,
    /// Where the engine runs.
    pub engine: EngineLabel,
    /// Latest engine status.
    pub status: EngineStatus,
    /// The data version the views were loaded at (None before the first status).
    pub data_version: Option<u64>,
    /// Which camps the panes show.
    pub scope: Scope,
    /// The pane on screen.
    pub pane: Pane,
    /// Camps.
    pub camps: CampsPane,
    /// Unmatched people.
    pub review: ReviewPane,
    /// Borderline & anomalies.
    pub items: ItemsPane,
    /// Refund queue.
    pub refunds: RefundsPane,
    /// Reports.
    pub reports: ReportsPane,
    /// The person page, when open (over the pane).
    pub person: Option<PersonPage>,
    /// The overlay, when open.
    pub overlay: Option<Overlay>,
    /// Message log, oldest first.
    pub log: Vec<LogEntry>,
    /// The message in the hint line: index into `log`, until when (None: until dismissed).
    pub toast: Option<(usize, Option<Timestamp>)>,
    /// Undo stack, newest last.
    pub undo: Vec<UndoEntry>,
    /// Actions on their way, by ticket.
    pub in_flight: BTreeMap<u64, InFlight>,
    /// A person whose member text is to be copied when their detail arrives.
    pub copy_pending: Option<(PersonRef, u64)>,
    /// Counter for generations and tickets.
    pub counter: u64,
    /// Set when the user quits.
    pub quit: bool,
    /// Fixture data is shown (labelled in the title).
    pub fixture: bool,
}

impl App {
    /// A fresh app showing the Camps pane of every camp.
    pub fn new(lang: Lang, tz: TimeZone, keymap: Keymap, theme: Theme, engine: EngineLabel, now: Timestamp) -> App {
        App {
            lang,
            tz,
            now,
            size: (80, 24),
            keymap,
            theme,
            engine,
            status: EngineStatus::default(),
            data_version: None,
            scope: Scope::All,
            pane: Pane::Camps,
            camps: CampsPane::default(),
            review: ReviewPane::default(),
            items: ItemsPane::default(),
            refunds: RefundsPane::default(),
            reports: ReportsPane::default(),
            person: None,
            overlay: None,
            log: Vec::new(),
            toast: None,
            undo: Vec::new(),
            in_flight: BTreeMap::new(),
            copy_pending: None,
            counter: 0,
            quit: false,
            fixture: engine == EngineLabel::Fixture,
        }
    }

    /// The keymap context that applies now.
    pub fn context(&self) -> Context {
        if self.person.is_some() { Context::Person } else { self.pane.context() }
    }

    /// The next generation or ticket number.
    pub fn next_id(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// The camp row with `id`.
    pub fn camp(&self, id: &CampId) -> Option<&CampRow> {
        self.camps.rows.items.iter().find(|c| &c.id == id)
    }

    /// Ids of rows an action is running on.
    pub fn pending_ids(&self) -> impl Iterator<Item = &str> {
        self.in_flight.values().flat_map(|f| f.pending.iter().map(String::as_str))
    }

    /// Whether row `id` has an action running.
    pub fn is_pending(&self, id: &str) -> bool {
        self.pending_ids().any(|p| p == id)
    }

    /// The list state of the current pane.
    pub fn list(&self) -> &ListState {
        match self.pane {
            Pane::Camps => &self.camps.list,
            Pane::Review => &self.review.list,
            Pane::Items => &self.items.list,
            Pane::Refunds => &self.refunds.list,
            Pane::Reports => &self.reports.list,
        }
    }

    /// The list state of the current pane, mutably.
    pub fn list_mut(&mut self) -> &mut ListState {
        match self.pane {
            Pane::Camps => &mut self.camps.list,
            Pane::Review => &mut self.review.list,
            Pane::Items => &mut self.items.list,
            Pane::Refunds => &mut self.refunds.list,
            Pane::Reports => &mut self.reports.list,
        }
    }

    /// The load bookkeeping of `pane`: generation, loading, again.
    pub fn load_state(&mut self, pane: Pane) -> (&mut u64, &mut bool, &mut bool) {
        match pane {
            Pane::Camps => self.camps.rows.load_state(),
            Pane::Review => self.review.rows.load_state(),
            Pane::Items => self.items.rows.load_state(),
            Pane::Refunds => self.refunds.rows.load_state(),
            Pane::Reports => self.reports.rows.load_state(),
        }
    }

    /// The query that loads `pane` for the current scope.
    pub fn query_for(&self, pane: Pane) -> ViewQuery {
        match pane {
            Pane::Camps => ViewQuery::Camps,
            Pane::Review => ViewQuery::Review(self.scope.clone()),
            Pane::Items => ViewQuery::Items(self.scope.clone()),
            Pane::Refunds => ViewQuery::Refunds(self.scope.clone()),
            Pane::Reports => ViewQuery::Report(self.scope.clone()),
        }
    }

    /// The message on the hint line now, if any.
    pub fn current_toast(&self) -> Option<&LogEntry> {
        let (i, until) = self.toast?;
        match until {
            Some(t) if t <= self.now => None,
            _ => self.log.get(i),
        }
    }

    /// Whether a text field has the keys (typing goes into it).
    pub fn typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Help { .. } | Overlay::Palette { .. } | Overlay::Prompt(_) | Overlay::Picker(_)) => true,
            Some(Overlay::Confirm(c)) => c.typed_required.is_some(),
            Some(_) => false,
            None => self.person.is_none() && self.list().filtering,
        }
    }
}
