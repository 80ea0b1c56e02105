//! libFuzzer entry of [`recoupe_fuzz::jsonl::check`]; the check itself is in `src/jsonl.rs`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| recoupe_fuzz::jsonl::check(data));
