//! Extreme and hostile input, case by case: each ends in an `Err` naming the
//! problem or in a sane model (finite, strictly decreasing cost history; invariant
//! under scaling where the README promises it), never in a panic or garbage.

use faer::Mat;
use median_lvq::{
    ClassWeights, Dissimilarity, Error, Float, KernelSource, MedianLvq, MedianLvqParams, Precomputed, Search, SquaredEuclidean,
    Standardizer, kernels, stratified_splits,
};
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;
use common::uniforms;

fn sane<F: Float, L: Clone + PartialEq>(m: &MedianLvq<F, L>) {
    let h = m.cost_history();
    assert!(!h.is_empty() && h.iter().all(|c| c.is_finite()), "{h:?}");
    assert!(h.windows(2).all(|w| w[1] < w[0]), "not strictly decreasing: {h:?}");
}

fn two_classes(n: usize) -> Vec<usize> {
    (0..n).map(|i| i % 2).collect()
}

/// Case 1: sources computing on the fly never pass inf/NaN (or all zeros) to training.
#[test]
fn on_the_fly_sources_reject_values_they_cannot_represent() {
    // 40 × 2 f32 rows, one entry 2e19: its squared norm overflows f32.
    let mut x = Mat::<f32>::from_fn(40, 2, |i, j| (i * 3 + j) as f32 * 0.1);
    x[(7, 1)] = 2e19;
    let e = SquaredEuclidean::new(x.clone()).err().unwrap();
    assert!(matches!(e, Error::VectorScale { row: 7, .. }), "{e}");
    assert!(e.to_string().contains("row 7") && e.to_string().contains("f64"), "{e}");
    assert!(matches!(Precomputed::squared_euclidean(x.as_ref()), Err(Error::VectorScale { row: 7, .. })));
    // All rows ~1e20 (overflow) or ~1e-25 (every squared distance underflows to 0).
    for scale in [1e20_f32, 1e-25] {
        let x = Mat::<f32>::from_fn(40, 2, |i, j| (1.0 + (i * 3 + j) as f32 * 0.1) * scale);
        let e = SquaredEuclidean::new(x).err().unwrap();
        assert!(matches!(e, Error::VectorScale { .. }), "scale {scale}: {e}");
    }
    // The same vectors in f64 are fine, and so are f32 vectors at 1e12 and 1e-12.
    for scale in [1e12_f32, 1e-12] {
        let x = Mat::<f32>::from_fn(40, 2, |i, j| (1.0 + ((i * 7 + j * 3) % 11) as f32 * 0.1) * scale);
        let m = MedianLvqParams::new().fit(&SquaredEuclidean::new(x).unwrap(), &two_classes(40)).unwrap();
        sane(&m);
    }
    // A kernel over ±8e153 (f64): κ values are finite, d(0, 1) is not.
    let items: Vec<Vec<f64>> = (0..20).map(|i| vec![if i % 2 == 0 { 8e153 } else { -8e153 }, i as f64]).collect();
    let k = KernelSource::new(&items, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
    let e = MedianLvqParams::new().fit(&k, &two_classes(20)).err().unwrap();
    assert!(matches!(e, Error::NonFinite { what: "dissimilarity", .. } | Error::TooLargeValue { .. }), "{e}");
    // Precomputed values above the largest dissimilarity are named.
    let mut m = Mat::<f32>::from_fn(6, 6, |i, j| (i as f32 - j as f32).abs());
    m[(2, 4)] = 1e30;
    assert!(matches!(Precomputed::new(m), Err(Error::TooLargeValue { row: 2, col: 4, .. })));
}

/// Case 2: the linearised search is scale-invariant (its weights no longer form
/// `den²`), in f64 at 2^530 and in f32 at 2^±33 on the default path for vectors.
#[test]
fn linearised_search_is_scale_invariant() {
    let mut r = uniforms(11);
    let n = 150;
    let pts: Vec<(f64, f64)> = (0..n).map(|_| (r() * 4.0, r() * 4.0)).collect();
    let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
    let base = Mat::from_fn(n, n, |i, j| (pts[i].0 - pts[j].0).powi(2) + (pts[i].1 - pts[j].1).powi(2));
    let params = MedianLvqParams::new().prototypes_per_class(3).search(Search::Linearised { checked: 2 });
    let fit = |s: f64| params.fit(&Precomputed::new(Mat::from_fn(n, n, |i, j| base[(i, j)] * s)).unwrap(), &y).unwrap();
    let (a, b) = (fit(1.0), fit(2f64.powi(530)));
    assert_eq!(a.prototype_indices(), b.prototype_indices());
    assert_eq!(a.cost_history(), b.cost_history(), "the cost is scale-free: identical bit for bit");

    let n = 3000;
    let x: Vec<[f32; 4]> = (0..n).map(|_| [0, 1, 2, 3].map(|_| (r() * 64.0).floor() as f32 / 16.0)).collect();
    let y: Vec<usize> = (0..n).map(|i| (x[i][0] + x[i][1] > 4.0) as usize + (i % 2) * 2).collect();
    let fit = |k: i32| {
        let s = 2f32.powi(k);
        let v = SquaredEuclidean::new(Mat::from_fn(n, 4, |i, j| x[i][j] * s)).unwrap();
        let m = MedianLvqParams::<f32>::new().prototypes_per_class(2).n_init(1).fit(&v, &y).unwrap();
        assert_eq!(m.search(), Search::Linearised { checked: 8 });
        m
    };
    let a = fit(0);
    for k in [33, -33] {
        let b = fit(k);
        assert_eq!(a.prototype_indices(), b.prototype_indices(), "2^{k}");
        assert_eq!(a.cost_history(), b.cost_history(), "2^{k}");
    }
}

/// Case 3: vectors with no features are an input error.
#[test]
fn vectors_without_features_are_an_error() {
    assert!(matches!(SquaredEuclidean::new(Mat::<f64>::zeros(20, 0)), Err(Error::NoFeatures { rows: 20 })));
    assert!(matches!(Precomputed::squared_euclidean(Mat::<f32>::zeros(20, 0).as_ref()), Err(Error::NoFeatures { rows: 20 })));
}

/// Case 4: counts are validated before anything is allocated from them.
#[test]
fn counts_are_bounded() {
    let d = Precomputed::new(Mat::from_fn(8, 8, |i, j| (i as f64 - j as f64).abs())).unwrap();
    for n in [usize::MAX, 1_000_000_000_000, 100_001] {
        let e = MedianLvqParams::new().prototypes_per_class(2).n_init(n).fit(&d, &two_classes(8)).err().unwrap();
        assert!(matches!(e, Error::InvalidParameter { name: "n_init", .. }), "{e}");
    }
    assert!(matches!(stratified_splits(&two_classes(8), usize::MAX, 0.2, 0), Err(Error::InvalidParameter { name: "n_splits", .. })));
    assert!(matches!(stratified_splits(&two_classes(1 << 20), 90_000, 0.2, 0), Err(Error::TooLarge { .. })));
    assert!(matches!(stratified_splits(&two_classes(8), 0, 0.2, 0), Err(Error::InvalidParameter { .. })));
}

/// Case 5: parameters that `F` or the cost cannot hold are errors; the rest give a
/// strictly decreasing history that saves and loads.
#[test]
fn parameters_at_the_edge_of_the_precision() {
    let mut r = uniforms(5);
    let n = 40;
    let m = Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { 0.1 + r() });
    let m32 = Mat::from_fn(n, n, |i, j| m[(i, j)] as f32);
    let (d, d32) = (Precomputed::new(m).unwrap(), Precomputed::new(m32).unwrap());
    let y = two_classes(n);
    let p32 = || MedianLvqParams::<f32>::new().prototypes_per_class(2);
    let p64 = || MedianLvqParams::<f64>::new().prototypes_per_class(2);
    let e = p32().class_weights(ClassWeights::Given(vec![1e38, 1e38])).fit(&d32, &y).err().unwrap();
    assert!(matches!(e, Error::InvalidParameter { name: "class_weights", .. }), "{e}");
    assert!(matches!(p32().margin(-1e38).fit(&d32, &y), Err(Error::InvalidParameter { name: "margin", .. })));
    for margin in [1e308, -1e308] {
        assert!(matches!(p64().margin(margin).fit(&d, &y), Err(Error::InvalidParameter { name: "margin", .. })));
    }
    assert!(matches!(
        p64().class_weights(ClassWeights::Given(vec![1e308, 1e308])).fit(&d, &y),
        Err(Error::InvalidParameter { name: "class_weights", .. })
    ));
    // Valid but lopsided: a strictly decreasing history, whatever the rounding.
    let lopsided = p64().min_jump_improvement(0.0).class_weights(ClassWeights::Given(vec![1e17, 1.0])).fit(&d, &y).unwrap();
    sane(&lopsided);
    let big32 = p32().class_weights(ClassWeights::Given(vec![1e30, 2e30])).min_jump_improvement(0.0).fit(&d32, &y).unwrap();
    sane(&big32);
    #[cfg(feature = "serde")]
    {
        let back: MedianLvq<f64, usize> = serde_json::from_str(&serde_json::to_string(&lopsided).unwrap()).unwrap();
        assert_eq!(back, lopsided);
        let back: MedianLvq<f32, usize> = serde_json::from_str(&serde_json::to_string(&big32).unwrap()).unwrap();
        assert_eq!(back, big32);
    }
}

