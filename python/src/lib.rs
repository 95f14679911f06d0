//! `median_lvq._core`: the Rust side of the Python package.
//!
//! Deliberately thin. The scikit-learn estimator (`median_lvq.MedianGLVQ`, in
//! Python) validates and encodes its input, then calls one function here per fit
//! or prediction; everything numerical is the crate's. What lives here is what
//! only Rust can do for Python: borrowing numpy buffers without copying, running
//! training with the GIL released while the calling thread still answers Ctrl-C
//! and prints progress, calling a Python dissimilarity function from the crate's
//! worker threads, and turning the crate's errors into Python exceptions.

use median_lvq::faer::MatRef;
use median_lvq::{
    Candidates, ClassWeights, Error, Float, FunctionSource, Init, MedianLvq, MedianLvqParams, Observer, Precomputed, Progress,
    ProgressEvent, Search, SquaredEuclidean, Transfer,
};
use numpy::ndarray::{Array1, Array2};
use numpy::{Element, IntoPyArray, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::ops::ControlFlow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A fitted model in the precision it was trained in; labels are class codes
/// `0..C` (the estimator keeps the real labels in `classes_`).
#[derive(Clone)]
enum Fitted {
    F32(MedianLvq<f32, usize>),
    F64(MedianLvq<f64, usize>),
}

/// A 2-d float array in either precision, borrowed from numpy.
#[derive(FromPyObject)]
enum Matrix<'py> {
    F32(PyReadonlyArray2<'py, f32>),
    F64(PyReadonlyArray2<'py, f64>),
}

/// A 1-d float array in either precision.
#[derive(FromPyObject)]
enum Vector<'py> {
    F32(PyReadonlyArray1<'py, f32>),
    F64(PyReadonlyArray1<'py, f64>),
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// The crate's error as a Python exception: a failure of the user's Python
/// function is re-raised as itself (with the pair it failed on in a note), every
/// other error is a `ValueError` carrying the crate's message.
fn to_py(py: Python<'_>, e: Error) -> PyErr {
    if let Error::Source { row, col, failure } = &e
        && let Some(original) = failure.get().downcast_ref::<PyErr>()
    {
        let original = original.clone_ref(py);
        let value = original.value(py);
        if value.hasattr("add_note").unwrap_or(false) {
            let _ = value.call_method1("add_note", (format!("(median_lvq: computing the dissimilarity of objects {row} and {col})"),));
        }
        return original;
    }
    value_error(e)
}

/// A borrowed numpy matrix as a faer view: no copy. The estimator hands over
/// C- or Fortran-contiguous arrays (it makes them so, copying only if needed).
fn view<'a, F: Element>(a: &'a PyReadonlyArray2<'_, F>, what: &str) -> PyResult<MatRef<'a, F>> {
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    let slice = a.as_slice().map_err(|_| value_error(format!("{what} must be a contiguous array (C or Fortran order)")))?;
    Ok(if a.is_c_contiguous() {
        MatRef::from_row_major_slice(slice, rows, cols)
    } else {
        MatRef::from_column_major_slice(slice, rows, cols)
    })
}

/// Training parameters, as the estimator passes them (scikit-learn names).
struct Settings {
    prototypes_per_class: usize,
    transfer: String,
    beta: f64,
    margin: f64,
    class_weight: Option<Vec<f64>>,
    balanced: bool,
    max_iter: usize,
    n_init: Option<usize>,
    init: Option<Vec<usize>>,
    init_name: String,
    search: String,
    candidates: String,
    seed: u64,
    n_jobs: Option<usize>,
    verbose: bool,
}

/// One entry of the settings dict, with a `ValueError` naming it if it has the
/// wrong type.
fn entry<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    let item = d.get_item(key)?.ok_or_else(|| value_error(format!("missing parameter `{key}`")))?;
    item.extract::<T>().map_err(|_| value_error(format!("parameter `{key}` = {item} has the wrong type")))
}

impl Settings {
    fn read(d: &Bound<'_, PyDict>) -> PyResult<Self> {
        let class_weight = d.get_item("class_weight")?;
        let (class_weight, balanced) = match class_weight {
            None => (None, false),
            Some(w) if w.is_none() => (None, false),
            Some(w) if w.extract::<String>().is_ok_and(|s| s == "balanced") => (None, true),
            Some(_) => (Some(entry::<Vec<f64>>(d, "class_weight")?), false),
        };
        let init = d.get_item("init")?.ok_or_else(|| value_error("missing parameter `init`"))?;
        let (init, init_name) = match init.extract::<String>() {
            Ok(name) => (None, name),
            Err(_) => (Some(entry::<Vec<usize>>(d, "init")?), String::new()),
        };
        Ok(Self {
            prototypes_per_class: entry(d, "prototypes_per_class")?,
            transfer: entry(d, "transfer")?,
            beta: entry(d, "beta")?,
            margin: entry(d, "margin")?,
            class_weight,
            balanced,
            max_iter: entry(d, "max_iter")?,
            n_init: entry(d, "n_init")?,
            init,
            init_name,
            search: entry(d, "search")?,
            candidates: entry(d, "candidates")?,
            seed: entry(d, "seed")?,
            n_jobs: entry(d, "n_jobs")?,
            verbose: entry(d, "verbose")?,
        })
    }

    /// The crate's builder; its `check` (in `fit`) validates the values.
    fn params<F: Float>(&self, sample_weight: Option<Vec<F>>) -> PyResult<MedianLvqParams<F>> {
        let transfer = match self.transfer.as_str() {
            "identity" => Transfer::Identity,
            "sigmoid" => Transfer::Sigmoid { beta: F::from_f64(self.beta) },
            "log_likelihood" => Transfer::LogLikelihood,
            other => {
                return Err(value_error(format!(
                    "parameter `transfer` = {other:?} is invalid: use \"identity\", \"sigmoid\" or \"log_likelihood\""
                )));
            }
        };
        let init = match (&self.init, self.init_name.as_str()) {
            (Some(given), _) => Init::Given(given.clone()),
            (None, "auto") => Init::Auto,
            (None, "kmedoids") => Init::KMedoids { rounds: 10 },
            (None, "class_medoid") => Init::ClassMedoid,
            (None, "random") => Init::StratifiedRandom,
            (None, "neural_gas") => Init::NeuralGas { epochs: 100 },
            (None, other) => {
                return Err(value_error(format!(
                    "parameter `init` = {other:?} is invalid: use \"auto\", \"kmedoids\", \"class_medoid\", \"random\", \"neural_gas\" or a list of training indices"
                )));
            }
        };
        let search = match self.search.as_str() {
            "auto" => Search::Auto,
            "exhaustive" => Search::Exhaustive,
            "linearised" | "linearized" => Search::Linearised { checked: 8 },
            "candidate_major" => Search::CandidateMajor,
            other => {
                return Err(value_error(format!(
                    "parameter `search` = {other:?} is invalid: use \"auto\", \"exhaustive\", \"linearised\" or \"candidate_major\""
                )));
            }
        };
        let candidates = match self.candidates.as_str() {
            "receptive_field" => Candidates::ReceptiveField,
            "whole_class" => Candidates::WholeClass,
            other => {
                return Err(value_error(format!(
                    "parameter `candidates` = {other:?} is invalid: use \"receptive_field\" or \"whole_class\""
                )));
            }
        };
        let weights = match (&self.class_weight, self.balanced) {
            (_, true) => ClassWeights::Balanced,
            (Some(w), false) => ClassWeights::Given(w.iter().map(|&v| F::from_f64(v)).collect()),
            (None, false) => ClassWeights::Uniform,
        };
        let mut p = MedianLvqParams::new()
            .prototypes_per_class(self.prototypes_per_class)
            .transfer(transfer)
            .margin(F::from_f64(self.margin))
            .class_weights(weights)
            .max_sweeps(self.max_iter)
            .init(init)
            .search(search)
            .candidates(candidates)
            .seed(self.seed);
        if let Some(n) = self.n_init {
            p = p.n_init(n);
        }
        if let Some(w) = sample_weight {
            p = p.sample_weights(w);
        }
        Ok(p)
    }
}

/// What the training thread shares with the calling thread: a stop request
/// (Ctrl-C) and progress lines waiting to be printed by Python.
struct Control {
    stop: AtomicBool,
    verbose: bool,
    lines: Mutex<Vec<String>>,
}

impl<F: Float> Observer<F> for Control {
    fn observe(&self, p: &Progress<F>) -> ControlFlow<()> {
        if self.verbose && p.event != ProgressEvent::Jump {
            let line = format!(
                "[median_lvq {:>8.2} s] restart {} sweep {} jumps {} cost {:.6}",
                p.elapsed.as_secs_f64(),
                p.restart,
                p.sweep,
                p.jumps,
                p.cost.as_f64()
            );
            if let Ok(mut lines) = self.lines.lock() {
                lines.push(line);
            }
        }
        if self.stop.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

/// Runs `job` on a worker thread (on a pool of `n_jobs` threads, or rayon's global
/// pool) with the GIL released; meanwhile this thread wakes every 50 ms to print
/// progress through Python's `sys.stdout` and to check for Ctrl-C, which stops
/// training (at the next event; a Python dissimilarity function stops at its next
/// call) and raises `KeyboardInterrupt`.
fn supervised<T: Send>(
    py: Python<'_>,
    n_jobs: Option<usize>,
    verbose: bool,
    job: impl FnOnce(&Control) -> Result<T, Error> + Send,
) -> PyResult<(T, f64)> {
    let pool = match n_jobs {
        Some(n) => Some(rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(|e| PyRuntimeError::new_err(e.to_string()))?),
        None => None,
    };
    let control = Control { stop: AtomicBool::new(false), verbose, lines: Mutex::new(Vec::new()) };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut interrupt: Option<PyErr> = None;
    let outcome = std::thread::scope(|scope| {
        let control = &control;
        let pool = pool.as_ref();
        scope.spawn(move || {
            let work = || {
                let started = std::time::Instant::now();
                job(control).map(|t| (t, started.elapsed().as_secs_f64()))
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match pool {
                Some(pool) => pool.install(work),
                None => work(),
            }));
            let _ = tx.send(result);
        });
        // The receiver moves into each wait and back: it is `Send` but not `Sync`.
        let mut rx = rx;
        loop {
            let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            rx = back;
            flush(py, control);
            match got {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    if interrupt.is_none()
                        && let Err(e) = py.check_signals()
                    {
                        control.stop.store(true, Ordering::Relaxed);
                        interrupt = Some(e);
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Box::new("the training thread ended without a result") as Box<dyn std::any::Any + Send>);
                }
            }
        }
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    match outcome {
        Ok(result) => result.map_err(|e| to_py(py, e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(PyRuntimeError::new_err(format!("median_lvq: internal error (a panic: {what}); please report it")))
        }
    }
}

/// Prints the queued progress lines with Python's `print` (so they appear in
/// notebooks too, unlike Rust's stderr).
fn flush(py: Python<'_>, control: &Control) {
    let lines = match control.lines.lock() {
        Ok(mut lines) => std::mem::take(&mut *lines),
        Err(_) => return,
    };
    if lines.is_empty() {
        return;
    }
    if let Ok(print) = py.import("builtins").and_then(|b| b.getattr("print")) {
        for line in lines {
            let _ = print.call1((line,));
        }
    }
}

fn weights<F: Element + Copy>(w: Option<PyReadonlyArray1<'_, F>>) -> PyResult<Option<Vec<F>>> {
    w.map(|w| w.as_slice().map(<[F]>::to_vec).map_err(|_| value_error("sample_weight must be contiguous"))).transpose()
}

/// Fits on a 2-d array: `kind` is `"precomputed"` (the `n × n` dissimilarities,
/// `D[i, j]`: object `i` seen from candidate `j`) or `"sqeuclidean"` (`n × p`
/// vectors under the squared Euclidean distance, never building the `n × n`
/// matrix unless the crate's budget rule does).
#[pyfunction]
#[pyo3(signature = (kind, data, y, sample_weight, settings))]
fn fit_array_of(
    py: Python<'_>,
    kind: &str,
    data: Matrix<'_>,
    y: PyReadonlyArray1<'_, i64>,
    sample_weight: Option<Vector<'_>>,
    settings: &Bound<'_, PyDict>,
) -> PyResult<Model> {
    let kind = match kind {
        "precomputed" => Kind::Precomputed,
        "sqeuclidean" => Kind::Vectors,
        other => return Err(value_error(format!("unknown kind of array {other:?}"))),
    };
    fit_matrix(py, data, &y, sample_weight, settings, kind)
}

/// What a 2-d array holds.
#[derive(Clone, Copy)]
enum Kind {
    /// The `n × n` dissimilarities.
    Precomputed,
    /// `n` vectors, under the squared Euclidean distance.
    Vectors,
}

/// Fits on an array in its own precision (sample weights must share it).
fn fit_matrix(
    py: Python<'_>,
    m: Matrix<'_>,
    y: &PyReadonlyArray1<'_, i64>,
    sample_weight: Option<Vector<'_>>,
    settings: &Bound<'_, PyDict>,
    kind: Kind,
) -> PyResult<Model> {
    let s = Settings::read(settings)?;
    let y = codes(y)?;
    match m {
        Matrix::F32(a) => {
            let (model, seconds) = fit_array(py, &s, &y, &a, as_f32(sample_weight)?, kind)?;
            finish(Fitted::F32(model), seconds)
        }
        Matrix::F64(a) => {
            let (model, seconds) = fit_array(py, &s, &y, &a, as_f64(sample_weight)?, kind)?;
            finish(Fitted::F64(model), seconds)
        }
    }
}

fn fit_array<F: Float + Element>(
    py: Python<'_>,
    s: &Settings,
    y: &[usize],
    a: &PyReadonlyArray2<'_, F>,
    sample_weight: Option<PyReadonlyArray1<'_, F>>,
    kind: Kind,
) -> PyResult<(MedianLvq<F, usize>, f64)> {
    let params = s.params(weights(sample_weight)?)?;
    let a = view(a, if matches!(kind, Kind::Precomputed) { "D" } else { "X" })?;
    supervised(py, s.n_jobs, s.verbose, |c| {
        let valid = params.check()?;
        match kind {
            Kind::Precomputed => {
                let d = by_columns(a);
                valid.fit_observed(&Precomputed::from_ref(d.as_ref())?, y, c)
            }
            Kind::Vectors => valid.fit_observed(&SquaredEuclidean::from_ref(a)?, y, c),
        }
    })
}

/// A matrix whose columns are contiguous, as training reads them (`d(·, c)`, one
/// candidate's column per pass): numpy's default C order stores rows, and reading
/// columns out of it is several times slower. A symmetric matrix (the usual case)
/// is its own transpose, so its C-order buffer *is* column-major and is used in
/// place; a non-symmetric one in C order is copied once into column order
/// (`np.asfortranarray(D)` avoids that copy).
enum Columns<'a, F> {
    Borrowed(MatRef<'a, F>),
    Owned(median_lvq::faer::Mat<F>),
}

impl<F: Float> Columns<'_, F> {
    fn as_ref(&self) -> MatRef<'_, F> {
        match self {
            Columns::Borrowed(m) => *m,
            Columns::Owned(m) => m.as_ref(),
        }
    }
}

fn by_columns<F: Float>(d: MatRef<'_, F>) -> Columns<'_, F> {
    if d.row_stride() == 1 || d.nrows() != d.ncols() {
        Columns::Borrowed(d)
    } else if symmetric(d) {
        Columns::Borrowed(d.transpose())
    } else {
        Columns::Owned(d.to_owned())
    }
}

/// `d[(i, j)] == d[(j, i)]` for every pair (bitwise for numbers; a NaN makes it
/// non-symmetric), compared in 64 × 64 tiles so both reads stay in cache; row
/// tiles in parallel.
fn symmetric<F: Float>(d: MatRef<'_, F>) -> bool {
    use rayon::prelude::*;
    const TILE: usize = 64;
    let n = d.nrows();
    (0..n.div_ceil(TILE)).into_par_iter().all(|bi| {
        let rows = bi * TILE..((bi + 1) * TILE).min(n);
        (bi..n.div_ceil(TILE)).all(|bj| {
            let cols = bj * TILE..((bj + 1) * TILE).min(n);
            rows.clone().all(|i| cols.clone().all(|j| d[(i, j)] == d[(j, i)]))
        })
    })
}

/// Fits on arbitrary Python objects under a Python function `metric(a, b)`
/// (`d(i, j) = metric(objects[i], objects[j])`), in `f64`. When the `n × n`
/// matrix fits the crate's default budget (512 MiB) it is computed first, column
/// by column under one hold of the GIL each, and training runs on it; beyond, the
/// crate's workers call the function lazily, taking the GIL per call.
#[pyfunction]
#[pyo3(signature = (objects, metric, y, sample_weight, settings))]
fn fit_callable(
    py: Python<'_>,
    objects: Vec<Py<PyAny>>,
    metric: Py<PyAny>,
    y: PyReadonlyArray1<'_, i64>,
    sample_weight: Option<Vector<'_>>,
    settings: &Bound<'_, PyDict>,
) -> PyResult<Model> {
    let s = Settings::read(settings)?;
    let y = codes(&y)?;
    let params = s.params(weights(as_f64(sample_weight)?)?)?;
    let n = objects.len();
    let fits = n.checked_mul(n).and_then(|e| e.checked_mul(8)).is_some_and(|b| b <= MedianLvqParams::<f64>::DEFAULT_MATRIX_BUDGET);
    let (model, seconds) = supervised(py, s.n_jobs, s.verbose, |control| {
        let valid = params.check()?;
        let stop = &control.stop;
        let interrupted = || PyKeyboardInterrupt::new_err("training was interrupted");
        let call = |py: Python<'_>, a: &Py<PyAny>, b: &Py<PyAny>| metric.call1(py, (a.clone_ref(py), b.clone_ref(py)))?.extract::<f64>(py);
        if fits {
            // Training needs every pair once (the crate would store the matrix
            // too): computed column by column, each under one hold of the GIL —
            // taking it per call costs more than a short Python function.
            let mut m = median_lvq::faer::Mat::<f64>::zeros(n, n);
            for j in 0..n {
                if stop.load(Ordering::Relaxed) {
                    return Err(Error::source_failure(0, j, interrupted()));
                }
                Python::attach(|py| -> Result<(), Error> {
                    for i in 0..n {
                        m[(i, j)] = call(py, &objects[i], &objects[j]).map_err(|e| Error::source_failure(i, j, e))?;
                    }
                    Ok(())
                })?;
            }
            return valid.fit_observed(&Precomputed::new(m)?, &y, control);
        }
        let f = |a: &Py<PyAny>, b: &Py<PyAny>| -> Result<f64, PyErr> {
            if stop.load(Ordering::Relaxed) {
                return Err(interrupted());
            }
            Python::attach(|py| call(py, a, b))
        };
        valid.fit_observed(&FunctionSource::fallible(&objects, f), &y, control)
    })?;
    finish(Fitted::F64(model), seconds)
}

fn finish(fitted: Fitted, seconds: f64) -> PyResult<Model> {
    Ok(Model { fitted, core_seconds: Some(seconds) })
}

fn codes(y: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    y.as_array().iter().map(|&c| usize::try_from(c).map_err(|_| value_error(format!("class code {c} is negative")))).collect()
}

fn as_f32(w: Option<Vector<'_>>) -> PyResult<Option<PyReadonlyArray1<'_, f32>>> {
    match w {
        None => Ok(None),
        Some(Vector::F32(w)) => Ok(Some(w)),
        Some(Vector::F64(_)) => Err(value_error("sample_weight must have the precision of the data (float32 here)")),
    }
}

fn as_f64(w: Option<Vector<'_>>) -> PyResult<Option<PyReadonlyArray1<'_, f64>>> {
    match w {
        None => Ok(None),
        Some(Vector::F64(w)) => Ok(Some(w)),
        Some(Vector::F32(_)) => Err(value_error("sample_weight must have the precision of the data (float64 here)")),
    }
}

/// The squared Euclidean distances of new vectors (`m × p`) to prototype rows
/// (`K × p`), as sums of squared differences (no cancellation), rows in parallel;
/// a distance that overflows is an error naming the pair.
fn squared_distances<F: Float>(new: MatRef<'_, F>, protos: MatRef<'_, F>) -> Result<Array2<F>, String> {
    use rayon::prelude::*;
    let (m, k, p) = (new.nrows(), protos.nrows(), protos.ncols());
    let mut out = vec![F::zero(); m * k];
    out.par_chunks_mut(k.max(1)).enumerate().try_for_each(|(r, row)| {
        for (j, slot) in row.iter_mut().enumerate() {
            let d = (0..p).fold(F::zero(), |acc, t| {
                let diff = new[(r, t)] - protos[(j, t)];
                acc + diff * diff
            });
            if !d.is_finite() {
                return Err(format!(
                    "the squared distance of row {r} to prototype {j} overflows {}; rescale the data",
                    std::any::type_name::<F>()
                ));
            }
            *slot = d;
        }
        Ok(())
    })?;
    Array2::from_shape_vec((m, k), out).map_err(|e| e.to_string())
}

/// `(new, prototypes)` → the `m × K` squared Euclidean distances, in the
/// arrays' precision (both must have the same).
#[pyfunction]
fn sqeuclidean_to(py: Python<'_>, new: Matrix<'_>, prototypes: Matrix<'_>) -> PyResult<Py<PyAny>> {
    match (new, prototypes) {
        (Matrix::F32(a), Matrix::F32(b)) => {
            let (a, b) = (view(&a, "X")?, view(&b, "prototypes")?);
            let d = py.detach(|| squared_distances(a, b)).map_err(value_error)?;
            Ok(d.into_pyarray(py).into_any().unbind())
        }
        (Matrix::F64(a), Matrix::F64(b)) => {
            let (a, b) = (view(&a, "X")?, view(&b, "prototypes")?);
            let d = py.detach(|| squared_distances(a, b)).map_err(value_error)?;
            Ok(d.into_pyarray(py).into_any().unbind())
        }
        _ => Err(value_error("the new vectors and the prototypes must have the same precision")),
    }
}

/// A fitted model (class codes `0..C`); pickled through the crate's versioned,
/// checksummed model format.
#[pyclass(frozen, module = "median_lvq._core")]
struct Model {
    fitted: Fitted,
    /// Seconds the crate's `fit` took (not saved): the binding's own overhead is
    /// the caller's wall time minus this.
    core_seconds: Option<f64>,
}

/// The decision of `model` from `m × K` dissimilarities to its prototypes:
/// `(labels, probabilities, scores, winners)`; `scores[r, c]` is the GLVQ
/// classifier value `(d_other − d_c) / (d_other + d_c)` of class `c` (its
/// nearest prototype at `d_c`, the nearest of any other class at `d_other`):
/// positive only for the predicted class.
fn decide<'py, F: Float + Element>(
    py: Python<'py>,
    model: &MedianLvq<F, usize>,
    d: &PyReadonlyArray2<'py, F>,
) -> PyResult<Bound<'py, PyTuple>> {
    let d = view(d, "the dissimilarities to the prototypes")?;
    let p = py.detach(|| model.predict(d)).map_err(value_error)?;
    let classes = model.classes().len();
    let labels = Array1::from_iter(p.labels.iter().map(|&c| c as i64));
    let winners = Array1::from_iter(p.winners.iter().map(|&k| k as i64));
    let proba = Array2::from_shape_fn((d.nrows(), classes), |(r, c)| p.probabilities[(r, c)]);
    let class_of = model.prototype_labels();
    let scores = Array2::from_shape_fn((d.nrows(), classes), |(r, c)| {
        let (mut own, mut other) = (f64::INFINITY, f64::INFINITY);
        for (k, &label) in class_of.iter().enumerate() {
            let v = d[(r, k)].as_f64();
            if label == c { own = own.min(v) } else { other = other.min(v) }
        }
        // Halves: the sum of two distances near the largest float would overflow.
        let (own, other) = (own / 2.0, other / 2.0);
        if own + other > 0.0 { (other - own) / (own + other) } else { 0.0 }
    });
    (labels.into_pyarray(py), proba.into_pyarray(py), scores.into_pyarray(py), winners.into_pyarray(py)).into_pyobject(py)
}

macro_rules! both {
    ($self:expr, $m:ident => $e:expr) => {
        match &$self.fitted {
            Fitted::F32($m) => $e,
            Fitted::F64($m) => $e,
        }
    };
}

#[pymethods]
impl Model {
    /// `"float32"` or `"float64"`: the precision the model was trained in.
    #[getter]
    fn dtype(&self) -> &'static str {
        match self.fitted {
            Fitted::F32(_) => "float32",
            Fitted::F64(_) => "float64",
        }
    }
    /// Seconds spent in the crate's `fit` (`None` for a loaded model).
    #[getter]
    fn core_seconds(&self) -> Option<f64> {
        self.core_seconds
    }
    #[getter]
    fn prototype_indices(&self) -> Vec<usize> {
        both!(self, m => m.prototype_indices().to_vec())
    }
    #[getter]
    fn prototype_labels(&self) -> Vec<usize> {
        both!(self, m => m.prototype_labels().to_vec())
    }
    #[getter]
    fn cost_history(&self) -> Vec<f64> {
        both!(self, m => m.cost_history().to_vec())
    }
    #[getter]
    fn sweeps(&self) -> usize {
        both!(self, m => m.sweeps())
    }
    #[getter]
    fn jumps(&self) -> usize {
        both!(self, m => m.jumps())
    }
    #[getter]
    fn termination(&self) -> &'static str {
        both!(self, m => m.termination().name())
    }

    /// `(labels, probabilities, scores, winners)` from the `m × K` dissimilarities to
    /// the prototypes (in the model's precision).
    fn decide<'py>(&self, py: Python<'py>, d: Matrix<'py>) -> PyResult<Bound<'py, PyTuple>> {
        match (&self.fitted, d) {
            (Fitted::F32(m), Matrix::F32(d)) => decide(py, m, &d),
            (Fitted::F64(m), Matrix::F64(d)) => decide(py, m, &d),
            _ => Err(value_error("the dissimilarities must have the model's precision")),
        }
    }

    /// The model in the crate's saved-model format (JSON).
    fn to_json(&self) -> PyResult<String> {
        both!(self, m => serde_json::to_string(m)).map_err(value_error)
    }

    /// A model saved by [`to_json`](Self::to_json); its format, version, precision
    /// and checksum are checked.
    #[staticmethod]
    fn from_json(text: &str, dtype: &str) -> PyResult<Self> {
        let fitted = match dtype {
            "float32" => Fitted::F32(serde_json::from_str(text).map_err(value_error)?),
            "float64" => Fitted::F64(serde_json::from_str(text).map_err(value_error)?),
            other => return Err(value_error(format!("unknown precision {other:?}"))),
        };
        Ok(Self { fitted, core_seconds: None })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String, &'static str))> {
        Ok((py.get_type::<Model>().getattr("from_json")?, (self.to_json()?, self.dtype())))
    }

    fn __repr__(&self) -> String {
        format!("Model(dtype={}, prototypes={:?})", self.dtype(), self.prototype_indices())
    }
}

/// The Rust core of `median_lvq`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(fit_array_of, m)?)?;
    m.add_function(wrap_pyfunction!(fit_callable, m)?)?;
    m.add_function(wrap_pyfunction!(sqeuclidean_to, m)?)?;
    m.add("FORMAT_VERSION", median_lvq::FORMAT_VERSION)?;
    Ok(())
}
