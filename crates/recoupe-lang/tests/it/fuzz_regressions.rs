//! The committed fuzz regression inputs (`fuzz/regressions/<target>/`, README "Fuzzing")
//! replayed through the fuzz targets' own checks, which are included from `fuzz/src/`.

use std::path::PathBuf;

#[path = "../../../../fuzz/src/lang.rs"]
mod lang;

/// Runs `check` on every file of `fuzz/regressions/<target>`, in name order.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for path in files {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        eprintln!("{}", path.display());
        check(&data);
    }
}

#[test]
fn lang_regressions() {
    replay("lang", lang::check);
}
