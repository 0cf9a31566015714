"""PyTorch twins of :mod:`course_lib.numpy_nn.neuron`, plus the trainable ``Neuron`` module.

Introduced in ``02_the_neuron``.
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

from course_lib.device import as_device
from course_lib.torch_nn._checks import (
    as_tensor,
    check_compatible,
    check_finite_result,
    check_float_dtype,
)


def _check_neuron(x, w, b):
    x = as_tensor(x, "x", ndim=2, layout="(N, D)")
    w = as_tensor(w, "w", ndim=1, layout="(D,)")
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have one weight per input feature, shape ({x.shape[1]},), got shape "
            f"{tuple(w.shape)}"
        )
    b = as_tensor(b, "b")
    if b.numel() != 1:
        raise ValueError(f"b must be a single number (the bias), got shape {tuple(b.shape)}")
    check_compatible({"x": x, "w": w, "b": b})
    return x, w, b.reshape(())


def neuron_score(x, w, b):
    """``x @ w + b``. Shapes: ``x (N, D)``, ``w (D,)``, ``b ()`` -> ``(N,)``."""
    x, w, b = _check_neuron(x, w, b)
    return check_finite_result(x @ w + b, "x, w and b")


def predict_proba(x, w, b):
    """``sigmoid(x @ w + b)``: probability of class 1, ``(N,)``."""
    return torch.sigmoid(neuron_score(x, w, b))


def predict(x, w, b, threshold: float = 0.5):
    """1 where the probability is at least ``threshold``, else 0: ``(N,)`` int64."""
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number in [0, 1], got {threshold!r}")
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold}")
    return (predict_proba(x, w, b) >= threshold).long()


class Neuron(nn.Module):
    """One sigmoid neuron with parameters ``w (D,)`` and ``b ()`` (both start at 0).

    ``forward(x)`` returns probabilities ``sigmoid(x @ w + b)``, shape ``(N,)``;
    :meth:`score` returns the score before the sigmoid (use it with
    ``binary_cross_entropy_with_logits``). Introduced in ``02_the_neuron``.
    """

    def __init__(self, in_features: int, *, device=None, dtype=torch.float32):
        super().__init__()
        if isinstance(in_features, bool) or not isinstance(in_features, numbers.Integral):
            raise TypeError(f"in_features must be a positive integer, got {in_features!r}")
        if not 0 < in_features <= 10**9:
            raise ValueError(
                f"in_features must be a positive integer (at most 10**9), got {in_features}"
            )
        dtype = check_float_dtype(dtype)
        device = None if device is None else as_device(device)
        self.in_features = int(in_features)
        self.w = nn.Parameter(torch.zeros(in_features, device=device, dtype=dtype))
        self.b = nn.Parameter(torch.zeros((), device=device, dtype=dtype))

    def score(self, x):
        """``x @ w + b``: ``(N, D) -> (N,)``."""
        return neuron_score(x, self.w, self.b)

    def forward(self, x):
        """Probability of class 1: ``(N, D) -> (N,)``."""
        return torch.sigmoid(self.score(x))

    def predict(self, x, threshold: float = 0.5):
        """Class decisions ``(N,)`` int64."""
        return predict(x, self.w, self.b, threshold)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}"
