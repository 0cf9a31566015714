"""Checks for the exercises of ``04_activations_and_depth``, with their reference answers.

* Leaky ReLU: the learner writes ``leaky_relu(x, slope)`` (``x`` where ``x > 0``,
  ``slope * x`` elsewhere) and ``leaky_relu_grad(x, slope)`` (1 where ``x > 0``, ``slope``
  elsewhere); :func:`check_leaky_relu` tests both.
* Universality by hand: ``step(x, s, w)`` (one steep sigmoid unit, half-way up at ``x = s``),
  ``bump(x, s1, s2, h, w)`` (two steps, height ``h`` between ``s1`` and ``s2``) and
  ``bump_network(x, f, n, w)`` (``n`` bumps side by side on [0, 1], each as high as ``f`` at
  its midpoint: one hidden layer of ``2n`` sigmoid units). :func:`check_step_and_bump` and
  :func:`check_bump_network` test them; :func:`step`, :func:`bump` and :func:`bump_network`
  are the reference versions the checks compare against.

Every check names the mistake it finds and says how to fix it.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.data.synthetic import target_function
from course_lib.exercises.base import Feedback, Mistake, run_check
from course_lib.numpy_nn.activations import leaky_relu as _reference
from course_lib.numpy_nn.activations import leaky_relu_grad as _reference_grad
from course_lib.numpy_nn.activations import sigmoid
from course_lib.validate import as_float_array, check_positive_float, check_positive_int


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


# --------------------------------------------------------------------------- universality by hand

#: How far inside [0, 1] the bump network's largest error is measured. At x = 0 and x = 1 the
#: outermost steps are exactly half-way up (a sigmoid is 1/2 at its own position), whatever
#: the number of bumps, so those two ends are left out.
EDGE_MARGIN = 0.01


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite number such as 0.5, got {value!r}")
    return float(value)


def unit_curve(x):
    """The course's wiggly 1-D curve moved from [-1, 1] onto [0, 1]: ``target_function(2x - 1)``.

    The target of the bump network. ``x``: a number or an array of any shape; the result has
    the same shape, float64. Introduced in ``04_activations_and_depth``.
    """
    x = as_float_array(x, "x")
    return target_function(2.0 * x - 1.0)


def largest_error(x, network, target) -> float:
    """Largest ``|network - target|`` over the points of ``x (N,)`` inside [0.01, 0.99].

    ``network`` and ``target`` are the two curves at ``x``, shape ``(N,)``. The two ends are
    left out (see :data:`EDGE_MARGIN`). Introduced in ``04_activations_and_depth``.
    """
    x = as_float_array(x, "x", ndim=1, layout="(N,)")
    network = as_float_array(network, "network", ndim=1, layout="(N,)")
    target = as_float_array(target, "target", ndim=1, layout="(N,)")
    if not network.shape == target.shape == x.shape:
        raise ValueError(
            f"x, network and target must have the same shape (N,), got {x.shape}, "
            f"{network.shape} and {target.shape}"
        )
    inside = (x >= EDGE_MARGIN) & (x <= 1.0 - EDGE_MARGIN)
    if not inside.any():
        raise ValueError(f"x has no point inside [{EDGE_MARGIN}, {1 - EDGE_MARGIN}]")
    return float(np.max(np.abs(network - target)[inside]))


def step(x, s, w):
    """One sigmoid unit ``sigmoid(w x + b)`` with its bias chosen as ``b = -w s``.

    It is exactly half-way up (1/2) at ``x = s`` and rises over a width of about ``10 / w``
    around it, so a large weight ``w`` makes it a sharp step from 0 to 1 at ``s``.
    Shape: ``x`` any -> same. Introduced in ``04_activations_and_depth``.
    """
    x = as_float_array(x, "x")
    s, w = _real(s, "s"), check_positive_float(w, "w")
    return sigmoid(w * x - w * s)


def bump(x, s1, s2, h, w):
    """Height ``h`` between ``s1`` and ``s2``, about 0 elsewhere: ``h (step(s1) - step(s2))``.

    Two sigmoid units (a step up at ``s1``, a step down at ``s2``) with output weights ``+h``
    and ``-h``. Needs ``s1 < s2``. Shape: ``x`` any -> same.
    Introduced in ``04_activations_and_depth``.
    """
    s1, s2, h = _real(s1, "s1"), _real(s2, "s2"), _real(h, "h")
    if not s1 < s2:
        raise ValueError(f"a bump needs s1 < s2 (left edge before right edge), got {s1}, {s2}")
    return h * (step(x, s1, w) - step(x, s2, w))


def bump_network(x, f, n: int, w: float = 1000.0):
    """``n`` bumps side by side on [0, 1], bump ``j`` as high as ``f`` at its midpoint.

    The edges are ``0, 1/n, ..., 1`` (``n + 1`` of them); bump ``j`` covers
    ``[j/n, (j+1)/n]`` with height ``f((j + 1/2) / n)``. As a network: one input, one hidden
    layer of ``2n`` sigmoid units with weight ``w`` (a step up at each bump's left edge, a
    step down at its right edge) and a linear output whose weights are ``+h_j`` and ``-h_j``.
    ``x (N,) -> (N,)``; ``f`` is called on one midpoint at a time.
    Introduced in ``04_activations_and_depth``.
    """
    x = as_float_array(x, "x", ndim=1, layout="(N,)")
    if not callable(f):
        raise TypeError(f"f must be a function of one number, such as np.sin, got {f!r}")
    n, w = check_positive_int(n, "n"), check_positive_float(w, "w")
    edges = np.linspace(0.0, 1.0, n + 1)  # (n + 1,)
    heights = _heights(f, (edges[:-1] + edges[1:]) / 2)  # (n,)
    return _staircase(x, edges[:-1], edges[1:], heights, w)


# The checks below take the learner's function under the same name; this one stays the reference.
_reference_network = bump_network


def _heights(f, points: np.ndarray) -> np.ndarray:
    return np.array([float(np.asarray(f(p)).reshape(-1)[0]) for p in points])


def _staircase(x, lefts, rights, heights, w) -> np.ndarray:
    """Sum of bumps: ``sum_j heights[j] (sigmoid(w (x - lefts[j])) - sigmoid(w (x - rights[j])))``.

    Shapes: ``x (N,)``, ``lefts``, ``rights``, ``heights`` ``(n,)`` -> ``(N,)``.
    """
    up = sigmoid(w * x[:, None] - w * np.asarray(lefts))  # (N, n)
    down = sigmoid(w * x[:, None] - w * np.asarray(rights))  # (N, n)
    return (up - down) @ np.asarray(heights)  # (N,)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.allclose(a, b, atol=1e-6, rtol=1e-6)


def _call_curve(fn, name: str, x: np.ndarray, *args) -> np.ndarray:
    """Call the learner's ``fn(x, *args)`` on a copy of ``x``; check it returned (N,) numbers."""
    given = x.copy()
    out = fn(given, *args)
    if out is None:
        raise Mistake(f"{name} returned None: did you forget the return statement?")
    if not np.array_equal(given, x):
        raise Mistake(f"{name} changed the array x it was given; build a new array instead.")
    out = np.asarray(out, dtype=np.float64)
    if out.shape != x.shape:
        (length,) = x.shape
        if out.ndim == 2 and out.shape[0] == length:
            raise Mistake(
                f"{name} returned shape {out.shape}, one column per unit or bump: the network's "
                f"output is one number per input point, shape ({length},). Add the columns up "
                "(each with its output weight) into one curve."
            )
        raise Mistake(
            f"{name} must return one number per input point, shape {x.shape}, but returned "
            f"shape {out.shape}. Work elementwise on x, without reshapes."
        )
    return out


