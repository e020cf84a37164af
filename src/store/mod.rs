//! The store: one redb file in the data dir, a schema-version record checked at
//! open, typed tables ([`TableDef`]) and the hash-chained audit log.
//!
//! One process owns the file (redb takes an exclusive lock). When another
//! process holds it, [`Store::open`] says which one, in plain words.

pub mod audit;
mod error;
mod table;

use std::path::{Path, PathBuf};

use redb::ReadableDatabase;
use serde::{Deserialize, Serialize};

pub use audit::{AuditEntry, AuditHead, AuditReport, BrokenLink, NewAuditEntry};
pub use error::StoreError;
pub use table::{KEY_SEP, ReadTx, TableDef, WriteTx, key, key_prefix};

/// The schema this build writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

/// The database file's name inside the data dir.
pub const DB_FILE: &str = "campdesk.redb";
/// The file naming the process that holds the database.
pub const OWNER_FILE: &str = "campdesk.owner";

/// What kind of process opened the store (shown to a second process).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenedBy {
    /// `campdesk serve`.
    Serve,
    /// The TUI.
    Tui,
    /// A one-shot CLI command.
    Cli,
    /// `campdesk demo`.
    Demo,
    /// A test or benchmark.
    Test,
}

impl OpenedBy {
    fn describe(self) -> &'static str {
        match self {
            OpenedBy::Serve => "a running `campdesk serve`",
            OpenedBy::Tui => "a running `campdesk` TUI",
            OpenedBy::Cli => "a running `campdesk` command",
            OpenedBy::Demo => "a running `campdesk demo`",
            OpenedBy::Test => "a running campdesk test",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct OwnerInfo {
    pid: u32,
    opened_by: OpenedBy,
    since: jiff::Timestamp,
}

/// The open store. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Store {
    db: redb::Database,
    dir: Option<PathBuf>,
    clock: fn() -> jiff::Timestamp,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path, opened_by: OpenedBy) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::DataDir { dir: dir.display().to_string(), reason: e.to_string() })?;
        let db = match redb::Database::create(dir.join(DB_FILE)) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => return Err(StoreError::InUse(in_use_message(dir))),
            Err(e) => return Err(e.into()),
        };
        let store = Store { db, dir: Some(dir.to_path_buf()), clock: jiff::Timestamp::now };
        store.check_schema(&dir.display().to_string())?;
        let owner = OwnerInfo { pid: std::process::id(), opened_by, since: jiff::Timestamp::now() };
        // Best effort: the owner file only improves the message a second process sees.
        let _ = std::fs::write(dir.join(OWNER_FILE), serde_json::to_vec(&owner).unwrap_or_default());
        Ok(store)
    }

    /// A store in memory (tests and benchmarks).
    pub fn in_memory() -> Result<Store, StoreError> {
        let db = redb::Database::builder().create_with_backend(redb::backends::InMemoryBackend::new())?;
        let store = Store { db, dir: None, clock: jiff::Timestamp::now };
        store.check_schema("(memory)")?;
        Ok(store)
    }

    /// Replaces the clock used to stamp audit entries (tests).
    pub fn with_clock(mut self, clock: fn() -> jiff::Timestamp) -> Store {
        self.clock = clock;
        self
    }

    /// The data dir, for file-backed stores.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn check_schema(&self, dir: &str) -> Result<(), StoreError> {
        match table::meta_get::<u32>(&self.db, "schema_version")? {
            None => table::meta_put(&self.db, "schema_version", &SCHEMA_VERSION),
            Some(v) if v > SCHEMA_VERSION => {
                Err(StoreError::NewerSchema { dir: dir.to_string(), found: v, supported: SCHEMA_VERSION })
            }
            Some(v) if v < SCHEMA_VERSION => table::meta_put(&self.db, "schema_version", &SCHEMA_VERSION),
            Some(_) => Ok(()),
        }
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(table::meta_get::<u32>(&self.db, "schema_version")?.unwrap_or(SCHEMA_VERSION))
    }

    /// Starts a consistent read.
    pub fn read(&self) -> Result<ReadTx, StoreError> {
        Ok(ReadTx { tx: self.db.begin_read()? })
    }

    /// Starts a write; nothing is visible to others until [`WriteTx::commit`].
    pub fn write(&self) -> Result<WriteTx, StoreError> {
        Ok(WriteTx::new(self.db.begin_write()?, self.clock))
    }

    /// Runs `f` in a write transaction and commits it if `f` succeeds.
    pub fn write_with<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut WriteTx) -> Result<T, E>) -> Result<T, E> {
        let mut tx = self.write()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Appends one audit entry in its own transaction.
    pub fn audit(&self, entry: NewAuditEntry) -> Result<AuditEntry, StoreError> {
        self.write_with(|tx| tx.audit(entry))
    }

    /// Walks the whole audit chain and reports the first broken link.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        let tx = self.read()?;
        let entries = tx.audit_entries(1, None)?;
        let head = tx.audit_head()?;
        Ok(audit::verify(&entries, head.as_ref()))
    }

    /// Rewrites the file so freed pages are released (after a purge).
    pub fn compact(&mut self) -> Result<bool, StoreError> {
        Ok(self.db.compact()?)
    }

    /// Copies every table into a fresh file and puts it in place of the old one,
    /// so no byte of erased data survives in free or reused pages (redb's
    /// compaction moves pages but leaves old bytes behind). For a store in
    /// memory it only compacts. Needs the store to itself, like [`Store::compact`].
    /// Returns the file's size before and after, in bytes.
    pub fn rewrite_file(&mut self) -> Result<(u64, u64), StoreError> {
        let Some(dir) = self.dir.clone() else {
            self.compact()?;
            return Ok((0, 0));
        };
        let path = dir.join(DB_FILE);
        let fresh_path = dir.join(format!("{DB_FILE}.rewrite"));
        let io = |e: std::io::Error| StoreError::DataDir { dir: dir.display().to_string(), reason: e.to_string() };
        let before = std::fs::metadata(&path).map_err(io)?.len();
        let _ = std::fs::remove_file(&fresh_path);
        {
            let fresh = redb::Database::create(&fresh_path)?;
            let from = self.db.begin_read()?;
            let to = fresh.begin_write()?;
            for handle in from.list_tables()? {
                let name = redb::TableHandle::name(&handle).to_string();
                if name == redb::TableHandle::name(&table::AUDIT) {
                    let src = from.open_table(table::AUDIT)?;
                    let mut dst = to.open_table(table::AUDIT)?;
                    for item in redb::ReadableTable::iter(&src)? {
                        let (k, v) = item?;
                        dst.insert(k.value(), v.value())?;
                    }
                } else {
                    let def: redb::TableDefinition<'_, &str, &[u8]> = redb::TableDefinition::new(&name);
                    let src = from.open_table(def)?;
                    let mut dst = to.open_table(def)?;
                    for item in redb::ReadableTable::iter(&src)? {
                        let (k, v) = item?;
                        dst.insert(k.value(), v.value())?;
                    }
                }
            }
            to.commit()?;
        }
        std::fs::rename(&fresh_path, &path).map_err(io)?;
        let reopened = redb::Database::create(&path)?;
        drop(std::mem::replace(&mut self.db, reopened));
        let after = std::fs::metadata(&path).map_err(io)?.len();
        Ok((before, after))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let path = dir.join(OWNER_FILE);
            let ours = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<OwnerInfo>(&b).ok())
                .is_some_and(|o| o.pid == std::process::id());
            if ours {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn in_use_message(dir: &Path) -> String {
    let owner = std::fs::read(dir.join(OWNER_FILE)).ok().and_then(|b| serde_json::from_slice::<OwnerInfo>(&b).ok());
    match owner {
        Some(o) => format!(
            "the data dir {} is in use by {} (pid {}); stop it first, or run this command while it runs so it goes through its socket",
            dir.display(),
            o.opened_by.describe(),
            o.pid
        ),
        None => format!("the data dir {} is in use by another campdesk process", dir.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTES: TableDef<String> = TableDef::new("notes");

    #[test]
    fn typed_tables_round_trip_and_prefix_scan() {
        let store = Store::in_memory().unwrap();
        let mut tx = store.write().unwrap();
        tx.put(&NOTES, &key(&["c1", "a"]), &"first".to_string()).unwrap();
        tx.put(&NOTES, &key(&["c1", "b"]), &"second".to_string()).unwrap();
        tx.put(&NOTES, &key(&["c10", "a"]), &"other camp".to_string()).unwrap();
        tx.commit().unwrap();
        let r = store.read().unwrap();
        assert_eq!(r.get(&NOTES, &key(&["c1", "b"])).unwrap().as_deref(), Some("second"));
        let c1: Vec<String> = r.prefix(&NOTES, &key_prefix(&["c1"])).unwrap().into_iter().map(|(_, v)| v).collect();
        assert_eq!(c1, vec!["first", "second"]);
        assert_eq!(r.count(&NOTES).unwrap(), 3);
    }

    #[test]
    fn an_uncommitted_write_leaves_nothing() {
        let store = Store::in_memory().unwrap();
        {
            let mut tx = store.write().unwrap();
            tx.put(&NOTES, "k", &"v".to_string()).unwrap();
            tx.audit(NewAuditEntry::new("t", "note.add", "k", serde_json::Value::Null)).unwrap();
            // dropped without commit
        }
        let r = store.read().unwrap();
        assert_eq!(r.get(&NOTES, "k").unwrap(), None);
        assert!(r.audit_entries(1, None).unwrap().is_empty());
    }

    #[test]
    fn audit_entries_chain_across_transactions() {
        let store = Store::in_memory().unwrap();
        for i in 0..3 {
            store
                .write_with(|tx| {
                    tx.put(&NOTES, &i.to_string(), &format!("n{i}"))?;
                    tx.audit(NewAuditEntry::new("owner", "note.add", i.to_string(), serde_json::json!({ "i": i })))?;
                    tx.audit(NewAuditEntry::new("owner", "note.touch", i.to_string(), serde_json::Value::Null))
                })
                .unwrap();
        }
        let report = store.verify_audit().unwrap();
        assert_eq!(report.entries, 6);
        assert_eq!(report.broken, None);
    }

    #[test]
    fn every_table_can_be_listed_and_rewritten_as_json() {
        let store = Store::in_memory().unwrap();
        const OTHER: TableDef<u32> = TableDef::new("other");
        store
            .write_with(|tx| {
                tx.put(&NOTES, "a", &"keep".to_string())?;
                tx.put(&NOTES, "b", &"小明 paid".to_string())?;
                tx.put(&OTHER, "x", &7)?;
                tx.audit(NewAuditEntry::new("t", "note.add", "a", serde_json::Value::Null))
            })
            .unwrap();
        let mut tx = store.write().unwrap();
        assert_eq!(tx.table_names().unwrap(), vec!["notes", "other"], "meta and audit are not listed");
        let n = tx
            .rewrite_values("notes", |_, v| match v.as_str() {
                Some(s) if s.contains("小明") => {
                    *v = serde_json::Value::String(s.replace("小明", "成员-1"));
                    true
                }
                _ => false,
            })
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(n, 1);
        let r = store.read().unwrap();
        assert_eq!(r.get(&NOTES, "b").unwrap().as_deref(), Some("成员-1 paid"));
        assert_eq!(r.get(&NOTES, "a").unwrap().as_deref(), Some("keep"));
    }

    #[test]
    fn a_rewritten_file_keeps_every_record_and_none_of_the_erased_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path(), OpenedBy::Test).unwrap();
        let secret = "ERASED-NAME-0123456789";
        const OTHER: TableDef<String> = TableDef::new("other");
        store
            .write_with(|tx| {
                for i in 0..2000 {
                    let text = if i % 3 == 0 { format!("{secret} {i}") } else { format!("kept text number {i}") };
                    tx.put(&NOTES, &format!("k{i:04}"), &text)?;
                }
                tx.audit(NewAuditEntry::new("t", "note.add", "k", serde_json::json!({ "n": 2000 })))
            })
            .unwrap();
        store
            .write_with(|tx| {
                for i in (0..2000).step_by(3) {
                    tx.put(&NOTES, &format!("k{i:04}"), &format!("x{i}"))?;
                }
                for i in 0..500 {
                    tx.put(&OTHER, &format!("o{i:04}"), &"later data".repeat(5))?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        store.rewrite_file().unwrap();
        let r = store.read().unwrap();
        assert_eq!(r.get(&NOTES, "k0007").unwrap().as_deref(), Some("kept text number 7"));
        assert_eq!(r.get(&NOTES, "k0006").unwrap().as_deref(), Some("x6"));
        assert_eq!(r.count(&NOTES).unwrap(), 2000);
        assert_eq!(r.count(&OTHER).unwrap(), 500);
        drop(r);
        assert_eq!(store.verify_audit().unwrap().entries, 1);
        store.write_with(|tx| tx.put(&NOTES, "new", &"after".to_string())).unwrap();
        drop(store);
        let bytes = std::fs::read(dir.path().join(DB_FILE)).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()));
        assert!(!dir.path().join(format!("{DB_FILE}.rewrite")).exists());
        let again = Store::open(dir.path(), OpenedBy::Test).unwrap();
        assert_eq!(again.read().unwrap().get(&NOTES, "new").unwrap().as_deref(), Some("after"));
    }

    #[test]
    fn a_second_open_names_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path(), OpenedBy::Serve).unwrap();
        let err = Store::open(dir.path(), OpenedBy::Cli).unwrap_err().to_string();
        assert!(err.contains("in use by a running `campdesk serve`"), "{err}");
        assert!(err.contains(&format!("(pid {})", std::process::id())), "{err}");
        drop(first);
        assert!(Store::open(dir.path(), OpenedBy::Cli).is_ok());
    }

    #[test]
    fn a_newer_schema_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = redb::Database::create(dir.path().join(DB_FILE)).unwrap();
            table::meta_put(&db, "schema_version", &(SCHEMA_VERSION + 1)).unwrap();
        }
        let err = Store::open(dir.path(), OpenedBy::Cli).unwrap_err().to_string();
        assert!(err.contains(&format!("schema version {}", SCHEMA_VERSION + 1)), "{err}");
        assert!(err.contains("upgrade campdesk"), "{err}");
    }
}
