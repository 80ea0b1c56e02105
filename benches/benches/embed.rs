//! Sentence-embedding throughput (texts/s) of recoupe-embed.
//!
//! ```text
//! cargo bench -p recoupe-bench --features embed --bench embed
//! ```
//! Criterion mode: 2,000 news-length texts (ECB+ dev articles from `../shared/eval`,
//! cycled to 2,000 when fewer), all-MiniLM-L6-v2, 256-token truncation
//! (`ChunkPooling::First`, what sentence-transformers does). `RECOUPE_BENCH_TEXTS` changes
//! the count. Skips with a message when the model or the data is absent.
//!
//! Peer mode (used by `scripts/bench_embed_peer.py`, which runs sentence-transformers on
//! the same texts in the same run): with `RECOUPE_EMBED_PEER_TEXTS=<jsonl of {"text"}>`
//! the binary embeds those texts once after a warm-up, prints one JSON line
//! `{"texts":N,"seconds":S,"texts_per_s":R}` and writes the vectors as JSON lines to
//! `RECOUPE_EMBED_PEER_OUT` when set. `RECOUPE_EMBED_MODEL`, `RECOUPE_EMBED_MAXLEN`,
//! `RECOUPE_EMBED_WORKERS`, `RECOUPE_EMBED_BATCH`, `RECOUPE_EMBED_ATTENTION` (fused|eager),
//! `RECOUPE_EMBED_PRECISION` (f32|bf16) choose the settings.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use recoupe_embed::{
    Attention, ChunkPooling, Precision, SentenceEmbedder, SentenceEmbedderBuilder,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn builder(model: &Path) -> SentenceEmbedderBuilder {
    let mut b = SentenceEmbedder::builder(model).chunk_pooling(ChunkPooling::First);
    if let Some(n) = env_usize("RECOUPE_EMBED_MAXLEN") {
        b = b.max_seq_length(n);
    }
    if let Some(n) = env_usize("RECOUPE_EMBED_WORKERS") {
        b = b.workers(n);
    }
    if let Some(n) = env_usize("RECOUPE_EMBED_BATCH") {
        b = b.batch_size(n);
    }
    if std::env::var("RECOUPE_EMBED_ATTENTION").as_deref() == Ok("eager") {
        b = b.attention(Attention::Eager);
    }
    if std::env::var("RECOUPE_EMBED_PRECISION").as_deref() == Ok("bf16") {
        b = b.precision(Precision::Bf16);
    }
    b
}

fn read_texts(path: &Path) -> anyhow::Result<Vec<String>> {
    let f = std::fs::File::open(path)?;
    let mut out = Vec::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        if let Some(t) = v["text"].as_str() {
            if !t.trim().is_empty() {
                out.push(t.to_string());
            }
        }
    }
    Ok(out)
}

fn peer(texts_path: &Path) -> anyhow::Result<()> {
    let model = std::env::var("RECOUPE_EMBED_MODEL")
        .map_or_else(|_| repo().join("models/all-minilm-l6-v2"), PathBuf::from);
    let texts = read_texts(texts_path)?;
    let embedder = builder(&model).build()?;
    // warm-up: allocator, OpenMP pools, first-call kernels
    embedder.embed(&texts[..texts.len().min(16)])?;
    let start = Instant::now();
    let vectors = embedder.embed(&texts)?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"texts": texts.len(), "seconds": secs, "texts_per_s": texts.len() as f64 / secs,
            "workers": embedder.workers(), "model_id": embedder.model_id()})
    );
    if let Ok(out) = std::env::var("RECOUPE_EMBED_PEER_OUT") {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
        for row in vectors.rows() {
            writeln!(w, "{}", serde_json::json!(row.to_vec()))?;
        }
        w.flush()?;
    }
    Ok(())
}

fn bench(c: &mut Criterion) {
    let model = repo().join("models/all-minilm-l6-v2");
    let data = repo().join("../shared/eval/ecbplus-dev.jsonl");
    if !model.join("model.safetensors").is_file() || !data.is_file() {
        eprintln!(
            "SKIP embed bench: needs {} (scripts/setup.sh) and {}",
            model.display(),
            data.display()
        );
        return;
    }
    let Ok(articles) = read_texts(&data) else {
        eprintln!("SKIP embed bench: cannot read {}", data.display());
        return;
    };
    let n = env_usize("RECOUPE_BENCH_TEXTS").unwrap_or(2000);
    let texts: Vec<&str> = articles
        .iter()
        .cycle()
        .take(n)
        .map(String::as_str)
        .collect();
    let embedder = match builder(&model).build() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("SKIP embed bench: {e}");
            return;
        }
    };
    let mut g = c.benchmark_group("embed");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(60))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function(format!("all-minilm-l6-v2/{}texts", texts.len()), |b| {
        b.iter(|| embedder.embed(&texts).map(|m| m.nrows()).unwrap_or(0));
    });
    g.finish();
}

fn main() -> anyhow::Result<()> {
    if let Ok(path) = std::env::var("RECOUPE_EMBED_PEER_TEXTS") {
        return peer(Path::new(&path));
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    Ok(())
}
