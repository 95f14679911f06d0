//! Any user function over user objects: strings, sequences, graphs.

use super::cache::ColumnCache;
use super::{Dissimilarity, check_buffer, check_index};
use crate::error::check_dissimilarity;
use crate::{Error, Float, SourceFailure};

/// What [`FunctionSource`] (and
/// [`PortableModel::predict_with`](crate::PortableModel::predict_with)) calls for
/// a pair of objects: any `Fn(&T, &T) -> F`, or a fallible function wrapped in
/// [`Fallible`]. Sealed: those two are all there is.
pub trait PairFunction<T, F>: Sync + sealed::Sealed<T, F> {
    /// `d(a, b)`, or the function's own error.
    fn call(&self, a: &T, b: &T) -> Result<F, SourceFailure>;
}

mod sealed {
    pub trait Sealed<T, F> {}
}

impl<T, F, G: Fn(&T, &T) -> F + Sync> sealed::Sealed<T, F> for G {}
impl<T, F, G: Fn(&T, &T) -> F + Sync> PairFunction<T, F> for G {
    #[inline(always)]
    fn call(&self, a: &T, b: &T) -> Result<F, SourceFailure> {
        Ok(self(a, b))
    }
}

/// A dissimilarity function that can fail: `Fn(&T, &T) -> Result<F, E>` for any
/// error type `E` (an I/O error, a parse error…). Its failure becomes
/// [`Error::Source`] naming the pair; see [`FunctionSource::fallible`].
#[derive(Debug, Clone, Copy)]
pub struct Fallible<G>(pub G);

impl<T, F, E, G> sealed::Sealed<T, F> for Fallible<G>
where
    G: Fn(&T, &T) -> Result<F, E> + Sync,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
}

impl<T, F, E, G> PairFunction<T, F> for Fallible<G>
where
    G: Fn(&T, &T) -> Result<F, E> + Sync,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn call(&self, a: &T, b: &T) -> Result<F, SourceFailure> {
        (self.0)(a, b).map_err(|e| SourceFailure::new(e.into()))
    }
}

/// The error of `f` at `(i, j)`: its own failure, or a value that is not a
/// dissimilarity.
fn checked<T, F: Float, G: PairFunction<T, F>>(f: &G, a: &T, b: &T, i: usize, j: usize) -> Result<F, Error> {
    match f.call(a, b) {
        Ok(v) => check_dissimilarity(i, j, v).map(|()| v),
        Err(failure) => Err(Error::Source { row: i, col: j, failure }),
    }
}

/// `d(i, j) = f(&items[i], &items[j])` for a user function `f`, evaluated lazily: only
/// the columns training asks for are computed (in parallel), and nothing `n × n` is
/// stored; [`with_cache`](Self::with_cache) keeps a bounded number of columns.
///
/// Every value is checked: a NaN, infinite or negative result is an error naming the
/// pair, never silently used.
///
/// ```
/// use median_lvq::{Dissimilarity, FunctionSource, MedianLvqParams};
///
/// let words = ["cat", "cart", "card", "dog", "dot", "do"];
/// let len_gap = |a: &&str, b: &&str| (a.len() as f64 - b.len() as f64).abs()
///     + a.chars().zip(b.chars()).filter(|(x, y)| x != y).count() as f64;
/// let source = FunctionSource::new(&words, len_gap);
/// assert_eq!(source.d(0, 1)?, 2.0);
/// let model = MedianLvqParams::new().fit(&source, &["c", "c", "c", "d", "d", "d"])?;
/// // Classify a new word from the prototype words alone.
/// let kept = model.with_items(&words)?;
/// assert_eq!(kept.predict_with(&["cap"], len_gap)?.labels, ["c"]);
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct FunctionSource<'a, T, G, F> {
    items: &'a [T],
    f: G,
    cache: Option<ColumnCache<F>>,
}

impl<'a, T: Sync, F: Float, G: Fn(&T, &T) -> F + Sync> FunctionSource<'a, T, G, F> {
    /// A source over `items` with dissimilarity `f(object, candidate)`.
    pub fn new(items: &'a [T], f: G) -> Self {
        Self { items, f, cache: None }
    }
}

impl<'a, T: Sync, F: Float, G> FunctionSource<'a, T, Fallible<G>, F> {
    /// A source over `items` with a dissimilarity that can fail (reading a
    /// sequence, calling an aligner): `f(object, candidate)` returns
    /// `Result<F, E>` for any error type `E`; a failure ends training with
    /// [`Error::Source`], which names the pair and carries `f`'s own error.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, Error, FunctionSource, MedianLvqParams};
    /// let xs = ["1.0", "2.0", "x", "9.0"];
    /// let parsed = |a: &&str, b: &&str| -> Result<f64, std::num::ParseFloatError> {
    ///     Ok((a.parse::<f64>()? - b.parse::<f64>()?).abs())
    /// };
    /// let source = FunctionSource::fallible(&xs, parsed);
    /// assert_eq!(source.d(0, 1)?, 1.0);
    /// let e = source.d(2, 0).unwrap_err();
    /// assert!(matches!(e, Error::Source { row: 2, col: 0, .. }), "{e}");
    /// assert!(MedianLvqParams::new().fit(&source, &[0, 0, 1, 1]).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn fallible<E>(items: &'a [T], f: G) -> Self
    where
        G: Fn(&T, &T) -> Result<F, E> + Sync,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Self { items, f: Fallible(f), cache: None }
    }
}

