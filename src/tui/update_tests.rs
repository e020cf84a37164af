//! `update` and `receive` without a terminal: keys in, state and commands out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::config::Lang;
use crate::domain::RefundVia;
use crate::tui::app::{EngineLabel, Overlay};
use crate::tui::fixture::{FixtureSource, FixtureSpec, fixed_now};
use crate::tui::keymap::Keymap;
use crate::tui::model::{PersonRef, RefundRow};
use crate::tui::router;
use crate::tui::theme::Theme;

/// An app wired to the fixture; loads and actions are answered synchronously.
struct Rig {
    app: App,
    fixture: FixtureSource,
    /// Actions the source performed, in order.
    performed: Vec<SourceAction>,
}

impl Rig {
    fn new() -> Rig {
        Rig::with_keymap(Keymap::default())
    }

    fn with_keymap(keymap: Keymap) -> Rig {
        let now = fixed_now();
        let mut app =
            App::new(Lang::Zh, crate::domain::time::shanghai(), keymap, Theme::default(), EngineLabel::Fixture, now);
        app.size = (160, 48);
        let fixture = FixtureSource::new(now, FixtureSpec::default());
        let mut rig = Rig { app, fixture, performed: Vec::new() };
        let mut cmds = receive(&mut rig.app, Inbound::Status(rig.fixture.status()));
        cmds.extend(start(&mut rig.app));
        rig.settle(cmds);
        rig
    }

    /// Answers loads and performs actions until only terminal commands remain; returns those.
    fn settle(&mut self, cmds: Vec<Command>) -> Vec<Command> {
        let mut queue = cmds;
        let mut rest = Vec::new();
        while !queue.is_empty() {
            let mut next = Vec::new();
            for c in queue {
                match c {
                    Command::Load { query, generation } => {
                        let result = self.fixture.view(&query);
                        next.extend(receive(&mut self.app, Inbound::Loaded { query, generation, result }));
                    }
                    Command::Perform { ticket, action } => {
                        self.performed.push(action.clone());
                        let result = self.fixture.apply(action);
                        next.extend(receive(&mut self.app, Inbound::Performed { ticket, result }));
                    }
                    other => rest.push(other),
                }
            }
            queue = next;
        }
        rest
    }

    /// A key through the router and `update`, commands returned unanswered.
    fn key_raw(&mut self, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
        match router::route_key(&self.app, &KeyEvent::new(code, mods)) {
            Some(a) => update(&mut self.app, a),
            None => Vec::new(),
        }
    }

    /// A key, with loads and actions answered.
    fn key(&mut self, code: KeyCode) -> Vec<Command> {
        let cmds = self.key_raw(code, KeyModifiers::NONE);
        self.settle(cmds)
    }

