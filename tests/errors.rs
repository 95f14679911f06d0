//! Every error variant, and awkward but valid inputs (duplicates, ties), through the
//! public API: an `Err` with a message that says what and where, never a panic.

use faer::{Mat, mat};
use median_lvq::{
    ClassWeights, Dissimilarity, Error, Init, MedianLvqParams, Precomputed, Subset, Termination, accuracy, stratified_splits,
};

fn line(xs: &[f64]) -> Precomputed<'static, f64> {
    Precomputed::new(Mat::from_fn(xs.len(), xs.len(), |i, j| (xs[i] - xs[j]).abs())).unwrap()
}

#[test]
fn construction_errors_name_the_entry() {
    let e = Precomputed::new(mat![[0.0, 1.0], [f64::NAN, 0.0]]).err().unwrap();
    assert!(matches!(e, Error::NonFinite { row: 1, col: 0, .. }));
    assert!(e.to_string().contains("(1, 0)") && e.to_string().contains("NaN"), "{e}");
    let e = Precomputed::new(mat![[0.0, -2.0], [1.0, 0.0]]).err().unwrap();
    assert_eq!(e, Error::Negative { row: 0, col: 1, value: -2.0 });
    assert!(e.to_string().contains("-2"), "{e}");
    assert!(matches!(Precomputed::new(Mat::<f32>::zeros(3, 2)), Err(Error::NotSquare { rows: 3, cols: 2 })));
    assert!(matches!(Precomputed::new(Mat::<f32>::zeros(0, 0)), Err(Error::Empty { .. })));
    assert!(matches!(Precomputed::squared_euclidean(mat![[1.0, f64::INFINITY]].as_ref()), Err(Error::NonFinite { row: 0, col: 1, .. })));
    let huge = Mat::<f32>::zeros(1 << 33, 0);
    assert!(matches!(Precomputed::squared_euclidean(huge.as_ref()), Err(Error::TooLarge { .. })));
}

#[test]
fn fit_errors() {
    let d = line(&[0.0, 1.0, 2.0, 10.0, 11.0]);
    let p = MedianLvqParams::<f64>::new();
    assert!(matches!(p.fit(&d, &[0, 0, 1]), Err(Error::ShapeMismatch { expected: 5, found: 3, .. })));
    assert!(matches!(p.fit(&d, &[7; 5]), Err(Error::TooFewClasses { found: 1 })));
    let e = p.clone().prototypes_per_class(3).fit(&d, &[0, 0, 0, 1, 1]).err().unwrap();
    assert_eq!(e, Error::TooFewObjects { class: 1, example: 3, available: 2, requested: 3 });
    assert!(e.to_string().contains("object 3"), "{e}");
    assert!(matches!(p.clone().prototypes_per_class(0).fit(&d, &[0, 0, 0, 1, 1]), Err(Error::InvalidParameter { .. })));
    assert!(matches!(
        p.clone().class_weights(ClassWeights::Given(vec![1.0])).fit(&d, &[0, 0, 0, 1, 1]),
        Err(Error::ShapeMismatch { expected: 2, found: 1, .. })
    ));
    assert!(matches!(
        p.clone().init(Init::Given(vec![0, 5])).fit(&d, &[0, 0, 0, 1, 1]),
        Err(Error::InvalidInitialPrototype { position: 1, index: 5, .. })
    ));
    assert!(matches!(
        p.clone().init(Init::Given(vec![3, 3, 0])).fit(&d, &[0, 0, 0, 1, 1]),
        Err(Error::InvalidInitialPrototype { position: 1, index: 3, .. })
    ));
    // Given indices that leave a class without a prototype.
    assert!(matches!(p.clone().init(Init::Given(vec![0, 1])).fit(&d, &[0, 0, 0, 1, 1]), Err(Error::InvalidParameter { .. })));
    // An empty subset.
    let empty = Subset::new(&d, vec![]).unwrap();
    assert!(matches!(p.fit::<u8, _>(&empty, &[]), Err(Error::Empty { .. })));
}

