//! Pair scoring and relation labels.
//!
//! A pair of articles is compared on three views, each normalised to `[0, 1]`:
//! - the **embedding cosine** of the caller's L2-normalised vectors (topic and meaning),
//! - the **rare-token overlap**: the cosine of IDF-weighted sparse vectors over the
//!   tokens that are rare in the batch, with names, places and numbers weighted up
//!   (`sqrt(tf) * ln(N / df) * kind weight`; tokens in more than
//!   `max_document_frequency` of the batch, or in one document only, weigh nothing).
//!   Two reports of one event share who, where and how many; two events of the same
//!   kind do not. With `smoothed_idf` the IDF is `ln((N + 1) / (df + 1))`, so a word of
//!   every document weighs 0 whatever the batch size. A share of this view
//!   (`entity_weight`; more in small batches, see
//!   [`SimilarityConfig::entity_share`]) goes to an **entity view**: names and numbers only, smoothed IDF, the
//!   entities of one article alone kept in its norm (an article about someone else
//!   shares little of its mass) — the two views are joined into one sparse vector so
//!   the overlap stays a dot product,
//! - the **lexical Jaccard** of shingle sets (exact, or a MinHash estimate), which only
//!   labels the relation (`copy` / `rewrite`).
//!
//! The story score is `w * centred_cosine + (1 - w) * rare_overlap + neighbourhood -
//! date_penalty`, where `centred_cosine = (cosine - b) / (1 - b)` and `b` is the batch's
//! mean pair cosine (models differ in how compressed their cosines are), and
//! `neighbourhood` is the **neighbourhood view** ([`Corpus::neighbourhood`]): the cosine of
//! the two articles' neighbourhood profiles (each article's few best-scoring candidate
//! neighbours and itself, weighted by the score of the other views), centred on its
//! topic block's mean, times `neighbourhood_weight`. Because every view is affine in dot
//! products of unit vectors (dense or sparse), the average score between two groups of
//! articles is a dot product of their sums: [`crate::cluster`](mod@crate::cluster) relies on this.

use std::collections::HashMap;

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::SimilarityConfig;
use crate::cosine::{self, NeighbourLists};
use crate::error::{Error, Result};
use crate::prior::BackgroundPrior;

/// What kind of token a hash stands for, as flagged by the caller's tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An ordinary word.
    Word,
    /// A proper name or place (e.g. capitalised inside a sentence).
    Name,
    /// A number, amount or date-like token.
    Number,
}

/// A token of a document: the caller's hash of its normalised form, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Token {
    /// Hash of the normalised token (e.g. lower-cased).
    pub hash: u64,
    /// Kind flagged by the tokenizer.
    pub kind: TokenKind,
}

/// A sparse vector `(token hash, weight)` sorted by hash, L2-normalised (or empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    entries: Vec<(u64, f32)>,
}

impl SparseVector {
    /// Builds a unit vector from unsorted weights (zero weights dropped, repeats added).
    pub fn normalised(mut entries: Vec<(u64, f32)>) -> Self {
        entries.retain(|e| e.1 > 0.0);
        entries.sort_unstable_by_key(|e| e.0);
        entries.dedup_by(|a, b| {
            if a.0 == b.0 {
                b.1 += a.1;
                true
            } else {
                false
            }
        });
        let norm = entries.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for e in &mut entries {
                e.1 /= norm;
            }
        }
        Self { entries }
    }

    /// Entries sorted by hash.
    pub fn entries(&self) -> &[(u64, f32)] {
        &self.entries
    }

    /// Whether the vector has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Dot product with another sorted sparse vector.
    pub fn dot(&self, other: &SparseVector) -> f32 {
        sorted_dot(&self.entries, &other.entries)
    }
}

pub(crate) fn sorted_dot(a: &[(u64, f32)], b: &[(u64, f32)]) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Document frequencies of token hashes over one batch, computed once.
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    document_frequency: HashMap<u64, u32>,
    documents: usize,
    /// Median token count of the documents (0 for an empty batch).
    median_length: f32,
    /// Pseudo-documents of the background prior (0: none; see [`crate::prior`]).
    prior_documents: f32,
    /// Expected pseudo-document frequency (`m * p`) of every token of the batch.
    prior_df: HashMap<u64, f32>,
}

impl CorpusStats {
    /// Counts in how many documents each token hash occurs.
    pub fn from_documents<T: AsRef<[Token]>>(documents: &[T]) -> Self {
        let mut document_frequency: HashMap<u64, u32> = HashMap::new();
        let mut seen: Vec<u64> = Vec::new();
        for doc in documents {
            seen.clear();
            seen.extend(doc.as_ref().iter().map(|t| t.hash));
            seen.sort_unstable();
            seen.dedup();
            for &h in &seen {
                *document_frequency.entry(h).or_insert(0) += 1;
            }
        }
        let mut lengths: Vec<usize> = documents.iter().map(|d| d.as_ref().len()).collect();
        lengths.sort_unstable();
        let median_length = lengths.get(lengths.len() / 2).map_or(0.0, |&l| l as f32);
        Self {
            document_frequency,
            documents: documents.len(),
            median_length,
            prior_documents: 0.0,
            prior_df: HashMap::new(),
        }
    }

    /// Adds `pseudo_documents` documents drawn from a general-language background to
    /// the smoothed IDF (see [`crate::prior`]): `ln((N + m + 1) / (df + m p + 1))`.
    /// `unlisted` is the frequency of tokens absent from the table. `m = 0` removes it.
    pub fn with_prior(
        mut self,
        prior: &BackgroundPrior,
        pseudo_documents: f32,
        unlisted: f32,
    ) -> Self {
        if pseudo_documents.is_nan() || pseudo_documents <= 0.0 {
            self.prior_documents = 0.0;
            self.prior_df.clear();
            return self;
        }
        let length = self.median_length;
        self.prior_documents = pseudo_documents;
        self.prior_df = self
            .document_frequency
            .keys()
            .map(|&h| {
                (
                    h,
                    pseudo_documents * prior.document_probability(h, length, unlisted),
                )
            })
            .collect();
        self
    }

    /// Whether a background prior is blended in ([`CorpusStats::with_prior`]).
    pub fn has_prior(&self) -> bool {
        self.prior_documents > 0.0
    }

    /// Number of documents counted.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Document frequency of a token hash (0 if unseen).
    pub fn document_frequency(&self, hash: u64) -> u32 {
        self.document_frequency.get(&hash).copied().unwrap_or(0)
    }

    /// `ln(N / df)` (0 for tokens seen nowhere or everywhere).
    pub fn idf(&self, hash: u64) -> f32 {
        let df = self.document_frequency(hash);
        if df == 0 {
            return 0.0;
        }
        (self.documents as f32 / df as f32).ln().max(0.0)
    }

    /// Smoothed `ln((N + 1) / (df + 1))`: 0 for a token in every document whatever the
    /// batch size (in a batch of five, the topic's words are in all five).
    ///
    /// With a background prior ([`CorpusStats::with_prior`]), `m` pseudo-documents join
    /// the batch: `ln((N + m + 1) / (df + m p + 1))`, so a name two reports share keeps
    /// its weight in a batch of two.
    pub fn smoothed_idf(&self, hash: u64) -> f32 {
        let df = self.document_frequency(hash);
        if df == 0 {
            return 0.0;
        }
        let prior_df = self.prior_df.get(&hash).copied().unwrap_or(0.0);
        ((self.documents as f32 + self.prior_documents + 1.0) / (df as f32 + prior_df + 1.0))
            .ln()
            .max(0.0)
    }

