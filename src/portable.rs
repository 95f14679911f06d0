//! A fitted model together with its prototype objects: it predicts new objects
//! without the training set.

use crate::{Error, Float, MedianLvq, Prediction};
use faer::Mat;

/// A model and copies of its prototype objects (vector rows, strings, sequences…),
/// in prototype order. Saved and loaded as one record with the `serde` feature.
///
/// Its prototypes *are* [`objects`](Self::objects); the indices of
/// [`MedianLvq::prototype_indices`] refer to the training data, which this value
/// does not hold. New objects are predicted in one call: [`predict`](Self::predict)
/// for vectors (squared Euclidean), [`predict_with`](Self::predict_with) for any
/// dissimilarity function, [`predict_with_kernel`](Self::predict_with_kernel) for a
/// kernel.
///
/// ```
/// use median_lvq::{MedianLvqParams, SquaredEuclidean};
/// let x = faer::mat![[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]];
/// let model = MedianLvqParams::new().fit(&SquaredEuclidean::from_ref(x.as_ref())?, &[0, 0, 0, 1, 1, 1])?;
/// let portable = model.with_rows(x.as_ref())?;
/// // Later, without `x`:
/// assert_eq!(portable.predict(faer::mat![[3.0], [9.0]].as_ref())?.labels, [0, 1]);
/// # Ok::<(), median_lvq::Error>(())
/// ```
///
/// To keep your own metadata with it (a reject threshold, a description), save a
/// struct of your own that holds both; the model's record checks itself on load:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// # use median_lvq::{MedianLvqParams, PortableModel, SquaredEuclidean};
/// # let x = faer::mat![[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]];
/// # let model = MedianLvqParams::new().fit(&SquaredEuclidean::from_ref(x.as_ref())?, &[0, 0, 0, 1, 1, 1])?;
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Saved {
///     model: PortableModel<f64, i32, Vec<f64>>,
///     reject_below: f64,
/// }
/// let json = serde_json::to_string(&Saved { model: model.with_rows(x.as_ref())?, reject_below: 0.2 }).expect("saved");
/// let back: Saved = serde_json::from_str(&json).expect("loaded");
/// let p = back.model.predict(faer::mat![[6.0]].as_ref())?;
/// assert_eq!(p.with_reject(back.reject_below)?, [None]); // on the border
/// # }
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PortableModel<F, L, T> {
    pub(crate) model: MedianLvq<F, L>,
    pub(crate) objects: Vec<T>,
}

impl<F: Float, L: Clone + PartialEq, T> PortableModel<F, L, T> {
    /// The model.
    pub fn model(&self) -> &MedianLvq<F, L> {
        &self.model
    }
    /// The prototype objects, in prototype order.
    pub fn objects(&self) -> &[T] {
        &self.objects
    }
    /// Both parts.
    pub fn into_parts(self) -> (MedianLvq<F, L>, Vec<T>) {
        (self.model, self.objects)
    }
}

impl<F: Float, L: Clone + PartialEq, T: Sync> PortableModel<F, L, T> {
    /// Predicts new objects under the dissimilarity `f(object, prototype)` the
    /// model was trained with (evaluated `m × K` times, rows in parallel): any
    /// `Fn(&T, &T) -> F`, or a fallible one wrapped in [`Fallible`](crate::Fallible).
    ///
    /// ```
    /// use median_lvq::{FunctionSource, MedianLvqParams};
    /// let words = ["cat", "cap", "car", "dog", "dot", "dig"].map(String::from);
    /// let first_letter = |a: &String, b: &String| if a[..1] == b[..1] { 0.0 } else { 1.0 } + (a.len() as f64 - b.len() as f64).abs();
    /// let model = MedianLvqParams::new().fit(&FunctionSource::new(&words, first_letter), &["c", "c", "c", "d", "d", "d"])?;
    /// let portable = model.with_items(&words)?;
    /// assert_eq!(portable.predict_with(&["cow".to_string()], first_letter)?.labels, ["c"]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NonFinite`] / [`Error::Negative`] for a value of `f`, and
    /// [`Error::Source`] for its failure, named by (new object, prototype position).
    pub fn predict_with<G: crate::PairFunction<T, F>>(&self, new: &[T], f: G) -> Result<Prediction<F, L>, Error> {
        let objects = &self.objects;
        let d = to_prototypes(new.len(), objects.len(), |r, k| match f.call(&new[r], &objects[k]) {
            Ok(v) => crate::error::check_finite_dissimilarity(r, k, v).map(|()| v),
            Err(failure) => Err(Error::Source { row: r, col: k, failure }),
        })?;
        self.model.predict(d.as_ref())
    }

    /// Predicts new objects under the kernel-induced dissimilarity
    /// `κ(x, x) + κ(p, p) − 2 κ(x, p)` (clipped at 0, as
    /// [`KernelSource`](crate::KernelSource) computes it).
    ///
    /// ```
    /// use median_lvq::{KernelSource, MedianLvqParams, kernels};
    /// let xs: Vec<Vec<f64>> = vec![vec![0.0], vec![1.0], vec![2.0], vec![10.0], vec![11.0], vec![12.0]];
    /// let rbf = |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.1);
    /// let model = MedianLvqParams::new().fit(&KernelSource::new(&xs, rbf)?, &[0, 0, 0, 1, 1, 1])?;
    /// let portable = model.with_items(&xs)?;
    /// assert_eq!(portable.predict_with_kernel(&[vec![3.0], vec![9.5]], rbf)?.labels, [0, 1]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a non-finite kernel value or dissimilarity, named by
    /// (new object, prototype position).
    pub fn predict_with_kernel<K: Fn(&T, &T) -> F + Sync>(&self, new: &[T], kernel: K) -> Result<Prediction<F, L>, Error> {
        use crate::dissimilarity::kernel::{finite, kernel_distance};
        let diag = self.objects.iter().enumerate().map(|(k, p)| finite(k, k, kernel(p, p))).collect::<Result<Vec<F>, Error>>()?;
        let own = new.iter().enumerate().map(|(r, x)| finite(r, r, kernel(x, x))).collect::<Result<Vec<F>, Error>>()?;
        let objects = &self.objects;
        let d = to_prototypes(new.len(), objects.len(), |r, k| {
            let d = kernel_distance(own[r], diag[k], finite(r, k, kernel(&new[r], &objects[k]))?);
            crate::error::check_finite_dissimilarity(r, k, d).map(|()| d)
        })?;
        self.model.predict(d.as_ref())
    }
}

/// The `m × K` matrix of `value(r, k)`, rows in parallel; the first error in
/// row-major order.
fn to_prototypes<F: Float>(m: usize, kk: usize, value: impl Fn(usize, usize) -> Result<F, Error> + Sync) -> Result<Mat<F>, Error> {
    let rows = crate::par::map_init(m, || (), |_, r| (0..kk).map(|k| value(r, k)).collect::<Result<Vec<F>, Error>>());
    let rows = crate::par::first_err(rows)?;
    Ok(Mat::from_fn(m, kk, |r, k| rows[r][k]))
}

impl<F: Float, L: Clone + PartialEq> PortableModel<F, L, Vec<F>> {
    /// The prototype rows as a `K × p` matrix.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] naming the first row whose length differs from the
    /// first row's ([`MedianLvq::with_rows`] never makes such; a loaded file whose
    /// checksum was recomputed after editing could).
    pub fn rows(&self) -> Result<Mat<F>, Error> {
        let p = self.objects.first().map_or(0, Vec::len);
        if let Some(bad) = self.objects.iter().find(|r| r.len() != p) {
            return Err(Error::ShapeMismatch {
                what: "features of a prototype row (all rows as long as the first)",
                expected: p,
                found: bad.len(),
            });
        }
        Ok(Mat::from_fn(self.objects.len(), p, |k, j| self.objects[k][j]))
    }

    /// Predicts new vectors (`m × p`, one per row) under the squared Euclidean
    /// distance, computed as sums of squared differences (no cancellation).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if `new` has not `p` columns or the prototype rows
    /// differ in length; [`Error::NonFinite`] for a bad entry of `new` or a
    /// distance that overflows.
    pub fn predict<'m>(&self, new: impl Into<crate::MatrixRef<'m, F>>) -> Result<Prediction<F, L>, Error> {
        let new = new.into();
        let new = new.as_ref();
        let rows = self.rows()?;
        if new.ncols() != rows.ncols() {
            return Err(Error::ShapeMismatch { what: "features of the new vectors", expected: rows.ncols(), found: new.ncols() });
        }
        if let Some((row, col, v)) = crate::dissimilarity::first_bad(new, |v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "new vector entry", row, col, value: v.as_f64() });
        }
        let d = to_prototypes(new.nrows(), rows.nrows(), |r, k| {
            let d = (0..rows.ncols()).fold(F::zero(), |acc, t| {
                let diff = new[(r, t)] - rows[(k, t)];
                acc + diff * diff
            });
            crate::error::check_finite_dissimilarity(r, k, d).map(|()| d)
        })?;
        self.model.predict(d.as_ref())
    }
}

impl<F: Float, L: Clone + PartialEq> MedianLvq<F, L> {
    /// This model with clones of its prototype items out of the training `items`
    /// (numbered like [`prototype_indices`](Self::prototype_indices)).
    ///
    /// # Errors
    /// As for [`prototype_items`](Self::prototype_items).
    pub fn with_items<T: Clone>(&self, items: &[T]) -> Result<PortableModel<F, L, T>, Error> {
        Ok(PortableModel { model: self.clone(), objects: self.prototype_items(items)? })
    }

    /// This model with its prototype rows out of the training vectors `x`
    /// (numbered like [`prototype_indices`](Self::prototype_indices)).
    ///
    /// # Errors
    /// As for [`prototype_rows`](Self::prototype_rows).
    pub fn with_rows<'m>(&self, x: impl Into<crate::MatrixRef<'m, F>>) -> Result<PortableModel<F, L, Vec<F>>, Error> {
        let x = x.into();
        let x = x.as_ref();
        let rows = self.prototype_rows(x)?;
        let objects = (0..rows.nrows()).map(|k| (0..rows.ncols()).map(|j| rows[(k, j)]).collect()).collect();
        Ok(PortableModel { model: self.clone(), objects })
    }
}
