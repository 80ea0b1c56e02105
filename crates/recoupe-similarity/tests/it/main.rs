//! Integration tests of recoupe-similarity.

mod cluster;
mod metrics;
mod minhash;
