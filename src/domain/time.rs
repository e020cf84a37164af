//! Camp days: calendar dates in the configured zone (Asia/Shanghai by default),
//! with the day-cutoff rule, and the zsxq timestamp format.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// A calendar day (no time, no zone), e.g. one day of a camp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(Date);

impl Day {
    /// The day for `year-month-day`, if it exists.
    pub fn new(year: i16, month: i8, day: i8) -> Option<Day> {
        Date::new(year, month, day).ok().map(Day)
    }

    /// Wraps a jiff civil date.
    pub const fn from_date(date: Date) -> Day {
        Day(date)
    }

    /// The underlying civil date.
    pub const fn date(self) -> Date {
        self.0
    }

    /// The day `n` days later (earlier for negative `n`).
    pub fn plus_days(self, n: i32) -> Day {
        Day(self.0.saturating_add(n.days()))
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Day) -> i32 {
        // Dates are within ±10 000 years, so the day count fits an i32.
        let span = self.0.until((jiff::Unit::Day, later.0)).unwrap_or_default();
        span.get_days()
    }

    /// The days from `self` to `last`, both included.
    pub fn through(self, last: Day) -> impl Iterator<Item = Day> {
        let n = self.days_until(last);
        (0..=n).map(move |i| self.plus_days(i))
    }

    /// The instant this day starts in `tz` (respecting `cutoff`: the day starts at
    /// the cutoff time, since earlier posts count for the day before).
    pub fn start_in(self, tz: &TimeZone, cutoff: DayCutoff) -> Timestamp {
        let dt = self.0.to_datetime(cutoff.time());
        tz.to_timestamp(dt)
            .unwrap_or_else(|_| tz.to_ambiguous_timestamp(dt).compatible().unwrap_or(Timestamp::UNIX_EPOCH))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a day could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date; write it as YYYY-MM-DD, e.g. 2025-10-25")]
pub struct DayError(pub String);

impl FromStr for Day {
    type Err = DayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let well_formed = t.len() == 10
            && t.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !well_formed {
            return Err(DayError(s.to_string()));
        }
        t.parse::<Date>().map(Day).map_err(|_| DayError(s.to_string()))
    }
}

/// The local time before which a post still counts for the previous day.
///
/// `00:00` (the default) means plain calendar days; `04:00` means a post at
/// 01:30 on the 5th counts for the 4th.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DayCutoff(Time);

impl DayCutoff {
    /// Midnight: calendar days as they are.
    pub const MIDNIGHT: DayCutoff = DayCutoff(Time::midnight());

    /// A cutoff at `hour:minute`.
    pub fn new(hour: i8, minute: i8) -> Option<DayCutoff> {
        Time::new(hour, minute, 0, 0).ok().map(DayCutoff)
    }

    /// The cutoff as a civil time.
    pub const fn time(self) -> Time {
        self.0
    }
}

impl fmt::Display for DayCutoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

/// Why a cutoff could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a time of day; write it as HH:MM between 00:00 and 23:59")]
pub struct CutoffError(pub String);

impl FromStr for DayCutoff {
    type Err = CutoffError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || CutoffError(s.to_string());
        let (h, m) = s.trim().split_once(':').ok_or_else(err)?;
        let two_digits = |p: &str| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(h) || m.len() != 2 || !two_digits(m) {
            return Err(err());
        }
        let hour: i8 = h.parse().map_err(|_| err())?;
        let minute: i8 = m.parse().map_err(|_| err())?;
        DayCutoff::new(hour, minute).ok_or_else(err)
    }
}

/// The rule that turns an instant into a camp day: a zone plus a cutoff.
#[derive(Clone, Debug, PartialEq)]
pub struct DayRule {
    /// The zone whose calendar defines days (Asia/Shanghai by default).
    pub tz: TimeZone,
    /// Posts before this local time count for the day before.
    pub cutoff: DayCutoff,
}

impl DayRule {
    /// A rule for `tz` with `cutoff`.
    pub fn new(tz: TimeZone, cutoff: DayCutoff) -> DayRule {
        DayRule { tz, cutoff }
    }

    /// Asia/Shanghai calendar days with a midnight cutoff.
    pub fn shanghai() -> DayRule {
        DayRule::new(shanghai(), DayCutoff::MIDNIGHT)
    }

    /// The camp day an instant belongs to.
    pub fn day_of(&self, at: Timestamp) -> Day {
        let local = at.to_zoned_datetime(self.tz.clone());
        let date = local.date();
        if local.time() < self.cutoff.time() { Day(date.yesterday().unwrap_or(date)) } else { Day(date) }
    }

    /// Today's camp day at instant `now`.
    pub fn today(&self, now: Timestamp) -> Day {
        self.day_of(now)
    }
}

/// The Asia/Shanghai zone (bundled, so it resolves on hosts without tzdata).
pub fn shanghai() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(Offset::constant(8)))
}

/// Why a zsxq timestamp could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a zsxq time (expected YYYY-MM-DDTHH:MM:SS.mmm+0800)")]
pub struct ZsxqTimeError(pub String);

const ZSXQ_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f%z";

