//! The crate's one error type. Detection itself never fails (bad text is an
//! [`Undetermined`](crate::Undetermined) result); errors come from invalid settings.

/// Errors from building a [`LanguageDetector`](crate::LanguageDetector) or parsing a [`Lang`](crate::Lang).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A language code that is neither a known ISO 639-1 nor ISO 639-3 code.
    #[error("unknown language code `{code}`: use an ISO 639-1 (\"fr\") or ISO 639-3 (\"fra\") code of a supported language (see `Lang::ALL`)")]
    UnknownLanguageCode {
        /// The code as given.
        code: String,
    },
    /// The allow-list was given but is empty.
    #[error("the language allow-list is empty: list at least one language, or leave it unset to allow all")]
    EmptyAllowList,
    /// A numeric setting is out of its range.
    #[error("setting `{name}` = {value} is out of range: expected {expected}")]
    OutOfRange {
        /// The setting's name as in [`LangConfig`](crate::LangConfig).
        name: &'static str,
        /// The value given.
        value: f64,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// `refine` was asked for but the crate was built without the `hybrid` feature.
    #[error("short-text refinement needs the `hybrid` feature: rebuild recoupe-lang with `--features hybrid` or set `refine = false`")]
    HybridDisabled,
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
