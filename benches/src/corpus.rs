//! Synthetic news-length corpora with planted duplicates of known structure.
//!
//! Each *story* starts from one original article (sentences of Zipf-distributed
//! pseudo-words, ~330 words by default, so ~324 word 5-grams). Copies of it are planted:
//!
//! - [`DocKind::ExactCopy`]: the same text;
//! - [`DocKind::LightEdit`]: a few words substituted, deleted or inserted (wire copy with
//!   a changed headline word or a fixed typo; word 5-gram Jaccard ~0.6-0.85);
//! - [`DocKind::HeavyRewrite`]: sentences reordered and dropped, a third of the words
//!   replaced and new sentences added (same text reworded; 5-gram Jaccard ~0.05-0.3).
//!
//! The story index is the gold label. Everything derives from one seed through a
//! SplitMix64 stream, so the same config gives the same corpus on every machine.

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorpusConfig {
    /// Number of documents in total (originals plus planted copies).
    pub docs: usize,
    /// Words per original article.
    pub words_per_doc: usize,
    /// Distinct pseudo-words in the vocabulary.
    pub vocabulary: usize,
    /// Share of documents that are exact copies of an earlier story.
    pub exact_share: f64,
    /// Share of documents that are light edits.
    pub light_share: f64,
    /// Share of documents that are heavy rewrites.
    pub heavy_share: f64,
    /// Seed of everything.
    pub seed: u64,
}

impl Default for CorpusConfig {
    fn default() -> Self {
        Self {
            docs: 10_000,
            words_per_doc: 328,
            vocabulary: 30_000,
            exact_share: 0.10,
            light_share: 0.15,
            heavy_share: 0.10,
            seed: 42,
        }
    }
}

/// How a document relates to its story's original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// The story's first article.
    Original,
    /// Byte-identical to the original.
    ExactCopy,
    /// A few words changed.
    LightEdit,
    /// Reordered, partly replaced and extended.
    HeavyRewrite,
}

/// One generated document.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDoc {
    /// The text: sentences of lower-case pseudo-words, each ending with a full stop.
    pub text: String,
    /// Gold story label.
    pub story: u32,
    /// Relation to the story's original.
    pub kind: DocKind,
}

/// A generated corpus; documents are in a shuffled, deterministic order.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The documents.
    pub docs: Vec<SyntheticDoc>,
}

impl Corpus {
    /// Generates a corpus.
    pub fn generate(config: &CorpusConfig) -> Self {
        let mut rng = Rng(config.seed);
        let vocab = Vocabulary::new(config.vocabulary.max(16), &mut rng);
        let copy_share = (config.exact_share + config.light_share + config.heavy_share).min(0.95);
        let mut originals: Vec<Vec<Vec<u32>>> = Vec::new();
        let mut docs = Vec::with_capacity(config.docs);
        for _ in 0..config.docs {
            let roll = rng.unit();
            if originals.is_empty() || roll >= copy_share {
                let article = vocab.article(config.words_per_doc, &mut rng);
                docs.push(SyntheticDoc {
                    text: render(&article, &vocab),
                    story: originals.len() as u32,
                    kind: DocKind::Original,
                });
                originals.push(article);
                continue;
            }
            let story = rng.below(originals.len());
            let base = &originals[story];
            let (sentences, kind) = if roll < config.exact_share {
                (base.clone(), DocKind::ExactCopy)
            } else if roll < config.exact_share + config.light_share {
                (light_edit(base, &vocab, &mut rng), DocKind::LightEdit)
            } else {
                (heavy_rewrite(base, &vocab, &mut rng), DocKind::HeavyRewrite)
            };
            docs.push(SyntheticDoc {
                text: render(&sentences, &vocab),
                story: story as u32,
                kind,
            });
        }
        // Fisher-Yates with the same stream: copies do not sit next to their original.
        for i in (1..docs.len()).rev() {
            let j = rng.below(i + 1);
            docs.swap(i, j);
        }
        Self { docs }
    }

    /// Gold story labels, one per document.
    pub fn labels(&self) -> Vec<u32> {
        self.docs.iter().map(|d| d.story).collect()
    }
}

