//! A precomputed `n × n` dissimilarity matrix, owned or borrowed.

use super::{Dissimilarity, check_buffer, check_index, check_weighted_shapes};
use crate::{Error, Float, par};
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef};

enum Storage<'a, F> {
    Owned(Mat<F>),
    Borrowed(MatRef<'a, F>),
}

/// A precomputed dissimilarity matrix `D` with `D[(i, j)] = d(i, j)`.
///
/// Validated once at construction (square, finite, non-negative), so training never
/// checks a value again. Column-major storage (faer's default) makes every column
/// `d(·, c)` a contiguous slice that training reads without copying.
///
/// ```
/// use median_lvq::{Dissimilarity, Precomputed};
/// use faer::mat;
///
/// let d = Precomputed::new(mat![[0.0, 1.0], [2.0, 0.0]])?;
/// assert_eq!(d.d(1, 0)?, 2.0);
/// // A borrowed view copies nothing.
/// let m = mat![[0.0_f32, 1.0], [1.0, 0.0]];
/// let view = Precomputed::from_ref(m.as_ref())?;
/// assert_eq!(view.len(), 2);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct Precomputed<'a, F: Float> {
    storage: Storage<'a, F>,
}

impl<F: Float> Precomputed<'static, F> {
    /// Takes ownership of a dissimilarity matrix.
    ///
    /// # Errors
    /// [`Error::NotSquare`], [`Error::Empty`], [`Error::NonFinite`],
    /// [`Error::Negative`] or [`Error::TooLargeValue`] (above
    /// [`Float::largest_dissimilarity`]) naming the first bad entry in row-major
    /// order.
    pub fn new(matrix: Mat<F>) -> Result<Self, Error> {
        validate(matrix.as_ref())?;
        Ok(Self { storage: Storage::Owned(matrix) })
    }

    /// Dissimilarities `d(i, j) = 1 − s(i, j)` from a similarity matrix with values in
    /// `[0, 1]` (as distributed with many similarity benchmarks).
    ///
    /// # Errors
    /// A non-finite similarity, or one above 1 (a negative dissimilarity), named by
    /// position; [`Error::NotSquare`] / [`Error::Empty`] for a bad shape.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, Precomputed};
    /// let d = Precomputed::from_similarity(faer::mat![[1.0, 0.25], [0.25, 1.0]].as_ref())?;
    /// assert_eq!(d.d(0, 1)?, 0.75);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    pub fn from_similarity<'m>(s: impl Into<crate::MatrixRef<'m, F>>) -> Result<Self, Error> {
        let s = s.into();
        let s = s.as_ref();
        check_square(s)?;
        check_finite_similarity(s)?;
        Self::new(Mat::from_fn(s.nrows(), s.ncols(), |i, j| F::one() - s[(i, j)]))
    }

    /// Dissimilarities of the kernel form `d(i, j) = s(i, i) + s(j, j) − 2 s(i, j)`,
    /// the squared distance in the feature space of a positive semi-definite
    /// similarity.
    ///
    /// For an indefinite similarity this can be negative; such values are **clipped to
    /// 0** (the nearest admissible dissimilarity), which is also what rounding needs for
    /// a semi-definite one.
    ///
    /// # Errors
    /// A non-finite similarity, named by position; [`Error::NotSquare`] /
    /// [`Error::Empty`] for a bad shape.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, Precomputed};
    /// let d = Precomputed::from_similarity_kernel(faer::mat![[2.0, 0.5], [0.5, 1.0]].as_ref())?;
    /// assert_eq!(d.d(0, 1)?, 2.0);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    pub fn from_similarity_kernel<'m>(s: impl Into<crate::MatrixRef<'m, F>>) -> Result<Self, Error> {
        let s = s.into();
        let s = s.as_ref();
        check_square(s)?;
        check_finite_similarity(s)?;
        Self::new(Mat::from_fn(s.nrows(), s.ncols(), |i, j| super::kernel::kernel_distance(s[(i, i)], s[(j, j)], s[(i, j)])))
    }
    /// Squared Euclidean dissimilarities `‖x_i − x_j‖²` between the rows of `x`
    /// (`n × p`), exactly as [`SquaredEuclidean`](super::SquaredEuclidean) computes
    /// them (one matrix-vector product per column, clipped at 0 against rounding), so
    /// both sources train to the same model.
    ///
    /// This materialises `n × n` values: for large `n`, train on the vectors
    /// directly instead.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, Precomputed};
    /// let d = Precomputed::squared_euclidean(faer::mat![[0.0, 0.0], [3.0, 4.0]].as_ref())?;
    /// assert_eq!(d.d(0, 1)?, 25.0);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Empty`] for no rows, [`Error::NonFinite`] naming the first bad entry,
    /// [`Error::NoFeatures`] / [`Error::VectorScale`] as for
    /// [`SquaredEuclidean::new`](super::SquaredEuclidean::new), [`Error::TooLarge`] if the `n × n` values would exceed
    /// [`DEFAULT_MATRIX_BUDGET`](Self::DEFAULT_MATRIX_BUDGET) (see
    /// [`squared_euclidean_within`](Self::squared_euclidean_within) for another
    /// budget).
    pub fn squared_euclidean<'m>(x: impl Into<crate::MatrixRef<'m, F>>) -> Result<Self, Error> {
        let x = x.into();
        let x = x.as_ref();
        Self::squared_euclidean_within(x, Self::DEFAULT_MATRIX_BUDGET)
    }

    /// The budget of [`squared_euclidean`](Self::squared_euclidean): 4 GiB, i.e.
    /// about 23,000 objects in `f64` or 32,000 in `f32`.
    pub const DEFAULT_MATRIX_BUDGET: usize = 4 << 30;

    /// [`squared_euclidean`](Self::squared_euclidean) with a memory budget in bytes
    /// for the `n × n` matrix.
    ///
    /// ```
    /// use median_lvq::{Error, Precomputed};
    /// let x = faer::Mat::<f64>::zeros(1000, 3);
    /// let err = Precomputed::squared_euclidean_within(x.as_ref(), 1 << 20).err();
    /// assert!(matches!(err, Some(Error::TooLarge { needed: 8_000_000, .. })));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`squared_euclidean`](Self::squared_euclidean), against `budget`.
    pub fn squared_euclidean_within<'m>(x: impl Into<crate::MatrixRef<'m, F>>, budget: usize) -> Result<Self, Error> {
        let x = x.into();
        let x = x.as_ref();
        let n = x.nrows();
        if n == 0 {
            return Err(Error::Empty { what: "the vector table" });
        }
        if let Some((row, col, v)) = first_bad(x, |v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "vector entry", row, col, value: v.as_f64() });
        }
        let needed = n.checked_mul(n).and_then(|e| e.checked_mul(std::mem::size_of::<F>()));
        let budget = budget.min(isize::MAX as usize);
        if needed.is_none_or(|b| b > budget) {
            return Err(Error::TooLarge {
                what: "an n x n dissimilarity matrix",
                needed: needed.unwrap_or(usize::MAX),
                budget,
                hint: "train on the vectors with SquaredEuclidean instead (it never builds n x n), or raise the budget with squared_euclidean_within",
            });
        }
        // Column by column with the vector source's own routine, so that training on
        // this matrix and on the vectors sees bit-identical dissimilarities (and so
        // takes the same path, even at near-ties, in f32 too).
        let vectors = super::SquaredEuclidean::from_ref(x)?;
        let mut m = Mat::<F>::zeros(n, n);
        #[cfg(feature = "parallel")]
        {
            use faer::reborrow::ReborrowMut;
            use rayon::prelude::*;
            m.par_col_iter_mut().enumerate().try_for_each(|(c, mut col)| {
                if let Some(contiguous) = col.rb_mut().try_as_col_major_mut() {
                    return vectors.column(c, contiguous.as_slice_mut()).map(|_| ());
                }
                // Not reached for an owned matrix (its columns are contiguous).
                let mut buf = vec![F::zero(); n];
                for (i, &v) in vectors.column(c, &mut buf)?.iter().enumerate() {
                    col[i] = v;
                }
                Ok(())
            })?;
        }
        #[cfg(not(feature = "parallel"))]
        for c in 0..n {
            vectors.column(c, m.col_as_slice_mut(c))?;
        }
        Self::new(m)
    }
}

