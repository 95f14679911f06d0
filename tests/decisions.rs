//! Probabilities, reject option, coverage curve and prototype statistics: property
//! tests on random problems.

mod common;
use faer::Mat;
use median_lvq::{CoverageCurve, MedianLvqParams, SquaredEuclidean, Temperature, accuracy};
use proptest::prelude::*;

/// Random training points with labels drawn from {7, 3, 11} (not 0..C−1), each label
/// present at least twice, and random new points with true labels.
fn problem() -> impl Strategy<Value = (Mat<f64>, Vec<i32>, Mat<f64>, Vec<i32>)> {
    (9usize..40, 1usize..30).prop_flat_map(|(n, m)| {
        (
            proptest::collection::vec((-5.0..5.0f64, -5.0..5.0f64, 0usize..3), n),
            proptest::collection::vec((-6.0..6.0f64, -6.0..6.0f64, 0usize..3), m),
        )
            .prop_map(|(train, new)| {
                let names = [7, 3, 11];
                let label = |i: usize, c: usize| if i < 6 { names[i % 3] } else { names[c] };
                let x = Mat::from_fn(train.len(), 2, |i, j| if j == 0 { train[i].0 } else { train[i].1 });
                let y = train.iter().enumerate().map(|(i, t)| label(i, t.2)).collect();
                let xn = Mat::from_fn(new.len(), 2, |i, j| if j == 0 { new[i].0 } else { new[i].1 });
                let yn = new.iter().map(|t| names[t.2]).collect();
                (x, y, xn, yn)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn decisions_are_consistent((x, y, xn, yn) in problem(), k in 1usize..3, t in 0.01..10.0f64) {
        let source = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let model = MedianLvqParams::new().prototypes_per_class(k.min(2)).fit(&source, &y).unwrap();
        let pred = model.with_rows(x.as_ref()).unwrap().predict(xn.as_ref()).unwrap();
        let d = pred.dissimilarities.clone();
        let m = xn.nrows();

        // Probabilities: rows sum to 1, the most probable class is the predicted one
        // (classes in the model's sorted order), for both temperatures.
        for temperature in [Temperature::PerObject, Temperature::Fixed(t)] {
            let p = model.probabilities(d.as_ref(), temperature).unwrap();
            prop_assert_eq!(p.ncols(), model.classes().len());
            for r in 0..m {
                let row: Vec<f64> = (0..p.ncols()).map(|c| p[(r, c)]).collect();
                prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let predicted = model.classes().iter().position(|c| *c == pred.labels[r]).unwrap();
                prop_assert!(row[predicted] >= top - 1e-12, "{:?} predicted {}", row, pred.labels[r]);
            }
        }

        // Reject option: nothing rejected at 0, everything above the top confidence.
        let keep = pred.with_reject(0.0).unwrap();
        prop_assert!(keep.iter().zip(&pred.labels).all(|(a, b)| a.as_ref() == Some(b)));
        let top = pred.confidence.iter().copied().fold(0.0, f64::max);
        prop_assert!(pred.with_reject(top + 1e-9).unwrap().iter().all(Option::is_none));

        // Coverage curve: ends at plain accuracy; starts at the accuracy of the most
        // confident objects; coverage increases.
        let correct: Vec<bool> = pred.labels.iter().zip(&yn).map(|(a, b)| a == b).collect();
        let curve = CoverageCurve::new(&pred.confidence, &correct).unwrap();
        let points = curve.points();
        let last = points.last().unwrap();
        prop_assert_eq!(last.coverage, 1.0);
        prop_assert!((last.accuracy - accuracy(&pred.labels, &yn).unwrap()).abs() < 1e-12);
        let most: Vec<usize> = (0..m).filter(|&i| pred.confidence[i] == top).collect();
        let first_acc = most.iter().filter(|&&i| correct[i]).count() as f64 / most.len() as f64;
        prop_assert!((points[0].accuracy - first_acc).abs() < 1e-12);
        prop_assert!(points.windows(2).all(|w| w[0].coverage < w[1].coverage && w[0].threshold > w[1].threshold));
        if let Some(q) = curve.threshold_for_accuracy(0.9) {
            prop_assert!(q.accuracy >= 0.9);
        }
        let q = curve.threshold_for_coverage(0.5).unwrap();
        prop_assert!(q.coverage >= 0.5);

        // Prototype statistics: wins sum to m, correct <= wins, costs sum to the
        // identity-transfer cost of these objects.
        let stats = model.prototype_statistics(d.as_ref(), &yn).unwrap();
        prop_assert_eq!(stats.iter().map(|s| s.wins).sum::<usize>(), m);
        prop_assert!(stats.iter().all(|s| s.correct <= s.wins));
        let hits: usize = stats.iter().map(|s| s.correct).sum();
        prop_assert_eq!(hits, correct.iter().filter(|&&c| c).count());
    }
}

/// On the training objects themselves, the prototype costs sum to the model's cost
/// (identity transfer, uniform weights).
#[test]
fn prototype_costs_sum_to_the_training_cost() {
    let iris = median_lvq::datasets::iris::<f64>();
    let z = median_lvq::Standardizer::fit(iris.features.as_ref(), &(0..150).collect::<Vec<_>>())
        .unwrap()
        .transform(iris.features.as_ref())
        .unwrap();
    let source = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&source, &iris.labels).unwrap();
    let all: Vec<usize> = (0..150).collect();
    let d = model.predict_objects(&source, &all).unwrap().dissimilarities;
    let stats = model.prototype_statistics(d.as_ref(), &iris.labels).unwrap();
    let total: f64 = stats.iter().map(|s| s.cost).sum();
    assert!((total - model.cost()).abs() < 1e-9 * model.cost().abs(), "{total} vs {}", model.cost());
}

/// Labels drawn from a softmax at a known fixed temperature: `calibrate` recovers
/// it; a calibration set without errors gives a finite temperature; a calibrated
/// model predicts with its temperature.
#[test]
fn calibration_recovers_a_known_temperature() {
    let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    let d = median_lvq::Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).abs())).unwrap();
    let mut model = MedianLvqParams::new().fit(&d, &[0, 0, 0, 1, 1, 1]).unwrap();
    let mut u = common::uniforms(7);
    let (m, t0) = (20_000, 0.5);
    let rows: Vec<[f64; 2]> = (0..m).map(|_| [0.2 + 3.0 * u(), 0.2 + 3.0 * u()]).collect();
    let truth: Vec<usize> = rows
        .iter()
        .map(|r| {
            let p0 = 1.0 / (1.0 + ((r[0] - r[1]) / t0).exp());
            usize::from(u() >= p0)
        })
        .collect();
    let dm = faer::Mat::from_fn(m, 2, |r, k| rows[r][k]);
    let report = model.calibrate(dm.as_ref(), &truth).unwrap();
    match report.temperature {
        Temperature::Fixed(t) => assert!((t - t0).abs() < 0.03, "fitted {t}, true {t0}"),
        other => panic!("expected a fixed temperature, got {other:?}"),
    }
    assert!(report.log_loss <= report.log_loss_per_object && report.log_loss <= report.log_loss_relative);
    assert_eq!(model.temperature(), report.temperature);
    let p = model.predict(dm.as_ref()).unwrap();
    assert_eq!(p.probabilities, model.probabilities(dm.as_ref(), report.temperature).unwrap());

    // Perfectly separated: a finite temperature, probabilities below 1.
    let clean = faer::mat![[0.1, 5.0], [5.0, 0.1], [0.2, 4.0], [4.0, 0.3]];
    let report = model.calibrate(clean.as_ref(), &[0, 1, 0, 1]).unwrap();
    let p = model.predict(clean.as_ref()).unwrap();
    assert!((0..4).all(|r| p.probabilities[(r, 0)].max(p.probabilities[(r, 1)]) < 1.0), "{report:?}");
    assert!(model.calibrate(clean.as_ref(), &[0, 1, 0]).is_err());
    assert!(model.calibrate(clean.as_ref(), &[0, 1, 0, 7]).is_err());
}