    /// The rare-token vector of one document (see the module docs): the word view and,
    /// when the entity share `e` ([`SimilarityConfig::entity_share`] of the batch size)
    /// is positive, the entity view (names and numbers only), joined so that the dot
    /// product of two documents' vectors is `(1 - e) * word_overlap + e * entity_overlap`.
    pub fn rare_token_vector(&self, tokens: &[Token], config: &SimilarityConfig) -> SparseVector {
        // Small batches cannot tell topic words from event words by frequency: a token
        // of at most `min_rare_cutoff` documents counts, weighted by its IDF alone.
        let mut max_df =
            (config.max_document_frequency * self.documents as f32).max(config.min_rare_cutoff);
        if config.short_text_keeps_common_names {
            // A short text names its story by one or two tokens; a long one also by
            // many details. The cut-off drops topic words because long texts have
            // details left to tell events apart; in a batch of short texts (median
            // length below `long_text_tokens`) it widens by `long / median`.
            max_df *= (config.long_text_tokens / self.median_length.max(1.0)).max(1.0);
        }
        let mut counts: Vec<(u64, (u32, TokenKind))> = token_counts(tokens).into_iter().collect();
        counts.sort_unstable_by_key(|e| e.0);
        // A token of one document cannot be shared: it would only measure length.
        // With a background prior it stays in the norm at `prior_hapax_weight` times its
        // prior weight, so a pair sharing one rare word among many unshared ones stays
        // apart.
        let hapax_weight = if self.has_prior() {
            config.prior_hapax_weight
        } else {
            0.0
        };
        let words: Vec<(u64, f32)> = counts
            .iter()
            .filter_map(|&(hash, (tf, kind))| {
                let df = self.document_frequency(hash) as f32;
                if (df <= 1.0 && hapax_weight <= 0.0) || df > max_df {
                    return None;
                }
                let kind_weight = if df <= 1.0 { hapax_weight } else { 1.0 };
                let kind_weight = kind_weight
                    * match kind {
                        TokenKind::Word => 1.0,
                        TokenKind::Name => config.name_weight,
                        TokenKind::Number => config.number_weight,
                    };
                let idf = if config.smoothed_idf {
                    self.smoothed_idf(hash)
                } else {
                    self.idf(hash)
                };
                Some((hash, (tf as f32).sqrt() * idf * kind_weight))
            })
            .collect();
        let words = SparseVector::normalised(words);
        let alpha = config.entity_share(self.documents);
        if alpha <= 0.0 {
            return words;
        }
        // Entity view: who, where, how many. Entities of this document alone stay in
        // the norm, so an article about someone else shares a small part of its mass.
        let entities: Vec<(u64, f32)> = counts
            .iter()
            .filter_map(|&(hash, (tf, kind))| {
                if kind == TokenKind::Word {
                    return None;
                }
                let df = self.document_frequency(hash) as f32;
                if (config.entity_df_cutoff && df > max_df) || (df <= 1.0 && !config.entity_hapaxes)
                {
                    return None;
                }
                let idf = self.smoothed_idf(hash);
                Some((
                    hash ^ ENTITY_SALT,
                    (tf as f32).sqrt().min(config.entity_tf_cap) * idf,
                ))
            })
            .collect();
        let entities = SparseVector::normalised(entities);
        let (sw, se) = ((1.0 - alpha).sqrt(), alpha.sqrt());
        let mut joined: Vec<(u64, f32)> = words
            .entries
            .iter()
            .map(|&(h, x)| (h, x * sw))
            .chain(entities.entries.iter().map(|&(h, x)| (h, x * se)))
            .collect();
        joined.sort_unstable_by_key(|e| e.0);
        joined.dedup_by_key(|e| e.0);
        SparseVector { entries: joined }
    }
}

/// Mixed into entity-view hashes so they never meet word-view entries.
const ENTITY_SALT: u64 = 0x5bd1_e995_9e37_79b9;

/// How two articles kept as one story are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Near-verbatim copy (wire copy, syndication).
    Copy,
    /// The same text reworded.
    Rewrite,
    /// Independent reports of one event.
    SameStory,
}

/// The views of one pair and the score combining them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairScore {
    /// Row of the first article.
    pub a: u32,
    /// Row of the second article.
    pub b: u32,
    /// Embedding cosine, in `[-1, 1]`.
    pub cosine: f32,
    /// Rare-token overlap, in `[0, 1]`.
    pub rare_overlap: f32,
    /// Lexical Jaccard when shingles or an estimate were supplied.
    pub jaccard: Option<f32>,
    /// Days between the two articles when both are dated.
    pub date_gap_days: Option<f32>,
    /// Combined story score.
    pub score: f32,
    /// Relation label (meaningful for pairs in one story).
    pub relation: Relation,
}

/// One token two articles share in the rare-token view, with its part of the story
/// score (see [`Corpus::explain`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SharedToken {
    /// The caller's hash of the token.
    pub hash: u64,
    /// Its kind, as flagged in the tokens given to [`Corpus::explain`].
    pub kind: TokenKind,
    /// Its part of the story score: `(1 - w)` times the sum of the products of its
    /// weights in the two rare-token vectors (word view and entity view). Over all
    /// shared tokens these parts add up to the rare-token part of the score.
    pub score: f32,
}

/// Why a pair scored what it did: the story score split into its parts, and the
/// shared tokens behind the rare-token part, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// `w * centred_cosine`: the embedding's part of the score.
    pub embedding: f32,
    /// `(1 - w) * rare_overlap`: the rare-token part.
    pub rare: f32,
    /// The neighbourhood view's part ([`Corpus::neighbourhood`]; 0 when it is off).
    pub neighbourhood: f32,
    /// The date penalty subtracted (0 when either article is undated).
    pub date_penalty: f32,
    /// The shared tokens with a positive part, largest part first (ties: lower hash);
    /// at most the `max_tokens` asked for.
    pub shared: Vec<SharedToken>,
}

/// Everything scoring and clustering need about a batch, built once.
#[derive(Debug, Clone)]
pub struct Corpus<'v> {
    pub(crate) vectors: ArrayView2<'v, f32>,
    pub(crate) rare: Vec<SparseVector>,
    pub(crate) lengths: Vec<f32>,
    pub(crate) dates: Vec<Option<f32>>,
    pub(crate) shingles: Option<Vec<Vec<u64>>>,
    pub(crate) config: SimilarityConfig,
    /// Mean cosine over all pairs of the batch (0 when centring is off).
    pub(crate) background: f32,
    /// Topic block of every row (0: the rest of the batch; see
    /// [`SimilarityConfig::topic_blocks`]).
    pub(crate) block: Vec<u32>,
    /// Background cosine of every topic block (its own mean pair cosine).
    pub(crate) block_background: Vec<f32>,
    /// Per-document token weights of the event split ([`crate::split`]); empty when
    /// the split is off or no tokens were given.
    pub(crate) event_tokens: Vec<Vec<(u64, f32)>>,
    /// Neighbourhood profile of every row (keys: row indices of its topic block; see
    /// [`Corpus::neighbourhood`]); empty when the view is off.
    pub(crate) profile: Vec<SparseVector>,
    /// Mean profile cosine over the pairs of every topic block.
    pub(crate) profile_mean: Vec<f32>,
}

/// The views of one pair that [`Corpus::base_score`] combines.
#[derive(Debug, Clone, Copy)]
struct PairViews {
    cos: f32,
    centred: f32,
    rare_overlap: f32,
    date_gap_days: Option<f32>,
}

