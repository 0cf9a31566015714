"""The primer's checks: answers pass, stubs are 'not implemented', every slip is named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.primer import (
    check_covariance,
    check_numerical_derivative,
    check_standardize_columns,
    check_two_step,
    covariance,
    numerical_derivative,
    standardize_columns,
    two_step,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


@pytest.mark.parametrize(
    "check, answer",
    [
        (check_standardize_columns, standardize_columns),
        (check_covariance, covariance),
        (check_numerical_derivative, numerical_derivative),
        (check_two_step, two_step),
    ],
    ids=["standardize_columns", "covariance", "numerical_derivative", "two_step"],
)
def test_reference_answer_is_correct(check, answer):
    fb = check(answer)
    assert fb.status == "correct", fb


@pytest.mark.parametrize(
    "check, hint",
    [
        (check_standardize_columns, "one mean and one spread per feature"),
        (check_covariance, "which factor gets the transpose"),
        (check_numerical_derivative, "one step h to the right"),
        (check_two_step, "keep u"),
    ],
)
def test_stub_is_not_implemented_and_gets_a_nudge(check, hint):
    def stub(*args, **kwargs):
        raise NotImplementedError("replace this line with your answer.")

    fb = check(stub)
    assert fb.status == "not_implemented", fb
    assert hint in fb.message


def _assert_named(fb, hint):
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


# --- standardize_columns -------------------------------------------------------------------


def _rows_standardised(x):
    mean = x.mean(axis=1, keepdims=True)
    std = x.std(axis=1, keepdims=True)
    return (x - mean) / std, mean, std


def _rows_without_keepdims(x):
    return (x - x.mean(axis=1)) / x.std(axis=1), x.mean(axis=1), x.std(axis=1)


def _in_place(x):
    mean, std = x.mean(axis=0), x.std(axis=0)
    x -= mean
    x /= std
    return x, mean, std


def _no_guard(x):
    mean, std = x.mean(axis=0), x.std(axis=0)
    return (x - mean) / std, mean, std


def _centred_only(x):
    return x - x.mean(axis=0), x.mean(axis=0), np.ones(x.shape[1])


def _by_variance(x):
    return (x - x.mean(axis=0)) / x.var(axis=0), x.mean(axis=0), x.var(axis=0)


def _sample_std(x):
    std = x.std(axis=0, ddof=1)
    return (x - x.mean(axis=0)) / std, x.mean(axis=0), std


def _not_centred(x):
    return x / x.std(axis=0), x.mean(axis=0), x.std(axis=0)


def _keepdims(x):
    mean, std = x.mean(axis=0, keepdims=True), x.std(axis=0, keepdims=True)
    return (x - mean) / std, mean, std


def _guard_with_zero_std(x):
    mean, std = x.mean(axis=0), x.std(axis=0)
    z = np.where(std > 0, x - mean, 0.0) / np.where(std > 0, std, 1.0)
    return z, mean, std  # z is right, but std still holds the 0 that cannot divide new data


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_rows_without_keepdims, "axis=1"),
        (_rows_standardised, "one number per example"),
        (lambda x: _rows_standardised(x)[0:1] + (x.mean(axis=0), x.std(axis=0)), "every ROW"),
        (_in_place, "changed in place"),
        (_no_guard, "came out as NaN"),
        (_centred_only, "not scaled"),
        (_by_variance, "variance"),
        (_sample_std, "ddof=1"),
        (_not_centred, "not centred"),
        (_keepdims, "keepdims=True"),
        (lambda x: (x - x.mean(axis=0)) / x.std(axis=0), "triple (z, mean, std)"),
        (_guard_with_zero_std, "positive divisor"),
        (lambda x: (_no_guard(x)[0], x.mean(), x.std(axis=0)), "shape (D,)"),
    ],
)
def test_standardize_slips_are_named(wrong, hint):
    with np.errstate(divide="ignore", invalid="ignore"):
        _assert_named(check_standardize_columns(wrong), hint)


# --- covariance ----------------------------------------------------------------------------


def _centred(x):
    return x - x.mean(axis=0)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: _centred(x) @ _centred(x).T / len(x), "(N, N)"),
        (lambda x: _centred(x) @ _centred(x) / len(x), "which one has to be transposed"),
        (lambda x: x.T @ x / len(x), "not centred"),
        (lambda x: (x - x.mean(axis=1)).T @ x, "broadcast"),
        (
            lambda x: (
                (x - x.mean(axis=1, keepdims=True)).T @ (x - x.mean(axis=1, keepdims=True)) / len(x)
            ),
            "EXAMPLE's mean",
        ),
        (lambda x: np.cov(x, rowvar=False), "N - 1"),
        (lambda x: _centred(x).T @ _centred(x), "times too large"),
        (lambda x: _centred(x).T @ _centred(x) / x.shape[1], "number of features"),
        (lambda x: np.diag(np.diag(covariance(x))), "differs from the covariance"),
        (lambda x: np.zeros((2, 2)), "(D, D) = (3, 3)"),
    ],
)
def test_covariance_slips_are_named(wrong, hint):
    _assert_named(check_covariance(wrong), hint)


def test_covariance_matches_numpy_in_the_course_convention():
    x = np.random.default_rng(0).normal(size=(50, 4))
    assert np.allclose(covariance(x), np.cov(x, rowvar=False, bias=True))


# --- numerical_derivative ------------------------------------------------------------------


def _fixed_h(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda f, x, h=1e-5: (f(x + h) - f(x)) / h, "forward difference"),
        (lambda f, x, h=1e-5: (f(x) - f(x - h)) / h, "backward difference"),
        (lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / h, "twice too large"),
        (lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / 2 * h, "multiplies the result"),
        (lambda f, x, h=1e-5: (f(x - h) - f(x + h)) / (2 * h), "sign is flipped"),
        (_fixed_h, "ignore the h"),
        (lambda f, x, h=1e-1: (f(x + h) - f(x - h)) / (2 * h), "default h"),
        (lambda f, x, h=1e-14: (f(x + h) - f(x - h)) / (2 * h), "default h"),
        (lambda f, x, h=1e-5: np.sum((f(x + h) - f(x - h)) / (2 * h)), "one slope per point"),
        (lambda f, x, h=1e-5: (f(x + 2 * h) - f(x - h)) / (3 * h), "expected about"),
    ],
)
def test_numerical_derivative_slips_are_named(wrong, hint):
    _assert_named(check_numerical_derivative(wrong), hint)


def test_central_difference_error_shrinks_like_h_squared():
    x = np.array(1.2)
    errors = [abs(numerical_derivative(np.exp, x, h) - np.exp(x)) for h in (1e-1, 1e-2)]
    assert 60 < errors[0] / errors[1] < 140


# --- two_step ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: np.cos(x**2), "pair (y, dy_dx)"),
        (lambda x: (np.sin(x) ** 2, 2 * np.sin(x) * np.cos(x)), "wrong order"),
        (lambda x: (np.sin(x), np.cos(x)), "inner step u = x**2 is missing"),
        (lambda x: (np.sin(x**2), np.cos(x**2)), "inner derivative is missing"),
        (lambda x: (np.sin(x**2), np.cos(x) * 2 * x), "evaluated at x"),
        (lambda x: (np.sin(x**2), np.cos(x**2) + 2 * x), "MULTIPLIES"),
        (lambda x: (np.sin(x**2), 2 * x), "only the inner step's slope"),
        (lambda x: (np.sin(x**2), -np.cos(x**2) * 2 * x), "+cos"),
        (lambda x: (np.sin(x**2), 2 * np.sin(x) * np.cos(x)), "slope of sin(x)**2"),
        (lambda x: (np.sin(x**2), np.cos(x**2) * x), "expected dy/dx"),
        (lambda x: (np.sin(x**2), float(np.sum(x))), "shape of x"),
    ],
)
def test_chain_rule_slips_are_named(wrong, hint):
    _assert_named(check_two_step(wrong), hint)


def test_chain_rule_answer_agrees_with_the_central_difference():
    x = np.linspace(-2.5, 2.5, 41)
    _, slope = two_step(x)
    assert np.allclose(slope, numerical_derivative(lambda t: two_step(t)[0], x), atol=1e-7)


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="forward difference"):
        check_numerical_derivative(lambda f, x, h=1e-5: (f(x + h) - f(x)) / h)


@pytest.mark.parametrize(
    "check, wrong, answer",
    [
        (check_covariance, lambda x: _centred(x) @ _centred(x).T / len(x), "transpose first"),
        (check_covariance, lambda x: _centred(x) @ _centred(x) / len(x), "on the left factor"),
        (check_covariance, lambda x: _centred(x).T @ x / (len(x) + 1), "transpose on the left"),
        (
            check_numerical_derivative,
            lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / 2 * h,
            "(2 * h)",
        ),
    ],
)
def test_feedback_nudges_without_giving_the_answer(check, wrong, answer):
    fb = check(wrong)
    assert fb.status == "wrong", fb
    assert answer not in fb.message, fb.message
