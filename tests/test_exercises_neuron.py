"""Checks of 02_the_neuron (predict_proba, bce_loss): answers pass, each slip gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.neuron import bce_loss, check_bce_loss, check_predict_proba
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


# --- bce_loss -----------------------------------------------------------------------------


def minus_log_sigmoid(t):
    return np.maximum(-t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def costs(z, y):
    return y * minus_log_sigmoid(z) + (1 - y) * minus_log_sigmoid(-z)  # (N,)


def test_reference_and_a_stable_loss_are_correct():
    assert check_bce_loss(bce_loss).status == "correct"
    assert check_bce_loss(lambda z, y: np.mean(costs(z, y))).status == "correct"
    where = lambda z, y: np.mean(np.where(y == 1, minus_log_sigmoid(z), minus_log_sigmoid(-z)))  # noqa: E731
    assert check_bce_loss(where).status == "correct"


def test_loss_stub_is_not_implemented():
    def stub(z, y):
        raise NotImplementedError("the cost of one example")

    fb = check_bce_loss(stub)
    assert fb.status == "not_implemented" and "ONE example" in fb.message
    assert "average of the costs over the N examples" in fb.message


def naive_loss(z, y):
    p = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def quiet_naive_loss(z, y):
    with np.errstate(all="ignore"):
        return naive_loss(z, y)


def log_of_stable_sigmoid(z, y):
    e = np.exp(-np.abs(z))
    p = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def log1p_exp_loss(z, y):
    # From the score, but exp sees -z and z: exp(1000) overflows for z = -1000.
    return np.mean(y * np.log1p(np.exp(-z)) + (1 - y) * np.log1p(np.exp(z)))


def quiet_log1p_exp_loss(z, y):
    with np.errstate(all="ignore"):
        return log1p_exp_loss(z, y)


def where_both_branches_loss(z, y):
    # Each branch is right where it is chosen, but np.where computes both everywhere.
    def minus_log_sigmoid_where(t):
        return np.where(t >= 0, np.log1p(np.exp(-t)), -t + np.log1p(np.exp(t)))

    return np.mean(y * minus_log_sigmoid_where(z) + (1 - y) * minus_log_sigmoid_where(-z))


def clipped_loss(z, y):
    e = np.exp(-np.abs(z))
    p = np.clip(np.where(z >= 0, 1 / (1 + e), e / (1 + e)), 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def in_place(z, y):
    z *= 1.0 + 1e-3
    return np.mean(costs(z, y))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (naive_loss, "overflow"),
        (log_of_stable_sigmoid, "log(0)"),
        (quiet_naive_loss, "naive form log(sigmoid(z))"),
        (log1p_exp_loss, "You work from the score, which is right, but exp overflows"),
        (quiet_log1p_exp_loss, "You work from the score, which is right, but exp overflows"),
        (where_both_branches_loss, "np.where evaluates BOTH branches"),
        (clipped_loss, "Clipping"),
        (lambda z, y: -np.mean(costs(z, y)), "minus sign is missing"),
        (lambda z, y: np.sum(costs(z, y)), "summed"),
        (lambda z, y: np.mean(costs(z, 1 - y)), "swapped"),
        (lambda z, y: np.mean(costs(-z, y)), "swapped"),
        (lambda z, y: np.mean(minus_log_sigmoid(z)), "as if its label were 1"),
        (lambda z, y: costs(z, y), "one cost per example"),
        (lambda z, y: (np.mean(costs(z, y)), z), "returned a pair"),
        (lambda z, y: str(np.mean(costs(z, y))), "one number"),
        (lambda z, y: np.mean(costs(z, y)) / np.log(10), "natural logarithm"),
        (lambda z, y: -np.mean(y * np.log(z) + (1 - y) * np.log(1 - z)), "not z itself"),
        (lambda z, y: np.mean(costs(z, y) ** 2), "should be"),
        (in_place, "changed in place"),
    ],
)
def test_each_loss_slip_gets_its_hint(wrong, hint):
    fb = check_bce_loss(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_strict_mode_raises_for_a_wrong_loss(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="summed"):
        check_bce_loss(lambda z, y: np.sum(costs(z, y)))
