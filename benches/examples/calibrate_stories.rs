//! Story-clustering quality with the real tokenizer and the embed stage's vectors, on
//! the three labelled corpora in one run. Tokens and shingles come from
//! `recoupe_pipeline::similarity_features`, the function a pipeline run uses, so the
//! calibration scores exactly what `recoupe run` scores; dates are publication dates.
//!
//! ```text
//! cargo run --release -p recoupe-bench --example calibrate_stories -- \
//!     [--model all-minilm-l6-v2|multilingual-e5-small|all] [--corpus ecbplus-dev|...] \
//!     [--config '{"story_threshold":0.2}'] [--sweep story_threshold=0.1,0.15,0.2] [--worst 5] \
//!     [--data seed-articles=/tmp/cleaned.jsonl] [--vectors DIR] [--explain] [--splits] [--cuts] \
//!     [--null] [--search exact|ivf[:probes:fine_probes:refine_rounds]] [--small 2,3,5,10] \
//!     [--prior models/wordfreq] \
//!     [--background-prior all-minilm-l6-v2=0.1,multilingual-e5-small=0.7] [--dump-pairs DIR]
//!     [--first k]
//! ```
//!
//! `--first k` keeps only the first `k` articles of every gold story (smaller stories
//! whole): a corpus of smaller stories with the same topics, e.g. to see how the
//! document-frequency floor `min_rare_cutoff` behaves when stories are smaller than it.
//!
//! `--dump-pairs DIR` also writes `DIR/<corpus>.<model>.{full,half0,half1}.tsv`: every
//! pair of the batch (candidate pairs only above 3,000 articles) with its gold stories,
//! embedding cosine (raw and centred), rare-token overlap, the score's rare part
//! (`(1 - w) * overlap`) split into its name, number and word tokens, Jaccard, score,
//! lengths, topic blocks and the neighbourhood view's part of the score
//! (`scripts/pair_ceiling.py`).
//!
//! `--small k1,k2,..` replaces the usual output by small batches cut from the corpus
//! (see `small_batches`): "whole" (the first `k` articles of one gold story alone: kept
//! as one story?) and "apart" (the first `k` of each of a topic's two stories: exactly
//! the two gold stories?). `--prior DIR` loads the wordfreq lists of the detected
//! languages from `DIR` as the background prior of the rare-token view
//! (`recoupe_pipeline::wordfreq`); `--background-prior model=cosine` gives a model's
//! background cosine to the embedding view (`CorpusBuilder::background_prior`).
//!
//! `--search ivf` finds the neighbours with the pipeline's inverted file
//! (`SearchConfig::default()` with `method = ivf`: the `high_recall` cells) instead of
//! the exact search, and prints their recall@`neighbours` against exact per batch.
//!
//! `--cuts` prints, for every story average-link makes (the event split off) of the
//! full batch and of each half run alone, the best cut the event split finds
//! (`recoupe_similarity::split::best_cut`): its between / within ratio, `nb` (the mean
//! neighbourhood part between the two sides over the lower mean inside one) and the
//! gold stories on each side, lowest ratio first, to calibrate `event_split_ratio`.
//! `--explain` prints the mean centred cosine / rare overlap / neighbourhood part /
//! score inside the two events of each of the worst merges and between them.
//!
//! Vectors: `.recoupe/vectors/<corpus>.<model>.jsonl` (written by the embed stage;
//! `--vectors DIR` reads `DIR/<corpus>.<model>.jsonl` instead); `--null` prints the
//! score distribution over sampled pairs (mean, sd, quantiles) next to that of
//! same-story pairs, for the batch and each half; data:
//! `../shared/eval/*.jsonl` and `../shared/fixtures/seed-articles/articles.jsonl`.
//! `--sweep key=v1,v2,..` (repeatable, grid) prints one line per corpus and setting,
//! and for ecbplus-dev the two halves by topic (odd topics: tuning half; even topics:
//! held out), each run as a batch of its own and also scored inside the full run.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Context};
use recoupe_similarity::metrics::{evaluate, PartitionScores};
use recoupe_similarity::ndarray::{Array2, Axis};
use recoupe_similarity::{
    exact_top_k, find_stories, recall_at_k, split, top_k, BackgroundPrior, CorpusBuilder,
    SearchConfig, SearchMethod, SimilarityConfig, Token,
};
use recoupe_tokenize::{TokenizeConfig, Tokenizer};
use std::sync::Arc;

const CORPORA: [(&str, &str, &str); 3] = [
    ("ecbplus-dev", "../shared/eval/ecbplus-dev.jsonl", "cluster"),
    (
        "uci-news-headlines",
        "../shared/eval/uci-news-headlines.jsonl",
        "cluster",
    ),
    (
        "seed-articles",
        "../shared/fixtures/seed-articles/articles.jsonl",
        "story",
    ),
];
const MODELS: [&str; 2] = ["all-minilm-l6-v2", "multilingual-e5-small"];

