//! Money as integer fen (分). No floats ever touch an amount.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of Chinese yuan held as integer fen (1 yuan = 100 fen).
///
/// Serialises as the integer number of fen, the unit every platform API uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a yuan string could not be read as [`Money`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty amount")]
    Empty,
    #[error("`{0}` is not an amount in yuan (expected digits like \"39\" or \"39.00\")")]
    NotANumber(String),
    #[error("`{0}` has more than 2 decimals; amounts are whole fen")]
    TooPrecise(String),
    #[error("`{0}` is too large")]
    Overflow(String),
}

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(0);

    /// An amount of `fen`.
    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Whether the amount is above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Parses yuan written as `"39"`, `"39.0"`, `"39.00"`, `"0.5"` or `"-1.25"`.
    ///
    /// Surrounding whitespace is ignored; anything else (thousands separators,
    /// currency signs, exponents, a third decimal) is an error.
    pub fn parse_yuan(text: &str) -> Result<Money, MoneyError> {
        let s = text.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        let digits_only = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(whole) || frac.is_some_and(|f| !digits_only(f)) {
            return Err(MoneyError::NotANumber(s.to_string()));
        }
        let frac = frac.unwrap_or("");
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise(s.to_string()));
        }
        let overflow = || MoneyError::Overflow(s.to_string());
        let yuan: i64 = whole.parse().map_err(|_| overflow())?;
        let mut fen_part: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| overflow())? };
        if frac.len() == 1 {
            fen_part *= 10;
        }
        let total = yuan.checked_mul(100).and_then(|v| v.checked_add(fen_part)).ok_or_else(overflow)?;
        Ok(Money(if negative { -total } else { total }))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `self × n`, or `None` on overflow.
    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// The sum of `amounts`, or `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }
}

impl fmt::Display for Money {
    /// Yuan with exactly two decimals: `39.00`, `0.50`, `-1.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let text = format!("{sign}{}.{:02}", abs / 100, abs % 100);
        f.pad(&text)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse_yuan(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_usual_forms() {
        assert_eq!(Money::parse_yuan("39.00"), Ok(Money::from_fen(3900)));
        assert_eq!(Money::parse_yuan("39"), Ok(Money::from_fen(3900)));
        assert_eq!(Money::parse_yuan("0.5"), Ok(Money::from_fen(50)));
        assert_eq!(Money::parse_yuan("0.05"), Ok(Money::from_fen(5)));
        assert_eq!(Money::parse_yuan(" 12.3 "), Ok(Money::from_fen(1230)));
        assert_eq!(Money::parse_yuan("-1"), Ok(Money::from_fen(-100)));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!(Money::parse_yuan("39.001"), Err(MoneyError::TooPrecise("39.001".into())));
        assert!(matches!(Money::parse_yuan("abc"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan("1,000"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan("¥39"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan("1e3"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan(".5"), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan("5."), Err(MoneyError::NotANumber(_))));
        assert!(matches!(Money::parse_yuan("--5"), Err(MoneyError::NotANumber(_))));
        assert_eq!(Money::parse_yuan(""), Err(MoneyError::Empty));
        assert!(matches!(Money::parse_yuan("99999999999999999999"), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn displays_two_decimals() {
        assert_eq!(Money::from_fen(3900).to_string(), "39.00");
        assert_eq!(Money::from_fen(5).to_string(), "0.05");
        assert_eq!(Money::from_fen(-125).to_string(), "-1.25");
        assert_eq!(format!("{:>8}", Money::from_fen(50)), "    0.50");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Money::from_fen(i64::MAX).checked_add(Money::from_fen(1)), None);
        assert_eq!(Money::from_fen(i64::MIN).checked_sub(Money::from_fen(1)), None);
        assert_eq!(Money::from_fen(3900).checked_mul(3), Some(Money::from_fen(11700)));
        assert_eq!(Money::checked_sum([Money::from_fen(1), Money::from_fen(2)]), Some(Money::from_fen(3)));
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(fen in -1_000_000_000_000i64..1_000_000_000_000) {
            let m = Money::from_fen(fen);
            prop_assert_eq!(Money::parse_yuan(&m.to_string()), Ok(m));
        }

        #[test]
        fn parse_then_display_normalises(yuan in 0u32..1_000_000, frac in proptest::option::of(0u32..100)) {
            let text = match frac { Some(f) => format!("{yuan}.{f:02}"), None => yuan.to_string() };
            let m = Money::parse_yuan(&text).unwrap();
            let expected = i64::from(yuan) * 100 + i64::from(frac.unwrap_or(0));
            prop_assert_eq!(m.fen(), expected);
            prop_assert_eq!(m.to_string(), format!("{}.{:02}", yuan, frac.unwrap_or(0)));
        }
    }
}
