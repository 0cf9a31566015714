"""Bad input to the NumPy half: a named TypeError/ValueError, never garbage, never a crash.

The promise of every public function of :mod:`course_lib.numpy_nn` and of the NumPy
experiment modules (``landscape``, ``two_layer``, ``permutation``, ``throughput`` and the
reference ``random_search``): a wrong shape, dtype, range, NaN/inf or type gets a
``TypeError``/``ValueError`` whose message names the argument; a call that succeeds returns
numbers, not NaN. The first tests pin the messages of the common slips; the last ones feed
random garbage, one argument at a time or several, into every function.
"""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import landscape, permutation, throughput, two_layer
from course_lib.exercises.learning import random_search
from course_lib.numpy_nn import activations as A
from course_lib.numpy_nn import conv as C
from course_lib.numpy_nn import gradcheck as G
from course_lib.numpy_nn import layers as NL
from course_lib.numpy_nn import losses as L
from course_lib.numpy_nn import neuron as N
from course_lib.numpy_nn import optim as O
from course_lib.numpy_nn.cnn import CNN, CNNConfig
from course_lib.numpy_nn.mlp import MLP

RNG = np.random.default_rng(0)
X34 = RNG.standard_normal((3, 4))
IMAGES = RNG.standard_normal((2, 1, 6, 6))


def small_cnn(**kwargs):
    return CNN(channels=(2,), kernel_size=3, num_classes=3, image_size=6, **kwargs)


def every_cache():
    """A real cache of every NumPy forward, by the forward's name."""
    xc, wc, bc = RNG.standard_normal((1, 2, 5, 5)), RNG.standard_normal((3, 2, 3, 3)), np.ones(3)
    return {
        "sigmoid_forward": A.sigmoid_forward(X34)[1],
        "tanh_forward": A.tanh_forward(X34)[1],
        "relu_forward": A.relu_forward(X34)[1],
        "leaky_relu_forward": A.leaky_relu_forward(X34)[1],
        "softmax_forward": A.softmax_forward(X34)[1],
        "maxout_forward": A.maxout_forward(X34, 2)[1],
        "linear_forward": NL.linear_forward(X34, np.ones((4, 2)), np.ones(2))[1],
        "flatten_forward": NL.flatten_forward(X34)[1],
        "conv2d_forward_naive": C.conv2d_forward_naive(xc, wc, bc, 1, 1)[1],
        "conv2d_forward": C.conv2d_forward(xc, wc, bc, 1, 1)[1],
        "maxpool2d_forward": C.maxpool2d_forward(xc)[1],
        "MLP.forward": MLP([4, 3, 2]).forward(X34)[1],
        "CNN.forward": small_cnn().forward(IMAGES)[1],
    }


CACHES = every_cache()  # backward passes only read their cache, so one set serves all tests

BACKWARDS = {
    "sigmoid_forward": A.sigmoid_backward,
    "tanh_forward": A.tanh_backward,
    "relu_forward": A.relu_backward,
    "leaky_relu_forward": A.leaky_relu_backward,
    "softmax_forward": A.softmax_backward,
    "maxout_forward": A.maxout_backward,
    "linear_forward": NL.linear_backward,
    "flatten_forward": NL.flatten_backward,
    "conv2d_forward_naive": C.conv2d_backward_naive,
    "conv2d_forward": C.conv2d_backward,
    "maxpool2d_forward": C.maxpool2d_backward,
    "MLP.forward": MLP([4, 3, 2]).backward,
    "CNN.forward": lambda dout, cache: small_cnn().backward(dout, cache),
}


# ----------------------------------------------------------------- the wrong cache


@pytest.mark.parametrize("forward", list(BACKWARDS))
def test_every_backward_names_a_cache_from_another_forward(forward):
    caches = every_cache()
    backward = BACKWARDS[forward]
    for other, cache in caches.items():
        if other == forward:
            continue
        with pytest.raises(TypeError, match=rf"cache did not come from {re.escape(forward)}"):
            backward(np.ones((3, 4)), cache)
    for fake in (tuple(caches[forward]), list(caches[forward]), None, X34, "cache"):
        with pytest.raises(TypeError, match=rf"cache did not come from {re.escape(forward)}"):
            backward(np.ones((3, 4)), fake)


