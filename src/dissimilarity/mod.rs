//! Sources of dissimilarity: the one abstraction training runs on.
//!
//! A [`Dissimilarity`] answers `d(i, j)` for `n` objects. Orientation matters because
//! dissimilarities need not be symmetric: **`d(i, j)` is object `i` seen from prototype
//! candidate `j`**. A *column* `d(·, c)` therefore holds every object's dissimilarity to
//! the candidate `c`; training reads columns, never rows.

mod cache;
mod euclidean;
mod function;
pub(crate) mod kernel;
mod matrix;
pub(crate) mod npy;
mod subset;

pub use euclidean::SquaredEuclidean;
pub use function::{Fallible, FunctionSource, PairFunction};
pub use kernel::{KernelSource, kernels};
pub use matrix::Precomputed;
pub use npy::NpyFile;
pub use subset::Subset;

use crate::{Error, Float};
use faer::reborrow::ReborrowMut;
use faer::{MatMut, MatRef};

/// `n` objects and a dissimilarity between them.
///
/// Implementations must return finite, non-negative values no larger than
/// [`Float::largest_dissimilarity`] (or an [`Error`] naming the pair): every
/// source of this crate checks its values. Training trusts a user implementation
/// for speed, except that a start whose cost is not finite is an
/// [`Error::NonFiniteCost`], never a model. The only required methods are [`len`](Self::len) and
/// [`d`](Self::d); sources override [`column`](Self::column) and
/// [`weighted_sums`](Self::weighted_sums) when they can do better than one `d` at a
/// time.
///
/// ```
/// use median_lvq::{Dissimilarity, Error};
///
/// /// Absolute difference of numbers on a line.
/// struct Line(Vec<f64>);
///
/// impl Dissimilarity<f64> for Line {
///     fn len(&self) -> usize { self.0.len() }
///     fn d(&self, i: usize, j: usize) -> Result<f64, Error> {
///         let (a, b) = (self.0.get(i), self.0.get(j));
///         match (a, b) {
///             (Some(a), Some(b)) => Ok((a - b).abs()),
///             _ => Err(Error::IndexOutOfRange { what: "object", index: i.max(j), len: self.0.len() }),
///         }
///     }
/// }
///
/// let line = Line(vec![0.0, 1.0, 3.0]);
/// let mut buf = vec![0.0; 3];
/// assert_eq!(line.column(2, &mut buf)?, &[3.0, 2.0, 0.0]);
/// # Ok::<(), Error>(())
/// ```
pub trait Dissimilarity<F: Float>: Sync {
    /// Number of objects `n`.
    fn len(&self) -> usize;

    /// Whether there are no objects.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index of object `i` in the data this source is a view of: `i` for a
    /// source over its own data (the default), and for a [`Subset`] its parent's
    /// origin of `objects[i]`. A fitted model reports its prototypes through it
    /// ([`MedianLvq::prototype_indices`](crate::MedianLvq::prototype_indices)), so
    /// a model trained on a view indexes the underlying data and nothing needs
    /// remapping. A view of your own should override it.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, Precomputed, Subset};
    /// let d = Precomputed::new(faer::Mat::<f64>::zeros(5, 5))?;
    /// let s = Subset::new(&d, vec![4, 1, 3])?;
    /// let t = Subset::new(&s, vec![2, 0])?;
    /// assert_eq!((s.origin(0), t.origin(0), t.origin(1)), (4, 3, 4));
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    fn origin(&self, i: usize) -> usize {
        i
    }

    /// `d(i, j)`: object `i` seen from candidate `j`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an index `>= len()`; a source computing values on
    /// the fly also reports a non-finite or negative value.
    fn d(&self, i: usize, j: usize) -> Result<F, Error>;

    /// The column `d(·, c)` (length `n`): the hot path of training.
    ///
    /// Fills `buf` (length `n`, provided by the caller so that nothing is allocated per
    /// call) and returns it, or returns a view of storage the source already holds.
    ///
    /// # Errors
    /// As for [`d`](Self::d), and [`Error::ShapeMismatch`] if `buf.len() != n`.
    fn column<'a>(&'a self, c: usize, buf: &'a mut [F]) -> Result<&'a [F], Error> {
        check_buffer(buf.len(), self.len())?;
        for (i, slot) in buf.iter_mut().enumerate() {
            *slot = self.d(i, c)?;
        }
        Ok(buf)
    }

