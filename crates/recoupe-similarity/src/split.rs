//! Separating the events of one topic: a second stage after average-link.
//!
//! Average-link merges two events of one kind (the same boxer's two title defences, the
//! same rule made then reversed) when their articles share the topic's main names and
//! the embedding puts them as close as two reports of one event. The batch-level IDF
//! cannot help there: the names they share are the same. Inside one predicted story,
//! though, the tokens found in *some but not most* members are exactly what tells its
//! events apart (the other boxer, the other secretary, the year, the place).
//!
//! For every story of at least `2 * event_split_min_size` members whose mean length is
//! at least `long_text_tokens` (a headline names one or two entities: too few for
//! "some but not most"):
//! 1. **Local weights.** Each member's names and numbers (ordinary words found in part
//!    of a story mostly tell its facets apart) found in the batch at least twice,
//!    weighted `sqrt(tf) * kind weight * smoothed batch IDF`, are kept only if they
//!    occur in at least `max(2, event_split_min_size)` and at most `event_split_max_df`
//!    of the story's members (the story's own document frequencies), then
//!    L2-normalised: a local entity vector.
//! 2. **Local similarity** of two members: `v * centred_cosine + (1 - v) * local_overlap`
//!    with `v = event_split_embedding_weight` (default 0: inside one topic the embedding
//!    puts two events as close as two reports of one).
//! 3. **Bisection.** Members are ordered by the Fiedler vector of the normalised
//!    similarity graph (spectral bisection; power iteration from a fixed start vector,
//!    so deterministic), and every cut of that order leaving at least
//!    `event_split_min_size` members on each side is tried; the cut with the lowest
//!    ratio `between mean / lower within mean` is kept.
//! 4. **Criterion.** The story is cut only when that ratio is at most
//!    `event_split_ratio` **and** each part has at least `event_split_min_exclusive`
//!    names or numbers found in half of its members or more and in none of the other
//!    part's (the other boxer, the other secretary, the other year); each part is then
//!    examined again with its own local weights.
//!
//! Cost: `O(n^2)` sparse dots per examined story of `n` members (plus one embedding dot
//! each when `v > 0`) and up to `POWER_ITERATIONS` products with that matrix; stories
//! above `MAX_SPLIT_MEMBERS` are left whole. Without tokens (the `cluster_scale`
//! benchmark) the stage does nothing. The result does not depend on the thread count:
//! stories are processed independently, each sequentially.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::cluster::Story;
use crate::config::SimilarityConfig;
use crate::error::{Error, Result};
use crate::score::{sorted_dot, Corpus, CorpusStats, Token, TokenKind};

/// Stories with more members than this are not examined (the similarity matrix is
/// `n x n`).
pub const MAX_SPLIT_MEMBERS: usize = 4000;

/// Iterations of the power method for the Fiedler vector (it stops earlier when the
/// vector no longer moves).
const POWER_ITERATIONS: usize = 300;

/// The unnormalised per-document weights the local view starts from: tokens found in
/// at least two documents of the batch, `sqrt(tf) * kind weight * smoothed IDF`,
/// sorted by hash.
pub(crate) fn event_token_weights(
    stats: &CorpusStats,
    tokens: &[Token],
    config: &SimilarityConfig,
) -> Vec<(u64, f32)> {
    let counts = crate::score::token_counts(tokens);
    let mut out: Vec<(u64, f32)> = counts
        .into_iter()
        .filter_map(|(hash, (tf, kind))| {
            if stats.document_frequency(hash) < 2 {
                return None;
            }
            // Names and numbers only: who, where, when and how many tell two events of
            // one kind apart; ordinary words found in part of a story mostly tell its
            // facets apart (on ecbplus-dev words in the local view cut single events
            // as readily as merged ones).
            if kind == TokenKind::Word {
                return None;
            }
            let kind_weight = match kind {
                TokenKind::Word => 1.0,
                TokenKind::Name => config.name_weight,
                TokenKind::Number => config.number_weight,
            };
            let w = (tf as f32).sqrt() * kind_weight * stats.smoothed_idf(hash);
            (w > 0.0).then_some((hash, w))
        })
        .collect();
    out.sort_unstable_by_key(|e| e.0);
    out
}

