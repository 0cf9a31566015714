"""Activations: NumPy forward/backward against PyTorch autograd and numerical gradients."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch, from_pair
from course_lib.numpy_nn import activations as A
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient_array
from course_lib.torch_nn import activations as T

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

# name -> (numpy forward kwargs) for the pairs with one shape in, same shape out
ELEMENTWISE = {
    "sigmoid": {},
    "tanh": {},
    "relu": {},
    "leaky_relu": {"slope": 0.2},
    "softmax": {},
}


def _inputs(n, d, scale, seed):
    """Random values of the given scale, kept away from the kink of ReLU at 0."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    return np.sign(x) * (np.abs(x) + 0.05) * scale


@fixture_ok
@given(
    n=st.integers(1, 5),
    d=st.integers(1, 7),
    scale=st.sampled_from([1e-4, 1.0, 40.0, 1e4]),
    seed=st.integers(0, 2**16),
)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_activation_matches_torch(device, name, n, d, scale, seed):
    kw = ELEMENTWISE[name]
    np_fn = from_pair(getattr(A, f"{name}_forward"), getattr(A, f"{name}_backward"))
    assert_numpy_matches_torch(
        np_fn,
        getattr(T, f"{name}_forward"),
        [_inputs(n, d, scale, seed)],
        kwargs=kw,
        device=device,
        name=name,
    )


@fixture_ok
@given(n=st.integers(1, 4), h=st.integers(1, 5), k=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_maxout_matches_torch(device, n, h, k, seed):
    x = _inputs(n, k * h, 3.0, seed)
    assert_numpy_matches_torch(
        from_pair(A.maxout_forward, A.maxout_backward),
        T.maxout_forward,
        [x],
        kwargs={"k": k},
        device=device,
        name="maxout",
    )


@pytest.mark.parametrize("name", sorted(ELEMENTWISE) + ["maxout"])
@pytest.mark.parametrize("seed", [0, 1])
def test_backward_matches_numerical_gradient(name, seed):
    kw = {"k": 3} if name == "maxout" else ELEMENTWISE[name]
    x = _inputs(3, 6, 1.0, seed)
    fwd, bwd = getattr(A, f"{name}_forward"), getattr(A, f"{name}_backward")
    out, cache = fwd(x, **kw)
    dout = np.random.default_rng(seed + 10).standard_normal(out.shape)
    numeric = numerical_gradient_array(lambda: fwd(x, **kw)[0], x, dout)
    check_gradient(bwd(dout, cache), numeric, name=f"{name}_backward", tol=1e-7)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
@given(seed=st.integers(0, 2**16), scale=st.sampled_from([1e-3, 1.0, 50.0, 1e4]))
def test_grad_functions_match_autograd(name, seed, scale):
    x = _inputs(4, 5, scale, seed)
    ours = getattr(A, f"{name}_grad")(x)
    xt = torch.tensor(x, requires_grad=True)
    getattr(T, name)(xt).sum().backward()
    np.testing.assert_allclose(ours, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    twin = getattr(T, f"{name}_grad")(torch.tensor(x)).numpy()
    np.testing.assert_allclose(twin, ours, rtol=1e-10, atol=1e-12)


def test_known_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(A.relu(x), [0, 0, 3])
    np.testing.assert_allclose(A.leaky_relu(x, slope=0.1), [-0.2, 0, 3])
    np.testing.assert_allclose(A.sigmoid(np.array([0.0])), [0.5])
    np.testing.assert_allclose(A.tanh(np.array([0.0])), [0.0])
    np.testing.assert_allclose(A.relu_grad(x), [0, 0, 1])
    np.testing.assert_allclose(A.leaky_relu_grad(x, slope=0.1), [0.1, 0.1, 1])
    np.testing.assert_allclose(A.sigmoid_grad(np.array([0.0])), [0.25])
    # groups of k=2 consecutive units: (1, 5) and (4, 2)
    np.testing.assert_allclose(A.maxout(np.array([[1.0, 5.0, 4.0, 2.0]]), k=2), [[5.0, 4.0]])


def test_extreme_inputs_stay_finite_and_keep_float32():
    x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=np.float32)
    for fn in (A.sigmoid, A.tanh, A.relu, A.leaky_relu, A.softmax, A.sigmoid_grad, A.tanh_grad):
        out = fn(x)
        assert out.dtype == np.float32, fn.__name__
        assert np.all(np.isfinite(out)), fn.__name__
    s = A.softmax(x)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(A.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])


def test_activations_table_lists_pairs():
    assert set(A.ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu"}
    assert set(T.ACTIVATIONS) == set(A.ACTIVATIONS)
    for name, (fwd, bwd) in A.ACTIVATIONS.items():
        assert fwd is getattr(A, f"{name}_forward")
        assert bwd is getattr(A, f"{name}_backward")


@pytest.mark.parametrize("module", ["numpy_nn", "torch_nn"])
@pytest.mark.parametrize("slope", [1e300, -1e4, float("nan")])
def test_leaky_slope_out_of_range_is_named(module, slope):
    leaky = importlib.import_module(f"course_lib.{module}").leaky_relu
    x = np.ones(3) if module == "numpy_nn" else torch.ones(3)
    with pytest.raises(ValueError, match="slope must be a finite number between"):
        leaky(x, slope)


@pytest.mark.parametrize("module", ["numpy_nn", "torch_nn"])
@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_infinite_scores_are_named_not_turned_into_nan(module, value):
    lib = importlib.import_module(f"course_lib.{module}")
    as_array = np.asarray if module == "numpy_nn" else torch.as_tensor
    logits = as_array(np.array([[value, 0.0, 1.0]]))
    labels = np.array([0]) if module == "numpy_nn" else torch.tensor([0])
    with pytest.raises(ValueError, match="infinit"):
        lib.softmax(logits)
    with pytest.raises(ValueError, match="infinit"):
        lib.softmax_cross_entropy(logits, labels)
    with pytest.raises(ValueError, match="infinit"):
        lib.binary_cross_entropy_with_logits(logits[0, :1], as_array(np.array([1.0])))
