"""Exercises of ``07_convolutions``: the size of a feature map, the loop, a kernel of your own.

* :func:`conv_output_size`: how many positions a kernel takes along one axis,
  ``(size + 2 * pad - kernel) // stride + 1``;
* :func:`conv2d`: the convolution written as plain loops over images, kernels and output
  positions, with a stride and zero padding (a cross-correlation: the kernel is not flipped);
* :func:`horizontal_edge_kernel`: a 3x3 kernel that fires where an image gets brighter from
  top to bottom, stays silent on flat patches and ignores vertical edges.

Each ``check_*`` names the usual slips (padding counted on one side only, a forgotten ``+ 1``,
a flipped kernel, a forgotten bias, a window that ignores the stride, channels not summed,
flipped signs, a kernel that finds vertical edges instead, ...). :func:`check_conv2d`
compares with PyTorch's ``torch.nn.functional.conv2d``.
Introduced in ``07_convolutions``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = [
    "check_conv2d",
    "check_conv_output_size",
    "check_horizontal_edge_kernel",
    "conv2d",
    "conv_output_size",
    "horizontal_edge_kernel",
]


def conv_output_size(size: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """Reference answer: positions of a ``kernel``-wide window along a ``size``-long axis.

    ``(size + 2 * pad - kernel) // stride + 1``: pad both ends, count how many strides fit
    after the first position, and add that first position.
    Introduced in ``07_convolutions``.
    """
    return (size + 2 * pad - kernel) // stride + 1


def conv2d(x, w, b, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Reference answer: the loop convolution, returning only the feature maps.

    x ``(N, C, H, W)``, w ``(F, C, HH, WW)``, b ``(F,)`` -> out ``(N, F, H', W')`` with
    ``H' = (H + 2 pad - HH) // stride + 1`` (and the same for W'). It is
    :func:`course_lib.numpy_nn.conv.conv2d_forward_naive` without the cache, so that it
    has the exercise's signature. Introduced in ``07_convolutions``.
    """
    from course_lib.numpy_nn.conv import conv2d_forward_naive

    out, _ = conv2d_forward_naive(x, w, b, stride, pad)
    return out


def horizontal_edge_kernel() -> np.ndarray:
    """Reference answer: a Sobel kernel ``(3, 3)`` for brighter-below horizontal edges.

    Negative weights on the top row, positive on the bottom row, every row and column
    summing to zero (so flat patches and left-right changes give 0).
    Introduced in ``07_convolutions``.
    """
    return np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


# ----------------------------------------------------------------------- conv_output_size

#: (size, kernel, stride, pad) -> expected output size; each case catches a different slip.
_SIZE_CASES = [
    ((28, 3, 1, 0), 26),  # the explorer's "valid" map
    ((28, 3, 1, 1), 28),  # "same" padding keeps the size
    ((28, 5, 2, 0), 12),  # (23 // 2) + 1: integer division drops the half step
    ((7, 3, 2, 1), 4),
    ((10, 3, 3, 0), 3),  # 7 / 3 = 2.33: rounding up would give 4
    ((32, 5, 1, 2), 32),
]


