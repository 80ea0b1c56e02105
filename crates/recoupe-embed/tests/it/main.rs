//! Integration tests of recoupe-embed: fidelity against sentence-transformers,
//! determinism across worker counts, errors. Tests that need a model skip (with a
//! message) when `scripts/setup.sh` has not installed it.

mod common;
mod determinism;
mod errors;
mod fidelity;
