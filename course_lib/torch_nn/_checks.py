"""Input checks for the PyTorch twins, mirroring :mod:`course_lib.validate`.

Errors name what was expected, what arrived and how to fix it. A NumPy array where a
tensor is expected gets a ``TypeError`` that says how to convert it.
"""

from __future__ import annotations

import torch


def as_tensor(
    x, name: str, ndim: int | None = None, layout: str | None = None, *, finite: bool = False
) -> torch.Tensor:
    """Check that ``x`` is a floating-point tensor (of ``ndim`` dimensions), free of NaN
    (and, with ``finite=True``, of infinities), as ``validate.as_float_array`` does."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(x).__name__}; convert with "
            f"torch.as_tensor({name}, dtype=torch.float32) or use course_lib.numpy_nn"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        want = layout or f"{ndim} dimensions"
        raise ValueError(f"{name} must have shape {want}, got shape {tuple(x.shape)}")
    if x.numel() and bool(torch.isnan(x).any()):
        raise ValueError(
            f"{name} contains NaN; check the data or lower the learning rate if training diverged"
        )
    if finite and x.numel() and bool(torch.isinf(x).any()):
        raise ValueError(
            f"{name} contains an infinite value; it must hold finite numbers: check the data or "
            "lower the learning rate if training diverged"
        )
    return x


def check_same_shape(a: torch.Tensor, like: torch.Tensor, name: str, what: str) -> None:
    """``a`` must have exactly the shape of ``like``."""
    if a.shape != like.shape:
        raise ValueError(
            f"{name} must have the shape of {what}, {tuple(like.shape)}, got {tuple(a.shape)}"
        )


def as_label_tensor(y, name: str, n: int, num_classes: int | None = None) -> torch.Tensor:
    """Check integer class labels: a tensor of shape ``(n,)`` with values in ``0..K-1``."""
    if not isinstance(y, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of integer labels, got {type(y).__name__}; convert "
            f"with torch.as_tensor({name}, dtype=torch.long)"
        )
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"{name} must have shape (N,) with N={n}, got shape {tuple(y.shape)}")
    if y.shape[0] != n:
        raise ValueError(
            f"{name} has {y.shape[0]} labels but there are {n} examples; "
            "every example needs exactly one label"
        )
    if num_classes is not None and y.numel():
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= num_classes:
            raise ValueError(
                f"{name} must hold labels in 0..{num_classes - 1}, got values from {lo} to {hi}"
            )
    return y.long()


def check_compatible(tensors: dict) -> None:
    """Tensors combined in one operation must share a dtype and a device."""
    items = list(tensors.items())
    first_name, first = items[0]
    for name, t in items[1:]:
        if t.dtype != first.dtype:
            raise TypeError(
                f"{name} must have the dtype of {first_name}, {first.dtype}, got {t.dtype}; "
                f"convert with {name}.to({first_name}.dtype)"
            )
        if t.device != first.device:
            raise ValueError(
                f"{name} must be on the device of {first_name}, {first.device}, got {t.device}; "
                f"move it with {name}.to({first_name}.device)"
            )


def check_matches_weights(x: torch.Tensor, weight: torch.Tensor, name: str = "x") -> None:
    """``x`` must have the floating-point dtype of the model's weights (PyTorch will not mix
    float32 and float64 in one product)."""
    if not x.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {x.dtype}")
    if x.dtype != weight.dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but the model's weights are {weight.dtype}; convert "
            f"with {name}.to({weight.dtype}) (or the model with model.to({x.dtype}))"
        )
