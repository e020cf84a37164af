//! `campdesk bench payout`: refund execution against the WeChat Pay simulator over
//! loopback HTTP with a file-backed store — approved refunds sent per second
//! (mark submitted, signed request, verified answer, outcome stored), PROCESSING
//! refunds polled to SUCCESS per second, and the ledger of the camp. Figures only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{CommandError, Exit, print_json};
use crate::cli::BenchPayoutArgs;
use crate::domain::{CampId, Money, RefundState, RefundVia, SourceRef, TransactionId};
use crate::engine::EngineStatus;
use crate::records::payments::{CampAssignment, PaymentBill, upsert_payments};
use crate::refund::executor::{Executor, ExecutorSettings};
use crate::refund::ledger::{LedgerInput, camp_ledger};
use crate::refund::{Proposal, RefundKind, queue};
use crate::sim::{Action, ClockMode, Sim, SimOptions};
use crate::store::{OpenedBy, Store};

pub(super) fn run(args: &BenchPayoutArgs) -> Result<Exit, CommandError> {
    if args.refunds == 0 || args.refunds > 100_000 {
        return Err(CommandError::user("--refunds must be between 1 and 100000"));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    let report = runtime.block_on(bench(args)).map_err(CommandError::internal)?;
    if args.json {
        print_json(&report)?;
    } else {
        println!("campdesk bench payout: {} refunds, seed {}", args.refunds, args.seed);
        for (k, v) in report.as_object().into_iter().flatten() {
            println!("  {k:<28} {v}");
        }
    }
    Ok(Exit::Ok)
}

async fn bench(args: &BenchPayoutArgs) -> Result<Value, String> {
    let sim =
        Sim::start(SimOptions { seed: args.seed, members: 60, clock: ClockMode::Manual, ..SimOptions::default() })
            .await
            .map_err(|e| e.to_string())?;
    let config = Arc::new(crate::config::load_file(sim.config_path()).map_err(|e| e.to_string())?);
    let camp = config
        .camps
        .iter()
        .find(|c| c.refund_via == RefundVia::Wxpay)
        .ok_or("the simulated community has no wxpay camp")?
        .clone();
    let payee = camp.payee.clone().ok_or("the camp has no payee")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = Arc::new(Store::open(dir.path(), OpenedBy::Test).map_err(|e| e.to_string())?);

    let t = Instant::now();
    let mut bills = Vec::new();
    let paid_at = sim.now();
    for i in 0..args.refunds {
        let out = sim.act(Action::pay(payee.to_string(), camp.deposit.fen())).map_err(|e| e.to_string())?;
        let txn = out.id().ok_or("pay gave no transaction id")?.to_string();
        bills.push(PaymentBill {
            transaction_id: TransactionId::new(txn),
            out_trade_no: None,
            payer_external_userid: None,
            payer_name: Some(format!("会员{i}")),
            remark: Some(String::new()),
            description: None,
            amount: camp.deposit,
            paid_at,
            payee_userid: Some(payee.clone()),
            mch_id: None,
            payment_type: Some(1),
            refunded_total: None,
            refunds: None,
            source: SourceRef { raw_id: "bench".into(), position: Some(i as u32) },
        });
    }
    let proposals: Vec<Proposal> = bills
        .iter()
        .map(|b| Proposal {
            camp: camp.id.clone(),
            transaction_id: b.transaction_id.clone(),
            kind: RefundKind::Deposit,
            amount: camp.deposit,
            paid_total: camp.deposit,
            executor: RefundVia::Wxpay,
            planet_user_id: None,
            payer_external_userid: None,
            payer_name: b.payer_name.clone(),
            paid_at,
            basis: "打卡达标".into(),
            explicit_only: false,
        })
        .collect();
    let now = Timestamp::now();
    store
        .write_with(|tx| {
            upsert_payments(tx, &config, &bills, &CampAssignment::Import(camp.id.clone()))?;
            queue::sync_proposals(tx, &camp.id, &proposals, now)?;
            let ids: Vec<crate::domain::RefundId> =
                tx.prefix(&queue::REFUNDS, &format!("{}:", camp.id))?.into_iter().map(|(_, r)| r.id).collect();
            let policy = |c: &CampId| config.camp(c.as_str()).map(queue::CampPolicy::of);
            queue::approve(tx, &ids, "bench", None, &policy, true, now)?;
            Ok::<_, anyhow::Error>(())
        })
        .map_err(|e| e.to_string())?;
    let setup_ms = t.elapsed().as_secs_f64() * 1000.0;

    let status = Arc::new(tokio::sync::watch::Sender::new(EngineStatus::default()));
    let settings = ExecutorSettings {
        pace: Duration::ZERO,
        poll_interval: SignedDuration::ZERO,
        unknown_retry: SignedDuration::ZERO,
        ..ExecutorSettings::default()
    };
    let executor = Executor::new(store.clone(), config.clone(), status, settings);

    let cpu0 = cpu_ms();
    let t = Instant::now();
    let first = executor.run_pass(Some(&camp.id)).await;
    let send = t.elapsed();
    let send_cpu = cpu_ms().zip(cpu0).map(|(a, b)| a - b);
    let accepted = first.lines.iter().filter(|l| l.state == RefundState::Submitted).count();

    sim.advance(SignedDuration::from_mins(2)).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let second = executor.run_pass(Some(&camp.id)).await;
    let poll = t.elapsed();
    let (succeeded, paid) = second.total(RefundState::Succeeded);

    let read = store.read().map_err(|e| e.to_string())?;
    let payments = crate::records::payments::payments_of_camp(&read, camp.id.as_str()).map_err(|e| e.to_string())?;
    let refunds = queue::list_camp(&read, &camp.id).map_err(|e| e.to_string())?;
    let matches = Default::default();
    let t = Instant::now();
    let ledger = camp_ledger(&LedgerInput {
        camp: &camp.id,
        payments: &payments,
        refunds: &refunds,
        evaluation: None,
        matches: &matches,
        findings: &[],
    });
    let ledger_ms = t.elapsed().as_secs_f64() * 1000.0;
    let sim_refunds = sim.with_world(|w| w.merchant.refund_count());
    sim.shutdown().await;
    let n = args.refunds as f64;
    Ok(json!({
        "refunds": args.refunds,
        "setup_ms": round1(setup_ms),
        "send_pass_ms": round1(send.as_secs_f64() * 1000.0),
        "send_per_refund_ms": round1(send.as_secs_f64() * 1000.0 / n),
        "send_refunds_per_s": round1(n / send.as_secs_f64()),
        "send_cpu_ms": send_cpu.map(round1),
        "accepted_processing": accepted,
        "poll_pass_ms": round1(poll.as_secs_f64() * 1000.0),
        "poll_queries_per_s": round1(n / poll.as_secs_f64()),
        "succeeded": succeeded,
        "paid_total": paid.to_string(),
        "sim_refunds": sim_refunds,
        "ledger_ms": round1(ledger_ms),
        "ledger_refunded": ledger.refunded.to_string(),
        "ledger_balanced": ledger.balanced,
        "expected_total": Money::from_fen(camp.deposit.fen() * args.refunds as i64).to_string(),
    }))
}

fn cpu_ms() -> Option<f64> {
    let mut total_ns: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total_ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total_ns as f64 / 1e6)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
