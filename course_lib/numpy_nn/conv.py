"""Convolution and max-pooling in NumPy: a loop version to read, a fast version to use.

A 2-D convolution slides each of F small kernels over the image and, at every position,
takes the dot product of the kernel with the patch of the image under it::

    out[n, f, i, j] = b[f] + sum over c, u, v of
                      x_padded[n, c, i * stride + u, j * stride + v] * w[f, c, u, v]

Shapes (the course's letters): x ``(N, C, H, W)`` images, w ``(F, C, HH, WW)`` kernels,
b ``(F,)`` biases, out ``(N, F, H', W')`` feature maps with

    H' = (H + 2 * pad - HH) // stride + 1        W' = (W + 2 * pad - WW) // stride + 1

(:func:`conv_output_size`). Strictly this is cross-correlation (the kernel is not flipped),
which is what every deep-learning library calls convolution.

Two implementations share one signature:

* :func:`conv2d_forward_naive` / :func:`conv2d_backward_naive`: four nested loops, the
  formula above written out. Read these.
* :func:`conv2d_forward` / :func:`conv2d_backward`: the same numbers, fast. Every patch is
  laid out as one row of a matrix ("im2col"), so the whole convolution becomes a single
  matrix product that NumPy hands to an optimised BLAS. Use these.

Max-pooling (:func:`maxpool2d_forward`) keeps the largest value of each window; its backward
pass sends the gradient only to the position that won.

Introduced in ``07_convolutions``; the CNN in :mod:`course_lib.numpy_nn.cnn` is built from it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from course_lib.validate import (
    as_float_array,
    check_cache,
    check_nonnegative_int,
    check_positive_int,
)

__all__ = [
    "conv_output_size",
    "conv_window_starts",
    "conv2d_forward_naive",
    "conv2d_backward_naive",
    "conv2d_forward",
    "conv2d_backward",
    "maxpool2d_forward",
    "maxpool2d_backward",
]


def conv_output_size(size: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """Output length along one axis: ``(size + 2 * pad - kernel) // stride + 1``.

    Example: a 28-pixel row, a 3-wide kernel, stride 1, pad 1 gives 28 outputs; stride 2
    and no padding gives 13. Raises ``ValueError`` when the kernel does not fit.

    Introduced in ``07_convolutions``.
    """
    size = check_positive_int(size, "size")
    kernel = check_positive_int(kernel, "kernel")
    stride = check_positive_int(stride, "stride")
    pad = check_nonnegative_int(pad, "pad")
    if kernel > size + 2 * pad:
        raise ValueError(
            f"a kernel of size {kernel} does not fit an input of size {size} with pad={pad} "
            f"(padded size {size + 2 * pad}); use a smaller kernel or more padding"
        )
    return (size + 2 * pad - kernel) // stride + 1


def conv_window_starts(size: int, kernel: int, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Where each window starts along one axis, counted in the padded input: ``(n,)`` ints.

    Output position ``i`` reads the ``kernel`` entries ``starts[i] .. starts[i] + kernel - 1``
    of the padded axis (index 0 is the first padding zero), with ``starts[i] = i * stride``
    and ``n = conv_output_size(size, kernel, stride, pad)``. Example: size 7, kernel 3,
    stride 2, pad 1 gives ``[0, 2, 4, 6]``. Raises ``ValueError`` when the kernel does not fit.

    Introduced in ``07_convolutions``.
    """
    n = conv_output_size(size, kernel, stride, pad)
    return stride * np.arange(n)


# --------------------------------------------------------------------------------------
# Caches: each forward returns its own, so a backward given another one says so
# --------------------------------------------------------------------------------------


