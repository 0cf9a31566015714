"""Linear and flatten layers: NumPy backward vs autograd and vs numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch, from_pair
from course_lib.numpy_nn import layers as NL
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient_array
from course_lib.torch_nn import layers as TL

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@fixture_ok
@given(
    n=st.integers(1, 6),
    d=st.integers(1, 6),
    m=st.integers(1, 6),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    seed=st.integers(0, 2**16),
)
def test_linear_matches_torch(device, n, d, m, scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)) * scale
    w, b = rng.standard_normal((d, m)), rng.standard_normal(m)
    assert_numpy_matches_torch(
        from_pair(NL.linear_forward, NL.linear_backward),
        TL.linear_forward,
        [x, w, b],
        device=device,
        name="linear",
    )


@fixture_ok
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), seed=st.integers(0, 2**16))
def test_flatten_matches_torch(device, shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    assert_numpy_matches_torch(
        from_pair(NL.flatten_forward, NL.flatten_backward),
        TL.flatten_forward,
        [x],
        device=device,
        name="flatten",
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_backward_matches_numerical(seed):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    out, cache = NL.linear_forward(x, w, b)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = NL.linear_backward(dout, cache)
    f = lambda: NL.linear_forward(x, w, b)[0]  # noqa: E731
    check_gradient(dx, numerical_gradient_array(f, x, dout), "dx")
    check_gradient(dw, numerical_gradient_array(f, w, dout), "dw")
    check_gradient(db, numerical_gradient_array(f, b, dout), "db")
    dx2, dw2, db2 = NL.linear_backward(dout, cache, input_grad=False)
    assert dx2 is None
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)


def test_flatten_backward_matches_numerical():
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    out, cache = NL.flatten_forward(x)
    assert out.shape == (2, 12)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    numeric = numerical_gradient_array(lambda: NL.flatten_forward(x)[0], x, dout)
    check_gradient(NL.flatten_backward(dout, cache), numeric, "flatten dx")


def test_linear_keeps_float32_and_does_not_touch_inputs():
    x = np.ones((2, 3), dtype=np.float32)
    w = np.ones((3, 4), dtype=np.float32)
    b = np.arange(4, dtype=np.float32)
    before = (x.copy(), w.copy(), b.copy())
    out, _ = NL.linear_forward(x, w, b)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[3, 4, 5, 6]] * 2)
    for a, a0 in zip((x, w, b), before, strict=True):
        np.testing.assert_array_equal(a, a0)
    t = TL.linear_forward(torch.tensor(x), torch.tensor(w), torch.tensor(b))
    np.testing.assert_array_equal(t.numpy(), out)
