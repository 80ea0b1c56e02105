//! Errors of the similarity stage: each names the offending row or id.

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong when comparing or clustering articles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two inputs that must have the same length or dimension do not.
    #[error("dimension mismatch at row {row}: expected {expected}, got {got}")]
    DimensionMismatch {
        /// Offending row.
        row: usize,
        /// Expected length.
        expected: usize,
        /// Length found.
        got: usize,
    },
}