class ConvNaiveCache(NamedTuple):
    """What :func:`conv2d_backward_naive` needs: the inputs and the settings."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray
    stride: int
    pad: int
    forward_name = "conv2d_forward_naive"


class ConvCache(NamedTuple):
    """What :func:`conv2d_backward` needs: the input shape, kernels, settings and columns."""

    x_shape: tuple
    w: np.ndarray
    stride: int
    pad: int
    cols: np.ndarray
    forward_name = "conv2d_forward"


class PoolCache(NamedTuple):
    """What :func:`maxpool2d_backward` needs: the input shape, window and the winners."""

    x_shape: tuple
    size: int
    stride: int
    winner: np.ndarray
    forward_name = "maxpool2d_forward"


# --------------------------------------------------------------------------------------
# Input checks shared by both implementations
# --------------------------------------------------------------------------------------


def _check_conv_inputs(x, w, b, stride, pad):
    """Validate conv2d arguments; return float arrays (float32 if x and w both are)."""
    x = as_float_array(x, "x", ndim=4, layout="(N, C, H, W)", finite=True)
    w = as_float_array(w, "w", ndim=4, layout="(F, C, HH, WW)", finite=True)
    b = as_float_array(b, "b", ndim=1, layout="(F,)", finite=True)
    stride = check_positive_int(stride, "stride")
    pad = check_nonnegative_int(pad, "pad")
    N, C, H, W = x.shape
    F, Cw, HH, WW = w.shape
    if min(x.shape) == 0 or min(w.shape) == 0:
        raise ValueError(
            f"x (N, C, H, W) and w (F, C, HH, WW) need every size >= 1, "
            f"got x {x.shape} and w {w.shape}"
        )
    if Cw != C:
        raise ValueError(
            f"x has C={C} channels but w expects C={Cw} (w has shape {w.shape}, "
            f"laid out (F, C, HH, WW)); the kernels need one slice per input channel"
        )
    if b.shape != (F,):
        raise ValueError(f"b must have shape (F,) = ({F},), one bias per filter, got {b.shape}")
    if HH > H + 2 * pad or WW > W + 2 * pad:
        raise ValueError(
            f"the {HH}x{WW} kernel does not fit the {H}x{W} input padded by pad={pad} "
            f"(padded size {H + 2 * pad}x{W + 2 * pad}); use a smaller kernel or more padding"
        )
    dtype = np.result_type(x.dtype, w.dtype, b.dtype)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), b.astype(dtype), stride, pad


def _check_dout(dout, expected_shape, name="dout"):
    dout = as_float_array(dout, name, ndim=len(expected_shape), finite=True)
    if dout.shape != tuple(expected_shape):
        raise ValueError(
            f"{name} must have the shape of the forward output {tuple(expected_shape)}, "
            f"got {dout.shape}; pass the cache from the matching forward call"
        )
    return dout


def _pad(x: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the two spatial axes of ``x`` (N, C, H, W) by ``pad`` on every side."""
    if pad == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


# --------------------------------------------------------------------------------------
# Naive convolution: the formula, loop by loop
# --------------------------------------------------------------------------------------


def conv2d_forward_naive(x, w, b, stride=1, pad=0):
    """Convolution with plain loops, written to be read.

    Args:
        x: images ``(N, C, H, W)``.
        w: kernels ``(F, C, HH, WW)``.
        b: biases ``(F,)``.
        stride: step between neighbouring windows (>= 1).
        pad: zeros added on every side of the image (>= 0).

    Returns:
        ``(out, cache)`` with out ``(N, F, H', W')``,
        ``H' = (H + 2 pad - HH) // stride + 1`` and ``W' = (W + 2 pad - WW) // stride + 1``.

    Introduced in ``07_convolutions``.
    """
    x, w, b, stride, pad = _check_conv_inputs(x, w, b, stride, pad)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    xp = _pad(x, pad)
    out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
    for n in range(N):  # every image
        for f in range(F):  # every kernel
            for i in range(H_out):  # every output row
                for j in range(W_out):  # every output column
                    top, left = i * stride, j * stride
                    patch = xp[n, :, top : top + HH, left : left + WW]  # (C, HH, WW)
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]
    cache = ConvNaiveCache(x, w, b, stride, pad)
    return out, cache


def conv2d_backward_naive(dout, cache):
    """Backward pass of :func:`conv2d_forward_naive`, with the same loops.

    Every output ``out[n, f, i, j]`` was ``sum(patch * w[f]) + b[f]``, so its gradient
    ``dout[n, f, i, j]`` flows to the patch (times ``w[f]``), to ``w[f]`` (times the patch)
    and to ``b[f]`` (times one). Patches overlap, so contributions add up.

    Args:
        dout: upstream gradient ``(N, F, H', W')``.
        cache: from :func:`conv2d_forward_naive`.

    Returns:
        ``(dx, dw, db)`` shaped like x ``(N, C, H, W)``, w ``(F, C, HH, WW)``, b ``(F,)``.

    Introduced in ``07_convolutions``.
    """
    x, w, b, stride, pad = check_cache(cache, ConvNaiveCache, "conv2d_forward_naive")
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    dout = _check_dout(dout, (N, F, H_out, W_out)).astype(x.dtype, copy=False)
    xp = _pad(x, pad)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    g = dout[n, f, i, j]
                    dxp[n, :, top : top + HH, left : left + WW] += g * w[f]
                    dw[f] += g * xp[n, :, top : top + HH, left : left + WW]
                    db[f] += g
    dx = dxp[:, :, pad : pad + H, pad : pad + W]  # drop the gradient of the padding zeros
    return dx, dw, db


