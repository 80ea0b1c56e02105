//! Turning a text into model inputs: prefix, token ids, windows, special tokens.

use std::path::PathBuf;

use tokenizers::Tokenizer;

use crate::chunk;
use crate::error::{Error, Result};
use crate::model::ModelInfo;
use crate::ChunkPooling;

/// The model's `tokenizer.json` with truncation and padding switched off (we window and
/// pad ourselves), plus the special tokens and prefix tokens every window gets.
pub(crate) struct TextTokenizer {
    tok: Tokenizer,
    model_dir: PathBuf,
    start_id: u32,
    end_id: u32,
    prefix: String,
    /// Length in bytes of the prefix without trailing whitespace: tokens ending at or
    /// before it belong to the prefix.
    prefix_core_len: usize,
    prefix_ids: Vec<u32>,
    max_seq_length: usize,
}

impl TextTokenizer {
    pub(crate) fn new(info: &ModelInfo, max_seq_length: usize) -> Result<Self> {
        let corrupt =
            |what: &str, source: Option<crate::error::BoxError>| Error::CorruptModelFile {
                path: info.tokenizer_path.clone(),
                what: what.to_string(),
                source,
            };
        let mut tok = Tokenizer::from_file(&info.tokenizer_path)
            .map_err(|e| corrupt("cannot be loaded as a tokenizers tokenizer.json", Some(e)))?;
        tok.with_truncation(None)
            .map_err(|e| corrupt("cannot disable truncation", Some(e)))?;
        tok.with_padding(None);
        let specials = tok
            .encode("", true)
            .map_err(|e| corrupt("cannot encode the empty string", Some(e)))?;
        let &[start_id, end_id] = specials.get_ids() else {
            return Err(corrupt(
                "its post-processor does not wrap a text in exactly one start and one end token",
                None,
            ));
        };
        let prefix = info.prefix.clone();
        let prefix_core_len = prefix.trim_end().len();
        let mut this = Self {
            tok,
            model_dir: info.dir.clone(),
            start_id,
            end_id,
            prefix,
            prefix_core_len,
            prefix_ids: Vec::new(),
            max_seq_length,
        };
        if !this.prefix.is_empty() {
            let (ids, _) = this.encode_split(usize::MAX, "x")?;
            this.prefix_ids = ids;
        }
        if this.budget() == 0 {
            return Err(Error::InvalidSetting {
                model_dir: info.dir.clone(),
                what: format!(
                    "max_seq_length {max_seq_length} leaves no room for text after the special and prefix tokens: raise it"
                ),
            });
        }
        Ok(this)
    }

    /// Text tokens that fit in one window next to the special and prefix tokens.
    pub(crate) fn budget(&self) -> usize {
        self.max_seq_length
            .saturating_sub(2 + self.prefix_ids.len())
    }

    /// Encodes `prefix + text`; returns (prefix ids, text tokens as (id, byte offsets in
    /// `prefix + text`)).
    #[expect(
        clippy::type_complexity,
        reason = "private helper returning two parallel parts"
    )]
    fn encode_split(
        &self,
        index: usize,
        text: &str,
    ) -> Result<(Vec<u32>, Vec<(u32, (usize, usize))>)> {
        let full = format!("{}{}", self.prefix, text);
        let enc = self
            .tok
            .encode(full.as_str(), false)
            .map_err(|source| Error::Tokenize {
                model_dir: self.model_dir.clone(),
                index,
                source,
            })?;
        let mut prefix_ids = Vec::new();
        let mut rest = Vec::with_capacity(enc.get_ids().len());
        for (&id, &(s, e)) in enc.get_ids().iter().zip(enc.get_offsets()) {
            if !self.prefix.is_empty() && e <= self.prefix_core_len {
                prefix_ids.push(id);
            } else {
                rest.push((id, (s, e)));
            }
        }
        Ok((prefix_ids, rest))
    }

    /// Model inputs for text `index`: one id sequence per window (special tokens and
    /// prefix included).
    ///
    /// # Errors
    /// [`Error::EmptyText`] when the text has no token.
    pub(crate) fn windows(
        &self,
        index: usize,
        text: &str,
        pooling: ChunkPooling,
        max_windows: usize,
    ) -> Result<Vec<Vec<i64>>> {
        let (prefix_ids, tokens) = self.encode_split(index, text)?;
        if tokens.is_empty() {
            return Err(Error::EmptyText { index });
        }
        // The prefix tokenizes the same in front of any text; if a tokenizer merged it
        // with the text, fall back to what this text produced.
        let prefix_ids = if prefix_ids == self.prefix_ids {
            &self.prefix_ids
        } else {
            &prefix_ids
        };
        let budget = self
            .max_seq_length
            .saturating_sub(2 + prefix_ids.len())
            .max(1);
        let ranges = match pooling {
            ChunkPooling::First => std::iter::once(0..tokens.len().min(budget)).collect(),
            ChunkPooling::Mean => {
                let full = format!("{}{}", self.prefix, text);
                let offsets: Vec<(usize, usize)> = tokens.iter().map(|t| t.1).collect();
                let starts = chunk::sentence_starts(&full, &offsets);
                let mut ws = chunk::windows(&starts, budget);
                ws.truncate(max_windows.max(1));
                ws
            }
        };
        Ok(ranges
            .into_iter()
            .map(|r| {
                let mut ids = Vec::with_capacity(r.len() + prefix_ids.len() + 2);
                ids.push(i64::from(self.start_id));
                ids.extend(prefix_ids.iter().map(|&i| i64::from(i)));
                ids.extend(tokens[r].iter().map(|t| i64::from(t.0)));
                ids.push(i64::from(self.end_id));
                ids
            })
            .collect())
    }
}
