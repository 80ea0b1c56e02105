//! Short-text refinement (feature `hybrid`): lingua's n-gram models re-rank the top
//! candidates whatlang proposes.
//!
//! Why restricted to whatlang's candidates: lingua's cost grows with the number of
//! languages it scores (one model lookup per n-gram per language), and its errors on short
//! text are mostly close relatives that whatlang had already ruled out. Scoring 3–6
//! candidates instead of ~57 is where the speed comes from; which candidates is where the
//! accuracy comes from. Lingua keeps its models in a process-wide map, so one lingua
//! detector per candidate set shares them; we cache those detectors by candidate bit set.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::lang::Lang;

/// Candidate set as a bit set over [`Lang::ALL`] (70 languages fit in a `u128`).
type Key = u128;

/// Candidate sets kept in the cache; past it, detectors are built per call.
const MAX_CACHED_SETS: usize = 4096;

pub(crate) struct Refiner {
    detectors: RwLock<HashMap<Key, Arc<lingua::LanguageDetector>>>,
}

impl std::fmt::Debug for Refiner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cached = self.detectors.read().map(|m| m.len()).unwrap_or_default();
        f.debug_struct("Refiner")
            .field("cached_sets", &cached)
            .finish()
    }
}

impl Refiner {
    pub(crate) fn new() -> Self {
        Self {
            detectors: RwLock::new(HashMap::new()),
        }
    }

    /// Loads every lingua model we may use, so the first detections are not slow.
    pub(crate) fn preload(allowed: &[Lang]) {
        let langs: Vec<lingua::Language> = allowed.iter().filter_map(|l| l.to_lingua()).collect();
        if langs.len() >= 2 {
            // Models live in lingua's process-wide store: building once is enough.
            let _ = lingua::LanguageDetectorBuilder::from_languages(&langs)
                .with_preloaded_language_models()
                .build();
        }
    }

    /// Re-ranks `candidates` (best first, at least two with a lingua model) for `text`.
    /// Returns the winner and lingua's confidence for it, or `None` when lingua has no
    /// evidence (every confidence zero).
    pub(crate) fn rerank(&self, text: &str, candidates: &[Lang]) -> Option<(Lang, f64)> {
        let key = candidates
            .iter()
            .fold(0u128, |k, l| k | (1u128 << l.index()));
        let detector = self.detector_for(key, candidates)?;
        let values = detector.compute_language_confidence_values(text);
        // Deterministic choice on ties: highest confidence, then whatlang's rank.
        let mut best: Option<(Lang, f64, usize)> = None;
        for (lingua_lang, confidence) in values {
            // lingua sums over hash maps, so the last bits vary between runs: round them
            // away to keep results identical across runs and thread counts.
            let confidence = (confidence * 1e6).round() / 1e6;
            let Some(lang) = Lang::from_lingua(lingua_lang) else {
                continue;
            };
            let rank = candidates
                .iter()
                .position(|c| *c == lang)
                .unwrap_or(usize::MAX);
            let better = match best {
                None => true,
                Some((_, c, r)) => confidence > c || (confidence == c && rank < r),
            };
            if better {
                best = Some((lang, confidence, rank));
            }
        }
        best.filter(|(_, c, _)| *c > 0.0).map(|(l, c, _)| (l, c))
    }

    fn detector_for(&self, key: Key, candidates: &[Lang]) -> Option<Arc<lingua::LanguageDetector>> {
        if let Some(d) = self
            .detectors
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
        {
            return Some(Arc::clone(d));
        }
        let langs: Vec<lingua::Language> =
            candidates.iter().filter_map(|l| l.to_lingua()).collect();
        // lingua switches to a one-language mode below two languages; callers never ask it.
        if langs.len() < 2 {
            return None;
        }
        let built = Arc::new(lingua::LanguageDetectorBuilder::from_languages(&langs).build());
        let mut map = self
            .detectors
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Bound memory on adversarial input: past the cap, build without caching (a
        // detector costs a few kilobytes and microseconds; the models are shared anyway).
        if map.len() >= MAX_CACHED_SETS && !map.contains_key(&key) {
            return Some(built);
        }
        Some(Arc::clone(map.entry(key).or_insert(built)))
    }
}
