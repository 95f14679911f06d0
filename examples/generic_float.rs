//! One function generic over the float type, run in `f32` and `f64`.
//!
//! `cargo run --release --example generic_float`: the wine data shipped in the
//! crate; prints the held-out accuracy, final cost and fit time of both precisions.

use faer::Mat;
use median_lvq::{Error, Float, MedianLvqParams, SquaredEuclidean, Standardizer, Subset, accuracy, datasets, stratified_splits};
use std::time::Instant;

/// Trains on one split of `x` and returns (accuracy, cost, seconds): the same code
/// for any `F: Float` (`f32` or `f64`).
fn train_and_score<F: Float>(x: &Mat<f64>, labels: &[usize]) -> Result<(f64, f64, f64), Error> {
    let split = stratified_splits(labels, 1, 0.2, 0)?.remove(0);
    let xf = Mat::from_fn(x.nrows(), x.ncols(), |i, j| F::from_f64(x[(i, j)]));
    let z = Standardizer::fit(xf.as_ref(), &split.train)?.transform(xf.as_ref())?;
    let vectors = SquaredEuclidean::from_ref(z.as_ref())?;
    let train = Subset::new(&vectors, split.train.clone())?;
    let y: Vec<usize> = split.train.iter().map(|&i| labels[i]).collect();
    let start = Instant::now();
    let model = MedianLvqParams::<F>::new().prototypes_per_class(3).fit(&train, &y)?;
    let seconds = start.elapsed().as_secs_f64();
    let predicted = model.predict_objects(&vectors, &split.test)?;
    let truth: Vec<usize> = split.test.iter().map(|&i| labels[i]).collect();
    Ok((accuracy(&predicted.labels, &truth)?, model.cost(), seconds))
}

fn main() -> Result<(), Error> {
    let wine = datasets::wine::<f64>();
    for (name, (acc, cost, seconds)) in
        [("f32", train_and_score::<f32>(&wine.features, &wine.labels)?), ("f64", train_and_score::<f64>(&wine.features, &wine.labels)?)]
    {
        println!("{name}: held-out accuracy {acc:.3}, final cost {cost:.5}, fit {:.2} ms", seconds * 1e3);
    }
    Ok(())
}
