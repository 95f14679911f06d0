//! The monotone transfer `Φ` applied to each object's relative distance `μ`.

use crate::Float;

/// The transfer function `Φ` of the cost `E = Σ_i v_{y_i} Φ(μ_i + margin)`.
///
/// All three are increasing, so lowering `E` pushes objects towards `μ < 0`
/// (correctly classified).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Transfer<F> {
    /// `Φ(x) = x`: the plain GLVQ cost; every object counts linearly.
    #[default]
    Identity,
    /// `Φ(x) = 1 / (1 + e^{−βx})` with slope `β > 0`: approaches the count of
    /// misclassified objects as `β` grows.
    Sigmoid {
        /// The slope `β`.
        beta: F,
    },
    /// `Φ(x) = −ln(4 − x)`: the generalized-EM likelihood form (requires `margin < 3`).
    LogLikelihood,
}

impl<F: Float> Transfer<F> {
    /// `Φ(x)`.
    ///
    /// ```
    /// use median_lvq::Transfer;
    /// assert_eq!(Transfer::<f64>::Identity.value(0.5), 0.5);
    /// assert_eq!(Transfer::Sigmoid { beta: 2.0_f64 }.value(0.0), 0.5);
    /// assert_eq!(Transfer::<f64>::LogLikelihood.value(3.0), 0.0);
    /// ```
    #[inline(always)]
    pub fn value(&self, x: F) -> F {
        match *self {
            Transfer::Identity => x,
            Transfer::Sigmoid { beta } => F::one() / (F::one() + (-beta * x).exp()),
            Transfer::LogLikelihood => -(F::from_f64(4.0) - x).ln(),
        }
    }

    /// The derivative `Φ'(x)`, used to rank candidates by the linearised change.
    ///
    /// ```
    /// use median_lvq::Transfer;
    /// assert_eq!(Transfer::Sigmoid { beta: 2.0_f64 }.derivative(0.0), 0.5);
    /// assert_eq!(Transfer::<f64>::LogLikelihood.derivative(2.0), 0.5);
    /// ```
    #[inline(always)]
    pub fn derivative(&self, x: F) -> F {
        match *self {
            Transfer::Identity => F::one(),
            Transfer::Sigmoid { beta } => {
                let s = self.value(x);
                beta * s * (F::one() - s)
            }
            Transfer::LogLikelihood => F::one() / (F::from_f64(4.0) - x),
        }
    }
}

/// `μ = (d⁺ − d⁻) / (d⁺ + d⁻)`, and 0 when both are 0.
///
/// Valid for any finite non-negative pair: when `d⁺ + d⁻` overflows (both near
/// `MAX`, possible in prediction, never in training, whose dissimilarities are at
/// most [`Float::largest_dissimilarity`]) the quotient is taken of the halves, which
/// is the same number.
#[inline(always)]
pub(crate) fn relative_distance<F: Float>(dp: F, dm: F) -> F {
    let den = dp + dm;
    if den > F::zero() && den.is_finite() {
        (dp - dm) / den
    } else if den > F::zero() {
        let half = F::from_f64(0.5);
        (dp * half - dm * half) / (dp * half + dm * half)
    } else {
        F::zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-6;
        for t in [Transfer::<f64>::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood] {
            for x in [-1.0, -0.3, 0.0, 0.7, 1.0] {
                let fd = (t.value(x + h) - t.value(x - h)) / (2.0 * h);
                assert!((fd - t.derivative(x)).abs() < 1e-6, "{t:?} at {x}");
                assert!(t.derivative(x) > 0.0);
            }
        }
    }

    #[test]
    fn relative_distance_limits() {
        assert_eq!(relative_distance(0.0, 0.0), 0.0);
        assert_eq!(relative_distance(1.0, 0.0), 1.0);
        assert_eq!(relative_distance(0.0_f32, 2.0), -1.0);
        assert_eq!(relative_distance(1.0, 3.0), -0.5);
        // No overflow of d⁺ + d⁻ near MAX.
        assert!((relative_distance(f64::MAX / 2.0, f64::MAX) + 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(relative_distance(f32::MAX, f32::MAX), 0.0);
    }
}
