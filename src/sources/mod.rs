//! Adapters: zsxq, WeCom and WeChat Pay over HTTP, and file import.

pub mod files;
pub mod wxpay;
