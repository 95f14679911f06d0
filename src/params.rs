//! Training parameters: a builder, validated once before fitting (linfa style).

use crate::{Error, Float, Transfer};

/// How each class's objects are weighted in the cost.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum ClassWeights<F> {
    /// Every object counts 1.
    #[default]
    Uniform,
    /// Class `c` counts `n / (n_classes · n_c)`: every class weighs the same in total.
    Balanced,
    /// One positive weight per class, in sorted label order (or built by label
    /// with [`ClassWeights::by_label`]).
    Given(Vec<F>),
}

impl<F: Float> ClassWeights<F> {
    /// Weights given by label, in any order: `weights` pairs each class label with
    /// its weight, `labels` are the training labels (to check that every class
    /// gets exactly one). The result is [`ClassWeights::Given`] in sorted label
    /// order, so nothing positional is left to get wrong.
    ///
    /// ```
    /// use median_lvq::ClassWeights;
    /// let y = ["dog", "cat", "dog", "bird"];
    /// let w = ClassWeights::by_label(&[("dog", 1.0), ("bird", 3.0), ("cat", 2.0)], &y)?;
    /// assert_eq!(w, ClassWeights::Given(vec![3.0, 2.0, 1.0])); // bird, cat, dog
    /// assert!(ClassWeights::by_label(&[("dog", 1.0), ("cat", 2.0)], &y).is_err()); // no bird
    /// # Ok::<(), median_lvq::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming a class without a weight, a weight for a
    /// label that is not a class, or a label given twice.
    pub fn by_label<L: Clone + Ord + std::fmt::Debug>(weights: &[(L, F)], labels: &[L]) -> Result<Self, Error> {
        let classes = crate::classes::Classes::encode(labels);
        let mut given: Vec<Option<F>> = vec![None; classes.len()];
        for (label, w) in weights {
            let bad = |expected| Err(Error::InvalidParameter { name: "class_weights", value: format!("{label:?}"), expected });
            match classes.labels.binary_search(label) {
                Err(_) => return bad("a weight for a label of the training objects only"),
                Ok(c) if given[c].is_some() => return bad("one weight per label (this one is given twice)"),
                Ok(c) => given[c] = Some(*w),
            }
        }
        given
            .iter()
            .zip(&classes.labels)
            .map(|(w, l)| {
                w.ok_or_else(|| Error::InvalidParameter {
                    name: "class_weights",
                    value: format!("no weight for {l:?}"),
                    expected: "a weight for every class of the training labels",
                })
            })
            .collect::<Result<Vec<F>, Error>>()
            .map(ClassWeights::Given)
    }
}

