//! Equivalent sources give the same model.

use median_lvq::{MedianLvqParams, Precomputed, Search, SquaredEuclidean, datasets};

#[test]
fn vectors_and_their_precomputed_matrix_give_the_same_model() {
    for (name, data) in [("iris", datasets::iris::<f64>()), ("wine", datasets::wine())] {
        // Standardise so that no feature dominates (wine is unscaled).
        let (n, p) = (data.features.nrows(), data.features.ncols());
        let mean: Vec<f64> = (0..p).map(|j| (0..n).map(|i| data.features[(i, j)]).sum::<f64>() / n as f64).collect();
        let sd: Vec<f64> =
            (0..p).map(|j| ((0..n).map(|i| (data.features[(i, j)] - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt()).collect();
        let z = faer::Mat::from_fn(n, p, |i, j| (data.features[(i, j)] - mean[j]) / sd[j]);
        let vectors = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
        let matrix = Precomputed::squared_euclidean(z.as_ref()).unwrap();
        for k in 1..=3 {
            for search in [Search::Exhaustive, Search::Linearised { checked: 8 }] {
                let params = MedianLvqParams::new().prototypes_per_class(k).search(search).seed(1);
                let a = params.fit(&vectors, &data.labels).unwrap();
                let b = params.fit(&matrix, &data.labels).unwrap();
                assert_eq!(a.prototypes(), b.prototypes(), "{name} K={k} {search:?}");
                assert!((a.cost() - b.cost()).abs() <= 1e-9 * a.cost().abs().max(1.0), "{name} K={k}: {} vs {}", a.cost(), b.cost());
                // The two sources round d(i, j) differently (a Gram product vs a
                // matrix-vector product), so at a near-tie the jump paths may differ;
                // the final prototypes and cost must not.
                // The linearised search ends within 1% of the exhaustive cost.
                if search == Search::Exhaustive {
                    let lin = params.clone().search(Search::Linearised { checked: 8 }).fit(&vectors, &data.labels).unwrap();
                    assert!(lin.cost() <= a.cost() + 0.01 * a.cost().abs(), "{name} K={k}: {} vs {}", lin.cost(), a.cost());
                }
            }
        }
    }
}
