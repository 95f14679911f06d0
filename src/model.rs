//! The fitted model and nearest-prototype prediction.

use crate::init::argmin;
use crate::transfer::relative_distance;
use crate::{Dissimilarity, Error, Float, Search, Temperature};
use faer::{Mat, MatRef};

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Termination {
    /// A sweep accepted no jump: no prototype has an improving jump among its
    /// candidates (a local optimum of the search).
    Converged,
    /// `max_sweeps` sweeps were done.
    MaxSweeps,
    /// A sweep lowered the cost by less than `min_sweep_improvement · |E|`.
    SweepImprovement,
    /// An [`Observer`](crate::Observer) asked training to stop; the model is the
    /// best found so far (its cost history is still strictly decreasing).
    Interrupted,
}

impl Termination {
    /// A short name (`"converged"`, `"max_sweeps"`, `"sweep_improvement"`,
    /// `"interrupted"`), as saved models and the Python package spell it.
    ///
    /// ```
    /// assert_eq!(median_lvq::Termination::MaxSweeps.name(), "max_sweeps");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Termination::Converged => "converged",
            Termination::MaxSweeps => "max_sweeps",
            Termination::SweepImprovement => "sweep_improvement",
            Termination::Interrupted => "interrupted",
        }
    }
}

/// A fitted median GLVQ model: prototypes that are objects of the training source.
///
/// Obtained from [`ValidParams::fit`](crate::ValidParams::fit).
#[derive(Debug, Clone, PartialEq)]
pub struct MedianLvq<F, L> {
    prototypes: Vec<usize>,
    prototype_labels: Vec<L>,
    classes: Vec<L>,
    cost_history: Vec<f64>,
    sweeps: usize,
    termination: Termination,
    search: Search,
    pub(crate) temperature: Temperature<F>,
    /// The precision of the dissimilarities the model predicts from.
    _float: std::marker::PhantomData<fn() -> F>,
}

/// Nearest-prototype predictions for `m` objects, with everything a decision
/// needs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Prediction<F, L> {
    /// The label of each object's nearest prototype.
    pub labels: Vec<L>,
    /// Index (into the model's prototypes) of each object's nearest prototype.
    pub winners: Vec<usize>,
    /// `(d_other − d_win) / (d_other + d_win)` in `[0, 1]`: 0 on the decision border,
    /// 1 when the object coincides with its winner; `d_other` is the distance to the
    /// nearest prototype of another label.
    pub confidence: Vec<F>,
    /// Class probabilities (`m × C`, classes in the order of
    /// [`MedianLvq::classes`]) at the model's [`temperature`](MedianLvq::temperature);
    /// see [`MedianLvq::probabilities`].
    pub probabilities: Mat<F>,
    /// The `m × K` dissimilarities to the prototypes the prediction was made from
    /// (for [`MedianLvq::prototype_statistics`] and the like).
    pub dissimilarities: Mat<F>,
}

impl<F: Float, L: Clone> Prediction<F, L> {
    /// The labels with a reject option: an object whose confidence is below
    /// `threshold` gets `None` (confidence is in `[0, 1]`, so 0 rejects nothing).
    /// [`CoverageCurve`](crate::CoverageCurve) helps choose the threshold.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a NaN threshold.
    pub fn with_reject(&self, threshold: F) -> Result<Vec<Option<L>>, Error> {
        if threshold.is_nan() {
            return Err(Error::InvalidParameter { name: "threshold", value: "NaN".into(), expected: "a number (confidence is in [0, 1])" });
        }
        Ok(self.labels.iter().zip(&self.confidence).map(|(l, &c)| (c >= threshold).then(|| l.clone())).collect())
    }
}

