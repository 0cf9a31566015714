"""Exercises of ``02_the_neuron``: the neuron's prediction and the cost of its predictions.

1. ``predict_proba(x, w, b)``: ``sigmoid(x @ w + b)``, one probability per example, computed
   so that huge scores (say +-1000) neither overflow nor warn. The check names the usual
   slips: a missing bias, a flipped sign, a column ``(N, 1)`` instead of a vector ``(N,)``,
   the raw score instead of a probability, and overflow in ``exp``. The reference answer is
   :func:`course_lib.numpy_nn.neuron.predict_proba`.
2. ``bce_loss(z, y)``: the binary cross-entropy, minus the log of the probability the neuron
   gave to what actually happened, averaged over the examples, computed from the scores ``z``
   so that no score overflows or takes ``log(0)``. The check names the naive form that
   overflows, ``np.where`` computing both branches (one of which overflows), a missing minus
   sign, a sum instead of a mean, ``y`` and ``1 - y`` swapped, and more.

Introduced in ``02_the_neuron``.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import sigmoid as _sigmoid
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits


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


def bce_loss(z, y) -> float:
    """Reference answer: the mean binary cross-entropy of ``sigmoid(z)`` against ``y``.

    ``z (N,)`` scores, any real numbers; ``y (N,)`` labels in {0, 1}; returns one number,
    ``mean(-log(probability given to what happened))``, computed from the scores so that
    nothing overflows (see :func:`course_lib.numpy_nn.losses.binary_cross_entropy_with_logits`).
    Introduced in ``02_the_neuron``.
    """
    return binary_cross_entropy_with_logits(z, y)[0]


def _per_example(z, y) -> np.ndarray:
    """The cost of each example, ``-log sigmoid(z)`` if ``y = 1`` else ``-log sigmoid(-z)``."""
    z = np.asarray(z, dtype=float)
    y = np.asarray(y, dtype=float)
    # -log sigmoid(t) = log(1 + exp(-t)) = max(-t, 0) + log(1 + exp(-|t|))
    return y * _softplus(-z) + (1 - y) * _softplus(z)


def _softplus(t: np.ndarray) -> np.ndarray:
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def _as_number(got, n: int, name: str = "the loss") -> float:
    """The learner's loss as a float, or a Mistake that says what came back instead."""
    if isinstance(got, (tuple, list)) and len(got) == 2:
        raise Mistake(
            f"you returned a pair ({type(got[0]).__name__}, {type(got[1]).__name__}); return "
            f"only {name}, one number"
        )
    size = np.size(got) if isinstance(got, (np.ndarray, list, tuple)) else 1
    if size == n and n > 1:
        raise Mistake(
            f"you returned {n} numbers, one cost per example; the loss is their MEAN, one "
            "number for the whole batch (np.mean)"
        )
    if isinstance(got, bool) or not isinstance(got, (numbers.Real, np.ndarray)) or size != 1:
        raise Mistake(f"return {name} as one number, got {type(got).__name__}")
    return float(np.asarray(got).reshape(()))


def _bce_probe():
    z = np.array([2.0, -1.0, 0.5, -3.0, 1.5, -0.2])  # (N,) scores of both signs
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])  # (N,) each label right and wrong once
    return z, y


_EXP_OVERFLOWS = (
    "You work from the score, which is right, but exp overflows: for a large negative score "
    "such as z = -1000, exp(-z) is exp(1000), too large for a float (inf), and the same "
    "happens to exp(z) for z = +1000. Rewrite each cost so that exp only ever sees -|z|, a "
    "number at most 0, whose exp lies between 0 and 1."
)


_BOTH_BRANCHES = (
    "Your loss comes out right, but exp overflowed on the way: np.where evaluates BOTH "
    "branches on every element, so the branch you throw away still computes exp(1000). Write "
    "each cost so that exp only ever sees -|z| (e.g. np.exp(-np.abs(z))); then neither branch "
    "can overflow."
)


