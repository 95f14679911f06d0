//! The columns of a dissimilarity matrix that one rank owns.

use super::{Communicator, owner};
use crate::dissimilarity::npy::NpyHeader;
use crate::dissimilarity::{check_buffer, check_columns_shape, check_index, check_weighted_shapes};
use crate::error::check_dissimilarity;
use crate::{Dissimilarity, Error, Float};
use faer::reborrow::ReborrowMut;
use faer::{MatMut, MatRef};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The columns `d(·, c)` with `c mod R = rank` of an `n × n` dissimilarity
/// matrix: what one of `R` ranks needs to train on it
/// ([`ValidParams::fit_distributed`](crate::ValidParams::fit_distributed)),
/// `n × ⌈n / R⌉` values. Asked for a column it does not hold, it returns
/// [`Error::NotOnThisRank`]. On one rank it holds the whole matrix and trains
/// exactly as [`Precomputed`](crate::Precomputed) does.
///
/// ```
/// use median_lvq::distributed::{ColumnShard, Local};
/// use median_lvq::{Dissimilarity, MedianLvqParams, Precomputed};
/// let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
/// let m = faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2));
/// let shard = ColumnShard::from_matrix(m.as_ref(), &Local)?;
/// let labels = [0, 0, 0, 1, 1, 1];
/// let params = MedianLvqParams::new().check()?;
/// let model = params.fit_distributed(&Local, &shard, &labels)?;
/// assert_eq!(model.prototype_indices(), params.fit(&Precomputed::new(m)?, &labels)?.prototype_indices());
/// # Ok::<(), median_lvq::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ColumnShard<F> {
    rank: usize,
    size: usize,
    n: usize,
    /// Owned column `c` is column `c / size`, column-major.
    data: Vec<F>,
}

/// `n × owned` zeros, or an error if this rank cannot hold them (an allocation
/// failure would abort the process).
fn zeroed<F: Float>(n: usize, owned: usize, size: usize) -> Result<Vec<F>, Error> {
    let too_many = || Error::InvalidParameter {
        name: "ranks",
        value: format!("{size} rank(s): {n} x {owned} values of this rank's columns cannot be allocated"),
        expected: "enough ranks that each rank's n x n/R values fit its memory",
    };
    let len = n
        .checked_mul(owned)
        .filter(|&l| l.checked_mul(std::mem::size_of::<F>()).is_some_and(|b| b <= isize::MAX as usize))
        .ok_or_else(too_many)?;
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| too_many())?;
    data.resize(len, F::zero());
    Ok(data)
}

impl<F: Float> ColumnShard<F> {
    /// This rank's columns of a full matrix (`d(i, j)` in row `i`, column `j`),
    /// checked as [`Precomputed::new`](crate::Precomputed::new) checks them.
    ///
    /// # Errors
    /// [`Error::NotSquare`], [`Error::Empty`], or the first bad entry among this
    /// rank's columns ([`Error::NonFinite`], [`Error::Negative`],
    /// [`Error::TooLargeValue`]).
    pub fn from_matrix(m: MatRef<'_, F>, comm: &dyn Communicator) -> Result<Self, Error> {
        if m.nrows() != m.ncols() {
            return Err(Error::NotSquare { rows: m.nrows(), cols: m.ncols() });
        }
        Self::build(m.nrows(), comm, |c, col| {
            for (i, slot) in col.iter_mut().enumerate() {
                *slot = m[(i, c)];
            }
            Ok(())
        })
    }

    /// This rank's columns of any source, computed once (by the source's own
    /// [`columns`](Dissimilarity::columns), so bit for bit its values) and checked
    /// as a matrix is: each rank computes `n²/R` dissimilarities, for example of an
    /// expensive function.
    ///
    /// # Errors
    /// Any error of the source, the first value training would not accept (named
    /// by row and column), [`Error::Empty`] for no objects, and
    /// [`Error::InvalidParameter`] when this rank cannot hold its columns.
    pub fn compute<D: Dissimilarity<F> + ?Sized>(source: &D, comm: &dyn Communicator) -> Result<Self, Error> {
        let (n, rank, size) = (source.len(), comm.rank(), comm.size().max(1));
        if n == 0 {
            return Err(Error::Empty { what: "the dissimilarity source" });
        }
        // The columns first: a rank that cannot hold them gets the error.
        let mut data = zeroed(n, n.saturating_sub(rank).div_ceil(size), size)?;
        let owned: Vec<usize> = (rank..n).step_by(size).collect();
        let mut columns = MatMut::from_column_major_slice_mut(&mut data, n, owned.len());
        // Blocks of columns: one pass over vectors per block.
        for (b, block) in owned.chunks(64).enumerate() {
            source.columns(block, columns.rb_mut().subcols_mut(b * 64, block.len()))?;
        }
        Self { rank, size, n, data }.checked()
    }

