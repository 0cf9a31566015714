"""The loss landscape of one neuron, and the paths that optimisers leave across it.

A neuron with two inputs has two weights ``w = (w1, w2)`` and a bias ``b``. Freeze ``b`` at
its best value and the binary cross-entropy becomes a function of two numbers, a surface we
can draw as a map: :func:`loss_grid`. An optimiser's loop (written in ``03_learning``; the
reference versions are in :mod:`course_lib.exercises.learning`) returns the weights it
visited, a *path*; :func:`trajectory` turns that path into a :class:`Trajectory` by adding
the loss at every point.

A learning rate that is too large makes the loss *grow*. :func:`trajectory` watches for
that: once the loss passes :data:`DIVERGENCE_FACTOR` times its starting value (or a weight
passes :data:`WEIGHT_LIMIT`), it cuts the path there and records the step, so a plot shows
where the run went wrong instead of filling with overflow and NaN.

Shapes: ``x (N, 2)`` inputs (standardised), ``y (N,)`` labels in {0, 1}, ``w (2,)``, a path
``(S + 1, 2)``. Introduced in ``03_learning``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.validate import (
    as_array,
    as_float_array,
    as_labels,
    check_finite_number,
    check_positive_int,
)

#: A run counts as diverged once its loss exceeds this multiple of the starting loss...
DIVERGENCE_FACTOR = 2.0
#: ... or a weight grows beyond this size (the sigmoid is saturated far before).
WEIGHT_LIMIT = 1e3


def standardize(x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rescale each column to mean 0 and standard deviation 1.

    Returns ``(x_std, mean, std)`` with ``x_std = (x - mean) / std``; shapes ``(N, D)``,
    ``(D,)``, ``(D,)``. Features on wildly different scales (flight searches 0..25, days
    0..365) make a stretched, hard-to-descend landscape; standard units make it round.
    Introduced in ``03_learning``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one example (row) to standardise, got 0")
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    if np.any(std == 0):
        raise ValueError(
            f"every column of x must vary to be standardised; column(s) "
            f"{np.flatnonzero(std == 0).tolist()} are constant"
        )
    return (x - mean) / std, mean, std


def _check_xy(x, y):
    x = as_float_array(x, "x", ndim=2, layout="(N, 2)", finite=True)
    if x.shape[1] != 2:
        raise ValueError(
            f"x must have exactly 2 features for a 2-D landscape, shape (N, 2), got {x.shape}"
        )
    y = as_labels(y, "y", x.shape[0], num_classes=2)
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one example, got 0 rows")
    return x, y


def fit_neuron(x, y, *, iterations: int = 30) -> tuple[np.ndarray, float]:
    """The best weights and bias for one neuron: an answer key for the optimisers.

    The loss of a single neuron is one bowl with no other dips, so there is exactly one
    bottom. This finds it with Newton's method, which uses the curvature of the loss as well
    as its slope and so needs only a handful of iterations (the course does not teach it; it
    only provides the answer that gradient descent should reach). A tiny ridge term (1e-6)
    keeps it finite even when the classes are perfectly separable. Returns ``(w (D,), b)``.
    Introduced in ``03_learning``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    y = as_labels(y, "y", x.shape[0], num_classes=2).astype(np.float64)
    iterations = check_positive_int(iterations, "iterations")
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one example, got 0 rows")
    n, d = x.shape
    xa = np.column_stack([x, np.ones(n)])  # (N, D+1): the bias as a constant input
    theta = np.zeros(d + 1)
    for _ in range(iterations):
        z = np.clip(xa @ theta, -30.0, 30.0)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = xa.T @ (p - y) / n + 1e-6 * theta
        hess = (xa * (p * (1 - p))[:, None]).T @ xa / n + 1e-6 * np.eye(d + 1)
        theta -= np.linalg.solve(hess, grad)
    return theta[:d], float(theta[d])


