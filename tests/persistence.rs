//! Saving and loading models (feature `serde`): round trips for every source kind,
//! and damaged files are errors, never panics or different models.
#![cfg(feature = "serde")]

use faer::Mat;
use median_lvq::{
    FunctionSource, KernelSource, MedianLvq, MedianLvqParams, PortableModel, Precomputed, SquaredEuclidean, Standardizer, datasets, kernels,
};
use proptest::prelude::*;

fn iris_z() -> (Mat<f64>, Vec<usize>) {
    let d = datasets::iris::<f64>();
    let all: Vec<usize> = (0..150).collect();
    (Standardizer::fit(d.features.as_ref(), &all).unwrap().transform(d.features.as_ref()).unwrap(), d.labels)
}

fn saved_model() -> (MedianLvq<f64, String>, String) {
    let (z, y) = iris_z();
    let names: Vec<String> = y.iter().map(|&l| ["setosa", "versicolor", "virginica"][l].to_string()).collect();
    let model = MedianLvqParams::new().prototypes_per_class(2).fit(&SquaredEuclidean::from_ref(z.as_ref()).unwrap(), &names).unwrap();
    let json = serde_json::to_string(&model).unwrap();
    (model, json)
}

#[test]
fn every_source_kind_round_trips() {
    let (z, y) = iris_z();
    let rows: Vec<Vec<f64>> = (0..150).map(|i| (0..4).map(|j| z[(i, j)]).collect()).collect();
    let params = MedianLvqParams::new().prototypes_per_class(2);

    // Precomputed: the model alone (indices into the training matrix).
    let m = params.fit(&Precomputed::squared_euclidean(z.as_ref()).unwrap(), &y).unwrap();
    assert_eq!(serde_json::from_str::<MedianLvq<f64, usize>>(&serde_json::to_string(&m).unwrap()).unwrap(), m);

    // Vectors, f32 too: the model with its prototype rows predicts like before.
    let v = params.fit(&SquaredEuclidean::from_ref(z.as_ref()).unwrap(), &y).unwrap();
    let portable = v.with_rows(z.as_ref()).unwrap();
    let back: PortableModel<f64, usize, Vec<f64>> = serde_json::from_str(&serde_json::to_string(&portable).unwrap()).unwrap();
    assert_eq!(back, portable);
    let new = Mat::from_fn(5, 4, |i, j| z[(i * 30, j)] + 0.1);
    assert_eq!(back.predict(new.as_ref()).unwrap(), portable.predict(new.as_ref()).unwrap());
    let z32 = Mat::from_fn(150, 4, |i, j| z[(i, j)] as f32);
    let v32 = MedianLvqParams::<f32>::new().prototypes_per_class(2).fit(&SquaredEuclidean::from_ref(z32.as_ref()).unwrap(), &y).unwrap();
    let p32 = v32.with_rows(z32.as_ref()).unwrap();
    assert_eq!(serde_json::from_str::<PortableModel<f32, usize, Vec<f32>>>(&serde_json::to_string(&p32).unwrap()).unwrap(), p32);

    // User objects (a function) and a kernel: the model with its prototype items.
    let f = params
        .fit(&FunctionSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.0) * 0.0 + (a[0] - b[0]).abs()), &y)
        .unwrap();
    let pf = f.with_items(&rows).unwrap();
    assert_eq!(serde_json::from_str::<PortableModel<f64, usize, Vec<f64>>>(&serde_json::to_string(&pf).unwrap()).unwrap(), pf);
    let k = params.fit(&KernelSource::new(&rows, |a: &Vec<f64>, b: &Vec<f64>| kernels::rbf(a, b, 0.5)).unwrap(), &y).unwrap();
    let pk = k.with_items(&rows).unwrap();
    assert_eq!(serde_json::from_str::<PortableModel<f64, usize, Vec<f64>>>(&serde_json::to_string(&pk).unwrap()).unwrap(), pk);

    // String labels.
    let (model, json) = saved_model();
    assert_eq!(serde_json::from_str::<MedianLvq<f64, String>>(&json).unwrap(), model);
}

#[test]
fn damaged_or_foreign_files_are_errors() {
    let (_, json) = saved_model();
    let load = |s: &str| serde_json::from_str::<MedianLvq<f64, String>>(s);
    for cut in 0..json.len() {
        assert!(load(&json[..cut]).is_err(), "a file truncated at {cut} bytes loaded");
    }
    let v = median_lvq::FORMAT_VERSION;
    let err = load(&json.replace(&format!("\"version\":{v}"), &format!("\"version\":{}", v + 1))).unwrap_err().to_string();
    assert!(err.contains(&format!("version {}", v + 1)), "{err}");
    assert!(load(&json.replace("median-lvq model", "other model")).is_err());
    // A changed prototype index: consistent-looking, caught by the checksum.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut changed = v.clone();
    changed["prototypes"][0] = serde_json::json!(v["prototypes"][0].as_u64().unwrap() + 1);
    let err = load(&changed.to_string()).unwrap_err().to_string();
    assert!(err.contains("checksum"), "{err}");
    let mut swapped = v.clone();
    swapped["prototype_labels"][0] = v["prototype_labels"][5].clone();
    assert!(load(&swapped.to_string()).is_err());
    let mut one_class = v;
    one_class["classes"] = serde_json::json!(["setosa"]);
    assert!(load(&one_class.to_string()).is_err());
    // Portable: object count must match.
    let p: PortableModel<f64, usize, Vec<f64>> = {
        let (z, y) = iris_z();
        MedianLvqParams::new().fit(&SquaredEuclidean::from_ref(z.as_ref()).unwrap(), &y).unwrap().with_rows(z.as_ref()).unwrap()
    };
    let mut pv: serde_json::Value = serde_json::to_value(&p).unwrap();
    pv["objects"].as_array_mut().unwrap().pop();
    assert!(serde_json::from_value::<PortableModel<f64, usize, Vec<f64>>>(pv).is_err());
}

proptest! {
    // 2000 cases in `cargo test`; a long fuzz run: FUZZ_CASES=300000 cargo test --release --features serde,linfa --test persistence
    #![proptest_config(ProptestConfig {
        cases: std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    /// Fuzz: any single-byte change loads as an error or as exactly the same model.
    #[test]
    fn mutated_files_never_load_as_a_different_model(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (model, json) = saved_model();
        let mut bytes = json.into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        if let Ok(loaded) = serde_json::from_slice::<MedianLvq<f64, String>>(&bytes) {
            prop_assert_eq!(loaded, model);
        }
    }

    /// Fuzz: arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<MedianLvq<f64, String>>(&bytes);
        let _ = serde_json::from_slice::<PortableModel<f32, i64, Vec<f32>>>(&bytes);
    }
}

#[test]
fn calibrated_temperatures_round_trip() {
    let (model, _) = saved_model();
    for t in [median_lvq::Temperature::Fixed(0.37), median_lvq::Temperature::Relative(0.8), median_lvq::Temperature::PerObject] {
        let m = model.clone().with_temperature(t).unwrap();
        let back: MedianLvq<f64, String> = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.temperature(), t);
    }
    assert!(model.clone().with_temperature(median_lvq::Temperature::Relative(0.0)).is_err());
}
