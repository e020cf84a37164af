//! Report figures against the generated community's ground truth: a community
//! synced into a file-backed store (see `report_support`), evaluated, reviewed
//! and, for the ended camp, refunded; the figures must equal what really
//! happened, the money must reconcile with the ledger to the fen, the xlsx must
//! read back (calamine) with the same numbers, the csv files must open in Excel
//! (UTF-8 BOM), and `campdesk report --json` must say the same.

mod report_support;

use std::collections::{BTreeMap, BTreeSet};

use calamine::{Data, Reader, Xlsx, open_workbook};

use campdesk::config::Config;
use campdesk::domain::{Day, Money, RefundId, RefundState};
use campdesk::refund::queue::{self, CampPolicy, Outcome};
use campdesk::report::figures::{CampStage, Report};
use campdesk::report::{csv, gather, tables, xlsx};
use campdesk::rules::VerdictKind;
use campdesk::sim::truth::{CampPhase, ExpectedVerdict, GroundTruth, Role};
use campdesk::store::Store;
use report_support::{Filled, fail_open_verdicts, filled};

fn report(store: &Store, config: &Config, now: jiff::Timestamp) -> Report {
    let read = store.read().unwrap();
    let camps: Vec<_> = config.camps.iter().collect();
    gather::build(&read, config, &camps, None, now).unwrap()
}

/// What a correct system sees of a camp at `now` (today = `today`).
#[derive(Debug, Default, PartialEq)]
struct Expected {
    paid: u32,
    joined_group: u32,
    checked_in: u32,
    verdicts: BTreeMap<&'static str, u32>,
    day_curve: Vec<u32>,
    collected: i64,
}

fn expected(truth: &GroundTruth, camp: &str, now: jiff::Timestamp, today: Day) -> Expected {
    let c = truth.camp(camp).unwrap();
    let mut e = Expected::default();
    let mut curve: BTreeMap<Day, u32> = BTreeMap::new();
    for p in &truth.persons {
        for pc in p.camps.iter().filter(|pc| pc.camp_id == camp && pc.role == Role::Payer) {
            let Some(first) = pc.payments.first().and_then(|t| truth.payment(t)) else { continue };
            if first.paid_at > now {
                continue;
            }
            e.paid += 1;
            e.joined_group += u32::from(pc.joined_group_at.is_some_and(|j| j <= now));
            let posted: Vec<Day> = pc.checkin_days.iter().copied().filter(|d| *d < today).collect();
            e.checked_in += u32::from(!posted.is_empty());
            if p.planet_user_id.is_some() {
                for d in posted {
                    *curve.entry(d).or_default() += 1;
                }
            }
            let v = match pc.expected_verdict {
                Some(ExpectedVerdict::Pass) => "pass",
                Some(ExpectedVerdict::Borderline) => "borderline",
                Some(ExpectedVerdict::Fail) => "fail",
                Some(ExpectedVerdict::Unlinked) | None => "unlinked",
            };
            *e.verdicts.entry(v).or_default() += 1;
        }
    }
    e.collected = truth
        .payments
        .iter()
        .filter(|p| p.camp_id.as_deref() == Some(camp) && p.paid_at <= now)
        .map(|p| p.amount_fen)
        .sum();
    e.day_curve = c.start.through(c.end).filter(|d| *d < today).map(|d| curve.get(&d).copied().unwrap_or(0)).collect();
    e
}

fn ended_camp(truth: &GroundTruth) -> String {
    truth.camps.iter().find(|c| c.phase == CampPhase::Ended).unwrap().camp_id.clone()
}

