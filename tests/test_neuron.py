"""The single neuron: NumPy and PyTorch agree; the Neuron module learns a separable task."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch
from course_lib.numpy_nn import neuron as N
from course_lib.torch_nn import neuron as TN

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _score_with_backward(x, w, b):
    """NumPy side for crosscheck: the score and its gradients by hand (dx, dw, db)."""
    out = N.neuron_score(x, w, b)
    return out, lambda dout: (dout[:, None] * w, x.T @ dout, np.sum(dout))


def _proba_with_backward(x, w, b):
    p = N.predict_proba(x, w, b)
    return p, lambda dout: _score_with_backward(x, w, b)[1](dout * p * (1 - p))


NUMPY_SIDE = {"neuron_score": _score_with_backward, "predict_proba": _proba_with_backward}


@fixture_ok
@given(
    n=st.integers(1, 6),
    d=st.integers(1, 5),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    seed=st.integers(0, 2**16),
)
@pytest.mark.parametrize("name", ["neuron_score", "predict_proba"])
def test_neuron_functions_match_torch(device, name, n, d, scale, seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((n, d)) * scale, rng.standard_normal(d), rng.standard_normal(())
    assert_numpy_matches_torch(
        NUMPY_SIDE[name],
        getattr(TN, name),
        [x, w, b],
        device=device,
        name=name,
    )


def test_predict_thresholds_the_probability():
    x = np.array([[-1.0], [0.0], [2.0]])
    w, b = np.array([1.0]), 0.0
    np.testing.assert_array_equal(N.predict(x, w, b), [0, 1, 1])  # p(0) = 0.5 >= 0.5
    np.testing.assert_array_equal(N.predict(x, w, b, threshold=0.9), [0, 0, 0])
    np.testing.assert_array_equal(N.predict(x, w, b, threshold=0.8), [0, 0, 1])
    t = TN.predict(torch.tensor(x), torch.tensor(w), torch.tensor(b, dtype=torch.float64), 0.8)
    assert t.tolist() == [0, 0, 1]
    assert N.neuron_score(x, w, 2.0).tolist() == [1.0, 2.0, 4.0]


def test_neuron_module_learns_a_separable_task(device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 2))
    y = (x @ np.array([2.0, -1.0]) + 0.5 > 0).astype(np.float32)
    xt = torch.tensor(x, dtype=torch.float32, device=device)
    yt = torch.tensor(y, device=device)
    model = TN.Neuron(2, device=device)
    assert model.w.shape == (2,) and model.b.shape == ()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model.score(xt), yt)
        loss.backward()
        opt.step()
    acc = (model.predict(xt) == yt.long()).float().mean().item()
    assert acc > 0.97
    probs = model(xt).detach().cpu().numpy()
    w, b = model.w.detach().cpu().numpy(), model.b.detach().cpu().numpy()
    np.testing.assert_allclose(probs, N.predict_proba(x.astype(np.float32), w, b), atol=1e-5)
