//! Full fits on seeded synthetic data: precomputed matrices (f32, f64) and vectors.
//! `cargo bench --bench fit`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::Mat;
use median_lvq::{Float, MedianLvqParams, Precomputed, Search, SquaredEuclidean};
use std::hint::black_box;

mod common;
use common::blobs;

fn precomputed<F: Float>(c: &mut Criterion, name: &str) {
    let mut g = c.benchmark_group(format!("fit_precomputed_{name}"));
    g.sample_size(10);
    for n in [1000, 2000, 5000] {
        let (x, y) = blobs(n, 20);
        let xf = Mat::from_fn(n, 20, |i, j| F::from_f64(x[(i, j)]));
        let d = Precomputed::squared_euclidean(xf.as_ref()).expect("finite data");
        let params = MedianLvqParams::<F>::new().prototypes_per_class(3).check().expect("valid");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| black_box(params.fit(&d, &y).expect("fit"))));
    }
    g.finish();
}

fn vectors(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit_vectors_linearised_f64");
    g.sample_size(10);
    for n in [10_000, 100_000] {
        let (x, y) = blobs(n, 32);
        let src = SquaredEuclidean::from_ref(x.as_ref()).expect("finite data");
        let params =
            MedianLvqParams::<f64>::new().prototypes_per_class(3).search(Search::Linearised { checked: 8 }).check().expect("valid");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| black_box(params.fit(&src, &y).expect("fit"))));
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    precomputed::<f64>(c, "f64");
    precomputed::<f32>(c, "f32");
    vectors(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
