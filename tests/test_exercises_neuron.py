"""Check of 02_the_neuron's predict_proba: the answer passes, each slip gets its own hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.neuron import check_predict_proba
from course_lib.numpy_nn.neuron import predict_proba


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def stable(x, w, b):
    z = x @ w + b
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def test_reference_and_a_stable_answer_are_correct():
    assert check_predict_proba(predict_proba).status == "correct"
    assert check_predict_proba(stable).status == "correct"


def test_stub_is_not_implemented():
    def stub(x, w, b):
        raise NotImplementedError("z = x @ w + b")

    fb = check_predict_proba(stub)
    assert fb.status == "not_implemented" and "overflow" in fb.message


def naive(x, w, b):
    return 1 / (1 + np.exp(-(x @ w + b)))


def both_branches(x, w, b):
    z = x @ w + b
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, w, b: stable(x, w, b).tolist(), "NumPy array"),
        (lambda x, w, b: stable(x, w.reshape(-1, 1), b), "reshape w into a column"),
        (lambda x, w, b: stable(x, w, b)[None, :], "(N,) = (6,)"),
        (lambda x, w, b: stable(x, w, b)[:3], "must have shape (N,)"),
        (lambda x, w, b: x @ w + b, "scores, not probabilities"),
        (lambda x, w, b: stable(x, w, 0.0), "bias is missing"),
        (lambda x, w, b: 1 - stable(x, w, b), "sign error"),
        (lambda x, w, b: stable(x, w, -b), "sign error on the bias"),
        (lambda x, w, b: stable(x, w, b) ** 2, "differ from sigmoid"),
        (naive, "overflows"),
        (both_branches, "BOTH"),
        (lambda x, w, b: stable(x, w, b) if len(x) > 3 else np.full(3, 0.5), "expected 1, 0"),
    ],
)
def test_each_slip_gets_its_hint(wrong, hint):
    fb = check_predict_proba(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_nan_for_large_inputs_is_caught():
    def nan_for_big(x, w, b):
        out = stable(x, w, b)
        return np.where(np.abs(x @ w + b) > 100, np.nan, out)

    fb = check_predict_proba(nan_for_big)
    assert fb.status == "wrong" and "inf or NaN" in fb.message