# --------------------------------------------------------------------------------------
# Fast convolution: im2col + one matrix product
# --------------------------------------------------------------------------------------


def _columns(xp: np.ndarray, HH: int, WW: int, stride: int, H_out: int, W_out: int):
    """im2col: every window of ``xp`` as one column, shape ``(C * HH * WW, N * H' * W')``.

    ``as_strided`` first builds a view ``(C, HH, WW, N, H', W')`` without copying: entry
    ``[c, u, v, n, i, j]`` is ``xp[n, c, i * stride + u, j * stride + v]``, the pixel under
    kernel offset ``(u, v)`` of window ``(i, j)``; only the strides (how far to jump in
    memory per index) say so. ``reshape`` then copies it into one matrix. Keeping
    ``(N, H', W')`` last makes that copy run along contiguous image rows, which is fast.
    """
    sN, sC, sH, sW = xp.strides
    N, C = xp.shape[:2]
    view = as_strided(
        xp,
        shape=(C, HH, WW, N, H_out, W_out),
        strides=(sC, sH, sW, sN, sH * stride, sW * stride),
        writeable=False,
    )
    return view.reshape(C * HH * WW, N * H_out * W_out)


def conv2d_forward(x, w, b, stride=1, pad=0):
    """Fast convolution: same signature and result as :func:`conv2d_forward_naive`.

    How: copy every ``(C, HH, WW)`` window into one column of a matrix ``cols`` of shape
    ``(C * HH * WW, N * H' * W')`` ("im2col"). Every output is then a kernel times a
    column, so all of them come from one matrix product
    ``w.reshape(F, -1) @ cols`` of shape ``(F, N * H' * W')``, which BLAS computes at full
    speed. float32 inputs stay float32.

    Args:
        x: images ``(N, C, H, W)``; w: kernels ``(F, C, HH, WW)``; b: biases ``(F,)``;
        stride >= 1; pad >= 0.

    Returns:
        ``(out, cache)``, out ``(N, F, H', W')`` with
        ``H' = (H + 2 pad - HH) // stride + 1``, ``W' = (W + 2 pad - WW) // stride + 1``.

    Introduced in ``07_convolutions``.
    """
    x, w, b, stride, pad = _check_conv_inputs(x, w, b, stride, pad)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    cols = _columns(_pad(x, pad), HH, WW, stride, H_out, W_out)  # (C*HH*WW, N*H'*W')
    out = w.reshape(F, -1) @ cols  # (F, N*H'*W')
    out = out.reshape(F, N, H_out, W_out) + b[:, None, None, None]
    out = np.ascontiguousarray(out.transpose(1, 0, 2, 3))  # (N, F, H', W')
    cache = ConvCache(x.shape, w, stride, pad, cols)
    return out, cache


def conv2d_backward(dout, cache):
    """Fast backward pass of :func:`conv2d_forward`: two matrix products and a scatter.

    With ``dout`` rearranged to ``d`` of shape ``(F, N * H' * W')``:

    * ``dw = d @ cols.T``: each kernel's gradient sums (upstream gradient x patch);
    * ``dcols = w.reshape(F, -1).T @ d``: the gradient of every copied window. "col2im"
      adds each one back onto the input pixels it was copied from: a loop over the
      ``HH * WW`` kernel offsets, each a single vectorised addition (windows overlap, so
      pixels collect several contributions);
    * ``db``: ``dout`` summed over images and positions.

    Args:
        dout: upstream gradient ``(N, F, H', W')``; cache: from :func:`conv2d_forward`.

    Returns:
        ``(dx, dw, db)`` shaped like x ``(N, C, H, W)``, w ``(F, C, HH, WW)``, b ``(F,)``.

    Introduced in ``07_convolutions``.
    """
    x_shape, w, stride, pad, cols = check_cache(cache, ConvCache, "conv2d_forward")
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    dout = _check_dout(dout, (N, F, H_out, W_out)).astype(w.dtype, copy=False)

    db = dout.sum(axis=(0, 2, 3))  # (F,)
    d = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*H'*W')
    dw = (d @ cols.T).reshape(w.shape)  # (F, C, HH, WW)
    dcols = (w.reshape(F, -1).T @ d).reshape(C, HH, WW, N, H_out, W_out)

    # col2im: column entry [c, u, v, n, i, j] was copied from xp[n, c, i*stride+u, j*stride+v].
    dxp = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=w.dtype)
    dxp_c = dxp.transpose(1, 0, 2, 3)  # (C, N, Hp, Wp) view: matches dcols' axis order
    for u in range(HH):
        for v in range(WW):
            rows = slice(u, u + stride * (H_out - 1) + 1, stride)
            columns = slice(v, v + stride * (W_out - 1) + 1, stride)
            dxp_c[:, :, rows, columns] += dcols[:, u, v]
    dx = dxp[:, :, pad : pad + H, pad : pad + W]  # drop the gradient of the padding zeros
    return np.ascontiguousarray(dx), dw, db