def _half_way(x: np.ndarray, out: np.ndarray) -> float:
    """Where ``out`` first crosses 1/2, interpolated between grid points (else the closest)."""
    above = out >= 0.5
    change = np.flatnonzero(above[1:] != above[:-1])
    if len(change) == 0:
        return float(x[np.argmin(np.abs(out - 0.5))])
    i = change[0]
    return float(np.interp(0.5, sorted(out[i : i + 2]), x[i : i + 2][np.argsort(out[i : i + 2])]))


def _check_step(step_fn, x: np.ndarray) -> None:
    s, w = 0.3, 40.0
    out = _call_curve(step_fn, "step", x, s, w)
    expected = step(x, s, w)
    if not _same(out, expected):
        if np.all(np.isin(np.round(out, 12), (0.0, 1.0))):
            raise Mistake(
                "step jumps straight from 0 to 1 (a hard step such as x >= s). A network's "
                "unit is smooth: use the sigmoid, made steep by a large weight w."
            )
        if _same(out, 1.0 - expected):
            raise Mistake(
                "your step goes down (1 on the left, 0 on the right). A step with w > 0 should "
                "go up: 0 left of s, 1 right of it."
            )
        if _same(out, step(x, s, 1.0)):
            raise Mistake(
                "your step has weight 1, so it is not steep: over [0, 1] it barely rises and "
                "bumps made from it blur into each other. Multiply by the weight w."
            )
        half = _half_way(x, out)
        if abs(half - s) > 0.01:
            raise Mistake(
                f"your step is half-way up (0.5) at x = {half:.3f}, but it should be at "
                f"s = {s}. A unit sigmoid(w x + b) is half-way up where w x + b = 0: choose the "
                "bias b that puts that point at x = s (it depends on both s and w)."
            )
        raise Mistake(
            f"step(x, s={s}, w={w}) is half-way up at the right place but does not rise as "
            f"steeply as sigmoid with weight {w}; at x = 0.35 it should be "
            f"{step(0.35, s, w):.3f}, yours is {np.interp(0.35, x, out):.3f}."
        )
    s2, w2 = 0.8, 400.0
    out = _call_curve(step_fn, "step", x, s2, w2)
    if not _same(out, step(x, s2, w2)):
        if _same(out, step(x, s2, w)) or _same(out, step(x, s, w)):
            raise Mistake(
                "step gives the same curve for a different w (or s): use the arguments s and w "
                "you are given instead of fixed numbers."
            )
        raise Mistake(f"step is right for s={s}, w={w} but not for s={s2}, w={w2}.")


