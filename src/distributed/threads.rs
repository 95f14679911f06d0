//! Ranks as threads of one process, for testing distributed training without MPI.

use super::Communicator;
use std::sync::{Arc, Barrier, Mutex};

struct Hub {
    barrier: Barrier,
    slots: Mutex<Vec<Vec<f64>>>,
}

/// One rank of a group of threads.
pub(crate) struct ThreadRank {
    rank: usize,
    hub: Arc<Hub>,
}

impl ThreadRank {
    /// Everyone's slot after each rank has written its own.
    fn exchange(&self, mine: Vec<f64>) -> Vec<Vec<f64>> {
        if let Ok(mut s) = self.hub.slots.lock() {
            s[self.rank] = mine;
        }
        self.hub.barrier.wait();
        let all = self.hub.slots.lock().map(|s| s.clone()).unwrap_or_default();
        // Nobody writes again before everyone has read.
        self.hub.barrier.wait();
        all
    }
}

impl Communicator for ThreadRank {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.hub.slots.lock().map(|s| s.len()).unwrap_or(1)
    }
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64> {
        self.exchange(local.to_vec()).concat()
    }
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64> {
        // Carried bit for bit.
        let all = self.exchange(local.iter().map(|&w| f64::from_bits(w)).collect());
        all.concat().into_iter().map(f64::to_bits).collect()
    }
    fn broadcast_f64(&self, root: usize, buf: &mut [f64]) {
        let all = self.exchange(if self.rank == root { buf.to_vec() } else { Vec::new() });
        buf.copy_from_slice(&all[root]);
    }
}

/// `f` on `size` ranks, one thread each; the results in rank order.
pub(crate) fn on_ranks<T: Send>(size: usize, f: impl Fn(&dyn Communicator) -> T + Sync) -> Vec<T> {
    let hub = Arc::new(Hub { barrier: Barrier::new(size), slots: Mutex::new(vec![Vec::new(); size]) });
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..size)
            .map(|rank| {
                let comm = ThreadRank { rank, hub: hub.clone() };
                let f = &f;
                s.spawn(move || f(&comm))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a rank panicked")).collect()
    })
}

/// A rank alone that claims a place among `size` ranks: builds the shard a
/// rank of another job would hold.
pub(crate) struct Pretend {
    pub rank: usize,
    pub size: usize,
}

impl Communicator for Pretend {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64> {
        local.to_vec()
    }
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64> {
        local.to_vec()
    }
    fn broadcast_f64(&self, _root: usize, _buf: &mut [f64]) {}
}
