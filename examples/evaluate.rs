//! Scores median GLVQ on a label-first data file over repeated stratified shuffle
//! splits. Test objects are classified from their dissimilarities to the prototypes
//! only.
//!
//! ```text
//! cargo run --release --example evaluate -- --data ../shared/data/aural_sonar.similarity.csv \
//!     --input similarity --dissimilarity one-minus --prototypes-per-class 2
//! ```
//!
//! Flags (defaults in brackets):
//! * `--data PATH` [`../shared/data/iris.vectors.csv`]
//! * `--input similarity|dissimilarity|vectors|words` [from the file name:
//!   `*.similarity.csv`, `*.dissimilarity.csv`, `*.vectors.csv`, `*.tsv`]
//! * `--dissimilarity one-minus|kernel` (similarity) [one-minus];
//!   `squared-euclidean|precomputed` (vectors) [squared-euclidean]; `levenshtein`
//!   (words) [levenshtein]; ignored for dissimilarity input
//! * `--standardize` (vectors: z-score with the training part's mean and deviation)
//! * `--prototypes-per-class K` [1], `--splits S` [20], `--test-fraction f` [0.2],
//!   `--seed s` [0]
//! * `--precision f32|f64` [f64], `--search exhaustive|linearised` [chosen per
//!   source], `--transfer identity|sigmoid:BETA|log-likelihood` [identity]
//! * `--progress`: report training progress on stderr (at most one line a second)
//!
//! Prints one line per split, then `accuracy=<mean> std=<std> fit_seconds_median=<s>
//! sweeps_median=<k>` (std: sample standard deviation over the splits). Any problem
//! with the file or the flags ends with a one-line message and exit code 2.

mod common;

