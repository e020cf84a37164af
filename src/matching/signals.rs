//! Scoring one payer against one planet user: a Fellegi–Sunter style sum of
//! log2 Bayes factors (matching.md §4.2), each with a reason a reviewer reads.
//!
//! Score = prior (scope size) + participant + name evidence (remark and names,
//! under the correlation cap) + join time + amount. The hard-evidence gate of §4.3
//! is computed beside the score: an auto link needs both.

use super::fxhash::{FxMap, FxSet};

use fuzzy_matcher::skim::SkimMatcherV2;
use jiff::{SignedDuration, Timestamp};

use super::blocking::{NameSource, PlanetIndex};
use super::compare::{self, FormView, NameLevel};
use super::elsewhere::PaymentNames;
use super::normalize::{NameForm, NormalizedName};
use super::outcome::Signal;
use super::packed::{PackedForm, PackedName, UserNames};
use super::phonetic::is_personal_name;
use super::remark::RemarkFacts;
use crate::domain::{CampId, GroupMember, Money, Payment};

/// The weights of model v1, in bits.
///
/// Identifying evidence (a remark naming the user, an exact name, an id, a bind
/// code) is a term-frequency adjusted log2(m/u): u for a value held by k of the N
/// users in scope is about k/N, so such a signal is worth `log2(N) + excess −
/// log2(k)` and a unique match cancels the prior −log2(N−1), leaving `excess`.
/// The excesses are log2(m / coincidence rate) and were set by hand after
/// matching.md §4.2, then checked on generated communities (`campdesk bench
/// match`); weak levels (containment, pinyin closeness, time, amount) keep the
/// fixed §4.2 values. Re-estimate from review decisions.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// R1 excess: the remark contains the raw nickname.
    pub remark_raw: f64,
    /// R2 excess: the remark contains the nickname after normalisation.
    pub remark_normalized: f64,
    /// R3 excess: the name the remark states sounds like the nickname, or is one edit away.
    pub remark_similar: f64,
    /// R4 (fixed): the remark names someone, but not this user.
    pub remark_unmatched: f64,
    /// Excess: the remark holds the user's `user_id`.
    pub remark_user_id: f64,
    /// Excess: the remark holds the user's member number.
    pub remark_member_number: f64,
    /// N1 excess: normalised names equal.
    pub name_exact: f64,
    /// W1 excess: the payer's WeChat name equals the 微信昵称 of the user's member-export
    /// row (after normalisation): the same WeChat account's name seen twice.
    pub wechat_export_exact: f64,
    /// W1 bonus: equal as shown, decorations and emoji included (rarer than the bare name).
    pub wechat_export_raw: f64,
    /// W1 penalty: the payer's WeChat name changed (bill and group disagree), so the
    /// export may show a name another person now carries.
    pub wechat_renamed: f64,
    /// P(the export's 微信昵称 equals the payer's WeChat name) — m of W1.
    pub wechat_m: f64,
    /// N4 excess: same pinyin, different characters.
    pub name_pinyin_equal: f64,
    /// N2 (fixed): one name contains the other.
    pub name_contains: f64,
    /// N3 (fixed): long Han names one or two characters apart.
    pub name_han_similar: f64,
    /// N5 (fixed): fuzzy pinyin equal or close.
    pub name_pinyin_close: f64,
    /// Fixed: Latin initials or subsequence of the pinyin.
    pub name_subsequence: f64,
    /// Fixed: same one-character name.
    pub name_short_exact: f64,
    /// N6 (fixed): names present on both sides and unrelated.
    pub name_different: f64,
    /// Fixed: a former nickname that was already replaced when the payment was made.
    pub stale_former_name: f64,
    /// T1: joined the planet within [payment − 1 h, payment + 72 h].
    pub joined_soon: f64,
    /// T2: joined within 14 days after payment.
    pub joined_within_two_weeks: f64,
    /// T3: joined more than 30 days before payment.
    pub joined_long_before: f64,
    /// T4: joined more than 14 days after payment.
    pub joined_late: f64,
    /// A1: amount equals the camp's deposit.
    pub amount_is_deposit: f64,
    /// Excess: the user posted the payment's bind code.
    pub bind_code: f64,
    /// Excess: an earlier human must-link binds the payer's external_userid to the user.
    pub person_binding: f64,
    /// Another camp's automatic link of the same bill external_userid (beyond log N).
    pub earlier_link: f64,
    /// P(a payer's own account checks in on the camp's project).
    pub participant_given_match: f64,
    /// P(a payer shows a name equal to the planet user's) — m of N1.
    pub name_m: f64,
    /// P(a payer writes the planet nickname in the remark) — m of R1/R2.
    pub remark_m: f64,
    /// m of the rarer levels (pinyin-equal names, remark one edit away).
    pub rare_m: f64,
    /// A name whose expected number of chance carriers (a nickname put together from
    /// common parts, a common personal name) reaches this is not unique enough for the
    /// name gate, however few users in scope carry it.
    pub chance_carriers_max: f64,
    /// The same bound for a nickname equal to the payer's WeChat name on a user the
    /// member export does not show a WeChat name for (nothing vouches that the WeChat
    /// name and the nickname are one person's), counted over the unvouched users only.
    pub chance_carriers_max_unvouched: f64,
    /// The bound for the export's WeChat name, or a current personal-name nickname, on a
    /// user who checks in and joined the planet right around the payment (T1): a stranger
    /// who paid under the same common name (Yoyo, 王毅) would need a namesake who joined in
    /// those days and checks in without a payment showing that name.
    pub chance_carriers_max_joined: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            remark_raw: 7.5,
            remark_normalized: 7.0,
            remark_similar: 0.0,
            remark_unmatched: -1.0,
            remark_user_id: 12.0,
            remark_member_number: 10.0,
            name_exact: 7.0,
            wechat_export_exact: 9.0,
            wechat_export_raw: 2.0,
            wechat_renamed: -1.0,
            wechat_m: 0.85,
            name_pinyin_equal: 2.0,
            name_contains: 4.0,
            name_han_similar: 4.0,
            name_pinyin_close: 2.0,
            name_subsequence: 1.0,
            name_short_exact: 1.0,
            name_different: -2.0,
            stale_former_name: -2.0,
            joined_soon: 3.0,
            joined_within_two_weeks: 1.0,
            joined_long_before: -0.5,
            joined_late: -2.0,
            amount_is_deposit: 0.5,
            bind_code: 16.0,
            person_binding: 12.0,
            earlier_link: 10.0,
            participant_given_match: 0.9,
            name_m: 0.55,
            remark_m: 0.3,
            rare_m: 0.05,
            chance_carriers_max: 0.05,
            chance_carriers_max_unvouched: 0.01,
            chance_carriers_max_joined: 0.25,
        }
    }
}

