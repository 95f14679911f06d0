//! The one floating-point bound every public type is generic over.

use std::fmt::{Debug, Display};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A real floating-point type usable by this crate: `f32` or `f64`.
///
/// It joins [`num_traits::Float`] (elementary functions) and faer's
/// [`RealField`](faer::traits::RealField) (matrix products), and is sealed: the
/// algorithms rely on IEEE semantics that only these two types are checked for.
///
/// ```
/// use median_lvq::Float;
/// fn half<F: Float>(x: F) -> F { x * F::from_f64(0.5) }
/// assert_eq!(half(3.0_f32), 1.5);
/// assert_eq!(half(3.0_f64).as_f64(), 1.5);
/// ```
pub trait Float:
    num_traits::Float + faer::traits::RealField + Copy + Send + Sync + Debug + Display + Default + 'static + sealed::Sealed
{
    /// Converts from `f64`, rounding to nearest.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64` (exact for both types).
    fn as_f64(self) -> f64;
    /// IEEE total order (`-NaN < -inf < … < inf < NaN`), for sorting without panics.
    fn total_cmp(&self, other: &Self) -> std::cmp::Ordering;
    /// Converts a count to this type, rounding to nearest.
    fn from_usize(x: usize) -> Self {
        Self::from_f64(x as f64)
    }
    /// The largest dissimilarity training accepts: `2⁻⁴⁰ · MAX` (about `3.1e26` in
    /// `f32`, `1.6e296` in `f64`).
    ///
    /// Training sums dissimilarities over objects (the medoid searches of the
    /// start, the linearised proposals) and adds pairs of them (`d⁺ + d⁻`); below
    /// this bound none of those sums can overflow for up to `2³⁸` objects. Only
    /// ratios of dissimilarities matter to the model, so larger values can always
    /// be divided by a constant first.
    ///
    /// ```
    /// use median_lvq::Float;
    /// assert!(f32::largest_dissimilarity() > 3.0e26 && f32::largest_dissimilarity() < 3.2e26);
    /// ```
    fn largest_dissimilarity() -> Self {
        <Self as num_traits::Float>::max_value() * Self::from_f64(1.0 / (1u64 << 40) as f64)
    }
}

impl Float for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn total_cmp(&self, other: &Self) -> std::cmp::Ordering {
        f32::total_cmp(self, other)
    }
}

impl Float for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn total_cmp(&self, other: &Self) -> std::cmp::Ordering {
        f64::total_cmp(self, other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(f32::from_f64(0.25).as_f64(), 0.25);
        assert_eq!(f64::from_usize(7), 7.0);
        assert_eq!(f32::from_f64(1.0 / 3.0), 1.0_f32 / 3.0);
    }
}
