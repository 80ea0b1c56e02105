//! The one error type of recoupe-embed.

use std::path::PathBuf;

/// Boxed source error from a backend or parser we do not expose by type.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while loading a model or embedding texts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file the model needs is not in the model directory.
    #[error("model file {path} is missing: run `scripts/setup.sh` to install the models")]
    MissingModelFile {
        /// The file that was looked for.
        path: PathBuf,
    },

    /// A model file exists but cannot be read or parsed.
    #[error("model file {path} is unreadable or corrupt ({what}): rerun `scripts/setup.sh` to reinstall the models")]
    CorruptModelFile {
        /// The offending file.
        path: PathBuf,
        /// What was wrong with it.
        what: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// A text has nothing to embed (empty, or only whitespace/characters the tokenizer drops).
    #[error(
        "text {index} is empty after tokenization: drop it or give it a title before embedding"
    )]
    EmptyText {
        /// Position of the text in the input slice.
        index: usize,
    },

    /// The crate was built without its libtorch backend.
    #[error("recoupe-embed was built without the `rust-bert` feature: rebuild with default features (or `--features recoupe-embed/rust-bert`) after `scripts/setup.sh`")]
    BackendDisabled,

    /// A builder setting is out of range or inconsistent with the model.
    #[error("invalid embedder setting for model {model_dir}: {what}")]
    InvalidSetting {
        /// The model directory the builder was given.
        model_dir: PathBuf,
        /// What is wrong and how to fix it.
        what: String,
    },

    /// The tokenizer failed on a text.
    #[error("tokenizer of model {model_dir} failed on text {index}: {source}")]
    Tokenize {
        /// The model directory.
        model_dir: PathBuf,
        /// Position of the text in the input slice.
        index: usize,
        /// The tokenizer's error.
        #[source]
        source: BoxError,
    },

    /// libtorch / rust-bert failed while running the model.
    #[error("model {model_dir} failed during inference: {source}")]
    Inference {
        /// The model directory.
        model_dir: PathBuf,
        /// The backend's error.
        #[source]
        source: BoxError,
    },

    /// An embedding worker thread panicked (a bug: please report it with the input).
    #[error("an embedding worker of model {model_dir} panicked: this is a bug, report it with the input")]
    WorkerPanicked {
        /// The model directory.
        model_dir: PathBuf,
    },
}

/// Result alias of recoupe-embed.
pub type Result<T, E = Error> = std::result::Result<T, E>;
