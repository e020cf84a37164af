//! The records in the store: raw archive, upserts, snapshot diffing, camp attribution.
