//! Seeded generator of persons with their names on every platform, the noise
//! real communities show, and the ground truth behind it (matching.md §5.1).
//!
//! A [`Person`] is one human with a planet account, a WeChat account (seen as a
//! WeCom payer and as a group member) and the strings each platform shows: the
//! WeChat name on the bill and in the group, the group nickname, the planet
//! nickname (with an optional 星球名片 alias and member number), the free-text
//! payment remark. Each string is derived from the person's clean names with the
//! noise kinds of §5.1, and every kind applied is listed in [`Person::noise`].
//!
//! This module produces identities only: no payments, camps, times or check-ins.
//! The community generator wraps persons into those. Same seed and options give
//! identical output (ChaCha8, no hash-map iteration).
//!
//! ```
//! use campdesk::sim::people::{PeopleGenerator, PeopleOptions};
//! let mut generator = PeopleGenerator::new(7, PeopleOptions::default());
//! let camp = generator.generate(50);
//! assert_eq!(camp.len(), 50);
//! let mut first = camp[0].clone();
//! let twin = generator.twin_of(&mut first); // a second person with the same name
//! assert_eq!(twin.planet_handle, first.planet_handle);
//! ```

use std::collections::HashSet;

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One kind of noise (or notable trait) applied to a person's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Noise {
    /// The WeChat name and the planet nickname are the same clean name.
    SameNicknameEverywhere,
    /// The planet nickname has nothing to do with the WeChat name.
    UnrelatedNicknames,
    /// The person goes by an English/Latin name (Lily, Tony·刘).
    LatinName,
    /// Two-character surname (欧阳, 司马).
    CompoundSurname,
    /// A surname whose name reading differs from the character's first reading (曾 zeng, 单 shan).
    PolyphonicSurname,
    /// Emoji or decorative symbols in a name.
    Emoji,
    /// Zero-width or blank-looking characters in a name.
    InvisibleChars,
    /// A planet nickname with no letters at all (spaces, an emoji, a filler character).
    BlankNickname,
    /// Group tag / role decoration in the group nickname (【A组】, -产品经理).
    GroupDecoration,
    /// Group tag / role decoration in the WeChat name or planet nickname.
    NameDecoration,
    /// Full-width letters or digits (Ｌｉｌｙ).
    FullWidth,
    /// "Fancy font" letters (𝓛𝓲𝓵𝔂, Ⓛⓘⓛⓨ).
    FancyLetters,
    /// Traditional characters on one side (張三).
    Traditional,
    /// A Han name spelt in pinyin on one side (zhangsan, Zhang San).
    PinyinSpelling,
    /// A pinyin spelling with given name first (San Zhang).
    PinyinSwapped,
    /// A homophone typo on one side (张珊 for 张三).
    HomophoneTypo,
    /// A character dropped on one side (小明 for 李小明).
    DroppedChar,
    /// A character added on one side (小明明 for 小明).
    AddedChar,
    /// The payment remark is empty.
    RemarkEmpty,
    /// The remark holds the planet nickname (bare or in a phrase).
    RemarkNickname,
    /// The remark holds the planet member number.
    RemarkMemberNumber,
    /// The remark holds the planet user_id.
    RemarkUserId,
    /// The remark holds something else (phone, 学费, a WeChat id).
    RemarkOtherText,
    /// The remark holds the planet nickname with a typo.
    RemarkMisspelt,
    /// The remark names a friend's planet nickname, not the payer's.
    RemarkFriend,
    /// Another person in the same group has the same names.
    SameNamePair,
    /// One of a few names shared by many persons in the group (adversarial crowd).
    CrowdedName,
    /// The planet nickname changed after the payment.
    Renamed,
    /// The bill does not carry the payer's external_userid.
    NoExternalUseridOnBill,
    /// The planet user has a 星球名片 alias.
    PlanetAlias,
    /// The member export's 微信昵称 cell is empty for this member.
    ExportWechatMissing,
    /// The WeChat name changed between the member export and the payment: the
    /// export's 微信昵称 shows the earlier name.
    WechatChangedSinceExport,
}

/// Rough shares of each noise kind (probabilities per person unless noted).
/// Defaults follow matching.md §5.1; they are assumptions to calibrate against
/// the first real camp export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleOptions {
    /// Persons with a two-character surname (欧阳, 司马).
    pub compound_surname: f64,
    /// Extra persons forced onto a polyphonic surname (曾 单 解 仇 区 查 朴 覃 缪), on top
    /// of their natural frequency.
    pub polyphonic_surname: f64,
    /// Persons going by an English/Latin name.
    pub latin_name: f64,
    /// Persons whose habitual nickname is their real name (the rest use a nickname).
    pub real_name_handle: f64,
    /// Planet nickname unrelated to the WeChat name.
    pub unrelated_nicknames: f64,
    /// Emoji/symbols in the WeChat name.
    pub emoji_wechat: f64,
    /// Emoji/symbols in the planet nickname.
    pub emoji_planet: f64,
    /// Zero-width / blank characters in the WeChat name.
    pub invisible_chars: f64,
    /// Planet nickname with no letters at all.
    pub blank_nickname: f64,
    /// Persons with a group nickname set (else WeCom shows none).
    pub group_nickname_set: f64,
    /// Of those, the group nickname is built on the planet nickname (else on the WeChat name).
    pub group_nickname_from_planet: f64,
    /// Group tag / role decoration on a group nickname.
    pub group_decoration: f64,
    /// Group tag / role decoration on the WeChat name or the planet nickname.
    pub name_decoration: f64,
    /// Full-width letters/digits on one side (names that have letters or digits).
    pub full_width: f64,
    /// Fancy-font letters on one side (names that have letters).
    pub fancy_letters: f64,
    /// Traditional characters on one side.
    pub traditional: f64,
    /// Pinyin spelling of a Han name on one side.
    pub pinyin_spelling: f64,
    /// Of the pinyin spellings, given name first.
    pub pinyin_swapped: f64,
    /// A homophone typo in the name on one side.
    pub homophone_typo: f64,
    /// A character dropped or added on one side.
    pub dropped_or_added: f64,
    /// Empty payment remark.
    pub remark_empty: f64,
    /// Remark with the planet nickname (of these, some carry the member number or user_id instead).
    pub remark_nickname: f64,
    /// Share of identifying remarks that give the member number or user_id instead of the nickname.
    pub remark_id_instead: f64,
    /// Remark with other text (phone, 学费, WeChat id).
    pub remark_other: f64,
    /// Remark with a misspelt nickname (the rest of the remark share).
    pub remark_misspelt: f64,
    /// Planet nickname changed after payment.
    pub rename: f64,
    /// Planet users with a 星球名片 alias.
    pub planet_alias: f64,
    /// Planet users whose member number is known.
    pub member_number: f64,
    /// Bills that do not carry the payer's external_userid.
    pub no_external_userid_on_bill: f64,
    /// Member-export rows whose 微信昵称 is empty.
    #[serde(default)]
    pub export_wechat_missing: f64,
    /// Members whose WeChat name changed between the member export and the payment
    /// (half a decoration change of the same name, half a different name).
    #[serde(default)]
    pub wechat_changed_since_export: f64,
    /// [`PeopleGenerator::generate`]: share of persons turned into a same-name pair (each pair is 2 persons).
    pub same_name_pairs: f64,
    /// [`PeopleGenerator::generate`]: share of persons whose remark names another person of the group.
    pub friend_remarks: f64,
    /// [`PeopleGenerator::generate`]: share of persons given one of `crowd_names` shared names (adversarial; 0 by default).
    pub crowd_share: f64,
    /// How many distinct names the crowd shares.
    pub crowd_names: usize,
}

impl Default for PeopleOptions {
    fn default() -> Self {
        PeopleOptions {
            compound_surname: 0.01,
            polyphonic_surname: 0.02,
            latin_name: 0.10,
            real_name_handle: 0.55,
            unrelated_nicknames: 0.30,
            emoji_wechat: 0.25,
            emoji_planet: 0.05,
            invisible_chars: 0.02,
            blank_nickname: 0.005,
            group_nickname_set: 0.85,
            group_nickname_from_planet: 0.80,
            group_decoration: 0.40,
            name_decoration: 0.10,
            full_width: 0.03,
            fancy_letters: 0.01,
            traditional: 0.04,
            pinyin_spelling: 0.05,
            pinyin_swapped: 0.2,
            homophone_typo: 0.02,
            dropped_or_added: 0.05,
            remark_empty: 0.50,
            remark_nickname: 0.30,
            remark_id_instead: 0.10,
            remark_other: 0.15,
            remark_misspelt: 0.05,
            rename: 0.05,
            planet_alias: 0.10,
            member_number: 0.90,
            no_external_userid_on_bill: 0.03,
            export_wechat_missing: 0.05,
            wechat_changed_since_export: 0.05,
            same_name_pairs: 0.03,
            friend_remarks: 0.01,
            crowd_share: 0.0,
            crowd_names: 5,
        }
    }
}

impl PeopleOptions {
    /// The defaults plus the adversarial sets of §5.1: 10 % of persons share one of
    /// five names, more friends' remarks, more polyphonic surnames spelt in pinyin.
    pub fn adversarial() -> Self {
        PeopleOptions {
            crowd_share: 0.10,
            crowd_names: 5,
            friend_remarks: 0.03,
            polyphonic_surname: 0.10,
            pinyin_spelling: 0.10,
            ..PeopleOptions::default()
        }
    }

