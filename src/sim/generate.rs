//! The seeded community generator: camps around an anchor day (one ended, one running, one
//! starting, and more for large sizes), persons from [`people`](super::people) placed into
//! them as payers, unpaid group members and unpaid participants, and a timeline of what they
//! do (pay, join groups, post check-ins, rename, leave), with the anomalies real camps have
//! and the [`GroundTruth`] beside it. Same seed and options → byte-identical output.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::actions::Action;
use super::export::{ExportRow, MemberExport};
use super::people::{PeopleGenerator, PeopleOptions, Person};
use super::texts::{self, THEMES, Theme};
use super::truth::{
    Anomaly, CampPhase, CampTruth, ExpectedVerdict, GroundTruth, PaymentTruth, PersonCamp, PersonTruth, Role,
};
use super::world::corp::{Contact, ContactKind, Corp, Group, PayerInfoKey, Staff};
use super::world::merchant::Merchant;
use super::world::planet::{Planet, PlanetUser, Project, ProjectKind, ProjectSpec, ZsxqToken};
use super::world::{World, WorldSettings};
use crate::domain::{Day, Money};

/// Shares of the behaviour anomalies (per payer unless noted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnomalyRates {
    /// A second payment for the same camp.
    pub duplicate_payment: f64,
    /// An amount other than the deposit.
    pub wrong_amount: f64,
    /// Paid before the enrolment window or after the camp.
    pub outside_window: f64,
    /// Never joins a group.
    pub never_joins_group: f64,
    /// Joins before paying.
    pub joins_before_paying: f64,
    /// Leaves the group during the camp.
    pub leaves_group: f64,
    /// Leaves the planet during the camp.
    pub leaves_planet: f64,
    /// Never checks in.
    pub zero_checkins: f64,
    /// Has no planet account.
    pub no_planet_account: f64,
    /// Renames on WeChat after paying.
    pub renames_wechat: f64,
    /// One day carried only by a filler post (camps whose project has no minimum).
    pub short_posts: f64,
    /// A post at 23:59:59 or 00:00:01.
    pub midnight_posts: f64,
    /// Several posts on one or two days.
    pub several_posts: f64,
    /// A post on the project's creation day, before the camp starts.
    pub post_before_start: f64,
    /// A post sharing its millisecond with another.
    pub same_millisecond: f64,
    /// Share of a camp's persons who are in a group without paying.
    pub unpaid_group_member: f64,
    /// Share of a camp's persons who check in without paying.
    pub unpaid_participant: f64,
    /// Share of a camp's persons who were in an earlier camp (returning members).
    pub returning: f64,
    /// Other-income bills, per 100 persons.
    pub other_income_per_100: f64,
}

impl Default for AnomalyRates {
    fn default() -> Self {
        AnomalyRates {
            duplicate_payment: 0.02,
            wrong_amount: 0.02,
            outside_window: 0.01,
            never_joins_group: 0.04,
            joins_before_paying: 0.05,
            leaves_group: 0.03,
            leaves_planet: 0.01,
            zero_checkins: 0.05,
            no_planet_account: 0.03,
            renames_wechat: 0.03,
            short_posts: 0.06,
            midnight_posts: 0.08,
            several_posts: 0.10,
            post_before_start: 0.01,
            same_millisecond: 0.005,
            unpaid_group_member: 0.03,
            unpaid_participant: 0.03,
            returning: 0.08,
            other_income_per_100: 1.0,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerateOptions {
    /// The seed.
    pub seed: u64,
    /// Persons in the community (50 to 100 000).
    pub members: usize,
    /// The community's "today": camps are laid out around it.
    pub anchor: Day,
    /// Number of camps (default: 3 up to 3 000 persons, else one per 1 000).
    pub camps: Option<usize>,
    /// Name noise.
    pub people: PeopleOptions,
    /// Behaviour anomalies.
    pub anomalies: AnomalyRates,
}

impl GenerateOptions {
    /// Defaults for `seed`, `members` and `anchor`.
    pub fn new(seed: u64, members: usize, anchor: Day) -> GenerateOptions {
        GenerateOptions {
            seed,
            members,
            anchor,
            camps: None,
            people: PeopleOptions::default(),
            anomalies: AnomalyRates::default(),
        }
    }

    fn camp_count(&self) -> usize {
        self.camps.unwrap_or(if self.members <= 3000 { 3 } else { self.members.div_ceil(1000) }).max(1)
    }
}

/// The fixed identities of the simulated platforms (ids and secrets, all derived from the seed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformSetup {
    /// zsxq group id.
    pub group_id: u64,
    /// Planet name.
    pub planet_name: String,
    /// The planet owner (the token logs in as them).
    pub owner: PlanetUser,
    /// zsxq access token.
    pub zsxq_token: String,
    /// WeCom corp id.
    pub corp_id: String,
    /// The app secret.
    pub wecom_secret: String,
    /// The app's agent id.
    pub agent_id: i64,
    /// Staff.
    pub staff: Vec<Staff>,
    /// Admins (app-message recipients).
    pub admins: Vec<String>,
    /// Group-robot key.
    pub robot_key: String,
    /// Merchant number.
    pub mch_id: String,
    /// Merchant API certificate serial.
    pub merchant_serial_no: String,
    /// WeChat Pay public-key id.
    pub platform_public_key_id: String,
    /// APIv3 key (32 ASCII characters).
    pub api_v3_key: String,
}

/// One timed event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timed {
    /// When.
    pub at: Timestamp,
    /// What.
    pub action: Action,
}

/// A generated community: the platforms' static data, the timeline, and the truth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Community {
    /// Ids and secrets.
    pub setup: PlatformSetup,
    /// The sim time the community is "now" at (the anchor day, 12:00 local).
    pub start_time: Timestamp,
    /// Planet users (the owner excluded).
    pub planet_users: Vec<PlanetUser>,
    /// Check-in projects.
    pub projects: Vec<ProjectSpec>,
    /// External contacts.
    pub contacts: Vec<Contact>,
    /// Customer groups (members arrive through the timeline).
    pub groups: Vec<Group>,
    /// Everything that happens, in time order.
    pub timeline: Vec<Timed>,
    /// The planet's member export the owner took on the anchor morning (`GET
    /// /_sim/member_export.xlsx`, `member_export.xlsx` beside camps.toml).
    pub member_export: MemberExport,
    /// The truth.
    pub truth: GroundTruth,
}

