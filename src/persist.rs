//! Saving and loading fitted models (feature `serde`).
//!
//! A model is written as a versioned record that any serde format can carry (JSON,
//! bincode, …). Loading checks the format name and version, the record's internal
//! consistency and a checksum, so a truncated, corrupted or foreign file is an error
//! of the format's deserializer, never a panic or a silently different model.

use crate::{Float, MedianLvq, Search, Termination};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const FORMAT: &str = "median-lvq model";
/// The version of the saved-model record (feature `serde`): `MedianLvq` and
/// [`PortableModel`](crate::PortableModel) serialise as a record holding a format
/// name, this version, the model and a checksum; loading accepts exactly this
/// version and checks the record's consistency and checksum, so a truncated,
/// corrupted or foreign file is an error of the deserializer, never a panic or a
/// different model. With `serde_json`, enable its `float_roundtrip` feature for
/// bit-exact cost histories.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use median_lvq::{MedianLvq, MedianLvqParams, Precomputed};
/// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
/// # let d = Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
/// let model = MedianLvqParams::new().fit(&d, &["a", "a", "a", "b", "b", "b"])?;
/// let json = serde_json::to_string(&model).expect("serialisable");
/// let back: MedianLvq<f64, String> = serde_json::from_str(&json).expect("a valid file");
/// assert_eq!(back.prototypes(), model.prototypes());
/// assert!(serde_json::from_str::<MedianLvq<f64, String>>(&json[..json.len() / 2]).is_err());
/// # }
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record<F, L> {
    format: String,
    version: u32,
    prototypes: Vec<usize>,
    prototype_labels: Vec<L>,
    classes: Vec<L>,
    cost_history: Vec<F>,
    sweeps: usize,
    termination: String,
    search: String,
    checksum: u64,
}

fn termination_name(t: Termination) -> &'static str {
    match t {
        Termination::Converged => "converged",
        Termination::MaxIter => "max_iter",
        Termination::Epsilon => "epsilon",
        Termination::Interrupted => "interrupted",
    }
}

fn search_name(s: Search) -> String {
    match s {
        Search::Auto => "auto".into(),
        Search::Exhaustive => "exhaustive".into(),
        Search::Linearised { checked } => format!("linearised:{checked}"),
    }
}

/// FNV-1a over everything but the labels' own values (labels are generic; they are
/// covered by the consistency checks: every prototype label is a class, and so on)
/// and the costs' digits beyond the seventh.
fn checksum<F: Float>(protos: &[usize], positions: &[usize], classes: usize, history: &[F], sweeps: usize, tail: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for &p in protos.iter().chain(positions).chain([classes, sweeps].iter()) {
        eat(&(p as u64).to_le_bytes());
    }
    // Costs to 7 significant digits: text formats may parse a float 1 ulp off (serde_json
    // without `float_roundtrip`), which must not fail a genuine file.
    for c in history {
        eat(format!("{:.6e}", c.as_f64()).as_bytes());
    }
    eat(tail.as_bytes());
    h
}

impl<F: Float + Serialize, L: Clone + PartialEq + Serialize> Serialize for MedianLvq<F, L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let positions: Vec<usize> =
            self.prototype_labels().iter().map(|l| self.classes().iter().position(|c| c == l).unwrap_or(usize::MAX)).collect();
        let (termination, search) = (termination_name(self.termination()), search_name(self.search()));
        let tail = format!("{termination}/{search}");
        Record {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            prototypes: self.prototypes().to_vec(),
            prototype_labels: self.prototype_labels().to_vec(),
            classes: self.classes().to_vec(),
            cost_history: self.cost_history().to_vec(),
            sweeps: self.sweeps(),
            termination: termination.into(),
            search,
            checksum: checksum(self.prototypes(), &positions, self.classes().len(), self.cost_history(), self.sweeps(), &tail),
        }
        .serialize(serializer)
    }
}

impl<'de, F: Float + Deserialize<'de>, L: Clone + Ord + Deserialize<'de>> Deserialize<'de> for MedianLvq<F, L> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = Record::<F, L>::deserialize(deserializer)?;
        let bad = |why: String| D::Error::custom(format!("not a valid median-lvq model: {why}"));
        if r.format != FORMAT {
            return Err(bad(format!("format {:?}, expected {FORMAT:?}", r.format)));
        }
        if r.version != FORMAT_VERSION {
            return Err(bad(format!("version {} cannot be read by this release (it reads version {FORMAT_VERSION})", r.version)));
        }
        if r.classes.len() < 2 || !r.classes.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("the classes must be at least two, sorted and distinct".into()));
        }
        if r.prototypes.len() != r.prototype_labels.len() {
            return Err(bad(format!("{} prototypes but {} prototype labels", r.prototypes.len(), r.prototype_labels.len())));
        }
        let positions = r
            .prototype_labels
            .iter()
            .map(|l| r.classes.binary_search(l).map_err(|_| bad("a prototype label is not one of the classes".into())))
            .collect::<Result<Vec<usize>, _>>()?;
        if (0..r.classes.len()).any(|c| !positions.contains(&c)) {
            return Err(bad("a class has no prototype".into()));
        }
        let mut seen = r.prototypes.clone();
        seen.sort_unstable();
        if seen.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad("two prototypes are the same object".into()));
        }
        if r.cost_history.is_empty() || r.cost_history.iter().any(|c| !c.is_finite()) || !r.cost_history.windows(2).all(|w| w[1] < w[0]) {
            return Err(bad("the cost history must be finite and strictly decreasing".into()));
        }
        let termination = match r.termination.as_str() {
            "converged" => Termination::Converged,
            "max_iter" => Termination::MaxIter,
            "epsilon" => Termination::Epsilon,
            "interrupted" => Termination::Interrupted,
            t => return Err(bad(format!("unknown termination {t:?}"))),
        };
        let search = match r.search.as_str() {
            "auto" => Search::Auto,
            "exhaustive" => Search::Exhaustive,
            s => match s.strip_prefix("linearised:").and_then(|k| k.parse::<usize>().ok()) {
                Some(checked) if checked >= 1 => Search::Linearised { checked },
                _ => return Err(bad(format!("unknown search {s:?}"))),
            },
        };
        let tail = format!("{}/{}", r.termination, r.search);
        if checksum(&r.prototypes, &positions, r.classes.len(), &r.cost_history, r.sweeps, &tail) != r.checksum {
            return Err(bad("checksum mismatch: the file was altered or damaged".into()));
        }
        Ok(MedianLvq::from_parts(r.prototypes, r.prototype_labels, r.classes, r.cost_history, r.sweeps, termination, search))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PortableRecord<M, O> {
    model: M,
    objects: O,
}

impl<F: Float + Serialize, L: Clone + PartialEq + Serialize, T: Serialize> Serialize for crate::PortableModel<F, L, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PortableRecord { model: &self.model, objects: &self.objects }.serialize(serializer)
    }
}

impl<'de, F: Float + Deserialize<'de>, L: Clone + Ord + Deserialize<'de>, T: Deserialize<'de>> Deserialize<'de>
    for crate::PortableModel<F, L, T>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let r = PortableRecord::<MedianLvq<F, L>, Vec<T>>::deserialize(deserializer)?;
        if r.objects.len() != r.model.prototypes().len() {
            return Err(D::Error::custom(format!(
                "not a valid median-lvq model: {} prototype objects for {} prototypes",
                r.objects.len(),
                r.model.prototypes().len()
            )));
        }
        Ok(crate::PortableModel { model: r.model, objects: r.objects })
    }
}
