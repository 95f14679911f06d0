//! Squared Euclidean dissimilarity over the rows of a matrix, never building `n × n`.

use super::{Dissimilarity, check_buffer, check_index, check_weighted_shapes};
use crate::{Error, Float};
use faer::reborrow::ReborrowMut;
use faer::{Accum, Mat, MatMut, MatRef, Par};

enum Rows<'a, F> {
    Owned(Mat<F>),
    Borrowed(MatRef<'a, F>),
}

/// `d(i, j) = ‖x_i − x_j‖²` between the rows of an `n × p` matrix, computed on the fly
/// as `‖x_i‖² + ‖x_j‖² − 2 x_i·x_j` from cached squared norms (clipped at 0 against
/// rounding, and exactly 0 on the diagonal). Memory: the rows and `n` norms; a column
/// costs `O(n p)`; [`weighted_sums`](Dissimilarity::weighted_sums) is closed-form,
/// one `p × K` product and one gather of candidate rows.
///
/// ```
/// use median_lvq::{Dissimilarity, SquaredEuclidean};
/// let x = SquaredEuclidean::new(faer::mat![[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])?;
/// assert_eq!(x.d(0, 1)?, 25.0);
/// let mut buf = vec![0.0; 3];
/// assert_eq!(x.column(2, &mut buf)?, &[1.0, 20.0, 0.0]);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct SquaredEuclidean<'a, F: Float> {
    rows: Rows<'a, F>,
    norms: Vec<F>,
}

impl<F: Float> SquaredEuclidean<'static, F> {
    /// Takes ownership of the `n × p` rows.
    ///
    /// # Errors
    /// [`Error::Empty`] for no rows, [`Error::NoFeatures`] for no columns,
    /// [`Error::NonFinite`] naming the first bad entry, [`Error::VectorScale`]
    /// naming the row whose squared norm is beyond what the precision can train
    /// with (see the README's scale range).
    pub fn new(x: Mat<F>) -> Result<Self, Error> {
        let norms = validate(x.as_ref())?;
        Ok(Self { rows: Rows::Owned(x), norms })
    }
}

impl<'a, F: Float> SquaredEuclidean<'a, F> {
    /// Borrows the `n × p` rows without copying them (a faer view, or an ndarray
    /// view with the `ndarray` feature: copied once if strided).
    ///
    /// # Errors
    /// As for [`SquaredEuclidean::new`].
    pub fn from_ref(x: impl Into<crate::MatrixRef<'a, F>>) -> Result<Self, Error> {
        let rows = match x.into().into_view_or_copy() {
            Ok(view) => Rows::Borrowed(view),
            Err(copy) => Rows::Owned(copy),
        };
        let mut source = Self { rows, norms: Vec::new() };
        source.norms = validate(source.rows())?;
        Ok(source)
    }

    /// The rows as a view.
    pub fn rows(&self) -> MatRef<'_, F> {
        match &self.rows {
            Rows::Owned(m) => m.as_ref(),
            Rows::Borrowed(m) => *m,
        }
    }

    /// A source borrowing this one's rows (and copying its `n` norms): the cheap
    /// copy, without re-validating.
    pub fn view(&self) -> SquaredEuclidean<'_, F> {
        SquaredEuclidean { rows: Rows::Borrowed(self.rows()), norms: self.norms.clone() }
    }
}

impl<F: Float> std::fmt::Debug for SquaredEuclidean<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.rows();
        f.debug_struct("SquaredEuclidean")
            .field("objects", &x.nrows())
            .field("features", &x.ncols())
            .field("owned", &matches!(self.rows, Rows::Owned(_)))
            .finish()
    }
}

