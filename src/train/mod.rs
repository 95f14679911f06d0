//! Training: generalized EM over discrete prototype positions (ALGORITHM.md).
//!
//! Each sweep visits every prototype once, in descending order of the cost of its
//! receptive field, and takes its best improving jump. A jump is accepted only when
//! the cost after it, summed in `f64` exactly as the recorded cost is, lies below
//! the cost now by more than `min_jump_improvement · Σ v`, so the recorded cost strictly
//! decreases whatever the rounding, and training terminates.

mod candidate;
mod proposals;
mod search;
mod state;

use crate::classes::Classes;
use crate::dissimilarity::column_checked;
use crate::distributed::{ColumnShard, Communicator, Local, Team};
use crate::init::{argmin, initial_prototypes};
use crate::model::{MedianLvq, Termination};
use crate::observe::{Observer, Progress, ProgressEvent, Silent};
use crate::params::{Candidates, ClassWeights, MedianLvqParams, Search, ValidParams};
use crate::{Dissimilarity, Error, Float, par};
use candidate::ClassFrame;
use faer::Mat;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use search::{JumpFrame, linear_weights};
pub(crate) use state::{Problem, State};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// What one training run produced.
struct Run {
    protos: Vec<usize>,
    history: Vec<f64>,
    sweeps: usize,
    termination: Termination,
}

impl<F: Float> MedianLvqParams<F> {
    /// Checks the parameters, then fits; see [`ValidParams::fit`].
    ///
    /// # Errors
    /// Any error of [`check`](Self::check) or of [`ValidParams::fit`].
    pub fn fit<L: Clone + Ord, D: Dissimilarity<F> + ?Sized>(&self, source: &D, labels: &[L]) -> Result<MedianLvq<F, L>, Error> {
        self.check()?.fit(source, labels)
    }

    /// Checks the parameters, then fits on every rank; see
    /// [`ValidParams::fit_distributed`].
    ///
    /// # Errors
    /// Any error of [`check`](Self::check) or of [`ValidParams::fit_distributed`].
    pub fn fit_distributed<L: Clone + Ord, D: Dissimilarity<F> + ?Sized>(
        &self,
        comm: &dyn Communicator,
        source: &D,
        labels: &[L],
    ) -> Result<MedianLvq<F, L>, Error> {
        self.check()?.fit_distributed(comm, source, labels)
    }
}

impl<F: Float> ValidParams<F> {
    /// Fits median GLVQ: `labels[i]` is the label of object `i` of `source`.
    ///
    /// Labels may be of any ordered type; classes are numbered in sorted label order.
    ///
    /// ```
    /// use median_lvq::{MedianLvqParams, Precomputed};
    /// use faer::Mat;
    ///
    /// // Six points on a line, two classes.
    /// let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// let d = Precomputed::new(Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
    /// let labels = ["a", "a", "a", "b", "b", "b"];
    /// let model = MedianLvqParams::new().check()?.fit(&d, &labels)?;
    /// assert_eq!(model.prototype_indices(), &[1, 4]);
    /// assert_eq!(model.prototype_labels(), &["a", "b"]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Empty`] / [`Error::ShapeMismatch`] for no objects or a label count
    /// that differs from `source.len()`; [`Error::TooFewClasses`];
    /// [`Error::TooFewObjects`] when a class cannot hold its prototypes;
    /// [`Error::ShapeMismatch`] for given class weights of the wrong length;
    /// [`Error::InvalidInitialPrototype`] for bad given indices; and any error the
    /// source reports.
    pub fn fit<L: Clone + Ord, D: Dissimilarity<F> + ?Sized>(&self, source: &D, labels: &[L]) -> Result<MedianLvq<F, L>, Error> {
        self.fit_observed(source, labels, &Silent)
    }

    /// [`fit`](Self::fit) with an [`Observer`] that sees every initialisation,
    /// accepted jump and sweep, and can stop training (the model so far is then
    /// returned, with [`Termination::Interrupted`]).
    ///
    /// # Errors
    /// As for [`fit`](Self::fit).
    pub fn fit_observed<L: Clone + Ord, D: Dissimilarity<F> + ?Sized, O: Observer<F> + ?Sized>(
        &self,
        source: &D,
        labels: &[L],
        observer: &O,
    ) -> Result<MedianLvq<F, L>, Error> {
        self.fit_distributed_observed(&Local, source, labels, observer)
    }

    /// [`fit`](Self::fit) on every rank of `comm` at once (see
    /// [`distributed`](crate::distributed)): each rank passes the same labels and
    /// parameters and a source of the same `n` objects that can compute the
    /// columns its rank owns (`c mod R = rank`) — a
    /// [`ColumnShard`](crate::distributed::ColumnShard) of a matrix, or any source
    /// over objects every rank holds (vectors, a function). Every rank returns the
    /// same model, bit for bit the model of a single process.
    ///
    /// ```
    /// use median_lvq::distributed::{ColumnShard, Local};
    /// use median_lvq::MedianLvqParams;
    /// let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
    /// let m = faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).abs());
    /// // With feature `mpi`: `let comm = Mpi::world()?` instead of `Local`.
    /// let shard = ColumnShard::from_matrix(m.as_ref(), &Local)?;
    /// let model = MedianLvqParams::new().check()?.fit_distributed(&Local, &shard, &["a", "a", "a", "b", "b", "b"])?;
    /// assert_eq!(model.prototype_indices(), &[1, 4]);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`fit`](Self::fit), on every rank: an error on one rank stops all of
    /// them, the others with [`Error::OnRank`]; ranks that disagree on the number
    /// of objects, the labels or the parameters get [`Error::InvalidParameter`].
    pub fn fit_distributed<L: Clone + Ord, D: Dissimilarity<F> + ?Sized>(
        &self,
        comm: &dyn Communicator,
        source: &D,
        labels: &[L],
    ) -> Result<MedianLvq<F, L>, Error> {
        self.fit_distributed_observed(comm, source, labels, &Silent)
    }

