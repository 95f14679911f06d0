//! Kernel-induced dissimilarity `d(i, j) = κ(i, i) + κ(j, j) − 2 κ(i, j)`.

use super::{Dissimilarity, check_buffer, check_index};
use crate::{Error, Float};
use std::marker::PhantomData;

/// The squared feature-space distance of a user kernel `κ` over user objects.
///
/// The diagonal `κ(i, i)` is computed once at construction. For an indefinite
/// kernel the formula can go negative; such values are **clipped to 0**, the nearest
/// admissible dissimilarity (and what rounding needs even for a positive definite
/// kernel). Non-finite kernel values are errors naming the pair, and so are
/// dissimilarities that overflow or exceed
/// [`Float::largest_dissimilarity`](crate::Float::largest_dissimilarity) (kernel
/// values near `±MAX`).
///
/// ```
/// use median_lvq::{Dissimilarity, KernelSource, kernels};
/// let xs = vec![vec![0.0, 0.0], vec![3.0, 4.0]];
/// let linear = KernelSource::new(&xs, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b))?;
/// assert_eq!(linear.d(0, 1)?, 25.0); // the linear kernel gives squared Euclidean
/// let rbf = KernelSource::new(&xs, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.01))?;
/// assert!((rbf.d(0, 1)? - 2.0 * (1.0 - (-0.25f64).exp())).abs() < 1e-12);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct KernelSource<'a, T, K, F> {
    items: &'a [T],
    kernel: K,
    diag: Vec<F>,
    _float: PhantomData<fn() -> F>,
}

impl<'a, T: Sync, F: Float, K: Fn(&T, &T) -> F + Sync> KernelSource<'a, T, K, F> {
    /// A source over `items` with kernel `κ`.
    ///
    /// # Errors
    /// [`Error::Empty`] for no items; [`Error::NonFinite`] for a non-finite `κ(i, i)`.
    pub fn new(items: &'a [T], kernel: K) -> Result<Self, Error> {
        if items.is_empty() {
            return Err(Error::Empty { what: "the item list" });
        }
        let diag = items.iter().enumerate().map(|(i, x)| finite(i, i, kernel(x, x))).collect::<Result<Vec<F>, Error>>()?;
        Ok(Self { items, kernel, diag, _float: PhantomData })
    }

    /// The dissimilarity from finite kernel values, checked: finite kernel values
    /// far apart in magnitude can still give an infinite or too large `d` (an
    /// error naming the pair, never a value training cannot use).
    #[inline]
    fn distance_from_kernel(&self, i: usize, j: usize, kij: F, kjj: F) -> Result<F, Error> {
        let d = if i == j { F::zero() } else { kernel_distance(self.diag[i], kjj, kij) };
        crate::error::check_dissimilarity(i, j, d)?;
        Ok(d)
    }
}

impl<T, K, F> std::fmt::Debug for KernelSource<'_, T, K, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelSource").field("objects", &self.items.len()).finish_non_exhaustive()
    }
}

/// Shares the items; copies the kernel and the `n` diagonal values.
impl<T, K: Clone, F: Clone> Clone for KernelSource<'_, T, K, F> {
    fn clone(&self) -> Self {
        Self { items: self.items, kernel: self.kernel.clone(), diag: self.diag.clone(), _float: PhantomData }
    }
}

/// `κ(x, x) + κ(y, y) − 2 κ(x, y)`, clipped at 0: the one formula of the kernel
/// form, for training and prediction alike.
#[inline]
pub(crate) fn kernel_distance<F: Float>(kxx: F, kyy: F, kxy: F) -> F {
    let d = kxx + kyy - (kxy + kxy);
    if d > F::zero() { d } else { F::zero() }
}

/// A kernel value, or the error naming its pair.
pub(crate) fn finite<F: Float>(row: usize, col: usize, v: F) -> Result<F, Error> {
    if v.is_finite() { Ok(v) } else { Err(Error::NonFinite { what: "kernel value", row, col, value: v.as_f64() }) }
}

