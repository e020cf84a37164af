//! UI test data: a [`TuiSource`] over an invented community, for the TUI's
//! tests, its benchmark and the hidden `--tui-fixture` entry. Nothing here is
//! shown to a user as real: the title bar says "UI fixture data (not real)".
//!
//! The data is deterministic for a given clock and size, and deliberately
//! awkward: Chinese names, emoji and ZWJ sequences, fullwidth and decomposed
//! text, long remarks with line breaks, heteronym surnames (单, 曾), near-tie
//! candidates, every item kind and every refund state. Actions change it the
//! way the real queue would (approve → approved with an undo token, run →
//! submitted and then, a moment later, succeeded or failed, undo refused once
//! paid), and bump the engine status's `data_version` so the TUI reloads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

use super::model::{
    AuditView, CampPhase, CampRow, Candidate, CandidateRef, CurvePoint, DayMark, EvidenceDay, GroupEventView,
    ItemDecision, ItemKind, Ledger, LinkState, LinkView, PaymentView, PersonDetail, PersonRef, PlanetUserView, Reason,
    RefundEvent, RefundRow, RefundTally, ReportCamp, ReportFigures, ReportView, ReviewCard, ReviewItem, Scope,
    StaffLine, VerdictKind, VerdictView,
};
use super::source::{ActionOutcome, SourceAction, SourceError, TuiSource, UndoToken, View, ViewQuery};
use crate::domain::{
    CampId, Day, DayRule, ExternalUserId, Money, PlanetUserId, RefundId, RefundState, RefundVia, TransactionId,
};
use crate::engine::{Alert, EngineStatus, ErrorClass, RunCounts, Severity, TaskId, TaskState, TaskStatus};

/// A fixed clock for snapshot tests: 2025-11-05 12:00 in Shanghai.
pub fn fixed_now() -> Timestamp {
    "2025-11-05T04:00:00Z".parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// How big the invented community is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixtureSpec {
    /// Members per camp (before the camp's own weighting).
    pub members_per_camp: usize,
    /// How long a submitted refund takes to settle (the live demo of "running").
    pub settle_after: Duration,
}

impl Default for FixtureSpec {
    fn default() -> Self {
        FixtureSpec { members_per_camp: 60, settle_after: Duration::from_millis(700) }
    }
}

/// Deterministic pseudo-random numbers (splitmix64): test data only.
#[derive(Clone, Debug)]
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }
}

