//! `campdesk config check`

use serde_json::json;

use super::{CommandError, Exit, load_config, print_json};
use crate::cli::GlobalArgs;
use crate::text::pad_to_width;

pub(super) fn run(global: &GlobalArgs, as_json: bool) -> Result<Exit, CommandError> {
    let config = load_config(global)?;
    if as_json {
        let camps: Vec<_> = config
            .camps
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "name": c.name,
                    "template": c.template,
                    "start": c.start.to_string(),
                    "end": c.end.to_string(),
                    "days": c.days,
                    "required": c.required,
                    "rule": c.rule(),
                    "deposit": c.deposit.to_string(),
                    "deposit_fen": c.deposit.fen(),
                    "refund_via": c.refund_via.as_str(),
                    "automation": c.automation.as_str(),
                    "checkin_id": c.checkin_id,
                    "group_chats": c.group_chats,
                })
            })
            .collect();
        print_json(&json!({
            "path": config.path.display().to_string(),
            "timezone": config.timezone_name,
            "day_cutoff": config.day_rule.cutoff.to_string(),
            "camps": camps,
        }))?;
        return Ok(Exit::Ok);
    }
    println!(
        "{}: ok, {} camp(s), zone {}, day cutoff {}",
        config.path.display(),
        config.camps.len(),
        config.timezone_name,
        config.day_rule.cutoff
    );
    let id_w = config.camps.iter().map(|c| crate::text::display_width(c.id.as_str())).max().unwrap_or(2).max(2);
    let name_w = config.camps.iter().map(|c| crate::text::display_width(&c.name)).max().unwrap_or(4).clamp(4, 30);
    for c in &config.camps {
        println!(
            "  {}  {}  {} → {}  rule {:<5}  deposit {:>8}  refund_via {}",
            pad_to_width(c.id.as_str(), id_w),
            pad_to_width(&c.name, name_w),
            c.start,
            c.end,
            c.rule(),
            c.deposit.to_string(),
            c.refund_via
        );
    }
    Ok(Exit::Ok)
}
