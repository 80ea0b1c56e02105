//! The full pipeline with `--threads 1` twice and `--threads 2` twice, each run with
//! its own (cold) embedding cache, gives byte-identical outputs on real articles with
//! multi-article stories (the first 150 articles of ecbplus-dev).

use recoupe_e2e::{ecbplus_head, model_installed, run_threads, same_files};

const MODEL: &str = "all-minilm-l6-v2";

#[test]
fn threads_1_1_2_2_give_byte_identical_outputs() {
    if !model_installed(MODEL) {
        eprintln!("SKIP: model {MODEL} not installed; run scripts/setup.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(input) = ecbplus_head(150, dir.path(), "ecb150.jsonl") else {
        return;
    };
    let outs = run_threads(&input, MODEL, &["1", "1", "2", "2"], dir.path()).unwrap();
    let clusters = std::fs::read_to_string(outs[0].join("clusters.jsonl")).unwrap();
    assert!(
        clusters.lines().any(|l| !l.contains("\"size\":1,")),
        "no multi-article story: the comparison would be weak"
    );
    same_files(
        &outs,
        &[
            "articles.jsonl",
            "clusters.jsonl",
            "pairs.jsonl",
            "rejects.jsonl",
            "articles.csv",
            "clusters.csv",
        ],
    )
    .unwrap();
}
