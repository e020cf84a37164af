//! Loopback simulators of zsxq, WeCom and WeChat Pay, and the seeded community generator.
//!
//! The simulators speak the platforms' wire formats (`reference/zsxq-api.md`,
//! `reference/wecom-wxpay-api.md`) over real HTTP on 127.0.0.1, so campdesk's adapters talk
//! to them exactly as they would talk to production. Start them with [`Sim::start`]:
//!
//! ```no_run
//! # async fn demo() -> Result<(), campdesk::sim::SimError> {
//! use campdesk::sim::{Sim, SimOptions};
//! let sim = Sim::start(SimOptions { seed: 7, members: 200, ..SimOptions::default() }).await?;
//! println!("zsxq at {}, camps.toml at {}", sim.urls().zsxq, sim.config_path().display());
//! let truth = sim.truth(); // who is who, who paid what, who checked in when
//! # let _ = truth;
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Pieces: [`world`] (the data, behind one lock), [`clock`] (sim time), [`zsxq`], [`wecom`],
//! [`wxpay`] (request handlers over the world), [`faults`] (injection), [`actions`] (operator
//! actions), [`control`] (`/_sim/…` endpoints), [`generate`] (the community with its
//! [`truth`]), [`setup`] (keys, secrets and `camps.toml`), [`server`] (listeners and tasks).

pub mod actions;
pub mod clock;
pub mod control;
pub mod endpoint;
pub mod export;
pub mod faults;
pub mod generate;
pub mod http;
pub mod people;
pub mod server;
pub mod setup;
pub mod texts;
pub mod truth;
pub mod wecom;
pub mod world;
pub mod wxpay;
pub mod zsxq;

pub use actions::{Action, ActionError, ActionOutcome};
pub use clock::{ClockMode, SimClock};
pub use endpoint::{Endpoint, Platform};
pub use faults::{FaultKind, FaultRule, FaultSpecError, Trigger, parse_spec};
pub use generate::{Community, GenerateOptions};
pub use server::{Sim, SimError, SimHandle, SimOptions, SimUrls};
pub use setup::{SimKeys, SimSecrets};
pub use truth::GroundTruth;
