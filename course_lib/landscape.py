"""The loss landscape of one neuron, and the paths optimisers take across it.

A neuron with two inputs has two weights ``w = (w1, w2)`` and a bias ``b``. Freeze ``b`` at
its best value and the binary cross-entropy becomes a function of two numbers, a surface we
can draw as a map: :func:`loss_grid`. Each optimiser then leaves a trail of points on that
map, a :class:`Trajectory`:

* :func:`run_random_search`: nudge the weights at random, keep a nudge only if it helps;
* :func:`run_gradient_descent`: step against the gradient of the loss over all N examples;
* :func:`run_sgd`: the same step, with the gradient of a random mini-batch.

The steps use :mod:`course_lib.numpy_nn.optim`, the same optimisers the notebooks train with.
A learning rate that is too large makes the loss *grow*; every run watches for that, stops
cleanly, and records where it happened (no overflow, no NaN, no warnings).

Shapes: ``x (N, 2)`` inputs (standardised), ``y (N,)`` labels in {0, 1}, ``w (2,)``.
Introduced in ``03_learning``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits
from course_lib.numpy_nn.optim import SGD, GradientDescent, RandomSearch, minibatches
from course_lib.validate import as_float_array, as_labels, check_nonnegative_int

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
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    if np.any(std == 0):
        raise ValueError(
            f"every column of x must vary to be standardised; column(s) "
            f"{np.flatnonzero(std == 0).tolist()} are constant"
        )
    return (x - mean) / std, mean, std


def _check_xy(x, y):
    x = as_float_array(x, "x", ndim=2, layout="(N, 2)")
    if x.shape[1] != 2:
        raise ValueError(
            f"x must have exactly 2 features for a 2-D landscape, shape (N, 2), got {x.shape}"
        )
    y = as_labels(y, "y", x.shape[0], num_classes=2)
    return x, y


def neuron_loss_and_grads(x, y, w, b: float) -> tuple[float, dict]:
    """Mean binary cross-entropy of ``sigmoid(x @ w + b)`` and its gradients.

    ``dL/dw = x.T @ (p - y) / N`` (shape ``(D,)``) and ``dL/db = mean(p - y)``, with
    ``p = sigmoid(x @ w + b)``. Computed from the score, so it never overflows.
    Returns ``(loss, {"w": dw, "b": db})``. Introduced in ``03_learning``.
    """
    score = x @ w + b  # (N,)
    loss, dscore = binary_cross_entropy_with_logits(score, y)  # dscore = (p - y) / N
    return loss, {"w": x.T @ dscore, "b": np.array(dscore.sum())}


def _fast_loss(x, y, w, b) -> float:
    """Mean BCE for already-checked float arrays, without the checks (the loops' hot path).

    ``log(1 + e^z) - z y`` with ``np.logaddexp(0, z) = log(1 + e^z)``, stable for any ``z``.
    """
    z = x @ w + b  # (N,)
    return float(np.mean(np.logaddexp(0.0, z) - z * y))


def _fast_grad_w(x, y, w, b) -> np.ndarray:
    """``x.T @ (p - y) / N`` without checks; ``sigmoid(z) = (1 + tanh(z / 2)) / 2`` is stable."""
    p = 0.5 + 0.5 * np.tanh(0.5 * (x @ w + b))  # (N,)
    return x.T @ (p - y) / len(y)


def fit_neuron(x, y, *, iterations: int = 30) -> tuple[np.ndarray, float]:
    """The best weights and bias for one neuron by Newton's method (a reference answer).

    The loss of a single neuron is convex, so Newton's method finds its unique minimum in a
    handful of iterations. A tiny ridge term (1e-6) keeps it finite even when the classes
    are perfectly separable. Returns ``(w (D,), b)``. Introduced in ``03_learning``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    y = as_labels(y, "y", x.shape[0], num_classes=2).astype(np.float64)
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


def loss_grid(x, y, b: float, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """The loss at every point of a grid of weights, bias fixed at ``b``.

    ``w1 (G1,)`` and ``w2 (G2,)`` are the grid lines; returns ``(G2, G1)`` (rows follow
    ``w2``, ready for ``imshow``/``contour``). Vectorised: one ``(N, 2) @ (2, G)`` product.
    Introduced in ``03_learning``.
    """
    x, y = _check_xy(x, y)
    w1 = as_float_array(w1, "w1", ndim=1, layout="(G1,)")
    w2 = as_float_array(w2, "w2", ndim=1, layout="(G2,)")
    g1, g2 = np.meshgrid(w1, w2)  # (G2, G1) each
    weights = np.stack([g1.ravel(), g2.ravel()])  # (2, G)
    z = x @ weights + b  # (N, G)
    yf = y[:, None].astype(np.float64)
    losses = np.mean(np.maximum(z, 0) - z * yf + np.log1p(np.exp(-np.abs(z))), axis=0)  # (G,)
    return losses.reshape(g1.shape)


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


def _check_start(w0) -> np.ndarray:
    w0 = as_float_array(w0, "w0", ndim=1, layout="(2,)")
    if w0.shape != (2,):
        raise ValueError(f"w0 must hold the two starting weights, shape (2,), got {w0.shape}")
    return w0.astype(np.float64)


def _exploded(loss: float, start_loss: float, w: np.ndarray) -> bool:
    return (
        not np.isfinite(loss)
        or loss > DIVERGENCE_FACTOR * max(start_loss, 1e-3)
        or float(np.max(np.abs(w))) > WEIGHT_LIMIT
    )


def _descend(name, x, y, b, w0, steps, lr, batches) -> Trajectory:
    """Shared loop of gradient descent and SGD; ``batches()`` yields index arrays."""
    params = {"w": _check_start(w0)}
    opt = SGD(params, lr=lr) if name == "SGD" else GradientDescent(params, lr=lr)
    yf = y.astype(np.float64)
    full_loss = _fast_loss(x, yf, params["w"], b)
    path, losses = [params["w"].copy()], [full_loss]
    diverged_at = None
    batch_iter = batches()
    for step in range(1, steps + 1):
        idx = next(batch_iter, None)
        if idx is None:  # a new epoch: reshuffle
            batch_iter = batches()
            idx = next(batch_iter)
        opt.step({"w": _fast_grad_w(x[idx], yf[idx], params["w"], b)})
        full_loss = _fast_loss(x, yf, params["w"], b)
        path.append(params["w"].copy())
        losses.append(full_loss)
        if _exploded(full_loss, losses[0], params["w"]):
            diverged_at = step
            break
    return Trajectory(name, np.array(path), np.array(losses), diverged_at)


def run_gradient_descent(x, y, b: float, w0, *, lr: float, steps: int) -> Trajectory:
    """Full-batch gradient descent on ``w`` (bias fixed at ``b``) from ``w0``.

    Each step uses the gradient over all N examples: ``w -= lr * dL/dw``. Stops early, with
    ``diverged_at`` set, if the loss explodes (see :data:`DIVERGENCE_FACTOR`).
    Introduced in ``03_learning``.
    """
    x, y = _check_xy(x, y)
    steps = check_nonnegative_int(steps, "steps")
    n = x.shape[0]
    return _descend("gradient descent", x, y, b, w0, steps, lr, lambda: iter([np.arange(n)]))


def run_sgd(
    x, y, b: float, w0, *, lr: float, steps: int, batch_size: int, seed: int = 0
) -> Trajectory:
    """Stochastic gradient descent: each step uses a random mini-batch of ``batch_size``.

    The batches come from :func:`course_lib.numpy_nn.optim.minibatches` (a reshuffle every
    epoch); with ``batch_size = N`` it is exactly gradient descent. Seeded, so the same
    arguments give the same path. Introduced in ``03_learning``.
    """
    x, y = _check_xy(x, y)
    steps = check_nonnegative_int(steps, "steps")
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    return _descend("SGD", x, y, b, w0, steps, lr, lambda: minibatches(n, batch_size, rng))


def run_random_search(
    x, y, b: float, w0, *, step_size: float, steps: int, seed: int = 0
) -> Trajectory:
    """Random search: each step tries ``w + step_size * noise`` and keeps it if the loss drops.

    Uses :class:`course_lib.numpy_nn.optim.RandomSearch`. It never diverges (it only accepts
    improvements) but wastes most tries, and gets worse quickly as the number of weights
    grows. The path records the accepted point after every try. Introduced in ``03_learning``.
    """
    x, y = _check_xy(x, y)
    steps = check_nonnegative_int(steps, "steps")
    params = {"w": _check_start(w0)}
    yf = y.astype(np.float64)

    def loss_fn(p):
        return _fast_loss(x, yf, p["w"], b)

    opt = RandomSearch(params, loss_fn, step_size=step_size, seed=seed)
    path, losses = [params["w"].copy()], [opt.best_loss]
    for _ in range(steps):
        opt.step()
        path.append(params["w"].copy())
        losses.append(opt.best_loss)
    return Trajectory("random search", np.array(path), np.array(losses))
