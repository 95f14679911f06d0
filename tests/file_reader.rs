//! The examples' data-file reader (`examples/common`): bad files give one-line
//! messages naming the problem; arbitrary bytes never panic (fuzz).

#[path = "../examples/common/mod.rs"]
mod reader;

use proptest::prelude::*;
use std::io::Write;

fn file_with(bytes: &[u8], name: &str) -> (tempdir::Dir, std::path::PathBuf) {
    let dir = tempdir::Dir::new();
    let path = dir.0.join(name);
    std::fs::File::create(&path).and_then(|mut f| f.write_all(bytes)).expect("temp file");
    (dir, path)
}

/// A throwaway directory under the system temp dir, removed on drop.
mod tempdir {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!("median-lvq-reader-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
            std::fs::create_dir_all(&p).expect("temp dir");
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[test]
fn bad_files_name_the_problem() {
    let cases: [(&[u8], &str); 6] = [
        (b"", "no data lines"),
        (b"0,1,2\n1,3\n", "ragged"),
        (b"0,1,abc\n", "not a number"),
        (b",1,2\n", "empty label"),
        (b"0\n", "no values"),
        (b"0,1,2\n1,\xff\n", "cannot read"),
    ];
    for (bytes, expected) in cases {
        let (_dir, path) = file_with(bytes, "x.csv");
        let err = reader::read_label_first_csv(&path).expect_err("bad file accepted");
        assert!(err.contains(expected) && !err.contains('\n'), "{err}");
    }
    let (_dir, path) = file_with(b"en\tcat\nde\n", "w.tsv");
    assert!(reader::read_words(&path).expect_err("bad words").contains("line 2"));
    assert!(reader::read_label_first_csv(std::path::Path::new("/nonexistent/x.csv")).expect_err("missing").contains("cannot read"));
    let (_dir, path) = file_with(b"1,0.5,NaN\n2,1e3,-4\n", "ok.csv");
    let (labels, rows) = reader::read_label_first_csv(&path).expect("numbers, even NaN, parse; the library rejects them later");
    assert_eq!(labels, ["1", "2"]);
    assert!(rows[0][1].is_nan());
}

proptest! {
    // 256 cases in `cargo test`; a long fuzz run: FUZZ_CASES=100000 cargo test --release --test file_reader
    #![proptest_config(ProptestConfig {
        cases: std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_files_never_panic(bytes in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), Just(b'\t'), Just(b'1'), Just(b'.'), Just(b'-'), any::<u8>()], 0..200)) {
        let (_dir, path) = file_with(&bytes, "f.csv");
        match reader::read_label_first_csv(&path) {
            Ok((labels, rows)) => {
                prop_assert_eq!(labels.len(), rows.len());
                prop_assert!(rows.iter().all(|r| r.len() == rows[0].len() && !r.is_empty()));
            }
            Err(e) => prop_assert!(!e.is_empty() && !e.contains('\n')),
        }
        let _ = reader::read_words(&path);
    }
}
