//! `campdesk report [--camp ID] [--from D --to D | --this-month | --last-month] [--json] [--xlsx FILE] [--csv DIR]`

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::{GlobalArgs, ReportArgs};
use crate::domain::Day;
use crate::report::{PeriodQuery, Report, csv, tables, xlsx};
use crate::service::{Request, Response};
use crate::store::OpenedBy;
use crate::text::{pad_left_to_width, pad_to_width};

/// The period the flags ask for.
pub(super) fn period_query(args: &ReportArgs) -> Result<Option<PeriodQuery>, CommandError> {
    let day = |flag: &str, text: &str| -> Result<Day, CommandError> {
        text.parse::<Day>().map_err(|e| CommandError::user(format!("--{flag}: {e}")))
    };
    Ok(match (&args.from, &args.to) {
        (Some(from), Some(to)) => Some(PeriodQuery::Range { from: day("from", from)?, to: day("to", to)? }),
        _ if args.this_month => Some(PeriodQuery::ThisMonth),
        _ if args.last_month => Some(PeriodQuery::LastMonth),
        _ => None,
    })
}

pub(super) fn run(global: &GlobalArgs, args: &ReportArgs) -> Result<Exit, CommandError> {
    let period = period_query(args)?;
    let args = args.clone();
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let request = Request::Report { camp: args.camp.clone(), period };
        let Response::Report(report) = backend.call(request).await? else {
            return Err(CommandError::internal("unexpected reply to report"));
        };
        let tz = crate::domain::time::shanghai();
        if let Some(path) = &args.xlsx {
            xlsx::write(&report, &tz, path).map_err(CommandError::user)?;
            eprintln!("wrote {}", path.display());
        }
        if let Some(dir) = &args.csv {
            let files = csv::write(&report, &tz, dir).map_err(CommandError::user)?;
            eprintln!("wrote {} csv files into {}", files.len(), dir.display());
        }
        if args.json {
            print_json(&report)?;
        } else if args.xlsx.is_none() && args.csv.is_none() {
            print_text(&report);
        }
        if !report.balanced() {
            let errors = &report.totals.money.errors;
            eprintln!("campdesk: the ledger does not reconcile: {} difference(s)", errors.len().max(1));
            for e in errors.iter().take(20) {
                eprintln!("  {e}", e = e.message);
            }
            return Ok(Exit::Partial);
        }
        Ok(Exit::Ok)
    })
}

fn print_text(r: &Report) {
    let period = r.period.as_ref().map_or_else(|| "全部营期".to_string(), ToString::to_string);
    println!("统计期间: {period}（按开营日归属）  统计日: {}", r.today);
    let head = [
        ("营期", 12, false),
        ("状态", 6, false),
        ("付款", 5, true),
        ("入群", 5, true),
        ("打卡", 5, true),
        ("通过", 5, true),
        ("边缘", 5, true),
        ("未通过", 6, true),
        ("未定", 5, true),
        ("未关联", 6, true),
        ("参与率", 18, true),
        ("完成率", 18, true),
        ("收取", 10, true),
        ("已退", 10, true),
        ("没收", 10, true),
        ("待定", 10, true),
        ("异常", 10, true),
    ];
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(head.iter())
            .map(|(c, (_, w, right))| if *right { pad_left_to_width(c, *w, "…") } else { pad_to_width(c, *w) })
            .collect();
        println!("{}", parts.join(" "));
    };
    line(head.iter().map(|(h, _, _)| (*h).to_string()).collect());
    let row = |id: String, stage: String, m: &crate::report::MemberFigures, money: &crate::report::MoneyFigures| {
        vec![
            id,
            stage,
            m.paid.to_string(),
            m.joined_group.to_string(),
            m.checked_in.to_string(),
            m.passed.to_string(),
            m.borderline.to_string(),
            m.failed.to_string(),
            m.open.to_string(),
            m.unlinked.to_string(),
            m.participation.to_string(),
            m.completion.to_string(),
            money.collected.to_string(),
            money.refunded.to_string(),
            money.forfeited.to_string(),
            money.pending.to_string(),
            money.anomalies.to_string(),
        ]
    };
    for c in &r.camps {
        line(row(c.camp.to_string(), c.stage.label().to_string(), &c.members, &c.money));
    }
    line(row("合计".into(), String::new(), &r.totals.members, &r.totals.money));
    let m = &r.totals.money;
    if m.balanced {
        println!(
            "对账: 平 — 收取 {} = 已退 {} + 没收 {} + 待定 {} + 异常 {}",
            m.collected, m.refunded, m.forfeited, m.pending, m.anomalies
        );
    } else {
        println!("对账: 不平 — 差额 {}，{} 处差异（见 --json 或 --xlsx 的“对账差异”）", m.difference, m.errors.len());
    }
    if !r.totals.refunds.is_empty() {
        println!("退款:");
        for b in &r.totals.refunds {
            let stale = if b.stale { "（已失效）" } else { "" };
            println!(
                "  {:<13} {}{stale}: {} 笔，{} 元",
                b.executor.as_str(),
                tables::state_label(b.state),
                b.count,
                b.amount
            );
        }
    }
    if !r.staff.is_empty() {
        println!("教练与志愿者:");
        for s in &r.staff {
            let camps: Vec<&str> = s.camps.iter().map(|c| c.as_str()).collect();
            println!(
                "  {} {}  营期 {}  付款 {}  完成率 {}",
                s.role.label(),
                s.name,
                camps.join("、"),
                s.members.paid,
                s.members.completion
            );
        }
    }
}
