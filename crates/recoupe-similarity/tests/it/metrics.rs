//! Partition metrics against scikit-learn values and naive O(n²) definitions.

use proptest::prelude::*;
use recoupe_similarity::metrics::{adjusted_rand_index, b_cubed, evaluate, pairwise};

/// Deterministic pseudo-random partitions, the same formulas as the Python that
/// produced the pinned values (scikit-learn 1.9.1, `adjusted_rand_score(gold, pred)`).
fn predicted(n: u64, k: u64) -> Vec<u64> {
    (0..n).map(|i| ((i * 2_654_435_761) >> 7) % k).collect()
}
fn gold(n: u64, k: u64) -> Vec<u64> {
    (0..n).map(|i| (i * 40_503 + (i * i % 97)) % k).collect()
}

#[test]
fn ari_matches_scikit_learn_on_random_partitions() {
    let cases: &[(u64, u64, u64, f64)] = &[
        (20, 3, 4, -0.03955174686882004),
        (50, 7, 5, -0.040404233187964614),
        (100, 10, 12, -0.002696695296894577),
        (500, 30, 25, 0.001276866025640801),
        (1000, 4, 3, 0.011336383026022733),
    ];
    for &(n, kp, kg, want) in cases {
        let got = adjusted_rand_index(&predicted(n, kp), &gold(n, kg)).unwrap();
        assert!((got - want).abs() < 1e-12, "n={n}: {got} vs {want}");
    }
}

#[test]
fn ari_matches_scikit_learn_on_noisy_copies() {
    let cases: &[(u64, u64, u64, f64)] = &[
        (60, 6, 7, 0.6907892757895419),
        (300, 20, 5, 0.6537394633251795),
        (1000, 50, 3, 0.5446725607278778),
    ];
    for &(n, kg, m, want) in cases {
        let g = gold(n, kg);
        let p: Vec<u64> = (0..n as usize)
            .map(|i| {
                if i as u64 % m != 0 {
                    g[i]
                } else {
                    (g[i] + 1) % kg
                }
            })
            .collect();
        let got = adjusted_rand_index(&p, &g).unwrap();
        assert!((got - want).abs() < 1e-12, "n={n}: {got} vs {want}");
    }
}

#[test]
fn small_cases_by_hand() {
    // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285714
    let ari = adjusted_rand_index(&[0, 0, 1, 2], &[0, 0, 1, 1]).unwrap();
    assert!((ari - 0.571_428_571_428_571_4).abs() < 1e-12);
    // adjusted_rand_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.24242424242424243
    let ari = adjusted_rand_index(&[0, 0, 1, 1, 2, 2], &[0, 0, 0, 1, 1, 1]).unwrap();
    assert!((ari - 0.242_424_242_424_242_43).abs() < 1e-12);
    // One cluster against all singletons, and a split pair: 0 in scikit-learn.
    assert_eq!(adjusted_rand_index(&[0, 0, 0], &[0, 1, 2]).unwrap(), 0.0);
    assert_eq!(adjusted_rand_index(&[0, 1], &[0, 0]).unwrap(), 0.0);

    // predicted {a,b,c} {d}; gold {a,b} {c,d}
    let p = ["x", "x", "x", "y"];
    let g = [1, 1, 2, 2];
    // B-cubed precision: a,b: 2/3 each; c: 1/3; d: 1/1 -> (2/3+2/3+1/3+1)/4 = 2/3
    // B-cubed recall: a,b: 2/2; c: 1/2; d: 1/2 -> 3/4
    let b = b_cubed(&p, &g).unwrap();
    assert!((b.precision - 2.0 / 3.0).abs() < 1e-12);
    assert!((b.recall - 0.75).abs() < 1e-12);
    let f1 = 2.0 * (2.0 / 3.0) * 0.75 / (2.0 / 3.0 + 0.75);
    assert!((b.f1 - f1).abs() < 1e-12);
    // Pairs: predicted ab ac bc; gold ab cd; true positive ab.
    let pw = pairwise(&p, &g).unwrap();
    assert!((pw.precision - 1.0 / 3.0).abs() < 1e-12);
    assert!((pw.recall - 0.5).abs() < 1e-12);
    assert!((pw.f1 - 0.4).abs() < 1e-12);
}