/// Cuts every story that holds separable events (see the module docs); stories that
/// are not cut are returned unchanged. Members of every returned story are ascending.
pub(crate) fn split_events(corpus: &Corpus<'_>, stories: Vec<Story>) -> Vec<Story> {
    let c = &corpus.config;
    if !c.event_split || corpus.event_tokens.is_empty() {
        return stories;
    }
    stories
        .into_par_iter()
        .flat_map_iter(|s| {
            let mut parts = Vec::new();
            split_recursive(corpus, s.members, &mut parts);
            parts.into_iter().map(|mut members| {
                members.sort_unstable();
                Story {
                    representative: members[0],
                    members,
                }
            })
        })
        .collect()
}

fn split_recursive(corpus: &Corpus<'_>, members: Vec<u32>, out: &mut Vec<Vec<u32>>) {
    match bisect(corpus, &members) {
        Some((a, b)) => {
            split_recursive(corpus, a, out);
            split_recursive(corpus, b, out);
        }
        None => out.push(members),
    }
}

/// The local similarity matrix of `members` (row-major `n x n`, diagonal 0).
fn local_similarity(corpus: &Corpus<'_>, members: &[u32]) -> Vec<f32> {
    let c = &corpus.config;
    let n = members.len();
    let mut df: HashMap<u64, u32> = HashMap::new();
    for &m in members {
        for &(h, _) in &corpus.event_tokens[m as usize] {
            *df.entry(h).or_insert(0) += 1;
        }
    }
    let hi = c.event_split_max_df * n as f32;
    // A token telling one part from the other is found in at least a part's minimum
    // size of members.
    let lo = c.event_split_min_size.max(2) as u32;
    let local: Vec<Vec<(u64, f32)>> = members
        .iter()
        .map(|&m| {
            let mut v: Vec<(u64, f32)> = corpus.event_tokens[m as usize]
                .iter()
                .filter(|(h, _)| {
                    let d = df.get(h).copied().unwrap_or(0);
                    d >= lo && d as f32 <= hi
                })
                .copied()
                .collect();
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for e in &mut v {
                    e.1 /= norm;
                }
            }
            v
        })
        .collect();
    let v = c.event_split_embedding_weight;
    let mut s = vec![0.0f32; n * n];
    for i in 0..n {
        let ri = corpus.vectors.row(members[i] as usize);
        for j in i + 1..n {
            let mut x = (1.0 - v) * sorted_dot(&local[i], &local[j]);
            if v > 0.0 {
                let rj = corpus.vectors.row(members[j] as usize);
                x += v * corpus.centred_pair(
                    members[i] as usize,
                    members[j] as usize,
                    ri.dot(&rj).clamp(-1.0, 1.0),
                );
            }
            s[i * n + j] = x;
            s[j * n + i] = x;
        }
    }
    s
}

/// The order of the members along the Fiedler vector of the normalised similarity
/// graph (negative similarities count as 0 there).
fn spectral_order(s: &[f32], n: usize) -> Vec<usize> {
    let a = |i: usize, j: usize| f64::from(s[i * n + j].max(0.0));
    let degree: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| a(i, j)).sum::<f64>().max(1e-9))
        .collect();
    let root: Vec<f64> = degree.iter().map(|d| d.sqrt()).collect();
    let top_norm = root.iter().map(|x| x * x).sum::<f64>().sqrt();
    let top: Vec<f64> = root.iter().map(|x| x / top_norm).collect();
    let deflate = |x: &mut Vec<f64>| {
        let p: f64 = x.iter().zip(&top).map(|(a, b)| a * b).sum();
        for (xi, ti) in x.iter_mut().zip(&top) {
            *xi -= p * ti;
        }
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300);
        for xi in x.iter_mut() {
            *xi /= norm;
        }
    };
    // A fixed start vector with no symmetry to the rows' order.
    let mut x: Vec<f64> = (0..n)
        .map(|i| ((i as f64 + 1.0) * 0.618_033_988_7).fract() - 0.5)
        .collect();
    deflate(&mut x);
    for _ in 0..POWER_ITERATIONS {
        // (I + D^-1/2 A D^-1/2) x: the shift keeps every eigenvalue non-negative, so the
        // second largest (after the deflated top one) dominates.
        let mut next: Vec<f64> = (0..n)
            .map(|i| {
                let sum: f64 = (0..n).map(|j| a(i, j) * x[j] / root[j]).sum();
                x[i] + sum / root[i]
            })
            .collect();
        deflate(&mut next);
        let moved = next
            .iter()
            .zip(&x)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        x = next;
        if moved < 1e-9 {
            break;
        }
    }
    let f: Vec<f64> = x.iter().zip(&root).map(|(v, r)| v / r).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| f[i].total_cmp(&f[j]).then(i.cmp(&j)));
    order
}

