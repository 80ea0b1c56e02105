//! Agreement between a predicted and a gold partition of the same documents.
//!
//! Partitions are label slices: `predicted[i]` and `gold[i]` are the cluster labels of
//! document `i` (any hashable label type; the two sides may use different types). Every
//! metric is computed from the contingency table, in O(n log n), with integer pair
//! counts, so results are exact up to the final divisions and deterministic.
//!
//! Conventions when a denominator is zero: pairwise precision is 1 when no pair is
//! predicted (nothing claimed, nothing wrong), recall is 1 when gold has no pair; the
//! adjusted Rand index is 1 whenever the two partitions agree on every pair (including
//! the otherwise undefined all-singletons and one-cluster cases), as in scikit-learn.

use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prf {
    /// Precision in [0, 1].
    pub precision: f64,
    /// Recall in [0, 1].
    pub recall: f64,
    /// F1 in [0, 1] (0 when precision and recall are both 0).
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Self {
            precision,
            recall,
            f1,
        }
    }
}

/// All metrics of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PartitionScores {
    /// Number of documents.
    pub documents: usize,
    /// Clusters in the predicted partition.
    pub predicted_clusters: usize,
    /// Clusters in the gold partition.
    pub gold_clusters: usize,
    /// Adjusted Rand index in [-1, 1] (1 = identical, about 0 = chance).
    pub ari: f64,
    /// B-cubed precision/recall/F1 (averaged over documents).
    pub b_cubed: Prf,
    /// Pairwise precision/recall/F1 over same-cluster pairs.
    pub pairwise: Prf,
}

/// The contingency table of two partitions, in a deterministic order.
#[derive(Debug, Clone)]
struct Contingency {
    n: u64,
    /// Non-zero cells `n_ij` with the sizes of their predicted and gold clusters.
    cells: Vec<(u64, u64, u64)>,
    /// Predicted cluster sizes `a_i`.
    pred_sizes: Vec<u64>,
    /// Gold cluster sizes `b_j`.
    gold_sizes: Vec<u64>,
}

fn dense_ids<L: Hash + Eq>(labels: &[L]) -> (Vec<u32>, usize) {
    let mut map: HashMap<&L, u32> = HashMap::new();
    let ids = labels
        .iter()
        .map(|l| {
            let next = map.len() as u32;
            *map.entry(l).or_insert(next)
        })
        .collect();
    (ids, map.len())
}

fn contingency<P, G>(predicted: &[P], gold: &[G]) -> Result<Contingency>
where
    P: Hash + Eq,
    G: Hash + Eq,
{
    if predicted.len() != gold.len() {
        return Err(Error::PartitionLengthMismatch {
            predicted: predicted.len(),
            gold: gold.len(),
        });
    }
    if predicted.is_empty() {
        return Err(Error::EmptyPartition);
    }
    // Ids are numbered by first appearance, so the table order depends on the input
    // order only, never on a hasher.
    let (p, np) = dense_ids(predicted);
    let (g, ng) = dense_ids(gold);
    let mut pred_sizes = vec![0u64; np];
    let mut gold_sizes = vec![0u64; ng];
    let mut pairs: Vec<u64> = Vec::with_capacity(p.len());
    for (&i, &j) in p.iter().zip(&g) {
        pred_sizes[i as usize] += 1;
        gold_sizes[j as usize] += 1;
        pairs.push(u64::from(i) << 32 | u64::from(j));
    }
    pairs.sort_unstable();
    let mut cells = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let key = pairs[start];
        let run = pairs[start..].iter().take_while(|&&x| x == key).count();
        let (i, j) = ((key >> 32) as usize, (key & 0xFFFF_FFFF) as usize);
        cells.push((run as u64, pred_sizes[i], gold_sizes[j]));
        start += run;
    }
    Ok(Contingency {
        n: p.len() as u64,
        cells,
        pred_sizes,
        gold_sizes,
    })
}

fn comb2(x: u64) -> u128 {
    u128::from(x) * u128::from(x.saturating_sub(1)) / 2
}

