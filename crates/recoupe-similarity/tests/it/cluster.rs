//! Clustering, cosine and scoring invariants (proptest) and typed errors on bad input.

use ndarray::Array2;
use proptest::prelude::*;
use recoupe_similarity::{
    cluster, cosine, find_stories, ivf_top_k, story_links, CorpusBuilder, Error, IvfConfig,
    SimilarityConfig, Token, TokenKind,
};

/// Rows of a planted structure: `groups` random directions, rows perturbed around them.
fn planted(seed: u64, rows: usize, groups: usize, dims: usize, noise: f32) -> Array2<f32> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let centres: Vec<Vec<f32>> = (0..groups.max(1))
        .map(|_| (0..dims).map(|_| next()).collect())
        .collect();
    let mut v = Array2::<f32>::zeros((rows, dims));
    for (i, mut row) in v.outer_iter_mut().enumerate() {
        let c = &centres[i % centres.len()];
        for (x, m) in row.iter_mut().zip(c) {
            *x = m + noise * next();
        }
        let norm = row.dot(&row).sqrt().max(1e-6);
        row.mapv_inplace(|x| x / norm);
    }
    v
}

fn tokens_for(rows: usize, groups: usize) -> Vec<Vec<Token>> {
    (0..rows)
        .map(|i| {
            let g = (i % groups.max(1)) as u64;
            vec![
                Token {
                    hash: 1_000 + g,
                    kind: TokenKind::Name,
                },
                Token {
                    hash: 5_000 + i as u64,
                    kind: TokenKind::Word,
                },
                Token {
                    hash: 7,
                    kind: TokenKind::Word,
                },
            ]
        })
        .collect()
}