/// Where a payer's name comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PayerSource {
    /// `contact_info.name` on the bill.
    BillName,
    /// The group member's WeChat name.
    GroupName,
    /// The group member's group nickname.
    GroupNickname,
}

impl PayerSource {
    /// The Chinese label shown in reasons.
    pub fn label(self) -> &'static str {
        match self {
            PayerSource::BillName => "付款人微信名",
            PayerSource::GroupName => "群成员微信名",
            PayerSource::GroupNickname => "群昵称",
        }
    }
}

/// One name of a payer, normalised.
#[derive(Clone, Debug)]
pub struct PayerName {
    /// Where it comes from.
    pub source: PayerSource,
    /// As shown.
    pub raw: String,
    /// Normalised.
    pub norm: NormalizedName,
}

/// How a group member was tied to a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupTie {
    /// Same external_userid (exact, same corp namespace).
    ExternalUserid,
    /// The bill has no external_userid; the only unclaimed member with the payer's WeChat name.
    UniqueName,
}

/// A payment with everything matching reads from it.
#[derive(Clone, Debug)]
pub struct Payer<'a> {
    /// The payment.
    pub payment: &'a Payment,
    /// The tied group member.
    pub group_member: Option<(&'a GroupMember, GroupTie)>,
    /// Its names.
    pub names: Vec<PayerName>,
    /// The remark, read.
    pub remark: RemarkFacts,
    /// Name texts found in the remark.
    pub remark_hits: Vec<String>,
}

/// Per-camp statistics the scores need: scope, participants, name frequencies.
pub struct ScoreContext<'a> {
    /// The planet-user index.
    pub index: &'a PlanetIndex<'a>,
    /// Weights.
    pub weights: &'a Weights,
    /// Planet users in scope (N).
    pub scope_size: usize,
    /// participants[i]: whether index position i checks in on this camp.
    pub participants: &'a [bool],
    /// Number of participants (P).
    pub participant_count: usize,
    /// (N, P) of the camp's first round. Chance carriers of a name (people the planet
    /// does not show) are weighted by these in every round: they do not leave the
    /// scope when other payers link.
    pub chance_scope: (usize, usize),
    /// Name text → participants with it.
    pub participant_texts: &'a FxMap<&'a str, u32>,
    /// Pinyin → participants with it.
    pub participant_pinyin: &'a FxMap<&'a str, u32>,
    /// Name text → payers of this camp with it.
    pub payer_texts: &'a FxMap<&'a str, u32>,
    /// Name text → the open payers carrying it, with their names as shown that read so.
    pub payer_shows: &'a FxMap<&'a str, Vec<(&'a str, Vec<&'a str>)>>,
    /// Remark hit text → payers of this camp whose remark names it.
    pub remark_texts: &'a FxMap<&'a str, u32>,
    /// Users out of the scope (already linked): not counted in name frequencies.
    pub excluded: &'a FxSet<u32>,
    /// Name text → excluded users carrying it.
    pub excluded_texts: &'a FxMap<&'a str, u32>,
    /// Pinyin → excluded users carrying it.
    pub excluded_pinyin: &'a FxMap<&'a str, u32>,
    /// The gate's notion of a unique name: no other carrier in scope at all (true),
    /// or a participant-weighted count (false; more recall, measured less safe).
    pub strict_unique: bool,
    /// The camp.
    pub camp: Option<&'a CampId>,
    /// The bill names of all the planet's payments, when known (unknown: any WeChat name
    /// may show on another camp's payment).
    pub payment_names: Option<&'a PaymentNames>,
    /// The camp's deposit.
    pub deposit: Option<Money>,
    /// Subsequence matcher.
    pub matcher: &'a SkimMatcherV2,
}

/// What the hard-evidence gate (§4.3) found for a pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gate {
    /// The remark names this user by a nickname no other user in scope and no other payer's remark shares.
    pub unique_remark: bool,
    /// The remark holds the user's id or member number.
    pub remark_id: bool,
    /// Exact name, unique on both sides, with a join-time or participation corroboration.
    pub unique_name: bool,
    /// The payer's WeChat name equals the user's exported 微信昵称, no other payer of the
    /// camp shows it (for a decorated name: as shown, or styled otherwise without a
    /// participant's export showing that styling), and no other user in scope may hold it
    /// (their export shows another WeChat name), or only users who do not check in while
    /// this one joined the planet right around the payment. Nor may the name be common
    /// ([`Weights::chance_carriers_max`]; [`Weights::chance_carriers_max_joined`] for a
    /// user who checks in and joined the planet right around the payment).
    pub unique_wechat: bool,
    /// The user posted this payment's bind code.
    pub bind: bool,
    /// An earlier human decision binds the payer to this user.
    pub person_binding: bool,
    /// Another camp linked a payment with this bill's external_userid to this user
    /// automatically, on its own evidence.
    pub earlier_link: bool,
    /// The deciding name is shared by several users in scope or payers (another payer
    /// showing any of the payer's names is asked separately:
    /// [`shares_a_name_with_another_payer`]).
    pub same_name: bool,
    /// The deciding name is carried by no other planet user (in scope or already linked)
    /// and no other open payer, but is common enough that people the planet does not
    /// show carry it too (王毅, Winnie).
    pub common_name: bool,
    /// The user checks in on the camp's project.
    pub participant: bool,
    /// Two independent pieces, each unique in scope, point at the user: the WeChat name in
    /// the export and a different name of the user, or either of them and the remark. (A
    /// planet join right around the payment does not count: payers of every camp join then.)
    pub corroborated: bool,
    /// The unique remark hit is a planet nickname or 星球名片 that none of the payer's
    /// own names shows.
    pub remark_independent: bool,
    /// One of the payer's names equals one of the user's exactly (after normalisation).
    pub name_exact: bool,
    /// Names on both sides, none alike (N6): whatever links the pair, the names disagree.
    pub names_dissimilar: bool,
    /// The user joined the planet within [payment − 1 h, payment + 72 h] (T1).
    pub joined_soon: bool,
    /// `unique_wechat` holds on a WeChat name that no payment outside the camp shows
    /// (another camp's or an unattributed one) and that is not a short personal name
    /// (decorated, a nickname, or a personal name of three or more characters).
    pub wechat_only_here: bool,
    /// `wechat_only_here` holds on a decorated WeChat name matched as shown (北京-好奇的萝卜,
    /// ✿杨桐✿): no other user's export or nickname and no other payer shows that styling.
    pub wechat_shown: bool,
}

impl Gate {
    /// Whether any hard evidence holds.
    pub fn passes(&self) -> bool {
        self.unique_remark
            || self.remark_id
            || self.unique_name
            || self.unique_wechat
            || self.bind
            || self.person_binding
            || self.earlier_link
    }

