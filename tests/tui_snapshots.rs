//! Every pane and overlay rendered on ratatui's TestBackend at 80×24 and
//! 160×48 (plus English, ASCII borders and no colour), from the UI fixture:
//! Chinese names, emoji, long remarks. A property test renders random view
//! models at random sizes and checks that no line ever exceeds the width.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use campdesk::config::Lang;
use campdesk::domain::{CampId, Day, Money, RefundId, RefundState, RefundVia, TransactionId};
use campdesk::text::{display_width, grapheme_width};
use campdesk::tui::app::{App, EngineLabel, Pane};
use campdesk::tui::fixture::{FixtureSource, FixtureSpec, fixed_now};
use campdesk::tui::keymap::Keymap;
use campdesk::tui::model::{
    CampPhase, CampRow, Candidate, CandidateRef, CurvePoint, DayMark, EvidenceDay, ItemKind, Ledger, PaymentView,
    PersonRef, Reason, RefundRow, RefundTally, ReportCamp, ReportFigures, ReportView, ReviewCard, ReviewItem, Scope,
    StaffLine,
};
use campdesk::tui::source::{View, ViewQuery};
use campdesk::tui::theme::{Borders, Theme};
use campdesk::tui::update::{Command, Inbound, receive, start, update};
use campdesk::tui::{router, view};

struct Rig {
    app: App,
    fixture: FixtureSource,
}

impl Rig {
    fn new(lang: Lang, theme: Theme, size: (u16, u16)) -> Rig {
        let now = fixed_now();
        let mut app =
            App::new(lang, campdesk::domain::time::shanghai(), Keymap::default(), theme, EngineLabel::Fixture, now);
        app.size = size;
        let fixture = FixtureSource::new(now, FixtureSpec::default());
        let mut rig = Rig { app, fixture };
        let mut cmds = receive(&mut rig.app, Inbound::Status(rig.fixture.status()));
        cmds.extend(start(&mut rig.app));
        rig.settle(cmds);
        rig
    }

    fn zh(size: (u16, u16)) -> Rig {
        Rig::new(Lang::Zh, Theme::default(), size)
    }

    fn settle(&mut self, cmds: Vec<Command>) {
        let mut queue = cmds;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for c in queue {
                match c {
                    Command::Load { query, generation } => {
                        let result = self.fixture.view(&query);
                        next.extend(receive(&mut self.app, Inbound::Loaded { query, generation, result }));
                    }
                    Command::Perform { ticket, action } => {
                        let result = self.fixture.apply(action);
                        next.extend(receive(&mut self.app, Inbound::Performed { ticket, result }));
                    }
                    _ => {}
                }
            }
            queue = next;
        }
    }

    fn keys(&mut self, keys: &[KeyCode]) -> &mut Rig {
        for &k in keys {
            let mods = match k {
                KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
                _ => KeyModifiers::NONE,
            };
            if let Some(a) = router::route_key(&self.app, &KeyEvent::new(k, mods)) {
                let cmds = update(&mut self.app, a);
                self.settle(cmds);
            }
        }
        self
    }

    fn type_str(&mut self, s: &str) -> &mut Rig {
        let keys: Vec<KeyCode> = s.chars().map(KeyCode::Char).collect();
        self.keys(&keys)
    }

    fn render(&self) -> Terminal<TestBackend> {
        let mut term = Terminal::new(TestBackend::new(self.app.size.0, self.app.size.1)).unwrap();
        term.draw(|f| view::render(f, &self.app)).unwrap();
        assert_fits(term.backend().buffer());
        term
    }
}

use KeyCode::{Char, Enter};

/// No row holds more cells than the width, and no wide character is cut at the edge.
fn assert_fits(buf: &Buffer) {
    let w = buf.area.width;
    for y in 0..buf.area.height {
        let mut cells = 0usize;
        let mut x = 0;
        while x < w {
            let sym = buf[(x, y)].symbol();
            let gw = grapheme_width(sym).max(1);
            assert!(u32::from(x) + gw as u32 <= u32::from(w), "row {y}: {sym:?} at column {x} runs past width {w}");
            cells += gw;
            x += gw as u16;
        }
        assert_eq!(cells, usize::from(w), "row {y} has {cells} cells");
    }
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(name: &str, size: (u16, u16), rig: &Rig) {
    let term = rig.render();
    insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), term.backend());
}

#[test]
fn camps_pane() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('j')]);
        snap("camps", size, &rig);
    }
}

#[test]
fn review_pane_with_candidates() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('2'), Char('j'), Char('l'), Char('j')]);
        snap("review", size, &rig);
    }
}

