//! Saving and loading fitted models (feature `serde`).
//!
//! A model is written as a versioned record that any serde format can carry (JSON,
//! bincode, …). Loading checks the format name, version and precision, the
//! record's internal consistency and a checksum over every field, so a truncated,
//! corrupted or foreign file is an error of the format's deserializer, never a
//! panic or a silently different model.

use crate::{Float, MedianLvq, Search, Temperature, Termination};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const FORMAT: &str = "median-lvq model";
/// The version of the saved-model record (feature `serde`): `MedianLvq` and
/// [`PortableModel`](crate::PortableModel) serialise as a record holding a format
/// name, this version, the precision, the model and a checksum; loading accepts
/// exactly this version and precision and checks the record's consistency and
/// checksum, so a truncated, corrupted or foreign file is an error of the
/// deserializer, never a panic or a different model.
///
/// Loading is exact: costs are stored as text in the shortest form that parses
/// back to the same `f64` (so any format, JSON included, round-trips them bit for
/// bit), and the checksum covers every field — labels and, for a portable model,
/// the prototype objects too. The checksum (64-bit FNV-1a) detects damage, not
/// deliberate tampering: anyone can recompute it for an edited file.
///
/// ```
/// # #[cfg(feature = "serde")] {
/// use median_lvq::{MedianLvq, MedianLvqParams, Precomputed};
/// # let x = [0.0, 1.0, 2.0, 10.0, 11.0, 12.0_f64];
/// # let d = Precomputed::new(faer::Mat::from_fn(6, 6, |i, j| (x[i] - x[j]).powi(2)))?;
/// let model = MedianLvqParams::new().fit(&d, &["a", "a", "a", "b", "b", "b"])?;
/// let json = serde_json::to_string(&model).expect("serialisable");
/// let back: MedianLvq<f64, String> = serde_json::from_str(&json).expect("a valid file");
/// assert_eq!(back.prototype_indices(), model.prototype_indices());
/// assert_eq!(back.cost_history(), model.cost_history()); // bit for bit
/// assert!(serde_json::from_str::<MedianLvq<f64, String>>(&json[..json.len() / 2]).is_err());
/// # }
/// # Ok::<(), median_lvq::Error>(())
/// ```
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record<L> {
    format: String,
    version: u32,
    precision: String,
    prototypes: Vec<usize>,
    prototype_labels: Vec<L>,
    classes: Vec<L>,
    /// Each cost in Rust's shortest round-trip form (`{:?}` of an `f64`).
    cost_history: Vec<String>,
    sweeps: usize,
    termination: String,
    search: String,
    /// `per_object`, or `fixed:<temperature>` (shortest round-trip form).
    temperature: String,
    /// FNV-1a over the record with this field 0 (see [`checksum`]).
    checksum: u64,
}

fn precision<F: Float>() -> String {
    std::any::type_name::<F>().into()
}

