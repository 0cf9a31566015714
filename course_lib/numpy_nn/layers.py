"""Layers as forward/backward pairs (cs231n style).

``X_forward(inputs, params) -> (out, cache)`` computes the layer and keeps what the
backward pass needs; ``X_backward(dout, cache)`` turns the gradient of the loss with respect
to ``out`` into gradients with respect to the inputs and parameters (the chain rule, one
layer at a time). Activations live in :mod:`course_lib.numpy_nn.activations`, losses in
:mod:`course_lib.numpy_nn.losses`.

Introduced in ``05_feed_forward_networks``; ``flatten`` in ``06_mnist_with_a_feed_forward_net``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from course_lib.validate import as_float_array, check_cache, check_flag, check_shape


class LinearCache(NamedTuple):
    """What :func:`linear_backward` needs: the input ``x`` and the weights ``w``."""

    x: np.ndarray
    w: np.ndarray
    forward_name = "linear_forward"


class FlattenCache(NamedTuple):
    """What :func:`flatten_backward` needs: the ``shape`` of the input."""

    shape: tuple
    forward_name = "flatten_forward"


def linear_forward(x, w, b):
    """Fully connected (affine) layer ``out = x @ w + b``.

    Shapes: ``x (N, D)``, ``w (D, M)``, ``b (M,)`` -> ``out (N, M)``. The cache is
    a :class:`LinearCache` ``(x, w)``. Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    w = as_float_array(w, "w", ndim=2, layout="(D, M)", finite=True)
    b = as_float_array(b, "b", ndim=1, layout="(M,)", finite=True)
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have shape (D, M) with D={x.shape[1]} (the features of x), got shape "
            f"{w.shape}; if it is ({w.shape[1]}, {w.shape[0]}) you need w.T"
        )
    check_shape(b, (w.shape[1],), "b (one bias per output unit M)")
    out = x @ w  # (N, M)
    out += b  # broadcast the bias over the batch, in place
    return out, LinearCache(x, w)


def linear_backward(dout, cache, *, input_grad: bool = True):
    """Gradients of ``out = x @ w + b``: ``dx = dout @ w.T``, ``dw = x.T @ dout``,
    ``db = sum_n dout``.

    Shapes: ``dout (N, M)`` -> ``dx (N, D)``, ``dw (D, M)``, ``db (M,)``.
    ``input_grad=False`` skips ``dx`` (returns ``None``): the first layer of a network has
    no use for the gradient with respect to the data, and it costs a full matrix product.
    """
    x, w = check_cache(cache, LinearCache, "linear_forward")
    input_grad = check_flag(input_grad, "input_grad")
    dout = as_float_array(dout, "dout", ndim=2, layout="(N, M)", finite=True)
    check_shape(dout, (x.shape[0], w.shape[1]), "dout (same shape as the forward output)")
    dx = dout @ w.T if input_grad else None  # (N, D)
    dw = x.T @ dout  # (D, M)
    db = dout.sum(axis=0)  # (M,)
    return dx, dw, db


def flatten_forward(x):
    """Flatten every example into one row: ``(N, d1, d2, ...) -> (N, d1*d2*...)``.

    An image of shape ``(C, H, W)`` becomes a vector of ``C*H*W`` numbers: this is where a
    feed-forward network loses the picture's spatial structure. The cache holds the input
    shape. Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    x = as_float_array(x, "x")
    if x.ndim < 1:
        raise ValueError("x must have shape (N, ...) with a batch axis, got a scalar")
    return x.reshape(x.shape[0], math.prod(x.shape[1:])), FlattenCache(x.shape)  # (N, prod)


def flatten_backward(dout, cache):
    """Undo the flattening of the gradient: ``(N, prod) -> (N, d1, d2, ...)``."""
    (shape,) = check_cache(cache, FlattenCache, "flatten_forward")
    dout = as_float_array(dout, "dout", ndim=2, layout="(N, prod)", finite=True)
    expected = (shape[0], int(np.prod(shape[1:], dtype=np.int64)))
    check_shape(dout, expected, "dout (same shape as the forward output)")
    return dout.reshape(shape)
