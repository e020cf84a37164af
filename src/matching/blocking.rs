//! Candidate generation (matching.md §4.4): an index over the planet users so a
//! payer is compared with the few users that share a key with it, not with all of
//! them. Keys, unioned: stable ids (user_id, member number), exact normalised
//! name texts, full pinyin with surname heteronyms, fuzzy-pinyin keys, Han bigrams
//! and Latin trigrams, and Aho-Corasick hits of every nickname inside the remark.
//! The per-camp residue pass (in `camp`) brute-forces whatever this leaves out.

use super::fxhash::FxMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use jiff::Timestamp;

use super::normalize::{NameForm, NormalizedName, Normalizer};
use super::packed::{PackedNames, UserNames};
use super::phonetic::is_han;
use crate::domain::PlanetUser;

/// Name postings longer than this are only followed for users the caller
/// prefers (the camp's participants).
pub const LONG_POSTING: usize = 100;
/// N-gram postings longer than this are skipped (a bigram shared by that many
/// names says little; exact, pinyin and fuzzy keys still apply).
pub const LONG_GRAM_POSTING: usize = 40;

/// Where a planet user's name comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameSource {
    /// The current nickname.
    Nickname,
    /// The 星球名片 alias.
    Alias,
    /// The WeChat name from the member export (微信昵称).
    WechatExport,
    /// A nickname used before (from the name history).
    Former,
}

impl NameSource {
    /// The Chinese label shown in reasons.
    pub fn label(self) -> &'static str {
        match self {
            NameSource::Nickname => "星球昵称",
            NameSource::Alias => "星球名片",
            NameSource::WechatExport => "星球导出的微信昵称",
            NameSource::Former => "星球曾用昵称",
        }
    }
}

/// One name of a planet user, normalised.
#[derive(Clone, Debug)]
pub struct UserName {
    /// Where it comes from.
    pub source: NameSource,
    /// As the platform shows it.
    pub raw: String,
    /// Normalised.
    pub norm: NormalizedName,
    /// For former names: until when it was in use.
    pub until: Option<Timestamp>,
}

/// The index over a community's planet users. Build it once and match every
/// camp against it.
pub struct PlanetIndex<'a> {
    users: &'a [PlanetUser],
    names: Vec<Vec<UserName>>,
    packed: PackedNames,
    by_id: FxMap<&'a str, u32>,
    by_number: FxMap<String, Vec<u32>>,
    by_text: FxMap<String, Vec<u32>>,
    by_pinyin: FxMap<String, Vec<u32>>,
    by_fuzzy: FxMap<String, Vec<u32>>,
    by_gram: FxMap<String, Vec<u32>>,
    by_wechat_raw: FxMap<String, Vec<u32>>,
    remark_patterns: Option<AhoCorasick>,
    pattern_texts: Vec<String>,
    han_shapes: [HanShape; 2],
    nick_shape: NickShape,
    /// The same for Latin names (rose|cheng, jason|1976): English given names and
    /// pinyin surnames combine into names several people carry.
    latin_shape: NickShape,
    /// Single Latin words (lily, winnie, ben): how often two users' words coincide.
    latin_words: LatinWords,
    /// Users whose WeChat name the member export shows.
    vouched: usize,
}

/// The scope's single-word Latin names (letters only, up to [`LatinWords::MAX_LEN`]):
/// English given names come from a small vocabulary, so a name seen once in scope is
/// still one many people carry. The chance that two users' words coincide, observed
/// over the scope, estimates how many other carriers any one of them has.
#[derive(Clone, Debug, Default)]
struct LatinWords {
    counts: FxMap<u64, u32>,
    /// Words counted.
    n: u64,
    /// Ordered pairs of users with the same word: Σ c·(c − 1).
    pairs: u64,
}

impl LatinWords {
    /// Longest word counted (longer letter runs are mostly spelt-out pinyin names).
    const MAX_LEN: usize = 8;

    fn word(chars: &[char]) -> bool {
        (2..=Self::MAX_LEN).contains(&chars.len()) && chars.iter().all(char::is_ascii_lowercase)
    }

    fn key(chars: &[char]) -> u64 {
        use std::hash::BuildHasher;
        std::hash::BuildHasherDefault::<super::fxhash::FxHasher>::default().hash_one(chars)
    }

    fn add(&mut self, chars: &[char]) {
        let c = self.counts.entry(Self::key(chars)).or_default();
        self.pairs += 2 * u64::from(*c);
        self.n += 1;
        *c += 1;
    }