    /// Every noise kind switched off: each person uses one clean name everywhere and
    /// writes it in the remark. Useful as a baseline.
    pub fn clean() -> Self {
        PeopleOptions {
            compound_surname: 0.0,
            polyphonic_surname: 0.0,
            latin_name: 0.0,
            real_name_handle: 1.0,
            unrelated_nicknames: 0.0,
            emoji_wechat: 0.0,
            emoji_planet: 0.0,
            invisible_chars: 0.0,
            blank_nickname: 0.0,
            group_nickname_set: 0.0,
            group_nickname_from_planet: 1.0,
            group_decoration: 0.0,
            name_decoration: 0.0,
            full_width: 0.0,
            fancy_letters: 0.0,
            traditional: 0.0,
            pinyin_spelling: 0.0,
            pinyin_swapped: 0.0,
            homophone_typo: 0.0,
            dropped_or_added: 0.0,
            remark_empty: 0.0,
            remark_nickname: 1.0,
            remark_id_instead: 0.0,
            remark_other: 0.0,
            remark_misspelt: 0.0,
            rename: 0.0,
            planet_alias: 0.0,
            member_number: 1.0,
            no_external_userid_on_bill: 0.0,
            export_wechat_missing: 0.0,
            wechat_changed_since_export: 0.0,
            same_name_pairs: 0.0,
            friend_remarks: 0.0,
            crowd_share: 0.0,
            crowd_names: 5,
        }
    }
}

/// One generated person with ground truth and every platform's view of their names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Ground-truth person id, unique within one generator (1, 2, 3 …).
    pub person_id: u64,
    /// The person's real (legal) name, e.g. 张三, 欧阳娜娜.
    pub real_name: String,
    /// The surname part of `real_name`.
    pub surname: String,
    /// The clean name the person habitually uses on WeChat (before decorations).
    pub handle: String,
    /// The clean planet nickname at payment time (before decorations).
    pub planet_handle: String,
    /// The planet `user_id`: 12–15 digits, unique within one generator.
    pub planet_user_id: String,
    /// The WeCom `external_userid` (`wm…`), unique within one generator.
    pub external_userid: String,
    /// Whether the bill carries `external_userid` (the group member always does).
    pub external_userid_on_bill: bool,
    /// WeChat name as the bill (`contact_info.name`) and the group (`name`) show it.
    pub wechat_name: String,
    /// Planet nickname at payment time.
    pub planet_name: String,
    /// Planet nickname after a rename (what later check-in pages show), if renamed.
    pub planet_name_later: Option<String>,
    /// The 星球名片 alias, if set.
    pub planet_alias: Option<String>,
    /// Member number inside the planet, if known.
    pub member_number: Option<u32>,
    /// Nickname inside the WeCom group, if set.
    pub group_nickname: Option<String>,
    /// Free-text payment remark (may be empty).
    pub remark: String,
    /// The 微信昵称 the planet's member export shows for this person (`None`: the
    /// cell is empty). Usually `wechat_name`; an earlier name after
    /// [`Noise::WechatChangedSinceExport`].
    #[serde(default)]
    pub export_wechat_name: Option<String>,
    /// Noise kinds applied, sorted, without duplicates.
    pub noise: Vec<Noise>,
}

impl Person {
    /// The planet nickname the planet shows now (after any rename).
    pub fn planet_name_now(&self) -> &str {
        self.planet_name_later.as_deref().unwrap_or(&self.planet_name)
    }

    /// Whether a noise kind was applied.
    pub fn has(&self, noise: Noise) -> bool {
        self.noise.binary_search(&noise).is_ok()
    }

    fn add_noise(&mut self, noise: Noise) {
        if let Err(at) = self.noise.binary_search(&noise) {
            self.noise.insert(at, noise);
        }
    }
}

/// Constraints for one generated person ([`PeopleGenerator::person_with`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonSpec {
    /// Use this surname (any from the tables or a free one).
    pub surname: Option<String>,
    /// Use this clean WeChat name.
    pub handle: Option<String>,
    /// Use this clean planet nickname.
    pub planet_handle: Option<String>,
    /// Apply these noise kinds where they can apply (pinyin spelling, traditional,
    /// homophone typo, remark kinds, rename, emoji …).
    pub force: Vec<Noise>,
    /// Never apply these noise kinds.
    pub forbid: Vec<Noise>,
}

/// The seeded person generator.
pub struct PeopleGenerator {
    rng: ChaCha8Rng,
    /// A separate stream for the member-export view, so adding it left every
    /// other name of a seed unchanged.
    export_rng: ChaCha8Rng,
    options: PeopleOptions,
    next_person: u64,
    next_member_number: u32,
    used_user_ids: HashSet<u64>,
    used_external_ids: HashSet<String>,
    surname_cumulative: Vec<u32>,
}