    fn chars(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn refund_names(&self) -> Vec<String> {
        self.app.refunds.list.visible.iter().map(|&i| self.app.refunds.rows.items[i].name.clone()).collect()
    }

    fn current_refund(&self) -> &RefundRow {
        let i = self.app.refunds.list.current().expect("a refund under the cursor");
        &self.app.refunds.rows.items[i]
    }

    /// Puts the cursor on the first visible refund in `state`.
    fn cursor_to_state(&mut self, state: RefundState) {
        let r = &mut self.app.refunds;
        let pos = r.list.visible.iter().position(|&i| r.rows.items[i].state == state).expect("a row in that state");
        r.list.cursor = pos;
    }
}

fn refund(id: &str, name: &str, state: RefundState, fen: i64) -> RefundRow {
    RefundRow {
        id: RefundId::new(id),
        camp: CampId::new("2510-xhs"),
        person: PersonRef::default(),
        name: name.to_string(),
        amount: Money::from_fen(fen),
        state,
        via: RefundVia::Wxpay,
        reason: "通过 8/10".to_string(),
        executor_note: None,
        approved_by: Vec::new(),
        approvals_needed: 1,
        attempts: 0,
        updated_at: fixed_now(),
    }
}

/// Replaces the refund queue with `rows`.
fn load_refunds(rig: &mut Rig, rows: Vec<RefundRow>) {
    let generation = rig.app.refunds.rows.generation;
    receive(
        &mut rig.app,
        Inbound::Loaded { query: ViewQuery::Refunds(Scope::All), generation, result: Ok(View::Refunds(rows)) },
    );
}

#[test]
fn start_loads_every_pane_and_numbers_switch_panes() {
    let mut rig = Rig::new();
    assert!(rig.app.camps.rows.loaded && rig.app.review.rows.loaded && rig.app.items.rows.loaded);
    assert!(!rig.app.refunds.rows.items.is_empty());
    assert_eq!(rig.app.pane, Pane::Camps);
    rig.key(KeyCode::Char('4'));
    assert_eq!(rig.app.pane, Pane::Refunds);
    rig.key(KeyCode::Tab);
    assert_eq!(rig.app.pane, Pane::Reports);
    rig.key(KeyCode::Tab);
    assert_eq!(rig.app.pane, Pane::Camps, "Tab wraps around");
    rig.key(KeyCode::BackTab);
    assert_eq!(rig.app.pane, Pane::Reports);
    rig.key(KeyCode::Char('5'));
    assert_eq!(rig.app.pane, Pane::Reports);
}

#[test]
fn the_reports_pane_loads_its_figures_and_enter_scopes_to_a_camp() {
    let mut rig = Rig::new();
    assert!(rig.app.reports.rows.loaded);
    let n = rig.app.reports.rows.items.len();
    assert!(n >= 2);
    let paid: u32 = rig.app.reports.rows.items.iter().map(|c| c.figures.paid).sum();
    assert_eq!(rig.app.reports.total.paid, paid, "the totals line adds the camps up");
    rig.key(KeyCode::Char('5'));
    assert_eq!(rig.app.reports.current(), None, "the cursor starts on the totals line");
    rig.key(KeyCode::Char('j'));
    let first = rig.app.reports.current().unwrap().id.clone();
    rig.key(KeyCode::Enter);
    assert_eq!(rig.app.scope, Scope::Camp(first.clone()));
    assert_eq!(rig.app.reports.rows.items.len(), 1, "the pane follows the scope");
    assert_eq!(rig.app.reports.rows.items[0].id, first);
    rig.key(KeyCode::Char('0'));
    assert_eq!(rig.app.reports.rows.items.len(), n);
}

#[test]
fn the_evidence_key_asks_the_source_for_the_open_persons_bundle() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.key(KeyCode::Enter);
    let txn = rig.app.person.as_ref().unwrap().person.transaction_id.clone().unwrap();
    let cmds = update(&mut rig.app, Action::Do(ActionId::Evidence));
    let asked: Vec<&SourceAction> = cmds
        .iter()
        .filter_map(|c| match c {
            Command::Perform { action, .. } => Some(action),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec![&SourceAction::Evidence { transaction_id: txn, dir: None }]);
    rig.settle(cmds);
    // The fixture has no archived pages: it says so, and the message stays on screen.
    let toast = rig.app.current_toast().unwrap();
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.contains("证据包"), "{}", toast.text);
}

