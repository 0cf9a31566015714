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

For a learner who studies alone, ``make lab`` runs::

    python -m course_lib.classroom self-study notebooks/ my_notebooks/
    python -m course_lib.classroom fresh notebooks/ my_notebooks/ [03] [--anyway]  # make fresh

``self-study`` writes the *self-study edition* (the student edition with a collapsed "Show a
solution" below each exercise's check) into the learner's folder, once; later runs add the
notebooks that are new in the course, never overwrite a file, and name each notebook that
changed in the course since the learner's copy was made. ``fresh`` writes the current version
of such a notebook beside the learner's copy, as ``03_learning.fresh.ipynb``; a named notebook
that did not change is written only with ``--anyway``. An earlier fresh copy is replaced only
if the learner has not touched it since it was written. A manifest in the folder
(``.course-manifest.json``) records which source version each copy was made from, and a hash
of each fresh copy as written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
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
    notebooks = _find_notebooks(source)
    _check_target(source, target)
    # Check every notebook, and every file it would replace, before writing any, so a bad
    # notebook leaves the target untouched.
    prepared = []
    for path in notebooks:
        nb = read_notebook(path)
        prepared.append((path, *student_notebook(nb, str(path))))
    for path, _, _ in prepared:
        _existing_file(target / path.name)
    _make_folder(target)
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


def _find_notebooks(source: Path) -> list[Path]:
    """The notebook ``source`` names, or the notebooks in the folder ``source``, sorted."""
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
    return notebooks


def _check_target(source: Path, target: Path) -> None:
    """Refuse a target that is a file, the source folder or a folder inside it."""
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


# --- the self-study edition ---------------------------------------------------------------
#
# `make lab` gives a learner who studies alone their own copy of the course: the student
# edition, plus a collapsed "Show a solution" below each exercise's check. A manifest in the
# learner's folder records which version of each source notebook every copy was made from,
# so a later run can add notebooks that are new in the course and name the ones that changed,
# without ever overwriting the learner's file.

MANIFEST_NAME = ".course-manifest.json"
MANIFEST_FORMAT = 1
REVEAL_TAG = "solution-reveal"
DEFAULT_SELF_STUDY_FOLDER = "my_notebooks"
FRESH_SUFFIX = ".fresh"
HINT_SUMMARY = re.compile(r"<summary>\s*Hint", re.IGNORECASE)


@dataclass(frozen=True)
class Synced:
    """What a self-study run did with one notebook, and the line to tell the learner."""

    name: str
    action: str  # "wrote", "restored" (was missing), "kept", "unchanged" or "changed upstream"
    message: str


def solution_reveal(cell: nbformat.NotebookNode) -> str:
    """Return the markdown of a collapsed reveal holding the solution of one ``cell``.

    The reveal shows the whole cell with the marker lines left out, so the answer is seen in
    its place (the ``def`` line, the docstring) and can be copied as it is.
    """
    if not isinstance(cell, dict) or not isinstance(cell.get("source"), str):
        raise TypeError(f"cell must be a notebook cell, got {type(cell).__name__}")
    lines = [line for line in cell.source.splitlines() if line.strip() not in (BEGIN, END)]
    code = "\n".join(lines).strip("\n")
    fence = "```"
    while fence in code:
        fence += "`"
    return (
        "<details>\n<summary>Show a solution</summary>\n\n"
        "Try the exercise and its check first: the check names the slip it finds. "
        "This is one way to write it.\n\n"
        f"{fence}python\n{code}\n{fence}\n\n</details>"
    )


def self_study_notebook(nb: nbformat.NotebookNode, name: str = "notebook") -> tuple:
    """Return the self-study copy of ``nb`` and the number of solutions taken out.

    It is the student edition (see :func:`student_notebook`) with, after each exercise's
    check (the code cell right after the solution cell), a markdown cell tagged
    ``solution-reveal`` holding the solution in a collapsed ``<details>`` block.
    """
    student, removed = student_notebook(nb, name)
    original = nbformat.from_dict(nb)
    ids = {cell.get("id") for cell in student.cells}
    reveals: dict[int, list] = {}
    for index, cell in enumerate(original.cells):
        if SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        after = index
        following = original.cells[index + 1] if index + 1 < len(original.cells) else None
        if (
            following is not None
            and following.cell_type == "code"
            and SOLUTION_TAG not in following.get("metadata", {}).get("tags", [])
        ):
            after = index + 1  # below the check, so the learner tries it first
            hint = original.cells[index + 2] if index + 2 < len(original.cells) else None
            if hint is not None and hint.cell_type == "markdown" and opens_with_hint(hint.source):
                after = index + 2  # a hint placed below the check still comes before the answer
        reveal = nbformat.v4.new_markdown_cell(
            solution_reveal(cell), metadata={"tags": [REVEAL_TAG]}
        )
        if original.get("nbformat_minor", 0) >= 5 and cell.get("id"):
            new_id = f"{cell.id}-reveal"
            while new_id in ids:
                new_id += "-1"
            ids.add(new_id)
            reveal["id"] = new_id
        else:
            reveal.pop("id", None)
        reveals.setdefault(after, []).append(reveal)
    cells = []
    for index, cell in enumerate(student.cells):
        cells.append(cell)
        cells.extend(reveals.get(index, []))
    student.cells = cells
    return student, removed


def is_hint(markdown: str) -> bool:
    """Whether a markdown cell holds a collapsed hint, ``<details><summary>Hint ...``."""
    return bool(HINT_SUMMARY.search(markdown))


def opens_with_hint(markdown: str) -> bool:
    """Whether a markdown cell *starts* with a collapsed hint: a hint left below an
    exercise's check, which belongs to that exercise (not to the one the cell introduces)."""
    text = markdown.lstrip()
    return text.startswith("<details>") and is_hint(text.split("</details>", 1)[0])


def source_fingerprint(nb: nbformat.NotebookNode) -> str:
    """A hash of a source notebook's content, outputs aside: equal exactly when it is unchanged."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    text = json.dumps(nb, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notebook_key(name: str) -> str:
    """The short name a learner types for a notebook: ``03`` for ``03_learning.ipynb``."""
    stem = Path(name).stem
    return stem.split("_", 1)[0] if "_" in stem else stem


def fresh_name(name: str) -> str:
    """Where the fresh copy of ``name`` goes: ``03_learning.fresh.ipynb`` beside the learner's."""
    path = Path(name)
    return f"{path.stem}{FRESH_SUFFIX}{path.suffix}"


def fresh_command(key: str, target: Path) -> str:
    """The command that writes the fresh copy of notebook ``key`` (as the learner types it)."""
    command = f"make fresh NB={key}"
    if Path(target) != Path(DEFAULT_SELF_STUDY_FOLDER):
        command += f" MY_NOTEBOOKS={target}"
    return command


def _source_notebooks(source: Path, target: Path) -> list[Path]:
    for value, name in ((source, "source"), (target, "target")):
        if not isinstance(value, (str, os.PathLike)):
            raise TypeError(f"{name} must be a path (str or Path), got {type(value).__name__}")
    source, target = Path(source), Path(target)
    if source.is_file():
        raise ClassroomError(f"source {source} is a file; give the folder of course notebooks")
    notebooks = _find_notebooks(source)
    _check_target(source, target)
    return notebooks


def _prepare(notebooks: list[Path]) -> list[tuple[Path, str, str]]:
    """Read every notebook and make its copy before anything is written: (path, text, hash)."""
    prepared = []
    for path in notebooks:
        nb = read_notebook(path)
        edition, _ = self_study_notebook(nb, str(path))
        prepared.append((path, _notebook_text(edition), source_fingerprint(nb)))
    return prepared


def read_manifest(target: Path) -> dict:
    """The learner folder's record of which source each copy was made from (empty if none)."""
    path = Path(target) / MANIFEST_NAME
    if not path.exists():
        return {}
    fix = "delete it and run again (your notebooks are kept; the record is rebuilt)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ClassroomError(f"{path} cannot be read ({_first_line(error)}); {fix}") from None
    notebooks = data.get("notebooks") if isinstance(data, dict) else None
    if not isinstance(notebooks, dict) or not all(
        isinstance(entry, dict) for entry in notebooks.values()
    ):
        raise ClassroomError(f"{path} is not a course manifest; {fix}")
    return {name: dict(entry) for name, entry in notebooks.items()}


def _write_manifest(target: Path, notebooks: dict) -> None:
    data = {
        "about": (
            "Written by `make lab` (python -m course_lib.classroom self-study): the version of "
            "each course notebook your copy was made from. Do not edit."
        ),
        "format": MANIFEST_FORMAT,
        "notebooks": {name: notebooks[name] for name in sorted(notebooks)},
    }
    _write_text_atomically(json.dumps(data, indent=1) + "\n", Path(target) / MANIFEST_NAME)


def _make_folder(target: Path) -> None:
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ClassroomError(
            f"target folder {target} cannot be created ({error.strerror or error}); "
            "choose a folder you can write to"
        ) from None


def _existing_file(path: Path) -> bool:
    if path.exists() and not path.is_file():
        raise ClassroomError(f"{path} exists and is not a file; move it away, then run again")
    return path.exists()


def sync_self_study(source: Path, target: Path) -> list[Synced]:
    """Give a learner their own copy of the course in ``target``, never overwriting a file.

    The first run writes the self-study edition of every notebook in ``source`` (see
    :func:`self_study_notebook`). Each later run writes the notebooks that are new in
    ``source`` (or that the learner deleted, to start again), leaves every existing file as
    it is, and reports each notebook whose source changed since the learner's copy was made
    and for which no fresh copy has been written yet (see :func:`write_fresh`).
    """
    notebooks = _source_notebooks(source, target)
    source, target = Path(source), Path(target)
    manifest = read_manifest(target)
    prepared = _prepare(notebooks)
    for path, _, _ in prepared:
        _existing_file(target / path.name)
    _make_folder(target)
    results = []
    before = json.dumps(manifest, sort_keys=True)
    try:
        for path, text, fingerprint in prepared:
            name, out = path.name, target / path.name
            entry = manifest.get(name)
            key = notebook_key(name)
            if not out.exists():
                _write_text_atomically(text, out)
                had_copy = bool(entry and entry.get("source"))
                if had_copy:
                    message = f"wrote a new copy of {name} (yours was missing)"
                else:
                    message = f"wrote {out} (new in the course)"
                manifest[name] = {**(entry or {}), "source": fingerprint}  # keeps fresh_file
                results.append(Synced(name, "restored" if had_copy else "wrote", message))
            elif entry is None:
                manifest[name] = {"source": fingerprint}
                if out.read_text(encoding="utf-8", errors="replace") == text:
                    results.append(Synced(name, "unchanged", ""))
                else:
                    results.append(
                        Synced(
                            name,
                            "kept",
                            f"kept your {out} as it is; to get the course's current version "
                            f"beside it: {fresh_command(key, target)}",
                        )
                    )
            elif fingerprint in (entry.get("source"), entry.get("fresh")):
                results.append(Synced(name, "unchanged", ""))
            else:
                results.append(
                    Synced(
                        name,
                        "changed upstream",
                        f"{name} changed in the course since your copy was made; yours is "
                        f"kept. To get the new version beside it: {fresh_command(key, target)}",
                    )
                )
    finally:
        if json.dumps(manifest, sort_keys=True) != before:
            _write_manifest(target, manifest)
    return results


def write_fresh(
    source: Path, target: Path, which: str | None = None, *, anyway: bool = False
) -> list[Written]:
    """Write the current self-study copy of notebook(s) beside the learner's, never over it.

    ``which`` names one notebook (``"03"``, ``"03_learning"`` or ``"03_learning.ipynb"``);
    ``None`` means every notebook that changed in the course since the learner's copy was
    made. Each goes to ``<name>.fresh.ipynb`` in ``target``. A named notebook that did not
    change since the learner's copy was made is written only with ``anyway=True`` (otherwise
    its result says "unchanged"). An earlier fresh copy is replaced only if it is exactly as
    it was written (its hash is in the manifest); one the learner changed, or one whose hash
    is not known, is left as it is and its result says "skipped", while the other notebooks
    are still written.
    """
    notebooks = _source_notebooks(source, target)
    source, target = Path(source), Path(target)
    if which is not None and not isinstance(which, str):
        raise TypeError(f"which must be a notebook's name such as '03', got {which!r}")
    if not isinstance(anyway, bool):
        raise TypeError(f"anyway must be True or False, got {anyway!r}")
    if not target.is_dir():
        raise ClassroomError(
            f"there is no folder {target} yet; run `make lab` first, which makes your copy"
        )
    manifest = read_manifest(target)
    results = []
    if which is not None and which.strip():
        wanted = which.strip()
        chosen = [
            p for p in notebooks if wanted in (p.name, p.stem) or notebook_key(p.name) == wanted
        ]
        if not chosen:
            keys = ", ".join(notebook_key(p.name) for p in notebooks)
            raise ClassroomError(f"no course notebook is called {wanted!r}; choose one of {keys}")
        if len(chosen) > 1:
            names = ", ".join(p.name for p in chosen)
            raise ClassroomError(f"{wanted!r} names several notebooks ({names}); give a full name")
        prepared = _prepare(chosen)
        path, _, fingerprint = prepared[0]
        if not anyway and manifest.get(path.name, {}).get("source") == fingerprint:
            results.append(Written(path, target / fresh_name(path.name), 0, "unchanged"))
            prepared = []
    else:
        prepared = [
            item
            for item in _prepare(notebooks)
            if item[0].name in manifest
            and (target / item[0].name).exists()
            and manifest[item[0].name].get("source") != item[2]
        ]
    for path, _, _ in prepared:
        _existing_file(target / fresh_name(path.name))
    before = json.dumps(manifest, sort_keys=True)
    try:
        for path, text, fingerprint in prepared:
            out = target / fresh_name(path.name)
            entry = manifest.setdefault(path.name, {})
            if out.exists():
                current = out.read_bytes()
                if current == text.encode("utf-8"):
                    results.append(Written(path, out, 0, "already there"))
                    entry.update(fresh=fingerprint, fresh_file=_sha256(current))
                    continue
                if entry.get("fresh_file") != _sha256(current):
                    why = "has changes of yours" if entry.get("fresh_file") else "may hold work"
                    results.append(Written(path, out, 0, f"skipped ({why})"))
                    continue
                action = "replaced"  # an older fresh copy, untouched since it was written
            else:
                action = "wrote"
            _write_text_atomically(text, out)
            entry.update(fresh=fingerprint, fresh_file=_sha256(text.encode("utf-8")))
            results.append(Written(path, out, 0, action))
    finally:
        if json.dumps(manifest, sort_keys=True) != before:
            _write_manifest(target, manifest)
    return results


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomically(nb: nbformat.NotebookNode, path: Path) -> None:
    _write_text_atomically(_notebook_text(nb), path)


def _notebook_text(nb: nbformat.NotebookNode) -> str:
    """The exact text ``nbformat.write`` would save, so copies can be compared byte for byte."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_text_atomically(text: str, path: Path) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file; mkstemp's is owner-only
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
    study = sub.add_parser(
        "self-study",
        help="make or update a learner's own copy (what `make lab` runs); never overwrites",
    )
    study.add_argument("source", type=Path, help="the folder of course notebooks")
    study.add_argument(
        "target",
        type=Path,
        nargs="?",
        default=Path(DEFAULT_SELF_STUDY_FOLDER),
        help=f"the learner's folder (default: {DEFAULT_SELF_STUDY_FOLDER})",
    )
    fresh = sub.add_parser(
        "fresh", help="write the course's current version of a notebook beside the learner's"
    )
    fresh.add_argument("source", type=Path, help="the folder of course notebooks")
    fresh.add_argument("target", type=Path, help="the learner's folder")
    fresh.add_argument(
        "notebook",
        nargs="?",
        default=None,
        help=(
            "e.g. 03 or 03_learning; default: every notebook that changed in the course. A "
            "named notebook that did not change since your copy was made is not written "
            "(say --anyway to write it all the same)"
        ),
    )
    fresh.add_argument(
        "--anyway",
        action="store_true",
        help="write the named notebook's fresh copy even if it did not change (make fresh "
        "NB='03 --anyway')",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "self-study":
            return _report_self_study(args.target, sync_self_study(args.source, args.target))
        if args.command == "fresh":
            return _report_fresh(
                write_fresh(args.source, args.target, args.notebook, anyway=args.anyway)
            )
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


def _report_self_study(target: Path, results: list[Synced]) -> int:
    if results and all(r.action == "wrote" for r in results):
        print(
            f"Your own copy of the course is in {target}/ ({len(results)} notebooks): work "
            "there; it is never overwritten. Under each exercise's check, 'Show a solution' "
            "opens one."
        )
        return 0
    messages = [r.message for r in results if r.message]
    for message in messages:
        print(message)
    if not messages:
        print(f"{target}/ is up to date ({len(results)} notebooks)")
    return 0


def _report_fresh(results: list[Written]) -> int:
    if not results:
        print("No notebook changed in the course since your copies were made; nothing written.")
    skipped = 0
    for r in results:
        name = r.source.name
        if r.action == "unchanged":
            print(
                f"{name} did not change in the course since your copy was made; nothing "
                f"written (add --anyway to write {r.target.name} all the same)"
            )
        elif r.action.startswith("skipped"):
            skipped += 1
            what = "has changes of yours" if "changes" in r.action else "may hold work of yours"
            print(
                f"skipped {name}: {r.target} {what}; rename it to keep it, and run again",
                file=sys.stderr,
            )
        else:
            print(f"{r.action}: {r.target} (the course's current {name}; yours is untouched)")
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
