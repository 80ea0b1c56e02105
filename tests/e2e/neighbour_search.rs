//! The `[neighbours]` table reaches the pipeline's neighbour search: on real articles
//! (the first 80 of ecbplus-dev, MiniLM, one shared embedding cache), forcing the
//! inverted file with one tiny cell per row changes `pairs.jsonl` (so the setting is
//! used), while the default inverted file settings on small cells give the exact
//! search's stories, byte-identical with 1 and 2 threads.

use std::path::{Path, PathBuf};

use recoupe_e2e::{ecbplus_head, partition_ids, read_jsonl, run_cached, same_files, skip_without};

const MODEL: &str = "all-minilm-l6-v2";

/// Runs `recoupe run` with `config` (TOML text) and `--threads threads`, on the shared
/// embedding cache; returns the output folder.
fn run_with(dir: &Path, input: &Path, name: &str, config: &str, threads: &str) -> PathBuf {
    let config_path = dir.join(format!("{name}.toml"));
    std::fs::write(&config_path, config).unwrap();
    let out = dir.join(name);
    let extra = [
        "--config",
        config_path.to_str().unwrap(),
        "--threads",
        threads,
        "-q",
    ];
    run_cached(input, MODEL, &dir.join("cache"), &out, &extra)
        .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    out
}

/// Stories as sorted lists of full ids.
fn stories(out: &Path) -> Vec<Vec<String>> {
    partition_ids(
        &read_jsonl(&out.join("articles.jsonl")).unwrap(),
        usize::MAX,
    )
}

#[test]
fn neighbours_table_selects_the_search_and_ivf_keeps_the_stories() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(input) = ecbplus_head(80, dir.path(), "ecb80.jsonl") else {
        return;
    };

    let exact = run_with(
        dir.path(),
        &input,
        "exact",
        "[neighbours]\nmethod = \"exact\"\n",
        "2",
    );
    let exact_stories = stories(&exact);
    assert!(
        exact_stories.iter().any(|s| s.len() > 2),
        "no multi-article story: the comparison would be weak"
    );
    // One 16-row cell per row, no refinement: visibly not the exact neighbours.
    let poor = "[neighbours]\nmethod = \"ivf\"\n[neighbours.ivf]\nbucket_size = 16\nprobes = 1\nfine_probes = 1\nrefine_rounds = 0\n";
    let poor = run_with(dir.path(), &input, "poor", poor, "2");
    let pairs = |out: &Path| std::fs::read_to_string(out.join("pairs.jsonl")).unwrap();
    assert_ne!(
        pairs(&exact),
        pairs(&poor),
        "a one-cell inverted file gave the exact pairs: is [neighbours] used?"
    );
    // The real-vector settings on 16-row cells (5 cells for 80 rows).
    let ivf = "[neighbours]\nmethod = \"ivf\"\n[neighbours.ivf]\nbucket_size = 16\nprobes = 6\nfine_probes = 16\nrefine_rounds = 1\n";
    let one = run_with(dir.path(), &input, "ivf-1", ivf, "1");
    let two = run_with(dir.path(), &input, "ivf-2", ivf, "2");
    same_files(
        &[one.clone(), two],
        &["articles.jsonl", "clusters.jsonl", "pairs.jsonl"],
    )
    .unwrap();
    assert_eq!(stories(&one), exact_stories);
}