const SURNAMES: &[&str] =
    &["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "欧阳", "单", "曾", "司马", "吕", "诸葛"];
const GIVEN: &[&str] = &[
    "三", "小美", "娜娜", "伟", "芳", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英",
    "华", "田芳", "小贤", "思远",
];
const ODD_NAMES: &[&str] = &[
    "🌸小美",
    "Lucy张",
    "阿杰😀",
    "👨‍👩‍👧三口之家",
    "小鱼",
    "（李四）",
    "Ａｌｉｃｅ",
    "张三abc",
    "e\u{301}milie",
    "❤️ 晴天",
    "①号学员",
    "一个名字特别特别长的星球用户昵称用来测试截断",
];
const REMARKS: &[&str] = &[
    "星球昵称：{name}",
    "",
    "押金",
    "昵称 {name} 手机尾号 1234",
    "我是从公众号文章看到的，报名了训练营，星球昵称是{name}，微信名不一样，麻烦老师核对一下谢谢！！",
    "第一行\n第二行：{name}",
    "{name}",
    "打卡营押金 🙏",
];
const FIRST_WORDS: &[&str] = &[
    "今天学习了小红书封面的三种排版方法",
    "Day3 打卡：完成了一篇笔记，标题改了五遍",
    "补卡：昨天加班没来得及",
    "📚 读完第二章，做了思维导图",
    "今天状态不好，只写了两百字",
    "打卡",
    "Workshop notes: hooks & titles",
    "晨读《被讨厌的勇气》第 4 章，摘抄三段",
];

/// One invented member of one camp.
#[derive(Clone, Debug)]
struct Member {
    camp: CampId,
    name: String,
    wechat: String,
    txid: TransactionId,
    planet: PlanetUserId,
    external: ExternalUserId,
    remark: String,
    paid_at: Timestamp,
    amount: Money,
    days: Vec<EvidenceDay>,
    left_group: bool,
}

impl Member {
    fn person(&self) -> PersonRef {
        PersonRef {
            camp: Some(self.camp.clone()),
            transaction_id: Some(self.txid.clone()),
            planet_user_id: Some(self.planet.clone()),
            external_userid: Some(self.external.clone()),
        }
    }

    fn counted(&self) -> u32 {
        let n =
            self.days.iter().filter(|d| matches!(d.mark, DayMark::Done | DayMark::MadeUp | DayMark::Excused)).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// What an undo token takes back.
#[derive(Clone, Debug)]
enum UndoOp {
    Refunds { ids: Vec<RefundId>, from: RefundState, to: RefundState },
    Link { card: ReviewCard, at: usize },
    RejectCandidate { card: String, target: CandidateRef },
    Unlink { link: LinkView },
    Decide { item: String, refund: Option<RefundId> },
}

#[derive(Debug)]
struct World {
    now: Timestamp,
    camps: Vec<CampRow>,
    members: Vec<Member>,
    cards: Vec<ReviewCard>,
    items: Vec<ReviewItem>,
    refunds: Vec<RefundRow>,
    links: Vec<LinkView>,
    extra_users: HashMap<CampId, Vec<PlanetUserView>>,
    events: Vec<RefundEvent>,
    audit: Vec<AuditView>,
    undo: HashMap<String, UndoOp>,
    counter: u64,
}

/// The fixture source. Cheap to clone (shared state).
#[derive(Clone)]
pub struct FixtureSource {
    world: Arc<Mutex<World>>,
    status: Arc<watch::Sender<EngineStatus>>,
    spec: FixtureSpec,
}

impl FixtureSource {
    /// An invented community as of `now`.
    pub fn new(now: Timestamp, spec: FixtureSpec) -> FixtureSource {
        let world = build_world(now, spec);
        let status = fixture_status(now);
        FixtureSource { world: Arc::new(Mutex::new(world)), status: Arc::new(watch::Sender::new(status)), spec }
    }

    /// Live engine status of the invented sync tasks.
    pub fn status_updates(&self) -> watch::Receiver<EngineStatus> {
        self.status.subscribe()
    }

    /// The current status.
    pub fn status(&self) -> EngineStatus {
        self.status.borrow().clone()
    }

    /// Answers a load synchronously (tests and benchmarks).
    pub fn view(&self, query: &ViewQuery) -> Result<View, SourceError> {
        let w = self.lock();
        Ok(match query {
            ViewQuery::Camps => View::Camps(w.camps.clone()),
            ViewQuery::Review(scope) => {
                View::Review(w.cards.iter().filter(|c| in_scope(scope, c.payment.camp.as_ref())).cloned().collect())
            }
            ViewQuery::Items(scope) => {
                View::Items(w.items.iter().filter(|i| in_scope(scope, Some(&i.camp))).cloned().collect())
            }
            ViewQuery::Refunds(scope) => {
                View::Refunds(w.refunds.iter().filter(|r| in_scope(scope, Some(&r.camp))).cloned().collect())
            }
            ViewQuery::Person(p) => View::Person(Box::new(person_detail(&w, p)?)),
            ViewQuery::PlanetUsers(camp) => View::PlanetUsers(planet_users(&w, camp)),
            ViewQuery::Report(scope) => View::Report(Box::new(report_view(&w, scope))),
        })
    }

    /// Performs an action synchronously; `run` and `retry` settle later on the
    /// tokio runtime when there is one.
    pub fn apply(&self, action: SourceAction) -> Result<ActionOutcome, SourceError> {
        let out = {
            let mut w = self.lock();
            apply(&mut w, &action)?
        };
        self.bump();
        match &action {
            SourceAction::Run(ids) | SourceAction::Retry(ids) => self.settle_later(ids.clone()),
            SourceAction::SyncNow(camp) => self.simulate_sync(camp.clone()),
            _ => {}
        }
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn bump(&self) {
        self.status.send_modify(|s| s.data_version += 1);
    }

    /// Submitted refunds succeed (or fail for want of balance) one by one.
    fn settle_later(&self, ids: Vec<RefundId>) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else { return };
        let me = self.clone();
        handle.spawn(async move {
            for id in ids {
                tokio::time::sleep(me.spec.settle_after).await;
                {
                    let mut w = me.lock();
                    let now = w.now;
                    w.counter += 1;
                    let at = now + SignedDuration::from_secs(i64::try_from(w.counter).unwrap_or(0));
                    let fail = id.as_str().bytes().map(u64::from).sum::<u64>() % 7 == 3;
                    let Some(r) = w.refunds.iter_mut().find(|r| r.id == id && r.state == RefundState::Submitted) else {
                        continue;
                    };
                    if fail && r.attempts <= 1 {
                        r.state = RefundState::Failed;
                        r.executor_note = Some("NOT_ENOUGH: 商户余额不足".to_string());
                    } else {
                        r.state = RefundState::Succeeded;
                        r.executor_note = Some("SUCCESS".to_string());
                    }
                    r.updated_at = at;
                    let ev = RefundEvent {
                        refund: r.id.clone(),
                        at,
                        state: r.state,
                        by: "wxpay".to_string(),
                        note: r.executor_note.clone(),
                    };
                    w.events.push(ev);
                }
                me.bump();
            }
        });
    }

    /// The selected tasks run for three pages, then succeed.
    fn simulate_sync(&self, camp: Option<CampId>) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else { return };
        let me = self.clone();
        handle.spawn(async move {
            let selected = |t: &TaskStatus| {
                camp.as_ref().is_none_or(|c| t.id.camp.is_none() || t.id.camp.as_ref() == Some(&c.to_string()))
            };
            for page in 1..=3u64 {
                me.status.send_modify(|s| {
                    for t in
                        s.tasks.iter_mut().filter(|t| selected(t) && !matches!(t.state, TaskState::Disabled { .. }))
                    {
                        t.state = TaskState::Running {
                            since: Timestamp::now(),
                            page,
                            pages_total: Some(3),
                            records: page * 20,
                            step: "fixture".to_string(),
                        };
                    }
                });
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            me.status.send_modify(|s| {
                for t in s.tasks.iter_mut().filter(|t| selected(t) && !matches!(t.state, TaskState::Disabled { .. })) {
                    t.state = TaskState::Idle;
                    t.last_success = Some(Timestamp::now());
                    t.last_counts = RunCounts { pages: 3, records: 60, changed: 0 };
                }
                s.data_version += 1;
            });
        });
    }
}

impl TuiSource for FixtureSource {
    fn load(&self, query: ViewQuery) -> BoxFuture<'_, Result<View, SourceError>> {
        Box::pin(async move { self.view(&query) })
    }

    fn perform(&self, action: SourceAction) -> BoxFuture<'_, Result<ActionOutcome, SourceError>> {
        Box::pin(async move { self.apply(action) })
    }
}

fn in_scope(scope: &Scope, camp: Option<&CampId>) -> bool {
    match scope {
        Scope::All => true,
        Scope::Camp(c) => camp == Some(c),
    }
}

/// `n` refund rows with plausible names, amounts and states (for the benchmark).
pub fn synthetic_refunds(n: usize, now: Timestamp) -> Vec<RefundRow> {
    let mut dice = Dice(0xC0FFEE);
    let camps = ["2510-xhs", "2511-write", "2511-read", "2509-long", "2512-run", "2601-draw"];
    (0..n)
        .map(|i| {
            let name = person_name(&mut dice, i);
            let state = *dice.pick(&RefundState::ALL);
            RefundRow {
                id: RefundId::new(format!("rf-{i:06}")),
                camp: CampId::new(*dice.pick(&camps)),
                person: PersonRef {
                    transaction_id: Some(TransactionId::new(format!("42000{i:010}"))),
                    ..PersonRef::default()
                },
                name,
                amount: Money::from_fen(*dice.pick(&[2900, 3900, 4900, 3900, 3900])),
                state,
                via: if i % 3 == 0 { RefundVia::WecomClient } else { RefundVia::Wxpay },
                reason: format!("通过 {}/10", 7 + dice.below(4)),
                executor_note: (state == RefundState::Failed).then(|| "NOT_ENOUGH: 商户余额不足".to_string()),
                approved_by: Vec::new(),
                approvals_needed: 1,
                attempts: 0,
                updated_at: now - SignedDuration::from_mins(i64::try_from(dice.below(5000)).unwrap_or(0)),
            }
        })
        .collect()
}

fn person_name(dice: &mut Dice, i: usize) -> String {
    if i % 9 == 4 {
        return dice.pick(ODD_NAMES).to_string();
    }
    format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN))
}

