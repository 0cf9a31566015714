"""The CNNs: NumPy and PyTorch give the same logits and gradients; notebook 08's ConvNet."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch
from course_lib.numpy_nn.cnn import CNN as NumpyCNN
from course_lib.numpy_nn.cnn import CNNConfig
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient
from course_lib.torch_nn.cnn import CNN as TorchCNN
from course_lib.torch_nn.cnn import ConvNet

with_device = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def cnn_configs(draw):
    """Small random architectures: 1-2 conv blocks, odd and even kernels, optional hidden."""
    blocks = draw(st.integers(1, 2))
    kwargs = {
        "channels": tuple(draw(st.integers(1, 4)) for _ in range(blocks)),
        "kernel_size": tuple(draw(st.integers(1, 4)) for _ in range(blocks)),
        "hidden": draw(st.one_of(st.none(), st.integers(1, 5))),
        "num_classes": draw(st.integers(1, 4)),
        "in_channels": draw(st.integers(1, 2)),
        "image_size": draw(st.integers(2, 10)),
    }
    try:
        CNNConfig.build(**kwargs)
    except ValueError:
        assume(False)  # the image shrank away; such a CNN is refused (tested below)
    return kwargs


def _numpy_model(kwargs, seed=0):
    return NumpyCNN(**kwargs, seed=seed, dtype=np.float64)


def _torch_model(kwargs, device):
    return TorchCNN(**kwargs).to(device=device, dtype=torch.float64)


def _to_torch_name(name: str) -> str:
    layer, arg = name.split(".")
    return f"{layer}.{'weight' if arg == 'w' else 'bias'}"


# ------------------------------------------------------------------------ whole model


@with_device
@given(kwargs=cnn_configs(), n=st.integers(1, 3), seed=st.integers(0, 2**16))
def test_whole_cnn_forward_and_backward_match_autograd(kwargs, n, seed, device):
    """Logits, the input gradient and every parameter gradient agree with autograd."""
    model = _numpy_model(kwargs, seed)
    names = list(model.params)
    c = model.config
    x = np.random.default_rng(seed).standard_normal((n, c.in_channels, c.image_size, c.image_size))

    def numpy_fn(x, *params):
        model.params = dict(zip(names, params, strict=True))
        logits, cache = model.forward(x)

        def back(dlogits):
            dx, grads = model.backward(dlogits, cache)
            return (dx, *(grads[k] for k in names))

        return logits, back

    torch_model = _torch_model(kwargs, device)

    def torch_fn(x, *params):
        state = {}
        for name, p in zip(names, params, strict=True):
            state[_to_torch_name(name)] = p.T if name.startswith("fc") and name[-1] == "w" else p
        return torch.func.functional_call(torch_model, state, (x,))

    assert_numpy_matches_torch(
        numpy_fn,
        torch_fn,
        [x, *model.params.values()],
        device=device,
        atol=1e-9,
        name=f"CNN{kwargs}",
    )


@pytest.mark.parametrize("hidden", [None, 7])
def test_loss_and_grads_match_torch_cross_entropy(hidden, device):
    kwargs = {"channels": (3, 5), "kernel_size": 3, "hidden": hidden, "image_size": 12}
    model = _numpy_model(kwargs, seed=1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 1, 12, 12))
    y = rng.integers(0, 10, 6)
    loss, grads = model.loss_and_grads(x, y)

    twin = _torch_model(kwargs, device).load_numpy_params(model.params)
    loss_t = torch.nn.functional.cross_entropy(
        twin(torch.tensor(x, device=device)), torch.tensor(y, device=device)
    )
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-9)
    for name, g in grads.items():
        layer, arg = name.split(".")
        t = getattr(twin, layer).weight if arg == "w" else getattr(twin, layer).bias
        g_t = t.grad.detach().cpu().numpy()
        g_t = g_t.T if layer.startswith("fc") and arg == "w" else g_t
        np.testing.assert_allclose(g, g_t, rtol=1e-7, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("hidden", [None, 4])
def test_numpy_cnn_gradients_match_numerical_gradients(hidden):
    model = _numpy_model(
        {
            "channels": (2, 3),
            "kernel_size": (3, 2),
            "hidden": hidden,
            "num_classes": 3,
            "image_size": 8,
        },  # fmt: skip
        seed=2,
    )
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 1, 8, 8))
    y = np.array([0, 2, 1])
    _, grads = model.loss_and_grads(x, y)
    for name, p in model.params.items():
        numeric = numerical_gradient(lambda: model.loss_and_grads(x, y)[0], p)
        check_gradient(grads[name], numeric, f"CNN gradient of {name}", tol=1e-6)


# ------------------------------------------------------------------------ weights both ways


def test_numpy_and_torch_give_the_same_logits_on_the_same_weights():
    torch.manual_seed(0)
    model = TorchCNN().eval()  # the notebooks' default: 32 and 64 filters, 128 hidden units
    rng = np.random.default_rng(0)
    x = rng.random((5, 28, 28)).astype(np.float32)
    twin = model.as_numpy_cnn()
    logits_np, _ = twin.forward(x)
    with torch.no_grad():
        logits_t = model(torch.tensor(x)).numpy()
    np.testing.assert_allclose(logits_np, logits_t, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(twin.predict(x), logits_t.argmax(axis=1))


def test_params_round_trip_and_layout():
    numpy_model = NumpyCNN(channels=(4, 6), hidden=9, seed=3)
    model = TorchCNN.from_numpy(numpy_model)
    assert model.fc1.weight.shape == (9, 6 * 7 * 7)  # nn.Linear stores (M, D) ...
    assert numpy_model.params["fc1.w"].shape == (6 * 7 * 7, 9)  # ... NumPy (D, M)
    back = model.numpy_params()
    assert list(back) == list(numpy_model.params)
    for name in back:
        np.testing.assert_array_equal(back[name], numpy_model.params[name], err_msg=name)


def test_feature_maps_are_the_first_block_activations():
    torch.manual_seed(0)
    model = TorchCNN(channels=(5, 7), hidden=None)
    rng = np.random.default_rng(0)
    x = (rng.random((2, 28, 28)) * 255).astype(np.uint8)
    maps = model.feature_maps(x)
    assert maps.shape == (2, 5, 28, 28)
    with torch.no_grad():
        conv = model.conv1(torch.tensor(x, dtype=torch.float32)[:, None] / 255)
    np.testing.assert_allclose(maps, torch.relu(conv).numpy(), rtol=1e-6, atol=1e-6)
    assert model.feature_maps(x, layer=2).shape == (2, 7, 14, 14)


def test_batch_norm_option_trains_mode_and_has_no_numpy_twin():
    model = TorchCNN(channels=(4, 4), hidden=8, batch_norm=True)
    assert isinstance(model.bn1, torch.nn.BatchNorm2d)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    model.train()
    model.feature_maps(np.zeros((1, 28, 28)))
    assert model.training  # feature_maps puts the mode back
    with pytest.raises(ValueError, match="batch_norm=True"):
        model.numpy_params()


@pytest.mark.parametrize(
    ("kwargs", "inside", "params"),
    [
        ({}, (48, 4, 4), 219_226),  # notebook 08's MNIST network
        ({"f1": 16, "f2": 32, "hidden": 128, "kernel_size": 3, "pad": 1}, (32, 7, 7), 207_018),
    ],
)
def test_conv_net_shapes_and_parameter_counts(kwargs, inside, params):
    model = ConvNet(**kwargs)
    seen = []
    model.fc1.register_forward_pre_hook(lambda m, inputs: seen.append(inputs[0].shape))
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert seen[0] == (3, inside[0] * inside[1] * inside[2])
    assert sum(p.numel() for p in model.parameters()) == params
    assert model.conv2.in_channels == model.conv1.out_channels


def test_conv_net_is_seeded_by_the_global_generator_and_refuses_bad_sizes():
    torch.manual_seed(3)
    a = ConvNet(4, 8, 16)
    torch.manual_seed(3)
    b = ConvNet(4, 8, 16)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    with pytest.raises(ValueError, match="f2 must be an int >= 1"):
        ConvNet(f2=0)
    with pytest.raises(ValueError, match="pad must be an int >= 0"):
        ConvNet(pad=-1)
    with pytest.raises(ValueError, match="shrinks a 28 x 28 image to nothing"):
        ConvNet(kernel_size=13)


def test_uint8_images_are_scaled_like_the_torch_training_loop():
    model = NumpyCNN(channels=(2,), image_size=4, num_classes=2)
    x = np.array([[[0, 255, 51, 102]] * 4], dtype=np.uint8)
    np.testing.assert_allclose(model.prepare(x)[0, 0], x[0] / 255.0, rtol=1e-6)


# ------------------------------------------------------------------------ training


def _stripes(n, rng):
    """Class 0: a bright horizontal bar; class 1: a bright vertical bar; plus noise."""
    x = rng.random((n, 1, 12, 12)) * 0.3
    y = rng.integers(0, 2, n)
    pos = rng.integers(2, 10, n)
    for i in range(n):
        if y[i] == 0:
            x[i, 0, pos[i], :] += 1.0
        else:
            x[i, 0, :, pos[i]] += 1.0
    return x.astype(np.float32), y


def test_numpy_cnn_fit_learns_a_spatial_pattern():
    rng = np.random.default_rng(0)
    x, y = _stripes(400, rng)
    x_val, y_val = _stripes(200, rng)
    model = NumpyCNN(channels=(4, 8), image_size=12, num_classes=2, seed=0)
    seen = []
    history = model.fit(
        x, y, epochs=3, batch_size=32, lr=3e-3, x_val=x_val, y_val=y_val,
        callback=lambda h: seen.append(len(h["train_loss"])), progress=False,
    )  # fmt: skip
    assert seen == [1, 2, 3]
    assert len(history["step_loss"]) == 3 * 13
    assert history["step_loss"][-1] < history["step_loss"][0]
    assert history["val_acc"][-1] > 0.95
    assert model.accuracy(x_val, y_val) == history["val_acc"][-1]


@pytest.mark.slow
def test_numpy_cnn_reaches_95_percent_on_an_mnist_subset():
    from data_support import require_real_data

    from course_lib.data import load_mnist

    folder = require_real_data()
    x_train, y_train, x_test, y_test = load_mnist(cache_dir=folder, download=False, progress=False)
    model = NumpyCNN(seed=0)
    model.fit(x_train[:10000], y_train[:10000], epochs=2, batch_size=32, lr=2e-3, progress=False)
    assert model.accuracy(x_test, y_test) > 0.95


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("cls", [NumpyCNN, TorchCNN])
@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"channels": 8}, TypeError, r"channels must be a sequence .* got 8"),
        ({"channels": ()}, ValueError, r"at least one conv block"),
        ({"channels": (4, 0)}, ValueError, r"channels\[1\] must be a positive integer, got 0"),
        ({"kernel_size": (3, 3, 3)}, ValueError, r"one per conv block \(2\), got \(3, 3, 3\)"),
        ({"hidden": 2.5}, TypeError, r"hidden must be a positive integer"),
        ({"image_size": 3}, ValueError, r"image_size=3 is too small for 2 conv blocks"),
    ],
)
def test_bad_architecture_is_refused(cls, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        cls(**kwargs)


def test_numpy_cnn_bad_input():
    model = NumpyCNN(channels=(2,), image_size=6, num_classes=3)
    shape_error = r"x must have shape \(N, 1, 6, 6\) or \(N, S, S\), got shape \(2, 1, 6, 5\)"
    with pytest.raises(ValueError, match=shape_error):
        model.forward(np.zeros((2, 1, 6, 5)))
    with pytest.raises(ValueError, match="x contains NaN"):
        model.forward(np.full((2, 6, 6), np.nan))
    with pytest.raises(TypeError, match="x must hold numbers"):
        model.forward(np.zeros((2, 6, 6), dtype=complex))
    with pytest.raises(ValueError, match=r"y has 1 labels but there are 2 examples"):
        model.loss_and_grads(np.zeros((2, 6, 6)), np.array([1]))
    with pytest.raises(ValueError, match=r"labels in 0..2, got values from 0 to 3"):
        model.loss_and_grads(np.zeros((2, 6, 6)), np.array([0, 3]))
    with pytest.raises(ValueError, match="give both x_val and y_val"):
        model.fit(np.zeros((2, 6, 6)), np.array([0, 1]), x_val=np.zeros((2, 6, 6)))


def test_torch_cnn_bad_input_and_weights():
    model = TorchCNN(channels=(2,), hidden=None, image_size=6, num_classes=3)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 6, 6\).*got \(2, 3, 6, 6\)"):
        model(torch.zeros(2, 3, 6, 6))
    params = NumpyCNN(channels=(2,), image_size=6, num_classes=3).params
    with pytest.raises(ValueError, match=r"missing \['fc1.b'\]"):
        model.load_numpy_params({k: v for k, v in params.items() if k != "fc1.b"})
    wrong = dict(params, **{"fc1.w": params["fc1.w"].T})
    layout_error = r"params\['fc1.w'\] must have shape \(18, 3\), got \(3, 18\)"
    with pytest.raises(ValueError, match=layout_error):
        model.load_numpy_params(wrong)
    with pytest.raises(ValueError, match=r"layer must be an int from 1 to 1, got 2"):
        model.feature_maps(np.zeros((1, 6, 6)), layer=2)
    with pytest.raises(TypeError, match="must be a course_lib.numpy_nn.cnn.CNN"):
        TorchCNN.from_numpy(model)
    with pytest.raises(TypeError, match=r"x must be a torch.Tensor of images, got ndarray"):
        model(np.zeros((2, 6, 6), dtype=np.float32))
    with pytest.raises(TypeError, match=r"floating-point pixels, got dtype torch.uint8"):
        model(torch.zeros(2, 6, 6, dtype=torch.uint8))


_garbage = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.floats(allow_nan=True),
    st.lists(st.integers(-3, 300), max_size=5),
    st.builds(
        np.zeros,
        st.lists(st.integers(0, 7), max_size=5).map(tuple),
        st.sampled_from([np.float32, np.float64, np.uint8, np.int32, bool, complex, object]),
    ),
)


@given(x=_garbage, y=_garbage)
def test_garbage_gives_only_value_or_type_errors(x, y):
    model = NumpyCNN(channels=(2,), image_size=6, num_classes=3)
    for call in (lambda: model.forward(x), lambda: model.loss_and_grads(x, y)):
        try:
            call()
        except (ValueError, TypeError):
            pass


@given(x=_garbage)
def test_torch_cnn_garbage_gives_only_value_or_type_errors(x):
    model = TorchCNN(channels=(2,), hidden=None, image_size=6, num_classes=3)
    inputs = [x]
    if isinstance(x, np.ndarray) and x.dtype != object:
        inputs.append(torch.as_tensor(x))
    for value in inputs:
        for call in (model, model.feature_maps):
            try:
                call(value)
            except (ValueError, TypeError):
                pass


def test_convnet_names_bad_images_and_fit_checks_them_once():
    import pytest

    from course_lib.torch_nn.cnn import ConvNet

    net = ConvNet().eval()
    good = torch.zeros(2, 1, 28, 28)
    assert net(good).shape == (2, 10)
    with pytest.raises(ValueError, match=r"\(N, 1, 28, 28\).*x\[:, None\]"):
        net(torch.zeros(2, 28, 28))
    with pytest.raises(TypeError, match="floating-point"):
        net(torch.zeros(2, 1, 28, 28, dtype=torch.uint8))
    bad = good.clone()
    bad[1, 0, 3, 4] = float("nan")
    with pytest.raises(ValueError, match="x"):
        net(bad)
    net.check_inputs = False  # what fit does while it trains, having checked the data once
    assert torch.isnan(net(bad)).any()
