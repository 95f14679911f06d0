//! Full fits on seeded synthetic data: precomputed matrices (f32, f64) and vectors.
//! `cargo bench --bench fit`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::Mat;
use median_lvq::{Float, MedianLvqParams, Precomputed, Search, SquaredEuclidean};
use std::hint::black_box;

/// `n` points in `p` dimensions around 5 class centres, from a fixed LCG seed.
fn blobs(n: usize, p: usize) -> (Mat<f64>, Vec<usize>) {
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut r = move || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let centres: Vec<Vec<f64>> = (0..5).map(|_| (0..p).map(|_| 2.0 * r()).collect()).collect();
    let y: Vec<usize> = (0..n).map(|i| i % 5).collect();
    let x = Mat::from_fn(n, p, |i, j| centres[y[i]][j] + 1.5 * (r() + r() + r()));
    (x, y)
}

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