/// Builder of a [`Corpus`]: vectors are required, the rest optional.
#[derive(Debug, Clone)]
pub struct CorpusBuilder<'v> {
    vectors: ArrayView2<'v, f32>,
    tokens: Option<Vec<Vec<Token>>>,
    dates: Option<Vec<Option<f32>>>,
    shingles: Option<Vec<Vec<u64>>>,
    neighbours: Option<Vec<(u32, u32, f32)>>,
    prior: Option<&'v BackgroundPrior>,
    background_prior: Option<f32>,
    config: SimilarityConfig,
}

impl<'v> CorpusBuilder<'v> {
    /// Starts from the L2-normalised embeddings, one row per article.
    pub fn new(vectors: ArrayView2<'v, f32>) -> Self {
        Self {
            vectors,
            tokens: None,
            dates: None,
            shingles: None,
            neighbours: None,
            prior: None,
            background_prior: None,
            config: SimilarityConfig::default(),
        }
    }

    /// A general-language background for the rare-token view (see [`crate::prior`]):
    /// blended in with [`SimilarityConfig::prior_documents`] pseudo-documents, so that
    /// in a small batch of one story the names its reports share keep their weight.
    /// Without it (or with `prior_documents` 0) the batch's own frequencies alone count.
    pub fn prior(mut self, prior: &'v BackgroundPrior) -> Self {
        self.prior = Some(prior);
        self
    }

    /// The mean cosine of two unrelated articles for the model the vectors come from
    /// (e.g. measured on a large mixed batch): the background of the embedding view is
    /// pulled towards it by [`SimilarityConfig::prior_background_pairs`] pseudo-pairs,
    /// so a batch of one story is not centred on its own mean. Without it the batch's
    /// own mean pair cosine is the background.
    pub fn background_prior(mut self, background: f32) -> Self {
        self.background_prior = Some(background);
        self
    }

    /// The candidate neighbours of every row (as given to [`crate::find_stories`]),
    /// from which topic blocks are found ([`SimilarityConfig::topic_blocks`]); without
    /// them, or without [`CorpusBuilder::tokens`], the whole batch is one block.
    pub fn neighbours(mut self, neighbours: &NeighbourLists) -> Self {
        self.neighbours = Some(neighbours.pairs());
        self
    }

    /// Tokens of every article (all of them: word count is the text length). Without
    /// tokens the story score is the embedding cosine alone (`embedding_weight` = 1,
    /// threshold `cosine_only_threshold`).
    pub fn tokens(mut self, tokens: Vec<Vec<Token>>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Publication dates in days (any epoch, fractions allowed), `None` when unknown.
    pub fn dates(mut self, dates: Vec<Option<f32>>) -> Self {
        self.dates = Some(dates);
        self
    }

    /// Shingle hashes of every article, for exact Jaccard in relation labels.
    pub fn shingles(mut self, mut shingles: Vec<Vec<u64>>) -> Self {
        shingles.par_iter_mut().for_each(|s| {
            s.sort_unstable();
            s.dedup();
        });
        self.shingles = Some(shingles);
        self
    }

    /// Settings (default: [`SimilarityConfig::default`]).
    pub fn config(mut self, config: SimilarityConfig) -> Self {
        self.config = config;
        self
    }

    /// Validates the inputs (the error names the offending row) and computes the corpus
    /// statistics and rare-token vectors.
    pub fn build(self) -> Result<Corpus<'v>> {
        self.config.validate()?;
        cosine::validate(self.vectors)?;
        let n = self.vectors.nrows();
        let check_len = |len: usize| {
            if len == n {
                Ok(())
            } else {
                Err(Error::DimensionMismatch {
                    row: len.min(n),
                    expected: n,
                    got: len,
                })
            }
        };
        if let Some(&(a, b, _)) = self
            .neighbours
            .iter()
            .flatten()
            .find(|p| p.0 as usize >= n || p.1 as usize >= n)
        {
            let row = if a as usize >= n { a } else { b } as usize;
            return Err(Error::RowOutOfRange { row, len: n });
        }
        // Blocks need the rare-token view: inside a block of its own, the cosine alone
        // is centred on the block's mean, so a block that is one story (a tight group
        // with no link to the rest) would be cut apart; tokens are what tell a topic's
        // events apart there. Without tokens the batch stays one block.
        let (block, blocks) = match &self.neighbours {
            Some(pairs) if self.config.topic_blocks && self.tokens.is_some() => {
                topic_blocks(self.vectors, pairs, &self.config)
            }
            _ => (vec![0; n], 1),
        };
        let mut block_rows: Vec<Vec<usize>> = vec![Vec::new(); blocks];
        for (row, &b) in block.iter().enumerate() {
            block_rows[b as usize].push(row);
        }
        let (rare, lengths, event_tokens) = match &self.tokens {
            Some(tokens) => {
                check_len(tokens.len())?;
                // Each topic block is a batch of its own: its own document frequencies.
                let mut rare = vec![SparseVector::default(); n];
                let mut event_tokens = if self.config.event_split {
                    vec![Vec::new(); n]
                } else {
                    Vec::new()
                };
                for rows in block_rows.iter().filter(|r| !r.is_empty()) {
                    let docs: Vec<&Vec<Token>> = rows.iter().map(|&r| &tokens[r]).collect();
                    let mut stats = CorpusStats::from_documents(&docs);
                    if let Some(prior) = self.prior {
                        // Scaled by the whole batch's size: a large batch (and every
                        // topic block in it) keeps its own frequencies.
                        stats = stats.with_prior(
                            prior,
                            self.config.prior_documents_for(n),
                            self.config.prior_unlisted_frequency,
                        );
                    }
                    let vectors: Vec<SparseVector> = docs
                        .par_iter()
                        .map(|t| stats.rare_token_vector(t, &self.config))
                        .collect();
                    for (&r, v) in rows.iter().zip(vectors) {
                        rare[r] = v;
                    }
                    if self.config.event_split {
                        let weights: Vec<Vec<(u64, f32)>> = docs
                            .par_iter()
                            .map(|t| crate::split::event_token_weights(&stats, t, &self.config))
                            .collect();
                        for (&r, w) in rows.iter().zip(weights) {
                            event_tokens[r] = w;
                        }
                    }
                }
                (
                    rare,
                    tokens.iter().map(|t| t.len() as f32).collect(),
                    event_tokens,
                )
            }
            None => (
                vec![SparseVector::default(); n],
                vec![self.config.long_text_tokens; n],
                Vec::new(),
            ),
        };
        // Without tokens the rare-token view is absent, not zero: the embedding decides.
        let config = if self.tokens.is_some() {
            self.config
        } else {
            SimilarityConfig {
                embedding_weight: 1.0,
                story_threshold: self.config.cosine_only_threshold,
                ..self.config
            }
        };
        let dates = match self.dates {
            Some(d) => {
                check_len(d.len())?;
                d
            }
            None => vec![None; n],
        };
        if let Some(s) = &self.shingles {
            check_len(s.len())?;
        }
        let background = if config.centre_cosine {
            let own = mean_pair_cosine(self.vectors);
            match self.background_prior {
                // Pseudo-pairs at the model's general background: a batch of one
                // story is not centred on its own mean (see `background_prior`).
                Some(b0) if config.prior_background_pairs > 0.0 && n >= 2 => {
                    let pairs = (n * (n - 1) / 2) as f32;
                    let m = config.prior_background_pairs;
                    ((pairs * own + m * b0.clamp(0.0, 0.95)) / (pairs + m)).clamp(0.0, 0.95)
                }
                _ => own,
            }
        } else {
            0.0
        };
        let block_background = if blocks == 1 || !config.centre_cosine {
            vec![background; blocks]
        } else {
            block_rows
                .iter()
                .map(|rows| clamp_background(mean_cosine_of_rows(self.vectors, rows)))
                .collect()
        };
        let mut corpus = Corpus {
            background,
            block,
            block_background,
            vectors: self.vectors,
            rare,
            lengths,
            dates,
            shingles: self.shingles,
            config,
            event_tokens,
            profile: Vec::new(),
            profile_mean: Vec::new(),
        };
        if let Some(pairs) = &self.neighbours {
            if corpus.config.neighbourhood_weight > 0.0 && corpus.config.neighbourhood_size > 0 {
                let (profile, profile_mean) = neighbourhood_profiles(&corpus, pairs, &block_rows);
                corpus.profile = profile;
                corpus.profile_mean = profile_mean;
            }
        }
        Ok(corpus)
    }
}

