//! Word tokens of one sentence.
//!
//! Words are UAX #29 word segments that contain a letter or a digit
//! (unicode-segmentation). Two adjustments:
//! - Elision: a French or Italian elided article or pronoun ("l'", "d'", "qu'", "dell'")
//!   becomes a token of its own, so "d'Ukraine" gives "d" + "Ukraine" (capitalised) and
//!   matches "Ukraine" elsewhere.
//! - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar):
//!   UAX #29 without a dictionary gives one segment per ideograph (Han) or per letter
//!   (Thai) and whole runs of Katakana, none of which is a usable word. Adjacent
//!   segments of these scripts are joined into a run, and the run gives overlapping
//!   n-grams of grapheme clusters (bigrams by default), as Lucene's CJK bigram filter
//!   does. Bigrams need no dictionary, work the same for every such script, and are
//!   what two copies of one text share: unigrams are too common to tell texts apart,
//!   and a dictionary segmenter (jieba, lindera, ICU's Thai dictionary) adds tens of
//!   megabytes and a per-language model for no gain in near-duplicate matching.

use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::doc::{Span, Token, TokenFlags, Tokenized};
use crate::normalize::Normalizer;

/// Scripts written without spaces between words.
#[inline]
pub(crate) fn is_no_space_script(c: char) -> bool {
    matches!(c,
        // Thai, Lao
        '\u{0E00}'..='\u{0EFF}'
        // Myanmar
        | '\u{1000}'..='\u{109F}'
        // Khmer, Khmer symbols
        | '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}'
        // CJK radicals, ideographic iteration marks and numbers
        | '\u{2E80}'..='\u{2FDF}' | '\u{3005}'..='\u{3007}' | '\u{3021}'..='\u{3029}'
        | '\u{3038}'..='\u{303B}'
        // Hiragana, Katakana, Katakana extensions, CJK ideographs (+ extension A)
        | '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        // half-width Katakana
        | '\u{FF66}'..='\u{FF9F}'
        // CJK ideographs, extensions B and later
        | '\u{20000}'..='\u{323AF}')
}

/// The char of a one-char string.
#[inline]
fn single_char(g: &str) -> Option<char> {
    let mut chars = g.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Letters that normalization leaves unchanged (NFKC-stable, no case, no accent): most
/// of a Chinese, Japanese or Thai text, which then skips the normalizer and the (slow,
/// for these scripts) `char::is_alphabetic` lookups.
#[inline]
pub(crate) fn is_stable_uncased(c: char) -> bool {
    matches!(c,
        // CJK unified ideographs (the compatibility ideographs are excluded)
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}'
        // Hiragana and Katakana letters (not the spacing sound marks, ゟ or ヿ)
        | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}'
        // Thai consonants (not SARA AM, which NFKC decomposes)
        | '\u{0E01}'..='\u{0E2E}')
}

/// Elided articles and pronouns that stand before an apostrophe (compared in lower
/// case): French, then Italian.
const ELIDED: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
    "quelqu", "dell", "all", "nell", "sull", "dall", "dagl", "un",
];

fn is_elided(prefix: &str) -> bool {
    prefix.len() <= 6
        && ELIDED
            .iter()
            .any(|e| e.len() == prefix.len() && e.eq_ignore_ascii_case(prefix))
}

#[inline]
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{FF07}')
}

/// `char::is_alphanumeric`, answering fast for the common letters of scripts without
/// spaces.
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_stable_uncased(c) || c.is_alphanumeric()
    }
}

/// Flags read off the original spelling of a token.
fn flags_of(original: &str) -> TokenFlags {
    let mut has_digit = false;
    let mut has_alpha = false;
    let mut first_upper: Option<bool> = None;
    let mut cased = 0usize;
    let mut upper = 0usize;
    for c in original.chars() {
        if is_stable_uncased(c) {
            has_alpha = true;
            first_upper.get_or_insert(false);
        } else if c.is_numeric() {
            has_digit = true;
        } else if c.is_alphabetic() {
            has_alpha = true;
            let is_upper = c.is_uppercase();
            first_upper.get_or_insert(is_upper);
            if is_upper {
                cased += 1;
                upper += 1;
            } else if c.is_lowercase() {
                cased += 1;
            }
        }
    }
    let mut flags = TokenFlags::NONE;
    if has_digit {
        flags.insert(TokenFlags::HAS_DIGIT);
        if !has_alpha {
            flags.insert(TokenFlags::NUMERIC);
        }
    }
    if first_upper == Some(true) {
        flags.insert(TokenFlags::CAPITALIZED);
    }
    if upper >= 2 && upper == cased {
        flags.insert(TokenFlags::ALL_CAPS);
    }
    flags
}

