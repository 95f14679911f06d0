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
//! * `--precision f32|f64` [f64], `--search exhaustive|linearised|candidate-major` [chosen per
//!   source], `--candidates receptive-field|whole-class` [receptive-field],
//!   `--init kmedoids|neural-gas|random` [kmedoids],
//!   `--transfer identity|sigmoid:BETA|log-likelihood` [identity]
//! * `--restarts N` [the library's default: 8 up to 10,000 objects, 1 above]
//! * `--split-file PATH`: the splits to use instead of drawing them, one per line:
//!   the test objects' 0-based row indices separated by spaces (the rest train), so
//!   that a published protocol or another tool's splits are reproduced exactly;
//!   `--splits`, `--test-fraction` and the seed's effect on splits are then unused
//! * `--calibrate`: train on 75 % of each training part, fit the probabilities'
//!   temperature on the other 25 % (`MedianLvq::calibrate`), and report the test
//!   part's log-loss with the per-object default and calibrated
//! * `--plot PATH`: write an SVG map of the last split's training and test objects
//!   and the prototypes, placed from their dissimilarities to the prototypes
//!   (`PrototypeMap`)
//! * `--progress`: report training progress on stderr (at most one line a second)
//! * `--help`: this list
//!
//! Prints one line per split, then `accuracy=<mean> std=<std> fit_seconds_median=<s>
//! sweeps_median=<k>` (std: sample standard deviation over the splits). Any problem
//! with the file or the flags ends with a one-line message and exit code 2.

mod common;

use faer::Mat;
use median_lvq::{
    Candidates, Dissimilarity, Float, FunctionSource, Init, MedianLvqParams, Observer, Precomputed, Progress, PrototypeMap, Search, Split,
    SquaredEuclidean, Standardizer, StderrProgress, Subset, Transfer, accuracy, stratified_splits,
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
    candidates: Option<Candidates>,
    init: Option<Init>,
    transfer: String,
    progress: bool,
    restarts: Option<usize>,
    split_file: Option<PathBuf>,
    calibrate: bool,
    plot: Option<PathBuf>,
}

const HELP: &str = "evaluate: median GLVQ over repeated stratified splits of a label-first data file
flags (defaults in brackets):
  --data PATH                     [../shared/data/iris.vectors.csv]
  --input similarity|dissimilarity|vectors|words   [from the file name]
  --dissimilarity one-minus|kernel (similarity), squared-euclidean|precomputed (vectors), levenshtein (words)
  --standardize                   z-score vectors with the training part's statistics
  --prototypes-per-class K [1]    --splits S [20]    --test-fraction f [0.2]    --seed s [0]
  --restarts N                    [8 up to 10,000 objects, 1 above]
  --split-file PATH               one split per line: the test objects' 0-based row indices
  --precision f32|f64 [f64]       --search exhaustive|linearised|candidate-major [per source]
  --candidates receptive-field|whole-class [receptive-field]
  --init kmedoids|neural-gas|random [kmedoids]
  --transfer identity|sigmoid:BETA|log-likelihood [identity]
  --calibrate                     hold out 25 % of training to fit the temperature; report test log-loss before/after
  --plot PATH                     an SVG map of the last split's objects and prototypes
  --progress                      training progress on stderr
