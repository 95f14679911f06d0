//! Watching and stopping training: an observer hook (in the spirit of argmin's).

use crate::Float;
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What just happened in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProgressEvent {
    /// The start of a run: the prototypes are initialised.
    Started,
    /// A jump was accepted.
    Jump,
    /// A sweep ended.
    Sweep,
}

/// The state of one training run, handed to an [`Observer`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Progress<F> {
    /// What just happened.
    pub event: ProgressEvent,
    /// Which fit (`0..n_init`); restarts run in parallel, so events of different
    /// restarts interleave.
    pub restart: usize,
    /// Sweeps started so far in this run (0 at `Started`).
    pub sweep: usize,
    /// Jumps accepted so far in this run.
    pub jumps: usize,
    /// The cost now.
    pub cost: F,
    /// Time since `fit` was called.
    pub elapsed: Duration,
}

/// Called after initialisation, every accepted jump and every sweep. Returning
/// [`ControlFlow::Break`] stops training: every run stops at its next event and
/// `fit` returns the best model so far with
/// [`Termination::Interrupted`](crate::Termination::Interrupted).
///
/// **Determinism**: with one fit (`n_init(1)`, or a deterministic start) and an
/// observer that decides from what it is shown (not from a clock), the interrupted
/// model is the same on every run. With several restarts running in parallel,
/// where the *other* restarts are when one asks to stop depends on timing, and so
/// may the returned model; for a reproducible result under a budget, bound the
/// work with `max_sweeps` instead, or fit once.
///
/// Any `Fn(&Progress<F>) -> ControlFlow<()> + Sync` is an observer:
///
/// ```
/// use median_lvq::{MedianLvqParams, Precomputed, Progress, Termination};
/// use std::ops::ControlFlow;
/// # let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 13.0_f64];
/// # let d = Precomputed::new(faer::Mat::from_fn(8, 8, |i, j| (x[i] - x[j]).powi(2)))?;
/// # let labels = [0, 0, 0, 0, 1, 1, 1, 1];
/// // Stop at the first accepted jump.
/// let stop = |p: &Progress<f64>| if p.jumps >= 1 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) };
/// let params = MedianLvqParams::new().prototypes_per_class(2).init(median_lvq::Init::Given(vec![0, 1, 4, 5])).check()?;
/// let model = params.fit_observed(&d, &labels, &stop)?;
/// assert_eq!(model.termination(), Termination::Interrupted);
/// assert_eq!(model.jumps(), 1);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub trait Observer<F>: Sync {
    /// Sees one event; `Break` asks training to stop.
    fn observe(&self, progress: &Progress<F>) -> ControlFlow<()>;
}

impl<F, T: Fn(&Progress<F>) -> ControlFlow<()> + Sync> Observer<F> for T {
    fn observe(&self, progress: &Progress<F>) -> ControlFlow<()> {
        self(progress)
    }
}

/// An observer that never stops training and watches nothing.
pub(crate) struct Silent;

impl<F> Observer<F> for Silent {
    fn observe(&self, _: &Progress<F>) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// A ready-made progress report on stderr for long fits: one line per sweep (and at
/// the start of each run), at most one every `interval`; never stops training.
///
/// ```
/// use median_lvq::{MedianLvqParams, Precomputed, StderrProgress};
/// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
/// # let d = Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
/// let report = StderrProgress::new(std::time::Duration::from_secs(1));
/// let model = MedianLvqParams::new().check()?.fit_observed(&d, &[0, 0, 0, 1, 1, 1], &report)?;
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug)]
pub struct StderrProgress {
    interval: Duration,
    last: Mutex<Option<Instant>>,
}

impl StderrProgress {
    /// Reports at most once per `interval` (`Duration::ZERO`: every sweep).
    pub fn new(interval: Duration) -> Self {
        Self { interval, last: Mutex::new(None) }
    }
}

impl<F: Float> Observer<F> for StderrProgress {
    fn observe(&self, p: &Progress<F>) -> ControlFlow<()> {
        if p.event == ProgressEvent::Jump {
            return ControlFlow::Continue(());
        }
        let now = Instant::now();
        if let Ok(mut last) = self.last.lock()
            && last.is_none_or(|t| now.duration_since(t) >= self.interval)
        {
            *last = Some(now);
            eprintln!(
                "[{:>8.2} s] restart {} sweep {} jumps {} cost {:.6}",
                p.elapsed.as_secs_f64(),
                p.restart,
                p.sweep,
                p.jumps,
                p.cost.as_f64()
            );
        }
        ControlFlow::Continue(())
    }
}
