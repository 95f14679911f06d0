//! Training parameters: a builder, validated once before fitting (linfa style).

use crate::{Error, Float, Transfer};

/// How each class's objects are weighted in the cost.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ClassWeights<F> {
    /// Every object counts 1.
    #[default]
    Uniform,
    /// Class `c` counts `n / (n_classes · n_c)`: every class weighs the same in total.
    Balanced,
    /// One positive weight per class, in sorted label order.
    Given(Vec<F>),
}

/// Which objects a prototype may jump to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Candidates {
    /// The objects whose closest same-label prototype it is (as in the reference
    /// implementations): one sweep reads each column about once, `O(n²)` per sweep.
    #[default]
    ReceptiveField,
    /// Every object of its class: a wider search, `O(n · n_c)` per prototype.
    WholeClass,
}

/// How candidates are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Search {
    /// Chosen per source (the default): [`Linearised`](Self::Linearised) with
    /// `checked = 8` for sources whose
    /// [`weighted_sums`](crate::Dissimilarity::weighted_sums) are much cheaper than
    /// their columns (vectors: one `p × K` product instead of `O(n p)` per column)
    /// once there are more than [`Search::AUTO_LINEARISED_FROM`] objects; otherwise
    /// [`Exhaustive`](Self::Exhaustive).
    ///
    /// Why, measured on this project's 2-core machine (10 classes × 32 features,
    /// 3 prototypes per class, one fit): over vectors, exhaustive vs linearised took
    /// 0.043 vs 0.017 s at n = 1000, 0.094 vs 0.022 s at 2000 (linearised cost 4 %
    /// worse), 0.22 vs 0.032 s at 3000 (0.7 % worse) and 1.9 vs 0.13 s at 10,000
    /// (0.4 % worse); exhaustive search over vectors is `O(n² p)` per sweep and out
    /// of reach beyond that. Over the precomputed matrix of the same vectors,
    /// exhaustive is both exact and faster (0.26 vs 0.34 s at 10,000: its pass is a
    /// streaming read at close to memory speed), so it stays the default there, as
    /// for kernel and user-function sources, whose weighted sums need the columns
    /// anyway.
    #[default]
    Auto,
    /// Exact `ΔE` for every candidate: the best improving jump is always found.
    Exhaustive,
    /// Rank candidates by the first-order change (one weighted sum per prototype), then
    /// compute the exact `ΔE` of the best `checked` only. Jumps are still accepted
    /// only on an exact improvement, so the cost never rises.
    Linearised {
        /// How many of the best-ranked candidates get the exact check (`>= 1`).
        checked: usize,
    },
}

impl Search {
    /// Above this many objects, [`Search::Auto`] goes linearised on sources with
    /// cheap weighted sums.
    pub const AUTO_LINEARISED_FROM: usize = 2000;

    /// What [`Search::Auto`] means for `source`; other strategies are returned as
    /// they are.
    ///
    /// ```
    /// use median_lvq::{Precomputed, Search, SquaredEuclidean};
    /// let x = faer::Mat::from_fn(3000, 2, |i, j| (i * (j + 1)) as f64);
    /// let vectors = SquaredEuclidean::from_ref(x.as_ref())?;
    /// assert_eq!(Search::Auto.resolve(&vectors), Search::Linearised { checked: 8 });
    /// let small = Precomputed::squared_euclidean(x.as_ref().subrows(0, 100))?;
    /// assert_eq!(Search::Auto.resolve(&small), Search::Exhaustive);
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    pub fn resolve<F: Float, D: crate::Dissimilarity<F> + ?Sized>(self, source: &D) -> Search {
        match self {
            Search::Auto if source.weighted_sums_are_cheap() && source.len() > Self::AUTO_LINEARISED_FROM => {
                Search::Linearised { checked: 8 }
            }
            Search::Auto => Search::Exhaustive,
            other => other,
        }
    }
}

