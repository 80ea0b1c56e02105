//! The output of tokenization: spans in the original text, tokens with their comparison
//! form, sentences and paragraphs.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A byte range `start..end` into a text (the original article, or
/// [`Tokenized::normalized`] for [`Token::norm`]). Always on `char` boundaries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from its bounds.
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Length in bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The span as a `Range` for slicing.
    #[must_use]
    pub const fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The text the span covers, or `""` if it does not fit `text` (a span used on a
    /// different text than the one it was made from).
    #[must_use]
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.range()).unwrap_or("")
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Self::new(r.start, r.end)
    }
}

/// What the similarity stage may want to know about a token, read off the original
/// text (before case folding). A small bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenFlags(u8);

impl TokenFlags {
    /// No flag.
    pub const NONE: Self = Self(0);
    /// Digits only, possibly with separators ("2023", "1.5", "1,5", "٢٠٢٣").
    pub const NUMERIC: Self = Self(1);
    /// Contains at least one digit ("G20", "2023", "3e").
    pub const HAS_DIGIT: Self = Self(1 << 1);
    /// First letter is upper case in the original ("Poutine", "Kremlin", "ONU").
    pub const CAPITALIZED: Self = Self(1 << 2);
    /// At least two letters, all upper case ("ONU", "USA", "OTAN").
    pub const ALL_CAPS: Self = Self(1 << 3);
    /// First token of its sentence: its capital says less about it being a name.
    pub const SENTENCE_START: Self = Self(1 << 4);
    /// A character n-gram of a script written without spaces (Han, Kana, Thai, Lao,
    /// Khmer, Myanmar).
    pub const NO_SPACE_SCRIPT: Self = Self(1 << 5);

    /// Whether every flag of `other` is set.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The raw bits (stable: the constants above never change value).
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    pub(crate) fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

/// One token: where it is in the original text, its comparison form, its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Bytes of the original text.
    pub span: Span,
    /// Bytes of [`Tokenized::normalized`] holding the comparison form.
    pub norm: Span,
    /// Stable seeded hash (xxh3-64) of the comparison form.
    pub hash: u64,
    /// Index of the sentence in [`Tokenized::sentences`].
    pub sentence: usize,
    /// Facts about the original spelling.
    pub flags: TokenFlags,
}

impl Token {
    /// Whether the token is a digit-bearing token.
    #[must_use]
    pub const fn has_digit(&self) -> bool {
        self.flags.contains(TokenFlags::HAS_DIGIT)
    }

    /// Whether the token is a number.
    #[must_use]
    pub const fn is_numeric(&self) -> bool {
        self.flags.contains(TokenFlags::NUMERIC)
    }

    /// Whether the token starts with a capital in the original.
    #[must_use]
    pub const fn is_capitalized(&self) -> bool {
        self.flags.contains(TokenFlags::CAPITALIZED)
    }

    /// A candidate "rare" token: what tells two events of one kind apart (names,
    /// numbers, places, acronyms). True for tokens with a digit, all-caps tokens, and
    /// capitalised tokens that do not start their sentence, except a single ASCII
    /// letter (the "M" of "M. Li", an initial, an elided "L").
    #[must_use]
    pub const fn is_rare_candidate(&self) -> bool {
        if self.flags.contains(TokenFlags::HAS_DIGIT) {
            return true;
        }
        if self.span.len() < 2 {
            return false;
        }
        self.flags.contains(TokenFlags::ALL_CAPS)
            || (self.flags.contains(TokenFlags::CAPITALIZED)
                && !self.flags.contains(TokenFlags::SENTENCE_START))
    }
}

/// One sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Bytes of the original text, trimmed of surrounding white space.
    pub span: Span,
    /// Indices of its tokens in [`Tokenized::tokens`] (may be empty: a sentence of
    /// punctuation or emoji only).
    pub tokens: Range<usize>,
    /// Index of its paragraph in [`Tokenized::paragraphs`].
    pub paragraph: usize,
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Bytes of the original text, trimmed of surrounding white space.
    pub span: Span,
    /// Indices of its sentences in [`Tokenized::sentences`].
    pub sentences: Range<usize>,
}

/// A tokenized text. Holds no copy of the original: spans index into it, and the
/// comparison forms live in one buffer ([`Tokenized::normalized`]), so tokenizing makes
/// no allocation per token. Reuse one value with [`crate::Tokenizer::tokenize_into`] to
/// make none per document either.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokenized {
    pub(crate) normalized: String,
    pub(crate) tokens: Vec<Token>,
    pub(crate) sentences: Vec<Sentence>,
    pub(crate) paragraphs: Vec<Paragraph>,
}

impl Tokenized {
    /// The comparison text: each word's comparison form, separated by one space; a run
    /// of a script without spaces appears once, its n-gram tokens overlapping in it.
    /// Character shingles are taken from this text.
    #[must_use]
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// All tokens in text order.
    #[must_use]
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// All sentences in text order.
    #[must_use]
    pub fn sentences(&self) -> &[Sentence] {
        &self.sentences
    }

    /// All paragraphs in text order.
    #[must_use]
    pub fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    /// The comparison form of a token of this text.
    #[must_use]
    pub fn norm(&self, token: &Token) -> &str {
        token.norm.slice(&self.normalized)
    }

    /// The tokens of one sentence of this text.
    #[must_use]
    pub fn sentence_tokens(&self, sentence: &Sentence) -> &[Token] {
        self.tokens.get(sentence.tokens.clone()).unwrap_or(&[])
    }

    /// The rare-token candidates (see [`Token::is_rare_candidate`]) in text order.
    pub fn rare_tokens(&self) -> impl Iterator<Item = &Token> + '_ {
        self.tokens.iter().filter(|t| t.is_rare_candidate())
    }

    /// Empties every buffer, keeping their capacity.
    pub fn clear(&mut self) {
        self.normalized.clear();
        self.tokens.clear();
        self.sentences.clear();
        self.paragraphs.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_slice_is_safe_on_foreign_text() {
        let s = Span::new(1, 3);
        assert_eq!(s.slice("abcd"), "bc");
        assert_eq!(s.slice("a"), "");
        assert_eq!(Span::new(0, 1).slice("é"), "");
        assert_eq!(s.len(), 2);
        assert!(Span::new(3, 3).is_empty());
    }

    #[test]
    fn flags_compose() {
        let mut f = TokenFlags::NONE;
        f.insert(TokenFlags::CAPITALIZED);
        assert!(f.contains(TokenFlags::CAPITALIZED));
        assert!(!f.contains(TokenFlags::NUMERIC));
        let t = Token {
            span: Span::new(0, 2),
            norm: Span::new(0, 2),
            hash: 0,
            sentence: 0,
            flags: f,
        };
        assert!(t.is_rare_candidate());
        let t = Token {
            flags: f.union(TokenFlags::SENTENCE_START),
            ..t
        };
        assert!(!t.is_rare_candidate());
        let initial = Token {
            span: Span::new(0, 1),
            flags: f,
            ..t
        };
        assert!(!initial.is_rare_candidate());
        let digit = Token {
            flags: TokenFlags::HAS_DIGIT.union(TokenFlags::NUMERIC),
            ..initial
        };
        assert!(digit.is_rare_candidate());
    }
}
