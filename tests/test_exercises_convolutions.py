"""Checks of notebook 07's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.convolutions import (
    check_conv2d,
    check_conv_output_size,
    check_horizontal_edge_kernel,
    conv2d,
    conv_output_size,
    horizontal_edge_kernel,
)
from course_lib.numpy_nn import conv


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_reference_answers_are_correct():
    assert check_conv_output_size(conv_output_size).status == "correct"
    assert check_conv2d(conv2d).status == "correct"
    assert check_conv2d(learner_conv2d).status == "correct"
    assert check_horizontal_edge_kernel(horizontal_edge_kernel).status == "correct"
    assert check_horizontal_edge_kernel(horizontal_edge_kernel()).status == "correct"


@pytest.mark.parametrize("args", [(28, 3, 1, 0), (28, 5, 2, 2), (9, 4, 3, 1), (5, 5, 1, 0)])
def test_reference_size_agrees_with_the_library_and_a_real_convolution(args):
    size, kernel, stride, pad = args
    assert conv_output_size(*args) == conv.conv_output_size(*args)
    x = np.zeros((1, 1, size, size))
    out, _ = conv.conv2d_forward(x, np.zeros((1, 1, kernel, kernel)), np.zeros(1), stride, pad)
    assert out.shape[-1] == conv_output_size(*args)


def test_other_correct_kernels_pass():
    prewitt = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
    assert check_horizontal_edge_kernel(prewitt).status == "correct"
    two_rows = [[0, 0, 0], [-1, -1, -1], [1, 1, 1]]  # a list is accepted too
    assert check_horizontal_edge_kernel(two_rows).status == "correct"


def _stub(*args):
    raise NotImplementedError("hint")


def test_stubs_are_not_implemented():
    fb = check_conv_output_size(_stub)
    assert fb.status == "not_implemented"
    assert "stride" in fb.message
    fb = check_horizontal_edge_kernel(_stub)
    assert fb.status == "not_implemented"
    assert "opposite signs" in fb.message
    fb = check_conv2d(_stub)
    assert fb.status == "not_implemented"
    assert "four loops" in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, k, st=1, p=0: (s + 2 * p - k) // st, "add 1"),
        (lambda s, k, st=1, p=0: (s - k) // st + 1, "padding is missing"),
        (lambda s, k, st=1, p=0: (s + p - k) // st + 1, "size + 2 * pad, not size + pad"),
        (lambda s, k, st=1, p=0: s + 2 * p - k + 1, "stride is ignored"),
        (lambda s, k, st=1, p=0: (s + 2 * p - k) / st + 1, "integer division"),
        (lambda s, k, st=1, p=0: -(-(s + 2 * p - k) // st) + 1, "rounded up"),
        (lambda s, k, st=1, p=0: float((s + 2 * p - k) // st + 1), "not integers"),
        (lambda s, k, st=1, p=0: "26", "whole number"),
        (lambda s, k, st=1, p=0: (s + 2 * p - k) // st + 1 + (st == 3), "should be 3"),
    ],
)
def test_each_size_slip_gets_its_hint(wrong, hint):
    fb = check_conv_output_size(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ("edges", "NumPy array"),
        (np.ones((2, 2)), "shape (3, 3)"),
        (np.zeros((3, 3)), "all-zero"),
        (np.array([[0, 0, 0], [0, 1, 0], [1, 2, 1]]), "add up to zero"),
        (np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), "vertical edge"),
        (np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]), "signs are flipped"),
        (np.array([[1, -2, 1], [0, 0, 0], [-1, 2, -1]]), "different weights"),
    ],
)
def test_each_kernel_slip_gets_its_hint(wrong, hint):
    fb = check_horizontal_edge_kernel(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="signs are flipped"):
        check_horizontal_edge_kernel(-horizontal_edge_kernel())


# --------------------------------------------------------------------------------- conv2d


def learner_conv2d(x, w, b, stride=1, pad=0, slip=None):
    """The loop a learner writes; ``slip`` makes it go wrong the way learners do."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    sizes = {
        None: lambda n, k: (n + 2 * pad - k) // stride + 1,
        "no_plus_one": lambda n, k: (n + 2 * pad - k) // stride,
        "pad_once": lambda n, k: (n + pad - k) // stride + 1,
        "no_pad": lambda n, k: (n - k) // stride + 1,
        "no_stride": lambda n, k: n + 2 * pad - k + 1,
        "height_twice": lambda n, k: (H + 2 * pad - HH) // stride + 1,
    }
    size = sizes.get(slip, sizes[None])
    H_out, W_out = size(H, HH), size(W, WW)
    if slip == "pad_all_axes":
        xp = np.pad(x, pad)  # pads N and C too
    elif slip == "pad_one_side":
        xp = np.pad(x, ((0, 0), (0, 0), (pad, 0), (pad, 0)))
    elif slip in ("not_padded", "no_pad"):
        xp = x
    else:
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    step = 1 if slip in ("stride_ignored", "no_stride") else stride
    kernels = w[:, :, ::-1, ::-1] if slip == "flipped" else w
    out = np.zeros((F, N, H_out, W_out) if slip == "axes_swapped" else (N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * step, j * step
                    window = xp[n, :, top : top + HH, left : left + WW]  # (C, HH, WW)
                    if slip == "first_channel_only":
                        value = np.sum(window[0] * kernels[f, 0]) + b[f]
                    elif slip == "last_channel_wins":
                        for c in range(C):  # overwrites instead of adding up
                            value = np.sum(window[c] * kernels[f, c]) + b[f]
                    elif slip == "bias_per_channel":
                        value = sum(np.sum(window[c] * kernels[f, c]) + b[f] for c in range(C))
                    elif slip == "channels_kept":
                        value = np.sum(window * kernels[f], axis=(1, 2)) + b[f]  # (C,)
                    elif slip == "no_bias":
                        value = np.sum(window * kernels[f])
                    else:
                        value = np.sum(window * kernels[f]) + b[f]
                    if slip == "axes_swapped":
                        out[f, n, i, j] = value
                    else:
                        out[n, f, i, j] = value
    if slip == "with_cache":
        return out, (x, w, b, stride, pad)
    return out


def _wrong(slip):
    def conv2d(x, w, b, stride=1, pad=0):
        return learner_conv2d(x, w, b, stride, pad, slip=slip)

    return conv2d


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("flipped", "kernel is flipped"),
        ("flipped", "cross-correlation"),
        ("no_bias", "bias is missing"),
        ("bias_per_channel", "once per input channel"),
        ("no_plus_one", "one row and one column short"),
        ("pad_once", "counts the padding once"),
        ("no_pad", "size of an unpadded convolution"),
        ("no_stride", "size ignores the stride"),
        ("height_twice", "H_out comes from H and HH, W_out from W and WW"),
        ("stride_ignored", "window moves by 1 whatever the stride"),
        ("first_channel_only", "channels are not summed"),
        ("last_channel_wins", "channels are not summed"),
        ("channels_kept", "sum the window times the kernel over everything, channels"),
        ("not_padded", "look at the padding"),
        ("pad_all_axes", "H and W axes only (not N or C)"),
        ("pad_one_side", "on both sides"),
        ("axes_swapped", "(N, F, H_out, W_out)"),
        ("with_cache", "return only the output"),
    ],
)
def test_each_conv2d_slip_gets_its_hint(slip, hint):
    fb = check_conv2d(_wrong(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_conv2d_slips_are_named_in_the_case_that_first_shows_them():
    assert "case 1 " in check_conv2d(_wrong("flipped")).message
    assert "case 2 " in check_conv2d(_wrong("first_channel_only")).message
    assert "case 3 " in check_conv2d(_wrong("stride_ignored")).message
    assert "case 4 " in check_conv2d(_wrong("pad_once")).message


def test_conv2d_other_wrong_outputs_are_located():
    def off_by_a_little(x, w, b, stride=1, pad=0):
        out = conv2d(x, w, b, stride, pad)
        out[0, 0, 1, 2] += 0.5
        return out

    fb = check_conv2d(off_by_a_little)
    assert fb.status == "wrong"
    assert "out[0, 0, 1, 2] should be" in fb.message and "1 of 9 numbers differ" in fb.message
    fb = check_conv2d(lambda x, w, b, stride=1, pad=0: None)
    assert "returned None" in fb.message
    fb = check_conv2d(lambda x, w, b, stride=1, pad=0: conv2d(x, w, b, stride, pad)[0])
    assert "4 axes" in fb.message
    fb = check_conv2d(lambda x, w, b, stride=1, pad=0: 1 / 0)
    assert "ZeroDivisionError" in fb.message and "Read the message" in fb.message


def test_float32_loops_pass():
    def in_float32(x, w, b, stride=1, pad=0):
        return learner_conv2d(x.astype(np.float32), w.astype(np.float32), b, stride, pad)

    assert check_conv2d(in_float32).status == "correct"


def test_conv2d_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="bias is missing"):
        check_conv2d(_wrong("no_bias"))
