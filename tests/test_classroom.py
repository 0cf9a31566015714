"""The student edition: solutions removed, outputs cleared, nothing overwritten by surprise."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from course_lib.classroom import (
    ClassroomError,
    main,
    make_student_edition,
    strip_solutions,
    student_notebook,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SOLVED = """def double(x):
    # HINT: multiply by two.
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION
"""


def _notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _solution_cell(source: str = SOLVED) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["solution"]})
    cell.outputs = [nbformat.v4.new_output("stream", text="old output\n")]
    cell.execution_count = 3
    return cell


def test_strip_replaces_region_with_hinted_stub_at_same_indent():
    out, removed = strip_solutions(SOLVED)
    assert removed == 1
    assert "2 * x" not in out and "BEGIN SOLUTION" not in out
    assert "    raise NotImplementedError('multiply by two.')" in out.splitlines()
    assert "# HINT: multiply by two." in out  # the learner still sees the hint


def test_stub_raises_not_implemented_with_the_hint():
    out, _ = strip_solutions(SOLVED)
    namespace: dict = {}
    exec(out, namespace)
    with pytest.raises(NotImplementedError, match="multiply by two"):
        namespace["double"](3)


def test_generic_hint_when_none_given():
    out, _ = strip_solutions("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n")
    assert "raise NotImplementedError('replace this line with your answer.')" in out


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "without a"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
    ],
)
def test_unbalanced_markers_are_refused(source, message):
    with pytest.raises(ClassroomError, match=message):
        strip_solutions(source)


def test_notebook_outputs_cleared_and_source_left_alone():
    other = nbformat.v4.new_code_cell("print('kept')")
    other.outputs = [nbformat.v4.new_output("stream", text="kept\n")]
    nb = _notebook(nbformat.v4.new_markdown_cell("# Title"), _solution_cell(), other)
    student, removed = student_notebook(nb)
    assert removed == 1
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")
    assert student.cells[2].source == "print('kept')"
    assert student.cells[0].source == "# Title"
    assert "2 * x" in nb.cells[1].source and nb.cells[1].outputs  # the source is unchanged


def test_markers_in_untagged_cell_are_refused_so_no_solution_leaks():
    nb = _notebook(nbformat.v4.new_code_cell(SOLVED))
    with pytest.raises(ClassroomError, match="no 'solution' tag"):
        student_notebook(nb, "demo.ipynb")


def test_tagged_cell_without_markers_is_refused():
    nb = _notebook(nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}))
    with pytest.raises(ClassroomError, match="has no ### BEGIN SOLUTION"):
        student_notebook(nb, "demo.ipynb")


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_edition_refuses_to_overwrite_without_force(tmp_path):
    src = tmp_path / "src"
    _write(src / "a.ipynb", _notebook(_solution_cell()))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.ipynb").write_text("a student's own work")
    results = make_student_edition(src, out)
    assert results[0].action.startswith("skipped")
    assert (out / "a.ipynb").read_text() == "a student's own work"
    results = make_student_edition(src, out, force=True)
    assert results[0].action == "overwrote"
    assert "NotImplementedError" in (out / "a.ipynb").read_text()


def test_edition_refuses_to_write_into_the_source_folder(tmp_path):
    src = _write(tmp_path / "src" / "a.ipynb", _notebook(_solution_cell()))
    before = src.read_text()
    with pytest.raises(ClassroomError, match="source folder"):
        make_student_edition(tmp_path / "src", tmp_path / "src", force=True)
    assert src.read_text() == before


def test_a_bad_notebook_stops_the_run_before_anything_is_written(tmp_path):
    src = tmp_path / "src"
    _write(src / "a.ipynb", _notebook(_solution_cell()))
    _write(src / "b.ipynb", _notebook(nbformat.v4.new_code_cell(SOLVED)))  # untagged markers
    with pytest.raises(ClassroomError):
        make_student_edition(src, tmp_path / "out")
    assert not (tmp_path / "out" / "a.ipynb").exists()


def test_no_temporary_files_are_left(tmp_path):
    _write(tmp_path / "src" / "a.ipynb", _notebook(_solution_cell()))
    make_student_edition(tmp_path / "src", tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.ipynb"]


def test_command_line_reports_and_signals_skips(tmp_path, capsys):
    _write(tmp_path / "src" / "a.ipynb", _notebook(_solution_cell()))
    assert main(["student", str(tmp_path / "src"), str(tmp_path / "out")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["student", str(tmp_path / "src"), str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "skipped" in captured.out and "--force" in captured.err
    assert main(["student", str(tmp_path / "missing"), str(tmp_path / "out")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --- the real course --------------------------------------------------------------------


def _course_notebooks() -> list[Path]:
    """The course's notebooks: ``NN_title``, plus lettered extras such as ``00a_primer``."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if re.match(r"\d\d[a-z]?_", p.name))


def _solution_count(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum("solution" in c.metadata.get("tags", []) for c in nb.cells)


def test_every_course_notebook_after_the_welcome_has_an_exercise():
    notebooks = [p for p in _course_notebooks() if not p.name.startswith("00_")]
    assert notebooks, "no course notebooks found"
    missing = [p.name for p in notebooks if _solution_count(p) == 0]
    assert not missing, f"notebooks without an exercise (a cell tagged 'solution'): {missing}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [p for p in _course_notebooks() if _solution_count(p)],
    ids=lambda p: p.stem,
)
def test_student_edition_runs_and_checks_say_not_implemented(path, tmp_path, monkeypatch):
    """A student opens the edition and runs everything: no crash, kind 'not implemented yet'."""
    from nbclient import NotebookClient

    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)
    (result,) = make_student_edition(path, tmp_path)
    nb = nbformat.read(result.target, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    errors = [
        (i, o.get("ename"), o.get("evalue"))
        for i, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, f"the student edition of {path.name} crashed: {errors}"
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    pending = text.count("course-feedback-not_implemented")
    exercises = _solution_count(path)
    assert pending >= exercises, (
        f"{path.name}: {exercises} exercises were stubbed but only {pending} "
        "checks reported 'not implemented yet'"
    )
    assert "course-feedback-correct" not in text, "a stubbed exercise was reported correct"
    assert os.environ.get("COURSE_STRICT_CHECKS") is None


def test_teacher_guide_covers_every_notebook_with_a_binder_link():
    guide = (NOTEBOOKS.parent / "docs" / "teaching.md").read_text(encoding="utf-8")
    for path in _course_notebooks():
        assert f"urlpath=lab/tree/notebooks/{path.name}" in guide, f"no Binder link: {path.name}"
        assert f"| {path.name[:2]} " in guide, f"no time/exercise row for {path.name}"
    assert "nbgrader" in guide and "--force" in guide
