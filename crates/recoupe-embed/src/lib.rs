//! Sentence embeddings for recoupe: rust-bert's BERT on libtorch, fed by our own
//! tokenization, windowing, length bucketing and model replicas.
//!
//! A [`SentenceEmbedder`] is built from a sentence-transformers model directory
//! (`model.safetensors`, `config.json`, `tokenizer.json`, `modules.json`,
//! `1_Pooling/config.json`, `sentence_bert_config.json`), such as the
//! `models/all-minilm-l6-v2` and `models/multilingual-e5-small` that `scripts/setup.sh`
//! installs. Everything the model needs is read from those files: window length
//! (`max_seq_length`), token pooling (mean or CLS), normalisation, and the input prefix
//! (`passage: ` for e5).
//!
//! - Long texts are cut into sentence-aligned windows of at most `max_seq_length` tokens
//!   whose vectors are averaged ([`ChunkPooling::Mean`], the default) or only the first
//!   window is used ([`ChunkPooling::First`], sentence-transformers' truncation).
//! - Windows are sorted by length and run in small batches (little padding), spread
//!   over N model replicas; each replica uses `cores / N` libtorch threads. The output
//!   does not depend on N.
//! - The transformer runs rust-bert's `BertModel` weights through a fused forward
//!   (one QKV matmul, libtorch's `scaled_dot_product_attention`); on CPUs with AVX-512
//!   BF16 the matmuls run in bfloat16 ([`Precision::Auto`]; cosine to
//!   sentence-transformers ≥ 0.9999 on the reference texts). [`Attention::Eager`] and
//!   [`Precision::F32`] give rust-bert's own forward and exact f32.
//! - Output rows are L2-normalised and in input order.
//!
//! ```no_run
//! use recoupe_embed::{ChunkPooling, SentenceEmbedder};
//!
//! # fn main() -> recoupe_embed::Result<()> {
//! let embedder = SentenceEmbedder::builder("models/all-minilm-l6-v2")
//!     .workers(2)
//!     .chunk_pooling(ChunkPooling::Mean)
//!     .build()?;
//! let vectors = embedder.embed(&["Un séisme frappe le Japon.", "An earthquake hits Japan."])?;
//! assert_eq!(vectors.nrows(), 2);
//! let cosine: f32 = vectors.row(0).dot(&vectors.row(1));
//! println!("{} cosine {cosine:.3}", embedder.model_id());
//! # Ok(())
//! # }
//! ```
//!
//! Without the `rust-bert` feature the crate builds without libtorch and
//! [`SentenceEmbedderBuilder::build`] returns [`Error::BackendDisabled`].

#[cfg(feature = "rust-bert")]
mod backend;
mod chunk;
#[cfg(not(feature = "rust-bert"))]
mod disabled;
mod embedder;
pub mod error;
mod model;
mod tokenize;

pub use embedder::{Attention, ChunkPooling, Precision, SentenceEmbedder, SentenceEmbedderBuilder};
pub use error::{Error, Result};
pub use model::{ModelInfo, TokenPooling};
