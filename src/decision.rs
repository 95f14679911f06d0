//! Decisions a user can check: class probabilities, prediction with a reject option,
//! the accuracy-coverage curve and per-prototype statistics.
//!
//! Everything here starts from the `m × K` dissimilarities of objects to the
//! prototypes (columns in prototype order), which every
//! [`Prediction`](crate::Prediction) carries, so it works for matrices, new vectors
//! and new user objects alike.

use crate::init::argmin;
use crate::transfer::relative_distance;
use crate::{Error, Float, MedianLvq};
use faer::{Mat, MatRef};

/// The temperature of [`MedianLvq::probabilities`].
///
/// The per-object default is scale-free but soft; for probabilities to act on,
/// fit a fixed temperature on held-out data with [`MedianLvq::calibrate`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Temperature<F> {
    /// Per object, its distance to its nearest prototype (the default): the
    /// probabilities then do not change when all dissimilarities are scaled, like
    /// the model itself. An object on a prototype (distance 0) gets probability 1
    /// for the classes at distance 0, shared equally.
    #[default]
    PerObject,
    /// One fixed temperature `T > 0` for every object, in units of the
    /// dissimilarity.
    Fixed(F),
    /// Per object, `α > 0` times its distance to its nearest prototype
    /// ([`PerObject`](Self::PerObject) is `α = 1`): scale-free like the model, and
    /// sharper for `α < 1`.
    Relative(F),
}

