//! Evaluation: seeded stratified shuffle splits, and z-scoring with training statistics.

use crate::classes::Classes;
use crate::{Error, Float};
use faer::Mat;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// One train/test partition of object indices (each ascending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training objects.
    pub train: Vec<usize>,
    /// Held-out objects.
    pub test: Vec<usize>,
}

/// The most splits [`stratified_splits`] makes in one call.
pub const MAX_SPLITS: usize = 100_000;
/// The most memory [`stratified_splits`] allocates for the splits: 4 GiB.
const SPLITS_BUDGET: usize = 4 << 30;

/// `n_splits` stratified shuffle splits (`1..=`[`MAX_SPLITS`]): in every split, each class puts
/// `round(test_fraction · n_c)` of its objects (at least one, and never all) into the
/// test part. Split `s` is drawn from ChaCha8 with `seed` on stream `s`, so a split
/// does not depend on how many are asked for.
///
/// ```
/// let labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
/// let splits = median_lvq::stratified_splits(&labels, 3, 0.2, 42)?;
/// assert_eq!(splits.len(), 3);
/// assert_eq!(splits[0].test.len(), 2);
/// assert_eq!(splits[0].train.len(), 8);
/// # Ok::<(), median_lvq::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] unless `0 < test_fraction < 1` and `n_splits` is in
/// range; [`Error::TooLarge`] if the splits would take more than 4 GiB;
/// [`Error::Empty`] for no labels; [`Error::TooFewObjects`] for a class with a single object (it cannot be
/// both trained on and tested).
pub fn stratified_splits<L: Clone + Ord>(labels: &[L], n_splits: usize, test_fraction: f64, seed: u64) -> Result<Vec<Split>, Error> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::InvalidParameter {
            name: "test_fraction",
            value: test_fraction.to_string(),
            expected: "strictly between 0 and 1",
        });
    }
    if labels.is_empty() {
        return Err(Error::Empty { what: "the label list" });
    }
    if !(1..=MAX_SPLITS).contains(&n_splits) {
        return Err(Error::InvalidParameter { name: "n_splits", value: n_splits.to_string(), expected: "between 1 and 100,000 splits" });
    }
    // Every split holds every object's index once: check the total before allocating.
    let needed = n_splits.saturating_mul(labels.len()).saturating_mul(std::mem::size_of::<usize>());
    if needed > SPLITS_BUDGET {
        return Err(Error::TooLarge {
            what: "the splits (every object's index once per split)",
            needed,
            budget: SPLITS_BUDGET,
            hint: "ask for fewer splits at a time (a split does not depend on how many are asked for)",
        });
    }
    let classes = Classes::encode(labels);
    if let Some((class, m)) = classes.members.iter().enumerate().find(|(_, m)| m.len() < 2) {
        return Err(Error::TooFewObjects { class, example: m.first().copied().unwrap_or(0), available: m.len(), requested: 2 });
    }
    Ok((0..n_splits)
        .map(|s| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(s as u64);
            let (mut train, mut test) = (Vec::new(), Vec::new());
            for members in &classes.members {
                let mut pool = members.clone();
                // Fisher-Yates shuffle.
                for j in (1..pool.len()).rev() {
                    let pick = ((u128::from(rng.next_u64()) * (j as u128 + 1)) >> 64) as usize;
                    pool.swap(j, pick);
                }
                let n_test = ((test_fraction * pool.len() as f64).round() as usize).clamp(1, pool.len() - 1);
                test.extend_from_slice(&pool[..n_test]);
                train.extend_from_slice(&pool[n_test..]);
            }
            train.sort_unstable();
            test.sort_unstable();
            Split { train, test }
        })
        .collect())
}

/// Per-feature mean and deviation of some rows, to z-score vectors with the
/// training part's statistics only (so nothing of the test part leaks into training).
///
/// ```
/// use median_lvq::Standardizer;
/// let x = faer::mat![[1.0, 10.0], [3.0, 10.0], [100.0, 0.0]];
/// let s = Standardizer::fit(x.as_ref(), &[0, 1])?; // rows 0 and 1 only
/// let z = s.transform(x.as_ref())?;
/// assert_eq!((z[(0, 0)], z[(1, 0)]), (-1.0, 1.0));
/// assert_eq!(z[(2, 1)], -10.0); // a constant feature keeps deviation 1
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer<F> {
    mean: Vec<F>,
    deviation: Vec<F>,
}

