//! Turning cells into typed values, with reasons an owner understands.
//! Each function returns `Ok(None)` for a blank cell.

use calamine::{ExcelDateTime, ExcelDateTimeType};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

use super::sheet::Cell;
use crate::domain::Money;
use crate::domain::time::parse_zsxq_time;

/// Largest integer a spreadsheet float holds exactly.
const EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// Text with exports' wrappers removed: surrounding spaces/tabs, a leading `'`,
/// and `="…"` (both used by exports to keep long numbers as text).
pub fn clean_text(raw: &str) -> String {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let t = t.strip_prefix('\'').unwrap_or(t);
    let t = match t.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner,
        None => t,
    };
    t.trim().to_string()
}

/// Text, as written (numbers as the spreadsheet shows them).
pub fn text(cell: &Cell) -> Result<Option<String>, String> {
    Ok(match cell {
        Cell::Empty => None,
        Cell::Text(t) => Some(clean_text(t)).filter(|t| !t.is_empty()),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_INT => Some(format!("{}", *f as i64)),
        Cell::Float(f) => Some(f.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Error(e) => return Err(format!("the cell holds the error {e}")),
    })
}

/// An id: text, or a whole number small enough to be exact.
pub fn id(cell: &Cell) -> Result<Option<String>, String> {
    match cell {
        Cell::Float(f) if f.fract() != 0.0 || f.abs() >= EXACT_FLOAT_INT => Err(format!(
            "{} is a number the spreadsheet has rounded, not an id; format the column as text and export again",
            quoted(&f.to_string())
        )),
        Cell::Bool(_) => Err(format!("{} is not an id", quoted(&cell.shown()))),
        _ => {
            let t = text(cell)?;
            if let Some(v) = &t
                && v.contains(char::is_whitespace)
            {
                return Err(format!("{} is not an id (it contains spaces)", quoted(v)));
            }
            Ok(t)
        }
    }
}

/// Strips `¥`/`￥`/`RMB` and `元`, and thousands separators in a well-formed grouping.
fn yuan_text(raw: &str) -> String {
    let mut t = clean_text(raw);
    for prefix in ["¥", "￥", "RMB", "rmb", "CNY"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim().to_string();
        }
    }
    if let Some(rest) = t.strip_suffix('元') {
        t = rest.trim().to_string();
    }
    let (sign, body) = match t.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", t.as_str()),
    };
    let (whole, frac) = body.split_once('.').map_or((body, None), |(w, f)| (w, Some(f)));
    if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let well_formed = (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            let joined = groups.concat();
            return match frac {
                Some(f) => format!("{sign}{joined}.{f}"),
                None => format!("{sign}{joined}"),
            };
        }
    }
    t
}

/// An amount in yuan, as integer fen. Spreadsheet numbers are rounded to fen
/// once; anything that is not a whole number of fen is refused.
pub fn money(cell: &Cell) -> Result<Option<Money>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if clean_text(t).is_empty() => Ok(None),
        Cell::Text(t) => {
            let shown = clean_text(t);
            Money::parse_yuan(&yuan_text(t)).map(Some).map_err(|e| match e {
                crate::domain::MoneyError::TooPrecise(_) => format!("{} has more than 2 decimals", quoted(&shown)),
                crate::domain::MoneyError::Overflow(_) => format!("{} is too large", quoted(&shown)),
                _ => format!("{} is not an amount in yuan (expected e.g. 39 or 39.00)", quoted(&shown)),
            })
        }
        Cell::Int(i) => i.checked_mul(100).map(|f| Some(Money::from_fen(f))).ok_or_else(|| format!("{i} is too large")),
        Cell::Float(f) => {
            if !f.is_finite() || f.abs() > 1e10 {
                return Err(format!("{} is not an amount", quoted(&f.to_string())));
            }
            let fen = f * 100.0;
            let rounded = fen.round();
            // Float noise grows with the magnitude (about 1e-16 relative); a third
            // decimal is at least 0.1 fen away from a whole fen.
            let tolerance = (fen.abs() * 1e-14).max(1e-6);
            if (fen - rounded).abs() > tolerance {
                return Err(format!("{} has more than 2 decimals", quoted(&f.to_string())));
            }
            Ok(Some(Money::from_fen(rounded as i64)))
        }
        Cell::Bool(_) | Cell::Error(_) => Err(format!("{} is not an amount", quoted(&cell.shown()))),
    }
}

