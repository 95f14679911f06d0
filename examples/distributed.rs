//! Training on every rank of an MPI job (feature `mpi`), the data split across ranks.
//!
//! ```text
//! cargo build --release --features mpi --example distributed
//! mpirun -np 3 target/release/examples/distributed --data ../shared/data/aural_sonar.similarity.csv
//! mpirun -np 2 target/release/examples/distributed --matrix d.npy --labels labels.txt --precision f32
//! ```
//!
//! Each rank keeps only the columns it owns (`c mod R = rank`) of a matrix: read
//! from a `.npy` file (`--matrix`, only its part is kept), or from a label-first
//! CSV file (`--data`, as `evaluate` reads; every rank parses the whole file, so
//! use `.npy` for large matrices). Vectors and words are held by every rank, and
//! each computes the dissimilarities of its own candidates. Rank 0 prints one line
//! per rank (peak memory, seconds per sweep, bytes exchanged per sweep), then
//! `prototypes=<row indices, ascending> cost=<final cost> sweeps=<n>`: the same for
//! every number of ranks, and with `--single` (one process, the ordinary `fit`).

#[path = "common/mod.rs"]
mod common;

use median_lvq::distributed::{ColumnShard, Communicator, Mpi, agree};
use median_lvq::{
    Dissimilarity, Error, Float, FunctionSource, MedianLvqParams, Observer, Precomputed, Progress, ProgressEvent, Search, SquaredEuclidean,
    Standardizer,
};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const HELP: &str = "\
usage: mpirun -np R distributed (--data FILE | --matrix FILE.npy --labels FILE.txt) [options]
  --data FILE                  label-first CSV: *.vectors.csv, *.dissimilarity.csv, *.similarity.csv, or words (*.tsv)
  --input KIND                 similarity | dissimilarity | vectors | words (default: from the file name)
  --dissimilarity MEASURE      similarity: one-minus | kernel; vectors: squared-euclidean | precomputed
  --standardize                vectors: zero mean, unit variance per feature
  --matrix FILE.npy            an n x n dissimilarity matrix (float32/float64, C or Fortran order)
  --labels FILE.txt            one label per line, for --matrix
  --prototypes-per-class K     default 1
  --seed S                     default 0
  --restarts R                 fits from R starts (default: the crate's)
  --search MODE                exhaustive | linearised | candidate-major (default: the crate's choice)
  --precision f32|f64          default f64
  --single                     one process, the ordinary fit (no MPI), for comparison";

#[derive(Clone, Copy, PartialEq)]
enum Input {
    Similarity,
    Dissimilarity,
    Vectors,
    Words,
}

struct Options {
    data: Option<PathBuf>,
    matrix: Option<PathBuf>,
    labels: Option<PathBuf>,
    input: Option<Input>,
    measure: Option<String>,
    standardize: bool,
    per_class: usize,
    seed: u64,
    restarts: Option<usize>,
    search: Option<Search>,
    f32: bool,
    single: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        data: None,
        matrix: None,
        labels: None,
        input: None,
        measure: None,
        standardize: false,
        per_class: 1,
        seed: 0,
        restarts: None,
        search: None,
        f32: false,
        single: false,
    };
    let mut it = args.iter();
    let count =
        |v: &str, flag: &str| v.parse::<usize>().ok().filter(|&k| k > 0).ok_or(format!("{flag} {v:?}: expected a whole number >= 1"));
    while let Some(flag) = it.next() {
        if flag == "--standardize" || flag == "--single" {
            o.standardize |= flag == "--standardize";
            o.single |= flag == "--single";
            continue;
        }
        let v = it.next().ok_or(format!("{flag} needs a value (see --help)"))?;
        match flag.as_str() {
            "--data" => o.data = Some(PathBuf::from(v)),
            "--matrix" => o.matrix = Some(PathBuf::from(v)),
            "--labels" => o.labels = Some(PathBuf::from(v)),
            "--input" => {
                o.input = Some(match v.as_str() {
                    "similarity" => Input::Similarity,
                    "dissimilarity" => Input::Dissimilarity,
                    "vectors" => Input::Vectors,
                    "words" => Input::Words,
                    _ => return Err(format!("--input {v:?}: expected similarity, dissimilarity, vectors or words")),
                })
            }
            "--dissimilarity" => o.measure = Some(v.clone()),
            "--prototypes-per-class" => o.per_class = count(v, flag)?,
            "--restarts" => o.restarts = Some(count(v, flag)?),
            "--seed" => o.seed = v.parse().map_err(|_| format!("--seed {v:?}: expected a whole number >= 0"))?,
            "--precision" => {
                o.f32 = match v.as_str() {
                    "f32" => true,
                    "f64" => false,
                    _ => return Err(format!("--precision {v:?}: expected f32 or f64")),
                }
            }
            "--search" => {
                o.search = Some(match v.as_str() {
                    "exhaustive" => Search::Exhaustive,
                    "linearised" => Search::Linearised { checked: 8 },
                    "candidate-major" => Search::CandidateMajor,
                    _ => return Err(format!("--search {v:?}: expected exhaustive, linearised or candidate-major")),
                })
            }
            _ => return Err(format!("unknown option {flag:?} (see --help)")),
        }
    }
    match (&o.data, &o.matrix, &o.labels) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(o),
        (None, Some(_), None) => Err("--matrix needs --labels FILE.txt (one label per line)".into()),
        _ => Err("pass either --data FILE, or --matrix FILE.npy with --labels FILE.txt".into()),
    }
}