fn search_name(s: Search) -> String {
    match s {
        Search::Auto => "auto".into(),
        Search::Exhaustive => "exhaustive".into(),
        Search::Linearised { checked } => format!("linearised:{checked}"),
        Search::CandidateMajor => "candidate_major".into(),
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<F: Float + Serialize, L: Clone + PartialEq + Serialize> Serialize for MedianLvq<F, L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = Record {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            precision: precision::<F>(),
            prototypes: self.prototype_indices().to_vec(),
            prototype_labels: self.prototype_labels().to_vec(),
            classes: self.classes().to_vec(),
            cost_history: self.cost_history().iter().map(|c| format!("{c:?}")).collect(),
            sweeps: self.sweeps(),
            termination: self.termination().name().into(),
            search: search_name(self.search()),
            temperature: match self.temperature() {
                Temperature::Fixed(t) => format!("fixed:{:?}", t.as_f64()),
                Temperature::Relative(t) => format!("relative:{:?}", t.as_f64()),
                _ => "per_object".into(),
            },
            checksum: 0,
        };
        record.checksum = checksum(&record);
        record.serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, F: Float + Deserialize<'de>, L: Clone + Ord + Serialize + Deserialize<'de>> Deserialize<'de> for MedianLvq<F, L> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut r = Record::<L>::deserialize(deserializer)?;
        let bad = |why: String| D::Error::custom(format!("not a valid median-lvq model: {why}"));
        if r.format != FORMAT {
            return Err(bad(format!("format {:?}, expected {FORMAT:?}", r.format)));
        }
        if r.version != FORMAT_VERSION {
            return Err(bad(format!("version {} cannot be read by this release (it reads version {FORMAT_VERSION})", r.version)));
        }
        if r.precision != precision::<F>() {
            return Err(bad(format!(
                "saved in {}, loaded as {}; load it with the precision it was saved in",
                r.precision,
                precision::<F>()
            )));
        }
        let stored = std::mem::take(&mut r.checksum);
        if checksum(&r) != stored {
            return Err(bad("checksum mismatch: the file was altered or damaged".into()));
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
        let history = r
            .cost_history
            .iter()
            .map(|c| c.parse::<f64>().map_err(|_| bad(format!("cost {c:?} is not a number"))))
            .collect::<Result<Vec<f64>, _>>()?;
        if history.is_empty() || history.iter().any(|c| !c.is_finite()) || !history.windows(2).all(|w| w[1] < w[0]) {
            return Err(bad("the cost history must be finite and strictly decreasing".into()));
        }
        let termination = match r.termination.as_str() {
            "converged" => Termination::Converged,
            "max_sweeps" => Termination::MaxSweeps,
            "sweep_improvement" => Termination::SweepImprovement,
            "interrupted" => Termination::Interrupted,
            t => return Err(bad(format!("unknown termination {t:?}"))),
        };
        let search = match r.search.as_str() {
            "auto" => Search::Auto,
            "exhaustive" => Search::Exhaustive,
            "candidate_major" => Search::CandidateMajor,
            s => match s.strip_prefix("linearised:").and_then(|k| k.parse::<usize>().ok()) {
                Some(checked) if checked >= 1 => Search::Linearised { checked },
                _ => return Err(bad(format!("unknown search {s:?}"))),
            },
        };
        let temperature = match r.temperature.as_str() {
            "per_object" => Temperature::PerObject,
            t => {
                // Saved from an `F`, so exact when read back as one.
                let value = |prefix: &str| {
                    t.strip_prefix(prefix)
                        .and_then(|v| v.parse::<f64>().ok())
                        .filter(|v| v.is_finite() && *v > 0.0 && F::from_f64(*v).as_f64() == *v)
                        .map(F::from_f64)
                };
                match (value("fixed:"), value("relative:")) {
                    (Some(v), _) => Temperature::Fixed(v),
                    (_, Some(v)) => Temperature::Relative(v),
                    _ => return Err(bad(format!("unknown temperature {t:?}"))),
                }
            }
        };
        Ok(MedianLvq::from_parts(r.prototypes, r.prototype_labels, r.classes, history, r.sweeps, termination, search, temperature))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PortableRecord<M, O> {
    model: M,
    objects: O,
    /// FNV-1a over the model's record and the objects, with this field 0.
    checksum: u64,
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<F: Float + Serialize, L: Clone + PartialEq + Serialize, T: Serialize> Serialize for crate::PortableModel<F, L, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = PortableRecord { model: &self.model, objects: &self.objects, checksum: 0 };
        record.checksum = checksum(&record);
        record.serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, F, L, T> Deserialize<'de> for crate::PortableModel<F, L, T>
where
    F: Float + Serialize + Deserialize<'de>,
    L: Clone + Ord + Serialize + Deserialize<'de>,
    T: Serialize + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut r = PortableRecord::<MedianLvq<F, L>, Vec<T>>::deserialize(deserializer)?;
        let stored = std::mem::take(&mut r.checksum);
        if checksum(&r) != stored {
            return Err(D::Error::custom("not a valid median-lvq model: checksum mismatch: the file was altered or damaged"));
        }
        if r.objects.len() != r.model.prototype_indices().len() {
            return Err(D::Error::custom(format!(
                "not a valid median-lvq model: {} prototype objects for {} prototypes",
                r.objects.len(),
                r.model.prototype_indices().len()
            )));
        }
        Ok(crate::PortableModel { model: r.model, objects: r.objects })
    }
}

/// 64-bit FNV-1a over everything `value` serialises to, fed through [`Fnv`]: every
/// number by its bits, every string and sequence with its length, every variant by
/// its index, so two different records hash differently unless FNV collides.
fn checksum<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    // `Fnv` never fails; a value whose own `Serialize` fails is not a saved model.
    match value.serialize(&mut h) {
        Ok(()) => h.0,
        Err(_) => 0,
    }
}

/// A serde [`Serializer`] that hashes instead of writing.
struct Fnv(u64);

impl Fnv {
    fn eat(&mut self, tag: u8, bytes: &[u8]) {
        for &b in std::iter::once(&tag).chain(bytes) {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn len(&mut self, tag: u8, len: Option<usize>) {
        self.eat(tag, &(len.map_or(u64::MAX, |l| l as u64)).to_le_bytes());
    }
}

#[derive(Debug)]
struct NeverFails;

impl std::fmt::Display for NeverFails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hashing failed")
    }
}

impl std::error::Error for NeverFails {}

impl serde::ser::Error for NeverFails {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NeverFails
    }
}

