//! `recoupe eval` on the seed articles with the real model: the full method is exact
//! against the `story` field, the JSON report parses (on stdout and as eval.json), and
//! the two baselines run through the same command with the shared embedding cache.

use recoupe_e2e::{recoupe_bin, run, seeds_dir, skip_without};
use serde_json::Value;

const MODEL: &str = "multilingual-e5-small";

#[test]
fn eval_seeds_full_is_exact_and_baselines_run() {
    if skip_without(MODEL) {
        return;
    }
    let bin = recoupe_bin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let cache = dir.path().join("cache");
    let input = seeds_dir().unwrap().join("articles.jsonl");
    let (input, out_s, cache_s) = (
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        cache.to_str().unwrap(),
    );
    let r = run(
        &bin,
        &[
            "eval",
            "--gold",
            "story",
            input,
            "--out",
            out_s,
            "--cache-dir",
            cache_s,
            "--json",
            "--quiet",
        ],
    )
    .unwrap();
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["method"], "full");
    assert_eq!(report["model"], MODEL);
    assert_eq!(report["evaluated"], 5);
    assert_eq!(report["missing_gold"], 0);
    assert_eq!(report["rejected"], 0);
    let scores = &report["scores"];
    assert_eq!(scores["ari"].as_f64(), Some(1.0), "{report:#}");
    assert_eq!(scores["b_cubed"]["f1"].as_f64(), Some(1.0));
    assert_eq!(scores["pairwise"]["f1"].as_f64(), Some(1.0));
    assert_eq!(
        (
            scores["predicted_clusters"].as_u64(),
            scores["gold_clusters"].as_u64()
        ),
        (Some(3), Some(3))
    );
    assert!(report["worst_merges"].as_array().unwrap().is_empty());
    assert!(report["worst_splits"].as_array().unwrap().is_empty());
    // eval.json next to the outputs is the same report.
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("eval.json")).unwrap()).unwrap();
    assert_eq!(saved, report);

    // The finished folder evaluates the same without a run (text report).
    let r = run(&bin, &["eval", "--gold", "story", "--from-output", out_s]).unwrap();
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert!(r.stdout.contains("ARI        1.0000"), "{}", r.stdout);
    assert!(
        r.stdout.contains("worst merges (0 predicted"),
        "{}",
        r.stdout
    );

    // A gold field no article has: exit 2, naming the fields that are there.
    let r = run(&bin, &["eval", "--gold", "event", "--from-output", out_s]).unwrap();
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("story"), "{}", r.stderr);

    // Baselines: same command, same cache (nothing embedded again).
    for method in ["minhash", "cosine"] {
        let r = run(
            &bin,
            &[
                "eval",
                "--gold",
                "story",
                input,
                "--method",
                method,
                "--cache-dir",
                cache_s,
                "--json",
                "--quiet",
            ],
        )
        .unwrap();
        assert_eq!(r.code, Some(0), "{method}: {}", r.stderr);
        let report: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(report["method"], method);
        assert_eq!(report["evaluated"], 5);
        let ari = report["scores"]["ari"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&ari), "{method}: {ari}");
    }
}