/// Which objects a prototype may jump to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    ///
    /// Over vectors ([`SquaredEuclidean`](crate::SquaredEuclidean), see
    /// or a [`Subset`](crate::Subset) of them: see
    /// [`Dissimilarity::squared_euclidean`](crate::Dissimilarity::squared_euclidean))
    /// the proposals are made a sweep at a time: every prototype's shortlist comes
    /// from two passes over the rows (its weighted sum has a closed form), the exact
    /// `ΔE` of all shortlists from one pass of matrix products over blocks of rows
    /// (compute-bound: `2 n p K checked` flops), and each prototype's best
    /// candidate is then accepted in the usual visiting order only if it still
    /// lowers the cost *now*, computed exactly from its column (a proposal made
    /// stale by an earlier jump of the sweep is dropped; the next sweep proposes
    /// again). A sweep that accepts nothing retries once with `2 · checked` before
    /// training counts as converged. Other sources propose a prototype at a time,
    /// against the caches of the moment.
    Linearised {
        /// How many of the best-ranked candidates get the exact check (`>= 1`).
        checked: usize,
    },
    /// Candidate by candidate instead of prototype by prototype: each sweep visits
    /// every object of every class once (ascending index, class by class) and scores
    /// it against every prototype of its class in one pass over its column (with
    /// [`Candidates::WholeClass`]; with receptive fields, against the prototype it is
    /// closest to); its best improving jump is taken at once. A sweep then reads each
    /// column once however many prototypes a class has; jumps are exact, so the cost
    /// strictly decreases as in the other searches.
    ///
    /// Worth it with [`Candidates::WholeClass`] and many prototypes per class (8 per
    /// class over a 8,000-object matrix: 0.48 s against 0.79 s for the exhaustive
    /// whole-class search). Not the default: over receptive fields the exhaustive
    /// sweep reads each column about once too, with a faster pass (0.17 vs 0.39 s at
    /// 3 per class), and taking the first improving candidate rather than the best
    /// ends at a slightly higher cost on most of the shipped data sets. Like
    /// [`Exhaustive`](Self::Exhaustive) it reads every column at every sweep, so a
    /// source that computes its columns (vectors) is turned into its matrix when
    /// that fits [`matrix_budget`](crate::MedianLvqParams::matrix_budget), and is
    /// `O(n² p)` per sweep beyond it.
    CandidateMajor,
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
#[non_exhaustive]
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
    /// Class-wise relational neural gas (Hammer & Hasenfuss 2007), the start of
    /// the reference implementations: within each class, `K_c` prototypes are
    /// convex combinations `α_k` of the class's objects, at distance
    /// `d(i, w_k) = [D α_k]_i − ½ α_kᵀ D α_k`. They start at `K_c` distinct random
    /// objects of the class; each of `epochs` epochs ranks the prototypes for every
    /// object of the class (`rank_k(i)` in `0..K_c`, ties to the lower index) and
    /// sets `α_k ∝ Σ_i exp(−rank_k(i) / λ) e_i`, with `λ` shrinking geometrically
    /// from `K_c / 2` (first epoch) to `0.01` (last); finally each prototype becomes
    /// the object of the class closest to it (distinct objects, prototypes in
    /// order). With one prototype per class this is the class medoid.
    ///
    /// Costs `O(epochs · K_c · n_c²)` per class and holds each class's `n_c × n_c`
    /// dissimilarities in `f64` (within [`matrix_budget`](crate::MedianLvqParams::matrix_budget)):
    /// a start for matrices of up to a few thousand objects per class.
    NeuralGas {
        /// Epochs (`>= 1`; 100 in the reference implementation's spirit).
        epochs: usize,
    },
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
pub struct MedianLvqParams<F>(pub(crate) ValidParams<F>);

/// Parameters that passed [`MedianLvqParams::check`]; only these can fit. Their
/// values are read back with the getters below.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidParams<F> {
    pub(crate) prototypes_per_class: usize,
    pub(crate) transfer: Transfer<F>,
    pub(crate) margin: F,
    pub(crate) class_weights: ClassWeights<F>,
    pub(crate) max_sweeps: usize,
    pub(crate) min_sweep_improvement: F,
    pub(crate) min_jump_improvement: F,
    pub(crate) candidates: Candidates,
    pub(crate) search: Search,
    pub(crate) init: Init,
    /// `None`: chosen by [`MedianLvqParams::AUTO_RESTARTS_UP_TO`].
    pub(crate) n_init: Option<usize>,
    pub(crate) seed: u64,
    /// Bytes the `n × n` matrix of a source that computes its columns may take to
    /// be computed once before training.
    pub(crate) matrix_budget: usize,
    /// One weight per object, multiplying its class weight (`None`: all 1).
    pub(crate) sample_weights: Option<Vec<F>>,
}

impl<F: Float> Default for MedianLvqParams<F> {
    fn default() -> Self {
        Self(ValidParams {
            prototypes_per_class: 1,
            transfer: Transfer::Identity,
            margin: F::zero(),
            class_weights: ClassWeights::Uniform,
            max_sweeps: 100,
            min_sweep_improvement: F::zero(),
            min_jump_improvement: F::from_f64(1e-12),
            candidates: Candidates::ReceptiveField,
            search: Search::Auto,
            init: Init::Auto,
            n_init: None,
            seed: 0,
            matrix_budget: MedianLvqParams::<F>::DEFAULT_MATRIX_BUDGET,
            sample_weights: None,
        })
    }
}

