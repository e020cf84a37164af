//! The simulators over real loopback HTTP: every endpoint, field names and types against the
//! reference docs, pagination, cursors, signatures, idempotency, token expiry, faults, the
//! control endpoint, and the ground truth against what the simulators serve.

mod cli;
mod control;
mod faults;
mod support;
mod truth;
mod wecom;
mod wxpay;
mod zsxq;
