//! Property tests of the algorithm's invariants on random small problems.

use faer::Mat;
use median_lvq::{Candidates, Dissimilarity, Init, MedianLvq, MedianLvqParams, Precomputed, Search, SquaredEuclidean, Subset, Transfer};
use proptest::prelude::*;

/// Labels with at least `k` objects in each of 2–4 classes, points in the plane, and
/// a random asymmetric perturbation, so that ties are (almost surely) absent.
fn problem(max_n: usize) -> impl Strategy<Value = (Vec<usize>, Mat<f64>, usize)> {
    (12usize..max_n, 2usize..5, 1usize..4).prop_flat_map(|(n, c, k)| {
        (
            proptest::collection::vec(0..c, n),
            proptest::collection::vec((-5.0..5.0f64, -5.0..5.0f64), n),
            proptest::collection::vec(0.0..0.5f64, n * n),
            Just((c, k)),
        )
            .prop_map(|(mut y, pts, noise, (c, k))| {
                // The first c·k objects cycle through the classes: each class gets k.
                for (i, l) in y.iter_mut().enumerate().take(c * k) {
                    *l = i % c;
                }
                let n = y.len();
                let d = Mat::from_fn(n, n, |i, j| {
                    if i == j { 0.0 } else { (pts[i].0 - pts[j].0).powi(2) + (pts[i].1 - pts[j].1).powi(2) + noise[i * n + j] }
                });
                (y, d, k)
            })
    })
}

fn transfer(t: u8) -> Transfer<f64> {
    [Transfer::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood][t as usize % 3]
}

