//! Fast camp-day lookup: the start instants of a range of days, precomputed
//! once, so that a post's day is a binary search instead of a zone conversion.
//! Instants outside the range fall back to [`DayRule::day_of`].

use jiff::Timestamp;

use crate::domain::{Day, DayRule};

/// A [`DayRule`] with the day starts of `first..=last` precomputed.
#[derive(Clone, Debug)]
pub struct DayClock {
    rule: DayRule,
    /// `first`, `first + 1`, …, `last`.
    days: Vec<Day>,
    /// Start of each day in `days`, then the end of `last`.
    starts: Vec<Timestamp>,
}

impl DayClock {
    /// A clock for `rule`, fast between the start of `first` and the end of `last`.
    pub fn new(rule: DayRule, first: Day, last: Day) -> DayClock {
        let n = first.days_until(last).max(0);
        let days: Vec<Day> = (0..=n).map(|i| first.plus_days(i)).collect();
        let starts = days
            .iter()
            .copied()
            .chain(std::iter::once(first.plus_days(n + 1)))
            .map(|d| d.start_in(&rule.tz, rule.cutoff))
            .collect();
        DayClock { rule, days, starts }
    }

    /// The position of `at`'s day in `first..=last`, if it falls in that range.
    pub fn index_of(&self, at: Timestamp) -> Option<usize> {
        let k = self.starts.partition_point(|s| *s <= at);
        (k > 0 && k < self.starts.len()).then(|| k - 1)
    }

    /// The days of the range, in order (position `i` is what `index_of` calls `i`).
    pub fn days(&self) -> &[Day] {
        &self.days
    }

    /// The day `at` belongs to; the same answer as `DayRule::day_of`.
    pub fn day_of(&self, at: Timestamp) -> Day {
        match self.index_of(at) {
            Some(i) => self.days[i],
            None => self.rule.day_of(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DayCutoff;
    use crate::domain::time::shanghai;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_the_day_rule(
            offset_secs in -3 * 86_400i64..20 * 86_400,
            h in 0i8..24,
            m in 0i8..60,
            zone in 0usize..3,
        ) {
            let tz = [shanghai(), jiff::tz::TimeZone::get("America/New_York").unwrap(), jiff::tz::TimeZone::UTC][zone].clone();
            let rule = DayRule::new(tz, DayCutoff::new(h, m).unwrap());
            let first = Day::new(2025, 10, 25).unwrap();
            let clock = DayClock::new(rule.clone(), first, first.plus_days(13));
            let at = Timestamp::from_second(1_761_350_400 + offset_secs).unwrap();
            prop_assert_eq!(clock.day_of(at), rule.day_of(at));
        }
    }

    #[test]
    fn boundaries_are_exact() {
        let rule = DayRule::shanghai();
        let first = Day::new(2025, 10, 25).unwrap();
        let clock = DayClock::new(rule, first, first.plus_days(9));
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(clock.day_of(at("2025-10-25T15:59:59.999Z")), first);
        assert_eq!(clock.day_of(at("2025-10-25T16:00:00Z")), first.plus_days(1));
        assert_eq!(clock.day_of(at("2025-10-24T15:59:59Z")), first.plus_days(-1));
        assert_eq!(clock.day_of(at("2025-11-03T16:00:00Z")), first.plus_days(10));
    }
}
