//! Quickstart: median GLVQ on Fisher's iris (shipped inside the crate).
//!
//! Run with `cargo run --release --example quickstart`. It standardises the features
//! with the training part's mean and deviation, builds squared Euclidean
//! dissimilarities, trains two prototypes per class on 80 % of the flowers and
//! reports the accuracy on the held-out 20 % and the chosen prototypes: real flowers.

use median_lvq::{MedianLvqParams, Precomputed, Standardizer, Subset, accuracy, datasets, stratified_splits};

fn main() -> Result<(), median_lvq::Error> {
    let iris = datasets::iris::<f64>();
    let names = ["setosa", "versicolor", "virginica"];
    let p = iris.features.ncols();
    let split = stratified_splits(&iris.labels, 1, 0.2, 0)?.remove(0);

    // z-scores with the training part's statistics only.
    let z = Standardizer::fit(iris.features.as_ref(), &split.train)?.transform(iris.features.as_ref())?;
    let d = Precomputed::squared_euclidean(z.as_ref())?;

    // Train on the training objects only, through a view that copies nothing.
    let train = Subset::new(&d, split.train.clone())?;
    let labels: Vec<&str> = split.train.iter().map(|&i| names[iris.labels[i]]).collect();
    let model = MedianLvqParams::new().prototypes_per_class(2).n_init(4).seed(0).fit(&train, &labels)?;

    // Classify held-out flowers from their dissimilarities to the prototypes only
    // (prototype indices number the flowers of `d`: the subset's origin).
    let predicted = model.predict_objects(&d, &split.test)?;
    let truth: Vec<&str> = split.test.iter().map(|&i| names[iris.labels[i]]).collect();
    println!(
        "median GLVQ on iris: {} training flowers, {} held out, {} sweeps, {} jumps, stopped: {:?}",
        split.train.len(),
        split.test.len(),
        model.sweeps(),
        model.jumps(),
        model.termination()
    );
    println!("held-out accuracy: {:.3}", accuracy(&predicted.labels, &truth)?);
    println!("prototypes (real flowers; sepal length, sepal width, petal length, petal width in cm):");
    for (&object, label) in model.prototype_indices().iter().zip(model.prototype_labels()) {
        let x: Vec<String> = (0..p).map(|j| format!("{:.1}", iris.features[(object, j)])).collect();
        println!("  flower #{object:>3}  {label:<10}  [{}]", x.join(", "));
    }
    Ok(())
}
