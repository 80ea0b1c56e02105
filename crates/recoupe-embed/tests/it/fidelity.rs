//! Rust vectors against the committed sentence-transformers reference
//! (`tests/data/embed_reference.json`, written by `scripts/make_embed_reference.py`).

use recoupe_embed::{Attention, ChunkPooling, Precision, SentenceEmbedder};
use serde::Deserialize;

use crate::common::{cosine, model_dir};

#[derive(Deserialize)]
struct Reference {
    texts: Vec<RefText>,
    models: std::collections::BTreeMap<String, RefModel>,
}

#[derive(Deserialize)]
struct RefText {
    id: String,
    text: String,
}

#[derive(Deserialize)]
struct RefModel {
    vectors: Vec<RefVectors>,
}

#[derive(Deserialize)]
struct RefVectors {
    id: String,
    n_windows: usize,
    first: Vec<f32>,
    mean: Vec<f32>,
}

fn reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/embed_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// f32 must match sentence-transformers to 1e-4; bf16 (the speed setting) to 1e-3.
const MIN_COSINE: f64 = 0.9999;
const MIN_COSINE_BF16: f64 = 0.999;

fn check(model: &str, attention: Attention, precision: Precision) {
    let min = if precision == Precision::Bf16 {
        MIN_COSINE_BF16
    } else {
        MIN_COSINE
    };
    let Some(dir) = model_dir(model) else { return };
    let reference = reference();
    let Some(expected) = reference.models.get(model) else {
        panic!("no reference vectors for {model}: run scripts/make_embed_reference.py");
    };
    let texts: Vec<&str> = reference.texts.iter().map(|t| t.text.as_str()).collect();
    assert!(texts.len() >= 15, "reference has too few texts");
    assert!(
        expected.vectors.iter().any(|v| v.n_windows > 1),
        "reference must include texts longer than max_seq_length"
    );
    for pooling in [ChunkPooling::First, ChunkPooling::Mean] {
        let embedder = SentenceEmbedder::builder(&dir)
            .chunk_pooling(pooling)
            .attention(attention)
            .precision(precision)
            .workers(1)
            .build()
            .unwrap();
        let got = embedder.embed(&texts).unwrap();
        let mut worst = (f64::INFINITY, String::new());
        for (i, (t, e)) in reference.texts.iter().zip(&expected.vectors).enumerate() {
            assert_eq!(t.id, e.id);
            let want = match pooling {
                ChunkPooling::First => &e.first,
                ChunkPooling::Mean => &e.mean,
            };
            let c = cosine(got.row(i).as_slice().unwrap(), want);
            if c < worst.0 {
                worst = (c, t.id.clone());
            }
        }
        eprintln!(
            "{model} {attention:?} {precision:?} {pooling:?}: worst cosine {:.7} ({})",
            worst.0, worst.1
        );
        assert!(
            worst.0 >= min,
            "{model} {attention:?} {precision:?} {pooling:?}: cosine {} < {min} for text {}",
            worst.0,
            worst.1
        );
    }
}

#[test]
fn minilm_fused_matches_sentence_transformers() {
    check("all-minilm-l6-v2", Attention::Fused, Precision::F32);
}

#[test]
fn minilm_eager_matches_sentence_transformers() {
    check("all-minilm-l6-v2", Attention::Eager, Precision::F32);
}

#[test]
fn e5_fused_matches_sentence_transformers() {
    check("multilingual-e5-small", Attention::Fused, Precision::F32);
}

#[test]
fn e5_eager_matches_sentence_transformers() {
    check("multilingual-e5-small", Attention::Eager, Precision::F32);
}

#[test]
fn minilm_bf16_within_1e3_of_sentence_transformers() {
    check("all-minilm-l6-v2", Attention::Fused, Precision::Bf16);
}

#[test]
fn e5_bf16_within_1e3_of_sentence_transformers() {
    check("multilingual-e5-small", Attention::Fused, Precision::Bf16);
}
