""" "Why now", measured: how fast can this machine multiply matrices?

A neural network is mostly matrix products, so the speed of one product is a good proxy for
how fast it trains. Multiplying an ``(N, D)`` matrix by a ``(D, M)`` matrix takes ``N * D * M``
multiplications and as many additions, ``2 N D M`` floating-point operations (FLOPs) in all.
Dividing by the time it took gives the throughput in GFLOP/s (10^9 FLOPs per second).

:func:`measure_matmul_throughput` times square products with NumPy, PyTorch on the CPU and,
when one is present, PyTorch on a GPU (CUDA or Apple MPS). Each timing is the fastest of a few
repeats after one warm-up run (a slower repeat means something else got in the way), GPU work
is synchronised before the clock stops, and a time budget keeps the whole measurement to a few
seconds. :func:`describe_throughput` turns the numbers into a sentence and
:func:`plot_throughput` into a figure.

The same question for a whole **training step** (forward pass, backward pass and weight
update on one mini-batch): :func:`mlp_training_steps` builds that step for the MLP
784-256-10 in NumPy (the backward pass of ``05``), in PyTorch on the CPU and on a GPU when
there is one; :func:`numpy_training_step` and :func:`torch_training_step` build it for any
model (``10`` uses them for the ConvNet), and :func:`measure_training_steps` times the steps
one backend after the other and reports images per second and speed-ups.

Introduced in ``01_why_deep_learning``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from course_lib.validate import (
    check_finite_number,
    check_positive_float,
    check_positive_int,
    check_seed,
)

#: Seconds to wait between backends, so that one library's idle threads stop spinning.
SETTLE_S = 0.3

#: Display names of the backends, in the order they are measured and plotted.
BACKEND_LABELS = {
    "numpy": "NumPy (CPU)",
    "torch-cpu": "PyTorch (CPU)",
    "torch-cuda": "PyTorch (GPU, CUDA)",
    "torch-mps": "PyTorch (GPU, Apple MPS)",
}

DEFAULT_SIZES = (64, 128, 256, 512, 1024)

#: The largest matrix side measured: three float32 (n, n) matrices of 8192 take 0.8 GB.
MAX_SIZE = 8192


def matmul_flops(n: int, d: int | None = None, m: int | None = None) -> int:
    """Floating-point operations in the product of an ``(n, d)`` and a ``(d, m)`` matrix.

    Each of the ``n * m`` outputs is a dot product of length ``d``: ``d`` multiplications and
    ``d`` additions (counting the first addition, as is the convention), so ``2 n d m``.
    ``matmul_flops(n)`` is the square case ``2 n^3``.

    Introduced in ``01_why_deep_learning``.
    """
    n = check_positive_int(n, "n")
    d = n if d is None else check_positive_int(d, "d")
    m = n if m is None else check_positive_int(m, "m")
    return 2 * n * d * m


@dataclass(frozen=True)
class Timing:
    """One backend at one matrix size."""

    backend: str  # key of BACKEND_LABELS, e.g. "torch-cpu"
    size: int  # n: the product is (n, n) @ (n, n)
    seconds: float  # wall-clock time of one product, the fastest repeat
    repeats: int  # how many timed runs it is the fastest of

    @property
    def gflops(self) -> float:
        """Throughput in GFLOP/s: ``2 n^3 / seconds / 1e9``."""
        return matmul_flops(self.size) / self.seconds / 1e9


@dataclass(frozen=True)
class ThroughputResult:
    """All timings of one measurement, plus what was measured on."""

    timings: tuple[Timing, ...]
    dtype: str  # "float32"
    devices: dict = field(default_factory=dict)  # backend -> description, e.g. "cpu (2 threads)"

    @property
    def backends(self) -> list[str]:
        """The backends that were measured, in plotting order."""
        seen = {t.backend for t in self.timings}
        return [b for b in BACKEND_LABELS if b in seen]

    def series(self, backend: str) -> tuple[np.ndarray, np.ndarray]:
        """``(sizes, gflops)`` for one backend, sorted by size."""
        rows = sorted((t for t in self.timings if t.backend == backend), key=lambda t: t.size)
        if not rows:
            raise ValueError(
                f"no timings for backend {backend!r}; measured backends: {self.backends}"
            )
        return np.array([t.size for t in rows]), np.array([t.gflops for t in rows])

    def best(self, backend: str) -> Timing:
        """The timing with the highest throughput for ``backend``."""
        rows = [t for t in self.timings if t.backend == backend]
        if not rows:
            raise ValueError(
                f"no timings for backend {backend!r}; measured backends: {self.backends}"
            )
        return max(rows, key=lambda t: t.gflops)


def available_backends() -> list[str]:
    """The backends this machine can measure: NumPy and PyTorch CPU always, GPUs if present."""
    from course_lib.device import available_devices

    kinds = available_devices()
    backends = ["numpy", "torch-cpu"]
    if "cuda" in kinds:
        backends.append("torch-cuda")
    if "mps" in kinds:
        backends.append("torch-mps")
    return backends


def measure_matmul_throughput(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    repeats: int = 5,
    backends: Sequence[str] | None = None,
    budget_s: float = 1.5,
    seed: int = 0,
    timer=None,
) -> ThroughputResult:
    """Time ``(n, n) @ (n, n)`` float32 products for each ``n`` in ``sizes`` and each backend.

    ``repeats`` timed runs follow one untimed warm-up (which pays one-off costs such as
    starting threads or compiling GPU kernels); the fastest is kept, as ``timeit`` advises:
    a slower run measures the interruptions, not the hardware. Each backend is measured on
    its own, all sizes in a row, with a short pause before the next one: NumPy's and
    PyTorch's worker threads keep spinning for a moment after their last product, and on a
    machine with few cores they would otherwise slow each other down. ``budget_s`` caps the
    time spent per backend and size: once it is used up, fewer repeats are taken, so a slow
    machine still finishes quickly. ``backends`` defaults to :func:`available_backends`.

    ``timer`` replaces the built-in timing loop with your own: ``timer(fn, repeats, number)``
    must make one warm-up call of ``fn()``, then ``repeats`` timed runs of ``number`` calls
    each, and return the fastest time of one call in seconds. ``number`` is chosen here so
    that one timed run lasts about a millisecond; ``budget_s`` does not apply.

    Introduced in ``01_why_deep_learning``.
    """
    if isinstance(sizes, (int, np.integer)):
        raise TypeError(f"sizes must be a list of matrix sizes such as [64, 256], got {sizes!r}")
    sizes = [check_positive_int(int(s) if isinstance(s, np.integer) else s, "size") for s in sizes]
    if not sizes:
        raise ValueError("sizes must contain at least one matrix size, got an empty list")
    if max(sizes) > MAX_SIZE:
        raise ValueError(
            f"sizes must be at most {MAX_SIZE} (larger matrices need gigabytes of memory), "
            f"got {max(sizes)}"
        )
    repeats = check_positive_int(repeats, "repeats")
    budget_s = check_positive_float(budget_s, "budget_s")
    seed = check_seed(seed)
    if timer is not None and not callable(timer):
        raise TypeError(
            f"timer must be a function timer(fn, repeats, number) -> seconds, got "
            f"{type(timer).__name__}; leave it out to use the built-in timing loop"
        )
    if isinstance(backends, (str, bytes)):
        raise TypeError(
            f"backends must be a list of backend names such as [{backends!r}], got a string"
        )
    backends = available_backends() if backends is None else list(backends)
    unknown = [b for b in backends if b not in BACKEND_LABELS]
    if unknown:
        raise ValueError(f"unknown backend(s) {unknown}; choose from {list(BACKEND_LABELS)}")

    runners, devices = {}, {}
    for backend in backends:
        runners[backend], devices[backend] = _runner(backend)
    timings = []
    for i, backend in enumerate(backends):
        if i:
            time.sleep(SETTLE_S)  # let the previous library's worker threads go to sleep
        for n in sorted(sizes):
            product = runners[backend](n, seed)
            if timer is None:
                seconds, taken = _best_time(product, repeats, budget_s)
            else:
                seconds, taken = _time_with(timer, product, repeats), repeats
            timings.append(Timing(backend, n, seconds, taken))
    return ThroughputResult(tuple(timings), "float32", devices)


def _best_time(fn, repeats: int, budget_s: float) -> tuple[float, int]:
    """Fastest seconds per call of ``fn`` over the timed runs, and their number.

    Tiny products take microseconds, less than the timer's noise, so each timed run calls
    ``fn`` enough times in a row to last about a millisecond and divides by that count.
    """
    start = time.perf_counter()
    fn()  # warm-up: thread pools, kernel selection, caches
    once = time.perf_counter() - start
    inner = max(1, min(1000, int(1e-3 / max(once, 1e-7))))
    times = []
    spent = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = time.perf_counter() - start
        times.append(elapsed / inner)
        spent += elapsed
        if spent > budget_s:
            break
    # Never report zero time: a timer tick is the finest resolution we can claim.
    return max(min(times), 1e-9), len(times)


def _time_with(timer, fn, repeats: int) -> float:
    """Seconds per call of ``fn`` as ``timer(fn, repeats, number)`` measures them.

    One untimed call first tells how many calls make a timed run of about a millisecond.
    """
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    number = max(1, min(1000, int(1e-3 / max(once, 1e-7))))
    seconds = timer(fn, repeats, number)
    try:
        seconds = float(seconds)
    except (TypeError, ValueError):
        raise TypeError(
            f"timer must return a number of seconds, got {type(seconds).__name__}"
        ) from None
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"timer must return a positive number of seconds, got {seconds}")
    # Never report zero time: a timer tick is the finest resolution we can claim.
    return max(seconds, 1e-9)


def _runner(backend: str):
    """Return ``(make(n, seed) -> callable, description)`` for ``backend``."""
    if backend == "numpy":

        def make(n, seed):
            rng = np.random.default_rng(seed)
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            return lambda: a @ b

        return make, "cpu (NumPy)"

    import torch

    kind = backend.split("-")[1]
    device = torch.device(kind)
    sync = {"cuda": torch.cuda.synchronize, "mps": _mps_sync}.get(kind, lambda: None)

    def make(n, seed):
        gen = torch.Generator().manual_seed(seed)
        a = torch.randn(n, n, generator=gen).to(device)
        b = torch.randn(n, n, generator=gen).to(device)

        def run():
            c = a @ b
            sync()  # GPU calls return before the work is done; wait for it
            return c

        return run

    from course_lib.device import describe_device

    return make, describe_device(device)


def _mps_sync() -> None:
    import torch

    torch.mps.synchronize()


def _sync_for(device) -> Callable[[], None]:
    """A function that waits for ``device`` to finish its queued work (nothing for a CPU)."""
    import torch

    if device.type == "cuda":
        return lambda: torch.cuda.synchronize(device)
    if device.type == "mps":
        return _mps_sync
    return lambda: None


def describe_throughput(result: ThroughputResult) -> str:
    """A few sentences that read the learner's own numbers: fastest rate and speed-ups.

    Introduced in ``01_why_deep_learning``.
    """
    if not isinstance(result, ThroughputResult):
        raise TypeError(
            "result must be the ThroughputResult returned by measure_matmul_throughput, "
            f"got {type(result).__name__}"
        )
    parts = []
    for backend in result.backends:
        best = result.best(backend)
        parts.append(
            f"{BACKEND_LABELS[backend]} {best.gflops:,.1f} GFLOP/s "
            f"(at {best.size}x{best.size}, {best.seconds * 1e3:.2f} ms per product)"
        )
    text = "On this machine the best rates were: " + "; ".join(parts) + "."

    text += _describe_sizes(result)
    gpus = [b for b in result.backends if b in ("torch-cuda", "torch-mps")]
    cpu = "torch-cpu" if "torch-cpu" in result.backends else None
    if gpus and cpu:
        gpu = gpus[0]
        speedup = result.best(gpu).gflops / result.best(cpu).gflops
        text += (
            f" The GPU multiplies {speedup:,.0f}x faster than this CPU at its best: "
            "that gap is the hardware half of 'why now'."
        )
    elif not gpus:
        # The largest product measured is the best guide to a larger one; a rate measured
        # on small products says nothing about how the big ones behave.
        def at_largest(backend):
            sizes, rates = result.series(backend)
            return int(sizes[-1]), float(rates[-1])

        backend = max(result.backends, key=lambda b: at_largest(b)[1])
        size, rate = at_largest(backend)
        seconds = flops_to_seconds(matmul_flops(4096), rate)
        text += (
            f" No GPU was found here; at the rate of the largest product measured "
            f"({BACKEND_LABELS[backend]}, {rate:,.3g} GFLOP/s at {size}x{size}), one "
            f"4096x4096 product takes about {_human_seconds(seconds)}, and a GPU typically "
            "does it tens to hundreds of times faster."
        )
    return text


#: The smallest size counts as wasteful when it reaches less than this share of the best rate.
SMALL_SHARE = 0.5


def _describe_sizes(result: ThroughputResult) -> str:
    """Sentences on how size mattered, one verdict per backend, each read from its own data.

    A backend whose smallest product ran at less than ``SMALL_SHARE`` of its best rate shows
    the fixed cost of small products; a backend whose best rate came at its smallest size,
    with its largest below ``SMALL_SHARE`` of that, shows the opposite (most likely other
    programs using the processor). Nothing is said of a backend with one size only, or of
    one that fits neither case.
    """
    slow_small, best_small = [], []
    for backend in result.backends:
        sizes, rates = result.series(backend)
        if len(sizes) < 2:
            continue
        best = result.best(backend)
        if rates[0] < SMALL_SHARE * best.gflops:
            slow_small.append((backend, int(sizes[0]), float(rates[0]), best))
        elif best.size == sizes[0] and rates[-1] < SMALL_SHARE * best.gflops:
            best_small.append((backend, int(sizes[0]), float(rates[-1]), int(sizes[-1])))
    text = ""
    if slow_small:
        parts = [
            f"{BACKEND_LABELS[b]} managed only {rate:,.3g} GFLOP/s at {n}x{n}, against "
            f"{best.gflops:,.3g} at {best.size}x{best.size}"
            for b, n, rate, best in slow_small
        ]
        text += (
            " "
            + "; ".join(parts)
            + " (small products waste effort: a fixed cost of starting a product weighs "
            "most on a small one)."
        )
    if best_small:
        parts = [
            f"{BACKEND_LABELS[b]} was fastest at its smallest size, {n}x{n}, and reached only "
            f"{rate:,.3g} GFLOP/s at {big}x{big}"
            for b, n, rate, big in best_small
        ]
        text += (
            " "
            + "; ".join(parts)
            + " (most likely other programs were using the processor: a large product "
            "takes long enough to be interrupted, and one split between threads waits for "
            "the slowest of them)."
        )
    return text


def _human_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} microseconds"
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.1f} s"


def plot_throughput(result: ThroughputResult, ax=None):
    """Throughput (GFLOP/s, log scale) against matrix size, one line per backend.

    Returns the figure. Introduced in ``01_why_deep_learning``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    from course_lib.style import PALETTE

    if not isinstance(result, ThroughputResult):
        raise TypeError(
            "result must be the ThroughputResult returned by measure_matmul_throughput, "
            f"got {type(result).__name__}"
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 3.8))
    else:
        fig = ax.figure
    markers = "osD^"
    for i, backend in enumerate(BACKEND_LABELS):
        if backend not in result.backends:
            continue
        sizes, rates = result.series(backend)
        ax.plot(
            sizes,
            rates,
            marker=markers[i],
            color=PALETTE[i],
            label=BACKEND_LABELS[backend],
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    # Ticks at 1, 2 and 5 times each power of ten, written as plain numbers: a log axis whose
    # values span less than a decade would otherwise show a single label.
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0), numticks=30))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    all_sizes = sorted({t.size for t in result.timings})
    ax.set_xticks(all_sizes)
    ax.set_xticklabels([str(s) for s in all_sizes])
    ax.minorticks_off()
    ax.set_xlabel("matrix size n  (an n x n by n x n product)")
    ax.set_ylabel("throughput (GFLOP/s, log scale)")
    ax.set_title(f"Matrix-multiply throughput on this machine ({result.dtype})")
    ax.legend(loc="best")
    return fig