    /// Whether the evidence is id-grade (bind code, id in the remark, earlier human binding).
    pub fn id_grade(&self) -> bool {
        self.remark_id || self.bind || self.person_binding
    }

    /// Whether the evidence may link a user who does not check in on the camp (once the
    /// camp has check-ins): id-grade evidence, another camp's automatic link of the same
    /// bill external_userid (the payer is known by the account), two independent unique
    /// pointers, a styled WeChat name shown exactly as exported ([`Gate::wechat_shown`]: a
    /// twin's or stranger's decorations are their own), or the export's WeChat name,
    /// unique and not a short personal name, on a user who joined the planet right around
    /// the payment, while no payment outside the camp shows that WeChat name (a short
    /// personal name such as 任婧 may be a stranger's who paid without an account, beside a
    /// namesake who joined in those days by chance). Bare names and remarks alone do not,
    /// however distinctive: the payer may have no planet account, and a namesake who never
    /// checks in would then take the payment (三分跑者 paid without an account; their twin,
    /// exported as 三分跑者, joined months before). Nor does the join time when another
    /// camp's payer shows the name: that namesake joined the planet in the same days for
    /// their own payment (立夏 paid in one camp, 立夏 exported and joined a day later after
    /// paying in another).
    pub fn stands_without_participation(&self) -> bool {
        self.id_grade()
            || self.earlier_link
            || self.corroborated
            || self.wechat_shown
            || (self.wechat_only_here && self.joined_soon)
    }

    /// The hard evidence that holds, in the reviewer's words (for an auto link's reasons).
    pub fn describe(&self) -> String {
        let parts: Vec<&str> = [
            (self.bind, "绑定码"),
            (self.person_binding, "此前人工确认"),
            (self.earlier_link, "他营已自动关联同一付款人"),
            (self.remark_id, "备注含用户ID或成员编号"),
            (self.unique_remark, "备注含唯一昵称"),
            (self.unique_wechat, "导出微信昵称唯一"),
            (self.unique_name, "唯一同名"),
            (self.corroborated, "两条独立证据"),
            (self.wechat_only_here && self.joined_soon && !self.participant, "他营付款无此微信昵称且付款前后入球"),
            (self.wechat_shown && !self.participant, "导出微信昵称连同修饰一致"),
            (self.participant, "参加本营打卡"),
        ]
        .into_iter()
        .filter_map(|(on, label)| on.then_some(label))
        .collect();
        parts.join(" + ")
    }
}

/// A name counts as unique for the gate while the participant-weighted number of
/// users carrying it stays below this (one participant plus a little prior mass
/// from non-participants).
pub const UNIQUE_K: f64 = 1.25;

/// The score of one payer–user pair.
#[derive(Clone, Debug, PartialEq)]
pub struct PairScore {
    /// Total log2 odds (prior included).
    pub total: f64,
    /// Contributions, prior first (empty when scored without reasons).
    pub signals: Vec<Signal>,
    /// The gate.
    pub gate: Gate,
    /// Bits in `total` that come from another camp's link (E1), not from this camp.
    pub lean: f64,
    explain: bool,
}

impl PairScore {
    /// An empty score; `explain` says whether contributions are recorded.
    pub fn new(explain: bool) -> Self {
        PairScore { total: 0.0, signals: Vec::new(), gate: Gate::default(), lean: 0.0, explain }
    }

    /// Whether contributions keep their reasons (format them only then).
    pub fn explains(&self) -> bool {
        self.explain
    }

    /// The total on this camp's own evidence (without other camps' links).
    pub fn local(&self) -> f64 {
        self.total - self.lean
    }

    /// Adds a contribution.
    pub fn add(&mut self, code: &str, bits: f64, reason: String) {
        self.total += bits;
        if self.explain {
            self.signals.push(Signal { code: code.to_string(), bits: round1(bits), reason });
        }
    }
}

/// `format!` only when the reasons are wanted.
macro_rules! txt {
    ($explain:expr, $($arg:tt)*) => {
        if $explain { format!($($arg)*) } else { String::new() }
    };
}

/// Rounds to 0.1 bit (for display and stable output).
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The prior log2 odds that a payer is one given user of `scope_size`.
pub fn prior_bits(scope_size: usize) -> f64 {
    -((scope_size.max(2) - 1) as f64).log2()
}

struct Evidence {
    bits: f64,
    code: &'static str,
    reason: String,
}

