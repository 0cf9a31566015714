"""The checks of 04's exercises (leaky ReLU; step, bump and bump network): the answer passes,
a stub is 'not implemented', and every slip is named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.activations import (
    EDGE_MARGIN,
    bump,
    bump_network,
    check_bump_network,
    check_leaky_relu,
    check_step_and_bump,
    largest_error,
    step,
    unit_curve,
)
from course_lib.numpy_nn.activations import sigmoid


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


# --- universality by hand: step, bump and the bump network ---------------------------------


def my_step(x, s, w):
    return sigmoid(w * x - w * s)


def my_bump(x, s1, s2, h, w):
    return h * (my_step(x, s1, w) - my_step(x, s2, w))


def my_network(x, f, n, w=1000.0):
    edges = np.linspace(0.0, 1.0, n + 1)
    out = np.zeros(len(x))
    for left, right in zip(edges[:-1], edges[1:], strict=True):
        out = out + my_bump(x, left, right, f((left + right) / 2), w)
    return out


def test_step_and_bump_answer_is_correct():
    fb = check_step_and_bump(my_step, my_bump)
    assert fb.status == "correct", fb


def test_step_and_bump_stub_is_not_implemented():
    def stub(x, s, w):
        raise NotImplementedError

    fb = check_step_and_bump(stub, my_bump)
    assert fb.status == "not_implemented"
    assert "w x + b = 0" in fb.message


def _bump_from(combine):
    """A bump built from the right steps but combined as ``combine(h, up, down)``."""

    def wrong_bump(x, s1, s2, h, w):
        return combine(h, my_step(x, s1, w), my_step(x, s2, w))

    return wrong_bump


@pytest.mark.parametrize(
    "step, bump, hint",
    [
        (lambda x, s, w: sigmoid(w * x - s), my_bump, "half-way up (0.5) at x = 0.008"),
        (lambda x, s, w: sigmoid(w * x + w * s), my_bump, "half-way up (0.5) at x = -0.300"),
        (lambda x, s, w: sigmoid(x - s), my_bump, "weight 1, so it is not steep"),
        (lambda x, s, w: (x >= s).astype(float), my_bump, "hard step"),
        (lambda x, s, w: sigmoid(w * (s - x)), my_bump, "goes down"),
        (lambda x, s, w: sigmoid(40.0 * (x - s)), my_bump, "same curve for a different w"),
        (lambda x, s, w: sigmoid(0.5 * w * (x - s)), my_bump, "does not rise as steeply"),
        (lambda x, s, w: None, my_bump, "returned None"),
        (lambda x, s, w: my_step(x, s, w)[:, None], my_bump, "shape"),
        (my_step, _bump_from(lambda h, up, down: h * (up + down)), "pile up"),
        (my_step, _bump_from(lambda h, up, down: h * up), "pile up"),
        (my_step, _bump_from(lambda h, up, down: h * (down - up)), "points down"),
        (my_step, _bump_from(lambda h, up, down: up - down), "height 1 instead of h"),
        (my_step, _bump_from(lambda h, up, down: h * up - down), "scale both steps"),
        (my_step, _bump_from(lambda h, up, down: 0.5 * h * (up - down)), "should be about"),
        (my_step, lambda x, s1, s2, h, w: np.stack([x, x], 1), "one column per unit"),
    ],
)
def test_each_step_or_bump_slip_gets_its_hint(step, bump, hint):
    fb = check_step_and_bump(step, bump)
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_network_answer_is_correct_and_reports_its_largest_error():
    fb = check_bump_network(my_network)
    assert fb.status == "correct", fb
    x = np.linspace(0, 1, 801)
    error = largest_error(x, bump_network(x, unit_curve, 20, 1000.0), unit_curve(x))
    assert 0.05 < error < 0.3
    assert f"within {error:.3f}" in fb.message


def test_reference_network_passes_its_own_check():
    assert check_bump_network(bump_network).passed


def test_network_stub_is_not_implemented():
    def stub(x, f, n, w=1000.0):
        raise NotImplementedError

    fb = check_bump_network(stub)
    assert fb.status == "not_implemented" and "how many edges" in fb.message


def _network(heights_at=0.5, count=lambda n: n, combine=None, w_used=None, scale_bias=True):
    """A bump network with one deliberate slip, built without the checker's helpers."""

    def wrong(x, f, n, w=1000.0):
        w_ = w if w_used is None else w_used
        edges = np.linspace(0.0, 1.0, count(n) + 1)
        out = np.zeros(len(x))
        for left, right in zip(edges[:-1], edges[1:], strict=True):
            h = f(left + heights_at * (right - left))
            b1, b2 = (-w_ * left, -w_ * right) if scale_bias else (-left, -right)
            up, down = sigmoid(w_ * x + b1), sigmoid(w_ * x + b2)
            out = out + (h * (up - down) if combine is None else combine(h, up, down))
        return out

    return wrong