/// The reviewer settles the ended camp: borderline, unlinked and held failing verdicts fail,
/// every refund is approved and paid except one rejected and one that fails.
fn settle_ended_camp(f: &Filled, camp: &str) -> (RefundId, RefundId) {
    let cfg = &f.config;
    let cid = cfg.camp(camp).unwrap().id.clone();
    fail_open_verdicts(f, &cid);
    let refunds = queue::list_camp(&f.store.read().unwrap(), &cid).unwrap();
    let live: Vec<RefundId> = refunds
        .iter()
        .filter(|r| r.state == RefundState::Proposed && r.stale.is_none())
        .map(|r| r.id.clone())
        .collect();
    assert!(live.len() >= 3, "the ended camp has refunds to settle: {live:?}");
    let (rejected, failed) = (live[0].clone(), live[1].clone());
    let policy = |c: &campdesk::domain::CampId| cfg.camp(c.as_str()).map(CampPolicy::of);
    f.store
        .write_with(|tx| {
            queue::reject(tx, std::slice::from_ref(&rejected), "owner", "押金规则另议", f.now)?;
            queue::approve(tx, &live[1..], "owner", None, &policy, true, f.now)?;
            for id in &live[1..] {
                queue::mark_submitted(tx, id, "campdesk", f.now)?;
                let outcome = if *id == failed {
                    Outcome::Failed { class: "NOT_ENOUGH".into(), message: "余额不足".into() }
                } else {
                    Outcome::Succeeded {
                        platform_refund_id: Some(format!("5030{}", id.as_str().len())),
                        note: "SUCCESS".into(),
                    }
                };
                queue::record_outcome(tx, id, outcome, "campdesk", f.now)?;
            }
            Ok::<_, queue::QueueError>(())
        })
        .unwrap();
    (rejected, failed)
}

