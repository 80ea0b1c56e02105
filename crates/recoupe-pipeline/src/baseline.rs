//! The two baselines of `[stories] method` (see [`crate::config::StoryMethod`]): story
//! clusterings built from public pieces of `recoupe-similarity` with every other view
//! switched off, so `recoupe eval` can put the full method next to plain MinHash and
//! plain cosine on the same files.
//!
//! - [`minhash_stories`]: MinHash signatures of word n-grams ([`word_ngram_shingles`];
//!   unigrams by default), LSH candidates banded
//!   for the threshold, kept when the signature estimate of the Jaccard reaches it, then
//!   average-link over that Jaccard graph (pairs without a kept edge count 0) with the
//!   same threshold. Union-find (connected components, what MinHash dedup tools do)
//!   chains stories together on ecbplus-dev at every threshold that finds any story.
//! - [`cosine_stories`]: the cosine neighbours, average-link (`find_stories` over a
//!   corpus given no tokens and no dates) on the batch-centred cosine.
//!
//! Both return the partition and the edges that joined it (candidate pairs whose two
//! articles ended in one story), which the pipeline scores with the full corpus for
//! `pairs.jsonl`.
//!
//! ```
//! use recoupe_pipeline::baseline::minhash_stories;
//!
//! let a: Vec<u64> = (0..40).collect();
//! let b: Vec<u64> = (0..40).chain(100..104).collect(); // Jaccard 40/44 with `a`
//! let c: Vec<u64> = (500..540).collect();
//! let (clustering, edges) = minhash_stories(&[a, b, c], 128, 0.5)?;
//! assert_eq!(clustering.labels, vec![0, 0, 1]);
//! assert_eq!(edges, vec![(0, 1)]);
//! # Ok::<(), recoupe_similarity::Error>(())
//! ```

use ndarray::ArrayView2;
use recoupe_similarity::{
    cosine, find_stories, lsh, minhash, Clustering, CorpusBuilder, SimilarityConfig, Story,
};

/// Stories of the `minhash` baseline: the LSH candidates whose estimated Jaccard (over
/// `num_perm` MinHash values of `shingles`) is at least `threshold` are kept, then
/// groups merge by average-link while their average estimated Jaccard (pairs without a
/// kept edge count 0) is at least `threshold`. Rows without shingles stay alone. The
/// representative of a story is the member with the highest summed estimated Jaccard
/// over its kept pairs (lowest row on ties). Returns the partition and the kept pairs
/// `(a, b)`, `a < b`, sorted.
pub fn minhash_stories(
    shingles: &[Vec<u64>],
    num_perm: usize,
    threshold: f64,
) -> recoupe_similarity::Result<(Clustering, Vec<(u32, u32)>)> {
    let n = shingles.len();
    let rows: Vec<usize> = (0..n).filter(|&i| !shingles[i].is_empty()).collect();
    let mut kept: Vec<(u32, u32, f32)> = Vec::new();
    if rows.len() >= 2 {
        let hasher = minhash::MinHasher::new(minhash::MinHashParams {
            num_perm,
            ..minhash::MinHashParams::default()
        })?;
        let docs: Vec<&[u64]> = rows.iter().map(|&i| shingles[i].as_slice()).collect();
        let signatures = hasher.signatures(&docs)?;
        let params = lsh::LshParams::for_threshold(threshold, num_perm)?;
        let candidates = lsh::candidate_pairs(params, &signatures)?;
        kept = lsh::verify_pairs(&signatures, &candidates, threshold)?
            .into_iter()
            .map(|(a, b, j)| {
                let (a, b) = (rows[a as usize] as u32, rows[b as usize] as u32);
                (a.min(b), a.max(b), j)
            })
            .collect();
    }
    kept.sort_by_key(|x| (x.0, x.1));
    kept.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);

    let roots = average_link(n, &kept, threshold);
    let mut weight = vec![0.0f32; n];
    for &(a, b, j) in &kept {
        weight[a as usize] += j;
        weight[b as usize] += j;
    }
    let clustering = partition(&roots, |members| {
        let mut best = members[0];
        for &m in members {
            if weight[m as usize] > weight[best as usize] {
                best = m;
            }
        }
        best
    });
    Ok((
        clustering,
        kept.into_iter().map(|(a, b, _)| (a, b)).collect(),
    ))
}