/// Back to the builder, to change and check again.
impl<F> From<ValidParams<F>> for MedianLvqParams<F> {
    fn from(valid: ValidParams<F>) -> Self {
        Self(valid)
    }
}

impl<F: Float> MedianLvqParams<F> {
    /// The defaults: one prototype per class, identity transfer, no margin, uniform
    /// class weights, at most 100 sweeps, no minimum sweep improvement, a minimum
    /// jump improvement of `1e-12`,
    /// receptive-field candidates, search chosen per source ([`Search::Auto`]),
    /// k-medoids initialisation, 8 fits up to 10,000 objects and 1 above
    /// ([`n_init`](Self::n_init)), seed 0.
    pub fn new() -> Self {
        Self::default()
    }
    /// Prototypes per class (`>= 1`; default 1).
    #[must_use]
    pub fn prototypes_per_class(mut self, k: usize) -> Self {
        self.0.prototypes_per_class = k;
        self
    }
    /// The transfer function `Φ` (default identity).
    #[must_use]
    pub fn transfer(mut self, t: Transfer<F>) -> Self {
        self.0.transfer = t;
        self
    }
    /// Margin added to every `μ` before `Φ` (in `[−10, 10]`; below 3 for the
    /// log-likelihood; default 0).
    #[must_use]
    pub fn margin(mut self, m: F) -> Self {
        self.0.margin = m;
        self
    }
    /// Class weights `v` (default uniform).
    #[must_use]
    pub fn class_weights(mut self, w: ClassWeights<F>) -> Self {
        self.0.class_weights = w;
        self
    }
    /// A weight per object (finite, `>= 0`, not all 0), multiplying its class
    /// weight in the cost: `E = Σ_i s_i v_{y_i} Φ(μ_i + margin)`. An integer weight
    /// counts the object that many times; weights all 1 give the model of no
    /// weights, bit for bit. `fit` checks that there is one per object.
    ///
    /// ```
    /// use median_lvq::MedianLvqParams;
    /// let p = MedianLvqParams::<f64>::new().sample_weights(vec![1.0, 2.0, 0.0]);
    /// assert!(p.check().is_ok());
    /// assert!(MedianLvqParams::<f64>::new().sample_weights(vec![0.0, 0.0]).check().is_err());
    /// ```
    #[must_use]
    pub fn sample_weights(mut self, w: Vec<F>) -> Self {
        self.0.sample_weights = Some(w);
        self
    }
    /// Maximum number of sweeps, each visiting every prototype once (`>= 1`;
    /// default 100).
    #[must_use]
    pub fn max_sweeps(mut self, m: usize) -> Self {
        self.0.max_sweeps = m;
        self
    }
    /// Stop rule of the sweeps: stop when a whole sweep lowers the cost by less than
    /// this fraction of `|E|` (`>= 0`; default 0: stop only when a sweep accepts no
    /// jump).
    #[must_use]
    pub fn min_sweep_improvement(mut self, e: F) -> Self {
        self.0.min_sweep_improvement = e;
        self
    }
    /// Acceptance rule of a jump: it is taken only if it lowers the cost by more than
    /// this fraction of `Σ_i v_{y_i}` (`>= 0`; default `1e-12`), so rounding noise is
    /// never accepted as an improvement.
    #[must_use]
    pub fn min_jump_improvement(mut self, t: F) -> Self {
        self.0.min_jump_improvement = t;
        self
    }
    /// Old name of [`max_sweeps`](Self::max_sweeps).
    #[deprecated(note = "renamed to `max_sweeps`: it counts sweeps")]
    #[must_use]
    pub fn max_iter(self, m: usize) -> Self {
        self.max_sweeps(m)
    }
    /// Old name of [`min_sweep_improvement`](Self::min_sweep_improvement).
    #[deprecated(note = "renamed to `min_sweep_improvement`: the stop rule of the sweeps")]
    #[must_use]
    pub fn epsilon(self, e: F) -> Self {
        self.min_sweep_improvement(e)
    }
    /// Old name of [`min_jump_improvement`](Self::min_jump_improvement).
    #[deprecated(note = "renamed to `min_jump_improvement`: the acceptance rule of a jump")]
    #[must_use]
    pub fn tolerance(self, t: F) -> Self {
        self.min_jump_improvement(t)
    }
    /// Candidate set of each prototype (default receptive field).
    #[must_use]
    pub fn candidates(mut self, c: Candidates) -> Self {
        self.0.candidates = c;
        self
    }
    /// Search strategy (default [`Search::Auto`]: chosen per source).
    #[must_use]
    pub fn search(mut self, s: Search) -> Self {
        self.0.search = s;
        self
    }
    /// Initialisation (default k-medoids within each class).
    #[must_use]
    pub fn init(mut self, i: Init) -> Self {
        self.0.init = i;
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
    #[must_use]
    pub fn n_init(mut self, n: usize) -> Self {
        self.0.n_init = Some(n);
        self
    }

    /// Memory in bytes for computing every dissimilarity once (default
    /// [`DEFAULT_MATRIX_BUDGET`](Self::DEFAULT_MATRIX_BUDGET); 0 never does).
    ///
    /// A source that computes its columns (vectors, a kernel, your function)
    /// would otherwise compute each column again at every sweep of every restart
    /// under the exhaustive search. When the search is exhaustive and the
    /// `n × n` matrix takes at most this many bytes, `fit` computes it once (with
    /// the source's own `columns`, so the values are bit for bit the source's, and
    /// so is the model) and trains on it; above the budget, columns are computed
    /// as they are needed (give a [`FunctionSource`](crate::FunctionSource) a
    /// bounded cache with `with_cache`). The linearised search, the default on
    /// large vector sources, needs few columns and never builds the matrix.
    #[must_use]
    pub fn matrix_budget(mut self, bytes: usize) -> Self {
        self.0.matrix_budget = bytes;
        self
    }

    /// The default of [`matrix_budget`](Self::matrix_budget): 512 MiB, an `n × n`
    /// matrix of 8,192 objects in `f64` or 11,585 in `f32`.
    pub const DEFAULT_MATRIX_BUDGET: usize = 512 << 20;

    /// The largest number of fits [`check`](Self::check) accepts.
    pub const MAX_N_INIT: usize = 100_000;

    /// The largest `|margin|` [`check`](Self::check) accepts.
    pub const MAX_MARGIN: f64 = 10.0;

    /// Up to this many objects, the default is 8 fits (see [`n_init`](Self::n_init)).
    pub const AUTO_RESTARTS_UP_TO: usize = 10_000;

    /// Seed of all randomness (default 0). Same seed, same model, on any thread count.
    #[must_use]
    pub fn seed(mut self, s: u64) -> Self {
        self.0.seed = s;
        self
    }

    /// Checks every parameter on its own (data-dependent checks happen in `fit`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the parameter, its value and what is allowed.
    pub fn check(&self) -> Result<ValidParams<F>, Error> {
        self.validate().map(|()| self.0.clone())
    }

    /// The checks of [`check`](Self::check).
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let bad = |name, value: String, expected| Err(Error::InvalidParameter { name, value, expected });
        if self.0.prototypes_per_class == 0 {
            return bad("prototypes_per_class", "0".into(), "at least 1");
        }
        if self.0.prototypes_per_class > 1 && self.0.init == Init::ClassMedoid {
            return bad("init", "ClassMedoid".into(), "ClassMedoid gives one prototype per class; use Init::KMedoids for several");
        }
        match self.0.transfer {
            Transfer::Sigmoid { beta } if !(beta.is_finite() && beta > F::zero()) => {
                return bad("transfer (sigmoid beta)", beta.to_string(), "a finite slope > 0");
            }
            _ => {}
        }
        if !(self.0.margin.is_finite() && self.0.margin.abs() <= F::from_f64(Self::MAX_MARGIN)) {
            return bad(
                "margin",
                self.0.margin.to_string(),
                "a finite number in [-10, 10]: μ lies in [-1, 1], and a larger margin only shifts every term or saturates the transfer while costing μ its precision",
            );
        }
        if self.0.transfer == Transfer::LogLikelihood && self.0.margin >= F::from_f64(3.0) {
            return bad("margin", self.0.margin.to_string(), "below 3 with the log-likelihood transfer (ln(4 − μ − margin) must exist)");
        }
        // Tiny weights would make every cost term subnormal (no precision left);
        // huge ones are checked against the data's size in `fit`.
        let tiny = <F as num_traits::Float>::min_positive_value() / <F as num_traits::Float>::epsilon();
        if let ClassWeights::Given(w) = &self.0.class_weights
            && let Some(x) = w.iter().find(|x| !(x.is_finite() && **x >= tiny))
        {
            return bad(
                "class_weights",
                x.to_string(),
                "finite weights > 0 (at least MIN_POSITIVE / EPSILON of the precision), one per class; only their ratios matter",
            );
        }
        if let Some(w) = &self.0.sample_weights {
            if let Some((i, x)) = w.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x >= F::zero())) {
                return bad("sample_weights", format!("{x} (object {i})"), "finite weights >= 0, one per object");
            }
            if !w.iter().any(|x| *x > F::zero()) {
                return bad("sample_weights", "all 0".into(), "at least one weight > 0");
            }
        }
        if self.0.max_sweeps == 0 {
            return bad("max_sweeps", "0".into(), "at least 1 sweep");
        }
        if !(self.0.min_sweep_improvement.is_finite() && self.0.min_sweep_improvement >= F::zero()) {
            return bad("min_sweep_improvement", self.0.min_sweep_improvement.to_string(), "a finite number >= 0");
        }
        if !(self.0.min_jump_improvement.is_finite() && self.0.min_jump_improvement >= F::zero()) {
            return bad("min_jump_improvement", self.0.min_jump_improvement.to_string(), "a finite number >= 0");
        }
        if let Search::Linearised { checked: 0 } = self.0.search {
            return bad("search (linearised checked)", "0".into(), "at least 1 candidate checked exactly");
        }
        if let Init::KMedoids { rounds } = self.0.init
            && rounds > 1_000_000
        {
            return bad("init (k-medoids rounds)", rounds.to_string(), "at most 1,000,000");
        }
        if let Init::NeuralGas { epochs } = self.0.init
            && !(1..=100_000).contains(&epochs)
        {
            return bad("init (neural gas epochs)", epochs.to_string(), "between 1 and 100,000");
        }
        if let Some(k) = self.0.n_init
            && !(1..=Self::MAX_N_INIT).contains(&k)
        {
            return bad("n_init", k.to_string(), "between 1 and 100,000 fits");
        }
        Ok(())
    }
}

