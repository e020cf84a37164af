//! Typed tables over redb: string keys, JSON values, one transaction type for
//! reads and one for writes. redb types never leave this module.

use std::marker::PhantomData;

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, AuditEntry, AuditHead, NewAuditEntry};
use super::error::StoreError;

/// A table of `V` records keyed by strings.
///
/// Declare one as a constant next to the code that owns the data:
/// `pub const PAYMENTS: TableDef<Payment> = TableDef::new("payments");`.
/// Composite keys join their parts with [`key`] so prefix scans work.
pub struct TableDef<V> {
    name: &'static str,
    _value: PhantomData<fn() -> V>,
}

impl<V> TableDef<V> {
    /// A table named `name` (unique across the store).
    pub const fn new(name: &'static str) -> Self {
        TableDef { name, _value: PhantomData }
    }

    /// The table's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    fn redb(&self) -> TableDefinition<'static, &'static str, &'static [u8]> {
        TableDefinition::new(self.name)
    }
}

/// The separator between parts of a composite key (ASCII unit separator).
pub const KEY_SEP: char = '\u{1f}';

/// Joins key parts, e.g. `key(&[camp, txn])`.
pub fn key(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(KEY_SEP);
        }
        out.push_str(p);
    }
    out
}

/// The prefix that selects every key starting with these parts.
pub fn key_prefix(parts: &[&str]) -> String {
    let mut k = key(parts);
    k.push(KEY_SEP);
    k
}

pub(crate) const META: TableDefinition<'static, &'static str, &'static [u8]> = TableDefinition::new("meta");
pub(crate) const AUDIT: TableDefinition<'static, u64, &'static [u8]> = TableDefinition::new("audit");

fn decode<V: DeserializeOwned>(table: &str, key: &str, bytes: &[u8]) -> Result<V, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        table: table.to_string(),
        key: key.to_string(),
        reason: e.to_string(),
    })
}

fn encode<V: Serialize>(value: &V) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Encode(e.to_string()))
}

/// A consistent read-only view of the store.
pub struct ReadTx {
    pub(crate) tx: redb::ReadTransaction,
}

macro_rules! read_methods {
    ($open:ident) => {
        /// The record at `key`, if any.
        pub fn get<V: DeserializeOwned>(&self, table: &TableDef<V>, key: &str) -> Result<Option<V>, StoreError> {
            let Some(t) = self.$open(table)? else { return Ok(None) };
            match t.get(key)? {
                Some(guard) => Ok(Some(decode(table.name, key, guard.value())?)),
                None => Ok(None),
            }
        }

        /// Every `(key, record)` of the table, in key order.
        pub fn all<V: DeserializeOwned>(&self, table: &TableDef<V>) -> Result<Vec<(String, V)>, StoreError> {
            self.prefix(table, "")
        }

        /// Every `(key, record)` whose key starts with `prefix`, in key order.
        pub fn prefix<V: DeserializeOwned>(
            &self,
            table: &TableDef<V>,
            prefix: &str,
        ) -> Result<Vec<(String, V)>, StoreError> {
            let Some(t) = self.$open(table)? else { return Ok(Vec::new()) };
            let mut out = Vec::new();
            for item in t.range(prefix..)? {
                let (k, v) = item?;
                let k = k.value();
                if !k.starts_with(prefix) {
                    break;
                }
                out.push((k.to_string(), decode(table.name, k, v.value())?));
            }
            Ok(out)
        }

        /// Number of records in the table.
        pub fn count<V>(&self, table: &TableDef<V>) -> Result<u64, StoreError> {
            match self.$open(table)? {
                Some(t) => Ok(t.len()?),
                None => Ok(0),
            }
        }

        /// The audit entries with `seq` in `from..=to` (all when `to` is None).
        pub fn audit_entries(&self, from: u64, to: Option<u64>) -> Result<Vec<AuditEntry>, StoreError> {
            let Some(t) = self.open_audit()? else { return Ok(Vec::new()) };
            let mut out = Vec::new();
            for item in t.range(from..=to.unwrap_or(u64::MAX))? {
                let (k, v) = item?;
                out.push(decode("audit", &k.value().to_string(), v.value())?);
            }
            Ok(out)
        }

        /// The newest audit entry's sequence number and hash.
        pub fn audit_head(&self) -> Result<Option<AuditHead>, StoreError> {
            let Some(t) = self.open_meta()? else { return Ok(None) };
            match t.get(audit::HEAD_KEY)? {
                Some(g) => Ok(Some(decode("meta", audit::HEAD_KEY, g.value())?)),
                None => Ok(None),
            }
        }
    };
}

