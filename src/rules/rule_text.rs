//! The zsxq project's rule text ("完成7天打卡，押金39全退"), read and compared
//! with camps.toml. camps.toml decides; every difference is a visible warning on
//! the camp, never a silent choice. Also explains zsxq's `checkin_days` + 1
//! calendar-day window.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::config::Camp;
use crate::domain::{CheckinProject, Day, DayRule, Money};

/// What the rule text says, as far as it could be read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedRule {
    /// Days needed for the deposit back ("完成7天打卡"), when exactly one value is stated.
    pub required_days: Option<u32>,
    /// Camp length from the "10天7打" shorthand, when stated.
    pub camp_days: Option<u32>,
    /// The deposit ("押金39", "交押金39元"), when exactly one value is stated.
    pub deposit: Option<Money>,
    /// Whether the text promises the whole deposit back ("全退", "全额").
    pub full_refund: bool,
    /// Every distinct day count read as a requirement, in order of appearance.
    pub required_candidates: Vec<u32>,
    /// Every distinct deposit read, in order of appearance.
    pub deposit_candidates: Vec<Money>,
    /// The clause the rule was read from (normalised), to show for confirmation.
    pub clause: Option<String>,
}

/// How much a camp warning matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// An explanation; nothing to fix.
    Info,
    /// A difference a person should confirm or fix.
    Warning,
}

/// A note or warning shown on the camp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleWarning {
    /// Stable code, e.g. `required_mismatch`.
    pub code: String,
    /// Info or warning.
    pub severity: Severity,
    /// What it means, in Chinese.
    pub message: String,
}

impl RuleWarning {
    /// A warning.
    pub fn warning(code: &str, message: impl Into<String>) -> RuleWarning {
        RuleWarning { code: code.to_string(), severity: Severity::Warning, message: message.into() }
    }

    /// An explanation.
    pub fn info(code: &str, message: impl Into<String>) -> RuleWarning {
        RuleWarning { code: code.to_string(), severity: Severity::Info, message: message.into() }
    }
}

const NUMERALS: &str = "零〇一二两三四五六七八九十百";

/// The value of a Chinese numeral up to 999 ("七" 7, "十四" 14, "三十九" 39,
/// "一百零五" 105); `None` for anything else.
pub fn chinese_number(text: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    let mut seen_any = false;
    for c in text.chars() {
        seen_any = true;
        let d = match c {
            '零' | '〇' => {
                if digit.is_some() {
                    return None;
                }
                continue;
            }
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            '十' | '百' => {
                let unit = if c == '十' { 10 } else { 100 };
                if unit == 100 && total > 0 {
                    return None;
                }
                if unit == 10 && total % 100 >= 10 {
                    return None;
                }
                total += digit.take().unwrap_or(1) * unit;
                continue;
            }
            _ => return None,
        };
        if digit.is_some() {
            return None;
        }
        digit = Some(d);
    }
    seen_any.then(|| total + digit.unwrap_or(0))
}

/// NFKC (full-width digits and punctuation become ASCII), whitespace removed,
/// lower case, and Chinese numerals before 天/日/元/块/打/次 turned into digits.
fn normalise(text: &str) -> String {
    let folded: String = text.nfkc().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    let mut i = 0;
    while i < chars.len() {
        if NUMERALS.contains(chars[i]) {
            let run_end = (i..chars.len()).find(|&j| !NUMERALS.contains(chars[j])).unwrap_or(chars.len());
            let run: String = chars[i..run_end].iter().collect();
            let unit_follows = chars.get(run_end).is_some_and(|c| "天日元块打次".contains(*c));
            match chinese_number(&run) {
                Some(n) if unit_follows => out.push_str(&n.to_string()),
                _ => out.push_str(&run),
            }
            i = run_end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

static SHORTHAND: LazyLock<Regex> = LazyLock::new(|| constant_regex(r"(\d{1,3})[天日](\d{1,3})打"));
static REQUIRED_STRONG: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(r"(?:完成(?:打卡)?|打卡(?:满|够|达到)|打满|(?:满|够|达到)(?:打卡)?)(\d{1,3})[天日次]")
});
static REQUIRED_WEAK: LazyLock<Regex> =
    LazyLock::new(|| constant_regex(r"(?:累计(?:打卡)?|至少(?:打卡)?|坚持(?:打卡)?|打卡)(\d{1,3})[天日次]"));
static DEPOSIT: LazyLock<Regex> = LazyLock::new(|| {
    constant_regex(r"押金(?:为|是|:|共)?(?:¥|rmb)?(\d{1,6}(?:\.\d{1,2})?)|(\d{1,6}(?:\.\d{1,2})?)(?:元|块)(?:的)?押金")
});
static FULL_REFUND: LazyLock<Regex> = LazyLock::new(|| constant_regex(r"全退|全额|全部退|全部返还|如数退"));

/// Compiles one of the constant patterns above (a unit test compiles them all).
fn constant_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant rule-text pattern compiles")
}

