//! [`Communicator`] over MPI, through the `mpi` crate (rsmpi).

use super::Communicator;
use crate::Error;
use mpi::Count;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator as _, CommunicatorCollectives, Root};

/// The ranks of an MPI job (feature `mpi`): run the program with
/// `mpirun -np R program …`, and on every rank
///
/// ```no_run
/// use median_lvq::distributed::{ColumnShard, Mpi};
/// use median_lvq::MedianLvqParams;
/// let comm = Mpi::world()?;
/// let shard = ColumnShard::<f32>::read_npy("d.npy", &comm)?;
/// # let labels = vec![0; 10];
/// let model = MedianLvqParams::new().check()?.fit_distributed(&comm, &shard, &labels)?;
/// # Ok::<(), median_lvq::Error>(())
/// ```
///
/// Collective calls are made only from the thread that calls `fit` (MPI is
/// initialised with `MPI_THREAD_FUNNELED`); training's own threads never call MPI.
pub struct Mpi {
    // Dropped before `universe`, whose drop finalises MPI.
    comm: SimpleCommunicator,
    _universe: Option<Universe>,
}

impl Mpi {
    /// Initialises MPI and returns its world communicator (all ranks of the job).
    /// MPI is finalised when the value is dropped.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if MPI was already initialised (use
    /// [`Mpi::new`] with your communicator then).
    pub fn world() -> Result<Self, Error> {
        let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Funneled).ok_or(Error::InvalidParameter {
            name: "Mpi::world",
            value: "MPI already initialised".into(),
            expected: "one call per process; pass an existing communicator to Mpi::new",
        })?;
        Ok(Self { comm: universe.world(), _universe: Some(universe) })
    }

    /// A communicator of an MPI library the caller initialised (a world, a split).
    pub fn new(comm: SimpleCommunicator) -> Self {
        Self { comm, _universe: None }
    }

    /// Every rank's `local` (any plain numbers) in rank order.
    fn gather<T: mpi::datatype::Equivalence + Copy + Default>(&self, local: &[T]) -> Vec<T> {
        // Counts fit an MPI `int`: training sends at most one value per candidate.
        let mine = Count::try_from(local.len()).unwrap_or(Count::MAX);
        let mut counts = vec![0 as Count; self.size()];
        self.comm.all_gather_into(&mine, &mut counts[..]);
        let displs: Vec<Count> = counts.iter().scan(0, |at, &c| Some(std::mem::replace(at, *at + c))).collect();
        let total: usize = counts.iter().map(|&c| c.max(0) as usize).sum();
        let mut all = vec![T::default(); total];
        let mut partition = PartitionMut::new(&mut all[..], counts, &displs[..]);
        self.comm.all_gather_varcount_into(local, &mut partition);
        all
    }
}

impl Communicator for Mpi {
    fn rank(&self) -> usize {
        self.comm.rank().max(0) as usize
    }
    fn size(&self) -> usize {
        self.comm.size().max(1) as usize
    }
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64> {
        self.gather(local)
    }
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64> {
        self.gather(local)
    }
    fn broadcast_f64(&self, root: usize, buf: &mut [f64]) {
        self.comm.process_at_rank(root as mpi::Rank).broadcast_into(buf);
    }
}
