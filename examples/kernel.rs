//! A Gaussian RBF kernel source on vector data, with prediction for new vectors.
//!
//! `cargo run --release --example kernel`: iris (shipped in the crate), standardised
//! with the training part, `d(x, y) = κ(x,x) + κ(y,y) − 2κ(x,y) = 2 − 2 exp(−γ‖x−y‖²)`.

use median_lvq::{Error, KernelSource, MedianLvqParams, Standardizer, accuracy, datasets, kernels, stratified_splits};

fn main() -> Result<(), Error> {
    let iris = datasets::iris::<f64>();
    let split = stratified_splits(&iris.labels, 1, 0.2, 0)?.remove(0);
    let z = Standardizer::fit(iris.features.as_ref(), &split.train)?.transform(iris.features.as_ref())?;
    let row = |i: usize| (0..z.ncols()).map(|j| z[(i, j)]).collect::<Vec<f64>>();
    let train: Vec<Vec<f64>> = split.train.iter().map(|&i| row(i)).collect();
    let new: Vec<Vec<f64>> = split.test.iter().map(|&i| row(i)).collect();
    let y: Vec<usize> = split.train.iter().map(|&i| iris.labels[i]).collect();
    let truth: Vec<usize> = split.test.iter().map(|&i| iris.labels[i]).collect();

    for gamma in [0.05, 0.2, 1.0] {
        let source = KernelSource::new(&train, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, gamma))?;
        let model = MedianLvqParams::new().prototypes_per_class(2).fit(&source, &y)?;
        // New vectors: kernel values to the prototype vectors only.
        let kernel = |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, gamma);
        let predicted = model.with_items(&train)?.predict_with_kernel(&new, kernel)?;
        let acc = accuracy(&predicted.labels, &truth)?;
        let sure = predicted.confidence.iter().filter(|&&c| c > 0.5).count();
        println!("gamma {gamma}: held-out accuracy {acc:.3}; {sure} of {} predictions with confidence > 0.5", truth.len());
    }
    Ok(())
}
