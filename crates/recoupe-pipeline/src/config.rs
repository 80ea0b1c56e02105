//! Pipeline settings: one TOML file with a table per stage; every field has a default,
//! so a file names only what it changes. `recoupe config --default` prints
//! [`PipelineConfig::default_toml`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::clean::CleanConfig;
use crate::error::{Error, Result};
use crate::input::InputConfig;

/// MinHash/LSH settings: lexical candidate pairs added to the cosine neighbours, so
/// copies are compared even when they are not among an article's nearest vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinHashConfig {
    /// Compute signatures and LSH candidates.
    pub enabled: bool,
    /// Signature length.
    pub num_perm: usize,
    /// LSH bands/rows are chosen for this Jaccard threshold; candidates are verified
    /// against it with the signature estimate.
    pub threshold: f64,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            num_perm: 128,
            threshold: 0.5,
        }
    }
}

/// Embedding settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedConfig {
    /// Model name: a folder under the models directory (`multilingual-e5-small`,
    /// `all-minilm-l6-v2`).
    pub model: String,
    /// Model replicas; 0 = as many as `--threads`.
    pub workers: usize,
    /// Only the first this many bytes of the cleaned text are embedded (cut at a
    /// character boundary): bounds the work on huge articles; a news article's topic and
    /// event are in its first paragraphs.
    pub max_text_bytes: usize,
    /// Texts embedded (and appended to the cache) per chunk: a killed run keeps the
    /// chunks it finished.
    pub chunk_size: usize,
}

impl Default for EmbedConfig {
    fn default() -> Self {
        Self {
            model: "multilingual-e5-small".into(),
            workers: 0,
            max_text_bytes: 8 * 1024,
            chunk_size: 64,
        }
    }
}

/// Evidence settings (matching passages of the pairs in `pairs.jsonl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceConfig {
    /// Minimum sentence shingle Jaccard for two sentences to match.
    pub min_jaccard: f32,
    /// At most this many passages per pair (best first).
    pub max_passages: usize,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            min_jaccard: 0.3,
            max_passages: 10,
        }
    }
}

/// Limits that bound the work on huge records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Only the first this many bytes of the cleaned text are tokenized, shingled and
    /// used for language detection and evidence.
    pub max_compare_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_compare_bytes: 1024 * 1024,
        }
    }
}

/// Every setting of a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// How inputs are read.
    pub input: InputConfig,
    /// Boilerplate removal.
    pub clean: CleanConfig,
    /// Language detection (recoupe-lang).
    pub language: recoupe_lang::LangConfig,
    /// Normalization, segmentation and shingles (recoupe-tokenize).
    pub tokenize: recoupe_tokenize::TokenizeConfig,
    /// MinHash/LSH candidates.
    pub minhash: MinHashConfig,
    /// Sentence embeddings.
    pub embed: EmbedConfig,
    /// Scoring, relation labels and clustering (recoupe-similarity; defaults calibrated
    /// on ecbplus-dev).
    pub similarity: recoupe_similarity::SimilarityConfig,
    /// Evidence passages.
    pub evidence: EvidenceConfig,
    /// Work bounds.
    pub limits: LimitsConfig,
}

impl PipelineConfig {
    /// Reads a TOML file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Self::from_toml(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> std::result::Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().replace('\n', " "))
    }

    /// The defaults as TOML, with a comment per table saying where each field is
    /// documented. Parsing it gives [`PipelineConfig::default`].
    pub fn default_toml() -> String {
        let mut out = String::from(
            "# recoupe run settings (defaults). Every field is optional: a file names only\n\
             # what it changes. Pass it with `recoupe run --config FILE`.\n",
        );
        let defaults = Self::default();
        let sections: [(&str, &str, std::result::Result<String, toml::ser::Error>); 9] = [
            ("input", "Readers. format: jsonl|csv|dir|text forces one format (default: by path); csv.*: column names (also --id-column, --text-column, ...); text_extensions: files read from folders; max_record_bytes: larger records are rejected unread.", toml::to_string(&defaults.input)),
            ("clean", "Boilerplate removal (rules: navigation, share, read-more, photo credits, source footers, leftover prompts, metadata). body_line_words: lines this long are body text; recurring.*: a short line (<= max_words) in >= max(min_articles, min_fraction * N) articles, or in >= max(source_min_articles, source_min_fraction * S) of one source's S articles, seen in >= min_contexts different surroundings, is boilerplate.", toml::to_string(&defaults.clean)),
            ("language", "Language detection (recoupe-lang LangConfig; see its README).", toml::to_string(&defaults.language)),
            ("tokenize", "Normalization and shingles (recoupe-tokenize TokenizeConfig; see its README).", toml::to_string(&defaults.tokenize)),
            ("minhash", "MinHash/LSH lexical candidates added to the cosine neighbours.", toml::to_string(&defaults.minhash)),
            ("embed", "Sentence embeddings. model: folder under the models dir (--model); workers: 0 = --threads; max_text_bytes: embedded prefix of the cleaned text; chunk_size: texts per cache append.", toml::to_string(&defaults.embed)),
            ("similarity", "Scoring, relation labels and clustering (recoupe-similarity SimilarityConfig; every field documented in its docs; calibrated on ecbplus-dev).", toml::to_string(&defaults.similarity)),
            ("evidence", "Matching passages in pairs.jsonl: sentence shingle Jaccard floor and passages kept per pair.", toml::to_string(&defaults.evidence)),
            ("limits", "max_compare_bytes: prefix of the cleaned text that is tokenized and detected (bounds huge articles).", toml::to_string(&defaults.limits)),
        ];
        for (name, doc, body) in sections {
            out.push('\n');
            for line in wrap(doc, 86) {
                out.push_str("# ");
                out.push_str(&line);
                out.push('\n');
            }
            let body = body.unwrap_or_default();
            // Sub-tables (e.g. [csv] inside [input]) are emitted by the serializer as
            // top-level `[csv]`; prefix them with the section name.
            let mut head = format!("[{name}]\n");
            for line in body.lines() {
                if let Some(sub) = line.strip_prefix('[') {
                    out.push_str(&head);
                    head.clear();
                    if !out.ends_with("\n\n") {
                        out.push('\n');
                    }
                    out.push_str(&format!("[{name}.{sub}\n"));
                } else {
                    out.push_str(&head);
                    head.clear();
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.push_str(&head);
        }
        out
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_toml_round_trips() {
        let text = PipelineConfig::default_toml();
        let parsed = PipelineConfig::from_toml(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed, PipelineConfig::default());
    }

    #[test]
    fn partial_file_and_unknown_fields() {
        let c = PipelineConfig::from_toml("[embed]\nmodel = \"all-minilm-l6-v2\"\n").unwrap();
        assert_eq!(c.embed.model, "all-minilm-l6-v2");
        assert_eq!(c.clean, CleanConfig::default());
        let err = PipelineConfig::from_toml("[embed]\nmodle = \"x\"\n").unwrap_err();
        assert!(err.contains("modle"), "{err}");
    }
}
