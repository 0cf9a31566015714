"""Check of 03_learning's BCE gradient: the answer passes, each slip gets its own hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.learning import bce_gradients, check_bce_gradients
from course_lib.numpy_nn.activations import sigmoid


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def error(x, y, w, b):
    return sigmoid(x @ w + b) - y  # (N,)


def test_reference_is_correct():
    fb = check_bce_gradients(bce_gradients)
    assert fb.status == "correct", fb


def test_stub_is_not_implemented():
    def stub(x, y, w, b):
        raise NotImplementedError("p = sigmoid(x @ w + b)")

    fb = check_bce_gradients(stub)
    assert fb.status == "not_implemented" and "mean(p - y)" in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, y, w, b: x.T @ error(x, y, w, b) / len(y), "pair (dw, db)"),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), None), "db is None"),
        (
            lambda x, y, w, b: ((x.T @ error(x, y, w, b) / len(y))[:, None], 0.0),
            "shape of w",
        ),
        (
            lambda x, y, w, b: (x * error(x, y, w, b)[:, None] / len(y), 0.0),
            "one gradient per example",
        ),
        (lambda x, y, w, b: (np.zeros(2), 0.0), "must have the shape of w, (3,)"),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), error(x, y, w, b)),
            "one per example",
        ),
        (
            lambda x, y, w, b: (-x.T @ error(x, y, w, b) / len(y), -np.mean(error(x, y, w, b))),
            "wrong sign",
        ),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b), np.sum(error(x, y, w, b))), "MEAN"),
        (lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), 0.0), "bias gradient is missing"),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), -np.mean(error(x, y, w, b))),
            "db has the wrong sign",
        ),
        (
            lambda x, y, w, b: (x.T @ error(x, y, w, b) / len(y), np.sum(error(x, y, w, b))),
            "N times too large",
        ),
        (
            lambda x, y, w, b: (x.T @ (sigmoid(x @ w) - y) / len(y), np.mean(error(x, y, w, b))),
            "dw is wrong",
        ),
        (lambda x, y, w, b: (x @ w, 0.0), "shape of w"),
    ],
)
def test_each_slip_gets_its_hint(wrong, hint):
    fb = check_bce_gradients(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="wrong sign"):
        check_bce_gradients(lambda x, y, w, b: (-bce_gradients(x, y, w, b)[0], 0.0))
