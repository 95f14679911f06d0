//! Matrix arguments from faer or, with the `ndarray` feature, from ndarray.

use crate::Float;
use faer::{Mat, MatRef};

/// A matrix argument: a faer view, or (feature `ndarray`) an ndarray view, borrowed
/// without copying when its layout is contiguous (row- or column-major) and copied
/// once otherwise. Every function taking matrices accepts `impl Into<MatrixRef>`,
/// so `x.as_ref()`, `&x` (a `faer::Mat`) and `view` (an `ndarray::ArrayView2`)
/// all work.
///
/// ```
/// use median_lvq::{Dissimilarity, SquaredEuclidean};
/// let x = faer::mat![[0.0, 0.0], [3.0, 4.0]];
/// assert_eq!(SquaredEuclidean::from_ref(&x)?.d(0, 1)?, 25.0);
/// assert_eq!(SquaredEuclidean::from_ref(x.as_ref())?.d(0, 1)?, 25.0);
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug)]
pub struct MatrixRef<'a, F>(Inner<'a, F>);

#[derive(Debug)]
enum Inner<'a, F> {
    View(MatRef<'a, F>),
    /// Only a strided ndarray view is copied.
    #[cfg_attr(not(feature = "ndarray"), allow(dead_code))]
    Copied(Mat<F>),
}

impl<'a, F: Float> MatrixRef<'a, F> {
    /// The matrix as a faer view.
    pub fn as_ref(&self) -> MatRef<'_, F> {
        match &self.0 {
            Inner::View(v) => *v,
            Inner::Copied(m) => m.as_ref(),
        }
    }

    /// Whether the input had to be copied (a strided ndarray view).
    pub fn is_copy(&self) -> bool {
        matches!(self.0, Inner::Copied(_))
    }

    /// The borrowed view, or the copy: what a source keeps.
    pub(crate) fn into_view_or_copy(self) -> Result<MatRef<'a, F>, Mat<F>> {
        match self.0 {
            Inner::View(v) => Ok(v),
            Inner::Copied(m) => Err(m),
        }
    }
}

impl<'a, F: Float> From<MatRef<'a, F>> for MatrixRef<'a, F> {
    fn from(m: MatRef<'a, F>) -> Self {
        Self(Inner::View(m))
    }
}

impl<'a, F: Float> From<&'a Mat<F>> for MatrixRef<'a, F> {
    fn from(m: &'a Mat<F>) -> Self {
        Self(Inner::View(m.as_ref()))
    }
}

#[cfg(feature = "ndarray")]
#[cfg_attr(docsrs, doc(cfg(feature = "ndarray")))]
impl<'a, F: Float> From<ndarray::ArrayView2<'a, F>> for MatrixRef<'a, F> {
    /// Borrows a row-major (standard) or column-major view; copies any other.
    fn from(a: ndarray::ArrayView2<'a, F>) -> Self {
        let (n, p) = a.dim();
        if let Some(s) = a.to_slice() {
            return Self(Inner::View(MatRef::from_row_major_slice(s, n, p)));
        }
        if let Some(s) = a.reversed_axes().to_slice() {
            return Self(Inner::View(MatRef::from_column_major_slice(s, n, p)));
        }
        Self(Inner::Copied(Mat::from_fn(n, p, |i, j| a[(i, j)])))
    }
}

#[cfg(feature = "ndarray")]
#[cfg_attr(docsrs, doc(cfg(feature = "ndarray")))]
impl<'a, F: Float> From<&'a ndarray::Array2<F>> for MatrixRef<'a, F> {
    fn from(a: &'a ndarray::Array2<F>) -> Self {
        a.view().into()
    }
}

#[cfg(all(test, feature = "ndarray"))]
mod tests {
    use super::*;

    #[test]
    fn ndarray_views_borrow_when_contiguous_and_copy_otherwise() {
        let a = ndarray::Array2::from_shape_fn((4, 3), |(i, j)| (i * 3 + j) as f64);
        let c = MatrixRef::from(a.view());
        let f = MatrixRef::from(a.t());
        let strided = MatrixRef::from(a.slice(ndarray::s![..;2, ..]));
        assert!(!c.is_copy() && !f.is_copy() && strided.is_copy());
        for i in 0..4 {
            for j in 0..3 {
                assert_eq!(c.as_ref()[(i, j)], a[(i, j)]);
                assert_eq!(f.as_ref()[(j, i)], a[(i, j)]);
            }
        }
        assert_eq!(strided.as_ref().nrows(), 2);
        assert_eq!(strided.as_ref()[(1, 2)], a[(2, 2)]);
    }
}
