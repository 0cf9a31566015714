"""Small, seeded toy data sets for the early notebooks.

Every ``make_*`` function takes ``n`` (number of examples, N) and ``seed`` (an int; the same
seed always gives the same data) and returns ``(X, y)`` with ``X`` float64 of shape (N, 2)
and ``y`` int64 of shape (N,) holding class labels, unless its docstring says otherwise.
``noise`` is the standard deviation of Gaussian noise added to each coordinate.

* :func:`make_trip_customers`: the course's running example, will a customer plan a trip?
* :func:`make_xor`, :func:`make_moons`, :func:`make_circles`, :func:`make_spirals`: shapes a
  single neuron cannot separate but a small network can.
* :func:`target_function`, :func:`make_1d_regression`: the 1-D curve of the universality demo.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.validate import check_nonnegative_int, check_positive_int

MAX_N = 10_000_000
"""The most examples a toy data set may have (160 MB of X): more is a slip, not a data set."""

# --- the trip-planning customers ---------------------------------------------------------

TRIP_FEATURE_NAMES = ("flight searches in the last week", "days since last holiday")
"""Names of the two columns of :func:`make_trip_customers`'s X, in order."""
FEATURE_NAMES = TRIP_FEATURE_NAMES

TRIP_TRUE_WEIGHTS = (0.6, 0.012)
"""The weights of the logistic model that generated the labels: per flight search, per day."""
TRIP_TRUE_BIAS = -5.0
"""The bias of the same model: with no searches and a holiday yesterday, P(trip) = 0.7 %."""


def trip_probability(X) -> np.ndarray:
    """The *true* probability that each customer plans a trip, sigmoid(X @ w + b).

    ``X``: (N, 2) as returned by :func:`make_trip_customers`; returns (N,) in (0, 1). The
    boundary P = 0.5 is the line ``0.6 * searches + 0.012 * days = 5``: a customer who has
    not travelled for a year needs about one search; one back from holiday needs about eight.
    """
    X = _as_points(X, "X")
    score = X @ np.asarray(TRIP_TRUE_WEIGHTS) + TRIP_TRUE_BIAS  # (N,)
    return 1.0 / (1.0 + np.exp(-score))