/// The checked values, read back (setters are on [`MedianLvqParams`]).
impl<F: Float> ValidParams<F> {
    /// Prototypes per class.
    pub fn prototypes_per_class(&self) -> usize {
        self.prototypes_per_class
    }
    /// The transfer function.
    pub fn transfer(&self) -> Transfer<F> {
        self.transfer
    }
    /// The margin.
    pub fn margin(&self) -> F {
        self.margin
    }
    /// The class weights.
    pub fn class_weights(&self) -> &ClassWeights<F> {
        &self.class_weights
    }
    /// The maximum number of sweeps.
    pub fn max_sweeps(&self) -> usize {
        self.max_sweeps
    }
    /// The stop rule of the sweeps (a fraction of `|E|`).
    pub fn min_sweep_improvement(&self) -> F {
        self.min_sweep_improvement
    }
    /// The acceptance rule of a jump (a fraction of `Σ v`).
    pub fn min_jump_improvement(&self) -> F {
        self.min_jump_improvement
    }
    /// The candidates of each prototype.
    pub fn candidates(&self) -> Candidates {
        self.candidates
    }
    /// The search strategy (before [`Search::Auto`] is resolved for a source).
    pub fn search(&self) -> Search {
        self.search
    }
    /// The initialisation.
    pub fn init(&self) -> &Init {
        &self.init
    }
    /// The number of fits, if set (`None`: chosen by the number of objects).
    pub fn n_init(&self) -> Option<usize> {
        self.n_init
    }
    /// The number of fits that will run on `n` objects.
    pub fn restarts(&self, n: usize) -> usize {
        self.restarts_for(n)
    }