    /// Expected number of other users carrying `chars` beyond those seen, for a word
    /// some user in scope carries: the scope's coinciding pairs per word, the word's own
    /// pairs left out. 0 for other texts (several words run together: will|chen).
    fn expected(&self, chars: &[char]) -> f64 {
        let Some(&c) = self.counts.get(&Self::key(chars)) else { return 0.0 };
        if self.n < 2 {
            return 0.0;
        }
        let own = u64::from(c) * u64::from(c - 1);
        (self.pairs - own) as f64 / (self.n - 1) as f64
    }
}

/// Character frequencies by position among the scope's 2- and 3-character Han
/// names: a model of how common a name of that shape is.
#[derive(Clone, Debug, Default)]
struct HanShape {
    names: usize,
    by_position: Vec<FxMap<char, u32>>,
}

/// Beginnings and endings of the scope's Han names of 4+ characters (慢热的|向日葵,
/// 佛系|孔雀): how likely a nickname is to be put together by several people from
/// common parts. Keys are hashes of (side, text).
#[derive(Clone, Debug, Default)]
struct NickShape {
    names: usize,
    parts: FxMap<u64, u32>,
}

impl NickShape {
    fn key(suffix: bool, part: &[char]) -> u64 {
        use std::hash::BuildHasher;
        std::hash::BuildHasherDefault::<super::fxhash::FxHasher>::default().hash_one((suffix, part))
    }

    fn add(&mut self, chars: &[char]) {
        self.names += 1;
        for s in 2..=chars.len() - 2 {
            *self.parts.entry(Self::key(false, &chars[..s])).or_default() += 1;
            *self.parts.entry(Self::key(true, &chars[s..])).or_default() += 1;
        }
    }

    /// Expected number of other names equal to `chars` if beginnings and endings were
    /// combined independently, at the split that makes the name most common.
    fn expected(&self, chars: &[char]) -> f64 {
        if self.names == 0 || chars.len() < 4 {
            return 0.0;
        }
        let count = |suffix, part: &[char]| self.parts.get(&Self::key(suffix, part)).copied().unwrap_or(0) as f64;
        (2..=chars.len() - 2)
            .map(|s| {
                // The name itself is among both counts; take it out of each.
                let (pre, suf) = (count(false, &chars[..s]) - 1.0, count(true, &chars[s..]) - 1.0);
                pre.max(0.0) * suf.max(0.0) / self.names as f64
            })
            .fold(0.0, f64::max)
    }
}

impl HanShape {
    fn add(&mut self, chars: &[char]) {
        if self.by_position.is_empty() {
            self.by_position = vec![FxMap::default(); chars.len()];
        }
        self.names += 1;
        for (i, c) in chars.iter().enumerate() {
            *self.by_position[i].entry(*c).or_default() += 1;
        }
    }

    /// Expected number of names equal to `chars` among this shape's names, if
    /// characters at each position were drawn independently.
    fn expected(&self, chars: &[char]) -> f64 {
        if self.names == 0 {
            return 0.0;
        }
        let n = self.names as f64;
        let mut p = 1.0;
        for (i, c) in chars.iter().enumerate() {
            let count = self.by_position[i].get(c).copied().unwrap_or(0) as f64;
            p *= (count + 0.5) / (n + 0.5);
        }
        n * p
    }
}

