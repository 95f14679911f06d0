//! Property tests over the range of magnitudes and parameters: scaling every
//! dissimilarity (or coordinate) by a power of two gives the same model, bit for
//! bit, across each precision's stated range and a clear error beyond it; any
//! builder setting ends in an `Err` or a sane model that saves and loads back
//! equal; `fit` never returns a non-finite or non-decreasing history.

use faer::Mat;
use median_lvq::{
    Candidates, ClassWeights, Error, Float, Init, MedianLvq, MedianLvqParams, Precomputed, Search, SquaredEuclidean, Transfer,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

mod common;

const SEARCHES: [Search; 4] = [Search::Auto, Search::Exhaustive, Search::Linearised { checked: 1 }, Search::Linearised { checked: 4 }];

fn transfer<F: Float>(t: u8) -> Transfer<F> {
    [Transfer::Identity, Transfer::Sigmoid { beta: F::from_f64(3.0) }, Transfer::LogLikelihood][t as usize % 3]
}

/// Labels cycling over `c` classes, and values in `[1/64, 4]` on a grid of
/// 1/64 (exact in both precisions, so `f32` and `f64` runs see the same numbers).
fn problem() -> impl Strategy<Value = (Vec<usize>, Vec<f64>, usize)> {
    (10usize..24, 2usize..4, 1usize..3).prop_flat_map(|(n, c, k)| {
        (proptest::collection::vec(1u32..=256, n * n), Just((n, c, k)))
            .prop_map(|(v, (n, c, k))| ((0..n).map(|i| i % c).collect(), v.into_iter().map(|q| f64::from(q) / 64.0).collect(), k))
    })
}

fn sane<F: Float, L: Clone + PartialEq>(m: &MedianLvq<F, L>, y: &[usize]) -> Result<(), TestCaseError> {
    let h = m.cost_history();
    prop_assert!(!h.is_empty() && h.iter().all(|c| c.is_finite()), "history {:?}", h);
    prop_assert!(h.windows(2).all(|w| w[1] < w[0]), "not strictly decreasing: {:?}", h);
    let mut seen = m.prototype_indices().to_vec();
    seen.sort_unstable();
    seen.dedup();
    prop_assert_eq!(seen.len(), m.prototype_indices().len());
    prop_assert!(m.prototype_indices().iter().all(|&p| p < y.len()));
    Ok(())
}

/// The matrix `vals · 2^k` (zero diagonal) in `F`, and the models of every search.
fn fits<F: Float>(y: &[usize], vals: &[f64], k: usize, scale: i32, t: u8, whole: bool) -> Vec<Result<MedianLvq<F, usize>, Error>> {
    let n = y.len();
    let s = 2f64.powi(scale);
    let m = Mat::from_fn(n, n, |i, j| if i == j { F::zero() } else { F::from_f64(vals[i * n + j] * s) });
    let d = match Precomputed::new(m) {
        Ok(d) => d,
        Err(e) => return vec![Err(e)],
    };
    SEARCHES
        .iter()
        .map(|&search| {
            MedianLvqParams::<F>::new()
                .prototypes_per_class(k)
                .transfer(transfer(t))
                .candidates(if whole { Candidates::WholeClass } else { Candidates::ReceptiveField })
                .search(search)
                .n_init(2)
                .fit(&d, y)
        })
        .collect()
}

fn same_models<F: Float>(a: &[Result<MedianLvq<F, usize>, Error>], b: &[Result<MedianLvq<F, usize>, Error>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), b.len());
    for (x, z) in a.iter().zip(b) {
        let (x, z) =
            (x.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?, z.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?);
        prop_assert_eq!(x.prototype_indices(), z.prototype_indices());
        // The cost depends on ratios only: the same numbers, bit for bit.
        prop_assert_eq!(x.cost_history(), z.cost_history());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Dissimilarities (in [1/64, 4]) scaled by 2^k, |k| <= 80 in f32 and <= 900 in
    /// f64 (every value stays normal and below `largest_dissimilarity`): the same
    /// prototypes and cost history for every search strategy.
    #[test]
    fn matrix_scale_invariance((y, vals, k) in problem(), k32 in -80i32..=80, k64 in -900i32..=900, t in 0u8..3, whole in any::<bool>()) {
        let base32 = fits::<f32>(&y, &vals, k, 0, t, whole);
        for m in &base32 {
            sane(m.as_ref().map_err(|e| TestCaseError::fail(e.to_string()))?, &y)?;
        }
        same_models(&base32, &fits::<f32>(&y, &vals, k, k32, t, whole))?;
        same_models(&fits::<f64>(&y, &vals, k, 0, t, whole), &fits::<f64>(&y, &vals, k, k64, t, whole))?;
    }

    /// Beyond the range, a clear error naming the entry, never a model.
    #[test]
    fn matrix_beyond_the_range_is_an_error((y, vals, k) in problem(), k32 in 90i32..=125, k64 in 990i32..=1021) {
        for r in fits::<f32>(&y, &vals, k, k32, 0, false) {
            prop_assert!(matches!(r, Err(Error::TooLargeValue { .. })), "{:?}", r.map(|m| m.cost()));
        }
        for r in fits::<f64>(&y, &vals, k, k64, 0, false) {
            prop_assert!(matches!(r, Err(Error::TooLargeValue { .. })), "{:?}", r.map(|m| m.cost()));
        }
    }

    /// Vector coordinates (on a grid of 1/8) scaled by 2^k, |k| <= 40 in f32 and
    /// <= 240 in f64 (squared distances scale by 2^2k): the same model for every
    /// search; far beyond, [`Error::VectorScale`].
    #[test]
    fn vector_scale_invariance(
        n in 12usize..40, p in 1usize..4, seed in any::<u64>(), k32 in -40i32..=40, k64 in -240i32..=240, far in prop_oneof![-100i32..-70, 70i32..120],
    ) {
        let mut u = common::uniforms(seed);
        let mut next = move || (u() * 33.0) as u64;
        let x: Vec<f64> = (0..n * p).map(|_| next() as f64 / 8.0 - 2.0).collect();
        let y: Vec<usize> = (0..n).map(|i| i % 2).collect();
        fn run<F: Float>(x: &[f64], n: usize, p: usize, y: &[usize], scale: i32) -> Vec<Result<MedianLvq<F, usize>, Error>> {
            let s = 2f64.powi(scale);
            match SquaredEuclidean::new(Mat::from_fn(n, p, |i, j| F::from_f64(x[i * p + j] * s))) {
                Ok(v) => SEARCHES.iter().map(|&search| MedianLvqParams::<F>::new().prototypes_per_class(2).search(search).n_init(2).fit(&v, y)).collect(),
                Err(e) => vec![Err(e)],
            }
        }
        same_models(&run::<f32>(&x, n, p, &y, 0), &run::<f32>(&x, n, p, &y, k32))?;
        same_models(&run::<f64>(&x, n, p, &y, 0), &run::<f64>(&x, n, p, &y, k64))?;
        let nonzero = x.iter().any(|&v| v != 0.0);
        if nonzero {
            for r in run::<f32>(&x, n, p, &y, far) {
                prop_assert!(matches!(r, Err(Error::VectorScale { .. })), "2^{}: {:?}", far, r.map(|m| m.cost()));
            }
        }
    }
}

/// Extreme values for the float setters.
const EXTREMES: [f64; 20] = [
    0.0,
    -0.0,
    1e-45,
    1e-300,
    1e-30,
    0.5,
    1.0,
    2.999_999,
    3.0,
    10.0,
    11.0,
    1e10,
    1e38,
    1e308,
    f64::MAX,
    -1.0,
    -1e308,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];
const COUNTS: [usize; 8] = [0, 1, 2, 3, 7, 1_000_000, 1_000_000_000_000, usize::MAX];

/// Each setter either left at its default (`None`) or given an extreme value
/// (an index into [`EXTREMES`] or [`COUNTS`]): about one setter in three is set,
/// so that most settings pass `check` and train, with one or two extremes each.
#[derive(Debug, Clone)]
struct Setting {
    k: Option<usize>,
    transfer: u8,
    beta: usize,
    margin: Option<usize>,
    weights: u8,
    w: Vec<usize>,
    max_iter: Option<usize>,
    epsilon: Option<usize>,
    tolerance: Option<usize>,
    whole: bool,
    search: u8,
    checked: usize,
    init: u8,
    rounds: usize,
    given: Vec<usize>,
    n_init: Option<usize>,
    seed: u64,
}

fn setting() -> impl Strategy<Value = Setting> {
    let e = || proptest::option::weighted(0.35, 0usize..EXTREMES.len());
    let c = || proptest::option::weighted(0.35, 0usize..COUNTS.len());
    let w = prop_oneof![3 => proptest::collection::vec(0usize..EXTREMES.len(), 3), 1 => proptest::collection::vec(0usize..EXTREMES.len(), 0..5)];
    (
        (c(), 0u8..3, 0usize..EXTREMES.len(), e(), 0u8..4, w, c(), e(), e()),
        (
            any::<bool>(),
            0u8..3,
            0usize..COUNTS.len(),
            0u8..5,
            0usize..COUNTS.len(),
            proptest::collection::vec(0usize..30, 0..7),
            c(),
            any::<u64>(),
        ),
    )
        .prop_map(
            |(
                (k, transfer, beta, margin, weights, w, max_iter, epsilon, tolerance),
                (whole, search, checked, init, rounds, given, n_init, seed),
            )| {
                Setting {
                    k,
                    transfer,
                    beta,
                    margin,
                    weights,
                    w,
                    max_iter,
                    epsilon,
                    tolerance,
                    whole,
                    search,
                    checked,
                    init,
                    rounds,
                    given,
                    n_init,
                    seed,
                }
            },
        )
}

fn params<F: Float>(s: &Setting) -> MedianLvqParams<F> {
    let x = |i: usize| F::from_f64(EXTREMES[i]);
    let transfer = match s.transfer {
        0 => Transfer::Identity,
        1 => Transfer::Sigmoid { beta: x(s.beta) },
        _ => Transfer::LogLikelihood,
    };
    let weights = match s.weights {
        0 => ClassWeights::Uniform,
        1 => ClassWeights::Balanced,
        _ => ClassWeights::Given(s.w.iter().map(|&i| x(i)).collect()),
    };
    let search = match s.search {
        0 => Search::Auto,
        1 => Search::Exhaustive,
        _ => Search::Linearised { checked: COUNTS[s.checked] },
    };
    let init = match s.init {
        0 => Init::Auto,
        1 => Init::KMedoids { rounds: COUNTS[s.rounds] },
        2 => Init::ClassMedoid,
        3 => Init::StratifiedRandom,
        _ => Init::Given(s.given.clone()),
    };
    let mut p = MedianLvqParams::<F>::new()
        .prototypes_per_class(2)
        .transfer(transfer)
        .class_weights(weights)
        .candidates(if s.whole { Candidates::WholeClass } else { Candidates::ReceptiveField })
        .search(search)
        .init(init)
        .seed(s.seed);
    if let Some(i) = s.k {
        p = p.prototypes_per_class(COUNTS[i]);
    }
    if let Some(i) = s.margin {
        p = p.margin(x(i));
    }
    if let Some(i) = s.max_iter {
        // Sweeps stop at convergence long before a huge limit.
        p = p.max_sweeps(COUNTS[i]);
    }
    if let Some(i) = s.epsilon {
        p = p.min_sweep_improvement(x(i));
    }
    if let Some(i) = s.tolerance {
        p = p.min_jump_improvement(x(i));
    }
    if let Some(i) = s.n_init {
        // Counts that pass the check but would take minutes are capped at 7.
        p = p.n_init(match COUNTS[i] {
            c @ 8..=100_000 => c.min(7),
            c => c,
        });
    }
    p
}

fn fuzz_one<F: Float + serde_like::Maybe>(s: &Setting) -> Result<(), TestCaseError> {
    let n = 24;
    let d = Precomputed::new(Mat::from_fn(n, n, |i, j| F::from_f64(if i == j { 0.0 } else { ((i * 7 + j * 13) % 17 + 1) as f64 / 8.0 })))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
    if let Ok(m) = params::<F>(s).fit(&d, &y) {
        sane(&m, &y)?;
        TRAINED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (&p, l) in m.prototype_indices().iter().zip(m.prototype_labels()) {
            prop_assert_eq!(y[p], *l);
        }
        F::round_trip(&m)?;
    }
    Ok(())
}

/// Saving and loading, where the `serde` feature is on.
mod serde_like {
    use super::*;
    pub trait Maybe: Sized {
        fn round_trip(m: &MedianLvq<Self, usize>) -> Result<(), TestCaseError>;
    }
    #[cfg(feature = "serde")]
    impl<F: Float + serde::Serialize + serde::de::DeserializeOwned> Maybe for F {
        fn round_trip(m: &MedianLvq<F, usize>) -> Result<(), TestCaseError> {
            let json = serde_json::to_string(m).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: MedianLvq<F, usize> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
            prop_assert_eq!(&back, m);
            Ok(())
        }
    }
    #[cfg(not(feature = "serde"))]
    impl<F: Float> Maybe for F {
        fn round_trip(_: &MedianLvq<F, usize>) -> Result<(), TestCaseError> {
            Ok(())
        }
    }
}

/// Settings that trained (the fuzz must exercise models, not only errors).
static TRAINED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn fuzz_trains_models() {
    // Deterministic settings through the same path: most train.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let before = TRAINED.load(std::sync::atomic::Ordering::Relaxed);
    for _ in 0..200 {
        let s = setting().new_tree(&mut runner).map(|t| t.current());
        if let Ok(s) = s {
            let _ = fuzz_one::<f64>(&s);
        }
    }
    let trained = TRAINED.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert!(trained >= 40, "only {trained} of 200 fuzz settings trained a model");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Random extreme values of every builder setter: an `Err`, or a sane model
    /// (finite, strictly decreasing history; distinct prototypes of their class)
    /// that saves and loads back equal. Never a panic or an abort.
    #[test]
    fn any_setting_is_an_error_or_a_sane_model(s in setting()) {
        fuzz_one::<f32>(&s)?;
        fuzz_one::<f64>(&s)?;
    }
}
