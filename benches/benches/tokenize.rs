//! recoupe-tokenize throughput on news-length text, next to a naive peer measured in the
//! same run on the same inputs. Criterion runs one function after the other, so the
//! bench first prints ratios measured in interleaved rounds (`interleaved ...` lines):
//! those are the figures to quote; criterion's absolute times drift with the machine.
//!
//! `cargo bench -p recoupe-bench --features tokenize --bench tokenize`
//!
//! Inputs: the five French seed articles (`../shared/fixtures/seed-articles`, read in
//! place; a built-in French text stands in when they are absent) and a Chinese
//! news-style text. Throughput is in bytes of original text per second.
//!
//! Peers:
//! - `naive_peer`: what a first implementation does — UAX #29 sentences and words from
//!   the same unicode-segmentation crate, one `String` per token (NFKC + lowercase),
//!   word trigrams joined into a `String` and hashed with std's SipHash;
//! - `split_whitespace_floor`: `split_whitespace` + ASCII lowercase hashing, a floor that
//!   does no Unicode work at all.

#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use recoupe_tokenize::{Tokenized, Tokenizer};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// The seed articles' texts, or a French news-style text when they are absent.
fn french_news() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/seed-articles/articles.jsonl");
    if let Ok(data) = std::fs::read_to_string(&path) {
        let texts: Vec<String> = data
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(String::from))
            .collect();
        if !texts.is_empty() {
            return texts;
        }
    }
    eprintln!(
        "seed articles not found at {}: using a built-in French text",
        path.display()
    );
    let paragraph = "Le ministre chinois de la Défense a salué dimanche des liens « très \
                     forts » avec Moscou, lors d’une rencontre avec le président russe au \
                     Kremlin. Il s’agit de sa première visite à l’étranger depuis sa prise de \
                     fonctions, a ajouté M. Li, selon l’agence Tass. Les deux armées ont \
                     mené 1,5 fois plus d’exercices conjoints en 2023 qu’en 2022.\n\n";
    vec![paragraph.repeat(6); 5]
}

/// A Chinese news-style text (written for this bench), 3.4 KB.
fn chinese_news() -> Vec<String> {
    let paragraph = "中国国防部长李尚福周日在莫斯科会见了俄罗斯总统普京。双方表示，两国关系\
                     已经进入新时代，并将继续加强战略沟通。李尚福说，这是他就任国防部长以来\
                     第一次出访，他特意选择了俄罗斯，以强调两国关系的特殊性和战略重要性。\
                     普京表示，俄中两军通过定期举行联合演习，包括海上和空中演习，开展了\
                     有益的合作。\n";
    vec![paragraph.repeat(8)]
}

/// The naive peer: per-token `String`s, SipHash of joined trigrams.
fn naive_peer(text: &str) -> (usize, u64) {
    let mut tokens: Vec<String> = Vec::new();
    for sentence in text.unicode_sentences() {
        for word in sentence.unicode_words() {
            tokens.push(word.nfkc().collect::<String>().to_lowercase());
        }
    }
    let mut acc = 0u64;
    for w in tokens.windows(3) {
        let mut h = DefaultHasher::new();
        w.join(" ").hash(&mut h);
        acc ^= h.finish();
    }
    (tokens.len(), acc)
}

fn floor(text: &str) -> u64 {
    let mut acc = 0u64;
    for w in text.split_whitespace() {
        let mut h = DefaultHasher::new();
        for b in w.bytes() {
            b.to_ascii_lowercase().hash(&mut h);
        }
        acc ^= h.finish();
    }
    acc
}

