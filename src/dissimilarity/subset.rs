//! A view over a subset of another source's objects, copying no dissimilarity.

use super::{Dissimilarity, check_buffer, check_index, check_weighted_shapes};
use crate::{Error, Float};
use faer::{Mat, MatMut, MatRef};
use std::sync::Mutex;

/// The objects `objects[0], objects[1], …` of a parent source, renumbered `0, 1, …`.
///
/// Used to train on part of the data (a training split) without copying anything:
/// `d(i, j)` of the subset is `d(objects[i], objects[j])` of the parent.
///
/// ```
/// use median_lvq::{Dissimilarity, Precomputed, Subset};
/// let d = Precomputed::new(faer::mat![[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])?;
/// let s = Subset::new(&d, vec![2, 0])?;
/// assert_eq!(s.d(0, 1)?, 2.0);
/// assert_eq!(s.origin(0), 2);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct Subset<'a, F: Float, D: ?Sized> {
    parent: &'a D,
    objects: Vec<usize>,
    /// Parent-length column buffers, reused across calls (one per concurrent caller).
    scratch: Mutex<Vec<Vec<F>>>,
}

impl<'a, F: Float, D: Dissimilarity<F> + ?Sized> Subset<'a, F, D> {
    /// A view of `objects` (indices into `parent`, in the order given; repeats allowed).
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an index `>= parent.len()`.
    pub fn new(parent: &'a D, objects: Vec<usize>) -> Result<Self, Error> {
        if let Some(&bad) = objects.iter().find(|&&i| i >= parent.len()) {
            return Err(Error::IndexOutOfRange { what: "subset object", index: bad, len: parent.len() });
        }
        Ok(Self { parent, objects, scratch: Mutex::new(Vec::new()) })
    }

    /// The parent indices of all subset objects.
    pub fn objects(&self) -> &[usize] {
        &self.objects
    }

    /// The parent source.
    pub fn parent(&self) -> &'a D {
        self.parent
    }

    fn take_buffer(&self) -> Vec<F> {
        let pooled = self.scratch.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| vec![F::zero(); self.parent.len()])
    }

    fn give_back(&self, buf: Vec<F>) {
        if let Ok(mut p) = self.scratch.lock() {
            p.push(buf);
        }
    }

    /// [`weighted_sums`](Dissimilarity::weighted_sums) over a stored parent: the
    /// candidates' columns gathered about `bytes` at a time (at least one column)
    /// and summed with the matrix's own arithmetic. Few weight columns are summed
    /// per candidate, so any chunk gives the same bits; matrix products run on
    /// whole blocks of the matrix's partition, so the chunk is a multiple of it
    /// there.
    fn gathered_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, mut out: MatMut<'_, F>, bytes: usize) -> Result<(), Error> {
        let n = self.len();
        let fit = (bytes / (n * std::mem::size_of::<F>()).max(1)).max(1);
        let block = super::matrix::BLOCK;
        let chunk = if weights.ncols() <= super::matrix::FEW_WEIGHTS { fit } else { fit.div_ceil(block) * block };
        let mut gathered = Mat::<F>::zeros(n, chunk.min(candidates.len()));
        let mut buf = vec![F::zero(); n];
        let mut start = 0;
        for part in candidates.chunks(chunk) {
            for (r, &c) in part.iter().enumerate() {
                let col = self.column(c, &mut buf)?;
                gathered.as_mut().col_mut(r).iter_mut().zip(col).for_each(|(g, &v)| *g = v);
            }
            let local: Vec<usize> = (0..part.len()).collect();
            super::matrix::stored_weighted_sums(gathered.as_ref(), &local, weights, out.as_mut().subrows_mut(start, part.len()));
            start += part.len();
        }
        Ok(())
    }
}

/// Gathered columns held at a time by a subset's weighted sums.
const GATHER_BYTES: usize = 32 << 20;

impl<F: Float, D: ?Sized> std::fmt::Debug for Subset<'_, F, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subset").field("objects", &self.objects.len()).finish_non_exhaustive()
    }
}

/// Shares the parent; copies the index list.
impl<F: Float, D: ?Sized> Clone for Subset<'_, F, D> {
    fn clone(&self) -> Self {
        Self { parent: self.parent, objects: self.objects.clone(), scratch: Mutex::new(Vec::new()) }
    }
}

