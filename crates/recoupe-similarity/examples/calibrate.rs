//! Calibrates and evaluates story clustering on a labelled JSON Lines corpus.
//!
//! ```text
//! cargo run --release -p recoupe-similarity --example calibrate -- \
//!     ../shared/eval/ecbplus-dev.jsonl --vectors .recoupe/vectors/ecbplus-dev.all-minilm-l6-v2.jsonl \
//!     [--gold cluster] [--config '{"story_threshold":0.5}'] [--sweep] [--worst 5]
//! ```
//!
//! Without `--vectors` a hashed TF-IDF vector stands in for the embedding (to calibrate
//! the lexical parts before real embeddings exist). Tokenization here is deliberately
//! simple (alphanumeric runs; a capitalised word inside a sentence is a name, a word with
//! a digit a number): the library takes the caller's tokens and does not tokenize.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use anyhow::{bail, Context};
use ndarray::Array2;
use recoupe_similarity::metrics::{evaluate, PartitionScores};
use recoupe_similarity::{cosine, find_stories, CorpusBuilder, SimilarityConfig, Token, TokenKind};

struct Doc {
    id: String,
    text: String,
    gold: String,
    topic: Option<String>,
    date: Option<f32>,
}

fn hash_str(s: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Alphanumeric runs with their kind.
fn tokenize(text: &str) -> Vec<(String, TokenKind)> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    let mut word = String::new();
    let flush =
        |word: &mut String, out: &mut Vec<(String, TokenKind)>, sentence_start: &mut bool| {
            if word.is_empty() {
                return;
            }
            let kind = if word.chars().any(|c| c.is_ascii_digit()) {
                TokenKind::Number
            } else if word.chars().next().is_some_and(char::is_uppercase) && !*sentence_start {
                TokenKind::Name
            } else {
                TokenKind::Word
            };
            out.push((word.to_lowercase(), kind));
            word.clear();
            *sentence_start = false;
        };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut sentence_start);
            if matches!(c, '.' | '!' | '?' | '\n' | '"' | ':' | ';') {
                sentence_start = true;
            }
        }
    }
    flush(&mut word, &mut out, &mut sentence_start);
    out
}

/// Days since 1970-01-01 of an ISO 8601 timestamp (date and optional time).
fn parse_days(s: &str) -> Option<f32> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let hours: f32 = s.get(11..13).and_then(|h| h.parse().ok()).unwrap_or(0.0);
    Some(days as f32 + hours / 24.0)
}

fn load(path: &str, gold_field: &str) -> anyhow::Result<Vec<Doc>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {path}"))?;
    let mut docs = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", i + 1))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        docs.push(Doc {
            id: s("id").with_context(|| format!("{path}:{} has no id", i + 1))?,
            text: s("text").unwrap_or_default(),
            gold: s(gold_field).with_context(|| format!("{path}:{} has no {gold_field}", i + 1))?,
            topic: s("topic"),
            date: s("date").as_deref().and_then(parse_days),
        });
    }
    Ok(docs)
}

fn load_vectors(path: &str, docs: &[Doc]) -> anyhow::Result<Array2<f32>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {path}"))?;
    let mut by_id: HashMap<String, Vec<f32>> = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let id = v
            .get("id")
            .and_then(|x| x.as_str())
            .context("vector without id")?
            .to_owned();
        let vec: Vec<f32> = v
            .get("vector")
            .and_then(|x| x.as_array())
            .context("vector line without vector")?
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN) as f32)
            .collect();
        by_id.insert(id, vec);
    }
    let d = by_id.values().next().map_or(0, Vec::len);
    let mut out = Array2::zeros((docs.len(), d));
    for (i, doc) in docs.iter().enumerate() {
        let v = by_id
            .get(&doc.id)
            .with_context(|| format!("no vector for {}", doc.id))?;
        if v.len() != d {
            bail!("vector of {} has {} dims, expected {d}", doc.id, v.len());
        }
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        for (j, x) in v.iter().enumerate() {
            out[[i, j]] = x / norm;
        }
    }
    Ok(out)
}

