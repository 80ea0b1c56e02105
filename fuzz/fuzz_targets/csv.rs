//! libFuzzer entry of [`recoupe_fuzz::csv::check`]; the check itself is in `src/csv.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| recoupe_fuzz::csv::check(data));