def flops_to_seconds(flops: float, gflops: float) -> float:
    """Seconds needed for ``flops`` operations at ``gflops`` GFLOP/s."""
    flops = check_finite_number(flops, "flops")
    if flops < 0:
        raise ValueError(f"flops must be a count >= 0, got {flops}")
    if isinstance(gflops, bool) or not isinstance(gflops, (int, float, np.number)):
        raise TypeError(f"gflops must be a positive rate (a number), got {gflops!r}")
    if not math.isfinite(gflops) or gflops <= 0:
        raise ValueError(f"gflops must be a positive rate, got {gflops}")
    return float(flops) / (gflops * 1e9)


# ------------------------------------------------------------------ one training step

#: The network whose training step notebooks 01 and 10 both time: 784 pixels, 256 hidden
#: ReLU units, 10 classes.
MLP_SIZES = (784, 256, 10)


@dataclass(frozen=True)
class StepTiming:
    """One backend's training step: forward, backward and update on one mini-batch."""

    backend: str  # key of BACKEND_LABELS, e.g. "numpy"
    batch_size: int  # B: examples in the mini-batch
    seconds: float  # wall-clock time of one step, the fastest repeat

    @property
    def images_per_second(self) -> float:
        """Training throughput: ``batch_size / seconds``."""
        return self.batch_size / self.seconds


