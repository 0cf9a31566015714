"""Exercises of ``08_convolutional_networks``: what a convolution layer costs and produces.

* :func:`conv2d_param_count`: the number of trainable numbers in a 2-D convolution layer,
  ``F * C * HH * WW`` weights plus ``F`` biases;
* :func:`conv_block_output_shape`: the shape ``(F, H', W')`` of one image after a block
  "convolution (kernel k, padding p, stride 1) -> ReLU -> max-pool (size q)".

The checks compare with PyTorch itself (a real ``nn.Conv2d`` and ``nn.MaxPool2d``), and name
the usual slips: a forgotten bias, a forgotten input channel count, a kernel counted once
instead of HH x WW, the input channels kept after the convolution, pooling forgotten, ...
Introduced in ``08_convolutional_networks``.
"""

from __future__ import annotations

import numbers

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = [
    "check_conv2d_param_count",
    "check_conv_block_output_shape",
    "conv2d_param_count",
    "conv_block_output_shape",
]


def conv2d_param_count(in_channels: int, out_channels: int, kernel_size: int) -> int:
    """Reference answer: parameters of ``nn.Conv2d(in_channels, out_channels, kernel_size)``.

    Each of the F = ``out_channels`` filters has one weight per input channel and kernel
    position (C x HH x WW with HH = WW = ``kernel_size``) and one bias:
    ``F * C * HH * WW + F``. The image size does not appear: the same filter slides
    everywhere (weight sharing). Introduced in ``08_convolutional_networks``.
    """
    return out_channels * in_channels * kernel_size * kernel_size + out_channels


