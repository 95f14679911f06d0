"""The scikit-learn estimator: input checks and label encoding here, everything
numerical in the Rust core (``median_lvq._core``)."""

import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted, column_or_1d, validate_data

from . import _core

_FLOATS = [np.float64, np.float32]


class MedianGLVQ(ClassifierMixin, BaseEstimator):
    """Median generalized learning vector quantization (median GLVQ).

    Training picks ``prototypes_per_class`` actual training objects per class as
    prototypes, so that the nearest-prototype rule classifies well (it minimises
    the GLVQ cost by exact discrete jumps; the cost strictly decreases). A new
    object gets the label of its nearest prototype, so predicting needs only its
    dissimilarities to the ``K`` prototypes, and the model can be read by looking
    at the prototype objects.

    Parameters
    ----------
    prototypes_per_class : int, default=1
        Prototypes per class (every class needs at least that many objects).
    metric : "precomputed", "sqeuclidean" or callable, default="precomputed"
        * ``"precomputed"``: ``fit(D, y)`` with ``D`` the ``n × n`` dissimilarities
          (``D[i, j]``: object ``i`` seen from candidate ``j``; need not be
          symmetric); ``predict(D_new)`` with the ``m × n`` dissimilarities of new
          objects to the *training* objects (only the prototypes' columns are read).
        * ``"sqeuclidean"``: ``X`` holds vectors (``n × p``); the ``n × n`` matrix is
          never built unless it is small (the core computes it once when it fits
          its 512 MiB budget and the search reads every column).
        * a callable ``metric(a, b) -> float``: ``X`` is a sequence of arbitrary
          Python objects (strings, sequences, graphs). Correct but slow: the
          function is called once per pair (``n²`` calls for ``n`` objects up to
          the budget, one call at a time under the GIL), so precompute the matrix
          with a vectorised function when you can.
    transfer : {"identity", "sigmoid", "log_likelihood"}, default="identity"
        The transfer function ``Φ`` of the cost ``Σ v_i Φ(μ_i)``.
    beta : float, default=1.0
        Slope of the sigmoid transfer (ignored otherwise).
    margin : float, default=0.0
        Margin added to each object's relative distance ``μ`` (``|margin| <= 10``).
    class_weight : None, "balanced" or dict, default=None
        Weight of each class's objects in the cost: uniform, so that every class
        weighs the same in total, or ``{label: weight}`` for every class.
    max_iter : int, default=100
        Maximum number of sweeps (the crate's ``max_sweeps``).
    n_init : int or None, default=None
        Restarts from different random starts (the lowest cost wins); ``None``: 8
        up to 10,000 objects and 1 above.
    init : {"auto", "kmedoids", "class_medoid", "random", "neural_gas"} or list of int, default="auto"
        Where the prototypes start: class-wise k-medoids (``"auto"``), the class
        medoid, random objects, class-wise relational neural gas (the reference
        implementation's start), or given training indices.
    search : {"auto", "exhaustive", "linearised", "candidate_major"}, default="auto"
        How candidates are searched; ``"auto"`` chooses per metric and size.
    candidates : {"receptive_field", "whole_class"}, default="receptive_field"
        Which objects a prototype may jump to.
    random_state : int, RandomState instance or None, default=None
        Seeds the starts. The model depends only on it, never on ``n_jobs``.
    n_jobs : int or None, default=None
        Threads: ``None`` all cores (the core's pool), ``-1`` all cores, ``-2`` all
        but one, a positive number that many.
    verbose : int, default=0
        If positive, prints one line per sweep (``print``, so notebooks show it).
    warm_start : bool, default=False
        If fitted already, start from the current prototypes (``init`` is then
        ignored): to continue training, or to refit after appending objects (the
        old indices must still denote the same objects).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    prototype_indices_ : ndarray of shape (K,)
        The training objects that are the prototypes (indices into the ``X``/``D``
        given to ``fit``).
    prototype_labels_ : ndarray of shape (K,)
        Each prototype's label.
    prototypes_ : ndarray of shape (K, p) or list
        The prototype rows (``metric="sqeuclidean"``) or objects (callable
        metric); not set for ``"precomputed"``.
    cost_history_ : ndarray
        The cost after initialisation and after each sweep (strictly decreasing).
    n_iter_ : int
        Sweeps done.
    termination_ : str
        Why training stopped: ``"converged"``, ``"max_sweeps"``,
        ``"sweep_improvement"`` or ``"interrupted"``.
    n_features_in_ : int
        Columns of the training input (``n`` for ``"precomputed"``).

    Notes
    -----
    Training runs in Rust with the GIL released; Ctrl-C stops it and raises
    ``KeyboardInterrupt``. Float32 input is trained in float32 (costs summed in
    float64), anything else in float64. Objects of sample weight 0 are left out of
    training entirely (neither counted nor candidates), as if absent.

    Examples
    --------
    >>> import numpy as np
    >>> from median_lvq import MedianGLVQ
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> D = (x[:, None] - x[None, :]) ** 2
    >>> model = MedianGLVQ().fit(D, ["a", "a", "a", "b", "b", "b"])
    >>> model.prototype_indices_.tolist()
    [1, 4]
    >>> model.predict((np.array([3.0, 9.0])[:, None] - x[None, :]) ** 2).tolist()
    ['a', 'b']
    """

    def __init__(
        self,
        prototypes_per_class=1,
        *,
        metric="precomputed",
        transfer="identity",
        beta=1.0,
        margin=0.0,
        class_weight=None,
        max_iter=100,
        n_init=None,
        init="auto",
        search="auto",
        candidates="receptive_field",
        random_state=None,
        n_jobs=None,
        verbose=0,
        warm_start=False,
    ):
        self.prototypes_per_class = prototypes_per_class
        self.metric = metric
        self.transfer = transfer
        self.beta = beta
        self.margin = margin
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.search = search
        self.candidates = candidates
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.pairwise = isinstance(self.metric, str) and self.metric == "precomputed"
        if callable(self.metric):
            tags.input_tags.two_d_array = False
            tags.input_tags.string = True
        return tags

    # ---- fitting ---------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fits the prototypes.

        Parameters
        ----------
        X : array of shape (n, n) or (n, p), or a sequence of n objects
            Per ``metric``: the dissimilarities, the vectors or the objects.
        y : array-like of shape (n,)
            Labels of any type numpy can sort.
        sample_weight : array-like of shape (n,), optional
            Non-negative weight per object, multiplying its class weight; an integer
            weight counts the object that many times, 0 leaves it out.

        Returns
        -------
        self
        """
        metric = self._metric()
        if metric == "callable":
            objects = list(X)
            y = column_or_1d(y, warn=True)
            if len(objects) != len(y):
                raise ValueError(f"X holds {len(objects)} objects but y holds {len(y)} labels")
            if len(objects) == 0:
                raise ValueError("X holds no objects: at least two are needed")
            dtype = np.float64
        else:
            # A precomputed matrix is checked entry by entry in the core (naming the
            # entry), so it is not scanned here twice.
            finite = metric != "precomputed"
            X, y = validate_data(self, X, y, dtype=_FLOATS, ensure_all_finite=finite)
            X = _contiguous(X)
            if metric == "precomputed" and X.shape[0] != X.shape[1]:
                raise ValueError(
                    f"metric='precomputed' needs the square n x n matrix of the training objects' "
                    f"dissimilarities; got shape {X.shape}"
                )
            dtype = X.dtype
            objects = None
        check_classification_targets(y)
        n = len(y)
        keep = np.arange(n)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, np.empty((n, 0)) if objects is not None else X, dtype=dtype)
            bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
            if bad.size:
                i = bad[0]
                raise ValueError(f"sample_weight[{i}] = {weights[i]} is invalid: weights must be finite and non-negative")
            keep = np.flatnonzero(weights > 0)
            if keep.size == 0:
                raise ValueError("sample_weight is 0 for every object: at least two classes need a positive weight")
            weights = np.ascontiguousarray(weights[keep], dtype=dtype)
        if keep.size < n:
            y = y[keep]
            if objects is not None:
                objects = [objects[i] for i in keep]
            elif metric == "precomputed":
                X = np.ascontiguousarray(X[np.ix_(keep, keep)])
            else:
                X = np.ascontiguousarray(X[keep])
        classes, codes = np.unique(y, return_inverse=True)
        settings = self._settings(classes, keep, n)
        codes = np.ascontiguousarray(codes.reshape(-1), dtype=np.int64)
        if metric == "callable":
            model = _core.fit_callable(objects, self.metric, codes, weights, settings)
        else:
            model = _core.fit_array_of(metric, X, codes, weights, settings)
        self._model = model
        local = np.asarray(model.prototype_indices, dtype=np.intp)
        self.classes_ = classes
        self.prototype_indices_ = keep[local]
        self.prototype_labels_ = classes[np.asarray(model.prototype_labels, dtype=np.intp)]
        if metric == "sqeuclidean":
            self.prototypes_ = np.ascontiguousarray(X[local])
        elif metric == "callable":
            self.prototypes_ = [objects[i] for i in local]
        self.cost_history_ = np.asarray(model.cost_history)
        self.n_iter_ = model.sweeps
        self.termination_ = model.termination
        return self

    def _metric(self):
        if callable(self.metric):
            return "callable"
        if isinstance(self.metric, str) and self.metric in ("precomputed", "sqeuclidean"):
            return self.metric
        raise ValueError(f"metric={self.metric!r} is invalid: use 'precomputed', 'sqeuclidean' or a callable")

    def _settings(self, classes, keep, n):
        """The parameters for the core (which validates their values)."""
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            unknown = [label for label in class_weight if label not in set(classes.tolist())]
            if unknown:
                raise ValueError(f"class_weight has a weight for {unknown[0]!r}, which is not a class of y")
            missing = [label for label in classes.tolist() if label not in class_weight]
            if missing:
                raise ValueError(f"class_weight has no weight for class {missing[0]!r}: give one for every class")
            class_weight = [float(class_weight[label]) for label in classes.tolist()]
        elif class_weight is not None and not (isinstance(class_weight, str) and class_weight == "balanced"):
            raise ValueError(f"class_weight={class_weight!r} is invalid: use None, 'balanced' or a dict by label")
        init = self.init
        if self.warm_start and hasattr(self, "prototype_indices_"):
            init = self.prototype_indices_.tolist()
        if not isinstance(init, str):
            given = np.asarray(init)
            if given.ndim != 1 or not np.issubdtype(given.dtype, np.integer):
                raise ValueError(f"init={init!r} is invalid: use a name or a list of training indices")
            position = np.full(n, -1)
            position[keep] = np.arange(keep.size)
            for i in given.tolist():
                if not 0 <= i < n:
                    raise ValueError(f"init index {i} is out of range: there are {n} training objects")
                if position[i] < 0:
                    raise ValueError(f"init index {i} is an object of sample weight 0, which is left out of training")
            init = [int(position[i]) for i in given.tolist()]
        return {
            "prototypes_per_class": _integer(self.prototypes_per_class, "prototypes_per_class"),
            "transfer": self.transfer,
            "beta": _real(self.beta, "beta"),
            "margin": _real(self.margin, "margin"),
            "class_weight": class_weight,
            "max_iter": _integer(self.max_iter, "max_iter"),
            "n_init": None if self.n_init is None else _integer(self.n_init, "n_init"),
            "init": init,
            "search": self.search,
            "candidates": self.candidates,
            "seed": _seed(self.random_state),
            "n_jobs": _threads(self.n_jobs),
            "verbose": bool(self.verbose),
        }

    # ---- prediction ------------------------------------------------------------

    def prototype_dissimilarities(self, X):
        """The ``m × K`` dissimilarities of new objects to the prototypes.

        ``X`` as for :meth:`predict`: the ``m × n`` dissimilarities to the training
        objects (``"precomputed"``: the prototypes' columns are taken), ``m``
        vectors, or ``m`` objects (callable metric: ``m · K`` calls).
        """
        check_is_fitted(self)
        metric = self._metric()
        dtype = np.dtype(self._model.dtype)
        if metric == "callable":
            objects = list(X)
            d = np.array([[self.metric(x, p) for p in self.prototypes_] for x in objects], dtype=np.float64)
            return d.reshape(len(objects), len(self.prototypes_))
        # Precomputed entries are checked where they are read (the prototypes'
        # columns), naming the entry; vectors here.
        X = validate_data(self, X, reset=False, dtype=_FLOATS, ensure_all_finite=metric != "precomputed")
        if metric == "precomputed":
            return np.ascontiguousarray(X[:, self.prototype_indices_], dtype=dtype)
        return _core.sqeuclidean_to(_contiguous(X.astype(dtype, copy=False)), self.prototypes_)

    def _decide(self, d):
        check_is_fitted(self)
        d = check_array(d, dtype=_FLOATS, ensure_all_finite=False, ensure_min_samples=0)
        k = len(self.prototype_indices_)
        if d.shape[1] != k:
            raise ValueError(f"expected dissimilarities to the {k} prototypes (m x {k}); got shape {d.shape}")
        d = np.ascontiguousarray(d, dtype=np.dtype(self._model.dtype))
        return self._model.decide(d)

    def _decide_new(self, X):
        d = self.prototype_dissimilarities(X)
        try:
            return self._decide(d)
        except ValueError as e:
            if self._metric() == "precomputed":
                # Name the entry in the caller's matrix, not in its prototype columns.
                bad = np.argwhere(~np.isfinite(d) | (d < 0))
                if bad.size:
                    r, k = bad[0]
                    col = self.prototype_indices_[k]
                    raise ValueError(
                        f"D[{r}, {col}] = {d[r, k]} is not a dissimilarity (finite and non-negative); "
                        f"column {col} is a prototype's"
                    ) from e
            raise

    def predict(self, X):
        """The label of each new object's nearest prototype (``X`` as for ``fit``;
        ``"precomputed"``: ``m × n`` dissimilarities to the training objects)."""
        labels = self._decide_new(X)[0]
        return self.classes_[labels]

    def predict_proba(self, X):
        """Class probabilities (columns in ``classes_`` order): a softmax over minus
        each class's nearest-prototype dissimilarity, divided by the object's
        distance to its nearest prototype (scale-free; the most probable class is
        the predicted one)."""
        return self._decide_new(X)[1]

    def decision_function(self, X):
        """The GLVQ classifier value of each class, ``(d_other − d_c) / (d_other +
        d_c)`` in ``[-1, 1]`` (``d_c``: nearest prototype of class ``c``,
        ``d_other``: nearest of another class): positive only for the predicted
        class. Binary problems: the value of ``classes_[1]``, shape ``(m,)``."""
        scores = self._decide_new(X)[2]
        return scores[:, 1] if len(self.classes_) == 2 else scores

    def predict_from_prototypes(self, D):
        """Labels from the ``m × K`` dissimilarities to the prototypes (in
        ``prototype_indices_`` order), e.g. computed by your own tool."""
        return self.classes_[self._decide(D)[0]]

    def predict_proba_from_prototypes(self, D):
        """:meth:`predict_proba` from the ``m × K`` dissimilarities to the prototypes."""
        return self._decide(D)[1]


def _contiguous(a):
    """``a`` itself when C- or Fortran-contiguous (the core borrows either without
    copying), else a C-ordered copy."""
    return a if a.flags.c_contiguous or a.flags.f_contiguous else np.ascontiguousarray(a)


def _integer(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"parameter {name}={value!r} is invalid: an integer is needed")
    if value < 0:
        raise ValueError(f"parameter {name}={value!r} is invalid: it must be positive")
    return int(value)


def _real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"parameter {name}={value!r} is invalid: a number is needed")
    return float(value)


def _seed(random_state):
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, (bool, np.bool_)):
        if random_state < 0:
            raise ValueError(f"random_state={random_state} is invalid: use a non-negative integer")
        return int(random_state) % 2**64
    return int(check_random_state(random_state).randint(np.iinfo(np.int64).max))


def _threads(n_jobs):
    if n_jobs is None:
        return None
    n_jobs = _signed(n_jobs, "n_jobs")
    cores = os.cpu_count() or 1
    if n_jobs == 0:
        raise ValueError("n_jobs=0 is invalid: use None or -1 (all cores), -2 (all but one) or a positive count")
    if n_jobs > 4096:
        raise ValueError(f"n_jobs={n_jobs} is invalid: at most 4096 threads (this machine has {cores} cores)")
    return n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)


def _signed(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"parameter {name}={value!r} is invalid: an integer is needed")
    return int(value)
