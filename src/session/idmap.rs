//! Hash maps keyed by identifiers we hand out ourselves (packet ids, operation tags), hashed
//! with one multiplication instead of SipHash: they are looked up several times per message.
//! Not for keys a peer chooses (SipHash's resistance to chosen collisions matters there).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by our own integer identifiers.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// Remove `key`; a map left empty with a small table gives the table back. A client holds a
/// few such maps (operations in flight, requests awaiting their acknowledgement) that are
/// empty most of its life: 10,000 idle clients kept ~500 bytes each in empty tables. A busy
/// client's large table stays, so a stream does not reallocate it at every lull.
pub fn remove_and_release<K, V>(map: &mut IdMap<K, V>, key: &K) -> Option<V>
where
    K: std::hash::Hash + Eq,
{
    let v = map.remove(key);
    if map.is_empty() && map.capacity() > 0 && map.capacity() <= SMALL_TABLE {
        *map = IdMap::default();
    }
    v
}

/// See [`remove_and_release`].
const SMALL_TABLE: usize = 8;

/// Fibonacci hashing of one integer: spreads consecutive ids over both the low bits (bucket)
/// and the high bits (hashbrown's control byte).
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only integers are hashed with it; fold anything else in byte by byte all the same.
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_spread_over_high_and_low_bits() {
        let hash = |n: u16| {
            let mut h = IdHasher::default();
            h.write_u16(n);
            h.finish()
        };
        let top: std::collections::HashSet<u64> = (1..=128).map(|n| hash(n) >> 57).collect();
        let low: std::collections::HashSet<u64> = (1..=128).map(|n| hash(n) & 127).collect();
        assert!(
            top.len() > 64 && low.len() > 64,
            "{} {}",
            top.len(),
            low.len()
        );
        let mut m: IdMap<u16, u16> = IdMap::default();
        for n in 1..=1000 {
            m.insert(n, n);
        }
        assert!((1..=1000).all(|n| m.get(&n) == Some(&n)));
    }
}
