//! Helpers of the end-to-end tests: find (or build) the `recoupe` binary, find the
//! models and the shared fixtures (skipping with a message when absent), run the
//! command, and read its JSONL outputs.
//!
//! ```no_run
//! let bin = recoupe_e2e::recoupe_bin()?;
//! let out = tempfile_dir();
//! # fn tempfile_dir() -> std::path::PathBuf { std::env::temp_dir().join("recoupe-doc") }
//! let run = recoupe_e2e::run(&bin, &["config", "--default"])?;
//! assert_eq!(run.code, Some(0));
//! # Ok::<(), anyhow::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// The workspace root (parent of this package).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// `../shared/fixtures/seed-articles` next to the repository, if present.
pub fn seeds_dir() -> Option<PathBuf> {
    let dir = workspace_root().join("../shared/fixtures/seed-articles");
    dir.join("articles.jsonl").is_file().then_some(dir)
}

/// Whether the model folder `name` is installed under `models/`.
pub fn model_installed(name: &str) -> bool {
    workspace_root()
        .join("models")
        .join(name)
        .join("model.safetensors")
        .is_file()
}

/// Prints why a test is skipped; returns `true` when it must be.
pub fn skip_without(model: &str) -> bool {
    if seeds_dir().is_none() {
        eprintln!("SKIP: ../shared/fixtures/seed-articles not found next to the repository");
        return true;
    }
    if !model_installed(model) {
        eprintln!("SKIP: model {model} not installed; run scripts/setup.sh");
        return true;
    }
    false
}

/// The `recoupe` binary of the current target dir and profile, built if missing.
///
/// `cargo test --workspace` (or `cargo test -p recoupe-cli -p recoupe-e2e`) builds it
/// fresh before any test runs, because recoupe-cli has integration tests; with
/// `-p recoupe-e2e` alone an older binary may be used.
pub fn recoupe_bin() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("no current exe")?;
    // target/<profile>/deps/e2e-hash -> target/<profile>/recoupe
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .context("unexpected test binary location")?;
    let bin = profile_dir.join("recoupe");
    if !bin.is_file() {
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace_root())
            .args(["build", "-p", "recoupe-cli"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd
            .status()
            .context("cannot run cargo build -p recoupe-cli")?;
        if !status.success() || !bin.is_file() {
            bail!(
                "cargo build -p recoupe-cli did not produce {}",
                bin.display()
            );
        }
    }
    Ok(bin)
}

/// Exit code, stdout and stderr of one command run.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `recoupe ARGS` from the workspace root (so `models/` is found).
pub fn run(bin: &Path, args: &[&str]) -> Result<Run> {
    let out = Command::new(bin)
        .current_dir(workspace_root())
        .args(args)
        .env_remove("RECOUPE_MODELS_DIR")
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    Ok(Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// The JSON values of a JSONL file.
pub fn read_jsonl(path: &Path) -> Result<Vec<Value>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .map(|l| serde_json::from_str(l).with_context(|| format!("bad line in {}", path.display())))
        .collect()
}

/// Writes the seed articles as a CSV (`id,source,text`) at `path`.
pub fn seeds_csv(path: &Path) -> Result<()> {
    let dir = seeds_dir().context("seed articles not found")?;
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["id", "source", "text"])?;
    for v in read_jsonl(&dir.join("articles.jsonl"))? {
        let field = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        w.write_record([field("id"), field("source"), field("text")])?;
    }
    w.flush()?;
    Ok(())
}

/// Groups of ids (each cut to its first 3 characters) by cluster, sorted.
pub fn partition(articles: &[Value]) -> Vec<Vec<String>> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for a in articles {
        let id: String = a["id"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(3)
            .collect();
        by.entry(a["cluster"].as_str().unwrap_or_default().to_owned())
            .or_default()
            .push(id);
    }
    let mut groups: Vec<Vec<String>> = by
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    groups.sort();
    groups
}