fn fit(d: &Mat<f64>, y: &[usize], params: &MedianLvqParams<f64>) -> MedianLvq<f64, usize> {
    params.fit(&Precomputed::from_ref(d.as_ref()).unwrap(), y).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cost_never_rises_and_prototypes_are_distinct_objects_of_their_class(
        (y, d, k) in problem(40), t in 0u8..3, whole in any::<bool>(), lin in 0usize..4, ng in any::<bool>(), seed in any::<u64>(),
    ) {
        let search = match lin {
            0 => Search::Exhaustive,
            3 => Search::CandidateMajor,
            _ => Search::Linearised { checked: lin },
        };
        let params = MedianLvqParams::new()
            .prototypes_per_class(k)
            .transfer(transfer(t))
            .margin(0.05)
            .candidates(if whole { Candidates::WholeClass } else { Candidates::ReceptiveField })
            .search(search)
            .init(if ng { Init::NeuralGas { epochs: 30 } } else { Init::Auto })
            .seed(seed);
        let m = fit(&d, &y, &params);
        for w in m.cost_history().windows(2) {
            prop_assert!(w[1] < w[0], "cost rose: {:?}", m.cost_history());
        }
        prop_assert_eq!(m.jumps() + 1, m.cost_history().len());
        let mut seen = m.prototype_indices().to_vec();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), m.prototype_indices().len());
        let n_classes = m.classes().len();
        for c in 0..n_classes {
            prop_assert_eq!(m.prototype_labels().iter().filter(|&&l| l == c).count(), k);
        }
        for (&p, &l) in m.prototype_indices().iter().zip(m.prototype_labels()) {
            prop_assert_eq!(y[p], l);
        }
    }

    #[test]
    fn permuting_objects_permutes_the_result((y, d, k) in problem(30), t in 0u8..3, perm_seed in any::<u64>()) {
        let n = y.len();
        // A permutation from the seed: sort indices by a hash.
        let mut perm: Vec<usize> = (0..n).collect();
        perm.sort_by_key(|&i| (i as u64 ^ perm_seed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        // Object `r` of the permuted problem is object `perm[r]` of the original.
        let dp = Mat::from_fn(n, n, |r, s| d[(perm[r], perm[s])]);
        let yp: Vec<usize> = perm.iter().map(|&i| y[i]).collect();
        // Deterministic initialisation, mapped through the permutation.
        let yr = &y;
        let init: Vec<usize> = (0..*y.iter().max().unwrap() + 1)
            .flat_map(|c| (0..n).filter(move |&i| yr[i] == c).take(k))
            .collect();
        let inv = { let mut v = vec![0; n]; for (r, &i) in perm.iter().enumerate() { v[i] = r; } v };
        let params = MedianLvqParams::new().prototypes_per_class(k).transfer(transfer(t));
        let a = fit(&d, &y, &params.clone().init(Init::Given(init.clone())));
        let b = fit(&dp, &yp, &params.clone().init(Init::Given(init.iter().map(|&i| inv[i]).collect())));
        let mapped: Vec<usize> = b.prototype_indices().iter().map(|&r| perm[r]).collect();
        prop_assert_eq!(a.prototype_indices(), &mapped[..]);
        prop_assert_eq!(a.sweeps(), b.sweeps());
        for (x, z) in a.cost_history().iter().zip(b.cost_history()) {
            prop_assert!((x - z).abs() <= 1e-9 * x.abs().max(1.0));
        }
        // The class medoid (k = 1) is itself permutation-equivariant.
        let params1 = MedianLvqParams::new().transfer(transfer(t));
        let a1 = fit(&d, &y, &params1);
        let b1 = fit(&dp, &yp, &params1);
        let mapped1: Vec<usize> = b1.prototype_indices().iter().map(|&r| perm[r]).collect();
        prop_assert_eq!(a1.prototype_indices(), &mapped1[..]);
    }

    #[test]
    fn scaling_dissimilarities_changes_nothing((y, d, k) in problem(30), t in 0u8..3, scale in 1e-3..1e3f64, seed in any::<u64>()) {
        let params = MedianLvqParams::new().prototypes_per_class(k).transfer(transfer(t)).seed(seed);
        let a = fit(&d, &y, &params);
        let scaled = Mat::from_fn(d.nrows(), d.ncols(), |i, j| d[(i, j)] * scale);
        let b = fit(&scaled, &y, &params);
        prop_assert_eq!(a.prototype_indices(), b.prototype_indices());
        for (x, z) in a.cost_history().iter().zip(b.cost_history()) {
            prop_assert!((x - z).abs() <= 1e-9 * x.abs().max(1.0));
        }
    }

    #[test]
    fn same_model_on_one_and_two_threads((y, d, k) in problem(40), t in 0u8..3, s in 0u8..3, seed in any::<u64>()) {
        let search = [Search::Linearised { checked: 2 }, Search::Exhaustive, Search::CandidateMajor][s as usize];
        let params = MedianLvqParams::new().prototypes_per_class(k).transfer(transfer(t)).search(search).n_init(2).seed(seed);
        let run = |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| fit(&d, &y, &params));
        prop_assert_eq!(run(1), run(2));
    }

    #[test]
    fn f32_agrees_with_f64((y, d, k) in problem(30), seed in any::<u64>()) {
        let params = MedianLvqParams::new().prototypes_per_class(k).seed(seed);
        let a = fit(&d, &y, &params);
        let d32 = Mat::from_fn(d.nrows(), d.ncols(), |i, j| d[(i, j)] as f32);
        let b = MedianLvqParams::<f32>::new().prototypes_per_class(k).seed(seed)
            .fit(&Precomputed::from_ref(d32.as_ref()).unwrap(), &y).unwrap();
        // Rounding can flip a near-tie; the final costs must still agree closely.
        let (ca, cb) = (a.cost(), b.cost());
        prop_assert!((ca - cb).abs() <= 0.02 * ca.abs().max(1.0), "f64 {ca} vs f32 {cb}");
    }

    #[test]
    fn a_subset_view_equals_the_copied_submatrix((y, d, k) in problem(40), seed in any::<u64>()) {
        let n = y.len();
        let keep: Vec<usize> = (0..n).filter(|i| !(i * 7).wrapping_add(seed as usize).is_multiple_of(5)).collect();
        let ys: Vec<usize> = keep.iter().map(|&i| y[i]).collect();
        prop_assume!((0..4).all(|c| { let m = ys.iter().filter(|&&l| l == c).count(); m == 0 || m >= k })
            && ys.iter().collect::<std::collections::BTreeSet<_>>().len() >= 2);
        let params = MedianLvqParams::new().prototypes_per_class(k).seed(seed);
        let full = Precomputed::from_ref(d.as_ref()).unwrap();
        let a = params.fit(&Subset::new(&full, keep.clone()).unwrap(), &ys).unwrap();
        let copied = Mat::from_fn(keep.len(), keep.len(), |r, s| d[(keep[r], keep[s])]);
        let b = fit(&copied, &ys, &params);
        // The same model; the view reports its prototypes in the parent's numbering.
        let mapped: Vec<usize> = b.prototype_indices().iter().map(|&p| keep[p]).collect();
        prop_assert_eq!(a.prototype_indices(), &mapped[..]);
        prop_assert_eq!(a.prototype_labels(), b.prototype_labels());
        prop_assert_eq!(a.cost_history(), b.cost_history());
        prop_assert_eq!((a.sweeps(), a.termination()), (b.sweeps(), b.termination()));
    }
}

