//! The one hash every partitioner in this crate uses.
//!
//! Why not `std::collections::hash_map::DefaultHasher` with `RandomState`? It is seeded randomly
//! per process, so "which node owns `user:42`" would change every time you ran a program, and the
//! widget in the browser could never agree with a test run natively. Partitioning needs the
//! opposite: the same key must hash to the same number on every machine, in every process, for
//! ever. So we write out a small, well-known hash instead of depending on one.

/// FNV-1a's 64-bit offset basis (the starting state) and prime, from the FNV specification.
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes `bytes` to a 64-bit number that is the same on every platform and in every process.
///
/// Why two steps: FNV-1a (xor a byte, multiply by a prime) is eight lines and stable, but keys
/// that differ only in their last character (`key-1`, `key-2`) come out close together, and a
/// ring would put them on neighbouring points. Finishing with [`mix64`] spreads every input bit
/// over every output bit, so positions on the ring look uniformly random.
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut state = FNV_OFFSET_BASIS;
    for &byte in bytes {
        state ^= u64::from(byte);
        state = state.wrapping_mul(FNV_PRIME);
    }
    mix64(state)
}

/// Hashes a string key: a shorthand for [`hash64`] on its UTF-8 bytes, because every key and node
/// name in this crate is a string.
pub fn hash_str(key: &str) -> u64 {
    hash64(key.as_bytes())
}

/// Scrambles a 64-bit number so that flipping any input bit flips about half the output bits.
///
/// This is the finalizer of SplitMix64 (Steele, Lea and Flood, 2014). It is a bijection, so it
/// never makes two different inputs collide; we use it to finish [`hash64`], to combine a key's
/// hash with a node's in rendezvous hashing, and as the step of the seeded random number
/// generator in [`crate::workload`].
pub fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Where a hash lands on a ring drawn as a circle, as a fraction of a full turn in `[0, 1)`.
///
/// The widget draws keys and virtual nodes at these angles; the examples use it to print arcs.
pub fn ring_fraction(hash: u64) -> f64 {
    // The top 53 bits fill an f64's mantissa exactly, so the result is strictly below 1.0.
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_do_not_change_between_releases() {
        // Pinned values: if these change, every stored ring layout and the browser test's expected
        // numbers change with them, so a change here must be deliberate.
        assert_eq!(hash64(b""), 17_665_956_581_633_026_203);
        assert_eq!(hash_str("key-000001"), 2_763_918_605_653_071_527);
        assert_eq!(hash_str("A#0"), 12_303_038_168_890_238_766);
    }

    #[test]
    fn similar_keys_land_far_apart() {
        let a = ring_fraction(hash_str("key-000001"));
        let b = ring_fraction(hash_str("key-000002"));
        assert!((a - b).abs() > 0.001, "{a} and {b} are neighbours");
    }

    #[test]
    fn ring_fraction_stays_below_one() {
        assert!(ring_fraction(u64::MAX) < 1.0);
        assert_eq!(ring_fraction(0), 0.0);
    }
}
