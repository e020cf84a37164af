//! Camp attribution: which camp a payment belongs to. Pure.
//!
//! The rules narrow the configured camps step by step:
//! 1. **payee**: the camp's `payee` must be the bill's payee (a camp without a
//!    payee accepts any; a bill without a payee is checked by the other rules only);
//! 2. **window**: the payment's calendar day (in the configured zone) lies in
//!    `enroll_from()..=end`;
//! 3. **keyword**: camps whose `payment_keyword` appears in the description or
//!    remark win; otherwise only camps without a keyword stay;
//! 4. **amount**: camps whose deposit equals the amount win; when none does, the
//!    payment still attributes by the rules above and the mismatch is noted.
//!
//! Exactly one camp left → [`Attribution::Rules`] with notes saying which rules
//! held. None or several → [`Attribution::Unattributed`] with the reason.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use unicode_normalization::UnicodeNormalization;

use crate::config::Camp;
use crate::domain::{Attribution, CampId, Day, DayCutoff, DayRule, Money};

/// The facts of a payment that attribution looks at.
#[derive(Clone, Copy, Debug)]
pub struct PaymentFacts<'a> {
    /// The collecting member's userid.
    pub payee: Option<&'a str>,
    /// Amount paid.
    pub amount: Money,
    /// When it was paid.
    pub paid_at: Timestamp,
    /// Commodity description.
    pub description: Option<&'a str>,
    /// Payer's remark.
    pub remark: &'a str,
}

/// The outcome: the camp (if exactly one fits) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributionOutcome {
    /// The camp, when exactly one fits.
    pub camp: Option<CampId>,
    /// Why.
    pub attribution: Attribution,
    /// Set when the camp was chosen although the amount differs from its deposit.
    pub amount_mismatch: bool,
}

fn normalise(text: &str) -> String {
    text.nfkc().flat_map(char::to_lowercase).collect::<String>()
}

