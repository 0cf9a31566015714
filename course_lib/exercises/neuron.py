"""Exercise of ``02_the_neuron``: write the neuron's ``predict_proba(x, w, b)``.

The answer is ``sigmoid(x @ w + b)``, one probability per example, computed so that huge
scores (say +-1000) neither overflow nor warn. The check tries the learner's function on
small and extreme inputs and names the usual slips: a missing bias, a flipped sign, a
column ``(N, 1)`` instead of a vector ``(N,)``, the raw score instead of a probability, and
overflow in ``exp``. The reference answer is
:func:`course_lib.numpy_nn.neuron.predict_proba`. Introduced in ``02_the_neuron``.
"""

from __future__ import annotations

import warnings

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import sigmoid as _sigmoid


def _probe():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 2)) * 2.0  # (N, D)
    w = np.array([0.8, -0.5])
    b = 0.7
    return x, w, b


def check_predict_proba(predict_proba) -> Feedback:
    """Check a learner's ``predict_proba(x, w, b)``; explain the usual slips."""

    def attempt() -> str:
        x, w, b = _probe()
        x_copy = x.copy()
        out = predict_proba(x, w, b)
        if not isinstance(out, np.ndarray):
            raise Mistake(f"return a NumPy array, got {type(out).__name__}")
        if not np.array_equal(x, x_copy):
            raise Mistake("x was changed in place; compute new arrays instead")
        n = x.shape[0]
        if out.shape in ((n, 1), (1, n)):
            raise Mistake(
                f"the result has shape {out.shape}; it must be (N,) = ({n},), one number per "
                "customer. With w of shape (D,), x @ w is already (N,): do not reshape w "
                "into a column, or use .ravel() at the end."
            )
        if out.shape != (n,):
            raise Mistake(f"the result must have shape (N,) = ({n},), got {out.shape}")
        z = x @ w + b
        if np.any(out < 0) or np.any(out > 1):
            raise Mistake(
                "some values lie outside [0, 1], so these are scores, not probabilities: "
                "pass the score x @ w + b through the sigmoid 1 / (1 + exp(-z))."
            )
        if not np.allclose(out, _sigmoid(z)):
            if np.allclose(out, _sigmoid(x @ w)):
                raise Mistake("the bias is missing: the score is x @ w + b, not x @ w.")
            if np.allclose(out, _sigmoid(-z)):
                raise Mistake(
                    "sign error: the results are 1 - p. The sigmoid is 1 / (1 + exp(-z)); "
                    "a larger score must give a larger probability."
                )
            if np.allclose(out, _sigmoid(x @ w - b)):
                raise Mistake("sign error on the bias: the score is x @ w + b.")
            raise Mistake(
                "the probabilities differ from sigmoid(x @ w + b); compute the score first, "
                "then apply 1 / (1 + exp(-score))"
            )
        # Extreme scores: z = +-1000. A naive exp(-z) overflows to inf (with a warning).
        x_big = np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 0.0]])
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    big = predict_proba(x_big, np.array([1.0, 0.0]), 0.0)
            except (FloatingPointError, RuntimeWarning, OverflowError) as err:
                raise Mistake(
                    f"for a score of -1000 your code overflows ({err}). exp(1000) is larger "
                    "than any float. Make exp see only -|z|: for z >= 0 use 1 / (1 + exp(-z)), "
                    "for z < 0 use exp(z) / (1 + exp(z)). Careful: np.where evaluates BOTH "
                    "branches on every element, so compute e = np.exp(-np.abs(z)) first."
                ) from None
        big = np.asarray(big, dtype=float)
        if big.shape != (3,) or not np.all(np.isfinite(big)):
            raise Mistake(
                "for scores of +-1000 the result contains inf or NaN; compute "
                "e = np.exp(-np.abs(z)) and build both cases from e"
            )
        if not np.allclose(big, [1.0, 0.0, 0.5]):
            raise Mistake(
                f"for scores 1000, -1000 and 0 expected 1, 0 and 0.5, got {np.round(big, 3)}"
            )
        return "sigmoid(x @ w + b), shape (N,), stable for scores of +-1000."

    return run_check(
        "predict_proba",
        attempt,
        start_hint="z = x @ w + b; then 1 / (1 + exp(-z)), written so that exp never overflows.",
    )
