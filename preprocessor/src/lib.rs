//! The `mdbook-dsip` preprocessor.