def test_the_fast_convolutions_cache_in_the_naive_backward_says_which_it_is():
    out, cache = C.conv2d_forward(IMAGES, np.ones((2, 1, 3, 3)), np.zeros(2), 1, 1)
    with pytest.raises(TypeError, match=r"conv2d_forward_naive.*ConvNaiveCache.*conv2d_forward"):
        C.conv2d_backward_naive(np.ones_like(out), cache)


def test_a_linear_cache_in_the_relu_backward_is_named():
    out, cache = NL.linear_forward(X34, np.ones((4, 2)), np.ones(2))
    with pytest.raises(TypeError, match=r"relu_forward.*got the cache of linear_forward"):
        A.relu_backward(out, cache)


def test_caches_still_unpack_like_tuples():
    x, w = NL.linear_forward(X34, np.ones((4, 2)), np.ones(2))[1]
    assert x.shape == (3, 4) and w.shape == (4, 2)
    (out,) = A.relu_forward(X34)[1]
    assert np.array_equal(out, np.maximum(X34, 0))
    cache = MLP([4, 3, 2]).forward(X34)[1]
    assert cache[0][0][0].shape == (3, 4)  # the first layer's input, as exercise code reads it


def test_a_cache_from_a_network_of_another_shape_is_named():
    _, cache = MLP([4, 3, 3, 2]).forward(X34)
    with pytest.raises(ValueError, match=r"cache holds 3 layers but this network has 2"):
        MLP([4, 3, 2]).backward(np.ones((3, 2)), cache)
    _, cnn_cache = CNN(channels=(2,), hidden=4, num_classes=3, image_size=6).forward(IMAGES)
    with pytest.raises(ValueError, match=r"cache comes from a CNN with other layers"):
        small_cnn().backward(np.ones((2, 3)), cnn_cache)


# ----------------------------------------------------------------- non-finite numbers


@pytest.mark.parametrize("make", [O.SGD, O.GradientDescent, O.Momentum, O.Adam])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_optimisers_refuse_non_finite_gradients_and_keep_the_weights(make, bad):
    w = np.array([1.0, 2.0])
    opt = make({"w": w}, lr=0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\] contains .*lower the learning rate"):
        opt.step({"w": np.array([0.5, bad])})
    assert np.array_equal(w, [1.0, 2.0]) and opt.t == 0


def test_optimisers_refuse_non_finite_starting_weights():
    with pytest.raises(ValueError, match=r"params\['w'\] contains NaN or an infinity"):
        O.Adam({"w": np.array([0.0, np.inf])})


def test_random_search_refuses_a_loss_that_is_nan():
    def loss_fn(params):
        return math.nan if params["w"][1] < 0 else float(np.sum(params["w"] ** 2))

    with pytest.raises(ValueError, match=r"loss_fn returned NaN at the weights \{'w': \[0.5, -1.0"):
        O.RandomSearch({"w": np.array([0.5, -1.0])}, loss_fn)
    opt = O.RandomSearch({"w": np.array([0.0, 0.0])}, loss_fn, step_size=5.0, seed=1)
    with pytest.raises(ValueError, match=r"loss_fn returned NaN at the weights"):
        for _ in range(20):  # some nudge soon makes w[1] negative
            opt.step()


def test_reference_random_search_names_the_weights_where_the_loss_stops_being_a_number():
    x, y = np.array([[1.0, 2.0], [2.0, -1.0]]), np.array([0, 1])
    with pytest.raises(ValueError, match=r"loss is not a number at the weights w=\[.*step_size"):
        random_search(x, y, np.array([1e308, 1e308]), 0.0, step_size=1.0, steps=3)
    with pytest.raises(ValueError, match=r"x contains an infinite value"):
        random_search(np.array([[np.inf, 0.0]]), [1], np.zeros(2), 0.0, 0.1, 3)
    path = random_search(x, y, np.zeros(2), 0.0, step_size=0.5, steps=5)
    assert path.shape == (6, 2) and np.isfinite(path).all()