#[test]
fn prediction_and_evaluation_errors() {
    let d = line(&[0.0, 1.0, 2.0, 10.0, 11.0]);
    let m = MedianLvqParams::new().fit(&d, &["x", "x", "x", "y", "y"]).unwrap();
    assert!(matches!(m.predict(Mat::<f64>::zeros(2, 3).as_ref()), Err(Error::ShapeMismatch { expected: 2, found: 3, .. })));
    assert!(matches!(m.predict(mat![[0.0, 1.0], [f64::NAN, 1.0]].as_ref()), Err(Error::NonFinite { row: 1, col: 0, .. })));
    assert!(matches!(m.predict(mat![[0.0, -1.0]].as_ref()), Err(Error::Negative { row: 0, col: 1, .. })));
    assert!(matches!(m.predict_objects(&d, &[9]), Err(Error::IndexOutOfRange { index: 9, .. })));
    assert!(matches!(accuracy(&[1, 2], &[1]), Err(Error::ShapeMismatch { .. })));
    assert!(matches!(accuracy::<u8>(&[], &[]), Err(Error::Empty { .. })));
    assert!(matches!(stratified_splits(&[0, 1, 1], 2, 0.5, 0), Err(Error::TooFewObjects { class: 0, .. })));
    assert!(matches!(stratified_splits(&[0, 0, 1, 1], 2, 0.0, 0), Err(Error::InvalidParameter { .. })));
    assert!(matches!(d.d(5, 0), Err(Error::IndexOutOfRange { index: 5, len: 5, .. })));
}

#[test]
fn duplicated_objects_and_ties_are_handled_deterministically() {
    // All objects identical: every dissimilarity is 0, every μ is 0.
    let d = Precomputed::new(Mat::<f64>::zeros(6, 6)).unwrap();
    let labels = [0, 1, 0, 1, 0, 1];
    let m = MedianLvqParams::new().prototypes_per_class(2).fit(&d, &labels).unwrap();
    assert_eq!(m.termination(), Termination::Converged);
    assert_eq!(m.jumps(), 0);
    // Ties go to the lowest index: each class's medoid is its first object.
    assert_eq!((m.prototype_indices()[0], m.prototype_indices()[2]), (0, 1));
    let p = m.predict_objects(&d, &[0, 1]).unwrap();
    assert_eq!(p.labels, vec![0, 0]);
    assert_eq!(p.confidence, vec![0.0, 0.0]);
    // Duplicated objects among distinct ones.
    let d = line(&[0.0, 0.0, 0.0, 5.0, 5.0, 5.0]);
    let m = MedianLvqParams::new().prototypes_per_class(2).fit(&d, &[0, 0, 0, 1, 1, 1]).unwrap();
    let again = MedianLvqParams::new().prototypes_per_class(2).fit(&d, &[0, 0, 0, 1, 1, 1]).unwrap();
    assert_eq!(m, again);
    let mut protos = m.prototype_indices().to_vec();
    protos.sort();
    protos.dedup();
    assert_eq!(protos.len(), 4);
}

/// A user source whose `column` returns the wrong length: an error, not a panic.
struct ShortColumns;

impl Dissimilarity<f64> for ShortColumns {
    fn len(&self) -> usize {
        4
    }
    fn d(&self, i: usize, j: usize) -> Result<f64, Error> {
        Ok((i as f64 - j as f64).abs())
    }
    fn column<'a>(&'a self, _c: usize, buf: &'a mut [f64]) -> Result<&'a [f64], Error> {
        Ok(&buf[..1])
    }
}

#[test]
fn a_source_returning_short_columns_gives_an_error() {
    let e = MedianLvqParams::new().fit(&ShortColumns, &[0, 0, 1, 1]).err();
    assert!(matches!(e, Some(Error::ShapeMismatch { expected: 4, found: 1, .. })), "{e:?}");
}

