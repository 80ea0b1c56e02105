//! libFuzzer entry of [`recoupe_fuzz::clean::check`]; the check itself is in `src/clean.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| recoupe_fuzz::clean::check(data));
