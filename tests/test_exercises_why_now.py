"""Checks of 01_why_deep_learning: answers pass, stubs are 'not implemented', slips are named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.why_now import (
    check_count_matmul_flops,
    check_two_layer_forward,
    count_matmul_flops,
    relu,
    two_layer_forward,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _stub(*args):
    raise NotImplementedError("fill me in")


def test_reference_answers_are_correct():
    assert check_count_matmul_flops(count_matmul_flops).status == "correct"
    assert check_two_layer_forward(two_layer_forward).status == "correct"


def test_stubs_are_not_implemented():
    fb = check_count_matmul_flops(_stub)
    assert fb.status == "not_implemented" and "dot product" in fb.message
    fb = check_two_layer_forward(_stub)
    assert fb.status == "not_implemented" and "np.maximum" in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, d, m: n * d * m, "factor 2"),
        (lambda n, d, m: n * m, "number of outputs"),
        (lambda n, d, m: 2 * n * m, "length d"),
        (lambda n, d, m: n * m * (2 * d - 1), "skip the first addition"),
        (lambda n, d, m: 2 * n**3, "square matrix"),
        (lambda n, d, m: n + d + m, "expected 210"),
        (lambda n, d, m: 210, "hard-coded"),
        (lambda n, d, m: "210", "return a number"),
    ],
)
def test_each_flop_slip_gets_its_hint(wrong, hint):
    fb = check_count_matmul_flops(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def _inplace(x, w1, b1, w2, b2):
    x += 1
    return relu(x @ w1 + b1) @ w2 + b2


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, w1, b1, w2, b2: (relu(x @ w1 + b1) @ w2 + b2).tolist(), "NumPy array"),
        (_inplace, "changed in place"),
        (lambda x, w1, b1, w2, b2: (relu(x @ w1 + b1) @ w2 + b2).T, "transposed"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1 + b1), "shape (N, K)"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1) @ w2 + b2, "b1 is missing"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1 + b1) @ w2, "b2 is missing"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1) @ w2, "both biases"),
        (lambda x, w1, b1, w2, b2: (x @ w1 + b1) @ w2 + b2, "ReLU between the layers is missing"),
        (lambda x, w1, b1, w2, b2: relu(relu(x @ w1 + b1) @ w2 + b2), "between the layers only"),
        (lambda x, w1, b1, w2, b2: np.tanh(x @ w1 + b1) @ w2 + b2, "numbers differ"),
        (lambda x, w1, b1, w2, b2: x @ w2, "ValueError"),
    ],
)
def test_each_forward_slip_gets_its_hint(wrong, hint):
    fb = check_two_layer_forward(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="factor 2"):
        check_count_matmul_flops(lambda n, d, m: n * d * m)
