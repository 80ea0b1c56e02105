//! LSH banding over MinHash signatures: which pairs are worth comparing.
//!
//! A signature of `num_perm` values is cut into `bands` bands of `rows` values; two
//! documents become a candidate pair when any band is identical, which happens with
//! probability `1 - (1 - s^rows)^bands` for Jaccard similarity `s` (the S-curve).
//! [`LshParams::for_threshold`] picks the split that minimises the weighted area of false
//! positives (S-curve below the threshold) plus false negatives (1 minus the S-curve
//! above it), the same criterion as datasketch's `_optimal_param`.
//!
//! The index stores, per band, a vector of `(band hash, row)` sorted by hash: equal band
//! values are adjacent, so candidates come from runs of equal hashes. That is 12 bytes per
//! document and band, with no per-bucket allocation (a `HashMap<u64, Vec<u32>>` costs
//! several times more at a million documents). Pairs are returned sorted and
//! deduplicated, identical whatever the thread count.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::minhash::{equal_positions, mix64, SignatureMatrix};

/// How signatures are cut into bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LshParams {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
}

impl LshParams {
    /// Explicit split; `bands * rows` must not exceed the signature length it is used
    /// with (checked when an index is built).
    pub fn new(bands: usize, rows: usize) -> Result<Self> {
        if bands == 0 {
            return Err(Error::InvalidConfig {
                field: "lsh.bands",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        if rows == 0 {
            return Err(Error::InvalidConfig {
                field: "lsh.rows",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        Ok(Self { bands, rows })
    }

    /// The split for Jaccard `threshold` with equal weights on false positives and false
    /// negatives (datasketch's default).
    pub fn for_threshold(threshold: f64, num_perm: usize) -> Result<Self> {
        Self::for_threshold_weighted(threshold, num_perm, 0.5, 0.5)
    }

    /// The split `(b, r)`, `b * r <= num_perm`, minimising
    /// `fp_weight * ∫₀ᵗ P(s) ds + fn_weight * ∫ₜ¹ (1 - P(s)) ds` with
    /// `P(s) = 1 - (1 - s^r)^b`. Ties keep the first split found in order of increasing
    /// `b`, then `r`, as datasketch does.
    pub fn for_threshold_weighted(
        threshold: f64,
        num_perm: usize,
        fp_weight: f64,
        fn_weight: f64,
    ) -> Result<Self> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(Error::InvalidConfig {
                field: "lsh.threshold",
                value: threshold,
                reason: "must be strictly between 0 and 1",
            });
        }
        if num_perm == 0 {
            return Err(Error::EmptySignature { row: 0 });
        }
        for (field, w) in [("lsh.fp_weight", fp_weight), ("lsh.fn_weight", fn_weight)] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(Error::InvalidConfig {
                    field,
                    value: w,
                    reason: "must be a finite non-negative weight",
                });
            }
        }
        let mut best = (f64::INFINITY, Self { bands: 1, rows: 1 });
        for b in 1..=num_perm {
            for r in 1..=num_perm / b {
                let p = Self { bands: b, rows: r };
                let fp = integrate(|s| p.candidate_probability(s), 0.0, threshold);
                let fneg = integrate(|s| 1.0 - p.candidate_probability(s), threshold, 1.0);
                let err = fp * fp_weight + fneg * fn_weight;
                if err < best.0 {
                    best = (err, p);
                }
            }
        }
        Ok(best.1)
    }

    /// Probability that two documents of Jaccard similarity `s` share a band.
    pub fn candidate_probability(&self, s: f64) -> f64 {
        let s = s.clamp(0.0, 1.0);
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// Signature values used (`bands * rows`).
    pub fn used_perm(&self) -> usize {
        self.bands * self.rows
    }

    fn check(&self, num_perm: usize) -> Result<()> {
        if self.bands == 0 || self.rows == 0 {
            return Err(Error::InvalidConfig {
                field: "lsh.bands",
                value: self.bands as f64,
                reason: "bands and rows must be at least 1",
            });
        }
        if self.used_perm() > num_perm {
            return Err(Error::InvalidConfig {
                field: "lsh.bands",
                value: self.bands as f64,
                reason: "bands * rows exceeds the signature length; choose fewer bands or rows",
            });
        }
        Ok(())
    }
}

/// Composite Simpson rule; the S-curve is smooth, 512 intervals are plenty.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const N: usize = 512;
    let h = (b - a) / N as f64;
    let mut sum = f(a) + f(b);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * f(a + i as f64 * h);
    }
    sum * h / 3.0
}

/// One band entry: the hash of a band of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    hash: u64,
    row: u32,
}