@dataclass(frozen=True)
class StepResult:
    """The training step of one model at one batch size, timed on several backends."""

    model: str  # what was trained, e.g. "MLP 784-256-10"
    timings: tuple[StepTiming, ...]
    devices: dict = field(default_factory=dict)  # backend -> description

    @property
    def backends(self) -> list[str]:
        """The backends that were measured, in the order of BACKEND_LABELS."""
        seen = {t.backend for t in self.timings}
        return [b for b in BACKEND_LABELS if b in seen]

    @property
    def batch_size(self) -> int:
        return self.timings[0].batch_size

    def timing(self, backend: str) -> StepTiming:
        """The timing of ``backend``."""
        for t in self.timings:
            if t.backend == backend:
                return t
        raise ValueError(f"no timing for backend {backend!r}; measured backends: {self.backends}")

    def speedup(self, fast: str, slow: str) -> float:
        """How many times more images per second ``fast`` trains than ``slow``.

        Below 1 when ``fast`` was in fact the slower of the two.
        """
        return self.timing(slow).seconds / self.timing(fast).seconds


def numpy_training_step(model, x, y, *, lr: float = 0.01) -> Callable[[], float]:
    """One plain SGD step of a NumPy model, as a function of no arguments.

    ``model`` has ``params`` (a dict of arrays) and ``loss_and_grads(x, y) -> (loss, grads)``
    (:class:`course_lib.numpy_nn.mlp.MLP`, :class:`course_lib.numpy_nn.cnn.CNN`); ``x`` is
    one mini-batch ``(B, ...)``, ``y`` its ``(B,)`` labels. Each call runs the forward and
    backward pass and updates every parameter in place, ``p -= lr * grad``; it returns the
    loss. Introduced in ``01_why_deep_learning``.
    """
    if not hasattr(model, "loss_and_grads") or not isinstance(getattr(model, "params", None), dict):
        raise TypeError(
            "model must be a NumPy model with params and loss_and_grads(x, y), such as "
            f"course_lib.numpy_nn.mlp.MLP; got {type(model).__name__}"
        )
    lr = check_positive_float(lr, "lr")

    def step() -> float:
        loss, grads = model.loss_and_grads(x, y)
        for name, grad in grads.items():
            model.params[name] -= lr * grad  # the update, in place
        return loss

    return step


