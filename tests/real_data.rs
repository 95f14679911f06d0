//! Accuracy on the real data sets in `../shared/data`, against the proto-dist-ml
//! figures of ALGORITHM.md: mean over 20 stratified 80/20 splits, 1–3 prototypes per class.

mod common;
use common::*;
use faer::Mat;
use median_lvq::MedianLvqParams;

/// proto-dist-ml `MGLVQ` figures (ALGORITHM.md), K = 1, 2, 3.
const SONAR: [f64; 3] = [0.760, 0.778, 0.760];
const PROTEIN: [f64; 3] = [0.883, 0.929, 0.942];
const IRIS: [f64; 3] = [0.893, 0.938, 0.958];
/// Wine K=2 is given as 0.953–0.958 there: the midpoint.
const WINE: [f64; 3] = [0.951, 0.9555, 0.955];
const BREAST_CANCER: [f64; 3] = [0.914, 0.918, 0.922];

fn one_minus(name: &str) -> (Vec<i64>, Data) {
    let (labels, s) = similarity_dissimilarity(name);
    let d = Mat::from_fn(s.nrows(), s.ncols(), |i, j| 1.0 - s[(i, j)]);
    (labels, Data::Matrix(d))
}

#[test]
fn accuracy_on_the_shipped_sets_matches_the_reference() {
    if !shared_data_or_skip("accuracy_on_the_shipped_sets_matches_the_reference") {
        return;
    }
    let vectors = |name: &str| {
        let (labels, rows) = read_csv(name);
        (labels, Data::Vectors(rows))
    };
    let sets = [
        ("aural sonar", one_minus("aural_sonar.similarity.csv"), SONAR),
        ("protein", one_minus("protein.similarity.csv"), PROTEIN),
        ("iris", vectors("iris.vectors.csv"), IRIS),
        ("wine", vectors("wine.vectors.csv"), WINE),
        ("breast cancer", vectors("breast_cancer.vectors.csv"), BREAST_CANCER),
    ];
    let rows = (sets.len() * 3) as f64;
    let (mut ours, mut reference) = (0.0, 0.0);
    for (name, (labels, data), refs) in &sets {
        for k in 1..=3 {
            let acc = mean_accuracy(data, labels, &MedianLvqParams::new().prototypes_per_class(k), 20);
            println!("{name} K={k}: {acc:.3} (proto-dist-ml {:.3})", refs[k - 1]);
            // Per row, split noise (±0.02 on 20 splits; the reference used other
            // splits) allows 0.03; on average over the 15 rows, 0.005.
            assert!(acc >= refs[k - 1] - 0.03, "{name} K={k}: {acc:.3} is below {:.3} - 0.03", refs[k - 1]);
            ours += acc / rows;
            reference += refs[k - 1] / rows;
        }
    }
    println!("average: {ours:.4} (proto-dist-ml {reference:.4})");
    assert!(ours >= reference - 0.005, "average {ours:.4} below {reference:.4} - 0.005");
}