#[test]
fn a_user_source_failure_is_carried_and_sources_debug_and_clone() {
    use median_lvq::{Fallible, FunctionSource, KernelSource, SquaredEuclidean, kernels};
    let xs: Vec<f64> = (0..12).map(f64::from).collect();
    let f = |a: &f64, b: &f64| -> Result<f64, std::io::Error> {
        if *b == 7.0 { Err(std::io::Error::new(std::io::ErrorKind::NotFound, "object 7 is gone")) } else { Ok((a - b).abs()) }
    };
    let source = FunctionSource::fallible(&xs, f);
    let labels: Vec<usize> = (0..12).map(|i| i % 2).collect();
    let e = MedianLvqParams::new().prototypes_per_class(2).fit(&source, &labels).err().unwrap();
    match &e {
        Error::Source { col: 7, failure, .. } => {
            assert_eq!(failure.get().downcast_ref::<std::io::Error>().map(std::io::Error::kind), Some(std::io::ErrorKind::NotFound));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("object 7 is gone"), "{e}");
    // The same function for prediction; a clone and Debug of every source.
    let ok = |a: &f64, b: &f64| -> Result<f64, std::io::Error> { Ok((a - b).abs()) };
    let model = MedianLvqParams::new().fit(&FunctionSource::fallible(&xs, ok), &labels).unwrap();
    assert_eq!(model.with_items(&xs).unwrap().predict_with(&[3.5], Fallible(ok)).unwrap().labels.len(), 1);
    let bad = model.with_items(&xs).unwrap().predict_with(&[3.5], Fallible(f));
    assert!(bad.is_ok() || matches!(bad, Err(Error::Source { .. })));
    let cloned = source.clone();
    assert_eq!(format!("{cloned:?}"), "FunctionSource { objects: 12, cache: None, .. }");
    let x = Mat::from_fn(5, 2, |i, j| (i + j) as f64);
    let v = SquaredEuclidean::new(x.clone()).unwrap();
    assert_eq!(format!("{:?}", v.view()), "SquaredEuclidean { objects: 5, features: 2, owned: false }");
    let d = Precomputed::squared_euclidean(x.as_ref()).unwrap();
    assert_eq!(format!("{:?}", d.view()), "Precomputed { objects: 5, owned: false }");
    let sub = Subset::new(&d, vec![0, 2]).unwrap();
    assert_eq!(format!("{:?}", sub.clone()), "Subset { objects: 2, .. }");
    let rows: Vec<Vec<f64>> = (0..5).map(|i| vec![i as f64]).collect();
    let k = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
    assert_eq!(format!("{:?}", k.clone()), "KernelSource { objects: 5, .. }");
}

#[test]
fn sample_weights_are_validated() {
    let d = line(&[0.0, 1.0, 2.0, 10.0, 11.0]);
    let y = [0, 0, 0, 1, 1];
    let p = MedianLvqParams::<f64>::new;
    for (w, name) in [
        (vec![1.0, f64::NAN, 1.0, 1.0, 1.0], "sample_weights"),
        (vec![1.0, -1.0, 1.0, 1.0, 1.0], "sample_weights"),
        (vec![0.0; 5], "sample_weights"),
    ] {
        assert!(matches!(p().sample_weights(w).fit(&d, &y), Err(Error::InvalidParameter { name: n, .. }) if n == name));
    }
    assert!(matches!(p().sample_weights(vec![1.0; 4]).fit(&d, &y), Err(Error::ShapeMismatch { expected: 5, found: 4, .. })));
    let e = p().sample_weights(vec![1e308, 1e308, 1.0, 1.0, 1.0]).fit(&d, &y).err().unwrap();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    // A zero weight is allowed: that object does not count in the cost.
    assert!(p().sample_weights(vec![1.0, 0.0, 1.0, 1.0, 1.0]).fit(&d, &y).is_ok());
}