def make_trip_customers(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Customers of a travel website and whether each one is planning a trip.

    The generative story, so the right answer is known:

    1. Each customer has a personal interest in travel, drawn from a Gamma(2, 2.5)
       distribution; their **flight searches in the last week** are a Poisson count with
       that mean (mostly 0 to 15, a few heavy searchers up to about 25).
    2. Their **days since last holiday** are uniform over 0 .. 365 (whole days).
    3. They plan a trip with probability sigmoid(0.6 * searches + 0.012 * days - 5), see
       :data:`TRIP_TRUE_WEIGHTS`, :data:`TRIP_TRUE_BIAS` and :func:`trip_probability`;
       ``y`` = 1 (planning) or 0 (not) is drawn from that probability.

    So a single sigmoid neuron is exactly the right model, and the best it can do is
    recover those weights; labels near the line are noisy by design. The two columns have
    very different scales (about 0..25 and 0..365), which the optimisation notebook uses.

    Returns ``X`` (N, 2) float64 with columns :data:`TRIP_FEATURE_NAMES`, ``y`` (N,) int64.

    Introduced in ``02_the_neuron``.
    """
    n = _check_n(n)
    rng = _rng(seed)
    interest = rng.gamma(shape=2.0, scale=2.5, size=n)
    searches = rng.poisson(interest).astype(np.float64)
    days = rng.integers(0, 366, size=n).astype(np.float64)
    X = np.column_stack([searches, days])  # (N, 2)
    y = (rng.random(n) < trip_probability(X)).astype(np.int64)
    return X, y


# --- shapes a single neuron cannot separate ----------------------------------------------


def make_xor(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four clouds at the corners of the unit square.

    Corners (0, 0) and (1, 1) are class 0, (0, 1) and (1, 0) are class 1 (``y = x1 XOR x2``);
    each point is its corner plus Gaussian noise of standard deviation ``noise``. No straight
    line separates the classes; one hidden layer of two units does. The N points are spread
    as evenly as possible over the corners. Returns X (N, 2) float64, y (N,) int64.

    Introduced in ``04_activations_and_depth``.
    """
    n, noise, rng = _common(n, noise, seed)
    corner = rng.permutation(np.arange(n) % 4)  # (N,) which corner each point belongs to
    bits = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)[corner]  # (N, 2)
    X = bits + noise * rng.standard_normal((n, 2))
    y = (bits[:, 0] != bits[:, 1]).astype(np.int64)
    return X, y


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as in scikit-learn's ``make_moons``).

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle
    shifted to (1, 0.5); then Gaussian noise of standard deviation ``noise``. Half the points
    (rounded down) are class 0. Returns X (N, 2) float64, y (N,) int64.
    """
    n, noise, rng = _common(n, noise, seed)
    n0 = n // 2
    y = np.r_[np.zeros(n0, np.int64), np.ones(n - n0, np.int64)]
    t = rng.uniform(0.0, np.pi, size=n)
    X = np.where(
        (y == 0)[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]),
    )
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], y[order]


def make_circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1, radius ``factor``) inside a large one (class 0, radius 1).

    Angles are uniform; Gaussian noise of standard deviation ``noise`` is added. ``factor``
    must lie in (0, 1). Returns X (N, 2) float64, y (N,) int64.
    """
    n, noise, rng = _common(n, noise, seed)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number strictly between 0 and 1, got {factor!r}")
    n0 = n // 2
    y = np.r_[np.zeros(n0, np.int64), np.ones(n - n0, np.int64)]
    radius = np.where(y == 0, 1.0, float(factor))
    t = rng.uniform(0.0, 2 * np.pi, size=n)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(
    n: int = 200, noise: float = 0.1, n_classes: int = 2, turns: float = 1.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` (K) interleaved spiral arms (the cs231n spiral), one per class.

    Each arm starts at the origin and winds ``turns`` times outwards to radius 1; arm ``k``
    is rotated by ``2 pi k / K``. Gaussian noise of standard deviation ``noise`` is added to
    each coordinate. Labels are 0 .. K-1, as evenly spread as possible.
    Returns X (N, 2) float64, y (N,) int64.
    """
    n, noise, rng = _common(n, noise, seed)
    k = check_positive_int(n_classes, "n_classes")
    if k < 2:
        raise ValueError(f"n_classes must be at least 2 to make a classification task, got {k}")
    if isinstance(turns, bool) or not isinstance(turns, numbers.Real) or not turns > 0:
        raise ValueError(f"turns must be a positive number, got {turns!r}")
    y = np.sort(np.arange(n) % k).astype(np.int64)
    r = rng.uniform(0.05, 1.0, size=n)  # distance from the centre
    angle = 2 * np.pi * (float(turns) * r + y / k)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X = X + noise * rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return X[order], y[order]


# --- the universality demo ----------------------------------------------------------------

TARGET_DOMAIN = (-1.0, 1.0)
"""The interval :func:`target_function` is meant to be approximated on."""


def target_function(x) -> np.ndarray:
    """A smooth but wiggly curve on [-1, 1] for the universality demo.

    ``f(x) = (sin(3 x) + 0.5 cos(7 x) + 0.3 x^2) / 1.5``: two bumps of different widths plus a
    gentle bowl, with values in about (-1, 1). Smooth everywhere, so the universal
    approximation theorem promises a one-hidden-layer network that fits it as closely as we
    like; more hidden units give a closer fit. ``x`` may be a number or an array of any
    shape; the result has the same shape, float64.

    Introduced in ``04_activations_and_depth``.
    """
    if isinstance(x, (str, bytes, bool)) or x is None:
        raise TypeError(f"x must be a number or an array of numbers, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"x must hold numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError("x must be finite; it contains NaN or infinity")
    return (np.sin(3 * arr) + 0.5 * np.cos(7 * arr) + 0.3 * arr**2) / 1.5


def make_1d_regression(
    n: int = 100, noise: float = 0.05, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy samples of :func:`target_function` on :data:`TARGET_DOMAIN`.

    ``x`` is uniform on [-1, 1], sorted so that line plots come out right; ``y`` is
    ``target_function(x)`` plus Gaussian noise of standard deviation ``noise``.
    Returns x (N, 1) float64 (one feature, D = 1) and y (N,) float64.

    Introduced in ``04_activations_and_depth``.
    """
    n, noise, rng = _common(n, noise, seed)
    x = np.sort(rng.uniform(*TARGET_DOMAIN, size=n))
    y = target_function(x) + noise * rng.standard_normal(n)
    return x[:, None], y


# --- helpers ------------------------------------------------------------------------------


def _rng(seed) -> np.random.Generator:
    seed = check_nonnegative_int(seed, "seed")
    return np.random.default_rng(seed)


def _check_n(n) -> int:
    n = check_positive_int(n, "n")
    if n > MAX_N:
        raise ValueError(
            f"n must be at most {MAX_N:,} examples for a toy data set, got {n:,}; "
            "a few hundred is plenty to see the shape"
        )
    return n


def _common(n, noise, seed):
    n = _check_n(n)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number >= 0 (a standard deviation), got {noise!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation), got {noise}")
    return n, float(noise), _rng(seed)


def _as_points(X, name: str) -> np.ndarray:
    from course_lib.validate import as_float_array

    arr = as_float_array(X, name, ndim=2, layout="(N, 2)")
    if arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2), got {arr.shape}")
    return arr


__all__ = [
    "FEATURE_NAMES",
    "TARGET_DOMAIN",
    "TRIP_FEATURE_NAMES",
    "TRIP_TRUE_BIAS",
    "TRIP_TRUE_WEIGHTS",
    "make_1d_regression",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_trip_customers",
    "make_xor",
    "target_function",
    "trip_probability",
]