fn day_of(now: Timestamp) -> Day {
    DayRule::shanghai().day_of(now)
}

/// Camps relative to today: one ended 2 days ago, one running, one starting, one long ago.
fn camp_rows(now: Timestamp) -> Vec<(CampRow, usize)> {
    let today = day_of(now);
    let mk = |id: &str, name: &str, start: Day, days: u32, required: u32, fen: i64, via: RefundVia, weight: usize| {
        let end = start.plus_days(i32::try_from(days).unwrap_or(1) - 1);
        let phase = if today < start {
            CampPhase::Upcoming { in_days: u32::try_from(today.days_until(start)).unwrap_or(0) }
        } else if today > end {
            CampPhase::Ended { days_ago: u32::try_from(end.days_until(today)).unwrap_or(0) }
        } else {
            CampPhase::Running { day: u32::try_from(start.days_until(today) + 1).unwrap_or(1), days }
        };
        (
            CampRow {
                id: CampId::new(id),
                name: name.to_string(),
                start,
                end,
                required,
                days,
                deposit: Money::from_fen(fen),
                refund_via: via,
                phase,
                paid: 0,
                members: 0,
                passing: 0,
                borderline: 0,
                anomalies: 0,
                unmatched: 0,
                ledger: Ledger::default(),
                batch_cap: Some(Money::from_fen(fen * 50)),
            },
            weight,
        )
    };
    vec![
        (mk("2510-xhs", "2510 AI小绿书爆文", today.plus_days(-11), 10, 7, 3900, RefundVia::Wxpay, 10)),
        (mk("2511-write", "2511 21天写作营✍️", today.plus_days(-4), 21, 15, 4900, RefundVia::WecomClient, 12)),
        (mk("2511-read", "2511 晨读打卡🌅 第三期", today.plus_days(5), 14, 10, 2900, RefundVia::Wxpay, 5)),
        (mk(
            "2509-long",
            "2509 超长名字的训练营：用来检验截断与显示宽度是否正确的营",
            today.plus_days(-46),
            10,
            7,
            3900,
            RefundVia::Wxpay,
            6,
        )),
    ]
}

