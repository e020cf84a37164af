//! Report periods: a range of calendar days (Asia/Shanghai, the config's day
//! rule). A camp belongs to the period its **first day** falls in, so every camp
//! lands in exactly one month and monthly reports add up to the year.

use serde::{Deserialize, Serialize};

use crate::config::Camp;
use crate::domain::Day;

/// Which period a report covers, as the user asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeriodQuery {
    /// `--from D --to D`, both days included.
    Range {
        /// First day.
        from: Day,
        /// Last day.
        to: Day,
    },
    /// `--this-month`: the calendar month of today.
    ThisMonth,
    /// `--last-month`: the calendar month before today's.
    LastMonth,
}

/// A resolved period: the days from `from` to `to`, both included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// First day.
    pub from: Day,
    /// Last day.
    pub to: Day,
}

/// Why a period cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the period ends ({to}) before it starts ({from}); give --from before --to")]
pub struct PeriodError {
    /// First day asked for.
    pub from: Day,
    /// Last day asked for.
    pub to: Day,
}

impl PeriodQuery {
    /// The days this query means when today is `today`.
    pub fn resolve(&self, today: Day) -> Result<Period, PeriodError> {
        match self {
            PeriodQuery::Range { from, to } => Period::new(*from, *to),
            PeriodQuery::ThisMonth => Ok(Period::month_of(today)),
            PeriodQuery::LastMonth => Ok(Period::month_of(Period::month_of(today).from.plus_days(-1))),
        }
    }
}

impl Period {
    /// The days `from..=to`; an error when `to` is before `from`.
    pub fn new(from: Day, to: Day) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError { from, to });
        }
        Ok(Period { from, to })
    }

    /// The calendar month `day` is in.
    pub fn month_of(day: Day) -> Period {
        let date = day.date();
        let first = Day::from_date(date.first_of_month());
        let last = Day::from_date(date.last_of_month());
        Period { from: first, to: last }
    }

    /// Whether `day` is in the period.
    pub fn contains(&self, day: Day) -> bool {
        self.from <= day && day <= self.to
    }

    /// Whether `camp` belongs to the period (its first day is in it).
    pub fn includes(&self, camp: &Camp) -> bool {
        self.contains(camp.start)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ~ {}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn months_are_calendar_months() {
        let p = PeriodQuery::ThisMonth.resolve(day("2025-02-14")).unwrap();
        assert_eq!((p.from, p.to), (day("2025-02-01"), day("2025-02-28")));
        let p = PeriodQuery::LastMonth.resolve(day("2025-01-01")).unwrap();
        assert_eq!((p.from, p.to), (day("2024-12-01"), day("2024-12-31")));
        let p = PeriodQuery::LastMonth.resolve(day("2024-03-31")).unwrap();
        assert_eq!((p.from, p.to), (day("2024-02-01"), day("2024-02-29")));
    }

    #[test]
    fn a_range_includes_both_ends_and_refuses_to_run_backwards() {
        let p = PeriodQuery::Range { from: day("2025-10-01"), to: day("2025-10-31") }.resolve(day("2026-01-01"));
        let p = p.unwrap();
        assert!(p.contains(day("2025-10-01")) && p.contains(day("2025-10-31")));
        assert!(!p.contains(day("2025-11-01")) && !p.contains(day("2025-09-30")));
        let err = Period::new(day("2025-10-31"), day("2025-10-01")).unwrap_err();
        assert!(err.to_string().contains("--from before --to"), "{err}");
    }
}