/// The neighbourhood profile of every row and the mean profile cosine of every topic
/// block (see [`Corpus::neighbourhood`]). A row's profile holds its
/// `neighbourhood_size` best-scoring candidate neighbours of its own block (positive
/// scores only, ties to the lower row) at their score, and the row itself at its best
/// neighbour's score, L2-normalised. The block mean comes exactly from the sum of the
/// profiles: `(|sum|^2 - rows with a profile) / (n (n - 1))`.
fn neighbourhood_profiles(
    corpus: &Corpus<'_>,
    pairs: &[(u32, u32, f32)],
    block_rows: &[Vec<usize>],
) -> (Vec<SparseVector>, Vec<f32>) {
    let n = corpus.len();
    let c = &corpus.config;
    let mut adjacency: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b, cos) in pairs {
        if a != b && cos >= c.min_cosine && corpus.block[a as usize] == corpus.block[b as usize] {
            adjacency[a as usize].push(b);
            adjacency[b as usize].push(a);
        }
    }
    let profile: Vec<SparseVector> = adjacency
        .into_par_iter()
        .enumerate()
        .map(|(i, mut near)| {
            near.sort_unstable();
            near.dedup();
            let mut scored: Vec<(f32, u32)> = near
                .into_iter()
                .map(|j| (corpus.base_score(&corpus.pair_views(i, j as usize)), j))
                .filter(|e| e.0 > 0.0)
                .collect();
            scored.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            scored.truncate(c.neighbourhood_size);
            let Some(&(best, _)) = scored.first() else {
                return SparseVector::default();
            };
            let mut entries: Vec<(u64, f32)> =
                scored.into_iter().map(|(s, j)| (u64::from(j), s)).collect();
            entries.push((i as u64, best));
            SparseVector::normalised(entries)
        })
        .collect();
    let mut sum = vec![0.0f64; n];
    for p in &profile {
        for &(j, x) in p.entries() {
            sum[j as usize] += f64::from(x);
        }
    }
    let blocks = block_rows.len();
    let mut mean = vec![0.0f32; blocks];
    for (b, rows) in block_rows.iter().enumerate() {
        let m = rows.len() as f64;
        if m < 2.0 {
            continue;
        }
        // Profiles only name rows of their own block, so the block's sum lives there.
        let sq: f64 = rows.iter().map(|&r| sum[r] * sum[r]).sum();
        let with_profile = rows.iter().filter(|&&r| !profile[r].is_empty()).count() as f64;
        mean[b] = ((sq - with_profile) / (m * (m - 1.0))) as f32;
    }
    (profile, mean)
}

/// Mean cosine over all `N (N - 1) / 2` pairs of unit rows, from their sum:
/// `(|sum|^2 - N) / (N (N - 1))`, clamped to `[0, 0.95]` (0 for fewer than 2 rows).
pub fn mean_pair_cosine(vectors: ArrayView2<'_, f32>) -> f32 {
    let rows: Vec<usize> = (0..vectors.nrows()).collect();
    clamp_background(mean_cosine_of_rows(vectors, &rows))
}

fn clamp_background(mean: f64) -> f32 {
    (mean as f32).clamp(0.0, 0.95)
}

/// Unclamped mean cosine over the pairs of the given rows (0 for fewer than 2).
fn mean_cosine_of_rows(vectors: ArrayView2<'_, f32>, rows: &[usize]) -> f64 {
    if rows.len() < 2 {
        return 0.0;
    }
    let mut sum = vec![0.0f64; vectors.ncols()];
    for &r in rows {
        for (s, &x) in sum.iter_mut().zip(vectors.row(r).iter()) {
            *s += f64::from(x);
        }
    }
    let sq: f64 = sum.iter().map(|x| x * x).sum();
    let n = rows.len() as f64;
    (sq - n) / (n * (n - 1.0))
}

/// Topic blocks (see [`SimilarityConfig::topic_blocks`]): the connected components of
/// the candidate edges whose centred cosine (on the whole batch's background) is above
/// `topic_block_link`; a component of `topic_block_min_documents`+ rows, not the whole
/// batch, whose mean centred cosine inside reaches `topic_block_cohesion` is a block of
/// its own (numbered from 1 by lowest row); every other row is in block 0. Returns the block of every row and
/// the number of blocks.
fn topic_blocks(
    vectors: ArrayView2<'_, f32>,
    pairs: &[(u32, u32, f32)],
    config: &SimilarityConfig,
) -> (Vec<u32>, usize) {
    let n = vectors.nrows();
    let all: Vec<usize> = (0..n).collect();
    let b0 = mean_cosine_of_rows(vectors, &all);
    let centred = |c: f64| (c - b0) / (1.0 - b0).max(1e-6);
    let mut parent: Vec<usize> = all.clone();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for &(a, b, cos) in pairs {
        if centred(f64::from(cos)) > f64::from(config.topic_block_link) {
            let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, b as usize));
            // The lower root wins: components do not depend on the pair order.
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            parent[hi] = lo;
        }
    }
    let mut components: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for row in 0..n {
        let root = find(&mut parent, row);
        components.entry(root).or_default().push(row);
    }
    let mut block = vec![0u32; n];
    let mut blocks = 1usize;
    for rows in components.values() {
        if rows.len() >= config.topic_block_min_documents.max(2)
            && rows.len() < n
            && centred(mean_cosine_of_rows(vectors, rows)) >= f64::from(config.topic_block_cohesion)
        {
            for &r in rows {
                block[r] = blocks as u32;
            }
            blocks += 1;
        }
    }
    (block, blocks)
}

/// Exact Jaccard of two sorted, deduplicated hash sets (0 when both are empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f32 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f32 / union as f32
    }
}

