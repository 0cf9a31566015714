"""CPU speed: the course's NumPy code against PyTorch on the CPU of this machine.

Four measurements, all in one run, each a median over repeats:

1. **MLP training step** (``mlp_step_ratio``): one mini-batch of forward, backward and Adam
   update for the NumPy :class:`course_lib.numpy_nn.mlp.MLP` against the same network in
   PyTorch (``nn.Sequential`` of ``nn.Linear``/``nn.ReLU``, ``torch.optim.Adam``), float32.
2. **Convolution forward + backward** (``conv_ratio``): the fast NumPy
   :func:`~course_lib.numpy_nn.conv.conv2d_forward`/``conv2d_backward`` against
   ``torch.nn.functional.conv2d`` with autograd, summed over two MNIST-sized layers.
3. **Naive against fast convolution** (``conv_fast_vs_naive``): the loop version against
   the im2col version on a 32 x 1 x 28 x 28 batch.
4. **NumPy MLP on full MNIST** (``numpy_mlp_test_acc``, ``numpy_mlp_seconds``): trained with
   ``MLP.fit`` on the 60 000 training images, tested on the 10 000 test images; the seconds
   include turning the uint8 pixels into float32.

The two sides of 1 and 2 are timed alternately (A, B, A, B, ...) so that a burst of load
from elsewhere hits both. Targets on a 2-core machine: ``mlp_step_ratio <= 1.5``,
``conv_ratio <= 3``, ``conv_fast_vs_naive >= 50``, ``numpy_mlp_test_acc >= 0.975`` in
``numpy_mlp_seconds <= 15``. The script prints a table and ends with one JSON line that has
those keys, the raw times, whether each target was met, and the machine (CPU model, cores,
PyTorch threads, NumPy's BLAS, load average before and after).

Usage::

    COURSE_LIB_DATA=/path/to/data .venv/bin/python benchmarks/cpu_speed.py [--repeats 30]

``--tiny`` runs every measurement on toy sizes and 2 000 training images (a smoke test of
the script; its figures mean nothing).

Threads: NumPy's BLAS and PyTorch each start one thread per core. On a machine busy with
other work those threads wait for each other and every time balloons (tenfold and more for
small matrices). ``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`` gives both libraries one
thread, a fair comparison that a busy machine disturbs far less; the JSON line records the
threads and the load average so that figures are never quoted without them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

TARGETS = {
    "mlp_step_ratio": ("<=", 1.5),
    "conv_ratio": ("<=", 3.0),
    "conv_fast_vs_naive": (">=", 50.0),
    "numpy_mlp_test_acc": (">=", 0.975),
    "numpy_mlp_seconds": ("<=", 15.0),
}


@dataclass(frozen=True)
class BenchConfig:
    """What to measure; the defaults are the figures quoted in the README."""

    repeats: int = 30  # timed repeats per measurement (after one warm-up call)
    mlp_sizes: tuple[int, ...] = (784, 256, 10)  # layer widths of the MLP
    mlp_batch: int = 128  # mini-batch size of a training step and of the full training run
    mlp_epochs: int = 3  # epochs over the training set for the full-MNIST run
    mlp_lr: float = 2e-3  # Adam learning rate
    conv_layers: tuple = (  # (x shape (N, C, H, W), w shape (F, C, HH, WW)); stride 1, pad 1
        ((64, 1, 28, 28), (16, 1, 3, 3)),
        ((64, 16, 14, 14), (32, 16, 3, 3)),
    )
    naive_x: tuple[int, ...] = (32, 1, 28, 28)  # batch for naive vs fast
    naive_w: tuple[int, ...] = (16, 1, 3, 3)
    naive_repeats: int = 3  # the loop version takes seconds per call
    train_limit: int | None = None  # use only the first n training images (None: all)


#: Toy sizes for a smoke test of the script (the figures mean nothing).
TINY = BenchConfig(
    repeats=2,
    mlp_sizes=(784, 16, 10),
    mlp_batch=32,
    mlp_epochs=1,
    conv_layers=(((4, 1, 8, 8), (2, 1, 3, 3)), ((4, 2, 4, 4), (3, 2, 3, 3))),
    naive_x=(2, 1, 8, 8),
    naive_w=(2, 1, 3, 3),
    naive_repeats=1,
    train_limit=2000,
)


# ------------------------------------------------------------------------------ machine


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_blas() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        return "unknown"


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def machine_info() -> dict:
    """CPU model, core count, PyTorch threads, NumPy's BLAS, versions and current load."""
    import torch

    return {
        "cpu_model": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "numpy_blas": _numpy_blas(),
        "blas_threads_env": {
            k: os.environ[k]
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            if k in os.environ
        },
        "numpy": np.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": _load(),
    }


# ------------------------------------------------------------------------------ timing


def median_times(fns: Sequence[Callable[[], object]], repeats: int) -> list[float]:
    """Median seconds of each function, called alternately ``repeats`` times after a warm-up."""
    for fn in fns:
        fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, times in zip(fns, samples, strict=True):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return [statistics.median(t) for t in samples]


# ------------------------------------------------------------------------------ measurements


