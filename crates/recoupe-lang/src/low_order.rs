//! Every language's 1- to 3-grams in one hash table (feature `hybrid`): one lookup gives an
//! n-gram's log-probability in all 57 languages at once.
//!
//! Why: the models' transducers are large (4 MB per language, 230 MB in all) and a lookup
//! walks several nodes scattered through them, so scoring one language costs dozens of cache
//! misses per word, and scoring the ~35 Latin-script languages dominates the run time. The
//! 1- to 3-grams are 6 % of the entries (1.04 million over 57 languages): copied out of the
//! transducers once (a depth-limited walk, ~0.3 s of CPU, on first use or at
//! [`preload`](crate::LangConfig::preload)), they rank every candidate with a handful of
//! lookups per letter, and only the best few are scored on the full 1- to 5-grams.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use fst::raw::{Node, Output};

use crate::lang::Lang;
use crate::models::{self, Model};

/// Longest n-gram kept here.
pub(crate) const MAX_LOW_ORDER: usize = 3;

/// One language's log-probability for an n-gram: ([`Lang::index`], value).
pub(crate) type Posting = (u8, f32);

pub(crate) struct LowOrder {
    /// n-gram hash ([`ngram_hash`]) -> range in `postings`.
    index: HashMap<u64, (u32, u32), BuildHasherDefault<PassThrough>>,
    postings: Vec<Posting>,
}

static TABLE: LazyLock<LowOrder> = LazyLock::new(LowOrder::build);

/// The table, built on first use.
pub(crate) fn table() -> &'static LowOrder {
    &TABLE
}

impl LowOrder {
    fn build() -> Self {
        let mut entries: Vec<(u64, u8, f32)> = Vec::with_capacity(1 << 20);
        for lang in Lang::ALL {
            if let Some(model) = models::model(lang) {
                let Ok(index) = u8::try_from(lang.index()) else {
                    continue;
                };
                collect(
                    model,
                    model.root(),
                    Output::zero(),
                    HASH_SEED,
                    0,
                    0,
                    index,
                    &mut entries,
                );
            }
        }
        entries.sort_unstable_by_key(|e| (e.0, e.1));
        let mut index = HashMap::with_capacity_and_hasher(entries.len() / 2, Default::default());
        let mut postings = Vec::with_capacity(entries.len());
        let mut i = 0;
        while i < entries.len() {
            let hash = entries[i].0;
            let start = postings.len();
            while i < entries.len() && entries[i].0 == hash {
                postings.push((entries[i].1, entries[i].2));
                i += 1;
            }
            // 1.04 million postings fit a u32.
            let range = (
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(postings.len()).unwrap_or(u32::MAX),
            );
            index.insert(hash, range);
        }
        Self { index, postings }
    }

    /// The postings of the n-gram with this [`ngram_hash`] (empty when no language has it).
    pub(crate) fn get(&self, hash: u64) -> &[Posting] {
        match self.index.get(&hash) {
            Some(&(start, end)) => self
                .postings
                .get(start as usize..end as usize)
                .unwrap_or_default(),
            None => &[],
        }
    }

    /// Number of n-grams and of postings.
    #[cfg(test)]
    pub(crate) fn len(&self) -> (usize, usize) {
        (self.index.len(), self.postings.len())
    }
}

/// Walks `model` from `node` down to [`MAX_LOW_ORDER`] characters, pushing every complete
/// n-gram with its value. `pending`: continuation bytes still due for the current character.
#[allow(clippy::too_many_arguments)]
fn collect(
    model: &Model,
    node: Node<'_>,
    out: Output,
    hash: u64,
    chars: usize,
    pending: usize,
    lang: u8,
    entries: &mut Vec<(u64, u8, f32)>,
) {
    if pending == 0 && chars > 0 && node.is_final() {
        let value = f64::from_bits(out.cat(node.final_output()).value());
        entries.push((hash, lang, value as f32));
    }
    for t in node.transitions() {
        let (chars, pending) = if pending > 0 {
            (chars, pending - 1)
        } else if chars == MAX_LOW_ORDER {
            continue;
        } else {
            (chars + 1, utf8_len(t.inp) - 1)
        };
        collect(
            model,
            model.node(t.addr),
            out.cat(t.out),
            hash_byte(hash, t.inp),
            chars,
            pending,
            lang,
            entries,
        );
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// FNV-1a offset basis: the hash of the empty n-gram.
pub(crate) const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// Extends an FNV-1a hash by one byte, so the hashes of all prefixes come in one pass.
#[inline]
pub(crate) fn hash_byte(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

/// Hasher for keys that are already hashes.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(s: &str) -> u64 {
        s.bytes().fold(HASH_SEED, hash_byte)
    }

    #[test]
    fn table_holds_the_models_values() -> anyhow::Result<()> {
        let english = models::model(Lang::English).ok_or_else(|| anyhow::anyhow!("no model"))?;
        for gram in ["a", "th", "the", "é"] {
            let want = english.get(gram).map(|o| f64::from_bits(o.value()) as f32);
            let en = u8::try_from(Lang::English.index())?;
            let got = table()
                .get(hash(gram))
                .iter()
                .find(|p| p.0 == en)
                .map(|p| p.1);
            assert_eq!(got, want, "{gram}");
        }
        // 4-grams are not in the table.
        assert!(table().get(hash("ther")).is_empty());
        let (grams, postings) = table().len();
        assert!(
            grams > 100_000 && postings > 1_000_000,
            "{grams} {postings}"
        );
        Ok(())
    }
}
