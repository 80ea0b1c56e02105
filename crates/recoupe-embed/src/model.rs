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
    #[serde(default)]
    num_attention_heads: Option<usize>,
    #[serde(default)]
    num_hidden_layers: Option<usize>,
    #[serde(default)]
    intermediate_size: Option<usize>,
    #[serde(default)]
    vocab_size: Option<usize>,
    #[serde(default)]
    type_vocab_size: Option<usize>,
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

/// Sizes the backend divides or allocates by: checked here, because rust-bert asserts
/// (panics) on a head count that does not divide the hidden size.
fn check_config(cfg: &TransformerConfig, config_path: &Path) -> Result<()> {
    let bad = |what: String| Error::CorruptModelFile {
        path: config_path.to_path_buf(),
        what,
        source: None,
    };
    if cfg.hidden_size == 0 || cfg.max_position_embeddings == 0 {
        return Err(bad(
            "hidden_size and max_position_embeddings must be positive".into(),
        ));
    }
    if let Some(heads) = cfg.num_attention_heads {
        if heads == 0 || cfg.hidden_size % heads != 0 {
            return Err(bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {heads}",
                cfg.hidden_size
            )));
        }
    }
    Ok(())
}

/// Reads the safetensors header of `weights` and checks it against `config.json`: the
/// file is complete (every tensor's bytes are there) and the embedding and layer shapes
/// are the ones the config describes. A truncated download or a config of another model
/// would otherwise fail deep inside libtorch with a message that names neither file.
fn check_weights(cfg: &TransformerConfig, config_path: &Path, weights: &Path) -> Result<()> {
    use std::io::Read;
    let corrupt = |what: String| Error::CorruptModelFile {
        path: weights.to_path_buf(),
        what,
        source: None,
    };
    let io = |e: std::io::Error| Error::CorruptModelFile {
        path: weights.to_path_buf(),
        what: "cannot be read".into(),
        source: Some(Box::new(e)),
    };
    let mut file = std::fs::File::open(weights).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut len = [0u8; 8];
    if size < 8 || file.read_exact(&mut len).is_err() {
        return Err(corrupt(format!(
            "{size} bytes, too short for a safetensors file (truncated download?)"
        )));
    }
    let header_len = u64::from_le_bytes(len);
    if header_len > size - 8 || header_len > 100 << 20 {
        return Err(corrupt(format!(
            "the safetensors header claims {header_len} bytes but the file has {size} (truncated?)"
        )));
    }
    let mut header = Vec::new();
    file.take(header_len).read_to_end(&mut header).map_err(io)?;
    let tensors: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&header)
        .map_err(|e| Error::CorruptModelFile {
            path: weights.to_path_buf(),
            what: "the safetensors header is not valid JSON".into(),
            source: Some(Box::new(e)),
        })?;
    let mut data_end = 0u64;
    let mut layers = std::collections::BTreeSet::new();
    for (name, t) in &tensors {
        if name == "__metadata__" {
            continue;
        }
        let end = t["data_offsets"][1]
            .as_u64()
            .ok_or_else(|| corrupt(format!("tensor {name} has no data_offsets in the header")))?;
        data_end = data_end.max(end);
        if let Some(i) = name
            .strip_prefix("encoder.layer.")
            .and_then(|r| r.split('.').next())
            .and_then(|i| i.parse::<usize>().ok())
        {
            layers.insert(i);
        }
    }
    let needed = 8 + header_len + data_end;
    if needed > size {
        return Err(corrupt(format!(
            "truncated: the header describes {needed} bytes, the file has {size}"
        )));
    }
    let shape = |name: &str| -> Result<Vec<u64>> {
        tensors
            .get(name)
            .and_then(|t| t["shape"].as_array())
            .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
            .ok_or_else(|| corrupt(format!("tensor {name} is missing (not a BERT encoder?)")))
    };
    let h = cfg.hidden_size as u64;
    let mut expected: Vec<(String, Vec<u64>, &str)> = vec![(
        "embeddings.position_embeddings.weight".into(),
        vec![cfg.max_position_embeddings as u64, h],
        "max_position_embeddings, hidden_size",
    )];
    if let Some(v) = cfg.vocab_size {
        expected.push((
            "embeddings.word_embeddings.weight".into(),
            vec![v as u64, h],
            "vocab_size, hidden_size",
        ));
    }
    expected.push((
        "embeddings.token_type_embeddings.weight".into(),
        vec![cfg.type_vocab_size.unwrap_or(2) as u64, h],
        "type_vocab_size, hidden_size",
    ));
    if let Some(n) = cfg.intermediate_size {
        expected.push((
            "encoder.layer.0.intermediate.dense.weight".into(),
            vec![n as u64, h],
            "intermediate_size, hidden_size",
        ));
    }
    for (name, want, fields) in expected {
        let got = shape(&name)?;
        if got != want {
            return Err(corrupt(format!(
                "tensor {name} has shape {got:?} but {} says [{fields}] = {want:?}: the config and the weights are from different models",
                config_path.display()
            )));
        }
    }
    if let Some(n) = cfg.num_hidden_layers {
        if layers.len() != n || layers.iter().next_back().is_some_and(|&last| last + 1 != n) {
            return Err(corrupt(format!(
                "holds {} encoder layers but {} says num_hidden_layers = {n}: the config and the weights are from different models",
                layers.len(),
                config_path.display()
            )));
        }
    }
    Ok(())
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

        check_config(&cfg, &config_path)?;
        check_weights(&cfg, &config_path, &weights_path)?;

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

    /// A config and a safetensors file of zeros with the BERT tensor names.
    fn fake_model(
        dir: &Path,
        config: serde_json::Value,
        layers: usize,
        cut: u64,
    ) -> TransformerConfig {
        let h = 4u64;
        let mut shapes = vec![
            ("embeddings.word_embeddings.weight".to_owned(), vec![10, h]),
            (
                "embeddings.position_embeddings.weight".to_owned(),
                vec![16, h],
            ),
            (
                "embeddings.token_type_embeddings.weight".to_owned(),
                vec![2, h],
            ),
        ];
        for i in 0..layers {
            shapes.push((
                format!("encoder.layer.{i}.intermediate.dense.weight"),
                vec![8, h],
            ));
        }
        let mut header = serde_json::Map::new();
        let mut offset = 0u64;
        for (name, shape) in &shapes {
            let bytes = shape.iter().product::<u64>() * 4;
            header.insert(
                name.clone(),
                serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + bytes]}),
            );
            offset += bytes;
        }
        let header = serde_json::to_vec(&header).unwrap();
        let mut file = (header.len() as u64).to_le_bytes().to_vec();
        file.extend_from_slice(&header);
        file.resize(file.len() + (offset - cut) as usize, 0);
        std::fs::write(dir.join("model.safetensors"), file).unwrap();
        serde_json::from_value(config).unwrap()
    }

    fn check(
        config: serde_json::Value,
        layers: usize,
        cut: u64,
    ) -> std::result::Result<(), String> {
        let dir = std::env::temp_dir().join(format!(
            "recoupe-embed-shape-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = fake_model(&dir, config, layers, cut);
        let config_path = dir.join("config.json");
        let result = check_config(&cfg, &config_path)
            .and_then(|()| check_weights(&cfg, &config_path, &dir.join("model.safetensors")))
            .map_err(|e| e.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    #[test]
    fn weights_are_checked_against_the_config() {
        let good = serde_json::json!({"hidden_size": 4, "max_position_embeddings": 16,
            "num_attention_heads": 2, "num_hidden_layers": 2, "intermediate_size": 8,
            "vocab_size": 10});
        assert_eq!(check(good.clone(), 2, 0), Ok(()));
        let truncated = check(good.clone(), 2, 4).unwrap_err();
        assert!(
            truncated.contains("model.safetensors") && truncated.contains("truncated"),
            "{truncated}"
        );
        let layers = check(good.clone(), 3, 0).unwrap_err();
        assert!(layers.contains("num_hidden_layers = 2"), "{layers}");
        let mut wide = good.clone();
        wide["hidden_size"] = 8.into();
        let wide = check(wide, 2, 0).unwrap_err();
        assert!(
            wide.contains("config.json") && wide.contains("different models"),
            "{wide}"
        );
        let mut heads = good;
        heads["num_attention_heads"] = 3.into();
        let heads = check(heads, 2, 0).unwrap_err();
        assert!(
            heads.contains("not a multiple of num_attention_heads 3"),
            "{heads}"
        );
        assert!(heads.contains("scripts/setup.sh"), "{heads}");
    }

    #[test]
    fn missing_dir_names_the_path_and_setup() {
        let err = ModelInfo::from_dir("/nonexistent/model-dir").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/nonexistent/model-dir"), "{msg}");
        assert!(msg.contains("scripts/setup.sh"), "{msg}");
    }
}