impl<T: Sync, F: Float, K: Fn(&T, &T) -> F + Sync> Dissimilarity<F> for KernelSource<'_, T, K, F> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        check_index(j, self.len())?;
        let kij = finite(i, j, (self.kernel)(&self.items[i], &self.items[j]))?;
        self.distance_from_kernel(i, j, kij, self.diag[j])
    }

    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        check_index(c, self.len())?;
        check_buffer(buf.len(), self.len())?;
        let candidate = &self.items[c];
        // Evaluated in parallel, checked in index order (thread-count independent).
        crate::par::fill(buf, |i| (self.kernel)(&self.items[i], candidate));
        for (i, slot) in buf.iter_mut().enumerate() {
            let kic = finite(i, c, *slot)?;
            *slot = self.distance_from_kernel(i, c, kic, self.diag[c])?;
        }
        Ok(buf)
    }
}

/// Built-in kernels over feature slices (shorter slice's length is used).
pub mod kernels {
    use crate::Float;

    /// `x · y`.
    pub fn linear<F: Float>(x: &[F], y: &[F]) -> F {
        x.iter().zip(y).fold(F::zero(), |acc, (&a, &b)| acc + a * b)
    }

    /// Gaussian RBF `exp(−γ ‖x − y‖²)`.
    pub fn rbf<F: Float>(x: &[F], y: &[F], gamma: F) -> F {
        let sq = x.iter().zip(y).fold(F::zero(), |acc, (&a, &b)| acc + (a - b) * (a - b));
        (-gamma * sq).exp()
    }

    /// Polynomial `(x · y + c)^degree`.
    pub fn polynomial<F: Float>(x: &[F], y: &[F], degree: i32, c: F) -> F {
        (linear(x, y) + c).powi(degree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SquaredEuclidean;

    #[test]
    fn linear_kernel_is_squared_euclidean_and_errors_are_named() {
        let rows: Vec<Vec<f64>> = (0..12).map(|i| vec![(i % 5) as f64, (i * 3 % 7) as f64 - 2.0]).collect();
        let k = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
        let x = faer::Mat::from_fn(12, 2, |i, j| rows[i][j]);
        let e = SquaredEuclidean::new(x).unwrap();
        for i in 0..12 {
            for j in 0..12 {
                assert!((k.d(i, j).unwrap() - e.d(i, j).unwrap()).abs() < 1e-9);
            }
        }
        assert!(kernels::polynomial(&[1.0, 2.0], &[3.0, 1.0], 2, 1.0) == 36.0);
        let bad = KernelSource::new(&rows, |_: &Vec<f64>, _: &Vec<f64>| f64::NAN);
        assert!(matches!(bad, Err(Error::NonFinite { row: 0, col: 0, .. })));
        let empty: Vec<Vec<f64>> = vec![];
        assert!(matches!(KernelSource::new(&empty, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)), Err(Error::Empty { .. })));
        // Finite kernel values whose dissimilarity overflows: an error naming the pair.
        let huge: Vec<Vec<f64>> = vec![vec![8e153, -8e153], vec![-8e153, 8e153], vec![1.0, 1.0]];
        let k = KernelSource::new(&huge, |a: &Vec<f64>, b: &Vec<f64>| kernels::linear(a, b)).unwrap();
        assert!(matches!(k.d(0, 1), Err(Error::NonFinite { row: 0, col: 1, .. })), "{:?}", k.d(0, 1));
        let mut buf = vec![0.0; 3];
        assert!(matches!(k.column(1, &mut buf), Err(Error::NonFinite { row: 0, col: 1, .. })));
        // Indefinite kernel: clipped to 0.
        let neg = KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| if a == b { 0.0 } else { 1.0 }).unwrap();
        assert_eq!(neg.d(0, 1).unwrap(), 0.0);
    }
}
