//! `campdesk sim`: the three simulators on 127.0.0.1 until Ctrl-C, with a ready camps.toml.

use serde_json::json;

use super::{CommandError, Exit};
use crate::cli::SimArgs;
use crate::domain::{Day, Money};
use crate::sim::server::SimPorts;
use crate::sim::truth::CampPhase;
use crate::sim::{ClockMode, Sim, SimOptions, parse_spec};
use crate::text::pad_to_width;

pub(super) fn run(args: &SimArgs) -> Result<Exit, CommandError> {
    let faults = match &args.faults {
        Some(spec) => parse_spec(spec).map_err(|e| CommandError::user(format!("--faults: {e}")))?,
        None => Vec::new(),
    };
    let anchor = match &args.anchor {
        Some(a) => Some(a.parse::<Day>().map_err(|e| CommandError::user(format!("--anchor: {e}")))?),
        None => None,
    };
    if let Some(dir) = &args.out
        && dir.exists()
        && !dir.is_dir()
    {
        return Err(CommandError::user(format!("--out: {} is not a directory", dir.display())));
    }
    let options = SimOptions {
        seed: args.seed,
        members: args.members as usize,
        anchor,
        clock: if args.manual_clock { ClockMode::Manual } else { ClockMode::RealTime },
        ports: SimPorts::from_first(args.port),
        faults,
        config_dir: args.out.clone(),
        ..SimOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let sim = Sim::start(options).await.map_err(|e| CommandError::user(e.to_string()))?;
        let truth = sim.truth();
        if args.json {
            let camps: Vec<_> = truth
                .camps
                .iter()
                .map(|c| {
                    json!({"id": c.camp_id, "name": c.name, "phase": c.phase, "start": c.start, "end": c.end,
                        "checkin_id": c.checkin_id, "group_chats": c.chat_ids, "refund_via": c.refund_via})
                })
                .collect();
            let line = json!({
                "urls": sim.urls(),
                "config": sim.config_path().display().to_string(),
                "member_export": sim.config_path().with_file_name(crate::sim::server::MEMBER_EXPORT_FILE).display().to_string(),
                "seed": truth.seed,
                "anchor": truth.anchor,
                "members": truth.persons.len(),
                "camps": camps,
            });
            println!("{line}");
        } else {
            println!(
                "campdesk sim: seed {}, {} persons, anchor {}, clock {}",
                truth.seed,
                truth.persons.len(),
                truth.anchor,
                if args.manual_clock { "manual" } else { "real time" }
            );
            println!("  zsxq    {}", sim.urls().zsxq);
            println!("  wecom   {}", sim.urls().wecom);
            println!("  wxpay   {}", sim.urls().wxpay);
            let dir = sim.config_path().parent().map(|p| p.display().to_string()).unwrap_or_default();
            println!("  config  {} (secrets in {dir}/secrets)", sim.config_path().display());
            println!(
                "  members {}  (the planet's member export; also GET /_sim/member_export.xlsx)",
                sim.config_path().with_file_name(crate::sim::server::MEMBER_EXPORT_FILE).display()
            );
            println!("  control {}/_sim/state  (also /_sim/clock, /_sim/actions, /_sim/faults …)", sim.urls().zsxq);
            println!("camps:");
            let w = truth.camps.iter().map(|c| crate::text::display_width(&c.camp_id)).max().unwrap_or(8);
            for c in &truth.camps {
                let phase = match c.phase {
                    CampPhase::Ended => "ended",
                    CampPhase::Running => "running",
                    CampPhase::Starting => "starting",
                };
                println!(
                    "  {}  {}  {phase:<8}  {} → {}  {:>5}  {:>7}  {}",
                    pad_to_width(&c.camp_id, w),
                    pad_to_width(&c.name, 22),
                    c.start,
                    c.end,
                    format!("{}/{}", c.required, c.days),
                    Money::from_fen(c.deposit_fen).to_string(),
                    c.refund_via
                );
            }
            println!("Try: campdesk --config {} config check", sim.config_path().display());
            println!("Ctrl-C stops the simulators.");
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        wait_for_stop().await?;
        sim.shutdown().await;
        Ok(Exit::Ok)
    })
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn wait_for_stop() -> Result<(), CommandError> {
    let interrupted = async {
        tokio::signal::ctrl_c().await.map_err(|e| CommandError::internal(format!("cannot wait for Ctrl-C: {e}")))
    };
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| CommandError::internal(format!("cannot wait for SIGTERM: {e}")))?;
        tokio::select! {
            r = interrupted => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        interrupted.await
    }
}