#[test]
fn cursor_moves_clamp_and_page() {
    let mut rig = Rig::new();
    let rows: Vec<RefundRow> =
        (0..200).map(|i| refund(&format!("r{i}"), &format!("李{i}"), RefundState::Proposed, 3900)).collect();
    load_refunds(&mut rig, rows);
    rig.key(KeyCode::Char('4'));
    assert_eq!(rig.app.refunds.list.cursor, 0);
    rig.key(KeyCode::Char('k'));
    assert_eq!(rig.app.refunds.list.cursor, 0, "no wrap above the top");
    rig.key(KeyCode::Char('j'));
    rig.key(KeyCode::Down);
    assert_eq!(rig.app.refunds.list.cursor, 2);
    rig.key(KeyCode::Char('G'));
    assert_eq!(rig.app.refunds.list.cursor, 199);
    let height = layout::list_height(&rig.app, Pane::Refunds);
    assert!(rig.app.refunds.list.offset + height > 199, "the cursor row is scrolled into view");
    rig.key(KeyCode::Char('g'));
    assert_eq!((rig.app.refunds.list.cursor, rig.app.refunds.list.offset), (0, 0));
    rig.key(KeyCode::PageDown);
    assert_eq!(rig.app.refunds.list.cursor, height);
    rig.key_raw(KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(rig.app.refunds.list.cursor, height + height / 2);
    rig.key(KeyCode::PageUp);
    assert_eq!(rig.app.refunds.list.cursor, height / 2);
}

#[test]
fn space_selects_and_totals_follow() {
    let mut rig = Rig::new();
    load_refunds(
        &mut rig,
        vec![
            refund("a", "张三", RefundState::Proposed, 3900),
            refund("b", "李四", RefundState::Proposed, 4900),
            refund("c", "王五", RefundState::Approved, 2900),
        ],
    );
    rig.key(KeyCode::Char('4'));
    rig.key(KeyCode::Char(' '));
    rig.key(KeyCode::Char(' '));
    assert_eq!(rig.app.refunds.selected.len(), 2);
    assert_eq!(rig.app.refunds.selected.total(), Money::from_fen(8800));
    assert_eq!(rig.app.refunds.list.cursor, 2, "space moves down");
    rig.key(KeyCode::Char('k'));
    rig.key(KeyCode::Char(' '));
    assert_eq!(rig.app.refunds.selected.total(), Money::from_fen(3900), "space again unselects");
    rig.key(KeyCode::Char('*'));
    assert_eq!(rig.app.refunds.selected.len(), 3);
    assert_eq!(rig.app.refunds.selected.total(), Money::from_fen(11700));
    rig.key(KeyCode::Char('*'));
    assert!(rig.app.refunds.selected.is_empty(), "* again clears");
    rig.key(KeyCode::Char(' '));
    rig.key(KeyCode::Esc);
    assert!(rig.app.refunds.selected.is_empty(), "Esc clears the selection");
    assert_eq!(rig.app.refunds.selected.total(), Money::ZERO);
}

#[test]
fn filter_by_pinyin_initials_finds_zhang_san() {
    let mut rig = Rig::new();
    load_refunds(
        &mut rig,
        vec![
            refund("a", "李四", RefundState::Proposed, 3900),
            refund("b", "张三", RefundState::Proposed, 3900),
            refund("c", "王五", RefundState::Proposed, 3900),
            refund("d", "🌸小美", RefundState::Proposed, 3900),
        ],
    );
    rig.key(KeyCode::Char('4'));
    rig.key(KeyCode::Char('/'));
    assert!(rig.app.refunds.list.filtering);
    rig.chars("zs");
    assert_eq!(rig.refund_names(), vec!["张三"]);
    assert_eq!(rig.app.refunds.visible_total, Money::from_fen(3900));
    // While typing, j is a letter, not a move.
    rig.key(KeyCode::Backspace);
    rig.key(KeyCode::Backspace);
    rig.chars("xm");
    assert_eq!(rig.refund_names(), vec!["🌸小美"]);
    rig.key(KeyCode::Enter);
    assert!(!rig.app.refunds.list.filtering, "Enter keeps the filter and stops typing");
    assert_eq!(rig.app.refunds.list.filter.text(), "xm");
    rig.key(KeyCode::Char('j'));
    assert_eq!(rig.app.refunds.list.filter.text(), "xm", "j moves again once typing stopped");
    rig.key(KeyCode::Esc);
    assert_eq!(rig.refund_names().len(), 4, "Esc clears the filter");
}

#[test]
fn each_pane_keeps_its_own_filter() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('3'));
    rig.key(KeyCode::Char('/'));
    rig.chars("zzzzqqq");
    rig.key(KeyCode::Enter);
    assert!(rig.app.items.list.visible.is_empty());
    rig.key(KeyCode::Char('4'));
    assert!(!rig.app.refunds.list.visible.is_empty());
    rig.key(KeyCode::Char('3'));
    assert_eq!(rig.app.items.list.filter.text(), "zzzzqqq");
}

#[test]
fn money_confirmation_defaults_to_cancel() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.cursor_to_state(RefundState::Proposed);
    let id = rig.current_refund().id.clone();
    let cmds = rig.key_raw(KeyCode::Char('a'), KeyModifiers::NONE);
    assert!(cmds.is_empty(), "nothing runs before the confirmation");
    let Some(Overlay::Confirm(c)) = &rig.app.overlay else { panic!("a confirmation opens") };
    assert!(!c.on_confirm, "the focus starts on Cancel");
    assert!(c.lines[0].starts_with("1 笔, 合计 ¥"), "{:?}", c.lines);
    let cmds = rig.key_raw(KeyCode::Enter, KeyModifiers::NONE);
    assert!(cmds.is_empty(), "Enter on Cancel runs nothing");
    assert!(rig.app.overlay.is_none());
    assert_eq!(rig.current_refund().state, RefundState::Proposed);
    // Now on purpose: a, Tab to Confirm, Enter.
    rig.key(KeyCode::Char('a'));
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Enter);
    assert_eq!(rig.performed, vec![SourceAction::Approve(vec![id.clone()])]);
    let row = rig.app.refunds.rows.items.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.state, RefundState::Approved);
}