# --------------------------------------------------------------------------------------
# Max-pooling
# --------------------------------------------------------------------------------------


def _check_pool_inputs(x, size, stride):
    x = as_float_array(x, "x", ndim=4, layout="(N, C, H, W)")
    size = check_positive_int(size, "size")
    stride = check_positive_int(stride, "stride")
    if min(x.shape) == 0:
        raise ValueError(f"x (N, C, H, W) needs every size >= 1, got {x.shape}")
    H, W = x.shape[2:]
    if size > H or size > W:
        raise ValueError(
            f"a {size}x{size} pooling window does not fit the {H}x{W} input; "
            "use a smaller size or a larger image"
        )
    return x, size, stride


def maxpool2d_forward(x, size=2, stride=2):
    """Max-pooling: the largest value in every ``size x size`` window, ``stride`` apart.

    Pooling shrinks feature maps (2x2 windows with stride 2 halve height and width) and
    makes the network care less about exactly where a feature appeared.

    How: an ``as_strided`` view lists every window as ``(N, C, H', W', size * size)``
    without copying; ``argmax`` over the last axis finds each winner (the first one, in
    row-major order, when several values tie, which is also the one PyTorch picks).

    Args:
        x: feature maps ``(N, C, H, W)``; size: window side; stride: step between windows.

    Returns:
        ``(out, cache)``, out ``(N, C, H', W')`` with ``H' = (H - size) // stride + 1`` and
        ``W' = (W - size) // stride + 1``.

    Introduced in ``08_convolutional_networks``.
    """
    x, size, stride = _check_pool_inputs(x, size, stride)
    N, C, H, W = x.shape
    H_out = (H - size) // stride + 1
    W_out = (W - size) // stride + 1
    sN, sC, sH, sW = x.strides
    windows = as_strided(
        x,
        shape=(N, C, H_out, W_out, size, size),
        strides=(sN, sC, sH * stride, sW * stride, sH, sW),
        writeable=False,
    ).reshape(N, C, H_out, W_out, size * size)  # copies: one row per window
    winner = windows.argmax(axis=-1)  # (N, C, H', W'): index u * size + v of the max
    out = np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0]
    cache = PoolCache(x.shape, size, stride, winner)
    return out, cache


def maxpool2d_backward(dout, cache):
    """Backward pass of :func:`maxpool2d_forward`: the gradient goes to each window's winner.

    Every other position in the window did not affect the output, so its gradient is zero.
    When windows overlap (``stride < size``) a position can win several windows and
    collects the sum of their gradients.

    Args:
        dout: upstream gradient ``(N, C, H', W')``; cache: from :func:`maxpool2d_forward`.

    Returns:
        dx ``(N, C, H, W)``.

    Introduced in ``08_convolutional_networks``.
    """
    x_shape, size, stride, winner = check_cache(cache, PoolCache, "maxpool2d_forward")
    N, C, H, W = x_shape
    H_out, W_out = winner.shape[2:]
    dout = _check_dout(dout, (N, C, H_out, W_out))
    dwin = np.zeros((N, C, H_out, W_out, size * size), dtype=dout.dtype)
    np.put_along_axis(dwin, winner[..., None], dout[..., None], axis=-1)
    dwin = dwin.reshape(N, C, H_out, W_out, size, size)
    dx = np.zeros(x_shape, dtype=dout.dtype)
    for u in range(size):  # add each window offset back where it came from
        for v in range(size):
            rows = slice(u, u + stride * (H_out - 1) + 1, stride)
            columns = slice(v, v + stride * (W_out - 1) + 1, stride)
            dx[:, :, rows, columns] += dwin[..., u, v]
    return dx
