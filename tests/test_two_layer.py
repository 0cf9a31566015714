"""The hand-written two-layer network: its backprop is right and its training resumes exactly."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.data.synthetic import make_trip_customers, make_xor
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient
from course_lib.numpy_nn.neuron import predict
from course_lib.two_layer import (
    Trainer,
    accuracy,
    backward,
    forward,
    init_params,
    loss_and_grads,
    trace,
    train,
    train_single_neuron,
)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_backprop_matches_numerical_gradient(activation):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 3))
    y = rng.integers(0, 2, 7)
    params = init_params(3, 5, seed=2, activation=activation)
    params["b1"] += 0.1  # keep ReLU kinks away from the probe points
    _, grads = loss_and_grads(x, y, params, activation)
    for name, w in params.items():
        numeric = numerical_gradient(lambda: loss_and_grads(x, y, params, activation)[0], w)
        check_gradient(grads[name], numeric, name=name, tol=1e-6)


def test_backprop_matches_pytorch_autograd():
    torch = pytest.importorskip("torch")
    from course_lib.crosscheck import assert_numpy_matches_torch

    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 2))
    y = rng.integers(0, 2, (6, 1)).astype(np.float64)
    p = init_params(2, 4, seed=0)

    def numpy_fn(W1, b1, W2, b2, x, y):
        loss, g = loss_and_grads(x, y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, "tanh")
        return loss, lambda dout: tuple(dout * g[k] for k in ("W1", "b1", "W2", "b2"))

    def torch_fn(W1, b1, W2, b2, x, y):
        z = torch.tanh(x @ W1 + b1) @ W2 + b2
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y)

    assert_numpy_matches_torch(
        numpy_fn, torch_fn, [p["W1"], p["b1"], p["W2"], p["b2"], x, y], grad_wrt=[0, 1, 2, 3]
    )


def test_forward_shapes_and_probabilities():
    x = np.zeros((4, 2))
    p, _ = forward(x, init_params(2, 3), "relu")
    assert p.shape == (4, 1)
    assert np.all((p > 0) & (p < 1))


def test_resumed_training_equals_training_in_one_go():
    x, y = make_xor(40)
    trainer = Trainer(x, y, 3, lr=0.05, snapshot_every=10)
    trainer.run_to(30)
    resumed = trainer.run_to(60)
    fresh = train(x, y, 3, lr=0.05, steps=60, snapshot_every=10)
    np.testing.assert_allclose(resumed.losses, fresh.losses)
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(resumed.params_at(60)[name], fresh.params_at(60)[name])
    assert sorted(resumed.snapshots) == [0, 10, 20, 30, 40, 50, 60]
    # going back returns the earlier snapshot, not the latest weights
    assert trainer.run_to(20).losses.shape == (21,)


def test_training_learns_xor_that_a_single_neuron_cannot():
    x, y = make_xor(200)
    result = train(x, y, 4, activation="tanh", lr=0.05, steps=300)
    assert result.losses[-1] < result.losses[0] / 5
    assert accuracy(x, y, result.params_at(300), "tanh") >= 0.95
    neuron = train_single_neuron(x, y, steps=300)
    assert np.mean(predict(x, neuron["w"], neuron["b"]) == y) <= 0.7


def test_single_neuron_fits_the_trip_customers():
    x, y = make_trip_customers(400)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    neuron = train_single_neuron(x, y, lr=0.1, steps=300)
    assert np.mean(predict(x, neuron["w"], neuron["b"]) == y) >= 0.8


def test_bad_inputs_are_explained():
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="W1 must have shape"):
        forward(np.zeros((4, 3)), init_params(2, 3))
    with pytest.raises(ValueError, match="activation must be one of"):
        init_params(2, 3, activation="maxout")
    with pytest.raises(ValueError, match="y must have shape"):
        loss_and_grads(x, np.zeros(5), init_params(2, 3))
    with pytest.raises(ValueError, match="missing"):
        forward(x, {"W1": np.zeros((2, 3))})


def test_backward_matches_loss_and_grads_and_trace_has_every_step():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3))
    y = rng.integers(0, 2, (5, 1)).astype(float)
    params = init_params(3, 4, seed=1)
    _, cache = forward(x, params)
    _, grads = loss_and_grads(x, y, params)
    for name, g in backward(y, cache).items():
        np.testing.assert_allclose(g, grads[name])
    t = trace(x, y, params)
    for key in ("z1", "h", "z2", "p", "L", "dp", "dz2", "dh", "dz1", "dW1", "db1"):
        assert key in t
    np.testing.assert_allclose(t["dz2"], t["dp"] * t["p"] * (1 - t["p"]))
    np.testing.assert_allclose(t["dz1"], t["dh"] * (1 - t["h"] ** 2))
    with pytest.raises(ValueError, match="cache must be the dict"):
        backward(y, {"x": x})


def test_trainer_records_the_held_out_loss_at_every_step():
    x, y = make_xor(60, seed=0)
    x_test, y_test = make_xor(80, seed=1)
    result = Trainer(x, y, 4, lr=0.05, x_test=x_test, y_test=y_test).run_to(40)
    assert result.test_losses.shape == result.losses.shape == (41,)
    p = result.params_at(40)
    _, cache = forward(x_test, p)
    expected = -np.mean(
        y_test * np.log(cache["p"][:, 0]) + (1 - y_test) * np.log(1 - cache["p"][:, 0])
    )
    assert np.isclose(result.test_losses[-1], expected)
    assert train(x, y, 2, steps=3).test_losses is None
    with pytest.raises(ValueError, match="both x_test and y_test"):
        Trainer(x, y, 2, x_test=x_test)
    with pytest.raises(ValueError, match="x_test must have the D=2 features"):
        Trainer(x, y, 2, x_test=np.zeros((3, 5)), y_test=np.zeros(3))