def _slips(size: int, kernel: int, stride: int, pad: int) -> dict[str, float]:
    """What the common wrong formulas give for one case."""
    return {
        "no_plus_one": (size + 2 * pad - kernel) // stride,
        "no_pad": (size - kernel) // stride + 1,
        "pad_once": (size + pad - kernel) // stride + 1,
        "no_stride": size + 2 * pad - kernel + 1,
        "true_division": (size + 2 * pad - kernel) / stride + 1,
        "round_up": -(-(size + 2 * pad - kernel) // stride) + 1,
    }


_SLIP_HINTS = {
    "no_plus_one": (
        "every answer is one too small: add 1 for the first position (a 3-wide kernel on a "
        "3-wide input fits exactly once)"
    ),
    "no_pad": (
        "the padding is missing: pad adds pad zeros at BOTH ends, so the padded length is "
        "size + 2 * pad"
    ),
    "pad_once": "padding goes on both ends: use size + 2 * pad, not size + pad",
    "no_stride": (
        "the stride is ignored: with stride s the window jumps s pixels, so divide the room "
        "left after the first position by the stride"
    ),
    "true_division": (
        "use integer division //: a window that would stick out past the edge is not taken, "
        "so the count is rounded down"
    ),
    "round_up": (
        "the count is rounded up; a window that would stick out past the edge is dropped, "
        "so round down with //"
    ),
}


def check_conv_output_size(conv_output_size) -> Feedback:
    """Check a learner's ``conv_output_size(size, kernel, stride, pad)``; explain slips."""

    def attempt() -> str:
        answers = []
        for args, _expected in _SIZE_CASES:
            out = conv_output_size(*args)
            if isinstance(out, np.ndarray) and out.shape == ():
                out = out.item()
            if isinstance(out, bool) or not isinstance(out, numbers.Real):
                raise Mistake(f"return a whole number, got {type(out).__name__}")
            answers.append(out)
        wrong = [
            (args, expected, out)
            for (args, expected), out in zip(_SIZE_CASES, answers, strict=True)
            if out != expected or not float(out).is_integer()
        ]
        if not wrong:
            if any(not isinstance(a, numbers.Integral) for a in answers):
                raise Mistake(
                    "the numbers are right but not integers (e.g. 26.0); a count of positions "
                    "is a whole number: use // rather than /"
                )
            return "output sizes right with and without padding, for strides 1, 2 and 3."
        for slip, hint in _SLIP_HINTS.items():
            matches = all(
                np.isclose(out, _slips(*args)[slip])
                for (args, _), out in zip(_SIZE_CASES, answers, strict=True)
            )
            if matches:
                raise Mistake(hint)
        args, expected, out = wrong[0]
        size, kernel, stride, pad = args
        raise Mistake(
            f"conv_output_size(size={size}, kernel={kernel}, stride={stride}, pad={pad}) "
            f"should be {expected}, got {out}; the formula is "
            "(size + 2 * pad - kernel) // stride + 1"
        )

    return run_check(
        "conv_output_size",
        attempt,
        start_hint=(
            "Count the room the window has left to move after its first position, then how "
            "many whole strides fit into that room; the first position counts too."
        ),
    )


# ---------------------------------------------------------------------------------- conv2d


@dataclass(frozen=True)
class _ConvCase:
    """One test of ``conv2d``: shapes, stride, padding, and what it adds to the cases before."""

    x_shape: tuple[int, int, int, int]  # (N, C, H, W), odd and non-square on purpose
    w_shape: tuple[int, int, int, int]  # (F, C, HH, WW)
    stride: int
    pad: int
    new: str  # what this case tests for the first time
    crash_hint: str  # where to look when the learner's code raises on this case

    def describe(self) -> str:
        return (
            f"x of shape {self.x_shape}, w of shape {self.w_shape}, "
            f"stride={self.stride}, pad={self.pad}"
        )

    def out_shape(self, size_rule=None) -> tuple[int, int, int, int]:
        """The output shape, or the one a wrong size rule ``(size, k, stride, pad)`` gives."""
        rule = size_rule or conv_output_size
        (N, _, H, W), (F, _, HH, WW) = self.x_shape, self.w_shape
        return (N, F, rule(H, HH, self.stride, self.pad), rule(W, WW, self.stride, self.pad))


#: From easy to hard, each case adding one thing; every slip shows up in at least one.
_CONV_CASES = [
    _ConvCase(
        x_shape=(1, 1, 4, 5),
        w_shape=(1, 1, 2, 3),
        stride=1,
        pad=0,
        new="one image, one channel, one kernel",
        crash_hint="read the message, fix the cell above and run both cells again",
    ),
    _ConvCase(
        x_shape=(2, 3, 6, 7),
        w_shape=(2, 3, 3, 2),
        stride=1,
        pad=0,
        new="several images, channels and kernels",
        crash_hint=(
            "a window x_padded[n, :, ...] has all C channels, shape (C, HH, WW), like the "
            "kernel w[f]; their product, summed over everything, is one number"
        ),
    ),
    _ConvCase(
        x_shape=(2, 2, 7, 8),
        w_shape=(3, 2, 3, 3),
        stride=2,
        pad=0,
        new="a stride of 2",
        crash_hint=(
            "with a stride of 2 only every second position is an output, and a window that "
            "would stick out past the edge is not taken: count the outputs again"
        ),
    ),
    _ConvCase(
        x_shape=(1, 3, 5, 6),
        w_shape=(2, 3, 3, 3),
        stride=1,
        pad=1,
        new="padding (pad=1)",
        crash_hint=(
            "so look at the padding: pad every image with zeros on its H and W axes only "
            "(not N or C), on both sides, and slide the window over the padded array, not x"
        ),
    ),
    _ConvCase(
        x_shape=(2, 2, 8, 7),
        w_shape=(3, 2, 3, 2),
        stride=3,
        pad=2,
        new="a stride of 3 with pad=2",
        crash_hint=(
            "stride and padding together: the window of output (i, j) starts stride * i "
            "rows and stride * j columns into the PADDED image"
        ),
    ),
]

#: Wrong rules for the output size along one axis, and what each means.
_CONV_SIZE_SLIPS = {
    "no_plus_one": (
        lambda n, k, s, p: (n + 2 * p - k) // s,
        "the output is one row and one column short: the window's first position counts "
        "too (a 3-wide kernel on a 3-wide input fits exactly once)",
    ),
    "pad_once": (
        lambda n, k, s, p: (n + p - k) // s + 1,
        "the output size counts the padding once; pad zeros go on BOTH sides, so the "
        "padded length is H + 2 * pad",
    ),
    "no_pad": (
        lambda n, k, s, p: (n - k) // s + 1,
        "the output has the size of an unpadded convolution: add pad zeros on every side "
        "of each image (the H and W axes) and count them in the output size",
    ),
    "no_stride": (
        lambda n, k, s, p: n + 2 * p - k + 1,
        "the output size ignores the stride: with stride s the window jumps s pixels, so "
        "only every s-th position is an output",
    ),
}

_CONV_VALUE_SLIPS = {
    "flipped": (
        "the kernel is flipped: that is the convolution of signal processing (kernel turned "
        "by 180 degrees). Deep learning's 'convolution', PyTorch's included, is "
        "cross-correlation: multiply the window by w[f] as it is, entry (u, v) with (u, v)"
    ),
    "no_bias": "the bias is missing: every output of kernel f gets b[f] added, once",
    "bias_per_channel": (
        "the bias is added once per input channel (C times); add b[f] once per output, "
        "after summing over all channels"
    ),
    "stride_ignored": (
        "the window moves by 1 whatever the stride: the output size is right, but output "
        "(i, j) must read the window that starts stride times further on, in rows and columns"
    ),
    "one_channel": (
        "the channels are not summed: only one input channel counts. A kernel w[f] has a "
        "slice for every channel; multiply the whole (C, HH, WW) window by w[f] and add up "
        "everything, channels included"
    ),
}


def _slide(xp, w, b, stride, H_out, W_out):
    """Windows of an already padded ``xp`` times every kernel, plus ``b``; None if one is short.

    Used to build what a slip would compute; a short window (one that runs past the edge)
    is where the learner's code would have crashed instead.
    """
    N = xp.shape[0]
    F, _, HH, WW = w.shape
    out = np.zeros((N, F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = xp[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW]
            if window.shape[2:] != (HH, WW):
                return None
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", window, w) + b
    return out


def _conv_slip_outputs(x, w, b, stride, pad) -> dict[str, np.ndarray | None]:
    """What each wrong loop gives (the output size right); None where it would crash."""
    _, C, H, W = x.shape
    _, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    outs = {
        "flipped": _slide(xp, w[:, :, ::-1, ::-1], b, stride, H_out, W_out),
        "no_bias": _slide(xp, w, 0.0 * b, stride, H_out, W_out),
        "bias_per_channel": _slide(xp, w, C * b, stride, H_out, W_out),
        "stride_ignored": _slide(xp, w, b, 1, H_out, W_out),
        "one_channel": _slide(xp[:, :1], w[:, :1], b, stride, H_out, W_out),
        "one_channel_last": _slide(xp[:, -1:], w[:, -1:], b, stride, H_out, W_out),
    }
    return outs


def _conv_case_arrays(case: _ConvCase, rng: np.random.Generator):
    x = rng.standard_normal(case.x_shape)
    w = rng.standard_normal(case.w_shape)
    b = rng.standard_normal(case.w_shape[0])
    return x, w, b


def _torch_conv2d(x, w, b, stride, pad) -> np.ndarray:
    """PyTorch's answer, in float64: ``torch.nn.functional.conv2d``."""
    import torch

    out = torch.nn.functional.conv2d(
        torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=pad
    )
    return out.numpy()


def _close(a, b) -> bool:
    return a is not None and a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6)


def check_conv2d(conv2d) -> Feedback:
    """Check a learner's loop ``conv2d(x, w, b, stride, pad)`` against PyTorch; explain slips.

    Five cases, from one channel and one kernel to several of each with strides 2 and 3 and
    padding 1 and 2, on odd, non-square shapes. The expected outputs come from
    ``torch.nn.functional.conv2d`` (a cross-correlation, like the course's convolution). A
    wrong output that matches a known slip (flipped kernel, missing bias, wrong output size,
    stride ignored inside the loop, channels not summed, bias added per channel, padding
    missing) gets that slip's hint; a crash is explained by what its case adds to the ones
    before; any other wrong output is located (the first wrong number).
    """

    def attempt() -> str:
        rng = np.random.default_rng(7)
        passed: list[tuple[_ConvCase, tuple]] = []
        for number, case in enumerate(_CONV_CASES, start=1):
            x, w, b = _conv_case_arrays(case, rng)
            expected = _torch_conv2d(x, w, b, case.stride, case.pad)
            where = f"case {number} ({case.describe()}; new here: {case.new})"
            try:
                result = conv2d(x.copy(), w.copy(), b.copy(), case.stride, case.pad)
            except NotImplementedError:
                raise
            except Exception as error:
                raise Mistake(_crash_hint(case, number, where, error)) from None
            out = _as_output(result, where)
            if out.shape != expected.shape:
                raise Mistake(_shape_hint(case, out.shape, passed, where))
            if not _close(out, expected):
                raise Mistake(_value_hint(out, expected, (x, w, b), case, passed, where))
            passed.append((case, (x, w, b)))
        return (
            f"matches torch.nn.functional.conv2d on {len(_CONV_CASES)} cases: one or several "
            "images, channels and kernels, strides 1 to 3, padding 0 to 2, odd shapes. The "
            "kernel is not flipped: a cross-correlation, as in PyTorch."
        )

    return run_check(
        "conv2d",
        attempt,
        start_hint=(
            "Pad x first (only its H and W axes), then visit every image, kernel, output row "
            "and output column with four loops; each output is one window times one kernel, "
            "summed, plus that kernel's bias."
        ),
    )


def _as_output(result, where: str) -> np.ndarray:
    if isinstance(result, tuple):
        raise Mistake(
            f"{where}: conv2d returned a tuple of {len(result)}; return only the output "
            "array out of shape (N, F, H_out, W_out)"
        )
    if result is None:
        raise Mistake(f"{where}: conv2d returned None; end it with return out")
    out = np.asarray(result)
    if out.dtype.kind not in "iuf":
        raise Mistake(f"{where}: conv2d must return an array of numbers, got {out.dtype}")
    if out.ndim != 4:
        raise Mistake(
            f"{where}: the output must have 4 axes (N, F, H_out, W_out), got shape {out.shape}"
        )
    return out


def _crash_hint(case: _ConvCase, number: int, where: str, error: Exception) -> str:
    said = f"{where}: your conv2d raised {type(error).__name__}: {str(error).strip().rstrip('.')}"
    if "sequence" in str(error):  # NumPy's words for putting an array into one entry
        return (
            f"{said}. Each out[n, f, i, j] is one number: sum the window times the kernel "
            "over everything, channels, rows and columns alike"
        )
    if number == 1:
        return f"{said}. {case.crash_hint.capitalize()}"
    return f"{said}. The cases before passed; {case.crash_hint}"


def _shape_hint(case: _ConvCase, got: tuple, passed, where: str) -> str:
    expected = case.out_shape()
    N, F = expected[:2]
    if got == (F, N, *expected[2:]) and N != F:
        return f"{where}: the output has shape {got}; the order is (N, F, H_out, W_out)"
    if got[:2] == (N, F):
        for rule, hint in _CONV_SIZE_SLIPS.values():
            if case.out_shape(rule) == got and all(
                c.out_shape(rule) == c.out_shape() for c, _ in passed
            ):
                return f"{where}: {hint}"
        if got[2] == got[3] and expected[2] != expected[3]:
            return (
                f"{where}: the output should be {expected}, got {got}: the same size for "
                "both axes; H_out comes from H and HH, W_out from W and WW"
            )
    return f"{where}: the output should have shape {expected}, got {got}"


def _value_hint(out, expected, arrays, case: _ConvCase, passed, where: str) -> str:
    x, w, b = arrays
    if _close(out.transpose(1, 0, 2, 3), expected):
        return f"{where}: images and kernels are swapped; the order is (N, F, H_out, W_out)"
    earlier = [(c, _conv_slip_outputs(*xs, c.stride, c.pad), xs) for c, xs in passed]
    slips = _conv_slip_outputs(x, w, b, case.stride, case.pad)
    for name, wrong in slips.items():
        if not _close(out, wrong):
            continue
        # A slip that would already have failed an earlier case is not the one.
        if all(_close(outs[name], _torch_conv2d(*xs, c.stride, c.pad)) for c, outs, xs in earlier):
            return f"{where}: {_CONV_VALUE_SLIPS[name.removesuffix('_last')]}"
    wrong = ~np.isclose(out, expected, rtol=1e-5, atol=1e-6)
    n, f, i, j = (int(v) for v in np.argwhere(wrong)[0])
    return (
        f"{where}: out[{n}, {f}, {i}, {j}] should be {expected[n, f, i, j]:.4f}, got "
        f"{out[n, f, i, j]:.4f} ({int(wrong.sum())} of {out.size} numbers differ); each "
        "output is the window times the kernel, summed over channels and the window, plus "
        "the kernel's bias"
    )


# ------------------------------------------------------------------ horizontal_edge_kernel


def _patches() -> dict[str, np.ndarray]:
    """3x3 test patches (0 dark, 1 bright)."""
    dark_top = np.array([[0, 0, 0], [1, 1, 1], [1, 1, 1]], dtype=float)
    dark_top_two = np.array([[0, 0, 0], [0, 0, 0], [1, 1, 1]], dtype=float)
    return {
        "flat": np.ones((3, 3)),
        "brighter_below": dark_top,
        "brighter_below_2": dark_top_two,
        "brighter_right": dark_top.T,  # a vertical edge: dark left, bright right
        "brighter_right_2": dark_top_two.T,
    }


def check_horizontal_edge_kernel(kernel) -> Feedback:
    """Check a learner's kernel (an array, or a function returning one); explain slips.

    A right answer is a ``(3, 3)`` array whose response (the sum of kernel times patch) is
    0 on a flat patch, positive where the patch gets brighter from top to bottom and 0 where
    it gets brighter from left to right.
    """

    def attempt() -> str:
        k = kernel() if callable(kernel) else kernel
        if isinstance(k, list):
            k = np.array(k, dtype=float)
        if not isinstance(k, np.ndarray):
            raise Mistake(f"give a NumPy array of shape (3, 3), got {type(k).__name__}")
        if k.shape != (3, 3):
            raise Mistake(
                f"the kernel must have shape (3, 3), got {k.shape}; write it as "
                "np.array([[a, b, c], [d, e, f], [g, h, i]])"
            )
        if k.dtype.kind not in "iuf":
            raise Mistake(f"the kernel must hold numbers, got dtype {k.dtype}")
        k = k.astype(float)
        if np.allclose(k, 0):
            raise Mistake(
                "an all-zero kernel responds to nothing; put weights on the top and bottom rows"
            )
        p = _patches()
        response = {name: float(np.sum(k * patch)) for name, patch in p.items()}
        scale = float(np.abs(k).sum())
        tol = 1e-9 * scale
        if abs(response["flat"]) > tol:
            raise Mistake(
                f"a flat patch of ones gives {response['flat']:g}, not 0: the weights add up "
                f"to {k.sum():g}. Make them add up to zero, so only changes in brightness count"
            )
        if abs(response["brighter_right"]) > tol or abs(response["brighter_right_2"]) > tol:
            raise Mistake(
                "the kernel also fires on a vertical edge (dark left, bright right), so it "
                "finds left-right changes; make every column add up to zero and put the "
                "contrast between the top and bottom rows"
            )
        below = (response["brighter_below"], response["brighter_below_2"])
        if min(below) < -tol:
            raise Mistake(
                "the response is negative where the image gets brighter towards the bottom: "
                "the signs are flipped. Put negative weights on the top row and positive "
                "weights on the bottom row"
            )
        if max(below) <= tol:
            raise Mistake(
                "the kernel gives 0 on a dark-above, bright-below edge; the top and bottom "
                "rows need different weights (negative on top, positive below)"
            )
        return (
            f"flat patch -> 0, vertical edge -> 0, brighter below -> {max(below):g} "
            "(positive): a horizontal edge detector."
        )

    return run_check(
        "horizontal_edge_kernel",
        attempt,
        start_hint=(
            "Which rows of the patch are dark and which are bright on such an edge? Give them "
            "weights of opposite signs, so that a flat patch cancels out."
        ),
    )
