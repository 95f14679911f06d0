"""The estimator end to end: agreement with the Rust `evaluate` example, pickling,
precisions, metrics, bad input, interruption, scikit-learn tooling."""

import _thread
import os
import pickle
import re
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest
from conftest import ROOT, levenshtein, read_label_first, shared
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from median_lvq import MedianGLVQ


def sq_euclidean(a, b):
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


# ---- the same models as the Rust core ---------------------------------------


def evaluate(args):
    """Runs the crate's `evaluate` example; its per-split lines as dicts."""
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    out = subprocess.run(
        ["cargo", "run", "-q", "--example", "evaluate", "--", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [dict(kv.split("=", 1) for kv in line.split()) for line in out.splitlines() if line.startswith("split=")]


@pytest.mark.parametrize("name,k", [("aural_sonar.similarity.csv", 1), ("aural_sonar.similarity.csv", 3), ("protein.similarity.csv", 2)])
def test_precomputed_matches_rust_evaluate_on_identical_splits(tmp_path, name, k):
    s, labels = read_label_first(shared(name))
    D = 1.0 - s  # as evaluate's default for similarities
    y = labels.astype(int)
    splits = list(StratifiedShuffleSplit(n_splits=5, test_size=0.2, random_state=0).split(D, y))
    split_file = tmp_path / "splits.txt"
    split_file.write_text("".join(" ".join(map(str, test)) + "\n" for _, test in splits))
    rust = evaluate(["--data", str(shared(name)), "--split-file", str(split_file), "--prototypes-per-class", str(k)])
    assert len(rust) == len(splits)
    for (train, test), line in zip(splits, rust):
        train = np.sort(train)  # evaluate trains on the rest in row order
        model = MedianGLVQ(k, random_state=0).fit(D[np.ix_(train, train)], y[train])
        accuracy = model.score(D[np.ix_(test, train)], y[test])
        assert f"{accuracy:.4f}" == line["accuracy"]
        assert f"{model.cost_history_[-1]:.6f}" == line["cost"]
        assert str(model.n_iter_) == line["sweeps"]


# ---- persistence, precision, metrics ------------------------------------------


def test_pickle_round_trip_predicts_identically(iris):
    x, y = iris
    D = sq_euclidean(x, x)
    for model, new in [
        (MedianGLVQ(2, random_state=1).fit(D, y), D[:40]),
        (MedianGLVQ(2, metric="sqeuclidean", random_state=1).fit(x.astype(np.float32), y), x[:40]),
        (MedianGLVQ(2, metric=levenshtein, random_state=1).fit(["ab", "abc", "b", "xyz", "xy", "wxyz"], [0, 0, 0, 1, 1, 1]), ["a", "zz"]),
    ]:
        back = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(back.predict(new), model.predict(new))
        np.testing.assert_array_equal(back.predict_proba(new), model.predict_proba(new))
        np.testing.assert_array_equal(back.cost_history_, model.cost_history_)
        np.testing.assert_array_equal(back.prototype_indices_, model.prototype_indices_)
        assert back._model.dtype == model._model.dtype


def test_float32_and_float64_end_to_end(iris):
    x, y = iris
    f64 = MedianGLVQ(3, metric="sqeuclidean", random_state=0).fit(x, y)
    f32 = MedianGLVQ(3, metric="sqeuclidean", random_state=0).fit(x.astype(np.float32), y)
    assert f64._model.dtype == "float64" and f32._model.dtype == "float32"
    assert f32.prototypes_.dtype == np.float32
    assert f32.predict_proba(x).dtype == np.float32 and f64.predict_proba(x).dtype == np.float64
    # Standardised iris is far from float32's limits: the same prototypes and labels.
    np.testing.assert_array_equal(f32.prototype_indices_, f64.prototype_indices_)
    np.testing.assert_array_equal(f32.predict(x), f64.predict(x))
    np.testing.assert_allclose(f32.cost_history_, f64.cost_history_, rtol=1e-5)
    # A precomputed float32 matrix is trained in float32 as well.
    D32 = sq_euclidean(x, x).astype(np.float32)
    assert MedianGLVQ(random_state=0).fit(D32, y)._model.dtype == "float32"


def test_vectors_precomputed_and_callable_agree(iris):
    x, y = iris
    D = sq_euclidean(x, x)
    kw = dict(prototypes_per_class=2, random_state=3)
    vectors = MedianGLVQ(metric="sqeuclidean", **kw).fit(x, y)
    matrix = MedianGLVQ(**kw).fit(D, y)
    rows = [tuple(r) for r in x]
    function = MedianGLVQ(metric=lambda a, b: float(sum((u - v) ** 2 for u, v in zip(a, b))), **kw).fit(rows, y)
    for model in (matrix, function):
        np.testing.assert_array_equal(model.prototype_indices_, vectors.prototype_indices_)
    np.testing.assert_array_equal(matrix.predict(D), vectors.predict(x))
    np.testing.assert_array_equal(function.predict(rows), vectors.predict(x))
    # From the m x K dissimilarities to the prototypes, however computed.
    to_prototypes = vectors.prototype_dissimilarities(x)
    assert to_prototypes.shape == (len(x), 6)
    np.testing.assert_array_equal(vectors.predict_from_prototypes(to_prototypes), vectors.predict(x))
    np.testing.assert_array_equal(vectors.predict_proba_from_prototypes(to_prototypes), vectors.predict_proba(x))


def test_callable_metric_on_words():
    rows = [line.rstrip("\n").split("\t") for line in open(shared("words.tsv"), encoding="utf-8") if line.strip()]
    rng = np.random.default_rng(0)
    pick = np.sort(np.concatenate([rng.choice(np.flatnonzero([r[0] == lang for r in rows]), 50, replace=False) for lang in sorted({r[0] for r in rows})]))
    words = [rows[i][1] for i in pick]
    labels = np.array([rows[i][0] for i in pick])
    train = np.arange(len(words)) % 5 != 0
    words_train = [w for w, t in zip(words, train) if t]
    model = MedianGLVQ(2, metric=levenshtein, random_state=0).fit(words_train, labels[train])
    assert all(isinstance(p, str) for p in model.prototypes_)
    assert [words_train[i] for i in model.prototype_indices_] == model.prototypes_
    assert set(model.classes_) == set(labels)
    test = [w for w, t in zip(words, train) if not t]
    accuracy = model.score(test, labels[~train])
    assert accuracy > 0.35, accuracy  # 5 languages: chance is 0.2
    # The same model from the matrix of the same function.
    D = np.array([[levenshtein(a, b) for b in words_train] for a in words_train])
    matrix = MedianGLVQ(2, random_state=0).fit(D, labels[train])
    np.testing.assert_array_equal(matrix.prototype_indices_, model.prototype_indices_)


def test_labels_of_any_type(iris):
    x, y = iris
    for labels in (np.array(["setosa", "versicolor", "virginica"])[y], y * -7, y * 2.0 - 1.0, np.array(["s", "v", "w"], dtype=object)[y]):
        model = MedianGLVQ(metric="sqeuclidean", random_state=0).fit(x, labels)
        assert set(model.predict(x)) <= set(labels)
        assert model.score(x, labels) > 0.85
        np.testing.assert_array_equal(np.sort(model.prototype_labels_), np.unique(labels))


# ---- bad input --------------------------------------------------------------


def square(n=6):
    x = np.arange(n, dtype=float)
    return (x[:, None] - x[None, :]) ** 2, [0] * (n // 2) + [1] * (n - n // 2)


def test_bad_input_names_the_entry():
    D, y = square()
    bad = D.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match=r"\(2, 3\).*NaN"):
        MedianGLVQ().fit(bad, y)
    bad[2, 3] = -1.0
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        MedianGLVQ().fit(bad, y)
    with pytest.raises(ValueError, match="square"):
        MedianGLVQ().fit(D[:, :5], y)
    model = MedianGLVQ().fit(D, y)
    new = D[:2].copy()
    new[1, model.prototype_indices_[1]] = np.inf
    with pytest.raises(ValueError, match=rf"D\[1, {model.prototype_indices_[1]}\]"):
        model.predict(new)
    with pytest.raises(ValueError, match="6 features"):
        model.predict(D[:2, :5])
    with pytest.raises(ValueError, match=r"sample_weight\[4\]"):
        MedianGLVQ().fit(D, y, sample_weight=[1, 1, 1, 1, -2, 1])
    with pytest.raises(ValueError, match="NaN"):
        MedianGLVQ(metric="sqeuclidean").fit([[0.0], [np.nan], [1.0], [2.0]], [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"\(1, 0\)"):
        MedianGLVQ(metric=lambda a, b: float("nan") if (a, b) == (1, 0) else abs(a - b)).fit([0, 1, 5, 6], [0, 0, 1, 1])


@pytest.mark.parametrize(
    "params,message",
    [
        (dict(prototypes_per_class=0), "prototypes_per_class"),
        (dict(prototypes_per_class=4), "object"),
        (dict(prototypes_per_class=1.5), "prototypes_per_class"),
        (dict(transfer="tanh"), "transfer"),
        (dict(transfer="sigmoid", beta=-1.0), "beta|transfer"),
        (dict(margin=float("nan")), "margin"),
        (dict(margin=100.0), "margin"),
        (dict(class_weight={0: 1.0}), "class 1"),
        (dict(class_weight={0: 1.0, 1: 1.0, 7: 2.0}), "7"),
        (dict(class_weight={0: 1.0, 1: -1.0}), "class_weights"),
        (dict(class_weight="equal"), "class_weight"),
        (dict(max_iter=-1), "max_iter"),
        (dict(n_init=0), "n_init"),
        (dict(init="kmeans"), "init"),
        (dict(init=[0, 99]), "99"),
        (dict(search="greedy"), "search"),
        (dict(candidates="all"), "candidates"),
        (dict(metric="cosine"), "metric"),
        (dict(random_state=-1), "random_state"),
        (dict(n_jobs=0), "n_jobs"),
        (dict(n_jobs=10**9), "n_jobs"),
    ],
)
def test_bad_parameters_raise_value_error(params, message):
    D, y = square()
    with pytest.raises(ValueError, match=message):
        MedianGLVQ(**params).fit(D, y)


def test_a_failing_metric_raises_its_own_exception():
    def metric(a, b):
        if b == "boom":
            raise KeyError("no such sequence")
        return float(a != b)

    with pytest.raises(KeyError, match="no such sequence") as info:
        MedianGLVQ(metric=metric).fit(["a", "b", "c", "boom"], [0, 0, 1, 1])
    notes = getattr(info.value, "__notes__", [])
    if hasattr(BaseException, "add_note"):  # Python >= 3.11
        assert any("objects" in n for n in notes)


# ---- interruption, threads, progress ----------------------------------------


def test_ctrl_c_interrupts_a_long_fit():
    def slow(a, b):
        time.sleep(0.0005)
        return abs(a - b)

    objects = list(range(400))  # 160,000 calls: over a minute if not interrupted
    threading.Timer(0.5, _thread.interrupt_main).start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        MedianGLVQ(metric=slow).fit(objects, [i % 2 for i in objects])
    assert time.perf_counter() - started < 10


def test_ctrl_c_interrupts_training_itself():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60_000, 16))
    y = rng.integers(0, 8, size=len(x))
    threading.Timer(0.3, _thread.interrupt_main).start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        MedianGLVQ(5, metric="sqeuclidean", max_iter=10_000, n_init=50, random_state=0).fit(x, y)
    assert time.perf_counter() - started < 10


def test_same_model_on_any_thread_count(iris):
    x, y = iris
    models = [MedianGLVQ(3, metric="sqeuclidean", random_state=5, n_jobs=n).fit(x, y) for n in (1, 2, None, -1)]
    for m in models[1:]:
        np.testing.assert_array_equal(m.prototype_indices_, models[0].prototype_indices_)
        np.testing.assert_array_equal(m.cost_history_, models[0].cost_history_)


def test_verbose_prints_progress(iris, capsys):
    x, y = iris
    MedianGLVQ(2, metric="sqeuclidean", verbose=1, random_state=0).fit(x, y)
    out = capsys.readouterr().out
    assert re.search(r"restart \d+ sweep \d+ jumps \d+ cost", out), out


# ---- weights ----------------------------------------------------------------


def test_zero_weight_is_absence_and_integer_weight_is_repetition(iris):
    x, y = iris
    w = np.ones(len(y))
    w[::7] = 0
    weighted = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(x, y, sample_weight=w)
    kept = np.flatnonzero(w > 0)
    absent = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(x[kept], y[kept])
    np.testing.assert_array_equal(weighted.prototype_indices_, kept[absent.prototype_indices_])
    np.testing.assert_array_equal(weighted.predict(x), absent.predict(x))
    twice = np.ones(len(y), dtype=int)
    twice[:30] = 2
    counted = MedianGLVQ(metric="sqeuclidean", init="class_medoid").fit(x, y, sample_weight=twice)
    repeated = MedianGLVQ(metric="sqeuclidean", init="class_medoid").fit(np.repeat(x, twice, 0), np.repeat(y, twice))
    np.testing.assert_allclose(counted.cost_history_, repeated.cost_history_)
    np.testing.assert_array_equal(counted.predict(x), repeated.predict(x))


def test_class_weight_moves_the_decision_towards_the_heavy_class():
    # scikit-learn's check_class_weight_classifiers, stated for this cost: it
    # needs > 87 % of test objects predicted as the heavy class, which the GLVQ cost
    # with the identity transfer does not promise (it trades misclassifications for
    # margins); what it promises is a shift towards that class.
    from sklearn.datasets import make_blobs

    X, y = make_blobs(centers=2, random_state=0, cluster_std=20)
    plain = MedianGLVQ(metric="sqeuclidean", random_state=0).fit(X, y)
    heavy = MedianGLVQ(metric="sqeuclidean", random_state=0, class_weight={0: 1000, 1: 0.0001}).fit(X, y)
    assert np.mean(heavy.predict(X) == 0) > np.mean(plain.predict(X) == 0) + 0.1
    # "balanced" is n / (classes * n_c) per class, given by label.
    X, y = X[:70], np.array(["small" if v else "large" for v in y[:70] == 0])
    by_label = {c: len(y) / (2 * np.sum(y == c)) for c in np.unique(y)}
    balanced = MedianGLVQ(2, metric="sqeuclidean", class_weight="balanced", random_state=0).fit(X, y)
    given = MedianGLVQ(2, metric="sqeuclidean", class_weight=by_label, random_state=0).fit(X, y)
    np.testing.assert_array_equal(balanced.prototype_indices_, given.prototype_indices_)
    np.testing.assert_allclose(balanced.cost_history_, given.cost_history_)


# ---- scikit-learn tooling ----------------------------------------------------


def test_clone_pipeline_and_grid_search(iris):
    x, y = iris
    raw = x * np.array([1.0, 10.0, 100.0, 1000.0])
    pipeline = make_pipeline(StandardScaler(), MedianGLVQ(metric="sqeuclidean", random_state=0))
    search = GridSearchCV(pipeline, {"medianglvq__prototypes_per_class": [1, 2], "medianglvq__transfer": ["identity", "sigmoid"]}, cv=3)
    search.fit(raw, y)
    assert search.best_score_ > 0.85
    assert search.best_estimator_.score(raw, y) > 0.85
    fresh = clone(MedianGLVQ(3, metric="sqeuclidean", class_weight="balanced"))
    assert fresh.get_params()["prototypes_per_class"] == 3 and not hasattr(fresh, "classes_")


def test_decision_function_sign_matches_predictions(iris):
    x, y = iris
    model = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(x, y)
    scores = model.decision_function(x)
    assert scores.shape == (len(x), 3)
    np.testing.assert_array_equal(model.classes_[scores.argmax(1)], model.predict(x))
    assert np.all((scores <= 1) & (scores >= -1))
    binary = y > 0
    two = MedianGLVQ(metric="sqeuclidean", random_state=0).fit(x, binary)
    np.testing.assert_array_equal(two.decision_function(x) > 0, two.predict(x))


def test_big_arrays_are_not_copied_when_contiguous(iris):
    # Fortran order and float32 reach the core as they are; only the wrong dtype
    # or layout is converted.
    x, y = iris
    fortran = np.asfortranarray(x.astype(np.float32))
    a = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(fortran, y)
    b = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(np.ascontiguousarray(fortran), y)
    np.testing.assert_array_equal(a.prototype_indices_, b.prototype_indices_)


def test_every_matrix_layout_gives_the_same_model():
    # Columns are what training reads: Fortran order is used in place, a symmetric
    # C-ordered matrix too (it is its own transpose), a non-symmetric C-ordered one
    # is copied into column order; a strided view is made contiguous first.
    rng = np.random.default_rng(1)
    n = 90
    D = rng.random((n, n)) + 0.1
    np.fill_diagonal(D, 0.0)
    y = np.arange(n) % 3
    symmetric = (D + D.T) / 2
    for M in (D, symmetric):
        reference = MedianGLVQ(2, random_state=0).fit(np.asfortranarray(M), y)
        big = np.zeros((2 * n, 2 * n))
        big[::2, ::2] = M
        for layout in (np.ascontiguousarray(M), big[::2, ::2]):
            model = MedianGLVQ(2, random_state=0).fit(layout, y)
            np.testing.assert_array_equal(model.prototype_indices_, reference.prototype_indices_)
            np.testing.assert_array_equal(model.cost_history_, reference.cost_history_)
    # A non-symmetric matrix is not read as its transpose.
    assert not np.array_equal(
        MedianGLVQ(2, random_state=0).fit(D, y).cost_history_, MedianGLVQ(2, random_state=0).fit(np.asfortranarray(D.T), y).cost_history_
    )


@pytest.mark.skipif(os.environ.get("MEDIAN_LVQ_SLOW") is None, reason="slow; set MEDIAN_LVQ_SLOW=1")
def test_large_vectors_never_build_the_matrix():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200_000, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0)
    model = MedianGLVQ(2, metric="sqeuclidean", random_state=0).fit(x, y)
    assert model.score(x[:5000], y[:5000]) > 0.7


