//! Small real data sets shipped inside the crate, for examples and tests (in the
//! manner of `linfa-datasets`).
//!
//! * **Iris** (R. A. Fisher, 1936; UCI Machine Learning Repository,
//!   doi:10.24432/C56C76, CC BY 4.0): 150 flowers, 4 measurements in cm, 3 species
//!   (0 setosa, 1 versicolor, 2 virginica).
//! * **Wine** (M. Forina et al., 1991; UCI Machine Learning Repository,
//!   doi:10.24432/C5PC7J, CC BY 4.0): 178 wines, 13 chemical measurements (unscaled),
//!   3 cultivars (0, 1, 2).

use crate::Float;
use faer::Mat;

/// A labelled table of vectors: row `i` of `features` has label `labels[i]`.
#[derive(Debug, Clone)]
pub struct Dataset<F> {
    /// `n × p` features.
    pub features: Mat<F>,
    /// One label per row.
    pub labels: Vec<usize>,
}

const IRIS: &str = include_str!("../data/iris.csv");
const WINE: &str = include_str!("../data/wine.csv");

/// Fisher's iris: 150 × 4, 3 classes of 50.
///
/// ```
/// let iris = median_lvq::datasets::iris::<f64>();
/// assert_eq!((iris.features.nrows(), iris.features.ncols()), (150, 4));
/// ```
pub fn iris<F: Float>() -> Dataset<F> {
    parse(IRIS)
}

/// UCI wine: 178 × 13, classes of 59, 71 and 48.
///
/// ```
/// let wine = median_lvq::datasets::wine::<f32>();
/// assert_eq!((wine.features.nrows(), wine.features.ncols()), (178, 13));
/// ```
pub fn wine<F: Float>() -> Dataset<F> {
    parse(WINE)
}

/// Parses the shipped `label,x_1,…,x_p` text (known to be well formed; checked by
/// the unit test below).
fn parse<F: Float>(text: &str) -> Dataset<F> {
    let rows: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.trim().parse().unwrap_or(f64::NAN)).collect())
        .collect();
    let p = rows.first().map_or(0, |r| r.len().saturating_sub(1));
    let labels = rows.iter().map(|r| r.first().copied().unwrap_or(0.0) as usize).collect();
    let features = Mat::from_fn(rows.len(), p, |i, j| F::from_f64(rows[i].get(j + 1).copied().unwrap_or(f64::NAN)));
    Dataset { features, labels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_sets_parse_completely() {
        for (d, n, p, counts) in [(iris::<f64>(), 150, 4, vec![50, 50, 50]), (wine(), 178, 13, vec![59, 71, 48])] {
            assert_eq!((d.features.nrows(), d.features.ncols(), d.labels.len()), (n, p, n));
            for i in 0..n {
                for j in 0..p {
                    assert!(d.features[(i, j)].is_finite() && d.features[(i, j)] > 0.0);
                }
            }
            let got: Vec<usize> = (0..3).map(|c| d.labels.iter().filter(|&&l| l == c).count()).collect();
            assert_eq!(got, counts);
        }
        assert_eq!(iris::<f32>().features[(0, 0)], 5.1_f32);
    }
}
