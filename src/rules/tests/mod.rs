//! Behaviour tests of the rules, one file per concern.

mod anomaly;
mod count;
mod evaluation;
mod freeze;
mod progress;
mod rule_check;
mod verdict;
