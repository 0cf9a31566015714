"""Exercises of ``07_convolutions``: the size of a feature map, and a kernel of your own.

* :func:`conv_output_size`: how many positions a kernel takes along one axis,
  ``(size + 2 * pad - kernel) // stride + 1``;
* :func:`horizontal_edge_kernel`: a 3x3 kernel that fires where an image gets brighter from
  top to bottom, stays silent on flat patches and ignores vertical edges.

Each ``check_*`` names the usual slip (padding counted on one side only, a forgotten ``+ 1``,
true division, flipped signs, a kernel that finds vertical edges instead, ...).
Introduced in ``07_convolutions``.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = [
    "check_conv_output_size",
    "check_horizontal_edge_kernel",
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
        start_hint="Pad both ends, subtract the kernel, divide by the stride (//), add 1.",
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
        start_hint="Negative weights on the top row, positive on the bottom row, zeros between.",
    )