/// The best cut of a story found by the event split, whatever `event_split_ratio`
/// says (for calibration and diagnostics).
#[derive(Debug, Clone, PartialEq)]
pub struct EventCut {
    /// Mean local similarity between the parts over the lower mean inside them.
    pub ratio: f32,
    /// The two parts (rows), each ascending.
    pub parts: [Vec<u32>; 2],
    /// Names and numbers found in at least half of one part and in no member of the
    /// other, counted for each part; the lower count.
    pub exclusive: usize,
    /// Mean centred embedding cosine between the parts over the lower mean inside them.
    pub embedding_ratio: f32,
}

/// Mean centred cosine between `a` and `b` over the lower mean inside them (1 when a
/// part has no pair or a mean is not positive).
fn embedding_ratio(corpus: &Corpus<'_>, a: &[u32], b: &[u32]) -> f64 {
    let cos = |x: u32, y: u32| {
        let (rx, ry) = (
            corpus.vectors.row(x as usize),
            corpus.vectors.row(y as usize),
        );
        f64::from(corpus.centred_pair(x as usize, y as usize, rx.dot(&ry).clamp(-1.0, 1.0)))
    };
    let within = |side: &[u32]| {
        let mut sum = 0.0;
        for (i, &x) in side.iter().enumerate() {
            for &y in &side[i + 1..] {
                sum += cos(x, y);
            }
        }
        let pairs = (side.len() * side.len().saturating_sub(1) / 2) as f64;
        (pairs > 0.0).then(|| sum / pairs)
    };
    let between = a
        .iter()
        .flat_map(|&x| b.iter().map(move |&y| cos(x, y)))
        .sum::<f64>()
        / (a.len() * b.len()).max(1) as f64;
    match (within(a), within(b)) {
        (Some(x), Some(y)) if x.min(y) > 0.0 => between / x.min(y),
        _ => 1.0,
    }
}

/// `Error::RowOutOfRange` for the first row that is not a row of `corpus`.
fn check_rows<'r>(corpus: &Corpus<'_>, rows: impl IntoIterator<Item = &'r u32>) -> Result<()> {
    let n = corpus.len();
    match rows.into_iter().find(|&&m| m as usize >= n) {
        Some(&row) => Err(Error::RowOutOfRange {
            row: row as usize,
            len: n,
        }),
        None => Ok(()),
    }
}

/// `exclusive_tokens` of a given cut (diagnostics: e.g. the gold cut); 0 when the
/// corpus holds no event-split tokens.
pub fn exclusive_count(corpus: &Corpus<'_>, a: &[u32], b: &[u32]) -> Result<usize> {
    check_rows(corpus, a.iter().chain(b))?;
    if corpus.event_tokens.is_empty() {
        return Ok(0);
    }
    Ok(exclusive_tokens(corpus, a, b))
}

/// For each side, the tokens found in at least half of its members and in none of the
/// other side's; the lower of the two counts.
fn exclusive_tokens(corpus: &Corpus<'_>, a: &[u32], b: &[u32]) -> usize {
    let df = |side: &[u32]| {
        let mut df: HashMap<u64, u32> = HashMap::new();
        for &m in side {
            for &(h, _) in &corpus.event_tokens[m as usize] {
                *df.entry(h).or_insert(0) += 1;
            }
        }
        df
    };
    let (da, db) = (df(a), df(b));
    let count = |mine: &HashMap<u64, u32>, size: usize, other: &HashMap<u64, u32>| {
        mine.iter()
            .filter(|(h, &d)| 2 * d as usize >= size && !other.contains_key(*h))
            .count()
    };
    count(&da, a.len(), &db).min(count(&db, b.len(), &da))
}

/// The cut of `members` (rows of `corpus`) with the lowest between / within ratio, or
/// `None` when the story is too small or too large to examine, or the corpus holds no
/// event-split tokens (`event_split` off, or no tokens given).
pub fn best_cut(corpus: &Corpus<'_>, members: &[u32]) -> Result<Option<EventCut>> {
    check_rows(corpus, members)?;
    if corpus.event_tokens.is_empty() {
        return Ok(None);
    }
    Ok(cut(corpus, members).map(|(ratio, a, b)| {
        let mut parts = [a, b];
        for p in &mut parts {
            p.sort_unstable();
        }
        let exclusive = exclusive_tokens(corpus, &parts[0], &parts[1]);
        let embedding_ratio = embedding_ratio(corpus, &parts[0], &parts[1]) as f32;
        EventCut {
            embedding_ratio,
            ratio: ratio as f32,
            parts,
            exclusive,
        }
    }))
}

