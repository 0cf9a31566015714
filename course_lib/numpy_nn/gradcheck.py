"""Gradient checking: is my backward pass right?

The derivative of f at x is approximately the centred difference

    df/dx  ~=  (f(x + h) - f(x - h)) / (2 h)

which is slow (two evaluations of f per number in x) but needs no calculus, so it is the
referee for every hand-written backward pass in the course. ``check_gradient`` compares an
analytic gradient with the numerical one and, when they disagree, says how: a flipped sign,
a constant factor (a missing ``1/N``?), an all-zero gradient, or a shape mismatch.

Introduced in ``05_feed_forward_networks``; the tests use it for every NumPy backward.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from course_lib.validate import as_array, as_float_array, check_callable, check_positive_float


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with the numerical one; the message explains how."""


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x`` (which is nudged in place, one entry at a time,
    and restored afterwards). ``h``, the size of the nudge, must be a finite number > 0.
    Returns an array shaped like ``x``.
    """
    check_callable(f, "f", "a function of no arguments that returns the loss")
    x = _writable_float(x, "x")
    h = check_positive_float(h, "h")
    grad = np.zeros_like(x, dtype=np.float64)
    if x.size == 0:
        return grad  # nothing to nudge
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        if x.dtype.type(old + h) == old:
            raise ValueError(
                f"h={h} is too small to change x{list(i)}={old} in {x.dtype}; use a larger "
                "step such as 1e-5 (float64) or 1e-2 (float32)"
            )
        try:
            x[i] = old + h
            f_plus = _scalar(f, i)
            x[i] = old - h
            f_minus = _scalar(f, i)
        finally:
            x[i] = old  # restored even when f() fails
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(f, i: tuple) -> float:
    """``f()`` as a float, or a ``ValueError`` saying which nudge made it something else."""
    value = f()
    try:
        number = float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        number = None
    if number is None or not math.isfinite(number):
        what = "not a single number" if number is None else f"{number}"
        raise ValueError(
            f"f() must return one finite number (the loss), got {what} with x{list(i)} nudged; "
            "check that f returns a scalar such as a mean, and that h is not too large"
        )
    return number


def numerical_gradient_array(
    f: Callable[[], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Numerical gradient of ``sum(f() * dout)`` with respect to ``x``.

    Use it for array-valued functions such as a layer's forward pass: ``dout`` plays the role
    of the upstream gradient that the backward pass receives.
    """
    check_callable(f, "f", "a function of no arguments that returns an array")
    dout = as_float_array(dout, "dout", finite=True).astype(np.float64, copy=False)
    h = check_positive_float(h, "h")
    out = as_array(f(), "f()")
    if out.shape != dout.shape:
        raise ValueError(
            f"dout must have the shape of f()'s output {out.shape}, got {dout.shape}; "
            "it plays the upstream gradient of that output"
        )
    return numerical_gradient(lambda: float(np.sum(np.asarray(f()) * dout)), x, h)


def rel_error(a, b) -> float:
    """Largest relative difference ``|a - b| / max(1e-8, |a| + |b|)`` over all entries.

    ``a`` and ``b`` must be numbers or arrays of the same shape. When either holds NaN or
    an infinity the two cannot be compared, and the answer is ``inf`` (never NaN, which
    would pass no comparison silently).
    """
    a = _as_compared(a, "a")
    b = _as_compared(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.inf
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def _as_compared(v, name: str) -> np.ndarray:
    """``v`` as a float64 array for :func:`rel_error`; NaN is allowed (it compares as inf)."""
    if isinstance(v, (str, bytes)) or v is None:
        raise TypeError(f"{name} must be a number or a numeric array, got {type(v).__name__}")
    arr = as_array(v, name)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (float or int), got dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def check_gradient(analytic, numeric, name: str = "gradient", tol: float = 1e-6) -> float:
    """Raise :class:`GradientCheckError` unless ``analytic`` matches ``numeric``.

    Returns the relative error when they agree. The error message names the gradient, the
    worst entry and a likely cause.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'dW1', got {name!r}")
    analytic = _as_gradient(analytic, name)
    numeric = as_float_array(numeric, "numeric", finite=True).astype(np.float64, copy=False)
    tol = check_positive_float(tol, "tol")
    if analytic.shape != numeric.shape:
        hint = ""
        if analytic.shape == numeric.shape[::-1]:
            hint = " It looks transposed: check which side of the matrix product it belongs on."
        raise GradientCheckError(
            f"{name} has shape {analytic.shape} but the parameter has shape {numeric.shape}; "
            f"a gradient always has the shape of what it is the gradient of.{hint}"
        )
    err = rel_error(analytic, numeric)
    if err <= tol:
        return err
    worst = np.unravel_index(
        np.argmax(
            np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
        ),
        analytic.shape,
    )
    lines = [
        f"{name} is wrong: relative error {err:.2e} (allowed {tol:.0e}).",
        f"Worst entry {tuple(int(i) for i in worst)}: yours {analytic[worst]:.6g}, "
        f"numerical {numeric[worst]:.6g}.",
    ]
    lines.append(_diagnose(analytic, numeric))
    raise GradientCheckError(" ".join(line for line in lines if line))


def _as_gradient(analytic, name: str) -> np.ndarray:
    """The analytic gradient as float64; NaN in it is a wrong gradient, not bad input."""
    try:
        return as_float_array(analytic, "analytic", finite=True).astype(np.float64, copy=False)
    except ValueError:  # NaN or inf: the backward pass divided by 0 or took log(0)
        raise GradientCheckError(
            f"{name} contains NaN or an infinity: the backward pass divides by 0 or takes "
            "log(0) somewhere"
        ) from None


def _diagnose(analytic: np.ndarray, numeric: np.ndarray) -> str:
    """Guess the common mistake behind a failed check, in words."""
    scale = np.max(np.abs(numeric), initial=0.0)
    if scale == 0:
        return "The true gradient is zero here; yours is not."
    if np.max(np.abs(analytic), initial=0.0) == 0:
        return "Your gradient is all zeros: is the backward pass returning the right variable?"
    if rel_error(analytic, -numeric) < 1e-4:
        return "It has the right size but the wrong sign: check a minus sign."
    mask = np.abs(numeric) > 1e-3 * scale
    ratios = analytic[mask] / numeric[mask]
    if ratios.size and np.allclose(ratios, ratios[0], rtol=1e-3):
        return (
            f"Yours is the true gradient times {ratios[0]:.4g}: a constant factor is off "
            "(a missing 1/N average, or a factor of 2?)."
        )
    return "The error is not a simple sign or scale: recheck the chain rule step by step."


def _writable_float(x: np.ndarray, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(
            f"{name} must be a float NumPy array that f() reads (it is nudged in place), "
            f"got {type(x).__name__} with dtype {getattr(x, 'dtype', None)}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: it is nudged in place and restored")
    return x