impl<F: Float, L: Clone + PartialEq> MedianLvq<F, L> {
    /// Class probabilities: row `r`, column `c` (classes in the order of
    /// [`classes`](Self::classes)) is a softmax over `−d_c / T` where `d_c` is the
    /// distance of object `r` to the nearest prototype of class `c`. Rows sum to 1;
    /// the most probable class is the predicted one.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed, Temperature};
    /// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// # let d = Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
    /// let model = MedianLvqParams::new().fit(&d, &["b", "b", "b", "a", "a", "a"])?;
    /// assert_eq!(model.classes(), ["a", "b"]);
    /// assert_eq!(model.prototype_labels(), ["a", "b"]); // at 11.0 and at 1.0
    /// // Squared distances of a new object at 4.0 to those prototypes.
    /// let p = model.probabilities(faer::mat![[49.0, 9.0]].as_ref(), Temperature::PerObject)?;
    /// assert!((p[(0, 0)] + p[(0, 1)] - 1.0).abs() < 1e-12 && p[(0, 1)] > 0.9);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] unless there are `K` columns; [`Error::NonFinite`] /
    /// [`Error::Negative`] for a bad entry; [`Error::InvalidParameter`] for a fixed
    /// temperature that is not finite and positive.
    pub fn probabilities<'m>(&self, d: impl Into<crate::MatrixRef<'m, F>>, temperature: Temperature<F>) -> Result<Mat<F>, Error> {
        let d = d.into();
        let d = d.as_ref();
        check_temperature(temperature)?;
        self.check_prototype_columns(d)?;
        Ok(self.probabilities_unchecked(d, temperature))
    }

    /// Per row, the distance to the nearest prototype of each class.
    fn class_distances(&self, d: MatRef<'_, F>) -> Mat<F> {
        let class_of: Vec<usize> =
            self.prototype_labels().iter().map(|l| self.classes().iter().position(|c| c == l).unwrap_or(0)).collect();
        let mut nearest = Mat::from_fn(d.nrows(), self.classes().len(), |_, _| F::infinity());
        for r in 0..d.nrows() {
            for (k, &c) in class_of.iter().enumerate() {
                nearest[(r, c)] = nearest[(r, c)].min(d[(r, k)]);
            }
        }
        nearest
    }

    /// [`probabilities`](Self::probabilities) of checked input.
    pub(crate) fn probabilities_unchecked(&self, d: MatRef<'_, F>, temperature: Temperature<F>) -> Mat<F> {
        let nearest = self.class_distances(d);
        let classes = nearest.ncols();
        let mut out = Mat::zeros(d.nrows(), classes);
        let mut w = vec![F::zero(); classes];
        for r in 0..d.nrows() {
            let dmin = (0..classes).map(|c| nearest[(r, c)]).fold(F::infinity(), F::min);
            let t = match temperature {
                Temperature::Fixed(t) => t,
                Temperature::PerObject => dmin,
                Temperature::Relative(alpha) => alpha * dmin,
            };
            if t > F::zero() {
                // Shifted by the minimum so the largest term is exp(0) = 1: no overflow.
                for (c, wc) in w.iter_mut().enumerate() {
                    *wc = (-(nearest[(r, c)] - dmin) / t).exp();
                }
                let total = w.iter().copied().fold(F::zero(), |a, b| a + b);
                for (c, &wc) in w.iter().enumerate() {
                    out[(r, c)] = wc / total;
                }
            } else {
                let ties = (0..classes).filter(|&c| nearest[(r, c)] == dmin).count();
                for c in 0..classes {
                    out[(r, c)] = if nearest[(r, c)] == dmin { F::one() / F::from_usize(ties) } else { F::zero() };
                }
            }
        }
        out
    }

    /// Calibrates the probabilities on held-out objects and keeps the result as the
    /// model's temperature: `d` holds their dissimilarities to the prototypes
    /// (`m × K`, e.g. [`Prediction::dissimilarities`](crate::Prediction::dissimilarities)),
    /// `truth` their labels. Use objects not used in training (a calibration split):
    /// on training objects the temperature comes out too low.
    ///
    /// Two families are fitted by likelihood — a [`Fixed`](Temperature::Fixed)
    /// temperature and a [`Relative`](Temperature::Relative) one (a multiple of
    /// each object's nearest distance) — and the best of them and the
    /// [`PerObject`](Temperature::PerObject) default on these objects is kept. The
    /// criterion is the cross-entropy against the true labels smoothed by Laplace's
    /// rule of succession (the true class gets `1 − ε + ε/C`, each class `ε/C`, so
    /// that `1/(m + 2)` of the mass lies off the true class): a calibration set
    /// without errors then gives a finite temperature instead of certainty. It is
    /// convex in `β = 1/T`, so a golden-section search over `log β` finds the optimum
    /// (to `10⁻⁶` in `log β`) in a bracket of twelve orders of magnitude around the
    /// gaps' scale (the median positive gap between an object's nearest class and
    /// another). Probabilities are clipped at `1e-15`, as scikit-learn's `log_loss`
    /// does.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed, Temperature};
    /// # let x = [0.0, 1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0_f64];
    /// # let d = Precomputed::new(faer::Mat::from_fn(8, 8, |i, j| (x[i] - x[j]).abs()))?;
    /// let mut model = MedianLvqParams::new().fit(&d, &[0, 0, 0, 0, 1, 1, 1, 1])?;
    /// // Held-out objects at 4, 5 and 1.5 (labels 0, 1, 0), to the prototypes at 1 and 8.
    /// let held_out = faer::mat![[3.0, 4.0], [4.0, 3.0], [0.5, 6.5]];
    /// let report = model.calibrate(held_out.as_ref(), &[0, 1, 0])?;
    /// assert!(report.log_loss <= report.log_loss_per_object);
    /// assert_eq!(model.temperature(), report.temperature);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`predict`](Self::predict); [`Error::ShapeMismatch`] for a label count
    /// other than `m`; [`Error::Empty`] for no objects; [`Error::UnknownLabel`] for
    /// a label that is not a class of the model.
    pub fn calibrate<'m>(&mut self, d: impl Into<crate::MatrixRef<'m, F>>, truth: &[L]) -> Result<Calibration<F>, Error> {
        let d = d.into();
        let d = d.as_ref();
        self.check_prototype_columns(d)?;
        if truth.len() != d.nrows() {
            return Err(Error::ShapeMismatch { what: "true labels (one per row)", expected: d.nrows(), found: truth.len() });
        }
        if truth.is_empty() {
            return Err(Error::Empty { what: "the calibration set" });
        }
        let mut y = Vec::with_capacity(truth.len());
        for (r, label) in truth.iter().enumerate() {
            y.push(self.classes().iter().position(|c| c == label).ok_or(Error::UnknownLabel { index: r })?);
        }
        let nearest = self.class_distances(d);
        // Each row's gaps to its nearest class: absolute (for a fixed temperature)
        // and relative to that distance (for a relative one; 0/0 is a tie at 0).
        let (absolute, relative): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (0..nearest.nrows())
            .map(|r| {
                let row: Vec<f64> = (0..nearest.ncols()).map(|c| nearest[(r, c)].as_f64()).collect();
                let dmin = row.iter().copied().fold(f64::INFINITY, f64::min);
                let gaps: Vec<f64> = row.iter().map(|v| v - dmin).collect();
                let scaled = gaps
                    .iter()
                    .map(|&x| {
                        if x == 0.0 {
                            0.0
                        } else if dmin > 0.0 {
                            x / dmin
                        } else {
                            f64::INFINITY
                        }
                    })
                    .collect();
                (gaps, scaled)
            })
            .unzip();
        let classes = self.classes().len() as f64;
        let (fixed, log_loss_fixed) = fit_inverse_temperature(&absolute, &y, classes);
        let (alpha, log_loss_relative) = fit_inverse_temperature(&relative, &y, classes);
        let log_loss_per_object = smoothed_cross_entropy(&relative, &y, classes, 1.0);
        // The best of the three on the calibration objects (ties: the default).
        let candidates = [
            (Temperature::PerObject, log_loss_per_object),
            (Temperature::Relative(F::from_f64(1.0 / alpha)), log_loss_relative),
            (Temperature::Fixed(F::from_f64(1.0 / fixed)), log_loss_fixed),
        ];
        let usable = |t: &Temperature<F>| check_temperature(*t).is_ok();
        let (chosen, log_loss) =
            candidates.iter().filter(|(t, l)| usable(t) && l.is_finite()).fold(candidates[0], |b, &c| if c.1 < b.1 { c } else { b });
        self.temperature = chosen;
        Ok(Calibration { temperature: chosen, log_loss, log_loss_fixed, log_loss_relative, log_loss_per_object })
    }

    /// Per prototype, on labelled objects: how many it wins, how many of those it
    /// classifies correctly, and its share of the cost. `d` holds the objects'
    /// dissimilarities to the prototypes (`m × K`), `truth` their labels.
    ///
    /// The cost of object `i` is `μ_i = (d⁺ − d⁻)/(d⁺ + d⁻)` (identity transfer; `d⁺`
    /// to the nearest prototype of its own class, `d⁻` of another), attributed to
    /// the prototype that wins `i`; the prototypes' costs sum to the total. A
    /// prototype with a positive cost does more harm than good where it wins.
    ///
    /// ```
    /// # use median_lvq::{MedianLvqParams, Precomputed};
    /// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// # let m = faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2));
    /// # let d = Precomputed::new(m.clone())?;
    /// let labels = [0, 0, 0, 1, 1, 1];
    /// let model = MedianLvqParams::new().fit(&d, &labels)?;
    /// let all: Vec<usize> = (0..6).collect();
    /// let seen = model.predict_objects(&d, &all)?;
    /// let stats = model.prototype_statistics(seen.dissimilarities.as_ref(), &labels)?;
    /// assert_eq!(stats.iter().map(|s| s.wins).sum::<usize>(), 6);
    /// assert!(stats.iter().all(|s| s.correct == s.wins && s.cost < 0.0));
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`predict`](Self::predict); [`Error::ShapeMismatch`] for a label count
    /// other than `m`; [`Error::UnknownLabel`] for a label that is not a class of
    /// the model.
    pub fn prototype_statistics<'m>(
        &self,
        d: impl Into<crate::MatrixRef<'m, F>>,
        truth: &[L],
    ) -> Result<Vec<PrototypeStatistics<F>>, Error> {
        let d = d.into();
        let d = d.as_ref();
        if truth.len() != d.nrows() {
            return Err(Error::ShapeMismatch { what: "true labels (one per row)", expected: d.nrows(), found: truth.len() });
        }
        self.check_prototype_columns(d)?;
        let kk = self.prototype_indices().len();
        let mut stats = vec![PrototypeStatistics { wins: 0, correct: 0, cost: F::zero() }; kk];
        for (r, label) in truth.iter().enumerate() {
            if !self.classes().contains(label) {
                return Err(Error::UnknownLabel { index: r });
            }
            let row = |same: bool| {
                (0..kk).filter(|&k| (self.prototype_labels()[k] == *label) == same).map(|k| d[(r, k)]).fold(F::infinity(), F::min)
            };
            let (plus, minus) = (row(true), row(false));
            let win = argmin((0..kk).map(|k| d[(r, k)])).unwrap_or(0);
            let s = &mut stats[win];
            s.wins += 1;
            s.correct += usize::from(self.prototype_labels()[win] == *label);
            s.cost += relative_distance(plus, minus);
        }
        Ok(stats)
    }
}