impl PeopleGenerator {
    /// A generator; the same seed and options always give the same persons.
    pub fn new(seed: u64, options: PeopleOptions) -> Self {
        let mut total = 0;
        let surname_cumulative = SURNAMES
            .iter()
            .map(|(_, w)| {
                total += w;
                total
            })
            .collect();
        PeopleGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            export_rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0e4b_0e7a_57ee_d001),
            options,
            next_person: 1,
            next_member_number: 1000,
            used_user_ids: HashSet::new(),
            used_external_ids: HashSet::new(),
            surname_cumulative,
        }
    }

    /// The options in use.
    pub fn options(&self) -> &PeopleOptions {
        &self.options
    }

    /// `n` persons meant to share a camp: each drawn with [`person`](Self::person), plus
    /// the group-level noise at the option shares: same-name pairs, crowded names
    /// and remarks naming a friend. Returned in person-id order.
    pub fn generate(&mut self, n: usize) -> Vec<Person> {
        let crowd: Vec<(String, String)> = (0..self.options.crowd_names.max(1)).map(|_| self.crowd_name()).collect();
        let mut people: Vec<Person> = Vec::with_capacity(n);
        while people.len() < n {
            let roll: f64 = self.rng.random();
            if roll < self.options.crowd_share {
                let (handle, planet) = crowd.choose(&mut self.rng).cloned().unwrap_or_default();
                let spec = PersonSpec {
                    handle: Some(handle),
                    planet_handle: Some(planet),
                    forbid: vec![Noise::UnrelatedNicknames],
                    ..PersonSpec::default()
                };
                let mut p = self.person_with(&spec);
                p.add_noise(Noise::CrowdedName);
                people.push(p);
            } else if roll < self.options.crowd_share + self.options.same_name_pairs / 2.0 && people.len() + 2 <= n {
                let mut first = self.person();
                let twin = self.twin_of(&mut first);
                people.push(first);
                people.push(twin);
            } else {
                people.push(self.person());
            }
        }
        let friends = (n as f64 * self.options.friend_remarks).round() as usize;
        if n >= 2 {
            for _ in 0..friends {
                let payer = self.rng.random_range(0..n);
                let mut friend = self.rng.random_range(0..n - 1);
                if friend >= payer {
                    friend += 1;
                }
                let friend_person = people[friend].clone();
                self.name_friend_in_remark(&mut people[payer], &friend_person);
            }
        }
        people
    }

    /// One person with noise drawn at the option shares.
    pub fn person(&mut self) -> Person {
        self.person_with(&PersonSpec::default())
    }

    /// One person under constraints.
    pub fn person_with(&mut self, spec: &PersonSpec) -> Person {
        let mut b = Builder { noise: Vec::new(), forced: spec.force.clone(), forbidden: spec.forbid.clone() };
        let o = self.options.clone();

        // Real name.
        let (surname, surname_reading) = match &spec.surname {
            Some(s) => (s.clone(), surname_reading(s).map(str::to_string)),
            None if b.roll(self, Noise::CompoundSurname, o.compound_surname) => {
                let (s, r) = *COMPOUND_SURNAMES.choose(&mut self.rng).expect("non-empty table");
                (s.to_string(), Some(r.to_string()))
            }
            None if b.roll(self, Noise::PolyphonicSurname, o.polyphonic_surname) => {
                let (s, r) = *POLYPHONIC_SURNAMES.choose(&mut self.rng).expect("non-empty table");
                (s.to_string(), Some(r.to_string()))
            }
            None => {
                let s = self.weighted_surname();
                (s.to_string(), surname_reading(s).map(str::to_string))
            }
        };
        if POLYPHONIC_SURNAMES.iter().any(|(s, _)| *s == surname) {
            b.mark(Noise::PolyphonicSurname);
        }
        if surname.chars().count() == 2 {
            b.mark(Noise::CompoundSurname);
        }
        let given_len = if surname.chars().count() == 2 || self.rng.random_bool(1.0 / 3.0) { 1 } else { 2 };
        let given: String = (0..given_len).map(|_| *GIVEN_CHARS.choose(&mut self.rng).expect("table")).collect();
        let real_name = format!("{surname}{given}");

        // Habitual WeChat name.
        let latin = spec.handle.is_none() && b.roll(self, Noise::LatinName, o.latin_name);
        let handle = match &spec.handle {
            Some(h) => h.clone(),
            None if latin => self.latin_handle(&surname, surname_reading.as_deref(), &real_name),
            None if self.rng.random_bool(o.real_name_handle) => real_name.clone(),
            None if self.rng.random_bool(0.15) => self.derived_nickname(&given),
            None => self.invented_nickname(),
        };

        // Planet nickname: related to the WeChat name, or not.
        let mut wechat_base = handle.clone();
        let mut planet_base = match &spec.planet_handle {
            Some(p) => p.clone(),
            None if b.roll(self, Noise::UnrelatedNicknames, o.unrelated_nicknames) => {
                if self.rng.random_bool(0.3) && handle != real_name {
                    real_name.clone()
                } else {
                    self.invented_nickname()
                }
            }
            None => handle.clone(),
        };
        let related = !b.has(Noise::UnrelatedNicknames) && spec.planet_handle.is_none();
        if related {
            // Variants of one name on one side (which side is random). The option shares are
            // over all persons, so scale them to the related ones.
            let scale = 1.0 / (1.0 - o.unrelated_nicknames).max(0.05);
            let p_of = |p: f64| (p * scale).min(1.0);
            let variant_target_planet = self.rng.random_bool(0.5);
            let mut variant = if variant_target_planet { planet_base.clone() } else { wechat_base.clone() };
            let mut changed = false;
            if is_han(&variant) && b.roll(self, Noise::PinyinSpelling, p_of(o.pinyin_spelling)) {
                let swapped = b.roll(self, Noise::PinyinSwapped, o.pinyin_swapped);
                variant = pinyin_spelling(&variant, &surname, surname_reading.as_deref(), swapped, &mut self.rng);
                changed = true;
            }
            if !changed && has_han(&variant) && b.roll(self, Noise::Traditional, p_of(o.traditional)) {
                let t = character_converter::simplified_to_traditional(&variant).into_owned();
                if t != variant {
                    variant = t;
                    changed = true;
                } else {
                    b.unmark(Noise::Traditional);
                }
            }
            if !changed && b.roll(self, Noise::HomophoneTypo, p_of(o.homophone_typo)) {
                match homophone_typo(&variant, &mut self.rng) {
                    Some(t) => {
                        variant = t;
                        changed = true;
                    }
                    None => b.unmark(Noise::HomophoneTypo),
                }
            }
            if !changed && b.roll_any(self, &[Noise::DroppedChar, Noise::AddedChar], p_of(o.dropped_or_added)) {
                let (t, kind) = drop_or_add(&variant, &given, &mut self.rng);
                b.unmark(Noise::DroppedChar);
                b.unmark(Noise::AddedChar);
                if let (Some(t), Some(kind)) = (t, kind) {
                    variant = t;
                    changed = true;
                    b.mark(kind);
                }
            }
            if changed {
                if variant_target_planet {
                    planet_base = variant;
                } else {
                    wechat_base = variant;
                }
            }
        }
        if planet_base == wechat_base {
            b.mark(Noise::SameNicknameEverywhere);
        }
        let handle = wechat_base.clone();
        let planet_handle = planet_base.clone();

        // Decorations.
        let mut wechat_name = wechat_base.clone();
        let mut planet_name = planet_base.clone();
        if b.roll(self, Noise::NameDecoration, o.name_decoration) {
            if self.rng.random_bool(0.5) {
                wechat_name = self.decorate_with_tag_or_role(&wechat_name);
            } else {
                planet_name = self.decorate_with_tag_or_role(&planet_name);
            }
        }
        let mut emoji = false;
        let forbid_emoji = b.forbids(Noise::Emoji);
        if (self.rng.random_bool(o.emoji_wechat) || b.forced(Noise::Emoji)) && !forbid_emoji {
            wechat_name = self.decorate_with_emoji(&wechat_name);
            emoji = true;
        }
        if self.rng.random_bool(o.emoji_planet) && !forbid_emoji {
            planet_name = self.decorate_with_emoji(&planet_name);
            emoji = true;
        }
        if emoji {
            b.mark(Noise::Emoji);
        }
        if b.roll(self, Noise::InvisibleChars, o.invisible_chars) {
            wechat_name = self.insert_invisible(&wechat_name);
        }
        // Width and font tricks apply to whichever side has letters or digits.
        let side_with_letters = [has_ascii_alnum(&wechat_name), has_ascii_alnum(&planet_name)];
        if side_with_letters.iter().any(|s| *s) {
            let on_wechat = side_with_letters[0] && (!side_with_letters[1] || self.rng.random_bool(0.5));
            if b.roll(self, Noise::FullWidth, o.full_width) {
                if on_wechat {
                    wechat_name = to_full_width(&wechat_name);
                } else {
                    planet_name = to_full_width(&planet_name);
                }
            } else if b.roll(self, Noise::FancyLetters, o.fancy_letters) {
                let script = self.rng.random_bool(0.5);
                if on_wechat {
                    wechat_name = to_fancy(&wechat_name, script);
                } else {
                    planet_name = to_fancy(&planet_name, script);
                }
            }
        }
        if b.roll(self, Noise::BlankNickname, o.blank_nickname) {
            planet_name = BLANK_NICKNAMES.choose(&mut self.rng).expect("table").to_string();
        }

        // Group nickname.
        let group_nickname = if self.rng.random_bool(o.group_nickname_set) || b.forced(Noise::GroupDecoration) {
            let base = if self.rng.random_bool(o.group_nickname_from_planet) { &planet_base } else { &wechat_base };
            let mut g = base.clone();
            if b.roll(self, Noise::GroupDecoration, o.group_decoration) {
                g = self.decorate_for_group(&g);
            }
            Some(g)
        } else {
            None
        };

        // Planet account.
        let planet_user_id = self.fresh_user_id();
        let external_userid = self.fresh_external_userid();
        let member_number = if self.rng.random_bool(o.member_number) {
            self.next_member_number += self.rng.random_range(1..4);
            Some(self.next_member_number)
        } else {
            None
        };
        let planet_alias =
            if b.roll(self, Noise::PlanetAlias, o.planet_alias) { Some(real_name.clone()) } else { None };
        let external_userid_on_bill = !b.roll(self, Noise::NoExternalUseridOnBill, o.no_external_userid_on_bill);

        let mut person = Person {
            person_id: self.next_person,
            real_name,
            surname,
            handle,
            planet_handle,
            planet_user_id,
            external_userid,
            external_userid_on_bill,
            wechat_name,
            planet_name,
            planet_name_later: None,
            planet_alias,
            member_number,
            group_nickname,
            remark: String::new(),
            export_wechat_name: None,
            noise: Vec::new(),
        };
        self.next_person += 1;
        person.export_wechat_name = self.export_wechat_name(&mut b, &person);

        // Remark.
        person.remark = self.remark(&mut b, &person, &planet_base);

        // Rename after payment.
        if b.roll(self, Noise::Renamed, o.rename) {
            let later = if self.rng.random_bool(0.5) {
                self.invented_nickname()
            } else {
                self.decorate_with_emoji(&person.planet_handle)
            };
            if later != person.planet_name {
                person.planet_name_later = Some(later);
            } else {
                b.unmark(Noise::Renamed);
            }
        }

        for n in b.noise {
            person.add_noise(n);
        }
        person
    }

    /// A second person who shares `other`'s names (WeChat name and planet nickname),
    /// with fresh ids and independent decorations. Both get [`Noise::SameNamePair`].
    pub fn twin_of(&mut self, other: &mut Person) -> Person {
        let spec = PersonSpec {
            handle: Some(other.handle.clone()),
            planet_handle: Some(other.planet_handle.clone()),
            forbid: vec![Noise::UnrelatedNicknames, Noise::Renamed],
            ..PersonSpec::default()
        };
        let mut twin = self.person_with(&spec);
        twin.add_noise(Noise::SameNamePair);
        other.add_noise(Noise::SameNamePair);
        twin
    }

    /// Rewrites `payer`'s remark so it names `friend`'s planet nickname (a payment made
    /// for or mentioning someone else). Adds [`Noise::RemarkFriend`] and drops the
    /// remark kinds it replaces.
    pub fn name_friend_in_remark(&mut self, payer: &mut Person, friend: &Person) {
        let template = *FRIEND_REMARKS.choose(&mut self.rng).expect("table");
        payer.remark = template.replace("{}", &friend.planet_handle);
        for n in [
            Noise::RemarkEmpty,
            Noise::RemarkNickname,
            Noise::RemarkMemberNumber,
            Noise::RemarkUserId,
            Noise::RemarkOtherText,
            Noise::RemarkMisspelt,
        ] {
            if let Ok(at) = payer.noise.binary_search(&n) {
                payer.noise.remove(at);
            }
        }
        payer.add_noise(Noise::RemarkFriend);
    }

    fn remark(&mut self, b: &mut Builder, person: &Person, planet_base: &str) -> String {
        let o = &self.options;
        let (empty, nick, other) = (o.remark_empty, o.remark_nickname, o.remark_other);
        let id_instead = o.remark_id_instead;
        let forced = [
            Noise::RemarkEmpty,
            Noise::RemarkNickname,
            Noise::RemarkMemberNumber,
            Noise::RemarkUserId,
            Noise::RemarkOtherText,
            Noise::RemarkMisspelt,
        ]
        .into_iter()
        .find(|n| b.forced(*n));
        let kind = match forced {
            Some(k) => k,
            None => {
                let roll: f64 = self.rng.random();
                if roll < empty {
                    Noise::RemarkEmpty
                } else if roll < empty + nick {
                    if self.rng.random_bool(id_instead) {
                        if person.member_number.is_some() && self.rng.random_bool(0.5) {
                            Noise::RemarkMemberNumber
                        } else {
                            Noise::RemarkUserId
                        }
                    } else {
                        Noise::RemarkNickname
                    }
                } else if roll < empty + nick + other {
                    Noise::RemarkOtherText
                } else {
                    Noise::RemarkMisspelt
                }
            }
        };
        let kind = if b.forbids(kind) { Noise::RemarkEmpty } else { kind };
        let text = match kind {
            Noise::RemarkEmpty => String::new(),
            Noise::RemarkNickname => {
                let t = *NICKNAME_REMARKS.choose(&mut self.rng).expect("table");
                t.replace("{}", planet_base)
            }
            Noise::RemarkMemberNumber => match person.member_number {
                Some(n) => MEMBER_NUMBER_REMARKS.choose(&mut self.rng).expect("table").replace("{}", &n.to_string()),
                None => String::new(),
            },
            Noise::RemarkUserId => {
                USER_ID_REMARKS.choose(&mut self.rng).expect("table").replace("{}", &person.planet_user_id)
            }
            Noise::RemarkOtherText => self.other_remark(),
            Noise::RemarkMisspelt => {
                let typo = misspell(planet_base, &mut self.rng).unwrap_or_default();
                if typo.is_empty() {
                    String::new()
                } else {
                    NICKNAME_REMARKS.choose(&mut self.rng).expect("table").replace("{}", &typo)
                }
            }
            _ => String::new(),
        };
        let kind = if text.is_empty() { Noise::RemarkEmpty } else { kind };
        b.mark(kind);
        text
    }

    fn weighted_surname(&mut self) -> &'static str {
        let total = *self.surname_cumulative.last().expect("table");
        let x = self.rng.random_range(0..total);
        let i = self.surname_cumulative.partition_point(|c| *c <= x);
        SURNAMES[i].0
    }

    fn crowd_name(&mut self) -> (String, String) {
        let name = if self.rng.random_bool(0.5) {
            let s = self.weighted_surname();
            format!("{s}{}", GIVEN_CHARS.choose(&mut self.rng).expect("table"))
        } else {
            self.invented_nickname()
        };
        (name.clone(), name)
    }

    fn latin_handle(&mut self, surname: &str, reading: Option<&str>, real_name: &str) -> String {
        let en = *ENGLISH_NAMES.choose(&mut self.rng).expect("table");
        let surname_latin = reading.map(str::to_string).unwrap_or_else(|| plain_pinyin(surname));
        match self.rng.random_range(0..6) {
            0 | 1 => en.to_string(),
            2 => format!("{en} {}", capitalise(&surname_latin)),
            3 => format!("{en}·{surname}"),
            4 => format!("{en}{real_name}"),
            _ => format!("{}{}", en.to_lowercase(), self.rng.random_range(1..100)),
        }
    }

    fn derived_nickname(&mut self, given: &str) -> String {
        let last = given.chars().last().unwrap_or('明');
        match self.rng.random_range(0..4) {
            0 => format!("小{last}"),
            1 => format!("阿{last}"),
            2 => format!("{last}{last}"),
            _ if given.chars().count() == 2 => given.to_string(),
            _ => format!("{last}子"),
        }
    }

    fn invented_nickname(&mut self) -> String {
        invented_nickname(&mut self.rng)
    }

    fn decorate_with_emoji(&mut self, name: &str) -> String {
        decorate_with_emoji(&mut self.rng, name)
    }

    /// What the member export's 微信昵称 shows for a person (export stream only).
    fn export_wechat_name(&mut self, b: &mut Builder, p: &Person) -> Option<String> {
        let o = &self.options;
        let rng = &mut self.export_rng;
        let missing = rng.random_bool(o.export_wechat_missing.clamp(0.0, 1.0));
        let changed = rng.random_bool(o.wechat_changed_since_export.clamp(0.0, 1.0));
        let pick = |n: Noise, drawn: bool, b: &Builder| !b.forbids(n) && (drawn || b.forced(n));
        if pick(Noise::ExportWechatMissing, missing, b) {
            b.mark(Noise::ExportWechatMissing);
            return None;
        }
        if pick(Noise::WechatChangedSinceExport, changed, b) {
            // Half the time a decoration change of the same name, else another name altogether.
            let earlier = if rng.random_bool(0.5) {
                if p.wechat_name.trim() == p.handle.trim() {
                    decorate_with_emoji(rng, &p.handle)
                } else {
                    p.handle.clone()
                }
            } else if p.handle != p.real_name && rng.random_bool(0.3) {
                p.real_name.clone()
            } else {
                invented_nickname(rng)
            };
            if earlier != p.wechat_name {
                b.mark(Noise::WechatChangedSinceExport);
                return Some(earlier);
            }
        }
        Some(p.wechat_name.clone())
    }

    fn insert_invisible(&mut self, name: &str) -> String {
        let c = *INVISIBLE.choose(&mut self.rng).expect("table");
        let chars: Vec<char> = name.chars().collect();
        let at = self.rng.random_range(0..=chars.len());
        let mut out: String = chars[..at].iter().collect();
        out.push(c);
        out.extend(&chars[at..]);
        out
    }

    fn decorate_with_tag_or_role(&mut self, name: &str) -> String {
        if self.rng.random_bool(0.5) {
            let role = *ROLES.choose(&mut self.rng).expect("table");
            let sep = *["-", "|", "·", "_", " "].choose(&mut self.rng).expect("table");
            format!("{name}{sep}{role}")
        } else {
            let city = *CITIES.choose(&mut self.rng).expect("table");
            let sep = *["-", "·", " "].choose(&mut self.rng).expect("table");
            format!("{city}{sep}{name}")
        }
    }

    fn decorate_for_group(&mut self, name: &str) -> String {
        let group = (b'A' + self.rng.random_range(0..6u8)) as char;
        let n = self.rng.random_range(1..20);
        let role = *ROLES.choose(&mut self.rng).expect("table");
        match self.rng.random_range(0..7) {
            0 => format!("【{group}组】{name}"),
            1 => format!("【{group}组】{name}-{role}"),
            2 => format!("[{n}期] {name}"),
            3 => format!("{name}-{role}"),
            4 => format!("{group}组-{name}"),
            5 => format!("{n}号{name}"),
            _ => format!("{group}组 · {name} ·{role}"),
        }
    }

    fn other_remark(&mut self) -> String {
        match self.rng.random_range(0..5) {
            0 => format!(
                "1{}{:09}",
                [3, 5, 7, 8, 9].choose(&mut self.rng).expect("table"),
                self.rng.random_range(0..1_000_000_000u32)
            ),
            1 => format!("wxid_{}", self.random_token(10).to_lowercase()),
            2 => {
                let word = *NICKNAME_NOUNS.choose(&mut self.rng).expect("table");
                format!("{}{}", plain_pinyin(word), self.rng.random_range(10..1000))
            }
            _ => OTHER_REMARKS.choose(&mut self.rng).expect("table").to_string(),
        }
    }

    fn fresh_user_id(&mut self) -> String {
        loop {
            let digits = self.rng.random_range(12..=15u32);
            let low = 10u64.pow(digits - 1);
            let id = self.rng.random_range(low..low * 10);
            if self.used_user_ids.insert(id) {
                return id.to_string();
            }
        }
    }

    fn fresh_external_userid(&mut self) -> String {
        loop {
            let id = format!("wm{}", self.random_token(30));
            if self.used_external_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn random_token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char).collect()
    }
}