def _check_bump(bump_fn, x: np.ndarray) -> None:
    s1, s2, h, w = 0.2, 0.7, 1.5, 60.0
    out = _call_curve(bump_fn, "bump", x, s1, s2, h, w)
    expected = bump(x, s1, s2, h, w)
    if _same(out, expected):
        return
    up, down = step(x, s1, w), step(x, s2, w)
    if _same(out, h * (up + down)) or _same(out, h * up):
        raise Mistake(
            "right of s2 your bump does not come back down: the second step was added (or left "
            f"out), so the heights pile up ({h} * 2 = {2 * h:g} on the right instead of 0). "
            "Subtract the step at s2 from the step at s1."
        )
    if _same(out, -expected):
        raise Mistake(
            "your bump points down (height -h between s1 and s2): subtract the step at s2 from "
            "the step at s1, not the other way round."
        )
    if _same(out, up - down):
        raise Mistake(
            f"your bump has height 1 instead of h = {h}: multiply the difference of the two "
            "steps by h (h is the output weight of both units, +h and -h)."
        )
    if _same(out, h * up - down) or _same(out, up - h * down):
        raise Mistake(
            "only one of the two steps is multiplied by h, so the bump does not return to 0: "
            "scale both steps by h."
        )
    i = int(np.argmax(np.abs(out - expected)))
    raise Mistake(
        f"bump(x, s1={s1}, s2={s2}, h={h}, w={w}) should be about {h} between s1 and s2 and "
        f"about 0 elsewhere; at x = {x[i]:.2f} it should be {expected[i]:.3f}, yours is "
        f"{out[i]:.3f}. Build it from your step: a step up at s1 minus a step up at s2."
    )


def check_step_and_bump(step, bump) -> Feedback:
    """Check the learner's ``step(x, s, w)`` and ``bump(x, s1, s2, h, w)``.

    Finds: a step in the wrong place (bias not ``-w s``), a step that ignores ``w`` (not steep,
    so bumps blur), a hard step instead of a sigmoid, a step that goes down, fixed numbers
    instead of the arguments; a bump whose steps are added so the heights pile up, a bump
    that points down, a missing or half-applied height ``h``, and wrong shapes.
    Introduced in ``04_activations_and_depth``.
    """
    x = np.linspace(-0.5, 1.5, 401)  # (N,): every 0.005, so 0.2, 0.3, 0.7 and 0.8 are on it

    def attempt() -> str:
        _check_step(step, x)
        _check_bump(bump, x)
        return (
            "step is a sigmoid unit half-way up at s that gets steeper as w grows, and bump is "
            "two such units: height h between s1 and s2, back to 0 on both sides."
        )

    return run_check(
        "step and bump",
        attempt,
        start_hint="a sigmoid unit sigmoid(w x + b) is half-way up where w x + b = 0. "
        "Which bias b puts that point at x = s?",
    )


