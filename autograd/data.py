"""Toy 2-D datasets and minibatches, in numpy only (this module knows nothing of ``Value``).

Every generator returns ``(X, y)``: ``X`` is a float array of shape ``(n, 2)`` (one point per row)
and ``y`` an int array of shape ``(n,)`` holding class labels ``0 .. k-1``. Losses that want other
targets (the hinge loss wants ``-1/+1``) convert them; see ``autograd.train``.

Every generator takes ``n`` (number of points), ``noise`` (standard deviation of gaussian noise
added to the coordinates) and ``seed``. All randomness of one call comes from ONE
``np.random.RandomState(seed)``, so the same arguments always give the same points, and nothing
touches numpy's global random state.

``moons`` follows scikit-learn's ``make_moons`` step by step (two half circles from
``linspace(0, pi)``, shuffle, then noise, all from one RandomState), so ``moons(100, 0.1, 1337)``
is the very dataset of the micrograd demo, which called ``np.random.seed(1337)`` and then
``make_moons(n_samples=100, noise=0.1)``. ``circles`` follows ``make_circles`` the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DATASETS",
    "blobs",
    "circles",
    "diagonal",
    "iterate_minibatches",
    "load",
    "moons",
    "sample_training_data",
    "simple",
    "spiral",
    "split",
    "train_test_split",
    "xor",
]

Array = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]
Dataset = tuple[Array, Labels]
AnyArray = npt.NDArray[Any]


def _check(n: int, noise: float, what: str, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{what}: n must be an int, got {type(n).__name__}: {n!r}")
    if n < minimum:
        raise ValueError(f"{what}: n must be at least {minimum}, got {n}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating)):
        raise TypeError(f"{what}: noise must be a number, got {type(noise).__name__}: {noise!r}")
    if not noise >= 0:  # also refuses nan
        raise ValueError(f"{what}: noise must be >= 0 (a standard deviation), got {noise!r}")


def _shuffle(rng: np.random.RandomState, X: Array, y: Labels) -> Dataset:
    """Shuffle rows as scikit-learn's ``utils.shuffle`` does: permute ``arange(n)`` in place."""
    order = np.arange(len(y))
    rng.shuffle(order)
    return X[order], y[order]