    /// [`fit_distributed`](Self::fit_distributed) with an [`Observer`] on every
    /// rank; training stops when the observer of any rank asks.
    ///
    /// # Errors
    /// As for [`fit_distributed`](Self::fit_distributed).
    pub fn fit_distributed_observed<L: Clone + Ord, D: Dissimilarity<F> + ?Sized, O: Observer<F> + ?Sized>(
        &self,
        comm: &dyn Communicator,
        source: &D,
        labels: &[L],
        observer: &O,
    ) -> Result<MedianLvq<F, L>, Error> {
        let team = Team::of(comm);
        let started = Instant::now();
        // The source's length is read once and held: a source whose `len()` changes
        // during training gets an error, not a buffer of the wrong size.
        let pinned = Pinned::new(source);
        let source = &pinned;
        let mut resolved = self.clone();
        resolved.search = resolved.search.resolve(source);
        let p = &resolved;
        let n = source.len();
        let classes = Classes::encode(labels);
        // First, before any check that returns: a rank that stopped alone would
        // leave the others waiting.
        same_on_every_rank(team, p, n, &classes)?;
        if n == 0 {
            return Err(Error::Empty { what: "the dissimilarity source" });
        }
        if labels.len() != n {
            return Err(Error::ShapeMismatch { what: "labels (one per object of the source)", expected: n, found: labels.len() });
        }
        if classes.len() < 2 {
            return Err(Error::TooFewClasses { found: classes.len() });
        }
        if !matches!(p.init, crate::Init::Given(_)) {
            for (class, members) in classes.members.iter().enumerate() {
                if members.len() < p.prototypes_per_class {
                    return Err(Error::TooFewObjects {
                        class,
                        example: members.first().copied().unwrap_or(0),
                        available: members.len(),
                        requested: p.prototypes_per_class,
                    });
                }
            }
        }
        let class_weight = class_weights(&p.class_weights, &classes)?;
        let v: Vec<F> = match &p.sample_weights {
            None => classes.y.iter().map(|&c| class_weight[c]).collect(),
            Some(w) if w.len() == n => classes.y.iter().zip(w).map(|(&c, &s)| class_weight[c] * s).collect(),
            Some(w) => return Err(Error::ShapeMismatch { what: "sample weights (one per object)", expected: n, found: w.len() }),
        };
        let problem = Problem { y: &classes.y, v, transfer: p.transfer, margin: p.margin };
        check_cost_range(&problem, p)?;
        let watch = Watch { observer, started, stop: AtomicBool::new(false) };
        // Exhaustive search reads every candidate column at every sweep of every
        // restart: a source that computes its columns computes them once here.
        // Among ranks, each computes the columns it owns.
        let bytes = n.div_ceil(team.size()).checked_mul(n).and_then(|e| e.checked_mul(std::mem::size_of::<F>()));
        let reads_every_column = matches!(p.search, Search::Exhaustive | Search::CandidateMajor);
        if reads_every_column && !source.columns_are_stored() && bytes.is_some_and(|b| b <= p.matrix_budget) {
            let stored = team.agree(Stored::new(source, comm))?;
            return fit_restarts(&stored, &classes, &problem, p, &watch, team);
        }
        fit_restarts(source, &classes, &problem, p, &watch, team)
    }
}

/// The fits from every start: restarts run in parallel, each from its own ChaCha
/// stream; the lowest final cost wins, ties to the lowest restart (the same model
/// on any thread count).
fn fit_restarts<F: Float, L: Clone + Ord, D: Dissimilarity<F> + ?Sized, O: Observer<F> + ?Sized>(
    source: &D,
    classes: &Classes<L>,
    problem: &Problem<'_, F>,
    p: &ValidParams<F>,
    watch: &Watch<'_, O>,
    team: Team<'_>,
) -> Result<MedianLvq<F, L>, Error> {
    let n = source.len();
    let numbers = classes.numbers();
    let cost = |r: &Run| r.history.last().copied().unwrap_or(f64::INFINITY);
    let better = |a: &(usize, Run), b: &(usize, Run)| cost(&a.1).total_cmp(&cost(&b.1)).then(a.0.cmp(&b.0)).is_lt();
    let run_from = |restart: usize, team: Team<'_>| -> Result<Run, Error> {
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        rng.set_stream(restart as u64);
        let protos = initial_prototypes(source, &numbers, p.prototypes_per_class, &p.init, p.matrix_budget, &mut rng, team)?;
        train(source, problem, &numbers, p, protos, (watch, restart, team))
    };
    let best = match team {
        // Restarts in parallel; the selection does not depend on their order.
        Team::Single => par::best_of(p.restarts(n), |restart| run_from(restart, Team::Single), better),
        // Among ranks every restart is collective: one after the other, the same
        // selection.
        Team::Ranks(_) => {
            let mut best: Option<Result<(usize, Run), Error>> = None;
            for restart in 0..p.restarts(n) {
                let run = match run_from(restart, team) {
                    Ok(run) => (restart, run),
                    Err(e) => {
                        best = Some(Err(e));
                        break;
                    }
                };
                if best.as_ref().is_none_or(|b| b.as_ref().is_ok_and(|b| better(&run, b))) {
                    best = Some(Ok(run));
                }
            }
            best
        }
    };
    let (_, run) = best.ok_or(Error::InvalidParameter { name: "n_init", value: "0".into(), expected: "at least 1 fit" })??;
    let labels_of: Vec<usize> = run.protos.iter().map(|&q| classes.y[q]).collect();
    let origins = run.protos.iter().map(|&q| source.origin(q)).collect();
    Ok(MedianLvq::new(origins, &labels_of, &classes.labels, run.history, run.sweeps, run.termination, p.search))
}