#[test]
fn all_singletons_against_themselves_score_one() {
    let p: Vec<u32> = (0..10).collect();
    let s = evaluate(&p, &p).unwrap();
    assert_eq!((s.ari, s.b_cubed.f1, s.pairwise.f1), (1.0, 1.0, 1.0));
    assert_eq!(s.predicted_clusters, 10);
}

/// Definitions straight from the papers, over all pairs: the reference the fast
/// contingency-table code must agree with.
fn naive(p: &[u8], g: &[u8]) -> (f64, f64, f64, f64, f64) {
    let n = p.len();
    let (mut tp, mut fp, mut fneg, mut tn) = (0f64, 0f64, 0f64, 0f64);
    for i in 0..n {
        for j in i + 1..n {
            match (p[i] == p[j], g[i] == g[j]) {
                (true, true) => tp += 1.0,
                (true, false) => fp += 1.0,
                (false, true) => fneg += 1.0,
                (false, false) => tn += 1.0,
            }
        }
    }
    let ari = if fp == 0.0 && fneg == 0.0 {
        1.0
    } else {
        2.0 * (tp * tn - fneg * fp) / ((tp + fneg) * (fneg + tn) + (tp + fp) * (fp + tn))
    };
    let (mut bp, mut br) = (0.0, 0.0);
    for i in 0..n {
        let same_p = (0..n).filter(|&j| p[j] == p[i]).count() as f64;
        let same_g = (0..n).filter(|&j| g[j] == g[i]).count() as f64;
        let both = (0..n).filter(|&j| p[j] == p[i] && g[j] == g[i]).count() as f64;
        bp += both / same_p;
        br += both / same_g;
    }
    let pp = if tp + fp == 0.0 { 1.0 } else { tp / (tp + fp) };
    let pr = if tp + fneg == 0.0 {
        1.0
    } else {
        tp / (tp + fneg)
    };
    (ari, bp / n as f64, br / n as f64, pp, pr)
}

proptest! {
    #[test]
    fn partition_against_itself_is_perfect(labels in prop::collection::vec(0u8..12, 1..200)) {
        let s = evaluate(&labels, &labels).unwrap();
        prop_assert_eq!(s.ari, 1.0);
        prop_assert_eq!(s.b_cubed.precision, 1.0);
        prop_assert_eq!(s.b_cubed.recall, 1.0);
        prop_assert_eq!(s.b_cubed.f1, 1.0);
        prop_assert_eq!(s.pairwise.f1, 1.0);
    }

    #[test]
    fn renaming_labels_changes_nothing(labels in prop::collection::vec(0u8..12, 1..200)) {
        let renamed: Vec<String> = labels.iter().map(|l| format!("story-{}", 97 * u32::from(*l) + 5)).collect();
        let s = evaluate(&renamed, &labels).unwrap();
        prop_assert_eq!(s.ari, 1.0);
        prop_assert_eq!(s.b_cubed.f1, 1.0);
    }

    #[test]
    fn agrees_with_naive_definitions(
        pairs in prop::collection::vec((0u8..8, 0u8..8), 1..120)
    ) {
        let (p, g): (Vec<u8>, Vec<u8>) = pairs.into_iter().unzip();
        let s = evaluate(&p, &g).unwrap();
        let (ari, bp, br, pp, pr) = naive(&p, &g);
        prop_assert!((s.ari - ari).abs() < 1e-9, "{} vs {}", s.ari, ari);
        prop_assert!((s.b_cubed.precision - bp).abs() < 1e-9);
        prop_assert!((s.b_cubed.recall - br).abs() < 1e-9);
        prop_assert!((s.pairwise.precision - pp).abs() < 1e-9);
        prop_assert!((s.pairwise.recall - pr).abs() < 1e-9);
        prop_assert!((-1.0..=1.0).contains(&s.ari));
        // Swapping the roles swaps precision and recall.
        let t = evaluate(&g, &p).unwrap();
        prop_assert!((t.b_cubed.precision - s.b_cubed.recall).abs() < 1e-12);
        prop_assert!((t.pairwise.recall - s.pairwise.precision).abs() < 1e-12);
    }
}
