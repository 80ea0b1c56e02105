//! Language detection throughput: recoupe-lang (default `hybrid`: whatlang, then our scorer
//! over lingua's n-gram models) against whatlang alone and lingua alone (high-accuracy mode,
//! the same 57 languages compiled in), on the same texts from
//! `../shared/eval/lingua-langid.jsonl`, for sentences and for word pairs.
//!
//! One thread. The three detectors are measured in alternating rounds inside one group per
//! kind (ours, whatlang, lingua, ours, whatlang, lingua), so machine-speed drift hits all of
//! them; compare ratios within a run, not absolute numbers across runs.
//!
//! ```text
//! cargo bench -p recoupe-bench --features lang --bench lang
//! ```

#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use recoupe_lang::{Lang, LanguageDetector};

/// Texts per language and kind: enough to cover every language, small enough that one
/// iteration of lingua stays well under a second.
const PER_LANG: usize = 5;
const ROUNDS: usize = 2;

#[derive(serde::Deserialize)]
struct Item {
    text: String,
    lang: String,
    kind: String,
}

fn texts(kind: &str) -> Option<Vec<String>> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/eval/lingua-langid.jsonl");
    let data = std::fs::read_to_string(&path).ok()?;
    let mut counts = std::collections::HashMap::<String, usize>::new();
    let mut out = Vec::new();
    for line in data.lines() {
        let Ok(item) = serde_json::from_str::<Item>(line) else {
            continue;
        };
        // Languages both whatlang and lingua know (the accuracy tables' set).
        if item.kind != kind || Lang::from_code(&item.lang).is_none_or(|l| lingua_of(l).is_none()) {
            continue;
        }
        let n = counts.entry(item.lang).or_default();
        if *n < PER_LANG {
            *n += 1;
            out.push(item.text);
        }
    }
    Some(out)
}

fn lingua_of(l: Lang) -> Option<lingua::Language> {
    let code: lingua::IsoCode639_1 = l.iso639_1().parse().ok()?;
    Some(lingua::Language::from_iso_code_639_1(&code))
        .filter(|x| lingua::Language::all().contains(x))
}

fn bench(c: &mut Criterion) {
    let ours = LanguageDetector::new();
    let whatlang = whatlang::Detector::new();
    let langs: Vec<lingua::Language> = Lang::ALL.iter().filter_map(|l| lingua_of(*l)).collect();
    let lingua = lingua::LanguageDetectorBuilder::from_languages(&langs)
        .with_preloaded_language_models()
        .build();

    for kind in ["sentences", "word-pairs"] {
        let Some(texts) = texts(kind) else {
            eprintln!("skipped lang bench: ../shared/eval/lingua-langid.jsonl not found next to the repository");
            return;
        };
        // Warm every cache (our 1- to 3-gram table, the model pages) first.
        for t in &texts {
            black_box(ours.detect(t));
        }
        let mut group = c.benchmark_group(format!("lang/{kind}"));
        group.throughput(Throughput::Elements(texts.len() as u64));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
        for round in 1..=ROUNDS {
            group.bench_function(format!("ours/{round}"), |b| {
                b.iter(|| texts.iter().filter_map(|t| ours.detect(t).lang()).count())
            });
            group.bench_function(format!("whatlang/{round}"), |b| {
                b.iter(|| texts.iter().filter_map(|t| whatlang.detect_lang(t)).count())
            });
            group.bench_function(format!("lingua/{round}"), |b| {
                b.iter(|| {
                    texts
                        .iter()
                        .filter_map(|t| lingua.detect_language_of(t.as_str()))
                        .count()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
