"""Activation functions and their derivatives, written out in NumPy.

An activation ``f`` is applied to every number separately (softmax and maxout are the two
exceptions, they look at a whole row). Each comes three ways:

* ``f(x)``: the value, e.g. ``relu(x) = max(0, x)``;
* ``f_grad(x)``: the derivative ``df/dx`` at every entry of ``x``;
* ``f_forward(x) -> (out, cache)`` and ``f_backward(dout, cache) -> dx``: the cs231n pair
  that backpropagation uses. By the chain rule ``dx = dout * f'(x)``.

Shapes: elementwise functions take any shape and return the same shape. ``softmax`` works
over the last axis. ``maxout`` maps ``(N, k*H) -> (N, H)``.

Introduced in ``04_activations_and_depth``; used by every network after it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib.validate import (
    as_float_array,
    check_cache,
    check_positive_int,
    check_shape,
    check_slope,
)

# --------------------------------------------------------------------------- caches
# Each forward returns its own small named cache, so a backward pass given the wrong one
# (another layer's, or a tuple built by hand) says so instead of failing deep inside.


class SigmoidCache(NamedTuple):
    """What :func:`sigmoid_backward` needs: the forward output ``out``."""

    out: np.ndarray
    forward_name = "sigmoid_forward"


class TanhCache(NamedTuple):
    """What :func:`tanh_backward` needs: the forward output ``out``."""

    out: np.ndarray
    forward_name = "tanh_forward"


class ReluCache(NamedTuple):
    """What :func:`relu_backward` needs: the forward output ``out``."""

    out: np.ndarray
    forward_name = "relu_forward"


class LeakyReluCache(NamedTuple):
    """What :func:`leaky_relu_backward` needs: the input ``x`` and the ``slope``."""

    x: np.ndarray
    slope: float
    forward_name = "leaky_relu_forward"


class MaxoutCache(NamedTuple):
    """What :func:`maxout_backward` needs: the group layout and each group's winner."""

    groups_shape: tuple
    winner: np.ndarray
    x_shape: tuple
    forward_name = "maxout_forward"


class SoftmaxCache(NamedTuple):
    """What :func:`softmax_backward` needs: the forward output ``out``."""

    out: np.ndarray
    forward_name = "softmax_forward"


# --------------------------------------------------------------------------- helpers


def _check_dout(dout, like: np.ndarray) -> np.ndarray:
    """``dout`` must be a float array with exactly the shape of the forward output."""
    dout = as_float_array(dout, "dout", finite=True)
    check_shape(dout, like.shape, "dout (same shape as the forward output)")
    return dout


