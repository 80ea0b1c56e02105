//! Integration tests of recoupe-similarity.

mod metrics;
mod minhash;
