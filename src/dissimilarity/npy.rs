//! NumPy `.npy` files: the header, and a matrix read a column at a time from disk.

use super::{Dissimilarity, check_buffer, check_index};
use crate::error::check_dissimilarity;
use crate::{Error, Float};
use std::io::Read;
use std::path::Path;

/// An `n × n` dissimilarity matrix in a NumPy `.npy` file, read a column at a time
/// when training asks for it: nothing of the matrix is held in memory (the
/// operating system's page cache keeps what fits), so it trains on matrices larger
/// than RAM — at the speed of the disk once they are. Columns must be contiguous in
/// the file: Fortran order (`numpy.save(path, numpy.asfortranarray(d))`), or C
/// order for a symmetric matrix ([`open_symmetric`](Self::open_symmetric)).
/// `float32` or `float64`, little-endian; every value read is checked. To split a
/// matrix across the ranks of an MPI job, see
/// [`ColumnShard::read_npy`](crate::distributed::ColumnShard::read_npy).
///
/// ```no_run
/// use median_lvq::{MedianLvqParams, NpyFile};
/// let d = NpyFile::<f32>::open("d.npy")?;
/// # let labels = vec![0; 10];
/// let model = MedianLvqParams::new().fit(&d, &labels)?;
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub struct NpyFile<F> {
    file: std::fs::File,
    header: NpyHeader,
    path: String,
    _float: std::marker::PhantomData<fn() -> F>,
}

impl<F: Float> NpyFile<F> {
    /// Opens a matrix stored in Fortran order.
    ///
    /// # Errors
    /// [`Error::File`] for a file that cannot be read, is not a square float
    /// matrix, or is in C order (its columns scattered over the file).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_as(path.as_ref(), false)
    }

    /// Opens a **symmetric** matrix in either order: in C order its rows are read
    /// as its columns, which symmetry makes the same (not checked: that would read
    /// the whole file).
    ///
    /// # Errors
    /// As for [`open`](Self::open), without the C-order one.
    pub fn open_symmetric(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_as(path.as_ref(), true)
    }

    fn open_as(path: &Path, symmetric: bool) -> Result<Self, Error> {
        let shown = path.display().to_string();
        let fail = |message: String| Error::File { path: shown.clone(), message };
        let mut file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
        let header = NpyHeader::read(&mut file).map_err(fail)?;
        if !header.fortran && !symmetric {
            return Err(fail(
                "the matrix is in C order, so its columns are scattered over the file: save it with numpy.asfortranarray(d), or open a symmetric matrix with NpyFile::open_symmetric".into(),
            ));
        }
        let size = (header.n as u64).checked_mul(header.n as u64).and_then(|v| v.checked_mul(header.width() as u64));
        let have = file.metadata().map_err(|e| fail(e.to_string()))?.len();
        if size.is_none_or(|s| have < header.data_start + s) {
            return Err(fail(format!("the header says {0} x {0} values, but the file holds only {have} bytes", header.n)));
        }
        Ok(Self { file, header, path: shown, _float: std::marker::PhantomData })
    }

    /// Reads `bytes.len()` bytes at `offset` (positioned reads: callers may run in parallel).
    fn read_at(&self, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, bytes, offset)
        }
        #[cfg(windows)]
        {
            let mut done = 0;
            while done < bytes.len() {
                match std::os::windows::fs::FileExt::seek_read(&self.file, &mut bytes[done..], offset + done as u64)? {
                    0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                    k => done += k,
                }
            }
            Ok(())
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (bytes, offset);
            Err(std::io::Error::other("positioned reads are not supported on this platform"))
        }
    }
}

impl<F> std::fmt::Debug for NpyFile<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NpyFile").field("path", &self.path).field("n", &self.header.n).field("fortran_order", &self.header.fortran).finish()
    }
}

impl<F: Float> Dissimilarity<F> for NpyFile<F> {
    fn len(&self) -> usize {
        self.header.n
    }

    fn d(&self, i: usize, j: usize) -> Result<F, Error> {
        let n = self.len();
        check_index(i, n)?;
        check_index(j, n)?;
        let w = self.header.width();
        let mut b = [0u8; 8];
        let offset = self.header.data_start + ((j * n + i) * w) as u64;
        self.read_at(&mut b[..w], offset).map_err(|e| Error::File { path: self.path.clone(), message: e.to_string() })?;
        let v = self.header.value(&b[..w]);
        check_dissimilarity(i, j, v)?;
        Ok(v)
    }

    fn column<'a>(&'a self, c: usize, buf: &'a mut [F]) -> Result<&'a [F], Error> {
        let n = self.len();
        check_index(c, n)?;
        check_buffer(buf.len(), n)?;
        let w = self.header.width();
        let mut raw = vec![0u8; n * w];
        self.read_at(&mut raw, self.header.data_start + (c * n * w) as u64)
            .map_err(|e| Error::File { path: self.path.clone(), message: e.to_string() })?;
        for (i, (slot, b)) in buf.iter_mut().zip(raw.chunks_exact(w)).enumerate() {
            let v = self.header.value(b);
            check_dissimilarity(i, c, v)?;
            *slot = v;
        }
        Ok(buf)
    }

    fn columns_are_stored(&self) -> bool {
        true
    }
}

/// What a `.npy` header says about a square float matrix.
pub(crate) struct NpyHeader {
    pub n: usize,
    pub fortran: bool,
    pub double: bool,
    pub data_start: u64,
}