fn build_world(now: Timestamp, spec: FixtureSpec) -> World {
    let mut dice = Dice(42);
    let today = day_of(now);
    let shanghai = DayRule::shanghai();
    let mut camps = camp_rows(now);
    let mut members = Vec::new();
    let mut serial = 0usize;
    for (camp, weight) in &camps {
        let n = spec.members_per_camp * weight / 10;
        for _ in 0..n {
            serial += 1;
            let name = person_name(&mut dice, serial);
            let wechat = if dice.chance(60) { name.clone() } else { person_name(&mut dice, serial + 7) };
            let remark = dice.pick(REMARKS).replace("{name}", &name);
            let skill = dice.below(100);
            let days: Vec<EvidenceDay> = camp
                .start
                .through(camp.end)
                .enumerate()
                .map(|(k, day)| {
                    if day > today || (day == today && dice.chance(50)) {
                        return EvidenceDay {
                            day,
                            mark: DayMark::Future,
                            posted_at: None,
                            first_words: None,
                            posts: 0,
                        };
                    }
                    let done = dice.below(100) < skill.max(35);
                    let posted = day.start_in(&shanghai.tz, shanghai.cutoff)
                        + SignedDuration::from_mins(i64::try_from(420 + dice.below(900)).unwrap_or(0));
                    if done {
                        let words = dice.pick(FIRST_WORDS).to_string();
                        let mark = if k % 6 == 5 && dice.chance(20) { DayMark::Short } else { DayMark::Done };
                        EvidenceDay {
                            day,
                            mark,
                            posted_at: Some(posted),
                            first_words: Some(words),
                            posts: 1 + u32::from(dice.chance(10)),
                        }
                    } else {
                        EvidenceDay { day, mark: DayMark::Missed, posted_at: None, first_words: None, posts: 0 }
                    }
                })
                .collect();
            let amount = if dice.chance(4) { Money::from_fen(camp.deposit.fen() - 1000) } else { camp.deposit };
            members.push(Member {
                camp: camp.id.clone(),
                name,
                wechat,
                txid: TransactionId::new(format!("4200002{serial:011}")),
                planet: PlanetUserId::new(format!("{}", 48_844_125_281_000_u64 + serial as u64 * 37)),
                external: ExternalUserId::new(format!("wmOgQhDgAA{serial:06}x")),
                remark,
                paid_at: camp.start.start_in(&shanghai.tz, shanghai.cutoff)
                    - SignedDuration::from_hours(i64::try_from(1 + dice.below(200)).unwrap_or(1)),
                amount,
                days,
                left_group: dice.chance(3),
            });
        }
    }

    let mut cards = Vec::new();
    let mut items = Vec::new();
    let mut refunds = Vec::new();
    let mut links = Vec::new();
    let mut events = Vec::new();
    let mut audit = Vec::new();
    let mut seq = 1000u64;
    for (idx, m) in members.iter().enumerate() {
        let (camp, _) =
            camps.iter().find(|(c, _)| c.id == m.camp).map(|c| (c.0.clone(), c.1)).unwrap_or_else(|| camps[0].clone());
        let counted = m.counted();
        let unmatched = idx % 11 == 3;
        if unmatched {
            cards.push(review_card(&mut dice, m, &members, idx));
        } else {
            links.push(LinkView {
                transaction_id: m.txid.clone(),
                target: CandidateRef::Planet(m.planet.clone()),
                name: m.name.clone(),
                state: if idx % 5 == 0 { LinkState::Confirmed } else { LinkState::Auto },
                score: 9.5,
                reasons: vec![
                    Reason { text: format!("备注含星球昵称「{}」", m.name), weight: 7.0 },
                    Reason { text: "在本营打卡项目中发过帖".to_string(), weight: 2.5 },
                ],
            });
            links.push(LinkView {
                transaction_id: m.txid.clone(),
                target: CandidateRef::Member(m.external.clone()),
                name: m.wechat.clone(),
                state: LinkState::Auto,
                score: 20.0,
                reasons: vec![Reason {
                    text: "付款人 external_userid 与群成员一致".to_string(), weight: 20.0
                }],
            });
        }
        let finished = matches!(camp.phase, CampPhase::Ended { .. });
        let borderline = counted + camp_margin() >= camp.required && counted < camp.required;
        if borderline && !unmatched {
            items.push(item_for(
                m,
                ItemKind::Borderline,
                &camp,
                format!("差 {} 天达标 ({}/{})", camp.required - counted, counted, camp.required),
            ));
        }
        if m.amount != camp.deposit {
            items.push(item_for(
                m,
                ItemKind::WrongAmount,
                &camp,
                format!("付款 ¥{} 与押金 ¥{} 不符", m.amount, camp.deposit),
            ));
        }
        if m.left_group {
            items.push(item_for(m, ItemKind::LeftGroup, &camp, "训练营期间退出了客户群 (结论暂缓, 待审)".to_string()));
        }
        if idx % 17 == 6 {
            items.push(item_for(m, ItemKind::CountMismatch, &camp, "星球排行记 8 天, 实际计到 7 篇打卡".to_string()));
        }
        if idx % 23 == 9 {
            items.push(item_for(
                m,
                ItemKind::DuplicatePayment,
                &camp,
                "同一人为本营付款两次 (建议退还后一笔)".to_string(),
            ));
        }
        if idx % 29 == 13 {
            items.push(item_for(m, ItemKind::NotJoined, &camp, "付款 72 小时后仍未入群".to_string()));
        }
        if finished && counted >= camp.required && !unmatched {
            let state = match idx % 13 {
                0 => RefundState::Approved,
                1 => RefundState::Submitted,
                2 | 3 => RefundState::Succeeded,
                4 => RefundState::Failed,
                5 => RefundState::Rejected,
                6 => RefundState::SettledOffline,
                _ => RefundState::Proposed,
            };
            let id = RefundId::new(format!("rf-{}-{idx:04}", m.camp));
            let updated = now - SignedDuration::from_mins(i64::try_from(idx * 7 % 2000).unwrap_or(0));
            refunds.push(RefundRow {
                id: id.clone(),
                camp: m.camp.clone(),
                person: m.person(),
                name: m.name.clone(),
                amount: m.amount,
                state,
                via: camp.refund_via,
                reason: format!("通过 {counted}/{}", camp.days),
                executor_note: match state {
                    RefundState::Failed => Some("NOT_ENOUGH: 商户余额不足, 已重试 1 次".to_string()),
                    RefundState::Submitted => Some("PROCESSING".to_string()),
                    RefundState::Succeeded => Some("SUCCESS".to_string()),
                    RefundState::SettledOffline => Some("已在企业微信客户端退款".to_string()),
                    _ => None,
                },
                approved_by: if state == RefundState::Proposed { Vec::new() } else { vec!["zhangsan".to_string()] },
                approvals_needed: if idx % 31 == 0 { 2 } else { 1 },
                attempts: u32::from(matches!(
                    state,
                    RefundState::Failed | RefundState::Succeeded | RefundState::Submitted
                )),
                updated_at: updated,
            });
            events.push(RefundEvent {
                refund: id.clone(),
                at: updated - SignedDuration::from_hours(5),
                state: RefundState::Proposed,
                by: "campdesk".to_string(),
                note: Some(format!("通过 {counted}/{}", camp.days)),
            });
            if state != RefundState::Proposed {
                events.push(RefundEvent {
                    refund: id.clone(),
                    at: updated,
                    state,
                    by: "zhangsan".to_string(),
                    note: None,
                });
            }
            seq += 1;
            audit.push(AuditView {
                seq,
                at: updated,
                actor: "zhangsan".to_string(),
                action: "refund.propose".to_string(),
                details: format!("{id} ¥{}", m.amount),
            });
        }
    }
    // Camp counts and ledgers from the members.
    for (camp, _) in camps.iter_mut() {
        let mine: Vec<&Member> = members.iter().filter(|m| m.camp == camp.id).collect();
        camp.paid = u32::try_from(mine.len()).unwrap_or(0);
        camp.members = camp.paid + u32::try_from(mine.len() / 10).unwrap_or(0);
        camp.passing = u32::try_from(mine.iter().filter(|m| m.counted() >= camp.required).count()).unwrap_or(0);
        camp.borderline =
            u32::try_from(items.iter().filter(|i| i.camp == camp.id && i.kind.is_borderline()).count()).unwrap_or(0);
        camp.anomalies =
            u32::try_from(items.iter().filter(|i| i.camp == camp.id && !i.kind.is_borderline()).count()).unwrap_or(0);
        camp.unmatched =
            u32::try_from(cards.iter().filter(|c| c.payment.camp.as_ref() == Some(&camp.id)).count()).unwrap_or(0);
        let sum = |f: &dyn Fn(&RefundRow) -> bool| {
            Money::checked_sum(refunds.iter().filter(|r| r.camp == camp.id && f(r)).map(|r| r.amount))
                .unwrap_or_default()
        };
        camp.ledger = Ledger {
            deposits: Money::checked_sum(mine.iter().map(|m| m.amount)).unwrap_or_default(),
            refunded: sum(&|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline)),
            in_flight: sum(&|r| matches!(r.state, RefundState::Approved | RefundState::Submitted)),
            forfeited: Money::ZERO,
        };
    }
    let extra_users = camps
        .iter()
        .map(|(c, _)| {
            let users = (0..25)
                .map(|k| {
                    let name = person_name(&mut dice, 5000 + k);
                    PlanetUserView {
                        user_id: PlanetUserId::new(format!("{}", 58_844_125_281_000_u64 + k as u64 * 41)),
                        alias: (k % 4 == 0).then(|| format!("{name}-星球名片")),
                        number: (k % 3 == 0).then(|| format!("{}", 10_000 + k)),
                        name,
                        checked_in: k % 2 == 0,
                    }
                })
                .collect();
            (c.id.clone(), users)
        })
        .collect();
    World {
        now,
        camps: camps.into_iter().map(|(c, _)| c).collect(),
        members,
        cards,
        items,
        refunds,
        links,
        extra_users,
        events,
        audit,
        undo: HashMap::new(),
        counter: 0,
    }
}

/// Coaches and volunteers of the invented camps: (camp, name, coach).
const STAFF: &[(&str, &str, bool)] = &[
    ("2510-xhs", "王老师", true),
    ("2511-write", "王老师", true),
    ("2511-write", "陈思远", false),
    ("2509-long", "李助教🌟", false),
];