#[test]
fn review_card_with_the_payer_found_in_the_group() {
    // The next card's group member is the payer by external_userid: a fact, shown without a score.
    let mut rig = Rig::zh((160, 48));
    rig.keys(&[Char('2'), Char('j'), Char('j')]);
    snap("review_group_fact", (160, 48), &rig);
}

#[test]
fn items_pane_with_evidence() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('3')]);
        snap("items", size, &rig);
    }
}

#[test]
fn refund_queue_with_selection() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char(' '), Char(' '), Char('j'), Char(' ')]);
        snap("refunds", size, &rig);
    }
}

#[test]
fn refund_queue_filtered_by_state() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char('v')]);
        snap("refunds_proposed", size, &rig);
    }
}

#[test]
fn filter_being_typed() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char('/')]).type_str("zs");
        snap("filter", size, &rig);
    }
}

#[test]
fn person_detail() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Enter]);
        snap("person", size, &rig);
        rig.keys(&[Char('G')]);
        snap("person_end", size, &rig);
    }
}

#[test]
fn help_overlay() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char('?')]);
        snap("help", size, &rig);
        rig.type_str("tui");
        snap("help_filtered", size, &rig);
    }
}

#[test]
fn palette_overlay() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char(':')]).type_str("ap");
        snap("palette", size, &rig);
        rig.keys(&[KeyCode::Esc, Char(':')]).type_str("scope ");
        snap("palette_scope", size, &rig);
    }
}

#[test]
fn confirm_approve_and_run() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char('v'), Char(' '), Char(' '), Char('a')]);
        snap("confirm_approve", size, &rig);
        rig.keys(&[KeyCode::Esc, KeyCode::Esc, Char('v'), Char('*'), Char('X'), Char('5')]);
        snap("confirm_run", size, &rig);
    }
}

#[test]
fn reason_prompt_and_picker() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('3'), Char('p')]).type_str("病假，有医院证明");
        snap("prompt", size, &rig);
        rig.keys(&[KeyCode::Esc, Char('2'), Char('f')]).type_str("zs");
        snap("picker", size, &rig);
    }
}

#[test]
fn reports_pane_with_charts() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('5')]);
        snap("reports", size, &rig);
        rig.keys(&[Char('j'), Char('j')]);
        snap("reports_camp", size, &rig);
    }
    let mut rig = Rig::new(Lang::En, Theme { borders: Borders::Ascii, color: false }, (100, 30));
    rig.keys(&[Char('5'), Char('j')]);
    snap("reports_ascii_en", (100, 30), &rig);
}

#[test]
fn sync_status_overlay() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('S')]);
        snap("sync_status", size, &rig);
    }
}

#[test]
fn message_log_overlay() {
    for size in SIZES {
        let mut rig = Rig::zh(size);
        rig.keys(&[Char('4'), Char('a'), KeyCode::Esc, Char('u'), Char('L')]);
        snap("messages", size, &rig);
    }
}

#[test]
fn english_panes() {
    for size in SIZES {
        let mut rig = Rig::new(Lang::En, Theme::default(), size);
        snap("en_camps", size, &rig);
        rig.keys(&[Char('4'), Char('v'), Char(' '), Char('a')]);
        snap("en_confirm", size, &rig);
    }
}

#[test]
fn ascii_borders_without_colour_still_mark_the_selection() {
    let size = (80, 24);
    let mut rig = Rig::new(Lang::Zh, Theme { borders: Borders::Ascii, color: false }, size);
    rig.keys(&[Char('4'), Char(' ')]);
    let term = rig.render();
    let buf = term.backend().buffer();
    // No colour anywhere…
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset);
        assert_eq!(cell.bg, ratatui::style::Color::Reset);
    }
    // …yet the cursor row is REVERSED with a `>` and the selected row has a `+`.
    let row_of = |needle: &str| {
        (0..buf.area.height)
            .find(|&y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>().contains(needle))
    };
    let cursor_y = row_of("|>").expect("a cursor marker");
    assert!(buf[(1, cursor_y)].modifier.contains(ratatui::style::Modifier::REVERSED));
    assert!(row_of("| +").is_some(), "a selection marker");
    // ASCII only in the chrome: no box drawing anywhere.
    assert!(
        buf.content().iter().all(|c| !('\u{2500}'..='\u{257F}').contains(&c.symbol().chars().next().unwrap_or(' ')))
    );
    insta::assert_snapshot!("ascii_mono_refunds_80x24", term.backend());
}