/// The ratio (mean local similarity between / lower mean inside) of a given cut of
/// `members` into `part` and the rest (diagnostics: e.g. the gold cut).
pub fn cut_ratio(corpus: &Corpus<'_>, members: &[u32], part: &[u32]) -> Result<Option<f32>> {
    check_rows(corpus, members)?;
    if corpus.event_tokens.is_empty() {
        return Ok(None);
    }
    let k = members.len();
    let s = local_similarity(corpus, members);
    let side: Vec<bool> = members.iter().map(|m| part.contains(m)).collect();
    let (mut sums, mut counts) = ([0.0f64; 3], [0.0f64; 3]);
    for i in 0..k {
        for j in i + 1..k {
            let slot = match (side[i], side[j]) {
                (true, true) => 0,
                (false, false) => 1,
                _ => 2,
            };
            sums[slot] += f64::from(s[i * k + j]);
            counts[slot] += 1.0;
        }
    }
    if counts.contains(&0.0) {
        return Ok(None);
    }
    let lower = (sums[0] / counts[0]).min(sums[1] / counts[1]);
    Ok((lower > 0.0).then(|| (sums[2] / counts[2] / lower) as f32))
}

/// The best cut of `members` if it passes the criterion.
fn bisect(corpus: &Corpus<'_>, members: &[u32]) -> Option<(Vec<u32>, Vec<u32>)> {
    let (ratio, a, b) = cut(corpus, members)?;
    let c = &corpus.config;
    (ratio <= f64::from(c.event_split_ratio)
        && exclusive_tokens(corpus, &a, &b) >= c.event_split_min_exclusive)
        .then_some((a, b))
}

