//! MinHash estimates against exact Jaccard, and LSH candidates against the S-curve.

use proptest::prelude::*;
use recoupe_similarity::lsh::{candidate_pairs, LshIndex, LshParams};
use recoupe_similarity::minhash::{MinHashParams, MinHashScheme, MinHasher, SignatureMatrix};

/// Two sets of `size` elements sharing `shared` of them, as random-looking u64s
/// (element ids are mixed so neither scheme sees consecutive integers). Returns the
/// exact Jaccard similarity too.
fn pair_with_overlap(tag: u64, size: u64, shared: u64) -> (Vec<u64>, Vec<u64>, f64) {
    let id = |x: u64| {
        (x ^ tag << 40)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(17)
    };
    let a: Vec<u64> = (0..size).map(id).collect();
    let b: Vec<u64> = (0..shared).chain(size..2 * size - shared).map(id).collect();
    let j = shared as f64 / (2 * size - shared) as f64;
    (a, b, j)
}

#[expect(clippy::unwrap_used, reason = "test helper: a panic is a failed test")]
fn hasher(scheme: MinHashScheme, num_perm: usize, seed: u64) -> MinHasher {
    MinHasher::new(MinHashParams {
        num_perm,
        seed,
        scheme,
    })
    .unwrap()
}

/// Mean and variance of the estimate over many seeds: the mean must be within 4
/// standard errors of the exact value (unbiased) and the variance no more than 1.3x the
/// textbook J(1-J)/k when the union has at least k elements (one-permutation hashing
/// samples bins without replacement, so it is usually below it on news-length sets).
/// When the union is smaller than k, densification copies bins and the variance of
/// one-permutation hashing grows towards J(1-J)/|union|: allowed 1.6x there.
#[test]
fn estimate_is_unbiased_with_textbook_variance() {
    const TRIALS: u64 = 400;
    for scheme in [MinHashScheme::OnePermutation, MinHashScheme::Classic] {
        for &(size, shared) in &[(320u64, 40u64), (320, 160), (320, 280), (60, 30)] {
            for num_perm in [128usize, 256] {
                let (a, b, j) = pair_with_overlap(size * 1000 + shared, size, shared);
                let est: Vec<f64> = (0..TRIALS)
                    .map(|seed| {
                        let h = hasher(scheme, num_perm, seed);
                        let sa = h.signature(a.iter().copied()).unwrap();
                        let sb = h.signature(b.iter().copied()).unwrap();
                        sa.jaccard(&sb).unwrap()
                    })
                    .collect();
                let mean = est.iter().sum::<f64>() / TRIALS as f64;
                let var = est.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (TRIALS - 1) as f64;
                let textbook = j * (1.0 - j) / num_perm as f64;
                let union = (2 * size - shared) as usize;
                let allowed = if union >= num_perm { 1.3 } else { 1.6 };
                let se = (textbook * allowed / TRIALS as f64).sqrt();
                assert!(
                    (mean - j).abs() < 4.0 * se,
                    "{scheme:?} k={num_perm} |A|={size} J={j:.3}: mean {mean:.4}"
                );
                assert!(
                    var < allowed * textbook,
                    "{scheme:?} k={num_perm} |A|={size} J={j:.3}: var {var:.6} vs {textbook:.6}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One estimate lies within 6 textbook standard deviations (times 1.3 in variance)
    /// of the exact value, plus one permutation's worth of rounding.
    #[test]
    fn estimate_within_bounds(size in 130u64..400, shared_frac in 0.0f64..=1.0, seed in any::<u64>(), tag in any::<u64>()) {
        let shared = ((size as f64) * shared_frac) as u64;
        let (a, b, j) = pair_with_overlap(tag, size, shared);
        for scheme in [MinHashScheme::OnePermutation, MinHashScheme::Classic] {
            let h = hasher(scheme, 128, seed);
            let est = h.signature(a.iter().copied()).unwrap()
                .jaccard(&h.signature(b.iter().copied()).unwrap()).unwrap();
            let sd = (1.3 * j * (1.0 - j) / 128.0).sqrt();
            prop_assert!((est - j).abs() <= 6.0 * sd + 1.0 / 128.0, "{:?}: est {} exact {}", scheme, est, j);
            if shared == 0 { prop_assert!(est < 0.05); }
            if shared == size { prop_assert_eq!(est, 1.0); }
        }
    }

    /// Candidate pairs contain every pair of identical signatures, are sorted,
    /// deduplicated and have a < b; the streaming and indexed paths agree.
    #[test]
    fn candidates_contain_identical_signatures(
        picks in prop::collection::vec(0usize..12, 2..60),
        threshold in 0.2f64..0.95,
        seed in any::<u64>(),
    ) {
        // Documents drawn from a small pool of sets, so many are identical.
        let pool: Vec<Vec<u64>> = (0..12u64)
            .map(|p| (0..20 + p * 7).map(|x| x * 31 + p * 1_000_003).collect())
            .collect();
        let docs: Vec<Vec<u64>> = picks.iter().map(|&p| pool[p].clone()).collect();
        let h = hasher(MinHashScheme::OnePermutation, 128, seed);
        let sigs = h.signatures(&docs).unwrap();
        let params = LshParams::for_threshold(threshold, 128).unwrap();
        let pairs = candidate_pairs(params, &sigs).unwrap();
        prop_assert!(pairs.windows(2).all(|w| w[0] < w[1]));
        prop_assert!(pairs.iter().all(|&(a, b)| a < b));
        for a in 0..docs.len() {
            for b in a + 1..docs.len() {
                if sigs.row(a) == sigs.row(b) {
                    prop_assert!(pairs.binary_search(&(a as u32, b as u32)).is_ok(), "missing ({}, {})", a, b);
                }
            }
        }
        let index = LshIndex::build(params, &sigs).unwrap();
        prop_assert_eq!(index.candidate_pairs(), pairs);
    }
}

/// The fraction of pairs found at a given Jaccard similarity follows the S-curve
/// 1 - (1 - s^r)^b: banding over one-permutation signatures behaves like independent
/// permutations.
#[test]
fn lsh_follows_the_s_curve() {
    let h = MinHasher::default();
    let params = LshParams::for_threshold(0.5, 128).unwrap();
    for shared in [280u64, 230, 170, 150, 60] {
        let mut docs = Vec::new();
        let mut j = 0.0;
        for t in 0..300u64 {
            let (a, b, jj) = pair_with_overlap(t + 7, 300, shared);
            docs.push(a);
            docs.push(b);
            j = jj;
        }
        let sigs = h.signatures(&docs).unwrap();
        let pairs = candidate_pairs(params, &sigs).unwrap();
        let found = (0..300u32)
            .filter(|t| pairs.binary_search(&(2 * t, 2 * t + 1)).is_ok())
            .count() as f64
            / 300.0;
        let expected = params.candidate_probability(j);
        // 4 binomial standard deviations over 300 pairs, plus slack for the estimate.
        let tol = 4.0 * (expected * (1.0 - expected) / 300.0).sqrt() + 0.02;
        assert!(
            (found - expected).abs() < tol,
            "J={j:.3}: found {found:.3}, S-curve {expected:.3}"
        );
    }
}

/// Signatures, candidate pairs and verified pairs of one run.
type Outputs = (SignatureMatrix, Vec<(u32, u32)>, Vec<(u32, u32, f32)>);

#[test]
fn results_do_not_depend_on_thread_count() {
    let docs: Vec<Vec<u64>> = (0..3000u64)
        .map(|i| {
            (0..50 + i % 200)
                .map(|x| (x + (i / 3) * 7) * 2_654_435_761)
                .collect()
        })
        .collect();
    let run = |threads: usize| -> Outputs {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let h = MinHasher::default();
            let sigs = h.signatures(&docs).unwrap();
            let params = LshParams::for_threshold(0.6, 128).unwrap();
            let idx = LshIndex::build(params, &sigs).unwrap();
            let verified = idx.verified_pairs(&sigs, 0.6).unwrap();
            (sigs, idx.candidate_pairs(), verified)
        })
    };
    let one = run(1);
    let two = run(2);
    assert!(!one.1.is_empty());
    assert_eq!(one, two);
}
