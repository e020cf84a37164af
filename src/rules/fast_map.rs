//! Hash maps keyed by the rules' short string ids, with a fast multiplicative
//! hasher (the FxHash scheme) instead of SipHash. The keys are platform ids of
//! one camp, evaluated in memory and thrown away: hash flooding is not a
//! concern here, speed is (10 camps × 1 000 members in well under 100 ms).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash: rotate, xor, multiply per 8-byte word.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    fn hash_of(s: &str) -> u64 {
        BuildHasherDefault::<FxHasher>::default().hash_one(s)
    }

    #[test]
    fn different_ids_hash_differently_and_maps_work() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("4000000{i:05}")).collect();
        let hashes: FastSet<u64> = ids.iter().map(|s| hash_of(s)).collect();
        assert_eq!(hashes.len(), ids.len());
        assert_ne!(hash_of("a"), hash_of("a\0"));
        let mut m: FastMap<&str, usize> = FastMap::default();
        for (i, id) in ids.iter().enumerate() {
            m.insert(id, i);
        }
        assert!(ids.iter().enumerate().all(|(i, id)| m.get(id.as_str()) == Some(&i)));
    }
}
