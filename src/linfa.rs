//! linfa integration (feature `linfa`): the parameters are a linfa `ParamGuard`,
//! validated parameters `Fit` a `Dataset` of vectors (squared Euclidean) or of a
//! precomputed dissimilarity matrix, and the fitted models `Predict`.
//!
//! The crate's own `fit`/`predict` methods share linfa's names, and Rust prefers
//! them in method calls, so call linfa's traits by path:
//!
//! ```
//! use linfa::prelude::*;
//! use median_lvq::{MedianLvqParams, Precomputed};
//! use ndarray::{Array1, Array2, array};
//!
//! // Vectors: a Dataset of rows; the model keeps its prototype rows.
//! let x: Array2<f64> = array![[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]];
//! let data = Dataset::new(x, array![0usize, 0, 0, 1, 1, 1]);
//! let model = Fit::fit(&MedianLvqParams::new().prototypes_per_class(1), &data)?;
//! let predicted: Array1<usize> = Predict::predict(&model, &array![[3.0], [9.0]])?;
//! assert_eq!(predicted, array![0, 1]);
//!
//! // A precomputed matrix: the Dataset's records are the source itself; new objects
//! // come as their dissimilarities to the training objects (m × n).
//! let pts = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
//! let d = Array2::from_shape_fn((6, 6), |(i, j)| (pts[i] - pts[j]).abs());
//! let data = DatasetBase::new(Precomputed::from_ref(d.view())?, array![0usize, 0, 0, 1, 1, 1]);
//! let model = Fit::fit(&MedianLvqParams::new(), &data)?;
//! let new = Array2::from_shape_fn((1, 6), |(_, j)| (9.0 - pts[j]).abs());
//! let predicted: Array1<usize> = Predict::predict(&model, &new)?;
//! assert_eq!(predicted, array![1]);
//! # Ok::<(), median_lvq::Error>(())
//! ```

use crate::{Dissimilarity, Error, Float, MedianLvq, MedianLvqParams, PortableModel, Precomputed, SquaredEuclidean, ValidParams};
use linfa::dataset::{AsSingleTargets, DatasetBase, Records};
use linfa::traits::{Fit, Predict};
use ndarray::{Array1, ArrayBase, Data, Ix2};

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::Linfa { message: e.to_string() }
    }
}

impl<F: Float> linfa::ParamGuard for MedianLvqParams<F> {
    type Checked = ValidParams<F>;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidParams<F>, Error> {
        self.validate()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<ValidParams<F>, Error> {
        self.validate()?;
        Ok(self.0)
    }
}

/// Vectors: trained as [`SquaredEuclidean`] (never `n × n`); the fitted model
/// keeps its prototype rows, so it predicts new rows without the training set.
impl<F, L, D, T> Fit<ArrayBase<D, Ix2>, T, Error> for ValidParams<F>
where
    F: Float,
    L: Clone + Ord,
    D: Data<Elem = F>,
    T: AsSingleTargets<Elem = L>,
{
    type Object = PortableModel<F, L, Vec<F>>;

    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Self::Object, Error> {
        let source = SquaredEuclidean::from_ref(dataset.records().view())?;
        let labels: Vec<L> = dataset.targets().as_single_targets().iter().cloned().collect();
        ValidParams::fit(self, &source, &labels)?.with_rows(source.rows())
    }
}

/// A precomputed matrix as linfa records: `n` samples of `n` dissimilarities.
impl<F: Float> Records for Precomputed<'_, F> {
    type Elem = F;

    fn nsamples(&self) -> usize {
        self.len()
    }

    fn nfeatures(&self) -> usize {
        self.len()
    }
}

/// A precomputed matrix: the model's prototype indices number its objects.
impl<'a, F, L, T> Fit<Precomputed<'a, F>, T, Error> for ValidParams<F>
where
    F: Float,
    L: Clone + Ord,
    T: AsSingleTargets<Elem = L>,
{
    type Object = MedianLvq<F, L>;

    fn fit(&self, dataset: &DatasetBase<Precomputed<'a, F>, T>) -> Result<Self::Object, Error> {
        let labels: Vec<L> = dataset.targets().as_single_targets().iter().cloned().collect();
        ValidParams::fit(self, dataset.records(), &labels)
    }
}

/// New vectors, one per row.
impl<F, L, D> Predict<&ArrayBase<D, Ix2>, Result<Array1<L>, Error>> for PortableModel<F, L, Vec<F>>
where
    F: Float,
    L: Clone + PartialEq,
    D: Data<Elem = F>,
{
    fn predict(&self, x: &ArrayBase<D, Ix2>) -> Result<Array1<L>, Error> {
        Ok(Array1::from(PortableModel::predict(self, x.view())?.labels))
    }
}

/// New objects as their `m × n` dissimilarities to the training objects
/// (scikit-learn's precomputed convention; see [`MedianLvq::predict_precomputed`]).
impl<F, L, D> Predict<&ArrayBase<D, Ix2>, Result<Array1<L>, Error>> for MedianLvq<F, L>
where
    F: Float,
    L: Clone + PartialEq,
    D: Data<Elem = F>,
{
    fn predict(&self, d: &ArrayBase<D, Ix2>) -> Result<Array1<L>, Error> {
        Ok(Array1::from(self.predict_precomputed(d.view())?.labels))
    }
}
