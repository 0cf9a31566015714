"""The backprop exercise's check: the answer passes, a stub is 'not implemented', and each
classic backprop slip gets its own hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.backprop import check_backprop


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


def make(slip: str = ""):
    """A hand-written answer, correct unless ``slip`` names a classic mistake."""

    def loss_and_grads(x, y, params):
        W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
        n = x.shape[0]
        a = x @ W1 + b1
        h = _sigmoid(a)
        z = h @ W2 + b2
        p = _sigmoid(z)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        dz = (y - p) / n if slip == "sign" else (p - y) / n
        if slip == "no 1/N":
            dz = p - y
        dW2 = dz.T @ h if slip == "dW2 transposed" else h.T @ dz
        db2 = dz.sum(axis=0)
        dh = dz @ W2 if slip == "missing transpose" else dz @ W2.T
        da = dh if slip == "no derivative" else dh * h * (1 - h)
        if slip == "derivative of a":
            da = dh * a * (1 - a)
        dW1 = da.T @ x if slip == "dW1 transposed" else x.T @ da
        db1 = da.sum(axis=0)
        if slip == "db keepdims":
            db1 = da.sum(axis=0, keepdims=True)
        if slip == "db all":
            db1 = da.sum()
        if slip == "db unsummed":
            db1 = da
        if slip == "no return":
            return None
        return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    return loss_and_grads


def test_reference_answer_is_correct():
    fb = check_backprop(make())
    assert fb.status == "correct", fb


def test_stub_is_not_implemented():
    def stub(x, y, params):
        raise NotImplementedError("start at the top")

    fb = check_backprop(stub)
    assert fb.status == "not_implemented"
    assert "dz = (p - y) / N" in fb.message


@pytest.mark.parametrize(
    "slip, hint",
    [
        ("sign", "wrong sign"),
        ("no 1/N", "the 1/N is missing"),
        ("missing transpose", "transpose is probably missing"),
        ("dW2 transposed", "it is transposed"),
        ("dW1 transposed", "x.T @ da"),
        ("no derivative", "leave out the hidden activation"),
        ("derivative of a", "dW2 and db2 are right"),
        ("db keepdims", "without keepdims=True"),
        ("db all", "summed over every axis"),
        ("db unsummed", "one row per example"),
        ("no return", "return a pair"),
    ],
)
def test_each_slip_gets_its_hint(slip, hint):
    fb = check_backprop(make(slip))
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="wrong sign"):
        check_backprop(make("sign"))