struct Doc {
    id: String,
    gold: String,
    topic: Option<String>,
    /// The first characters of the text, to show in `--splits`.
    head: String,
}

struct Prepared {
    docs: Vec<Doc>,
    tokens: Vec<Vec<Token>>,
    shingles: Vec<Vec<u64>>,
    dates: Vec<Option<f32>>,
    /// Detected language of every document (for `--prior`).
    langs: Vec<String>,
    /// The background prior of the corpus's languages (`--prior DIR`).
    prior: Option<Arc<BackgroundPrior>>,
    /// The model's background cosine (`--background-prior`).
    background: Option<f32>,
}

/// A corpus builder for `p` with its tokens, dates and (when loaded) background priors.
fn builder<'v>(
    p: &'v Prepared,
    vectors: &'v Array2<f32>,
    config: &SimilarityConfig,
) -> CorpusBuilder<'v> {
    let mut b = CorpusBuilder::new(vectors.view())
        .tokens(p.tokens.clone())
        .dates(p.dates.clone())
        .config(config.clone());
    if let Some(prior) = &p.prior {
        b = b.prior(prior);
    }
    if let Some(bg) = p.background {
        b = b.background_prior(bg);
    }
    b
}

/// Days since 1970-01-01 of an ISO 8601 timestamp (date and optional hour).
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

fn prepare(path: &str, gold_field: &str, tokenizer: &Tokenizer) -> anyhow::Result<Prepared> {
    let raw = std::fs::read_to_string(path).with_context(|| format!("read {path}"))?;
    let mut p = Prepared {
        docs: Vec::new(),
        tokens: Vec::new(),
        shingles: Vec::new(),
        dates: Vec::new(),
        langs: Vec::new(),
        prior: None,
        background: None,
    };
    let detector = recoupe_lang::LanguageDetector::new();
    for (i, line) in raw.lines().enumerate().filter(|l| !l.1.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).with_context(|| format!("{path}:{}", i + 1))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let text = s("text").unwrap_or_default();
        // As the pipeline: the (cleaned) text is what is tokenized; the title only when
        // the text does not already hold it.
        let text = match s("title") {
            Some(t) if !t.trim().is_empty() && !text.contains(t.trim()) => {
                format!("{t}\n\n{text}")
            }
            _ => text,
        };
        let doc = tokenizer.tokenize(&text);
        p.langs.push(
            detector
                .detect(&text)
                .lang()
                .map_or_else(String::new, |l| l.iso639_1().to_owned()),
        );
        let text = text.trim().to_owned();
        let (tokens, shingles) = recoupe_pipeline::similarity_features(tokenizer, &doc);
        p.tokens.push(tokens);
        p.shingles.push(shingles);
        p.dates.push(s("date").as_deref().and_then(parse_days));
        p.docs.push(Doc {
            id: s("id").with_context(|| format!("{path}:{} has no id", i + 1))?,
            gold: s(gold_field).with_context(|| format!("{path}:{} has no {gold_field}", i + 1))?,
            topic: s("topic"),
            head: text.chars().take(70).collect::<String>().replace('\n', " "),
        });
    }
    Ok(p)
}

/// The documents of `p` kept by `keep`, as a batch of their own (corpus statistics,
/// background cosine and neighbours are those of the subset alone), with their rows.
fn subset(p: &Prepared, keep: &dyn Fn(&Doc) -> bool) -> (Prepared, Vec<usize>) {
    let rows: Vec<usize> = (0..p.docs.len()).filter(|&i| keep(&p.docs[i])).collect();
    (subset_rows(p, &rows), rows)
}

/// The documents of `p` at `rows`, as a batch of their own.
fn subset_rows(p: &Prepared, rows: &[usize]) -> Prepared {
    Prepared {
        docs: rows
            .iter()
            .map(|&i| Doc {
                id: p.docs[i].id.clone(),
                gold: p.docs[i].gold.clone(),
                topic: p.docs[i].topic.clone(),
                head: p.docs[i].head.clone(),
            })
            .collect(),
        tokens: rows.iter().map(|&i| p.tokens[i].clone()).collect(),
        shingles: rows.iter().map(|&i| p.shingles[i].clone()).collect(),
        dates: rows.iter().map(|&i| p.dates[i]).collect(),
        langs: rows.iter().map(|&i| p.langs[i].clone()).collect(),
        prior: p.prior.clone(),
        background: p.background,
    }
}

