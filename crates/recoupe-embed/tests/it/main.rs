//! Integration tests of recoupe-embed: fidelity against sentence-transformers,
//! determinism across worker counts, errors. Tests that need a model skip (with a
//! message) when `scripts/setup.sh` has not installed it.

#![cfg_attr(
    feature = "rust-bert",
    expect(
        clippy::unwrap_used,
        reason = "integration-test helpers: a panic is the failed test we want"
    )
)]

mod common;
#[cfg(feature = "rust-bert")]
mod determinism;
mod errors;
#[cfg(feature = "rust-bert")]
mod fidelity;
