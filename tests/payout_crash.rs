//! The crash test: a refund run is killed at many points — before the request,
//! after the request before the answer is stored, after — and restarted. After
//! restart and reconciliation no payment was refunded twice and none that was
//! approved is left unpaid.
//!
//! Two kinds of kill:
//! - in process: the executor's pass future is dropped after its N-th poll, for
//!   N across the whole pass (every await point: store commits, connects,
//!   request writes, answer reads), followed by a restart (the store reopened,
//!   a fresh executor);
//! - real SIGKILL of the `campdesk refunds run` binary at named points
//!   (`CAMPDESK_CRASH_AT=submitted|answered|stored:N`, a hidden test hook).
//!
//! `CAMPDESK_PAYOUT_SOAK=N` runs N in-process kills (default 60) with more
//! refunds each, and every SIGKILL point three times.

mod payout_support;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use campdesk::config::{Camp, Config};
use campdesk::domain::{RefundState, RefundVia, TransactionId};
use campdesk::records::payments::PaymentBill;
use campdesk::sim::SimHandle;
use campdesk::store::Store;
use jiff::SignedDuration;
use payout_support::*;

/// Polls `fut` at most `limit` times, then drops it (a crash at that await point).
struct DropAfter<F> {
    fut: Pin<Box<F>>,
    left: usize,
    polls: usize,
}

impl<F: Future> Future for DropAfter<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left -= 1;
        self.polls += 1;
        match self.fut.as_mut().poll(cx) {
            Poll::Ready(v) => Poll::Ready(Some(v)),
            Poll::Pending => Poll::Pending,
        }
    }
}

async fn polls_of_a_pass<F: Future>(fut: F) -> usize {
    let mut d = DropAfter { fut: Box::pin(fut), left: usize::MAX, polls: 0 };
    let out = std::future::poll_fn(|cx| Pin::new(&mut d).poll(cx)).await;
    assert!(out.is_some());
    d.polls
}

fn soak() -> Option<usize> {
    std::env::var("CAMPDESK_PAYOUT_SOAK").ok().and_then(|v| v.parse().ok())
}

/// Every bill paid so far: approved ones refunded exactly once, in full; others untouched.
fn check_ledger(sim: &SimHandle, bills: &[PaymentBill], deposit: i64, context: &str) {
    for b in bills {
        let refunds = sim_refunds(sim, &b.transaction_id);
        let moving: Vec<_> = refunds.iter().filter(|r| matches!(r.2, 0 | 1 | 2 | 5)).collect();
        assert_eq!(moving.len(), 1, "{context}: payment {} has refunds {refunds:?}", b.transaction_id);
        assert_eq!(moving[0].1, deposit, "{context}: payment {} refunded the wrong amount", b.transaction_id);
        assert_eq!(moving[0].2, 2, "{context}: payment {} not paid back yet", b.transaction_id);
    }
}

fn all_succeeded(store: &Store, txns: &[TransactionId], context: &str) {
    let read = store.read().unwrap();
    for (_, r) in read.all(&campdesk::refund::REFUNDS).unwrap() {
        if txns.contains(&r.proposal.transaction_id) {
            assert_eq!(r.state, RefundState::Succeeded, "{context}: {} is {} ({:?})", r.id, r.state, r.failure);
        }
    }
}

/// After a crash: a fresh process (store reopened, new executor) runs, the
/// platform settles, and a last run collects the results.
async fn restart_and_settle(sim: &SimHandle, dir: &Path, cfg: &Arc<Config>) -> Arc<Store> {
    let store = store(dir);
    let status = status();
    let ex = executor(sim, &store, cfg, &status);
    let recovery = ex.run_pass(None).await;
    assert!(recovery.problems.is_empty(), "{:?}", recovery.problems);
    sim.advance(SignedDuration::from_mins(2)).unwrap();
    let last = ex.run_pass(None).await;
    assert!(last.lines.iter().all(|l| l.state == RefundState::Succeeded), "{:?}", last.lines);
    store
}

fn new_approved(sim: &SimHandle, dir: &Path, cfg: &Config, camp: &Camp, n: usize) -> Vec<PaymentBill> {
    let store = store(dir);
    let bills = pay(sim, &store, cfg, camp, n, camp.deposit);
    approve(&store, cfg, camp, &bills);
    bills
}

