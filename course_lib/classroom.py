"""Make a student edition of the course: the same notebooks with the solutions taken out.

Every exercise's answer sits in a code cell tagged ``solution`` between two marker lines::

    def sigmoid(x):
        # HINT: use np.exp; 1 / (1 + exp(-x)).
        ### BEGIN SOLUTION
        return 1 / (1 + np.exp(-x))
        ### END SOLUTION

The student edition replaces each marked region with a stub that raises
``NotImplementedError`` carrying the hint from the ``# HINT:`` line (or a generic one), and
clears every output. Everything else is kept. The markers are the ones nbgrader uses, and
every solution cell also carries nbgrader's cell metadata (``solution: true``, a unique
``grade_id``), so a teacher who grades with nbgrader 0.9 can release the source notebooks
with ``nbgrader generate_assignment`` instead (see ``docs/teaching.md``).

Command line::

    python -m course_lib.classroom student notebooks/ student_edition/ [--force]

Existing files are never overwritten unless ``--force`` is given; each file is written to a
temporary name first and then renamed, so an interrupted run leaves no half-written notebook.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT_PREFIX = "# HINT:"
SOLUTION_TAG = "solution"
DEFAULT_HINT = "replace this line with your answer."


class ClassroomError(ValueError):
    """A notebook's solution markers are inconsistent, or a path would lose someone's work."""


@dataclass(frozen=True)
class Written:
    """What happened to one notebook."""

    source: Path
    target: Path
    solutions_removed: int
    action: str  # "wrote", "overwrote" or "skipped (exists; use --force)"


def strip_solutions(source: str, where: str = "cell") -> tuple[str, int]:
    """Return ``source`` with every marked solution region replaced by a stub, and the count.

    The stub keeps the indentation of the ``### BEGIN SOLUTION`` line and raises
    ``NotImplementedError`` with the nearest ``# HINT:`` line above the region.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a cell's text (str), got {type(source).__name__}")
    out: list[str] = []
    hint = DEFAULT_HINT
    inside = False
    removed = 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        for marker in (BEGIN, END):
            if marker in line and stripped != marker:
                # Not alone on its line: it would be kept as it is, and with it the answer.
                raise ClassroomError(
                    f"{where}, line {number}: {marker!r} must stand alone on its line "
                    f"(found {stripped!r}); put it on a line of its own"
                )
        if stripped.startswith(HINT_PREFIX):
            hint = stripped[len(HINT_PREFIX) :].strip() or DEFAULT_HINT
        if stripped == BEGIN:
            if inside:
                raise ClassroomError(f"{where}, line {number}: {BEGIN} inside another solution")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}raise NotImplementedError({hint!r})")
            removed += 1
            continue
        if stripped == END:
            if not inside:
                raise ClassroomError(f"{where}, line {number}: {END} without a {BEGIN} above it")
            inside = False
            hint = DEFAULT_HINT
            continue
        if not inside:
            out.append(line)
    if inside:
        raise ClassroomError(f"{where}: {BEGIN} is never closed by {END}")
    return "\n".join(out), removed


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> tuple:
    """Return a student copy of ``nb`` (solutions stubbed, outputs cleared) and the count."""
    nb = nbformat.from_dict(nb)  # a deep copy: the source notebook is never changed
    removed = 0
    for index, cell in enumerate(nb.cells):
        where = f"{name}, cell {index}"
        tagged = SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])
        has_marker = BEGIN in cell.source or END in cell.source
        if has_marker and not tagged:
            raise ClassroomError(
                f"{where} has solution markers but no '{SOLUTION_TAG}' tag; tag the cell "
                "(View > Cell Toolbar > Tags) so the solution is not handed out by mistake"
            )
        if tagged:
            if cell.cell_type != "code":
                raise ClassroomError(f"{where} is tagged '{SOLUTION_TAG}' but is not a code cell")
            if not has_marker:
                raise ClassroomError(
                    f"{where} is tagged '{SOLUTION_TAG}' but has no {BEGIN} / {END} lines; "
                    "mark the answer so it can be removed"
                )
            cell.source, count = strip_solutions(cell.source, where)
            if count == 0:
                raise ClassroomError(
                    f"{where} is tagged '{SOLUTION_TAG}' but has no {BEGIN} line; "
                    "mark the answer so it can be removed"
                )
            removed += count
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb, removed


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read and validate one notebook; a ClassroomError names the file and what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ClassroomError(
            f"{path} is not a notebook: it is not UTF-8 text ({error.reason} at byte "
            f"{error.start}); give the .ipynb file Jupyter saved"
        ) from None
    except OSError as error:
        raise ClassroomError(f"{path} cannot be read ({error.strerror or error})") from None
    fix = "open it in Jupyter and save it again, or restore it from version control"
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ClassroomError(
            f"{path} is not valid JSON, so it is not a notebook ({error}); {fix}"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        what = (
            "has no 'nbformat' number"
            if isinstance(data, dict)
            else (f"holds a JSON {type(data).__name__}, not an object")
        )
        raise ClassroomError(f"{path} is JSON but not a notebook: it {what}; {fix}")
    if data["nbformat"] >= 4 and not isinstance(data.get("cells"), list):
        raise ClassroomError(
            f"{path} is JSON but not a notebook: its 'cells' is not a list of cells; {fix}"
        )
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds for JSON of the wrong shape
        raise ClassroomError(
            f"{path} is JSON but not a notebook ({type(error).__name__}: {_first_line(error)}); "
            f"{fix}"
        ) from None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as error:
        where = "/".join(str(p) for p in error.path) or "the top level"
        raise ClassroomError(
            f"{path} is not a valid notebook: at {where}, {_first_line(error.message)}; {fix}"
        ) from None
    return nb


def _first_line(error, limit: int = 160) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def make_student_edition(source: Path, target: Path, *, force: bool = False) -> list[Written]:
    """Write the student edition of the notebook(s) at ``source`` into the folder ``target``.

    ``source`` is a notebook or a folder of notebooks. Files in ``target`` are only
    replaced with ``force=True``; ``target`` may be neither the source folder nor a folder
    inside it. Every notebook is read and checked before anything is written, so one bad
    notebook leaves ``target`` exactly as it was.
    """
    for value, name in ((source, "source"), (target, "target")):
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a path (str or Path), got {type(value).__name__}")
    if not isinstance(force, bool):
        raise TypeError(f"force must be True or False, got {force!r}")
    source, target = Path(source), Path(target)
    if not source.exists():
        raise ClassroomError(f"source {source} does not exist; give a notebook or a folder")
    if source.is_file():
        if source.suffix != ".ipynb":
            raise ClassroomError(f"source {source} is not a .ipynb notebook; give one, or a folder")
        notebooks = [source]
    else:
        try:
            notebooks = sorted(source.glob("*.ipynb"))
        except OSError as error:
            raise ClassroomError(
                f"source folder {source} cannot be read ({error.strerror or error})"
            ) from None
        if not notebooks and not os.access(source, os.R_OK | os.X_OK):
            raise ClassroomError(f"source folder {source} cannot be read (permission denied)")
    if not notebooks:
        raise ClassroomError(f"no .ipynb notebooks found in {source}")
    if target.exists() and not target.is_dir():
        raise ClassroomError(f"target {target} exists and is not a folder; give a folder")
    source_dir = (source.parent if source.is_file() else source).resolve()
    resolved = target.resolve()
    if resolved == source_dir:
        raise ClassroomError(
            f"target {target} is the source folder: writing there would replace the notebooks "
            "with solutions; choose another folder, e.g. student_edition/"
        )
    if source_dir in resolved.parents:
        raise ClassroomError(
            f"target {target} is inside the source folder {source_dir}: the student edition "
            "would sit among the notebooks with solutions; choose a folder outside it"
        )
    # Check every notebook, and every file it would replace, before writing any, so a bad
    # notebook leaves the target untouched.
    prepared = []
    for path in notebooks:
        nb = read_notebook(path)
        prepared.append((path, *student_notebook(nb, str(path))))
    for path, _, _ in prepared:
        out = target / path.name
        if out.exists() and not out.is_file():
            raise ClassroomError(f"{out} exists and is not a file; move it away, then run again")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ClassroomError(
            f"target folder {target} cannot be created ({error.strerror or error}); "
            "choose a folder you can write to"
        ) from None
    results = []
    for path, nb, removed in prepared:
        out = target / path.name
        if out.exists() and not force:
            results.append(Written(path, out, removed, "skipped (exists; use --force)"))
            continue
        action = "overwrote" if out.exists() else "wrote"
        try:
            _write_atomically(nb, out)
        except OSError as error:
            done = (
                ", ".join(str(r.target) for r in results if not r.action.startswith("skipped"))
                or "none"
            )
            raise ClassroomError(
                f"{out} cannot be written ({error.strerror or error}); nothing was left half "
                f"written. Written before it: {done}"
            ) from None
        results.append(Written(path, out, removed, action))
    return results


def _write_atomically(nb: nbformat.NotebookNode, path: Path) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.classroom",
        description="Make classroom editions of the course notebooks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="write a student edition without solutions")
    student.add_argument("source", type=Path, help="a notebook or a folder of notebooks")
    student.add_argument("target", type=Path, help="folder to write the student edition into")
    student.add_argument("--force", action="store_true", help="replace files that exist")
    args = parser.parse_args(argv)
    try:
        results = make_student_edition(args.source, args.target, force=args.force)
    except ClassroomError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    skipped = 0
    for r in results:
        what = f"{r.solutions_removed} solutions removed"
        if r.solutions_removed == 0:
            what = "no solution regions: copied with the outputs cleared"
        print(f"{r.action}: {r.target} ({what})")
        skipped += r.action.startswith("skipped")
    if skipped:
        print(
            f"{skipped} file(s) already existed and were left as they are; "
            "run again with --force to replace them.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