    /// This rank's columns of an `n × n` matrix in a NumPy `.npy` file (`float32`
    /// or `float64`, little-endian, C or Fortran order), converted to `F`. Only
    /// this rank's columns are kept: in Fortran order (columns contiguous, as
    /// `np.asfortranarray` writes them) only they are read; in C order the rows
    /// are streamed once and this rank's entries kept (for a symmetric matrix,
    /// saving it transposed or in Fortran order avoids the full read).
    ///
    /// # Errors
    /// [`Error::File`] for a file that cannot be read or is not such a matrix, and
    /// the first bad entry of this rank's columns, named by its row and column.
    pub fn read_npy(path: impl AsRef<Path>, comm: &dyn Communicator) -> Result<Self, Error> {
        let path = path.as_ref();
        let fail = |message: String| Error::File { path: path.display().to_string(), message };
        let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let header = NpyHeader::read(&mut reader).map_err(fail)?;
        let n = header.n;
        let width = header.width();
        let (rank, size) = (comm.rank(), comm.size().max(1));
        let owned = n.saturating_sub(rank).div_ceil(size);
        let need = (n as u64).checked_mul(n as u64).and_then(|v| v.checked_mul(width as u64)).map(|v| v.saturating_add(header.data_start));
        let have = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?.len();
        if need.is_none_or(|need| have < need) {
            return Err(fail(format!("the header says {n} x {n} values, but the file holds only {have} bytes")));
        }
        let mut data = zeroed(n, owned, size)?;
        let io = |e: std::io::Error| fail(format!("{e} (the header says {n} x {n} values)"));
        let mut raw = vec![0u8; n * width];
        if header.fortran {
            for (j, c) in (rank..n).step_by(size).enumerate() {
                reader.seek(SeekFrom::Start(header.data_start + (c * n * width) as u64)).map_err(io)?;
                reader.read_exact(&mut raw).map_err(io)?;
                for (i, chunk) in raw.chunks_exact(width).enumerate() {
                    data[j * n + i] = header.value::<F>(chunk);
                }
            }
        } else {
            for i in 0..n {
                reader.read_exact(&mut raw).map_err(io)?;
                for (j, c) in (rank..n).step_by(size).enumerate() {
                    data[j * n + i] = header.value::<F>(&raw[c * width..(c + 1) * width]);
                }
            }
        }
        Self { rank, size, n, data }.checked()
    }

    /// `n` columns of which this rank's are filled by `fill(c, column)`, then checked.
    fn build(n: usize, comm: &dyn Communicator, fill: impl Fn(usize, &mut [F]) -> Result<(), Error>) -> Result<Self, Error> {
        if n == 0 {
            return Err(Error::Empty { what: "the matrix" });
        }
        let (rank, size) = (comm.rank(), comm.size().max(1));
        let owned: Vec<usize> = (rank..n).step_by(size).collect();
        let mut data = zeroed(n, owned.len(), size)?;
        for (&c, col) in owned.iter().zip(data.chunks_exact_mut(n)) {
            fill(c, col)?;
        }
        Self { rank, size, n, data }.checked()
    }

    /// Itself if every held value is one training accepts, else the error naming
    /// the first bad one (row-major, in the matrix's own row and column).
    fn checked(self) -> Result<Self, Error> {
        match crate::dissimilarity::first_bad(self.owned(), |v| !crate::error::admissible(v)) {
            Some((row, j, v)) => check_dissimilarity(row, self.rank + j * self.size, v).map(|()| self),
            None => Ok(self),
        }
    }

    /// The owned columns, `n × ⌈(n − rank) / R⌉`: column `j` is `d(·, rank + j R)`.
    pub fn owned(&self) -> MatRef<'_, F> {
        MatRef::from_column_major_slice(&self.data, self.n, self.data.len() / self.n.max(1))
    }

    fn col(&self, c: usize) -> Result<&[F], Error> {
        let j = self.local(c)?;
        Ok(&self.data[j * self.n..(j + 1) * self.n])
    }

    /// Where column `c` is held, or the error naming its rank.
    fn local(&self, c: usize) -> Result<usize, Error> {
        check_index(c, self.len())?;
        if owner(c, self.size) == self.rank {
            Ok(c / self.size)
        } else {
            Err(Error::NotOnThisRank { column: c, rank: self.rank, size: self.size })
        }
    }
}

impl<F: Float> Dissimilarity<F> for ColumnShard<F> {
    fn len(&self) -> usize {
        self.n
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        check_index(i, self.len())?;
        Ok(self.col(j)?[i])
    }

    fn column<'a>(&'a self, c: usize, buf: &'a mut [F]) -> Result<&'a [F], Error> {
        check_buffer(buf.len(), self.len())?;
        self.col(c)
    }

