"""PyTorch twin of :class:`course_lib.numpy_nn.mlp.MLP`, an ``nn.Module``.

Same constructor, same starting weights for the same ``seed`` (they are drawn by the NumPy
MLP and loaded), and converters between the two weight layouts: NumPy keeps ``W (D, M)``
for ``x @ W``; ``nn.Linear`` keeps ``weight (M, D)`` for ``x @ weight.T``.
Introduced in ``05_feed_forward_networks``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from course_lib.device import as_device
from course_lib.numpy_nn.mlp import MLP as NumpyMLP
from course_lib.torch_nn._checks import (
    as_finite_array,
    check_finite,
    check_float_dtype,
    check_matches_weights,
    check_seed,
)
from course_lib.torch_nn.activations import ACTIVATION_MODULES

#: The most weights a course model may have: far beyond any network of the course (a few
#: million), and a clear error instead of an attempt to allocate terabytes.
MAX_PARAMETERS = 10**9


class MLP(nn.Module):
    """``sizes = [D, H1, ..., K]``: Linear, activation, ..., Linear (logits).

    ``forward(x (N, D)) -> logits (N, K)``. ``device``/``dtype`` place the weights.

    ``forward`` refuses ``x`` holding NaN or an infinity (one ``torch.isfinite`` check per
    call). :func:`course_lib.torch_nn.train.fit` checks its whole data set once before
    training and switches the per-call check off while it trains (``check_inputs = False``),
    so its loop never waits for that check.
    """

    #: Refuse NaN/inf in ``forward``'s input; ``fit`` turns it off while it trains.
    check_inputs: bool = True

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        seed: int = 0,
        dtype=torch.float32,
        device=None,
    ):
        super().__init__()
        if not isinstance(activation, str) or activation not in ACTIVATION_MODULES:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATION_MODULES)}, got {activation!r}"
            )
        dtype = check_float_dtype(dtype)
        device = None if device is None else as_device(device)
        check_seed(seed)
        _check_size(sizes)
        reference = NumpyMLP(sizes, activation=activation, seed=seed, dtype=np.float64)
        self.sizes = reference.sizes
        self.activation = activation
        layers: list[nn.Module] = []
        for i, (d, m) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True), start=1):
            layers.append(nn.Linear(d, m, device=device, dtype=dtype))
            if i < len(self.sizes) - 1:
                layers.append(ACTIVATION_MODULES[activation]())
        self.net = nn.Sequential(*layers)
        self.load_numpy_params(reference.params)

    @property
    def linears(self) -> list[nn.Linear]:
        """The ``nn.Linear`` layers, first to last."""
        return [m for m in self.net if isinstance(m, nn.Linear)]

    def forward(self, x):
        """``(N, D) -> (N, K)`` logits."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor, got {type(x).__name__}; use torch.as_tensor(x)"
            )
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"x must have shape (N, {self.sizes[0]}), got shape {tuple(x.shape)}; "
                "flatten images with x.reshape(len(x), -1)"
            )
        check_matches_weights(x, self.linears[0].weight)
        if self.check_inputs:
            check_finite(x, "x")
        return self.net(x)

    @torch.no_grad()
    def predict(self, x):
        """Predicted class per row, ``(N,)`` int64 tensor."""
        return self.forward(x).argmax(dim=1)

    @torch.no_grad()
    def load_numpy_params(self, params: dict) -> None:
        """Copy NumPy-layout weights ``{"W1": (D, H1), "b1": (H1,), ...}`` into this model."""
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict like MLP.params, got {type(params).__name__}")
        for i, lin in enumerate(self.linears, start=1):
            for key in (f"W{i}", f"b{i}"):
                if key not in params:
                    raise ValueError(f"params must contain {key!r}; got keys {sorted(params)}")
            w = as_finite_array(params[f"W{i}"], f"params['W{i}']")
            b = as_finite_array(params[f"b{i}"], f"params['b{i}']")
            want_w = (lin.in_features, lin.out_features)
            if w.shape != want_w:
                raise ValueError(f"params['W{i}'] must have shape {want_w}, got {w.shape}")
            if b.shape != (lin.out_features,):
                raise ValueError(
                    f"params['b{i}'] must have shape ({lin.out_features},), got {b.shape}"
                )
            lin.weight.copy_(torch.as_tensor(w.T, dtype=lin.weight.dtype))  # (M, D)
            lin.bias.copy_(torch.as_tensor(b, dtype=lin.bias.dtype))
            for key, t in ((f"W{i}", lin.weight), (f"b{i}", lin.bias)):
                check_finite(t, f"params[{key!r}]", f"it is too large for {t.dtype}")

    def numpy_params(self) -> dict[str, np.ndarray]:
        """The weights in NumPy layout: ``{"W1": (D, H1), "b1": (H1,), ...}``."""
        out = {}
        for i, lin in enumerate(self.linears, start=1):
            out[f"W{i}"] = lin.weight.detach().cpu().numpy().T.copy()  # (D, M)
            out[f"b{i}"] = lin.bias.detach().cpu().numpy().copy()
        return out


def _check_size(sizes) -> None:
    """Refuse layer sizes whose weights would not fit in any memory (before allocating)."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        return  # the NumPy MLP names the type error
    widths = [s for s in sizes if isinstance(s, int) and not isinstance(s, bool) and s > 0]
    if len(widths) != len(sizes):
        return  # the NumPy MLP names the bad entry
    count = sum((d + 1) * m for d, m in zip(widths[:-1], widths[1:], strict=True))
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"sizes={list(sizes)} would need {count:,} weights, more than {MAX_PARAMETERS:,}; "
            "the course's networks have at most a few million: use smaller layers"
        )