/// What [`MedianLvq::calibrate`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Calibration<F> {
    /// The temperature now the model's: the best fitted fixed or relative one, or
    /// the per-object default where that fits the calibration objects best.
    pub temperature: Temperature<F>,
    /// The criterion (mean cross-entropy against the smoothed labels; see
    /// [`MedianLvq::calibrate`]) at the chosen temperature.
    pub log_loss: f64,
    /// The same at the best fixed temperature.
    pub log_loss_fixed: f64,
    /// The same at the best relative temperature.
    pub log_loss_relative: f64,
    /// The same with the per-object default.
    pub log_loss_per_object: f64,
}

/// Cross-entropy of softmax(−β · gaps) against the labels `y` smoothed by
/// Laplace's rule of succession: the true class gets `1 − ε + ε/C`, every class
/// `ε/C`, with `ε` such that the mass off the true class is `1 / (m + 2)` (the
/// chance of an error after none in `m` trials), so that a calibration set without
/// an error still gives a finite `β`. Probabilities are clipped at `1e-15`.
fn smoothed_cross_entropy(gaps: &[Vec<f64>], y: &[usize], classes: f64, beta: f64) -> f64 {
    let m = gaps.len() as f64;
    let eps = classes / ((classes - 1.0) * (m + 2.0));
    let mut total = 0.0;
    for (g, &c) in gaps.iter().zip(y) {
        let z: f64 = g.iter().map(|x| (-x * beta).exp()).sum();
        for (k, x) in g.iter().enumerate() {
            let q = eps / classes + if k == c { 1.0 - eps } else { 0.0 };
            total -= q * ((-x * beta).exp() / z).max(1e-15).ln();
        }
    }
    total / m
}