/// What this rank trains on.
enum Source<F: Float> {
    Shard(ColumnShard<F>),
    Matrix(Precomputed<'static, F>),
    Vectors(faer::Mat<F>),
    Words(Vec<Vec<char>>),
}

fn levenshtein<F: Float>(a: &Vec<char>, b: &Vec<char>) -> F {
    F::from_usize(strsim::generic_levenshtein(a, b))
}

/// The labels and this rank's source (the whole matrix with `--single`).
fn load<F: Float>(o: &Options, comm: &dyn Communicator) -> Result<(Vec<String>, Source<F>), Error> {
    let file = |path: &PathBuf, message: String| Error::File { path: path.display().to_string(), message };
    let keep = |m: Precomputed<'static, F>| -> Result<Source<F>, Error> {
        if o.single { Ok(Source::Matrix(m)) } else { Ok(Source::Shard(ColumnShard::from_matrix(m.as_ref(), comm)?)) }
    };
    if let (Some(matrix), Some(labels)) = (&o.matrix, &o.labels) {
        let text = std::fs::read_to_string(labels).map_err(|e| file(labels, e.to_string()))?;
        let labels: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        let shard = ColumnShard::read_npy(matrix, comm).map_err(|e| match e {
            Error::File { .. } => e,
            e => file(matrix, e.to_string()),
        })?;
        if shard.len() != labels.len() {
            return Err(file(
                matrix,
                format!("{} objects but {} labels in the labels file; give one label per row", shard.len(), labels.len()),
            ));
        }
        return Ok((labels, Source::Shard(shard)));
    }
    let Some(path) = &o.data else { return Err(file(&PathBuf::new(), "no input".into())) };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let input = match o.input {
        Some(i) => i,
        None if name.ends_with(".similarity.csv") => Input::Similarity,
        None if name.ends_with(".dissimilarity.csv") => Input::Dissimilarity,
        None if name.ends_with(".vectors.csv") => Input::Vectors,
        None if name.ends_with(".tsv") => Input::Words,
        None => return Err(file(path, "cannot tell the kind of file: pass --input similarity|dissimilarity|vectors|words".into())),
    };
    if input == Input::Words {
        let (labels, words) = common::read_words(path).map_err(|e| file(path, e))?;
        return Ok((labels, Source::Words(words.iter().map(|w| w.chars().collect()).collect())));
    }
    let (labels, rows) = common::read_label_first_csv(path).map_err(|e| file(path, e))?;
    let (n, m) = (rows.len(), rows.first().map_or(0, Vec::len));
    let table = faer::Mat::from_fn(n, m, |i, j| F::from_f64(rows[i][j]));
    let at = |e: Error| file(path, e.to_string());
    let source = match (input, o.measure.as_deref()) {
        (Input::Vectors, None | Some("squared-euclidean") | Some("precomputed")) => {
            let x = if o.standardize {
                let all: Vec<usize> = (0..n).collect();
                Standardizer::fit(table.as_ref(), &all).and_then(|s| s.transform(table.as_ref())).map_err(at)?
            } else {
                table
            };
            SquaredEuclidean::from_ref(x.as_ref()).map_err(at)?;
            if o.measure.as_deref() == Some("precomputed") {
                keep(Precomputed::squared_euclidean(x.as_ref()).map_err(at)?)?
            } else {
                Source::Vectors(x)
            }
        }
        (Input::Vectors, Some(v)) => {
            return Err(file(path, format!("--dissimilarity {v:?}: for vectors expected squared-euclidean or precomputed")));
        }
        _ if m != n => return Err(file(path, format!("{n} rows of {m} values; a (dis)similarity file needs n values per row"))),
        (Input::Similarity, None | Some("one-minus")) => keep(Precomputed::from_similarity(table.as_ref()).map_err(at)?)?,
        (Input::Similarity, Some("kernel")) => keep(Precomputed::from_similarity_kernel(table.as_ref()).map_err(at)?)?,
        (Input::Similarity, Some(v)) => {
            return Err(file(path, format!("--dissimilarity {v:?}: for similarity input expected one-minus or kernel")));
        }
        _ => keep(Precomputed::new(table).map_err(at)?)?,
    };
    Ok((labels, source))
}