/// The distinct word `n`-grams of a text given its token hashes in text order, as
/// sorted hashes (`n` = 1: the distinct tokens). A text shorter than `n` tokens gives
/// one shingle of all its tokens; no tokens, no shingle.
pub fn word_ngram_shingles(tokens: &[u64], n: usize) -> Vec<u64> {
    let n = n.max(1);
    let mut out: Vec<u64> = if n == 1 {
        tokens.to_vec()
    } else {
        let hash = |w: &[u64]| {
            let bytes: Vec<u8> = w.iter().flat_map(|h| h.to_le_bytes()).collect();
            xxhash_rust::xxh3::xxh3_64(&bytes)
        };
        if tokens.is_empty() {
            Vec::new()
        } else if tokens.len() < n {
            vec![hash(tokens)]
        } else {
            tokens.windows(n).map(hash).collect()
        }
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// A merge candidate of [`average_link`]: the groups' average and their versions.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Link {
    average: f64,
    a: u32,
    b: u32,
    version_a: u32,
    version_b: u32,
}

impl Eq for Link {}

impl Ord for Link {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Highest average first; ties: lowest pair of ids first.
        self.average
            .total_cmp(&other.average)
            .then_with(|| (other.a, other.b).cmp(&(self.a, self.b)))
    }
}

impl PartialOrd for Link {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Average-link over a sparse similarity graph: two groups merge, highest average
/// first, while the sum of edge weights between them divided by `|A| * |B|` (pairs
/// without an edge count 0) is at least `threshold`. Returns a group id per row.
fn average_link(n: usize, edges: &[(u32, u32, f32)], threshold: f64) -> Vec<u32> {
    use std::collections::{BTreeMap, BinaryHeap};
    let mut adjacency: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); n];
    for &(a, b, w) in edges {
        if a != b {
            *adjacency[a as usize].entry(b).or_default() += f64::from(w);
            *adjacency[b as usize].entry(a).or_default() += f64::from(w);
        }
    }
    let mut size = vec![1u32; n];
    let mut version = vec![0u32; n];
    let mut owner: Vec<u32> = (0..n as u32).collect();
    let link = |a: u32, b: u32, sum: f64, size: &[u32], version: &[u32]| {
        let (a, b) = (a.min(b), a.max(b));
        Link {
            average: sum / (f64::from(size[a as usize]) * f64::from(size[b as usize])),
            a,
            b,
            version_a: version[a as usize],
            version_b: version[b as usize],
        }
    };
    let mut heap: BinaryHeap<Link> = BinaryHeap::new();
    for (a, adj) in adjacency.iter().enumerate() {
        for (&b, &sum) in adj.range(a as u32 + 1..) {
            let l = link(a as u32, b, sum, &size, &version);
            if l.average >= threshold {
                heap.push(l);
            }
        }
    }
    while let Some(top) = heap.pop() {
        let (a, b) = (top.a, top.b);
        if size[a as usize] == 0
            || size[b as usize] == 0
            || version[a as usize] != top.version_a
            || version[b as usize] != top.version_b
        {
            continue;
        }
        // Merge b into a (the lower id stays).
        let adj_b = std::mem::take(&mut adjacency[b as usize]);
        adjacency[a as usize].remove(&b);
        for (&c, &w) in &adj_b {
            if c == a {
                continue;
            }
            *adjacency[a as usize].entry(c).or_default() += w;
            let adj_c = &mut adjacency[c as usize];
            adj_c.remove(&b);
            *adj_c.entry(a).or_default() += w;
        }
        size[a as usize] += size[b as usize];
        size[b as usize] = 0;
        version[a as usize] += 1;
        version[b as usize] += 1;
        owner[b as usize] = a;
        for (&c, &sum) in &adjacency[a as usize] {
            let l = link(a, c, sum, &size, &version);
            if l.average >= threshold {
                heap.push(l);
            }
        }
    }
    // Follow the merges to each row's final group.
    (0..n as u32)
        .map(|mut g| {
            while owner[g as usize] != g {
                g = owner[g as usize];
            }
            g
        })
        .collect()
}

/// Stories of the `cosine` baseline: exact top-`neighbours` cosine candidates (at least
/// `min_cosine`, from `similarity`), then average-link over all pairs of two groups on
/// the cosine centred on the batch mean, merging while the average is at least
/// `threshold`. No tokens, dates, lengths or shingles are given, so the rare-token,
/// entity, date and short-text terms are off; the cohesion check is off too. Returns
/// the partition and the candidate pairs inside stories.
pub fn cosine_stories(
    vectors: ArrayView2<'_, f32>,
    similarity: &SimilarityConfig,
    threshold: f32,
) -> recoupe_similarity::Result<(Clustering, Vec<(u32, u32)>)> {
    let config = SimilarityConfig {
        cosine_only_threshold: threshold,
        centre_cosine: true,
        cohesion_ratio: 0.0,
        ..similarity.clone()
    };
    let neighbours = cosine::exact_top_k(vectors, config.neighbours, config.min_cosine)?;
    let corpus = CorpusBuilder::new(vectors).config(config).build()?;
    let found = find_stories(&corpus, &neighbours)?;
    let edges = found
        .pairs
        .iter()
        .map(|p| (p.a.min(p.b), p.a.max(p.b)))
        .collect();
    Ok((found.clustering, edges))
}

