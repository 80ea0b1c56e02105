//! The checks behind recoupe's fuzz targets, one module per target, each a
//! `pub fn check(data: &[u8])` that panics when an invariant breaks.
//!
//! They use nothing but the crate under test and std, so each crate's integration tests
//! include the same file (`#[path]`) and replay the committed `regressions/<target>/`
//! inputs through it under plain `cargo test`.

pub mod clean;
pub mod csv;
pub mod jsonl;
pub mod lang;
pub mod replay;
pub mod tokenize;
