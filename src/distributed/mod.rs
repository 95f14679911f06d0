//! Training on several processes ("ranks"), each holding part of the data.
//!
//! A [`Communicator`] connects the ranks (feature `mpi`: [`Mpi`] over MPI; always:
//! [`Local`], one process). [`ValidParams::fit_distributed`] trains on every rank
//! at once and returns the same model on each.
//!
//! **How work is split.** Every rank runs the same training and keeps the same
//! state (prototypes and the E-step caches of every object: `O(n K)`). What costs
//! `O(n)` per candidate — a candidate's column, its `ΔE`, its weighted sums — is
//! computed only by the rank that **owns** the candidate, `c mod R` (cyclic, so that
//! every class's candidates spread over all ranks whatever the order of the file),
//! and the per-candidate results are gathered. The column of a new prototype is
//! broadcast by its owner. A matrix therefore needs only its owned columns on each
//! rank ([`ColumnShard`]: `n × n / R`), and a function computes `d(·, c)` only for
//! its rank's candidates.
//!
//! **Determinism.** Nothing is summed across ranks: every number training compares
//! is computed whole, on one rank, by exactly the arithmetic a single process uses
//! (a candidate's `ΔE` and weighted sums depend on its own column only, never on
//! which candidates are computed with it). So for any number of ranks the model,
//! its cost history and its sweeps are **bit for bit those of a single process**
//! on the same data — tested for 1, 2 and 3 ranks. Traffic per prototype visit:
//! one number per candidate (its `ΔE`), plus `n` numbers per accepted jump.
//!
//! **What is not split.** Over vectors, every rank holds the rows and runs the
//! k-medoids start and the linearised search a sweep at a time
//! ([`Search::Linearised`](crate::Search::Linearised) on
//! [`SquaredEuclidean`](crate::SquaredEuclidean)) whole, except that search's
//! exact `ΔE` of the shortlisted candidates, which is split by owner: the same
//! model, a partial speed-up. Train on the shard itself: a
//! [`Subset`](crate::Subset) of a [`ColumnShard`] would ask for columns that other
//! ranks hold (an [`Error::NotOnThisRank`], not a wrong model).
//!
//! [`ValidParams::fit_distributed`]: crate::ValidParams::fit_distributed

#[cfg(feature = "mpi")]
mod mpi;
mod shard;

#[cfg(feature = "mpi")]
#[cfg_attr(docsrs, doc(cfg(feature = "mpi")))]
pub use self::mpi::Mpi;
pub use shard::ColumnShard;

use crate::dissimilarity::column_checked;
use crate::{Dissimilarity, Error, Float};
use faer::{MatMut, MatRef};

/// The few collective operations a distributed fit needs. Every rank must call
/// them in the same order (training does); none is called from more than the
/// thread that called `fit`.
///
/// ```
/// use median_lvq::distributed::{Communicator, Local};
/// let one = Local;
/// assert_eq!((one.rank(), one.size()), (0, 1));
/// assert_eq!(one.all_gather_f64(&[1.5, 2.0]), vec![1.5, 2.0]);
/// ```
pub trait Communicator {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;
    /// The number of ranks.
    fn size(&self) -> usize;
    /// Every rank's `local`, concatenated in rank order (lengths may differ).
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64>;
    /// Every rank's `local`, concatenated in rank order (lengths may differ).
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64>;
    /// Rank `root`'s `buf` copied into `buf` on every rank (same length on all).
    fn broadcast_f64(&self, root: usize, buf: &mut [f64]);
}

/// One process: the communicator of an ordinary fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Local;

impl Communicator for Local {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64> {
        local.to_vec()
    }
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64> {
        local.to_vec()
    }
    fn broadcast_f64(&self, _root: usize, _buf: &mut [f64]) {}
}

/// Every rank's result, agreed: `Ok` on every rank only if every rank succeeded.
/// A rank that failed keeps its own error; the others get [`Error::OnRank`] with
/// the message of the lowest rank that failed. Call it (on every rank) after a
/// step that can fail on some ranks only — reading each rank's part of the data —
/// so that no rank goes on to wait for one that stopped.
///
/// ```
/// use median_lvq::distributed::{Local, agree};
/// assert_eq!(agree(&Local, Ok::<_, median_lvq::Error>(3))?, 3);
/// # Ok::<(), median_lvq::Error>(())
/// ```
///
/// # Errors
/// The local error, or [`Error::OnRank`].
pub fn agree<T>(comm: &dyn Communicator, local: Result<T, Error>) -> Result<T, Error> {
    Team::of(comm).agree(local)
}

