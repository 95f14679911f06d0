//! Table-driven audit: every input path × every kind of bad input gives the
//! documented error (never a panic); awkward but valid inputs fit.

use faer::{Mat, mat};
use median_lvq::{
    CoverageCurve, Dissimilarity, Error, FunctionSource, KernelSource, MedianLvqParams, Precomputed, SquaredEuclidean, Standardizer,
    Subset, Temperature, kernels, stratified_splits,
};

type Case = (&'static str, Box<dyn Fn() -> Result<(), Error>>, fn(&Error) -> bool);

fn is_nonfinite(e: &Error) -> bool {
    matches!(e, Error::NonFinite { .. })
}
fn is_negative(e: &Error) -> bool {
    matches!(e, Error::Negative { .. })
}
fn is_empty(e: &Error) -> bool {
    matches!(e, Error::Empty { .. })
}
fn is_shape(e: &Error) -> bool {
    matches!(e, Error::ShapeMismatch { .. } | Error::NotSquare { .. })
}
fn is_classes(e: &Error) -> bool {
    matches!(e, Error::TooFewClasses { .. })
}
fn is_too_few(e: &Error) -> bool {
    matches!(e, Error::TooFewObjects { .. })
}
fn is_range(e: &Error) -> bool {
    matches!(e, Error::IndexOutOfRange { .. })
}
fn is_param(e: &Error) -> bool {
    matches!(e, Error::InvalidParameter { .. })
}

fn fit_on<D: Dissimilarity<f64>>(d: &D, labels: &[i32], k: usize) -> Result<(), Error> {
    MedianLvqParams::new().prototypes_per_class(k).fit(d, labels).map(|_| ())
}

fn square(v: f64) -> Mat<f64> {
    mat![[0.0, 1.0, 2.0], [1.0, 0.0, v], [2.0, 1.0, 0.0]]
}

#[test]
fn every_input_path_rejects_bad_input_with_the_documented_error() {
    let words: Vec<String> = ["ab", "abc", "b", "bc"].iter().map(|s| s.to_string()).collect();
    let cases: Vec<Case> = vec![
        // Precomputed matrices.
        ("matrix NaN", Box::new(|| Precomputed::new(square(f64::NAN)).map(|_| ())), is_nonfinite),
        ("matrix +inf", Box::new(|| Precomputed::new(square(f64::INFINITY)).map(|_| ())), is_nonfinite),
        ("matrix -inf", Box::new(|| Precomputed::new(square(f64::NEG_INFINITY)).map(|_| ())), is_nonfinite),
        ("matrix negative", Box::new(|| Precomputed::new(square(-1.0)).map(|_| ())), is_negative),
        ("matrix empty", Box::new(|| Precomputed::new(Mat::<f64>::zeros(0, 0)).map(|_| ())), is_empty),
        ("matrix not square", Box::new(|| Precomputed::new(Mat::<f64>::zeros(2, 3)).map(|_| ())), is_shape),
        ("borrowed matrix NaN", Box::new(|| Precomputed::from_ref(square(f64::NAN).as_ref()).map(|_| ())), is_nonfinite),
        ("similarity NaN", Box::new(|| Precomputed::from_similarity(square(f64::NAN).as_ref()).map(|_| ())), is_nonfinite),
        ("similarity above 1", Box::new(|| Precomputed::from_similarity(square(3.0).as_ref()).map(|_| ())), is_negative),
        (
            "kernel similarity inf",
            Box::new(|| Precomputed::from_similarity_kernel(square(f64::INFINITY).as_ref()).map(|_| ())),
            is_nonfinite,
        ),
        ("similarity not square", Box::new(|| Precomputed::from_similarity(Mat::<f64>::zeros(2, 3).as_ref()).map(|_| ())), is_shape),
        // Vectors.
        ("vectors NaN", Box::new(|| SquaredEuclidean::new(mat![[1.0, f64::NAN]]).map(|_| ())), is_nonfinite),
        ("vectors -inf", Box::new(|| SquaredEuclidean::from_ref(mat![[f64::NEG_INFINITY]].as_ref()).map(|_| ())), is_nonfinite),
        ("vectors empty", Box::new(|| SquaredEuclidean::new(Mat::<f64>::zeros(0, 3)).map(|_| ())), is_empty),
        ("vector matrix NaN", Box::new(|| Precomputed::squared_euclidean(mat![[f64::NAN]].as_ref()).map(|_| ())), is_nonfinite),
        (
            "new vectors wrong width",
            Box::new(|| model()?.with_rows(Mat::<f64>::zeros(4, 2).as_ref())?.predict(mat![[1.0]].as_ref()).map(|_| ())),
            is_shape,
        ),
        (
            "new vectors NaN",
            Box::new(|| model()?.with_rows(Mat::<f64>::zeros(4, 1).as_ref())?.predict(mat![[f64::NAN]].as_ref()).map(|_| ())),
            is_nonfinite,
        ),
        ("precomputed too few training columns", Box::new(|| model()?.predict_precomputed(mat![[1.0]].as_ref()).map(|_| ())), is_shape),
        // Kernel and user function.
        ("kernel NaN diagonal", Box::new(|| KernelSource::new(&[1.0, 2.0], |_: &f64, _: &f64| f64::NAN).map(|_| ())), is_nonfinite),
        ("kernel empty", Box::new(|| KernelSource::new(&[] as &[f64], |a: &f64, b: &f64| a * b).map(|_| ())), is_empty),
        (
            "kernel inf off-diagonal",
            Box::new(|| {
                let k = KernelSource::new(&[1.0, 2.0], |a: &f64, b: &f64| if a == b { 1.0 } else { f64::INFINITY })?;
                fit_on(&k, &[0, 1], 1)
            }),
            is_nonfinite,
        ),
        (
            "function negative",
            Box::new(|| fit_on(&FunctionSource::new(&[1.0, 2.0, 3.0, 4.0], |a: &f64, b: &f64| a - b), &[0, 0, 1, 1], 1)),
            is_negative,
        ),
        (
            "function NaN",
            Box::new(|| fit_on(&FunctionSource::new(&[1.0, 2.0, 3.0, 4.0], |_: &f64, _: &f64| f64::NAN), &[0, 0, 1, 1], 1)),
            is_nonfinite,
        ),
        // Fit.
        ("fit one object", Box::new(|| fit_on(&Precomputed::new(mat![[0.0]])?, &[0], 1)), is_classes),
        ("fit one class", Box::new(|| fit_on(&Precomputed::new(square(1.0))?, &[4, 4, 4], 1)), is_classes),
        ("fit label count", Box::new(|| fit_on(&Precomputed::new(square(1.0))?, &[0, 1], 1)), is_shape),
        ("fit too many prototypes", Box::new(|| fit_on(&Precomputed::new(square(1.0))?, &[0, 1, 1], 2)), is_too_few),
        ("fit no objects", Box::new(|| fit_on(&Subset::new(&Precomputed::new(square(1.0))?, vec![])?, &[], 1)), is_empty),
        ("subset out of range", Box::new(|| Subset::new(&Precomputed::new(square(1.0))?, vec![3]).map(|_| ())), is_range),
        (
            "function words too many prototypes",
            Box::new(move || {
                fit_on(&FunctionSource::new(&words, |a: &String, b: &String| (a.len() as f64 - b.len() as f64).abs()), &[0, 0, 0, 1], 2)
            }),
            is_too_few,
        ),
        // Prediction and the decision tools.
        ("predict wrong width", Box::new(|| model()?.predict(Mat::<f64>::zeros(1, 3).as_ref()).map(|_| ())), is_shape),
        ("predict -inf", Box::new(|| model()?.predict(mat![[f64::NEG_INFINITY, 1.0]].as_ref()).map(|_| ())), is_nonfinite),
        (
            "probabilities negative",
            Box::new(|| model()?.probabilities(mat![[-1.0, 1.0]].as_ref(), Temperature::PerObject).map(|_| ())),
            is_negative,
        ),
        (
            "probabilities bad temperature",
            Box::new(|| model()?.probabilities(mat![[1.0, 1.0]].as_ref(), Temperature::Fixed(f64::NAN)).map(|_| ())),
            is_param,
        ),
        ("predict NaN entry", Box::new(|| model()?.predict(mat![[f64::NAN, 1.0]].as_ref()).map(|_| ())), is_nonfinite),
        ("reject NaN threshold", Box::new(|| model()?.predict(mat![[1.0, 1.0]].as_ref())?.with_reject(f64::NAN).map(|_| ())), is_param),
        ("prototype rows too few", Box::new(|| model()?.prototype_rows(mat![[1.0], [2.0]].as_ref()).map(|_| ())), is_range),
        ("prototype items too few", Box::new(|| model()?.prototype_items(&["a", "b"]).map(|_| ())), is_range),
        ("portable rows too few", Box::new(|| model()?.with_rows(mat![[1.0]].as_ref()).map(|_| ())), is_range),
        (
            "kernel new object NaN",
            Box::new(|| model()?.with_items(&[1.0, 2.0, 3.0, 4.0])?.predict_with_kernel(&[f64::NAN], |a: &f64, b: &f64| a * b).map(|_| ())),
            is_nonfinite,
        ),
        (
            "function negative on a new object",
            Box::new(|| model()?.with_items(&[1.0, 2.0, 3.0, 4.0])?.predict_with(&[0.5], |a: &f64, b: &f64| a - b).map(|_| ())),
            is_negative,
        ),
        ("statistics label count", Box::new(|| model()?.prototype_statistics(mat![[1.0, 1.0]].as_ref(), &[0, 1]).map(|_| ())), is_shape),
        ("coverage lengths", Box::new(|| CoverageCurve::new(&[0.5, 0.2], &[true]).map(|_| ())), is_shape),
        ("coverage +inf", Box::new(|| CoverageCurve::new(&[f64::INFINITY], &[true]).map(|_| ())), is_nonfinite),
        // Evaluation.
        ("splits one object in a class", Box::new(|| stratified_splits(&[0, 0, 1], 3, 0.3, 0).map(|_| ())), is_too_few),
        ("splits empty", Box::new(|| stratified_splits::<u8>(&[], 3, 0.3, 0).map(|_| ())), is_empty),
        ("splits fraction", Box::new(|| stratified_splits(&[0, 0, 1, 1], 3, 1.5, 0).map(|_| ())), is_param),
        ("standardize NaN", Box::new(|| Standardizer::fit(mat![[f64::NAN]].as_ref(), &[0]).map(|_| ())), is_nonfinite),
        ("standardize no rows", Box::new(|| Standardizer::fit(mat![[1.0]].as_ref(), &[]).map(|_| ())), is_empty),
        ("standardize bad row", Box::new(|| Standardizer::fit(mat![[1.0]].as_ref(), &[1]).map(|_| ())), is_range),
        (
            "standardize width",
            Box::new(|| Standardizer::fit(mat![[1.0]].as_ref(), &[0])?.transform(mat![[1.0, 2.0]].as_ref()).map(|_| ())),
            is_shape,
        ),
    ];
    for (name, case, expected) in &cases {
        match case() {
            Err(e) => assert!(expected(&e), "{name}: unexpected error {e:?}"),
            Ok(()) => panic!("{name}: accepted"),
        }
    }
}

fn model() -> Result<median_lvq::MedianLvq<f64, i32>, Error> {
    MedianLvqParams::new().fit(
        &Precomputed::new(mat![[0.0, 1.0, 5.0, 6.0], [1.0, 0.0, 5.0, 5.0], [5.0, 5.0, 0.0, 1.0], [6.0, 5.0, 1.0, 0.0]])?,
        &[0, 0, 1, 1],
    )
}

#[test]
fn awkward_but_valid_inputs_fit_on_every_source() {
    // All-zero dissimilarities, duplicated objects: valid, deterministic fits.
    let zeros = Mat::<f64>::zeros(6, 2);
    let labels = [0, 1, 0, 1, 0, 1];
    let a = MedianLvqParams::new().prototypes_per_class(2).fit(&SquaredEuclidean::from_ref(zeros.as_ref()).unwrap(), &labels).unwrap();
    let b = MedianLvqParams::new().prototypes_per_class(2).fit(&Precomputed::new(Mat::<f64>::zeros(6, 6)).unwrap(), &labels).unwrap();
    assert_eq!(a.prototype_indices(), b.prototype_indices());
    let same = vec![vec![1.0, 1.0]; 6];
    let k = KernelSource::new(&same, |x: &Vec<f64>, y: &Vec<f64>| kernels::rbf(x, y, 1.0)).unwrap();
    let c = MedianLvqParams::new().prototypes_per_class(2).fit(&k, &labels).unwrap();
    assert_eq!(c.prototype_indices(), a.prototype_indices());
    let f = FunctionSource::new(&same, |_: &Vec<f64>, _: &Vec<f64>| 0.0);
    assert_eq!(MedianLvqParams::new().prototypes_per_class(2).fit(&f, &labels).unwrap().prototype_indices(), a.prototype_indices());
    // Probabilities on a prototype at distance 0 from two classes: shared.
    let p = a.probabilities(Mat::<f64>::zeros(1, 4).as_ref(), Temperature::PerObject).unwrap();
    assert_eq!((p[(0, 0)], p[(0, 1)]), (0.5, 0.5));
}