def _label_shuffle_noise(
    rng: np.random.RandomState, X: Array, n_first: int, noise: float
) -> Dataset:
    """The last steps of scikit-learn's two-class makers: the first ``n_first`` rows are class 0 and
    the rest class 1, rows are shuffled, then gaussian noise is added (in that order, so the same
    seed gives the same numbers)."""
    y = np.hstack([np.zeros(n_first, dtype=np.int64), np.ones(len(X) - n_first, dtype=np.int64)])
    X, y = _shuffle(rng, X, y)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def moons(n: int = 100, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles: scikit-learn's ``make_moons``, same algorithm and numbers.

    Class 0 is the upper arc (cos t, sin t), class 1 the lower arc (1 - cos t, 0.5 - sin t), for t
    in ``linspace(0, pi)``; ``n // 2`` points on the first, the rest on the second.
    """
    _check(n, noise, "moons", minimum=2)
    rng = np.random.RandomState(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    return _label_shuffle_noise(rng, X, n_out, noise)


def circles(
    n: int = 100, noise: float = 0.05, seed: int | None = 0, factor: float = 0.5
) -> Dataset:
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1).

    Follows scikit-learn's ``make_circles``: evenly spaced angles, shuffle, then noise.
    """
    _check(n, noise, "circles", minimum=2)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be between 0 and 1, got {factor!r}")
    rng = np.random.RandomState(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack(
        [
            np.append(np.cos(t_out), factor * np.cos(t_in)),
            np.append(np.sin(t_out), factor * np.sin(t_in)),
        ]
    ).T
    return _label_shuffle_noise(rng, X, n_out, noise)


def xor(n: int = 100, noise: float = 0.0, seed: int | None = 0) -> Dataset:
    """Points uniform in the square [-1, 1]²; class 1 where the two coordinates differ in sign.

    No single line separates the classes (the problem that stopped the perceptron), so it needs a
    hidden layer. The label is taken before the noise is added, so noise blurs the border.
    """
    _check(n, noise, "xor")
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def spiral(n: int = 300, noise: float = 0.2, seed: int | None = 0, classes: int = 3) -> Dataset:
    """``classes`` interleaved spiral arms (the CS231n dataset), ``n // classes`` points per arm.

    Arm j has radius r = linspace(0, 1) and angle t = linspace(4j, 4(j+1)) + noise·N(0, 1), at
    (r sin t, r cos t). Here the noise perturbs the angle, as in the original.
    """
    _check(n, noise, "spiral")
    _check_classes(classes, "spiral")
    rng = np.random.RandomState(seed)
    per = n // classes
    if per < 1:
        raise ValueError(f"spiral: n={n} is fewer than one point per class ({classes} classes)")
    X = np.zeros((per * classes, 2))
    y = np.zeros(per * classes, dtype=np.int64)
    for j in range(classes):
        rows = slice(per * j, per * (j + 1))
        r = np.linspace(0.0, 1.0, per)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, per) + rng.randn(per) * noise
        X[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = j
    return X, y


def blobs(n: int = 150, noise: float = 0.5, seed: int | None = 0, classes: int = 3) -> Dataset:
    """``classes`` gaussian clusters with standard deviation ``noise``, centres on a circle of
    radius 2 (evenly spaced, so they are always separable when the noise is small)."""
    _check(n, noise, "blobs")
    _check_classes(classes, "blobs")
    rng = np.random.RandomState(seed)
    y = np.arange(n, dtype=np.int64) % classes
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    X = centres[y] + rng.normal(scale=noise, size=(n, 2)) if noise else centres[y].copy()
    return _shuffle(rng, X, y)


# The classic courses' unit-square sets (MiniTorch's Simple, Diag, Split): uniform points in
# [0, 1]², labelled by a simple rule, then optional gaussian noise on the coordinates.


def _unit_square(n: int, noise: float, seed: int | None, what: str, rule: str) -> Dataset:
    _check(n, noise, what)
    rng = np.random.RandomState(seed)
    X = rng.uniform(0.0, 1.0, size=(n, 2))
    x1, x2 = X[:, 0], X[:, 1]
    if rule == "simple":
        label = x1 < 0.5
    elif rule == "diagonal":
        label = x1 + x2 < 0.5
    else:
        label = (x1 < 0.2) | (x1 > 0.8)
    y = label.astype(np.int64)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def simple(n: int = 100, noise: float = 0.0, seed: int | None = 0) -> Dataset:
    """Class 1 left of the vertical line x1 = 0.5: a single neuron suffices."""
    return _unit_square(n, noise, seed, "simple", "simple")


def diagonal(n: int = 100, noise: float = 0.0, seed: int | None = 0) -> Dataset:
    """Class 1 below the diagonal x1 + x2 = 0.5 (a corner of the square): still linear."""
    return _unit_square(n, noise, seed, "diagonal", "diagonal")


def split(n: int = 100, noise: float = 0.0, seed: int | None = 0) -> Dataset:
    """Class 1 in the two side bands x1 < 0.2 or x1 > 0.8: two lines, so one hidden layer."""
    return _unit_square(n, noise, seed, "split", "split")


def _check_classes(classes: int, what: str) -> None:
    if isinstance(classes, bool) or not isinstance(classes, int) or classes < 2:
        raise ValueError(f"{what}: classes must be an int >= 2, got {classes!r}")


#: name -> generator, for the command line and for ``load``.
DATASETS = {
    "moons": moons,
    "circles": circles,
    "xor": xor,
    "spiral": spiral,
    "blobs": blobs,
    "simple": simple,
    "diagonal": diagonal,
    "split": split,
}

#: datasets whose generator takes a ``classes`` argument.
MULTICLASS = ("spiral", "blobs")


def load(
    name: str, n: int, noise: float, seed: int | None = 0, classes: int | None = None
) -> Dataset:
    """``DATASETS[name](n, noise, seed)``, passing ``classes`` to the k-class sets."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if name in MULTICLASS:
        return DATASETS[name](n, noise, seed, classes=3 if classes is None else classes)  # type: ignore[call-arg]
    if classes not in (None, 2):
        raise ValueError(f"dataset {name!r} has 2 classes, got classes={classes}")
    return DATASETS[name](n, noise, seed)


# --------------------------------------------------------------------------------------------------
# Splits and minibatches
# --------------------------------------------------------------------------------------------------


def _check_pair(X: AnyArray, y: AnyArray, what: str) -> None:
    if len(X) != len(y):
        raise ValueError(f"{what}: X has {len(X)} rows but y has {len(y)} labels")


def train_test_split(
    X: Array, y: Labels, test_fraction: float = 0.25, seed: int | None = 0
) -> tuple[Array, Array, Labels, Labels]:
    """Shuffle, then hold out ``round(test_fraction * n)`` points: ``X_train, X_test, y_train,
    y_test`` (scikit-learn's order). The test points are never trained on; their accuracy
    estimates how the model does on new data."""
    _check_pair(X, y, "train_test_split")
    if not 0 <= test_fraction < 1:
        raise ValueError(f"train_test_split: test_fraction must be in [0, 1), got {test_fraction}")
    n_test = round(test_fraction * len(y))
    order = np.random.RandomState(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def sample_training_data(
    data: tuple[AnyArray, AnyArray],
    batch_size: int,
    rng: np.random.RandomState | int | None = None,
) -> tuple[AnyArray, AnyArray]:
    """One random minibatch of ``batch_size`` distinct points (all of them if there are fewer).

    The lecture's ``sample_training_data(data, 256)``: each step of minibatch SGD estimates the
    full-data gradient from a random subset, which is far cheaper and still points downhill on
    average. Pass one ``RandomState`` for a reproducible sequence of batches (an int seeds one).
    """
    X, y = data
    _check_pair(X, y, "sample_training_data")
    if batch_size < 1:
        raise ValueError(f"sample_training_data: batch_size must be >= 1, got {batch_size}")
    if not isinstance(rng, np.random.RandomState):
        rng = np.random.RandomState(rng)
    rows = rng.permutation(len(y))[:batch_size]
    return X[rows], y[rows]


def iterate_minibatches(
    X: AnyArray, y: AnyArray, batch_size: int, rng: np.random.RandomState | int | None = None
) -> Iterator[tuple[AnyArray, AnyArray]]:
    """One epoch: the data shuffled, then cut into consecutive batches (the last may be smaller).

    Every point is seen exactly once per epoch, unlike ``sample_training_data``.
    """
    _check_pair(X, y, "iterate_minibatches")
    if batch_size < 1:
        raise ValueError(f"iterate_minibatches: batch_size must be >= 1, got {batch_size}")
    if not isinstance(rng, np.random.RandomState):
        rng = np.random.RandomState(rng)
    order = rng.permutation(len(y))
    for start in range(0, len(y), batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]