@pytest.mark.parametrize("fn", [G.numerical_gradient, G.numerical_gradient_array])
@pytest.mark.parametrize(
    "h, error", [(0, ValueError), (-1e-5, ValueError), (math.nan, ValueError),
                 (math.inf, ValueError), ("1e-5", TypeError), (True, TypeError),
                 (None, TypeError), (10**400, ValueError)],
)  # fmt: skip
def test_numerical_gradient_names_a_bad_step(fn, h, error):
    x = np.array([1.0, 2.0])
    args = (lambda: float(np.sum(x**2)), x) if fn is G.numerical_gradient else (lambda: x**2, x)
    extra = () if fn is G.numerical_gradient else (np.ones(2),)
    with pytest.raises(error, match=r"^h must"):
        fn(*args, *extra, h=h)
    assert np.array_equal(x, [1.0, 2.0])


def test_numerical_gradient_names_an_f_that_is_not_one_number_and_restores_x():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"f\(\) must return one finite number.*x\[0\]"):
        G.numerical_gradient(lambda: x * 2, x)
    with pytest.raises(
        ValueError, match=r"f\(\) must return one finite number \(the loss\), got nan"
    ):
        with np.errstate(invalid="ignore"):  # the log of a negative number: NaN, on purpose
            G.numerical_gradient(lambda: np.log(x[0] - 1), x)
    assert np.array_equal(x, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"h=1e-20 is too small"):
        G.numerical_gradient(lambda: float(x.sum()), x, h=1e-20)
    with pytest.raises(TypeError, match=r"^f must be a function"):
        G.numerical_gradient("f", x)


# ----------------------------------------------------------------- labels and classes


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0], [0, 1.5], [0, np.inf], [0, 1e300]])
def test_labels_outside_the_classes_name_the_argument_and_k(labels):
    y = np.array(labels)
    pattern = r"^y (must|contains|holds)"
    with pytest.raises(ValueError, match=pattern):
        L.softmax_cross_entropy(np.zeros((2, 3)), y)
    model = MLP([4, 3])
    for call in (
        lambda: model.loss_and_grads(X34[:2], y),
        lambda: model.accuracy(X34[:2], y),
        lambda: model.fit(X34[:2], y, progress=False),
    ):
        with pytest.raises(ValueError, match=pattern):
            call()
    cnn = small_cnn()
    for call in (
        lambda: cnn.loss_and_grads(IMAGES, y),
        lambda: cnn.accuracy(IMAGES, y),
        lambda: cnn.fit(IMAGES, y, progress=False),
    ):
        with pytest.raises(ValueError, match=pattern):
            call()


def test_a_label_too_large_says_how_many_classes_there_are():
    with pytest.raises(ValueError, match=r"labels in 0\.\.2.*K=3 classes"):
        MLP([4, 3]).fit(X34, [0, 1, 3], progress=False)
    with pytest.raises(ValueError, match=r"y_val must hold labels in 0\.\.2.*K=3"):
        small_cnn().fit(IMAGES, [0, 1], x_val=IMAGES, y_val=[0, 7], progress=False)


# ----------------------------------------------------------------- arguments of the wrong type

BAD_SEEDS = [("0", TypeError), (1.5, TypeError), (True, TypeError), (-1, ValueError),
             (None, TypeError)]  # fmt: skip


@pytest.mark.parametrize("seed, error", BAD_SEEDS)
def test_seeds_must_be_whole_numbers(seed, error):
    calls = [
        lambda: MLP([4, 2], seed=seed),
        lambda: MLP([4, 2]).fit(X34, [0, 1, 0], progress=False, seed=seed),
        lambda: small_cnn(seed=seed),
        lambda: small_cnn().fit(IMAGES, [0, 1], progress=False, seed=seed),
        lambda: two_layer.init_params(2, 3, seed=seed),
        lambda: random_search(X34[:, :2], [0, 1, 0], np.zeros(2), 0.0, 0.1, 2, seed=seed),
        lambda: permutation.make_permutation(9, seed),
        lambda: throughput.measure_matmul_throughput([4], backends=["numpy"], seed=seed),
    ]
    if seed is not None:  # None means "a fresh generator" to these two
        calls.append(lambda: O.RandomSearch({"w": np.zeros(2)}, lambda p: 0.0, seed=seed))
        calls.append(lambda: O.minibatches(5, 2, seed))
    for call in calls:
        with pytest.raises(error, match=r"\b(seed|rng)\b"):
            call()


