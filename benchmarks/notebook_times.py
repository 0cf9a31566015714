"""How long each notebook takes to run top to bottom in a fresh kernel, against its target.

Each notebook is executed with nbclient in a new ``python3`` kernel, the way a learner's
"Restart Kernel and Run All Cells" does (kernel start-up included), from the notebook's own
folder. Nothing is written back: the notebooks on disk are left as they are. The kernel
inherits the environment, so ``COURSE_LIB_DATA`` chooses the data cache as usual;
``COURSE_STRICT_CHECKS=1`` is set as ``make test`` does.

Targets: notebooks 00-05 at most 30 s each (the optional primer ``00a_primer`` included),
06 and 07 at most 45 s each, 08 at most 90 s, the finale 09 at most 60 s (training both of
its networks on a first run), all of them together at most 300 s. The script prints a table and
ends with one JSON line::

    {"seconds": {"00_welcome": 6.1, ...}, "total": 123.4, "over_target": [], "failed": [], ...}

The optional notebook ``10_how_fast_can_it_go`` has the 90 s target too but is not part of the
course's 300 s budget: it is timed and listed, and left out of "total".

Usage::

    COURSE_LIB_DATA=/path/to/data .venv/bin/python benchmarks/notebook_times.py [NOTEBOOK ...]

The exit status is 1 when a notebook fails to run, 0 otherwise (slow notebooks are listed
under "over_target" but do not fail the run: timings depend on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Seconds allowed per notebook, by course number, and for the whole course.
TARGET_EARLY_S = 30.0  # 00-05: small data, NumPy
TARGET_MLP_S = 45.0  # 06 and 07: an MLP on MNIST; convolutions by hand
TARGET_DATA_S = 90.0  # 08 and 10: CNNs on MNIST and Fashion-MNIST
TARGET_FINALE_S = 60.0  # 09: the drawing pad (trains both networks on a first run)
TARGET_TOTAL_S = 300.0
#: Optional notebooks, by course number: each has its own target, outside the course's budget.
OPTIONAL = frozenset({10})


def target_for(name: str) -> float | None:
    """The time target in seconds for a notebook named ``NN_title`` or ``NNa_title``.

    A lettered notebook (``00a_primer``) sits between ``NN`` and the next number and has the
    target of ``NN``. None for a name without a course number.
    """
    match = re.match(r"(\d\d)[a-z]?_", name)
    if not match:
        return None
    number = int(match.group(1))
    if number <= 5:
        return TARGET_EARLY_S
    if number in (6, 7):
        return TARGET_MLP_S
    if number == 8 or number in OPTIONAL:
        return TARGET_DATA_S
    if number == 9:
        return TARGET_FINALE_S
    return None


def in_course_budget(name: str) -> bool:
    """Whether a notebook's time counts towards the 300 s total (all but the optional ones)."""
    match = re.match(r"(\d\d)", name)
    return not (match and int(match.group(1)) in OPTIONAL)


def run_notebook(path: Path, cell_timeout: int, save_to: Path | None = None) -> float:
    """Execute ``path`` in a fresh kernel; return the wall-clock seconds (raises on error).

    ``save_to``: a folder where the executed copy, outputs and figures included, is written
    under the same file name (never the notebook's own folder).
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    took = time.perf_counter() - start
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, save_to / path.name)
    return took


def _status(seconds: float | None, target: float | None) -> str:
    if seconds is None:
        return "FAILED"
    if target is None:
        return "no target"
    return "ok" if seconds <= target else "OVER TARGET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to time (default: every notebooks/*.ipynb, in course order)",
    )
    parser.add_argument(
        "--cell-timeout", type=int, default=600, help="seconds one cell may run (default 600)"
    )
    parser.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="also write each executed notebook, with its figures, into DIR (to look at them)",
    )
    args = parser.parse_args(argv)
    if args.save is not None and args.save.resolve() == (ROOT / "notebooks").resolve():
        parser.error("--save must not be the notebooks folder: the sources would be overwritten")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if not paths:
        parser.error(f"no notebooks found in {ROOT / 'notebooks'}")

    os.environ.setdefault("COURSE_STRICT_CHECKS", "1")
    data = os.environ.get("COURSE_LIB_DATA") or "(user cache; set COURSE_LIB_DATA to choose)"
    print(f"Data cache: {data}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"{'notebook':<36} {'seconds':>8} {'target':>7}  status")

    seconds: dict[str, float] = {}
    failed: dict[str, str] = {}
    over: list[str] = []
    for path in paths:
        name = path.stem
        target = target_for(name)
        try:
            took = run_notebook(path, args.cell_timeout, args.save)
        except Exception as error:  # report and carry on with the other notebooks
            took = None
            first_line = (str(error).strip().splitlines() or [""])[-1]
            failed[name] = f"{type(error).__name__}: {first_line}"[:300]
        else:
            seconds[name] = round(took, 2)
            if target is not None and took > target:
                over.append(name)
        shown = "-" if took is None else f"{took:.1f}"
        shown_target = "-" if target is None else f"{target:.0f}"
        optional = "" if in_course_budget(name) else " (optional: not in the total)"
        status = _status(took, target) + optional
        print(f"{name:<36} {shown:>8} {shown_target:>7}  {status}", flush=True)
        if name in failed:
            print(f"    {failed[name]}")

    total = round(sum(t for name, t in seconds.items() if in_course_budget(name)), 2)
    total_ok = total <= TARGET_TOTAL_S
    print(
        f"{'total':<36} {total:>8.1f} {TARGET_TOTAL_S:>7.0f}  {'ok' if total_ok else 'OVER TARGET'}"
    )
    print(
        json.dumps(
            {
                "seconds": seconds,
                "total": total,
                "targets": {
                    "00-05": TARGET_EARLY_S,
                    "06-07": TARGET_MLP_S,
                    "08": TARGET_DATA_S,
                    "09": TARGET_FINALE_S,
                    "10": TARGET_DATA_S,
                    "total": TARGET_TOTAL_S,
                },
                "over_target": over + ([] if total_ok else ["total"]),
                "optional": sorted(n for n in seconds if not in_course_budget(n)),
                "failed": failed,
                "cpus": os.cpu_count(),
            }
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