impl<'a> PlanetIndex<'a> {
    /// Indexes `users` (the first of duplicate user_ids wins).
    pub fn build(users: &'a [PlanetUser], normalizer: &Normalizer) -> PlanetIndex<'a> {
        Self::build_with(users, normalizer, users.len() >= PARALLEL_MIN_USERS)
    }

    /// [`PlanetIndex::build`], its halves on two threads or on one.
    fn build_with(users: &'a [PlanetUser], normalizer: &Normalizer, parallel: bool) -> PlanetIndex<'a> {
        let mut names = names_in_parallel(users, normalizer);
        let mut by_id: FxMap<&'a str, u32> = FxMap::with_capacity_and_hasher(users.len(), Default::default());
        for (i, u) in users.iter().enumerate() {
            if by_id.contains_key(u.user_id.as_str()) {
                // A later duplicate keeps its slot but carries no names and no keys.
                names[i].clear();
            } else {
                by_id.insert(u.user_id.as_str(), i as u32);
            }
        }
        // The exact postings and the fuzzy keys are independent: build them side by side.
        let (exact, keys) = std::thread::scope(|scope| {
            let keys = parallel.then(|| scope.spawn(|| KeyPostings::build(&names)));
            let exact = ExactPostings::build(users, &names, &by_id);
            let keys = match keys {
                Some(worker) => worker.join().expect("index key worker panicked"),
                None => KeyPostings::build(&names),
            };
            (exact, keys)
        });
        let pack = || PackedNames::build(names.iter().map(Vec::as_slice), users.iter().map(|u| u.joined_planet_at));
        let (remark_patterns, pattern_texts, packed) = std::thread::scope(|scope| {
            let packed = parallel.then(|| scope.spawn(pack));
            let (ac, texts) = remark_automaton(&exact.by_text);
            let packed = match packed {
                Some(worker) => worker.join().expect("index packing worker panicked"),
                None => pack(),
            };
            (ac, texts, packed)
        });
        PlanetIndex {
            users,
            names,
            packed,
            by_id,
            by_number: exact.by_number,
            by_text: exact.by_text,
            by_pinyin: keys.by_pinyin,
            by_fuzzy: keys.by_fuzzy,
            by_gram: keys.by_gram,
            by_wechat_raw: exact.by_wechat_raw,
            remark_patterns,
            pattern_texts,
            han_shapes: exact.han_shapes,
            nick_shape: exact.nick_shape,
            latin_shape: exact.latin_shape,
            latin_words: exact.latin_words,
            vouched: exact.vouched,
        }
    }

    /// Number of indexed users (including skipped duplicates).
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether no user is indexed.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The user at `i`.
    pub fn user(&self, i: u32) -> &'a PlanetUser {
        &self.users[i as usize]
    }

    /// Reads the packed names of `users` before they are scored one by one
    /// ([`PackedNames::warm`]). No effect on results.
    pub fn warm(&self, users: &[u32]) {
        self.packed.warm(users);
    }

    /// The names of the user at `i` in the layout scoring reads (the same values as [`Self::names`]).
    pub fn packed_names(&self, i: u32) -> UserNames<'_> {
        self.packed.user(i)
    }

    /// When the user at `i` joined the planet.
    pub fn joined(&self, i: u32) -> Option<Timestamp> {
        self.packed.joined(i)
    }

    /// The normalised names of the user at `i`.
    pub fn names(&self, i: u32) -> &[UserName] {
        &self.names[i as usize]
    }

    /// The position of a user_id.
    pub fn position(&self, user_id: &str) -> Option<u32> {
        self.by_id.get(user_id).copied()
    }

