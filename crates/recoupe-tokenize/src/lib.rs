//! Text preparation for comparing news articles: normalization for comparison,
//! paragraph / sentence / word segmentation that keeps every byte range in the original
//! text, and stable seeded shingle hashes.
//!
//! - **Normalization** (NFKC, case folding, apostrophe and quote folding, white space
//!   and zero-width characters, optional diacritic folding) produces a *comparison form*
//!   only; the original text is never modified, and every [`Token`], [`Sentence`] and
//!   [`Paragraph`] carries its [`Span`] in the original, so evidence passages can be
//!   highlighted in the article as written.
//! - **Segmentation**: paragraphs by line breaks, sentences by UAX #29 plus abbreviation
//!   handling for French and English ("M.", "Mme", "U.S.", "etc.", initials, "1.5"),
//!   words by UAX #29. Scripts written without spaces (Chinese, Japanese, Thai, Lao,
//!   Khmer, Myanmar) give overlapping character bigrams.
//! - **Shingles**: word n-grams and character n-grams hashed with seeded XXH3-64: the
//!   same input and seed give the same hashes on every machine and version.
//! - **Rare tokens**: numbers, acronyms and capitalised words not starting a sentence
//!   are flagged ([`Token::is_rare_candidate`]): names, numbers and places are what
//!   tell two events of one kind apart.
//!
//! ```
//! use recoupe_tokenize::{TokenizeConfig, Tokenizer};
//!
//! let tokenizer = Tokenizer::new(TokenizeConfig::default())?;
//! let text = "Le ministre a salué des liens « forts » avec M. Poutine. Il l’a dit en 2023.";
//! let doc = tokenizer.tokenize(text);
//!
//! // Two sentences: "M." does not end the first one.
//! assert_eq!(doc.sentences().len(), 2);
//! let first = &doc.sentences()[0];
//! assert_eq!(first.span.slice(text), "Le ministre a salué des liens « forts » avec M. Poutine.");
//!
//! // Tokens keep their place in the original and have a comparison form.
//! let salue = &doc.tokens()[3];
//! assert_eq!(salue.span.slice(text), "salué");
//! assert_eq!(doc.norm(salue), "salue");
//!
//! // Names and numbers are rare-token candidates.
//! let rare: Vec<&str> = doc.rare_tokens().map(|t| t.span.slice(text)).collect();
//! assert_eq!(rare, ["Poutine", "2023"]);
//!
//! // Shingles for MinHash, and per-sentence shingles for passage matching.
//! let words = tokenizer.word_shingles(&doc);
//! let chars = tokenizer.char_shingles(&doc);
//! assert_eq!(words.len(), doc.tokens().len() - 2);
//! assert!(!chars.is_empty());
//! let per_sentence = tokenizer.sentence_shingles(&doc);
//! assert!(per_sentence.iter().all(|s| words.contains(&s.hash)));
//! # Ok::<(), recoupe_tokenize::Error>(())
//! ```

mod config;
mod doc;
mod error;
mod normalize;
mod segment;
mod shingle;
mod words;

pub use config::{ParagraphBreak, TokenizeConfig, DEFAULT_SEED, MAX_NGRAM};
pub use doc::{Paragraph, Sentence, Span, Token, TokenFlags, Tokenized};
pub use error::{Error, Result};
pub use shingle::SentenceShingle;

use normalize::Normalizer;
use words::WordSplitter;

/// Normalizes, segments and shingles texts with one [`TokenizeConfig`]. Immutable and
/// `Sync`: share one across threads.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    config: TokenizeConfig,
    normalizer: Normalizer,
}

impl Default for Tokenizer {
    /// The tokenizer of [`TokenizeConfig::default`].
    fn default() -> Self {
        let config = TokenizeConfig::default();
        let normalizer = Normalizer {
            fold_diacritics: config.fold_diacritics,
        };
        Self { config, normalizer }
    }
}

impl Tokenizer {
    /// A tokenizer for `config`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when an n-gram size is 0 or above [`MAX_NGRAM`].
    pub fn new(config: TokenizeConfig) -> Result<Self> {
        config.validate()?;
        let normalizer = Normalizer {
            fold_diacritics: config.fold_diacritics,
        };
        Ok(Self { config, normalizer })
    }

    /// The configuration in use.
    #[must_use]
    pub fn config(&self) -> &TokenizeConfig {
        &self.config
    }

