//! Median GLVQ inside a linfa workflow: a `Dataset` of vectors, linfa's `Fit` and
//! `Predict`, linfa's confusion matrix.
//!
//! `cargo run --release --example linfa_workflow --features linfa`: iris (shipped
//! in the crate), standardised with the training part, 2 prototypes per class.

use linfa::prelude::*;
use median_lvq::{MedianLvqParams, Standardizer, datasets, stratified_splits};
use ndarray::{Array1, Array2};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iris = datasets::iris::<f64>();
    let split = stratified_splits(&iris.labels, 1, 0.2, 0)?.remove(0);
    let z = Standardizer::fit(&iris.features, &split.train)?.transform(&iris.features)?;
    let part = |rows: &[usize]| {
        let x = Array2::from_shape_fn((rows.len(), z.ncols()), |(r, j)| z[(rows[r], j)]);
        Dataset::new(x, rows.iter().map(|&i| iris.labels[i]).collect::<Array1<usize>>())
    };
    let (train, valid) = (part(&split.train), part(&split.test));

    // linfa's traits by path: the crate's own `fit`/`predict` share their names.
    let params = MedianLvqParams::new().prototypes_per_class(2);
    let model = Fit::fit(&params, &train)?;
    let predicted: Array1<usize> = Predict::predict(&model, valid.records())?;
    let cm = predicted.confusion_matrix(&valid)?;
    println!("{cm:?}");
    println!("held-out accuracy {:.3} (linfa's confusion matrix), {} prototype flowers kept", cm.accuracy(), model.objects().len());
    Ok(())
}
