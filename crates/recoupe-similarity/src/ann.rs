//! Approximate cosine neighbours for large batches, and [`recall_at_k`] to measure them
//! against [`crate::cosine`]:
//!
//! - [`ivf_top_k`]: a two-level inverted file (spherical k-means, coarse then fine
//!   cells of about `bucket_size` rows) with exact SGEMM top-k inside the cells. Every
//!   row visits its `probes` best coarse cells, ranks the fine cells of all of them
//!   together by centroid cosine and searches the best `fine_probes`; then
//!   `refine_rounds` rounds of neighbour-of-neighbour refinement (each row compared
//!   exactly with the neighbours of its neighbours and of its reverse neighbours, as in
//!   NN-descent's local join) recover most of what the cells missed. Everything but the
//!   refinement is matrix products, so a million rows take seconds. Deterministic
//!   whatever the thread count. [`IvfConfig::default`] is the fast setting (the 1M
//!   end-to-end run); [`IvfConfig::high_recall`] is the recall@10 >= 0.99 setting on
//!   the synthetic bench corpora and [`IvfConfig::real_vectors`] the one on real
//!   sentence vectors of both models, measured in the crate README.
//! - [`top_k`]: exact below [`SearchConfig::ivf_min_documents`] rows, the inverted file
//!   from there on (what the pipeline calls).
//! - [`hnsw_top_k`]: an HNSW graph (`hnsw_rs`) behind our own types. High recall, but
//!   its build costs far more than the exact path on the bench corpora (README,
//!   "Speed"); kept for callers whose data suit graphs better than cells.
//!
//! HNSW insertion runs on one thread by default, so the graph and the neighbour lists
//! do not depend on the thread count; `HnswConfig::parallel_insert` inserts on rayon's
//! pool instead, and then the graph depends on the insertion interleaving (lists can
//! differ between runs).

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cosine::{self, Neighbour, NeighbourLists, TopK};
use crate::error::Result;

/// Parameters of the HNSW graph.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HnswConfig {
    /// Links per node and layer (HNSW's `M`, at most 256). Default 16.
    pub connections: usize,
    /// Candidate list size while building (higher: better graph, slower). Default 100.
    pub ef_construction: usize,
    /// Candidate list size while searching (at least k + 1). Default 100.
    pub ef_search: usize,
    /// Insert on rayon's pool: faster on many cores, but the graph then depends on the
    /// insertion interleaving. Default false (one thread inserts; deterministic).
    pub parallel_insert: bool,
}

impl Default for HnswConfig {
    fn default() -> Self {
        Self {
            connections: 16,
            ef_construction: 100,
            ef_search: 100,
            parallel_insert: false,
        }
    }
}

/// Which neighbour search [`top_k`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchMethod {
    /// Exact below `ivf_min_documents` rows, the inverted file from there on.
    #[default]
    Auto,
    /// Always the exact blocked-SGEMM search ([`cosine::exact_top_k`]).
    Exact,
    /// Always the inverted file ([`ivf_top_k`] with [`SearchConfig::ivf`]).
    Ivf,
}

/// How a batch's cosine neighbours are found: exact for ordinary batches, the inverted
/// file for large ones (where the exact search's `N^2` products dominate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// `auto` (default), `exact` or `ivf`.
    pub method: SearchMethod,
    /// With `auto`, batches of at least this many rows use the inverted file.
    /// Default 50,000: on the shuffled bench corpus (crate README, "Session 4") the
    /// exact search of 50k rows takes 15-27 s on two cores and the `real_vectors`
    /// inverted file is 6-10x faster with recall@10 0.999; at 20k exact takes about
    /// 2 s, so a batch below 50k keeps exact answers.
    pub ivf_min_documents: usize,
    /// Settings of the inverted file. Default [`IvfConfig::real_vectors`] (recall@10 of
    /// at least 0.99 against exact on real vectors of both models, measured). A config that
    /// gives this table takes the fields it leaves out from [`IvfConfig::default`] (the
    /// fast setting).
    pub ivf: IvfConfig,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            method: SearchMethod::Auto,
            ivf_min_documents: 50_000,
            ivf: IvfConfig::real_vectors(),
        }
    }
}

