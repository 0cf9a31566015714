"""Bad input gives a TypeError/ValueError naming what was expected and what arrived.

The last tests throw random garbage (shapes, dtypes, NaNs, strings, None) at every public
function and check that nothing but TypeError/ValueError ever escapes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_lib.numpy_nn import activations as A
from course_lib.numpy_nn import layers as NL
from course_lib.numpy_nn import losses as L
from course_lib.numpy_nn import neuron as N
from course_lib.numpy_nn import optim as O
from course_lib.numpy_nn.mlp import MLP
from course_lib.torch_nn import activations as TA
from course_lib.torch_nn import layers as TLY
from course_lib.torch_nn import losses as TL
from course_lib.torch_nn import neuron as TN
from course_lib.torch_nn import optim as TO
from course_lib.torch_nn.cnn import CNN as TorchCNN
from course_lib.torch_nn.mlp import MLP as TorchMLP

# ----------------------------------------------------------------- specific messages


def test_wrong_shapes_name_expected_and_actual():
    with pytest.raises(ValueError, match=r"D=3.*\(4, 5\)"):
        NL.linear_forward(np.ones((2, 3)), np.ones((4, 5)), np.ones(5))
    with pytest.raises(ValueError, match=r"b \(one bias per output unit M\).*\(5\).*\(4,\)"):
        NL.linear_forward(np.ones((2, 3)), np.ones((3, 5)), np.ones(4))
    with pytest.raises(ValueError, match=r"\(N, D\).*\(3,\)"):
        NL.linear_forward(np.ones(3), np.ones((3, 5)), np.ones(5))
    with pytest.raises(ValueError, match=r"\(N, 4\).*\(2, 3\)"):
        MLP([4, 3]).forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"multiple of k=3.*got 4 units"):
        A.maxout(np.ones((2, 4)), k=3)
    with pytest.raises(ValueError, match=r"shape \(3,\).*got shape \(2,\)"):
        N.neuron_score(np.ones((2, 3)), np.ones(2), 0.0)
    out, cache = A.relu_forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        A.relu_backward(np.ones((3, 2)), cache)
    with pytest.raises(ValueError, match=r"\(N, 4\).*\(2, 3\)"):
        TorchMLP([4, 3])(torch.ones(2, 3))
    with pytest.raises(ValueError, match=r"D=3.*\(4, 5\)"):
        TLY.linear_forward(torch.ones(2, 3), torch.ones(4, 5), torch.ones(5))


def test_mismatched_label_counts():
    with pytest.raises(ValueError, match=r"2 labels but there are 3 examples"):
        L.softmax_cross_entropy(np.zeros((3, 4)), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"2 labels but there are 3 examples"):
        TL.softmax_cross_entropy(torch.zeros(3, 4), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"shape \(3,\), got shape \(2,\)"):
        L.binary_cross_entropy_with_logits(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match=r"2 labels but there are 3 examples"):
        MLP([2, 3]).fit(np.zeros((3, 2)), np.array([0, 1]), epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"labels in 0\.\.2, got values from 0 to 5"):
        L.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 5]))


def test_wrong_dtypes_name_the_dtype():
    with pytest.raises(TypeError, match=r"dtype <U1"):
        A.sigmoid(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"got str"):
        A.relu("1, 2, 3")
    with pytest.raises(TypeError, match=r"got a torch.Tensor"):
        A.tanh(torch.ones(3))
    with pytest.raises(TypeError, match=r"must be a torch.Tensor, got ndarray"):
        TA.tanh(np.ones(3))
    with pytest.raises(TypeError, match=r"integer class labels, got dtype <U1"):
        L.softmax_cross_entropy(np.zeros((2, 3)), np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"dtype of x, torch.float32, got torch.float64"):
        TLY.linear_forward(torch.ones(2, 3), torch.ones(3, 4, dtype=torch.float64), torch.ones(4))
    with pytest.raises(TypeError, match=r"integer class labels, got dtype torch.float32"):
        TL.softmax_cross_entropy(torch.zeros(2, 3), torch.zeros(2))


def test_nan_inputs_are_refused():
    with pytest.raises(ValueError, match=r"x contains NaN \(first at index \(1,\)\)"):
        A.relu(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"logits contains NaN"):
        L.softmax_cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))
    with pytest.raises(ValueError, match=r"x contains NaN"):
        TA.sigmoid(torch.tensor([np.nan]))
    with pytest.raises(ValueError, match=r"grads\['w'\] contains NaN"):
        O.SGD({"w": np.zeros(2)}).step({"w": np.array([0.0, np.nan])})


def test_values_out_of_range():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\], got values from -0.5 to 2"):
        L.binary_cross_entropy(np.array([-0.5, 2.0]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"targets in \[0, 1\].*from 0.0 to 3.0"):
        L.binary_cross_entropy_with_logits(np.zeros(2), np.array([0.0, 3.0]))
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -1"):
        O.Adam({"w": np.zeros(2)}, lr=-1)
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\), got 1.5"):
        TO.SGD({"w": torch.zeros(2)}, lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match=r"params\['w'\], \(2,\), got \(3,\)"):
        O.Adam({"w": np.zeros(2)}).step({"w": np.zeros(3)})
    with pytest.raises(ValueError, match=r"activation must be one of .*got 'swish'"):
        MLP([2, 3], activation="swish")
    with pytest.raises(TypeError, match=r"float NumPy array.*got list"):
        O.SGD({"w": [0.0, 1.0]})


# ----------------------------------------------------------------- random garbage

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, np.complex128, str]


@st.composite
def garbage(draw):
    kind = draw(
        st.sampled_from(["array"] * 4 + ["tensor"] * 2 + ["scalar", "text", "none", "list"])
    )
    if kind in ("array", "tensor"):
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        a = rng.standard_normal(shape) * draw(st.sampled_from([1.0, 1e4, 1e300]))
        if a.size and draw(st.booleans()):
            a.flat[draw(st.integers(0, a.size - 1))] = np.nan
        if kind == "tensor":
            dtype = draw(st.sampled_from([torch.float64, torch.float32, torch.int64]))
            return torch.tensor(np.nan_to_num(a) if dtype == torch.int64 else a).to(dtype)
        with np.errstate(all="ignore"):
            return a.astype(draw(st.sampled_from(DTYPES)))
    if kind == "scalar":
        return draw(st.one_of(st.floats(), st.integers(-3, 5), st.booleans()))
    if kind == "text":
        return draw(st.text(max_size=4))
    if kind == "list":
        return draw(st.lists(st.one_of(st.floats(), st.integers(-3, 5)), max_size=4))
    return None


def _valid_caches():
    """A valid cache for every backward, so garbage goes only into ``dout``."""
    x = np.random.default_rng(0).standard_normal((3, 4))
    return {
        A.sigmoid_backward: A.sigmoid_forward(x)[1],
        A.tanh_backward: A.tanh_forward(x)[1],
        A.relu_backward: A.relu_forward(x)[1],
        A.leaky_relu_backward: A.leaky_relu_forward(x)[1],
        A.softmax_backward: A.softmax_forward(x)[1],
        A.maxout_backward: A.maxout_forward(x, 2)[1],
        NL.linear_backward: NL.linear_forward(x, np.ones((4, 2)), np.ones(2))[1],
        NL.flatten_backward: NL.flatten_forward(x)[1],
    }


def _functions():
    fns = []
    for mod in (A, TA):
        for name in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
            fns += [(getattr(mod, name), 1), (getattr(mod, f"{name}_forward"), 1)]
        for name in ("sigmoid", "tanh", "relu", "leaky_relu"):
            fns.append((getattr(mod, f"{name}_grad"), 1))
        fns += [(mod.leaky_relu, 2), (mod.leaky_relu_grad, 2), (mod.maxout, 2)]
        fns.append((mod.maxout_forward, 2))
    for mod in (L, TL):
        fns += [(mod.binary_cross_entropy, 2), (mod.binary_cross_entropy_with_logits, 2)]
        fns.append((mod.softmax_cross_entropy, 2))
    for mod in (N, TN):
        fns += [(mod.neuron_score, 3), (mod.predict_proba, 3), (mod.predict, 3), (mod.predict, 4)]
    for mod in (NL, TLY):
        fns += [(mod.linear_forward, 3), (mod.flatten_forward, 1)]
    fns += [(O.minibatches, 3), (TO.minibatches, 3), (O.make_optimizer, 3)]
    fns += [(TO.make_optimizer, 3), (MLP, 1), (MLP, 2), (TorchMLP, 1), (TN.Neuron, 1)]
    for cls in (O.GradientDescent, O.SGD, O.Momentum, O.Adam, TO.SGD, TO.Adam, TO.Momentum):
        fns += [(cls, 1), (cls, 2)]
    fns += [(O.RandomSearch, 2), (TO.RandomSearch, 2)]
    return fns


FUNCTIONS = _functions()


@pytest.mark.parametrize(
    "fn,arity",
    FUNCTIONS,
    ids=[f"{f.__module__.split('.')[-2]}.{f.__name__}/{k}" for f, k in FUNCTIONS],
)
@given(data=st.data())
def test_garbage_only_raises_type_or_value_error(fn, arity, data):
    args = [data.draw(garbage()) for _ in range(arity)]
    try:
        fn(*args)
    except (TypeError, ValueError):
        pass


@pytest.mark.parametrize("backward", list(_valid_caches()), ids=lambda f: f.__name__)
@given(data=st.data())
def test_garbage_dout_only_raises_type_or_value_error(backward, data):
    cache = _valid_caches()[backward]
    try:
        backward(data.draw(garbage()), cache)
    except (TypeError, ValueError):
        pass


@given(data=st.data())
def test_garbage_into_models_and_optimizers(data):
    g = [data.draw(garbage()) for _ in range(2)]
    model = MLP([4, 3, 2], seed=0)
    calls = [
        lambda: model.forward(g[0]),
        lambda: model.loss_and_grads(g[0], g[1]),
        lambda: model.predict(g[0]),
        lambda: model.accuracy(g[0], g[1]),
        lambda: model.fit(g[0], g[1], epochs=1, progress=False),
        lambda: O.Adam(model.params).step({"W1": g[0], "b1": g[1]}),
        lambda: O.RandomSearch({"w": np.zeros(2)}, lambda p: g[0]).step(),
        lambda: TorchMLP([4, 3, 2])(g[0]),
        lambda: TorchMLP([4, 3, 2]).load_numpy_params({"W1": g[0], "b1": g[1]}),
        lambda: TO.Adam({"w": torch.zeros(2)}).step({"w": g[0]}),
    ]
    for call in calls:
        try:
            call()
        except (TypeError, ValueError):
            pass


@pytest.mark.parametrize(
    "make_model, x",
    [
        (lambda: TorchMLP([4, 3, 2]), torch.zeros(0, 4, dtype=torch.float64)),
        (lambda: TorchMLP([4, 3, 2]), torch.zeros(2, 4, dtype=torch.int64)),
        (lambda: TorchCNN(), torch.zeros(1, 1, 28, 28, dtype=torch.float64)),
    ],
)
def test_models_name_an_input_dtype_that_does_not_match_their_weights(make_model, x):
    with pytest.raises(TypeError, match=r"dtype torch\.(float64|int64)"):
        make_model()(x)