impl<F: Float> Standardizer<F> {
    /// From given statistics: one mean and one deviation per feature.
    ///
    /// ```
    /// use median_lvq::Standardizer;
    /// let s = Standardizer::new(vec![1.0, 2.0], vec![0.5, 1.0])?;
    /// assert_eq!(s.transform(faer::mat![[2.0, 2.0]].as_ref())?, faer::mat![[2.0, 0.0]]);
    /// assert!(Standardizer::new(vec![1.0, 2.0], vec![0.5]).is_err());
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] for lengths that differ; [`Error::NonFinite`] for a
    /// mean or deviation that is not finite; [`Error::InvalidParameter`] for a
    /// deviation that is not `> 0`.
    pub fn new(mean: Vec<F>, deviation: Vec<F>) -> Result<Self, Error> {
        if deviation.len() != mean.len() {
            return Err(Error::ShapeMismatch { what: "deviations (one per mean)", expected: mean.len(), found: deviation.len() });
        }
        for (what, values) in [("mean", &mean), ("deviation", &deviation)] {
            if let Some((j, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::NonFinite { what, row: 0, col: j, value: v.as_f64() });
            }
        }
        if let Some(v) = deviation.iter().find(|v| **v <= F::zero()) {
            return Err(Error::InvalidParameter { name: "deviation", value: v.to_string(), expected: "every deviation > 0" });
        }
        Ok(Self { mean, deviation })
    }

    /// Mean of each feature.
    pub fn mean(&self) -> &[F] {
        &self.mean
    }

    /// Population standard deviation of each feature (1 where it is 0, so a
    /// constant feature is only centred).
    pub fn deviation(&self) -> &[F] {
        &self.deviation
    }

    /// Statistics of `rows` of `x` (`n × p`).
    ///
    /// # Errors
    /// [`Error::Empty`] for no rows; [`Error::IndexOutOfRange`] for a bad row;
    /// [`Error::NonFinite`] naming the first non-finite entry used.
    pub fn fit<'m>(x: impl Into<crate::MatrixRef<'m, F>>, rows: &[usize]) -> Result<Self, Error> {
        let x = x.into();
        let x = x.as_ref();
        if rows.is_empty() {
            return Err(Error::Empty { what: "the row list to standardise with" });
        }
        let p = x.ncols();
        let mut mean = vec![0.0; p];
        for &i in rows {
            if i >= x.nrows() {
                return Err(Error::IndexOutOfRange { what: "row", index: i, len: x.nrows() });
            }
            for (j, m) in mean.iter_mut().enumerate() {
                let v = x[(i, j)];
                if !v.is_finite() {
                    return Err(Error::NonFinite { what: "vector entry", row: i, col: j, value: v.as_f64() });
                }
                *m += v.as_f64();
            }
        }
        let m = rows.len() as f64;
        mean.iter_mut().for_each(|v| *v /= m);
        let deviation = (0..p)
            .map(|j| {
                let var = rows.iter().map(|&i| (x[(i, j)].as_f64() - mean[j]).powi(2)).sum::<f64>() / m;
                let dev = F::from_f64(var.sqrt());
                // 0 also when the deviation underflows the precision (f32).
                if dev > F::zero() && dev.is_finite() { dev } else { F::one() }
            })
            .collect();
        Ok(Self { mean: mean.into_iter().map(F::from_f64).collect(), deviation })
    }

    /// `(x − mean) / deviation`, row by row.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if `x` has a different number of features.
    pub fn transform<'m>(&self, x: impl Into<crate::MatrixRef<'m, F>>) -> Result<Mat<F>, Error> {
        let x = x.into();
        let x = x.as_ref();
        if x.ncols() != self.mean.len() {
            return Err(Error::ShapeMismatch { what: "features to standardise", expected: self.mean.len(), found: x.ncols() });
        }
        Ok(Mat::from_fn(x.nrows(), x.ncols(), |i, j| (x[(i, j)] - self.mean[j]) / self.deviation[j]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_stratified_disjoint_and_seeded() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 3) as u8).collect();
        let a = stratified_splits(&labels, 5, 0.2, 1).unwrap();
        let b = stratified_splits(&labels, 2, 0.2, 1).unwrap();
        assert_eq!(a[..2], b[..]);
        assert_ne!(a[0], a[1]);
        for s in &a {
            let mut all: Vec<usize> = s.train.iter().chain(&s.test).copied().collect();
            all.sort();
            assert_eq!(all, (0..100).collect::<Vec<_>>());
            for c in 0..3u8 {
                let nt = s.test.iter().filter(|&&i| labels[i] == c).count();
                let nc = labels.iter().filter(|&&l| l == c).count();
                assert_eq!(nt, (0.2 * nc as f64).round() as usize);
            }
        }
        assert!(stratified_splits(&labels, 1, 1.0, 0).is_err());
        assert!(stratified_splits::<u8>(&[], 1, 0.5, 0).is_err());
        assert!(matches!(stratified_splits(&[0, 0, 1], 1, 0.5, 0), Err(Error::TooFewObjects { class: 1, .. })));
    }
}
