//! Ranks as threads of one process, for testing distributed training without MPI.
//! A rank that panics makes the others panic at their next collective call (as
//! `mpirun` ends a job whose process dies) instead of leaving them waiting.

use super::Communicator;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

struct Hub {
    size: usize,
    /// Ranks arrived at the barrier, its generation, and whether a rank died.
    gate: Mutex<(usize, u64, bool)>,
    turn: Condvar,
    slots: Mutex<Vec<Vec<f64>>>,
}

impl Hub {
    fn wait(&self) {
        let mut g = self.gate.lock().unwrap_or_else(|e| e.into_inner());
        let generation = g.1;
        g.0 += 1;
        if g.0 == self.size {
            (g.0, g.1) = (0, generation + 1);
            self.turn.notify_all();
            return;
        }
        while g.1 == generation {
            assert!(!g.2, "another rank panicked");
            g = self.turn.wait_timeout(g, Duration::from_millis(50)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    fn died(&self) {
        self.gate.lock().unwrap_or_else(|e| e.into_inner()).2 = true;
        self.turn.notify_all();
    }
}

/// Marks the hub when its rank's thread unwinds.
struct Watchdog(Arc<Hub>);

impl Drop for Watchdog {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.died();
        }
    }
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
        self.hub.wait();
        let all = self.hub.slots.lock().map(|s| s.clone()).unwrap_or_default();
        // Nobody writes again before everyone has read.
        self.hub.wait();
        all
    }
}

impl Communicator for ThreadRank {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.hub.size
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
    let hub = Arc::new(Hub { size, gate: Mutex::new((0, 0, false)), turn: Condvar::new(), slots: Mutex::new(vec![Vec::new(); size]) });
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..size)
            .map(|rank| {
                let comm = ThreadRank { rank, hub: hub.clone() };
                let f = &f;
                s.spawn(move || {
                    let _watch = Watchdog(comm.hub.clone());
                    f(&comm)
                })
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