def test_warm_start_and_the_other_searches_and_starts(iris):
    x, y = iris
    model = MedianGLVQ(3, metric="sqeuclidean", random_state=0, max_iter=1)
    model.fit(x, y)
    first = model.cost_history_.copy()
    model.set_params(warm_start=True, max_iter=100).fit(x, y)
    # It goes on from where it stopped: the new history starts at the old end.
    assert model.cost_history_[0] == first[-1]
    whole = MedianGLVQ(3, metric="sqeuclidean", random_state=0, n_init=1).fit(x, y)
    model_one = MedianGLVQ(3, metric="sqeuclidean", random_state=0, n_init=1, max_iter=1).fit(x, y)
    model_one.set_params(warm_start=True, max_iter=100).fit(x, y)
    np.testing.assert_array_equal(model_one.prototype_indices_, whole.prototype_indices_)
    for params in (dict(search="candidate_major"), dict(search="candidate_major", candidates="whole_class"), dict(init="neural_gas")):
        m = MedianGLVQ(3, metric="sqeuclidean", random_state=0, **params).fit(x, y)
        assert np.all(np.diff(m.cost_history_) < 0) and m.score(x, y) > 0.9, params


def test_docstring_examples_run():
    import doctest

    import median_lvq._estimator

    assert doctest.testmod(median_lvq._estimator).failed == 0
