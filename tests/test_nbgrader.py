"""A teacher can give the source notebooks to nbgrader 0.9 and release them to a class.

One module-scoped fixture builds a throw-away nbgrader course (``source/<assignment>/`` with
every course notebook, an ``nbgrader_config.py`` and its own gradebook) and runs
``nbgrader generate_assignment`` in a subprocess, exactly as a teacher would. The tests then
compare the release with the source notebooks and with the classroom student edition
(``course_lib.classroom``).

Why executing ONE release is enough to show that EVERY release runs to the end:
``tests/test_classroom.py::test_student_edition_runs_and_checks_say_not_implemented``
already executes the classroom student edition of every notebook and requires it to run
without an error, every check saying "not implemented yet". Here
``test_release_matches_the_classroom_edition_cell_by_cell`` proves that each nbgrader
release is that same notebook, cell by cell, except for the stub lines: nbgrader writes
``# YOUR CODE HERE`` + ``raise NotImplementedError()`` where the classroom edition writes
``raise NotImplementedError('<hint>')``, at the same place and indentation. Both stubs raise
the same exception, which is all the checks and ``yours_or_reference`` look at. Executing
the release of one short notebook (02) closes the remaining gap: that nbgrader's stub, its
metadata and its output clearing really behave like the classroom edition in a kernel.
Executing all twelve again would add minutes to CI and prove nothing more.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.classroom import BEGIN, END, SOLUTION_TAG, student_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ASSIGNMENT = "deep_learning_demystified"
EXECUTED = "02_the_neuron.ipynb"  # short, no data download: the one release we run

# nbgrader 0.9's default stub for Python (ClearSolutions.code_stub), and the classroom one.
NBGRADER_STUB = re.compile(r"^([ \t]*)# YOUR CODE HERE\n\1raise NotImplementedError\(\)$", re.M)
CLASSROOM_STUB = re.compile(r"^([ \t]*)raise NotImplementedError\(.*\)$", re.M)


def _course_notebooks() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if re.match(r"\d\d[a-z]?_", p.name))


def _tagged(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _outside_and_inside(source: str) -> tuple[list[str], list[str]]:
    """A cell's lines outside its solution regions, and the lines inside them."""
    outside, inside, within = [], [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            within = True
        elif line.strip() == END:
            within = False
        else:
            (inside if within else outside).append(line)
    return outside, inside


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """Run ``nbgrader generate_assignment`` on a copy of the course; return the release folder."""
    root = tmp_path_factory.mktemp("nbgrader_course")
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in _course_notebooks():
        shutil.copy(path, source / path.name)
    db = root / "gradebook.db"
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    # nbgrader runs the `alembic` command to set up its gradebook: it must be on PATH, as it
    # is for a teacher whose environment is activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    # No personal ~/.jupyter/nbgrader_config.py may change what this test releases.
    env["JUPYTER_CONFIG_DIR"] = str(root / "jupyter_config")
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0 and "ERROR" not in log, f"nbgrader failed:\n{log}"
    assert db.exists(), "nbgrader did not use the gradebook given in nbgrader_config.py"
    return root / "release" / ASSIGNMENT


def _read_pair(release: Path, path: Path):
    return nbformat.read(path, as_version=4), nbformat.read(release / path.name, as_version=4)


def test_source_metadata_is_valid_for_nbgrader():
    """nbgrader's own validator (schema 3, unique grade ids) accepts every source notebook."""
    from nbgrader.nbgraderformat import MetadataValidator

    validator = MetadataValidator()
    for path in _course_notebooks():
        validator.validate_nb(nbformat.read(path, as_version=4))


def test_every_notebook_is_released(release):
    assert sorted(p.name for p in release.glob("*.ipynb")) == [p.name for p in _course_notebooks()]


def test_no_solution_is_left_in_the_release(release):
    for path in _course_notebooks():
        source, released = _read_pair(release, path)
        text = "\n".join(c.source for c in released.cells)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
        # Every non-trivial answer line must be gone, unless the source shows that very line
        # outside the solution regions too (then its presence gives nothing away).
        shown, answers = set(), set()
        for cell in source.cells:
            outside, inside = _outside_and_inside(cell.source)
            shown.update(line.strip() for line in outside)
            answers.update(
                line.strip()
                for line in inside
                if re.search(r"\w", line) and not line.strip().startswith("#")
            )
        released_lines = {line.strip() for c in released.cells for line in c.source.splitlines()}
        leaked = sorted((answers - shown) & released_lines)
        assert answers - shown, f"{path.name}: no answer lines found to look for"
        assert not leaked, f"{path.name}: answer lines left in the nbgrader release: {leaked}"


def test_everything_outside_the_solutions_is_unchanged(release):
    for path in _course_notebooks():
        source, released = _read_pair(release, path)
        assert [(c.id, c.cell_type) for c in released.cells] == [
            (c.id, c.cell_type) for c in source.cells
        ], f"{path.name}: nbgrader added, removed or reordered cells"
        for before, after in zip(source.cells, released.cells, strict=True):
            where = f"{path.name} {before.id}"
            if not _tagged(before):
                assert after.source == before.source, f"{where} changed"
                continue
            kept = NBGRADER_STUB.sub("", after.source).splitlines()
            outside, _ = _outside_and_inside(before.source)
            assert [line for line in kept if line.strip()] == [
                line for line in outside if line.strip()
            ], f"{where}: the lines around the answer changed"
            assert after.metadata.get("tags") == before.metadata["tags"], where
            assert after.metadata["nbgrader"]["grade_id"] == before.metadata.nbgrader.grade_id
        assert all(not c.get("outputs") for c in released.cells if c.cell_type == "code")


def test_release_matches_the_classroom_edition_cell_by_cell(release):
    """Same cells, same text; each nbgrader stub stands where the classroom stub stands."""
    for path in _course_notebooks():
        source, released = _read_pair(release, path)
        classroom, stubs = student_notebook(source, path.name)
        assert len(classroom.cells) == len(released.cells), path.name
        found = 0
        for ours, theirs in zip(classroom.cells, released.cells, strict=True):
            where = f"{path.name} {ours.id}"
            assert (ours.id, ours.cell_type) == (theirs.id, theirs.cell_type), where
            ours_text, n_ours = CLASSROOM_STUB.subn(r"\1<stub>", ours.source)
            theirs_text, n_theirs = NBGRADER_STUB.subn(r"\1<stub>", theirs.source)
            if not _tagged(ours):
                n_ours = 0  # a non-solution cell may raise NotImplementedError itself
                ours_text = ours.source
            assert n_ours == n_theirs, f"{where}: {n_ours} classroom stubs, {n_theirs} nbgrader"
            assert theirs_text == ours_text, f"{where} differs:\n{theirs_text}\n---\n{ours_text}"
            found += n_theirs
        assert found == stubs, f"{path.name}: {stubs} solutions, {found} nbgrader stubs"


def test_a_release_runs_to_the_end_and_checks_say_not_implemented(release, monkeypatch):
    """A student runs the release of notebook 02: no crash, every check 'not implemented yet'."""
    from nbclient import NotebookClient

    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)
    nb = nbformat.read(release / EXECUTED, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(release)}}
    ).execute()
    errors = [
        (c.id, o.get("ename"), o.get("evalue"))
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, f"the nbgrader release of {EXECUTED} crashed: {errors}"
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    exercises = sum(_tagged(c) for c in nb.cells)
    assert exercises >= 1
    assert text.count("course-feedback-not_implemented") >= exercises
    assert "course-feedback-correct" not in text, "a stubbed exercise was reported correct"
