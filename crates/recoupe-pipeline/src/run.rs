//! A batch run: every stage, in order, with progress callbacks and per-stage timings.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::Array2;
use rayon::prelude::*;
use recoupe_embed::SentenceEmbedder;
use recoupe_lang::LanguageDetector;
use recoupe_similarity::{
    evidence, lsh, minhash, CorpusBuilder, Neighbour, NeighbourLists, PairScore, Relation, Token,
    TokenKind,
};
use recoupe_tokenize::Tokenizer;

use crate::baseline;
use crate::cache::{self, EmbeddingCache};
use crate::clean::{self, clean_article, Cleaned, RecurringLines, Removal};
use crate::config::{PipelineConfig, StoryMethod};
use crate::error::{Error, Result};
use crate::input::{self, InputSpec};
use crate::record::{Meta, Origin, ReadItem, Reject, RejectReason};
use crate::report::{
    ArticleRecord, CleaningReport, ClusterRecord, DateSpan, EvidenceRecord, ExplanationRecord,
    LanguageReport, MemberRecord, NearestRecord, Outputs, PairRecord, ParagraphLang, PassageSide,
    RunSummary, SharedTermRecord, StageTime,
};

/// The stages reported to a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Reading inputs and applying the per-line cleaning rules.
    Read,
    /// Recurring-line removal and building the cleaned texts.
    Clean,
    /// Language detection, tokenization, shingles and MinHash signatures.
    Analyze,
    /// Sentence embeddings (model + cache).
    Embed,
    /// Neighbours, scoring and clustering.
    Similarity,
    /// Evidence passages and output files.
    Report,
}

impl Stage {
    /// Short name used in progress bars and timings.
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Clean => "clean",
            Self::Analyze => "analyze",
            Self::Embed => "embed",
            Self::Similarity => "similarity",
            Self::Report => "report",
        }
    }
}

/// Receives progress of a run (the CLI draws bars from it).
pub trait Progress: Sync {
    /// A stage starts; `total` items when known.
    fn start(&self, stage: Stage, total: Option<u64>);
    /// `n` more items done.
    fn advance(&self, stage: Stage, n: u64);
    /// The stage is over.
    fn finish(&self, stage: Stage);
    /// A line worth telling the user (e.g. which background prior was loaded, or why
    /// none was). Default: ignored.
    fn note(&self, _message: &str) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: Stage, _: Option<u64>) {}
    fn advance(&self, _: Stage, _: u64) {}
    fn finish(&self, _: Stage) {}
}

/// What to run on.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Inputs, read in order.
    pub inputs: Vec<InputSpec>,
    /// Output folder.
    pub out_dir: PathBuf,
    /// Embedding cache folder (default `<out_dir>/.cache`).
    pub cache_dir: Option<PathBuf>,
    /// Threads for the CPU stages (0 = all cores).
    pub threads: usize,
}

/// Loads the sentence embedder of `name` from `dir` (the run fails early, before anything
/// is written, when the model cannot be loaded).
pub fn load_model(name: &str, dir: &Path, workers: usize) -> Result<SentenceEmbedder> {
    let mut builder = SentenceEmbedder::builder(dir);
    if workers > 0 {
        builder = builder.workers(workers);
    }
    builder.build().map_err(|e| Error::Model {
        name: name.to_owned(),
        dir: dir.to_path_buf(),
        message: e.to_string(),
    })
}

/// The pipeline with its loaded model.
pub struct Pipeline {
    config: PipelineConfig,
    embedder: SentenceEmbedder,
    model_name: String,
    wordfreq_dir: Option<PathBuf>,
}

struct Pending {
    seq: usize,
    origin: Origin,
    id: String,
    meta: Meta,
    text: String,
    removals: Vec<Removal>,
    truncated: bool,
}

struct Doc {
    seq: usize,
    origin: Origin,
    id: String,
    meta: Meta,
    cleaned: Cleaned,
    /// The input text when cleaning removed something (else it is `cleaned.text`):
    /// report.html shows it with the evidence highlighted at its byte offsets.
    original: Option<String>,
    truncated: Vec<String>,
}

struct Analysis {
    language: LanguageReport,
    tokens: Vec<Token>,
    shingles: Vec<u64>,
    sentences: Vec<evidence::Sentence>,
}

fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

impl Pipeline {
    /// The background prior of a batch of `n` articles: the wordfreq lists of the
    /// languages detected in it, loaded only when the batch is small enough for the
    /// prior to count ([`recoupe_similarity::SimilarityConfig::prior_documents_for`]).
    fn background_prior(
        &self,
        n: usize,
        analyses: &[Analysis],
        tokenizer: &Tokenizer,
        progress: &dyn Progress,
    ) -> Option<recoupe_similarity::BackgroundPrior> {
        if n < 2 || self.config.similarity.prior_documents_for(n) <= 0.0 {
            return None;
        }
        let Some(dir) = &self.wordfreq_dir else {
            progress.note("background prior: no wordfreq folder given; small batches are scored on their own frequencies");
            return None;
        };
        let langs: Vec<String> = analyses
            .iter()
            .filter_map(|a| a.language.code.clone())
            .collect();
        let (prior, log) = crate::wordfreq::load_prior(dir, &langs, tokenizer);
        for line in log {
            progress.note(&line);
        }
        prior
    }
}

