"""PyTorch twins of :mod:`course_lib.numpy_nn.activations`: same names, same arguments.

``X_forward(x, ...)`` returns only ``out``: autograd remembers what the backward pass needs,
so there is no cache and no ``X_backward``. ``X_grad(x)`` gives the derivative by formula,
to compare with autograd. Introduced in ``04_activations_and_depth``.
"""

from __future__ import annotations

import numbers

import torch

from course_lib.torch_nn._checks import as_tensor, check_finite_result
from course_lib.validate import check_slope


def sigmoid(x):
    """``1 / (1 + exp(-x))``. Shape: any -> same."""
    return torch.sigmoid(as_tensor(x, "x"))


def tanh(x):
    """``tanh(x)``. Shape: any -> same."""
    return torch.tanh(as_tensor(x, "x"))


def relu(x):
    """``max(0, x)``. Shape: any -> same."""
    return torch.relu(as_tensor(x, "x"))


def leaky_relu(x, slope: float = 0.01):
    """``x`` for ``x > 0``, ``slope * x`` otherwise. Shape: any -> same."""
    out = torch.nn.functional.leaky_relu(as_tensor(x, "x"), check_slope(slope))
    return check_finite_result(out, "x and slope")  # slope * x can overflow


def softmax(x):
    """Softmax over the last axis (stable). Shape: ``(..., K) -> (..., K)``."""
    x = as_tensor(x, "x")
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the classes K), got a scalar")
    return torch.softmax(x, dim=-1)


def maxout(x, k: int):
    """Max over each group of ``k`` consecutive units: ``(N, k*H) -> (N, H)``."""
    x = as_tensor(x, "x", ndim=2, layout="(N, k*H)")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be a positive integer, got {k!r}")
    if k <= 0:
        raise ValueError(f"k must be a positive integer, got {k}")
    n, width = x.shape
    if width % k:
        raise ValueError(
            f"maxout needs the number of units to be a multiple of k={k}, got {width} units; "
            f"give the layer before it k*H outputs"
        )
    return x.reshape(n, width // k, k).max(dim=2).values  # (N, H)


def sigmoid_grad(x):
    """``s (1 - s)``."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x):
    """``1 - tanh(x)^2``."""
    t = tanh(x)
    return 1 - t * t


def relu_grad(x):
    """1 where ``x > 0``, else 0."""
    x = as_tensor(x, "x")
    return (x > 0).to(x.dtype)


def leaky_relu_grad(x, slope: float = 0.01):
    """1 where ``x > 0``, else ``slope``."""
    x = as_tensor(x, "x")
    slope = check_slope(slope)
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope))


def sigmoid_forward(x):
    """Twin of the NumPy ``sigmoid_forward``; returns only ``out``."""
    return sigmoid(x)


def tanh_forward(x):
    """Twin of the NumPy ``tanh_forward``; returns only ``out``."""
    return tanh(x)


def relu_forward(x):
    """Twin of the NumPy ``relu_forward``; returns only ``out``."""
    return relu(x)


def leaky_relu_forward(x, slope: float = 0.01):
    """Twin of the NumPy ``leaky_relu_forward``; returns only ``out``."""
    return leaky_relu(x, slope)


def maxout_forward(x, k: int):
    """Twin of the NumPy ``maxout_forward``; returns only ``out``."""
    return maxout(x, k)


def softmax_forward(x):
    """Twin of the NumPy ``softmax_forward``; returns only ``out``."""
    return softmax(x)


# Name -> forward function, as in the NumPy half (which also carries the backward).
ACTIVATIONS = {
    "sigmoid": sigmoid_forward,
    "tanh": tanh_forward,
    "relu": relu_forward,
    "leaky_relu": leaky_relu_forward,
}

# Name -> nn.Module class used by :class:`course_lib.torch_nn.mlp.MLP`.
ACTIVATION_MODULES = {
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
    "relu": torch.nn.ReLU,
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01),
}
