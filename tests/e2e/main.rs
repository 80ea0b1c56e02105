//! End-to-end runs of `recoupe` on the seed articles and on hostile input.

// Helpers outside `#[test]` functions panic on purpose: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bad_input;
mod determinism;
mod eval;
mod hostile_corpus;
mod html_report;
mod kill;
#[cfg(unix)]
mod model_files;
mod neighbour_search;
mod seeds;
mod seeds_mixed;
mod small_batch;