/// Case 6: a `Standardizer` can only be made consistent.
#[test]
fn standardizer_is_consistent_by_construction() {
    assert!(matches!(Standardizer::new(vec![0.0, 1.0], vec![1.0]), Err(Error::ShapeMismatch { expected: 2, found: 1, .. })));
    assert!(Standardizer::new(vec![0.0], vec![0.0]).is_err());
    assert!(Standardizer::new(vec![f64::NAN], vec![1.0]).is_err());
    let s = Standardizer::new(vec![1.0_f64, 2.0], vec![2.0, 4.0]).unwrap();
    assert!(s.transform(Mat::<f64>::zeros(1, 3).as_ref()).is_err());
    assert_eq!((s.mean(), s.deviation()), (&[1.0, 2.0][..], &[2.0, 4.0][..]));
}

/// Case 7: a saved model loads exactly or not at all.
#[cfg(feature = "serde")]
#[test]
fn saved_models_load_exactly_or_not_at_all() {
    use median_lvq::PortableModel;
    let x = Mat::from_fn(30, 3, |i, j| ((i * 7 + j * 5) % 13) as f64 * 0.3);
    let y: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&SquaredEuclidean::from_ref(x.as_ref()).unwrap(), &y).unwrap();
    let portable = model.with_rows(x.as_ref()).unwrap();
    let json = serde_json::to_string(&portable).unwrap();
    let load = |s: &str| serde_json::from_str::<PortableModel<f64, usize, Vec<f64>>>(s);
    assert_eq!(load(&json).unwrap(), portable);
    // A shortened prototype row.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["objects"][0].as_array_mut().unwrap().pop();
    assert!(load(&v.to_string()).is_err());
    // A cost changed by a factor 1 + 1e-9.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let c: f64 = v["model"]["cost_history"][0].as_str().unwrap().parse().unwrap();
    v["model"]["cost_history"][0] = serde_json::json!(format!("{:?}", c * (1.0 + 1e-9)));
    assert!(load(&v.to_string()).is_err());
    // A changed label.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["model"]["prototype_labels"][0] = serde_json::json!(v["model"]["prototype_labels"][0].as_u64().unwrap() + 1);
    assert!(load(&v.to_string()).is_err());
    // Every single-bit flip of the model file loads as an error or as the same model.
    let json = serde_json::to_string(&model).unwrap();
    let mut changed = 0;
    for i in 0..json.len() {
        for bit in 0..8 {
            let mut bytes = json.clone().into_bytes();
            bytes[i] ^= 1 << bit;
            if let Ok(back) = serde_json::from_slice::<MedianLvq<f64, usize>>(&bytes) {
                changed += usize::from(back != model);
            }
        }
    }
    assert_eq!(changed, 0, "bit flips loaded as a different model");
    // f32 saved, f64 loaded: refused.
    let m32 = MedianLvqParams::<f32>::new().fit(&SquaredEuclidean::new(Mat::from_fn(30, 3, |i, j| x[(i, j)] as f32)).unwrap(), &y).unwrap();
    let e = serde_json::from_str::<MedianLvq<f64, usize>>(&serde_json::to_string(&m32).unwrap()).err().unwrap();
    assert!(e.to_string().contains("f32"), "{e}");
}