/// An amount written in fen (a column headed `金额(分)`): a whole number.
pub fn fen(cell: &Cell) -> Result<Option<Money>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(t) if clean_text(t).is_empty() => Ok(None),
        Cell::Text(t) => {
            let shown = clean_text(t);
            shown
                .parse::<i64>()
                .map(|f| Some(Money::from_fen(f)))
                .map_err(|_| format!("{} is not a whole number of fen (the column is in 分)", quoted(&shown)))
        }
        Cell::Int(i) => Ok(Some(Money::from_fen(*i))),
        Cell::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e12 => Ok(Some(Money::from_fen(*f as i64))),
        _ => Err(format!("{} is not a whole number of fen (the column is in 分)", quoted(&cell.shown()))),
    }
}

/// Whether a header names its unit as fen: `金额(分)`, `金额（分）`.
pub fn header_in_fen(header: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let h: String = header.nfkc().filter(|c| !c.is_whitespace()).collect();
    h.ends_with("(分)")
}

/// A whole, non-negative count.
pub fn count(cell: &Cell) -> Result<Option<u32>, String> {
    let t = match cell {
        Cell::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX) => return Ok(Some(*f as u32)),
        other => text(other)?,
    };
    match t {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| format!("{} is not a whole number", quoted(&v))),
    }
}

/// Yes/no: 是/否, yes/no, y/n, true/false, 1/0, 已退出/未退出.
pub fn yes_no(cell: &Cell) -> Result<Option<bool>, String> {
    if let Cell::Bool(b) = cell {
        return Ok(Some(*b));
    }
    let Some(t) = text(cell)? else { return Ok(None) };
    match t.to_lowercase().as_str() {
        "是" | "是的" | "yes" | "y" | "true" | "1" | "已退出" | "退出" => Ok(Some(true)),
        "否" | "不是" | "no" | "n" | "false" | "0" | "未退出" | "在星球" | "正常" => Ok(Some(false)),
        _ => Err(format!("{} is neither yes (是) nor no (否)", quoted(&t))),
    }
}

/// What a date without a time means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOnly {
    /// The start of the day (join and expiry dates).
    Midnight,
    /// Noon, so a day cutoff never moves it to another day (check-ins).
    Noon,
}

fn two_digit_parts(s: &str, sep: char) -> Option<Vec<i64>> {
    s.split(sep).map(|p| if p.is_empty() || p.len() > 4 { None } else { p.parse::<i64>().ok() }).collect()
}

fn civil(date: &str, time: Option<&str>, date_only: DateOnly) -> Option<DateTime> {
    let d = two_digit_parts(date, '-')?;
    if d.len() != 3 || d[0] < 1900 {
        return None;
    }
    let date = Date::new(i16::try_from(d[0]).ok()?, i8::try_from(d[1]).ok()?, i8::try_from(d[2]).ok()?).ok()?;
    let time = match time {
        None => match date_only {
            DateOnly::Midnight => Time::midnight(),
            DateOnly::Noon => Time::new(12, 0, 0, 0).ok()?,
        },
        Some(t) => {
            let (hms, frac) = t.split_once('.').map_or((t, None), |(a, b)| (a, Some(b)));
            let p = two_digit_parts(hms, ':')?;
            if !(2..=3).contains(&p.len()) {
                return None;
            }
            let nanos = match frac {
                None => 0,
                Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                    f.parse::<i32>().ok()? * 10i32.pow(9 - f.len() as u32)
                }
                Some(_) => return None,
            };
            Time::new(
                i8::try_from(p[0]).ok()?,
                i8::try_from(p[1]).ok()?,
                i8::try_from(*p.get(2).unwrap_or(&0)).ok()?,
                nanos,
            )
            .ok()?
        }
    };
    Some(date.to_datetime(time))
}