def torch_training_step(model, x, y, *, device=None, lr: float = 0.01) -> Callable[[], None]:
    """One plain SGD step of a PyTorch model on ``device``, as a function of no arguments.

    ``x`` ``(B, ...)`` and ``y`` ``(B,)`` (NumPy arrays or tensors) are copied to the device
    once, with the model; each call runs the forward pass, the cross-entropy, the backward
    pass and the update, then waits for a GPU to finish (its calls return before the work is
    done, and a stopwatch must not stop early). ``device=None`` picks the best device.
    Introduced in ``01_why_deep_learning``; used in ``10_how_fast_can_it_go``.
    """
    import torch

    from course_lib.device import pick_device

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    lr = check_positive_float(lr, "lr")
    device = pick_device() if device is None else torch.device(device)
    model = model.to(device).train()
    xb = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).to(device)
    yb = torch.as_tensor(np.asarray(y) if not isinstance(y, torch.Tensor) else y).to(device)
    xb, yb = xb.float(), yb.long()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    sync = _sync_for(device)

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        sync()

    return step


def mlp_training_steps(
    batch_size: int = 128,
    *,
    sizes: Sequence[int] = MLP_SIZES,
    backends: Sequence[str] | None = None,
    seed: int = 0,
) -> dict[str, Callable]:
    """The training step of the same MLP on each backend: ``{backend: step}``.

    The batch is ``batch_size`` random inputs ``(B, D)`` with random labels ``(B,)``: the
    step costs the same whatever the numbers are. NumPy runs the course's
    :class:`course_lib.numpy_nn.mlp.MLP` (forward and backward written out, ``05``);
    PyTorch runs its twin :class:`course_lib.torch_nn.mlp.MLP`, which starts from the same
    weights, on the CPU and on each GPU in ``backends`` (default :func:`available_backends`).
    Introduced in ``01_why_deep_learning``; used in ``10_how_fast_can_it_go``.
    """
    from course_lib.numpy_nn.mlp import MLP as NumpyMLP

    batch_size = check_positive_int(batch_size, "batch_size")
    backends = _check_backends(backends)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch_size, sizes[0]), dtype=np.float32)  # (B, D)
    y = rng.integers(0, sizes[-1], size=batch_size)  # (B,)
    steps = {}
    for backend in backends:
        if backend == "numpy":
            steps[backend] = numpy_training_step(NumpyMLP(sizes, seed=seed), x, y)
        else:
            from course_lib.torch_nn.mlp import MLP as TorchMLP

            model = TorchMLP(sizes, seed=seed)
            steps[backend] = torch_training_step(model, x, y, device=backend.split("-")[1])
    return steps