    /// The number of fits that will run on `n` objects.
    fn restarts_for(&self, n: usize) -> usize {
        let deterministic = match self.init {
            Init::Given(_) => true,
            Init::Auto | Init::KMedoids { .. } | Init::ClassMedoid | Init::NeuralGas { .. } => self.prototypes_per_class == 1,
            Init::StratifiedRandom => false,
        };
        match self.n_init {
            _ if deterministic => 1,
            Some(k) => k,
            None if n <= MedianLvqParams::<F>::AUTO_RESTARTS_UP_TO => 8,
            None => 1,
        }
    }

    /// Memory for computing every dissimilarity once (see
    /// [`MedianLvqParams::matrix_budget`]).
    pub fn matrix_budget(&self) -> usize {
        self.matrix_budget
    }
    /// The weight of each object, if given.
    pub fn sample_weights(&self) -> Option<&[F]> {
        self.sample_weights.as_deref()
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_default_by_size_and_skip_deterministic_starts() {
        let p = MedianLvqParams::<f64>::new;
        let r = |p: MedianLvqParams<f64>, n: usize| p.check().unwrap().restarts(n);
        assert_eq!(r(p().prototypes_per_class(2), 100), 8);
        assert_eq!(r(p().prototypes_per_class(2), 20_000), 1);
        assert_eq!(r(p().prototypes_per_class(2).n_init(3), 20_000), 3);
        assert_eq!(r(p().n_init(5), 100), 1); // K = 1: the class medoid, always
        assert_eq!(r(p().init(Init::StratifiedRandom), 100), 8);
        assert_eq!(r(p().prototypes_per_class(3).init(Init::Given(vec![0, 1])).n_init(4), 100), 1);
    }

    #[test]
    fn class_weights_by_label_name_what_is_wrong() {
        let y = ["b", "a", "b"];
        assert_eq!(ClassWeights::by_label(&[("b", 2.0), ("a", 1.0)], &y), Ok(ClassWeights::Given(vec![1.0, 2.0])));
        for (weights, value) in
            [(vec![("a", 1.0), ("c", 1.0)], "\"c\""), (vec![("a", 1.0), ("a", 2.0)], "\"a\""), (vec![("a", 1.0)], "no weight for \"b\"")]
        {
            match ClassWeights::by_label(&weights, &y) {
                Err(Error::InvalidParameter { name: "class_weights", value: v, .. }) => assert_eq!(v, value),
                other => panic!("{weights:?}: {other:?}"),
            }
        }
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
            (p().max_sweeps(0), "max_sweeps"),
            (p().min_sweep_improvement(-1.0), "min_sweep_improvement"),
            (p().min_jump_improvement(f64::NAN), "min_jump_improvement"),
            (p().search(Search::Linearised { checked: 0 }), "search (linearised checked)"),
            (p().init(Init::KMedoids { rounds: usize::MAX }), "init (k-medoids rounds)"),
            (p().init(Init::NeuralGas { epochs: 0 }), "init (neural gas epochs)"),
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
