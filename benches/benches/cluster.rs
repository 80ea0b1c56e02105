//! Story clustering from precomputed vectors: exact top-k (with an SGEMM reference of
//! the same machine), the IVF neighbour search, and end to end at 10k and 100k
//! articles, without and with the neighbourhood view. The 1M run is `examples/cluster_scale.rs` (one iteration takes too long for
//! criterion's sampling).
//!
//! `cargo bench -p recoupe-bench --features similarity --bench cluster`

#![expect(missing_docs, reason = "criterion_group! generates an undocumented fn")]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use recoupe_bench::vectors::{planted_vectors, PlantedConfig};
use recoupe_similarity::ndarray::{Array2, ArrayView2};
use recoupe_similarity::{
    cosine, find_stories, ivf_top_k, CorpusBuilder, IvfConfig, SimilarityConfig,
};

fn corpus(n: usize) -> recoupe_bench::vectors::PlantedVectors {
    planted_vectors(&PlantedConfig {
        articles: n,
        ..PlantedConfig::default()
    })
}

fn sgemm_reference(c: &mut Criterion) {
    // Same shape as one block product of the exact top-k (256 x 384 times 384 x 2048),
    // and a square 1024^3 product; throughput in flops.
    let mut group = c.benchmark_group("sgemm");
    for (m, k, n) in [(256usize, 384usize, 2048usize), (1024, 1024, 1024)] {
        let a = Array2::from_shape_fn((m, k), |(i, j)| ((i + 3 * j) % 13) as f32);
        let b = Array2::from_shape_fn((k, n), |(i, j)| ((2 * i + j) % 11) as f32);
        group.throughput(Throughput::Elements((2 * m * k * n) as u64));
        group.bench_function(
            BenchmarkId::from_parameter(format!("{m}x{k}x{n}")),
            |bench| bench.iter(|| a.dot(&b)),
        );
    }
    group.finish();
}

fn exact_top_k(c: &mut Criterion) {
    let mut group = c.benchmark_group("exact_top_k");
    group.sample_size(10);
    let n = 10_000;
    let p = corpus(n);
    let v = ArrayView2::from_shape((n, p.dims), &p.data).unwrap_or_else(|e| panic!("{e}"));
    // Elements = multiply-adds x 2 (flops), so criterion's rate is flop/s.
    group.throughput(Throughput::Elements((2 * n * n * p.dims) as u64));
    group.bench_function(BenchmarkId::from_parameter(n), |bench| {
        bench.iter(|| cosine::exact_top_k(v, 20, -1.0))
    });
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("cluster_end_to_end");
    group.sample_size(10);
    // `plain`: the corpus builder gets no neighbour lists (no neighbourhood view);
    // `neighbourhood`: it gets them, as the pipeline's does (the planted vectors have no
    // tokens, so the batch stays one topic block; see `examples/cluster_scale.rs`).
    for n in [10_000usize, 100_000] {
        let p = corpus(n);
        let v = ArrayView2::from_shape((n, p.dims), &p.data).unwrap_or_else(|e| panic!("{e}"));
        for with_neighbours in [false, true] {
            let config = SimilarityConfig {
                neighbours: 10,
                ..SimilarityConfig::default()
            };
            let name = if with_neighbours {
                "neighbourhood"
            } else {
                "plain"
            };
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(BenchmarkId::new(name, n), |bench| {
                bench.iter(|| {
                    let nn = ivf_top_k(
                        v,
                        config.neighbours,
                        config.min_cosine,
                        &IvfConfig::default(),
                    )?;
                    let mut builder = CorpusBuilder::new(v).config(config.clone());
                    if with_neighbours {
                        builder = builder.neighbours(&nn);
                    }
                    find_stories(&builder.build()?, &nn)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, sgemm_reference, exact_top_k, end_to_end);
criterion_main!(benches);