/// Ranks that disagree on what they train would wait for each other forever or
/// train different models: the number of objects, the labels and the parameters
/// are compared first (a digest of each).
fn same_on_every_rank<F: Float, L>(team: Team<'_>, p: &ValidParams<F>, n: usize, classes: &Classes<L>) -> Result<(), Error> {
    let Team::Ranks(comm) = team else { return Ok(()) };
    let digest = |bytes: &[u8]| bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    // The class of every object (their count included), so a rank whose labels
    // are of another length differs too.
    let labels: Vec<u8> = classes.y.iter().flat_map(|&c| (c as u64).to_le_bytes()).collect();
    let mine = [n as u64, digest(&labels), digest(format!("{p:?}").as_bytes())];
    let all = comm.all_gather_u64(&mine);
    let what = ["the number of objects", "the labels", "the parameters"];
    for (r, theirs) in all.chunks(3).enumerate() {
        if let Some(k) = (0..3).find(|&k| theirs.get(k) != mine.get(k)) {
            return Err(Error::InvalidParameter {
                name: "distributed fit",
                value: format!("rank {} and rank {r} differ in {}", comm.rank(), what[k]),
                expected: "every rank passing the same number of objects, labels and parameters",
            });
        }
    }
    Ok(())
}

/// The cost `Σ_i v_i Φ(μ_i + margin)` and every partial sum of training must stay
/// finite in `F`: `|Φ|` is largest at `μ = ±1` (it is monotone), so
/// `Σ v · max |Φ(±1 + margin)|` bounds them all (with room for the differences of
/// the jump passes).
fn check_cost_range<F: Float>(problem: &Problem<'_, F>, p: &ValidParams<F>) -> Result<(), Error> {
    let bound = |x: f64| problem.transfer.value(F::from_f64(x) + p.margin).as_f64().abs();
    let largest_term = bound(-1.0).max(bound(1.0));
    let total = problem.total_weight() * largest_term;
    let limit = <F as num_traits::Float>::max_value().as_f64() / 16.0;
    if total.is_finite() && total <= limit {
        return Ok(());
    }
    let value = format!("{:?} with margin {} (the cost could reach {total:e})", p.class_weights, p.margin);
    Err(Error::InvalidParameter {
        name: if p.sample_weights.is_some() { "class_weights (times sample_weights)" } else { "class_weights" },
        value,
        expected: "weights whose total over the objects, times the largest |transfer value|, stays below MAX / 16 of the precision; only their ratios matter, so divide them all by a constant",
    })
}

/// A source's matrix, computed once (with the source's own `columns`, so bit for
/// bit its values), standing in for it: the same origins, and the same weighted
/// sums (the source's closed form where it has one, else column by column as
/// the source would), so training takes exactly the path it takes on the source.
/// Among ranks, each computes and keeps only the columns it owns.
struct Stored<'a, F: Float, D: ?Sized> {
    matrix: ColumnShard<F>,
    source: &'a D,
}

impl<'a, F: Float, D: Dissimilarity<F> + ?Sized> Stored<'a, F, D> {
    fn new(source: &'a D, comm: &dyn Communicator) -> Result<Self, Error> {
        // Blocks of columns: one pass over vectors per block; within a block the
        // source parallelises as it does in training.
        // Checked as a matrix is (a user source is otherwise trusted).
        Ok(Self { matrix: ColumnShard::compute(source, comm)?, source })
    }
}

impl<F: Float, D: Dissimilarity<F> + ?Sized> Dissimilarity<F> for Stored<'_, F, D> {
    fn len(&self) -> usize {
        self.matrix.len()
    }
    fn origin(&self, i: usize) -> usize {
        self.source.origin(i)
    }
    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        self.matrix.d(i, j)
    }
    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        self.matrix.column(c, buf)
    }
    fn columns(&self, cs: &[usize], out: faer::MatMut<'_, F>) -> Result<(), Error> {
        self.matrix.columns(cs, out)
    }
    fn columns_are_stored(&self) -> bool {
        true
    }
    fn weighted_sums_are_cheap(&self) -> bool {
        self.source.weighted_sums_are_cheap()
    }
    fn weighted_sums(&self, candidates: &[usize], weights: faer::MatRef<'_, F>, out: faer::MatMut<'_, F>) -> Result<(), Error> {
        if self.source.weighted_sums_are_cheap() {
            self.source.weighted_sums(candidates, weights, out)
        } else {
            crate::dissimilarity::weighted_sums_by_columns(self, candidates, weights, out)
        }
    }
}

/// A source whose length is read once: every call first checks that it still
/// holds, so nothing sized at the start can be indexed out of range later.
struct Pinned<'a, F, D: ?Sized> {
    inner: &'a D,
    n: usize,
    _float: std::marker::PhantomData<fn() -> F>,
}

impl<'a, F: Float, D: Dissimilarity<F> + ?Sized> Pinned<'a, F, D> {
    fn new(inner: &'a D) -> Self {
        Self { inner, n: inner.len(), _float: std::marker::PhantomData }
    }

    /// `call`, checking the length before and, if it fails, after (a length that
    /// changed in between is the error to report, not its consequence).
    fn checked<T>(&self, call: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
        self.same()?;
        call().map_err(|e| self.same().err().unwrap_or(e))
    }

    fn same(&self) -> Result<(), Error> {
        let now = self.inner.len();
        if now == self.n {
            Ok(())
        } else {
            Err(Error::ShapeMismatch { what: "objects of the source (its len() changed during training)", expected: self.n, found: now })
        }
    }
}

