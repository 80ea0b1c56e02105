//! Integration tests of recoupe-lang's public API.

mod bad_input;
mod document;
mod fuzz_regressions;
mod properties;
