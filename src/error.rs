//! The crate's one error type.

use thiserror::Error;

/// Everything that can go wrong, with what, where and what to do.
///
/// Every fallible public function returns `Result<_, Error>`; no input reachable
/// through the public API panics.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// There are no objects at all.
    #[error("{what} is empty: at least two objects of two classes are needed")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
    /// A matrix that must be square is not.
    #[error("the dissimilarity matrix is {rows} x {cols}; it must be square (n x n), with d(i, j) in row i, column j")]
    NotSquare {
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
    },
    /// Two inputs that must have the same length or shape do not.
    #[error("{what}: expected {expected}, found {found}")]
    ShapeMismatch {
        /// What was compared, e.g. "labels for the 150 objects".
        what: &'static str,
        /// The size required.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// A dissimilarity (or similarity, or vector entry) is NaN or infinite.
    #[error("{what} at ({row}, {col}) is {value}, which is not finite; remove or repair that entry")]
    NonFinite {
        /// What held the value ("dissimilarity", "similarity", "vector entry").
        what: &'static str,
        /// Row (object) index.
        row: usize,
        /// Column index.
        col: usize,
        /// The value as `f64`.
        value: f64,
    },
    /// A value is finite but larger than this precision can train with.
    #[error(
        "{what} at ({row}, {col}) is {value}, above the largest this precision handles ({limit}; sums over objects could overflow); only ratios matter to the model: divide every value by a constant, or use f64"
    )]
    TooLargeValue {
        /// What held the value ("dissimilarity", "squared norm of a vector row", …).
        what: &'static str,
        /// Row (object) index.
        row: usize,
        /// Column index.
        col: usize,
        /// The value as `f64`.
        value: f64,
        /// The largest admissible value, as `f64`.
        limit: f64,
    },
    /// Vectors whose squared distances would overflow, or all underflow, in the
    /// working precision.
    #[error(
        "vector row {row} has squared norm {squared_norm}, {problem} (squared norms must be at most {largest}, and the largest at least {smallest}); scale the vectors (only ratios of distances matter to the model; standardising is usual) or use f64"
    )]
    VectorScale {
        /// The row with the largest squared norm.
        row: usize,
        /// Its squared norm, computed in `f64`.
        squared_norm: f64,
        /// What goes wrong.
        problem: &'static str,
        /// The largest admissible squared norm.
        largest: f64,
        /// The smallest admissible largest squared norm.
        smallest: f64,
    },
    /// The cost at the start of training is not finite: the source returned a
    /// value that breaks the [`Dissimilarity`](crate::Dissimilarity) contract.
    #[error(
        "the cost at the start of training is {value}: the dissimilarity source returned a value training cannot use (NaN, infinite, negative or above Float::largest_dissimilarity); check its d, column and columns"
    )]
    NonFiniteCost {
        /// The cost found.
        value: f64,
    },
    /// A user's source failed for a reason of its own (I/O, parsing, a remote
    /// call): see [`FunctionSource::fallible`](crate::FunctionSource::fallible), or
    /// return it from your own [`Dissimilarity`](crate::Dissimilarity) with
    /// [`Error::source_failure`].
    #[error("the dissimilarity source failed at ({row}, {col}): {failure}")]
    Source {
        /// Object index.
        row: usize,
        /// Candidate (column) index.
        col: usize,
        /// The source's own error.
        #[source]
        failure: SourceFailure,
    },
    /// An error of linfa's, met through the `linfa` integration.
    #[cfg(feature = "linfa")]
    #[cfg_attr(docsrs, doc(cfg(feature = "linfa")))]
    #[error("linfa: {message}")]
    Linfa {
        /// linfa's message.
        message: String,
    },
    /// Vectors with no features at all (an `n × 0` table).
    #[error("the {rows} vectors have no features (an n x 0 table); each row needs at least one coordinate")]
    NoFeatures {
        /// Number of rows given.
        rows: usize,
    },
    /// A dissimilarity is negative.
    #[error(
        "dissimilarity d({row}, {col}) = {value} is negative; dissimilarities must be >= 0 (shift or clip them, or build them from similarities with the kernel form)"
    )]
    Negative {
        /// Row (object) index.
        row: usize,
        /// Column (prototype candidate) index.
        col: usize,
        /// The value as `f64`.
        value: f64,
    },
    /// Fewer than two classes.
    #[error("the labels hold {found} class(es); classification needs at least two")]
    TooFewClasses {
        /// Number of distinct labels found.
        found: usize,
    },
    /// A class has fewer objects than the prototypes requested for it.
    #[error(
        "class #{class} (in sorted label order; e.g. object {example}) has {available} object(s) but {requested} prototype(s) were requested; lower the prototypes per class or add objects"
    )]
    TooFewObjects {
        /// Position of the class in sorted label order.
        class: usize,
        /// One object of that class.
        example: usize,
        /// Objects of the class.
        available: usize,
        /// Prototypes requested.
        requested: usize,
    },
    /// A training parameter is out of its domain.
    #[error("parameter `{name}` = {value} is invalid: {expected}")]
    InvalidParameter {
        /// The parameter's name as in the builder.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// A user-given prototype index is unusable.
    #[error("initial prototype #{position} = object {index} is invalid: {reason}")]
    InvalidInitialPrototype {
        /// Position in the given list.
        position: usize,
        /// The index given.
        index: usize,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// An object index is out of range.
    #[error("{what} index {index} is out of range: there are {len} objects")]
    IndexOutOfRange {
        /// What the index refers to.
        what: &'static str,
        /// The index given.
        index: usize,
        /// Number of objects.
        len: usize,
    },
    /// A true label that is not one of the model's classes.
    #[error("the true label of object {index} is not one of the model's classes; score only objects of the training classes")]
    UnknownLabel {
        /// The object (row) with that label.
        index: usize,
    },
    /// Another rank of a distributed fit failed (its own error is reported on that
    /// rank); every rank stops with an error instead of waiting for it.
    #[error("rank {rank} of the distributed fit failed: {message}")]
    OnRank {
        /// The lowest rank that failed.
        rank: usize,
        /// That rank's error message.
        message: String,
    },
    /// A column asked of a source that holds only some columns (a
    /// [`ColumnShard`](crate::distributed::ColumnShard)) on another rank.
    #[error(
        "column {column} is not held here: this shard is rank {rank} of {size} and holds the columns c with c mod {size} = {rank}; build each rank's shard with the communicator of the fit"
    )]
    NotOnThisRank {
        /// The column asked for.
        column: usize,
        /// The rank the shard was built for.
        rank: usize,
        /// The number of ranks it was built for.
        size: usize,
    },
    /// A file could not be read or is not in the expected format.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// A computation would need more memory than allowed or addressable.
    #[error("{what} needs {needed} bytes, over the budget of {budget} bytes; {hint}")]
    TooLarge {
        /// What would be allocated.
        what: &'static str,
        /// Bytes it would need (saturated at `usize::MAX`).
        needed: usize,
        /// The budget.
        budget: usize,
        /// What to do instead.
        hint: &'static str,
    },
}

