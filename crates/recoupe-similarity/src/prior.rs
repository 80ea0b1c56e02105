//! A general-language background for the rare-token view of small batches.
//!
//! The rare-token view weighs a token by how rare it is in the batch. In a small batch
//! that is all one story, every token the reports share is in (nearly) every document,
//! so it weighs nothing and the story is cut up. A [`BackgroundPrior`] holds how frequent
//! each token is in the language at large (e.g. word frequencies of a wordlist, hashed
//! by the caller's tokenizer); [`crate::CorpusBuilder::prior`] adds
//! [`crate::SimilarityConfig::prior_documents`] pseudo-documents drawn from it to the
//! batch's document frequencies:
//!
//! `idf = ln((N + m + 1) / (df + m * p + 1))`, `p = 1 - exp(-f * L)`
//!
//! where `f` is the token's frequency in the language (per running word;
//! `prior_unlisted_frequency` for tokens absent from the list: names, numbers and rare
//! words), `L` the batch's median document length in tokens and `p` the chance that a
//! document of that length holds the token. A shared name keeps its weight in a batch of
//! two; a word of every text weighs nothing; as `N` grows the batch's own frequencies
//! take over. The crate reads no file: the caller builds the table.

use std::collections::HashMap;

/// Frequency in the language at large of token hashes (the caller's hash of the
/// normalised token, the same as [`crate::Token::hash`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackgroundPrior {
    frequency: HashMap<u64, f32>,
}

impl BackgroundPrior {
    /// Builds the table from `(hash, frequency)` pairs; frequencies are clamped to
    /// `[0, 1]` (non-finite ones dropped) and a repeated hash keeps its highest
    /// frequency (two words normalised to one token, or one word of two languages).
    pub fn from_frequencies<I: IntoIterator<Item = (u64, f32)>>(pairs: I) -> Self {
        let mut prior = Self::default();
        prior.extend(pairs);
        prior
    }

    /// Adds `(hash, frequency)` pairs, keeping the highest frequency of a repeated hash
    /// (merging the tables of several languages: common in any of them is common).
    pub fn extend<I: IntoIterator<Item = (u64, f32)>>(&mut self, pairs: I) {
        for (hash, f) in pairs {
            if !f.is_finite() {
                continue;
            }
            let f = f.clamp(0.0, 1.0);
            let e = self.frequency.entry(hash).or_insert(f);
            if f > *e {
                *e = f;
            }
        }
    }

    /// Frequency of a token hash per running word, `None` when it is not listed.
    pub fn frequency(&self, hash: u64) -> Option<f32> {
        self.frequency.get(&hash).copied()
    }

    /// Number of listed token hashes.
    pub fn len(&self) -> usize {
        self.frequency.len()
    }

    /// Whether no token is listed.
    pub fn is_empty(&self) -> bool {
        self.frequency.is_empty()
    }

    /// Chance that a document of `length` tokens holds the token, `1 - exp(-f * length)`
    /// (`unlisted` is the frequency of tokens absent from the table).
    pub fn document_probability(&self, hash: u64, length: f32, unlisted: f32) -> f32 {
        let f = self.frequency(hash).unwrap_or(unlisted);
        1.0 - (-f * length.max(1.0)).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_keep_the_highest_frequency_and_bad_values_are_dropped() {
        let p = BackgroundPrior::from_frequencies([(1, 1e-3), (1, 1e-2), (2, f32::NAN), (3, 2.0)]);
        assert_eq!(p.frequency(1), Some(1e-2));
        assert_eq!(p.frequency(2), None);
        assert_eq!(p.frequency(3), Some(1.0));
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn common_words_are_in_every_document_and_names_in_none() {
        let p = BackgroundPrior::from_frequencies([(1, 0.05), (2, 1e-5)]);
        assert!(p.document_probability(1, 300.0, 1e-7) > 0.99);
        let rare = p.document_probability(2, 300.0, 1e-7);
        assert!(rare > 0.0 && rare < 0.01, "{rare}");
        assert!(p.document_probability(9, 300.0, 1e-7) < 1e-4);
    }
}
