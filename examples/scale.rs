//! Fit time on a generated problem, next to the time to stream the data once.
//!
//! ```text
//! cargo run --release --example scale -- --n 200000 --p 32 --classes 10 --k 3 --source vectors
//! cargo run --release --example scale -- --n 10000 --source matrix --precision f32 --threads 1
//! ```
//! Flags (defaults in brackets): `--n` [10000], `--p` features [32], `--classes` [10],
//! `--k` prototypes per class [3], `--source vectors|matrix` [vectors],
//! `--precision f32|f64` [f64], `--search exhaustive|linearised|candidate-major` and
//! `--candidates receptive-field|whole-class` [the library's defaults], `--threads T`
//! [all], `--seed` [0], `--progress`
//! (training progress on stderr, one line a second at most), `--npy DIR` (matrix
//! source: also write `DIR/D.npy` and `DIR/y.npy` for a side-by-side run of
//! another implementation on the very same matrix).
//!
//! Prints n, K, the fit time, the time to the initial prototypes, sweeps and the
//! median time of a sweep (from the observer), and the time to read the source's
//! data once (the `n × n` matrix, or the `n × p` vectors) with a plain SIMD sum on
//! every thread and on one — measured in this process — with the ratio of the
//! median sweep to the all-threads read, the memory-bandwidth bound of a sweep; and
//! the fit's peak resident memory beyond the data it was given (Linux).

use faer::Mat;
use median_lvq::{
    Dissimilarity, Float, MedianLvqParams, Observer, Precomputed, Progress, ProgressEvent, SquaredEuclidean, StderrProgress, accuracy,
};
use std::hint::black_box;
use std::time::Instant;

struct Options {
    n: usize,
    p: usize,
    classes: usize,
    k: usize,
    matrix: bool,
    f32: bool,
    threads: usize,
    seed: u64,
    progress: bool,
    npy: Option<std::path::PathBuf>,
    search: Option<median_lvq::Search>,
    candidates: Option<median_lvq::Candidates>,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        n: 10_000,
        p: 32,
        classes: 10,
        k: 3,
        matrix: false,
        f32: false,
        threads: 0,
        seed: 0,
        progress: false,
        npy: None,
        search: None,
        candidates: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--progress" {
            o.progress = true;
            continue;
        }
        let v = args.next().ok_or(format!("flag {flag} needs a value"))?;
        let count = || v.parse::<usize>().ok().filter(|&x| x >= 1).ok_or(format!("{flag} {v:?}: expected a whole number >= 1"));
        match flag.as_str() {
            "--n" => o.n = count()?,
            "--p" => o.p = count()?,
            "--classes" => o.classes = count()?,
            "--k" => o.k = count()?,
            "--threads" => o.threads = count()?,
            "--npy" => o.npy = Some(std::path::PathBuf::from(&v)),
            "--seed" => o.seed = v.parse().map_err(|_| format!("--seed {v:?}: expected a whole number"))?,
            "--source" => {
                o.matrix = match v.as_str() {
                    "matrix" => true,
                    "vectors" => false,
                    _ => return Err(format!("--source {v:?}: expected vectors or matrix")),
                }
            }
            "--search" => {
                o.search = Some(match v.as_str() {
                    "exhaustive" => median_lvq::Search::Exhaustive,
                    "linearised" => median_lvq::Search::Linearised { checked: 8 },
                    "candidate-major" => median_lvq::Search::CandidateMajor,
                    _ => return Err(format!("--search {v:?}: expected exhaustive, linearised or candidate-major")),
                })
            }
            "--candidates" => {
                o.candidates = Some(match v.as_str() {
                    "receptive-field" => median_lvq::Candidates::ReceptiveField,
                    "whole-class" => median_lvq::Candidates::WholeClass,
                    _ => return Err(format!("--candidates {v:?}: expected receptive-field or whole-class")),
                })
            }
            "--precision" => {
                o.f32 = match v.as_str() {
                    "f32" => true,
                    "f64" => false,
                    _ => return Err(format!("--precision {v:?}: expected f32 or f64")),
                }
            }
            _ => {
                return Err(format!(
                    "unknown flag {flag:?} (flags: --n --p --classes --k --source --precision --search --candidates --threads --seed --progress --npy)"
                ));
            }
        }
    }
    Ok(o)
}