/// Banded index over a batch of signatures.
#[derive(Debug, Clone)]
pub struct LshIndex {
    params: LshParams,
    num_perm: usize,
    len: usize,
    /// One sorted table per band.
    tables: Vec<Vec<Entry>>,
}

impl LshIndex {
    /// Indexes every row of `signatures` (row numbers are the document ids of the
    /// results). Bands are hashed and sorted in parallel; the result does not depend on
    /// the thread count.
    pub fn build(params: LshParams, signatures: &SignatureMatrix) -> Result<Self> {
        let num_perm = check_matrix(&params, signatures)?;
        let tables = (0..params.bands)
            .into_par_iter()
            .map(|band| band_table(&params, signatures, band))
            .collect();
        Ok(Self {
            params,
            num_perm,
            len: signatures.len(),
            tables,
        })
    }

    /// Like [`LshIndex::build`], first checking that `ids` (one per row) are unique:
    /// a repeated id is [`Error::DuplicateId`] naming both rows.
    pub fn build_with_ids<T>(
        params: LshParams,
        signatures: &SignatureMatrix,
        ids: &[T],
    ) -> Result<Self>
    where
        T: Hash + Eq + Display,
    {
        if ids.len() != signatures.len() {
            return Err(Error::DimensionMismatch {
                row: ids.len().min(signatures.len()),
                expected: signatures.len(),
                got: ids.len(),
            });
        }
        ensure_unique_ids(ids)?;
        Self::build(params, signatures)
    }

    /// The banding of this index.
    pub fn params(&self) -> LshParams {
        self.params
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if no document is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every pair `(a, b)`, `a < b`, of rows sharing at least one band; sorted and
    /// deduplicated. Documents with identical signatures are always included. Note that
    /// `m` documents with one identical band give `m (m - 1) / 2` pairs.
    pub fn candidate_pairs(&self) -> Vec<(u32, u32)> {
        let per_band: Vec<Vec<u64>> = self.tables.par_iter().map(|t| run_pairs(t)).collect();
        merge_pairs(per_band)
    }

    /// Rows sharing at least one band with `signature`, sorted and deduplicated.
    pub fn query(&self, signature: &[u32]) -> Result<Vec<u32>> {
        if signature.is_empty() {
            return Err(Error::EmptySignature { row: 0 });
        }
        if signature.len() != self.num_perm {
            return Err(Error::SignatureLengthMismatch {
                row: 0,
                expected: self.num_perm,
                got: signature.len(),
            });
        }
        let mut out = Vec::new();
        for (band, table) in self.tables.iter().enumerate() {
            let h = band_hash(&self.params, signature, band);
            let start = table.partition_point(|e| e.hash < h);
            out.extend(
                table[start..]
                    .iter()
                    .take_while(|e| e.hash == h)
                    .map(|e| e.row),
            );
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Candidate pairs whose estimated Jaccard similarity is at least `min_jaccard`, as
    /// `(a, b, jaccard)` with `a < b`, sorted by `(a, b)`.
    pub fn verified_pairs(
        &self,
        signatures: &SignatureMatrix,
        min_jaccard: f64,
    ) -> Result<Vec<(u32, u32, f32)>> {
        if signatures.len() != self.len {
            return Err(Error::DimensionMismatch {
                row: signatures.len().min(self.len),
                expected: self.len,
                got: signatures.len(),
            });
        }
        if signatures.num_perm() != self.num_perm {
            return Err(Error::SignatureLengthMismatch {
                row: 0,
                expected: self.num_perm,
                got: signatures.num_perm(),
            });
        }
        verify_pairs(signatures, &self.candidate_pairs(), min_jaccard)
    }
}

/// Candidate pairs of a batch without keeping an index: bands are processed in parallel
/// and each band's table is dropped once its pairs are taken, so peak memory is a few
/// band tables plus the pairs. Same output as [`LshIndex::candidate_pairs`].
pub fn candidate_pairs(params: LshParams, signatures: &SignatureMatrix) -> Result<Vec<(u32, u32)>> {
    check_matrix(&params, signatures)?;
    let per_band: Vec<Vec<u64>> = (0..params.bands)
        .into_par_iter()
        .map(|band| run_pairs(&band_table(&params, signatures, band)))
        .collect();
    Ok(merge_pairs(per_band))
}

/// Keeps the pairs whose estimated Jaccard similarity is at least `min_jaccard`, as
/// `(a, b, jaccard)` in input order. A row out of range is an error naming it.
pub fn verify_pairs(
    signatures: &SignatureMatrix,
    pairs: &[(u32, u32)],
    min_jaccard: f64,
) -> Result<Vec<(u32, u32, f32)>> {
    let len = signatures.len();
    let k = signatures.num_perm();
    if let Some(&(a, b)) = pairs
        .iter()
        .find(|&&(a, b)| a as usize >= len || b as usize >= len)
    {
        let row = if a as usize >= len { a } else { b };
        return Err(Error::RowOutOfRange {
            row: row as usize,
            len,
        });
    }
    if k == 0 {
        return Ok(Vec::new());
    }
    // Compare counts, not floats, so the cut is exact and platform-independent.
    let need = (min_jaccard.clamp(0.0, 1.0) * k as f64).ceil() as usize;
    let flat = signatures.as_flat();
    let kept = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let ra = flat.get(a as usize * k..(a as usize + 1) * k)?;
            let rb = flat.get(b as usize * k..(b as usize + 1) * k)?;
            let eq = equal_positions(ra, rb);
            (eq >= need).then(|| (a, b, eq as f32 / k as f32))
        })
        .collect();
    Ok(kept)
}

/// Fails on the first repeated id, naming both rows.
pub fn ensure_unique_ids<T>(ids: &[T]) -> Result<()>
where
    T: Hash + Eq + Display,
{
    let mut seen: HashMap<&T, usize> = HashMap::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        if let Some(&first) = seen.get(id) {
            return Err(Error::DuplicateId {
                id: id.to_string(),
                first,
                second: row,
            });
        }
        seen.insert(id, row);
    }
    Ok(())
}

