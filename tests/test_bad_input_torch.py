"""The PyTorch half keeps the NumPy half's promises about bad input.

Bad input gets a ``TypeError`` or ``ValueError`` that names the argument; nothing is
computed from NaN or infinities, and no error comes from deep inside PyTorch. The first
tests pin the messages of known cases; the property tests at the end throw random garbage
(shapes, dtypes, NaN/inf, strings, None, bools, huge and negative numbers) at every public
function and require a named error or a finite result.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_lib import device as D
from course_lib import evaluation as E
from course_lib.torch_nn import activations as TA
from course_lib.torch_nn import conv as TC
from course_lib.torch_nn import layers as TLY
from course_lib.torch_nn import losses as TL
from course_lib.torch_nn import neuron as TN
from course_lib.torch_nn import optim as TO
from course_lib.torch_nn import train as T
from course_lib.torch_nn.cnn import CNN
from course_lib.torch_nn.mlp import MLP

matplotlib.use("Agg")


def small_data(n=8, d=4, k=3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, d)).astype(np.float32), np.arange(n) % k


def fit_args(**over):
    args = dict(epochs=1, batch_size=4, lr=0.01, device="cpu", progress=False)
    args.update(over)
    return args


# ----------------------------------------------------------------- NaN and inf input


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_models_refuse_nan_and_inf_input(bad):
    x = torch.zeros(2, 4)
    x[1, 2] = bad
    with pytest.raises(ValueError, match=r"^x contains .* at index \(1, 2\)"):
        MLP([4, 3])(x)
    with pytest.raises(ValueError, match=r"^x contains .* at index \(1, 2\)"):
        MLP([4, 3]).predict(x)
    images = torch.zeros(2, 1, 28, 28)
    images[0, 0, 3, 4] = bad
    with pytest.raises(ValueError, match=r"^x contains .* at index \(0, 0, 3, 4\)"):
        CNN(channels=(2,), hidden=None)(images)
    with pytest.raises(ValueError, match=r"^x contains"):
        CNN(channels=(2,), hidden=None).feature_maps(images.numpy())


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_evaluation_plots_refuse_nan_and_inf(bad):
    maps = np.zeros((4, 5, 5))
    maps[2, 1, 1] = bad
    with pytest.raises(ValueError, match=r"^feature_maps contains"):
        E.plot_feature_maps(maps)
    with pytest.raises(ValueError, match=r"^image contains"):
        E.plot_feature_maps(np.zeros((4, 5, 5)), image=maps[2])
    with pytest.raises(ValueError, match=r"^weights contains"):
        E.plot_kernels(maps[:, None])
    proba = np.full((3, 2), 0.5)
    proba[1, 0] = bad
    with pytest.raises(ValueError, match=r"^proba contains"):
        E.most_confident_mistakes(proba, np.array([0, 1, 0]))
    with pytest.raises(ValueError, match=r"^cm contains"):
        E.plot_confusion_matrix(proba[:2])


def test_fit_names_inf_in_the_data_instead_of_blaming_the_learning_rate():
    x, y = small_data()
    x[5, 1] = np.inf
    model = MLP([4, 3])
    before = model.numpy_params()
    with pytest.raises(ValueError, match=r"^x_train contains inf at index \(5, 1\)"):
        T.fit(model, x, y, **fit_args())
    after = model.numpy_params()
    assert all(np.array_equal(before[k], after[k]) for k in before)  # nothing trained
    x, y = small_data()
    with pytest.raises(ValueError, match=r"^x_val contains NaN"):
        T.fit(MLP([4, 3]), x, y, x_val=np.full((2, 4), np.nan), y_val=[0, 1], **fit_args())
    with pytest.raises(ValueError, match=r"^x_train contains 1e\+300, too large for float32"):
        T.fit(MLP([4, 3]), np.full((8, 4), 1e300), y, **fit_args())
    with pytest.raises(ValueError, match=r"^x contains NaN"):
        T.evaluate(MLP([4, 3]), np.full((2, 4), np.nan), [0, 1])
    with pytest.raises(ValueError, match=r"^x contains inf"):
        T.predict_proba(MLP([4, 3]), np.full((2, 4), np.inf))


def test_fit_leaves_the_models_input_check_on():
    x, y = small_data()
    model = MLP([4, 3])
    T.fit(model, x, y, **fit_args())
    assert model.check_inputs
    with pytest.raises(ValueError, match=r"x contains NaN"):
        model(torch.full((1, 4), math.nan))


# ----------------------------------------------------------------- optimisers


@pytest.mark.parametrize("make", [TO.SGD, TO.Adam, TO.Momentum, TO.GradientDescent])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_optimisers_refuse_non_finite_gradients(make, bad):
    w = torch.zeros(3, requires_grad=True)
    opt = make({"w": w}, lr=0.1)
    with pytest.raises(ValueError, match=r"grads\['w'\] contains .*lower the learning rate"):
        opt.step({"w": torch.tensor([0.0, bad, 1.0])})
    w.grad = torch.tensor([0.0, 0.0, bad])
    with pytest.raises(ValueError, match=r"gradient of params\['w'\] contains .*index \(2,\)"):
        opt.step()
    assert torch.equal(w.detach(), torch.zeros(3))  # the weights were not touched
    model = MLP([2, 2])
    opt = make(model.parameters(), lr=0.1)
    loss = model(torch.ones(1, 2)).sum() * bad
    loss.backward()
    with pytest.raises(ValueError, match=r"gradient of parameter 0 contains .*lr=0.1, try"):
        opt.step()


def test_random_search_refuses_nan_losses_and_misread_seeds():
    with pytest.raises(ValueError, match=r"loss_fn returned NaN"):
        TO.RandomSearch({"w": torch.zeros(2)}, lambda p: math.nan)
    for seed in ("0", 1.5, True):
        with pytest.raises(TypeError, match=r"seed must be an integer"):
            TO.RandomSearch({"w": torch.zeros(2)}, lambda p: 0.0, seed=seed)
    w = torch.zeros(2)
    search = TO.RandomSearch({"w": w}, lambda p: float(p["w"].sum()), step_size=1e300)
    with pytest.raises(ValueError, match=r"step_size=1e\+300 is too large"):
        search.step()
    assert torch.equal(w, torch.zeros(2))


# ----------------------------------------------------------------- labels against K


@pytest.mark.parametrize(
    "labels, pattern",
    [
        ([0, 1, 2, 3, 0, 1, 2, 0], r"y_train holds the label 3, but the model has K=3"),
        ([0, 1, -1, 0, 0, 1, 2, 0], r"y_train must hold labels 0\.\.K-1, got a negative"),
        ([0, 1.5, 2, 0, 0, 1, 2, 0], r"y_train must hold whole-number class labels"),
        ([0, 1, 2], r"y_train has 3 labels but there are 8 examples"),
        (["a"] * 8, r"y_train must hold integer class labels"),
    ],
)
def test_fit_checks_labels_up_front(labels, pattern):
    x, _ = small_data()
    with pytest.raises((TypeError, ValueError), match=pattern):
        T.fit(MLP([4, 3]), x, np.array(labels), **fit_args())


def test_validation_evaluate_and_predict_check_labels_and_outputs():
    x, y = small_data()
    with pytest.raises(ValueError, match=r"y_val holds the label 7, but the model has K=3"):
        T.fit(MLP([4, 3]), x, y, x_val=x[:2], y_val=[0, 7], **fit_args())
    with pytest.raises(ValueError, match=r"^y holds the label 5, but the model has K=3"):
        T.evaluate(MLP([4, 3]), x[:2], torch.tensor([5, 0]))
    with pytest.raises(ValueError, match=r"model must map a batch of x .* to logits \(B, K\)"):
        T.predict_proba(torch.nn.Sequential(torch.nn.Linear(4, 1), torch.nn.Flatten(0)), x)


# ----------------------------------------------------------------- devices


@pytest.mark.parametrize("bad", ["gpu", "cuda:7", "tpu", "", "cpu:0:1"])
def test_unknown_devices_name_device_and_list_the_choices(bad):
    if bad == "cuda:7" and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    x, y = small_data()
    calls = [
        lambda: T.fit(MLP([4, 3]), x, y, **fit_args(device=bad)),
        lambda: T.evaluate(MLP([4, 3]), x, y, device=bad),
        lambda: T.as_device_tensors(x, device=bad),
        lambda: MLP([4, 3], device=bad),
        lambda: TN.Neuron(3, device=bad),
        lambda: TO.minibatches(4, 2, device=bad),
        lambda: D.describe_device(bad),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"^device.*available here: .*'cpu'"):
            call()


@pytest.mark.parametrize("bad", [3.5, 0, True, ["cpu"]])
def test_devices_of_the_wrong_type_name_device(bad):
    with pytest.raises(TypeError, match=r"^device must be None .*'cpu'.*or a torch.device"):
        D.as_device(bad)
    with pytest.raises(TypeError, match=r"^device must be"):
        T.fit(MLP([4, 3]), *small_data(), **fit_args(device=bad))


def test_pick_device_names_prefer():
    with pytest.raises(ValueError, match=r"^prefer must be"):
        D.pick_device("gpu")
    assert D.as_device(" CPU ") == torch.device("cpu")


# COURSE_DEVICE overrides the automatic choice; an explicit argument still wins.


def test_unset_or_empty_course_device_means_the_automatic_choice(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    automatic = torch.device(D.available_devices()[0])
    assert D.pick_device() == automatic and D.device_source() == "automatic"
    monkeypatch.setenv("COURSE_DEVICE", "  ")
    assert D.pick_device() == automatic and D.device_source() == "automatic"


@pytest.mark.parametrize("kind", D.available_devices())
def test_course_device_overrides_every_automatic_choice(kind, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", f" {kind.upper()} ")
    assert D.device_source() == f"COURSE_DEVICE={kind.upper()}"
    assert D.pick_device().type == kind
    assert D.as_device(None).type == kind
    assert D.describe_device().startswith(kind)
    assert T.as_device_tensors(np.zeros((2, 3), np.float32)).device.type == kind


def test_an_explicit_device_wins_over_course_device(monkeypatch):
    other = D.available_devices()[0]  # "cpu" on a CPU-only machine: then both agree
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert D.pick_device(other).type == other
    assert D.as_device(other).type == other
    assert D.describe_device("cpu").startswith("cpu")
    assert T.as_device_tensors(np.zeros((2, 3), np.float32), device="cpu").device.type == "cpu"
    # An explicit device also wins over a COURSE_DEVICE that would be an error.
    monkeypatch.setenv("COURSE_DEVICE", "gpu")
    assert D.pick_device("cpu") == D.as_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("bad", ["gpu", "tpu", "cpu:0:1", "cuda", "mps", "cuda:7"])
def test_a_bad_course_device_names_the_variable_and_the_choices(bad, monkeypatch):
    if bad in D.available_devices() or (bad == "cuda:7" and torch.cuda.device_count() > 7):
        pytest.skip(f"this machine has {bad}")
    monkeypatch.setenv("COURSE_DEVICE", bad)
    expected = (
        "is not available on this machine"
        if bad in ("cuda", "mps", "cuda:7")
        else ("is not a device name")
    )
    for call in (D.pick_device, D.as_device, D.describe_device):
        with pytest.raises(ValueError) as caught:
            call(None) if call is D.as_device else call()
        message = str(caught.value)
        assert message.startswith(f"COURSE_DEVICE={bad!r} {expected}"), message
        assert "\n" not in message and "valid here: " in message and "'cpu'" in message
        for kind in D.available_devices():
            assert repr(kind) in message
        assert "unset COURSE_DEVICE" in message


def test_the_welcome_check_says_who_chose_the_device(monkeypatch, capsys):
    """The environment check of 00_welcome prints the device and where the choice came from."""
    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "00_welcome.ipynb"
    cells = {c.id: c.source for c in nbformat.read(path, as_version=4).cells}
    for setting, expected in [(None, "the automatic choice"), ("cpu", "COURSE_DEVICE=cpu")]:
        if setting is None:
            monkeypatch.delenv("COURSE_DEVICE", raising=False)
        else:
            monkeypatch.setenv("COURSE_DEVICE", setting)
        namespace: dict = {}
        with matplotlib.rc_context():  # the imports apply the course style: keep it here
            exec(cells["cell-05"], namespace)  # the imports
            exec(cells["cell-07"], namespace)  # the environment check
        lines = capsys.readouterr().out.splitlines()
        device_line = next(line for line in lines if line.startswith("Device"))
        assert D.describe_device() in device_line
        chosen_line = next(line for line in lines if line.startswith("Chosen by"))
        assert expected in chosen_line and "COURSE_DEVICE" in chosen_line


# ----------------------------------------------------------------- misread arguments


@pytest.mark.parametrize(
    "over, error, pattern",
    [
        ({"seed": "0"}, TypeError, r"seed must be an integer"),
        ({"seed": 1.5}, TypeError, r"seed must be an integer"),
        ({"seed": True}, TypeError, r"seed must be an integer"),
        ({"seed": -1}, ValueError, r"seed must be an integer from 0"),
        ({"progress": "no"}, TypeError, r"progress must be True or False, got 'no'"),
        ({"channels_last": "False"}, TypeError, r"channels_last must be True or False"),
        ({"drop_last": 1}, TypeError, r"drop_last must be True or False"),
        ({"fused": "yes"}, TypeError, r"fused must be True or False"),
        ({"compile": "False"}, TypeError, r"compile must be False, True or a torch.compile"),
        ({"epochs": "2"}, TypeError, r"epochs must be a positive integer"),
        ({"epochs": True}, TypeError, r"epochs must be a positive integer"),
        ({"epochs": -1}, ValueError, r"epochs must be a positive integer"),
        ({"batch_size": 2.0}, TypeError, r"batch_size must be a positive integer"),
        ({"batch_size": 0}, ValueError, r"batch_size must be a positive integer"),
        ({"lr": "0.1"}, TypeError, r"lr must be a positive number"),
        ({"lr": True}, TypeError, r"lr must be a positive number"),
        ({"lr": -0.1}, ValueError, r"lr must be a finite number > 0"),
        ({"weight_decay": "0.1"}, TypeError, r"weight_decay must be a number"),
        ({"weight_decay": -1.0}, ValueError, r"weight_decay must be a finite number >= 0"),
    ],
)
def test_fit_refuses_misread_arguments(over, error, pattern):
    with pytest.raises(error, match=pattern):
        T.fit(MLP([4, 3]), *small_data(), **fit_args(**over))


def test_constructors_refuse_misread_arguments():
    for seed in ("0", 1.5, True):
        with pytest.raises(TypeError, match=r"seed must be an integer"):
            MLP([4, 3], seed=seed)
    with pytest.raises(TypeError, match=r"dtype must be a torch dtype"):
        MLP([4, 3], dtype="float32")
    with pytest.raises(TypeError, match=r"dtype must be a floating-point dtype"):
        TN.Neuron(3, dtype=torch.int64)
    with pytest.raises(ValueError, match=r"activation must be one of"):
        MLP([4, 3], activation=["relu"])
    with pytest.raises(TypeError, match=r"batch_norm must be True or False"):
        CNN(batch_norm="False")
    with pytest.raises(ValueError, match=r"would need .* weights"):
        MLP([10**6, 10**6])
    with pytest.raises(TypeError, match=r"enabled must be True or False"):
        T.LiveLossPlot(enabled="no")
    with pytest.raises(ValueError, match=r"figsize must be a pair"):
        T.LiveLossPlot(figsize=(6, -1))
    with pytest.raises(TypeError, match=r"normalize must be True or False"):
        E.plot_confusion_matrix(np.eye(2), normalize="no")
    with pytest.raises(TypeError, match=r"class_names must be a list"):
        E.plot_confusion_matrix(np.eye(2), class_names="ab")
    with pytest.raises(TypeError, match=r"rng must be a torch.Generator"):
        TO.minibatches(4, 2, rng="0")


def test_loaded_weights_must_be_finite():
    params = MLP([4, 3]).numpy_params()
    params["W1"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['W1'\] contains nan at index \(0, 0\)"):
        MLP([4, 3]).load_numpy_params(params)
    cnn = CNN(channels=(2,), hidden=None)
    p = cnn.numpy_params()
    p["fc1.b"][1] = np.inf
    with pytest.raises(ValueError, match=r"params\['fc1.b'\] contains inf"):
        cnn.load_numpy_params(p)


def test_overflowing_results_are_refused():
    big = torch.full((2, 2), 1e300, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"overflowed to infinity.*x, w and b"):
        TLY.linear_forward(big, big, torch.zeros(2, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"overflowed"):
        TA.leaky_relu(torch.full((2,), -1e36), slope=1000)


# ----------------------------------------------------------------- random garbage


@st.composite
def garbage(draw):
    """A value of any kind: arrays and tensors of odd shapes and dtypes (with NaN, inf, huge
    or negative numbers), scalars, strings, None, bools, lists."""
    kind = draw(
        st.sampled_from(["array"] * 3 + ["tensor"] * 4 + ["scalar", "text", "none", "list"])
    )
    if kind in ("array", "tensor"):
        shape = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        a = rng.standard_normal(shape) * draw(st.sampled_from([1.0, 1e4, 1e300, -1e300]))
        if a.size and draw(st.booleans()):
            a.flat[draw(st.integers(0, a.size - 1))] = draw(
                st.sampled_from([np.nan, np.inf, -np.inf])
            )
        if kind == "tensor":
            dtype = draw(
                st.sampled_from(
                    [torch.float32, torch.float32, torch.float64, torch.int64, torch.bool]
                )
            )
            if dtype in (torch.int64, torch.bool):
                a = np.clip(np.nan_to_num(a), -100, 100)
            with np.errstate(all="ignore"):
                return torch.tensor(a).to(dtype)
        dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_, str]))
        with np.errstate(all="ignore"):
            return a.astype(dtype)
    if kind == "scalar":
        return draw(st.one_of(st.floats(), st.integers(-3, 5), st.integers(), st.booleans()))
    if kind == "text":
        return draw(st.sampled_from(["", "0", "1.5", "cpu", "gpu", "no", "False", "relu"]))
    if kind == "list":
        return draw(st.lists(st.one_of(st.floats(), st.integers(-3, 5)), max_size=4))
    return None


def _is_finite(out) -> bool:
    """A result is acceptable when every number in it is finite."""
    if out is None or isinstance(out, (bool, int, str)):
        return True
    if isinstance(out, float):
        return math.isfinite(out)
    if isinstance(out, torch.Tensor):
        out = out.detach()
        return not out.is_floating_point() or bool(torch.isfinite(out).all())
    if isinstance(out, np.ndarray):
        return out.dtype.kind not in "fc" or bool(np.isfinite(out).all())
    if isinstance(out, dict):
        return all(_is_finite(v) for v in out.values())
    if isinstance(out, (list, tuple)):
        return all(_is_finite(v) for v in out)
    return True  # a model, an optimiser, a figure, a generator


def _call(fn, args, names):
    """Run ``fn``: a named TypeError/ValueError, or a finite result."""
    try:
        out = fn(*args)
        if hasattr(out, "__next__"):
            out = list(out)  # minibatches is lazy
    except (TypeError, ValueError) as err:
        message = str(err)
        assert any(name in message for name in names), (
            f"{fn.__qualname__}: the error does not name any of {names}: {message}"
        )
        return
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    assert _is_finite(out), f"{fn.__qualname__}{tuple(map(type, args))} gave {out}"


def _functions():
    """(function, names of the arguments that get garbage)."""
    out = []
    for name in ("sigmoid", "tanh", "relu", "softmax"):
        for suffix in ("", "_forward"):
            out.append((getattr(TA, name + suffix), ("x",)))
    for name in ("sigmoid_grad", "tanh_grad", "relu_grad"):
        out.append((getattr(TA, name), ("x",)))
    for fn in (TA.leaky_relu, TA.leaky_relu_forward, TA.leaky_relu_grad):
        out.append((fn, ("x", "slope")))
    out += [(TA.maxout, ("x", "k")), (TA.maxout_forward, ("x", "k"))]
    out += [
        (TL.binary_cross_entropy, ("p", "y")),
        (TL.binary_cross_entropy_with_logits, ("z", "y")),
    ]
    out += [(TL.softmax_cross_entropy, ("logits", "y"))]
    for fn in (TN.neuron_score, TN.predict_proba, TN.predict):
        out.append((fn, ("x", "w", "b")))
    out += [(TN.predict, ("x", "w", "b", "threshold")), (TN.Neuron, ("in_features",))]
    out += [(TLY.linear_forward, ("x", "w", "b")), (TLY.flatten_forward, ("x",))]
    out += [
        (TC.conv2d_forward, ("x", "w", "b")),
        (TC.conv2d_forward, ("x", "w", "b", "stride", "pad")),
    ]
    out += [(TC.maxpool2d_forward, ("x", "size", "stride"))]
    out += [
        (TO.minibatches, ("n", "batch_size", "rng")),
        (TO.make_optimizer, ("name", "params", "lr")),
    ]
    for cls in (TO.SGD, TO.Adam, TO.Momentum, TO.GradientDescent):
        out.append((cls, ("params", "lr")))
    out += [(TO.RandomSearch, ("params", "loss_fn", "step_size", "seed"))]
    out += [(MLP, ("sizes", "activation", "seed")), (CNN, ("channels", "kernel_size", "hidden"))]
    out += [
        (D.as_device, ("device",)),
        (D.pick_device, ("prefer",)),
        (D.describe_device, ("device",)),
    ]
    out += [(T.as_device_tensors, ("x", "y")), (T.LiveLossPlot, ("title",))]
    out += [(E.confusion_matrix, ("y_true", "y_pred", "num_classes"))]
    out += [(E.most_confident_mistakes, ("proba", "y_true", "k"))]
    out += [(E.plot_confusion_matrix, ("cm", "class_names"))]
    out += [(E.plot_kernels, ("weights",)), (E.plot_feature_maps, ("feature_maps", "image"))]
    return out


FUNCTIONS = _functions()


@pytest.mark.parametrize(
    "fn, names",
    FUNCTIONS,
    ids=[f"{f.__module__.split('.')[-1]}.{f.__qualname__}/{len(n)}" for f, n in FUNCTIONS],
)
@given(data=st.data())
def test_garbage_gets_a_named_error_or_a_finite_result(fn, names, data):
    _call(fn, [data.draw(garbage()) for _ in names], names)


MODEL_CALLS = {
    "MLP.forward": (lambda g: MLP([4, 3])(g[0]), ("x",)),
    "MLP.predict": (lambda g: MLP([4, 3]).predict(g[0]), ("x",)),
    "MLP.load_numpy_params": (
        lambda g: MLP([4, 3]).load_numpy_params({"W1": g[0], "b1": g[1]}),
        ("params",),
    ),
    "CNN.forward": (lambda g: CNN(channels=(2,), hidden=None, image_size=4)(g[0]), ("x",)),
    "CNN.feature_maps": (
        lambda g: CNN(channels=(2,), hidden=None, image_size=4).feature_maps(g[0], g[1]),
        ("x", "layer"),
    ),
    "SGD.step": (lambda g: TO.SGD({"w": torch.zeros(2)}, lr=0.1).step({"w": g[0]}), ("grads",)),
    "Adam.step": (lambda g: TO.Adam({"w": torch.zeros(2)}).step({"w": g[0]}), ("grads",)),
    "RandomSearch.step": (
        lambda g: TO.RandomSearch({"w": torch.zeros(2)}, lambda p: g[0]).step(),
        ("loss_fn",),
    ),
    "fit": (
        lambda g: T.fit(MLP([4, 3]), g[0], g[1], **fit_args(batch_size=2)).as_dict(),
        ("x_train", "y_train"),
    ),
    "fit/options": (
        lambda g: T.fit(
            MLP([4, 3]),
            *small_data(n=4),
            epochs=1,
            batch_size=g[0],
            lr=g[1],
            device="cpu",
            progress=False,
        ).as_dict(),
        ("batch_size", "lr"),
    ),  # fmt: skip
    "evaluate": (lambda g: T.evaluate(MLP([4, 3]), g[0], g[1]), ("x", "y")),
    "predict_proba": (lambda g: T.predict_proba(MLP([4, 3]), g[0]), ("x",)),
    "predict": (lambda g: T.predict(MLP([4, 3]), g[0], batch_size=g[1]), ("x", "batch_size")),
    "plot_mistakes": (
        lambda g: E.plot_mistakes(g[0], np.full((2, 2), 0.5), g[1]),
        ("images", "y_true"),
    ),
}


@pytest.mark.parametrize("call", list(MODEL_CALLS))
@given(data=st.data())
def test_garbage_into_models_training_and_plots(call, data):
    fn, names = MODEL_CALLS[call]
    _call(lambda *g: fn(g), [data.draw(garbage()) for _ in range(2)], names)