/// Tracks noise for one person being built, honouring forced and forbidden kinds.
struct Builder {
    noise: Vec<Noise>,
    forced: Vec<Noise>,
    forbidden: Vec<Noise>,
}

impl Builder {
    fn forced(&self, n: Noise) -> bool {
        self.forced.contains(&n)
    }

    fn forbids(&self, n: Noise) -> bool {
        self.forbidden.contains(&n)
    }

    fn has(&self, n: Noise) -> bool {
        self.noise.contains(&n)
    }

    fn mark(&mut self, n: Noise) {
        if !self.noise.contains(&n) {
            self.noise.push(n);
        }
    }

    fn unmark(&mut self, n: Noise) {
        self.noise.retain(|x| *x != n);
    }

    /// Draws `n` with probability `p` (always when forced, never when forbidden) and
    /// marks it when drawn. The random draw happens either way, so forcing one kind
    /// does not shift the rest of the stream more than necessary.
    fn roll(&mut self, g: &mut PeopleGenerator, n: Noise, p: f64) -> bool {
        let drawn = g.rng.random_bool(p.clamp(0.0, 1.0));
        let hit = !self.forbids(n) && (drawn || self.forced(n));
        if hit {
            self.mark(n);
        }
        hit
    }

    fn roll_any(&mut self, g: &mut PeopleGenerator, kinds: &[Noise], p: f64) -> bool {
        let drawn = g.rng.random_bool(p.clamp(0.0, 1.0));
        let forced = kinds.iter().any(|k| self.forced(*k));
        let forbidden = kinds.iter().all(|k| self.forbids(*k));
        !forbidden && (drawn || forced)
    }
}

