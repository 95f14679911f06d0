mod common;
use common::*;
use median_lvq::*;

#[test]
#[ignore]
fn print_table() {
    let sets: Vec<(&str, Vec<i64>, Data)> = vec![
        { let (l, s) = similarity_dissimilarity("aural_sonar.similarity.csv"); ("sonar", l, Data::Matrix(faer::Mat::from_fn(s.nrows(), s.ncols(), |i, j| 1.0 - s[(i, j)]))) },
        { let (l, s) = similarity_dissimilarity("protein.similarity.csv"); ("protein", l, Data::Matrix(faer::Mat::from_fn(s.nrows(), s.ncols(), |i, j| 1.0 - s[(i, j)]))) },
        { let (l, r) = read_csv("iris.vectors.csv"); ("iris", l, Data::Vectors(r)) },
        { let (l, r) = read_csv("wine.vectors.csv"); ("wine", l, Data::Vectors(r)) },
        { let (l, r) = read_csv("breast_cancer.vectors.csv"); ("bc", l, Data::Vectors(r)) },
    ];
    let n_init: usize = std::env::var("NINIT").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let cand = if std::env::var("WHOLE").is_ok() { Candidates::WholeClass } else { Candidates::ReceptiveField };
    for (name, labels, data) in &sets {
        let accs: Vec<f64> = (1..=3).map(|k| mean_accuracy(data, labels, &MedianLvqParams::new().prototypes_per_class(k).n_init(n_init).candidates(cand), 20)).collect();
        println!("{name}: {:.3} {:.3} {:.3}", accs[0], accs[1], accs[2]);
    }
}
