//! Fault injection: rules that make some requests fail the way the real platforms fail,
//! chosen by rate or by request number, deterministic under the sim's seed.
//!
//! A faulted request changes nothing in the world, with two deliberate exceptions on
//! WeChat Pay: `lost` (the refund is created, the answer is a 500) and `missigned` (the
//! call is carried out, the answer's signature is wrong).
//!
//! # Spec syntax (`campdesk sim --faults SPEC`)
//!
//! ```text
//! SPEC    := RULE ( ';' RULE )*                       (',' and newlines also separate rules)
//! RULE    := TARGET ':' FAULT [ '@' TRIGGER ]
//! TARGET  := ( zsxq | wecom | wxpay | * ) [ '/' ENDPOINT ]
//! FAULT   := N                 business code (zsxq `code`, WeCom `errcode`); 400–599 = HTTP status
//!          | code=N | http=N   explicit forms
//!          | delay=DUR         answer normally, DUR late
//!          | timeout[=DUR]     hold the request DUR (default 60s), then 504 without acting
//!          | malformed         HTTP 200 with a non-JSON body
//!          | truncated         the real JSON, cut in half
//!          | repeat            paged endpoints: serve the previous page again
//!          | lost              wxpay/refund: create the refund, answer 500 SYSTEM_ERROR
//!          | missigned         wxpay: a 2xx answer whose Wechatpay-Signature is wrong
//! TRIGGER := ( P% | N | N-M | N- | everyN | always ) [ xLIMIT ]     default: always
//! DUR     := N ( ms | s | m )
//! ```
//!
//! Requests are counted per rule (only requests the rule's target matches), from 1.
//! Endpoints: zsxq `checkins checkin statistics daily ranking topics summary members`;
//! wecom `gettoken bills groups group contact webhook message`; wxpay `refund query`.
//! Examples: `zsxq/ranking:1059@2` (the 2nd ranking request answers 1059),
//! `wecom:-1@10%x3` (10 % of WeCom calls, at most 3), `wxpay/refund:lost@1`,
//! `*:delay=300ms@20%`, `zsxq/topics:repeat@3`, `wecom/bills:45009@1-2`, `zsxq:401@5-`.

use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::endpoint::{Endpoint, Platform};

/// What goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum FaultKind {
    /// A business error: zsxq `{"succeeded":false,"code":N}`, WeCom `{"errcode":N}` (HTTP 200).
    Code(i64),
    /// An HTTP error with the platform's error body (wxpay: 401 SIGN_ERROR, 403 NOT_ENOUGH,
    /// 429 FREQUENCY_LIMITED, 500 SYSTEM_ERROR …).
    Http(u16),
    /// A slow but otherwise normal answer.
    Delay(#[serde(with = "millis")] Duration),
    /// No answer for this long, then 504; nothing is done.
    Timeout(#[serde(with = "millis")] Duration),
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// The real body cut in half.
    Truncated,
    /// The previous page served again (paged endpoints).
    Repeat,
    /// wxpay refund: created, but the answer is 500 SYSTEM_ERROR.
    Lost,
    /// wxpay: the call is carried out but the response signature is wrong.
    Missigned,
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

impl FaultKind {
    /// Whether the fault can happen on `endpoint`.
    pub fn applies_to(self, endpoint: Endpoint) -> bool {
        let platform = endpoint.platform();
        match self {
            FaultKind::Code(_) => platform != Platform::Wxpay,
            FaultKind::Repeat => endpoint.is_paged(),
            FaultKind::Lost => endpoint == Endpoint::WxpayRefund,
            FaultKind::Missigned => platform == Platform::Wxpay,
            _ => true,
        }
    }

    /// Short text for logs.
    pub fn describe(self) -> String {
        match self {
            FaultKind::Code(c) => format!("code {c}"),
            FaultKind::Http(s) => format!("HTTP {s}"),
            FaultKind::Delay(d) => format!("delay {}ms", d.as_millis()),
            FaultKind::Timeout(d) => format!("timeout {}ms", d.as_millis()),
            FaultKind::Malformed => "malformed".into(),
            FaultKind::Truncated => "truncated".into(),
            FaultKind::Repeat => "repeat".into(),
            FaultKind::Lost => "lost".into(),
            FaultKind::Missigned => "missigned".into(),
        }
    }
}

/// When a rule fires.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Trigger {
    /// Every matching request.
    Always,
    /// Each matching request with this probability (0–1), from the rule's seeded stream.
    Rate {
        /// Probability.
        p: f64,
    },
    /// Matching requests number `from` to `to` (1-based, inclusive; open-ended without `to`).
    Requests {
        /// First.
        from: u64,
        /// Last.
        to: Option<u64>,
    },
    /// Every `n`-th matching request.
    Every {
        /// Period.
        n: u64,
    },
}

/// One fault rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Platform (`None`: any).
    pub platform: Option<Platform>,
    /// Endpoint (`None`: any of the platform's).
    pub endpoint: Option<Endpoint>,
    /// What goes wrong.
    pub kind: FaultKind,
    /// When.
    pub trigger: Trigger,
    /// At most this many times.
    pub limit: Option<u64>,
}