/// Days since 1970-01-01 of an ISO date (`YYYY-MM-DD`, optionally followed by a time).
pub fn parse_days(date: &str) -> Option<f32> {
    let d = date.trim();
    let y: i64 = d.get(0..4)?.parse().ok()?;
    if d.get(4..5)? != "-" || d.get(7..8)? != "-" {
        return None;
    }
    let m: i64 = d.get(5..7)?.parse().ok()?;
    let day: i64 = d.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let hours: f32 = d
        .get(11..13)
        .and_then(|h| h.parse::<f32>().ok())
        .filter(|_| matches!(d.get(10..11), Some("T" | " ")))
        .unwrap_or(0.0);
    Some(days as f32 + hours / 24.0)
}

fn relation_name(r: Relation) -> &'static str {
    match r {
        Relation::Copy => "copy",
        Relation::Rewrite => "rewrite",
        Relation::SameStory => "same_story",
    }
}

fn stage_err(stage: &'static str) -> impl Fn(recoupe_similarity::Error) -> Error {
    move |e| Error::Stage {
        stage,
        message: e.to_string(),
    }
}

impl Pipeline {
    /// A pipeline with `config` and a loaded model (see [`load_model`]).
    pub fn new(config: PipelineConfig, embedder: SentenceEmbedder, model_name: &str) -> Self {
        Self {
            config,
            embedder,
            model_name: model_name.to_owned(),
            wordfreq_dir: None,
        }
    }

