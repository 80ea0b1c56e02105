//! What a detection returns: a language with its confidence, or "undetermined" with the
//! reason. Never a silent guess.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

/// Which stage decided the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The script belongs to one language only (Greek, Korean, Thai, …).
    Script,
    /// whatlang's trigram and alphabet model.
    Statistical,
    /// The refinement (lingua's n-gram models, our scorer) re-ranked the candidates of the
    /// script or of whatlang (feature `hybrid`).
    Refined,
}

/// A detected language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detected {
    /// The language.
    pub lang: Lang,
    /// Confidence in `[0, 1]`: whatlang's margin over the runner-up, or after refinement
    /// the winner's share of the probability mass of the best candidates (lingua's
    /// confidence; 1 when a letter unique to the language decided).
    pub confidence: f64,
    /// `confidence` reached the detector's reliability threshold.
    pub reliable: bool,
    /// Which stage decided.
    pub method: Method,
    /// The input was longer than the sampling bound and only windows of it were read.
    pub sampled: bool,
}

/// Why no language was given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Undetermined {
    /// The text is empty.
    Empty,
    /// Only whitespace or invisible characters.
    Whitespace,
    /// Digits, optionally with punctuation or symbols, and no letter.
    DigitsOnly,
    /// Emoji, optionally with punctuation, and no letter.
    EmojiOnly,
    /// No letter, but a mix of digits, emoji, punctuation or symbols.
    NoLetters,
    /// Fewer letters than the configured minimum.
    TooShort {
        /// Letters found.
        letters: usize,
        /// The configured minimum (`LangConfig::min_letters`).
        min_letters: usize,
    },
    /// The best language's confidence is below the configured floor.
    LowConfidence {
        /// The best language found.
        best: Lang,
        /// Its confidence.
        confidence: f64,
    },
    /// The text's script or language is outside the allow-list (or unknown to the backend).
    NotAllowed,
}

impl fmt::Display for Undetermined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undetermined::Empty => f.write_str("empty text"),
            Undetermined::Whitespace => f.write_str("only whitespace"),
            Undetermined::DigitsOnly => f.write_str("only digits, no letters"),
            Undetermined::EmojiOnly => f.write_str("only emoji, no letters"),
            Undetermined::NoLetters => f.write_str("no letters"),
            Undetermined::TooShort {
                letters,
                min_letters,
            } => {
                write!(
                    f,
                    "too short: {letters} letters, at least {min_letters} needed"
                )
            }
            Undetermined::LowConfidence { best, confidence } => {
                write!(f, "low confidence: best {best} at {confidence:.2}")
            }
            Undetermined::NotAllowed => f.write_str("no allowed language matches the script"),
        }
    }
}

/// The outcome of detecting one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detection {
    /// A language was found.
    Detected(Detected),
    /// No language, and why.
    Undetermined(Undetermined),
}

impl Detection {
    /// The language, if one was found.
    pub fn lang(&self) -> Option<Lang> {
        match self {
            Detection::Detected(d) => Some(d.lang),
            Detection::Undetermined(_) => None,
        }
    }

    /// Confidence of the found language; 0 when undetermined.
    pub fn confidence(&self) -> f64 {
        match self {
            Detection::Detected(d) => d.confidence,
            Detection::Undetermined(_) => 0.0,
        }
    }

    /// A language was found and its confidence reached the reliability threshold.
    pub fn is_reliable(&self) -> bool {
        matches!(self, Detection::Detected(d) if d.reliable)
    }

    /// The reason, when no language was found.
    pub fn undetermined(&self) -> Option<Undetermined> {
        match self {
            Detection::Detected(_) => None,
            Detection::Undetermined(u) => Some(*u),
        }
    }
}