/// The `β` of least [`smoothed_cross_entropy`] and that value: a golden-section
/// search over `log β` (the criterion is convex in `β`) in a bracket of twelve
/// orders of magnitude around the gaps' scale (their median positive value).
fn fit_inverse_temperature(gaps: &[Vec<f64>], y: &[usize], classes: f64) -> (f64, f64) {
    let f = |log_beta: f64| smoothed_cross_entropy(gaps, y, classes, log_beta.exp());
    let mut positive: Vec<f64> = gaps.iter().flat_map(|g| g.iter().copied().filter(|x| *x > 0.0 && x.is_finite())).collect();
    positive.sort_by(f64::total_cmp);
    let scale = positive.get(positive.len() / 2).copied().unwrap_or(1.0);
    let (mut lo, mut hi) = ((1e-6 / scale).ln(), (1e6 / scale).ln());
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - golden * (hi - lo), lo + golden * (hi - lo));
    let (mut fa, mut fb) = (f(a), f(b));
    while hi - lo > 1e-6 {
        if fa <= fb {
            hi = b;
            (b, fb) = (a, fa);
            a = hi - golden * (hi - lo);
            fa = f(a);
        } else {
            lo = a;
            (a, fa) = (b, fb);
            b = lo + golden * (hi - lo);
            fb = f(b);
        }
    }
    let log_beta = (lo + hi) / 2.0;
    (log_beta.exp(), f(log_beta))
}

/// A fixed or relative temperature must be finite and positive.
pub(crate) fn check_temperature<F: Float>(temperature: Temperature<F>) -> Result<(), Error> {
    match temperature {
        Temperature::Fixed(t) | Temperature::Relative(t) if !(t.is_finite() && t > F::zero()) => {
            Err(Error::InvalidParameter { name: "temperature", value: t.as_f64().to_string(), expected: "finite and > 0" })
        }
        _ => Ok(()),
    }
}

/// What one prototype does on labelled objects; see
/// [`MedianLvq::prototype_statistics`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PrototypeStatistics<F> {
    /// Objects whose nearest prototype it is.
    pub wins: usize,
    /// Of those, the ones with its label.
    pub correct: usize,
    /// Sum of `μ` over the objects it wins (identity-transfer cost; lower is better).
    pub cost: F,
}

/// One point of an accuracy-coverage curve: accept the objects with confidence
/// `>= threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CoveragePoint<F> {
    /// Confidence threshold.
    pub threshold: F,
    /// Fraction of objects accepted, in `(0, 1]`.
    pub coverage: f64,
    /// Accuracy among the accepted objects.
    pub accuracy: f64,
    /// Number of objects accepted.
    pub accepted: usize,
}

/// The accuracy-coverage curve of a labelled prediction: one point per distinct
/// confidence, from the most confident objects alone (highest threshold) to all
/// objects (coverage 1, plain accuracy). Computed with one sort.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageCurve<F> {
    points: Vec<CoveragePoint<F>>,
}

