//! Clustering articles into stories: average-link over the candidate graph.
//!
//! Two groups merge when the **average** story score over *all* pairs between them —
//! not only the candidate edges — clears the threshold, so one strong link cannot chain
//! two stories together. The story score is a weighted sum of dot products of unit
//! vectors (see [`crate::score`]), so the average over `|A| * |B|` pairs is the dot
//! product of the groups' vector sums divided by `|A| * |B|`: exact, and `O(d)` per
//! group pair however large the groups. Only groups joined by a candidate edge are
//! compared. The threshold depends on the text length of the shorter group (the lower of
//! the two groups' mean lengths, [`crate::config::SimilarityConfig::threshold_for`]): a
//! short text shares few tokens with anything, so it is judged at its own length even
//! against a story of long articles. The date penalty applies to the gap between their
//! mean dates.
//!
//! A merge must also pass a cohesion check: the average between the groups must reach
//! `cohesion_ratio` times the mean score inside them, so two tight groups (two events of
//! one kind) stay apart even when their average clears the threshold, and the check
//! adapts to the score level of the batch (headlines score lower than articles).
//!
//! Merges run highest average first (ties: lower row ids first) on one thread over scores
//! computed identically whatever the thread count, so the partition does not depend on
//! rayon's pool size.
//!
//! **Representative**: the member with the highest mean story score to the rest of
//! its story (the most central article); ties go to the lowest row.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::SimilarityConfig;
use crate::cosine::NeighbourLists;
use crate::error::{Error, Result};
use crate::score::{Corpus, PairScore};

/// One story: its member rows (ascending) and its representative row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    /// Rows of the articles in this story, ascending.
    pub members: Vec<u32>,
    /// Row of the most central member.
    pub representative: u32,
}

/// A partition of the batch: every row is in exactly one story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clustering {
    /// Story index of every row.
    pub labels: Vec<u32>,
    /// Stories, ordered by their lowest member row.
    pub stories: Vec<Story>,
}

/// Stories plus the scored pairs kept inside them (with relation labels).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stories {
    /// The partition.
    pub clustering: Clustering,
    /// Candidate pairs whose two articles ended in one story, sorted by `(a, b)`.
    pub pairs: Vec<PairScore>,
}

/// Scores the candidate pairs from `neighbours`, clusters, and keeps the pairs inside
/// stories with their relation labels.
pub fn find_stories(corpus: &Corpus<'_>, neighbours: &NeighbourLists) -> Result<Stories> {
    if neighbours.len() != corpus.len() {
        return Err(Error::DimensionMismatch {
            row: neighbours.len().min(corpus.len()),
            expected: corpus.len(),
            got: neighbours.len(),
        });
    }
    let pairs = neighbours.candidate_pairs(corpus.config().min_cosine);
    let clustering = cluster(corpus, &pairs)?;
    let inside: Vec<(u32, u32)> = pairs
        .into_iter()
        .filter(|&(a, b)| clustering.labels[a as usize] == clustering.labels[b as usize])
        .collect();
    let pairs = corpus.score_pairs(&inside)?;
    Ok(Stories { clustering, pairs })
}

/// Multiplicative hash for `u32` group ids (SipHash's DoS resistance buys nothing
/// here, and the neighbour sets are the clustering's hot loop).
#[derive(Debug, Clone, Copy, Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (u64::from(i) ^ 0x9e37_79b9).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type IdSet = HashSet<u32, std::hash::BuildHasherDefault<IdHasher>>;

/// Running sums of one group.
#[derive(Debug, Clone, Default)]
struct Group {
    size: u32,
    /// Dense vector sum; `None` while the group is the single row `id`.
    dense: Option<Vec<f32>>,
    sparse: Vec<(u64, f32)>,
    /// Sum of the members' neighbourhood profiles.
    profile: Vec<(u64, f32)>,
    length_sum: f32,
    date_sum: f64,
    dated: u32,
    /// Sum of story scores over the pairs inside the group.
    within_sum: f32,
    version: u32,
    neighbours: IdSet,
    members: Vec<u32>,
}

