//! campdesk: a terminal workstation for deposit-backed check-in camps on
//! Knowledge Planet (知识星球), with WeCom payments and refunds driven through
//! human review to a reconciled, audited end.
//!
//! Layers (see `../shared/DESIGN.md`): `domain`, `matching` and `rules` are
//! pure; `store` owns redb; `sources` speak HTTP and files; `engine` runs the
//! tasks; `tui` and `cli` are thin front ends.

pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod store;
pub mod text;
