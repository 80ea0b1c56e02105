//! The committed fuzz regression inputs (`fuzz/regressions/<target>/`, README "Fuzzing")
//! replayed through the fuzz targets' own checks, which are included from `fuzz/src/`.

use std::path::PathBuf;

#[path = "../../../../fuzz/src/replay.rs"]
mod replay;

#[path = "../../../../fuzz/src/clean.rs"]
mod clean;
#[path = "../../../../fuzz/src/csv.rs"]
mod csv;
#[path = "../../../../fuzz/src/jsonl.rs"]
mod jsonl;

fn replay(target: &str, check: fn(&[u8])) {
    replay::replay(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz"),
        target,
        check,
    );
}

#[test]
fn jsonl_regressions() {
    replay("jsonl", jsonl::check);
}

#[test]
fn csv_regressions() {
    replay("csv", csv::check);
}

#[test]
fn clean_regressions() {
    replay("clean", clean::check);
}
