//! Settings ([`LangConfig`], serde, for the CLI and config files) and the validating
//! [`LanguageDetectorBuilder`].

use serde::{Deserialize, Serialize};

use crate::detector::LanguageDetector;
use crate::error::{Error, Result};
use crate::lang::Lang;

/// Detector settings. Every field has a default (`#[serde(default)]`), so a config file
/// only names what it changes. Validated by [`LanguageDetectorBuilder::build`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LangConfig {
    /// Languages the detector may answer; `None` allows all of [`Lang::ALL`].
    pub allow: Option<Vec<Lang>>,
    /// Fewer letters than this is [`Undetermined::TooShort`](crate::Undetermined::TooShort).
    pub min_letters: usize,
    /// Confidence floor in `[0, 1]`: below it the answer is
    /// [`Undetermined::LowConfidence`](crate::Undetermined::LowConfidence). 0 keeps every guess
    /// (still marked unreliable).
    pub min_confidence: f64,
    /// Confidence in `[0, 1]` from which a detection is reliable.
    pub reliable_confidence: f64,
    /// Texts longer than this many bytes are sampled (a few windows) so detection time is
    /// bounded. At least 64.
    pub max_sample_bytes: usize,
    /// Re-rank the candidates with lingua's n-gram models for short or unreliable text
    /// (needs the `hybrid` feature; defaults to whether it is compiled in).
    pub refine: bool,
    /// Texts with fewer characters than this skip whatlang's trigrams and go straight to the
    /// refinement over every language of their script (0: whatlang always runs first and
    /// its confidence alone decides).
    pub refine_below_chars: usize,
    /// Texts are refined when whatlang's confidence is below this, in `[0, 1]`.
    pub refine_below_confidence: f64,
    /// How many of whatlang's best candidates are re-ranked, at most (longer unsure text).
    /// At least 2; default all.
    pub refine_candidates: usize,
    /// Only candidates whose whatlang score is at least this fraction of the best score are
    /// re-ranked, in `[0, 1]`: fewer candidates, less time, for almost no accuracy.
    pub refine_min_score_ratio: f64,
    /// How many candidates, the best on 1- to 3-grams, get lingua's full 1- to 5-gram score
    /// (the costly part). At least 1.
    pub refine_full_candidates: usize,
    /// When refining, keep whatlang's answer if that language has no n-gram model (Uzbek,
    /// Javanese, Yiddish, … — 13 of the 70); by default the candidates with a model decide.
    pub keep_unmodelled_best: bool,
    /// Build the refinement's 1- to 3-gram table when the detector is built instead of on
    /// first use (~0.3 s of CPU; the transducers need no loading).
    pub preload: bool,
    /// Paragraphs with fewer letters than this do not count towards the mixed-language flag.
    pub mixed_min_letters: usize,
}

impl Default for LangConfig {
    fn default() -> Self {
        Self {
            allow: None,
            min_letters: 3,
            min_confidence: 0.0,
            reliable_confidence: 0.9,
            max_sample_bytes: 2048,
            refine: cfg!(feature = "hybrid"),
            refine_below_chars: 60,
            refine_below_confidence: 0.9,
            refine_candidates: Lang::ALL.len(),
            refine_min_score_ratio: 0.0,
            refine_full_candidates: 5,
            keep_unmodelled_best: false,
            preload: false,
            mixed_min_letters: 20,
        }
    }
}

/// Builds a [`LanguageDetector`], checking the settings.
///
/// ```
/// use recoupe_lang::{Lang, LanguageDetectorBuilder};
///
/// let detector = LanguageDetectorBuilder::new()
///     .allow_codes(["fr", "en", "deu"])
///     .min_confidence(0.2)
///     .build()?;
/// assert_eq!(detector.config().allow.as_deref(), Some(&[Lang::French, Lang::English, Lang::German][..]));
/// # Ok::<(), recoupe_lang::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct LanguageDetectorBuilder {
    config: LangConfig,
    codes: Vec<String>,
}

impl LanguageDetectorBuilder {
    /// Starts from [`LangConfig::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from the given settings.
    pub fn from_config(config: LangConfig) -> Self {
        Self {
            config,
            codes: Vec::new(),
        }
    }

    /// Allows only these languages (replaces any earlier allow-list).
    pub fn allow(mut self, langs: impl IntoIterator<Item = Lang>) -> Self {
        self.config.allow = Some(langs.into_iter().collect());
        self.codes.clear();
        self
    }

    /// Allows only these ISO 639-1 or 639-3 codes; unknown codes fail at [`build`](Self::build).
    pub fn allow_codes<S: AsRef<str>>(mut self, codes: impl IntoIterator<Item = S>) -> Self {
        self.config.allow = Some(Vec::new());
        self.codes = codes.into_iter().map(|c| c.as_ref().to_owned()).collect();
        self
    }

    /// See [`LangConfig::min_letters`].
    pub fn min_letters(mut self, n: usize) -> Self {
        self.config.min_letters = n;
        self
    }

