//! `campdesk status`

use serde_json::json;

use super::{CommandError, Exit, load_config, open_store, print_json};
use crate::cli::GlobalArgs;

pub(super) fn run(global: &GlobalArgs, as_json: bool) -> Result<Exit, CommandError> {
    let config = load_config(global)?;
    let store = open_store(global)?;
    let schema = store.schema_version()?;
    let audit = store.verify_audit()?;
    let camps: Vec<_> = config
        .camps
        .iter()
        .map(|c| json!({ "id": c.id, "name": c.name, "start": c.start.to_string(), "end": c.end.to_string(), "rule": c.rule() }))
        .collect();
    let value = json!({
        "config": { "path": config.path.display().to_string(), "camps": camps },
        "store": {
            "data_dir": global.data.display().to_string(),
            "schema_version": schema,
            "audit_entries": audit.entries,
            "audit_ok": audit.broken.is_none(),
        },
    });
    if as_json {
        print_json(&value)?;
    } else {
        println!("config {} ({} camps)", config.path.display(), config.camps.len());
        println!(
            "store {} (schema v{schema}), audit {} entries, {}",
            global.data.display(),
            audit.entries,
            if audit.broken.is_none() { "chain intact" } else { "CHAIN BROKEN: run `campdesk audit verify`" }
        );
    }
    Ok(Exit::Ok)
}