def conv_block_output_shape(
    in_shape: tuple[int, int, int], filters: int, kernel_size: int, pad: int, pool: int = 2
) -> tuple[int, int, int]:
    """Reference answer: ``(F, H', W')`` after conv (stride 1) -> ReLU -> max-pool.

    ``in_shape`` is ``(C, H, W)``. The convolution gives ``F = filters`` maps of size
    ``H + 2 pad - kernel_size + 1``; ReLU keeps the shape; max-pooling with window and
    stride ``pool`` divides each side by ``pool``, rounding down.
    Introduced in ``08_convolutional_networks``.
    """
    _, h, w = in_shape
    h_conv = h + 2 * pad - kernel_size + 1
    w_conv = w + 2 * pad - kernel_size + 1
    return (filters, h_conv // pool, w_conv // pool)


def _torch_param_count(c: int, f: int, k: int) -> int:
    from torch import nn

    return sum(p.numel() for p in nn.Conv2d(c, f, k).parameters())


def _torch_block_shape(in_shape, f: int, k: int, pad: int, pool: int) -> tuple[int, ...]:
    import torch
    from torch import nn

    block = nn.Sequential(nn.Conv2d(in_shape[0], f, k, padding=pad), nn.ReLU(), nn.MaxPool2d(pool))
    with torch.no_grad():
        return tuple(block(torch.zeros(1, *in_shape)).shape[1:])


def _as_int(value, what: str) -> int:
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Mistake(f"{what} must be a whole number, got {type(value).__name__}")
    if not float(value).is_integer():
        raise Mistake(f"{what} must be a whole number, got {value}; use // for division")
    return int(value)


# ------------------------------------------------------------------- conv2d_param_count

#: (in_channels, out_channels, kernel_size): chosen so that every slip gives another number
_COUNT_CASES = [(1, 32, 3), (32, 64, 3), (3, 16, 5), (16, 8, 1)]

_COUNT_SLIPS = {
    "no_bias": (
        lambda c, f, k: f * c * k * k,
        "the biases are missing: every filter also has one bias, so add out_channels",
    ),
    "no_in_channels": (
        lambda c, f, k: f * k * k + f,
        "each filter looks at ALL input channels, so it has in_channels x k x k weights; "
        "multiply by in_channels",
    ),
    "kernel_once": (
        lambda c, f, k: f * c * k + f,
        "a k x k kernel has k * k positions (9 for a 3x3 kernel), not k: square kernel_size",
    ),
    "bias_per_weight": (
        lambda c, f, k: 2 * f * c * k * k,
        "there is one bias per filter (out_channels of them), not one per weight",
    ),
    "bias_per_input": (
        lambda c, f, k: f * c * k * k + c,
        "the biases belong to the output maps: there are out_channels of them, not in_channels",
    ),
}


def check_conv2d_param_count(conv2d_param_count) -> Feedback:
    """Check a learner's ``conv2d_param_count(in_channels, out_channels, kernel_size)``.

    The expected counts come from real ``torch.nn.Conv2d`` layers; a wrong answer that
    matches a known slip gets that slip's hint.
    """

    def attempt() -> str:
        answers = [
            _as_int(conv2d_param_count(*case), f"conv2d_param_count{case}") for case in _COUNT_CASES
        ]
        expected = [_torch_param_count(*case) for case in _COUNT_CASES]
        if answers == expected:
            return (
                "your counts match PyTorch's nn.Conv2d for 1 to 32 input channels and kernels "
                "of 1, 3 and 5; e.g. Conv2d(32, 64, 3) has "
                f"{expected[1]:,} parameters whatever the image size."
            )
        for formula, hint in _COUNT_SLIPS.values():
            if answers == [formula(*case) for case in _COUNT_CASES]:
                raise Mistake(hint)
        for case, got, want in zip(_COUNT_CASES, answers, expected, strict=True):
            if got != want:
                raise Mistake(
                    f"conv2d_param_count{case} should be {want:,}, got {got:,}; count the "
                    "weights of one filter (in_channels x k x k), times the filters, plus one "
                    "bias per filter"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    return run_check(
        "conv2d_param_count",
        attempt,
        start_hint=(
            "One filter has in_channels * kernel_size * kernel_size weights and one bias; "
            "there are out_channels filters."
        ),
    )


# --------------------------------------------------------------- conv_block_output_shape

#: (in_shape, filters, kernel_size, pad, pool): each catches a different slip
_SHAPE_CASES = [
    ((1, 28, 28), 32, 3, 1, 2),  # the course's CNN, first block: (32, 14, 14)
    ((32, 14, 14), 64, 3, 1, 2),  # second block: (64, 7, 7)
    ((1, 28, 28), 16, 5, 0, 2),  # the fast net: (16, 12, 12)
    ((3, 9, 13), 8, 3, 0, 3),  # non-square, odd sizes: (8, 2, 3)
]


def _shape_slips(in_shape, f, k, pad, pool) -> dict[str, tuple]:
    c, h, w = in_shape
    hc, wc = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    return {
        "no_pool": (f, hc, wc),
        "kept_in_channels": (c, hc // pool, wc // pool),
        "no_plus_one": (f, (hc - 1) // pool, (wc - 1) // pool),
        "pad_once": (f, (h + pad - k + 1) // pool, (w + pad - k + 1) // pool),
        "pool_before_conv_only": (f, h // pool, w // pool),
        "swapped_hw": (f, wc // pool, hc // pool),
    }


_SHAPE_HINTS = {
    "no_pool": "the pooling is missing: a max-pool of size q divides height and width by q",
    "kept_in_channels": (
        "after the convolution there is one map per FILTER: the first number is filters, "
        "not the input channels"
    ),
    "no_plus_one": (
        "the convolution output is one too small: it is H + 2 pad - k + 1 (a k-wide kernel "
        "on a k-wide input fits exactly once)"
    ),
    "pad_once": "padding is added on both sides: use H + 2 * pad - k + 1",
    "pool_before_conv_only": (
        "the convolution's effect on the size is missing: first H + 2 pad - k + 1, "
        "then the pooling divides by q"
    ),
    "swapped_hw": "height and width are swapped: return (F, H', W') in that order",
}


def check_conv_block_output_shape(conv_block_output_shape) -> Feedback:
    """Check a learner's ``conv_block_output_shape(in_shape, filters, kernel_size, pad, pool)``.

    The expected shapes come from running a real PyTorch block on a zero image.
    """

    def attempt() -> str:
        answers = []
        for case in _SHAPE_CASES:
            out = conv_block_output_shape(*case)
            if not isinstance(out, (tuple, list)) or len(out) != 3:
                raise Mistake(f"return a tuple (F, H', W') of three whole numbers, got {out!r}")
            answers.append(tuple(_as_int(v, "each size") for v in out))
        expected = [_torch_block_shape(*case) for case in _SHAPE_CASES]
        if answers == expected:
            return (
                "shapes match PyTorch's Conv2d -> ReLU -> MaxPool2d, with and without padding, "
                "for square and non-square images."
            )
        for slip, hint in _SHAPE_HINTS.items():
            if answers == [_shape_slips(*case)[slip] for case in _SHAPE_CASES]:
                raise Mistake(hint)
        for case, got, want in zip(_SHAPE_CASES, answers, expected, strict=True):
            if got != want:
                raise Mistake(
                    f"conv_block_output_shape{case} should be {want}, got {got}; the "
                    "convolution gives H + 2 pad - k + 1, then the pooling divides by q (//)"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    return run_check(
        "conv_block_output_shape",
        attempt,
        start_hint=(
            "Channels become filters; each side becomes (side + 2 * pad - kernel_size + 1) // pool."
        ),
    )
