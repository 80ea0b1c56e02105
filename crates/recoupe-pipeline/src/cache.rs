//! Embedding cache: one append-only file per model, keyed by a 128-bit hash of the model
//! id and the normalized embedded text.
//!
//! File layout: the magic `RCEMB1\n`, the vector dimension (u32 LE), then records of
//! `key (16 bytes) | dim x f32 LE | xxh3-64 checksum of key and vector (8 bytes)`.
//! Records are appended after each embedded chunk, so a run killed mid-way keeps what it
//! embedded; on open, a torn or corrupt tail is cut off and the rest is reused.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::error::{Error, Result};

const MAGIC: &[u8; 7] = b"RCEMB1\n";

/// The cache key of `text` embedded by `model`.
pub fn key(model: &str, text: &str) -> u128 {
    let mut bytes = Vec::with_capacity(model.len() + 1 + text.len());
    bytes.extend_from_slice(model.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(text.as_bytes());
    xxh3_128(&bytes)
}

/// Whitespace-normalized text: lines trimmed, runs of spaces collapsed, blank lines
/// dropped. The embedder sees this text, and the cache key is computed on it.
pub fn normalize_text(text: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_bytes));
    for line in text.lines() {
        let mut first = true;
        for word in line.split_whitespace() {
            if out.len() + word.len() + 1 > max_bytes {
                // A word longer than the whole budget (a text without spaces) is cut
                // rather than dropped, or such a text would have nothing to embed.
                if out.is_empty() {
                    let mut cut = max_bytes.min(word.len());
                    while !word.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    out.push_str(&word[..cut]);
                }
                return out;
            }
            if first {
                if !out.is_empty() {
                    out.push('\n');
                }
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// An open cache file.
pub struct EmbeddingCache {
    path: PathBuf,
    dim: usize,
    vectors: HashMap<u128, Vec<f32>>,
    file: File,
}

impl EmbeddingCache {
    /// Opens (or creates) the cache of `model` with `dim`-dimensional vectors in `dir`.
    /// A file of another dimension or format is started afresh.
    pub fn open(dir: &Path, model: &str, dim: usize) -> Result<Self> {
        let safe: String = model
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("embeddings-{safe}.bin"));
        let err = |source| Error::Cache {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(err)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(err)?;
        let header = MAGIC.len() + 4;
        let record = 16 + dim * 4 + 8;
        let mut vectors = HashMap::new();
        let valid_header = bytes.len() >= header
            && &bytes[..MAGIC.len()] == MAGIC
            && bytes[MAGIC.len()..header] == (dim as u32).to_le_bytes();
        let mut good = 0;
        if valid_header {
            good = header;
            while good + record <= bytes.len() {
                let rec = &bytes[good..good + record];
                let body = &rec[..record - 8];
                let mut sum = [0u8; 8];
                sum.copy_from_slice(&rec[record - 8..]);
                if xxh3_64(body) != u64::from_le_bytes(sum) {
                    break;
                }
                let mut k = [0u8; 16];
                k.copy_from_slice(&body[..16]);
                let v: Vec<f32> = body[16..]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                vectors.insert(u128::from_le_bytes(k), v);
                good += record;
            }
        }
        if good < bytes.len() || !valid_header {
            let keep = if valid_header { good } else { 0 };
            file.set_len(keep as u64).map_err(err)?;
            if !valid_header {
                file.seek(SeekFrom::Start(0)).map_err(err)?;
                file.write_all(MAGIC).map_err(err)?;
                file.write_all(&(dim as u32).to_le_bytes()).map_err(err)?;
            }
        }
        file.seek(SeekFrom::End(0)).map_err(err)?;
        Ok(Self {
            path,
            dim,
            vectors,
            file,
        })
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Vectors in the cache.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The cached vector of `key`.
    pub fn get(&self, key: u128) -> Option<&[f32]> {
        self.vectors.get(&key).map(Vec::as_slice)
    }

    /// Appends vectors (one per key) and keeps them in memory.
    pub fn append(&mut self, entries: &[(u128, Vec<f32>)]) -> Result<()> {
        let mut buf = Vec::with_capacity(entries.len() * (24 + self.dim * 4));
        for (k, v) in entries {
            if v.len() != self.dim || self.vectors.contains_key(k) {
                continue;
            }
            let start = buf.len();
            buf.extend_from_slice(&k.to_le_bytes());
            for x in v {
                buf.extend_from_slice(&x.to_le_bytes());
            }
            let sum = xxh3_64(&buf[start..]);
            buf.extend_from_slice(&sum.to_le_bytes());
            self.vectors.insert(*k, v.clone());
        }
        self.file.write_all(&buf).map_err(|source| Error::Cache {
            path: self.path.clone(),
            source,
        })
    }

    /// Flushes the file to disk.
    pub fn sync(&self) -> Result<()> {
        self.file.sync_data().map_err(|source| Error::Cache {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut c = EmbeddingCache::open(dir.path(), "m/x", 3).unwrap();
            c.append(&[(1, vec![1.0, 2.0, 3.0]), (2, vec![4.0, 5.0, 6.0])])
                .unwrap();
        }
        let path = dir.path().join("embeddings-m_x.bin");
        let len = std::fs::metadata(&path).unwrap().len();
        // Tear the last record.
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(len - 5).unwrap();
        drop(f);
        let mut c = EmbeddingCache::open(dir.path(), "m/x", 3).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(1), Some(&[1.0, 2.0, 3.0][..]));
        c.append(&[(2, vec![4.0, 5.0, 6.0])]).unwrap();
        drop(c);
        let c = EmbeddingCache::open(dir.path(), "m/x", 3).unwrap();
        assert_eq!(c.len(), 2);
        // Another dimension starts afresh.
        drop(c);
        let c = EmbeddingCache::open(dir.path(), "m/x", 4).unwrap();
        assert!(c.is_empty());
    }

    #[test]
    fn normalized_text_and_key() {
        assert_eq!(normalize_text("  a  b \n\n\tc\n", 100), "a b\nc");
        assert_eq!(normalize_text("aaa bbb ccc", 8), "aaa bbb");
        // One word over the budget is cut at a character boundary, not dropped.
        assert_eq!(normalize_text(&"é".repeat(10), 5), "éé");
        assert_eq!(normalize_text("  abcdef", 4), "abcd");
        assert_ne!(key("m1", "t"), key("m2", "t"));
    }
}
