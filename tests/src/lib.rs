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

pub mod hostile;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Peak memory and wall time of one command run.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    /// Peak resident set size in KiB (`None` when it could not be measured).
    pub peak_rss_kib: Option<u64>,
    /// Wall-clock time.
    pub wall: Duration,
    /// How the peak was measured: `/usr/bin/time -v`, or polling `/proc/PID/status`.
    pub method: &'static str,
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.peak_rss_kib {
            Some(kib) => write!(f, "peak RSS {:.1} MiB", kib as f64 / 1024.0)?,
            None => write!(f, "peak RSS unknown")?,
        }
        write!(
            f,
            ", wall {:.1} s ({})",
            self.wall.as_secs_f64(),
            self.method
        )
    }
}

/// `VmHWM` (peak RSS, KiB) of a running process, from `/proc` (Linux).
fn proc_peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Like [`run`], measuring peak RSS and wall time: under GNU `/usr/bin/time -v` when it
/// is installed (its report is cut from `stderr`), else by polling the child's
/// `/proc/PID/status` high-water mark every 10 ms.
pub fn run_measured(bin: &Path, args: &[&str]) -> Result<(Run, Usage)> {
    let time = Path::new("/usr/bin/time");
    let gnu_time = time.is_file()
        && Command::new(time)
            .args(["-v", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    let started = Instant::now();
    if gnu_time {
        let out = Command::new(time)
            .arg("-v")
            .arg(bin)
            .args(args)
            .current_dir(workspace_root())
            .env_remove("RECOUPE_MODELS_DIR")
            .output()
            .context("cannot run /usr/bin/time")?;
        let wall = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let (own, report) = match stderr.find("\tCommand being timed:") {
            Some(i) => stderr.split_at(i),
            None => (stderr.as_str(), ""),
        };
        let own = own
            .lines()
            .filter(|l| !l.starts_with("Command exited with non-zero status"))
            .collect::<Vec<_>>()
            .join("\n");
        let peak = report.lines().find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
                .and_then(|v| v.trim().parse().ok())
        });
        let run = Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: own,
        };
        return Ok((
            run,
            Usage {
                peak_rss_kib: peak,
                wall,
                method: "/usr/bin/time -v",
            },
        ));
    }
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(workspace_root())
        .env_remove("RECOUPE_MODELS_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out_thread = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err_thread = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let mut peak = None;
    let status = loop {
        if let Some(kib) = proc_peak_rss(child.id()) {
            peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let wall = started.elapsed();
    let run = Run {
        code: status.code(),
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    };
    Ok((
        run,
        Usage {
            peak_rss_kib: peak,
            wall,
            method: "polling /proc/PID/status VmHWM",
        },
    ))
}

/// Files in `dir` whose names mark them as temporary (`.NAME.tmp-PID`).
pub fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') && n.contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default()
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
    partition_ids(articles, 3)
}

/// Groups of ids (each cut to its first `id_chars` characters; `usize::MAX` keeps
/// them whole) by cluster, sorted.
pub fn partition_ids(articles: &[Value], id_chars: usize) -> Vec<Vec<String>> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for a in articles {
        let id: String = a["id"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(id_chars)
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

/// Runs `recoupe run INPUT --model MODEL --cache-dir CACHE --out OUT EXTRA..` and fails
/// unless it exits 0 (the error carries its stderr); returns the run.
pub fn run_cached(
    input: &Path,
    model: &str,
    cache: &Path,
    out: &Path,
    extra: &[&str],
) -> Result<Run> {
    let path = |p: &Path| p.to_str().map(str::to_owned).context("path is not UTF-8");
    let (input, cache, out) = (path(input)?, path(cache)?, path(out)?);
    let mut args = vec![
        "run",
        input.as_str(),
        "--model",
        model,
        "--cache-dir",
        cache.as_str(),
        "--out",
        out.as_str(),
    ];
    args.extend_from_slice(extra);
    let r = run(&recoupe_bin()?, &args)?;
    if r.code != Some(0) {
        bail!("recoupe run exited {:?}: {}", r.code, r.stderr);
    }
    Ok(r)
}

/// The first `n` lines of `../shared/eval/ecbplus-dev.jsonl` written to `DIR/NAME`
/// (`None`, with a SKIP message, when the corpus is not next to the repository).
pub fn ecbplus_head(n: usize, dir: &Path, name: &str) -> Option<PathBuf> {
    let source = workspace_root().join("../shared/eval/ecbplus-dev.jsonl");
    let Ok(text) = std::fs::read_to_string(&source) else {
        eprintln!("SKIP: ../shared/eval/ecbplus-dev.jsonl not found next to the repository");
        return None;
    };
    let lines: Vec<&str> = text.lines().take(n).collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").ok()?;
    Some(path)
}

/// Runs `recoupe run INPUT --model MODEL --threads T --out DIR/out-I-threads-T -q` once
/// for each entry `T` of `threads` (the I-th run with its own output folder, hence its
/// own cold embedding cache), fails unless each exits 0, and returns the output folders
/// in order.
pub fn run_threads(
    input: &Path,
    model: &str,
    threads: &[&str],
    dir: &Path,
) -> Result<Vec<PathBuf>> {
    let bin = recoupe_bin()?;
    let input = input.to_str().context("input path is not UTF-8")?;
    let mut outs = Vec::with_capacity(threads.len());
    for (i, t) in threads.iter().enumerate() {
        let out = dir.join(format!("out-{i}-threads-{t}"));
        let out_arg = out.to_str().context("output path is not UTF-8")?;
        let r = run(
            &bin,
            &[
                "run",
                input,
                "--model",
                model,
                "--threads",
                t,
                "--out",
                out_arg,
                "-q",
            ],
        )?;
        if r.code != Some(0) {
            bail!(
                "recoupe run --threads {t} exited {:?}: {}",
                r.code,
                r.stderr
            );
        }
        outs.push(out);
    }
    Ok(outs)
}

/// Fails unless each of `files` is byte-identical in every folder of `outs`.
pub fn same_files(outs: &[PathBuf], files: &[&str]) -> Result<()> {
    let Some((first, rest)) = outs.split_first() else {
        return Ok(());
    };
    for file in files {
        let a = std::fs::read(first.join(file))
            .with_context(|| format!("cannot read {}", first.join(file).display()))?;
        for out in rest {
            let b = std::fs::read(out.join(file))
                .with_context(|| format!("cannot read {}", out.join(file).display()))?;
            if a != b {
                bail!(
                    "{file} differs between {} and {}",
                    first.display(),
                    out.display()
                );
            }
        }
    }
    Ok(())
}
