"""PyTorch twins of :mod:`course_lib.numpy_nn.layers` (forward only; autograd does backward).

Weight layout is the NumPy one, ``w (D, M)``: note that ``nn.Linear`` stores the transpose
``(M, D)``. Introduced in ``05_feed_forward_networks``.
"""

from __future__ import annotations

import math

from course_lib.torch_nn._checks import as_tensor, check_compatible, check_finite_result


def linear_forward(x, w, b):
    """``out = x @ w + b``. Shapes: ``x (N, D)``, ``w (D, M)``, ``b (M,)`` -> ``(N, M)``."""
    x = as_tensor(x, "x", ndim=2, layout="(N, D)")
    w = as_tensor(w, "w", ndim=2, layout="(D, M)")
    b = as_tensor(b, "b", ndim=1, layout="(M,)")
    check_compatible({"x": x, "w": w, "b": b})
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have shape (D, M) with D={x.shape[1]} (the features of x), got shape "
            f"{tuple(w.shape)}; nn.Linear's weight is (M, D): use weight.T"
        )
    if b.shape[0] != w.shape[1]:
        raise ValueError(
            f"b must have shape ({w.shape[1]},) (one per output), got {tuple(b.shape)}"
        )
    return check_finite_result(x @ w + b, "x, w and b")  # (N, M)


def flatten_forward(x):
    """``(N, d1, d2, ...) -> (N, d1*d2*...)``."""
    x = as_tensor(x, "x")
    if x.ndim < 1:
        raise ValueError("x must have shape (N, ...) with a batch axis, got a scalar")
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))  # (N, prod)
