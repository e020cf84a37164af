//! Secrets are referenced, never written inline: `{ env = "NAME" }`,
//! `{ file = "PATH" }` or `{ credential = "ID" }` (systemd `LoadCredential`).
//! A reference is resolved when first needed; errors name the field, never the value.

use std::path::PathBuf;

use secrecy::SecretString;

/// Where a secret lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file (relative paths are relative to camps.toml's folder).
    File(PathBuf),
    /// A systemd credential: `$CREDENTIALS_DIRECTORY/<id>`.
    Credential(String),
}

/// A reference to a secret, with the config field that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRef {
    /// The field, e.g. `zsxq.token`, used in every error.
    pub field: String,
    /// Where to read it.
    pub source: SecretSource,
}

/// Why a secret could not be read. Never contains the secret.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{field}: environment variable {name} is not set (or not valid UTF-8)")]
    MissingEnv { field: String, name: String },
    #[error("{field}: cannot read {path}: {reason}")]
    Unreadable { field: String, path: String, reason: String },
    #[error(
        "{field}: credential {id} needs $CREDENTIALS_DIRECTORY, which is not set (run under systemd with LoadCredential=)"
    )]
    NoCredentialsDirectory { field: String, id: String },
    #[error("{field}: the secret is empty")]
    Empty { field: String },
}

impl SecretRef {
    /// Reads the secret now. Trailing newlines of files are dropped.
    pub fn resolve(&self) -> Result<SecretString, SecretError> {
        let field = self.field.clone();
        let value = match &self.source {
            SecretSource::Env(name) => {
                std::env::var(name).map_err(|_| SecretError::MissingEnv { field: field.clone(), name: name.clone() })?
            }
            SecretSource::File(path) => read_file(&field, path)?,
            SecretSource::Credential(id) => {
                let dir = std::env::var_os("CREDENTIALS_DIRECTORY")
                    .ok_or_else(|| SecretError::NoCredentialsDirectory { field: field.clone(), id: id.clone() })?;
                read_file(&field, &PathBuf::from(dir).join(id))?
            }
        };
        let trimmed = value.trim_end_matches(['\n', '\r']);
        if trimmed.trim().is_empty() {
            return Err(SecretError::Empty { field });
        }
        Ok(SecretString::from(trimmed.to_string()))
    }

    /// Where the secret comes from, for display (never the value).
    pub fn describe(&self) -> String {
        match &self.source {
            SecretSource::Env(n) => format!("env {n}"),
            SecretSource::File(p) => format!("file {}", p.display()),
            SecretSource::Credential(id) => format!("credential {id}"),
        }
    }
}

fn read_file(field: &str, path: &PathBuf) -> Result<String, SecretError> {
    std::fs::read_to_string(path).map_err(|e| SecretError::Unreadable {
        field: field.to_string(),
        path: path.display().to_string(),
        reason: e.kind().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn missing_env_names_the_field_not_the_value() {
        let r = SecretRef {
            field: "zsxq.token".into(),
            source: SecretSource::Env("CAMPDESK_TEST_SURELY_UNSET_VAR".into()),
        };
        let msg = r.resolve().unwrap_err().to_string();
        assert!(msg.contains("zsxq.token"), "{msg}");
        assert!(msg.contains("CAMPDESK_TEST_SURELY_UNSET_VAR"), "{msg}");
    }

    #[test]
    fn file_secrets_drop_trailing_newline_and_report_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "s3cret-value\n").unwrap();
        let r = SecretRef { field: "wxpay.api_v3_key".into(), source: SecretSource::File(path) };
        assert_eq!(r.resolve().unwrap().expose_secret(), "s3cret-value");
        let gone =
            SecretRef { field: "wxpay.private_key".into(), source: SecretSource::File(dir.path().join("missing.pem")) };
        let msg = gone.resolve().unwrap_err().to_string();
        assert!(msg.starts_with("wxpay.private_key: cannot read"), "{msg}");
    }
}
