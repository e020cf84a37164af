//! Reading camps.toml: parse with spans, walk every table, collect every error
//! (never only the first), then build the typed [`Config`].

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ConfigError, ConfigErrors, LineIndex};
use super::model::*;
use super::secret::{SecretRef, SecretSource};
use crate::domain::{CampId, ChatId, CheckinId, Day, DayCutoff, DayRule, Money, RefundVia, StaffUserId};

type Value<'i> = Spanned<DeValue<'i>>;

const TOP_KEYS: &[&str] =
    &["timezone", "day_cutoff", "lang", "retention_months", "sync", "zsxq", "wecom", "wxpay", "templates", "camps"];
const SYNC_KEYS: &[&str] = &["daily_at", "interval", "after_end"];
const ZSXQ_KEYS: &[&str] = &["group_id", "base_url", "token", "pace", "sign_requests"];
const WECOM_KEYS: &[&str] = &["corp_id", "base_url", "secret", "robot_key", "agent_id", "admins"];
const WXPAY_KEYS: &[&str] = &[
    "mch_id",
    "base_url",
    "serial_no",
    "private_key",
    "platform_public_key",
    "platform_public_key_id",
    "api_v3_key",
    "notify_url",
    "auto_retries",
];
/// Fields a camp may set itself or inherit from its template.
const CAMP_FIELDS: &[&str] = &[
    "name",
    "start",
    "end",
    "days",
    "required",
    "deposit",
    "checkin_id",
    "group_chats",
    "payee",
    "refund_via",
    "coaches",
    "volunteers",
    "borderline_margin",
    "automation",
    "not_joined_grace",
    "not_joined_limit",
    "left_group",
    "makeup_days",
    "min_words",
    "group_qr",
    "poster",
    "approvals",
    "batch_cap",
    "payment_keyword",
    "enroll_start",
    "day_cutoff",
];
const SECRET_KEYS: &[&str] = &["env", "file", "credential"];

/// Why a config file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}{hint}", hint = if source.kind() == std::io::ErrorKind::NotFound {
        "; point to your camps file with --config FILE or CAMPDESK_CONFIG (the repository's camps.toml is an example to copy)"
    } else {
        ""
    })]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(ConfigErrors),
}

/// Reads and validates the config file at `path`.
pub fn load_file(path: &Path) -> Result<Config, LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: path.display().to_string(), source })?;
    parse_str(&text, path).map_err(LoadError::Invalid)
}

/// Validates config text; `path` is used for error positions and relative secret files.
pub fn parse_str(text: &str, path: &Path) -> Result<Config, ConfigErrors> {
    let mut ck = Checker {
        path: path.display().to_string(),
        index: LineIndex::new(text),
        errors: Vec::new(),
        base_dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let (root, syntax) = DeTable::parse_recoverable(text);
    for e in syntax {
        let span = e.span().unwrap_or(0..0);
        ck.error(&span, "", e.message().trim().to_string());
    }
    if !ck.errors.is_empty() {
        return Err(ck.finish_err());
    }
    let config = ck.config(root.get_ref(), path);
    if ck.errors.is_empty() {
        // `config` is complete whenever no error was recorded.
        config.ok_or_else(|| ck.finish_err())
    } else {
        Err(ck.finish_err())
    }
}

struct Checker<'s> {
    path: String,
    index: LineIndex<'s>,
    errors: Vec<ConfigError>,
    base_dir: PathBuf,
}

/// Where a camp field's value came from: the camp itself or its template.
struct FieldSource<'t, 'i> {
    value: &'t Value<'i>,
}

impl<'s> Checker<'s> {
    fn error(&mut self, span: &Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        let (line, col) = self.index.span_start(span);
        self.errors.push(ConfigError {
            path: self.path.clone(),
            line,
            col,
            field: field.into(),
            message: message.into(),
        });
    }

    fn finish_err(&mut self) -> ConfigErrors {
        let mut errors = std::mem::take(&mut self.errors);
        errors.sort_by_key(|e| (e.line, e.col));
        errors.dedup();
        ConfigErrors(errors)
    }