#[expect(clippy::unwrap_used, reason = "test helper: a panic is a failed test")]
fn run(v: &Array2<f32>, tokens: Vec<Vec<Token>>) -> recoupe_similarity::Stories {
    let config = SimilarityConfig {
        neighbours: 8,
        ..SimilarityConfig::default()
    };
    let nn = cosine::exact_top_k(v.view(), config.neighbours, config.min_cosine).unwrap();
    // With the neighbour lists, as the pipeline builds it: topic blocks and the
    // neighbourhood view are on.
    let corpus = CorpusBuilder::new(v.view())
        .tokens(tokens)
        .neighbours(&nn)
        .config(config.clone())
        .build()
        .unwrap();
    find_stories(&corpus, &nn).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn clustering_is_a_partition_and_thread_count_free(
        seed in any::<u64>(), rows in 1usize..120, groups in 1usize..12, noise in 0.0f32..1.5,
    ) {
        let v = planted(seed, rows, groups, 16, noise);
        let tokens = tokens_for(rows, groups);
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let a = two.install(|| run(&v, tokens.clone()));
        let b = one.install(|| run(&v, tokens.clone()));
        prop_assert_eq!(&a, &b);
        let c = &a.clustering;
        prop_assert_eq!(c.labels.len(), rows);
        let mut seen = vec![0u32; rows];
        for (k, s) in c.stories.iter().enumerate() {
            prop_assert!(!s.members.is_empty());
            prop_assert!(s.members.contains(&s.representative));
            for &m in &s.members {
                seen[m as usize] += 1;
                prop_assert_eq!(c.labels[m as usize] as usize, k);
            }
        }
        prop_assert!(seen.iter().all(|&x| x == 1), "every row exactly once");
        for p in &a.pairs {
            prop_assert_eq!(c.labels[p.a as usize], c.labels[p.b as usize]);
        }
    }

    #[test]
    fn story_links_are_what_average_link_refused(
        seed in any::<u64>(), rows in 2usize..90, groups in 1usize..10, noise in 0.0f32..1.5,
    ) {
        // Without the event split, average-link stops when no two linked stories clear
        // the threshold: every link is below it, and its average is the mean pair score.
        let v = planted(seed, rows, groups, 16, noise);
        let config = SimilarityConfig {
            neighbours: 8,
            event_split: false,
            ..SimilarityConfig::default()
        };
        let nn = cosine::exact_top_k(v.view(), config.neighbours, config.min_cosine).unwrap();
        // The neighbour lists turn the neighbourhood view on: its group sums must be
        // exact too.
        let corpus = CorpusBuilder::new(v.view())
            .tokens(tokens_for(rows, groups))
            .neighbours(&nn)
            .config(config.clone())
            .build()
            .unwrap();
        let pairs = nn.candidate_pairs(config.min_cosine);
        let clustering = cluster::cluster(&corpus, &pairs).unwrap();
        let links = story_links(&corpus, &clustering, &pairs).unwrap();
        prop_assert!(links.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
        for p in &pairs {
            let (x, y) = (clustering.labels[p.0 as usize], clustering.labels[p.1 as usize]);
            // Stories of different topic blocks are never compared.
            let one_block = corpus.topic_block(p.0 as usize) == corpus.topic_block(p.1 as usize);
            if x != y && one_block {
                let key = (x.min(y), x.max(y));
                prop_assert!(links.iter().any(|l| (l.a, l.b) == key), "{:?} missing", key);
            }
        }
        for l in &links {
            prop_assert!(l.a < l.b);
            prop_assert!(l.margin() > -1e-4, "{:?}", l);
            let (sa, sb) = (&clustering.stories[l.a as usize], &clustering.stories[l.b as usize]);
            let mut sum = 0.0f64;
            for &x in &sa.members {
                for &y in &sb.members {
                    sum += f64::from(corpus.score_pair(x as usize, y as usize, None).unwrap().score);
                }
            }
            let mean = sum / (sa.members.len() * sb.members.len()) as f64;
            prop_assert!((mean - f64::from(l.average)).abs() < 1e-4, "{} vs {:?}", mean, l);
        }
    }

    #[test]
    fn cosines_stay_in_range(seed in any::<u64>(), rows in 2usize..80, noise in 0.0f32..2.0) {
        let v = planted(seed, rows, 3, 8, noise);
        let nn = cosine::exact_top_k(v.view(), 5, -1.0).unwrap();
        for list in nn.lists() {
            for n in list {
                prop_assert!((-1.0..=1.0).contains(&n.cosine));
            }
            prop_assert!(list.windows(2).all(|w| w[0].cosine >= w[1].cosine));
        }
        let corpus = CorpusBuilder::new(v.view()).build().unwrap();
        let pairs: Vec<(u32, u32)> = (0..rows as u32 - 1).map(|i| (i, i + 1)).collect();
        for s in corpus.score_pairs(&pairs).unwrap() {
            prop_assert!((-1.0..=1.0).contains(&s.cosine));
            prop_assert!((0.0..=1.0).contains(&s.rare_overlap));
        }
    }

    #[test]
    fn ivf_is_thread_count_free(seed in any::<u64>(), rows in 1usize..300) {
        let v = planted(seed, rows, 7, 12, 0.3);
        let config = IvfConfig { bucket_size: 16, refine_rounds: 1, ..IvfConfig::default() };
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let a = one.install(|| ivf_top_k(v.view(), 4, -1.0, &config).unwrap());
        let b = two.install(|| ivf_top_k(v.view(), 4, -1.0, &config).unwrap());
        prop_assert_eq!(a, b);
    }
}

#[test]
fn names_split_two_events_of_one_topic() {
    // Rows i % 2 share an embedding direction (one topic); rows i % 4 one event, told
    // apart only by their names. Texts are long (40 tokens) so no short-text discount.
    let v = planted(3, 40, 2, 32, 0.6);
    let tokens: Vec<Vec<Token>> = (0..40)
        .map(|i| {
            let event = (i % 4) as u64;
            let mut t = vec![
                Token {
                    hash: 100 + event,
                    kind: TokenKind::Name,
                },
                Token {
                    hash: 200 + event,
                    kind: TokenKind::Name,
                },
            ];
            t.extend((0..38).map(|w| Token {
                hash: 10_000 + w,
                kind: TokenKind::Word,
            }));
            t
        })
        .collect();
    let stories = run(&v, tokens);
    let c = &stories.clustering;
    let sizes: Vec<usize> = c.stories.iter().map(|s| s.members.len()).collect();
    assert_eq!(sizes, vec![10, 10, 10, 10]);
    for s in &c.stories {
        let event = s.members[0] % 4;
        assert!(s.members.iter().all(|m| m % 4 == event));
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let mut v = planted(1, 5, 2, 4, 0.1);
    v[[3, 2]] = f32::NAN;
    let err = CorpusBuilder::new(v.view()).build().unwrap_err();
    assert!(
        matches!(err, Error::NonFiniteVector { row: 3, column: 2 }),
        "{err}"
    );
    assert!(err.to_string().contains("row 3"));
    v.row_mut(3).fill(0.0);
    assert!(matches!(
        cosine::exact_top_k(v.view(), 2, 0.0),
        Err(Error::ZeroVector { row: 3 })
    ));
    let good = planted(1, 5, 2, 4, 0.1);
    let err = CorpusBuilder::new(good.view())
        .tokens(vec![Vec::new(); 4])
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::DimensionMismatch { .. }), "{err}");
    let corpus = CorpusBuilder::new(good.view()).build().unwrap();
    assert!(matches!(
        cluster(&corpus, &[(0, 9)]),
        Err(Error::RowOutOfRange { row: 9, len: 5 })
    ));
    assert!(matches!(
        recoupe_similarity::score::check_unique_ids(&["a", "b", "a"]),
        Err(Error::DuplicateId {
            first: 0,
            second: 2,
            ..
        })
    ));
    let bad = SimilarityConfig {
        cohesion_ratio: 2.0,
        ..SimilarityConfig::default()
    };
    assert!(matches!(
        CorpusBuilder::new(good.view()).config(bad).build(),
        Err(Error::InvalidConfig {
            field: "cohesion_ratio",
            ..
        })
    ));
}