use faer::Mat;
use median_lvq::{
    Dissimilarity, Float, FunctionSource, MedianLvqParams, Observer, Precomputed, Progress, Search, SquaredEuclidean, Standardizer,
    StderrProgress, Subset, Transfer, accuracy, stratified_splits,
};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Input {
    Similarity,
    Dissimilarity,
    Vectors,
    Words,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Measure {
    OneMinus,
    Kernel,
    SquaredEuclidean,
    PrecomputedEuclidean,
    Levenshtein,
    /// The file holds dissimilarities.
    AsGiven,
}

#[derive(Debug, Clone)]
struct Options {
    data: PathBuf,
    input: Input,
    measure: Measure,
    standardize: bool,
    per_class: usize,
    splits: usize,
    test_fraction: f64,
    seed: u64,
    f32: bool,
    search: Option<Search>,
    transfer: String,
    progress: bool,
}

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let o = parse(std::env::args().skip(1).collect())?;
    let results = if o.f32 { evaluate::<f32>(&o)? } else { evaluate::<f64>(&o)? };
    let accs: Vec<f64> = results.iter().map(|r| r.0).collect();
    let mean = accs.iter().sum::<f64>() / accs.len() as f64;
    let std = if accs.len() > 1 { (accs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (accs.len() - 1) as f64).sqrt() } else { 0.0 };
    let seconds = median(results.iter().map(|r| r.1).collect());
    let sweeps = median(results.iter().map(|r| r.2 as f64).collect());
    println!("accuracy={mean:.4} std={std:.4} fit_seconds_median={seconds:.4} sweeps_median={sweeps}");
    Ok(())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut data = None;
    let mut input = None;
    let mut measure = None;
    let mut standardize = false;
    let mut progress = false;
    let (mut per_class, mut splits, mut test_fraction, mut seed) = (1, 20, 0.2, 0);
    let mut f32 = false;
    let mut search = None;
    let mut transfer = "identity".to_string();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--standardize" || flag == "--progress" {
            standardize |= flag == "--standardize";
            progress |= flag == "--progress";
            continue;
        }
        let value = |it: &mut std::vec::IntoIter<String>| it.next().ok_or(format!("flag {flag} needs a value"));
        let number = |v: String, what: &str| -> Result<f64, String> {
            v.parse::<f64>()
                .map_err(|_| format!("{flag} {v:?}: expected {what}"))
                .and_then(|x| if x.is_finite() { Ok(x) } else { Err(format!("{flag} {v:?}: expected {what}")) })
        };
        let count = |v: String| -> Result<usize, String> {
            v.parse::<usize>().ok().filter(|&k| k >= 1).ok_or(format!("{flag} {v:?}: expected a whole number >= 1"))
        };
        match flag.as_str() {
            "--data" => data = Some(PathBuf::from(value(&mut it)?)),
            "--input" => {
                input = Some(match value(&mut it)?.as_str() {
                    "similarity" => Input::Similarity,
                    "dissimilarity" => Input::Dissimilarity,
                    "vectors" => Input::Vectors,
                    "words" => Input::Words,
                    v => return Err(format!("--input {v:?}: expected similarity, dissimilarity, vectors or words")),
                })
            }
            "--dissimilarity" => measure = Some(value(&mut it)?),
            "--prototypes-per-class" => per_class = count(value(&mut it)?)?,
            "--splits" => splits = count(value(&mut it)?)?,
            "--test-fraction" => test_fraction = number(value(&mut it)?, "a fraction strictly between 0 and 1")?,
            "--seed" => {
                let v = value(&mut it)?;
                seed = v.parse::<u64>().map_err(|_| format!("--seed {v:?}: expected a whole number >= 0"))?;
            }
            "--precision" => {
                f32 = match value(&mut it)?.as_str() {
                    "f32" => true,
                    "f64" => false,
                    v => return Err(format!("--precision {v:?}: expected f32 or f64")),
                }
            }
            "--search" => {
                search = Some(match value(&mut it)?.as_str() {
                    "exhaustive" => Search::Exhaustive,
                    "linearised" => Search::Linearised { checked: 8 },
                    v => return Err(format!("--search {v:?}: expected exhaustive or linearised")),
                })
            }
            "--transfer" => transfer = value(&mut it)?,
            other => {
                return Err(format!(
                    "unknown flag {other:?} (flags: --data --input --dissimilarity --standardize --prototypes-per-class --splits --test-fraction --seed --precision --search --transfer --progress)"
                ));
            }
        }
    }
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(format!("--test-fraction {test_fraction}: expected a fraction strictly between 0 and 1"));
    }
    let data = data.unwrap_or_else(|| common::shared_data("iris.vectors.csv"));
    if !data.is_file() {
        return Err(format!(
            "no data file at {} (pass --data PATH; the default lives in ../shared/data beside the repository)",
            data.display()
        ));
    }
    let input = match input {
        Some(i) => i,
        None => {
            let name = data.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".similarity.csv") {
                Input::Similarity
            } else if name.ends_with(".dissimilarity.csv") {
                Input::Dissimilarity
            } else if name.ends_with(".vectors.csv") {
                Input::Vectors
            } else if name.ends_with(".tsv") {
                Input::Words
            } else {
                return Err(format!("cannot tell the kind of {}: pass --input similarity|dissimilarity|vectors|words", data.display()));
            }
        }
    };
    let measure = match (input, measure.as_deref()) {
        (Input::Dissimilarity, _) => Measure::AsGiven,
        (Input::Similarity, None | Some("one-minus")) => Measure::OneMinus,
        (Input::Similarity, Some("kernel")) => Measure::Kernel,
        (Input::Vectors, None | Some("squared-euclidean")) => Measure::SquaredEuclidean,
        (Input::Vectors, Some("precomputed")) => Measure::PrecomputedEuclidean,
        (Input::Words, None | Some("levenshtein")) => Measure::Levenshtein,
        (Input::Similarity, Some(v)) => return Err(format!("--dissimilarity {v:?}: for similarity input expected one-minus or kernel")),
        (Input::Vectors, Some(v)) => return Err(format!("--dissimilarity {v:?}: for vectors expected squared-euclidean or precomputed")),
        (Input::Words, Some(v)) => return Err(format!("--dissimilarity {v:?}: for words expected levenshtein")),
    };
    Ok(Options { data, input, measure, standardize, per_class, splits, test_fraction, seed, f32, search, transfer, progress })
}