    /// Reports keys of `table` outside `allowed`; returns the known ones.
    fn known<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        prefix: &str,
        allowed: &[&str],
    ) -> BTreeMap<String, &'t Value<'i>> {
        let mut out = BTreeMap::new();
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            if allowed.contains(&name) {
                out.insert(name.to_string(), value);
            } else {
                let hint = suggest(name, allowed).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                self.error(&key.span(), join(prefix, name), format!("unknown key `{name}`{hint}"));
            }
        }
        out
    }

    fn expect_table<'t, 'i>(&mut self, v: &'t Value<'i>, field: &str) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.error(&v.span(), field, format!("expected a table, found {}", other.type_str()));
                None
            }
        }
    }

    fn string(&mut self, v: &Value<'_>, field: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.error(&v.span(), field, format!("expected a string, found {}", other.type_str()));
                None
            }
        }
    }

    fn nonempty_string(&mut self, v: &Value<'_>, field: &str) -> Option<String> {
        let s = self.string(v, field)?;
        if s.trim().is_empty() {
            self.error(&v.span(), field, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// An id: a string, or an integer written without quotes (kept as its digits).
    fn id_string(&mut self, v: &Value<'_>, field: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().replace('_', "")),
            DeValue::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            DeValue::String(_) => {
                self.error(&v.span(), field, "must not be empty");
                None
            }
            other => {
                self.error(&v.span(), field, format!("expected an id string, found {}", other.type_str()));
                None
            }
        }
    }

    fn string_list(&mut self, v: &Value<'_>, field: &str) -> Option<Vec<String>> {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.id_string(item, &format!("{field}[{i}]")) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.error(&v.span(), field, format!("expected a list of strings, found {}", other.type_str()));
                None
            }
        }
    }

    fn uint(&mut self, v: &Value<'_>, field: &str, min: u32, max: u32) -> Option<u32> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.error(&v.span(), field, format!("expected a whole number, found {}", v.get_ref().type_str()));
            return None;
        };
        let parsed = i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok();
        match parsed {
            Some(n) if n >= i64::from(min) && n <= i64::from(max) => u32::try_from(n).ok(),
            _ => {
                self.error(&v.span(), field, format!("must be a whole number from {min} to {max}"));
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value<'_>, field: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(&v.span(), field, format!("expected true or false, found {}", other.type_str()));
                None
            }
        }
    }

    fn day(&mut self, v: &Value<'_>, field: &str) -> Option<Day> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => dt.to_string(),
            DeValue::Datetime(_) => {
                self.error(&v.span(), field, "expected a date like 2025-10-25, without a time");
                return None;
            }
            other => {
                self.error(
                    &v.span(),
                    field,
                    format!("expected a date like \"2025-10-25\", found {}", other.type_str()),
                );
                return None;
            }
        };
        match text.parse::<Day>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(&v.span(), field, e.to_string());
                None
            }
        }
    }

    fn cutoff(&mut self, v: &Value<'_>, field: &str) -> Option<DayCutoff> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(dt) if dt.date.is_none() && dt.time.is_some() => {
                let t = dt.time.as_ref()?;
                format!("{:02}:{:02}", t.hour, t.minute)
            }
            other => {
                self.error(&v.span(), field, format!("expected a time like \"01:00\", found {}", other.type_str()));
                return None;
            }
        };
        match text.parse::<DayCutoff>() {
            Ok(c) => Some(c),
            Err(e) => {
                self.error(&v.span(), field, e.to_string());
                None
            }
        }
    }

    fn duration(&mut self, v: &Value<'_>, field: &str) -> Option<SignedDuration> {
        let text = self.string(v, field)?;
        match parse_duration(&text) {
            Some(d) if !d.is_negative() => Some(d),
            _ => {
                self.error(
                    &v.span(),
                    field,
                    format!("`{text}` is not a duration; write it like \"24h\", \"3d\" or \"90m\""),
                );
                None
            }
        }
    }

    /// A deposit or cap: a string of yuan ("39.00") or a whole number of yuan.
    fn money(&mut self, v: &Value<'_>, field: &str) -> Option<Money> {
        let text = match v.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Integer(i) if i.radix() == 10 => i.as_str().replace('_', ""),
            DeValue::Float(f) => {
                self.error(
                    &v.span(),
                    field,
                    format!(
                        "write amounts in yuan as a string, e.g. \"{}\", so no float rounding can touch them",
                        f.as_str()
                    ),
                );
                return None;
            }
            other => {
                self.error(
                    &v.span(),
                    field,
                    format!("expected an amount in yuan like \"39.00\", found {}", other.type_str()),
                );
                return None;
            }
        };
        match Money::parse_yuan(&text) {
            Ok(m) if m.is_positive() => Some(m),
            Ok(_) => {
                self.error(&v.span(), field, format!("`{text}` must be a positive amount"));
                None
            }
            Err(e) => {
                self.error(&v.span(), field, e.to_string());
                None
            }
        }
    }

    fn choice<T: Copy>(&mut self, v: &Value<'_>, field: &str, options: &[(&str, T)]) -> Option<T> {
        let text = self.string(v, field)?;
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == text) {
            return Some(*t);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let hint = suggest(&text, &names).map(|s| format!("; did you mean \"{s}\"?")).unwrap_or_default();
        let list = names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ");
        self.error(&v.span(), field, format!("`{text}` is not one of {list}{hint}"));
        None
    }

    fn secret(&mut self, v: &Value<'_>, field: &str) -> Option<SecretRef> {
        match v.get_ref() {
            DeValue::String(_) => {
                let env = format!("CAMPDESK_{}", field.replace('.', "_").to_uppercase());
                self.error(
                    &v.span(),
                    field,
                    format!(
                        "secrets must not be written in camps.toml; move the value to an environment variable \
                         ({field} = {{ env = \"{env}\" }}) or a file readable only by you ({field} = {{ file = \"secrets/...\" }})"
                    ),
                );
                None
            }
            DeValue::Table(t) => {
                let fields = self.known(t, field, SECRET_KEYS);
                if fields.len() != 1 {
                    self.error(
                        &v.span(),
                        field,
                        "write exactly one of { env = \"NAME\" }, { file = \"PATH\" } or { credential = \"ID\" }",
                    );
                    return None;
                }
                let (kind, value) = fields.into_iter().next()?;
                let text = self.nonempty_string(value, &format!("{field}.{kind}"))?;
                let source = match kind.as_str() {
                    "env" => SecretSource::Env(text),
                    "file" => SecretSource::File(self.resolve_path(&text)),
                    _ => SecretSource::Credential(text),
                };
                Some(SecretRef { field: field.to_string(), source })
            }
            other => {
                self.error(
                    &v.span(),
                    field,
                    format!("expected {{ env = \"NAME\" }} or {{ file = \"PATH\" }}, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn url(&mut self, v: &Value<'_>, field: &str) -> Option<String> {
        let s = self.string(v, field)?;
        if !(s.starts_with("https://") || s.starts_with("http://")) {
            self.error(&v.span(), field, format!("`{s}` is not an http(s) URL"));
            return None;
        }
        Some(s.trim_end_matches('/').to_string())
    }

    fn resolve_path(&self, p: &str) -> PathBuf {
        let path = PathBuf::from(p);
        if path.is_absolute() { path } else { self.base_dir.join(path) }
    }

    // ---- sections ---------------------------------------------------------

    fn config(&mut self, root: &DeTable<'_>, path: &Path) -> Option<Config> {
        let top = self.known(root, "", TOP_KEYS);

        let (timezone_name, tz) = match top.get("timezone") {
            Some(v) => match self.string(v, "timezone") {
                Some(name) => match TimeZone::get(&name) {
                    Ok(tz) => (name, Some(tz)),
                    Err(_) => {
                        self.error(
                            &v.span(),
                            "timezone",
                            format!("`{name}` is not a known time zone (try \"Asia/Shanghai\")"),
                        );
                        (name, None)
                    }
                },
                None => (String::new(), None),
            },
            None => ("Asia/Shanghai".to_string(), Some(crate::domain::time::shanghai())),
        };
        let cutoff = top.get("day_cutoff").map_or(Some(DayCutoff::MIDNIGHT), |v| self.cutoff(v, "day_cutoff"));
        let lang =
            top.get("lang").map_or(Some(Lang::Zh), |v| self.choice(v, "lang", &[("zh", Lang::Zh), ("en", Lang::En)]));
        let retention_months =
            top.get("retention_months").map_or(Some(3), |v| self.uint(v, "retention_months", 1, 120));
        let sync = top.get("sync").map_or(Some(SyncSettings::default()), |v| self.sync(v));
        let zsxq = top.get("zsxq").map(|v| self.zsxq(v));
        let wecom = top.get("wecom").map(|v| self.wecom(v));
        let wxpay = top.get("wxpay").map(|v| self.wxpay(v));

        let templates: BTreeMap<String, &DeTable<'_>> = match top.get("templates") {
            Some(v) => self.templates(v),
            None => BTreeMap::new(),
        };
        let template_names: Vec<String> = match top.get("templates").map(|v| v.get_ref()) {
            Some(DeValue::Table(t)) => t.iter().map(|(k, _)| k.get_ref().to_string()).collect(),
            _ => Vec::new(),
        };

        let global_cutoff = cutoff.unwrap_or_default();
        let camps = match top.get("camps") {
            Some(v) => self.camps(v, &templates, global_cutoff),
            None => Vec::new(),
        };

        // Cross-section rules.
        if let Some(v) = top.get("camps")
            && camps.iter().any(|c| c.refund_via == RefundVia::Wxpay)
            && !top.contains_key("wxpay")
        {
            self.error(
                &v.span(),
                "wxpay",
                "a camp uses refund_via = \"wxpay\" but there is no [wxpay] section with the merchant's keys",
            );
        }

        Some(Config {
            path: path.to_path_buf(),
            timezone_name,
            day_rule: DayRule::new(tz?, cutoff?),
            lang: lang?,
            retention_months: retention_months?,
            sync: sync?,
            zsxq: zsxq.transpose_all()?,
            wecom: wecom.transpose_all()?,
            wxpay: wxpay.transpose_all()?,
            templates: template_names,
            camps,
        })
    }

    fn sync(&mut self, v: &Value<'_>) -> Option<SyncSettings> {
        let t = self.expect_table(v, "sync")?;
        let f = self.known(t, "sync", SYNC_KEYS);
        let d = SyncSettings::default();
        let daily_at = f.get("daily_at").map_or(Some(d.daily_at), |v| self.cutoff(v, "sync.daily_at"));
        let interval = match f.get("interval") {
            Some(v) => self.duration(v, "sync.interval").map(Some),
            None => Some(None),
        };
        let after_end = f.get("after_end").map_or(Some(d.after_end), |v| self.duration(v, "sync.after_end"));
        Some(SyncSettings { daily_at: daily_at?, interval: interval?, after_end: after_end? })
    }

    fn required<'t, 'i>(
        &mut self,
        f: &BTreeMap<String, &'t Value<'i>>,
        key: &str,
        section: &str,
        span: &Range<usize>,
    ) -> Option<&'t Value<'i>> {
        let v = f.get(key).copied();
        if v.is_none() {
            self.error(span, join(section, key), format!("missing required key `{key}` in [{section}]"));
        }
        v
    }

    fn zsxq(&mut self, v: &Value<'_>) -> Option<ZsxqSettings> {
        let t = self.expect_table(v, "zsxq")?;
        let f = self.known(t, "zsxq", ZSXQ_KEYS);
        let span = v.span();
        let group_id = self.required(&f, "group_id", "zsxq", &span).and_then(|v| self.id_string(v, "zsxq.group_id"));
        let base_url =
            f.get("base_url").map_or(Some("https://api.zsxq.com".to_string()), |v| self.url(v, "zsxq.base_url"));
        let token = self.required(&f, "token", "zsxq", &span).and_then(|v| self.secret(v, "zsxq.token"));
        let pace = f.get("pace").map_or(Some(SignedDuration::from_secs(2)), |v| self.duration(v, "zsxq.pace"));
        let sign = f.get("sign_requests").map_or(Some(true), |v| self.boolean(v, "zsxq.sign_requests"));
        Some(ZsxqSettings {
            group_id: group_id?,
            base_url: base_url?,
            token: token?,
            pace: pace?,
            sign_requests: sign?,
        })
    }

    fn wecom(&mut self, v: &Value<'_>) -> Option<WecomSettings> {
        let t = self.expect_table(v, "wecom")?;
        let f = self.known(t, "wecom", WECOM_KEYS);
        let span = v.span();
        let corp_id =
            self.required(&f, "corp_id", "wecom", &span).and_then(|v| self.nonempty_string(v, "wecom.corp_id"));
        let base_url = f
            .get("base_url")
            .map_or(Some("https://qyapi.weixin.qq.com".to_string()), |v| self.url(v, "wecom.base_url"));
        let secret = self.required(&f, "secret", "wecom", &span).and_then(|v| self.secret(v, "wecom.secret"));
        let robot_key = match f.get("robot_key") {
            Some(v) => self.secret(v, "wecom.robot_key").map(Some),
            None => Some(None),
        };
        let agent_id = match f.get("agent_id") {
            Some(v) => self.uint(v, "wecom.agent_id", 1, u32::MAX).map(|n| Some(i64::from(n))),
            None => Some(None),
        };
        let admins = f.get("admins").map_or(Some(Vec::new()), |v| self.string_list(v, "wecom.admins"));
        Some(WecomSettings {
            corp_id: corp_id?,
            base_url: base_url?,
            secret: secret?,
            robot_key: robot_key?,
            agent_id: agent_id?,
            admins: admins?.into_iter().map(StaffUserId::new).collect(),
        })
    }

    fn wxpay(&mut self, v: &Value<'_>) -> Option<WxpaySettings> {
        let t = self.expect_table(v, "wxpay")?;
        let f = self.known(t, "wxpay", WXPAY_KEYS);
        let span = v.span();
        let mch_id = self.required(&f, "mch_id", "wxpay", &span).and_then(|v| self.id_string(v, "wxpay.mch_id"));
        let base_url = f
            .get("base_url")
            .map_or(Some("https://api.mch.weixin.qq.com".to_string()), |v| self.url(v, "wxpay.base_url"));
        let serial_no =
            self.required(&f, "serial_no", "wxpay", &span).and_then(|v| self.nonempty_string(v, "wxpay.serial_no"));
        let private_key =
            self.required(&f, "private_key", "wxpay", &span).and_then(|v| self.secret(v, "wxpay.private_key"));
        let platform_public_key = self
            .required(&f, "platform_public_key", "wxpay", &span)
            .and_then(|v| self.secret(v, "wxpay.platform_public_key"));
        let platform_public_key_id = self
            .required(&f, "platform_public_key_id", "wxpay", &span)
            .and_then(|v| self.nonempty_string(v, "wxpay.platform_public_key_id"));
        let api_v3_key =
            self.required(&f, "api_v3_key", "wxpay", &span).and_then(|v| self.secret(v, "wxpay.api_v3_key"));
        let notify_url = match f.get("notify_url") {
            Some(v) => self.url(v, "wxpay.notify_url").map(Some),
            None => Some(None),
        };
        let auto_retries =
            f.get("auto_retries").map_or(Some(DEFAULT_AUTO_RETRIES), |v| self.uint(v, "wxpay.auto_retries", 0, 5));
        Some(WxpaySettings {
            mch_id: mch_id?,
            base_url: base_url?,
            serial_no: serial_no?,
            private_key: private_key?,
            platform_public_key: platform_public_key?,
            platform_public_key_id: platform_public_key_id?,
            api_v3_key: api_v3_key?,
            notify_url: notify_url?,
            auto_retries: auto_retries?,
        })
    }

    fn templates<'t, 'i>(&mut self, v: &'t Value<'i>) -> BTreeMap<String, &'t DeTable<'i>> {
        let mut out = BTreeMap::new();
        let Some(t) = self.expect_table(v, "templates") else {
            return out;
        };
        for (name, body) in t.iter() {
            let field = format!("templates.{}", name.get_ref());
            if let Some(table) = self.expect_table(body, &field) {
                // Unknown keys are reported here once, not once per camp using the template.
                self.known(table, &field, CAMP_FIELDS);
                out.insert(name.get_ref().to_string(), table);
            }
        }
        out
    }

    fn camps(
        &mut self,
        v: &Value<'_>,
        templates: &BTreeMap<String, &DeTable<'_>>,
        global_cutoff: DayCutoff,
    ) -> Vec<Camp> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(&v.span(), "camps", "expected [[camps]] tables");
            return Vec::new();
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut camps = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("camps[{i}]");
            let Some(table) = self.expect_table(item, &field) else {
                continue;
            };
            let mut allowed: Vec<&str> = vec!["id", "template"];
            allowed.extend_from_slice(CAMP_FIELDS);
            let own = self.known(table, &field, &allowed);
            let id = match own.get("id") {
                Some(v) => self.id_string(v, &format!("{field}.id")).map(|id| (id, v.span())),
                None => {
                    self.error(&item.span(), format!("{field}.id"), "missing required key `id`");
                    None
                }
            };
            if let Some((id, span)) = &id {
                if !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                    self.error(
                        span,
                        format!("{field}.id"),
                        format!(
                            "camp id `{id}` may only use letters, digits, `-`, `_` and `.` (it names files and refunds)"
                        ),
                    );
                } else if !seen.insert(id.clone()) {
                    self.error(span, format!("{field}.id"), format!("duplicate camp id `{id}`"));
                }
            }
            let label = id.as_ref().map_or(field.clone(), |(id, _)| format!("camps[{i}] ({id})"));
            let template = match own.get("template") {
                Some(v) => match self.string(v, &format!("{label}.template")) {
                    Some(name) => match templates.get(&name) {
                        Some(t) => Some((name, *t)),
                        None => {
                            let names: Vec<&str> = templates.keys().map(String::as_str).collect();
                            let hint =
                                suggest(&name, &names).map(|s| format!("; did you mean `{s}`?")).unwrap_or_default();
                            self.error(
                                &v.span(),
                                format!("{label}.template"),
                                format!("unknown template `{name}`{hint}"),
                            );
                            None
                        }
                    },
                    None => None,
                },
                None => None,
            };
            let mut fields: BTreeMap<&str, FieldSource<'_, '_>> = BTreeMap::new();
            if let Some((_, t)) = &template {
                for (k, v) in t.iter() {
                    let key: &str = k.get_ref();
                    if let Some(name) = CAMP_FIELDS.iter().find(|f| **f == key) {
                        fields.insert(name, FieldSource { value: v });
                    }
                }
            }
            for (k, v) in &own {
                if let Some(name) = CAMP_FIELDS.iter().find(|f| **f == k.as_str()) {
                    fields.insert(name, FieldSource { value: v });
                }
            }
            let camp =
                self.camp(&label, item.span(), id.map(|(id, _)| id), template.map(|(n, _)| n), &fields, global_cutoff);
            if let Some(c) = camp {
                camps.push(c);
            }
        }
        camps
    }

    fn camp(
        &mut self,
        label: &str,
        span: Range<usize>,
        id: Option<String>,
        template: Option<String>,
        f: &BTreeMap<&str, FieldSource<'_, '_>>,
        global_cutoff: DayCutoff,
    ) -> Option<Camp> {
        let fld = |k: &str| format!("{label}.{k}");
        let get = |k: &str| f.get(k).map(|s| s.value);
        let missing = |ck: &mut Self, k: &str| {
            ck.error(&span, fld(k), format!("missing required key `{k}` (set it on the camp or its template)"));
        };

        let name = match get("name") {
            Some(v) => self.nonempty_string(v, &fld("name")),
            None => {
                missing(self, "name");
                None
            }
        };
        let start = match get("start") {
            Some(v) => self.day(v, &fld("start")),
            None => {
                missing(self, "start");
                None
            }
        };
        let end = get("end").map(|v| (self.day(v, &fld("end")), v.span()));
        let days = get("days").map(|v| (self.uint(v, &fld("days"), 1, 366), v.span()));
        let required = match get("required") {
            Some(v) => self.uint(v, &fld("required"), 1, 366).map(|r| (r, v.span())),
            None => {
                missing(self, "required");
                None
            }
        };
        let deposit = match get("deposit") {
            Some(v) => self.money(v, &fld("deposit")),
            None => {
                missing(self, "deposit");
                None
            }
        };

        // Dates and day count: any two decide the third; all three must agree.
        let (end, days) = match (start, end, days) {
            (Some(s), Some((Some(e), e_span)), d) => {
                if e < s {
                    self.error(&e_span, fld("end"), format!("end {e} is before start {s}"));
                    (None, None)
                } else {
                    let span_days = u32::try_from(s.days_until(e) + 1).unwrap_or(0);
                    match d {
                        Some((Some(n), d_span)) if n != span_days => {
                            self.error(
                                &d_span,
                                fld("days"),
                                format!("days = {n} but {s} to {e} is {span_days} days; drop `days` or fix the dates"),
                            );
                            (None, None)
                        }
                        Some((None, _)) => (None, None),
                        _ => (Some(e), Some(span_days)),
                    }
                }
            }
            (Some(s), None, Some((Some(n), _))) => (Some(s.plus_days(i32::try_from(n).unwrap_or(1) - 1)), Some(n)),
            (Some(_), None, None) => {
                self.error(&span, fld("end"), "missing `end` (or `days`): the camp needs its last day");
                (None, None)
            }
            _ => (None, None),
        };
        if let (Some(n), Some((r, r_span))) = (days, &required)
            && *r > n
        {
            self.error(r_span, fld("required"), format!("required = {r} is more than the camp's {n} days"));
        }

        let checkin_id = match get("checkin_id") {
            Some(v) => self.id_string(v, &fld("checkin_id")).map(|s| Some(CheckinId::new(s))),
            None => Some(None),
        };
        let group_chats = get("group_chats").map_or(Some(Vec::new()), |v| self.string_list(v, &fld("group_chats")));
        let payee = match get("payee") {
            Some(v) => self.nonempty_string(v, &fld("payee")).map(|s| Some(StaffUserId::new(s))),
            None => Some(None),
        };
        let refund_via = get("refund_via").map_or(Some(RefundVia::WecomClient), |v| {
            self.choice(v, &fld("refund_via"), &[("wxpay", RefundVia::Wxpay), ("wecom-client", RefundVia::WecomClient)])
        });
        let coaches = get("coaches").map_or(Some(Vec::new()), |v| self.string_list(v, &fld("coaches")));
        let volunteers = get("volunteers").map_or(Some(Vec::new()), |v| self.string_list(v, &fld("volunteers")));
        let borderline_margin =
            get("borderline_margin").map_or(Some(1), |v| self.uint(v, &fld("borderline_margin"), 0, 366));
        let automation = get("automation").map_or(Some(Automation::Semi), |v| {
            self.choice(
                v,
                &fld("automation"),
                &[("semi", Automation::Semi), ("auto", Automation::Auto), ("manual", Automation::Manual)],
            )
        });
        let grace = get("not_joined_grace")
            .map_or(Some(SignedDuration::from_hours(24)), |v| self.duration(v, &fld("not_joined_grace")));
        let limit = get("not_joined_limit")
            .map_or(Some(SignedDuration::from_hours(72)), |v| self.duration(v, &fld("not_joined_limit")));
        if let (Some(g), Some(l), Some(v)) = (grace, limit, get("not_joined_limit"))
            && l < g
        {
            self.error(&v.span(), fld("not_joined_limit"), "must be at least not_joined_grace");
        }
        let left_group = get("left_group").map_or(Some(LeftGroupPolicy::Review), |v| {
            self.choice(
                v,
                &fld("left_group"),
                &[
                    ("review", LeftGroupPolicy::Review),
                    ("ignore", LeftGroupPolicy::Ignore),
                    ("forfeit", LeftGroupPolicy::Forfeit),
                ],
            )
        });
        let makeup_days = get("makeup_days").map_or(Some(0), |v| self.uint(v, &fld("makeup_days"), 0, 30));
        let min_words = match get("min_words") {
            Some(v) => self.uint(v, &fld("min_words"), 0, 100_000).map(Some),
            None => Some(None),
        };
        let group_qr = match get("group_qr") {
            Some(v) => self.nonempty_string(v, &fld("group_qr")).map(|p| Some(self.resolve_path(&p))),
            None => Some(None),
        };
        let poster = match get("poster") {
            Some(v) => self.nonempty_string(v, &fld("poster")).map(|p| Some(self.resolve_path(&p))),
            None => Some(None),
        };
        let approvals = get("approvals").map_or(Some(1), |v| self.uint(v, &fld("approvals"), 1, 2));
        let batch_cap = match get("batch_cap") {
            Some(v) => self.money(v, &fld("batch_cap")).map(Some),
            None => Some(None),
        };
        let payment_keyword = match get("payment_keyword") {
            Some(v) => self.nonempty_string(v, &fld("payment_keyword")).map(Some),
            None => Some(None),
        };
        let enroll_start = match get("enroll_start") {
            Some(v) => self.day(v, &fld("enroll_start")).map(Some),
            None => Some(None),
        };
        if let (Some(Some(e)), Some(s), Some(v)) = (enroll_start, start, get("enroll_start"))
            && e > s
        {
            self.error(&v.span(), fld("enroll_start"), format!("enroll_start {e} is after start {s}"));
        }
        let day_cutoff = get("day_cutoff").map_or(Some(global_cutoff), |v| self.cutoff(v, &fld("day_cutoff")));

        Some(Camp {
            id: CampId::new(id?),
            name: name?,
            template,
            start: start?,
            end: end?,
            days: days?,
            required: required?.0,
            deposit: deposit?,
            checkin_id: checkin_id?,
            group_chats: group_chats?.into_iter().map(ChatId::new).collect(),
            payee: payee?,
            refund_via: refund_via?,
            coaches: coaches?,
            volunteers: volunteers?,
            borderline_margin: borderline_margin?,
            automation: automation?,
            not_joined_grace: grace?,
            not_joined_limit: limit?,
            left_group: left_group?,
            makeup_days: makeup_days?,
            min_words: min_words?,
            group_qr: group_qr?,
            poster: poster?,
            approvals: u8::try_from(approvals?).ok()?,
            batch_cap: batch_cap?,
            payment_keyword: payment_keyword?,
            enroll_start: enroll_start?,
            day_cutoff: day_cutoff?,
        })
    }
}

/// `Option<Option<T>>`-style helper: an absent section is fine, a broken one is not.
trait TransposeAll<T> {
    fn transpose_all(self) -> Option<Option<T>>;
}

impl<T> TransposeAll<T> for Option<Option<T>> {
    fn transpose_all(self) -> Option<Option<T>> {
        match self {
            None => Some(None),
            Some(None) => None,
            Some(Some(t)) => Some(Some(t)),
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

/// The closest allowed name, if it is close enough to be a likely typo.
fn suggest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(name, a), *a))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, a)| a)
}

/// Parses durations like "24h", "3d", "90m", "1d12h", "30s" (days are 24 hours).
pub fn parse_duration(text: &str) -> Option<SignedDuration> {
    let span: jiff::Span = text.trim().parse().ok()?;
    span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()).ok()
}
