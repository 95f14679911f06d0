//! Seeded synthetic data (5 classes, 3 prototypes per class, one fit): full fits on
//! precomputed matrices (f32, f64) and vectors (10k, 100k, 1M rows), one sweep and the E-step alone
//! (timed inside training through the observer), and a kernel source.
//! `cargo bench --bench fit`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::Mat;
use median_lvq::{Float, Init, KernelSource, MedianLvqParams, Precomputed, Progress, ProgressEvent, Search, SquaredEuclidean, kernels};
use std::hint::black_box;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::Duration;

mod common;
use common::blobs;

const SIZES: [usize; 4] = [1000, 2000, 5000, 10_000];

fn matrix<F: Float>(n: usize) -> (Precomputed<'static, F>, Vec<usize>) {
    let (x, y) = blobs(n, 20);
    let xf = Mat::from_fn(n, 20, |i, j| F::from_f64(x[(i, j)]));
    (Precomputed::squared_euclidean(xf.as_ref()).expect("finite data"), y)
}

fn precomputed<F: Float>(c: &mut Criterion, name: &str) {
    let mut g = c.benchmark_group(format!("fit_precomputed_{name}"));
    g.sample_size(10);
    for n in SIZES {
        let (d, y) = matrix::<F>(n);
        let params = MedianLvqParams::<F>::new().prototypes_per_class(3).n_init(1).check().expect("valid");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| black_box(params.fit(&d, &y).expect("fit"))));
    }
    g.finish();
}

/// The E-step (state from given prototypes) and the first sweep, timed by the
/// observer: `Started` comes right after the E-step, the first `Sweep` after one
/// sweep. The start is fixed (the first 3 objects of each class) so every sample
/// does the same work.
fn sweep_and_estep<F: Float>(c: &mut Criterion, name: &str) {
    let mut g = c.benchmark_group(format!("sweep_precomputed_{name}"));
    g.sample_size(10);
    for n in SIZES {
        let (d, y) = matrix::<F>(n);
        let start: Vec<usize> = (0..15).collect(); // labels cycle 0..5
        let params = MedianLvqParams::<F>::new().init(Init::Given(start)).max_sweeps(1).check().expect("valid");
        let timed = |want_sweep: bool| {
            let marks = Mutex::new((Duration::ZERO, Duration::ZERO));
            let watch = |p: &Progress<F>| {
                if let Ok(mut m) = marks.lock() {
                    match p.event {
                        ProgressEvent::Started => m.0 = p.elapsed,
                        ProgressEvent::Sweep => m.1 = p.elapsed,
                        _ => {}
                    }
                }
                ControlFlow::Continue(())
            };
            black_box(params.fit_observed(&d, &y, &watch).expect("fit"));
            let (started, swept) = marks.into_inner().unwrap_or_default();
            if want_sweep { swept.saturating_sub(started) } else { started }
        };
        g.bench_with_input(BenchmarkId::new("one_sweep", n), &n, |b, _| b.iter_custom(|iters| (0..iters).map(|_| timed(true)).sum()));
        g.bench_with_input(BenchmarkId::new("e_step", n), &n, |b, _| b.iter_custom(|iters| (0..iters).map(|_| timed(false)).sum()));
    }
    g.finish();
}

fn vectors(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit_vectors_linearised_f64");
    g.sample_size(10);
    for n in [10_000, 100_000, 1_000_000] {
        let (x, y) = blobs(n, 32);
        let src = SquaredEuclidean::from_ref(x.as_ref()).expect("finite data");
        let params = MedianLvqParams::<f64>::new()
            .prototypes_per_class(3)
            .n_init(1)
            .search(Search::Linearised { checked: 8 })
            .check()
            .expect("valid");
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| black_box(params.fit(&src, &y).expect("fit"))));
    }
    g.finish();
}

/// An RBF kernel over 5,000 rows of 20 features: the kernel is evaluated lazily.
fn kernel(c: &mut Criterion) {
    let mut g = c.benchmark_group("fit_kernel_rbf_f64");
    g.sample_size(10);
    let n = 5000;
    let (x, y) = blobs(n, 20);
    let rows: Vec<Vec<f64>> = (0..n).map(|i| (0..20).map(|j| x[(i, j)]).collect()).collect();
    let src = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.05)).expect("finite");
    let params = MedianLvqParams::<f64>::new().prototypes_per_class(3).n_init(1).check().expect("valid");
    g.bench_function(BenchmarkId::from_parameter(n), |b| b.iter(|| black_box(params.fit(&src, &y).expect("fit"))));
    g.finish();
}

fn all(c: &mut Criterion) {
    precomputed::<f64>(c, "f64");
    precomputed::<f32>(c, "f32");
    sweep_and_estep::<f64>(c, "f64");
    sweep_and_estep::<f32>(c, "f32");
    vectors(c);
    kernel(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
