"""Checks for the exercise of ``04_activations_and_depth``: leaky ReLU and its derivative.

The learner writes ``leaky_relu(x, slope)`` (``x`` where ``x > 0``, ``slope * x`` elsewhere)
and ``leaky_relu_grad(x, slope)`` (1 where ``x > 0``, ``slope`` elsewhere) for arrays of any
shape; :func:`check_leaky_relu` tests both on chosen inputs and names the mistake it finds.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import leaky_relu as _reference
from course_lib.numpy_nn.activations import leaky_relu_grad as _reference_grad


def _call(fn, name: str, x: np.ndarray, slope: float) -> np.ndarray:
    """Call the learner's function on a copy of ``x``; complain if it edits its input."""
    given = x.copy()
    out = fn(given, slope)
    if not np.array_equal(given, x):
        raise Mistake(
            f"{name} changed the array it was given (for example with x[x < 0] *= slope). "
            "Build a new array instead, e.g. with np.where, so the caller's data stays intact."
        )
    if out is None:
        raise Mistake(f"{name} returned None: did you forget the return statement?")
    out = np.asarray(out)
    if out.shape != x.shape:
        raise Mistake(
            f"{name} must return one number per input, shape {x.shape}, but returned shape "
            f"{out.shape}. Work elementwise (np.where or a mask), without sums, max over an "
            "axis or reshapes."
        )
    return out.astype(np.float64)


def check_leaky_relu(leaky_relu, leaky_relu_grad) -> Feedback:
    """Check the learner's ``leaky_relu(x, slope)`` and ``leaky_relu_grad(x, slope)``.

    Finds: the slope ignored (plain ReLU, or a hard-coded 0.01), the slope applied on the
    wrong side, a changed shape, an edited input array, a derivative of 0 (or ``slope * x``)
    for negative inputs and a derivative other than 1 for positive inputs.
    Introduced in ``04_activations_and_depth``.
    """
    rng = np.random.default_rng(4)
    x = np.array([[-3.0, -0.5, 0.5], [2.0, -1.5, 4.0]])  # (2, 3): both signs, not square
    x_big = rng.standard_normal((4, 5, 3)) * 3

    def attempt() -> str:
        slope = 0.2
        out = _call(leaky_relu, "leaky_relu", x, slope)
        neg, pos = x < 0, x > 0
        if not np.allclose(out[pos], x[pos]):
            if np.allclose(out[pos], slope * x[pos]):
                raise Mistake(
                    "for positive inputs leaky_relu should return x unchanged; yours multiplies "
                    "them by the slope. The slope belongs to the negative side: x if x > 0, "
                    "else slope * x."
                )
            raise Mistake("for positive inputs leaky_relu should return x itself, e.g. 2 -> 2.")
        if not np.allclose(out[neg], slope * x[neg]):
            if np.allclose(out[neg], 0.0):
                raise Mistake(
                    "negative inputs give 0, which is plain ReLU: leaky ReLU returns slope * x "
                    f"there (with slope={slope}, -3 -> {slope * -3:g}). Use the slope argument."
                )
            if np.allclose(out[neg], 0.01 * x[neg]):
                raise Mistake(
                    f"with slope={slope} negative inputs should give {slope} * x, but yours "
                    "used 0.01: the slope argument is ignored. Use the slope you are given "
                    "instead of a fixed number."
                )
            raise Mistake(
                f"for negative inputs leaky_relu should return slope * x, e.g. -3 -> "
                f"{slope * -3:g} with slope={slope}; yours gives {out[neg][0]:g} for -3."
            )
        other = _call(leaky_relu, "leaky_relu", x_big, 0.05)
        if not np.allclose(other, _reference(x_big, 0.05)):
            raise Mistake("leaky_relu is right on a small example but not on a 3-D array.")

        d = _call(leaky_relu_grad, "leaky_relu_grad", x, slope)
        if not np.allclose(d[neg], slope):
            if np.allclose(d[neg], 0.0):
                raise Mistake(
                    "leaky_relu_grad gives 0 for negative inputs, which is ReLU's derivative. "
                    f"Leaky ReLU's slope there is the slope argument ({slope}): that is the "
                    "whole point, the gradient never vanishes completely."
                )
            if np.allclose(d[neg], slope * x[neg]):
                raise Mistake(
                    "leaky_relu_grad returns slope * x for negative inputs, which is the "
                    "function's value, not its derivative: the derivative of slope * x is the "
                    "constant slope."
                )
            if np.allclose(d[neg], 0.01):
                raise Mistake(
                    f"leaky_relu_grad used 0.01 for negative inputs although slope={slope} was "
                    "passed: use the slope argument."
                )
            raise Mistake(
                f"for negative inputs the derivative is the slope ({slope}); "
                f"yours gives {d[neg][0]:g}."
            )
        if not np.allclose(d[pos], 1.0):
            raise Mistake(
                "for positive inputs leaky ReLU is f(x) = x, whose derivative is 1; "
                f"yours gives {d[pos][0]:g}."
            )
        other = _call(leaky_relu_grad, "leaky_relu_grad", x_big, 0.05)
        if not np.allclose(other, _reference_grad(x_big, 0.05)):
            raise Mistake("leaky_relu_grad is right on a small example but not on a 3-D array.")
        return (
            "leaky_relu and leaky_relu_grad are right for both signs, respect the slope, "
            "keep the shape and leave the input untouched."
        )

    return run_check(
        "leaky ReLU",
        attempt,
        start_hint="np.where(condition, a, b) picks a where the condition holds and b "
        "elsewhere, entry by entry; here the condition is x > 0.",
    )