#[test]
fn report_figures_equal_the_ground_truth_and_reconcile_to_the_fen() {
    let f = filled(2025, 330);
    let cfg = &f.config;
    let today = cfg.day_rule.today(f.now);

    // 1. Figures against the truth, for every camp as far as it has happened.
    let r = report(&f.store, cfg, f.now);
    assert_eq!(r.camps.len(), 3);
    for c in &r.camps {
        let want = expected(&f.truth, c.camp.as_str(), f.now, today);
        let m = &c.members;
        assert_eq!(m.paid, want.paid, "{}: paid", c.camp);
        assert_eq!(m.joined_group, want.joined_group, "{}: joined a group", c.camp);
        assert_eq!(m.checked_in, want.checked_in, "{}: checked in at least once", c.camp);
        assert_eq!(c.money.collected.fen(), want.collected, "{}: deposits collected", c.camp);
        let past: Vec<u32> = c
            .day_curve
            .iter()
            .filter(|p| !p.future && p.day.is_some_and(|d| d < today))
            .map(|p| p.checked_in)
            .collect();
        assert_eq!(past, want.day_curve, "{}: check-ins per camp day", c.camp);
        assert_eq!(m.participation.numerator, m.checked_in);
        assert_eq!(m.participation.denominator, m.paid);
        assert_eq!(m.completion.numerator, m.passed);
        if c.stage == CampStage::Ended {
            let got: BTreeMap<&str, u32> =
                [("pass", m.passed), ("borderline", m.borderline), ("fail", m.failed), ("unlinked", m.unlinked)]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .collect();
            assert_eq!(got, want.verdicts, "{}: verdicts", c.camp);
            assert_eq!(m.not_evaluated, 0);
        }
        assert!(c.money.balanced, "{}: {:?}", c.camp, c.money.errors);
    }

    // 2. Settle the ended camp and reconcile its money with the queue, to the fen.
    let camp = ended_camp(&f.truth);
    let (rejected, failed) = settle_ended_camp(&f, &camp);
    let r = report(&f.store, cfg, f.now);
    let c = r.camps.iter().find(|c| c.camp.as_str() == camp).unwrap();
    let refunds = queue::list_camp(&f.store.read().unwrap(), &c.camp).unwrap();
    let paid_back: i64 = refunds.iter().filter(|r| r.state == RefundState::Succeeded).map(|r| r.amount().fen()).sum();
    let rejected_amount = refunds.iter().find(|r| r.id == rejected).unwrap().amount().fen();
    let failed_amount = refunds.iter().find(|r| r.id == failed).unwrap().amount().fen();
    let evaluation = campdesk::verdicts::evaluation(&f.store.read().unwrap(), &c.camp).unwrap().unwrap();
    let refunded_txns: BTreeSet<_> = refunds.iter().map(|r| r.proposal.transaction_id.clone()).collect();
    let kept: i64 = evaluation
        .verdicts
        .iter()
        .filter(|v| v.verdict == VerdictKind::Fail && !refunded_txns.contains(&v.transaction_id))
        .map(|v| v.amount.fen())
        .sum();
    assert!(paid_back > 0 && kept > 0);
    assert_eq!(c.money.refunded.fen(), paid_back, "refunded = the queue's succeeded refunds");
    assert_eq!(c.money.forfeited.fen(), kept + rejected_amount, "forfeited = final fails + the rejected refund");
    assert_eq!(c.money.pending.fen(), failed_amount, "pending = the failed refund");
    assert_eq!(c.money.anomalies, Money::ZERO);
    assert_eq!(c.money.collected.fen(), expected(&f.truth, &camp, f.now, today).collected);
    assert_eq!(
        c.money.collected.fen(),
        c.money.refunded.fen() + c.money.forfeited.fen() + c.money.pending.fen() + c.money.anomalies.fen()
    );
    assert!(c.money.balanced && r.balanced());
    let succeeded = c.refunds.iter().find(|b| b.state == RefundState::Succeeded).unwrap();
    assert_eq!(succeeded.amount.fen(), paid_back);
    let total_collected: i64 = r.camps.iter().map(|c| c.money.collected.fen()).sum();
    assert_eq!(r.totals.money.collected.fen(), total_collected);
    assert_eq!(r.totals.members.paid, r.camps.iter().map(|c| c.members.paid).sum::<u32>());
    assert!(!r.staff.is_empty(), "the generated camps have coaches");
    for s in &r.staff {
        let paid: u32 = r.camps.iter().filter(|c| s.camps.contains(&c.camp)).map(|c| c.members.paid).sum();
        assert_eq!(s.members.paid, paid, "{}", s.name);
    }

    // The Reports pane shows the same figures.
    let v = campdesk::report::view::report_view(&r);
    assert_eq!(v.camps.len(), r.camps.len());
    for (pane, c) in v.camps.iter().zip(&r.camps) {
        assert_eq!(pane.id, c.camp);
        let p = &pane.figures;
        let m = &c.members;
        assert_eq!(
            (p.paid, p.joined, p.checked_in, p.passed, p.borderline, p.failed, p.unlinked),
            (m.paid, m.joined_group, m.checked_in, m.passed, m.borderline, m.failed, m.unlinked)
        );
        assert_eq!(p.completion(), (m.completion.numerator, m.completion.denominator));
        assert_eq!(p.participation(), (m.participation.numerator, m.participation.denominator));
        assert_eq!(
            [p.collected, p.refunded, p.forfeited, p.pending, p.anomalies, p.difference],
            [
                c.money.collected,
                c.money.refunded,
                c.money.forfeited,
                c.money.pending,
                c.money.anomalies,
                c.money.difference
            ]
        );
        assert_eq!(
            p.curve.iter().map(|x| x.checked_in).collect::<Vec<_>>(),
            c.day_curve.iter().map(|x| x.checked_in).collect::<Vec<_>>()
        );
        assert_eq!(
            p.refunds.iter().map(|t| (t.state, t.count, t.amount)).collect::<Vec<_>>(),
            c.refunds.iter().map(|b| (b.state, b.count, b.amount)).collect::<Vec<_>>()
        );
    }
    assert_eq!(v.total.collected, r.totals.money.collected);
    assert_eq!(v.total.paid, r.totals.members.paid);
    assert_eq!(v.staff.len(), r.staff.len());

    // 3. The xlsx reads back with the same numbers.
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("report.xlsx");
    let tz = campdesk::domain::time::shanghai();
    xlsx::write(&r, &tz, &path).unwrap();
    check_xlsx(&path, &r);

    // 4. csv: one file per table, UTF-8 with BOM.
    let files = csv::write(&r, &tz, &out.path().join("csv")).unwrap();
    assert_eq!(files.len(), tables::tables(&r, &tz).len());
    let summary = std::fs::read(out.path().join("csv/summary.csv")).unwrap();
    assert!(summary.starts_with(csv::BOM));
    let text = String::from_utf8(summary[3..].to_vec()).unwrap();
    let mut rd = ::csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), tables::SUMMARY_HEADERS.to_vec());
    let rows: Vec<::csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), r.camps.len() + 1);
    let ended_row = rows.iter().find(|row| &row[0] == camp.as_str()).unwrap();
    let column = |name: &str| tables::SUMMARY_HEADERS.iter().position(|h| *h == name).unwrap();
    assert_eq!(&ended_row[column("押金收取（元）")], c.money.collected.to_string(), "yuan with two decimals");
    let members_csv = out.path().join(format!("csv/members-{}.csv", tables::file_safe(&camp)));
    let n = ::csv::Reader::from_path(&members_csv).unwrap().records().count();
    assert_eq!(n, c.rows.len());

    // 5. The command line says the same (the store is closed so the command can open it).
    let (config_path, data_dir) = (f.config_path(), f.data_dir());
    let Filled { store, dir, .. } = f;
    drop(store);
    let output = std::process::Command::new(report_support::campdesk_bin())
        .args(["report", "--json", "--config"])
        .arg(&config_path)
        .arg("--data")
        .arg(&data_dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let cli: Report = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(cli.totals.members, r.totals.members);
    assert_eq!(cli.totals.money, r.totals.money);
    let bad = std::process::Command::new(report_support::campdesk_bin())
        .args(["report", "--from", "2025-11-30", "--to", "2025-11-01", "--config"])
        .arg(&config_path)
        .arg("--data")
        .arg(&data_dir)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from before --to"));
    drop(dir);
}

