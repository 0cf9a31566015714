"""Checks of notebook 08's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises import cnn
from course_lib.exercises.cnn import (
    check_conv2d_param_count,
    check_conv_block_output_shape,
    conv2d_param_count,
    conv_block_output_shape,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _stub(*args):
    raise NotImplementedError("hint")


def test_reference_answers_are_correct():
    assert check_conv2d_param_count(conv2d_param_count).status == "correct"
    assert check_conv_block_output_shape(conv_block_output_shape).status == "correct"


def test_reference_answers_match_the_course_cnn():
    from course_lib.torch_nn.cnn import CNN

    model = CNN(channels=(32, 64), kernel_size=3, hidden=128)
    assert sum(p.numel() for p in model.conv2.parameters()) == conv2d_param_count(32, 64, 3)
    shape = conv_block_output_shape((1, 28, 28), 32, 3, 1)
    shape = conv_block_output_shape(shape, 64, 3, 1)
    assert shape[0] * shape[1] * shape[2] == model.fc1.in_features  # 64 * 7 * 7


def test_other_correct_forms_pass():
    as_list = lambda s, f, k, p, q=2: list(conv_block_output_shape(s, f, k, p, q))  # noqa: E731
    assert check_conv_block_output_shape(as_list).status == "correct"
    as_numpy = lambda c, f, k: np.int64(f * (c * k * k + 1))  # noqa: E731
    assert check_conv2d_param_count(as_numpy).status == "correct"


def test_stubs_are_not_implemented():
    fb = check_conv2d_param_count(_stub)
    assert fb.status == "not_implemented" and "out_channels filters" in fb.message
    fb = check_conv_block_output_shape(_stub)
    assert fb.status == "not_implemented" and "// pool" in fb.message


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c, f, k: f * c * k * k, "biases are missing"),
        (lambda c, f, k: f * k * k + f, "multiply by in_channels"),
        (lambda c, f, k: f * c * k + f, "square kernel_size"),
        (lambda c, f, k: 2 * f * c * k * k, "one bias per filter"),
        (lambda c, f, k: f * c * k * k + c, "not in_channels"),
        (lambda c, f, k: f * c * k * k + f + 1, "should be"),  # no known slip: the case
        (lambda c, f, k: (f * c * k * k + f) / 3, "whole number"),
        (lambda c, f, k: "many", "whole number"),
    ],
)
def test_param_count_slips_get_their_hint(wrong, hint):
    fb = check_conv2d_param_count(wrong)
    assert fb.status == "wrong"
    assert hint in fb.message


def _block(slip):
    return lambda s, f, k, p, q=2: cnn._shape_slips(s, f, k, p, q)[slip]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_block("no_pool"), "pooling is missing"),
        (_block("kept_in_channels"), "one map per FILTER"),
        (_block("no_plus_one"), "one too small"),
        (_block("pad_once"), "both sides"),
        (_block("pool_before_conv_only"), "convolution's effect"),
        (_block("swapped_hw"), "swapped"),
        (lambda s, f, k, p, q=2: (f, 1, 1), "should be"),
        (lambda s, f, k, p, q=2: (f, 7), "tuple (F, H', W')"),
        (lambda s, f, k, p, q=2: (f, (s[1] + 2 * p - k + 1) / q, 1), "whole number"),
    ],
)
def test_block_shape_slips_get_their_hint(wrong, hint):
    fb = check_conv_block_output_shape(wrong)
    assert fb.status == "wrong"
    assert hint in fb.message


def test_every_slip_differs_from_the_answer_and_from_the_others():
    counts = {
        name: tuple(f(*case) for case in cnn._COUNT_CASES)
        for name, (f, _) in cnn._COUNT_SLIPS.items()
    }
    right = tuple(conv2d_param_count(*case) for case in cnn._COUNT_CASES)
    assert right not in counts.values() and len(set(counts.values())) == len(counts)
    shapes = {
        slip: tuple(cnn._shape_slips(*case)[slip] for case in cnn._SHAPE_CASES)
        for slip in cnn._SHAPE_HINTS
    }
    right = tuple(conv_block_output_shape(*case) for case in cnn._SHAPE_CASES)
    assert right not in shapes.values() and len(set(shapes.values())) == len(shapes)


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="biases"):
        check_conv2d_param_count(lambda c, f, k: f * c * k * k)
