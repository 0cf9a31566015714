"""Busy machine: how much slower the course trains beside one competing CPU-bound process.

On a laptop a learner often has other programs running; on Binder or JupyterHub the pod
sees many host cores but gets a quota of one or two. With one worker thread per visible
core, NumPy's BLAS and PyTorch then wait on each other at every product and an epoch can
take ten times longer. The course's training loops pick their thread count at the start
of every epoch (:mod:`course_lib.threads`); this script measures what that buys.

It times one epoch of notebook 06's MLP (NumPy ``MLP.fit``, 784-256-10, batches of 128)
and of notebook 08's CNN (``fast_cnn`` with the CPU recipe through ``fit``) on MNIST, each
quiet and beside one CPU-bound process (``yes > /dev/null``), as the median of
``--repeats`` runs. The last line is JSON with ``mlp_ratio`` and ``cnn_ratio`` (busy time /
quiet time). On 2 cores, 2.0 is the floor for work that used both cores while quiet and
has one left when busy; lower is possible where the second thread gained little.

Usage::

    COURSE_LIB_DATA=/path/to/data .venv/bin/python benchmarks/busy_machine.py
        [--repeats 3] [--fixed-threads] [--notebook]

``--fixed-threads`` also times the busy runs with the thread count fixed at every usable
core (``COURSE_THREADS``), which is what the libraries do by themselves: the "before".
``--notebook`` also runs the whole of notebook 06 in a fresh kernel, quiet and busy.
``--tiny`` uses 2 048 images (a smoke test of the script; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def competitor(active: bool):
    """One CPU-bound process beside us while the block runs (``yes > /dev/null``)."""
    if not active:
        yield
        return
    if shutil.which("yes"):
        proc = subprocess.Popen(["yes"], stdout=subprocess.DEVNULL)
    else:  # pragma: no cover - every Linux and macOS has yes
        proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.5)  # let it settle onto a core
        yield
    finally:
        proc.kill()
        proc.wait()


@contextmanager
def fixed_threads(n: int | None):
    """Fix the course's thread count (``COURSE_THREADS``) while the block runs."""
    old = os.environ.get("COURSE_THREADS")
    if n is not None:
        os.environ["COURSE_THREADS"] = str(n)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("COURSE_THREADS", None)
        else:
            os.environ["COURSE_THREADS"] = old


def mlp_epoch(x, y) -> tuple[float, int]:
    """Seconds for one epoch of 06's NumPy MLP, and the threads its loop chose."""
    from threadpoolctl import threadpool_info

    from course_lib.numpy_nn.mlp import MLP

    model = MLP([784, 256, 10], seed=0)
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=128, lr=1e-3, progress=False)
    seconds = time.perf_counter() - start
    blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return seconds, max(blas, default=0)


def cnn_epoch(x, y) -> tuple[float, int]:
    """Seconds for one epoch of 08's CNN with the CPU recipe, and the threads it chose."""
    import torch

    from course_lib.torch_nn.fast import FastRecipe, fast_cnn
    from course_lib.torch_nn.train import fit

    recipe = FastRecipe.for_device("cpu")
    model = fast_cnn(recipe, seed=0)
    kwargs = {**recipe.fit_kwargs(), "epochs": 1}
    start = time.perf_counter()
    fit(model, x[:, None], y, device="cpu", progress=False, seed=0, **kwargs)  # (N, 1, 28, 28)
    seconds = time.perf_counter() - start
    return seconds, torch.get_num_threads()


def median_time(fn, repeats: int, *args) -> tuple[float, int]:
    runs = [fn(*args) for _ in range(repeats)]
    return statistics.median(r[0] for r in runs), runs[-1][1]


def notebook_seconds(busy: bool) -> float:
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "06_mnist_with_a_feed_forward_net.ipynb"
    nb = nbformat.read(path, as_version=4)
    with competitor(busy):
        start = time.perf_counter()
        NotebookClient(
            nb,
            timeout=1800,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--fixed-threads", action="store_true", help="also time the 'before'")
    parser.add_argument("--notebook", action="store_true", help="also run notebook 06 busy/quiet")
    parser.add_argument("--tiny", action="store_true", help="2 048 images: a smoke test")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    from course_lib.data import load_mnist
    from course_lib.threads import usable_cpus

    x_train, y_train, _, _ = load_mnist(progress=False)
    n = 2048 if args.tiny else len(x_train)
    images, labels = x_train[:n], y_train[:n]
    x_flat = images.reshape(n, -1).astype("float32") / 255.0  # (N, 784)

    usable = usable_cpus()
    result: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "usable_cpus": usable,
        "images": n,
        "repeats": args.repeats,
    }
    print(f"{n} MNIST images, {usable} usable cores, median of {args.repeats} runs each")
    for name, fn, data in (
        ("mlp", mlp_epoch, (x_flat, labels)),
        ("cnn", cnn_epoch, (images, labels)),
    ):
        fn(*data)  # warm-up: thread pools, allocator, first-call costs
        quiet, t_quiet = median_time(fn, args.repeats, *data)
        with competitor(True):
            busy, t_busy = median_time(fn, args.repeats, *data)
        result[f"{name}_quiet_s"] = round(quiet, 3)
        result[f"{name}_busy_s"] = round(busy, 3)
        result[f"{name}_threads_quiet"] = t_quiet
        result[f"{name}_threads_busy"] = t_busy
        result[f"{name}_ratio"] = round(busy / quiet, 2)
        line = (
            f"{name.upper()} epoch: quiet {quiet:6.2f} s ({t_quiet} threads), busy {busy:6.2f} s "
            f"({t_busy} threads): {busy / quiet:.2f}x"
        )
        if args.fixed_threads:
            with competitor(True), fixed_threads(usable):
                fixed, _ = median_time(fn, args.repeats, *data)
            result[f"{name}_busy_fixed_s"] = round(fixed, 3)
            result[f"{name}_fixed_ratio"] = round(fixed / quiet, 2)
            line += f"; with {usable} fixed threads busy {fixed:6.2f} s: {fixed / quiet:.2f}x"
        print(line)
    if args.notebook:
        quiet_nb, busy_nb = notebook_seconds(False), notebook_seconds(True)
        result["notebook06_quiet_s"] = round(quiet_nb, 1)
        result["notebook06_busy_s"] = round(busy_nb, 1)
        result["notebook06_ratio"] = round(busy_nb / quiet_nb, 2)
        print(
            f"notebook 06: quiet {quiet_nb:.1f} s, busy {busy_nb:.1f} s: {busy_nb / quiet_nb:.2f}x"
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
