"""Input checks for the PyTorch twins, mirroring :mod:`course_lib.validate`.

Errors name what was expected, what arrived and how to fix it. A NumPy array where a
tensor is expected gets a ``TypeError`` that says how to convert it. NaN and infinite
values are refused everywhere: every later number would be NaN or infinite too.
"""

from __future__ import annotations

import numbers

import torch

#: The most seeds PyTorch's generators take: integers from 0 to 2**63 - 1.
MAX_SEED = 2**63 - 1


def first_bad_index(x: torch.Tensor) -> tuple[int, ...]:
    """Index of the first NaN or infinite value of ``x`` (there must be one)."""
    bad = torch.nonzero(~torch.isfinite(x))[0]
    return tuple(int(i) for i in bad)


def check_finite(x: torch.Tensor, name: str, hint: str | None = None) -> torch.Tensor:
    """Refuse a tensor holding NaN or an infinity, naming the first one and where it is.

    One reduction and one read-back (a GPU sync) per call: call it once per input, never
    inside a training loop. ``hint`` replaces the default advice.
    """
    if x.numel() and not bool(torch.isfinite(x).all()):
        where = first_bad_index(x)
        value = float(x[where])
        what = "NaN" if value != value else f"{value} (an infinity)"
        advice = hint or "check the data, or lower the learning rate if training diverged"
        raise ValueError(f"{name} contains {what} at index {where}; {advice}")
    return x


def check_finite_result(out: torch.Tensor, inputs: str) -> torch.Tensor:
    """A result computed from finite inputs that overflowed to infinity (or NaN) is refused:
    the numbers were too large for the dtype."""
    if out.numel() and not bool(torch.isfinite(out).all()):
        raise ValueError(
            f"the result overflowed to infinity ({out.dtype} holds numbers up to "
            f"{torch.finfo(out.dtype).max:.3g}); {inputs} hold values too large for this "
            "computation: rescale them (for example standardise the features)"
        )
    return out


def as_tensor(x, name: str, ndim: int | None = None, layout: str | None = None) -> torch.Tensor:
    """Check that ``x`` is a floating-point tensor (of ``ndim`` dimensions) of finite numbers,
    as ``validate.as_float_array(..., finite=True)`` does."""
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
    return check_finite(x, name)


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
    if x.device != weight.device:
        raise ValueError(
            f"{name} is on {x.device} but the model's weights are on {weight.device}; move it "
            f"with {name}.to({str(weight.device)!r}) (or the model with model.to(...))"
        )


def check_bool(value, name: str) -> bool:
    """``value`` must be ``True`` or ``False``: a string such as ``"no"`` would be read as
    true, so it is refused rather than guessed."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def check_seed(value, name: str = "seed") -> int:
    """A seed for PyTorch's generators: an integer from 0 to 2**63 - 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer such as 0, got {value!r}")
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be an integer from 0 to 2**63 - 1, got {value}")
    return int(value)


def check_float_dtype(dtype, name: str = "dtype") -> torch.dtype:
    """A floating-point ``torch.dtype`` (weights must be able to hold gradients)."""
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"{name} must be a torch dtype such as torch.float32, got {dtype!r}")
    if not dtype.is_floating_point:
        raise TypeError(
            f"{name} must be a floating-point dtype such as torch.float32 or torch.float64, "
            f"got {dtype}"
        )
    return dtype


def as_finite_array(value, name: str):
    """A weight given as a NumPy array, a list or a tensor, as a NumPy array of finite
    numbers (loading NaN weights would make every output NaN)."""
    import numpy as np

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # a ragged nested list
        raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if arr.size and not np.isfinite(arr).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} contains {arr[where]} at index {where}; weights must be finite")
    return arr