impl<'a, F: Float> Precomputed<'a, F> {
    /// Borrows a dissimilarity matrix without copying it (a faer view, or an
    /// ndarray view with the `ndarray` feature: copied once if strided).
    ///
    /// # Errors
    /// As for [`Precomputed::new`].
    pub fn from_ref(matrix: impl Into<crate::MatrixRef<'a, F>>) -> Result<Self, Error> {
        let storage = match matrix.into().into_view_or_copy() {
            Ok(view) => Storage::Borrowed(view),
            Err(copy) => Storage::Owned(copy),
        };
        let d = Self { storage };
        validate(d.as_ref())?;
        Ok(d)
    }

    /// The matrix as a view.
    pub fn as_ref(&self) -> MatRef<'_, F> {
        match &self.storage {
            Storage::Owned(m) => m.as_ref(),
            Storage::Borrowed(m) => *m,
        }
    }

    /// A source borrowing this one's matrix: the cheap copy (no `Clone`, which
    /// would copy `n × n` values; the matrix was validated already).
    pub fn view(&self) -> Precomputed<'_, F> {
        Precomputed { storage: Storage::Borrowed(self.as_ref()) }
    }
}

impl<F: Float> std::fmt::Debug for Precomputed<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Precomputed")
            .field("objects", &self.as_ref().nrows())
            .field("owned", &matches!(self.storage, Storage::Owned(_)))
            .finish()
    }
}