impl<F: Float, D: Dissimilarity<F> + ?Sized> Dissimilarity<F> for Pinned<'_, F, D> {
    fn len(&self) -> usize {
        self.n
    }
    fn origin(&self, i: usize) -> usize {
        self.inner.origin(i)
    }
    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        self.checked(|| self.inner.d(i, j))
    }
    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        self.same()?;
        match column_checked(self.inner, c, buf) {
            Err(e) => Err(self.same().err().unwrap_or(e)),
            ok => ok,
        }
    }
    fn columns(&self, cs: &[usize], out: faer::MatMut<'_, F>) -> Result<(), Error> {
        self.checked(|| self.inner.columns(cs, out))
    }
    fn batches_columns(&self) -> bool {
        self.inner.batches_columns()
    }
    fn columns_are_stored(&self) -> bool {
        self.inner.columns_are_stored()
    }
    fn weighted_sums_are_cheap(&self) -> bool {
        self.inner.weighted_sums_are_cheap()
    }
    fn weighted_sums(&self, candidates: &[usize], weights: faer::MatRef<'_, F>, out: faer::MatMut<'_, F>) -> Result<(), Error> {
        self.checked(|| self.inner.weighted_sums(candidates, weights, out))
    }
    fn squared_euclidean(&self) -> Option<crate::SquaredEuclidean<'_, F>> {
        // Its row count is fixed, so the pinned length holds for good.
        self.inner.squared_euclidean().filter(|x| x.len() == self.n)
    }
}

/// Weight of each class, in class order.
fn class_weights<F: Float, L>(w: &ClassWeights<F>, classes: &Classes<L>) -> Result<Vec<F>, Error> {
    let c = classes.len();
    let n: usize = classes.members.iter().map(Vec::len).sum();
    match w {
        ClassWeights::Uniform => Ok(vec![F::one(); c]),
        ClassWeights::Balanced => Ok(classes.members.iter().map(|m| F::from_f64(n as f64 / (c as f64 * m.len() as f64))).collect()),
        ClassWeights::Given(v) if v.len() == c => Ok(v.clone()),
        ClassWeights::Given(v) => Err(Error::ShapeMismatch { what: "class weights (one per class)", expected: c, found: v.len() }),
    }
}

/// The observer of a fit and the stop flag shared by its restarts.
struct Watch<'a, O: ?Sized> {
    observer: &'a O,
    started: Instant,
    stop: AtomicBool,
}

impl<O: ?Sized> Watch<'_, O> {
    /// Reports an event; true when training must stop (asked now or by another run).
    fn stop_after<F: Float>(&self, event: ProgressEvent, restart: usize, sweep: usize, history: &[f64], team: Team<'_>) -> bool
    where
        O: Observer<F>,
    {
        let progress = Progress {
            event,
            restart,
            sweep,
            jumps: history.len().saturating_sub(1),
            cost: F::from_f64(history.last().copied().unwrap_or(f64::NAN)),
            elapsed: self.started.elapsed(),
        };
        if self.observer.observe(&progress).is_break() {
            self.stop.store(true, Ordering::Relaxed);
        }
        // Among ranks, any rank's observer stops them all (at the same event).
        team.any(self.stop.load(Ordering::Relaxed))
    }
}

/// One training run from the given prototypes.
fn train<F: Float, L, D: Dissimilarity<F> + ?Sized, O: Observer<F> + ?Sized>(
    source: &D,
    problem: &Problem<'_, F>,
    classes: &Classes<L>,
    p: &ValidParams<F>,
    protos: Vec<usize>,
    (watch, restart, team): (&Watch<'_, O>, usize, Team<'_>),
) -> Result<Run, Error> {
    let mut state = State::on_team(source, problem, protos, team)?;
    let mut history = vec![state.cost()];
    if !state.cost().is_finite() {
        // Only a source that breaks the trait's contract gets here (every source of
        // the crate checks its values, and the cost range was checked).
        return Err(Error::NonFiniteCost { value: state.cost() });
    }
    // The sweep-level path over vectors needs no per-visit frame or batch.
    let vectors = if matches!(p.search, Search::Linearised { .. }) { source.squared_euclidean() } else { None };
    let sweep_level = vectors.is_some();
    let mut scratch = if sweep_level { Scratch::new(0, false) } else { Scratch::new(source.len(), source.batches_columns()) };
    scratch.spare.resize(source.len(), F::zero());
    let mut sweeps = 0;
    if watch.stop_after(ProgressEvent::Started, restart, 0, &history, team) {
        return Ok(Run { protos: state.protos, history, sweeps, termination: Termination::Interrupted });
    }
    let termination = 'sweeps: loop {
        if sweeps == p.max_sweeps {
            break Termination::MaxSweeps;
        }
        sweeps += 1;
        let before = state.cost();
        let mut accepted = 0;
        if p.search == Search::CandidateMajor {
            match candidate_sweep(source, problem, classes, p, &mut state, &mut scratch, &mut history, (watch, restart, sweeps, team))? {
                Some(count) => accepted = count,
                None => break 'sweeps Termination::Interrupted,
            }
        } else if let (true, Search::Linearised { checked }, Some(x)) = (sweep_level, p.search, vectors.as_ref()) {
            match proposal_sweep(x, problem, p, checked, &mut state, &mut scratch, &mut history, (watch, restart, sweeps, team))? {
                Some(count) => accepted = count,
                None => break 'sweeps Termination::Interrupted,
            }
        } else {
            for k in visiting_order(&state) {
                // The cost now is the last recorded one (no extra pass over the objects).
                let now = history.last().copied().unwrap_or(f64::INFINITY);
                if let Some((c, after)) = best_jump(source, problem, classes, p, &state, &mut scratch, k, now, team)? {
                    state.jump(problem, k, c, &scratch.column);
                    // The recorded cost is the one acceptance compared (the caches' own
                    // sum is the same number: the same terms, summed the same way).
                    debug_assert_eq!(state.cost().to_bits(), after.to_bits());
                    history.push(after);
                    accepted += 1;
                    if watch.stop_after(ProgressEvent::Jump, restart, sweeps, &history, team) {
                        break 'sweeps Termination::Interrupted;
                    }
                }
            }
        }
        let stop = watch.stop_after(ProgressEvent::Sweep, restart, sweeps, &history, team);
        if accepted == 0 {
            break Termination::Converged;
        }
        let after = state.cost();
        if before - after < p.min_sweep_improvement.as_f64() * before.abs() {
            break Termination::SweepImprovement;
        }
        if stop {
            break Termination::Interrupted;
        }
    };
    Ok(Run { protos: state.protos, history, sweeps, termination })
}

