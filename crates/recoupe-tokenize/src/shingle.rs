//! Shingles: word n-grams and character n-grams hashed to `u64`.
//!
//! The hash is XXH3-64 with a seed (xxhash-rust), a specified algorithm whose output does
//! not depend on the machine, the platform's endianness or the crate version:
//! - a token's hash is `xxh3_64(seed, utf8(comparison form))` ([`crate::Token::hash`]);
//! - a word shingle's hash is `xxh3_64(seed, le_bytes(h1) ++ ... ++ le_bytes(hn))` over
//!   the hashes of its n tokens, so it is order-sensitive and computed without touching
//!   the text again;
//! - a character shingle's hash is `xxh3_64(seed, utf8(n chars of the comparison text))`.
//!
//! A text with fewer than n tokens (or chars) but at least one gives one shingle of
//! everything it has, so short texts still have a signature.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::config::MAX_NGRAM;
use crate::doc::{Span, Token, Tokenized};

/// A word shingle of one sentence, for evidence passage matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentenceShingle {
    /// The shingle hash (equal to the document-level word shingle of the same words).
    pub hash: u64,
    /// Index of the sentence in [`Tokenized::sentences`].
    pub sentence: usize,
    /// Bytes of the original text from the first to the last word of the shingle.
    pub span: Span,
}

/// Hash of a run of tokens (at most [`MAX_NGRAM`] of them).
pub(crate) fn hash_tokens(tokens: &[Token], seed: u64) -> u64 {
    let mut buf = [0u8; 8 * MAX_NGRAM];
    let mut len = 0;
    for (token, chunk) in tokens.iter().zip(buf.chunks_exact_mut(8)) {
        chunk.copy_from_slice(&token.hash.to_le_bytes());
        len += 8;
    }
    xxh3_64_with_seed(buf.get(..len).unwrap_or(&[]), seed)
}

/// Windows of `n` tokens (or the whole slice if shorter and non-empty).
fn windows(tokens: &[Token], n: usize) -> impl Iterator<Item = &[Token]> {
    let n = n.clamp(1, tokens.len().max(1));
    tokens.windows(n)
}

pub(crate) fn word_shingles(doc: &Tokenized, n: usize, seed: u64, out: &mut Vec<u64>) {
    out.extend(windows(&doc.tokens, n).map(|w| hash_tokens(w, seed)));
}

pub(crate) fn sentence_shingles(
    doc: &Tokenized,
    n: usize,
    seed: u64,
    out: &mut Vec<SentenceShingle>,
) {
    for (index, sentence) in doc.sentences.iter().enumerate() {
        for w in windows(doc.sentence_tokens(sentence), n) {
            let (Some(first), Some(last)) = (w.first(), w.last()) else {
                continue;
            };
            out.push(SentenceShingle {
                hash: hash_tokens(w, seed),
                sentence: index,
                span: Span::new(first.span.start, last.span.end),
            });
        }
    }
}

pub(crate) fn char_shingles(text: &str, n: usize, seed: u64, out: &mut Vec<u64>) {
    let n = n.clamp(1, MAX_NGRAM);
    // ring[k % n] holds the byte offset of char k, for the last n chars seen.
    let mut ring = [0usize; MAX_NGRAM];
    let mut count = 0usize;
    let boundaries = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()));
    for i in boundaries {
        let slot = count % n;
        if count >= n {
            let start = ring.get(slot).copied().unwrap_or(0);
            out.push(xxh3_64_with_seed(
                text.get(start..i).unwrap_or("").as_bytes(),
                seed,
            ));
        }
        if i < text.len() {
            if let Some(r) = ring.get_mut(slot) {
                *r = i;
            }
            count += 1;
        }
    }
    if count > 0 && count < n {
        out.push(xxh3_64_with_seed(text.as_bytes(), seed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str, n: usize) -> Vec<u64> {
        let mut out = Vec::new();
        char_shingles(text, n, 7, &mut out);
        out
    }

    #[test]
    fn char_shingles_are_the_hashes_of_each_window() {
        let text = "abé d";
        let expected: Vec<u64> = ["abé", "bé ", "é d"]
            .iter()
            .map(|w| xxh3_64_with_seed(w.as_bytes(), 7))
            .collect();
        assert_eq!(chars(text, 3), expected);
        assert_eq!(chars("ab", 3), [xxh3_64_with_seed(b"ab", 7)]);
        assert!(chars("", 3).is_empty());
        assert_eq!(chars("abc", 3).len(), 1);
        assert_eq!(chars("abcd", 1).len(), 4);
    }
}