#[test]
fn narrow_and_tiny_terminals_do_not_break() {
    for size in [(60, 20), (40, 10), (20, 5), (1, 1)] {
        let mut rig = Rig::zh(size);
        for pane in ['1', '2', '3', '4'] {
            rig.keys(&[Char(pane)]);
            rig.render();
        }
        rig.keys(&[Enter]);
        rig.render();
        rig.keys(&[KeyCode::Esc, Char('?')]);
        rig.render();
    }
}

// ------------------------------------------------------------ property test

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("张三".to_string()),
        Just("🌸小美".to_string()),
        Just("👨‍👩‍👧三口之家".to_string()),
        Just("❤️ 晴天".to_string()),
        Just("Ａｌｉｃｅ（李四）①".to_string()),
        Just("e\u{301}milie".to_string()),
        Just("第一行\n第二行\t制表".to_string()),
        Just("一个名字特别特别长的星球用户昵称用来测试截断一个名字特别特别长的星球用户昵称".to_string()),
        "\\PC{0,24}",
    ]
}

fn money() -> impl Strategy<Value = Money> {
    (0i64..10_000_000).prop_map(Money::from_fen)
}

fn day() -> impl Strategy<Value = Day> {
    (0i32..60).prop_map(|n| Day::new(2025, 10, 1).unwrap().plus_days(n))
}

fn camp() -> impl Strategy<Value = CampRow> {
    (text(), text(), day(), 1u32..30, money(), 0u32..2000).prop_map(|(id, name, start, days, deposit, n)| CampRow {
        id: CampId::new(id),
        name,
        start,
        end: start.plus_days(days as i32 - 1),
        required: days.min(7),
        days,
        deposit,
        refund_via: RefundVia::Wxpay,
        phase: CampPhase::Running { day: 1, days },
        paid: n,
        members: n * 2,
        passing: n / 2,
        borderline: n / 5,
        anomalies: n / 7,
        unmatched: n / 9,
        ledger: Ledger { deposits: deposit, refunded: deposit, in_flight: deposit, forfeited: deposit },
        batch_cap: None,
    })
}

fn figures() -> impl Strategy<Value = ReportFigures> {
    (0u32..5000, money(), money(), proptest::collection::vec((0u32..3000, any::<bool>()), 0..40), 0usize..7, text())
        .prop_map(|(n, a, b, curve, s, _)| ReportFigures {
            paid: n,
            joined: n / 2,
            checked_in: n / 3,
            passed: n / 4,
            borderline: n / 5,
            failed: n / 6,
            unlinked: n / 7,
            collected: a,
            refunded: b,
            forfeited: a,
            pending: b,
            anomalies: Money::from_fen(i64::from(n)),
            difference: Money::from_fen(-i64::from(n % 3)),
            ledger_errors: n % 3,
            refunds: vec![RefundTally {
                executor: RefundVia::Wxpay,
                state: RefundState::ALL[s],
                stale: s % 2 == 0,
                count: n,
                amount: a,
            }],
            curve: curve
                .into_iter()
                .enumerate()
                .map(|(i, (c, future))| CurvePoint { day_number: i as u32 + 1, checked_in: c, members: n, future })
                .collect(),
        })
}

fn report_view(camps: &[CampRow], figs: &[ReportFigures]) -> ReportView {
    ReportView {
        today: camps.first().map_or(Day::from_date(jiff::civil::date(2025, 11, 5)), |c| c.start),
        camps: camps
            .iter()
            .zip(figs.iter().cycle())
            .map(|(c, f)| ReportCamp {
                id: c.id.clone(),
                name: c.name.clone(),
                start: c.start,
                end: c.end,
                required: c.required,
                days: c.days,
                phase: c.phase,
                coaches: vec![c.name.clone()],
                volunteers: Vec::new(),
                figures: f.clone(),
            })
            .collect(),
        total: figs.first().cloned().unwrap_or_default(),
        staff: camps
            .iter()
            .map(|c| StaffLine {
                name: c.name.clone(),
                coach: true,
                camps: vec![c.id.clone()],
                paid: c.paid,
                passed: c.passing,
            })
            .collect(),
    }
}

fn refund_row() -> impl Strategy<Value = RefundRow> {
    (text(), text(), text(), money(), 0usize..7).prop_map(|(id, name, reason, amount, s)| RefundRow {
        id: RefundId::new(id),
        camp: CampId::new("c"),
        person: PersonRef::default(),
        name,
        amount,
        state: RefundState::ALL[s],
        via: RefundVia::WecomClient,
        reason: reason.clone(),
        executor_note: Some(reason),
        approved_by: Vec::new(),
        approvals_needed: 2,
        attempts: 1,
        updated_at: fixed_now(),
    })
}

