//! Settings of the tokenize stage: a plain serde struct the CLI and config files change.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default seed of the shingle hash ("recoupe!" in ASCII). Changing it changes every
/// hash; it is part of the on-disk format of anything that stores shingles.
pub const DEFAULT_SEED: u64 = 0x7265_636f_7570_6521;

/// Largest accepted n-gram size (words or characters).
pub const MAX_NGRAM: usize = 32;

/// Where paragraphs end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParagraphBreak {
    /// Every line break ends a paragraph (and a sentence). Right for extracted news
    /// text, where one line is one paragraph, a headline or a caption.
    #[default]
    Line,
    /// Only blank lines end a paragraph; a single line break inside a paragraph does not
    /// end a sentence unless the line ends with sentence punctuation. Right for
    /// hard-wrapped text (e-mail, plain-text wires).
    BlankLine,
}

/// How text is normalized, segmented and shingled.
///
/// Every field has a default (see [`TokenizeConfig::default`]); a config file only names
/// what it changes. Unknown fields are rejected so a typo is not silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenizeConfig {
    /// Words per word shingle (default 3).
    pub word_ngram: usize,
    /// Characters per character shingle, counted on the normalized text (default 5).
    pub char_ngram: usize,
    /// Characters per token in scripts written without spaces (Han, Kana, Thai, Lao,
    /// Khmer, Myanmar); default 2, i.e. overlapping bigrams.
    pub cjk_ngram: usize,
    /// Remove the accents of Latin, Greek and Cyrillic letters (é -> e, ñ -> n, й -> и)
    /// in the comparison form (default true: sources differ on accented capitals such as
    /// "Etat"/"État", and the loss of distinctions is negligible for event matching).
    pub fold_diacritics: bool,
    /// Split elided articles and pronouns off the word they precede ("l'armée" ->
    /// "l" + "armée", "d'Ukraine" -> "d" + "Ukraine"), so the content word is a token of
    /// its own and keeps its capital (default true).
    pub split_elisions: bool,
    /// Where paragraphs end (default: at every line break).
    pub paragraph_break: ParagraphBreak,
    /// Seed of the shingle hash (default [`DEFAULT_SEED`]).
    pub seed: u64,
}

impl Default for TokenizeConfig {
    fn default() -> Self {
        Self {
            word_ngram: 3,
            char_ngram: 5,
            cjk_ngram: 2,
            fold_diacritics: true,
            split_elisions: true,
            paragraph_break: ParagraphBreak::Line,
            seed: DEFAULT_SEED,
        }
    }
}

impl TokenizeConfig {
    /// Checks every value is in range.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("word_ngram", self.word_ngram),
            ("char_ngram", self.char_ngram),
            ("cjk_ngram", self.cjk_ngram),
        ] {
            if value == 0 || value > MAX_NGRAM {
                return Err(Error::InvalidConfig {
                    field,
                    value: value.to_string(),
                    expected: "an n-gram size between 1 and 32",
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_round_trips_through_json() {
        let config = TokenizeConfig::default();
        config.validate().unwrap();
        let json = serde_json::to_string(&config).unwrap();
        let back: TokenizeConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn partial_json_keeps_defaults_and_unknown_fields_fail() {
        let config: TokenizeConfig = serde_json::from_str(r#"{"word_ngram": 5}"#).unwrap();
        assert_eq!(config.word_ngram, 5);
        assert_eq!(config.char_ngram, 5);
        assert!(serde_json::from_str::<TokenizeConfig>(r#"{"word_gram": 5}"#).is_err());
    }

    #[test]
    fn zero_and_huge_ngrams_are_rejected() {
        let config = TokenizeConfig {
            char_ngram: 0,
            ..TokenizeConfig::default()
        };
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("char_ngram"), "{err}");
        let config = TokenizeConfig {
            word_ngram: 33,
            ..TokenizeConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
