//! Statistics and exports: per camp and per period figures (members, rates,
//! money reconciled to the fen, refunds, coaches and volunteers, check-ins per
//! camp day), the xlsx and csv exports, and evidence bundles for disputes.
//!
//! [`figures`] and [`ledger`] are pure; [`gather`] reads the store; [`xlsx`]
//! and [`csv`] write files.

pub mod csv;
pub mod evidence;
pub mod figures;
pub mod gather;
pub mod ledger;
pub mod period;
pub mod tables;
pub mod view;
pub mod xlsx;

pub use figures::{CampReport, MemberFigures, MoneyFigures, Rate, Report, StaffFigures, Totals};
pub use period::{Period, PeriodQuery};
