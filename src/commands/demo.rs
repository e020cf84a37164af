//! `campdesk demo [--seed N] [--headless]`: the simulators with a generated
//! community (three camps: one just ended, one running, one starting), a
//! temporary data dir, the engine, and the workstation — or, headless, the
//! same flow without a terminal: sync, match, judge, approve the passes of the
//! ended camp, pay them through the simulated platforms, and print a summary.

use std::sync::Arc;
use std::time::Duration;

use super::{CommandError, Exit, runtime};
use crate::cli::DemoArgs;
use crate::domain::{Money, RefundState};
use crate::engine::TaskFilter;
use crate::refund::queue;
use crate::service::{Backend, Request, Response, Service};
use crate::sim::{ClockMode, Sim, SimOptions};
use crate::store::{OpenedBy, Store};

pub(super) fn run(args: &DemoArgs) -> Result<Exit, CommandError> {
    let settings = if args.headless {
        None
    } else {
        super::tui::require_terminal()?;
        Some(
            crate::tui::settings::load(args.keys.as_deref(), std::path::Path::new("camps.toml"))
                .map_err(CommandError::user)?,
        )
    };
    let temp = tempfile::Builder::new()
        .prefix("campdesk-demo-")
        .tempdir()
        .map_err(|e| CommandError::internal(e.to_string()))?;
    let data_dir = args.keep.as_ref().unwrap_or(&temp.path().to_path_buf()).join("data");
    runtime()?.block_on(async {
        let options = SimOptions {
            seed: args.seed,
            members: args.members,
            clock: ClockMode::RealTime,
            config_dir: args.keep.clone(),
            ..SimOptions::default()
        };
        let sim = Sim::start(options).await.map_err(|e| CommandError::internal(format!("simulators: {e}")))?;
        let _log = crate::logging::init(&data_dir, false);
        let config = Arc::new(crate::config::load_file(sim.config_path())?);
        let store = Arc::new(Store::open(&data_dir, OpenedBy::Demo)?);
        let engine = crate::engine::setup::start_engine(&config, &store, !args.headless);
        let service = Arc::new(Service::new(engine.clone(), store.clone(), config.clone()));
        // Poll PROCESSING refunds every few seconds instead of every minute.
        service.set_executor(Arc::new(crate::refund::executor::Executor::new(
            store.clone(),
            config.clone(),
            engine.status_sender(),
            crate::refund::executor::ExecutorSettings {
                poll_interval: jiff::SignedDuration::from_secs(2),
                tick: Duration::from_secs(2),
                pace: Duration::from_millis(20),
                ..crate::refund::executor::ExecutorSettings::for_config(&config)
            },
        )));
        eprintln!(
            "campdesk demo: seed {}, {} members, simulators at {} / {} / {}, data in {}",
            args.seed,
            args.members,
            sim.urls().zsxq,
            sim.urls().wecom,
            sim.urls().wxpay,
            data_dir.display()
        );
        // The owner downloads the planet's member export from the zsxq admin page and
        // imports it for each camp; its 微信昵称 column is matching evidence.
        let rows = import_member_export(&service, &sim, &config).await?;
        eprintln!("imported the planet's member export ({rows} rows) for every camp");
        let result = match settings {
            None => headless(&service, &sim).await,
            Some(settings) => {
                let backend = Arc::new(Backend::Local(service.clone()));
                super::tui::run_on(backend, &data_dir, &config, settings, args.mouse).await
            }
        };
        engine.shutdown(Duration::from_secs(10)).await;
        drop(service);
        sim.shutdown().await;
        result
    })
}

/// Imports the simulator's member export (written beside its camps.toml) for every camp.
async fn import_member_export(
    service: &Service,
    sim: &crate::sim::SimHandle,
    config: &crate::config::Config,
) -> Result<u64, CommandError> {
    use base64::Engine as _;
    let path = sim.config_path().with_file_name(crate::sim::server::MEMBER_EXPORT_FILE);
    let bytes = std::fs::read(&path).map_err(|e| CommandError::internal(format!("{}: {e}", path.display())))?;
    let content_base64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut rows = 0;
    for camp in &config.camps {
        let request = Request::Import {
            kind: crate::sources::files::ImportKind::Members,
            camp: camp.id.to_string(),
            file_name: crate::sim::server::MEMBER_EXPORT_FILE.to_string(),
            content_base64: content_base64.clone(),
            by: "demo".into(),
            dry_run: false,
        };
        let Response::Imported(report) = call(service, request).await? else {
            return Err(CommandError::internal("unexpected reply to import"));
        };
        rows = report.rows;
    }
    Ok(rows)
}

async fn call(service: &Service, request: Request) -> Result<Response, CommandError> {
    Ok(service.handle(request).await?)
}