#[test]
fn escape_and_q_cancel_a_confirmation() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.cursor_to_state(RefundState::Proposed);
    for key in [KeyCode::Esc, KeyCode::Char('q')] {
        rig.key(KeyCode::Char('a'));
        rig.key(KeyCode::Tab);
        rig.key(key);
        assert!(rig.app.overlay.is_none());
        assert!(!rig.app.quit, "q in a dialog cancels, it does not quit");
    }
    assert!(rig.performed.is_empty());
}

#[test]
fn running_several_refunds_needs_the_count_typed() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.app.refunds.state = Some(RefundState::Approved);
    recompute(&mut rig.app, Pane::Refunds);
    let n = rig.app.refunds.list.visible.len();
    assert!(n >= 2, "the fixture has approved refunds");
    rig.key(KeyCode::Char('*'));
    rig.key(KeyCode::Char('X'));
    let Some(Overlay::Confirm(c)) = &rig.app.overlay else { panic!("a confirmation opens") };
    assert_eq!(c.typed_required.as_deref(), Some(n.to_string().as_str()));
    assert!(c.lines.iter().any(|l| l.contains("不可撤销")), "{:?}", c.lines);
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Enter);
    assert!(rig.performed.is_empty(), "Confirm without the count does nothing");
    assert!(rig.app.overlay.is_some());
    rig.chars(&(n + 1).to_string());
    rig.key(KeyCode::Enter);
    assert!(rig.performed.is_empty(), "a wrong count does nothing");
    for _ in 0..4 {
        rig.key(KeyCode::Backspace);
    }
    rig.chars(&n.to_string());
    rig.key(KeyCode::Enter);
    assert!(matches!(&rig.performed[..], [SourceAction::Run(ids)] if ids.len() == n));
    assert!(rig.app.refunds.selected.is_empty(), "acted-on rows leave the selection");
}

#[test]
fn actions_skip_rows_in_the_wrong_state_and_say_so() {
    let mut rig = Rig::new();
    load_refunds(
        &mut rig,
        vec![refund("a", "张三", RefundState::Succeeded, 3900), refund("b", "李四", RefundState::Proposed, 4900)],
    );
    rig.key(KeyCode::Char('4'));
    rig.key(KeyCode::Char('a'));
    assert!(rig.app.overlay.is_none(), "nothing to approve on a succeeded row");
    assert!(rig.app.current_toast().unwrap().text.contains("待审"));
    rig.key(KeyCode::Char('*'));
    rig.key(KeyCode::Char('a'));
    let Some(Overlay::Confirm(c)) = &rig.app.overlay else { panic!("a confirmation opens") };
    assert!(matches!(&c.action, SourceAction::Approve(ids) if ids == &vec![RefundId::new("b")]));
    assert!(c.lines.iter().any(|l| l.contains("跳过 1 笔")), "{:?}", c.lines);
}

