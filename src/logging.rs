//! Logging: tracing to a daily rolling file under `data/logs/`, plus stderr in
//! `serve` mode (journald-friendly: no colours, and no timestamps when stderr
//! is the journal). Secrets are never logged: adapters log ids and URLs
//! without tokens.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::prelude::*;

/// Keeps the log writer alive; logs are flushed when it drops.
pub struct LogGuard {
    _file: Option<WorkerGuard>,
}

/// The folder holding the log files.
pub fn log_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("logs")
}

/// Starts logging to `data_dir/logs/campdesk.log.YYYY-MM-DD` and, with
/// `stderr = true`, to stderr. Level from `CAMPDESK_LOG` or `RUST_LOG` (default `info`).
/// A second call in one process is ignored (the first setup stays).
pub fn init(data_dir: &Path, stderr: bool) -> LogGuard {
    let filter = || {
        std::env::var("CAMPDESK_LOG")
            .ok()
            .and_then(|v| EnvFilter::try_new(v).ok())
            .or_else(|| EnvFilter::try_from_default_env().ok())
            .unwrap_or_else(|| EnvFilter::new("info"))
    };
    let dir = log_dir(data_dir);
    let file = std::fs::create_dir_all(&dir).ok().map(|_| {
        let appender = tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("campdesk.log")
            .max_log_files(14)
            .build(&dir);
        appender.ok().map(tracing_appender::non_blocking)
    });
    let (file_layer, guard) = match file.flatten() {
        Some((writer, guard)) => (
            Some(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer).with_filter(filter())),
            Some(guard),
        ),
        None => (None, None),
    };
    let journal = std::env::var_os("JOURNAL_STREAM").is_some();
    let stderr_layer = stderr.then(|| {
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::io::stderr.with_max_level(tracing::Level::TRACE));
        if journal { layer.without_time().with_filter(filter()).boxed() } else { layer.with_filter(filter()).boxed() }
    });
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();
    LogGuard { _file: guard }
}