    fn columns(&self, cs: &[usize], out: MatMut<'_, F>) -> Result<(), Error> {
        check_columns_shape(self.len(), cs, &out)?;
        let mut out = out;
        for (r, &c) in cs.iter().enumerate() {
            out.as_mut().col_mut(r).iter_mut().zip(self.col(c)?).for_each(|(o, &v)| *o = v);
        }
        Ok(())
    }

    fn columns_are_stored(&self) -> bool {
        true
    }

    /// The arithmetic of [`Precomputed`](crate::Precomputed)'s weighted sums on the
    /// held columns: bit for bit the same sums as over the whole matrix.
    fn weighted_sums(&self, candidates: &[usize], weights: MatRef<'_, F>, out: MatMut<'_, F>) -> Result<(), Error> {
        check_weighted_shapes(self.len(), candidates, weights, &out)?;
        let local = candidates.iter().map(|&c| self.local(c)).collect::<Result<Vec<usize>, Error>>()?;
        crate::dissimilarity::stored_weighted_sums(self.owned(), &local, weights, out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dissimilarity::npy::tests::write_npy;
    use crate::distributed::Local;
    use faer::Mat;

    #[test]
    fn npy_files_in_every_layout_give_the_rank_its_columns() {
        let n = 7;
        // Not symmetric: a transposed read would show.
        let m = Mat::from_fn(n, n, |i, j| if i == j { 0.0 } else { (i * 10 + j) as f64 + 0.5 });
        let dir = std::env::temp_dir().join(format!("median-lvq-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (fortran, double) in [(false, true), (true, true), (false, false), (true, false)] {
            let path = dir.join(format!("m-{fortran}-{double}.npy"));
            write_npy(&path, m.as_ref(), fortran, double);
            for size in 1..=3 {
                super::super::threads::on_ranks(size, |comm| {
                    let s = ColumnShard::<f64>::read_npy(&path, comm).unwrap();
                    for c in 0..n {
                        if owner(c, size) == comm.rank() {
                            assert_eq!(s.column(c, &mut vec![0.0; n]).unwrap(), m.col_as_slice(c), "{fortran} {double} {size}");
                        } else {
                            assert!(matches!(s.column(c, &mut vec![0.0; n]), Err(Error::NotOnThisRank { .. })));
                        }
                    }
                });
            }
        }
        let bad = dir.join("bad.npy");
        let mut neg = m.clone();
        neg[(3, 5)] = -1.0;
        write_npy(&bad, neg.as_ref(), true, true);
        let e = ColumnShard::<f64>::read_npy(&bad, &Local).unwrap_err();
        assert_eq!(e, Error::Negative { row: 3, col: 5, value: -1.0 });
        std::fs::write(&bad, b"hello").unwrap();
        assert!(ColumnShard::<f64>::read_npy(&bad, &Local).unwrap_err().to_string().contains("not a NumPy"));
        write_npy(&bad, Mat::<f64>::zeros(2, 3).as_ref(), false, true);
        assert!(ColumnShard::<f64>::read_npy(&bad, &Local).unwrap_err().to_string().contains("square"));
        // A header promising more than the file holds is refused before allocating.
        write_npy(&bad, m.as_ref(), true, true);
        let bytes = std::fs::read(&bad).unwrap();
        let mut huge = bytes[..bytes.len() - 8].to_vec();
        std::fs::write(&bad, &huge).unwrap();
        assert!(ColumnShard::<f64>::read_npy(&bad, &Local).unwrap_err().to_string().contains("holds only"));
        let text = format!("{{'descr': '<f8', 'fortran_order': True, 'shape': (7777777, 7777777), }}{}\n", " ".repeat(50));
        huge = b"\x93NUMPY\x01\x00".to_vec();
        huge.extend((text.len() as u16).to_le_bytes());
        huge.extend(text.bytes().chain([0u8; 64]));
        std::fs::write(&bad, &huge).unwrap();
        assert!(ColumnShard::<f64>::read_npy(&bad, &Local).unwrap_err().to_string().contains("holds only"));
        // Columns no rank could hold are an error, not an allocation abort.
        struct Huge;
        impl Dissimilarity<f64> for Huge {
            fn len(&self) -> usize {
                1 << 40
            }
            fn d(&self, _: usize, _: usize) -> Result<f64, Error> {
                Ok(1.0)
            }
        }
        let e = ColumnShard::compute(&Huge, &crate::distributed::threads::Pretend { rank: 1, size: 4 }).unwrap_err();
        assert!(matches!(&e, Error::InvalidParameter { name: "ranks", .. }) && e.to_string().contains("4 rank(s)"), "{e}");
        let missing = ColumnShard::<f64>::read_npy(dir.join("none.npy"), &Local).unwrap_err();
        assert!(matches!(missing, Error::File { .. }), "{missing}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