#[test]
fn undo_reverts_an_approval_and_refuses_after_money_moved() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('u'));
    assert!(rig.app.current_toast().unwrap().text.contains("没有可撤销"));
    rig.key(KeyCode::Char('4'));
    rig.cursor_to_state(RefundState::Proposed);
    let id = rig.current_refund().id.clone();
    rig.key(KeyCode::Char('a'));
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Enter);
    assert_eq!(rig.app.undo.len(), 1);
    rig.key(KeyCode::Char('u'));
    assert!(matches!(rig.performed.last(), Some(SourceAction::Undo(_))));
    let row = rig.app.refunds.rows.items.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.state, RefundState::Proposed, "the approval is taken back");
    assert!(rig.app.undo.is_empty(), "an undo is not itself undone");

    // Approve, run: the run cannot be undone, and then neither can the approval.
    let rows_before = rig.performed.len();
    let pos = rig.app.refunds.list.visible.iter().position(|&i| rig.app.refunds.rows.items[i].id == id).unwrap();
    rig.app.refunds.list.cursor = pos;
    rig.key(KeyCode::Char('a'));
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Enter);
    let pos = rig.app.refunds.list.visible.iter().position(|&i| rig.app.refunds.rows.items[i].id == id).unwrap();
    rig.app.refunds.list.cursor = pos;
    rig.key(KeyCode::Char('X'));
    rig.key(KeyCode::Tab);
    rig.key(KeyCode::Enter);
    assert_eq!(rig.performed.len(), rows_before + 2);
    let cmds = rig.key_raw(KeyCode::Char('u'), KeyModifiers::NONE);
    assert!(cmds.is_empty(), "nothing is sent for an irreversible action");
    assert!(rig.app.current_toast().unwrap().text.contains("不可撤销"));
    rig.key(KeyCode::Char('u'));
    let last = rig.app.log.last().unwrap();
    assert_eq!(last.level, Level::Error, "the source refuses: {}", last.text);
    let row = rig.app.refunds.rows.items.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.state, RefundState::Submitted);
}

#[test]
fn reject_asks_for_a_reason_and_refuses_an_empty_one() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.cursor_to_state(RefundState::Proposed);
    let id = rig.current_refund().id.clone();
    rig.key(KeyCode::Char('r'));
    assert!(matches!(&rig.app.overlay, Some(Overlay::Prompt(_))));
    rig.key(KeyCode::Enter);
    let Some(Overlay::Prompt(p)) = &rig.app.overlay else { panic!("the prompt stays open") };
    assert!(p.empty_error);
    rig.chars("重复报名, 已私下退款");
    rig.key(KeyCode::Enter);
    assert_eq!(rig.performed, vec![SourceAction::Reject { ids: vec![id], reason: "重复报名, 已私下退款".to_string() }]);
    assert!(rig.app.overlay.is_none());
}

#[test]
fn review_links_the_chosen_candidate_only() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('2'));
    let before = rig.app.review.rows.items.len();
    rig.key(KeyCode::Char('m'));
    assert!(rig.performed.is_empty(), "no candidate chosen yet");
    rig.key(KeyCode::Char('l'));
    rig.key(KeyCode::Char('j'));
    let card = rig.app.review.rows.items[rig.app.review.list.current().unwrap()].clone();
    let chosen = card.candidates().nth(1).unwrap().clone();
    rig.key(KeyCode::Char('m'));
    let Some(SourceAction::Link { transaction_id, planet_user_id, .. }) = rig.performed.last() else {
        panic!("a link was sent: {:?}", rig.performed)
    };
    assert_eq!(transaction_id, &card.payment.transaction_id);
    assert_eq!(Some(crate::tui::model::CandidateRef::Planet(planet_user_id.clone().unwrap())), Some(chosen.target));
    assert_eq!(rig.app.review.rows.items.len(), before - 1, "the card leaves the list after the reload");
    rig.key(KeyCode::Char('u'));
    assert_eq!(rig.app.review.rows.items.len(), before, "undo brings it back");
}

#[test]
fn excuse_works_only_on_a_missed_day() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('3'));
    let pos = rig
        .app
        .items
        .list
        .visible
        .iter()
        .position(|&i| rig.app.items.rows.items[i].days.iter().any(|d| d.mark == crate::tui::model::DayMark::Missed))
        .unwrap();
    rig.app.items.list.cursor = pos;
    let item = rig.app.items.rows.items[rig.app.items.list.current().unwrap()].clone();
    let done = item.days.iter().position(|d| d.mark == crate::tui::model::DayMark::Done);
    if let Some(done) = done {
        rig.app.items.day = done;
        rig.key(KeyCode::Char('e'));
        assert!(rig.app.overlay.is_none(), "a done day cannot be excused");
    }
    let missed = item.days.iter().position(|d| d.mark == crate::tui::model::DayMark::Missed).unwrap();
    rig.app.items.day = missed;
    rig.key(KeyCode::Char('e'));
    rig.chars("病假, 有医院证明");
    rig.key(KeyCode::Enter);
    assert_eq!(
        rig.performed,
        vec![SourceAction::Decide {
            item: item.id.clone(),
            decision: crate::tui::model::ItemDecision::Excuse { day: item.days[missed].day },
            reason: "病假, 有医院证明".to_string()
        }]
    );
}