impl<F: Float, L: Clone + PartialEq> MedianLvq<F, L> {
    /// A fitted model: prototype `k` is object `prototypes[k]` (in the numbering of
    /// the underlying data) of class `class_of[k]` (a position in `classes`).
    pub(crate) fn new(
        prototypes: Vec<usize>,
        class_of: &[usize],
        classes: &[L],
        cost_history: Vec<f64>,
        sweeps: usize,
        termination: Termination,
        search: Search,
    ) -> Self {
        let prototype_labels = class_of.iter().map(|&c| classes[c].clone()).collect();
        Self {
            prototypes,
            prototype_labels,
            classes: classes.to_vec(),
            cost_history,
            sweeps,
            termination,
            search,
            temperature: Temperature::PerObject,
            _float: std::marker::PhantomData,
        }
    }

    /// A model from checked parts (loading a saved model).
    #[cfg(feature = "serde")]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        prototypes: Vec<usize>,
        prototype_labels: Vec<L>,
        classes: Vec<L>,
        cost_history: Vec<f64>,
        sweeps: usize,
        termination: Termination,
        search: Search,
        temperature: Temperature<F>,
    ) -> Self {
        Self {
            prototypes,
            prototype_labels,
            classes,
            cost_history,
            sweeps,
            termination,
            search,
            temperature,
            _float: std::marker::PhantomData,
        }
    }

    /// Indices of the prototypes in the training data: positions in the training
    /// source, or, for a source that is a view of other data (a
    /// [`Subset`](crate::Subset)), positions in that data (see
    /// [`Dissimilarity::origin`]), so no remapping is ever needed.
    ///
    /// These index data the model does not hold: after saving a
    /// [`PortableModel`](crate::PortableModel), its prototypes are its
    /// [`objects`](crate::PortableModel::objects).
    pub fn prototype_indices(&self) -> &[usize] {
        &self.prototypes
    }
    /// Positions (in prototype order) of the prototypes of class `label`; empty
    /// for a label that is not a class.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed};
    /// # let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0_f64];
    /// # let d = Precomputed::new(faer::Mat::from_fn(8, 8, |i, j| (x[i] - x[j]).abs()))?;
    /// let model = MedianLvqParams::new().prototypes_per_class(2).fit(&d, &["a", "a", "a", "a", "b", "b", "b", "b"])?;
    /// let of_b = model.prototypes_of(&"b");
    /// assert_eq!(of_b.len(), 2);
    /// assert!(of_b.iter().all(|&k| model.prototype_labels()[k] == "b" && model.prototype_indices()[k] >= 4));
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    pub fn prototypes_of(&self, label: &L) -> Vec<usize> {
        self.prototype_labels.iter().enumerate().filter(|(_, l)| *l == label).map(|(k, _)| k).collect()
    }
    /// A start for a new fit from this model's prototypes ([`Init::Given`](crate::Init::Given)
    /// with [`prototype_indices`](Self::prototype_indices)): to continue training
    /// (more sweeps, other parameters) on the same objects, or to refit after
    /// adding objects *after* the old ones, so their indices still hold. Then one
    /// fit runs (the start is deterministic), from the old model's cost if the
    /// objects and parameters are the same. For objects numbered differently, see
    /// [`warm_start_with`](Self::warm_start_with).
    ///
    /// ```
    /// use median_lvq::{MedianLvqParams, Precomputed};
    /// let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0, 2.5, 10.5_f64];
    /// let d = |n: usize| Precomputed::new(faer::Mat::from_fn(n, n, |i, j| (x[i] - x[j]).powi(2)));
    /// let y = [0, 0, 0, 0, 1, 1, 1, 1, 0, 1];
    /// let params = MedianLvqParams::new().prototypes_per_class(2);
    /// let first = params.fit(&d(8)?, &y[..8])?;
    /// // Two objects arrive: train on all ten from where the model stands.
    /// let more = params.clone().init(first.warm_start()).fit(&d(10)?, &y)?;
    /// assert!(more.cost() <= more.cost_history()[0]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    pub fn warm_start(&self) -> crate::Init {
        crate::Init::Given(self.prototypes.clone())
    }

    /// [`warm_start`](Self::warm_start) on objects numbered differently:
    /// `locate(old)` gives the new index of the old training object `old` (a
    /// prototype), or `None` if it is not among the new objects. The prototypes
    /// keep their order; their classes come from the new labels.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed};
    /// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// # let d = Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
    /// let model = MedianLvqParams::new().fit(&d, &[0, 0, 0, 1, 1, 1])?;
    /// // The same objects, stored in reverse order.
    /// let start = model.warm_start_with(|old| Some(5 - old))?;
    /// assert_eq!(start, median_lvq::Init::Given(vec![4, 1]));
    /// assert!(model.warm_start_with(|old| (old < 3).then_some(old)).is_err());
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInitialPrototype`] naming the first prototype `locate`
    /// does not find.
    pub fn warm_start_with(&self, mut locate: impl FnMut(usize) -> Option<usize>) -> Result<crate::Init, Error> {
        self.prototypes
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                locate(index).ok_or(Error::InvalidInitialPrototype {
                    position,
                    index,
                    reason: "the mapping does not find this prototype among the new objects",
                })
            })
            .collect::<Result<Vec<usize>, Error>>()
            .map(crate::Init::Given)
    }

    /// Label of each prototype.
    pub fn prototype_labels(&self) -> &[L] {
        &self.prototype_labels
    }
    /// The distinct training labels, sorted.
    pub fn classes(&self) -> &[L] {
        &self.classes
    }
    /// The cost after initialisation and after every accepted jump, exactly as
    /// training summed it (in `f64`, whatever `F`): strictly decreasing.
    pub fn cost_history(&self) -> &[f64] {
        &self.cost_history
    }
    /// The final cost (summed in `f64`).
    pub fn cost(&self) -> f64 {
        self.cost_history.last().copied().unwrap_or(f64::NAN)
    }
    /// Sweeps done.
    pub fn sweeps(&self) -> usize {
        self.sweeps
    }
    /// Jumps accepted.
    pub fn jumps(&self) -> usize {
        self.cost_history.len().saturating_sub(1)
    }
    /// Why training stopped.
    pub fn termination(&self) -> Termination {
        self.termination
    }
    /// The search strategy that ran ([`Search::Auto`] resolved for the source).
    pub fn search(&self) -> Search {
        self.search
    }

    /// The temperature of [`Prediction::probabilities`]: [`Temperature::PerObject`]
    /// unless set by [`with_temperature`](Self::with_temperature) or
    /// [`calibrate`](Self::calibrate).
    pub fn temperature(&self) -> Temperature<F> {
        self.temperature
    }

    /// This model with another temperature for its probabilities.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a fixed temperature that is not finite and
    /// positive.
    pub fn with_temperature(mut self, temperature: Temperature<F>) -> Result<Self, Error> {
        crate::decision::check_temperature(temperature)?;
        self.temperature = temperature;
        Ok(self)
    }

    /// Predicts new objects from their dissimilarities to the prototypes: an
    /// `m × K` matrix whose row `r` holds `d(object_r, prototype_k)` in prototype
    /// order. Ties go to the lowest prototype index.
    ///
    /// This is the one prediction every other entry point ends in:
    /// [`predict_precomputed`](Self::predict_precomputed) (dissimilarities to the
    /// training objects), [`predict_objects`](Self::predict_objects) (objects of a
    /// source), and a [`PortableModel`](crate::PortableModel)'s `predict` (new
    /// vectors), `predict_with` (new objects under a function) and
    /// `predict_with_kernel`.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed};
    /// # use faer::{Mat, mat};
    /// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// # let d = Precomputed::new(Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
    /// # let model = MedianLvqParams::new().fit(&d, &[0, 0, 0, 1, 1, 1])?;
    /// // A new object at 4.0: squared distances to the prototypes at 1.0 and 11.0.
    /// let p = model.predict(mat![[9.0, 49.0]].as_ref())?;
    /// assert_eq!(p.labels, vec![0]);
    /// assert!((p.confidence[0] - 40.0 / 58.0).abs() < 1e-12);
    /// assert!(p.probabilities[(0, 0)] > 0.5);
    /// assert_eq!(p.with_reject(0.9)?, vec![None]); // not confident enough
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if there are not `K` columns; [`Error::NonFinite`] /
    /// [`Error::Negative`] naming the first bad entry (row-major).
    pub fn predict<'m>(&self, d: impl Into<crate::MatrixRef<'m, F>>) -> Result<Prediction<F, L>, Error> {
        let d = d.into();
        let d = d.as_ref();
        self.check_prototype_columns(d)?;
        let kk = self.prototypes.len();
        let m = d.nrows();
        let mut labels = Vec::with_capacity(m);
        let mut winners = Vec::with_capacity(m);
        let mut confidence = Vec::with_capacity(m);
        for r in 0..m {
            let win = argmin((0..kk).map(|k| d[(r, k)])).unwrap_or(0);
            let dw = d[(r, win)];
            let lw = &self.prototype_labels[win];
            let other = (0..kk).filter(|&k| self.prototype_labels[k] != *lw).map(|k| d[(r, k)]).fold(F::infinity(), F::min);
            // μ of the winner against the other label, negated: in [0, 1] (`0 − μ`,
            // not `−μ`, so that an object at distance 0 from everything gets +0).
            confidence.push(F::zero() - relative_distance(dw, other));
            labels.push(lw.clone());
            winners.push(win);
        }
        let probabilities = self.probabilities_unchecked(d, self.temperature);
        Ok(Prediction { labels, winners, confidence, probabilities, dissimilarities: d.to_owned() })
    }

    /// Predicts new objects from their `m × n` dissimilarities to the *training*
    /// objects (scikit-learn's "precomputed" convention): row `r`, column `j` is
    /// `d(object_r, training object j)`, in the numbering of
    /// [`prototype_indices`](Self::prototype_indices). Only the prototypes'
    /// columns are read.
    ///
    /// ```
    /// use median_lvq::{MedianLvqParams, Precomputed};
    /// use faer::Mat;
    /// let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// let d = Precomputed::new(Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).abs()))?;
    /// let model = MedianLvqParams::new().fit(&d, &["lo", "lo", "lo", "hi", "hi", "hi"])?;
    /// let new = [4.0, 9.0];
    /// let to_training = Mat::from_fn(2, 6, |r, j| (new[r] - x[j]).abs());
    /// assert_eq!(model.predict_precomputed(to_training.as_ref())?.labels, ["lo", "hi"]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if `d` has too few columns for a prototype index;
    /// as for [`predict`](Self::predict) for a bad entry of a prototype column.
    pub fn predict_precomputed<'m>(&self, d: impl Into<crate::MatrixRef<'m, F>>) -> Result<Prediction<F, L>, Error> {
        let d = d.into();
        let d = d.as_ref();
        let needed = self.prototypes.iter().max().map_or(0, |&p| p + 1);
        if d.ncols() < needed {
            return Err(Error::ShapeMismatch {
                what: "columns (one per training object; a prototype's index needs at least)",
                expected: needed,
                found: d.ncols(),
            });
        }
        let to_protos = Mat::from_fn(d.nrows(), self.prototypes.len(), |r, k| d[(r, self.prototypes[k])]);
        self.predict(to_protos.as_ref())
    }

    /// `K` columns of valid dissimilarities, or the error naming the first bad entry
    /// (row-major): the one check behind prediction and the decision tools.
    pub(crate) fn check_prototype_columns(&self, d: MatRef<'_, F>) -> Result<(), Error> {
        let kk = self.prototypes.len();
        if d.ncols() != kk {
            return Err(Error::ShapeMismatch { what: "columns (one per prototype)", expected: kk, found: d.ncols() });
        }
        crate::dissimilarity::check_finite_entries(d)
    }

    /// The `m × K` dissimilarities `d(objects[r], prototype_k)` read from a source
    /// numbered like [`prototype_indices`](Self::prototype_indices).
    pub(crate) fn prototype_dissimilarities<D: Dissimilarity<F> + ?Sized>(&self, source: &D, objects: &[usize]) -> Result<Mat<F>, Error> {
        let mut out = Mat::zeros(objects.len(), self.prototypes.len());
        let mut buf = vec![F::zero(); source.len()];
        for (k, &p) in self.prototypes.iter().enumerate() {
            let col = crate::dissimilarity::column_checked(source, p, &mut buf)?;
            for (r, &i) in objects.iter().enumerate() {
                out[(r, k)] = *col.get(i).ok_or(Error::IndexOutOfRange { what: "object", index: i, len: col.len() })?;
            }
        }
        Ok(out)
    }

    /// The prototypes' rows of the training vectors `x` (`n × p`), as a `K × p`
    /// matrix ([`with_rows`](Self::with_rows) keeps them with the model, which then
    /// predicts new vectors without the training set).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `x` has fewer rows than a prototype index needs.
    pub fn prototype_rows<'m>(&self, x: impl Into<crate::MatrixRef<'m, F>>) -> Result<Mat<F>, Error> {
        let x = x.into();
        let x = x.as_ref();
        if let Some(&bad) = self.prototypes.iter().find(|&&p| p >= x.nrows()) {
            return Err(Error::IndexOutOfRange { what: "prototype (row of the training vectors)", index: bad, len: x.nrows() });
        }
        Ok(Mat::from_fn(self.prototypes.len(), x.ncols(), |k, t| x[(self.prototypes[k], t)]))
    }

    /// Clones of the prototype objects out of the training items (strings,
    /// sequences, graphs…), in prototype order ([`with_items`](Self::with_items)
    /// keeps them with the model, which then predicts new objects without the
    /// training set).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `items` is shorter than a prototype index needs.
    pub fn prototype_items<T: Clone>(&self, items: &[T]) -> Result<Vec<T>, Error> {
        self.prototypes
            .iter()
            .map(|&p| items.get(p).cloned().ok_or(Error::IndexOutOfRange { what: "prototype (training item)", index: p, len: items.len() }))
            .collect()
    }

    /// Predicts `objects` of a source numbered like
    /// [`prototype_indices`](Self::prototype_indices) (the training source, or the
    /// data a training [`Subset`](crate::Subset) views: held-out objects of the same
    /// matrix, vectors or items).
    ///
    /// ```
    /// use median_lvq::{MedianLvqParams, Precomputed, Subset};
    /// use faer::Mat;
    /// let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0_f64];
    /// let labels = [0, 0, 0, 0, 1, 1, 1, 1];
    /// let d = Precomputed::new(Mat::from_fn(8, 8, |i, j| (x[i] - x[j]).abs()))?;
    /// let (train, test) = (vec![0, 1, 3, 4, 5, 7], vec![2, 6]);
    /// let y: Vec<i32> = train.iter().map(|&i| labels[i]).collect();
    /// let model = MedianLvqParams::new().fit(&Subset::new(&d, train)?, &y)?;
    /// // Prototype indices are positions in `d`: no remapping.
    /// assert_eq!(model.predict_objects(&d, &test)?.labels, [0, 1]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for a bad object, and any error of the source.
    pub fn predict_objects<D: Dissimilarity<F> + ?Sized>(&self, source: &D, objects: &[usize]) -> Result<Prediction<F, L>, Error> {
        self.predict(self.prototype_dissimilarities(source, objects)?.as_ref())
    }
}

/// The fraction of `predicted` equal to `truth`, in `[0, 1]`.
///
/// ```
/// assert_eq!(median_lvq::accuracy(&["a", "b", "b"], &["a", "b", "a"])?, 2.0 / 3.0);
/// # Ok::<(), median_lvq::Error>(())
/// ```
///
/// # Errors
/// [`Error::ShapeMismatch`] for different lengths, [`Error::Empty`] for none.
pub fn accuracy<L: PartialEq>(predicted: &[L], truth: &[L]) -> Result<f64, Error> {
    if predicted.len() != truth.len() {
        return Err(Error::ShapeMismatch { what: "predicted labels (one per true label)", expected: truth.len(), found: predicted.len() });
    }
    if truth.is_empty() {
        return Err(Error::Empty { what: "the label list" });
    }
    let hits = predicted.iter().zip(truth).filter(|(p, t)| p == t).count();
    Ok(hits as f64 / truth.len() as f64)
}