impl<'a, T: Sync, F: Float, G: PairFunction<T, F>> FunctionSource<'a, T, G, F> {
    /// Keeps up to `columns` computed columns (least recently used evicted), so a
    /// column asked for again (the prototypes' own, re-read at every accepted jump
    /// and by restarts) costs a copy instead of `n` function calls. Memory: at most
    /// `columns · n` values; `0` disables. Training computes every column once
    /// anyway when the `n × n` matrix fits
    /// [`matrix_budget`](crate::MedianLvqParams::matrix_budget) (512 MiB by
    /// default); the cache is for larger sets, and for your own repeated reads.
    ///
    /// ```
    /// use median_lvq::{Dissimilarity, FunctionSource};
    /// let xs = [1.0, 4.0, 9.0];
    /// let s = FunctionSource::new(&xs, |a: &f64, b: &f64| (a - b).abs()).with_cache(2);
    /// let mut buf = [0.0; 3];
    /// s.column(2, &mut buf)?;
    /// s.column(2, &mut buf)?;
    /// assert_eq!(s.cache_stats(), Some((1, 1))); // one hit, one miss
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    #[must_use]
    pub fn with_cache(mut self, columns: usize) -> Self {
        self.cache = Some(ColumnCache::new(columns));
        self
    }

    /// `(hits, misses)` of the column cache, if there is one.
    pub fn cache_stats(&self) -> Option<(u64, u64)> {
        self.cache.as_ref().map(ColumnCache::stats)
    }

    /// The objects.
    pub fn items(&self) -> &'a [T] {
        self.items
    }
}

impl<T, G, F: Copy> std::fmt::Debug for FunctionSource<'_, T, G, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionSource")
            .field("objects", &self.items.len())
            .field("cache", &self.cache.as_ref().map(ColumnCache::capacity))
            .finish_non_exhaustive()
    }
}

/// A clone shares the items and copies the function; its column cache starts
/// empty (same capacity).
impl<T, G: Clone, F: Copy> Clone for FunctionSource<'_, T, G, F> {
    fn clone(&self) -> Self {
        Self { items: self.items, f: self.f.clone(), cache: self.cache.as_ref().map(|c| ColumnCache::new(c.capacity())) }
    }
}

impl<T: Sync, F: Float, G: PairFunction<T, F>> Dissimilarity<F> for FunctionSource<'_, T, G, F> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        check_index(j, self.len())?;
        checked(&self.f, &self.items[i], &self.items[j], i, j)
    }

    fn column<'b>(&'b self, c: usize, buf: &'b mut [F]) -> Result<&'b [F], Error> {
        check_index(c, self.len())?;
        check_buffer(buf.len(), self.len())?;
        if let Some(cache) = &self.cache
            && cache.get_into(c, buf)
        {
            return Ok(buf);
        }
        let candidate = &self.items[c];
        // Evaluated in parallel, checked in index order: the same error whatever
        // the thread count.
        // A failure is marked NaN here and re-evaluated below for its error: the
        // common path stores values only.
        crate::par::fill(buf, |i| self.f.call(&self.items[i], candidate).unwrap_or_else(|_| F::nan()));
        for (i, &v) in buf.iter().enumerate() {
            if !crate::error::admissible(v) {
                checked(&self.f, &self.items[i], candidate, i, c)?;
                check_dissimilarity(i, c, v)?;
            }
        }
        if let Some(cache) = &self.cache {
            cache.insert(c, buf);
        }
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_pair() {
        let xs = [0.0, 1.0, 2.0];
        let s = FunctionSource::new(&xs, |a: &f64, b: &f64| if *a == 2.0 && *b == 0.0 { f64::NAN } else { a - b });
        let mut buf = vec![0.0; 3];
        assert!(matches!(s.column(0, &mut buf), Err(Error::NonFinite { row: 2, col: 0, .. })));
        assert!(matches!(s.d(0, 1), Err(Error::Negative { row: 0, col: 1, .. })));
        let ok = FunctionSource::new(&xs, |a: &f64, b: &f64| (a - b).abs());
        assert_eq!(ok.column(2, &mut buf).unwrap(), &[2.0, 1.0, 0.0]);
    }
}
