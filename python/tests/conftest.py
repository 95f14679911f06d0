"""Shared fixtures: the repository's data and the shipped data sets beside it."""

import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def shared(name):
    """A data set of ``../shared/data``, or skip (users outside the project have
    the repository only; CI has the data beside the checkout)."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not there (the shipped data sets live beside the repository)")
    return path


def read_label_first(path, dtype=float):
    rows = np.loadtxt(path, delimiter=",", dtype=str)
    return rows[:, 1:].astype(dtype), rows[:, 0]


def levenshtein(a, b):
    """Plain edit distance (insert, delete, substitute: 1 each)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return float(previous[-1])


@pytest.fixture(scope="session")
def iris():
    """Iris from the repository (``data/iris.csv``), standardised."""
    x, y = read_label_first(ROOT / "data" / "iris.csv")
    x = (x - x.mean(0)) / x.std(0)
    return x, y.astype(int)
