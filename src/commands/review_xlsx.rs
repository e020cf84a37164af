//! `campdesk review export|import`: the Excel round trip of a camp's refund queue.

use base64::Engine as _;

use super::{CommandError, Exit, actor, print_json, with_backend};
use crate::cli::{GlobalArgs, ReviewCommand};
use crate::service::{Request, Response};
use crate::store::OpenedBy;

pub(super) fn run(global: &GlobalArgs, action: &ReviewCommand) -> Result<Exit, CommandError> {
    match action {
        ReviewCommand::Export { camp, file } => {
            let request = Request::ReviewExport { camp: camp.clone() };
            let file = file.clone();
            with_backend(global, OpenedBy::Cli, |backend| async move {
                let Response::ReviewFile { content_base64, rows, .. } = backend.call(request).await? else {
                    return Err(CommandError::internal("unexpected reply to a review export"));
                };
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(content_base64.as_bytes())
                    .map_err(|e| CommandError::internal(format!("the workbook did not arrive intact: {e}")))?;
                std::fs::write(&file, bytes)
                    .map_err(|e| CommandError::user(format!("cannot write {}: {e}", file.display())))?;
                println!(
                    "wrote {} refund(s) to {}; fill in 决定 (同意/拒绝) and 理由, then `campdesk review import`",
                    rows,
                    file.display()
                );
                Ok(Exit::Ok)
            })
        }
        ReviewCommand::Import { file, by, yes, json } => {
            let bytes =
                std::fs::read(file).map_err(|e| CommandError::user(format!("cannot read {}: {e}", file.display())))?;
            let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let request = Request::ReviewImport {
                file_name,
                content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
                by: actor(by.as_deref()),
                confirm: *yes,
            };
            let json = *json;
            with_backend(global, OpenedBy::Cli, |backend| async move {
                let Response::ReviewImported(report) = backend.call(request).await? else {
                    return Err(CommandError::internal("unexpected reply to a review import"));
                };
                if json {
                    print_json(&report)?;
                } else {
                    for id in &report.approved {
                        println!("approved  {id}");
                    }
                    for id in &report.rejected {
                        println!("rejected  {id}");
                    }
                    println!(
                        "{}: {} approved, {} rejected, {} without a decision (camp {})",
                        report.file,
                        report.approved.len(),
                        report.rejected.len(),
                        report.undecided,
                        report.camp
                    );
                }
                Ok(Exit::Ok)
            })
        }
    }
}
