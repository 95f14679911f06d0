//! Helpers shared by the examples: reading the label-first data files. Every
//! problem is a one-line message, never a panic.
#![allow(dead_code)]

pub mod plot;

use std::path::{Path, PathBuf};

/// The copy of a data set in the project's `../shared/data` (relative to this
/// repository), which users outside the project do not have.
pub fn shared_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name)
}

/// Reads a file, saying clearly what is missing.
pub fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {}: {e} (pass the path of a data file; the default lives in ../shared/data beside the repository)",
            path.display()
        )
    })
}

/// A label-first CSV (`label,v_1,...,v_m` per line, no header): labels and rows of
/// numbers, all rows of one length.
pub fn read_label_first_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>), String> {
    let text = read_text(path)?;
    let mut labels = Vec::new();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (line_no, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line_no = line_no + 1;
        let mut fields = line.split(',');
        let label = fields.next().unwrap_or("").trim();
        if label.is_empty() {
            return Err(format!("{}: line {line_no} has an empty label", path.display()));
        }
        let row = fields
            .enumerate()
            .map(|(f, v)| {
                v.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("{}: line {line_no}, value {}: {:?} is not a number", path.display(), f + 1, v.trim()))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if row.is_empty() {
            return Err(format!("{}: line {line_no} has a label but no values", path.display()));
        }
        if let Some(first) = rows.first()
            && first.len() != row.len()
        {
            return Err(format!(
                "{}: line {line_no} has {} values but line 1 has {} (ragged rows)",
                path.display(),
                row.len(),
                first.len()
            ));
        }
        labels.push(label.to_string());
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(format!("{}: the file holds no data lines", path.display()));
    }
    Ok((labels, rows))
}

/// `language<TAB>word` lines: labels and words.
pub fn read_words(path: &Path) -> Result<(Vec<String>, Vec<String>), String> {
    let text = read_text(path)?;
    let mut labels = Vec::new();
    let mut words = Vec::new();
    for (line_no, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match line.split_once('\t') {
            Some((label, word)) if !label.trim().is_empty() && !word.trim().is_empty() => {
                labels.push(label.trim().to_string());
                words.push(word.trim().to_string());
            }
            _ => return Err(format!("{}: line {} is not `label<TAB>word`", path.display(), line_no + 1)),
        }
    }
    if words.is_empty() {
        return Err(format!("{}: the file holds no data lines", path.display()));
    }
    Ok((labels, words))
}
