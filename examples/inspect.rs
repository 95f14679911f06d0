//! Reading a fitted model: prototype statistics, class probabilities, the
//! accuracy-coverage curve and a reject threshold.
//!
//! `cargo run --release --example inspect`: iris (shipped in the crate), standardised
//! with the training part, one prototype per class, trained on half the flowers.

use median_lvq::{CoverageCurve, Error, MedianLvqParams, SquaredEuclidean, Standardizer, Subset, datasets, stratified_splits};

fn main() -> Result<(), Error> {
    let iris = datasets::iris::<f64>();
    let names = ["setosa", "versicolor", "virginica"];
    let labels: Vec<&str> = iris.labels.iter().map(|&l| names[l]).collect();
    let split = stratified_splits(&labels, 1, 0.5, 0)?.remove(0);
    let z = Standardizer::fit(iris.features.as_ref(), &split.train)?.transform(iris.features.as_ref())?;
    let vectors = SquaredEuclidean::from_ref(z.as_ref())?;
    let train = Subset::new(&vectors, split.train.clone())?;
    let y: Vec<&str> = split.train.iter().map(|&i| labels[i]).collect();
    let model = MedianLvqParams::new().prototypes_per_class(1).fit(&train, &y)?;

    // Everything below comes from one prediction (its dissimilarities to the
    // prototypes, labels, confidence and probabilities).
    let pred = model.predict_objects(&vectors, &split.test)?;
    let d = &pred.dissimilarities;
    let parents = model.prototype_indices();
    let truth: Vec<&str> = split.test.iter().map(|&i| labels[i]).collect();

    println!("Prototypes on {} held-out flowers (cost: sum of mu over the flowers it wins; lower is better)", truth.len());
    println!("{:>5} {:>6} {:<11} {:>5} {:>8} {:>8}", "proto", "object", "label", "wins", "correct", "cost");
    let stats = model.prototype_statistics(d.as_ref(), &truth)?;
    for (k, s) in stats.iter().enumerate() {
        println!("{k:>5} {:>6} {:<11} {:>5} {:>8} {:>8.3}", parents[k], model.prototype_labels()[k], s.wins, s.correct, s.cost);
    }

    let p = &pred.probabilities;
    let mut least_sure: Vec<usize> = (0..truth.len()).collect();
    least_sure.sort_by(|&a, &b| pred.confidence[a].total_cmp(&pred.confidence[b]));
    println!("\nClass probabilities of the 4 least confident held-out flowers ({:?}):", model.classes());
    for &r in least_sure.iter().take(4) {
        println!(
            "  flower {:>3} ({}, predicted {}): {:.3} {:.3} {:.3}",
            split.test[r],
            truth[r],
            pred.labels[r],
            p[(r, 0)],
            p[(r, 1)],
            p[(r, 2)]
        );
    }

    let correct: Vec<bool> = pred.labels.iter().zip(&truth).map(|(a, b)| a == b).collect();
    let curve = CoverageCurve::new(&pred.confidence, &correct)?;
    println!("\nAccuracy-coverage curve (every 5th point):");
    println!("{:>9} {:>8} {:>8}", "threshold", "coverage", "accuracy");
    let points = curve.points();
    for q in points.iter().step_by(5).chain(points.last()) {
        println!("{:>9.3} {:>8.3} {:>8.3}", q.threshold, q.coverage, q.accuracy);
    }
    match curve.threshold_for_accuracy(0.97) {
        Some(q) => {
            println!(
                "\nReject below confidence {:.3}: accuracy {:.3} on the {:.0} % accepted",
                q.threshold,
                q.accuracy,
                100.0 * q.coverage
            );
            let with_reject = pred.with_reject(q.threshold)?;
            println!("rejected: {} of {}", with_reject.iter().filter(|l| l.is_none()).count(), truth.len());
        }
        None => println!("\nNo threshold reaches accuracy 0.97"),
    }
    Ok(())
}