fn check_square<F: Float>(m: MatRef<'_, F>) -> Result<(), Error> {
    if m.nrows() != m.ncols() {
        return Err(Error::NotSquare { rows: m.nrows(), cols: m.ncols() });
    }
    if m.nrows() == 0 {
        return Err(Error::Empty { what: "the matrix" });
    }
    Ok(())
}

/// The first entry (row-major) failing `bad`, found with a fast column-major scan first.
pub(crate) fn first_bad<F: Float>(m: MatRef<'_, F>, bad: impl Fn(F) -> bool) -> Option<(usize, usize, F)> {
    let any = (0..m.ncols()).any(|j| (0..m.nrows()).any(|i| bad(m[(i, j)])));
    if !any {
        return None;
    }
    (0..m.nrows()).find_map(|i| (0..m.ncols()).find_map(|j| bad(m[(i, j)]).then(|| (i, j, m[(i, j)]))))
}

fn check_finite_similarity<F: Float>(s: MatRef<'_, F>) -> Result<(), Error> {
    match first_bad(s, |v| !v.is_finite()) {
        Some((row, col, v)) => Err(Error::NonFinite { what: "similarity", row, col, value: v.as_f64() }),
        None => Ok(()),
    }
}

fn validate<F: Float>(m: MatRef<'_, F>) -> Result<(), Error> {
    check_square(m)?;
    match first_bad(m, |v| !crate::error::admissible(v)) {
        Some((row, col, v)) => crate::error::check_dissimilarity(row, col, v),
        None => Ok(()),
    }
}

/// Candidates per product block: fixed, so results never depend on the thread count.
pub(super) const BLOCK: usize = 256;

impl<F: Float> Dissimilarity<F> for Precomputed<'_, F> {
    fn columns_are_stored(&self) -> bool {
        true
    }

    fn len(&self) -> usize {
        self.as_ref().nrows()
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        let m = self.as_ref();
        check_index(i, m.nrows())?;
        check_index(j, m.ncols())?;
        Ok(m[(i, j)])
    }

    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        let m = self.as_ref();
        check_index(c, m.ncols())?;
        match m.col(c).try_as_col_major() {
            Some(col) => Ok(col.as_slice()),
            None => {
                check_buffer(buf.len(), m.nrows())?;
                for (i, slot) in buf.iter_mut().enumerate() {
                    *slot = m[(i, c)];
                }
                Ok(buf)
            }
        }
    }

    /// `out = D[:, candidates]ᵀ · weights`, with faer's `matmul` on fixed blocks of
    /// candidates (blocks in parallel, each product sequential: deterministic).
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        check_weighted_shapes(self.len(), candidates, weights, &out)?;
        stored_weighted_sums(self.as_ref(), candidates, weights, out);
        Ok(())
    }
}

