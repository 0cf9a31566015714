"""The matrix-multiply throughput measurement of 01_why_deep_learning."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.throughput import (
    ThroughputResult,
    Timing,
    available_backends,
    describe_throughput,
    flops_to_seconds,
    matmul_flops,
    measure_matmul_throughput,
    plot_throughput,
)


def test_matmul_flops_counts_multiplies_and_adds():
    assert matmul_flops(3) == 2 * 27
    assert matmul_flops(2, 3, 4) == 2 * 2 * 3 * 4
    with pytest.raises(ValueError, match="positive"):
        matmul_flops(0)
    with pytest.raises(TypeError, match="positive integer"):
        matmul_flops(2.5)


def test_measurement_times_every_backend_and_size():
    result = measure_matmul_throughput([16, 64], repeats=2, backends=["numpy", "torch-cpu"])
    assert result.backends == ["numpy", "torch-cpu"]
    assert len(result.timings) == 4
    for t in result.timings:
        assert t.seconds > 0 and np.isfinite(t.gflops) and t.gflops > 0
        assert 1 <= t.repeats <= 2
    sizes, rates = result.series("numpy")
    assert sizes.tolist() == [16, 64] and rates.shape == (2,)


def test_a_timer_of_your_own_replaces_the_built_in_loop():
    seen = []

    def timer(fn, repeats, number):
        seen.append((repeats, number))
        fn()
        return 0.5  # seconds per call

    result = measure_matmul_throughput([16, 32], repeats=3, backends=["numpy"], timer=timer)
    assert [t.seconds for t in result.timings] == [0.5, 0.5]
    assert [t.repeats for t in result.timings] == [3, 3]
    assert all(r == 3 and 1 <= number <= 1000 for r, number in seen) and len(seen) == 2
    assert result.timings[0].gflops == pytest.approx(matmul_flops(16) / 0.5 / 1e9)


def test_a_timer_of_your_own_must_return_seconds():
    with pytest.raises(TypeError, match="timer must be a function"):
        measure_matmul_throughput([8], backends=["numpy"], timer=0.5)
    with pytest.raises(TypeError, match="number of seconds"):
        measure_matmul_throughput([8], backends=["numpy"], timer=lambda fn, r, n: [0.1])
    with pytest.raises(ValueError, match="positive number of seconds"):
        measure_matmul_throughput([8], backends=["numpy"], timer=lambda fn, r, n: float("nan"))


def test_time_budget_cuts_the_repeats_short():
    result = measure_matmul_throughput([128], repeats=50, backends=["numpy"], budget_s=1e-9)
    assert result.timings[0].repeats == 1  # the budget ran out after the first timed run


def test_the_fastest_repeat_is_kept_and_backends_are_timed_one_after_the_other(monkeypatch):
    import course_lib.throughput as throughput

    clock = iter(range(1000))  # every perf_counter() call is one second later
    monkeypatch.setattr(throughput.time, "perf_counter", lambda: float(next(clock)))
    delays = iter([0.0, 5.0, 0.0, 0.0])  # warm-up, slow repeat, two fast repeats
    calls = []

    def product():
        calls.append(1)
        for _ in range(int(next(delays))):  # a slow call reads the clock a few more times
            next(clock)

    seconds, taken = throughput._best_time(product, repeats=3, budget_s=100.0)
    assert taken == 3
    assert seconds == 1.0  # the fast repeats took one tick; the slow one took six

    order = []
    monkeypatch.setattr(
        throughput, "_best_time", lambda fn, repeats, budget_s: (order.append(fn()) or 1.0, 1)
    )
    monkeypatch.setattr(
        throughput, "_runner", lambda backend: (lambda n, seed: lambda: (backend, n), backend)
    )
    monkeypatch.setattr(throughput.time, "sleep", lambda s: order.append(("pause", s)))
    throughput.measure_matmul_throughput([8, 4], backends=["numpy", "torch-cpu"])
    assert order == [
        ("numpy", 4),
        ("numpy", 8),
        ("pause", throughput.SETTLE_S),
        ("torch-cpu", 4),
        ("torch-cpu", 8),
    ]


def test_available_backends_always_has_the_cpu(device):
    backends = available_backends()
    assert backends[:2] == ["numpy", "torch-cpu"]
    if device != "cpu":
        assert f"torch-{device}" in backends


def test_each_torch_device_is_measured(device):
    backend = f"torch-{device}"  # on a GPU machine this times the GPU, synchronised
    result = measure_matmul_throughput([256], repeats=2, backends=[backend])
    assert result.backends == [backend] and result.timings[0].gflops > 0
    assert device in result.devices[backend]


def fake_result(rates: dict) -> ThroughputResult:
    """A result with given GFLOP/s per backend at sizes 64 and 1024 (slow small sizes)."""
    timings = []
    for backend, rate in rates.items():
        for size, fraction in ((64, 0.1), (1024, 1.0)):
            seconds = matmul_flops(size) / (rate * fraction * 1e9)
            timings.append(Timing(backend, size, seconds, 3))
    return ThroughputResult(tuple(timings), "float32")


def test_sentence_reads_the_numbers_and_the_gpu_speedup():
    text = describe_throughput(fake_result({"numpy": 50.0, "torch-cpu": 40.0, "torch-cuda": 8000}))
    assert "NumPy (CPU) 50.0 GFLOP/s" in text and "PyTorch (CPU) 40.0 GFLOP/s" in text
    assert "200x faster" in text  # 8000 / 40
    assert "at 64x64" in text and "No GPU" not in text


def test_sentence_without_gpu_says_so_and_estimates_a_big_product():
    text = describe_throughput(fake_result({"numpy": 100.0, "torch-cpu": 80.0}))
    assert "No GPU" in text
    expected = flops_to_seconds(matmul_flops(4096), 100.0)
    assert f"{expected:.1f} s" in text


def test_plot_has_title_labels_and_one_line_per_backend():
    fig = plot_throughput(fake_result({"numpy": 50.0, "torch-cpu": 40.0}))
    ax = fig.axes[0]
    assert ax.get_title() and "GFLOP/s" in ax.get_ylabel() and "size" in ax.get_xlabel()
    assert len(ax.get_lines()) == 2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["NumPy (CPU)", "PyTorch (CPU)"]
    matplotlib.pyplot.close(fig)


def test_log_axis_is_readable_when_rates_span_less_than_a_decade():
    # 60 to 200 GFLOP/s: a plain log axis would label only 100.
    result = ThroughputResult(
        (
            Timing("numpy", 64, matmul_flops(64) / 60e9, 3),
            Timing("numpy", 1024, matmul_flops(1024) / 200e9, 3),
        ),
        "float32",
    )
    fig = plot_throughput(result)
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    shown = [t.get_text() for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
    assert [t for t in shown if t] == ["100", "200"]
    matplotlib.pyplot.close(fig)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown backend"):
        measure_matmul_throughput([8], backends=["jax"])
    with pytest.raises(TypeError, match="list of matrix sizes"):
        measure_matmul_throughput(64)
    with pytest.raises(ValueError, match="at least one"):
        measure_matmul_throughput([])
    with pytest.raises(TypeError, match="ThroughputResult"):
        describe_throughput({"numpy": 1.0})
    with pytest.raises(ValueError, match="no timings"):
        fake_result({"numpy": 1.0}).series("torch-cpu")


def test_a_very_slow_small_product_is_not_printed_as_zero():
    timings = (Timing("numpy", 64, matmul_flops(64) / 0.04e9, 3), Timing("numpy", 1024, 0.1, 3))
    text = describe_throughput(ThroughputResult(timings, "float32"))
    assert "only 0.04 GFLOP/s" in text and "0.0 GFLOP/s" not in text, text


def result_from_rates(rates: dict) -> ThroughputResult:
    """A result with given GFLOP/s per backend and size: {backend: {size: rate}}."""
    timings = [
        Timing(backend, size, matmul_flops(size) / (rate * 1e9), 3)
        for backend, by_size in rates.items()
        for size, rate in by_size.items()
    ]
    return ThroughputResult(tuple(timings), "float32")


# A busy two-core machine: NumPy's best came at 64x64, PyTorch's at 256x256, and both ran far
# below their best at 1024x1024.
BUSY = {
    "numpy": {64: 52.9, 128: 40.0, 256: 30.0, 512: 20.0, 1024: 10.9},
    "torch-cpu": {64: 7.68, 128: 60.0, 256: 123.9, 512: 80.0, 1024: 9.5},
}


def test_small_products_are_called_wasteful_only_for_a_backend_slow_at_the_smallest_size():
    text = describe_throughput(result_from_rates(BUSY))
    assert "PyTorch (CPU) managed only 7.68 GFLOP/s at 64x64, against 124 at 256x256" in text
    assert "NumPy (CPU) managed only" not in text
    # NumPy's best was at 64x64: said as it is, not contradicted.
    assert "NumPy (CPU) was fastest at its smallest size, 64x64" in text, text
    assert "10.9 GFLOP/s at 1024x1024" in text


def test_no_claim_about_size_when_the_rate_hardly_changes():
    flat = {"numpy": {64: 50.0, 1024: 40.0}, "torch-cpu": {64: 40.0, 1024: 45.0}}
    text = describe_throughput(result_from_rates(flat))
    assert "managed only" not in text and "fastest at its smallest size" not in text, text


def test_a_big_product_is_extrapolated_from_the_largest_size_not_the_best():
    text = describe_throughput(result_from_rates(BUSY))
    # The best rate (123.9 at 256) would say 1.1 s; the rate at 1024, 10.9, says 12.6 s.
    expected = flops_to_seconds(matmul_flops(4096), 10.9)
    assert f"about {expected:.1f} s" in text and "NumPy (CPU), 10.9 GFLOP/s at 1024x1024" in text
    wrong = flops_to_seconds(matmul_flops(4096), 123.9)
    assert f"about {wrong:.1f} s" not in text, text


# ------------------------------------------------------------------ one training step


def test_the_same_mlp_step_runs_on_every_backend_and_learns(device):
    from course_lib.throughput import mlp_training_steps

    backends = ["numpy", "torch-cpu"] + ([f"torch-{device}"] if device != "cpu" else [])
    steps = mlp_training_steps(32, sizes=(20, 8, 3), backends=backends)
    assert list(steps) == backends
    losses = [steps["numpy"]() for _ in range(30)]  # the same batch again and again
    assert losses[-1] < losses[0], "repeated SGD steps on one batch should lower its loss"
    for backend in backends[1:]:
        assert steps[backend]() is None


def test_numpy_and_torch_steps_start_from_the_same_weights_and_agree():
    import torch

    from course_lib.numpy_nn.mlp import MLP as NumpyMLP
    from course_lib.throughput import numpy_training_step, torch_training_step
    from course_lib.torch_nn.mlp import MLP as TorchMLP

    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=16)
    mine, twin = NumpyMLP([6, 5, 3], seed=1), TorchMLP([6, 5, 3], seed=1)
    numpy_training_step(mine, x, y, lr=0.1)()
    torch_training_step(twin, x, y, device="cpu", lr=0.1)()
    first = next(twin.parameters()).detach()  # PyTorch stores W1 as (H, D)
    assert torch.allclose(first.T, torch.from_numpy(mine.params["W1"]), atol=1e-5)


def test_step_timings_give_images_per_second_and_speedups():
    from course_lib.throughput import StepResult, StepTiming, describe_training_steps

    result = StepResult(
        "MLP 784-256-10",
        (StepTiming("numpy", 128, 0.004), StepTiming("torch-cpu", 128, 0.002)),
    )
    assert result.timing("numpy").images_per_second == pytest.approx(32_000)
    assert result.speedup("torch-cpu", "numpy") == pytest.approx(2.0)
    assert result.speedup("numpy", "torch-cpu") == pytest.approx(0.5)
    text = describe_training_steps(result)
    assert "4.00 ms" in text and "32,000 images/s" in text
    assert "PyTorch (CPU) against NumPy (CPU): 2.0 times as fast" in text
    slower = StepResult("m", (StepTiming("numpy", 8, 0.001), StepTiming("torch-cpu", 8, 0.003)))
    assert "3.0 times slower" in describe_training_steps(slower)
    with pytest.raises(ValueError, match="no timing"):
        result.timing("torch-cuda")


def test_measure_training_steps_uses_your_timer_one_backend_after_the_other(monkeypatch):
    import course_lib.throughput as throughput

    monkeypatch.setattr(throughput.time, "sleep", lambda s: None)
    order = []
    steps = {"torch-cpu": lambda: order.append("torch"), "numpy": lambda: order.append("numpy")}

    def timer(fn, repeats, number):
        fn()
        return 0.01

    result = throughput.measure_training_steps(steps, batch_size=64, model="m", timer=timer)
    assert result.backends == ["numpy", "torch-cpu"]  # measured in the table's order
    assert order[0] == "numpy" and order[-1] == "torch"
    assert all(
        t.seconds == 0.01 and t.images_per_second == pytest.approx(6400) for t in result.timings
    )
    built_in = throughput.measure_training_steps(
        {"numpy": lambda: None}, batch_size=1, model="m", repeats=2
    )
    assert built_in.timings[0].seconds > 0


def test_training_step_helpers_refuse_bad_input():
    from course_lib.throughput import (
        describe_training_steps,
        measure_training_steps,
        mlp_training_steps,
        numpy_training_step,
        torch_training_step,
    )

    with pytest.raises(TypeError, match="non-empty dict"):
        measure_training_steps({}, batch_size=1, model="m")
    with pytest.raises(ValueError, match="unknown backend"):
        measure_training_steps({"jax": lambda: None}, batch_size=1, model="m")
    with pytest.raises(TypeError, match="function of no arguments"):
        measure_training_steps({"numpy": 3}, batch_size=1, model="m")
    with pytest.raises(ValueError, match="batch_size"):
        mlp_training_steps(0)
    with pytest.raises(TypeError, match="NumPy model"):
        numpy_training_step(object(), None, None)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        torch_training_step(object(), None, None)
    with pytest.raises(TypeError, match="StepResult"):
        describe_training_steps({"numpy": 1.0})
