"""The loss landscape of 03_learning and the trajectories drawn from optimiser paths."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_lib.data.synthetic import make_trip_customers
from course_lib.exercises.learning import bce_gradients, gradient_descent
from course_lib.landscape import (
    DIVERGENCE_FACTOR,
    fit_neuron,
    loss_grid,
    standardize,
    trajectory,
)
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits


@pytest.fixture(scope="module")
def data():
    x, y = make_trip_customers(150, seed=3)
    xs, _, _ = standardize(x)
    return xs, y


def loss(x, y, w, b):
    return binary_cross_entropy_with_logits(x @ w + b, y)[0]


def test_standardize_gives_zero_mean_unit_std():
    x, _ = make_trip_customers(100, seed=0)
    xs, mean, std = standardize(x)
    assert np.allclose(xs.mean(axis=0), 0) and np.allclose(xs.std(axis=0), 1)
    assert np.allclose(xs * std + mean, x)
    with pytest.raises(ValueError, match="constant"):
        standardize(np.column_stack([x[:, 0], np.ones(100)]))


def test_fit_neuron_finds_the_minimum(data):
    x, y = data
    w, b = fit_neuron(x, y)
    dw, _ = bce_gradients(x, y, w, b)
    db = np.mean(1 / (1 + np.exp(-(x @ w + b))) - y)
    # Zero up to the tiny ridge term (1e-6 * weights) that keeps Newton finite.
    assert np.abs(dw).max() < 1e-5 and abs(db) < 1e-5


def test_loss_grid_agrees_with_the_loss_at_each_point(data):
    x, y = data
    w1, w2 = np.linspace(-2, 3, 7), np.linspace(-1, 4, 5)
    grid = loss_grid(x, y, 0.1, w1, w2)
    assert grid.shape == (5, 7)
    for i, j in [(0, 0), (2, 3), (4, 6)]:
        assert grid[i, j] == pytest.approx(loss(x, y, np.array([w1[j], w2[i]]), 0.1))


def test_trajectory_adds_the_loss_at_every_point(data):
    x, y = data
    path = gradient_descent(x, y, np.array([-2.0, 3.0]), 0.0, lr=0.5, steps=20)
    traj = trajectory("gradient descent", path, x, y, 0.0)
    assert traj.name == "gradient descent" and np.array_equal(traj.path, path)
    assert traj.losses.shape == (21,)
    assert traj.losses[5] == pytest.approx(loss(x, y, path[5], 0.0))
    assert np.all(np.diff(traj.losses) < 0) and not traj.unstable and not traj.diverged
    assert traj.distance == pytest.approx(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1)))


def test_zero_steps_is_a_trajectory_of_one_point(data):
    x, y = data
    traj = trajectory("gradient descent", [[1.0, 1.0]], x, y, 0.0)
    assert traj.path.shape == (1, 2) and traj.distance == 0.0 and traj.rises == 0


def test_divergence_cuts_the_path_where_the_loss_exploded(data):
    x, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the way
        path = gradient_descent(x, y, np.array([-2.0, 3.0]), 0.0, lr=500.0, steps=50)
        traj = trajectory("gradient descent", path, x, y, 0.0)
    assert traj.diverged and traj.diverged_at == len(traj.path) - 1 < 50
    assert traj.final_loss > DIVERGENCE_FACTOR * traj.losses[0]
    assert np.all(traj.losses[:-1] <= DIVERGENCE_FACTOR * traj.losses[0])
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.losses))


def test_weights_running_off_to_infinity_count_as_divergence(data):
    x, y = data
    path = np.array([[0.0, 0.0], [5.0, 5.0], [np.inf, -np.inf], [np.inf, np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = trajectory("SGD", path, x, y, 0.0)
    assert traj.diverged_at == 2 and traj.path.shape == (3, 2)


def test_bad_inputs_are_refused(data):
    x, y = data
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        loss_grid(np.column_stack([x, x]), y, 0.0, np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="labels"):
        trajectory("SGD", np.zeros((3, 2)), x, y[:5], 0.0)
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        trajectory("SGD", np.zeros(2), x, y, 0.0)
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        trajectory("SGD", np.zeros((4, 3)), x, y, 0.0)
    with pytest.raises(ValueError, match="NaN"):
        trajectory("SGD", [[0.0, 0.0], [np.nan, 1.0]], x, y, 0.0)