/// `out = m[:, candidates]ᵀ · weights` for stored columns (`m` is `n × anything`):
/// the arithmetic of [`Precomputed`]'s weighted sums, shared with [`Subset`](crate::Subset)
/// over a stored parent so that the same dissimilarities give the same bits
/// whichever source holds them. Shapes are checked by the caller.
pub(crate) fn stored_weighted_sums<F: Float>(m: MatRef<'_, F>, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) {
    let n = m.nrows();
    let kk = weights.ncols();
    if kk <= FEW_WEIGHTS {
        // Few weight columns (the linearised search and the medoid searches use
        // one): a dot product per candidate straight off its column, no copy.
        let rows = par::map_init(
            candidates.len(),
            || (),
            |_, r| (0..kk).map(|k| column_dot(m.col(candidates[r]), weights.col(k))).collect::<Vec<F>>(),
        );
        let mut out = out;
        for (r, row) in rows.iter().enumerate() {
            for (k, &v) in row.iter().enumerate() {
                out[(r, k)] = v;
            }
        }
        return;
    }
    let blocks = candidates.len().div_ceil(BLOCK);
    let results = par::map_init(
        blocks,
        || Mat::<F>::zeros(0, 0),
        |gather, b| {
            let start = b * BLOCK;
            let cand = &candidates[start..(start + BLOCK).min(candidates.len())];
            let contiguous = cand.windows(2).all(|w| w[1] == w[0] + 1);
            let mut res = Mat::<F>::zeros(cand.len(), kk);
            let lhs = if contiguous {
                m.subcols(cand[0], cand.len())
            } else {
                *gather = Mat::from_fn(n, cand.len(), |i, r| m[(i, cand[r])]);
                gather.as_ref()
            };
            faer::linalg::matmul::matmul(res.as_mut(), Accum::Replace, lhs.transpose(), weights, F::one(), faer::Par::Seq);
            res
        },
    );
    let mut out = out;
    for (b, res) in results.iter().enumerate() {
        out.rb_mut().subrows_mut(b * BLOCK, res.nrows()).copy_from(res);
    }
}

/// Up to this many weight columns, weighted sums are dot products per candidate.
pub(super) const FEW_WEIGHTS: usize = 4;

/// `Σ_i a_i b_i` in sixteen interleaved partial sums (a fixed order, so the same
/// result on every machine), vectorised for the CPU's instruction set when both
/// columns are contiguous.
fn column_dot<F: Float>(a: faer::ColRef<'_, F>, b: faer::ColRef<'_, F>) -> F {
    match (a.try_as_col_major(), b.try_as_col_major()) {
        (Some(a), Some(b)) if a.nrows() == b.nrows() => pulp::Arch::new().dispatch(Dot { a: a.as_slice(), b: b.as_slice() }),
        _ => {
            let mut acc = [F::zero(); DOT_LANES];
            for (i, (&x, &y)) in a.iter().zip(b.iter()).enumerate() {
                acc[i % DOT_LANES] += x * y;
            }
            crate::lanes::tree_sum(acc)
        }
    }
}

const DOT_LANES: usize = 16;

/// A dot product of two contiguous columns of equal length, `a` streamed from memory
/// (prefetched ahead), `b` reused across calls (cache-resident).
struct Dot<'a, F> {
    a: &'a [F],
    b: &'a [F],
}

