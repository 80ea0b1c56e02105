//! What a sentence-transformers model directory says about itself.
//!
//! Everything is read from the model's own files, as sentence-transformers does:
//! `config.json` (transformer shape), `modules.json` (pooling module path, Normalize),
//! `sentence_bert_config.json` (max_seq_length), `<pooling>/config.json` (pooling mode),
//! `config_sentence_transformers.json` (prompts, for the `passage: ` prefix of e5).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// How token vectors become one window vector (sentence-transformers' Pooling module).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPooling {
    /// Mean of the token vectors under the attention mask.
    Mean,
    /// The vector of the first (`[CLS]`) token.
    Cls,
}

/// The facts about one model directory that embedding needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    /// The model directory.
    pub dir: PathBuf,
    /// Short name (the directory's file name), e.g. `all-minilm-l6-v2`.
    pub name: String,
    /// Longest input in tokens, special tokens and prefix included.
    pub max_seq_length: usize,
    /// Token pooling mode.
    pub pooling: TokenPooling,
    /// Whether the model's pipeline ends with a Normalize module.
    pub normalize: bool,
    /// Text prepended to every input (e5: `passage: `), empty when none.
    pub prefix: String,
    /// Output dimension.
    pub dim: usize,
    /// `layer_norm_eps` of the transformer.
    pub layer_norm_eps: f64,
    /// Path of `config.json`.
    pub config_path: PathBuf,
    /// Path of `model.safetensors`.
    pub weights_path: PathBuf,
    /// Path of `tokenizer.json`.
    pub tokenizer_path: PathBuf,
}

#[derive(Deserialize)]
struct TransformerConfig {
    hidden_size: usize,
    max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    model_type: Option<String>,
}

fn default_eps() -> f64 {
    1e-12
}

#[derive(Deserialize)]
struct Module {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct SbertConfig {
    max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode: Option<String>,
}

#[derive(Deserialize, Default)]
struct StConfig {
    #[serde(default)]
    prompts: std::collections::BTreeMap<String, String>,
}

pub(crate) fn require(path: PathBuf) -> Result<PathBuf> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::MissingModelFile { path })
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::MissingModelFile {
                path: path.to_path_buf(),
            }
        } else {
            Error::CorruptModelFile {
                path: path.to_path_buf(),
                what: "cannot be read".into(),
                source: Some(Box::new(e)),
            }
        }
    })?;
    serde_json::from_str(&text).map_err(|e| Error::CorruptModelFile {
        path: path.to_path_buf(),
        what: "invalid JSON".into(),
        source: Some(Box::new(e)),
    })
}

impl ModelInfo {
    /// Reads the model description from `dir`.
    ///
    /// # Errors
    /// [`Error::MissingModelFile`] / [`Error::CorruptModelFile`] naming the file.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        if !dir.is_dir() {
            return Err(Error::MissingModelFile { path: dir });
        }
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        let config_path = require(dir.join("config.json"))?;
        let weights_path = require(dir.join("model.safetensors"))?;
        let tokenizer_path = require(dir.join("tokenizer.json"))?;

        let cfg: TransformerConfig = read_json(&config_path)?;
        if let Some(t) = cfg.model_type.as_deref() {
            if t != "bert" {
                return Err(Error::CorruptModelFile {
                    path: config_path,
                    what: format!("model_type {t:?} is not supported (only BERT encoders)"),
                    source: None,
                });
            }
        }

        let modules_path = require(dir.join("modules.json"))?;
        let modules: Vec<Module> = read_json(&modules_path)?;
        let normalize = modules.iter().any(|m| m.kind.ends_with(".Normalize"));
        let pooling_dir = modules
            .iter()
            .find(|m| m.kind.ends_with(".Pooling"))
            .map(|m| m.path.clone())
            .ok_or_else(|| Error::CorruptModelFile {
                path: modules_path.clone(),
                what: "no sentence_transformers Pooling module listed".into(),
                source: None,
            })?;
        let pooling_path = dir.join(pooling_dir).join("config.json");
        let pc: PoolingConfig = read_json(&pooling_path)?;
        let pooling = match (
            pc.pooling_mode.as_deref(),
            pc.pooling_mode_mean_tokens,
            pc.pooling_mode_cls_token,
            pc.pooling_mode_max_tokens || pc.pooling_mode_mean_sqrt_len_tokens,
        ) {
            (Some("mean"), ..) | (None, true, false, false) => TokenPooling::Mean,
            (Some("cls"), ..) | (None, false, true, false) => TokenPooling::Cls,
            _ => {
                return Err(Error::CorruptModelFile {
                    path: pooling_path,
                    what: "only a single mean or cls pooling mode is supported".into(),
                    source: None,
                })
            }
        };

        let sbert_path = dir.join("sentence_bert_config.json");
        let max_seq_length = if sbert_path.is_file() {
            read_json::<SbertConfig>(&sbert_path)?.max_seq_length
        } else {
            None
        }
        .unwrap_or(cfg.max_position_embeddings.min(512))
        .min(cfg.max_position_embeddings);

        let st_path = dir.join("config_sentence_transformers.json");
        let st: StConfig = if st_path.is_file() {
            read_json(&st_path)?
        } else {
            StConfig::default()
        };
        // e5 is trained with `passage: ` / `query: `; recoupe embeds articles, i.e. passages.
        let prefix = ["passage", "document"]
            .iter()
            .find_map(|k| st.prompts.get(*k).cloned())
            .unwrap_or_else(|| {
                if name.to_ascii_lowercase().contains("e5") {
                    "passage: ".to_string()
                } else {
                    String::new()
                }
            });

        Ok(Self {
            dir,
            name,
            max_seq_length,
            pooling,
            normalize,
            prefix,
            dim: cfg.hidden_size,
            layer_norm_eps: cfg.layer_norm_eps,
            config_path,
            weights_path,
            tokenizer_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_dir_names_the_path_and_setup() {
        let err = ModelInfo::from_dir("/nonexistent/model-dir").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/model-dir"), "{msg}");
        assert!(msg.contains("scripts/setup.sh"), "{msg}");
    }
}