impl NpyHeader {
    pub fn read(r: &mut impl Read) -> Result<Self, String> {
        let not_npy = || "not a NumPy .npy file (no \\x93NUMPY magic); save the matrix with numpy.save".to_string();
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(|_| not_npy())?;
        if &magic[..6] != b"\x93NUMPY" {
            return Err(not_npy());
        }
        let (len, prefix) = match magic[6] {
            1 => {
                let mut b = [0u8; 2];
                r.read_exact(&mut b).map_err(|e| e.to_string())?;
                (u16::from_le_bytes(b) as usize, 10)
            }
            2 | 3 => {
                let mut b = [0u8; 4];
                r.read_exact(&mut b).map_err(|e| e.to_string())?;
                (u32::from_le_bytes(b) as usize, 12)
            }
            v => return Err(format!(".npy format version {v} is not supported (1, 2 or 3)")),
        };
        if len > 1 << 20 {
            return Err(format!("a .npy header of {len} bytes is not plausible"));
        }
        let mut text = vec![0u8; len];
        r.read_exact(&mut text).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&text);
        let field = |key: &str| -> Option<String> {
            let at = text.find(&format!("'{key}'"))? + key.len() + 2;
            let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
            let end = if rest.starts_with('(') { rest.find(')')? + 1 } else { rest.find([',', '}'])? };
            Some(rest[..end].trim().trim_matches('\'').to_string())
        };
        let descr = field("descr").ok_or("the header has no 'descr'")?;
        let double = match descr.as_str() {
            "<f8" | "=f8" => true,
            "<f4" | "=f4" => false,
            d => return Err(format!("dtype {d:?} is not supported: save as little-endian float32 or float64 (array.astype('<f8'))")),
        };
        let fortran = match field("fortran_order").as_deref() {
            Some("True") => true,
            Some("False") => false,
            _ => return Err("the header has no 'fortran_order'".into()),
        };
        let shape = field("shape").ok_or("the header has no 'shape'")?;
        let dims: Vec<usize> = shape
            .trim_matches(|c| c == '(' || c == ')')
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>().map_err(|_| format!("shape {shape} is not a tuple of sizes")))
            .collect::<Result<_, _>>()?;
        match dims[..] {
            [rows, cols] if rows == cols && rows > 0 => Ok(Self { n: rows, fortran, double, data_start: (prefix + len) as u64 }),
            [rows, cols] => Err(format!("the matrix is {rows} x {cols}; it must be square (n x n) and not empty")),
            _ => Err(format!("shape {shape}: expected a matrix (two dimensions)")),
        }
    }

    pub fn width(&self) -> usize {
        if self.double { 8 } else { 4 }
    }

    /// One value from its little-endian bytes (exactly `width()` of them).
    pub fn value<F: Float>(&self, b: &[u8]) -> F {
        let mut w = [0u8; 8];
        w[..b.len().min(8)].copy_from_slice(&b[..b.len().min(8)]);
        if self.double { F::from_f64(f64::from_le_bytes(w)) } else { F::from_f64(f64::from(f32::from_le_bytes([w[0], w[1], w[2], w[3]]))) }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use faer::MatRef;

    /// A `.npy` file as `numpy.save` writes it (version 1.0).
    pub(crate) fn write_npy(path: &Path, m: MatRef<'_, f64>, fortran: bool, double: bool) {
        let n = m.nrows();
        let descr = if double { "<f8" } else { "<f4" };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': {}, 'shape': ({n}, {}), }}", if fortran { "True" } else { "False" }, m.ncols());
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        let (outer, inner) = if fortran { (m.ncols(), m.nrows()) } else { (m.nrows(), m.ncols()) };
        for a in 0..outer {
            for b in 0..inner {
                let v = if fortran { m[(b, a)] } else { m[(a, b)] };
                if double {
                    bytes.extend(v.to_le_bytes());
                } else {
                    bytes.extend((v as f32).to_le_bytes());
                }
            }
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_matrix_on_disk_trains_as_the_matrix() {
        let d = crate::datasets::wine::<f64>();
        let m = crate::Precomputed::squared_euclidean(d.features.as_ref()).unwrap();
        let dir = std::env::temp_dir().join(format!("median-lvq-npyfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (f, c) = (dir.join("f.npy"), dir.join("c.npy"));
        write_npy(&f, m.as_ref(), true, true);
        write_npy(&c, m.as_ref(), false, true);
        let p = crate::MedianLvqParams::new().prototypes_per_class(2).check().unwrap();
        let want = p.fit(&m, &d.labels).unwrap();
        for file in [NpyFile::open(&f).unwrap(), NpyFile::open_symmetric(&c).unwrap()] {
            let got = p.fit(&file, &d.labels).unwrap();
            assert_eq!((got.prototype_indices(), got.cost_history()), (want.prototype_indices(), want.cost_history()));
            assert_eq!(file.d(3, 7).unwrap(), m.d(3, 7).unwrap());
        }
        assert!(NpyFile::<f64>::open(&c).unwrap_err().to_string().contains("asfortranarray"));
        // A value out of range is named when read; a truncated file is refused at once.
        let mut bad = m.as_ref().to_owned();
        bad[(4, 9)] = f64::NAN;
        write_npy(&f, bad.as_ref(), true, true);
        let e = p.fit(&NpyFile::open(&f).unwrap(), &d.labels).unwrap_err();
        assert!(matches!(e, Error::NonFinite { row: 4, col: 9, .. }), "{e}");
        let bytes = std::fs::read(&c).unwrap();
        std::fs::write(&c, &bytes[..bytes.len() - 8]).unwrap();
        assert!(NpyFile::<f64>::open_symmetric(&c).unwrap_err().to_string().contains("holds only"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
