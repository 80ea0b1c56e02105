//! [`LanguageDetector`]: bad-input checks, sampling, whatlang, then (feature `hybrid`)
//! lingua re-ranking of whatlang's top candidates for short or unreliable text.

use crate::config::LangConfig;
use crate::detection::{Detected, Detection, Method, Undetermined};
use crate::input;
use crate::lang::Lang;
use crate::sample;

/// Detects the language of a text. Cheap to share across threads (`Send + Sync`); build it
/// once with [`LanguageDetectorBuilder`](crate::LanguageDetectorBuilder).
#[derive(Debug)]
pub struct LanguageDetector {
    config: LangConfig,
    whatlang: whatlang::Detector,
    /// `allowed[lang.index()]`: fast allow-list test.
    allowed: [bool; Lang::ALL.len()],
    #[cfg(feature = "hybrid")]
    refiner: Option<crate::refine::Refiner>,
}

impl LanguageDetector {
    /// A detector with [`LangConfig::default`] (all languages, refinement when compiled in).
    pub fn new() -> Self {
        Self::from_valid_config(LangConfig::default())
    }

    pub(crate) fn from_valid_config(config: LangConfig) -> Self {
        let mut allowed = [config.allow.is_none(); Lang::ALL.len()];
        let whatlang = match &config.allow {
            Some(list) => {
                for lang in list {
                    allowed[lang.index()] = true;
                }
                whatlang::Detector::with_allowlist(list.iter().map(|l| l.to_whatlang()).collect())
            }
            None => whatlang::Detector::new(),
        };
        #[cfg(feature = "hybrid")]
        let refiner = config.refine.then(|| {
            if config.preload {
                let langs: Vec<Lang> = Lang::ALL
                    .into_iter()
                    .filter(|l| allowed[l.index()])
                    .collect();
                crate::refine::Refiner::preload(&langs);
            }
            crate::refine::Refiner::new()
        });
        Self {
            config,
            whatlang,
            allowed,
            #[cfg(feature = "hybrid")]
            refiner,
        }
    }

    /// The settings this detector was built with.
    pub fn config(&self) -> &LangConfig {
        &self.config
    }

    /// Detects the language of `text`, or says why it cannot.
    pub fn detect(&self, text: &str) -> Detection {
        if let Some(reason) = input::classify(text, self.config.min_letters) {
            return Detection::Undetermined(reason);
        }
        let sampled = sample::sample(text, self.config.max_sample_bytes);
        let is_sampled = sampled.len() != text.len();
        let Some(info) = self.whatlang.detect(&sampled) else {
            return Detection::Undetermined(Undetermined::NotAllowed);
        };
        let lang = Lang::from_whatlang(info.lang());
        let mut detected = Detected {
            lang,
            confidence: info.confidence(),
            reliable: false,
            method: if info.script().langs().len() == 1 {
                Method::Script
            } else {
                Method::Statistical
            },
            sampled: is_sampled,
        };
        if detected.method == Method::Statistical {
            self.refine(&sampled, &mut detected);
        }
        detected.reliable = detected.confidence >= self.config.reliable_confidence;
        if detected.confidence < self.config.min_confidence {
            return Detection::Undetermined(Undetermined::LowConfidence {
                best: detected.lang,
                confidence: detected.confidence,
            });
        }
        Detection::Detected(detected)
    }

    #[cfg(feature = "hybrid")]
    /// Whatlang's candidates for `text`, best first, restricted to the allow-list; `None`
    /// when the script names one language (or the Han/kana split), which is final.
    fn candidates(&self, text: &str) -> Option<Vec<Lang>> {
        match whatlang::dev::raw_detect(text).lang_info? {
            whatlang::dev::RawLangInfo::MultiScript(raw) => Some(
                raw.scores
                    .iter()
                    .map(|(l, _)| Lang::from_whatlang(*l))
                    .filter(|l| self.allowed[l.index()])
                    .collect(),
            ),
            whatlang::dev::RawLangInfo::OneScript(_) | whatlang::dev::RawLangInfo::Mandarin(_) => {
                None
            }
        }
    }

    #[cfg(feature = "hybrid")]
    fn refine(&self, text: &str, detected: &mut Detected) {
        let Some(refiner) = &self.refiner else {
            return;
        };
        let short = text.chars().count() < self.config.refine_below_chars;
        if !short && detected.confidence >= self.config.reliable_confidence {
            return;
        }
        // The winner must be scored by lingua too, or re-ranking would only demote it.
        if detected.lang.to_lingua().is_none() {
            return;
        }
        let Some(candidates) = self.candidates(text) else {
            return;
        };
        let mut top: Vec<Lang> = candidates
            .into_iter()
            .filter(|l| l.to_lingua().is_some())
            .take(self.config.refine_candidates)
            .collect();
        if !top.contains(&detected.lang) {
            top.insert(0, detected.lang);
            top.truncate(self.config.refine_candidates);
        }
        if top.len() < 2 {
            return;
        }
        if let Some((lang, confidence)) = refiner.rerank(text, &top) {
            detected.lang = lang;
            detected.confidence = confidence;
            detected.method = Method::Refined;
        }
    }

    #[cfg(not(feature = "hybrid"))]
    fn refine(&self, _text: &str, _detected: &mut Detected) {}
}

impl Default for LanguageDetector {
    fn default() -> Self {
        Self::new()
    }
}