    /// The comparison form of a whole text: NFKC, case folded, quotes and apostrophes
    /// folded, invisible characters removed, white space collapsed to single spaces and
    /// trimmed, diacritics folded if configured. Idempotent.
    #[must_use]
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.normalizer.push(text, &mut out);
        out
    }

    /// [`Tokenizer::normalize`] appending to `out`.
    pub fn normalize_into(&self, text: &str, out: &mut String) {
        self.normalizer.push(text, out);
    }

    /// The stable seeded hash of a comparison form: equal to [`Token::hash`] of a token
    /// whose comparison form is `norm` (hash a query term with `normalize` first).
    #[must_use]
    pub fn hash_norm(&self, norm: &str) -> u64 {
        xxhash_rust::xxh3::xxh3_64_with_seed(norm.as_bytes(), self.config.seed)
    }

    /// Segments and normalizes `text`. Never fails: any `&str` is valid input.
    #[must_use]
    pub fn tokenize(&self, text: &str) -> Tokenized {
        let mut doc = Tokenized::default();
        self.tokenize_into(text, &mut doc);
        doc
    }

    /// [`Tokenizer::tokenize`] into a reused value (cleared first): no allocation once
    /// its buffers have grown to the size of the texts seen (except one scratch vector
    /// for texts with a script written without spaces).
    pub fn tokenize_into(&self, text: &str, doc: &mut Tokenized) {
        doc.clear();
        let mode = self.config.paragraph_break;
        segment::paragraphs(text, mode, |span| {
            doc.paragraphs.push(Paragraph {
                span,
                sentences: 0..0,
            });
        });
        let mut graphemes = Vec::new();
        let mut splitter = WordSplitter {
            normalizer: self.normalizer,
            split_elisions: self.config.split_elisions,
            cjk_ngram: self.config.cjk_ngram,
            seed: self.config.seed,
            graphemes: &mut graphemes,
        };
        doc.normalized.reserve(text.len());
        for p in 0..doc.paragraphs.len() {
            let Some(para) = doc.paragraphs.get(p).map(|para| para.span) else {
                continue;
            };
            let first_sentence = doc.sentences.len();
            segment::sentences(text, para, mode, |span| {
                let index = doc.sentences.len();
                let first_token = doc.tokens.len();
                splitter.sentence(text, span, index, doc);
                doc.sentences.push(Sentence {
                    span,
                    tokens: first_token..doc.tokens.len(),
                    paragraph: p,
                });
            });
            let end = doc.sentences.len();
            if let Some(para) = doc.paragraphs.get_mut(p) {
                para.sentences = first_sentence..end;
            }
        }
    }

    /// Word shingles ([`TokenizeConfig::word_ngram`] tokens each) of the whole text, in
    /// text order, duplicates kept.
    #[must_use]
    pub fn word_shingles(&self, doc: &Tokenized) -> Vec<u64> {
        let mut out = Vec::with_capacity(doc.tokens.len());
        self.word_shingles_into(doc, &mut out);
        out
    }

    /// [`Tokenizer::word_shingles`] appending to `out`.
    pub fn word_shingles_into(&self, doc: &Tokenized, out: &mut Vec<u64>) {
        shingle::word_shingles(doc, self.config.word_ngram, self.config.seed, out);
    }

    /// Character shingles ([`TokenizeConfig::char_ngram`] chars each) of
    /// [`Tokenized::normalized`], in text order, duplicates kept.
    #[must_use]
    pub fn char_shingles(&self, doc: &Tokenized) -> Vec<u64> {
        let mut out = Vec::with_capacity(doc.normalized.len());
        self.char_shingles_into(doc, &mut out);
        out
    }

    /// [`Tokenizer::char_shingles`] appending to `out`.
    pub fn char_shingles_into(&self, doc: &Tokenized, out: &mut Vec<u64>) {
        shingle::char_shingles(
            &doc.normalized,
            self.config.char_ngram,
            self.config.seed,
            out,
        );
    }

    /// Word shingles that do not cross sentence boundaries, each with its sentence and
    /// its span in the original: two texts sharing a hash share that passage. A sentence
    /// shorter than [`TokenizeConfig::word_ngram`] gives one shingle of all its words.
    #[must_use]
    pub fn sentence_shingles(&self, doc: &Tokenized) -> Vec<SentenceShingle> {
        let mut out = Vec::with_capacity(doc.tokens.len());
        self.sentence_shingles_into(doc, &mut out);
        out
    }

    /// [`Tokenizer::sentence_shingles`] appending to `out`.
    pub fn sentence_shingles_into(&self, doc: &Tokenized, out: &mut Vec<SentenceShingle>) {
        shingle::sentence_shingles(doc, self.config.word_ngram, self.config.seed, out);
    }
}
