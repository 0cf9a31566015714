"""PyTorch twins of :mod:`course_lib.numpy_nn.losses`: they return only the loss tensor.

Same formulas, same clipping (``EPS``) for binary cross-entropy from probabilities, so the
NumPy and PyTorch values and gradients agree. Introduced in ``03_learning``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_lib.numpy_nn.losses import EPS
from course_lib.torch_nn._checks import as_label_tensor, as_tensor, check_finite_result


def _binary_targets(y, like: torch.Tensor) -> torch.Tensor:
    y = as_tensor(y, "y")
    if y.shape != like.shape:
        raise ValueError(
            f"y must have one target per prediction, shape {tuple(like.shape)}, got shape "
            f"{tuple(y.shape)}; check that the labels and the predictions match"
        )
    lo, hi = (float(y.detach().min()), float(y.detach().max())) if y.numel() else (0.0, 0.0)
    if lo < 0 or hi > 1:
        raise ValueError(f"y must hold targets in [0, 1], got values from {lo} to {hi}")
    return y.to(like.dtype)


def binary_cross_entropy(p, y):
    """``-mean(y log p + (1 - y) log(1 - p))`` with ``p`` clipped to ``[EPS, 1 - EPS]``.

    Shapes: ``p (N,)``, ``y (N,)``. Returns a scalar tensor.
    """
    p = as_tensor(p, "p")
    y = _binary_targets(y, p)
    if p.numel() == 0:
        raise ValueError("p must hold at least one prediction, got an empty tensor")
    if float(p.detach().min()) < 0 or float(p.detach().max()) > 1:
        raise ValueError(
            f"p must hold probabilities in [0, 1], got values from {float(p.detach().min())} to "
            f"{float(p.detach().max())}; for scores use binary_cross_entropy_with_logits"
        )
    pc = p.clamp(EPS, 1 - EPS)  # no log(0)
    return -(y * torch.log(pc) + (1 - y) * torch.log1p(-pc)).mean()


def binary_cross_entropy_with_logits(z, y):
    """Stable binary cross-entropy of ``sigmoid(z)``. Shapes: ``z (N,)``, ``y (N,)``."""
    z = as_tensor(z, "z")
    y = _binary_targets(y, z)
    if z.numel() == 0:
        raise ValueError("z must hold at least one score, got an empty tensor")
    return check_finite_result(F.binary_cross_entropy_with_logits(z, y), "the scores z")


def softmax_cross_entropy(logits, y):
    """``-mean log softmax(logits)[y]``. Shapes: ``logits (N, K)``, ``y (N,)`` integers."""
    logits = as_tensor(logits, "logits", ndim=2, layout="(N, K)")
    n, k = logits.shape
    if n == 0 or k == 0:
        raise ValueError(f"logits must have shape (N, K) with N, K >= 1, got {tuple(logits.shape)}")
    y = as_label_tensor(y, "y", n, num_classes=k)
    return check_finite_result(F.cross_entropy(logits, y), "the logits")