    /// Several columns at once: `out[(i, r)] = d(i, cs[r])`, with `out` of shape
    /// `n × cs.len()`.
    ///
    /// The default calls [`column`](Self::column) for each; a source that computes
    /// columns from its data (vectors) overrides it to read the data once for all
    /// of them, and says so with [`batches_columns`](Self::batches_columns).
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, SquaredEuclidean};
    /// let x = SquaredEuclidean::new(faer::mat![[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])?;
    /// let mut out = faer::Mat::zeros(3, 2);
    /// x.columns(&[2, 0], out.as_mut())?;
    /// assert_eq!(out, faer::mat![[1.0, 0.0], [20.0, 25.0], [0.0, 1.0]]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if `out` is not `n × cs.len()`, and any error of
    /// [`column`](Self::column).
    fn columns(&self, cs: &[usize], out: MatMut<'_, F>) -> Result<(), Error> {
        let n = self.len();
        check_columns_shape(n, cs, &out)?;
        let mut out = out;
        let mut buf = vec![F::zero(); n];
        for (r, &c) in cs.iter().enumerate() {
            let col = column_checked(self, c, &mut buf)?;
            for (slot, &v) in out.rb_mut().col_mut(r).iter_mut().zip(col) {
                *slot = v;
            }
        }
        Ok(())
    }

    /// Whether [`columns`](Self::columns) computes several columns for little more
    /// than the cost of one (vectors: one pass over the data for all). Training then
    /// evaluates candidates a batch of columns at a time. Default `false`.
    fn batches_columns(&self) -> bool {
        false
    }

    /// Whether [`column`](Self::column) reads stored values (a matrix, or a view
    /// of one) rather than computing them: training then never computes the
    /// matrix beforehand (see
    /// [`MedianLvqParams::matrix_budget`](crate::MedianLvqParams::matrix_budget)).
    /// Default `false`.
    fn columns_are_stored(&self) -> bool {
        false
    }

    /// Whether [`weighted_sums`](Self::weighted_sums) is much cheaper than computing
    /// the candidates' columns (a closed form, as for vectors). [`Search::Auto`]
    /// uses the linearised search on such sources when they are large. Default
    /// `false`.
    ///
    /// [`Search::Auto`]: crate::Search::Auto
    fn weighted_sums_are_cheap(&self) -> bool {
        false
    }

    /// Weighted sums `out[r, k] = Σ_i weights[i, k] · d(i, candidates[r])`.
    ///
    /// `weights` is `n × K`, `out` is `candidates.len() × K`. This is the one product
    /// behind the linearised proposals and the medoid searches of initialisation; the
    /// default evaluates it column by column in parallel, and sources with structure
    /// (a matrix, vectors, a kernel) compute it with a matrix product.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] for inconsistent shapes, [`Error::IndexOutOfRange`] for
    /// a bad candidate, and any error of [`column`](Self::column).
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        weighted_sums_by_columns(self, candidates, weights, out)
    }

    /// This source as the [`SquaredEuclidean`] distance between rows, if that is what
    /// it is, with the same object numbering and bit for bit the same values: the
    /// linearised search then proposes every prototype's jumps from a few passes
    /// over the rows per sweep instead of a few per prototype (see
    /// [`Search::Linearised`]), and the k-medoids start works on each class's rows.
    /// Vectors return a view of themselves; a [`Subset`] of vectors a copy of its
    /// rows (`O(n p)`; `None` if it repeats an object, whose copies would not be at
    /// distance 0). Default `None`.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, SquaredEuclidean, Subset};
    /// let x = SquaredEuclidean::new(faer::mat![[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])?;
    /// let s = Subset::new(&x, vec![2, 1])?;
    /// let rows = s.squared_euclidean().expect("a subset of vectors");
    /// assert_eq!(rows.d(0, 1)?, s.d(0, 1)?);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// [`Search::Linearised`]: crate::Search::Linearised
    fn squared_euclidean(&self) -> Option<SquaredEuclidean<'_, F>> {
        None
    }
}

/// The default [`Dissimilarity::weighted_sums`]: column by column, in parallel,
/// each dot product in a fixed order.
pub(crate) fn weighted_sums_by_columns<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    candidates: &[usize],
    weights: MatRef<'_, F>,
    out: MatMut<'_, F>,
) -> Result<(), Error> {
    check_weighted_shapes(source.len(), candidates, weights, &out)?;
    let n = source.len();
    let rows = crate::par::map_init(
        candidates.len(),
        || vec![F::zero(); n],
        |buf, r| -> Result<Vec<F>, Error> {
            let col = column_checked(source, candidates[r], buf)?;
            Ok((0..weights.ncols()).map(|k| dot(weights.col(k), col)).collect())
        },
    );
    let rows = crate::par::first_err(rows)?;
    let mut out = out;
    for (r, row) in rows.iter().enumerate() {
        for (k, &v) in row.iter().enumerate() {
            out[(r, k)] = v;
        }
    }
    Ok(())
}

