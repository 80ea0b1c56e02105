//! Finding and clustering coverage of the same story: the hot path of recoupe.
//!
//! This crate depends on no model and no libtorch: bring your own shingle hashes, token
//! hashes and L2-normalised vectors.
//!
//! - [`minhash`] / [`lsh`]: MinHash signatures and LSH banding for lexical candidates.
//! - [`cosine`] / [`ann`]: exact (blocked SGEMM) and approximate (IVF cells with
//!   neighbour refinement; HNSW) cosine neighbours; [`top_k`] picks exact or IVF by batch
//!   size ([`SearchConfig`]).
//! - [`score`]: pair scores from embedding cosine, IDF-weighted rare-token overlap,
//!   shared nearest neighbours, lexical Jaccard and date distance; relation labels (`copy`, `rewrite`,
//!   `same_story`).
//! - [`cluster`](mod@cluster): average-link story clustering that resists chaining, deterministic
//!   whatever the thread count, with a representative per story.
//! - [`split`]: the second stage cutting a story into the events of one kind it holds.
//! - [`evidence`]: the passages two articles share, as byte ranges.
//! - [`prior`]: [`BackgroundPrior`], an optional general-language background of token
//!   frequencies for small batches (the caller loads it; this crate reads no file).
//! - [`metrics`]: ARI, B-cubed and pairwise scores against gold labels.
//! - [`config`]: [`SimilarityConfig`], the serde settings with documented defaults.
//!
//! ```
//! use ndarray::array;
//! use recoupe_similarity::{cluster, cosine, CorpusBuilder, SimilarityConfig, Token, TokenKind};
//!
//! // Three articles: two about one event (shared name 7), one about another (name 9).
//! let vectors = array![[1.0f32, 0.0], [0.995, 0.0998], [0.6, 0.8]];
//! let tokens = vec![
//!     vec![Token { hash: 1, kind: TokenKind::Word }, Token { hash: 7, kind: TokenKind::Name }],
//!     vec![Token { hash: 2, kind: TokenKind::Word }, Token { hash: 7, kind: TokenKind::Name }],
//!     vec![Token { hash: 3, kind: TokenKind::Word }, Token { hash: 9, kind: TokenKind::Name }],
//! ];
//! let config = SimilarityConfig { max_document_frequency: 1.0, ..SimilarityConfig::default() };
//! let neighbours = cosine::exact_top_k(vectors.view(), config.neighbours, config.min_cosine)?;
//! // The neighbour lists also give the corpus its topic blocks and neighbourhood view.
//! let corpus = CorpusBuilder::new(vectors.view())
//!     .tokens(tokens)
//!     .neighbours(&neighbours)
//!     .config(config.clone())
//!     .build()?;
//! let stories = cluster::find_stories(&corpus, &neighbours)?;
//! assert_eq!(stories.clustering.stories.len(), 2);
//! assert_eq!(stories.clustering.stories[0].members, vec![0, 1]);
//! # Ok::<(), recoupe_similarity::Error>(())
//! ```

pub mod error;

pub mod lsh;
pub mod metrics;
pub mod minhash;

pub mod ann;
pub mod cluster;
pub mod config;
pub mod cosine;
pub mod evidence;
pub mod prior;
pub mod score;
pub mod split;

/// The `ndarray` version this crate's API uses (vectors are `ArrayView2<f32>`).
pub use ndarray;

pub use ann::{
    hnsw_top_k, ivf_top_k, recall_at_k, top_k, HnswConfig, IvfConfig, SearchConfig, SearchMethod,
};
pub use cluster::{cluster, find_stories, story_links, Clustering, Stories, Story, StoryLink};
pub use config::SimilarityConfig;
pub use cosine::{exact_top_k, Neighbour, NeighbourLists};
pub use error::{Error, Result};
pub use evidence::{matching_passages, Passage, Sentence};
pub use prior::BackgroundPrior;
pub use score::{
    Corpus, CorpusBuilder, CorpusStats, Explanation, PairScore, Relation, SharedToken, Token,
    TokenKind,
};
