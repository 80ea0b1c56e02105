//! Integration tests of recoupe-embed: fidelity against sentence-transformers,
//! determinism across worker counts, errors. Tests that need a model skip (with a
//! message) when `scripts/setup.sh` has not installed it.

#![expect(
    clippy::unwrap_used,
    reason = "integration-test helpers: a panic is the failed test we want"
)]

mod common;
mod determinism;
mod errors;
mod fidelity;