impl ReadTx {
    fn open<V>(
        &self,
        table: &TableDef<V>,
    ) -> Result<Option<redb::ReadOnlyTable<&'static str, &'static [u8]>>, StoreError> {
        match self.tx.open_table(table.redb()) {
            Ok(t) => Ok(Some(t)),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn open_meta(&self) -> Result<Option<redb::ReadOnlyTable<&'static str, &'static [u8]>>, StoreError> {
        match self.tx.open_table(META) {
            Ok(t) => Ok(Some(t)),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn open_audit(&self) -> Result<Option<redb::ReadOnlyTable<u64, &'static [u8]>>, StoreError> {
        match self.tx.open_table(AUDIT) {
            Ok(t) => Ok(Some(t)),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    read_methods!(open);
}

/// A write transaction: every change inside it, audit entries included, commits
/// together or not at all. Dropping it without [`WriteTx::commit`] discards it.
pub struct WriteTx {
    pub(crate) tx: redb::WriteTransaction,
    head: Option<Option<AuditHead>>,
    pub(crate) clock: fn() -> jiff::Timestamp,
}

impl WriteTx {
    pub(crate) fn new(tx: redb::WriteTransaction, clock: fn() -> jiff::Timestamp) -> Self {
        WriteTx { tx, head: None, clock }
    }

    fn open<V>(&self, table: &TableDef<V>) -> Result<Option<redb::Table<'_, &'static str, &'static [u8]>>, StoreError> {
        Ok(Some(self.tx.open_table(table.redb())?))
    }

    fn open_meta(&self) -> Result<Option<redb::Table<'_, &'static str, &'static [u8]>>, StoreError> {
        Ok(Some(self.tx.open_table(META)?))
    }

    fn open_audit(&self) -> Result<Option<redb::Table<'_, u64, &'static [u8]>>, StoreError> {
        Ok(Some(self.tx.open_table(AUDIT)?))
    }

    read_methods!(open);

    /// Stores `value` at `key`, replacing what was there.
    pub fn put<V: Serialize>(&mut self, table: &TableDef<V>, key: &str, value: &V) -> Result<(), StoreError> {
        let bytes = encode(value)?;
        let mut t = self.tx.open_table(table.redb())?;
        t.insert(key, bytes.as_slice())?;
        Ok(())
    }

    /// Stores many records in one go (faster than repeated `put`).
    pub fn put_many<'a, V: Serialize + 'a>(
        &mut self,
        table: &TableDef<V>,
        items: impl IntoIterator<Item = (&'a str, &'a V)>,
    ) -> Result<usize, StoreError> {
        let mut t = self.tx.open_table(table.redb())?;
        let mut n = 0;
        for (k, v) in items {
            let bytes = encode(v)?;
            t.insert(k, bytes.as_slice())?;
            n += 1;
        }
        Ok(n)
    }

    /// Removes the record at `key`; returns whether there was one.
    pub fn remove<V>(&mut self, table: &TableDef<V>, key: &str) -> Result<bool, StoreError> {
        let mut t = self.tx.open_table(table.redb())?;
        Ok(t.remove(key)?.is_some())
    }

    /// Removes every record whose key starts with `prefix`; returns how many.
    pub fn remove_prefix<V>(&mut self, table: &TableDef<V>, prefix: &str) -> Result<usize, StoreError> {
        let mut t = self.tx.open_table(table.redb())?;
        let keys: Vec<String> = {
            let mut keys = Vec::new();
            for item in t.range(prefix..)? {
                let (k, _) = item?;
                let k = k.value();
                if !k.starts_with(prefix) {
                    break;
                }
                keys.push(k.to_string());
            }
            keys
        };
        for k in &keys {
            t.remove(k.as_str())?;
        }
        Ok(keys.len())
    }

    /// Appends an audit entry (hash-chained to the previous one) inside this transaction.
    pub fn audit(&mut self, entry: NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let head = match &self.head {
            Some(h) => h.clone(),
            None => self.audit_head()?,
        };
        let full = audit::chain(head.as_ref(), entry, (self.clock)());
        {
            let bytes = encode(&full)?;
            let mut t = self.tx.open_table(AUDIT)?;
            t.insert(full.seq, bytes.as_slice())?;
        }
        let new_head = AuditHead { seq: full.seq, hash: full.hash.clone() };
        {
            let bytes = encode(&new_head)?;
            let mut meta = self.tx.open_table(META)?;
            meta.insert(audit::HEAD_KEY, bytes.as_slice())?;
        }
        self.head = Some(Some(new_head));
        Ok(full)
    }

    /// Replaces an audit entry's details with a redaction marker, keeping its
    /// hash valid (used by retention purges; the chain still verifies).
    pub fn redact_audit(&mut self, seq: u64) -> Result<bool, StoreError> {
        let mut t = self.tx.open_table(AUDIT)?;
        let current: Option<AuditEntry> = match t.get(seq)? {
            Some(g) => Some(decode("audit", &seq.to_string(), g.value())?),
            None => None,
        };
        let Some(mut entry) = current else { return Ok(false) };
        if entry.redacted {
            return Ok(false);
        }
        entry.details = serde_json::Value::Null;
        entry.redacted = true;
        let bytes = encode(&entry)?;
        t.insert(seq, bytes.as_slice())?;
        Ok(true)
    }

    /// Commits every change of this transaction durably.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }

    /// Lets this commit skip the flush to disk (bulk loads): it becomes durable with the
    /// next ordinary commit, and a crash before that rolls the store back, consistently, to
    /// the last durable commit. Only for writes whose loss is harmless, such as sync pages
    /// committed together with their cursor.
    pub fn defer_flush(&mut self) -> Result<(), StoreError> {
        self.tx.set_durability(redb::Durability::None).map_err(|e| StoreError::Rejected(e.to_string()))
    }
}

pub(crate) fn meta_get<T: DeserializeOwned>(db: &redb::Database, key: &str) -> Result<Option<T>, StoreError> {
    let tx = db.begin_read()?;
    let t = match tx.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match t.get(key)? {
        Some(g) => Ok(Some(decode("meta", key, g.value())?)),
        None => Ok(None),
    }
}

pub(crate) fn meta_put<T: Serialize>(db: &redb::Database, key: &str, value: &T) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    {
        let bytes = encode(value)?;
        let mut t = tx.open_table(META)?;
        t.insert(key, bytes.as_slice())?;
    }
    tx.commit()?;
    Ok(())
}