/// Every entry of `m` finite and `>= 0` (what prediction needs), or the error
/// naming the first bad one in row-major order.
pub(crate) fn check_finite_entries<F: Float>(m: MatRef<'_, F>) -> Result<(), Error> {
    match first_bad(m, |v| !v.is_finite() || v < F::zero()) {
        Some((row, col, v)) => crate::error::check_finite_dissimilarity(row, col, v),
        None => Ok(()),
    }
}

pub(crate) use matrix::{first_bad, stored_weighted_sums};

/// Dot product of a faer column with a slice, in a fixed order.
fn dot<F: Float>(w: faer::ColRef<'_, F>, x: &[F]) -> F {
    let mut acc = F::zero();
    for (i, &xi) in x.iter().enumerate() {
        acc += w[i] * xi;
    }
    acc
}

/// `source.column(c, buf)`, checked to have one entry per object, so that a user
/// implementation returning a slice of the wrong length gives an error, not a panic.
pub(crate) fn column_checked<'a, F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &'a D,
    c: usize,
    buf: &'a mut [F],
) -> Result<&'a [F], Error> {
    let n = source.len();
    let col = source.column(c, buf)?;
    if col.len() == n {
        Ok(col)
    } else {
        Err(Error::ShapeMismatch {
            what: "column returned by the dissimilarity source (one entry per object)",
            expected: n,
            found: col.len(),
        })
    }
}

pub(crate) fn check_buffer(found: usize, n: usize) -> Result<(), Error> {
    if found == n { Ok(()) } else { Err(Error::ShapeMismatch { what: "column buffer length (one entry per object)", expected: n, found }) }
}

pub(crate) fn check_index(index: usize, len: usize) -> Result<(), Error> {
    if index < len { Ok(()) } else { Err(Error::IndexOutOfRange { what: "object", index, len }) }
}

/// `out` must be `n × cs.len()` and every index in range.
pub(crate) fn check_columns_shape<F: Float>(n: usize, cs: &[usize], out: &MatMut<'_, F>) -> Result<(), Error> {
    if out.nrows() != n {
        return Err(Error::ShapeMismatch { what: "output rows (one per object)", expected: n, found: out.nrows() });
    }
    if out.ncols() != cs.len() {
        return Err(Error::ShapeMismatch { what: "output columns (one per requested column)", expected: cs.len(), found: out.ncols() });
    }
    if let Some(&bad) = cs.iter().find(|&&c| c >= n) {
        return Err(Error::IndexOutOfRange { what: "column", index: bad, len: n });
    }
    Ok(())
}

pub(crate) fn check_weighted_shapes<F: Float>(
    n: usize,
    candidates: &[usize],
    weights: MatRef<'_, F>,
    out: &MatMut<'_, F>,
) -> Result<(), Error> {
    if weights.nrows() != n {
        return Err(Error::ShapeMismatch { what: "weight rows (one per object)", expected: n, found: weights.nrows() });
    }
    if out.nrows() != candidates.len() {
        return Err(Error::ShapeMismatch { what: "output rows (one per candidate)", expected: candidates.len(), found: out.nrows() });
    }
    if out.ncols() != weights.ncols() {
        return Err(Error::ShapeMismatch { what: "output columns (one per weight column)", expected: weights.ncols(), found: out.ncols() });
    }
    if let Some(&bad) = candidates.iter().find(|&&c| c >= n) {
        return Err(Error::IndexOutOfRange { what: "candidate", index: bad, len: n });
    }
    Ok(())
}

impl<F: Float, D: Dissimilarity<F> + ?Sized> Dissimilarity<F> for &D {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn origin(&self, i: usize) -> usize {
        (**self).origin(i)
    }
    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        (**self).d(i, j)
    }
    fn column<'a>(&'a self, c: usize, buf: &'a mut [F]) -> Result<&'a [F], Error> {
        (**self).column(c, buf)
    }
    fn columns(&self, cs: &[usize], out: MatMut<'_, F>) -> Result<(), Error> {
        (**self).columns(cs, out)
    }
    fn batches_columns(&self) -> bool {
        (**self).batches_columns()
    }
    fn columns_are_stored(&self) -> bool {
        (**self).columns_are_stored()
    }
    fn weighted_sums_are_cheap(&self) -> bool {
        (**self).weighted_sums_are_cheap()
    }
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        (**self).weighted_sums(candidates, weights, out)
    }
    fn squared_euclidean(&self) -> Option<SquaredEuclidean<'_, F>> {
        (**self).squared_euclidean()
    }
}