/// The rank that owns candidate (column) `c` among `size` ranks.
pub(crate) fn owner(c: usize, size: usize) -> usize {
    c % size.max(1)
}

/// The ranks of a fit as training sees them: one process (today's code, no
/// communication) or several.
#[derive(Clone, Copy)]
pub(crate) enum Team<'a> {
    Single,
    Ranks(&'a dyn Communicator),
}

impl<'a> Team<'a> {
    pub fn of(comm: &'a dyn Communicator) -> Self {
        if comm.size() <= 1 { Team::Single } else { Team::Ranks(comm) }
    }

    pub fn size(&self) -> usize {
        match self {
            Team::Single => 1,
            Team::Ranks(c) => c.size(),
        }
    }

    pub fn rank(&self) -> usize {
        match self {
            Team::Single => 0,
            Team::Ranks(c) => c.rank(),
        }
    }

    pub fn owns(&self, c: usize) -> bool {
        owner(c, self.size()) == self.rank()
    }

    /// Every rank's result, agreed: `Ok` only if every rank succeeded. A rank that
    /// failed keeps its own error; the others get [`Error::OnRank`] with the
    /// message of the lowest rank that failed (so nobody waits for it).
    pub fn agree<T>(&self, local: Result<T, Error>) -> Result<T, Error> {
        let Team::Ranks(comm) = self else { return local };
        let failed = u64::from(local.is_err());
        let all = comm.all_gather_u64(&[failed]);
        let Some(first) = all.iter().position(|&f| f != 0) else { return local };
        let message = match &local {
            Err(e) if comm.rank() == first => e.to_string(),
            _ => String::new(),
        };
        let words = comm.all_gather_u64(&pack(&message));
        match local {
            Err(e) => Err(e),
            Ok(_) => Err(Error::OnRank { rank: first, message: unpack(&words) }),
        }
    }

    /// Whether `flag` holds on any rank.
    pub fn any(&self, flag: bool) -> bool {
        match self {
            Team::Single => flag,
            Team::Ranks(comm) => comm.all_gather_u64(&[u64::from(flag)]).iter().any(|&f| f != 0),
        }
    }

    /// `width` numbers per item of `items` (candidate indices), each computed by
    /// the item's owner: `compute` gets this rank's items (in order) and returns
    /// their numbers, item after item; the result holds every item's, in the order
    /// of `items`, on every rank.
    pub fn gather_owned(
        &self,
        items: &[usize],
        width: usize,
        compute: impl FnOnce(&[usize]) -> Result<Vec<f64>, Error>,
    ) -> Result<Vec<f64>, Error> {
        let Team::Ranks(comm) = self else { return compute(items) };
        let size = comm.size();
        let own: Vec<usize> = items.iter().copied().filter(|&c| self.owns(c)).collect();
        let local = compute(&own).and_then(|v| {
            if v.len() == own.len() * width {
                Ok(v)
            } else {
                Err(Error::ShapeMismatch {
                    what: "numbers computed for this rank's candidates",
                    expected: own.len() * width,
                    found: v.len(),
                })
            }
        });
        let local = self.agree(local)?;
        let all = comm.all_gather_f64(&local);
        // Rank r's numbers start after those of the ranks before it.
        let mut start = vec![0; size + 1];
        for &c in items {
            start[owner(c, size) + 1] += width;
        }
        for r in 0..size {
            start[r + 1] += start[r];
        }
        if all.len() != start[size] {
            return Err(Error::ShapeMismatch { what: "numbers gathered from the ranks", expected: start[size], found: all.len() });
        }
        let mut out = Vec::with_capacity(items.len() * width);
        for &c in items {
            let at = &mut start[owner(c, size)];
            out.extend_from_slice(&all[*at..*at + width]);
            *at += width;
        }
        Ok(out)
    }

    /// The column `d(·, c)`: read on one process; computed by its owner and
    /// broadcast among ranks.
    pub fn column<'s, F: Float, D: Dissimilarity<F> + ?Sized>(&self, source: &'s D, c: usize, buf: &'s mut [F]) -> Result<&'s [F], Error> {
        let Team::Ranks(comm) = self else { return column_checked(source, c, buf) };
        let root = owner(c, comm.size());
        let mut wire = vec![0.0; buf.len()];
        let local = if comm.rank() == root {
            column_checked(source, c, buf).map(|col| wire.iter_mut().zip(col).for_each(|(w, v)| *w = v.as_f64()))
        } else {
            Ok(())
        };
        self.agree(local)?;
        comm.broadcast_f64(root, &mut wire);
        // Exact: every value is an `F` carried in an `f64`.
        buf.iter_mut().zip(&wire).for_each(|(b, &w)| *b = F::from_f64(w));
        Ok(buf)
    }

