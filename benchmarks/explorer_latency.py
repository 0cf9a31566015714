"""Kernel-side update time of every explorer: from ``explorer.set(...)`` to a new PNG.

Discovers every :class:`course_lib.widgets.base.Explorer` subclass in the modules of
:mod:`course_lib.widgets` (each module imported with :mod:`pkgutil`) that offers
``example()`` and ``example_moves``. Each is built with ``example()``; its
``example_moves`` are then applied in turn, ``--repeats`` times round, and every update is
timed (draw, render and readout: what a learner waits for after moving a slider, minus the
browser). Prints a table of median and 90th-percentile milliseconds and ends with one JSON
line ``{"median_ms": {explorer: ms, ...}, "p90_ms": {...}, ...}``; an explorer that cannot be
built (say, one that needs MNIST on a machine without it) is listed under ``"errors"``.
Target: median <= 50 ms per explorer on a 2-core machine.

    .venv/bin/python benchmarks/explorer_latency.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import statistics
import sys
import time

#: The target for each explorer's median update time, in milliseconds.
TARGET_MS = 50.0


def discover_explorers() -> dict[str, type]:
    """Every explorer class with ``example()`` and ``example_moves``, by ``module.Class``."""
    import course_lib.widgets as package
    from course_lib.widgets.base import Explorer

    found = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, Explorer)
                and cls is not Explorer
                and cls.__module__ == module.__name__
                and callable(getattr(cls, "example", None))
                and getattr(cls, "example_moves", None)
            ):
                found[f"{info.name}.{name}"] = cls
    return found


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of an empty list")
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def measure(cls: type, repeats: int) -> list[float]:
    """Milliseconds per update over ``repeats`` rounds of ``cls.example_moves``."""
    explorer = cls.example()
    # One untimed round first: caches (backgrounds, imports) fill on the first updates.
    for move in cls.example_moves:
        explorer.set(**move)
    times = []
    for _ in range(repeats):
        for move in cls.example_moves:
            start = time.perf_counter()
            explorer.set(**move)
            times.append((time.perf_counter() - start) * 1000.0)
    return times


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print the table and the JSON line; return the JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="rounds of example_moves")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")

    import matplotlib

    matplotlib.use("Agg")
    explorers = discover_explorers()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    median_ms, p90_ms, updates, errors = {}, {}, {}, {}
    width = max([len(k) for k in explorers] + [8])
    print(f"{'explorer':<{width}}  {'updates':>7}  {'median ms':>9}  {'p90 ms':>8}  target")
    for key, cls in explorers.items():
        try:
            times = measure(cls, args.repeats)
        except Exception as err:  # e.g. an explorer needing MNIST on a machine without it
            errors[key] = f"{type(err).__name__}: {str(err).splitlines()[0]}"
            print(f"{key:<{width}}  could not run: {errors[key]}")
            continue
        median_ms[key] = round(statistics.median(times), 2)
        p90_ms[key] = round(percentile(times, 90), 2)
        updates[key] = len(times)
        ok = "ok" if median_ms[key] <= TARGET_MS else "SLOW"
        print(f"{key:<{width}}  {len(times):>7}  {median_ms[key]:>9.1f}  {p90_ms[key]:>8.1f}  {ok}")
    record = {
        "median_ms": median_ms,
        "p90_ms": p90_ms,
        "updates": updates,
        "errors": errors,
        "target_ms": TARGET_MS,
        "all_within_target": not errors and all(v <= TARGET_MS for v in median_ms.values()),
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(record))
    return record


if __name__ == "__main__":
    main(sys.argv[1:])
