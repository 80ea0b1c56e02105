//! Per-paragraph detection and the mixed-language flag.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::detection::Detection;
use crate::detector::LanguageDetector;
use crate::input::count_letters;
use crate::lang::Lang;

/// One paragraph (a non-blank line) and its language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphLanguage {
    /// Byte range of the paragraph in the original text, whitespace trimmed.
    pub range: Range<usize>,
    /// Letters in the paragraph.
    pub letters: usize,
    /// Its detection.
    pub detection: Detection,
}

/// How much of a document is in one language.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LangShare {
    /// The language.
    pub lang: Lang,
    /// Letters in paragraphs detected as this language.
    pub letters: usize,
    /// `letters` over the letters of all determined paragraphs.
    pub share: f64,
}

/// Languages of a whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentLanguages {
    /// The document's language, detected on the whole (sampled) text.
    pub main: Detection,
    /// Every non-blank line, in order.
    pub paragraphs: Vec<ParagraphLanguage>,
    /// Languages of the determined paragraphs by letter share, largest first.
    pub languages: Vec<LangShare>,
    /// At least two languages each have a reliable paragraph of
    /// [`LangConfig::mixed_min_letters`](crate::LangConfig::mixed_min_letters) letters or more.
    pub mixed: bool,
}

impl DocumentLanguages {
    /// Paragraphs whose reliable language differs from the main one (e.g. a stray English
    /// instruction in a French article).
    pub fn foreign_paragraphs(&self) -> impl Iterator<Item = &ParagraphLanguage> {
        let main = self.main.lang();
        self.paragraphs
            .iter()
            .filter(move |p| p.detection.is_reliable() && p.detection.lang() != main)
    }
}

impl LanguageDetector {
    /// Detects the whole text and each of its paragraphs (non-blank lines: news text puts
    /// one paragraph per line), and flags the document as mixed-language.
    ///
    /// Time is linear in the text length: each paragraph is bounded by the sampling limit.
    pub fn detect_paragraphs(&self, text: &str) -> DocumentLanguages {
        let main = self.detect(text);
        let mut paragraphs = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset + (line.len() - line.trim_start().len());
            let end = offset + line.trim_end().len();
            offset += line.len();
            if start >= end {
                continue;
            }
            let para = &text[start..end];
            paragraphs.push(ParagraphLanguage {
                range: start..end,
                letters: count_letters(para),
                detection: self.detect(para),
            });
        }

        let mut totals: Vec<(Lang, usize, bool)> = Vec::new();
        for p in &paragraphs {
            let Some(lang) = p.detection.lang() else {
                continue;
            };
            let counts = p.detection.is_reliable() && p.letters >= self.config().mixed_min_letters;
            match totals.iter_mut().find(|(l, _, _)| *l == lang) {
                Some(entry) => {
                    entry.1 += p.letters;
                    entry.2 |= counts;
                }
                None => totals.push((lang, p.letters, counts)),
            }
        }
        let all: usize = totals.iter().map(|(_, n, _)| n).sum();
        let mixed = totals.iter().filter(|(_, _, counts)| *counts).count() >= 2;
        totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let languages = totals
            .into_iter()
            .map(|(lang, letters, _)| LangShare {
                lang,
                letters,
                share: if all == 0 {
                    0.0
                } else {
                    letters as f64 / all as f64
                },
            })
            .collect();
        DocumentLanguages {
            main,
            paragraphs,
            languages,
            mixed,
        }
    }
}
