//! Words of five languages under edit distance, through the user-function source.
//! Heavy (2,000 objects, every dissimilarity computed on demand): run on demand with
//! `cargo test --release --test words -- --ignored --nocapture`.

mod common;
use median_lvq::{FunctionSource, MedianLvqParams, Subset, accuracy, stratified_splits};

fn levenshtein(a: &str, b: &str) -> f64 {
    strsim::levenshtein(a, b) as f64
}

#[test]
#[ignore]
fn words_by_language() {
    if !common::shared_data_or_skip("words_by_language") {
        return;
    }
    let text = std::fs::read_to_string(common::data_path("words.tsv")).unwrap();
    let (labels, words): (Vec<String>, Vec<String>) =
        text.lines().filter_map(|l| l.split_once('\t')).map(|(a, b)| (a.to_string(), b.to_string())).unzip();
    let source = FunctionSource::new(&words, |a: &String, b: &String| levenshtein(a, b));
    let reference = [0.317, 0.378, 0.386];
    for k in 1..=3 {
        let mut accs = Vec::new();
        for split in stratified_splits(&labels, 5, 0.2, 0).unwrap() {
            let train = Subset::new(&source, split.train.clone()).unwrap();
            let y: Vec<String> = split.train.iter().map(|&i| labels[i].clone()).collect();
            let model = MedianLvqParams::new().prototypes_per_class(k).fit(&train, &y).unwrap();
            // Prototype indices number the words themselves (the subset's origin).
            let pred = model.predict_objects(&source, &split.test).unwrap();
            let truth: Vec<String> = split.test.iter().map(|&i| labels[i].clone()).collect();
            accs.push(accuracy(&pred.labels, &truth).unwrap());
        }
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        println!("words K={k}: {mean:.3} over 5 splits (proto-dist-ml, 20 splits: {:.3})", reference[k - 1]);
        assert!(mean >= reference[k - 1] - 0.04);
    }
}