/// Reads a wall-clock date/time written in the ways exports write them:
/// `2025-10-25 12:34:56`, `2025/10/25 12:34`, `2025年10月25日 12:34`, `2025-10-25`.
fn civil_text(t: &str, date_only: DateOnly) -> Option<DateTime> {
    let normalised: String = t.trim().replace(['/', '.', '年', '月'], "-").replace(['日', 'T'], " ");
    // Undo the '.' → '-' of fractional seconds: "12:00:00-250" → "12:00:00.250".
    let mut parts = normalised.split_whitespace();
    let date = parts.next()?;
    let time = parts.next().map(|t| match t.rsplit_once('-') {
        Some((hms, frac)) if hms.contains(':') => format!("{hms}.{frac}"),
        _ => t.to_string(),
    });
    if parts.next().is_some() {
        return None;
    }
    civil(date, time.as_deref(), date_only)
}

/// An instant. Text with an offset (`…+08:00`, `…+0800`, `…Z`) is exact; a wall
/// clock (`2025-10-25 12:34:56`, `2025/10/25 12:34`, `2025年10月25日`) is read in
/// `tz`; spreadsheet serial numbers too; 10- or 13-digit numbers are Unix
/// seconds or milliseconds.
pub fn instant(cell: &Cell, tz: &TimeZone, date_only: DateOnly) -> Result<Option<Timestamp>, String> {
    let serial = |v: f64| -> Result<Option<Timestamp>, String> {
        if !(1.0..2_958_466.0).contains(&v) {
            return Err(format!("{} is not a date", quoted(&v.to_string())));
        }
        let (y, m, d, h, min, s, ms) = ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false).to_ymd_hms_milli();
        let dt = Date::new(y as i16, m as i8, d as i8)
            .and_then(|date| {
                Time::new(h as i8, min as i8, s as i8, i32::from(ms) * 1_000_000).map(|t| date.to_datetime(t))
            })
            .map_err(|_| format!("{} is not a date", quoted(&v.to_string())))?;
        local(dt, tz).map(Some)
    };
    match cell {
        Cell::Empty => Ok(None),
        Cell::Float(f) => serial(*f),
        Cell::Int(i) => unix_or_serial(*i, &serial),
        Cell::Bool(_) | Cell::Error(_) => Err(format!("{} is not a date", quoted(&cell.shown()))),
        Cell::Text(raw) => {
            let t = clean_text(raw);
            if t.is_empty() {
                return Ok(None);
            }
            if t.bytes().all(|b| b.is_ascii_digit()) {
                return t
                    .parse::<i64>()
                    .map_err(|_| format!("{} is not a date", quoted(&t)))
                    .and_then(|i| unix_or_serial(i, &serial));
            }
            if let Ok(ts) = parse_zsxq_time(&t) {
                return Ok(Some(ts));
            }
            if let Ok(ts) = t.parse::<Timestamp>() {
                return Ok(Some(ts));
            }
            match civil_text(&t, date_only) {
                Some(dt) => local(dt, tz).map(Some),
                None => Err(format!(
                    "{} is not a date and time (expected e.g. 2025-10-25 12:34:56 or 2025/10/25 12:34)",
                    quoted(&t)
                )),
            }
        }
    }
}

fn unix_or_serial(
    i: i64,
    serial: &dyn Fn(f64) -> Result<Option<Timestamp>, String>,
) -> Result<Option<Timestamp>, String> {
    let digits = i.unsigned_abs().to_string().len();
    let ts = match digits {
        10 => Timestamp::from_second(i).ok(),
        13 => Timestamp::from_millisecond(i).ok(),
        _ => return serial(i as f64),
    };
    ts.map(Some).ok_or_else(|| format!("{} is not a date", quoted(&i.to_string())))
}

