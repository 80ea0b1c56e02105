//! The one error type of the pipeline.

use std::path::PathBuf;

/// Everything that stops a pipeline run (per-record problems are [`crate::Reject`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input path does not exist or cannot be opened.
    #[error("cannot read input {path}: {source}; check the path exists and is readable")]
    Input {
        /// The input path as given.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV input lacks a column the run needs.
    #[error("csv input {path}: no column named `{column}` in the header (columns: {available}); pass --{flag} NAME")]
    CsvColumn {
        /// The CSV file.
        path: PathBuf,
        /// The missing column name.
        column: String,
        /// The flag that maps it.
        flag: &'static str,
        /// The header's columns, comma separated.
        available: String,
    },
    /// A CSV header could not be read.
    #[error("csv input {path}: cannot read the header: {source}")]
    CsvHeader {
        /// The CSV file.
        path: PathBuf,
        /// The csv error.
        #[source]
        source: csv::Error,
    },
    /// Writing an output file failed.
    #[error("cannot write {path}: {source}; check the output folder is writable and has space")]
    Output {
        /// The file being written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file could not be read or parsed.
    #[error("invalid config {path}: {message}; `recoupe config --default` prints a valid one")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The embedding cache could not be opened or written.
    #[error("embedding cache {path}: {source}; delete the file to start a fresh cache")]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A stage crate failed on the whole batch (not on one record).
    #[error("{stage} stage failed: {message}")]
    Stage {
        /// Which stage.
        stage: &'static str,
        /// The stage's own error message.
        message: String,
    },
    /// The model could not be loaded.
    #[error("cannot load model {name} from {dir}: {message}")]
    Model {
        /// Model name as given to `--model`.
        name: String,
        /// The model directory tried.
        dir: PathBuf,
        /// The embedder's error message.
        message: String,
    },
    /// `recoupe eval`: no article to evaluate carries the gold field.
    #[error("gold field `{field}` not found in any of the {articles} articles of {path} (fields there: {available}); pass --gold with a field of the input records")]
    GoldField {
        /// The gold field asked for.
        field: String,
        /// Articles read.
        articles: usize,
        /// The articles file.
        path: PathBuf,
        /// Metadata fields the articles do carry, comma separated.
        available: String,
    },
    /// `recoupe eval`: an output folder could not be read.
    #[error("cannot read the run output {path}: {message}; pass the --out folder of a finished `recoupe run`")]
    OutputRead {
        /// The file that could not be read.
        path: PathBuf,
        /// What went wrong (with the line number for a bad line).
        message: String,
    },
}

/// Result alias of the pipeline.
pub type Result<T> = std::result::Result<T, Error>;
