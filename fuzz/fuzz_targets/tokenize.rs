//! libFuzzer entry of [`recoupe_fuzz::tokenize::check`]; the check itself is in `src/tokenize.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| recoupe_fuzz::tokenize::check(data));
