//! Approximate cosine neighbours for large batches, and [`recall_at_k`] to measure them
//! against [`crate::cosine`]:
//!
//! - [`hnsw_top_k`]: an HNSW graph (`instant-distance`) behind our own types; high
//!   recall on real embeddings, but building it costs minutes at a million rows on two
//!   cores.
//! - [`ivf_top_k`]: a two-level inverted file (spherical k-means, coarse then fine
//!   cells of about `bucket_size` rows), exact SGEMM top-k inside each fine cell, each
//!   row visiting its `probes` best coarse cells and there its `probes` best fine
//!   cells. Everything is matrix products, so a million rows take seconds; recall is
//!   lower than HNSW's where neighbours straddle several cells.
//!   Deterministic whatever the thread count.
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

/// Parameters of the two-level inverted file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IvfConfig {
    /// Target rows per fine cell. Default 128.
    pub bucket_size: usize,
    /// Coarse cells, and fine cells within each, searched per row. Default 2.
    pub probes: usize,
    /// Lloyd iterations of each k-means. Default 4.
    pub iterations: usize,
}

impl Default for IvfConfig {
    fn default() -> Self {
        Self {
            bucket_size: 128,
            probes: 2,
            iterations: 4,
        }
    }
}

/// Row-block matrix product of `rows` with `centroids^T`, returning for every row its
/// `probes` best centroid indices (best first, ties to the lower index).
fn best_centroids(
    rows: ArrayView2<'_, f32>,
    centroids: ArrayView2<'_, f32>,
    probes: usize,
) -> Vec<Vec<u32>> {
    let n = rows.nrows();
    let starts: Vec<usize> = (0..n).step_by(1024).collect();
    starts
        .par_iter()
        .flat_map_iter(|&r0| {
            let r1 = (r0 + 1024).min(n);
            let products = rows.slice(ndarray::s![r0..r1, ..]).dot(&centroids.t());
            products
                .outer_iter()
                .map(|row| {
                    let mut top = TopK::new(probes);
                    for (j, &c) in row.iter().enumerate() {
                        if c >= top.floor() {
                            top.push(j as u32, c);
                        }
                    }
                    top.into_vec().into_iter().map(|n| n.index).collect()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Spherical k-means of `rows` into `k` centroids (deterministic: seeded with evenly
/// spaced rows; an emptied centroid keeps its previous value).
fn kmeans(rows: ArrayView2<'_, f32>, k: usize, iterations: usize) -> ndarray::Array2<f32> {
    let (n, d) = (rows.nrows(), rows.ncols());
    let k = k.clamp(1, n.max(1));
    let mut centroids = ndarray::Array2::<f32>::zeros((k, d));
    for c in 0..k {
        centroids.row_mut(c).assign(&rows.row(c * n / k));
    }
    for _ in 0..iterations {
        let assign = best_centroids(rows, centroids.view(), 1);
        let mut sums = ndarray::Array2::<f32>::zeros((k, d));
        for (i, a) in assign.iter().enumerate() {
            if let Some(&c) = a.first() {
                let mut s = sums.row_mut(c as usize);
                s += &rows.row(i);
            }
        }
        for (mut c, s) in centroids.outer_iter_mut().zip(sums.outer_iter()) {
            let norm = s.dot(&s).sqrt();
            if norm > 1e-6 {
                c.assign(&s.mapv(|x| x / norm));
            }
        }
    }
    centroids
}

fn gather(vectors: ArrayView2<'_, f32>, rows: &[u32]) -> ndarray::Array2<f32> {
    let mut out = ndarray::Array2::<f32>::zeros((rows.len(), vectors.ncols()));
    for (mut o, &r) in out.outer_iter_mut().zip(rows) {
        o.assign(&vectors.row(r as usize));
    }
    out
}

/// Approximate top-`k` neighbours of every row with cosine `>= min_cosine` from a
/// two-level inverted file (see the module docs). Rows are validated first.
pub fn ivf_top_k(
    vectors: ArrayView2<'_, f32>,
    k: usize,
    min_cosine: f32,
    config: &IvfConfig,
) -> Result<NeighbourLists> {
    cosine::validate(vectors)?;
    let n = vectors.nrows();
    let bucket = config.bucket_size.max(16);
    let cells = n.div_ceil(bucket).max(1);
    let coarse_k = ((cells as f64).sqrt().ceil() as usize).max(1);
    // Train the coarse level on an evenly spaced sample of at most 64 rows per centroid.
    let sample_rows: Vec<u32> = {
        let want = (coarse_k * 64).min(n);
        (0..want).map(|i| (i * n / want.max(1)) as u32).collect()
    };
    let sample = gather(vectors, &sample_rows);
    let coarse = kmeans(sample.view(), coarse_k, config.iterations);
    drop(sample);
    let probes = config.probes.max(1);
    // Candidates live in their best coarse cell; queries visit their `probes` best.
    let coarse_of = best_centroids(vectors, coarse.view(), probes);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); coarse.nrows()];
    let mut visitors: Vec<Vec<u32>> = vec![Vec::new(); coarse.nrows()];
    for (row, cells) in coarse_of.iter().enumerate() {
        if let Some(&c) = cells.first() {
            members[c as usize].push(row as u32);
        }
        for &c in cells {
            visitors[c as usize].push(row as u32);
        }
    }
    drop(coarse_of);
    // Per coarse cell: fine k-means on its members, then exact top-k of every visitor
    // against the members of its `probes` best fine cells.
    let per_cell: Vec<Vec<(u32, Vec<Neighbour>)>> = members
        .par_iter()
        .zip(visitors.par_iter())
        .map(|(rows, queries)| {
            if rows.is_empty() || queries.is_empty() {
                return Vec::new();
            }
            let local = gather(vectors, rows);
            let fine_k = rows.len().div_ceil(bucket).max(1);
            let fine = kmeans(local.view(), fine_k, config.iterations);
            let mut primary: Vec<Vec<u32>> = vec![Vec::new(); fine.nrows()];
            for (i, b) in best_centroids(local.view(), fine.view(), 1)
                .iter()
                .enumerate()
            {
                if let Some(&p) = b.first() {
                    primary[p as usize].push(i as u32);
                }
            }
            drop(local);
            let visiting = gather(vectors, queries);
            let mut probing: Vec<Vec<u32>> = vec![Vec::new(); fine.nrows()];
            for (qi, b) in best_centroids(visiting.view(), fine.view(), probes)
                .iter()
                .enumerate()
            {
                for &p in b {
                    probing[p as usize].push(qi as u32);
                }
            }
            let mut tops: Vec<TopK> = (0..queries.len()).map(|_| TopK::new(k)).collect();
            for (cands, probers) in primary.iter().zip(&probing) {
                if cands.is_empty() || probers.is_empty() {
                    continue;
                }
                let cand_rows: Vec<u32> = cands.iter().map(|&c| rows[c as usize]).collect();
                let c = gather(vectors, &cand_rows);
                for chunk in probers.chunks(512) {
                    let q = gather(visiting.view(), chunk);
                    let products = q.dot(&c.t());
                    for (&qi, row) in chunk.iter().zip(products.outer_iter()) {
                        let me = queries[qi as usize];
                        let top = &mut tops[qi as usize];
                        let mut floor = top.floor().max(min_cosine);
                        for (&other, &cos) in cand_rows.iter().zip(row.iter()) {
                            if cos >= floor && other != me {
                                top.push(other, cos.clamp(-1.0, 1.0));
                                floor = top.floor().max(min_cosine);
                            }
                        }
                    }
                }
            }
            queries
                .iter()
                .zip(tops)
                .map(|(&r, t)| (r, t.into_vec()))
                .collect()
        })
        .collect();
    // Merge each row's lists from the coarse cells it visited (cell order is fixed, and
    // TopK breaks ties by index, so the merge does not depend on scheduling).
    let mut tops: Vec<TopK> = (0..n).map(|_| TopK::new(k)).collect();
    for (row, list) in per_cell.into_iter().flatten() {
        let top = &mut tops[row as usize];
        for nb in list {
            if !top.contains(nb.index) {
                top.push(nb.index, nb.cosine);
            }
        }
    }
    let lists: Vec<Vec<Neighbour>> = tops.into_iter().map(TopK::into_vec).collect();
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

    #[test]
    fn ivf_finds_planted_neighbours_and_ignores_thread_count() {
        // 40 tight groups of 10 around random centres.
        let (groups, size, d) = (40, 10, 24);
        let mut state = 99u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let centres: Vec<Vec<f32>> = (0..groups)
            .map(|_| (0..d).map(|_| next()).collect())
            .collect();
        let mut v = Array2::<f32>::zeros((groups * size, d));
        for (i, mut row) in v.outer_iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                *x = centres[i / size][j] + 0.05 * next();
            }
            let norm = row.dot(&row).sqrt();
            row.mapv_inplace(|x| x / norm);
        }
        let config = IvfConfig {
            bucket_size: 32,
            ..IvfConfig::default()
        };
        let exact = cosine::exact_top_k(v.view(), 5, -1.0).unwrap();
        let approx = ivf_top_k(v.view(), 5, -1.0, &config).unwrap();
        assert!(recall_at_k(&exact, &approx) >= 0.95);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let single = one.install(|| ivf_top_k(v.view(), 5, -1.0, &config).unwrap());
        assert_eq!(single, approx);
    }
}