def _right_with_warnings_ignored(bce_loss, z, y, right: float) -> bool:
    """Whether ``bce_loss(z, y)`` is exact once floating-point warnings are silenced.

    Then the overflow happened in a value the answer threw away, as when ``np.where`` chooses
    between two branches that are both computed everywhere.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = float(np.asarray(bce_loss(z, y), dtype=np.float64).reshape(()))
    except Exception:  # any failure: not a right answer
        return False
    return math.isclose(got, right, rel_tol=1e-6)


def _from_score_without_abs(bce_loss) -> bool:
    """Whether ``bce_loss`` is exact for confident mistakes of 40 (where p itself rounds to 1).

    Going through ``p = sigmoid(z)`` fails there (``1 - p`` is exactly 0); a cost written from
    the score, such as ``log1p(exp(-z))``, is still exact, and only overflows further out.
    """
    z, y = np.array([40.0, -40.0]), np.array([0.0, 1.0])  # each costs log(1 + e^40)
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = float(np.asarray(bce_loss(z, y), dtype=np.float64).reshape(()))
    except Exception:  # any failure: not a working form from the score
        return False
    return math.isclose(got, float(np.mean(_per_example(z, y))), rel_tol=1e-9)


def check_bce_loss(bce_loss) -> Feedback:
    """Check a learner's ``bce_loss(z, y)``; explain the usual slips."""

    def attempt() -> str:
        z, y = _bce_probe()
        n = z.size
        z_copy, y_copy = z.copy(), y.copy()
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            got = bce_loss(z, y)
        if not (np.array_equal(z, z_copy) and np.array_equal(y, y_copy)):
            raise Mistake("z or y was changed in place; compute new arrays instead")
        got = _as_number(got, n)
        right = float(np.mean(_per_example(z, y)))
        if math.isnan(got):
            raise Mistake(
                "the loss is NaN. z holds scores, which can be negative, so log(z) is "
                "undefined: the probability of class 1 is sigmoid(z), not z itself."
            )
        if not math.isclose(got, right, rel_tol=1e-6):
            if math.isclose(got, -right, rel_tol=1e-6):
                raise Mistake(
                    f"your loss is {got:.4f}, negative: the minus sign is missing. The log of a "
                    "probability is at most 0; the cost is MINUS that log, so it is at least 0."
                )
            if math.isclose(got, n * right, rel_tol=1e-6):
                raise Mistake(
                    f"your loss is {n} times too large: you summed the costs of the N = {n} "
                    "examples. Average them (np.mean), so the loss does not grow with the "
                    "size of the batch."
                )
            if math.isclose(got, float(np.mean(_per_example(z, 1 - y))), rel_tol=1e-6):
                raise Mistake(
                    "y and 1 - y are swapped: you charged each example for the class that did "
                    "NOT happen. An example with y = 1 costs -log p, one with y = 0 costs "
                    "-log(1 - p)."
                )
            if math.isclose(got, float(np.mean(_per_example(z, np.ones_like(y)))), rel_tol=1e-6):
                raise Mistake(
                    "you scored every example as if its label were 1 (-log p for all): the "
                    "examples with y = 0 cost -log(1 - p)"
                )
            if math.isclose(got, right / math.log(10), rel_tol=1e-6):
                raise Mistake("use the natural logarithm (np.log), not log10")
            raise Mistake(
                f"for these 6 scores and labels the loss should be {right:.4f}, got {got:.4f}. "
                "Each example costs minus the log of the probability the neuron gave to what "
                "happened; the loss is the mean of those costs."
            )
        # Extreme scores: a right and a wrong confident prediction of each class, and z = 0.
        z_big = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
        y_big = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
        right_big = float(np.mean(_per_example(z_big, y_big)))  # (2000 + log 2) / 5
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    big = bce_loss(z_big, y_big)
            except (FloatingPointError, RuntimeWarning, OverflowError) as err:
                if _right_with_warnings_ignored(bce_loss, z_big, y_big, right_big):
                    raise Mistake(
                        f"for scores of +-1000 NumPy says: {err}. {_BOTH_BRANCHES}"
                    ) from None
                if _from_score_without_abs(bce_loss):
                    raise Mistake(
                        f"for scores of +-1000 your code fails ({err}). {_EXP_OVERFLOWS}"
                    ) from None
                raise Mistake(
                    f"for scores of +-1000 your code fails ({err}). Going through p = "
                    "sigmoid(z) and then log(p) cannot work: p rounds to exactly 0 or 1, and "
                    "log(0) is -inf; exp(1000) overflows. Work from the score: write "
                    "-log(sigmoid(t)) so that exp only ever sees -|t|."
                ) from None
        big = _as_number(big, z_big.size)
        if not math.isfinite(big):
            if _from_score_without_abs(bce_loss):
                raise Mistake(f"for scores of +-1000 your loss is {big}. {_EXP_OVERFLOWS}")
            raise Mistake(
                f"for scores of +-1000 your loss is {big}: the naive form log(sigmoid(z)) "
                "reaches log(0) = -inf (and 0 * inf is NaN). Work from the score so that exp "
                "only ever sees -|z|."
            )
        if not math.isclose(big, right_big, rel_tol=1e-6):
            raise Mistake(
                f"for scores 1000, -1000, 1000, -1000, 0 with labels 1, 0, 0, 1, 1 the loss "
                f"should be {right_big:.2f} (two confident mistakes cost 1000 each), got "
                f"{big:.2f}. Clipping p or capping the cost hides how wrong a confident "
                "mistake is; compute -log(sigmoid(t)) exactly, from t."
            )
        return "mean of -log(probability given to what happened), finite for scores of +-1000."

    return run_check(
        "bce_loss",
        attempt,
        start_hint=(
            "first write the cost of ONE example with y = 1, then one with y = 0, from the "
            "score z, with exp seeing only -|z|; the loss is the average of the costs over "
            "the N examples, one number."
        ),
    )