/// The order of a sweep's prototype visits: descending cost of their receptive
/// fields, ties to the lower index.
fn visiting_order<F: Float>(state: &State<F>) -> Vec<usize> {
    let shares = state.cost_shares();
    let mut order: Vec<usize> = (0..state.protos.len()).collect();
    order.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)));
    order
}

/// Bytes of proposal columns a [`proposal_sweep`] holds at once (at least one
/// column): the proposals' columns are computed this many at a time, one pass over
/// the rows per group.
const PROPOSAL_COLUMN_BYTES: usize = 256 << 20;

/// One sweep of the linearised search over vectors (see `proposals`): every
/// prototype's proposal from a few passes over the rows, then exact acceptance in
/// the usual visiting order against the current caches. The accepted jumps, or
/// `None` if the observer stopped training.
#[allow(clippy::too_many_arguments)]
fn proposal_sweep<F: Float, O: Observer<F> + ?Sized>(
    x: &crate::SquaredEuclidean<'_, F>,
    problem: &Problem<'_, F>,
    p: &ValidParams<F>,
    checked: usize,
    state: &mut State<F>,
    scratch: &mut Scratch<F>,
    history: &mut Vec<f64>,
    (watch, restart, sweep, team): (&Watch<'_, O>, usize, usize, Team<'_>),
) -> Result<Option<usize>, Error> {
    // Every rank holds the rows (vectors): each runs the sweep itself but for the
    // exact `ΔE` of the shortlists, split by candidate (see `proposals::propose`).
    let n = state.kp.len();
    let tolerance = p.min_jump_improvement.as_f64() * problem.total_weight();
    let mut accepted = 0;
    let mut checked_now = checked;
    let mut retried = false;
    loop {
        let proposed = proposals::propose(x, problem, state, p.candidates, checked_now, team)?;
        let chosen: Vec<(usize, usize)> = visiting_order(state).into_iter().filter_map(|k| proposed[k].map(|c| (k, c))).collect();
        let group = (PROPOSAL_COLUMN_BYTES / (n.max(1) * std::mem::size_of::<F>())).clamp(1, chosen.len().max(1));
        if scratch.batch.nrows() != n || scratch.batch.ncols() < group {
            scratch.batch = Mat::zeros(n, group);
        }
        for part in chosen.chunks(group) {
            let cs: Vec<usize> = part.iter().map(|&(_, c)| c).collect();
            x.columns(&cs, scratch.batch.as_mut().subcols_mut(0, cs.len()))?;
            for (r, &(k, c)) in part.iter().enumerate() {
                // An earlier jump of this sweep may have taken the candidate.
                if state.is_proto[c] {
                    continue;
                }
                let col = scratch.batch.col_as_slice(r);
                let after = search::cost_after_jump(state, problem, k, col, &mut scratch.spare);
                let now = history.last().copied().unwrap_or(f64::INFINITY);
                if after < now - tolerance {
                    state.jump(problem, k, c, col);
                    debug_assert_eq!(state.cost().to_bits(), after.to_bits());
                    history.push(after);
                    accepted += 1;
                    if watch.stop_after(ProgressEvent::Jump, restart, sweep, history, team) {
                        return Ok(None);
                    }
                }
            }
        }
        // Before a sweep counts as converged, the shortlists are doubled once: the
        // exact check of more candidates finds a jump often enough to pay for it
        // (measured: issue 18 in benches/README.md).
        if accepted > 0 || retried {
            break;
        }
        retried = true;
        checked_now = checked.saturating_mul(2);
    }
    Ok(Some(accepted))
}

/// Buffers reused across prototype visits.
struct Scratch<F> {
    frame: JumpFrame<F>,
    weights: Mat<F>,
    /// The column of the jump that [`best_jump`] accepts.
    column: Vec<F>,
    spare: Vec<F>,
    /// `n × BATCH` candidate columns, for sources that batch columns (else empty).
    batch: Mat<F>,
}

/// Candidate columns computed together by sources that batch columns.
const BATCH: usize = 8;

impl<F: Float> Scratch<F> {
    fn new(n: usize, batched: bool) -> Self {
        Self {
            frame: JumpFrame::new(n),
            weights: Mat::zeros(n, 1),
            column: vec![F::zero(); n],
            spare: vec![F::zero(); n],
            batch: Mat::zeros(if batched { n } else { 0 }, BATCH),
        }
    }
}