/// Checks the rows (some, each with a feature, finite, at a scale the precision
/// can hold) and returns their squared norms.
///
/// Every squared distance is at most `4 max ‖x_i‖²` (and so is every intermediate
/// of `‖x_i‖² + ‖x_j‖² − 2 x_i·x_j`), so squared norms up to a quarter of
/// [`Float::largest_dissimilarity`] keep every value finite and admissible. At the
/// other end, when even the largest squared norm is below `MIN_POSITIVE / EPSILON`
/// the squared distances are subnormal or 0 and carry no usable precision.
fn validate<F: Float>(x: MatRef<'_, F>) -> Result<Vec<F>, Error> {
    if x.nrows() == 0 {
        return Err(Error::Empty { what: "the vector table" });
    }
    if x.ncols() == 0 {
        return Err(Error::NoFeatures { rows: x.nrows() });
    }
    if let Some((row, col, v)) = super::matrix::first_bad(x, |v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "vector entry", row, col, value: v.as_f64() });
    }
    let largest = F::largest_dissimilarity().as_f64() / 4.0;
    let smallest = <F as num_traits::Float>::min_positive_value().as_f64() / <F as num_traits::Float>::epsilon().as_f64();
    let norm64 = |i: usize| (0..x.ncols()).map(|j| x[(i, j)].as_f64().powi(2)).sum::<f64>();
    let (row, squared_norm) = (0..x.nrows()).map(|i| (i, norm64(i))).fold((0, -1.0), |b, c| if c.1 > b.1 { c } else { b });
    let problem = if squared_norm > largest {
        "so large that squared distances would overflow this precision's training range"
    } else if squared_norm > 0.0 && squared_norm < smallest {
        "the largest of all, yet so small that every squared distance would underflow this precision"
    } else {
        ""
    };
    if !problem.is_empty() {
        return Err(Error::VectorScale { row, squared_norm, problem, largest, smallest });
    }
    Ok((0..x.nrows()).map(|i| (0..x.ncols()).fold(F::zero(), |acc, j| acc + x[(i, j)] * x[(i, j)])).collect())
}

impl<F: Float> SquaredEuclidean<'_, F> {
    #[inline]
    fn distance_from_dot(&self, i: usize, j: usize, dot: F) -> F {
        if i == j {
            return F::zero();
        }
        let d = self.norms[i] + self.norms[j] - (dot + dot);
        if d > F::zero() { d } else { F::zero() }
    }

    /// The rows `objects` as a source of their own (copied; their norms taken as
    /// they are, so every distance between them is bit for bit this source's).
    pub(crate) fn gathered(&self, objects: &[usize]) -> SquaredEuclidean<'static, F> {
        let x = self.rows();
        let rows = Mat::from_fn(objects.len(), x.ncols(), |r, t| x[(objects[r], t)]);
        SquaredEuclidean { rows: Rows::Owned(rows), norms: objects.iter().map(|&i| self.norms[i]).collect() }
    }

    /// The rows' squared norms, as every distance uses them.
    pub(crate) fn norms(&self) -> &[F] {
        &self.norms
    }
}

