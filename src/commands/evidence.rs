//! `campdesk evidence TRANSACTION_ID --out DIR [--json]`

use std::path::Path;

use super::{CommandError, Exit, print_json, with_backend};
use crate::cli::GlobalArgs;
use crate::service::{Request, Response};
use crate::store::OpenedBy;

pub(super) fn run(global: &GlobalArgs, transaction_id: &str, out: &Path, json: bool) -> Result<Exit, CommandError> {
    // The daemon may write the bundle, so it gets an absolute path.
    let out = std::path::absolute(out).map_err(|e| CommandError::user(format!("{}: {e}", out.display())))?;
    let request =
        Request::Evidence { transaction_id: transaction_id.to_string(), out: Some(out.display().to_string()) };
    with_backend(global, OpenedBy::Cli, |backend| async move {
        let Response::Evidence(written) = backend.call(request).await? else {
            return Err(CommandError::internal("unexpected reply to evidence"));
        };
        if json {
            print_json(&written)?;
        } else {
            println!(
                "wrote the evidence of payment {transaction_id} into {}: {} files ({} archived pages); \
                 {} days counted, {} missed",
                written.dir,
                written.files.len(),
                written.pages,
                written.counted_days,
                written.missing_days
            );
            println!("check it with: (cd {} && sha256sum -c MANIFEST.sha256)", written.dir);
        }
        Ok(Exit::Ok)
    })
}