    /// The folder of the wordfreq lists (`models/wordfreq`, see [`crate::wordfreq`]):
    /// in a small batch the lists of its languages are the background prior of the
    /// rare-token view. Without it, or when a list is missing, the batch's own
    /// frequencies alone count (as before the prior), and a note says so.
    pub fn with_wordfreq_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.wordfreq_dir = Some(dir.into());
        self
    }

    /// The settings in use.
    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Runs every stage on `options.inputs` and writes the outputs; returns the summary.
    pub fn run(&self, options: &RunOptions, progress: &dyn Progress) -> Result<RunSummary> {
        input::check_inputs(&options.inputs)?;
        let threads = if options.threads == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            options.threads
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Stage {
                stage: "threads",
                message: e.to_string(),
            })?;
        pool.install(|| self.run_in_pool(options, threads, progress))
    }

    fn run_in_pool(
        &self,
        options: &RunOptions,
        threads: usize,
        progress: &dyn Progress,
    ) -> Result<RunSummary> {
        let config = &self.config;
        let started = Instant::now();
        let mut stages = Vec::new();
        let mut timed = |stage: Stage, since: Instant| {
            stages.push(StageTime {
                stage: stage.name().to_owned(),
                seconds: since.elapsed().as_secs_f64(),
            });
        };

        // Validate the stage settings before reading anything.
        let tokenizer = Tokenizer::new(config.tokenize.clone()).map_err(|e| Error::Stage {
            stage: "tokenize",
            message: e.to_string(),
        })?;
        let detector = recoupe_lang::LanguageDetectorBuilder::from_config(config.language.clone())
            .build()
            .map_err(|e| Error::Stage {
                stage: "language",
                message: e.to_string(),
            })?;
        // Per-line detection (for the mixed-language flag) runs on every line of every
        // article; the statistical detector alone keeps it cheap, the main language
        // still gets the configured (possibly refined) detector.
        let mut line_config = config.language.clone();
        line_config.refine = false;
        let line_detector = recoupe_lang::LanguageDetectorBuilder::from_config(line_config)
            .build()
            .map_err(|e| Error::Stage {
                stage: "language",
                message: e.to_string(),
            })?;
        let detectors = (&detector, &line_detector);
        config
            .similarity
            .validate()
            .map_err(stage_err("similarity"))?;

        // Read + per-line rules (batches cleaned in parallel, in read order).
        let t = Instant::now();
        progress.start(Stage::Read, None);
        let streams = options
            .inputs
            .iter()
            .map(|spec| input::open(spec, &config.input))
            .collect::<Result<Vec<_>>>()?;
        let mut rejects: Vec<(usize, Reject)> = Vec::new();
        let mut pending: Vec<Pending> = Vec::new();
        let mut first_seen: HashMap<String, Origin> = HashMap::new();
        let mut recurring = RecurringLines::new(config.clean.recurring.clone());
        let mut seq = 0usize;
        let mut batch: Vec<Pending> = Vec::new();
        let flush = |batch: &mut Vec<Pending>,
                     pending: &mut Vec<Pending>,
                     recurring: &mut RecurringLines| {
            batch.par_iter_mut().for_each(|p| {
                p.removals = clean::rule_removals(&p.text, &config.clean);
            });
            for p in batch.drain(..) {
                recurring.observe(&p.text, &p.removals, p.meta.source.as_deref());
                pending.push(p);
            }
        };
        for stream in streams {
            for item in stream {
                let this = seq;
                seq += 1;
                match item {
                    ReadItem::Reject(r) => rejects.push((this, r)),
                    ReadItem::Article(a) => {
                        if let Some(first) = first_seen.get(&a.id) {
                            let reason = RejectReason::DuplicateId {
                                first: first.clone(),
                            };
                            rejects.push((this, Reject::new(a.origin, Some(a.id), reason)));
                            continue;
                        }
                        first_seen.insert(a.id.clone(), a.origin.clone());
                        // Only a prefix is ever compared: cut huge texts now so every
                        // later stage does bounded work.
                        let mut text = a.text;
                        let truncated = text.len() > config.limits.max_compare_bytes;
                        if truncated {
                            let keep = prefix(&text, config.limits.max_compare_bytes).len();
                            text.truncate(keep);
                            text.shrink_to_fit();
                        }
                        batch.push(Pending {
                            seq: this,
                            origin: a.origin,
                            id: a.id,
                            meta: a.meta,
                            text,
                            removals: Vec::new(),
                            truncated,
                        });
                        if batch.len() >= 256 {
                            flush(&mut batch, &mut pending, &mut recurring);
                        }
                    }
                }
                progress.advance(Stage::Read, 1);
            }
        }
        flush(&mut batch, &mut pending, &mut recurring);
        drop(first_seen);
        let records = seq;
        progress.finish(Stage::Read);
        timed(Stage::Read, t);

        // Recurring lines, cleaned texts; empty results are rejected.
        let t = Instant::now();
        progress.start(Stage::Clean, Some(pending.len() as u64));
        let cleaned: Vec<std::result::Result<Doc, Box<(usize, Reject)>>> = pending
            .into_par_iter()
            .map(|p| {
                let mut removals = p.removals;
                let extra = recurring.removals(&p.text, &removals, p.meta.source.as_deref());
                removals.extend(extra);
                let cleaned = if config.clean.enabled {
                    clean_article(&p.text, removals)
                } else {
                    Cleaned::new(&p.text, Vec::new())
                };
                progress.advance(Stage::Clean, 1);
                if !cleaned.has_content() {
                    let reason = if cleaned.removed.is_empty() {
                        RejectReason::NoContent
                    } else {
                        RejectReason::EmptyAfterCleaning {
                            removed: cleaned.removed.len(),
                        }
                    };
                    return Err(Box::new((p.seq, Reject::new(p.origin, Some(p.id), reason))));
                }
                let original = (!cleaned.removed.is_empty()).then_some(p.text);
                Ok(Doc {
                    seq: p.seq,
                    origin: p.origin,
                    id: p.id,
                    meta: p.meta,
                    cleaned,
                    original,
                    truncated: if p.truncated {
                        vec!["compare".to_owned()]
                    } else {
                        Vec::new()
                    },
                })
            })
            .collect();
        drop(recurring);
        let mut docs = Vec::with_capacity(cleaned.len());
        for c in cleaned {
            match c {
                Ok(d) => docs.push(d),
                Err(r) => rejects.push(*r),
            }
        }
        progress.finish(Stage::Clean);
        timed(Stage::Clean, t);

        // Language, tokens, shingles, sentences.
        let t = Instant::now();
        progress.start(Stage::Analyze, Some(docs.len() as u64));
        let max_compare = config.limits.max_compare_bytes;
        let analyses: Vec<Analysis> = docs
            .par_iter()
            .map(|d| {
                let a = analyze(d, max_compare, &tokenizer, detectors);
                progress.advance(Stage::Analyze, 1);
                a
            })
            .collect();
        for d in &mut docs {
            if d.cleaned.text.len() > config.embed.max_text_bytes {
                d.truncated.push("embed".into());
            }
        }
        // MinHash/LSH lexical candidates.
        let lexical_pairs = if config.minhash.enabled {
            lexical_candidates(&analyses, config)?
        } else {
            Vec::new()
        };
        progress.finish(Stage::Analyze);
        timed(Stage::Analyze, t);

        // Embeddings, through the cache.
        let t = Instant::now();
        let cache_dir = options
            .cache_dir
            .clone()
            .unwrap_or_else(|| options.out_dir.join(".cache"));
        let (vectors, failed, embedded, cached) = self.embed_all(&docs, &cache_dir, progress)?;
        timed(Stage::Embed, t);

        // Drop articles the model failed on (rejected with the model's message).
        let (docs, analyses, vectors, lexical_pairs) = if failed.is_empty() {
            (docs, analyses, vectors, lexical_pairs)
        } else {
            let mut keep_rows = Vec::new();
            let mut new_index = vec![u32::MAX; docs.len()];
            let mut kept_docs = Vec::new();
            let mut kept_analyses = Vec::new();
            for (i, (d, a)) in docs.into_iter().zip(analyses).enumerate() {
                if let Some(message) = failed.get(&i) {
                    let reason = RejectReason::EmbeddingFailed {
                        message: message.clone(),
                    };
                    rejects.push((d.seq, Reject::new(d.origin, Some(d.id), reason)));
                } else {
                    new_index[i] = keep_rows.len() as u32;
                    keep_rows.push(i);
                    kept_docs.push(d);
                    kept_analyses.push(a);
                }
            }
            let vectors = vectors.select(ndarray::Axis(0), &keep_rows);
            let pairs = lexical_pairs
                .into_iter()
                .filter_map(|(a, b)| {
                    let (a, b) = (new_index[a as usize], new_index[b as usize]);
                    (a != u32::MAX && b != u32::MAX).then_some((a, b))
                })
                .collect();
            (kept_docs, kept_analyses, vectors, pairs)
        };

        // Neighbours, scores, stories.
        let t = Instant::now();
        progress.start(Stage::Similarity, None);
        let sim = &config.similarity;
        let n = docs.len();
        let (stories, rep_scores) = if n == 0 {
            (Vec::new(), HashMap::new())
        } else {
            let view = vectors.view();
            let neighbours =
                recoupe_similarity::top_k(view, sim.neighbours, sim.min_cosine, &config.neighbours)
                    .map_err(stage_err("similarity"))?;
            let neighbours = add_pairs(neighbours, &lexical_pairs, &vectors);
            let dates: Vec<Option<f32>> = docs
                .iter()
                .map(|d| d.meta.date.as_deref().and_then(parse_days))
                .collect();
            let prior = self.background_prior(n, &analyses, &tokenizer, progress);
            let mut builder = CorpusBuilder::new(view)
                .tokens(analyses.iter().map(|a| a.tokens.clone()).collect())
                .dates(dates)
                .shingles(analyses.iter().map(|a| a.shingles.clone()).collect())
                .neighbours(&neighbours)
                .config(sim.clone());
            if let Some(prior) = &prior {
                builder = builder.prior(prior);
            }
            let corpus = builder.build().map_err(stage_err("similarity"))?;
            let found = match config.stories.method {
                StoryMethod::Full => recoupe_similarity::find_stories(&corpus, &neighbours)
                    .map_err(stage_err("similarity"))?,
                // Baselines: their own partition; the pairs that joined it are scored
                // by the full corpus so pairs.jsonl shows every view.
                method => {
                    let (clustering, edges) = if method == StoryMethod::Minhash {
                        let n = config.stories.minhash_word_ngram;
                        let shingles: Vec<Vec<u64>> = analyses
                            .par_iter()
                            .map(|a| {
                                let hashes: Vec<u64> = a.tokens.iter().map(|t| t.hash).collect();
                                baseline::word_ngram_shingles(&hashes, n)
                            })
                            .collect();
                        baseline::minhash_stories(
                            &shingles,
                            config.minhash.num_perm,
                            config.stories.minhash_threshold,
                        )
                    } else {
                        baseline::cosine_stories(view, sim, config.stories.cosine_threshold as f32)
                    }
                    .map_err(stage_err("similarity"))?;
                    let pairs = corpus
                        .score_pairs(&edges)
                        .map_err(stage_err("similarity"))?;
                    recoupe_similarity::Stories { clustering, pairs }
                }
            };
            // Every member's score against its representative.
            let mut by_pair: HashMap<(u32, u32), PairScore> = found
                .pairs
                .iter()
                .map(|p| ((p.a.min(p.b), p.a.max(p.b)), *p))
                .collect();
            let mut rep_scores = HashMap::new();
            for story in &found.clustering.stories {
                let r = story.representative;
                for &m in &story.members {
                    if m == r {
                        continue;
                    }
                    let key = (r.min(m), r.max(m));
                    let score = match by_pair.get(&key) {
                        Some(p) => *p,
                        None => {
                            let p = corpus
                                .score_pair(key.0 as usize, key.1 as usize, None)
                                .map_err(stage_err("similarity"))?;
                            by_pair.insert(key, p);
                            p
                        }
                    };
                    rep_scores.insert(m, score);
                }
            }
            // Why each kept pair scored what it did (the corpus holds only weighted
            // hashes: the tokens of `a` tell which token an entry stands for).
            let max_terms = config.evidence.max_shared_terms;
            let explanations: Vec<recoupe_similarity::Explanation> = found
                .pairs
                .par_iter()
                .map(|p| {
                    let (a, b) = (p.a.min(p.b) as usize, p.a.max(p.b) as usize);
                    corpus.explain(a, b, &analyses[a].tokens, max_terms)
                })
                .collect::<std::result::Result<_, _>>()
                .map_err(stage_err("similarity"))?;
            // Why stories are apart: the closest other story of each (full method only:
            // a baseline's partition was not made by average-link on this score).
            let mut nearest: Vec<Option<recoupe_similarity::StoryLink>> =
                vec![None; found.clustering.stories.len()];
            if config.stories.method == StoryMethod::Full {
                let candidates = neighbours.candidate_pairs(sim.min_cosine);
                let links =
                    recoupe_similarity::story_links(&corpus, &found.clustering, &candidates)
                        .map_err(stage_err("similarity"))?;
                // Highest average; ties: the lower other story. Links are sorted by
                // `(a, b)` with `a < b`, so each story meets its others in ascending
                // order and a strict `>` keeps the lower one.
                for l in &links {
                    for own in [l.a, l.b] {
                        let slot = &mut nearest[own as usize];
                        if slot.is_none_or(|best| l.average > best.average) {
                            *slot = Some(*l);
                        }
                    }
                }
            }
            (
                vec![(found.clustering, found.pairs, explanations, nearest)],
                rep_scores,
            )
        };
        progress.finish(Stage::Similarity);
        timed(Stage::Similarity, t);

        // Evidence and records.
        let t = Instant::now();
        let (clustering, pairs, explanations, nearest) = match stories.into_iter().next() {
            Some(s) => s,
            None => (
                recoupe_similarity::Clustering {
                    labels: Vec::new(),
                    stories: Vec::new(),
                },
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ),
        };
        progress.start(Stage::Report, Some(pairs.len() as u64));
        let width = clustering.stories.len().to_string().len().max(4);
        let story_id = |i: usize| format!("c{:0width$}", i + 1);
        let mut article_records: Vec<ArticleRecord> = Vec::with_capacity(n);
        let mut duplicates = 0;
        for (i, (d, a)) in docs.iter().zip(&analyses).enumerate() {
            let label = clustering.labels[i] as usize;
            let story = &clustering.stories[label];
            let rep = story.representative as usize;
            let (relation, score) = if story.members.len() == 1 {
                ("unique".to_owned(), None)
            } else if rep == i {
                ("representative".to_owned(), None)
            } else {
                let p = rep_scores.get(&(i as u32));
                (
                    p.map_or("same_story", |p| relation_name(p.relation))
                        .to_owned(),
                    p.map(|p| p.score),
                )
            };
            let decision = if relation == "copy" || relation == "rewrite" {
                duplicates += 1;
                "drop"
            } else {
                "keep"
            };
            article_records.push(ArticleRecord {
                id: d.id.clone(),
                file: d.origin.file.clone(),
                line: d.origin.line,
                meta: d.meta.clone(),
                language: a.language.clone(),
                cluster: story_id(label),
                cluster_size: story.members.len(),
                representative: docs[rep].id.clone(),
                relation,
                score,
                decision: decision.to_owned(),
                cleaning: CleaningReport {
                    original_bytes: d.cleaned.original_len,
                    kept_bytes: d.cleaned.text.len(),
                    removed: d.cleaned.removed.clone(),
                },
                truncated: d.truncated.clone(),
            });
        }
        let cluster_records: Vec<ClusterRecord> = clustering
            .stories
            .iter()
            .enumerate()
            .map(|(s, story)| {
                let rep = story.representative as usize;
                let members = story
                    .members
                    .iter()
                    .map(|&m| {
                        let p = rep_scores.get(&m);
                        MemberRecord {
                            id: docs[m as usize].id.clone(),
                            relation: article_records[m as usize].relation.clone(),
                            score: p.map(|p| p.score),
                            cosine: p.map(|p| p.cosine),
                            jaccard: p.and_then(|p| p.jaccard),
                            rare_overlap: p.map(|p| p.rare_overlap),
                        }
                    })
                    .collect();
                let mut sources: Vec<String> = story
                    .members
                    .iter()
                    .filter_map(|&m| docs[m as usize].meta.source.clone())
                    .collect();
                sources.sort();
                sources.dedup();
                let mut languages: Vec<String> = story
                    .members
                    .iter()
                    .filter_map(|&m| analyses[m as usize].language.code.clone())
                    .collect();
                languages.sort();
                languages.dedup();
                let mut dated: Vec<(f32, &str)> = story
                    .members
                    .iter()
                    .filter_map(|&m| {
                        let date = docs[m as usize].meta.date.as_deref()?;
                        Some((parse_days(date)?, date))
                    })
                    .collect();
                dated.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
                let date_span = match (dated.first(), dated.last()) {
                    (Some(f), Some(l)) => Some(DateSpan {
                        first: f.1.to_owned(),
                        last: l.1.to_owned(),
                    }),
                    _ => None,
                };
                ClusterRecord {
                    cluster: story_id(s),
                    size: story.members.len(),
                    representative: docs[rep].id.clone(),
                    members,
                    sources,
                    languages,
                    date_span,
                    nearest: nearest.get(s).copied().flatten().map(|l| NearestRecord {
                        cluster: story_id(if l.a as usize == s { l.b } else { l.a } as usize),
                        average: l.average,
                        threshold: l.threshold,
                    }),
                }
            })
            .collect();
        let ev = &config.evidence;
        let terms = shared_term_texts(&docs, &pairs, &explanations, max_compare, &tokenizer);
        let pair_records: Vec<PairRecord> = pairs
            .par_iter()
            .zip(&explanations)
            .map(|(p, x)| {
                let (a, b) = (p.a.min(p.b) as usize, p.a.max(p.b) as usize);
                let mut record = pair_record(&docs, &analyses, a, b, p, ev, &clustering, &story_id);
                record.explanation = Some(explanation_record(x, &terms[a]));
                progress.advance(Stage::Report, 1);
                record
            })
            .collect();
        rejects.sort_by_key(|r| r.0);
        let rejects: Vec<Reject> = rejects.into_iter().map(|r| r.1).collect();
        let mut summary = RunSummary {
            records,
            articles: article_records.len(),
            rejected: rejects.len(),
            clusters: cluster_records.len(),
            multi_article_clusters: cluster_records.iter().filter(|c| c.size > 1).count(),
            duplicates,
            embedded,
            cached,
            model: self.model_name.clone(),
            threads,
            stages: Vec::new(),
            total_seconds: 0.0,
            out_dir: options.out_dir.display().to_string(),
        };
        timed(Stage::Report, t);
        summary.stages = stages;
        summary.total_seconds = started.elapsed().as_secs_f64();
        let texts: Vec<&str> = docs
            .iter()
            .map(|d| d.original.as_deref().unwrap_or(&d.cleaned.text))
            .collect();
        Outputs {
            articles: &article_records,
            clusters: &cluster_records,
            pairs: &pair_records,
            rejects: &rejects,
            summary: &summary,
            texts: &texts,
            similarity: &config.similarity,
        }
        .write(&options.out_dir)?;
        progress.finish(Stage::Report);
        Ok(summary)
    }

    /// Vectors of every doc: cached ones from the cache, the rest from the model in
    /// chunks appended to the cache as they finish. Identical texts are embedded once.
    #[allow(clippy::type_complexity)]
    fn embed_all(
        &self,
        docs: &[Doc],
        cache_dir: &Path,
        progress: &dyn Progress,
    ) -> Result<(Array2<f32>, HashMap<usize, String>, usize, usize)> {
        let config = &self.config.embed;
        let dim = self.embedder.dim();
        let model_key = format!("{}:{}", self.model_name, self.embedder.model_id());
        let texts: Vec<String> = docs
            .par_iter()
            .map(|d| cache::normalize_text(&d.cleaned.text, config.max_text_bytes))
            .collect();
        let keys: Vec<u128> = texts
            .par_iter()
            .map(|t| cache::key(&model_key, t))
            .collect();
        let mut cache = EmbeddingCache::open(cache_dir, &model_key, dim)?;
        let mut todo: Vec<usize> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, k) in keys.iter().enumerate() {
            if cache.get(*k).is_none() && seen.insert(*k) {
                todo.push(i);
            }
        }
        let cached = docs.len() - keys.iter().filter(|k| seen.contains(k)).count();
        progress.start(Stage::Embed, Some(todo.len() as u64));
        let mut failed: HashMap<usize, String> = HashMap::new();
        for chunk in todo.chunks(config.chunk_size.max(1)) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
            let mut entries = Vec::with_capacity(chunk.len());
            match self.embedder.embed(&batch) {
                Ok(m) => {
                    for (row, &i) in chunk.iter().enumerate() {
                        entries.push((keys[i], m.row(row).to_vec()));
                    }
                }
                Err(_) => {
                    // Find the offending texts one by one; the rest still get vectors.
                    for &i in chunk {
                        match self.embedder.embed(&[texts[i].as_str()]) {
                            Ok(m) => entries.push((keys[i], m.row(0).to_vec())),
                            Err(e) => {
                                failed.insert(i, e.to_string());
                            }
                        }
                    }
                }
            }
            cache.append(&entries)?;
            progress.advance(Stage::Embed, chunk.len() as u64);
        }
        cache.sync()?;
        progress.finish(Stage::Embed);
        let embedded = todo.len() - failed.len();
        let mut vectors = Array2::<f32>::zeros((docs.len(), dim));
        for (i, k) in keys.iter().enumerate() {
            if failed.contains_key(&i) {
                continue;
            }
            match cache.get(*k) {
                Some(v) => vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v)),
                None => {
                    // The same text failed under another row.
                    failed.insert(i, "embedding of an identical text failed".into());
                }
            }
        }
        Ok((vectors, failed, embedded, cached))
    }
}

