//! Evidence for a pair: the passages two articles share, as byte ranges in both.
//!
//! The caller supplies each article's sentences (byte range + the shingle hashes of that
//! sentence, e.g. from `recoupe-tokenize`). Every sentence of the first article is
//! matched to the sentence of the second with the highest shingle Jaccard; matches at
//! or above `min_jaccard` are kept, and runs of consecutive matches (consecutive in both
//! articles) are joined into one passage whose score is the shingle-weighted mean.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::score::jaccard;

/// One sentence of an article: its byte range in the text and its shingle hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Start byte (inclusive).
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Shingle hashes of the sentence (any order; repeats ignored).
    pub shingles: Vec<u64>,
}

/// A passage found in both articles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Byte range in the first article.
    pub first: (usize, usize),
    /// Byte range in the second article.
    pub second: (usize, usize),
    /// Shingle Jaccard of the passage's sentences, in `[0, 1]`.
    pub score: f32,
}

/// Default minimum sentence Jaccard for [`matching_passages`].
pub const DEFAULT_MIN_JACCARD: f32 = 0.3;

fn prepared(
    sentences: &[Sentence],
    document: usize,
    text_len: Option<usize>,
) -> Result<Vec<Vec<u64>>> {
    sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let too_long = text_len.is_some_and(|l| s.end > l);
            if s.start > s.end || too_long {
                return Err(Error::InvalidRange {
                    document,
                    sentence: i,
                    start: s.start,
                    end: s.end,
                });
            }
            let mut h = s.shingles.clone();
            h.sort_unstable();
            h.dedup();
            Ok(h)
        })
        .collect()
}

/// Matching passages of two articles, in the order of the first article.
///
/// `first_len` / `second_len` are the text lengths in bytes when known (ranges beyond
/// them are an error naming the sentence).
pub fn matching_passages(
    first: &[Sentence],
    second: &[Sentence],
    first_len: Option<usize>,
    second_len: Option<usize>,
    min_jaccard: f32,
) -> Result<Vec<Passage>> {
    let a = prepared(first, 0, first_len)?;
    let b = prepared(second, 1, second_len)?;
    // (sentence in first, sentence in second, jaccard, weight)
    let mut matches: Vec<(usize, usize, f32, f32)> = Vec::new();
    for (i, sa) in a.iter().enumerate() {
        if sa.is_empty() {
            continue;
        }
        let mut best: Option<(usize, f32)> = None;
        for (j, sb) in b.iter().enumerate() {
            let jac = jaccard(sa, sb);
            if jac >= min_jaccard && best.is_none_or(|(_, s)| jac > s) {
                best = Some((j, jac));
            }
        }
        if let Some((j, jac)) = best {
            matches.push((i, j, jac, (sa.len() + b[j].len()) as f32));
        }
    }
    let mut passages: Vec<Passage> = Vec::new();
    let mut run: Option<(usize, usize, usize, usize, f32, f32)> = None; // i0, i1, j0, j1, sum, weight
    for (i, j, jac, w) in matches {
        run = match run {
            Some((i0, i1, j0, j1, sum, wt)) if i == i1 + 1 && j == j1 + 1 => {
                Some((i0, i, j0, j, sum + jac * w, wt + w))
            }
            Some(r) => {
                passages.push(passage(first, second, r));
                Some((i, i, j, j, jac * w, w))
            }
            None => Some((i, i, j, j, jac * w, w)),
        };
    }
    if let Some(r) = run {
        passages.push(passage(first, second, r));
    }
    Ok(passages)
}

fn passage(
    first: &[Sentence],
    second: &[Sentence],
    r: (usize, usize, usize, usize, f32, f32),
) -> Passage {
    let (i0, i1, j0, j1, sum, weight) = r;
    Passage {
        first: (first[i0].start, first[i1].end),
        second: (second[j0].start, second[j1].end),
        score: if weight > 0.0 {
            (sum / weight).clamp(0.0, 1.0)
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(start: usize, end: usize, shingles: &[u64]) -> Sentence {
        Sentence {
            start,
            end,
            shingles: shingles.to_vec(),
        }
    }

    #[test]
    fn joins_consecutive_matches() {
        let a = vec![
            s(0, 10, &[1, 2, 3]),
            s(11, 20, &[4, 5, 6]),
            s(21, 30, &[7, 8]),
        ];
        let b = vec![
            s(0, 5, &[99]),
            s(6, 15, &[1, 2, 3]),
            s(16, 25, &[4, 5, 6, 60]),
        ];
        let p = matching_passages(&a, &b, Some(30), Some(25), 0.3).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].first, (0, 20));
        assert_eq!(p[0].second, (6, 25));
        assert!(p[0].score > 0.8 && p[0].score < 1.0);
    }

    #[test]
    fn bad_ranges_are_named() {
        let a = vec![s(0, 10, &[1]), s(12, 11, &[2])];
        let err = matching_passages(&a, &[], None, None, 0.3).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidRange {
                document: 0,
                sentence: 1,
                ..
            }
        ));
        let err = matching_passages(&[], &[s(0, 50, &[1])], None, Some(40), 0.3).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidRange {
                document: 1,
                sentence: 0,
                ..
            }
        ));
    }
}
