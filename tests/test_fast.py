"""The fast path of notebook 10 runs through the course's own fit; the benchmark script works.

Speed is not tested here (a shared CPU makes timings meaningless); the CUDA-only options are
exercised with their CPU semantics, and on a GPU through the ``device`` fixture.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from course_lib.torch_nn import fast, train
from course_lib.torch_nn.fast import (
    FastRecipe,
    RunResult,
    fast_cnn,
    peak_flops,
    train_once,
    training_flops,
    warm_up,
)

ROOT = Path(__file__).resolve().parents[1]


def tiny_digits(n=256, seed=0):
    """Random uint8 28x28 'digits' whose class is written as a bright row (easy to learn)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    x = rng.integers(0, 30, size=(n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        x[i, 4 + 2 * label, 4:24] = 255
    return x, y


def test_cpu_recipe_switches_gpu_tricks_off_and_cuda_recipe_on():
    cpu = FastRecipe.for_device("cpu")
    assert cpu.autocast is None and cpu.compile is False and cpu.fused is False
    assert cpu.schedule == "onecycle" and cpu.epochs == 1
    gpu = FastRecipe.for_device(torch.device("cuda"))  # only reads the device type
    assert gpu.autocast == "bf16" and gpu.compile and gpu.fused and gpu.channels_last
    assert gpu.drop_last  # equal batch shapes for compiled code
    assert gpu.batch_size > cpu.batch_size


def test_recipe_is_frozen_and_its_kwargs_are_fit_arguments():
    recipe = FastRecipe()
    with pytest.raises(AttributeError):
        recipe.lr = 1.0
    kwargs = recipe.fit_kwargs()
    assert "channels" not in kwargs and "hidden" not in kwargs
    import inspect

    assert set(kwargs) <= set(inspect.signature(train.fit).parameters)


def test_fast_cnn_shapes_and_seed():
    model = fast_cnn(FastRecipe(channels=(4, 8), hidden=16), seed=1)
    out = model(torch.zeros(3, 1, 28, 28))
    assert out.shape == (3, 10)
    again = fast_cnn(FastRecipe(channels=(4, 8), hidden=16), seed=1)
    other = fast_cnn(FastRecipe(channels=(4, 8), hidden=16), seed=2)
    w = model.conv1.weight
    assert torch.equal(w, again.conv1.weight) and not torch.equal(w, other.conv1.weight)


def test_train_once_uses_fit_and_learns(device, monkeypatch):
    calls = []
    real_fit = fast.fit

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(fast, "fit", spy)
    x, y = tiny_digits(512)
    recipe = FastRecipe(channels=(4, 8), hidden=32, epochs=3, batch_size=64, lr=1e-2)
    result = train_once(x, y, x[:128], y[:128], recipe=recipe, device=device, seed=0)
    assert isinstance(result, RunResult)
    assert len(calls) == 1 and calls[0]["schedule"] == "onecycle" and calls[0]["seed"] == 0
    assert result.train_s == pytest.approx(sum(result.history.epoch_seconds))
    assert result.test_acc >= 0.9, result.test_acc
    assert result.history.steps_per_epoch == 8


def test_gpu_options_have_working_cpu_semantics():
    """channels-last, bf16 autocast, fused Adam and drop_last through the same fit on a CPU."""
    x, y = tiny_digits(256)
    recipe = FastRecipe(
        channels=(4, 8),
        hidden=32,
        epochs=3,
        batch_size=64,
        lr=1e-2,
        channels_last=True,
        autocast="bf16",
        fused=True,
        drop_last=True,
    )
    seen = []
    model = fast_cnn(recipe)
    model.conv1.register_forward_pre_hook(lambda m, inp: seen.append(inp[0]))
    h = train.fit(model, x[:, None], y, device="cpu", progress=False, **recipe.fit_kwargs())
    assert h.steps_per_epoch == 4
    assert seen[0].is_contiguous(memory_format=torch.channels_last)
    assert model.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    assert model.conv1.weight.dtype == torch.float32  # autocast keeps the weights in float32
    assert all(np.isfinite(h.step_loss)) and h.step_loss[-1] < h.step_loss[0]


def test_compile_option_compiles_the_training_model(monkeypatch):
    compiled = []

    def fake_compile(model, mode=None, dynamic=None):
        compiled.append((mode, dynamic))
        return model

    monkeypatch.setattr(torch, "compile", fake_compile)
    x, y = tiny_digits(64)
    train.fit(
        fast_cnn(FastRecipe(channels=(2, 4), hidden=8)),
        x[:, None],
        y,
        epochs=1,
        batch_size=32,
        lr=1e-3,
        compile="reduce-overhead",
        progress=False,
    )
    assert compiled == [("reduce-overhead", False)]


def test_warm_up_reports_its_time():
    x, y = tiny_digits(128)
    seconds = warm_up(x, y, recipe=FastRecipe(channels=(2, 4), hidden=8, batch_size=32), n=64)
    assert seconds > 0


def test_training_flops_scale_with_epochs_and_width():
    small = training_flops(FastRecipe(channels=(4, 8), hidden=16), n_train=1000)
    assert small > 0
    two = training_flops(FastRecipe(channels=(4, 8), hidden=16, epochs=2), n_train=1000)
    assert two == pytest.approx(2 * small)
    wide = training_flops(FastRecipe(channels=(8, 16), hidden=16), n_train=1000)
    assert wide > 2 * small
    # conv1 forward alone: 24*24 outputs x F1 filters x 25 multiply-adds (2 FLOPs) per image
    assert small > 1000 * 2 * 24 * 24 * 4 * 25


def test_peak_flops_knows_the_h100():
    assert peak_flops("cuda (NVIDIA H100 80GB HBM3)", bf16=True) == pytest.approx(989e12)
    assert peak_flops("cuda (NVIDIA H100 PCIe)", bf16=False) == pytest.approx(51e12)
    assert peak_flops("cpu (2 threads)", bf16=False) is None


def _load_benchmark():
    path = ROOT / "benchmarks" / "gpu_time_to_99.py"
    spec = importlib.util.spec_from_file_location("gpu_time_to_99", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_in_a_tiny_configuration(monkeypatch):
    bench = _load_benchmark()
    # a small recipe so the smoke test is quick; the real one is FastRecipe.for_device
    small = FastRecipe(channels=(2, 4), hidden=8, batch_size=64)
    monkeypatch.setattr(fast.FastRecipe, "for_device", classmethod(lambda cls, d: small))
    x, y = tiny_digits(256)
    lines = []
    summary = bench.run(
        (x, y, x[:64], y[:64]), device="cpu", seeds=2, baseline_steps=2, out=lines.append
    )
    json.dumps(summary)  # the final line must be valid JSON
    for key in (
        "device",
        "median_train_s",
        "mean_test_acc",
        "seeds",
        "baseline_median_train_s",
        "ratio",
        "warmup_s",
    ):
        assert key in summary, key
    assert summary["device"].startswith("cpu") and summary["seeds"] == 2
    assert len(summary["train_s"]) == 2
    assert summary["median_train_s"] == pytest.approx(np.median(summary["train_s"]), abs=1e-3)
    ratio = summary["baseline_median_train_s"] / summary["median_train_s"]
    assert summary["ratio"] == pytest.approx(ratio, rel=0.01)
    assert summary["baseline_test_acc"] == [None]  # extrapolated: no accuracy claimed
    assert "extrapolated" in summary["baseline_note"]
    assert any(line.startswith("fast     seed 1") for line in lines)
    assert any("baseline seed 0" in line and "extrapolated" in line for line in lines)


def test_baseline_until_target_on_an_easy_problem():
    bench = _load_benchmark()
    x, y = tiny_digits(256)
    b = bench.baseline_run(x, y, x[:64], y[:64], device=torch.device("cpu"), max_epochs=2)
    assert b["extrapolated"] is False and b["epochs"] <= 2 and b["steps"] == b["epochs"] * 4
    assert 0.0 <= b["test_acc"] <= 1.0
