//! A bounded cache of computed columns, for sources whose columns are expensive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// At most `capacity` columns, evicting the least recently used. Columns are
/// shared (`Arc`) so a hit copies out without holding the lock during the copy.
pub(crate) struct ColumnCache<F> {
    capacity: usize,
    inner: Mutex<Entries<F>>,
}

struct Entries<F> {
    clock: u64,
    map: HashMap<usize, (Arc<[F]>, u64)>,
    hits: u64,
    misses: u64,
}

impl<F: Copy> ColumnCache<F> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Entries { clock: 0, map: HashMap::new(), hits: 0, misses: 0 }) }
    }

    /// Copies column `c` into `buf` if cached.
    pub(crate) fn get_into(&self, c: usize, buf: &mut [F]) -> bool {
        let found = {
            let Ok(mut e) = self.inner.lock() else { return false };
            e.clock += 1;
            let now = e.clock;
            let found = e.map.get_mut(&c).map(|(col, used)| {
                *used = now;
                Arc::clone(col)
            });
            if found.is_some() {
                e.hits += 1;
            } else {
                e.misses += 1;
            }
            found
        };
        match found {
            Some(col) if col.len() == buf.len() => {
                buf.copy_from_slice(&col);
                true
            }
            _ => false,
        }
    }

    /// Stores column `c`, evicting the least recently used column when full.
    pub(crate) fn insert(&self, c: usize, col: &[F]) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut e) = self.inner.lock() else { return };
        if e.map.len() >= self.capacity
            && !e.map.contains_key(&c)
            && let Some(oldest) = e.map.iter().min_by_key(|(idx, (_, used))| (*used, **idx)).map(|(idx, _)| *idx)
        {
            e.map.remove(&oldest);
        }
        e.clock += 1;
        let now = e.clock;
        e.map.insert(c, (Arc::from(col), now));
    }

    /// The most columns kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// `(hits, misses)` so far.
    pub(crate) fn stats(&self) -> (u64, u64) {
        self.inner.lock().map(|e| (e.hits, e.misses)).unwrap_or((0, 0))
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.inner.lock().map(|e| e.map.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let c = ColumnCache::new(2);
        let mut buf = [0.0; 2];
        c.insert(1, &[1.0, 1.0]);
        c.insert(2, &[2.0, 2.0]);
        assert!(c.get_into(1, &mut buf)); // 1 is now more recent than 2
        c.insert(3, &[3.0, 3.0]);
        assert_eq!(c.len(), 2);
        assert!(!c.get_into(2, &mut buf));
        assert!(c.get_into(3, &mut buf) && buf == [3.0, 3.0]);
        assert!(c.get_into(1, &mut buf) && buf == [1.0, 1.0]);
        assert_eq!(c.stats(), (3, 1));
        let none = ColumnCache::new(0);
        none.insert(1, &[1.0, 1.0]);
        assert!(!none.get_into(1, &mut buf));
    }
}