fn push_distinct<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The clause (between 。；! ? or line breaks) of `text` around byte `at`.
fn clause_at(text: &str, at: usize) -> String {
    let is_stop = |c: char| matches!(c, '。' | ';' | '!' | '?' | '\n');
    let start = text[..at].rfind(is_stop).map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
    let end = text[at..].find(is_stop).map_or(text.len(), |i| at + i);
    text[start..end].to_string()
}

/// Reads the refund rule out of a project's text.
pub fn parse_rule_text(text: &str) -> ParsedRule {
    // Keep line breaks as clause boundaries: NFKC would keep them but the
    // whitespace filter drops them, so mark them first.
    let marked = text.replace("\r\n", "\n").replace('\n', "。");
    let norm = normalise(&marked);
    let mut rule = ParsedRule::default();
    let mut first_at: Option<usize> = None;

    for c in SHORTHAND.captures_iter(&norm) {
        if let (Some(d), Some(r)) = (c.get(1), c.get(2)) {
            rule.camp_days = rule.camp_days.or(d.as_str().parse().ok());
            if let Ok(n) = r.as_str().parse() {
                push_distinct(&mut rule.required_candidates, n);
            }
            first_at = first_at.or(Some(d.start()));
        }
    }
    for re in [&*REQUIRED_STRONG, &*REQUIRED_WEAK] {
        if !rule.required_candidates.is_empty() {
            break;
        }
        for c in re.captures_iter(&norm) {
            if let Some(m) = c.get(1)
                && let Ok(n) = m.as_str().parse::<u32>()
                && n > 0
            {
                push_distinct(&mut rule.required_candidates, n);
                first_at = first_at.or(Some(m.start()));
            }
        }
    }
    let mut deposit_at = None;
    for c in DEPOSIT.captures_iter(&norm) {
        if let Some(m) = c.get(1).or_else(|| c.get(2))
            && let Ok(money) = Money::parse_yuan(m.as_str())
            && money.is_positive()
        {
            push_distinct(&mut rule.deposit_candidates, money);
            deposit_at = deposit_at.or(Some(m.start()));
        }
    }
    rule.full_refund = FULL_REFUND.is_match(&norm);
    rule.required_days = match rule.required_candidates.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    rule.deposit = match rule.deposit_candidates.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    rule.clause = first_at.or(deposit_at).map(|at| clause_at(&norm, at)).filter(|c| !c.is_empty());
    rule
}

fn list<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join("、")
}

/// Compares the project (its rule text, window and settings) with the camp.
/// Returns what the text says and every note and warning.
pub fn check_rule(
    camp: &Camp,
    project: Option<&CheckinProject>,
    day_rule: &DayRule,
) -> (Option<ParsedRule>, Vec<RuleWarning>) {
    let mut out = Vec::new();
    let Some(project) = project else {
        match &camp.checkin_id {
            Some(id) => out.push(RuleWarning::warning(
                "project_not_synced",
                format!("打卡项目 {id} 尚未同步：项目规则、有效期和最少字数都还无法核对"),
            )),
            None => out.push(RuleWarning::warning(
                "no_checkin_project",
                "camps.toml 没有为本营设置 checkin_id：无法统计打卡，所有判定都需要人工复核",
            )),
        }
        return (None, out);
    };
    if camp.checkin_id.as_ref().is_some_and(|id| *id != project.checkin_id) {
        out.push(RuleWarning::warning(
            "project_mismatch",
            format!(
                "同步到的打卡项目是 {}，camps.toml 中的 checkin_id 是 {}：请确认用的是哪个项目",
                project.checkin_id,
                camp.checkin_id.as_ref().map_or("", |c| c.as_str())
            ),
        ));
    }

    let parsed = project.text.as_deref().filter(|t| !t.trim().is_empty()).map(parse_rule_text);
    compare_text(camp, parsed.as_ref(), &mut out);
    explain_window(camp, project, day_rule, &mut out);

    if let Some(cd) = project.checkin_days
        && cd != camp.required
    {
        out.push(RuleWarning::info(
            "completion_differs",
            format!(
                "zsxq 的“完成”人数按项目的 checkin_days = {cd} 天计算；退押金按 camps.toml 的 required = {} 天判断，两者不同属正常",
                camp.required
            ),
        ));
    }
    let project_min = project.min_words_count.filter(|m| *m > 0);
    match (camp.min_words, project_min) {
        (None, Some(m)) => out.push(RuleWarning::info(
            "min_words_from_project",
            format!("沿用打卡项目的最少字数 {m}：不足 {m} 字的打卡照常计数，但标为“可能水卡”送人工复核"),
        )),
        (Some(c), Some(m)) if c != m => out.push(RuleWarning::info(
            "min_words_differs",
            format!("camps.toml 的 min_words = {c} 与打卡项目的最少字数 {m} 不同：按 camps.toml 的 {c} 标记短打卡"),
        )),
        _ => {}
    }
    (parsed, out)
}