/// The best improving jump of prototype `k`, with the cost after it (summed in
/// `f64` as [`State::cost`] sums), if one is accepted; its column is then in
/// `scratch.column`. `now` is the current cost, [`State::cost`] of `state`.
#[allow(clippy::too_many_arguments)]
fn best_jump<F: Float, L, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    problem: &Problem<'_, F>,
    classes: &Classes<L>,
    p: &ValidParams<F>,
    state: &State<F>,
    scratch: &mut Scratch<F>,
    k: usize,
    now: f64,
    team: Team<'_>,
) -> Result<Option<(usize, f64)>, Error> {
    let n = source.len();
    let ck = state.pclass[k];
    let cands: Vec<usize> = match p.candidates {
        // k⁺(i) = k already implies that i has the label of k.
        Candidates::ReceptiveField => (0..n).filter(|&i| state.kp[i] == k && !state.is_proto[i]).collect(),
        Candidates::WholeClass => classes.members[ck].iter().copied().filter(|&i| !state.is_proto[i]).collect(),
    };
    if cands.is_empty() {
        return Ok(None);
    }
    scratch.frame.prepare(state, problem, k);
    let checked: Vec<usize> = match p.search {
        // `Auto` was resolved in `fit`.
        // (`CandidateMajor` sweeps do not visit prototypes one by one.)
        Search::Auto | Search::Exhaustive | Search::CandidateMajor => cands,
        Search::Linearised { checked } => {
            linear_weights(state, problem, k, scratch.weights.col_as_slice_mut(0));
            let mut scores = Mat::<F>::zeros(cands.len(), 1);
            team.weighted_sums(source, &cands, scratch.weights.as_ref(), scores.as_mut())?;
            let mut rank: Vec<usize> = (0..cands.len()).collect();
            rank.sort_by(|&a, &b| scores[(a, 0)].total_cmp(&scores[(b, 0)]).then(a.cmp(&b)));
            rank.truncate(checked);
            rank.sort_unstable();
            rank.into_iter().map(|r| cands[r]).collect()
        }
    };
    // `ΔE` of every checked candidate (among ranks, each by its owner).
    let batched = scratch.batch.nrows() == n;
    let mut deltas_of = |own: &[usize], keep: bool| {
        if batched { batched_deltas(source, problem, own, scratch, keep) } else { paired_deltas(source, problem, own, &scratch.frame) }
    };
    let deltas = match team {
        Team::Single => deltas_of(&checked, true)?,
        Team::Ranks(_) => {
            let all = team.gather_owned(&checked, 1, |own| Ok(deltas_of(own, false)?.into_iter().map(|d| d.as_f64()).collect()))?;
            all.into_iter().map(F::from_f64).collect()
        }
    };
    // The best is the first of the lowest.
    let Some(best) = argmin(deltas.iter().copied()) else { return Ok(None) };
    let delta = deltas[best];
    if delta >= F::zero() || delta.is_nan() {
        return Ok(None);
    }
    // Its column: kept by a batched pass of one process, else read (or broadcast).
    if !(batched && matches!(team, Team::Single)) {
        let col = team.column(source, checked[best], &mut scratch.spare)?;
        scratch.column.copy_from_slice(col);
    }
    // Accepted only if the cost after the jump, summed exactly as the recorded cost
    // is, lies below the cost now by more than the tolerance: the recorded history
    // then strictly decreases whatever the rounding.
    let after = search::cost_after_jump(state, problem, k, &scratch.column, &mut scratch.spare);
    let threshold = now - p.min_jump_improvement.as_f64() * problem.total_weight();
    Ok((after < threshold).then_some((checked[best], after)))
}

/// Candidates scored a chunk at a time (in parallel); the first improving one in
/// order is checked and taken, then scoring resumes after it against the new
/// caches. The chunk only sets how much scoring a jump can waste, not the result.
const CANDIDATE_CHUNK: usize = 16;

/// One candidate-major sweep ([`Search::CandidateMajor`]): the accepted jumps, or
/// `None` if the observer stopped training.
#[allow(clippy::too_many_arguments)]
fn candidate_sweep<F: Float, L, D: Dissimilarity<F> + ?Sized, O: Observer<F> + ?Sized>(
    source: &D,
    problem: &Problem<'_, F>,
    classes: &Classes<L>,
    p: &ValidParams<F>,
    state: &mut State<F>,
    scratch: &mut Scratch<F>,
    history: &mut Vec<f64>,
    (watch, restart, sweep, team): (&Watch<'_, O>, usize, usize, Team<'_>),
) -> Result<Option<usize>, Error> {
    let n = source.len();
    let tolerance = p.min_jump_improvement.as_f64() * problem.total_weight();
    let mut accepted = 0;
    let mut columns = vec![F::zero(); n * CANDIDATE_CHUNK];
    // Among ranks a chunk holds about `CANDIDATE_CHUNK` candidates per rank.
    let chunk_len = CANDIDATE_CHUNK * team.size();
    for (class, members) in classes.members.iter().enumerate() {
        let mut frame = ClassFrame::new(state, problem, class);
        let mut pos = 0;
        while pos < members.len() {
            let chunk = &members[pos..(pos + chunk_len).min(members.len())];
            let (state_now, frame_now) = (&*state, &frame);
            // Each candidate's best improving prototype, `CANDIDATE_CHUNK` at a time
            // in parallel (one column buffer each, allocated once per sweep).
            let score = |cands: &[usize], columns: &mut [F]| -> Result<Vec<Option<usize>>, Error> {
                let mut scored = Vec::with_capacity(cands.len());
                for group in cands.chunks(CANDIDATE_CHUNK) {
                    let tasks: Vec<(usize, &mut [F])> = group.iter().copied().zip(columns.chunks_mut(n.max(1))).collect();
                    let part = par::map_vec(tasks, |(c, buf)| -> Result<Option<usize>, Error> {
                        if state_now.is_proto[c] {
                            return Ok(None);
                        }
                        let mut deltas = Vec::new();
                        frame_now.deltas(problem, column_checked(source, c, buf)?, &mut deltas);
                        let allowed = |&(local, _): &(usize, &F)| match p.candidates {
                            Candidates::WholeClass => true,
                            _ => frame_now.protos[local] == state_now.kp[c],
                        };
                        // The first of the lowest (prototypes in ascending order).
                        let best = deltas.iter().enumerate().filter(allowed).fold(None, |b: Option<(usize, F)>, (local, &d)| match b {
                            Some((_, bd)) if bd <= d => b,
                            _ => Some((local, d)),
                        });
                        Ok(best.filter(|&(_, d)| d < F::zero()).map(|(local, _)| frame_now.protos[local]))
                    });
                    scored.extend(par::first_err(part)?);
                }
                Ok(scored)
            };
            let scored = match team {
                Team::Single => score(chunk, &mut columns)?,
                Team::Ranks(_) => {
                    // Each rank scores its own candidates of the chunk.
                    let encode = |k: Option<usize>| k.map_or(-1.0, |k| k as f64);
                    let all = team.gather_owned(chunk, 1, |own| Ok(score(own, &mut columns)?.into_iter().map(encode).collect()))?;
                    all.into_iter().map(|k| (k >= 0.0).then_some(k as usize)).collect()
                }
            };
            let Some(r) = scored.iter().position(Option::is_some) else {
                pos += chunk.len();
                continue;
            };
            pos += r + 1;
            let (c, k) = (chunk[r], scored[r].unwrap_or_default());
            // Exact acceptance, as for the other searches.
            let col = team.column(source, c, &mut scratch.spare)?;
            scratch.column.copy_from_slice(col);
            let after = search::cost_after_jump(state, problem, k, &scratch.column, &mut scratch.spare);
            let now = history.last().copied().unwrap_or(f64::INFINITY);
            if after < now - tolerance {
                state.jump(problem, k, c, &scratch.column);
                debug_assert_eq!(state.cost().to_bits(), after.to_bits());
                history.push(after);
                accepted += 1;
                if watch.stop_after(ProgressEvent::Jump, restart, sweep, history, team) {
                    return Ok(None);
                }
                frame = ClassFrame::new(state, problem, class);
            }
        }
    }
    Ok(Some(accepted))
}

