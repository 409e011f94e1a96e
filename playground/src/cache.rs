//! A content-addressed, byte-bounded LRU cache of Run results.
//!
//! Keyed by SHA-256 of (code, edition, channel, mode): a collision would serve one learner's
//! output to another, so the key is a cryptographic hash, not FNV. Bounded by the bytes of the
//! stored results (not the entry count) because one flood-of-output result is 1000 small ones.

use std::sync::Mutex;

use lru::LruCache;
use sha2::{Digest, Sha256};

use crate::wire::{EvaluateRequest, EvaluateResponse};

/// A cache key: SHA-256 of the request's fields, each length-prefixed (so no two different
/// requests concatenate to the same bytes).
pub type Key = [u8; 32];

/// Computes the cache key of a request.
pub fn key(req: &EvaluateRequest) -> Key {
    let mut hasher = Sha256::new();
    for field in [&req.version, &req.optimize, &req.edition, &req.code] {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// The cache itself; cheap to share behind `&`.
#[derive(Debug)]
pub struct ResultCache {
    inner: Mutex<Inner>,
    max_bytes: usize,
}

#[derive(Debug)]
struct Inner {
    entries: LruCache<Key, EvaluateResponse>,
    bytes: usize,
}

/// Bytes an entry is charged: its strings plus a fixed overhead for the key and bookkeeping.
fn cost(resp: &EvaluateResponse) -> usize {
    128 + resp.result.len() + resp.error.as_ref().map_or(0, String::len)
}

impl ResultCache {
    /// An empty cache holding at most `max_bytes` of results.
    pub fn new(max_bytes: usize) -> Self {
        ResultCache {
            inner: Mutex::new(Inner {
                entries: LruCache::unbounded(),
                bytes: 0,
            }),
            max_bytes,
        }
    }

    /// The cached result, marked most recently used.
    pub fn get(&self, key: &Key) -> Option<EvaluateResponse> {
        self.lock().entries.get(key).cloned()
    }

    /// Stores a result, evicting least recently used ones until under the byte bound. Results
    /// larger than an eighth of the cache are not stored (they would evict too much).
    pub fn insert(&self, key: Key, resp: EvaluateResponse) {
        let size = cost(&resp);
        if size > self.max_bytes / 8 {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.entries.put(key, resp) {
            inner.bytes -= cost(&old);
        }
        inner.bytes += size;
        while inner.bytes > self.max_bytes {
            match inner.entries.pop_lru() {
                Some((_, old)) => inner.bytes -= cost(&old),
                None => break,
            }
        }
    }

    /// (entries, bytes) currently held.
    pub fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.entries.len(), inner.bytes)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave Inner inconsistent in a way that matters
        // more than losing the cache, so recover rather than propagate the poison.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Outcome;

    fn resp(text: &str) -> EvaluateResponse {
        EvaluateResponse {
            result: text.to_owned(),
            error: None,
            outcome: Outcome::Success,
        }
    }

    #[test]
    fn evicts_least_recently_used_by_bytes() {
        let cache = ResultCache::new(8 * 300);
        for i in 0..20u8 {
            cache.insert([i; 32], resp(&"x".repeat(100)));
        }
        let (entries, bytes) = cache.usage();
        assert!(bytes <= 8 * 300, "{bytes}");
        assert!(entries < 20);
        assert!(cache.get(&[19; 32]).is_some());
        assert!(cache.get(&[0; 32]).is_none());
    }

    #[test]
    fn keys_separate_fields() {
        let a = EvaluateRequest::like_book_js("ab", "2021");
        let mut b = a.clone();
        b.edition = "2018".to_owned();
        assert_ne!(key(&a), key(&b));
        assert_eq!(key(&a), key(&a.clone()));
    }
}