impl FaultRule {
    /// `kind` on every request to `platform`.
    pub fn new(platform: Platform, kind: FaultKind) -> FaultRule {
        FaultRule { platform: Some(platform), endpoint: None, kind, trigger: Trigger::Always, limit: None }
    }

    /// `kind` on every request to `endpoint`.
    pub fn on(endpoint: Endpoint, kind: FaultKind) -> FaultRule {
        FaultRule {
            platform: Some(endpoint.platform()),
            endpoint: Some(endpoint),
            kind,
            trigger: Trigger::Always,
            limit: None,
        }
    }

    /// Only the `n`-th matching request (1-based).
    pub fn nth(mut self, n: u64) -> FaultRule {
        self.trigger = Trigger::Requests { from: n, to: Some(n) };
        self
    }

    /// Matching requests `from..=to`.
    pub fn requests(mut self, from: u64, to: u64) -> FaultRule {
        self.trigger = Trigger::Requests { from, to: Some(to) };
        self
    }

    /// Each matching request with probability `p`.
    pub fn rate(mut self, p: f64) -> FaultRule {
        self.trigger = Trigger::Rate { p };
        self
    }

    /// At most `n` times.
    pub fn limit(mut self, n: u64) -> FaultRule {
        self.limit = Some(n);
        self
    }

    fn matches(&self, endpoint: Endpoint) -> bool {
        self.platform.is_none_or(|p| p == endpoint.platform())
            && self.endpoint.is_none_or(|e| e == endpoint)
            && self.kind.applies_to(endpoint)
    }
}

/// A fault that happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultEvent {
    /// Index of the rule (in the order rules were added).
    pub rule: usize,
    /// Where.
    pub endpoint: Endpoint,
    /// What.
    pub kind: FaultKind,
    /// The rule's request count when it fired.
    pub request: u64,
}

#[derive(Debug)]
struct RuleState {
    rule: FaultRule,
    seen: u64,
    fired: u64,
    rng: ChaCha8Rng,
}

/// The active rules and what they did.
#[derive(Debug)]
pub struct FaultBook {
    seed: u64,
    added: usize,
    rules: Vec<(usize, RuleState)>,
    log: Vec<FaultEvent>,
}

impl FaultBook {
    /// No rules; `seed` drives rate triggers.
    pub fn new(seed: u64) -> FaultBook {
        FaultBook { seed, added: 0, rules: Vec::new(), log: Vec::new() }
    }