/// `ΔE` of each candidate from its column, two columns per pass, in parallel.
fn paired_deltas<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    problem: &Problem<'_, F>,
    checked: &[usize],
    frame: &JumpFrame<F>,
) -> Result<Vec<F>, Error> {
    let n = source.len();
    let pairs = par::map_init(
        checked.len().div_ceil(2),
        || (vec![F::zero(); n], vec![F::zero(); n]),
        |(buf0, buf1), r| -> Result<(F, Option<F>), Error> {
            let col0 = column_checked(source, checked[2 * r], buf0)?;
            match checked.get(2 * r + 1) {
                Some(&c1) => {
                    let [d0, d1] = frame.deltas(problem, [col0, column_checked(source, c1, buf1)?]);
                    Ok((d0, Some(d1)))
                }
                None => Ok((frame.deltas(problem, [col0])[0], None)),
            }
        },
    );
    let mut deltas = Vec::with_capacity(checked.len());
    for (d0, d1) in par::first_err(pairs)? {
        deltas.push(d0);
        deltas.extend(d1);
    }
    Ok(deltas)
}

/// As [`paired_deltas`] with the columns computed [`BATCH`] at a time by
/// [`Dissimilarity::columns`] (one pass over vectors for all of them); with `keep`,
/// the column of the first candidate with the lowest `ΔE` (as [`argmin`]) is
/// copied to `scratch.column` on the way.
fn batched_deltas<F: Float, D: Dissimilarity<F> + ?Sized>(
    source: &D,
    problem: &Problem<'_, F>,
    checked: &[usize],
    scratch: &mut Scratch<F>,
    keep: bool,
) -> Result<Vec<F>, Error> {
    let mut deltas = Vec::with_capacity(checked.len());
    let mut best: Option<(usize, F)> = None;
    for (b, chunk) in checked.chunks(BATCH).enumerate() {
        source.columns(chunk, scratch.batch.as_mut().subcols_mut(0, chunk.len()))?;
        let (batch, frame) = (scratch.batch.as_ref(), &scratch.frame);
        let col = |r: usize| batch.col(r).try_as_col_major().map(|c| c.as_slice()).unwrap_or(&[]);
        let pairs = par::map_init(
            chunk.len().div_ceil(2),
            || (),
            |_, r| match chunk.get(2 * r + 1) {
                Some(_) => frame.deltas(problem, [col(2 * r), col(2 * r + 1)]).to_vec(),
                None => frame.deltas(problem, [col(2 * r)]).to_vec(),
            },
        );
        let mut winner = None;
        for (r, delta) in pairs.into_iter().flatten().enumerate() {
            if best.is_none_or(|(_, d)| delta < d) {
                best = Some((b * BATCH + r, delta));
                winner = Some(r);
            }
            deltas.push(delta);
        }
        if let Some(r) = winner.filter(|_| keep) {
            for (slot, &v) in scratch.column.iter_mut().zip(col(r)) {
                *slot = v;
            }
        }
    }
    Ok(deltas)
}

