"""The leaky ReLU exercise's check: the answer passes, a stub is 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.activations import check_leaky_relu


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def leaky(x, slope=0.01):
    return np.where(x > 0, x, slope * x)


def leaky_grad(x, slope=0.01):
    return np.where(x > 0, 1.0, slope)


def test_reference_answer_is_correct():
    fb = check_leaky_relu(leaky, leaky_grad)
    assert fb.status == "correct", fb


def test_library_versions_are_correct():
    from course_lib.numpy_nn.activations import leaky_relu, leaky_relu_grad

    assert check_leaky_relu(leaky_relu, leaky_relu_grad).passed


def test_stub_is_not_implemented():
    def stub(x, slope=0.01):
        raise NotImplementedError("use np.where")

    fb = check_leaky_relu(stub, leaky_grad)
    assert fb.status == "not_implemented"
    assert "np.where" in fb.message


def _inplace(x, slope=0.01):
    x[x < 0] *= slope
    return x


@pytest.mark.parametrize(
    "value, grad, hint",
    [
        (lambda x, slope=0.01: np.maximum(x, 0), leaky_grad, "plain ReLU"),
        (
            lambda x, slope=0.01: np.where(x > 0, x, 0.01 * x),
            leaky_grad,
            "slope argument is ignored",
        ),
        (
            lambda x, slope=0.01: np.where(x > 0, slope * x, x),
            leaky_grad,
            "multiplies them by the slope",
        ),
        (lambda x, slope=0.01: np.where(x > 0, x, -slope * x), leaky_grad, "slope * x, e.g. -3"),
        (lambda x, slope=0.01: np.max(leaky(x, slope), axis=0), leaky_grad, "shape"),
        (_inplace, leaky_grad, "changed the array"),
        (lambda x, slope=0.01: None, leaky_grad, "returned None"),
        (leaky, lambda x, slope=0.01: (x > 0).astype(float), "ReLU's derivative"),
        (leaky, lambda x, slope=0.01: np.where(x > 0, 1.0, slope * x), "not its derivative"),
        (leaky, lambda x, slope=0.01: np.where(x > 0, 1.0, 0.01), "use the slope argument"),
        (leaky, lambda x, slope=0.01: np.where(x > 0, x, slope), "derivative is 1"),
        (leaky, lambda x, slope=0.01: np.where(x > 0, 1.0, slope).ravel(), "shape"),
        (leaky, lambda x, slope=0.01: undefined_name, "NameError"),  # noqa: F821
    ],
)
def test_each_slip_gets_its_hint(value, grad, hint):
    fb = check_leaky_relu(value, grad)
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="plain ReLU"):
        check_leaky_relu(lambda x, slope=0.01: np.maximum(x, 0), leaky_grad)
