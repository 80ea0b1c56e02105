//! libFuzzer entry of [`recoupe_fuzz::lang::check`]; the check itself is in `src/lang.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| recoupe_fuzz::lang::check(data));
