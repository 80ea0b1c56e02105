//! The committed fuzz regression inputs (`fuzz/regressions/<target>/`, README "Fuzzing")
//! replayed through the fuzz targets' own checks, which are included from `fuzz/src/`.

use std::path::PathBuf;

#[path = "../../../../fuzz/src/replay.rs"]
mod replay;

#[path = "../../../../fuzz/src/tokenize.rs"]
mod tokenize;

fn replay(target: &str, check: fn(&[u8])) {
    replay::replay(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz"),
        target,
        check,
    );
}

#[test]
fn tokenize_regressions() {
    replay("tokenize", tokenize::check);
}