/// Where the prototypes start.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Init {
    /// k-medoids within each class: the class medoid, then `D`-weighted seeding
    /// (k-means++ style) and up to `rounds` alternating k-medoids rounds. With one
    /// prototype per class this is exactly the class medoid.
    KMedoids {
        /// Maximum alternating rounds (assign to the nearest seed, re-take medoids).
        rounds: usize,
    },
    /// The class medoid (the object with the least summed dissimilarity to its
    /// class); only for one prototype per class.
    ClassMedoid,
    /// Distinct objects drawn uniformly within each class.
    StratifiedRandom,
    /// These object indices, in any order; their classes decide how many prototypes
    /// each class gets (every class needs at least one). `prototypes_per_class` is
    /// then ignored.
    Given(Vec<usize>),
    /// [`Init::KMedoids`] with 10 rounds.
    #[default]
    Auto,
}

/// Parameters of median GLVQ, built with chained setters and checked by
/// [`check`](Self::check) (or implicitly by [`fit`](Self::fit)).
///
/// ```
/// use median_lvq::{MedianLvqParams, Transfer, ClassWeights};
/// let params = MedianLvqParams::<f64>::new()
///     .prototypes_per_class(2)
///     .transfer(Transfer::Sigmoid { beta: 4.0 })
///     .class_weights(ClassWeights::Balanced)
///     .seed(7);
/// assert!(params.check().is_ok());
/// assert!(MedianLvqParams::<f64>::new().prototypes_per_class(0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MedianLvqParams<F> {
    pub(crate) prototypes_per_class: usize,
    pub(crate) transfer: Transfer<F>,
    pub(crate) margin: F,
    pub(crate) class_weights: ClassWeights<F>,
    pub(crate) max_iter: usize,
    pub(crate) epsilon: F,
    pub(crate) tolerance: F,
    pub(crate) candidates: Candidates,
    pub(crate) search: Search,
    pub(crate) init: Init,
    /// `None`: chosen by [`MedianLvqParams::AUTO_RESTARTS_UP_TO`].
    pub(crate) n_init: Option<usize>,
    pub(crate) seed: u64,
}

/// Parameters that passed [`MedianLvqParams::check`]; only these can fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidParams<F>(pub(crate) MedianLvqParams<F>);

impl<F: Float> Default for MedianLvqParams<F> {
    fn default() -> Self {
        Self {
            prototypes_per_class: 1,
            transfer: Transfer::Identity,
            margin: F::zero(),
            class_weights: ClassWeights::Uniform,
            max_iter: 100,
            epsilon: F::zero(),
            tolerance: F::from_f64(1e-12),
            candidates: Candidates::ReceptiveField,
            search: Search::Auto,
            init: Init::Auto,
            n_init: None,
            seed: 0,
        }
    }
}

impl<F: Float> MedianLvqParams<F> {
    /// The defaults: one prototype per class, identity transfer, no margin, uniform
    /// class weights, at most 100 sweeps, `epsilon = 0`, `tolerance = 1e-12`,
    /// receptive-field candidates, search chosen per source ([`Search::Auto`]),
    /// k-medoids initialisation, 8 fits up to 10,000 objects and 1 above
    /// ([`n_init`](Self::n_init)), seed 0.
    pub fn new() -> Self {
        Self::default()
    }
    /// Prototypes per class (`>= 1`; default 1).
    pub fn prototypes_per_class(mut self, k: usize) -> Self {
        self.prototypes_per_class = k;
        self
    }
    /// The transfer function `Φ` (default identity).
    pub fn transfer(mut self, t: Transfer<F>) -> Self {
        self.transfer = t;
        self
    }
    /// Margin added to every `μ` before `Φ` (in `[−10, 10]`; below 3 for the
    /// log-likelihood; default 0).
    pub fn margin(mut self, m: F) -> Self {
        self.margin = m;
        self
    }
    /// Class weights `v` (default uniform).
    pub fn class_weights(mut self, w: ClassWeights<F>) -> Self {
        self.class_weights = w;
        self
    }
    /// Maximum number of sweeps (`>= 1`; default 100).
    pub fn max_iter(mut self, m: usize) -> Self {
        self.max_iter = m;
        self
    }
    /// Stop when a sweep lowers the cost by less than `epsilon · |E|` (`>= 0`;
    /// default 0: stop only when a sweep accepts no jump).
    pub fn epsilon(mut self, e: F) -> Self {
        self.epsilon = e;
        self
    }
    /// A jump is accepted only if it lowers the cost by more than
    /// `tolerance · Σ_i v_{y_i}` (`>= 0`; default `1e-12`): guards against accepting
    /// rounding noise as an improvement.
    pub fn tolerance(mut self, t: F) -> Self {
        self.tolerance = t;
        self
    }
    /// Candidate set of each prototype (default receptive field).
    pub fn candidates(mut self, c: Candidates) -> Self {
        self.candidates = c;
        self
    }
    /// Search strategy (default [`Search::Auto`]: chosen per source).
    pub fn search(mut self, s: Search) -> Self {
        self.search = s;
        self
    }
    /// Initialisation (default k-medoids within each class).
    pub fn init(mut self, i: Init) -> Self {
        self.init = i;
        self
    }
    /// Number of fits from different seeds; the one with the lowest final cost is kept
    /// (`1..=100,000`; fits run in parallel and are compared as they finish, so
    /// memory does not grow with the count).
    ///
    /// Default: 8 fits up to [`AUTO_RESTARTS_UP_TO`](Self::AUTO_RESTARTS_UP_TO)
    /// objects, 1 above (where one fit costs seconds and the jumps have more
    /// candidates to recover from a poor start). Why 8: on iris with 2 prototypes per
    /// class, one k-medoids start reached 0.910 held-out accuracy (20 splits) and the
    /// best of 8 reached 0.947, as did `proto-dist-ml` (relational neural gas start)
    /// on the same splits; sonar and protein gained about 0.015. Whatever the
    /// setting, a start that uses no randomness (one prototype per class with the
    /// k-medoids or class-medoid start, or given indices) is fitted once: restarts
    /// would repeat it exactly.
    pub fn n_init(mut self, n: usize) -> Self {
        self.n_init = Some(n);
        self
    }

