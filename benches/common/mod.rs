//! Seeded synthetic data shared by the benches.
#![allow(dead_code)]

use faer::Mat;

/// `n` points in `p` dimensions around 5 class centres, from a fixed LCG seed.
pub fn blobs(n: usize, p: usize) -> (Mat<f64>, Vec<usize>) {
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
