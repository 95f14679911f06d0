//! # median-lvq
//!
//! Median learning vector quantization (median GLVQ; Nebel, Hammer, Frohberg and
//! Villmann 2015): supervised classification of objects known only through a
//! dissimilarity. Training picks a few **actual data objects** per class as
//! prototypes so that the nearest-prototype rule classifies well; the model is a
//! handful of real examples that a person can look at.
//!
//! Training runs on any [`Dissimilarity`]; the cost never rises (each accepted jump
//! is an exact improvement), results are deterministic for a seed on any thread
//! count and any number of MPI ranks ([`distributed`]), and bad input gives an
//! [`Error`], never a panic.
//!
//! ```
//! use median_lvq::{MedianLvqParams, Precomputed, accuracy};
//! use faer::Mat;
//!
//! let x = [0.0, 0.5, 1.0, 5.0, 5.5, 6.0_f64];
//! let labels = [0, 0, 0, 1, 1, 1];
//! let d = Precomputed::new(Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).abs()))?;
//! let model = MedianLvqParams::new().fit(&d, &labels)?;
//! let all: Vec<usize> = (0..6).collect();
//! let predicted = model.predict_objects(&d, &all)?;
//! assert_eq!(accuracy(&predicted.labels, &labels)?, 1.0);
//! # Ok::<(), median_lvq::Error>(())
//! ```
//!
//! ## Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `parallel` | yes | candidate passes, restarts and products on rayon's thread pool (results do not depend on the thread count) |
//! | `serde` | no | saving and loading models (`FORMAT_VERSION`) |
//! | `ndarray` | no | ndarray matrices wherever a matrix is taken ([`MatrixRef`]) |
//! | `linfa` | no | linfa's `ParamGuard`, `Fit` and `Predict` (module `linfa`) |
//! | `mpi` | no | training over MPI, data split across ranks ([`distributed::Mpi`]; needs an MPI library and `libclang`) |
//!
//! From Python: the repository's `python/` directory is a package on this crate,
//! `median_lvq.MedianGLVQ`, a scikit-learn classifier (`pip install ./python`).
//!
//! ## faer in the public API
//!
//! Matrices are faer's (`faer::Mat`, `MatRef`; the [`Float`] bound builds on
//! faer's `RealField`), and faer is re-exported as [`median_lvq::faer`](crate::faer)
//! so that your code names exactly the version this crate was built with. faer is
//! a public dependency: a release of this crate that moves to a semver-incompatible
//! faer (0.24 → 0.25) is itself a semver-incompatible release. With the `ndarray`
//! feature, ndarray views are accepted too (the ndarray version linfa uses).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
// `unsafe` is denied everywhere but one audited prefetch hint (`lanes.rs`).
#![deny(unsafe_code)]
// No panic reachable from the public API. `unwrap`, `expect`, `panic!` and friends are
// denied outside tests. Slice and matrix indexing (`clippy::indexing_slicing`) is not
// denied: every index used inside the crate is either checked where it enters the
// public API (`check_index`, `check_weighted_shapes`, `column_checked`, the shape
// checks of `fit`, `predict` and the decision tools, `Subset::new`, given initial
// prototypes) or produced internally within `0..n` / `0..K` of buffers sized from
// the same checked lengths; the property and error tests exercise those paths.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::unreachable, clippy::todo, clippy::unimplemented)
)]

mod classes;
pub mod datasets;
mod decision;
pub mod dissimilarity;
pub mod distributed;
mod error;
mod eval;
mod float;
mod init;
mod input;
mod lanes;
#[cfg(feature = "linfa")]
#[cfg_attr(docsrs, doc(cfg(feature = "linfa")))]
pub mod linfa;
mod map;
mod model;
mod observe;
mod par;
mod params;
#[cfg(feature = "serde")]
mod persist;
mod portable;
mod train;
mod transfer;

pub use faer;

pub use decision::{Calibration, CoverageCurve, CoveragePoint, PrototypeStatistics, Temperature};
pub use dissimilarity::{
    Dissimilarity, Fallible, FunctionSource, KernelSource, NpyFile, PairFunction, Precomputed, SquaredEuclidean, Subset, kernels,
};
pub use error::{Error, SourceFailure};
pub use eval::{MAX_SPLITS, Split, Standardizer, stratified_splits};
pub use float::Float;
pub use input::MatrixRef;
pub use map::PrototypeMap;
pub use model::{MedianLvq, Prediction, Termination, accuracy};
pub use observe::{Observer, Progress, ProgressEvent, StderrProgress};
pub use params::{Candidates, ClassWeights, Init, MedianLvqParams, Search, ValidParams};
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use persist::FORMAT_VERSION;
pub use portable::PortableModel;
pub use transfer::Transfer;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