/// An invented nickname: a word, adjective + noun, word + noun, 小X + noun, or latin + year.
fn invented_nickname(rng: &mut ChaCha8Rng) -> String {
    let pick = |rng: &mut ChaCha8Rng, table: &[&'static str]| *table.choose(rng).expect("table");
    match rng.random_range(0..20) {
        0 => pick(rng, NICKNAME_WORDS).to_string(),
        1..=9 => format!("{}{}", pick(rng, NICKNAME_ADJECTIVES), pick(rng, NICKNAME_NOUNS)),
        10..=16 => format!("{}{}", pick(rng, NICKNAME_WORDS), pick(rng, NICKNAME_NOUNS)),
        17 | 18 => format!(
            "{}{}{}",
            pick(rng, &["小", "大", "老", "阿"]),
            GIVEN_CHARS.choose(rng).expect("table"),
            pick(rng, NICKNAME_NOUNS)
        ),
        _ => format!("{}{}", pick(rng, ENGLISH_NAMES).to_lowercase(), rng.random_range(1960..2010)),
    }
}

/// `name` with emoji or symbols around it.
fn decorate_with_emoji(rng: &mut ChaCha8Rng, name: &str) -> String {
    let e = *EMOJI.choose(rng).expect("table");
    match rng.random_range(0..4) {
        0 => format!("{e}{name}"),
        1 => format!("{name}{e}"),
        2 => {
            let e2 = *EMOJI.choose(rng).expect("table");
            format!("{e}{name}{e2}")
        }
        _ => {
            let s = *SYMBOLS.choose(rng).expect("table");
            format!("{s}{name}{s}")
        }
    }
}

fn is_han_char(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn is_han(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_han_char)
}

fn has_han(s: &str) -> bool {
    s.chars().any(is_han_char)
}

fn has_ascii_alnum(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphanumeric())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The toneless first reading of each Han character, concatenated (others kept).
fn plain_pinyin(s: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::new();
    for c in s.chars() {
        match c.to_pinyin() {
            Some(p) => out.push_str(p.plain()),
            None => out.push(c),
        }
    }
    out
}

/// How a person would spell a Han name in pinyin: surname with its name reading.
fn pinyin_spelling(
    name: &str,
    surname: &str,
    surname_reading: Option<&str>,
    swapped: bool,
    rng: &mut ChaCha8Rng,
) -> String {
    let (sur, given) = match name.strip_prefix(surname) {
        Some(rest) if !rest.is_empty() => {
            (surname_reading.map(str::to_string).unwrap_or_else(|| plain_pinyin(surname)), plain_pinyin(rest))
        }
        _ => (String::new(), plain_pinyin(name)),
    };
    if sur.is_empty() {
        return match rng.random_range(0..3) {
            0 => capitalise(&given),
            _ => given,
        };
    }
    if swapped {
        return format!("{} {}", capitalise(&given), capitalise(&sur));
    }
    match rng.random_range(0..4) {
        0 => format!("{sur}{given}"),
        1 => format!("{} {}", capitalise(&sur), capitalise(&given)),
        2 => format!("{}{}", capitalise(&sur), capitalise(&given)),
        _ => format!("{}{}", sur.to_uppercase(), capitalise(&given)),
    }
}

/// Replaces one character that has a homophone (same toneless pinyin) with it.
fn homophone_typo(name: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    let chars: Vec<char> = name.chars().collect();
    let spots: Vec<(usize, &[char])> = chars
        .iter()
        .enumerate()
        .skip(1) // keep the first character: a surname typo is rarer than a given-name one
        .filter_map(|(i, c)| HOMOPHONES.iter().find(|(k, _)| k == c).map(|(_, alts)| (i, *alts)))
        .collect();
    let (i, alts) = spots.choose(rng)?;
    let mut out = chars.clone();
    out[*i] = *alts.choose(rng)?;
    Some(out.into_iter().collect())
}

/// A typo of a name that no longer contains it: a homophone, else a dropped character.
fn misspell(name: &str, rng: &mut ChaCha8Rng) -> Option<String> {
    if let Some(t) = homophone_typo(name, rng) {
        return Some(t);
    }
    let chars: Vec<char> = name.chars().collect();
    if chars.len() >= 3 {
        let at = rng.random_range(1..chars.len());
        let mut out = chars.clone();
        out.remove(at);
        return Some(out.into_iter().collect());
    }
    None
}

/// Drops a character of a name of 3+ characters, or repeats/adds one to a short name.
fn drop_or_add(name: &str, given: &str, rng: &mut ChaCha8Rng) -> (Option<String>, Option<Noise>) {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() >= 3 && chars.iter().all(|c| is_han_char(*c)) && rng.random_bool(0.6) {
        // 李小明 → 小明 (drop the surname) or drop the last character.
        let out: String =
            if rng.random_bool(0.6) { chars[1..].iter().collect() } else { chars[..chars.len() - 1].iter().collect() };
        return (Some(out), Some(Noise::DroppedChar));
    }
    if chars.len() >= 2 && chars.iter().all(|c| is_han_char(*c)) {
        let last = *chars.last().expect("non-empty");
        let extra = given.chars().next().filter(|_| rng.random_bool(0.3)).unwrap_or(last);
        let mut out = name.to_string();
        out.push(extra);
        return (Some(out), Some(Noise::AddedChar));
    }
    if chars.len() >= 4 && chars.iter().all(|c| c.is_ascii_alphabetic()) {
        let at = rng.random_range(1..chars.len());
        let mut out = chars.clone();
        out.remove(at);
        return (Some(out.into_iter().collect()), Some(Noise::DroppedChar));
    }
    (None, None)
}

fn to_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

/// Mathematical bold script (`script`) or circled letters; NFKC maps both back.
fn to_fancy(s: &str, script: bool) -> String {
    s.chars()
        .map(|c| {
            let mapped = match (c, script) {
                ('A'..='Z', true) => char::from_u32(0x1D4D0 + (c as u32 - 'A' as u32)),
                ('a'..='z', true) => char::from_u32(0x1D4EA + (c as u32 - 'a' as u32)),
                ('A'..='Z', false) => char::from_u32(0x24B6 + (c as u32 - 'A' as u32)),
                ('a'..='z', false) => char::from_u32(0x24D0 + (c as u32 - 'a' as u32)),
                _ => None,
            };
            mapped.unwrap_or(c)
        })
        .collect()
}

/// The reading a surname takes in a name, when it differs from the first reading
/// or is compound. `None` for ordinary surnames (the first reading is right).
pub fn surname_reading(surname: &str) -> Option<&'static str> {
    POLYPHONIC_SURNAMES.iter().chain(COMPOUND_SURNAMES.iter()).find(|(s, _)| *s == surname).map(|(_, r)| *r)
}

/// Surnames whose reading in a name differs from the pinyin crate's first reading
/// (measured in matching.md §0), with the name reading.
pub const POLYPHONIC_SURNAMES: &[(&str, &str)] = &[
    ("曾", "zeng"),
    ("单", "shan"),
    ("解", "xie"),
    ("仇", "qiu"),
    ("区", "ou"),
    ("查", "zha"),
    ("朴", "piao"),
    ("覃", "qin"),
    ("缪", "miao"),
    ("盖", "ge"),
    ("种", "chong"),
    ("繁", "po"),
    ("长孙", "zhangsun"),
];

/// Compound surnames with their readings.
pub const COMPOUND_SURNAMES: &[(&str, &str)] = &[
    ("欧阳", "ouyang"),
    ("司马", "sima"),
    ("诸葛", "zhuge"),
    ("上官", "shangguan"),
    ("东方", "dongfang"),
    ("慕容", "murong"),
    ("司徒", "situ"),
    ("皇甫", "huangfu"),
    ("令狐", "linghu"),
    ("夏侯", "xiahou"),
];

/// Common surnames with rough relative frequencies (per 10 000 people).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 720),
    ("李", 710),
    ("张", 690),
    ("刘", 540),
    ("陈", 460),
    ("杨", 320),
    ("黄", 230),
    ("赵", 230),
    ("吴", 210),
    ("周", 210),
    ("徐", 170),
    ("孙", 150),
    ("马", 150),
    ("朱", 140),
    ("胡", 130),
    ("郭", 120),
    ("何", 120),
    ("高", 110),
    ("林", 110),
    ("罗", 100),
    ("郑", 100),
    ("梁", 100),
    ("谢", 80),
    ("宋", 80),
    ("唐", 80),
    ("许", 70),
    ("韩", 70),
    ("冯", 70),
    ("邓", 70),
    ("曹", 70),
    ("彭", 60),
    ("曾", 60),
    ("肖", 60),
    ("田", 60),
    ("董", 50),
    ("袁", 50),
    ("潘", 50),
    ("于", 50),
    ("蒋", 50),
    ("蔡", 50),
    ("余", 50),
    ("杜", 40),
    ("叶", 40),
    ("程", 40),
    ("苏", 40),
    ("魏", 40),
    ("吕", 40),
    ("丁", 40),
    ("任", 40),
    ("沈", 40),
    ("姚", 30),
    ("卢", 30),
    ("姜", 30),
    ("崔", 30),
    ("钟", 30),
    ("谭", 30),
    ("陆", 30),
    ("汪", 30),
    ("范", 30),
    ("金", 30),
    ("石", 30),
    ("廖", 30),
    ("贾", 30),
    ("夏", 30),
    ("韦", 30),
    ("付", 30),
    ("方", 30),
    ("白", 20),
    ("邹", 20),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 20),
    ("江", 20),
    ("尹", 20),
    ("薛", 20),
    ("闫", 20),
    ("段", 20),
    ("雷", 20),
    ("侯", 20),
    ("龙", 20),
    ("史", 20),
    ("陶", 20),
    ("黎", 20),
    ("贺", 20),
    ("顾", 20),
    ("毛", 20),
    ("郝", 20),
    ("龚", 20),
    ("邵", 20),
    ("万", 20),
    ("钱", 20),
    ("严", 20),
    ("覃", 10),
    ("武", 20),
    ("戴", 20),
    ("莫", 10),
    ("孔", 10),
    ("向", 10),
    ("汤", 10),
    ("单", 5),
    ("解", 5),
    ("仇", 3),
    ("区", 2),
    ("查", 3),
    ("朴", 3),
    ("缪", 3),
];

