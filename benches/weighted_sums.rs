//! The weighted sums behind the linearised search and the k-medoids start, against
//! faer's `matmul` of comparable shape. `cargo bench --bench weighted_sums`.
//!
//! * vectors: `SquaredEuclidean::weighted_sums` over all `n` candidates (`n × K` out)
//!   computes `Xᵀ A` (`p × K`) and `X_c (Xᵀ A)`: two products of the shape of the
//!   baseline `X · B` (`n × p` times `p × K`), plus `O(nK)` terms; the
//!   `faer_two_products` baseline is the closed form's floor.
//! * precomputed: `Precomputed::weighted_sums` over all candidates is `Dᵀ A`, the
//!   same shape as the baseline `matmul` of an `n × n` by `n × K` matrix.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use faer::{Accum, Mat, Par};
use median_lvq::{Dissimilarity, Precomputed, SquaredEuclidean};
use std::hint::black_box;

mod common;
use common::blobs;

fn vectors(c: &mut Criterion) {
    let mut g = c.benchmark_group("weighted_sums_vectors_n100k_p32");
    g.sample_size(20);
    let n = 100_000;
    let (x, _) = blobs(n, 32);
    let src = SquaredEuclidean::from_ref(x.as_ref()).expect("finite");
    let cands: Vec<usize> = (0..n).collect();
    for kk in [1, 8, 32] {
        let a = Mat::from_fn(n, kk, |i, k| ((i * 7 + k * 3) % 11) as f64 - 5.0);
        let b = Mat::from_fn(32, kk, |i, k| ((i + k) % 5) as f64);
        let mut out = Mat::<f64>::zeros(n, kk);
        g.bench_with_input(BenchmarkId::new("closed_form", kk), &kk, |bch, _| {
            bch.iter(|| src.weighted_sums(&cands, a.as_ref(), out.as_mut()).expect("shapes"))
        });
        g.bench_with_input(BenchmarkId::new("faer_matmul_X_B", kk), &kk, |bch, _| {
            bch.iter(|| faer::linalg::matmul::matmul(out.as_mut(), Accum::Replace, x.as_ref(), b.as_ref(), 1.0, Par::Seq))
        });
        // The closed form's floor: its two products alone (Xᵀ A, then X · (Xᵀ A)).
        let mut xta = Mat::<f64>::zeros(32, kk);
        g.bench_with_input(BenchmarkId::new("faer_two_products", kk), &kk, |bch, _| {
            bch.iter(|| {
                faer::linalg::matmul::matmul(xta.as_mut(), Accum::Replace, x.transpose(), a.as_ref(), 1.0, Par::Seq);
                faer::linalg::matmul::matmul(out.as_mut(), Accum::Replace, x.as_ref(), xta.as_ref(), 1.0, Par::Seq)
            })
        });
        black_box(&out);
    }
    g.finish();
}

fn precomputed(c: &mut Criterion) {
    let mut g = c.benchmark_group("weighted_sums_precomputed_n5000");
    g.sample_size(10);
    let n = 5000;
    let (x, _) = blobs(n, 20);
    let d = Precomputed::squared_euclidean(x.as_ref()).expect("finite");
    let dm = d.as_ref();
    let cands: Vec<usize> = (0..n).collect();
    for kk in [1, 16] {
        let a = Mat::from_fn(n, kk, |i, k| ((i * 7 + k * 3) % 11) as f64 - 5.0);
        let mut out = Mat::<f64>::zeros(n, kk);
        g.bench_with_input(BenchmarkId::new("weighted_sums", kk), &kk, |bch, _| {
            bch.iter(|| d.weighted_sums(&cands, a.as_ref(), out.as_mut()).expect("shapes"))
        });
        g.bench_with_input(BenchmarkId::new("faer_matmul_Dt_A", kk), &kk, |bch, _| {
            bch.iter(|| faer::linalg::matmul::matmul(out.as_mut(), Accum::Replace, dm.transpose(), a.as_ref(), 1.0, Par::rayon(0)))
        });
        black_box(&out);
    }
    g.finish();
}

criterion_group!(benches, vectors, precomputed);
criterion_main!(benches);
