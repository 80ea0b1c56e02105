//! A small batch of one story (README, "small single-story batch"): the first three
//! ecbplus-dev articles of one event, alone, are one story with both models when the
//! wordfreq lists are installed (`scripts/setup-models.sh wordfreq`): in a batch of
//! three every name the reports share is in every document, and only the background
//! prior gives it weight. Without the lists the run goes on, on the batch's own
//! frequencies, and says so.

use std::io::Write;
use std::path::{Path, PathBuf};

use recoupe_e2e::{read_jsonl, run_cached, skip_without, workspace_root};
use serde_json::Value;

const MODELS: [&str; 2] = ["all-minilm-l6-v2", "multilingual-e5-small"];

/// The first `k` articles of the first story of ecbplus-dev (id, title, text only).
fn first_story(k: usize, path: &Path) -> Option<Vec<Value>> {
    let ecb = workspace_root().join("../shared/eval/ecbplus-dev.jsonl");
    if !ecb.is_file() {
        eprintln!("SKIP: ../shared/eval/ecbplus-dev.jsonl not found next to the repository");
        return None;
    }
    let all = read_jsonl(&ecb).unwrap();
    let cluster = all[0]["cluster"].as_str().unwrap().to_owned();
    let story: Vec<Value> = all
        .into_iter()
        .filter(|v| v["cluster"].as_str() == Some(cluster.as_str()))
        .take(k)
        .collect();
    let mut f = std::fs::File::create(path).unwrap();
    for v in &story {
        let mut record = serde_json::Map::new();
        for key in ["id", "text", "title"] {
            if let Some(s) = v[key].as_str() {
                record.insert(key.to_owned(), Value::String(s.to_owned()));
            }
        }
        writeln!(f, "{}", Value::Object(record)).unwrap();
    }
    Some(story)
}

fn wordlists() -> Option<PathBuf> {
    let dir = workspace_root().join("models/wordfreq");
    if dir.join("small_en.msgpack.gz").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIP: models/wordfreq not installed; run scripts/setup-models.sh wordfreq");
        None
    }
}

/// Runs one batch; returns the number of stories and stderr.
fn stories(input: &Path, out: &Path, cache: &Path, model: &str, extra: &[&str]) -> (usize, String) {
    let r =
        run_cached(input, model, cache, out, extra).unwrap_or_else(|e| panic!("{model}: {e:#}"));
    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    assert_eq!(articles.len(), 3, "{model}: rejects? {}", r.stderr);
    let mut clusters: Vec<&str> = articles
        .iter()
        .map(|a| a["cluster"].as_str().unwrap())
        .collect();
    clusters.sort_unstable();
    clusters.dedup();
    (clusters.len(), r.stderr)
}

#[test]
fn three_reports_of_one_event_alone_are_one_story() {
    if MODELS.iter().any(|m| skip_without(m)) || wordlists().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("story.jsonl");
    if first_story(3, &input).is_none() {
        return;
    }
    for model in MODELS {
        let cache = dir.path().join(format!("cache-{model}"));
        let out = dir.path().join(format!("out-{model}"));
        let (n, stderr) = stories(&input, &out, &cache, model, &[]);
        assert!(
            stderr.contains("background prior:") && stderr.contains("small_en.msgpack.gz"),
            "{model}: {stderr}"
        );
        assert_eq!(n, 1, "{model}: the story was cut in {n}\n{stderr}");
    }
}

/// Without the lists (a models folder holding the model only) the run still ends with
/// every article in a story, and a note names the missing list.
#[cfg(unix)]
#[test]
fn a_missing_wordlist_is_noted_and_the_run_goes_on() {
    let model = MODELS[0];
    if skip_without(model) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("story.jsonl");
    if first_story(3, &input).is_none() {
        return;
    }
    let models = dir.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    std::os::unix::fs::symlink(
        workspace_root().join("models").join(model),
        models.join(model),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let out = dir.path().join("out");
    let (_, stderr) = stories(
        &input,
        &out,
        &cache,
        model,
        &["--models-dir", models.to_str().unwrap()],
    );
    assert!(
        stderr.contains("background prior:") && stderr.contains("cannot read wordlist"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