fn compare_text(camp: &Camp, parsed: Option<&ParsedRule>, out: &mut Vec<RuleWarning>) {
    let confirm = format!("{}/{} 天、押金 {} 元", camp.required, camp.days, camp.deposit);
    let Some(p) = parsed else {
        out.push(RuleWarning::warning(
            "rule_text_missing",
            format!("打卡项目没有规则说明：请人工确认本营规则（camps.toml：{confirm}）"),
        ));
        return;
    };
    match (p.required_candidates.as_slice(), p.required_days) {
        ([], _) => out.push(RuleWarning::warning(
            "rule_unparsed",
            format!("没能从项目说明中读出打卡天数要求：请人工确认本营规则（camps.toml：{confirm}）"),
        )),
        (many, None) => out.push(RuleWarning::warning(
            "rule_ambiguous",
            format!(
                "项目说明中出现多个打卡天数（{}）：按 camps.toml 的 required = {} 判断，请确认",
                list(many),
                camp.required
            ),
        )),
        (_, Some(r)) if r != camp.required => out.push(RuleWarning::warning(
            "required_mismatch",
            format!(
                "项目说明要求完成 {r} 天，camps.toml 的 required = {}：按 camps.toml 判断，请确认哪个是对的",
                camp.required
            ),
        )),
        _ => {}
    }
    if let Some(d) = p.camp_days
        && d != camp.days
    {
        out.push(RuleWarning::warning(
            "days_mismatch",
            format!(
                "项目说明写的是 {d} 天的营，camps.toml 的营期是 {} 天（{} 至 {}）",
                camp.days, camp.start, camp.end
            ),
        ));
    }
    match (p.deposit_candidates.as_slice(), p.deposit) {
        ([], _) => out.push(RuleWarning::info(
            "deposit_unstated",
            format!("项目说明没有写押金金额：按 camps.toml 的 {} 元", camp.deposit),
        )),
        (many, None) => out.push(RuleWarning::warning(
            "deposit_ambiguous",
            format!("项目说明中出现多个押金金额（{} 元）：按 camps.toml 的 {} 元，请确认", list(many), camp.deposit),
        )),
        (_, Some(d)) if d != camp.deposit => out.push(RuleWarning::warning(
            "deposit_mismatch",
            format!("项目说明写押金 {d} 元，camps.toml 的 deposit = {} 元：请确认哪个是对的", camp.deposit),
        )),
        _ => {}
    }
}