    /// The largest number of fits [`check`](Self::check) accepts.
    pub const MAX_N_INIT: usize = 100_000;

    /// The largest `|margin|` [`check`](Self::check) accepts.
    pub const MAX_MARGIN: f64 = 10.0;

    /// Up to this many objects, the default is 8 fits (see [`n_init`](Self::n_init)).
    pub const AUTO_RESTARTS_UP_TO: usize = 10_000;

    /// The number of fits that will run on `n` objects.
    pub(crate) fn restarts(&self, n: usize) -> usize {
        let deterministic = match self.init {
            Init::Given(_) => true,
            Init::Auto | Init::KMedoids { .. } | Init::ClassMedoid => self.prototypes_per_class == 1,
            Init::StratifiedRandom => false,
        };
        match self.n_init {
            _ if deterministic => 1,
            Some(k) => k,
            None if n <= Self::AUTO_RESTARTS_UP_TO => 8,
            None => 1,
        }
    }
    /// Seed of all randomness (default 0). Same seed, same model, on any thread count.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// Checks every parameter on its own (data-dependent checks happen in `fit`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the parameter, its value and what is allowed.
    pub fn check(&self) -> Result<ValidParams<F>, Error> {
        let bad = |name, value: String, expected| Err(Error::InvalidParameter { name, value, expected });
        if self.prototypes_per_class == 0 {
            return bad("prototypes_per_class", "0".into(), "at least 1");
        }
        if self.prototypes_per_class > 1 && self.init == Init::ClassMedoid {
            return bad("init", "ClassMedoid".into(), "ClassMedoid gives one prototype per class; use Init::KMedoids for several");
        }
        match self.transfer {
            Transfer::Sigmoid { beta } if !(beta.is_finite() && beta > F::zero()) => {
                return bad("transfer (sigmoid beta)", beta.to_string(), "a finite slope > 0");
            }
            _ => {}
        }
        if !(self.margin.is_finite() && self.margin.abs() <= F::from_f64(Self::MAX_MARGIN)) {
            return bad(
                "margin",
                self.margin.to_string(),
                "a finite number in [-10, 10]: μ lies in [-1, 1], and a larger margin only shifts every term or saturates the transfer while costing μ its precision",
            );
        }
        if self.transfer == Transfer::LogLikelihood && self.margin >= F::from_f64(3.0) {
            return bad("margin", self.margin.to_string(), "below 3 with the log-likelihood transfer (ln(4 − μ − margin) must exist)");
        }
        // Tiny weights would make every cost term subnormal (no precision left);
        // huge ones are checked against the data's size in `fit`.
        let tiny = <F as num_traits::Float>::min_positive_value() / <F as num_traits::Float>::epsilon();
        if let ClassWeights::Given(w) = &self.class_weights
            && let Some(x) = w.iter().find(|x| !(x.is_finite() && **x >= tiny))
        {
            return bad(
                "class_weights",
                x.to_string(),
                "finite weights > 0 (at least MIN_POSITIVE / EPSILON of the precision), one per class; only their ratios matter",
            );
        }
        if self.max_iter == 0 {
            return bad("max_iter", "0".into(), "at least 1 sweep");
        }
        if !(self.epsilon.is_finite() && self.epsilon >= F::zero()) {
            return bad("epsilon", self.epsilon.to_string(), "a finite number >= 0");
        }
        if !(self.tolerance.is_finite() && self.tolerance >= F::zero()) {
            return bad("tolerance", self.tolerance.to_string(), "a finite number >= 0");
        }
        if let Search::Linearised { checked: 0 } = self.search {
            return bad("search (linearised checked)", "0".into(), "at least 1 candidate checked exactly");
        }
        if let Init::KMedoids { rounds } = self.init
            && rounds > 1_000_000
        {
            return bad("init (k-medoids rounds)", rounds.to_string(), "at most 1,000,000");
        }
        if let Some(k) = self.n_init
            && !(1..=Self::MAX_N_INIT).contains(&k)
        {
            return bad("n_init", k.to_string(), "between 1 and 100,000 fits");
        }
        Ok(ValidParams(self.clone()))
    }
}

