//! Equivalent sources give the same model; new objects are predicted as from explicit
//! dissimilarities; results do not depend on the thread count.

mod common;

use faer::Mat;
use median_lvq::{
    Candidates, Dissimilarity, FunctionSource, Init, KernelSource, MedianLvq, MedianLvqParams, Precomputed, Search, SquaredEuclidean,
    Standardizer, Subset, Transfer, datasets, kernels,
};

/// z-scored copy of `x` (column means and population deviations).
fn standardise(x: &Mat<f64>) -> Mat<f64> {
    let all: Vec<usize> = (0..x.nrows()).collect();
    Standardizer::fit(x.as_ref(), &all).unwrap().transform(x.as_ref()).unwrap()
}

/// iris, wine (shipped) and breast cancer (from ../shared/data, when there),
/// standardised.
fn data_sets() -> Vec<(&'static str, Mat<f64>, Vec<i64>)> {
    let mut out: Vec<(&str, Mat<f64>, Vec<i64>)> = Vec::new();
    for (name, d) in [("iris", datasets::iris::<f64>()), ("wine", datasets::wine())] {
        out.push((name, standardise(&d.features), d.labels.iter().map(|&l| l as i64).collect()));
    }
    if !common::shared_data_or_skip("breast cancer in the source tests") {
        return out;
    }
    let (labels, rows) = common::read_csv("breast_cancer.vectors.csv");
    let x = Mat::from_fn(rows.len(), rows[0].len(), |i, j| rows[i][j]);
    out.push(("breast cancer", standardise(&x), labels));
    out
}

fn strictly_decreasing<L: Clone + Ord>(m: &MedianLvq<impl median_lvq::Float, L>) -> bool {
    m.cost_history().windows(2).all(|w| w[1] < w[0])
}