/// Given-name characters whose first pinyin reading is the one used in names.
const GIVEN_CHARS: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞',
    '平', '刚', '桂', '英', '华', '玉', '兰', '萍', '红', '鹏', '辉', '玲', '宇', '浩', '凯', '健', '俊', '帆', '帅',
    '旭', '宁', '龙', '林', '欣', '婷', '雪', '慧', '颖', '琳', '晨', '阳', '晓', '东', '文', '斌', '博', '思', '雨',
    '梓', '涵', '子', '轩', '一', '诺', '怡', '佳', '琪', '嘉', '雯', '悦', '瑶', '泽', '睿', '昊', '然', '宏', '志',
    '海', '峰', '波', '鑫', '亮', '飞', '丹', '倩', '莉', '燕', '梅', '蓉', '婧', '洁', '云', '翔', '辰', '逸', '航',
    '奕', '彤', '妍', '心', '可', '依', '晴', '安', '语', '萱', '诗', '杨', '建', '国', '春', '秋', '冬', '霖', '淑',
    '珍', '贞', '岚', '琦', '珊', '菲', '蕾', '薇', '璐', '露', '茜', '晶', '莹', '媛', '娇', '婉', '颂', '毅', '坤',
    '锋', '鸣', '铭', '骏', '腾', '彬', '振', '鹤', '松', '柏', '森', '楠', '桐', '枫', '岩', '峻', '尧', '舜', '禹',
    '哲', '钧', '铮', '琛', '瑞', '祥', '福', '寿',
];

/// Characters with homophones (identical toneless pinyin) for IME typos.
const HOMOPHONES: &[(char, &[char])] = &[
    ('三', &['珊', '山', '杉']),
    ('珊', &['三', '姗', '山']),
    ('明', &['鸣', '铭', '名']),
    ('鸣', &['明', '铭']),
    ('铭', &['明', '鸣']),
    ('丽', &['莉', '俐', '立']),
    ('莉', &['丽', '俐']),
    ('伟', &['玮', '炜', '维']),
    ('静', &['婧', '靖', '晶']),
    ('婧', &['静', '靖']),
    ('军', &['君', '均']),
    ('华', &['桦', '骅']),
    ('芳', &['方', '放']),
    ('涛', &['韬', '滔']),
    ('杰', &['洁', '婕', '捷']),
    ('洁', &['杰', '婕']),
    ('敏', &['珉', '闵']),
    ('燕', &['艳', '雁', '宴']),
    ('艳', &['燕', '雁']),
    ('磊', &['蕾', '垒']),
    ('蕾', &['磊', '垒']),
    ('超', &['朝', '潮']),
    ('平', &['萍', '苹', '坪']),
    ('萍', &['平', '苹']),
    ('刚', &['钢', '纲']),
    ('红', &['虹', '鸿', '宏']),
    ('宏', &['红', '鸿', '弘']),
    ('玲', &['琳', '铃', '灵']),
    ('琳', &['玲', '林', '霖']),
    ('林', &['琳', '霖', '临']),
    ('娟', &['鹃', '涓']),
    ('勇', &['永', '泳']),
    ('鹏', &['朋', '彭']),
    ('辉', &['晖', '徽']),
    ('宇', &['雨', '语', '羽']),
    ('雨', &['宇', '语', '羽']),
    ('鱼', &['余', '渔', '瑜']),
    ('欣', &['馨', '心', '新']),
    ('心', &['欣', '馨', '新']),
    ('婷', &['亭', '庭', '廷']),
    ('雪', &['薛', '血']),
    ('慧', &['惠', '蕙', '会']),
    ('颖', &['莹', '影', '盈']),
    ('晨', &['辰', '臣', '沉']),
    ('辰', &['晨', '臣']),
    ('阳', &['杨', '洋', '扬']),
    ('洋', &['阳', '杨', '扬']),
    ('晓', &['小', '筱', '孝']),
    ('小', &['晓', '筱']),
    ('东', &['冬', '栋']),
    ('文', &['雯', '闻', '纹']),
    ('雯', &['文', '闻']),
    ('斌', &['彬', '滨', '宾']),
    ('思', &['斯', '丝', '司']),
    ('涵', &['含', '寒', '晗']),
    ('琪', &['琦', '祺', '奇']),
    ('佳', &['嘉', '家', '加']),
    ('嘉', &['佳', '家']),
    ('瑶', &['遥', '尧', '姚']),
    ('睿', &['瑞', '锐']),
    ('峰', &['锋', '丰', '枫']),
    ('飞', &['菲', '非', '妃']),
    ('菲', &['飞', '非', '妃']),
    ('倩', &['茜', '芊']),
    ('梅', &['玫', '媚', '眉']),
    ('云', &['芸', '耘', '运']),
    ('翔', &['祥', '详', '想']),
    ('航', &['杭']),
    ('妍', &['研', '岩', '言']),
    ('安', &['岸', '案']),
    ('萱', &['轩', '宣', '暄']),
    ('轩', &['萱', '宣']),
    ('诗', &['师', '施']),
    ('凯', &['恺', '楷', '铠']),
    ('俊', &['骏', '峻', '君']),
    ('帆', &['凡', '繁', '樊']),
    ('露', &['璐', '路', '鹭']),
    ('璐', &['露', '路']),
    ('霞', &['侠', '夏']),
    ('豆', &['逗', '斗']),
    ('猫', &['毛', '茅']),
    ('熊', &['雄']),
    ('兔', &['途', '图']),
];

const ENGLISH_NAMES: &[&str] = &[
    "Lily", "Tony", "Kevin", "Amy", "Grace", "Jack", "Lucy", "Emma", "David", "Jason", "Vivian", "Cindy", "Linda",
    "Helen", "Alice", "Bella", "Cathy", "Daisy", "Eric", "Frank", "Gavin", "Henry", "Ivy", "Jenny", "Karen", "Leo",
    "Mandy", "Nina", "Oscar", "Peter", "Queenie", "Rachel", "Sandy", "Tina", "Una", "Vicky", "Wendy", "Yoyo", "Zoe",
    "Allen", "Bruce", "Coco", "Doris", "Elaine", "Fiona", "Gloria", "Hannah", "Irene", "Joy", "Kelly", "Lisa",
    "Maggie", "Nancy", "Olivia", "Penny", "Rita", "Sally", "Sophia", "Stella", "Sunny", "Teresa", "Victor", "William",
    "Yuki", "Angela", "Ben", "Chris", "Dennis", "Evan", "Felix", "George", "Harry", "Ian", "James", "Kimi", "Louis",
    "Mike", "Nick", "Owen", "Paul", "Ryan", "Sam", "Tom", "Vincent", "Will", "Alex", "Anna", "Becky", "Carol", "Echo",
    "Elsa", "Fanny", "Jessie", "Jojo", "Judy", "Kiki", "Lulu", "Mia", "Momo", "Nana", "Summer", "Winnie", "Yvonne",
    "Cherry", "Apple", "Candy", "Crystal", "Eva", "Iris", "Jane", "Julia", "Laura", "Mary", "Monica", "Rose", "Ruby",
    "Sara",
];

const NICKNAME_WORDS: &[&str] = &[
    "小鱼",
    "向日葵",
    "追光者",
    "静待花开",
    "岁月静好",
    "半夏",
    "清风",
    "木子",
    "晴天",
    "橘子",
    "柠檬",
    "星辰",
    "大海",
    "阳光",
    "蜗牛",
    "考拉",
    "喵喵",
    "土豆",
    "豆豆",
    "小太阳",
    "一叶知秋",
    "云淡风轻",
    "知行合一",
    "慢慢来",
    "南风",
    "北辰",
    "初心",
    "简单",
    "自律",
    "成长中",
    "快乐每一天",
    "林间小鹿",
    "风吹麦浪",
    "听雨",
    "念念",
    "暖暖",
    "糖糖",
    "果果",
    "乐乐",
    "米粒",
    "芒果",
    "西瓜",
    "草莓",
    "布丁",
    "奶茶",
    "咖啡",
    "可乐",
    "雪碧",
    "浅笑",
    "微光",
    "远方",
    "行者",
    "守望",
    "拾光",
    "时光",
    "青柠",
    "夏天",
    "秋天",
    "冬雪",
    "春风",
    "花开",
    "向前",
    "逆风",
    "飞翔",
    "梦想",
    "天空",
    "白云",
    "彩虹",
    "月光",
    "星空",
    "海浪",
    "山川",
    "森林",
    "麦田",
    "稻草人",
    "小确幸",
    "不将就",
    "随遇而安",
    "无问西东",
    "一路向北",
    "心安",
    "平凡",
    "笃行",
    "致远",
    "明天会更好",
    "加油鸭",
    "冲鸭",
    "好好学习",
    "天天向上",
    "早睡早起",
    "读书人",
    "写作者",
    "运营人",
    "打工人",
    "斜杠青年",
    "终身学习",
    "持续精进",
    "每天进步",
    "破茧",
    "蜕变",
    "星河",
    "长安",
    "江南",
    "烟雨",
    "水墨",
    "书香",
    "墨染",
    "竹林",
    "兰亭",
    "清欢",
    "素心",
    "如初",
    "未央",
    "晚风",
    "朝露",
    "暮雪",
    "听风",
    "看海",
    "追风",
    "逐梦",
    "寻光",
    "望月",
    "踏雪",
    "拾贝",
    "观山",
    "问渠",
    "临渊",
    "归途",
    "远山",
    "近水",
    "浮云",
    "流年",
    "旧梦",
    "新知",
    "半糖",
    "三分",
    "七月",
    "九月",
    "十一",
    "小满",
    "立夏",
    "惊蛰",
    "白露",
    "霜降",
    "大寒",
    "初夏",
    "盛夏",
    "深秋",
    "暖冬",
    "清晨",
    "黄昏",
    "午后",
    "子夜",
    "黎明",
    "星光",
];