/// Splits sentences into tokens, appending to a [`Tokenized`].
pub(crate) struct WordSplitter<'a> {
    pub(crate) normalizer: Normalizer,
    pub(crate) split_elisions: bool,
    pub(crate) cjk_ngram: usize,
    pub(crate) seed: u64,
    /// Grapheme boundaries of the current no-space run: (original span, normalized span).
    pub(crate) graphemes: &'a mut Vec<(Span, Span)>,
}

impl WordSplitter<'_> {
    /// Appends the tokens of the sentence `sentence` (index `index`) of `text`.
    pub(crate) fn sentence(
        &mut self,
        text: &str,
        sentence: Span,
        index: usize,
        doc: &mut Tokenized,
    ) {
        let first_token = doc.tokens.len();
        let mut run: Option<Span> = None;
        // Only the segments holding a letter or digit; a gap between two segments (space,
        // punctuation) ends a run of a script without spaces.
        for (offset, segment) in sentence.slice(text).unicode_word_indices() {
            let span = Span::new(
                sentence.start + offset,
                sentence.start + offset + segment.len(),
            );
            let Some(first) = segment.chars().find(|&c| is_alphanumeric(c)) else {
                continue;
            };
            if is_no_space_script(first) {
                run = match run {
                    Some(r) if r.end == span.start => Some(Span::new(r.start, span.end)),
                    Some(r) => {
                        self.no_space_run(text, r, index, doc);
                        Some(span)
                    }
                    None => Some(span),
                };
                continue;
            }
            if let Some(r) = run.take() {
                self.no_space_run(text, r, index, doc);
            }
            self.word(text, span, index, doc);
        }
        if let Some(r) = run.take() {
            self.no_space_run(text, r, index, doc);
        }
        if let Some(t) = doc.tokens.get_mut(first_token) {
            t.flags.insert(TokenFlags::SENTENCE_START);
        }
    }

    fn word(&mut self, text: &str, span: Span, index: usize, doc: &mut Tokenized) {
        let mut span = span;
        if self.split_elisions {
            // "qu'aujourd'hui" -> "qu" + "aujourd'hui": only elided prefixes split.
            while let Some((at, apostrophe)) = span
                .slice(text)
                .char_indices()
                .find(|&(_, c)| is_apostrophe(c))
            {
                let prefix = Span::new(span.start, span.start + at);
                let rest = Span::new(prefix.end + apostrophe.len_utf8(), span.end);
                let rest_starts_with_letter = rest
                    .slice(text)
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic);
                if !(rest_starts_with_letter && is_elided(prefix.slice(text))) {
                    break;
                }
                self.push_token(text, prefix, index, TokenFlags::NONE, doc);
                span = rest;
            }
        }
        self.push_token(text, span, index, TokenFlags::NONE, doc);
    }

    /// Appends the comparison form of `span` (after a separating space) and its token.
    fn push_token(
        &mut self,
        text: &str,
        span: Span,
        index: usize,
        extra: TokenFlags,
        doc: &mut Tokenized,
    ) {
        let before = doc.normalized.len();
        if before > 0 {
            doc.normalized.push(' ');
        }
        let start = doc.normalized.len();
        let original = span.slice(text);
        if self.normalizer.push(original, &mut doc.normalized) == 0 {
            doc.normalized.truncate(before);
            return;
        }
        let norm = Span::new(start, doc.normalized.len());
        doc.tokens.push(Token {
            span,
            norm,
            hash: xxh3_64_with_seed(norm.slice(&doc.normalized).as_bytes(), self.seed),
            sentence: index,
            flags: flags_of(original).union(extra),
        });
    }

    /// Appends a run of a script written without spaces as overlapping grapheme n-grams.
    /// A grapheme that does not start with a letter or digit (a space joined by UAX #29,
    /// possibly carrying a stray mark) splits the run: n-grams never span it.
    fn no_space_run(&mut self, text: &str, run: Span, index: usize, doc: &mut Tokenized) {
        self.graphemes.clear();
        for (offset, g) in run.slice(text).grapheme_indices(true) {
            if !g.chars().next().is_some_and(is_alphanumeric) {
                self.flush_ngrams(text, index, doc);
                continue;
            }
            let before = doc.normalized.len();
            if self.graphemes.is_empty() && before > 0 {
                doc.normalized.push(' ');
            }
            let start = doc.normalized.len();
            let pushed = match single_char(g) {
                Some(c) if is_stable_uncased(c) => {
                    doc.normalized.push(c);
                    c.len_utf8()
                }
                _ => self.normalizer.push(g, &mut doc.normalized),
            };
            if pushed > 0 {
                let original = Span::new(run.start + offset, run.start + offset + g.len());
                self.graphemes
                    .push((original, Span::new(start, doc.normalized.len())));
            } else {
                doc.normalized.truncate(before);
            }
        }
        self.flush_ngrams(text, index, doc);
    }

    /// Emits the n-gram tokens of the graphemes collected so far.
    fn flush_ngrams(&mut self, text: &str, index: usize, doc: &mut Tokenized) {
        let n = self.cjk_ngram.clamp(1, self.graphemes.len().max(1));
        for window in self.graphemes.windows(n) {
            let (Some(first), Some(last)) = (window.first(), window.last()) else {
                continue;
            };
            let span = Span::new(first.0.start, last.0.end);
            let norm = Span::new(first.1.start, last.1.end);
            let original = span.slice(text);
            doc.tokens.push(Token {
                span,
                norm,
                hash: xxh3_64_with_seed(norm.slice(&doc.normalized).as_bytes(), self.seed),
                sentence: index,
                flags: flags_of(original).union(TokenFlags::NO_SPACE_SCRIPT),
            });
        }
        self.graphemes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_from_original_spelling() {
        let f = flags_of("Poutine");
        assert!(f.contains(TokenFlags::CAPITALIZED) && !f.contains(TokenFlags::ALL_CAPS));
        let f = flags_of("OTAN");
        assert!(f.contains(TokenFlags::CAPITALIZED.union(TokenFlags::ALL_CAPS)));
        let f = flags_of("2023");
        assert!(f.contains(TokenFlags::NUMERIC.union(TokenFlags::HAS_DIGIT)));
        let f = flags_of("1,5");
        assert!(f.contains(TokenFlags::NUMERIC));
        let f = flags_of("G20");
        assert!(f.contains(TokenFlags::HAS_DIGIT) && !f.contains(TokenFlags::NUMERIC));
        assert_eq!(flags_of("relations"), TokenFlags::NONE);
        assert!(flags_of("٢٠٢٣").contains(TokenFlags::NUMERIC));
        assert!(!flags_of("A").contains(TokenFlags::ALL_CAPS));
    }

    #[test]
    fn elided_prefixes() {
        assert!(is_elided("L") && is_elided("qu") && is_elided("Jusqu"));
        assert!(!is_elided("don") && !is_elided("aujourd") && !is_elided("o"));
    }

    #[test]
    fn stable_letters_are_their_own_normalization() {
        let normalizer = Normalizer {
            fold_diacritics: true,
        };
        let ranges = [
            ('\u{4E00}', '\u{9FFF}'),
            ('\u{3400}', '\u{4DBF}'),
            ('\u{3041}', '\u{3096}'),
            ('\u{30A1}', '\u{30FA}'),
            ('\u{0E01}', '\u{0E2E}'),
        ];
        for (lo, hi) in ranges {
            for c in lo..=hi {
                assert!(is_stable_uncased(c));
                // The shortcuts taken for these letters hold.
                assert!(c.is_alphabetic() && !c.is_numeric(), "{c:?}");
                assert!(!c.is_uppercase() && !c.is_lowercase(), "{c:?}");
                assert!(!unicode_normalization::char::is_combining_mark(c), "{c:?}");
                let mut out = String::new();
                normalizer.push(c.encode_utf8(&mut [0; 4]), &mut out);
                assert_eq!(out, c.to_string(), "{c:?}");
            }
        }
        assert!(!is_stable_uncased('\u{0E33}') && !is_stable_uncased('\u{F900}'));
    }

    #[test]
    fn no_space_scripts() {
        for c in ['中', 'の', 'カ', 'ก', 'ລ', 'ក', 'က', '𠀀'] {
            assert!(is_no_space_script(c), "{c}");
        }
        for c in ['a', 'é', 'я', '한', 'ا', '1'] {
            assert!(!is_no_space_script(c), "{c}");
        }
    }
}