impl Corpus<'_> {
    /// Number of articles.
    pub fn len(&self) -> usize {
        self.vectors.nrows()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.vectors.nrows() == 0
    }

    /// Mean cosine between two articles of the batch (the background the embedding
    /// view is centred on; 0 when `centre_cosine` is off).
    pub fn background_cosine(&self) -> f32 {
        self.background
    }

    /// Topic block of a row (0: the rest of the batch; see
    /// [`SimilarityConfig::topic_blocks`]).
    pub fn topic_block(&self, row: usize) -> u32 {
        self.block.get(row).copied().unwrap_or(0)
    }

    /// Background cosine of the topic block of `row` (the batch's when there are no
    /// blocks).
    pub fn row_background(&self, row: usize) -> f32 {
        let b = self.topic_block(row) as usize;
        self.block_background
            .get(b)
            .copied()
            .unwrap_or(self.background)
    }

    /// The background a pair is centred on: its topic block's when both rows are in
    /// one block, else the whole batch's.
    pub fn pair_background(&self, a: usize, b: usize) -> f32 {
        if self.topic_block(a) == self.topic_block(b) {
            self.row_background(a)
        } else {
            self.background
        }
    }

    /// [`Corpus::centred`] on the pair's own background ([`Corpus::pair_background`]).
    pub fn centred_pair(&self, a: usize, b: usize, cos: f32) -> f32 {
        let bg = self.pair_background(a, b);
        (cos - bg) / (1.0 - bg)
    }

    /// The embedding cosine rescaled so the batch background maps to 0 and 1 stays 1:
    /// `(cos - background) / (1 - background)`. Models differ in how compressed their
    /// cosines are (e5 puts unrelated texts at 0.7+); centring makes one threshold
    /// serve them all.
    pub fn centred(&self, cos: f32) -> f32 {
        (cos - self.background) / (1.0 - self.background)
    }

    /// The settings used.
    pub fn config(&self) -> &SimilarityConfig {
        &self.config
    }

    /// Token count of an article.
    pub fn length(&self, row: usize) -> f32 {
        self.lengths.get(row).copied().unwrap_or(0.0)
    }

    /// Rare-token vector of an article.
    pub fn rare_tokens(&self, row: usize) -> Option<&SparseVector> {
        self.rare.get(row)
    }

    /// Scores one pair; `jaccard_estimate` (e.g. from MinHash) is used when the corpus
    /// holds no shingles.
    pub fn score_pair(
        &self,
        a: usize,
        b: usize,
        jaccard_estimate: Option<f32>,
    ) -> Result<PairScore> {
        let n = self.len();
        for row in [a, b] {
            if row >= n {
                return Err(Error::RowOutOfRange { row, len: n });
            }
        }
        Ok(self.score_pair_unchecked(a, b, jaccard_estimate))
    }

    pub(crate) fn score_pair_unchecked(
        &self,
        a: usize,
        b: usize,
        jaccard_estimate: Option<f32>,
    ) -> PairScore {
        let c = &self.config;
        let v = self.pair_views(a, b);
        let PairViews {
            cos,
            centred,
            rare_overlap,
            date_gap_days,
        } = v;
        let jaccard = match &self.shingles {
            Some(s) => Some(jaccard(&s[a], &s[b])),
            None => jaccard_estimate,
        };
        let score = self.base_score(&v) + self.neighbourhood_unchecked(a, b);
        let relation = match jaccard {
            Some(j) if j >= c.copy_jaccard => Relation::Copy,
            Some(j) if j >= c.rewrite_jaccard => Relation::Rewrite,
            _ if centred >= c.rewrite_cosine => Relation::Rewrite,
            _ => Relation::SameStory,
        };
        PairScore {
            a: a as u32,
            b: b as u32,
            cosine: cos,
            rare_overlap,
            jaccard,
            date_gap_days,
            score,
            relation,
        }
    }

    /// The views of a pair that the story score combines (all but the neighbourhood).
    fn pair_views(&self, a: usize, b: usize) -> PairViews {
        let cos = self
            .vectors
            .row(a)
            .dot(&self.vectors.row(b))
            .clamp(-1.0, 1.0);
        PairViews {
            cos,
            centred: self.centred_pair(a, b, cos),
            rare_overlap: self.rare[a].dot(&self.rare[b]).clamp(0.0, 1.0),
            date_gap_days: match (self.dates[a], self.dates[b]) {
                (Some(x), Some(y)) => Some((x - y).abs()),
                _ => None,
            },
        }
    }

    /// The story score without the neighbourhood view: what the profiles are made of,
    /// and the rest of [`Corpus::score_pair`]'s score.
    fn base_score(&self, v: &PairViews) -> f32 {
        let c = &self.config;
        let w = c.embedding_weight;
        w * v.centred + (1.0 - w) * v.rare_overlap
            - v.date_gap_days.map_or(0.0, |d| c.date_penalty(d))
    }

    /// The neighbourhood view's part of the score of `(a, b)`:
    /// `neighbourhood_weight * (profile cosine - the block's mean profile cosine)`, 0 when
    /// the view is off or the rows are in different topic blocks. A row's profile is
    /// its few best-scoring neighbours and itself (see
    /// [`SimilarityConfig::neighbourhood_weight`]): two reports of one event have the
    /// same best neighbours, while a report of the topic's other event, however close
    /// on the pair's own views, is nearest to that event's reports.
    pub fn neighbourhood(&self, a: usize, b: usize) -> Result<f32> {
        let n = self.len();
        for row in [a, b] {
            if row >= n {
                return Err(Error::RowOutOfRange { row, len: n });
            }
        }
        Ok(self.neighbourhood_unchecked(a, b))
    }

    fn neighbourhood_unchecked(&self, a: usize, b: usize) -> f32 {
        if self.profile.is_empty() || self.block[a] != self.block[b] {
            return 0.0;
        }
        self.neighbourhood_cross(a, self.profile[a].dot(&self.profile[b]), 1.0)
    }

    /// Sum of the neighbourhood parts over all `pairs` pairs between two groups of one
    /// topic block whose profile sums have the dot product `dot` (0 when off).
    pub(crate) fn neighbourhood_cross(&self, row: usize, dot: f32, pairs: f32) -> f32 {
        if self.profile.is_empty() {
            return 0.0;
        }
        let mean = self.profile_mean[self.block[row] as usize];
        self.config.neighbourhood_weight * (dot - pairs * mean)
    }

    /// The neighbourhood profile of a row (empty when the view is off).
    pub(crate) fn profile_entries(&self, row: usize) -> &[(u64, f32)] {
        self.profile.get(row).map_or(&[], SparseVector::entries)
    }

    /// Explains the score of the pair `(a, b)`: the parts of
    /// [`Corpus::score_pair`]'s score (`embedding + rare + neighbourhood - date_penalty`) and the
    /// `max_tokens` shared tokens contributing most to the rare part. `tokens` are the
    /// tokens of `a` or of `b` as given to [`CorpusBuilder::tokens`] (the corpus keeps
    /// weighted hashes only): they tell which token an entry stands for and its kind.
    /// Tokens of neither article's vector are ignored.
    pub fn explain(
        &self,
        a: usize,
        b: usize,
        tokens: &[Token],
        max_tokens: usize,
    ) -> Result<Explanation> {
        let p = self.score_pair(a, b, None)?;
        let c = &self.config;
        let w = c.embedding_weight;
        let centred = self.centred_pair(a, b, p.cosine);
        let date_penalty = p.date_gap_days.map_or(0.0, |d| c.date_penalty(d));
        // The entries both vectors hold, with their products (few: the shared tokens).
        let mut common: HashMap<u64, f32> = HashMap::new();
        let (ea, eb) = (self.rare[a].entries(), self.rare[b].entries());
        let (mut i, mut j) = (0, 0);
        while i < ea.len() && j < eb.len() {
            match ea[i].0.cmp(&eb[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common.insert(ea[i].0, (1.0 - w) * ea[i].1 * eb[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        // Which token each entry stands for: its hash in the word view, salted in the
        // entity view (both views of one token add up). A token flagged as a name or
        // number anywhere counts as one, as in the vectors.
        let mut parts: HashMap<u64, (TokenKind, f32)> = HashMap::new();
        for t in tokens {
            if common.is_empty() && parts.is_empty() {
                break;
            }
            if let Some(e) = parts.get_mut(&t.hash) {
                if t.kind != TokenKind::Word {
                    e.0 = t.kind;
                }
                continue;
            }
            let found: Vec<f32> = [t.hash, t.hash ^ ENTITY_SALT]
                .iter()
                .filter_map(|k| common.remove(k))
                .collect();
            if !found.is_empty() {
                parts.insert(t.hash, (t.kind, found.iter().sum()));
            }
        }
        let mut shared: Vec<SharedToken> = parts
            .into_iter()
            .filter(|e| e.1 .1 > 0.0)
            .map(|(hash, (kind, score))| SharedToken { hash, kind, score })
            .collect();
        shared.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.hash.cmp(&y.hash)));
        shared.truncate(max_tokens);
        Ok(Explanation {
            embedding: w * centred,
            rare: (1.0 - w) * p.rare_overlap,
            neighbourhood: self.neighbourhood_unchecked(a, b),
            date_penalty,
            shared,
        })
    }

    /// Scores many pairs in parallel (order kept).
    pub fn score_pairs(&self, pairs: &[(u32, u32)]) -> Result<Vec<PairScore>> {
        let n = self.len();
        if let Some(&(a, b)) = pairs
            .iter()
            .find(|p| p.0 as usize >= n || p.1 as usize >= n)
        {
            let row = if a as usize >= n { a } else { b } as usize;
            return Err(Error::RowOutOfRange { row, len: n });
        }
        Ok(pairs
            .par_iter()
            .map(|&(a, b)| self.score_pair_unchecked(a as usize, b as usize, None))
            .collect())
    }
}

/// Checks that ids are unique; the error names both rows of the first repeat.
pub fn check_unique_ids<S: AsRef<str>>(ids: &[S]) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        if let Some(&first) = seen.get(id.as_ref()) {
            return Err(Error::DuplicateId {
                id: id.as_ref().to_owned(),
                first,
                second: row,
            });
        }
        seen.insert(id.as_ref(), row);
    }
    Ok(())
}

