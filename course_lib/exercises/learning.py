"""Exercise of ``03_learning``: the gradient of binary cross-entropy for one neuron.

With ``p = sigmoid(x @ w + b)`` and ``L = -mean(y log p + (1 - y) log(1 - p))`` the chain
rule collapses to two short formulas::

    dL/dw = x.T @ (p - y) / N      # (D,)
    dL/db = mean(p - y)            # a single number

The learner writes ``bce_gradients(x, y, w, b) -> (dw, db)``; the check compares it with
the numerical gradient from :mod:`course_lib.numpy_nn.gradcheck` and names the usual slips:
a flipped sign, a missing ``1/N``, a missing bias gradient, a wrong shape.
Introduced in ``03_learning``.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import sigmoid
from course_lib.numpy_nn.gradcheck import GradientCheckError, check_gradient, numerical_gradient
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits


def bce_gradients(x, y, w, b):
    """Reference answer: ``(x.T @ (p - y) / N, mean(p - y))`` with ``p = sigmoid(x @ w + b)``.

    Shapes: ``x (N, D)``, ``y (N,)``, ``w (D,)``, ``b`` scalar -> ``dw (D,)``, ``db`` scalar.
    Introduced in ``03_learning``.
    """
    p = sigmoid(x @ w + b)  # (N,)
    error = p - y  # (N,)
    return x.T @ error / len(y), float(np.mean(error))


def bce_loss(x, y, w, b) -> float:
    """Mean binary cross-entropy of ``sigmoid(x @ w + b)`` (stable, from the score)."""
    return binary_cross_entropy_with_logits(x @ w + b, y)[0]


def _probe():
    rng = np.random.default_rng(3)
    n, d = 8, 3
    x = rng.normal(size=(n, d))
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    w = np.array([0.4, -0.9, 0.3])
    b = np.array(-0.35)  # an array so the numerical gradient can nudge it in place
    return x, y, w, b


def check_bce_gradients(bce_gradients) -> Feedback:
    """Check a learner's ``bce_gradients(x, y, w, b) -> (dw, db)`` against numerical gradients."""

    def attempt() -> str:
        x, y, w, b = _probe()
        n, d = x.shape
        result = bce_gradients(x.copy(), y.copy(), w.copy(), float(b))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake("return two things, the pair (dw, db): return dw, db")
        dw, db = result
        if db is None:
            raise Mistake("db is None: the bias needs its gradient too, db = mean(p - y)")
        dw = np.asarray(dw, dtype=float)
        db_arr = np.asarray(db, dtype=float)
        if dw.shape in ((d, 1), (1, d)):
            raise Mistake(
                f"dw has shape {dw.shape}; it must have the shape of w, (D,) = ({d},). "
                "Use x.T @ (p - y) with p - y of shape (N,), not a column."
            )
        if dw.shape == (n, d):
            raise Mistake(
                f"dw has shape (N, D) = {dw.shape}: one gradient per example. Sum (and "
                "average) over the examples: x.T @ (p - y) / N."
            )
        if dw.shape != (d,):
            raise Mistake(f"dw must have the shape of w, ({d},), got {dw.shape}")
        if db_arr.size == n and n != 1:
            raise Mistake(
                f"db has {n} entries, one per example; average them into one number: np.mean(p - y)"
            )
        if db_arr.size != 1:
            raise Mistake(f"db must be a single number, got shape {db_arr.shape}")

        num_dw = numerical_gradient(lambda: bce_loss(x, y, w, b), w)
        num_db = float(numerical_gradient(lambda: bce_loss(x, y, w, b), b))
        db = float(db_arr)
        if np.allclose(dw, -num_dw, atol=1e-6) and not np.allclose(dw, 0):
            raise Mistake(
                "dw has the right size but the wrong sign: the error is p - y (prediction "
                "minus truth), not y - p. Descending then climbs the loss."
            )
        if np.allclose(dw, n * num_dw, atol=1e-6):
            raise Mistake(
                f"dw is {n} times too large: the loss is a MEAN over the N = {n} examples, so "
                "divide the sum x.T @ (p - y) by N."
            )
        if np.allclose(dw, num_dw, atol=1e-6):
            if db == 0.0 and num_db != 0.0:
                raise Mistake("db is 0: the bias gradient is missing; db = mean(p - y)")
            if np.isclose(db, -num_db, atol=1e-6):
                raise Mistake("dw is right but db has the wrong sign: db = mean(p - y)")
            if np.isclose(db, n * num_db, atol=1e-6):
                raise Mistake("dw is right but db is N times too large: use the mean of p - y")
        try:
            check_gradient(dw, num_dw, name="dw", tol=1e-5)
            check_gradient(db, num_db, name="db", tol=1e-5)
        except GradientCheckError as err:
            raise Mistake(str(err)) from None
        return "dw = x.T @ (p - y) / N and db = mean(p - y) agree with the numerical gradient."

    return run_check(
        "bce_gradients",
        attempt,
        start_hint="p = sigmoid(x @ w + b); dw = x.T @ (p - y) / N; db = mean(p - y).",
    )