impl<F: Float, D: Dissimilarity<F> + ?Sized> Dissimilarity<F> for Subset<'_, F, D> {
    fn len(&self) -> usize {
        self.objects.len()
    }

    fn origin(&self, i: usize) -> usize {
        // Out of range: `i` itself (never used by training, which stays in range).
        self.objects.get(i).map_or(i, |&p| self.parent.origin(p))
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        check_index(j, self.len())?;
        self.parent.d(self.objects[i], self.objects[j])
    }

    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        check_index(c, self.len())?;
        check_buffer(buf.len(), self.len())?;
        let mut full = self.take_buffer();
        let result = super::column_checked(self.parent, self.objects[c], &mut full).map(|col| {
            for (slot, &i) in buf.iter_mut().zip(&self.objects) {
                *slot = col[i];
            }
        });
        self.give_back(full);
        result.map(|()| &*buf)
    }

    fn weighted_sums_are_cheap(&self) -> bool {
        self.parent.weighted_sums_are_cheap()
    }

    /// A copy of the subset's rows when the parent is vectors and no object repeats.
    fn squared_euclidean(&self) -> Option<super::SquaredEuclidean<'_, F>> {
        let parent = self.parent.squared_euclidean()?;
        let mut seen = vec![false; parent.len()];
        let distinct = self.objects.iter().all(|&i| !std::mem::replace(&mut seen[i], true));
        distinct.then(|| parent.gathered(&self.objects))
    }

    fn columns_are_stored(&self) -> bool {
        self.parent.columns_are_stored()
    }

    /// Over a parent that stores its columns: the subset's candidate columns are
    /// gathered (a bounded block at a time) and summed with the matrix's own
    /// arithmetic, so a subset gives bit for bit what a [`Precomputed`](crate::Precomputed)
    /// of the same dissimilarities gives (and so the same model). Otherwise the
    /// weights are scattered to the parent's objects and the parent is asked, so
    /// its matrix product or closed form is used.
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        check_weighted_shapes(self.len(), candidates, weights, &out)?;
        if self.parent.columns_are_stored() {
            return self.gathered_sums(candidates, weights, out, GATHER_BYTES);
        }
        let mut full = Mat::<F>::zeros(self.parent.len(), weights.ncols());
        for (r, &i) in self.objects.iter().enumerate() {
            for k in 0..weights.ncols() {
                full[(i, k)] += weights[(r, k)];
            }
        }
        let mapped: Vec<usize> = candidates.iter().map(|&c| self.objects[c]).collect();
        self.parent.weighted_sums(&mapped, full.as_ref(), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Precomputed;

    #[test]
    fn subset_matches_parent() {
        let n = 40;
        let m = Mat::from_fn(n, n, |i, j| ((i * 31 + j * 17) % 23) as f64);
        let d = Precomputed::new(m.clone()).unwrap();
        let objects = vec![5, 3, 39, 0, 12, 7];
        let s = Subset::new(&d, objects.clone()).unwrap();
        let mut buf = vec![0.0; 6];
        let col = s.column(2, &mut buf).unwrap().to_vec();
        for (r, &i) in objects.iter().enumerate() {
            assert_eq!(col[r], m[(i, 39)]);
            assert_eq!(s.d(r, 2).unwrap(), m[(i, 39)]);
        }
        let w = Mat::from_fn(6, 2, |i, k| (i + 2 * k) as f64 - 3.0);
        let mut out = Mat::zeros(3, 2);
        s.weighted_sums(&[4, 0, 2], w.as_ref(), out.as_mut()).unwrap();
        for (r, &c) in [4, 0, 2].iter().enumerate() {
            for k in 0..2 {
                let naive: f64 = (0..6).map(|i| w[(i, k)] * s.d(i, c).unwrap()).sum();
                assert!((out[(r, k)] - naive).abs() < 1e-12);
            }
        }
        assert!(matches!(Subset::new(&d, vec![40]), Err(Error::IndexOutOfRange { index: 40, .. })));
        assert!(s.d(6, 0).is_err());
    }

    /// A subset of a matrix and the matrix of the same dissimilarities are the same
    /// source: weighted sums bit for bit (and so the same fitted model), with
    /// values whose sums round differently in any other order.
    #[test]
    fn subset_of_a_matrix_sums_like_the_gathered_matrix() {
        let n = 300;
        let value = |i: usize, j: usize| if i == j { 0.0 } else { 1.0 / (1.0 + ((i * 7919 + j * 104_729) % 9973) as f64).sqrt() };
        let parent = Precomputed::new(Mat::from_fn(n, n, value)).unwrap();
        let objects: Vec<usize> = (0..137).map(|i| (i * 113 + 5) % n).collect();
        let subset = Subset::new(&parent, objects.clone()).unwrap();
        let m = objects.len();
        let gathered = Precomputed::new(Mat::from_fn(m, m, |i, j| value(objects[i], objects[j]))).unwrap();
        let candidates: Vec<usize> = (0..m).rev().collect();
        for kk in [1, 7] {
            let w = Mat::from_fn(m, kk, |i, k| 1.0 / (1.0 + (i + 3 * k) as f64));
            let (mut a, mut b) = (Mat::zeros(m, kk), Mat::zeros(m, kk));
            subset.weighted_sums(&candidates, w.as_ref(), a.as_mut()).unwrap();
            gathered.weighted_sums(&candidates, w.as_ref(), b.as_mut()).unwrap();
            // Also gathered a few columns at a time (several chunks).
            let mut c = Mat::zeros(m, kk);
            subset.gathered_sums(&candidates, w.as_ref(), c.as_mut(), 3 * m * 8).unwrap();
            for r in 0..m {
                for k in 0..kk {
                    assert_eq!(a[(r, k)].to_bits(), b[(r, k)].to_bits(), "candidate {r}, weight column {k}");
                    assert_eq!(c[(r, k)].to_bits(), b[(r, k)].to_bits(), "chunked: candidate {r}, weight column {k}");
                }
            }
        }
        let labels: Vec<usize> = (0..m).map(|i| i % 3).collect();
        let params = crate::MedianLvqParams::new().prototypes_per_class(3).check().unwrap();
        let (x, y) = (params.fit(&subset, &labels).unwrap(), params.fit(&gathered, &labels).unwrap());
        assert_eq!(x.cost_history(), y.cost_history());
        assert_eq!(x.jumps(), y.jumps());
    }
}