fn bench_texts(c: &mut Criterion, name: &str, texts: &[String]) {
    let tokenizer = Tokenizer::default();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group(name);
    group
        .throughput(Throughput::Bytes(bytes as u64))
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut doc = Tokenized::default();
    group.bench_function("recoupe_tokenize", |b| {
        b.iter(|| {
            for t in texts {
                tokenizer.tokenize_into(black_box(t), &mut doc);
                black_box(doc.tokens().len());
            }
        });
    });
    let mut words = Vec::new();
    let mut chars = Vec::new();
    let mut sentences = Vec::new();
    group.bench_function("recoupe_tokenize_and_all_shingles", |b| {
        b.iter(|| {
            for t in texts {
                tokenizer.tokenize_into(black_box(t), &mut doc);
                words.clear();
                chars.clear();
                sentences.clear();
                tokenizer.word_shingles_into(&doc, &mut words);
                tokenizer.char_shingles_into(&doc, &mut chars);
                tokenizer.sentence_shingles_into(&doc, &mut sentences);
                black_box((words.len(), chars.len(), sentences.len()));
            }
        });
    });
    group.bench_function("recoupe_normalize_only", |b| {
        let mut out = String::new();
        b.iter(|| {
            for t in texts {
                out.clear();
                tokenizer.normalize_into(black_box(t), &mut out);
                black_box(out.len());
            }
        });
    });
    group.bench_function("naive_peer", |b| {
        b.iter(|| {
            for t in texts {
                black_box(naive_peer(black_box(t)));
            }
        });
    });
    group.bench_function("split_whitespace_floor", |b| {
        b.iter(|| {
            for t in texts {
                black_box(floor(black_box(t)));
            }
        });
    });
    group.finish();
}

fn tokenize(c: &mut Criterion) {
    bench_texts(c, "tokenize_fr_news", &french_news());
    bench_texts(c, "tokenize_zh_news", &chinese_news());
}

/// Interleaved rounds (recoupe, recoupe + shingles, naive peer, one after the other in
/// each round) so that the machine's drift hits all three alike; prints the median
/// ratio of the peer's time to ours.
fn interleaved_ratios() {
    const ROUNDS: usize = 15;
    let tokenizer = Tokenizer::default();
    for (name, texts) in [("fr_news", french_news()), ("zh_news", chinese_news())] {
        let bytes: usize = texts.iter().map(String::len).sum();
        // About 350 KB of text per timed loop, whatever the input.
        let reps = (350_000 / bytes.max(1)).max(1);
        let mut doc = Tokenized::default();
        let mut words = Vec::new();
        let mut chars = Vec::new();
        let (mut ours, mut full, mut peer) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let t = Instant::now();
            for _ in 0..reps {
                for text in &texts {
                    tokenizer.tokenize_into(black_box(text), &mut doc);
                    black_box(doc.tokens().len());
                }
            }
            ours.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for _ in 0..reps {
                for text in &texts {
                    tokenizer.tokenize_into(black_box(text), &mut doc);
                    words.clear();
                    chars.clear();
                    tokenizer.word_shingles_into(&doc, &mut words);
                    tokenizer.char_shingles_into(&doc, &mut chars);
                    black_box((words.len(), chars.len()));
                }
            }
            full.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for _ in 0..reps {
                for text in &texts {
                    black_box(naive_peer(black_box(text)));
                }
            }
            peer.push(t.elapsed().as_secs_f64());
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
        };
        let mut r_ours: Vec<f64> = peer.iter().zip(&ours).map(|(p, o)| p / o).collect();
        let mut r_full: Vec<f64> = peer.iter().zip(&full).map(|(p, f)| p / f).collect();
        let (lo, hi) = (
            r_ours.iter().copied().fold(f64::INFINITY, f64::min),
            r_ours.iter().copied().fold(0.0, f64::max),
        );
        let per_round = (texts.len() * reps) as f64;
        let t_ours = median(&mut ours);
        println!(
            "interleaved {name}: naive_peer time / recoupe_tokenize time = {:.2} (median of \
             {ROUNDS} rounds, range {lo:.2}..{hi:.2}); / tokenize + word + char shingles = \
             {:.2}; recoupe_tokenize median {:.0} docs/s, {:.1} MiB/s ({} docs, {} bytes)",
            median(&mut r_ours),
            median(&mut r_full),
            per_round / t_ours,
            (bytes * reps) as f64 / t_ours / (1024.0 * 1024.0),
            texts.len(),
            bytes,
        );
    }
}

criterion_group!(benches, tokenize);

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: skip the long part.
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratios();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