#[test]
fn enter_opens_the_person_and_y_copies_the_member_text() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('4'));
    rig.key(KeyCode::Enter);
    let page = rig.app.person.as_ref().expect("the person page opens");
    let message = page.detail.as_ref().and_then(|d| d.member_message.clone()).expect("a member message");
    assert_eq!(rig.app.context(), crate::tui::action::Context::Person);
    let cmds = rig.key(KeyCode::Char('y'));
    assert_eq!(cmds, vec![Command::Copy(message)]);
    receive(&mut rig.app, Inbound::Copied(Ok(())));
    assert_eq!(rig.app.current_toast().unwrap().text, "已复制 (OSC 52)");
    rig.key(KeyCode::Esc);
    assert!(rig.app.person.is_none());
    // From the list, y fetches the person first and copies when it arrives.
    let cmds = rig.key(KeyCode::Char('y'));
    assert!(matches!(&cmds[..], [Command::Copy(_)]), "{cmds:?}");
}

#[test]
fn scope_change_drops_stale_replies() {
    let mut rig = Rig::new();
    let old_gen = rig.app.refunds.rows.generation;
    let cmds = update(&mut rig.app, Action::SetScope(Scope::Camp(CampId::new("2510-xhs"))));
    assert!(cmds.iter().any(|c| matches!(c, Command::Load { query: ViewQuery::Refunds(Scope::Camp(_)), .. })));
    // A late reply for the old scope must not overwrite the new one.
    receive(
        &mut rig.app,
        Inbound::Loaded {
            query: ViewQuery::Refunds(Scope::All),
            generation: old_gen,
            result: Ok(View::Refunds(vec![refund("stale", "过期", RefundState::Proposed, 100)])),
        },
    );
    assert!(rig.app.refunds.rows.items.iter().all(|r| r.id.as_str() != "stale"));
    rig.settle(cmds);
    assert!(rig.app.refunds.rows.items.iter().all(|r| r.camp.as_str() == "2510-xhs"));
}

#[test]
fn a_data_version_bump_reloads_the_views() {
    let mut rig = Rig::new();
    let mut status = rig.fixture.status();
    let cmds = receive(&mut rig.app, Inbound::Status(status.clone()));
    assert!(cmds.is_empty(), "same version, nothing to reload");
    status.data_version += 1;
    let cmds = receive(&mut rig.app, Inbound::Status(status.clone()));
    assert_eq!(cmds.iter().filter(|c| matches!(c, Command::Load { .. })).count(), 5);
    // More changes while those loads are out: no new loads now…
    for _ in 0..5 {
        status.data_version += 1;
        assert!(receive(&mut rig.app, Inbound::Status(status.clone())).is_empty());
    }
    // …and exactly one more per pane when each arrives.
    let mut again = Vec::new();
    for c in cmds {
        if let Command::Load { query, generation } = c {
            let result = rig.fixture.view(&query);
            again.extend(receive(&mut rig.app, Inbound::Loaded { query, generation, result }));
        }
    }
    assert_eq!(again.iter().filter(|c| matches!(c, Command::Load { .. })).count(), 5);
    rig.settle(again);
    assert!(!rig.app.refunds.rows.loading);
}

#[test]
fn palette_runs_actions_and_scopes_and_shows_effective_keys() {
    let overrides = vec![("approve".to_string(), vec!["A".to_string()])];
    let mut rig = Rig::with_keymap(Keymap::with_overrides(&overrides, "keys.toml"));
    rig.key(KeyCode::Char(':'));
    rig.chars("approve");
    let entries = crate::tui::palette::entries(&rig.app, "approve");
    assert_eq!(entries[0].command, "approve");
    assert_eq!(entries[0].keys, "A", "the palette shows the key from the file");
    rig.key(KeyCode::Esc);
    rig.key(KeyCode::Char(':'));
    rig.chars("scope 2511-write");
    rig.key(KeyCode::Enter);
    assert_eq!(rig.app.scope, Scope::Camp(CampId::new("2511-write")));
    assert!(rig.app.refunds.rows.items.iter().all(|r| r.camp.as_str() == "2511-write"));
    rig.key(KeyCode::Char(':'));
    rig.chars("scope nowhere");
    rig.key(KeyCode::Enter);
    assert!(rig.app.current_toast().unwrap().text.contains("nowhere"));
    rig.key(KeyCode::Char(':'));
    rig.chars("state failed");
    rig.key(KeyCode::Enter);
    assert_eq!(rig.app.refunds.state, Some(RefundState::Failed));
    let help = crate::tui::view::help_text(&rig.app, "approve");
    assert!(help.contains('A') && help.contains("批准退款"), "{help}");
}

