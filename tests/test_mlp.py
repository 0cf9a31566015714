"""The MLP: backprop checked numerically, equal to the PyTorch twin, and it learns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.crosscheck import assert_numpy_matches_torch
from course_lib.numpy_nn.activations import ACTIVATIONS
from course_lib.numpy_nn.gradcheck import check_gradient, numerical_gradient
from course_lib.numpy_nn.mlp import MLP, History
from course_lib.numpy_nn.optim import Adam
from course_lib.torch_nn.mlp import MLP as TorchMLP

fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
ACTS = ["relu", "leaky_relu", "tanh", "sigmoid"]


@pytest.mark.parametrize("activation", ACTS)
def test_loss_and_grads_match_numerical_gradient(activation):
    rng = np.random.default_rng(0)
    model = MLP([4, 5, 3, 3], activation=activation, seed=1, dtype=np.float64)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    _, grads = model.loss_and_grads(x, y)
    assert set(grads) == set(model.params)
    for name, p in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(x, y), p)
        check_gradient(grads[name], numeric, name=f"{activation} {name}", tol=1e-6)


@fixture_ok
@given(
    sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    n=st.integers(1, 5),
    activation=st.sampled_from(ACTS),
    seed=st.integers(0, 2**16),
)
def test_forward_and_input_gradient_match_torch_twin(device, sizes, n, activation, seed):
    model = MLP(sizes, activation=activation, seed=seed, dtype=np.float64)
    twin = TorchMLP(sizes, activation=activation, seed=seed, dtype=torch.float64, device=device)
    x = np.random.default_rng(seed).standard_normal((n, sizes[0]))

    def numpy_fn(x):
        # the MLP's own backward skips the data gradient; here we carry it down to x
        logits, cache = model.forward(x)

        def back(dout):
            _, act_backward = ACTIVATIONS[activation]
            dh = dout
            for i in range(model.num_layers, 0, -1):
                lin_cache, act_cache = cache[i - 1]
                if act_cache is not None:
                    dh = act_backward(dh, act_cache)
                dh = dh @ lin_cache[1].T
            return (dh,)

        return logits, back

    assert_numpy_matches_torch(numpy_fn, twin, [x], device=device, name=f"MLP {activation}")


@pytest.mark.parametrize("activation", ACTS)
def test_parameter_gradients_equal_autograd(device, activation):
    rng = np.random.default_rng(2)
    model = MLP([5, 7, 4], activation=activation, seed=3, dtype=np.float64)
    twin = TorchMLP([5, 7, 4], activation=activation, seed=3, dtype=torch.float64, device=device)
    x, y = rng.standard_normal((8, 5)), rng.integers(0, 4, 8)
    loss, grads = model.loss_and_grads(x, y)
    tloss = torch.nn.functional.cross_entropy(
        twin(torch.tensor(x, device=device)), torch.tensor(y, device=device)
    )
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-10)
    for i, lin in enumerate(twin.linears, start=1):
        np.testing.assert_allclose(grads[f"W{i}"], lin.weight.grad.cpu().numpy().T, rtol=1e-9)
        np.testing.assert_allclose(grads[f"b{i}"], lin.bias.grad.cpu().numpy(), rtol=1e-9)


def test_param_layout_round_trip():
    model = MLP([3, 4, 2], seed=5)
    assert {k: v.shape for k, v in model.params.items()} == {
        "W1": (3, 4),
        "b1": (4,),
        "W2": (4, 2),
        "b2": (2,),
    }
    assert all(v.dtype == np.float32 for v in model.params.values())
    twin = TorchMLP([3, 4, 2], seed=0)
    twin.load_numpy_params(model.params)
    assert twin.linears[0].weight.shape == (4, 3)  # nn.Linear keeps (M, D)
    back = twin.numpy_params()
    for k, v in model.params.items():
        np.testing.assert_array_equal(back[k], v)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(
        twin(torch.tensor(x)).detach().numpy(), model.forward(x)[0], rtol=1e-5, atol=1e-6
    )
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(4, 3\)"):
        twin.load_numpy_params({**model.params, "W1": model.params["W1"].T})


def test_same_seed_same_weights_different_seed_different():
    a, b, c = MLP([3, 4, 2], seed=1), MLP([3, 4, 2], seed=1), MLP([3, 4, 2], seed=2)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def _spirals(n=300, seed=0):
    rng = np.random.default_rng(seed)
    k = np.arange(n) % 3
    r = rng.uniform(0.1, 1, n)
    t = 4 * r + k * 2 * np.pi / 3 + rng.normal(0, 0.1, n)
    return np.c_[r * np.cos(t), r * np.sin(t)].astype(np.float32), k


def test_fit_learns_spirals_and_reports_history():
    x, y = _spirals()
    model = MLP([2, 64, 3], seed=0)
    calls = []
    hist = model.fit(
        x,
        y,
        epochs=60,
        batch_size=32,
        lr=1e-2,
        x_val=x,
        y_val=y,
        callback=lambda h: calls.append(len(h.step_loss)),
        callback_every=50,
        progress=False,
    )
    assert isinstance(hist, History)
    steps_per_epoch = -(-len(x) // 32)
    assert len(hist.step_loss) == 60 * steps_per_epoch
    assert hist.epochs == len(hist.val_acc) == len(hist.epoch_train_acc) == 60
    assert len(calls) == 60 + (60 * steps_per_epoch) // 50
    assert hist.epoch_train_loss[-1] < 0.5 * hist.epoch_train_loss[0]
    assert hist.val_acc[-1] == pytest.approx(model.accuracy(x, y))
    assert model.accuracy(x, y) > 0.95
    assert hist.seconds >= sum(hist.epoch_seconds) * 0.99
    proba = model.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(proba.argmax(axis=1), model.predict(x))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "gd"])
def test_fit_with_other_optimizers_lowers_the_loss(optimizer):
    x, y = _spirals(seed=1)
    model = MLP([2, 32, 3], activation="tanh", seed=0)
    before = model.loss(x, y)
    model.fit(x, y, epochs=20, batch_size=64, lr=0.1, optimizer=optimizer, progress=False)
    assert model.loss(x, y) < 0.8 * before


def test_fit_accepts_an_optimizer_built_on_its_params():
    x, y = _spirals(seed=2)
    model = MLP([2, 16, 3], seed=0)
    opt = Adam(model.params, lr=1e-2)
    model.fit(x, y, epochs=2, batch_size=64, optimizer=opt, progress=False)
    assert opt.t == 2 * -(-len(x) // 64)
    with pytest.raises(ValueError, match="this model's params"):
        model.fit(x, y, epochs=1, optimizer=Adam({"w": np.zeros(2)}), progress=False)


_TRAIN_ON_MNIST = """
import json, time
import numpy as np
from course_lib.data import load_mnist
from course_lib.numpy_nn.mlp import MLP

