//! End-to-end tests of the whole book; see `tests/` in this crate.