/// Seeded uniforms in `[0, 1)` (xorshift) for the training tests' random problems.
#[cfg(test)]
pub(crate) fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Init, Precomputed, Transfer};
    use proptest::prelude::*;

    fn problem_strategy() -> impl Strategy<Value = (Vec<usize>, Vec<f64>, usize, u8, bool, u64)> {
        (5usize..13, 2usize..4).prop_flat_map(|(n, c)| {
            (
                proptest::collection::vec(0..c, n),
                proptest::collection::vec(0.0..1.0f64, n * n),
                1usize..3,
                0u8..3,
                any::<bool>(),
                any::<u64>(),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// The accepted jump is the best improving jump found by recomputing E from
        /// scratch for every candidate.
        #[test]
        fn accepted_jump_is_brute_force_best((y, vals, k, t, whole, seed) in problem_strategy()) {
            let n = y.len();
            let classes = Classes::encode(&y);
            prop_assume!(classes.len() >= 2 && classes.members.iter().all(|m| m.len() >= k));
            let d = Precomputed::new(Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { vals[i * n + j] })).unwrap();
            let transfer = [Transfer::Identity, Transfer::Sigmoid { beta: 2.5 }, Transfer::LogLikelihood][t as usize];
            let p = MedianLvqParams::new()
                .prototypes_per_class(k)
                .transfer(transfer)
                .margin(0.1)
                .candidates(if whole { Candidates::WholeClass } else { Candidates::ReceptiveField })
                .init(Init::StratifiedRandom)
                .check()
                .unwrap();
            let problem = Problem { y: &classes.y, v: classes.y.iter().map(|&c| 1.0 + c as f64).collect(), transfer, margin: 0.1 };
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let protos = initial_prototypes(&d, &classes, k, &Init::StratifiedRandom, usize::MAX, &mut rng, Team::Single).unwrap();
            let state = State::new(&d, &problem, protos.clone()).unwrap();
            let e0 = state.cost();
            let mut scratch = Scratch::new(n, false);
            let mut batched = Scratch::new(n, true);
            for kk in 0..protos.len() {
                let got = best_jump(&d, &problem, &classes, &p, &state, &mut scratch, kk, e0, Team::Single).unwrap();
                // Columns in batches (as for vectors) take the same jump, same column.
                let got_batched = best_jump(&d, &problem, &classes, &p, &state, &mut batched, kk, e0, Team::Single).unwrap();
                prop_assert_eq!(got.map(|(c, e)| (c, e.to_bits())), got_batched.map(|(c, e)| (c, e.to_bits())));
                if got.is_some() {
                    prop_assert_eq!(&scratch.column, &batched.column);
                }
                let ck = classes.y[protos[kk]];
                let cands: Vec<usize> = (0..n)
                    .filter(|&i| classes.y[i] == ck && !protos.contains(&i) && (whole || state.kp[i] == kk))
                    .collect();
                let brute: Vec<(usize, f64)> = cands
                    .iter()
                    .map(|&c| {
                        let mut q = protos.clone();
                        q[kk] = c;
                        (c, State::new(&d, &problem, q).unwrap().cost() - e0)
                    })
                    .collect();
                let best = brute.iter().copied().fold(None, |b: Option<(usize, f64)>, x| match b {
                    Some(b) if b.1 <= x.1 => Some(b),
                    _ => Some(x),
                });
                // `best_jump` returns the cost after the jump: its ΔE is that minus e0.
                let got = got.map(|(c, after)| (c, after - e0));
                match (got, best) {
                    (None, None) => {}
                    (None, Some((_, db))) => prop_assert!(db >= -1e-9, "missed improving jump {db}"),
                    (Some((c, dg)), Some((_, db))) => {
                        let brute_c = brute.iter().find(|x| x.0 == c).map(|x| x.1);
                        prop_assert!(brute_c.is_some_and(|b| (b - dg).abs() < 1e-9), "exact ΔE {dg} vs recomputed {brute_c:?}");
                        prop_assert!(dg <= db + 1e-9, "accepted {dg} but best is {db}");
                        prop_assert!(dg < 0.0);
                    }
                    (Some(_), None) => prop_assert!(false, "jump without candidates"),
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// One pass over a candidate's column gives `ΔE(k, c)` for every prototype
        /// of its class, equal to recomputing the cost from scratch; and a fit with
        /// the candidate-major search ends where no allowed jump improves.
        #[test]
        fn candidate_major_deltas_are_brute_force((y, vals, k, t, whole, seed) in problem_strategy()) {
            let n = y.len();
            let classes = Classes::encode(&y);
            prop_assume!(classes.len() >= 2 && classes.members.iter().all(|m| m.len() >= k));
            let d = Precomputed::new(Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { vals[i * n + j] })).unwrap();
            let transfer = [Transfer::Identity, Transfer::Sigmoid { beta: 2.5 }, Transfer::LogLikelihood][t as usize];
            let problem = Problem { y: &classes.y, v: classes.y.iter().map(|&c| 1.0 + c as f64).collect(), transfer, margin: 0.1 };
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let protos = initial_prototypes(&d, &classes, k, &Init::StratifiedRandom, usize::MAX, &mut rng, Team::Single).unwrap();
            let state = State::new(&d, &problem, protos.clone()).unwrap();
            let e0 = state.cost();
            let mut deltas = Vec::new();
            for class in 0..classes.len() {
                let frame = ClassFrame::new(&state, &problem, class);
                let own: Vec<usize> = (0..protos.len()).filter(|&q| state.pclass[q] == class).collect();
                prop_assert_eq!(&frame.protos, &own);
                for &c in &classes.members[class] {
                    if state.is_proto[c] {
                        continue;
                    }
                    let col: Vec<f64> = (0..n).map(|i| d.d(i, c).unwrap()).collect();
                    frame.deltas(&problem, &col, &mut deltas);
                    for (r, &q) in own.iter().enumerate() {
                        let mut moved = protos.clone();
                        moved[q] = c;
                        let brute = State::new(&d, &problem, moved).unwrap().cost() - e0;
                        prop_assert!((deltas[r] - brute).abs() < 1e-9, "class {class} candidate {c} prototype {q}: {} vs {brute}", deltas[r]);
                    }
                }
            }
            // A full fit: strictly decreasing, and converged means no allowed jump improves.
            let candidates = if whole { Candidates::WholeClass } else { Candidates::ReceptiveField };
            let p = MedianLvqParams::new()
                .prototypes_per_class(k)
                .transfer(transfer)
                .margin(0.1)
                .candidates(candidates)
                .search(Search::CandidateMajor)
                .init(Init::Given(protos.clone()))
                .class_weights(ClassWeights::Given((0..classes.len()).map(|c| 1.0 + c as f64).collect()))
                .check()
                .unwrap();
            let model = p.fit(&d, &y).unwrap();
            prop_assert!(model.cost_history().windows(2).all(|w| w[1] < w[0]));
            if model.termination() == Termination::Converged {
                let end: Vec<usize> = model.prototype_indices().to_vec();
                let state = State::new(&d, &problem, end.clone()).unwrap();
                let e = state.cost();
                for (q, &w) in end.iter().enumerate() {
                    for &c in &classes.members[classes.y[w]] {
                        if state.is_proto[c] || (!whole && state.kp[c] != q) {
                            continue;
                        }
                        let mut moved = end.clone();
                        moved[q] = c;
                        let after = State::new(&d, &problem, moved).unwrap().cost();
                        prop_assert!(after >= e - 1e-12 * problem.total_weight() - 1e-12, "improving jump left: {q} -> {c}: {after} < {e}");
                    }
                }
            }
        }
    }
}