/// Parses a zsxq timestamp such as `2025-12-03T21:15:02.481+0800`.
///
/// Any offset is accepted (the instant is what counts); milliseconds are optional.
pub fn parse_zsxq_time(text: &str) -> Result<Timestamp, ZsxqTimeError> {
    jiff::fmt::strtime::parse(ZSXQ_FORMAT, text.trim())
        .and_then(|tm| tm.to_timestamp())
        .map_err(|_| ZsxqTimeError(text.to_string()))
}

/// Formats an instant the way zsxq does, in +0800 with milliseconds:
/// `2025-12-03T21:15:02.481+0800`.
pub fn format_zsxq_time(at: Timestamp) -> String {
    let zoned = at.to_zoned_datetime(TimeZone::fixed(Offset::constant(8)));
    let ms = zoned.subsec_nanosecond() / 1_000_000;
    format!("{}.{ms:03}{}", zoned.strftime("%Y-%m-%dT%H:%M:%S"), zoned.strftime("%z"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn day_parses_and_rejects() {
        assert_eq!("2025-10-25".parse::<Day>(), Ok(Day::new(2025, 10, 25).unwrap()));
        for bad in ["2025-02-30", "2025-1-5", "25-10-25", "2025/10/25", "tomorrow", ""] {
            assert!(bad.parse::<Day>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn cutoff_parses_and_rejects() {
        assert_eq!("04:30".parse::<DayCutoff>(), Ok(DayCutoff::new(4, 30).unwrap()));
        assert_eq!("0:00".parse::<DayCutoff>(), Ok(DayCutoff::MIDNIGHT));
        for bad in ["24:00", "12:60", "1230", "12:3", "noon", ""] {
            assert!(bad.parse::<DayCutoff>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn shanghai_day_boundaries() {
        let rule = DayRule::shanghai();
        // 23:59:59 local on the 3rd, and one second later the 4th.
        assert_eq!(rule.day_of(ts("2025-11-03T15:59:59Z")), Day::new(2025, 11, 3).unwrap());
        assert_eq!(rule.day_of(ts("2025-11-03T16:00:00Z")), Day::new(2025, 11, 4).unwrap());
        assert_eq!(rule.day_of(ts("2025-11-03T16:00:01Z")), Day::new(2025, 11, 4).unwrap());
    }

    #[test]
    fn cutoff_moves_early_posts_to_the_previous_day() {
        let rule = DayRule::new(shanghai(), DayCutoff::new(4, 0).unwrap());
        // 03:59 local on the 4th counts for the 3rd; 04:00 counts for the 4th.
        assert_eq!(rule.day_of(ts("2025-11-03T19:59:00Z")), Day::new(2025, 11, 3).unwrap());
        assert_eq!(rule.day_of(ts("2025-11-03T20:00:00Z")), Day::new(2025, 11, 4).unwrap());
    }

    #[test]
    fn zsxq_time_round_trip_and_offsets() {
        let t = parse_zsxq_time("2025-12-03T21:15:02.481+0800").unwrap();
        assert_eq!(t, ts("2025-12-03T13:15:02.481Z"));
        assert_eq!(format_zsxq_time(t), "2025-12-03T21:15:02.481+0800");
        // A post stamped in another offset lands on the Shanghai calendar day.
        let other = parse_zsxq_time("2025-12-03T17:30:00.000+0000").unwrap();
        assert_eq!(DayRule::shanghai().day_of(other), Day::new(2025, 12, 4).unwrap());
        assert!(parse_zsxq_time("2025-12-03 21:15").is_err());
    }

    #[test]
    fn day_arithmetic() {
        let a = Day::new(2025, 10, 25).unwrap();
        let b = Day::new(2025, 11, 3).unwrap();
        assert_eq!(a.days_until(b), 9);
        assert_eq!(a.through(b).count(), 10);
        assert_eq!(a.plus_days(9), b);
        assert_eq!(a.start_in(&shanghai(), DayCutoff::MIDNIGHT), ts("2025-10-24T16:00:00Z"));
    }

    proptest! {
        #[test]
        fn zsxq_time_format_round_trips(secs in 1_500_000_000i64..2_100_000_000, ms in 0i64..1000) {
            let t = Timestamp::from_millisecond(secs * 1000 + ms).unwrap();
            prop_assert_eq!(parse_zsxq_time(&format_zsxq_time(t)).unwrap(), t);
        }

        #[test]
        fn day_rule_matches_local_clock(secs in 1_500_000_000i64..2_100_000_000, h in 0i8..24, m in 0i8..60) {
            let t = Timestamp::from_second(secs).unwrap();
            let cutoff = DayCutoff::new(h, m).unwrap();
            let rule = DayRule::new(shanghai(), cutoff);
            let local = t.to_zoned_datetime(shanghai());
            let day = rule.day_of(t);
            // The day is the local date, or the one before when the local clock is before the cutoff.
            if local.time() < cutoff.time() {
                prop_assert_eq!(day.plus_days(1).date(), local.date());
            } else {
                prop_assert_eq!(day.date(), local.date());
            }
            // And the instant lies within [start of that day, start of the next day).
            prop_assert!(day.start_in(&shanghai(), cutoff) <= t);
            prop_assert!(t < day.plus_days(1).start_in(&shanghai(), cutoff));
        }

        #[test]
        fn day_display_parse_round_trip(n in -20_000i32..20_000) {
            let d = Day::new(2000, 1, 1).unwrap().plus_days(n);
            prop_assert_eq!(d.to_string().parse::<Day>().unwrap(), d);
        }
    }
}