/// `--small k1,k2,..`: small batches cut from a corpus with topics (ecbplus-dev).
/// "whole": the first `k` articles of every gold story of `k`+ articles, alone: the
/// share that comes out as one story and the mean number of stories. "apart": for
/// every topic with two stories of `k`+ articles, the first `k` of each together: the
/// share that comes out exactly as the two gold stories, the mean B-cubed F1, and in
/// how many batches some story holds articles of both events (tune/held/all).
/// Each by half (odd topics tune, even topics are held out) and over all topics.
fn small_batches(
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
    ks: &[usize],
    label: &str,
) -> anyhow::Result<()> {
    // Gold stories in file order, with their topic.
    let mut stories: Vec<(String, Option<usize>, Vec<usize>)> = Vec::new();
    for (i, d) in p.docs.iter().enumerate() {
        match stories.iter_mut().find(|s| s.0 == d.gold) {
            Some(s) => s.2.push(i),
            None => stories.push((
                d.gold.clone(),
                d.topic.as_deref().and_then(|t| t.parse().ok()),
                vec![i],
            )),
        }
    }
    let half_of = |topic: Option<usize>| topic.map(|t| (t + 1) % 2);
    for &k in ks {
        // [tune, held out, all] x (batches, hits, sum of stories or F1)
        let mut whole = [(0usize, 0usize, 0.0f64); 3];
        let mut apart = [(0usize, 0usize, 0.0f64); 3];
        // Apart batches where some story holds articles of both events.
        let mut mixed = [0usize; 3];
        for (_, topic, rows) in stories.iter().filter(|s| s.2.len() >= k) {
            let rows = &rows[..k];
            let sub = subset_rows(p, rows);
            let (labels, _) = run(&sub, &vectors.select(Axis(0), rows), config)?;
            let n = labels
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            for slot in [half_of(*topic), Some(2)].into_iter().flatten() {
                whole[slot].0 += 1;
                whole[slot].1 += usize::from(n == 1);
                whole[slot].2 += n as f64;
            }
        }
        let mut topics: Vec<usize> = stories.iter().filter_map(|s| s.1).collect();
        topics.dedup();
        for t in topics {
            let pair: Vec<&Vec<usize>> = stories
                .iter()
                .filter(|s| s.1 == Some(t) && s.2.len() >= k)
                .map(|s| &s.2)
                .take(2)
                .collect();
            if pair.len() < 2 {
                continue;
            }
            let rows: Vec<usize> = pair[0][..k].iter().chain(&pair[1][..k]).copied().collect();
            let sub = subset_rows(p, &rows);
            let (labels, _) = run(&sub, &vectors.select(Axis(0), &rows), config)?;
            let s = scores(&sub, &labels, &|_| true)?;
            let merged = labels[..k].iter().any(|l| labels[k..].contains(l));
            for slot in [half_of(Some(t)), Some(2)].into_iter().flatten() {
                mixed[slot] += usize::from(merged);
                apart[slot].0 += 1;
                apart[slot].1 += usize::from(s.b_cubed.f1 > 0.9999);
                apart[slot].2 += s.b_cubed.f1;
            }
        }
        let fmt = |x: (usize, usize, f64), what: &str| {
            format!(
                "{:>2}/{:<2} {:.2} ({what} {:.2})",
                x.1,
                x.0,
                x.1 as f64 / x.0.max(1) as f64,
                x.2 / x.0.max(1) as f64
            )
        };
        println!(
            "{label} small k={k:<2} whole: tune {} held {} all {} | apart: tune {} held {} all {}, events merged in {}/{}/{}",
            fmt(whole[0], "stories"),
            fmt(whole[1], "stories"),
            fmt(whole[2], "stories"),
            fmt(apart[0], "B3F1"),
            fmt(apart[1], "B3F1"),
            fmt(apart[2], "B3F1"),
            mixed[0],
            mixed[1],
            mixed[2],
        );
    }
    Ok(())
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
            .with_context(|| format!("no vector for {} in {path}", doc.id))?;
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

/// `--search`: the neighbour search of [`run`] (exact when not given).
static SEARCH: std::sync::OnceLock<SearchConfig> = std::sync::OnceLock::new();

fn run(
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
) -> anyhow::Result<(Vec<u32>, f64)> {
    let neighbours = match SEARCH.get() {
        // `--search ivf`: the inverted file's neighbours, and their recall against exact.
        Some(search) => {
            let exact = exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
            let found = top_k(vectors.view(), config.neighbours, config.min_cosine, search)?;
            println!(
                "    {} rows: recall@{} of the {:?} search against exact {:.4}",
                vectors.nrows(),
                config.neighbours,
                search.method,
                recall_at_k(&exact, &found)
            );
            found
        }
        None => exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?,
    };
    let t = std::time::Instant::now();
    let corpus = builder(p, vectors, config)
        .shingles(p.shingles.clone())
        .neighbours(&neighbours)
        .build()?;
    let labels = find_stories(&corpus, &neighbours)?.clustering.labels;
    Ok((labels, t.elapsed().as_secs_f64()))
}

fn scores(
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

fn line(s: &PartitionScores) -> String {
    format!(
        "clusters {:>4} (gold {:>4}) ARI {:.3} B3 P/R/F1 {:.3}/{:.3}/{:.3} pairwise F1 {:.3}",
        s.predicted_clusters,
        s.gold_clusters,
        s.ari,
        s.b_cubed.precision,
        s.b_cubed.recall,
        s.b_cubed.f1,
        s.pairwise.f1
    )
}

/// Gold stories (with their member ids) inside one predicted cluster.
type Parts<'a> = BTreeMap<&'a str, Vec<&'a str>>;

/// Predicted clusters mixing gold stories, largest minority first.
fn worst_merges(p: &Prepared, labels: &[u32], worst: usize) {
    let mut by_label: BTreeMap<u32, Parts<'_>> = BTreeMap::new();
    for (d, &l) in p.docs.iter().zip(labels) {
        by_label
            .entry(l)
            .or_default()
            .entry(d.gold.as_str())
            .or_default()
            .push(d.id.as_str());
    }
    let mut mixed: Vec<(usize, u32, &Parts<'_>)> = by_label
        .iter()
        .filter(|(_, g)| g.len() > 1)
        .map(|(&l, g)| {
            let total: usize = g.values().map(Vec::len).sum();
            let largest = g.values().map(Vec::len).max().unwrap_or(0);
            (total - largest, l, g)
        })
        .collect();
    mixed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (minority, _, g) in mixed.iter().take(worst) {
        let parts: Vec<String> = g
            .iter()
            .map(|(gold, ids)| {
                let shown: Vec<&str> = ids.iter().take(4).copied().collect();
                format!("{gold} x{} [{}]", ids.len(), shown.join(" "))
            })
            .collect();
        println!("    merge (minority {minority}): {}", parts.join(" + "));
    }
}

/// Gold stories cut into several predicted clusters, most pieces first: the size of
/// each piece and one text of each of the largest pieces.
fn worst_splits(p: &Prepared, labels: &[u32], worst: usize) {
    let mut by_gold: BTreeMap<&str, BTreeMap<u32, Vec<usize>>> = BTreeMap::new();
    for (i, (d, &l)) in p.docs.iter().zip(labels).enumerate() {
        by_gold
            .entry(d.gold.as_str())
            .or_default()
            .entry(l)
            .or_default()
            .push(i);
    }
    let mut split: Vec<(usize, &str, Vec<&Vec<usize>>)> = by_gold
        .iter()
        .filter(|(_, g)| g.len() > 1)
        .map(|(&gold, g)| {
            let mut parts: Vec<&Vec<usize>> = g.values().collect();
            parts.sort_by_key(|v| std::cmp::Reverse(v.len()));
            let total: usize = parts.iter().map(|v| v.len()).sum();
            (total - parts[0].len(), gold, parts)
        })
        .collect();
    split.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    for (outside, gold, parts) in split.iter().take(worst) {
        let sizes: Vec<String> = parts.iter().take(12).map(|v| v.len().to_string()).collect();
        println!(
            "    split {gold} ({outside} outside its largest piece), pieces {}{}",
            sizes.join(" "),
            if parts.len() > 12 { " .." } else { "" }
        );
        for part in parts.iter().take(4) {
            let shown: Vec<&str> = part
                .iter()
                .take(2)
                .map(|&i| p.docs[i].head.as_str())
                .collect();
            println!("        x{}: {}", part.len(), shown.join(" | "));
        }
    }
}

/// For the worst merges: mean centred cosine, rare overlap and score within each of
/// the two largest gold stories and between them.
fn explain_merges(
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
    labels: &[u32],
    worst: usize,
) -> anyhow::Result<()> {
    let neighbours = exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
    let corpus = builder(p, vectors, config)
        .neighbours(&neighbours)
        .build()?;
    let mut by_label: BTreeMap<u32, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    for (i, (d, &l)) in p.docs.iter().zip(labels).enumerate() {
        by_label
            .entry(l)
            .or_default()
            .entry(&d.gold)
            .or_default()
            .push(i);
    }
    let mut mixed: Vec<(usize, Vec<&Vec<usize>>)> = by_label
        .values()
        .filter(|g| g.len() > 1)
        .map(|g| {
            let mut parts: Vec<&Vec<usize>> = g.values().collect();
            parts.sort_by_key(|v| std::cmp::Reverse(v.len()));
            (parts[1].len(), parts)
        })
        .collect();
    mixed.sort_by_key(|m| std::cmp::Reverse(m.0));
    let mean = |xs: &[usize], ys: &[usize], same: bool| -> anyhow::Result<[f32; 4]> {
        let (mut acc, mut n) = ([0.0f32; 4], 0.0f32);
        for (i, &a) in xs.iter().enumerate() {
            let start = if same { i + 1 } else { 0 };
            for &b in &ys[start..] {
                let s = corpus.score_pair(a, b, None)?;
                acc[0] += corpus.centred_pair(a, b, s.cosine);
                acc[1] += s.rare_overlap;
                acc[2] += corpus.neighbourhood(a, b)?;
                acc[3] += s.score;
                n += 1.0;
            }
        }
        Ok(acc.map(|x| x / n.max(1.0)))
    };
    for (_, parts) in mixed.iter().take(worst) {
        let (a, b) = (parts[0], parts[1]);
        let (wa, wb, x) = (mean(a, a, true)?, mean(b, b, true)?, mean(a, b, false)?);
        println!(
            "    explain {} x{} / {} x{}: within cos/rare/neighbourhood/score {:.3}/{:.3}/{:.3}/{:.3} and {:.3}/{:.3}/{:.3}/{:.3}, between {:.3}/{:.3}/{:.3}/{:.3}",
            p.docs[a[0]].gold, a.len(), p.docs[b[0]].gold, b.len(),
            wa[0], wa[1], wa[2], wa[3], wb[0], wb[1], wb[2], wb[3], x[0], x[1], x[2], x[3]
        );
    }
    Ok(())
}

/// `--dump-pairs DIR`: every pair of `p` (batches up to 3,000 articles; candidate
/// pairs only above) with its views and the rare part split by token kind, as TSV.
fn dump_pairs(
    path: &str,
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
) -> anyhow::Result<()> {
    use recoupe_similarity::TokenKind;
    use std::io::Write;
    let neighbours = exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
    let corpus = builder(p, vectors, config)
        .shingles(p.shingles.clone())
        .neighbours(&neighbours)
        .build()?;
    let n = p.docs.len();
    let candidates: std::collections::HashSet<(u32, u32)> = neighbours
        .candidate_pairs(config.min_cosine)
        .into_iter()
        .collect();
    let mut pairs: Vec<(u32, u32)> = if n <= 3000 {
        (0..n as u32)
            .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
            .collect()
    } else {
        candidates.iter().copied().collect()
    };
    pairs.sort_unstable();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "a\tb\tgold_a\tgold_b\ttopic_a\ttopic_b\tcandidate\tcos\tcentred\trare\tname\tnumber\tword\tjaccard\tscore\tlen_a\tlen_b\tblock_a\tblock_b\tneighbourhood"
    )?;
    for (a, b) in pairs {
        let (a, b) = (a as usize, b as usize);
        let s = corpus.score_pair(a, b, None)?;
        let e = corpus.explain(a, b, &p.tokens[a], usize::MAX)?;
        let mut kinds = [0.0f32; 3];
        for t in &e.shared {
            kinds[match t.kind {
                TokenKind::Name => 0,
                TokenKind::Number => 1,
                _ => 2,
            }] += t.score;
        }
        let topic = |i: usize| p.docs[i].topic.clone().unwrap_or_default();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.docs[a].id,
            p.docs[b].id,
            p.docs[a].gold,
            p.docs[b].gold,
            topic(a),
            topic(b),
            u8::from(candidates.contains(&(a as u32, b as u32))),
            s.cosine,
            corpus.centred_pair(a, b, s.cosine),
            s.rare_overlap,
            kinds[0],
            kinds[1],
            kinds[2],
            s.jaccard.unwrap_or(0.0),
            s.score,
            corpus.length(a),
            corpus.length(b),
            corpus.topic_block(a),
            corpus.topic_block(b),
            e.neighbourhood,
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The event split's best cut of every story of at least `2 * event_split_min_size`
/// members average-link makes on `p` (the split off), lowest ratio first.
fn print_cuts(
    title: &str,
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
) -> anyhow::Result<()> {
    let whole = SimilarityConfig {
        event_split: false,
        ..config.clone()
    };
    let (labels, _) = run(p, vectors, &whole)?;
    let neighbours = exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
    let corpus = builder(
        p,
        vectors,
        &SimilarityConfig {
            event_split: true,
            ..config.clone()
        },
    )
    .neighbours(&neighbours)
    .build()?;
    // Mean neighbourhood part between the two sides over the lower of the two means inside.
    let nb_ratio = |x: &[u32], y: &[u32]| {
        let mean = |xs: &[u32], ys: &[u32], same: bool| {
            let (mut acc, mut n) = (0.0f32, 0.0f32);
            for (i, &a) in xs.iter().enumerate() {
                let start = if same { i + 1 } else { 0 };
                for &b in &ys[start..] {
                    acc += corpus
                        .neighbourhood(a as usize, b as usize)
                        .unwrap_or(f32::NAN);
                    n += 1.0;
                }
            }
            acc / n.max(1.0)
        };
        mean(x, y, false) / mean(x, x, true).min(mean(y, y, true))
    };
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (i, &l) in labels.iter().enumerate() {
        groups.entry(l).or_default().push(i as u32);
    }
    let describe = |rows: &[u32]| {
        let mut g: BTreeMap<&str, usize> = BTreeMap::new();
        for &r in rows {
            *g.entry(p.docs[r as usize].gold.as_str()).or_default() += 1;
        }
        g.iter()
            .map(|(k, v)| format!("{k} x{v}"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let mut lines = Vec::new();
    for members in groups.values() {
        if let Some(cut) = split::best_cut(&corpus, members)? {
            let golds: std::collections::BTreeSet<&str> = members
                .iter()
                .map(|&r| p.docs[r as usize].gold.as_str())
                .collect();
            let kind = if golds.len() > 1 { "MIXED" } else { "pure " };
            let gold_ratio = match golds.iter().next() {
                Some(first) if golds.len() > 1 => {
                    let part: Vec<u32> = members
                        .iter()
                        .copied()
                        .filter(|&r| p.docs[r as usize].gold == *first)
                        .collect();
                    let rest: Vec<u32> = members
                        .iter()
                        .copied()
                        .filter(|r| !part.contains(r))
                        .collect();
                    let excl = split::exclusive_count(&corpus, &part, &rest)?;
                    split::cut_ratio(&corpus, members, &part)?
                        .map_or(String::new(), |r| format!(" (gold cut {r:.3} excl {excl})"))
                }
                _ => String::new(),
            };
            lines.push((
                cut.ratio,
                format!(
                    "    cut {kind} ratio {:.3} excl {:>2} emb {:.3} nb {:.3} n={:>3}: [{}] | [{}]{gold_ratio}",
                    cut.ratio,
                    cut.exclusive,
                    cut.embedding_ratio,
                    nb_ratio(&cut.parts[0], &cut.parts[1]),
                    members.len(),
                    describe(&cut.parts[0]),
                    describe(&cut.parts[1])
                ),
            ));
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("  cuts, {title}:");
    for (_, l) in lines {
        println!("{l}");
    }
    Ok(())
}

/// Distribution of the story score (no date penalty), centred cosine and rare overlap
/// over 40,000 pairs drawn by a fixed SplitMix64 sequence (nearly all unrelated), and
/// of the same-story pairs among them: mean, sd, sd without the top decile, quantiles.
fn null_stats(
    p: &Prepared,
    vectors: &Array2<f32>,
    config: &SimilarityConfig,
) -> anyhow::Result<()> {
    let corpus = builder(p, vectors, config)
        .dates(vec![None; p.docs.len()])
        .build()?;
    let n = p.docs.len();
    if n < 2 {
        return Ok(());
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let (mut all, mut cos, mut rare, mut same) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..40_000 {
        let (a, b) = ((next() % n as u64) as usize, (next() % n as u64) as usize);
        if a == b {
            continue;
        }
        let s = corpus.score_pair(a, b, None)?;
        all.push(s.score);
        cos.push(corpus.centred(s.cosine));
        rare.push(s.rare_overlap);
        if p.docs[a].gold == p.docs[b].gold {
            same.push(s.score);
        }
    }
    let stats = |xs: &mut Vec<f32>| {
        xs.sort_by(f32::total_cmp);
        let sd = |v: &[f32]| {
            let m = v.len().max(1) as f32;
            let mean = v.iter().sum::<f32>() / m;
            (
                mean,
                (v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / m).sqrt(),
            )
        };
        let q = |f: f32| xs[((xs.len() - 1) as f32 * f) as usize];
        let (mean, all_sd) = sd(xs);
        // Without the top decile, where the related pairs are.
        let below: Vec<f32> = xs.iter().copied().filter(|&x| x <= q(0.9)).collect();
        format!(
            "mean {mean:.3} sd {all_sd:.3} (below p90: {:.3}) p50 {:.3} p90 {:.3} p99 {:.3}",
            sd(&below).1,
            q(0.5),
            q(0.9),
            q(0.99)
        )
    };
    println!("    null score: {}", stats(&mut all));
    println!("    null centred cos: {}", stats(&mut cos));
    println!("    null rare: {}", stats(&mut rare));
    if !same.is_empty() {
        println!(
            "    same-story (in sample, {}): {}",
            same.len(),
            stats(&mut same)
        );
    }
    Ok(())
}

fn set_key(config: &SimilarityConfig, key: &str, value: &str) -> anyhow::Result<SimilarityConfig> {
    let mut v = serde_json::to_value(config)?;
    let parsed: serde_json::Value =
        serde_json::from_str(value).with_context(|| format!("value {value} of {key}"))?;
    v.as_object_mut()
        .context("config is not an object")?
        .insert(key.to_owned(), parsed);
    Ok(serde_json::from_value(v)?)
}

fn main() -> anyhow::Result<()> {
    let mut models: Vec<String> = MODELS.iter().map(|m| (*m).to_owned()).collect();
    let mut corpora: Vec<String> = CORPORA.iter().map(|c| c.0.to_owned()).collect();
    let mut base = SimilarityConfig::default();
    let mut sweeps: Vec<(String, Vec<String>)> = Vec::new();
    let mut worst = 5usize;
    let mut data: HashMap<String, String> = HashMap::new();
    let mut explain = false;
    let mut splits = false;
    let mut null = false;
    let mut vector_dir = ".recoupe/vectors".to_owned();
    let mut cuts = false;
    let mut small: Vec<usize> = Vec::new();
    let mut prior_dir: Option<String> = None;
    let mut backgrounds: HashMap<String, f32> = HashMap::new();
    let mut dump_dir: Option<String> = None;
    let mut first: Option<usize> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--model" => {
                let m = value()?;
                if m != "all" {
                    models = m.split(',').map(str::to_owned).collect();
                }
            }
            "--corpus" => corpora = value()?.split(',').map(str::to_owned).collect(),
            "--config" => {
                let over: serde_json::Value = serde_json::from_str(value()?)?;
                let mut v = serde_json::to_value(&base)?;
                for (k, x) in over.as_object().context("--config needs a JSON object")? {
                    v[k] = x.clone();
                }
                base = serde_json::from_value(v)?;
            }
            "--sweep" => {
                let s = value()?;
                let (k, vs) = s.split_once('=').context("--sweep key=v1,v2")?;
                sweeps.push((k.to_owned(), vs.split(',').map(str::to_owned).collect()));
            }
            "--worst" => worst = value()?.parse()?,
            "--explain" => explain = true,
            "--splits" => splits = true,
            "--null" => null = true,
            "--vectors" => vector_dir = value()?.to_owned(),
            "--cuts" => cuts = true,
            "--small" => {
                small = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--first" => first = Some(value()?.parse()?),
            "--prior" => prior_dir = Some(value()?.to_owned()),
            "--dump-pairs" => dump_dir = Some(value()?.to_owned()),
            "--background-prior" => {
                for kv in value()?.split(',') {
                    let (m, b) = kv
                        .split_once('=')
                        .context("--background-prior model=cosine,..")?;
                    backgrounds.insert(m.to_owned(), b.parse()?);
                }
            }
            "--search" => {
                let spec = value()?;
                let (name, cells) = spec.split_once(':').unwrap_or((spec, ""));
                let method = match name {
                    "ivf" => SearchMethod::Ivf,
                    "exact" => SearchMethod::Exact,
                    other => bail!("--search exact|ivf[:probes:fine_probes:refine], not {other}"),
                };
                let mut search = SearchConfig {
                    method,
                    ..SearchConfig::default()
                };
                if !cells.is_empty() {
                    let v: Vec<usize> = cells
                        .split(':')
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .with_context(|| format!("bad --search cells {cells:?}"))?;
                    let [probes, fine_probes, refine_rounds] = v[..] else {
                        bail!("--search ivf:probes:fine_probes:refine_rounds");
                    };
                    search.ivf.probes = probes;
                    search.ivf.fine_probes = fine_probes;
                    search.ivf.refine_rounds = refine_rounds;
                }
                SEARCH.set(search).ok().context("--search given twice")?;
            }
            "--data" => {
                let (name, path) = value()?.split_once('=').context("--data corpus=path")?;
                data.insert(name.to_owned(), path.to_owned());
            }
            other => bail!("unknown argument {other}"),
        }
    }
    // The grid of settings.
    let mut grid: Vec<(String, SimilarityConfig)> = vec![(String::new(), base.clone())];
    for (k, vs) in &sweeps {
        let mut next = Vec::new();
        for (name, c) in &grid {
            for v in vs {
                next.push((format!("{name} {k}={v}"), set_key(c, k, v)?));
            }
        }
        grid = next;
    }
    let tokenizer = Tokenizer::new(TokenizeConfig::default())?;
    for (name, path, gold) in CORPORA.iter().filter(|c| corpora.iter().any(|x| x == c.0)) {
        let path = data.get(*name).map_or(*path, String::as_str);
        let mut p = match prepare(path, gold, &tokenizer) {
            Ok(p) => p,
            Err(e) => {
                println!("{name}: skipped ({e:#})");
                continue;
            }
        };
        if let Some(k) = first {
            // The first k articles of every gold story (smaller stories whole).
            let mut seen: HashMap<String, usize> = HashMap::new();
            let rows: Vec<usize> = (0..p.docs.len())
                .filter(|&i| {
                    let n = seen.entry(p.docs[i].gold.clone()).or_default();
                    *n += 1;
                    *n <= k
                })
                .collect();
            p = subset_rows(&p, &rows);
        }
        if let Some(dir) = &prior_dir {
            let (prior, log) = recoupe_pipeline::wordfreq::load_prior(
                std::path::Path::new(dir),
                &p.langs,
                &tokenizer,
            );
            for l in log {
                println!("{name}: {l}");
            }
            p.prior = prior.map(Arc::new);
        }
        // Two halves by topic number: odd topics tune, even topics are held out. Each
        // half is also run as a batch of its own (its own statistics and background).
        let has_topics = p.docs.iter().any(|d| d.topic.is_some());
        let half = |d: &Doc, f: usize| {
            d.topic
                .as_deref()
                .and_then(|t| t.parse::<usize>().ok())
                .is_some_and(|t| (t + 1) % 2 == f)
        };
        let mut halves: Vec<(Prepared, Vec<usize>)> = if has_topics {
            (0..2).map(|f| subset(&p, &|d| half(d, f))).collect()
        } else {
            Vec::new()
        };
        // Both halves or none (`--data` may hold one half only).
        if halves.iter().any(|h| h.1.is_empty()) {
            halves.clear();
        }
        for model in &models {
            p.background = backgrounds.get(model).copied();
            for h in &mut halves {
                h.0.background = p.background;
            }
            let vpath = format!("{vector_dir}/{name}.{model}.jsonl");
            let vectors = match load_vectors(&vpath, &p.docs) {
                Ok(v) => v,
                Err(e) => {
                    println!("{name} / {model}: skipped ({e:#})");
                    continue;
                }
            };
            for (setting, config) in &grid {
                if !small.is_empty() {
                    small_batches(
                        &p,
                        &vectors,
                        config,
                        &small,
                        &format!("{name:<18} {model:<22}{setting}"),
                    )?;
                    continue;
                }
                if let Some(dir) = &dump_dir {
                    dump_pairs(
                        &format!("{dir}/{name}.{model}.full.tsv"),
                        &p,
                        &vectors,
                        config,
                    )?;
                    for (f, (sub, rows)) in halves.iter().enumerate() {
                        dump_pairs(
                            &format!("{dir}/{name}.{model}.half{f}.tsv"),
                            sub,
                            &vectors.select(Axis(0), rows),
                            config,
                        )?;
                    }
                }
                let (labels, secs) = run(&p, &vectors, config)?;
                let all = scores(&p, &labels, &|_| true)?;
                println!(
                    "{name:<18} {model:<22}{setting} | {} | score+cluster {:.3} s",
                    line(&all),
                    secs
                );
                for (f, (sub, rows)) in halves.iter().enumerate() {
                    let sub_vectors = vectors.select(Axis(0), rows);
                    let (sub_labels, _) = run(sub, &sub_vectors, config)?;
                    let own = scores(sub, &sub_labels, &|_| true)?;
                    let inside = scores(&p, &labels, &|d| half(d, f))?;
                    let which = ["tune (odd topics)", "held out (even)"][f];
                    if null {
                        null_stats(sub, &sub_vectors, config)?;
                    }
                    println!(
                        "{:<24} {which:<17} | own batch: clusters {:>3} (gold {:>3}) B3 P/R/F1 {:.3}/{:.3}/{:.3} ARI {:.3} | in the full batch: B3 P/R/F1 {:.3}/{:.3}/{:.3} ARI {:.3}",
                        "",
                        own.predicted_clusters,
                        own.gold_clusters,
                        own.b_cubed.precision,
                        own.b_cubed.recall,
                        own.b_cubed.f1,
                        own.ari,
                        inside.b_cubed.precision,
                        inside.b_cubed.recall,
                        inside.b_cubed.f1,
                        inside.ari
                    );
                }
                if grid.len() == 1 {
                    if p.docs.len() <= 20 {
                        let groups: Vec<String> = {
                            let mut g: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
                            for (d, &l) in p.docs.iter().zip(&labels) {
                                g.entry(l).or_default().push(&d.id[..d.id.len().min(3)]);
                            }
                            g.values().map(|m| format!("{{{}}}", m.join(","))).collect()
                        };
                        println!("    clusters: {}", groups.join(" "));
                        let neighbours =
                            exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
                        let corpus = builder(&p, &vectors, config)
                            .shingles(p.shingles.clone())
                            .neighbours(&neighbours)
                            .build()?;
                        for a in 0..p.docs.len() {
                            for b in a + 1..p.docs.len() {
                                let s = corpus.score_pair(a, b, None)?;
                                println!(
                                    "    {} {} cos {:.3} (centred {:.3}) rare {:.3} jaccard {:.3} score {:.3}",
                                    p.docs[a].id.get(..3).unwrap_or(&p.docs[a].id),
                                    p.docs[b].id.get(..3).unwrap_or(&p.docs[b].id),
                                    s.cosine,
                                    corpus.centred_pair(a, b, s.cosine),
                                    s.rare_overlap,
                                    s.jaccard.unwrap_or(0.0),
                                    s.score
                                );
                            }
                        }
                    }
                    worst_merges(&p, &labels, worst);
                    if splits {
                        worst_splits(&p, &labels, worst);
                    }
                    if null {
                        null_stats(&p, &vectors, config)?;
                    }
                    if explain {
                        explain_merges(&p, &vectors, config, &labels, worst)?;
                    }
                    if cuts {
                        print_cuts(
                            &format!("{name} / {model}, full batch"),
                            &p,
                            &vectors,
                            config,
                        )?;
                        for (f, (sub, rows)) in halves.iter().enumerate() {
                            let which = ["tuning half", "held-out half"][f];
                            print_cuts(
                                &format!("{name} / {model}, {which} as its own batch"),
                                sub,
                                &vectors.select(Axis(0), rows),
                                config,
                            )?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
