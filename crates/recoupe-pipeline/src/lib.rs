//! The recoupe batch pipeline: read → clean → language → tokenize → signatures → embed →
//! similarity → clusters, and the output files.
//!
//! - [`input`]: streaming readers (JSONL, CSV, folders of text files, stdin); a record
//!   that cannot be read becomes a [`Reject`], never an abort.
//! - [`clean`]: boilerplate removal by per-line rules and recurring lines, recorded per
//!   article with byte ranges in the input text.
//! - [`run`]: the [`Pipeline`] that runs every stage (language: `recoupe-lang`; tokens
//!   and shingles: `recoupe-tokenize`; vectors: `recoupe-embed` behind an
//!   [`cache::EmbeddingCache`]; MinHash/LSH, neighbours, scores, stories and evidence:
//!   `recoupe-similarity`).
//! - [`report`] / [`output`]: the output records, written atomically.
//! - [`wordfreq`]: the general-language background prior of small batches (wordfreq
//!   lists, read and hashed as the tokenizer hashes tokens).
//!
//! Invariant: every input record ends up exactly once in `articles.jsonl` or in
//! `rejects.jsonl`.
//!
//! ```
//! use recoupe_pipeline::clean::{rule_removals, CleanConfig, Cleaned, Rule};
//!
//! let text = "Infos / A La Une / Europe\nLe ministre chinois de la Défense a salué dimanche des liens forts avec Moscou.\nPartager Cet Article";
//! let removals = rule_removals(text, &CleanConfig::default());
//! let rules: Vec<Rule> = removals.iter().map(|r| r.rule).collect();
//! assert_eq!(rules, [Rule::Navigation, Rule::Share]);
//! let cleaned = Cleaned::new(text, removals);
//! assert!(cleaned.text.starts_with("Le ministre"));
//! // Offsets in the cleaned text map back to the input text.
//! assert_eq!(&text[cleaned.to_original(3)..][..8], "ministre");
//! ```

pub mod baseline;
pub mod cache;
pub mod clean;
pub mod config;
pub mod error;
pub mod eval;
pub mod input;
pub mod output;
pub mod record;
pub mod report;
pub mod run;
pub mod wordfreq;

pub use config::{PipelineConfig, StoryMethod};
pub use error::{Error, Result};
pub use input::InputSpec;
pub use record::{Meta, Origin, RawArticle, ReadItem, Reject, RejectReason};
pub use report::RunSummary;
pub use run::{load_model, similarity_features, NoProgress, Pipeline, Progress, RunOptions, Stage};
