//! Kill safety: a run on 2,000 real headlines is killed with SIGKILL at several points
//! (after 1 s, twice during embedding); after each kill every output file present
//! parses completely, and `run.json`, when present, describes the files beside it. The
//! re-run completes, embedding only what the killed runs had not cached. A last run is
//! killed while it writes its outputs, which must still all parse.
//!
//! 2,000 articles keep it to a few minutes in a debug build on 2 shared cores (the
//! analysis stage of a debug build dominates); the kill points are read from the cache
//! file's growth and the appearance of temporary output files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use recoupe_e2e::{model_installed, read_jsonl, recoupe_bin, temp_files, workspace_root};
use serde_json::Value;

const MODEL: &str = "all-minilm-l6-v2";
const ARTICLES: usize = 2000;
/// Bytes of one cache record of a 384-dimensional model (key, vector, checksum).
const CACHE_RECORD: u64 = 16 + 384 * 4 + 8;

fn headlines() -> Option<PathBuf> {
    let path = workspace_root().join("../shared/eval/uci-news-headlines.jsonl");
    path.is_file().then_some(path)
}

/// Every output file in `out` parses to its end; returns a description of what is there.
fn check_outputs(out: &Path) -> String {
    let mut present = Vec::new();
    let Ok(entries) = std::fs::read_dir(out) else {
        return "no output folder".into();
    };
    let mut counts = std::collections::BTreeMap::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() || name.starts_with('.') {
            continue; // the cache folder, temporary `.NAME.tmp-PID` files
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{name} unreadable after a kill: {e}"));
        if name.ends_with(".jsonl") {
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{name} does not end with a newline"
            );
            let lines = read_jsonl(&path)
                .unwrap_or_else(|e| panic!("{name} is half-written after a kill: {e:#}"));
            counts.insert(name.clone(), lines.len());
        } else if name.ends_with(".json") {
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{name} is half-written after a kill: {e}"));
        } else if name.ends_with(".csv") {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for row in reader.records() {
                row.unwrap_or_else(|e| panic!("{name} is half-written after a kill: {e}"));
            }
        }
        present.push(name);
    }
    // A marker present describes the files beside it (same run).
    if let Ok(text) = std::fs::read_to_string(out.join("run.json")) {
        let summary: Value = serde_json::from_str(&text).unwrap();
        for (file, field) in [
            ("articles.jsonl", "articles"),
            ("rejects.jsonl", "rejected"),
            ("clusters.jsonl", "clusters"),
        ] {
            assert_eq!(
                counts.get(file).copied(),
                summary[field].as_u64().map(|n| n as usize),
                "{file} is not from the run run.json describes"
            );
        }
    }
    present.sort();
    present.join(" ")
}

/// Bytes in the cache folder's files.
fn cache_bytes(cache: &Path) -> u64 {
    std::fs::read_dir(cache)
        .map(|es| {
            es.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// When to kill a run.
enum KillAt {
    /// After this long.
    After(Duration),
    /// When the cache holds at least this many vectors.
    CachedVectors(u64),
    /// As soon as a temporary output file appears (the outputs are being written).
    WritingOutputs,
}

#[test]
fn killed_runs_leave_whole_files_and_the_rerun_reuses_the_cache() {
    if !model_installed(MODEL) {
        eprintln!("SKIP: model {MODEL} not installed; run scripts/setup.sh");
        return;
    }
    let Some(source) = headlines() else {
        eprintln!("SKIP: ../shared/eval/uci-news-headlines.jsonl not found next to the repository");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("headlines.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&source)
        .unwrap()
        .lines()
        .take(ARTICLES)
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len(), ARTICLES);
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, lines[..40].join("\n") + "\n").unwrap();
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let bin = recoupe_bin().unwrap();
    let args = |input: &Path, cache: &Path| -> Vec<String> {
        vec![
            "run".into(),
            input.display().to_string(),
            "--model".into(),
            MODEL.into(),
            "--out".into(),
            out.display().to_string(),
            "--cache-dir".into(),
            cache.display().to_string(),
            "--quiet".into(),
        ]
    };

    // Complete outputs of an earlier run, which the killed runs must not corrupt.
    let first = Command::new(&bin)
        .current_dir(workspace_root())
        .args(args(&small, &dir.path().join("small-cache")))
        .output()
        .unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    eprintln!("before the kills: {}", check_outputs(&out));

    let kill_run = |kill: &KillAt| {
        let started = Instant::now();
        let mut child = Command::new(&bin)
            .current_dir(workspace_root())
            .args(args(&input, &cache))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let point = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break format!("run ended by itself ({status}) before the kill point");
            }
            let vectors = cache_bytes(&cache).saturating_sub(11) / CACHE_RECORD;
            let due = match kill {
                KillAt::After(d) => started.elapsed() >= *d,
                KillAt::CachedVectors(n) => vectors >= *n,
                KillAt::WritingOutputs => !temp_files(&out).is_empty(),
            };
            if due {
                child.kill().unwrap();
                child.wait().unwrap();
                break format!(
                    "SIGKILL after {:.2} s with {vectors} vectors cached, temp files {:?}",
                    started.elapsed().as_secs_f64(),
                    temp_files(&out)
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(20 * 60),
                "run neither reached its kill point nor ended"
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        eprintln!("{point}; outputs: {}", check_outputs(&out));
    };
    for kill in [
        KillAt::After(Duration::from_secs(1)),
        KillAt::CachedVectors(200),
        KillAt::CachedVectors(1000),
    ] {
        kill_run(&kill);
    }
    let cached_before = cache_bytes(&cache).saturating_sub(11) / CACHE_RECORD;

    let rerun = Command::new(&bin)
        .current_dir(workspace_root())
        .args(args(&input, &cache))
        .output()
        .unwrap();
    assert_eq!(
        rerun.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    eprintln!("after the re-run: {}", check_outputs(&out));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let (embedded, cached) = (
        summary["embedded"].as_u64().unwrap(),
        summary["cached"].as_u64().unwrap(),
    );
    eprintln!(
        "re-run: {} records, {} articles, {cached_before} vectors in the cache before, embedded {embedded}, cached {cached}",
        summary["records"], summary["articles"]
    );
    assert_eq!(summary["records"], ARTICLES);
    assert!(cached > 0, "the re-run reused nothing: {summary}");
    assert!(
        embedded < summary["articles"].as_u64().unwrap(),
        "the re-run embedded everything again: {summary}"
    );
    assert!(temp_files(&out).is_empty(), "{:?}", temp_files(&out));

    // Killed while renaming or writing its outputs: every file still parses, and a
    // run.json present describes the files beside it.
    kill_run(&KillAt::WritingOutputs);
}