    /// Several columns, as [`Dissimilarity::columns`].
    pub fn columns<F: Float, D: Dissimilarity<F> + ?Sized>(&self, source: &D, cs: &[usize], out: MatMut<'_, F>) -> Result<(), Error> {
        if let Team::Single = self {
            return source.columns(cs, out);
        }
        crate::dissimilarity::check_columns_shape(source.len(), cs, &out)?;
        let mut out = out;
        let mut buf = vec![F::zero(); source.len()];
        for (r, &c) in cs.iter().enumerate() {
            let col = self.column(source, c, &mut buf)?;
            out.as_mut().col_mut(r).iter_mut().zip(col).for_each(|(o, &v)| *o = v);
        }
        Ok(())
    }

    /// [`Dissimilarity::weighted_sums`], each candidate's row by its owner.
    pub fn weighted_sums<F: Float, D: Dissimilarity<F> + ?Sized>(
        &self,
        source: &D,
        candidates: &[usize],
        weights: MatRef<'_, F>,
        out: MatMut<'_, F>,
    ) -> Result<(), Error> {
        if let Team::Single = self {
            return source.weighted_sums(candidates, weights, out);
        }
        let kk = weights.ncols();
        if out.nrows() != candidates.len() || out.ncols() != kk {
            return Err(Error::ShapeMismatch {
                what: "weighted sums (one row per candidate)",
                expected: candidates.len(),
                found: out.nrows(),
            });
        }
        let all = self.gather_owned(candidates, kk, |own| {
            let mut part = faer::Mat::<F>::zeros(own.len(), kk);
            source.weighted_sums(own, weights, part.as_mut())?;
            Ok((0..own.len()).flat_map(|r| (0..kk).map(move |k| (r, k))).map(|(r, k)| part[(r, k)].as_f64()).collect())
        })?;
        let mut out = out;
        for (r, row) in all.chunks(kk.max(1)).enumerate().take(candidates.len()) {
            for (k, &v) in row.iter().enumerate() {
                out[(r, k)] = F::from_f64(v);
            }
        }
        Ok(())
    }
}

/// A message as little-endian words (its length first), for [`Communicator::all_gather_u64`].
fn pack(message: &str) -> Vec<u64> {
    if message.is_empty() {
        return Vec::new();
    }
    let bytes = message.as_bytes();
    let mut words = vec![bytes.len() as u64];
    words.extend(bytes.chunks(8).map(|c| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    }));
    words
}

