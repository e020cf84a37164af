//! Adapters: zsxq, WeCom and WeChat Pay over HTTP, and file import; the sync jobs
//! that drive the HTTP adapters page by page into the records layer.
//!
//! - [`zsxq`], [`wecom`]: the platform clients (requests, signing, token cache, error
//!   classification, notifications).
//! - [`http`], [`pace`], [`retry`], [`meter`]: what they share (timeouts and log lines,
//!   pacing, classified failures and the retry loop, where time goes).
//! - [`jobs`]: the engine's sync tasks and the final-sync records.
//! - [`files`]: csv/xlsx import.

pub mod files;
pub mod http;
pub mod jobs;
pub mod meter;
pub mod pace;
pub mod retry;
pub mod wecom;
pub mod wxpay;
pub mod zsxq;