fn transfer<F: Float>(spec: &str) -> Result<Transfer<F>, String> {
    match spec {
        "identity" => Ok(Transfer::Identity),
        "log-likelihood" => Ok(Transfer::LogLikelihood),
        _ => match spec.strip_prefix("sigmoid:").map(str::parse::<f64>) {
            Some(Ok(beta)) => Ok(Transfer::Sigmoid { beta: F::from_f64(beta) }),
            _ => Err(format!("--transfer {spec:?}: expected identity, sigmoid:BETA (a positive number) or log-likelihood")),
        },
    }
}

/// What the file holds, converted for the chosen precision.
enum Objects<F: Float> {
    Matrix(Precomputed<'static, F>),
    Vectors(Mat<F>),
    Words(Vec<Vec<char>>),
}

/// Per split: (accuracy, fit seconds, sweeps).
fn evaluate<F: Float>(o: &Options) -> Result<Vec<(f64, f64, usize)>, String> {
    let (labels, objects) = load::<F>(o)?;
    let mut params = MedianLvqParams::<F>::new().prototypes_per_class(o.per_class).transfer(transfer(&o.transfer)?).seed(o.seed);
    if let Some(s) = o.search {
        params = params.search(s);
    }
    let params = params.check().map_err(|e| e.to_string())?;
    let splits = stratified_splits(&labels, o.splits, o.test_fraction, o.seed).map_err(|e| e.to_string())?;
    let report = StderrProgress::new(Duration::from_secs(1));
    let quiet = |_: &Progress<F>| ControlFlow::Continue(());
    let observer: &dyn Observer<F> = if o.progress { &report } else { &quiet };
    let levenshtein = |a: &Vec<char>, b: &Vec<char>| F::from_usize(common::levenshtein(a, b));
    let mut results = Vec::with_capacity(splits.len());
    for (s, split) in splits.iter().enumerate() {
        let train_labels: Vec<&String> = split.train.iter().map(|&i| &labels[i]).collect();
        let truth: Vec<&String> = split.test.iter().map(|&i| &labels[i]).collect();
        // Each arm trains on a view of the training objects and returns the test
        // objects' dissimilarities to the prototypes (as parent indices).
        let (model, seconds, to_protos) = match &objects {
            Objects::Matrix(d) => {
                let train = Subset::new(d, split.train.clone()).map_err(|e| e.to_string())?;
                let (model, seconds) = timed(|| params.fit_observed(&train, &train_labels, observer))?;
                let protos: Vec<usize> = model.prototypes().iter().map(|&p| split.train[p]).collect();
                let mut m = Mat::zeros(split.test.len(), protos.len());
                for (r, &i) in split.test.iter().enumerate() {
                    for (k, &p) in protos.iter().enumerate() {
                        m[(r, k)] = d.d(i, p).map_err(|e| e.to_string())?;
                    }
                }
                (model, seconds, m)
            }
            Objects::Vectors(x) => {
                let z = if o.standardize {
                    let st = Standardizer::fit(x.as_ref(), &split.train).map_err(|e| e.to_string())?;
                    st.transform(x.as_ref()).map_err(|e| e.to_string())?
                } else {
                    x.clone()
                };
                let test_rows = Mat::from_fn(split.test.len(), z.ncols(), |r, j| z[(split.test[r], j)]);
                let vectors = SquaredEuclidean::from_ref(z.as_ref()).map_err(|e| e.to_string())?;
                if o.measure == Measure::PrecomputedEuclidean {
                    let d = Precomputed::squared_euclidean(z.as_ref()).map_err(|e| e.to_string())?;
                    let train = Subset::new(&d, split.train.clone()).map_err(|e| e.to_string())?;
                    let (model, seconds) = timed(|| params.fit_observed(&train, &train_labels, observer))?;
                    let protos: Vec<usize> = model.prototypes().iter().map(|&p| split.train[p]).collect();
                    (model, seconds, vectors.dissimilarities_to(test_rows.as_ref(), &protos).map_err(|e| e.to_string())?)
                } else {
                    let train = Subset::new(&vectors, split.train.clone()).map_err(|e| e.to_string())?;
                    let (model, seconds) = timed(|| params.fit_observed(&train, &train_labels, observer))?;
                    let protos: Vec<usize> = model.prototypes().iter().map(|&p| split.train[p]).collect();
                    (model, seconds, vectors.dissimilarities_to(test_rows.as_ref(), &protos).map_err(|e| e.to_string())?)
                }
            }
            Objects::Words(words) => {
                // Columns are re-read across restarts: keep as many as 512 MiB allows
                // (all of them for the 2000 shipped words: 32 MB) instead of
                // recomputing edit distances.
                let columns = ((512usize << 20) / (words.len().max(1) * std::mem::size_of::<F>())).clamp(1, words.len());
                let source = FunctionSource::new(words, levenshtein).with_cache(columns);
                let train = Subset::new(&source, split.train.clone()).map_err(|e| e.to_string())?;
                let (model, seconds) = timed(|| params.fit_observed(&train, &train_labels, observer))?;
                let protos: Vec<usize> = model.prototypes().iter().map(|&p| split.train[p]).collect();
                let test_words: Vec<Vec<char>> = split.test.iter().map(|&i| words[i].clone()).collect();
                (model, seconds, source.dissimilarities_to(&test_words, &protos).map_err(|e| e.to_string())?)
            }
        };
        let predicted = model.predict(to_protos.as_ref()).map_err(|e| e.to_string())?;
        let acc = accuracy(&predicted.labels, &truth).map_err(|e| e.to_string())?;
        println!(
            "split={s} accuracy={acc:.4} fit_seconds={seconds:.4} sweeps={} jumps={} cost={:.6} search={:?}",
            model.sweeps(),
            model.jumps(),
            model.cost().as_f64(),
            model.search()
        );
        results.push((acc, seconds, model.sweeps()));
    }
    Ok(results)
}

fn timed<T>(fit: impl FnOnce() -> Result<T, median_lvq::Error>) -> Result<(T, f64), String> {
    let start = Instant::now();
    let model = fit().map_err(|e| e.to_string())?;
    Ok((model, start.elapsed().as_secs_f64()))
}

fn load<F: Float>(o: &Options) -> Result<(Vec<String>, Objects<F>), String> {
    let at = |e: median_lvq::Error| format!("{}: {e}", o.data.display());
    if o.input == Input::Words {
        let (labels, words) = common::read_words(&o.data)?;
        return Ok((labels, Objects::Words(words.iter().map(|w| w.chars().collect()).collect())));
    }
    let (labels, rows) = common::read_label_first_csv(&o.data)?;
    let (n, m) = (rows.len(), rows[0].len());
    let table = Mat::from_fn(n, m, |i, j| F::from_f64(rows[i][j]));
    let objects = match o.input {
        Input::Vectors => {
            SquaredEuclidean::from_ref(table.as_ref()).map_err(at)?; // validates: finite
            Objects::Vectors(table)
        }
        _ if m != n => {
            return Err(format!("{}: {n} rows of {m} values; a (dis)similarity file needs n values per row (n x n)", o.data.display()));
        }
        Input::Similarity if o.measure == Measure::Kernel => {
            Objects::Matrix(Precomputed::from_similarity_kernel(table.as_ref()).map_err(at)?)
        }
        Input::Similarity => Objects::Matrix(Precomputed::from_similarity(table.as_ref()).map_err(at)?),
        _ => Objects::Matrix(Precomputed::new(table).map_err(at)?),
    };
    Ok((labels, objects))
}