    /// See [`LangConfig::min_confidence`].
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.config.min_confidence = c;
        self
    }

    /// See [`LangConfig::reliable_confidence`].
    pub fn reliable_confidence(mut self, c: f64) -> Self {
        self.config.reliable_confidence = c;
        self
    }

    /// See [`LangConfig::max_sample_bytes`].
    pub fn max_sample_bytes(mut self, n: usize) -> Self {
        self.config.max_sample_bytes = n;
        self
    }

    /// See [`LangConfig::refine`].
    pub fn refine(mut self, on: bool) -> Self {
        self.config.refine = on;
        self
    }

    /// See [`LangConfig::refine_below_chars`].
    pub fn refine_below_chars(mut self, n: usize) -> Self {
        self.config.refine_below_chars = n;
        self
    }

    /// See [`LangConfig::refine_below_confidence`].
    pub fn refine_below_confidence(mut self, c: f64) -> Self {
        self.config.refine_below_confidence = c;
        self
    }

    /// See [`LangConfig::refine_candidates`].
    pub fn refine_candidates(mut self, n: usize) -> Self {
        self.config.refine_candidates = n;
        self
    }

    /// See [`LangConfig::refine_full_candidates`].
    pub fn refine_full_candidates(mut self, n: usize) -> Self {
        self.config.refine_full_candidates = n;
        self
    }

    /// See [`LangConfig::keep_unmodelled_best`].
    pub fn keep_unmodelled_best(mut self, on: bool) -> Self {
        self.config.keep_unmodelled_best = on;
        self
    }

    /// See [`LangConfig::refine_min_score_ratio`].
    pub fn refine_min_score_ratio(mut self, r: f64) -> Self {
        self.config.refine_min_score_ratio = r;
        self
    }

    /// See [`LangConfig::preload`].
    pub fn preload(mut self, on: bool) -> Self {
        self.config.preload = on;
        self
    }

    /// See [`LangConfig::mixed_min_letters`].
    pub fn mixed_min_letters(mut self, n: usize) -> Self {
        self.config.mixed_min_letters = n;
        self
    }

    /// Checks the settings and builds the detector.
    pub fn build(self) -> Result<LanguageDetector> {
        let mut config = self.config;
        if !self.codes.is_empty() {
            let langs = self
                .codes
                .iter()
                .map(|c| c.parse::<Lang>())
                .collect::<Result<Vec<_>>>()?;
            config.allow = Some(langs);
        }
        if let Some(allow) = &mut config.allow {
            if allow.is_empty() {
                return Err(Error::EmptyAllowList);
            }
            let mut seen = std::collections::HashSet::new();
            allow.retain(|l| seen.insert(*l));
        }
        check_unit("min_confidence", config.min_confidence)?;
        check_unit("reliable_confidence", config.reliable_confidence)?;
        check_unit("refine_min_score_ratio", config.refine_min_score_ratio)?;
        check_unit("refine_below_confidence", config.refine_below_confidence)?;
        if config.max_sample_bytes < 64 {
            return Err(Error::OutOfRange {
                name: "max_sample_bytes",
                value: config.max_sample_bytes as f64,
                expected: "at least 64",
            });
        }
        if config.refine_candidates < 2 {
            return Err(Error::OutOfRange {
                name: "refine_candidates",
                value: config.refine_candidates as f64,
                expected: "at least 2",
            });
        }
        if config.refine_full_candidates < 1 {
            return Err(Error::OutOfRange {
                name: "refine_full_candidates",
                value: config.refine_full_candidates as f64,
                expected: "at least 1",
            });
        }
        if config.refine && !cfg!(feature = "hybrid") {
            return Err(Error::HybridDisabled);
        }
        Ok(LanguageDetector::from_valid_config(config))
    }
}

fn check_unit(name: &'static str, value: f64) -> Result<()> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            name,
            value,
            expected: "a number in [0, 1]",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_settings_are_errors() {
        assert!(matches!(
            LanguageDetectorBuilder::new().allow([]).build(),
            Err(Error::EmptyAllowList)
        ));
        assert!(matches!(
            LanguageDetectorBuilder::new().allow_codes(["fr", "zz"]).build(),
            Err(Error::UnknownLanguageCode { code }) if code == "zz"
        ));
        assert!(matches!(
            LanguageDetectorBuilder::new().min_confidence(1.5).build(),
            Err(Error::OutOfRange {
                name: "min_confidence",
                ..
            })
        ));
        assert!(matches!(
            LanguageDetectorBuilder::new()
                .min_confidence(f64::NAN)
                .build(),
            Err(Error::OutOfRange { .. })
        ));
        assert!(matches!(
            LanguageDetectorBuilder::new().max_sample_bytes(10).build(),
            Err(Error::OutOfRange {
                name: "max_sample_bytes",
                ..
            })
        ));
        assert!(matches!(
            LanguageDetectorBuilder::new().refine_candidates(1).build(),
            Err(Error::OutOfRange {
                name: "refine_candidates",
                ..
            })
        ));
    }

    #[test]
    fn config_round_trips_through_json() -> anyhow::Result<()> {
        let config: LangConfig =
            serde_json::from_str(r#"{"allow": ["fr", "eng"], "min_letters": 5}"#)?;
        assert_eq!(config.allow, Some(vec![Lang::French, Lang::English]));
        assert_eq!(config.min_letters, 5);
        assert_eq!(
            config.max_sample_bytes,
            LangConfig::default().max_sample_bytes
        );
        let back: LangConfig = serde_json::from_str(&serde_json::to_string(&config)?)?;
        assert_eq!(back, config);
        assert!(serde_json::from_str::<LangConfig>(r#"{"alow": ["fr"]}"#).is_err());
        Ok(())
    }
}
