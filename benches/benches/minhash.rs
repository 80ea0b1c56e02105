//! MinHash signatures and LSH candidate pairs on synthetic news-length corpora.
//!
//! `cargo bench -p recoupe-bench --features similarity --bench minhash`
//! Throughput is in documents per second (criterion's elements/s).

#![expect(
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark on invalid input should abort; criterion_group! generates an undocumented fn"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use recoupe_bench::corpus::{word_shingles, Corpus, CorpusConfig};
use recoupe_similarity::lsh::{candidate_pairs, LshParams};
use recoupe_similarity::minhash::{hash_shingle, MinHashParams, MinHashScheme, MinHasher};

fn corpus_shingles(docs: usize) -> (Vec<Vec<String>>, Vec<Vec<u64>>) {
    let corpus = Corpus::generate(&CorpusConfig {
        docs,
        ..Default::default()
    });
    let strings: Vec<Vec<String>> = corpus
        .docs
        .iter()
        .map(|d| word_shingles(&d.text, 5))
        .collect();
    let hashed = strings
        .iter()
        .map(|s| s.iter().map(|x| hash_shingle(x.as_bytes())).collect())
        .collect();
    (strings, hashed)
}

/// Hashed shingle sets only: the strings of a large corpus are dropped per document.
fn corpus_hashes(docs: usize) -> Vec<Vec<u64>> {
    let corpus = Corpus::generate(&CorpusConfig {
        docs,
        ..Default::default()
    });
    corpus
        .docs
        .iter()
        .map(|d| {
            word_shingles(&d.text, 5)
                .iter()
                .map(|x| hash_shingle(x.as_bytes()))
                .collect()
        })
        .collect()
}

fn signatures(c: &mut Criterion) {
    let (strings, hashed) = corpus_shingles(2_000);
    let mut group = c.benchmark_group("minhash_signatures");
    group.throughput(Throughput::Elements(hashed.len() as u64));
    for num_perm in [128usize, 256] {
        for scheme in [MinHashScheme::OnePermutation, MinHashScheme::Classic] {
            let h = MinHasher::new(MinHashParams {
                num_perm,
                scheme,
                ..Default::default()
            })
            .expect("valid params");
            group.bench_with_input(
                BenchmarkId::new(format!("{scheme:?}/prehashed"), num_perm),
                &hashed,
                |b, docs| b.iter(|| h.signatures(docs).expect("non-empty docs")),
            );
        }
        let h = MinHasher::new(MinHashParams {
            num_perm,
            ..Default::default()
        })
        .expect("valid params");
        group.bench_with_input(
            BenchmarkId::new("OnePermutation/strings_xxh3", num_perm),
            &strings,
            |b, docs| {
                let mut buf = Vec::new();
                let mut out = vec![0u32; num_perm];
                b.iter(|| {
                    for (row, s) in docs.iter().enumerate() {
                        buf.clear();
                        buf.extend(s.iter().map(|x| hash_shingle(x.as_bytes())));
                        h.signature_into(row, buf.iter().copied(), &mut out)
                            .expect("non-empty doc");
                    }
                })
            },
        );
    }
    group.finish();
}

fn lsh(c: &mut Criterion) {
    let h = MinHasher::default();
    let params = LshParams::for_threshold(0.5, 128).expect("valid threshold");
    let mut group = c.benchmark_group("lsh_candidate_pairs");
    group.sample_size(10);
    for docs in [10_000usize, 100_000] {
        let hashed = corpus_hashes(docs);
        let sigs = h.signatures(&hashed).expect("non-empty docs");
        group.throughput(Throughput::Elements(docs as u64));
        group.bench_with_input(BenchmarkId::from_parameter(docs), &sigs, |b, sigs| {
            b.iter(|| candidate_pairs(params, sigs).expect("valid matrix"))
        });
    }
    group.finish();
}

criterion_group!(benches, signatures, lsh);
criterion_main!(benches);