def _losses_at(x, y, b: float, weights: np.ndarray) -> np.ndarray:
    """Mean BCE at each column of ``weights (D, G)``: ``(G,)``, stable for any score.

    ``log(1 + e^z) - z y`` with ``np.logaddexp(0, z) = log(1 + e^z)``, which never overflows.
    """
    z = x @ weights + b  # (N, G)
    return np.mean(np.logaddexp(0.0, z) - z * y[:, None], axis=0)


def loss_grid(x, y, b: float, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """The loss at every point of a grid of weights, bias fixed at ``b``.

    ``w1 (G1,)`` and ``w2 (G2,)`` are the grid lines; returns ``(G2, G1)`` (rows follow
    ``w2``, ready for ``imshow``/``contour``). Vectorised: one ``(N, 2) @ (2, G)`` product.
    Introduced in ``03_learning``.
    """
    x, y = _check_xy(x, y)
    b = check_finite_number(b, "b")
    w1 = as_float_array(w1, "w1", ndim=1, layout="(G1,)", finite=True)
    w2 = as_float_array(w2, "w2", ndim=1, layout="(G2,)", finite=True)
    g1, g2 = np.meshgrid(w1, w2)  # (G2, G1) each
    weights = np.stack([g1.ravel(), g2.ravel()])  # (2, G)
    return _losses_at(x, y.astype(np.float64), b, weights).reshape(g1.shape)


@dataclass(frozen=True)
class Trajectory:
    """The points one optimiser visited, the loss at each, and whether it diverged."""

    name: str  # "random search", "gradient descent" or "SGD"
    path: np.ndarray  # (S+1, 2): w after 0, 1, ..., S steps (S may stop early)
    losses: np.ndarray  # (S+1,): full-data loss at each point of the path
    diverged_at: int | None = None  # first step whose loss exploded, or None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def rises(self) -> int:
        """How many steps made the full-data loss go *up* (a sign of a too-large step)."""
        return int(np.sum(np.diff(self.losses) > 1e-12))

    @property
    def unstable(self) -> bool:
        """True if the loss rose on more than a quarter of the steps (or exploded)."""
        steps = len(self.losses) - 1
        return self.diverged or (steps > 0 and self.rises > steps / 4)

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def distance(self) -> float:
        """Total length of the path in weight space."""
        return float(np.sum(np.linalg.norm(np.diff(self.path, axis=0), axis=1)))


def trajectory(name: str, path, x, y, b: float) -> Trajectory:
    """The :class:`Trajectory` of ``path``: the full-data loss at each of its points.

    ``path (S + 1, 2)`` holds the weights an optimiser visited, the start first (what the
    loops of ``03_learning`` return). If the loss passes :data:`DIVERGENCE_FACTOR` times its
    starting value, or a weight passes :data:`WEIGHT_LIMIT`, the path is cut at that step and
    ``diverged_at`` records it. Introduced in ``03_learning``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'gradient descent', got {name!r}")
    x, y = _check_xy(x, y)
    b = check_finite_number(b, "b")
    if isinstance(path, (str, bytes)) or path is None:
        raise TypeError(f"path must be an array of weights (steps + 1, 2), got {path!r}")
    path = as_array(path, "path")
    if path.ndim != 2 or path.shape[0] < 1 or path.shape[1] != 2:
        raise ValueError(
            f"path must hold the weights after every step, shape (steps + 1, 2), got shape "
            f"{path.shape}; return np.array(path) from the loop, with the starting weights first"
        )
    path = as_float_array(path, "path")
    with np.errstate(all="ignore"):  # weights may have run off to inf: that is divergence too
        losses = _losses_at(x, y.astype(np.float64), b, path.T)  # (S+1,)
        bad = (
            ~np.isfinite(losses)
            | (losses > DIVERGENCE_FACTOR * max(losses[0], 1e-3))
            | ~(np.max(np.abs(path), axis=1) <= WEIGHT_LIMIT)
        )
    bad[0] = False  # the start is where the run began, whatever its loss
    if not bad.any():
        return Trajectory(name, path, losses)
    step = int(np.argmax(bad))
    return Trajectory(name, path[: step + 1], losses[: step + 1], diverged_at=step)
