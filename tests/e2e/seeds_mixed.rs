//! The seed stories must not depend on what else is in the batch (issue 4): the five
//! seeds run together with k unrelated real articles (ecbplus-dev articles of other
//! topics, uci-news-headlines headlines; k = 1 and 10, three filler sets) still come out
//! as exactly {000,001,002} {003} {004}, with both models. Before topic blocks, one
//! unrelated article lowered the batch background and raised the IDF of the seeds'
//! common words, and all five seeds became one story.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use recoupe_e2e::{read_jsonl, run_cached, seeds_dir, skip_without, workspace_root};
use serde_json::Value;

const MODELS: [&str; 2] = ["all-minilm-l6-v2", "multilingual-e5-small"];

fn eval_file(name: &str) -> Option<PathBuf> {
    let path = workspace_root().join("../shared/eval").join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("SKIP: ../shared/eval/{name} not found next to the repository");
        None
    }
}

/// Filler sets, each an ordered list of real articles (prefix `k` of a set is used):
/// the first article of each ecbplus-dev topic (topics ascending), the last article of
/// each topic (topics descending), the first headline of each uci story (file order).
fn filler_sets(ecb: &[Value], uci: &[Value]) -> Vec<(&'static str, Vec<Value>)> {
    let topic = |v: &Value| {
        v["topic"]
            .as_str()
            .unwrap_or("0")
            .parse::<u32>()
            .unwrap_or(0)
    };
    let mut first: BTreeMap<u32, Value> = BTreeMap::new();
    let mut last: BTreeMap<u32, Value> = BTreeMap::new();
    for v in ecb {
        first.entry(topic(v)).or_insert_with(|| v.clone());
        last.insert(topic(v), v.clone());
    }
    let mut seen = std::collections::HashSet::new();
    let headlines: Vec<Value> = uci
        .iter()
        .filter(|v| seen.insert(v["cluster"].as_str().unwrap_or_default().to_owned()))
        .cloned()
        .collect();
    vec![
        ("ecbplus first of topic", first.into_values().collect()),
        ("ecbplus last of topic", last.into_values().rev().collect()),
        ("uci first of story", headlines),
    ]
}

fn write_batch(path: &Path, seeds: &[Value], fillers: &[Value]) {
    let mut f = std::fs::File::create(path).unwrap();
    for v in seeds.iter().chain(fillers) {
        // id, text and title only: the gold fields stay out of the input.
        let mut record = serde_json::Map::new();
        for key in ["id", "text", "title"] {
            if let Some(s) = v[key].as_str() {
                record.insert(key.to_owned(), Value::String(s.to_owned()));
            }
        }
        writeln!(f, "{}", Value::Object(record)).unwrap();
    }
}

/// `None` when the seeds are exact and no filler shares a cluster with a seed, else
/// the seeds' clusters as text.
fn seed_problem(articles: &[Value]) -> Option<String> {
    let seed = |id: &str| {
        ["000_", "001_", "002_", "003_", "004_"]
            .iter()
            .any(|p| id.starts_with(p))
    };
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in articles {
        by.entry(a["cluster"].as_str().unwrap().to_owned())
            .or_default()
            .push(a["id"].as_str().unwrap().to_owned());
    }
    let mut groups: Vec<Vec<String>> = by
        .into_values()
        .filter(|g| g.iter().any(|id| seed(id)))
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    groups.sort();
    let short: Vec<Vec<String>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|id| {
                    if seed(id) {
                        id[..3].to_owned()
                    } else {
                        id.clone()
                    }
                })
                .collect()
        })
        .collect();
    let expected = vec![vec!["000", "001", "002"], vec!["003"], vec!["004"]];
    (short != expected).then(|| format!("{short:?}"))
}

#[test]
fn seed_stories_survive_unrelated_articles_in_the_batch() {
    if MODELS.iter().any(|m| skip_without(m)) {
        return;
    }
    let (Some(ecb), Some(uci)) = (
        eval_file("ecbplus-dev.jsonl"),
        eval_file("uci-news-headlines.jsonl"),
    ) else {
        return;
    };
    let seeds = read_jsonl(&seeds_dir().unwrap().join("articles.jsonl")).unwrap();
    let ecb = read_jsonl(&ecb).unwrap();
    let uci = read_jsonl(&uci).unwrap();
    let sets = filler_sets(&ecb, &uci);
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut runs = 0;
    for model in MODELS {
        // One embedding cache per model: each article is embedded once.
        let cache = dir.path().join(format!("cache-{model}"));
        for (set, fillers) in &sets {
            for k in [1usize, 10] {
                let input = dir.path().join("batch.jsonl");
                write_batch(&input, &seeds, &fillers[..k]);
                let out = dir.path().join(format!("out-{model}-{k}-{}", set.len()));
                run_cached(&input, model, &cache, &out, &["-q"])
                    .unwrap_or_else(|e| panic!("{model} {set} k={k}: {e:#}"));
                let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
                assert_eq!(articles.len(), 5 + k, "{model} {set} k={k}: rejects?");
                runs += 1;
                if let Some(got) = seed_problem(&articles) {
                    failures.push(format!("{model}, {set}, k={k}: seeds {got}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} mixed batches lost the seed stories:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
