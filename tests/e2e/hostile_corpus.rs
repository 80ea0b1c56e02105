//! The generated hostile corpus (`recoupe_e2e::hostile`) through the real CLI and model:
//! documented exit code, no panic, every record in `articles.jsonl` or `rejects.jsonl`
//! exactly once with the expected outcome, and sane peak memory and wall time (printed;
//! the bounds are sanity bounds, not speed assertions).

use std::collections::BTreeMap;

use recoupe_e2e::hostile::{write_corpus, Expect};
use recoupe_e2e::{model_installed, read_jsonl, recoupe_bin, run_measured, temp_files};
use serde_json::Value;

const MODEL: &str = "all-minilm-l6-v2";

/// Where a record is reported: (file, line) for lines, file for a folder's text file,
/// (file, id) for a CSV record given without a line.
type Key = (String, Option<u64>, Option<String>);

#[test]
fn hostile_corpus_every_record_once_bounded_time_and_memory() {
    if !model_installed(MODEL) {
        eprintln!("SKIP: model {MODEL} not installed; run scripts/setup.sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = write_corpus(&dir.path().join("in")).unwrap();
    let out = dir.path().join("out");
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(corpus.inputs.iter().map(|p| p.display().to_string()));
    args.extend(
        ["--model", MODEL, "--out", out.to_str().unwrap(), "--strict"]
            .iter()
            .map(|s| s.to_string()),
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (r, usage) = run_measured(&recoupe_bin().unwrap(), &argv).unwrap();
    eprintln!(
        "hostile corpus ({} records): {usage}\n{}",
        corpus.records.len(),
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_eq!(
        r.code,
        Some(3),
        "--strict with rejects exits 3: {}",
        r.stderr
    );
    // Sanity bounds only (2 shared cores, debug build): a hang or a blow-up fails here.
    let peak = usage.peak_rss_kib.expect("peak RSS measured");
    assert!(peak < 4 * 1024 * 1024, "peak RSS {peak} KiB");
    assert!(usage.wall.as_secs() < 15 * 60, "{usage}");

    let articles = read_jsonl(&out.join("articles.jsonl")).unwrap();
    let rejects = read_jsonl(&out.join("rejects.jsonl")).unwrap();
    let expected: BTreeMap<Key, (&str, Expect)> = corpus
        .records
        .iter()
        .map(|rec| {
            let by_id = rec.line.is_none() && rec.file.ends_with(".csv");
            let key = (
                rec.file.clone(),
                rec.line,
                by_id.then(|| rec.id.clone()).flatten(),
            );
            (key, (rec.what, rec.expect))
        })
        .collect();
    assert_eq!(expected.len(), corpus.records.len(), "generator keys clash");
    let key_of = |v: &Value| -> Key {
        let file = v["file"].as_str().unwrap().to_owned();
        let line = v["line"].as_u64();
        let id = v["id"].as_str().map(str::to_owned);
        let candidates = [
            (file.clone(), line, None),
            (file.clone(), None, None),
            (file.clone(), None, id),
        ];
        candidates
            .into_iter()
            .find(|k| expected.contains_key(k))
            .unwrap_or_else(|| {
                let shown: String = v.to_string().chars().take(400).collect();
                panic!("output record not in the corpus: {shown}")
            })
    };
    let mut seen: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    for a in &articles {
        seen.entry(key_of(a)).or_default().push("article".into());
    }
    for r in &rejects {
        let kind = r["detail"]["kind"].as_str().unwrap().to_owned();
        seen.entry(key_of(r)).or_default().push(kind);
    }
    let mut wrong = Vec::new();
    for (key, (what, expect)) in &expected {
        let got = seen.remove(key).unwrap_or_default();
        let ok = match (got.as_slice(), expect) {
            ([one], Expect::Article) => one == "article",
            ([one], Expect::Reject(kind)) => one == kind,
            ([one], Expect::AnyReject) => one != "article",
            ([_], Expect::Either) => true,
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{what} ({key:?}): expected {expect:?}, got {got:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let extra: String = format!("{seen:?}").chars().take(2000).collect();
    assert!(seen.is_empty(), "unexpected outputs: {extra}");

    // Every article is in exactly one cluster of clusters.jsonl.
    let clusters = read_jsonl(&out.join("clusters.jsonl")).unwrap();
    let mut members: Vec<&str> = clusters
        .iter()
        .flat_map(|c| c["members"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    members.sort_unstable();
    let mut ids: Vec<&str> = articles.iter().map(|a| a["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(members, ids, "clusters are not a partition of the articles");

    let by_id = |id: &str| articles.iter().find(|a| a["id"] == id).unwrap();
    let truncated = by_id("j-50mb")["truncated"].as_array().unwrap().clone();
    assert!(
        truncated.contains(&"compare".into()) && truncated.contains(&"embed".into()),
        "{truncated:?}"
    );
    assert_eq!(
        by_id("j-huge-values")["extra"]["numbers"]
            .as_array()
            .unwrap()
            .len(),
        200_000
    );

    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(summary["records"], corpus.records.len());
    assert_eq!(summary["articles"], articles.len());
    assert_eq!(summary["rejected"], rejects.len());
    assert!(temp_files(&out).is_empty(), "{:?}", temp_files(&out));
}