def _last_piece_missing(x, f, n, w=1000.0):
    edges = np.arange(n) / n  # 0, 1/n, ..., (n-1)/n: one edge short
    out = np.zeros(len(x))
    for left, right in zip(edges[:-1], edges[1:], strict=True):
        out = out + my_bump(x, left, right, f((left + right) / 2), w)
    return out


def _hard_steps(x, f, n, w=1000.0):
    edges = np.linspace(0.0, 1.0, n + 1)
    out = np.zeros(len(x))
    for left, right in zip(edges[:-1], edges[1:], strict=True):
        out = out + f((left + right) / 2) * ((x >= left).astype(float) - (x >= right))
    return out


def _heights_from_x(x, f, n, w=1000.0):
    return f(x) * my_network(x, lambda u: 1.0, n, w)


def _midpoints_as_heights(x, f, n, w=1000.0):
    return my_network(x, lambda u: u, n, w)


def _hidden_layer(x, f, n, w=1000.0):
    edges = np.linspace(0.0, 1.0, n + 1)
    return sigmoid(w * x[:, None] - w * np.concatenate([edges[:-1], edges[1:]]))  # (N, 2n)


@pytest.mark.parametrize(
    "network, hint",
    [
        (_network(heights_at=0.0), "at one edge of its piece, not at its midpoint"),
        (_network(heights_at=1.0), "at one edge of its piece, not at its midpoint"),
        (_midpoints_as_heights, "the midpoint itself, not f at the midpoint"),
        (_heights_from_x, "heights are f(x)"),
        (_network(count=lambda n: n - 1), "your network has 3"),
        (_network(count=lambda n: n + 1), "your network has 5"),
        (_last_piece_missing, "the last piece, up to 1, has no bump"),
        (_network(combine=lambda h, up, down: h * up), "pile up"),
        (_network(combine=lambda h, up, down: h * (up + down)), "pile up"),
        (_network(combine=lambda h, up, down: h * (down - up)), "upside down"),
        (_network(w_used=10.0), "too gentle and the bumps blur"),
        (_network(w_used=1.0), "weight 1, not the w = 2000"),
        (_network(w_used=10000.0), "weight 10000, not the w = 2000"),
        (_network(scale_bias=False), "all your steps sit near x = 0"),
        (_hard_steps, "hard step"),
        (_hidden_layer, "one column per unit or bump"),
        (lambda x, f, n, w=1000.0: my_network(x, f, n, w)[:, None], "one column per unit"),
        (lambda x, f, n, w=1000.0: float(np.sum(my_network(x, f, n, w))), "shape"),
        (lambda x, f, n, w=1000.0: None, "returned None"),
        (_network(combine=lambda h, up, down: 0.9 * h * (up - down)), "should give"),
    ],
)
def test_each_network_slip_gets_its_hint(network, hint):
    fb = check_bump_network(network)
    assert fb.status == "wrong", fb
    assert hint in fb.message, fb.message


def test_network_slips_report_the_largest_error():
    fb = check_bump_network(_network(heights_at=0.0))
    assert "your network's largest error is" in fb.message


def test_error_shrinks_as_bumps_are_added():
    x = np.linspace(0, 1, 1001)
    errors = [
        largest_error(x, bump_network(x, unit_curve, n), unit_curve(x)) for n in (5, 10, 20, 40)
    ]
    assert all(a > b for a, b in zip(errors, errors[1:], strict=False))
    assert errors[-1] < errors[0] / 5


def test_largest_error_leaves_the_two_ends_out():
    x = np.linspace(0, 1, 101)
    network = np.zeros(101)
    target = np.zeros(101)
    target[0] = target[-1] = 5.0  # only the ends are off
    assert largest_error(x, network, target) == 0.0
    target[50] = 0.25
    assert largest_error(x, network, target) == 0.25
    assert EDGE_MARGIN == 0.01
    with pytest.raises(ValueError, match="same shape"):
        largest_error(x, network[:5], target)


def test_reference_functions_refuse_bad_arguments():
    x = np.linspace(0, 1, 5)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        bump_network(x, unit_curve, 0)
    with pytest.raises(TypeError, match="f must be a function"):
        bump_network(x, 3.0, 2)
    with pytest.raises(ValueError, match="w must be a finite number > 0"):
        step(x, 0.5, -1.0)
    with pytest.raises(ValueError, match="s1 < s2"):
        bump(x, 0.6, 0.2, 1.0, 100.0)
    with pytest.raises(TypeError, match="s must be a finite number"):
        step(x, "0.5", 10.0)
    np.testing.assert_allclose(step(np.array([0.25]), 0.25, 50.0), [0.5])


def test_strict_mode_names_the_slip(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="pile up"):
        check_bump_network(_network(combine=lambda h, up, down: h * up))
