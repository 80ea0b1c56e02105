//! Synthetic L2-normalised embeddings with planted story structure, for the clustering
//! benches.
//!
//! Topics have a random centre; each story of a topic has a centre at cosine
//! `topic_cosine` to it (so two stories of one topic are at about `topic_cosine^2`, the
//! hard "same topic, other event" case); each article is its story centre plus Gaussian
//! noise, scaled so two articles of one story are at cosine about `story_cosine`.
//! Story sizes: a share of singletons, the rest drawn from a heavy-tailed law on
//! `2..=max_story`. Everything is a pure function of the seed (one stream per row), so
//! the generator is deterministic whatever the thread count.

use rayon::prelude::*;

/// Settings of the generator.
#[derive(Debug, Clone, Copy)]
pub struct PlantedConfig {
    /// Number of articles.
    pub articles: usize,
    /// Embedding dimension (384 like all-MiniLM-L6-v2 and multilingual-e5-small).
    pub dims: usize,
    /// Stories per topic.
    pub stories_per_topic: usize,
    /// Share of articles that are alone in their story.
    pub singleton_share: f64,
    /// Largest story.
    pub max_story: usize,
    /// Cosine between a story centre and its topic centre.
    pub topic_cosine: f32,
    /// Expected cosine between two articles of one story.
    pub story_cosine: f32,
    /// Seed.
    pub seed: u64,
}

impl Default for PlantedConfig {
    fn default() -> Self {
        Self {
            articles: 10_000,
            dims: 384,
            stories_per_topic: 2,
            singleton_share: 0.3,
            max_story: 60,
            topic_cosine: 0.7,
            story_cosine: 0.8,
            seed: 42,
        }
    }
}

/// Generated vectors (row-major `articles x dims`) and their gold labels.
#[derive(Debug, Clone)]
pub struct PlantedVectors {
    /// Dimension of every row.
    pub dims: usize,
    /// Row-major, L2-normalised.
    pub data: Vec<f32>,
    /// Gold story of every row.
    pub stories: Vec<u32>,
    /// Topic of every row.
    pub topics: Vec<u32>,
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn uniform(state: &mut u64) -> f64 {
    ((splitmix(state) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// Fills `out` with independent standard normal values (Box-Muller).
fn gaussians(state: &mut u64, out: &mut [f32]) {
    for pair in out.chunks_mut(2) {
        let (u1, u2) = (uniform(state), uniform(state));
        let r = (-2.0 * u1.ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        pair[0] = (r * t.cos()) as f32;
        if let Some(x) = pair.get_mut(1) {
            *x = (r * t.sin()) as f32;
        }
    }
}

fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

fn random_unit(seed: u64, dims: usize) -> Vec<f32> {
    let mut state = seed;
    let mut v = vec![0.0; dims];
    gaussians(&mut state, &mut v);
    normalise(&mut v);
    v
}

/// Generates the corpus described by `config`.
pub fn planted_vectors(config: &PlantedConfig) -> PlantedVectors {
    let (n, d) = (config.articles, config.dims);
    // Story sizes, drawn sequentially (cheap), then rows in story order.
    let mut state = config.seed ^ 0x5107;
    let mut stories = Vec::with_capacity(n);
    let mut story = 0u32;
    while stories.len() < n {
        let size = if uniform(&mut state) < config.singleton_share {
            1
        } else {
            // Heavy tail: P(size >= s) ~ 1/s on 2..=max_story.
            let u = uniform(&mut state);
            ((2.0 / u).floor() as usize).clamp(2, config.max_story.max(2))
        };
        for _ in 0..size.min(n - stories.len()) {
            stories.push(story);
        }
        story += 1;
    }
    let per_topic = config.stories_per_topic.max(1) as u32;
    let topics: Vec<u32> = stories.iter().map(|s| s / per_topic).collect();
    let story_count = story as usize;
    // Story centres: topic_cosine * topic + sqrt(1 - c^2) * independent direction.
    let tc = config.topic_cosine.clamp(0.0, 1.0);
    let centres: Vec<Vec<f32>> = (0..story_count)
        .into_par_iter()
        .map(|s| {
            let topic = random_unit(
                config.seed ^ (0xa11ce + (s as u64 / u64::from(per_topic)) * 7919),
                d,
            );
            let own = random_unit(config.seed ^ (0xb0b + s as u64 * 104_729), d);
            let mut c: Vec<f32> = topic
                .iter()
                .zip(&own)
                .map(|(t, o)| tc * t + (1.0 - tc * tc).sqrt() * o)
                .collect();
            normalise(&mut c);
            c
        })
        .collect();
    // Article = centre + noise with |noise|^2 = sigma^2, cos(a, b) ~ 1 / (1 + sigma^2).
    let sigma = ((1.0 / config.story_cosine.clamp(0.05, 0.999)) - 1.0).sqrt();
    let scale = sigma / (d as f32).sqrt();
    let mut data = vec![0.0f32; n * d];
    data.par_chunks_mut(d).enumerate().for_each(|(i, row)| {
        let mut st = config.seed ^ (0xc0ffee + i as u64 * 0x9e37_79b9);
        gaussians(&mut st, row);
        let centre = &centres[stories[i] as usize];
        for (x, c) in row.iter_mut().zip(centre) {
            *x = c + scale * *x;
        }
        normalise(row);
    });
    PlantedVectors {
        dims: d,
        data,
        stories,
        topics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn structure_is_planted() {
        let p = planted_vectors(&PlantedConfig {
            articles: 3000,
            ..PlantedConfig::default()
        });
        let row = |i: usize| &p.data[i * p.dims..(i + 1) * p.dims];
        let (mut same, mut topic, mut other) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..600 {
            for j in i + 1..600 {
                let c = dot(row(i), row(j));
                if p.stories[i] == p.stories[j] {
                    same.push(c);
                } else if p.topics[i] == p.topics[j] {
                    topic.push(c);
                } else {
                    other.push(c);
                }
            }
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
        assert!((mean(&same) - 0.8).abs() < 0.05, "{}", mean(&same));
        assert!(mean(&topic) < 0.6 && mean(&topic) > 0.3, "{}", mean(&topic));
        assert!(mean(&other).abs() < 0.05);
        let again = planted_vectors(&PlantedConfig {
            articles: 3000,
            ..PlantedConfig::default()
        });
        assert_eq!(again.data, p.data);
    }
}