/// The Reports pane's figures of the invented community: verdicts from the
/// counted days of ended camps, money from the refund rows (what is neither
/// refunded nor forfeited is pending, so the ledger balances).
fn report_view(w: &World, scope: &Scope) -> ReportView {
    let today = day_of(w.now);
    let mut camps = Vec::new();
    for c in w.camps.iter().filter(|c| in_scope(scope, Some(&c.id))) {
        let members: Vec<&Member> = w.members.iter().filter(|m| m.camp == c.id).collect();
        let ended = matches!(c.phase, CampPhase::Ended { .. });
        let count = |f: &dyn Fn(&&Member) -> bool| u32::try_from(members.iter().filter(|m| f(m)).count()).unwrap_or(0);
        let passed = if ended { count(&|m| m.counted() >= c.required) } else { 0 };
        let borderline =
            if ended { count(&|m| m.counted() < c.required && m.counted() + camp_margin() >= c.required) } else { 0 };
        let failed = if ended { count(&|m| m.counted() + camp_margin() < c.required) } else { 0 };
        let refunds: Vec<&RefundRow> = w.refunds.iter().filter(|r| r.camp == c.id).collect();
        let sum = |f: &dyn Fn(&RefundRow) -> bool| {
            refunds.iter().filter(|r| f(r)).fold(Money::ZERO, |a, r| a.checked_add(r.amount).unwrap_or(a))
        };
        let collected = members.iter().fold(Money::ZERO, |a, m| a.checked_add(m.amount).unwrap_or(a));
        let refunded = sum(&|r| matches!(r.state, RefundState::Succeeded | RefundState::SettledOffline));
        let failed_money = if ended {
            members
                .iter()
                .filter(|m| m.counted() + camp_margin() < c.required)
                .fold(Money::ZERO, |a, m| a.checked_add(m.amount).unwrap_or(a))
        } else {
            Money::ZERO
        };
        let forfeited = sum(&|r| r.state == RefundState::Rejected).checked_add(failed_money).unwrap_or(Money::ZERO);
        let pending = collected
            .checked_sub(refunded)
            .and_then(|m| m.checked_sub(forfeited))
            .filter(|m| *m >= Money::ZERO)
            .unwrap_or(Money::ZERO);
        let mut tallies: Vec<RefundTally> = Vec::new();
        for r in &refunds {
            match tallies.iter_mut().find(|t| t.executor == r.via && t.state == r.state) {
                Some(t) => {
                    t.count += 1;
                    t.amount = t.amount.checked_add(r.amount).unwrap_or(t.amount);
                }
                None => tallies.push(RefundTally {
                    executor: r.via,
                    state: r.state,
                    stale: false,
                    count: 1,
                    amount: r.amount,
                }),
            }
        }
        tallies.sort_by_key(|t| (t.executor.as_str(), t.state));
        let curve: Vec<CurvePoint> = (0..c.days)
            .map(|i| {
                let day = c.start.plus_days(i32::try_from(i).unwrap_or(0));
                let done = members
                    .iter()
                    .filter(|m| {
                        m.days.iter().any(|d| d.day == day && matches!(d.mark, DayMark::Done | DayMark::MadeUp))
                    })
                    .count();
                CurvePoint {
                    day_number: i + 1,
                    checked_in: u32::try_from(done).unwrap_or(0),
                    members: u32::try_from(members.len()).unwrap_or(0),
                    future: day >= today,
                }
            })
            .collect();
        let unlinked = w.cards.iter().filter(|k| k.payment.camp.as_ref() == Some(&c.id)).count();
        let staff = |coach: bool| -> Vec<String> {
            STAFF
                .iter()
                .filter(|(id, _, k)| *id == c.id.as_str() && *k == coach)
                .map(|(_, n, _)| n.to_string())
                .collect()
        };
        camps.push(ReportCamp {
            id: c.id.clone(),
            name: c.name.clone(),
            start: c.start,
            end: c.end,
            required: c.required,
            days: c.days,
            phase: c.phase,
            coaches: staff(true),
            volunteers: staff(false),
            figures: ReportFigures {
                paid: u32::try_from(members.len()).unwrap_or(0),
                joined: count(&|m| !m.left_group),
                checked_in: count(&|m| m.counted() > 0),
                passed,
                borderline,
                failed,
                unlinked: u32::try_from(unlinked).unwrap_or(0),
                collected,
                refunded,
                forfeited,
                pending,
                anomalies: Money::ZERO,
                difference: Money::ZERO,
                ledger_errors: 0,
                refunds: tallies,
                curve,
            },
        });
    }
    let mut total = ReportFigures::default();
    let add = |a: Money, b: Money| a.checked_add(b).unwrap_or(a);
    for c in &camps {
        let f = &c.figures;
        total.paid += f.paid;
        total.joined += f.joined;
        total.checked_in += f.checked_in;
        total.passed += f.passed;
        total.borderline += f.borderline;
        total.failed += f.failed;
        total.unlinked += f.unlinked;
        total.collected = add(total.collected, f.collected);
        total.refunded = add(total.refunded, f.refunded);
        total.forfeited = add(total.forfeited, f.forfeited);
        total.pending = add(total.pending, f.pending);
        for t in &f.refunds {
            match total.refunds.iter_mut().find(|x| x.executor == t.executor && x.state == t.state) {
                Some(x) => {
                    x.count += t.count;
                    x.amount = add(x.amount, t.amount);
                }
                None => total.refunds.push(t.clone()),
            }
        }
        for p in &f.curve {
            match total.curve.iter_mut().find(|x| x.day_number == p.day_number) {
                Some(x) => {
                    x.checked_in += p.checked_in;
                    x.members += p.members;
                    x.future &= p.future;
                }
                None => total.curve.push(*p),
            }
        }
    }
    total.curve.sort_by_key(|p| p.day_number);
    total.refunds.sort_by_key(|t| (t.executor.as_str(), t.state));
    let mut staff: Vec<StaffLine> = Vec::new();
    for (camp, name, coach) in STAFF {
        let Some(c) = camps.iter().find(|c| c.id.as_str() == *camp) else { continue };
        let line = match staff.iter_mut().find(|s| s.name == *name && s.coach == *coach) {
            Some(s) => s,
            None => {
                staff.push(StaffLine { name: name.to_string(), coach: *coach, camps: Vec::new(), paid: 0, passed: 0 });
                staff.last_mut().expect("just pushed")
            }
        };
        line.camps.push(c.id.clone());
        line.paid += c.figures.paid;
        line.passed += c.figures.passed;
    }
    ReportView { today, camps, total, staff }
}

