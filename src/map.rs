//! A 2-D map of the model from dissimilarities alone: classical MDS of the
//! prototypes and landmark MDS of any object (ALGORITHM.md, "A map of the model").

use crate::{Error, Float, MatrixRef};
use faer::{Mat, MatRef, Side};

/// A plane in which the prototypes and any other objects can be drawn, built from
/// the `K × K` dissimilarities between the prototypes only.
///
/// Dissimilarities are read as squared distances (they are for squared Euclidean
/// vectors and kernels). The prototypes are placed by classical MDS: with
/// `Δ = (D + Dᵀ)/2` and `J = I − 11ᵀ/K`, the two largest eigenpairs `(λ, v)` of
/// `B = −½ J Δ J` give the coordinates `V Λ^{1/2}`. Any object is then placed from
/// its `K` dissimilarities to the prototypes (landmark MDS, de Silva & Tenenbaum
/// 2004): `y = −½ Λ^{−1/2} Vᵀ (δ − δ̄)`, `δ̄` the column means of `Δ` — `O(K)` per
/// object, no `n × n`, the same for training and new objects.
///
/// A non-Euclidean dissimilarity gives `B` negative eigenvalues: they are left out
/// of the map (an axis needs a positive one; with fewer than two, the missing axis
/// is 0), and [`negative_share`](Self::negative_share) says how much of `B` they
/// hold. [`explained`](Self::explained) is the share of the positive part the two
/// axes keep.
///
/// ```
/// use median_lvq::{MedianLvqParams, PrototypeMap, SquaredEuclidean};
/// let x = faer::mat![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [10.0, 0.0], [11.0, 0.0], [10.0, 1.0], [0.0, 10.0], [1.0, 10.0], [0.0, 11.0]];
/// let source = SquaredEuclidean::from_ref(&x)?;
/// let model = MedianLvqParams::new().fit(&source, &[0, 0, 0, 1, 1, 1, 2, 2, 2])?;
/// // The prototypes' dissimilarities to each other, then every object's to them.
/// let among = model.predict_objects(&source, model.prototype_indices())?.dissimilarities;
/// let map = PrototypeMap::new(&among)?;
/// let all: Vec<usize> = (0..9).collect();
/// let points = map.place(&model.predict_objects(&source, &all)?.dissimilarities)?;
/// assert_eq!((points.nrows(), points.ncols()), (9, 2));
/// assert!(map.explained() > 0.999); // the points lie in a plane
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PrototypeMap<F> {
    /// `K × 2` coordinates of the prototypes.
    prototypes: Mat<F>,
    /// Per axis, `v_a / sqrt(λ_a)` (0 for an axis without a positive eigenvalue).
    axes: [Vec<f64>; 2],
    /// Column means of `Δ`.
    mean: Vec<f64>,
    explained: f64,
    negative_share: f64,
}