#[test]
fn vectors_and_their_precomputed_matrix_give_the_same_model() {
    for (name, z, labels) in data_sets() {
        let vectors = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
        let matrix = Precomputed::squared_euclidean(z.as_ref()).unwrap();
        for k in 1..=3 {
            // From the same start, exhaustive search reads only columns, and the
            // matrix is built with the vector source's own column routine: the same
            // values bit for bit, so the same path.
            let same_start = MedianLvqParams::new().prototypes_per_class(k).search(Search::Exhaustive).init(Init::StratifiedRandom).seed(3);
            let (a, b) = (same_start.fit(&vectors, &labels).unwrap(), same_start.fit(&matrix, &labels).unwrap());
            assert_eq!(a.cost_history(), b.cost_history(), "{name} K={k}");
            assert_eq!(a.prototype_indices(), b.prototype_indices(), "{name} K={k}");
            let mut exhaustive_cost = 0.0;
            for search in [Search::Exhaustive, Search::Linearised { checked: 8 }] {
                let params = MedianLvqParams::new().prototypes_per_class(k).search(search).seed(1);
                let a = params.fit(&vectors, &labels).unwrap();
                let b = params.fit(&matrix, &labels).unwrap();
                assert!(strictly_decreasing(&a) && strictly_decreasing(&b), "{name} K={k} {search:?}: cost rose");
                match search {
                    // The k-medoids start uses weighted sums, which the two sources
                    // compute differently (closed form vs matrix product): at a
                    // near-tie the paths may differ. The end must not.
                    Search::Exhaustive => {
                        assert_eq!(a.prototype_indices(), b.prototype_indices(), "{name} K={k} {search:?}");
                        assert!(
                            (a.cost() - b.cost()).abs() <= 1e-9 * a.cost().abs().max(1.0),
                            "{name} K={k}: {} vs {}",
                            a.cost(),
                            b.cost()
                        );
                        exhaustive_cost = a.cost();
                    }
                    // Over vectors the linearised search proposes a sweep at a time,
                    // over a matrix a prototype at a time: two searches, which both
                    // end within 1% of the exhaustive cost.
                    _ => {
                        for m in [&a, &b] {
                            assert!(
                                m.cost() <= exhaustive_cost + 0.01 * exhaustive_cost.abs(),
                                "{name} K={k}: {} vs {exhaustive_cost}",
                                m.cost()
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn f32_vectors_agree_with_their_f32_matrix_and_with_f64() {
    for (name, z, labels) in data_sets() {
        let z32 = Mat::from_fn(z.nrows(), z.ncols(), |i, j| z[(i, j)] as f32);
        let vectors = SquaredEuclidean::from_ref(z32.as_ref()).unwrap();
        let matrix = Precomputed::squared_euclidean(z32.as_ref()).unwrap();
        let v64 = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
        for k in 1..=3 {
            let same_start = MedianLvqParams::<f32>::new().prototypes_per_class(k).search(Search::Exhaustive).init(Init::StratifiedRandom);
            let (a, b) = (same_start.fit(&vectors, &labels).unwrap(), same_start.fit(&matrix, &labels).unwrap());
            assert_eq!(a.cost_history(), b.cost_history(), "{name} K={k}: identical in f32 too");
            let params = MedianLvqParams::<f32>::new().prototypes_per_class(k).seed(1);
            let (a, b) = (params.fit(&vectors, &labels).unwrap(), params.fit(&matrix, &labels).unwrap());
            let c = MedianLvqParams::<f64>::new().prototypes_per_class(k).seed(1).fit(&v64, &labels).unwrap();
            // Stated tolerance: f32 rounding may break a near-tie (of the start or of
            // a jump) the other way, ending in a neighbouring local optimum; the final
            // costs agree within 2 % relative.
            let rel = |x: f64, y: f64| (x - y).abs() / y.abs().max(1.0);
            assert!(rel(a.cost(), b.cost()) < 0.02, "{name} K={k}: {} vs {}", a.cost(), b.cost());
            assert!(rel(a.cost(), c.cost()) < 0.02, "{name} K={k}: f32 {} vs f64 {}", a.cost(), c.cost());
        }
    }
}

#[test]
fn linear_kernel_gives_the_squared_euclidean_model() {
    let d = datasets::iris::<f64>();
    let z = standardise(&d.features);
    let rows: Vec<Vec<f64>> = (0..z.nrows()).map(|i| (0..z.ncols()).map(|j| z[(i, j)]).collect()).collect();
    let kernel = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
    let vectors = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
    for k in 1..=3 {
        let params = MedianLvqParams::new().prototypes_per_class(k);
        let (a, b) = (params.fit(&kernel, &d.labels).unwrap(), params.fit(&vectors, &d.labels).unwrap());
        assert_eq!(a.prototype_indices(), b.prototype_indices(), "K={k}");
        assert!((a.cost() - b.cost()).abs() < 1e-9 * a.cost().abs(), "K={k}");
    }
}

/// Trains on the first 120 of 150 shuffled iris flowers; the rest are new objects.
#[test]
fn new_objects_are_predicted_as_from_explicit_dissimilarities() {
    let d = datasets::iris::<f64>();
    let z = standardise(&d.features);
    let order: Vec<usize> = (0..150).map(|i| (i * 37) % 150).collect();
    let (train, test) = order.split_at(120);
    let xt = Mat::from_fn(120, 4, |r, j| z[(train[r], j)]);
    let xn = Mat::from_fn(30, 4, |r, j| z[(test[r], j)]);
    let y: Vec<i64> = train.iter().map(|&i| d.labels[i] as i64).collect();
    let full = Precomputed::squared_euclidean(z.as_ref()).unwrap();
    let explicit = |protos: &[usize]| Mat::from_fn(30, protos.len(), |r, k| full.d(test[r], train[protos[k]]).unwrap());
    let same = |a: &Mat<f64>, b: &Mat<f64>| {
        (0..a.nrows()).all(|r| (0..a.ncols()).all(|k| (a[(r, k)] - b[(r, k)]).abs() <= 1e-9 * (1.0 + b[(r, k)])))
    };

    // Vectors: through the training source and through the kept prototype rows only.
    let vectors = SquaredEuclidean::from_ref(xt.as_ref()).unwrap();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&vectors, &y).unwrap();
    let want = model.predict(explicit(model.prototype_indices()).as_ref()).unwrap();
    let agree = |a: &median_lvq::Prediction<f64, i64>, b: &median_lvq::Prediction<f64, i64>| {
        a.labels == b.labels && a.winners == b.winners && a.confidence.iter().zip(&b.confidence).all(|(x, y)| (x - y).abs() < 1e-9)
    };
    // One call with the kept prototype rows; its dissimilarities are the explicit ones.
    let kept = model.with_rows(xt.as_ref()).unwrap();
    let via_rows = kept.predict(xn.as_ref()).unwrap();
    assert!(same(&via_rows.dissimilarities, &explicit(model.prototype_indices())));
    assert!(agree(&via_rows, &want));
    // The precomputed convention: dissimilarities to every training object.
    let to_training = Mat::from_fn(30, 120, |r, j| full.d(test[r], train[j]).unwrap());
    assert!(agree(&model.predict_precomputed(to_training.as_ref()).unwrap(), &want));

    // User objects: rows as Vec<f64> with a user function, and a linear kernel.
    let rows: Vec<Vec<f64>> = (0..120).map(|r| (0..4).map(|j| xt[(r, j)]).collect()).collect();
    let new_rows: Vec<Vec<f64>> = (0..30).map(|r| (0..4).map(|j| xn[(r, j)]).collect()).collect();
    let sq = |a: &Vec<f64>, b: &Vec<f64>| a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum::<f64>();
    let function = FunctionSource::new(&rows, sq).with_cache(16);
    let fmodel = MedianLvqParams::new().prototypes_per_class(2).fit(&function, &y).unwrap();
    let fwant = fmodel.predict(explicit(fmodel.prototype_indices()).as_ref()).unwrap();
    let items = fmodel.with_items(&rows).unwrap();
    assert!(agree(&items.predict_with(&new_rows, sq).unwrap(), &fwant));
    let kd = items.predict_with_kernel(&new_rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
    assert!(same(&kd.dissimilarities, &explicit(fmodel.prototype_indices())));
    assert!(agree(&kd, &fwant));
}

#[test]
fn vector_function_and_kernel_sources_give_the_same_model_on_one_and_two_threads() {
    let d = datasets::wine::<f64>();
    let z = standardise(&d.features);
    let rows: Vec<Vec<f64>> = (0..z.nrows()).map(|i| (0..z.ncols()).map(|j| z[(i, j)]).collect()).collect();
    let vectors = SquaredEuclidean::from_ref(z.as_ref()).unwrap();
    let l1 = |a: &Vec<f64>, b: &Vec<f64>| a.iter().zip(b).map(|(u, v)| (u - v).abs()).sum::<f64>();
    let function = FunctionSource::new(&rows, l1).with_cache(8);
    let kernel = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.05)).unwrap();
    let sources: [(&str, &dyn Dissimilarity<f64>); 3] = [("vectors", &vectors), ("function", &function), ("kernel", &kernel)];
    for (name, source) in sources {
        for search in [Search::Exhaustive, Search::Linearised { checked: 4 }] {
            let params = MedianLvqParams::new().prototypes_per_class(3).search(search).n_init(2).seed(7);
            let run = |threads| {
                rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| params.fit(source, &d.labels).unwrap())
            };
            assert_eq!(run(1), run(2), "{name} {search:?}");
        }
    }
}

/// The sweep-level linearised search over vectors sums its passes over fixed blocks
/// of rows: with many blocks, the model does not depend on the thread count, for
/// both candidate sets and a non-linear transfer.
#[test]
fn sweep_level_proposals_give_the_same_model_on_one_two_and_three_threads() {
    let n = 5000;
    let x = Mat::from_fn(n, 6, |i, j| (((i * (7 + 2 * j) + j * 13) % 101) as f64 * 0.37 + (i % 5) as f64 * (j % 3) as f64).sin() * 3.0);
    let y: Vec<usize> = (0..n).map(|i| (i % 5 + (x[(i, 0)] > 0.5) as usize) % 4).collect();
    let vectors = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
    for (candidates, transfer) in
        [(Candidates::ReceptiveField, Transfer::Identity), (Candidates::WholeClass, Transfer::Sigmoid { beta: 3.0 })]
    {
        let params = MedianLvqParams::new().prototypes_per_class(3).candidates(candidates).transfer(transfer).n_init(1).seed(5);
        let run =
            |threads| rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| params.fit(&vectors, &y).unwrap());
        let one = run(1);
        assert_eq!(one.search(), Search::Linearised { checked: 8 });
        assert!(one.jumps() > 0 && strictly_decreasing(&one), "{candidates:?}");
        assert_eq!(one, run(2), "{candidates:?}");
        assert_eq!(one, run(3), "{candidates:?}");
    }
}

#[test]
fn auto_search_goes_linearised_only_on_large_vector_sources() {
    let x = Mat::from_fn(2500, 3, |i, j| ((i * 7 + j * 13) % 101) as f64);
    let y: Vec<usize> = (0..2500).map(|i| i % 2).collect();
    let big = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
    let small = SquaredEuclidean::from_ref(x.as_ref().subrows(0, 200)).unwrap();
    let params = MedianLvqParams::new().max_sweeps(1);
    assert_eq!(params.fit(&big, &y).unwrap().search(), Search::Linearised { checked: 8 });
    assert_eq!(params.fit(&small, &y[..200]).unwrap().search(), Search::Exhaustive);
    let m = Precomputed::squared_euclidean(x.as_ref()).unwrap();
    assert_eq!(params.fit(&m, &y).unwrap().search(), Search::Exhaustive);
}

/// ndarray views in every layout give the model of the faer matrix; contiguous
/// ones are borrowed, strided ones copied once.
#[cfg(feature = "ndarray")]
#[test]
fn ndarray_views_train_and_predict_like_faer() {
    let d = datasets::iris::<f64>();
    let z = standardise(&d.features);
    let c = ndarray::Array2::from_shape_fn((150, 4), |(i, j)| z[(i, j)]);
    let f = c.t().as_standard_layout().into_owned().reversed_axes(); // column-major copy
    let padded = ndarray::Array2::from_shape_fn((150, 8), |(i, j)| if j % 2 == 0 { z[(i, j / 2)] } else { f64::NAN });
    let strided = padded.slice(ndarray::s![.., ..;2]);
    let params = MedianLvqParams::new().prototypes_per_class(2);
    let want = params.fit(&SquaredEuclidean::from_ref(&z).unwrap(), &d.labels).unwrap();
    for (name, view) in [("C", c.view()), ("F", f.view()), ("strided", strided)] {
        let model = params.fit(&SquaredEuclidean::from_ref(view).unwrap(), &d.labels).unwrap();
        assert_eq!(model, want, "{name}");
        let m = Precomputed::squared_euclidean(view).unwrap();
        assert_eq!(params.fit(&m, &d.labels).unwrap().prototype_indices(), want.prototype_indices(), "{name}");
        let p = want.with_rows(view).unwrap().predict(view.slice(ndarray::s![..10, ..])).unwrap();
        assert_eq!(p.labels, want.with_rows(&z).unwrap().predict(z.as_ref().subrows(0, 10)).unwrap().labels, "{name}");
    }
    assert!(!median_lvq::MatrixRef::from(c.view()).is_copy() && !median_lvq::MatrixRef::from(f.view()).is_copy());
    assert!(median_lvq::MatrixRef::from(strided).is_copy());
}

/// A source that computes its columns is computed once when the matrix fits the
/// budget: the model is the one of the lazy path bit for bit (vectors, a user
/// function, a kernel, through a subset too), and each column is computed once.
#[test]
fn computing_the_matrix_once_changes_nothing_but_the_work() {
    let d = datasets::wine::<f64>();
    let z = standardise(&d.features);
    let rows: Vec<Vec<f64>> = (0..z.nrows()).map(|i| (0..z.ncols()).map(|j| z[(i, j)]).collect()).collect();
    let labels: Vec<i64> = d.labels.iter().map(|&l| l as i64).collect();
    let sq = |a: &Vec<f64>, b: &Vec<f64>| a.iter().zip(b).map(|(u, v)| (u - v) * (u - v)).sum::<f64>();
    let vectors = SquaredEuclidean::from_ref(&z).unwrap();
    let function = FunctionSource::new(&rows, sq);
    let kernel = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.1)).unwrap();
    let keep: Vec<usize> = (0..rows.len()).filter(|i| i % 4 != 0).collect();
    let subset = Subset::new(&vectors, keep.clone()).unwrap();
    let sub_labels: Vec<i64> = keep.iter().map(|&i| labels[i]).collect();
    for k in [1, 3] {
        let stored = MedianLvqParams::new().prototypes_per_class(k).search(Search::Exhaustive);
        let lazy = stored.clone().matrix_budget(0);
        for (name, a, b) in [
            ("vectors", stored.fit(&vectors, &labels).unwrap(), lazy.fit(&vectors, &labels).unwrap()),
            ("function", stored.fit(&function, &labels).unwrap(), lazy.fit(&function, &labels).unwrap()),
            ("kernel", stored.fit(&kernel, &labels).unwrap(), lazy.fit(&kernel, &labels).unwrap()),
            ("subset", stored.fit(&subset, &sub_labels).unwrap(), lazy.fit(&subset, &sub_labels).unwrap()),
        ] {
            assert_eq!(a, b, "{name} K={k}");
        }
    }
    let cached = FunctionSource::new(&rows, sq).with_cache(rows.len());
    MedianLvqParams::new().prototypes_per_class(3).fit(&cached, &labels).unwrap();
    assert_eq!(cached.cache_stats().map(|(_, misses)| misses), Some(rows.len() as u64), "every column computed once");
}

/// A subset of vectors is vectors again (a copy of its rows, the same values bit for
/// bit), so the sweep-level search trains on it exactly as on those rows; an object
/// repeated in the subset would not be at distance 0 from its copy, so there is none.
#[test]
fn a_subset_of_vectors_trains_as_its_rows() {
    let n = 3300;
    let x = Mat::from_fn(n, 4, |i, j| ((i * (3 + j) + 7 * j) % 97) as f64 * 0.1 + (i % 7) as f64 * 0.01);
    let vectors = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
    let objects: Vec<usize> = (0..n).rev().filter(|i| i % 3 != 1).collect();
    let subset = Subset::new(&vectors, objects.clone()).unwrap();
    let rows = subset.squared_euclidean().expect("vectors");
    let mut a = vec![0.0; objects.len()];
    let mut b = vec![0.0; objects.len()];
    for c in [0, 1, 17, objects.len() - 1] {
        assert_eq!(rows.column(c, &mut a).unwrap(), subset.column(c, &mut b).unwrap(), "column {c}");
    }
    let y: Vec<usize> = objects.iter().map(|&i| (i / 7 + (x[(i, 0)] > 5.0) as usize) % 3).collect();
    let copy = SquaredEuclidean::new(Mat::from_fn(objects.len(), 4, |r, j| x[(objects[r], j)])).unwrap();
    let params = MedianLvqParams::new().prototypes_per_class(2).n_init(2).seed(4);
    let (on_subset, on_copy) = (params.fit(&subset, &y).unwrap(), params.fit(&copy, &y).unwrap());
    assert_eq!(on_subset.search(), Search::Linearised { checked: 8 });
    assert_eq!(on_subset.cost_history(), on_copy.cost_history());
    let mapped: Vec<usize> = on_copy.prototype_indices().iter().map(|&r| objects[r]).collect();
    assert_eq!(on_subset.prototype_indices(), mapped.as_slice(), "prototypes reported in the parent's numbering");
    assert!(Subset::new(&vectors, vec![3, 5, 3]).unwrap().squared_euclidean().is_none());
}
