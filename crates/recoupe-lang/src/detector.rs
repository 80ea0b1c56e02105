//! [`LanguageDetector`]: bad-input checks, sampling, whatlang, then (feature `hybrid`)
//! the n-gram refinement for short or unreliable text.

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
        // The one start-up cost of the refinement: the 1- to 3-gram table (the transducers
        // are used in place).
        #[cfg(feature = "hybrid")]
        if config.refine && config.preload {
            crate::low_order::table();
        }
        Self {
            config,
            whatlang,
            allowed,
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
        // whatlang answers a one-language script (Greek, Hangul, …) whatever its allow-list.
        let Some(mut detected) = self
            .detect_sampled(&sampled)
            .filter(|d| self.allowed[d.lang.index()])
        else {
            return Detection::Undetermined(Undetermined::NotAllowed);
        };
        detected.sampled = is_sampled;
        detected.reliable = detected.confidence >= self.config.reliable_confidence;
        if detected.confidence < self.config.min_confidence {
            return Detection::Undetermined(Undetermined::LowConfidence {
                best: detected.lang,
                confidence: detected.confidence,
            });
        }
        Detection::Detected(detected)
    }

    /// whatlang's answer as a [`Detected`] (not yet marked reliable or sampled).
    fn whatlang_detect(&self, text: &str) -> Option<Detected> {
        let info = self.whatlang.detect(text)?;
        Some(Detected {
            lang: Lang::from_whatlang(info.lang()),
            confidence: info.confidence(),
            reliable: false,
            method: if info.script().langs().len() == 1 {
                Method::Script
            } else {
                Method::Statistical
            },
            sampled: false,
        })
    }

    #[cfg(not(feature = "hybrid"))]
    fn detect_sampled(&self, text: &str) -> Option<Detected> {
        self.whatlang_detect(text)
    }

    #[cfg(feature = "hybrid")]
    fn detect_sampled(&self, text: &str) -> Option<Detected> {
        if !self.config.refine {
            return self.whatlang_detect(text);
        }
        let short = self.config.refine_below_chars > 0
            && text.chars().count() < self.config.refine_below_chars;
        if short && !self.config.keep_unmodelled_best {
            if let Some(detected) = self.refine_short(text) {
                return Some(detected);
            }
        }
        // One whatlang pass gives both its answer and the ranked candidates; a script that
        // decides alone (Greek, Han/kana, …) goes through whatlang's own detector.
        let Some(ranked) = self.ranked_candidates(text) else {
            return self.whatlang_detect(text);
        };
        let (best, best_score) = *ranked.scores.first()?;
        let second = ranked.scores.get(1).map_or(0.0, |s| s.1);
        let mut detected = Detected {
            lang: best,
            confidence: whatlang_confidence(best_score, second, ranked.count),
            reliable: false,
            method: Method::Statistical,
            sampled: false,
        };
        if !short && detected.confidence >= self.config.refine_below_confidence {
            return Some(detected);
        }
        // An unsure whatlang answer without an n-gram model (Uzbek, Javanese, Yiddish, …)
        // cannot be checked: by default it yields to the candidates that have one (on short
        // text whatlang picks these languages far more often wrongly than rightly).
        if self.config.keep_unmodelled_best && !crate::models::has_model(best) {
            return Some(detected);
        }
        let floor = best_score * self.config.refine_min_score_ratio;
        let top: Vec<Lang> = ranked
            .scores
            .iter()
            .take(self.config.refine_candidates)
            .filter(|(l, s)| *s >= floor && crate::models::has_model(*l))
            .map(|(l, _)| *l)
            .collect();
        if let Some((lang, confidence)) =
            crate::refine::rerank(text, &top, self.config.refine_full_candidates)
        {
            detected.lang = lang;
            detected.confidence = confidence;
            detected.method = Method::Refined;
        }
        Some(detected)
    }

    /// Short text: whatlang's trigrams are skipped (on a few words they are the weaker
    /// model, and they would cost as much as the refinement); every allowed language of the
    /// script is re-ranked. `None` when the script decides alone (one language, Han/kana).
    #[cfg(feature = "hybrid")]
    fn refine_short(&self, text: &str) -> Option<Detected> {
        let script = whatlang::detect_script(text)?;
        let langs: Vec<Lang> = script
            .langs()
            .iter()
            .map(|l| Lang::from_whatlang(*l))
            .filter(|l| self.allowed[l.index()])
            .collect();
        if langs.len() < 2 || langs.contains(&Lang::Chinese) || langs.contains(&Lang::Japanese) {
            return None;
        }
        let (lang, confidence) =
            crate::refine::rerank(text, &langs, self.config.refine_full_candidates)?;
        Some(Detected {
            lang,
            confidence,
            reliable: false,
            method: Method::Refined,
            sampled: false,
        })
    }

    /// whatlang's allowed candidates for `text`, best first, when its script is shared by
    /// several languages; `None` when the script decides (one language, or the Han/kana
    /// split) or no allowed language is left.
    #[cfg(feature = "hybrid")]
    fn ranked_candidates(&self, text: &str) -> Option<Ranked> {
        match whatlang::dev::raw_detect(text).lang_info? {
            whatlang::dev::RawLangInfo::MultiScript(raw) => {
                let scores: Vec<(Lang, f64)> = raw
                    .scores
                    .iter()
                    .map(|(l, s)| (Lang::from_whatlang(*l), *s))
                    .filter(|(l, _)| self.allowed[l.index()])
                    .collect();
                (!scores.is_empty()).then_some(Ranked {
                    scores,
                    count: raw.trigram_raw_outcome.trigrams_count,
                })
            }
            whatlang::dev::RawLangInfo::OneScript(_) | whatlang::dev::RawLangInfo::Mandarin(_) => {
                None
            }
        }
    }
}

#[cfg(feature = "hybrid")]
struct Ranked {
    scores: Vec<(Lang, f64)>,
    count: usize,
}

/// whatlang's confidence from its two best scores (same formula as
/// `whatlang::core::calculate_confidence`, which is not public): 1 when the best leads the
/// runner-up by a margin that shrinks with the number of trigrams seen.
#[cfg(feature = "hybrid")]
fn whatlang_confidence(best: f64, second: f64, count: usize) -> f64 {
    if best <= 0.0 {
        return 0.0;
    }
    if second <= 0.0 {
        return best;
    }
    let confident_rate = 3.0 / count.max(1) as f64 + 0.015;
    let rate = (best - second) / second;
    (rate / confident_rate).min(1.0)
}

impl Default for LanguageDetector {
    fn default() -> Self {
        Self::new()
    }
}