/// Word n-grams of `text` (split on whitespace, full stops dropped), each joined by one
/// space, without repeats, in order of first appearance.
pub fn word_shingles(text: &str, n: usize) -> Vec<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let n = n.max(1);
    if words.len() < n {
        return if words.is_empty() {
            Vec::new()
        } else {
            vec![words.join(" ")]
        };
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(words.len() + 1 - n);
    for w in words.windows(n) {
        let s = w.join(" ");
        if seen.insert(s.clone()) {
            out.push(s);
        }
    }
    out
}

/// SplitMix64: small, stable, good enough for test data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
}

struct Vocabulary {
    words: Vec<String>,
    /// Cumulative Zipf(1) weights for sampling.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(size: usize, rng: &mut Rng) -> Self {
        const SYLLABLES: &[&str] = &[
            "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "pa", "ri", "zo", "be", "an",
            "el", "or", "us", "ti", "ma", "ne", "co", "ju", "fe", "gi", "ha", "xe", "qu", "wa",
            "ly", "ot", "im", "sa",
        ];
        let mut words = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        while words.len() < size {
            let len = 1 + rng.below(4);
            let w: String = (0..len)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut acc = 0.0;
        let cumulative = (1..=size)
            .map(|rank| {
                acc += 1.0 / rank as f64;
                acc
            })
            .collect();
        Self { words, cumulative }
    }

    fn word(&self, rng: &mut Rng) -> u32 {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.words.len() - 1) as u32
    }

    fn sentence(&self, rng: &mut Rng) -> Vec<u32> {
        let len = 12 + rng.below(19);
        (0..len).map(|_| self.word(rng)).collect()
    }

    fn article(&self, words: usize, rng: &mut Rng) -> Vec<Vec<u32>> {
        let mut out = Vec::new();
        let mut n = 0;
        while n < words {
            let mut s = self.sentence(rng);
            s.truncate(words - n);
            n += s.len();
            out.push(s);
        }
        out
    }
}

fn render(sentences: &[Vec<u32>], vocab: &Vocabulary) -> String {
    let mut text = String::new();
    for s in sentences {
        for (i, &w) in s.iter().enumerate() {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&vocab.words[w as usize]);
            if i + 1 == s.len() {
                text.push('.');
            }
        }
    }
    text
}

fn light_edit(base: &[Vec<u32>], vocab: &Vocabulary, rng: &mut Rng) -> Vec<Vec<u32>> {
    let mut out = base.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let si = rng.below(out.len());
        let s = &mut out[si];
        if s.len() < 2 {
            continue;
        }
        let wi = rng.below(s.len());
        match rng.below(3) {
            0 => s[wi] = vocab.word(rng),
            1 => {
                s.remove(wi);
            }
            _ => s.insert(wi, vocab.word(rng)),
        }
    }
    out
}

fn heavy_rewrite(base: &[Vec<u32>], vocab: &Vocabulary, rng: &mut Rng) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    for s in base {
        if rng.unit() >= 0.75 {
            continue;
        }
        let mut t = Vec::with_capacity(s.len());
        for &w in s {
            t.push(if rng.unit() < 0.3 { vocab.word(rng) } else { w });
        }
        out.push(t);
    }
    for i in (1..out.len()).rev() {
        let j = rng.below(i + 1);
        out.swap(i, j);
    }
    for _ in 0..1 + rng.below(4) {
        out.push(vocab.sentence(rng));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_planted() {
        let cfg = CorpusConfig {
            docs: 300,
            ..Default::default()
        };
        let a = Corpus::generate(&cfg);
        let b = Corpus::generate(&cfg);
        assert_eq!(a.docs, b.docs);
        assert_eq!(a.docs.len(), 300);
        let exact = a
            .docs
            .iter()
            .filter(|d| d.kind == DocKind::ExactCopy)
            .count();
        assert!(exact > 10, "{exact}");
        let originals = a.docs.iter().filter(|d| d.kind == DocKind::Original);
        let mean = originals
            .clone()
            .map(|d| word_shingles(&d.text, 5).len())
            .sum::<usize>() as f64
            / originals.count() as f64;
        assert!((300.0..=330.0).contains(&mean), "{mean}");
    }
}
