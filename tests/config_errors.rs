//! Broken camps.toml files: every error names its line, column and field, says
//! what is wrong, and no input panics.

use std::path::Path;

use campdesk::config::{ConfigError, parse_str};

const CAMP: &str = r#"
[[camps]]
id = "c1"
name = "Camp"
start = "2025-10-25"
end = "2025-11-03"
required = 7
deposit = "39.00"
"#;

struct Case {
    name: &'static str,
    toml: String,
    /// (line, col, field, words the message must contain)
    expect: Vec<(usize, usize, &'static str, &'static str)>,
}

fn case(name: &'static str, toml: &str, expect: Vec<(usize, usize, &'static str, &'static str)>) -> Case {
    Case { name, toml: toml.to_string(), expect }
}

fn errors_of(toml: &str) -> Vec<ConfigError> {
    match parse_str(toml, Path::new("camps.toml")) {
        Ok(_) => Vec::new(),
        Err(e) => e.0,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case(
            "misspelt top-level key",
            "timezon = \"Asia/Shanghai\"\n",
            vec![(1, 1, "timezon", "unknown key `timezon`; did you mean `timezone`?")],
        ),
        case(
            "misspelt camp key",
            "[[camps]]\nid = \"c1\"\nname = \"A\"\nstart = \"2025-10-25\"\nend = \"2025-11-03\"\nrequired = 7\ndepositt = \"39\"\n",
            vec![
                (1, 1, "camps[0] (c1).deposit", "missing required key `deposit`"),
                (7, 1, "camps[0].depositt", "unknown key `depositt`; did you mean `deposit`?"),
            ],
        ),
        case(
            "unknown template",
            &format!("[templates.std-10-7]\ndays = 10\n{}template = \"std-10-8\"\n", CAMP.trim_start()),
            vec![(10, 12, "camps[0] (c1).template", "unknown template `std-10-8`; did you mean `std-10-7`?")],
        ),
        case("duplicate camp id", &format!("{CAMP}{CAMP}"), vec![(11, 6, "camps[1].id", "duplicate camp id `c1`")]),
        case(
            "end before start",
            "[[camps]]\nid = \"c1\"\nname = \"A\"\nstart = \"2025-11-03\"\nend = \"2025-10-25\"\nrequired = 7\ndeposit = \"39\"\n",
            vec![(5, 7, "camps[0] (c1).end", "end 2025-10-25 is before start 2025-11-03")],
        ),
        case(
            "required more than the days the dates span",
            &CAMP.replace("required = 7", "required = 11"),
            vec![(7, 12, "camps[0] (c1).required", "required = 11 is more than the camp's 10 days")],
        ),
        case(
            "deposit with three decimals",
            &CAMP.replace("\"39.00\"", "\"39.001\""),
            vec![(8, 11, "camps[0] (c1).deposit", "`39.001` has more than 2 decimals")],
        ),
        case(
            "negative deposit",
            &CAMP.replace("\"39.00\"", "\"-1\""),
            vec![(8, 11, "camps[0] (c1).deposit", "`-1` must be a positive amount")],
        ),
        case(
            "deposit that is not a number",
            &CAMP.replace("\"39.00\"", "\"abc\""),
            vec![(8, 11, "camps[0] (c1).deposit", "`abc` is not an amount in yuan")],
        ),
        case(
            "deposit written as a float",
            &CAMP.replace("\"39.00\"", "39.5"),
            vec![(8, 11, "camps[0] (c1).deposit", "write amounts in yuan as a string")],
        ),
        case(
            "impossible date",
            &CAMP.replace("2025-10-25", "2025-13-01"),
            vec![(5, 9, "camps[0] (c1).start", "`2025-13-01` is not a date; write it as YYYY-MM-DD")],
        ),
        case(
            "unknown time zone",
            &format!("timezone = \"Asia/Shangai\"\n{CAMP}"),
            vec![(1, 12, "timezone", "`Asia/Shangai` is not a known time zone")],
        ),
        case(
            "secret written inline",
            "[zsxq]\ngroup_id = \"1\"\ntoken = \"ABCDEF-TOPSECRET\"\n",
            vec![(3, 9, "zsxq.token", "secrets must not be written in camps.toml")],
        ),
        case(
            "secret reference with two sources",
            "[zsxq]\ngroup_id = \"1\"\ntoken = { env = \"A\", file = \"b\" }\n",
            vec![(3, 9, "zsxq.token", "write exactly one of")],
        ),
        case(
            "days disagree with the dates",
            &CAMP.replace("required = 7", "days = 9\nrequired = 7"),
            vec![(7, 8, "camps[0] (c1).days", "days = 9 but 2025-10-25 to 2025-11-03 is 10 days")],
        ),
        case(
            "missing deposit",
            &CAMP.replace("deposit = \"39.00\"\n", ""),
            vec![(2, 1, "camps[0] (c1).deposit", "missing required key `deposit`")],
        ),
        case(
            "day cutoff out of range",
            &format!("day_cutoff = \"25:00\"\n{CAMP}"),
            vec![(1, 14, "day_cutoff", "`25:00` is not a time of day")],
        ),
        case(
            "required written as a string",
            &CAMP.replace("required = 7", "required = \"7\""),
            vec![(7, 12, "camps[0] (c1).required", "expected a whole number, found string")],
        ),
        case(
            "wxpay camp without merchant keys",
            &CAMP.replace("deposit = \"39.00\"", "deposit = \"39.00\"\nrefund_via = \"wxpay\""),
            vec![(2, 1, "wxpay", "there is no [wxpay] section")],
        ),
        case(
            "misspelt automation level",
            &CAMP.replace("deposit = \"39.00\"", "deposit = \"39.00\"\nautomation = \"autp\""),
            vec![(
                9,
                14,
                "camps[0] (c1).automation",
                "`autp` is not one of \"semi\", \"auto\", \"manual\"; did you mean \"auto\"?",
            )],
        ),
        case(
            "too many automatic refund retries",
            "[wxpay]\nmch_id = \"1\"\nserial_no = \"S\"\nprivate_key = { env = \"K\" }\nplatform_public_key = { env = \"P\" }\nplatform_public_key_id = \"PUB_KEY_ID_1\"\napi_v3_key = { env = \"V\" }\nauto_retries = 9\n",
            vec![(8, 16, "wxpay.auto_retries", "5")],
        ),
        case(
            "camp without an id",
            "[[camps]]\nname = \"A\"\nstart = \"2025-10-25\"\ndays = 10\nrequired = 7\ndeposit = \"39\"\n",
            vec![(1, 1, "camps[0].id", "missing required key `id`")],
        ),
        case("unterminated string", "timezone = \"Asia/Shanghai\n", vec![(1, 26, "", "invalid basic string")]),
    ]
}