/// The flow without a terminal; prints what happened at each step.
async fn headless(service: &Arc<Service>, sim: &crate::sim::SimHandle) -> Result<Exit, CommandError> {
    println!("1. sync every source");
    let Response::Synced { outcomes } = call(service, Request::SyncOnce { filter: TaskFilter::default() }).await?
    else {
        return Err(CommandError::internal("unexpected reply to sync"));
    };
    let mut failed = false;
    for o in &outcomes {
        match (&o.counts, &o.error) {
            (Some(c), _) => println!("   {:<28} {} pages, {} records", o.task.to_string(), c.pages, c.records),
            (None, Some((class, message))) => {
                failed = true;
                println!("   {:<28} FAILED ({}): {message}", o.task.to_string(), class.label());
            }
            _ => {}
        }
    }

    println!("2. match payments to people and judge the check-ins");
    let Response::Evaluated { camps } = call(service, Request::Evaluate { camp: None }).await? else {
        return Err(CommandError::internal("unexpected reply to evaluate"));
    };
    let today = service.config.day_rule.today(jiff::Timestamp::now());
    for (camp, r) in &camps {
        let so_far = match service.config.camp(camp) {
            Some(c) if c.start > today => " (not started: so far)",
            Some(c) if c.end >= today => " (running: so far)",
            _ => "",
        };
        match r {
            Ok(s) => println!(
                "   {camp:<12} {} payments: {} pass, {} borderline, {} fail, {} unlinked{so_far}; {} anomalies",
                s.payments, s.pass, s.borderline, s.fail, s.unlinked, s.anomalies
            ),
            Err(e) => {
                failed = true;
                println!("   {camp:<12} FAILED: {e}");
            }
        }
    }

    println!("3. approve every clear pass of the camps that have ended");
    for camp in service.config.camps.iter().filter(|c| c.end < today) {
        let ids = queue::all_passed(&service.store.read()?, &camp.id)?;
        if ids.is_empty() {
            println!("   {:<12} nothing to approve", camp.id.as_str());
            continue;
        }
        let request = Request::RefundsApprove {
            ids: ids.iter().map(ToString::to_string).collect(),
            all_passed_of: None,
            by: "demo".into(),
            note: Some("campdesk demo".into()),
            confirm: true,
        };
        let Response::Refunds { refunds } = call(service, request).await? else {
            return Err(CommandError::internal("unexpected reply to approve"));
        };
        let total = Money::checked_sum(refunds.iter().map(|r| r.amount())).unwrap_or(Money::ZERO);
        println!("   {:<12} approved {} refunds, ¥{total}", camp.id.as_str(), refunds.len());
    }

    println!("4. pay: WeChat Pay refunds through the simulated merchant API");
    let Response::RefundRun(report) = call(service, Request::RefundsRun { camp: None }).await? else {
        return Err(CommandError::internal("unexpected reply to run"));
    };
    for p in &report.problems {
        println!("   problem: {p}");
    }
    let (sent, amount) =
        (report.lines.len(), Money::checked_sum(report.lines.iter().map(|l| l.amount)).unwrap_or(Money::ZERO));
    println!("   sent {sent} refunds, ¥{amount}; WeChat Pay answers PROCESSING");
    // The simulated merchant settles refunds a few minutes later, as the real one does.
    let mut settled = 0;
    for _ in 0..20 {
        if queue::list_all(&service.store.read()?)?
            .iter()
            .all(|r| r.state != RefundState::Submitted || r.proposal.executor != crate::domain::RefundVia::Wxpay)
        {
            break;
        }
        sim.advance(jiff::SignedDuration::from_mins(1)).map_err(|e| CommandError::internal(e.to_string()))?;
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let Response::RefundRun(r) = call(service, Request::RefundsRun { camp: None }).await? else {
            return Err(CommandError::internal("unexpected reply to run"));
        };
        settled += r.lines.iter().filter(|l| l.state == RefundState::Succeeded).count();
    }
    println!("   {settled} confirmed SUCCESS by polling");

    println!("5. pay: WeCom-client refunds from the operator's worklist");
    let request = Request::Worklist { camp: None, by: "demo".into(), issue: true };
    let Response::Worklist(list) = call(service, request).await? else {
        return Err(CommandError::internal("unexpected reply to worklist"));
    };
    println!("   worklist: {} refunds, ¥{} (newest payment first)", list.items.len(), list.total);
    for item in &list.items {
        // The operator presses 退款 on the bill in the WeCom client.
        sim.act(crate::sim::Action::refund_in_client(item.transaction_id.as_str(), item.amount.fen()))
            .map_err(|e| CommandError::internal(format!("simulated client refund: {e}")))?;
    }
    if !list.items.is_empty() {
        let filter = TaskFilter { source: Some("wecom".into()), camp: None };
        call(service, Request::SyncOnce { filter }).await?;
        let Response::Reconciled(r) = call(service, Request::Reconcile).await? else {
            return Err(CommandError::internal("unexpected reply to reconcile"));
        };
        println!("   next bill sync: {}", serde_json::to_string(&r).unwrap_or_default());
    }

    println!("6. the queue");
    let refunds = queue::list_all(&service.store.read()?)?;
    for state in RefundState::ALL {
        let of: Vec<_> = refunds.iter().filter(|r| r.state == state).collect();
        if !of.is_empty() {
            let total = Money::checked_sum(of.iter().map(|r| r.amount())).unwrap_or(Money::ZERO);
            println!("   {:<16} {:>4}  ¥{total}", state.as_str(), of.len());
        }
    }

    println!("7. the ledgers (collected = refunded + forfeited + pending + anomalies)");
    let Response::Ledger { ledgers } = call(service, Request::Ledger { camp: None }).await? else {
        return Err(CommandError::internal("unexpected reply to ledger"));
    };
    for l in &ledgers {
        println!(
            "   {:<12} ¥{} = ¥{} + ¥{} + ¥{} + ¥{}  {}",
            l.camp.as_str(),
            l.collected,
            l.refunded,
            l.forfeited,
            l.pending,
            l.anomalies,
            if l.balanced { "balanced" } else { "NOT BALANCED" }
        );
        failed |= !l.balanced;
    }
    Ok(if failed { Exit::Partial } else { Exit::Ok })
}
