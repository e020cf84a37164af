//! camps.toml: schema, templates, secret references, validation with
//! `path:line:col` errors.

mod error;
mod load;
mod model;
pub mod secret;

pub use error::{ConfigError, ConfigErrors};
pub use load::{LoadError, load_file, parse_duration, parse_str};
pub use model::*;
pub use secret::{SecretError, SecretRef, SecretSource};
