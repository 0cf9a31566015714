"""Exercises of the optional primer: NumPy's shapes and axes, and derivatives by hand and by number.

Four small functions the learner writes, each with a check that names the usual slips:

* ``standardize_columns(x) -> (z, mean, std)``: each feature (column) to mean 0 and standard
  deviation 1, with broadcasting and ``axis=0``; a constant column becomes 0, not NaN.
* ``covariance(x) -> (D, D)``: centred columns, then ``centred.T @ centred / N``, a sum over
  the examples (the same pattern as the gradient ``x.T @ error / N`` of ``03_learning``).
* ``numerical_derivative(f, x, h)``: the central difference ``(f(x + h) - f(x - h)) / (2 h)``.
* ``two_step(x) -> (y, dy_dx)``: ``y = sin(u)`` with ``u = x ** 2``, and its derivative by the
  chain rule, ``cos(u) * 2 x``.

The course's convention holds throughout: rows are examples, ``x (N, D)``.
Introduced in ``00a_primer``.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check

# --- reference answers ---------------------------------------------------------------------


def standardize_columns(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference answer: every column of ``x (N, D)`` to mean 0 and standard deviation 1.

    Returns ``(z, mean, std)`` with ``z = (x - mean) / std`` of shape ``(N, D)`` and ``mean``,
    ``std`` of shape ``(D,)`` (one per feature, NumPy's ``std`` with ``ddof=0``). A constant
    column has standard deviation 0; it is divided by 1 instead, so it becomes all zeros and
    ``std`` holds the 1 that was used. ``x`` itself is left unchanged.
    Introduced in ``00a_primer``.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)  # (D,): one mean per feature, over the examples
    std = x.std(axis=0)  # (D,)
    std = np.where(std > 0, std, 1.0)  # a constant column: divide by 1, not by 0
    return (x - mean) / std, mean, std  # (N, D) - (D,) broadcasts over the rows


def covariance(x: np.ndarray) -> np.ndarray:
    """Reference answer: the (D, D) covariance matrix of the columns of ``x (N, D)``.

    ``centred.T @ centred / N`` with ``centred = x - mean over the examples``; entry
    ``(i, j)`` is the mean over the examples of the product of features ``i`` and ``j``
    (centred). Dividing by ``N`` matches ``np.cov(x, rowvar=False, bias=True)``.
    Introduced in ``00a_primer``.
    """
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(axis=0)  # (N, D)
    return centred.T @ centred / len(x)  # (D, N) @ (N, D) -> (D, D)


def numerical_derivative(f, x, h: float = 1e-5):
    """Reference answer: the central-difference estimate of ``f'(x)``, entry by entry.

    ``(f(x + h) - f(x - h)) / (2 h)``: the slope of the chord between the points one step
    ``h`` to the left and one to the right. Its error shrinks like ``h ** 2`` (the forward
    difference's only like ``h``) until rounding takes over below about ``h = 1e-5``.
    ``f`` must work on arrays; ``x`` may be a number or an array.
    Introduced in ``00a_primer``.
    """
    x = np.asarray(x, dtype=np.float64)
    return (f(x + h) - f(x - h)) / (2 * h)


def two_step(x):
    """Reference answer: ``y = sin(u)`` with ``u = x ** 2``, and ``dy/dx`` by the chain rule.

    Forward: ``u = x ** 2``, ``y = sin(u)``. Local derivatives: ``du/dx = 2 x`` and
    ``dy/du = cos(u)`` (evaluated at ``u``, the outer step's own input). The chain rule
    multiplies them: ``dy/dx = cos(x ** 2) * 2 x``. Returns ``(y, dy_dx)``, both shaped like x.
    Introduced in ``00a_primer``.
    """
    x = np.asarray(x, dtype=np.float64)
    u = x**2  # inner step
    y = np.sin(u)  # outer step
    return y, np.cos(u) * 2 * x


# --- helpers -------------------------------------------------------------------------------


def _close(a, b, rtol: float = 1e-7, atol: float = 1e-9) -> bool:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _as_array(value, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Mistake(
            f"{what} should be a NumPy array of numbers, got {type(value).__name__}"
        ) from None


def _broadcast_slip(error: ValueError, axis_hint: str) -> Mistake:
    return Mistake(
        f"NumPy could not broadcast: {error}. {axis_hint} Broadcasting lines shapes up from the "
        "right, so (N, D) and (D,) fit together, but (N, D) and (N,) do not."
    )


# --- standardize_columns -------------------------------------------------------------------


def _standardize_probe() -> np.ndarray:
    """Six examples (rows), three features on very different scales; N != D on purpose."""
    return np.array(
        [
            [3.0, 200.0, 34.0],
            [12.0, 40.0, 51.0],
            [0.0, 310.0, 27.0],
            [7.0, 365.0, 45.0],
            [1.0, 15.0, 62.0],
            [5.0, 120.0, 38.0],
        ]
    )


def check_standardize_columns(standardize_columns) -> Feedback:
    """Check a learner's ``standardize_columns(x) -> (z, mean, std)``; name the usual slips."""

    def attempt() -> str:
        x = _standardize_probe()
        n, d = x.shape
        original = x.copy()
        try:
            result = standardize_columns(x)
        except ValueError as error:
            if "broadcast" in str(error):
                raise _broadcast_slip(
                    error,
                    "Did you reduce with axis=1? That gives one number per example, shape (N,); "
                    "the statistics of a feature run down its column, axis=0, shape (D,).",
                ) from None
            raise
        if not np.array_equal(x, original):
            raise Mistake(
                "x was changed in place (x -= ... or x /= ...); build a new array, e.g. "
                "z = (x - ...) / ..., so the caller's data stay as they were"
            )
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            raise Mistake("return three things, the triple (z, mean, std): return z, mean, std")
        z, mean, std = (
            _as_array(v, name) for v, name in zip(result, ("z", "mean", "std"), strict=True)
        )
        if {mean.shape, std.shape} & {(n,), (n, 1)}:
            raise Mistake(
                f"mean or std has one number per example ({n} of them): that is axis=1. "
                f"A feature's statistics run down its column, over the examples: axis=0, "
                f"giving shape (D,) = ({d},)."
            )
        if mean.shape == (1, d) or std.shape == (1, d):
            raise Mistake(
                f"mean and std should have shape (D,) = ({d},), got {mean.shape} and "
                f"{std.shape}; keepdims=True is not needed here, since (N, D) and (D,) "
                "broadcast already"
            )
        if mean.shape != (d,) or std.shape != (d,):
            raise Mistake(
                f"mean and std need one entry per feature, shape (D,) = ({d},); got "
                f"{mean.shape} and {std.shape}"
            )
        if z.shape != (n, d):
            raise Mistake(f"z must keep the shape of x, (N, D) = {x.shape}; got {z.shape}")

        mu, sigma = x.mean(axis=0), x.std(axis=0)
        row_mu, row_sigma = x.mean(axis=1, keepdims=True), x.std(axis=1, keepdims=True)
        if _close(z, (x - row_mu) / row_sigma) or _close(z, x - row_mu):
            raise Mistake(
                "every ROW of z has mean 0: you standardised each example (axis=1). Rows are "
                "examples, columns are features; each feature's mean and spread are taken "
                "over the examples, axis=0."
            )
        if _close(z, x - mu):
            raise Mistake(
                "z is centred (each column has mean 0) but not scaled: divide by each "
                "column's standard deviation as well, so every column has spread 1"
            )
        if _close(z, (x - mu) / sigma**2):
            raise Mistake(
                "you divided by the variance (x.var), the square of the standard deviation; "
                "divide by the standard deviation (x.std) so each column's spread becomes 1"
            )
        if _close(z, (x - mu) / x.std(axis=0, ddof=1)):
            raise Mistake(
                "you used the sample standard deviation (ddof=1, dividing by N - 1); the "
                "course uses NumPy's default x.std(axis=0), which divides by N"
            )
        if _close(z, x / sigma):
            raise Mistake(
                "z is scaled but not centred: subtract each column's mean before dividing"
            )
        if not _close(mean, mu):
            raise Mistake("mean should be each column's mean over the examples, x.mean(axis=0)")
        if not _close(z, (x - mu) / sigma):
            raise Mistake(
                "z differs from (x - mean) / std column by column; check that both statistics "
                "are per column (axis=0) and that you subtract, then divide"
            )
        if not _close(std, sigma):
            raise Mistake(
                "std should be each column's standard deviation, x.std(axis=0) (the number "
                "you divided by)"
            )

        constant = x.copy()
        constant[:, 1] = 7.0  # a feature that never changes: its standard deviation is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            z_c, _, std_c = (np.asarray(v, dtype=np.float64) for v in standardize_columns(constant))
        if not np.all(np.isfinite(z_c)):
            raise Mistake(
                "a constant column (standard deviation 0) came out as NaN: 0 / 0. Leave such "
                "a column at 0 by dividing it by 1 instead of 0; np.where can choose the "
                "divisor column by column"
            )
        if not np.allclose(z_c[:, 1], 0.0) or not np.all(np.asarray(std_c) > 0):
            raise Mistake(
                "a constant column should become all zeros, with a positive divisor (1) in "
                f"std; got z column {np.round(z_c[:, 1], 3).tolist()} and std {std_c.tolist()}"
            )
        return (
            "every column has mean 0 and standard deviation 1, x is unchanged, and a constant "
            "column becomes 0 instead of NaN."
        )

    return run_check(
        "standardize_columns",
        attempt,
        start_hint=(
            "compute one mean and one spread per feature (a reduction over the examples, "
            "shape (D,)), then let broadcasting apply them to every row."
        ),
    )


# --- covariance ----------------------------------------------------------------------------


def _covariance_probe() -> np.ndarray:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(7, 3)) * np.array([1.0, 3.0, 0.5]) + np.array([2.0, -1.0, 4.0])
    x[:, 2] += 0.8 * x[:, 0]  # two correlated features, so the off-diagonal entries matter
    return x


def check_covariance(covariance) -> Feedback:
    """Check a learner's ``covariance(x) -> (D, D)``; name the usual slips."""

    def attempt() -> str:
        x = _covariance_probe()
        n, d = x.shape
        original = x.copy()
        try:
            out = covariance(x)
        except ValueError as error:
            if "broadcast" in str(error):
                raise _broadcast_slip(
                    error,
                    "Centre each feature with its mean over the examples, axis=0 (shape (D,)).",
                ) from None
            if "mismatch" in str(error) or "aligned" in str(error):
                raise Mistake(
                    f"the matrix product does not fit: {error}. For a (D, D) result the two "
                    "inner sizes must both be N, the examples. Write down the shape of each "
                    "factor: which one has to be transposed for that?"
                ) from None
            raise
        if not np.array_equal(x, original):
            raise Mistake("x was changed in place; centre a new array (centred = x - ...)")
        out = _as_array(out, "the covariance")
        if out.shape == (n, n):
            raise Mistake(
                f"the result has shape (N, N) = {out.shape}: one entry per PAIR OF EXAMPLES, "
                "which is what centred @ centred.T gives. The covariance compares features, "
                "(D, D), so the product must sum over the examples: which factor has the "
                "examples along its second axis?"
            )
        if out.shape != (d, d):
            raise Mistake(f"the covariance of D = {d} features has shape (D, D) = ({d}, {d})")
        centred = x - x.mean(axis=0)
        scatter = centred.T @ centred  # (D, D), a sum over the N examples
        if _close(out, x.T @ x / n):
            raise Mistake(
                "the columns were not centred: subtract each feature's mean over the "
                "examples (axis=0) before multiplying"
            )
        rows = x - x.mean(axis=1, keepdims=True)
        if _close(out, rows.T @ rows / n):
            raise Mistake(
                "you subtracted each EXAMPLE's mean (axis=1); centre each feature with its "
                "mean over the examples, axis=0"
            )
        if _close(out, scatter / (n - 1)):
            raise Mistake(
                f"you divided by N - 1 = {n - 1} (np.cov's default); the covariance here is a "
                f"mean over the N = {n} examples, so divide by N"
            )
        if _close(out, scatter):
            raise Mistake(
                f"the entries are {n} times too large: that is a sum over the examples; "
                f"divide by N = {n} to make it a mean"
            )
        if _close(out, scatter / d):
            raise Mistake(
                f"you divided by D = {d}, the number of features; the average runs over the "
                f"N = {n} examples"
            )
        if not _close(out, scatter / n):
            raise Mistake(
                "the result differs from the covariance; check each stage against its shape: "
                "the centred columns (N, D), a product that sums over the N examples, (D, D), "
                "then a mean rather than a sum"
            )
        return "(D, D), symmetric, and equal to np.cov(x, rowvar=False, bias=True)."

    return run_check(
        "covariance",
        attempt,
        start_hint=(
            "centre each feature first; then decide which factor gets the transpose so that "
            "the product sums over the N examples and the result is (D, D)."
        ),
    )


# --- numerical_derivative ------------------------------------------------------------------


def _cube(x):
    return x**3


def check_numerical_derivative(numerical_derivative) -> Feedback:
    """Check a learner's ``numerical_derivative(f, x, h=1e-5)``; name the usual slips."""

    def attempt() -> str:
        x = np.array([-1.5, 0.5, 2.0])
        h = 1e-2  # large on purpose: the formulas' errors differ clearly at this step
        exact = 3 * x**2  # the slope of x ** 3
        central = ((x + h) ** 3 - (x - h) ** 3) / (2 * h)  # = 3 x^2 + h^2 for a cube
        forward = ((x + h) ** 3 - x**3) / h
        backward = (x**3 - (x - h) ** 3) / h
        out = _as_array(numerical_derivative(_cube, x.copy(), h=h), "the estimate")
        if out.shape != x.shape:
            raise Mistake(
                f"for x of shape {x.shape} return one slope per point, shape {x.shape}; got "
                f"{out.shape}. Apply f to the shifted arrays and keep the arrays (no sum, "
                "no float(x))."
            )
        if _close(out, central):
            pass
        elif _close(out, forward):
            raise Mistake(
                "that is the forward difference, a chord from x to x + h: its error shrinks "
                "only like h. Step to both sides of x (x - h and x + h) so the errors cancel."
            )
        elif _close(out, backward):
            raise Mistake(
                "that is the backward difference, a chord from x - h to x: its error shrinks "
                "only like h. Use the points on both sides, x - h and x + h."
            )
        elif _close(out, 2 * central):
            raise Mistake(
                "the slopes are twice too large: the run between x - h and x + h is 2 h, not h"
            )
        elif _close(out, central * h * h):
            raise Mistake(
                "the slopes are far too small: Python reads a / b * c left to right, as "
                "(a / b) * c, so your h multiplies the result instead of dividing it. How do you "
                "make Python divide by the whole run at once?"
            )
        elif _close(out, -central):
            raise Mistake(
                "the sign is flipped: the rise is f(right point) - f(left point), not the "
                "other way round"
            )
        elif _close(out, exact, rtol=1e-6):
            raise Mistake(
                f"with h = {h} the central difference of x**3 is 3 x^2 + h^2, but yours is "
                "almost exact: it seems to ignore the h it was given. Use the argument h."
            )
        else:
            raise Mistake(
                f"for f(x) = x**3 at x = {x.tolist()} with h = {h} expected about "
                f"{np.round(central, 5).tolist()}, got {np.round(out, 5).tolist()}"
            )
        default = _as_array(numerical_derivative(np.sin, np.array([0.3, 1.0, 2.0])), "estimate")
        error = float(np.max(np.abs(default - np.cos([0.3, 1.0, 2.0]))))
        if not error < 1e-8:
            raise Mistake(
                f"with its default h, your estimate of the slope of sin is off by {error:.1e}. "
                "Choose a default step around 1e-5: much larger and the curve's bend biases "
                "the chord, much smaller and rounding errors take over."
            )
        scalar = float(np.asarray(numerical_derivative(_cube, 2.0)))
        if not abs(scalar - 12.0) < 1e-6:
            raise Mistake(f"for a single number x = 2.0 expected about 12.0, got {scalar}")
        return "the central difference: its error on x**3 is exactly h**2, as it should be."

    return run_check(
        "numerical_derivative",
        attempt,
        start_hint=(
            "evaluate f one step h to the right of x and one step h to the left; the slope "
            "is the rise between those two points divided by the run between them."
        ),
    )


# --- two_step (the chain rule) -------------------------------------------------------------


def check_two_step(two_step) -> Feedback:
    """Check a learner's ``two_step(x) -> (y, dy_dx)`` for ``y = sin(x ** 2)``; name slips."""

    def attempt() -> str:
        x = np.array([-1.7, -0.3, 0.8, 1.3, 2.1])  # avoids x = 0.5, where 2x = 1 hides slips
        result = two_step(x.copy())
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mistake("return two things, the pair (y, dy_dx): return y, dy_dx")
        y, dy_dx = (_as_array(v, name) for v, name in zip(result, ("y", "dy_dx"), strict=True))
        if y.shape != x.shape or dy_dx.shape != x.shape:
            raise Mistake(
                f"y and dy_dx should each have the shape of x, {x.shape}; got {y.shape} and "
                f"{dy_dx.shape}"
            )
        u = x**2
        if not _close(y, np.sin(u)):
            if _close(y, np.sin(x) ** 2):
                raise Mistake(
                    "y is sin(x)**2, the steps in the wrong order: square first (u = x**2), "
                    "then take the sine of u"
                )
            if _close(y, np.sin(x)):
                raise Mistake("y is sin(x): the inner step u = x**2 is missing; y = sin(u)")
            raise Mistake("y should be the sine of u = x**2, computed with np.sin")
        inner, outer = 2 * x, np.cos(u)
        if _close(dy_dx, outer * inner):
            return "dy/dx = cos(u) * 2x: outer slope at u times inner slope at x."
        if _close(dy_dx, outer):
            raise Mistake(
                "dy_dx is only the outer step's slope, cos(u): the inner derivative is "
                "missing. The chain rule multiplies it by how fast u changes with x, du/dx."
            )
        if _close(dy_dx, np.cos(x) * inner):
            raise Mistake(
                "the outer slope was evaluated at x: dy/du = cos(u) belongs at the outer "
                "step's own input, u = x**2, not at x"
            )
        if _close(dy_dx, outer + inner):
            raise Mistake(
                "you added the two local slopes; the chain rule MULTIPLIES them: "
                "dy/dx = dy/du * du/dx"
            )
        if _close(dy_dx, inner):
            raise Mistake(
                "dy_dx is only the inner step's slope, 2x: multiply it by the outer slope "
                "dy/du, evaluated at u"
            )
        if _close(dy_dx, -outer * inner):
            raise Mistake(
                "the sign is flipped: the derivative of sin is +cos (that of cos is -sin)"
            )
        if _close(dy_dx, 2 * np.sin(x) * np.cos(x)):
            raise Mistake(
                "that is the slope of sin(x)**2, the steps in the wrong order; here u = x**2 "
                "comes first and the sine second"
            )
        raise Mistake(
            f"at x = {x.tolist()} expected dy/dx = {np.round(outer * inner, 4).tolist()}, got "
            f"{np.round(dy_dx, 4).tolist()}; multiply the outer slope (at u) by the inner slope"
        )

    return run_check(
        "two_step",
        attempt,
        start_hint=(
            "run the two steps forward and keep u; then take each step's own slope at its own "
            "input, and combine the two slopes as the chain rule says."
        ),
    )
