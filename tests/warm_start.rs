//! Warm starts: continuing a fit is the same as not having stopped; refitting on
//! more objects starts where the model stands; other numberings go through a
//! mapping. Also the other starts and the candidate-major search on real data.

mod common;
use faer::Mat;
use median_lvq::{Candidates, Dissimilarity, Init, MedianLvqParams, Precomputed, Search, Subset, Termination};

/// Random points in the plane, 3 classes with shifted centres.
fn points(n: usize, seed: u64) -> (Precomputed<'static, f64>, Vec<u8>) {
    let mut u = common::uniforms(seed);
    let y: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
    let x: Vec<[f64; 2]> = y.iter().map(|&c| [u() * 4.0 + f64::from(c), u() * 4.0 - f64::from(c)]).collect();
    let d = Mat::from_fn(n, n, |i, j| (x[i][0] - x[j][0]).powi(2) + (x[i][1] - x[j][1]).powi(2));
    (Precomputed::new(d).unwrap(), y)
}

#[test]
fn continuing_a_stopped_fit_is_the_uninterrupted_fit() {
    let (d, y) = points(240, 5);
    for search in [Search::Exhaustive, Search::CandidateMajor, Search::Linearised { checked: 4 }] {
        let params = MedianLvqParams::new().prototypes_per_class(3).search(search).n_init(1).seed(9);
        let whole = params.fit(&d, &y).unwrap();
        assert!(whole.sweeps() >= 2, "{search:?}: the test needs a fit of several sweeps");
        let first = params.clone().max_sweeps(1).fit(&d, &y).unwrap();
        assert_eq!(first.termination(), Termination::MaxSweeps);
        let rest = params.clone().init(first.warm_start()).fit(&d, &y).unwrap();
        // The rest starts at the cost the first part ended with, bit for bit, and
        // the two parts together are the uninterrupted history.
        assert_eq!(rest.cost_history()[0].to_bits(), first.cost().to_bits());
        let joined: Vec<f64> = first.cost_history().iter().chain(&rest.cost_history()[1..]).copied().collect();
        assert_eq!(joined, whole.cost_history(), "{search:?}");
        assert_eq!(rest.prototype_indices(), whole.prototype_indices());
        // A converged model continued: no jump, the same cost.
        let again = params.clone().init(whole.warm_start()).fit(&d, &y).unwrap();
        assert_eq!((again.jumps(), again.cost().to_bits()), (0, whole.cost().to_bits()));
    }
}

#[test]
fn refitting_on_more_objects_and_another_numbering() {
    let (d, y) = points(300, 11);
    let params = MedianLvqParams::new().prototypes_per_class(2).seed(1);
    // Trained on the first 200 objects (a view: indices are those of `d`).
    let first_200 = Subset::new(&d, (0..200).collect()).unwrap();
    let old = params.fit(&first_200, &y[..200]).unwrap();
    let grown = params.clone().init(old.warm_start()).fit(&d, &y).unwrap();
    let start = MedianLvqParams::new().init(old.warm_start()).max_sweeps(1).fit(&d, &y).unwrap();
    assert_eq!(grown.cost_history()[0], start.cost_history()[0]);
    assert!(grown.cost() <= grown.cost_history()[0]);
    // The same 300 objects in reverse order: mapped, the same start and model.
    let reversed = Precomputed::new(Mat::from_fn(300, 300, |i, j| d.d(299 - i, 299 - j).unwrap())).unwrap();
    let y_rev: Vec<u8> = y.iter().rev().copied().collect();
    let mapped = params.clone().init(grown.warm_start_with(|old| Some(299 - old)).unwrap()).fit(&reversed, &y_rev).unwrap();
    // (The objects are summed in another order: the same cost up to rounding.)
    assert!((mapped.cost_history()[0] - grown.cost()).abs() <= 1e-12 * grown.cost().abs());
    let back: Vec<usize> = mapped.prototype_indices().iter().map(|&i| 299 - i).collect();
    assert_eq!(back, grown.prototype_indices());
    // A prototype the mapping cannot place is an error naming it.
    let e = grown.warm_start_with(|old| (old != grown.prototype_indices()[3]).then_some(old)).unwrap_err();
    assert!(e.to_string().contains(&format!("#3 = object {}", grown.prototype_indices()[3])), "{e}");
}

#[test]
fn neural_gas_start_and_candidate_major_search_on_real_data() {
    if !common::shared_data_or_skip("neural_gas_start_and_candidate_major_search_on_real_data") {
        return;
    }
    let (labels, s) = common::similarity_dissimilarity("protein.similarity.csv");
    let d = Precomputed::from_similarity(s.as_ref()).unwrap();
    for (init, search, candidates) in [
        (Init::NeuralGas { epochs: 100 }, Search::Exhaustive, Candidates::ReceptiveField),
        (Init::Auto, Search::CandidateMajor, Candidates::WholeClass),
        (Init::Auto, Search::CandidateMajor, Candidates::ReceptiveField),
    ] {
        let params = MedianLvqParams::new().prototypes_per_class(3).init(init.clone()).search(search).candidates(candidates);
        let model = params.fit(&d, &labels).unwrap();
        assert!(model.cost_history().windows(2).all(|w| w[1] < w[0]));
        let predicted = model.predict_objects(&d, &(0..labels.len()).collect::<Vec<_>>()).unwrap().labels;
        let acc = median_lvq::accuracy(&predicted, &labels).unwrap();
        assert!(acc > 0.9, "{init:?} {search:?} {candidates:?}: training accuracy {acc}");
        // Deterministic: the same model on one thread.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let one = pool.install(|| params.fit(&d, &labels).unwrap());
        assert_eq!(one.cost_history(), model.cost_history());
    }
}