/// Hashed sublinear TF-IDF, a stand-in for embeddings.
fn tfidf_vectors(tokens: &[Vec<(String, TokenKind)>], dims: usize) -> Array2<f32> {
    let mut df: HashMap<&str, f32> = HashMap::new();
    for t in tokens {
        let mut seen: Vec<&str> = t.iter().map(|x| x.0.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        for w in seen {
            *df.entry(w).or_default() += 1.0;
        }
    }
    let n = tokens.len() as f32;
    let mut out = Array2::<f32>::zeros((tokens.len(), dims));
    for (i, t) in tokens.iter().enumerate() {
        let mut tf: HashMap<&str, f32> = HashMap::new();
        for w in t {
            *tf.entry(w.0.as_str()).or_default() += 1.0;
        }
        for (w, c) in tf {
            let idf = (n / df[w]).ln() + 1.0;
            out[[i, (hash_str(w) % dims as u64) as usize]] += (1.0 + c.ln()) * idf;
        }
        let mut row = out.row_mut(i);
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        } else {
            row[0] = 1.0;
        }
    }
    out
}

struct Prepared {
    neighbours: Option<recoupe_similarity::NeighbourLists>,
    docs: Vec<Doc>,
    vectors: Array2<f32>,
    tokens: Vec<Vec<Token>>,
    shingles: Vec<Vec<u64>>,
}

fn run(
    p: &Prepared,
    config: &SimilarityConfig,
) -> anyhow::Result<(Vec<u32>, recoupe_similarity::Stories)> {
    let corpus = CorpusBuilder::new(p.vectors.view())
        .tokens(p.tokens.clone())
        .dates(p.docs.iter().map(|d| d.date).collect())
        .shingles(p.shingles.clone())
        .config(config.clone())
        .build()?;
    let neighbours = match &p.neighbours {
        Some(n) => n.clone(),
        None => cosine::exact_top_k(p.vectors.view(), config.neighbours, config.min_cosine)?,
    };
    let stories = find_stories(&corpus, &neighbours)?;
    Ok((stories.clustering.labels.clone(), stories))
}

fn scores_on(
    p: &Prepared,
    labels: &[u32],
    keep: &dyn Fn(&Doc) -> bool,
) -> anyhow::Result<PartitionScores> {
    let (mut pred, mut gold) = (Vec::new(), Vec::new());
    for (d, &l) in p.docs.iter().zip(labels) {
        if keep(d) {
            pred.push(l);
            gold.push(d.gold.as_str());
        }
    }
    Ok(evaluate(&pred, &gold)?)
}

