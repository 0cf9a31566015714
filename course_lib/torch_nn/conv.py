"""Convolution and max-pooling in PyTorch: the twins of :mod:`course_lib.numpy_nn.conv`.

Same names, argument order and layouts as the NumPy half: x ``(N, C, H, W)``,
w ``(F, C, HH, WW)``, b ``(F,)``, out ``(N, F, H', W')`` with
``H' = (H + 2 pad - HH) // stride + 1`` and ``W' = (W + 2 pad - WW) // stride + 1``.
They return only ``out``: autograd computes the backward pass.

Introduced in ``07_convolutions``.
"""

from __future__ import annotations

from course_lib.torch_nn._checks import as_tensor, check_finite_result
from course_lib.validate import check_nonnegative_int, check_positive_int

__all__ = ["conv2d_forward", "maxpool2d_forward"]


def _as_tensor(x, name: str, ndim: int, layout: str):
    """Check that ``x`` is an ``ndim``-D floating-point tensor of finite numbers; return it."""
    import torch

    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor with shape {layout}, got {type(x).__name__}; "
            f"use torch.as_tensor({name}) or the NumPy version in course_lib.numpy_nn.conv"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{name} must hold floating-point numbers, got dtype {x.dtype}; use {name}.float()"
        )
    return as_tensor(x, name, ndim, layout)


def conv2d_forward(x, w, b, stride=1, pad=0):
    """2-D convolution with ``torch.nn.functional.conv2d``, checked like the NumPy twin.

    Args:
        x: images ``(N, C, H, W)``; w: kernels ``(F, C, HH, WW)``; b: biases ``(F,)``;
        stride >= 1; pad >= 0 (zeros on every side).

    Returns:
        out ``(N, F, H', W')``, ``H' = (H + 2 pad - HH) // stride + 1``,
        ``W' = (W + 2 pad - WW) // stride + 1``.

    Introduced in ``07_convolutions``.
    """
    import torch.nn.functional as F_

    x = _as_tensor(x, "x", 4, "(N, C, H, W)")
    w = _as_tensor(w, "w", 4, "(F, C, HH, WW)")
    b = _as_tensor(b, "b", 1, "(F,)")
    stride = check_positive_int(stride, "stride")
    pad = check_nonnegative_int(pad, "pad")
    for name, t in (("w", w), ("b", b)):
        if t.dtype != x.dtype:
            raise TypeError(
                f"{name} has dtype {t.dtype} but x has dtype {x.dtype}; "
                f"convert one of them, e.g. {name}.to(x.dtype)"
            )
        if t.device != x.device:
            raise ValueError(
                f"{name} is on {t.device} but x is on {x.device}; move both to one device, "
                f"e.g. {name}.to(x.device)"
            )
    N, C, H, W = x.shape
    F, Cw, HH, WW = w.shape
    if min(x.shape) == 0 or min(w.shape) == 0:
        raise ValueError(
            f"x (N, C, H, W) and w (F, C, HH, WW) need every size >= 1, "
            f"got x {tuple(x.shape)} and w {tuple(w.shape)}"
        )
    if Cw != C:
        raise ValueError(
            f"x has C={C} channels but w expects C={Cw} (w has shape {tuple(w.shape)}, "
            f"laid out (F, C, HH, WW)); the kernels need one slice per input channel"
        )
    if tuple(b.shape) != (F,):
        raise ValueError(
            f"b must have shape (F,) = ({F},), one bias per filter, got {tuple(b.shape)}"
        )
    if HH > H + 2 * pad or WW > W + 2 * pad:
        raise ValueError(
            f"the {HH}x{WW} kernel does not fit the {H}x{W} input padded by pad={pad} "
            f"(padded size {H + 2 * pad}x{W + 2 * pad}); use a smaller kernel or more padding"
        )
    return check_finite_result(F_.conv2d(x, w, b, stride=stride, padding=pad), "x, w and b")


def maxpool2d_forward(x, size=2, stride=2):
    """Max-pooling with ``torch.nn.functional.max_pool2d``, checked like the NumPy twin.

    Args:
        x: feature maps ``(N, C, H, W)``; size: window side; stride: step between windows.

    Returns:
        out ``(N, C, H', W')``, ``H' = (H - size) // stride + 1``,
        ``W' = (W - size) // stride + 1``.

    Introduced in ``08_convolutional_networks``.
    """
    import torch.nn.functional as F_

    x = _as_tensor(x, "x", 4, "(N, C, H, W)")
    size = check_positive_int(size, "size")
    stride = check_positive_int(stride, "stride")
    if min(x.shape) == 0:
        raise ValueError(f"x (N, C, H, W) needs every size >= 1, got {tuple(x.shape)}")
    H, W = x.shape[2:]
    if size > H or size > W:
        raise ValueError(
            f"a {size}x{size} pooling window does not fit the {H}x{W} input; "
            "use a smaller size or a larger image"
        )
    return F_.max_pool2d(x, kernel_size=size, stride=stride)
