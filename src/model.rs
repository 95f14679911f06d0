//! The fitted model and nearest-prototype prediction.

use crate::classes::Classes;
use crate::init::argmin;
use crate::transfer::relative_distance;
use crate::{Dissimilarity, Error, Float, Search};
use faer::{Mat, MatRef};

/// Why training stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Termination {
    /// A sweep accepted no jump: no prototype has an improving jump among its
    /// candidates (a local optimum of the search).
    Converged,
    /// `max_iter` sweeps were done.
    MaxIter,
    /// A sweep lowered the cost by less than `epsilon · |E|`.
    Epsilon,
    /// An [`Observer`](crate::Observer) asked training to stop; the model is the
    /// best found so far (its cost history is still strictly decreasing).
    Interrupted,
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
    /// The precision of the dissimilarities the model predicts from.
    _float: std::marker::PhantomData<fn() -> F>,
}

/// Nearest-prototype predictions for `m` objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction<F, L> {
    /// The label of each object's nearest prototype.
    pub labels: Vec<L>,
    /// Index (into the model's prototypes) of each object's nearest prototype.
    pub winners: Vec<usize>,
    /// `(d_other − d_win) / (d_other + d_win)` in `[0, 1]`: 0 on the decision border,
    /// 1 when the object coincides with its winner; `d_other` is the distance to the
    /// nearest prototype of another label.
    pub confidence: Vec<F>,
}

impl<F: Float, L: Clone + PartialEq> MedianLvq<F, L> {
    pub(crate) fn new(
        prototypes: Vec<usize>,
        classes: &Classes<L>,
        cost_history: Vec<f64>,
        sweeps: usize,
        termination: Termination,
        search: Search,
    ) -> Self
    where
        L: Ord,
    {
        let prototype_labels = prototypes.iter().map(|&p| classes.labels[classes.y[p]].clone()).collect();
        Self {
            prototypes,
            prototype_labels,
            classes: classes.labels.clone(),
            cost_history,
            sweeps,
            termination,
            search,
            _float: std::marker::PhantomData,
        }
    }

    /// A model from checked parts (loading a saved model).
    #[cfg(feature = "serde")]
    pub(crate) fn from_parts(
        prototypes: Vec<usize>,
        prototype_labels: Vec<L>,
        classes: Vec<L>,
        cost_history: Vec<f64>,
        sweeps: usize,
        termination: Termination,
        search: Search,
    ) -> Self {
        Self { prototypes, prototype_labels, classes, cost_history, sweeps, termination, search, _float: std::marker::PhantomData }
    }