fn cell_f64(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn fen(d: &Data) -> i64 {
    (cell_f64(d) * 100.0).round() as i64
}

fn check_xlsx(path: &std::path::Path, r: &Report) {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "汇总");
    for c in &r.camps {
        assert!(names.contains(&tables::sheet_name(c.camp.as_str())), "{names:?}");
    }
    let summary = wb.worksheet_range("汇总").unwrap();
    let header: Vec<String> = summary.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
    assert_eq!(header, tables::SUMMARY_HEADERS.to_vec());
    let col = |name: &str| tables::SUMMARY_HEADERS.iter().position(|h| *h == name).unwrap();
    for c in &r.camps {
        let row = summary.rows().find(|row| row[0] == c.camp.as_str()).unwrap();
        assert_eq!(cell_f64(&row[col("付款人数")]) as u32, c.members.paid);
        assert_eq!(cell_f64(&row[col("通过")]) as u32, c.members.passed);
        assert_eq!(cell_f64(&row[col("打卡≥1次")]) as u32, c.members.checked_in);
        assert_eq!(row[col("完成率（通过/付款）")].to_string(), c.members.completion.to_string());
        assert_eq!(fen(&row[col("押金收取（元）")]), c.money.collected.fen());
        assert_eq!(fen(&row[col("已退（元）")]), c.money.refunded.fen());
        assert_eq!(fen(&row[col("没收（元）")]), c.money.forfeited.fen());
        assert_eq!(fen(&row[col("待定（元）")]), c.money.pending.fen());
        let members = wb.worksheet_range(&tables::sheet_name(c.camp.as_str())).unwrap();
        let rows: Vec<&[Data]> = members.rows().skip(1).collect();
        assert_eq!(rows.len(), c.rows.len());
        let amount_col = tables::MEMBER_HEADERS.iter().position(|h| *h == "金额（元）").unwrap();
        let sum: i64 = rows.iter().map(|row| fen(&row[amount_col])).sum();
        assert_eq!(sum, c.money.collected.fen(), "{}: member rows add up", c.camp);
    }
    let total = summary.rows().find(|row| row[0] == "合计").unwrap();
    assert_eq!(fen(&total[col("押金收取（元）")]), r.totals.money.collected.fen());
}