/// Random vectors `n × p` (with possible duplicate rows), weights and candidates.
fn vectors_and_weights() -> impl Strategy<Value = (Mat<f64>, Mat<f64>, Vec<usize>)> {
    (2usize..40, 1usize..6, 1usize..4).prop_flat_map(|(n, p, kk)| {
        (
            proptest::collection::vec(-10.0..10.0f64, n * p),
            proptest::collection::vec(-2.0..2.0f64, n * kk),
            proptest::collection::vec(0..n, 1..12),
            Just((n, p, kk)),
        )
            .prop_map(|(x, w, cands, (n, p, kk))| {
                // Round to a quarter so that duplicate rows (distance exactly 0) occur.
                let x = Mat::from_fn(n, p, |i, j| (x[i * p + j] * 4.0).round() / 4.0);
                (x, Mat::from_fn(n, kk, |i, k| w[i * kk + k]), cands)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn closed_form_weighted_sums_equal_naive_sums((x, w, cands) in vectors_and_weights()) {
        let source = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let matrix = Precomputed::squared_euclidean(x.as_ref()).unwrap();
        let (n, kk) = (x.nrows(), w.ncols());
        for s in [&source as &dyn Dissimilarity<f64>, &matrix] {
            let mut out = Mat::zeros(cands.len(), kk);
            s.weighted_sums(&cands, w.as_ref(), out.as_mut()).unwrap();
            for (r, &c) in cands.iter().enumerate() {
                for k in 0..kk {
                    let naive: f64 = (0..n).map(|i| w[(i, k)] * (0..x.ncols()).map(|t| (x[(i, t)] - x[(c, t)]).powi(2)).sum::<f64>()).sum();
                    let scale: f64 = (0..n).map(|i| w[(i, k)].abs()).sum::<f64>() * (1.0 + (0..n).map(|i| source.d(i, c).unwrap()).fold(0.0, f64::max));
                    prop_assert!((out[(r, k)] - naive).abs() <= 1e-10 * scale, "{} vs {naive}", out[(r, k)]);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Sample weights: all 1 is no weights, bit for bit; an integer weight counts
    /// the object that many times (the cost of any prototypes equals the cost on
    /// the data with the object repeated).
    #[test]
    fn sample_weights_count_objects((y, d, k) in problem(24), counts in proptest::collection::vec(1usize..4, 24), seed in any::<u64>()) {
        let n = y.len();
        let counts = &counts[..n];
        let params = MedianLvqParams::new().prototypes_per_class(k).seed(seed);
        let ones = fit(&d, &y, &params.clone().sample_weights(vec![1.0; n]));
        prop_assert_eq!(&ones, &fit(&d, &y, &params));
        let weighted = fit(&d, &y, &params.clone().sample_weights(counts.iter().map(|&c| c as f64).collect()));
        // The data with object i repeated counts[i] times; `first[i]` is its first copy.
        let copies: Vec<usize> = (0..n).flat_map(|i| std::iter::repeat_n(i, counts[i])).collect();
        let first: Vec<usize> = (0..n).map(|i| copies.iter().position(|&c| c == i).unwrap()).collect();
        let dup = Mat::from_fn(copies.len(), copies.len(), |a, b| d[(copies[a], copies[b])]);
        let dup_y: Vec<usize> = copies.iter().map(|&i| y[i]).collect();
        // No jump can clear this bar: the history is the cost of the given prototypes.
        let cost_of = |protos: Vec<usize>| {
            let p = MedianLvqParams::new().init(Init::Given(protos)).min_jump_improvement(1e6);
            fit(&dup, &dup_y, &p).cost()
        };
        let on_dup = cost_of(weighted.prototype_indices().iter().map(|&i| first[i]).collect());
        prop_assert!((on_dup - weighted.cost()).abs() <= 1e-9 * weighted.cost().abs().max(1.0), "{} vs {}", on_dup, weighted.cost());
    }
}
