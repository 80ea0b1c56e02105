//! Records read from the inputs, and the rejects that could not be read.

use serde::{Deserialize, Serialize};

/// Where a record came from: input file (or `-` for stdin) and 1-based line when the
/// format has lines (JSONL, CSV); `None` for a whole-file text article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Input file as given on the command line (or a relative path inside a folder input).
    pub file: String,
    /// 1-based line number of the record, when the format has lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// One input article as read, before cleaning.
#[derive(Debug, Clone, PartialEq)]
pub struct RawArticle {
    /// Where it came from.
    pub origin: Origin,
    /// The article id (unique in a run).
    pub id: String,
    /// The article text as received.
    pub text: String,
    /// Optional metadata.
    pub meta: Meta,
}

/// Optional article metadata, with unknown input fields carried through.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Publisher or outlet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Address of the article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date as given (ISO 8601 preferred).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Language as given by the input (the detected one is reported separately).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Every other input field, unchanged.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty", default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RejectReason {
    /// The line is not a JSON object.
    MalformedJson {
        /// The parser's message.
        message: String,
    },
    /// A CSV row could not be parsed.
    MalformedCsv {
        /// The parser's message.
        message: String,
    },
    /// No `id` field (or an empty one).
    MissingId,
    /// A field has the wrong type.
    InvalidField {
        /// Field name.
        field: String,
        /// What was expected.
        expected: String,
    },
    /// No `text` field.
    MissingText,
    /// `text` is empty or whitespace only.
    EmptyText,
    /// No letter or digit at all (e.g. emoji only): nothing to compare.
    NoContent,
    /// Nothing but boilerplate: cleaning removed every line.
    EmptyAfterCleaning {
        /// How many passages cleaning removed.
        removed: usize,
    },
    /// The id was already used by an earlier record.
    DuplicateId {
        /// Where the first record with this id was read.
        first: Origin,
    },
    /// The bytes are not UTF-8.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte, from the start of the file.
        byte_offset: u64,
    },
    /// The record is larger than `limits.max_record_bytes`.
    TooLarge {
        /// Size of the record in bytes (at least this many).
        bytes: u64,
        /// The configured limit.
        limit: u64,
    },
    /// The embedding model failed on this text.
    EmbeddingFailed {
        /// The embedder's message.
        message: String,
    },
    /// The file could not be read.
    Unreadable {
        /// The I/O error message.
        message: String,
    },
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MalformedJson { message } => write!(f, "malformed json: {message}"),
            Self::MalformedCsv { message } => write!(f, "malformed csv row: {message}"),
            Self::MissingId => write!(f, "missing id"),
            Self::InvalidField { field, expected } => {
                write!(f, "field `{field}` must be {expected}")
            }
            Self::MissingText => write!(f, "missing text"),
            Self::EmptyText => write!(f, "empty text"),
            Self::NoContent => write!(f, "no letter or digit to compare"),
            Self::EmptyAfterCleaning { removed } => write!(
                f,
                "empty after cleaning ({removed} boilerplate passages removed, nothing left)"
            ),
            Self::DuplicateId { first } => write!(f, "duplicate id, first seen at {first}"),
            Self::InvalidUtf8 { byte_offset } => {
                write!(f, "invalid utf-8 at byte offset {byte_offset}")
            }
            Self::TooLarge { bytes, limit } => {
                write!(
                    f,
                    "record of {bytes} bytes exceeds the limit of {limit} bytes"
                )
            }
            Self::EmbeddingFailed { message } => write!(f, "embedding failed: {message}"),
            Self::Unreadable { message } => write!(f, "unreadable: {message}"),
        }
    }
}

/// A record that could not be processed; written to `rejects.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// Where it was read.
    #[serde(flatten)]
    pub origin: Origin,
    /// Its id, when one could be read.
    pub id: Option<String>,
    /// Human-readable reason.
    pub reason: String,
    /// Machine-readable reason.
    pub detail: RejectReason,
}

impl Reject {
    /// A reject of the record at `origin`.
    pub fn new(origin: Origin, id: Option<String>, detail: RejectReason) -> Self {
        Self {
            origin,
            id,
            reason: detail.to_string(),
            detail,
        }
    }
}

/// One item of an input stream: an article, or a record that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadItem {
    /// A readable article.
    Article(RawArticle),
    /// A record rejected while reading.
    Reject(Reject),
}
