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
    /// A vector holds a NaN or an infinite value.
    #[error("vector at row {row} holds a non-finite value at column {column}: check the embedding stage for this document")]
    NonFiniteVector {
        /// Offending row.
        row: usize,
        /// First non-finite column.
        column: usize,
    },
    /// A vector is all zeros (or so close to it that it has no direction).
    #[error("vector at row {row} is zero: embed a non-empty text or drop the document")]
    ZeroVector {
        /// Offending row.
        row: usize,
    },
    /// A vector is not L2-normalised.
    #[error("vector at row {row} has norm {norm}, expected 1: L2-normalise the embeddings first")]
    NotNormalised {
        /// Offending row.
        row: usize,
        /// Its L2 norm.
        norm: f32,
    },
    /// The same document id appears twice.
    #[error("duplicate document id {id:?} at rows {first} and {second}: give every document a unique id")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Row of its first occurrence.
        first: usize,
        /// Row of the repeat.
        second: usize,
    },
    /// A pair refers to a row that does not exist.
    #[error("row {row} is out of range for {len} documents: build pairs from the same batch")]
    RowOutOfRange {
        /// Offending row.
        row: usize,
        /// Number of documents.
        len: usize,
    },
    /// A byte range does not fit the text it points into.
    #[error("sentence {sentence} of document {document} has an invalid byte range {start}..{end}")]
    InvalidRange {
        /// Which document (0 = first, 1 = second).
        document: usize,
        /// Offending sentence.
        sentence: usize,
        /// Start byte.
        start: usize,
        /// End byte.
        end: usize,
    },
    /// A configuration value is out of its valid range.
    #[error("invalid similarity config: {field} = {value} ({reason})")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// What is allowed.
        reason: &'static str,
    },
    /// A document has no shingles, so it has no MinHash signature.
    #[error("document at row {row} has no shingles: use shorter shingles for short texts or drop the document")]
    EmptyShingleSet {
        /// Offending row.
        row: usize,
    },
    /// A MinHash signature has no values.
    #[error(
        "signature at row {row} is empty: compute it with a MinHasher of at least 16 permutations"
    )]
    EmptySignature {
        /// Offending row.
        row: usize,
    },
    /// A MinHash signature has a different number of permutations than the others.
    #[error("signature at row {row} has {got} permutations, expected {expected}: compute all signatures with the same MinHash parameters")]
    SignatureLengthMismatch {
        /// Offending row.
        row: usize,
        /// Permutations of the other signatures.
        expected: usize,
        /// Permutations of this one.
        got: usize,
    },
    /// Predicted and gold partitions label different numbers of documents.
    #[error("predicted partition labels {predicted} documents but gold labels {gold}: align both on the same documents")]
    PartitionLengthMismatch {
        /// Labels in the predicted partition.
        predicted: usize,
        /// Labels in the gold partition.
        gold: usize,
    },
    /// A partition to evaluate labels no document.
    #[error("partitions are empty: clustering metrics need at least one document")]
    EmptyPartition,
}
