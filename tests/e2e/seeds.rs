//! The seed articles, as JSONL, as a folder of .txt files and as a CSV: the same stories,
//! the same cleaning.

use std::path::Path;

use recoupe_e2e::{
    partition, read_jsonl, recoupe_bin, run, run_threads, same_files, seeds_csv, seeds_dir,
    skip_without,
};
use serde_json::Value;

const MODEL: &str = "multilingual-e5-small";

fn expected() -> Vec<Vec<String>> {
    vec![
        vec!["000".into(), "001".into(), "002".into()],
        vec!["003".into()],
        vec!["004".into()],
    ]
}

fn run_ok(args: &[&str]) -> Vec<Value> {
    let bin = recoupe_bin().unwrap();
    let r = run(&bin, args).unwrap();
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let out = Path::new(args[args.iter().position(|a| *a == "--out").unwrap() + 1]);
    assert!(
        r.stdout.contains(&out.display().to_string()),
        "{}",
        r.stdout
    );
    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    assert!(read_jsonl(&out.join("rejects.jsonl")).unwrap().is_empty());
    articles
}

fn by_prefix<'a>(articles: &'a [Value], prefix: &str) -> &'a Value {
    articles
        .iter()
        .find(|a| a["id"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

fn removed_rules(article: &Value) -> Vec<(String, String)> {
    article["cleaning"]["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_owned(),
                r["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Cleaning of the seeds: the boilerplate of 001 and the English instruction of 002 go,
/// and the removed ranges point at exactly those bytes of the input text.
fn check_cleaning(articles: &[Value], texts: &[(String, String)]) {
    let a001 = removed_rules(by_prefix(articles, "001"));
    let rules: Vec<&str> = a001.iter().map(|r| r.0.as_str()).collect();
    for rule in [
        "navigation",
        "photo_credit",
        "read_more",
        "share",
        "source_footer",
    ] {
        assert!(rules.contains(&rule), "001 lacks {rule}: {a001:?}");
    }
    assert!(a001.iter().any(|r| r.1 == "Partager Cet Article"));
    assert!(a001.iter().any(|r| r.1 == "SOURCE: FRENCH PRESS TV"));
    assert!(a001.iter().any(|r| r.1.starts_with("US Rep. Ilhan Omar")));
    let a002 = removed_rules(by_prefix(articles, "002"));
    assert_eq!(a002.len(), 1, "{a002:?}");
    assert_eq!(a002[0].0, "prompt");
    assert!(a002[0].1.starts_with("Make this article seo compatible"));
    for a in articles {
        let id = a["id"].as_str().unwrap();
        let text = &texts.iter().find(|t| id.starts_with(&t.0[..3])).unwrap().1;
        for r in a["cleaning"]["removed"].as_array().unwrap() {
            let (s, e) = (
                r["start"].as_u64().unwrap() as usize,
                r["end"].as_u64().unwrap() as usize,
            );
            let shown = r["text"].as_str().unwrap();
            assert!(
                text[s..e].starts_with(shown),
                "{id}: {:?} vs {shown:?}",
                &text[s..e]
            );
        }
        assert_eq!(a["language"]["code"], "fr", "{id}");
    }
}

fn seed_texts() -> Vec<(String, String)> {
    read_jsonl(&seeds_dir().unwrap().join("articles.jsonl"))
        .unwrap()
        .into_iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_owned(),
                v["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Stories and relations as the issue states them.
fn check_stories(articles: &[Value], out: &Path) {
    assert_eq!(
        partition(articles),
        expected(),
        "seed partition (scores in {}/pairs.jsonl)",
        out.display()
    );
    let pairs = read_jsonl(&out.join("pairs.jsonl")).unwrap();
    let relation = |x: &str, y: &str| {
        pairs
            .iter()
            .find(|p| {
                let (a, b) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
                (a.starts_with(x) && b.starts_with(y)) || (a.starts_with(y) && b.starts_with(x))
            })
            .map(|p| p["relation"].as_str().unwrap().to_owned())
    };
    let r01 = relation("000", "001");
    assert!(
        matches!(r01.as_deref(), Some("copy" | "same_story")),
        "000/001: {r01:?}"
    );
    let r2 = relation("000", "002").or_else(|| relation("001", "002"));
    assert!(
        matches!(r2.as_deref(), Some("rewrite" | "same_story")),
        "002: {r2:?}"
    );
}

/// One run of the JSONL seeds serves the stories, cleaning, language and snapshot checks
/// (each run embeds the five articles with the real model).
#[test]
fn seeds_jsonl_stories_cleaning_and_snapshot() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = seeds_dir().unwrap().join("articles.jsonl");
    let articles = run_ok(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(articles.len(), 5);
    check_stories(&articles, &out);
    check_cleaning(&articles, &seed_texts());
    // Unknown input fields are carried through.
    assert!(articles.iter().all(|a| a["extra"]["story"].is_string()));
    let cleaning: Vec<Value> = articles
        .iter()
        .map(|a| {
            serde_json::json!({
                "id": a["id"],
                "language": a["language"]["code"],
                "mixed": a["language"]["mixed"],
                "removed": a["cleaning"]["removed"],
                "kept_bytes": a["cleaning"]["kept_bytes"],
            })
        })
        .collect();
    insta::assert_json_snapshot!("seeds_cleaning", cleaning);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    insta::assert_json_snapshot!("seeds_run_summary", summary, {
        ".stages" => "[timings]",
        ".total_seconds" => "[seconds]",
        ".out_dir" => "[out]",
        ".threads" => "[threads]",
        ".clusters" => "[clusters]",
        ".multi_article_clusters" => "[clusters]",
        ".duplicates" => "[duplicates]",
    });
    // CSV twins exist and have one row per article / cluster.
    let csv = std::fs::read_to_string(out.join("articles.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6);
    assert!(out.join("clusters.csv").is_file());
}

#[test]
fn seeds_txt_folder() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seeds = seeds_dir().unwrap();
    let articles = run_ok(&[
        "run",
        seeds.to_str().unwrap(),
        "--text-ext",
        "txt",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(articles.len(), 5);
    assert!(articles[0]["id"].as_str().unwrap().ends_with(".txt"));
    check_cleaning(&articles, &seed_texts());
    check_stories(&articles, &out);
}

#[test]
fn seeds_csv_made_from_the_jsonl() {
    if skip_without(MODEL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("seeds.csv");
    seeds_csv(&csv).unwrap();
    let out = dir.path().join("out");
    let articles = run_ok(&[
        "run",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(articles.len(), 5);
    check_cleaning(&articles, &seed_texts());
    check_stories(&articles, &out);
}

#[test]
fn rerun_uses_the_embedding_cache() {
    if skip_without("all-minilm-l6-v2") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = seeds_dir().unwrap().join("articles.jsonl");
    let args = [
        "run",
        input.to_str().unwrap(),
        "--model",
        "all-minilm-l6-v2",
        "--out",
        out.to_str().unwrap(),
    ];
    let bin = recoupe_bin().unwrap();
    let first = run(&bin, &args).unwrap();
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.contains("embedded 5 (0 from cache)"),
        "{}",
        first.stderr
    );
    let clusters1 = std::fs::read_to_string(out.join("clusters.jsonl")).unwrap();
    let second = run(&bin, &args).unwrap();
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(
        second.stderr.contains("embedded 0 (5 from cache)"),
        "{}",
        second.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("clusters.jsonl")).unwrap(),
        clusters1
    );
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    if skip_without("all-minilm-l6-v2") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = seeds_dir().unwrap().join("articles.jsonl");
    let outs = run_threads(&input, "all-minilm-l6-v2", &["1", "2"], dir.path()).unwrap();
    same_files(
        &outs,
        &[
            "articles.jsonl",
            "clusters.jsonl",
            "pairs.jsonl",
            "rejects.jsonl",
        ],
    )
    .unwrap();
}
