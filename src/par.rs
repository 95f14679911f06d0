//! Thin switch between rayon and sequential iteration (feature `parallel`).
//!
//! Every parallel loop in the crate computes each item independently and in a fixed
//! order of operations, so results never depend on the number of threads.

/// Maps `f` over `0..n` with a per-worker scratch value from `init`, keeping order.
pub(crate) fn map_init<S, T, I, G>(n: usize, init: I, f: G) -> Vec<T>
where
    T: Send,
    I: Fn() -> S + Sync + Send,
    G: Fn(&mut S, usize) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n).into_par_iter().map_init(init, f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut s = init();
        (0..n).map(|i| f(&mut s, i)).collect()
    }
}

/// The best of `f(0), …, f(n − 1)` by `better` (a strict total preference that
/// the caller makes break ties by index), or the error of the lowest index;
/// `None` for `n = 0`. Reduced pairwise as results arrive, so memory does not grow
/// with `n`; the selection is associative and commutative, so the result does not
/// depend on the thread count or on timing.
pub(crate) fn best_of<T, E, G, B>(n: usize, f: G, better: B) -> Option<Result<(usize, T), E>>
where
    T: Send,
    E: Send,
    G: Fn(usize) -> Result<T, E> + Sync + Send,
    B: Fn(&(usize, T), &(usize, T)) -> bool + Sync + Send,
{
    let pick = |a: Result<(usize, T), (usize, E)>, b: Result<(usize, T), (usize, E)>| match (a, b) {
        (Err(a), Err(b)) => Err(if a.0 <= b.0 { a } else { b }),
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        (Ok(a), Ok(b)) => Ok(if better(&b, &a) { b } else { a }),
    };
    let one = |i: usize| f(i).map(|t| (i, t)).map_err(|e| (i, e));
    #[cfg(feature = "parallel")]
    let best = {
        use rayon::prelude::*;
        (0..n).into_par_iter().map(one).reduce_with(pick)
    };
    #[cfg(not(feature = "parallel"))]
    let best = (0..n).map(one).reduce(pick);
    best.map(|r| r.map_err(|(_, e)| e))
}

/// The first error in index order, or all values: deterministic whatever the threads.
pub(crate) fn first_err<T, E>(v: Vec<Result<T, E>>) -> Result<Vec<T>, E> {
    v.into_iter().collect()
}

/// `buf[i] = f(i)` for every `i`, in parallel chunks (each value independent).
pub(crate) fn fill<T: Send, G: Fn(usize) -> T + Sync + Send>(buf: &mut [T], f: G) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        buf.par_iter_mut().enumerate().with_min_len(64).for_each(|(i, slot)| *slot = f(i));
    }
    #[cfg(not(feature = "parallel"))]
    for (i, slot) in buf.iter_mut().enumerate() {
        *slot = f(i);
    }
}

/// Calls `f(start, block)` on consecutive row blocks of `out` (`rows` rows each, the
/// last shorter), in parallel. The blocks do not depend on the thread count.
pub(crate) fn row_blocks<F: Send + Sync, G: Fn(usize, faer::MatMut<'_, F>) + Sync + Send>(out: faer::MatMut<'_, F>, rows: usize, f: &G) {
    fn go<F: Send + Sync, G: Fn(usize, faer::MatMut<'_, F>) + Sync + Send>(out: faer::MatMut<'_, F>, start: usize, rows: usize, f: &G) {
        let n = out.nrows();
        if n <= rows {
            f(start, out);
            return;
        }
        let mid = n.div_ceil(rows) / 2 * rows;
        let (top, bottom) = out.split_at_row_mut(mid);
        #[cfg(feature = "parallel")]
        rayon::join(|| go(top, start, rows, f), || go(bottom, start + mid, rows, f));
        #[cfg(not(feature = "parallel"))]
        {
            go(top, start, rows, f);
            go(bottom, start + mid, rows, f);
        }
    }
    go(out, 0, rows.max(1), f);
}

/// Maps `f` over `items` (each usually a block of disjoint mutable slices), in
/// parallel, keeping order.
pub(crate) fn map_vec<T: Send, R: Send, G: Fn(T) -> R + Sync + Send>(items: Vec<T>, f: G) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.into_iter().map(f).collect()
    }
}

/// Objects per block of the `O(n)` passes run by [`map_vec`]: large enough that a
/// block outweighs the cost of scheduling it, and fixed, so that sums over blocks
/// do not depend on the thread count.
pub(crate) const OBJECTS: usize = 4096;
