//! Approximate cosine neighbours for large batches: an HNSW graph (`instant-distance`)
//! behind our own types, and [`recall_at_k`] to measure it against [`crate::cosine`].
//!
//! HNSW insertion runs on rayon's pool and its graph depends on the insertion
//! interleaving, so with more than one thread the neighbour lists can differ between
//! runs (recall does not move measurably). Build inside a one-thread pool when
//! bit-identical output matters, or use the exact path.

use instant_distance::{Builder, Point, Search};
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cosine::{self, Neighbour, NeighbourLists, TopK};
use crate::error::Result;

/// Parameters of the HNSW graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HnswConfig {
    /// Candidate list size while building (higher: better graph, slower). Default 100.
    pub ef_construction: usize,
    /// Candidate list size while searching (at least k). Default 100.
    pub ef_search: usize,
    /// Seed of the layer assignment. Default 0x5eed.
    pub seed: u64,
}

impl Default for HnswConfig {
    fn default() -> Self {
        Self {
            ef_construction: 100,
            ef_search: 100,
            seed: 0x5eed,
        }
    }
}

#[derive(Clone)]
struct Unit(Vec<f32>);

impl Point for Unit {
    fn distance(&self, other: &Self) -> f32 {
        1.0 - self.0.iter().zip(&other.0).map(|(x, y)| x * y).sum::<f32>()
    }
}

/// Approximate top-`k` neighbours of every row (itself excluded) with cosine
/// `>= min_cosine`, from an HNSW graph over all rows. Rows are validated first.
pub fn hnsw_top_k(
    vectors: ArrayView2<'_, f32>,
    k: usize,
    min_cosine: f32,
    config: &HnswConfig,
) -> Result<NeighbourLists> {
    cosine::validate(vectors)?;
    let points: Vec<Unit> = vectors.outer_iter().map(|r| Unit(r.to_vec())).collect();
    let (hnsw, ids) = Builder::default()
        .ef_construction(config.ef_construction)
        .ef_search(config.ef_search.max(k + 1))
        .seed(config.seed)
        .build_hnsw(points);
    // `ids[i]` is the graph's id of input row i; map back.
    let mut row_of = vec![0u32; ids.len()];
    for (row, pid) in ids.iter().enumerate() {
        if let Some(slot) = row_of.get_mut(pid.into_inner() as usize) {
            *slot = row as u32;
        }
    }
    let lists: Vec<Vec<Neighbour>> = (0..vectors.nrows())
        .into_par_iter()
        .map_init(Search::default, |search, row| {
            let query = Unit(vectors.row(row).to_vec());
            let mut top = TopK::new(k);
            for item in hnsw.search(&query, search) {
                let other = row_of[item.pid.into_inner() as usize] as usize;
                if other == row {
                    continue;
                }
                // Recompute the cosine exactly (the graph's distance is 1 - dot).
                let cos = cosine::cosine(query.0.as_slice(), item.point.0.as_slice());
                if cos >= min_cosine {
                    top.push(other as u32, cos);
                }
            }
            top.into_vec()
        })
        .collect();
    Ok(NeighbourLists::from_lists(lists))
}

/// Fraction of the exact neighbours that the approximate lists found (recall@k, over
/// all rows; rows without exact neighbours are skipped).
pub fn recall_at_k(exact: &NeighbourLists, approximate: &NeighbourLists) -> f64 {
    let (mut found, mut total) = (0usize, 0usize);
    for (row, truth) in exact.lists().iter().enumerate() {
        let got = approximate.of(row);
        total += truth.len();
        found += truth
            .iter()
            .filter(|t| got.iter().any(|g| g.index == t.index))
            .count();
    }
    if total == 0 {
        1.0
    } else {
        found as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn hnsw_matches_exact_on_a_small_set() {
        // Deterministic pseudo-random unit vectors.
        let (n, d) = (600, 16);
        let mut state = 12345u64;
        let mut v = Array2::from_shape_fn((n, d), |_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        });
        for mut row in v.outer_iter_mut() {
            let norm = row.dot(&row).sqrt();
            row.mapv_inplace(|x| x / norm);
        }
        let exact = cosine::exact_top_k(v.view(), 10, -1.0).unwrap();
        let approx = hnsw_top_k(v.view(), 10, -1.0, &HnswConfig::default()).unwrap();
        let recall = recall_at_k(&exact, &approx);
        assert!(recall >= 0.95, "recall {recall}");
    }
}