impl<F: Float> PrototypeMap<F> {
    /// The map of `K` prototypes from their `K × K` dissimilarities (row `k`,
    /// column `l`: `d(prototype_k, prototype_l)`; need not be symmetric).
    ///
    /// # Errors
    /// [`Error::NotSquare`] / [`Error::Empty`] for a bad shape; [`Error::NonFinite`]
    /// / [`Error::Negative`] for a bad entry.
    pub fn new<'m>(among: impl Into<MatrixRef<'m, F>>) -> Result<Self, Error> {
        let among = among.into();
        let d = among.as_ref();
        if d.nrows() != d.ncols() {
            return Err(Error::NotSquare { rows: d.nrows(), cols: d.ncols() });
        }
        if d.nrows() == 0 {
            return Err(Error::Empty { what: "the prototype dissimilarities" });
        }
        crate::dissimilarity::check_finite_entries(d)?;
        let k = d.nrows();
        let delta = Mat::from_fn(k, k, |i, j| (d[(i, j)].as_f64() + d[(j, i)].as_f64()) / 2.0);
        let mean: Vec<f64> = (0..k).map(|j| (0..k).map(|i| delta[(i, j)]).sum::<f64>() / k as f64).collect();
        let grand = mean.iter().sum::<f64>() / k as f64;
        // B = −½ J Δ J: double centring.
        let b = Mat::from_fn(k, k, |i, j| -0.5 * (delta[(i, j)] - mean[i] - mean[j] + grand));
        let eigen = b.self_adjoint_eigen(Side::Lower).map_err(|_| Error::NonFinite {
            what: "prototype dissimilarity (the eigen-decomposition did not converge)",
            row: 0,
            col: 0,
            value: f64::NAN,
        })?;
        let (values, vectors) = (eigen.S(), eigen.U());
        // Nondecreasing: the largest two are last.
        let lambda: Vec<f64> = (0..k).map(|i| values[i]).collect();
        let positive: f64 = lambda.iter().filter(|&&l| l > 0.0).sum();
        let negative: f64 = lambda.iter().filter(|&&l| l < 0.0).map(|l| -l).sum();
        // Eigenvalues within rounding of 0 are 0.
        let tiny = 1e-12 * lambda.iter().fold(0.0f64, |m, l| m.max(l.abs()));
        let mut axes = [vec![0.0; k], vec![0.0; k]];
        let mut kept = 0.0;
        for (a, axis) in axes.iter_mut().enumerate() {
            let Some(i) = k.checked_sub(a + 1) else { break };
            let l = lambda[i];
            if l > tiny {
                kept += l;
                for (r, slot) in axis.iter_mut().enumerate() {
                    *slot = vectors[(r, i)] / l.sqrt();
                }
            }
        }
        // Prototype coordinates: the landmark formula on their own rows of Δ
        // equals `V Λ^{1/2}` (the rows of `J Δ J` are orthogonal to 1).
        let place = |row: &dyn Fn(usize) -> f64, axis: &[f64]| -> f64 { -0.5 * (0..k).map(|l| axis[l] * (row(l) - mean[l])).sum::<f64>() };
        let prototypes = Mat::from_fn(k, 2, |r, a| F::from_f64(place(&|l| delta[(r, l)], &axes[a])));
        let total = positive + negative;
        Ok(Self {
            prototypes,
            axes,
            mean,
            explained: if positive > 0.0 { kept / positive } else { 0.0 },
            negative_share: if total > 0.0 { negative / total } else { 0.0 },
        })
    }

    /// The prototypes' coordinates (`K × 2`), in prototype order.
    pub fn prototypes(&self) -> MatRef<'_, F> {
        self.prototypes.as_ref()
    }

    /// Coordinates (`m × 2`) of objects from their `m × K` dissimilarities to the
    /// prototypes (for instance a [`Prediction`](crate::Prediction)'s
    /// `dissimilarities`): training and new objects alike.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] unless there are `K` columns; [`Error::NonFinite`] /
    /// [`Error::Negative`] for a bad entry.
    pub fn place<'m>(&self, d: impl Into<MatrixRef<'m, F>>) -> Result<Mat<F>, Error> {
        let d = d.into();
        let d = d.as_ref();
        let k = self.mean.len();
        if d.ncols() != k {
            return Err(Error::ShapeMismatch { what: "columns (one per prototype)", expected: k, found: d.ncols() });
        }
        crate::dissimilarity::check_finite_entries(d)?;
        Ok(Mat::from_fn(d.nrows(), 2, |r, a| {
            F::from_f64(-0.5 * (0..k).map(|l| self.axes[a][l] * (d[(r, l)].as_f64() - self.mean[l])).sum::<f64>())
        }))
    }

    /// The share of the positive eigenvalues of `B` the two axes keep, in `[0, 1]`
    /// (1: the prototypes lie in a plane).
    pub fn explained(&self) -> f64 {
        self.explained
    }

    /// The share of `Σ|λ|` held by negative eigenvalues: 0 for a Euclidean
    /// dissimilarity (squared distances), larger the less Euclidean it is.
    pub fn negative_share(&self) -> f64 {
        self.negative_share
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sq(p: &[(f64, f64)], q: &[(f64, f64)]) -> Mat<f64> {
        Mat::from_fn(p.len(), q.len(), |i, j| (p[i].0 - q[j].0).powi(2) + (p[i].1 - q[j].1).powi(2))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Points in a plane: the map recovers every distance (prototypes and other
        /// objects), up to rotation and reflection; a repeated object lands where
        /// its twin did.
        #[test]
        fn planar_points_are_recovered(
            protos in proptest::collection::vec((-10.0..10.0f64, -10.0..10.0f64), 3..9),
            others in proptest::collection::vec((-10.0..10.0f64, -10.0..10.0f64), 1..6),
        ) {
            let among = sq(&protos, &protos);
            let map = PrototypeMap::new(&among).unwrap();
            // Degenerate (collinear) prototypes do not span the plane, and nearly
            // collinear ones span it badly: placing an object divides by the
            // second eigenvalue's root, so its error grows as the plane thins
            // (a case with axes 10 and 0.05 apart missed by 1e-5 relative).
            prop_assume!(map.explained() > 0.999 && {
                let (x, y) = (map.prototypes().col(0), map.prototypes().col(1));
                x.norm_l2() > 1e-3 && y.norm_l2() > 0.05 * x.norm_l2()
            });
            prop_assert!(map.negative_share() < 1e-9);
            let placed = map.place(&sq(&others, &protos)).unwrap();
            let p = map.prototypes();
            for (a, pa) in others.iter().enumerate() {
                for (k, pk) in protos.iter().enumerate() {
                    let want = ((pa.0 - pk.0).powi(2) + (pa.1 - pk.1).powi(2)).sqrt();
                    let got = ((placed[(a, 0)] - p[(k, 0)]).powi(2) + (placed[(a, 1)] - p[(k, 1)]).powi(2)).sqrt();
                    prop_assert!((want - got).abs() < 1e-6 * (1.0 + want), "{} vs {}", got, want);
                }
            }
            for k in 0..protos.len() {
                for l in 0..protos.len() {
                    let got = ((p[(k, 0)] - p[(l, 0)]).powi(2) + (p[(k, 1)] - p[(l, 1)]).powi(2)).sqrt();
                    prop_assert!((among[(k, l)].sqrt() - got).abs() < 1e-6 * (1.0 + got));
                }
            }
            // A prototype placed as an object lands on its own coordinates.
            let again = map.place(&among).unwrap();
            for k in 0..protos.len() {
                prop_assert!((again[(k, 0)] - p[(k, 0)]).abs() < 1e-9 && (again[(k, 1)] - p[(k, 1)]).abs() < 1e-9);
            }
            let twice = map.place(&sq(&[others[0], others[0]], &protos)).unwrap();
            prop_assert_eq!((twice[(0, 0)], twice[(0, 1)]), (placed[(0, 0)], placed[(0, 1)]));
            prop_assert_eq!((twice[(1, 0)], twice[(1, 1)]), (placed[(0, 0)], placed[(0, 1)]));
        }
    }

    #[test]
    fn non_euclidean_and_bad_input() {
        // A square's corners are Euclidean; a violated triangle is not: negative
        // eigenvalues, reported.
        let d = faer::mat![[0.0, 1.0, 1.0, 2.0], [1.0, 0.0, 2.0, 1.0], [1.0, 2.0, 0.0, 1.0], [2.0, 1.0, 1.0, 0.0_f32]];
        let ok = PrototypeMap::new(&d).unwrap();
        let bad = PrototypeMap::new(&faer::mat![[0.0, 9.0, 1.0], [9.0, 0.0, 1.0], [1.0, 1.0, 0.0_f64]]).unwrap();
        assert!(ok.negative_share() < 1e-6, "{}", ok.negative_share());
        assert!(bad.negative_share() > 0.1, "{}", bad.negative_share());
        // Two prototypes: one axis, the other 0.
        let two = PrototypeMap::new(&faer::mat![[0.0, 4.0], [4.0, 0.0_f64]]).unwrap();
        assert_eq!(two.prototypes()[(0, 1)], 0.0);
        assert!(((two.prototypes()[(0, 0)] - two.prototypes()[(1, 0)]).abs() - 2.0).abs() < 1e-12);
        assert!(matches!(PrototypeMap::new(&Mat::<f64>::zeros(2, 3)), Err(Error::NotSquare { .. })));
        assert!(matches!(PrototypeMap::new(&faer::mat![[0.0, -1.0], [1.0, 0.0]]), Err(Error::Negative { row: 0, col: 1, .. })));
        assert!(matches!(two.place(&faer::mat![[1.0, 2.0, 3.0]]), Err(Error::ShapeMismatch { .. })));
        assert!(matches!(two.place(&faer::mat![[1.0, f64::NAN]]), Err(Error::NonFinite { .. })));
    }
}