/// Counts the bytes this rank receives from collective calls.
struct Counted<'a> {
    inner: &'a dyn Communicator,
    bytes: AtomicUsize,
}

impl Counted<'_> {
    fn add(&self, bytes: usize) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

impl Communicator for Counted<'_> {
    fn rank(&self) -> usize {
        self.inner.rank()
    }
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn all_gather_f64(&self, local: &[f64]) -> Vec<f64> {
        let all = self.inner.all_gather_f64(local);
        self.add(8 * (all.len() - local.len()));
        all
    }
    fn all_gather_u64(&self, local: &[u64]) -> Vec<u64> {
        let all = self.inner.all_gather_u64(local);
        self.add(8 * (all.len() - local.len()));
        all
    }
    fn broadcast_f64(&self, root: usize, buf: &mut [f64]) {
        if self.rank() != root {
            self.add(8 * buf.len());
        }
        self.inner.broadcast_f64(root, buf);
    }
}

/// The seconds of each sweep, and the bytes received during each.
struct SweepClock<'a> {
    /// The time and the bytes received at the start of the sweep.
    last: Mutex<(Instant, usize)>,
    sweeps: Mutex<Vec<(f64, usize)>>,
    bytes: &'a AtomicUsize,
}

impl<F: Float> Observer<F> for SweepClock<'_> {
    fn observe(&self, p: &Progress<F>) -> ControlFlow<()> {
        if matches!(p.event, ProgressEvent::Started | ProgressEvent::Sweep)
            && let (Ok(mut last), Ok(mut sweeps)) = (self.last.lock(), self.sweeps.lock())
        {
            let now = (Instant::now(), self.bytes.load(Ordering::Relaxed));
            if p.event == ProgressEvent::Sweep {
                sweeps.push(((now.0 - last.0).as_secs_f64(), now.1 - last.1));
            }
            *last = now;
        }
        ControlFlow::Continue(())
    }
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kib.map_or(f64::NAN, |k| k / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() { f64::NAN } else { v[v.len() / 2] }
}