/// The clustering of rows labelled by `roots` (any id per group), stories ordered by
/// their lowest member, with `representative` choosing each story's representative.
fn partition(roots: &[u32], representative: impl Fn(&[u32]) -> u32) -> Clustering {
    let mut by_root: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (i, &r) in roots.iter().enumerate() {
        by_root.entry(r).or_default().push(i as u32);
    }
    let mut stories: Vec<Story> = by_root
        .into_values()
        .map(|members| Story {
            representative: representative(&members),
            members,
        })
        .collect();
    stories.sort_unstable_by_key(|s| s.members[0]);
    let mut labels = vec![0u32; roots.len()];
    for (k, s) in stories.iter().enumerate() {
        for &m in &s.members {
            labels[m as usize] = k as u32;
        }
    }
    Clustering { labels, stories }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn minhash_average_link_and_empty_rows() {
        let a: Vec<u64> = (0..60).collect();
        let b: Vec<u64> = (10..70).collect(); // J(a, b) = 50/70
        let c: Vec<u64> = (20..80).collect(); // J(b, c) = 50/70, J(a, c) = 40/80
        let d: Vec<u64> = Vec::new();
        let e: Vec<u64> = (1000..1060).collect();
        let docs = [a, b, c, d, e];
        // At 0.35 every pair of a, b, c is kept: their average clears it.
        let (clustering, edges) = minhash_stories(&docs, 128, 0.35).unwrap();
        assert_eq!(clustering.labels, vec![0, 0, 0, 1, 2]);
        assert_eq!(clustering.stories[0].members, vec![0, 1, 2]);
        // b has the largest summed Jaccard: the most central member.
        assert_eq!(clustering.stories[0].representative, 1);
        assert!(
            edges.contains(&(0, 1)) && edges.contains(&(1, 2)),
            "{edges:?}"
        );
        // At 0.6 the a-c edge goes: once one of a-b, b-c merges, the third member's
        // average with the pair is about 0.36, so a and c never meet (no chain).
        let (clustering, _) = minhash_stories(&docs, 128, 0.6).unwrap();
        assert_eq!(clustering.stories.len(), 4);
        assert_ne!(clustering.labels[0], clustering.labels[2]);
        assert_eq!(
            clustering.stories[0].members.len(),
            1 + usize::from(clustering.labels[0] == clustering.labels[1])
        );
    }

    #[test]
    fn word_ngrams() {
        assert_eq!(word_ngram_shingles(&[3, 1, 3, 2], 1), vec![1, 2, 3]);
        assert_eq!(word_ngram_shingles(&[1, 2, 3], 2).len(), 2);
        assert_eq!(word_ngram_shingles(&[1, 2], 3).len(), 1);
        assert!(word_ngram_shingles(&[], 2).is_empty());
        assert_eq!(word_ngram_shingles(&[1, 2, 1, 2], 2).len(), 2);
    }

    #[test]
    fn average_link_counts_missing_pairs_as_zero() {
        // A chain 0-1-2-3 of strong edges: single link would join all four.
        let edges = [(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9)];
        let roots = average_link(4, &edges, 0.5);
        assert_eq!(roots[0], roots[1]);
        assert_eq!(roots[2], roots[3]);
        assert_ne!(roots[1], roots[2]);
    }

    #[test]
    fn minhash_of_one_or_no_row() {
        let (c, e) = minhash_stories(&[], 128, 0.5).unwrap();
        assert!(c.labels.is_empty() && e.is_empty());
        let (c, e) = minhash_stories(&[vec![1, 2, 3]], 128, 0.5).unwrap();
        assert_eq!(c.labels, vec![0]);
        assert!(e.is_empty());
    }

    fn unit(rows: &[[f32; 3]]) -> Array2<f32> {
        let mut m = Array2::zeros((rows.len(), 3));
        for (i, r) in rows.iter().enumerate() {
            let norm = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            for j in 0..3 {
                m[[i, j]] = r[j] / norm;
            }
        }
        m
    }

    #[test]
    fn cosine_threshold_decides() {
        let v = unit(&[
            [1.0, 0.05, 0.0],
            [1.0, 0.0, 0.05],
            [0.0, 1.0, 0.1],
            [0.05, 1.0, 0.0],
            [0.0, 0.0, 1.0],
        ]);
        let config = SimilarityConfig::default();
        let (c, edges) = cosine_stories(v.view(), &config, 0.5).unwrap();
        assert_eq!(c.labels, vec![0, 0, 1, 1, 2]);
        assert!(
            edges.contains(&(0, 1)) && edges.contains(&(2, 3)),
            "{edges:?}"
        );
        // A threshold above every centred cosine keeps every article alone.
        let (c, edges) = cosine_stories(v.view(), &config, 1.01).unwrap();
        assert_eq!(c.stories.len(), 5);
        assert!(edges.is_empty());
    }
}