const NICKNAME_ADJECTIVES: &[&str] = &[
    "快乐的",
    "努力的",
    "奔跑的",
    "安静的",
    "勇敢的",
    "爱笑的",
    "认真的",
    "会飞的",
    "可爱的",
    "温柔的",
    "自由的",
    "逆风的",
    "追梦的",
    "爱读书的",
    "不睡觉的",
    "想变瘦的",
    "爱吃的",
    "晒太阳的",
    "发呆的",
    "旅行的",
    "唱歌的",
    "早起的",
    "熬夜的",
    "自律的",
    "成长的",
    "佛系",
    "元气",
    "倔强的",
    "简单的",
    "慢热的",
    "热情的",
    "好奇的",
    "微笑的",
    "坚持的",
    "沉默的",
    "闪亮的",
    "迷路的",
    "开心的",
    "孤独的",
    "勤奋的",
    "爱跑步的",
    "爱画画的",
    "爱写字的",
    "爱喝茶的",
    "爱咖啡的",
    "会写诗的",
    "想睡觉的",
    "在路上的",
    "向上的",
    "清醒的",
    "笨笨的",
    "胖胖的",
    "瘦瘦的",
    "小小的",
    "大大的",
    "软软的",
    "甜甜的",
    "酷酷的",
    "呆呆的",
    "萌萌的",
    "静静的",
    "努力生活的",
    "认真学习的",
    "不想上班的",
    "热爱生活的",
    "爱旅行的",
    "喜欢雨天的",
    "等风来的",
    "追光的",
];

const NICKNAME_NOUNS: &[&str] = &[
    "小鱼",
    "蜗牛",
    "兔子",
    "小熊",
    "猫咪",
    "向日葵",
    "土豆",
    "橙子",
    "星星",
    "月亮",
    "小鹿",
    "企鹅",
    "考拉",
    "熊猫",
    "狮子",
    "老虎",
    "海豚",
    "鲸鱼",
    "松鼠",
    "刺猬",
    "小狗",
    "柴犬",
    "仓鼠",
    "萝卜",
    "番茄",
    "白菜",
    "包子",
    "饺子",
    "汤圆",
    "麻薯",
    "芝士",
    "奶酪",
    "蛋糕",
    "饼干",
    "咸鱼",
    "大侠",
    "少年",
    "姑娘",
    "阿姨",
    "大叔",
    "宝宝",
    "同学",
    "旅人",
    "画家",
    "诗人",
    "作家",
    "程序员",
    "设计师",
    "小白",
    "学霸",
    "吃货",
    "懒猫",
    "鹿鹿",
    "云朵",
    "风筝",
    "气球",
    "羊驼",
    "河马",
    "长颈鹿",
    "斑马",
    "猫头鹰",
    "喜鹊",
    "燕子",
    "海鸥",
    "螃蟹",
    "龙虾",
    "贝壳",
    "海星",
    "水母",
    "蘑菇",
    "南瓜",
    "冬瓜",
    "黄瓜",
    "茄子",
    "豆芽",
    "花生",
    "核桃",
    "板栗",
    "葡萄",
    "樱桃",
    "菠萝",
    "椰子",
    "桃子",
    "苹果",
    "香蕉",
    "荔枝",
    "龙眼",
    "山竹",
    "柚子",
    "橘猫",
    "黑猫",
    "白兔",
    "灰狼",
    "狐狸",
    "浣熊",
    "树懒",
    "水獭",
    "海獭",
    "鸭子",
    "小鸡",
    "鹦鹉",
    "孔雀",
    "仙人掌",
    "多肉",
    "绿萝",
    "玫瑰",
    "百合",
    "茉莉",
    "桂花",
    "梧桐",
    "银杏",
    "枫叶",
    "松果",
    "星球",
    "宇航员",
    "旅行家",
    "读书郎",
    "书虫",
    "夜猫子",
    "早鸟",
    "跑者",
    "骑手",
    "船长",
    "水手",
];

const EMOJI: &[&str] = &[
    "🌸",
    "🌈",
    "✨",
    "🍀",
    "🌻",
    "☀️",
    "🐟",
    "💕",
    "🌙",
    "⭐",
    "🎈",
    "🍓",
    "🐱",
    "👍",
    "✌️",
    "🔥",
    "💪",
    "🌿",
    "🦋",
    "😊",
    "👑",
    "🍎",
    "🎀",
    "🌹",
    "🍉",
    "🐼",
    "🦄",
    "🌊",
    "☘️",
    "❤️",
    "🇨🇳",
    "👩‍💻",
    "👨🏻‍🏫",
];

const SYMBOLS: &[&str] = &["❀", "★", "☆", "♡", "～", "°", "ღ", "✿", "◕", "⁂"];

const INVISIBLE: &[char] = &['\u{200B}', '\u{200D}', '\u{FE0F}', '\u{2800}', '\u{3164}', '\u{2060}'];

const BLANK_NICKNAMES: &[&str] = &["   ", "\u{3164}", "\u{2800}\u{2800}", "✌️", "🌸🌸", ".", "\u{3000}"];

const ROLES: &[&str] = &[
    "产品经理",
    "运营",
    "助教",
    "老师",
    "宝妈",
    "设计师",
    "程序员",
    "财务",
    "HR",
    "销售",
    "学生",
    "自由职业",
    "律师",
    "医生",
    "新媒体",
    "会计",
];