def _diagnose_network(out: np.ndarray, x: np.ndarray, f, n: int, w: float) -> None:
    """Raise a Mistake that names how ``out`` differs from ``bump_network(x, f, n, w)``."""
    expected = bump_network(x, f, n, w)
    edges = np.linspace(0.0, 1.0, n + 1)
    lefts, rights = edges[:-1], edges[1:]
    mids = (lefts + rights) / 2
    heights = _heights(f, mids)
    yours, right = largest_error(x, out, f(x)), largest_error(x, expected, f(x))
    errors = f" (your network's largest error is {yours:.3f}; the expected one's {right:.3f})"

    def same(curve) -> bool:
        return _same(out, curve)

    if same(_staircase(x, lefts, rights, _heights(f, lefts), w)) or same(
        _staircase(x, lefts, rights, _heights(f, rights), w)
    ):
        raise Mistake(
            "each bump's height is f at one edge of its piece, not at its midpoint, so the "
            "staircase sits half a bump to one side of the curve. Use f at the middle of "
            f"each piece{errors}."
        )
    if same(_staircase(x, lefts, rights, mids, w)):
        raise Mistake(
            "each bump's height is the midpoint itself, not f at the midpoint: call f on it."
        )
    for m in (n - 1, n + 1):
        if m >= 1 and same(bump_network(x, f, m, w)):
            raise Mistake(
                f"asked for n = {n} bumps, your network has {m}: an off-by-one in the edges. "
                f"n pieces of [0, 1] have n + 1 edges, from 0 to 1 inclusive{errors}."
            )
    if n >= 2 and same(_staircase(x, lefts[:-1], rights[:-1], heights[:-1], w)):
        raise Mistake(
            f"your network stops at x = {lefts[-1]:.2f}: the last piece, up to 1, has no bump "
            f"(an off-by-one at the right end of [0, 1]){errors}."
        )
    up = sigmoid(w * x[:, None] - w * lefts)  # (N, n)
    down = sigmoid(w * x[:, None] - w * rights)  # (N, n)
    if same(up @ heights) or same((up + down) @ heights):
        raise Mistake(
            "your bumps never come back down, so their heights pile up from left to right: "
            "each bump is a step up at its left edge MINUS a step up at its right edge"
            f"{errors}."
        )
    if same(-expected):
        raise Mistake("your network is the curve upside down: each bump should point up (+h).")
    for other_w in (1.0, 10.0, 100.0, 1000.0, 10000.0):
        if other_w != w and same(bump_network(x, f, n, other_w)):
            blur = " so the steps are too gentle and the bumps blur" if other_w < w else ""
            raise Mistake(
                f"your steps have weight {other_w:g}, not the w = {w:g} you were given{blur}: "
                f"pass w on to every sigmoid unit{errors}."
            )
    if same(_staircase(x, lefts / w, rights / w, heights, w)):
        raise Mistake(
            "all your steps sit near x = 0: the bias of a unit half-way up at s must depend on "
            "both s and w (w x + b = 0 at x = s)."
        )
    if same(f(x) * _staircase(x, lefts, rights, np.ones(n), w)):
        raise Mistake(
            "your heights are f(x), which changes with the input: that is the curve itself, not "
            "a network. A bump's height is an output weight, one fixed number per bump: f at "
            "its midpoint."
        )
    near_edge = np.min(np.abs(x[:, None] - edges), axis=1) < 20.0 / w
    if np.allclose(out[~near_edge], expected[~near_edge], atol=1e-6):
        raise Mistake(
            "your network is right between the edges but not close to them: did you use a "
            "hard step (x >= s) instead of a sigmoid unit? A network's units are smooth."
        )
    i = int(np.argmax(np.abs(out - expected)))
    raise Mistake(
        f"with n = {n} bumps and w = {w:g}, at x = {x[i]:.3f} the network should give "
        f"{expected[i]:.3f}, yours gives {out[i]:.3f}{errors}. Check the edges, the heights "
        "and that every bump is two steps."
    )


def check_bump_network(bump_network) -> Feedback:
    """Check the learner's ``bump_network(x, f, n, w)``; report its largest error.

    Compares with the reference :func:`bump_network` on a rising line and on
    :func:`unit_curve`. Finds: heights taken at an edge instead of the midpoint (or the
    midpoint itself, or ``f(x)``), one bump too few or too many, a missing last piece, bumps
    that never come down so heights pile up, steps with the wrong weight (too gentle, so
    bumps blur), steps in the wrong place, hard steps instead of sigmoids, and wrong shapes
    (for example the hidden layer's ``(N, 2n)`` instead of the output ``(N,)``).
    Introduced in ``04_activations_and_depth``.
    """
    x = np.linspace(0.0, 1.0, 801)  # (N,): every 1/800, so every edge k/n for n | 800 is on it

    def line(u):
        return 1.0 + 2.0 * u  # rising: edges and midpoints give different heights

    def attempt() -> str:
        for f, n, w in ((line, 4, 2000.0), (line, 4, 200.0), (line, 1, 500.0)):
            out = _call_curve(bump_network, "bump_network", x, f, n, w)
            if not _same(out, _reference_network(x, f, n, w)):
                _diagnose_network(out, x, f, n, w)
        n, w = 20, 1000.0
        out = _call_curve(bump_network, "bump_network", x, unit_curve, n, w)
        if not _same(out, _reference_network(x, unit_curve, n, w)):
            _diagnose_network(out, x, unit_curve, n, w)
        error = largest_error(x, out, unit_curve(x))
        return (
            f"bump_network builds n bumps of height f(midpoint) from 2n sigmoid units. With "
            f"n = {n} bumps (w = {w:g}) it follows unit_curve to within {error:.3f} on "
            f"[{EDGE_MARGIN}, {1 - EDGE_MARGIN}]."
        )

    return run_check(
        "bump network",
        attempt,
        start_hint="cut [0, 1] into n equal pieces (how many edges is that?) and add one of "
        "your bumps per piece.",
    )