fn card() -> impl Strategy<Value = ReviewCard> {
    (text(), text(), text(), money(), proptest::collection::vec((text(), text()), 0..4)).prop_map(
        |(payer, remark, why, amount, cands)| ReviewCard {
            id: format!("card-{payer}"),
            payment: PaymentView {
                transaction_id: TransactionId::new(format!("tx{}", payer.len())),
                camp: Some(CampId::new("c")),
                payer_name: Some(payer),
                remark,
                amount,
                paid_at: fixed_now(),
                external_userid: None,
            },
            why,
            planet_candidates: cands
                .iter()
                .map(|(n, r)| Candidate {
                    target: CandidateRef::Planet(n.as_str().into()),
                    name: n.clone(),
                    detail: Some(r.clone()),
                    score: -3.5,
                    reasons: vec![Reason { text: r.clone(), weight: 1.25 }],
                    rejected: true,
                })
                .collect(),
            member_candidates: Vec::new(),
        },
    )
}

fn item() -> impl Strategy<Value = ReviewItem> {
    (text(), text(), proptest::collection::vec((text(), 0usize..6), 0..25)).prop_map(|(name, summary, days)| {
        ReviewItem {
            id: format!("i-{name}"),
            camp: CampId::new("c"),
            kind: ItemKind::Other(summary.clone()),
            person: PersonRef::default(),
            name,
            summary,
            counted_days: 3,
            required_days: 7,
            rank: Some(3),
            ranking_days: Some(4),
            days: days
                .into_iter()
                .enumerate()
                .map(|(i, (w, m))| EvidenceDay {
                    day: Day::new(2025, 10, 1).unwrap().plus_days(i as i32),
                    mark: [
                        DayMark::Done,
                        DayMark::Missed,
                        DayMark::Excused,
                        DayMark::MadeUp,
                        DayMark::Short,
                        DayMark::Future,
                    ][m],
                    posted_at: Some(fixed_now()),
                    first_words: Some(w),
                    posts: 2,
                })
                .collect(),
            amount: Some(Money::from_fen(3900)),
            decided: None,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_rendered_line_exceeds_the_width(
        camps in proptest::collection::vec(camp(), 0..6),
        refunds in proptest::collection::vec(refund_row(), 0..30),
        cards in proptest::collection::vec(card(), 0..6),
        items in proptest::collection::vec(item(), 0..6),
        figs in proptest::collection::vec(figures(), 1..4),
        w in 1u16..200,
        h in 1u16..60,
        ascii in any::<bool>(),
        lang_en in any::<bool>(),
        filter in text(),
    ) {
        let theme = Theme { borders: if ascii { Borders::Ascii } else { Borders::Unicode }, color: true };
        let lang = if lang_en { Lang::En } else { Lang::Zh };
        let mut app = App::new(lang, campdesk::domain::time::shanghai(), Keymap::default(), theme, EngineLabel::Fixture, fixed_now());
        app.size = (w, h);
        let cmds = start(&mut app);
        for c in cmds {
            if let Command::Load { query, generation } = c {
                let view = match &query {
                    ViewQuery::Camps => View::Camps(camps.clone()),
                    ViewQuery::Review(_) => View::Review(cards.clone()),
                    ViewQuery::Items(_) => View::Items(items.clone()),
                    ViewQuery::Report(_) => View::Report(Box::new(report_view(&camps, &figs))),
                    _ => View::Refunds(refunds.clone()),
                };
                receive(&mut app, Inbound::Loaded { query, generation, result: Ok(view) });
            }
        }
        for pane in Pane::ALL {
            app.pane = pane;
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| view::render(f, &app)).unwrap();
            assert_fits(term.backend().buffer());
            // The text form (as snapshots and tmux see it) fits too.
            for line in term.backend().to_string().lines() {
                let quoted = line.split(" Hidden by multi-width symbols").next().unwrap_or(line);
                let text = quoted.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(quoted);
                prop_assert!(display_width(text) <= usize::from(w), "{text:?} wider than {w}");
            }
        }
        app.pane = Pane::Refunds;
        update(&mut app, campdesk::tui::action::Action::Do(campdesk::tui::action::ActionId::Filter));
        for c in filter.chars() {
            update(&mut app, campdesk::tui::action::Action::Input(c));
        }
        update(&mut app, campdesk::tui::action::Action::Do(campdesk::tui::action::ActionId::Help));
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| view::render(f, &app)).unwrap();
        assert_fits(term.backend().buffer());
        let _ = Scope::All;
    }
}