impl SearchConfig {
    /// Whether a batch of `rows` rows uses the inverted file.
    pub fn uses_ivf(&self, rows: usize) -> bool {
        match self.method {
            SearchMethod::Auto => rows >= self.ivf_min_documents,
            SearchMethod::Exact => false,
            SearchMethod::Ivf => true,
        }
    }
}

/// Top-`k` neighbours of every row (itself excluded) with cosine `>= min_cosine`, by
/// the search `config` picks for this batch size ([`SearchConfig::uses_ivf`]). Rows are
/// validated first; deterministic whatever the thread count either way.
pub fn top_k(
    vectors: ArrayView2<'_, f32>,
    k: usize,
    min_cosine: f32,
    config: &SearchConfig,
) -> Result<NeighbourLists> {
    if config.uses_ivf(vectors.nrows()) {
        ivf_top_k(vectors, k, min_cosine, &config.ivf)
    } else {
        cosine::exact_top_k(vectors, k, min_cosine)
    }
}

/// `1 - cosine` of unit rows, never below 0 (`hnsw_rs`'s own `DistDot` asserts on the
/// rounding that puts a row's product with itself just above 1).
struct UnitDistance;

impl hnsw_rs::prelude::Distance<f32> for UnitDistance {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - cosine::dot(a, b)).max(0.0)
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
    let n = vectors.nrows();
    let rows: Vec<Vec<f32>> = vectors.outer_iter().map(|r| r.to_vec()).collect();
    let graph = hnsw_rs::hnsw::Hnsw::<f32, UnitDistance>::new(
        config.connections.clamp(2, 256),
        n,
        16,
        config.ef_construction.max(1),
        UnitDistance,
    );
    let items: Vec<(&[f32], usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_slice(), i))
        .collect();
    if config.parallel_insert {
        graph.parallel_insert_slice(&items);
    } else {
        for &item in &items {
            graph.insert_slice(item);
        }
    }
    let ef = config.ef_search.max(k + 1);
    let lists: Vec<Vec<Neighbour>> = (0..n)
        .into_par_iter()
        .map(|row| {
            let mut top = TopK::new(k);
            for item in graph.search(&rows[row], k + 1, ef) {
                let other = item.d_id;
                if other == row || other >= n {
                    continue;
                }
                // Recompute the cosine exactly (the graph's distance is 1 - dot).
                let cos = cosine::cosine(&rows[row], &rows[other]);
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
    /// Coarse cells visited per row. Default 2.
    pub probes: usize,
    /// Fine cells searched per row in total: the best by centroid cosine among the fine
    /// cells of the row's visited coarse cells. Default 4.
    pub fine_probes: usize,
    /// Rounds of neighbour-of-neighbour refinement after the cell search (each row
    /// compares itself exactly with the neighbours of its neighbours, forward and
    /// reverse). Default 0.
    pub refine_rounds: usize,
    /// Lloyd iterations of each k-means. Default 4.
    pub iterations: usize,
}

impl Default for IvfConfig {
    fn default() -> Self {
        Self {
            bucket_size: 128,
            probes: 2,
            fine_probes: 4,
            refine_rounds: 0,
            iterations: 4,
        }
    }
}

impl IvfConfig {
    /// The setting measured at recall@10 >= 0.99 against exact on the 50k and 100k bench
    /// corpora (crate README, "Speed"): 6 coarse cells, 8 fine cells, one refinement
    /// round.
    pub fn high_recall() -> Self {
        Self {
            probes: 6,
            fine_probes: 8,
            refine_rounds: 1,
            ..Self::default()
        }
    }

    /// The setting measured at recall@10 >= 0.99 against exact on real sentence
    /// vectors of both models (uci-news-headlines, 6,366 rows; crate README, "Session 4"):
    /// 6 coarse cells, 16 fine cells, one refinement round. `high_recall` (8 fine
    /// cells) reaches 0.996 there with all-MiniLM-L6-v2 but 0.983 with
    /// multilingual-e5-small, whose texts share one narrow cone; 16 fine cells give
    /// 0.998 / 0.993. The pipeline's default for large batches ([`SearchConfig`]).
    pub fn real_vectors() -> Self {
        Self {
            fine_probes: 16,
            ..Self::high_recall()
        }
    }
}

/// Row-block matrix product of `rows` with `centroids^T`, returning for every row its
/// `probes` best centroids (best first, ties to the lower index).
fn best_centroids(
    rows: ArrayView2<'_, f32>,
    centroids: ArrayView2<'_, f32>,
    probes: usize,
) -> Vec<Vec<Neighbour>> {
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
                    top.into_vec()
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
            if let Some(c) = a.first() {
                let mut s = sums.row_mut(c.index as usize);
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

/// The fine level of one coarse cell: its centroids and, per fine cell, the rows
/// (global indices) that live there.
struct FineCells {
    centroids: ndarray::Array2<f32>,
    members: Vec<Vec<u32>>,
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
    if n == 0 {
        return Ok(NeighbourLists::from_lists(Vec::new()));
    }
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
    let fine_probes = config.fine_probes.max(1);
    // Candidates live in their best coarse cell; queries visit their `probes` best.
    let coarse_of = best_centroids(vectors, coarse.view(), probes);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); coarse.nrows()];
    let mut visitors: Vec<Vec<u32>> = vec![Vec::new(); coarse.nrows()];
    for (row, cells) in coarse_of.iter().enumerate() {
        if let Some(c) = cells.first() {
            members[c.index as usize].push(row as u32);
        }
        for c in cells {
            visitors[c.index as usize].push(row as u32);
        }
    }
    drop(coarse_of);
    // Fine k-means inside every coarse cell.
    let fine: Vec<FineCells> = members
        .par_iter()
        .map(|rows| {
            if rows.is_empty() {
                return FineCells {
                    centroids: ndarray::Array2::zeros((0, vectors.ncols())),
                    members: Vec::new(),
                };
            }
            let local = gather(vectors, rows);
            let fine_k = rows.len().div_ceil(bucket).max(1);
            let centroids = kmeans(local.view(), fine_k, config.iterations);
            let mut cell_rows: Vec<Vec<u32>> = vec![Vec::new(); centroids.nrows()];
            for (i, b) in best_centroids(local.view(), centroids.view(), 1)
                .iter()
                .enumerate()
            {
                if let Some(p) = b.first() {
                    cell_rows[p.index as usize].push(rows[i]);
                }
            }
            FineCells {
                centroids,
                members: cell_rows,
            }
        })
        .collect();
    drop(members);
    // Every row's `fine_probes` best fine cells among those of its visited coarse cells,
    // ranked together by centroid cosine. A fine cell is named by a global id.
    let offsets: Vec<u32> = fine
        .iter()
        .scan(0u32, |acc, f| {
            let start = *acc;
            *acc += f.members.len() as u32;
            Some(start)
        })
        .collect();
    let per_coarse: Vec<Vec<(u32, Vec<Neighbour>)>> = fine
        .par_iter()
        .zip(visitors.par_iter())
        .zip(offsets.par_iter())
        .map(|((cells, queries), &offset)| {
            if queries.is_empty() || cells.members.is_empty() {
                return Vec::new();
            }
            let q = gather(vectors, queries);
            best_centroids(q.view(), cells.centroids.view(), fine_probes)
                .into_iter()
                .zip(queries)
                .map(|(mut best, &row)| {
                    for b in &mut best {
                        b.index += offset;
                    }
                    (row, best)
                })
                .collect()
        })
        .collect();
    drop(visitors);
    let mut chosen: Vec<TopK> = (0..n).map(|_| TopK::new(fine_probes)).collect();
    for (row, best) in per_coarse.into_iter().flatten() {
        for b in best {
            chosen[row as usize].push(b.index, b.cosine);
        }
    }
    // Invert: the rows that search each fine cell, grouped by coarse cell.
    let total_fine =
        offsets.last().copied().unwrap_or(0) as usize + fine.last().map_or(0, |f| f.members.len());
    let mut probers: Vec<Vec<u32>> = vec![Vec::new(); total_fine];
    for (row, top) in chosen.into_iter().enumerate() {
        for cell in top.into_vec() {
            probers[cell.index as usize].push(row as u32);
        }
    }
    // Exact top-k of every prober against the rows of each fine cell, one coarse cell
    // per task; a row's lists from different coarse cells are merged afterwards.
    let per_cell: Vec<Vec<(u32, Vec<Neighbour>)>> = fine
        .par_iter()
        .zip(offsets.par_iter())
        .map(|(cells, &offset)| {
            let cell_probers = &probers[offset as usize..offset as usize + cells.members.len()];
            let mut queries: Vec<u32> = cell_probers.iter().flatten().copied().collect();
            queries.sort_unstable();
            queries.dedup();
            if queries.is_empty() {
                return Vec::new();
            }
            let mut tops: Vec<TopK> = (0..queries.len()).map(|_| TopK::new(k)).collect();
            for (cand_rows, rows) in cells.members.iter().zip(cell_probers) {
                if cand_rows.is_empty() || rows.is_empty() {
                    continue;
                }
                let c = gather(vectors, cand_rows);
                for chunk in rows.chunks(512) {
                    let q = gather(vectors, chunk);
                    let products = q.dot(&c.t());
                    for (&me, row) in chunk.iter().zip(products.outer_iter()) {
                        let Ok(slot) = queries.binary_search(&me) else {
                            continue;
                        };
                        let top = &mut tops[slot];
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
                .into_iter()
                .zip(tops)
                .map(|(r, t)| (r, t.into_vec()))
                .collect()
        })
        .collect();
    drop(probers);
    drop(fine);
    // Merge each row's lists from the coarse cells it searched (cell order is fixed, and
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
    let mut lists: Vec<Vec<Neighbour>> = tops.into_iter().map(TopK::into_vec).collect();
    for _ in 0..config.refine_rounds {
        lists = refine(vectors, &lists, k, min_cosine);
    }
    Ok(NeighbourLists::from_lists(lists))
}

/// One round of neighbour-of-neighbour refinement (the local join of NN-descent, done
/// synchronously so the result does not depend on scheduling): every row keeps the best
/// `k` of its current neighbours, the rows that list it (reverse neighbours), and the
/// current neighbours of both, each compared exactly.
fn refine(
    vectors: ArrayView2<'_, f32>,
    lists: &[Vec<Neighbour>],
    k: usize,
    min_cosine: f32,
) -> Vec<Vec<Neighbour>> {
    let n = lists.len();
    // Reverse lists by counting sort (row order, so deterministic), each cut to its
    // `reverse_cap` most similar rows so a hub listed by thousands of rows does not
    // make the two-hop sets quadratic.
    let reverse_cap = 4 * k.max(1);
    let mut counts = vec![0u32; n + 1];
    for list in lists {
        for nb in list {
            counts[nb.index as usize + 1] += 1;
        }
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    let mut fill = counts.clone();
    let mut reverse = vec![
        Neighbour {
            index: 0,
            cosine: 0.0
        };
        counts[n] as usize
    ];
    for (row, list) in lists.iter().enumerate() {
        for nb in list {
            let slot = &mut fill[nb.index as usize];
            reverse[*slot as usize] = Neighbour {
                index: row as u32,
                cosine: nb.cosine,
            };
            *slot += 1;
        }
    }
    let reverse: Vec<Vec<u32>> = (0..n)
        .into_par_iter()
        .map(|row| {
            let mut r = reverse[counts[row] as usize..counts[row + 1] as usize].to_vec();
            if r.len() > reverse_cap {
                r.sort_by(|a, b| b.cosine.total_cmp(&a.cosine).then(a.index.cmp(&b.index)));
                r.truncate(reverse_cap);
            }
            r.into_iter().map(|nb| nb.index).collect()
        })
        .collect();
    let reverse_of = |row: usize| reverse[row].as_slice();
    (0..n)
        .into_par_iter()
        .map(|row| {
            let me = vectors.row(row);
            let me = me.as_slice();
            let mut top = TopK::new(k);
            let direct = lists[row]
                .iter()
                .map(|nb| nb.index)
                .chain(reverse_of(row).iter().copied());
            let mut hop: Vec<u32> = Vec::new();
            for u in direct {
                hop.push(u);
                hop.extend(lists[u as usize].iter().map(|nb| nb.index));
                hop.extend(reverse_of(u as usize).iter().copied());
            }
            hop.sort_unstable();
            hop.dedup();
            for other in hop {
                if other as usize == row {
                    continue;
                }
                let cos = match (me, vectors.row(other as usize).as_slice()) {
                    (Some(a), Some(b)) => cosine::cosine(a, b),
                    _ => vectors
                        .row(row)
                        .dot(&vectors.row(other as usize))
                        .clamp(-1.0, 1.0),
                };
                if cos >= min_cosine {
                    top.push(other, cos);
                }
            }
            top.into_vec()
        })
        .collect()
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

    /// Deterministic pseudo-random unit rows.
    fn random_unit_rows(n: usize, d: usize, seed: u64) -> Array2<f32> {
        let mut state = seed;
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
        v
    }

    #[test]
    fn top_k_switches_to_the_inverted_file_at_the_configured_size() {
        let (n, d) = (400, 8);
        let v = random_unit_rows(n, d, 99);
        // Small cells, few probes: the inverted file visibly differs from exact.
        let ivf = IvfConfig {
            bucket_size: 16,
            probes: 1,
            fine_probes: 1,
            refine_rounds: 0,
            iterations: 4,
        };
        let exact = cosine::exact_top_k(v.view(), 10, -1.0).unwrap();
        let cells = ivf_top_k(v.view(), 10, -1.0, &ivf).unwrap();
        assert_ne!(exact, cells, "the test needs an inverted file that differs");
        let auto = |min| SearchConfig {
            method: SearchMethod::Auto,
            ivf_min_documents: min,
            ivf,
        };
        assert_eq!(top_k(v.view(), 10, -1.0, &auto(n + 1)).unwrap(), exact);
        assert_eq!(top_k(v.view(), 10, -1.0, &auto(n)).unwrap(), cells);
        let forced = SearchConfig {
            method: SearchMethod::Ivf,
            ..auto(usize::MAX)
        };
        assert_eq!(top_k(v.view(), 10, -1.0, &forced).unwrap(), cells);
        let exact_only = SearchConfig {
            method: SearchMethod::Exact,
            ..auto(0)
        };
        assert_eq!(top_k(v.view(), 10, -1.0, &exact_only).unwrap(), exact);
        // The serde form the pipeline's `[neighbours]` table uses.
        let parsed: SearchConfig =
            serde_json::from_str(r#"{"method": "ivf", "ivf": {"probes": 3}}"#).unwrap();
        assert_eq!(parsed.method, SearchMethod::Ivf);
        assert_eq!(parsed.ivf.probes, 3);
        assert_eq!(parsed.ivf.bucket_size, IvfConfig::default().bucket_size);
    }

    #[test]
    fn hnsw_matches_exact_on_a_small_set() {
        let v = random_unit_rows(600, 16, 12345);
        let exact = cosine::exact_top_k(v.view(), 10, -1.0).unwrap();
        let approx = hnsw_top_k(v.view(), 10, -1.0, &HnswConfig::default()).unwrap();
        let recall = recall_at_k(&exact, &approx);
        assert!(recall >= 0.95, "recall {recall}");
        // One inserting thread by default: the same graph whatever the pool size.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let single = one.install(|| hnsw_top_k(v.view(), 10, -1.0, &HnswConfig::default()));
        assert_eq!(single.unwrap(), approx);
    }

    /// `stories` groups of heavy-tailed size (1..=40) around random centres, articles at
    /// cosine ~0.8 inside a story, in shuffled row order (like the bench corpora of
    /// `recoupe-bench`, but small).
    fn planted_stories(n: usize, d: usize, seed: u64) -> Array2<f32> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) as f32
        };
        let gauss = |next: &mut dyn FnMut() -> f32| {
            let (u1, u2) = (next().max(1e-7), next());
            (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
        };
        let mut story_of = Vec::with_capacity(n);
        let mut story = 0usize;
        while story_of.len() < n {
            let size = if next() < 0.3 {
                1
            } else {
                ((2.0 / next().max(1e-3)) as usize).clamp(2, 40)
            };
            story_of.extend(std::iter::repeat_n(story, size.min(n - story_of.len())));
            story += 1;
        }
        let centres: Vec<Vec<f32>> = (0..story)
            .map(|_| (0..d).map(|_| gauss(&mut next)).collect())
            .collect();
        // Noise of norm 0.5 against a centre of norm ~sqrt(d): cosine ~0.8 inside a story.
        let scale = 0.5 / (d as f32).sqrt();
        let mut v = Array2::<f32>::zeros((n, d));
        for (i, mut row) in v.outer_iter_mut().enumerate() {
            let c = &centres[story_of[i]];
            let norm_c = c.iter().map(|x| x * x).sum::<f32>().sqrt();
            for (x, &cj) in row.iter_mut().zip(c) {
                *x = cj / norm_c + scale * gauss(&mut next);
            }
            let norm = row.dot(&row).sqrt();
            row.mapv_inplace(|x| x / norm);
        }
        // Shuffle rows (Fisher-Yates) so stories are not contiguous.
        for i in (1..n).rev() {
            let j = (next() * (i + 1) as f32) as usize % (i + 1);
            for col in 0..d {
                v.swap([i, col], [j, col]);
            }
        }
        v
    }

    #[test]
    fn ivf_with_refinement_reaches_recall_099_where_plain_cells_do_not() {
        let v = planted_stories(3000, 64, 7);
        let exact = cosine::exact_top_k(v.view(), 10, 0.5).unwrap();
        let plain = IvfConfig {
            bucket_size: 32,
            probes: 1,
            fine_probes: 1,
            refine_rounds: 0,
            ..IvfConfig::default()
        };
        let high = IvfConfig {
            bucket_size: 32,
            ..IvfConfig::high_recall()
        };
        let low = recall_at_k(&exact, &ivf_top_k(v.view(), 10, 0.5, &plain).unwrap());
        let got = recall_at_k(&exact, &ivf_top_k(v.view(), 10, 0.5, &high).unwrap());
        // The corpus is hard enough that one cell per row misses neighbours ...
        assert!(low < 0.95, "one cell already finds {low}");
        // ... and the high-recall settings find 99 % of them.
        assert!(got >= 0.99, "recall {got} (one cell: {low})");
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
        let refined = IvfConfig {
            refine_rounds: 2,
            ..config
        };
        let many = ivf_top_k(v.view(), 5, -1.0, &refined).unwrap();
        let single = one.install(|| ivf_top_k(v.view(), 5, -1.0, &refined).unwrap());
        assert_eq!(single, many);
        // An empty batch has no neighbours (and no cells to train).
        let empty = Array2::<f32>::zeros((0, d));
        assert!(ivf_top_k(empty.view(), 5, -1.0, &refined)
            .unwrap()
            .is_empty());
        assert!(hnsw_top_k(empty.view(), 5, -1.0, &HnswConfig::default())
            .unwrap()
            .is_empty());
    }
}
