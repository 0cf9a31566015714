"""Checks of notebook 07's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.convolutions import (
    check_conv_output_size,
    check_horizontal_edge_kernel,
    conv_output_size,
    horizontal_edge_kernel,
)
from course_lib.numpy_nn import conv


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_reference_answers_are_correct():
    assert check_conv_output_size(conv_output_size).status == "correct"
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
    assert "bottom row" in fb.message


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
