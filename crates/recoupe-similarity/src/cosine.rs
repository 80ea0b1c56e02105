//! Exact cosine neighbours over L2-normalised embeddings.
//!
//! The top-k of every row is found by blocked matrix products (`ndarray`'s `dot`, which
//! runs `matrixmultiply`'s SGEMM kernels): rayon spreads row blocks over threads, each
//! block is multiplied with one column block at a time and every row keeps a streaming
//! top-k, so memory stays `O(threads * block^2 + N * k)` and no `N x N` matrix exists.
//! Block sizes do not depend on the thread count, so the result is bit-identical with 1
//! or N threads.

use ndarray::{s, ArrayView2};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Rows whose norm is further than this from 1 are rejected as not normalised.
pub const NORM_TOLERANCE: f32 = 1e-2;

/// Query rows per block (one rayon task per block).
const ROW_BLOCK: usize = 256;
/// Candidate rows per block (the width of one SGEMM product).
const COL_BLOCK: usize = 2048;

/// One neighbour of a row: its index and cosine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// Row index of the neighbour.
    pub index: u32,
    /// Cosine similarity (dot product of unit vectors), in `[-1, 1]`.
    pub cosine: f32,
}

/// The k nearest neighbours of every row, best first, ties broken by the lower index.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighbourLists {
    lists: Vec<Vec<Neighbour>>,
}

impl NeighbourLists {
    /// Wraps per-row lists (each sorted best first).
    pub fn from_lists(lists: Vec<Vec<Neighbour>>) -> Self {
        Self { lists }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// Neighbours of `row`, best first.
    pub fn of(&self, row: usize) -> &[Neighbour] {
        self.lists.get(row).map_or(&[], Vec::as_slice)
    }

    /// All per-row lists.
    pub fn lists(&self) -> &[Vec<Neighbour>] {
        &self.lists
    }

    /// Undirected candidate pairs `(i, j, cosine)` with `i < j`, each once, sorted.
    pub fn pairs(&self) -> Vec<(u32, u32, f32)> {
        let mut pairs: Vec<(u32, u32, f32)> = self
            .lists
            .iter()
            .enumerate()
            .flat_map(|(i, list)| {
                let i = i as u32;
                list.iter().map(move |n| {
                    if i < n.index {
                        (i, n.index, n.cosine)
                    } else {
                        (n.index, i, n.cosine)
                    }
                })
            })
            .collect();
        pairs.par_sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        pairs.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        pairs
    }

    /// The pairs of [`NeighbourLists::pairs`] with a cosine of at least `min_cosine`,
    /// without it: the candidate pairs [`crate::find_stories`] scores and clusters.
    pub fn candidate_pairs(&self, min_cosine: f32) -> Vec<(u32, u32)> {
        self.pairs()
            .into_iter()
            .filter(|p| p.2 >= min_cosine)
            .map(|p| (p.0, p.1))
            .collect()
    }
}

/// Checks that every row is finite, non-zero and L2-normalised (within
/// [`NORM_TOLERANCE`]); the error names the first offending row.
pub fn validate(vectors: ArrayView2<'_, f32>) -> Result<()> {
    let bad = vectors
        .outer_iter()
        .into_par_iter()
        .enumerate()
        .find_first(|(_, row)| row_error(0, *row).is_some());
    match bad {
        Some((index, row)) => {
            Err(row_error(index, row).unwrap_or(Error::ZeroVector { row: index }))
        }
        None => Ok(()),
    }
}

fn row_error(index: usize, row: ndarray::ArrayView1<'_, f32>) -> Option<Error> {
    if let Some(column) = row.iter().position(|x| !x.is_finite()) {
        return Some(Error::NonFiniteVector { row: index, column });
    }
    let norm = row.dot(&row).sqrt();
    if norm < 1e-6 {
        return Some(Error::ZeroVector { row: index });
    }
    if (norm - 1.0).abs() > NORM_TOLERANCE {
        return Some(Error::NotNormalised { row: index, norm });
    }
    None
}

/// Cosine of two unit vectors, clamped to `[-1, 1]` (rounding can leave it just outside).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b).clamp(-1.0, 1.0)
}

/// Dot product with 16 independent accumulators (so the compiler vectorises it) summed
/// in a fixed order: the result is the same on every call and thread.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0.0f32; 16];
    let mut ca = a.chunks_exact(16);
    let mut cb = b.chunks_exact(16);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..16 {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    let mut width = 8;
    while width > 0 {
        for i in 0..width {
            acc[i] += acc[i + width];
        }
        width /= 2;
    }
    acc[0] + tail
}