/// What the similarity stage sees of one tokenized text: every token with its
/// rare-token kind (a digit -> `Number`, `Token::is_rare_candidate` -> `Name`, else
/// `Word`) and the sorted, deduplicated word shingles (char shingles for texts too
/// short to have any). Public so calibration runs
/// (`benches/examples/calibrate_stories.rs`) score exactly what a pipeline run scores.
pub fn similarity_features(
    tokenizer: &Tokenizer,
    doc: &recoupe_tokenize::Tokenized,
) -> (Vec<Token>, Vec<u64>) {
    let tokens = doc
        .tokens()
        .iter()
        .map(|t| Token {
            hash: t.hash,
            kind: if t.has_digit() {
                TokenKind::Number
            } else if t.is_rare_candidate() {
                TokenKind::Name
            } else {
                TokenKind::Word
            },
        })
        .collect();
    let mut shingles = tokenizer.word_shingles(doc);
    if shingles.is_empty() {
        shingles = tokenizer.char_shingles(doc);
    }
    shingles.sort_unstable();
    shingles.dedup();
    (tokens, shingles)
}

fn analyze(
    d: &Doc,
    max_compare: usize,
    tokenizer: &Tokenizer,
    (detector, line_detector): (&LanguageDetector, &LanguageDetector),
) -> Analysis {
    let text = prefix(&d.cleaned.text, max_compare);
    let mut langs = line_detector.detect_paragraphs(text);
    langs.main = detector.detect(text);
    let paragraphs = if langs.mixed {
        langs
            .paragraphs
            .iter()
            .map(|p| {
                let r = d.cleaned.range_to_original(p.range.clone());
                ParagraphLang {
                    start: r.start,
                    end: r.end,
                    lang: p.detection.lang().map(|l| l.iso639_1().to_owned()),
                    reliable: p.detection.is_reliable(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let language = LanguageReport {
        code: langs.main.lang().map(|l| l.iso639_1().to_owned()),
        confidence: langs.main.confidence(),
        reliable: langs.main.is_reliable(),
        undetermined: langs.main.undetermined().map(|u| u.to_string()),
        mixed: langs.mixed,
        paragraphs,
    };
    let doc = tokenizer.tokenize(text);
    let (tokens, shingles) = similarity_features(tokenizer, &doc);
    let mut sentences: Vec<evidence::Sentence> = doc
        .sentences()
        .iter()
        .map(|s| evidence::Sentence {
            start: s.span.start,
            end: s.span.end,
            shingles: Vec::new(),
        })
        .collect();
    for sh in tokenizer.sentence_shingles(&doc) {
        if let Some(s) = sentences.get_mut(sh.sentence) {
            s.shingles.push(sh.hash);
        }
    }
    Analysis {
        language,
        tokens,
        shingles,
        sentences,
    }
}

fn lexical_candidates(analyses: &[Analysis], config: &PipelineConfig) -> Result<Vec<(u32, u32)>> {
    let rows: Vec<usize> = (0..analyses.len())
        .filter(|&i| !analyses[i].shingles.is_empty())
        .collect();
    if rows.len() < 2 {
        return Ok(Vec::new());
    }
    let hasher = minhash::MinHasher::new(minhash::MinHashParams {
        num_perm: config.minhash.num_perm,
        ..minhash::MinHashParams::default()
    })
    .map_err(stage_err("minhash"))?;
    let docs: Vec<&[u64]> = rows
        .iter()
        .map(|&i| analyses[i].shingles.as_slice())
        .collect();
    let signatures = hasher.signatures(&docs).map_err(stage_err("minhash"))?;
    let params = lsh::LshParams::for_threshold(config.minhash.threshold, config.minhash.num_perm)
        .map_err(stage_err("minhash"))?;
    let candidates = lsh::candidate_pairs(params, &signatures).map_err(stage_err("minhash"))?;
    let verified = lsh::verify_pairs(&signatures, &candidates, config.minhash.threshold)
        .map_err(stage_err("minhash"))?;
    Ok(verified
        .into_iter()
        .map(|(a, b, _)| (rows[a as usize] as u32, rows[b as usize] as u32))
        .collect())
}

/// Adds lexical pairs missing from the cosine neighbour lists.
fn add_pairs(
    neighbours: NeighbourLists,
    pairs: &[(u32, u32)],
    vectors: &Array2<f32>,
) -> NeighbourLists {
    if pairs.is_empty() {
        return neighbours;
    }
    let mut lists: Vec<Vec<Neighbour>> = neighbours.lists().to_vec();
    for &(a, b) in pairs {
        let present = lists[a as usize].iter().any(|n| n.index == b)
            || lists[b as usize].iter().any(|n| n.index == a);
        if !present {
            let c = vectors.row(a as usize).dot(&vectors.row(b as usize));
            lists[a as usize].push(Neighbour {
                index: b,
                cosine: c,
            });
        }
    }
    NeighbourLists::from_lists(lists)
}

#[allow(clippy::too_many_arguments)]
fn pair_record(
    docs: &[Doc],
    analyses: &[Analysis],
    a: usize,
    b: usize,
    p: &PairScore,
    ev: &crate::config::EvidenceConfig,
    clustering: &recoupe_similarity::Clustering,
    story_id: &dyn Fn(usize) -> String,
) -> PairRecord {
    let (da, db) = (&docs[a], &docs[b]);
    let passages = evidence::matching_passages(
        &analyses[a].sentences,
        &analyses[b].sentences,
        None,
        None,
        ev.min_jaccard,
    )
    .unwrap_or_default();
    let mut passages: Vec<_> = passages.into_iter().enumerate().collect();
    passages.sort_by(|x, y| y.1.score.total_cmp(&x.1.score).then(x.0.cmp(&y.0)));
    passages.truncate(ev.max_passages);
    passages.sort_by_key(|x| x.0);
    let side = |d: &Doc, (s, e): (usize, usize)| {
        let r = d.cleaned.range_to_original(s..e);
        PassageSide {
            start: r.start,
            end: r.end,
            text: d.cleaned.text.get(s..e).unwrap_or_default().to_owned(),
        }
    };
    PairRecord {
        a: da.id.clone(),
        b: db.id.clone(),
        cluster: story_id(clustering.labels[a] as usize),
        relation: relation_name(p.relation).to_owned(),
        score: p.score,
        cosine: p.cosine,
        rare_overlap: p.rare_overlap,
        jaccard: p.jaccard,
        date_gap_days: p.date_gap_days,
        evidence: passages
            .into_iter()
            .map(|(_, x)| EvidenceRecord {
                score: x.score,
                a: side(da, x.first),
                b: side(db, x.second),
            })
            .collect(),
        explanation: None,
    }
}

/// For every article that is the first of a kept pair, the text of each token hash
/// its explanations list, as first written in its compared text. The article is
/// tokenized again here, once, rather than keeping every token's text through the run.
fn shared_term_texts(
    docs: &[Doc],
    pairs: &[PairScore],
    explanations: &[recoupe_similarity::Explanation],
    max_compare: usize,
    tokenizer: &Tokenizer,
) -> Vec<HashMap<u64, String>> {
    let mut wanted: Vec<HashSet<u64>> = vec![HashSet::new(); docs.len()];
    for (p, x) in pairs.iter().zip(explanations) {
        let a = p.a.min(p.b) as usize;
        wanted[a].extend(x.shared.iter().map(|t| t.hash));
    }
    wanted
        .into_par_iter()
        .enumerate()
        .map(|(i, hashes)| {
            let mut found = HashMap::new();
            if hashes.is_empty() {
                return found;
            }
            let text = prefix(&docs[i].cleaned.text, max_compare);
            let doc = tokenizer.tokenize(text);
            for t in doc.tokens() {
                if hashes.contains(&t.hash) && !found.contains_key(&t.hash) {
                    found.insert(t.hash, t.span.slice(text).to_owned());
                    if found.len() == hashes.len() {
                        break;
                    }
                }
            }
            found
        })
        .collect()
}

fn explanation_record(
    x: &recoupe_similarity::Explanation,
    terms: &HashMap<u64, String>,
) -> ExplanationRecord {
    ExplanationRecord {
        embedding: x.embedding,
        rare: x.rare,
        neighbourhood: x.neighbourhood,
        date_penalty: x.date_penalty,
        shared: x
            .shared
            .iter()
            .filter_map(|t| {
                Some(SharedTermRecord {
                    term: terms.get(&t.hash)?.clone(),
                    kind: match t.kind {
                        TokenKind::Name => "name",
                        TokenKind::Number => "number",
                        TokenKind::Word => "word",
                    }
                    .to_owned(),
                    score: t.score,
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_to_days() {
        assert_eq!(parse_days("1970-01-01"), Some(0.0));
        assert_eq!(parse_days("2023-04-16"), Some(19_463.0));
        assert_eq!(parse_days("2014-03-10T12:00:00Z"), Some(16_139.5));
        assert_eq!(parse_days("2023-11"), None);
        assert_eq!(parse_days("yesterday"), None);
    }
}