    /// Adds rules (after the existing ones). Returns their indices.
    pub fn add(&mut self, rules: impl IntoIterator<Item = FaultRule>) -> Vec<usize> {
        let mut ids = Vec::new();
        for rule in rules {
            let id = self.added;
            self.added += 1;
            let rng = ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(id as u64));
            self.rules.push((id, RuleState { rule, seen: 0, fired: 0, rng }));
            ids.push(id);
        }
        ids
    }

    /// Removes every rule (the log stays).
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The active rules with their indices.
    pub fn rules(&self) -> Vec<(usize, FaultRule)> {
        self.rules.iter().map(|(i, s)| (*i, s.rule.clone())).collect()
    }

    /// Faults that happened, oldest first.
    pub fn log(&self) -> &[FaultEvent] {
        &self.log
    }

    /// Decides whether the next request to `endpoint` fails, and how.
    pub fn decide(&mut self, endpoint: Endpoint) -> Option<FaultKind> {
        let mut chosen: Option<(usize, FaultKind, u64)> = None;
        for (id, st) in &mut self.rules {
            if !st.rule.matches(endpoint) {
                continue;
            }
            st.seen += 1;
            let n = st.seen;
            let draw: f64 = st.rng.random();
            let hit = match st.rule.trigger {
                Trigger::Always => true,
                Trigger::Rate { p } => draw < p,
                Trigger::Requests { from, to } => n >= from && to.is_none_or(|t| n <= t),
                Trigger::Every { n: every } => every > 0 && n.is_multiple_of(every),
            };
            let under_limit = st.rule.limit.is_none_or(|l| st.fired < l);
            if hit && under_limit && chosen.is_none() {
                st.fired += 1;
                chosen = Some((*id, st.rule.kind, n));
            }
        }
        let (rule, kind, request) = chosen?;
        self.log.push(FaultEvent { rule, endpoint, kind, request });
        Some(kind)
    }
}

