//! Language detection on any text (bytes as UTF-8, lossily) under one of four detector
//! settings chosen by the first byte: no panic, confidence in `[0, 1]`, reliability and
//! confidence floors honoured, undetermined reasons that match the text, the allow-list
//! kept, and a per-paragraph result whose ranges, letter counts and shares add up.

use std::sync::OnceLock;

use recoupe_lang::{Detection, Lang, LanguageDetector, LanguageDetectorBuilder, Undetermined};

/// The detector settings fuzzed: defaults; a small allow-list with refinement of short
/// text; whatlang alone with confidence and letter floors; the smallest sampling window.
fn detectors() -> &'static [LanguageDetector] {
    static DETECTORS: OnceLock<Vec<LanguageDetector>> = OnceLock::new();
    DETECTORS.get_or_init(|| {
        let builders = [
            LanguageDetectorBuilder::new(),
            LanguageDetectorBuilder::new()
                .allow([Lang::French, Lang::English, Lang::German, Lang::Spanish])
                .refine_below_chars(40),
            LanguageDetectorBuilder::new()
                .refine(false)
                .min_confidence(0.3)
                .min_letters(1),
            LanguageDetectorBuilder::new()
                .max_sample_bytes(64)
                .min_letters(10)
                .mixed_min_letters(1),
        ];
        builders
            .into_iter()
            .map(|b| match b.build() {
                Ok(d) => d,
                Err(e) => panic!("fuzz detector settings rejected: {e}"),
            })
            .collect()
    })
}

/// Panics when an invariant of language detection breaks on `data`.
pub fn check(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let all = detectors();
    let detector = &all[usize::from(selector) % all.len()];
    let text = String::from_utf8_lossy(rest);

    let whole = detector.detect(&text);
    check_detection(detector, &text, &whole);

    let doc = detector.detect_paragraphs(&text);
    assert_eq!(doc.main, whole, "document language differs from detect()");
    let mut prev_end = 0;
    for p in &doc.paragraphs {
        let Some(para) = text.get(p.range.clone()) else {
            panic!("paragraph range {:?} does not slice the text", p.range);
        };
        assert!(p.range.start >= prev_end, "paragraphs overlap or go back");
        prev_end = p.range.end;
        assert!(!para.is_empty());
        assert_eq!(para, para.trim(), "paragraph not trimmed");
        assert!(!para.contains('\n'), "paragraph spans a line break");
        assert_eq!(
            p.letters,
            para.chars().filter(|c| c.is_alphabetic()).count()
        );
        check_detection(detector, para, &p.detection);
    }
    let mut total_share = 0.0;
    for (i, share) in doc.languages.iter().enumerate() {
        assert!((0.0..=1.0).contains(&share.share), "share {}", share.share);
        total_share += share.share;
        let letters: usize = doc
            .paragraphs
            .iter()
            .filter(|p| p.detection.lang() == Some(share.lang))
            .map(|p| p.letters)
            .sum();
        assert_eq!(share.letters, letters, "letters of {}", share.lang);
        if let Some(next) = doc.languages.get(i + 1) {
            assert!(share.letters >= next.letters, "languages not sorted");
            assert_ne!(share.lang, next.lang);
        }
    }
    let determined_letters: usize = doc.languages.iter().map(|s| s.letters).sum();
    if determined_letters > 0 {
        assert!(
            (total_share - 1.0).abs() < 1e-9,
            "shares add to {total_share}"
        );
    }
    if doc.mixed {
        assert!(doc.languages.len() >= 2, "mixed with one language");
    }
}

/// The invariants of one detection of `text`.
fn check_detection(detector: &LanguageDetector, text: &str, detection: &Detection) {
    let config = detector.config();
    let confidence = detection.confidence();
    assert!(
        (0.0..=1.0).contains(&confidence),
        "confidence {confidence} out of [0, 1]"
    );
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    match detection {
        Detection::Detected(d) => {
            assert!(
                letters >= config.min_letters.max(1),
                "detected with {letters} letters"
            );
            assert_eq!(d.reliable, d.confidence >= config.reliable_confidence);
            assert!(d.confidence >= config.min_confidence);
            if let Some(allow) = &config.allow {
                assert!(allow.contains(&d.lang), "{} outside the allow-list", d.lang);
            }
        }
        Detection::Undetermined(reason) => {
            assert!(!detection.is_reliable());
            match *reason {
                Undetermined::Empty => assert!(text.is_empty()),
                Undetermined::Whitespace
                | Undetermined::DigitsOnly
                | Undetermined::EmojiOnly
                | Undetermined::NoLetters => {
                    assert!(!text.is_empty());
                    assert_eq!(letters, 0, "{reason} on text with letters");
                }
                Undetermined::TooShort {
                    letters: found,
                    min_letters,
                } => {
                    assert_eq!(found, letters);
                    assert!(found > 0 && found < min_letters);
                    assert_eq!(min_letters, config.min_letters.max(1));
                }
                Undetermined::LowConfidence { best, confidence } => {
                    assert!((0.0..=1.0).contains(&confidence));
                    assert!(confidence < config.min_confidence);
                    if let Some(allow) = &config.allow {
                        assert!(allow.contains(&best));
                    }
                }
                Undetermined::NotAllowed => assert!(letters >= config.min_letters.max(1)),
                _ => {}
            }
        }
    }
}