fn run() -> Result<(), String> {
    let o = parse()?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(o.threads).build().map_err(|e| e.to_string())?;
    pool.install(|| if o.f32 { fit::<f32>(&o) } else { fit::<f64>(&o) })
}

/// `n` points around `classes` centres in `p` dimensions, from a seeded LCG.
fn blobs<F: Float>(o: &Options) -> (Mat<F>, Vec<usize>) {
    let mut s = o.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x2545_F491_4F6C_DD1D;
    let mut r = move || {
        s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let centres: Vec<Vec<f64>> = (0..o.classes).map(|_| (0..o.p).map(|_| 2.0 * r()).collect()).collect();
    let y: Vec<usize> = (0..o.n).map(|i| i % o.classes).collect();
    let x = Mat::from_fn(o.n, o.p, |i, j| F::from_f64(centres[y[i]][j] + 1.5 * (r() + r() + r())));
    (x, y)
}

/// Seconds to read every entry of `m` once (best of 3), summing so that it is not
/// elided: on one thread, and with the columns split over every thread of the pool
/// (the bound for a sweep, which uses them all).
fn stream_seconds<F: Float>(m: faer::MatRef<'_, F>) -> (f64, f64) {
    use rayon::prelude::*;
    let column = |j: usize| {
        let col = m.col(j);
        match col.try_as_col_major() {
            Some(col) => pulp::Arch::new().dispatch(Sum(col.as_slice())),
            None => col.iter().fold(F::zero(), |a, &b| a + b),
        }
    };
    let best = |read: &dyn Fn() -> F| {
        (0..3)
            .map(|_| {
                let start = Instant::now();
                black_box(read());
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let one = best(&|| (0..m.ncols()).map(column).fold(F::zero(), |a, b| a + b));
    let all = best(&|| (0..m.ncols()).into_par_iter().map(column).reduce(F::zero, |a, b| a + b));
    (one, all)
}

/// A sum in 64 independent lanes, compiled for the CPU's SIMD instruction set: as
/// fast as memory delivers (fewer lanes leave f32 bound by add latency).
struct Sum<'a, F>(&'a [F]);

impl<F: Float> pulp::WithSimd for Sum<'_, F> {
    type Output = F;
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> F {
        let mut lanes = [F::zero(); 64];
        let chunks = self.0.chunks_exact(64);
        for &v in chunks.remainder() {
            lanes[0] += v;
        }
        for c in chunks {
            for (l, &v) in lanes.iter_mut().zip(c) {
                *l += v;
            }
        }
        lanes.iter().fold(F::zero(), |a, &b| a + b)
    }
}

fn fit<F: Float>(o: &Options) -> Result<(), String> {
    let (x, y) = blobs::<F>(o);
    // One fit (no restarts), so that a sweep means one sweep of one run.
    let mut params = MedianLvqParams::<F>::new().prototypes_per_class(o.k).n_init(1);
    if let Some(s) = o.search {
        params = params.search(s);
    }
    if let Some(c) = o.candidates {
        params = params.candidates(c);
    }
    let report = StderrProgress::new(std::time::Duration::from_secs(1));
    // Elapsed time at the start of training (after the initial prototypes) and at
    // the end of every sweep.
    let marks = std::sync::Mutex::new(Vec::new());
    let observer = |p: &Progress<F>| {
        if matches!(p.event, ProgressEvent::Started | ProgressEvent::Sweep)
            && let Ok(mut marks) = marks.lock()
        {
            marks.push(p.elapsed.as_secs_f64());
        }
        if o.progress { report.observe(p) } else { std::ops::ControlFlow::Continue(()) }
    };
    // Fit, then the training accuracy (outside the timing).
    // Peak resident memory of the fit beyond what the process held before it
    // (the data): the high-water mark is reset first (Linux; "n/a" elsewhere).
    let fit_memory = std::cell::Cell::new(None);
    let timed = |source: &dyn Dissimilarity<F>| -> Result<_, String> {
        let before = reset_peak_rss();
        let start = Instant::now();
        let model = params.check().map_err(|e| e.to_string())?.fit_observed(source, &y, &observer).map_err(|e| e.to_string())?;
        let seconds = start.elapsed().as_secs_f64();
        fit_memory.set(before.zip(status_kib("VmHWM")).map(|(b, peak)| peak.saturating_sub(b)));
        let all: Vec<usize> = (0..source.len()).collect();
        let predicted = model.predict_objects(source, &all).map_err(|e| e.to_string())?;
        let train_accuracy = accuracy(&predicted.labels, &y).map_err(|e| e.to_string())?;
        Ok(((model, train_accuracy), seconds))
    };
    let (((model, train_accuracy), seconds), (stream_one, stream)) = if o.matrix {
        let start = Instant::now();
        let d = Precomputed::squared_euclidean(x.as_ref()).map_err(|e| e.to_string())?;
        println!("built the {} x {} matrix in {:.2} s", o.n, o.n, start.elapsed().as_secs_f64());
        if let Some(dir) = &o.npy {
            write_npy(
                &dir.join("D.npy"),
                "<f8",
                &[o.n, o.n],
                &mut d.as_ref().col_iter().flat_map(|c| c.iter().map(|v| v.as_f64().to_le_bytes()).collect::<Vec<_>>()),
            )?;
            write_npy(&dir.join("y.npy"), "<i8", &[o.n], &mut y.iter().map(|&l| (l as i64).to_le_bytes()))?;
            println!("wrote {}/D.npy and y.npy", dir.display());
        }
        (timed(&d)?, stream_seconds(d.as_ref()))
    } else {
        (timed(&SquaredEuclidean::from_ref(x.as_ref()).map_err(|e| e.to_string())?)?, stream_seconds(x.as_ref()))
    };
    let marks = marks.into_inner().map_err(|e| e.to_string())?;
    let init = marks.first().copied().unwrap_or(0.0);
    let mut sweeps: Vec<f64> = marks.windows(2).map(|w| w[1] - w[0]).collect();
    sweeps.sort_by(f64::total_cmp);
    // Sweeps include their jumps' E-steps; the median is typical, the last the lightest.
    let median = sweeps.get(sweeps.len() / 2).copied().unwrap_or(f64::NAN);
    println!(
        "n={} p={} K={} source={} precision={} threads={} search={:?} fit_seconds={seconds:.3} init_seconds={init:.3} \
         sweeps={} jumps={} sweep_seconds_median={median:.4} stream_seconds={stream:.4} stream_seconds_one_thread={stream_one:.4} \
         sweep_over_stream={:.2} termination={:?} train_accuracy={train_accuracy:.4} fit_extra_peak_mib={} cost={:.10e}",
        o.n,
        o.p,
        model.prototype_indices().len(),
        if o.matrix { "matrix" } else { "vectors" },
        if o.f32 { "f32" } else { "f64" },
        rayon::current_num_threads(),
        model.search(),
        model.sweeps(),
        model.jumps(),
        median / stream,
        model.termination(),
        fit_memory.get().map_or("n/a".to_string(), |k| format!("{:.1}", k as f64 / 1024.0)),
        model.cost_history().last().copied().unwrap_or(f64::NAN),
    );
    Ok(())
}

/// A line of `/proc/self/status` in KiB (Linux).
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak-RSS mark (`VmHWM`) to the current RSS; returns the current RSS.
fn reset_peak_rss() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_kib("VmRSS")
}

/// A minimal `.npy` (version 1.0) writer: a header, then the values in Fortran
/// (column-major) order, as faer stores them.
fn write_npy(path: &std::path::Path, descr: &str, shape: &[usize], values: &mut dyn Iterator<Item = [u8; 8]>) -> Result<(), String> {
    use std::io::Write;
    let shape = shape.iter().map(|s| format!("{s},")).collect::<String>();
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': True, 'shape': ({shape}), }}");
    // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let file = std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let len = u16::try_from(header.len()).map_err(|_| "npy header too long".to_string())?;
    let mut write = |b: &[u8]| out.write_all(b).map_err(|e| format!("cannot write {}: {e}", path.display()));
    write(b"\x93NUMPY\x01\x00")?;
    write(&len.to_le_bytes())?;
    write(header.as_bytes())?;
    for v in values {
        write(&v)?;
    }
    out.flush().map_err(|e| format!("cannot write {}: {e}", path.display()))
}
