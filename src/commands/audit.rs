//! `campdesk audit verify`

use super::{CommandError, Exit, open_store, print_json};
use crate::cli::GlobalArgs;

pub(super) fn verify(global: &GlobalArgs, as_json: bool) -> Result<Exit, CommandError> {
    let store = open_store(global)?;
    let report = store.verify_audit()?;
    if as_json {
        print_json(&report)?;
    } else {
        match &report.broken {
            None => println!(
                "audit log ok: {} entries, chain intact{}",
                report.entries,
                if report.redacted > 0 {
                    format!(" ({} redacted by retention)", report.redacted)
                } else {
                    String::new()
                }
            ),
            Some(b) => println!("audit log BROKEN at entry #{}: {}", b.seq, b.reason),
        }
    }
    Ok(if report.broken.is_some() { Exit::User } else { Exit::Ok })
}