# --------------------------------------------------------------------------- values


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, squashing any number into (0, 1).

    Computed without overflow: for ``x < 0`` we use the equal form ``exp(x) / (1 + exp(x))``
    so ``exp`` only ever sees ``-|x|``. Shape: any -> same. Introduced in ``02_the_neuron``.
    """
    x = as_float_array(x, "x")
    e = np.exp(-np.abs(x))  # in (0, 1], never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def tanh(x):
    """Hyperbolic tangent ``(e^x - e^-x) / (e^x + e^-x)`` in (-1, 1). Shape: any -> same."""
    x = as_float_array(x, "x")
    return np.tanh(x)


def relu(x):
    """Rectified linear unit ``max(0, x)``. Shape: any -> same."""
    x = as_float_array(x, "x")
    return np.maximum(x, 0)


def leaky_relu(x, slope: float = 0.01):
    """Leaky ReLU: ``x`` for ``x > 0``, ``slope * x`` otherwise.

    The small slope keeps a gradient flowing for negative inputs, so a unit cannot "die"
    (get stuck at zero output with zero gradient). Shape: any -> same.
    """
    x = as_float_array(x, "x", finite=True)
    slope = check_slope(slope)
    return np.where(x > 0, x, slope * x).astype(x.dtype, copy=False)


def softmax(x):
    """Softmax over the last axis: ``exp(x_i) / sum_j exp(x_j)``, each row sums to 1.

    Stable: subtracting the row maximum first changes nothing mathematically but keeps
    ``exp`` from overflowing (logits of 1e4 are fine). Shape: ``(..., K) -> (..., K)``.
    Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", finite=True)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(
            f"x must have at least one axis (the classes K) with K >= 1, got shape {x.shape}"
        )
    shifted = x - x.max(axis=-1, keepdims=True)  # largest entry is now 0
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _maxout_groups(x, k) -> np.ndarray:
    """Check maxout's input and view it as ``(N, H, k)`` groups of k consecutive units."""
    x = as_float_array(x, "x", ndim=2, layout="(N, k*H)")
    k = check_positive_int(k, "k")
    n, width = x.shape
    if width % k:
        raise ValueError(
            f"maxout needs the number of units to be a multiple of k={k}, got {width} units; "
            f"give the layer before it k*H outputs"
        )
    return x.reshape(n, width // k, k)  # (N, H, k)


def maxout(x, k: int):
    """Maxout with ``k`` pieces: the maximum of each group of ``k`` consecutive units.

    ``out[n, j] = max(x[n, j*k], ..., x[n, j*k + k - 1])``. With learned linear units in
    front, a maxout unit is a learned convex piecewise-linear activation (ReLU is the case
    ``k = 2`` with one piece fixed at 0). Shape: ``x (N, k*H) -> (N, H)``.
    """
    return _maxout_groups(x, k).max(axis=2)  # (N, H)


# --------------------------------------------------------------------------- derivatives


def sigmoid_grad(x):
    """``d sigmoid / dx = s (1 - s)`` with ``s = sigmoid(x)``; at most 1/4. Shape: same."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x):
    """``d tanh / dx = 1 - tanh(x)^2``. Shape: same."""
    t = tanh(x)
    return 1 - t * t


def relu_grad(x):
    """``d relu / dx``: 1 where ``x > 0``, else 0 (we pick 0 at exactly 0). Shape: same."""
    x = as_float_array(x, "x")
    return (x > 0).astype(x.dtype)


def leaky_relu_grad(x, slope: float = 0.01):
    """``d leaky_relu / dx``: 1 where ``x > 0``, else ``slope``. Shape: same."""
    x = as_float_array(x, "x")
    slope = check_slope(slope)
    return np.where(x > 0, 1.0, slope).astype(x.dtype)


# --------------------------------------------------------------------------- forward/backward


def sigmoid_forward(x):
    """``out = sigmoid(x)``; the cache holds ``out`` because ``f' = out (1 - out)``."""
    out = sigmoid(x)
    return out, SigmoidCache(out)


def sigmoid_backward(dout, cache):
    """``dx = dout * out * (1 - out)``. Shape: like ``dout``."""
    (out,) = check_cache(cache, SigmoidCache, "sigmoid_forward")
    dout = _check_dout(dout, out)
    return dout * out * (1 - out)


def tanh_forward(x):
    """``out = tanh(x)``; the cache holds ``out`` because ``f' = 1 - out^2``."""
    out = tanh(x)
    return out, TanhCache(out)


def tanh_backward(dout, cache):
    """``dx = dout * (1 - out^2)``. Shape: like ``dout``."""
    (out,) = check_cache(cache, TanhCache, "tanh_forward")
    dout = _check_dout(dout, out)
    return dout * (1 - out * out)


def relu_forward(x):
    """``out = max(0, x)``; the cache holds ``out`` (``out > 0`` exactly where ``x > 0``)."""
    out = relu(x)
    return out, ReluCache(out)


def relu_backward(dout, cache):
    """``dx = dout`` where the unit was active (``x > 0``), else 0. Shape: like ``dout``."""
    (out,) = check_cache(cache, ReluCache, "relu_forward")
    dout = _check_dout(dout, out)
    return dout * (out > 0)


def leaky_relu_forward(x, slope: float = 0.01):
    """``out = leaky_relu(x, slope)``; the cache holds ``(x, slope)``."""
    x = as_float_array(x, "x", finite=True)
    return leaky_relu(x, slope), LeakyReluCache(x, check_slope(slope))


def leaky_relu_backward(dout, cache):
    """``dx = dout`` where ``x > 0``, ``slope * dout`` elsewhere. Shape: like ``dout``."""
    x, slope = check_cache(cache, LeakyReluCache, "leaky_relu_forward")
    dout = _check_dout(dout, x)
    return np.where(x > 0, dout, slope * dout)


def maxout_forward(x, k: int):
    """``out = maxout(x, k)``: ``(N, k*H) -> (N, H)``; the cache remembers the winners."""
    groups = _maxout_groups(x, k)  # (N, H, k)
    winner = groups.argmax(axis=2)  # (N, H): which of the k pieces won
    out = np.take_along_axis(groups, winner[..., None], axis=2)[..., 0]  # (N, H)
    n, h, k = groups.shape
    return out, MaxoutCache(groups.shape, winner, (n, h * k))


def maxout_backward(dout, cache):
    """Only the winning piece of each group gets the gradient: ``(N, H) -> (N, k*H)``."""
    groups_shape, winner, x_shape = check_cache(cache, MaxoutCache, "maxout_forward")
    dout = as_float_array(dout, "dout", finite=True)
    check_shape(dout, groups_shape[:2], "dout (same shape as the forward output (N, H))")
    dgroups = np.zeros(groups_shape, dtype=dout.dtype)  # (N, H, k)
    np.put_along_axis(dgroups, winner[..., None], dout[..., None], axis=2)
    return dgroups.reshape(x_shape)  # (N, k*H)


def softmax_forward(x):
    """``out = softmax(x)`` over the last axis; the cache holds ``out``."""
    out = softmax(x)
    return out, SoftmaxCache(out)


def softmax_backward(dout, cache):
    """Jacobian-vector product of softmax: ``dx = s * (dout - sum(dout * s))`` per row.

    Derivation: ``ds_i/dx_j = s_i (delta_ij - s_j)``, so
    ``dx_j = sum_i dout_i s_i (delta_ij - s_j) = s_j (dout_j - sum_i dout_i s_i)``.
    """
    (s,) = check_cache(cache, SoftmaxCache, "softmax_forward")
    dout = _check_dout(dout, s)
    return s * (dout - (dout * s).sum(axis=-1, keepdims=True))


# Name -> (forward, backward) for the elementwise activations an MLP layer can use.
ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
}