def _check_backends(backends) -> list[str]:
    backends = available_backends() if backends is None else list(backends)
    unknown = [b for b in backends if b not in BACKEND_LABELS]
    if unknown:
        raise ValueError(f"unknown backend(s) {unknown}; choose from {list(BACKEND_LABELS)}")
    return backends


def measure_training_steps(
    steps: Mapping[str, Callable],
    *,
    batch_size: int,
    model: str,
    repeats: int = 3,
    budget_s: float = 1.5,
    timer=None,
) -> StepResult:
    """Time each backend's training step; return a :class:`StepResult`.

    ``steps`` maps a backend (a key of ``BACKEND_LABELS``) to a function of no arguments that
    runs one step on a mini-batch of ``batch_size`` examples (:func:`mlp_training_steps`,
    :func:`numpy_training_step`, :func:`torch_training_step`). Each is timed as in
    :func:`measure_matmul_throughput`: one untimed warm-up step, then ``repeats`` timed runs,
    the fastest kept, one backend after the other with a short pause between them.
    ``timer(fn, repeats, number)``, when given, is your own stopwatch (``01``'s exercise).
    ``model`` names the network for the sentences and the table.
    Introduced in ``01_why_deep_learning``; used in ``10_how_fast_can_it_go``.
    """
    if not isinstance(steps, Mapping) or not steps:
        raise TypeError(
            "steps must be a non-empty dict {backend: step function}, such as "
            f"mlp_training_steps(128); got {steps!r}"
        )
    _check_backends(list(steps))
    for backend, fn in steps.items():
        if not callable(fn):
            raise TypeError(f"steps[{backend!r}] must be a function of no arguments")
    batch_size = check_positive_int(batch_size, "batch_size")
    repeats = check_positive_int(repeats, "repeats")
    budget_s = check_positive_float(budget_s, "budget_s")
    if timer is not None and not callable(timer):
        raise TypeError(
            f"timer must be a function timer(fn, repeats, number) -> seconds, got "
            f"{type(timer).__name__}; leave it out to use the built-in timing loop"
        )
    from course_lib.device import describe_device

    timings, devices = [], {}
    for i, backend in enumerate(b for b in BACKEND_LABELS if b in steps):
        if i:
            time.sleep(SETTLE_S)  # let the previous library's worker threads go to sleep
        fn = steps[backend]
        if timer is None:
            seconds, _ = _best_time(fn, repeats, budget_s)
        else:
            seconds = _time_with(timer, fn, repeats)
        timings.append(StepTiming(backend, batch_size, seconds))
        devices[backend] = (
            "cpu (NumPy)" if backend == "numpy" else describe_device(backend.split("-")[1])
        )
    return StepResult(model, tuple(timings), devices)


def describe_training_steps(result: StepResult) -> str:
    """One line per backend (ms per step, images per second) and the speed-ups between them.

    Introduced in ``01_why_deep_learning``.
    """
    if not isinstance(result, StepResult):
        raise TypeError(
            "result must be the StepResult returned by measure_training_steps, "
            f"got {type(result).__name__}"
        )
    lines = [f"One training step of the {result.model} on {result.batch_size} examples:"]
    for backend in result.backends:
        t = result.timing(backend)
        lines.append(
            f"  {BACKEND_LABELS[backend]:<26} {t.seconds * 1e3:9.2f} ms "
            f"{t.images_per_second:>13,.0f} images/s"
        )
    backends = result.backends
    for i, fast in enumerate(backends):
        for slow in backends[:i]:
            ratio = result.speedup(fast, slow)
            lines.append(
                f"  {BACKEND_LABELS[fast]} against {BACKEND_LABELS[slow]}: "
                + (
                    f"{ratio:,.1f} times as fast"
                    if ratio >= 1
                    else f"{1 / ratio:,.1f} times slower"
                )
            )
    return "\n".join(lines)