impl<F> ValidParams<F> {
    /// The checked parameters.
    pub fn params(&self) -> &MedianLvqParams<F> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_default_by_size_and_skip_deterministic_starts() {
        let p = MedianLvqParams::<f64>::new;
        assert_eq!(p().prototypes_per_class(2).restarts(100), 8);
        assert_eq!(p().prototypes_per_class(2).restarts(20_000), 1);
        assert_eq!(p().prototypes_per_class(2).n_init(3).restarts(20_000), 3);
        assert_eq!(p().n_init(5).restarts(100), 1); // K = 1: the class medoid, always
        assert_eq!(p().init(Init::StratifiedRandom).restarts(100), 8);
        assert_eq!(p().prototypes_per_class(3).init(Init::Given(vec![0, 1])).n_init(4).restarts(100), 1);
    }

    #[test]
    fn every_invalid_parameter_is_named() {
        let p = MedianLvqParams::<f64>::new;
        let cases: Vec<(MedianLvqParams<f64>, &str)> = vec![
            (p().prototypes_per_class(0), "prototypes_per_class"),
            (p().prototypes_per_class(2).init(Init::ClassMedoid), "init"),
            (p().transfer(Transfer::Sigmoid { beta: 0.0 }), "transfer (sigmoid beta)"),
            (p().transfer(Transfer::Sigmoid { beta: f64::NAN }), "transfer (sigmoid beta)"),
            (p().margin(f64::INFINITY), "margin"),
            (p().transfer(Transfer::LogLikelihood).margin(3.0), "margin"),
            (p().class_weights(ClassWeights::Given(vec![1.0, -1.0])), "class_weights"),
            (p().max_iter(0), "max_iter"),
            (p().epsilon(-1.0), "epsilon"),
            (p().tolerance(f64::NAN), "tolerance"),
            (p().search(Search::Linearised { checked: 0 }), "search (linearised checked)"),
            (p().init(Init::KMedoids { rounds: usize::MAX }), "init (k-medoids rounds)"),
            (p().n_init(0), "n_init"),
            (p().n_init(usize::MAX), "n_init"),
            (p().margin(1e308), "margin"),
            (p().margin(-11.0), "margin"),
            (p().class_weights(ClassWeights::Given(vec![1.0, 1e-300])), "class_weights"),
        ];
        for (params, name) in cases {
            match params.check() {
                Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(p().transfer(Transfer::LogLikelihood).margin(2.5).check().is_ok());
        assert!(p().class_weights(ClassWeights::Given(vec![1.0, 2.0])).check().is_ok());
    }
}