fn local(dt: DateTime, tz: &TimeZone) -> Result<Timestamp, String> {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|e| format!("{dt} does not exist in {}: {e}", tz.iana_name().unwrap_or("the zone")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::shanghai;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn money_from_text_and_numbers() {
        assert_eq!(money(&t("39.00")), Ok(Some(Money::from_fen(3900))));
        assert_eq!(money(&t(" ¥39 ")), Ok(Some(Money::from_fen(3900))));
        assert_eq!(money(&t("39.5元")), Ok(Some(Money::from_fen(3950))));
        assert_eq!(money(&t("1,039.00")), Ok(Some(Money::from_fen(103_900))));
        assert_eq!(money(&t("39.001")), Err("\"39.001\" has more than 2 decimals".into()));
        assert!(money(&t("1,03.00")).unwrap_err().contains("not an amount"));
        assert_eq!(money(&Cell::Float(39.0)), Ok(Some(Money::from_fen(3900))));
        assert_eq!(money(&Cell::Float(0.1 + 0.2)), Ok(Some(Money::from_fen(30))), "float noise is rounded once");
        assert_eq!(money(&Cell::Float(39.001)), Err("\"39.001\" has more than 2 decimals".into()));
        assert_eq!(money(&Cell::Int(39)), Ok(Some(Money::from_fen(3900))));
        assert_eq!(money(&Cell::Empty), Ok(None));
    }

    #[test]
    fn ids_refuse_rounded_numbers() {
        assert_eq!(id(&t("'4200000001202501010000000001\t")), Ok(Some("4200000001202501010000000001".into())));
        assert_eq!(id(&t("=\"4200000001\"")), Ok(Some("4200000001".into())));
        assert_eq!(id(&Cell::Float(400000000002.0)), Ok(Some("400000000002".into())));
        assert!(id(&Cell::Float(4.2e27)).unwrap_err().contains("rounded"));
        assert!(id(&t("a b")).unwrap_err().contains("spaces"));
    }

    #[test]
    fn instants_in_every_export_style() {
        let tz = shanghai();
        let noon = at("2025-10-25T04:00:00Z");
        for s in [
            "2025-10-25 12:00:00",
            "2025/10/25 12:00",
            "2025年10月25日 12:00:00",
            "2025-10-25T12:00:00+08:00",
            "2025-10-25T12:00:00.000+0800",
            "2025/10/25",
        ] {
            assert_eq!(instant(&t(s), &tz, DateOnly::Noon), Ok(Some(noon)), "{s}");
        }
        assert_eq!(instant(&t("2025-10-25"), &tz, DateOnly::Midnight), Ok(Some(at("2025-10-24T16:00:00Z"))));
        assert_eq!(
            instant(&t("2025-10-25 12:00:00.250"), &tz, DateOnly::Noon),
            Ok(Some(at("2025-10-25T04:00:00.25Z")))
        );
        assert_eq!(instant(&t("1761364800"), &tz, DateOnly::Noon), Ok(Some(noon)));
        assert_eq!(instant(&t("1761364800000"), &tz, DateOnly::Noon), Ok(Some(noon)));
        // Spreadsheet serial: 45955.5 = 2025-10-25 12:00 (1900 system).
        assert_eq!(instant(&Cell::Float(45955.5), &tz, DateOnly::Noon), Ok(Some(noon)));
        assert!(instant(&t("2025-02-30 12:00"), &tz, DateOnly::Noon).unwrap_err().contains("is not a date and time"));
        assert!(instant(&t("yesterday"), &tz, DateOnly::Noon).is_err());
    }

    #[test]
    fn yes_no_and_counts() {
        assert_eq!(yes_no(&t("是")), Ok(Some(true)));
        assert_eq!(yes_no(&t("否")), Ok(Some(false)));
        assert_eq!(yes_no(&Cell::Empty), Ok(None));
        assert!(yes_no(&t("也许")).is_err());
        assert_eq!(count(&Cell::Float(3.0)), Ok(Some(3)));
        assert!(count(&t("-1")).is_err());
    }

    proptest::proptest! {
        /// Any whole-fen amount a spreadsheet stores as a float comes back as exactly that many fen,
        /// and as text in yuan too.
        #[test]
        fn spreadsheet_floats_round_to_exact_fen(fen in 1i64..100_000_000_000) {
            let f = fen as f64 / 100.0;
            proptest::prop_assert_eq!(money(&Cell::Float(f)), Ok(Some(Money::from_fen(fen))));
            proptest::prop_assert_eq!(money(&t(&Money::from_fen(fen).to_string())), Ok(Some(Money::from_fen(fen))));
        }

        /// A third decimal that is not zero is always refused.
        #[test]
        fn sub_fen_amounts_are_refused(fen in 0i64..10_000_000, milli in 1i64..10) {
            let text = format!("{}.{:02}{milli}", fen / 100, fen % 100);
            proptest::prop_assert!(money(&t(&text)).is_err());
            let f: f64 = text.parse().unwrap();
            proptest::prop_assert!(money(&Cell::Float(f)).is_err(), "{}", text);
        }
    }
}
