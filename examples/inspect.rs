//! Reading a fitted model: prototype statistics, class probabilities, the
//! accuracy-coverage curve and a reject threshold, and a picture of it all.
//!
//! `cargo run --release --example inspect [-- PATH.svg]`: iris (shipped in the
//! crate), standardised with the training part, two prototypes per class, trained
//! on half the flowers. Writes `inspect.svg` (or PATH): the map of the flowers and
//! prototypes from their dissimilarities alone (`PrototypeMap`), and the
//! accuracy-coverage curve with the suggested threshold.

mod common;

use common::plot;
use median_lvq::{CoverageCurve, MedianLvqParams, PrototypeMap, SquaredEuclidean, Standardizer, Subset, datasets, stratified_splits};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iris = datasets::iris::<f64>();
    let names = ["setosa", "versicolor", "virginica"];
    let labels: Vec<&str> = iris.labels.iter().map(|&l| names[l]).collect();
    let split = stratified_splits(&labels, 1, 0.5, 0)?.remove(0);
    let z = Standardizer::fit(iris.features.as_ref(), &split.train)?.transform(iris.features.as_ref())?;
    let vectors = SquaredEuclidean::from_ref(z.as_ref())?;
    let train = Subset::new(&vectors, split.train.clone())?;
    let y: Vec<&str> = split.train.iter().map(|&i| labels[i]).collect();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&train, &y)?;

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
    let suggested = curve.threshold_for_accuracy(0.97);
    match suggested {
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

    // The picture: every flower placed from its dissimilarities to the prototypes.
    let among = model.predict_objects(&vectors, model.prototype_indices())?.dissimilarities;
    let map = PrototypeMap::new(&among)?;
    let seen = model.predict_objects(&vectors, &split.train)?;
    let class_of = |l: &str| model.classes().iter().position(|c| *c == l).unwrap_or(0);
    let mut points = Vec::new();
    for (p, objects, held_out) in [(&seen, &split.train, false), (&pred, &split.test, true)] {
        let xy = map.place(&p.dissimilarities)?;
        for (r, &i) in objects.iter().enumerate() {
            let misclassified = p.labels[r] != labels[i];
            points.push(plot::Point { x: xy[(r, 0)], y: xy[(r, 1)], class: class_of(labels[i]), held_out, misclassified });
        }
    }
    let prototypes: Vec<plot::Proto> = (0..parents.len())
        .map(|k| plot::Proto {
            x: map.prototypes()[(k, 0)],
            y: map.prototypes()[(k, 1)],
            class: class_of(model.prototype_labels()[k]),
            label: format!("flower {}", parents[k]),
        })
        .collect();
    let classes: Vec<String> = model.classes().iter().map(|c| c.to_string()).collect();
    let path = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("inspect.svg"));
    plot::write_svg(
        &path,
        &plot::Picture {
            title: "Iris: held-out flowers (full), training flowers (pale), prototypes",
            classes: &classes,
            points: &points,
            prototypes: &prototypes,
            explained: map.explained(),
            negative: map.negative_share(),
            curve: Some(plot::Curve {
                points: curve.points().iter().map(|q| (q.coverage, q.accuracy)).collect(),
                suggested: suggested.map(|q| (q.coverage, q.accuracy, q.threshold)),
            }),
        },
    )?;
    println!("\nwrote {}: the map (the two axes keep {:.0} % of the variance) and the curve", path.display(), 100.0 * map.explained());
    Ok(())
}
