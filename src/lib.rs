//! campdesk: a terminal workstation for deposit-backed check-in camps on
//! Knowledge Planet (知识星球), with WeCom payments and refunds driven through
//! human review to a reconciled, audited end.
//!
//! Layers (see `docs/architecture.md`): `domain`, `matching` and `rules` are
//! pure; `store` owns redb; `records` keeps the platform records in it;
//! `sources` speak HTTP and files; `sim` stands in for the platforms.

pub mod cli;
pub mod commands;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod engine;
pub mod evaluate;
pub mod links;
pub mod logging;
pub mod matching;
pub mod records;
pub mod refund;
pub mod rpc;
pub mod rules;
pub mod service;
pub mod sim;
pub mod sources;
pub mod store;
pub mod text;
pub mod tui;
pub mod verdicts;