xtr, ytr, xte, yte = load_mnist(download=False, progress=False)
flat = lambda a: a.reshape(len(a), -1).astype(np.float32) / np.float32(255)
model = MLP([784, 256, 10], seed=0)
start = time.perf_counter()
hist = model.fit(flat(xtr), ytr, epochs=3, batch_size=128, lr=2e-3, progress=False, seed=0)
seconds = time.perf_counter() - start
print(json.dumps({"acc": model.accuracy(flat(xte), yte), "seconds": seconds,
                  "epochs": hist.epochs, "first_loss": hist.step_loss[0]}))
"""


@pytest.mark.slow
def test_mlp_reaches_97_percent_on_full_mnist():
    root = Path(os.environ.get("COURSE_LIB_DATA", "/work/shared/data"))
    if not (root / "mnist" / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"MNIST not found under {root}; set COURSE_LIB_DATA to the data folder")
    # One BLAS thread: on a busy 2-core machine OpenBLAS's spinning worker threads make
    # small matrix products up to 10x slower; one thread is as fast when the machine is idle.
    env = {**os.environ, "COURSE_LIB_DATA": str(root), "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, "-c", _TRAIN_ON_MNIST],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    print(
        f"NumPy MLP 784-256-10 on MNIST: test accuracy {result['acc']:.4f} "
        f"in {result['seconds']:.1f} s of training"
    )
    assert result["epochs"] == 3
    assert result["acc"] >= 0.97


def test_fit_shows_a_progress_bar_only_when_asked(capsys):
    x, y = _spirals(n=64)
    MLP([2, 8, 3], seed=0).fit(x, y, epochs=2, batch_size=32, progress=False)
    assert "MLP.fit" not in capsys.readouterr().err
    MLP([2, 8, 3], seed=0).fit(x, y, epochs=2, batch_size=32, progress=True)
    err = capsys.readouterr().err
    assert "MLP.fit" in err and "4/4" in err
