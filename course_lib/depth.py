"""Vanishing gradients: how the gradient's size changes on its way down a deep stack.

The experiment of ``04_activations_and_depth``. A stack of ``depth`` fully connected layers,
each followed by the same activation, gets a batch of random inputs; an upstream gradient
enters at the top and :mod:`course_lib.numpy_nn` carries it down with the layers' own
backward functions. We record the size (Frobenius norm) of every layer's weight gradient.

By the chain rule, each layer multiplies the gradient by ``f'(a)`` and by ``W^T``. Sigmoid's
derivative is at most 1/4, so with weights of a moderate size the gradient shrinks by a
roughly constant factor per layer: exponentially in depth. ReLU's derivative is exactly 1
wherever a unit is active, so (with weights scaled as He et al. 2015 suggest) the size stays
about the same from top to bottom.
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_nn.activations import ACTIVATIONS
from course_lib.numpy_nn.layers import linear_backward, linear_forward
from course_lib.validate import check_positive_int


def default_gain(activation: str) -> float:
    """Weight scale factor: sqrt(2) for ReLU-like units (He), 1 otherwise (Glorot-style)."""
    return float(np.sqrt(2.0)) if activation in ("relu", "leaky_relu") else 1.0


def gradient_norms_by_layer(
    activation: str,
    *,
    depth: int = 20,
    width: int = 64,
    n: int = 128,
    seed: int = 0,
    gain: float | None = None,
) -> np.ndarray:
    """Size of the weight gradient of every layer of a deep stack, input side first.

    Builds ``depth`` layers ``h_l = f(h_{l-1} @ W_l + b_l)`` of ``width`` units with weights
    drawn from ``N(0, gain^2 / width)`` (``gain`` defaults to :func:`default_gain`) and zero
    biases, runs ``n`` random inputs (standard normal, shape ``(n, width)``) forward, sends a
    random upstream gradient ``(n, width)`` (scaled by ``1/n`` as a mean loss would) back
    down with :func:`~course_lib.numpy_nn.layers.linear_backward` and the activation's
    backward, and returns ``||dW_l||`` for ``l = 1 .. depth`` as an array of shape
    ``(depth,)``: entry 0 is the layer nearest the input. ``activation`` is one of
    ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``. Introduced in ``04_activations_and_depth``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    depth = check_positive_int(depth, "depth")
    width = check_positive_int(width, "width")
    n = check_positive_int(n, "n")
    gain = default_gain(activation) if gain is None else float(gain)
    act_forward, act_backward = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)

    h = rng.standard_normal((n, width))  # (N, width)
    caches = []
    for _ in range(depth):
        w = rng.standard_normal((width, width)) * gain / np.sqrt(width)  # (width, width)
        a, lin_cache = linear_forward(h, w, np.zeros(width))  # (N, width)
        h, act_cache = act_forward(a)
        caches.append((lin_cache, act_cache))

    dh = rng.standard_normal((n, width)) / n  # the gradient arriving from the loss
    norms = np.empty(depth)
    for layer in reversed(range(depth)):
        lin_cache, act_cache = caches[layer]
        da = act_backward(dh, act_cache)  # through the activation: times f'(a)
        dh, dw, _ = linear_backward(da, lin_cache)  # through the weights: times W^T
        norms[layer] = np.linalg.norm(dw)
    return norms
