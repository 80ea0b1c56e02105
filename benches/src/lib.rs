//! Shared helpers for recoupe's criterion benchmarks: synthetic corpora with planted
//! duplicates of known structure, and loaders for the labelled data in `../shared/eval`.

pub mod corpus;
pub mod vectors;