impl Group {
    fn extent(&self) -> Extent {
        Extent {
            size: self.size as f32,
            length_sum: self.length_sum,
            date_sum: self.date_sum,
            dated: self.dated,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    average: f32,
    a: u32,
    b: u32,
    version_a: u32,
    version_b: u32,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        let key = |c: &Self| (c.a.min(c.b), c.a.max(c.b), c.a);
        self.average
            .total_cmp(&other.average)
            .then_with(|| key(other).cmp(&key(self)))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn merge_sparse(a: &[(u64, f32)], b: &[(u64, f32)]) -> Vec<(u64, f32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Size, summed text length and dates of a group of rows: what the average-link
/// threshold and date penalty of two groups depend on.
#[derive(Debug, Clone, Copy)]
struct Extent {
    size: f32,
    length_sum: f32,
    date_sum: f64,
    dated: u32,
}

/// Sum of story scores over all `pairs` pairs between two groups, from the dot products
/// of their dense and sparse sums (`mu`: the background of their topic block).
fn cross_score(w: f32, dense_dot: f32, sparse_dot: f32, pairs: f32, mu: f32) -> f32 {
    w * (dense_dot - pairs * mu) / (1.0 - mu) + (1.0 - w) * sparse_dot
}

/// What average-link compares for two groups whose pairs sum to `cross`: their average
/// story score minus the date penalty of the gap between their mean dates, and the
/// threshold for the shorter group's mean text length (the lower of the two means: a
/// pair's score is bounded by its shorter text, whatever the other's length). Before
/// session 6 it was the mean length of both groups together; the shorter side gives
/// ecbplus-dev MiniLM B-cubed F1 0.940 -> 0.942 (tuning half alone 0.942 -> 0.946),
/// uci-news-headlines 0.786 -> 0.791, nothing lower (crate README, "Session 6").
fn average_and_threshold(c: &SimilarityConfig, cross: f32, x: Extent, y: Extent) -> (f32, f32) {
    let mut average = cross / (x.size * y.size);
    if x.dated > 0 && y.dated > 0 {
        let gap = x.date_sum / f64::from(x.dated) - y.date_sum / f64::from(y.dated);
        average -= c.date_penalty(gap as f32);
    }
    let shorter = (x.length_sum / x.size).min(y.length_sum / y.size);
    (average, c.threshold_for(shorter))
}

struct State<'c, 'v> {
    corpus: &'c Corpus<'v>,
    groups: Vec<Group>,
}

impl State<'_, '_> {
    fn dense(&self, id: u32) -> &[f32] {
        let g = &self.groups[id as usize];
        match &g.dense {
            Some(v) => v,
            // Rows of a standard-layout view are contiguous; others fall back to a copy
            // at construction (see `cluster`).
            None => self
                .corpus
                .vectors
                .row(id as usize)
                .to_slice()
                .unwrap_or(&[]),
        }
    }

    /// The mergeable neighbour of `owner` with the highest average (lowest id on ties).
    fn best_of(&self, owner: u32) -> Option<Candidate> {
        let g = &self.groups[owner as usize];
        let mut best: Option<(f32, u32)> = None;
        for &c in &g.neighbours {
            if let Some(avg) = self.average_if_mergeable(owner, c) {
                let better = match best {
                    None => true,
                    Some((b, bc)) => avg > b || (avg == b && c < bc),
                };
                if better {
                    best = Some((avg, c));
                }
            }
        }
        best.map(|(average, c)| Candidate {
            average,
            a: owner,
            b: c,
            version_a: g.version,
            version_b: self.groups[c as usize].version,
        })
    }

    /// Sum of story scores over all pairs between two groups (no date penalty).
    fn cross_sum(&self, a: u32, b: u32) -> f32 {
        let (ga, gb) = (&self.groups[a as usize], &self.groups[b as usize]);
        let dense = crate::cosine::dot(self.dense(a), self.dense(b));
        let sparse = crate::score::sorted_dot(&ga.sparse, &gb.sparse);
        let w = self.corpus.config.embedding_weight;
        let pairs = ga.size as f32 * gb.size as f32;
        // Groups never span topic blocks: the block of any member is the group's.
        let mu = self.corpus.row_background(a as usize);
        let profile = crate::score::sorted_dot(&ga.profile, &gb.profile);
        cross_score(w, dense, sparse, pairs, mu)
            + self.corpus.neighbourhood_cross(a as usize, profile, pairs)
    }

    /// Average story score between two groups, if they may merge: it must clear the
    /// length-dependent threshold and `cohesion_ratio` times the mean within-group score
    /// of the groups that have pairs.
    fn average_if_mergeable(&self, a: u32, b: u32) -> Option<f32> {
        let c = &self.corpus.config;
        let (ga, gb) = (&self.groups[a as usize], &self.groups[b as usize]);
        let (average, threshold) =
            average_and_threshold(c, self.cross_sum(a, b), ga.extent(), gb.extent());
        if average < threshold {
            return None;
        }
        let within = |g: &Group| {
            let n = g.size as f32;
            (g.size >= 2).then(|| g.within_sum / (n * (n - 1.0) / 2.0))
        };
        let reference = match (within(ga), within(gb)) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        match reference {
            Some(r) if average < c.cohesion_ratio * r => None,
            _ => Some(average),
        }
    }
}

/// Average-link clustering of the rows of `corpus` over the candidate `pairs` (row
/// indices; order and duplicates do not matter). Returns a partition covering every row
/// exactly once.
pub fn cluster(corpus: &Corpus<'_>, pairs: &[(u32, u32)]) -> Result<Clustering> {
    let n = corpus.len();
    if let Some(&(a, b)) = pairs
        .iter()
        .find(|p| p.0 as usize >= n || p.1 as usize >= n)
    {
        let row = if a as usize >= n { a } else { b } as usize;
        return Err(Error::RowOutOfRange { row, len: n });
    }
    let contiguous = corpus.vectors.is_standard_layout();
    let mut groups: Vec<Group> = (0..n)
        .map(|i| Group {
            size: 1,
            dense: if contiguous {
                None
            } else {
                Some(corpus.vectors.row(i).to_vec())
            },
            sparse: corpus.rare[i].entries().to_vec(),
            profile: corpus.profile_entries(i).to_vec(),
            length_sum: corpus.lengths[i],
            date_sum: corpus.dates[i].map_or(0.0, f64::from),
            dated: u32::from(corpus.dates[i].is_some()),
            within_sum: 0.0,
            version: 0,
            neighbours: IdSet::default(),
            members: vec![i as u32],
        })
        .collect();
    // Articles of different topic blocks are never one story.
    let mut edges: Vec<(u32, u32)> = pairs
        .iter()
        .filter(|p| p.0 != p.1 && corpus.block[p.0 as usize] == corpus.block[p.1 as usize])
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect();
    edges.par_sort_unstable();
    edges.dedup();
    for &(a, b) in &edges {
        groups[a as usize].neighbours.insert(b);
        groups[b as usize].neighbours.insert(a);
    }
    let mut state = State { corpus, groups };
    drop(edges);
    // One heap entry per group: its best mergeable neighbour. An entry whose partner
    // changed since is refreshed when popped; the merged group pushes its own fresh
    // entry. The global best pair is always in the heap with its exact average, so the
    // merge order is that of plain average-link, with a heap of O(groups).
    let initial: Vec<Option<Candidate>> = (0..n as u32)
        .into_par_iter()
        .map(|g| state.best_of(g))
        .collect();
    let mut heap: BinaryHeap<Candidate> = initial.into_iter().flatten().collect();

    while let Some(top) = heap.pop() {
        let (owner, partner) = (top.a, top.b);
        {
            let go = &state.groups[owner as usize];
            if go.size == 0 || go.version != top.version_a {
                continue;
            }
            let gp = &state.groups[partner as usize];
            if gp.size == 0 || gp.version != top.version_b {
                if let Some(fresh) = state.best_of(owner) {
                    heap.push(fresh);
                }
                continue;
            }
        }
        let (a, b) = (owner.min(partner), owner.max(partner));
        // Merge b into a (a < b keeps the lower id as the group id).
        let cross = state.cross_sum(a, b);
        let mut gb = std::mem::take(&mut state.groups[b as usize]);
        let dense_b: Vec<f32> = match gb.dense.take() {
            Some(v) => v,
            None => state.dense(b).to_vec(),
        };
        let dense_a: Vec<f32> = match state.groups[a as usize].dense.take() {
            Some(v) => v,
            None => state.dense(a).to_vec(),
        };
        let summed: Vec<f32> = dense_a.iter().zip(&dense_b).map(|(x, y)| x + y).collect();
        {
            let ga = &mut state.groups[a as usize];
            ga.dense = Some(summed);
            ga.sparse = merge_sparse(&ga.sparse, &gb.sparse);
            ga.profile = merge_sparse(&ga.profile, &gb.profile);
            ga.size += gb.size;
            ga.within_sum += gb.within_sum + cross;
            ga.length_sum += gb.length_sum;
            ga.date_sum += gb.date_sum;
            ga.dated += gb.dated;
            ga.version += 1;
            ga.members.append(&mut gb.members);
            ga.neighbours.remove(&b);
            gb.neighbours.remove(&a);
        }
        for &c in &gb.neighbours {
            let gc = &mut state.groups[c as usize].neighbours;
            gc.remove(&b);
            gc.insert(a);
        }
        let mut merged: IdSet = std::mem::take(&mut state.groups[a as usize].neighbours);
        merged.extend(gb.neighbours.iter().copied());
        state.groups[b as usize].version = gb.version + 1;
        state.groups[a as usize].neighbours = merged;
        if let Some(fresh) = state.best_of(a) {
            heap.push(fresh);
        }
    }

    // Collect stories ordered by lowest member.
    let stories: Vec<Story> = state
        .groups
        .iter_mut()
        .filter(|g| g.size > 0)
        .map(|g| {
            let mut members = std::mem::take(&mut g.members);
            members.sort_unstable();
            Story {
                representative: members[0],
                members,
            }
        })
        .collect();
    // Second stage: cut stories holding two events of one kind (`event_split`).
    let mut stories = crate::split::split_events(corpus, stories);
    stories.sort_unstable_by_key(|s| s.members[0]);
    stories
        .par_iter_mut()
        .for_each(|s| s.representative = representative(corpus, &s.members));
    let mut labels = vec![0u32; n];
    for (k, s) in stories.iter().enumerate() {
        for &m in &s.members {
            labels[m as usize] = k as u32;
        }
    }
    Ok(Clustering { labels, stories })
}

/// How close two stories came to being one: what average-link compared with the
/// threshold when it last could have merged them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StoryLink {
    /// Index of the first story in [`Clustering::stories`] (the lower of the two).
    pub a: u32,
    /// Index of the second story.
    pub b: u32,
    /// The average story score over all `|A| * |B|` pairs of their members, minus the
    /// date penalty of the gap between their mean dates (what average-link compares).
    pub average: f32,
    /// The story threshold for the shorter story's mean text length
    /// ([`SimilarityConfig::threshold_for`](crate::SimilarityConfig::threshold_for)).
    pub threshold: f32,
}

impl StoryLink {
    /// `threshold - average`: how far below the threshold the two stayed. Negative when
    /// they clear it and were kept apart by the event split ([`crate::split`]) or the
    /// cohesion check instead.
    pub fn margin(&self) -> f32 {
        self.threshold - self.average
    }
}

/// Running sums of one story (see [`story_links`]).
struct StorySums<'c> {
    extent: Extent,
    /// Dense vector sum; `None` for a story of one row (its row is used).
    dense: Option<Vec<f32>>,
    row: usize,
    sparse: std::borrow::Cow<'c, [(u64, f32)]>,
    profile: std::borrow::Cow<'c, [(u64, f32)]>,
}

/// For every two stories of `clustering` joined by at least one of the candidate
/// `pairs` (the pairs clustering was given; stories of different topic blocks are never
/// compared), their [`StoryLink`], sorted by `(a, b)`. This is why two stories are
/// apart: their average score stayed below the threshold (or the event split cut them).
/// Computed from the stories' vector sums like the clustering itself, `O(d)` per link.
pub fn story_links(
    corpus: &Corpus<'_>,
    clustering: &Clustering,
    pairs: &[(u32, u32)],
) -> Result<Vec<StoryLink>> {
    let n = corpus.len();
    if clustering.labels.len() != n {
        return Err(Error::DimensionMismatch {
            row: clustering.labels.len().min(n),
            expected: n,
            got: clustering.labels.len(),
        });
    }
    if let Some(&(a, b)) = pairs
        .iter()
        .find(|p| p.0 as usize >= n || p.1 as usize >= n)
    {
        let row = if a as usize >= n { a } else { b } as usize;
        return Err(Error::RowOutOfRange { row, len: n });
    }
    let sums: Vec<StorySums<'_>> = clustering
        .stories
        .par_iter()
        .map(|story| {
            let rows = &story.members;
            let first = rows.first().map_or(0, |&r| r as usize);
            let (dense, sparse, profile) = if rows.len() <= 1 {
                (
                    None,
                    std::borrow::Cow::Borrowed(corpus.rare[first].entries()),
                    std::borrow::Cow::Borrowed(corpus.profile_entries(first)),
                )
            } else {
                let sums = member_sums(corpus, rows);
                (
                    Some(sums.dense),
                    std::borrow::Cow::Owned(sums.sparse),
                    std::borrow::Cow::Owned(sums.profile),
                )
            };
            StorySums {
                extent: Extent {
                    size: rows.len() as f32,
                    length_sum: rows.iter().map(|&m| corpus.lengths[m as usize]).sum(),
                    date_sum: rows
                        .iter()
                        .filter_map(|&m| corpus.dates[m as usize])
                        .map(f64::from)
                        .sum(),
                    dated: rows
                        .iter()
                        .filter(|&&m| corpus.dates[m as usize].is_some())
                        .count() as u32,
                },
                dense,
                row: first,
                sparse,
                profile,
            }
        })
        .collect();
    let mut links: Vec<(u32, u32)> = pairs
        .iter()
        .filter(|p| corpus.block[p.0 as usize] == corpus.block[p.1 as usize])
        .map(|&(a, b)| {
            let (x, y) = (clustering.labels[a as usize], clustering.labels[b as usize]);
            (x.min(y), x.max(y))
        })
        .filter(|l| l.0 != l.1)
        .collect();
    links.par_sort_unstable();
    links.dedup();
    let c = &corpus.config;
    let w = c.embedding_weight;
    fn dense<'s>(corpus: &'s Corpus<'_>, s: &'s StorySums<'_>) -> std::borrow::Cow<'s, [f32]> {
        match &s.dense {
            Some(v) => std::borrow::Cow::Borrowed(v.as_slice()),
            None => {
                let row = corpus.vectors.row(s.row);
                match row.to_slice() {
                    Some(r) => std::borrow::Cow::Borrowed(r),
                    None => std::borrow::Cow::Owned(row.to_vec()),
                }
            }
        }
    }
    Ok(links
        .par_iter()
        .map(|&(a, b)| {
            let (sa, sb) = (&sums[a as usize], &sums[b as usize]);
            let dot = crate::cosine::dot(&dense(corpus, sa), &dense(corpus, sb));
            let sparse = crate::score::sorted_dot(&sa.sparse, &sb.sparse);
            let pairs = sa.extent.size * sb.extent.size;
            let profile = crate::score::sorted_dot(&sa.profile, &sb.profile);
            let cross = cross_score(w, dot, sparse, pairs, corpus.row_background(sa.row))
                + corpus.neighbourhood_cross(sa.row, profile, pairs);
            let (average, threshold) = average_and_threshold(c, cross, sa.extent, sb.extent);
            StoryLink {
                a,
                b,
                average,
                threshold,
            }
        })
        .collect())
}

/// The sums over a story's members of their vectors, rare-token vectors and
/// neighbourhood profiles: what its average scores are dot products of.
struct MemberSums {
    dense: Vec<f32>,
    sparse: Vec<(u64, f32)>,
    profile: Vec<(u64, f32)>,
}

fn member_sums(corpus: &Corpus<'_>, members: &[u32]) -> MemberSums {
    let mut sums = MemberSums {
        dense: vec![0.0f32; corpus.vectors.ncols()],
        sparse: Vec::new(),
        profile: Vec::new(),
    };
    for &m in members {
        for (s, x) in sums.dense.iter_mut().zip(corpus.vectors.row(m as usize)) {
            *s += x;
        }
        sums.sparse = merge_sparse(&sums.sparse, corpus.rare[m as usize].entries());
        sums.profile = merge_sparse(&sums.profile, corpus.profile_entries(m as usize));
    }
    sums
}

/// The member with the highest summed story score to the other members (lowest row on
/// ties).
fn representative(corpus: &Corpus<'_>, members: &[u32]) -> u32 {
    if members.len() <= 2 {
        return members[0];
    }
    let MemberSums {
        dense,
        sparse,
        profile,
    } = member_sums(corpus, members);
    let w = corpus.config.embedding_weight;
    let mut best = (f32::NEG_INFINITY, members[0]);
    for &m in members {
        let row = corpus.vectors.row(m as usize);
        let dot: f32 = row.iter().zip(&dense).map(|(x, y)| x * y).sum();
        let sp = crate::score::sorted_dot(corpus.rare[m as usize].entries(), &sparse);
        let mu = corpus.row_background(m as usize);
        let others = (members.len() - 1) as f32;
        let own = corpus.profile_entries(m as usize);
        // The row's own profile is in the sum: take its unit norm back out.
        let self_profile = if own.is_empty() { 0.0 } else { 1.0 };
        let pd = crate::score::sorted_dot(own, &profile) - self_profile;
        let score = w * (dot - 1.0 - others * mu) / (1.0 - mu)
            + (1.0 - w) * sp
            + corpus.neighbourhood_cross(m as usize, pd, others);
        if score > best.0 {
            best = (score, m);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SimilarityConfig;
    use crate::score::CorpusBuilder;
    use ndarray::Array2;

    fn unit(rows: Vec<Vec<f32>>) -> Array2<f32> {
        let d = rows[0].len();
        let mut a = Array2::zeros((rows.len(), d));
        for (i, r) in rows.iter().enumerate() {
            let n = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            for (j, x) in r.iter().enumerate() {
                a[[i, j]] = x / n;
            }
        }
        a
    }

    #[test]
    fn two_tight_groups_and_a_loner() {
        let v = unit(vec![
            vec![1.0, 0.05, 0.0],
            vec![1.0, 0.0, 0.05],
            vec![1.0, 0.02, 0.02],
            vec![0.0, 1.0, 0.05],
            vec![0.05, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ]);
        let config = SimilarityConfig {
            embedding_weight: 1.0,
            story_threshold: 0.8,
            ..Default::default()
        };
        let corpus = CorpusBuilder::new(v.view()).config(config).build().unwrap();
        let all: Vec<(u32, u32)> = (0..6)
            .flat_map(|a| (a + 1..6).map(move |b| (a, b)))
            .collect();
        let c = cluster(&corpus, &all).unwrap();
        let members: Vec<Vec<u32>> = c.stories.iter().map(|s| s.members.clone()).collect();
        assert_eq!(members, vec![vec![0, 1, 2], vec![3, 4], vec![5]]);
        assert_eq!(c.stories[0].representative, 2);
    }

    #[test]
    fn a_merge_is_judged_at_the_shorter_groups_length() {
        let c = SimilarityConfig::default();
        let extent = |size: f32, mean_length: f32| Extent {
            size,
            length_sum: size * mean_length,
            date_sum: 0.0,
            dated: 0,
        };
        // A four-token text against a story of nine long articles: the bar is the short
        // text's, not that of the mean length of all ten (which is long).
        let (_, t) = average_and_threshold(&c, 0.0, extent(1.0, 4.0), extent(9.0, 300.0));
        assert_eq!(t, c.threshold_for(4.0));
        assert!(
            t < c.threshold_for((4.0 + 9.0 * 300.0) / 10.0) - 0.05,
            "{t}"
        );
        let (_, u) = average_and_threshold(&c, 0.0, extent(9.0, 300.0), extent(1.0, 4.0));
        assert_eq!(t, u);
        // Two long groups keep the long threshold.
        let (_, l) = average_and_threshold(&c, 0.0, extent(2.0, 80.0), extent(3.0, 300.0));
        assert_eq!(l, c.story_threshold);
    }

    #[test]
    fn the_neighbourhood_view_joins_reports_that_share_their_neighbours() {
        // Two events of one topic (rows 0-4: event A, rows 5-9: event B) and ten
        // unrelated articles. Reports of one event are each other's nearest neighbours
        // but their direct (centred) cosine, 0.52, is below the threshold 0.55;
        // between the events it is 0.35.
        let dims = 23;
        let mut rows = Vec::new();
        for i in 0..10 {
            let mut r = vec![0.0f32; dims];
            r[0] = 1.0;
            r[if i < 5 { 1 } else { 2 }] = 0.6;
            r[3 + i] = 1.0;
            rows.push(r);
        }
        for k in 0..10 {
            let mut r = vec![0.0f32; dims];
            r[13 + k] = 1.0;
            rows.push(r);
        }
        let v = unit(rows);
        let nn = crate::cosine::exact_top_k(v.view(), 30, 0.3).unwrap();
        let stories = |weight: f32| {
            let config = SimilarityConfig {
                cosine_only_threshold: 0.55,
                topic_blocks: false,
                neighbourhood_weight: weight,
                ..Default::default()
            };
            let corpus = CorpusBuilder::new(v.view())
                .neighbours(&nn)
                .config(config)
                .build()
                .unwrap();
            let s = find_stories(&corpus, &nn).unwrap();
            let multi: Vec<Vec<u32>> = s
                .clustering
                .stories
                .iter()
                .filter(|s| s.members.len() > 1)
                .map(|s| s.members.clone())
                .collect();
            (multi, corpus)
        };
        let (without, _) = stories(0.0);
        assert!(without.is_empty(), "{without:?}");
        let (with, corpus) = stories(0.2);
        assert_eq!(with, vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]);
        // Same neighbourhood inside an event, little of it across.
        let nb = |a: usize, b: usize| corpus.neighbourhood(a, b).unwrap();
        assert!(nb(0, 1) > 0.15, "{}", nb(0, 1));
        assert!(nb(1, 6).abs() < 0.05, "{}", nb(1, 6));
        assert_eq!(nb(0, 15), 0.2 * -corpus.profile_mean[0]);
        assert!(matches!(
            corpus.neighbourhood(0, 20),
            Err(crate::Error::RowOutOfRange { row: 20, len: 20 })
        ));
    }

    #[test]
    fn a_single_bridge_does_not_chain() {
        // 0-1 close, 2-3 close, 1-2 moderately close: average-link keeps {0,1} {2,3}.
        let v = unit(vec![
            vec![1.0, 0.0, 0.0],
            vec![0.9, 0.45, 0.0],
            vec![0.45, 0.9, 0.0],
            vec![0.0, 1.0, 0.0],
        ]);
        let config = SimilarityConfig {
            embedding_weight: 1.0,
            story_threshold: 0.8,
            ..Default::default()
        };
        let corpus = CorpusBuilder::new(v.view()).config(config).build().unwrap();
        let c = cluster(&corpus, &[(0, 1), (1, 2), (2, 3)]).unwrap();
        assert_eq!(c.stories.len(), 2, "{c:?}");
    }
}