impl<F: Float> Dissimilarity<F> for SquaredEuclidean<'_, F> {
    fn len(&self) -> usize {
        self.norms.len()
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        check_index(j, self.len())?;
        let x = self.rows();
        let dot = (0..x.ncols()).fold(F::zero(), |acc, t| acc + x[(i, t)] * x[(j, t)]);
        Ok(self.distance_from_dot(i, j, dot))
    }

    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        check_index(c, self.len())?;
        check_buffer(buf.len(), self.len())?;
        let n = self.len();
        self.columns(&[c], faer::MatMut::from_column_major_slice_mut(&mut *buf, n, 1))?;
        Ok(buf)
    }

    /// One pass over the rows for all the columns: `x_i · x_c` for every `c` at once,
    /// each dot product summed over the features in order, as [`d`](Self::d) does
    /// (so a column agrees with `d` bit for bit, whatever the batch).
    fn columns(&self, cs: &[usize], out: MatMut<'_, F>) -> Result<(), Error> {
        let n = self.len();
        super::check_columns_shape(n, cs, &out)?;
        let x = self.rows();
        let p = x.ncols();
        // The candidates' rows, candidate-major: `coef[r * p + t] = x[c_r, t]`.
        let coef: Vec<F> = cs.iter().flat_map(|&c| (0..p).map(move |t| x[(c, t)])).collect();
        let cnorm: Vec<F> = cs.iter().map(|&c| self.norms[c]).collect();
        crate::par::row_blocks(out, ROWS, &|start, mut block: MatMut<'_, F>| {
            let len = block.nrows();
            // Contiguous feature columns of this block of rows, copied if strided.
            let copies: Vec<Vec<F>>;
            let contiguous: Option<Vec<&[F]>> =
                (0..p).map(|t| x.col(t).subrows(start, len).try_as_col_major().map(|c| c.as_slice())).collect();
            let feats = match contiguous {
                Some(feats) => feats,
                None => {
                    copies = (0..p).map(|t| x.col(t).subrows(start, len).iter().copied().collect()).collect();
                    copies.iter().map(Vec::as_slice).collect()
                }
            };
            // The kernel writes straight into the block's columns when they are
            // contiguous (a per-block buffer of `len × m` would cost more than the
            // kernel: an allocation, page faults, a copy).
            let mut local: Vec<Vec<F>> = Vec::new();
            let direct: Option<Vec<&mut [F]>> =
                block.rb_mut().col_iter_mut().map(|c| c.try_as_col_major_mut().map(|c| c.as_slice_mut())).collect();
            let mut outs = match direct {
                Some(outs) => outs,
                None => {
                    local = vec![vec![F::zero(); len]; cs.len()];
                    local.iter_mut().map(Vec::as_mut_slice).collect()
                }
            };
            let kernel = Distances { feats: &feats, coef: &coef, cnorm: &cnorm, norms: &self.norms[start..start + len], outs: &mut outs };
            pulp::Arch::new().dispatch(kernel);
            // Exactly 0 on the diagonal (the rounding of `‖x‖² + ‖x‖² − 2 x·x` aside).
            for (out, &c) in outs.iter_mut().zip(cs) {
                if let Some(slot) = c.checked_sub(start).and_then(|i| out.get_mut(i)) {
                    *slot = F::zero();
                }
            }
            drop(outs);
            if !local.is_empty() {
                for (col, d) in block.rb_mut().col_iter_mut().zip(&local) {
                    col.iter_mut().zip(d).for_each(|(slot, &v)| *slot = v);
                }
            }
        });
        Ok(())
    }

    fn batches_columns(&self) -> bool {
        true
    }

    fn weighted_sums_are_cheap(&self) -> bool {
        true
    }

    fn squared_euclidean(&self) -> Option<SquaredEuclidean<'_, F>> {
        Some(self.view())
    }

    /// Closed form: `Σ_i A_ik ‖x_i‖² − 2 x_c · (Xᵀ A)_k + ‖x_c‖² Σ_i A_ik`.
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        check_weighted_shapes(self.len(), candidates, weights, &out)?;
        let x = self.rows();
        let (p, kk) = (x.ncols(), weights.ncols());
        let mut xta = Mat::<F>::zeros(p, kk);
        faer::linalg::matmul::matmul(xta.as_mut(), Accum::Replace, x.transpose(), weights, F::one(), Par::Seq);
        let sums: Vec<(F, F)> = (0..kk).map(|k| weight_sums(weights.col(k), &self.norms)).collect();
        let minus_two = -(F::one() + F::one());
        let mut out = out;
        // −2 x_c · (Xᵀ A) in blocks of 256 rows through a small reused buffer
        // (cache-resident; no large temporary to page-fault in).
        const BLOCK: usize = 256;
        let mut buf = Mat::<F>::zeros(BLOCK, kk);
        let n = x.nrows();
        if candidates.len() * 4 >= n {
            // Many candidates: multiply contiguous row blocks of X as they are (one
            // streaming read of X), then pick the candidates' rows.
            let mut by_row: Vec<(usize, usize)> = candidates.iter().enumerate().map(|(r, &c)| (c, r)).collect();
            by_row.sort_unstable();
            let mut next = by_row.as_slice();
            for start in (0..n).step_by(BLOCK) {
                let len = BLOCK.min(n - start);
                let split = next.partition_point(|&(c, _)| c < start + len);
                let (here, rest) = next.split_at(split);
                next = rest;
                if here.is_empty() {
                    continue;
                }
                let mut b = buf.as_mut().subrows_mut(0, len);
                faer::linalg::matmul::matmul(b.rb_mut(), Accum::Replace, x.subrows(start, len), xta.as_ref(), minus_two, Par::Seq);
                for (k, &(wsum, wnorm)) in sums.iter().enumerate() {
                    let (bk, mut ok) = (b.as_ref().col(k), out.rb_mut().col_mut(k));
                    for &(c, r) in here {
                        ok[r] = bk[c - start] + wnorm + self.norms[c] * wsum;
                    }
                }
            }
        } else {
            // Few candidates: gather their rows, block by block.
            let mut gathered = Mat::<F>::zeros(BLOCK, p);
            for (blk, block) in candidates.chunks(BLOCK).enumerate() {
                let mut g = gathered.as_mut().subrows_mut(0, block.len());
                for t in 0..p {
                    let col = x.col(t);
                    for (slot, &c) in g.rb_mut().col_mut(t).iter_mut().zip(block) {
                        *slot = col[c];
                    }
                }
                let mut b = buf.as_mut().subrows_mut(0, block.len());
                faer::linalg::matmul::matmul(b.rb_mut(), Accum::Replace, g.as_ref(), xta.as_ref(), minus_two, Par::Seq);
                for (k, &(wsum, wnorm)) in sums.iter().enumerate() {
                    let bk = b.as_ref().col(k);
                    let ok = out.rb_mut().col_mut(k).subrows_mut(blk * BLOCK, block.len());
                    for ((slot, &bv), &c) in ok.iter_mut().zip(bk.iter()).zip(block) {
                        *slot = bv + wnorm + self.norms[c] * wsum;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Rows per block of [`SquaredEuclidean::columns`]: the block's features stay in
/// cache while every requested column is computed.
const ROWS: usize = 2048;

/// Squared distances from a block of rows to `m` fixed rows: `outs[r][i] =
/// ‖x_i‖² + ‖x_c‖² − 2 Σ_t feats[t][i] · coef[r * p + t]`, clipped at 0, the sum
/// over `t` in order from zero (as [`SquaredEuclidean::d`]). SIMD lanes run over
/// `i`, compiled for the CPU's instruction set; no fused multiply-add, so the same
/// result everywhere.
struct Distances<'a, 'b, F> {
    feats: &'a [&'a [F]],
    coef: &'a [F],
    cnorm: &'a [F],
    norms: &'a [F],
    outs: &'a mut [&'b mut [F]],
}

impl<F: Float> pulp::WithSimd for Distances<'_, '_, F> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        // Tiles of 16 rows: the tile's features are copied side by side (a
        // contiguous 16 × p block in L1, whatever the stride of the feature columns,
        // which could alias in the cache) and serve every column, two at a time
        // (each load feeds two sums); rows 4 KiB ahead are prefetched meanwhile.
        const L: usize = 16;
        let p = self.feats.len();
        let len = self.norms.len();
        let m = self.cnorm.len();
        let dist = |norm: F, cnorm: F, dot: F| {
            let d = norm + cnorm - (dot + dot);
            if d > F::zero() { d } else { F::zero() }
        };
        let mut tile = vec![[F::zero(); L]; p];
        let full = len - len % L;
        for i in (0..full).step_by(L) {
            for (row, feat) in tile.iter_mut().zip(self.feats) {
                crate::lanes::prefetch_ahead(feat, i, L);
                if let Ok(x) = <&[F; L]>::try_from(&feat[i..i + L]) {
                    *row = *x;
                }
            }
            let Ok(norms) = <&[F; L]>::try_from(&self.norms[i..i + L]) else { continue };
            let mut pairs = self.coef.chunks_exact(2 * p);
            for (q, coefs) in pairs.by_ref().enumerate() {
                let (c0, c1) = coefs.split_at(p);
                let (mut a0, mut a1) = ([F::zero(); L], [F::zero(); L]);
                for ((x, &k0), &k1) in tile.iter().zip(c0).zip(c1) {
                    for l in 0..L {
                        a0[l] += x[l] * k0;
                        a1[l] += x[l] * k1;
                    }
                }
                for (r, acc) in [(2 * q, a0), (2 * q + 1, a1)] {
                    if let Some(Ok(out)) = self.outs.get_mut(r).map(|o| <&mut [F; L]>::try_from(&mut o[i..i + L])) {
                        for l in 0..L {
                            out[l] = dist(norms[l], self.cnorm[r], acc[l]);
                        }
                    }
                }
            }
            let last = pairs.remainder();
            if !last.is_empty() {
                let mut acc = [F::zero(); L];
                for (x, &c) in tile.iter().zip(last) {
                    for l in 0..L {
                        acc[l] += x[l] * c;
                    }
                }
                if let Some(Ok(out)) = self.outs.get_mut(m - 1).map(|o| <&mut [F; L]>::try_from(&mut o[i..i + L])) {
                    for l in 0..L {
                        out[l] = dist(norms[l], self.cnorm[m - 1], acc[l]);
                    }
                }
            }
        }
        for r in 0..m {
            let coef = &self.coef[r * p..(r + 1) * p];
            for i in full..len {
                let dot = self.feats.iter().zip(coef).fold(F::zero(), |acc, (feat, &c)| acc + feat[i] * c);
                if let Some(slot) = self.outs.get_mut(r).and_then(|o| o.get_mut(i)) {
                    *slot = dist(self.norms[i], self.cnorm[r], dot);
                }
            }
        }
    }
}

