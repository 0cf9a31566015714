"""Convolution and max-pooling: NumPy (naive and fast) against PyTorch, gradients, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch, from_pair
from course_lib.numpy_nn import conv as npc
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient_array
from course_lib.torch_nn import conv as tc

NUMPY_CONVS = {
    "naive": (npc.conv2d_forward_naive, npc.conv2d_backward_naive),
    "fast": (npc.conv2d_forward, npc.conv2d_backward),
}
# The device fixture is one value per test run; hypothesis may reuse it across examples.
with_device = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
SCALES = st.sampled_from([1e-6, 1e-3, 1.0, 1e3, 1e6])


@st.composite
def conv_cases(draw, max_side=8):
    """Random conv problems: batch 1..3, non-square images and kernels, stride, padding."""
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    f = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    hh, ww = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    pad = draw(st.integers(0, 2))
    assume(hh <= h + 2 * pad and ww <= w + 2 * pad)
    sx, sw = draw(SCALES), draw(SCALES)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((n, c, h, w)) * sx
    wt = rng.standard_normal((f, c, hh, ww)) * sw
    b = rng.standard_normal(f) * sx * sw
    # Sums of products of large numbers lose absolute (not relative) precision: scale atol.
    atol = 1e-11 * max(1.0, sx * sw, sx, sw) * (c * hh * ww + n * h * w)
    return x, wt, b, stride, pad, atol


def _torch_conv(x, w, b, stride=1, pad=0):
    return tc.conv2d_forward(x, w, b, stride=stride, pad=pad)


# ------------------------------------------------------------------------ output size


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "pad", "expected"),
    [(28, 3, 1, 1, 28), (28, 3, 2, 0, 13), (5, 5, 1, 0, 1), (7, 2, 3, 1, 3), (1, 3, 1, 1, 1)],
)
def test_conv_output_size_examples(size, kernel, stride, pad, expected):
    assert npc.conv_output_size(size, kernel, stride, pad) == expected


def test_conv_output_size_refuses_a_kernel_that_does_not_fit():
    with pytest.raises(ValueError, match=r"kernel of size 6 .* size 4 with pad=0"):
        npc.conv_output_size(4, 6, 1, 0)


@given(conv_cases())
def test_fast_output_has_the_documented_shape(case):
    x, w, b, stride, pad, _ = case
    out, _ = npc.conv2d_forward(x, w, b, stride, pad)
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    expected = (n, f, (h + 2 * pad - hh) // stride + 1, (wd + 2 * pad - ww) // stride + 1)
    assert out.shape == expected


# ------------------------------------------------------------------------ NumPy vs PyTorch


@pytest.mark.parametrize("impl", sorted(NUMPY_CONVS))
@with_device
@given(case=conv_cases())
def test_conv2d_matches_torch(impl, case, device):
    x, w, b, stride, pad, atol = case
    forward, backward = NUMPY_CONVS[impl]
    assert_numpy_matches_torch(
        from_pair(forward, backward),
        _torch_conv,
        [x, w, b],
        kwargs={"stride": stride, "pad": pad},
        device=device,
        atol=atol,
        name=f"conv2d ({impl})",
    )


@st.composite
def pool_cases(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    size = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    assume(size <= h and size <= w)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Continuous random values: ties (equal maxima) have probability zero.
    x = rng.standard_normal((n, c, h, w)) * draw(SCALES)
    return x, size, stride


@with_device
@given(case=pool_cases())
def test_maxpool_matches_torch(case, device):
    x, size, stride = case
    assert_numpy_matches_torch(
        from_pair(npc.maxpool2d_forward, npc.maxpool2d_backward),
        tc.maxpool2d_forward,
        [x],
        kwargs={"size": size, "stride": stride},
        device=device,
        name="maxpool2d",
    )


def test_maxpool_tie_sends_the_gradient_to_the_first_maximum_like_torch_on_cpu():
    import torch

    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = 5.0  # a tie inside the first window
    out, cache = npc.maxpool2d_forward(x, 2, 2)
    dx = npc.maxpool2d_backward(np.ones_like(out), cache)
    xt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(xt, 2, 2).sum().backward()
    np.testing.assert_array_equal(dx, xt.grad.numpy())
    assert dx[0, 0, 0, 1] == 1.0 and dx[0, 0, 1, 1] == 0.0  # row-major first wins


def test_maxpool_overlapping_windows_add_up_gradients():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    x[0, 0, 1, 1] = 100.0  # the centre lies in all four 2x2 windows and wins each of them
    out, cache = npc.maxpool2d_forward(x, size=2, stride=1)
    dx = npc.maxpool2d_backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), cache)
    assert out.shape == (1, 1, 2, 2)
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 1, 1] = 1.0 + 2.0 + 3.0 + 4.0
    np.testing.assert_array_equal(dx, expected)


# ------------------------------------------------------------------------ naive vs fast


@given(conv_cases())
def test_naive_and_fast_agree_forward_and_backward(case):
    x, w, b, stride, pad, atol = case
    out_n, cache_n = npc.conv2d_forward_naive(x, w, b, stride, pad)
    out_f, cache_f = npc.conv2d_forward(x, w, b, stride, pad)
    np.testing.assert_allclose(out_f, out_n, rtol=1e-9, atol=atol)
    dout = np.random.default_rng(1).standard_normal(out_n.shape)
    for name, g_n, g_f in zip(
        ("dx", "dw", "db"),
        npc.conv2d_backward_naive(dout, cache_n),
        npc.conv2d_backward(dout, cache_f),
        strict=True,
    ):
        np.testing.assert_allclose(g_f, g_n, rtol=1e-9, atol=atol, err_msg=name)


def test_fast_conv_keeps_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = np.zeros(4, np.float32)
    out, cache = npc.conv2d_forward(x, w, b, 1, 1)
    grads = npc.conv2d_backward(np.ones_like(out), cache)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


def test_known_values_by_hand():
    # One 3x3 image, one 2x2 kernel of ones: each output is the sum of a 2x2 patch, plus 1.
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.ones((1, 1, 2, 2))
    expected = np.array([[[[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]]]]) + 1
    for forward, _ in NUMPY_CONVS.values():
        out, _ = forward(x, w, np.ones(1))
        np.testing.assert_array_equal(out, expected)


# ------------------------------------------------------------------------ numerical gradients


@pytest.mark.parametrize("impl", sorted(NUMPY_CONVS))
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "pad"),
    [
        ((2, 3, 5, 4), (2, 3, 3, 2), 1, 1),
        ((1, 2, 7, 6), (3, 2, 3, 3), 2, 0),
        ((2, 1, 4, 4), (1, 1, 2, 3), 3, 2),
    ],
)
def test_conv_backward_matches_numerical_gradient(impl, x_shape, w_shape, stride, pad):
    forward, backward = NUMPY_CONVS[impl]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    out, cache = forward(x, w, b, stride, pad)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = backward(dout, cache)

    def f():
        return forward(x, w, b, stride, pad)[0]

    check_gradient(dx, numerical_gradient_array(f, x, dout), f"{impl} conv dx", tol=1e-7)
    check_gradient(dw, numerical_gradient_array(f, w, dout), f"{impl} conv dw", tol=1e-7)
    check_gradient(db, numerical_gradient_array(f, b, dout), f"{impl} conv db", tol=1e-7)


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 1), (2, 3)])
def test_maxpool_backward_matches_numerical_gradient(size, stride):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2, 7, 6))
    out, cache = npc.maxpool2d_forward(x, size, stride)
    dout = rng.standard_normal(out.shape)
    dx = npc.maxpool2d_backward(dout, cache)
    numeric = numerical_gradient_array(lambda: npc.maxpool2d_forward(x, size, stride)[0], x, dout)
    check_gradient(dx, numeric, "maxpool dx", tol=1e-7)


# ------------------------------------------------------------------------ bad input

CONV_FORWARDS = {
    "numpy naive": npc.conv2d_forward_naive,
    "numpy fast": npc.conv2d_forward,
    "torch": None,  # filled in by _call, which converts the arrays to tensors
}


def _call(which, x, w, b, stride=1, pad=0):
    if which != "torch":
        return CONV_FORWARDS[which](x, w, b, stride, pad)
    import torch

    def t(a):
        return torch.as_tensor(a) if isinstance(a, np.ndarray) else a

    return tc.conv2d_forward(t(x), t(w), t(b), stride, pad)


GOOD_X = np.zeros((2, 3, 6, 5))
GOOD_W = np.zeros((4, 3, 3, 3))
GOOD_B = np.zeros(4)


@pytest.mark.parametrize("which", sorted(CONV_FORWARDS))
@pytest.mark.parametrize(
    ("x", "w", "b", "stride", "pad", "error", "pattern"),
    [
        (np.zeros((3, 6, 5)), GOOD_W, GOOD_B, 1, 0, ValueError, r"\(N, C, H, W\).*\(3, 6, 5\)"),
        (GOOD_X, np.zeros((4, 3, 3)), GOOD_B, 1, 0, ValueError, r"\(F, C, HH, WW\).*\(4, 3, 3\)"),
        (GOOD_X, np.zeros((4, 1, 3, 3)), GOOD_B, 1, 0, ValueError, r"C=3 channels.*expects C=1"),
        (GOOD_X, GOOD_W, np.zeros(3), 1, 0, ValueError, r"\(F,\) = \(4,\).*\(3,\)"),
        (GOOD_X, np.zeros((4, 3, 7, 3)), GOOD_B, 1, 0, ValueError, r"7x3 kernel .* 6x5 input"),
        (GOOD_X, np.zeros((4, 3, 9, 3)), GOOD_B, 1, 1, ValueError, r"padded size 8x7"),
        (GOOD_X, GOOD_W, GOOD_B, 0, 0, ValueError, r"stride must be a positive integer, got 0"),
        (GOOD_X, GOOD_W, GOOD_B, 1.5, 0, TypeError, r"stride must be a positive integer"),
        (GOOD_X, GOOD_W, GOOD_B, 1, -1, ValueError, r"pad must be an integer >= 0, got -1"),
        (np.full((2, 3, 6, 5), np.nan), GOOD_W, GOOD_B, 1, 0, ValueError, r"x contains NaN"),
        (GOOD_X.astype(bool), GOOD_W, GOOD_B, 1, 0, TypeError, r"x must hold .*bool"),
        (GOOD_X.astype(complex), GOOD_W, GOOD_B, 1, 0, TypeError, r"x must hold"),
        ("images", GOOD_W, GOOD_B, 1, 0, TypeError, r"x must be"),
    ],
)
def test_conv_bad_input_names_expected_and_actual(which, x, w, b, stride, pad, error, pattern):
    with pytest.raises(error, match=pattern):
        _call(which, x, w, b, stride, pad)


def test_torch_conv_refuses_numpy_arrays_and_mixed_dtypes():
    import torch

    with pytest.raises(TypeError, match=r"x must be a torch.Tensor .* got ndarray"):
        tc.conv2d_forward(GOOD_X, torch.zeros(4, 3, 3, 3), torch.zeros(4))
    with pytest.raises(TypeError, match=r"w has dtype torch.float32 but x has dtype torch.float64"):
        tc.conv2d_forward(
            torch.zeros(2, 3, 6, 5, dtype=torch.float64),
            torch.zeros(4, 3, 3, 3),
            torch.zeros(4, dtype=torch.float64),
        )
    with pytest.raises(
        TypeError, match=r"x must hold floating-point numbers, got dtype torch.int64"
    ):
        tc.conv2d_forward(
            torch.zeros(2, 3, 6, 5, dtype=torch.int64), torch.zeros(4, 3, 3, 3), torch.zeros(4)
        )


def test_numpy_conv_refuses_torch_tensors():
    import torch

    with pytest.raises(TypeError, match=r"x must be a NumPy array, got a torch.Tensor"):
        npc.conv2d_forward(torch.zeros(2, 3, 6, 5), GOOD_W, GOOD_B)


@pytest.mark.parametrize("backward_name", ["conv2d_backward", "conv2d_backward_naive"])
def test_backward_refuses_a_dout_of_the_wrong_shape(backward_name):
    forward = npc.conv2d_forward if backward_name == "conv2d_backward" else npc.conv2d_forward_naive
    out, cache = forward(GOOD_X, GOOD_W, GOOD_B, 1, 1)
    with pytest.raises(
        ValueError,
        match=r"dout must have the shape of the forward output \(2, 4, 6, 5\), got \(2, 4, 6, 4\)",
    ):
        getattr(npc, backward_name)(np.zeros((2, 4, 6, 4)), cache)


@pytest.mark.parametrize("which", ["numpy", "torch"])
@pytest.mark.parametrize(
    ("x", "size", "stride", "error", "pattern"),
    [
        (np.zeros((4, 4)), 2, 2, ValueError, r"\(N, C, H, W\).*\(4, 4\)"),
        (np.zeros((1, 1, 3, 5)), 4, 2, ValueError, r"4x4 pooling window does not fit the 3x5"),
        (np.zeros((1, 1, 4, 4)), 0, 2, ValueError, r"size must be a positive integer, got 0"),
        (np.zeros((1, 1, 4, 4)), 2, 2.0, TypeError, r"stride must be a positive integer"),
        (np.full((1, 1, 4, 4), np.nan), 2, 2, ValueError, r"x contains NaN"),
    ],
)
def test_maxpool_bad_input(which, x, size, stride, error, pattern):
    import torch

    fn = npc.maxpool2d_forward if which == "numpy" else tc.maxpool2d_forward
    arg = x if which == "numpy" else torch.as_tensor(x)
    with pytest.raises(error, match=pattern):
        fn(arg, size, stride)


def test_maxpool_backward_refuses_a_dout_of_the_wrong_shape():
    out, cache = npc.maxpool2d_forward(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match=r"\(1, 2, 2, 2\), got \(1, 2, 2, 3\)"):
        npc.maxpool2d_backward(np.zeros((1, 2, 2, 3)), cache)


# ------------------------------------------------------------------------ garbage in

_shapes = st.lists(st.integers(0, 5), min_size=0, max_size=5).map(tuple)


def _filled(shape, dtype, fill):
    with np.errstate(invalid="ignore"):  # NaN/inf cast to int is garbage, on purpose
        return np.full(shape, fill).astype(dtype)


_garbage = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.builds(np.zeros, _shapes),
    st.builds(
        _filled,
        _shapes,
        st.sampled_from([np.float32, np.float64, np.int64, np.uint8, bool, complex, object]),
        st.sampled_from([0.0, 1.0, -2.5, np.nan, np.inf]),
    ),
)


@given(
    x=_garbage,
    w=_garbage,
    b=_garbage,
    stride=st.one_of(st.integers(-2, 3), st.floats(allow_nan=True), st.none()),
    pad=st.one_of(st.integers(-2, 3), st.floats(allow_nan=True), st.text(max_size=2)),
)
def test_garbage_gives_only_value_or_type_errors(x, w, b, stride, pad):
    import torch

    for fn in (npc.conv2d_forward, npc.conv2d_forward_naive):
        try:
            fn(x, w, b, stride, pad)
        except (ValueError, TypeError):
            pass
    try:
        npc.maxpool2d_forward(x, stride, pad)
    except (ValueError, TypeError):
        pass

    def t(a):
        if isinstance(a, np.ndarray) and a.dtype != object:
            return torch.as_tensor(a)
        return a

    try:
        tc.conv2d_forward(t(x), t(w), t(b), stride, pad)
    except (ValueError, TypeError):
        pass
    try:
        tc.maxpool2d_forward(t(x), stride, pad)
    except (ValueError, TypeError):
        pass