@pytest.mark.parametrize("progress", ["no", "False", 0, None, 1.0])
def test_progress_must_be_true_or_false(progress):
    with pytest.raises(TypeError, match=r"^progress must be True or False"):
        MLP([4, 2]).fit(X34, [0, 1, 0], progress=progress)
    with pytest.raises(TypeError, match=r"^progress must be True or False"):
        small_cnn().fit(IMAGES, [0, 1], progress=progress)


@pytest.mark.parametrize(
    "name, value, error",
    [("epochs", "3", TypeError), ("epochs", True, TypeError), ("epochs", -1, ValueError),
     ("epochs", 2.0, TypeError), ("batch_size", "8", TypeError), ("batch_size", 0, ValueError),
     ("batch_size", False, TypeError), ("lr", "0.1", TypeError), ("lr", True, TypeError),
     ("lr", -0.1, ValueError), ("lr", math.nan, ValueError), ("lr", 10**400, ValueError),
     ("optimizer", 3, TypeError), ("optimizer", "adamw", ValueError),
     ("callback", "print", TypeError)],
)  # fmt: skip
def test_training_settings_of_the_wrong_kind_are_named(name, value, error):
    with pytest.raises(error, match=rf"^{name} must"):
        MLP([4, 2]).fit(X34, [0, 1, 0], progress=False, **{name: value})
    with pytest.raises(error, match=rf"^{name} must"):
        small_cnn().fit(IMAGES, [0, 1], progress=False, **{name: value})


def test_other_flags_and_numbers_of_the_wrong_kind_are_named():
    _, cache = NL.linear_forward(X34, np.ones((4, 2)), np.ones(2))
    with pytest.raises(TypeError, match=r"^input_grad must be True or False"):
        NL.linear_backward(np.ones((3, 2)), cache, input_grad="no")
    with pytest.raises(TypeError, match=r"^lr must"):
        two_layer.Trainer(X34[:, :2], [0, 1, 0], 3, lr="0.05")
    with pytest.raises(TypeError, match=r"^controls must be True or False"):
        permutation.run_permutation_experiment(
            np.zeros((2, 3, 3)), [0, 1], np.zeros((2, 3, 3)), [0, 1],
            permutation=np.arange(9), make_ffn=print, make_cnn=print, epochs=1,
            batch_size=2, lr=0.1, controls="no",
        )  # fmt: skip
    with pytest.raises(TypeError, match=r"^b must be a single number"):
        landscape.loss_grid(X34[:, :2], [0, 1, 0], "0", np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"^b must be a finite number"):
        landscape.trajectory("gd", np.zeros((2, 2)), X34[:, :2], [0, 1, 0], np.nan)
    with pytest.raises(TypeError, match=r"^gflops must be"):
        throughput.flops_to_seconds(1e9, "100")
    with pytest.raises(ValueError, match=r"^sizes must be at most"):
        throughput.measure_matmul_throughput([10**6], backends=["numpy"])
    with pytest.raises(TypeError, match=r"^dtype must be a float type"):
        MLP([4, 2], dtype="float99")
    with pytest.raises(TypeError, match=r"^channels must be a sequence"):
        CNN(channels="816")
    with pytest.raises(TypeError, match=r"^activation must be one of"):
        two_layer.init_params(2, 3, activation=["tanh"])


# ----------------------------------------------------------------- random garbage

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.uint8, np.bool_, np.complex128, str]


def _nan_loss(*args):
    return math.nan


#: Arguments that count loop rounds: a huge count of them is a long run, not an error.
LOOP_COUNTS = {"epochs", "steps", "iterations", "n", "num_pixels", "repeats"}


