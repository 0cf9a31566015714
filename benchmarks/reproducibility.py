"""Does a notebook print the same key numbers every time it runs? Run it several times and see.

Each notebook is executed ``--runs`` times (default 3), each time in a fresh ``python3``
kernel from the notebook's own folder, as ``benchmarks/notebook_times.py`` runs it
(``COURSE_STRICT_CHECKS=1``, the environment inherited, so ``COURSE_LIB_DATA`` chooses the
data). Every run starts with an empty folder for saved weights (``COURSE_LIB_MODELS``, a
temporary folder emptied between runs), so run 2 trains what run 1 trained instead of
loading run 1's weights: loading would hide a difference in the training. The folder is
deleted afterwards; the learner's own folders are never touched.

From every run the script reads the numbers the notebook printed (standard output, and the
plain-text or Markdown form of displayed results; not standard error and not widgets, where
progress bars go), pairs them up by cell and position, and compares the runs: ``0.50`` and
``0.5`` are the same number, ``97.31%`` and ``97.32%`` are not.

Timings are left out, by two rules a notebook author follows (see ``docs/maintaining.md``):

* a number printed **directly before a unit of time or speed** (``1.3 s``, ``12 ms``,
  ``45.0 GFLOP/s``, ``3,100 images per second``, ``2.1x faster``, ``2 threads``: the
  full list is :data:`TIMING_UNIT`);
* every number printed by a code cell **tagged** ``timing`` (cell metadata ``tags``), for a
  cell whose numbers all come from a clock (a throughput table, a speed ratio).

Usage::

    COURSE_LIB_DATA=/path/to/data .venv/bin/python benchmarks/reproducibility.py [NOTEBOOK ...]

It prints a table (notebook, numbers compared, numbers left out as timings, differences),
each difference with the line it came from, and ends with one JSON line::

    {"notebooks": {"02_the_neuron": {"compared": 31, "timing": 0, "differences": 0}, ...},
     "differences": {}, "failed": {}, "runs": 3, ...}

The exit status is 1 when a key number differs between runs or a notebook fails to run.

The training loops choose their thread count from the machine's load
(``course_lib.threads``), and a float32 sum split between two threads rounds differently
from one thread's: when the load changes between runs, the last printed digit of an
accuracy can change with it. The script reads the thread counts the runs printed
(``cpu (2 threads)``) and says when they differed, so such a difference is recognised;
``COURSE_THREADS=1`` fixes the count for an exact comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_times import run_notebook  # noqa: E402  (the sibling script, imported as is)

ROOT = Path(__file__).resolve().parents[1]

#: The cell tag that marks every number a cell prints as a timing.
TIMING_TAG = "timing"

#: A number written like this is compared: 3, -0.25, 97.31, 1,234,567, 1e-05, 2.5E+3.
#: Digits glued to a name (``conv1``, ``x_train``, the ``3`` of ``3x3``) are not numbers;
#: neither are hexadecimal addresses (``0x7f3a...``), which are removed first.
NUMBER = re.compile(
    r"(?<![\w.])"  # not the tail of a name or of another number
    r"(?P<number>-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|-?\.\d+(?:[eE][-+]?\d+)?)"
)
_HEX = re.compile(r"\b0x[0-9a-fA-F]+\b")
_WIDGET = "application/vnd.jupyter.widget-view+json"
_THREADS = re.compile(r"(?<![\w.])(\d+) threads?\b")

#: The units that make the number before them a timing. What the number may be followed by,
#: after optional spaces: a unit of time, a rate per second, a speed-up, a thread count.
TIMING_UNIT = re.compile(
    r"\s*(?:"
    r"(?:ns|us|µs|ms|s|sec|secs|seconds?|min|minutes?|hours?|days?)(?![\w/])"
    r"|[A-Za-z]*/s\b"  # GFLOP/s, images/s, it/s
    r"|(?:[A-Za-z,]+ ){0,3}per second\b"  # images per second, times the images per second
    r"|(?:x|×|times) (?:faster|slower)\b"
    r"|threads?\b"
    r")"
)


@dataclass(frozen=True)
class Printed:
    """One number a notebook printed: where (cell, position), what, and in which line."""

    cell: str  # the cell's id (``cell-07``)
    position: int  # 0 for the cell's first compared number, 1 for the next, ...
    text: str  # as printed: "97.31", "1,234"
    value: float  # the number itself: 97.31, 1234.0
    line: str  # the printed line it sits in, for the report


@dataclass(frozen=True)
class Extracted:
    """The numbers of one run: those to compare, and how many were left out as timings."""

    numbers: tuple[Printed, ...]
    timing: int
    threads: tuple[int, ...] = ()  # every "N threads" the run printed (left out as timings)


@dataclass(frozen=True)
class Difference:
    """A key number (or a cell's count of numbers) that is not the same in every run."""

    cell: str
    position: int | None  # None: the cell printed a different count of numbers
    printed: tuple[str, ...]  # what each run printed there
    line: str  # the line of the first run


def value_of(text: str) -> float:
    """The value of a printed number: ``"1,234.5"`` -> 1234.5, ``"1e-05"`` -> 1e-05."""
    return float(text.replace(",", ""))


def numbers_in_line(line: str) -> tuple[list[str], int]:
    """The numbers of one printed line to compare, and how many of its numbers are timings."""
    line = _HEX.sub(" ", line)
    keep: list[str] = []
    timing = 0
    for match in NUMBER.finditer(line):
        if TIMING_UNIT.match(line, match.end()):
            timing += 1
        else:
            keep.append(match.group("number"))
    return keep, timing


def printed_lines(cell) -> list[str]:
    """What a code cell showed as text: its standard output, and its results' plain text or
    Markdown (Markdown when there is some: a Markdown table's plain text is only its repr).
    Widgets are skipped: a progress bar's text is whatever it showed when it was drawn."""
    lines: list[str] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout":
                lines.extend(_text(output.get("text", "")).splitlines())
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            if _WIDGET in data:  # a progress bar or an explorer: its text is a snapshot
                continue
            text = data.get("text/markdown", data.get("text/plain", ""))
            lines.extend(_text(text).splitlines())
    return lines


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def is_timing_cell(cell) -> bool:
    """Whether a cell is tagged ``timing``: everything it prints is a timing."""
    return TIMING_TAG in cell.get("metadata", {}).get("tags", [])


def extract(nb) -> Extracted:
    """The numbers an executed notebook printed, cell by cell, timings left out."""
    numbers: list[Printed] = []
    timing = 0
    threads: list[int] = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        cell_id = cell.get("id") or f"cell {index}"
        position = 0
        for line in printed_lines(cell):
            threads.extend(int(n) for n in _THREADS.findall(line))
            keep, left_out = numbers_in_line(line)
            if is_timing_cell(cell):
                timing += len(keep) + left_out
                continue
            timing += left_out
            for text in keep:
                numbers.append(Printed(cell_id, position, text, value_of(text), line.strip()))
                position += 1
    return Extracted(tuple(numbers), timing, tuple(threads))


def compare(runs: list[Extracted]) -> list[Difference]:
    """Every number that is not the same in all runs (its value, not its formatting), and
    every cell whose count of numbers differs between runs (reported once, as the cell)."""
    if len(runs) < 2:
        return []
    by_cell: list[dict[str, list[Printed]]] = []
    for run in runs:
        cells: dict[str, list[Printed]] = {}
        for number in run.numbers:
            cells.setdefault(number.cell, []).append(number)
        by_cell.append(cells)
    cell_ids = list(dict.fromkeys(n.cell for run in runs for n in run.numbers))
    differences: list[Difference] = []
    for cell_id in cell_ids:
        per_run = [cells.get(cell_id, []) for cells in by_cell]
        counts = {len(numbers) for numbers in per_run}
        if len(counts) > 1:
            first = next(numbers for numbers in per_run if numbers)
            differences.append(
                Difference(
                    cell_id,
                    None,
                    tuple(f"{len(numbers)} numbers" for numbers in per_run),
                    first[0].line,
                )
            )
            continue
        for position, same_place in enumerate(zip(*per_run, strict=True)):
            if len({n.value for n in same_place}) > 1:
                differences.append(
                    Difference(
                        cell_id,
                        position,
                        tuple(n.text for n in same_place),
                        same_place[0].line,
                    )
                )
    return differences


def describe(difference: Difference) -> str:
    """One line for the report: where, what each run printed, and the line of run 1."""
    where = (
        difference.cell
        if difference.position is None
        else (f"{difference.cell} #{difference.position}")
    )
    return f"{where}: {' | '.join(difference.printed)}   in: {difference.line[:120]}"


def run_once(path: Path, cell_timeout: int, save_to: Path, models: Path):
    """Execute ``path`` in a fresh kernel with ``models`` as an empty models folder; return
    the executed notebook (also written into ``save_to``)."""
    import nbformat

    if models.exists():
        shutil.rmtree(models)  # what the previous run trained must not be loaded
    models.mkdir(parents=True)
    before = os.environ.get("COURSE_LIB_MODELS")
    os.environ["COURSE_LIB_MODELS"] = str(models)  # the kernel inherits it
    try:
        run_notebook(path, cell_timeout, save_to)
    finally:
        if before is None:
            del os.environ["COURSE_LIB_MODELS"]
        else:
            os.environ["COURSE_LIB_MODELS"] = before
    return nbformat.read(save_to / path.name, as_version=4)


def check_notebook(path: Path, runs: int, cell_timeout: int, keep: Path | None):
    """Run one notebook ``runs`` times; (numbers of each run, differences).

    Every run gets the same path for its models folder, emptied before it starts: the path
    is printed (09 says where it keeps weights), so a new name per run would be a difference.
    """
    with tempfile.TemporaryDirectory(prefix="course-repro-") as scratch:
        scratch = Path(scratch)
        extracted = []
        for i in range(runs):
            save_to = (keep if keep is not None else scratch) / f"run{i + 1}"
            extracted.append(extract(run_once(path, cell_timeout, save_to, scratch / "models")))
    return extracted, compare(extracted)


def from_saved(path: Path, runs: int, saved: Path):
    """The same as :func:`check_notebook`, from executed copies kept by an earlier ``--keep``.

    The ``timing`` tags are read from the notebook as it is now, so a tag added since the
    runs counts without running them again.
    """
    import nbformat

    source = nbformat.read(path, as_version=4)
    tags = {cell.get("id"): cell.get("metadata", {}).get("tags", []) for cell in source.cells}
    extracted = []
    for i in range(runs):
        nb = nbformat.read(saved / f"run{i + 1}" / path.name, as_version=4)
        for cell in nb.cells:
            if cell.get("id") in tags:
                cell.metadata["tags"] = tags[cell.get("id")]
        extracted.append(extract(nb))
    return extracted, compare(extracted)


def default_notebooks() -> list[Path]:
    """Every course notebook, in course order: ``notebooks/NN*_*.ipynb``."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to check (default: every notebooks/NN*_*.ipynb, in course order)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per notebook (default 3)")
    parser.add_argument(
        "--cell-timeout", type=int, default=600, help="seconds one cell may run (default 600)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write each run's executed notebook to DIR/runK/ (to read the outputs later)",
    )
    parser.add_argument(
        "--from-saved",
        type=Path,
        metavar="DIR",
        help="run nothing: compare the executed notebooks an earlier --keep DIR wrote",
    )
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error(f"--runs must be at least 2 to compare anything, got {args.runs}")
    notebooks_dir = (ROOT / "notebooks").resolve()
    if args.keep is not None and args.keep.resolve() == notebooks_dir:
        parser.error("--keep must not be the notebooks folder: the sources would be overwritten")
    paths = args.notebooks or default_notebooks()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")

    os.environ.setdefault("COURSE_STRICT_CHECKS", "1")
    print(f"Data cache: {os.environ.get('COURSE_LIB_DATA') or '(user cache)'}")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {args.runs} runs per notebook")
    print(f"{'notebook':<36} {'compared':>8} {'timing':>7} {'differ':>7}")

    summary: dict[str, dict[str, int]] = {}
    differences: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    thread_counts: dict[str, list[list[int]]] = {}
    for path in paths:
        name = path.stem
        try:
            if args.from_saved is not None:
                extracted, found = from_saved(path, args.runs, args.from_saved)
            else:
                extracted, found = check_notebook(path, args.runs, args.cell_timeout, args.keep)
        except Exception as error:  # report and carry on with the other notebooks
            first_line = (str(error).strip().splitlines() or [""])[-1]
            failed[name] = f"{type(error).__name__}: {first_line}"[:300]
            print(f"{name:<36} {'-':>8} {'-':>7} {'-':>7}  FAILED: {failed[name]}", flush=True)
            continue
        compared = len(extracted[0].numbers)
        timing = extracted[0].timing
        summary[name] = {"compared": compared, "timing": timing, "differences": len(found)}
        print(f"{name:<36} {compared:>8} {timing:>7} {len(found):>7}", flush=True)
        if found:
            differences[name] = [describe(d) for d in found]
            for line in differences[name]:
                print(f"    {line}")
        counts = [run.threads for run in extracted]
        if len(set(counts)) > 1:  # PyTorch's and BLAS's float32 sums depend on the count
            thread_counts[name] = [sorted(set(c)) for c in counts]
            print(f"    note: the runs used different thread counts {thread_counts[name]}")
    print(
        json.dumps(
            {
                "notebooks": summary,
                "differences": differences,
                "failed": failed,
                "thread_counts_differed": thread_counts,
                "runs": args.runs,
                "cpus": os.cpu_count(),
            }
        )
    )
    return 1 if differences or failed else 0


if __name__ == "__main__":
    sys.exit(main())