#[tokio::test]
async fn killing_the_executor_at_every_await_point_never_pays_twice_or_forgets() {
    let sim = start_sim(31).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let per_run = if soak().is_some() { 5 } else { 3 };

    // How many polls one pass of `per_run` refunds takes, to spread the kills over it.
    let mut all = new_approved(&sim, dir.path(), &cfg, &camp, per_run);
    let total_polls = {
        let store = store(dir.path());
        let status = status();
        let ex = executor(&sim, &store, &cfg, &status);
        polls_of_a_pass(ex.run_pass(None)).await
    };
    drop(restart_and_settle(&sim, dir.path(), &cfg).await);
    check_ledger(&sim, &all, camp.deposit.fen(), "uninterrupted");
    assert!(total_polls >= 4, "a pass has await points ({total_polls})");

    let runs = soak().unwrap_or(60);
    let mut killed = 0;
    for run in 0..runs {
        let bills = new_approved(&sim, dir.path(), &cfg, &camp, per_run);
        all.extend(bills.iter().cloned());
        // Cycle the kill over every await point of the pass (the last poll completes it).
        let limit = 1 + run % (total_polls - 1);
        {
            let store = store(dir.path());
            let status = status();
            let ex = executor(&sim, &store, &cfg, &status);
            let mut d = DropAfter { fut: Box::pin(ex.run_pass(None)), left: limit, polls: 0 };
            let finished = std::future::poll_fn(|cx| Pin::new(&mut d).poll(cx)).await;
            if finished.is_none() {
                killed += 1;
            }
            // The executor, its pass and the store are dropped here: the process "died".
        }
        let context = format!("run {run} (killed after {limit} polls)");
        let store = restart_and_settle(&sim, dir.path(), &cfg).await;
        let txns: Vec<TransactionId> = all.iter().map(|b| b.transaction_id.clone()).collect();
        all_succeeded(&store, &txns, &context);
        assert!(store.verify_audit().unwrap().broken.is_none(), "{context}");
        drop(store);
        check_ledger(&sim, &all, camp.deposit.fen(), &context);
    }
    assert!(killed >= runs * 9 / 10, "the runs were killed mid-pass ({killed} of {runs})");
    sim.shutdown().await;
}

fn campdesk(dir: &Path, config: &Path, crash: Option<&str>) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_campdesk"));
    cmd.args(["refunds", "run", "--json"]).arg("--config").arg(config).arg("--data").arg(dir);
    match crash {
        Some(at) => cmd.env("CAMPDESK_CRASH_AT", at),
        None => cmd.env_remove("CAMPDESK_CRASH_AT"),
    };
    cmd.output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_the_binary_at_each_point_then_restart_pays_each_approved_payment_once() {
    use std::os::unix::process::ExitStatusExt;
    let sim = start_sim(32).await;
    let cfg = config(&sim);
    let camp = camp(&cfg, RefundVia::Wxpay);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let points = ["submitted:1", "submitted:3", "answered:1", "answered:2", "stored:1", "stored:3"];
    let rounds = if soak().is_some() { 3 } else { 1 };
    let mut all = Vec::new();
    let mut kills = 0;
    for _ in 0..rounds {
        for point in points {
            let bills = new_approved(&sim, &data, &cfg, &camp, 3);
            all.extend(bills);
            let out = campdesk(&data, sim.config_path(), Some(point));
            if out.status.signal() == Some(9) {
                kills += 1;
            } else {
                panic!("{point}: the run was not killed: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
            }
            // Restart: submitted refunds are queried before anything else is sent.
            let out = campdesk(&data, sim.config_path(), None);
            assert_eq!(out.status.code(), Some(0), "{point}: {}", String::from_utf8_lossy(&out.stderr));
            sim.advance(SignedDuration::from_mins(2)).unwrap();
            let out = campdesk(&data, sim.config_path(), None);
            assert_eq!(out.status.code(), Some(0), "{point}: {}", String::from_utf8_lossy(&out.stderr));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(report["lines"].as_array().unwrap().iter().all(|l| l["state"] == "succeeded"), "{point}: {report}");
            check_ledger(&sim, &all, camp.deposit.fen(), point);
        }
    }
    assert_eq!(kills, points.len() * rounds);
    let store = store(&data);
    let txns: Vec<TransactionId> = all.iter().map(|b| b.transaction_id.clone()).collect();
    all_succeeded(&store, &txns, "after all kills");
    assert!(store.verify_audit().unwrap().broken.is_none());
    sim.shutdown().await;
}