macro_rules! hash_number {
    ($($method:ident: $ty:ty => $tag:literal),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), NeverFails> {
            self.eat($tag, &v.to_le_bytes());
            Ok(())
        })*
    };
}

impl serde::Serializer for &mut Fnv {
    type Ok = ();
    type Error = NeverFails;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    hash_number!(
        serialize_i8: i8 => 1, serialize_i16: i16 => 2, serialize_i32: i32 => 3, serialize_i64: i64 => 4, serialize_i128: i128 => 5,
        serialize_u8: u8 => 6, serialize_u16: u16 => 7, serialize_u32: u32 => 8, serialize_u64: u64 => 9, serialize_u128: u128 => 10,
        serialize_f32: f32 => 11, serialize_f64: f64 => 12,
    );

    fn serialize_bool(self, v: bool) -> Result<(), NeverFails> {
        self.eat(13, &[u8::from(v)]);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), NeverFails> {
        self.eat(14, &u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), NeverFails> {
        self.serialize_bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), NeverFails> {
        self.len(15, Some(v.len()));
        self.eat(16, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), NeverFails> {
        self.eat(17, &[]);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NeverFails> {
        self.eat(18, &[]);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NeverFails> {
        self.eat(19, &[]);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), NeverFails> {
        self.serialize_str(name)
    }
    fn serialize_unit_variant(self, _: &'static str, index: u32, _: &'static str) -> Result<(), NeverFails> {
        self.eat(20, &index.to_le_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), NeverFails> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), NeverFails> {
        self.eat(21, &index.to_le_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, NeverFails> {
        self.len(22, len);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, NeverFails> {
        self.len(23, Some(len));
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, NeverFails> {
        self.len(24, Some(len));
        Ok(self)
    }
    fn serialize_tuple_variant(self, _: &'static str, index: u32, _: &'static str, len: usize) -> Result<Self, NeverFails> {
        self.eat(25, &index.to_le_bytes());
        self.len(25, Some(len));
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, NeverFails> {
        self.len(26, len);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self, NeverFails> {
        self.len(27, Some(len));
        Ok(self)
    }
    fn serialize_struct_variant(self, _: &'static str, index: u32, _: &'static str, len: usize) -> Result<Self, NeverFails> {
        self.eat(28, &index.to_le_bytes());
        self.len(28, Some(len));
        Ok(self)
    }
}

/// The compound parts: each element or field in order (field names are fixed by
/// the record type, so only values are hashed), then an end mark.
macro_rules! hash_compound {
    ($($trait:ident: $($method:ident($($key:ident: $kty:ty),*)),*);* $(;)?) => {
        $(impl serde::ser::$trait for &mut Fnv {
            type Ok = ();
            type Error = NeverFails;
            $(fn $method<T: Serialize + ?Sized>(&mut self, $($key: $kty,)* value: &T) -> Result<(), NeverFails> {
                $(let _ = $key;)*
                value.serialize(&mut **self)
            })*
            fn end(self) -> Result<(), NeverFails> {
                self.eat(29, &[]);
                Ok(())
            }
        })*
    };
}

hash_compound!(
    SerializeSeq: serialize_element();
    SerializeTuple: serialize_element();
    SerializeTupleStruct: serialize_field();
    SerializeTupleVariant: serialize_field();
    SerializeStruct: serialize_field(name: &'static str);
    SerializeStructVariant: serialize_field(name: &'static str);
);

impl serde::ser::SerializeMap for &mut Fnv {
    type Ok = ();
    type Error = NeverFails;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NeverFails> {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NeverFails> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), NeverFails> {
        self.eat(29, &[]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_sees_every_value_and_its_place() {
        let h = |v: &(Vec<String>, Vec<f64>, Option<u8>)| checksum(v);
        let base = (vec!["ab".to_string(), "c".into()], vec![1.0, -0.0], Some(3));
        let same = base.clone();
        assert_eq!(h(&base), h(&same));
        for other in [
            (vec!["a".to_string(), "bc".into()], vec![1.0, -0.0], Some(3)),
            (vec!["ab".to_string(), "c".into()], vec![1.0, 0.0], Some(3)),
            (vec!["ab".to_string(), "c".into()], vec![1.0 + f64::EPSILON, -0.0], Some(3)),
            (vec!["ab".to_string(), "c".into()], vec![1.0, -0.0], None),
        ] {
            assert_ne!(h(&base), h(&other), "{other:?}");
        }
    }
}
