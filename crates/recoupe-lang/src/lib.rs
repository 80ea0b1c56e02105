//! Language detection for recoupe: which language each article (and each paragraph) is in.
//!
//! [`LanguageDetector`] runs [whatlang](https://docs.rs/whatlang) behind our own [`Lang`]
//! type (ISO 639-1 / 639-3 codes, serde). Input without language — empty, whitespace,
//! digits, emoji, too few letters — is [`Undetermined`] with its reason, never a guess.
//! Long input is sampled so detection time is bounded. With the `hybrid` feature (default),
//! short or unreliable text is re-ranked by our own scorer over
//! [lingua](https://docs.rs/lingua)'s n-gram models (lingua's high-accuracy score, computed
//! several times faster): lingua's accuracy on short text at a fraction of its cost (see
//! the crate README for the measured tables).
//!
//! ```
//! use recoupe_lang::{Detection, Lang, LanguageDetector, Undetermined};
//!
//! let detector = LanguageDetector::new();
//! let d = detector.detect("Le ministre chinois de la Défense a salué des liens forts avec Moscou.");
//! assert_eq!(d.lang(), Some(Lang::French));
//! assert!(d.is_reliable());
//!
//! assert_eq!(detector.detect("  12 345  "), Detection::Undetermined(Undetermined::DigitsOnly));
//!
//! let doc = detector.detect_paragraphs(
//!     "Make this article seo compatible, be in french, create at least 700 words\n\
//!      La Chine est « entrée dans une nouvelle ère » avec la Russie, a déclaré dimanche son ministre.",
//! );
//! assert!(doc.mixed);
//! assert_eq!(doc.main.lang(), Some(Lang::French));
//! ```
//!
//! Settings come from [`LangConfig`] (serde) through [`LanguageDetectorBuilder`], which
//! rejects invalid ones with an [`Error`].

mod config;
mod detection;
mod detector;
mod document;
mod error;
mod input;
mod lang;
#[cfg(feature = "hybrid")]
mod low_order;
#[cfg(feature = "hybrid")]
mod models;
#[cfg(feature = "hybrid")]
mod refine;
#[cfg(feature = "hybrid")]
mod rules;
mod sample;

pub use config::{LangConfig, LanguageDetectorBuilder};
pub use detection::{Detected, Detection, Method, Undetermined};
pub use detector::LanguageDetector;
pub use document::{DocumentLanguages, LangShare, ParagraphLanguage};
pub use error::{Error, Result};
pub use lang::Lang;