/// A fixed-capacity top-k kept as a sorted small vector (k is small: 10–50).
#[derive(Debug, Clone)]
pub(crate) struct TopK {
    k: usize,
    items: Vec<Neighbour>,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        Self {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// Smallest cosine that can still enter (`-inf` until full).
    #[inline]
    pub(crate) fn floor(&self) -> f32 {
        if self.items.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.items.last().map_or(f32::NEG_INFINITY, |n| n.cosine)
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, index: u32, cosine: f32) {
        if self.k == 0 {
            return;
        }
        let better = |n: &Neighbour| n.cosine > cosine || (n.cosine == cosine && n.index < index);
        if self.items.len() >= self.k {
            match self.items.last() {
                Some(last) if !better(last) => {}
                _ => return,
            }
        }
        let at = self.items.partition_point(better);
        self.items.insert(at, Neighbour { index, cosine });
        self.items.truncate(self.k);
    }

    pub(crate) fn contains(&self, index: u32) -> bool {
        self.items.iter().any(|n| n.index == index)
    }

    pub(crate) fn into_vec(self) -> Vec<Neighbour> {
        self.items
    }
}

/// Exact top-`k` neighbours of every row among all rows (itself excluded), keeping only
/// neighbours with cosine `>= min_cosine`.
///
/// `vectors` must be L2-normalised (`N x d`); rows are validated first. Cost is
/// `2 N^2 d` flops in SGEMM blocks; use [`crate::ann`] beyond a few hundred thousand
/// rows.
pub fn exact_top_k(
    vectors: ArrayView2<'_, f32>,
    k: usize,
    min_cosine: f32,
) -> Result<NeighbourLists> {
    validate(vectors)?;
    Ok(exact_top_k_unchecked(vectors, k, min_cosine))
}

/// [`exact_top_k`] without validation (for callers that validated already).
pub fn exact_top_k_unchecked(
    vectors: ArrayView2<'_, f32>,
    k: usize,
    min_cosine: f32,
) -> NeighbourLists {
    let n = vectors.nrows();
    let row_starts: Vec<usize> = (0..n).step_by(ROW_BLOCK).collect();
    let blocks: Vec<Vec<Vec<Neighbour>>> = row_starts
        .par_iter()
        .map(|&r0| {
            let r1 = (r0 + ROW_BLOCK).min(n);
            let queries = vectors.slice(s![r0..r1, ..]);
            let mut tops: Vec<TopK> = (r0..r1).map(|_| TopK::new(k)).collect();
            let mut c0 = 0;
            while c0 < n {
                let c1 = (c0 + COL_BLOCK).min(n);
                let cands = vectors.slice(s![c0..c1, ..]);
                let products = queries.dot(&cands.t());
                for (qi, (row, top)) in products.outer_iter().zip(tops.iter_mut()).enumerate() {
                    let q = r0 + qi;
                    let mut floor = top.floor().max(min_cosine);
                    for (ci, &c) in row.iter().enumerate() {
                        // `>=` so equal cosines are offered (TopK breaks the tie by index).
                        if c >= floor {
                            let j = c0 + ci;
                            if j != q {
                                top.push(j as u32, c.clamp(-1.0, 1.0));
                                floor = top.floor().max(min_cosine);
                            }
                        }
                    }
                }
                c0 = c1;
            }
            tops.into_iter().map(TopK::into_vec).collect()
        })
        .collect();
    NeighbourLists {
        lists: blocks.into_iter().flatten().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn unit_rows(rows: &[&[f32]]) -> Array2<f32> {
        let d = rows[0].len();
        let mut a = Array2::zeros((rows.len(), d));
        for (i, r) in rows.iter().enumerate() {
            let n: f32 = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            for (j, x) in r.iter().enumerate() {
                a[[i, j]] = x / n;
            }
        }
        a
    }

    #[test]
    fn finds_nearest_and_excludes_self() {
        let v = unit_rows(&[&[1.0, 0.0], &[0.9, 0.1], &[0.0, 1.0], &[0.1, 0.9]]);
        let nn = exact_top_k(v.view(), 1, -1.0).unwrap();
        assert_eq!(nn.of(0)[0].index, 1);
        assert_eq!(nn.of(2)[0].index, 3);
        assert_eq!(nn.pairs().len(), 2);
    }

    #[test]
    fn min_cosine_drops_far_rows() {
        let v = unit_rows(&[&[1.0, 0.0], &[0.0, 1.0]]);
        let nn = exact_top_k(v.view(), 3, 0.5).unwrap();
        assert!(nn.of(0).is_empty());
    }

    #[test]
    fn bad_rows_are_named() {
        let mut v = unit_rows(&[&[1.0, 0.0], &[0.0, 1.0], &[0.6, 0.8]]);
        v[[2, 1]] = f32::NAN;
        assert!(matches!(
            validate(v.view()),
            Err(Error::NonFiniteVector { row: 2, column: 1 })
        ));
        v[[2, 1]] = 0.0;
        v[[2, 0]] = 0.0;
        assert!(matches!(
            validate(v.view()),
            Err(Error::ZeroVector { row: 2 })
        ));
        v[[1, 1]] = 3.0;
        assert!(matches!(
            validate(v.view()),
            Err(Error::NotNormalised { row: 1, .. })
        ));
    }

    #[test]
    fn topk_keeps_best_and_breaks_ties_by_index() {
        let mut t = TopK::new(2);
        t.push(5, 0.5);
        t.push(3, 0.5);
        t.push(9, 0.9);
        t.push(1, 0.1);
        let v = t.into_vec();
        assert_eq!(v.iter().map(|n| n.index).collect::<Vec<_>>(), vec![9, 3]);
    }
}
