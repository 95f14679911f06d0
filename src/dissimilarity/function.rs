//! Any user function over user objects: strings, sequences, graphs.

use super::cache::ColumnCache;
use super::{Dissimilarity, check_buffer, check_index};
use crate::error::check_dissimilarity;
use crate::{Error, Float};

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

    /// Keeps up to `columns` computed columns (least recently used evicted), so a
    /// column asked for again (the prototypes' own, re-read at every accepted jump
    /// and by restarts) costs a copy instead of `n` function calls. Memory: at most
    /// `columns · n` values. Worth it when the function is expensive; `0` disables.
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

impl<T: Sync, F: Float, G: Fn(&T, &T) -> F + Sync> Dissimilarity<F> for FunctionSource<'_, T, G, F> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        check_index(j, self.len())?;
        let v = (self.f)(&self.items[i], &self.items[j]);
        check_dissimilarity(i, j, v)?;
        Ok(v)
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
        crate::par::fill(buf, |i| (self.f)(&self.items[i], candidate));
        for (i, &v) in buf.iter().enumerate() {
            check_dissimilarity(i, c, v)?;
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