    /// Object indices (into the training source) of the prototypes.
    pub fn prototypes(&self) -> &[usize] {
        &self.prototypes
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

    /// Predicts from an `m × K` matrix whose row `r` holds the dissimilarities
    /// `d(object_r, prototype_k)` in the order of [`prototypes`](Self::prototypes).
    /// Ties go to the lowest prototype index.
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
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if there are not `K` columns; [`Error::NonFinite`] /
    /// [`Error::Negative`] naming the first bad entry (row-major).
    pub fn predict(&self, d: MatRef<'_, F>) -> Result<Prediction<F, L>, Error> {
        self.check_prototype_columns(d)?;
        let kk = self.prototypes.len();
        let m = d.nrows();
        let mut out = Prediction { labels: Vec::with_capacity(m), winners: Vec::with_capacity(m), confidence: Vec::with_capacity(m) };
        for r in 0..m {
            let win = argmin((0..kk).map(|k| d[(r, k)])).unwrap_or(0);
            let dw = d[(r, win)];
            let lw = &self.prototype_labels[win];
            let other = (0..kk).filter(|&k| self.prototype_labels[k] != *lw).map(|k| d[(r, k)]).fold(F::infinity(), F::min);
            // μ of the winner against the other label, negated: in [0, 1] (`0 − μ`,
            // not `−μ`, so that an object at distance 0 from everything gets +0).
            out.confidence.push(F::zero() - relative_distance(dw, other));
            out.labels.push(lw.clone());
            out.winners.push(win);
        }
        Ok(out)
    }

    /// `K` columns of valid dissimilarities, or the error naming the first bad entry
    /// (row-major): the one check behind prediction and the decision tools.
    pub(crate) fn check_prototype_columns(&self, d: MatRef<'_, F>) -> Result<(), Error> {
        let kk = self.prototypes.len();
        if d.ncols() != kk {
            return Err(Error::ShapeMismatch { what: "columns (one per prototype)", expected: kk, found: d.ncols() });
        }
        match crate::dissimilarity::first_bad_entry(d) {
            Some((row, col, v)) => crate::error::check_finite_dissimilarity(row, col, v),
            None => Ok(()),
        }
    }

    /// The `m × K` dissimilarities `d(objects[r], prototype_k)` read from a source
    /// whose object indices are those of the training source (e.g. the training
    /// source itself, holding also objects not used in training).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] and any error of the source.
    pub fn prototype_dissimilarities<D: Dissimilarity<F> + ?Sized>(&self, source: &D, objects: &[usize]) -> Result<Mat<F>, Error> {
        let mut out = Mat::zeros(objects.len(), self.prototypes.len());
        let mut buf = vec![F::zero(); source.len()];
        for (k, &p) in self.prototypes.iter().enumerate() {
            let col = source.column(p, &mut buf)?;
            for (r, &i) in objects.iter().enumerate() {
                out[(r, k)] = *col.get(i).ok_or(Error::IndexOutOfRange { what: "object", index: i, len: col.len() })?;
            }
        }
        Ok(out)
    }

    /// The prototypes' rows of the training vectors `x` (`n × p`), as a `K × p`
    /// matrix: with them the model predicts new vectors without the training set
    /// (see [`SquaredEuclidean::dissimilarities_to`](crate::SquaredEuclidean::dissimilarities_to)).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `x` has fewer rows than a prototype index needs.
    pub fn prototype_rows(&self, x: MatRef<'_, F>) -> Result<Mat<F>, Error> {
        if let Some(&bad) = self.prototypes.iter().find(|&&p| p >= x.nrows()) {
            return Err(Error::IndexOutOfRange { what: "prototype (row of the training vectors)", index: bad, len: x.nrows() });
        }
        Ok(Mat::from_fn(self.prototypes.len(), x.ncols(), |k, t| x[(self.prototypes[k], t)]))
    }

    /// Clones of the prototype objects out of the training items (strings,
    /// sequences, graphs…), in prototype order: with them and the dissimilarity
    /// function the model predicts new objects without the training set.
    ///
    /// ```
    /// use median_lvq::{FunctionSource, MedianLvqParams};
    /// let words = ["cat", "cap", "car", "dog", "dot", "dig"].map(String::from);
    /// let first_letter = |a: &String, b: &String| if a[..1] == b[..1] { 0.0 } else { 1.0 } + (a.len() as f64 - b.len() as f64).abs();
    /// let model = MedianLvqParams::new().fit(&FunctionSource::new(&words, first_letter), &["c", "c", "c", "d", "d", "d"])?;
    /// let kept: Vec<String> = model.prototype_items(&words)?;
    /// let all: Vec<usize> = (0..kept.len()).collect();
    /// let d = FunctionSource::new(&kept, first_letter).dissimilarities_to(&["cow".to_string()], &all)?;
    /// assert_eq!(model.predict(d.as_ref())?.labels, vec!["c"]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] if `items` is shorter than a prototype index needs.
    pub fn prototype_items<T: Clone>(&self, items: &[T]) -> Result<Vec<T>, Error> {
        self.prototypes
            .iter()
            .map(|&p| items.get(p).cloned().ok_or(Error::IndexOutOfRange { what: "prototype (training item)", index: p, len: items.len() }))
            .collect()
    }

    /// Predicts `objects` of a source indexed like the training source; see
    /// [`prototype_dissimilarities`](Self::prototype_dissimilarities).
    ///
    /// # Errors
    /// As for [`prototype_dissimilarities`](Self::prototype_dissimilarities).
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