/// Term frequency and kind of each distinct token of one document; a token flagged as a
/// name or number anywhere in it counts as one.
pub(crate) fn token_counts(tokens: &[Token]) -> HashMap<u64, (u32, TokenKind)> {
    let mut counts: HashMap<u64, (u32, TokenKind)> = HashMap::new();
    for t in tokens {
        let e = counts.entry(t.hash).or_insert((0, t.kind));
        e.0 += 1;
        if t.kind != TokenKind::Word {
            e.1 = t.kind;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn tok(hash: u64, kind: TokenKind) -> Token {
        Token { hash, kind }
    }

    /// A report of event `event`: 60 common words (frequent in the prior), 6 words of
    /// the topic (listed, rare), 4 names of the event (unlisted) and 10 words of its own.
    fn report(event: u64, own: u64) -> Vec<Token> {
        let mut t: Vec<Token> = (1..=60).map(|h| tok(h, TokenKind::Word)).collect();
        t.extend((100..106).map(|h| tok(h, TokenKind::Word)));
        t.extend((0..4).map(|h| tok(1000 + event * 10 + h, TokenKind::Name)));
        t.extend((0..10).map(|h| tok(5000 + own * 100 + h, TokenKind::Word)));
        t
    }

    fn language_prior() -> BackgroundPrior {
        BackgroundPrior::from_frequencies(
            (1..=60)
                .map(|h| (h, 1e-2))
                .chain((100..106).map(|h| (h, 1e-5)))
                .chain((0..4).flat_map(|own| (0..10).map(move |h| (5000 + own * 100 + h, 1e-4)))),
        )
    }

    fn stories_of(
        vectors: &ndarray::Array2<f32>,
        tokens: Vec<Vec<Token>>,
        prior: Option<&BackgroundPrior>,
    ) -> Vec<Vec<u32>> {
        let config = SimilarityConfig::default();
        let neighbours =
            crate::cosine::exact_top_k(vectors.view(), config.neighbours, config.min_cosine)
                .unwrap();
        let mut b = CorpusBuilder::new(vectors.view())
            .tokens(tokens)
            .neighbours(&neighbours)
            .config(config);
        if let Some(p) = prior {
            b = b.prior(p);
        }
        let corpus = b.build().unwrap();
        let mut stories: Vec<Vec<u32>> = crate::cluster::find_stories(&corpus, &neighbours)
            .unwrap()
            .clustering
            .stories
            .into_iter()
            .map(|s| s.members)
            .collect();
        stories.sort();
        stories
    }

    fn unit_rows(rows: &[[f32; 3]]) -> ndarray::Array2<f32> {
        let mut v = ndarray::Array2::from_shape_fn((rows.len(), 3), |(i, j)| rows[i][j]);
        for mut r in v.rows_mut() {
            let n = r.dot(&r).sqrt();
            r /= n;
        }
        v
    }

    #[test]
    fn the_prior_keeps_two_reports_of_one_event_together() {
        // A batch of two: every name the reports share is in every document, so the
        // batch alone weighs it 0 and the centred cosine is 0 by construction.
        let vectors = unit_rows(&[[1.0, 0.1, 0.0], [0.9, 0.3, 0.1]]);
        let tokens = vec![report(1, 0), report(1, 1)];
        assert_eq!(stories_of(&vectors, tokens.clone(), None).len(), 2);
        let prior = language_prior();
        assert_eq!(stories_of(&vectors, tokens, Some(&prior)), vec![vec![0, 1]]);
    }

    #[test]
    fn the_prior_keeps_two_events_of_one_topic_apart() {
        // Two reports of each of two events of one topic (shared topic words).
        let vectors = unit_rows(&[
            [1.0, 0.1, 0.0],
            [0.95, 0.2, 0.05],
            [0.8, 0.0, 0.6],
            [0.75, 0.1, 0.65],
        ]);
        let tokens = vec![report(1, 0), report(1, 1), report(2, 2), report(2, 3)];
        let prior = language_prior();
        assert_eq!(
            stories_of(&vectors, tokens, Some(&prior)),
            vec![vec![0, 1], vec![2, 3]]
        );
    }

    #[test]
    fn large_batches_ignore_the_prior_and_the_background_prior_moves_the_centre() {
        let c = SimilarityConfig::default();
        assert_eq!(c.prior_documents_for(2), c.prior_documents);
        assert_eq!(
            c.prior_documents_for(c.prior_max_documents),
            c.prior_documents
        );
        assert_eq!(c.prior_documents_for(c.prior_max_documents + 1), 0.0);
        assert_eq!(c.prior_documents_for(100), 0.0);
        let vectors = unit_rows(&[[1.0, 0.0, 0.0], [0.9, 0.435_89, 0.0]]);
        let own = CorpusBuilder::new(vectors.view()).build().unwrap();
        assert!((own.background_cosine() - 0.9).abs() < 1e-3);
        let config = SimilarityConfig {
            prior_background_pairs: 1.0,
            ..SimilarityConfig::default()
        };
        let pulled = CorpusBuilder::new(vectors.view())
            .background_prior(0.2)
            .config(config)
            .build()
            .unwrap();
        assert!((pulled.background_cosine() - 0.55).abs() < 1e-3);
    }

    #[test]
    fn rare_names_separate_events_of_one_kind() {
        // Two rehab stories: shared topic words (1..=3), different names (10 vs 20).
        let topic = |name| {
            vec![
                tok(1, TokenKind::Word),
                tok(2, TokenKind::Word),
                tok(3, TokenKind::Word),
                tok(name, TokenKind::Name),
                tok(name, TokenKind::Name),
            ]
        };
        let mut docs = vec![topic(10), topic(10), topic(20), topic(20)];
        for i in 0..20 {
            docs.push(vec![tok(100 + i, TokenKind::Word)]);
        }
        let v = ndarray::Array2::from_shape_fn(
            (docs.len(), 2),
            |(_, j)| if j == 0 { 1.0 } else { 0.0 },
        );
        let config = SimilarityConfig {
            max_document_frequency: 0.5,
            ..Default::default()
        };
        let corpus = CorpusBuilder::new(v.view())
            .tokens(docs)
            .config(config)
            .build()
            .unwrap();
        let same = corpus.score_pair(0, 1, None).unwrap();
        let other = corpus.score_pair(0, 2, None).unwrap();
        assert!(same.rare_overlap > 0.99, "{same:?}");
        assert!(other.rare_overlap < 0.5, "{other:?}");
        assert!(same.score > other.score);
    }

    #[test]
    fn explain_splits_the_score_and_names_the_shared_tokens() {
        // Rows 0 and 1 share a name (twice each), a number and a word; each has words
        // of its own; 28 other articles share none of these.
        let mut docs: Vec<Vec<Token>> = (0..30u64)
            .map(|i| {
                (0..5)
                    .map(|k| tok(1000 + i * 10 + k, TokenKind::Word))
                    .collect()
            })
            .collect();
        for d in &mut docs[..2] {
            d.extend([
                tok(500, TokenKind::Name),
                tok(500, TokenKind::Name),
                tok(600, TokenKind::Number),
                tok(700, TokenKind::Word),
            ]);
        }
        let v = ndarray::Array2::from_shape_fn((30, 3), |(i, j)| {
            ((i * 7 + j * 3) % 11) as f32 + if j == 0 { 4.0 } else { 0.0 }
        });
        let v = &v
            / &v.map_axis(ndarray::Axis(1), |r| r.dot(&r).sqrt())
                .insert_axis(ndarray::Axis(1));
        let dates: Vec<Option<f32>> = (0..30).map(|i| Some(i as f32 * 4.0)).collect();
        let corpus = CorpusBuilder::new(v.view())
            .tokens(docs.clone())
            .dates(dates)
            .build()
            .unwrap();
        let p = corpus.score_pair(0, 1, None).unwrap();
        let e = corpus.explain(0, 1, &docs[0], 10).unwrap();
        assert!(
            (e.embedding + e.rare - e.date_penalty - p.score).abs() < 1e-5,
            "{e:?} {p:?}"
        );
        assert!(e.date_penalty > 0.0, "{e:?}");
        let parts: f32 = e.shared.iter().map(|t| t.score).sum();
        assert!((parts - e.rare).abs() < 1e-5, "{parts} vs {e:?}");
        let hashes: Vec<u64> = e.shared.iter().map(|t| t.hash).collect();
        assert_eq!(hashes[0], 500, "{e:?}");
        assert_eq!(e.shared[0].kind, TokenKind::Name);
        let mut sorted = hashes.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![500, 600, 700], "only the shared tokens: {e:?}");
        assert_eq!(
            e.shared.iter().find(|t| t.hash == 600).map(|t| t.kind),
            Some(TokenKind::Number)
        );
        assert_eq!(corpus.explain(0, 1, &docs[1], 1).unwrap().shared.len(), 1);
        assert!(corpus
            .explain(0, 2, &docs[0], 10)
            .unwrap()
            .shared
            .is_empty());
        assert!(corpus.explain(0, 30, &docs[0], 10).is_err());
    }

    #[test]
    fn an_event_name_of_twelve_articles_counts_in_a_batch_of_two_hundred() {
        // 200 articles of 60 tokens; one event's name (7) is in 12 of them. 3 % of the
        // batch is 6 documents: the floor keeps the name of an event of ordinary size.
        let docs: Vec<Vec<Token>> = (0..200u64)
            .map(|i| {
                let mut d = vec![tok(1000 + i, TokenKind::Word); 59];
                d.push(tok(if i < 12 { 7 } else { 5000 + i }, TokenKind::Name));
                d
            })
            .collect();
        let stats = CorpusStats::from_documents(&docs);
        let has_name = |config: &SimilarityConfig| {
            let v = stats.rare_token_vector(&docs[0], config);
            v.entries().iter().any(|e| e.0 == 7)
        };
        assert!(has_name(&SimilarityConfig::default()));
        // The floor of sessions 1-3 (10 documents) dropped it.
        assert!(!has_name(&SimilarityConfig {
            min_rare_cutoff: 10.0,
            ..Default::default()
        }));
    }

    #[test]
    fn a_batch_of_short_texts_keeps_its_common_names() {
        // 100 documents; name 7 is in 15 of them (more than the 3 %, at least 13, cut-off).
        let doc = |i: u64, len: usize| {
            let mut d = vec![tok(1000 + i, TokenKind::Word); len - 1];
            d.push(tok(if i < 15 { 7 } else { 2000 + i }, TokenKind::Name));
            d
        };
        let vector = |len: usize, keep: bool| {
            let docs: Vec<Vec<Token>> = (0..100).map(|i| doc(i, len)).collect();
            let config = SimilarityConfig {
                short_text_keeps_common_names: keep,
                ..Default::default()
            };
            CorpusStats::from_documents(&docs).rare_token_vector(&docs[0], &config)
        };
        let has_name = |v: &SparseVector| v.entries().iter().any(|e| e.0 == 7);
        // Headlines (8 tokens): the cut-off widens 5x to 65 documents.
        assert!(has_name(&vector(8, true)));
        assert!(!has_name(&vector(8, false)));
        // Articles (60 tokens): the cut-off stays at 3 % (`min_rare_cutoff`, 13, at least).
        assert!(!has_name(&vector(60, true)));
    }

    #[test]
    fn smoothed_idf_is_zero_for_words_of_every_document() {
        let docs: Vec<Vec<Token>> = (0..5)
            .map(|i| vec![tok(1, TokenKind::Word), tok(100 + i, TokenKind::Name)])
            .collect();
        let stats = CorpusStats::from_documents(&docs);
        assert_eq!(stats.smoothed_idf(1), 0.0);
        assert!(stats.smoothed_idf(100) > 1.0);
        assert_eq!(stats.smoothed_idf(999), 0.0);
    }

    #[test]
    fn entity_view_sees_other_peoples_names() {
        // Five articles on one topic (words 1..=3 everywhere): 0-2 share names 10, 11;
        // 3 and 4 name their own people (20, 30) and mention 10 once.
        let topic = || (1..=3).map(|w| tok(w, TokenKind::Word)).collect::<Vec<_>>();
        let with = |names: &[u64]| {
            let mut d = topic();
            d.extend(names.iter().map(|&n| tok(n, TokenKind::Name)));
            d
        };
        let docs = vec![
            with(&[10, 11, 10]),
            with(&[10, 11]),
            with(&[10, 11, 12]),
            with(&[20, 21, 20, 10]),
            with(&[30, 31, 30, 10]),
        ];
        let v = ndarray::Array2::from_shape_fn((5, 2), |(_, j)| if j == 0 { 1.0 } else { 0.0 });
        let build = |entity_weight| {
            CorpusBuilder::new(v.view())
                .tokens(docs.clone())
                .config(SimilarityConfig {
                    entity_weight,
                    small_batch_entity_weight: entity_weight,
                    ..Default::default()
                })
                .build()
                .unwrap()
        };
        let corpus = build(1.0);
        let same = corpus.score_pair(0, 1, None).unwrap().rare_overlap;
        let other = corpus.score_pair(0, 3, None).unwrap().rare_overlap;
        assert!(same > 0.5 && other < 0.3, "{same} {other}");
        // Entity vectors stay unit vectors: the joined overlap of a document with
        // itself is 1 whatever the share.
        let mixed = build(0.4);
        let own = mixed.rare_tokens(0).unwrap();
        assert!((own.dot(own) - 1.0).abs() < 1e-5);
    }

    /// Five articles of one topic (vectors near `e0`, cosine ~0.9 to each other) whose
    /// story scores must not change when unrelated articles join the batch.
    fn topic_and_unrelated(unrelated: usize) -> (ndarray::Array2<f32>, Vec<Vec<Token>>) {
        let d = 4 + unrelated;
        let mut v = ndarray::Array2::<f32>::zeros((5 + unrelated, d));
        let spread = [
            [0.3, 0.0, 0.0],
            [0.0, 0.3, 0.0],
            [0.0, 0.0, 0.3],
            [0.2, 0.2, 0.0],
            [0.0, 0.2, 0.2],
        ];
        for (i, s) in spread.iter().enumerate() {
            v[[i, 0]] = 1.0;
            for (j, x) in s.iter().enumerate() {
                v[[i, 1 + j]] = *x;
            }
        }
        // Each unrelated article on an axis of its own (cosine 0 to everything).
        for u in 0..unrelated {
            v[[5 + u, 4 + u]] = 1.0;
        }
        for mut row in v.rows_mut() {
            let n = row.dot(&row).sqrt();
            row /= n;
        }
        let topic = (1..=4).map(|w| tok(w, TokenKind::Word));
        let mut tokens: Vec<Vec<Token>> = (0..5u64)
            .map(|i| {
                let mut t: Vec<Token> = topic.clone().collect();
                t.push(tok(100 + i % 3, TokenKind::Name));
                t.push(tok(200 + i, TokenKind::Name));
                t
            })
            .collect();
        for u in 0..unrelated as u64 {
            tokens.push(vec![
                tok(1000 + u, TokenKind::Word),
                tok(2000 + u, TokenKind::Name),
            ]);
        }
        (v, tokens)
    }

    #[test]
    fn unrelated_articles_do_not_change_a_topic_blocks_scores() {
        let (v, tokens) = topic_and_unrelated(0);
        let alone = CorpusBuilder::new(v.view())
            .tokens(tokens)
            .neighbours(&cosine::exact_top_k(v.view(), 30, -1.0).unwrap())
            .build()
            .unwrap();
        assert!((0..5).all(|r| alone.topic_block(r) == 0));
        for unrelated in [1, 3, 12] {
            let (v, tokens) = topic_and_unrelated(unrelated);
            let neighbours = cosine::exact_top_k(v.view(), 30, -1.0).unwrap();
            let build = |blocks: bool| {
                CorpusBuilder::new(v.view())
                    .tokens(tokens.clone())
                    .neighbours(&neighbours)
                    .config(SimilarityConfig {
                        topic_blocks: blocks,
                        ..Default::default()
                    })
                    .build()
                    .unwrap()
            };
            let mixed = build(true);
            // The five form one block of their own; the unrelated articles stay in 0.
            let block = mixed.topic_block(0);
            assert!(block > 0 && (0..5).all(|r| mixed.topic_block(r) == block));
            assert!((5..5 + unrelated).all(|r| mixed.topic_block(r) == 0));
            for a in 0..5 {
                for b in a + 1..5 {
                    let (x, y) = (
                        alone.score_pair(a, b, None).unwrap().score,
                        mixed.score_pair(a, b, None).unwrap().score,
                    );
                    assert!((x - y).abs() < 1e-5, "{unrelated}: {a}-{b} {x} vs {y}");
                }
            }
            // Without blocks the unrelated articles lower the background and lift
            // every pair of the topic: the failure of issue 4.
            let plain = build(false);
            let (x, y) = (
                alone.score_pair(0, 1, None).unwrap().score,
                plain.score_pair(0, 1, None).unwrap().score,
            );
            assert!(y > x + 0.05, "{unrelated}: {x} vs {y}");
        }
    }

    #[test]
    fn without_tokens_isolated_stories_stay_whole() {
        // Four stories of six vectors each, tight inside and apart from each other:
        // each would be a topic block of its own, and on the cosine alone, centred on
        // its own mean, cut apart. Without tokens the batch stays one block.
        let (stories, size, dims) = (4, 6, 16);
        let v = ndarray::Array2::from_shape_fn((stories * size, dims), |(r, d)| {
            let own = if d == r / size { 1.0 } else { 0.0 };
            // A fixed hash of (row, dim) in [-0.5, 0.5): cosines 0.75-1.00 inside a
            // story, -0.40-0.45 between stories.
            let h = ((r * 131 + d * 71 + 17) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let noise = (h >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            own + 0.5 * noise
        });
        let norms = v.map_axis(ndarray::Axis(1), |row| row.dot(&row).sqrt());
        let v = &v / &norms.insert_axis(ndarray::Axis(1));
        let neighbours = cosine::exact_top_k(v.view(), 10, -1.0).unwrap();
        let corpus = CorpusBuilder::new(v.view())
            .neighbours(&neighbours)
            .build()
            .unwrap();
        assert!((0..stories * size).all(|r| corpus.topic_block(r) == 0));
        let labels = crate::find_stories(&corpus, &neighbours)
            .unwrap()
            .clustering
            .labels;
        for s in 0..stories {
            let first = labels[s * size];
            assert!(
                (s * size..(s + 1) * size).all(|r| labels[r] == first),
                "story {s} cut: {labels:?}"
            );
        }
        assert_eq!(
            labels
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            stories
        );
    }

    #[test]
    fn a_single_topic_batch_is_one_block() {
        // Centred on their own mean, some pairs of one topic link and some do not; the
        // group of those that link is not cohesive enough to be split off.
        let (v, tokens) = topic_and_unrelated(0);
        let corpus = CorpusBuilder::new(v.view())
            .tokens(tokens)
            .neighbours(&cosine::exact_top_k(v.view(), 30, -1.0).unwrap())
            .config(SimilarityConfig {
                topic_block_link: 0.0,
                ..Default::default()
            })
            .build()
            .unwrap();
        assert!((0..5).all(|r| corpus.topic_block(r) == 0));
    }

    #[test]
    fn labels_follow_jaccard() {
        let v = array![[1.0f32, 0.0], [1.0, 0.0], [0.0, 1.0]];
        let shingles = vec![vec![1, 2, 3, 4, 5], vec![1, 2, 3, 4, 5], vec![1, 9]];
        let corpus = CorpusBuilder::new(v.view())
            .shingles(shingles)
            .build()
            .unwrap();
        assert_eq!(
            corpus.score_pair(0, 1, None).unwrap().relation,
            Relation::Copy
        );
        assert_eq!(
            corpus.score_pair(0, 2, None).unwrap().relation,
            Relation::SameStory
        );
        assert!(matches!(
            corpus.score_pair(0, 7, None),
            Err(Error::RowOutOfRange { row: 7, .. })
        ));
    }

    #[test]
    fn rewrite_by_cosine_is_judged_against_the_background() {
        // Compressed cosines (every pair near 0.96, as e5 gives same-topic articles):
        // a pair at the background is independent coverage, not a rewrite.
        let unit = |c: f32| [c, (1.0 - c * c).sqrt()];
        let rows = [unit(1.0), unit(0.96), unit(0.962), unit(0.999)];
        let v = ndarray::Array2::from_shape_fn((4, 2), |(i, j)| rows[i][j]);
        let shingles = vec![vec![1, 2], vec![3, 4], vec![5, 6], vec![7, 8]];
        let corpus = CorpusBuilder::new(v.view())
            .shingles(shingles)
            .build()
            .unwrap();
        assert!(corpus.background_cosine() > 0.9);
        assert_eq!(
            corpus.score_pair(0, 1, None).unwrap().relation,
            Relation::SameStory
        );
        // Far above the background: reworded text of the same article.
        assert_eq!(
            corpus.score_pair(0, 3, None).unwrap().relation,
            Relation::Rewrite
        );
    }

    #[test]
    fn duplicate_ids_are_named() {
        assert!(check_unique_ids(&["a", "b"]).is_ok());
        assert!(matches!(
            check_unique_ids(&["a", "b", "a"]),
            Err(Error::DuplicateId {
                first: 0,
                second: 2,
                ..
            })
        ));
    }

    #[test]
    fn jaccard_exact() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