def bench_mlp_step(config: BenchConfig, seed: int = 0) -> dict:
    """Seconds per training step (forward, backward, Adam) of the NumPy and PyTorch MLP."""
    import torch

    from course_lib.numpy_nn.mlp import MLP
    from course_lib.numpy_nn.optim import Adam

    rng = np.random.default_rng(seed)
    x = rng.random((config.mlp_batch, config.mlp_sizes[0]), dtype=np.float32)
    y = rng.integers(0, config.mlp_sizes[-1], config.mlp_batch)

    model = MLP(list(config.mlp_sizes), seed=seed)
    opt = Adam(model.params, lr=config.mlp_lr)

    def numpy_step():
        _, grads = model.loss_and_grads(x, y)
        opt.step(grads)

    torch.manual_seed(seed)
    layers: list = []
    for i, (d, m) in enumerate(zip(config.mlp_sizes[:-1], config.mlp_sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(d, m))
        if i < len(config.mlp_sizes) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    topt = torch.optim.Adam(net.parameters(), lr=config.mlp_lr)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def torch_step():
        topt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        loss.backward()
        topt.step()

    numpy_s, torch_s = median_times([numpy_step, torch_step], config.repeats)
    return {"numpy_s": numpy_s, "torch_s": torch_s, "ratio": numpy_s / torch_s}


def bench_conv(config: BenchConfig, seed: int = 0) -> dict:
    """Seconds of conv forward + backward, NumPy fast against PyTorch, per layer and summed."""
    import torch

    from course_lib.numpy_nn.conv import conv2d_backward, conv2d_forward

    rng = np.random.default_rng(seed)
    layers = []
    for x_shape, w_shape in config.conv_layers:
        x = rng.standard_normal(x_shape, dtype=np.float32)
        w = rng.standard_normal(w_shape, dtype=np.float32)
        b = rng.standard_normal(w_shape[0], dtype=np.float32)
        out, _ = conv2d_forward(x, w, b, 1, 1)
        dout = rng.standard_normal(out.shape, dtype=np.float32)

        def numpy_fb(x=x, w=w, b=b, dout=dout):
            _, cache = conv2d_forward(x, w, b, 1, 1)
            conv2d_backward(dout, cache)

        # Every input needs a gradient, as in the NumPy version (dx, dw and db).
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        doutt = torch.from_numpy(dout)

        def torch_fb(xt=xt, wt=wt, bt=bt, doutt=doutt):
            xt.grad = wt.grad = bt.grad = None
            torch.nn.functional.conv2d(xt, wt, bt, stride=1, padding=1).backward(doutt)

        numpy_s, torch_s = median_times([numpy_fb, torch_fb], config.repeats)
        layers.append(
            {"x": list(x_shape), "w": list(w_shape), "numpy_s": numpy_s, "torch_s": torch_s}
        )
    numpy_total = sum(layer["numpy_s"] for layer in layers)
    torch_total = sum(layer["torch_s"] for layer in layers)
    return {
        "layers": layers,
        "numpy_s": numpy_total,
        "torch_s": torch_total,
        "ratio": numpy_total / torch_total,
    }


def bench_conv_naive(config: BenchConfig, seed: int = 0) -> dict:
    """Seconds of conv forward + backward, naive loops against the fast version."""
    from course_lib.numpy_nn.conv import (
        conv2d_backward,
        conv2d_backward_naive,
        conv2d_forward,
        conv2d_forward_naive,
    )

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(config.naive_x, dtype=np.float32)
    w = rng.standard_normal(config.naive_w, dtype=np.float32)
    b = np.zeros(config.naive_w[0], dtype=np.float32)
    out, _ = conv2d_forward(x, w, b, 1, 1)
    dout = rng.standard_normal(out.shape, dtype=np.float32)

    def naive():
        _, cache = conv2d_forward_naive(x, w, b, 1, 1)
        conv2d_backward_naive(dout, cache)

    def fast():
        _, cache = conv2d_forward(x, w, b, 1, 1)
        conv2d_backward(dout, cache)

    (naive_s,) = median_times([naive], config.naive_repeats)
    (fast_s,) = median_times([fast], config.repeats)
    return {"naive_s": naive_s, "fast_s": fast_s, "speedup": naive_s / fast_s}


def train_numpy_mlp(config: BenchConfig, data, seed: int = 0) -> dict:
    """Train the NumPy MLP with ``MLP.fit``; test accuracy and wall seconds (incl. scaling)."""
    from course_lib.numpy_nn.mlp import MLP

    x_train, y_train, x_test, y_test = data
    if config.train_limit is not None:
        x_train, y_train = x_train[: config.train_limit], y_train[: config.train_limit]
    start = time.perf_counter()
    x = x_train.reshape(len(x_train), -1).astype(np.float32) / np.float32(255)  # (N, 784)
    model = MLP(list(config.mlp_sizes), seed=seed)
    model.fit(
        x,
        y_train,
        epochs=config.mlp_epochs,
        batch_size=config.mlp_batch,
        lr=config.mlp_lr,
        progress=False,
        seed=seed,
    )
    seconds = time.perf_counter() - start
    x_te = x_test.reshape(len(x_test), -1).astype(np.float32) / np.float32(255)
    return {
        "test_acc": model.accuracy(x_te, y_test),
        "seconds": seconds,
        "train_images": len(x_train),
    }


# ------------------------------------------------------------------------------ report


def run(config: BenchConfig, data) -> dict:
    """Every measurement, with the machine description; ``data`` as from ``load_mnist``."""
    machine = machine_info()
    mlp = bench_mlp_step(config)
    conv = bench_conv(config)
    naive = bench_conv_naive(config)
    trained = train_numpy_mlp(config, data)
    machine["load_average_after"] = _load()
    summary = {
        "mlp_step_ratio": mlp["ratio"],
        "conv_ratio": conv["ratio"],
        "conv_fast_vs_naive": naive["speedup"],
        "numpy_mlp_test_acc": trained["test_acc"],
        "numpy_mlp_seconds": trained["seconds"],
    }
    met = {
        key: (summary[key] <= limit if op == "<=" else summary[key] >= limit)
        for key, (op, limit) in TARGETS.items()
    }
    return {
        **summary,
        "targets_met": met,
        "mlp_step_numpy_ms": 1e3 * mlp["numpy_s"],
        "mlp_step_torch_ms": 1e3 * mlp["torch_s"],
        "conv_numpy_ms": 1e3 * conv["numpy_s"],
        "conv_torch_ms": 1e3 * conv["torch_s"],
        "conv_layers": conv["layers"],
        "conv_naive_ms": 1e3 * naive["naive_s"],
        "conv_fast_ms": 1e3 * naive["fast_s"],
        "numpy_mlp_train_images": trained["train_images"],
        "config": asdict(config),
        "machine": machine,
    }


def format_table(results: dict) -> str:
    """A readable table of the results (the JSON line carries the same numbers)."""
    cfg = results["config"]
    m = results["machine"]
    sizes = "-".join(str(s) for s in cfg["mlp_sizes"])
    rows = [
        ("measurement", "NumPy", "PyTorch / other", "ratio", "target"),
        (
            f"MLP {sizes} train step, batch {cfg['mlp_batch']}",
            f"{results['mlp_step_numpy_ms']:.2f} ms",
            f"{results['mlp_step_torch_ms']:.2f} ms",
            f"{results['mlp_step_ratio']:.2f}x",
            _target("mlp_step_ratio", results),
        ),
    ]
    for layer in results["conv_layers"]:
        rows.append(
            (
                f"  conv fwd+bwd x{tuple(layer['x'])} w{tuple(layer['w'])}",
                f"{1e3 * layer['numpy_s']:.2f} ms",
                f"{1e3 * layer['torch_s']:.2f} ms",
                f"{layer['numpy_s'] / layer['torch_s']:.2f}x",
                "",
            )
        )
    rows += [
        (
            "conv fwd+bwd, both layers",
            f"{results['conv_numpy_ms']:.2f} ms",
            f"{results['conv_torch_ms']:.2f} ms",
            f"{results['conv_ratio']:.2f}x",
            _target("conv_ratio", results),
        ),
        (
            f"conv naive vs fast x{tuple(cfg['naive_x'])} w{tuple(cfg['naive_w'])}",
            f"{results['conv_fast_ms']:.2f} ms fast",
            f"{results['conv_naive_ms']:.0f} ms naive",
            f"{results['conv_fast_vs_naive']:.0f}x faster",
            _target("conv_fast_vs_naive", results),
        ),
        (
            f"NumPy MLP on MNIST ({results['numpy_mlp_train_images']} images, "
            f"{cfg['mlp_epochs']} epochs)",
            f"{100 * results['numpy_mlp_test_acc']:.2f}% test",
            f"{results['numpy_mlp_seconds']:.1f} s",
            "",
            f"{_target('numpy_mlp_test_acc', results)} / {_target('numpy_mlp_seconds', results)}",
        ),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        f"CPU: {m['cpu_model']}, {m['cpu_cores']} cores; PyTorch threads {m['torch_threads']}; "
        f"NumPy {m['numpy']} with {m['numpy_blas']}; PyTorch {m['torch']}"
    )
    lines.append(
        f"load average (1, 5, 15 min) before {m['load_average']}, "
        f"after {m['load_average_after']}: other work on the machine inflates every time"
    )
    return "\n".join(lines)


def _target(key: str, results: dict) -> str:
    op, limit = TARGETS[key]
    return f"{op} {limit:g} {'met' if results['targets_met'][key] else 'MISSED'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats (default 30)")
    parser.add_argument("--tiny", action="store_true", help="toy sizes: a smoke test")
    args = parser.parse_args(argv)
    config = TINY if args.tiny else BenchConfig()
    if args.repeats is not None:
        if args.repeats < 1:
            parser.error(f"--repeats must be at least 1, got {args.repeats}")
        config = replace(config, repeats=args.repeats)

    from course_lib.data import load_mnist

    data = load_mnist(progress=False)
    results = run(config, data)
    print(format_table(results))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
