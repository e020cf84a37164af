//! `campdesk bench …`: benchmarks that print their figures.

use super::{CommandError, Exit};
use crate::cli::BenchCommand;

pub(super) fn run(which: &BenchCommand) -> Result<Exit, CommandError> {
    match which {
        BenchCommand::Match(args) => super::bench_match::run(args),
    }
}