fn check_matrix(params: &LshParams, signatures: &SignatureMatrix) -> Result<usize> {
    let num_perm = signatures.num_perm();
    if signatures.is_empty() {
        return Ok(num_perm);
    }
    if num_perm == 0 {
        return Err(Error::EmptySignature { row: 0 });
    }
    params.check(num_perm)?;
    if signatures.len() > u32::MAX as usize {
        return Err(Error::InvalidConfig {
            field: "lsh.documents",
            value: signatures.len() as f64,
            reason: "at most 2^32 - 1 documents per index; split the batch",
        });
    }
    Ok(num_perm)
}

fn band_hash(params: &LshParams, signature: &[u32], band: usize) -> u64 {
    let start = band * params.rows;
    let mut h = mix64(0x6c73_685f_6261_6e64 ^ band as u64); // "lsh_band"
    for &v in signature.get(start..start + params.rows).unwrap_or(&[]) {
        h = mix64(h ^ u64::from(v));
    }
    h
}

fn band_table(params: &LshParams, signatures: &SignatureMatrix, band: usize) -> Vec<Entry> {
    let mut table: Vec<Entry> = signatures
        .rows()
        .enumerate()
        .map(|(row, sig)| Entry {
            hash: band_hash(params, sig, band),
            row: row as u32,
        })
        .collect();
    // (hash, row) is a total order, so the unstable sort is deterministic.
    table.sort_unstable();
    table
}

/// Pairs within runs of equal hashes, encoded `a << 32 | b` with `a < b`.
fn run_pairs(table: &[Entry]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < table.len() {
        let h = table[start].hash;
        let end = start + table[start..].iter().take_while(|e| e.hash == h).count();
        let run = &table[start..end];
        for (i, a) in run.iter().enumerate() {
            for b in &run[i + 1..] {
                // Rows within a run are ascending, so a.row < b.row.
                out.push(u64::from(a.row) << 32 | u64::from(b.row));
            }
        }
        start = end;
    }
    out
}