@st.composite
def garbage(draw, huge: bool = True):
    """Anything a learner might pass by mistake (``huge=False``: no huge integers)."""
    kind = draw(
        st.sampled_from(
            ["array"] * 5 + ["scalar", "text", "none", "list", "cache", "dict", "function"]
        )
    )
    if kind == "array":
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        a = rng.standard_normal(shape) * draw(st.sampled_from([1.0, 1e4, 1e300]))
        if a.size and draw(st.booleans()):
            a.flat[draw(st.integers(0, a.size - 1))] = draw(st.sampled_from([np.nan, np.inf]))
        with np.errstate(all="ignore"):
            return a.astype(draw(st.sampled_from(DTYPES)))
    if kind == "scalar":
        return draw(
            st.one_of(
                st.floats(),
                st.integers(-3, 5),
                st.sampled_from([10**400, -(10**30), 2**63] if huge else [-(10**30)]),
                st.booleans(),
            )
        )
    if kind == "text":
        return draw(st.sampled_from(["", "0", "1e-3", "no", "relu", "adam"]))
    if kind == "list":
        return draw(st.lists(st.one_of(st.floats(), st.integers(-3, 5)), max_size=4))
    if kind == "cache":
        return draw(st.sampled_from(list(CACHES.values())))
    if kind == "dict":
        return draw(st.sampled_from([{}, {"w": "a"}, {"W1": np.ones(2)}]))
    if kind == "function":
        return _nan_loss
    return None


def _x2():
    return np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.2, 0.1]])


def _y2():
    return np.array([0, 1, 1, 0])


def _two_layer_params():
    return two_layer.init_params(2, 3, seed=0)


def _case(fn, **valid):
    """A function and a valid value (or a factory, for what a call may change) per argument."""
    return fn, valid


_xc = RNG.standard_normal((1, 2, 5, 5))
_wc = RNG.standard_normal((3, 2, 3, 3))
_mlp_cache = MLP([4, 3, 2]).forward(X34)[1]