/// The project's calendar window against the camp's, and the `checkin_days` + 1 note.
fn explain_window(camp: &Camp, project: &CheckinProject, day_rule: &DayRule, out: &mut Vec<RuleWarning>) {
    let rule = camp.day_rule(day_rule);
    let Some(created) = project.created_at.map(|t| rule.day_of(t)) else {
        return;
    };
    let Some(expires) = project.expires_at.map(|t| rule.day_of(t)) else {
        out.push(RuleWarning::info(
            "project_open_ended",
            format!("打卡项目长期有效（没有截止日）：只统计营期 {} 至 {} 内的打卡", camp.start, camp.end),
        ));
        return;
    };
    let span = u32::try_from(created.days_until(expires) + 1).unwrap_or(0);
    if let Some(cd) = project.checkin_days
        && span == cd + 1
    {
        out.push(RuleWarning::info("window_plus_one", window_plus_one_note(cd, created, expires)));
    }
    if (created, expires) != (camp.start, camp.end) {
        let effect = if created > camp.start || expires < camp.end {
            "营期中有几天不在项目有效期内，成员那几天可能无法打卡"
        } else {
            "项目有效期内、营期外的打卡不计入"
        };
        out.push(RuleWarning::warning(
            "window_mismatch",
            format!(
                "打卡项目有效期 {created} 至 {expires}（{span} 天）与营期 {} 至 {}（{} 天）不一致：{effect}",
                camp.start, camp.end, camp.days
            ),
        ));
    }
}

/// The human explanation of zsxq's `checkin_days` + 1 window.
pub fn window_plus_one_note(checkin_days: u32, created: Day, expires: Day) -> String {
    format!(
        "zsxq 项目的 checkin_days = {checkin_days}，但有效期从创建日 {created} 到截止日 {expires} 共 {} 个自然日\
         （checkin_days + 1）：创建当天也能打卡，所以排行榜上最多可能出现 {} 天。",
        checkin_days + 1,
        checkin_days + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(y: &str) -> Money {
        Money::parse_yuan(y).unwrap()
    }

    #[test]
    fn chinese_numerals() {
        for (text, n) in [
            ("七", 7),
            ("十", 10),
            ("十四", 14),
            ("二十一", 21),
            ("三十九", 39),
            ("两", 2),
            ("一百零五", 105),
            ("一百", 100),
        ] {
            assert_eq!(chinese_number(text), Some(n), "{text}");
        }
        for bad in ["", "三九", "十十", "百百", "x"] {
            assert_eq!(chinese_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_captured_rule_text() {
        let text = "1、#某某星球打卡后，以星球打卡次数为准，不允许水卡和摸鱼，认真打卡，对得起自己。\r\n\
                    2、退押金规则：\n完成7天打卡，押金39全退，未完成7天打卡或者水卡的押金不退，数据以星球的累计打卡排行榜为准，\
                    截止日期以「项目群公告」的说明为准。\r\n3、加小助手微信：abc12345交押金39元进群。";
        let r = parse_rule_text(text);
        assert_eq!(r.required_days, Some(7));
        assert_eq!(r.deposit, Some(money("39")));
        assert!(r.full_refund);
        assert_eq!(r.camp_days, None);
        assert!(r.clause.as_deref().is_some_and(|c| c.starts_with("完成7天打卡,押金39全退")), "{:?}", r.clause);
    }

    #[test]
    fn variants_read_the_same() {
        for text in [
            "完成7天打卡，押金39全退",
            "完成7天打卡,押金39全退",
            "完成 7 天打卡 , 押金 39 元全退",
            "完成７天打卡，押金３９元全退",
            "完成七天打卡，押金三十九元全退",
            "打卡满7天，押金39元全额退还",
            "交押金￥39，累计打卡7天即可全退",
            "完成打卡7天；押金:39.00元全退",
        ] {
            let r = parse_rule_text(text);
            assert_eq!(r.required_days, Some(7), "{text}");
            assert_eq!(r.deposit, Some(money("39")), "{text}");
            assert!(r.full_refund, "{text}");
        }
    }

    #[test]
    fn shorthand_gives_days_and_requirement() {
        let r = parse_rule_text("本营10天7打，押金49元");
        assert_eq!(r.camp_days, Some(10));
        assert_eq!(r.required_days, Some(7));
        assert_eq!(r.deposit, Some(money("49")));
        let r = parse_rule_text("十四天十打");
        assert_eq!((r.camp_days, r.required_days), (Some(14), Some(10)));
    }

    #[test]
    fn ambiguous_and_absent_values_are_not_guessed() {
        let r = parse_rule_text("完成7天打卡押金39全退；完成10天打卡押金49全退");
        assert_eq!(r.required_days, None);
        assert_eq!(r.required_candidates, vec![7, 10]);
        assert_eq!(r.deposit, None);
        assert_eq!(r.deposit_candidates, vec![money("39"), money("49")]);
        let r = parse_rule_text("每天分享一个学习心得");
        assert_eq!(r, ParsedRule::default());
    }
}