#[test]
fn help_filters_by_typing_and_q_types_instead_of_quitting() {
    let mut rig = Rig::new();
    rig.key(KeyCode::Char('?'));
    rig.chars("quit");
    assert!(!rig.app.quit);
    let Some(Overlay::Help { input, .. }) = &rig.app.overlay else { panic!("help is open") };
    assert_eq!(input.text(), "quit");
    let text = crate::tui::view::help_text(&rig.app, "quit");
    assert!(text.contains("退出") && !text.contains("批准退款"), "{text}");
    rig.key(KeyCode::Esc);
    assert!(rig.app.overlay.is_none());
    let cmds = rig.key(KeyCode::Char('q'));
    assert_eq!(cmds, vec![Command::Quit]);
    assert!(rig.app.quit);
}

#[test]
fn ctrl_c_always_quits() {
    let mut rig = Rig::new();
    for opener in [':', '?', '/'] {
        let mut rig = Rig::new();
        rig.key(KeyCode::Char('4'));
        rig.key(KeyCode::Char(opener));
        let cmds = rig.key_raw(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(cmds, vec![Command::Quit], "after {opener}");
        assert!(rig.app.quit);
    }
    rig.key(KeyCode::Char('4'));
    rig.cursor_to_state(RefundState::Proposed);
    rig.key(KeyCode::Char('a'));
    let cmds = rig.key_raw(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(cmds, vec![Command::Quit], "in a confirmation");
}

#[test]
fn failed_actions_stay_on_screen_until_dismissed() {
    let mut rig = Rig::new();
    let ticket = rig.app.next_id();
    rig.app.in_flight.insert(
        ticket,
        InFlight { label: "批准 1 笔".into(), pending: vec!["x".into()], is_undo: false, irreversible: false },
    );
    assert!(rig.app.is_pending("x"));
    receive(&mut rig.app, Inbound::Performed { ticket, result: Err(SourceError::new("store is busy")) });
    assert!(!rig.app.is_pending("x"));
    let far = rig.app.now + jiff::SignedDuration::from_hours(1);
    receive(&mut rig.app, Inbound::Tick(far));
    let toast = rig.app.current_toast().expect("errors do not expire");
    assert!(toast.text.contains("store is busy"));
    rig.key(KeyCode::Esc);
    assert!(rig.app.current_toast().is_none());
}

#[test]
fn mouse_clicks_pick_tabs_and_rows_and_a_second_click_opens() {
    let mut rig = Rig::new();
    // The tab bar is row 1; find the column of the refund tab's label.
    let col = (0..rig.app.size.0).find(|&x| crate::tui::view::tab_at(&rig.app, x) == Some(3)).unwrap();
    let cmds = update(&mut rig.app, Action::Click { x: col, y: 1 });
    rig.settle(cmds);
    assert_eq!(rig.app.pane, Pane::Refunds);
    let rows = layout::list_rows(&rig.app, Pane::Refunds);
    let cmds = update(&mut rig.app, Action::Click { x: rows.x + 3, y: rows.y + 2 });
    rig.settle(cmds);
    assert_eq!(rig.app.refunds.list.cursor, 2);
    assert!(rig.app.person.is_none());
    let cmds = update(&mut rig.app, Action::Click { x: rows.x + 3, y: rows.y + 2 });
    rig.settle(cmds);
    assert!(rig.app.person.is_some(), "clicking the picked row again opens it");
    let cmds = update(&mut rig.app, Action::Scroll(3));
    assert!(cmds.is_empty());
}

#[test]
fn keys_file_warnings_are_shown_at_start() {
    let overrides = vec![("fly".to_string(), vec!["z".to_string()])];
    let rig = Rig::with_keymap(Keymap::with_overrides(&overrides, "keys.toml"));
    assert!(rig.app.log.iter().any(|e| e.level == Level::Warn && e.text.contains("fly")));
    assert!(rig.app.current_toast().unwrap().text.contains("警告"));
}