impl Contingency {
    fn ari(&self) -> f64 {
        // Pair confusion counts over unordered pairs, in exact integers; the formula is
        // scikit-learn's `adjusted_rand_score` (which counts ordered pairs: the factor 2
        // cancels).
        let total = comb2(self.n) as i128;
        let tp = self.cells.iter().map(|&(c, _, _)| comb2(c)).sum::<u128>() as i128;
        let together_pred = self.pred_sizes.iter().map(|&a| comb2(a)).sum::<u128>() as i128;
        let together_gold = self.gold_sizes.iter().map(|&b| comb2(b)).sum::<u128>() as i128;
        let fp = together_pred - tp;
        let fneg = together_gold - tp;
        let tn = total - tp - fp - fneg;
        if fp == 0 && fneg == 0 {
            return 1.0;
        }
        let num = 2 * (tp * tn - fneg * fp);
        let den = (tp + fneg) * (fneg + tn) + (tp + fp) * (fp + tn);
        if den == 0 {
            return 0.0;
        }
        num as f64 / den as f64
    }

    fn b_cubed(&self) -> Prf {
        // precision = (1/n) sum_ij n_ij^2 / a_i, recall = (1/n) sum_ij n_ij^2 / b_j
        let mut p = 0.0;
        let mut r = 0.0;
        for &(c, a, b) in &self.cells {
            let c2 = (c * c) as f64;
            p += c2 / a as f64;
            r += c2 / b as f64;
        }
        let n = self.n as f64;
        Prf::new(p / n, r / n)
    }

    fn pairwise(&self) -> Prf {
        let tp: u128 = self.cells.iter().map(|&(c, _, _)| comb2(c)).sum();
        let predicted: u128 = self.pred_sizes.iter().map(|&a| comb2(a)).sum();
        let gold: u128 = self.gold_sizes.iter().map(|&b| comb2(b)).sum();
        let precision = if predicted == 0 {
            1.0
        } else {
            tp as f64 / predicted as f64
        };
        let recall = if gold == 0 {
            1.0
        } else {
            tp as f64 / gold as f64
        };
        Prf::new(precision, recall)
    }
}

/// Adjusted Rand index of `predicted` against `gold` (Hubert & Arabie 1985).
pub fn adjusted_rand_index<P, G>(predicted: &[P], gold: &[G]) -> Result<f64>
where
    P: Hash + Eq,
    G: Hash + Eq,
{
    Ok(contingency(predicted, gold)?.ari())
}

/// B-cubed precision, recall and F1 (Bagga & Baldwin 1998): per document, the share of
/// its predicted cluster that is in its gold cluster (precision) and the share of its
/// gold cluster that is in its predicted cluster (recall), averaged over documents.
pub fn b_cubed<P, G>(predicted: &[P], gold: &[G]) -> Result<Prf>
where
    P: Hash + Eq,
    G: Hash + Eq,
{
    Ok(contingency(predicted, gold)?.b_cubed())
}

/// Pairwise precision, recall and F1 over unordered pairs of documents placed in the
/// same cluster.
pub fn pairwise<P, G>(predicted: &[P], gold: &[G]) -> Result<Prf>
where
    P: Hash + Eq,
    G: Hash + Eq,
{
    Ok(contingency(predicted, gold)?.pairwise())
}

/// Every metric at once (one contingency table).
pub fn evaluate<P, G>(predicted: &[P], gold: &[G]) -> Result<PartitionScores>
where
    P: Hash + Eq,
    G: Hash + Eq,
{
    let c = contingency(predicted, gold)?;
    Ok(PartitionScores {
        documents: predicted.len(),
        predicted_clusters: c.pred_sizes.len(),
        gold_clusters: c.gold_sizes.len(),
        ari: c.ari(),
        b_cubed: c.b_cubed(),
        pairwise: c.pairwise(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatched_or_empty_partitions_are_errors() {
        assert!(matches!(
            evaluate(&[1, 2], &[1]),
            Err(Error::PartitionLengthMismatch {
                predicted: 2,
                gold: 1
            })
        ));
        assert!(matches!(
            evaluate::<u32, u32>(&[], &[]),
            Err(Error::EmptyPartition)
        ));
    }

    #[test]
    fn labels_of_different_types_compare() {
        let s = evaluate(&["x", "x", "y"], &[7u32, 7, 9]).unwrap();
        assert_eq!(s.ari, 1.0);
        assert_eq!(s.b_cubed.f1, 1.0);
        assert_eq!(s.pairwise.f1, 1.0);
    }
}