last line: accuracy=<mean> std=<std> fit_seconds_median=<s> sweeps_median=<k>";

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return Ok(());
    }
    let o = parse(args)?;
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
    let mut calibrate = false;
    let mut restarts = None;
    let mut split_file = None;
    let mut plot = None;
    let (mut per_class, mut splits, mut test_fraction, mut seed) = (1, 20, 0.2, 0);
    let mut f32 = false;
    let mut search = None;
    let mut candidates = None;
    let mut init = None;
    let mut transfer = "identity".to_string();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--standardize" || flag == "--progress" || flag == "--calibrate" {
            standardize |= flag == "--standardize";
            progress |= flag == "--progress";
            calibrate |= flag == "--calibrate";
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
            "--restarts" => restarts = Some(count(value(&mut it)?)?),
            "--split-file" => split_file = Some(PathBuf::from(value(&mut it)?)),
            "--plot" => plot = Some(PathBuf::from(value(&mut it)?)),
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
                    "candidate-major" => Search::CandidateMajor,
                    v => return Err(format!("--search {v:?}: expected exhaustive, linearised or candidate-major")),
                })
            }
            "--candidates" => {
                candidates = Some(match value(&mut it)?.as_str() {
                    "receptive-field" => Candidates::ReceptiveField,
                    "whole-class" => Candidates::WholeClass,
                    v => return Err(format!("--candidates {v:?}: expected receptive-field or whole-class")),
                })
            }
            "--init" => {
                init = Some(match value(&mut it)?.as_str() {
                    "kmedoids" => Init::KMedoids { rounds: 10 },
                    "neural-gas" => Init::NeuralGas { epochs: 100 },
                    "random" => Init::StratifiedRandom,
                    v => return Err(format!("--init {v:?}: expected kmedoids, neural-gas or random")),
                })
            }
            "--transfer" => transfer = value(&mut it)?,
            other => {
                return Err(format!(
                    "unknown flag {other:?} (flags: --data --input --dissimilarity --standardize --prototypes-per-class --splits --test-fraction --seed --restarts --split-file --precision --search --candidates --init --transfer --calibrate --plot --progress --help)"
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
    Ok(Options {
        data,
        input,
        measure,
        standardize,
        per_class,
        splits,
        test_fraction,
        seed,
        f32,
        search,
        candidates,
        init,
        transfer,
        progress,
        restarts,
        split_file,
        calibrate,
        plot,
    })
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

/// The splits of `--split-file`: one per non-empty line, the test objects'
/// 0-based indices separated by whitespace; the other objects train.
fn read_splits(path: &std::path::Path, n: usize) -> Result<Vec<Split>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut splits = Vec::new();
    for (line_no, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let at = |what: String| format!("{}:{}: {what}", path.display(), line_no + 1);
        let mut test = line
            .split_whitespace()
            .map(|t| t.parse::<usize>().map_err(|_| at(format!("{t:?} is not a row index (a whole number >= 0)"))))
            .collect::<Result<Vec<usize>, String>>()?;
        test.sort_unstable();
        if let Some(&bad) = test.iter().find(|&&i| i >= n) {
            return Err(at(format!("row index {bad} is out of range: the data file has {n} rows")));
        }
        if let Some(w) = test.windows(2).find(|w| w[0] == w[1]) {
            return Err(at(format!("row index {} is listed twice", w[0])));
        }
        if test.len() == n {
            return Err(at("every row is a test row: nothing is left to train on".into()));
        }
        let mut is_test = vec![false; n];
        test.iter().for_each(|&i| is_test[i] = true);
        let train = (0..n).filter(|&i| !is_test[i]).collect();
        splits.push(Split { train, test });
    }
    if splits.is_empty() {
        return Err(format!("{}: no splits (one line of test row indices per split)", path.display()));
    }
    Ok(splits)
}

/// Per split: (accuracy, fit seconds, sweeps).
fn evaluate<F: Float>(o: &Options) -> Result<Vec<(f64, f64, usize)>, String> {
    let (labels, objects) = load::<F>(o)?;
    let mut params = MedianLvqParams::<F>::new().prototypes_per_class(o.per_class).transfer(transfer(&o.transfer)?).seed(o.seed);
    if let Some(i) = o.init.clone() {
        params = params.init(i);
    }
    if let Some(c) = o.candidates {
        params = params.candidates(c);
    }
    if let Some(s) = o.search {
        params = params.search(s);
    }
    if let Some(r) = o.restarts {
        params = params.n_init(r);
    }
    let params = params.check().map_err(|e| e.to_string())?;
    let splits = match &o.split_file {
        Some(path) => read_splits(path, labels.len())?,
        None => stratified_splits(&labels, o.splits, o.test_fraction, o.seed).map_err(|e| e.to_string())?,
    };
    let report = StderrProgress::new(Duration::from_secs(1));
    let quiet = |_: &Progress<F>| ControlFlow::Continue(());
    let observer: &dyn Observer<F> = if o.progress { &report } else { &quiet };
    let levenshtein = |a: &Vec<char>, b: &Vec<char>| F::from_usize(strsim::generic_levenshtein(a, b));
    let mut results = Vec::with_capacity(splits.len());
    for (s, split) in splits.iter().enumerate() {
        // With --calibrate, a quarter of the training objects (stratified) is held
        // back to fit the temperature on; the model trains on the rest.
        let (train_ids, calib_ids) = if o.calibrate {
            let train_labels: Vec<&String> = split.train.iter().map(|&i| &labels[i]).collect();
            let inner = stratified_splits(&train_labels, 1, 0.25, o.seed.wrapping_add(s as u64)).map_err(|e| e.to_string())?.remove(0);
            (inner.train.iter().map(|&r| split.train[r]).collect(), inner.test.iter().map(|&r| split.train[r]).collect())
        } else {
            (split.train.clone(), Vec::new())
        };
        let train_labels: Vec<&String> = train_ids.iter().map(|&i| &labels[i]).collect();
        let truth: Vec<&String> = split.test.iter().map(|&i| &labels[i]).collect();
        // Each arm trains on a view of the training objects; prototype indices
        // number the objects of the whole file (the view's origin), so held-out
        // objects are predicted from the same source without remapping.
        let fit = |train: &dyn Dissimilarity<F>| timed(|| params.fit_observed(&train, &train_labels, observer));
        // With --plot, the last split's training objects and the prototypes too.
        let plotting = o.plot.is_some() && s + 1 == splits.len();
        let (model, seconds, predicted, calib, seen) = match &objects {
            Objects::Matrix(d) => {
                let (model, seconds) = fit(&Subset::new(d, train_ids.clone()).map_err(|e| e.to_string())?)?;
                let predict = |ids: &[usize]| model.predict_objects(d, ids).map_err(|e| e.to_string());
                let (test, calib) = (predict(&split.test)?, predict(&calib_ids)?);
                let seen = if plotting { Some((predict(&train_ids)?, predict(model.prototype_indices())?)) } else { None };
                (model, seconds, test, calib, seen)
            }
            Objects::Vectors(x) => {
                let z = if o.standardize {
                    let st = Standardizer::fit(x.as_ref(), &train_ids).map_err(|e| e.to_string())?;
                    st.transform(x.as_ref()).map_err(|e| e.to_string())?
                } else {
                    x.clone()
                };
                let vectors = SquaredEuclidean::from_ref(z.as_ref()).map_err(|e| e.to_string())?;
                let (model, seconds) = if o.measure == Measure::PrecomputedEuclidean {
                    let d = Precomputed::squared_euclidean(z.as_ref()).map_err(|e| e.to_string())?;
                    fit(&Subset::new(&d, train_ids.clone()).map_err(|e| e.to_string())?)?
                } else {
                    fit(&Subset::new(&vectors, train_ids.clone()).map_err(|e| e.to_string())?)?
                };
                let predict = |ids: &[usize]| model.predict_objects(&vectors, ids).map_err(|e| e.to_string());
                let (test, calib) = (predict(&split.test)?, predict(&calib_ids)?);
                let seen = if plotting { Some((predict(&train_ids)?, predict(model.prototype_indices())?)) } else { None };
                (model, seconds, test, calib, seen)
            }
            Objects::Words(words) => {
                // Columns are re-read across restarts: keep as many as 512 MiB allows
                // (all of them for the 2000 shipped words: 32 MB) instead of
                // recomputing edit distances.
                let columns = ((512usize << 20) / (words.len().max(1) * std::mem::size_of::<F>())).clamp(1, words.len());
                let source = FunctionSource::new(words, levenshtein).with_cache(columns);
                let (model, seconds) = fit(&Subset::new(&source, train_ids.clone()).map_err(|e| e.to_string())?)?;
                // New words against the prototype words alone.
                let kept = model.with_items(words).map_err(|e| e.to_string())?;
                let predict = |ids: &[usize]| {
                    let new: Vec<Vec<char>> = ids.iter().map(|&i| words[i].clone()).collect();
                    kept.predict_with(&new, levenshtein).map_err(|e| e.to_string())
                };
                let (test, calib) = (predict(&split.test)?, predict(&calib_ids)?);
                let seen = if plotting { Some((predict(&train_ids)?, predict(model.prototype_indices())?)) } else { None };
                (model, seconds, test, calib, seen)
            }
        };
        let acc = accuracy(&predicted.labels, &truth).map_err(|e| e.to_string())?;
        if let (Some(path), Some((train_pred, among))) = (&o.plot, &seen) {
            // Prototypes are named by their word, or by their row in the file.
            let name = |i: usize| match &objects {
                Objects::Words(words) => words[i].iter().collect(),
                _ => format!("#{i}"),
            };
            plot_split(path, &o.data, &model, &labels, (&train_ids, train_pred), (&split.test, &predicted), among, &name)?;
        }
        let calibration = if o.calibrate {
            let mut calibrated = model.clone();
            let calib_truth: Vec<&String> = calib_ids.iter().map(|&i| &labels[i]).collect();
            let c = calibrated.calibrate(calib.dissimilarities.as_ref(), &calib_truth).map_err(|e| e.to_string())?;
            // Held-out log-loss of the per-object default and of the calibrated model.
            let log_loss = |m: &median_lvq::MedianLvq<F, &String>| -> Result<f64, String> {
                let p = m.predict(predicted.dissimilarities.as_ref()).map_err(|e| e.to_string())?.probabilities;
                let sum: f64 = truth
                    .iter()
                    .enumerate()
                    .map(|(r, t)| {
                        let c = m.classes().iter().position(|l| l == t).unwrap_or(0);
                        0.0 - p[(r, c)].as_f64().max(1e-15).ln()
                    })
                    .sum();
                Ok(sum / truth.len() as f64)
            };
            format!(
                " test_log_loss_per_object={:.4} test_log_loss_calibrated={:.4} temperature={:?}",
                log_loss(&model)?,
                log_loss(&calibrated)?,
                c.temperature
            )
        } else {
            String::new()
        };
        println!(
            "split={s} accuracy={acc:.4} fit_seconds={seconds:.4} sweeps={} jumps={} cost={:.6} search={:?}{calibration}",
            model.sweeps(),
            model.jumps(),
            model.cost(),
            model.search()
        );
        results.push((acc, seconds, model.sweeps()));
    }
    Ok(results)
}

/// The map of one split: training and test objects placed from their
/// dissimilarities to the prototypes, misclassified ones ringed.
#[allow(clippy::too_many_arguments)]
fn plot_split<F: Float>(
    path: &std::path::Path,
    data: &std::path::Path,
    model: &median_lvq::MedianLvq<F, &String>,
    labels: &[String],
    (train, train_pred): (&[usize], &median_lvq::Prediction<F, &String>),
    (test, test_pred): (&[usize], &median_lvq::Prediction<F, &String>),
    among: &median_lvq::Prediction<F, &String>,
    name: &dyn Fn(usize) -> String,
) -> Result<(), String> {
    let map = PrototypeMap::new(&among.dissimilarities).map_err(|e| e.to_string())?;
    let class_of = |l: &String| model.classes().iter().position(|c| *c == l).unwrap_or(0);
    let mut points = Vec::new();
    for (objects, p, held_out) in [(train, train_pred, false), (test, test_pred, true)] {
        let xy = map.place(&p.dissimilarities).map_err(|e| e.to_string())?;
        for (r, &i) in objects.iter().enumerate() {
            points.push(common::plot::Point {
                x: xy[(r, 0)].as_f64(),
                y: xy[(r, 1)].as_f64(),
                class: class_of(&labels[i]),
                held_out,
                misclassified: *p.labels[r] != labels[i],
            });
        }
    }
    let prototypes: Vec<common::plot::Proto> = model
        .prototype_indices()
        .iter()
        .enumerate()
        .map(|(k, &i)| common::plot::Proto {
            x: map.prototypes()[(k, 0)].as_f64(),
            y: map.prototypes()[(k, 1)].as_f64(),
            class: class_of(model.prototype_labels()[k]),
            label: name(i),
        })
        .collect();
    let classes: Vec<String> = model.classes().iter().map(|c| c.to_string()).collect();
    let file = data.file_name().and_then(|n| n.to_str()).unwrap_or("data");
    let title = format!("{file}: test objects (full), training objects (pale), prototypes");
    let picture = common::plot::Picture {
        title: &title,
        classes: &classes,
        points: &points,
        prototypes: &prototypes,
        explained: map.explained(),
        negative: map.negative_share(),
        curve: None,
    };
    common::plot::write_svg(path, &picture)
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
