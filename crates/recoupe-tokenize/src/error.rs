//! Errors of the tokenize stage. Tokenizing itself never fails (any `&str` is valid
//! input); only a configuration can be rejected.

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong when building a [`crate::Tokenizer`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of its accepted range.
    #[error("invalid tokenize config: `{field}` is {value}, expected {expected}; fix the config and retry")]
    InvalidConfig {
        /// Name of the offending field of [`crate::TokenizeConfig`].
        field: &'static str,
        /// The value found.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
}
