"""The training loop: it learns, records what happened, keeps the data on the device."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from course_lib.torch_nn.train import (
    History,
    LiveLossPlot,
    as_device_tensors,
    evaluate,
    fit,
    predict,
    predict_proba,
)


def blobs(n=200, seed=0):
    """Two well-separated 2-D Gaussian blobs: a tiny problem any classifier solves."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = rng.normal(size=(n, 2)).astype(np.float32) + 4.0 * (2 * y[:, None] - 1)
    return x, y


def tiny_images(n=64, seed=0):
    """uint8 8x8 'images': class 1 is bright on the left half, class 0 on the right half."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    x = rng.integers(0, 40, size=(n, 8, 8)).astype(np.uint8)
    for i, label in enumerate(y):
        cols = slice(0, 4) if label == 1 else slice(4, 8)
        x[i, :, cols] += 200
    return x, y


def small_mlp(d=2, k=2):
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(d, 16), nn.ReLU(), nn.Linear(16, k))


def small_cnn():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Unflatten(1, (1, 8)),  # (N, 8, 8) -> (N, 1, 8, 8)
        nn.Conv2d(1, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 2),
    )


def test_learns_a_separable_problem(device):
    x, y = blobs()
    model = small_mlp()
    before = evaluate(model, x, y, device=device)
    history = fit(model, x, y, epochs=5, batch_size=32, lr=0.05, device=device, progress=False)
    after = evaluate(model, x, y, device=device)
    assert after["accuracy"] == 1.0, after
    assert after["loss"] < before["loss"] / 5
    assert history.step_loss[-1] < history.step_loss[0]


def test_history_shapes_and_validation(device):
    x, y = blobs(n=100)
    xv, yv = blobs(n=40, seed=1)
    h = fit(
        small_mlp(), x, y, epochs=3, batch_size=32, lr=0.01, device=device,
        x_val=xv, y_val=yv, progress=False,
    )  # fmt: skip
    assert isinstance(h, History)
    assert h.steps_per_epoch == 4  # ceil(100 / 32)
    assert len(h.step_loss) == len(h.lr) == 3 * 4
    assert len(h.train_loss) == len(h.train_acc) == len(h.val_loss) == len(h.val_acc) == 3
    assert len(h.epoch_seconds) == 3 and h.seconds >= h.train_seconds > 0
    assert h.epochs == 3
    assert h.device.startswith(torch.device(device).type)
    assert all(0.0 <= a <= 1.0 for a in h.train_acc + h.val_acc)
    # the per-epoch training loss is the mean of that epoch's step losses
    np.testing.assert_allclose(h.train_loss[0], np.mean(h.step_loss[:4]), rtol=1e-5)
    assert set(h.as_dict()) >= {"step_loss", "train_loss", "val_acc", "seconds", "device"}


def test_no_validation_gives_empty_lists(device):
    x, y = blobs(n=50)
    h = fit(small_mlp(), x, y, epochs=2, batch_size=50, lr=0.01, device=device, progress=False)
    assert h.val_loss == [] and h.val_acc == []


def test_drop_last_skips_the_short_batch():
    x, y = blobs(n=100)
    h = fit(small_mlp(), x, y, epochs=1, batch_size=32, lr=0.01, drop_last=True, progress=False)
    assert h.steps_per_epoch == 3


def test_evaluate_predict_and_predict_proba_agree(device):
    x, y = blobs(n=120)
    model = small_mlp()
    fit(model, x, y, epochs=2, batch_size=16, lr=0.05, device=device, progress=False)
    proba = predict_proba(model, x, batch_size=7, device=device)
    labels = predict(model, x, batch_size=50, device=device)
    assert proba.shape == (120, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    metrics = evaluate(model, x, y, batch_size=33, device=device)
    assert metrics["accuracy"] == pytest.approx(np.mean(labels == y))
    expected_loss = -np.mean(np.log(proba[np.arange(120), y]))
    assert metrics["loss"] == pytest.approx(expected_loss, rel=1e-4)


def test_uint8_images_are_scaled_once_and_a_cnn_learns(device):
    x, y = tiny_images()
    xt = as_device_tensors(x, device=device)
    assert xt.dtype == torch.float32 and xt.device.type == torch.device(device).type
    assert float(xt.max()) <= 1.0 and float(xt.max()) > 0.8
    np.testing.assert_allclose(xt.cpu().numpy(), x / 255.0, rtol=1e-6)
    model = small_cnn()
    fit(model, x, y, epochs=8, batch_size=16, lr=0.02, device=device, progress=False)
    assert evaluate(model, x, y)["accuracy"] >= 0.95


def test_same_seed_same_result():
    x, y = blobs(n=80)
    h1 = fit(small_mlp(), x, y, epochs=2, batch_size=16, lr=0.01, seed=3, progress=False)
    h2 = fit(small_mlp(), x, y, epochs=2, batch_size=16, lr=0.01, seed=3, progress=False)
    h3 = fit(small_mlp(), x, y, epochs=2, batch_size=16, lr=0.01, seed=4, progress=False)
    assert h1.step_loss == h2.step_loss
    assert h1.step_loss != h3.step_loss  # another permutation of the batches


class CountTransfers(TorchFunctionMode):
    """Counts calls that create tensors from host data or move tensors between devices."""

    NAMES = {"to", "cpu", "cuda", "numpy", "from_numpy", "as_tensor", "tensor", "pin_memory"}

    def __init__(self):
        super().__init__()
        self.calls = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in self.NAMES:
            self.calls.append(name)
        return func(*args, **(kwargs or {}))


def test_no_per_batch_host_copies(device):
    """The number of transfers does not grow with the number of batches."""
    x, y = blobs(n=256)
    counts = []
    for batch_size in (128, 8):  # 2 and 32 steps per epoch
        with CountTransfers() as mode:
            fit(small_mlp(), x, y, epochs=1, batch_size=batch_size, lr=0.01, device=device,
                progress=False)  # fmt: skip
        counts.append(len(mode.calls))
    assert counts[0] == counts[1], counts
    # a handful of one-off moves (data, labels, optimiser state), far fewer than 32 batches
    assert counts[0] < 16, counts


def test_batches_are_device_tensors_sliced_from_the_resident_data(device):
    x, y = blobs(n=64)
    model = small_mlp()
    seen = []
    model.register_forward_pre_hook(lambda m, inp: seen.append((inp[0].device, inp[0].shape)))
    fit(model, x, y, epochs=1, batch_size=16, lr=0.01, device=device, progress=False)
    assert len(seen) == 4
    assert all(d.type == torch.device(device).type and s == (16, 2) for d, s in seen)


def test_callback_sees_growing_history():
    x, y = blobs(n=100)
    lengths = []
    fit(
        small_mlp(), x, y, epochs=2, batch_size=10, lr=0.01, progress=False, log_every=4,
        callback=lambda h: lengths.append(len(h.step_loss)),
    )  # fmt: skip
    # every 4 steps (4, 8 in each 10-step epoch) and after each epoch
    assert lengths == [4, 8, 10, 14, 18, 20]


def test_onecycle_schedule_warms_up_then_anneals():
    x, y = blobs(n=200)
    h = fit(small_mlp(), x, y, epochs=2, batch_size=10, lr=0.1, schedule="onecycle",
            progress=False)  # fmt: skip
    peak = int(np.argmax(h.lr))
    assert h.lr[0] == pytest.approx(0.1 / 25)
    assert max(h.lr) == pytest.approx(0.1, rel=1e-3)
    assert 0.2 * len(h.lr) < peak < 0.4 * len(h.lr)
    assert h.lr[-1] < h.lr[0]


def test_progress_bar_writes_only_when_asked(capsys):
    x, y = blobs(n=40)
    fit(small_mlp(), x, y, epochs=1, batch_size=10, lr=0.01, progress=False)
    assert capsys.readouterr().err == ""
    fit(small_mlp(), x, y, epochs=1, batch_size=10, lr=0.01, progress=True)
    assert "training" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"batch_size": -1}, ValueError, "batch_size"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"lr": float("nan")}, ValueError, "lr"),
        ({"optimizer": "adamm"}, ValueError, "adam"),
        ({"optimizer": 3}, TypeError, "optimizer"),
        ({"schedule": "cosine"}, ValueError, "onecycle"),
        ({"autocast": "fp16"}, ValueError, "bf16"),
        ({"device": 3}, TypeError, "device"),
        ({"device": "tpu"}, ValueError, "cuda"),
        ({"x_val": np.zeros((3, 2), np.float32)}, ValueError, "y_val"),
        ({"callback": "plot"}, TypeError, "callback"),
        ({"loss": "mse"}, ValueError, "cross_entropy"),
        ({"seed": "a"}, TypeError, "seed"),
        ({"drop_last": True, "batch_size": 1000}, ValueError, "drop_last"),
    ],
)
def test_bad_options_are_explained(kwargs, error, words):
    x, y = blobs(n=20)
    args = {"epochs": 1, "batch_size": 8, "lr": 0.01, "progress": False} | kwargs
    with pytest.raises(error, match=words):
        fit(small_mlp(), x, y, **args)


@pytest.mark.parametrize(
    ("x", "y", "error", "words"),
    [
        (np.zeros((10, 2), np.float32), np.zeros(9, int), ValueError, "9 labels but there are 10"),
        (np.zeros(10, np.float32), np.zeros(10, int), ValueError, r"\(N, \.\.\.\)"),
        (np.full((10, 2), np.nan, np.float32), np.zeros(10, int), ValueError, "NaN"),
        (np.array([["a", "b"]] * 10), np.zeros(10, int), TypeError, "numbers"),
        (np.zeros((10, 2), np.float32), np.full(10, 0.5), ValueError, "whole-number"),
        (np.zeros((10, 2), np.float32), -np.ones(10, int), ValueError, "negative"),
        (np.zeros((10, 2), np.float32), np.zeros((10, 1), int), ValueError, r"shape \(N,\)"),
        ("images", np.zeros(10, int), TypeError, "NumPy array"),
        (np.zeros((0, 2), np.float32), np.zeros(0, int), ValueError, "empty"),
    ],
)
def test_bad_data_is_explained(x, y, error, words):
    with pytest.raises(error, match=words):
        fit(small_mlp(), x, y, epochs=1, batch_size=4, lr=0.01, progress=False)


def test_model_must_be_a_module():
    x, y = blobs(n=10)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        fit(lambda t: t, x, y, epochs=1, batch_size=4, lr=0.01)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        evaluate("model", x, y)


def test_divergence_is_reported_with_advice():
    x, y = blobs(n=64)
    x = x * 1e6  # with lr=1e3 the loss explodes
    with pytest.raises(FloatingPointError, match="learning rate"):
        fit(small_mlp(), x, y, epochs=3, batch_size=8, lr=1e3, optimizer="sgd", progress=False)


def test_live_loss_plot_is_silent_outside_a_notebook():
    x, y = blobs(n=60)
    plot = LiveLossPlot()
    assert plot.enabled is False
    fit(small_mlp(), x, y, epochs=2, batch_size=10, lr=0.01, progress=False, callback=plot)
    assert plot.draws == 0 and plot.png() == b""


def test_live_loss_plot_redraws_one_figure_when_enabled():
    x, y = blobs(n=60)
    xv, yv = blobs(n=20, seed=1)
    plot = LiveLossPlot(enabled=True, min_interval=0.0)
    fit(small_mlp(), x, y, epochs=2, batch_size=10, lr=0.01, progress=False, callback=plot,
        x_val=xv, y_val=yv, log_every=3)  # fmt: skip
    assert plot.draws >= 2
    first_fig = plot._fig
    png = plot.png()
    assert png.startswith(b"\x89PNG")
    assert plot._raw.get_xdata().size == 12  # every step is on the curve
    assert plot._val.get_xdata().tolist() == [6, 12]  # validation loss at each epoch end
    assert plot._fig is first_fig  # the same figure, updated in place


def test_live_loss_plot_draws_a_numpy_mlp_history_without_a_validation_entry():
    from course_lib.numpy_nn.mlp import MLP as NumpyMLP

    x, y = blobs(n=60)
    plot = LiveLossPlot(enabled=True, min_interval=0.0)
    history = NumpyMLP([x.shape[1], 8, 3], seed=0).fit(
        x, y, epochs=2, batch_size=10, lr=0.01, progress=False, callback=plot, callback_every=3
    )
    assert plot.draws >= 2
    assert plot._raw.get_xdata().size == len(history.step_loss)
    labels = [t.get_text() for t in plot._ax.get_legend().get_texts()]
    assert not any("validation" in label for label in labels)  # no validation data, no entry


def test_live_loss_plot_keeps_drawing_to_a_small_share_of_the_run(monkeypatch):
    import types

    import course_lib.torch_nn.train as train_module

    x, y = blobs(n=60)
    history = fit(small_mlp(), x, y, epochs=1, batch_size=10, lr=0.01, progress=False)
    clock = [0.0]  # a simulated clock, so the test means the same on a busy machine
    monkeypatch.setattr(train_module, "time", types.SimpleNamespace(perf_counter=lambda: clock[0]))
    plot = LiveLossPlot(enabled=True, min_interval=0.0, max_share=0.1)
    drawing = []

    def slow_show():  # a renderer that takes 20 ms, like a big figure on a slow core
        clock[0] += 0.02
        drawing.append(0.02)

    plot._show = slow_show
    while clock[0] < 10.0:  # a training loop reporting every 2 ms for 10 s
        plot(history)
        clock[0] += 0.002
    assert plot.draws >= 10  # it does redraw...
    assert sum(drawing) <= 0.11 * clock[0]  # ...but not at the loop's expense


def test_live_loss_plot_rejects_a_share_outside_zero_to_one():
    with pytest.raises(ValueError, match="max_share"):
        LiveLossPlot(max_share=0)
    with pytest.raises(ValueError, match="max_share"):
        LiveLossPlot(max_share=1.5)
