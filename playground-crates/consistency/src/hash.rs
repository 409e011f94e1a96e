//! A small, fast, deterministic hasher for the checker's memo table.
//!
//! Why not `std`'s default? SipHash is built to resist hash-flooding from untrusted keys, and the
//! checker hashes millions of (linearized set, state) pairs it made itself; the multiply-rotate
//! scheme below (the one rustc uses, "FxHash") is several times faster and needs no dependency.

use std::hash::{BuildHasherDefault, Hasher};

/// FxHash: `hash = (hash.rotl(5) ^ word) * K` for every word written.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Plug [`FxHasher`] into `HashMap`/`HashSet`.
pub type FxBuild = BuildHasherDefault<FxHasher>;