    /// Users with this member number.
    pub fn with_number(&self, number: &str) -> &[u32] {
        self.by_number.get(number.trim_start_matches('0')).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The share of users whose WeChat name the member export does not show (1 without
    /// an export): the users a payer's WeChat name can equal by chance unrefuted.
    pub fn unvouched_share(&self) -> f64 {
        let users = self.by_id.len();
        if users == 0 { 1.0 } else { 1.0 - self.vouched as f64 / users as f64 }
    }

    /// Users with a name form of exactly this text.
    pub fn with_text(&self, text: &str) -> &[u32] {
        self.by_text.get(text).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Users whose exported 微信昵称 is exactly this string (trimmed, decorations included).
    pub fn with_wechat_raw(&self, raw: &str) -> &[u32] {
        self.by_wechat_raw.get(raw.trim()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Users with a name reading of exactly this pinyin.
    pub fn with_pinyin(&self, pinyin: &str) -> &[u32] {
        self.by_pinyin.get(pinyin).map(Vec::as_slice).unwrap_or(&[])
    }

    /// How many users besides the one holding it would carry this Han name by chance:
    /// 2–3 characters from the scope's character frequencies by position (张帆 made of
    /// common characters: high; 龚昊昊: low), 4+ characters from how often its
    /// beginning and ending recur in other names (慢热的|向日葵: high; 一路向北|大侠:
    /// low). Latin names from their parts the same way (rose|cheng) and, for a single
    /// word, from how often the scope's words coincide (winnie). 0 for other shapes.
    pub fn expected_carriers(&self, text: &str) -> f64 {
        // Names are short: read the characters into a buffer on the stack (this runs for
        // every exact name pair scored).
        let mut buffer = ['\0'; 32];
        let mut len = 0;
        for c in text.chars() {
            if len == buffer.len() {
                return self.expected_carriers_of(&text.chars().collect::<Vec<char>>());
            }
            buffer[len] = c;
            len += 1;
        }
        self.expected_carriers_of(&buffer[..len])
    }

    fn expected_carriers_of(&self, chars: &[char]) -> f64 {
        if chars.iter().all(char::is_ascii_alphanumeric) {
            return self.latin_shape.expected(chars).max(self.latin_words.expected(chars));
        }
        if !chars.iter().all(|c| is_han(*c)) {
            return 0.0;
        }
        if chars.len() >= 4 {
            return self.nick_shape.expected(chars);
        }
        if chars.len() < 2 {
            return 0.0;
        }
        // The name itself is among the counts; take it out.
        let shape = &self.han_shapes[chars.len() - 2];
        (shape.expected(chars) - 1.0 / (shape.names.max(1) as f64)).max(0.0)
    }

    /// The name texts found inside a normalised remark: every occurrence not
    /// contained in a longer one; Latin names only between non-letters.
    pub fn remark_hits(&self, remark_text: &str) -> Vec<String> {
        let Some(ac) = &self.remark_patterns else { return Vec::new() };
        let bytes = remark_text.as_bytes();
        let mut hits: Vec<(usize, usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(remark_text) {
            let text = &self.pattern_texts[m.pattern().as_usize()];
            if !text.chars().any(is_han) {
                // Whole Latin words only, and not one word of a longer Latin name ("alex" in "alex xue").
                let before = bytes[..m.start()].iter().rev().find(|b| **b != b' ');
                let after = bytes[m.end()..].iter().find(|b| **b != b' ');
                if before.is_some_and(|b| b.is_ascii_alphanumeric()) || after.is_some_and(|b| b.is_ascii_alphanumeric())
                {
                    continue;
                }
            }
            hits.push((m.start(), m.end(), m.pattern().as_usize()));
        }
        let mut out: Vec<String> = hits
            .iter()
            .filter(|(s, e, _)| !hits.iter().any(|(s2, e2, _)| s2 <= s && e <= e2 && (s2, e2) != (s, e)))
            .map(|(_, _, p)| self.pattern_texts[*p].clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Candidate users for a payer, by position, sorted and without duplicates.
    /// `prefer` says which users to follow in long postings (the camp's participants).
    pub fn candidates(&self, query: &CandidateQuery<'_>, prefer: &dyn Fn(u32) -> bool, out: &mut Vec<u32>) {
        let add_posting = |list: &[u32], out: &mut Vec<u32>| {
            if list.len() <= LONG_POSTING {
                out.extend_from_slice(list);
            } else {
                out.extend(list.iter().copied().filter(|i| prefer(*i)));
            }
        };
        for name in query.names {
            for form in &name.forms {
                if let Some(l) = self.by_text.get(&form.text) {
                    add_posting(l, out);
                }
                for p in &form.pinyin {
                    if let Some(l) = self.by_pinyin.get(p) {
                        add_posting(l, out);
                    }
                }
                for f in &form.fuzzy {
                    if let Some(l) = self.by_fuzzy.get(f) {
                        add_posting(l, out);
                    }
                }
                for_each_gram(&form.text, |g| {
                    if let Some(l) = self.by_gram.get(g)
                        && l.len() <= LONG_GRAM_POSTING
                    {
                        out.extend_from_slice(l);
                    }
                });
            }
        }
        for text in query.remark_hits {
            if let Some(l) = self.by_text.get(text) {
                add_posting(l, out);
            }
        }
        for d in query.digit_runs {
            if let Some(i) = self.by_id.get(d.as_str()) {
                out.push(*i);
            }
        }
        for n in query.member_numbers {
            out.extend_from_slice(self.with_number(n));
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// What a payer offers for blocking.
pub struct CandidateQuery<'q> {
    /// The payer's names (bill name, group names, the remark's stated name).
    pub names: &'q [&'q NormalizedName],
    /// Name texts found in the remark ([`PlanetIndex::remark_hits`]).
    pub remark_hits: &'q [String],
    /// Digit runs in the remark.
    pub digit_runs: &'q [String],
    /// Member numbers in the remark.
    pub member_numbers: &'q [String],
}

/// Below this many users the index is built on one thread.
const PARALLEL_MIN_USERS: usize = 2048;

/// A user's name forms, each text once (a nickname and the exported WeChat name
/// often normalise alike).
fn distinct_forms(names: &[UserName]) -> impl Iterator<Item = &NameForm> {
    let mut seen: Vec<&str> = Vec::new();
    names.iter().flat_map(|n| &n.norm.forms).filter(move |f| {
        if seen.contains(&f.text.as_str()) {
            false
        } else {
            seen.push(f.text.as_str());
            true
        }
    })
}

/// Exact lookups and the name-shape models.
struct ExactPostings {
    by_number: FxMap<String, Vec<u32>>,
    by_text: FxMap<String, Vec<u32>>,
    by_wechat_raw: FxMap<String, Vec<u32>>,
    han_shapes: [HanShape; 2],
    nick_shape: NickShape,
    latin_shape: NickShape,
    latin_words: LatinWords,
    vouched: usize,
}

impl ExactPostings {
    fn build(users: &[PlanetUser], names: &[Vec<UserName>], by_id: &FxMap<&str, u32>) -> ExactPostings {
        let mut out = ExactPostings {
            by_number: FxMap::default(),
            by_text: FxMap::with_capacity_and_hasher(users.len() * 2, Default::default()),
            by_wechat_raw: FxMap::default(),
            han_shapes: [HanShape::default(), HanShape::default()],
            nick_shape: NickShape::default(),
            latin_shape: NickShape::default(),
            latin_words: LatinWords::default(),
            vouched: 0,
        };
        let mut chars: Vec<char> = Vec::new();
        for (i, (u, names)) in users.iter().zip(names).enumerate() {
            let i = i as u32;
            if by_id.get(u.user_id.as_str()) != Some(&i) {
                continue;
            }
            if let Some(w) = u.wechat_name.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
                add_posting(&mut out.by_wechat_raw, w, i);
                out.vouched += 1;
            }
            if let Some(n) = &u.number {
                let n = n.trim().trim_start_matches('0');
                if !n.is_empty() {
                    add_posting(&mut out.by_number, n, i);
                }
            }
            for form in distinct_forms(names) {
                add_posting(&mut out.by_text, &form.text, i);
                chars.clear();
                chars.extend(form.text.chars());
                if chars.iter().all(|c| is_han(*c)) {
                    match chars.len() {
                        2..=3 => out.han_shapes[chars.len() - 2].add(&chars),
                        4.. => out.nick_shape.add(&chars),
                        _ => {}
                    }
                } else if chars.iter().all(char::is_ascii_alphanumeric) {
                    if chars.len() >= 4 {
                        out.latin_shape.add(&chars);
                    }
                    // One word as written (its initials are one letter), not will|chen.
                    if LatinWords::word(&chars) && form.initials.first().is_some_and(|i| i.len() == 1) {
                        out.latin_words.add(&chars);
                    }
                }
            }
        }
        out
    }
}

/// The blocking keys: pinyin, fuzzy pinyin and character n-grams.
struct KeyPostings {
    by_pinyin: FxMap<String, Vec<u32>>,
    by_fuzzy: FxMap<String, Vec<u32>>,
    by_gram: FxMap<String, Vec<u32>>,
}

impl KeyPostings {
    fn build(names: &[Vec<UserName>]) -> KeyPostings {
        let capacity = || FxMap::with_capacity_and_hasher(names.len(), Default::default());
        let mut out = KeyPostings { by_pinyin: capacity(), by_fuzzy: capacity(), by_gram: capacity() };
        for (i, names) in names.iter().enumerate() {
            let i = i as u32;
            for form in distinct_forms(names) {
                for p in form.pinyin.iter().filter(|p| p.len() >= 4) {
                    add_posting(&mut out.by_pinyin, p, i);
                }
                for f in form.fuzzy.iter().filter(|f| f.len() >= 4) {
                    add_posting(&mut out.by_fuzzy, f, i);
                }
                for_each_gram(&form.text, |g| add_posting(&mut out.by_gram, g, i));
            }
        }
        out
    }
}

/// Every distinctive name text (2+ Han characters, or 3+ Latin letters without Han) as
/// a pattern to find inside remarks, and the automaton over them.
fn remark_automaton(by_text: &FxMap<String, Vec<u32>>) -> (Option<AhoCorasick>, Vec<String>) {
    let mut patterns: Vec<String> = by_text
        .keys()
        .filter(|t| {
            let han = t.chars().filter(|c| is_han(*c)).count();
            han >= 2 || (han == 0 && t.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 3)
        })
        .cloned()
        .collect();
    patterns.sort();
    let automaton = (!patterns.is_empty())
        .then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&patterns)
                .ok()
        })
        .flatten();
    (automaton, patterns)
}

/// Adds user `i` to the postings of `key`, allocating the key only when it is new.
fn add_posting(map: &mut FxMap<String, Vec<u32>>, key: &str, i: u32) {
    match map.get_mut(key) {
        Some(list) => push_unique(list, i),
        None => {
            map.insert(key.to_owned(), vec![i]);
        }
    }
}

fn push_unique(list: &mut Vec<u32>, i: u32) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// Calls `f` with each of [`grams`], built in one reused buffer.
fn for_each_gram(text: &str, mut f: impl FnMut(&str)) {
    let han_count = text.chars().filter(|c| is_han(*c)).count();
    let (size, han_only) = if han_count >= 2 {
        (2, true)
    } else if han_count == 0 && text.chars().count() >= 3 {
        (3, false)
    } else {
        return;
    };
    let chars: Vec<char> = text.chars().filter(|c| !han_only || is_han(*c)).collect();
    let mut gram = String::new();
    for w in chars.windows(size) {
        gram.clear();
        gram.extend(w);
        f(&gram);
    }
}

/// Han bigrams of the Han characters, or Latin trigrams of a Latin text.
#[cfg(test)]
fn grams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let han: Vec<char> = chars.iter().copied().filter(|c| is_han(*c)).collect();
    if han.len() >= 2 {
        return han.windows(2).map(|w| w.iter().collect()).collect();
    }
    if han.is_empty() && chars.len() >= 3 {
        return chars.windows(3).map(|w| w.iter().collect()).collect();
    }
    Vec::new()
}

/// Every user's normalised names, in order, computed on all available cores
/// (normalisation is the bulk of building the index, and each user's names
/// depend on that user alone).
fn names_in_parallel(users: &[PlanetUser], normalizer: &Normalizer) -> Vec<Vec<UserName>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads <= 1 || users.len() < PARALLEL_MIN_USERS {
        return users.iter().map(|u| user_names(u, normalizer)).collect();
    }
    let chunk = users.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = users
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|u| user_names(u, normalizer)).collect::<Vec<_>>()))
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("name normalisation worker panicked")).collect()
    })
}