/// The cut of `members` along the spectral order with the lowest ratio.
fn cut(corpus: &Corpus<'_>, members: &[u32]) -> Option<(f64, Vec<u32>, Vec<u32>)> {
    let c = &corpus.config;
    let n = members.len();
    let min = c.event_split_min_size.max(1);
    if n < 2 * min || n > MAX_SPLIT_MEMBERS {
        return None;
    }
    // Short texts (headlines) name one or two entities: too few for "found in some
    // but not most members" to mean anything.
    let mean_length = members
        .iter()
        .map(|&m| f64::from(corpus.lengths[m as usize]))
        .sum::<f64>()
        / n as f64;
    if mean_length < f64::from(c.long_text_tokens) {
        return None;
    }
    let s = local_similarity(corpus, members);
    let order = spectral_order(&s, n);
    // Sweep: move members one by one from B (all) to A along the order.
    let sim = |i: usize, j: usize| f64::from(s[order[i] * n + order[j]]);
    let total: f64 = (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
        .map(|(i, j)| sim(i, j))
        .sum();
    let (mut within_a, mut within_b, mut between) = (0.0f64, total, 0.0f64);
    let mut best: Option<(f64, usize)> = None;
    for k in 1..n {
        // Member k-1 moves to A.
        let x = k - 1;
        let to_a: f64 = (0..x).map(|i| sim(x, i)).sum();
        let to_b: f64 = (k..n).map(|j| sim(x, j)).sum();
        within_a += to_a;
        within_b -= to_b;
        between += to_b - to_a;
        let (na, nb) = (k as f64, (n - k) as f64);
        if k < min || n - k < min {
            continue;
        }
        let wa = if k >= 2 {
            within_a / (na * (na - 1.0) / 2.0)
        } else {
            0.0
        };
        let wb = if n - k >= 2 {
            within_b / (nb * (nb - 1.0) / 2.0)
        } else {
            0.0
        };
        let lower = wa.min(wb);
        if lower <= 0.0 {
            continue;
        }
        let ratio = between / (na * nb) / lower;
        if best.is_none_or(|b| ratio < b.0) {
            best = Some((ratio, k));
        }
    }
    let (ratio, k) = best?;
    let a = order[..k].iter().map(|&i| members[i]).collect();
    let b = order[k..].iter().map(|&i| members[i]).collect();
    Some((ratio, a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::cluster;
    use crate::score::CorpusBuilder;
    use ndarray::Array2;

    const TOPIC_NAME: u64 = 1;

    /// `events` events of `size` articles each, one topic: identical embeddings, the
    /// topic's name in every article, `names(article)` as each article's other names,
    /// 40 words of its own; then 20 unrelated articles (orthogonal vectors).
    fn batch(
        events: usize,
        size: usize,
        names: &dyn Fn(usize) -> Vec<u64>,
    ) -> (Array2<f32>, Vec<Vec<Token>>) {
        let topic = events * size;
        let n = topic + 20;
        let v = Array2::from_shape_fn((n, 21), |(i, j)| {
            let dim = if i < topic { 0 } else { i - topic + 1 };
            if j == dim {
                1.0
            } else {
                0.0
            }
        });
        let tokens = (0..n)
            .map(|i| {
                let mut t: Vec<Token> = (0..40)
                    .map(|w| Token {
                        hash: 1_000_000 + (i * 100 + w) as u64,
                        kind: TokenKind::Word,
                    })
                    .collect();
                if i < topic {
                    t.push(Token {
                        hash: TOPIC_NAME,
                        kind: TokenKind::Name,
                    });
                    t.extend(names(i).into_iter().map(|hash| Token {
                        hash,
                        kind: TokenKind::Name,
                    }));
                }
                t
            })
            .collect();
        (v, tokens)
    }

    fn stories(v: &Array2<f32>, tokens: &[Vec<Token>], event_split: bool) -> Vec<Vec<u32>> {
        let corpus = CorpusBuilder::new(v.view())
            .tokens(tokens.to_vec())
            .config(SimilarityConfig {
                event_split,
                ..Default::default()
            })
            .build()
            .unwrap();
        let n = v.nrows() as u32;
        let all: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        cluster(&corpus, &all)
            .unwrap()
            .stories
            .into_iter()
            .map(|s| s.members)
            .filter(|m| m.len() > 1)
            .collect()
    }

    #[test]
    fn two_events_sharing_the_topic_name_are_cut_apart() {
        // Event A (rows 0..6) names 10..16, event B (rows 6..12) names 20..26; the
        // embedding cannot tell them apart, so average-link merges the topic.
        let names = |i: usize| {
            let base = if i < 6 { 10 } else { 20 };
            (base..base + 6).collect::<Vec<u64>>()
        };
        let (v, tokens) = batch(2, 6, &names);
        assert_eq!(
            stories(&v, &tokens, false),
            vec![(0..12).collect::<Vec<u32>>()]
        );
        assert_eq!(
            stories(&v, &tokens, true),
            vec![(0..6).collect::<Vec<u32>>(), (6..12).collect()]
        );
        // With two names of their own per event, the cut is as clean (no shared
        // name) but too thin to trust: `event_split_min_exclusive` (5) keeps it whole.
        let few = |i: usize| if i < 6 { vec![10, 11] } else { vec![20, 21] };
        let (v2, tokens2) = batch(2, 6, &few);
        assert_eq!(
            stories(&v2, &tokens2, true),
            vec![(0..12).collect::<Vec<u32>>()]
        );
        // Same partition whatever the thread count.
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(
            one.install(|| stories(&v, &tokens, true)),
            two.install(|| stories(&v, &tokens, true))
        );
    }

    #[test]
    fn one_event_with_overlapping_details_stays_whole() {
        // Each article names two of four details in a ring (0-1, 1-2, 2-3, 3-0): no
        // cut leaves the two sides without shared names.
        let names = |i: usize| vec![10 + (i % 4) as u64, 10 + ((i + 1) % 4) as u64];
        let (v, tokens) = batch(1, 12, &names);
        assert_eq!(
            stories(&v, &tokens, true),
            vec![(0..12).collect::<Vec<u32>>()]
        );
    }

    #[test]
    fn short_texts_are_not_examined() {
        let names = |i: usize| if i < 6 { vec![10, 11] } else { vec![20, 21] };
        let (v, mut tokens) = batch(2, 6, &names);
        for t in &mut tokens {
            t.retain(|x| x.kind != TokenKind::Word);
        }
        let corpus = CorpusBuilder::new(v.view()).tokens(tokens).build().unwrap();
        let rows: Vec<u32> = (0..12).collect();
        assert_eq!(best_cut(&corpus, &rows).unwrap(), None);
        assert!(matches!(
            best_cut(&corpus, &[0, 99]),
            Err(Error::RowOutOfRange { row: 99, .. })
        ));
    }
}
