//! Everything the user can do, as data. Keys resolve to an [`Action`] through
//! the keymap; [`update`](super::update::update) applies it. Bindable actions
//! are [`ActionId`]s: they have a stable name (used in keys.toml and the
//! palette), a context (where they apply) and a description in the message
//! table.

use crate::domain::RefundState;

use super::model::Scope;

/// Where an action applies. Global actions work everywhere (unless an overlay
/// takes the keys); the others in one pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere.
    Global,
    /// The Camps pane.
    Camps,
    /// The Unmatched people pane (review cards).
    Review,
    /// The Borderline & anomalies pane.
    Items,
    /// The Refund queue.
    Refunds,
    /// The Reports pane.
    Reports,
    /// The person detail page.
    Person,
}

impl Context {
    /// Every context, global first.
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Camps,
        Context::Review,
        Context::Items,
        Context::Refunds,
        Context::Reports,
        Context::Person,
    ];

    /// The name used in keys.toml tables (`[keys.refunds]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Camps => "camps",
            Context::Review => "review",
            Context::Items => "items",
            Context::Refunds => "refunds",
            Context::Reports => "reports",
            Context::Person => "person",
        }
    }
}

macro_rules! action_ids {
    ($($variant:ident = $name:literal in $ctx:ident,)*) => {
        /// A bindable action: keys.toml names it, the palette lists it, help
        /// describes it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ActionId {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ActionId {
            /// Every bindable action, in help order.
            pub const ALL: &'static [ActionId] = &[$(ActionId::$variant,)*];

            /// The stable name used in keys.toml and the palette.
            pub fn name(self) -> &'static str {
                match self {
                    $(ActionId::$variant => $name,)*
                }
            }

            /// Where it applies.
            pub fn context(self) -> Context {
                match self {
                    $(ActionId::$variant => Context::$ctx,)*
                }
            }

            /// The action named `name`.
            pub fn from_name(name: &str) -> Option<ActionId> {
                match name {
                    $($name => Some(ActionId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

action_ids! {
    Quit = "quit" in Global,
    Help = "help" in Global,
    Palette = "palette" in Global,
    Filter = "filter" in Global,
    NextPane = "next_pane" in Global,
    PrevPane = "prev_pane" in Global,
    PaneCamps = "pane_camps" in Global,
    PaneReview = "pane_review" in Global,
    PaneItems = "pane_items" in Global,
    PaneRefunds = "pane_refunds" in Global,
    PaneReports = "pane_reports" in Global,
    Up = "up" in Global,
    Down = "down" in Global,
    Top = "top" in Global,
    Bottom = "bottom" in Global,
    HalfPageDown = "half_page_down" in Global,
    HalfPageUp = "half_page_up" in Global,
    PageDown = "page_down" in Global,
    PageUp = "page_up" in Global,
    Left = "left" in Global,
    Right = "right" in Global,
    Open = "open" in Global,
    Back = "back" in Global,
    ToggleSelect = "toggle_select" in Global,
    SyncNow = "sync_now" in Global,
    SyncStatus = "sync_status" in Global,
    Undo = "undo" in Global,
    Copy = "copy" in Global,
    Messages = "messages" in Global,
    ScopeAll = "scope_all" in Global,
    Refresh = "refresh" in Global,
    Link = "link" in Review,
    RejectCandidate = "reject_candidate" in Review,
    SearchPlanet = "search_planet" in Review,
    Pass = "pass" in Items,
    Fail = "fail" in Items,
    Excuse = "excuse" in Items,
    SelectAll = "select_all" in Refunds,
    Approve = "approve" in Refunds,
    Reject = "reject" in Refunds,
    Run = "run" in Refunds,
    Retry = "retry" in Refunds,
    SettleOffline = "settle_offline" in Refunds,
    StateNext = "state_next" in Refunds,
    StatePrev = "state_prev" in Refunds,
    Unlink = "unlink" in Person,
    Evidence = "evidence" in Person,
}

impl ActionId {
    /// Whether `u` can take the action back (while nothing has been paid).
    pub fn reversible(self) -> bool {
        matches!(self, ActionId::Approve | ActionId::Reject | ActionId::Link | ActionId::Unlink)
    }

    /// Whether it moves money (confirmation with count and total).
    pub fn moves_money(self) -> bool {
        matches!(self, ActionId::Approve | ActionId::Run | ActionId::Retry | ActionId::SettleOffline)
    }

    /// The refund transition the action makes, for refund-queue actions.
    pub fn refund_transition(self) -> Option<(RefundState, RefundState)> {
        match self {
            ActionId::Approve => Some((RefundState::Proposed, RefundState::Approved)),
            ActionId::Reject => Some((RefundState::Proposed, RefundState::Rejected)),
            ActionId::Run => Some((RefundState::Approved, RefundState::Submitted)),
            ActionId::Retry => Some((RefundState::Failed, RefundState::Submitted)),
            ActionId::SettleOffline => Some((RefundState::Failed, RefundState::SettledOffline)),
            _ => None,
        }
    }
}

/// What `update` applies: a bindable action, or input that only makes sense
/// inside an overlay or text field, or a parameterised palette command.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A bindable action.
    Do(ActionId),
    /// Scope every pane to one camp or all (palette `scope ID`).
    SetScope(Scope),
    /// Show refunds in one state or all (palette `state NAME`).
    SetStateFilter(Option<RefundState>),
    /// A character typed into the focused text field.
    Input(char),
    /// Text pasted (bracketed paste) into the focused text field.
    Paste(String),
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    DeleteForward,
    /// Move the text cursor left.
    CursorLeft,
    /// Move the text cursor right.
    CursorRight,
    /// Text cursor to the start.
    CursorHome,
    /// Text cursor to the end.
    CursorEnd,
    /// Delete the word before the cursor.
    DeleteWord,
    /// Confirm the overlay (Enter in a dialog or field).
    Submit,
    /// Close the overlay or stop editing (Esc in a dialog or field).
    Cancel,
    /// Next entry in an overlay list, or next button.
    OverlayDown,
    /// Previous entry in an overlay list, or previous button.
    OverlayUp,
    /// Complete the palette entry (Tab) or switch dialog button.
    Complete,
    /// Ctrl-C: quit from anywhere, dialogs and text fields included.
    Interrupt,
    /// Ctrl-Z: give the terminal back to the shell until `fg`.
    Suspend,
    /// Mouse wheel.
    Scroll(i16),
    /// Mouse click at a screen position.
    Click {
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
}