const STAFF: &[(&str, &str, bool)] =
    &[("zhouyang", "周阳", true), ("linxiao", "林晓", true), ("ajie", "阿杰", true), ("caiwu", "财务小陈", false)];
/// (days, required, deposit fen)
const RULES: &[(u32, u32, i64)] = &[(10, 7, 3900), (14, 10, 4900), (10, 7, 3900), (21, 15, 9900), (7, 5, 2900)];

/// `ms_of_day` milliseconds after the local start of `day` (day starts are cached: the
/// generator asks for the same few hundred days millions of times).
fn local(day: Day, ms_of_day: i64) -> Timestamp {
    thread_local! {
        static STARTS: std::cell::RefCell<std::collections::HashMap<Day, Timestamp>> = Default::default();
    }
    let start = STARTS.with(|c| {
        *c.borrow_mut().entry(day).or_insert_with(|| {
            let rule = crate::sim::clock::shanghai_days();
            day.start_in(&rule.tz, rule.cutoff)
        })
    });
    start.checked_add(SignedDuration::from_millis(ms_of_day)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Calendar days from `a` to `b` (Asia/Shanghai has no DST, so days are 24 h).
fn days_between(a: Day, b: Day) -> i64 {
    local(b, 0).duration_since(local(a, 0)).as_secs().div_euclid(86_400)
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn alnum<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    crate::crypto::nonce_str(rng, n)
}

fn digits<R: Rng + ?Sized>(rng: &mut R, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

struct CampPlan {
    truth: CampTruth,
    /// The camp's days, first to last.
    days: Vec<Day>,
    theme: Theme,
    project_create: Timestamp,
    group_create: Timestamp,
    coach: String,
}

struct PersonState {
    person: Person,
    has_planet: bool,
    planet_joined: Option<Timestamp>,
    renamed: bool,
    /// When the planet rename happened.
    renamed_at: Option<Timestamp>,
    wechat_renamed: Option<String>,
    /// When the WeChat rename happened.
    wechat_renamed_at: Option<Timestamp>,
    left_planet: Option<Timestamp>,
    truth_camps: Vec<PersonCamp>,
}

struct Gen {
    rng: ChaCha8Rng,
    opts: GenerateOptions,
    timeline: Vec<Timed>,
    payments: Vec<PaymentTruth>,
    used_tx: BTreeSet<String>,
    next_topic: u64,
    /// Post times per project and day, for same-millisecond posts.
    day_posts: BTreeMap<(u64, Day), Vec<Timestamp>>,
}

impl Gen {
    fn push(&mut self, at: Timestamp, action: Action) {
        self.timeline.push(Timed { at, action });
    }

    fn tx_id(&mut self, at: Timestamp) -> String {
        loop {
            let date =
                at.to_zoned_datetime(crate::sim::clock::shanghai_days().tz.clone()).strftime("%Y%m%d").to_string();
            let id = format!("42000{}{date}{}", digits(&mut self.rng, 5), digits(&mut self.rng, 10));
            if self.used_tx.insert(id.clone()) {
                return id;
            }
        }
    }

    /// Topic ids only grow, so they never repeat.
    fn topic_id(&mut self) -> u64 {
        self.next_topic += self.rng.random_range(1_000..2_000_000u64);
        self.next_topic
    }

    /// A time on `day` between `from_h` and `to_h` o'clock (local), with milliseconds.
    fn time_on(&mut self, day: Day, from_h: i64, to_h: i64) -> Timestamp {
        let ms = self.rng.random_range(from_h * 3_600_000..to_h * 3_600_000);
        local(day, ms)
    }

    /// Hours after paying that someone joins the group: lognormal, median 2 h, ~90 % within 48 h.
    fn join_delay(&mut self) -> SignedDuration {
        let u1: f64 = self.rng.random_range(1e-9..1.0);
        let u2: f64 = self.rng.random();
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        let hours = (2.0f64.ln() + 2.4 * z).exp().min(24.0 * 6.0);
        SignedDuration::from_secs_f64(hours * 3600.0 + 60.0)
    }
}

/// Generates a community.
pub fn generate(opts: &GenerateOptions) -> Community {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        opts: opts.clone(),
        timeline: Vec::new(),
        payments: Vec::new(),
        used_tx: BTreeSet::new(),
        next_topic: 82_000_000_000_000_000 + opts.seed % 1_000_000 * 1_000,
        day_posts: BTreeMap::new(),
    };
    let setup = platform_setup(&mut g.rng, opts.anchor);
    let anchor = opts.anchor;
    let start_time = local(anchor, 12 * 3_600_000);

    // ---- camps ----
    let k = opts.camp_count();
    let mut plans: Vec<CampPlan> = Vec::with_capacity(k);
    let mut checkin_ids = BTreeSet::new();
    let mut camp_ids = BTreeSet::new();
    for i in 0..k {
        let theme = THEMES[i % THEMES.len()];
        let (days, required, deposit) = RULES[i % RULES.len()];
        let shift = ((i / 3) % 5) as i32;
        let (start, phase) = match i % 3 {
            0 => (anchor.plus_days(-(days as i32) - 2 - shift), CampPhase::Ended),
            1 => (anchor.plus_days(-(days as i32) / 2 + shift.min(days as i32 / 2 - 1).max(0)), CampPhase::Running),
            _ => (anchor.plus_days(3 + shift), CampPhase::Starting),
        };
        let end = start.plus_days(days as i32 - 1);
        let yymm = start.date().strftime("%y%m").to_string();
        let mut camp_id = format!("{yymm}-{}", theme.slug);
        let mut n = 2;
        while !camp_ids.insert(camp_id.clone()) {
            camp_id = format!("{yymm}-{}-{n}", theme.slug);
            n += 1;
        }
        let checkin_id = loop {
            let id = g.rng.random_range(2_000_000_000..2_999_999_999u64);
            if checkin_ids.insert(id) {
                break id;
            }
        };
        let payee = if i % 4 == 3 { "linxiao" } else { "zhouyang" };
        let coach = if payee == "linxiao" { "ajie" } else { "linxiao" };
        let project_min_words = if g.rng.random_bool(0.5) { 0 } else { 10 };
        let project_checkin_days = if g.rng.random_bool(0.3) { days - 1 } else { days };
        let project_create = local(start.plus_days(-1), g.rng.random_range(20 * 3_600_000..20 * 3_600_000 + 1_800_000));
        let name = format!("{yymm} {}", theme.title);
        plans.push(CampPlan {
            days: start.through(end).collect(),
            truth: CampTruth {
                camp_id,
                name,
                phase,
                start,
                end,
                days,
                required,
                borderline_margin: 1,
                deposit_fen: deposit,
                checkin_id: checkin_id.to_string(),
                project_checkin_days,
                project_min_words,
                min_words: 10,
                chat_ids: Vec::new(),
                payee: payee.to_string(),
                keyword: format!("{yymm}{}", theme.keyword),
                refund_via: if i % 2 == 0 { "wxpay" } else { "wecom-client" }.to_string(),
                project_closed: phase == CampPhase::Ended && g.rng.random_bool(0.5),
            },
            theme,
            project_create,
            group_create: project_create.checked_sub(hours(1)).unwrap_or(project_create),
            coach: coach.to_string(),
        });
    }

    // ---- persons per camp ----
    let mut people = PeopleGenerator::new(opts.seed.rotate_left(17) ^ 0xC0FF_EE00, opts.people.clone());
    let mut states: Vec<PersonState> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut projects: Vec<ProjectSpec> = Vec::new();
    let per_camp = opts.members / k;
    let extra = opts.members % k;
    for (ci, plan) in plans.iter_mut().enumerate() {
        let size = per_camp + usize::from(ci < extra);
        // Returning members come from earlier camps (never someone who left the planet).
        let pool: Vec<usize> =
            (0..states.len()).filter(|i| states[*i].left_planet.is_none() && states[*i].has_planet).collect();
        let returning =
            if ci == 0 { 0 } else { ((size as f64) * opts.anomalies.returning).round() as usize }.min(pool.len());
        let mut members: Vec<usize> = pool.sample(&mut g.rng, returning).copied().collect();
        members.sort_unstable();
        let fresh = people.generate(size);
        for p in fresh {
            let has_planet = !g.rng.random_bool(opts.anomalies.no_planet_account);
            states.push(PersonState {
                person: p,
                has_planet,
                planet_joined: None,
                renamed: false,
                renamed_at: None,
                wechat_renamed: None,
                wechat_renamed_at: None,
                left_planet: None,
                truth_camps: Vec::new(),
            });
            members.push(states.len() - 1);
        }
        members.shuffle(&mut g.rng);

        // Groups and project.
        let n_groups = members.len().div_ceil(450).max(1);
        for gi in 0..n_groups {
            let chat_id = format!("wr{}", alnum(&mut g.rng, 28));
            plan.truth.chat_ids.push(chat_id.clone());
            groups.push(Group {
                chat_id: chat_id.clone(),
                name: texts::group_name(&plan.truth.name, gi + 1, n_groups),
                owner: plan.truth.payee.clone(),
                create_time: plan.group_create,
                notice: format!("欢迎加入{}！打卡规则见星球打卡项目说明。", plan.truth.name),
                admins: vec![plan.coach.clone()],
                status: 0,
                members: Vec::new(),
                version: 0,
            });
            for (staff, delay) in [(plan.truth.payee.clone(), 0), (plan.coach.clone(), 60)] {
                let at = plan.group_create.checked_add(SignedDuration::from_secs(delay)).unwrap_or(plan.group_create);
                g.push(
                    at,
                    Action::JoinGroup {
                        chat_id: chat_id.clone(),
                        userid: staff,
                        member_type: Some(1),
                        name: None,
                        unionid: None,
                        group_nickname: String::new(),
                        join_scene: Some(1),
                        invitor: None,
                        at: None,
                    },
                );
            }
        }
        let organiser = STAFF.iter().find(|s| s.0 == plan.truth.payee).map_or("周阳", |s| s.1);
        let deposit_text = Money::from_fen(plan.truth.deposit_fen).to_string();
        let deposit_text = deposit_text.strip_suffix(".00").unwrap_or(&deposit_text).to_string();
        let wechat_id = format!("{}_{}", plan.truth.payee, digits(&mut g.rng, 3));
        let text = texts::rule_text(
            &mut g.rng,
            &setup.planet_name,
            &plan.theme,
            plan.truth.required,
            &deposit_text,
            organiser,
            &wechat_id,
        );
        let checkin_id: u64 = plan.truth.checkin_id.parse().unwrap_or_default();
        projects.push(ProjectSpec {
            checkin_id,
            owner_user_id: setup.owner.user_id,
            title: plan.truth.name.clone(),
            text,
            checkin_days: plan.truth.project_checkin_days,
            expiration: Some(local(plan.truth.end, 86_400_000 - 1)),
            show_topics_on_timeline: g.rng.random_bool(0.3),
            create_time: plan.project_create,
            min_words_count: plan.truth.project_min_words,
            kind: ProjectKind::Accumulated,
        });
        if plan.truth.project_closed {
            let at = g.time_on(plan.truth.end.plus_days(2), 9, 12);
            g.push(at, Action::CloseProject { checkin_id, at: None });
        }

        for (slot, idx) in members.iter().enumerate() {
            let chat = plan.truth.chat_ids[slot % plan.truth.chat_ids.len()].clone();
            let returning = states[*idx].truth_camps.iter().any(|c| c.camp_id != plan.truth.camp_id);
            let roll: f64 = g.rng.random();
            let role = if returning || roll >= opts.anomalies.unpaid_group_member + opts.anomalies.unpaid_participant {
                Role::Payer
            } else if roll < opts.anomalies.unpaid_group_member {
                Role::UnpaidMember
            } else {
                Role::UnpaidParticipant
            };
            let state = &mut states[*idx];
            if role == Role::UnpaidParticipant {
                state.has_planet = true;
            }
            place_person(&mut g, plan, checkin_id, state, role, chat);
        }
    }

    // ---- other income (not camp deposits) ----
    let other = ((opts.members as f64) * opts.anomalies.other_income_per_100 / 100.0).round().max(2.0) as usize;
    for n in 0..other {
        let idx = g.rng.random_range(0..states.len());
        let p = states[idx].person.clone();
        let day = anchor.plus_days(-g.rng.random_range(0..25));
        let at = g.time_on(day, 9, 22);
        let (payee, description, amount) = if n % 3 == 2 {
            ("caiwu", "课程尾款", 59_900)
        } else {
            ("zhouyang", if n % 2 == 0 { "咨询费" } else { "1对1辅导" }, [19_900, 29_900][n % 2])
        };
        let tx = g.tx_id(at);
        let out_trade_no = format!("WX{}", digits(&mut g.rng, 30));
        g.push(
            at,
            Action::Pay {
                transaction_id: Some(tx.clone()),
                out_trade_no: Some(out_trade_no),
                external_userid: p.external_userid_on_bill.then(|| p.external_userid.clone()),
                payer_name: Some(p.wechat_name.clone()),
                payer_phone: None,
                payer_info_key: Some(PayerInfoKey::ContactInfo),
                payee_userid: payee.to_string(),
                amount_fen: amount,
                remark: String::new(),
                description: description.to_string(),
                payment_type: Some(0),
                at: None,
            },
        );
        g.payments.push(PaymentTruth {
            transaction_id: tx,
            person_id: p.person_id,
            camp_id: None,
            amount_fen: amount,
            paid_at: at,
            duplicate_of: None,
            planet_user_id: states[idx].has_planet.then(|| p.planet_user_id.clone()),
            external_userid: p.external_userid.clone(),
            expected_verdict: None,
            anomalies: vec![Anomaly::OtherIncome],
        });
    }

    // ---- static records and truth ----
    let mut planet_users = Vec::new();
    let mut contacts = Vec::new();
    let mut persons = Vec::new();
    let mut number = 2;
    let mut export = member_export_base(&setup, anchor, opts.seed);
    let mut export_rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x6578_706f_7274);
    for s in states {
        let p = &s.person;
        if s.has_planet {
            let join = s.planet_joined.unwrap_or(start_time);
            let member_number = p.member_number.unwrap_or_else(|| {
                number += 1;
                50_000 + number
            });
            if let Some(row) = export_row(&s, u64::from(member_number), join, export.taken_at, &mut export_rng) {
                export.rows.push(row);
            }
            planet_users.push(PlanetUser {
                user_id: p.planet_user_id.parse().unwrap_or_default(),
                name: p.planet_name.clone(),
                alias: p.planet_alias.clone().unwrap_or_default(),
                number: member_number,
                join_time: join,
                exited_at: None,
                location: Some(texts::LOCATIONS[(p.person_id as usize) % texts::LOCATIONS.len()].to_string()),
                description: None,
                expired_time: join.checked_add(hours(24 * 365)).ok(),
            });
        }
        let followers = if p.person_id % 5 == 0 { Vec::new() } else { vec!["zhouyang".to_string()] };
        contacts.push(Contact {
            external_userid: p.external_userid.clone(),
            name: p.wechat_name.clone(),
            unionid: (p.person_id % 5 < 3).then(|| format!("o{}", p.external_userid.get(2..29).unwrap_or_default())),
            kind: ContactKind::Wechat,
            followers,
        });
        persons.push(PersonTruth {
            person_id: p.person_id,
            real_name: p.real_name.clone(),
            planet_user_id: s.has_planet.then(|| p.planet_user_id.clone()),
            external_userid: p.external_userid.clone(),
            external_userid_on_bill: p.external_userid_on_bill,
            wechat_name: p.wechat_name.clone(),
            wechat_name_later: s.wechat_renamed.clone(),
            planet_name: p.planet_name.clone(),
            planet_name_later: if s.renamed { p.planet_name_later.clone() } else { None },
            planet_alias: p.planet_alias.clone(),
            member_number: p.member_number,
            group_nickname: p.group_nickname.clone(),
            remark: p.remark.clone(),
            noise: p.noise.clone(),
            left_planet_at: s.left_planet,
            camps: s.truth_camps,
        });
    }
    persons.sort_by_key(|p| p.person_id);
    planet_users.sort_by_key(|u| u.user_id);
    contacts.sort_by(|a, b| a.external_userid.cmp(&b.external_userid));

    let timeline = sorted_by_time(std::mem::take(&mut g.timeline));
    let truth = GroundTruth {
        seed: opts.seed,
        anchor,
        camps: plans.into_iter().map(|p| p.truth).collect(),
        persons,
        payments: std::mem::take(&mut g.payments),
    };
    export.sort();
    Community { setup, start_time, planet_users, projects, contacts, groups, timeline, member_export: export, truth }
}

/// The export's moment (the anchor morning, between 09:00 and 10:00) and the owner's row.
fn member_export_base(setup: &PlatformSetup, anchor: Day, seed: u64) -> MemberExport {
    let minute = (seed % 60) as i64;
    let taken_at = local(anchor, 9 * 3_600_000 + minute * 60_000);
    let owner = &setup.owner;
    let row = ExportRow {
        number: u64::from(owner.number),
        name: owner.name.clone(),
        wechat_name: Some(owner.name.clone()),
        alias: String::new(),
        remark_name: String::new(),
        knowledge_id: String::new(),
        role: "星主".to_string(),
        joined_at: owner.join_time,
        expires_at: None,
        exited: false,
    };
    MemberExport { taken_at, rows: vec![row] }
}

/// A member's export row as of `taken_at` (`None`: they joined the planet later): the
/// nickname and WeChat name of that moment, 是否退出星球 for those who had left.
fn export_row(
    s: &PersonState,
    number: u64,
    joined: Timestamp,
    taken_at: Timestamp,
    rng: &mut ChaCha8Rng,
) -> Option<ExportRow> {
    if joined > taken_at {
        return None;
    }
    let p = &s.person;
    let before = |t: Option<Timestamp>| t.is_some_and(|t| t <= taken_at);
    let name = match &p.planet_name_later {
        Some(later) if before(s.renamed_at) => later.clone(),
        _ => p.planet_name.clone(),
    };
    let wechat_name = match &s.wechat_renamed {
        Some(later) if before(s.wechat_renamed_at) && p.export_wechat_name.is_some() => Some(later.clone()),
        _ => p.export_wechat_name.clone(),
    };
    let remark_name = if rng.random_bool(0.04) { p.real_name.clone() } else { String::new() };
    let knowledge_id = if rng.random_bool(0.3) {
        let n = rng.random_range(6..10);
        digits(rng, n)
    } else {
        String::new()
    };
    Some(ExportRow {
        number,
        name,
        wechat_name,
        alias: p.planet_alias.clone().unwrap_or_default(),
        remark_name,
        knowledge_id,
        role: "成员".to_string(),
        joined_at: joined,
        expires_at: joined.checked_add(hours(24 * 365)).ok(),
        exited: before(s.left_planet),
    })
}

/// Stable sort by time that moves each (large) event once: sort small keys, then gather.
fn sorted_by_time(events: Vec<Timed>) -> Vec<Timed> {
    let mut order: Vec<(Timestamp, u32)> = events.iter().enumerate().map(|(i, t)| (t.at, i as u32)).collect();
    order.sort_unstable();
    let mut slots: Vec<Option<Timed>> = events.into_iter().map(Some).collect();
    order.into_iter().filter_map(|(_, i)| slots[i as usize].take()).collect()
}

fn platform_setup(rng: &mut ChaCha8Rng, anchor: Day) -> PlatformSetup {
    let owner_id = rng.random_range(400_000_000_000..499_999_999_999u64);
    let since = local(anchor.plus_days(-700), 10 * 3_600_000);
    let token = format!(
        "{}-{}-{}-{}-{}_{}",
        hex::encode_upper(rng.random::<[u8; 4]>()),
        hex::encode_upper(rng.random::<[u8; 2]>()),
        hex::encode_upper(rng.random::<[u8; 2]>()),
        hex::encode_upper(rng.random::<[u8; 2]>()),
        hex::encode_upper(rng.random::<[u8; 6]>()),
        hex::encode(rng.random::<[u8; 8]>()),
    );
    PlatformSetup {
        group_id: rng.random_range(10_000_000_000_000..99_999_999_999_999u64),
        planet_name: "周阳的成长".to_string(),
        owner: PlanetUser {
            user_id: owner_id,
            name: "周阳".to_string(),
            alias: String::new(),
            number: 1,
            join_time: since,
            exited_at: None,
            location: Some("广东".to_string()),
            description: Some("成长星球主理人".to_string()),
            expired_time: None,
        },
        zsxq_token: token,
        corp_id: format!("ww{}", hex::encode(rng.random::<[u8; 8]>())),
        wecom_secret: alnum(rng, 43),
        agent_id: 1_000_002,
        staff: STAFF
            .iter()
            .map(|(id, name, visible)| Staff { userid: id.to_string(), name: name.to_string(), visible: *visible })
            .collect(),
        admins: vec!["zhouyang".to_string(), "ajie".to_string()],
        robot_key: format!(
            "{}-{}-{}-{}-{}",
            hex::encode(rng.random::<[u8; 4]>()),
            hex::encode(rng.random::<[u8; 2]>()),
            hex::encode(rng.random::<[u8; 2]>()),
            hex::encode(rng.random::<[u8; 2]>()),
            hex::encode(rng.random::<[u8; 6]>()),
        ),
        mch_id: format!("19{}", digits(rng, 8)),
        merchant_serial_no: hex::encode_upper(rng.random::<[u8; 20]>()),
        platform_public_key_id: format!("PUB_KEY_ID_01{}", digits(rng, 30)),
        api_v3_key: alnum(rng, 32),
    }
}

/// Plans one person's life in one camp: payments, group, posts, renames, leaving.
fn place_person(g: &mut Gen, plan: &CampPlan, checkin_id: u64, s: &mut PersonState, role: Role, chat: String) {
    let a = g.opts.anomalies.clone();
    let camp = &plan.truth;
    let p = s.person.clone();
    let mut anomalies: Vec<Anomaly> = Vec::new();
    let mut payments: Vec<(String, i64, Timestamp)> = Vec::new();

    // When they show up: payments from 10 days before the start to the first day.
    let pay_day = camp.start.plus_days(-g.rng.random_range(0..=10));
    let mut pay_time = g.time_on(pay_day, 8, 23);
    if role == Role::Payer && g.rng.random_bool(a.outside_window) {
        anomalies.push(Anomaly::OutsideWindow);
        let day = if g.rng.random_bool(0.5) {
            camp.start.plus_days(-g.rng.random_range(35..45))
        } else {
            camp.end.plus_days(g.rng.random_range(1..4))
        };
        pay_time = g.time_on(day, 9, 22);
    }
    let first_seen = pay_time.min(plan.project_create);

    // A planet account exists well before they do anything.
    if s.has_planet && s.planet_joined.is_none() {
        let before = SignedDuration::from_hours(g.rng.random_range(24..24 * 200));
        s.planet_joined = Some(first_seen.checked_sub(before).unwrap_or(first_seen));
    }

    // Payments.
    if role == Role::Payer {
        let mut amount = camp.deposit_fen;
        if g.rng.random_bool(a.wrong_amount) {
            anomalies.push(Anomaly::WrongAmount);
            amount = *[camp.deposit_fen - 100, camp.deposit_fen + 100, camp.deposit_fen / 2, camp.deposit_fen * 10]
                .choose(&mut g.rng)
                .unwrap_or(&camp.deposit_fen);
        }
        let key = match g.rng.random_range(0..20) {
            0..=8 => Some(PayerInfoKey::PayerInfo),
            9..=17 => Some(PayerInfoKey::ContactInfo),
            _ => None,
        };
        let tx = pay(g, plan, &p, pay_time, amount, key);
        payments.push((tx, amount, pay_time));
        if g.rng.random_bool(a.duplicate_payment) {
            anomalies.push(Anomaly::DuplicatePayment);
            let later =
                pay_time.checked_add(SignedDuration::from_mins(g.rng.random_range(2..2 * 24 * 60))).unwrap_or(pay_time);
            let dup = pay(g, plan, &p, later, camp.deposit_fen, key);
            payments.push((dup, camp.deposit_fen, later));
        }
        if s.wechat_renamed.is_none() && g.rng.random_bool(a.renames_wechat) {
            let later = format!(
                "{}{}",
                p.handle,
                ["🌱", "·努力版", "_2025", "🍀", "（已上岸）"].choose(&mut g.rng).unwrap_or(&"🌱")
            );
            if later != p.wechat_name {
                let at = pay_time.checked_add(hours(g.rng.random_range(24..24 * 5))).unwrap_or(pay_time);
                g.push(
                    at,
                    Action::RenameWechat { external_userid: p.external_userid.clone(), name: later.clone(), at: None },
                );
                s.wechat_renamed = Some(later);
                s.wechat_renamed_at = Some(at);
                anomalies.push(Anomaly::RenamedWechat);
            }
        }
        if !s.has_planet {
            anomalies.push(Anomaly::NoPlanetAccount);
        }
    }

    // Group.
    let (mut joined_at, mut left_at) = (None, None);
    let joins_group = match role {
        Role::Payer => !g.rng.random_bool(a.never_joins_group),
        Role::UnpaidMember => true,
        Role::UnpaidParticipant => g.rng.random_bool(0.5),
    };
    if !joins_group {
        anomalies.push(Anomaly::NeverJoinedGroup);
    } else {
        let mut at = if role == Role::Payer && g.rng.random_bool(a.joins_before_paying) {
            pay_time.checked_sub(SignedDuration::from_mins(g.rng.random_range(10..48 * 60))).unwrap_or(pay_time)
        } else {
            let base = if role == Role::Payer { pay_time } else { plan.project_create };
            base.checked_add(g.join_delay()).unwrap_or(base)
        };
        let floor = plan.group_create.checked_add(SignedDuration::from_mins(5)).unwrap_or(plan.group_create);
        if at < floor {
            at = floor.checked_add(g.join_delay()).unwrap_or(floor);
        }
        let join_scene = *[3, 3, 3, 2, 1].choose(&mut g.rng).unwrap_or(&3);
        g.push(
            at,
            Action::JoinGroup {
                chat_id: chat.clone(),
                userid: p.external_userid.clone(),
                member_type: Some(2),
                name: None,
                unionid: None,
                group_nickname: p.group_nickname.clone().unwrap_or_default(),
                join_scene: Some(join_scene),
                invitor: (join_scene == 1).then(|| plan.truth.payee.clone()),
                at: None,
            },
        );
        joined_at = Some(at);
        if role == Role::UnpaidMember {
            anomalies.push(Anomaly::UnpaidGroupMember);
        }
        if role == Role::Payer && g.rng.random_bool(a.leaves_group) {
            let leave_day = camp.start.plus_days(g.rng.random_range(1..camp.days as i32));
            let leave = g.time_on(leave_day, 8, 22).max(at.checked_add(hours(1)).unwrap_or(at));
            g.push(leave, Action::LeaveGroup { chat_id: chat.clone(), userid: p.external_userid.clone(), at: None });
            left_at = Some(leave);
            anomalies.push(Anomaly::LeftGroup);
        }
    }

    // Posts.
    let posts_at_all = s.has_planet && role != Role::UnpaidMember;
    let mut checkin_days: Vec<Day> = Vec::new();
    let mut short_days: Vec<Day> = Vec::new();
    let mut topic_ids: Vec<String> = Vec::new();
    let mut ranking_days: BTreeSet<Day> = BTreeSet::new();
    if posts_at_all {
        let zero = role == Role::Payer && g.rng.random_bool(a.zero_checkins);
        if zero {
            anomalies.push(Anomaly::ZeroCheckins);
            if g.rng.random_bool(0.5) {
                let at = pay_time.max(plan.project_create).checked_add(hours(1)).unwrap_or(pay_time);
                g.push(
                    at,
                    Action::JoinProject { checkin_id, user_id: p.planet_user_id.parse().unwrap_or_default(), at: None },
                );
            }
        } else {
            let first_day = crate::sim::clock::shanghai_days().day_of(pay_time).max(camp.start);
            let available = &plan.days[plan.days.partition_point(|d| *d < first_day)..];
            let target = match g.rng.random_range(0..100) {
                0..=71 => g.rng.random_range(camp.required..=camp.days),
                72..=79 => camp.required.saturating_sub(camp.borderline_margin),
                _ => g.rng.random_range(1..=camp.required.saturating_sub(camp.borderline_margin + 1).max(1)),
            } as usize;
            let mut days: Vec<Day> = available.sample(&mut g.rng, target.min(available.len())).copied().collect();
            days.sort_unstable();
            let mut leave_planet = None;
            if role == Role::Payer && s.truth_camps.is_empty() && g.rng.random_bool(a.leaves_planet) && camp.days > 3 {
                let l = camp.start.plus_days(g.rng.random_range(2..camp.days as i32));
                days.retain(|d| *d < l);
                leave_planet = Some(g.time_on(l, 7, 8));
            }
            let midnight = g.rng.random_bool(a.midnight_posts);
            let several = g.rng.random_bool(a.several_posts);
            let short = camp.project_min_words == 0 && g.rng.random_bool(a.short_posts);
            let same_ms = g.rng.random_bool(a.same_millisecond);
            let before_start =
                role == Role::Payer && g.rng.random_bool(a.post_before_start) && pay_time < plan.project_create;
            let user_id: u64 = p.planet_user_id.parse().unwrap_or_default();
            let special = |g: &mut Gen, n: usize| if n == 0 { None } else { Some(g.rng.random_range(0..n)) };
            let midnight_at = if midnight { special(g, days.len()) } else { None };
            let several_at = if several { special(g, days.len()) } else { None };
            let short_at = if short { special(g, days.len()) } else { None };
            let same_at = if same_ms { special(g, days.len()) } else { None };
            if before_start {
                let d = camp.start.plus_days(-1);
                let at = g.time_on(d, 22, 23);
                if at > plan.project_create {
                    let id = post(g, plan, checkin_id, user_id, at, 0, false);
                    topic_ids.push(id.to_string());
                    ranking_days.insert(d);
                    anomalies.push(Anomaly::PostBeforeStart);
                }
            }
            for (i, day) in days.iter().enumerate() {
                let day_no = (days_between(camp.start, *day) + 1) as u32;
                let mut times: Vec<Timestamp> = Vec::new();
                if midnight_at == Some(i) {
                    let late = g.rng.random_bool(0.5) || *day == camp.start;
                    let ms = g.rng.random_range(0..1000);
                    times.push(if late { local(*day, 86_399_000 + ms) } else { local(*day, 1_000 + ms) });
                    anomalies.push(Anomaly::MidnightPosts);
                } else if same_at == Some(i)
                    && let Some(t) = g.day_posts.get(&(checkin_id, *day)).and_then(|v| v.first()).copied()
                {
                    times.push(t);
                    anomalies.push(Anomaly::SameMillisecondPost);
                } else {
                    let t = if g.rng.random_bool(0.7) { g.time_on(*day, 19, 24) } else { g.time_on(*day, 6, 19) };
                    times.push(t);
                }
                if several_at == Some(i) {
                    for _ in 0..g.rng.random_range(1..=2) {
                        let t = g.time_on(*day, 7, 23);
                        times.push(t);
                    }
                    anomalies.push(Anomaly::SeveralPostsOneDay);
                }
                times.sort_unstable();
                let is_short = short_at == Some(i);
                for t in times {
                    let id = post(g, plan, checkin_id, user_id, t, day_no, is_short);
                    topic_ids.push(id.to_string());
                    g.day_posts.entry((checkin_id, *day)).or_default().push(t);
                }
                if is_short {
                    short_days.push(*day);
                    anomalies.push(Anomaly::ShortPosts);
                }
                checkin_days.push(*day);
                ranking_days.insert(*day);
            }
            if let Some(at) = leave_planet {
                g.push(at, Action::LeavePlanet { user_id, at: None });
                s.left_planet = Some(at);
                anomalies.push(Anomaly::LeftPlanet);
            }
            if role == Role::UnpaidParticipant {
                anomalies.push(Anomaly::UnpaidParticipant);
            }
        }
        // A planet rename after paying, before the end of the camp.
        if !s.renamed
            && let Some(later) = &p.planet_name_later
        {
            let at =
                pay_time.max(plan.project_create).checked_add(hours(g.rng.random_range(2..72))).unwrap_or(pay_time);
            g.push(
                at,
                Action::RenamePlanet {
                    user_id: p.planet_user_id.parse().unwrap_or_default(),
                    name: Some(later.clone()),
                    alias: None,
                    at: None,
                },
            );
            s.renamed = true;
            s.renamed_at = Some(at);
        }
    }
    anomalies.sort_unstable();
    anomalies.dedup();

    let expected = (role == Role::Payer).then(|| {
        if !s.has_planet {
            ExpectedVerdict::Unlinked
        } else {
            let n = checkin_days.len() as u32;
            if n >= camp.required {
                ExpectedVerdict::Pass
            } else if n + camp.borderline_margin >= camp.required {
                ExpectedVerdict::Borderline
            } else {
                ExpectedVerdict::Fail
            }
        }
    });
    for (i, (tx, amount, paid_at)) in payments.iter().enumerate() {
        let mut pay_anomalies: Vec<Anomaly> = anomalies
            .iter()
            .copied()
            .filter(|x| matches!(x, Anomaly::WrongAmount | Anomaly::OutsideWindow | Anomaly::NoPlanetAccount))
            .collect();
        if i > 0 {
            pay_anomalies = vec![Anomaly::DuplicatePayment];
        }
        g.payments.push(PaymentTruth {
            transaction_id: tx.clone(),
            person_id: p.person_id,
            camp_id: Some(camp.camp_id.clone()),
            amount_fen: *amount,
            paid_at: *paid_at,
            duplicate_of: (i > 0).then(|| payments[0].0.clone()),
            planet_user_id: s.has_planet.then(|| p.planet_user_id.clone()),
            external_userid: p.external_userid.clone(),
            expected_verdict: expected,
            anomalies: pay_anomalies,
        });
    }
    s.truth_camps.push(PersonCamp {
        camp_id: camp.camp_id.clone(),
        role,
        payments: payments.into_iter().map(|(tx, _, _)| tx).collect(),
        chat_id: joined_at.map(|_| chat),
        joined_group_at: joined_at,
        left_group_at: left_at,
        checkin_days,
        ranking_days: ranking_days.len() as u32,
        short_post_days: short_days,
        topic_ids,
        expected_verdict: expected,
        anomalies,
    });
}

fn pay(g: &mut Gen, plan: &CampPlan, p: &Person, at: Timestamp, amount: i64, key: Option<PayerInfoKey>) -> String {
    let tx = g.tx_id(at);
    let out_trade_no = format!("WX{}", digits(&mut g.rng, 30));
    let phone = if g.rng.random_bool(0.3) {
        let prefix = *[3, 5, 8].choose(&mut g.rng).unwrap_or(&3);
        Some(format!("1{prefix}{}", digits(&mut g.rng, 9)))
    } else {
        None
    };
    let payment_type = if g.rng.random_bool(0.9) { 1 } else { 0 };
    g.push(
        at,
        Action::Pay {
            transaction_id: Some(tx.clone()),
            out_trade_no: Some(out_trade_no),
            external_userid: p.external_userid_on_bill.then(|| p.external_userid.clone()),
            payer_name: Some(p.wechat_name.clone()),
            payer_phone: phone,
            payer_info_key: key,
            payee_userid: plan.truth.payee.clone(),
            amount_fen: amount,
            remark: p.remark.clone(),
            description: format!("{}押金", plan.truth.keyword),
            payment_type: Some(payment_type),
            at: None,
        },
    );
    tx
}

fn post(g: &mut Gen, plan: &CampPlan, checkin_id: u64, user_id: u64, at: Timestamp, day_no: u32, short: bool) -> u64 {
    let id = g.topic_id();
    let text = texts::post_text(&mut g.rng, &plan.theme, day_no.max(1), plan.truth.days, short);
    let images = if short { 0 } else { *[0, 0, 1, 1, 2, 3].choose(&mut g.rng).unwrap_or(&0) };
    g.push(at, Action::PostCheckin { checkin_id, user_id, text, images, topic_id: Some(id), at: None });
    id
}

impl Community {
    /// Builds the world this community describes, advanced to `start` (earlier events applied,
    /// later ones scheduled). `seed` drives ids minted at run time.
    pub fn build_world(&self, settings: WorldSettings, seed: u64, start: Timestamp) -> World {
        self.world_from(settings, seed, start, self.timeline.iter().cloned())
    }

    /// Like [`build_world`](Self::build_world), moving the timeline into the world instead of
    /// copying it (half the memory for large communities); `timeline` is empty afterwards.
    pub fn take_world(&mut self, settings: WorldSettings, seed: u64, start: Timestamp) -> World {
        let timeline = std::mem::take(&mut self.timeline);
        self.world_from(settings, seed, start, timeline.into_iter())
    }

    fn world_from(
        &self,
        settings: WorldSettings,
        seed: u64,
        start: Timestamp,
        timeline: impl Iterator<Item = Timed>,
    ) -> World {
        let s = &self.setup;
        let mut planet = Planet::new(s.group_id, s.planet_name.clone(), s.owner.clone());
        planet.put_token(
            s.zsxq_token.clone(),
            ZsxqToken {
                user_id: s.owner.user_id,
                expires_at: start.checked_add(settings.zsxq_token_ttl).unwrap_or(start),
            },
        );
        for u in &self.planet_users {
            planet.put_user(u.clone());
        }
        for spec in &self.projects {
            planet.put_project(Project::new(spec.clone()));
        }
        let mut corp = Corp::new(s.corp_id.clone(), s.wecom_secret.clone(), s.agent_id);
        for st in &s.staff {
            corp.put_staff(st.clone());
        }
        for c in &self.contacts {
            corp.put_contact(c.clone());
        }
        for gr in &self.groups {
            // Chat ids are generated unique; a clash would be a generator bug.
            let _ = corp.add_group(gr.clone());
        }
        corp.add_robot(s.robot_key.clone());
        let merchant = Merchant::new(s.mch_id.clone(), s.merchant_serial_no.clone(), s.platform_public_key_id.clone());
        let mut world = World::new(planet, corp, merchant, settings, seed, self.start_time.min(start));
        for t in timeline {
            if t.at <= start {
                world.apply_due(t.at, t.action);
            } else {
                world.schedule(t.at, t.action);
            }
        }
        world.advance(start);
        world
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> Day {
        Day::new(2025, 11, 20).unwrap()
    }

    #[test]
    fn same_seed_same_bytes_different_seed_different_bytes() {
        let a = serde_json::to_vec(&generate(&GenerateOptions::new(11, 120, anchor()))).unwrap();
        let b = serde_json::to_vec(&generate(&GenerateOptions::new(11, 120, anchor()))).unwrap();
        let c = serde_json::to_vec(&generate(&GenerateOptions::new(12, 120, anchor()))).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn camps_surround_the_anchor_and_the_timeline_applies_cleanly() {
        let c = generate(&GenerateOptions::new(5, 300, anchor()));
        let phases: Vec<CampPhase> = c.truth.camps.iter().map(|c| c.phase).collect();
        assert_eq!(phases, [CampPhase::Ended, CampPhase::Running, CampPhase::Starting]);
        let [ended, running, starting] = &c.truth.camps[..] else { panic!("three camps") };
        assert!(ended.end < anchor());
        assert!(running.start <= anchor() && anchor() <= running.end);
        assert!(starting.start > anchor());
        assert_eq!(c.truth.persons.len(), 300);
        // Everything scheduled applies without error once the clock passes every camp.
        let end = local(starting.end.plus_days(5), 0);
        let world = c.build_world(WorldSettings::default(), 1, end);
        assert_eq!(world.schedule_errors(), &[] as &[String]);
        assert_eq!(world.pending(), 0);
        let bills = world.corp.bills().len();
        assert_eq!(bills, c.truth.payments.len());
    }

    #[test]
    fn truth_days_match_the_posts_in_the_world() {
        let c = generate(&GenerateOptions::new(9, 400, anchor()));
        let end = local(c.truth.camps.iter().map(|c| c.end).max().unwrap().plus_days(3), 0);
        let world = c.build_world(WorldSettings::default(), 1, end);
        let rule = crate::sim::clock::shanghai_days();
        let mut checked = 0;
        for person in &c.truth.persons {
            let Some(uid) = person.planet_user_id.as_ref().map(|u| u.parse::<u64>().unwrap()) else { continue };
            for pc in &person.camps {
                let camp = c.truth.camp(&pc.camp_id).unwrap();
                let project = world.planet.project(camp.checkin_id.parse().unwrap()).unwrap();
                let days: Vec<Day> = project
                    .topics()
                    .iter()
                    .filter(|t| t.user_id == uid)
                    .map(|t| rule.day_of(t.create_time))
                    .filter(|d| *d >= camp.start && *d <= camp.end)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                assert_eq!(days, pc.checkin_days, "person {} camp {}", person.person_id, camp.camp_id);
                checked += 1;
            }
        }
        assert!(checked > 300);
    }

    #[test]
    fn anomalies_of_every_kind_appear_in_a_mid_sized_community() {
        let c = generate(&GenerateOptions::new(3, 3000, anchor()));
        let mut seen = BTreeSet::new();
        for p in &c.truth.persons {
            for pc in &p.camps {
                seen.extend(pc.anomalies.iter().copied());
            }
        }
        for pay in &c.truth.payments {
            seen.extend(pay.anomalies.iter().copied());
        }
        for kind in [
            Anomaly::DuplicatePayment,
            Anomaly::WrongAmount,
            Anomaly::OutsideWindow,
            Anomaly::NeverJoinedGroup,
            Anomaly::LeftGroup,
            Anomaly::UnpaidGroupMember,
            Anomaly::UnpaidParticipant,
            Anomaly::LeftPlanet,
            Anomaly::ZeroCheckins,
            Anomaly::ShortPosts,
            Anomaly::MidnightPosts,
            Anomaly::SeveralPostsOneDay,
            Anomaly::NoPlanetAccount,
            Anomaly::RenamedWechat,
            Anomaly::OtherIncome,
        ] {
            assert!(seen.contains(&kind), "{kind:?} missing");
        }
        let verdicts: BTreeSet<_> = c.truth.payments.iter().filter_map(|p| p.expected_verdict).collect();
        assert_eq!(verdicts.len(), 4, "{verdicts:?}");
    }
}
