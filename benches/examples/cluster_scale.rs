//! End-to-end story clustering from precomputed vectors at a given scale, and exact
//! top-k GFLOP/s against a measured SGEMM peak, printed as ratios measured in one run.
//!
//! ```text
//! cargo run --release -p recoupe-bench --features similarity --example cluster_scale -- 1000000
//! /usr/bin/time -v target/release/examples/cluster_scale 1000000      # peak RSS
//! cargo run --release -p recoupe-bench --features similarity --example cluster_scale -- --gflops 20000
//! cargo run --release -p recoupe-bench --features similarity --example cluster_scale -- --recall 20000
//! cargo run --release -p recoupe-bench --features similarity --example cluster_scale -- 100000 --neighbourhood
//! ```
//!
//! The corpus builder gets no neighbour lists by default, so the neighbourhood view is
//! off (it needs them). `--neighbourhood` gives it the lists, as `recoupe run` does.
//! The planted vectors come without tokens, so the builder keeps the batch one topic
//! block (blocks need the rare-token view; before it did, the lists with blocks on cut
//! the planted stories apart: ARI 0.09 at 100k).

use std::time::Instant;

use anyhow::Context;
use recoupe_bench::vectors::{planted_vectors, PlantedConfig};
use recoupe_similarity::ndarray::{Array2, ArrayView2};
use recoupe_similarity::{
    cosine, find_stories, hnsw_top_k, ivf_top_k, metrics, recall_at_k, CorpusBuilder, HnswConfig,
    IvfConfig, SimilarityConfig,
};

fn view(data: &[f32], dims: usize) -> anyhow::Result<ArrayView2<'_, f32>> {
    Ok(ArrayView2::from_shape((data.len() / dims, dims), data)?)
}

/// GFLOP/s of two concurrent square SGEMMs (one per core), best of `reps`.
fn sgemm_peak(size: usize, reps: usize) -> f64 {
    let a = Array2::from_shape_fn((size, size), |(i, j)| {
        ((i * 31 + j * 17) % 97) as f32 / 97.0
    });
    let b = a.t().to_owned();
    let threads = rayon::current_num_threads();
    let mut best = 0.0f64;
    for _ in 0..reps {
        let t = Instant::now();
        let out: Vec<f32> = {
            use rayon::prelude::*;
            (0..threads)
                .into_par_iter()
                .map(|_| a.dot(&b)[[0, 0]])
                .collect()
        };
        std::hint::black_box(out);
        let secs = t.elapsed().as_secs_f64();
        best = best.max(2.0 * (size as f64).powi(3) * threads as f64 / secs / 1e9);
    }
    best
}