#[test]
fn each_broken_config_gets_its_error_at_its_place() {
    let all = cases();
    assert!(all.len() >= 15);
    for c in all {
        let got = errors_of(&c.toml);
        let shown: Vec<String> = got.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), c.expect.len(), "{}: expected {} error(s), got {shown:#?}", c.name, c.expect.len());
        for (e, (line, col, field, words)) in got.iter().zip(&c.expect) {
            assert_eq!((e.line, e.col), (*line, *col), "{}: wrong position for {e}", c.name);
            assert_eq!(e.field, *field, "{}: wrong field for {e}", c.name);
            assert!(e.message.contains(words), "{}: `{}` lacks `{words}`", c.name, e.message);
            assert!(e.to_string().starts_with(&format!("camps.toml:{line}:{col}: ")), "{}: {e}", c.name);
        }
    }
}

#[test]
fn inline_secrets_are_never_echoed() {
    let errors = errors_of("[zsxq]\ngroup_id = \"1\"\ntoken = \"ABCDEF-TOPSECRET\"\n");
    let text: String = errors.iter().map(ToString::to_string).collect();
    assert!(!text.contains("TOPSECRET"), "{text}");
    assert!(text.contains("{ env = \"CAMPDESK_ZSXQ_TOKEN\" }"), "{text}");
}

#[test]
fn every_error_in_a_file_is_reported_not_only_the_first() {
    let toml = "timezon = \"x\"\n[[camps]]\nid = \"a\"\nname = \"A\"\nstart = \"2025-10-25\"\nend = \"2025-10-20\"\nrequired = 7\ndeposit = \"1.234\"\n[[camps]]\nid = \"a\"\nname = \"B\"\nstart = \"2025-10-25\"\ndays = 5\nrequired = 6\ndeposit = \"abc\"\n";
    let errors = errors_of(toml);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 6, 8, 10, 14, 15], "{errors:#?}");
}

#[test]
fn templates_are_inherited_and_overridable() {
    let toml = format!(
        "[templates.t]\ndays = 10\nrequired = 7\ndeposit = \"39\"\nmakeup_days = 1\n{}",
        "[[camps]]\nid = \"a\"\nname = \"A\"\ntemplate = \"t\"\nstart = \"2025-10-25\"\nrequired = 8\n"
    );
    let config = parse_str(&toml, Path::new("camps.toml")).unwrap();
    let camp = &config.camps[0];
    assert_eq!((camp.days, camp.required, camp.deposit.fen(), camp.makeup_days), (10, 8, 3900, 1));
    assert_eq!(camp.end.to_string(), "2025-11-03");
}

#[test]
fn the_shipped_example_is_valid() {
    let text = std::fs::read_to_string("camps.toml").unwrap();
    let config = parse_str(&text, Path::new("camps.toml")).unwrap();
    assert!(config.camps.len() >= 2);
    assert_eq!(config.wxpay.as_ref().unwrap().auto_retries, 1, "the owner's policy: retry once");
    assert_eq!(config.camps[0].rule(), "7/10");
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn arbitrary_edits_of_a_valid_file_never_panic(cut in 0usize..400, insert in "[ -~\\n\u{4e00}-\u{4e10}]{0,12}") {
            let base = std::fs::read_to_string("camps.toml").unwrap();
            let mut at = cut.min(base.len());
            while !base.is_char_boundary(at) { at -= 1; }
            let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
            let _ = parse_str(&text, Path::new("camps.toml"));
        }
    }
}

#[test]
fn a_missing_camps_file_says_how_to_point_to_one() {
    let e = campdesk::config::load_file(Path::new("no-such-dir/camps.toml")).unwrap_err().to_string();
    assert!(e.starts_with("cannot read no-such-dir/camps.toml: "), "{e}");
    assert!(e.contains("--config FILE or CAMPDESK_CONFIG"), "{e}");
}
