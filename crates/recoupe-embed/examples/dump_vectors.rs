//! Embeds a JSONL corpus and writes one `{"id":..., "vector":[...]}` line per article.
//!
//! ```text
//! cargo run --release -p recoupe-embed --example dump_vectors -- \
//!     models/all-minilm-l6-v2 ../shared/eval/ecbplus-dev.jsonl .recoupe/vectors/ecbplus-dev.all-minilm-l6-v2.jsonl
//! ```
//!
//! `--prefix TEXT` replaces the model's input prefix (e5: `passage: `), e.g.
//! `--prefix "query: "`.
//!
//! Text embedded: `title + "\n" + text` when the article has a title that the text does
//! not already start with (UCI headlines repeat the title as the text), else `text`.
//! Articles whose text is empty are reported on stderr and skipped.

use std::io::{BufRead, BufWriter, Write};

use anyhow::Context;
use recoupe_embed::{Error, SentenceEmbedder};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (prefix, args) = match args.as_slice() {
        [flag, p, rest @ ..] if flag == "--prefix" => (Some(p.clone()), rest.to_vec()),
        rest => (None, rest.to_vec()),
    };
    let [model, input, output] = args.as_slice() else {
        anyhow::bail!(
            "usage: dump_vectors [--prefix TEXT] <model_dir> <input.jsonl> <output.jsonl>"
        );
    };
    let mut builder = SentenceEmbedder::builder(model);
    if let Some(p) = prefix {
        builder = builder.prefix(p);
    }
    let embedder = builder.build()?;
    let file = std::fs::File::open(input).with_context(|| format!("open {input}"))?;
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{input}:{}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(&line).with_context(|| format!("{input}:{}", n + 1))?;
        let id = match &v["id"] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text = v["text"].as_str().unwrap_or_default();
        let title = v["title"].as_str().unwrap_or_default().trim();
        let full = if !title.is_empty() && !text.trim_start().starts_with(title) {
            format!("{title}\n{text}")
        } else {
            text.to_string()
        };
        ids.push(id);
        texts.push(full);
    }
    let start = std::time::Instant::now();
    if let Some(parent) = std::path::Path::new(output).parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut out =
        BufWriter::new(std::fs::File::create(output).with_context(|| format!("create {output}"))?);
    let mut written = 0usize;
    for (chunk_ids, chunk) in ids.chunks(256).zip(texts.chunks(256)) {
        // Empty texts are data, not a crash: embed the rest, report the empty ones.
        let keep: Vec<usize> = (0..chunk.len())
            .filter(|&i| !chunk[i].trim().is_empty())
            .collect();
        let kept: Vec<&str> = keep.iter().map(|&i| chunk[i].as_str()).collect();
        let vectors = match embedder.embed(&kept) {
            Ok(v) => v,
            Err(Error::EmptyText { index }) => {
                anyhow::bail!("article {} has no tokens", chunk_ids[keep[index]])
            }
            Err(e) => return Err(e.into()),
        };
        for (&i, row) in keep.iter().zip(vectors.rows()) {
            let line = serde_json::json!({ "id": chunk_ids[i], "vector": row.to_vec() });
            writeln!(out, "{line}")?;
            written += 1;
        }
        for i in (0..chunk.len()).filter(|i| !keep.contains(i)) {
            eprintln!("skipped {}: empty text", chunk_ids[i]);
        }
    }
    out.flush()?;
    eprintln!(
        "{written} vectors ({}) -> {output} in {:.1}s",
        embedder.model_id(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