impl ScoreContext<'_> {
    /// log2 of the scope size: what it takes to single out one user.
    pub fn log_n(&self) -> f64 {
        (self.scope_size.max(2) as f64).log2()
    }

    /// Participant-weighted count of users with a key: participants count fully,
    /// other users by their relative prior weight (§4.2 TF over the scope).
    fn k_eff(&self, all: usize, participants: usize) -> f64 {
        let n = self.scope_size;
        let p = self.participant_count;
        let k = if p > 0 && p < n {
            let m = self.weights.participant_given_match;
            let ratio = ((1.0 - m) / (n - p) as f64) / (m / p as f64);
            participants as f64 + (all.saturating_sub(participants)) as f64 * ratio
        } else {
            all as f64
        };
        k.max(1.0)
    }

    /// Users in scope carrying this name text, unweighted.
    fn text_count(&self, text: &str) -> usize {
        let closed = self.excluded_texts.get(text).copied().unwrap_or(0) as usize;
        self.index.with_text(text).len().saturating_sub(closed)
    }

    fn text_k(&self, text: &str) -> f64 {
        let all = self.text_count(text);
        let part = self.participant_texts.get(text).copied().unwrap_or(0) as usize;
        self.k_eff(all, part)
    }

    /// Whether a name is unique enough for the gate: no other user in scope carries
    /// it (`strict_unique`), or the participant-weighted count stays under [`UNIQUE_K`].
    fn unique(&self, k: f64, text: &str) -> bool {
        if self.strict_unique { self.text_count(text) <= 1 } else { k < UNIQUE_K }
    }

    /// Chance carriers of a name beyond the observed ones, scaled like `k_eff`.
    fn expected_k(&self, text: &str) -> f64 {
        let e = self.index.expected_carriers(text);
        if e == 0.0 {
            return 0.0;
        }
        let (n, p) = self.chance_scope;
        if p > 0 && p < n {
            let m = self.weights.participant_given_match;
            let ratio = ((1.0 - m) / (n - p) as f64) / (m / p as f64);
            e * (p as f64 + (n - p) as f64 * ratio) / n as f64
        } else {
            e
        }
    }

    /// Bits of identifying evidence: log2(m/u) with u = (others + expected + r0)/N,
    /// where r0 = m·2^−excess is the chance a unique value is a coincidence.
    /// A unique, uncommon value is worth log2(N) + excess.
    fn identify(&self, excess: f64, m: f64, others: f64, expected: f64) -> f64 {
        let r0 = m * (-excess).exp2();
        self.log_n() + excess - (1.0 + (others + expected) / r0).log2()
    }

    /// Users in scope whose exported 微信昵称 is exactly `raw` (decorations included).
    fn wechat_raw_count(&self, raw: &str) -> usize {
        self.index.with_wechat_raw(raw).iter().filter(|u| !self.excluded.contains(u)).count()
    }

    /// Users in scope who may hold the WeChat name `text`: those whose exported 微信昵称
    /// reads as it, and those the export shows no WeChat name for. A namesake whose
    /// export shows another name altogether (呆呆的大叔 as planet nickname, 微信昵称
    /// 李洁帅) holds another WeChat account, so it does not make the WeChat name shared.
    /// Returns (all of them, the participants among them).
    fn wechat_carriers(&self, text: &str) -> (usize, usize) {
        let carriers = self.index.with_text(text).iter().filter(|u| !self.excluded.contains(u)).filter(|&&u| {
            let mut exported = self.index.names(u).iter().filter(|n| n.source == NameSource::WechatExport).peekable();
            exported.peek().is_none() || exported.any(|n| n.norm.texts().any(|t| t == text))
        });
        carriers.fold((0, 0), |(all, part), &u| (all + 1, part + usize::from(self.participants[u as usize])))
    }

    /// Users in scope who check in on the camp and whose exported 微信昵称 reads as `text`
    /// but is styled otherwise than `raw` (Irene Zhang🌈 / Irene Zhang): a WeChat name's
    /// decoration may have changed since the export. A participant whose exported styling
    /// another payer of the camp (not `txn`) shows exactly is more likely that payer's
    /// account, and does not count.
    fn restyled_participants(&self, text: &str, raw: &str, txn: &str) -> usize {
        let raw = raw.trim();
        self.index
            .with_text(text)
            .iter()
            .filter(|&&u| self.participants[u as usize] && !self.excluded.contains(&u))
            .filter(|&&u| {
                self.index.names(u).iter().any(|n| {
                    n.source == NameSource::WechatExport
                        && n.raw.trim() != raw
                        && n.norm.texts().any(|t| t == text)
                        && !self.shown_by_other_payer(text, n.raw.trim(), txn)
                })
            })
            .count()
    }

    /// Whether another open payer of the camp than `txn` shows `raw` exactly as its WeChat
    /// name (reading `text`).
    fn shown_by_other_payer(&self, text: &str, raw: &str, txn: &str) -> bool {
        self.payer_shows.get(text).is_some_and(|all| all.iter().any(|(t, shown)| *t != txn && shown.contains(&raw)))
    }

    /// Payers of the camp (and unpaid group members) who carry the WeChat name `text`
    /// and are not explained otherwise. A payer showing the name styled otherwise than
    /// `raw` (守望小熊 beside 👩‍💻守望小熊) is explained when a participant in scope exports
    /// that styling exactly, and no participant without an exported 微信昵称 carries the
    /// name (their WeChat name may be either styling).
    fn unexplained_payers(&self, text: &str, raw: &str) -> u32 {
        let total = self.payer_texts.get(text).copied().unwrap_or(0);
        let Some(all) = self.payer_shows.get(text) else { return total };
        let explains = |r: &&str| {
            self.index.with_wechat_raw(r).iter().any(|&u| self.participants[u as usize] && !self.excluded.contains(&u))
        };
        let explained =
            all.iter().filter(|(_, shown)| !shown.contains(&raw) && shown.iter().any(explains)).count() as u32;
        if explained > 0 && self.unvouched_participants(text) > 0 {
            return total;
        }
        total - explained
    }

    /// Participants in scope who carry `text` and whose WeChat name the export does not show.
    fn unvouched_participants(&self, text: &str) -> usize {
        self.index
            .with_text(text)
            .iter()
            .filter(|&&u| self.participants[u as usize] && !self.excluded.contains(&u))
            .filter(|&&u| self.index.names(u).iter().all(|n| n.source != NameSource::WechatExport))
            .count()
    }

    /// Users in scope without an exported 微信昵称 who carry `raw` exactly as another
    /// name (a planet nickname "Angela·陈"): their WeChat name may be the same.
    fn unvouched_raw_count(&self, text: &str, raw: &str) -> usize {
        let raw = raw.trim();
        self.index
            .with_text(text)
            .iter()
            .filter(|u| !self.excluded.contains(u))
            .filter(|&&u| {
                let names = self.index.names(u);
                names.iter().all(|n| n.source != NameSource::WechatExport) && names.iter().any(|n| n.raw.trim() == raw)
            })
            .count()
    }

    /// The chance bound for a nickname equal to the payer's WeChat name on a user the
    /// export does not vouch for. A stranger's WeChat name can equal by chance only the
    /// nicknames of unvouched users (on a vouched user the export's other WeChat name
    /// refutes it), so the stricter bound applies to the expected carriers among those:
    /// with 80 % of users vouched, 5× the chance carriers pass (never beyond the general bound).
    fn unvouched_chance_max(&self) -> f64 {
        let w = self.weights;
        let share = self.index.unvouched_share().max(f64::MIN_POSITIVE);
        (w.chance_carriers_max_unvouched / share).min(w.chance_carriers_max)
    }

    /// Whether another user in scope writes this name in the other script or, for a Han
    /// name of 3+ characters, with homophone characters (努力生活的熊猫 /
    /// nulishenghuodexiongmao, zhangweiming / 张伟明): to a payer showing the name, as much
    /// a namesake as a user who carries the same characters, so the name is not unique.
    /// Short Han names are left alone (王丽 / 王莉 are two names). Checked last in the
    /// gates: it costs a lookup per reading.
    fn spelt_elsewhere(&self, form: PackedForm<'_>) -> bool {
        if form.han > 0 && form.han < 3 {
            return false;
        }
        let same = self.index.with_text(form.text);
        form.pinyin().any(|p| {
            self.index.with_pinyin(p).iter().any(|u| same.binary_search(u).is_err() && !self.excluded.contains(u))
        })
    }

    fn pinyin_k(&self, pinyin: &str) -> f64 {
        let closed = self.excluded_pinyin.get(pinyin).copied().unwrap_or(0) as usize;
        let all = self.index.with_pinyin(pinyin).len().saturating_sub(closed);
        let part = self.participant_pinyin.get(pinyin).copied().unwrap_or(0) as usize;
        self.k_eff(all, part)
    }

    /// Scores a payer against the user at index position `u`.
    pub fn score(&self, payer: &Payer<'_>, u: u32) -> PairScore {
        self.score_with(payer, u, true)
    }

    /// Scores a pair without writing the reasons (same total and gate; for screening).
    pub fn quick(&self, payer: &Payer<'_>, u: u32) -> PairScore {
        self.score_with(payer, u, false)
    }

    fn score_with(&self, payer: &Payer<'_>, u: u32, explain: bool) -> PairScore {
        let w = self.weights;
        let user = self.index.user(u);
        let names = self.index.packed_names(u);
        let paid_at = payer.payment.paid_at;
        let mut s = PairScore::new(explain);
        s.add("PRIOR", prior_bits(self.scope_size), txt!(explain, "先验：范围内 {} 位星球用户", self.scope_size));

        // Participation in the camp's project.
        let (n, p) = (self.scope_size, self.participant_count);
        let participant = self.participants.get(u as usize).copied().unwrap_or(false);
        s.gate.participant = participant;
        if p > 0 && p < n {
            let m = w.participant_given_match;
            if participant {
                s.add("P+", (m * n as f64 / p as f64).log2(), txt!(explain, "参加了本营打卡"));
            } else {
                s.add("P-", ((1.0 - m) * n as f64 / (n - p) as f64).log2(), txt!(explain, "未参加本营打卡"));
            }
        }

        // Remark and names, under the correlation cap.
        let remark = self.remark_evidence(payer, user, names, paid_at, &mut s.gate, explain);
        let joined = self.index.joined(u);
        let name = self.name_evidence(payer, names, paid_at, participant, joined, &mut s.gate, explain);
        if s.gate.remark_independent && (s.gate.unique_wechat || s.gate.unique_name) {
            s.gate.corroborated = true;
        }
        match (remark, name) {
            (Some(r), Some(nm)) if r.bits > 0.0 && nm.bits > 0.0 => {
                // Remark and names come from one person's habits: the weaker adds only
                // half of what it has beyond singling out one user (§4.2 cap).
                let (hi, lo) = if r.bits >= nm.bits { (r, nm) } else { (nm, r) };
                s.add(hi.code, hi.bits, hi.reason);
                let extra = 0.5 * (lo.bits - self.log_n()).max(0.0);
                s.add(lo.code, extra, txt!(explain, "{}（与上一条同出一人习惯，只计超出部分的一半）", lo.reason));
            }
            (r, nm) => {
                for e in [r, nm].into_iter().flatten() {
                    s.add(e.code, e.bits, e.reason);
                }
            }
        }

        // Planet join time against payment time.
        if let Some(joined) = joined {
            let d = joined.duration_since(paid_at);
            let hour = SignedDuration::from_hours(1);
            let day = SignedDuration::from_hours(24);
            if d >= -hour && d <= 72 * hour {
                s.gate.joined_soon = true;
                s.add("T1", w.joined_soon, txt!(explain, "入球时间：付款{}", describe_offset(d)));
            } else if d > 72 * hour && d <= 14 * day {
                s.add("T2", w.joined_within_two_weeks, txt!(explain, "入球时间：付款后 {} 天", d.as_hours() / 24));
            } else if d > 14 * day {
                s.add("T4", w.joined_late, txt!(explain, "入球时间：付款后 {} 天，偏晚", d.as_hours() / 24));
            } else if d < -30 * day {
                s.add(
                    "T3",
                    w.joined_long_before,
                    txt!(explain, "入球时间：付款前 {} 天（老成员？）", -d.as_hours() / 24),
                );
            }
        }

        // Amount.
        if let Some(dep) = self.deposit
            && payer.payment.amount == dep
        {
            s.add("A1", w.amount_is_deposit, txt!(explain, "金额等于押金 {dep}"));
        }
        s
    }

    fn remark_evidence(
        &self,
        payer: &Payer<'_>,
        user: &crate::domain::PlanetUser,
        names: UserNames<'_>,
        paid_at: Timestamp,
        gate: &mut Gate,
        explain: bool,
    ) -> Option<Evidence> {
        let w = self.weights;
        let facts = &payer.remark;
        if !facts.is_present() {
            return None;
        }
        let raw_remark = payer.payment.remark.as_str();
        let mut best: Option<Evidence> = None;
        let consider = |e: Evidence, best: &mut Option<Evidence>| {
            if best.as_ref().is_none_or(|b| e.bits > b.bits) {
                *best = Some(e);
            }
        };
        if facts.digit_runs.iter().any(|d| d == user.user_id.as_str()) {
            gate.remark_id = true;
            consider(
                Evidence {
                    bits: self.log_n() + w.remark_user_id,
                    code: "RID",
                    reason: txt!(explain, "备注含星球用户ID {}", user.user_id),
                },
                &mut best,
            );
        }
        if !facts.member_numbers.is_empty()
            && let Some(num) = &user.number
        {
            let num = num.trim_start_matches('0');
            if !num.is_empty() && facts.member_numbers.iter().any(|m| m == num) {
                let k = self.index.with_number(num).len().max(1) as f64;
                gate.remark_id |= k < 1.5;
                consider(
                    Evidence {
                        bits: self.log_n() + w.remark_member_number - k.log2(),
                        code: "RNO",
                        reason: txt!(explain, "备注含成员编号 {num}"),
                    },
                    &mut best,
                );
            }
        }
        for name in names.iter() {
            let stale = name.source == NameSource::Former && name.until.is_some_and(|u| u < paid_at);
            for form in name.forms() {
                if !payer.remark_hits.iter().any(|h| h == form.text) {
                    continue;
                }
                let k = self.text_k(form.text);
                let expected = self.expected_k(form.text);
                let raw_exact = form.is_distinctive() && raw_remark.contains(name.raw.trim());
                let (code, excess) = if raw_exact { ("R1", w.remark_raw) } else { ("R2", w.remark_normalized) };
                let shared_by_payers = self.remark_texts.get(form.text).copied().unwrap_or(0) > 1;
                // A hit inside a longer stated name ("问渠" in "星球：问渠南") is a fragment, not a statement.
                let fragment = facts.stated.core().is_some_and(|c| c.text != form.text && c.text.contains(form.text));
                if self.unique(k, form.text) && !shared_by_payers && !stale && !fragment {
                    gate.unique_remark = true;
                    // A planet-side name the payer's WeChat and group names do not show is a
                    // second, independent pointer at the user.
                    let planet_side = matches!(name.source, NameSource::Nickname | NameSource::Alias);
                    let own = payer.names.iter().any(|n| n.norm.texts().any(|t| t == form.text));
                    gate.remark_independent |= planet_side && !own;
                } else if !stale && !fragment {
                    // Shared with another user or another payer's remark. (A nickname given up
                    // before the payment, or a piece of a longer stated name, is no namesake's.)
                    gate.same_name = true;
                }
                let mut bits = self.identify(excess, w.remark_m, k - 1.0, expected);
                let mut reason = txt!(
                    explain,
                    "备注含{}「{}」{}",
                    name.source.label(),
                    name.raw.trim(),
                    if raw_exact { "" } else { "（规范化后）" }
                );
                if explain {
                    reason.push_str(&commonness(k, expected));
                }
                if shared_by_payers && explain {
                    reason.push_str("；本营另有付款备注同一昵称");
                }
                if stale {
                    bits += w.stale_former_name;
                    if explain {
                        reason.push_str("；付款时该昵称已不用");
                    }
                }
                consider(Evidence { bits, code, reason }, &mut best);
            }
            // R3: the stated name sounds like this name, or is one edit away.
            if let Some(m) = compare::compare_views(&facts.stated.forms, name.forms(), self.matcher) {
                let similar = match m.level {
                    NameLevel::PinyinEqual | NameLevel::PinyinClose => true,
                    NameLevel::HanSimilar => true,
                    NameLevel::Contains => {
                        m.left.han >= 3
                            && m.right.han >= 3
                            && m.left.text.chars().count().abs_diff(m.right.text.chars().count()) == 1
                    }
                    _ => false,
                };
                if similar {
                    consider(
                        Evidence {
                            bits: self.identify(w.remark_similar, w.rare_m, 0.0, 0.0),
                            code: "R3",
                            reason: txt!(
                                explain,
                                "备注「{}」与{}「{}」音近或差一字",
                                raw_remark.trim(),
                                name.source.label(),
                                name.raw.trim()
                            ),
                        },
                        &mut best,
                    );
                }
            }
        }
        if best.is_none() && facts.names_someone() {
            return Some(Evidence {
                bits: w.remark_unmatched,
                code: "R4",
                reason: txt!(explain, "备注「{}」未指向该用户", raw_remark.trim()),
            });
        }
        best
    }

    /// W1: the payer's WeChat name (bill or group) equals the user's exported 微信昵称.
    #[allow(clippy::too_many_arguments)]
    fn wechat_evidence(
        &self,
        payer: &Payer<'_>,
        pn: &PayerName,
        un: &PackedName<'_>,
        m: &compare::NameMatch<&NameForm, PackedForm<'_>>,
        gate: &mut Gate,
        soon: bool,
        participant: bool,
        explain: bool,
    ) -> Evidence {
        let w = self.weights;
        let text = m.right.text;
        let raw_equal = pn.raw.trim() == un.raw.trim();
        let decorated = raw_equal && !plain_spelling(un.raw, text);
        // A decorated name equal as shown (🇨🇳张鸣) is counted as shown: another user's bare
        // 张鸣 is not the same WeChat name, unless that user checks in on the camp (WeChat
        // decorations change; the payer may be that user). Bare names count every carrier
        // of the text.
        let raw_k = decorated.then(|| {
            self.wechat_raw_count(un.raw)
                + self.unvouched_raw_count(text, un.raw)
                + self.restyled_participants(text, un.raw, payer.payment.transaction_id.as_str())
        });
        let shown_alone = matches!(raw_k, Some(n) if n <= 1);
        let (k, expected, unique) = match raw_k {
            Some(n) if n <= 1 => (1.0, 0.0, true),
            _ => {
                let (all, participants) = self.wechat_carriers(text);
                let k = self.k_eff(all, participants);
                // Another account exported under this WeChat name leaves it unique only if
                // that account does not check in on the camp and this user joined the planet
                // right around the payment: the payer could otherwise be the namesake who
                // never checks in, beside someone who checks in without paying.
                let unique = if self.strict_unique && !soon { all <= 1 } else { k < UNIQUE_K };
                (k, self.expected_k(text), unique)
            }
        };
        let mut excess = w.wechat_export_exact;
        if decorated {
            excess += w.wechat_export_raw;
        }
        let mut bits = self.identify(excess, w.wechat_m, k - 1.0, expected);
        let renamed = wechat_renamed(payer);
        if renamed {
            bits += w.wechat_renamed;
        }
        let payers_with = if decorated {
            self.unexplained_payers(text, un.raw.trim())
        } else {
            self.payer_texts.get(text).copied().unwrap_or(0)
        };
        let chance_max = if soon && participant { w.chance_carriers_max_joined } else { w.chance_carriers_max };
        if unique && payers_with <= 1 && expected < chance_max {
            gate.unique_wechat = true;
            // A short personal name (任婧) may be a stranger's who paid without an account,
            // beside a namesake who joined the planet in those days by chance.
            let own = payer.payment.payer_external_userid.as_ref();
            let only_here = self.payment_names.is_some_and(|all| !all.shown_outside(text, self.camp, own));
            gate.wechat_only_here |= (decorated || distinctive_name(m.right)) && only_here;
            // The styling vouches for one account only on a core name people rarely share by
            // chance (北京-张伟 may be two people's).
            gate.wechat_shown |= shown_alone && only_here && self.index.expected_carriers(text) < w.chance_carriers_max;
        } else if unique && payers_with <= 1 && self.index.with_text(text).len() <= 1 {
            gate.common_name = true;
        } else {
            gate.same_name = true;
        }
        let mut reason = txt!(
            explain,
            "{}「{}」与星球成员导出的微信昵称「{}」{}",
            pn.source.label(),
            pn.raw.trim(),
            un.raw.trim(),
            if raw_equal { "完全一致" } else { "规范化后一致" }
        );
        if explain {
            reason.push_str(&commonness(k, expected));
            if renamed {
                reason.push_str("；付款人改过微信名（账单与群内不同）");
            }
        }
        Evidence { bits, code: "W1", reason }
    }

    #[allow(clippy::too_many_arguments)]
    fn name_evidence(
        &self,
        payer: &Payer<'_>,
        names: UserNames<'_>,
        paid_at: Timestamp,
        participant: bool,
        joined: Option<Timestamp>,
        gate: &mut Gate,
        explain: bool,
    ) -> Option<Evidence> {
        let w = self.weights;
        let mut best: Option<(Evidence, NameLevel)> = None;
        let mut any_pair = false;
        // The user joined the planet right around the payment (an hour before to three days after).
        let soon = joined.is_some_and(|j| {
            let d = j.duration_since(paid_at);
            d >= -SignedDuration::from_hours(1) && d <= SignedDuration::from_hours(72)
        });
        // The strongest unique W1 and the strongest unique other exact name, by text.
        let mut wechat_hit: Option<(String, f64)> = None;
        let mut name_hit: Option<(String, f64)> = None;
        // The export shows this user's WeChat account under another name than the payer's
        // WeChat name: a nickname equal to the payer's WeChat name is then likely someone
        // else's (the payer's own account may be outside the export, or renamed since).
        let is_wechat = |pn: &PayerName| matches!(pn.source, PayerSource::BillName | PayerSource::GroupName);
        let exported = names.iter().filter(|n| n.source == NameSource::WechatExport).map(|n| n.raw.trim());
        let has_export = names.iter().any(|n| n.source == NameSource::WechatExport);
        // Needed only for exact matches: worked out on the first one.
        let export_disagrees_once = std::cell::OnceCell::new();
        let export_disagrees = || {
            *export_disagrees_once.get_or_init(|| {
                has_export
                    && payer.names.iter().any(is_wechat)
                    && !payer.names.iter().filter(|pn| is_wechat(pn)).any(|pn| {
                        let raw = pn.raw.trim();
                        exported.clone().any(|e| e == raw)
                    })
            })
        };
        // Unless that exported name looks outdated: this user checks in (so most likely
        // paid) and no payment of the planet but this one shows the exported name, so
        // whoever paid for the account paid under another WeChat name, such as the payer's
        // (温柔的龙虾, exported as 橘子兔子 before a rename). A long-time member needs an
        // exported name that reads as none of the payer's names and a nickname shown
        // exactly as the payer's WeChat name (天空椰子 on the bill and the planet, 范刚 in
        // the export): the same name styled otherwise in the export (jojo56 paid,
        // jojo56-HR exported) may be a namesake's account, and a nickname that only
        // normalises to the WeChat name (随遇而安_会计 for a payer 随遇而安⭐) may be a
        // stranger's, both of whom check in without paying. A member who joined the
        // planet right around the payment may also have changed a decoration
        // (上海-張薇琛🍀, exported as 張薇琛).
        let export_unrelated = || {
            names
                .iter()
                .filter(|n| n.source == NameSource::WechatExport)
                .all(|n| n.forms().all(|f| !payer.names.iter().any(|pn| pn.norm.texts().any(|t| t == f.text))))
                && names
                    .iter()
                    .filter(|n| n.source == NameSource::Nickname)
                    .any(|n| payer.names.iter().filter(|pn| is_wechat(pn)).any(|pn| pn.raw.trim() == n.raw.trim()))
        };
        let export_outdated = || {
            participant
                && (soon || export_unrelated())
                && self.payment_names.is_some_and(|all| {
                    names.iter().filter(|n| n.source == NameSource::WechatExport).all(|n| {
                        n.forms().all(|f| {
                            let this_bill = payer
                                .names
                                .iter()
                                .any(|pn| pn.source == PayerSource::BillName && pn.norm.texts().any(|t| t == f.text));
                            all.others_showing(f.text, &payer.payment.transaction_id, this_bill) == 0
                        })
                    })
                })
        };
        for pn in &payer.names {
            if pn.norm.is_empty() {
                continue;
            }
            for un in names.iter() {
                if un.is_empty() {
                    continue;
                }
                any_pair = true;
                let Some(m) = compare::compare_views(&pn.norm.forms, un.forms(), self.matcher) else { continue };
                let stale = un.source == NameSource::Former && un.until.is_some_and(|u| u < paid_at);
                let stale_bits = if stale { w.stale_former_name } else { 0.0 };
                gate.name_exact |= m.level == NameLevel::Exact && !stale;
                // W1 needs the WeChat name as shown: the bill and the export show one account's
                // name, so names equal only after normalisation (小玉 / 小玉|设计师, 水獺 / 水獭,
                // 森森 / ㅤ森森🌙) are two accounts' names, worth no more than a nickname match.
                let from_export = un.source == NameSource::WechatExport;
                // A group nickname that reads as the payer's WeChat name is the WeChat name
                // again, not a second view of the person.
                let wechat_like = || {
                    is_wechat(pn)
                        || payer.names.iter().filter(|w| is_wechat(w)).any(|w| w.norm.texts().any(|t| t == m.left.text))
                };
                let contradicted = || from_export || (wechat_like() && export_disagrees() && !export_outdated());
                let wechat = m.level == NameLevel::Exact
                    && from_export
                    && pn.raw.trim() == un.raw.trim()
                    && matches!(pn.source, PayerSource::BillName | PayerSource::GroupName);
                if wechat {
                    let before = gate.unique_wechat;
                    gate.unique_wechat = false;
                    let e = self.wechat_evidence(payer, pn, &un, &m, gate, soon, participant, explain);
                    if gate.unique_wechat && wechat_hit.as_ref().is_none_or(|(_, b)| e.bits > *b) {
                        wechat_hit = Some((m.right.text.to_string(), e.bits));
                    }
                    gate.unique_wechat |= before;
                    if best.as_ref().is_none_or(|(b, _)| e.bits > b.bits) {
                        best = Some((e, m.level));
                    }
                    continue;
                }
                let (base, code, what) = match m.level {
                    NameLevel::Exact => (w.name_exact, "N1", "名称一致"),
                    NameLevel::PinyinEqual => (w.name_pinyin_equal, "N4", "拼音相同"),
                    NameLevel::Contains => (w.name_contains, "N2", "名称包含"),
                    NameLevel::HanSimilar => (w.name_han_similar, "N3", "字形相近"),
                    NameLevel::PinyinClose => (w.name_pinyin_close, "N5", "拼音相近"),
                    NameLevel::Subsequence => (w.name_subsequence, "NSUB", "拼音缩写/子序列"),
                    NameLevel::ShortExact => (w.name_short_exact, "NSHORT", "单字相同"),
                    NameLevel::Different => continue,
                };
                let k = match m.level {
                    NameLevel::Exact => self.text_k(m.right.text),
                    NameLevel::PinyinEqual => m
                        .left
                        .pinyin
                        .iter()
                        .filter(|p| m.right.pinyin().any(|r| r == p.as_str()))
                        .map(|p| self.pinyin_k(p))
                        .fold(f64::INFINITY, f64::min)
                        .max(1.0),
                    _ => 1.0,
                };
                let expected = if m.level == NameLevel::Exact { self.expected_k(m.right.text) } else { 0.0 };
                let bits = match m.level {
                    NameLevel::Exact => self.identify(base, w.name_m, k - 1.0, expected),
                    NameLevel::PinyinEqual => self.identify(base, w.rare_m, k - 1.0, 0.0),
                    _ => base,
                } + stale_bits;
                // Gate bookkeeping for the exact path, on every exact pair (an equally strong
                // pair through another of the payer's names may be the one that is clean).
                if m.level == NameLevel::Exact {
                    let contradicted = contradicted();
                    // Unique on both sides and in use; the other-script check last (it costs a
                    // lookup per reading).
                    let clean = !contradicted
                        && !stale
                        && self.payer_texts.get(m.left.text.as_str()).copied().unwrap_or(0) <= 1
                        && self.unique(k, m.right.text)
                        && !self.spelt_elsewhere(m.right);
                    if clean && name_hit.as_ref().is_none_or(|(_, b)| bits > *b) {
                        name_hit = Some((m.right.text.to_string(), bits));
                    }
                    // A personal name on a member who checks in and joined the planet right
                    // around the payment gets the wider bound, as the export's WeChat name does
                    // (王伟 joined half an hour after 王伟 paid). Not a former nickname: the account
                    // has moved on from it, and may be another payer's (斜杠青年同学 was the first
                    // nickname of a payer who joined the day after this payment and paid under
                    // their own WeChat name); nor a nickname put together from common words,
                    // which a stranger may choose in those days too (行者核桃). Otherwise a nickname
                    // equal to the payer's WeChat name, on a user without an exported WeChat name
                    // to vouch for it, is held to the stricter chance bound.
                    let chance_max =
                        if participant && soon && un.source != NameSource::Former && is_personal_name(m.right.text) {
                            w.chance_carriers_max_joined
                        } else if !has_export && wechat_like() {
                            self.unvouched_chance_max()
                        } else {
                            w.chance_carriers_max
                        };
                    // A personal name (a two-character one too, once it passed the chance
                    // bound: 黎璐, 邹桐) is corroborated by taking part or by joining the planet
                    // around the payment; nickname words, which other people also choose,
                    // only by the join time (§4.3: N1 with k = 1 and T1).
                    if contradicted {
                        // Another account's WeChat name that only looks like the payer's, or
                        // a nickname equal to the payer's WeChat name on a user whose own
                        // WeChat name the export shows differently: no gate.
                    } else if clean && self.index.expected_carriers(m.right.text) < chance_max {
                        let corroborated_by_taking_part = distinctive_name(m.right) || is_personal_name(m.right.text);
                        gate.unique_name |= if corroborated_by_taking_part { participant || soon } else { soon };
                    } else if clean && self.index.with_text(m.right.text).len() <= 1 {
                        gate.common_name = true;
                    } else if !stale {
                        // Shared with another user or payer. (A nickname given up before the
                        // payment is no namesake's: the card says the evidence is weak.)
                        gate.same_name = true;
                    }
                }
                if best.as_ref().is_some_and(|(b, _)| b.bits >= bits) {
                    continue;
                }
                let mut reason = txt!(
                    explain,
                    "{what}：{}「{}」→「{}」／{}「{}」",
                    pn.source.label(),
                    pn.raw.trim(),
                    m.left.text,
                    un.source.label(),
                    un.raw.trim()
                );
                if explain {
                    reason.push_str(&commonness(k, expected));
                }
                if stale && explain {
                    reason.push_str("；付款时该昵称已不用");
                }
                best = Some((Evidence { bits, code, reason }, m.level));
            }
        }
        // The export's WeChat name and another name of the user, each unique and each a
        // different text, are two views of one person: the weaker adds half of what it
        // has beyond singling out one user (the §4.2 cap), and together they corroborate.
        if let (Some((wt, wb)), Some((nt, nb))) = (&wechat_hit, &name_hit)
            && wt != nt
            && let Some((e, _)) = best.as_mut()
        {
            let extra = 0.5 * (wb.min(*nb) - self.log_n()).max(0.0);
            e.bits += extra;
            if explain {
                e.reason.push_str(&format!(
                    "；另有不同名称「{}」也唯一指向该用户（+{:.1} 位）",
                    if e.code == "W1" { nt } else { wt },
                    extra
                ));
            }
            gate.corroborated = true;
        }
        match best {
            Some((e, _)) => Some(e),
            None if any_pair => {
                gate.names_dissimilar = true;
                Some(Evidence {
                    bits: w.name_different, code: "N6", reason: txt!(explain, "两边名称都在但不相似")
                })
            }
            None => None,
        }
    }
}