fn print_scores(name: &str, s: &PartitionScores) {
    println!(
        "{name}: docs {} clusters {} (gold {}) ARI {:.3} B3 P/R/F1 {:.3}/{:.3}/{:.3} pairwise P/R/F1 {:.3}/{:.3}/{:.3}",
        s.documents,
        s.predicted_clusters,
        s.gold_clusters,
        s.ari,
        s.b_cubed.precision,
        s.b_cubed.recall,
        s.b_cubed.f1,
        s.pairwise.precision,
        s.pairwise.recall,
        s.pairwise.f1
    );
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut vectors_path = None;
    let mut gold = "cluster".to_owned();
    let mut config = SimilarityConfig::default();
    let mut sweep = false;
    let mut worst = 5usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--vectors" => vectors_path = it.next().cloned(),
            "--gold" => gold = it.next().context("--gold needs a field")?.clone(),
            "--config" => {
                let mut base = serde_json::to_value(&config)?;
                let over: serde_json::Value =
                    serde_json::from_str(it.next().context("--config needs JSON")?)?;
                if let (Some(b), Some(o)) = (base.as_object_mut(), over.as_object()) {
                    for (k, v) in o {
                        b.insert(k.clone(), v.clone());
                    }
                }
                config = serde_json::from_value(base)?;
            }
            "--sweep" => sweep = true,
            "--worst" => worst = it.next().context("--worst needs a number")?.parse()?,
            other if path.is_none() => path = Some(other.to_owned()),
            other => bail!("unexpected argument {other}"),
        }
    }
    let path = path.context("usage: calibrate CORPUS.jsonl [--vectors V.jsonl] [--gold FIELD] [--config JSON] [--sweep]")?;
    if !std::path::Path::new(&path).exists() {
        println!("skipped: {path} is absent (the labelled data lives in ../shared/eval)");
        return Ok(());
    }
    let docs = load(&path, &gold)?;
    let raw: Vec<Vec<(String, TokenKind)>> = docs.iter().map(|d| tokenize(&d.text)).collect();
    let tokens: Vec<Vec<Token>> = raw
        .iter()
        .map(|t| {
            t.iter()
                .map(|(w, k)| Token {
                    hash: hash_str(w),
                    kind: *k,
                })
                .collect()
        })
        .collect();
    let shingles: Vec<Vec<u64>> = raw
        .iter()
        .map(|t| {
            let words: Vec<&str> = t.iter().map(|x| x.0.as_str()).collect();
            if words.len() < 3 {
                return vec![hash_str(&words.join(" "))];
            }
            words.windows(3).map(|w| hash_str(&w.join(" "))).collect()
        })
        .collect();
    let vectors = match &vectors_path {
        Some(v) => load_vectors(v, &docs)?,
        None => tfidf_vectors(&raw, 4096),
    };
    let mut p = Prepared {
        neighbours: None,
        docs,
        vectors,
        tokens,
        shingles,
    };
    println!(
        "corpus {path}: {} docs, vectors {} ({} dims)",
        p.docs.len(),
        vectors_path.as_deref().unwrap_or("hashed tf-idf stand-in"),
        p.vectors.ncols()
    );

    if sweep {
        // Threshold x weight grid; for corpora with topics also a two-fold split by topic
        // (choose on one half, report on the other) to see whether the choice overfits.
        let topics: Vec<&str> = {
            let mut t: Vec<&str> = p.docs.iter().filter_map(|d| d.topic.as_deref()).collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        let fold = |d: &Doc, f: usize| -> bool {
            d.topic
                .as_deref()
                .and_then(|t| topics.iter().position(|x| *x == t))
                .is_some_and(|i| i % 2 == f)
        };
        p.neighbours = Some(cosine::exact_top_k(
            p.vectors.view(),
            config.neighbours,
            config.min_cosine,
        )?);
        let weights = [0.2f32, 0.3, 0.5, 0.7, 0.85, 1.0];
        let cohesions = [0.0f32];
        let mut rows = Vec::new();
        for (w, r) in weights
            .iter()
            .flat_map(|&w| cohesions.iter().map(move |&r| (w, r)))
        {
            for t in (5..=40).map(|x| x as f32 / 50.0) {
                let c = SimilarityConfig {
                    embedding_weight: w,
                    cohesion_ratio: r,
                    story_threshold: t,
                    ..config.clone()
                };
                let (labels, _) = run(&p, &c)?;
                let all = scores_on(&p, &labels, &|_| true)?;
                let f0 = scores_on(&p, &labels, &|d| fold(d, 0))?;
                let f1 = scores_on(&p, &labels, &|d| fold(d, 1))?;
                rows.push(((w, r), t, all, f0, f1));
            }
        }
        for (w, r) in weights
            .iter()
            .flat_map(|&w| cohesions.iter().map(move |&r| (w, r)))
        {
            let best = rows
                .iter()
                .filter(|x| x.0 == (w, r))
                .max_by(|a, b| a.2.b_cubed.f1.total_cmp(&b.2.b_cubed.f1))
                .context("empty sweep")?;
            println!(
                "weight {w:.2} cohesion {r:.1}: best threshold {:.2} B3-F1 {:.3} ARI {:.3}",
                best.1, best.2.b_cubed.f1, best.2.ari
            );
        }
        if !topics.is_empty() {
            for (choose, report) in [(0usize, 1usize), (1, 0)] {
                type Row = (
                    (f32, f32),
                    f32,
                    PartitionScores,
                    PartitionScores,
                    PartitionScores,
                );
                let pick = |r: &Row, f: usize| {
                    if f == 0 {
                        r.3.b_cubed.f1
                    } else {
                        r.4.b_cubed.f1
                    }
                };
                let best = rows
                    .iter()
                    .max_by(|a, b| pick(a, choose).total_cmp(&pick(b, choose)))
                    .context("empty sweep")?;
                let held = if report == 0 { &best.3 } else { &best.4 };
                println!(
                    "fold {choose} chooses weight/cohesion {:?} threshold {:.2} (B3-F1 {:.3}); held-out fold {report}: B3-F1 {:.3} ARI {:.3}",
                    best.0, best.1, pick(best, choose), held.b_cubed.f1, held.ari
                );
            }
        }
        return Ok(());
    }

    let started = std::time::Instant::now();
    let (labels, stories) = run(&p, &config)?;
    let elapsed = started.elapsed();
    let all = scores_on(&p, &labels, &|_| true)?;
    print_scores("all", &all);
    println!(
        "clustered in {:.3} s; config {}",
        elapsed.as_secs_f64(),
        serde_json::to_string(&config)?
    );
    let mut relations: HashMap<String, usize> = HashMap::new();
    for pair in &stories.pairs {
        *relations.entry(format!("{:?}", pair.relation)).or_default() += 1;
    }
    let mut rel: Vec<_> = relations.into_iter().collect();
    rel.sort();
    println!("kept pairs by relation: {rel:?}");

    // Worst merges: predicted stories holding several gold stories.
    let mut merges = Vec::new();
    for s in &stories.clustering.stories {
        let mut counts: HashMap<&str, Vec<&str>> = HashMap::new();
        for &m in &s.members {
            let d = &p.docs[m as usize];
            counts
                .entry(d.gold.as_str())
                .or_default()
                .push(d.id.as_str());
        }
        if counts.len() > 1 {
            let mut parts: Vec<(&str, Vec<&str>)> = counts.into_iter().collect();
            parts.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
            let minority: usize = parts.iter().skip(1).map(|x| x.1.len()).sum();
            merges.push((minority, parts));
        }
    }
    merges.sort_by_key(|m| std::cmp::Reverse(m.0));
    println!("predicted stories mixing gold stories: {}", merges.len());
    for (minority, parts) in merges.iter().take(worst) {
        let desc: Vec<String> = parts
            .iter()
            .map(|(g, ids)| {
                format!(
                    "{g} x{} [{}]",
                    ids.len(),
                    ids.iter().take(4).copied().collect::<Vec<_>>().join(",")
                )
            })
            .collect();
        println!("  merge (minority {minority}): {}", desc.join(" + "));
    }
    // Worst splits: gold stories cut into several predicted stories.
    let mut by_gold: HashMap<&str, HashMap<u32, usize>> = HashMap::new();
    for (d, &l) in p.docs.iter().zip(&labels) {
        *by_gold
            .entry(d.gold.as_str())
            .or_default()
            .entry(l)
            .or_default() += 1;
    }
    let mut splits: Vec<(usize, &str, usize)> = by_gold
        .iter()
        .filter(|(_, parts)| parts.len() > 1)
        .map(|(g, parts)| {
            let total: usize = parts.values().sum();
            let largest = parts.values().copied().max().unwrap_or(0);
            (total - largest, *g, parts.len())
        })
        .collect();
    splits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    println!("gold stories split: {}", splits.len());
    for (outside, g, parts) in splits.iter().take(worst) {
        println!("  split: {g} into {parts} parts, {outside} outside the largest");
    }
    if p.docs.len() <= 20 {
        let corpus = CorpusBuilder::new(p.vectors.view())
            .tokens(p.tokens.clone())
            .config(config.clone())
            .build()?;
        println!("background cosine {:.3}", corpus.background_cosine());
        for a in 0..p.docs.len() {
            for b in a + 1..p.docs.len() {
                let s = corpus.score_pair(a, b, None)?;
                println!(
                    "  pair {} {}: cosine {:.3} rare {:.3} score {:.3}",
                    &p.docs[a].id[..3.min(p.docs[a].id.len())],
                    &p.docs[b].id[..3.min(p.docs[b].id.len())],
                    s.cosine,
                    s.rare_overlap,
                    s.score
                );
            }
        }
        for s in &stories.clustering.stories {
            let ids: Vec<&str> = s
                .members
                .iter()
                .map(|&m| p.docs[m as usize].id.as_str())
                .collect();
            println!(
                "  story {:?} representative {}",
                ids, p.docs[s.representative as usize].id
            );
        }
    }
    Ok(())
}