/// `(Σ_i w_i, Σ_i w_i ‖x_i‖²)` in four interleaved partial sums: a fixed order (so
/// deterministic) that breaks the add latency chain and lets the loop vectorise.
fn weight_sums<F: Float>(w: faer::ColRef<'_, F>, norms: &[F]) -> (F, F) {
    let (mut s, mut sn) = ([F::zero(); 4], [F::zero(); 4]);
    match w.try_as_col_major() {
        Some(w) => {
            let w = w.as_slice();
            let (wc, nc) = (w.chunks_exact(4), norms.chunks_exact(4));
            let (wr, nr) = (wc.remainder(), nc.remainder());
            for (w4, n4) in wc.zip(nc) {
                for l in 0..4 {
                    s[l] += w4[l];
                    sn[l] += w4[l] * n4[l];
                }
            }
            for (l, (&wi, &ni)) in wr.iter().zip(nr).enumerate() {
                s[l] += wi;
                sn[l] += wi * ni;
            }
        }
        None => {
            for (i, (&wi, &ni)) in w.iter().zip(norms).enumerate() {
                s[i & 3] += wi;
                sn[i & 3] += wi * ni;
            }
        }
    }
    ((s[0] + s[1]) + (s[2] + s[3]), (sn[0] + sn[1]) + (sn[2] + sn[3]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Precomputed;

    #[test]
    fn batched_columns_equal_single_distances_bit_for_bit_in_any_layout() {
        // 70 rows: several 16-row tiles and a tail; 3 features.
        let (n, p) = (70, 3);
        let x = Mat::from_fn(n, p, |i, t| ((i * 37 + t * 11) % 23) as f64 * 0.37 - 3.0);
        let row_major = Mat::from_fn(p, n, |t, i| x[(i, t)]);
        let sources =
            [SquaredEuclidean::from_ref(x.as_ref()).unwrap(), SquaredEuclidean::from_ref(row_major.as_ref().transpose()).unwrap()];
        let cs = [5, 0, 69, 5, 33];
        for src in &sources {
            let mut out = Mat::zeros(n, cs.len());
            src.columns(&cs, out.as_mut()).unwrap();
            // A strided output (rows contiguous) gets the same values.
            let mut strided = Mat::zeros(cs.len(), n);
            src.columns(&cs, strided.as_mut().transpose_mut()).unwrap();
            for (r, &c) in cs.iter().enumerate() {
                for i in 0..n {
                    let d = src.d(i, c).unwrap();
                    assert_eq!(out[(i, r)].to_bits(), d.to_bits(), "row {i}, column {c}");
                    assert_eq!(strided[(r, i)].to_bits(), d.to_bits());
                }
                assert_eq!(out[(c, r)], 0.0);
            }
        }
        let mut bad = Mat::zeros(n, 2);
        assert!(matches!(sources[0].columns(&cs, bad.as_mut()), Err(Error::ShapeMismatch { .. })));
        let mut one = Mat::zeros(n, 1);
        assert!(matches!(sources[0].columns(&[n], one.as_mut()), Err(Error::IndexOutOfRange { index: 70, .. })));
    }

    #[test]
    fn agrees_with_the_precomputed_matrix() {
        let x = Mat::from_fn(30, 3, |i, j| ((i * 7 + j * 3) % 11) as f64 * 0.5 - 2.0);
        let v = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        let m = Precomputed::squared_euclidean(x.as_ref()).unwrap();
        let mut a = vec![0.0; 30];
        let mut b = vec![0.0; 30];
        for c in [0, 7, 29] {
            let (ca, cb) = (v.column(c, &mut a).unwrap().to_vec(), m.column(c, &mut b).unwrap().to_vec());
            for i in 0..30 {
                assert!((ca[i] - cb[i]).abs() < 1e-9);
                assert!((v.d(i, c).unwrap() - cb[i]).abs() < 1e-9);
            }
        }
        let w = Mat::from_fn(30, 2, |i, k| ((i + k) % 4) as f64 - 1.5);
        let cands = [3, 0, 17];
        let (mut oa, mut ob) = (Mat::zeros(3, 2), Mat::zeros(3, 2));
        v.weighted_sums(&cands, w.as_ref(), oa.as_mut()).unwrap();
        m.weighted_sums(&cands, w.as_ref(), ob.as_mut()).unwrap();
        for r in 0..3 {
            for k in 0..2 {
                assert!((oa[(r, k)] - ob[(r, k)]).abs() < 1e-8, "{} vs {}", oa[(r, k)], ob[(r, k)]);
            }
        }
        assert!(matches!(SquaredEuclidean::new(faer::mat![[1.0, f64::NAN]]), Err(Error::NonFinite { row: 0, col: 1, .. })));
        assert!(matches!(SquaredEuclidean::new(Mat::<f32>::zeros(0, 2)), Err(Error::Empty { .. })));
    }
}