impl<F: Float> pulp::WithSimd for Dot<'_, F> {
    type Output = F;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> F {
        let mut acc = [F::zero(); DOT_LANES];
        let (ca, cb) = (self.a.chunks_exact(DOT_LANES), self.b.chunks_exact(DOT_LANES));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (q, (x, y)) in ca.zip(cb).enumerate() {
            crate::lanes::prefetch_ahead(self.a, q * DOT_LANES, DOT_LANES);
            for l in 0..DOT_LANES {
                acc[l] += x[l] * y[l];
            }
        }
        for (l, (&x, &y)) in ra.iter().zip(rb).enumerate() {
            acc[l] += x * y;
        }
        crate::lanes::tree_sum(acc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::mat;

    #[test]
    fn rejects_bad_matrices_naming_the_first_bad_entry() {
        assert_eq!(Precomputed::new(Mat::<f64>::zeros(2, 3)).err(), Some(Error::NotSquare { rows: 2, cols: 3 }));
        assert!(matches!(Precomputed::new(Mat::<f64>::zeros(0, 0)), Err(Error::Empty { .. })));
        let e = Precomputed::new(mat![[0.0, f64::NAN], [-1.0, 0.0]]).err();
        assert!(matches!(e, Some(Error::NonFinite { row: 0, col: 1, .. })), "{e:?}");
        let e = Precomputed::new(mat![[0.0, 1.0], [-1.0, f64::INFINITY]]).err();
        assert_eq!(e, Some(Error::Negative { row: 1, col: 0, value: -1.0 }));
        let e = Precomputed::new(mat![[0.0, f32::NEG_INFINITY], [1.0, 0.0]]).err();
        assert!(matches!(e, Some(Error::NonFinite { row: 0, col: 1, .. })));
    }

    #[test]
    fn similarity_constructors() {
        let s = mat![[1.0_f64, 0.2, 0.9], [0.2, 1.0, 0.4], [0.9, 0.4, 1.0]];
        let d = Precomputed::from_similarity(s.as_ref()).unwrap();
        assert!((d.d(0, 1).unwrap() - 0.8).abs() < 1e-12);
        let k = Precomputed::from_similarity_kernel(s.as_ref()).unwrap();
        assert!((k.d(0, 1).unwrap() - 1.6).abs() < 1e-12);
        assert_eq!(k.d(2, 2).unwrap(), 0.0);
        let e = Precomputed::from_similarity(mat![[1.0, 1.5], [0.0, 1.0]].as_ref()).err();
        assert!(matches!(e, Some(Error::Negative { row: 0, col: 1, .. })));
        let e = Precomputed::from_similarity_kernel(mat![[1.0, f64::NAN], [0.0, 1.0]].as_ref()).err();
        assert!(matches!(e, Some(Error::NonFinite { what: "similarity", row: 0, col: 1, .. })));
        // Indefinite: clipped to zero.
        let k = Precomputed::from_similarity_kernel(mat![[0.0, 1.0], [1.0, 0.0]].as_ref()).unwrap();
        assert_eq!(k.d(0, 1).unwrap(), 0.0);
    }

    #[test]
    fn batched_columns_by_the_default_method() {
        let d = Precomputed::new(mat![[0.0, 1.0, 2.0], [3.0, 0.0, 4.0], [5.0, 6.0, 0.0]]).unwrap();
        let mut out = Mat::zeros(3, 2);
        d.columns(&[2, 0], out.as_mut()).unwrap();
        assert_eq!(out, mat![[2.0, 0.0], [4.0, 3.0], [0.0, 5.0]]);
        let mut wrong = Mat::zeros(3, 1);
        assert!(matches!(d.columns(&[2, 0], wrong.as_mut()), Err(Error::ShapeMismatch { .. })));
        let mut short = Mat::zeros(2, 1);
        assert!(matches!(d.columns(&[0], short.as_mut()), Err(Error::ShapeMismatch { expected: 3, found: 2, .. })));
        assert!(matches!(d.columns(&[3], wrong.as_mut()), Err(Error::IndexOutOfRange { index: 3, .. })));
    }

    #[test]
    fn columns_and_indices() {
        let d = Precomputed::new(mat![[0.0, 1.0, 2.0], [3.0, 0.0, 4.0], [5.0, 6.0, 0.0]]).unwrap();
        let mut buf = vec![0.0; 3];
        assert_eq!(d.column(2, &mut buf).unwrap(), &[2.0, 4.0, 0.0]);
        assert!(matches!(d.column(3, &mut buf), Err(Error::IndexOutOfRange { index: 3, .. })));
        assert!(d.d(0, 7).is_err());
        // A transposed view is not column-major: the buffer is filled instead.
        let m = mat![[0.0, 1.0], [2.0, 0.0]];
        let t = Precomputed::from_ref(m.as_ref().transpose()).unwrap();
        let mut buf = vec![9.0; 2];
        assert_eq!(t.column(0, &mut buf).unwrap(), &[0.0, 1.0]);
        let mut short = vec![0.0; 1];
        assert!(matches!(t.column(0, &mut short), Err(Error::ShapeMismatch { .. })));
    }

    #[test]
    fn weighted_sums_match_naive_and_default() {
        let n = 600;
        let m = Mat::from_fn(n, n, |i, j| ((i * 7 + j * 13) % 17) as f64 + if i == j { 0.0 } else { 1.0 });
        let d = Precomputed::new(m.clone()).unwrap();
        // 3 columns: dot products per candidate; 7: blocked matrix products.
        for (w, cand) in [3usize, 7].iter().flat_map(|&kk| {
            let w = Mat::from_fn(n, kk, |i, k| ((i + k) % 5) as f64 - 2.0);
            [(w.clone(), (0..n).collect::<Vec<_>>()), (w, vec![5, 3, 599, 0, 17])]
        }) {
            let kk = w.ncols();
            let mut out = Mat::zeros(cand.len(), kk);
            d.weighted_sums(&cand, w.as_ref(), out.as_mut()).unwrap();
            for (r, &c) in cand.iter().enumerate() {
                for k in 0..kk {
                    let naive: f64 = (0..n).map(|i| w[(i, k)] * m[(i, c)]).sum();
                    assert!((out[(r, k)] - naive).abs() < 1e-9);
                }
            }
        }
        let w = Mat::from_fn(n, 3, |i, k| ((i + k) % 5) as f64 - 2.0);
        let mut out = Mat::zeros(2, 2);
        assert!(d.weighted_sums(&[0, 1], w.as_ref(), out.as_mut()).is_err());
        let mut out = Mat::zeros(1, 3);
        assert!(matches!(d.weighted_sums(&[n], w.as_ref(), out.as_mut()), Err(Error::IndexOutOfRange { .. })));
    }
}