fn camp_margin() -> u32 {
    1
}

fn item_for(m: &Member, kind: ItemKind, camp: &CampRow, summary: String) -> ReviewItem {
    let counted = m.counted();
    let slug = match &kind {
        ItemKind::Borderline => "borderline",
        ItemKind::WrongAmount => "wrong_amount",
        ItemKind::LeftGroup => "left_group",
        ItemKind::CountMismatch => "count_mismatch",
        ItemKind::DuplicatePayment => "duplicate",
        ItemKind::NotJoined => "not_joined",
        _ => "other",
    };
    let rank_seed = m.txid.as_str().bytes().map(u32::from).sum::<u32>();
    ReviewItem {
        id: format!("{slug}:{}", m.txid),
        camp: m.camp.clone(),
        kind,
        person: m.person(),
        name: m.name.clone(),
        summary,
        counted_days: counted,
        required_days: camp.required,
        rank: (rank_seed % 4 != 0).then_some(rank_seed % 90 + 1),
        ranking_days: (rank_seed % 4 != 0).then_some(counted + u32::from(rank_seed % 5 == 1)),
        days: m.days.clone(),
        amount: Some(m.amount),
        decided: None,
    }
}

fn review_card(dice: &mut Dice, m: &Member, all: &[Member], idx: usize) -> ReviewCard {
    let rival = &all[(idx * 7 + 3) % all.len()];
    let similar = format!("{}{}", m.name.chars().next().unwrap_or('张'), dice.pick(GIVEN));
    let planet = vec![
        Candidate {
            target: CandidateRef::Planet(m.planet.clone()),
            name: m.name.clone(),
            detail: Some(format!("#{}", 10_000 + idx)),
            score: 3.1,
            reasons: vec![
                Reason { text: format!("备注与星球昵称「{}」相似 (拼音一致)", m.name), weight: 2.4 },
                Reason { text: "在本营打卡项目中发过帖".to_string(), weight: 1.5 },
                Reason { text: "常见姓名, 降低权重".to_string(), weight: -0.8 },
            ],
            rejected: false,
        },
        Candidate {
            target: CandidateRef::Planet(rival.planet.clone()),
            name: similar,
            detail: None,
            score: 2.6,
            reasons: vec![
                Reason { text: "姓名首字相同, 拼音首字母相同".to_string(), weight: 1.6 },
                Reason { text: "付款与加入星球时间相差 2 小时".to_string(), weight: 1.0 },
            ],
            rejected: idx.is_multiple_of(2),
        },
    ];
    let member = if idx.is_multiple_of(3) {
        Vec::new()
    } else if idx % 3 == 1 {
        // As the service shows it: the payer found in the group by external_userid.
        vec![Candidate {
            target: CandidateRef::Member(m.external.clone()),
            name: m.wechat.clone(),
            detail: Some("群昵称: 同上".to_string()),
            score: 0.0,
            reasons: vec![Reason {
                text: "付款人就在本营群里：账单与群成员的 external_userid 相同".to_string(),
                weight: 0.0,
            }],
            rejected: false,
        }]
    } else {
        vec![Candidate {
            target: CandidateRef::Member(m.external.clone()),
            name: m.wechat.clone(),
            detail: Some("群昵称: 同上".to_string()),
            score: 1.2,
            reasons: vec![Reason { text: "微信名与付款人姓名编辑距离 1".to_string(), weight: 1.2 }],
            rejected: false,
        }]
    };
    ReviewCard {
        id: format!("card:{}", m.txid),
        payment: PaymentView {
            transaction_id: m.txid.clone(),
            camp: Some(m.camp.clone()),
            payer_name: Some(m.wechat.clone()),
            remark: m.remark.clone(),
            amount: m.amount,
            paid_at: m.paid_at,
            external_userid: (!idx.is_multiple_of(3)).then(|| m.external.clone()),
        },
        why: if idx.is_multiple_of(3) {
            "付款没有 external_userid, 只能凭备注与姓名".to_string()
        } else {
            "两位候选人得分接近 (差 0.5)".to_string()
        },
        planet_candidates: planet,
        member_candidates: member,
    }
}

fn planet_users(w: &World, camp: &CampId) -> Vec<PlanetUserView> {
    let mut out: Vec<PlanetUserView> = w
        .members
        .iter()
        .filter(|m| &m.camp == camp)
        .map(|m| PlanetUserView {
            user_id: m.planet.clone(),
            name: m.name.clone(),
            alias: None,
            number: None,
            checked_in: m.counted() > 0,
        })
        .collect();
    out.extend(w.extra_users.get(camp).cloned().unwrap_or_default());
    out
}

