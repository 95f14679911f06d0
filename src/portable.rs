//! A fitted model together with its prototype objects: usable without the training set.

use crate::{Error, Float, MedianLvq};
use faer::{Mat, MatRef};

/// A model and copies of its prototype objects (vector rows, strings, sequences…),
/// in prototype order. Saved and loaded as one record with the `serde` feature.
///
/// ```
/// use median_lvq::{MedianLvqParams, SquaredEuclidean};
/// let x = faer::mat![[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]];
/// let model = MedianLvqParams::new().fit(&SquaredEuclidean::from_ref(x.as_ref())?, &[0, 0, 0, 1, 1, 1])?;
/// let portable = model.with_rows(x.as_ref())?;
/// // Later, without `x`: the prototype rows are a source of their own.
/// let kept = SquaredEuclidean::new(portable.rows()?)?;
/// let all: Vec<usize> = (0..portable.objects().len()).collect();
/// let d = kept.dissimilarities_to(faer::mat![[3.0]].as_ref(), &all)?;
/// assert_eq!(portable.model().predict(d.as_ref())?.labels, vec![0]);
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
    /// The prototype objects, in the order of [`MedianLvq::prototypes`].
    pub fn objects(&self) -> &[T] {
        &self.objects
    }
    /// Both parts.
    pub fn into_parts(self) -> (MedianLvq<F, L>, Vec<T>) {
        (self.model, self.objects)
    }
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
}

impl<F: Float, L: Clone + PartialEq> MedianLvq<F, L> {
    /// This model with clones of its prototype items out of the training `items`.
    ///
    /// # Errors
    /// As for [`prototype_items`](Self::prototype_items).
    pub fn with_items<T: Clone>(&self, items: &[T]) -> Result<PortableModel<F, L, T>, Error> {
        Ok(PortableModel { model: self.clone(), objects: self.prototype_items(items)? })
    }

    /// This model with its prototype rows out of the training vectors `x`.
    ///
    /// # Errors
    /// As for [`prototype_rows`](Self::prototype_rows).
    pub fn with_rows(&self, x: MatRef<'_, F>) -> Result<PortableModel<F, L, Vec<F>>, Error> {
        let rows = self.prototype_rows(x)?;
        let objects = (0..rows.nrows()).map(|k| (0..rows.ncols()).map(|j| rows[(k, j)]).collect()).collect();
        Ok(PortableModel { model: self.clone(), objects })
    }
}