fn run<F: Float>(o: &Options, comm: &dyn Communicator) -> Result<(), Error> {
    let counted = Counted { inner: comm, bytes: AtomicUsize::new(0) };
    let (labels, source) = agree(comm, load::<F>(o, &counted))?;
    let mut params = MedianLvqParams::<F>::new().prototypes_per_class(o.per_class).seed(o.seed);
    if let Some(r) = o.restarts {
        params = params.n_init(r);
    }
    if let Some(s) = o.search {
        params = params.search(s);
    }
    let params = agree(comm, params.check())?;
    let clock = SweepClock { last: Mutex::new((Instant::now(), 0)), sweeps: Mutex::new(Vec::new()), bytes: &counted.bytes };
    let started = Instant::now();
    let fit = |d: &dyn Dissimilarity<F>| {
        if o.single { params.fit_observed(&d, &labels, &clock) } else { params.fit_distributed_observed(&counted, &d, &labels, &clock) }
    };
    let model = match &source {
        Source::Shard(d) => fit(d)?,
        Source::Matrix(d) => fit(d)?,
        Source::Vectors(x) => fit(&SquaredEuclidean::from_ref(x.as_ref())?)?,
        Source::Words(words) => fit(&FunctionSource::new(words, levenshtein::<F>))?,
    };
    let seconds = started.elapsed().as_secs_f64();
    let sweeps = clock.sweeps.lock().map(|s| s.clone()).unwrap_or_default();
    let per_sweep = median(sweeps.iter().map(|s| s.0).collect());
    let traffic = median(sweeps.iter().map(|s| s.1 as f64).collect());
    // Every rank's figures, printed by rank 0 in rank order.
    let mine = [peak_mib(), seconds, per_sweep, traffic];
    let all = if o.single { mine.to_vec() } else { comm.all_gather_f64(&mine) };
    if comm.rank() == 0 || o.single {
        let ranks = if o.single { 1 } else { comm.size() };
        for (r, f) in all.chunks(4).enumerate() {
            println!(
                "rank {r}/{ranks}: peak_memory={:.1} MiB fit_seconds={:.3} seconds_per_sweep={:.4} received_per_sweep={:.1} KiB",
                f[0],
                f[1],
                f[2],
                f[3] / 1024.0
            );
        }
        let mut protos = model.prototype_indices().to_vec();
        protos.sort_unstable();
        let list: Vec<String> = protos.iter().map(usize::to_string).collect();
        let cost = model.cost_history().last().copied().unwrap_or(f64::NAN);
        println!("prototypes={} cost={cost:.9e} sweeps={}", list.join(","), model.sweeps());
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return;
    }
    let options = parse(&args);
    // `--single` runs without MPI; every other run is one rank of a job (a run
    // without mpirun is a job of one rank).
    let single = options.as_ref().is_ok_and(|o| o.single);
    let world = if single { None } else { Some(Mpi::world()) };
    let result = match (&options, &world) {
        (Err(e), _) => Err(e.clone()),
        (Ok(_), Some(Err(e))) => Err(e.to_string()),
        (Ok(o), Some(Ok(comm))) => if o.f32 { run::<f32>(o, comm) } else { run::<f64>(o, comm) }.map_err(|e| e.to_string()),
        (Ok(o), None) => {
            let local = median_lvq::distributed::Local;
            if o.f32 { run::<f32>(o, &local) } else { run::<f64>(o, &local) }.map_err(|e| e.to_string())
        }
    };
    let rank = match &world {
        Some(Ok(comm)) => comm.rank(),
        _ => 0,
    };
    // MPI is finalised (the world dropped) before exiting.
    drop(world);
    if let Err(message) = result {
        if rank == 0 {
            eprintln!("error: {message}");
        }
        std::process::exit(2);
    }
}
