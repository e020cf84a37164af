//! Check-in counting, rule text, verdicts, anomalies and live progress (pure).
//!
//! No store, no HTTP, no tokio: the engine loads a camp's records, builds a
//! [`CampInput`], calls [`evaluate_camp`] and persists (or freezes) the
//! [`CampEvaluation`].
//!
//! - [`count`]: check-in days per member (camp window, day cutoff, make-up,
//!   leave, `min_words`, cross-check with zsxq's ranking).
//! - [`rule_text`]: the project's rule text against camps.toml; the
//!   `checkin_days` + 1 window explained.
//! - [`verdict`]: `pass | borderline | fail | unlinked` per payment, with evidence.
//! - [`anomaly`]: review items with stable ids.
//! - [`freeze`]: the frozen snapshot of check-in inputs.
//! - [`progress`]: live progress and the "not checked in today" list.

pub mod anomaly;
pub mod count;
pub mod day_clock;
mod evaluate;
pub mod fast_map;
pub mod freeze;
pub mod group_view;
pub mod input;
pub mod payer;
pub mod post_text;
pub mod progress;
pub mod rule_text;
pub mod verdict;

pub use anomaly::{Anomaly, AnomalyKind, Proposal, anomaly_id};
pub use count::{CountRule, CountedDay, DayMark, MemberCount};
pub use evaluate::{CampEvaluation, EvaluationSummary, evaluate_camp};
pub use freeze::{ArchiveMismatch, FreezeError, FreezeStamp, FrozenInputs};
pub use input::{AcceptedLink, CampInput, LeaveRecord, OverrideDecision, RulesError, VerdictOverride};
pub use progress::{CampProgress, MemberProgress, MemberStatus, NotCheckedIn, Phase};
pub use rule_text::{ParsedRule, RuleWarning, Severity, parse_rule_text};
pub use verdict::{Verdict, VerdictKind};

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