impl<F: Float> CoverageCurve<F> {
    /// From each object's confidence and whether its prediction is correct.
    ///
    /// ```
    /// use median_lvq::CoverageCurve;
    /// let curve = CoverageCurve::new(&[0.9, 0.1, 0.5, 0.9], &[true, false, true, false])?;
    /// let p = curve.points();
    /// assert_eq!((p[0].threshold, p[0].coverage, p[0].accuracy), (0.9, 0.5, 0.5));
    /// assert_eq!((p[2].coverage, p[2].accuracy), (1.0, 0.5));
    /// assert_eq!(curve.threshold_for_accuracy(0.6).map(|q| q.threshold), Some(0.5));
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] for different lengths, [`Error::Empty`] for none,
    /// [`Error::NonFinite`] for a NaN or infinite confidence.
    pub fn new(confidence: &[F], correct: &[bool]) -> Result<Self, Error> {
        if confidence.len() != correct.len() {
            return Err(Error::ShapeMismatch {
                what: "correctness flags (one per confidence)",
                expected: confidence.len(),
                found: correct.len(),
            });
        }
        if confidence.is_empty() {
            return Err(Error::Empty { what: "the confidence list" });
        }
        if let Some((i, &c)) = confidence.iter().enumerate().find(|(_, c)| !c.is_finite()) {
            return Err(Error::NonFinite { what: "confidence", row: i, col: 0, value: c.as_f64() });
        }
        let mut order: Vec<usize> = (0..confidence.len()).collect();
        order.sort_by(|&a, &b| confidence[b].total_cmp(&confidence[a]).then(a.cmp(&b)));
        let m = confidence.len() as f64;
        let (mut points, mut hits) = (Vec::new(), 0usize);
        for (pos, &i) in order.iter().enumerate() {
            hits += usize::from(correct[i]);
            // A threshold cannot split equal confidences: one point per distinct value.
            let last_of_group = order.get(pos + 1).is_none_or(|&j| confidence[j] != confidence[i]);
            if last_of_group {
                let accepted = pos + 1;
                points.push(CoveragePoint {
                    threshold: confidence[i],
                    coverage: accepted as f64 / m,
                    accuracy: hits as f64 / accepted as f64,
                    accepted,
                });
            }
        }
        Ok(Self { points })
    }

    /// The points, by increasing coverage (decreasing threshold).
    pub fn points(&self) -> &[CoveragePoint<F>] {
        &self.points
    }

    /// The point of largest coverage whose accuracy is at least `accuracy`, if any.
    pub fn threshold_for_accuracy(&self, accuracy: f64) -> Option<CoveragePoint<F>> {
        self.points.iter().rev().find(|p| p.accuracy >= accuracy).copied()
    }

    /// The point of highest threshold that still accepts at least `coverage` of the
    /// objects (the best accuracy at that coverage or more), if any.
    pub fn threshold_for_coverage(&self, coverage: f64) -> Option<CoveragePoint<F>> {
        self.points.iter().find(|p| p.coverage >= coverage).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MedianLvqParams, Precomputed};

    #[test]
    fn probabilities_follow_the_model_classes_for_any_labels() {
        let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 20.0, 21.0, 22.0_f64];
        let d = Precomputed::new(Mat::from_fn(9, 9, |i, j| (x[i] - x[j]).abs())).unwrap();
        // Labels that are not 0..C−1, given out of order.
        let labels = [30, 30, 30, 10, 10, 10, 20, 20, 20];
        let model = MedianLvqParams::new().fit(&d, &labels).unwrap();
        let all: Vec<usize> = (0..9).collect();
        let dp = model.prototype_dissimilarities(&d, &all).unwrap();
        let p = model.probabilities(dp.as_ref(), Temperature::Fixed(2.0)).unwrap();
        let pred = model.predict(dp.as_ref()).unwrap();
        for r in 0..9 {
            let row: Vec<f64> = (0..3).map(|c| p[(r, c)]).collect();
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let best = argmin(row.iter().map(|v| -v)).unwrap();
            assert_eq!(model.classes()[best], pred.labels[r]);
            assert!(row[best] > 0.9, "not uniform: {row:?}");
        }
        assert!(model.probabilities(dp.as_ref(), Temperature::Fixed(0.0)).is_err());
        assert!(matches!(model.prototype_statistics(dp.as_ref(), &[30; 8]), Err(Error::ShapeMismatch { .. })));
        assert!(matches!(
            model.prototype_statistics(dp.as_ref(), &[30, 30, 30, 10, 10, 10, 20, 20, 99]),
            Err(Error::UnknownLabel { index: 8 })
        ));
        assert!(model.predict(dp.as_ref()).unwrap().with_reject(f64::NAN).is_err());
        assert!(CoverageCurve::new(&[0.5, f64::NAN], &[true, true]).is_err());
        assert!(CoverageCurve::<f64>::new(&[], &[]).is_err());
    }
}