/// Case 8: prediction at `MAX`, all-zero rows, and a source whose length changes.
#[test]
fn prediction_at_the_extremes_and_a_shifty_source() {
    let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0_f64];
    let d = Precomputed::new(Mat::from_fn(8, 8, |i, j| (x[i] - x[j]).abs())).unwrap();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&d, &[0, 0, 0, 0, 1, 1, 1, 1]).unwrap();
    let max = f64::MAX;
    // The winner at MAX/2; the nearest prototype of the other label at MAX.
    let labels = model.prototype_labels().to_vec();
    let row: Vec<f64> = (0..4).map(|k| if k == 2 { max / 2.0 } else { max }).collect();
    let p = model.predict(Mat::from_fn(1, 4, |_, k| row[k]).as_ref()).unwrap();
    let other_same = (0..4).any(|k| k != 2 && labels[k] == labels[2] && row[k] < max);
    assert!(!other_same);
    assert!((p.confidence[0] - 1.0 / 3.0).abs() < 1e-12, "{}", p.confidence[0]);
    let p = model.predict(Mat::<f64>::zeros(1, 4).as_ref()).unwrap();
    assert!(p.confidence[0] == 0.0 && p.confidence[0].is_sign_positive());
    let stats = model.prototype_statistics(Mat::from_fn(1, 4, |_, k| row[k]).as_ref(), &[labels[2]]).unwrap();
    assert!((stats[2].cost + 1.0 / 3.0).abs() < 1e-12, "{:?}", stats[2]);

    /// Claims 30 objects for its first calls, then 20.
    struct Shifty(AtomicUsize);
    impl Dissimilarity<f64> for Shifty {
        fn len(&self) -> usize {
            if self.0.fetch_add(1, Ordering::Relaxed) < 3 { 30 } else { 20 }
        }
        fn d(&self, i: usize, j: usize) -> Result<f64, Error> {
            Ok((i as f64 - j as f64).abs())
        }
    }
    let e = MedianLvqParams::new().prototypes_per_class(2).fit(&Shifty(AtomicUsize::new(0)), &two_classes(30)).err().unwrap();
    assert!(e.to_string().contains("changed"), "{e}");

    /// Breaks the contract: NaN everywhere off the diagonal.
    struct Broken;
    impl Dissimilarity<f64> for Broken {
        fn len(&self) -> usize {
            10
        }
        fn d(&self, i: usize, j: usize) -> Result<f64, Error> {
            Ok(if i == j { 0.0 } else { f64::NAN })
        }
    }
    // Computed once beforehand (the default when it fits), the bad value is named;
    // read lazily, the start's cost is not finite: an error either way.
    assert!(matches!(MedianLvqParams::new().fit(&Broken, &two_classes(10)), Err(Error::NonFinite { row: 0, col: 1, .. })));
    assert!(matches!(MedianLvqParams::new().matrix_budget(0).fit(&Broken, &two_classes(10)), Err(Error::NonFiniteCost { .. })));
}