fn unpack(words: &[u64]) -> String {
    let Some((&len, rest)) = words.split_first() else { return String::new() };
    let bytes: Vec<u8> = rest.iter().flat_map(|w| w.to_le_bytes()).take(len as usize).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
pub(crate) mod threads;

#[cfg(test)]
mod tests {
    use super::threads::on_ranks;
    use super::*;
    use crate::{Candidates, FunctionSource, Init, MedianLvq, MedianLvqParams, Precomputed, Search, SquaredEuclidean, Transfer};
    use proptest::prelude::*;

    /// What must be equal between fits: everything a model reports of training.
    fn summary<F: Float>(m: &MedianLvq<F, usize>) -> (Vec<usize>, Vec<u64>, usize, crate::Termination) {
        (m.prototype_indices().to_vec(), m.cost_history().iter().map(|c| c.to_bits()).collect(), m.sweeps(), m.termination())
    }

    fn params(k: usize, search: u8, whole: bool, init: u8, transfer: u8, restarts: usize, seed: u64) -> MedianLvqParams<f64> {
        MedianLvqParams::new()
            .prototypes_per_class(k)
            .search([Search::Exhaustive, Search::Linearised { checked: 3 }, Search::CandidateMajor, Search::Auto][search as usize])
            .candidates(if whole { Candidates::WholeClass } else { Candidates::ReceptiveField })
            .init([Init::Auto, Init::NeuralGas { epochs: 5 }, Init::StratifiedRandom][init as usize].clone())
            .transfer([Transfer::Identity, Transfer::Sigmoid { beta: 3.0 }, Transfer::LogLikelihood][transfer as usize])
            .n_init(restarts)
            .seed(seed)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// On 2 and 3 ranks (threads standing in for processes), a matrix split
        /// into column shards, vectors and a user function held by every rank all
        /// give bit for bit the single-process model: prototypes, cost history,
        /// sweeps and termination, for every search, start and transfer.
        #[test]
        fn every_rank_count_gives_the_single_process_model(
            (n, seed, k, search, whole, init, transfer, restarts) in
                (12usize..70, any::<u64>(), 1usize..3, 0u8..4, any::<bool>(), 0u8..3, 0u8..3, 1usize..3)
        ) {
            let mut r = crate::train::uniforms(seed);
            let classes = 2 + (seed % 3) as usize;
            let y: Vec<usize> = (0..n).map(|i| (i * 7 + (seed as usize % 5)) % classes).collect();
            prop_assume!((0..classes).all(|c| y.iter().filter(|&&l| l == c).count() > k));
            let x = faer::Mat::from_fn(n, 3, |i, _| r() * 4.0 + y[i] as f64);
            let vectors = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
            let m = faer::Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { (r() * 8.0).floor() + 1.0 });
            let matrix = Precomputed::new(m.clone()).unwrap();
            let rows: Vec<usize> = (0..n).collect();
            let table = |a: &usize, b: &usize| m[(*a, *b)];
            let p = params(k, search, whole, init, transfer, restarts, seed).check().unwrap();
            let single = [summary(&p.fit(&matrix, &y).unwrap()), summary(&p.fit(&vectors, &y).unwrap()), summary(&p.fit(&FunctionSource::new(&rows, table), &y).unwrap())];
            for size in [2, 3] {
                let fits = on_ranks(size, |comm| {
                    let shard = ColumnShard::from_matrix(m.as_ref(), comm).unwrap();
                    [
                        summary(&p.fit_distributed(comm, &shard, &y).unwrap()),
                        summary(&p.fit_distributed(comm, &vectors, &y).unwrap()),
                        summary(&p.fit_distributed(comm, &FunctionSource::new(&rows, table), &y).unwrap()),
                    ]
                });
                for (rank, got) in fits.iter().enumerate() {
                    prop_assert_eq!(got, &single, "{} ranks, rank {}", size, rank);
                }
            }
        }
    }

    /// The linearised search over vectors a sweep at a time splits its exact pass
    /// by candidate: with shortlists longer than one pass (256 pairs), each rank's
    /// pairs are grouped differently from one process's, and the model is still
    /// the same.
    #[test]
    fn the_sweep_level_vector_search_gives_the_single_process_model() {
        let n = 3000;
        let mut r = crate::train::uniforms(7);
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let x = faer::Mat::from_fn(n, 5, |i, _| r() * 3.0 + y[i] as f64);
        let x = SquaredEuclidean::from_ref(x.as_ref()).unwrap();
        for (checked, f32) in [(40, false), (120, true)] {
            let p = MedianLvqParams::new().prototypes_per_class(3).search(Search::Linearised { checked }).n_init(1).check().unwrap();
            if f32 {
                let x32 = faer::Mat::from_fn(n, 5, |i, t| x.rows()[(i, t)] as f32);
                let x32 = SquaredEuclidean::from_ref(x32.as_ref()).unwrap();
                let p =
                    MedianLvqParams::<f32>::new().prototypes_per_class(3).search(Search::Linearised { checked }).n_init(1).check().unwrap();
                let single = summary(&p.fit(&x32, &y).unwrap());
                for size in [2, 3] {
                    assert!(on_ranks(size, |comm| summary(&p.fit_distributed(comm, &x32, &y).unwrap())).iter().all(|m| m == &single));
                }
            } else {
                let single = summary(&p.fit(&x, &y).unwrap());
                assert!(single.2 >= 2, "{single:?}");
                for size in [2, 3] {
                    assert!(on_ranks(size, |comm| summary(&p.fit_distributed(comm, &x, &y).unwrap())).iter().all(|m| m == &single));
                }
            }
        }
    }

    /// `f32` too: the shards carry `F` values exactly through `f64` messages.
    #[test]
    fn single_precision_shards_give_the_single_process_model() {
        let d = crate::datasets::iris::<f32>();
        let m = Precomputed::squared_euclidean(d.features.as_ref()).unwrap();
        let p = MedianLvqParams::<f32>::new().prototypes_per_class(3).check().unwrap();
        let single = summary(&p.fit(&m, &d.labels).unwrap());
        for size in 1..=3 {
            for got in on_ranks(size, |comm| {
                summary(&p.fit_distributed(comm, &ColumnShard::from_matrix(m.as_ref(), comm).unwrap(), &d.labels).unwrap())
            }) {
                assert_eq!(got, single, "{size} ranks");
            }
        }
    }

    /// A source that fails on one rank stops every rank with an error (the others
    /// name the failing rank), instead of leaving them waiting.
    #[test]
    fn a_failing_rank_stops_them_all_with_its_message() {
        let items: Vec<usize> = (0..30).collect();
        let y: Vec<usize> = (0..30).map(|i| i % 2).collect();
        let results = on_ranks(3, |comm| {
            let rank = comm.rank();
            let f = move |a: &usize, b: &usize| -> Result<f64, String> {
                if rank == 1 && *b == 13 { Err(format!("sequence {b} is unreadable")) } else { Ok(a.abs_diff(*b) as f64) }
            };
            MedianLvqParams::new().fit_distributed(comm, &FunctionSource::fallible(&items, f), &y)
        });
        let own = results[1].as_ref().unwrap_err();
        assert!(own.to_string().contains("sequence 13 is unreadable"), "{own}");
        for r in [0, 2] {
            match results[r].as_ref().unwrap_err() {
                Error::OnRank { rank: 1, message } => assert!(message.contains("sequence 13 is unreadable"), "{message}"),
                e => panic!("rank {r}: {e}"),
            }
        }
        // A shard made for 3 ranks in a job of 2 is caught the same way.
        let m = faer::Mat::<f64>::zeros(30, 30);
        let wrong = on_ranks(2, |comm| {
            let shard = ColumnShard::from_matrix(m.as_ref(), &super::threads::Pretend { rank: comm.rank(), size: 3 }).unwrap();
            MedianLvqParams::new().fit_distributed(comm, &shard, &y).map(|_| ())
        });
        for r in wrong {
            assert!(matches!(r, Err(Error::NotOnThisRank { size: 3, .. } | Error::OnRank { .. })), "{r:?}");
        }
    }

    /// Ranks given different labels or parameters refuse to train, all of them.
    #[test]
    fn ranks_that_disagree_refuse_to_train() {
        let d = crate::datasets::iris::<f64>();
        let x = SquaredEuclidean::from_ref(d.features.as_ref()).unwrap();
        let results = on_ranks(3, |comm| {
            let mut y = d.labels.clone();
            if comm.rank() == 2 {
                y.swap(0, 149);
            }
            MedianLvqParams::new().fit_distributed(comm, &x, &y).map(|_| ())
        });
        for r in results {
            let e = r.unwrap_err();
            assert!(e.to_string().contains("differ in the labels"), "{e}");
        }
        let results = on_ranks(2, |comm| MedianLvqParams::new().seed(comm.rank() as u64).fit_distributed(comm, &x, &d.labels).map(|_| ()));
        assert!(results.iter().all(|r| r.as_ref().is_err_and(|e| e.to_string().contains("parameters"))));
        // A rank whose labels do not even match its source fails with the others.
        let results =
            on_ranks(3, |comm| MedianLvqParams::new().fit_distributed(comm, &x, &d.labels[..149 + comm.rank().min(1)]).map(|_| ()));
        assert!(results.iter().all(|r| r.as_ref().is_err_and(|e| e.to_string().contains("differ in the labels"))), "{results:?}");
    }

    /// An observer that stops on one rank stops them all at the same point: the
    /// model of a single process whose observer stops there.
    #[test]
    fn one_rank_stopping_stops_all() {
        let d = crate::datasets::wine::<f64>();
        let x = SquaredEuclidean::from_ref(d.features.as_ref()).unwrap();
        let p = MedianLvqParams::new().prototypes_per_class(3).search(Search::Exhaustive).n_init(1).check().unwrap();
        let stop_at = |jumps: usize| {
            move |e: &crate::Progress<f64>| {
                if e.jumps >= jumps { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
            }
        };
        let single = summary(&p.fit_observed(&x, &d.labels, &stop_at(2)).unwrap());
        assert_eq!((single.1.len(), single.3), (3, crate::Termination::Interrupted));
        let models = on_ranks(3, |comm| {
            let never = |_: &crate::Progress<f64>| std::ops::ControlFlow::Continue(());
            if comm.rank() == 2 {
                summary(&p.fit_distributed_observed(comm, &x, &d.labels, &stop_at(2)).unwrap())
            } else {
                summary(&p.fit_distributed_observed(comm, &x, &d.labels, &never).unwrap())
            }
        });
        assert!(models.iter().all(|m| m == &single), "{models:?} vs {single:?}");
    }

    #[test]
    fn messages_survive_packing() {
        for m in ["", "a", "exactly8", "rank 2: column 7 is NaN — ünïcode"] {
            assert_eq!(unpack(&pack(m)), m);
        }
    }

    #[test]
    fn ownership_is_cyclic() {
        assert_eq!((0..7).map(|c| owner(c, 3)).collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(owner(5, 0), 0);
    }
}
