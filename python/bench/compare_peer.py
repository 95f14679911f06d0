"""MedianGLVQ against proto-dist-ml's MGLVQ, in one Python process, on the same matrices.

Run it with a Python that has both packages, e.g. the peer's environment:

    PY=$(bash ../shared/tools/peer/setup.sh)
    $PY -m pip install ./python
    $PY python/bench/compare_peer.py [--n 2000] [--k 3] [--repeats 3]

For each matrix (a seeded squared-Euclidean one of --n objects, 5 classes, 20
features, and the shipped data sets found in ../shared/data) it fits both on the
same training part of a stratified 80/20 split and prints fit seconds (median of
--repeats), held-out accuracy, and the time ratio. Ours is timed with its defaults
(8 restarts up to 10,000 objects) and with one fit (n_init=1), the peer's equal work;
"binding ms" is the one fit's wall time minus the time spent inside the crate's fit
(input checks, label encoding, thread hand-over).
"""

import argparse
import pathlib
import time

import numpy as np
from proto_dist_ml.mglvq import MGLVQ
from sklearn.model_selection import StratifiedShuffleSplit

from median_lvq import MedianGLVQ

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data"


def sq_euclid(a, b):
    return np.maximum((a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T, 0)


def synthetic(n, rng):
    y = np.arange(n) % 5
    centers = rng.normal(scale=2.0, size=(5, 20))
    x = centers[y] + rng.normal(size=(n, 20))
    return sq_euclid(x, x), y


def shipped():
    for name in ("aural_sonar.similarity.csv", "protein.similarity.csv", "iris.vectors.csv", "wine.vectors.csv", "breast_cancer.vectors.csv"):
        path = DATA / name
        if not path.exists():
            continue
        rows = np.loadtxt(path, delimiter=",", dtype=str)
        y, x = rows[:, 0].astype(int), rows[:, 1:].astype(float)
        if "similarity" in name:
            yield name, 1.0 - x, y
        else:
            z = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
            yield name, sq_euclid(z, z), y


def timed(fit, repeats):
    """Median seconds of `repeats` successful fits, the last model, and the
    failed attempts (the peer is unseeded and sometimes stops with "Loss changed
    other than expected"; it is then run again)."""
    times, model, failed = [], None, 0
    while len(times) < repeats and failed < 10 * repeats:
        t = time.perf_counter()
        try:
            model = fit()
        except ValueError:
            failed += 1
            continue
        times.append(time.perf_counter() - t)
    return (float(np.median(times)) if times else float("nan")), model, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    sets = [(f"synthetic n={a.n}", *synthetic(a.n, rng)), *shipped()]
    print(f"{'data':<28} {'n':>6} {'peer s':>9} {'ours s':>9} {'1 fit s':>9} {'ratio':>7} {'1-fit ratio':>11} {'peer acc':>9} {'ours acc':>9} {'peer failed':>11} {'binding ms':>10}")
    for name, D, y in sets:
        train, test = next(StratifiedShuffleSplit(1, test_size=0.2, random_state=0).split(D, y))
        train = np.sort(train)
        Dtr, Dte = D[np.ix_(train, train)], D[np.ix_(test, train)]
        peer_s, peer, failed = timed(lambda: MGLVQ(a.k, T=100).fit(Dtr, y[train]), a.repeats)
        ours_s, ours, _ = timed(lambda: MedianGLVQ(a.k, random_state=0).fit(Dtr, y[train]), a.repeats)
        one_s, one, _ = timed(lambda: MedianGLVQ(a.k, n_init=1, random_state=0).fit(Dtr, y[train]), a.repeats)
        # The Python layer's own cost: wall time minus the time inside the crate's fit.
        overhead = one_s - one._model.core_seconds
        peer_acc = np.mean(peer.predict(Dte) == y[test]) if peer is not None else float("nan")
        ours_acc = ours.score(Dte, y[test])
        print(
            f"{name:<28} {len(train):>6} {peer_s:>9.4f} {ours_s:>9.4f} {one_s:>9.4f} {peer_s / ours_s:>6.0f}x "
            f"{peer_s / one_s:>10.0f}x {peer_acc:>9.3f} {ours_acc:>9.3f} {failed:>11} {overhead * 1e3:>10.2f}"
        )


if __name__ == "__main__":
    main()