const CITIES: &[&str] =
    &["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "长沙", "重庆", "苏州"];

const NICKNAME_REMARKS: &[&str] = &[
    "{}",
    "{}",
    "{}",
    "星球昵称：{}",
    "星球昵称:{}",
    "星球昵称 {}",
    "昵称{}",
    "昵称：{}",
    "{} 押金",
    "押金-{}",
    "{}报名",
    "星球：{}",
    "{}的押金",
    "训练营 {}",
];

const MEMBER_NUMBER_REMARKS: &[&str] = &["编号{}", "星球编号 {}", "成员编号：{}", "No.{}", "{}号"];

const USER_ID_REMARKS: &[&str] = &["星球ID:{}", "星球id {}", "{}", "ID：{}"];

const OTHER_REMARKS: &[&str] =
    &["学费", "押金", "训练营押金", "打卡押金", "报名", "已付", "付款", "转账", "红包", "加油", "谢谢老师", "打卡营"];

const FRIEND_REMARKS: &[&str] = &["{}", "帮{}付", "{}的押金", "替{}报名", "星球昵称：{}", "朋友{}"];

#[cfg(test)]
mod tests {
    use super::*;
    use pinyin::ToPinyin;
    use unicode_normalization::UnicodeNormalization;

    fn toneless(c: char) -> Option<&'static str> {
        c.to_pinyin().map(|p| p.plain())
    }

    /// Folds the IME confusions a homophone typo may carry (zh/z, ch/c, sh/s, -ng/-n).
    fn fuzzy(p: &str) -> String {
        p.replace("zh", "z").replace("ch", "c").replace("sh", "s").replace("ng", "n")
    }

    #[test]
    fn the_same_seed_gives_identical_people() {
        let a = PeopleGenerator::new(42, PeopleOptions::default()).generate(500);
        let b = PeopleGenerator::new(42, PeopleOptions::default()).generate(500);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        let c = PeopleGenerator::new(43, PeopleOptions::default()).generate(500);
        assert_ne!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&c).unwrap());
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let people = PeopleGenerator::new(1, PeopleOptions::default()).generate(5000);
        let user_ids: HashSet<_> = people.iter().map(|p| p.planet_user_id.clone()).collect();
        let ext_ids: HashSet<_> = people.iter().map(|p| p.external_userid.clone()).collect();
        let person_ids: HashSet<_> = people.iter().map(|p| p.person_id).collect();
        assert_eq!(user_ids.len(), 5000);
        assert_eq!(ext_ids.len(), 5000);
        assert_eq!(person_ids.len(), 5000);
        for p in &people {
            assert!((12..=15).contains(&p.planet_user_id.len()), "{}", p.planet_user_id);
            assert!(p.planet_user_id.bytes().all(|b| b.is_ascii_digit()));
            assert!(!p.planet_user_id.starts_with('0'));
            assert!(p.external_userid.starts_with("wm") && p.external_userid.len() == 32);
            let mut sorted = p.noise.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted, p.noise, "noise sorted and unique");
        }
    }

    #[test]
    fn shares_land_near_the_options() {
        let n = 20_000;
        let people = PeopleGenerator::new(9, PeopleOptions::default()).generate(n);
        let share = |k: Noise| people.iter().filter(|p| p.has(k)).count() as f64 / n as f64;
        let near = |k: Noise, want: f64, tol: f64| {
            let got = share(k);
            assert!((got - want).abs() <= tol, "{k:?}: got {got:.3}, want {want:.3} ± {tol}");
        };
        near(Noise::UnrelatedNicknames, 0.30, 0.03);
        near(Noise::LatinName, 0.10, 0.02);
        near(Noise::RemarkEmpty, 0.50, 0.04);
        near(Noise::Renamed, 0.05, 0.015);
        near(Noise::NoExternalUseridOnBill, 0.03, 0.01);
        near(Noise::SameNamePair, 0.03, 0.012);
        near(Noise::Emoji, 0.28, 0.04);
        near(Noise::CompoundSurname, 0.01, 0.006);
        let same = share(Noise::SameNicknameEverywhere);
        assert!((0.40..0.62).contains(&same), "same nickname everywhere: {same}");
        let identifying = share(Noise::RemarkNickname) + share(Noise::RemarkMemberNumber) + share(Noise::RemarkUserId);
        assert!((0.25..0.35).contains(&identifying), "remark identifies the payer: {identifying}");
        for k in
            [Noise::Traditional, Noise::PinyinSpelling, Noise::HomophoneTypo, Noise::FullWidth, Noise::GroupDecoration]
        {
            assert!(share(k) > 0.0, "{k:?} never applied");
        }
    }

    #[test]
    fn remarks_carry_what_their_noise_says() {
        let people = PeopleGenerator::new(3, PeopleOptions::default()).generate(3000);
        for p in &people {
            if p.has(Noise::RemarkEmpty) {
                assert!(p.remark.is_empty(), "{p:?}");
            } else {
                assert!(!p.remark.is_empty(), "{p:?}");
            }
            if p.has(Noise::RemarkNickname) {
                assert!(p.remark.contains(&p.planet_handle), "{p:?}");
            }
            if p.has(Noise::RemarkUserId) {
                assert!(p.remark.contains(&p.planet_user_id), "{p:?}");
            }
            if p.has(Noise::RemarkMemberNumber) {
                assert!(p.remark.contains(&p.member_number.unwrap().to_string()), "{p:?}");
            }
            if p.has(Noise::RemarkMisspelt) {
                assert!(!p.remark.contains(&p.planet_handle), "{p:?}");
            }
            if p.has(Noise::Renamed) {
                assert_ne!(p.planet_name_now(), p.planet_name);
            } else {
                assert!(p.planet_name_later.is_none());
            }
            if p.has(Noise::SameNicknameEverywhere) {
                assert_eq!(p.handle, p.planet_handle);
            }
            if p.has(Noise::PlanetAlias) {
                assert_eq!(p.planet_alias.as_deref(), Some(p.real_name.as_str()));
            }
        }
    }

    #[test]
    fn twins_share_names_and_not_ids() {
        let mut g = PeopleGenerator::new(5, PeopleOptions::default());
        let mut a = g.person();
        let b = g.twin_of(&mut a);
        assert_eq!(a.handle, b.handle);
        assert_eq!(a.planet_handle, b.planet_handle);
        assert_ne!(a.planet_user_id, b.planet_user_id);
        assert_ne!(a.external_userid, b.external_userid);
        assert!(a.has(Noise::SameNamePair) && b.has(Noise::SameNamePair));
    }

    #[test]
    fn a_friends_remark_names_the_friend() {
        let mut g = PeopleGenerator::new(6, PeopleOptions::default());
        let mut payer = g.person_with(&PersonSpec { force: vec![Noise::RemarkNickname], ..PersonSpec::default() });
        let friend = g.person();
        g.name_friend_in_remark(&mut payer, &friend);
        assert!(payer.remark.contains(&friend.planet_handle));
        assert!(payer.has(Noise::RemarkFriend));
        assert!(!payer.has(Noise::RemarkNickname));
    }

    #[test]
    fn forced_pinyin_on_polyphonic_surnames_uses_the_name_reading() {
        let mut g = PeopleGenerator::new(8, PeopleOptions::default());
        for (surname, reading) in POLYPHONIC_SURNAMES.iter().filter(|(s, _)| s.chars().count() == 1) {
            let spec = PersonSpec {
                surname: Some(surname.to_string()),
                handle: None,
                planet_handle: None,
                force: vec![Noise::PinyinSpelling],
                forbid: vec![Noise::LatinName, Noise::UnrelatedNicknames, Noise::PinyinSwapped],
            };
            // Only real-name handles get a surname spelling; draw until one comes up.
            let p = (0..200)
                .map(|_| g.person_with(&spec))
                .find(|p| p.handle == p.real_name)
                .expect("a real-name handle within 200 draws");
            assert!(p.has(Noise::PinyinSpelling) && p.has(Noise::PolyphonicSurname), "{p:?}");
            let fold = |s: &str| s.nfkc().collect::<String>().to_lowercase().replace(' ', "");
            assert!(
                fold(&p.wechat_name).contains(reading) || fold(&p.planet_name).contains(reading),
                "{surname}: {} / {} should spell {reading}",
                p.wechat_name,
                p.planet_name
            );
        }
    }

    #[test]
    fn given_characters_have_one_reading_and_homophones_sound_alike() {
        // Characters with several readings must have the name reading first, since a
        // person spelling their name in pinyin uses it.
        const NAME_READINGS: &[(char, &str)] = &[
            ('娜', "na"),
            ('强', "qiang"),
            ('洋', "yang"),
            ('明', "ming"),
            ('超', "chao"),
            ('平', "ping"),
            ('英', "ying"),
            ('红', "hong"),
            ('浩', "hao"),
            ('俊', "jun"),
            ('宁', "ning"),
            ('思', "si"),
            ('波', "bo"),
            ('鑫', "xin"),
            ('倩', "qian"),
            ('莉', "li"),
            ('洁', "jie"),
            ('可', "ke"),
            ('淑', "shu"),
            ('露', "lu"),
            ('茜', "qian"),
            ('彬', "bin"),
            ('柏', "bai"),
            ('桐', "tong"),
        ];
        use pinyin::ToPinyinMulti;
        for c in GIVEN_CHARS {
            let first = toneless(*c).unwrap_or_else(|| panic!("{c} has no pinyin"));
            let readings: HashSet<&str> = c.to_pinyin_multi().unwrap().into_iter().map(|p| p.plain()).collect();
            if readings.len() > 1 {
                let want = NAME_READINGS.iter().find(|(k, _)| k == c).map(|(_, r)| *r);
                assert_eq!(Some(first), want, "{c}: readings {readings:?}, first {first}");
            }
        }
        for (c, alts) in HOMOPHONES {
            let want = fuzzy(toneless(*c).unwrap());
            for a in *alts {
                assert_eq!(toneless(*a).map(fuzzy), Some(want.clone()), "{c} / {a}");
            }
        }
    }

    #[test]
    fn fancy_and_full_width_letters_fold_back_under_nfkc() {
        for s in ["Lily Wang", "Tony2"] {
            assert_eq!(to_full_width(s).nfkc().collect::<String>(), s);
            assert_eq!(to_fancy(s, true).nfkc().collect::<String>(), s);
            assert_eq!(to_fancy(s, false).nfkc().collect::<String>(), s);
        }
    }

    #[test]
    fn an_adversarial_crowd_shares_few_names() {
        let people = PeopleGenerator::new(11, PeopleOptions::adversarial()).generate(2000);
        let crowd: Vec<_> = people.iter().filter(|p| p.has(Noise::CrowdedName)).collect();
        let share = crowd.len() as f64 / people.len() as f64;
        assert!((0.07..0.13).contains(&share), "{share}");
        let names: HashSet<_> = crowd.iter().map(|p| p.planet_handle.clone()).collect();
        assert!(names.len() <= 5, "{names:?}");
    }

    #[test]
    fn natural_name_collisions_stay_near_the_research_share() {
        // §5.1: exact duplicate normalised names inside a camp for 2–5 % of persons,
        // forced pairs included; natural collisions alone should stay low.
        let options = PeopleOptions { same_name_pairs: 0.0, ..PeopleOptions::default() };
        let mut total = 0.0;
        for seed in 0..5 {
            let people = PeopleGenerator::new(seed, options.clone()).generate(1000);
            let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for p in &people {
                *count.entry(p.planet_handle.as_str()).or_default() += 1;
            }
            let colliding = people.iter().filter(|p| count[p.planet_handle.as_str()] > 1).count();
            total += colliding as f64 / people.len() as f64;
        }
        let share = total / 5.0;
        assert!(share < 0.04, "natural planet-name collisions: {share:.3}");
    }

    #[test]
    fn clean_options_give_one_name_everywhere() {
        let people = PeopleGenerator::new(2, PeopleOptions::clean()).generate(200);
        for p in &people {
            assert_eq!(p.wechat_name, p.planet_name, "{p:?}");
            assert_eq!(p.handle, p.real_name);
            assert!(p.remark.contains(&p.planet_handle));
        }
    }
}