impl Error {
    /// An [`Error::Source`] for the pair `(row, col)` carrying the source's own
    /// error.
    ///
    /// ```
    /// use median_lvq::Error;
    /// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "sequence 7 missing");
    /// let e = Error::source_failure(7, 2, io);
    /// assert!(e.to_string().contains("(7, 2)") && e.to_string().contains("sequence 7 missing"));
    /// assert!(std::error::Error::source(&e).is_some());
    /// ```
    pub fn source_failure(row: usize, col: usize, failure: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Source { row, col, failure: SourceFailure::new(failure.into()) }
    }
}

/// A user source's own error, shared so that [`enum@Error`] stays `Clone`; two are
/// equal when they are the same error value.
#[derive(Debug, Clone)]
pub struct SourceFailure(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl SourceFailure {
    pub(crate) fn new(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Self(std::sync::Arc::from(e))
    }

    /// The source's error.
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl PartialEq for SourceFailure {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Display for SourceFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Transparent: its message and its source are the wrapped error's.
impl std::error::Error for SourceFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Checks one dissimilarity value for training; the single place where "finite,
/// `>= 0` and at most [`Float::largest_dissimilarity`]" is decided.
///
/// [`Float::largest_dissimilarity`]: crate::Float::largest_dissimilarity
#[inline]
pub(crate) fn check_dissimilarity<F: crate::Float>(row: usize, col: usize, value: F) -> Result<(), Error> {
    check_finite_dissimilarity(row, col, value)?;
    if value > F::largest_dissimilarity() {
        Err(Error::TooLargeValue { what: "dissimilarity", row, col, value: value.as_f64(), limit: F::largest_dissimilarity().as_f64() })
    } else {
        Ok(())
    }
}

/// Whether training accepts a dissimilarity (see [`check_dissimilarity`]).
#[inline(always)]
pub(crate) fn admissible<F: crate::Float>(value: F) -> bool {
    value >= F::zero() && value <= F::largest_dissimilarity()
}

/// Finite and `>= 0`: what prediction needs (it sums no dissimilarities).
#[inline]
pub(crate) fn check_finite_dissimilarity<F: crate::Float>(row: usize, col: usize, value: F) -> Result<(), Error> {
    if !value.is_finite() {
        Err(Error::NonFinite { what: "dissimilarity", row, col, value: value.as_f64() })
    } else if value < F::zero() {
        Err(Error::Negative { row, col, value: value.as_f64() })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_place_and_value() {
        let e = check_dissimilarity(3, 4, f64::NAN).unwrap_err();
        assert!(e.to_string().contains("(3, 4)"), "{e}");
        let e = check_dissimilarity(1, 2, -0.5_f32).unwrap_err();
        assert_eq!(e, Error::Negative { row: 1, col: 2, value: -0.5 });
        assert!(e.to_string().contains("-0.5"));
        assert!(check_dissimilarity(0, 0, 0.0_f64).is_ok());
        assert!(check_dissimilarity(0, 0, f32::INFINITY).is_err());
        let e = check_dissimilarity(2, 5, 1e30_f32).unwrap_err();
        assert!(matches!(e, Error::TooLargeValue { row: 2, col: 5, .. }), "{e}");
        assert!(e.to_string().contains("divide"), "{e}");
        assert!(check_finite_dissimilarity(2, 5, 1e30_f32).is_ok());
        assert!(admissible(<f64 as crate::Float>::largest_dissimilarity()) && !admissible(f64::MAX) && !admissible(f64::NAN));
    }
}