fn person_detail(w: &World, p: &PersonRef) -> Result<PersonDetail, SourceError> {
    let m = w
        .members
        .iter()
        .find(|m| {
            p.transaction_id.as_ref() == Some(&m.txid)
                || (p.transaction_id.is_none() && p.planet_user_id.as_ref() == Some(&m.planet))
        })
        .ok_or_else(|| SourceError::new(format!("no member for {:?}", p.transaction_id)))?;
    let camp = w.camps.iter().find(|c| c.id == m.camp);
    let required = camp.map_or(7, |c| c.required);
    let counted = m.counted();
    let kind = if !w.links.iter().any(|l| l.transaction_id == m.txid) {
        VerdictKind::Unlinked
    } else if counted >= required {
        VerdictKind::Pass
    } else if counted + 1 >= required {
        VerdictKind::Borderline
    } else {
        VerdictKind::Fail
    };
    let refund_ids: Vec<&RefundId> =
        w.refunds.iter().filter(|r| r.person.transaction_id.as_ref() == Some(&m.txid)).map(|r| &r.id).collect();
    let camp_name = camp.map(|c| c.name.clone()).unwrap_or_default();
    Ok(PersonDetail {
        person: m.person(),
        name: m.name.clone(),
        camp_name: camp.map(|c| c.name.clone()),
        planet_user: Some(PlanetUserView {
            user_id: m.planet.clone(),
            name: m.name.clone(),
            alias: None,
            number: None,
            checked_in: counted > 0,
        }),
        payments: vec![PaymentView {
            transaction_id: m.txid.clone(),
            camp: Some(m.camp.clone()),
            payer_name: Some(m.wechat.clone()),
            remark: m.remark.clone(),
            amount: m.amount,
            paid_at: m.paid_at,
            external_userid: Some(m.external.clone()),
        }],
        links: w.links.iter().filter(|l| l.transaction_id == m.txid).cloned().collect(),
        group_events: {
            let mut ev = vec![GroupEventView {
                group: format!("{camp_name} 1群"),
                joined: true,
                at: m.paid_at + SignedDuration::from_mins(12),
            }];
            if m.left_group {
                ev.push(GroupEventView {
                    group: format!("{camp_name} 1群"),
                    joined: false,
                    at: m.paid_at + SignedDuration::from_hours(100),
                });
            }
            ev
        },
        calendar: m.days.clone(),
        verdict: Some(VerdictView {
            kind,
            counted_days: counted,
            required_days: required,
            reasons: vec![format!("计到 {counted} 天打卡, 规则要求 {required} 天")],
            frozen: camp.is_some_and(|c| matches!(c.phase, CampPhase::Ended { .. })),
        }),
        refunds: w.events.iter().filter(|e| refund_ids.contains(&&e.refund)).cloned().collect(),
        audit: w
            .audit
            .iter()
            .filter(|a| refund_ids.iter().any(|id| a.details.contains(id.as_str())))
            .cloned()
            .collect(),
        member_message: Some(format!(
            "{}你好！「{camp_name}」已结束，你完成了 {counted}/{required} 天打卡。押金 ¥{} 将原路退回，预计 1-3 个工作日到账。感谢坚持！🎉",
            m.name, m.amount
        )),
    })
}

fn token(w: &mut World, op: UndoOp) -> UndoToken {
    w.counter += 1;
    let t = format!("undo-{}", w.counter);
    w.undo.insert(t.clone(), op);
    UndoToken(t)
}

fn apply(w: &mut World, action: &SourceAction) -> Result<ActionOutcome, SourceError> {
    w.counter += 1;
    let at = w.now + SignedDuration::from_secs(i64::try_from(w.counter).unwrap_or(0));
    let mut refused = Vec::new();
    let mut move_refunds = |w: &mut World, ids: &[RefundId], from: RefundState, to: RefundState, note: Option<&str>| {
        let mut moved = Vec::new();
        for id in ids {
            match w.refunds.iter_mut().find(|r| &r.id == id) {
                Some(r) if r.state == from => {
                    r.state = to;
                    r.updated_at = at;
                    if to == RefundState::Approved {
                        r.approved_by.push("fixture".to_string());
                    }
                    if to == RefundState::Submitted {
                        r.attempts += 1;
                        r.executor_note = Some("PROCESSING".to_string());
                    }
                    if let Some(n) = note {
                        r.executor_note = Some(n.to_string());
                    }
                    moved.push(id.clone());
                    w.events.push(RefundEvent {
                        refund: id.clone(),
                        at,
                        state: to,
                        by: "fixture".to_string(),
                        note: note.map(str::to_string),
                    });
                }
                Some(r) => refused.push((id.to_string(), format!("state is {}", r.state))),
                None => refused.push((id.to_string(), "no such refund".to_string())),
            }
        }
        moved
    };
    let undo = match action {
        SourceAction::Evidence { transaction_id, .. } => {
            return Err(SourceError::new(format!(
                "{transaction_id}: 界面样例数据没有存档的平台页面，无法生成证据包 \
                 (the UI fixture has no archived pages to bundle)"
            )));
        }
        SourceAction::Approve(ids) => {
            let moved = move_refunds(w, ids, RefundState::Proposed, RefundState::Approved, None);
            Some(UndoOp::Refunds { ids: moved, from: RefundState::Proposed, to: RefundState::Approved })
        }
        SourceAction::Reject { ids, reason } => {
            let moved = move_refunds(w, ids, RefundState::Proposed, RefundState::Rejected, Some(reason));
            Some(UndoOp::Refunds { ids: moved, from: RefundState::Proposed, to: RefundState::Rejected })
        }
        SourceAction::Run(ids) => {
            move_refunds(w, ids, RefundState::Approved, RefundState::Submitted, None);
            None
        }
        SourceAction::Retry(ids) => {
            move_refunds(w, ids, RefundState::Failed, RefundState::Submitted, None);
            None
        }
        SourceAction::SettleOffline { ids, evidence } => {
            move_refunds(w, ids, RefundState::Failed, RefundState::SettledOffline, Some(evidence));
            None
        }
        SourceAction::Link { card, transaction_id, planet_user_id, external_userid } => {
            let position = card.as_ref().and_then(|c| w.cards.iter().position(|x| &x.id == c));
            let removed = position.map(|i| w.cards.remove(i));
            let name = removed
                .as_ref()
                .and_then(|c| {
                    c.candidates()
                        .find(|x| Some(&x.target) == planet_user_id.clone().map(CandidateRef::Planet).as_ref())
                        .map(|x| x.name.clone())
                })
                .unwrap_or_else(|| "?".to_string());
            let target = match (planet_user_id, external_userid) {
                (Some(p), _) => CandidateRef::Planet(p.clone()),
                (None, Some(e)) => CandidateRef::Member(e.clone()),
                (None, None) => return Err(SourceError::new("link: neither a planet user nor a group member given")),
            };
            w.links.push(LinkView {
                transaction_id: transaction_id.clone(),
                target,
                name,
                state: LinkState::Confirmed,
                score: 0.0,
                reasons: vec![Reason { text: "人工关联 (fixture)".to_string(), weight: 0.0 }],
            });
            removed.map(|card| UndoOp::Link { card, at: position.unwrap_or(0) })
        }
        SourceAction::RejectCandidate { card, candidate, .. } => {
            let c = w
                .cards
                .iter_mut()
                .find(|c| &c.id == card)
                .ok_or_else(|| SourceError::new(format!("card {card}: not found")))?;
            for x in c.planet_candidates.iter_mut().chain(c.member_candidates.iter_mut()) {
                if &x.target == candidate {
                    x.rejected = true;
                }
            }
            Some(UndoOp::RejectCandidate { card: card.clone(), target: candidate.clone() })
        }
        SourceAction::Unlink { transaction_id, target } => {
            let i = w
                .links
                .iter()
                .position(|l| &l.transaction_id == transaction_id && &l.target == target)
                .ok_or_else(|| SourceError::new(format!("payment {transaction_id}: no such link")))?;
            Some(UndoOp::Unlink { link: w.links.remove(i) })
        }
        SourceAction::Decide { item, decision, .. } => {
            let it = w
                .items
                .iter_mut()
                .find(|i| &i.id == item)
                .ok_or_else(|| SourceError::new(format!("item {item}: not found")))?;
            it.decided = Some(decision.clone());
            if let ItemDecision::Excuse { day } = decision {
                for d in it.days.iter_mut().filter(|d| d.day == *day) {
                    d.mark = DayMark::Excused;
                }
                it.counted_days += 1;
            }
            let (camp, person, name, amount) = (it.camp.clone(), it.person.clone(), it.name.clone(), it.amount);
            let refund = (matches!(decision, ItemDecision::Pass) && amount.is_some()).then(|| {
                let id = RefundId::new(format!("rf-decided-{}", w.counter));
                w.refunds.push(RefundRow {
                    id: id.clone(),
                    camp: camp.clone(),
                    person,
                    name,
                    amount: amount.unwrap_or_default(),
                    state: RefundState::Proposed,
                    via: RefundVia::Wxpay,
                    reason: "人工判定达标".to_string(),
                    executor_note: None,
                    approved_by: Vec::new(),
                    approvals_needed: 1,
                    attempts: 0,
                    updated_at: at,
                });
                id
            });
            Some(UndoOp::Decide { item: item.clone(), refund })
        }
        SourceAction::Undo(UndoToken(t)) => {
            let op = w.undo.remove(t).ok_or_else(|| SourceError::new(format!("undo {t}: unknown or already used")))?;
            undo_op(w, op)?;
            None
        }
        SourceAction::SyncNow(_) => None,
    };
    let undo = undo.map(|op| token(w, op));
    Ok(ActionOutcome { message: String::new(), undo, refused })
}