fn keyword_found(camp: &Camp, facts: &PaymentFacts<'_>) -> Option<&'static str> {
    let keyword = normalise(camp.payment_keyword.as_deref()?.trim());
    if keyword.is_empty() {
        return None;
    }
    if facts.description.is_some_and(|d| normalise(d).contains(&keyword)) {
        Some("description")
    } else if normalise(facts.remark).contains(&keyword) {
        Some("remark")
    } else {
        None
    }
}

fn has_keyword(camp: &Camp) -> bool {
    camp.payment_keyword.as_deref().is_some_and(|k| !k.trim().is_empty())
}

fn ids(camps: &[&Camp]) -> String {
    camps.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
}

fn unattributed(reason: String) -> AttributionOutcome {
    AttributionOutcome { camp: None, attribution: Attribution::Unattributed { reason }, amount_mismatch: false }
}

/// Attributes a payment to one of `camps` (calendar days in `tz`).
pub fn attribute(facts: &PaymentFacts<'_>, camps: &[Camp], tz: &TimeZone) -> AttributionOutcome {
    let day = DayRule::new(tz.clone(), DayCutoff::MIDNIGHT).day_of(facts.paid_at);
    if camps.is_empty() {
        return unattributed("no camps are configured".to_string());
    }

    // 1. payee
    let by_payee: Vec<&Camp> = camps
        .iter()
        .filter(|c| match (&c.payee, facts.payee) {
            (Some(camp_payee), Some(payee)) => camp_payee.as_str() == payee,
            _ => true,
        })
        .collect();
    if by_payee.is_empty() {
        let payee = facts.payee.unwrap_or_default();
        return unattributed(format!("no camp collects through payee {payee}"));
    }

    // 2. window
    let in_window = |c: &Camp| c.enroll_from() <= day && day <= c.end;
    let by_window: Vec<&Camp> = by_payee.iter().copied().filter(|c| in_window(c)).collect();
    if by_window.is_empty() {
        let windows =
            by_payee.iter().map(|c| format!("{} {}..={}", c.id, c.enroll_from(), c.end)).collect::<Vec<_>>().join(", ");
        let whose = match facts.payee {
            Some(p) => format!("of payee {p}"),
            None => "of any camp".to_string(),
        };
        return unattributed(format!("paid {day}, outside the enrolment window {whose} ({windows})"));
    }

    // 3. keyword
    let with_keyword: Vec<(&Camp, &'static str)> =
        by_window.iter().filter_map(|c| keyword_found(c, facts).map(|field| (*c, field))).collect();
    let (by_keyword, keyword_note): (Vec<&Camp>, Option<String>) = if !with_keyword.is_empty() {
        let note = if with_keyword.len() == 1 {
            let (c, field) = with_keyword[0];
            Some(format!("keyword \"{}\" found in the {field}", c.payment_keyword.as_deref().unwrap_or_default()))
        } else {
            None
        };
        (with_keyword.iter().map(|(c, _)| *c).collect(), note)
    } else {
        let plain: Vec<&Camp> = by_window.iter().copied().filter(|c| !has_keyword(c)).collect();
        if plain.is_empty() {
            let keywords = by_window
                .iter()
                .map(|c| format!("{} \"{}\"", c.id, c.payment_keyword.as_deref().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ");
            return unattributed(format!(
                "payee and date fit {}, but no camp's keyword ({keywords}) is in the description or remark",
                ids(&by_window)
            ));
        }
        (plain, None)
    };

    // 4. amount
    let exact: Vec<&Camp> = by_keyword.iter().copied().filter(|c| c.deposit == facts.amount).collect();
    let (finalists, amount_ok) = if exact.is_empty() { (by_keyword, false) } else { (exact, true) };
    if finalists.len() > 1 {
        return unattributed(format!(
            "fits several camps ({}): same payee, paid {day} within each window, {}; set payment_keyword to tell them apart",
            ids(&finalists),
            if amount_ok { "same deposit" } else { "amount matches no deposit" }
        ));
    }
    let camp = finalists[0];
    let mut notes = Vec::new();
    match (&camp.payee, facts.payee) {
        (Some(p), Some(_)) => notes.push(format!("payee {p} collects for this camp")),
        (None, _) => notes.push("the camp names no payee: payee not checked".to_string()),
        (Some(_), None) => notes.push("the payment names no payee: payee not checked".to_string()),
    }
    notes.push(format!("paid {day}, within enrolment {}..={}", camp.enroll_from(), camp.end));
    if let Some(n) = keyword_note {
        notes.push(n);
    }
    if amount_ok {
        notes.push(format!("amount {} matches the deposit", facts.amount));
    } else {
        notes.push(format!("amount {} differs from the deposit {}", facts.amount, camp.deposit));
    }
    AttributionOutcome {
        camp: Some(camp.id.clone()),
        attribution: Attribution::Rules { notes },
        amount_mismatch: !amount_ok,
    }
}

/// The calendar day of an instant in `tz` (midnight cutoff), as attribution sees it.
pub fn payment_day(paid_at: Timestamp, tz: &TimeZone) -> Day {
    DayRule::new(tz.clone(), DayCutoff::MIDNIGHT).day_of(paid_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;
    use crate::domain::time::shanghai;

    const BASE: &str = r#"
[templates.t]
days = 10
required = 7
deposit = "39.00"

[[camps]]
id = "a"
name = "A"
template = "t"
start = "2025-10-25"
payee = "zhangsan"

[[camps]]
id = "b"
name = "B"
template = "t"
start = "2025-11-10"
payee = "zhangsan"
payment_keyword = "写作营"
deposit = "49.00"

[[camps]]
id = "c"
name = "C"
template = "t"
start = "2025-10-25"
payee = "lisi"
"#;

    fn camps(extra: &str) -> Vec<Camp> {
        let text = format!("{BASE}{extra}");
        parse_str(&text, std::path::Path::new("camps.toml")).unwrap().camps
    }

    /// 12:00 Shanghai on the given date.
    fn noon(date: &str) -> Timestamp {
        format!("{date}T12:00:00+08:00").parse().unwrap()
    }

    fn facts<'a>(payee: Option<&'a str>, yuan: &str, date: &str, remark: &'a str) -> PaymentFacts<'a> {
        PaymentFacts { payee, amount: Money::parse_yuan(yuan).unwrap(), paid_at: noon(date), description: None, remark }
    }

    fn camp_of(o: &AttributionOutcome) -> Option<&str> {
        o.camp.as_ref().map(|c| c.as_str())
    }

    fn reason(o: &AttributionOutcome) -> &str {
        match &o.attribution {
            Attribution::Unattributed { reason } => reason,
            other => panic!("expected unattributed, got {other:?}"),
        }
    }

    #[test]
    fn payee_and_window_pick_the_camp() {
        let cs = camps("");
        let o = attribute(&facts(Some("lisi"), "39", "2025-10-20", ""), &cs, &shanghai());
        assert_eq!(camp_of(&o), Some("c"));
        let Attribution::Rules { notes } = &o.attribution else { panic!() };
        assert!(notes.iter().any(|n| n == "payee lisi collects for this camp"), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("amount 39.00 matches the deposit")), "{notes:?}");
        assert!(!o.amount_mismatch);
    }

    #[test]
    fn unknown_payee_is_unattributed() {
        let cs = camps("");
        let o = attribute(&facts(Some("wangwu"), "39", "2025-10-20", ""), &cs, &shanghai());
        assert_eq!(o.camp, None);
        assert_eq!(reason(&o), "no camp collects through payee wangwu");
    }

    #[test]
    fn the_window_is_enroll_from_through_end_in_shanghai_days() {
        let cs = camps("");
        // Camp c: start 2025-10-25, enroll_from = start - 30 days = 2025-09-25, end 2025-11-03.
        let first = "2025-09-24T16:00:00Z".parse().unwrap(); // 00:00 on 09-25 in Shanghai
        let before = "2025-09-24T15:59:59Z".parse().unwrap(); // 23:59:59 on 09-24
        let last = "2025-11-03T15:59:59Z".parse().unwrap(); // 23:59:59 on 11-03
        let after = "2025-11-03T16:00:00Z".parse().unwrap(); // 00:00 on 11-04
        let f = |paid_at| PaymentFacts { paid_at, ..facts(Some("lisi"), "39", "2025-10-01", "") };
        assert_eq!(camp_of(&attribute(&f(first), &cs, &shanghai())), Some("c"));
        assert_eq!(camp_of(&attribute(&f(last), &cs, &shanghai())), Some("c"));
        let o = attribute(&f(before), &cs, &shanghai());
        assert_eq!(o.camp, None);
        assert_eq!(
            reason(&o),
            "paid 2025-09-24, outside the enrolment window of payee lisi (c 2025-09-25..=2025-11-03)"
        );
        assert_eq!(attribute(&f(after), &cs, &shanghai()).camp, None);
    }

    #[test]
    fn enroll_start_overrides_the_default_window() {
        let cs = camps(
            "\n[[camps]]\nid = \"d\"\nname = \"D\"\ntemplate = \"t\"\nstart = \"2026-01-10\"\npayee = \"zhaoliu\"\nenroll_start = \"2026-01-01\"\n",
        );
        assert_eq!(attribute(&facts(Some("zhaoliu"), "39", "2025-12-31", ""), &cs, &shanghai()).camp, None);
        assert_eq!(camp_of(&attribute(&facts(Some("zhaoliu"), "39", "2026-01-01", ""), &cs, &shanghai())), Some("d"));
    }

    #[test]
    fn keyword_narrows_camps_that_share_a_payee() {
        let cs = camps("");
        // 2025-11-01: within a (09-25..11-03) and b (10-11..11-19), both payee zhangsan.
        let with = attribute(&facts(Some("zhangsan"), "49", "2025-11-01", "报名写作营 小明"), &cs, &shanghai());
        assert_eq!(camp_of(&with), Some("b"));
        let Attribution::Rules { notes } = &with.attribution else { panic!() };
        assert!(notes.contains(&"keyword \"写作营\" found in the remark".to_string()), "{notes:?}");
        // Without the keyword the camp that needs none is left.
        let without = attribute(&facts(Some("zhangsan"), "39", "2025-11-01", "小明"), &cs, &shanghai());
        assert_eq!(camp_of(&without), Some("a"));
        // The keyword may be in the description, in full-width or another case.
        let desc = PaymentFacts {
            description: Some("ＡＩ写作营押金"),
            ..facts(Some("zhangsan"), "49", "2025-11-01", "")
        };
        assert_eq!(camp_of(&attribute(&desc, &cs, &shanghai())), Some("b"));
    }

    #[test]
    fn a_missing_keyword_leaves_a_keyword_only_candidate_unattributed() {
        let cs = camps("");
        // 2025-11-10: only b's window (a ended 11-03).
        let o = attribute(&facts(Some("zhangsan"), "49", "2025-11-10", "小明"), &cs, &shanghai());
        assert_eq!(o.camp, None);
        assert!(
            reason(&o).contains("no camp's keyword (b \"写作营\") is in the description or remark"),
            "{}",
            reason(&o)
        );
    }

    #[test]
    fn a_wrong_amount_still_attributes_and_shows_the_mismatch() {
        let cs = camps("");
        let o = attribute(&facts(Some("lisi"), "38", "2025-10-20", ""), &cs, &shanghai());
        assert_eq!(camp_of(&o), Some("c"));
        assert!(o.amount_mismatch);
        let Attribution::Rules { notes } = &o.attribution else { panic!() };
        assert!(notes.contains(&"amount 38.00 differs from the deposit 39.00".to_string()), "{notes:?}");
    }

    #[test]
    fn the_amount_tells_camps_apart_and_ties_stay_unattributed() {
        let extra = "\n[[camps]]\nid = \"e\"\nname = \"E\"\ntemplate = \"t\"\nstart = \"2025-10-27\"\npayee = \"lisi\"\ndeposit = \"99.00\"\n";
        let cs = camps(extra);
        // c (39.00) and e (99.00) share payee lisi and overlapping windows: the amount decides.
        assert_eq!(camp_of(&attribute(&facts(Some("lisi"), "99", "2025-10-20", ""), &cs, &shanghai())), Some("e"));
        assert_eq!(camp_of(&attribute(&facts(Some("lisi"), "39", "2025-10-20", ""), &cs, &shanghai())), Some("c"));
        // An amount that fits neither: ambiguous.
        let o = attribute(&facts(Some("lisi"), "50", "2025-10-20", ""), &cs, &shanghai());
        assert_eq!(o.camp, None);
        assert!(reason(&o).starts_with("fits several camps (c, e)"), "{}", reason(&o));
        assert!(reason(&o).contains("amount matches no deposit"));
        // Same deposit, same payee, overlapping windows: ambiguous.
        let same =
            "\n[[camps]]\nid = \"f\"\nname = \"F\"\ntemplate = \"t\"\nstart = \"2025-10-27\"\npayee = \"lisi\"\n";
        let cs = camps(same);
        let o = attribute(&facts(Some("lisi"), "39", "2025-10-20", ""), &cs, &shanghai());
        assert_eq!(o.camp, None);
        assert!(reason(&o).contains("set payment_keyword"), "{}", reason(&o));
    }

    #[test]
    fn a_payment_without_payee_is_judged_by_the_other_rules() {
        let cs = camps("");
        // 2025-11-10 with keyword: only b.
        let o = attribute(&facts(None, "49", "2025-11-10", "写作营"), &cs, &shanghai());
        assert_eq!(camp_of(&o), Some("b"));
        let Attribution::Rules { notes } = &o.attribution else { panic!() };
        assert!(notes.contains(&"the payment names no payee: payee not checked".to_string()));
        // 2025-10-20 without keyword: a and c both fit, same deposit.
        assert_eq!(attribute(&facts(None, "39", "2025-10-20", ""), &cs, &shanghai()).camp, None);
    }

    #[test]
    fn no_camps_configured() {
        let o = attribute(&facts(Some("x"), "39", "2025-10-20", ""), &[], &shanghai());
        assert_eq!(reason(&o), "no camps are configured");
    }
}
