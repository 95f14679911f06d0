//! A user-defined dissimilarity: words of five languages under the edit distance,
//! through the user-function source, with string labels.
//!
//! ```text
//! cargo run --release --example custom_dissimilarity [-- PATH/words.tsv]
//! ```
//! The file has `language<TAB>word` lines (default: `../shared/data/words.tsv`).
//! Prints the prototype words of each language and the held-out accuracy.

mod common;

use median_lvq::{FunctionSource, MedianLvqParams, Subset, accuracy, stratified_splits};
use std::path::PathBuf;

fn main() {
    if let Err(message) = run() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let path = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| common::shared_data("words.tsv"));
    let (languages, words) = common::read_words(&path)?;
    let chars: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();

    // Any `Fn(&T, &T) -> F`: here the edit distance. Columns are computed lazily, in
    // parallel, and kept (bounded cache) because restarts read them again.
    let edit = |a: &Vec<char>, b: &Vec<char>| strsim::generic_levenshtein(a, b) as f64;
    let source = FunctionSource::new(&chars, edit).with_cache(chars.len());

    let split = stratified_splits(&languages, 1, 0.2, 0).map_err(|e| e.to_string())?.remove(0);
    let train = Subset::new(&source, split.train.clone()).map_err(|e| e.to_string())?;
    let labels: Vec<&str> = split.train.iter().map(|&i| languages[i].as_str()).collect();
    let start = std::time::Instant::now();
    let model = MedianLvqParams::new().prototypes_per_class(3).fit(&train, &labels).map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();

    println!(
        "{} words, {} languages; fit on {} in {seconds:.2} s ({} sweeps)",
        words.len(),
        model.classes().len(),
        split.train.len(),
        model.sweeps()
    );
    for language in model.classes() {
        let protos: Vec<&str> = model
            .prototype_indices()
            .iter()
            .zip(model.prototype_labels())
            .filter(|(_, l)| *l == language)
            .map(|(&p, _)| words[p].as_str())
            .collect();
        println!("{language}: {}", protos.join(", "));
    }

    // New words are classified from their edit distances to the prototype words only.
    let test_words: Vec<Vec<char>> = split.test.iter().map(|&i| chars[i].clone()).collect();
    let kept = model.with_items(&chars).map_err(|e| e.to_string())?; // the prototype words alone
    let predicted = kept.predict_with(&test_words, edit).map_err(|e| e.to_string())?;
    let truth: Vec<&str> = split.test.iter().map(|&i| languages[i].as_str()).collect();
    let acc = accuracy(&predicted.labels, &truth).map_err(|e| e.to_string())?;
    println!("held-out accuracy {acc:.3} on {} words (chance {:.3})", truth.len(), 1.0 / model.classes().len() as f64);
    Ok(())
}
