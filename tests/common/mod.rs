//! Shared helpers of the integration tests: reading `../shared/data` and scoring.
#![allow(dead_code)]

use faer::Mat;
use median_lvq::{MedianLvqParams, Precomputed, Subset, accuracy, stratified_splits};
use std::path::PathBuf;

pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name)
}

/// Whether the project's data sets are beside the checkout (`../shared/data`):
/// they are in the repository's CI, not in the published package, whose tests
/// then skip what needs them, saying so.
pub fn shared_data_or_skip(test: &str) -> bool {
    let here = data_path("README.md").is_file();
    if !here {
        println!("{test}: skipped: ../shared/data is not beside the crate (the published package has only the data sets in data/)");
    }
    here
}

/// Reads a label-first CSV: labels and rows.
pub fn read_csv(name: &str) -> (Vec<i64>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e} (tests need ../shared/data)"));
    let mut labels = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut it = line.split(',');
        labels.push(it.next().unwrap().trim().parse::<f64>().unwrap() as i64);
        rows.push(it.map(|v| v.trim().parse::<f64>().unwrap()).collect());
    }
    (labels, rows)
}

/// `d = 1 − s` from a similarity file.
pub fn similarity_dissimilarity(name: &str) -> (Vec<i64>, Mat<f64>) {
    let (labels, rows) = read_csv(name);
    let n = labels.len();
    let s = Mat::from_fn(n, n, |i, j| rows[i][j]);
    (labels, s)
}

/// Squared Euclidean matrix of rows standardised with the mean and deviation of `fit_rows`.
pub fn standardised_sq_euclidean(rows: &[Vec<f64>], fit_rows: &[usize]) -> Mat<f64> {
    let p = rows[0].len();
    let m = fit_rows.len() as f64;
    let mean: Vec<f64> = (0..p).map(|j| fit_rows.iter().map(|&i| rows[i][j]).sum::<f64>() / m).collect();
    let sd: Vec<f64> = (0..p)
        .map(|j| {
            let v = fit_rows.iter().map(|&i| (rows[i][j] - mean[j]).powi(2)).sum::<f64>() / m;
            if v > 0.0 { v.sqrt() } else { 1.0 }
        })
        .collect();
    let z: Vec<Vec<f64>> = rows.iter().map(|r| (0..p).map(|j| (r[j] - mean[j]) / sd[j]).collect()).collect();
    let n = rows.len();
    Mat::from_fn(n, n, |i, j| (0..p).map(|t| (z[i][t] - z[j][t]).powi(2)).sum())
}

pub enum Data {
    /// A fixed dissimilarity matrix.
    Matrix(Mat<f64>),
    /// Vectors, standardised per split with the training part.
    Vectors(Vec<Vec<f64>>),
}

/// Mean held-out accuracy over `splits` stratified 80/20 splits (seed 0).
pub fn mean_accuracy(data: &Data, labels: &[i64], params: &MedianLvqParams<f64>, splits: usize) -> f64 {
    let valid = params.check().unwrap();
    let mut accs = Vec::new();
    for split in stratified_splits(labels, splits, 0.2, 0).unwrap() {
        let owned;
        let d = match data {
            Data::Matrix(m) => Precomputed::from_ref(m.as_ref()).unwrap(),
            Data::Vectors(rows) => {
                owned = standardised_sq_euclidean(rows, &split.train);
                Precomputed::from_ref(owned.as_ref()).unwrap()
            }
        };
        let train = Subset::new(&d, split.train.clone()).unwrap();
        let y: Vec<i64> = split.train.iter().map(|&i| labels[i]).collect();
        let model = valid.fit(&train, &y).unwrap();
        // Prototype indices number the objects of `d` (the subset's origin).
        let pred = model.predict_objects(&d, &split.test).unwrap();
        let truth: Vec<i64> = split.test.iter().map(|&i| labels[i]).collect();
        accs.push(accuracy(&pred.labels, &truth).unwrap());
    }
    accs.iter().sum::<f64>() / accs.len() as f64
}

/// Seeded uniforms in `[0, 1)` (xorshift) for the tests' random problems.
pub fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}