/// Why a fault spec could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fault rule {index} (`{rule}`): {message}")]
pub struct FaultSpecError {
    /// 1-based rule number.
    pub index: usize,
    /// The rule's text.
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a fault spec (see the module docs for the syntax).
pub fn parse_spec(spec: &str) -> Result<Vec<FaultRule>, FaultSpecError> {
    spec.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .enumerate()
        .map(|(i, text)| {
            parse_rule(text).map_err(|message| FaultSpecError { index: i + 1, rule: text.to_string(), message })
        })
        .collect()
}

fn parse_rule(text: &str) -> Result<FaultRule, String> {
    let (target, rest) = text.split_once(':').ok_or("expected TARGET:FAULT, e.g. `zsxq/ranking:1059@2`")?;
    let (fault, trigger) = match rest.split_once('@') {
        Some((f, t)) => (f.trim(), Some(t.trim())),
        None => (rest.trim(), None),
    };
    let (platform_text, endpoint_text) = match target.trim().split_once('/') {
        Some((p, e)) => (p.trim(), Some(e.trim())),
        None => (target.trim(), None),
    };
    let platform = if platform_text == "*" {
        None
    } else {
        Some(Platform::parse(platform_text).ok_or(format!("`{platform_text}` is not zsxq, wecom, wxpay or *"))?)
    };
    let endpoint = match (platform, endpoint_text) {
        (_, None) => None,
        (None, Some(_)) => return Err("name a platform before an endpoint (`zsxq/topics`, not `*/topics`)".into()),
        (Some(p), Some(e)) => {
            let names: Vec<&str> = Endpoint::ALL.iter().filter(|x| x.platform() == p).map(|x| x.short_name()).collect();
            Some(Endpoint::parse(p, e).ok_or(format!("`{e}` is not a {p} endpoint ({})", names.join(", ")))?)
        }
    };
    let kind = parse_kind(fault, platform)?;
    if let Some(e) = endpoint
        && !kind.applies_to(e)
    {
        return Err(format!("{} cannot happen on {e}", kind.describe()));
    }
    if let Some(p) = platform
        && !Endpoint::ALL.iter().any(|e| e.platform() == p && kind.applies_to(*e))
    {
        return Err(format!("{} cannot happen on {p}", kind.describe()));
    }
    let (trigger, limit) = match trigger {
        Some(t) => parse_trigger(t)?,
        None => (Trigger::Always, None),
    };
    Ok(FaultRule { platform, endpoint, kind, trigger, limit })
}

fn parse_kind(text: &str, platform: Option<Platform>) -> Result<FaultKind, String> {
    let number = |s: &str| s.trim().parse::<i64>().map_err(|_| format!("`{s}` is not a number"));
    let http = |n: i64| {
        u16::try_from(n)
            .ok()
            .filter(|s| (400..=599).contains(s))
            .map(FaultKind::Http)
            .ok_or(format!("HTTP status {n} is not 400–599"))
    };
    if let Some(v) = text.strip_prefix("code=") {
        return Ok(FaultKind::Code(number(v)?));
    }
    if let Some(v) = text.strip_prefix("http=") {
        return http(number(v)?);
    }
    if let Some(v) = text.strip_prefix("delay=") {
        return Ok(FaultKind::Delay(parse_duration(v)?));
    }
    if let Some(v) = text.strip_prefix("timeout=") {
        return Ok(FaultKind::Timeout(parse_duration(v)?));
    }
    match text {
        "timeout" => return Ok(FaultKind::Timeout(Duration::from_secs(60))),
        "malformed" => return Ok(FaultKind::Malformed),
        "truncated" => return Ok(FaultKind::Truncated),
        "repeat" => return Ok(FaultKind::Repeat),
        "lost" => return Ok(FaultKind::Lost),
        "missigned" => return Ok(FaultKind::Missigned),
        _ => {}
    }
    let n = text.parse::<i64>().map_err(|_| {
        format!(
            "`{text}` is not a fault (a code like 1059 or -1, http=500, delay=2s, timeout, malformed, truncated, repeat, lost, missigned)"
        )
    })?;
    if (400..=599).contains(&n) || platform == Some(Platform::Wxpay) { http(n) } else { Ok(FaultKind::Code(n)) }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = t.find(|c: char| !c.is_ascii_digit()).map_or((t, ""), |i| t.split_at(i));
    let n: u64 = digits.parse().map_err(|_| format!("`{text}` is not a duration like 500ms, 2s or 1m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!("`{text}` is not a duration like 500ms, 2s or 1m")),
    }
}

fn parse_trigger(text: &str) -> Result<(Trigger, Option<u64>), String> {
    let (body, limit) = match text.rsplit_once('x') {
        Some((b, l)) if !b.is_empty() && l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty() => {
            (b, Some(l.parse::<u64>().map_err(|_| format!("`{l}` is not a count"))?))
        }
        _ => (text, None),
    };
    let num = |s: &str| s.trim().parse::<u64>().map_err(|_| format!("`{s}` is not a request number"));
    let trigger = if body == "always" {
        Trigger::Always
    } else if let Some(p) = body.strip_suffix('%') {
        let pct: f64 = p.trim().parse().map_err(|_| format!("`{p}` is not a percentage"))?;
        if !(0.0..=100.0).contains(&pct) {
            return Err(format!("{pct}% is not between 0 and 100"));
        }
        Trigger::Rate { p: pct / 100.0 }
    } else if let Some(n) = body.strip_prefix("every") {
        let n = num(n)?;
        if n == 0 {
            return Err("every0 never fires".into());
        }
        Trigger::Every { n }
    } else if let Some((a, b)) = body.split_once('-') {
        let from = num(a)?;
        let to = if b.trim().is_empty() { None } else { Some(num(b)?) };
        if from == 0 || to.is_some_and(|t| t < from) {
            return Err(format!("`{body}` is not a range of request numbers counted from 1"));
        }
        Trigger::Requests { from, to }
    } else {
        let n = num(body)?;
        if n == 0 {
            return Err("requests are counted from 1".into());
        }
        Trigger::Requests { from: n, to: Some(n) }
    };
    Ok((trigger, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_parse() {
        let rules = parse_spec(
            "zsxq/ranking:1059@2; wecom:-1@10%x3, wxpay/refund:lost@1\n*:delay=300ms@20%; zsxq/topics:repeat@3; \
             wecom/bills:45009@1-2; zsxq:401@5-; wxpay:500@every2; wxpay:missigned; *:timeout=2s@1; *:truncated@always",
        )
        .unwrap();
        assert_eq!(rules.len(), 11);
        assert_eq!(rules[0], FaultRule::on(Endpoint::ZsxqRanking, FaultKind::Code(1059)).nth(2));
        assert_eq!(rules[1], FaultRule::new(Platform::Wecom, FaultKind::Code(-1)).rate(0.1).limit(3));
        assert_eq!(rules[2], FaultRule::on(Endpoint::WxpayRefund, FaultKind::Lost).nth(1));
        assert_eq!(rules[3].platform, None);
        assert_eq!(rules[3].kind, FaultKind::Delay(Duration::from_millis(300)));
        assert_eq!(rules[5].trigger, Trigger::Requests { from: 1, to: Some(2) });
        assert_eq!(rules[6].kind, FaultKind::Http(401));
        assert_eq!(rules[6].trigger, Trigger::Requests { from: 5, to: None });
        assert_eq!(rules[7].kind, FaultKind::Http(500));
        assert_eq!(rules[7].trigger, Trigger::Every { n: 2 });
        assert_eq!(rules[9].kind, FaultKind::Timeout(Duration::from_secs(2)));
    }

    #[test]
    fn spec_errors_name_the_rule() {
        let e = parse_spec("zsxq:1059; zsxq/rank:1059").unwrap_err();
        assert_eq!(e.index, 2);
        assert!(e.message.contains("ranking"), "{e}");
        for bad in [
            "zsxq",
            "mail:1",
            "*/topics:1",
            "zsxq:oops",
            "zsxq:1059@0",
            "zsxq:1059@3-1",
            "zsxq:1059@150%",
            "zsxq:delay=2h",
            "wecom/gettoken:repeat",
            "zsxq:lost",
            "wxpay:code=1",
            "zsxq:http=200",
        ] {
            assert!(parse_spec(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn triggers_count_per_rule_and_respect_limits() {
        let mut book = FaultBook::new(1);
        book.add([
            FaultRule::on(Endpoint::ZsxqRanking, FaultKind::Code(1059)).nth(2),
            FaultRule::new(Platform::Wecom, FaultKind::Code(-1)).limit(2),
        ]);
        let got: Vec<_> = (0..3).map(|_| book.decide(Endpoint::ZsxqRanking)).collect();
        assert_eq!(got, [None, Some(FaultKind::Code(1059)), None]);
        assert_eq!(book.decide(Endpoint::ZsxqTopics), None);
        let wecom: Vec<_> = (0..3).map(|_| book.decide(Endpoint::WecomBills)).collect();
        assert_eq!(wecom, [Some(FaultKind::Code(-1)), Some(FaultKind::Code(-1)), None]);
        assert_eq!(book.log().len(), 3);
        assert_eq!(book.log()[0].request, 2);
        // Code faults never hit WeChat Pay, repeat only hits paged endpoints.
        book.add([FaultRule {
            platform: None,
            endpoint: None,
            kind: FaultKind::Code(1),
            trigger: Trigger::Always,
            limit: None,
        }]);
        assert_eq!(book.decide(Endpoint::WxpayRefund), None);
    }

    #[test]
    fn rates_are_deterministic_under_the_seed() {
        let run = |seed| {
            let mut book = FaultBook::new(seed);
            book.add([FaultRule::new(Platform::Zsxq, FaultKind::Code(1059)).rate(0.3)]);
            (0..200).map(|_| book.decide(Endpoint::ZsxqTopics).is_some()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|h| **h).count();
        assert!((30..=90).contains(&hits), "{hits} of 200 at 30 %");
    }
}