/// The normalised names of a planet user: nickname, alias, exported WeChat name, former nicknames.
fn user_names(u: &PlanetUser, normalizer: &Normalizer) -> Vec<UserName> {
    let mut out = Vec::new();
    let mut add = |source, raw: &str, until| {
        // The same string twice is one name, except the exported WeChat name, which
        // says something of its own (the WeChat account's name) even when it equals the nickname.
        let same = |n: &UserName| n.raw == raw && (source != NameSource::WechatExport || n.source == source);
        if raw.trim().is_empty() || out.iter().any(same) {
            return;
        }
        out.push(UserName { source, raw: raw.to_string(), norm: normalizer.name(raw), until });
    };
    add(NameSource::Nickname, &u.name, None);
    if let Some(a) = &u.alias {
        add(NameSource::Alias, a, None);
    }
    if let Some(w) = &u.wechat_name {
        add(NameSource::WechatExport, w, None);
    }
    for h in u.name_history.iter().rev() {
        add(NameSource::Former, &h.name, Some(h.until));
        if let Some(a) = &h.alias {
            add(NameSource::Former, a, Some(h.until));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NameChange, PlanetUserId};
    use crate::matching::normalize::default_normalizer;

    pub(crate) fn user(id: &str, name: &str) -> PlanetUser {
        let t: Timestamp = "2025-10-01T00:00:00Z".parse().unwrap();
        PlanetUser {
            user_id: PlanetUserId::new(id),
            name: name.to_string(),
            alias: None,
            number: None,
            wechat_name: None,
            name_history: Vec::new(),
            joined_planet_at: None,
            left_planet_at: None,
            first_seen: t,
            last_seen: t,
        }
    }

    #[test]
    fn the_index_built_on_two_threads_equals_the_one_built_on_one() {
        let mut users: Vec<PlanetUser> = (0..300)
            .map(|i| PlanetUser {
                wechat_name: (i % 3 == 0).then(|| format!("🌊林间{i}")),
                number: Some(format!("{:04}", i % 250)),
                alias: (i % 5 == 0).then(|| format!("Rose Cheng{}", i % 7)),
                ..user(&format!("u{i}"), ["张伟", "慢热的向日葵", "Elaine", "欧阳小明", "jason1976"][i % 5])
            })
            .collect();
        // A later duplicate id keeps its slot but no keys: the first one wins.
        users.push(PlanetUser { wechat_name: Some("重复".into()), ..user("u7", "重复的人") });
        let n = default_normalizer();
        let one = PlanetIndex::build_with(&users, n, false);
        let two = PlanetIndex::build_with(&users, n, true);
        let sorted = |m: &FxMap<String, Vec<u32>>| {
            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<std::collections::BTreeMap<_, _>>()
        };
        assert_eq!(sorted(&one.by_text), sorted(&two.by_text));
        assert_eq!(sorted(&one.by_pinyin), sorted(&two.by_pinyin));
        assert_eq!(sorted(&one.by_fuzzy), sorted(&two.by_fuzzy));
        assert_eq!(sorted(&one.by_gram), sorted(&two.by_gram));
        assert_eq!(sorted(&one.by_number), sorted(&two.by_number));
        assert_eq!(sorted(&one.by_wechat_raw), sorted(&two.by_wechat_raw));
        assert_eq!(one.pattern_texts, two.pattern_texts);
        for text in ["张伟", "慢热的向日葵", "rosecheng3", "jason1976"] {
            assert_eq!(one.expected_carriers(text), two.expected_carriers(text), "{text}");
        }
        assert_eq!(one.with_text("张伟").len(), 60);
        assert_eq!(one.position("u7"), Some(7));
        assert!(one.with_text("重复的人").is_empty() && !one.by_wechat_raw.contains_key("重复"));
        assert!(one.names(300).is_empty());
    }

    fn cands(idx: &PlanetIndex<'_>, payer: &str, remark: &str) -> Vec<String> {
        let n = default_normalizer();
        let name = n.name(payer);
        let facts = crate::matching::remark::parse(n, remark);
        let hits = idx.remark_hits(&facts.text);
        let names = [&name, &facts.stated];
        let q = CandidateQuery {
            names: &names,
            remark_hits: &hits,
            digit_runs: &facts.digit_runs,
            member_numbers: &facts.member_numbers,
        };
        let mut out = Vec::new();
        idx.candidates(&q, &|_| true, &mut out);
        out.into_iter().map(|i| idx.user(i).user_id.to_string()).collect()
    }

    #[test]
    fn keys_find_exact_pinyin_fuzzy_bigram_and_remark_matches() {
        let mut renamed = user("6", "新名字");
        renamed.name_history.push(NameChange {
            name: "旧名字".into(),
            alias: None,
            until: "2025-10-02T00:00:00Z".parse().unwrap(),
        });
        let mut numbered = user("7", "七号");
        numbered.number = Some("1027".into());
        let users = vec![
            user("1", "张三"),
            user("2", "李小明"),
            user("3", "Lily"),
            user("4", "向日葵"),
            user("5", "张珊"),
            renamed,
            numbered,
            user("812345678901", "某人"),
        ];
        let idx = PlanetIndex::build(&users, default_normalizer());
        assert_eq!(cands(&idx, "【A组】张三", ""), vec!["1", "5"], "exact + fuzzy pinyin (zhangshan)");
        assert_eq!(cands(&idx, "zhang san", ""), vec!["1", "5"], "pinyin spelling");
        assert_eq!(cands(&idx, "小明", ""), vec!["2"], "bigram inside 李小明");
        assert_eq!(cands(&idx, "🌈", "星球昵称：向日葵"), vec!["4"], "remark hit");
        assert_eq!(cands(&idx, "", "旧名字的押金"), vec!["6"], "former nickname");
        assert_eq!(cands(&idx, "", "编号1027"), vec!["7"], "member number");
        assert_eq!(cands(&idx, "", "ID 812345678901"), vec!["812345678901"], "user id");
        assert!(cands(&idx, "王五", "学费").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn expected_carriers_reads_names_of_any_length_through_its_stack_buffer(text in "[a-z张王伟芳]{0,40}") {
            let users: Vec<PlanetUser> = ["张伟", "王芳", "张芳", "王伟", "lily", "amy", "lily"]
                .iter()
                .enumerate()
                .map(|(i, n)| user(&i.to_string(), n))
                .collect();
            let idx = PlanetIndex::build(&users, default_normalizer());
            let chars: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(idx.expected_carriers(&text), idx.expected_carriers_of(&chars));
        }

        #[test]
        fn gram_buffer_yields_the_grams(text in "[a-z张三李小明 ]{0,8}") {
            let mut seen = Vec::new();
            for_each_gram(&text, |g| seen.push(g.to_string()));
            proptest::prop_assert_eq!(seen, grams(&text));
        }
    }

    #[test]
    fn common_two_character_names_expect_more_chance_carriers() {
        let mut users = Vec::new();
        let surnames = ["张", "王", "李", "张", "王", "张"];
        let given = ["伟", "帆", "丽", "敏", "静", "军", "磊", "洋"];
        let mut id = 0;
        for s in surnames {
            for g in given {
                id += 1;
                users.push(user(&id.to_string(), &format!("{s}{g}")));
            }
        }
        users.push(user("999", "龚昊"));
        let idx = PlanetIndex::build(&users, default_normalizer());
        let common = idx.expected_carriers("张伟");
        let rare = idx.expected_carriers("龚昊");
        assert!(common > 10.0 * rare, "{common} vs {rare}");
        assert_eq!(idx.expected_carriers("hello"), 0.0, "no Latin name in scope to model it on");
    }

    #[test]
    fn bare_english_given_names_expect_chance_carriers_from_how_often_words_coincide() {
        let mut users: Vec<PlanetUser> = ["Lily", "Amy", "Coco", "Lily", "Amy", "Jason", "Winnie"]
            .iter()
            .enumerate()
            .map(|(i, n)| user(&i.to_string(), n))
            .collect();
        users.push(user("90", "Will Chen"));
        let idx = PlanetIndex::build(&users, default_normalizer());
        // Seven words, two pairs coincide (four ordered pairs): 4 / 6 for a word seen once.
        assert!((idx.expected_carriers("winnie") - 4.0 / 6.0).abs() < 1e-9, "{}", idx.expected_carriers("winnie"));
        // Lily's own pair is left out of its estimate.
        assert!((idx.expected_carriers("lily") - 2.0 / 6.0).abs() < 1e-9);
        // Words nobody carries as one word, and names of several words, are not this model's.
        assert_eq!(idx.expected_carriers("willchen"), 0.0);
        assert_eq!(idx.expected_carriers("zoe"), 0.0);

        let distinct: Vec<PlanetUser> =
            ["Lily", "Amy", "Coco", "Winnie"].iter().enumerate().map(|(i, n)| user(&i.to_string(), n)).collect();
        let idx = PlanetIndex::build(&distinct, default_normalizer());
        assert_eq!(idx.expected_carriers("winnie"), 0.0, "no word coincides in scope");
    }

    #[test]
    fn nicknames_built_from_common_parts_expect_chance_carriers() {
        let mut users = Vec::new();
        let (adjectives, nouns) =
            (["慢热的", "孤独的", "爱笑的", "发呆的"], ["向日葵", "板栗", "柴犬", "螃蟹", "孔雀"]);
        for (i, a) in adjectives.iter().enumerate() {
            for (j, n) in nouns.iter().enumerate() {
                users.push(user(&format!("{i}{j}"), &format!("{a}{n}")));
            }
        }
        users.push(user("999", "一路向北大侠"));
        let idx = PlanetIndex::build(&users, default_normalizer());
        let combined = idx.expected_carriers("慢热的向日葵");
        let own = idx.expected_carriers("一路向北大侠");
        assert!(combined > 0.1, "{combined}");
        assert_eq!(own, 0.0, "no other name shares its parts");
        assert!(idx.expected_carriers("爱笑的柴犬") > 0.1);
    }

    #[test]
    fn the_unvouched_share_counts_users_the_export_shows_no_wechat_name_for() {
        let vouched = |id: &str, w: &str| PlanetUser { wechat_name: Some(w.to_string()), ..user(id, "甲乙丙") };
        let mut users = vec![vouched("1", "阿一"), vouched("2", "阿二"), vouched("3", " "), user("4", "丁")];
        assert_eq!(
            PlanetIndex::build(&users, default_normalizer()).unvouched_share(),
            0.5,
            "a blank name vouches nothing"
        );
        // A later duplicate of an id is not a second user.
        users.push(vouched("1", "阿一"));
        assert_eq!(PlanetIndex::build(&users, default_normalizer()).unvouched_share(), 0.5);
        assert_eq!(PlanetIndex::build(&[], default_normalizer()).unvouched_share(), 1.0);
    }

    #[test]
    fn remark_hits_prefer_the_longest_and_respect_latin_word_edges() {
        let users = vec![user("1", "小明"), user("2", "王小明"), user("3", "Lily"), user("4", "Tom")];
        let idx = PlanetIndex::build(&users, default_normalizer());
        assert_eq!(idx.remark_hits("星球昵称:王小明"), vec!["王小明"]);
        assert_eq!(idx.remark_hits("小明的押金"), vec!["小明"]);
        assert_eq!(idx.remark_hits("lily 押金"), vec!["lily"]);
        assert!(idx.remark_hits("lilys").is_empty());
        assert!(idx.remark_hits("tomato").is_empty());
        assert!(idx.remark_hits("lily wang").is_empty(), "one word of a two-word Latin name");
    }
}
