"""The loss landscape and the optimiser paths of 03_learning."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.data.synthetic import make_trip_customers
from course_lib.landscape import (
    fit_neuron,
    loss_grid,
    neuron_loss_and_grads,
    run_gradient_descent,
    run_random_search,
    run_sgd,
    standardize,
)
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient


@pytest.fixture(scope="module")
def data():
    x, y = make_trip_customers(150, seed=3)
    xs, _, _ = standardize(x)
    return xs, y


def test_standardize_gives_zero_mean_unit_std():
    x, _ = make_trip_customers(100, seed=0)
    xs, mean, std = standardize(x)
    assert np.allclose(xs.mean(axis=0), 0) and np.allclose(xs.std(axis=0), 1)
    assert np.allclose(xs * std + mean, x)
    with pytest.raises(ValueError, match="constant"):
        standardize(np.column_stack([x[:, 0], np.ones(100)]))


def test_gradients_match_numerical(data):
    x, y = data
    w = np.array([0.3, -0.7])
    b = np.array(0.2)
    _, grads = neuron_loss_and_grads(x, y, w, b)
    check_gradient(grads["w"], numerical_gradient(lambda: neuron_loss_and_grads(x, y, w, b)[0], w))
    check_gradient(grads["b"], numerical_gradient(lambda: neuron_loss_and_grads(x, y, w, b)[0], b))


def test_fit_neuron_finds_the_minimum(data):
    x, y = data
    w, b = fit_neuron(x, y)
    _, grads = neuron_loss_and_grads(x, y, w, b)
    # Zero up to the tiny ridge term (1e-6 * weights) that keeps Newton finite.
    assert np.abs(grads["w"]).max() < 1e-5 and abs(float(grads["b"])) < 1e-5


def test_loss_grid_agrees_with_the_loss_at_each_point(data):
    x, y = data
    w1, w2 = np.linspace(-2, 3, 7), np.linspace(-1, 4, 5)
    grid = loss_grid(x, y, 0.1, w1, w2)
    assert grid.shape == (5, 7)
    for i, j in [(0, 0), (2, 3), (4, 6)]:
        expected = neuron_loss_and_grads(x, y, np.array([w1[j], w2[i]]), 0.1)[0]
        assert grid[i, j] == pytest.approx(expected)


def test_gradient_descent_lowers_the_loss_and_sgd_full_batch_matches(data):
    x, y = data
    w0 = np.array([-2.0, 3.0])
    gd = run_gradient_descent(x, y, 0.0, w0, lr=0.5, steps=20)
    assert gd.path.shape == (21, 2) and gd.losses.shape == (21,)
    assert np.all(np.diff(gd.losses) < 0) and not gd.unstable
    assert np.array_equal(gd.path[0], w0)
    sgd = run_sgd(x, y, 0.0, w0, lr=0.5, steps=20, batch_size=len(x))
    assert np.allclose(sgd.path, gd.path)
    noisy = run_sgd(x, y, 0.0, w0, lr=0.5, steps=20, batch_size=8, seed=1)
    again = run_sgd(x, y, 0.0, w0, lr=0.5, steps=20, batch_size=8, seed=1)
    assert np.array_equal(noisy.path, again.path)  # seeded
    assert not np.allclose(noisy.path, gd.path)


def test_zero_steps_returns_the_start(data):
    x, y = data
    gd = run_gradient_descent(x, y, 0.0, [1.0, 1.0], lr=1.0, steps=0)
    assert gd.path.shape == (1, 2) and gd.distance == 0.0


def test_random_search_only_accepts_improvements(data):
    x, y = data
    rs = run_random_search(x, y, 0.0, np.array([-2.0, 3.0]), step_size=0.3, steps=40)
    assert np.all(np.diff(rs.losses) <= 0) and rs.losses[-1] < rs.losses[0]
    assert not rs.diverged


def test_divergence_is_detected_and_stops_the_run(data):
    x, y = data
    gd = run_gradient_descent(x, y, 0.0, np.array([-2.0, 3.0]), lr=500.0, steps=50)
    assert gd.diverged and gd.diverged_at == len(gd.path) - 1 < 50
    assert np.all(np.isfinite(gd.path)) and np.all(np.isfinite(gd.losses))


def test_bad_inputs_are_refused(data):
    x, y = data
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        loss_grid(np.column_stack([x, x]), y, 0.0, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        run_gradient_descent(x, y[:5], 0.0, [0.0, 0.0], lr=1.0, steps=2)
    with pytest.raises(ValueError, match="lr"):
        run_gradient_descent(x, y, 0.0, [0.0, 0.0], lr=-1.0, steps=2)
    with pytest.raises(ValueError, match="two starting weights"):
        run_random_search(x, y, 0.0, [0.0, 0.0, 1.0], step_size=0.1, steps=2)
    with pytest.raises(TypeError, match="steps"):
        run_sgd(x, y, 0.0, [0.0, 0.0], lr=1.0, steps=2.5, batch_size=4)