CASES = {
    # activations
    **{
        f"{name}{suffix}": _case(getattr(A, name + suffix), x=lambda: X34.copy())
        for name in ("sigmoid", "tanh", "relu", "softmax")
        for suffix in ("", "_forward")
    },
    **{f"{n}_grad": _case(getattr(A, f"{n}_grad"), x=X34) for n in ("sigmoid", "tanh", "relu")},
    "leaky_relu": _case(A.leaky_relu, x=X34, slope=0.1),
    "leaky_relu_grad": _case(A.leaky_relu_grad, x=X34, slope=0.1),
    "leaky_relu_forward": _case(A.leaky_relu_forward, x=X34, slope=0.1),
    "maxout": _case(A.maxout, x=X34, k=2),
    "maxout_forward": _case(A.maxout_forward, x=X34, k=2),
    **{
        f"{n}_backward": _case(
            getattr(A, f"{n}_backward"), dout=np.ones((3, 4)), cache=CACHES[f"{n}_forward"]
        )
        for n in ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
    },
    "maxout_backward": _case(
        A.maxout_backward, dout=np.ones((3, 2)), cache=CACHES["maxout_forward"]
    ),
    # losses
    "binary_cross_entropy": _case(L.binary_cross_entropy, p=np.array([0.2, 0.9]), y=[0, 1]),
    "binary_cross_entropy_with_logits": _case(
        L.binary_cross_entropy_with_logits, z=np.array([-1.0, 2.0]), y=[0, 1]
    ),
    "softmax_cross_entropy": _case(L.softmax_cross_entropy, logits=X34, y=[0, 3, 1]),
    # neuron
    "neuron_score": _case(N.neuron_score, x=X34, w=np.ones(4), b=0.5),
    "predict_proba": _case(N.predict_proba, x=X34, w=np.ones(4), b=0.5),
    "predict": _case(N.predict, x=X34, w=np.ones(4), b=0.5, threshold=0.3),
    # layers
    "linear_forward": _case(NL.linear_forward, x=X34, w=np.ones((4, 2)), b=np.ones(2)),
    "linear_backward": _case(
        NL.linear_backward,
        dout=np.ones((3, 2)),
        cache=CACHES["linear_forward"],
        input_grad=False,
    ),
    "flatten_forward": _case(NL.flatten_forward, x=IMAGES),
    "flatten_backward": _case(
        NL.flatten_backward, dout=np.ones((3, 4)), cache=CACHES["flatten_forward"]
    ),
    # convolution and pooling
    "conv_output_size": _case(C.conv_output_size, size=7, kernel=3, stride=2, pad=1),
    "conv2d_forward": _case(C.conv2d_forward, x=_xc, w=_wc, b=np.ones(3), stride=1, pad=1),
    "conv2d_forward_naive": _case(
        C.conv2d_forward_naive, x=_xc, w=_wc, b=np.ones(3), stride=2, pad=0
    ),
    "conv2d_backward": _case(
        C.conv2d_backward, dout=np.ones((1, 3, 5, 5)), cache=CACHES["conv2d_forward"]
    ),
    "conv2d_backward_naive": _case(
        C.conv2d_backward_naive,
        dout=np.ones((1, 3, 5, 5)),
        cache=CACHES["conv2d_forward_naive"],
    ),
    "maxpool2d_forward": _case(C.maxpool2d_forward, x=_xc, size=2, stride=2),
    "maxpool2d_backward": _case(
        C.maxpool2d_backward, dout=np.ones((1, 2, 2, 2)), cache=CACHES["maxpool2d_forward"]
    ),
    # gradient checking
    "numerical_gradient": _case(
        G.numerical_gradient, f=lambda: lambda: 1.0, x=lambda: np.ones(3), h=1e-5
    ),
    "numerical_gradient_array": _case(
        G.numerical_gradient_array,
        f=lambda: lambda: np.ones(2),
        x=lambda: np.ones(3),
        dout=np.ones(2),
        h=1e-5,
    ),
    "rel_error": _case(G.rel_error, a=np.ones(3), b=np.full(3, 1.1)),
    "check_gradient": _case(
        G.check_gradient, analytic=np.ones(3), numeric=np.ones(3), name="dW", tol=1e-6
    ),
    # optimisers
    "SGD": _case(O.SGD, params=lambda: {"w": np.ones(2)}, lr=0.1, momentum=0.5),
    "GradientDescent": _case(O.GradientDescent, params=lambda: {"w": np.ones(2)}, lr=0.1),
    "Momentum": _case(O.Momentum, params=lambda: {"w": np.ones(2)}, lr=0.1, momentum=0.5),
    "Adam": _case(O.Adam, params=lambda: {"w": np.ones(2)}, lr=0.1, betas=(0.9, 0.99), eps=1e-8),
    "Adam.step": _case(
        lambda grads: O.Adam({"w": np.ones(2), "b": np.ones(1)}).step(grads),
        grads={"w": np.ones(2), "b": np.ones(1)},
    ),
    "RandomSearch": _case(
        lambda params, loss_fn, step_size, seed: O.RandomSearch(
            params, loss_fn, step_size, seed
        ).step(),
        params=lambda: {"w": np.ones(2)},
        loss_fn=lambda: lambda p: float(np.sum(p["w"] ** 2)),
        step_size=0.1,
        seed=0,
    ),
    "make_optimizer": _case(O.make_optimizer, name="sgd", params=lambda: {"w": np.ones(2)}, lr=0.1),
    "minibatches": _case(
        lambda n, batch_size, rng: list(O.minibatches(n, batch_size, rng)), n=5, batch_size=2, rng=0
    ),  # fmt: skip
    # the MLP
    "MLP": _case(MLP, sizes=[4, 3, 2], activation="tanh", seed=0, dtype=np.float64),
    "MLP.forward": _case(lambda x: MLP([4, 3, 2]).forward(x)[0], x=X34),
    "MLP.backward": _case(
        lambda dlogits, cache: MLP([4, 3, 2]).backward(dlogits, cache),
        dlogits=np.ones((3, 2)),
        cache=_mlp_cache,
    ),
    "MLP.loss_and_grads": _case(
        lambda x, y: MLP([4, 3, 2]).loss_and_grads(x, y), x=X34, y=[0, 1, 1]
    ),
    "MLP.predict": _case(
        lambda x, batch_size: MLP([4, 3, 2]).predict(x, batch_size), x=X34, batch_size=2
    ),
    "MLP.accuracy": _case(lambda x, y: MLP([4, 3, 2]).accuracy(x, y), x=X34, y=[0, 1, 1]),
    "MLP.fit": _case(
        lambda x, y, epochs, batch_size, lr, optimizer, callback, progress, seed: (
            MLP([4, 3, 2])
            .fit(
                x,
                y,
                epochs=epochs,
                batch_size=batch_size,
                lr=lr,
                optimizer=optimizer,
                callback=callback,
                progress=progress,
                seed=seed,
            )
            .epoch_train_loss
        ),
        x=X34,
        y=[0, 1, 1],
        epochs=1,
        batch_size=2,
        lr=0.01,
        optimizer="sgd",
        callback=None,
        progress=False,
        seed=0,
    ),  # fmt: skip
    # the CNN
    "CNN": _case(
        lambda channels, kernel_size, hidden, num_classes, image_size, seed: CNN(
            channels, kernel_size, hidden, num_classes, 1, image_size, seed=seed
        ),
        channels=(2,),
        kernel_size=3,
        hidden=4,
        num_classes=3,
        image_size=6,
        seed=0,
    ),  # fmt: skip
    "CNNConfig": _case(
        CNNConfig.build,
        channels=(2, 3),
        kernel_size=(3, 5),
        hidden=None,
        num_classes=3,
        in_channels=1,
        image_size=8,
    ),  # fmt: skip
    "CNN.forward": _case(lambda x: small_cnn().forward(x)[0], x=IMAGES),
    "CNN.backward": _case(
        lambda dlogits, cache: small_cnn().backward(dlogits, cache)[1],
        dlogits=np.ones((2, 3)),
        cache=CACHES["CNN.forward"],
    ),
    "CNN.loss_and_grads": _case(lambda x, y: small_cnn().loss_and_grads(x, y), x=IMAGES, y=[0, 2]),
    "CNN.predict": _case(
        lambda x, batch_size: small_cnn().predict(x, batch_size), x=IMAGES, batch_size=1
    ),
    "CNN.accuracy": _case(lambda x, y: small_cnn().accuracy(x, y), x=IMAGES, y=[0, 2]),
    "CNN.fit": _case(
        lambda x, y, epochs, batch_size, lr, optimizer, progress, seed: small_cnn().fit(
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            progress=progress,
            seed=seed,
        )["train_loss"],
        x=IMAGES,
        y=[0, 2],
        epochs=1,
        batch_size=2,
        lr=0.01,
        optimizer="adam",
        progress=False,
        seed=0,
    ),  # fmt: skip
    # the reference random search of 03
    "random_search": _case(
        random_search, x=_x2(), y=_y2(), w=np.zeros(2), b=0.0, step_size=0.5, steps=3, seed=0
    ),
    # the landscape of 03
    "standardize": _case(landscape.standardize, x=_x2()),
    "fit_neuron": _case(landscape.fit_neuron, x=_x2(), y=_y2(), iterations=3),
    "loss_grid": _case(
        landscape.loss_grid, x=_x2(), y=_y2(), b=0.0, w1=np.linspace(-1, 1, 3), w2=np.zeros(2)
    ),
    "trajectory": _case(
        landscape.trajectory, name="gd", path=np.zeros((3, 2)), x=_x2(), y=_y2(), b=0.0
    ),
    # the two-layer network of 05
    "init_params": _case(
        two_layer.init_params, n_features=2, n_hidden=3, seed=0, activation="relu"
    ),
    "two_layer.forward": _case(
        lambda x, params, activation: two_layer.forward(x, params, activation)[0],
        x=_x2(),
        params=lambda: _two_layer_params(),
        activation="tanh",
    ),  # fmt: skip
    "two_layer.backward": _case(
        two_layer.backward,
        y=_y2(),
        cache=lambda: two_layer.forward(_x2(), _two_layer_params())[1],
        activation="tanh",
    ),
    "two_layer.loss_and_grads": _case(
        two_layer.loss_and_grads,
        x=_x2(),
        y=_y2(),
        params=lambda: _two_layer_params(),
        activation="relu",
    ),
    "two_layer.trace": _case(two_layer.trace, x=_x2(), y=_y2(), params=lambda: _two_layer_params()),
    "two_layer.train": _case(
        lambda x, y, n_hidden, activation, lr, steps, seed, snapshot_every: (
            two_layer.train(
                x,
                y,
                n_hidden,
                activation=activation,
                lr=lr,
                steps=steps,
                seed=seed,
                snapshot_every=snapshot_every,
            ).losses
        ),
        x=_x2(),
        y=_y2(),
        n_hidden=3,
        activation="tanh",
        lr=0.05,
        steps=3,
        seed=0,
        snapshot_every=2,
    ),  # fmt: skip
    "train_single_neuron": _case(
        lambda x, y, lr, steps: two_layer.train_single_neuron(x, y, lr=lr, steps=steps),
        x=_x2(),
        y=_y2(),
        lr=0.05,
        steps=3,
    ),  # fmt: skip
    "two_layer.accuracy": _case(
        two_layer.accuracy, x=_x2(), y=_y2(), params=lambda: _two_layer_params()
    ),
    # the permutation experiment of 07
    "make_permutation": _case(permutation.make_permutation, num_pixels=9, seed=0),
    "inverse_permutation": _case(permutation.inverse_permutation, permutation=np.arange(9)[::-1]),
    "permute_pixels": _case(
        permutation.permute_pixels, images=np.ones((2, 3, 3)), permutation=np.arange(9)
    ),
    "permute_first_layer": _case(
        permutation.permute_first_layer, w1=np.ones((9, 2)), permutation=np.arange(9)
    ),
    # the arithmetic of 01
    "matmul_flops": _case(throughput.matmul_flops, n=3, d=4, m=5),
    "flops_to_seconds": _case(throughput.flops_to_seconds, flops=2e9, gflops=10.0),
}


