"""Losses: stable for logits of +-1e4, equal to PyTorch, gradients checked numerically."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch, from_loss
from course_lib.numpy_nn import losses as L
from course_lib.numpy_nn.activations import sigmoid
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient
from course_lib.torch_nn import losses as TL

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
SCALES = st.sampled_from([1e-3, 1.0, 30.0, 1e4])


@fixture_ok
@given(n=st.integers(1, 8), k=st.integers(1, 6), scale=SCALES, seed=st.integers(0, 2**16))
def test_softmax_cross_entropy_matches_torch(device, n, k, scale, seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, k)) * scale
    y = rng.integers(0, k, n)
    assert_numpy_matches_torch(
        from_loss(L.softmax_cross_entropy),
        TL.softmax_cross_entropy,
        [logits, y],
        device=device,
        name="softmax_cross_entropy",
    )


@fixture_ok
@given(n=st.integers(1, 8), scale=SCALES, seed=st.integers(0, 2**16))
def test_bce_with_logits_matches_torch(device, n, scale, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n) * scale
    y = rng.integers(0, 2, n).astype(np.float64)
    assert_numpy_matches_torch(
        from_loss(L.binary_cross_entropy_with_logits),
        TL.binary_cross_entropy_with_logits,
        [z, y],
        grad_wrt=[0],
        device=device,
        name="binary_cross_entropy_with_logits",
    )


@fixture_ok
@given(n=st.integers(1, 8), scale=SCALES, seed=st.integers(0, 2**16))
def test_bce_from_probabilities_matches_torch(device, n, scale, seed):
    rng = np.random.default_rng(seed)
    p = sigmoid(rng.standard_normal(n) * scale)  # scale 1e4 gives exact 0s and 1s
    y = rng.integers(0, 2, n).astype(np.float64)
    assert_numpy_matches_torch(
        from_loss(L.binary_cross_entropy),
        TL.binary_cross_entropy,
        [p, y],
        grad_wrt=[0],
        device=device,
        name="binary_cross_entropy",
    )


def test_extreme_logits_give_finite_exact_losses():
    loss, d = L.softmax_cross_entropy(np.array([[1e4, -1e4], [-1e4, 1e4]]), np.array([1, 1]))
    assert np.isfinite(loss) and np.all(np.isfinite(d))
    assert loss == pytest.approx(1e4)  # first row: -log softmax = 2e4, second: 0, mean 1e4
    loss, d = L.binary_cross_entropy_with_logits(np.array([1e4, -1e4]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(1e4) and np.all(np.isfinite(d))
    np.testing.assert_allclose(d, [0.5, -0.5])


def test_bce_clips_probabilities_so_log_zero_never_happens():
    loss, dp = L.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert loss == pytest.approx(-np.log(L.EPS))
    assert np.all(np.isfinite(dp))
    loss, _ = L.binary_cross_entropy(np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    assert loss == pytest.approx(-np.log(1 - L.EPS), abs=1e-9)


def test_bce_from_probabilities_equals_bce_from_logits():
    z = np.linspace(-5, 5, 11)
    y = (z > 0.3).astype(float)
    assert L.binary_cross_entropy(sigmoid(z), y)[0] == pytest.approx(
        L.binary_cross_entropy_with_logits(z, y)[0], rel=1e-9
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_gradients_match_numerical(seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((4, 3)) * 2
    y = rng.integers(0, 3, 4)
    check_gradient(
        L.softmax_cross_entropy(logits, y)[1],
        numerical_gradient(lambda: L.softmax_cross_entropy(logits, y)[0], logits),
        "softmax_cross_entropy dlogits",
    )
    z = rng.standard_normal(5) * 2
    t = rng.integers(0, 2, 5).astype(float)
    check_gradient(
        L.binary_cross_entropy_with_logits(z, t)[1],
        numerical_gradient(lambda: L.binary_cross_entropy_with_logits(z, t)[0], z),
        "bce_with_logits dz",
    )
    p = rng.uniform(0.05, 0.95, 5)
    check_gradient(
        L.binary_cross_entropy(p, t)[1],
        numerical_gradient(lambda: L.binary_cross_entropy(p, t)[0], p),
        "bce dp",
    )


def test_softmax_cross_entropy_keeps_float32():
    logits = np.zeros((3, 4), dtype=np.float32)
    loss, d = L.softmax_cross_entropy(logits, np.array([0, 1, 2]))
    assert d.dtype == np.float32
    assert loss == pytest.approx(np.log(4), rel=1e-6)
    assert TL.softmax_cross_entropy(torch.zeros(3, 4), torch.tensor([0, 1, 2])).item() == (
        pytest.approx(np.log(4), rel=1e-6)
    )
