//! Splitting a long token sequence into windows that fit the model.
//!
//! Windows are contiguous, cover every token once, hold at most `budget` tokens, and end
//! on a sentence boundary whenever one lies inside the budget (otherwise they are cut
//! hard at the budget). A boundary is a token whose preceding gap contains a line break,
//! or which follows a token ending in sentence-final punctuation and whitespace.

use std::ops::Range;

/// Characters that end a sentence when followed by whitespace (closing quotes and
/// brackets after them are allowed, see [`ends_sentence`]).
const FINAL: &[char] = &['.', '!', '?', '…', '。', '！', '？'];
const CLOSERS: &[char] = &['"', '\'', '»', '”', '’', ')', ']'];

fn ends_sentence(token_text: &str) -> bool {
    let trimmed = token_text.trim_end_matches(CLOSERS);
    trimmed.ends_with(FINAL)
}

/// Marks, for each token, whether a sentence starts at it. `offsets` are byte ranges of
/// the tokens in `text` (as the tokenizer reports them, non-decreasing).
pub fn sentence_starts(text: &str, offsets: &[(usize, usize)]) -> Vec<bool> {
    let mut starts = vec![false; offsets.len()];
    for i in 1..offsets.len() {
        let (prev_start, prev_end) = offsets[i - 1];
        let (start, end) = offsets[i];
        // Some tokenizers (SentencePiece) put the preceding space inside the token's span.
        let gap = text.get(prev_end.min(start)..start).unwrap_or("");
        let own = text.get(start..end.max(start)).unwrap_or("");
        let lead = &own[..own.len() - own.trim_start().len()];
        if gap.contains('\n') || lead.contains('\n') {
            starts[i] = true;
            continue;
        }
        // A sentence-final token followed by whitespace. Several subword tokens may share
        // one word: look at the whole word that ends at the previous token.
        if gap.chars().any(char::is_whitespace) || !lead.is_empty() {
            let word_start = text
                .get(..prev_end)
                .and_then(|head| {
                    head.char_indices()
                        .rev()
                        .find(|(_, c)| c.is_whitespace())
                        .map(|(p, c)| p + c.len_utf8())
                })
                .unwrap_or(0)
                .min(prev_start);
            if let Some(word) = text.get(word_start..prev_end) {
                starts[i] = ends_sentence(word);
            }
        }
    }
    starts
}

/// Splits `0..starts.len()` tokens into windows of at most `budget` tokens, each ending
/// just before a sentence start when one lies within the budget. `budget` must be ≥ 1.
pub fn windows(starts: &[bool], budget: usize) -> Vec<Range<usize>> {
    let budget = budget.max(1);
    let n = starts.len();
    let mut out = Vec::with_capacity(n / budget + 1);
    let mut s = 0;
    while s < n {
        if n - s <= budget {
            out.push(s..n);
            break;
        }
        let limit = s + budget; // first token that does not fit
        let end = (s + 1..=limit).rev().find(|&b| starts[b]).unwrap_or(limit);
        out.push(s..end);
        s = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn offsets_of(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    out.push((s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            out.push((s, text.len()));
        }
        out
    }

    #[test]
    fn sentence_starts_after_final_punctuation_and_newline() {
        let text = "Le chat dort. Il pleut «fort.» Oui\nNon";
        let starts = sentence_starts(text, &offsets_of(text));
        assert_eq!(
            starts,
            vec![false, false, false, true, false, false, true, true]
        );
    }

    #[test]
    fn windows_prefer_sentence_ends() {
        // tokens:        0      1     2     3     4      5     6
        let starts = [false, false, true, false, false, true, false];
        assert_eq!(windows(&starts, 4), vec![0..2, 2..5, 5..7]);
        // no boundary within budget -> hard cut
        assert_eq!(windows(&[false; 7], 3), vec![0..3, 3..6, 6..7]);
        assert_eq!(windows(&[], 3), Vec::<Range<usize>>::new());
    }

    proptest! {
        #[test]
        fn windows_partition_tokens(starts in proptest::collection::vec(any::<bool>(), 0..300), budget in 1usize..40) {
            let ws = windows(&starts, budget);
            let mut next = 0;
            for w in &ws {
                prop_assert_eq!(w.start, next);
                prop_assert!(!w.is_empty());
                prop_assert!(w.len() <= budget);
                next = w.end;
            }
            prop_assert_eq!(next, starts.len());
        }

        #[test]
        fn sentence_starts_never_panics(text in "\\PC{0,80}") {
            let offs = offsets_of(&text);
            let s = sentence_starts(&text, &offs);
            prop_assert_eq!(s.len(), offs.len());
        }
    }
}
