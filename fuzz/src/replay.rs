//! Replays the committed inputs of `regressions/<target>/` through a target's check.
//! Not a fuzz target: the crates' integration tests include this file (`#[path]`)
//! next to the checks, so `cargo test` exercises the inputs fuzzing found.

use std::path::{Path, PathBuf};

/// Runs `check` on every file of `<fuzz_dir>/regressions/<target>`, in name order.
///
/// # Panics
/// When the folder cannot be read, is empty, or `check` panics (the file is printed
/// first, so the failing input is named).
pub fn replay(fuzz_dir: &Path, target: &str, check: fn(&[u8])) {
    let dir = fuzz_dir.join("regressions").join(target);
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
