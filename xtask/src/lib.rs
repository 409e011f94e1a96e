//! The project's task runner, as a library.
//!
//! `cargo xtask` (see `main.rs`) is a thin command line over these modules. They are a library so
//! that the end-to-end tests in `tests/` build the book and find its snippets exactly the way
//! `cargo xtask build` does: a test that used its own copy of the build would prove nothing about
//! the real one.

pub mod book;
pub mod companions;
pub mod links;
pub mod outputs;
pub mod precompute;
pub mod process;
pub mod setup;
pub mod snippets;
pub mod summary;
pub mod workspace;