/// A name specific enough that, unique in scope and taking part in the camp, it
/// singles the user out without a join-time corroboration: a personal name of 3+
/// characters, a nickname of 4+ Han characters, or a Latin name of 6+ characters
/// (digits included). Two-character names and short words are what strangers share.
fn distinctive_name(form: PackedForm<'_>) -> bool {
    if is_personal_name(form.text) {
        return form.han >= 3;
    }
    if form.han > 0 {
        return form.han >= 4 && form.han == form.chars;
    }
    form.text.chars().filter(|c| c.is_ascii_alphanumeric()).count() >= 6
        && form.text.chars().any(|c| c.is_ascii_alphabetic())
}

/// Whether the payer shows two different WeChat names (the bill's and the group's).
fn wechat_renamed(payer: &Payer<'_>) -> bool {
    let core = |src| payer.names.iter().find(|n| n.source == src).and_then(|n| n.norm.core()).map(|f| f.text.as_str());
    matches!((core(PayerSource::BillName), core(PayerSource::GroupName)), (Some(a), Some(b)) if a != b)
}

/// Whether another open payer of the camp (or a group member no payment is tied to)
/// shows one of this payer's names (`payer_texts`: the round's counts). Every pair of
/// such a payer is marked same-name on its card. It never links unattended on that
/// name: each gate refuses a text (name, exported WeChat name, remark nickname) that
/// another payer shows; a name only this payer shows still counts (ღEmmaღ beside two
/// payers' 甜甜的兔子). It depends on the payer alone, so it is asked once per card,
/// not per pair scored.
pub fn shares_a_name_with_another_payer(payer: &Payer<'_>, payer_texts: &FxMap<&str, u32>) -> bool {
    payer.names.iter().flat_map(|n| n.norm.texts()).any(|t| payer_texts.get(t).copied().unwrap_or(0) > 1)
}

/// The TF note of a reason: how many users share the value, how common it looks.
fn commonness(k: f64, expected: f64) -> String {
    let mut out = String::new();
    if k >= 1.5 {
        out.push_str(&format!("；范围内同名约 {k:.0} 位"));
    }
    if expected >= 0.05 {
        out.push_str(&format!("；常见姓名，估计偶然同名 {expected:.2} 位"));
    }
    out
}

fn describe_offset(d: SignedDuration) -> String {
    let minutes = d.as_mins();
    let (sign, m) = if minutes < 0 { ("前", -minutes) } else { ("后", minutes) };
    if m < 60 { format!("{sign} {m} 分钟") } else { format!("{sign} {} 小时", m / 60) }
}

/// Whether `raw` reads as the normalised `text` but for letter case, spaces and the
/// middle dot that joins a name's parts (Winnie / winnie, Rose Cheng / rosecheng,
/// Henry·刘 / henry刘): spelt plainly, not styled. A styled name (🇨🇳张鸣, ✨Lily✨) is
/// rarer than its bare reading; a capital letter or the usual way to write a foreign
/// name is not.
fn plain_spelling(raw: &str, text: &str) -> bool {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '・' | '•'))
        .flat_map(char::to_lowercase)
        .eq(text.chars())
}