fn undo_op(w: &mut World, op: UndoOp) -> Result<(), SourceError> {
    match op {
        UndoOp::Refunds { ids, from, to } => {
            let blocked: Vec<String> = ids
                .iter()
                .filter(|id| w.refunds.iter().any(|r| &r.id == *id && r.state != to))
                .map(|id| id.to_string())
                .collect();
            if !blocked.is_empty() {
                return Err(SourceError::new(format!(
                    "cannot undo: {} already moved on (submitted or paid)",
                    blocked.join(", ")
                )));
            }
            for r in w.refunds.iter_mut().filter(|r| ids.contains(&r.id)) {
                r.state = from;
                r.executor_note = None;
                r.approved_by.retain(|a| a != "fixture");
            }
        }
        UndoOp::Link { card, at } => {
            w.links.retain(|l| !(l.transaction_id == card.payment.transaction_id && l.state == LinkState::Confirmed));
            w.cards.insert(at.min(w.cards.len()), card);
        }
        UndoOp::RejectCandidate { card, target } => {
            if let Some(c) = w.cards.iter_mut().find(|c| c.id == card) {
                for x in c.planet_candidates.iter_mut().chain(c.member_candidates.iter_mut()) {
                    if x.target == target {
                        x.rejected = false;
                    }
                }
            }
        }
        UndoOp::Unlink { link } => w.links.push(link),
        UndoOp::Decide { item, refund } => {
            if let Some(id) = refund {
                if w.refunds.iter().any(|r| r.id == id && r.state != RefundState::Proposed) {
                    return Err(SourceError::new(format!("cannot undo: refund {id} already moved on")));
                }
                w.refunds.retain(|r| r.id != id);
            }
            if let Some(it) = w.items.iter_mut().find(|i| i.id == item)
                && let Some(decision) = it.decided.take()
                && let ItemDecision::Excuse { day } = decision
            {
                for d in it.days.iter_mut().filter(|d| d.day == day) {
                    d.mark = DayMark::Missed;
                }
                it.counted_days = it.counted_days.saturating_sub(1);
            }
        }
    }
    Ok(())
}

/// Sync tasks in every state, as of `now`.
fn fixture_status(now: Timestamp) -> EngineStatus {
    let ago = |m: i64| Some(now - SignedDuration::from_mins(m));
    let task = |source: &str, camp: Option<&str>, state: TaskState, last: Option<Timestamp>| TaskStatus {
        id: TaskId::new(source, camp),
        state,
        last_success: last,
        last_counts: RunCounts { pages: 4, records: 312, changed: 7 },
        next_run: Some(now + SignedDuration::from_hours(13)),
        queued: false,
    };
    EngineStatus {
        tasks: vec![
            task(
                "wecom",
                None,
                TaskState::Running {
                    since: now - SignedDuration::from_secs(20),
                    page: 3,
                    pages_total: None,
                    records: 2400,
                    step: "bills".to_string(),
                },
                ago(180),
            ),
            task(
                "zsxq",
                Some("2511-write"),
                TaskState::BackingOff {
                    until: now + SignedDuration::from_secs(40),
                    attempt: 2,
                    reason: "1059 请求过于频繁".to_string(),
                },
                ago(95),
            ),
            task(
                "zsxq",
                Some("2511-read"),
                TaskState::Failed {
                    class: ErrorClass::Token,
                    message: "401 token 已过期: 请更新 CAMPDESK_ZSXQ_TOKEN".to_string(),
                    at: now - SignedDuration::from_mins(12),
                },
                None,
            ),
            task("zsxq", Some("2510-xhs"), TaskState::Idle, ago(3)),
            task("zsxq", Some("2509-long"), TaskState::Idle, ago(60 * 24 * 2)),
        ],
        alerts: vec![
            Alert {
                at: now - SignedDuration::from_mins(40),
                severity: Severity::Warning,
                source: "zsxq:2511-write".to_string(),
                message: "请求过于频繁 (1059), 正在退避重试".to_string(),
            },
            Alert {
                at: now - SignedDuration::from_mins(12),
                severity: Severity::Error,
                source: "zsxq:2511-read".to_string(),
                message: "知识星球 token 已过期, 同步已停止; 请更新 CAMPDESK_ZSXQ_TOKEN 后按 s 重试".to_string(),
            },
        ],
        data_version: 1,
        records_version: 0,
    }
}