fn merge_pairs(per_band: Vec<Vec<u64>>) -> Vec<(u32, u32)> {
    let mut all: Vec<u64> = Vec::with_capacity(per_band.iter().map(Vec::len).sum());
    for p in per_band {
        all.extend(p);
    }
    all.par_sort_unstable();
    all.dedup();
    all.into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::minhash::MinHasher;

    #[test]
    fn optimal_params_match_datasketch() {
        // Values of datasketch 2.0.0 `_optimal_param(t, n, 0.5, 0.5)`, computed in the
        // peer venv (scripts/bench_minhash_peer.py sets it up).
        for &(t, n, b, r) in DATASKETCH_PARAMS {
            let p = LshParams::for_threshold(t, n).unwrap();
            assert_eq!((p.bands, p.rows), (b, r), "threshold {t}, num_perm {n}");
        }
    }

    const DATASKETCH_PARAMS: &[(f64, usize, usize, usize)] = &[
        (0.3, 128, 37, 3),
        (0.3, 256, 64, 4),
        (0.5, 128, 25, 5),
        (0.5, 256, 42, 6),
        (0.7, 128, 14, 9),
        (0.7, 256, 25, 10),
        (0.8, 128, 9, 13),
        (0.8, 256, 17, 15),
        (0.9, 128, 5, 25),
        (0.9, 256, 9, 28),
    ];

    #[test]
    fn bad_params_are_errors() {
        assert!(LshParams::new(0, 4).is_err());
        assert!(LshParams::for_threshold(1.0, 128).is_err());
        assert!(LshParams::for_threshold(f64::NAN, 128).is_err());
        let h = MinHasher::default();
        let m = h.signatures(&[vec![1u64, 2, 3]]).unwrap();
        let p = LshParams::new(20, 7).unwrap();
        assert!(matches!(
            LshIndex::build(p, &m),
            Err(Error::InvalidConfig { .. })
        ));
    }

    #[test]
    fn duplicate_ids_name_both_rows() {
        let h = MinHasher::default();
        let m = h.signatures(&[vec![1u64], vec![2], vec![3]]).unwrap();
        let p = LshParams::new(16, 8).unwrap();
        let err = LshIndex::build_with_ids(p, &m, &["a", "b", "a"]).unwrap_err();
        assert!(matches!(
            err,
            Error::DuplicateId { ref id, first: 0, second: 2 } if id == "a"
        ));
    }

    #[test]
    fn near_duplicates_are_found_and_unrelated_are_not() {
        let h = MinHasher::default();
        let base: Vec<u64> = (0..300).collect();
        let mut near = base.clone();
        near.truncate(290);
        near.extend(1000..1010);
        let other: Vec<u64> = (5000..5300).collect();
        let m = h.signatures(&[base, other, near]).unwrap();
        let p = LshParams::for_threshold(0.5, 128).unwrap();
        let idx = LshIndex::build(p, &m).unwrap();
        assert_eq!(idx.candidate_pairs(), vec![(0, 2)]);
        assert_eq!(candidate_pairs(p, &m).unwrap(), vec![(0, 2)]);
        let v = idx.verified_pairs(&m, 0.8).unwrap();
        assert_eq!(v.len(), 1);
        assert!(v[0].2 > 0.8);
        assert_eq!(idx.query(m.row(2).unwrap()).unwrap(), vec![0, 2]);
        // Signatures of another batch are refused, naming the first missing row.
        let fewer = h.signatures(&[vec![1u64, 2]]).unwrap();
        assert!(matches!(
            idx.verified_pairs(&fewer, 0.8),
            Err(Error::DimensionMismatch {
                row: 1,
                expected: 3,
                got: 1
            })
        ));
        assert!(matches!(
            idx.query(&[1, 2, 3]),
            Err(Error::SignatureLengthMismatch {
                expected: 128,
                got: 3,
                ..
            })
        ));
    }

    #[test]
    fn verify_rejects_rows_out_of_range() {
        let h = MinHasher::default();
        let m = h.signatures(&[vec![1u64], vec![2]]).unwrap();
        assert!(matches!(
            verify_pairs(&m, &[(0, 1), (1, 5)], 0.5),
            Err(Error::RowOutOfRange { row: 5, len: 2 })
        ));
    }
}
