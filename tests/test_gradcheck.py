"""The gradient checker's diagnoses: each common mistake gets its own explanation."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.numpy_nn.gradcheck import (
    GradientCheckError,
    check_gradient,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)


def _true_gradient():
    x = np.random.default_rng(0).standard_normal((3, 4))
    f = lambda: float(np.sum(x**3) / 3)  # noqa: E731  d/dx = x^2
    return x, numerical_gradient(f, x)


def test_numerical_gradient_matches_calculus():
    x, numeric = _true_gradient()
    np.testing.assert_allclose(numeric, x**2, rtol=1e-7)
    dout = np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_allclose(
        numerical_gradient_array(lambda: 2 * x, x, dout), 2 * dout, rtol=1e-7
    )
    assert check_gradient(x**2, numeric) < 1e-6


def test_flipped_sign_is_named():
    x, numeric = _true_gradient()
    with pytest.raises(GradientCheckError, match="wrong sign"):
        check_gradient(-(x**2), numeric, "dx")


def test_constant_factor_is_named_with_its_value():
    x, numeric = _true_gradient()
    with pytest.raises(GradientCheckError, match=r"times 0\.5.*missing 1/N"):
        check_gradient(0.5 * x**2, numeric, "dx")


def test_all_zero_gradient_is_named():
    x, numeric = _true_gradient()
    with pytest.raises(GradientCheckError, match="all zeros"):
        check_gradient(np.zeros_like(x), numeric, "dx")


def test_transposed_shape_is_named():
    x, numeric = _true_gradient()
    with pytest.raises(GradientCheckError, match=r"dW has shape \(4, 3\).*\(3, 4\).*transposed"):
        check_gradient((x**2).T, numeric, "dW")


def test_other_errors_point_at_the_chain_rule_and_the_worst_entry():
    x, numeric = _true_gradient()
    wrong = x**2
    wrong[1, 2] += 1.0
    with pytest.raises(GradientCheckError, match=r"Worst entry \(1, 2\).*chain rule"):
        check_gradient(wrong, numeric, "dx")


def test_rel_error_is_zero_for_equal_and_one_for_opposite():
    a = np.array([1.0, -2.0])
    assert rel_error(a, a) == 0
    assert rel_error(a, -a) == pytest.approx(1.0)


def test_numerical_gradient_refuses_arrays_it_cannot_nudge():
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(lambda: 0.0, np.arange(3))