def _value(v):
    return v() if callable(v) and getattr(v, "__name__", "") == "<lambda>" else v


def _nan_free(result) -> bool:
    """No NaN anywhere in what a call returned (arrays, numbers, tuples, dicts)."""
    if isinstance(result, dict):
        return all(_nan_free(v) for v in result.values())
    if isinstance(result, (tuple, list)):
        return all(_nan_free(v) for v in result)
    if isinstance(result, (np.ndarray, float, np.floating)):
        arr = np.asarray(result)
        return arr.dtype.kind != "f" or not np.isnan(arr).any()
    return True


def _names_an_argument(message: str, names) -> bool:
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}\b", message) for n in [*names, "cache"])


def test_every_valid_example_runs_and_returns_numbers():
    for name, (fn, valid) in CASES.items():
        result = fn(**{k: _value(v) for k, v in valid.items()})
        assert _nan_free(result), name


@pytest.mark.parametrize("case", list(CASES))
@settings(max_examples=min(settings.default.max_examples, 6))  # 90 cases: keep the file quick
@given(data=st.data())
def test_garbage_gets_a_named_error_or_a_nan_free_result(case, data):
    fn, valid = CASES[case]
    names = list(valid)
    spoiled = data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=min(2, len(names)), unique=True)
    )
    kwargs = {
        k: (data.draw(garbage(huge=k not in LOOP_COUNTS)) if k in spoiled else _value(v))
        for k, v in valid.items()
    }
    try:
        with np.errstate(all="ignore"):
            result = fn(**kwargs)
    except G.GradientCheckError:
        assert case == "check_gradient"  # its documented answer to a wrong gradient
        return
    except (TypeError, ValueError) as error:
        assert _names_an_argument(str(error), names), (
            f"{case} with {spoiled} spoiled raised {type(error).__name__} without naming an "
            f"argument: {error}"
        )
        return
    assert _nan_free(result), f"{case} with {spoiled} spoiled returned NaN"


def test_the_cases_cover_the_public_numpy_api():
    import course_lib.numpy_nn as nn

    covered = {name.split(".")[0] for name in CASES}
    skipped = {"ACTIVATIONS", "GradientCheckError", "History"}  # data, not functions
    missing = set(nn.__all__) - covered - skipped
    assert not missing, f"add garbage cases for {sorted(missing)}"
    for name in CASES:
        fn = CASES[name][0]
        if inspect.isfunction(fn) and fn.__name__ != "<lambda>":
            assert set(CASES[name][1]) <= set(inspect.signature(fn).parameters), name