/// `probes:fine_probes:refine_rounds`, missing parts at their defaults.
fn parse_ivf(spec: &str) -> anyhow::Result<IvfConfig> {
    let parts: Vec<usize> = spec
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("bad --ivf spec {spec:?}"))?;
    let d = IvfConfig::default();
    Ok(IvfConfig {
        probes: parts.first().copied().unwrap_or(d.probes),
        fine_probes: parts.get(1).copied().unwrap_or(d.fine_probes),
        refine_rounds: parts.get(2).copied().unwrap_or(d.refine_rounds),
        ..d
    })
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args
        .iter()
        .find(|a| a.starts_with("--"))
        .cloned()
        .unwrap_or_default();
    // The article count is the first argument that is a number (`--ivf 4:8:1` is not).
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    // `--ivf 2:4:0,4:8:1`: IVF settings `probes:fine_probes:refine_rounds` (missing
    // parts keep their defaults); the end-to-end run uses the first.
    let ivf_specs: Vec<IvfConfig> = match args.iter().position(|a| a == "--ivf") {
        Some(i) => args
            .get(i + 1)
            .context("--ivf needs a list")?
            .split(',')
            .map(parse_ivf)
            .collect::<anyhow::Result<_>>()?,
        None => vec![IvfConfig::default()],
    };
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let mut planted = planted_vectors(&PlantedConfig {
        articles: n,
        ..PlantedConfig::default()
    });
    if args.iter().any(|a| a == "--shuffle") {
        // Rows come in story order; `--shuffle` permutes them (fixed seed) so a story's
        // rows are scattered, as in a real batch.
        let d = planted.dims;
        let mut order: Vec<usize> = (0..n).collect();
        let mut state = 0x5eed_u64;
        for i in (1..n).rev() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            order.swap(i, (state >> 33) as usize % (i + 1));
        }
        let mut data = vec![0.0f32; n * d];
        for (to, &from) in order.iter().enumerate() {
            data[to * d..(to + 1) * d].copy_from_slice(&planted.data[from * d..(from + 1) * d]);
        }
        planted.stories = order.iter().map(|&i| planted.stories[i]).collect();
        planted.topics = order.iter().map(|&i| planted.topics[i]).collect();
        planted.data = data;
    }
    let v = view(&planted.data, planted.dims)?;
    println!(
        "generated {n} x {} planted vectors in {:.2} s ({threads} threads)",
        planted.dims,
        t.elapsed().as_secs_f64()
    );

    match mode.as_str() {
        "--gflops" => {
            // Interleaved: peak, top-k, peak, top-k, ... same process, same inputs.
            let flops = 2.0 * (n as f64).powi(2) * planted.dims as f64;
            for round in 0..3 {
                let peak = sgemm_peak(1024, 3);
                let t = Instant::now();
                let nn = cosine::exact_top_k(v, 20, -1.0)?;
                let secs = t.elapsed().as_secs_f64();
                std::hint::black_box(nn);
                let achieved = flops / secs / 1e9;
                println!(
                    "round {round}: SGEMM peak {peak:.1} GFLOP/s, exact top-20 of {n}: {secs:.2} s = {achieved:.1} GFLOP/s = {:.0}% of peak",
                    100.0 * achieved / peak
                );
            }
        }
        "--recall" => {
            let t = Instant::now();
            // Neighbours that matter for clustering: cosine >= 0.5 (planted stories are at
            // about 0.8 inside, 0.4 across stories of one topic).
            let exact = cosine::exact_top_k(v, 10, 0.5)?;
            let exact_secs = t.elapsed().as_secs_f64();
            // (name, recall, seconds), printed once the exact path has been timed again
            // after them: the ratios use the mean of the two exact timings.
            let mut runs: Vec<(String, f64, f64)> = Vec::new();
            if !args.iter().any(|a| a == "--no-hnsw") {
                let t = Instant::now();
                let hnsw = hnsw_top_k(v, 10, 0.5, &HnswConfig::default())?;
                let secs = t.elapsed().as_secs_f64();
                runs.push(("hnsw".into(), recall_at_k(&exact, &hnsw), secs));
            }
            for c in &ivf_specs {
                let t = Instant::now();
                let ivf = ivf_top_k(v, 10, 0.5, c)?;
                let secs = t.elapsed().as_secs_f64();
                let name = format!("ivf {}:{}:{}", c.probes, c.fine_probes, c.refine_rounds);
                runs.push((name, recall_at_k(&exact, &ivf), secs));
            }
            let t = Instant::now();
            std::hint::black_box(cosine::exact_top_k(v, 10, 0.5)?);
            let again_secs = t.elapsed().as_secs_f64();
            let mean = 0.5 * (exact_secs + again_secs);
            println!("exact top-10 of {n}: {exact_secs:.2} s before, {again_secs:.2} s after");
            for (name, recall, secs) in runs {
                println!(
                    "{name}: recall@10 {recall:.4} in {secs:.2} s = {:.1}x faster than exact",
                    mean / secs
                );
            }
        }
        _ => {
            // `--neighbourhood`: the corpus gets the neighbour lists, as `recoupe run`
            // builds it, so the neighbourhood view is on (see the module docs).
            let with_neighbours = args.iter().any(|a| a == "--neighbourhood");
            let config = SimilarityConfig {
                neighbours: 10,
                ..SimilarityConfig::default()
            };
            let total = Instant::now();
            let t = Instant::now();
            let nn = if mode == "--exact" {
                cosine::exact_top_k(v, config.neighbours, config.min_cosine)?
            } else {
                ivf_top_k(v, config.neighbours, config.min_cosine, &ivf_specs[0])?
            };
            let knn_secs = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let mut builder = CorpusBuilder::new(v).config(config);
            if with_neighbours {
                builder = builder.neighbours(&nn);
            }
            let corpus = builder.build()?;
            let stories = find_stories(&corpus, &nn)?;
            let cluster_secs = t.elapsed().as_secs_f64();
            let total_secs = total.elapsed().as_secs_f64();
            let scores = metrics::evaluate(&stories.clustering.labels, &planted.stories)
                .context("metrics")?;
            println!(
                "{n} articles: neighbours ({}) {knn_secs:.2} s + scoring/clustering {cluster_secs:.2} s = {total_secs:.2} s ({:.0} articles/s); {} stories (planted {}), ARI {:.4}, B3-F1 {:.4}",
                if mode == "--exact" {
                    "exact".to_string()
                } else {
                    let c = &ivf_specs[0];
                    format!("ivf {}:{}:{}", c.probes, c.fine_probes, c.refine_rounds)
                },
                n as f64 / total_secs,
                scores.predicted_clusters,
                scores.gold_clusters,
                scores.ari,
                scores.b_cubed.f1
            );
        }
    }
    Ok(())
}
