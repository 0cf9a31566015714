"""The benchmark scripts run and report every key; their speed is not judged here.

``benchmarks/cpu_speed.py`` in its ``--tiny`` configuration, ``benchmarks/gpu_time_to_99.py``
in its ``--smoke`` mode (a sliver of MNIST, a tiny network: a check of the script, whose
numbers mean nothing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "cpu_speed.py"
KEYS = {
    "mlp_step_ratio",
    "conv_ratio",
    "conv_fast_vs_naive",
    "numpy_mlp_test_acc",
    "numpy_mlp_seconds",
    "machine",
}


@pytest.fixture(scope="module")
def cpu_speed():
    spec = importlib.util.spec_from_file_location("cpu_speed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["cpu_speed"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules["cpu_speed"]


def _fake_mnist(rng):
    """Random uint8 'images' whose label is written into the brightness of one pixel row."""

    def make(n):
        y = rng.integers(0, 10, n)
        x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        x[np.arange(n), 2 * y + 3, :] = 255  # a learnable signal
        return x, y

    return (*make(600), *make(200))


def test_tiny_run_reports_every_key_with_consistent_numbers(cpu_speed):
    results = cpu_speed.run(cpu_speed.TINY, _fake_mnist(np.random.default_rng(0)))
    assert KEYS <= set(results)
    assert results["conv_ratio"] == pytest.approx(
        results["conv_numpy_ms"] / results["conv_torch_ms"]
    )
    assert results["mlp_step_ratio"] == pytest.approx(
        results["mlp_step_numpy_ms"] / results["mlp_step_torch_ms"]
    )
    assert results["conv_fast_vs_naive"] == pytest.approx(
        results["conv_naive_ms"] / results["conv_fast_ms"]
    )
    assert 0.0 <= results["numpy_mlp_test_acc"] <= 1.0
    assert results["numpy_mlp_test_acc"] > 0.5  # the signal is easy: training really ran
    assert results["numpy_mlp_seconds"] > 0
    assert results["numpy_mlp_train_images"] == 600
    for key in ("cpu_model", "cpu_cores", "torch_threads", "numpy_blas", "load_average"):
        assert key in results["machine"]
    assert set(results["targets_met"]) == set(cpu_speed.TARGETS)

    table = cpu_speed.format_table(results)
    assert "conv fwd+bwd, both layers" in table and "NumPy MLP on MNIST" in table
    line = json.dumps(results)  # what main prints last: it must be valid JSON
    assert json.loads(line)["conv_ratio"] == results["conv_ratio"]


def test_median_times_calls_each_function_alternately(cpu_speed):
    calls = []
    times = cpu_speed.median_times([lambda: calls.append("a"), lambda: calls.append("b")], 3)
    assert calls == ["a", "b"] + ["a", "b"] * 3  # one warm-up each, then alternating
    assert len(times) == 2 and all(t >= 0 for t in times)


def test_script_runs_end_to_end_and_ends_with_a_json_line(tmp_path):
    from data_support import require_real_data

    folder = require_real_data()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--tiny"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COURSE_LIB_DATA": str(folder)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    *table, last = result.stdout.strip().splitlines()
    summary = json.loads(last)
    assert KEYS <= set(summary)
    assert any("conv naive vs fast" in line for line in table)


def test_time_to_99_smoke_run_says_so_and_ends_with_a_json_line(tmp_path):
    """A smoke run of the time-to-99% benchmark: seconds, labelled, valid JSON at the end."""
    from data_support import require_real_data

    folder = require_real_data()
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "gpu_time_to_99.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COURSE_LIB_DATA": str(folder), "COURSE_THREADS": "1"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    *lines, last = result.stdout.strip().splitlines()
    assert lines[0].startswith("SMOKE RUN") and "mean nothing" in lines[0]
    summary = json.loads(last)
    assert summary["smoke"] is True and summary["device"].startswith("cpu")
    assert summary["baseline_extrapolated"] and summary["ratio_is_lower_bound"]
    for key in ("median_train_s", "mean_test_acc", "warmup_s", "ratio", "eval_s"):
        assert key in summary, key
    assert any(line.startswith("warm-up") for line in lines)
